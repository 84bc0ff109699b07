//! Runs with a journal, the same in the app and the CLI:
//!
//! - [`carry_out`] sends a plan chunk by chunk; each chunk is written to the journal as sent
//!   *before* it goes, and its answers after. Pause and cancel are honoured between chunks.
//! - [`settle`] finishes a run cut short: a change marked sent whose answer never came is
//!   settled by reading the person (already as planned → done; still as before → sent again;
//!   anything else → left alone, changed by someone else), never by sending it blind.
//! - [`reverse`] works out the undo of a run from the journal and the people as they are now.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use graph::{ExecutorOptions, GraphClient, GraphError, GraphErrorKind, PersonStatus};
use journal::{ChangeStatus, Journal, JournalError, Licensing, Outcome, RunDetail};
use licensing::{Action, PersonOutcome, Plan, PlanToAdd, UsageLocationChange, User, WantedChange};
use tokio::sync::Notify;

/// People carried out between two journal writes and two checks for pause and cancel: small
/// enough that Cancel stops within a second or two and a crash leaves few answers to settle;
/// large enough for the executor's batching (BENCHMARKS.md: the journal's cost).
pub const CHUNK: usize = 200;

/// People read at once when settling or undoing.
const READS_AT_ONCE: usize = 8;
/// Above this many people, the whole directory is read page by page instead.
const ONE_BY_ONE: usize = 100;

/// Pause, resume and cancel of a run in progress.
#[derive(Default)]
pub struct Control {
    paused: AtomicBool,
    cancelled: AtomicBool,
    resumed: Notify,
}

impl Control {
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
        self.resumed.notify_waiters();
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.resume();
    }

    /// Ready for a new run: neither paused nor cancelled.
    pub fn reset(&self) {
        self.paused.store(false, Ordering::SeqCst);
        self.cancelled.store(false, Ordering::SeqCst);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// How far a run is.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    /// People to send something for.
    pub total: u32,
    pub done: u32,
    pub failed: u32,
    pub paused: bool,
}

/// A stable code for a failure, kept in the journal beside Graph's words.
pub fn failure_code(error: &GraphError) -> &'static str {
    match error.kind() {
        Some(GraphErrorKind::UsageLocationMissing) => "usageLocationMissing",
        Some(GraphErrorKind::NoFreeSeat { .. }) => "noFreeSeat",
        Some(GraphErrorKind::InheritedFromGroup) => "fromGroup",
        Some(GraphErrorKind::MutuallyExclusive { .. }) => "mutuallyExclusive",
        Some(GraphErrorKind::DependencyMissing) => "dependencyMissing",
        Some(GraphErrorKind::Forbidden) => "forbidden",
        Some(GraphErrorKind::NotFound) => "notFound",
        Some(GraphErrorKind::Throttled | GraphErrorKind::Transient) => "busy",
        _ => "other",
    }
}

/// People sent and not yet answered, across the chunks in flight: a new chunk starts while
/// fewer are outstanding, so the next chunk is ready when one ends (its last, slowest answers,
/// or the few people who waited for their usage location) and the journal's write between
/// chunks is hidden. The client never has more than `graph::MOST_WRITES_IN_FLIGHT` writes in
/// flight, however many chunks are going; more chunks would only make Cancel slower.
const OUTSTANDING: u32 = graph::MOST_WRITES_IN_FLIGHT as u32;
/// And never more chunks than this in flight (a chunk's tail may be a person waiting seconds
/// for Graph to see a new usage location).
const MOST_CHUNKS_AT_ONCE: usize = 4;

