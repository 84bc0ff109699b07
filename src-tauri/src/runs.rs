//! Bulk changes from the app: a plan the person has seen (preview), then the run that carries
//! it out with live progress, pause, resume and cancel, and its result in plain words, which
//! can be saved as CSV. Every run goes through the journal (`history`): written before
//! anything is sent, so it can be finished after a crash and undone later.
//!
//! Long (about 1,400 lines) because half of it is its tests, which drive the demo tenant end to
//! end through this state; the state itself is one `Runs` with its plan, apply, undo and plan
//! files. Moving the tests to their own file is the next split.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use graph::{GraphError, GraphErrorKind, PersonStatus};
use journal::{NewRun, RunSummary};
use licensing::{Action, Plan, RunTitle, ShortfallPolicy, Sku, User, WantedChange};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use ts_rs::TS;

use crate::error::CommandError;
use crate::files::{FileError, file_name, read_at_most};
use crate::history::{History, journal_error};
use crate::tenant::Connection;

/// What the preview shows: the plan, and the names to show it with.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanPreview {
    pub plan: Plan,
    /// Plan (SKU) id, lower case → its friendly name.
    pub plan_names: HashMap<String, String>,
    /// Group id → its name, for licenses that come from a group.
    pub group_names: HashMap<String, String>,
    /// For an undo: people changed by someone else since the run, left alone, and why.
    pub left_alone: Vec<LeftAlone>,
    /// For a plan opened from a file: who prepared it, when, and what changed since.
    pub approval: Option<Approval>,
    /// User id → the apps the change switches on and off in licenses they keep.
    pub app_switches: HashMap<String, Vec<licensing::AppSwitch>>,
    /// User id → their usage location now, for those whose location the change sets (so the
    /// review says "from United States to France", not only "set to France").
    pub usage_locations_before: HashMap<String, Option<String>>,
}

/// A plan file opened to approve: where it came from and what drifted since it was saved.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Approval {
    pub file_name: String,
    /// The file's title, author and date: what the file says, never checked (the window
    /// labels them as the file's claim).
    pub what: String,
    pub prepared_by: String,
    /// RFC 3339, UTC.
    pub prepared_at: String,
    /// Who signed it, as far as the signature and the trust lists show.
    pub trust: licensing::planfile::Trust,
    pub drift: licensing::planfile::Drift,
    /// What this plan does when seats run short (as prepared, until the approver changes it).
    pub shortfall: ShortfallPolicy,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LeftAlone {
    pub user_principal_name: String,
    pub display_name: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum LineStatus {
    Done,
    Failed,
    /// Blocked in the plan, or nothing to do: nothing was sent.
    Skipped,
    /// The run was cancelled before this person's turn.
    NotSent,
}

/// One person's result.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunLine {
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub action: Action,
    pub set_usage_location: Option<String>,
    /// Friendly names of the plans given and taken away.
    pub add: Vec<String>,
    pub remove: Vec<String>,
    pub status: LineStatus,
    /// Why nothing was done, for the window to put in its own language.
    pub reason: Option<licensing::Reason>,
    /// Why a change failed, for the window to put in its own language.
    pub failure: Option<Failure>,
    /// What happened or why not, in plain words with the fix (English; the CSV has it).
    pub message: Option<String>,
    /// Microsoft Graph's own words, for support.
    pub details: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunResult {
    /// The run's id in the journal (History shows it; it can be undone from there).
    pub run_id: Option<String>,
    pub lines: Vec<RunLine>,
    /// Plan (SKU) id, lower case → its friendly name; group id → its name.
    pub plan_names: HashMap<String, String>,
    pub group_names: HashMap<String, String>,
    pub done: u32,
    pub failed: u32,
    pub skipped: u32,
    pub not_sent: u32,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunProgress {
    pub total: u32,
    pub done: u32,
    pub failed: u32,
    /// Changes per second so far.
    pub per_second: f64,
    /// At that rate; `null` until there is a rate.
    pub seconds_left: Option<u32>,
    pub paused: bool,
}

/// What the person asked for: one change for everyone chosen (a filter or a selection),
/// each person's own change (the rows of an HR file), or the reverse of an earlier run.
#[derive(Debug, Clone)]
pub enum Request {
    Everyone {
        ids: Vec<String>,
        change: WantedChange,
    },
    Each {
        /// What the run is ("Import starters.csv").
        title: RunTitle,
        changes: Vec<(String, WantedChange)>,
    },
    Undo {
        run: String,
        title: RunTitle,
        /// The people as read now, each with the change back.
        back: Vec<(User, WantedChange)>,
    },
}

impl Request {
    /// The same request for only these people (a retry of those who failed).
    fn only(&self, keep: &HashSet<&str>) -> Request {
        match self {
            Request::Everyone { ids, change } => Request::Everyone {
                ids: ids
                    .iter()
                    .filter(|id| keep.contains(id.as_str()))
                    .cloned()
                    .collect(),
                change: change.clone(),
            },
            Request::Each { title, changes } => Request::Each {
                title: title.clone(),
                changes: changes
                    .iter()
                    .filter(|(id, _)| keep.contains(id.as_str()))
                    .cloned()
                    .collect(),
            },
            Request::Undo { run, title, back } => Request::Undo {
                run: run.clone(),
                title: title.clone(),
                back: back
                    .iter()
                    .filter(|(u, _)| keep.contains(u.id.as_str()))
                    .cloned()
                    .collect(),
            },
        }
    }
}

/// The plan waiting for Apply, and the controls of a run in progress.
#[derive(Default)]
pub struct Runs {
    pending: Mutex<Option<Pending>>,
    /// The plan file being approved (its checked content and file name), to plan again with
    /// another shortfall choice.
    opened: Mutex<
        Option<(
            licensing::planfile::Body,
            String,
            licensing::planfile::Trust,
        )>,
    >,
    /// A plan file dropped on the window or given on the command line, waiting to be opened.
    offered: Mutex<Option<std::path::PathBuf>>,
    last: Mutex<Option<(RunResult, Request, ShortfallPolicy)>>,
    control: runner::Control,
    /// A run is sending changes: closing the window asks first.
    running: AtomicBool,
    /// Wakes whoever waits for a run to stop (closing after Cancel).
    stopped: Notify,
}

/// Marks a run as going for as long as it lives, however the run ends.
struct Running<'a>(&'a Runs);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::SeqCst);
        self.0.stopped.notify_waiters();
    }
}

