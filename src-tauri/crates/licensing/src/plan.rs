//! The plan: what a wanted change means for each person and each license plan, before
//! anything is sent. Pure and deterministic: the same people, change and plans give the same
//! plan, so the preview a person approves is exactly what the executor will do.
//!
//! Every person gets exactly one outcome (a change, nothing to do and why, or blocked and
//! why). Every plan touched gets a seat ledger: free now, taken and freed by this run, free
//! after, and the shortfall. Seats freed by a removal or a swap in the run count for others in
//! the same run (the executor sends removals and swaps before additions that need their seats).
//!
//! Past 600 lines: one planner (outcomes, seats, conflicts, reasons); its rules read best in
//! one place.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AppliesTo, CapabilityStatus, LicenseAssignment, Sku, User};

/// Service plans that cannot be enabled together on one person (Graph: "service plans <a>,
/// <b> are mutually exclusive"), by Microsoft's names: Exchange Online Plan 1 and Plan 2.
const MUTUALLY_EXCLUSIVE: &[(&str, &str)] = &[("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE")];

/// A plan (SKU) to give, with the service plans to leave switched off.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanToAdd {
    pub sku_id: String,
    /// Service plan ids to leave off.
    pub disabled_plans: Vec<String>,
}

/// Where a usage location is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "scope", content = "country")]
#[ts(export)]
pub enum UsageLocationChange {
    /// Only for people who have none (so that a license can be given).
    WhereMissing(String),
    /// For everyone in the run.
    Everyone(String),
}

/// What the person asked for, the same for everyone in the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WantedChange {
    pub add: Vec<PlanToAdd>,
    /// SKU ids to take away (held directly).
    pub remove: Vec<String>,
    pub usage_location: Option<UsageLocationChange>,
    /// In a swap, switch off in the new plan the service plans (by name) that were off in the
    /// plan taken away, as well as those listed in `add`.
    pub keep_disabled_plans: bool,
    /// Exactly as asked: give each plan in `add` directly even where a group already gives
    /// it (an undo puts back exactly the direct licenses a run took away), and join and leave
    /// groups without judging membership by the license states (see `membership.rs`).
    #[serde(default)]
    pub as_direct: bool,
    /// Licenses the person already holds directly whose apps (service plans) are switched:
    /// each with the full list of service plan ids to have off afterwards. No seat changes.
    #[serde(default)]
    pub apps: Vec<PlanToAdd>,
    /// License groups to join (a membership run: see `membership.rs`).
    #[serde(default)]
    pub join_groups: Vec<crate::membership::GroupRef>,
    /// License groups to leave.
    #[serde(default)]
    pub leave_groups: Vec<crate::membership::GroupRef>,
}

/// What to do when a plan has fewer free seats than people who need one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ShortfallPolicy {
    /// As many as the seats allow, in the order the people were given; the rest are listed.
    Partial,
    /// Nobody gets a plan that is short.
    #[default]
    Nobody,
}

/// The kind of change a person gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Action {
    Add,
    Remove,
    /// Remove and add in one assignLicense call: never left with neither.
    Swap,
    /// Switch apps (service plans) on or off in licenses the person already holds directly.
    Apps,
    /// Join or leave license groups: the groups give and take the licenses, after Graph has
    /// processed the change.
    Membership,
    /// Nothing to change (a usage location may still be set).
    None,
    Blocked,
}

/// Why a person gets nothing, or is blocked. `sku_id`s name plans; the front ends put names on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "code"
)]
#[ts(export)]
pub enum Reason {
    /// Already holds every plan to add (directly or from a group).
    AlreadyHasIt { sku_id: String },
    /// The license's apps are already switched as asked.
    AppsAlreadySo { sku_id: String },
    /// Holds none of the plans to take away.
    DoesNotHaveIt { sku_id: String },
    /// Microsoft needs a usage location before a license can be given.
    NoUsageLocation,
    /// The plan to take away comes from a group: remove the person from the group instead.
    FromGroup { sku_id: String, group_id: String },
    /// The tenant does not have this plan.
    UnknownPlan { sku_id: String },
    /// The plan is for the organisation, not for people.
    NotForPeople { sku_id: String },
    /// The plan is suspended, cancelled or locked: no new seats can be given.
    PlanNotActive { sku_id: String },
    /// The person would end up with two service plans that cannot go together.
    PlanConflict { sku_id: String, plans: Vec<String> },
    /// Not enough free seats: left out under the shortfall policy.
    NoSeat { sku_id: String },
    /// Nothing was asked.
    NothingAsked,
    /// Already a member of the group to join.
    AlreadyInGroup { group_id: String },
    /// Not a member of the group to leave.
    NotInGroup { group_id: String },
    /// The group's members follow a rule (dynamic group): they cannot be added or removed.
    DynamicGroup { group_id: String },
}

