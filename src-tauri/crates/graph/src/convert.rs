//! From Graph's wire models to the licensing domain.

use licensing::{
    AppliesTo, CapabilityStatus, LicenseAssignment, SeatCounts, ServicePlan, Sku, User,
};

use crate::models;

/// Graph's counts are Int32; a negative or absent count means none.
fn units(v: Option<i64>) -> u32 {
    v.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32
}

impl models::SubscribedSku {
    pub fn to_domain(&self) -> Sku {
        let prepaid = self.prepaid_units.unwrap_or_default();
        Sku {
            sku_id: self.sku_id.clone(),
            sku_part_number: self
                .sku_part_number
                .clone()
                .unwrap_or_else(|| self.sku_id.clone()),
            applies_to: AppliesTo::from_graph(self.applies_to.as_deref().unwrap_or("")),
            capability_status: CapabilityStatus::from_graph(
                self.capability_status.as_deref().unwrap_or(""),
            ),
            seats: SeatCounts {
                enabled: units(prepaid.enabled),
                warning: units(prepaid.warning),
                suspended: units(prepaid.suspended),
                locked_out: units(prepaid.locked_out),
                consumed: units(self.consumed_units),
            },
            service_plans: self
                .service_plans
                .iter()
                .map(|p| ServicePlan {
                    id: p.service_plan_id.clone(),
                    name: p.service_plan_name.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

impl models::User {
    /// One assignment per source when Graph gave `licenseAssignmentStates`; otherwise the merged
    /// `assignedLicenses`, all treated as direct (Graph does not say which are inherited there).
    pub fn to_domain(&self) -> User {
        let assignments = if self.license_assignment_states.is_empty() {
            self.assigned_licenses
                .iter()
                .map(|l| LicenseAssignment {
                    sku_id: l.sku_id.clone(),
                    disabled_plans: l.disabled_plans.clone(),
                    assigned_by_group: None,
                    error: None,
                })
                .collect()
        } else {
            self.license_assignment_states
                .iter()
                .filter_map(|s| {
                    Some(LicenseAssignment {
                        sku_id: s.sku_id.clone()?,
                        disabled_plans: s.disabled_plans.clone(),
                        assigned_by_group: s.assigned_by_group.clone(),
                        error: s
                            .error
                            .clone()
                            .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("None")),
                    })
                })
                .collect()
        };
        User {
            id: self.id.clone(),
            user_principal_name: self.user_principal_name.clone().unwrap_or_default(),
            display_name: self
                .display_name
                .clone()
                .or_else(|| self.user_principal_name.clone())
                .unwrap_or_else(|| self.id.clone()),
            department: self.department.clone().filter(|d| !d.trim().is_empty()),
            usage_location: self.usage_location.clone().filter(|c| !c.trim().is_empty()),
            // Graph omits accountEnabled unless selected; assume enabled rather than hide people.
            account_enabled: self.account_enabled.unwrap_or(true),
            assignments,
        }
    }
}

/// Graph's RFC 3339 date as seconds since 1970; `None` for anything else.
pub fn seconds(date: Option<&str>) -> Option<i64> {
    let text = date?.trim();
    if text.len() > 64 {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.timestamp())
}

impl models::User {
    /// When the account was made and its sign-in activity, for the Reclaim page.
    pub fn activity(&self) -> licensing::reclaim::Activity {
        licensing::reclaim::Activity {
            created: seconds(self.created_date_time.as_deref()),
            sign_ins: self
                .sign_in_activity
                .as_ref()
                .map(|s| licensing::reclaim::SignIns {
                    interactive: seconds(s.last_sign_in_date_time.as_deref()),
                    non_interactive: seconds(s.last_non_interactive_sign_in_date_time.as_deref()),
                    successful: seconds(s.last_successful_sign_in_date_time.as_deref()),
                }),
        }
    }
}

impl models::CompanySubscription {
    /// `None` without the plan it is for.
    pub fn to_domain(&self) -> Option<licensing::renewals::Subscription> {
        Some(licensing::renewals::Subscription {
            id: self.id.clone(),
            sku_id: self.sku_id.clone()?,
            sku_part_number: self
                .sku_part_number
                .clone()
                .or_else(|| self.sku_id.clone())?,
            status: self.status.clone().unwrap_or_else(|| "Enabled".into()),
            total_licenses: units(self.total_licenses),
            is_trial: self.is_trial.unwrap_or(false),
            created: seconds(self.created_date_time.as_deref()),
            next_lifecycle: seconds(self.next_lifecycle_date_time.as_deref()),
        })
    }
}

impl models::Group {
    /// A group that gives licenses, as the domain knows it.
    pub fn to_domain(&self) -> licensing::groups::LicenseGroup {
        licensing::groups::LicenseGroup {
            id: self.id.clone(),
            display_name: self
                .display_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| self.id.clone()),
            plans: self
                .assigned_licenses
                .iter()
                .map(|l| licensing::groups::GroupPlan {
                    sku_id: l.sku_id.clone(),
                    disabled_plans: l.disabled_plans.clone(),
                })
                .collect(),
            membership_rule: if self.is_dynamic() {
                Some(self.membership_rule.clone().unwrap_or_default())
            } else {
                None
            },
            processing: self
                .license_processing_state
                .as_ref()
                .and_then(|s| s.state.as_deref())
                .is_some_and(|s| !s.eq_ignore_ascii_case("ProcessingComplete")),
        }
    }
}
