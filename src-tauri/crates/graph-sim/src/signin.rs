//! The Microsoft identity platform's endpoints, as far as LicenseDesk uses them: authorize
//! (browser sign-in with PKCE), token, and the device-code flow with its verification page.

use crate::server::*;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub(crate) async fn authorize(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    lock(&state.identity).authorize(&tenant, &query)
}

pub(crate) async fn token(
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

pub(crate) async fn device_code(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    lock(&state.identity).device_code(&tenant, &form)
}

pub(crate) async fn device_login_page() -> Response {
    axum::response::Html(
        "<!doctype html><title>Sign in (graph-sim)</title><h1>graph-sim device sign-in</h1>\
         <p>This is the emulator. Tests approve a code with POST /_sim/devicecode/{code}/approve.</p>",
    )
    .into_response()
}

/// Test-only: the person at the verification page approves or declines.
pub(crate) async fn decide_device_code(
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
