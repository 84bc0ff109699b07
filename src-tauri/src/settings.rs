//! Non-secret settings through tauri-plugin-store: the tenants signed in to before and the
//! last one used. Refresh tokens are never here; they live in the OS keychain.

use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::tenant::{SavedTenant, TenantSetup};

const FILE: &str = "settings.json";

pub(crate) fn read<R: Runtime>(app: &AppHandle<R>, key: &str) -> Option<serde_json::Value> {
    app.store(FILE).ok()?.get(key)
}

pub(crate) fn write<R: Runtime>(app: &AppHandle<R>, key: &str, value: serde_json::Value) {
    if let Ok(store) = app.store(FILE) {
        store.set(key, value);
        if let Err(e) = store.save() {
            tracing::warn!("could not save settings: {e}");
        }
    }
}

pub fn saved_tenants<R: Runtime>(app: &AppHandle<R>) -> Vec<SavedTenant> {
    read(app, "tenants")
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

pub fn remember<R: Runtime>(app: &AppHandle<R>, tenant: SavedTenant) {
    let mut all = saved_tenants(app);
    all.retain(|t| t.setup != tenant.setup);
    all.insert(0, tenant.clone());
    write(
        app,
        "tenants",
        serde_json::to_value(all).unwrap_or_default(),
    );
    write(
        app,
        "last",
        serde_json::to_value(&tenant.setup).unwrap_or_default(),
    );
}

pub fn forget<R: Runtime>(app: &AppHandle<R>, setup: &TenantSetup) {
    let mut all = saved_tenants(app);
    all.retain(|t| &t.setup != setup);
    write(
        app,
        "tenants",
        serde_json::to_value(all).unwrap_or_default(),
    );
    if last(app).as_ref() == Some(setup) {
        write(app, "last", serde_json::Value::Null);
    }
}

pub fn last<R: Runtime>(app: &AppHandle<R>) -> Option<TenantSetup> {
    read(app, "last").and_then(|v| serde_json::from_value(v).ok())
}

pub fn clear_last<R: Runtime>(app: &AppHandle<R>) {
    write(app, "last", serde_json::Value::Null);
}
