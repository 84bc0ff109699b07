//! Signing in to Microsoft Entra ID (shared/reference/graph-licensing.md §9): the interactive
//! authorization-code flow with PKCE through the system browser and a loopback redirect, the
//! device-code flow, silent renewal with rotating refresh tokens, and where those refresh
//! tokens live (the OS keychain, never a file).

mod app_only;
mod device;
mod interactive;
mod session;
mod store;
mod tokens;

use url::Url;

pub use app_only::{AppCredential, AppIdentity, AppOnlySession};
pub use device::{DeviceCodePrompt, next_poll_interval, poll_device_code, start_device_code};
pub use interactive::sign_in_interactive;
pub use session::Session;
pub use store::{
    KeychainStore, MemoryStore, SecretKind, SecretStore, StoreError, entry_name,
    keychain_or_memory, legacy_entry_name, plan_signing_key,
};
pub use tokens::{AuthError, SignedIn, TokenSet, advice_for};

use crate::cloud::is_loopback;

/// The least privilege LicenseDesk needs (§2.3), as scopes for `graph_root`. Setting usage
/// locations (and reprocessing group licenses) needs User.ReadWrite.All, and adding or removing
/// people in license groups GroupMember.ReadWrite.All: each asked for only when the person
/// chooses to.
pub fn graph_scopes(
    graph_root: &str,
    set_usage_locations: bool,
    manage_groups: bool,
) -> Vec<String> {
    let root = graph_root.trim_end_matches('/');
    let mut scopes = vec!["offline_access".to_string()];
    // GroupMember.Read.All only to name the group a license comes from ("from group
    // Sales-E3"); the least of the permissions that can read a group's name.
    // AuditLog.Read.All only for people's sign-in activity, which the Reclaim page needs to
    // find who stopped signing in (Graph also asks for Entra ID P1 or P2 in the tenant).
    let mut permissions = vec![
        "LicenseAssignment.ReadWrite.All",
        "Organization.Read.All",
        "User.Read.All",
        "GroupMember.Read.All",
        "AuditLog.Read.All",
    ];
    if set_usage_locations {
        permissions.push("User.ReadWrite.All");
    }
    if manage_groups {
        permissions.push("GroupMember.ReadWrite.All");
    }
    scopes.extend(permissions.iter().map(|p| format!("{root}/{p}")));
    scopes
}

/// Where to sign in: the authority host of the cloud (or a test emulator) and the tenant
/// (a domain, a GUID, or `organizations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    host: Url,
    tenant: String,
}

impl Authority {
    pub fn new(host: &str, tenant: &str) -> Result<Self, AuthError> {
        let host = Url::parse(host.trim())
            .map_err(|e| AuthError::Config(format!("'{host}' is not a URL: {e}")))?;
        match host.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            _ => {
                return Err(AuthError::Config(format!(
                    "the sign-in address '{host}' must use https (plain http only on 127.0.0.1 or localhost)"
                )));
            }
        }
        let tenant = tenant.trim();
        let valid = !tenant.is_empty()
            && tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(AuthError::Config(format!(
                "'{tenant}' is not a tenant: use your domain (contoso.onmicrosoft.com), the tenant ID, or 'organizations'"
            )));
        }
        Ok(Self {
            host,
            tenant: tenant.to_string(),
        })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn host(&self) -> &str {
        self.host.as_str().trim_end_matches('/')
    }

    fn endpoint(&self, name: &str) -> String {
        format!("{}/{}/oauth2/v2.0/{name}", self.host(), self.tenant)
    }

    pub fn authorize_url(&self) -> String {
        self.endpoint("authorize")
    }

    pub fn token_url(&self) -> String {
        self.endpoint("token")
    }

    pub fn device_code_url(&self) -> String {
        self.endpoint("devicecode")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_least_privilege_for_the_cloud() {
        let s = graph_scopes("https://graph.microsoft.us/", false, false);
        assert_eq!(s[0], "offline_access");
        assert!(
            s.contains(&"https://graph.microsoft.us/LicenseAssignment.ReadWrite.All".to_string())
        );
        assert!(!s.iter().any(|x| x.ends_with("User.ReadWrite.All")));
        assert!(
            graph_scopes("https://graph.microsoft.com", true, false)
                .iter()
                .any(|x| x.ends_with("/User.ReadWrite.All"))
        );
    }

    #[test]
    fn authorities_are_checked() {
        let a = Authority::new(
            "https://login.microsoftonline.com/",
            "contoso.onmicrosoft.com",
        )
        .expect("valid");
        assert_eq!(
            a.token_url(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert!(Authority::new("http://127.0.0.1:5000", "organizations").is_ok());
        assert!(Authority::new("http://login.example.com", "organizations").is_err());
        assert!(Authority::new("https://login.microsoftonline.com", "contoso/../x").is_err());
        assert!(Authority::new("https://login.microsoftonline.com", "").is_err());
    }
}
