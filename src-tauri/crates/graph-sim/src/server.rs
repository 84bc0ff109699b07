//! The HTTP side: an axum server on 127.0.0.1 answering like graph.microsoft.com.
//!
//! Every request goes through one pipeline, in Graph's order: network faults (latency, 503/504,
//! dropped connections), authentication, throttling, the handler, then the request log.
//! Requests inside a `$batch` go through the same pipeline without the network faults, which
//! belong to the envelope's connection.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::filter::Filter;
use crate::identity::{Identity, Principal};
use crate::ops::{AddLicense, Effect, Refusal};
use crate::rng::Rng;
use crate::tenant::Tenant;
use crate::throttle::{Throttle, Verdict};
use crate::wire::{self, SKU_PROPERTIES, USER_DEFAULT_PROPERTIES, USER_PROPERTIES};
use crate::{Scenario, SimError};

/// Graph's default page size for /users, and its largest.
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 999;
/// Prefix that makes our skip tokens look (and be) opaque, like Graph's.
const SKIPTOKEN_PREFIX: &str = "RFNwdAIAAQAAAC";
const MAX_BATCH: usize = 20;
/// The application id the emulator pretends every caller is (for x-ms-throttle-scope).
const APP_ID: &str = "de8bc8b5-d9f9-48b1-a8ad-b748da725064";

/// One request as the emulator saw and answered it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub seq: u64,
    /// Milliseconds since the emulator started.
    pub at_ms: u64,
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub status: u16,
    /// Part of a `$batch`.
    pub in_batch: bool,
    /// The connection was dropped: the client got no answer (the status is what it missed).
    pub dropped: bool,
    /// For writes that ran: `applied` when they changed the tenant, `unchanged` otherwise.
    pub effect: Option<&'static str>,
    /// The JSON body of a write.
    pub body: Option<Value>,
    /// The `x-ms-throttle-priority` the client sent.
    pub priority: Option<String>,
}

struct TokenState {
    current: String,
    uses: u64,
    /// Tokens with fewer permissions, for testing 403s: token → granted scopes.
    limited: HashMap<String, Vec<String>>,
}

/// Delegated permissions that allow a request, per Graph's permission tables (any one will do;
/// the *.All directory-wide ones are accepted everywhere they are in Graph's list).
fn permissions_for(method: &Method, path: &str) -> &'static [&'static str] {
    if path == "/v1.0/organization" {
        // Any signed-in person may read their organisation's basic profile (User.Read).
        &[
            "User.Read",
            "User.Read.All",
            "Organization.Read.All",
            "Organization.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ]
    } else if path == "/v1.0/subscribedSkus" {
        &[
            "Organization.Read.All",
            "Organization.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ]
    } else if path.ends_with("/assignLicense") {
        &[
            "LicenseAssignment.ReadWrite.All",
            "User.ReadWrite.All",
            "Directory.ReadWrite.All",
        ]
    } else if path.starts_with("/v1.0/groups") {
        &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Group.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ]
    } else if path.ends_with("/licenseDetails") {
        &[
            "LicenseAssignment.Read.All",
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ]
    } else if method == Method::GET {
        &[
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ]
    } else {
        &["User.ReadWrite.All", "Directory.ReadWrite.All"]
    }
}

pub(crate) struct SimState {
    tenant: RwLock<Tenant>,
    scenario: Scenario,
    /// `http://127.0.0.1:PORT` (or https), used to write absolute nextLinks.
    pub(crate) base_url: String,
    started: Instant,
    tokens: Mutex<TokenState>,
    identity: Mutex<Identity>,
    throttle: Mutex<Throttle>,
    dice: Mutex<Rng>,
    log: Mutex<Vec<LogEntry>>,
    router: OnceLock<Router>,
    request_counter: AtomicU64,
    request_id_salt: u64,
}

/// Marks a request that came out of a `$batch` envelope.
#[derive(Clone, Copy)]
struct InBatch;

/// What a write did, handed from the handler to the log.
#[derive(Clone, Copy)]
struct WriteEffect(Effect);

/// Who the token was issued to (`None` for the emulator's built-in token).
#[derive(Clone)]
struct Caller(Option<Principal>);

/// Per-request ids, echoed in headers and error bodies.
#[derive(Clone)]
pub(crate) struct RequestIds {
    request_id: String,
    client_request_id: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Handlers never panic while holding a lock mid-update, so a poisoned one is still sound.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SimState {
    fn next_request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        let x = self.request_id_salt ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            x >> 32,
            (x >> 16) & 0xffff,
            n & 0xfff,
            (x >> 4) & 0xfff,
            n & 0xffff_ffff_ffff
        )
    }

    pub(crate) fn read_tenant(&self) -> std::sync::RwLockReadGuard<'_, Tenant> {
        self.tenant.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_tenant(&self) -> std::sync::RwLockWriteGuard<'_, Tenant> {
        self.tenant.write().unwrap_or_else(|p| p.into_inner())
    }

    fn replication_lag(&self) -> Duration {
        Duration::from_millis(self.scenario.lag.usage_location_ms)
    }

    fn index_lag(&self) -> Duration {
        Duration::from_millis(self.scenario.lag.advanced_query_ms)
    }

    /// Checks the bearer token; counts its use for scenarios where tokens expire.
    /// `Ok(Some(scopes))` for a token with limited permissions, with who it was issued to.
    fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<(Option<Vec<String>>, Option<Principal>), &'static str> {
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let mut tokens = lock(&self.tokens);
        match presented {
            None | Some("") => Err("Access token is empty."),
            Some(t) if tokens.limited.contains_key(t) => Ok((tokens.limited.get(t).cloned(), None)),
            Some(t) if t != tokens.current => {
                // A token from the sign-in endpoints: check its lifetime and carry its scopes.
                let identity = lock(&self.identity);
                match identity.tokens.get(t) {
                    Some(issued) if issued.expires <= Instant::now() => {
                        Err("Lifetime validation failed, the token is expired.")
                    }
                    Some(issued) => {
                        Ok((Some(issued.scopes.clone()), Some(issued.principal.clone())))
                    }
                    None => Err("CompactToken parsing failed with error code: 80049217"),
                }
            }
            Some(t) if t != tokens.current => {
                Err("CompactToken parsing failed with error code: 80049217")
            }
            Some(_) => {
                if let Some(limit) = self.scenario.faults.token_expires_after_requests
                    && tokens.uses >= limit
                {
                    return Err("Lifetime validation failed, the token is expired.");
                }
                tokens.uses += 1;
                Ok((None, None))
            }
        }
    }

    fn record(&self, mut entry: LogEntry) {
        entry.at_ms = self.started.elapsed().as_millis() as u64;
        let mut log = lock(&self.log);
        entry.seq = log.len() as u64 + 1;
        log.push(entry);
    }
}

