//! `/groups`: the groups that carry licenses (group-based licensing), shaped as Graph returns
//! them: listing (with the advanced query for license groups), members (paged, with the
//! properties a client selects), membership changes, a group's `assignLicense`, and a person's
//! `reprocessLicenseAssignment`. What the changes do is in `group_licensing.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_skiptoken, next_link};
use crate::pipeline::{
    RequestIds, WriteEffect, bad_request, ids_of, not_found_response, refusal_response,
};
use crate::server::SimState;
use crate::tenant::{SimGroup, Tenant};
use crate::users::{json_object, user_select};
use crate::wire;

/// Properties a group has in Graph's answers (the ones the emulator knows); `$select` picks
/// among them.
const GROUP_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "assignedLicenses",
    "licenseProcessingState",
];

/// What Graph returns without `$select` (`licenseProcessingState` only when asked for).
const GROUP_DEFAULT_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "assignedLicenses",
];

fn group_json(group: &SimGroup, tenant: &Tenant, select: &[&str], now: Instant) -> Value {
    let mut obj = serde_json::Map::new();
    for name in select {
        let value = match *name {
            "id" => json!(group.id),
            "displayName" => json!(group.display_name),
            "description" => json!(format!(
                "Gives its members licenses: {}",
                group.display_name
            )),
            "mailEnabled" => json!(false),
            "securityEnabled" => json!(true),
            "groupTypes" => match group.membership_rule {
                Some(_) => json!(["DynamicMembership"]),
                None => json!([]),
            },
            "membershipRule" => json!(group.membership_rule),
            "membershipRuleProcessingState" => match group.membership_rule {
                Some(_) => json!("On"),
                None => Value::Null,
            },
            "assignedLicenses" => json!(
                group
                    .licenses
                    .iter()
                    .map(|l| json!({"skuId": l.sku_id, "disabledPlans": l.disabled_plans}))
                    .collect::<Vec<_>>()
            ),
            "licenseProcessingState" => {
                json!({ "state": tenant.group_processing(&group.id, now) })
            }
            _ => Value::Null,
        };
        obj.insert((*name).to_string(), value);
    }
    Value::Object(obj)
}

fn select(
    ids: &RequestIds,
    query: &HashMap<String, String>,
) -> Result<Vec<&'static str>, Box<Response>> {
    wire::parse_select(
        query.get("$select").map(String::as_str),
        GROUP_PROPERTIES,
        GROUP_DEFAULT_PROPERTIES,
    )
    .map_err(|unknown| {
        Box::new(bad_request(
            ids,
            "Request_BadRequest",
            &format!(
                "Could not find a property named '{unknown}' on type 'Microsoft.DirectoryServices.Group'."
            ),
        ))
    })
}

/// `ConsistencyLevel: eventual` and `$count=true`, which advanced queries need.
fn advanced(
    request: &Request,
    query: &HashMap<String, String>,
    ids: &RequestIds,
) -> Result<(bool, bool), Box<Response>> {
    let eventual = request
        .headers()
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let count = query
        .get("$count")
        .is_some_and(|c| c.eq_ignore_ascii_case("true"));
    if count && !eventual {
        // `$count` is an advanced query: Graph wants `ConsistencyLevel: eventual` with it.
        return Err(Box::new(bad_request(
            ids,
            "Request_BadRequest",
            "$count is not currently supported.",
        )));
    }
    Ok((eventual, count))
}

/// `$top` and `$skiptoken` as Graph checks them.
fn window(
    ids: &RequestIds,
    query: &HashMap<String, String>,
) -> Result<(usize, usize), Box<Response>> {
    let size = match query.get("$top") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => n as usize,
            _ => {
                return Err(Box::new(bad_request(
                    ids,
                    "Request_BadRequest",
                    &format!(
                        "Invalid page size specified: '{raw}'. Must be between 1 and {MAX_PAGE_SIZE} inclusive."
                    ),
                )));
            }
        },
    };
    let offset = match query.get("$skiptoken") {
        None => 0,
        Some(token) => decode_skiptoken(token).ok_or_else(|| {
            Box::new(bad_request(
                ids,
                "Directory_ExpiredPageToken",
                "The specified page token value has expired and can no longer be included in your request.",
            ))
        })?,
    };
    Ok((size, offset))
}

/// One page of `items` as Graph writes it: context, count on the first page when asked, next
/// link while more are left.
fn page(
    state: &SimState,
    uri: &axum::http::Uri,
    context: &str,
    items: Vec<Value>,
    total: usize,
    offset: usize,
    count: bool,
) -> Response {
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/v1.0/$metadata#{context}", state.base_url)),
    );
    if count && offset == 0 {
        body.insert("@odata.count".into(), json!(total));
    }
    let end = offset + items.len();
    if end < total {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&state.base_url, uri, end)),
        );
    }
    body.insert("value".into(), Value::Array(items));
    Json(Value::Object(body)).into_response()
}

