//! App-only sign-in for automation: the organisation's confidential client proves itself with a
//! client secret or a certificate, through `azure_identity`'s ClientSecretCredential and
//! ClientCertificateCredential, and gets Graph tokens carrying the application permissions an
//! admin consented to. No person and no refresh token are involved.

use std::sync::{Arc, Mutex, PoisonError};

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, SecretBytes, TokenCredential};
use azure_core::http::{
    AsyncRawResponse, Body, ClientOptions, HttpClient, Request, StatusCode, Transport,
    headers::{HeaderName, HeaderValue, Headers},
};
use azure_identity::{
    ClientCertificateCredential, ClientCertificateCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions,
};

use super::{AuthError, Authority};
use crate::net::{UNTRUSTED_CERTIFICATE, chain_text, is_untrusted_certificate};
use crate::{AccessToken, GraphError, RefreshFuture, TokenSource};

/// How the confidential client proves who it is. Both are secrets: `Debug` shows neither.
#[derive(Clone)]
pub enum AppCredential {
    /// The client secret's value (not its id).
    Secret(String),
    /// A PKCS#12 (.pfx) bundle with the certificate registered on the app and its RSA key.
    Certificate {
        pkcs12: Vec<u8>,
        password: Option<String>,
    },
}

impl std::fmt::Debug for AppCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Secret(_) => "AppCredential::Secret(<redacted>)",
            Self::Certificate { .. } => "AppCredential::Certificate(<redacted>)",
        })
    }
}

/// What an app-only token says about itself (its claims), for `whoami` and the header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppIdentity {
    pub tenant_id: Option<String>,
    pub app_id: Option<String>,
    /// The application permissions granted (`roles`), short names.
    pub roles: Vec<String>,
}

/// A running app-only session: hands out the current token and gets a new one after a 401.
pub struct AppOnlySession {
    http: reqwest::Client,
    authority: Authority,
    client_id: String,
    credential: AppCredential,
    scope: String,
    current: Mutex<AccessToken>,
    identity: AppIdentity,
}

impl std::fmt::Debug for AppOnlySession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppOnlySession")
            .field("client_id", &self.client_id)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl AppOnlySession {
    /// Signs in as the app and checks the answer: a wrong secret, an unregistered certificate
    /// or an app unknown to the tenant fails here, with words that say what to fix.
    pub async fn start(
        http: reqwest::Client,
        authority: Authority,
        client_id: &str,
        graph_root: &str,
        credential: AppCredential,
    ) -> Result<Self, AuthError> {
        if !authority.host().starts_with("https://") {
            return Err(AuthError::Config(format!(
                "app-only sign-in needs an https sign-in address, and '{}' is not one (for the emulator, start it with `sim serve --tls`)",
                authority.host()
            )));
        }
        let scope = format!("{}/.default", graph_root.trim_end_matches('/'));
        let token = fetch(&http, &authority, client_id, &credential, &scope).await?;
        let identity = identity_of(&token);
        Ok(Self {
            http,
            authority,
            client_id: client_id.to_string(),
            credential,
            scope,
            current: Mutex::new(token),
            identity,
        })
    }

    pub fn identity(&self) -> &AppIdentity {
        &self.identity
    }
}

impl TokenSource for AppOnlySession {
    fn current(&self) -> AccessToken {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(async move {
            let token = fetch(
                &self.http,
                &self.authority,
                &self.client_id,
                &self.credential,
                &self.scope,
            )
            .await
            .map_err(|e| GraphError::TokenRefresh(e.to_string()))?;
            *self.current.lock().unwrap_or_else(PoisonError::into_inner) = token.clone();
            Ok(token)
        })
    }
}

