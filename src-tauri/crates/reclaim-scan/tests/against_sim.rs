//! The scan against the emulator over real HTTP on 127.0.0.1: judging page by page on another
//! thread finds exactly what judging everyone at once finds, and a group left out leaves its
//! people out.

use std::collections::HashSet;

use graph::{AccessToken, GraphClient, GraphEndpoint, SignInsUnavailable};
use graph_sim::{RunningSim, Scenario};
use licensing::reclaim::{Rules, WasteReason, find};

async fn connect(scenario: Scenario) -> (RunningSim, GraphClient, Vec<licensing::Sku>) {
    let sim = RunningSim::start(&scenario).await.expect("emulator starts");
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("loopback endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token())).expect("client");
    let skus = client
        .subscribed_skus()
        .await
        .expect("skus")
        .iter()
        .map(|s| s.to_domain())
        .collect();
    (sim, client, skus)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

#[tokio::test]
async fn judging_page_by_page_finds_what_judging_everyone_at_once_finds() {
    // 1,300 people: three pages at Graph's largest page with sign-in activity (500).
    let (_sim, client, skus) = connect(Scenario::demo().with_users(1_300)).await;
    let rules = Rules::all(30, now(), true);

    let found = reclaim_scan::scan(&client, &skus, rules.clone())
        .await
        .expect("scan");

    let mut everyone = Vec::new();
    client
        .people_with_activity_by_page(|page, _| {
            everyone.extend(page.into_iter().map(|u| (u.to_domain(), u.activity())));
        })
        .await
        .expect("people");
    assert_eq!(found.people.len(), 1_300);
    assert_eq!(found.people, everyone);
    assert_eq!(found.candidates, find(&everyone, &skus, &rules));
    assert!(found.sign_ins_unavailable.is_none());
    let reasons: HashSet<_> = found.candidates.iter().map(|c| c.reason).collect();
    for reason in [
        WasteReason::Disabled,
        WasteReason::Inactive,
        WasteReason::NeverSignedIn,
        WasteReason::Redundant,
    ] {
        assert!(reasons.contains(&reason), "the demo holds {reason:?}");
    }
}

#[tokio::test]
async fn a_group_left_out_leaves_out_everyone_in_it() {
    // Group licenses follow a new member only after ten minutes here: the person joined holds
    // nothing from the group, so only reading its members leaves them out.
    let mut scenario = Scenario::demo().with_users(600);
    scenario.lag.group_processing_ms = 600_000;
    let (_sim, client, skus) = connect(scenario).await;
    let every = reclaim_scan::scan(&client, &skus, Rules::all(30, now(), true))
        .await
        .expect("scan");
    let someone = every
        .candidates
        .iter()
        .find(|c| c.group_id.is_none())
        .expect("the demo has direct waste")
        .user_id
        .clone();
    let group = client.license_groups().await.expect("groups")[0].id.clone();
    client.add_member(&group, &someone).await.expect("joined");

    let mut rules = Rules::all(30, now(), true);
    rules.excluded_groups.insert(group.clone());
    let left_out = reclaim_scan::scan(&client, &skus, rules)
        .await
        .expect("scan");
    let members = client.members_of([group.as_str()]).await.expect("members");
    assert!(members.contains(&someone.to_ascii_lowercase()));
    let others =
        |c: &&licensing::reclaim::Candidate| !members.contains(&c.user_id.to_ascii_lowercase());
    assert!(every.candidates.iter().any(|c| c.user_id == someone));
    assert_eq!(
        left_out.candidates,
        every
            .candidates
            .iter()
            .filter(others)
            .cloned()
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn without_entra_id_p1_nobody_is_inactive_and_the_scan_says_why() {
    let (_sim, client, skus) = connect(Scenario::load("no-p1").expect("scenario")).await;
    let found = reclaim_scan::scan(&client, &skus, Rules::all(30, now(), true))
        .await
        .expect("scan");
    assert!(matches!(
        found.sign_ins_unavailable,
        Some(SignInsUnavailable::NoPremium)
    ));
    assert!(!found.people.is_empty());
    assert!(
        found
            .candidates
            .iter()
            .all(|c| !matches!(c.reason, WasteReason::Inactive | WasteReason::NeverSignedIn))
    );
    assert!(
        found
            .candidates
            .iter()
            .any(|c| c.reason == WasteReason::Disabled),
        "disabled people are still found"
    );
}
