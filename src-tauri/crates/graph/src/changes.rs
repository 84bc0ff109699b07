//! Applying license changes fast and exactly once: `$batch` envelopes of up to 20
//! `assignLicense` calls, several in flight, with a window that adapts to throttling and,
//! once Graph reports its write limit filling up, a pace set from the limit's refill
//! (`pacing`), so that a long run draws almost no 429s.
//!
//! Why retrying is safe here. A write whose answer never came (dropped connection, 5xx) may
//! or may not have been carried out, so it is never blindly sent again: the executor re-reads
//! the user and compares with what was asked. If the change is in place it is done; if not, it
//! was not made and sending it again is a first write, not a second. A 429 is different: Graph
//! refused it before doing anything, so it is simply sent again after Retry-After.
//! (assignLicense is also idempotent for adds — adding a SKU the user has takes no second
//! seat — but not for removes, which fail on a second try; the re-read makes both safe.)
//! Group membership writes (`$ref`) go through the same executor: a repeat of one is answered
//! "already so", so a lost answer is settled by sending it again.
//!
//! Past 600 lines with its tests: one executor loop, whose cases (answered, lost, refused,
//! throttled) read best together.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::client::{RawResponse, api_error, encode_segment};
use crate::models::{BatchResponse, User};
use crate::retry::{self, MAX_ATTEMPTS};
use crate::{AccessToken, GraphClient, GraphError, GraphErrorKind};

const BATCH_LIMIT: usize = 20;

/// One `addLicenses` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

/// The licenses to give and take away for one person, made in one assignLicense call (so a
/// move from one plan to another is all-or-nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseChange {
    /// Object id or user principal name.
    pub user: String,
    pub add: Vec<AddLicense>,
    pub remove: Vec<String>,
}

impl LicenseChange {
    fn body(&self) -> Value {
        json!({
            "addLicenses": self.add.iter().map(|a| json!({"skuId": a.sku_id, "disabledPlans": a.disabled_plans})).collect::<Vec<_>>(),
            "removeLicenses": self.remove,
        })
    }

    fn write_url(&self) -> String {
        format!("/users/{}/assignLicense", encode_segment(&self.user))
    }

    fn read_url(&self) -> String {
        format!(
            "/users/{}?$select=id,assignedLicenses,licenseAssignmentStates",
            encode_segment(&self.user)
        )
    }

    /// Whether the user, as read now, already has what this change asks for.
    pub fn is_in_place(&self, user: &User) -> bool {
        // Direct assignments only: a license from a group is not what we assigned.
        let direct: Vec<(&str, &[String])> = if user.license_assignment_states.is_empty() {
            user.assigned_licenses
                .iter()
                .map(|l| (l.sku_id.as_str(), l.disabled_plans.as_slice()))
                .collect()
        } else {
            user.license_assignment_states
                .iter()
                .filter(|s| s.assigned_by_group.is_none())
                .filter_map(|s| Some((s.sku_id.as_deref()?, s.disabled_plans.as_slice())))
                .collect()
        };
        let same_plans = |a: &[String], b: &[String]| {
            a.len() == b.len()
                && a.iter()
                    .all(|x| b.iter().any(|y| y.eq_ignore_ascii_case(x)))
        };
        self.add.iter().all(|a| {
            direct.iter().any(|(sku, disabled)| {
                sku.eq_ignore_ascii_case(&a.sku_id) && same_plans(disabled, &a.disabled_plans)
            })
        }) && self
            .remove
            .iter()
            .all(|r| !direct.iter().any(|(sku, _)| sku.eq_ignore_ascii_case(r)))
    }
}

/// A write the batched executor can carry out: its `$batch` request, and how a lost answer is
/// settled (a read that says whether it was made, or — for a write Graph refuses as "already
/// so" when repeated — simply sending it again).
pub trait BatchedWrite {
    /// The request inside a `$batch` envelope: method, URL (from the version root) and body.
    fn request(&self, client: &GraphClient) -> (&'static str, String, Option<Value>);
    /// A read that says whether the write was made; `None` when sending it again is safe.
    fn read_url(&self) -> Option<String>;
    /// Whether the read (the body of `read_url`) shows the write in place.
    fn is_in_place_now(&self, _read: &Value) -> Result<bool, String> {
        Ok(false)
    }
    /// A refusal that means the write is already so (a repeat): counted as done.
    fn already_so(&self, _status: u16, _body: &Value) -> bool {
        false
    }
}

impl BatchedWrite for LicenseChange {
    fn request(&self, _client: &GraphClient) -> (&'static str, String, Option<Value>) {
        ("POST", self.write_url(), Some(self.body()))
    }

