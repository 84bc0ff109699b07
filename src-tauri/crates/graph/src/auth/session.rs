//! A signed-in session: the access token in memory, renewed silently with the refresh token,
//! which lives only in the secret store and is replaced on every renewal (rotation).

use std::sync::{Arc, Mutex};

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
    /// The name under which a tenant's refresh token is kept.
    pub fn account_name(authority: &Authority, client_id: &str) -> String {
        format!("{}|{}|{}", authority.host(), authority.tenant(), client_id)
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
                .set(&account, refresh)
                .map_err(|e| AuthError::Keychain(e.0))?;
        }
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

    /// Signs out: the refresh token leaves the keychain.
    pub fn sign_out(&self) -> Result<(), AuthError> {
        self.store
            .delete(&self.account)
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
            .or_else(|| self.lock().refresh.clone())
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
                .set(&self.account, new)
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