/// A running emulator. Dropping it stops the server.
pub struct RunningSim {
    state: Arc<SimState>,
    addr: SocketAddr,
    ca_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// Starts the emulator for `scenario` on 127.0.0.1 with a random free port.
    pub async fn start(scenario: &Scenario) -> Result<Self, SimError> {
        Self::start_on(scenario, 0).await
    }

    /// Starts on 127.0.0.1:`port` (0 picks a free one). Only loopback: the emulator holds
    /// made-up people but must never be reachable from a network.
    pub async fn start_on(scenario: &Scenario, port: u16) -> Result<Self, SimError> {
        Self::start_with(scenario, port, false).await
    }

    /// Starts over HTTPS with a certificate from an authority made for this run: clients must
    /// trust [`RunningSim::ca_certificate_pem`], as they would an organisation's private CA.
    pub async fn start_tls(scenario: &Scenario) -> Result<Self, SimError> {
        Self::start_with(scenario, 0, true).await
    }

    pub async fn start_with(scenario: &Scenario, port: u16, tls: bool) -> Result<Self, SimError> {
        let tenant = Tenant::generate(&scenario.tenant);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let tls = if tls {
            Some(crate::tls::make_certificates().map_err(SimError::Tls)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let now = Instant::now();
        let state = Arc::new(SimState {
            throttle: Mutex::new(Throttle::new(
                &scenario.throttle,
                tenant.users.len(),
                scenario.faults.seed,
                now,
            )),
            tenant: RwLock::new(tenant),
            scenario: scenario.clone(),
            base_url: base_url.clone(),
            started: now,
            identity: Mutex::new(Identity::new(
                scenario.identity.clone(),
                &scenario.tenant.tenant_id,
                &scenario.tenant.domain,
                scenario.tenant.seed,
                &base_url,
            )),
            tokens: Mutex::new(TokenState {
                current: new_secret(),
                uses: 0,
                limited: HashMap::new(),
            }),
            dice: Mutex::new(Rng::new(scenario.faults.seed)),
            log: Mutex::new(Vec::new()),
            router: OnceLock::new(),
            request_counter: AtomicU64::new(1),
            request_id_salt: RandomState::new().hash_one(addr.port()),
        });
        let app = router(state.clone());
        let _ = state.router.set(app.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let stopped = async {
            let _ = rx.await;
        };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let task = match tls {
            None => tokio::spawn(serve(listener, app, stopped)),
            Some(tls) => {
                let listener =
                    crate::tls::TlsListener::new(listener, tls.acceptor).map_err(|source| {
                        SimError::Bind {
                            addr: addr.to_string(),
                            source,
                        }
                    })?;
                tokio::spawn(serve(listener, app, stopped))
            }
        };
        tracing::info!(%addr, scheme, "graph-sim listening");
        Ok(Self {
            state,
            addr,
            ca_pem,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The PEM of the authority that signed the HTTPS certificate (`None` over plain http).
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The Graph root to give a client, e.g. `http://127.0.0.1:53211` (requests go to `/v1.0/…`).
    pub fn graph_endpoint(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token the emulator accepts now.
    pub fn access_token(&self) -> String {
        lock(&self.state.tokens).current.clone()
    }

    /// Issues a new token (as a refresh would) and revokes the old one.
    pub fn issue_token(&self) -> String {
        let mut tokens = lock(&self.state.tokens);
        tokens.current = new_secret();
        tokens.uses = 0;
        tokens.current.clone()
    }

    /// An extra token that carries only `scopes` (e.g. `["User.Read.All"]`): requests it is
    /// not enough for get Graph's 403 Authorization_RequestDenied.
    pub fn issue_token_with_scopes(&self, scopes: &[&str]) -> String {
        let token = new_secret();
        lock(&self.state.tokens).limited.insert(
            token.clone(),
            scopes.iter().map(|s| s.to_string()).collect(),
        );
        token
    }

    /// The sign-in authority to give a client instead of https://login.microsoftonline.com.
    pub fn authority_host(&self) -> String {
        self.state.base_url.clone()
    }

    /// The person at the verification page approves a device code (`true` if it was pending).
    pub fn approve_device_code(&self, user_code: &str) -> bool {
        lock(&self.state.identity).decide_device_code(user_code, true)
    }

    pub fn decline_device_code(&self, user_code: &str) -> bool {
        lock(&self.state.identity).decide_device_code(user_code, false)
    }

    /// Makes and registers a certificate for the emulator's confidential client, as an admin
    /// uploads one to the app registration; returns the PKCS#12 bundle (key and certificate)
    /// protected by `password`, for a client's certificate credential.
    pub fn new_client_certificate(&self, password: &str) -> Result<Vec<u8>, SimError> {
        lock(&self.state.identity)
            .new_app_certificate(password)
            .map_err(SimError::Tls)
    }

    /// The confidential client's id and secret, for app-only tests.
    pub fn confidential_client(&self) -> (String, String) {
        let spec = &self.state.scenario.identity;
        (
            spec.confidential_client_id.clone(),
            spec.client_secret.clone(),
        )
    }

    /// User codes of device sign-ins waiting for approval.
    pub fn pending_user_codes(&self) -> Vec<String> {
        lock(&self.state.identity).pending_user_codes()
    }

    /// A copy of the tenant as it is now, for tests to compare against what clients saw.
    pub fn tenant(&self) -> Tenant {
        self.state.read_tenant().clone()
    }

    /// Every request so far, in the order answered.
    pub fn request_log(&self) -> Vec<LogEntry> {
        lock(&self.state.log).clone()
    }

    /// Serves until the process is stopped (for `licensedesk-cli sim serve`).
    pub async fn serve_until_stopped(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An unguessable token per run: the emulator is on loopback, but another local process should
/// still not be able to use it without being told the token.
fn new_secret() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let parts: Vec<String> = (0..4u64)
        .map(|i| {
            format!(
                "{:016x}",
                RandomState::new().hash_one((nanos, i, std::process::id()))
            )
        })
        .collect();
    format!("sim.{}", parts.join(""))
}

fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/v1.0/subscribedSkus", get(list_subscribed_skus))
        .route("/v1.0/users", get(list_users))
        .route("/v1.0/users/{key}", get(get_user).patch(patch_user))
        .route("/v1.0/users/{key}/licenseDetails", get(license_details))
        .route("/v1.0/users/{key}/assignLicense", post(assign_license))
        .route("/v1.0/$batch", post(batch))
        .route("/v1.0/me", get(me))
        .route("/v1.0/organization", get(organization))
        .route("/v1.0/groups", get(crate::groups::list_groups))
        .route("/v1.0/groups/{id}", get(crate::groups::get_group))
        .route(
            "/v1.0/groups/{id}/members",
            get(crate::groups::group_members),
        )
        .fallback(unknown_segment)
        .layer(middleware::from_fn_with_state(state.clone(), pipeline))
        // The identity platform: not Graph, so outside Graph's pipeline.
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code))
        .route("/devicelogin", get(device_login_page))
        .route(
            "/_sim/devicecode/{user_code}/{decision}",
            post(decide_device_code),
        )
        // What reached "Graph", for a test in another process (`sim serve`); the emulator
        // listens on loopback only, like the rest of /_sim.
        .route("/_sim/requests", get(request_log))
        .with_state(state)
}

async fn request_log(State(state): State<Arc<SimState>>) -> Response {
    axum::Json(lock(&state.log).clone()).into_response()
}

async fn authorize(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    lock(&state.identity).authorize(&tenant, &query)
}

async fn token(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let latency = state.scenario.identity.token_latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    lock(&state.identity).token(&tenant, &form)
}

async fn device_code(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    lock(&state.identity).device_code(&tenant, &form)
}

async fn device_login_page() -> Response {
    axum::response::Html(
        "<!doctype html><title>Sign in (graph-sim)</title><h1>graph-sim device sign-in</h1>\
         <p>This is the emulator. Tests approve a code with POST /_sim/devicecode/{code}/approve.</p>",
    )
    .into_response()
}

/// Test-only: the person at the verification page approves or declines.
async fn decide_device_code(
    State(state): State<Arc<SimState>>,
    Path((user_code, decision)): Path<(String, String)>,
) -> Response {
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if lock(&state.identity).decide_device_code(&user_code, approve) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

enum NetworkFault {
    None,
    Transient(StatusCode),
    DropBefore,
    DropAfter,
}

fn roll_faults(state: &SimState) -> (Duration, NetworkFault) {
    let f = &state.scenario.faults;
    let mut dice = lock(&state.dice);
    let latency = match f.latency_ms {
        Some([lo, hi]) => lo + (dice.next_u64() % (hi - lo + 1)),
        None => 0,
    };
    let roll = |d: &mut Rng| (d.next_u64() % 1_000_000) as f64 / 1_000_000.0;
    let fault = if roll(&mut dice) < f.transient_rate {
        if dice.chance(50) {
            NetworkFault::Transient(StatusCode::SERVICE_UNAVAILABLE)
        } else {
            NetworkFault::Transient(StatusCode::GATEWAY_TIMEOUT)
        }
    } else if roll(&mut dice) < f.drop_rate {
        if dice.chance(50) {
            NetworkFault::DropBefore
        } else {
            NetworkFault::DropAfter
        }
    } else {
        NetworkFault::None
    };
    (Duration::from_millis(latency), fault)
}

/// A response whose body fails at once: hyper closes the connection, and the client gets no
/// usable answer, as when a connection drops.
fn dropped_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "graph-sim dropped the connection",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// The same response with its body sent in small pieces over `total`.
async fn slow_body(response: Response, total: Duration) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped_response();
    };
    let pieces = 4u32;
    let size = bytes.len().div_ceil(pieces as usize).max(1);
    let chunks: Vec<Bytes> = bytes.chunks(size).map(Bytes::copy_from_slice).collect();
    let pause = total / pieces;
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let next = rest.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<Bytes, std::io::Error>(next), rest))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Graph's cost of a request in resource units and writes (§6.2).
fn cost(method: &Method, path: &str, query: &str) -> (u32, u32) {
    if method != Method::GET {
        return (1, 1);
    }
    let params: HashMap<String, String> = url_params(query);
    let base: i32 = if path == "/v1.0/users" {
        2
    } else if path == "/v1.0/subscribedSkus" {
        3
    } else if path.ends_with("/licenseDetails") {
        2
    } else {
        1
    };
    let select = i32::from(params.contains_key("$select"));
    let small_top = i32::from(
        params
            .get("$top")
            .and_then(|t| t.parse::<i32>().ok())
            .is_some_and(|t| t < 20),
    );
    ((base - select - small_top).max(1) as u32, 0)
}

fn url_params(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (decoded, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn pipeline(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let in_batch = request.extensions().get::<InBatch>().is_some();
    let ids = RequestIds {
        request_id: state.next_request_id(),
        client_request_id: request
            .headers()
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| state.next_request_id()),
    };
    let method = request.method().clone();
    let uri = request.uri().clone();
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let priority = request
        .headers()
        .get("x-ms-throttle-priority")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let log = |status: u16, dropped: bool, effect: Option<Effect>, body: Option<Value>| {
        state.record(LogEntry {
            priority: priority.clone(),
            seq: 0,
            at_ms: 0,
            method: method.to_string(),
            path: path_and_query.clone(),
            status,
            in_batch,
            dropped,
            effect: effect.map(|e| match e {
                Effect::Applied => "applied",
                Effect::Unchanged => "unchanged",
            }),
            body,
        })
    };

    let mut drop_after = false;
    if !in_batch {
        let (latency, fault) = roll_faults(&state);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match fault {
            NetworkFault::Transient(status) => {
                log(status.as_u16(), false, None, None);
                let (code, message) = if status == StatusCode::SERVICE_UNAVAILABLE {
                    (
                        "serviceNotAvailable",
                        "The service is temporarily unavailable. Please retry later.",
                    )
                } else {
                    ("UnknownError", "The gateway timed out.")
                };
                return wire::error_response(
                    status,
                    code,
                    message,
                    &ids.request_id,
                    &ids.client_request_id,
                );
            }
            NetworkFault::DropBefore => {
                log(0, true, None, None);
                return dropped_response();
            }
            NetworkFault::DropAfter => drop_after = true,
            NetworkFault::None => {}
        }
    }

    let (granted, principal) = match state.authenticate(request.headers()) {
        Ok(granted) => granted,
        Err(message) => {
            log(401, false, None, None);
            let mut response = wire::error_response(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                message,
                &ids.request_id,
                &ids.client_request_id,
            );
            response.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static(
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
            ),
        );
            return response;
        }
    };
    if let Some(granted) = granted {
        let needed = permissions_for(&method, uri.path());
        let allowed = uri.path() == "/v1.0/$batch"
            || uri.path() == "/v1.0/me"
            || needed
                .iter()
                .any(|n| granted.iter().any(|g| g.eq_ignore_ascii_case(n)));
        if !allowed {
            log(403, false, None, None);
            return forbidden(&ids);
        }
    }

    let mut throttle_headers: Vec<(&'static str, String)> = Vec::new();
    if uri.path() != "/v1.0/$batch" {
        let (ru, writes) = cost(&method, uri.path(), uri.query().unwrap_or(""));
        let verdict = lock(&state.throttle).check(ru, writes, Instant::now());
        match verdict {
            Verdict::Throttled {
                retry_after,
                scope,
                information,
            } => {
                log(429, false, None, None);
                let mut response =
                    wire::throttled_response(&ids.request_id, &ids.client_request_id);
                let h = response.headers_mut();
                for (name, value) in [
                    ("retry-after", format!("{retry_after:.3}")),
                    (
                        "x-ms-throttle-scope",
                        format!("{scope}/{APP_ID}/{}", state.scenario.tenant.tenant_id),
                    ),
                    ("x-ms-throttle-information", information.to_string()),
                ] {
                    if let Ok(v) = HeaderValue::from_str(&value) {
                        h.insert(name, v);
                    }
                }
                return response;
            }
            Verdict::Allowed {
                resource_units,
                limit_percentage,
            } => {
                throttle_headers.push(("x-ms-resource-unit", resource_units.to_string()));
                if let Some(p) = limit_percentage {
                    throttle_headers.push(("x-ms-throttle-limit-percentage", format!("{p:.2}")));
                }
            }
        }
    }

    // Keep the body of writes for the log.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        log(413, false, None, None);
        return wire::error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BadRequest",
            "The request body is too large.",
            &ids.request_id,
            &ids.client_request_id,
        );
    };
    let logged_body = (method != Method::GET)
        .then(|| serde_json::from_slice::<Value>(&bytes).ok())
        .flatten();
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(ids.clone());
    request.extensions_mut().insert(Caller(principal));

    let mut response = next.run(request).await;
    wire::add_ids(
        response.headers_mut(),
        &ids.request_id,
        &ids.client_request_id,
    );
    for (name, value) in throttle_headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    let effect = response.extensions().get::<WriteEffect>().map(|e| e.0);
    log(response.status().as_u16(), drop_after, effect, logged_body);
    if drop_after {
        return dropped_response();
    }
    let slow = state.scenario.faults.slow_body_ms;
    if slow > 0 && !in_batch {
        return slow_body(response, Duration::from_millis(slow)).await;
    }
    response
}

/// Serves `app` on `listener` (plain TCP or TLS) until `stopped` completes.
async fn serve<L>(listener: L, app: Router, stopped: impl Future<Output = ()> + Send + 'static)
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stopped)
        .await
    {
        tracing::error!("graph-sim stopped: {e}");
    }
}

/// Graph's 403 for a caller without the permission an operation needs.
fn forbidden(ids: &RequestIds) -> Response {
    wire::error_response(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
        &ids.request_id,
        &ids.client_request_id,
    )
}

pub(crate) fn ids_of(extensions: &axum::http::Extensions) -> RequestIds {
    extensions
        .get::<RequestIds>()
        .cloned()
        .unwrap_or(RequestIds {
            request_id: String::new(),
            client_request_id: String::new(),
        })
}

/// Graph's 404 for a resource id that does not exist.
pub(crate) fn not_found_response(ids: &RequestIds, key: &str) -> Response {
    refusal_response(ids, &Refusal::not_found(key))
}

fn refusal_response(ids: &RequestIds, refusal: &Refusal) -> Response {
    wire::error_response(
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST),
        refusal.code,
        &refusal.message,
        &ids.request_id,
        &ids.client_request_id,
    )
}

