//! The journal: every license run, in the app or the CLI, written to a SQLite file before
//! anything is sent — who started it, when, on which tenant, the plan, each person's licenses
//! and usage location as read when planning, and each change's progress. A run cut short (a
//! crash, `kill -9`, a dead battery) is found here and finished; a finished one is undone from
//! here. Nothing in it is secret: names, ids and Graph's error texts, never a token.
//!
//! One file holds every tenant's runs (the tenant is on every run). A file that is not a
//! LicenseDesk journal, or is damaged, is refused with what to do and never written to.
//!
//! Past 600 lines: the journal's one SQLite schema and every statement on it, kept together
//! so that each write can be read beside the transaction it belongs to.

mod lock;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use licensing::{Action, PersonOutcome, Plan, SeatLedger, User};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use lock::RunLock;

/// `PRAGMA application_id`: "LDSK". A SQLite file without it is someone else's.
const APPLICATION_ID: i64 = 0x4C44_534B;
/// 2: runs keep their title as facts (`title`, JSON), for the window to word.
const SCHEMA_VERSION: i64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "{path} is not a LicenseDesk journal (it belongs to another program or is not a database). LicenseDesk left it as it is: move it away or point LicenseDesk at another file."
    )]
    Foreign { path: PathBuf },
    #[error(
        "The journal {path} is damaged ({detail}). LicenseDesk left it as it is, so nothing in it is lost: move it away to start a new one, and keep it for support."
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "The journal {path} was written by a newer LicenseDesk (version {found}). Update LicenseDesk to read it."
    )]
    Newer { path: PathBuf, found: i64 },
    #[error("There is no run {0} in the journal. `licensedesk-cli runs` lists them.")]
    NoSuchRun(String),
    #[error(
        "Run {0} is being carried out by another LicenseDesk (the app or the CLI) right now. Wait for it to finish, or close the other one."
    )]
    Busy(String),
    #[error("The journal could not be written: {0}")]
    Sqlite(String),
    #[error("The journal could not be read: {0}")]
    Io(String),
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        JournalError::Sqlite(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, JournalError>;

/// A direct license as it was: what undo gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DirectLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

/// A person's licensing as read: their direct licenses and usage location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Licensing {
    pub usage_location: Option<String>,
    /// Sorted by skuId (lower case), each with its disabled plans sorted.
    pub direct: Vec<DirectLicense>,
    /// The license groups the person is in, as their license states show (ids, lower case,
    /// sorted): what a membership run changes and its undo restores.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Licensing {
    pub fn of(user: &User) -> Self {
        let mut direct: Vec<DirectLicense> = user
            .licenses_in_place()
            .filter(|a| a.assigned_by_group.is_none())
            .map(|a| {
                let mut disabled: Vec<String> = a
                    .disabled_plans
                    .iter()
                    .map(|p| p.to_ascii_lowercase())
                    .collect();
                disabled.sort();
                DirectLicense {
                    sku_id: a.sku_id.to_ascii_lowercase(),
                    disabled_plans: disabled,
                }
            })
            .collect();
        direct.sort_by(|a, b| a.sku_id.cmp(&b.sku_id));
        direct.dedup_by(|a, b| a.sku_id == b.sku_id);
        Self {
            usage_location: user.usage_location.clone(),
            direct,
            groups: licensing::membership::groups_of(user),
        }
    }

    /// What this becomes when `change` is carried out in full.
    pub fn after(&self, change: &PersonOutcome) -> Self {
        let mut direct: Vec<DirectLicense> = self
            .direct
            .iter()
            .filter(|d| {
                !change
                    .remove
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&d.sku_id))
            })
            .cloned()
            .collect();
        if matches!(change.action, Action::Add | Action::Swap | Action::Apps) {
            for add in &change.add {
                let id = add.sku_id.to_ascii_lowercase();
                let mut disabled: Vec<String> = add
                    .disabled_plans
                    .iter()
                    .map(|p| p.to_ascii_lowercase())
                    .collect();
                disabled.sort();
                direct.retain(|d| d.sku_id != id);
                direct.push(DirectLicense {
                    sku_id: id,
                    disabled_plans: disabled,
                });
            }
        }
        direct.sort_by(|a, b| a.sku_id.cmp(&b.sku_id));
        let mut groups: Vec<String> = self
            .groups
            .iter()
            .filter(|g| {
                !change
                    .leave_groups
                    .iter()
                    .any(|l| l.id.eq_ignore_ascii_case(g))
            })
            .cloned()
            .chain(change.join_groups.iter().map(|j| j.id.to_ascii_lowercase()))
            .collect();
        groups.sort();
        groups.dedup();
        Self {
            usage_location: change
                .set_usage_location
                .clone()
                .or_else(|| self.usage_location.clone()),
            direct,
            groups,
        }
    }

    /// The same licenses as `other` for a change of this kind: ids only (whatever their apps),
    /// except for a change of apps, where the apps are what changed.
    pub fn same_for(&self, other: &Licensing, action: Action) -> bool {
        match action {
            Action::Apps => self.direct == other.direct,
            Action::Membership => self.groups == other.groups,
            _ => self.same_licenses(other),
        }
    }

    /// The same licenses (ids), whatever their apps.
    pub fn same_licenses(&self, other: &Licensing) -> bool {
        self.direct.len() == other.direct.len()
            && self
                .direct
                .iter()
                .zip(&other.direct)
                .all(|(a, b)| a.sku_id == b.sku_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ChangeStatus {
    /// Not sent yet.
    Pending,
    /// Sent (or about to be): its answer may be lost, so it is settled by reading the person.
    Sent,
    Done,
    Failed,
    /// Nothing to send: blocked in the plan, or nothing to do.
    Skipped,
    /// The run was cancelled before this person's turn.
    NotSent,
}

impl ChangeStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::NotSent => "notSent",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "done" => Self::Done,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            _ => Self::NotSent,
        }
    }

    /// Still to be settled when a run is finished after a crash.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Sent)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunState {
    /// Being carried out right now (by this or another process).
    Running,
    /// Cut short: no process carries it out and changes are still open.
    Interrupted,
    Finished,
    Cancelled,
    /// Undone by a later run.
    Undone,
}

