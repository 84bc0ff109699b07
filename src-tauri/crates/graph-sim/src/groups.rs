//! `/groups`: the groups that carry licenses (group-based licensing), shaped as Graph returns
//! them, so `assignedByGroup` on a person names a group a client can read.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::pipeline::{ids_of, not_found_response};
use crate::server::SimState;
use crate::tenant::{SimGroup, Tenant};

/// Properties a group has by default in Graph's answers (the ones LicenseDesk's emulator
/// knows); `$select` picks among them.
const GROUP_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "assignedLicenses",
];

fn group_json(group: &SimGroup, select: &[&str]) -> Value {
    let mut obj = serde_json::Map::new();
    for name in select {
        let value = match *name {
            "id" => json!(group.id),
            "displayName" => json!(group.display_name),
            "description" => json!(format!("Gives {} to its members", group.display_name)),
            "mailEnabled" => json!(false),
            "securityEnabled" => json!(true),
            "groupTypes" => json!([]),
            "assignedLicenses" => json!(
                group
                    .license_sku_ids
                    .iter()
                    .map(|s| json!({"skuId": s, "disabledPlans": []}))
                    .collect::<Vec<_>>()
            ),
            _ => Value::Null,
        };
        obj.insert((*name).to_string(), value);
    }
    Value::Object(obj)
}

/// `$select` for a group: Graph's defaults when absent; unknown names are ignored as Graph
/// does for properties it does not return.
fn select(query: &HashMap<String, String>) -> Vec<&'static str> {
    match query.get("$select") {
        None => GROUP_PROPERTIES.to_vec(),
        Some(list) => GROUP_PROPERTIES
            .iter()
            .copied()
            .filter(|p| list.split(',').any(|s| s.trim().eq_ignore_ascii_case(p)))
            .collect(),
    }
}

/// `GET /groups`: every group (the emulator's tenants have few: one page).
pub async fn list_groups(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tenant = state.read_tenant();
    let select = select(&query);
    let value: Vec<Value> = tenant
        .groups
        .iter()
        .map(|g| group_json(g, &select))
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#groups", state.base_url),
        "value": value,
    }))
    .into_response()
}

fn find<'a>(tenant: &'a Tenant, id: &str) -> Option<&'a SimGroup> {
    tenant.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
}

/// `GET /groups/{id}`.
pub async fn get_group(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let tenant = state.read_tenant();
    match find(&tenant, &id) {
        Some(group) => Json(group_json(group, &select(&query))).into_response(),
        None => not_found_response(&ids, &id),
    }
}

/// `GET /groups/{id}/members`: the people in the group (as directory objects with their type).
pub async fn group_members(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let tenant = state.read_tenant();
    let Some(group) = find(&tenant, &id) else {
        return not_found_response(&ids, &id);
    };
    let value: Vec<Value> = tenant
        .users
        .iter()
        .filter(|u| {
            u.licenses
                .iter()
                .any(|l| l.assigned_by_group.as_deref() == Some(group.id.as_str()))
                || u.group_errors.iter().any(|e| e.group_id == group.id)
        })
        .map(|u| {
            json!({
                "@odata.type": "#microsoft.graph.user",
                "id": u.id,
                "displayName": u.display_name,
                "userPrincipalName": u.user_principal_name,
            })
        })
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", state.base_url),
        "value": value,
    }))
    .into_response()
}
