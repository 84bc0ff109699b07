//! Tauri commands: parse, call the domain, map the error. Nothing else belongs here.

use graph::auth::DeviceCodePrompt;
use licensing::{ShortfallPolicy, SkuSummary, UsersPage, UsersQuery, WantedChange, summarize_skus};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tokio::sync::Mutex;

use crate::error::CommandError;
use crate::history::{History, RunPage, RunPageQuery};
use crate::import::{ImportFile, ImportRows, Imports, ReadChoice, RowsView};
use crate::people::Country;
use crate::person::PersonDetail;
use crate::runs::{PlanPreview, RunProgress, RunResult, Runs};
use crate::settings;
use crate::signin::{self, DeviceCodeInfo};
use crate::tenant::{SavedTenant, TenantInfo, TenantSetup, TenantState};
use hr_import::{Field, Mapping};
use journal::RunSummary;

/// The device-code sign-in waiting for the person, between its two commands.
#[derive(Default)]
pub struct PendingDeviceSignIn(pub Mutex<Option<(TenantSetup, DeviceCodePrompt)>>);

#[tauri::command]
pub async fn tenant_info(state: State<'_, TenantState>) -> Result<TenantInfo, CommandError> {
    Ok(state.connection().await?.info.clone())
}

/// Every license plan with its seats, in display order.
#[tauri::command]
pub async fn list_plans(state: State<'_, TenantState>) -> Result<Vec<SkuSummary>, CommandError> {
    let connection = state.connection().await?;
    let skus: Vec<_> = connection.client.plans().await?;
    Ok(summarize_skus(&skus, &crate::product_names::current()))
}

#[tauri::command]
pub fn saved_tenants(app: AppHandle) -> Vec<SavedTenant> {
    settings::saved_tenants(&app)
}

#[tauri::command]
pub async fn start_device_sign_in(
    app: AppHandle,
    state: State<'_, TenantState>,
    pending: State<'_, PendingDeviceSignIn>,
    setup: TenantSetup,
) -> Result<DeviceCodeInfo, CommandError> {
    signin::start_device(&state, &pending.0, setup, &app).await
}

#[tauri::command]
pub async fn finish_device_sign_in(
    app: AppHandle,
    state: State<'_, TenantState>,
    pending: State<'_, PendingDeviceSignIn>,
) -> Result<TenantInfo, CommandError> {
    let connection = signin::finish_device(&app, &state, &pending.0).await?;
    Ok(state.use_connection(connection).await.info.clone())
}

#[tauri::command]
pub async fn sign_in_with_browser(
    app: AppHandle,
    state: State<'_, TenantState>,
    setup: TenantSetup,
) -> Result<TenantInfo, CommandError> {
    let connection = signin::with_browser(&app, &state, setup).await?;
    Ok(state.use_connection(connection).await.info.clone())
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, TenantState>) -> Result<(), CommandError> {
    signin::cancel(&state).await;
    Ok(())
}

/// Opens the device-code verification page in the system browser: only the address the
/// sign-in service gave for the sign-in in progress, never one the webview chooses.
#[tauri::command]
pub async fn open_verification_page(
    app: AppHandle,
    pending: State<'_, PendingDeviceSignIn>,
) -> Result<(), CommandError> {
    use tauri_plugin_opener::OpenerExt;
    let url = pending
        .0
        .lock()
        .await
        .as_ref()
        .map(|(_, p)| p.verification_uri.clone());
    let url =
        url.ok_or_else(|| CommandError::new("signin.none", "No sign-in is in progress.", None))?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        CommandError::new(
            "signin.browser",
            "The browser could not be opened. Type the address shown into a browser.",
            Some(e.to_string()),
        )
    })
}

#[tauri::command]
pub async fn switch_tenant(
    app: AppHandle,
    state: State<'_, TenantState>,
    setup: TenantSetup,
) -> Result<TenantInfo, CommandError> {
    let connection = signin::resume(&app, &state, setup).await?;
    Ok(state.use_connection(connection).await.info.clone())
}

/// Signs out of the current tenant (its keychain entry is deleted) and goes back to the demo.
#[tauri::command]
pub async fn sign_out(
    app: AppHandle,
    state: State<'_, TenantState>,
) -> Result<TenantInfo, CommandError> {
    let current = state.connection().await?;
    signin::sign_out(&app, &current, current.setup.clone())?;
    Ok(state.use_demo().await?.info.clone())
}

