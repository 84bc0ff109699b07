//! Carrying out a plan (`licensing::Plan`): license changes through the batched executor —
//! removals and swaps before additions, so the seats they free are there for the additions —
//! with the usage locations set alongside the first of them (a person who needs one is sent
//! their license once it is set), and a retry for people whose new usage location Graph had
//! not yet seen (it replicates for a few seconds).

use std::time::Duration;

use licensing::{Action, Plan};
use serde_json::{Value, json};

use crate::changes::{
    AddLicense, BatchedWrite, ChangeOutcome, ExecutorOptions, LicenseChange, MembershipChange,
    Progress,
};
use crate::client::encode_segment;
use crate::{GraphClient, GraphError, GraphErrorKind};

/// `PATCH /users/{id}` with a usage location, sent in `$batch` like the license changes.
/// Setting the same value twice changes nothing, so a lost answer is simply sent again.
struct UsageLocationWrite {
    user: String,
    /// ISO 3166-1 alpha-2.
    country: String,
}

impl BatchedWrite for UsageLocationWrite {
    fn request(&self, _client: &GraphClient) -> (&'static str, String, Option<Value>) {
        (
            "PATCH",
            format!("/users/{}", encode_segment(&self.user)),
            Some(json!({ "usageLocation": self.country })),
        )
    }

    fn read_url(&self) -> Option<String> {
        None
    }
}

/// Waits before trying again a license refused for "invalid usage location" right after the
/// location was set in this run.
const LOCATION_LAG_WAITS: [Duration; 4] = [
    Duration::from_millis(1_500),
    Duration::from_secs(3),
    Duration::from_secs(6),
    Duration::from_secs(12),
];

/// What happened to one person.
#[derive(Debug)]
pub enum PersonStatus {
    /// Everything planned for the person is in place.
    Done,
    /// Something planned failed; nothing after it was sent for the person.
    Failed(GraphError),
    /// Nothing was sent: the plan blocked the person or had nothing to do.
    Skipped,
}

impl PersonStatus {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed(_) => "failed",
            Self::Skipped => "skipped",
        }
    }
}

