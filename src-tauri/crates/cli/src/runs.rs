//! Runs in the journal: every change the CLI applies is written there before it is sent
//! (`journaled`), and `runs`, `run`, `resume`, `undo` and `report` read it back.

use std::collections::HashMap;
use std::path::PathBuf;

use graph::PersonStatus;
use journal::{Journal, NewRun, RunDetail, RunState, report};
use licensing::{Plan, ShortfallPolicy, User, WantedChange};
use serde::Serialize;

use crate::CliError;
use crate::connection::{Connection, ConnectionArgs};
use crate::operations::terminal_safe_lines;

fn journal_error(e: journal::JournalError) -> CliError {
    match e {
        journal::JournalError::NoSuchRun(_) => CliError::Usage(e.to_string()),
        other => CliError::Failed(other.to_string()),
    }
}

/// The journal: `--journal FILE`, `LICENSEDESK_JOURNAL`, or `journal.sqlite` in the CLI's
/// config folder.
pub fn open(path: Option<&PathBuf>) -> Result<Journal, CliError> {
    let path = match path {
        Some(p) => p.clone(),
        None => crate::profile::config_dir()?.join("journal.sqlite"),
    };
    Journal::open(&path).map_err(journal_error)
}

/// Who runs this: the account of the OS, as a scheduled task shows it.
pub(crate) fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .or_else(account_of_this_process)
        .unwrap_or_else(|| "unknown".into())
}

/// The account this process runs as, from the system's user list: scheduled jobs and
/// services often run without USER or LOGNAME set.
#[cfg(target_os = "linux")]
fn account_of_this_process() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    std::fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let _password = fields.next();
            (fields.next()?.parse::<u32>().ok()? == uid).then(|| name.to_string())
        })
}

#[cfg(not(target_os = "linux"))]
fn account_of_this_process() -> Option<String> {
    None
}

/// Applies `plan` with the journal: written before anything is sent, each chunk marked sent
/// before it goes. Returns the run's id and each person's status.
pub async fn journaled(
    connection: &Connection,
    plan: &Plan,
    people: &[User],
    title: &licensing::RunTitle,
    undoes: Option<&str>,
    show_progress: bool,
) -> Result<(String, Vec<PersonStatus>), CliError> {
    let journal = open(connection.journal_path())?;
    let (tenant_id, tenant_name) = connection.tenant().await?;
    for r in journal
        .interrupted(&tenant_id)
        .map_err(journal_error)?
        .iter()
        .filter(|r| Some(r.id.as_str()) != undoes)
    {
        say!(
            "Note: run {} ({}) was interrupted with {} changes unsettled: `licensedesk-cli resume {}` finishes it.",
            r.id,
            r.what,
            r.open,
            r.id
        );
    }
    let names: HashMap<String, String> = crate::operations::plan_names(connection).await?;
    let id = journal
        .begin(&NewRun {
            tenant_id: &tenant_id,
            tenant_name: &tenant_name,
            started_by: &who(),
            source: "cli",
            title,
            undoes,
            plan,
            plan_names: &names,
            people,
        })
        .map_err(journal_error)?;
    let _lock = journal.lock(&id).map_err(journal_error)?;
    say!("Run {id}: `licensedesk-cli run {id}` shows it, `licensedesk-cli undo {id}` reverses it.");
    let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();
    let statuses = carry(connection, &journal, &id, plan, &seqs, show_progress).await?;
    Ok((id, statuses))
}

async fn carry(
    connection: &Connection,
    journal: &Journal,
    id: &str,
    plan: &Plan,
    seqs: &[u32],
    show_progress: bool,
) -> Result<Vec<PersonStatus>, CliError> {
    let statuses = runner::carry_out(
        connection.client(),
        journal,
        id,
        plan,
        seqs,
        &runner::Control::default(),
        |t| {
            if show_progress {
                eprint!("\r{} of {} done, {} failed…", t.done, t.total, t.failed);
            }
        },
    )
    .await
    .map_err(journal_error)?;
    if show_progress {
        eprintln!();
    }
    Ok(statuses
        .into_iter()
        .map(|s| s.unwrap_or(PersonStatus::Skipped))
        .collect())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunLine<'a> {
    id: &'a str,
    tenant_id: &'a str,
    tenant_name: &'a str,
    started_at: &'a str,
    finished_at: Option<&'a str>,
    started_by: &'a str,
    source: &'a str,
    what: &'a str,
    state: RunState,
    total: u32,
    done: u32,
    failed: u32,
    open: u32,
    undoes: Option<&'a str>,
    undone_by: Option<&'a str>,
}

