//! What writes do to the tenant, with Graph's rules and exact error texts
//! (shared/reference/graph-licensing.md §2.4, §3, §7, §8).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::countries;
use crate::tenant::{SimLicense, Tenant};

/// Service plans that cannot be enabled together on one user (by servicePlanName).
const MUTUALLY_EXCLUSIVE: &[(&str, &str)] = &[("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE")];

/// A plan that needs one of the others enabled on the same user.
const DEPENDS_ON: &[(&str, &[&str])] = &[(
    "MICROSOFTBOOKINGS",
    &["EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD"],
)];

/// Why Graph refused a write: HTTP status, error code and message, as Graph writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// Why a set of licenses cannot be held together (group licensing records it as an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicePlanConflict {
    MutuallyExclusive,
    Dependency,
}

impl Refusal {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            code: "Request_BadRequest",
            message: message.into(),
        }
    }

    pub(crate) fn bad_request_text(message: impl Into<String>) -> Self {
        Self::bad_request(message)
    }

    pub fn not_found(key: &str) -> Self {
        Self {
            status: 404,
            code: "Request_ResourceNotFound",
            message: format!(
                "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
            ),
        }
    }

    pub fn bad_guid() -> Self {
        Self {
            status: 400,
            code: "BadRequest",
            message: "Cannot convert a primitive value to the expected type 'Edm.Guid'. See the inner exception for more details.".into(),
        }
    }
}

/// Whether a write changed anything (a repeat of an earlier one changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Applied,
    Unchanged,
}

pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// One `addLicenses` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

impl Tenant {
    /// `POST /users/{id}/assignLicense`: everything is checked before anything changes, so a
    /// call that fails changes nothing (add and remove together are all-or-nothing).
    pub fn assign_license(
        &mut self,
        user_key: &str,
        add: &[AddLicense],
        remove: &[String],
        now: Instant,
        index_lag: Duration,
    ) -> Result<(usize, Effect), Refusal> {
        let ids = add
            .iter()
            .flat_map(|a| std::iter::once(&a.sku_id).chain(a.disabled_plans.iter()))
            .chain(remove.iter());
        if ids.into_iter().any(|id| !is_guid(id)) {
            return Err(Refusal::bad_guid());
        }
        let index = self
            .user_index(user_key)
            .ok_or_else(|| Refusal::not_found(user_key))?;
        let user = &self.users[index];

        for a in add {
            let sku = self.sku(&a.sku_id).ok_or_else(|| {
                Refusal::bad_request(format!(
                    "License {} does not correspond to a valid company License.",
                    a.sku_id
                ))
            })?;
            if sku.applies_to == "Company" {
                return Err(Refusal::bad_request(format!(
                    "License {} cannot be assigned to a user.",
                    a.sku_id
                )));
            }
        }
        for r in remove {
            if self.sku(r).is_none() {
                return Err(Refusal::bad_request(format!(
                    "License {r} does not correspond to a valid company License."
                )));
            }
            let direct = user
                .licenses
                .iter()
                .any(|l| l.sku_id.eq_ignore_ascii_case(r) && l.assigned_by_group.is_none());
            if !direct {
                return Err(Refusal::bad_request(if user.holds(r) {
                    "User license is inherited from a group membership and it cannot be removed directly from the user.".to_string()
                } else {
                    "User does not have a corresponding license.".to_string()
                }));
            }
        }
        if !add.is_empty() && user.replicated_usage_location(now).is_none() {
            return Err(Refusal::bad_request(
                "License assignment cannot be done for user with invalid usage location.",
            ));
        }

        // The licenses the user would hold afterwards.
        let mut next: Vec<SimLicense> = user
            .licenses
            .iter()
            .filter(|l| {
                l.assigned_by_group.is_some()
                    || !remove.iter().any(|r| r.eq_ignore_ascii_case(&l.sku_id))
            })
            .cloned()
            .collect();
        for a in add {
            let sku_id = self
                .sku(&a.sku_id)
                .map(|s| s.sku_id.clone())
                .unwrap_or_default();
            match next
                .iter_mut()
                .find(|l| l.sku_id == sku_id && l.assigned_by_group.is_none())
            {
                // Adding a SKU the user has replaces its disabled plans; no second seat.
                Some(existing) => existing.disabled_plans = a.disabled_plans.clone(),
                None => next.push(SimLicense {
                    sku_id,
                    disabled_plans: a.disabled_plans.clone(),
                    assigned_by_group: None,
                }),
            }
        }

        // Seats: only enabled units can be assigned, and only new holders take one.
        for a in add {
            let Some(sku) = self.sku(&a.sku_id) else {
                continue;
            };
            if !user.holds(&sku.sku_id) && self.consumed(&sku.sku_id) + 1 > sku.enabled {
                return Err(Refusal::bad_request(format!(
                    "Subscription with SKU {} does not have any available licenses.",
                    sku.sku_id
                )));
            }
        }

        self.check_service_plans(&next)?;

        if next == user.licenses {
            return Ok((index, Effect::Unchanged));
        }
        self.users[index].mark_changed(now, index_lag);
        self.set_licenses(index, next);
        Ok((index, Effect::Applied))
    }