/// One screenful of the people the query matches, with the filters' counts. The first call
/// starts reading the directory and returns with its first page.
#[tauri::command]
pub async fn users_page(
    state: State<'_, TenantState>,
    query: UsersQuery,
    offset: u32,
    limit: u32,
) -> Result<UsersPage, CommandError> {
    let connection = state.connection().await?;
    connection
        .directory
        .ensure_started(&connection.client)
        .await?;
    Ok(connection.directory.page(&query, offset, limit))
}

/// Everyone the query matches, for "select all matching".
#[tauri::command]
pub async fn matching_ids(
    state: State<'_, TenantState>,
    query: UsersQuery,
) -> Result<Vec<String>, CommandError> {
    let connection = state.connection().await?;
    connection
        .directory
        .ensure_started(&connection.client)
        .await?;
    Ok(connection.directory.matching_ids(&query))
}

/// One person, read fresh: licenses with where they come from and their apps.
#[tauri::command]
pub async fn person(
    state: State<'_, TenantState>,
    id: String,
) -> Result<PersonDetail, CommandError> {
    let connection = state.connection().await?;
    crate::person::read(&connection, &id).await
}

#[tauri::command]
pub fn countries() -> Vec<Country> {
    crate::people::countries()
}

/// Plans a change for these people; nothing is sent until `apply_plan`.
#[tauri::command]
pub async fn plan_change(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    ids: Vec<String>,
    change: WantedChange,
    policy: ShortfallPolicy,
) -> Result<PlanPreview, CommandError> {
    if !change.join_groups.is_empty() || !change.leave_groups.is_empty() {
        // Groups are named by the groups commands, which read them from Graph: the window
        // never says what a group gives.
        return Err(CommandError::new(
            "plan.groups",
            "Group membership is changed from the Groups page or a person's panel.",
            None,
        ));
    }
    let connection = state.connection().await?;
    runs.plan(
        &connection,
        crate::runs::Request::Everyone { ids, change },
        policy,
    )
    .await
}

/// Carries out the plan last previewed, reporting progress on the channel.
#[tauri::command]
pub async fn apply_plan(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    history: State<'_, History>,
    on_progress: Channel<RunProgress>,
) -> Result<RunResult, CommandError> {
    let connection = state.connection().await?;
    runs.apply(&connection, &history, |p| {
        let _ = on_progress.send(p);
    })
    .await
}

#[tauri::command]
pub fn pause_run(runs: State<'_, Runs>) {
    runs.pause();
}

#[tauri::command]
pub fn resume_run(runs: State<'_, Runs>) {
    runs.resume();
}

#[tauri::command]
pub fn cancel_run(runs: State<'_, Runs>) {
    runs.cancel();
}

/// Closing the window while a run sends changes: cancel the run, let what was sent finish,
/// then quit. (The window asked first; see `lib.rs`.)
#[tauri::command]
pub async fn stop_run_and_quit<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    runs: State<'_, Runs>,
) -> Result<(), CommandError> {
    runs.stop(std::time::Duration::from_secs(120)).await;
    app.exit(0);
    Ok(())
}

/// Plans the last run's change again for the people it failed for.
#[tauri::command]
pub async fn plan_retry(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    runs.plan_retry(&connection).await
}

/// Asks where to save (the dialog is Rust's: the webview has no file access) and writes
/// `bytes` there; the path chosen, or `None` when the person cancelled.
pub(crate) async fn save_with_dialog(
    app: &AppHandle,
    filter: &str,
    ext: &str,
    file_name: String,
    bytes: &[u8],
) -> Result<Option<String>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter(filter, &[ext])
        .set_file_name(file_name)
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = path.into_path().map_err(|e| {
        CommandError::new(
            "report.path",
            "That place cannot be written to. Choose a folder on this computer.",
            Some(e.to_string()),
        )
    })?;
    crate::runs::write_report(&path, bytes)?;
    Ok(Some(path.display().to_string()))
}

/// The name a dialog's file filter shows, in the window's language.
pub(crate) fn filter_name(kind: &str, language: &str) -> &'static str {
    let dutch = language.to_ascii_lowercase().starts_with("nl");
    match (kind, dutch) {
        ("plan", false) => "LicenseDesk plan",
        ("plan", true) => "LicenseDesk-plan",
        ("prices", false) => "Price lists",
        ("prices", true) => "Prijslijsten",
        ("roles", false) => "LicenseDesk roles",
        ("roles", true) => "LicenseDesk-rollen",
        ("csv", _) => "CSV",
        ("xlsx", _) => "Excel",
        (_, false) => "Lists of people",
        (_, true) => "Lijsten met mensen",
    }
}