/// One token from a credential made for this call. azure_identity caches tokens until five
/// minutes before they expire and cannot be told to skip its cache, so after Graph refused a
/// token (401) only a fresh credential really asks the token endpoint again.
async fn fetch(
    http: &reqwest::Client,
    authority: &Authority,
    client_id: &str,
    credential: &AppCredential,
    scope: &str,
) -> Result<AccessToken, AuthError> {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = authority.host().to_string();
    let client_options = ClientOptions {
        transport: Some(Transport::new(Arc::new(ReqwestTransport(http.clone())))),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        ..Default::default()
    };
    let tenant = authority.tenant();
    let made: Result<Arc<dyn TokenCredential>, azure_core::Error> = match credential {
        AppCredential::Secret(secret) => ClientSecretCredential::new(
            tenant,
            client_id.to_string(),
            Secret::new(secret.clone()),
            Some(ClientSecretCredentialOptions { client_options }),
        )
        .map(|c| c as Arc<dyn TokenCredential>),
        AppCredential::Certificate { pkcs12, password } => ClientCertificateCredential::new(
            tenant.to_string(),
            client_id.to_string(),
            SecretBytes::new(pkcs12.clone()),
            Some(ClientCertificateCredentialOptions {
                client_options,
                password: password.clone().map(Secret::new),
            }),
        )
        .map(|c| c as Arc<dyn TokenCredential>),
    };
    let credential_object = made.map_err(|e| explain(&e, credential))?;
    let token = credential_object
        .get_token(&[scope], None)
        .await
        .map_err(|e| explain(&e, credential))?;
    // azure_identity fills in defaults for what a broken answer lacks (`200 {"value":[]}`
    // gives an empty token): a token Graph could not take is a failed sign-in, not a success.
    AccessToken::parse(token.token.secret()).map_err(|e| {
        AuthError::Refused(format!(
            "the sign-in service answered without a usable access token ({e})"
        ))
    })
}

/// The identity platform's answer in words an admin can act on. The AADSTS code is in the
/// error's text (Entra puts it at the start of error_description).
fn explain(error: &azure_core::Error, credential: &AppCredential) -> AuthError {
    let text = chain_text(error);
    let has = |code: &str| text.contains(code);
    if is_untrusted_certificate(&text) {
        return AuthError::Network(UNTRUSTED_CERTIFICATE.into());
    }
    if let Some(advice) = super::advice_for(&text) {
        return AuthError::Rejected {
            advice: advice.to_string(),
            detail: entra_text(&text),
        };
    }
    match error.kind() {
        azure_core::error::ErrorKind::Connection | azure_core::error::ErrorKind::Io => {
            AuthError::Network(text)
        }
        azure_core::error::ErrorKind::Credential
            if matches!(credential, AppCredential::Certificate { .. })
                && (has("PKCS12") || has("private key") || has("RSA")) =>
        {
            AuthError::Config(format!(
                "cannot use the certificate file: it must be a .pfx/.p12 bundle with the certificate and its RSA private key, and the password must match ({text})"
            ))
        }
        _ => AuthError::Refused(text),
    }
}

/// Entra's own words out of azure_identity's longer message (from the AADSTS code on).
fn entra_text(text: &str) -> String {
    let from = text.find("AADSTS").unwrap_or(0);
    let rest = &text[from..];
    let end = rest.find("\nTo troubleshoot").unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

/// Reads an app-only access token's claims for display (Graph tokens are JWTs a client may
/// read).
fn identity_of(token: &AccessToken) -> AppIdentity {
    let claims = super::tokens::jwt_claims(token.secret());
    let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    AppIdentity {
        tenant_id: text("tid"),
        app_id: text("appid").or_else(|| text("azp")),
        roles: claims
            .get("roles")
            .and_then(|r| r.as_array())
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// azure_core's HTTP seam, over the same reqwest client (and trusted roots) as the rest of
/// LicenseDesk, so app-only sign-in honours `--ca-certificate` and the timeouts like Graph
/// calls do. Token requests are small forms: a body stream is never needed.
#[derive(Debug)]
struct ReqwestTransport(reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for ReqwestTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        use azure_core::error::{Error, ErrorKind};
        let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| Error::with_error(ErrorKind::Other, e, "unknown HTTP method"))?;
        let mut outgoing = self.0.request(method, request.url().as_str());
        for (name, value) in request.headers().iter() {
            outgoing = outgoing.header(name.as_str(), value.as_str());
        }
        let outgoing = match request.body() {
            Body::Bytes(bytes) => outgoing.body(bytes.to_vec()),
            #[allow(unreachable_patterns)]
            _ => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    "streamed request bodies are not used for sign-in",
                ));
            }
        };
        let response = outgoing.send().await.map_err(|e| {
            let e = e.without_url();
            // An untrusted certificate will not get better by retrying: say so at once.
            let kind = if is_untrusted_certificate(&chain_text(&e)) {
                ErrorKind::Other
            } else if e.is_connect() {
                ErrorKind::Connection
            } else {
                ErrorKind::Io
            };
            Error::with_error(kind, e, "the sign-in request failed")
        })?;
        if response.status().is_redirection() {
            // Never followed (the client has no redirect policy): it would carry the client
            // secret or the signed assertion to wherever it points.
            return Err(Error::with_message(
                ErrorKind::Other,
                format!(
                    "the sign-in service answered with a redirect (HTTP {}), which LicenseDesk does not follow so that no secret is sent elsewhere",
                    response.status().as_u16()
                ),
            ));
        }
        let status = StatusCode::from(response.status().as_u16());
        let headers: Headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                v.to_str().ok().map(|v| {
                    (
                        HeaderName::from(k.as_str().to_owned()),
                        HeaderValue::from(v.to_owned()),
                    )
                })
            })
            .collect::<std::collections::HashMap<_, _>>()
            .into();
        let body = crate::net::read_body(response, super::tokens::MAX_SIGN_IN_BODY)
            .await
            .map_err(|e| match e {
                crate::net::BodyError::TooLarge(m) => Error::with_message(ErrorKind::Other, m),
                crate::net::BodyError::Network(m) => Error::with_message(ErrorKind::Io, m),
            })?;
        Ok(AsyncRawResponse::from_bytes(
            status,
            headers,
            clamp_lifetimes(body),
        ))
    }
}