fn bad_request(ids: &RequestIds, code: &str, message: &str) -> Response {
    wire::error_response(
        StatusCode::BAD_REQUEST,
        code,
        message,
        &ids.request_id,
        &ids.client_request_id,
    )
}

async fn unknown_segment(request: Request) -> Response {
    let ids = ids_of(request.extensions());
    let segment = request
        .uri()
        .path()
        .trim_start_matches("/v1.0")
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    bad_request(
        &ids,
        "BadRequest",
        &format!("Resource not found for the segment '{segment}'."),
    )
}

/// `GET /subscribedSkus`: all SKUs in one response; only `$select` is supported.
async fn list_subscribed_skus(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    if query.contains_key("$filter") {
        return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
    }
    let select = match wire::parse_select(
        query.get("$select").map(String::as_str),
        SKU_PROPERTIES,
        SKU_PROPERTIES,
    ) {
        Ok(s) => s,
        Err(unknown) => {
            return bad_request(
                &ids,
                "BadRequest",
                &format!(
                    "Could not find a property named '{unknown}' on type 'microsoft.graph.subscribedSku'."
                ),
            );
        }
    };
    let tenant = state.read_tenant();
    let value: Vec<_> = tenant
        .skus
        .iter()
        .map(|sku| wire::sku_json(sku, &tenant, tenant.consumed(&sku.sku_id), &select))
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#subscribedSkus", state.base_url),
        "value": value,
    }))
    .into_response()
}