/// One person's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PersonOutcome {
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub action: Action,
    /// The usage location to set first, if any.
    pub set_usage_location: Option<String>,
    pub add: Vec<PlanToAdd>,
    pub remove: Vec<String>,
    pub reason: Option<Reason>,
    /// License groups the person joins (a membership run).
    #[serde(default)]
    pub join_groups: Vec<crate::membership::GroupRef>,
    /// License groups the person leaves.
    #[serde(default)]
    pub leave_groups: Vec<crate::membership::GroupRef>,
}

/// One plan's seats in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SeatLedger {
    pub sku_id: String,
    pub sku_part_number: String,
    pub free_before: u32,
    /// Seats this run gives out.
    pub taken: u32,
    /// Seats this run gives back (direct licenses taken away or swapped).
    pub freed: u32,
    pub free_after: u32,
    /// Seats missing for everyone who wanted one (0 when there are enough).
    pub shortfall: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Plan {
    /// One per person, in the order given.
    pub people: Vec<PersonOutcome>,
    /// One per plan touched, in the order of the change (adds, then removals).
    pub seats: Vec<SeatLedger>,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.people.iter().filter(|p| p.action == action).count()
    }
}

/// Works out the plan for one change given to everyone (a filter or a selection).
/// `skus` are the tenant's plans with their seats now.
pub fn plan(people: &[User], change: &WantedChange, skus: &[Sku], policy: ShortfallPolicy) -> Plan {
    let requests: Vec<(&User, &WantedChange)> = people.iter().map(|p| (p, change)).collect();
    plan_each(&requests, skus, policy)
}

