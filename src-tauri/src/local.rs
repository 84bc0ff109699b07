//! What LicenseDesk keeps on this computer, for the Settings page: where the log and the
//! journal of runs are, whether the OS keychain keeps sign-ins, and forgetting every saved
//! tenant (their sign-ins in the keychain too).

use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::history::History;
use crate::tenant::TenantState;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ThisComputer {
    /// The folder of LicenseDesk's log (never holds a token).
    pub log_folder: Option<String>,
    /// The journal of runs (SQLite) of real tenants; the demo's is beside it and emptied at
    /// every start.
    pub journal: String,
    /// Why sign-ins last only until LicenseDesk closes, when there is no keychain.
    pub keychain_missing: Option<String>,
    pub saved_tenants: u32,
}

#[tauri::command]
pub fn this_computer(
    app: AppHandle,
    history: State<'_, History>,
    tenant: State<'_, TenantState>,
) -> ThisComputer {
    ThisComputer {
        log_folder: app
            .path()
            .app_log_dir()
            .ok()
            .map(|d| d.display().to_string()),
        journal: history.path().display().to_string(),
        keychain_missing: tenant.keychain_notice(),
        saved_tenants: u32::try_from(crate::settings::saved_tenants(&app).len()).unwrap_or(0),
    }
}

/// Forgets every tenant signed in to before: the list, and their sign-ins in the keychain. The
/// tenant in use stays signed in until LicenseDesk closes or the person signs out.
#[tauri::command]
pub fn forget_saved_tenants(
    app: AppHandle,
    tenant: State<'_, TenantState>,
) -> Result<(), CommandError> {
    let store = tenant.secrets();
    for saved in crate::settings::saved_tenants(&app) {
        let (authority, _, _) = saved.setup.endpoints()?;
        for account in [
            graph::auth::entry_name(
                graph::auth::SecretKind::RefreshToken,
                &authority,
                &saved.setup.client_id,
            ),
            graph::auth::legacy_entry_name(&authority, &saved.setup.client_id),
        ] {
            store.delete(&account).map_err(|e| {
                CommandError::new(
                    "signin.keychain",
                    "The system keychain refused to remove a saved sign-in. Unlock it and try again.",
                    Some(e.0),
                )
            })?;
        }
        crate::settings::forget(&app, &saved.setup);
    }
    Ok(())
}