    fn read_url(&self) -> Option<String> {
        Some(LicenseChange::read_url(self))
    }

    fn is_in_place_now(&self, read: &Value) -> Result<bool, String> {
        let user: User = serde_json::from_value(read.clone()).map_err(|e| e.to_string())?;
        Ok(self.is_in_place(&user))
    }
}

/// One person joining (`join`) or leaving a group: `POST /groups/{id}/members/$ref` or
/// `DELETE /groups/{id}/members/{userId}/$ref`. Sent again after a lost answer, Graph says
/// "already a member" or "not a member": that is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipChange {
    pub group: String,
    /// The person's object id.
    pub user: String,
    pub join: bool,
}

impl BatchedWrite for MembershipChange {
    fn request(&self, client: &GraphClient) -> (&'static str, String, Option<Value>) {
        if self.join {
            let reference = client
                .endpoint()
                .v1(&format!("directoryObjects/{}", encode_segment(&self.user)));
            (
                "POST",
                format!("/groups/{}/members/$ref", encode_segment(&self.group)),
                Some(json!({ "@odata.id": reference.as_str() })),
            )
        } else {
            (
                "DELETE",
                format!(
                    "/groups/{}/members/{}/$ref",
                    encode_segment(&self.group),
                    encode_segment(&self.user)
                ),
                None,
            )
        }
    }

    fn read_url(&self) -> Option<String> {
        None
    }

    fn already_so(&self, status: u16, body: &Value) -> bool {
        crate::groups::is_already_so(self.join, status, body)
    }
}

/// What became of one change.
#[derive(Debug)]
pub enum ChangeOutcome {
    /// Graph said it was done.
    Applied,
    /// The answer was lost, and a fresh read showed the change in place.
    Verified,
    Failed(GraphError),
}

impl ChangeOutcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Applied | Self::Verified)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    /// Sent, or waiting to be sent again after throttling or a lost answer.
    pub waiting: usize,
    pub throttled: usize,
}

#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// Changes in flight at first, and the most ever (the window adapts in between).
    pub initial_window: usize,
    pub max_window: usize,
    /// Adapt the window to throttling; `false` keeps `initial_window` (for comparisons).
    pub adaptive: bool,
    /// Changes per `$batch` (1–20).
    pub batch_size: usize,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        Self {
            // A runner's chunk (200 changes) in one round trip; the pacer, not the window,
            // keeps the writes under Graph's limit.
            initial_window: 10 * BATCH_LIMIT,
            max_window: 16 * BATCH_LIMIT,
            adaptive: true,
            batch_size: BATCH_LIMIT,
        }
    }
}

