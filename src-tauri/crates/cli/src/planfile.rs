//! Plans to approve: one administrator prepares a plan (`assign-all … --out PLAN.json`,
//! `plan FILE --out PLAN.json`), another applies it (`apply --plan PLAN.json`). The file names
//! its tenant and carries a SHA-256 digest of its content: a file for another tenant, or one
//! edited since, is refused. Before applying, the plan is worked out again on the tenant as it
//! is now and what drifted (seats, people already changed, people gone) is shown.

use std::path::Path;

use licensing::planfile::{self, Body};
use licensing::{Plan, ShortfallPolicy, WantedChange};

use crate::CliError;
use crate::connection::Connection;

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
    let text = planfile::seal(&body);
    std::fs::write(out, text)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "Wrote the plan to {} (nothing was changed). `licensedesk-cli apply --plan {}` applies it.",
        out.display(),
        out.display()
    );
    Ok(())
}

/// Reads a plan file and checks that it is whole, unedited and for this tenant.
pub async fn read(connection: &Connection, path: &Path) -> Result<Body, CliError> {
    let name = path.display();
    let refused = |e: planfile::PlanFileError| CliError::Usage(format!("{name}: {e}"));
    let size = std::fs::metadata(path)
        .map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?
        .len();
    if size > planfile::MAX_BYTES {
        return Err(refused(planfile::PlanFileError::NotAPlan(format!(
            "{size} bytes is far more than a plan file holds"
        ))));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?;
    let body = planfile::open(&text).map_err(refused)?;
    let (tenant_id, _) = connection.tenant().await?;
    body.check_tenant(&tenant_id).map_err(refused)?;
    Ok(body)
}
