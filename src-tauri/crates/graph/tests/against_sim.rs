//! LicenseDesk's Graph client against the emulator over real HTTP on 127.0.0.1.

use std::collections::HashSet;

use graph::{AccessToken, GraphClient, GraphEndpoint, GraphError, GraphErrorKind};
use graph_sim::{RunningSim, Scenario};
use licensing::{ProductNames, summarize_skus, summarize_users};

async fn connect(users: usize) -> (RunningSim, GraphClient) {
    let sim = RunningSim::start(&Scenario::demo().with_users(users))
        .await
        .expect("emulator starts");
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("loopback endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token())).expect("client");
    (sim, client)
}

#[tokio::test]
async fn seat_numbers_match_the_emulators_tenant() {
    let (sim, client) = connect(250).await;
    let skus: Vec<_> = client
        .subscribed_skus()
        .await
        .expect("skus")
        .iter()
        .map(|s| s.to_domain())
        .collect();
    let summaries = summarize_skus(&skus, &ProductNames::builtin());
    let tenant = sim.tenant();
    let consumed = tenant.consumed_units();
    assert_eq!(summaries.len(), tenant.skus.len());
    for sim_sku in &tenant.skus {
        let s = summaries
            .iter()
            .find(|s| s.sku_id == sim_sku.sku_id)
            .expect("every SKU read");
        let used = consumed.get(&sim_sku.sku_id).copied().unwrap_or(0);
        assert_eq!(i64::from(s.enabled), sim_sku.enabled);
        assert_eq!(i64::from(s.warning), sim_sku.warning);
        assert_eq!(i64::from(s.consumed), used);
        if s.assignable {
            assert_eq!(i64::from(s.free), (sim_sku.enabled - used).max(0));
        }
    }
    let e3 = summaries
        .iter()
        .find(|s| s.sku_part_number == "SPE_E3")
        .expect("E3");
    assert_eq!(e3.display_name, "Microsoft 365 E3");
    assert_eq!(e3.free, 2, "the demo's nearly full plan");
    let company = summaries
        .iter()
        .find(|s| s.sku_part_number == "WINDOWS_STORE")
        .expect("company SKU");
    assert!(!company.assignable);
    // Assignable plans first.
    let first_unassignable = summaries.iter().position(|s| !s.assignable).expect("some");
    assert!(
        summaries[first_unassignable..]
            .iter()
            .all(|s| !s.assignable)
    );
}

#[tokio::test]
async fn users_are_read_across_pages_beyond_999() {
    let (sim, client) = connect(2_500).await;
    let users = client.users().await.expect("users");
    assert_eq!(users.len(), 2_500);
    let ids: HashSet<_> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 2_500, "no user twice");
    let tenant = sim.tenant();
    for (read, truth) in users.iter().zip(&tenant.users) {
        assert_eq!(read.id, truth.id);
        assert_eq!(read.usage_location, truth.usage_location);
        assert_eq!(read.department, truth.department);
    }
}

#[tokio::test]
async fn small_pages_give_the_same_users() {
    let (_sim, client) = connect(130).await;
    let big = client.users().await.expect("users");
    let small = client.users_with_page_size(7).await.expect("users");
    assert_eq!(big, small);
}

#[tokio::test]
async fn group_and_direct_licenses_keep_their_source() {
    let (sim, client) = connect(250).await;
    let users: Vec<_> = client
        .users()
        .await
        .expect("users")
        .iter()
        .map(|u| u.to_domain())
        .collect();
    let skus: Vec<_> = client
        .subscribed_skus()
        .await
        .expect("skus")
        .iter()
        .map(|s| s.to_domain())
        .collect();
    let summaries = summarize_users(&users, &skus, &ProductNames::builtin());
    let tenant = sim.tenant();
    let group_id = &tenant.groups[0].id;
    let via_group = summaries
        .iter()
        .filter(|u| {
            u.licenses
                .iter()
                .any(|l| l.assigned_by_group.as_ref() == Some(group_id))
        })
        .count();
    let truth = tenant
        .users
        .iter()
        .filter(|u| {
            u.licenses
                .iter()
                .any(|l| l.assigned_by_group.as_ref() == Some(group_id))
        })
        .count();
    assert_eq!(via_group, truth);
    assert!(via_group > 0);
    let unlicensed = summaries.iter().filter(|u| u.is_unlicensed()).count();
    assert_eq!(
        unlicensed,
        tenant
            .users
            .iter()
            .filter(|u| u.licenses.is_empty())
            .count()
    );
}