impl GraphClient {
    /// Carries out `plan`, one status per person in the plan's order. `progress` hears the
    /// license changes' progress (usage locations are not counted: they go alongside).
    pub async fn apply_plan(
        &self,
        plan: &Plan,
        options: &ExecutorOptions,
        mut progress: impl FnMut(Progress),
    ) -> Vec<PersonStatus> {
        let mut statuses: Vec<Option<PersonStatus>> = plan
            .people
            .iter()
            .map(|p| (p.action == Action::Blocked).then_some(PersonStatus::Skipped))
            .collect();

        // 1–2. License changes by phase: what frees seats first, then what takes them. The
        //      usage locations are set while the first phase's people who need none are sent
        //      (a location takes no seat), so a chunk costs one round trip for most of its
        //      people; those who needed a location follow once theirs is set.
        let mut locations: Option<Vec<(usize, String, String)>> = Some(
            plan.people
                .iter()
                .enumerate()
                .filter(|(i, _)| statuses[*i].is_none())
                .filter_map(|(i, p)| {
                    p.set_usage_location
                        .clone()
                        .map(|c| (i, p.user_id.clone(), c))
                })
                .collect(),
        );
        let mut located = vec![false; plan.people.len()];
        let pending = |statuses: &[Option<PersonStatus>], actions: &[Action]| -> Vec<usize> {
            plan.people
                .iter()
                .enumerate()
                .filter(|(i, p)| statuses[*i].is_none() && actions.contains(&p.action))
                .map(|(i, _)| i)
                .collect()
        };
        let total = pending(
            &statuses,
            &[Action::Remove, Action::Swap, Action::Apps, Action::Add],
        )
        .len();
        let mut done_before = Progress::default();
        for phase in [
            &[Action::Remove, Action::Swap, Action::Apps][..],
            &[Action::Add][..],
        ] {
            let round = pending(&statuses, phase);
            if round.is_empty() {
                continue;
            }
            let (now, later): (Vec<usize>, Vec<usize>) = round
                .into_iter()
                .partition(|&i| plan.people[i].set_usage_location.is_none());
            let send_now = self.license_phase(
                plan,
                now,
                &located,
                total,
                &mut done_before,
                options,
                &mut progress,
            );
            let sent_now = match locations.take() {
                Some(wanted) => {
                    let (set, sent) =
                        tokio::join!(self.set_usage_locations(wanted, options), send_now);
                    note_locations(set, &mut located, &mut statuses);
                    sent
                }
                None => send_now.await,
            };
            // Those whose location could not be set are not sent their license.
            let later: Vec<usize> = later.into_iter().filter(|&i| located[i]).collect();
            let sent_later = self
                .license_phase(
                    plan,
                    later,
                    &located,
                    total,
                    &mut done_before,
                    options,
                    &mut progress,
                )
                .await;
            for (i, status) in sent_now.into_iter().chain(sent_later) {
                statuses[i] = Some(status);
            }
        }
        // A plan with no license change still sets its usage locations.
        if let Some(wanted) = locations.take() {
            let set = self.set_usage_locations(wanted, options).await;
            note_locations(set, &mut located, &mut statuses);
        }

        // 3. Group memberships through the same batched, paced executor (each `$ref` is a
        //    write): every group left first, then every group joined, so a person moved from
        //    one group to another frees the seat before taking one.
        let members: Vec<usize> = plan
            .people
            .iter()
            .enumerate()
            .filter(|(i, p)| statuses[*i].is_none() && p.action == Action::Membership)
            .map(|(i, _)| i)
            .collect();
        let writes_of = |join: bool| -> Vec<(usize, MembershipChange)> {
            members
                .iter()
                .flat_map(|&i| {
                    let p = &plan.people[i];
                    let groups = if join {
                        &p.join_groups
                    } else {
                        &p.leave_groups
                    };
                    groups.iter().map(move |g| {
                        (
                            i,
                            MembershipChange {
                                group: g.id.clone(),
                                user: p.user_id.clone(),
                                join,
                            },
                        )
                    })
                })
                .collect()
        };
        let total = members.len() + done_before.done + done_before.failed;
        let mut failed: std::collections::HashMap<usize, GraphError> = Default::default();
        for join in [false, true] {
            // A person whose leaving failed is not sent their joins.
            let writes: Vec<(usize, MembershipChange)> = writes_of(join)
                .into_iter()
                .filter(|(i, _)| !failed.contains_key(i))
                .collect();
            if writes.is_empty() {
                continue;
            }
            let changes: Vec<MembershipChange> = writes.iter().map(|(_, c)| c.clone()).collect();
            let base = done_before;
            let outcomes = self
                .apply_changes(&changes, options, |p| {
                    progress(Progress {
                        total,
                        done: base.done + p.done.min(members.len()),
                        failed: base.failed + p.failed,
                        waiting: total.saturating_sub(base.done + base.failed + p.done + p.failed),
                        throttled: base.throttled + p.throttled,
                    })
                })
                .await;
            for ((i, _), outcome) in writes.iter().zip(outcomes) {
                if let ChangeOutcome::Failed(e) = outcome {
                    failed.entry(*i).or_insert(e);
                }
            }
        }
        for i in members {
            statuses[i] = Some(match failed.remove(&i) {
                Some(e) => PersonStatus::Failed(e),
                None => PersonStatus::Done,
            });
        }

        // 4. Whoever is left had only a usage location to set (done), or nothing (skipped).
        plan.people
            .iter()
            .zip(statuses)
            .enumerate()
            .map(|(i, (p, status))| {
                status.unwrap_or(if located[i] && p.set_usage_location.is_some() {
                    PersonStatus::Done
                } else {
                    PersonStatus::Skipped
                })
            })
            .collect()
    }