/// Carries out `plan` (whose people are the journal's changes `seqs`, in the same order) for
/// `run`. Removals and swaps go first, as they free seats the additions may need: the additions
/// start only once every removal has its answer. Returns each person's status (`None`: not
/// sent, the run was cancelled first).
///
/// Each chunk is marked sent in the journal before it goes and its answers are recorded when
/// they come (one transaction does both: one chunk's answers, the next chunk's "sent"). A
/// journal that cannot be written stops the run: nothing is sent that is not recorded.
pub async fn carry_out(
    client: &GraphClient,
    journal: &Journal,
    run: &str,
    plan: &Plan,
    seqs: &[u32],
    control: &Control,
    mut on_progress: impl FnMut(Tally),
) -> Result<Vec<Option<PersonStatus>>, JournalError> {
    let rank = |a: Action| match a {
        Action::Remove | Action::Swap | Action::Apps => 0,
        Action::Add | Action::Membership => 1,
        Action::None => 2,
        Action::Blocked => 3,
    };
    let mut order: Vec<usize> = (0..plan.people.len()).collect();
    // Within a kind, the people who need a usage location first: each needs two round trips
    // (the location, then the license), which the chunks after theirs then hide, instead of
    // adding a round trip at the run's end.
    order.sort_by_key(|&i| {
        let p = &plan.people[i];
        (rank(p.action), p.set_usage_location.is_none())
    });
    // Chunks never mix removals with additions, so the ones can be waited for before the others.
    let mut chunks: std::collections::VecDeque<(u8, Vec<usize>)> = order
        .chunk_by(|&a, &b| rank(plan.people[a].action) == rank(plan.people[b].action))
        .flat_map(|group| {
            let r = rank(plan.people[group[0]].action);
            group.chunks(CHUNK).map(move |c| (r, c.to_vec()))
        })
        .collect();
    let total = plan
        .people
        .iter()
        .filter(|p| journal::sends_anything(p))
        .count() as u32;
    let mut statuses: Vec<Option<PersonStatus>> = (0..plan.people.len()).map(|_| None).collect();
    let (mut done, mut failed) = (0u32, 0u32);
    let mut cancelled = false;

    // Chunks in flight: each its own task (so several make progress at once), aborted if the run
    // is dropped; their progress comes back over `updates`.
    let mut tasks: tokio::task::JoinSet<(usize, Vec<usize>, Vec<PersonStatus>)> =
        tokio::task::JoinSet::new();
    let (updates, mut progress_of) = tokio::sync::mpsc::unbounded_channel::<(usize, u32, u32)>();
    // Per chunk in flight: (done, failed, people it sends something for).
    let mut live: HashMap<usize, (u32, u32, u32)> = HashMap::new();
    let mut running_rank: Option<u8> = None;
    let mut next_no = 0usize;
    // The answers of the last chunk back, written with the next chunk's "sent".
    let mut unrecorded: Vec<Outcome> = Vec::new();
    let tally =
        |done: u32, failed: u32, live: &HashMap<usize, (u32, u32, u32)>, paused: bool| Tally {
            total,
            done: done + live.values().map(|v| v.0).sum::<u32>(),
            failed: failed + live.values().map(|v| v.1).sum::<u32>(),
            paused,
        };
    let outstanding = |live: &HashMap<usize, (u32, u32, u32)>| -> u32 {
        live.values()
            .map(|&(d, f, sends)| sends.saturating_sub(d + f))
            .sum()
    };

    loop {
        // Start chunks while there is room, the run is neither paused nor cancelled, and the
        // chunk is of the kind already going (additions wait for removals to finish).
        while tasks.len() < MOST_CHUNKS_AT_ONCE
            && outstanding(&live) < OUTSTANDING
            && !control.is_paused()
            && !control.is_cancelled()
        {
            let Some((r, _)) = chunks.front() else { break };
            if running_rank.is_some_and(|running| running != *r) && !tasks.is_empty() {
                break;
            }
            let (r, chunk) = chunks.pop_front().expect("a chunk");
            running_rank = Some(r);
            let sending: Vec<u32> = chunk
                .iter()
                .filter(|&&i| journal::sends_anything(&plan.people[i]))
                .map(|&i| seqs[i])
                .collect();
            journal.step(run, &std::mem::take(&mut unrecorded), &sending)?;
            let part = Plan {
                people: chunk.iter().map(|&i| plan.people[i].clone()).collect(),
                seats: Vec::new(),
            };
            let no = next_no;
            next_no += 1;
            live.insert(no, (0, 0, sending.len() as u32));
            let client = client.clone();
            let updates = updates.clone();
            tasks.spawn(async move {
                let results = client
                    .apply_plan(&part, &ExecutorOptions::default(), |p| {
                        let _ = updates.send((no, p.done as u32, p.failed as u32));
                    })
                    .await;
                (no, chunk, results)
            });
        }
        journal.step(run, &std::mem::take(&mut unrecorded), &[])?;

        if tasks.is_empty() {
            if chunks.is_empty() {
                break;
            }
            if control.is_cancelled() {
                cancelled = true;
                break;
            }
            // Paused with nothing in flight: wait for Resume (or Cancel).
            on_progress(tally(done, failed, &live, true));
            let woken = control.resumed.notified();
            if control.is_paused() && !control.is_cancelled() {
                woken.await;
            }
            continue;
        }

        tokio::select! {
            Some((no, d, f)) = progress_of.recv() => {
                if let Some(v) = live.get_mut(&no) {
                    (v.0, v.1) = (d, f);
                    on_progress(tally(done, failed, &live, false));
                }
            }
            Some(joined) = tasks.join_next() => {
                let (no, chunk, results) = match joined {
                    Ok(answer) => answer,
                    // A panic in the engine is a bug: let it surface as before. The chunk
                    // stays marked sent, so finishing the run settles it by reading people.
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(_) => continue,
                };
                live.remove(&no);
                for (&i, status) in chunk.iter().zip(results) {
                    let counts = journal::sends_anything(&plan.people[i]);
                    let (journal_status, error, code) = match &status {
                        PersonStatus::Done if counts => {
                            done += 1;
                            (ChangeStatus::Done, None, None)
                        }
                        PersonStatus::Done | PersonStatus::Skipped => {
                            (ChangeStatus::Skipped, None, None)
                        }
                        PersonStatus::Failed(e) => {
                            failed += 1;
                            (
                                ChangeStatus::Failed,
                                Some(e.to_string()),
                                Some(failure_code(e).to_string()),
                            )
                        }
                    };
                    unrecorded.push(Outcome {
                        seq: seqs[i],
                        status: journal_status,
                        error,
                        error_code: code,
                    });
                    statuses[i] = Some(status);
                }
                on_progress(tally(done, failed, &live, false));
            }
        }
    }
    journal.finish(run, cancelled)?;
    Ok(statuses)
}

