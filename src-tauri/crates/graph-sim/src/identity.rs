//! The Microsoft identity platform's v2.0 endpoints, enough for LicenseDesk's sign-in flows
//! (shared/reference/graph-licensing.md §9): authorization code with PKCE through a loopback
//! redirect, refresh tokens that rotate, client credentials with a secret, and the device code
//! flow with every polling answer. Tokens it issues carry scopes and expire; the Graph side
//! checks both.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::rng::Rng;

/// The Graph permissions an app registration can be granted in the emulator (`.default`
/// grants them all, as admin consent to all of them would).
pub const GRAPH_PERMISSIONS: &[&str] = &[
    "LicenseAssignment.ReadWrite.All",
    "LicenseAssignment.Read.All",
    "Organization.Read.All",
    "User.Read.All",
    "User.ReadWrite.All",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct IdentitySpec {
    /// Seconds an access token lives.
    pub access_token_lifetime_secs: u64,
    /// Seconds between device-code polls the client must keep.
    pub device_code_interval_secs: u64,
    /// Seconds a device code lives (Entra: 900).
    pub device_code_lifetime_secs: u64,
    /// The confidential client LicenseDesk's app-only mode signs in as, and its secret.
    pub confidential_client_id: String,
    pub client_secret: String,
}

impl Default for IdentitySpec {
    fn default() -> Self {
        Self {
            access_token_lifetime_secs: 3_599,
            device_code_interval_secs: 5,
            device_code_lifetime_secs: 900,
            confidential_client_id: "5f1d7c1e-7d3b-4b52-9a56-2c7b1a0e4f11".into(),
            client_secret: "sim-secret-0123456789".into(),
        }
    }
}

/// Who is signed in with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The signed-in person's user principal name, or `None` for an app (client credentials).
    pub user_principal_name: Option<String>,
    pub object_id: String,
    pub client_id: String,
}

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub scopes: Vec<String>,
    pub expires: Instant,
    pub principal: Principal,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
    expires: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeviceState {
    Pending,
    Approved,
    Declined,
    Redeemed,
}

struct DeviceCode {
    client_id: String,
    user_code: String,
    scopes: Vec<String>,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    state: DeviceState,
}

struct Refresh {
    client_id: String,
    scopes: Vec<String>,
    principal: Principal,
}

/// The identity side of the emulator.
pub struct Identity {
    spec: IdentitySpec,
    tenant_id: String,
    signed_in: Principal,
    rng: Rng,
    codes: HashMap<String, PendingCode>,
    devices: HashMap<String, DeviceCode>,
    refresh_tokens: HashMap<String, Refresh>,
    pub tokens: HashMap<String, IssuedToken>,
}

/// An OAuth error answer: `{"error", "error_description", "error_codes"}` with status 400.
pub struct OAuthError {
    error: &'static str,
    code: u32,
    description: String,
}

impl OAuthError {
    fn new(error: &'static str, code: u32, description: impl Into<String>) -> Self {
        Self {
            error,
            code,
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": format!("AADSTS{}: {}", self.code, self.description),
            "error_codes": [self.code],
            "timestamp": crate::wire::now_iso8601(),
        });
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    }
}

fn scopes_of(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split_whitespace() {
        let short = s
            .rsplit_once('/')
            .map(|(_, name)| name)
            .unwrap_or(s)
            .to_string();
        if short == ".default" {
            out.extend(GRAPH_PERMISSIONS.iter().map(|p| p.to_string()));
        } else if GRAPH_PERMISSIONS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&short))
            || ["offline_access", "openid", "profile", "email"].contains(&short.as_str())
        {
            out.push(short);
        }
    }
    out.dedup();
    out
}

fn is_loopback_redirect(uri: &str) -> bool {
    // RFC 8252: http on loopback, any port; Entra ignores the port when matching.
    ["http://localhost", "http://127.0.0.1"].iter().any(|p| {
        uri.starts_with(p) && matches!(uri.as_bytes().get(p.len()), None | Some(b':') | Some(b'/'))
    })
}

