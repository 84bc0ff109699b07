//! The managed policy: one file an organisation's IT deploys so that LicenseDesk opens set up
//! for it (Linux: `/etc/licensedesk/policy.json`; `LICENSEDESK_POLICY_FILE` points elsewhere,
//! for tests and for other layouts). The app and the CLI read it the same way.
//!
//! The file is hostile input like any other: read with a bound, parsed strictly (an unknown
//! key is refused: a typo must not silently turn a lock off), and a broken file is a clear
//! message naming the file and the line — never a half-read policy.

#[cfg(any(target_os = "macos", test))]
pub mod managed_prefs;
pub mod registry;

use std::path::{Path, PathBuf};

use licensing::is_guid;
use licensing::planfile::{TrustedKey, fingerprint};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A policy is a few hundred bytes; far more is not one.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The clouds a policy may name, as the app and the CLI name them.
pub const CLOUDS: &[&str] = &["global", "usgov", "usgov-dod", "china"];

/// A tenant as sign-in takes it: a verified domain, a tenant ID, or "organizations".
fn is_tenant(s: &str) -> bool {
    s == "organizations"
        || is_guid(s)
        || (s.contains('.')
            && s.len() <= 253
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            }))
}

/// What the organisation set. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct Policy {
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub cloud: Option<String>,
    /// The person cannot change the tenant, app or cloud.
    #[serde(default)]
    pub locked: bool,
    /// False: no demo tenant (and the CLI's `--demo` is refused).
    pub allow_demo: Option<bool>,
    pub product_names_refresh: Option<bool>,
    /// Plan-signing keys the organisation trusts.
    #[serde(default)]
    pub trusted_plan_keys: Vec<TrustedKey>,
    /// Refuse plan files not signed with a trusted key.
    #[serde(default)]
    pub require_signed_plans: bool,
}

impl Policy {
    /// The demo tenant is offered unless the organisation turned it off.
    pub fn demo_allowed(&self) -> bool {
        self.allow_demo != Some(false)
    }

    /// Whether a sign-in to this tenant, app and cloud is allowed: anything when the policy is
    /// not locked; only its own tenant, app and cloud when it is. The error says what differs.
    pub fn allows_setup(&self, tenant: &str, client_id: &str, cloud: &str) -> Result<(), String> {
        if !self.locked {
            return Ok(());
        }
        let same = |theirs: &Option<String>, ours: &str| {
            theirs
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case(ours.trim()))
        };
        let cloud_same = self
            .cloud
            .as_deref()
            .unwrap_or("global")
            .eq_ignore_ascii_case(cloud.trim());
        if same(&self.tenant, tenant) && same(&self.client_id, client_id) && cloud_same {
            Ok(())
        } else {
            Err(format!(
                "your organisation's policy locks LicenseDesk to the tenant {}, the application (client) ID {} and the {} cloud",
                self.tenant.as_deref().unwrap_or("?"),
                self.client_id.as_deref().unwrap_or("?"),
                self.cloud.as_deref().unwrap_or("global")
            ))
        }
    }
}

/// The policy in force and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub file: PathBuf,
    pub policy: Policy,
}

/// The policy in force as `licensedesk-cli policy --json` prints it and the About box shows
/// it: the file it came from (`null` when there is none) and every key (their defaults when
/// there is no file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InForce {
    pub file: Option<String>,
    #[serde(flatten)]
    pub policy: Policy,
}

impl From<Option<Loaded>> for InForce {
    fn from(loaded: Option<Loaded>) -> Self {
        match loaded {
            Some(l) => InForce {
                file: Some(l.file.display().to_string()),
                policy: l.policy,
            },
            None => InForce {
                file: None,
                policy: Policy::default(),
            },
        }
    }
}

/// Why a policy file was not used: what to tell the person (and IT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: PathBuf,
    /// 1-based, when the problem is on a line.
    pub line: Option<usize>,
    pub why: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "The policy file {} cannot be used (line {line}: {}). Ask your IT department to correct it.",
                self.file.display(),
                self.why
            ),
            None => write!(
                f,
                "The policy file {} cannot be used ({}). Ask your IT department to correct it.",
                self.file.display(),
                self.why
            ),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Where the policy file is looked for.
pub fn path() -> PathBuf {
    match std::env::var_os("LICENSEDESK_POLICY_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("/etc/licensedesk/policy.json"),
    }
}

/// The policy in force: `None` when there is no file; an error for a file that is there but
/// cannot be used.
pub fn load() -> Result<Option<Loaded>, PolicyError> {
    // Windows: the machine policy in the registry (Group Policy, Intune) when it is there; a
    // file named by LICENSEDESK_POLICY_FILE otherwise.
    #[cfg(windows)]
    if std::env::var_os("LICENSEDESK_POLICY_FILE").is_none() {
        return load_from_registry();
    }
    // macOS: the managed preferences a configuration profile wrote, when they are there.
    #[cfg(target_os = "macos")]
    if std::env::var_os("LICENSEDESK_POLICY_FILE").is_none() {
        return load_from_managed_preferences();
    }
    load_from(&path())
}

