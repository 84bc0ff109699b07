//! The app's journal: every run is written there before anything is sent (see `runs`), and
//! the History page reads it back — runs, one run's people, interrupted runs to finish,
//! reports to save. A journal that cannot be opened (another program's file, a damaged one)
//! is left as it is and said plainly; changes are refused until it is dealt with, as a run
//! that cannot be recorded could not be finished or undone.

use std::path::PathBuf;

use journal::{Journal, JournalChange, RunSummary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Changes a page of a run's people holds at most.
const MOST_CHANGES: u32 = 500;

/// The journals: the organisation's, and the demo tenant's apart from it. The demo tenant is
/// made afresh at every start, so its runs are too (`open` removes the last session's): an
/// old demo run could never be finished or undone on the new demo, and must not sit among
/// real runs.
pub struct History {
    path: PathBuf,
    demo_path: PathBuf,
    /// Opened on first use, off the main thread: opening checks the whole file
    /// (`quick_check`), which takes a while on a journal of many large runs, and the window
    /// should not wait for it to appear.
    journal: std::sync::OnceLock<Result<Journal, String>>,
    demo: std::sync::OnceLock<Result<Journal, String>>,
}

impl History {
    /// The journal of real tenants' runs.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The journal at `path` (and the demo's beside it, emptied now), opened when first needed.
    pub fn open(path: PathBuf) -> Self {
        let demo_path = path.with_file_name("demo-journal.sqlite");
        let _ = std::fs::remove_file(&demo_path);
        for suffix in ["-wal", "-shm"] {
            let mut name = demo_path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
        Self {
            path,
            demo_path,
            journal: std::sync::OnceLock::new(),
            demo: std::sync::OnceLock::new(),
        }
    }

    /// The journal for the tenant in use: the demo's when `demo`.
    pub fn journal(&self, demo: bool) -> Result<&Journal, CommandError> {
        let (slot, path) = if demo {
            (&self.demo, &self.demo_path)
        } else {
            (&self.journal, &self.path)
        };
        slot.get_or_init(|| {
                Journal::open(path).map_err(|e| {
                    tracing::warn!("the journal could not be opened: {e}");
                    e.to_string()
                })
            })
            .as_ref()
            .map_err(|message| {
                CommandError::new(
                    "journal.unavailable",
                    format!("{message} Until then LicenseDesk changes nothing, as it could not keep a record of the change."),
                    Some(message.clone()),
                )
            })
    }
}

pub fn journal_error(e: journal::JournalError) -> CommandError {
    let code = match &e {
        journal::JournalError::Busy(_) => "journal.busy",
        journal::JournalError::NoSuchRun(_) => "journal.noRun",
        _ => "journal.failed",
    };
    CommandError::new(code, e.to_string(), Some(e.to_string()))
}

/// A page of one run's people.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunPage {
    pub summary: RunSummary,
    pub plan_names: std::collections::HashMap<String, String>,
    pub changes: Vec<JournalChange>,
    /// How many people the filter keeps.
    pub matching: u32,
}

#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunPageQuery {
    /// Only people whose change failed or is not settled.
    pub problems_only: bool,
    pub offset: u32,
    pub limit: u32,
}

impl History {
    pub fn runs(&self, demo: bool) -> Result<Vec<RunSummary>, CommandError> {
        self.journal(demo)?.runs().map_err(journal_error)
    }

    pub fn page(&self, demo: bool, id: &str, query: RunPageQuery) -> Result<RunPage, CommandError> {
        let detail = self.journal(demo)?.detail(id).map_err(journal_error)?;
        let kept: Vec<JournalChange> = detail
            .changes
            .into_iter()
            .filter(|c| {
                !query.problems_only
                    || matches!(
                        c.status,
                        journal::ChangeStatus::Failed
                            | journal::ChangeStatus::Pending
                            | journal::ChangeStatus::Sent
                            | journal::ChangeStatus::NotSent
                    )
            })
            .collect();
        Ok(RunPage {
            summary: detail.summary,
            plan_names: detail.plan_names,
            matching: kept.len() as u32,
            changes: kept
                .into_iter()
                .skip(query.offset as usize)
                .take(query.limit.min(MOST_CHANGES) as usize)
                .collect(),
        })
    }

    /// Runs on this tenant that were cut short, to offer finishing them.
    pub fn interrupted(
        &self,
        demo: bool,
        tenant_id: &str,
    ) -> Result<Vec<RunSummary>, CommandError> {
        self.journal(demo)?
            .interrupted(tenant_id)
            .map_err(journal_error)
    }

    /// The report of a run, as CSV or Excel, in the window's language.
    pub fn report(
        &self,
        demo: bool,
        id: &str,
        excel: bool,
        language: &str,
    ) -> Result<Vec<u8>, CommandError> {
        let detail = self.journal(demo)?.detail(id).map_err(journal_error)?;
        let labels = journal::report::Labels::for_language(language);
        if excel {
            journal::report::to_xlsx(&detail, &labels)
        } else {
            journal::report::to_csv(&detail, &labels)
        }
        .map_err(journal_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo tenant is new at every start: its runs are kept apart from the organisation's
    /// and start empty, so an old demo run is never offered to finish or undo.
    #[test]
    fn the_demos_runs_are_apart_and_start_afresh() {
        let dir = std::env::temp_dir().join(format!("ld-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("journal.sqlite");
        let plan = licensing::Plan::default();
        let run = |journal: &Journal, tenant: &str| {
            journal
                .begin(&journal::NewRun {
                    tenant_id: tenant,
                    tenant_name: tenant,
                    started_by: "me",
                    source: "app",
                    title: &licensing::RunTitle::Words {
                        text: "Give".into(),
                    },
                    undoes: None,
                    plan: &plan,
                    plan_names: &Default::default(),
                    people: &[],
                })
                .expect("run")
        };
        {
            let history = History::open(path.clone());
            run(history.journal(false).expect("real"), "contoso-real");
            run(history.journal(true).expect("demo"), "contoso-demo");
            assert_eq!(history.runs(false).expect("runs").len(), 1);
            assert_eq!(history.runs(true).expect("runs").len(), 1);
        }
        // The next start: the organisation's runs are still there, the demo's are gone.
        let history = History::open(path);
        assert_eq!(history.runs(false).expect("runs").len(), 1);
        assert!(history.runs(true).expect("runs").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
