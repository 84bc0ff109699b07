//! Sign-in activity, account dates and subscriptions as Graph documents them
//! (shared/reference/reclaim-groups-shipping.md), over raw HTTP.

use graph_sim::{IdentitySpec, PersonSpec, RunningSim, Scenario};
use serde_json::Value;

async fn get(sim: &RunningSim, path: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", sim.graph_endpoint()))
        .bearer_auth(token)
        .send()
        .await
        .expect("answer");
    (resp.status().as_u16(), resp.json().await.expect("json"))
}

fn person(upn: &str, created: f64) -> PersonSpec {
    PersonSpec {
        user_principal_name: upn.into(),
        display_name: None,
        department: None,
        usage_location: Some("NL".into()),
        account_enabled: true,
        created_days_ago: created,
        licenses: vec!["SPE_E3".into()],
        last_sign_in_days_ago: None,
        last_non_interactive_sign_in_days_ago: None,
        last_successful_sign_in_days_ago: None,
    }
}

fn seconds(iso: &Value) -> i64 {
    let text = iso.as_str().expect("a date");
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .timestamp()
}

#[tokio::test]
async fn sign_in_activity_is_returned_only_when_selected_and_absent_for_who_never_signed_in() {
    let mut never = person("never@contoso.onmicrosoft.com", 200.0);
    never.display_name = Some("Never Signed In".into());
    let mut failed = person("failed@contoso.onmicrosoft.com", 300.0);
    failed.last_sign_in_days_ago = Some(2.0);
    failed.last_successful_sign_in_days_ago = Some(120.0);
    let sim = RunningSim::start(&Scenario::demo().with_people(vec![never, failed]))
        .await
        .expect("starts");
    let token = sim.access_token();

    let (status, body) = get(&sim, "/v1.0/users?$top=999", &token).await;
    assert_eq!(status, 200);
    assert!(
        body["value"][0].get("signInActivity").is_none(),
        "not by default"
    );

    let (status, body) = get(
        &sim,
        "/v1.0/users?$select=id,userPrincipalName,accountEnabled,assignedLicenses,createdDateTime,signInActivity&$top=500",
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let page = body["value"].as_array().expect("value");
    assert_eq!(
        page.len(),
        252,
        "250 generated and 2 written out fit one page of 500"
    );
    let now = chrono::Utc::now().timestamp();
    for user in page {
        let created = seconds(&user["createdDateTime"]);
        assert!(created < now, "{user}");
    }
    let by_upn = |upn: &str| {
        page.iter()
            .find(|u| u["userPrincipalName"] == upn)
            .expect(upn)
            .clone()
    };
    let never = by_upn("never@contoso.onmicrosoft.com");
    assert!(never["signInActivity"].is_null(), "{never}");
    let created = seconds(&never["createdDateTime"]);
    assert!(
        (now - created - 200 * 86_400).abs() < 120,
        "200 days ago: {never}"
    );

    let failed = by_upn("failed@contoso.onmicrosoft.com");
    let activity = &failed["signInActivity"];
    assert!(
        seconds(&activity["lastSignInDateTime"])
            > seconds(&activity["lastSuccessfulSignInDateTime"])
    );
    assert!(activity["lastNonInteractiveSignInDateTime"].is_null());
    assert!(activity["lastSignInRequestId"].is_string());

    // The generated tenant has every case: disabled people with licenses, people who never
    // signed in, people who stopped months ago.
    let disabled_licensed = page.iter().filter(|u| u["accountEnabled"] == false).count();
    assert!(disabled_licensed >= 3, "{disabled_licensed}");
    let never_signed_in = page
        .iter()
        .filter(|u| u["signInActivity"].is_null())
        .count();
    assert!(never_signed_in >= 5, "{never_signed_in}");
    let stale = page
        .iter()
        .filter_map(|u| u["signInActivity"].get("lastSuccessfulSignInDateTime"))
        .filter(|d| now - seconds(d) > 90 * 86_400)
        .count();
    assert!(stale >= 10, "{stale}");

    // One person's activity by object id; Graph refuses it by user principal name.
    let id = failed["id"].as_str().expect("id");
    let (status, one) = get(
        &sim,
        &format!("/v1.0/users/{id}?$select=signInActivity"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert!(one["signInActivity"].is_object());
    let (status, refused) = get(
        &sim,
        "/v1.0/users/failed@contoso.onmicrosoft.com?$select=signInActivity",
        &token,
    )
    .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn sign_in_activity_comes_in_smaller_pages_and_its_filter_stands_alone() {
    let sim = RunningSim::start(&Scenario::demo()).await.expect("starts");
    let token = sim.access_token();
    let (status, body) = get(
        &sim,
        "/v1.0/users?$select=id,signInActivity&$top=999",
        &token,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Invalid page size specified: '999'. Must be between 1 and 500 inclusive."
    );
    let (status, body) = get(
        &sim,
        "/v1.0/users?$select=id,signInActivity&$top=120",
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["value"].as_array().map(Vec::len), Some(120));
    assert!(body["@odata.nextLink"].is_string());

    let cutoff = (chrono::Utc::now() - chrono::Duration::days(90))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let (status, body) = get(
        &sim,
        &format!("/v1.0/users?$filter=signInActivity/lastSignInDateTime le {cutoff}&$select=id,signInActivity&$top=500"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let found = body["value"].as_array().expect("value");
    assert!(!found.is_empty());
    let limit = chrono::DateTime::parse_from_rfc3339(&cutoff)
        .expect("date")
        .timestamp();
    for u in found {
        assert!(
            seconds(&u["signInActivity"]["lastSignInDateTime"]) <= limit,
            "{u}"
        );
    }
    let (status, body) = get(
        &sim,
        &format!("/v1.0/users?$filter=signInActivity/lastSignInDateTime le {cutoff} and accountEnabled eq true&$select=id,signInActivity"),
        &token,
    )
    .await;
    assert_eq!(status, 400, "not combined with other properties: {body}");
}

#[tokio::test]
async fn without_entra_id_premium_or_the_audit_permission_graph_refuses_sign_in_activity() {
    let sim = RunningSim::start(&Scenario::load("no-p1").expect("bundled"))
        .await
        .expect("starts");
    let (status, body) = get(
        &sim,
        "/v1.0/users?$select=id,signInActivity",
        &sim.access_token(),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["code"],
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    );
    // The rest still answers.
    let (status, _) = get(
        &sim,
        "/v1.0/users?$select=id,accountEnabled,createdDateTime",
        &sim.access_token(),
    )
    .await;
    assert_eq!(status, 200);

    // An app without AuditLog.Read.All, in a tenant with P1.
    let spec = IdentitySpec {
        application_permissions: vec!["User.Read.All".into(), "Organization.Read.All".into()],
        ..IdentitySpec::default()
    };
    let mut scenario = Scenario::demo();
    scenario.identity = spec.clone();
    let sim = RunningSim::start(&scenario).await.expect("starts");
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/organizations/oauth2/v2.0/token",
            sim.authority_host()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", spec.confidential_client_id.as_str()),
            ("client_secret", spec.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("answer");
    let grant: Value = resp.json().await.expect("json");
    let app = grant["access_token"].as_str().expect("token");
    let (status, body) = get(&sim, "/v1.0/users?$select=id,signInActivity", app).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    let (status, _) = get(&sim, "/v1.0/users?$select=id,accountEnabled", app).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn subscriptions_have_the_documented_shape() {
    let sim = RunningSim::start(&Scenario::demo()).await.expect("starts");
    let token = sim.access_token();
    let (status, body) = get(&sim, "/v1.0/directory/subscriptions", &token).await;
    assert_eq!(status, 200, "{body}");
    let subs = body["value"].as_array().expect("value");
    let (_, skus) = get(&sim, "/v1.0/subscribedSkus", &token).await;
    let now = chrono::Utc::now().timestamp();
    for s in subs {
        for field in ["id", "skuId", "skuPartNumber", "status", "createdDateTime"] {
            assert!(s[field].is_string(), "{field}: {s}");
        }
        assert!(
            s["totalLicenses"].is_i64() && s["isTrial"].is_boolean(),
            "{s}"
        );
        assert!(seconds(&s["createdDateTime"]) < now);
        // Every subscription is one of its plan's subscriptionIds.
        let sku = skus["value"]
            .as_array()
            .and_then(|all| all.iter().find(|k| k["skuId"] == s["skuId"]))
            .expect("its plan");
        assert!(
            sku["subscriptionIds"]
                .as_array()
                .is_some_and(|ids| ids.contains(&s["id"])),
            "{s}"
        );
    }
    let e3 = subs
        .iter()
        .filter(|s| s["skuPartNumber"] == "SPE_E3")
        .count();
    assert_eq!(e3, 2);
    assert!(subs.iter().any(|s| s["isTrial"] == true));
    assert!(subs.iter().any(|s| s["status"] == "Warning"));
    let soon = subs
        .iter()
        .filter(|s| {
            s["nextLifecycleDateTime"]
                .as_str()
                .is_some_and(|_| seconds(&s["nextLifecycleDateTime"]) - now < 30 * 86_400)
        })
        .count();
    assert!(soon >= 2, "some renew within 30 days: {soon}");
    let (status, body) = get(
        &sim,
        "/v1.0/directory/subscriptions?$filter=isTrial eq true",
        &token,
    )
    .await;
    assert_eq!(status, 400, "{body}");
}
