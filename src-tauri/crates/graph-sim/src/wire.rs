//! Graph's JSON: how users, SKUs and errors look on the wire, written from the reference
//! (shared/reference/graph-licensing.md) independently of the client's models.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::tenant::{SimSku, SimUser, Tenant};

/// Properties GET /users returns when no `$select` is given (Graph v1.0's default set).
pub const USER_DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Every user property the emulator can return through `$select`.
pub const USER_PROPERTIES: &[&str] = &[
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "accountEnabled",
    "usageLocation",
    "department",
    "assignedLicenses",
    "licenseAssignmentStates",
    "country",
    "createdDateTime",
    "signInActivity",
];

pub const SKU_PROPERTIES: &[&str] = &[
    "accountName",
    "accountId",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "id",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
    "subscriptionIds",
];

/// When licenses were last changed, for `licenseAssignmentStates.lastUpdatedDateTime`.
const SEED_TIME: &str = "2026-10-01T08:00:00Z";

/// One property of a person; `clock` is the tenant's "now" for its dates.
pub fn user_property(user: &SimUser, name: &str, clock: u64) -> Value {
    match name {
        "createdDateTime" => json!(iso8601(clock.saturating_sub(user.created_ago_secs))),
        // Absent for people who never signed in.
        "signInActivity" => user
            .sign_in
            .as_ref()
            .map_or(Value::Null, |s| s.json(clock, &user.id)),
        "id" => json!(user.id),
        "businessPhones" => json!([]),
        "displayName" => json!(user.display_name),
        "givenName" => json!(user.given_name),
        "jobTitle" => json!(user.job_title),
        "mail" => json!(user.user_principal_name),
        "mobilePhone" | "officeLocation" => Value::Null,
        "preferredLanguage" => Value::Null,
        "surname" => json!(user.surname),
        "userPrincipalName" => json!(user.user_principal_name),
        "accountEnabled" => json!(user.account_enabled),
        "usageLocation" => json!(user.usage_location),
        "country" => json!(user.usage_location),
        "department" => json!(user.department),
        "assignedLicenses" => {
            // Merged over all sources: one entry per SKU, group or direct alike (§4.2).
            let mut seen: Vec<&str> = Vec::new();
            let mut out = Vec::new();
            for l in &user.licenses {
                if !seen.contains(&l.sku_id.as_str()) {
                    seen.push(&l.sku_id);
                    out.push(json!({"disabledPlans": l.disabled_plans, "skuId": l.sku_id}));
                }
            }
            Value::Array(out)
        }
        "licenseAssignmentStates" => {
            let state = |sku: &str, group: Option<&str>, disabled: &[String], error, state| {
                json!({
                    "assignedByGroup": group,
                    "disabledPlans": disabled,
                    "error": error,
                    "errorSubcode": null,
                    "lastUpdatedDateTime": SEED_TIME,
                    "skuId": sku,
                    "state": state,
                })
            };
            let in_place = user.licenses.iter().map(|l| {
                let group = l.assigned_by_group.as_deref();
                state(&l.sku_id, group, &l.disabled_plans, "None", "Active")
            });
            // What a group could not give: listed, in error, with no seat taken.
            let in_error = user.group_errors.iter().map(|e| {
                state(
                    &e.sku_id,
                    Some(&e.group_id),
                    &e.disabled_plans,
                    e.error,
                    "Error",
                )
            });
            Value::Array(in_place.chain(in_error).collect())
        }
        _ => Value::Null,
    }
}

pub fn user_json(user: &SimUser, select: &[&str], clock: u64) -> Value {
    let mut obj = Map::new();
    for name in select {
        obj.insert((*name).to_string(), user_property(user, name, clock));
    }
    Value::Object(obj)
}

pub fn sku_json(sku: &SimSku, tenant: &Tenant, consumed: i64, select: &[&str]) -> Value {
    let suspended_sku =
        sku.capability_status == "Suspended" || sku.capability_status == "LockedOut";
    let mut obj = Map::new();
    for name in select {
        let value = match *name {
            "accountName" => json!(tenant.display_name),
            "accountId" => json!(tenant.tenant_id),
            "appliesTo" => json!(sku.applies_to),
            "capabilityStatus" => json!(sku.capability_status),
            "consumedUnits" => json!(consumed),
            "id" => json!(format!("{}_{}", tenant.tenant_id, sku.sku_id)),
            "prepaidUnits" => json!({
                "enabled": sku.enabled,
                "lockedOut": sku.locked_out,
                "suspended": sku.suspended,
                "warning": sku.warning,
            }),
            "servicePlans" => Value::Array(
                sku.service_plans
                    .iter()
                    .map(|(id, plan_name)| {
                        json!({
                            "servicePlanId": id,
                            "servicePlanName": plan_name,
                            "provisioningStatus": if suspended_sku { "Disabled" } else { "Success" },
                            "appliesTo": sku.applies_to,
                        })
                    })
                    .collect(),
            ),
            "skuId" => json!(sku.sku_id),
            "skuPartNumber" => json!(sku.sku_part_number),
            "subscriptionIds" => json!(sku.subscription_ids),
            _ => Value::Null,
        };
        obj.insert((*name).to_string(), value);
    }
    Value::Object(obj)
}

