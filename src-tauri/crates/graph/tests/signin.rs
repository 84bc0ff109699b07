//! Signing in against the emulator's identity platform: the real flows over HTTP on 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use graph::auth::{self, AuthError, Authority, MemoryStore, SecretStore, Session};
use graph::{GraphClient, GraphEndpoint, TokenSource};
use graph_sim::{IdentitySpec, RunningSim, Scenario};

const CLIENT: &str = "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9";

async fn sim(identity: IdentitySpec) -> RunningSim {
    let mut scenario = Scenario::demo();
    scenario.identity = identity;
    RunningSim::start(&scenario).await.expect("emulator")
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

fn scopes(sim: &RunningSim) -> Vec<String> {
    auth::graph_scopes(&sim.graph_endpoint(), false, false)
}

/// A session over fresh tokens whose refresh token goes to an in-memory store.
fn memory_session(
    sim: &RunningSim,
    authority: &Authority,
    tokens: auth::TokenSet,
) -> (Arc<dyn SecretStore>, Arc<Session>) {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let session = Session::start(
        http(),
        authority.clone(),
        CLIENT,
        scopes(sim),
        store.clone(),
        tokens,
    )
    .expect("session");
    (store, Arc::new(session))
}

/// Plays the browser: follows the authorize URL and delivers the redirect to the listener,
/// optionally tampering with it first.
fn browser(tamper: fn(String) -> String) -> impl FnOnce(String) -> Result<(), String> {
    move |url: String| {
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let resp = client.get(&url).send().await.expect("authorize answers");
            let location = resp.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_string();
            let page = client
                .get(tamper(location))
                .send()
                .await
                .expect("listener answers");
            page.text().await.expect("page")
        });
        Ok(())
    }
}

#[tokio::test]
async fn pkce_sign_in_through_the_loopback_redirect() {
    let sim = sim(IdentitySpec::default()).await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    let tokens = auth::sign_in_interactive(
        &http(),
        &authority,
        CLIENT,
        &scopes(&sim),
        browser(|l| l),
        Duration::from_secs(20),
        std::future::pending(),
    )
    .await
    .expect("signed in");
    assert!(tokens.refresh.is_some());
    assert!(
        tokens
            .scopes
            .contains(&"LicenseAssignment.ReadWrite.All".to_string())
    );
    assert!(
        tokens
            .signed_in
            .user_principal_name
            .as_deref()
            .is_some_and(|u| u.starts_with("megan.bowen@"))
    );
    assert_eq!(
        tokens.signed_in.tenant_id.as_deref(),
        Some(sim.tenant().tenant_id.as_str())
    );

    // The tokens work against Graph through a session.
    let (_, session) = memory_session(&sim, &authority, tokens);
    let client = GraphClient::with_token_source(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        session.clone(),
    )
    .expect("client");
    assert_eq!(client.subscribed_skus().await.expect("skus").len(), 14);
}

/// Plays a hostile web page and a slow client before the real browser: a redirect with a
/// forged state (must get 400 and change nothing) and a connection that sends one byte every
/// 300 ms and never finishes (must not hold up anything). Then delivers the real redirect.
fn hostile_then_browser() -> impl FnOnce(String) -> Result<(), String> {
    move |url: String| {
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let resp = client.get(&url).send().await.expect("authorize answers");
            let location = resp.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_string();
            let listener = reqwest::Url::parse(&location).expect("url");
            let addr = format!(
                "127.0.0.1:{}",
                listener.port().expect("the listener's port")
            );

            // A slow client holds a connection open for the whole sign-in.
            let mut slow = tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect");
            tokio::spawn(async move {
                let _ = slow.write_all(b"G").await;
                loop {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if slow.write_all(b"E").await.is_err() {
                        break;
                    }
                }
            });

            // A page that found the port tries to end the sign-in with a forged state.
            let (head, _) = location.split_once("state=").expect("state");
            let forged = client
                .get(format!("{head}state=forged&error=access_denied"))
                .send()
                .await
                .expect("listener answers the forged request");
            assert_eq!(forged.status(), 400);

            let page = client.get(location).send().await.expect("listener answers");
            page.text().await.expect("page")
        });
        Ok(())
    }
}

#[tokio::test]
async fn a_forged_state_gets_400_and_a_slow_client_blocks_nothing() {
    let sim = sim(IdentitySpec::default()).await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    // Before the fix the forged request ended the sign-in (StateMismatch), and the slow
    // connection, served alone with no deadline, kept the real redirect out until this timeout.
    let tokens = auth::sign_in_interactive(
        &http(),
        &authority,
        CLIENT,
        &scopes(&sim),
        hostile_then_browser(),
        Duration::from_secs(15),
        std::future::pending(),
    )
    .await
    .expect("the real redirect still completes the sign-in");
    assert!(!tokens.access.secret().is_empty());
}

#[tokio::test]
async fn interactive_sign_in_times_out_and_can_be_cancelled() {
    let sim = sim(IdentitySpec::default()).await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    let never = |_url: String| Ok(());
    let r = auth::sign_in_interactive(
        &http(),
        &authority,
        CLIENT,
        &scopes(&sim),
        never,
        Duration::from_millis(200),
        std::future::pending(),
    )
    .await;
    assert!(matches!(r, Err(AuthError::TimedOut)));
    let r = auth::sign_in_interactive(
        &http(),
        &authority,
        CLIENT,
        &scopes(&sim),
        never,
        Duration::from_secs(20),
        async {},
    )
    .await;
    assert!(matches!(r, Err(AuthError::Cancelled)));
}

