//! The emulator's identity platform (shared/reference/graph-licensing.md §9), over raw HTTP.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graph_sim::{IdentitySpec, RunningSim, Scenario};
use openssl::hash::MessageDigest;
use serde_json::Value;
use sha2::{Digest, Sha256};

const CLIENT: &str = "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9";
const SCOPES: &str = "offline_access https://graph.microsoft.com/LicenseAssignment.ReadWrite.All https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/Organization.Read.All";
const REDIRECT: &str = "http://127.0.0.1:49321/";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn sim_with(identity: IdentitySpec) -> RunningSim {
    let mut scenario = Scenario::demo();
    scenario.identity = identity;
    RunningSim::start(&scenario).await.expect("starts")
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Follows the authorize URL as a browser would and returns the redirect's query.
async fn authorize(
    sim: &RunningSim,
    verifier: &str,
    state: &str,
    redirect: &str,
) -> HashMap<String, String> {
    let url = reqwest::Url::parse_with_params(
        &format!(
            "{}/organizations/oauth2/v2.0/authorize",
            sim.authority_host()
        ),
        &[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", SCOPES),
            ("state", state),
            ("code_challenge", &challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("url");
    let resp = no_redirects().get(url).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(location.starts_with(redirect), "{location}");
    reqwest::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect()
}

async fn token(sim: &RunningSim, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/organizations/oauth2/v2.0/token",
            sim.authority_host()
        ))
        .form(form)
        .send()
        .await
        .expect("answer");
    (resp.status().as_u16(), resp.json().await.expect("json"))
}

/// The client-credentials grant for the emulator's confidential client with `secret`.
async fn client_secret_grant(
    sim: &RunningSim,
    spec: &IdentitySpec,
    secret: &str,
    scope: &str,
) -> (u16, Value) {
    token(
        sim,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &spec.confidential_client_id),
            ("client_secret", secret),
            ("scope", scope),
        ],
    )
    .await
}