struct Pending {
    /// The tenant it was planned on: it is applied there or nowhere.
    tenant_id: String,
    preview: PlanPreview,
    request: Request,
    policy: ShortfallPolicy,
    /// Everyone in the plan as read when planning: the journal keeps their state before.
    people: Vec<User>,
    title: RunTitle,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Friendly names for the plans a plan touches, by lower-case id.
pub(crate) fn plan_names(skus: &[Sku]) -> HashMap<String, String> {
    let names = crate::product_names::current();
    skus.iter()
        .map(|s| {
            (
                s.sku_id.to_ascii_lowercase(),
                names.display_name(&s.sku_id, &s.sku_part_number),
            )
        })
        .collect()
}

impl Runs {
    /// Plans the request and keeps the plan for Apply.
    pub async fn plan(
        &self,
        connection: &Connection,
        request: Request,
        policy: ShortfallPolicy,
    ) -> Result<PlanPreview, CommandError> {
        self.plan_with(connection, request, policy, Vec::new())
            .await
    }

    async fn plan_with(
        &self,
        connection: &Connection,
        request: Request,
        policy: ShortfallPolicy,
        left_alone: Vec<LeftAlone>,
    ) -> Result<PlanPreview, CommandError> {
        connection
            .directory
            .ensure_started(&connection.client)
            .await?;
        let skus = connection.directory.skus();
        let (plan, people, title) = match &request {
            Request::Everyone { ids, change } => {
                let people = connection.directory.people(ids);
                if people.is_empty() {
                    return Err(nobody());
                }
                let title = RunTitle::of_change(
                    change,
                    &skus,
                    &crate::product_names::current(),
                    people.len(),
                );
                (
                    licensing::plan(&people, change, &skus, policy),
                    people,
                    title,
                )
            }
            Request::Each { title, changes } => {
                let ids: Vec<String> = changes.iter().map(|(id, _)| id.clone()).collect();
                let people: HashMap<String, User> = connection
                    .directory
                    .people(&ids)
                    .into_iter()
                    .map(|u| (u.id.clone(), u))
                    .collect();
                let requests: Vec<(&User, &WantedChange)> = changes
                    .iter()
                    .filter_map(|(id, change)| Some((people.get(id)?, change)))
                    .collect();
                if requests.is_empty() {
                    return Err(nobody());
                }
                let plan = licensing::plan_each(&requests, &skus, policy);
                (plan, people.into_values().collect(), title.clone())
            }
            Request::Undo { title, back, .. } => {
                let requests: Vec<(&User, &WantedChange)> =
                    back.iter().map(|(u, c)| (u, c)).collect();
                let plan = licensing::plan_each(&requests, &skus, policy);
                let people = back.iter().map(|(u, _)| u.clone()).collect();
                (plan, people, title.clone())
            }
        };
        self.keep(
            connection,
            Pending {
                tenant_id: connection.info.tenant_id.clone(),
                preview: PlanPreview {
                    plan,
                    plan_names: plan_names(&skus),
                    group_names: HashMap::new(),
                    left_alone,
                    approval: None,
                    app_switches: HashMap::new(),
                    usage_locations_before: HashMap::new(),
                },
                request,
                policy,
                people,
                title,
            },
        )
        .await
    }

    /// Names the groups the plan mentions and keeps the plan for Apply.
    async fn keep(
        &self,
        connection: &Connection,
        mut pending: Pending,
    ) -> Result<PlanPreview, CommandError> {
        let groups: Vec<String> = pending
            .preview
            .plan
            .people
            .iter()
            .filter_map(|p| match &p.reason {
                Some(
                    licensing::Reason::FromGroup { group_id, .. }
                    | licensing::Reason::AlreadyInGroup { group_id }
                    | licensing::Reason::NotInGroup { group_id }
                    | licensing::Reason::DynamicGroup { group_id },
                ) => Some(group_id.clone()),
                _ => None,
            })
            .collect();
        pending.preview.group_names = connection
            .directory
            .name_groups(&connection.client, groups)
            .await;
        let skus = connection.directory.skus();
        let by_id: HashMap<&str, &User> =
            pending.people.iter().map(|u| (u.id.as_str(), u)).collect();
        pending.preview.app_switches = pending
            .preview
            .plan
            .people
            .iter()
            .filter_map(|o| {
                let switches = licensing::app_switches(o, by_id.get(o.user_id.as_str())?, &skus);
                (!switches.is_empty()).then(|| (o.user_id.clone(), switches))
            })
            .collect();
        pending.preview.usage_locations_before = pending
            .preview
            .plan
            .people
            .iter()
            .filter(|o| o.set_usage_location.is_some())
            .filter_map(|o| {
                let user = by_id.get(o.user_id.as_str())?;
                Some((o.user_id.clone(), user.usage_location.clone()))
            })
            .collect();
        let preview = pending.preview.clone();
        *lock(&self.pending) = Some(pending);
        Ok(preview)
    }