/// Who started a run, where, and what it is.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub tenant_id: &'a str,
    pub tenant_name: &'a str,
    /// The signed-in account (or "demo"), and the program: "app" or "cli".
    pub started_by: &'a str,
    pub source: &'a str,
    /// What the run is, as facts; the journal keeps its English words too (`what`).
    pub title: &'a licensing::RunTitle,
    /// The run this one undoes.
    pub undoes: Option<&'a str>,
    pub plan: &'a Plan,
    /// Plan (SKU) id, lower case → friendly name, for reports.
    pub plan_names: &'a std::collections::HashMap<String, String>,
    /// Everyone in the plan as read when planning.
    pub people: &'a [User],
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunSummary {
    pub id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub started_by: String,
    pub source: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// In English: "Give Microsoft 365 E3 — 3 people", for the CLI and reports.
    pub what: String,
    /// The same as facts, for the window to word in the person's language.
    pub title: licensing::RunTitle,
    pub undoes: Option<String>,
    pub undone_by: Option<String>,
    pub state: RunState,
    pub total: u32,
    pub done: u32,
    pub failed: u32,
    pub open: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JournalChange {
    pub seq: u32,
    pub outcome: PersonOutcome,
    pub before: Licensing,
    pub status: ChangeStatus,
    /// Graph's words, or why it was not done.
    pub error: Option<String>,
    /// A stable code for the error, for the window to word (`noUsageLocation`, `changedSince`…).
    pub error_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunDetail {
    pub summary: RunSummary,
    pub seats: Vec<SeatLedger>,
    pub plan_names: std::collections::HashMap<String, String>,
    pub changes: Vec<JournalChange>,
}

/// A change's result, for `Journal::record`.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub seq: u32,
    pub status: ChangeStatus,
    pub error: Option<String>,
    pub error_code: Option<String>,
}

pub struct Journal {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Journal {
    /// Opens the journal at `path`, creating it (and its folder) when there is none. An
    /// existing file must be a sound LicenseDesk journal; it is never replaced.
    pub fn open(path: &Path) -> Result<Self> {
        // Another process may be creating or checking the file this very moment, and some of
        // SQLite's steps answer "locked" at once instead of waiting: try again for a while.
        let mut tries = 0;
        loop {
            match Self::open_once(path) {
                Err(JournalError::Damaged { detail, .. } | JournalError::Sqlite(detail))
                    if tries < 100 && (detail.contains("locked") || detail.contains("busy")) =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 + 5 * tries));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Self> {
        // Never through a link (here, or SQLite's own open below with NOFOLLOW).
        let exists = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() || !meta.is_file() => {
                return Err(JournalError::Foreign {
                    path: path.to_path_buf(),
                });
            }
            Ok(_) => true,
            Err(_) => false,
        };
        if !exists {
            // The folder private to this account, and the file made here, 0600, exclusively
            // (SQLite would make it readable by everyone; its -wal and -shm take the file's
            // permissions). Another process making it at this moment is fine: it is then an
            // empty file of ours, checked below like any.
            if let Some(dir) = path.parent() {
                safe_files::private_dir(dir).map_err(|e| JournalError::Io(e.to_string()))?;
            }
            match safe_files::create_private(path) {
                Ok(_) => {}
                Err(safe_files::FileError::Io(e))
                    if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(JournalError::Io(e.to_string())),
            }
        }
        // An empty file is a journal being made: ours to set up only if it is ours (this
        // account's, private), never one planted for us to fill.
        let empty = std::fs::metadata(path)
            .map(|m| m.len() == 0)
            .unwrap_or(false);
        if empty && !safe_files::is_private_and_mine(path).unwrap_or(false) {
            return Err(JournalError::Foreign {
                path: path.to_path_buf(),
            });
        }
        let exists = !empty;
        let damaged = |detail: String| JournalError::Damaged {
            path: path.to_path_buf(),
            detail,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| damaged(e.to_string()))?;
        // Before anything else: the app and the CLI (or two CLI runs) may open it together.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut version = 0;
        if exists {
            // Read before anything is written: a foreign or damaged file stays as it was. One
            // statement, so one snapshot: another process may be creating the journal now.
            // A database with nothing in it yet (being created, or an empty file) is ours to
            // set up; one with tables of its own is not.
            let (id, found_version, tables): (i64, i64, i64) = conn
                .query_row(
                    "SELECT (SELECT application_id FROM pragma_application_id()),
                            (SELECT user_version FROM pragma_user_version()),
                            (SELECT count(*) FROM sqlite_master)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::NotADatabase =>
                    {
                        JournalError::Foreign {
                            path: path.to_path_buf(),
                        }
                    }
                    other => damaged(other.to_string()),
                })?;
            version = found_version;
            if id != APPLICATION_ID && !(id == 0 && tables == 0) {
                return Err(JournalError::Foreign {
                    path: path.to_path_buf(),
                });
            }
            if version > SCHEMA_VERSION {
                return Err(JournalError::Newer {
                    path: path.to_path_buf(),
                    found: version,
                });
            }
            let check: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|e| damaged(e.to_string()))?;
            if check != "ok" {
                return Err(damaged(check));
            }
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| damaged(e.to_string()))?;
        // A power cut after a commit keeps the commit: the run's record is what resume trusts.
        conn.pragma_update(None, "synchronous", "FULL")?;
        if version < SCHEMA_VERSION {
            // A new journal (or an empty file): written once, in one transaction.
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE;
                 PRAGMA application_id = {APPLICATION_ID};
                 PRAGMA user_version = {SCHEMA_VERSION};
                 CREATE TABLE IF NOT EXISTS runs (
                     id TEXT PRIMARY KEY,
                     tenant_id TEXT NOT NULL,
                     tenant_name TEXT NOT NULL,
                     started_by TEXT NOT NULL,
                     source TEXT NOT NULL,
                     started_at TEXT NOT NULL,
                     finished_at TEXT,
                     what TEXT NOT NULL,
                     undoes TEXT,
                     undone_by TEXT,
                     state TEXT NOT NULL,
                     seats TEXT NOT NULL,
                     plan_names TEXT NOT NULL,
                     title TEXT
                 );
                 CREATE TABLE IF NOT EXISTS changes (
                     run_id TEXT NOT NULL REFERENCES runs(id),
                     seq INTEGER NOT NULL,
                     user_id TEXT NOT NULL,
                     outcome TEXT NOT NULL,
                     before TEXT NOT NULL,
                     status TEXT NOT NULL,
                     error TEXT,
                     error_code TEXT,
                     PRIMARY KEY (run_id, seq)
                 );
                 {upgrade}
                 COMMIT;",
                upgrade = if version == 1 {
                    // Version 1 had no titles: its runs keep their English words.
                    "ALTER TABLE runs ADD COLUMN title TEXT;"
                } else {
                    ""
                }
            ))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the run's lock: only one process carries out a run at a time.
    pub fn lock(&self, run: &str) -> Result<RunLock> {
        RunLock::take(&self.lock_path(run), run)
    }

    fn lock_path(&self, run: &str) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "journal".into());
        self.path.with_file_name(format!("{name}.{run}.lock"))
    }

    /// Writes a new run with every person's change (pending) and state before, in one
    /// transaction, and returns its id. Nothing has been sent yet.
    ///
    /// Write transactions start IMMEDIATE: another process may write at the same time, and a
    /// deferred one that reads first cannot wait its turn (SQLite answers "locked" at once).
    pub fn begin(&self, run: &NewRun<'_>) -> Result<String> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id = loop {
            let candidate = new_id();
            let taken: Option<String> = tx
                .query_row("SELECT id FROM runs WHERE id = ?1", [&candidate], |r| {
                    r.get(0)
                })
                .optional()?;
            if taken.is_none() {
                break candidate;
            }
        };
        tx.execute(
            "INSERT INTO runs (id, tenant_id, tenant_name, started_by, source, started_at, what, undoes, state, seats, plan_names, title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9, ?10, ?11)",
            params![
                id,
                run.tenant_id,
                run.tenant_name,
                run.started_by,
                run.source,
                now(),
                run.title.english(),
                run.undoes,
                json(&run.plan.seats),
                json(run.plan_names),
                json(run.title),
            ],
        )?;
        {
            let by_id: std::collections::HashMap<&str, &User> =
                run.people.iter().map(|u| (u.id.as_str(), u)).collect();
            let mut insert = tx.prepare(
                "INSERT INTO changes (run_id, seq, user_id, outcome, before, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (seq, outcome) in run.plan.people.iter().enumerate() {
                let before = by_id
                    .get(outcome.user_id.as_str())
                    .map(|u| Licensing::of(u))
                    .unwrap_or(Licensing {
                        usage_location: None,
                        direct: Vec::new(),
                        groups: Vec::new(),
                    });
                let status = if sends_anything(outcome) {
                    ChangeStatus::Pending
                } else {
                    ChangeStatus::Skipped
                };
                insert.execute(params![
                    id,
                    seq as i64,
                    outcome.user_id,
                    json(outcome),
                    json(&before),
                    status.as_str()
                ])?;
            }
        }
        // The run an undo reverses is marked undone when the undo ends having reversed
        // something (`finish`), not here: an undo that changed nobody must not block a real one.
        tx.commit()?;
        Ok(id)
    }

    /// Marks these changes sent, before they are: a crash from here on settles them by
    /// reading the people.
    pub fn mark_sent(&self, run: &str, seqs: &[u32]) -> Result<()> {
        self.step(run, &[], seqs)
    }

    /// Records answers, in one transaction.
    pub fn record(&self, run: &str, outcomes: &[Outcome]) -> Result<()> {
        self.step(run, outcomes, &[])
    }

    /// Records the answers of one chunk and marks the next one sent, in one transaction: a
    /// run writes (and syncs to disk) once per chunk instead of twice.
    pub fn step(&self, run: &str, outcomes: &[Outcome], sending: &[u32]) -> Result<()> {
        if outcomes.is_empty() && sending.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut answer = tx.prepare(
                "UPDATE changes SET status = ?3, error = ?4, error_code = ?5 WHERE run_id = ?1 AND seq = ?2",
            )?;
            for o in outcomes {
                answer.execute(params![
                    run,
                    o.seq as i64,
                    o.status.as_str(),
                    o.error,
                    o.error_code
                ])?;
            }
            let mut sent = tx.prepare(
                "UPDATE changes SET status = 'sent' WHERE run_id = ?1 AND seq = ?2 AND status IN ('pending', 'sent')",
            )?;
            for seq in sending {
                sent.execute(params![run, *seq as i64])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Ends a run: cancelled runs mark what was never sent.
    pub fn finish(&self, run: &str, cancelled: bool) -> Result<()> {
        let conn = self.conn();
        if cancelled {
            conn.execute(
                "UPDATE changes SET status = 'notSent' WHERE run_id = ?1 AND status = 'pending'",
                [run],
            )?;
        }
        conn.execute(
            "UPDATE runs SET state = ?2, finished_at = ?3 WHERE id = ?1",
            params![run, if cancelled { "cancelled" } else { "finished" }, now()],
        )?;
        // An undo that reversed at least one change marks the run it undoes.
        conn.execute(
            "UPDATE runs SET undone_by = ?1
             WHERE id = (SELECT undoes FROM runs WHERE id = ?1)
               AND EXISTS (SELECT 1 FROM changes WHERE run_id = ?1 AND status = 'done')",
            [run],
        )?;
        Ok(())
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>> {
        let ids: Vec<String> = {
            let conn = self.conn();
            let mut q = conn.prepare("SELECT id FROM runs ORDER BY started_at DESC, rowid DESC")?;
            q.query_map([], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        ids.iter().map(|id| self.summary(id)).collect()
    }

    /// The newest run whose id starts with `prefix` (ids are shown shortened).
    pub fn find(&self, prefix: &str) -> Result<String> {
        let conn = self.conn();
        let mut q = conn.prepare(
            "SELECT id FROM runs WHERE id LIKE ?1 || '%' ORDER BY started_at DESC LIMIT 2",
        )?;
        let found: Vec<String> = q
            .query_map([prefix.trim().to_ascii_lowercase()], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(JournalError::NoSuchRun(prefix.to_string())),
        }
    }

    pub fn summary(&self, id: &str) -> Result<RunSummary> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT id, tenant_id, tenant_name, started_by, source, started_at, finished_at, what, undoes, undone_by, state, title FROM runs WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, Option<String>>(11)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| JournalError::NoSuchRun(id.to_string()))?;
        let mut counts =
            conn.prepare("SELECT status, COUNT(*) FROM changes WHERE run_id = ?1 GROUP BY status")?;
        let (mut total, mut done, mut failed, mut open) = (0u32, 0u32, 0u32, 0u32);
        for pair in counts.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (status, n) = pair?;
            let n = n as u32;
            total += n;
            match ChangeStatus::parse(&status) {
                ChangeStatus::Done => done += n,
                ChangeStatus::Failed => failed += n,
                s if s.is_open() => open += n,
                _ => {}
            }
        }
        let state = match row.10.as_str() {
            "finished" if row.9.is_some() => RunState::Undone,
            "finished" => RunState::Finished,
            "cancelled" if row.9.is_some() => RunState::Undone,
            "cancelled" => RunState::Cancelled,
            // "running": is anyone carrying it out?
            _ if lock::is_held(&self.lock_path(id)) => RunState::Running,
            _ => RunState::Interrupted,
        };
        Ok(RunSummary {
            id: row.0,
            tenant_id: row.1,
            tenant_name: row.2,
            started_by: row.3,
            source: row.4,
            started_at: row.5,
            finished_at: row.6,
            // A title that does not read (or a run from before titles) is its English words.
            title: row
                .11
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_else(|| licensing::RunTitle::Words {
                    text: row.7.clone(),
                }),
            what: row.7,
            undoes: row.8,
            undone_by: row.9,
            state,
            total,
            done,
            failed,
            open,
        })
    }

    pub fn detail(&self, id: &str) -> Result<RunDetail> {
        let summary = self.summary(id)?;
        let conn = self.conn();
        let (seats, plan_names): (String, String) = conn.query_row(
            "SELECT seats, plan_names FROM runs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut q = conn.prepare(
            "SELECT seq, outcome, before, status, error, error_code FROM changes WHERE run_id = ?1 ORDER BY seq",
        )?;
        let changes = q
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .map(|row| {
                let (seq, outcome, before, status, error, error_code) = row?;
                Ok(JournalChange {
                    seq: seq as u32,
                    outcome: parse(&outcome, &self.path)?,
                    before: parse(&before, &self.path)?,
                    status: ChangeStatus::parse(&status),
                    error,
                    error_code,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RunDetail {
            summary,
            seats: parse(&seats, &self.path)?,
            plan_names: parse(&plan_names, &self.path)?,
            changes,
        })
    }

    /// Runs left running by a process that is gone: to be finished.
    pub fn interrupted(&self, tenant_id: &str) -> Result<Vec<RunSummary>> {
        Ok(self
            .runs()?
            .into_iter()
            .filter(|r| r.state == RunState::Interrupted && r.tenant_id == tenant_id)
            .collect())
    }

    /// Marks an interrupted run as being carried out again.
    pub fn reopen(&self, run: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE runs SET state = 'running', finished_at = NULL WHERE id = ?1",
            [run],
        )?;
        Ok(())
    }
}

/// Whether carrying out this outcome sends anything: a license change or a usage location.
pub fn sends_anything(p: &PersonOutcome) -> bool {
    p.action != Action::Blocked && (p.action != Action::None || p.set_usage_location.is_some())
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    serde_json::from_str(text).map_err(|e| JournalError::Damaged {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// Eight hex digits: short enough to type, checked against the journal for clashes.
fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

#[cfg(test)]
mod tests;
