//! LicenseDesk's desktop shell: window, app state and a few thin commands. The work happens in
//! the `licensing` and `graph` crates; the webview holds no token and reaches no network.

mod commands;
mod error;
mod tenant;

use tenant::TenantState;

pub fn run() {
    let builder = tauri::Builder::default()
        .manage(TenantState::default())
        .invoke_handler(tauri::generate_handler![
            commands::tenant_info,
            commands::list_plans
        ]);
    if let Err(e) = builder.run(tauri::generate_context!()) {
        eprintln!("LicenseDesk could not start: {e}");
        std::process::exit(1);
    }
}