fn user_select<'a>(ids: &RequestIds, raw: Option<&str>) -> Result<Vec<&'a str>, Box<Response>> {
    wire::parse_select(raw, USER_PROPERTIES, USER_DEFAULT_PROPERTIES).map_err(|unknown| {
        Box::new(bad_request(
            ids,
            "Request_BadRequest",
            &format!(
                "Could not find a property named '{unknown}' on type 'Microsoft.DirectoryServices.User'."
            ),
        ))
    })
}

/// `GET /users` with `$select`, `$top` (1–999), `$filter`, `$search`, `$count` and
/// `$skiptoken` paging.
async fn list_users(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let eventual = headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let count = query
        .get("$count")
        .is_some_and(|c| c.eq_ignore_ascii_case("true"));
    if count && !eventual {
        return bad_request(
            &ids,
            "Request_BadRequest",
            "$count is not currently supported.",
        );
    }
    let filter = match query.get("$filter") {
        None => None,
        Some(text) => match Filter::parse(text) {
            Some(f) if f.is_advanced() && !(eventual && count) => {
                return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
            }
            Some(f) => Some(f),
            None => return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query."),
        },
    };
    let search = match query.get("$search") {
        None => None,
        Some(_) if !eventual => {
            return bad_request(
                &ids,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            );
        }
        Some(text) => match crate::search::Search::parse(text) {
            Ok(s) => Some(s),
            Err(e) => return bad_request(&ids, "Request_UnsupportedQuery", &e.0),
        },
    };
    let page_size = match query.get("$top") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => n as usize,
            _ => {
                return bad_request(
                    &ids,
                    "Request_BadRequest",
                    &format!(
                        "Invalid page size specified: '{raw}'. Must be between 1 and {MAX_PAGE_SIZE} inclusive."
                    ),
                );
            }
        },
    };
    let offset = match query.get("$skiptoken") {
        None => 0,
        Some(token) => match decode_skiptoken(token) {
            Some(o) => o,
            None => {
                return bad_request(
                    &ids,
                    "Directory_ExpiredPageToken",
                    "The specified page token value has expired and can no longer be included in your request.",
                );
            }
        },
    };
    let select = match user_select(&ids, query.get("$select").map(String::as_str)) {
        Ok(s) => s,
        Err(response) => return *response,
    };

    let tenant = state.read_tenant();
    let now = Instant::now();
    let advanced = eventual && count;
    let matching: Vec<&crate::SimUser> = tenant
        .users
        .iter()
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u, now, advanced)))
        .filter(|u| search.as_ref().is_none_or(|s| s.matches(u)))
        .collect();
    let end = (offset + page_size).min(matching.len());
    let value: Vec<_> = matching
        .get(offset..end)
        .unwrap_or(&[])
        .iter()
        .map(|u| wire::user_json(u, &select))
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/v1.0/$metadata#users({})",
            state.base_url,
            select.join(",")
        )),
    );
    if count && offset == 0 {
        body.insert("@odata.count".into(), json!(matching.len()));
    }
    if end < matching.len() {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&state.base_url, &uri, end)),
        );
    }
    body.insert("value".into(), json!(value));
    Json(Value::Object(body)).into_response()
}

