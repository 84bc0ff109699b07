//! People and the licenses they hold.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ProductNames, Sku};

/// One source of one license on a user: direct (`assigned_by_group` is `None`) or from a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseAssignment {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
    pub assigned_by_group: Option<String>,
    /// Why a group could not give this license (`CountViolation`, `MutuallyExclusiveViolation`,
    /// …); `None` when it is in place.
    pub error: Option<String>,
}

/// A user as read from the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub department: Option<String>,
    /// ISO 3166-1 alpha-2; Graph refuses direct licenses while this is empty.
    pub usage_location: Option<String>,
    pub account_enabled: bool,
    pub assignments: Vec<LicenseAssignment>,
}

impl User {
    /// The licenses the person really has: a group's license in error (no seat, no apps) is
    /// not one of them, as Graph leaves it out of `assignedLicenses`.
    pub fn licenses_in_place(&self) -> impl Iterator<Item = &LicenseAssignment> {
        self.assignments.iter().filter(|a| a.error.is_none())
    }

    /// No license in place (Graph's `assignedLicenses/$count eq 0`).
    pub fn is_unlicensed(&self) -> bool {
        self.licenses_in_place().next().is_none()
    }
}

/// One license on a user, ready to show. A SKU held both directly and through a group appears
/// once per source, because only the direct one can be removed on the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserLicense {
    pub sku_id: String,
    pub sku_part_number: String,
    pub display_name: String,
    /// The group the license comes from; `null` when assigned directly.
    pub assigned_by_group: Option<String>,
    pub disabled_plans: Vec<String>,
    /// Why the group could not give it (`CountViolation`, …); left out when it is in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// A user ready to show; also the CLI's `users --json` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserSummary {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    pub account_enabled: bool,
    pub licenses: Vec<UserLicense>,
}

/// Resolves each user's licenses against the tenant's SKUs. A SKU the tenant no longer lists
/// keeps its id as part number, so nothing a user holds is hidden.
pub fn summarize_users(users: &[User], skus: &[Sku], names: &ProductNames) -> Vec<UserSummary> {
    let summarizer = Summarizer::new(skus, names);
    users.iter().map(|u| summarizer.summary(u)).collect()
}

/// Makes one user's summary at a time, so a long list can be written out as it is made
/// instead of held whole (100,000 people).
pub struct Summarizer<'a> {
    part_numbers: HashMap<String, &'a str>,
    names: &'a ProductNames,
}

impl<'a> Summarizer<'a> {
    pub fn new(skus: &'a [Sku], names: &'a ProductNames) -> Self {
        Self {
            part_numbers: skus
                .iter()
                .map(|s| (s.sku_id.to_ascii_lowercase(), s.sku_part_number.as_str()))
                .collect(),
            names,
        }
    }

    pub fn summary(&self, u: &User) -> UserSummary {
        UserSummary {
            id: u.id.clone(),
            user_principal_name: u.user_principal_name.clone(),
            display_name: u.display_name.clone(),
            department: u.department.clone(),
            usage_location: u.usage_location.clone(),
            account_enabled: u.account_enabled,
            licenses: u
                .assignments
                .iter()
                .map(|a| {
                    let part = self
                        .part_numbers
                        .get(&a.sku_id.to_ascii_lowercase())
                        .copied()
                        .unwrap_or(a.sku_id.as_str());
                    UserLicense {
                        sku_id: a.sku_id.clone(),
                        sku_part_number: part.to_string(),
                        display_name: self.names.display_name(&a.sku_id, part),
                        assigned_by_group: a.assigned_by_group.clone(),
                        disabled_plans: a.disabled_plans.clone(),
                        error: a.error.clone(),
                    }
                })
                .collect(),
        }
    }
}

impl UserSummary {
    /// No license in place: none, or only ones a group could not give.
    pub fn is_unlicensed(&self) -> bool {
        self.licenses.iter().all(|l| l.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppliesTo, CapabilityStatus, SeatCounts};

    const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";

    fn e3() -> Sku {
        Sku {
            sku_id: E3.into(),
            sku_part_number: "SPE_E3".into(),
            applies_to: AppliesTo::User,
            capability_status: CapabilityStatus::Enabled,
            seats: SeatCounts::default(),
            service_plans: Vec::new(),
        }
    }

    fn user(assignments: Vec<LicenseAssignment>) -> User {
        User {
            id: "u1".into(),
            user_principal_name: "ana@contoso.example".into(),
            display_name: "Ana de Vries".into(),
            department: Some("Sales".into()),
            usage_location: None,
            account_enabled: true,
            assignments,
        }
    }

    #[test]
    fn licenses_are_named_and_keep_their_source() {
        let u = user(vec![
            LicenseAssignment {
                sku_id: E3.into(),
                disabled_plans: vec![],
                assigned_by_group: None,
                error: None,
            },
            LicenseAssignment {
                sku_id: E3.into(),
                disabled_plans: vec![],
                assigned_by_group: Some("g1".into()),
                error: None,
            },
        ]);
        let s = summarize_users(&[u], &[e3()], &ProductNames::builtin());
        assert_eq!(s[0].licenses.len(), 2);
        assert_eq!(s[0].licenses[0].sku_part_number, "SPE_E3");
        assert_eq!(s[0].licenses[0].display_name, "Microsoft 365 E3");
        assert_eq!(s[0].licenses[1].assigned_by_group.as_deref(), Some("g1"));
        assert!(!s[0].is_unlicensed());
    }

    #[test]
    fn a_sku_the_tenant_does_not_list_is_still_shown() {
        let u = user(vec![LicenseAssignment {
            sku_id: "11111111-2222-3333-4444-555555555555".into(),
            disabled_plans: vec![],
            assigned_by_group: None,
            error: None,
        }]);
        let s = summarize_users(&[u], &[], &ProductNames::default());
        assert_eq!(
            s[0].licenses[0].sku_part_number,
            "11111111-2222-3333-4444-555555555555"
        );
    }

    #[test]
    fn json_uses_the_cli_contract_keys() {
        let s = summarize_users(&[user(vec![])], &[], &ProductNames::default());
        let v = serde_json::to_value(&s[0]).expect("serializes");
        for key in [
            "id",
            "userPrincipalName",
            "displayName",
            "department",
            "usageLocation",
            "accountEnabled",
            "licenses",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert!(v["usageLocation"].is_null());
        assert!(s[0].is_unlicensed());
    }
}
