//! Group-based licensing as Microsoft Entra ID does it (shared/reference/
//! reclaim-groups-shipping.md, "Group-based licensing"; graph-licensing.md §8):
//!
//! - a group carries licenses (`assignedLicenses`, with apps switched off); its members get them;
//! - membership and group-license changes are processed in the background: until a member is
//!   processed their `licenseAssignmentStates` has no entry from the group (a client shows them
//!   *pending*), then an `Active` entry (a seat is taken) or an `Error` one with why
//!   (`CountViolation`, `MutuallyExclusiveViolation`, `DependencyViolation`; no seat);
//! - a member without a usage location inherits the directory's (Microsoft's note on group
//!   license assignment), so that alone is no error;
//! - a seat freed later does not reprocess anyone by itself: `reprocessLicenseAssignment` does;
//! - dynamic groups follow their rule; their members cannot be added or removed.
//!
//! The work is queued with the time it is done; [`Tenant::settle_groups`] carries out what is
//! due, and the server calls it before every request, so a client sees the states move as time
//! passes, as on Graph.

use std::time::{Duration, Instant};

use crate::ops::{AddLicense, Effect, Refusal, ServicePlanConflict, is_guid};
use crate::tenant::{GroupLicense, GroupLicenseError, SimLicense, Tenant};

/// Members waiting for Graph to process them, by (group, member), each with when it is due.
/// Asked before every request whether anything is due, so that question is O(1): the
/// earliest due time is kept (a replaced entry may leave it early, which costs one settle
/// that finds nothing and moves it on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupQueue {
    due: std::collections::HashMap<(String, String), Instant>,
    earliest: Option<Instant>,
}

impl GroupQueue {
    /// One pending processing per member and group: a later one replaces it.
    fn push(&mut self, group_id: &str, user_id: &str, due: Instant) {
        self.due.insert(
            (group_id.to_ascii_lowercase(), user_id.to_ascii_lowercase()),
            due,
        );
        self.earliest = Some(self.earliest.map_or(due, |e| e.min(due)));
    }

    fn any_due(&self, now: Instant) -> bool {
        self.earliest.is_some_and(|e| e <= now)
    }

    /// Takes out what is due by `now`, oldest first.
    fn take_due(&mut self, now: Instant) -> Vec<(String, String)> {
        let mut due: Vec<((String, String), Instant)> = Vec::new();
        self.due.retain(|key, at| {
            if *at <= now {
                due.push((key.clone(), *at));
                false
            } else {
                true
            }
        });
        self.earliest = self.due.values().min().copied();
        due.sort_by_key(|(_, at)| *at);
        due.into_iter().map(|(key, _)| key).collect()
    }

    fn group_busy(&self, group_id: &str, now: Instant) -> bool {
        let group = group_id.to_ascii_lowercase();
        self.due.iter().any(|((g, _), at)| *g == group && *at > now)
    }

    fn pending(&self, group_id: &str, user_id: &str, now: Instant) -> bool {
        self.due
            .get(&(group_id.to_ascii_lowercase(), user_id.to_ascii_lowercase()))
            .is_some_and(|at| *at > now)
    }
}

/// `licenseProcessingState.state` of a group.
pub const PROCESSING_COMPLETE: &str = "ProcessingComplete";
pub const PROCESSING_IN_PROGRESS: &str = "ProcessingInProgress";

fn already_member() -> Refusal {
    Refusal {
        status: 400,
        code: "Request_BadRequest",
        message: "One or more added object references already exist for the following modified properties: 'members'.".into(),
    }
}

fn not_a_member() -> Refusal {
    Refusal {
        status: 404,
        code: "Request_ResourceNotFound",
        message: "One or more removed object references do not exist for the following modified properties: 'members'.".into(),
    }
}

/// Graph answers an edit of a dynamic group's members with its generic refusal; a client
/// should read `groupTypes` first (LicenseDesk does, and says why).
fn dynamic_group() -> Refusal {
    Refusal {
        status: 403,
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.".into(),
    }
}

