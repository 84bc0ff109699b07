//! Plans to approve: one administrator prepares a plan (`assign-all … --out PLAN.json`,
//! `plan FILE --out PLAN.json`), another applies it (`apply --plan PLAN.json`). The file names
//! its tenant, carries a SHA-256 digest of its content and is signed with the preparer's
//! plan-signing key (kept in the OS keychain). The approver is shown which key signed it and
//! whether they (or the organisation's policy) trust that key; a file for another tenant, or a
//! signed one edited since, is refused. Before applying, the plan is worked out again on the
//! tenant as it is now, and what drifted and every person's change are shown.

use std::path::Path;

use licensing::planfile::{self, Body, Trust, TrustedKey};
use licensing::{Plan, ShortfallPolicy, WantedChange};
use serde::Serialize;

use crate::CliError;
use crate::connection::Connection;
use crate::profile::{KEYCHAIN_SERVICE, config_dir};

/// This account's plan-signing key, from the keychain (made the first time). `None`, with
/// the reason, where there is no keychain.
fn signing_key() -> Result<Option<planfile::SigningKey>, String> {
    let (store, warning) = graph::auth::keychain_or_memory(KEYCHAIN_SERVICE);
    match graph::auth::plan_signing_key(store.as_ref(), &crate::runs::who()) {
        Ok(Some(key)) => Ok(Some(key)),
        Ok(None) => Err(warning.unwrap_or_else(|| "no keychain".into())),
        Err(e) => Err(e.to_string()),
    }
}

/// Writes the plan file, signed where a keychain holds a key; nothing is changed in the tenant.
#[allow(clippy::too_many_arguments)]
pub async fn write(
    connection: &Connection,
    out: &Path,
    what: &str,
    shortfall: ShortfallPolicy,
    requests: Vec<(String, WantedChange)>,
    plan: &Plan,
) -> Result<(), CliError> {
    let (tenant_id, tenant_name) = connection.tenant().await?;
    let body = Body::new(
        &tenant_id,
        &tenant_name,
        &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        &crate::runs::who(),
        what,
        shortfall,
        requests,
        plan.clone(),
    );
    let key = signing_key();
    let text = planfile::seal(&body, key.as_ref().ok().and_then(Option::as_ref));
    safe_files::write_replacing(out, text.as_bytes())
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", out.display())))?;
    match &key {
        Ok(Some(key)) => {
            let public = planfile::public_key_text(key);
            say!(
                "Wrote the plan to {} (nothing was changed), signed with your key {}. `licensedesk-cli apply --plan {}` applies it.",
                out.display(),
                planfile::fingerprint(&public).unwrap_or_default(),
                out.display()
            );
        }
        _ => say!(
            "Wrote the plan to {} (nothing was changed) UNSIGNED: {}. An approver cannot tell who prepared it. `licensedesk-cli apply --plan {}` applies it.",
            out.display(),
            key.err().unwrap_or_default(),
            out.display()
        ),
    }
    Ok(())
}

/// A plan file as read and checked: its content and what is known of who signed it.
pub struct Checked {
    pub body: Body,
    pub trust: Trust,
}

/// Reads a plan file and checks that it is whole, for this tenant, and signed as the policy
/// asks; who signed it is weighed against the trust lists.
pub async fn read(connection: &Connection, path: &Path) -> Result<Checked, CliError> {
    let name = path.display();
    let refused = |e: planfile::PlanFileError| CliError::Usage(format!("{name}: {e}"));
    let bytes = crate::read_file(path, planfile::MAX_BYTES)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| refused(planfile::PlanFileError::NotAPlan("it is not text".into())))?;
    let opened = planfile::open(&text).map_err(refused)?;
    let (tenant_id, _) = connection.tenant().await?;
    opened.body.check_tenant(&tenant_id).map_err(refused)?;
    let policy = crate::policy()?;
    let (policy_keys, required) = policy
        .as_ref()
        .map(|p| {
            (
                p.policy.trusted_plan_keys.clone(),
                p.policy.require_signed_plans,
            )
        })
        .unwrap_or_default();
    let trust = planfile::assess(&opened.signer, &policy_keys, &trusted_keys()?, required)
        .map_err(refused)?;
    Ok(Checked {
        body: opened.body,
        trust,
    })
}