fn line(r: &journal::RunSummary) -> RunLine<'_> {
    RunLine {
        id: &r.id,
        tenant_id: &r.tenant_id,
        tenant_name: &r.tenant_name,
        started_at: &r.started_at,
        finished_at: r.finished_at.as_deref(),
        started_by: &r.started_by,
        source: &r.source,
        what: &r.what,
        state: r.state,
        total: r.total,
        done: r.done,
        failed: r.failed,
        open: r.open,
        undoes: r.undoes.as_deref(),
        undone_by: r.undone_by.as_deref(),
    }
}

fn state_word(s: RunState) -> &'static str {
    match s {
        RunState::Running => "running",
        RunState::Interrupted => "interrupted",
        RunState::Finished => "finished",
        RunState::Cancelled => "cancelled",
        RunState::Undone => "undone",
    }
}

/// `runs`: every run, newest first.
pub fn list(journal_path: Option<&PathBuf>, as_json: bool) -> Result<(), CliError> {
    let journal = open(journal_path)?;
    let runs = journal.runs().map_err(journal_error)?;
    if as_json {
        return crate::output::print_json(&runs.iter().map(line).collect::<Vec<_>>());
    }
    if runs.is_empty() {
        return crate::output::print_text("No runs yet.\n");
    }
    let mut text =
        String::from("RUN       STARTED               STATE        DONE  FAILED  TOTAL  WHAT\n");
    for r in &runs {
        text.push_str(&format!(
            "{:<9} {:<21} {:<12} {:>4}  {:>6}  {:>5}  {} ({})\n",
            r.id,
            r.started_at,
            state_word(r.state),
            r.done,
            r.failed,
            r.total,
            r.what,
            r.tenant_name
        ));
    }
    crate::output::print_text(&terminal_safe_lines(&text))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunReport<'a> {
    #[serde(flatten)]
    run: RunLine<'a>,
    changes: Vec<ChangeLine<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeLine<'a> {
    user_id: &'a str,
    user_principal_name: &'a str,
    display_name: &'a str,
    action: &'static str,
    set_usage_location: Option<&'a str>,
    add: Vec<&'a str>,
    remove: Vec<&'a str>,
    status: journal::ChangeStatus,
    error: Option<&'a str>,
    error_code: Option<&'a str>,
}