#[tokio::test]
async fn page_size_out_of_range_surfaces_graphs_error() {
    let (_sim, client) = connect(5).await;
    let err = client.users_with_page_size(1000).await.expect_err("400");
    match err {
        GraphError::Api {
            kind,
            status,
            message,
            request_id,
            ..
        } => {
            assert_eq!(kind, GraphErrorKind::Other);
            assert_eq!(status, 400);
            assert_eq!(
                message,
                "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."
            );
            assert!(request_id.is_some());
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let (sim, _) = connect(5).await;
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new("stolen")).expect("client");
    let err = client.subscribed_skus().await.expect_err("401");
    assert_eq!(err.kind(), Some(&GraphErrorKind::Unauthorized));
    assert!(!err.to_string().contains("stolen"), "token in error text");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error() {
    let (sim, _) = connect(1).await;
    let url = sim.graph_endpoint();
    drop(sim);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let client = GraphClient::new(
        GraphEndpoint::new(&url).expect("endpoint"),
        AccessToken::new("t"),
    )
    .expect("client");
    let err = client.subscribed_skus().await.expect_err("closed");
    assert!(matches!(err, GraphError::Network(_)), "{err:?}");
}

#[tokio::test]
async fn the_organization_names_the_tenant_and_its_default_domain() {
    let (sim, client) = connect(10).await;
    let org = client
        .organization()
        .await
        .expect("organization")
        .expect("one");
    let tenant = sim.tenant();
    assert_eq!(org.id, tenant.tenant_id);
    assert_eq!(
        org.display_name.as_deref(),
        Some(tenant.display_name.as_str())
    );
    assert_eq!(org.default_domain(), Some(tenant.domain.as_str()));

    // Reading it needs a permission like any other call.
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint");
    let narrow = GraphClient::new(
        endpoint,
        AccessToken::new(sim.issue_token_with_scopes(&["LicenseAssignment.ReadWrite.All"])),
    )
    .expect("client");
    let refused = narrow.organization().await.expect_err("403");
    assert_eq!(refused.kind(), Some(&GraphErrorKind::Forbidden));
}

/// A plan's usage locations go alongside the license changes of the people who need none, yet
/// nobody is sent a license before their own location is set, and a location Graph refuses
/// sends that person nothing more (the emulator's request log and tenant are the proof).
#[tokio::test]
async fn usage_locations_go_alongside_and_each_license_follows_its_location() {
    use graph::{ExecutorOptions, PersonStatus};
    use graph_sim::skus::FLOW_FREE;
    use licensing::{Action, PersonOutcome, Plan, PlanToAdd};

    let (sim, client) = connect(250).await;
    let tenant = sim.tenant();
    let without_flow = |u: &&graph_sim::SimUser| !u.licenses.iter().any(|l| l.sku_id == FLOW_FREE);
    let needing: Vec<&graph_sim::SimUser> = tenant
        .users
        .iter()
        .filter(|u| u.usage_location.is_none())
        .filter(without_flow)
        .take(6)
        .collect();
    let located: Vec<&graph_sim::SimUser> = tenant
        .users
        .iter()
        .filter(|u| u.usage_location.is_some())
        .filter(without_flow)
        .take(30)
        .collect();
    assert_eq!(
        needing.len(),
        6,
        "people without a usage location in the demo"
    );
    let person = |u: &graph_sim::SimUser, country: Option<&str>| PersonOutcome {
        user_id: u.id.clone(),
        user_principal_name: u.user_principal_name.clone(),
        display_name: u.display_name.clone(),
        action: Action::Add,
        set_usage_location: country.map(str::to_string),
        add: vec![PlanToAdd {
            sku_id: FLOW_FREE.to_string(),
            disabled_plans: Vec::new(),
        }],
        remove: Vec::new(),
        reason: None,
        join_groups: Vec::new(),
        leave_groups: Vec::new(),
    };
    // The first person's country is one Graph refuses.
    let mut people: Vec<PersonOutcome> = needing
        .iter()
        .enumerate()
        .map(|(n, u)| person(u, Some(if n == 0 { "ZZ" } else { "NL" })))
        .collect();
    people.extend(located.iter().map(|u| person(u, None)));
    let plan = Plan {
        people,
        seats: Vec::new(),
    };

    let statuses = client
        .apply_plan(&plan, &ExecutorOptions::default(), |_| {})
        .await;

    assert!(
        matches!(statuses[0], PersonStatus::Failed(_)),
        "{:?}",
        statuses[0]
    );
    for (p, status) in plan.people.iter().zip(&statuses).skip(1) {
        assert!(
            matches!(status, PersonStatus::Done),
            "{}: {status:?}",
            p.user_principal_name
        );
    }
    let log = sim.request_log();
    let first = |method: &str, path_end: &str| {
        log.iter()
            .find(|e| e.method == method && e.path.ends_with(path_end))
            .map(|e| e.seq)
    };
    let refused = &needing[0].id;
    assert!(first("PATCH", &format!("users/{refused}")).is_some());
    assert_eq!(
        first("POST", &format!("users/{refused}/assignLicense")),
        None,
        "no license after a refused location"
    );
    for u in &needing[1..] {
        let patched = log
            .iter()
            .find(|e| e.method == "PATCH" && e.path.ends_with(&format!("users/{}", u.id)))
            .expect("the location was set");
        assert_eq!(patched.status, 204);
        let licensed =
            first("POST", &format!("users/{}/assignLicense", u.id)).expect("the license was sent");
        assert!(
            patched.seq < licensed,
            "{}: license before its location",
            u.id
        );
    }
    let after = sim.tenant();
    let has_flow = |id: &str| {
        after
            .users
            .iter()
            .find(|u| u.id == id)
            .is_some_and(|u| u.licenses.iter().any(|l| l.sku_id == FLOW_FREE))
    };
    assert!(!has_flow(refused));
    assert!(needing[1..].iter().chain(&located).all(|u| has_flow(&u.id)));
}