impl ExecutorOptions {
    /// One batch at a time, never more: how the best open-source peer works.
    pub fn sequential_batches() -> Self {
        Self {
            initial_window: BATCH_LIMIT,
            max_window: BATCH_LIMIT,
            adaptive: false,
            batch_size: BATCH_LIMIT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Write,
    /// Re-read to find out whether a write whose answer was lost was made.
    Verify,
}

/// How often one change has been held up, by cause. Each cause has its own budget: a change
/// throttled many times under load must still get its full share of retries when an answer
/// is later lost, and the other way round.
#[derive(Default)]
struct Item {
    /// 429s, per item or for its whole envelope: Graph asking us to wait, not a failure.
    throttled: u32,
    /// 401s: the token was refused and renewed.
    refused: u32,
    /// Answers lost (dropped connection, unreadable envelope) or 5xx: the change may have
    /// been made, so each one is followed by a read.
    lost: u32,
}

/// Throttling is expected under load; give up only when it never ends.
const THROTTLED_BUDGET: u32 = MAX_ATTEMPTS * 4;
/// Lost answers and server errors: each costs a read and a resend.
const LOST_BUDGET: u32 = MAX_ATTEMPTS + 4;

/// One request's answer inside a `$batch` envelope.
struct ItemAnswer {
    index: usize,
    status: u16,
    retry_after: Option<Duration>,
    limit_percentage: Option<f64>,
    body: Value,
}

enum BatchResult {
    Answered(Vec<ItemAnswer>),
    /// No usable answer for the whole envelope.
    Lost(GraphError),
    /// The envelope itself was refused (e.g. 401, 429 before anything ran).
    Refused(RawResponse),
}

/// The adaptive window: additive increase while Graph keeps up, multiplicative decrease on
/// 429 (once per round trip), hold when Graph says a limit is close.
struct Window {
    size: f64,
    min: f64,
    max: f64,
    adaptive: bool,
    last_decrease: Instant,
}

impl Window {
    fn on_answer(
        &mut self,
        sent_at: Instant,
        throttled: bool,
        limit_percentage: Option<f64>,
        batch: usize,
    ) {
        if !self.adaptive {
            return;
        }
        if throttled {
            // Items sent before the last decrease saw the old window: punish once.
            if sent_at > self.last_decrease {
                self.size = (self.size * 0.7).max(self.min);
                self.last_decrease = Instant::now();
            }
        } else if limit_percentage.is_none_or(|p| p < 0.95) {
            // About one batch more per round trip.
            self.size = (self.size + BATCH_LIMIT as f64 * batch as f64 / self.size).min(self.max);
        }
    }

    fn get(&self) -> usize {
        self.size as usize
    }
}

impl GraphClient {
    /// Applies every change through `$batch`, calling `progress` as results come in. Each
    /// change gets exactly one outcome, in the order given.
    pub async fn apply_changes<W: BatchedWrite>(
        &self,
        changes: &[W],
        options: &ExecutorOptions,
        mut progress: impl FnMut(Progress),
    ) -> Vec<ChangeOutcome> {
        let batch_size = options.batch_size.clamp(1, BATCH_LIMIT);
        let mut outcomes: Vec<Option<ChangeOutcome>> = (0..changes.len()).map(|_| None).collect();
        let mut items: Vec<Item> = (0..changes.len()).map(|_| Item::default()).collect();
        let mut writes: VecDeque<usize> = (0..changes.len()).collect();
        let mut verifies: VecDeque<usize> = VecDeque::new();
        let min = (2 * batch_size).min(options.initial_window.max(1)) as f64;
        let max = options.max_window.max(options.initial_window).max(1) as f64;
        let mut window = Window {
            // Where the last run of changes left it (a run sent in chunks), when adapting.
            size: self
                .last_window()
                .filter(|_| options.adaptive)
                .unwrap_or(options.initial_window.max(1) as f64)
                .clamp(min, max),
            // Never below two batches: with one, a round trip's worth of the write rate is lost.
            min,
            max,
            adaptive: options.adaptive,
            last_decrease: Instant::now(),
        };
        let mut not_before = Instant::now();
        let mut in_flight_items = 0usize;
        let mut in_flight_writes = 0usize;
        let mut tasks: JoinSet<(Kind, Vec<usize>, Instant, BatchResult, AccessToken)> =
            JoinSet::new();
        let mut stats = Progress {
            total: changes.len(),
            waiting: changes.len(),
            ..Progress::default()
        };
        progress(stats);

        loop {
            // Send while the window has room, Graph has not asked us to wait and, for writes,
            // the pacer allows.
            let mut wake_at = not_before;
            // No room for writes left in the client (other runs of changes hold it).
            let mut no_slots = false;
            while Instant::now() >= not_before && in_flight_items < window.get() {
                let room = window.get() - in_flight_items;
                let (kind, queue) = if !verifies.is_empty() {
                    (Kind::Verify, &mut verifies)
                } else {
                    (Kind::Write, &mut writes)
                };
                if queue.is_empty() {
                    break;
                }
                let mut take = batch_size.min(room).min(queue.len()).max(1);
                let mut slots = None;
                if kind == Kind::Write {
                    // The client's room for writes, taken first and held until the batch's
                    // answer (or its loss) is in; whatever the pacer does not allow is handed
                    // back below.
                    let free = take.min(self.write_slots().available_permits());
                    let held = match free {
                        0 => None,
                        _ => (self.write_slots().clone())
                            .try_acquire_many_owned(free as u32)
                            .ok(),
                    };
                    let Some(mut held) = held else {
                        // Other runs of changes hold the room: wait for some to free up.
                        no_slots = true;
                        break;
                    };
                    take = free;
                    if options.adaptive {
                        let remaining = queue.len() + in_flight_writes;
                        match self
                            .pacer()
                            .permit(Instant::now(), take, in_flight_writes, remaining)
                        {
                            // Wait for an answer.
                            Ok(0) => break,
                            Ok(allowed) => take = allowed.min(take),
                            Err(wait) => {
                                wake_at = wake_at.max(Instant::now() + wait);
                                break;
                            }
                        }
                        in_flight_writes += take;
                    }
                    drop(held.split(held.num_permits() - take));
                    slots = Some(held);
                }
                let batch: Vec<usize> = queue.drain(..take).collect();
                in_flight_items += batch.len();
                let requests: Vec<Value> = batch
                    .iter()
                    .map(|&i| match kind {
                        Kind::Write => {
                            let (method, url, body) = changes[i].request(self);
                            let mut request = json!({
                                "id": i.to_string(), "method": method, "url": url,
                                "headers": {"x-ms-throttle-priority": self.priority().header_value()},
                            });
                            if let Some(body) = body {
                                request["headers"]["Content-Type"] = json!("application/json");
                                request["body"] = body;
                            }
                            request
                        }
                        Kind::Verify => json!({
                            "id": i.to_string(), "method": "GET",
                            "url": changes[i].read_url().unwrap_or_default(),
                            "headers": {"x-ms-throttle-priority": self.priority().header_value()},
                        }),
                    })
                    .collect();
                let client = self.clone();
                tasks.spawn(async move {
                    let _slots = slots;
                    let sent_at = Instant::now();
                    // The token this batch is sent with: on 401 only it is renewed, so batches
                    // refused together cause one renewal, not one each.
                    let token_used = client.current_token();
                    let result = client.post_batch(requests).await;
                    (kind, batch, sent_at, result, token_used)
                });
            }

            if tasks.is_empty() {
                if writes.is_empty() && verifies.is_empty() {
                    break;
                }
                if no_slots {
                    // Woken as soon as another run's answer frees room.
                    let _ = self.write_slots().acquire().await;
                } else {
                    tokio::time::sleep_until(wake_at.into()).await;
                }
                continue;
            }
            let joined = if no_slots {
                tokio::select! {
                    j = tasks.join_next() => j,
                    _ = self.write_slots().acquire() => continue,
                }
            } else if Instant::now() < wake_at {
                tokio::select! {
                    j = tasks.join_next() => j,
                    () = tokio::time::sleep_until(wake_at.into()) => continue,
                }
            } else {
                tasks.join_next().await
            };
            let Some(Ok((kind, batch, sent_at, result, token_used))) = joined else {
                continue;
            };
            in_flight_items -= batch.len();
            if kind == Kind::Write && options.adaptive {
                in_flight_writes -= batch.len();
            }

            let mut throttled_wait: Option<Duration> = None;
            let mut limit_percentage: Option<f64> = None;
            let fail = |i: usize,
                        e: GraphError,
                        outcomes: &mut Vec<Option<ChangeOutcome>>,
                        stats: &mut Progress| {
                outcomes[i] = Some(ChangeOutcome::Failed(e));
                stats.failed += 1;
                stats.waiting -= 1;
            };
            match result {
                BatchResult::Lost(e) => {
                    tracing::debug!("batch answer lost: {e}");
                    for i in batch {
                        items[i].lost += 1;
                        if items[i].lost >= LOST_BUDGET {
                            fail(
                                i,
                                GraphError::Network(e.to_string()),
                                &mut outcomes,
                                &mut stats,
                            );
                        } else if changes[i].read_url().is_some() {
                            // A write may have been made: find out before anything else.
                            verifies.push_back(i);
                        } else {
                            // A repeat is answered as already so: send it again.
                            writes.push_front(i);
                        }
                    }
                    not_before = not_before.max(Instant::now() + retry::backoff(1));
                }
                BatchResult::Refused(response) => {
                    // The envelope was refused before any request in it ran (5xx envelopes
                    // count as lost answers instead), so re-sending is safe.
                    let wait = retry::delay(1, retry::retry_after(&response.headers));
                    let status = response.status;
                    if status == 401
                        && let Err(e) = self.renew_token(&token_used).await
                    {
                        for i in batch {
                            fail(
                                i,
                                GraphError::TokenRefresh(e.to_string()),
                                &mut outcomes,
                                &mut stats,
                            );
                        }
                        continue;
                    }
                    for i in batch {
                        let spent = match status {
                            401 => {
                                items[i].refused += 1;
                                items[i].refused >= MAX_ATTEMPTS
                            }
                            429 => {
                                items[i].throttled += 1;
                                items[i].throttled >= THROTTLED_BUDGET
                            }
                            _ => true,
                        };
                        if spent {
                            fail(
                                i,
                                api_error(status, &response.body, None),
                                &mut outcomes,
                                &mut stats,
                            );
                        } else if kind == Kind::Write {
                            writes.push_front(i);
                        } else {
                            verifies.push_front(i);
                        }
                    }
                    if status == 429 {
                        throttled_wait = Some(wait);
                        if kind == Kind::Write {
                            self.pacer().on_write_answer(Instant::now(), 429, None);
                        }
                    }
                    not_before = not_before
                        .max(Instant::now() + if status == 401 { Duration::ZERO } else { wait });
                }
                BatchResult::Answered(answers) => {
                    let mut token_refused = false;
                    for ItemAnswer {
                        index: i,
                        status,
                        retry_after,
                        limit_percentage: percentage,
                        body,
                    } in answers
                    {
                        if let Some(p) = percentage {
                            limit_percentage = Some(limit_percentage.map_or(p, |q: f64| q.max(p)));
                        }
                        if kind == Kind::Write {
                            self.pacer()
                                .on_write_answer(Instant::now(), status, percentage);
                        }
                        match (kind, status) {
                            (Kind::Write, 200..=299) => {
                                outcomes[i] = Some(ChangeOutcome::Applied);
                                stats.done += 1;
                                stats.waiting -= 1;
                            }
                            (Kind::Verify, 200..=299) => match changes[i].is_in_place_now(&body) {
                                Ok(true) => {
                                    outcomes[i] = Some(ChangeOutcome::Verified);
                                    stats.done += 1;
                                    stats.waiting -= 1;
                                }
                                Ok(_) => {
                                    // Not made: sending it now is the first write, not a repeat.
                                    writes.push_front(i);
                                }
                                Err(e) => fail(i, GraphError::Decode(e), &mut outcomes, &mut stats),
                            },
                            (Kind::Write, _) if changes[i].already_so(status, &body) => {
                                outcomes[i] = Some(ChangeOutcome::Verified);
                                stats.done += 1;
                                stats.waiting -= 1;
                            }
                            (_, 429) => {
                                stats.throttled += 1;
                                items[i].throttled += 1;
                                let wait = retry::delay(items[i].throttled, retry_after);
                                throttled_wait = Some(throttled_wait.map_or(wait, |w| w.max(wait)));
                                if items[i].throttled >= THROTTLED_BUDGET {
                                    fail(i, error_from_item(429, &body), &mut outcomes, &mut stats);
                                } else if kind == Kind::Write {
                                    writes.push_front(i);
                                } else {
                                    verifies.push_front(i);
                                }
                            }
                            (_, 401) => {
                                token_refused = true;
                                items[i].refused += 1;
                                if items[i].refused >= MAX_ATTEMPTS {
                                    fail(i, error_from_item(401, &body), &mut outcomes, &mut stats);
                                } else if kind == Kind::Write {
                                    writes.push_front(i);
                                } else {
                                    verifies.push_front(i);
                                }
                            }
                            (_, 500..=599) => {
                                items[i].lost += 1;
                                if items[i].lost >= LOST_BUDGET {
                                    fail(
                                        i,
                                        error_from_item(status, &body),
                                        &mut outcomes,
                                        &mut stats,
                                    );
                                } else if changes[i].read_url().is_some() {
                                    // The service may have made the change before failing.
                                    verifies.push_back(i);
                                } else {
                                    writes.push_front(i);
                                }
                            }
                            _ => fail(i, error_from_item(status, &body), &mut outcomes, &mut stats),
                        }
                    }
                    if token_refused && let Err(e) = self.renew_token(&token_used).await {
                        tracing::warn!("token renewal failed: {e}");
                    }
                }
            }
            window.on_answer(
                sent_at,
                throttled_wait.is_some(),
                limit_percentage,
                BATCH_LIMIT,
            );
            if let Some(wait) = throttled_wait {
                self.announce_wait(wait);
                not_before = not_before.max(Instant::now() + wait);
            }
            progress(stats);
        }
        if options.adaptive {
            self.keep_window(window.size);
        }
        outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    ChangeOutcome::Failed(GraphError::Decode("no answer recorded".into()))
                })
            })
            .collect()
    }

    /// Applies one change with one assignLicense call (no `$batch`), with the same safety:
    /// a lost answer is settled by re-reading the user.
    pub async fn apply_change(&self, change: &LicenseChange) -> ChangeOutcome {
        let url = self
            .endpoint()
            .v1(change.write_url().trim_start_matches('/'));
        let body = change.body();
        for _ in 1..=MAX_ATTEMPTS {
            match self
                .send(Method::POST, url.clone(), Some(&body), &[], false)
                .await
            {
                Ok(r) if (200..300).contains(&r.status) => return ChangeOutcome::Applied,
                Ok(r) if !(500..600).contains(&r.status) => {
                    return ChangeOutcome::Failed(r.into_error());
                }
                Ok(_) | Err(GraphError::Network(_)) => {}
                Err(e) => return ChangeOutcome::Failed(e),
            }
            // 5xx or no answer: the change may have been made. Read until we know.
            match self.settle(change).await {
                Ok(true) => return ChangeOutcome::Verified,
                Ok(false) => continue,
                Err(e) => return ChangeOutcome::Failed(e),
            }
        }
        ChangeOutcome::Failed(GraphError::Network(
            "gave up after repeated failures".into(),
        ))
    }

    /// Whether `change` is in place now, reading the user until an answer comes.
    async fn settle(&self, change: &LicenseChange) -> Result<bool, GraphError> {
        let mut last = None;
        for attempt in 1..=MAX_ATTEMPTS {
            tokio::time::sleep(retry::backoff(attempt)).await;
            match self.user(&change.user).await {
                Ok(user) => return Ok(change.is_in_place(&user)),
                Err(e @ GraphError::Network(_)) => last = Some(e),
                Err(e) if e.kind().is_some_and(GraphErrorKind::is_retryable) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| GraphError::Network("could not confirm the change".into())))
    }

    /// Posts one `$batch` envelope.
    async fn post_batch(&self, requests: Vec<Value>) -> BatchResult {
        let url = self.endpoint().v1("$batch");
        let body = json!({ "requests": requests });
        let response = match self.send_once(Method::POST, url, Some(&body), &[]).await {
            Ok((r, _)) => r,
            Err(e) => return BatchResult::Lost(e),
        };
        if response.status != 200 {
            return if (500..600).contains(&response.status) {
                BatchResult::Lost(response.into_error())
            } else {
                BatchResult::Refused(response)
            };
        }
        let parsed: BatchResponse = match serde_json::from_slice(&response.body) {
            Ok(p) => p,
            Err(e) => return BatchResult::Lost(GraphError::Decode(e.to_string())),
        };
        // Answers come in any order: match them by id.
        let mut answers = Vec::new();
        for r in parsed.responses {
            let Ok(i) = r.id.parse::<usize>() else {
                continue;
            };
            let header = |name: &str| {
                r.headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v.as_str().map(str::to_owned))
            };
            let retry_after = header("Retry-After").and_then(|v| retry::parse_seconds(&v));
            let percentage = header("x-ms-throttle-limit-percentage").and_then(|v| v.parse().ok());
            answers.push(ItemAnswer {
                index: i,
                status: r.status,
                retry_after,
                limit_percentage: percentage,
                body: r.body,
            });
        }
        let expected: std::collections::HashSet<usize> = requests
            .iter()
            .filter_map(|r| r["id"].as_str()?.parse().ok())
            .collect();
        let got: std::collections::HashSet<usize> = answers.iter().map(|a| a.index).collect();
        if got != expected {
            return BatchResult::Lost(GraphError::Decode(
                "a $batch answer did not match its requests".into(),
            ));
        }
        BatchResult::Answered(answers)
    }
}