impl Identity {
    pub fn new(spec: IdentitySpec, tenant_id: &str, domain: &str, seed: u64) -> Self {
        let mut rng = Rng::new(seed ^ 0x1d);
        Self {
            signed_in: Principal {
                user_principal_name: Some(format!("megan.bowen@{domain}")),
                object_id: rng.guid(),
                client_id: String::new(),
            },
            spec,
            tenant_id: tenant_id.to_string(),
            rng,
            codes: HashMap::new(),
            devices: HashMap::new(),
            refresh_tokens: HashMap::new(),
            tokens: HashMap::new(),
        }
    }

    fn secret(&mut self, len_words: usize) -> String {
        (0..len_words)
            .map(|_| format!("{:016x}", self.rng.next_u64()))
            .collect()
    }

    fn tenant_matches(&self, tenant: &str) -> bool {
        ["common", "organizations"].contains(&tenant)
            || tenant.eq_ignore_ascii_case(&self.tenant_id)
            || tenant.contains('.')
    }

    /// `GET /{tenant}/oauth2/v2.0/authorize`: signs the test user in at once and redirects
    /// back with a code and the state, as the real page does after the person signs in.
    pub fn authorize(&mut self, tenant: &str, q: &HashMap<String, String>) -> Response {
        let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
        let redirect_uri = get("redirect_uri");
        if !is_loopback_redirect(redirect_uri) {
            // Entra shows an error page rather than redirecting to an unregistered address.
            return (StatusCode::BAD_REQUEST, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.").into_response();
        }
        let fail = |error: &str, text: &str| {
            let sep = if redirect_uri.contains('?') { '&' } else { '?' };
            let location = format!(
                "{redirect_uri}{sep}error={error}&error_description={}&state={}",
                encode(text),
                encode(get("state"))
            );
            redirect(&location)
        };
        if !self.tenant_matches(tenant) {
            return fail("invalid_request", "AADSTS90002: Tenant not found.");
        }
        if get("response_type") != "code" {
            return fail(
                "unsupported_response_type",
                "AADSTS700054: response_type 'code' is required.",
            );
        }
        if get("client_id").is_empty() {
            return fail(
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
            );
        }
        if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
            return fail(
                "invalid_request",
                "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
            );
        }
        let code = self.secret(3);
        self.codes.insert(
            code.clone(),
            PendingCode {
                client_id: get("client_id").to_string(),
                redirect_uri: redirect_uri.to_string(),
                challenge: get("code_challenge").to_string(),
                scopes: scopes_of(get("scope")),
                expires: Instant::now() + Duration::from_secs(600),
            },
        );
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        redirect(&format!(
            "{redirect_uri}{sep}code={code}&state={}",
            encode(get("state"))
        ))
    }