/// `run RUN`: the run and every person's outcome.
pub fn show(journal_path: Option<&PathBuf>, run: &str, as_json: bool) -> Result<(), CliError> {
    let journal = open(journal_path)?;
    let id = journal.find(run).map_err(journal_error)?;
    let detail = journal.detail(&id).map_err(journal_error)?;
    if as_json {
        return crate::output::print_json(&RunReport {
            run: line(&detail.summary),
            changes: detail
                .changes
                .iter()
                .map(|c| ChangeLine {
                    user_id: &c.outcome.user_id,
                    user_principal_name: &c.outcome.user_principal_name,
                    display_name: &c.outcome.display_name,
                    action: crate::operations::action_word(c.outcome.action),
                    set_usage_location: c.outcome.set_usage_location.as_deref(),
                    add: c.outcome.add.iter().map(|a| a.sku_id.as_str()).collect(),
                    remove: c.outcome.remove.iter().map(String::as_str).collect(),
                    status: c.status,
                    error: c.error.as_deref(),
                    error_code: c.error_code.as_deref(),
                })
                .collect(),
        });
    }
    let s = &detail.summary;
    let mut text = format!(
        "Run {} on {} ({}), started {} by {} ({}): {}\nState: {}. {} done, {} failed, {} not settled, of {}.\n",
        s.id,
        s.tenant_name,
        s.tenant_id,
        s.started_at,
        s.started_by,
        s.source,
        s.what,
        state_word(s.state),
        s.done,
        s.failed,
        s.open,
        s.total
    );
    let labels = report::Labels::for_language("en");
    for c in &detail.changes {
        text.push_str(&format!(
            "  {}: {} — {}{}\n",
            c.outcome.user_principal_name,
            (labels.actions)(c.outcome.action),
            (labels.statuses)(c.status),
            c.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
    }
    crate::output::print_text(&terminal_safe_lines(&text))
}

/// The tenant the command talks to must be the run's.
async fn same_tenant(connection: &Connection, detail: &RunDetail) -> Result<(), CliError> {
    let (tenant_id, tenant_name) = connection.tenant().await?;
    if tenant_id != detail.summary.tenant_id {
        return Err(CliError::Usage(format!(
            "run {} was on {} ({}), but this command talks to {tenant_name} ({tenant_id}): sign in to that tenant first",
            detail.summary.id, detail.summary.tenant_name, detail.summary.tenant_id
        )));
    }
    Ok(())
}

/// `resume RUN`: finishes an interrupted run. Changes whose answer was lost are settled by
/// reading the people; only what is still missing is sent.
pub async fn resume(
    args: &ConnectionArgs,
    run: &str,
    yes: bool,
    as_json: bool,
) -> Result<(), CliError> {
    let journal = open(args.journal())?;
    let id = journal.find(run).map_err(journal_error)?;
    let detail = journal.detail(&id).map_err(journal_error)?;
    match detail.summary.state {
        RunState::Interrupted => {}
        RunState::Running => {
            return Err(CliError::Usage(
                journal::JournalError::Busy(id.clone()).to_string(),
            ));
        }
        other => {
            return Err(CliError::Usage(format!(
                "run {id} is {}: there is nothing to finish",
                state_word(other)
            )));
        }
    }
    let connection = Connection::open(args).await?;
    same_tenant(&connection, &detail).await?;
    let _lock = journal.lock(&id).map_err(journal_error)?;
    journal.reopen(&id).map_err(journal_error)?;
    let settled = runner::settle(connection.client(), &journal, &id)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    say!(
        "Run {id}: {} changes were already in place, {} were changed by someone else meanwhile (left alone), {} still to send.",
        settled.found_done,
        settled.changed_since,
        settled.plan.people.len()
    );
    if !yes && !settled.plan.people.is_empty() {
        // What is left to send, as a review: the person sees it before anything is sent.
        let skus = connection.skus().await?;
        let text = crate::operations::plan_text(&connection, &settled.plan, &skus).await;
        say!("{text}");
        crate::import::confirm(&format!(
            "Send the {} changes left of run {id}?",
            settled.plan.people.len()
        ))?;
    }
    carry(
        &connection,
        &journal,
        &id,
        &settled.plan,
        &settled.seqs,
        !as_json && settled.plan.people.len() > 20,
    )
    .await?;
    show(args.journal(), &id, as_json)?;
    let summary = journal.summary(&id).map_err(journal_error)?;
    if summary.failed > 0 {
        return Err(CliError::Failed(format!(
            "{} of {} people could not be changed (see above)",
            summary.failed, summary.total
        )));
    }
    Ok(())
}

/// `undo RUN`: the reverse of a run, planned against the tenant as it is now; people changed
/// by someone else since are left alone and listed.
pub async fn undo(
    args: &ConnectionArgs,
    run: &str,
    dry_run: bool,
    as_json: bool,
) -> Result<(), CliError> {
    let journal = open(args.journal())?;
    let id = journal.find(run).map_err(journal_error)?;
    let detail = journal.detail(&id).map_err(journal_error)?;
    match detail.summary.state {
        RunState::Running => {
            return Err(CliError::Usage(
                journal::JournalError::Busy(id.clone()).to_string(),
            ));
        }
        RunState::Undone => {
            return Err(CliError::Usage(format!(
                "run {id} was undone already (by run {})",
                detail.summary.undone_by.as_deref().unwrap_or("?")
            )));
        }
        _ => {}
    }
    let connection = Connection::open(args).await?;
    same_tenant(&connection, &detail).await?;
    let ids: Vec<String> = detail
        .changes
        .iter()
        .map(|c| c.outcome.user_id.clone())
        .collect();
    let now = runner::read_people(connection.client(), &ids).await?;
    let (back, alone) = runner::reverse(&detail, &now);
    for a in &alone {
        eprint!(
            "{}",
            terminal_safe_lines(&format!(
                "Left alone: {}: {}",
                a.outcome.user_principal_name, a.why
            ))
        );
    }
    let skus = connection.skus().await?;
    let requests: Vec<(&User, &WantedChange)> = back.iter().map(|(u, c)| (u, c)).collect();
    let planned = licensing::plan_each(&requests, &skus, ShortfallPolicy::Partial);
    let people: Vec<User> = back.into_iter().map(|(u, _)| u).collect();
    crate::operations::carry_out_as(
        &connection,
        &planned,
        &skus,
        &people,
        &licensing::RunTitle::Undo {
            of: Box::new(detail.summary.title.clone()),
        },
        Some(&id),
        dry_run,
        as_json,
    )
    .await?;
    if !alone.is_empty() {
        return Err(CliError::Failed(format!(
            "{} people were changed by someone else since run {id} and were left alone (see above)",
            alone.len()
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

/// `report RUN --format csv|xlsx --out FILE`.
pub fn write_report(
    journal_path: Option<&PathBuf>,
    run: &str,
    format: Format,
    out: &std::path::Path,
    language: Option<&str>,
) -> Result<(), CliError> {
    let journal = open(journal_path)?;
    let id = journal.find(run).map_err(journal_error)?;
    let detail = journal.detail(&id).map_err(journal_error)?;
    let lang = language
        .map(str::to_owned)
        .or_else(|| std::env::var("LANG").ok())
        .unwrap_or_else(|| "en".into());
    let labels = report::Labels::for_language(&lang);
    let bytes = match format {
        Format::Csv => report::to_csv(&detail, &labels),
        Format::Xlsx => report::to_xlsx(&detail, &labels),
    }
    .map_err(journal_error)?;
    safe_files::write_replacing(out, &bytes)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", out.display())))?;
    say!("Wrote the report of run {id} to {}.", out.display());
    Ok(())
}