/// Works out the plan when each person has their own change (a file from HR: one row says
/// E3, the next E5). Seats one person's swap frees can go to another person in the run.
pub fn plan_each(
    requests: &[(&User, &WantedChange)],
    skus: &[Sku],
    policy: ShortfallPolicy,
) -> Plan {
    // A membership run (joining or leaving license groups) is planned on its own.
    if requests
        .iter()
        .any(|(_, c)| !c.join_groups.is_empty() || !c.leave_groups.is_empty())
    {
        return crate::membership::plan(requests, skus);
    }
    let by_id: HashMap<String, &Sku> = skus
        .iter()
        .map(|s| (s.sku_id.to_ascii_lowercase(), s))
        .collect();
    let people: Vec<&User> = requests.iter().map(|(u, _)| *u).collect();
    let mut people_out: Vec<PersonOutcome> = requests
        .iter()
        .map(|(p, change)| outcome_before_seats(p, change, &by_id))
        .collect();

    // Seats: who needs one of which plan, and who frees one. Blocking someone for want of a
    // seat can take back the seat their own swap would have freed, so repeat until nothing
    // changes (each round blocks at least one more person, so it ends).
    let touched = touched_skus(requests.iter().map(|(_, c)| *c));
    let mut ledgers;
    loop {
        ledgers = ledgers_for(&people_out, &people, &touched, &by_id);
        let short: HashSet<&str> = ledgers
            .iter()
            .filter(|l| l.taken_wanted > l.capacity)
            .map(|l| l.sku_id.as_str())
            .collect();
        if short.is_empty() {
            break;
        }
        let mut left: HashMap<&str, u32> = ledgers
            .iter()
            .map(|l| (l.sku_id.as_str(), l.capacity))
            .collect();
        let mut changed = false;
        for (outcome, user) in people_out.iter_mut().zip(&people) {
            if !matches!(outcome.action, Action::Add | Action::Swap) {
                continue;
            }
            let needs: Vec<String> = outcome
                .add
                .iter()
                .filter(|a| needs_seat(user, &a.sku_id))
                .map(|a| a.sku_id.to_ascii_lowercase())
                .collect();
            let fits = match policy {
                ShortfallPolicy::Nobody => needs.iter().all(|s| !short.contains(s.as_str())),
                ShortfallPolicy::Partial => needs
                    .iter()
                    .all(|s| left.get(s.as_str()).copied().unwrap_or(0) > 0),
            };
            if fits {
                for s in &needs {
                    if let Some(n) = left.get_mut(s.as_str()) {
                        *n -= 1;
                    }
                }
            } else {
                let missing = outcome
                    .add
                    .iter()
                    .find(|a| {
                        let key = a.sku_id.to_ascii_lowercase();
                        short.contains(key.as_str())
                            || left.get(key.as_str()).copied().unwrap_or(0) == 0
                    })
                    .map(|a| a.sku_id.clone())
                    .unwrap_or_default();
                no_seat(outcome, missing);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    // The shortfall is what everyone who asked would have needed, blocked or not.
    let wanted = demand(&people_out, requests);
    let seats = ledgers
        .into_iter()
        .map(|l| {
            let wanted_here = wanted.get(&l.sku_id).copied().unwrap_or(0);
            SeatLedger {
                free_after: l.capacity - l.taken_wanted.min(l.capacity),
                shortfall: wanted_here.saturating_sub(l.capacity),
                sku_id: l.original_id,
                sku_part_number: l.part_number,
                free_before: l.free_before,
                taken: l.taken_wanted,
                freed: l.freed,
            }
        })
        .collect();
    Plan {
        people: people_out,
        seats,
    }
}

/// No seat for the person: no license change. A usage location asked for is still set (it
/// needs no seat, and is its own outcome: the person is ready when seats come), so they are
/// then "nothing to do but the usage location", with the reason.
fn no_seat(outcome: &mut PersonOutcome, sku_id: String) {
    let location = outcome.set_usage_location.take();
    block(outcome, Reason::NoSeat { sku_id });
    if location.is_some() {
        outcome.action = Action::None;
        outcome.set_usage_location = location;
    }
}

/// Blocked means nothing at all is sent for the person, the usage location included.
fn block(outcome: &mut PersonOutcome, reason: Reason) {
    outcome.action = Action::Blocked;
    outcome.add.clear();
    outcome.remove.clear();
    outcome.set_usage_location = None;
    outcome.reason = Some(reason);
}

/// The SKUs the changes touch, each once, in the order first met (a change's adds before its
/// removals).
fn touched_skus<'a>(changes: impl Iterator<Item = &'a WantedChange>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for change in changes {
        for s in change
            .add
            .iter()
            .map(|a| &a.sku_id)
            .chain(change.remove.iter())
        {
            if seen.insert(s.to_ascii_lowercase()) {
                out.push(s.clone());
            }
        }
    }
    out
}

/// Holds the plan as a direct license (so giving it again only switches its apps).
fn holds_directly(user: &User, sku: &str) -> bool {
    holds(user, sku).any(|a| a.assigned_by_group.is_none())
}

fn holds<'a>(user: &'a User, sku: &str) -> impl Iterator<Item = &'a LicenseAssignment> + use<'a> {
    let sku = sku.to_ascii_lowercase();
    user.licenses_in_place()
        .filter(move |a| a.sku_id.eq_ignore_ascii_case(&sku))
}

/// A person's outcome from their licenses and the plans alone; seats come after.
fn outcome_before_seats(
    user: &User,
    change: &WantedChange,
    skus: &HashMap<String, &Sku>,
) -> PersonOutcome {
    let mut out = PersonOutcome {
        user_id: user.id.clone(),
        user_principal_name: user.user_principal_name.clone(),
        display_name: user.display_name.clone(),
        action: Action::None,
        set_usage_location: None,
        add: Vec::new(),
        remove: Vec::new(),
        reason: None,
        join_groups: Vec::new(),
        leave_groups: Vec::new(),
    };
    let has_location = user
        .usage_location
        .as_deref()
        .is_some_and(|c| !c.is_empty());
    out.set_usage_location = match &change.usage_location {
        Some(UsageLocationChange::Everyone(c)) if user.usage_location.as_deref() != Some(c) => {
            Some(c.clone())
        }
        Some(UsageLocationChange::WhereMissing(c)) if !has_location => Some(c.clone()),
        _ => None,
    };

    if change.add.is_empty() && change.remove.is_empty() && change.apps.is_empty() {
        out.reason = out
            .set_usage_location
            .is_none()
            .then_some(Reason::NothingAsked);
        return out;
    }

    // Plans that cannot be given to anyone block everyone who would get them.
    for add in &change.add {
        let reason = match skus.get(&add.sku_id.to_ascii_lowercase()) {
            None => Some(Reason::UnknownPlan {
                sku_id: add.sku_id.clone(),
            }),
            Some(s) if s.applies_to != AppliesTo::User => Some(Reason::NotForPeople {
                sku_id: add.sku_id.clone(),
            }),
            Some(s)
                if !matches!(
                    s.capability_status,
                    CapabilityStatus::Enabled | CapabilityStatus::Warning
                ) =>
            {
                Some(Reason::PlanNotActive {
                    sku_id: add.sku_id.clone(),
                })
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            block(&mut out, reason);
            return out;
        }
    }

    // What comes off: direct licenses only; one only from a group blocks (removed there).
    let mut removed_assignments: Vec<&LicenseAssignment> = Vec::new();
    for sku in &change.remove {
        let held: Vec<&LicenseAssignment> = holds(user, sku).collect();
        match held.iter().find(|a| a.assigned_by_group.is_none()) {
            Some(direct) => {
                out.remove.push(sku.clone());
                removed_assignments.push(direct);
            }
            None => {
                if let Some(group) = held.iter().find_map(|a| a.assigned_by_group.clone()) {
                    block(
                        &mut out,
                        Reason::FromGroup {
                            sku_id: sku.clone(),
                            group_id: group,
                        },
                    );
                    return out;
                }
            }
        }
    }

    // What goes on: plans the person does not hold yet.
    let mut already: Option<String> = None;
    for add in &change.add {
        let held =
            holds(user, &add.sku_id).any(|a| !change.as_direct || a.assigned_by_group.is_none());
        if held {
            already.get_or_insert_with(|| add.sku_id.clone());
            continue;
        }
        let mut disabled = add.disabled_plans.clone();
        if change.keep_disabled_plans {
            disabled.extend(carried_disabled_plans(
                &removed_assignments,
                &add.sku_id,
                skus,
            ));
        }
        disabled.sort();
        disabled.dedup();
        out.add.push(PlanToAdd {
            sku_id: add.sku_id.clone(),
            disabled_plans: disabled,
        });
    }

    // Apps switched in licenses held directly: the whole list of what is off afterwards.
    let mut apps_already: Option<String> = None;
    for wanted in &change.apps {
        let held: Vec<&LicenseAssignment> = holds(user, &wanted.sku_id).collect();
        let Some(direct) = held.iter().find(|a| a.assigned_by_group.is_none()) else {
            let reason = match held.iter().find_map(|a| a.assigned_by_group.clone()) {
                Some(group_id) => Reason::FromGroup {
                    sku_id: wanted.sku_id.clone(),
                    group_id,
                },
                None => Reason::DoesNotHaveIt {
                    sku_id: wanted.sku_id.clone(),
                },
            };
            block(&mut out, reason);
            return out;
        };
        let mut disabled: Vec<String> = wanted
            .disabled_plans
            .iter()
            .map(|p| p.to_ascii_lowercase())
            .collect();
        disabled.sort();
        disabled.dedup();
        let mut now: Vec<String> = direct
            .disabled_plans
            .iter()
            .map(|p| p.to_ascii_lowercase())
            .collect();
        now.sort();
        now.dedup();
        if disabled == now {
            apps_already.get_or_insert_with(|| wanted.sku_id.clone());
            continue;
        }
        if out
            .add
            .iter()
            .any(|a| a.sku_id.eq_ignore_ascii_case(&wanted.sku_id))
            || out
                .remove
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&wanted.sku_id))
        {
            continue;
        }
        out.add.push(PlanToAdd {
            sku_id: wanted.sku_id.clone(),
            disabled_plans: disabled,
        });
    }

    if out.add.is_empty() && out.remove.is_empty() {
        if let (Some(sku_id), None) = (apps_already, &already) {
            out.reason = Some(Reason::AppsAlreadySo { sku_id });
            return out;
        }
        out.reason = Some(match (already, change.remove.first()) {
            (Some(sku_id), _) => Reason::AlreadyHasIt { sku_id },
            (None, Some(sku)) => Reason::DoesNotHaveIt {
                sku_id: sku.clone(),
            },
            (None, None) => Reason::NothingAsked,
        });
        return out;
    }

    let only_apps =
        out.remove.is_empty() && out.add.iter().all(|a| holds_directly(user, &a.sku_id));
    if !only_apps && !has_location && out.set_usage_location.is_none() && !out.add.is_empty() {
        block(&mut out, Reason::NoUsageLocation);
        return out;
    }

    if let Some(reason) = conflict(user, &out, skus) {
        block(&mut out, reason);
        return out;
    }

    out.action = match (out.add.is_empty(), out.remove.is_empty()) {
        (false, true) if only_apps => Action::Apps,
        (false, true) => Action::Add,
        (true, false) => Action::Remove,
        _ => Action::Swap,
    };
    out
}

