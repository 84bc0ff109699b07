//! Token answers from the identity platform, and its errors in words a person can act on.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use thiserror::Error;

use crate::{AccessToken, SecretString};

/// The longest lifetime believed from a token answer. Entra's access tokens live 60–90
/// minutes; a larger (or absurd) `expires_in` is clamped, never added to the clock unchecked.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A sign-in answer is a small JSON document; anything larger is refused while reading.
pub(crate) const MAX_SIGN_IN_BODY: usize = 1024 * 1024;

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
    /// Microsoft said no for a reason a person can fix: `advice` says how, in plain words;
    /// `detail` is Microsoft's own text with its AADSTS code.
    #[error("{advice} ({detail})")]
    Rejected { advice: String, detail: String },
    #[error("sign-in failed: {0}")]
    Refused(String),
}

/// What to do about the AADSTS errors people meet when connecting a tenant, in plain words.
/// `None` for codes with no advice beyond Microsoft's own text.
pub fn advice_for(description: &str) -> Option<&'static str> {
    const ADVICE: &[(&[&str], &str)] = &[
        (
            &["AADSTS90002", "AADSTS900023"],
            "The tenant was not found: check the domain or tenant ID (or use “organizations”), and the cloud.",
        ),
        (
            &["AADSTS700016"],
            "No app with this client ID exists in that tenant: check the Application (client) ID, and that the app is registered in this tenant.",
        ),
        (
            &["AADSTS7000218"],
            "The app registration does not allow sign-in with a code: an admin turns on “Allow public client flows” under Authentication. Or sign in with the browser.",
        ),
        (
            &["AADSTS50011", "AADSTS500113"],
            "The app registration lacks LicenseDesk's redirect address: an admin adds http://localhost and http://127.0.0.1 under Authentication → Mobile and desktop applications.",
        ),
        (
            &["AADSTS50105"],
            "Your account is not assigned to the LicenseDesk app: an admin adds you under Enterprise applications → LicenseDesk → Users and groups.",
        ),
        (
            &["AADSTS50076", "AADSTS50079", "AADSTS53003", "AADSTS50158"],
            "Your organisation requires an extra check (multi-factor authentication or a compliant device) that this sign-in could not complete: sign in with the browser on a device your organisation trusts.",
        ),
        (
            &["AADSTS50020"],
            "This account belongs to another organisation (a guest or personal account): sign in with an account of this tenant.",
        ),
        (
            &["AADSTS7000215"],
            "The client secret is wrong or has expired: copy the secret's Value (not its Secret ID) from App registrations → your app → Certificates & secrets.",
        ),
        (
            &["AADSTS700027"],
            "The certificate is not registered on the app registration (or its key does not match it): upload the certificate's public part under App registrations → your app → Certificates & secrets.",
        ),
    ];
    // Longest codes first would matter only for prefixes; "AADSTS50011" vs "AADSTS500113" is
    // settled by checking the code is not followed by another digit.
    ADVICE.iter().find_map(|(codes, advice)| {
        codes
            .iter()
            .any(|code| {
                description.match_indices(code).any(|(at, _)| {
                    !description[at + code.len()..].starts_with(|c: char| c.is_ascii_digit())
                })
            })
            .then_some(*advice)
    })
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
        if d.contains("AADSTS65001") || self.error == "consent_required" {
            return AuthError::ConsentRequired(d);
        }
        if let Some(advice) = advice_for(&d) {
            return AuthError::Rejected {
                advice: advice.to_string(),
                detail: d,
            };
        }
        match self.error.as_str() {
            "interaction_required" => AuthError::Rejected {
                advice: "Microsoft needs you to sign in interactively (an extra check or a changed password): sign in with the browser.".into(),
                detail: d,
            },
            "invalid_grant" => AuthError::SignInAgain(d),
            "expired_token" => AuthError::DeviceCodeExpired,
            "authorization_declined" | "access_denied" => AuthError::Declined,
            _ => AuthError::Refused(format!("{}: {d}", self.error)),
        }
    }
}

/// A token endpoint's answer. Every token in it is a `SecretString`, so `Debug` shows none.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenAnswer {
    pub access_token: SecretString,
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    /// Seconds. Entra sends a number; some servers send it as text. Anything else, or an
    /// absurd value, is read as "unknown" or clamped.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub id_token: Option<SecretString>,
}

/// `expires_in` as a number or numeric text; any other shape (negative, fractional, huge
/// beyond u64) is `None` rather than a refusal of the whole sign-in.
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `now + seconds`, with the seconds clamped to what a token can live: never an overflow.
pub(crate) fn expiry_after(seconds: Option<u64>) -> Instant {
    let lifetime = Duration::from_secs(seconds.unwrap_or(3600)).min(MAX_TOKEN_LIFETIME);
    let now = Instant::now();
    now.checked_add(lifetime).unwrap_or(now)
}

/// Who signed in, from the ID token's claims (shown in the header and by `whoami`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignedIn {
    pub tenant_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub name: Option<String>,
}

/// An access token in memory, the refresh token that renews it, and what it may do. `Debug`
/// shows neither token.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access: AccessToken,
    pub expires_at: Instant,
    /// Secret; goes to the keychain, nowhere else.
    pub refresh: Option<SecretString>,
    /// Granted Graph permissions, short names (`LicenseAssignment.ReadWrite.All`).
    pub scopes: Vec<String>,
    pub signed_in: SignedIn,
}

