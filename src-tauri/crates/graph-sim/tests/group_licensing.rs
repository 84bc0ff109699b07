//! Group-based licensing over raw HTTP, as Graph documents it (shared/reference/
//! reclaim-groups-shipping.md "Group-based licensing", graph-licensing.md §8): the license
//! groups' advanced query, members paged with their states, the membership errors, processing
//! that takes the scenario's delay (seats counted only once Active), reprocess, dynamic groups,
//! and membership changes inside `$batch`.

use std::time::Duration;

use graph_sim::skus::*;
use graph_sim::{LagSpec, RunningSim, Scenario};
use serde_json::{Value, json};

const DELAY_MS: u64 = 600;

struct Sim {
    sim: RunningSim,
    http: reqwest::Client,
}

impl Sim {
    async fn start() -> Self {
        let scenario = Scenario::demo().with_lag(LagSpec {
            group_processing_ms: DELAY_MS,
            ..LagSpec::default()
        });
        Self {
            sim: RunningSim::start(&scenario).await.expect("starts"),
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
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
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }

    async fn add_member(&self, group: &str, user: &str) -> (u16, Value) {
        let reference = format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}");
        self.send(
            reqwest::Method::POST,
            &format!("/v1.0/groups/{group}/members/$ref"),
            Some(json!({ "@odata.id": reference })),
            &[],
        )
        .await
    }

    async fn remove_member(&self, group: &str, user: &str) -> (u16, Value) {
        self.send(
            reqwest::Method::DELETE,
            &format!("/v1.0/groups/{group}/members/{user}/$ref"),
            None,
            &[],
        )
        .await
    }

