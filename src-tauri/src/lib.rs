//! LicenseDesk's desktop shell: window, app state and a few thin commands. The work happens in
//! the `licensing` and `graph` crates; the webview holds no token and reaches no network.

mod appearance;
mod commands;
mod error;
mod events;
mod files;
mod groups;
mod history;
mod import;
mod local;
mod logging;
mod money;
mod org_policy;
mod people;
mod person;
mod product_names;
mod reclaim;
mod roles;
mod runs;
mod settings;
mod signin;
mod signing;
mod tenant;

use tauri::Manager;
use tenant::TenantState;

pub fn run() {
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        // Save dialogs, opened from Rust only: the webview is granted no dialog permission.
        .plugin(tauri_plugin_dialog::init())
        .manage(runs::Runs::default())
        .manage(events::Events::default())
        .manage(import::Imports::default())
        .manage(TenantState::new())
        .manage(commands::PendingDeviceSignIn::default())
        .manage(money::KeptStore::default())
        .manage(reclaim::LastScan::default())
        .manage(groups::OpenGroup::default())
        .manage(roles::RolesStore::default())
        .setup(|app| {
            logging::start(app.handle());
            product_names::start(app.handle());
            #[cfg(target_os = "linux")]
            lighter_webview(app);
            // The journal of runs, in the app's data folder (one file for every tenant), opened
            // on first use, not here on the main thread.
            let journal = app
                .path()
                .app_data_dir()
                .map(|d| d.join("journal.sqlite"))
                .unwrap_or_else(|_| std::path::PathBuf::from("journal.sqlite"));
            app.manage(history::History::open(journal));
            // "Open with LicenseDesk" on a CSV or workbook: the file waits for the Import page;
            // on a plan file, for History, where plans are approved.
            if let Some(path) = std::env::args_os()
                .skip(1)
                .map(std::path::PathBuf::from)
                .find(|p| p.is_file())
            {
                offer(app.handle(), path);
            }
            // Silent sign-in to the tenant used last, from the keychain; the demo otherwise.
            // Commands wait for it (TenantState::connection), so the first screen shows the
            // right tenant; it gives up after 20 s rather than keep the window waiting.
            // Not when the organisation's policy no longer allows that tenant (or cannot be
            // read): the Sign in page says why.
            if let Some(setup) = settings::last(app.handle())
                .filter(|setup| org_policy::allows(setup).is_ok())
            {
                let handle = app.handle().clone();
                let gate = app.state::<TenantState>().hold_for_startup();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<TenantState>();
                    let tenant = setup.tenant.clone();
                    let resumed = tokio::time::timeout(
                        std::time::Duration::from_secs(20),
                        signin::resume(&handle, &state, setup),
                    )
                    .await;
                    match resumed {
                        Ok(Ok(connection)) => {
                            state.use_connection(connection).await;
                        }
                        Ok(Err(e)) => {
                            tracing::warn!("silent sign-in failed: {}", e.message);
                            state.set_startup_notice(format!(
                                "Could not sign in to {tenant} again: {} You are on the demo tenant.",
                                e.message
                            ));
                        }
                        Err(_) => state.set_startup_notice(format!(
                            "Signing in to {tenant} again took too long (no answer from the sign-in service in 20 seconds). You are on the demo tenant; sign in again from Tenant."
                        )),
                    }
                    drop(gate);
                });
            } else {
                // The demo tenant (its emulator, seeded in memory) starts while the webview
                // loads, not after the window first asks for it.
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let _ = handle.state::<TenantState>().connection().await;
                });
            }
            Ok(())
        })
        // Closing the window while a run sends changes would stop it halfway without a
        // word: the window asks first ("close-requested"), and quits through
        // `stop_run_and_quit` once the person has chosen to stop the run.
        //
        // A file dropped on the window is kept here and only its name goes to the window
        // ("file-offered", opened through `import_open_offered`; "plan-offered" for a plan
        // file, through `plan_open_offered`): the webview never names a path to read.
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::CloseRequested { api, .. }
                if window.state::<runs::Runs>().is_running() =>
            {
                api.prevent_close();
                window
                    .state::<events::Events>()
                    .send(events::AppEvent::CloseRequested);
            }
            tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                if let Some(path) = paths.iter().find(|p| p.is_file()) {
                    let event = offer(window.app_handle(), path.clone());
                    if let Some(event) = event {
                        window.state::<events::Events>().send(event);
                    }
                }
            }
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![
            commands::tenant_info,
            logging::first_screen_drawn,
            money::kept,
            money::set_price,
            money::import_prices,
            money::set_threshold,
            money::set_commitment,
            money::exclude,
            money::unexclude,
            money::plan_costs,
            money::renewals_view,
            money::save_chargeback,
            reclaim::reclaim_scan,
            reclaim::reclaim_plan,
            groups::groups_list,
            groups::group_detail,
            groups::group_members_page,
            groups::groups_reprocess,
            groups::groups_plan_membership,
            groups::groups_giving,
            groups::doubles_scan,
            groups::doubles_plan,
            roles::roles_get,
            roles::roles_save,
            roles::roles_import,
            roles::roles_export,
            roles::role_plan,
            roles::roles_choices,
            commands::list_plans,
            commands::saved_tenants,
            commands::start_device_sign_in,
            commands::finish_device_sign_in,
            commands::sign_in_with_browser,
            commands::cancel_sign_in,
            commands::open_verification_page,
            commands::switch_tenant,
            commands::sign_out,
            commands::users_page,
            commands::matching_ids,
            commands::person,
            commands::countries,
            commands::plan_change,
            commands::apply_plan,
            commands::pause_run,
            commands::resume_run,
            commands::cancel_run,
            commands::plan_retry,
            commands::stop_run_and_quit,
            commands::import_choose_file,
            commands::import_offered_file,
            commands::import_open_offered,
            commands::import_reread,
            commands::import_check,
            commands::import_rows,
            commands::import_fix,
            commands::import_leave_out,
            commands::import_plan,
            commands::history_runs,
            commands::history_run,
            commands::interrupted_runs,
            commands::finish_run,
            commands::plan_undo,
            commands::save_run_report,
            commands::plan_save_file,
            commands::plan_open_file,
            commands::plan_offered_file,
            commands::plan_open_offered,
            commands::plan_file_replan,
            signing::signing_settings,
            signing::trust_plan_key,
            signing::untrust_plan_key,
            events::app_events,
            events::preferred_language,
            org_policy::about,
            appearance::appearance,
            appearance::set_appearance,
            local::this_computer,
            local::forget_saved_tenants,
            product_names::product_names,
            product_names::refresh_product_names,
            product_names::set_product_names_at_start,
        ]);
    if let Err(e) = builder.run(tauri::generate_context!()) {
        eprintln!("LicenseDesk could not start: {e}");
        std::process::exit(1);
    }
}

