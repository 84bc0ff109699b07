//! `groups`, `group GROUP` and `reprocess` against `sim serve` (the demo tenant with group
//! processing made quick): what reached "Graph" is read from the emulator's request log.

mod common;

use serde_json::{Value, json};

const DELAY_MS: u64 = 300;

/// The demo scenario with group licensing processed after DELAY_MS.
fn quick_demo() -> Value {
    let mut demo: Value =
        serde_json::from_str(include_str!("../../graph-sim/scenarios/demo.json")).expect("demo");
    demo["lag"] = json!({ "groupProcessingMs": DELAY_MS });
    demo
}

use common::{Sim, sim};

const SUPPORT: &str = "Support – Exchange Online (Plan 2)";

#[test]
fn groups_list_their_plans_members_errors_and_rules() {
    let s = sim(&quick_demo(), "list");
    let groups = s.json(&["groups"], 0);
    let groups = groups.as_array().expect("groups");
    assert_eq!(groups.len(), 4, "{groups:?}");
    let support = groups
        .iter()
        .find(|g| g["displayName"] == SUPPORT)
        .expect("support");
    assert_eq!(
        support["licenses"][0]["skuPartNumber"],
        "EXCHANGEENTERPRISE"
    );
    let members = support["members"].as_u64().expect("members");
    let in_error = support["inError"].as_u64().expect("inError");
    assert!(in_error > 0 && in_error < members, "{support}");
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
        reception["licenses"][0]["disabledPlans"],
        json!(["EXCHANGE_S_STANDARD"])
    );
    let dynamic = groups
        .iter()
        .find(|g| !g["membershipRule"].is_null())
        .expect("dynamic");
    assert_eq!(dynamic["inError"], 0);

    // One group's people in error, each with why and the fix.
    let group = s.json(&["group", SUPPORT, "--errors"], 0);
    let people = group["members"].as_array().expect("members");
    assert_eq!(people.len() as u64, in_error);
    for p in people {
        assert_eq!(p["state"], "error");
        assert!(p["why"].as_str().is_some_and(|w| !w.is_empty()), "{p}");
        assert!(
            p["fix"].as_str().is_some_and(|f| f.contains("reprocess")),
            "{p}"
        );
    }
    let codes: std::collections::BTreeSet<&str> =
        people.iter().filter_map(|p| p["error"].as_str()).collect();
    assert_eq!(
        codes,
        ["CountViolation", "MutuallyExclusiveViolation"]
            .into_iter()
            .collect()
    );
    // By id as well as by name; an unknown name is a usage error naming the command to list.
    let id = support["id"].as_str().expect("id");
    assert_eq!(s.json(&["group", id], 0)["displayName"], SUPPORT);
    let out = s.run(&["group", "No such group"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("licensedesk-cli groups"));
}

