//! The real OS keychain (Secret Service on Linux). `make test` runs these inside
//! `dbus-run-session` with an unlocked gnome-keyring; a plain `cargo test` skips them and
//! says why. The in-memory store is exercised by tests/signin.rs.

use std::sync::Arc;
use std::time::Duration;

use graph::auth::{self, Authority, KeychainStore, SecretStore, Session};
use graph_sim::{IdentitySpec, RunningSim, Scenario};

const CLIENT: &str = "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9";

#[test]
#[ignore = "needs a Secret Service (gnome-keyring under dbus-run-session): run by `make test`"]
fn keychain_round_trip() {
    let store = KeychainStore::new("LicenseDesk test");
    store.probe().expect("a keychain answers");
    let account = format!("round-trip-{}", std::process::id());
    store.set(&account, "secret-1").expect("set");
    assert_eq!(
        store.get(&account).expect("get").as_deref(),
        Some("secret-1")
    );
    store.set(&account, "secret-2").expect("replace");
    assert_eq!(
        store.get(&account).expect("get").as_deref(),
        Some("secret-2")
    );
    store.delete(&account).expect("delete");
    assert_eq!(store.get(&account).expect("get"), None);
    assert!(store.is_persistent());
}

#[tokio::test]
#[ignore = "needs a Secret Service (gnome-keyring under dbus-run-session): run by `make test`"]
async fn a_session_survives_a_restart_through_the_keychain_and_sign_out_removes_it() {
    let mut scenario = Scenario::demo();
    scenario.identity = IdentitySpec {
        device_code_interval_secs: 1,
        ..IdentitySpec::default()
    };
    let sim = RunningSim::start(&scenario).await.expect("emulator");
    let authority = Authority::new(&sim.authority_host(), "organizations").expect("authority");
    let scopes = auth::graph_scopes(&sim.graph_endpoint(), false, false);
    let http = reqwest::Client::new();
    let prompt = auth::start_device_code(&http, &authority, CLIENT, &scopes)
        .await
        .expect("code");
    sim.approve_device_code(&prompt.user_code);
    let tokens = tokio::time::timeout(
        Duration::from_secs(20),
        auth::poll_device_code(&http, &authority, CLIENT, &prompt, std::future::pending()),
    )
    .await
    .expect("in time")
    .expect("tokens");

    let store: Arc<dyn SecretStore> = Arc::new(KeychainStore::new("LicenseDesk test"));
    let session = Session::start(
        http.clone(),
        authority.clone(),
        CLIENT,
        scopes.clone(),
        store.clone(),
        tokens,
    )
    .expect("session");
    drop(session);
    // "Restart": a new store object, the same keychain.
    let store: Arc<dyn SecretStore> = Arc::new(KeychainStore::new("LicenseDesk test"));
    let resumed = Session::resume(
        http.clone(),
        authority.clone(),
        CLIENT,
        scopes.clone(),
        store.clone(),
    )
    .await
    .expect("silent sign-in")
    .expect("a saved sign-in");
    assert!(resumed.signed_in().user_principal_name.is_some());
    resumed.sign_out().expect("sign out");
    assert!(
        Session::resume(http, authority, CLIENT, scopes, store)
            .await
            .expect("resume")
            .is_none()
    );
}
