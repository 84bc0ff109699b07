//! A signed-in session: the access token in memory, renewed silently with the refresh token,
//! which lives only in the secret store and is replaced on every renewal (rotation).

use std::sync::{Arc, Mutex};

use super::store::{SecretKind, entry_name, legacy_entry_name};
use super::tokens::{AuthError, SignedIn, TokenSet, token_request};
use super::{Authority, SecretStore};
use crate::{AccessToken, GraphError, RefreshFuture, TokenSource};

pub struct Session {
    http: reqwest::Client,
    authority: Authority,
    client_id: String,
    scopes: Vec<String>,
    store: Arc<dyn SecretStore>,
    /// The keychain entry's name for this tenant and app.
    account: String,
    current: Mutex<TokenSet>,
}

impl Session {
    /// The name under which a tenant's refresh token is kept (never the name of an app's
    /// secret for the same tenant and app).
    pub fn account_name(authority: &Authority, client_id: &str) -> String {
        entry_name(SecretKind::RefreshToken, authority, client_id)
    }

    /// A session from a fresh sign-in; its refresh token goes to the store.
    pub fn start(
        http: reqwest::Client,
        authority: Authority,
        client_id: &str,
        scopes: Vec<String>,
        store: Arc<dyn SecretStore>,
        tokens: TokenSet,
    ) -> Result<Self, AuthError> {
        let account = Self::account_name(&authority, client_id);
        if let Some(refresh) = &tokens.refresh {
            store
                .set(&account, refresh.expose())
                .map_err(|e| AuthError::Keychain(e.0))?;
        }
        // A fresh sign-in supersedes an entry of the old shared name (best effort: it is
        // never read again either way).
        let _ = store.delete(&legacy_entry_name(&authority, client_id));
        Ok(Self {
            http,
            authority,
            client_id: client_id.to_string(),
            scopes,
            store,
            account,
            current: Mutex::new(tokens),
        })
    }

    /// Silent sign-in: the saved refresh token gets a new access token. `Ok(None)` when there is
    /// no saved sign-in for this tenant and app.
    pub async fn resume(
        http: reqwest::Client,
        authority: Authority,
        client_id: &str,
        scopes: Vec<String>,
        store: Arc<dyn SecretStore>,
    ) -> Result<Option<Self>, AuthError> {
        let account = Self::account_name(&authority, client_id);
        let Some(refresh) = store.get(&account).map_err(|e| AuthError::Keychain(e.0))? else {
            let legacy = legacy_entry_name(&authority, client_id);
            if store
                .get(&legacy)
                .map_err(|e| AuthError::Keychain(e.0))?
                .is_some()
            {
                return Err(AuthError::SignInAgain(
                    "an older LicenseDesk saved this sign-in under a keychain name it shared with app-only secrets, so what it holds cannot be trusted and it is not used".into(),
                ));
            }
            return Ok(None);
        };
        let tokens = redeem(&http, &authority, client_id, &scopes, &refresh).await?;
        Self::start(http, authority, client_id, scopes, store, tokens).map(Some)
    }

    pub fn signed_in(&self) -> SignedIn {
        self.lock().signed_in.clone()
    }

    pub fn scopes(&self) -> Vec<String> {
        self.lock().scopes.clone()
    }

    /// Signs out: the refresh token leaves the keychain (and an entry of the old shared name
    /// for this tenant and app, if one is left).
    pub fn sign_out(&self) -> Result<(), AuthError> {
        self.store
            .delete(&self.account)
            .and_then(|()| {
                self.store
                    .delete(&legacy_entry_name(&self.authority, &self.client_id))
            })
            .map_err(|e| AuthError::Keychain(e.0))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenSet> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn renew(&self) -> Result<AccessToken, AuthError> {
        let refresh = self
            .store
            .get(&self.account)
            .map_err(|e| AuthError::Keychain(e.0))?
            .or_else(|| self.lock().refresh.as_ref().map(|r| r.expose().to_string()))
            .ok_or_else(|| AuthError::SignInAgain("no refresh token".into()))?;
        let mut tokens = redeem(
            &self.http,
            &self.authority,
            &self.client_id,
            &self.scopes,
            &refresh,
        )
        .await?;
        // Keep the rotated refresh token; the old one no longer works.
        if let Some(new) = &tokens.refresh {
            self.store
                .set(&self.account, new.expose())
                .map_err(|e| AuthError::Keychain(e.0))?;
        }
        let access = tokens.access.clone();
        let mut current = self.lock();
        if tokens.signed_in == SignedIn::default() {
            tokens.signed_in = current.signed_in.clone();
        }
        *current = tokens;
        Ok(access)
    }
}

async fn redeem(
    http: &reqwest::Client,
    authority: &Authority,
    client_id: &str,
    scopes: &[String],
    refresh: &str,
) -> Result<TokenSet, AuthError> {
    token_request(
        http,
        &authority.token_url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", refresh),
            ("scope", &scopes.join(" ")),
        ],
    )
    .await
}

impl TokenSource for Session {
    fn current(&self) -> AccessToken {
        self.lock().access.clone()
    }

    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(async move {
            self.renew()
                .await
                .map_err(|e| GraphError::TokenRefresh(e.to_string()))
        })
    }
}
