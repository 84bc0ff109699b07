//! The HTTP side: an axum server on 127.0.0.1 answering like graph.microsoft.com.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::tenant::Tenant;
use crate::wire::{self, SKU_PROPERTIES, USER_DEFAULT_PROPERTIES, USER_PROPERTIES};
use crate::{Scenario, SimError};

/// Graph's default page size for /users, and its largest.
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 999;
/// Prefix that makes our skip tokens look (and be) opaque, like Graph's.
const SKIPTOKEN_PREFIX: &str = "RFNwdAIAAQAAAC";

struct SimState {
    tenant: RwLock<Tenant>,
    access_token: String,
    /// `http://127.0.0.1:PORT`, used to write absolute nextLinks.
    base_url: String,
    request_counter: AtomicU64,
    request_id_salt: u64,
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

    fn read_tenant(&self) -> std::sync::RwLockReadGuard<'_, Tenant> {
        // A panic while holding the lock leaves the data consistent (handlers never panic
        // mid-update), so a poisoned lock is still safe to read.
        self.tenant.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Per-request ids, set by the auth layer and echoed in headers and error bodies.
#[derive(Clone)]
struct RequestIds {
    request_id: String,
    client_request_id: String,
}

/// A running emulator. Dropping it stops the server.
pub struct RunningSim {
    state: Arc<SimState>,
    addr: SocketAddr,
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
        let state = Arc::new(SimState {
            tenant: RwLock::new(tenant),
            access_token: new_secret(),
            base_url: format!("http://{addr}"),
            request_counter: AtomicU64::new(1),
            request_id_salt: RandomState::new().hash_one(addr.port()),
        });
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let result = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!("graph-sim stopped: {e}");
            }
        });
        tracing::info!(%addr, "graph-sim listening");
        Ok(Self {
            state,
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The Graph root to give a client, e.g. `http://127.0.0.1:53211` (requests go to `/v1.0/…`).
    pub fn graph_endpoint(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A bearer token the emulator accepts.
    pub fn access_token(&self) -> String {
        self.state.access_token.clone()
    }

    /// A copy of the tenant as it is now, for tests to compare against what clients saw.
    pub fn tenant(&self) -> Tenant {
        self.state.read_tenant().clone()
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
        .fallback(unknown_segment)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
}

/// Every Graph call needs `Authorization: Bearer <token>`; Graph answers 401
/// InvalidAuthenticationToken otherwise.
async fn authenticate(
    State(state): State<Arc<SimState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ids = RequestIds {
        request_id: state.next_request_id(),
        client_request_id: request
            .headers()
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| state.next_request_id()),
    };
    let presented = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let failure = match presented {
        None | Some("") => Some("Access token is empty."),
        Some(token) if token != state.access_token => {
            Some("CompactToken parsing failed with error code: 80049217")
        }
        Some(_) => None,
    };
    if let Some(message) = failure {
        let mut response = wire::error_response(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
            &ids.request_id,
            &ids.client_request_id,
        );
        response.headers_mut().insert(
            "www-authenticate",
            axum::http::HeaderValue::from_static(
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
            ),
        );
        return response;
    }
    request.extensions_mut().insert(ids.clone());
    let mut response = next.run(request).await;
    wire::add_ids(
        response.headers_mut(),
        &ids.request_id,
        &ids.client_request_id,
    );
    response
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

fn ids_of(headers: &axum::http::Extensions) -> RequestIds {
    headers.get::<RequestIds>().cloned().unwrap_or(RequestIds {
        request_id: String::new(),
        client_request_id: String::new(),
    })
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
    let consumed = tenant.consumed_units();
    let value: Vec<_> = tenant
        .skus
        .iter()
        .map(|sku| {
            let used = consumed.get(&sku.sku_id).copied().unwrap_or(0);
            wire::sku_json(sku, &tenant, used, &select)
        })
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#subscribedSkus", state.base_url),
        "value": value,
    }))
    .into_response()
}

/// `GET /users` with `$select`, `$top` (1–999) and `$skiptoken` paging.
async fn list_users(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    if query.contains_key("$filter") || query.contains_key("$count") {
        // Filtering arrives with the emulator's query engine; refuse rather than ignore it,
        // so nobody mistakes an unfiltered list for a filtered one.
        return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
    }
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
    let select = match wire::parse_select(
        query.get("$select").map(String::as_str),
        USER_PROPERTIES,
        USER_DEFAULT_PROPERTIES,
    ) {
        Ok(s) => s,
        Err(unknown) => {
            return bad_request(
                &ids,
                "Request_BadRequest",
                &format!(
                    "Could not find a property named '{unknown}' on type 'Microsoft.DirectoryServices.User'."
                ),
            );
        }
    };

    let tenant = state.read_tenant();
    let end = (offset + page_size).min(tenant.users.len());
    let value: Vec<_> = tenant
        .users
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
    if end < tenant.users.len() {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&state.base_url, &uri, end)),
        );
    }
    body.insert("value".into(), json!(value));
    Json(serde_json::Value::Object(body)).into_response()
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
}
