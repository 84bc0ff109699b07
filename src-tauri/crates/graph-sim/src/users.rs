//! `/users`, `/me` and a person's licenses: listing with `$filter`, `$search`, `$select` and
//! paging; reading one person; `PATCH` of the properties an administrator may change; and
//! `assignLicense`, with Graph's checks and error texts.

use crate::filter::Filter;
use crate::identity::Principal;
use crate::ops::{AddLicense, Refusal};
use crate::paging::*;
use crate::pipeline::*;
use crate::server::*;
use crate::wire::{self, USER_DEFAULT_PROPERTIES, USER_PROPERTIES};
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

pub(crate) fn user_select<'a>(
    ids: &RequestIds,
    raw: Option<&str>,
) -> Result<Vec<&'a str>, Box<Response>> {
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

/// Why Graph would refuse `signInActivity` to this request, if it would: a tenant without
/// Microsoft Entra ID P1 or P2, or a token without AuditLog.Read.All.
fn sign_ins_refused(
    state: &SimState,
    ids: &RequestIds,
    extensions: &axum::http::Extensions,
) -> Option<Response> {
    if !state.read_tenant().entra_id_premium {
        return Some(wire::error_response(
            StatusCode::FORBIDDEN,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
            &ids.request_id,
            &ids.client_request_id,
        ));
    }
    let granted = extensions
        .get::<Granted>()
        .is_none_or(|g| g.has("AuditLog.Read.All"));
    (!granted).then(|| forbidden(ids))
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// `GET /users` with `$select`, `$top` (1–999), `$filter`, `$search`, `$count` and
/// `$skiptoken` paging.
pub(crate) async fn list_users(
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
    let select = match user_select(&ids, query.get("$select").map(String::as_str)) {
        Ok(s) => s,
        Err(response) => return *response,
    };

    // Sign-in activity: only with Entra ID P1/P2 and AuditLog.Read.All, in smaller pages, and a
    // filter on it may not name anything else.
    let sign_ins =
        select.contains(&"signInActivity") || filter.as_ref().is_some_and(Filter::on_sign_ins);
    if sign_ins {
        if let Some(refused) = sign_ins_refused(&state, &ids, request.extensions()) {
            return refused;
        }
        if filter
            .as_ref()
            .is_some_and(|f| f.on_sign_ins() && f.len() > 1)
        {
            return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
        }
    }
    let max_page = if sign_ins {
        MAX_SIGN_IN_PAGE_SIZE
    } else {
        MAX_PAGE_SIZE
    };
    let page_size = match query.get("$top") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (1..=max_page as i64).contains(&n) => n as usize,
            _ => {
                return bad_request(
                    &ids,
                    "Request_BadRequest",
                    &format!(
                        "Invalid page size specified: '{raw}'. Must be between 1 and {max_page} inclusive."
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
    let tenant = state.read_tenant();
    let now = Instant::now();
    let advanced = eventual && count;
    let filter = filter.map(|f| f.at(tenant.clock));
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
        .map(|u| wire::user_json(u, &select, tenant.clock))
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
pub(crate) async fn get_user(
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
    if select.contains(&"signInActivity") {
        if let Some(refused) = sign_ins_refused(&state, &ids, request.extensions()) {
            return refused;
        }
        // Graph finds a person's sign-in activity by object id only.
        if !is_guid(&key) {
            return bad_request(
                &ids,
                "Request_BadRequest",
                "Get By Key only supports UserId and the key has to be a valid Guid",
            );
        }
    }
    let tenant = state.read_tenant();
    match tenant.user(&key) {
        Some(user) => Json(wire::user_json(user, &select, tenant.clock)).into_response(),
        None => refusal_response(&ids, &Refusal::not_found(&key)),
    }
}

/// `GET /me`: the signed-in person (delegated tokens only).
pub(crate) async fn me(request: Request) -> Response {
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

/// `GET /users/{id}/licenseDetails`: every license, direct and from groups, with its plans.
pub(crate) async fn license_details(
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
pub(crate) async fn json_object(
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
pub(crate) async fn patch_user(
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

/// The body of an `assignLicense` (a user's or a group's): both `addLicenses` and
/// `removeLicenses` must be there (Graph's words when one is missing), each well-formed.
pub(crate) async fn assign_license_body(
    request: Request,
) -> Result<(RequestIds, Vec<AddLicense>, Vec<String>), Box<Response>> {
    let (ids, body) = json_object(request).await?;
    let missing: Vec<&str> = ["addLicenses", "removeLicenses"]
        .into_iter()
        .filter(|k| !body.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(Box::new(bad_request(
            &ids,
            "Request_BadRequest",
            &format!(
                "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: {}.",
                missing.join(",")
            ),
        )));
    }
    match (
        parse_adds(&body["addLicenses"]),
        parse_strings(&body["removeLicenses"]),
    ) {
        (Some(add), Some(remove)) => Ok((ids, add, remove)),
        _ => Err(Box::new(refusal_response(&ids, &Refusal::bad_guid()))),
    }
}

/// `POST /users/{id}/assignLicense` with both `addLicenses` and `removeLicenses`.
pub(crate) async fn assign_license(
    State(state): State<Arc<SimState>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let (ids, add, remove) = match assign_license_body(request).await {
        Ok(ok) => ok,
        Err(response) => return *response,
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
            let mut response =
                Json(wire::user_json(&tenant.users[index], &select, tenant.clock)).into_response();
            response.extensions_mut().insert(WriteEffect(effect));
            response
        }
        Err(refusal) => refusal_response(&ids, &refusal),
    }
}

pub(crate) fn parse_strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

pub(crate) fn parse_adds(v: &Value) -> Option<Vec<AddLicense>> {
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