/// Resolves a `$select` list against the known properties, case-insensitively like Graph.
/// Returns the canonical names or the first unknown one.
pub fn parse_select<'a>(
    raw: Option<&str>,
    known: &'a [&'a str],
    default: &'a [&'a str],
) -> Result<Vec<&'a str>, String> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(default.to_vec());
    };
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let canonical = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(part))
            .ok_or_else(|| part.to_string())?;
        if !out.contains(canonical) {
            out.push(*canonical);
        }
    }
    Ok(out)
}

/// Graph's 429 body (contrib concepts/throttling.md); the caller adds Retry-After and the
/// x-ms-throttle-* headers.
pub fn throttled_response(request_id: &str, client_request_id: &str) -> Response {
    let body = json!({
        "error": {
            "code": "TooManyRequests",
            "innerError": {
                "code": "429",
                "date": now_iso8601(),
                "message": "Please retry after",
                "request-id": request_id,
                "status": "429"
            },
            "message": "Please retry again later."
        }
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    add_ids(response.headers_mut(), request_id, client_request_id);
    response
}

/// `licenseDetails` of a user: one entry per SKU held (direct or inherited), with its plans
/// and their per-user provisioning state.
pub fn license_details(user: &SimUser, tenant: &Tenant) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for l in &user.licenses {
        if seen.contains(&l.sku_id.as_str()) {
            continue;
        }
        seen.push(&l.sku_id);
        let Some(sku) = tenant.sku(&l.sku_id) else {
            continue;
        };
        // A plan disabled in every source of this SKU is disabled for the user.
        let disabled_everywhere = |plan: &str| {
            user.licenses
                .iter()
                .filter(|x| x.sku_id == l.sku_id)
                .all(|x| {
                    x.disabled_plans
                        .iter()
                        .any(|d| d.eq_ignore_ascii_case(plan))
                })
        };
        let plans: Vec<Value> = sku
            .service_plans
            .iter()
            .map(|(id, name)| {
                json!({
                    "servicePlanId": id,
                    "servicePlanName": name,
                    "provisioningStatus": if disabled_everywhere(id) { "Disabled" } else { "Success" },
                    "appliesTo": sku.applies_to,
                })
            })
            .collect();
        out.push(json!({
            "id": format!("{}{}", &user.id[..8], &sku.sku_id[..8]),
            "skuId": sku.sku_id,
            "skuPartNumber": sku.sku_part_number,
            "servicePlans": plans,
        }));
    }
    out
}

/// A Graph error response: `{"error":{"code","message","innerError":{date, request-id, …}}}`.
pub fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
    client_request_id: &str,
) -> Response {
    let body = json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": now_iso8601(),
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        }
    });
    let mut response = (status, axum::Json(body)).into_response();
    add_ids(response.headers_mut(), request_id, client_request_id);
    response
}

pub fn add_ids(headers: &mut HeaderMap, request_id: &str, client_request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(client_request_id) {
        headers.insert("client-request-id", v);
    }
}

/// Seconds since 1970, for JWT claims.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SS`, the form Graph's innerError.date uses.
pub fn now_iso8601() -> String {
    let secs = unix_now();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since 1970 as Graph writes a DateTimeOffset: `YYYY-MM-DDTHH:MM:SSZ`, in UTC.
pub fn iso8601(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
    }

    #[test]
    fn select_is_case_insensitive_and_rejects_unknown() {
        let s = parse_select(
            Some("ID,usagelocation"),
            USER_PROPERTIES,
            USER_DEFAULT_PROPERTIES,
        );
        assert_eq!(s, Ok(vec!["id", "usageLocation"]));
        assert_eq!(
            parse_select(
                Some("id,shoeSize"),
                USER_PROPERTIES,
                USER_DEFAULT_PROPERTIES
            ),
            Err("shoeSize".to_string())
        );
        assert_eq!(
            parse_select(None, USER_PROPERTIES, USER_DEFAULT_PROPERTIES).map(|v| v.len()),
            Ok(11)
        );
    }
}
