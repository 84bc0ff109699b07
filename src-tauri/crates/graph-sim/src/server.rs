//! The HTTP side: an axum server on 127.0.0.1 answering like graph.microsoft.com. This file
//! holds the emulator's state, starts and stops it, and routes each path to the module of its
//! Graph resource (`users`, `subscribed_skus`, `groups`, `organization`, `batch`, `signin`);
//! every request goes through `pipeline` first.

use crate::batch::*;
use crate::identity::{Identity, Principal};
use crate::organization::*;
use crate::pipeline::*;
use crate::rng::Rng;
use crate::signin::*;
use crate::subscribed_skus::*;
use crate::tenant::Tenant;
use crate::throttle::Throttle;
use crate::users::*;
use crate::{Scenario, SimError};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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

pub(crate) struct TokenState {
    current: String,
    uses: u64,
    /// Tokens with fewer permissions, for testing 403s: token → granted scopes.
    limited: HashMap<String, Vec<String>>,
}

pub(crate) struct SimState {
    pub(crate) tenant: RwLock<Tenant>,
    pub(crate) scenario: Scenario,
    /// `http://127.0.0.1:PORT` (or https), used to write absolute nextLinks.
    pub(crate) base_url: String,
    pub(crate) started: Instant,
    pub(crate) tokens: Mutex<TokenState>,
    pub(crate) identity: Mutex<Identity>,
    pub(crate) throttle: Mutex<Throttle>,
    pub(crate) dice: Mutex<Rng>,
    pub(crate) log: Mutex<Vec<LogEntry>>,
    pub(crate) router: OnceLock<Router>,
    pub(crate) request_counter: AtomicU64,
    pub(crate) request_id_salt: u64,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Handlers never panic while holding a lock mid-update, so a poisoned one is still sound.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SimState {
    pub(crate) fn next_request_id(&self) -> String {
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

    pub(crate) fn write_tenant(&self) -> std::sync::RwLockWriteGuard<'_, Tenant> {
        self.tenant.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn replication_lag(&self) -> Duration {
        Duration::from_millis(self.scenario.lag.usage_location_ms)
    }

    pub(crate) fn index_lag(&self) -> Duration {
        Duration::from_millis(self.scenario.lag.advanced_query_ms)
    }

    /// Checks the bearer token; counts its use for scenarios where tokens expire.
    /// `Ok(Some(scopes))` for a token with limited permissions, with who it was issued to.
    pub(crate) fn authenticate(
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

    pub(crate) fn record(&self, mut entry: LogEntry) {
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
        let mut tenant = Tenant::generate(&scenario.tenant);
        tenant.clock = crate::wire::unix_now();
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
        #[cfg(feature = "tls")]
        let tls = if tls {
            Some(crate::tls::make_certificates().map_err(SimError::Tls)?)
        } else {
            None
        };
        // The desktop app's build serves its in-process demo over plain http and leaves the
        // TLS server out (the package is smaller); a source build's CLI has it.
        #[cfg(not(feature = "tls"))]
        let tls: Option<crate::tls::TlsSetup> = if tls {
            return Err(SimError::Tls(
                "this build of LicenseDesk serves the emulator over plain http only; use licensedesk-cli built from source for --tls".into(),
            ));
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
            #[cfg(feature = "tls")]
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
            #[cfg(not(feature = "tls"))]
            Some(crate::tls::TlsSetup { never, .. }) => match never {},
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

    /// A copy of the tenant as it is now (group licensing's work due by now done), for tests
    /// to compare against what clients saw.
    pub fn tenant(&self) -> Tenant {
        let now = std::time::Instant::now();
        if self.state.read_tenant().group_work_due(now) {
            self.state.write_tenant().settle_groups(now);
        }
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
pub(crate) fn new_secret() -> String {
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

pub(crate) fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/v1.0/subscribedSkus", get(list_subscribed_skus))
        .route(
            "/v1.0/directory/subscriptions",
            get(crate::subscriptions::list_subscriptions),
        )
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
        .route(
            "/v1.0/groups/{id}/members/$ref",
            post(crate::groups::add_member),
        )
        .route(
            "/v1.0/groups/{id}/members/{member}/$ref",
            delete(crate::groups::remove_member),
        )
        .route(
            "/v1.0/groups/{id}/assignLicense",
            post(crate::groups::assign_group_license),
        )
        .route(
            "/v1.0/users/{key}/reprocessLicenseAssignment",
            post(crate::groups::reprocess),
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

pub(crate) async fn request_log(State(state): State<Arc<SimState>>) -> Response {
    axum::Json(lock(&state.log).clone()).into_response()
}

/// Serves `app` on `listener` (plain TCP or TLS) until `stopped` completes.
pub(crate) async fn serve<L>(
    listener: L,
    app: Router,
    stopped: impl Future<Output = ()> + Send + 'static,
) where
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
