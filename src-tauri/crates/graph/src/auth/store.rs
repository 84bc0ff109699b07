//! Where refresh tokens live: the OS keychain (Secret Service, Windows Credential Manager,
//! macOS Keychain). Never a file. Where no keychain answers, the session stays in memory and
//! the person is told.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use thiserror::Error;

#[derive(Debug, Error)]
#[error("{0}")]
pub struct StoreError(pub String);

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
