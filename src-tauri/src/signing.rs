//! Signed plan files in the app: this person's plan-signing key (in the OS keychain, made the
//! first time a plan is saved) and their list of trusted keys (Settings; non-secret, in the
//! app's settings file). The organisation's policy may trust keys too, and may require every
//! plan to be signed by a trusted key (`policy` crate).

use licensing::planfile::{self, SigningKey, TrustedKey};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::settings;
use crate::tenant::{Connection, TenantState};

const TRUSTED: &str = "trustedPlanKeys";

/// The key of the person signed in (one per account; the demo has its own).
pub fn signing_key(
    state: &TenantState,
    connection: &Connection,
) -> Result<Option<SigningKey>, String> {
    let who = connection
        .info
        .user_principal_name
        .as_deref()
        .unwrap_or("demo");
    let store = state.secrets();
    match graph::auth::plan_signing_key(store.as_ref(), who) {
        Ok(Some(key)) => Ok(Some(key)),
        Ok(None) => Err(state
            .keychain_notice()
            .unwrap_or_else(|| "No keychain is available.".into())),
        Err(e) => Err(e.to_string()),
    }
}

pub fn own_keys<R: Runtime>(app: &AppHandle<R>) -> Vec<TrustedKey> {
    settings::read(app, TRUSTED)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// A saved plan: where, and whether it was signed.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedPlan {
    pub path: String,
    /// The signing key's fingerprint; `null` when the plan was saved unsigned.
    pub fingerprint: Option<String>,
    /// Why it is unsigned (no keychain), when it is.
    pub unsigned_why: Option<String>,
}

/// A key in a trust list, as Settings shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyView {
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
    /// From the organisation's policy (cannot be removed here).
    pub by_policy: bool,
}

/// What Settings shows about plan signing.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SigningSettings {
    /// This person's own key, to give to approvers (`null` without a keychain or not yet made).
    pub own: Option<KeyView>,
    pub own_missing_why: Option<String>,
    /// No one is signed in yet (the organisation turned the demo off): the key belongs to the
    /// account that signs in.
    pub sign_in_first: bool,
    pub trusted: Vec<KeyView>,
    /// The policy refuses plans not signed with a trusted key.
    pub signed_plans_required: bool,
    /// A policy file that could not be used, and why.
    pub policy_error: Option<String>,
}

fn view(k: &TrustedKey, by_policy: bool) -> KeyView {
    KeyView {
        name: k.name.clone(),
        fingerprint: planfile::fingerprint(&k.public_key).unwrap_or_default(),
        public_key: k.public_key.clone(),
        by_policy,
    }
}

#[tauri::command]
pub async fn signing_settings(
    app: AppHandle,
    state: State<'_, TenantState>,
) -> Result<SigningSettings, CommandError> {
    // The key belongs to the account signed in: with none yet (the organisation turned the
    // demo off), the page says so and still shows the keys trusted.
    let connection = match state.connection().await {
        Ok(c) => Some(c),
        Err(e) if e.code == "demo.off" || e.code == "policy.broken" => None,
        Err(e) => return Err(e),
    };
    let (own, own_missing_why) = match &connection {
        None => (None, None),
        Some(connection) => match signing_key(&state, connection) {
            Ok(Some(key)) => {
                let public = planfile::public_key_text(&key);
                (
                    Some(KeyView {
                        name: connection
                            .info
                            .user_principal_name
                            .clone()
                            .unwrap_or_else(|| "demo".into()),
                        fingerprint: planfile::fingerprint(&public).unwrap_or_default(),
                        public_key: public,
                        by_policy: false,
                    }),
                    None,
                )
            }
            Ok(None) => (None, None),
            Err(why) => (None, Some(why)),
        },
    };
    let (policy, policy_error) = match policy::load() {
        Ok(p) => (p.map(|l| l.policy), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut trusted: Vec<KeyView> = policy
        .as_ref()
        .map(|p| p.trusted_plan_keys.iter().map(|k| view(k, true)).collect())
        .unwrap_or_default();
    trusted.extend(own_keys(&app).iter().map(|k| view(k, false)));
    Ok(SigningSettings {
        own,
        own_missing_why,
        sign_in_first: connection.is_none(),
        trusted,
        signed_plans_required: policy.is_some_and(|p| p.require_signed_plans),
        policy_error,
    })
}

/// Adds a key to this person's trust list (refused unless it is a plan-signing public key).
#[tauri::command]
pub fn trust_plan_key(
    app: AppHandle,
    name: String,
    public_key: String,
) -> Result<(), CommandError> {
    let public_key = public_key.trim().to_string();
    if planfile::fingerprint(&public_key).is_none() {
        return Err(CommandError::new(
            "trust.notAKey",
            "This is not a plan-signing key. Ask the person who prepares plans for the public key shown in their Settings (or by `licensedesk-cli signing-key`).",
            None,
        ));
    }
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(CommandError::new(
            "trust.name",
            "Give the key a name (whose key it is), up to 200 characters.",
            None,
        ));
    }
    let mut keys = own_keys(&app);
    keys.retain(|k| k.public_key != public_key);
    keys.push(TrustedKey {
        name: name.trim().to_string(),
        public_key,
    });
    settings::write(
        &app,
        TRUSTED,
        serde_json::to_value(keys).unwrap_or_default(),
    );
    Ok(())
}

#[tauri::command]
pub fn untrust_plan_key(app: AppHandle, public_key: String) {
    let mut keys = own_keys(&app);
    keys.retain(|k| k.public_key != public_key);
    settings::write(
        &app,
        TRUSTED,
        serde_json::to_value(keys).unwrap_or_default(),
    );
}
