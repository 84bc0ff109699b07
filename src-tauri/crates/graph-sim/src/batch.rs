//! `$batch`: up to 20 requests in one envelope, each run through the same pipeline as a
//! request of its own (without the envelope's network faults), answered in Graph's shape.

use crate::pipeline::*;
use crate::server::*;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tower::ServiceExt;

pub(crate) const MAX_BATCH: usize = 20;

/// `POST /$batch`: up to 20 requests, answered in any order, each throttled on its own.
pub(crate) async fn batch(State(state): State<Arc<SimState>>, request: Request) -> Response {
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

pub(crate) async fn run_batch_item(
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