#[cfg(target_os = "macos")]
fn load_from_managed_preferences() -> Result<Option<Loaded>, PolicyError> {
    let place = PathBuf::from(managed_prefs::MACHINE_PLIST);
    let error = |why: String| PolicyError {
        file: place.clone(),
        line: None,
        why,
    };
    let bytes = match safe_files::read_at_most(&place, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(error(e.to_string())),
    };
    let json = managed_prefs::to_policy_json(&bytes).map_err(error)?;
    let policy = parse(&json).map_err(|(_, why)| error(why))?;
    Ok(Some(Loaded {
        file: place,
        policy,
    }))
}

#[cfg(windows)]
fn load_from_registry() -> Result<Option<Loaded>, PolicyError> {
    let place = PathBuf::from(r"HKLM\SOFTWARE\Policies\LicenseDesk");
    let error = |why: String| PolicyError {
        file: place.clone(),
        line: None,
        why,
    };
    let Some(values) = registry::read_machine_policy().map_err(|e| error(e.to_string()))? else {
        return Ok(None);
    };
    let json = registry::to_policy_json(&values).map_err(error)?;
    let policy = parse(&json).map_err(|(_, why)| error(why))?;
    Ok(Some(Loaded {
        file: place,
        policy,
    }))
}

pub fn load_from(file: &Path) -> Result<Option<Loaded>, PolicyError> {
    let error = |line: Option<usize>, why: String| PolicyError {
        file: file.to_path_buf(),
        line,
        why,
    };
    let bytes = match safe_files::read_at_most(file, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(error(None, e.to_string())),
    };
    let text = String::from_utf8(bytes).map_err(|_| error(None, "it is not UTF-8 text".into()))?;
    let policy = parse(&text).map_err(|(line, why)| error(line, why))?;
    Ok(Some(Loaded {
        file: file.to_path_buf(),
        policy,
    }))
}