fn error_from_item(status: u16, body: &Value) -> GraphError {
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let request_id = body["error"]["innerError"]["request-id"]
        .as_str()
        .map(str::to_owned);
    GraphError::api(status, code, message, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{AssignedLicense, LicenseAssignmentState};

    fn user(direct: &[(&str, &[&str])], group: &[&str]) -> User {
        let state = |sku: &str, plans: &[&str], g: Option<&str>| LicenseAssignmentState {
            sku_id: Some(sku.into()),
            assigned_by_group: g.map(str::to_owned),
            disabled_plans: plans.iter().map(|p| p.to_string()).collect(),
            error: None,
            error_subcode: None,
            last_updated_date_time: None,
            state: Some("Active".into()),
        };
        User {
            id: "u".into(),
            user_principal_name: None,
            display_name: None,
            department: None,
            usage_location: None,
            account_enabled: None,
            assigned_licenses: direct
                .iter()
                .map(|(s, _)| AssignedLicense {
                    sku_id: s.to_string(),
                    disabled_plans: vec![],
                })
                .collect(),
            license_assignment_states: direct
                .iter()
                .map(|(s, p)| state(s, p, None))
                .chain(group.iter().map(|s| state(s, &[], Some("g"))))
                .collect(),
            created_date_time: None,
            sign_in_activity: None,
        }
    }

    fn change(add: &[(&str, &[&str])], remove: &[&str]) -> LicenseChange {
        LicenseChange {
            user: "u".into(),
            add: add
                .iter()
                .map(|(s, p)| AddLicense {
                    sku_id: s.to_string(),
                    disabled_plans: p.iter().map(|x| x.to_string()).collect(),
                })
                .collect(),
            remove: remove.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn in_place_means_direct_with_the_same_disabled_plans_and_removes_gone() {
        assert!(change(&[("A", &[])], &[]).is_in_place(&user(&[("A", &[])], &[])));
        assert!(!change(&[("A", &["p"])], &[]).is_in_place(&user(&[("A", &[])], &[])));
        assert!(change(&[("A", &["P"])], &[]).is_in_place(&user(&[("a", &["p"])], &[])));
        // Held only through a group: our direct assignment is not there.
        assert!(!change(&[("A", &[])], &[]).is_in_place(&user(&[], &["A"])));
        assert!(change(&[("B", &[])], &["A"]).is_in_place(&user(&[("B", &[])], &["A"])));
        assert!(!change(&[("B", &[])], &["A"]).is_in_place(&user(&[("B", &[]), ("A", &[])], &[])));
    }

    #[test]
    fn body_always_has_both_arrays() {
        let b = change(&[], &["A"]).body();
        assert_eq!(b["addLicenses"], json!([]));
        assert_eq!(b["removeLicenses"], json!(["A"]));
    }

    #[test]
    fn window_backs_off_on_429_and_grows_when_graph_keeps_up() {
        let start = Instant::now();
        let mut w = Window {
            size: 80.0,
            min: 40.0,
            max: 320.0,
            adaptive: true,
            last_decrease: start,
        };
        std::thread::sleep(Duration::from_millis(2));
        w.on_answer(Instant::now(), true, None, 20);
        assert_eq!(w.get(), 56);
        // An answer to a batch sent before that decrease does not decrease again.
        w.on_answer(start, true, None, 20);
        assert_eq!(w.get(), 56);
        for _ in 0..100 {
            w.on_answer(Instant::now(), false, None, 20);
        }
        assert!(w.get() > 56);
        let held = w.get();
        w.on_answer(Instant::now(), false, Some(0.99), 20);
        assert_eq!(w.get(), held, "a limit close by holds the window");
        let mut fixed = Window {
            size: 20.0,
            min: 20.0,
            max: 20.0,
            adaptive: false,
            last_decrease: start,
        };
        fixed.on_answer(Instant::now(), true, None, 20);
        assert_eq!(fixed.get(), 20);
    }
}