/// WebKitGTK's defaults suit a browser with many pages and a back button: a memory cache sized
/// for browsing and a page cache that keeps pages left behind. LicenseDesk is one page that
/// never navigates, so both only cost memory (`make bench`, BENCHMARKS.md).
///
/// Nor does it need the GPU compositor: forms and tables draw as fast without it, and on the
/// machines without a GPU driver that IT staff often work on (virtual desktops, remote
/// sessions: Mesa's software renderer) compositing cost the web process about 120 MB and made
/// the first screen later (BENCHMARKS.md).
#[cfg(target_os = "linux")]
fn lighter_webview(app: &tauri::App) {
    use tauri::Manager;
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let _ = window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

/// Keeps a file given to the app (dropped on the window, or "Open with"): a plan file for
/// History to open, anything else for the Import page. Returns the event that tells the
/// window, with the file's name.
fn offer<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    path: std::path::PathBuf,
) -> Option<events::AppEvent> {
    // A pipe or a device dropped on the window must not hang the app: opened without
    // blocking and read only if it is a regular file.
    let head = safe_files::read_head(&path, 512).unwrap_or_default();
    if licensing::planfile::looks_like_plan(&head) {
        let runs = app.state::<runs::Runs>();
        runs.offer_plan(path);
        runs.offered_plan_name()
            .map(|name| events::AppEvent::PlanOffered { name })
    } else {
        let imports = app.state::<import::Imports>();
        imports.offer(path);
        imports
            .offered_name()
            .map(|name| events::AppEvent::FileOffered { name })
    }
}
