//! Groups that give licenses (group-based licensing): where each member stands with each of
//! the group's plans, and what an error means in plain words with its fix. Pure: the Graph
//! client reads, this judges, the front ends show.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Sku, User};

/// Why a group was not found by the name or id a person typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindGroupError {
    NotFound,
    /// Several groups have this name: their ids.
    Ambiguous(Vec<String>),
}

/// The group `key` names among `groups`: its id, or its display name when only one group has
/// it (names are compared without case or surrounding spaces).
pub fn find<'a>(groups: &'a [LicenseGroup], key: &str) -> Result<&'a LicenseGroup, FindGroupError> {
    if let Some(g) = groups
        .iter()
        .find(|g| g.id.eq_ignore_ascii_case(key.trim()))
    {
        return Ok(g);
    }
    let named: Vec<&LicenseGroup> = groups
        .iter()
        .filter(|g| g.display_name.trim().eq_ignore_ascii_case(key.trim()))
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(FindGroupError::NotFound),
        many => Err(FindGroupError::Ambiguous(
            many.iter().map(|g| g.id.clone()).collect(),
        )),
    }
}

/// One plan a group gives, with the apps it switches off (service plan ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupPlan {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

impl GroupPlan {
    /// The plan among the tenant's, and the apps this group switches off in it, each as
    /// `(service plan id, Microsoft's name)`; an id the plan does not list is kept as it is.
    pub fn apps_off<'a>(&self, skus: &'a [Sku]) -> (Option<&'a Sku>, Vec<(String, String)>) {
        let sku = skus
            .iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(&self.sku_id));
        let apps = self
            .disabled_plans
            .iter()
            .map(|d| {
                let name = sku
                    .and_then(|s| {
                        s.service_plans
                            .iter()
                            .find(|sp| sp.id.eq_ignore_ascii_case(d))
                    })
                    .map_or_else(|| d.clone(), |sp| sp.name.clone());
                (d.clone(), name)
            })
            .collect();
        (sku, apps)
    }
}

/// A group that gives licenses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LicenseGroup {
    pub id: String,
    pub display_name: String,
    pub plans: Vec<GroupPlan>,
    /// A dynamic group's membership rule: its members cannot be added or removed.
    pub membership_rule: Option<String>,
    /// Graph is still working through a change to the group (`ProcessingInProgress`).
    pub processing: bool,
}

/// Where a member stands with one of the group's plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "state", content = "error")]
#[ts(export)]
pub enum MemberState {
    /// In place: a seat is taken.
    Active,
    /// Graph has not processed the person for this group yet (just added, or reprocessing).
    Pending,
    /// Graph could not give it; no seat is taken. Graph's error code.
    Error(String),
}

/// One member's standing with each of the group's plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MemberStanding {
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub usage_location: Option<String>,
    /// (sku id, state), in the group's order.
    pub plans: Vec<(String, MemberState)>,
}

impl MemberStanding {
    pub fn in_error(&self) -> bool {
        self.plans
            .iter()
            .any(|(_, s)| matches!(s, MemberState::Error(_)))
    }

    pub fn pending(&self) -> bool {
        self.plans.iter().any(|(_, s)| *s == MemberState::Pending)
    }

    /// The first error code, if any.
    pub fn error(&self) -> Option<&str> {
        self.plans.iter().find_map(|(_, s)| match s {
            MemberState::Error(e) => Some(e.as_str()),
            _ => None,
        })
    }
}

/// Where `member` stands with each of `group`'s plans: their license states from this group
/// say Active or an error; no state from the group yet means Graph has not processed them.
pub fn standing(member: &User, group: &LicenseGroup) -> MemberStanding {
    let plans = group
        .plans
        .iter()
        .map(|p| {
            let state = member
                .assignments
                .iter()
                .find(|a| {
                    a.sku_id.eq_ignore_ascii_case(&p.sku_id)
                        && a.assigned_by_group
                            .as_deref()
                            .is_some_and(|g| g.eq_ignore_ascii_case(&group.id))
                })
                .map_or(MemberState::Pending, |a| match &a.error {
                    None => MemberState::Active,
                    Some(e) => MemberState::Error(e.clone()),
                });
            (p.sku_id.clone(), state)
        })
        .collect();
    MemberStanding {
        user_id: member.id.clone(),
        user_principal_name: member.user_principal_name.clone(),
        display_name: member.display_name.clone(),
        usage_location: member.usage_location.clone(),
        plans,
    }
}

