//! Carrying out a plan (`licensing::Plan`): usage locations first, then license changes through
//! the batched executor — removals and swaps before additions, so the seats they free are
//! there for the additions — and a retry for people whose new usage location Graph had not
//! yet seen (it replicates for a few seconds).

use std::time::Duration;

use licensing::{Action, Plan};
use reqwest::Method;
use serde_json::json;
use tokio::task::JoinSet;

use crate::changes::{
    AddLicense, ChangeOutcome, ExecutorOptions, LicenseChange, MembershipChange, Progress,
};
use crate::client::encode_segment;
use crate::{GraphClient, GraphError, GraphErrorKind};

/// Usage locations set at once (each is one small PATCH, a write the pacer counts): as many
/// as a batch of license changes, so a chunk's locations take one round trip, not three.
const LOCATION_CONCURRENCY: usize = 20;

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
    /// `PATCH /users/{id}` with the usage location (ISO 3166-1 alpha-2). Setting the same
    /// value twice changes nothing, so a lost answer is simply sent again.
    pub async fn set_usage_location(&self, user: &str, country: &str) -> Result<(), GraphError> {
        let url = self
            .endpoint()
            .v1(&format!("users/{}", encode_segment(user)));
        let body = json!({ "usageLocation": country });
        let response = self
            .send(Method::PATCH, url, Some(&body), &[], true)
            .await?;
        if (200..300).contains(&response.status) {
            Ok(())
        } else {
            Err(response.into_error())
        }
    }

    /// Carries out `plan`, one status per person in the plan's order. `progress` hears the
    /// license changes' progress (usage locations come first and are quick).
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

        // 1. Usage locations, a few at a time.
        let mut located = vec![false; plan.people.len()];
        let wanted: Vec<(usize, String, String)> = plan
            .people
            .iter()
            .enumerate()
            .filter(|(i, _)| statuses[*i].is_none())
            .filter_map(|(i, p)| {
                p.set_usage_location
                    .clone()
                    .map(|c| (i, p.user_id.clone(), c))
            })
            .collect();
        let mut tasks = JoinSet::new();
        let mut queue = wanted.into_iter();
        loop {
            while tasks.len() < LOCATION_CONCURRENCY {
                let Some((i, user, country)) = queue.next() else {
                    break;
                };
                let client = self.clone();
                tasks.spawn(async move { (i, client.set_usage_location(&user, &country).await) });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            match joined {
                Ok((i, Ok(()))) => located[i] = true,
                Ok((i, Err(e))) => statuses[i] = Some(PersonStatus::Failed(e)),
                Err(e) => tracing::error!("a usage-location task ended abnormally: {e}"),
            }
        }

        // 2. License changes: what frees seats first, then what takes them.
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
            let mut round = pending(&statuses, phase);
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
                let base = done_before;
                let outcomes = self
                    .apply_changes(&changes, options, |p| {
                        progress(Progress {
                            total,
                            done: base.done + p.done,
                            failed: base.failed + p.failed,
                            waiting: total
                                .saturating_sub(base.done + base.failed + p.done + p.failed),
                            throttled: base.throttled + p.throttled,
                        })
                    })
                    .await;
                let mut again = Vec::new();
                for (&i, outcome) in round.iter().zip(outcomes) {
                    match outcome {
                        ChangeOutcome::Applied | ChangeOutcome::Verified => {
                            done_before.done += 1;
                            statuses[i] = Some(PersonStatus::Done);
                        }
                        ChangeOutcome::Failed(e)
                            if located[i]
                                && e.kind() == Some(&GraphErrorKind::UsageLocationMissing) =>
                        {
                            again.push((i, e));
                        }
                        ChangeOutcome::Failed(e) => {
                            done_before.failed += 1;
                            statuses[i] = Some(PersonStatus::Failed(e));
                        }
                    }
                }
                round = again.iter().map(|(i, _)| *i).collect();
                if wait == Some(LOCATION_LAG_WAITS[LOCATION_LAG_WAITS.len() - 1]) {
                    for (i, e) in again {
                        done_before.failed += 1;
                        statuses[i] = Some(PersonStatus::Failed(e));
                    }
                    round.clear();
                }
            }
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
}