/// Shows the open dialog (from Rust: the webview has no dialog or file access) and reads the
/// file chosen; `null` when the person cancelled.
#[tauri::command]
pub async fn import_choose_file(
    app: AppHandle,
    imports: State<'_, Imports>,
    language: Option<String>,
) -> Result<Option<ImportFile>, CommandError> {
    let filter = filter_name("people", language.as_deref().unwrap_or("en"));
    let Some(path) = pick_with_dialog(&app, filter, &["csv", "txt", "tsv", "xlsx"]).await? else {
        return Ok(None);
    };
    imports.open(&app, &path).map(Some)
}

/// Shows the open dialog (from Rust: the webview has no dialog or file access) for files of
/// one kind; the path chosen, or `None` when the person cancelled.
pub(crate) async fn pick_with_dialog(
    app: &AppHandle,
    filter: &str,
    extensions: &[&str],
) -> Result<Option<std::path::PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter(filter, extensions)
        .pick_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    path.into_path().map(Some).map_err(|e| {
        CommandError::new(
            "file.path",
            "That file cannot be opened from here. Copy it to a folder on this computer first.",
            Some(e.to_string()),
        )
    })
}

/// The name of a file dropped on the window or given on the command line, if one waits.
#[tauri::command]
pub fn import_offered_file(imports: State<'_, Imports>) -> Option<String> {
    imports.offered_name()
}

/// Opens the file that was offered (never a path the webview names).
#[tauri::command]
pub fn import_open_offered(
    app: AppHandle,
    imports: State<'_, Imports>,
) -> Result<ImportFile, CommandError> {
    imports.open_offered(&app)
}

#[tauri::command]
pub fn import_reread(
    app: AppHandle,
    imports: State<'_, Imports>,
    choice: ReadChoice,
) -> Result<ImportFile, CommandError> {
    imports.reread(&app, choice)
}

/// Checks every row with this mapping against the tenant (saving it as a profile when named).
#[tauri::command]
pub async fn import_check(
    app: AppHandle,
    state: State<'_, TenantState>,
    imports: State<'_, Imports>,
    mapping: Mapping,
    license: Option<String>,
    profile: Option<String>,
    view: RowsView,
) -> Result<ImportRows, CommandError> {
    let connection = state.connection().await?;
    imports
        .check(&app, &connection, mapping, license, profile, view)
        .await
}

#[tauri::command]
pub fn import_rows(
    imports: State<'_, Imports>,
    view: RowsView,
) -> Result<ImportRows, CommandError> {
    imports.rows(view)
}

/// Corrects one cell of the file in memory (the file is not changed) and checks again.
#[tauri::command]
pub async fn import_fix(
    state: State<'_, TenantState>,
    imports: State<'_, Imports>,
    line: u32,
    field: Field,
    value: String,
    view: RowsView,
) -> Result<ImportRows, CommandError> {
    let connection = state.connection().await?;
    imports.fix(&connection, line as usize, field, &value, view)
}

#[tauri::command]
pub async fn import_leave_out(
    state: State<'_, TenantState>,
    imports: State<'_, Imports>,
    line: u32,
    left_out: bool,
    view: RowsView,
) -> Result<ImportRows, CommandError> {
    let connection = state.connection().await?;
    imports.leave_out(&connection, line as usize, left_out, view)
}

/// Plans the usable rows; nothing is sent until `apply_plan`.
#[tauri::command]
pub async fn import_plan(
    state: State<'_, TenantState>,
    imports: State<'_, Imports>,
    runs: State<'_, Runs>,
    policy: ShortfallPolicy,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    let request = imports.request(&connection)?;
    runs.plan(&connection, request, policy).await
}

/// Every run in the journal, newest first.
#[tauri::command]
pub async fn history_runs(
    state: State<'_, TenantState>,
    history: State<'_, History>,
) -> Result<Vec<RunSummary>, CommandError> {
    let demo = state.connection().await?.info.demo;
    history.runs(demo)
}

