//! The Graph client: one place for authentication (with one token refresh on 401), retries
//! (429/503/504 after Retry-After or backoff), paging and turning error bodies into errors.
//!
//! Past 600 lines: the requests every resource shares (send, retry, pages read ahead) and the
//! reads of users and plans built on them; group reads live in `groups.rs`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use url::Url;

use crate::models::{self, ErrorEnvelope, Page};
use crate::pacing::WritePacer;
use crate::retry::{self, MAX_ATTEMPTS};
use crate::token::StaticToken;
use crate::{AccessToken, GraphEndpoint, GraphError, TokenSource};

/// Properties LicenseDesk needs of a user. Graph returns most of them only when selected (§4.2).
pub const USER_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates";

/// A user's properties with what the Reclaim page needs: when the account was made and,
/// where Graph allows it, sign-in activity.
pub const ACTIVITY_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates,createdDateTime,signInActivity";
const CREATED_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates,createdDateTime";

/// Graph's largest page of /users with `signInActivity` selected.
pub const MAX_SIGN_IN_PAGE_SIZE: u32 = 500;

/// Why sign-in activity cannot be read, from Graph's refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInsUnavailable {
    /// The tenant has no Microsoft Entra ID P1 or P2.
    NoPremium,
    /// The sign-in lacks AuditLog.Read.All (not consented, or not granted to an app).
    NoPermission,
}

impl SignInsUnavailable {
    /// Whether `e` is Graph refusing sign-in activity, and why.
    pub fn from_error(e: &GraphError) -> Option<Self> {
        match e {
            GraphError::Api {
                status: 403, code, ..
            } if code
                .eq_ignore_ascii_case("Authentication_RequestFromNonPremiumTenantOrB2CTenant") =>
            {
                Some(Self::NoPremium)
            }
            GraphError::Api { status: 403, .. } => Some(Self::NoPermission),
            _ => None,
        }
    }
}

/// Tries when no answer comes at all (connection refused or reset): a network that is down
/// should be reported quickly, not after minutes of backoff.
const MAX_NETWORK_ATTEMPTS: u32 = 4;

/// Graph's largest page for /users; fewer pages means fewer requests against the quota.
const MAX_PAGE_SIZE: u32 = 999;

/// Bounds on what LicenseDesk reads from Graph. Real answers stay far inside them; a broken or
/// hostile server that loops, pads pages or sends an endless body is stopped with a clear
/// error instead of running forever or filling memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One answer's body. A page of 999 users with every license is about 2 MB.
    pub max_body_bytes: usize,
    /// Items on one page: Graph serves at most 999.
    pub max_items_per_page: usize,
    /// Items in one collection: the largest tenants have a few million users.
    pub max_items: usize,
    /// Pages in one collection.
    pub max_pages: usize,
    /// All the waiting Graph may ask for (429 / 503 with Retry-After) before one request is
    /// given up, so a command never sits silent for hours.
    pub max_total_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024 * 1024,
            max_items_per_page: 1_000,
            max_items: 5_000_000,
            max_pages: 100_000,
            max_total_wait: Duration::from_secs(10 * 60),
        }
    }
}

/// Told when Graph asks LicenseDesk to wait (throttling) for a noticeable time, so the person
/// sees why nothing moves: the CLI says so on stderr, the app in a banner.
pub type WaitNotifier = Arc<dyn Fn(Duration) + Send + Sync>;

/// Waits shorter than this pass without a word: they are part of normal pacing.
const NOTICEABLE_WAIT: Duration = Duration::from_secs(3);

/// How urgent the work is (`x-ms-throttle-priority`): Graph throttles Low first. Microsoft
/// suggests High only for requests a person started and is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    Normal,
    High,
}

impl Priority {
    pub fn header_value(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Normal => "Normal",
            Self::High => "High",
        }
    }
}

