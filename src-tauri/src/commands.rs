//! Tauri commands: parse, call the domain, map the error. Nothing else belongs here.

use graph::auth::DeviceCodePrompt;
use licensing::{ProductNames, SkuSummary, summarize_skus};
use tauri::{AppHandle, State};
use tokio::sync::Mutex;

use crate::error::CommandError;
use crate::settings;
use crate::signin::{self, DeviceCodeInfo};
use crate::tenant::{SavedTenant, TenantInfo, TenantSetup, TenantState};

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
    let skus: Vec<_> = connection
        .client
        .subscribed_skus()
        .await?
        .iter()
        .map(|s| s.to_domain())
        .collect();
    Ok(summarize_skus(&skus, &ProductNames::builtin()))
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
