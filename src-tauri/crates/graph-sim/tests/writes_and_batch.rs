//! Emulator conformance for writes, queries, $batch, throttling and faults, over raw HTTP
//! (shared/reference/graph-licensing.md §2–§6). One test per documented rule.

use std::time::Duration;

use graph_sim::skus::*;
use graph_sim::{FaultSpec, LagSpec, RunningSim, Scenario, SimUser, ThrottleSpec};
use serde_json::{Value, json};

struct Sim {
    sim: RunningSim,
    http: reqwest::Client,
}

impl Sim {
    async fn start(scenario: Scenario) -> Self {
        Self {
            sim: RunningSim::start(&scenario).await.expect("starts"),
            http: reqwest::Client::new(),
        }
    }

    async fn demo() -> Self {
        Self::start(Scenario::demo()).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sim.graph_endpoint()))
            .bearer_auth(self.sim.access_token());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("answer");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }

    /// An advanced query: `ConsistencyLevel: eventual`.
    async fn get_eventual(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.send(
            reqwest::Method::GET,
            path,
            None,
            &[("ConsistencyLevel", "eventual")],
        )
        .await
    }

    async fn assign(&self, user: &str, body: Value) -> (u16, Value) {
        let (s, _, b) = self
            .send(
                reqwest::Method::POST,
                &format!("/v1.0/users/{user}/assignLicense"),
                Some(body),
                &[],
            )
            .await;
        (s, b)
    }

    fn find(&self, pred: impl Fn(&SimUser) -> bool) -> SimUser {
        self.sim
            .tenant()
            .users
            .into_iter()
            .find(|u| pred(u))
            .expect("such a user exists")
    }
}

fn add(sku: &str) -> Value {
    json!({"addLicenses": [{"skuId": sku, "disabledPlans": []}], "removeLicenses": []})
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

fn unlicensed_with_location(u: &SimUser) -> bool {
    u.licenses.is_empty() && u.usage_location.is_some()
}

#[tokio::test]
async fn assign_license_adds_a_seat_and_returns_the_user() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    let before = s.sim.tenant().consumed(TEAMS_ESS);
    let (status, body) = s.assign(&u.id, add(TEAMS_ESS)).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], u.id.as_str());
    assert_eq!(body["assignedLicenses"][0]["skuId"], TEAMS_ESS);
    let tenant = s.sim.tenant();
    assert_eq!(tenant.consumed(TEAMS_ESS), before + 1);
    assert_eq!(tenant.consumed_units(), tenant.recount_consumed());
    // By user principal name too.
    let (status, _) = s
        .assign(&u.user_principal_name.to_uppercase(), add(TEAMS_ESS))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        s.sim.tenant().consumed(TEAMS_ESS),
        before + 1,
        "no second seat"
    );
}

#[tokio::test]
async fn both_arrays_are_required() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    let (status, body) = s.assign(&u.id, json!({"removeLicenses": []})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    assert_eq!(
        message(&body),
        "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: addLicenses."
    );
    let (_, body) = s.assign(&u.id, json!({"addLicenses": []})).await;
    assert!(message(&body).ends_with("The missing parameters are: removeLicenses."));
}

#[tokio::test]
async fn malformed_guid_unknown_user_unknown_and_company_skus() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    let (status, body) = s.assign(&u.id, add("not-a-guid")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "BadRequest");
    assert!(
        message(&body)
            .starts_with("Cannot convert a primitive value to the expected type 'Edm.Guid'.")
    );

    let (status, body) = s
        .assign("00000000-0000-4000-8000-000000000000", add(TEAMS_ESS))
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(
        message(&body),
        "Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present."
    );

    let foreign = "c7df2760-2c81-4ef7-b578-5b5392b571df";
    let (status, body) = s.assign(&u.id, add(foreign)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        format!("License {foreign} does not correspond to a valid company License.")
    );

    let (status, body) = s.assign(&u.id, add(WINDOWS_STORE)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        format!("License {WINDOWS_STORE} cannot be assigned to a user.")
    );
}