/// A page of one run's people.
#[tauri::command]
pub async fn history_run(
    state: State<'_, TenantState>,
    history: State<'_, History>,
    id: String,
    query: RunPageQuery,
) -> Result<RunPage, CommandError> {
    let demo = state.connection().await?.info.demo;
    history.page(demo, &id, query)
}

/// Runs on the current tenant that were cut short (a crash, the power, a kill).
#[tauri::command]
pub async fn interrupted_runs(
    state: State<'_, TenantState>,
    history: State<'_, History>,
) -> Result<Vec<RunSummary>, CommandError> {
    let connection = state.connection().await?;
    history.interrupted(connection.info.demo, &connection.info.tenant_id)
}

/// Finishes an interrupted run (lost answers settled by reading the people), with progress.
#[tauri::command]
pub async fn finish_run(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    history: State<'_, History>,
    id: String,
    on_progress: Channel<RunProgress>,
) -> Result<RunSummary, CommandError> {
    let connection = state.connection().await?;
    runs.finish_interrupted(&connection, &history, &id, |p| {
        let _ = on_progress.send(p);
    })
    .await
}

/// Plans the undo of a run; applied with `apply_plan` like any plan.
#[tauri::command]
pub async fn plan_undo(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    history: State<'_, History>,
    id: String,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    runs.plan_undo(&connection, &history, &id).await
}

/// Saves a run's report (CSV or Excel, in the window's language) where the person chooses;
/// the path, or `null` when they cancelled.
#[tauri::command]
pub async fn save_run_report(
    app: AppHandle,
    state: State<'_, TenantState>,
    history: State<'_, History>,
    id: String,
    excel: bool,
    language: String,
) -> Result<Option<String>, CommandError> {
    let demo = state.connection().await?.info.demo;
    let bytes = history.report(demo, &id, excel, &language)?;
    let (ext, filter) = if excel {
        ("xlsx", "Excel")
    } else {
        ("csv", "CSV")
    };
    save_with_dialog(
        &app,
        filter,
        ext,
        format!("licensedesk-run-{id}.{ext}"),
        &bytes,
    )
    .await
}

/// Saves the plan on screen as a file for another administrator to approve (the save dialog
/// is Rust's), signed with this person's key where a keychain holds one; `null` when the
/// person cancelled. Nothing is changed.
#[tauri::command]
pub async fn plan_save_file(
    app: AppHandle,
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    language: Option<String>,
) -> Result<Option<crate::signing::SavedPlan>, CommandError> {
    let connection = state.connection().await?;
    let key = crate::signing::signing_key(&state, &connection);
    let (text, name) = runs.plan_file(&connection, key.as_ref().ok().and_then(Option::as_ref))?;
    let filter = filter_name("plan", language.as_deref().unwrap_or("en"));
    let path = save_with_dialog(&app, filter, "json", name, text.as_bytes()).await?;
    Ok(path.map(|path| crate::signing::SavedPlan {
        path,
        fingerprint: key.as_ref().ok().and_then(Option::as_ref).and_then(|k| {
            licensing::planfile::fingerprint(&licensing::planfile::public_key_text(k))
        }),
        unsigned_why: key.err(),
    }))
}

/// Shows the open dialog for a plan file and opens the one chosen: checked (whole, unedited,
/// this tenant) and planned again on the tenant as it is now. `null` when cancelled.
#[tauri::command]
pub async fn plan_open_file(
    app: AppHandle,
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    language: Option<String>,
) -> Result<Option<PlanPreview>, CommandError> {
    let filter = filter_name("plan", language.as_deref().unwrap_or("en"));
    let Some(path) = pick_with_dialog(&app, filter, &["json"]).await? else {
        return Ok(None);
    };
    let connection = state.connection().await?;
    let own = crate::signing::own_keys(&app);
    runs.open_plan_file(&connection, &path, &own)
        .await
        .map(Some)
}

/// The name of a plan file dropped on the window or given on the command line, if one waits.
#[tauri::command]
pub fn plan_offered_file(runs: State<'_, Runs>) -> Option<String> {
    runs.offered_plan_name()
}

/// Opens the plan file that was offered (never a path the webview names).
#[tauri::command]
pub async fn plan_open_offered(
    app: AppHandle,
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    runs.open_offered_plan(&connection, &crate::signing::own_keys(&app))
        .await
}

/// Plans the plan file being approved again with another choice for a seat shortfall.
#[tauri::command]
pub async fn plan_file_replan(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    policy: ShortfallPolicy,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    runs.replan_opened(&connection, policy).await
}
