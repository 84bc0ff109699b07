//! Licenses that look wasted, and why: people whose account is disabled, who stopped signing
//! in, who never did, and plans another plan the person holds already covers. Pure: the caller
//! reads people, their sign-in activity and the plans, and says what "now" is.
//!
//! A license from a group is listed with its group and never taken away here: Graph cannot
//! remove it from one person; the group's membership decides.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::WantedChange;
use crate::{Sku, User};

pub const DAY: i64 = 86_400;

/// 2023-12-01T00:00:00Z: since then Graph keeps the last *successful* sign-in apart
/// (`lastSuccessfulSignInDateTime`); before it, a last sign-in may have been a success.
pub const SUCCESS_KEPT_SINCE: i64 = 1_701_388_800;

/// A person's sign-in activity, as seconds since 1970.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIns {
    /// `lastSignInDateTime`: interactive, successful or failed.
    pub interactive: Option<i64>,
    /// `lastNonInteractiveSignInDateTime`.
    pub non_interactive: Option<i64>,
    /// `lastSuccessfulSignInDateTime`: successful, of either kind.
    pub successful: Option<i64>,
}

impl SignIns {
    /// When the person last signed in successfully, as far as Graph lets anyone know. A failed
    /// sign-in is not activity: where Graph keeps a successful date, that is the answer. Where
    /// it has none, a date from before December 2023 may have been a success (Graph did not
    /// keep successes apart then) and counts; a later one can only have failed.
    pub fn last_activity(&self) -> Option<i64> {
        if self.successful.is_some() {
            return self.successful;
        }
        [self.interactive, self.non_interactive]
            .into_iter()
            .flatten()
            .filter(|t| *t < SUCCESS_KEPT_SINCE)
            .max()
    }
}

/// What is known about a person besides their licenses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// `createdDateTime`, seconds since 1970.
    pub created: Option<i64>,
    /// `None`: no sign-in recorded (or sign-in activity could not be read; see
    /// [`Rules::sign_ins_known`]).
    pub sign_ins: Option<SignIns>,
}

/// Why a license looks wasted. The CLI's `reason` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum WasteReason {
    /// The account is disabled.
    Disabled,
    /// No successful sign-in for the chosen number of days.
    Inactive,
    /// The account is older than the chosen number of days and never signed in.
    NeverSignedIn,
    /// Another plan the person holds has every app (service plan) of this one switched on.
    Redundant,
    /// Wasted for one of the reasons above, but given by a group: change the membership.
    FromGroup,
}

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub disabled: bool,
    pub inactive: bool,
    pub never_signed_in: bool,
    pub redundant: bool,
    /// N for *inactive* and *never signed in*: people created less than N days ago are left
    /// out of both.
    pub days: u32,
    /// Now, seconds since 1970.
    pub now: i64,
    /// Whether sign-in activity could be read (Entra ID P1/P2 and AuditLog.Read.All). Without
    /// it, nobody is called inactive, and nobody never signed in unless `guess_from_age`:
    /// absence of data is not absence of sign-ins.
    pub sign_ins_known: bool,
    /// Without sign-in activity, call *never signed in* everyone created more than N days ago:
    /// all the creation date can say, so only when the person asks for it, and said so.
    pub guess_from_age: bool,
    /// People never to propose, by user principal name or id (any case).
    pub excluded_people: HashSet<String>,
    /// Groups whose people are never proposed (by id): people who get a license from one here;
    /// the app and the CLI also read the groups' members into `excluded_people`.
    pub excluded_groups: HashSet<String>,
    /// Only licenses of this plan (SKU id).
    pub sku: Option<String>,
    /// Only people of this department (any case).
    pub department: Option<String>,
}

impl Rules {
    /// Every reason, N days, nobody excluded.
    pub fn all(days: u32, now: i64, sign_ins_known: bool) -> Self {
        Self {
            disabled: true,
            inactive: true,
            never_signed_in: true,
            redundant: true,
            days,
            now,
            sign_ins_known,
            guess_from_age: false,
            excluded_people: HashSet::new(),
            excluded_groups: HashSet::new(),
            sku: None,
            department: None,
        }
    }
}

/// One license of one person that looks wasted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Candidate {
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub department: Option<String>,
    pub sku_id: String,
    pub reason: WasteReason,
    /// For `fromGroup`: why it looks wasted (disabled, inactive…).
    pub because: Option<WasteReason>,
    /// For `fromGroup`: the group that gives it.
    pub group_id: Option<String>,
    /// For `redundant`: the plan that covers it.
    pub covered_by: Option<String>,
    /// The last successful sign-in, seconds since 1970 (`None`: none known).
    #[ts(type = "number | null")]
    pub last_sign_in: Option<i64>,
    /// When the account was created, seconds since 1970.
    #[ts(type = "number | null")]
    pub created: Option<i64>,
}