    async fn states(&self, user: &str) -> Vec<Value> {
        let (_, body) = self
            .get(&format!(
                "/v1.0/users/{user}?$select=id,licenseAssignmentStates"
            ))
            .await;
        body["licenseAssignmentStates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn consumed(&self, sku: &str) -> i64 {
        let (_, body) = self.get("/v1.0/subscribedSkus").await;
        body["value"]
            .as_array()
            .expect("skus")
            .iter()
            .find(|s| s["skuId"] == sku)
            .and_then(|s| s["consumedUnits"].as_i64())
            .expect("consumed")
    }

    fn group(&self, part: &str) -> String {
        self.sim
            .tenant()
            .groups
            .iter()
            .find(|g| g.display_name.contains(part))
            .expect("group")
            .id
            .clone()
    }
}

#[tokio::test]
async fn license_groups_need_the_advanced_query_and_show_their_licenses_and_rule() {
    let s = Sim::start().await;
    let path = "/v1.0/groups?$filter=assignedLicenses/$count ne 0&$count=true&$select=id,displayName,assignedLicenses,groupTypes,membershipRule,licenseProcessingState";
    // Without ConsistencyLevel: eventual, refused; and without $count=true, too.
    let (status, body) = s.get(path).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = s
        .send(
            reqwest::Method::GET,
            &path.replace("&$count=true", ""),
            None,
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    let (status, body) = s
        .send(
            reqwest::Method::GET,
            path,
            None,
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let groups = body["value"].as_array().expect("groups");
    assert_eq!(body["@odata.count"], groups.len());
    assert!(groups.len() >= 4, "{groups:?}");
    let reception = groups
        .iter()
        .find(|g| {
            g["displayName"]
                .as_str()
                .unwrap_or("")
                .starts_with("Reception")
        })
        .expect("reception");
    assert_eq!(
        reception["assignedLicenses"][0]["disabledPlans"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "Exchange switched off"
    );
    let dynamic = groups
        .iter()
        .find(|g| !g["membershipRule"].is_null())
        .expect("a dynamic group");
    assert_eq!(dynamic["groupTypes"], json!(["DynamicMembership"]));
    assert_eq!(
        dynamic["licenseProcessingState"]["state"],
        "ProcessingComplete"
    );
    // Without $select, licenseProcessingState is not returned.
    let (_, plain) = s
        .get(&format!(
            "/v1.0/groups/{}",
            dynamic["id"].as_str().expect("id")
        ))
        .await;
    assert!(plain.get("licenseProcessingState").is_none(), "{plain}");
}

#[tokio::test]
async fn members_are_paged_with_their_states_and_counted_only_with_eventual() {
    let s = Sim::start().await;
    let support = s.group("Support");
    let base = format!(
        "/v1.0/groups/{support}/members?$select=id,userPrincipalName,licenseAssignmentStates&$top=5"
    );
    let (status, _) = s.get(&format!("{base}&$count=true")).await;
    assert_eq!(status, 400, "$count needs ConsistencyLevel: eventual");
    let (status, first) = s
        .send(
            reqwest::Method::GET,
            &format!("{base}&$count=true"),
            None,
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    assert_eq!(status, 200);
    let total = first["@odata.count"].as_u64().expect("count") as usize;
    let mut seen = 0;
    let mut in_error = 0;
    let mut next = Some(base.clone());
    let mut page = first;
    let mut first_page = true;
    while next.is_some() {
        if !first_page {
            let link = next.take().expect("link");
            let path = link
                .strip_prefix(&s.sim.graph_endpoint())
                .expect("same service")
                .to_string();
            page = s
                .send(
                    reqwest::Method::GET,
                    &path,
                    None,
                    &[("ConsistencyLevel", "eventual")],
                )
                .await
                .1;
        }
        first_page = false;
        for m in page["value"].as_array().expect("members") {
            assert_eq!(m["@odata.type"], "#microsoft.graph.user");
            seen += 1;
            if m["licenseAssignmentStates"]
                .as_array()
                .expect("states")
                .iter()
                .any(|st| st["assignedByGroup"] == support.as_str() && st["state"] == "Error")
            {
                in_error += 1;
            }
        }
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, total);
    assert!(in_error > 0 && in_error < total, "{in_error} of {total}");
}

#[tokio::test]
async fn membership_errors_are_graphs() {
    let s = Sim::start().await;
    let sales = s.group("Sales");
    let dynamic = s.group("dynamic");
    let t = s.sim.tenant();
    let member = t
        .users
        .iter()
        .find(|u| {
            u.licenses
                .iter()
                .any(|l| l.assigned_by_group.as_deref() == Some(sales.as_str()))
        })
        .expect("a Sales member")
        .id
        .clone();
    let outsider = t
        .users
        .iter()
        .find(|u| u.licenses.is_empty())
        .expect("unlicensed")
        .id
        .clone();

    let (status, body) = s.add_member(&sales, &member).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "One or more added object references already exist for the following modified properties: 'members'."
    );
    let (status, body) = s.remove_member(&sales, &outsider).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"]["message"],
        "One or more removed object references do not exist for the following modified properties: 'members'."
    );
    let (status, body) = s
        .add_member(&sales, "00000000-0000-0000-0000-000000000001")
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    let (status, body) = s.add_member(&dynamic, &outsider).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    let (status, _) = s
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/groups/{sales}/members/$ref"),
            Some(json!({ "@odata.id": "nonsense" })),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    // Nothing above changed anyone's membership.
    assert_eq!(s.sim.tenant().groups, t.groups);
}

#[tokio::test]
async fn a_new_member_is_pending_then_active_and_the_seat_is_counted_only_then() {
    let s = Sim::start().await;
    let sales = s.group("Sales");
    let person = s
        .sim
        .tenant()
        .users
        .iter()
        .find(|u| u.licenses.is_empty() && u.group_errors.is_empty() && u.usage_location.is_some())
        .expect("unlicensed")
        .id
        .clone();
    let before = s.consumed(SPE_E3).await;
    let (status, _) = s.add_member(&sales, &person).await;
    assert_eq!(status, 204);
    // Pending: no state from the group yet, no seat, the group processing.
    assert!(s.states(&person).await.is_empty());
    assert_eq!(s.consumed(SPE_E3).await, before);
    let (_, group) = s
        .get(&format!(
            "/v1.0/groups/{sales}?$select=id,licenseProcessingState"
        ))
        .await;
    assert_eq!(
        group["licenseProcessingState"]["state"],
        "ProcessingInProgress"
    );

    tokio::time::sleep(Duration::from_millis(DELAY_MS + 100)).await;
    let states = s.states(&person).await;
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0]["state"], "Active");
    assert_eq!(states[0]["assignedByGroup"], sales.as_str());
    assert_eq!(s.consumed(SPE_E3).await, before + 1);

    let (status, _) = s.remove_member(&sales, &person).await;
    assert_eq!(status, 204);
    assert_eq!(
        s.consumed(SPE_E3).await,
        before + 1,
        "still held until processed"
    );
    tokio::time::sleep(Duration::from_millis(DELAY_MS + 100)).await;
    assert!(s.states(&person).await.is_empty());
    assert_eq!(s.consumed(SPE_E3).await, before);
}

#[tokio::test]
async fn a_count_violation_is_fixed_by_freeing_a_seat_and_reprocessing() {
    let s = Sim::start().await;
    let support = s.group("Support");
    let t = s.sim.tenant();
    let waiting = t
        .users
        .iter()
        .find(|u| {
            u.group_errors
                .iter()
                .any(|e| e.group_id == support && e.error == "CountViolation")
        })
        .expect("in CountViolation")
        .id
        .clone();
    let holder = t
        .users
        .iter()
        .find(|u| {
            u.licenses
                .iter()
                .any(|l| l.assigned_by_group.as_deref() == Some(support.as_str()))
        })
        .expect("holder")
        .id
        .clone();
    let (status, _) = s.remove_member(&support, &holder).await;
    assert_eq!(status, 204);
    tokio::time::sleep(Duration::from_millis(DELAY_MS + 100)).await;
    let states = s.states(&waiting).await;
    assert!(
        states
            .iter()
            .any(|st| st["error"] == "CountViolation" && st["state"] == "Error"),
        "a freed seat alone changes nothing: {states:?}"
    );
    let (status, user) = s
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/users/{waiting}/reprocessLicenseAssignment"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(user["id"], waiting.as_str());
    tokio::time::sleep(Duration::from_millis(DELAY_MS + 100)).await;
    let states = s.states(&waiting).await;
    assert!(
        states
            .iter()
            .any(|st| st["assignedByGroup"] == support.as_str() && st["state"] == "Active"),
        "{states:?}"
    );
    let t = s.sim.tenant();
    assert_eq!(t.consumed_units(), t.recount_consumed());
}

#[tokio::test]
async fn membership_changes_go_in_a_batch_and_a_group_license_reaches_its_members() {
    let s = Sim::start().await;
    let sales = s.group("Sales");
    let people: Vec<String> = s
        .sim
        .tenant()
        .users
        .iter()
        .filter(|u| u.licenses.is_empty())
        .take(3)
        .map(|u| u.id.clone())
        .collect();
    let requests: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "id": i.to_string(),
                "method": "POST",
                "url": format!("/groups/{sales}/members/$ref"),
                "headers": {"Content-Type": "application/json"},
                "body": {"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{p}")},
            })
        })
        .collect();
    let (status, body) = s
        .send(
            reqwest::Method::POST,
            "/v1.0/$batch",
            Some(json!({ "requests": requests })),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    let statuses: Vec<u64> = body["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| r["status"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(statuses, vec![204, 204, 204]);

    // The group now also gives Power Automate Free: every member gets it after processing.
    let (status, group) = s
        .send(
            reqwest::Method::POST,
            &format!("/v1.0/groups/{sales}/assignLicense"),
            Some(json!({"addLicenses": [{"skuId": FLOW_FREE, "disabledPlans": []}], "removeLicenses": []})),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["assignedLicenses"].as_array().map(Vec::len), Some(2));
    tokio::time::sleep(Duration::from_millis(DELAY_MS + 100)).await;
    let t = s.sim.tenant();
    let g = t.groups.iter().find(|g| g.id == sales).expect("sales");
    for m in &g.members {
        let u = t.user(m).expect("member");
        assert!(
            u.licenses
                .iter()
                .any(|l| l.sku_id == FLOW_FREE
                    && l.assigned_by_group.as_deref() == Some(sales.as_str())),
            "{}",
            u.user_principal_name
        );
    }
    assert_eq!(t.consumed_units(), t.recount_consumed());
}