#[test]
fn a_freed_seat_and_a_reprocess_fix_one_count_violation() {
    let s = sim(&quick_demo(), "reprocess");
    let before = s.json(&["group", SUPPORT, "--errors"], 0);
    let waiting: Vec<String> = before["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|p| p["error"] == "CountViolation")
        .map(|p| p["userPrincipalName"].as_str().expect("upn").to_string())
        .collect();
    assert!(waiting.len() > 1);
    let everyone = s.json(&["group", SUPPORT], 0);
    let holder = everyone["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|p| p["state"] == "active")
        .expect("a holder")["userPrincipalName"]
        .as_str()
        .expect("upn")
        .to_string();

    // Without --yes, and no one at the keyboard: refused, nothing sent.
    let sent = s.requests().len();
    let out = s.run(&["reprocess", "--errors", "--group", SUPPORT]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !s.requests()[sent..].iter().any(|r| r["method"] == "POST"),
        "nothing was sent"
    );
    // A dry run lists who would be reprocessed.
    let dry = s.json(
        &["reprocess", "--errors", "--group", SUPPORT, "--dry-run"],
        0,
    );
    assert_eq!(
        dry["people"].as_array().map(Vec::len),
        before["members"].as_array().map(Vec::len)
    );

    // Free one seat: the holder leaves the group (through Graph), and is processed.
    let support_id = before["id"].as_str().expect("id");
    let holder_id = s.json(&["user", &holder], 0)["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        s.delete(&format!(
            "/v1.0/groups/{support_id}/members/{holder_id}/$ref"
        )),
        204
    );
    std::thread::sleep(std::time::Duration::from_millis(DELAY_MS + 200));
    // A freed seat alone changes nothing.
    let still = s.json(&["group", SUPPORT, "--errors"], 0);
    assert_eq!(still["members"], before["members"]);

    let sent = s.requests().len();
    let done = s.json(&["reprocess", "--errors", "--group", SUPPORT, "--yes"], 0);
    let reprocessed = done["reprocessed"].as_array().expect("reprocessed").len();
    assert_eq!(reprocessed, before["members"].as_array().expect("m").len());
    let posts: Vec<String> = s.requests()[sent..]
        .iter()
        .filter(|r| r["method"] == "POST")
        .map(|r| r["path"].as_str().expect("path").to_string())
        .collect();
    assert_eq!(posts.len(), reprocessed, "each person once: {posts:?}");
    assert!(
        posts
            .iter()
            .all(|p| p.ends_with("/reprocessLicenseAssignment"))
    );
    std::thread::sleep(std::time::Duration::from_millis(DELAY_MS + 200));
    let after = s.json(&["group", SUPPORT, "--errors"], 0);
    let count_violations = |v: &Value| {
        v["members"]
            .as_array()
            .expect("m")
            .iter()
            .filter(|p| p["error"] == "CountViolation")
            .count()
    };
    assert_eq!(
        count_violations(&after),
        waiting.len() - 1,
        "one seat, one person"
    );
    // The seats Graph counts match: every seat given, none over.
    let skus = s.json(&["skus"], 0);
    let plan2 = skus
        .as_array()
        .expect("skus")
        .iter()
        .find(|k| k["skuPartNumber"] == "EXCHANGEENTERPRISE")
        .expect("plan 2");
    assert!(plan2["consumed"].is_i64(), "{plan2}");
    assert_eq!(plan2["consumed"], plan2["enabled"]);
}