/// The people's licenses that look wasted under `rules`, person by person in the order given,
/// each person's licenses in the order they hold them. A license counts once, for its first
/// reason in this order: disabled, never signed in or inactive, redundant.
pub fn find(people: &[(User, Activity)], skus: &[Sku], rules: &Rules) -> Vec<Candidate> {
    let apps = Apps::new(skus);
    let mut out = Vec::new();
    for (user, activity) in people {
        if excluded(user, rules) {
            continue;
        }
        if let Some(d) = &rules.department
            && !user
                .department
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(d))
        {
            continue;
        }
        let person_reason = person_reason(user, activity, rules);
        let in_place: Vec<_> = user.licenses_in_place().collect();
        let mut seen: HashSet<String> = HashSet::new();
        for license in &in_place {
            let key = license.sku_id.to_ascii_lowercase();
            if !seen.insert(key.clone()) {
                continue;
            }
            if rules
                .sku
                .as_ref()
                .is_some_and(|s| !s.eq_ignore_ascii_case(&key))
            {
                continue;
            }
            let covered_by = if rules.redundant {
                covering_plan(user, &key, &apps)
            } else {
                None
            };
            let redundant = covered_by.as_ref().map(|_| WasteReason::Redundant);
            // A guess from the account's age never hides what is known: a covered plan stays
            // *redundant*.
            let guessed =
                !rules.sign_ins_known && person_reason == Some(WasteReason::NeverSignedIn);
            let first = if guessed {
                redundant.or(person_reason)
            } else {
                person_reason.or(redundant)
            };
            let Some(reason) = first else {
                continue;
            };
            // A plan held both directly and from a group keeps its seat while the group gives
            // it: only the group's membership can free it.
            let group = in_place
                .iter()
                .filter(|l| l.sku_id.eq_ignore_ascii_case(&key))
                .find_map(|l| l.assigned_by_group.clone());
            let last_sign_in = activity.sign_ins.as_ref().and_then(SignIns::last_activity);
            out.push(Candidate {
                user_id: user.id.clone(),
                user_principal_name: user.user_principal_name.clone(),
                display_name: user.display_name.clone(),
                department: user.department.clone(),
                sku_id: license.sku_id.clone(),
                reason: if group.is_some() {
                    WasteReason::FromGroup
                } else {
                    reason
                },
                because: group.is_some().then_some(reason),
                group_id: group,
                covered_by: if reason == WasteReason::Redundant {
                    covered_by
                } else {
                    None
                },
                last_sign_in,
                created: activity.created,
            });
        }
    }
    out
}

fn excluded(user: &User, rules: &Rules) -> bool {
    let named = |key: &str| {
        rules
            .excluded_people
            .iter()
            .any(|e| e.eq_ignore_ascii_case(key))
    };
    named(&user.user_principal_name)
        || named(&user.id)
        || user.assignments.iter().any(|a| {
            a.assigned_by_group.as_ref().is_some_and(|g| {
                rules
                    .excluded_groups
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(g))
            })
        })
}

/// Why all of a person's licenses look wasted, if they do.
fn person_reason(user: &User, activity: &Activity, rules: &Rules) -> Option<WasteReason> {
    if !user.account_enabled {
        return rules.disabled.then_some(WasteReason::Disabled);
    }
    let guessing = !rules.sign_ins_known && rules.guess_from_age && rules.never_signed_in;
    if !(rules.sign_ins_known || guessing) || !(rules.inactive || rules.never_signed_in) {
        return None;
    }
    let n = i64::from(rules.days) * DAY;
    // Someone created less than N days ago has not had N days to be inactive in. Without a
    // creation date, nobody is assumed old enough.
    let old_enough = activity.created.is_some_and(|c| rules.now - c >= n);
    if !old_enough {
        return None;
    }
    if guessing {
        return Some(WasteReason::NeverSignedIn);
    }
    match activity.sign_ins.as_ref().and_then(SignIns::last_activity) {
        None => rules.never_signed_in.then_some(WasteReason::NeverSignedIn),
        Some(last) if rules.now - last >= n => rules.inactive.then_some(WasteReason::Inactive),
        Some(_) => None,
    }
}

/// Service plans that only carry other services and do nothing on their own (Exchange
/// Foundation is in most plans so that their apps can store data): not counted when asking
/// whether one plan covers another.
fn is_foundation(service_plan: &str) -> bool {
    service_plan.ends_with("_FOUNDATION")
}