/// Reads these people as they are now (at most a few at a time). A person who is gone is
/// missing from the answer; any other failure is returned.
pub async fn read_people(
    client: &GraphClient,
    ids: &[String],
) -> Result<HashMap<String, User>, GraphError> {
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    // Many people: the directory's pages (999 people a request) beat one request each.
    if wanted.len() > ONE_BY_ONE {
        let mut people = HashMap::new();
        client
            .users_by_page(|page| {
                for u in page.into_iter().filter(|u| wanted.contains(u.id.as_str())) {
                    let user = u.to_domain();
                    people.insert(user.id.clone(), user);
                }
            })
            .await?;
        return Ok(people);
    }
    let limit = Arc::new(tokio::sync::Semaphore::new(READS_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    for id in ids.iter().cloned().collect::<HashSet<_>>() {
        let client = client.clone();
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (id.clone(), client.user(&id).await)
        });
    }
    let mut people = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((id, read)) = joined else { continue };
        match read {
            Ok(u) => {
                people.insert(id, u.to_domain());
            }
            Err(e) if matches!(e.kind(), Some(GraphErrorKind::NotFound)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(people)
}

/// What is left of an interrupted run once the lost answers are settled.
#[derive(Debug, Default)]
pub struct Settled {
    /// The changes still to send (pending ones, and sent ones whose person is still as
    /// before), with their journal numbers.
    pub plan: Plan,
    pub seqs: Vec<u32>,
    /// Sent changes found already in place (counted done without sending anything).
    pub found_done: u32,
    /// Sent changes whose person was changed by someone else (left alone).
    pub changed_since: u32,
}

/// Settles every open change of `run`: pending ones are still to send; a sent one is decided
/// by reading the person. The journal is updated with what was decided.
pub async fn settle(
    client: &GraphClient,
    journal: &Journal,
    run: &str,
) -> Result<Settled, RunError> {
    let detail = journal.detail(run)?;
    let sent: Vec<String> = detail
        .changes
        .iter()
        .filter(|c| c.status == ChangeStatus::Sent)
        .map(|c| c.outcome.user_id.clone())
        .collect();
    let now = read_people(client, &sent).await?;
    let mut settled = Settled::default();
    let mut decided = Vec::new();
    for change in detail.changes.iter().filter(|c| c.status.is_open()) {
        if change.status == ChangeStatus::Pending {
            settled.plan.people.push(change.outcome.clone());
            settled.seqs.push(change.seq);
            continue;
        }
        let after = change.before.after(&change.outcome);
        let Some(person) = now.get(&change.outcome.user_id) else {
            decided.push(Outcome {
                seq: change.seq,
                status: ChangeStatus::Failed,
                error: Some("This person no longer exists in the tenant.".into()),
                error_code: Some("notFound".into()),
            });
            continue;
        };
        let current = Licensing::of(person);
        let location_in_place = change.outcome.set_usage_location.is_none()
            || current.usage_location == after.usage_location;
        if current.same_for(&after, change.outcome.action) && location_in_place {
            settled.found_done += 1;
            decided.push(Outcome {
                seq: change.seq,
                status: ChangeStatus::Done,
                error: None,
                error_code: None,
            });
        } else if current.same_for(&change.before, change.outcome.action) {
            // Never landed (or only the usage location did): send it again. A usage location
            // already in place is set again all the same: the PATCH changes nothing, and it
            // tells the engine to wait out Microsoft's replication of a location that may
            // have been set just before the crash.
            settled.plan.people.push(change.outcome.clone());
            settled.seqs.push(change.seq);
        } else {
            settled.changed_since += 1;
            decided.push(Outcome {
                seq: change.seq,
                status: ChangeStatus::Failed,
                error: Some(CHANGED_SINCE.into()),
                error_code: Some("changedSince".into()),
            });
        }
    }
    journal.record(run, &decided)?;
    Ok(settled)
}

const CHANGED_SINCE: &str = "Someone changed this person's licenses since LicenseDesk planned this: left as they are. Check the person.";

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// A person the undo leaves alone, and why.
#[derive(Debug, Clone)]
pub struct LeftAlone {
    pub outcome: PersonOutcome,
    pub why: String,
}

/// The undo of a run: for each person the run changed, the change back — if they are still
/// as the run left them. Usage locations go back to what they were (one the run set where
/// there was none stays: Microsoft needs one for the licenses the person may still hold).
pub fn reverse(
    detail: &RunDetail,
    now: &HashMap<String, User>,
) -> (Vec<(User, WantedChange)>, Vec<LeftAlone>) {
    let mut back = Vec::new();
    let mut alone = Vec::new();
    for change in &detail.changes {
        if !matches!(
            change.status,
            ChangeStatus::Done | ChangeStatus::Sent | ChangeStatus::Pending
        ) {
            continue;
        }
        let after = change.before.after(&change.outcome);
        if after == change.before {
            continue;
        }
        let Some(person) = now.get(&change.outcome.user_id) else {
            alone.push(LeftAlone {
                outcome: change.outcome.clone(),
                why: "This person no longer exists in the tenant.".into(),
            });
            continue;
        };
        let current = Licensing::of(person);
        if change.status != ChangeStatus::Done
            && current.same_for(&change.before, change.outcome.action)
        {
            // Never landed: nothing to undo.
            continue;
        }
        if change.outcome.action == Action::Membership {
            // A membership run: leave what was joined, join what was left. Graph shows a
            // membership in the person's license states only once it has processed it, so
            // "as before" may be a change still being processed: undone all the same (a repeat
            // is harmless); anything else was changed by someone else.
            if current.groups != after.groups && current.groups != change.before.groups {
                alone.push(LeftAlone {
                    outcome: change.outcome.clone(),
                    why: CHANGED_SINCE.replace("planned this", "made this change"),
                });
                continue;
            }
            back.push((
                person.clone(),
                WantedChange {
                    join_groups: change.outcome.leave_groups.clone(),
                    leave_groups: change.outcome.join_groups.clone(),
                    as_direct: true,
                    ..WantedChange::default()
                },
            ));
            continue;
        }
        let location_as_left = change.outcome.set_usage_location.is_none()
            || current.usage_location == after.usage_location;
        if !current.same_for(&after, change.outcome.action) || !location_as_left {
            alone.push(LeftAlone {
                outcome: change.outcome.clone(),
                why: CHANGED_SINCE.replace("planned this", "made this change"),
            });
            continue;
        }
        let remove: Vec<String> = after
            .direct
            .iter()
            .filter(|d| !change.before.direct.iter().any(|b| b.sku_id == d.sku_id))
            .map(|d| d.sku_id.clone())
            .collect();
        let add: Vec<PlanToAdd> = change
            .before
            .direct
            .iter()
            .filter(|b| !after.direct.iter().any(|d| d.sku_id == b.sku_id))
            .map(|b| PlanToAdd {
                sku_id: b.sku_id.clone(),
                disabled_plans: b.disabled_plans.clone(),
            })
            .collect();
        // Licenses kept whose apps the run switched: switched back.
        let apps: Vec<PlanToAdd> = change
            .before
            .direct
            .iter()
            .filter(|b| {
                after
                    .direct
                    .iter()
                    .any(|d| d.sku_id == b.sku_id && d.disabled_plans != b.disabled_plans)
            })
            .map(|b| PlanToAdd {
                sku_id: b.sku_id.clone(),
                disabled_plans: b.disabled_plans.clone(),
            })
            .collect();
        let usage_location = match (&change.before.usage_location, &after.usage_location) {
            (Some(before), Some(now)) if before != now => {
                Some(UsageLocationChange::Everyone(before.clone()))
            }
            _ => None,
        };
        back.push((
            person.clone(),
            WantedChange {
                add,
                remove,
                usage_location,
                keep_disabled_plans: false,
                as_direct: true,
                apps,
                ..WantedChange::default()
            },
        ));
    }
    (back, alone)
}

#[cfg(test)]
mod tests;