/// `GET /groups`, and the groups that give licenses with
/// `$filter=assignedLicenses/$count ne 0` (an advanced query: `ConsistencyLevel: eventual` and
/// `$count=true`, as documented).
pub async fn list_groups(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let (eventual, count) = match advanced(&request, &query, &ids) {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let licensed_only = match query
        .get("$filter")
        .map(|f| f.split_whitespace().collect::<String>())
    {
        None => false,
        Some(f) if f.eq_ignore_ascii_case("assignedLicenses/$countne0") => {
            if !(eventual && count) {
                return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
            }
            true
        }
        Some(_) => return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query."),
    };
    let select = match select(&ids, &query) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (size, offset) = match window(&ids, &query) {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let tenant = state.read_tenant();
    let now = Instant::now();
    let matching: Vec<&SimGroup> = tenant
        .groups
        .iter()
        .filter(|g| !licensed_only || !g.licenses.is_empty())
        .collect();
    let end = (offset + size).min(matching.len());
    let items = matching
        .get(offset..end)
        .unwrap_or(&[])
        .iter()
        .map(|g| group_json(g, &tenant, &select, now))
        .collect();
    page(
        &state,
        request.uri(),
        "groups",
        items,
        matching.len(),
        offset,
        count,
    )
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
    let select = match select(&ids, &query) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let tenant = state.read_tenant();
    match find(&tenant, &id) {
        Some(group) => Json(group_json(group, &tenant, &select, Instant::now())).into_response(),
        None => not_found_response(&ids, &id),
    }
}

/// `GET /groups/{id}/members`: the people in the group, paged like `/users` (100 by default,
/// up to 999), with the user properties selected (a member is a directory object: its type is
/// named), `$count=true` with `ConsistencyLevel: eventual`.
pub async fn group_members(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let (_, count) = match advanced(&request, &query, &ids) {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let select = match user_select(&ids, query.get("$select").map(String::as_str)) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (size, offset) = match window(&ids, &query) {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let tenant = state.read_tenant();
    let Some(group) = find(&tenant, &id) else {
        return not_found_response(&ids, &id);
    };
    let items: Vec<Value> = group
        .members
        .iter()
        .skip(offset)
        .take(size)
        .filter_map(|m| tenant.user(m))
        .map(|u| {
            let mut v = wire::user_json(u, &select, tenant.clock);
            if let Value::Object(map) = &mut v {
                map.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            }
            v
        })
        .collect();
    page(
        &state,
        request.uri(),
        "directoryObjects",
        items,
        group.members.len(),
        offset,
        count,
    )
}

fn processing_delay(state: &SimState) -> Duration {
    Duration::from_millis(state.scenario.lag.group_processing_ms)
}

fn no_content(effect: crate::Effect) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(WriteEffect(effect));
    response
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{id}"}`: 204.
pub async fn add_member(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let (ids, body) = match json_object(request).await {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let reference = body.get("@odata.id").and_then(Value::as_str).unwrap_or("");
    let member = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if !reference.contains("/directoryObjects/") && !reference.contains("/users/")
        || !crate::ops::is_guid(member)
    {
        return bad_request(
            &ids,
            "Request_BadRequest",
            &format!("Invalid object identifier '{reference}'."),
        );
    }
    let result =
        state
            .write_tenant()
            .add_member(&id, member, Instant::now(), processing_delay(&state));
    match result {
        Ok(effect) => no_content(effect),
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

/// `DELETE /groups/{id}/members/{memberId}/$ref`: 204.
pub async fn remove_member(
    State(state): State<Arc<SimState>>,
    Path((id, member)): Path<(String, String)>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let result =
        state
            .write_tenant()
            .remove_member(&id, &member, Instant::now(), processing_delay(&state));
    match result {
        Ok(effect) => no_content(effect),
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

/// `POST /groups/{id}/assignLicense`: 200 with the group.
pub async fn assign_group_license(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let (ids, add, remove) = match crate::users::assign_license_body(request).await {
        Ok(ok) => ok,
        Err(response) => return *response,
    };
    let now = Instant::now();
    let result = state.write_tenant().assign_group_license(
        &id,
        &add,
        &remove,
        now,
        processing_delay(&state),
    );
    match result {
        Ok((index, effect)) => {
            let tenant = state.read_tenant();
            let mut response = Json(group_json(
                &tenant.groups[index],
                &tenant,
                GROUP_DEFAULT_PROPERTIES,
                now,
            ))
            .into_response();
            response.extensions_mut().insert(WriteEffect(effect));
            response
        }
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

/// `POST /users/{id}/reprocessLicenseAssignment`: 200 with the user; the processing follows.
pub async fn reprocess(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    let result = state
        .write_tenant()
        .reprocess(&key, Instant::now(), processing_delay(&state));
    match result {
        Ok(index) => {
            let tenant = state.read_tenant();
            let mut response = Json(wire::user_json(
                &tenant.users[index],
                crate::wire::USER_DEFAULT_PROPERTIES,
                tenant.clock,
            ))
            .into_response();
            response
                .extensions_mut()
                .insert(WriteEffect(crate::Effect::Applied));
            response
        }
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}