/// Suites where a higher one gives everything of a lower one, even where Microsoft names the
/// tier's apps differently (Forms for E3 and for E5): each list from lower to higher.
const FAMILIES: &[&[&str]] = &[
    &["STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM"],
    &["STANDARDPACK", "ENTERPRISEPACK", "SPE_E3", "SPE_E5"],
    &["ENTERPRISEPREMIUM", "SPE_E5"],
    &["O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "SPB"],
    &["EXCHANGESTANDARD", "EXCHANGEENTERPRISE"],
    &["AAD_PREMIUM", "AAD_PREMIUM_P2"],
    &["POWER_BI_PRO", "PBI_PREMIUM_PER_USER"],
];

fn higher_in_family(lower: &str, higher: &str) -> bool {
    FAMILIES.iter().any(|family| {
        let at = |p: &str| family.iter().position(|f| f.eq_ignore_ascii_case(p));
        matches!((at(lower), at(higher)), (Some(l), Some(h)) if h > l)
    })
}

/// Each plan's apps (service plans) by name, Foundation plans left out, worked out once per
/// scan rather than once per person.
struct Apps<'a> {
    plans: HashMap<String, &'a Sku>,
    names: HashMap<String, HashSet<&'a str>>,
}

impl<'a> Apps<'a> {
    fn new(skus: &'a [Sku]) -> Self {
        Self {
            plans: skus
                .iter()
                .map(|s| (s.sku_id.to_ascii_lowercase(), s))
                .collect(),
            names: skus
                .iter()
                .map(|s| {
                    (
                        s.sku_id.to_ascii_lowercase(),
                        s.service_plans
                            .iter()
                            .filter(|p| !is_foundation(&p.name))
                            .map(|p| p.name.as_str())
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// The apps of plan `id` (lower case) the person has switched on: the plan's own set when
    /// nothing is off (no copy), else the set without what is off.
    fn on(&self, user: &User, id: &str) -> Option<std::borrow::Cow<'_, HashSet<&'a str>>> {
        let all = self.names.get(id)?;
        let off: HashSet<String> = user
            .licenses_in_place()
            .filter(|l| l.sku_id.eq_ignore_ascii_case(id))
            .flat_map(|l| l.disabled_plans.iter().map(|d| d.to_ascii_lowercase()))
            .collect();
        if off.is_empty() {
            return Some(std::borrow::Cow::Borrowed(all));
        }
        let plan = self.plans.get(id)?;
        Some(std::borrow::Cow::Owned(
            plan.service_plans
                .iter()
                .filter(|p| !off.contains(&p.id.to_ascii_lowercase()) && !is_foundation(&p.name))
                .map(|p| p.name.as_str())
                .collect(),
        ))
    }
}

/// The plan (SKU id) among the person's others that covers `sku` (lower-case id), if any: one
/// whose switched-on apps include every switched-on app of `sku`, or a higher plan of its
/// family. When two plans cover each other, the one with more apps is kept (and, equal, the
/// first by part number), so that exactly one of them is proposed.
fn covering_plan(user: &User, sku: &str, apps: &Apps<'_>) -> Option<String> {
    let this = apps.plans.get(sku)?;
    let mine = apps.on(user, sku)?;
    let mut others: Vec<String> = user
        .licenses_in_place()
        .map(|l| l.sku_id.to_ascii_lowercase())
        .filter(|id| id != sku)
        .collect();
    if others.is_empty() {
        return None;
    }
    others.sort_unstable();
    others.dedup();
    // A family's higher plan covers a lower one only with every app on: with some off, only
    // the apps themselves can tell.
    let all_on = |id: &str| {
        user.licenses_in_place()
            .filter(|l| l.sku_id.eq_ignore_ascii_case(id))
            .all(|l| l.disabled_plans.is_empty())
    };
    others.into_iter().find_map(|other| {
        let theirs = apps.on(user, &other)?;
        let other_sku = apps.plans.get(&other)?;
        let covers = mine.is_subset(&theirs)
            || (all_on(&other)
                && higher_in_family(&this.sku_part_number, &other_sku.sku_part_number));
        if !covers {
            return None;
        }
        let covered_back = theirs.is_subset(&mine)
            || (all_on(sku) && higher_in_family(&other_sku.sku_part_number, &this.sku_part_number));
        let keep_this = covered_back
            && (mine.len() > theirs.len()
                || (mine.len() == theirs.len()
                    && this.sku_part_number < other_sku.sku_part_number));
        (!keep_this).then(|| other_sku.sku_id.clone())
    })
}

/// The removals for the chosen candidates, one change per person (in the order of first
/// appearance), for the planner. Licenses from groups are left out: they cannot be removed on
/// the person.
pub fn removals(chosen: &[Candidate]) -> Vec<(String, WantedChange)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_person: HashMap<String, WantedChange> = HashMap::new();
    for c in chosen.iter().filter(|c| c.reason != WasteReason::FromGroup) {
        let change = by_person.entry(c.user_id.clone()).or_insert_with(|| {
            order.push(c.user_id.clone());
            WantedChange::default()
        });
        if !change
            .remove
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&c.sku_id))
        {
            change.remove.push(c.sku_id.clone());
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_person.remove(&id).map(|c| (id, c)))
        .collect()
}

#[cfg(test)]
mod tests;