    /// `POST /{tenant}/oauth2/v2.0/devicecode`.
    pub fn device_code(&mut self, form: &HashMap<String, String>, base_url: &str) -> Response {
        let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
            return OAuthError::new(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
            .into_response();
        };
        let device_code = self.secret(4);
        let user_code: String = (0..9)
            .map(|_| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[self.rng.below(32)] as char)
            .collect();
        let interval = self.spec.device_code_interval_secs;
        self.devices.insert(
            device_code.clone(),
            DeviceCode {
                client_id: client_id.clone(),
                user_code: user_code.clone(),
                scopes: scopes_of(form.get("scope").map(String::as_str).unwrap_or("")),
                expires: Instant::now() + Duration::from_secs(self.spec.device_code_lifetime_secs),
                interval: Duration::from_secs(interval),
                last_poll: None,
                state: DeviceState::Pending,
            },
        );
        let verification_uri = format!("{base_url}/devicelogin");
        axum::Json(json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": verification_uri,
            "expires_in": self.spec.device_code_lifetime_secs,
            "interval": interval,
            "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
        }))
        .into_response()
    }

    /// The person at the verification page approves (or declines) the code.
    pub fn decide_device_code(&mut self, user_code: &str, approve: bool) -> bool {
        match self.devices.values_mut().find(|d| {
            d.user_code.eq_ignore_ascii_case(user_code) && d.state == DeviceState::Pending
        }) {
            Some(d) => {
                d.state = if approve {
                    DeviceState::Approved
                } else {
                    DeviceState::Declined
                };
                true
            }
            None => false,
        }
    }

    /// `POST /{tenant}/oauth2/v2.0/token` for every grant LicenseDesk uses.
    pub fn token(&mut self, tenant: &str, form: &HashMap<String, String>) -> Response {
        if !self.tenant_matches(tenant) {
            return OAuthError::new("invalid_request", 90002, "Tenant not found.").into_response();
        }
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let client_id = get("client_id").to_string();
        if client_id.is_empty() {
            return OAuthError::new(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
            .into_response();
        }
        match get("grant_type") {
            "authorization_code" => {
                let Some(pending) = self.codes.remove(get("code")) else {
                    return OAuthError::new("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.").into_response();
                };
                if pending.expires < Instant::now() || pending.client_id != client_id {
                    return OAuthError::new("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.").into_response();
                }
                if pending.redirect_uri != get("redirect_uri") {
                    return OAuthError::new("invalid_grant", 50011, "The redirect URI does not match the one used in the authorization request.").into_response();
                }
                let digest =
                    URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
                if digest != pending.challenge {
                    return OAuthError::new("invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.").into_response();
                }
                let principal = Principal {
                    client_id: client_id.clone(),
                    ..self.signed_in.clone()
                };
                self.issue(principal, pending.scopes, true)
            }
            "refresh_token" => {
                let Some(refresh) = self.refresh_tokens.remove(get("refresh_token")) else {
                    return OAuthError::new("invalid_grant", 70000, "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.").into_response();
                };
                if refresh.client_id != client_id {
                    return OAuthError::new(
                        "invalid_grant",
                        70000,
                        "The refresh token was issued to a different client.",
                    )
                    .into_response();
                }
                // Rotation: the old refresh token is gone; the answer carries a new one.
                self.issue(refresh.principal, refresh.scopes, true)
            }
            "client_credentials" => {
                if client_id != self.spec.confidential_client_id {
                    return OAuthError::new("unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory.")).into_response();
                }
                if get("client_secret") != self.spec.client_secret {
                    return (StatusCode::UNAUTHORIZED, axum::Json(json!({
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
                        "error_codes": [7000215],
                    }))).into_response();
                }
                let scopes = scopes_of(get("scope"));
                if !get("scope").ends_with("/.default") {
                    return OAuthError::new("invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.").into_response();
                }
                let principal = Principal {
                    user_principal_name: None,
                    object_id: client_id.clone(),
                    client_id,
                };
                self.issue(principal, scopes, false)
            }
            "urn:ietf:params:oauth:grant-type:device_code" => {
                let now = Instant::now();
                let Some(d) = self.devices.get_mut(get("device_code")) else {
                    return OAuthError::new(
                        "bad_verification_code",
                        70019,
                        "Verification code expired or is not valid.",
                    )
                    .into_response();
                };
                if d.client_id != client_id {
                    return OAuthError::new(
                        "bad_verification_code",
                        70019,
                        "Verification code is not valid for this client.",
                    )
                    .into_response();
                }
                if d.expires < now {
                    return OAuthError::new(
                        "expired_token",
                        70020,
                        "The provided device code has expired.",
                    )
                    .into_response();
                }
                let too_soon = d
                    .last_poll
                    .is_some_and(|t| now.duration_since(t) < d.interval);
                d.last_poll = Some(now);
                match d.state {
                    DeviceState::Declined => OAuthError::new(
                        "authorization_declined",
                        70017,
                        "The user declined the sign-in.",
                    )
                    .into_response(),
                    DeviceState::Redeemed => OAuthError::new(
                        "bad_verification_code",
                        70019,
                        "Verification code was already used.",
                    )
                    .into_response(),
                    // RFC 8628: polling faster than the interval gets slow_down (+5 s).
                    DeviceState::Pending if too_soon => {
                        d.interval += Duration::from_secs(5);
                        OAuthError::new(
                            "slow_down",
                            70016,
                            "The client is polling too fast; wait 5 seconds more between requests.",
                        )
                        .into_response()
                    }
                    DeviceState::Pending => OAuthError::new(
                        "authorization_pending",
                        70016,
                        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    )
                    .into_response(),
                    DeviceState::Approved => {
                        d.state = DeviceState::Redeemed;
                        let scopes = d.scopes.clone();
                        let principal = Principal {
                            client_id,
                            ..self.signed_in.clone()
                        };
                        self.issue(principal, scopes, true)
                    }
                }
            }
            other => OAuthError::new(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            )
            .into_response(),
        }
    }

    fn issue(&mut self, principal: Principal, scopes: Vec<String>, with_refresh: bool) -> Response {
        let access_token = format!("sim.{}", self.secret(4));
        let graph_scopes: Vec<String> = scopes
            .iter()
            .filter(|s| GRAPH_PERMISSIONS.contains(&s.as_str()))
            .cloned()
            .collect();
        let lifetime = self.spec.access_token_lifetime_secs;
        self.tokens.insert(
            access_token.clone(),
            IssuedToken {
                scopes: graph_scopes.clone(),
                expires: Instant::now() + Duration::from_secs(lifetime),
                principal: principal.clone(),
            },
        );
        let mut body = json!({
            "token_type": "Bearer",
            "scope": graph_scopes.iter().map(|s| format!("https://graph.microsoft.com/{s}")).collect::<Vec<_>>().join(" "),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
            "id_token": self.id_token(&principal),
        });
        if with_refresh && scopes.iter().any(|s| s == "offline_access") {
            let refresh = format!("rt.{}", self.secret(4));
            self.refresh_tokens.insert(
                refresh.clone(),
                Refresh {
                    client_id: principal.client_id.clone(),
                    scopes,
                    principal,
                },
            );
            body["refresh_token"] = json!(refresh);
        }
        let mut response = axum::Json(body).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    /// An unsigned JWT with the claims a client shows (tid, oid, preferred_username, name).
    fn id_token(&self, principal: &Principal) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = json!({
            "aud": principal.client_id,
            "iss": format!("https://login.microsoftonline.com/{}/v2.0", self.tenant_id),
            "tid": self.tenant_id,
            "oid": principal.object_id,
            "preferred_username": principal.user_principal_name,
            "name": if principal.user_principal_name.is_some() { "Megan Bowen" } else { "LicenseDesk automation" },
        });
        format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    /// Tokens currently valid for `user_code`'s device flow (for tests that approve).
    pub fn pending_user_codes(&self) -> Vec<String> {
        self.devices
            .values()
            .filter(|d| d.state == DeviceState::Pending)
            .map(|d| d.user_code.clone())
            .collect()
    }
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_short_names_and_default_means_all() {
        assert_eq!(
            scopes_of("offline_access https://graph.microsoft.com/User.Read.All nonsense"),
            ["offline_access", "User.Read.All"]
        );
        assert_eq!(
            scopes_of("https://graph.microsoft.com/.default").len(),
            GRAPH_PERMISSIONS.len()
        );
    }

    #[test]
    fn only_loopback_redirects() {
        assert!(is_loopback_redirect("http://127.0.0.1:49152/"));
        assert!(is_loopback_redirect("http://localhost"));
        assert!(!is_loopback_redirect("http://localhost.evil.example/"));
        assert!(!is_loopback_redirect("https://evil.example/"));
    }
}