#[tokio::test]
async fn device_code_approved_declined_expired() {
    let sim = sim(IdentitySpec {
        device_code_interval_secs: 1,
        ..IdentitySpec::default()
    })
    .await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");

    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect("code");
    assert!(!prompt.user_code.is_empty() && prompt.verification_uri.ends_with("/devicelogin"));
    let code = prompt.user_code.clone();
    let sim_ref = &sim;
    let approve = async move {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert!(sim_ref.approve_device_code(&code));
    };
    let h = http();
    let (tokens, ()) = tokio::join!(
        auth::poll_device_code(&h, &authority, CLIENT, &prompt, std::future::pending()),
        approve
    );
    assert!(tokens.expect("approved").refresh.is_some());

    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect("code");
    assert!(sim.decline_device_code(&prompt.user_code));
    let r =
        auth::poll_device_code(&http(), &authority, CLIENT, &prompt, std::future::pending()).await;
    assert!(matches!(r, Err(AuthError::Declined)), "{r:?}");

    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect("code");
    let r = auth::poll_device_code(&http(), &authority, CLIENT, &prompt, async {
        tokio::time::sleep(Duration::from_millis(300)).await
    })
    .await;
    assert!(matches!(r, Err(AuthError::Cancelled)));

    let short = sim_with_short_codes().await;
    let authority = Authority::new(&short.authority_host(), "organizations").expect("authority");
    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&short))
        .await
        .expect("code");
    let r =
        auth::poll_device_code(&http(), &authority, CLIENT, &prompt, std::future::pending()).await;
    assert!(matches!(r, Err(AuthError::DeviceCodeExpired)), "{r:?}");
}

async fn sim_with_short_codes() -> RunningSim {
    sim(IdentitySpec {
        device_code_interval_secs: 1,
        device_code_lifetime_secs: 1,
        ..IdentitySpec::default()
    })
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_into_the_store_and_a_401_mid_run_renews() {
    let sim = sim(IdentitySpec {
        access_token_lifetime_secs: 1,
        device_code_interval_secs: 1,
        ..IdentitySpec::default()
    })
    .await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect("code");
    sim.approve_device_code(&prompt.user_code);
    let tokens =
        auth::poll_device_code(&http(), &authority, CLIENT, &prompt, std::future::pending())
            .await
            .expect("tokens");
    let first_refresh = tokens.refresh.clone().expect("refresh token");

    let (store, session) = memory_session(&sim, &authority, tokens);
    let account = Session::account_name(&authority, CLIENT);
    assert_eq!(
        store.get(&account).expect("store").as_deref(),
        Some(first_refresh.expose())
    );

    let client = GraphClient::with_token_source(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        session.clone(),
    )
    .expect("client");
    let before = session.current();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // The access token has expired: Graph answers 401, the session renews once, the call works.
    assert_eq!(client.subscribed_skus().await.expect("renewed").len(), 14);
    assert_ne!(session.current(), before);
    let rotated = store.get(&account).expect("store").expect("kept");
    assert_ne!(
        rotated,
        first_refresh.expose(),
        "the rotated refresh token replaced the old one"
    );
    assert!(session.signed_in().user_principal_name.is_some());

    // Silent sign-in from the store, as at the next start; then sign out.
    let resumed = Session::resume(
        http(),
        authority.clone(),
        CLIENT,
        scopes(&sim),
        store.clone(),
    )
    .await
    .expect("resume")
    .expect("saved");
    assert!(resumed.signed_in().tenant_id.is_some());
    resumed.sign_out().expect("sign out");
    assert_eq!(store.get(&account).expect("store"), None);
    assert!(
        Session::resume(http(), authority, CLIENT, scopes(&sim), store)
            .await
            .expect("resume")
            .is_none()
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_explained_in_plain_words() {
    let sim = sim(IdentitySpec::default()).await;
    let authority = Authority::new(&sim.authority_host(), "nosuch.onmicrosoft.com").expect("auth");
    let err = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect_err("no such tenant");
    match err {
        AuthError::Rejected { advice, detail } => {
            assert!(advice.starts_with("The tenant was not found"), "{advice}");
            assert!(detail.contains("AADSTS90002"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

/// An entry of LicenseDesk 0.1's shared name (one per tenant and app for every kind of
/// secret) may hold a client secret: it is never sent as a refresh token, the person is told
/// to sign in again, and a fresh sign-in removes it.
#[tokio::test]
async fn an_entry_of_the_old_shared_name_is_refused_then_removed_by_a_new_sign_in() {
    let sim = sim(IdentitySpec::default()).await;
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let legacy = auth::legacy_entry_name(&authority, CLIENT);
    store.set(&legacy, "maybe-a-client-secret").expect("store");
    assert_ne!(legacy, Session::account_name(&authority, CLIENT));
    assert_ne!(
        auth::entry_name(auth::SecretKind::ClientSecret, &authority, CLIENT),
        Session::account_name(&authority, CLIENT)
    );

    let result = Session::resume(
        http(),
        authority.clone(),
        CLIENT,
        scopes(&sim),
        store.clone(),
    )
    .await;
    assert!(
        matches!(&result, Err(AuthError::SignInAgain(m)) if m.contains("older LicenseDesk")),
        "{:?}",
        result.as_ref().err()
    );
    assert!(
        !sim.request_log().iter().any(|r| r.path.contains("/token")),
        "the old entry was sent to the token endpoint"
    );

    let prompt = auth::start_device_code(&http(), &authority, CLIENT, &scopes(&sim))
        .await
        .expect("code");
    sim.approve_device_code(&prompt.user_code);
    let tokens =
        auth::poll_device_code(&http(), &authority, CLIENT, &prompt, std::future::pending())
            .await
            .expect("tokens");
    Session::start(
        http(),
        authority.clone(),
        CLIENT,
        scopes(&sim),
        store.clone(),
        tokens,
    )
    .expect("session");
    assert_eq!(store.get(&legacy).expect("store"), None);
}