    /// The plan on screen as a plan file for someone else to approve, signed with `key` when
    /// there is one: its text and a name for it. Nothing is changed.
    pub fn plan_file(
        &self,
        connection: &Connection,
        key: Option<&licensing::planfile::SigningKey>,
    ) -> Result<(String, String), CommandError> {
        let pending = lock(&self.pending);
        let Some(pending) = pending.as_ref() else {
            return Err(CommandError::new(
                "run.nothing",
                "There is no previewed change to save. Go back and review the change first.",
                None,
            ));
        };
        let requests: Vec<(String, WantedChange)> = match &pending.request {
            Request::Everyone { ids, change } => {
                let planned: HashSet<&str> = pending
                    .preview
                    .plan
                    .people
                    .iter()
                    .map(|p| p.user_id.as_str())
                    .collect();
                ids.iter()
                    .filter(|id| planned.contains(id.as_str()))
                    .map(|id| (id.clone(), change.clone()))
                    .collect()
            }
            Request::Each { changes, .. }
                if changes
                    .iter()
                    .any(|(_, c)| !c.join_groups.is_empty() || !c.leave_groups.is_empty()) =>
            {
                return Err(CommandError::new(
                    "planFile.groups",
                    "A change of group membership cannot be saved as a plan: apply it here.",
                    None,
                ));
            }
            Request::Each { changes, .. } => changes.clone(),
            Request::Undo { .. } => {
                return Err(CommandError::new(
                    "planFile.undo",
                    "An undo cannot be saved as a plan: it is worked out from this computer's history of runs. Apply it here.",
                    None,
                ));
            }
        };
        let now = chrono::Utc::now();
        let body = licensing::planfile::Body::new(
            &connection.info.tenant_id,
            &connection.info.display_name,
            &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            connection
                .info
                .user_principal_name
                .as_deref()
                .unwrap_or("demo"),
            &pending.title.english(),
            pending.policy,
            requests,
            pending.preview.plan.clone(),
        );
        Ok((
            licensing::planfile::seal(&body, key),
            format!("licensedesk-plan-{}.json", now.format("%Y-%m-%d-%H%M")),
        ))
    }

    /// Notes a plan file dropped on the window or given on the command line.
    pub fn offer_plan(&self, path: std::path::PathBuf) {
        *lock(&self.offered) = Some(path);
    }

    /// The name of the plan file waiting to be opened, if any.
    pub fn offered_plan_name(&self) -> Option<String> {
        lock(&self.offered).as_deref().map(file_name)
    }

    /// Opens the plan file that was offered.
    pub async fn open_offered_plan(
        &self,
        connection: &Connection,
        own_keys: &[licensing::planfile::TrustedKey],
    ) -> Result<PlanPreview, CommandError> {
        let path = lock(&self.offered).take().ok_or_else(|| {
            CommandError::new(
                "planFile.none",
                "No plan file is waiting. Choose one with Open a plan file.",
                None,
            )
        })?;
        self.open_plan_file(connection, &path, own_keys).await
    }