/// `GET /users/{id | userPrincipalName}`.
async fn get_user(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let select = match user_select(&ids, query.get("$select").map(String::as_str)) {
        Ok(s) => s,
        Err(response) => return *response,
    };
    let tenant = state.read_tenant();
    match tenant.user(&key) {
        Some(user) => Json(wire::user_json(user, &select)).into_response(),
        None => refusal_response(&ids, &Refusal::not_found(&key)),
    }
}

/// `GET /me`: the signed-in person (delegated tokens only).
async fn me(request: Request) -> Response {
    let ids = ids_of(request.extensions());
    let caller = request
        .extensions()
        .get::<Caller>()
        .and_then(|c| c.0.clone());
    match caller {
        Some(Principal { user_principal_name: Some(upn), object_id, .. }) => Json(json!({
            "id": object_id,
            "displayName": "Megan Bowen",
            "userPrincipalName": upn,
            "mail": upn,
        }))
        .into_response(),
        Some(_) => bad_request(&ids, "BadRequest", "/me request is only valid with delegated authentication flow."),
        None => Json(json!({"id": "00000000-0000-4000-8000-000000000001", "displayName": "graph-sim", "userPrincipalName": "sim@graph-sim.invalid"})).into_response(),
    }
}

/// `GET /organization`: the tenant's profile (a collection of one), as Graph returns it.
async fn organization(State(state): State<Arc<SimState>>) -> Response {
    let tenant = state.read_tenant();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#organization", state.base_url),
        "value": [{
            "id": tenant.tenant_id,
            "displayName": tenant.display_name,
            "tenantType": "AAD",
            "verifiedDomains": [{
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": true,
                "isInitial": true,
                "name": tenant.domain,
                "type": "Managed",
            }],
        }],
    }))
    .into_response()
}

