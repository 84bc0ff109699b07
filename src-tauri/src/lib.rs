//! LicenseDesk's desktop shell: window, app state and a few thin commands. The work happens in
//! the `licensing` and `graph` crates; the webview holds no token and reaches no network.

mod commands;
mod error;
mod settings;
mod signin;
mod tenant;

use tauri::Manager;
use tenant::TenantState;

pub fn run() {
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .manage(TenantState::new())
        .manage(commands::PendingDeviceSignIn::default())
        .setup(|app| {
            // Silent sign-in to the tenant used last, from the keychain; the demo otherwise.
            if let Some(setup) = settings::last(app.handle()) {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<TenantState>();
                    match signin::resume(&handle, &state, setup).await {
                        Ok(connection) => {
                            state.use_connection(connection).await;
                        }
                        Err(e) => tracing::warn!("silent sign-in failed: {}", e.message),
                    }
                });
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::tenant_info,
            commands::list_plans,
            commands::saved_tenants,
            commands::start_device_sign_in,
            commands::finish_device_sign_in,
            commands::sign_in_with_browser,
            commands::cancel_sign_in,
            commands::open_verification_page,
            commands::switch_tenant,
            commands::sign_out,
        ]);
    if let Err(e) = builder.run(tauri::generate_context!()) {
        eprintln!("LicenseDesk could not start: {e}");
        std::process::exit(1);
    }
}