/// The service plans of `to_sku` whose names were switched off in the removed licenses.
fn carried_disabled_plans(
    removed: &[&LicenseAssignment],
    to_sku: &str,
    skus: &HashMap<String, &Sku>,
) -> Vec<String> {
    let Some(target) = skus.get(&to_sku.to_ascii_lowercase()) else {
        return Vec::new();
    };
    let mut off_names: HashSet<&str> = HashSet::new();
    for a in removed {
        if let Some(from) = skus.get(&a.sku_id.to_ascii_lowercase()) {
            for plan in &from.service_plans {
                if a.disabled_plans
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&plan.id))
                {
                    off_names.insert(plan.name.as_str());
                }
            }
        }
    }
    target
        .service_plans
        .iter()
        .filter(|p| off_names.contains(p.name.as_str()))
        .map(|p| p.id.clone())
        .collect()
}

/// A known clash of service plans the person would have switched on after the change.
fn conflict(user: &User, out: &PersonOutcome, skus: &HashMap<String, &Sku>) -> Option<Reason> {
    let enabled_names = |sku_id: &str, disabled: &[String]| -> Vec<String> {
        skus.get(&sku_id.to_ascii_lowercase())
            .map(|s| {
                s.service_plans
                    .iter()
                    .filter(|p| !disabled.iter().any(|d| d.eq_ignore_ascii_case(&p.id)))
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut kept: HashSet<String> = HashSet::new();
    for a in user.licenses_in_place() {
        let removed = a.assigned_by_group.is_none()
            && (out.remove.iter().any(|r| r.eq_ignore_ascii_case(&a.sku_id))
                || out
                    .add
                    .iter()
                    .any(|r| r.sku_id.eq_ignore_ascii_case(&a.sku_id)));
        if !removed {
            kept.extend(enabled_names(&a.sku_id, &a.disabled_plans));
        }
    }
    for add in &out.add {
        let new = enabled_names(&add.sku_id, &add.disabled_plans);
        for (a, b) in MUTUALLY_EXCLUSIVE {
            let clash = (new.iter().any(|n| n == a) && kept.contains(*b))
                || (new.iter().any(|n| n == b) && kept.contains(*a));
            if clash {
                return Some(Reason::PlanConflict {
                    sku_id: add.sku_id.clone(),
                    plans: vec![a.to_string(), b.to_string()],
                });
            }
        }
    }
    None
}

struct Working {
    sku_id: String,
    original_id: String,
    part_number: String,
    free_before: u32,
    freed: u32,
    capacity: u32,
    /// Seats taken by the people still planned to get the plan.
    taken_wanted: u32,
}

/// Seats per touched plan for the outcomes as they stand.
/// A direct license takes a seat unless the person already holds the plan: from a group (one
/// seat per person and plan, however many times it is assigned), or directly (switching its
/// apps takes no new seat).
fn needs_seat(user: &User, sku: &str) -> bool {
    holds(user, sku).next().is_none()
}

fn ledgers_for(
    outcomes: &[PersonOutcome],
    people: &[&User],
    touched: &[String],
    skus: &HashMap<String, &Sku>,
) -> Vec<Working> {
    let mut freed: HashMap<String, u32> = HashMap::new();
    let mut taken: HashMap<String, u32> = HashMap::new();
    for (outcome, user) in outcomes.iter().zip(people) {
        for sku in &outcome.remove {
            // A seat comes back only if no group keeps the person on the plan.
            if !holds(user, sku).any(|a| a.assigned_by_group.is_some()) {
                *freed.entry(sku.to_ascii_lowercase()).or_default() += 1;
            }
        }
        for add in outcome.add.iter().filter(|a| needs_seat(user, &a.sku_id)) {
            *taken.entry(add.sku_id.to_ascii_lowercase()).or_default() += 1;
        }
    }
    touched
        .iter()
        .map(|id| {
            let key = id.to_ascii_lowercase();
            let sku = skus.get(&key);
            let free_before = sku.map(|s| s.seats.free()).unwrap_or(0);
            let freed = freed.get(&key).copied().unwrap_or(0);
            Working {
                original_id: sku.map(|s| s.sku_id.clone()).unwrap_or_else(|| id.clone()),
                part_number: sku
                    .map(|s| s.sku_part_number.clone())
                    .unwrap_or_else(|| id.clone()),
                free_before,
                freed,
                capacity: free_before.saturating_add(freed),
                taken_wanted: taken.get(&key).copied().unwrap_or(0),
                sku_id: key,
            }
        })
        .collect()
}

/// Seats everyone would need per plan if seats were no object (people blocked for want of a
/// seat included; people blocked for other reasons not).
fn demand(
    outcomes: &[PersonOutcome],
    requests: &[(&User, &WantedChange)],
) -> BTreeMap<String, u32> {
    let mut wanted: BTreeMap<String, u32> = BTreeMap::new();
    for (outcome, (user, change)) in outcomes.iter().zip(requests) {
        let wants: Vec<String> = match (&outcome.action, &outcome.reason) {
            (Action::Blocked | Action::None, Some(Reason::NoSeat { .. })) => change
                .add
                .iter()
                .filter(|a| holds(user, &a.sku_id).next().is_none())
                .map(|a| a.sku_id.to_ascii_lowercase())
                .collect(),
            _ => outcome
                .add
                .iter()
                .filter(|a| !holds_directly(user, &a.sku_id))
                .map(|a| a.sku_id.to_ascii_lowercase())
                .collect(),
        };
        for w in wants {
            *wanted.entry(w).or_default() += 1;
        }
    }
    wanted
}

impl Reason {
    /// The reason in plain English, with what to do about it. `plan_name` names a SKU id;
    /// `group_name` names a group id (its id when the name is not known).
    pub fn describe(
        &self,
        plan_name: impl Fn(&str) -> String,
        group_name: impl Fn(&str) -> String,
    ) -> String {
        match self {
            Self::AlreadyHasIt { sku_id } => format!("Already has {}.", plan_name(sku_id)),
            Self::AlreadyInGroup { group_id } => {
                format!("Already a member of {}.", group_name(group_id))
            }
            Self::NotInGroup { group_id } => {
                format!("Not a member of {}: nothing to leave.", group_name(group_id))
            }
            Self::DynamicGroup { group_id } => format!(
                "{} is a dynamic group: its members follow its rule and cannot be added or removed. Change the person's details the rule reads, or the rule.",
                group_name(group_id)
            ),
            Self::AppsAlreadySo { sku_id } => {
                format!("The apps of {} are already switched this way.", plan_name(sku_id))
            }
            Self::DoesNotHaveIt { sku_id } => {
                format!("Does not have {} directly: nothing to take away.", plan_name(sku_id))
            }
            Self::NoUsageLocation => "No usage location: Microsoft needs one before a license can be given. Set a usage location first.".into(),
            Self::FromGroup { sku_id, group_id } => format!(
                "{} comes from the group {}: remove the person from that group (or change the group's licenses) instead.",
                plan_name(sku_id),
                group_name(group_id)
            ),
            Self::UnknownPlan { sku_id } => {
                format!("The tenant has no plan {sku_id}.")
            }
            Self::NotForPeople { sku_id } => format!(
                "{} is for the organisation, not for people.",
                plan_name(sku_id)
            ),
            Self::PlanNotActive { sku_id } => format!(
                "{} is suspended, cancelled or locked: no seats can be given from it.",
                plan_name(sku_id)
            ),
            Self::PlanConflict { sku_id, plans } => format!(
                "{} cannot be added: the person would have {} together, which cannot be combined. Take the other license away in the same change (swap), or switch one of them off.",
                plan_name(sku_id),
                plans.join(" and ")
            ),
            Self::NoSeat { sku_id } => format!(
                "Not enough free {} seats for everyone asked: buy seats or choose fewer people.",
                plan_name(sku_id)
            ),
            Self::NothingAsked => "Nothing to change.".into(),
        }
    }
}