impl Tenant {
    /// Members of the generated groups: whoever holds a license from one, or an error.
    pub(crate) fn seed_members(&mut self) {
        for g in 0..self.groups.len() {
            let id = self.groups[g].id.clone();
            let members: Vec<String> = self
                .users
                .iter()
                .filter(|u| {
                    u.licenses
                        .iter()
                        .any(|l| l.assigned_by_group.as_deref() == Some(id.as_str()))
                        || u.group_errors.iter().any(|e| e.group_id == id)
                })
                .map(|u| u.id.to_ascii_lowercase())
                .collect();
            self.groups[g].members.extend(members);
        }
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.id.eq_ignore_ascii_case(id))
    }

    fn group_or_404(&self, id: &str) -> Result<usize, Refusal> {
        if !is_guid(id) {
            return Err(Refusal::bad_guid());
        }
        self.group_index(id).ok_or_else(|| Refusal::not_found(id))
    }

    fn queue(&mut self, group_id: &str, user_id: &str, due: Instant) {
        self.group_queue.push(group_id, user_id, due);
    }

    /// `POST /groups/{id}/members/$ref`.
    pub fn add_member(
        &mut self,
        group_id: &str,
        member: &str,
        now: Instant,
        delay: Duration,
    ) -> Result<Effect, Refusal> {
        let g = self.group_or_404(group_id)?;
        let u = self
            .user_index(member)
            .ok_or_else(|| Refusal::not_found(member))?;
        if self.groups[g].membership_rule.is_some() {
            return Err(dynamic_group());
        }
        let user_id = self.users[u].id.to_ascii_lowercase();
        if !self.groups[g].members.insert(user_id.clone()) {
            return Err(already_member());
        }
        let id = self.groups[g].id.clone();
        self.queue(&id, &user_id, now + delay);
        Ok(Effect::Applied)
    }

    /// `DELETE /groups/{id}/members/{userId}/$ref`.
    pub fn remove_member(
        &mut self,
        group_id: &str,
        member: &str,
        now: Instant,
        delay: Duration,
    ) -> Result<Effect, Refusal> {
        let g = self.group_or_404(group_id)?;
        let u = self
            .user_index(member)
            .ok_or_else(|| Refusal::not_found(member))?;
        if self.groups[g].membership_rule.is_some() {
            return Err(dynamic_group());
        }
        let user_id = self.users[u].id.to_ascii_lowercase();
        if !self.groups[g].members.remove(&user_id) {
            return Err(not_a_member());
        }
        let id = self.groups[g].id.clone();
        self.queue(&id, &user_id, now + delay);
        Ok(Effect::Applied)
    }

    /// `POST /groups/{id}/assignLicense`: the group's licenses change at once (all of the
    /// request or none of it); its members are processed in the background.
    pub fn assign_group_license(
        &mut self,
        group_id: &str,
        add: &[AddLicense],
        remove: &[String],
        now: Instant,
        delay: Duration,
    ) -> Result<(usize, Effect), Refusal> {
        let g = self.group_or_404(group_id)?;
        let ids = add
            .iter()
            .flat_map(|a| std::iter::once(&a.sku_id).chain(a.disabled_plans.iter()))
            .chain(remove.iter());
        if ids.into_iter().any(|id| !is_guid(id)) {
            return Err(Refusal::bad_guid());
        }
        let mut next = self.groups[g].licenses.clone();
        for r in remove {
            let before = next.len();
            next.retain(|l| !l.sku_id.eq_ignore_ascii_case(r));
            if next.len() == before {
                return Err(Refusal::bad_request_text(
                    "The group does not have a corresponding license.",
                ));
            }
        }
        for a in add {
            let sku = self.sku(&a.sku_id).ok_or_else(|| {
                Refusal::bad_request_text(format!(
                    "License {} does not correspond to a valid company License.",
                    a.sku_id
                ))
            })?;
            let sku_id = sku.sku_id.clone();
            match next.iter_mut().find(|l| l.sku_id == sku_id) {
                Some(existing) => existing.disabled_plans = a.disabled_plans.clone(),
                None => next.push(GroupLicense {
                    sku_id,
                    disabled_plans: a.disabled_plans.clone(),
                }),
            }
        }
        if next == self.groups[g].licenses {
            return Ok((g, Effect::Unchanged));
        }
        self.groups[g].licenses = next;
        let id = self.groups[g].id.clone();
        let members: Vec<String> = self.groups[g].members.iter().cloned().collect();
        for m in members {
            self.queue(&id, &m, now + delay);
        }
        Ok((g, Effect::Applied))
    }

    /// `POST /users/{id}/reprocessLicenseAssignment`: every group the person is in (or has
    /// an entry from) is processed for them again.
    pub fn reprocess(
        &mut self,
        user_key: &str,
        now: Instant,
        delay: Duration,
    ) -> Result<usize, Refusal> {
        let u = self
            .user_index(user_key)
            .ok_or_else(|| Refusal::not_found(user_key))?;
        let user_id = self.users[u].id.to_ascii_lowercase();
        let groups: Vec<String> = self
            .groups
            .iter()
            .filter(|g| {
                g.members.contains(&user_id)
                    || self.users[u]
                        .licenses
                        .iter()
                        .any(|l| l.assigned_by_group.as_deref() == Some(g.id.as_str()))
                    || self.users[u]
                        .group_errors
                        .iter()
                        .any(|e| e.group_id == g.id)
            })
            .map(|g| g.id.clone())
            .collect();
        for g in groups {
            self.queue(&g, &user_id, now + delay);
        }
        Ok(u)
    }

    /// Whether background work is due (cheap: asked before every request).
    pub fn group_work_due(&self, now: Instant) -> bool {
        self.group_queue.any_due(now)
    }

    /// Carries out the background work due by `now`, oldest first.
    pub fn settle_groups(&mut self, now: Instant) {
        for (group_id, user_id) in self.group_queue.take_due(now) {
            if let (Some(g), Some(u)) = (self.group_index(&group_id), self.user_index(&user_id)) {
                self.process(g, u);
            }
        }
    }

    /// `licenseProcessingState.state` of a group at `now`.
    pub fn group_processing(&self, group_id: &str, now: Instant) -> &'static str {
        if self.group_queue.group_busy(group_id, now) {
            PROCESSING_IN_PROGRESS
        } else {
            PROCESSING_COMPLETE
        }
    }

    /// Whether `user_id` waits for the group's processing at `now`.
    pub fn member_pending(&self, group_id: &str, user_id: &str, now: Instant) -> bool {
        self.group_queue.pending(group_id, user_id, now)
    }

    /// Gives the person what the group gives (or records why not), or takes it back when
    /// they left the group.
    fn process(&mut self, g: usize, u: usize) {
        let group = self.groups[g].clone();
        let member = group
            .members
            .contains(&self.users[u].id.to_ascii_lowercase());
        let mut licenses: Vec<SimLicense> = self.users[u]
            .licenses
            .iter()
            .filter(|l| l.assigned_by_group.as_deref() != Some(group.id.as_str()))
            .cloned()
            .collect();
        self.users[u]
            .group_errors
            .retain(|e| e.group_id != group.id);
        self.set_licenses(u, licenses.clone());
        if !member {
            return;
        }
        let mut errors = Vec::new();
        for gl in &group.licenses {
            let Some(sku) = self.sku(&gl.sku_id) else {
                continue;
            };
            let holds = licenses.iter().any(|l| l.sku_id == sku.sku_id);
            let mut with = licenses.clone();
            with.push(SimLicense {
                sku_id: sku.sku_id.clone(),
                disabled_plans: gl.disabled_plans.clone(),
                assigned_by_group: Some(group.id.clone()),
            });
            // What the person holds decides first (it stays true whatever seats are freed),
            // then the seats.
            let error = match self.service_plan_conflict(&with) {
                Some(ServicePlanConflict::MutuallyExclusive) => Some("MutuallyExclusiveViolation"),
                Some(ServicePlanConflict::Dependency) => Some("DependencyViolation"),
                None if !holds && self.consumed(&sku.sku_id) + 1 > sku.enabled => {
                    Some("CountViolation")
                }
                None => None,
            };
            match error {
                Some(error) => errors.push(GroupLicenseError {
                    sku_id: sku.sku_id.clone(),
                    group_id: group.id.clone(),
                    disabled_plans: gl.disabled_plans.clone(),
                    error,
                }),
                None => {
                    licenses = with;
                    self.set_licenses(u, licenses.clone());
                }
            }
        }
        self.users[u].group_errors.extend(errors);
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

    #[test]
    fn generated_groups_know_their_members() {
        let t = tenant();
        for g in &t.groups {
            let holders = t
                .users
                .iter()
                .filter(|u| {
                    u.licenses
                        .iter()
                        .any(|l| l.assigned_by_group.as_deref() == Some(g.id.as_str()))
                        || u.group_errors.iter().any(|e| e.group_id == g.id)
                })
                .count();
            assert_eq!(g.members.len(), holders, "{}", g.display_name);
            assert!(!g.members.is_empty(), "{}", g.display_name);
        }
    }

    #[test]
    fn a_new_member_is_pending_then_active_with_a_seat_then_leaves_and_frees_it() {
        let mut t = tenant();
        let sales = t.groups[0].id.clone();
        let sku = t.groups[0].licenses[0].sku_id.clone();
        let u = t
            .users
            .iter()
            .position(|u| u.licenses.is_empty() && u.usage_location.is_none())
            .expect("an unlicensed person without a usage location");
        let id = t.users[u].id.clone();
        let before = t.consumed(&sku);
        let now = Instant::now();
        let delay = Duration::from_secs(2);
        assert_eq!(t.add_member(&sales, &id, now, delay), Ok(Effect::Applied));
        assert_eq!(t.add_member(&sales, &id, now, delay), Err(already_member()));
        assert!(t.member_pending(&sales, &id, now));
        assert_eq!(t.group_processing(&sales, now), PROCESSING_IN_PROGRESS);
        t.settle_groups(now + Duration::from_secs(1));
        assert!(
            t.users[u].licenses.is_empty(),
            "not processed before its time"
        );
        t.settle_groups(now + delay);
        assert!(!t.member_pending(&sales, &id, now + delay));
        // No usage location: the directory's is used, so no error.
        assert_eq!(t.users[u].licenses.len(), 1);
        assert_eq!(t.consumed(&sku), before + 1);
        assert_eq!(t.consumed_units(), t.recount_consumed());

        assert_eq!(
            t.remove_member(&sales, &id, now, delay),
            Ok(Effect::Applied)
        );
        assert_eq!(
            t.remove_member(&sales, &id, now, delay),
            Err(not_a_member())
        );
        t.settle_groups(now + delay);
        assert!(t.users[u].licenses.is_empty());
        assert_eq!(t.consumed(&sku), before);
    }

    #[test]
    fn no_seat_is_a_count_violation_until_one_is_freed_and_the_person_reprocessed() {
        let mut t = tenant();
        let support = t
            .groups
            .iter()
            .position(|g| g.licenses[0].sku_id == EXCHANGEENTERPRISE)
            .expect("support group");
        let gid = t.groups[support].id.clone();
        let in_error = t
            .users
            .iter()
            .position(|u| {
                u.group_errors
                    .iter()
                    .any(|e| e.group_id == gid && e.error == "CountViolation")
            })
            .expect("a CountViolation");
        let holder = t
            .users
            .iter()
            .position(|u| {
                u.licenses
                    .iter()
                    .any(|l| l.assigned_by_group.as_deref() == Some(gid.as_str()))
            })
            .expect("a holder");
        let now = Instant::now();
        let zero = Duration::ZERO;
        // Reprocessing alone changes nothing: still no seat.
        t.reprocess(&t.users[in_error].id.clone(), now, zero)
            .expect("reprocess");
        t.settle_groups(now);
        assert_eq!(t.users[in_error].group_errors[0].error, "CountViolation");
        // Free a seat: the holder leaves the group.
        let holder_id = t.users[holder].id.clone();
        t.remove_member(&gid, &holder_id, now, zero)
            .expect("remove");
        t.settle_groups(now);
        assert!(
            !t.users[in_error]
                .licenses
                .iter()
                .any(|l| l.sku_id == EXCHANGEENTERPRISE),
            "a freed seat is not given by itself"
        );
        t.reprocess(&t.users[in_error].id.clone(), now, zero)
            .expect("reprocess");
        t.settle_groups(now);
        assert!(t.users[in_error].group_errors.is_empty());
        assert!(
            t.users[in_error]
                .licenses
                .iter()
                .any(|l| l.sku_id == EXCHANGEENTERPRISE)
        );
        assert_eq!(t.consumed_units(), t.recount_consumed());
    }

    #[test]
    fn conflicts_and_dynamic_groups_and_unknown_ids() {
        let mut t = tenant();
        let now = Instant::now();
        let reception = t
            .groups
            .iter()
            .find(|g| g.licenses[0].sku_id == SPB)
            .expect("reception")
            .id
            .clone();
        let errors: Vec<&str> = t
            .users
            .iter()
            .flat_map(|u| u.group_errors.iter())
            .filter(|e| e.group_id == reception)
            .map(|e| e.error)
            .collect();
        assert!(
            errors.iter().all(|e| *e == "DependencyViolation"),
            "{errors:?}"
        );
        // Reprocessed, the same people get the same answer from the rules themselves.
        let people: Vec<String> = t.groups[t.group_index(&reception).expect("g")]
            .members
            .iter()
            .cloned()
            .collect();
        for p in &people {
            t.reprocess(p, now, Duration::ZERO).expect("reprocess");
        }
        t.settle_groups(now);
        let again: Vec<&str> = t
            .users
            .iter()
            .flat_map(|u| u.group_errors.iter())
            .filter(|e| e.group_id == reception)
            .map(|e| e.error)
            .collect();
        assert_eq!(again, errors);

        let dynamic = t
            .groups
            .iter()
            .find(|g| g.membership_rule.is_some())
            .expect("a dynamic group")
            .id
            .clone();
        let someone = t.users[0].id.clone();
        assert_eq!(
            t.add_member(&dynamic, &someone, now, Duration::ZERO),
            Err(dynamic_group())
        );
        assert_eq!(
            t.add_member(
                "00000000-0000-0000-0000-000000000000",
                &someone,
                now,
                Duration::ZERO
            )
            .map_err(|r| r.status),
            Err(404)
        );
        assert_eq!(
            t.add_member(&reception, "nobody@contoso.com", now, Duration::ZERO)
                .map_err(|r| r.status),
            Err(404)
        );
        assert_eq!(
            t.add_member("not-a-guid", &someone, now, Duration::ZERO)
                .map_err(|r| r.status),
            Err(400)
        );
    }
}
