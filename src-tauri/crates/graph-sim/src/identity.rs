//! Past 600 lines: the four sign-in flows share one store of codes, tokens and device codes,
//! and keeping them beside it keeps every rule about a token in one place.
//!
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
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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
    "GroupMember.Read.All",
    "AuditLog.Read.All",
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
    /// The application permissions an admin consented to for that client (its `roles`).
    pub application_permissions: Vec<String>,
    /// How long the token endpoint takes to answer (Entra: a few hundred ms; more on a slow
    /// network), to test what a client does while it waits.
    pub token_latency_ms: u64,
}

impl Default for IdentitySpec {
    fn default() -> Self {
        Self {
            access_token_lifetime_secs: 3_599,
            device_code_interval_secs: 5,
            device_code_lifetime_secs: 900,
            confidential_client_id: "5f1d7c1e-7d3b-4b52-9a56-2c7b1a0e4f11".into(),
            client_secret: "sim-secret-0123456789".into(),
            application_permissions: vec![
                "LicenseAssignment.ReadWrite.All".into(),
                "Organization.Read.All".into(),
                "User.Read.All".into(),
                "GroupMember.Read.All".into(),
                "AuditLog.Read.All".into(),
            ],
            token_latency_ms: 0,
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
    /// `https://127.0.0.1:PORT` (or http): the token endpoint assertions must name as `aud`.
    base_url: String,
    domain: String,
    app_object_id: String,
    app_certificates: Vec<AppCertificate>,
}

/// An OAuth error answer: `{"error", "error_description", "error_codes"}` with status 400.
pub struct OAuthError {
    error: &'static str,
    code: u32,
    description: String,
    status: StatusCode,
}

impl OAuthError {
    fn new(error: &'static str, code: u32, description: impl Into<String>) -> Self {
        Self {
            error,
            code,
            description: description.into(),
            status: StatusCode::BAD_REQUEST,
        }
    }

    fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// A confidential client that failed to prove who it is: Entra answers 401 invalid_client.
fn invalid_client(code: u32, description: &str) -> OAuthError {
    OAuthError::new("invalid_client", code, description).with_status(StatusCode::UNAUTHORIZED)
}

/// Entra's answer for a tenant it does not know (wrong domain or ID, or the wrong cloud).
fn tenant_not_found(tenant: &str) -> OAuthError {
    OAuthError::new(
        "invalid_request",
        90002,
        format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A certificate registered on the confidential client (its public part only, as in Entra).
struct AppCertificate {
    /// SHA-1 of the DER, which clients name in the assertion's `x5t`.
    thumbprint: Vec<u8>,
    /// SHA-256 of the DER, for clients that name it in `x5t#S256` instead (Entra takes both).
    thumbprint_s256: Vec<u8>,
    public_key: openssl::pkey::PKey<openssl::pkey::Public>,
}

impl AppCertificate {
    fn new(der: &[u8]) -> Result<Self, String> {
        let cert = openssl::x509::X509::from_der(der).map_err(|e| e.to_string())?;
        Ok(Self {
            thumbprint: openssl::sha::sha1(der).to_vec(),
            thumbprint_s256: openssl::sha::sha256(der).to_vec(),
            public_key: cert.public_key().map_err(|e| e.to_string())?,
        })
    }

    fn thumbprint_named(&self, s256: bool) -> &[u8] {
        if s256 {
            &self.thumbprint_s256
        } else {
            &self.thumbprint
        }
    }

    fn verifies(&self, signed: &[u8], signature: &[u8]) -> bool {
        openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &self.public_key)
            .and_then(|mut v| {
                v.update(signed)?;
                v.verify(signature)
            })
            .unwrap_or(false)
    }
}

/// An RSA-2048 key and a self-signed certificate for it, valid for a year: the certificate's
/// DER (to register) and the PKCS#12 bundle with the key (for the client).
fn make_app_certificate(password: &str) -> Result<(Vec<u8>, Vec<u8>), openssl::error::ErrorStack> {
    use openssl::{
        asn1::Asn1Time, bn::BigNum, hash::MessageDigest, pkcs12::Pkcs12, pkey::PKey, rsa::Rsa, x509,
    };
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let mut name = x509::X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "LicenseDesk automation (graph-sim)")?;
    let name = name.build();
    let mut builder = x509::X509::builder()?;
    builder.set_version(2)?;
    let serial = BigNum::from_u32(rand_serial())?.to_asn1_integer()?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(&key)?;
    builder.set_not_before(Asn1Time::days_from_now(0)?.as_ref())?;
    builder.set_not_after(Asn1Time::days_from_now(365)?.as_ref())?;
    builder.sign(&key, MessageDigest::sha256())?;
    let cert = builder.build();
    let pkcs12 = Pkcs12::builder()
        .name("LicenseDesk automation")
        .pkey(&key)
        .cert(&cert)
        .build2(password)?;
    Ok((cert.to_der()?, pkcs12.to_der()?))
}

fn rand_serial() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(1);
    nanos | 1
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": format!("AADSTS{}: {}", self.code, self.description),
            "error_codes": [self.code],
            "timestamp": crate::wire::now_iso8601(),
        });
        (self.status, axum::Json(body)).into_response()
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
    pub fn new(
        spec: IdentitySpec,
        tenant_id: &str,
        domain: &str,
        seed: u64,
        base_url: &str,
    ) -> Self {
        let mut rng = Rng::new(seed ^ 0x1d);
        Self {
            signed_in: Principal {
                user_principal_name: Some(format!("megan.bowen@{domain}")),
                object_id: rng.guid(),
                client_id: String::new(),
            },
            app_object_id: rng.guid(),
            base_url: base_url.to_string(),
            domain: domain.to_string(),
            app_certificates: Vec::new(),
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

    /// Entra finds a tenant by its ID or any of its verified domains; ours has one.
    fn tenant_matches(&self, tenant: &str) -> bool {
        ["common", "organizations"].contains(&tenant)
            || tenant.eq_ignore_ascii_case(&self.tenant_id)
            || tenant.eq_ignore_ascii_case(&self.domain)
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
    pub fn device_code(&mut self, tenant: &str, form: &HashMap<String, String>) -> Response {
        if !self.tenant_matches(tenant) {
            return tenant_not_found(tenant).into_response();
        }
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
        let verification_uri = format!("{}/devicelogin", self.base_url);
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
            return tenant_not_found(tenant).into_response();
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
            "client_credentials" => self.client_credentials(tenant, &client_id, form),
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

    /// The client-credentials grant for the confidential client, proved by its secret or by an
    /// assertion signed with a registered certificate's key.
    fn client_credentials(
        &mut self,
        tenant: &str,
        client_id: &str,
        form: &HashMap<String, String>,
    ) -> Response {
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        if client_id != self.spec.confidential_client_id {
            return OAuthError::new("unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", self.tenant_id)).into_response();
        }
        let proof = if !get("client_assertion").is_empty() {
            if get("client_assertion_type") != JWT_BEARER {
                return OAuthError::new("invalid_request", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.").into_response();
            }
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", self.base_url);
            self.check_assertion(get("client_assertion"), client_id, &audience)
        } else if !get("client_secret").is_empty() {
            if get("client_secret") == self.spec.client_secret {
                Ok(())
            } else {
                Err(invalid_client(
                    7000215,
                    &format!(
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                    ),
                ))
            }
        } else {
            Err(invalid_client(
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ))
        };
        if let Err(refused) = proof {
            return refused.into_response();
        }
        if !get("scope").ends_with("/.default") {
            return OAuthError::new("invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).").into_response();
        }
        let principal = Principal {
            user_principal_name: None,
            object_id: self.app_object_id.clone(),
            client_id: client_id.to_string(),
        };
        // An app gets the application permissions admin consent gave it, whatever it asks.
        let roles = self.spec.application_permissions.clone();
        self.issue(principal, roles, false)
    }

    /// Checks a client assertion (RFC 7523) the way Entra does: a registered certificate by
    /// its thumbprint, an RS256 signature by that certificate's key, iss = sub = the client,
    /// aud = this token endpoint, and the time window.
    fn check_assertion(
        &self,
        assertion: &str,
        client_id: &str,
        audience: &str,
    ) -> Result<(), OAuthError> {
        let malformed = || invalid_client(50027, "JWT token is invalid or malformed.");
        let parts: Vec<&str> = assertion.split('.').collect();
        let [header_b64, claims_b64, signature_b64] = parts[..] else {
            return Err(malformed());
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('='));
        let json_part = |part: &str| {
            decode(part)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .ok_or_else(malformed)
        };
        let header = json_part(header_b64)?;
        let claims = json_part(claims_b64)?;
        let signature = decode(signature_b64).map_err(|_| malformed())?;
        if header["alg"] != "RS256" {
            return Err(invalid_client(
                5002738,
                "Invalid JWT token. 'alg' must be RS256 for a client assertion.",
            ));
        }
        // The certificate is named by its SHA-256 (`x5t#S256`, preferred when both are sent) or
        // SHA-1 (`x5t`) thumbprint. Entra documents base64url; some libraries send standard
        // base64. Accept both.
        let s256 = header.get("x5t#S256").is_some();
        let thumbprint = header[if s256 { "x5t#S256" } else { "x5t" }]
            .as_str()
            .and_then(|t| {
                URL_SAFE_NO_PAD
                    .decode(t.trim_end_matches('='))
                    .or_else(|_| STANDARD.decode(t))
                    .ok()
            })
            .ok_or_else(malformed)?;
        let Some(certificate) = self
            .app_certificates
            .iter()
            .find(|c| c.thumbprint_named(s256) == thumbprint)
        else {
            return Err(invalid_client(
                700027,
                &format!(
                    "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{}']",
                    hex(&thumbprint)
                ),
            ));
        };
        let signed = format!("{header_b64}.{claims_b64}");
        if !certificate.verifies(signed.as_bytes(), &signature) {
            return Err(invalid_client(
                700027,
                "Client assertion failed signature validation.",
            ));
        }
        if claims["iss"] != client_id || claims["sub"] != client_id {
            return Err(invalid_client(
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
            ));
        }
        if claims["aud"] != audience {
            return Err(invalid_client(
                700212,
                &format!(
                    "The audience of the client assertion must be the token endpoint '{audience}'."
                ),
            ));
        }
        let now = crate::wire::unix_now() as i64;
        let nbf = claims["nbf"].as_i64().unwrap_or(0);
        let exp = claims["exp"].as_i64().ok_or_else(malformed)?;
        // Entra allows five minutes of clock skew.
        if nbf > now + 300 || exp < now - 300 {
            return Err(invalid_client(
                700024,
                "Client assertion is not within its valid time range.",
            ));
        }
        Ok(())
    }

    /// Makes a certificate for the confidential client the way an admin would (a key pair and
    /// a self-signed certificate), registers its public part, and returns the PKCS#12 bundle
    /// the automation keeps, protected by `password`.
    pub fn new_app_certificate(&mut self, password: &str) -> Result<Vec<u8>, String> {
        let (der, pkcs12) = make_app_certificate(password).map_err(|e| e.to_string())?;
        self.app_certificates.push(AppCertificate::new(&der)?);
        Ok(pkcs12)
    }

    fn issue(&mut self, principal: Principal, scopes: Vec<String>, with_refresh: bool) -> Response {
        let access_token = self.access_token(&principal, &scopes);
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
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
        });
        // An app has no person to describe and no scopes (its permissions are in the token's
        // roles claim), as in Entra's client-credentials answer.
        if principal.user_principal_name.is_some() {
            body["scope"] = json!(
                graph_scopes
                    .iter()
                    .map(|s| format!("https://graph.microsoft.com/{s}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            body["id_token"] = json!(self.id_token(&principal));
        }
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

    /// Graph's access tokens are JWTs a client may read (tid, oid, appid, scp or roles) but
    /// never has to validate. Ours carry the same claims; the last part is a random secret,
    /// not a signature, so a token cannot be forged from its claims.
    fn access_token(&mut self, principal: &Principal, scopes: &[String]) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"RS256","kid":"graph-sim"}"#);
        let graph: Vec<&str> = scopes
            .iter()
            .map(String::as_str)
            .filter(|s| GRAPH_PERMISSIONS.contains(s))
            .collect();
        let now = crate::wire::unix_now();
        let mut claims = json!({
            "aud": "https://graph.microsoft.com",
            "iss": format!("https://sts.windows.net/{}/", self.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + self.spec.access_token_lifetime_secs,
            "tid": self.tenant_id,
            "oid": principal.object_id,
            "appid": principal.client_id,
        });
        match &principal.user_principal_name {
            Some(upn) => {
                claims["upn"] = json!(upn);
                claims["scp"] = json!(graph.join(" "));
                claims["idtyp"] = json!("user");
            }
            None => {
                claims["roles"] = json!(graph);
                claims["idtyp"] = json!("app");
            }
        }
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let secret = URL_SAFE_NO_PAD.encode(self.secret(4));
        format!("{header}.{claims}.{secret}")
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