/// `GET /users/{id}/licenseDetails`: every license, direct and from groups, with its plans.
async fn license_details(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    // Graph does not support licenseDetails with application permissions (reference §5);
    // an app-only tool must read assignedLicenses from /users instead.
    let app_only = request
        .extensions()
        .get::<Caller>()
        .and_then(|c| c.0.as_ref())
        .is_some_and(|p| p.user_principal_name.is_none());
    if app_only {
        return forbidden(&ids);
    }
    let tenant = state.read_tenant();
    let Some(user) = tenant.user(&key) else {
        return refusal_response(&ids, &Refusal::not_found(&key));
    };
    let value = wire::license_details(user, &tenant);
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#users('{}')/licenseDetails", state.base_url, user.id),
        "value": value,
    }))
    .into_response()
}

/// The request's ids and its body, which must be a JSON object.
async fn json_object(
    request: Request,
) -> Result<(RequestIds, serde_json::Map<String, Value>), Box<Response>> {
    let ids = ids_of(request.extensions());
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), 1024 * 1024).await else {
        return Err(Box::new(bad_request(
            &ids,
            "BadRequest",
            "Unreadable request body.",
        )));
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok((ids, map)),
        _ => Err(Box::new(bad_request(
            &ids,
            "BadRequest",
            "Empty Payload. JSON content expected.",
        ))),
    }
}