/// A token answer with its lifetimes (`expires_in`, `ext_expires_in`) clamped to a day.
/// azure_identity adds them to the clock unchecked, and a huge value from a broken or hostile
/// service panics there; it never sees one this way. Other bodies pass through unchanged.
fn clamp_lifetimes(body: bytes::Bytes) -> bytes::Bytes {
    let Ok(serde_json::Value::Object(mut answer)) = serde_json::from_slice(&body) else {
        return body;
    };
    let max = super::tokens::MAX_TOKEN_LIFETIME.as_secs();
    let mut changed = false;
    for key in ["expires_in", "ext_expires_in"] {
        let Some(value) = answer.get(key) else {
            continue;
        };
        let seconds = match value {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let safe = match seconds {
            Some(s) if s.is_finite() && (0.0..=max as f64).contains(&s) => continue,
            Some(s) if s.is_finite() && s < 0.0 => 0,
            _ => max,
        };
        answer.insert(key.to_string(), serde_json::json!(safe));
        changed = true;
    }
    match changed {
        true => serde_json::to_vec(&answer).map(Into::into).unwrap_or(body),
        false => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn huge_lifetimes_are_clamped_before_azure_identity_reads_them() {
        let read = |body: &str| -> serde_json::Value {
            serde_json::from_slice(&clamp_lifetimes(bytes::Bytes::from(body.to_string())))
                .expect("json")
        };
        let a = read(
            r#"{"access_token":"t","expires_in":1e300,"ext_expires_in":"99999999999999999999"}"#,
        );
        assert_eq!(a["expires_in"], 86400);
        assert_eq!(a["ext_expires_in"], 86400);
        assert_eq!(a["access_token"], "t");
        let b = read(r#"{"access_token":"t","expires_in":3599}"#);
        assert_eq!(b["expires_in"], 3599);
        assert_eq!(read(r#"{"expires_in":-3}"#)["expires_in"], 0);
        assert_eq!(
            clamp_lifetimes(bytes::Bytes::from_static(b"not json")),
            bytes::Bytes::from_static(b"not json")
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = AppCredential::Secret("s3cr3t-value".into());
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn reads_tenant_app_and_roles_from_the_token() {
        let claims = URL_SAFE_NO_PAD.encode(
            r#"{"tid":"t-1","appid":"a-2","roles":["User.Read.All","Organization.Read.All"]}"#,
        );
        let id = identity_of(&AccessToken::new(format!("h.{claims}.s")));
        assert_eq!(id.tenant_id.as_deref(), Some("t-1"));
        assert_eq!(id.app_id.as_deref(), Some("a-2"));
        assert_eq!(id.roles, ["User.Read.All", "Organization.Read.All"]);
        assert_eq!(
            identity_of(&AccessToken::new("opaque")),
            AppIdentity::default()
        );
    }
}
