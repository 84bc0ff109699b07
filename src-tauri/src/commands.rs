//! Tauri commands: parse, call the domain, map the error. Nothing else belongs here.

use licensing::{ProductNames, SkuSummary, summarize_skus};
use tauri::State;

use crate::error::CommandError;
use crate::tenant::{TenantInfo, TenantState};

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
