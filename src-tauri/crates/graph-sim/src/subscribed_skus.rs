//! `/subscribedSkus`: the tenant's plans with their seats, shaped as Graph returns them.

use crate::pipeline::*;
use crate::server::*;
use crate::wire::{self, SKU_PROPERTIES};
use axum::Json;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// `GET /subscribedSkus`: all SKUs in one response; only `$select` is supported.
pub(crate) async fn list_subscribed_skus(
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