    /// Reads a plan file, refuses it unless it is whole, unedited and for this tenant, and
    /// plans it again on the tenant as it is now, with what drifted since it was saved.
    pub async fn open_plan_file(
        &self,
        connection: &Connection,
        path: &std::path::Path,
        own_keys: &[licensing::planfile::TrustedKey],
    ) -> Result<PlanPreview, CommandError> {
        use licensing::planfile::{self, PlanFileError};
        let name = file_name(path);
        let unreadable = |e: std::io::Error| {
            CommandError::new(
                "planFile.read",
                format!(
                    "{name} cannot be read. Copy it to a folder on this computer and open it again."
                ),
                Some(e.to_string()),
            )
            .with("file", &name)
        };
        let refused = |e: PlanFileError| {
            let code = match e {
                PlanFileError::NotAPlan(_) => "planFile.notAPlan",
                PlanFileError::Unsupported { .. } => "planFile.unsupported",
                PlanFileError::Edited => "planFile.edited",
                PlanFileError::BadSignature => "planFile.badSignature",
                PlanFileError::NotTrusted => "planFile.notTrusted",
                PlanFileError::OtherTenant { .. } => "planFile.otherTenant",
            };
            // The English names what is wrong; the window words the code and shows it as details.
            CommandError::new(code, e.to_string(), Some(e.to_string()))
        };
        let bytes = read_at_most(path, planfile::MAX_BYTES).map_err(|e| match e {
            FileError::Io(e) => unreadable(e),
            FileError::NotAFile => {
                refused(PlanFileError::NotAPlan("it is not a regular file".into()))
            }
            FileError::TooLarge { size, .. } => refused(PlanFileError::NotAPlan(format!(
                "{} MB is far more than a plan file holds",
                size / 1_000_000
            ))),
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| refused(PlanFileError::NotAPlan("it is not text".into())))?;
        let opened = planfile::open(&text).map_err(refused)?;
        opened
            .body
            .check_tenant(&connection.info.tenant_id)
            .map_err(refused)?;
        let policy = policy::load()
            .map_err(|e| CommandError::new("policy.broken", e.to_string(), Some(e.to_string())))?;
        let (policy_keys, required) = policy
            .map(|p| (p.policy.trusted_plan_keys, p.policy.require_signed_plans))
            .unwrap_or_default();
        let trust =
            planfile::assess(&opened.signer, &policy_keys, own_keys, required).map_err(refused)?;
        let body = opened.body;
        let preview = self
            .replan_file(connection, &body, &name, &trust, body.shortfall)
            .await?;
        *lock(&self.opened) = Some((body, name, trust));
        Ok(preview)
    }

    /// Plans the plan file being approved again, with another choice for a seat shortfall.
    pub async fn replan_opened(
        &self,
        connection: &Connection,
        policy: ShortfallPolicy,
    ) -> Result<PlanPreview, CommandError> {
        let Some((body, name, trust)) = lock(&self.opened).clone() else {
            return Err(CommandError::new(
                "planFile.none",
                "No plan file is open. Open it again from History.",
                None,
            ));
        };
        self.replan_file(connection, &body, &name, &trust, policy)
            .await
    }

    async fn replan_file(
        &self,
        connection: &Connection,
        body: &licensing::planfile::Body,
        name: &str,
        trust: &licensing::planfile::Trust,
        policy: ShortfallPolicy,
    ) -> Result<PlanPreview, CommandError> {
        // The people and seats as they are now, not as this window last read them: what
        // drifted is only worth showing if it is true.
        let ids: Vec<String> = body.requests.iter().map(|(id, _)| id.clone()).collect();
        let people: Vec<User> = runner::read_people(&connection.client, &ids)
            .await?
            .into_values()
            .collect();
        let skus: Vec<Sku> = connection.client.plans().await?;
        connection.directory.set_skus(skus.clone());
        for u in &people {
            connection.directory.replace(u.clone());
        }
        let (plan, people, drift) = licensing::planfile::replan(body, &people, &skus, policy);
        if plan.people.is_empty() {
            return Err(CommandError::new(
                "planFile.nobody",
                "Nobody in this plan is in the tenant any more: there is nothing to apply.",
                None,
            ));
        }
        // History says who prepared it: the run itself is the approver's.
        // The file's words, said to be the file's: its title and author are not checked.
        let title = RunTitle::PlanFile {
            title: body.what.clone(),
            file: name.to_string(),
            author: body.created_by.clone(),
        };
        self.keep(
            connection,
            Pending {
                tenant_id: connection.info.tenant_id.clone(),
                preview: PlanPreview {
                    plan,
                    plan_names: plan_names(&skus),
                    group_names: HashMap::new(),
                    left_alone: Vec::new(),
                    app_switches: HashMap::new(),
                    usage_locations_before: HashMap::new(),
                    approval: Some(Approval {
                        file_name: name.to_string(),
                        what: body.what.clone(),
                        prepared_by: body.created_by.clone(),
                        prepared_at: body.created_at.clone(),
                        trust: trust.clone(),
                        drift,
                        shortfall: policy,
                    }),
                },
                request: Request::Each {
                    title: title.clone(),
                    changes: body.requests.clone(),
                },
                policy,
                people,
                title,
            },
        )
        .await
    }

    /// Plans the undo of a run from the journal and the people as they are now; those
    /// changed by someone else since are left alone and listed in the preview.
    pub async fn plan_undo(
        &self,
        connection: &Connection,
        history: &History,
        run: &str,
    ) -> Result<PlanPreview, CommandError> {
        let journal = history.journal(connection.info.demo)?;
        let detail = journal.detail(run).map_err(journal_error)?;
        if detail.summary.tenant_id != connection.info.tenant_id {
            return Err(CommandError::new(
                "undo.otherTenant",
                format!(
                    "This run was on {}. Switch to that tenant to undo it.",
                    detail.summary.tenant_name
                ),
                None,
            )
            .with("tenant", &detail.summary.tenant_name));
        }
        match detail.summary.state {
            journal::RunState::Running => {
                return Err(journal_error(journal::JournalError::Busy(run.into())));
            }
            journal::RunState::Undone => {
                return Err(CommandError::new(
                    "undo.done",
                    "This run was undone already.",
                    None,
                ));
            }
            _ => {}
        }
        let ids: Vec<String> = detail
            .changes
            .iter()
            .map(|c| c.outcome.user_id.clone())
            .collect();
        let now = runner::read_people(&connection.client, &ids).await?;
        let (back, alone) = runner::reverse(&detail, &now);
        let left_alone = alone
            .into_iter()
            .map(|a| LeftAlone {
                user_principal_name: a.outcome.user_principal_name,
                display_name: a.outcome.display_name,
                why: a.why,
            })
            .collect();
        if back.is_empty() {
            return Err(CommandError::new(
                "undo.nothing",
                "Nothing to undo: nobody is still as this run left them.",
                None,
            ));
        }
        let request = Request::Undo {
            run: run.to_string(),
            title: RunTitle::Undo {
                of: Box::new(detail.summary.title.clone()),
            },
            back,
        };
        self.plan_with(connection, request, ShortfallPolicy::Partial, left_alone)
            .await
    }

    pub fn pause(&self) {
        self.control.pause();
    }

    pub fn resume(&self) {
        self.control.resume();
    }

    pub fn cancel(&self) {
        self.control.cancel();
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Cancels the run in progress and returns when it has stopped (what was sent is
    /// finished first), or after `limit`.
    pub async fn stop(&self, limit: std::time::Duration) {
        let stopped = self.stopped.notified();
        if !self.is_running() {
            return;
        }
        self.cancel();
        if tokio::time::timeout(limit, stopped).await.is_err() {
            tracing::warn!("the run did not stop within {limit:?}; closing anyway");
        }
    }

    /// Carries out the plan last previewed, journaled: removals and swaps first (they free
    /// seats the additions may need); pause and cancel between chunks of people.
    pub async fn apply(
        &self,
        connection: &Connection,
        history: &History,
        mut on_progress: impl FnMut(RunProgress),
    ) -> Result<RunResult, CommandError> {
        let journal = history.journal(connection.info.demo)?;
        let Some(pending) = lock(&self.pending).take() else {
            return Err(CommandError::new(
                "run.nothing",
                "There is no previewed change to apply. Go back and review the change first.",
                None,
            ));
        };
        if !pending
            .tenant_id
            .eq_ignore_ascii_case(&connection.info.tenant_id)
        {
            // Planned on one tenant, the app now on another (switched in the header): the
            // people and seats reviewed are not these. Dropped, never applied.
            return Err(CommandError::new(
                "run.otherTenant",
                format!(
                    "This change was reviewed on another tenant than {}, the one you are on now. Nothing was changed. Choose the change again here to review it.",
                    connection.info.display_name
                ),
                None,
            ));
        }
        let undoes = match &pending.request {
            Request::Undo { run, .. } => Some(run.as_str()),
            _ => None,
        };
        let plan = &pending.preview.plan;
        let id = journal
            .begin(&NewRun {
                tenant_id: &connection.info.tenant_id,
                tenant_name: &connection.info.display_name,
                started_by: connection
                    .info
                    .user_principal_name
                    .as_deref()
                    .unwrap_or("demo"),
                source: "app",
                title: &pending.title,
                undoes,
                plan,
                plan_names: &pending.preview.plan_names,
                people: &pending.people,
            })
            .map_err(journal_error)?;
        let _lock = journal.lock(&id).map_err(journal_error)?;
        self.control.reset();
        self.running.store(true, Ordering::SeqCst);
        let _running = Running(self);
        let started = Instant::now();
        let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();
        let statuses = runner::carry_out(
            &connection.client,
            journal,
            &id,
            plan,
            &seqs,
            &self.control,
            |t| on_progress(progress(t.total, t.done, t.failed, started, t.paused)),
        )
        .await
        .map_err(journal_error)?;
        let cancelled = statuses
            .iter()
            .zip(&plan.people)
            .any(|(s, p)| s.is_none() && journal::sends_anything(p));

        // The people changed are read again, so the list and the panel show what is true now;
        // the plans too, for their seats.
        let changed: Vec<String> = plan
            .people
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| matches!(s, Some(PersonStatus::Done)))
            .map(|(p, _)| p.user_id.clone())
            .collect();
        refresh(connection, &changed).await;

        let mut result = result_of(&pending.preview, statuses, cancelled);
        result.run_id = Some(id);
        *lock(&self.last) = Some((result.clone(), pending.request, pending.policy));
        Ok(result)
    }

    /// Finishes a run that was cut short: lost answers are settled by reading the people,
    /// then what is still missing is sent. Returns the run as the journal has it after.
    pub async fn finish_interrupted(
        &self,
        connection: &Connection,
        history: &History,
        run: &str,
        mut on_progress: impl FnMut(RunProgress),
    ) -> Result<RunSummary, CommandError> {
        let journal = history.journal(connection.info.demo)?;
        let summary = journal.summary(run).map_err(journal_error)?;
        if summary.tenant_id != connection.info.tenant_id {
            return Err(CommandError::new(
                "resume.otherTenant",
                format!(
                    "This run was on {}. Switch to that tenant to finish it.",
                    summary.tenant_name
                ),
                None,
            )
            .with("tenant", &summary.tenant_name));
        }
        if summary.state != journal::RunState::Interrupted {
            return Err(CommandError::new(
                "resume.notInterrupted",
                "This run is not waiting to be finished.",
                None,
            ));
        }
        let _lock = journal.lock(run).map_err(journal_error)?;
        journal.reopen(run).map_err(journal_error)?;
        self.control.reset();
        self.running.store(true, Ordering::SeqCst);
        let _running = Running(self);
        let settled = runner::settle(&connection.client, journal, run)
            .await
            .map_err(|e| match e {
                runner::RunError::Journal(e) => journal_error(e),
                runner::RunError::Graph(e) => e.into(),
            })?;
        let started = Instant::now();
        let statuses = runner::carry_out(
            &connection.client,
            journal,
            run,
            &settled.plan,
            &settled.seqs,
            &self.control,
            |t| on_progress(progress(t.total, t.done, t.failed, started, t.paused)),
        )
        .await
        .map_err(journal_error)?;
        let changed: Vec<String> = settled
            .plan
            .people
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| matches!(s, Some(PersonStatus::Done)))
            .map(|(p, _)| p.user_id.clone())
            .collect();
        refresh(connection, &changed).await;
        journal.summary(run).map_err(journal_error)
    }

    /// Plans the last run's change again for the people it failed for.
    pub async fn plan_retry(&self, connection: &Connection) -> Result<PlanPreview, CommandError> {
        let (request, policy) = {
            let last = lock(&self.last);
            let Some((result, request, policy)) = last.as_ref() else {
                return Err(CommandError::new(
                    "run.none",
                    "There is no finished run to retry.",
                    None,
                ));
            };
            let again: HashSet<&str> = result
                .lines
                .iter()
                .filter(|l| matches!(l.status, LineStatus::Failed | LineStatus::NotSent))
                .map(|l| l.user_id.as_str())
                .collect();
            (request.only(&again), *policy)
        };
        self.plan(connection, request, policy).await
    }
}

fn nobody() -> CommandError {
    CommandError::new("plan.nobody", "Choose at least one person first.", None)
}

fn progress(total: u32, done: u32, failed: u32, started: Instant, paused: bool) -> RunProgress {
    let secs = started.elapsed().as_secs_f64();
    let finished = done + failed;
    let per_second = if secs > 0.2 {
        finished as f64 / secs
    } else {
        0.0
    };
    RunProgress {
        total,
        done,
        failed,
        per_second,
        seconds_left: (per_second > 0.0)
            .then(|| (total.saturating_sub(finished) as f64 / per_second).ceil() as u32),
        paused,
    }
}

/// Re-reads changed people (up to a screenful; a large run updates the rest from the plan's
/// own record on the next full read) and the plans' seats.
async fn refresh(connection: &Connection, ids: &[String]) {
    for id in ids.iter().take(200) {
        match connection.client.user(id).await {
            Ok(u) => connection.directory.replace(u.to_domain()),
            Err(e) => tracing::debug!("could not re-read {id}: {e}"),
        }
    }
    match connection.client.subscribed_skus().await {
        Ok(skus) => connection
            .directory
            .set_skus(skus.iter().map(|s| s.to_domain()).collect()),
        Err(e) => tracing::debug!("could not re-read the plans: {e}"),
    }
}

/// Why a change failed, as a code the window words in its own language (the English words
/// are `explain`'s, for the CSV and for failures with no code of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", rename_all = "camelCase")]
#[ts(export)]
pub enum Failure {
    UsageLocationMissing,
    NoFreeSeat {
        #[serde(rename = "skuId")]
        sku_id: Option<String>,
    },
    FromGroup,
    MutuallyExclusive,
    DependencyMissing,
    Forbidden,
    NotFound,
    Busy,
    /// Anything else: the English message says it.
    Other,
}

impl Failure {
    pub fn of(error: &GraphError) -> Self {
        match error.kind() {
            Some(GraphErrorKind::UsageLocationMissing) => Self::UsageLocationMissing,
            Some(GraphErrorKind::NoFreeSeat { sku }) => Self::NoFreeSeat {
                sku_id: sku.clone(),
            },
            Some(GraphErrorKind::InheritedFromGroup) => Self::FromGroup,
            Some(GraphErrorKind::MutuallyExclusive { .. }) => Self::MutuallyExclusive,
            Some(GraphErrorKind::DependencyMissing) => Self::DependencyMissing,
            Some(GraphErrorKind::Forbidden) => Self::Forbidden,
            Some(GraphErrorKind::NotFound) => Self::NotFound,
            Some(GraphErrorKind::Throttled | GraphErrorKind::Transient) => Self::Busy,
            _ => Self::Other,
        }
    }
}

/// A failure in plain words with what to do, and Graph's words as details.
pub fn explain(error: &GraphError, names: &HashMap<String, String>) -> (String, String) {
    let name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| names.get(&i.to_ascii_lowercase()).cloned())
            .unwrap_or_else(|| "this plan".into())
    };
    let message = match error.kind() {
        Some(GraphErrorKind::UsageLocationMissing) => "No usage location: Microsoft needs one before a license can be given. Set a usage location first.".to_string(),
        Some(GraphErrorKind::NoFreeSeat { sku }) => format!("No free {} seats left: buy seats or choose fewer people.", name(sku)),
        Some(GraphErrorKind::InheritedFromGroup) => "This license comes from a group: remove the person from that group instead.".into(),
        Some(GraphErrorKind::MutuallyExclusive { .. }) => "Two of the person's apps cannot be on together (for example Exchange Online Plan 1 and Plan 2): swap the licenses instead of adding one.".into(),
        Some(GraphErrorKind::DependencyMissing) => "An app in this license needs another app the person would not have: keep that app switched on.".into(),
        Some(GraphErrorKind::Forbidden) => "Microsoft 365 refused: this sign-in lacks a permission or role (License Administrator or User Administrator).".into(),
        Some(GraphErrorKind::NotFound) => "This person no longer exists in the tenant.".into(),
        Some(GraphErrorKind::Throttled | GraphErrorKind::Transient) => "Microsoft 365 was busy: retry the failed people.".into(),
        _ => CommandError::from(error.clone()).message,
    };
    (message, error.to_string())
}