#[tokio::test]
async fn no_usage_location_is_refused() {
    let s = Sim::demo().await;
    let u = s.find(|u| u.usage_location.is_none());
    let (status, body) = s.assign(&u.id, add(TEAMS_ESS)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "License assignment cannot be done for user with invalid usage location."
    );
}

#[tokio::test]
async fn no_free_seat_counts_enabled_units_only() {
    let s = Sim::demo().await;
    // E3 has two seats left; the third new holder is refused.
    let candidates: Vec<SimUser> = s
        .sim
        .tenant()
        .users
        .into_iter()
        .filter(unlicensed_with_location)
        .take(3)
        .collect();
    for u in &candidates[..2] {
        assert_eq!(s.assign(&u.id, add(SPE_E3)).await.0, 200);
    }
    let (status, body) = s.assign(&candidates[2].id, add(SPE_E3)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        format!("Subscription with SKU {SPE_E3} does not have any available licenses.")
    );
    // Power BI Pro has units in grace but no enabled unit free: refused too.
    let (status, body) = s.assign(&candidates[2].id, add(POWER_BI_PRO)).await;
    assert_eq!(status, 400);
    assert!(message(&body).contains("does not have any available licenses"));
}

#[tokio::test]
async fn mutually_exclusive_plans_and_all_or_nothing_swap() {
    let s = Sim::demo().await;
    let u = s.find(|u| u.licenses.len() == 1 && u.licenses[0].sku_id == EXCHANGESTANDARD);
    let before = s.sim.tenant();
    let (status, body) = s.assign(&u.id, add(SPE_E5)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "License assignment failed because service plans 9aaf7827-d63c-4b61-89c3-182f06f82e5c, efb87545-963c-4e0d-99df-69c6916d9eb0 are mutually exclusive."
    );
    assert_eq!(s.sim.tenant(), before, "nothing changed");
    let swap = json!({"addLicenses": [{"skuId": SPE_E5, "disabledPlans": []}], "removeLicenses": [EXCHANGESTANDARD]});
    assert_eq!(s.assign(&u.id, swap).await.0, 200);
    let after = s.sim.tenant();
    let user = after.user(&u.id).expect("user");
    assert!(user.holds(SPE_E5) && !user.holds(EXCHANGESTANDARD));
    assert_eq!(
        after.consumed(EXCHANGESTANDARD),
        before.consumed(EXCHANGESTANDARD) - 1
    );
    assert_eq!(after.consumed(SPE_E5), before.consumed(SPE_E5) + 1);
}

#[tokio::test]
async fn a_missing_dependency_is_refused() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    // Office 365 E3 with Exchange turned off leaves Bookings without the Exchange it needs.
    let body = json!({"addLicenses": [{"skuId": ENTERPRISEPACK, "disabledPlans": ["efb87545-963c-4e0d-99df-69c6916d9eb0"]}], "removeLicenses": []});
    let (status, body) = s.assign(&u.id, body).await;
    assert_eq!(status, 400);
    assert!(message(&body).starts_with("License assignment failed because service plan 199a5c09-e0ca-4e37-8f7c-b05d533e1ea2 depends on the service plan(s) "), "{}", message(&body));
}