/// An answer as it came, before it is judged.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl RawResponse {
    pub fn into_error(self) -> GraphError {
        let request_id = self
            .headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        api_error(self.status, &self.body, request_id)
    }
}

/// The HTTP client for Graph and sign-in. It trusts the public roots built into LicenseDesk
/// plus `extra_roots_pem` (one or more PEM certificates): an organisation's TLS-inspecting
/// proxy, a private cloud, or the emulator's per-run authority in tests.
pub fn http_client(extra_roots_pem: Option<&[u8]>) -> Result<reqwest::Client, GraphError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("LicenseDesk/", env!("CARGO_PKG_VERSION")))
        // Never follow a redirect: reqwest would re-send a token request's body (refresh
        // token, client secret) on a 307/308 to any host, and keep the Authorization header on
        // an https→http redirect to the same host. A 3xx is reported instead (see send_once,
        // tokens::post_form).
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(64);
    if let Some(pem) = extra_roots_pem {
        let roots = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            GraphError::InvalidEndpoint(format!("the extra root certificate is not PEM: {e}"))
        })?;
        if roots.is_empty() {
            return Err(GraphError::InvalidEndpoint(
                "the extra root certificate file holds no PEM certificate".into(),
            ));
        }
        for root in roots {
            builder = builder.add_root_certificate(root);
        }
    }
    builder
        .build()
        .map_err(|e| GraphError::Network(e.to_string()))
}

#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    endpoint: GraphEndpoint,
    tokens: Arc<dyn TokenSource>,
    priority: Priority,
    limits: Limits,
    on_wait: Option<WaitNotifier>,
    /// Held while the token is renewed, so requests refused together (401) cause one renewal
    /// (one refresh-token redemption), not one each.
    renewing: Arc<tokio::sync::Mutex<()>>,
    /// What Graph has told us about its write limit, shared by every clone (the limit is per
    /// app and tenant, so one run's knowledge serves the next).
    pacer: Arc<std::sync::Mutex<WritePacer>>,
    /// The executor's window (changes in flight) as the last run of changes left it, shared
    /// by every clone: a run sent in chunks starts each chunk where the last one ended rather
    /// than probing upward again from the start.
    window: Arc<std::sync::Mutex<Option<f64>>>,
    /// Writes sent and unanswered, across every run of changes at once (a runner sends several
    /// chunks side by side): at most [`MOST_WRITES_IN_FLIGHT`].
    write_slots: Arc<tokio::sync::Semaphore>,
}

