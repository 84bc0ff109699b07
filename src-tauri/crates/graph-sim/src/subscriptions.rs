//! `/directory/subscriptions`: what the tenant bought (`companySubscription`), several per plan
//! where a real tenant has them, with their states and next lifecycle dates.
//!
//! The seats of a plan's subscriptions add up to its `prepaidUnits`: Enabled ones to
//! `enabled`, Warning ones to `warning`, Suspended to `suspended`, LockedOut to `lockedOut`.

use crate::activity::DAY;
use crate::catalog::{MCOEV, POWER_BI_PRO, PROJECTPROFESSIONAL, SPE_E3, TEAMS_ESS, VISIOCLIENT};
use crate::pipeline::*;
use crate::rng::Rng;
use crate::server::*;
use crate::tenant::{SimSku, Tenant};
use axum::Json;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSubscription {
    pub id: String,
    pub commerce_subscription_id: String,
    pub sku_id: String,
    pub sku_part_number: String,
    /// Enabled, Warning, Suspended, Deleted or LockedOut.
    pub status: &'static str,
    pub total_licenses: i64,
    pub is_trial: bool,
    /// Seconds before the tenant's clock.
    pub created_ago_secs: u64,
    /// Seconds after the tenant's clock: when it moves to its next state if not renewed.
    pub next_lifecycle_in_secs: Option<u64>,
}

/// The subscriptions behind the generated plans: Microsoft 365 E3 bought twice (the second
/// renews in 45 days), Power BI Pro with a lapsed part in Warning, Teams Essentials on a trial
/// that ends in 18 days, Project Plan 3 renewing in 9 days, Visio suspended, Teams Phone locked
/// out; the rest renew in four to eleven months. Each plan's `subscriptionIds` lists them.
pub fn generate(skus: &mut [SimSku], seed: u64) -> Vec<SimSubscription> {
    let mut rng = Rng::new(seed ^ 0x5b_5c_21_b7);
    let mut out = Vec::new();
    for sku in skus.iter_mut() {
        let mut add = |rng: &mut Rng,
                       sku: &mut SimSku,
                       status: &'static str,
                       units: i64,
                       trial: bool,
                       next_days: u64| {
            let id = if out.iter().any(|s: &SimSubscription| s.sku_id == sku.sku_id) {
                let id = rng.guid();
                sku.subscription_ids.push(id.clone());
                id
            } else {
                sku.subscription_ids
                    .first()
                    .cloned()
                    .unwrap_or_else(|| rng.guid())
            };
            let created = if trial {
                12 * DAY
            } else {
                (300 + rng.below(600) as u64) * DAY
            };
            out.push(SimSubscription {
                commerce_subscription_id: rng.guid(),
                id,
                sku_id: sku.sku_id.clone(),
                sku_part_number: sku.sku_part_number.clone(),
                status,
                total_licenses: units,
                is_trial: trial,
                created_ago_secs: created,
                next_lifecycle_in_secs: Some(next_days * DAY + 6 * 3600),
            });
        };
        match sku.sku_id.as_str() {
            SPE_E3 => {
                let second = sku.enabled / 3;
                add(&mut rng, sku, "Enabled", sku.enabled - second, false, 230);
                add(&mut rng, sku, "Enabled", second, false, 45);
            }
            POWER_BI_PRO => {
                add(&mut rng, sku, "Enabled", sku.enabled, false, 200);
                add(&mut rng, sku, "Warning", sku.warning, false, 12);
            }
            VISIOCLIENT => add(&mut rng, sku, "Suspended", sku.suspended, false, 20),
            MCOEV => add(&mut rng, sku, "LockedOut", sku.locked_out, false, 60),
            TEAMS_ESS => add(&mut rng, sku, "Enabled", sku.enabled, true, 18),
            PROJECTPROFESSIONAL => add(&mut rng, sku, "Enabled", sku.enabled, false, 9),
            _ => {
                let next = 120 + rng.below(210) as u64;
                add(&mut rng, sku, "Enabled", sku.enabled, false, next);
            }
        }
    }
    out
}

const PROPERTIES: &[&str] = &[
    "id",
    "commerceSubscriptionId",
    "createdDateTime",
    "isTrial",
    "nextLifecycleDateTime",
    "ownerId",
    "ownerTenantId",
    "ownerType",
    "serviceStatus",
    "skuId",
    "skuPartNumber",
    "status",
    "totalLicenses",
];