#[test]
fn a_membership_run_is_planned_journaled_and_undone_each_write_once() {
    let s = sim(&quick_demo(), "membership");
    let unlicensed = s.json(&["users", "--unlicensed"], 0);
    let people: Vec<String> = unlicensed
        .as_array()
        .expect("users")
        .iter()
        .take(2)
        .map(|u| u["userPrincipalName"].as_str().expect("upn").to_string())
        .collect();
    let sales = "Sales – Microsoft 365 E3";
    let e3_free = |s: &Sim| {
        let skus = s.json(&["skus"], 0);
        let e3 = skus
            .as_array()
            .expect("skus")
            .iter()
            .find(|k| k["skuPartNumber"] == "SPE_E3")
            .cloned()
            .expect("e3");
        e3["free"].as_i64().expect("free")
    };
    let free_before = e3_free(&s);

    let mut args: Vec<&str> = vec!["add-to-group"];
    args.extend(people.iter().map(String::as_str));
    args.push(sales);
    // Planned first: a dry run sends nothing and shows the seats the group will take.
    let mut dry = args.clone();
    dry.push("--dry-run");
    let sent = s.requests().len();
    let plan = s.json(&dry, 0);
    assert!(s.requests()[sent..].iter().all(|r| r["method"] == "GET"));
    assert_eq!(plan["seats"][0]["taken"], 2, "{plan}");
    assert!(
        plan["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["action"] == "membership" && c["joinGroups"] == json!([sales]))
    );

    let mut apply = args.clone();
    apply.push("--yes");
    let sent = s.requests().len();
    let done = s.json(&apply, 0);
    let run = done["runId"].as_str().expect("runId").to_string();
    let writes: Vec<Value> = s.requests()[sent..]
        .iter()
        // The writes themselves (inside `$batch` envelopes), not the envelopes.
        .filter(|r| {
            r["method"] != "GET" && !r["path"].as_str().unwrap_or_default().ends_with("$batch")
        })
        .cloned()
        .collect();
    assert_eq!(writes.len(), 2, "one $ref add per person: {writes:?}");
    assert!(writes.iter().all(|w| w["inBatch"] == true), "{writes:?}");
    assert!(writes.iter().all(|w| {
        w["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/members/$ref"))
            && w["status"] == 204
    }));

    // Pending, then active with a seat each.
    std::thread::sleep(std::time::Duration::from_millis(DELAY_MS + 200));
    let group = s.json(&["group", sales], 0);
    for p in &people {
        let m = group["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["userPrincipalName"] == p.as_str())
            .expect("a member now");
        assert_eq!(m["state"], "active", "{m}");
    }
    assert_eq!(e3_free(&s), free_before - 2);
    let shown = s.json(&["run", &run], 0);
    assert!(shown.to_string().contains("membership"), "{shown}");

    // Undo: each membership removed once, the seats back.
    let sent = s.requests().len();
    let undone = s.json(&["undo", &run], 0);
    assert!(undone["runId"].is_string(), "{undone}");
    let removes: Vec<Value> = s.requests()[sent..]
        .iter()
        .filter(|r| {
            r["method"] != "GET" && !r["path"].as_str().unwrap_or_default().ends_with("$batch")
        })
        .cloned()
        .collect();
    assert_eq!(removes.len(), 2, "{removes:?}");
    assert!(
        removes
            .iter()
            .all(|w| w["method"] == "DELETE" && w["status"] == 204)
    );
    std::thread::sleep(std::time::Duration::from_millis(DELAY_MS + 200));
    assert_eq!(e3_free(&s), free_before);
    let group = s.json(&["group", sales], 0);
    assert!(
        !group["members"]
            .as_array()
            .expect("members")
            .iter()
            .any(|m| people.iter().any(|p| m["userPrincipalName"] == p.as_str()))
    );
}

#[test]
fn roles_are_imported_whole_or_not_at_all_and_give_their_plans_or_groups() {
    let s = sim(&quick_demo(), "roles");
    let good = json!({"roles": [
        {"name": "Sales", "plans": [{"sku": "Microsoft 365 E3", "disabledPlans": ["YAMMER_ENTERPRISE"]}]},
        {"name": "Support", "groups": [SUPPORT]},
    ]});
    let bad = json!({"roles": [
        {"name": "Sales", "plans": [{"sku": "SPE_E3"}]},
        {"name": "Old", "plans": [{"sku": "NO_SUCH_PLAN"}]},
        {"name": "Typo", "plans": [{"sku": "SPE_E3", "disabledPlans": ["YAMMER"]}]},
        {"name": "Lost", "groups": ["No such group"]},
    ]});
    let good_file = s.home.join("team-roles.json");
    let bad_file = s.home.join("bad-roles.json");
    std::fs::write(&good_file, good.to_string()).expect("write");
    std::fs::write(&bad_file, bad.to_string()).expect("write");

    assert_eq!(s.json(&["roles"], 0), json!([]));
    // Refused whole: every bad entry named by role, nothing kept.
    let out = s.run(&["roles", "import", bad_file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for named in [
        "role “Old”, plan 1 (NO_SUCH_PLAN)",
        "role “Typo”, app YAMMER in SPE_E3",
        "role “Lost”, group No such group",
    ] {
        assert!(err.contains(named), "{named}: {err}");
    }
    assert_eq!(s.json(&["roles"], 0), json!([]));

    let roles = s.json(&["roles", "import", good_file.to_str().expect("path")], 0);
    assert_eq!(roles.as_array().map(Vec::len), Some(2));
    assert!(
        roles
            .as_array()
            .expect("roles")
            .iter()
            .all(|r| r["problems"] == json!([]))
    );
    // Exported, it reads back the same.
    let exported = s.home.join("exported.json");
    s.json(&["roles", "export", exported.to_str().expect("path")], 0);
    let back: Value =
        serde_json::from_slice(&std::fs::read(&exported).expect("read")).expect("json");
    assert_eq!(
        back["roles"][0]["plans"][0]["disabledPlans"],
        json!(["YAMMER_ENTERPRISE"])
    );
    assert_eq!(back["roles"][1]["groups"], json!([SUPPORT]));

    // A role's plan with its app off, to one person.
    let person = s
        .json(&["users", "--unlicensed"], 0)
        .as_array()
        .expect("users")
        .iter()
        .find(|u| !u["usageLocation"].is_null())
        .expect("someone with a usage location")["userPrincipalName"]
        .as_str()
        .expect("upn")
        .to_string();
    let sent = s.requests().len();
    let given = s.json(&["assign", &person, "--role", "sales"], 0);
    assert_eq!(given["changes"][0]["action"], "add", "{given}");
    let bodies: Vec<String> = s.requests()[sent..]
        .iter()
        .filter(|r| r["method"] == "POST")
        .map(|r| r["body"].to_string())
        .collect();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("7547a3fe-08ee-4ccb-b430-5077c5041653")),
        "Viva Engage (Yammer) switched off: {bodies:?}"
    );

    // A role that gives a group, to a department: a membership plan.
    let plan = s.json(
        &[
            "assign-all",
            "--role",
            "Support",
            "--department",
            "Legal",
            "--dry-run",
        ],
        0,
    );
    let changes = plan["changes"].as_array().expect("changes");
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c["action"] == "membership" && c["joinGroups"] == json!([SUPPORT])),
        "{plan}"
    );

    // An HR file's "functie" column, and --role for every row of a file without one.
    let others: Vec<String> = s
        .json(&["users", "--unlicensed"], 0)
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| !u["usageLocation"].is_null() && u["userPrincipalName"] != person.as_str())
        .take(2)
        .map(|u| u["userPrincipalName"].as_str().expect("upn").to_string())
        .collect();
    let hr = s.home.join("starters.csv");
    std::fs::write(
        &hr,
        format!(
            "E-mailadres;Functie\n{};Sales\n{};Kantine\n",
            others[0], others[1]
        ),
    )
    .expect("write");
    // The row naming no role is refused with the roles there are; the file is not planned.
    let read = s
        .json(&["import", hr.to_str().expect("path")], 1)
        .to_string();
    assert!(
        read.contains("unknownRole") && read.contains("Kantine"),
        "{read}"
    );
    assert_eq!(
        s.run(&["plan", hr.to_str().expect("path")]).status.code(),
        Some(1)
    );
    std::fs::write(&hr, format!("E-mailadres;Functie\n{};Sales\n", others[0])).expect("write");
    let planned = s.json(&["plan", hr.to_str().expect("path")], 0);
    let changes = planned["changes"].as_array().expect("changes");
    let adds: Vec<&Value> = changes.iter().filter(|c| c["action"] == "add").collect();
    assert_eq!(adds.len(), 1, "{planned}");
    assert_eq!(adds[0]["userPrincipalName"], others[0].as_str());
    assert_eq!(adds[0]["add"], json!(["SPE_E3"]), "{planned}");
    let plain = s.home.join("plain.csv");
    std::fs::write(&plain, format!("User\n{}\n", others[1])).expect("write");
    let planned = s.json(
        &["plan", plain.to_str().expect("path"), "--role", "Sales"],
        0,
    );
    assert_eq!(planned["changes"][0]["action"], "add", "{planned}");
    assert_eq!(
        planned["changes"][0]["userPrincipalName"],
        others[1].as_str()
    );
    assert_eq!(planned["changes"][0]["add"], json!(["SPE_E3"]), "{planned}");

    // An unknown role is a usage error, and nothing is sent.
    let sent = s.requests().len();
    assert_eq!(
        s.run(&["assign", &person, "--role", "Nobody"])
            .status
            .code(),
        Some(2)
    );
    assert!(s.requests()[sent..].iter().all(|r| r["method"] == "GET"));
}