impl TokenSet {
    /// The answer as a token set; refused when its access token could not be sent to Graph
    /// (empty, or with characters a header cannot carry).
    pub(crate) fn from_answer(answer: TokenAnswer) -> Result<Self, AuthError> {
        let access = AccessToken::parse(answer.access_token.expose()).map_err(|e| {
            AuthError::Refused(format!(
                "the sign-in service sent no usable access token ({e})"
            ))
        })?;
        let scopes = answer
            .scope
            .unwrap_or_default()
            .split_whitespace()
            .map(|s| s.rsplit_once('/').map(|(_, n)| n).unwrap_or(s).to_string())
            .collect();
        Ok(Self {
            access,
            expires_at: expiry_after(answer.expires_in),
            refresh: answer.refresh_token.filter(|r| !r.expose().is_empty()),
            scopes,
            signed_in: answer
                .id_token
                .as_ref()
                .map(|t| claims(t.expose()))
                .unwrap_or_default(),
        })
    }
}

/// Reads the claims of an ID token for display. It came straight from the token endpoint
/// over TLS, so its signature is not needed to trust what it says about the sign-in.
fn claims(jwt: &str) -> SignedIn {
    let value = jwt_claims(jwt);
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    SignedIn {
        tenant_id: text("tid"),
        user_principal_name: text("preferred_username").or_else(|| text("upn")),
        name: text("name"),
    }
}

/// The claims part of a JWT as JSON (`Null` when it is not a JWT). For display only: the
/// token came straight from the sign-in service over TLS, so no signature check is needed.
pub(crate) fn jwt_claims(jwt: &str) -> serde_json::Value {
    jwt.split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|p| serde_json::from_slice(&p).ok())
        .unwrap_or_default()
}

/// POSTs a form to an identity-platform endpoint and reads the answer (at most
/// `MAX_SIGN_IN_BODY`). Network errors leave the URL out (it can carry a tenant name, never a
/// secret, but the words are for people). A redirect is refused, never followed: following a
/// 307/308 would send the form (a refresh token, a client secret) wherever it points.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(reqwest::StatusCode, bytes::Bytes), AuthError> {
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| AuthError::Network(crate::net::describe(e)))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(AuthError::Refused(format!(
            "the sign-in service answered with a redirect (HTTP {}), which LicenseDesk does not follow so that no secret is sent elsewhere; check the sign-in address",
            status.as_u16()
        )));
    }
    let body = crate::net::read_body(response, MAX_SIGN_IN_BODY)
        .await
        .map_err(|e| match e {
            crate::net::BodyError::TooLarge(m) => {
                AuthError::Refused(format!("the sign-in service's answer was refused: {m}"))
            }
            crate::net::BodyError::Network(m) => AuthError::Network(m),
        })?;
    Ok((status, body))
}

/// A successful token answer's body as a token set.
pub(crate) fn token_set(body: &[u8]) -> Result<TokenSet, AuthError> {
    let answer: TokenAnswer = serde_json::from_slice(body)
        .map_err(|e| AuthError::Refused(format!("unexpected answer: {e}")))?;
    TokenSet::from_answer(answer)
}

/// POSTs a form to the token endpoint and reads the answer.
pub(crate) async fn token_request(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<TokenSet, AuthError> {
    let (status, body) = post_form(http, url, form).await?;
    if status.is_success() {
        return token_set(&body);
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
        match e("invalid_request", "AADSTS90002: Tenant 'x' not found.") {
            AuthError::Rejected { advice, detail } => {
                assert!(advice.starts_with("The tenant was not found"), "{advice}");
                assert!(detail.contains("AADSTS90002"));
            }
            other => panic!("{other:?}"),
        }
        // A longer code is not mistaken for a shorter one it starts with.
        assert!(
            advice_for("AADSTS500113: No reply address").is_some_and(|a| a.contains("redirect"))
        );
        assert_eq!(advice_for("AADSTS500110: something else"), None);
        assert!(
            advice_for("AADSTS50011: The redirect URI").is_some_and(|a| a.contains("redirect"))
        );
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
            access_token: SecretString::new("a"),
            refresh_token: None,
            expires_in: Some(10),
            scope: Some("https://graph.microsoft.com/User.Read.All offline_access".into()),
            id_token: None,
        })
        .expect("token set");
        assert_eq!(t.scopes, ["User.Read.All", "offline_access"]);
    }

    #[test]
    fn huge_lifetimes_are_clamped_not_overflowed() {
        for body in [
            r#"{"access_token":"a","expires_in":18446744073709551615}"#,
            r#"{"access_token":"a","expires_in":"18446744073709551615"}"#,
            r#"{"access_token":"a","expires_in":1e300}"#,
            r#"{"access_token":"a","expires_in":-5}"#,
        ] {
            let t = token_set(body.as_bytes()).expect(body);
            assert!(
                t.expires_at <= Instant::now() + MAX_TOKEN_LIFETIME,
                "{body}"
            );
        }
    }

    #[test]
    fn an_answer_without_a_usable_access_token_is_refused() {
        for body in [
            r#"{"access_token":""}"#,
            r#"{"access_token":"line
break"}"#,
            r#"{"value":[]}"#,
        ] {
            assert!(
                matches!(token_set(body.as_bytes()), Err(AuthError::Refused(_))),
                "{body} accepted"
            );
        }
    }

    #[test]
    fn debug_shows_no_token() {
        let body = r#"{"access_token":"ACCESS-SECRET","refresh_token":"REFRESH-SECRET","id_token":"ID-SECRET","expires_in":60}"#;
        let answer: TokenAnswer = serde_json::from_str(body).expect("answer");
        let shown = format!("{answer:?}");
        let set = format!("{:?}", TokenSet::from_answer(answer).expect("set"));
        for text in [shown, set] {
            assert!(!text.contains("SECRET"), "{text}");
        }
    }
}