    /// What group licensing would record for `licenses`, if they cannot be held together.
    pub(crate) fn service_plan_conflict(
        &self,
        licenses: &[SimLicense],
    ) -> Option<ServicePlanConflict> {
        self.check_service_plans(licenses).err().map(|r| {
            if r.message.contains("mutually exclusive") {
                ServicePlanConflict::MutuallyExclusive
            } else {
                ServicePlanConflict::Dependency
            }
        })
    }

    /// Mutually exclusive and dependent plans over everything the user would have enabled.
    fn check_service_plans(&self, licenses: &[SimLicense]) -> Result<(), Refusal> {
        let mut enabled: Vec<(&str, &str)> = Vec::new(); // (name, id)
        for l in licenses {
            let Some(sku) = self.sku(&l.sku_id) else {
                continue;
            };
            for (id, name) in &sku.service_plans {
                if !l.disabled_plans.iter().any(|d| d.eq_ignore_ascii_case(id)) {
                    enabled.push((name.as_str(), id.as_str()));
                }
            }
        }
        let id_of = |name: &str| enabled.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);
        for (a, b) in MUTUALLY_EXCLUSIVE {
            if let (Some(a), Some(b)) = (id_of(a), id_of(b)) {
                return Err(Refusal::bad_request(format!(
                    "License assignment failed because service plans {a}, {b} are mutually exclusive."
                )));
            }
        }
        for (plan, needs) in DEPENDS_ON {
            if let Some(plan_id) = id_of(plan)
                && !needs.iter().any(|n| id_of(n).is_some())
            {
                let needed: Vec<String> = needs
                    .iter()
                    .filter_map(|n| self.plan_id_by_name(n))
                    .collect();
                return Err(Refusal::bad_request(format!(
                    "License assignment failed because service plan {plan_id} depends on the service plan(s) {}.",
                    needed.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn plan_id_by_name(&self, name: &str) -> Option<String> {
        let ids: HashSet<&String> = self
            .skus
            .iter()
            .flat_map(|s| s.service_plans.iter())
            .filter(|(_, n)| n == name)
            .map(|(id, _)| id)
            .collect();
        ids.into_iter().next().cloned()
    }

    /// `PATCH /users/{id}` with `usageLocation` (and `department`). The licensing service sees
    /// a new usage location only after `replication_lag`.
    pub fn update_user(
        &mut self,
        user_key: &str,
        patch: &serde_json::Map<String, serde_json::Value>,
        now: Instant,
        replication_lag: Duration,
        index_lag: Duration,
    ) -> Result<Effect, Refusal> {
        let index = self
            .user_index(user_key)
            .ok_or_else(|| Refusal::not_found(user_key))?;
        // What an administrator may change on a user with User.ReadWrite.All (the properties the
        // client reads); all of the patch applies or none of it.
        let mut next = self.users[index].clone();
        let mut usage_location = next.usage_location.clone();
        let mut department = next.department.clone();
        let text = |name: &str, value: &serde_json::Value, max: usize| -> Result<String, Refusal> {
            match value {
                serde_json::Value::String(s) if s.chars().count() <= max => Ok(s.clone()),
                _ => Err(Refusal::bad_request(format!(
                    "Invalid value specified for property '{name}' of resource 'User'."
                ))),
            }
        };
        for (key, value) in patch {
            match (key.as_str(), value) {
                ("usageLocation", serde_json::Value::String(code)) => {
                    usage_location = Some(countries::normalize(code).ok_or_else(|| {
                        Refusal::bad_request(
                            "Invalid value specified for property 'usageLocation' of resource 'User'.",
                        )
                    })?);
                }
                ("usageLocation", serde_json::Value::Null) => usage_location = None,
                ("department", serde_json::Value::String(d)) => department = Some(d.clone()),
                ("department", serde_json::Value::Null) => department = None,
                ("displayName", v) => {
                    let name = text("displayName", v, 256)?;
                    if name.trim().is_empty() {
                        return Err(Refusal::bad_request(
                            "Invalid value specified for property 'displayName' of resource 'User'.",
                        ));
                    }
                    next.display_name = name;
                }
                ("givenName", v) => next.given_name = text("givenName", v, 64)?,
                ("surname", v) => next.surname = text("surname", v, 64)?,
                ("jobTitle", serde_json::Value::Null) => next.job_title = None,
                ("jobTitle", v) => next.job_title = Some(text("jobTitle", v, 128)?),
                ("accountEnabled", serde_json::Value::Bool(b)) => next.account_enabled = *b,
                // Microsoft's SDKs always send the entity's type; Graph accepts it when it
                // names a user (and refuses another type).
                ("@odata.type", serde_json::Value::String(t))
                    if t.eq_ignore_ascii_case("#microsoft.graph.user") => {}
                (other, _) => {
                    return Err(Refusal::bad_request(format!(
                        "Invalid value specified for property '{other}' of resource 'User'."
                    )));
                }
            }
        }
        let user = &mut self.users[index];
        let same_other = user.display_name == next.display_name
            && user.given_name == next.given_name
            && user.surname == next.surname
            && user.job_title == next.job_title
            && user.account_enabled == next.account_enabled;
        if user.usage_location == usage_location && user.department == department && same_other {
            return Ok(Effect::Unchanged);
        }
        user.display_name = next.display_name;
        user.given_name = next.given_name;
        user.surname = next.surname;
        user.job_title = next.job_title;
        user.account_enabled = next.account_enabled;
        user.mark_changed(now, index_lag);
        if user.usage_location != usage_location && !replication_lag.is_zero() {
            user.stale_usage_location = Some((user.usage_location.clone(), now + replication_lag));
        }
        user.usage_location = usage_location;
        user.department = department;
        Ok(Effect::Applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use crate::catalog::*;

    fn tenant() -> Tenant {
        Tenant::generate(&Scenario::demo().tenant)
    }

    fn add(sku: &str) -> Vec<AddLicense> {
        vec![AddLicense {
            sku_id: sku.into(),
            disabled_plans: vec![],
        }]
    }

    fn first(t: &Tenant, pred: impl Fn(&crate::SimUser) -> bool) -> String {
        t.users
            .iter()
            .find(|u| pred(u))
            .expect("such a user")
            .id
            .clone()
    }

    const NO_LAG: Duration = Duration::ZERO;

    #[test]
    fn guid_shape() {
        assert!(is_guid("05e9a617-0261-4cee-bb44-138d3ef5d965"));
        assert!(!is_guid("05e9a617-0261-4cee-bb44-138d3ef5d96"));
        assert!(!is_guid("05e9a617x0261-4cee-bb44-138d3ef5d965"));
    }

    #[test]
    fn assigning_takes_a_seat_and_repeating_takes_none() {
        let mut t = tenant();
        let now = Instant::now();
        let u = first(&t, |u| u.licenses.is_empty() && u.usage_location.is_some());
        let before = t.consumed(TEAMS_ESS);
        assert_eq!(
            t.assign_license(&u, &add(TEAMS_ESS), &[], now, NO_LAG)
                .map(|r| r.1),
            Ok(Effect::Applied)
        );
        assert_eq!(t.consumed(TEAMS_ESS), before + 1);
        assert_eq!(
            t.assign_license(&u, &add(TEAMS_ESS), &[], now, NO_LAG)
                .map(|r| r.1),
            Ok(Effect::Unchanged)
        );
        assert_eq!(t.consumed(TEAMS_ESS), before + 1);
        assert_eq!(t.consumed_units(), t.recount_consumed());
    }

    #[test]
    fn a_failed_swap_changes_nothing() {
        let mut t = tenant();
        let now = Instant::now();
        // Someone with Exchange Plan 1 only: E3 would bring Exchange Plan 2 beside it.
        let u = first(&t, |u| {
            u.licenses.len() == 1 && u.licenses[0].sku_id == EXCHANGESTANDARD
        });
        let snapshot = t.clone();
        let err = t
            .assign_license(&u, &add(SPE_E5), &[], now, NO_LAG)
            .expect_err("exclusive");
        assert!(
            err.message.contains("are mutually exclusive"),
            "{}",
            err.message
        );
        assert_eq!(t, snapshot);
        // Removing Plan 1 in the same call makes it fine.
        let r = t.assign_license(
            &u,
            &add(SPE_E5),
            &[EXCHANGESTANDARD.to_string()],
            now,
            NO_LAG,
        );
        assert_eq!(r.map(|r| r.1), Ok(Effect::Applied));
        assert_eq!(t.consumed_units(), t.recount_consumed());
    }
}
