//! The organisation's policy in the app (`policy` crate): what the Sign in page and the About
//! box show, and the two rules the Rust side enforces whatever the window asks — a locked
//! policy allows sign-in only to its own tenant, app and cloud, and `allowDemo: false` leaves
//! the demo tenant off.
//!
//! A policy file that is there but cannot be read fails closed: no demo and no sign-in until IT
//! corrects it (the window names the file and the line). A typo must not undo a lock.

use serde::Serialize;
use ts_rs::TS;

use crate::error::CommandError;
use crate::tenant::TenantSetup;

/// What the window is told about the policy.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyInfo {
    /// The policy in force (`file` null and every key unset when there is none); `None` when
    /// the file cannot be used.
    pub in_force: Option<policy::InForce>,
    /// Why the policy file cannot be used: the file, the line and what is wrong.
    pub problem: Option<PolicyProblem>,
    /// Where the policy is looked for on this machine.
    pub looked_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyProblem {
    pub file: String,
    pub line: Option<u32>,
    pub why: String,
}

/// What the About box shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct About {
    pub version: String,
    /// The commit it was built from ("unknown" for a source tarball).
    pub commit: String,
    pub policy: PolicyInfo,
}

/// The version, the commit and the policy in force (or why it cannot be used).
#[tauri::command]
pub fn about() -> About {
    About {
        version: env!("CARGO_PKG_VERSION").into(),
        commit: env!("LICENSEDESK_COMMIT").into(),
        policy: info(),
    }
}

type Loaded = Result<Option<policy::Loaded>, policy::PolicyError>;

pub fn info() -> PolicyInfo {
    info_under(policy::load())
}

/// May the person sign in with this setup? Refused when a locked policy names another
/// tenant, app or cloud, or when the policy file cannot be read.
pub fn allows(setup: &TenantSetup) -> Result<(), CommandError> {
    allows_under(policy::load(), setup)
}

/// May the demo tenant be opened?
pub fn demo_allowed() -> Result<(), CommandError> {
    demo_under(policy::load())
}

fn info_under(loaded: Loaded) -> PolicyInfo {
    let looked_at = policy::path().display().to_string();
    match loaded {
        Ok(loaded) => PolicyInfo {
            in_force: Some(loaded.into()),
            problem: None,
            looked_at,
        },
        Err(e) => PolicyInfo {
            in_force: None,
            problem: Some(PolicyProblem {
                file: e.file.display().to_string(),
                line: e.line.and_then(|l| u32::try_from(l).ok()),
                why: e.why,
            }),
            looked_at,
        },
    }
}

fn broken(e: policy::PolicyError) -> CommandError {
    let mut error = CommandError::new("policy.broken", e.to_string(), Some(e.to_string()))
        .with("file", e.file.display());
    if let Some(line) = e.line {
        error = error.with("line", line);
    }
    error
}

fn allows_under(loaded: Loaded, setup: &TenantSetup) -> Result<(), CommandError> {
    let Some(loaded) = loaded.map_err(broken)? else {
        return Ok(());
    };
    loaded
        .policy
        .allows_setup(&setup.tenant, &setup.client_id, &setup.cloud)
        .map_err(|why| {
            let message = format!(
                "This sign-in is not allowed: {why} ({}).",
                loaded.file.display()
            );
            CommandError::new("policy.locked", message.clone(), Some(message))
                .with("file", loaded.file.display())
        })
}

fn demo_under(loaded: Loaded) -> Result<(), CommandError> {
    match loaded.map_err(broken)? {
        Some(loaded) if !loaded.policy.demo_allowed() => Err(CommandError::new(
            "demo.off",
            format!(
                "Your organisation has turned the demo tenant off ({}). Sign in to your organisation's tenant.",
                loaded.file.display()
            ),
            None,
        )
        .with("file", loaded.file.display())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_the_demo_switch_and_a_broken_file_are_enforced_here() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("policy.json");
        let setup = |tenant: &str| TenantSetup {
            tenant: tenant.into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            cloud: "global".into(),
            set_usage_locations: false,
            manage_groups: false,
            authority_host: None,
            graph_endpoint: None,
        };
        let read = || policy::load_from(&file);

        assert!(
            allows_under(read(), &setup("fabrikam.com")).is_ok(),
            "no policy: anything"
        );
        assert!(demo_under(read()).is_ok());
        assert!(
            info_under(read())
                .in_force
                .is_some_and(|p| p.file.is_none())
        );

        std::fs::write(
            &file,
            r#"{"tenant": "contoso.onmicrosoft.com", "clientId": "11111111-2222-3333-4444-555555555555", "locked": true, "allowDemo": false}"#,
        )
        .expect("policy");
        assert!(allows_under(read(), &setup("contoso.onmicrosoft.com")).is_ok());
        let refused = allows_under(read(), &setup("fabrikam.com")).expect_err("locked");
        assert_eq!(refused.code, "policy.locked");
        assert_eq!(demo_under(read()).expect_err("no demo").code, "demo.off");

        std::fs::write(&file, "{\n \"locked\": tru\n}").expect("broken");
        let e = allows_under(read(), &setup("contoso.onmicrosoft.com")).expect_err("fails closed");
        assert_eq!(e.code, "policy.broken");
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert_eq!(
            demo_under(read()).expect_err("fails closed").code,
            "policy.broken"
        );
        let shown = info_under(read());
        assert!(shown.in_force.is_none());
        assert_eq!(shown.problem.and_then(|p| p.line), Some(2));
    }
}
