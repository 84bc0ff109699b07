//! The emulator answers the way Graph v1.0 does (shared/reference/graph-licensing.md §1, §4.1).
//! Raw HTTP on purpose: these tests must not lean on LicenseDesk's own client.

use graph_sim::{RunningSim, Scenario};
use serde_json::Value;

async fn sim(users: usize) -> RunningSim {
    RunningSim::start(&Scenario::demo().with_users(users))
        .await
        .expect("emulator starts")
}

async fn get(sim: &RunningSim, path_and_query: &str, token: Option<&str>) -> (u16, Value) {
    let url = if path_and_query.starts_with("http") {
        path_and_query.to_string()
    } else {
        format!("{}{path_and_query}", sim.graph_endpoint())
    };
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("JSON body");
    (status, body)
}

#[tokio::test]
async fn listens_on_loopback_only() {
    let sim = sim(10).await;
    assert!(sim.addr().ip().is_loopback());
    assert!(sim.graph_endpoint().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn no_or_wrong_token_is_401_invalid_authentication_token() {
    let sim = sim(10).await;
    let (status, body) = get(&sim, "/v1.0/users", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    let (status, body) = get(&sim, "/v1.0/subscribedSkus", Some("not-the-token")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn subscribed_skus_have_the_documented_shape_and_consistent_counts() {
    let sim = sim(250).await;
    let token = sim.access_token();
    let (status, body) = get(&sim, "/v1.0/subscribedSkus", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(
        body.get("@odata.nextLink").is_none(),
        "one response, no paging"
    );
    let skus = body["value"].as_array().expect("value");
    assert_eq!(skus.len(), 14);
    let tenant = sim.tenant();
    let consumed = tenant.consumed_units();
    for sku in skus {
        let id = sku["skuId"].as_str().expect("skuId");
        assert_eq!(sku["id"], format!("{}_{id}", tenant.tenant_id));
        for key in ["enabled", "warning", "suspended", "lockedOut"] {
            assert!(sku["prepaidUnits"][key].is_i64(), "{key}");
        }
        assert_eq!(
            sku["consumedUnits"].as_i64(),
            Some(consumed.get(id).copied().unwrap_or(0))
        );
        let plans = sku["servicePlans"].as_array().expect("plans");
        assert!(!plans.is_empty());
        assert!(plans[0]["servicePlanId"].is_string());
        assert!(plans[0]["provisioningStatus"].is_string());
        assert!(sku["subscriptionIds"].is_array());
    }
    // Real part numbers and ids from Microsoft's list.
    assert!(
        skus.iter().any(|s| s["skuPartNumber"] == "SPE_E3"
            && s["skuId"] == "05e9a617-0261-4cee-bb44-138d3ef5d965")
    );
}

#[tokio::test]
async fn subscribed_skus_honour_select() {
    let sim = sim(10).await;
    let token = sim.access_token();
    let (status, body) = get(
        &sim,
        "/v1.0/subscribedSkus?$select=skuId,consumedUnits",
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    let first = body["value"][0].as_object().expect("object");
    assert_eq!(first.len(), 2);
    assert!(first.contains_key("skuId") && first.contains_key("consumedUnits"));
}

#[tokio::test]
async fn users_default_page_is_100_and_properties_need_select() {
    let sim = sim(250).await;
    let token = sim.access_token();
    let (status, body) = get(&sim, "/v1.0/users", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(body["value"].as_array().map(Vec::len), Some(100));
    let first = body["value"][0].as_object().expect("user");
    assert!(first.contains_key("userPrincipalName"));
    // usageLocation, department and licenses come only when selected (§4.2).
    for hidden in [
        "usageLocation",
        "department",
        "assignedLicenses",
        "accountEnabled",
    ] {
        assert!(
            !first.contains_key(hidden),
            "{hidden} returned without $select"
        );
    }
    let (_, body) = get(
        &sim,
        "/v1.0/users?$select=id,usageLocation,assignedLicenses,licenseAssignmentStates&$top=5",
        Some(&token),
    )
    .await;
    let first = body["value"][0].as_object().expect("user");
    assert_eq!(first.len(), 4);
    assert!(first["assignedLicenses"].is_array());
}

#[tokio::test]
async fn top_outside_1_to_999_is_refused_with_graphs_message() {
    let sim = sim(10).await;
    let token = sim.access_token();
    for bad in ["1000", "0", "-3", "ten"] {
        let (status, body) = get(&sim, &format!("/v1.0/users?$top={bad}"), Some(&token)).await;
        assert_eq!(status, 400, "$top={bad}");
        assert_eq!(
            body["error"]["message"],
            format!("Invalid page size specified: '{bad}'. Must be between 1 and 999 inclusive.")
        );
    }
    let (status, _) = get(&sim, "/v1.0/users?$top=999", Some(&token)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn next_link_is_absolute_keeps_options_and_walks_every_user_once() {
    let sim = sim(2_345).await;
    let token = sim.access_token();
    let mut url = "/v1.0/users?$select=id,displayName&$top=999".to_string();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let (status, body) = get(&sim, &url, Some(&token)).await;
        assert_eq!(status, 200);
        pages += 1;
        for u in body["value"].as_array().expect("value") {
            assert_eq!(
                u.as_object().map(|o| o.len()),
                Some(2),
                "$select kept on later pages"
            );
            ids.push(u["id"].as_str().expect("id").to_string());
        }
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&sim.graph_endpoint()), "absolute: {next}");
                assert!(next.contains("$skiptoken="));
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 2_345);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 2_345);
}

#[tokio::test]
async fn a_tampered_skiptoken_is_refused() {
    let sim = sim(10).await;
    let token = sim.access_token();
    let (status, body) = get(&sim, "/v1.0/users?$skiptoken=garbage", Some(&token)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Directory_ExpiredPageToken");
}

#[tokio::test]
async fn unknown_select_property_and_segment_are_400() {
    let sim = sim(10).await;
    let token = sim.access_token();
    let (status, body) = get(&sim, "/v1.0/users?$select=id,shoeSize", Some(&token)).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("shoeSize"))
    );
    let (status, body) = get(&sim, "/v1.0/frobnicate", Some(&token)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'frobnicate'."
    );
}

#[tokio::test]
async fn the_large_scenario_holds_100_000_people() {
    // How long it takes is measured in BENCHMARKS.md, not asserted here.
    let sim = RunningSim::start(&Scenario::load("large").expect("bundled"))
        .await
        .expect("starts");
    assert_eq!(sim.tenant().users.len(), 100_000);
}
