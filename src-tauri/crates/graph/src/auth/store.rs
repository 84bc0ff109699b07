//! Where refresh tokens live: the OS keychain (Secret Service, Windows Credential Manager,
//! macOS Keychain). Never a file. Where no keychain answers, the session stays in memory and
//! the person is told.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use thiserror::Error;

#[derive(Debug, Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// What a keychain entry holds. Each kind has its own entry name, so a person's refresh token
/// and an app's client secret for the same tenant and app registration (which the README
/// suggests sharing) never overwrite each other, and one is never sent as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A person's refresh token (browser or device-code sign-in).
    RefreshToken,
    /// An app's client secret (app-only sign-in).
    ClientSecret,
    /// The password of an app's certificate file (app-only sign-in).
    CertificatePassword,
    /// The private key that signs plan files this account prepares.
    PlanSigningKey,
}

impl SecretKind {
    fn label(self) -> &'static str {
        match self {
            Self::RefreshToken => "refresh-token",
            Self::ClientSecret => "client-secret",
            Self::CertificatePassword => "certificate-password",
            Self::PlanSigningKey => "plan-signing-key",
        }
    }
}

/// The keychain entry (account) name for one kind of secret of one tenant and app, e.g.
/// `refresh-token|https://login.microsoftonline.com|contoso.onmicrosoft.com|<client id>`.
/// Each front end (the desktop app, the CLI) also uses its own keychain service name, so
/// signing out of one never signs the other out.
pub fn entry_name(kind: SecretKind, authority: &super::Authority, client_id: &str) -> String {
    format!(
        "{}|{}|{}|{client_id}",
        kind.label(),
        authority.host(),
        authority.tenant()
    )
}

/// The name LicenseDesk 0.1 used for every kind of secret, in one service shared by the app
/// and the CLI. What such an entry holds cannot be known (the last writer won), so it is
/// never used: the person is asked to sign in again, and a new sign-in or a sign-out removes it.
pub fn legacy_entry_name(authority: &super::Authority, client_id: &str) -> String {
    format!("{}|{}|{client_id}", authority.host(), authority.tenant())
}

pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, account: &str, secret: &str) -> Result<(), StoreError>;
    fn delete(&self, account: &str) -> Result<(), StoreError>;
    /// False for the in-memory fallback: the session ends with the process.
    fn is_persistent(&self) -> bool;
}

/// The OS keychain through the `keyring` crate.
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_string(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, account).map_err(|e| StoreError(e.to_string()))
    }

    /// Writes, reads back and deletes a probe entry: proves a keychain is there and unlocked.
    pub fn probe(&self) -> Result<(), StoreError> {
        let account = format!("probe-{}", std::process::id());
        self.set(&account, "probe")?;
        let read = self.get(&account)?;
        self.delete(&account)?;
        (read.as_deref() == Some("probe"))
            .then_some(())
            .ok_or_else(|| StoreError("the keychain did not keep what was stored".into()))
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> Result<Option<String>, StoreError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(StoreError(e.to_string())),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), StoreError> {
        self.entry(account)?
            .set_password(secret)
            .map_err(|e| StoreError(e.to_string()))
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(StoreError(e.to_string())),
        }
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// Secrets kept in this process only.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?
            .get(account)
            .cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), StoreError> {
        self.0
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?
            .insert(account.to_string(), secret.to_string());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        self.0
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?
            .remove(account);
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// The OS keychain if it works here; otherwise memory, with the reason to tell the person.
pub fn keychain_or_memory(service: &str) -> (Arc<dyn SecretStore>, Option<String>) {
    let keychain = KeychainStore::new(service);
    match keychain.probe() {
        Ok(()) => (Arc::new(keychain), None),
        Err(e) => (
            Arc::new(MemoryStore::default()),
            Some(format!(
                "No keychain is available ({e}). You stay signed in only until LicenseDesk closes; nothing is written to disk."
            )),
        ),
    }
}

/// The key that signs the plan files `who` prepares: made the first time (32 bytes from the
/// OS's random source) and kept in the keychain, never in a file. `None` without a keychain:
/// a key that vanished with the process would prove nothing, so plans are then saved
/// unsigned (and say so).
pub fn plan_signing_key(
    store: &dyn SecretStore,
    who: &str,
) -> Result<Option<licensing::planfile::SigningKey>, StoreError> {
    use licensing::planfile::{signing_key_from_seed, signing_key_from_text, signing_key_text};
    if !store.is_persistent() {
        return Ok(None);
    }
    let account = format!("{}|{who}", SecretKind::PlanSigningKey.label());
    if let Some(text) = store.get(&account)? {
        return signing_key_from_text(&text)
            .map(Some)
            .ok_or_else(|| StoreError("the plan-signing key in the keychain is damaged".into()));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| StoreError(format!("no random source: {e}")))?;
    let key = signing_key_from_seed(seed);
    store.set(&account, &signing_key_text(&key))?;
    Ok(Some(key))
}