/// Many people named by user principal name: the directory is read in slices by first letter
/// side by side (every slice a default query), everyone named is planned, and a name no one
/// has is refused by name with nothing sent.
#[test]
fn many_people_are_read_in_slices_and_a_wrong_name_changes_nothing() {
    let s = sim(&quick_demo(), "many");
    // People not in the Support group yet (the unlicensed first), 120 of them.
    let everyone = s.json(&["users"], 0);
    let mut people: Vec<String> = everyone
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| {
            !u.to_string().contains("Exchange Online (Plan 2)")
                && !u.to_string().contains("EXCHANGEENTERPRISE")
        })
        .map(|u| u["userPrincipalName"].as_str().expect("upn").to_string())
        .collect();
    people.truncate(120);
    assert_eq!(people.len(), 120);
    let sent = s.requests().len();
    let mut args: Vec<&str> = vec!["add-to-group"];
    args.extend(people.iter().map(String::as_str));
    args.extend([SUPPORT, "--dry-run"]);
    let plan = s.json(&args, 0);
    let planned = plan["changes"].as_array().expect("changes");
    assert_eq!(planned.len(), 120, "{plan}");
    let log = s.requests();
    let slices = log[sent..]
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("startswith")))
        .count();
    assert!(slices >= 26, "the directory read in slices: {slices}");
    assert!(log[sent..].iter().all(|r| r["method"] == "GET"));

    // One name nobody has: refused by name, nothing sent.
    let mut wrong = args.clone();
    wrong.insert(1, "nobody.here@contoso.onmicrosoft.com");
    let sent = s.requests().len();
    let out = s.run(&wrong);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody.here@contoso.onmicrosoft.com"));
    assert!(s.requests()[sent..].iter().all(|r| r["method"] == "GET"));
}
