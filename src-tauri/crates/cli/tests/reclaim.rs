//! `reclaim`, prices, thresholds and `check`, against `sim serve` with scenarios built for
//! each case; what reached "Graph" is read from the emulator's request log.

use std::collections::{BTreeMap, BTreeSet};

mod common;

use serde_json::{Value, json};

use common::{Sim, sim};

const DOMAIN: &str = "fabrikam.onmicrosoft.com";

fn person(alias: &str, created: f64, licenses: &[&str], extra: Value) -> Value {
    let mut p = json!({
        "userPrincipalName": format!("{alias}@{DOMAIN}"),
        "department": "Sales",
        "usageLocation": "NL",
        "createdDaysAgo": created,
        "licenses": licenses,
    });
    if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
        p.extend(extra.clone());
    }
    p
}

/// A tenant of only these people, with or without Entra ID P1. Without it, as in Graph, the
/// tenant holds no plan that brings P1: Office 365 E3 stands in for Microsoft 365 E3, and the
/// plan it covers is Exchange Online (Plan 2).
fn scenario(premium: bool) -> Value {
    let active = json!({"lastSignInDaysAgo": 1, "lastSuccessfulSignInDaysAgo": 1});
    let e3 = if premium { "SPE_E3" } else { "ENTERPRISEPACK" };
    let covered = if premium {
        "ENTERPRISEPACK"
    } else {
        "EXCHANGEENTERPRISE"
    };
    json!({
        "name": "reclaim-edges",
        "tenant": {
            "displayName": "Fabrikam",
            "domain": DOMAIN,
            "tenantId": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
            "seed": 7,
            "users": 0,
            "entraIdPremium": premium,
            "people": [
                person("disabled", 400.0, &[e3], json!({"accountEnabled": false, "lastSuccessfulSignInDaysAgo": 3})),
                person("exactly", 400.0, &[e3], json!({"lastSignInDaysAgo": 90, "lastSuccessfulSignInDaysAgo": 90})),
                person("recent", 400.0, &[e3], json!({"lastSignInDaysAgo": 89, "lastSuccessfulSignInDaysAgo": 89})),
                person("new", 89.0, &[e3], json!({})),
                person("never", 90.0, &[e3], json!({})),
                person("phone", 400.0, &[e3], json!({"lastNonInteractiveSignInDaysAgo": 3, "lastSuccessfulSignInDaysAgo": 3})),
                person("failed", 400.0, &[e3], json!({"lastSignInDaysAgo": 1, "lastSuccessfulSignInDaysAgo": 120})),
                person("double", 400.0, &[covered, e3], active.clone()),
                person("busy", 400.0, &[e3, "POWER_BI_PRO"], active),
            ]
        }
    })
}

fn found(report: &Value) -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut out: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for c in report["candidates"].as_array().expect("candidates") {
        let upn = c["userPrincipalName"].as_str().unwrap_or_default();
        out.entry(upn.split('@').next().unwrap_or_default().to_string())
            .or_default()
            .insert((
                c["skuPartNumber"].as_str().unwrap_or_default().into(),
                c["reason"].as_str().unwrap_or_default().into(),
            ));
    }
    out
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

#[test]
fn each_reason_on_people_built_for_it_at_its_edges() {
    let sim = sim(&scenario(true), "edges");
    let report = sim.json(&["reclaim", "--dry-run"], 0);
    assert_eq!(report["signInActivity"], "available");
    let expected = BTreeMap::from([
        ("disabled".to_string(), set(&[("SPE_E3", "disabled")])),
        ("exactly".to_string(), set(&[("SPE_E3", "inactive")])),
        ("never".to_string(), set(&[("SPE_E3", "neverSignedIn")])),
        ("failed".to_string(), set(&[("SPE_E3", "inactive")])),
        (
            "double".to_string(),
            set(&[("ENTERPRISEPACK", "redundant")]),
        ),
    ]);
    assert_eq!(found(&report), expected, "{report}");
    // Left out, and why: `recent` signed in 89 days ago, `new` was created 89 days ago,
    // `phone` signs in non-interactively.
    let failed = report["candidates"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["userPrincipalName"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("failed@"))
            })
        })
        .expect("failed");
    let last = failed["lastSignIn"].as_str().expect("a date");
    let days = (chrono::Utc::now()
        - chrono::DateTime::parse_from_rfc3339(last)
            .expect("date")
            .with_timezone(&chrono::Utc))
    .num_days();
    assert_eq!(days, 120, "the last *successful* sign-in: {failed}");
    // Only the asked reasons.
    let only = sim.json(&["reclaim", "--dry-run", "--disabled", "--redundant"], 0);
    assert_eq!(found(&only).len(), 2, "{only}");
    let shorter = sim.json(&["reclaim", "--dry-run", "--inactive-days", "30"], 0);
    assert!(found(&shorter).contains_key("recent"), "{shorter}");
    // A dry run sends nothing.
    assert!(!sim.requests().iter().any(|r| r["method"] != "GET"));
}