#[tokio::test]
async fn group_licenses_cannot_be_removed_directly() {
    let s = Sim::demo().await;
    let u = s.find(|u| u.licenses.len() == 1 && u.licenses[0].assigned_by_group.is_some());
    let (status, body) = s
        .assign(
            &u.id,
            json!({"addLicenses": [], "removeLicenses": [SPE_E3]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "User license is inherited from a group membership and it cannot be removed directly from the user."
    );
    // With a direct copy as well, removing takes the direct one only and keeps the seat.
    let both = s.find(|u| u.licenses.iter().filter(|l| l.sku_id == SPE_E3).count() == 2);
    let seats = s.sim.tenant().consumed(SPE_E3);
    assert_eq!(
        s.assign(
            &both.id,
            json!({"addLicenses": [], "removeLicenses": [SPE_E3]})
        )
        .await
        .0,
        200
    );
    let t = s.sim.tenant();
    let after = t.user(&both.id).expect("user");
    assert_eq!(
        after.licenses.iter().filter(|l| l.sku_id == SPE_E3).count(),
        1
    );
    assert!(
        after
            .licenses
            .iter()
            .all(|l| l.assigned_by_group.is_some() || l.sku_id != SPE_E3)
    );
    assert_eq!(t.consumed(SPE_E3), seats);
}

#[tokio::test]
async fn re_adding_a_sku_replaces_its_disabled_plans() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    let teams = "57ff2da0-773e-42df-b2af-ffb7a2317929";
    let with_disabled =
        json!({"addLicenses": [{"skuId": SPE_E5, "disabledPlans": [teams]}], "removeLicenses": []});
    assert_eq!(s.assign(&u.id, with_disabled).await.0, 200);
    let seats = s.sim.tenant().consumed(SPE_E5);
    assert_eq!(s.assign(&u.id, add(SPE_E5)).await.0, 200);
    let t = s.sim.tenant();
    assert!(
        t.user(&u.id).expect("user").licenses[0]
            .disabled_plans
            .is_empty()
    );
    assert_eq!(t.consumed(SPE_E5), seats);
}

/// Tests plant hostile names through the API an administrator has: the properties a person
/// with User.ReadWrite.All may change, all of a patch or none of it.
#[tokio::test]
async fn patch_changes_what_an_administrator_may_change_and_nothing_half() {
    let s = Sim::demo().await;
    let u = s.find(|u| u.account_enabled);
    let path = format!("/v1.0/users/{}", u.id);
    let planted = "=HYPERLINK(\"http://x\") \u{1b}]0;pwned\u{7}";
    let (status, _, _) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"displayName": planted, "jobTitle": "＝1+1", "department": "@Sales", "accountEnabled": false})),
            &[],
        )
        .await;
    assert_eq!(status, 204);
    let t = s.sim.tenant();
    let after = t.user(&u.id).expect("user");
    assert_eq!(after.display_name, planted);
    assert_eq!(after.job_title.as_deref(), Some("＝1+1"));
    assert_eq!(after.department.as_deref(), Some("@Sales"));
    assert!(!after.account_enabled);
    drop(t);
    // A patch with one bad property changes nothing at all.
    let (status, _, body) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"displayName": "Fine", "accountEnabled": "yes"})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert!(message(&body).contains("'accountEnabled'"), "{body}");
    assert_eq!(
        s.sim.tenant().user(&u.id).expect("user").display_name,
        planted
    );
    let (status, _, _) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"id": "other"})),
            &[],
        )
        .await;
    assert_eq!(status, 400, "the id is not the administrator's to change");
}

#[tokio::test]
async fn patch_usage_location_is_204_and_validated() {
    let s = Sim::demo().await;
    let u = s.find(|u| u.usage_location.is_none());
    let path = format!("/v1.0/users/{}", u.id);
    let (status, _, _) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"usageLocation": "NL"})),
            &[],
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        s.sim
            .tenant()
            .user(&u.id)
            .and_then(|u| u.usage_location.clone())
            .as_deref(),
        Some("NL")
    );
    let (status, _, body) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"usageLocation": "XX"})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        "Invalid value specified for property 'usageLocation' of resource 'User'."
    );
    // Now a license works.
    assert_eq!(s.assign(&u.id, add(TEAMS_ESS)).await.0, 200);

    // Microsoft's SDKs send the entity's type with every PATCH: Graph takes it for a user and
    // refuses another type.
    let (status, _, _) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"@odata.type": "#microsoft.graph.user", "usageLocation": "BE"})),
            &[],
        )
        .await;
    assert_eq!(status, 204);
    let (status, _, _) = s
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"@odata.type": "#microsoft.graph.group", "usageLocation": "BE"})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn usage_location_replication_lag() {
    let s = Sim::start(Scenario::demo().with_lag(LagSpec {
        usage_location_ms: 400,
        ..LagSpec::default()
    }))
    .await;
    let u = s.find(|u| u.usage_location.is_none());
    let path = format!("/v1.0/users/{}", u.id);
    s.send(
        reqwest::Method::PATCH,
        &path,
        Some(json!({"usageLocation": "DE"})),
        &[],
    )
    .await;
    let (status, body) = s.assign(&u.id, add(TEAMS_ESS)).await;
    assert_eq!(status, 400, "still sees no location");
    assert!(message(&body).contains("invalid usage location"));
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(s.assign(&u.id, add(TEAMS_ESS)).await.0, 200);
}