/// The most writes in flight at once from one client, whatever runs of changes share it: two
/// runner chunks' worth. Below Graph's write limit, a run is as fast as its round trips allow
/// with this many writes in each (the benchmarks' bound).
pub const MOST_WRITES_IN_FLIGHT: usize = 400;

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("endpoint", &self.endpoint)
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client with a token that cannot be renewed.
    pub fn new(endpoint: GraphEndpoint, token: AccessToken) -> Result<Self, GraphError> {
        Self::with_token_source(endpoint, Arc::new(StaticToken(token)))
    }

    pub fn with_token_source(
        endpoint: GraphEndpoint,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<Self, GraphError> {
        Ok(Self::with_http(endpoint, tokens, http_client(None)?))
    }

    /// A client over `http` (from [`http_client`], e.g. trusting a private CA).
    pub fn with_http(
        endpoint: GraphEndpoint,
        tokens: Arc<dyn TokenSource>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            http,
            endpoint,
            tokens,
            priority: Priority::Normal,
            limits: Limits::default(),
            on_wait: None,
            renewing: Arc::new(tokio::sync::Mutex::new(())),
            pacer: Arc::new(std::sync::Mutex::new(WritePacer::new(Instant::now()))),
            window: Arc::new(std::sync::Mutex::new(None)),
            write_slots: Arc::new(tokio::sync::Semaphore::new(MOST_WRITES_IN_FLIGHT)),
        }
    }

    /// Room for writes in flight, shared by every clone.
    pub(crate) fn write_slots(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.write_slots
    }

    /// The write pacer, shared by every clone of this client.
    pub(crate) fn pacer(&self) -> std::sync::MutexGuard<'_, WritePacer> {
        // A panic while holding it leaves only estimates behind: keep using them.
        self.pacer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The window the last run of changes ended with, if any.
    pub(crate) fn last_window(&self) -> Option<f64> {
        *self
            .window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn keep_window(&self, size: f64) {
        *self
            .window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(size);
    }

    /// The same client with other bounds (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same client telling `notify` whenever Graph asks it to wait a noticeable time.
    pub fn on_wait(mut self, notify: WaitNotifier) -> Self {
        self.on_wait = Some(notify);
        self
    }

    /// Says that Graph asked to wait `wait`, when that is long enough to notice.
    pub(crate) fn announce_wait(&self, wait: Duration) {
        if wait >= NOTICEABLE_WAIT {
            tracing::info!(
                seconds = wait.as_secs_f64(),
                "Graph asked to wait (throttled)"
            );
            if let Some(notify) = &self.on_wait {
                notify(wait);
            }
        }
    }

    /// The same client sending `x-ms-throttle-priority` with every request.
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    pub fn priority(&self) -> Priority {
        self.priority
    }

    pub fn endpoint(&self) -> &GraphEndpoint {
        &self.endpoint
    }

    pub(crate) fn current_token(&self) -> AccessToken {
        self.tokens.current()
    }

    /// Renews the token after a 401, unless another request already did since `failed` was
    /// sent (then the newer one is used).
    pub(crate) async fn renew_token(&self, failed: &AccessToken) -> Result<(), GraphError> {
        // Whoever comes second waits here, then finds the token already renewed.
        let _one_at_a_time = self.renewing.lock().await;
        if &self.tokens.current() != failed {
            return Ok(());
        }
        tracing::info!("access token refused (401); renewing it once");
        self.tokens.refresh().await.map(|_| ())
    }

    /// Sends one request once. `Err` only when no answer came.
    pub(crate) async fn send_once(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<(RawResponse, AccessToken), GraphError> {
        let token = self.tokens.current();
        if !token.secret().bytes().all(|b| b.is_ascii_graphic()) {
            // reqwest would fail to build the header, which reads like a network failure.
            return Err(GraphError::InvalidToken(
                "the access token contains a space, a line break or a character a token cannot hold; sign in again or give the token alone".into(),
            ));
        }
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(token.secret())
            .header("Accept", "application/json")
            .header("x-ms-throttle-priority", self.priority.header_value());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| GraphError::Network(crate::net::describe(e)))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let to = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(|l| format!(" to {}", crate::net::bounded(l, 200)))
                .unwrap_or_default();
            return Err(GraphError::Redirect { status, to });
        }
        let headers = response.headers().clone();
        let body = crate::net::read_body(response, self.limits.max_body_bytes)
            .await
            .map_err(|e| match e {
                crate::net::BodyError::TooLarge(m) => GraphError::LimitExceeded(m),
                crate::net::BodyError::Network(m) => GraphError::Network(m),
            })?;
        Ok((
            RawResponse {
                status,
                headers,
                body,
            },
            token,
        ))
    }

    /// Sends a request that is safe to repeat (a read, or a write the server refused without
    /// doing: 429), retrying throttling, transient errors and lost answers, and renewing the
    /// token once on 401.
    ///
    /// Writes must not come through here with `retry_lost_answers`: when a write's answer is
    /// lost the change may have been made, and only a fresh read can tell (see `changes`).
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
        retry_lost_answers: bool,
    ) -> Result<RawResponse, GraphError> {
        let mut renewed = false;
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let (response, token) = match self
                .send_once(method.clone(), url.clone(), body, headers)
                .await
            {
                Ok(ok) => ok,
                Err(e @ GraphError::Network(_))
                    if retry_lost_answers && attempt < MAX_NETWORK_ATTEMPTS =>
                {
                    tracing::debug!("no answer ({e}); trying again");
                    tokio::time::sleep(retry::backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match response.status {
                401 if !renewed => {
                    renewed = true;
                    if let Err(e) = self.renew_token(&token).await {
                        // Report the 401 itself: it says what the person must do (sign in).
                        tracing::warn!("could not renew the token: {e}");
                        return Ok(response);
                    }
                }
                429 if attempt < MAX_ATTEMPTS => {
                    let wait = retry::delay(attempt, retry::retry_after(&response.headers));
                    tracing::debug!(?wait, "throttled (429)");
                    self.wait_within_budget(wait, &mut waited).await?;
                }
                500 | 502 | 503 | 504 if retry_lost_answers && attempt < MAX_ATTEMPTS => {
                    let wait = retry::delay(attempt, retry::retry_after(&response.headers));
                    self.wait_within_budget(wait, &mut waited).await?;
                }
                _ => return Ok(response),
            }
        }
    }

    /// Waits as Graph asked, unless that would take this request past its waiting budget
    /// (`Limits::max_total_wait`): then it gives up now rather than sit silent for hours.
    async fn wait_within_budget(
        &self,
        wait: Duration,
        waited: &mut Duration,
    ) -> Result<(), GraphError> {
        if *waited + wait > self.limits.max_total_wait {
            return Err(GraphError::WaitedTooLong {
                waited_secs: self.limits.max_total_wait.as_secs(),
            });
        }
        self.announce_wait(wait);
        let started = Instant::now();
        tokio::time::sleep(wait).await;
        *waited += started.elapsed();
        Ok(())
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        headers: &[(&str, &str)],
    ) -> Result<T, GraphError> {
        let body = self.get_body(url, headers).await?;
        serde_json::from_slice(&body).map_err(|e| GraphError::Decode(e.to_string()))
    }

    /// `GET /subscribedSkus`: every license plan the tenant owns (one response, no paging).
    pub async fn subscribed_skus(&self) -> Result<Vec<models::SubscribedSku>, GraphError> {
        self.get_all(self.endpoint.v1("subscribedSkus"), &[]).await
    }

    /// The tenant's plans as the rest of LicenseDesk sees them: [`Self::subscribed_skus`],
    /// each turned into the domain's `Sku`.
    pub async fn plans(&self) -> Result<Vec<licensing::Sku>, GraphError> {
        Ok(self
            .subscribed_skus()
            .await?
            .iter()
            .map(|s| s.to_domain())
            .collect())
    }

    /// `GET /organization`: the signed-in tenant's profile (Graph answers a list of one).
    pub async fn organization(&self) -> Result<Option<models::Organization>, GraphError> {
        let all: Vec<models::Organization> =
            self.get_all(self.endpoint.v1("organization"), &[]).await?;
        Ok(all.into_iter().next())
    }

    /// `GET /users` with the properties LicenseDesk needs, following every page.
    pub async fn users(&self) -> Result<Vec<models::User>, GraphError> {
        self.users_with_page_size(MAX_PAGE_SIZE).await
    }

    /// Like [`Self::users`] with a chosen `$top` (Graph accepts 1 to 999).
    pub async fn users_with_page_size(
        &self,
        page_size: u32,
    ) -> Result<Vec<models::User>, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$select", USER_SELECT)
            .append_pair("$top", &page_size.to_string());
        self.get_all(url, &[]).await
    }

    /// `GET /users?$filter=…` as an advanced query (`ConsistencyLevel: eventual`, `$count=true`),
    /// which the filters LicenseDesk uses need (unlicensed people, no usage location…).
    /// Results are eventually consistent: re-read changed users one by one to verify.
    pub async fn users_where(&self, filter: &str) -> Result<Vec<models::User>, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$filter", filter)
            .append_pair("$count", "true")
            .append_pair("$select", USER_SELECT)
            .append_pair("$top", &MAX_PAGE_SIZE.to_string());
        self.get_all(url, &[("ConsistencyLevel", "eventual")]).await
    }

    /// `GET /users/{id | userPrincipalName}` with the properties LicenseDesk needs.
    pub async fn user(&self, key: &str) -> Result<models::User, GraphError> {
        let mut url = self.endpoint.v1(&format!("users/{}", encode_segment(key)));
        url.query_pairs_mut().append_pair("$select", USER_SELECT);
        self.get_json(url, &[]).await
    }

    /// The display names of groups by id (for "from group Sales-E3"). Best effort: a group
    /// that cannot be read (deleted, or no GroupMember.Read.All) is left out, and the caller
    /// shows its id.
    pub async fn group_names(&self, ids: &[String]) -> std::collections::HashMap<String, String> {
        let mut names = std::collections::HashMap::new();
        for id in ids {
            if names.contains_key(id) {
                continue;
            }
            let mut url = self.endpoint.v1(&format!("groups/{}", encode_segment(id)));
            url.query_pairs_mut()
                .append_pair("$select", "id,displayName");
            match self.get_json::<models::Group>(url, &[]).await {
                Ok(g) => {
                    if let Some(name) = g.display_name.filter(|n| !n.trim().is_empty()) {
                        names.insert(id.clone(), name);
                    }
                }
                Err(e) => tracing::debug!(group = %id, "group name not read: {e}"),
            }
        }
        names
    }

    /// `GET /users/{id}/licenseDetails`: licenses with per-plan provisioning state.
    pub async fn license_details(
        &self,
        key: &str,
    ) -> Result<Vec<models::LicenseDetails>, GraphError> {
        let url = self
            .endpoint
            .v1(&format!("users/{}/licenseDetails", encode_segment(key)));
        self.get_all(url, &[]).await
    }

    /// GETs a collection and follows `@odata.nextLink` unchanged until it ends, sending the
    /// same headers each time. The link is opaque (it carries a `$skiptoken`) so it is never
    /// parsed or rebuilt, but it must point at the same service, or the token would be sent
    /// to whoever wrote the link. A link seen before, or more pages or items than `Limits`
    /// allows, stops the reading with an error.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        first: Url,
        headers: &[(&str, &str)],
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        self.get_pages(first, headers, |page: Vec<T>| items.extend(page))
            .await?;
        Ok(items)
    }

    /// Like [`Self::get_all`], handing each page to `on_page` as it arrives (a list of 100,000
    /// people shows its first rows long before the last page is read). Returns the items read.
    ///
    /// The pages are still read one after another (each link comes from the page before), but
    /// the next one is asked for as soon as its link is known, before this page is turned into
    /// items: Graph prepares it while we parse. The next request runs on its own task and is
    /// cancelled if this page turns out bad.
    pub async fn get_pages<T: DeserializeOwned>(
        &self,
        first: Url,
        headers: &[(&str, &str)],
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<usize, GraphError> {
        let limits = self.limits;
        let owned_headers: Arc<Vec<(String, String)>> = Arc::new(
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let mut count = 0usize;
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(first.as_str().to_string());
        let mut pages = 1usize;
        let mut body = self.get_body(first, headers).await?;
        loop {
            // Only the link first (the items are skipped, not built), to ask for the next page.
            let link: NextLinkOnly =
                serde_json::from_slice(&body).map_err(|e| GraphError::Decode(e.to_string()))?;
            let next = match link.next_link {
                None => None,
                Some(link) => {
                    let link_url = self.checked_next_link(&link, &seen)?;
                    pages += 1;
                    if pages > limits.max_pages {
                        return Err(GraphError::LimitExceeded(format!(
                            "the list goes on past {} pages, more than any tenant has",
                            limits.max_pages
                        )));
                    }
                    seen.insert(link_url.as_str().to_string());
                    let client = self.clone();
                    let headers = owned_headers.clone();
                    Some(AbortOnDrop(tokio::spawn(async move {
                        let headers: Vec<(&str, &str)> = headers
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        client.get_body(link_url, &headers).await
                    })))
                }
            };
            let page: Page<T> =
                serde_json::from_slice(&body).map_err(|e| GraphError::Decode(e.to_string()))?;
            if page.value.len() > limits.max_items_per_page {
                return Err(GraphError::LimitExceeded(format!(
                    "a page held {} items; Graph sends at most {}",
                    page.value.len(),
                    limits.max_items_per_page
                )));
            }
            if count + page.value.len() > limits.max_items {
                return Err(GraphError::LimitExceeded(format!(
                    "the list goes on past {} items, more than any tenant has",
                    limits.max_items
                )));
            }
            count += page.value.len();
            on_page(page.value);
            match next {
                None => return Ok(count),
                Some(mut pending) => {
                    body = (&mut pending.0).await.map_err(|e| {
                        GraphError::Decode(format!("reading the next page stopped: {e}"))
                    })??;
                }
            }
        }
    }

    /// A GET whose answer must be a success; its body unparsed.
    async fn get_body(
        &self,
        url: Url,
        headers: &[(&str, &str)],
    ) -> Result<bytes::Bytes, GraphError> {
        tracing::debug!(%url, "GET");
        let response = self.send(Method::GET, url, None, headers, true).await?;
        if !(200..300).contains(&response.status) {
            return Err(response.into_error());
        }
        Ok(response.body)
    }

    /// An `@odata.nextLink` we may follow: a URL of the same service, not one read before.
    fn checked_next_link(&self, link: &str, seen: &HashSet<String>) -> Result<Url, GraphError> {
        let link_url = Url::parse(link).map_err(|e| {
            GraphError::Decode(format!(
                "bad @odata.nextLink ({e}): {}",
                crate::net::bounded(link, 200)
            ))
        })?;
        if !self.endpoint.owns(&link_url) {
            return Err(GraphError::ForeignNextLink(crate::net::bounded(link, 200)));
        }
        if seen.contains(link_url.as_str()) {
            return Err(GraphError::LimitExceeded(
                "the next-page link points at a page already read, so the list would never end"
                    .into(),
            ));
        }
        Ok(link_url)
    }

    /// Every user with when their account was made and their sign-in activity, page by page
    /// (500 a page, Graph's most with sign-in activity). Graph refuses it (403) without Entra ID
    /// P1/P2 or AuditLog.Read.All: see [`SignInsUnavailable::from_error`] and
    /// [`Self::users_created_by_page`].
    pub async fn users_with_sign_ins_by_page(
        &self,
        on_page: impl FnMut(Vec<models::User>),
    ) -> Result<usize, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$select", ACTIVITY_SELECT)
            .append_pair("$top", &MAX_SIGN_IN_PAGE_SIZE.to_string());
        self.get_pages(url, &[], on_page).await
    }

    /// Every user with when their account was made (no sign-in activity), 999 a page.
    pub async fn users_created_by_page(
        &self,
        on_page: impl FnMut(Vec<models::User>),
    ) -> Result<usize, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$select", CREATED_SELECT)
            .append_pair("$top", &MAX_PAGE_SIZE.to_string());
        self.get_pages(url, &[], on_page).await
    }

    /// Everyone with their activity, for reclaiming, page by page: with sign-in activity where
    /// Graph allows it, else with account dates only and why sign-ins are unavailable.
    /// `on_page` gets each page as it arrives and whether it carries sign-in activity. Graph
    /// refuses sign-in activity at the first page, so no page comes twice.
    pub async fn people_with_activity_by_page(
        &self,
        mut on_page: impl FnMut(Vec<models::User>, bool),
    ) -> Result<Option<SignInsUnavailable>, GraphError> {
        let mut delivered = false;
        match self
            .users_with_sign_ins_by_page(|page| {
                delivered = true;
                on_page(page, true);
            })
            .await
        {
            Ok(_) => Ok(None),
            // Only a refusal before any page: one later would leave the pages half-read.
            Err(e) => match SignInsUnavailable::from_error(&e).filter(|_| !delivered) {
                Some(why) => {
                    self.users_created_by_page(|page| on_page(page, false))
                        .await?;
                    Ok(Some(why))
                }
                None => Err(e),
            },
        }
    }

    /// `GET /directory/subscriptions`: what the tenant bought, one answer.
    pub async fn subscriptions(&self) -> Result<Vec<models::CompanySubscription>, GraphError> {
        self.get_all(self.endpoint.v1("directory/subscriptions"), &[])
            .await
    }

    /// Every user, page by page (999 a page), each page handed to `on_page` as it arrives.
    pub async fn users_by_page(
        &self,
        on_page: impl FnMut(Vec<models::User>),
    ) -> Result<usize, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$select", USER_SELECT)
            .append_pair("$top", &MAX_PAGE_SIZE.to_string());
        self.get_pages(url, &[], on_page).await
    }

    /// Everyone whose user principal name starts with one of `prefixes`, the slices read side
    /// by side (`at_once` at a time, each page by page) with
    /// `$filter=startswith(userPrincipalName,'…')`, a default query that Graph answers from
    /// the directory itself. Faster than the directory's pages one after another when many
    /// people are named; someone whose name starts otherwise is not read (callers look them
    /// up on their own). Prefixes are letters and digits only.
    pub async fn users_by_prefix(
        &self,
        prefixes: &[char],
        at_once: usize,
    ) -> Result<Vec<models::User>, GraphError> {
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for prefix in prefixes.iter().filter(|c| c.is_ascii_alphanumeric()) {
            let (client, limit) = (self.clone(), limit.clone());
            let mut url = self.endpoint.v1("users");
            url.query_pairs_mut()
                .append_pair(
                    "$filter",
                    &format!("startswith(userPrincipalName,'{prefix}')"),
                )
                .append_pair("$select", USER_SELECT)
                .append_pair("$top", &MAX_PAGE_SIZE.to_string());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let mut slice: Vec<models::User> = Vec::new();
                client
                    .get_pages(url, &[], |page| slice.extend(page))
                    .await
                    .map(|_| slice)
            });
        }
        let mut everyone = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(joined) = tasks.join_next().await {
            let slice = joined.map_err(|e| GraphError::Decode(e.to_string()))??;
            everyone.extend(slice.into_iter().filter(|u| seen.insert(u.id.clone())));
        }
        Ok(everyone)
    }
}

/// A user id or user principal name as one path segment (`#EXT#` guests have `#`).
pub(crate) fn encode_segment(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@!$'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A page's `@odata.nextLink` alone: serde skips the items without building them.
#[derive(serde::Deserialize)]
struct NextLinkOnly {
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

/// A task cancelled when its handle is dropped: the next page asked for while this one is
/// parsed is not left running when this one fails.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) fn api_error(status: u16, body: &[u8], request_id: Option<String>) -> GraphError {
    let (code, message, inner_id) = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(env) => (
            env.error.code,
            env.error.message,
            env.error.inner_error.and_then(|i| i.request_id),
        ),
        Err(_) => (
            String::new(),
            String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
            None,
        ),
    };
    GraphError::api(status, code, message, request_id.or(inner_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_segment("ana@contoso.com"), "ana@contoso.com");
        assert_eq!(
            encode_segment("guest_adatum.com#EXT#@contoso.com"),
            "guest_adatum.com%23EXT%23@contoso.com"
        );
        assert_eq!(encode_segment("a/b?c"), "a%2Fb%3Fc");
    }
}
