//! The Reclaim page's two commands: find the licenses that look wasted (licensing::reclaim),
//! and plan taking the chosen ones back, which then goes through the same review, journal and
//! undo as every change. The window sends only the keys of rows it was shown: what is taken
//! back is always one of the licenses this scan found.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use licensing::kept::Exclusion;
use licensing::reclaim::{Candidate, Rules, WasteReason, removals};
use licensing::{RunTitle, ShortfallPolicy};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::runs::{PlanPreview, Request, Runs};
use crate::tenant::TenantState;

/// The last scan (its tenant and what it found), which `reclaim_plan` takes from.
#[derive(Default)]
pub struct LastScan(Mutex<Option<(String, Vec<Candidate>)>>);

/// Which reasons to look for.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReclaimReasons {
    pub disabled: bool,
    pub inactive: bool,
    pub never_signed_in: bool,
    pub redundant: bool,
    /// Without sign-in activity, call never signed in everyone created more than N days ago
    /// (the person ticks it, having been told it is a guess).
    pub guess_from_age: bool,
}

/// Whether sign-in activity could be read, and if not, why.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SignInsState {
    Available,
    /// No Microsoft Entra ID P1 or P2 in the tenant.
    NoPremium,
    /// The sign-in lacks AuditLog.Read.All.
    NoPermission,
}

/// One license that looks wasted, ready to show.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReclaimRow {
    /// `userId|skuId`: what the window sends back to choose it.
    pub key: String,
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub department: Option<String>,
    pub sku_id: String,
    pub plan_name: String,
    pub reason: WasteReason,
    pub because: Option<WasteReason>,
    /// The group a license comes from (`fromGroup`), to leave its people out.
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub covered_by_name: Option<String>,
    /// Seconds since 1970.
    #[ts(type = "number | null")]
    pub last_sign_in: Option<i64>,
    #[ts(type = "number | null")]
    pub created: Option<i64>,
    /// The plan's monthly price per seat, in cents.
    #[ts(type = "number | null")]
    pub monthly_cents: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReclaimScan {
    pub sign_ins: SignInsState,
    pub days: u32,
    pub rows: Vec<ReclaimRow>,
    pub currency: Option<String>,
    pub exclusions: Vec<Exclusion>,
}

fn key(c: &Candidate) -> String {
    format!(
        "{}|{}",
        c.user_id.to_ascii_lowercase(),
        c.sku_id.to_ascii_lowercase()
    )
}

/// Reads everyone with their sign-in activity (or without, where Graph refuses it) and lists
/// the licenses that look wasted for the chosen reasons; `days` is N for *inactive* and *never
/// signed in*.
#[tauri::command]
pub async fn reclaim_scan(
    app: AppHandle,
    state: State<'_, TenantState>,
    last: State<'_, LastScan>,
    days: u32,
    reasons: ReclaimReasons,
) -> Result<ReclaimScan, CommandError> {
    if !(1..=3650).contains(&days) {
        return Err(CommandError::new(
            "reclaim.days",
            "Choose between 1 and 3,650 days.",
            None,
        ));
    }
    let (tenant, kept) = crate::money::current(&app, &state).await?;
    let connection = state.connection().await?;
    let skus: Vec<licensing::Sku> = connection.client.plans().await?;
    let (excluded_people, excluded_groups) = kept.excluded();
    let rules = Rules {
        disabled: reasons.disabled,
        inactive: reasons.inactive,
        never_signed_in: reasons.never_signed_in,
        redundant: reasons.redundant,
        days,
        now: chrono::Utc::now().timestamp(),
        sign_ins_known: true,
        guess_from_age: reasons.guess_from_age,
        excluded_people,
        excluded_groups,
        sku: None,
        department: None,
    };
    let reclaim_scan::Scan {
        candidates,
        sign_ins_unavailable: unavailable,
        ..
    } = reclaim_scan::scan(&connection.client, &skus, rules).await?;
    let names = crate::product_names::current();
    let plan_name = |id: &str| {
        skus.iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(id))
            .map(|s| names.display_name(&s.sku_id, &s.sku_part_number))
            .unwrap_or_else(|| id.to_string())
    };
    let part = |id: &str| {
        skus.iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(id))
            .map(|s| s.sku_part_number.clone())
            .unwrap_or_default()
    };
    let group_ids: Vec<String> = candidates
        .iter()
        .filter_map(|c| c.group_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let group_names = connection.client.group_names(&group_ids).await;
    let rows = candidates
        .iter()
        .map(|c| ReclaimRow {
            key: key(c),
            user_id: c.user_id.clone(),
            user_principal_name: c.user_principal_name.clone(),
            display_name: c.display_name.clone(),
            department: c.department.clone(),
            sku_id: c.sku_id.clone(),
            plan_name: plan_name(&c.sku_id),
            reason: c.reason,
            because: c.because,
            group_id: c.group_id.clone(),
            group_name: c
                .group_id
                .as_ref()
                .map(|g| group_names.get(g).cloned().unwrap_or_else(|| g.clone())),
            covered_by_name: c.covered_by.as_deref().map(plan_name),
            last_sign_in: c.last_sign_in,
            created: c.created,
            monthly_cents: kept.prices.of(&part(&c.sku_id)),
        })
        .collect();
    *last
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((tenant, candidates));
    Ok(ReclaimScan {
        sign_ins: match unavailable {
            None => SignInsState::Available,
            Some(graph::SignInsUnavailable::NoPremium) => SignInsState::NoPremium,
            Some(graph::SignInsUnavailable::NoPermission) => SignInsState::NoPermission,
        },
        days,
        rows,
        currency: kept.prices.currency.clone(),
        exclusions: kept.exclusions,
    })
}

/// Plans taking back the chosen licenses (keys of rows from the last scan); the review that
/// follows is the same as for every change. Licenses from groups are never among them.
#[tauri::command]
pub async fn reclaim_plan(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    last: State<'_, LastScan>,
    keys: Vec<String>,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    let wanted: HashSet<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
    let chosen: Vec<Candidate> = {
        let held = last
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match held.as_ref() {
            Some((tenant, found)) if tenant.eq_ignore_ascii_case(&connection.info.tenant_id) => {
                found
                    .iter()
                    .filter(|c| wanted.contains(&key(c)))
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        }
    };
    let changes = removals(&chosen);
    if changes.is_empty() {
        return Err(CommandError::new(
            "reclaim.nothing",
            "Choose at least one license that can be taken back (licenses from a group cannot: change the group's membership).",
            None,
        ));
    }
    let names = crate::product_names::current();
    let mut take: Vec<String> = Vec::new();
    let skus = connection.client.subscribed_skus().await?;
    let part: HashMap<String, String> = skus
        .iter()
        .map(|s| {
            (
                s.sku_id.to_ascii_lowercase(),
                names.display_name(&s.sku_id, s.sku_part_number.as_deref().unwrap_or(&s.sku_id)),
            )
        })
        .collect();
    for (_, change) in &changes {
        for id in &change.remove {
            let name = part
                .get(&id.to_ascii_lowercase())
                .cloned()
                .unwrap_or_else(|| id.clone());
            if !take.contains(&name) {
                take.push(name);
            }
        }
    }
    let title = RunTitle::Change {
        give: vec![],
        take,
        apps: vec![],
        location: None,
        people: u32::try_from(changes.len()).unwrap_or(u32::MAX),
    };
    runs.plan(
        &connection,
        Request::Each { title, changes },
        ShortfallPolicy::Nobody,
    )
    .await
}