#[tokio::test]
async fn get_user_and_license_details() {
    let s = Sim::demo().await;
    let u = s.find(|u| {
        u.licenses.len() >= 2 && u.licenses.iter().all(|l| l.assigned_by_group.is_none())
    });
    let (status, _, body) = s
        .get(&format!(
            "/v1.0/users/{}?$select=id,usageLocation,assignedLicenses",
            u.id
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_object().map(|o| o.len()), Some(3));
    let (status, _, body) = s
        .get(&format!(
            "/v1.0/users/{}/licenseDetails",
            u.user_principal_name
        ))
        .await;
    assert_eq!(status, 200);
    let details = body["value"].as_array().expect("value");
    assert_eq!(details.len(), u.licenses.len());
    assert!(details[0]["skuPartNumber"].is_string());
    assert_eq!(
        details[0]["servicePlans"][0]["provisioningStatus"],
        "Success"
    );
    let (status, _, _) = s.get("/v1.0/users/nobody@contoso.onmicrosoft.com").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn filters_and_advanced_queries() {
    let s = Sim::demo().await;
    let tenant = s.sim.tenant();

    // Unlicensed users: advanced only.
    let (status, _, body) = s
        .get("/v1.0/users?$filter=assignedLicenses/$count eq 0")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    let (status, _, body) = s.get("/v1.0/users?$count=true").await;
    assert_eq!(status, 400);
    assert_eq!(message(&body), "$count is not currently supported.");
    let (status, _, body) = s
        .get_eventual(
            "/v1.0/users?$filter=assignedLicenses/$count eq 0&$count=true&$top=999&$select=id",
        )
        .await;
    assert_eq!(status, 200);
    let unlicensed = tenant
        .users
        .iter()
        .filter(|u| u.licenses.is_empty())
        .count();
    assert_eq!(body["@odata.count"], unlicensed);
    assert_eq!(body["value"].as_array().map(Vec::len), Some(unlicensed));

    // Simple filters need nothing special.
    let (status, _, body) = s
        .get(&format!(
            "/v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq {SPE_E5})&$top=999"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(tenant.users.iter().filter(|u| u.holds(SPE_E5)).count())
    );
    let (_, _, body) = s
        .get("/v1.0/users?$filter=department eq 'Sales' and usageLocation eq 'NL'&$top=999")
        .await;
    let expected = tenant
        .users
        .iter()
        .filter(|u| {
            u.department.as_deref() == Some("Sales") && u.usage_location.as_deref() == Some("NL")
        })
        .count();
    assert_eq!(body["value"].as_array().map(Vec::len), Some(expected));

    // usageLocation eq null: advanced.
    let (status, _, _) = s.get("/v1.0/users?$filter=usageLocation eq null").await;
    assert_eq!(status, 400);
    let (_, _, body) = s
        .get_eventual("/v1.0/users?$filter=usageLocation eq null&$count=true")
        .await;
    assert_eq!(
        body["@odata.count"],
        tenant
            .users
            .iter()
            .filter(|u| u.usage_location.is_none())
            .count()
    );
    // `or` is not something the emulator pretends to support.
    let (status, _, _) = s
        .get("/v1.0/users?$filter=department eq 'IT' or department eq 'HR'")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn search_finds_people_by_the_start_of_a_word_and_needs_the_eventual_header() {
    let s = Sim::demo().await;
    let tenant = s.sim.tenant();
    let someone = &tenant.users[7];
    let surname = someone.surname.clone();
    let prefix: String = surname.chars().take(3).collect();
    let query = format!("/v1.0/users?$search=\"displayName:{prefix}\"&$top=999&$count=true");

    // Without ConsistencyLevel: eventual, Graph refuses $search.
    let (status, _, body) = s
        .get(&format!("/v1.0/users?$search=\"displayName:{prefix}\""))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    assert!(message(&body).contains("ConsistencyLevel: eventual"));

    let (status, _, body) = s.get_eventual(&query).await;
    assert_eq!(status, 200);
    let found: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert!(
        found.contains(&someone.id.as_str()),
        "{} found",
        someone.display_name
    );
    let lower = prefix.to_lowercase();
    let expected = tenant
        .users
        .iter()
        .filter(|u| {
            u.display_name
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.to_lowercase().starts_with(&lower))
        })
        .count();
    assert_eq!(found.len(), expected);
    assert_eq!(body["@odata.count"], expected);

    // OR of two clauses; with a $filter beside it.
    let upn_prefix: String = someone.user_principal_name.chars().take(4).collect();
    let (status, _, body) = s
        .get_eventual(&format!(
            "/v1.0/users?$search=\"displayName:zzzz\" OR \"userPrincipalName:{upn_prefix}\"&$top=999"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        body["value"]
            .as_array()
            .expect("value")
            .iter()
            .any(|u| u["id"] == someone.id.as_str())
    );
    // Unquoted or on a property $search does not cover: refused, as Graph does.
    for bad in ["alex", "\"department:Sales\""] {
        let (status, _, body) = s.get_eventual(&format!("/v1.0/users?$search={bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    }
}

#[tokio::test]
async fn group_licensing_errors_show_in_the_demo_as_graph_shows_them() {
    let s = Sim::demo().await;
    let (status, _, body) = s
        .get("/v1.0/users?$select=id,assignedLicenses,licenseAssignmentStates&$top=999")
        .await;
    assert_eq!(status, 200);
    let people = body["value"].as_array().expect("value").clone();
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for u in &people {
        for state in u["licenseAssignmentStates"].as_array().expect("states") {
            let error = state["error"].as_str().expect("error is a string");
            if error == "None" {
                assert_eq!(state["state"], "Active");
                continue;
            }
            *seen.entry(error.to_string()).or_default() += 1;
            assert_eq!(state["state"], "Error");
            let group = state["assignedByGroup"].as_str().expect("from a group");
            // Not given: no seat, not in assignedLicenses.
            let sku = state["skuId"].as_str().expect("sku");
            let direct_or_group_in_place = u["licenseAssignmentStates"]
                .as_array()
                .expect("states")
                .iter()
                .any(|x| x["skuId"] == sku && x["error"] == "None");
            let in_assigned = u["assignedLicenses"]
                .as_array()
                .expect("assigned")
                .iter()
                .any(|x| x["skuId"] == sku);
            assert_eq!(in_assigned, direct_or_group_in_place);
            // The group is real and lists the person as a member.
            let (status, _, g) = s.get(&format!("/v1.0/groups/{group}")).await;
            assert_eq!(status, 200);
            assert!(g["displayName"].as_str().is_some_and(|n| !n.is_empty()));
            let (_, _, members) = s.get(&format!("/v1.0/groups/{group}/members")).await;
            assert!(
                members["value"]
                    .as_array()
                    .expect("members")
                    .iter()
                    .any(|m| m["id"] == u["id"])
            );
        }
    }
    for error in [
        "CountViolation",
        "MutuallyExclusiveViolation",
        "DependencyViolation",
    ] {
        assert!(
            seen.get(error).is_some_and(|n| *n > 0),
            "{error} in {seen:?}"
        );
    }
    // Seats count only what is in place: the group filled Exchange Online (Plan 2) exactly.
    let tenant = s.sim.tenant();
    let plan2 = tenant
        .skus
        .iter()
        .find(|k| k.sku_part_number == "EXCHANGEENTERPRISE")
        .expect("plan 2");
    assert_eq!(tenant.consumed(&plan2.sku_id), plan2.enabled);
    assert_eq!(tenant.consumed_units(), tenant.recount_consumed());
}

#[tokio::test]
async fn advanced_queries_see_changes_late() {
    let s = Sim::start(Scenario::demo().with_lag(LagSpec {
        advanced_query_ms: 400,
        ..LagSpec::default()
    }))
    .await;
    let path = "/v1.0/users?$filter=assignedLicenses/$count eq 0&$count=true&$select=id";
    let (_, _, body) = s.get_eventual(path).await;
    let before = body["@odata.count"].as_u64().expect("count");
    let u = s.find(unlicensed_with_location);
    assert_eq!(s.assign(&u.id, add(TEAMS_ESS)).await.0, 200);
    let (_, _, body) = s.get_eventual(path).await;
    assert_eq!(
        body["@odata.count"].as_u64(),
        Some(before),
        "index not updated yet"
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (_, _, body) = s.get_eventual(path).await;
    assert_eq!(body["@odata.count"].as_u64(), Some(before - 1));
}

#[tokio::test]
async fn batch_limits_ids_order_and_depends_on() {
    let s = Sim::demo().await;
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users?$top=1"}))
        .collect();
    let (status, _, body) = s
        .send(
            reqwest::Method::POST,
            "/v1.0/$batch",
            Some(json!({"requests": many})),
            &[],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let dup = json!({"requests": [{"id": "a", "method": "GET", "url": "/users"}, {"id": "A", "method": "GET", "url": "/users"}]});
    let (status, _, _) = s
        .send(reqwest::Method::POST, "/v1.0/$batch", Some(dup), &[])
        .await;
    assert_eq!(status, 400);

    let users: Vec<SimUser> = s
        .sim
        .tenant()
        .users
        .into_iter()
        .filter(unlicensed_with_location)
        .take(12)
        .collect();
    let mut requests: Vec<Value> = users.iter().enumerate().map(|(i, u)| json!({
        "id": format!("r{i}"), "method": "POST", "url": format!("/users/{}/assignLicense", u.id),
        "headers": {"Content-Type": "application/json"}, "body": add(TEAMS_ESS)
    })).collect();
    // r12 fails (no such user) and r13 depends on it: 424.
    requests.push(json!({"id": "r12", "method": "POST", "url": "/users/nobody@x/assignLicense", "headers": {"Content-Type": "application/json"}, "body": add(TEAMS_ESS)}));
    requests
        .push(json!({"id": "r13", "method": "GET", "url": "/users?$top=1", "dependsOn": ["r12"]}));
    let (status, _, body) = s
        .send(
            reqwest::Method::POST,
            "/v1.0/$batch",
            Some(json!({"requests": requests})),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    let responses = body["responses"].as_array().expect("responses");
    assert_eq!(responses.len(), 14);
    let order: Vec<&str> = responses.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|id| id[1..].parse::<u32>().unwrap_or(0));
    assert_ne!(order, sorted, "answers come in any order");
    let status_of = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["status"].as_u64())
    };
    for i in 0..12 {
        assert_eq!(status_of(&format!("r{i}")), Some(200));
    }
    assert_eq!(status_of("r12"), Some(404));
    assert_eq!(status_of("r13"), Some(424));
    let t = s.sim.tenant();
    assert!(
        users
            .iter()
            .all(|u| t.user(&u.id).is_some_and(|x| x.holds(TEAMS_ESS)))
    );
}

fn throttled(writes: u32) -> Scenario {
    Scenario::demo().with_throttle(ThrottleSpec {
        enabled: true,
        time_scale: 1.0,
        app_writes_per_150s: writes,
        ..ThrottleSpec::default()
    })
}

#[tokio::test]
async fn throttled_requests_get_429_retry_after_and_scope() {
    let s = Sim::start(throttled(5)).await;
    let users: Vec<SimUser> = s
        .sim
        .tenant()
        .users
        .into_iter()
        .filter(unlicensed_with_location)
        .take(6)
        .collect();
    for u in &users[..5] {
        assert_eq!(s.assign(&u.id, add(FLOW_FREE)).await.0, 200);
    }
    let (status, headers, body) = s
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/users/{}/assignLicense", users[5].id),
            Some(add(FLOW_FREE)),
            &[],
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(message(&body), "Please retry again later.");
    assert_eq!(body["error"]["innerError"]["message"], "Please retry after");
    let retry: f64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number");
    // 5 per 150 s: one write every 30 s.
    assert!((retry - 30.0).abs() < 0.5, "{retry}");
    assert!(
        headers["x-ms-throttle-scope"]
            .to_str()
            .expect("ascii")
            .starts_with("Tenant_Application/Write/")
    );
    assert_eq!(headers["x-ms-throttle-information"], "WriteLimitExceeded");
    // Reads still work while writes are throttled.
    let (status, headers, _) = s.get("/v1.0/users?$select=id&$top=1").await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-ms-resource-unit"], "1");
    assert!(
        !s.sim
            .tenant()
            .user(&users[5].id)
            .expect("user")
            .holds(FLOW_FREE)
    );
}

#[tokio::test]
async fn batch_items_are_throttled_one_by_one() {
    let s = Sim::start(throttled(3)).await;
    let users: Vec<SimUser> = s
        .sim
        .tenant()
        .users
        .into_iter()
        .filter(unlicensed_with_location)
        .take(5)
        .collect();
    let requests: Vec<Value> = users.iter().enumerate().map(|(i, u)| json!({
        "id": i.to_string(), "method": "POST", "url": format!("/users/{}/assignLicense", u.id),
        "headers": {"Content-Type": "application/json"}, "body": add(FLOW_FREE)
    })).collect();
    let (status, _, body) = s
        .send(
            reqwest::Method::POST,
            "/v1.0/$batch",
            Some(json!({"requests": requests})),
            &[],
        )
        .await;
    assert_eq!(status, 200, "the envelope is fine");
    let responses = body["responses"].as_array().expect("responses");
    let ok = responses.iter().filter(|r| r["status"] == 200).count();
    let limited: Vec<&Value> = responses.iter().filter(|r| r["status"] == 429).collect();
    assert_eq!((ok, limited.len()), (3, 2));
    assert!(
        limited
            .iter()
            .all(|r| r["headers"]["Retry-After"].is_string())
    );
}

#[tokio::test]
async fn limit_percentage_header_near_the_limit() {
    let s = Sim::start(throttled(10)).await;
    let users: Vec<SimUser> = s
        .sim
        .tenant()
        .users
        .into_iter()
        .filter(unlicensed_with_location)
        .take(9)
        .collect();
    let mut last = None;
    for u in &users {
        let (_, headers, _) = s
            .send(
                reqwest::Method::POST,
                &format!("/v1.0/users/{}/assignLicense", u.id),
                Some(add(FLOW_FREE)),
                &[],
            )
            .await;
        last = headers
            .get("x-ms-throttle-limit-percentage")
            .map(|v| v.to_str().unwrap_or("").to_string());
    }
    let p: f64 = last.expect("sent above 0.8").parse().expect("number");
    assert!(p > 0.8 && p <= 1.0, "{p}");
}

#[tokio::test]
async fn transient_errors_and_dropped_connections_are_injected() {
    let s = Sim::start(Scenario::demo().with_faults(FaultSpec {
        transient_rate: 0.3,
        drop_rate: 0.3,
        seed: 3,
        ..FaultSpec::default()
    }))
    .await;
    let (mut ok, mut transient, mut dropped) = (0, 0, 0);
    for _ in 0..60 {
        let r = s
            .http
            .get(format!("{}/v1.0/users?$top=1", s.sim.graph_endpoint()))
            .bearer_auth(s.sim.access_token())
            .send()
            .await;
        match r {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(_) => ok += 1,
                Err(_) => dropped += 1,
            },
            Ok(resp) if [503, 504].contains(&resp.status().as_u16()) => transient += 1,
            Ok(resp) => panic!("unexpected {}", resp.status()),
            Err(_) => dropped += 1,
        }
    }
    assert!(
        ok > 0 && transient > 0 && dropped > 0,
        "{ok} {transient} {dropped}"
    );
    let log = s.sim.request_log();
    assert_eq!(log.len(), 60);
    assert_eq!(log.iter().filter(|e| e.dropped).count(), dropped);
}

#[tokio::test]
async fn latency_and_slow_bodies_delay_answers() {
    let s = Sim::start(Scenario::demo().with_faults(FaultSpec {
        latency_ms: Some([150, 150]),
        slow_body_ms: 100,
        ..FaultSpec::default()
    }))
    .await;
    let started = std::time::Instant::now();
    let (status, _, body) = s.get("/v1.0/subscribedSkus").await;
    assert_eq!(status, 200);
    assert!(body["value"].is_array());
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn tokens_expire_and_a_new_one_works() {
    let s = Sim::start(Scenario::demo().with_faults(FaultSpec {
        token_expires_after_requests: Some(2),
        ..FaultSpec::default()
    }))
    .await;
    for _ in 0..2 {
        assert_eq!(s.get("/v1.0/subscribedSkus").await.0, 200);
    }
    let (status, _, body) = s.get("/v1.0/subscribedSkus").await;
    assert_eq!(status, 401);
    assert_eq!(
        message(&body),
        "Lifetime validation failed, the token is expired."
    );
    let old = s.sim.access_token();
    let new = s.sim.issue_token();
    assert_ne!(old, new);
    assert_eq!(s.get("/v1.0/subscribedSkus").await.0, 200);
}

#[tokio::test]
async fn the_request_log_records_questions_answers_and_effects() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    s.assign(&u.id, add(TEAMS_ESS)).await;
    s.assign(&u.id, add(TEAMS_ESS)).await;
    s.assign(&u.id, add("bad")).await;
    let log = s.sim.request_log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].effect, Some("applied"));
    assert_eq!(log[1].effect, Some("unchanged"));
    assert_eq!((log[2].status, log[2].effect), (400, None));
    assert!(log[0].path.ends_with("/assignLicense"));
    assert_eq!(
        log[0]
            .body
            .as_ref()
            .map(|b| b["addLicenses"][0]["skuId"].clone()),
        Some(json!(TEAMS_ESS))
    );
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));

    // The same log over HTTP, for a test in another process (`sim serve`).
    let over_http: Value = s
        .http
        .get(format!("{}/_sim/requests", s.sim.graph_endpoint()))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    let entries = over_http.as_array().expect("a list");
    assert_eq!(entries.len(), 3, "{over_http}");
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["effect"], "applied");
    assert_eq!(entries[0]["body"]["addLicenses"][0]["skuId"], TEAMS_ESS);
    assert_eq!(entries[2]["status"], 400);
}

#[tokio::test]
async fn missing_permissions_are_403_insufficient_privileges() {
    let s = Sim::demo().await;
    let u = s.find(unlicensed_with_location);
    let reader = s
        .sim
        .issue_token_with_scopes(&["User.Read.All", "Organization.Read.All"]);
    let send = |path: String, body: Option<Value>| {
        let mut req = s
            .http
            .request(
                if body.is_some() {
                    reqwest::Method::POST
                } else {
                    reqwest::Method::GET
                },
                format!("{}{path}", s.sim.graph_endpoint()),
            )
            .bearer_auth(&reader);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    let r = send("/v1.0/users?$top=1".into(), None)
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200, "reading is allowed");
    let r = send(
        format!("/v1.0/users/{}/assignLicense", u.id),
        Some(add(TEAMS_ESS)),
    )
    .await
    .expect("answer");
    assert_eq!(r.status().as_u16(), 403);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(
        message(&body),
        "Insufficient privileges to complete the operation."
    );
    assert!(!s.sim.tenant().user(&u.id).expect("user").holds(TEAMS_ESS));
    // LicenseAssignment.ReadWrite.All is enough to assign.
    let assigner = s
        .sim
        .issue_token_with_scopes(&["LicenseAssignment.ReadWrite.All"]);
    let r = s
        .http
        .post(format!(
            "{}/v1.0/users/{}/assignLicense",
            s.sim.graph_endpoint(),
            u.id
        ))
        .bearer_auth(&assigner)
        .json(&add(TEAMS_ESS))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
}
