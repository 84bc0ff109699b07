//! App-only sign-in through azure_identity against the emulator over real HTTPS: the emulator
//! serves a certificate from an authority made for the run, and only a client that trusts that
//! authority gets through.

use std::sync::Arc;
use std::time::Duration;

use graph::auth::{AppCredential, AppOnlySession, AuthError, Authority};
use graph::{GraphClient, GraphEndpoint, GraphErrorKind, TokenSource, http_client};
use graph_sim::{IdentitySpec, RunningSim, Scenario};

async fn tls_sim(identity: IdentitySpec) -> RunningSim {
    let mut scenario = Scenario::demo();
    scenario.identity = identity;
    RunningSim::start_tls(&scenario).await.expect("emulator")
}

fn trusting(sim: &RunningSim) -> reqwest::Client {
    let pem = sim.ca_certificate_pem().expect("served over https");
    http_client(Some(pem.as_bytes())).expect("client")
}

async fn start(
    sim: &RunningSim,
    http: reqwest::Client,
    credential: AppCredential,
) -> Result<AppOnlySession, AuthError> {
    let (client_id, _) = sim.confidential_client();
    let authority = Authority::new(&sim.authority_host(), &sim.tenant().tenant_id).expect("auth");
    AppOnlySession::start(
        http,
        authority,
        &client_id,
        &sim.graph_endpoint(),
        credential,
    )
    .await
}

/// The client secret sign-in through a client that trusts only the built-in public roots.
async fn sign_in_with_the_secret_trusting_public_roots_only(
    sim: &RunningSim,
) -> Result<AppOnlySession, AuthError> {
    let (_, secret) = sim.confidential_client();
    start(
        sim,
        http_client(None).expect("client"),
        AppCredential::Secret(secret),
    )
    .await
}

#[tokio::test]
async fn a_client_secret_signs_the_app_in_and_graph_accepts_its_token() {
    let sim = tls_sim(IdentitySpec::default()).await;
    assert!(sim.graph_endpoint().starts_with("https://127.0.0.1:"));
    let (client_id, secret) = sim.confidential_client();
    let session = Arc::new(
        start(&sim, trusting(&sim), AppCredential::Secret(secret))
            .await
            .expect("signed in"),
    );
    let identity = session.identity();
    assert_eq!(identity.app_id.as_deref(), Some(client_id.as_str()));
    assert_eq!(
        identity.tenant_id.as_deref(),
        Some(sim.tenant().tenant_id.as_str())
    );
    assert!(
        identity
            .roles
            .contains(&"LicenseAssignment.ReadWrite.All".to_string())
    );
    assert!(!identity.roles.contains(&"User.ReadWrite.All".to_string()));

    let client = GraphClient::with_http(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        session.clone(),
        trusting(&sim),
    );
    assert_eq!(client.subscribed_skus().await.expect("skus").len(), 14);
    // Graph does not serve licenseDetails to apps (reference §5): the emulator says so too.
    let someone = sim.tenant().users[0].id.clone();
    let refused = client
        .license_details(&someone)
        .await
        .expect_err("app-only");
    assert_eq!(refused.kind(), Some(&GraphErrorKind::Forbidden));
}

#[tokio::test]
async fn a_wrong_secret_is_refused_in_plain_words() {
    let sim = tls_sim(IdentitySpec::default()).await;
    let err = start(
        &sim,
        trusting(&sim),
        AppCredential::Secret("not-the-secret".into()),
    )
    .await
    .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("client secret is wrong") && text.contains("Certificates & secrets"),
        "{text}"
    );
}

#[tokio::test]
async fn a_registered_certificate_signs_the_app_in() {
    let sim = tls_sim(IdentitySpec::default()).await;
    let pkcs12 = sim.new_client_certificate("pfx-pass").expect("certificate");
    let session = start(
        &sim,
        trusting(&sim),
        AppCredential::Certificate {
            pkcs12: pkcs12.clone(),
            password: Some("pfx-pass".into()),
        },
    )
    .await
    .expect("certificate accepted");
    assert!(session.identity().app_id.is_some());

    // The wrong password cannot open the bundle: a configuration error, said as such.
    let err = start(
        &sim,
        trusting(&sim),
        AppCredential::Certificate {
            pkcs12,
            password: Some("wrong".into()),
        },
    )
    .await
    .expect_err("bad password");
    assert!(matches!(err, AuthError::Config(_)), "{err}");
}

#[tokio::test]
async fn a_certificate_the_app_does_not_have_is_refused() {
    let sim = tls_sim(IdentitySpec::default()).await;
    // A certificate registered on another tenant's emulator: right shape, unknown thumbprint.
    let other = tls_sim(IdentitySpec::default()).await;
    let stranger = other.new_client_certificate("x").expect("certificate");
    let err = start(
        &sim,
        trusting(&sim),
        AppCredential::Certificate {
            pkcs12: stranger,
            password: Some("x".into()),
        },
    )
    .await
    .expect_err("unregistered");
    assert!(
        err.to_string()
            .contains("certificate is not registered on the app"),
        "{err}"
    );
}

#[tokio::test]
async fn an_untrusted_server_certificate_stops_the_sign_in() {
    let sim = tls_sim(IdentitySpec::default()).await;
    let err = sign_in_with_the_secret_trusting_public_roots_only(&sim)
        .await
        .expect_err("untrusted");
    assert!(err.to_string().contains("--ca-certificate"), "{err}");
}

#[tokio::test]
async fn people_sign_in_and_graph_calls_explain_an_untrusted_certificate_too() {
    let sim = tls_sim(IdentitySpec::default()).await;
    let untrusting = http_client(None).expect("client");
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("auth");
    let err = graph::auth::start_device_code(
        &untrusting,
        &authority,
        "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9",
        &graph::auth::graph_scopes(&sim.graph_endpoint(), false, false),
    )
    .await
    .expect_err("untrusted");
    assert!(matches!(err, AuthError::Network(_)), "{err:?}");
    assert!(err.to_string().contains("--ca-certificate"), "{err}");

    let client = GraphClient::with_http(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        Arc::new(graph::StaticToken(graph::AccessToken::new("t"))),
        untrusting,
    );
    let err = client.subscribed_skus().await.expect_err("untrusted");
    assert!(err.to_string().contains("--ca-certificate"), "{err}");
}

#[tokio::test]
async fn plain_http_is_refused_before_any_request() {
    let sim = RunningSim::start(&Scenario::demo())
        .await
        .expect("emulator");
    let err = sign_in_with_the_secret_trusting_public_roots_only(&sim)
        .await
        .expect_err("http");
    assert!(matches!(err, AuthError::Config(_)), "{err}");
    assert!(err.to_string().contains("--tls"), "{err}");
}

#[tokio::test]
async fn an_expired_app_token_is_renewed_after_graph_answers_401() {
    let sim = tls_sim(IdentitySpec {
        access_token_lifetime_secs: 1,
        ..IdentitySpec::default()
    })
    .await;
    let (_, secret) = sim.confidential_client();
    let session = Arc::new(
        start(&sim, trusting(&sim), AppCredential::Secret(secret))
            .await
            .expect("signed in"),
    );
    let client = GraphClient::with_http(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        session.clone(),
        trusting(&sim),
    );
    let before = session.current();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(client.subscribed_skus().await.expect("renewed").len(), 14);
    assert_ne!(session.current(), before, "a new token after the 401");
    let unauthorized = sim.request_log().iter().filter(|e| e.status == 401).count();
    assert_eq!(unauthorized, 1, "one 401, then the renewed token worked");
}