#[test]
fn a_reclaim_applied_and_undone_leaves_everyone_as_before() {
    let sim = sim(&scenario(true), "undo");
    // Everyone with their licenses in one order (a license given back is listed last).
    let users = |sim: &Sim| {
        let mut all = sim.json(&["users"], 0);
        for u in all.as_array_mut().into_iter().flatten() {
            if let Some(l) = u["licenses"].as_array_mut() {
                l.sort_by_key(|l| l["skuId"].as_str().unwrap_or_default().to_string());
            }
        }
        all
    };
    let before = users(&sim);
    let applied = sim.json(&["reclaim", "--yes"], 0);
    let run = applied["runId"].as_str().expect("runId").to_string();
    let writes: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| {
            r["method"] == "POST"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.contains("/assignLicense"))
        })
        .collect();
    assert_eq!(
        writes.len(),
        5,
        "one removal each for five people: {writes:?}"
    );
    let removed: BTreeSet<String> = writes
        .iter()
        .flat_map(|w| {
            w["body"]["removeLicenses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(removed.len(), 2, "E3 and Office 365 E3: {removed:?}");
    let after = users(&sim);
    assert_ne!(before, after);

    let undone = sim.json(&["undo", &run], 0);
    assert!(undone["runId"].is_string(), "{undone}");
    let back: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| {
            r["method"] == "POST"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.contains("/assignLicense"))
        })
        .skip(5)
        .collect();
    assert_eq!(back.len(), 5, "one give-back each: {back:?}");
    let paths: BTreeSet<&str> = back.iter().filter_map(|r| r["path"].as_str()).collect();
    assert_eq!(paths.len(), 5, "nobody twice");
    assert_eq!(users(&sim), before, "everyone as before");
}

#[test]
fn without_entra_id_p1_it_says_what_is_missing_and_still_finds_disabled_and_redundant() {
    let sim = sim(&scenario(false), "nop1");
    let report = sim.json(&["reclaim", "--dry-run"], 0);
    assert_eq!(report["signInActivity"], "unavailable");
    assert!(
        report["signInActivityWhy"]
            .as_str()
            .is_some_and(|w| w.contains("P1")),
        "{report}"
    );
    let expected = BTreeMap::from([
        (
            "disabled".to_string(),
            set(&[("ENTERPRISEPACK", "disabled")]),
        ),
        (
            "double".to_string(),
            set(&[("EXCHANGEENTERPRISE", "redundant")]),
        ),
    ]);
    assert_eq!(found(&report), expected);
    let text = sim.run(&["reclaim", "--dry-run"]);
    let said = String::from_utf8_lossy(&text.stderr);
    assert!(said.contains("Microsoft Entra ID P1 or P2"), "{said}");
    assert_eq!(
        report["neverSignedInFrom"],
        Value::Null,
        "not guessed unless asked"
    );

    // Asked for: never signed in from the creation date alone, and said so. Everyone created
    // at least 90 days ago is listed, even people who signed in yesterday (the data is not
    // there to tell); the person created 89 days ago is not.
    let guessed = sim.json(&["reclaim", "--guess-never-signed-in", "--dry-run"], 0);
    assert_eq!(guessed["neverSignedInFrom"], "creationDate");
    let found = found(&guessed);
    for upn in ["never", "recent", "exactly"] {
        assert_eq!(
            found.get(upn),
            Some(&set(&[("ENTERPRISEPACK", "neverSignedIn")])),
            "{upn}: {guessed}"
        );
    }
    assert!(!found.contains_key("new"), "{guessed}");
    assert_eq!(
        found.get("disabled"),
        Some(&set(&[("ENTERPRISEPACK", "disabled")]))
    );
    let text = sim.run(&["reclaim", "--guess-never-signed-in", "--dry-run"]);
    let said = String::from_utf8_lossy(&text.stderr);
    assert!(said.contains("guessed from the creation date"), "{said}");
}

