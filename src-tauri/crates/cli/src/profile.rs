//! The CLI's saved sign-in: which tenant, app and endpoints (a small JSON file in the user's
//! config folder, nothing secret) plus the refresh token (in the OS keychain only).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::CliError;

/// The CLI's own keychain service: the desktop app uses "LicenseDesk", so signing out of one
/// never removes the other's sign-in.
pub const KEYCHAIN_SERVICE: &str = "LicenseDesk CLI";
/// The service LicenseDesk 0.1's CLI shared with the app. Entries left there are never used
/// (what they hold cannot be known); a new login or a logout removes this tenant's.
pub const LEGACY_KEYCHAIN_SERVICE: &str = "LicenseDesk";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub tenant: String,
    pub client_id: String,
    pub authority_host: String,
    pub graph_endpoint: String,
    pub scopes: Vec<String>,
    /// From the sign-in, for `whoami` without a network call.
    pub tenant_id: Option<String>,
    pub user_principal_name: Option<String>,
    /// Set for an app-only sign-in (automation); its secret or certificate password is in the
    /// keychain, the certificate file stays where the admin keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppProfile>,
    /// An extra root certificate to trust, given at sign-in with --ca-certificate: the PEM
    /// text itself, so that whoever can write the original file later cannot change what is
    /// trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate_pem: Option<String>,
    /// LicenseDesk 0.1 saved the certificate's path instead; such a profile is refused.
    #[serde(default, rename = "caCertificate", skip_serializing)]
    pub legacy_ca_certificate_path: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProfile {
    /// The .pfx/.p12 file, for a certificate credential; `None` for a client secret.
    pub certificate_path: Option<PathBuf>,
    /// Whether the certificate has a password (kept in the keychain).
    #[serde(default)]
    pub certificate_has_password: bool,
}

/// `LICENSEDESK_CONFIG_DIR`, else the platform's config folder + `licensedesk`.
pub fn config_dir() -> Result<PathBuf, CliError> {
    config_dir_from(|k| std::env::var_os(k))
}

/// The same from any environment. An empty or relative variable counts as unset (the XDG
/// rules): an empty `XDG_CONFIG_HOME` must not put the journal and the trust list in the
/// current folder.
fn config_dir_from(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<PathBuf, CliError> {
    let set = |k: &str| get(k).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(dir) = set("LICENSEDESK_CONFIG_DIR") {
        return Ok(dir);
    }
    let base = if cfg!(windows) {
        set("APPDATA")
    } else if cfg!(target_os = "macos") {
        set("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        set("XDG_CONFIG_HOME").or_else(|| set("HOME").map(|h| h.join(".config")))
    };
    base.map(|b| b.join("licensedesk")).ok_or_else(|| {
        CliError::Failed("cannot find a config folder: set LICENSEDESK_CONFIG_DIR".into())
    })
}

#[cfg(all(test, unix, not(target_os = "macos")))]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_relative_config_home_counts_as_unset() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let dir = |pairs| config_dir_from(env(pairs)).expect("a folder");
        assert_eq!(
            dir(&[("XDG_CONFIG_HOME", ""), ("HOME", "/home/ann")]),
            PathBuf::from("/home/ann/.config/licensedesk")
        );
        assert_eq!(
            dir(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/ann")]),
            PathBuf::from("/home/ann/.config/licensedesk")
        );
        assert_eq!(
            dir(&[("XDG_CONFIG_HOME", "/etc/x"), ("HOME", "/home/ann")]),
            PathBuf::from("/etc/x/licensedesk")
        );
        assert_eq!(
            dir(&[("LICENSEDESK_CONFIG_DIR", ""), ("HOME", "/home/ann")]),
            PathBuf::from("/home/ann/.config/licensedesk")
        );
        assert!(config_dir_from(env(&[("XDG_CONFIG_HOME", "")])).is_err());
    }
}

fn path() -> Result<PathBuf, CliError> {
    Ok(config_dir()?.join("cli-session.json"))
}

impl Profile {
    pub fn load() -> Result<Option<Self>, CliError> {
        let path = path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                CliError::Failed(format!(
                    "{} is damaged ({e}); run `licensedesk-cli logout` and sign in again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CliError::Failed(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn save(&self) -> Result<(), CliError> {
        let path = path()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
        }
        let text =
            serde_json::to_string_pretty(self).map_err(|e| CliError::Failed(e.to_string()))?;
        // Write then rename, so a crash never leaves half a file.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
    }

    pub fn delete() -> Result<(), CliError> {
        match std::fs::remove_file(path()?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CliError::Failed(format!(
                "cannot remove the saved sign-in: {e}"
            ))),
        }
    }
}