/// What a group-licensing error means and how to fix it, in plain English (the app has the
/// same words in its message files, in English and Dutch).
pub fn error_words(code: &str) -> (&'static str, &'static str) {
    match code {
        "CountViolation" => (
            "no seat was left for this person",
            "free a seat (take the plan from someone who does not need it, or buy more), then reprocess",
        ),
        "MutuallyExclusiveViolation" => (
            "the person holds a plan that cannot go together with this one (such as Exchange Online Plan 1 with Plan 2)",
            "take away the conflicting plan given directly, then reprocess",
        ),
        "DependencyViolation" => (
            "an app in this plan needs another app the person does not have (it is switched off or missing)",
            "switch the needed app on in the group, or give the plan it comes with, then reprocess",
        ),
        "ProhibitedInUsageLocationViolation" => (
            "an app in this plan is not offered in the person's country (usage location)",
            "set the right usage location for the person, then reprocess",
        ),
        "UniquenessViolation" => (
            "an email address (proxy address) of the person is already used by someone else",
            "correct the person's addresses, then reprocess",
        ),
        _ => (
            "Microsoft could not give this license",
            "reprocess; if it stays, look at the person in the Microsoft 365 admin center",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LicenseAssignment;

    fn group() -> LicenseGroup {
        LicenseGroup {
            id: "G1".into(),
            display_name: "Sales".into(),
            plans: vec![
                GroupPlan {
                    sku_id: "e3".into(),
                    disabled_plans: vec![],
                },
                GroupPlan {
                    sku_id: "bi".into(),
                    disabled_plans: vec![],
                },
            ],
            membership_rule: None,
            processing: false,
        }
    }

    fn member(assignments: Vec<LicenseAssignment>) -> User {
        User {
            id: "u".into(),
            user_principal_name: "u@contoso.com".into(),
            display_name: "U".into(),
            department: None,
            usage_location: None,
            account_enabled: true,
            assignments,
        }
    }

    fn from(group: &str, sku: &str, error: Option<&str>) -> LicenseAssignment {
        LicenseAssignment {
            sku_id: sku.into(),
            disabled_plans: vec![],
            assigned_by_group: Some(group.into()),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn active_error_and_pending_per_plan_from_this_group_only() {
        let m = member(vec![
            from("g1", "E3", None),
            from("G1", "bi", Some("CountViolation")),
            // Another group's error is not this group's.
            from("other", "e3", Some("MutuallyExclusiveViolation")),
        ]);
        let s = standing(&m, &group());
        assert_eq!(
            s.plans,
            vec![
                ("e3".to_string(), MemberState::Active),
                (
                    "bi".to_string(),
                    MemberState::Error("CountViolation".into())
                )
            ]
        );
        assert!(s.in_error());
        assert_eq!(s.error(), Some("CountViolation"));
        assert!(!s.pending());

        let new = standing(&member(vec![]), &group());
        assert!(new.pending());
        assert!(!new.in_error());
        // A direct copy of the plan is not the group's.
        let direct = member(vec![LicenseAssignment {
            sku_id: "e3".into(),
            disabled_plans: vec![],
            assigned_by_group: None,
            error: None,
        }]);
        assert_eq!(standing(&direct, &group()).plans[0].1, MemberState::Pending);
    }

    #[test]
    fn every_documented_error_has_its_own_words() {
        let codes = [
            "CountViolation",
            "MutuallyExclusiveViolation",
            "DependencyViolation",
            "ProhibitedInUsageLocationViolation",
            "UniquenessViolation",
        ];
        let words: std::collections::HashSet<_> = codes.iter().map(|c| error_words(c)).collect();
        assert_eq!(words.len(), codes.len());
        assert!(!words.contains(&error_words("Other")));
    }
}
