//! Membership runs: people join or leave license groups, planned like every change (one
//! outcome per person, a seat ledger per plan the groups give) so they are reviewed, journaled,
//! resumed and undone the same way. Graph gives and takes the group's licenses after it has
//! processed the change; a seat is counted when the license becomes Active, so the ledger
//! warns (it cannot refuse: Graph accepts the membership and records CountViolation) when
//! joining would run a plan out of seats.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{Action, PersonOutcome, Plan, Reason, SeatLedger, WantedChange};
use crate::{Sku, User};

/// A license group named in a change: its id, its name (for the review) and the plans it
/// gives (for the seat ledger).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupRef {
    pub id: String,
    pub display_name: String,
    pub sku_ids: Vec<String>,
    /// A dynamic group: members cannot be added or removed.
    #[serde(default)]
    pub dynamic: bool,
}

/// The license groups a person is in, as their license states show them (each group that
/// gives them something, in place or in error). A change Graph has not processed yet does not
/// show: such a person is planned as before, and Graph's answer to a repeat is taken as done.
pub fn groups_of(user: &User) -> Vec<String> {
    let mut ids: Vec<String> = user
        .assignments
        .iter()
        .filter_map(|a| a.assigned_by_group.as_ref())
        .map(|g| g.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn outcome(user: &User, change: &WantedChange) -> PersonOutcome {
    let member_of = groups_of(user);
    // `as_direct`: the caller knows the membership (an undo of a membership run, a group's own
    // member list), which the license states show only once Graph has processed it: join and
    // leave exactly as asked (a repeat Graph refuses as already so counts as done).
    let exact = change.as_direct;
    let is_in = |g: &GroupRef| member_of.contains(&g.id.to_ascii_lowercase());
    let mut out = PersonOutcome {
        user_id: user.id.clone(),
        user_principal_name: user.user_principal_name.clone(),
        display_name: user.display_name.clone(),
        action: Action::None,
        set_usage_location: None,
        add: Vec::new(),
        remove: Vec::new(),
        reason: None,
        join_groups: change
            .join_groups
            .iter()
            .filter(|g| exact || !is_in(g))
            .cloned()
            .collect(),
        leave_groups: change
            .leave_groups
            .iter()
            .filter(|g| exact || is_in(g))
            .cloned()
            .collect(),
    };
    if let Some(g) = out
        .join_groups
        .iter()
        .chain(&out.leave_groups)
        .find(|g| g.dynamic)
    {
        out.reason = Some(Reason::DynamicGroup {
            group_id: g.id.clone(),
        });
        out.action = Action::Blocked;
        out.join_groups.clear();
        out.leave_groups.clear();
        return out;
    }
    if out.join_groups.is_empty() && out.leave_groups.is_empty() {
        out.reason = Some(
            match (change.join_groups.first(), change.leave_groups.first()) {
                (Some(g), _) => Reason::AlreadyInGroup {
                    group_id: g.id.clone(),
                },
                (None, Some(g)) => Reason::NotInGroup {
                    group_id: g.id.clone(),
                },
                (None, None) => Reason::NothingAsked,
            },
        );
        return out;
    }
    out.action = Action::Membership;
    out
}

/// Plans a membership run. Seats: a person joining takes a seat of each plan the group gives
/// that they do not hold yet; a person leaving frees a seat of each plan only that group gave.
pub fn plan(requests: &[(&User, &WantedChange)], skus: &[Sku]) -> Plan {
    let people: Vec<PersonOutcome> = requests.iter().map(|(u, c)| outcome(u, c)).collect();
    let mut taken: HashMap<String, u32> = HashMap::new();
    let mut freed: HashMap<String, u32> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let touch = |sku: &str, order: &mut Vec<String>| {
        let key = sku.to_ascii_lowercase();
        if !order.contains(&key) {
            order.push(key.clone());
        }
        key
    };
    for ((user, _), out) in requests.iter().zip(&people) {
        if out.action != Action::Membership {
            continue;
        }
        let in_place = |sku: &str, except: Option<&str>| {
            user.licenses_in_place().any(|a| {
                a.sku_id.eq_ignore_ascii_case(sku)
                    && !a
                        .assigned_by_group
                        .as_deref()
                        .is_some_and(|g| except.is_some_and(|e| g.eq_ignore_ascii_case(e)))
            })
        };
        for g in &out.join_groups {
            for sku in &g.sku_ids {
                let key = touch(sku, &mut order);
                if !in_place(sku, None) {
                    *taken.entry(key).or_default() += 1;
                }
            }
        }
        for g in &out.leave_groups {
            for sku in &g.sku_ids {
                let key = touch(sku, &mut order);
                if in_place(sku, None) && !in_place(sku, Some(&g.id)) {
                    *freed.entry(key).or_default() += 1;
                }
            }
        }
    }
    let seats = order
        .iter()
        .filter_map(|key| {
            let sku = skus.iter().find(|s| s.sku_id.eq_ignore_ascii_case(key))?;
            let free_before = sku.seats.free();
            let taken = taken.get(key).copied().unwrap_or(0);
            let freed = freed.get(key).copied().unwrap_or(0);
            let capacity = free_before + freed;
            Some(SeatLedger {
                sku_id: sku.sku_id.clone(),
                sku_part_number: sku.sku_part_number.clone(),
                free_before,
                taken,
                freed,
                free_after: capacity.saturating_sub(taken),
                shortfall: taken.saturating_sub(capacity),
            })
        })
        .collect();
    Plan { people, seats }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppliesTo, CapabilityStatus, LicenseAssignment, SeatCounts};

    fn sku(id: &str, enabled: u32, consumed: u32) -> Sku {
        Sku {
            sku_id: id.into(),
            sku_part_number: id.to_uppercase(),
            applies_to: AppliesTo::User,
            capability_status: CapabilityStatus::Enabled,
            seats: SeatCounts {
                enabled,
                consumed,
                ..SeatCounts::default()
            },
            service_plans: vec![],
        }
    }

    fn person(id: &str, assignments: Vec<LicenseAssignment>) -> User {
        User {
            id: id.into(),
            user_principal_name: format!("{id}@contoso.com"),
            display_name: id.into(),
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
            assigned_by_group: (!group.is_empty()).then(|| group.into()),
            error: error.map(str::to_owned),
        }
    }

    fn group(id: &str, skus: &[&str]) -> GroupRef {
        GroupRef {
            id: id.into(),
            display_name: format!("Group {id}"),
            sku_ids: skus.iter().map(|s| s.to_string()).collect(),
            dynamic: false,
        }
    }

    fn join(g: &GroupRef) -> WantedChange {
        WantedChange {
            join_groups: vec![g.clone()],
            ..WantedChange::default()
        }
    }

    #[test]
    fn joining_counts_a_seat_only_for_who_lacks_the_plan_and_warns_of_a_shortfall() {
        let sales = group("sales", &["e3"]);
        let new = person("a", vec![]);
        let has_it_directly = person("b", vec![from("", "e3", None)]);
        let other_new = person("c", vec![]);
        let member = person("d", vec![from("sales", "e3", None)]);
        let change = join(&sales);
        let requests = [
            (&new, &change),
            (&has_it_directly, &change),
            (&other_new, &change),
            (&member, &change),
        ];
        let plan = crate::plan::plan_each(
            &requests,
            &[sku("e3", 10, 9)],
            crate::ShortfallPolicy::Nobody,
        );
        let actions: Vec<Action> = plan.people.iter().map(|p| p.action).collect();
        assert_eq!(
            actions,
            vec![
                Action::Membership,
                Action::Membership,
                Action::Membership,
                Action::None
            ]
        );
        assert_eq!(
            plan.people[3].reason,
            Some(Reason::AlreadyInGroup {
                group_id: "sales".into()
            })
        );
        let e3 = &plan.seats[0];
        assert_eq!(
            (e3.free_before, e3.taken, e3.free_after, e3.shortfall),
            (1, 2, 0, 1)
        );
    }

    #[test]
    fn leaving_frees_a_seat_only_when_no_other_source_keeps_the_plan() {
        let sales = group("sales", &["e3"]);
        let only_group = person("a", vec![from("sales", "e3", None)]);
        let also_direct = person("b", vec![from("sales", "e3", None), from("", "e3", None)]);
        let in_error = person("c", vec![from("sales", "e3", Some("CountViolation"))]);
        let outsider = person("d", vec![]);
        let change = WantedChange {
            leave_groups: vec![sales.clone()],
            ..WantedChange::default()
        };
        let requests = [
            (&only_group, &change),
            (&also_direct, &change),
            (&in_error, &change),
            (&outsider, &change),
        ];
        let plan = plan(&requests, &[sku("e3", 10, 10)]);
        assert_eq!(
            plan.people[3].reason,
            Some(Reason::NotInGroup {
                group_id: "sales".into()
            })
        );
        assert_eq!(
            plan.people[2].action,
            Action::Membership,
            "an error is still a membership"
        );
        assert_eq!(plan.seats[0].freed, 1);
        assert_eq!(plan.seats[0].free_after, 1);
    }

    #[test]
    fn a_dynamic_group_blocks_and_nothing_is_sent() {
        let mut dynamic = group("fin", &["bi"]);
        dynamic.dynamic = true;
        let p = person("a", vec![]);
        let change = join(&dynamic);
        let plan = plan(&[(&p, &change)], &[sku("bi", 5, 0)]);
        assert_eq!(plan.people[0].action, Action::Blocked);
        assert!(plan.people[0].join_groups.is_empty());
        assert!(plan.seats.iter().all(|s| s.taken == 0));
    }
}
