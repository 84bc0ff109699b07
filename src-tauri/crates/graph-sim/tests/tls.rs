//! The emulator over HTTPS: only clients that trust the run's authority get an answer, and
//! stopping it frees its port.

use std::time::Duration;

use graph_sim::{RunningSim, Scenario};

#[tokio::test]
async fn https_answers_clients_that_trust_the_runs_authority_only() {
    let sim = RunningSim::start_tls(&Scenario::demo())
        .await
        .expect("starts");
    let url = format!("{}/v1.0/subscribedSkus", sim.graph_endpoint());
    assert!(url.starts_with("https://127.0.0.1:"));
    let pem = sim.ca_certificate_pem().expect("an authority");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("pem"))
        .build()
        .expect("client");
    let answer = trusting
        .get(&url)
        .bearer_auth(sim.access_token())
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 200);
    // The nextLinks and OData context the emulator writes use https too.
    let body: serde_json::Value = answer.json().await.expect("json");
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.starts_with("https://"))
    );

    let stranger = reqwest::Client::new().get(&url).send().await;
    assert!(
        stranger.is_err(),
        "a client without the authority is refused at the handshake"
    );
    // A refused handshake does not stop the server.
    assert!(
        trusting
            .get(&url)
            .bearer_auth(sim.access_token())
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn stopping_the_emulator_frees_its_port() {
    let sim = RunningSim::start_tls(&Scenario::demo())
        .await
        .expect("starts");
    let addr = sim.addr();
    drop(sim);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(_) => break,
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{addr} still taken after the emulator stopped: {e}"),
        }
    }
}