fn subscription_json(s: &SimSubscription, tenant: &Tenant, select: &[&str]) -> Value {
    let mut obj = serde_json::Map::new();
    for name in select {
        let value = match *name {
            "id" => json!(s.id),
            "commerceSubscriptionId" => json!(s.commerce_subscription_id),
            "createdDateTime" => json!(crate::wire::iso8601(
                tenant.clock.saturating_sub(s.created_ago_secs)
            )),
            "isTrial" => json!(s.is_trial),
            "nextLifecycleDateTime" => json!(
                s.next_lifecycle_in_secs
                    .map(|n| crate::wire::iso8601(tenant.clock + n))
            ),
            "ownerId" => json!(tenant.tenant_id),
            "ownerTenantId" => json!(tenant.tenant_id),
            "ownerType" => json!("Company"),
            "serviceStatus" => {
                let plans = tenant
                    .sku(&s.sku_id)
                    .map(|sku| sku.service_plans.clone())
                    .unwrap_or_default();
                let provisioning = if s.status == "Enabled" || s.status == "Warning" {
                    "Success"
                } else {
                    "Disabled"
                };
                Value::Array(
                    plans
                        .iter()
                        .map(|(id, name)| {
                            json!({
                                "servicePlanId": id,
                                "servicePlanName": name,
                                "provisioningStatus": provisioning,
                                "appliesTo": "User",
                            })
                        })
                        .collect(),
                )
            }
            "skuId" => json!(s.sku_id),
            "skuPartNumber" => json!(s.sku_part_number),
            "status" => json!(s.status),
            "totalLicenses" => json!(s.total_licenses),
            _ => Value::Null,
        };
        obj.insert((*name).to_string(), value);
    }
    Value::Object(obj)
}

/// `GET /directory/subscriptions`: every subscription in one answer (a tenant has at most a
/// few hundred); `$select` is supported, `$filter` is not.
pub(crate) async fn list_subscriptions(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ids = ids_of(request.extensions());
    if query.contains_key("$filter") {
        return bad_request(&ids, "Request_UnsupportedQuery", "Unsupported Query.");
    }
    let select = match crate::wire::parse_select(
        query.get("$select").map(String::as_str),
        PROPERTIES,
        PROPERTIES,
    ) {
        Ok(s) => s,
        Err(unknown) => {
            return bad_request(
                &ids,
                "BadRequest",
                &format!(
                    "Could not find a property named '{unknown}' on type 'microsoft.graph.companySubscription'."
                ),
            );
        }
    };
    let tenant = state.read_tenant();
    let value: Vec<_> = tenant
        .subscriptions
        .iter()
        .map(|s| subscription_json(s, &tenant, &select))
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directory/subscriptions", state.base_url),
        "value": value,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use crate::Scenario;
    use crate::tenant::Tenant;

    #[test]
    fn each_plans_subscriptions_add_up_to_its_seats() {
        let t = Tenant::generate(&Scenario::demo().tenant);
        for sku in &t.skus {
            let of = |status: &str| -> i64 {
                t.subscriptions
                    .iter()
                    .filter(|s| s.sku_id == sku.sku_id && s.status == status)
                    .map(|s| s.total_licenses)
                    .sum()
            };
            assert_eq!(of("Enabled"), sku.enabled, "{}", sku.sku_part_number);
            assert_eq!(of("Warning"), sku.warning, "{}", sku.sku_part_number);
            assert_eq!(of("Suspended"), sku.suspended, "{}", sku.sku_part_number);
            assert_eq!(of("LockedOut"), sku.locked_out, "{}", sku.sku_part_number);
            let listed: Vec<&String> = t
                .subscriptions
                .iter()
                .filter(|s| s.sku_id == sku.sku_id)
                .map(|s| &s.id)
                .collect();
            assert_eq!(listed, sku.subscription_ids.iter().collect::<Vec<_>>());
        }
        assert!(t.subscriptions.iter().any(|s| s.is_trial));
        assert!(t.subscriptions.iter().any(|s| s.status == "Warning"));
        let e3 = t
            .subscriptions
            .iter()
            .filter(|s| s.sku_part_number == "SPE_E3")
            .count();
        assert_eq!(e3, 2, "one plan, two subscriptions");
    }
}