/// What the approver is told before anything else: who signed (a fact, checked), and what the
/// file claims (its author, date and title: not checked, and said to be the file's words).
pub fn provenance(checked: &Checked, file: &Path) -> String {
    let b = &checked.body;
    let signed = match &checked.trust {
        Trust::Trusted {
            fingerprint,
            name,
            by_policy,
        } => format!(
            "Signed with the key of {name} ({fingerprint}), which {} trusts. The file is unchanged since it was signed.",
            if *by_policy {
                "your organisation's policy"
            } else {
                "your list of keys"
            }
        ),
        Trust::UnknownKey { fingerprint } => format!(
            "Signed with a key you do not trust ({fingerprint}): the signature shows the file is unchanged since that key signed it, not who holds the key. Check the fingerprint with whoever prepared it, then `licensedesk-cli trust add KEY --name NAME`."
        ),
        Trust::Unsigned => {
            "NOT SIGNED: nothing shows who prepared this file or that it is unchanged.".into()
        }
    };
    format!(
        "{}: {signed}\nThe file says it was prepared by {} on {} for {} and calls itself \"{}\" (the file's own words, not checked).\n",
        file.display(),
        b.created_by,
        b.created_at,
        b.tenant_name,
        b.what
    )
}

fn trust_file() -> Result<std::path::PathBuf, CliError> {
    Ok(config_dir()?.join("trusted-plan-keys.json"))
}

/// This person's list of trusted plan-signing keys (`trust add`).
pub fn trusted_keys() -> Result<Vec<TrustedKey>, CliError> {
    let path = trust_file()?;
    match safe_files::read_at_most(&path, 1024 * 1024) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            CliError::Usage(format!(
                "{} is damaged (line {}: {e}); correct it or remove it",
                path.display(),
                e.line()
            ))
        }),
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Vec::new())
        }
        Err(e) => Err(CliError::Usage(format!("{}: {e}", path.display()))),
    }
}

fn save_trusted(keys: &[TrustedKey]) -> Result<(), CliError> {
    let path = trust_file()?;
    if let Some(dir) = path.parent() {
        safe_files::private_dir(dir)
            .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(keys).map_err(|e| CliError::Failed(e.to_string()))?;
    safe_files::write_replacing(&path, text.as_bytes())
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyView {
    name: String,
    public_key: String,
    fingerprint: String,
}

/// `signing-key`: this account's public key and fingerprint, to give to approvers.
pub fn show_signing_key(as_json: bool) -> Result<(), CliError> {
    let key = signing_key()
        .map_err(|why| CliError::Failed(format!("no plan-signing key: {why}")))?
        .ok_or_else(|| CliError::Failed("no plan-signing key: no keychain".into()))?;
    let public = planfile::public_key_text(&key);
    let view = KeyView {
        name: crate::runs::who(),
        fingerprint: planfile::fingerprint(&public).unwrap_or_default(),
        public_key: public,
    };
    if as_json {
        crate::output::print_json(&view)
    } else {
        crate::output::print_text(&crate::operations::terminal_safe_lines(&format!(
            "Your plan-signing key (give it to whoever approves your plans):\n  public key:  {}\n  fingerprint: {}\n",
            view.public_key, view.fingerprint
        )))
    }
}

/// `trust add KEY --name NAME`, `trust remove KEY`, `trust list`.
pub fn trust(command: &crate::TrustCommand, as_json: bool) -> Result<(), CliError> {
    let mut keys = trusted_keys()?;
    match command {
        crate::TrustCommand::Add { key, name } => {
            let print = planfile::fingerprint(key).ok_or_else(|| {
                CliError::Usage(format!(
                    "\"{key}\" is not a plan-signing public key (see `licensedesk-cli signing-key` on the preparer's machine)"
                ))
            })?;
            keys.retain(|k| k.public_key != key.trim());
            keys.push(TrustedKey {
                name: name.clone(),
                public_key: key.trim().to_string(),
            });
            save_trusted(&keys)?;
            say!("Trusted {name}'s key {print}.");
        }
        crate::TrustCommand::Remove { key } => {
            let before = keys.len();
            keys.retain(|k| k.public_key != key.trim());
            if keys.len() == before {
                return Err(CliError::Usage(format!(
                    "{key} is not in your trusted keys"
                )));
            }
            save_trusted(&keys)?;
            say!("No longer trusted: {key}.");
        }
        crate::TrustCommand::List => {
            let views: Vec<KeyView> = keys
                .iter()
                .map(|k| KeyView {
                    name: k.name.clone(),
                    fingerprint: planfile::fingerprint(&k.public_key).unwrap_or_default(),
                    public_key: k.public_key.clone(),
                })
                .collect();
            if as_json {
                return crate::output::print_json(&views);
            }
            let mut text = String::new();
            for v in &views {
                text.push_str(&format!(
                    "{}  {}  {}\n",
                    v.fingerprint, v.name, v.public_key
                ));
            }
            if views.is_empty() {
                text.push_str("No trusted plan-signing keys.\n");
            }
            crate::output::print_text(&crate::operations::terminal_safe_lines(&text))?;
        }
    }
    Ok(())
}