    /// Sets these people's usage locations through the batched, paced executor (each PATCH is
    /// a write Graph counts); one result per person.
    async fn set_usage_locations(
        &self,
        wanted: Vec<(usize, String, String)>,
        options: &ExecutorOptions,
    ) -> Vec<(usize, Result<(), GraphError>)> {
        let writes: Vec<UsageLocationWrite> = wanted
            .iter()
            .map(|(_, user, country)| UsageLocationWrite {
                user: user.clone(),
                country: country.clone(),
            })
            .collect();
        let outcomes = self.apply_changes(&writes, options, |_| {}).await;
        wanted
            .into_iter()
            .zip(outcomes)
            .map(|((i, _, _), outcome)| match outcome {
                ChangeOutcome::Applied | ChangeOutcome::Verified => (i, Ok(())),
                ChangeOutcome::Failed(e) => (i, Err(e)),
            })
            .collect()
    }

    /// Sends the license changes of these people (one phase of a plan) through the batched
    /// executor, and again, after a wait, for those refused for a usage location set in this
    /// run (`located`) that Graph had not seen yet. `done_before` carries the plan's progress
    /// from one phase to the next.
    #[allow(clippy::too_many_arguments)]
    async fn license_phase(
        &self,
        plan: &Plan,
        mut round: Vec<usize>,
        located: &[bool],
        total: usize,
        done_before: &mut Progress,
        options: &ExecutorOptions,
        progress: &mut impl FnMut(Progress),
    ) -> Vec<(usize, PersonStatus)> {
        let change_of = |i: usize| {
            let p = &plan.people[i];
            LicenseChange {
                user: p.user_id.clone(),
                add: p
                    .add
                    .iter()
                    .map(|a| AddLicense {
                        sku_id: a.sku_id.clone(),
                        disabled_plans: a.disabled_plans.clone(),
                    })
                    .collect(),
                remove: p.remove.clone(),
            }
        };
        let mut statuses = Vec::with_capacity(round.len());
        for wait in std::iter::once(None).chain(LOCATION_LAG_WAITS.iter().copied().map(Some)) {
            if round.is_empty() {
                break;
            }
            if let Some(wait) = wait {
                tracing::debug!(
                    people = round.len(),
                    ?wait,
                    "usage location not seen yet; trying again"
                );
                tokio::time::sleep(wait).await;
            }
            let changes: Vec<LicenseChange> = round.iter().map(|&i| change_of(i)).collect();
            let base = *done_before;
            let outcomes = self
                .apply_changes(&changes, options, |p| {
                    progress(Progress {
                        total,
                        done: base.done + p.done,
                        failed: base.failed + p.failed,
                        waiting: total.saturating_sub(base.done + base.failed + p.done + p.failed),
                        throttled: base.throttled + p.throttled,
                    })
                })
                .await;
            let mut again = Vec::new();
            for (&i, outcome) in round.iter().zip(outcomes) {
                match outcome {
                    ChangeOutcome::Applied | ChangeOutcome::Verified => {
                        done_before.done += 1;
                        statuses.push((i, PersonStatus::Done));
                    }
                    ChangeOutcome::Failed(e)
                        if located[i]
                            && e.kind() == Some(&GraphErrorKind::UsageLocationMissing) =>
                    {
                        again.push((i, e));
                    }
                    ChangeOutcome::Failed(e) => {
                        done_before.failed += 1;
                        statuses.push((i, PersonStatus::Failed(e)));
                    }
                }
            }
            round = again.iter().map(|(i, _)| *i).collect();
            if wait == Some(LOCATION_LAG_WAITS[LOCATION_LAG_WAITS.len() - 1]) {
                for (i, e) in again {
                    done_before.failed += 1;
                    statuses.push((i, PersonStatus::Failed(e)));
                }
                round.clear();
            }
        }
        statuses
    }
}

/// Notes who now has their usage location, and fails those whose location Graph refused.
fn note_locations(
    set: Vec<(usize, Result<(), GraphError>)>,
    located: &mut [bool],
    statuses: &mut [Option<PersonStatus>],
) {
    for (i, result) in set {
        match result {
            Ok(()) => located[i] = true,
            Err(e) => statuses[i] = Some(PersonStatus::Failed(e)),
        }
    }
}
