//! Plans to approve: one administrator prepares a plan (`assign-all … --out PLAN.json`,
//! `plan FILE --out PLAN.json`), another applies it (`apply --plan PLAN.json`). The file names
//! its tenant and carries a SHA-256 digest of its content: a file for another tenant, or one
//! edited since, is refused. Before applying, the plan is worked out again on the tenant as it
//! is now and what drifted (seats, people already changed, people gone) is shown.

use std::collections::HashMap;
use std::path::Path;

use licensing::{Plan, ShortfallPolicy, User, WantedChange};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::CliError;
use crate::connection::Connection;

const FORMAT: &str = "licensedesk-plan";
const VERSION: u32 = 1;

/// What is signed by the digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    pub format: String,
    pub version: u32,
    pub tenant_id: String,
    pub tenant_name: String,
    pub created_at: String,
    pub created_by: String,
    pub what: String,
    pub shortfall: ShortfallPolicy,
    /// Each person (by id) and the change asked for them.
    pub requests: Vec<(String, WantedChange)>,
    /// The plan as it was previewed when the file was written.
    pub plan: Plan,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    /// Kept apart from the digest (not flattened): the digest is of exactly these bytes'
    /// meaning, and serde's flatten does not read every type back.
    body: Body,
    /// SHA-256 of the body as written (hex).
    digest: String,
}

fn digest(body: &Body) -> Result<String, CliError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| CliError::Failed(format!("cannot write the plan: {e}")))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Writes the plan file; nothing is changed in the tenant.
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
    let body = Body {
        format: FORMAT.into(),
        version: VERSION,
        tenant_id,
        tenant_name,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_by: crate::runs::who(),
        what: what.into(),
        shortfall,
        requests,
        plan: plan.clone(),
    };
    let file = File {
        digest: digest(&body)?,
        body,
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| CliError::Failed(format!("cannot write the plan: {e}")))?;
    std::fs::write(out, text)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "Wrote the plan to {} (nothing was changed). `licensedesk-cli apply --plan {}` applies it.",
        out.display(),
        out.display()
    );
    Ok(())
}

/// Reads a plan file and checks that it is whole and for this tenant.
pub async fn read(connection: &Connection, path: &Path) -> Result<Body, CliError> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{name} is not a LicenseDesk plan file ({e}); write one with --out"
        ))
    })?;
    if file.body.format != FORMAT || file.body.version != VERSION {
        return Err(CliError::Usage(format!(
            "{name} is not a plan file this LicenseDesk reads (format {} version {})",
            file.body.format, file.body.version
        )));
    }
    if digest(&file.body)? != file.digest {
        return Err(CliError::Usage(format!(
            "{name} was changed after it was written (its digest does not match): nothing was applied. Ask for a new plan file."
        )));
    }
    let (tenant_id, tenant_name) = connection.tenant().await?;
    if tenant_id != file.body.tenant_id {
        return Err(CliError::Usage(format!(
            "{name} is a plan for {} ({}), but this command talks to {tenant_name} ({tenant_id}): nothing was applied",
            file.body.tenant_name, file.body.tenant_id
        )));
    }
    Ok(file.body)
}

/// What changed since the plan was written.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// People the plan named who are no longer in the tenant.
    pub gone: Vec<String>,
    /// People whose outcome is not what was approved (already changed, now blocked, …).
    pub changed: Vec<String>,
    /// Plans whose free seats are not what they were: (part number, then, now).
    pub seats: Vec<(String, u32, u32)>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.gone.is_empty() && self.changed.is_empty() && self.seats.is_empty()
    }
}

/// The plan again, on the tenant as it is now, and what drifted from the file's.
pub fn replan(body: &Body, people: &[User], skus: &[licensing::Sku]) -> (Plan, Vec<User>, Drift) {
    let by_id: HashMap<&str, &User> = people.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut drift = Drift::default();
    let requests: Vec<(&User, &WantedChange)> = body
        .requests
        .iter()
        .filter_map(|(id, change)| match by_id.get(id.as_str()) {
            Some(u) => Some((*u, change)),
            None => {
                let upn = body
                    .plan
                    .people
                    .iter()
                    .find(|p| &p.user_id == id)
                    .map(|p| p.user_principal_name.clone())
                    .unwrap_or_else(|| id.clone());
                drift.gone.push(upn);
                None
            }
        })
        .collect();
    let now = licensing::plan_each(&requests, skus, body.shortfall);
    let then: HashMap<&str, &licensing::PersonOutcome> = body
        .plan
        .people
        .iter()
        .map(|p| (p.user_id.as_str(), p))
        .collect();
    for p in &now.people {
        let same = then.get(p.user_id.as_str()).is_some_and(|t| {
            t.action == p.action
                && t.add == p.add
                && t.remove == p.remove
                && t.set_usage_location == p.set_usage_location
        });
        if !same {
            drift.changed.push(p.user_principal_name.clone());
        }
    }
    for s in &now.seats {
        if let Some(t) = body.plan.seats.iter().find(|t| t.sku_id == s.sku_id)
            && t.free_before != s.free_before
        {
            drift
                .seats
                .push((s.sku_part_number.clone(), t.free_before, s.free_before));
        }
    }
    let users = requests.iter().map(|(u, _)| (*u).clone()).collect();
    (now, users, drift)
}