fn result_of(
    preview: &PlanPreview,
    statuses: Vec<Option<PersonStatus>>,
    cancelled: bool,
) -> RunResult {
    let names = &preview.plan_names;
    let name = |id: &str| {
        names
            .get(&id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let group = |id: &str| {
        preview
            .group_names
            .get(id)
            .map(|n| format!("“{n}”"))
            .unwrap_or_else(|| id.to_string())
    };
    let mut result = RunResult {
        run_id: None,
        lines: Vec::with_capacity(statuses.len()),
        plan_names: preview.plan_names.clone(),
        group_names: preview.group_names.clone(),
        done: 0,
        failed: 0,
        skipped: 0,
        not_sent: 0,
        cancelled,
    };
    for (p, status) in preview.plan.people.iter().zip(statuses) {
        let reason = p.reason.as_ref().map(|r| r.describe(name, group));
        let mut failure = None;
        let (status, message, details) = match status {
            Some(PersonStatus::Done) => (LineStatus::Done, None, None),
            Some(PersonStatus::Failed(e)) => {
                failure = Some(Failure::of(&e));
                let (m, d) = explain(&e, names);
                (LineStatus::Failed, Some(m), Some(d))
            }
            Some(PersonStatus::Skipped) => (LineStatus::Skipped, reason, None),
            None if p.action == Action::Blocked => (LineStatus::Skipped, reason, None),
            None => (
                LineStatus::NotSent,
                Some("Not sent: the run was cancelled first.".into()),
                None,
            ),
        };
        match status {
            LineStatus::Done => result.done += 1,
            LineStatus::Failed => result.failed += 1,
            LineStatus::Skipped => result.skipped += 1,
            LineStatus::NotSent => result.not_sent += 1,
        }
        result.lines.push(RunLine {
            user_id: p.user_id.clone(),
            user_principal_name: p.user_principal_name.clone(),
            display_name: p.display_name.clone(),
            action: p.action,
            set_usage_location: p.set_usage_location.clone(),
            // A membership run's lines name the groups joined and left.
            add: p
                .add
                .iter()
                .map(|a| name(&a.sku_id))
                .chain(p.join_groups.iter().map(|g| g.display_name.clone()))
                .collect(),
            remove: p
                .remove
                .iter()
                .map(|r| name(r))
                .chain(p.leave_groups.iter().map(|g| g.display_name.clone()))
                .collect(),
            status,
            reason: p.reason.clone(),
            failure,
            message,
            details,
        });
    }
    result
}

/// Writes the report (or plan) through a temporary file created exclusively beside it, then
/// renames it: a crash never leaves half a report under the name chosen, and a planted file
/// or link of the temporary's name is never written through.
pub fn write_report(path: &std::path::Path, bytes: &[u8]) -> Result<(), CommandError> {
    safe_files::write_replacing(path, bytes).map_err(|e| {
        CommandError::new(
            "report.write",
            format!(
                "The report could not be saved to {}. Choose another folder.",
                path.display()
            ),
            Some(e.to_string()),
        )
        .with("path", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closing_during_a_run_cancels_it_and_waits_until_it_has_stopped() {
        let runs = std::sync::Arc::new(Runs::default());
        // Not running: nothing to wait for.
        runs.stop(std::time::Duration::from_secs(5)).await;
        assert!(!runs.control.is_cancelled());

        runs.running.store(true, Ordering::SeqCst);
        let run = {
            let runs = runs.clone();
            tokio::spawn(async move {
                let _running = Running(&runs);
                while !runs.control.is_cancelled() {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                // What was sent finishes first.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            })
        };
        assert!(runs.is_running());
        runs.stop(std::time::Duration::from_secs(5)).await;
        assert!(!runs.is_running(), "stop returned before the run ended");
        assert!(run.is_finished() || run.await.is_ok());
    }

    /// Prepare and approve within the app: the plan on screen saved as a file, the tenant
    /// changed behind it, the file opened (what drifted shown, nothing sent) and applied; an
    /// edited copy and another tenant refused. (The dialogs are Rust's and are not driven
    /// here: the file is what they would write and read.)
    #[tokio::test(flavor = "multi_thread")]
    async fn a_saved_plan_opens_with_its_drift_and_applies_and_an_edited_one_is_refused() {
        let connection = crate::tenant::open_demo().await.expect("demo");
        connection
            .directory
            .ensure_complete(&connection.client)
            .await
            .expect("directory");
        let skus = connection.directory.skus();
        let flow = skus
            .iter()
            .find(|s| s.sku_part_number == "FLOW_FREE")
            .expect("FLOW_FREE")
            .clone();
        let ids: Vec<String> = connection.directory.with_people(|people| {
            people
                .iter()
                .filter(|u| u.usage_location.is_some() && u.assignments.is_empty())
                .take(5)
                .map(|u| u.id.clone())
                .collect()
        });
        assert_eq!(ids.len(), 5);
        let give = WantedChange {
            add: vec![licensing::PlanToAdd {
                sku_id: flow.sku_id.clone(),
                disabled_plans: vec![],
            }],
            ..WantedChange::default()
        };
        let runs = Runs::default();
        runs.plan(
            &connection,
            Request::Everyone {
                ids: ids.clone(),
                change: give.clone(),
            },
            ShortfallPolicy::Nobody,
        )
        .await
        .expect("planned");
        let (text, name) = runs.plan_file(&connection, None).expect("a plan file");
        assert!(name.starts_with("licensedesk-plan-") && name.ends_with(".json"));
        let dir = std::env::temp_dir().join(format!("ld-app-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(&name);
        write_report(&path, text.as_bytes()).expect("saved");

        // Meanwhile the first person gets the license from someone else.
        let first = connection.directory.people(&ids[..1]).remove(0);
        let by_hand = licensing::plan(
            std::slice::from_ref(&first),
            &give,
            &skus,
            ShortfallPolicy::Nobody,
        );
        connection
            .client
            .apply_plan(&by_hand, &graph::ExecutorOptions::default(), |_| {})
            .await;

        let approver = Runs::default();
        let preview = approver
            .open_plan_file(&connection, &path, &[])
            .await
            .expect("opened");
        let approval = preview.approval.as_ref().expect("an approval");
        assert_eq!(approval.file_name, name);
        assert_eq!(approval.prepared_by, "demo");
        assert_eq!(
            approval.drift.changed,
            vec![first.user_principal_name.clone()]
        );
        assert_eq!(approval.drift.seats.len(), 1);
        assert_eq!(
            approval.drift.seats[0].then,
            approval.drift.seats[0].now + 1
        );
        assert_eq!(preview.plan.count(Action::Add), 4);

        let journal_dir = dir.join("journal");
        std::fs::create_dir_all(&journal_dir).expect("journal dir");
        let history = History::open(journal_dir.join("journal.sqlite"));
        let result = approver
            .apply(&connection, &history, |_| {})
            .await
            .expect("applied");
        assert_eq!((result.done, result.failed), (4, 0));

        // An edited copy, and the same file on another tenant: refused, nothing planned.
        let edited = dir.join("edited.json");
        let tampered = text.replacen("\"action\": \"add\"", "\"action\": \"remove\"", 1);
        assert_ne!(tampered, text);
        std::fs::write(&edited, tampered).expect("edited");
        let refused = approver
            .open_plan_file(&connection, &edited, &[])
            .await
            .expect_err("edited");
        assert_eq!(refused.code, "planFile.edited");
        let mut elsewhere = crate::tenant::open_demo().await.expect("demo");
        elsewhere.info.tenant_id = "11111111-2222-4333-8444-555555555555".into();
        let refused = approver
            .open_plan_file(&elsewhere, &path, &[])
            .await
            .expect_err("another tenant");
        assert_eq!(refused.code, "planFile.otherTenant");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Switching apps in the panel is a change like every other: planned (nothing sent), its
    /// review says which apps go on and off, it is journaled when applied, and its undo puts
    /// the apps back. A plan reviewed on one tenant is refused on another.
    #[tokio::test(flavor = "multi_thread")]
    async fn switching_apps_is_reviewed_journaled_and_undone_and_a_plan_stays_on_its_tenant() {
        let connection = crate::tenant::open_demo().await.expect("demo");
        connection
            .directory
            .ensure_complete(&connection.client)
            .await
            .expect("directory");
        let skus = connection.directory.skus();
        // Someone with a direct license that has apps.
        let (person, sku) = connection.directory.with_people(|people| {
            people
                .iter()
                .find_map(|u| {
                    let a = u.assignments.iter().find(|a| {
                        a.assigned_by_group.is_none()
                            && a.error.is_none()
                            && skus.iter().any(|s| {
                                s.sku_id.eq_ignore_ascii_case(&a.sku_id)
                                    && s.service_plans.len() > 3
                            })
                    })?;
                    Some((u.clone(), a.sku_id.clone()))
                })
                .expect("someone with a direct license")
        });
        let plans = &skus
            .iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(&sku))
            .expect("the plan")
            .service_plans;
        let held = person
            .assignments
            .iter()
            .find(|a| a.sku_id == sku)
            .expect("held");
        // Switch off one app that is on now.
        let switched = plans
            .iter()
            .find(|p| {
                !held
                    .disabled_plans
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&p.id))
            })
            .expect("an app that is on");
        let mut off = held.disabled_plans.clone();
        off.push(switched.id.clone());
        let change = WantedChange {
            apps: vec![licensing::PlanToAdd {
                sku_id: sku.clone(),
                disabled_plans: off.clone(),
            }],
            ..WantedChange::default()
        };
        let request = || Request::Everyone {
            ids: vec![person.id.clone()],
            change: change.clone(),
        };
        // Whether the switched app is off for the person as Graph has them now.
        let app_off = |user: User| {
            user.assignments
                .iter()
                .find(|a| a.sku_id.eq_ignore_ascii_case(&sku))
                .expect("still held")
                .disabled_plans
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&switched.id))
        };
        let runs = Runs::default();
        let preview = runs
            .plan(&connection, request(), ShortfallPolicy::Nobody)
            .await
            .expect("planned");
        assert_eq!(preview.plan.people[0].action, Action::Apps);
        assert!(preview.plan.seats.is_empty(), "no seat changes");
        let switches = &preview.app_switches[&person.id];
        assert_eq!(
            switches[0].off,
            vec![licensing::app_display_name(&switched.id, &switched.name)]
        );
        // Planning sent nothing: the person is as before.
        let read = || async {
            connection
                .client
                .user(&person.id)
                .await
                .expect("read")
                .to_domain()
        };
        assert!(!app_off(read().await));

        // Applied on another tenant: refused, nothing sent.
        let mut elsewhere = crate::tenant::open_demo().await.expect("demo");
        elsewhere.info.tenant_id = "11111111-2222-4333-8444-555555555555".into();
        let dir = std::env::temp_dir().join(format!("ld-app-apps-{}", std::process::id()));
        let history = History::open(dir.join("journal.sqlite"));
        let refused = runs
            .apply(&elsewhere, &history, |_| {})
            .await
            .expect_err("another tenant");
        assert_eq!(refused.code, "run.otherTenant");

        // Planned again and applied here: in place, and in History.
        runs.plan(&connection, request(), ShortfallPolicy::Nobody)
            .await
            .expect("planned");
        let result = runs
            .apply(&connection, &history, |_| {})
            .await
            .expect("applied");
        assert_eq!((result.done, result.failed), (1, 0));
        let run = result.run_id.clone().expect("journaled");
        assert!(app_off(read().await));

        // Undone from History: the app is on again, the license still there.
        let undo = runs
            .plan_undo(&connection, &history, &run)
            .await
            .expect("undo planned");
        assert_eq!(undo.plan.people[0].action, Action::Apps);
        let undone = runs
            .apply(&connection, &history, |_| {})
            .await
            .expect("undone");
        assert_eq!(undone.done, 1);
        assert!(!app_off(read().await));
        assert_eq!(
            history
                .journal(true)
                .expect("journal")
                .summary(&run)
                .expect("run")
                .state,
            journal::RunState::Undone
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