/// `PATCH /users/{id}`: 204 No Content.
async fn patch_user(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let (ids, patch) = match json_object(request).await {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let result = state.write_tenant().update_user(
        &key,
        &patch,
        Instant::now(),
        state.replication_lag(),
        state.index_lag(),
    );
    match result {
        Ok(effect) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            response.extensions_mut().insert(WriteEffect(effect));
            response
        }
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

/// `POST /users/{id}/assignLicense` with both `addLicenses` and `removeLicenses`.
async fn assign_license(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let (ids, body) = match json_object(request).await {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let missing: Vec<&str> = ["addLicenses", "removeLicenses"]
        .into_iter()
        .filter(|k| !body.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return bad_request(
            &ids,
            "Request_BadRequest",
            &format!(
                "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: {}.",
                missing.join(",")
            ),
        );
    }
    let (Some(add), Some(remove)) = (
        parse_adds(&body["addLicenses"]),
        parse_strings(&body["removeLicenses"]),
    ) else {
        return refusal_response(&ids, &Refusal::bad_guid());
    };
    let result =
        state
            .write_tenant()
            .assign_license(&key, &add, &remove, Instant::now(), state.index_lag());
    match result {
        Ok((index, effect)) => {
            let tenant = state.read_tenant();
            let mut select = USER_DEFAULT_PROPERTIES.to_vec();
            select.push("assignedLicenses");
            let mut response = Json(wire::user_json(&tenant.users[index], &select)).into_response();
            response.extensions_mut().insert(WriteEffect(effect));
            response
        }
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

fn parse_strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn parse_adds(v: &Value) -> Option<Vec<AddLicense>> {
    let Value::Array(items) = v else {
        return v.is_null().then(Vec::new);
    };
    items
        .iter()
        .map(|i| {
            Some(AddLicense {
                sku_id: i.get("skuId")?.as_str()?.to_string(),
                disabled_plans: parse_strings(i.get("disabledPlans").unwrap_or(&Value::Null))?,
            })
        })
        .collect()
}

/// `POST /$batch`: up to 20 requests, answered in any order, each throttled on its own.
async fn batch(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let ids = ids_of(request.extensions());
    let authorization = request.headers().get("authorization").cloned();
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), 4 * 1024 * 1024).await else {
        return bad_request(&ids, "BadRequest", "Unreadable request body.");
    };
    let Some(requests) = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("requests").and_then(Value::as_array).cloned())
    else {
        return bad_request(&ids, "BadRequest", "Invalid batch payload format.");
    };
    if requests.len() > MAX_BATCH {
        return bad_request(
            &ids,
            "BadRequest",
            &format!("Number of requests in the batch exceeds the limit of {MAX_BATCH}."),
        );
    }
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for r in &requests {
        let (Some(id), Some(method), Some(url)) = (
            r.get("id").and_then(Value::as_str),
            r.get("method").and_then(Value::as_str),
            r.get("url").and_then(Value::as_str),
        ) else {
            return bad_request(
                &ids,
                "BadRequest",
                "Invalid batch payload format: every request needs id, method and url.",
            );
        };
        if !seen.insert(id.to_ascii_lowercase()) {
            return bad_request(&ids, "BadRequest", "Batch request contains duplicate ids.");
        }
        items.push((
            id.to_string(),
            method.to_ascii_uppercase(),
            url.to_string(),
            r.clone(),
        ));
    }
    for (_, _, _, r) in &items {
        for dep in r
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !dep
                .as_str()
                .is_some_and(|d| seen.contains(&d.to_ascii_lowercase()))
            {
                return bad_request(
                    &ids,
                    "BadRequest",
                    "dependsOn refers to a request id that is not in the batch.",
                );
            }
        }
    }

    let Some(router) = state.router.get().cloned() else {
        return bad_request(&ids, "BadRequest", "Batching is not available.");
    };
    // Run dependencies first; a request whose dependency failed is answered 424.
    let mut status_of: HashMap<String, u16> = HashMap::new();
    let mut responses: Vec<Value> = Vec::new();
    let mut pending = items;
    while !pending.is_empty() {
        let ready: Vec<usize> = (0..pending.len())
            .filter(|&i| {
                pending[i]
                    .3
                    .get("dependsOn")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .all(|d| {
                        d.as_str()
                            .is_some_and(|d| status_of.contains_key(&d.to_ascii_lowercase()))
                    })
            })
            .collect();
        if ready.is_empty() {
            return bad_request(&ids, "BadRequest", "dependsOn has a cycle.");
        }
        for i in ready.into_iter().rev() {
            let (id, method, url, raw) = pending.remove(i);
            let failed_dep = raw
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|d| {
                    d.as_str()
                        .and_then(|d| status_of.get(&d.to_ascii_lowercase()))
                        .is_some_and(|s| *s >= 400)
                });
            let answer = if failed_dep {
                json!({"id": id, "status": 424, "headers": {"Content-Type": "application/json"},
                       "body": {"error": {"code": "FailedDependency", "message": "Failed dependency."}}})
            } else {
                run_batch_item(&router, authorization.as_ref(), &id, &method, &url, &raw).await
            };
            status_of.insert(
                id.to_ascii_lowercase(),
                answer["status"].as_u64().unwrap_or(500) as u16,
            );
            responses.push(answer);
        }
    }
    // Graph answers in any order; clients must match by id.
    {
        let mut dice = lock(&state.dice);
        for i in (1..responses.len()).rev() {
            responses.swap(i, dice.below(i + 1));
        }
    }
    Json(json!({ "responses": responses })).into_response()
}

