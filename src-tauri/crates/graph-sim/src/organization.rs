//! `/organization`: the tenant's name, domains and id.

use crate::server::*;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// `GET /organization`: the tenant's profile (a collection of one), as Graph returns it.
pub(crate) async fn organization(State(state): State<Arc<SimState>>) -> Response {
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