/// Parses and checks a policy's text: the line of the first problem and what it is.
pub fn parse(text: &str) -> Result<Policy, (Option<usize>, String)> {
    let policy: Policy =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            // Column 0 is the line break ending the line before: that line is the wrong one.
            let line = if e.column() == 0 && e.line() > 1 {
                e.line() - 1
            } else {
                e.line()
            };
            // serde's own "at line N column M" would contradict the line named.
            let why = e.to_string();
            let why = why.split(" at line ").next().unwrap_or(&why).to_string();
            (Some(line).filter(|l| *l > 0), why)
        })?;
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    if let Some(cloud) = &policy.cloud
        && !CLOUDS.contains(&cloud.as_str())
    {
        return Err((
            line_of("\"cloud\""),
            format!("cloud \"{cloud}\" is not one of {}", CLOUDS.join(", ")),
        ));
    }
    if let Some(tenant) = &policy.tenant
        && !is_tenant(tenant)
    {
        return Err((
            line_of("\"tenant\""),
            format!(
                "tenant \"{tenant}\" is neither a domain (contoso.onmicrosoft.com), a tenant ID nor \"organizations\""
            ),
        ));
    }
    if let Some(id) = &policy.client_id
        && !is_guid(id)
    {
        return Err((
            line_of("\"clientId\""),
            format!(
                "clientId \"{id}\" is not an application (client) ID (a GUID such as 11111111-2222-3333-4444-555555555555)"
            ),
        ));
    }
    if policy.locked && (policy.tenant.is_none() || policy.client_id.is_none()) {
        return Err((
            line_of("\"locked\""),
            "locked needs tenant and clientId: there is nothing to lock to".into(),
        ));
    }
    for key in &policy.trusted_plan_keys {
        if fingerprint(&key.public_key).is_none() {
            return Err((
                line_of(key.public_key.trim()),
                format!(
                    "trustedPlanKeys: \"{}\" is not a plan-signing public key",
                    key.public_key
                ),
            ));
        }
        if key.name.trim().is_empty() {
            return Err((
                line_of(key.public_key.trim()),
                "trustedPlanKeys: each key needs a name".into(),
            ));
        }
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=";

    #[test]
    fn a_policy_is_read_with_every_key() {
        let text = format!(
            r#"{{
  "tenant": "contoso.onmicrosoft.com",
  "clientId": "11111111-2222-3333-4444-555555555555",
  "cloud": "global",
  "locked": true,
  "allowDemo": false,
  "productNamesRefresh": false,
  "trustedPlanKeys": [{{ "name": "Ann (IT)", "publicKey": "{KEY}" }}],
  "requireSignedPlans": true
}}"#
        );
        let p = parse(&text).expect("policy");
        assert!(p.locked && p.require_signed_plans);
        assert_eq!(p.allow_demo, Some(false));
        assert_eq!(p.trusted_plan_keys[0].name, "Ann (IT)");
    }

    #[test]
    fn a_broken_policy_names_the_line_and_what_is_wrong() {
        // A typo'd key must not silently turn the lock off.
        let (line, why) =
            parse("{\n  \"tenant\": \"x\",\n  \"lockd\": true\n}").expect_err("refused");
        assert_eq!(line, Some(3));
        assert!(why.contains("lockd"), "{why}");
        let (line, _) =
            parse("{\n  \"tenant\": \"x\",\n  \"locked\": tru,\n  \"cloud\": \"global\"\n}")
                .expect_err("refused");
        assert_eq!(line, Some(3));
        let (line, why) = parse(
            "{\n \"trustedPlanKeys\": [\n  {\"name\": \"a\", \"publicKey\": \"nope\"}\n ]\n}",
        )
        .expect_err("refused");
        assert_eq!(line, Some(3));
        assert!(why.contains("not a plan-signing public key"), "{why}");
        let (_, why) = parse("{\"cloud\": \"mars\"}").expect_err("refused");
        assert!(why.contains("mars"), "{why}");
    }

    #[test]
    fn tenants_apps_and_clouds_are_checked_and_a_lock_needs_something_to_lock_to() {
        let (line, why) = parse("{\n \"tenant\": \"contoso onmicrosoft\"\n}").expect_err("refused");
        assert_eq!(line, Some(2));
        assert!(why.contains("neither a domain"), "{why}");
        let (line, why) = parse("{\n \"tenant\": \"contoso.com\",\n \"clientId\": \"my-app\"\n}")
            .expect_err("refused");
        assert_eq!(line, Some(3));
        assert!(why.contains("GUID"), "{why}");
        let (_, why) = parse("{\"cloud\": \"usgovhigh\"}").expect_err("refused");
        assert!(why.contains("global, usgov, usgov-dod, china"), "{why}");
        let (line, why) =
            parse("{\n \"tenant\": \"contoso.com\",\n \"locked\": true\n}").expect_err("refused");
        assert_eq!(line, Some(3));
        assert!(why.contains("needs tenant and clientId"), "{why}");
        for tenant in [
            "organizations",
            "contoso.onmicrosoft.com",
            "11111111-2222-3333-4444-555555555555",
        ] {
            parse(&format!("{{\"tenant\": \"{tenant}\"}}")).expect(tenant);
        }
    }

    #[test]
    fn a_locked_policy_allows_only_its_own_setup() {
        let p = parse(
            r#"{"tenant": "contoso.onmicrosoft.com", "clientId": "11111111-2222-3333-4444-555555555555", "locked": true, "allowDemo": false}"#,
        )
        .expect("policy");
        assert!(!p.demo_allowed());
        p.allows_setup(
            "Contoso.onmicrosoft.com",
            "11111111-2222-3333-4444-555555555555",
            "global",
        )
        .expect("its own setup");
        let why = p
            .allows_setup(
                "fabrikam.com",
                "11111111-2222-3333-4444-555555555555",
                "global",
            )
            .expect_err("another tenant");
        assert!(why.contains("contoso.onmicrosoft.com"), "{why}");
        p.allows_setup(
            "contoso.onmicrosoft.com",
            "99999999-2222-3333-4444-555555555555",
            "global",
        )
        .expect_err("another app");
        p.allows_setup(
            "contoso.onmicrosoft.com",
            "11111111-2222-3333-4444-555555555555",
            "china",
        )
        .expect_err("another cloud");
        let open = Policy {
            tenant: Some("contoso.onmicrosoft.com".into()),
            ..Policy::default()
        };
        open.allows_setup("fabrikam.com", "x", "china")
            .expect("not locked");
        assert!(open.demo_allowed());
    }

    #[test]
    fn the_policy_in_force_names_its_file_or_null() {
        let none = serde_json::to_value(InForce::from(None)).expect("json");
        assert_eq!(none["file"], serde_json::Value::Null);
        assert_eq!(none["locked"], false);
        let loaded = Loaded {
            file: PathBuf::from("/etc/licensedesk/policy.json"),
            policy: parse(r#"{"allowDemo": false}"#).expect("policy"),
        };
        let some = serde_json::to_value(InForce::from(Some(loaded))).expect("json");
        assert_eq!(some["file"], "/etc/licensedesk/policy.json");
        assert_eq!(some["allowDemo"], false);
    }

    #[test]
    fn no_file_is_no_policy_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(load_from(&dir.path().join("none.json")), Ok(None));
        let file = dir.path().join("policy.json");
        std::fs::write(&file, "{\n\"allowDemo\": 3\n}").expect("write");
        let e = load_from(&file).expect_err("refused");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("policy.json"), "{e}");
        #[cfg(unix)]
        assert!(
            load_from(Path::new("/dev/zero")).is_err(),
            "not a regular file"
        );
    }
}