async fn graph_status(sim: &RunningSim, token: &str, method: reqwest::Method, path: &str) -> u16 {
    let mut req = reqwest::Client::new()
        .request(method.clone(), format!("{}{path}", sim.graph_endpoint()))
        .bearer_auth(token);
    if method == reqwest::Method::POST {
        req = req.json(&serde_json::json!({"addLicenses": [], "removeLicenses": []}));
    }
    req.send().await.expect("answer").status().as_u16()
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let sim = sim_with(IdentitySpec::default()).await;
    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
    let q = authorize(&sim, verifier, "state-123", REDIRECT).await;
    assert_eq!(q["state"], "state-123");
    let code = q["code"].clone();

    // A wrong verifier is refused, and the code is spent.
    let (status, body) = token(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("AADSTS50148:"))
    );

    let q = authorize(&sim, verifier, "s2", REDIRECT).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT),
        ("code", q["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ];
    let (status, body) = token(&sim, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
    let scope = body["scope"].as_str().expect("scope");
    assert!(
        scope.contains("LicenseAssignment.ReadWrite.All") && !scope.contains("User.ReadWrite.All")
    );
    let access = body["access_token"].as_str().expect("token");
    assert_eq!(
        graph_status(&sim, access, reqwest::Method::GET, "/v1.0/subscribedSkus").await,
        200
    );
    // No User.ReadWrite.All: setting a usage location is not allowed.
    let patch = reqwest::Client::new()
        .patch(format!(
            "{}/v1.0/users/{}",
            sim.graph_endpoint(),
            sim.tenant().users[0].id
        ))
        .bearer_auth(access)
        .json(&serde_json::json!({"usageLocation": "NL"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(patch.status().as_u16(), 403);
    // Who signed in.
    let me: Value = reqwest::Client::new()
        .get(format!("{}/v1.0/me", sim.graph_endpoint()))
        .bearer_auth(access)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert!(
        me["userPrincipalName"]
            .as_str()
            .is_some_and(|u| u.starts_with("megan.bowen@"))
    );
    // A code works once.
    let (status, body) = token(&sim, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_redirect_must_be_loopback_and_pkce_is_required() {
    let sim = sim_with(IdentitySpec::default()).await;
    let url = format!(
        "{}/organizations/oauth2/v2.0/authorize?client_id={CLIENT}&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=openid&state=x&code_challenge=abc&code_challenge_method=S256",
        sim.authority_host()
    );
    let resp = no_redirects().get(url).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 400);
    assert!(
        resp.headers().get("location").is_none(),
        "never redirects elsewhere"
    );
    let url = format!(
        "{}/organizations/oauth2/v2.0/authorize?client_id={CLIENT}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2F&scope=openid&state=x",
        sim.authority_host()
    );
    let resp = no_redirects().get(url).send().await.expect("answer");
    let location = resp.headers()["location"].to_str().expect("ascii");
    assert!(
        location.contains("error=invalid_request") && location.contains("state=x"),
        "{location}"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let sim = sim_with(IdentitySpec::default()).await;
    let verifier = "another-verifier-that-is-long-enough-0123456789abc";
    let q = authorize(&sim, verifier, "s", REDIRECT).await;
    let (_, body) = token(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", &q["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await;
    let first = body["refresh_token"].as_str().expect("rt").to_string();
    let (status, body) = token(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", &first),
            ("scope", SCOPES),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let second = body["refresh_token"].as_str().expect("rotated").to_string();
    assert_ne!(first, second);
    let (status, body) = token(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", &first),
            ("scope", SCOPES),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "the old one is gone"
    );
    let (status, _) = token(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", &second),
            ("scope", SCOPES),
        ],
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn device_code_every_answer() {
    let sim = sim_with(IdentitySpec {
        device_code_interval_secs: 1,
        ..IdentitySpec::default()
    })
    .await;
    let start = || async {
        let resp = reqwest::Client::new()
            .post(format!(
                "{}/organizations/oauth2/v2.0/devicecode",
                sim.authority_host()
            ))
            .form(&[("client_id", CLIENT), ("scope", SCOPES)])
            .send()
            .await
            .expect("answer");
        resp.json::<Value>().await.expect("json")
    };
    let dc = start().await;
    assert_eq!(dc["interval"], 1);
    assert_eq!(dc["expires_in"], 900);
    assert!(
        dc["verification_uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/devicelogin"))
    );
    assert!(dc.get("verification_uri_complete").is_none());
    let device = dc["device_code"].as_str().expect("device_code").to_string();
    let user_code = dc["user_code"].as_str().expect("user_code").to_string();
    let poll = |code: String| {
        let sim = &sim;
        async move {
            token(
                sim,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("client_id", CLIENT),
                    ("device_code", &code),
                ],
            )
            .await
        }
    };
    let (status, body) = poll(device.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (_, body) = poll(device.clone()).await;
    assert_eq!(
        body["error"], "slow_down",
        "polled faster than the interval"
    );
    assert_eq!(sim.pending_user_codes(), vec![user_code.clone()]);
    assert!(sim.approve_device_code(&user_code));
    tokio::time::sleep(Duration::from_millis(6_100)).await;
    let (status, body) = poll(device.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string() && body["refresh_token"].is_string());
    let (_, body) = poll(device).await;
    assert_eq!(
        body["error"], "bad_verification_code",
        "a code is redeemed once"
    );

    // Declined, over the test-only HTTP route.
    let dc = start().await;
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/_sim/devicecode/{}/decline",
            sim.authority_host(),
            dc["user_code"].as_str().expect("code")
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 204);
    let (_, body) = poll(dc["device_code"].as_str().expect("dc").to_string()).await;
    assert_eq!(body["error"], "authorization_declined");
    let (_, body) = poll("no-such-code".into()).await;
    assert_eq!(body["error"], "bad_verification_code");
}

#[tokio::test]
async fn device_codes_expire() {
    let sim = sim_with(IdentitySpec {
        device_code_interval_secs: 0,
        device_code_lifetime_secs: 1,
        ..IdentitySpec::default()
    })
    .await;
    let dc: Value = reqwest::Client::new()
        .post(format!(
            "{}/organizations/oauth2/v2.0/devicecode",
            sim.authority_host()
        ))
        .form(&[("client_id", CLIENT), ("scope", SCOPES)])
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (_, body) = token(
        &sim,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", CLIENT),
            ("device_code", dc["device_code"].as_str().expect("dc")),
        ],
    )
    .await;
    assert_eq!(body["error"], "expired_token");
}

#[tokio::test]
async fn client_credentials_with_a_secret() {
    let spec = IdentitySpec::default();
    let sim = sim_with(spec.clone()).await;
    let (status, body) = client_secret_grant(
        &sim,
        &spec,
        &spec.client_secret,
        "https://graph.microsoft.com/.default",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().expect("token");
    assert_eq!(
        graph_status(&sim, access, reqwest::Method::GET, "/v1.0/users?$top=1").await,
        200
    );
    assert_eq!(
        graph_status(&sim, access, reqwest::Method::GET, "/v1.0/me").await,
        400,
        "/me needs a person"
    );
    let (status, body) =
        client_secret_grant(&sim, &spec, "wrong", "https://graph.microsoft.com/.default").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (_, body) = client_secret_grant(
        &sim,
        &spec,
        &spec.client_secret,
        "https://graph.microsoft.com/User.Read.All",
    )
    .await;
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn issued_access_tokens_expire() {
    let spec = IdentitySpec {
        access_token_lifetime_secs: 1,
        ..IdentitySpec::default()
    };
    let sim = sim_with(spec.clone()).await;
    let (_, body) = client_secret_grant(
        &sim,
        &spec,
        &spec.client_secret,
        "https://graph.microsoft.com/.default",
    )
    .await;
    let access = body["access_token"].as_str().expect("token").to_string();
    assert_eq!(
        graph_status(&sim, &access, reqwest::Method::GET, "/v1.0/subscribedSkus").await,
        200
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let resp = reqwest::Client::new()
        .get(format!("{}/v1.0/subscribedSkus", sim.graph_endpoint()))
        .bearer_auth(&access)
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
}

/// Signs a client assertion the way a certificate credential does, with `claims` as given,
/// naming the certificate by its SHA-1 thumbprint (`x5t`).
fn assertion(pkcs12: &[u8], password: &str, claims: &Value, tamper: bool) -> String {
    signed_assertion(
        pkcs12,
        password,
        claims,
        tamper,
        ("x5t", MessageDigest::sha1()),
    )
}

/// `thumbprint` is the header field naming the certificate (`x5t` or `x5t#S256`) and the
/// digest of the certificate put in it; tests pair them wrongly on purpose.
fn signed_assertion(
    pkcs12: &[u8],
    password: &str,
    claims: &Value,
    tamper: bool,
    (thumbprint_header, digest): (&str, MessageDigest),
) -> String {
    let parsed = openssl::pkcs12::Pkcs12::from_der(pkcs12)
        .expect("pkcs12")
        .parse2(password)
        .expect("opens");
    let key = parsed.pkey.expect("key");
    let cert = parsed.cert.expect("cert");
    let thumbprint = URL_SAFE_NO_PAD.encode(cert.digest(digest).expect("thumbprint"));
    let header = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"RS256","typ":"JWT","{thumbprint_header}":"{thumbprint}"}}"#
    ));
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{body}");
    let mut signer = openssl::sign::Signer::new(MessageDigest::sha256(), &key).expect("signer");
    signer.update(signed.as_bytes()).expect("update");
    let mut signature = signer.sign_to_vec().expect("sign");
    if tamper {
        signature[10] ^= 0x55;
    }
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn client_credentials_with_a_certificate_assertion() {
    let spec = IdentitySpec::default();
    let sim = sim_with(spec.clone()).await;
    let pkcs12 = sim.new_client_certificate("pw").expect("certificate");
    let client = spec.confidential_client_id.as_str();
    let audience = format!("{}/organizations/oauth2/v2.0/token", sim.authority_host());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let claims = |aud: &str, iss: &str, exp: i64| serde_json::json!({"aud": aud, "iss": iss, "sub": iss, "jti": "1", "nbf": now - 10, "exp": exp});
    let send = |jwt: String| {
        let sim = &sim;
        async move {
            token(
                sim,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &jwt),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await
        }
    };
    let aadsts = |body: &Value| body["error_codes"][0].as_u64().unwrap_or(0);

    let (status, body) = send(assertion(
        &pkcs12,
        "pw",
        &claims(&audience, client, now + 300),
        false,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().expect("token");
    // The token is a JWT a client can read: the app, the tenant, the consented roles.
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').nth(1).expect("claims"))
            .expect("base64"),
    )
    .expect("json");
    assert_eq!(payload["appid"], client);
    assert_eq!(payload["idtyp"], "app");
    assert!(payload["roles"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        graph_status(&sim, access, reqwest::Method::GET, "/v1.0/subscribedSkus").await,
        200
    );

    // Newer libraries name the certificate by its SHA-256 thumbprint.
    let (status, body) = send(signed_assertion(
        &pkcs12,
        "pw",
        &claims(&audience, client, now + 300),
        false,
        ("x5t#S256", MessageDigest::sha256()),
    ))
    .await;
    assert_eq!(status, 200, "x5t#S256: {body}");

    let other = sim_with(spec.clone()).await;
    let unregistered = other.new_client_certificate("pw").expect("certificate");
    let valid = claims(&audience, client, now + 300);
    let refused = [
        (
            // Correctly signed, but a SHA-1 thumbprint under the SHA-256 name names no certificate.
            signed_assertion(
                &pkcs12,
                "pw",
                &valid,
                false,
                ("x5t#S256", MessageDigest::sha1()),
            ),
            700027,
            "wrong thumbprint kind",
        ),
        (
            assertion(&pkcs12, "pw", &valid, true),
            700027,
            "a forged signature",
        ),
        (
            assertion(
                &pkcs12,
                "pw",
                &claims("https://elsewhere/token", client, now + 300),
                false,
            ),
            700212,
            "another audience",
        ),
        (
            assertion(
                &pkcs12,
                "pw",
                &claims(&audience, "someone-else", now + 300),
                false,
            ),
            700021,
            "another issuer",
        ),
        (
            assertion(&pkcs12, "pw", &claims(&audience, client, now - 900), false),
            700024,
            "expired",
        ),
        (
            assertion(&unregistered, "pw", &valid, false),
            700027,
            "a certificate the app does not have",
        ),
    ];
    for (jwt, code, what) in refused {
        let (status, body) = send(jwt).await;
        assert_eq!((status, aadsts(&body)), (401, code), "{what}: {body}");
    }
    let (status, body) = send("not.a-jwt".into()).await;
    assert_eq!((status, aadsts(&body)), (401, 50027), "{body}");
}