#[test]
fn a_bad_price_file_is_refused_whole_and_the_prices_stay() {
    let sim = sim(&json!("demo"), "prices");
    let good = sim.home.join("good.csv");
    std::fs::write(
        &good,
        "Plan;Prijs;Valuta\nMicrosoft 365 E3;33,75;EUR\nSPE_E5;54,75;EUR\n",
    )
    .expect("file");
    sim.json(&["prices", "import", good.to_str().expect("path")], 0);
    let kept = sim.json(&["prices"], 0);
    assert_eq!(kept.as_array().map(Vec::len), Some(2));

    let bad = sim.home.join("bad.csv");
    std::fs::write(
        &bad,
        "plan,price,currency\nPOWER_BI_PRO,13.70,EUR\nUnicorn Plan,4,EUR\nVISIOCLIENT,-1,EUR\nSPE_E3,lots,EUR\nSPB,20,USD\n",
    )
    .expect("file");
    let out = sim.run(&["prices", "import", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "bad.csv",
        "line 3: 'Unicorn Plan' is not one of the tenant's plans",
        "line 4: price '-1' is negative",
        "line 5: price 'lots' is not a number",
        "line 6: in USD, but line 2 is in EUR",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    assert_eq!(
        sim.json(&["prices"], 0),
        kept,
        "nothing saved from a refused file"
    );

    let costs = sim.json(&["costs"], 0);
    let e3 = costs
        .as_array()
        .and_then(|c| c.iter().find(|c| c["skuPartNumber"] == "SPE_E3"))
        .expect("E3");
    let bought = e3["assigned"].as_f64().unwrap_or(0.0) + e3["unassigned"].as_f64().unwrap_or(0.0);
    assert!(
        (e3["monthlyCost"].as_f64().unwrap_or(0.0) - 33.75 * bought).abs() < 0.001,
        "{e3}"
    );
    assert!(
        (e3["unassignedCost"].as_f64().unwrap_or(0.0) - 33.75 * 2.0).abs() < 0.001,
        "{e3}"
    );
}

#[test]
fn check_fails_for_a_plan_under_its_threshold_or_an_unmarked_ending_and_passes_when_clear() {
    let sim = sim(&json!("demo"), "check");
    // Nothing ends within 5 days and no threshold is set.
    sim.json(&["check", "--within", "5"], 0);
    sim.json(&["thresholds", "set", "SPE_E3", "5"], 0);
    let report = sim.json(&["check", "--within", "5"], 1);
    assert_eq!(report["plans"][0]["skuPartNumber"], "SPE_E3");
    assert_eq!(report["plans"][0]["free"], 2);
    assert_eq!(report["plans"][0]["threshold"], "5");
    sim.json(&["thresholds", "set", "SPE_E3", "1%"], 0);
    sim.json(&["check", "--within", "5"], 0);

    // Four subscriptions reach their date within 30 days; marked, they stop warning.
    let report = sim.json(&["check"], 1);
    let ending: Vec<String> = report["subscriptions"]
        .as_array()
        .expect("subscriptions")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ending.len(), 4, "{report}");
    for id in &ending {
        sim.json(&["subscriptions", "mark", id, "auto-renews"], 0);
    }
    sim.json(&["check"], 0);
    let subs = sim.json(&["subscriptions"], 0);
    let first = &subs[0];
    for key in [
        "id",
        "skuId",
        "skuPartNumber",
        "status",
        "totalLicenses",
        "isTrial",
        "createdDateTime",
        "nextLifecycleDateTime",
        "daysLeft",
    ] {
        assert!(first.get(key).is_some(), "{key}: {first}");
    }
    let bad = sim.run(&["thresholds", "set", "SPE_E3", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Exclusions from the CLI: who is added must exist (a typing error changes nothing), a group
/// leaves out everyone in it — even for licenses held directly — and removing one proposes
/// them again.
#[test]
fn exclusions_are_checked_kept_cover_a_groups_people_and_can_be_removed() {
    let sim = sim(&json!("demo"), "exclusions");
    let proposed = |sim: &Sim| -> BTreeSet<String> {
        let report = sim.json(&["reclaim", "--dry-run"], 0);
        report["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .filter(|c| c["reason"] != "fromGroup")
            .filter_map(|c| c["userPrincipalName"].as_str().map(str::to_string))
            .collect()
    };
    let before = proposed(&sim);
    let someone = before.iter().next().expect("the demo has waste").clone();

    // A name nobody has: refused, nothing kept.
    let out = sim.run(&[
        "exclusions",
        "add",
        "nobody@contoso.onmicrosoft.com",
        "--reason",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No one is called"));
    let out = sim.run(&[
        "exclusions",
        "add",
        "No such group",
        "--group",
        "--reason",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sim.json(&["exclusions"], 0), json!([]));

    // Someone with a wasted direct license joins a group; leaving out the group leaves them out.
    let groups = sim.json(&["groups"], 0);
    let group = groups[0]["displayName"]
        .as_str()
        .expect("a group")
        .to_string();
    sim.json(&["add-to-group", &someone, &group, "--yes"], 0);
    assert!(
        proposed(&sim).contains(&someone),
        "still proposed before the exclusion"
    );
    let kept = sim.json(
        &[
            "exclusions",
            "add",
            &group,
            "--group",
            "--reason",
            "on leave",
        ],
        0,
    );
    assert_eq!(kept[0]["kind"], "group");
    assert_eq!(kept[0]["name"], group.as_str());
    assert_eq!(kept[0]["reason"], "on leave");
    assert!(
        !proposed(&sim).contains(&someone),
        "left out with their group"
    );

    // Removed (by the key listed): proposed again. An unknown key is refused.
    let key = kept[0]["key"].as_str().expect("key").to_string();
    assert_eq!(
        sim.run(&["exclusions", "remove", "no-such-key"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(sim.json(&["exclusions", "remove", &key], 0), json!([]));
    assert!(proposed(&sim).contains(&someone));
}
