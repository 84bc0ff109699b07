//! The pipeline every request goes through, in Graph's order: network faults (latency,
//! 503/504, dropped connections), authentication and permissions, throttling, the handler,
//! then the request log; and the error answers shared by every resource.
//! Requests inside a `$batch` go through the same pipeline without the network faults, which
//! belong to the envelope's connection.

use crate::identity::Principal;
use crate::ops::{Effect, Refusal};
use crate::rng::Rng;
use crate::server::*;
use crate::throttle::Verdict;
use crate::wire::{self};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The application id the emulator pretends every caller is (for x-ms-throttle-scope).
pub(crate) const APP_ID: &str = "de8bc8b5-d9f9-48b1-a8ad-b748da725064";

/// Delegated permissions that allow a request, per Graph's permission tables (any one will do;
/// the *.All directory-wide ones are accepted everywhere they are in Graph's list).
pub(crate) fn permissions_for(method: &Method, path: &str) -> &'static [&'static str] {
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
    } else if path == "/v1.0/directory/subscriptions" {
        &[
            "LicenseAssignment.Read.All",
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
    } else if path.ends_with("/reprocessLicenseAssignment") {
        &["User.ReadWrite.All", "Directory.ReadWrite.All"]
    } else if path.starts_with("/v1.0/groups") && method != Method::GET {
        // Adding and removing members ($ref).
        &[
            "GroupMember.ReadWrite.All",
            "Group.ReadWrite.All",
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

/// Marks a request that came out of a `$batch` envelope.
#[derive(Clone, Copy)]
pub(crate) struct InBatch;

/// What a write did, handed from the handler to the log.
#[derive(Clone, Copy)]
pub(crate) struct WriteEffect(pub(crate) Effect);

/// Who the token was issued to (`None` for the emulator's built-in token).
#[derive(Clone)]
pub(crate) struct Caller(pub(crate) Option<Principal>);

/// The permissions the request's token carries (`None`: the emulator's built-in token, which
/// may do everything), for handlers whose answer depends on one more (`signInActivity` needs
/// AuditLog.Read.All besides the user permissions).
#[derive(Clone)]
pub(crate) struct Granted(pub(crate) Option<Vec<String>>);

impl Granted {
    pub(crate) fn has(&self, permission: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|g| g.iter().any(|p| p.eq_ignore_ascii_case(permission)))
    }
}

/// Per-request ids, echoed in headers and error bodies.
#[derive(Clone)]
pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) client_request_id: String,
}

pub(crate) enum NetworkFault {
    None,
    Transient(StatusCode),
    DropBefore,
    DropAfter,
}

pub(crate) fn roll_faults(state: &SimState) -> (Duration, NetworkFault) {
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
pub(crate) fn dropped_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "graph-sim dropped the connection",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// The same response with its body sent in small pieces over `total`.
pub(crate) async fn slow_body(response: Response, total: Duration) -> Response {
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
pub(crate) fn cost(method: &Method, path: &str, query: &str) -> (u32, u32) {
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

pub(crate) fn url_params(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

pub(crate) fn percent_decode(s: &str) -> String {
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

pub(crate) async fn pipeline(
    State(state): State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
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
    if let Some(granted) = &granted {
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
    request.extensions_mut().insert(Granted(granted));

    // Group licensing's background work that is due by now, before the request sees the tenant.
    let now = std::time::Instant::now();
    if state.read_tenant().group_work_due(now) {
        state.write_tenant().settle_groups(now);
    }
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

/// Graph's 403 for a caller without the permission an operation needs.
pub(crate) fn forbidden(ids: &RequestIds) -> Response {
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

pub(crate) fn refusal_response(ids: &RequestIds, refusal: &Refusal) -> Response {
    wire::error_response(
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST),
        refusal.code,
        &refusal.message,
        &ids.request_id,
        &ids.client_request_id,
    )
}

pub(crate) fn bad_request(ids: &RequestIds, code: &str, message: &str) -> Response {
    wire::error_response(
        StatusCode::BAD_REQUEST,
        code,
        message,
        &ids.request_id,
        &ids.client_request_id,
    )
}

pub(crate) async fn unknown_segment(request: Request) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

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