async fn run_batch_item(
    router: &Router,
    authorization: Option<&HeaderValue>,
    id: &str,
    method: &str,
    url: &str,
    raw: &Value,
) -> Value {
    let path = format!("/v1.0/{}", url.trim_start_matches('/'));
    let mut builder = Request::builder().method(method).uri(&path);
    if let Some(auth) = authorization {
        builder = builder.header("authorization", auth);
    }
    if let Some(headers) = raw.get("headers").and_then(Value::as_object) {
        for (k, v) in headers {
            if let Some(v) = v.as_str() {
                builder = builder.header(k.as_str(), v);
            }
        }
    }
    let body = match raw.get("body") {
        Some(b) if !b.is_null() => {
            let has_type = raw
                .get("headers")
                .and_then(Value::as_object)
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")));
            if !has_type {
                return json!({"id": id, "status": 400, "headers": {"Content-Type": "application/json"},
                    "body": {"error": {"code": "BadRequest", "message": "Content-Type header is required when a body is present."}}});
            }
            Body::from(b.to_string())
        }
        _ => Body::empty(),
    };
    let Ok(mut request) = builder.body(body) else {
        return json!({"id": id, "status": 400, "headers": {},
            "body": {"error": {"code": "BadRequest", "message": "Invalid request in batch."}}});
    };
    request.extensions_mut().insert(InBatch);
    let response = match router.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let mut headers = serde_json::Map::new();
    for name in [
        "retry-after",
        "content-type",
        "x-ms-throttle-scope",
        "x-ms-throttle-information",
        "x-ms-throttle-limit-percentage",
        "x-ms-resource-unit",
    ] {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            let key = match name {
                "retry-after" => "Retry-After",
                "content-type" => "Content-Type",
                other => other,
            };
            headers.insert(key.to_string(), json!(v));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
    let mut answer = json!({"id": id, "status": status, "headers": headers});
    if !body.is_null() {
        answer["body"] = body;
    }
    answer
}

/// The request's own URL with `$skiptoken` replaced: Graph's nextLink keeps every other option.
fn next_link(base_url: &str, uri: &Uri, offset: usize) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            key != "$skiptoken" && key != "%24skiptoken"
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{base_url}{}?{query}", uri.path())
}

fn encode_skiptoken(offset: usize) -> String {
    format!("{SKIPTOKEN_PREFIX}{offset:010x}")
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    let hex = token.strip_prefix(SKIPTOKEN_PREFIX)?;
    usize::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(1998)), Some(1998));
        assert_eq!(decode_skiptoken("X'4453707402'"), None);
    }

    #[test]
    fn next_link_keeps_options_and_replaces_skiptoken() {
        let uri: Uri = "/v1.0/users?$select=id&$top=5&$skiptoken=RFNwdAIAAQAAAC0000000005"
            .parse()
            .expect("uri");
        let link = next_link("http://127.0.0.1:1", &uri, 10);
        assert_eq!(
            link,
            "http://127.0.0.1:1/v1.0/users?$select=id&$top=5&$skiptoken=RFNwdAIAAQAAAC000000000a"
        );
    }

    #[test]
    fn request_costs_follow_the_documented_table() {
        assert_eq!(cost(&Method::GET, "/v1.0/users", ""), (2, 0));
        assert_eq!(cost(&Method::GET, "/v1.0/users", "%24select=id"), (1, 0));
        assert_eq!(
            cost(&Method::GET, "/v1.0/users", "$select=id&$top=5"),
            (1, 0)
        );
        assert_eq!(cost(&Method::GET, "/v1.0/subscribedSkus", ""), (3, 0));
        assert_eq!(
            cost(&Method::GET, "/v1.0/users/x/licenseDetails", ""),
            (2, 0)
        );
        assert_eq!(cost(&Method::GET, "/v1.0/users/x", ""), (1, 0));
        assert_eq!(
            cost(&Method::POST, "/v1.0/users/x/assignLicense", ""),
            (1, 1)
        );
        assert_eq!(cost(&Method::PATCH, "/v1.0/users/x", ""), (1, 1));
    }
}
