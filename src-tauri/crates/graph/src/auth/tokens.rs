//! Token answers from the identity platform, and its errors in words a person can act on.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use thiserror::Error;

use crate::AccessToken;

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the sign-in service: {0}")]
    Network(String),
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in took too long and was stopped; start it again")]
    TimedOut,
    #[error(
        "the browser came back with a different sign-in request (state did not match); start again"
    )]
    StateMismatch,
    #[error("the code expired before it was entered; start the sign-in again")]
    DeviceCodeExpired,
    #[error("the sign-in was declined at the verification page")]
    Declined,
    #[error("an administrator must consent to LicenseDesk's permissions first: {0}")]
    ConsentRequired(String),
    #[error("the saved sign-in is no longer valid (expired or revoked); sign in again: {0}")]
    SignInAgain(String),
    #[error("the keychain refused: {0}")]
    Keychain(String),
    #[error("sign-in failed: {0}")]
    Refused(String),
}

/// The identity platform's error body.
#[derive(Debug, Deserialize)]
pub(crate) struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

impl OAuthErrorBody {
    /// Plain-language errors for the answers a person can do something about.
    pub fn into_error(self) -> AuthError {
        let d = self.error_description;
        match self.error.as_str() {
            "invalid_grant" if d.contains("AADSTS65001") => AuthError::ConsentRequired(d),
            "consent_required" | "interaction_required" => AuthError::ConsentRequired(d),
            "invalid_grant" => AuthError::SignInAgain(d),
            "expired_token" => AuthError::DeviceCodeExpired,
            "authorization_declined" | "access_denied" => AuthError::Declined,
            _ => AuthError::Refused(format!("{}: {d}", self.error)),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenAnswer {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

/// Who signed in, from the ID token's claims (shown in the header and by `whoami`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignedIn {
    pub tenant_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub name: Option<String>,
}

/// An access token in memory, the refresh token that renews it, and what it may do.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access: AccessToken,
    pub expires_at: Instant,
    /// Secret; goes to the keychain, nowhere else.
    pub refresh: Option<String>,
    /// Granted Graph permissions, short names (`LicenseAssignment.ReadWrite.All`).
    pub scopes: Vec<String>,
    pub signed_in: SignedIn,
}

impl TokenSet {
    pub(crate) fn from_answer(answer: TokenAnswer) -> Self {
        let scopes = answer
            .scope
            .unwrap_or_default()
            .split_whitespace()
            .map(|s| s.rsplit_once('/').map(|(_, n)| n).unwrap_or(s).to_string())
            .collect();
        Self {
            access: AccessToken::new(answer.access_token),
            expires_at: Instant::now() + Duration::from_secs(answer.expires_in.unwrap_or(3600)),
            refresh: answer.refresh_token,
            scopes,
            signed_in: answer.id_token.as_deref().map(claims).unwrap_or_default(),
        }
    }
}

/// Reads the claims of an ID token for display. It came straight from the token endpoint
/// over TLS, so its signature is not needed to trust what it says about the sign-in.
fn claims(jwt: &str) -> SignedIn {
    let payload = jwt
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok());
    let value: serde_json::Value = payload
        .and_then(|p| serde_json::from_slice(&p).ok())
        .unwrap_or_default();
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    SignedIn {
        tenant_id: text("tid"),
        user_principal_name: text("preferred_username").or_else(|| text("upn")),
        name: text("name"),
    }
}

/// POSTs a form to the token endpoint and reads the answer.
pub(crate) async fn token_request(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<TokenSet, AuthError> {
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| AuthError::Network(e.without_url().to_string()))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| AuthError::Network(e.without_url().to_string()))?;
    if status.is_success() {
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| AuthError::Refused(format!("unexpected answer: {e}")))?;
        return Ok(TokenSet::from_answer(answer));
    }
    Err(oauth_error(&body, status.as_u16()))
}

pub(crate) fn oauth_error(body: &[u8], status: u16) -> AuthError {
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(e) => e.into_error(),
        Err(_) => AuthError::Refused(format!("HTTP {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_token_claims_are_read() {
        let payload = URL_SAFE_NO_PAD
            .encode(br#"{"tid":"t1","preferred_username":"megan@contoso.com","name":"Megan"}"#);
        let s = claims(&format!("e30.{payload}."));
        assert_eq!(s.tenant_id.as_deref(), Some("t1"));
        assert_eq!(s.user_principal_name.as_deref(), Some("megan@contoso.com"));
        assert_eq!(claims("garbage"), SignedIn::default());
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = |error: &str, d: &str| {
            OAuthErrorBody {
                error: error.into(),
                error_description: d.into(),
            }
            .into_error()
        };
        assert!(matches!(
            e(
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented"
            ),
            AuthError::ConsentRequired(_)
        ));
        assert!(matches!(
            e("invalid_grant", "AADSTS70000"),
            AuthError::SignInAgain(_)
        ));
        assert!(matches!(
            e("expired_token", ""),
            AuthError::DeviceCodeExpired
        ));
        assert!(matches!(
            e("authorization_declined", ""),
            AuthError::Declined
        ));
    }

    #[test]
    fn scopes_come_back_as_short_names() {
        let t = TokenSet::from_answer(TokenAnswer {
            access_token: "a".into(),
            refresh_token: None,
            expires_in: Some(10),
            scope: Some("https://graph.microsoft.com/User.Read.All offline_access".into()),
            id_token: None,
        });
        assert_eq!(t.scopes, ["User.Read.All", "offline_access"]);
    }
}
