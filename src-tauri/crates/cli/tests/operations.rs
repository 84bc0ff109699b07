//! Finding people and changing their licenses with the CLI against `sim serve` (a separate
//! emulator process, so each command sees what the ones before it changed), as a script would.

mod common;

use serde_json::Value;

use common::Sim;

fn sim() -> Sim {
    common::sim(&Value::String("demo".into()), "ops")
}

impl Sim {
    fn users(&self, filters: &[&str]) -> Vec<Value> {
        let mut args = vec!["users"];
        args.extend_from_slice(filters);
        self.json(&args, 0).as_array().expect("array").clone()
    }

    fn free(&self, part: &str) -> i64 {
        self.json(&["skus"], 0)
            .as_array()
            .expect("array")
            .iter()
            .find(|s| s["skuPartNumber"] == part)
            .and_then(|s| s["free"].as_i64())
            .expect("plan")
    }
}

fn upn(user: &Value) -> &str {
    user["userPrincipalName"].as_str().expect("upn")
}

fn holds(user: &Value, part: &str) -> bool {
    user["licenses"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x["skuPartNumber"] == part))
}

#[test]
fn users_filters_keep_exactly_the_people_they_name() {
    let sim = sim();
    let everyone = sim.users(&[]);
    let unlicensed = sim.users(&["--unlicensed"]);
    assert!(!unlicensed.is_empty());
    assert_eq!(
        unlicensed.len(),
        everyone
            .iter()
            // None in place: a license a group could not give (with an error) is not one.
            .filter(|u| {
                u["licenses"]
                    .as_array()
                    .is_some_and(|l| l.iter().all(|x| x["error"].is_string()))
            })
            .count()
    );
    assert!(
        everyone.iter().any(|u| {
            u["licenses"]
                .as_array()
                .is_some_and(|l| l.iter().any(|x| x["error"] == "CountViolation"))
        }),
        "the demo shows a group licensing error"
    );
    let nowhere = sim.users(&["--no-usage-location"]);
    assert!(!nowhere.is_empty() && nowhere.iter().all(|u| u["usageLocation"].is_null()));
    let sales = sim.users(&["--department", "SALES"]);
    assert!(!sales.is_empty() && sales.iter().all(|u| u["department"] == "Sales"));
    let dutch = sim.users(&["--usage-location", "Nederland"]);
    assert!(!dutch.is_empty() && dutch.iter().all(|u| u["usageLocation"] == "NL"));
    let e3 = sim.users(&["--sku", "Microsoft 365 E3"]);
    assert_eq!(
        e3.len(),
        everyone.iter().filter(|u| holds(u, "SPE_E3")).count()
    );
    let both = sim.users(&["--unlicensed", "--department", "sales"]);
    assert!(both.len() <= sales.len() && both.iter().all(|u| u["department"] == "Sales"));

    // A plan name that fits two plans is a usage error listing them.
    let out = sim.run(&["users", "--sku", "E3"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("SPE_E3") && said.contains("ENTERPRISEPACK"),
        "{said}"
    );
}

#[test]
fn a_license_for_someone_without_a_usage_location_needs_one_first() {
    let sim = sim();
    let person = sim.users(&["--unlicensed", "--no-usage-location"])[0].clone();
    let who = upn(&person);

    let blocked = sim.json(&["assign", who, "Microsoft Teams Essentials"], 1);
    assert_eq!(blocked["changes"][0]["action"], "blocked");
    assert_eq!(blocked["changes"][0]["reasonCode"], "noUsageLocation");
    assert!(blocked["changes"][0]["status"] == "skipped");

    // A country that is not one: exit 2, nothing sent.
    let out = sim.run(&["set-location", who, "Narnia"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(sim.json(&["user", who], 0)["usageLocation"].is_null());

    let set = sim.json(&["set-location", who, "Nederland"], 0);
    assert_eq!(set["changes"][0]["setUsageLocation"], "NL");
    assert_eq!(set["changes"][0]["status"], "done");
    let given = sim.json(
        &["assign", who, "Teams_Ess", "--disable-plan", "teamsess"],
        0,
    );
    assert_eq!(given["changes"][0]["status"], "done");
    let now = sim.json(&["user", who], 0);
    assert_eq!(now["usageLocation"], "NL");
    let license = &now["licenses"][0];
    assert_eq!(license["skuPartNumber"], "Teams_Ess");
    let teams = license["servicePlans"]
        .as_array()
        .expect("service plans")
        .iter()
        .find(|p| p["servicePlanName"] == "TeamsEss")
        .expect("TeamsEss in Teams Essentials");
    assert_eq!(teams["enabled"], false);
}

#[test]
fn a_swap_into_a_full_plan_leaves_the_old_plan_and_one_with_seats_moves_them() {
    let sim = sim();
    let holder = sim
        .users(&["--sku", "ENTERPRISEPACK"])
        .into_iter()
        .find(|u| {
            u["licenses"].as_array().is_some_and(|l| {
                l.iter().any(|x| {
                    x["skuPartNumber"] == "ENTERPRISEPACK" && x["assignedByGroup"].is_null()
                })
            }) && !holds(u, "SPE_E5")
        })
        .expect("someone with Office 365 E3 directly");
    let who = upn(&holder).to_string();

    // Fill Microsoft 365 E5: every free seat to unlicensed people with a usage location.
    let free_e5 = sim.free("SPE_E5");
    let filled = sim.json(
        &[
            "assign-all",
            "--sku",
            "SPE_E5",
            "--unlicensed",
            "--set-usage-location",
            "NL",
            "--shortfall",
            "partial",
        ],
        1,
    );
    let given = filled["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["status"] == "done" && c["action"] == "add")
        .count() as i64;
    assert_eq!(given, free_e5, "as many as seats allow");
    assert_eq!(sim.free("SPE_E5"), 0);
    let left_out: Vec<&Value> = filled["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["reasonCode"] == "noSeat")
        .collect();
    assert!(!left_out.is_empty(), "whoever was left out is listed");
    // A usage location needs no seat: those left without one still get it.
    assert!(
        left_out
            .iter()
            .filter(|c| c["setUsageLocation"] == "NL")
            .all(|c| c["status"] == "done" && c["action"] == "none"),
        "{left_out:?}"
    );

    let refused = sim.json(
        &[
            "swap",
            &who,
            "--from",
            "Office 365 E3",
            "--to",
            "Microsoft 365 E5",
        ],
        1,
    );
    assert_eq!(refused["changes"][0]["action"], "blocked");
    let after = sim.json(&["user", &who], 0);
    assert!(holds(&after, "ENTERPRISEPACK"), "still has the old plan");
    assert!(!holds(&after, "SPE_E5"));

    // Free one E5 seat, then the swap goes through in one call and the seats follow.
    let someone_with_e5 = upn(&sim.users(&["--sku", "SPE_E5"])[0]).to_string();
    sim.json(&["remove", &someone_with_e5, "SPE_E5"], 0);
    let o365_before = sim.free("ENTERPRISEPACK");
    let swapped = sim.json(
        &["swap", &who, "--from", "ENTERPRISEPACK", "--to", "SPE_E5"],
        0,
    );
    assert_eq!(swapped["changes"][0]["action"], "swap");
    let after = sim.json(&["user", &who], 0);
    assert!(holds(&after, "SPE_E5") && !holds(&after, "ENTERPRISEPACK"));
    assert_eq!(sim.free("SPE_E5"), 0);
    assert_eq!(sim.free("ENTERPRISEPACK"), o365_before + 1);
}

#[test]
fn a_license_from_a_group_is_explained_not_removed() {
    let sim = sim();
    let member = sim
        .users(&[])
        .into_iter()
        .find(|u| {
            u["licenses"].as_array().is_some_and(|l| {
                l.len() == 1
                    && l[0]["skuPartNumber"] == "SPE_E3"
                    && !l[0]["assignedByGroup"].is_null()
            })
        })
        .expect("someone with E3 only from a group");
    let who = upn(&member);
    let refused = sim.json(&["remove", who, "SPE_E3"], 1);
    let change = &refused["changes"][0];
    assert_eq!(change["reasonCode"], "fromGroup");
    let reason = change["reason"].as_str().expect("reason");
    assert!(
        reason.contains("Sales – Microsoft 365 E3")
            && reason.contains("remove the person from that group"),
        "{reason}"
    );
    assert!(holds(&sim.json(&["user", who], 0), "SPE_E3"));
    let shown = sim.json(&["user", who], 0);
    assert_eq!(
        shown["licenses"][0]["assignedByGroupName"],
        "Sales – Microsoft 365 E3"
    );
}

#[test]
fn assign_all_dry_run_shows_the_plan_and_changes_nothing() {
    let sim = sim();
    let before = sim.json(&["skus"], 0);
    let plan = sim.json(
        &[
            "assign-all",
            "--sku",
            "SPE_E3",
            "--unlicensed",
            "--set-usage-location",
            "Duitsland",
            "--dry-run",
        ],
        0,
    );
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), sim.users(&["--unlicensed"]).len());
    for c in changes {
        for key in [
            "userPrincipalName",
            "action",
            "setUsageLocation",
            "add",
            "remove",
            "reason",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
        assert!(c.get("status").is_none(), "a dry run has no status");
    }
    let seats = &plan["seats"][0];
    for key in [
        "skuPartNumber",
        "freeBefore",
        "taken",
        "freed",
        "freeAfter",
        "shortfall",
    ] {
        assert!(seats.get(key).is_some(), "{key} missing in {seats}");
    }
    // The default shortfall policy is `none`: nobody gets a plan that is short.
    assert!(seats["shortfall"].as_i64() > Some(0));
    assert_eq!(seats["taken"], 0);
    assert_eq!(sim.json(&["skus"], 0), before, "nothing changed");
}

/// A Dutch HR file as Excel writes it on Western Windows: Windows-1252, semicolons, a title
/// line above the header, Dutch column names and country names, one row with a typo.
#[test]
fn an_hr_file_is_read_checked_planned_and_applied() {
    let sim = sim();
    let everyone = sim.users(&[]);
    let unlicensed: Vec<&Value> = everyone
        .iter()
        .filter(|u| {
            u["usageLocation"].is_null() && u["licenses"].as_array().is_some_and(Vec::is_empty)
        })
        .take(2)
        .collect();
    assert_eq!(
        unlicensed.len(),
        2,
        "two new starters without a usage location"
    );
    let (a, b) = (upn(unlicensed[0]), upn(unlicensed[1]));
    let typo = a.replacen('.', "", 1);
    let mut bytes =
        b"Nieuwe medewerkers december\r\nGebruikersnaam;Afdeling;Land;Licentie\r\n".to_vec();
    for (user, country) in [
        (a.to_uppercase().as_str(), "Nederland"),
        (b, "Belgi\u{eb}"),
        (typo.as_str(), "NL"),
    ] {
        let line = format!("{user};Verkoop;{country};Microsoft Teams Essentials\r\n");
        // Windows-1252: the one non-ASCII letter here, ë, is 0xEB.
        bytes.extend(
            line.chars()
                .map(|c| if c == '\u{eb}' { 0xEB } else { c as u8 }),
        );
    }
    let dir = std::env::temp_dir().join(format!("ld-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("nieuw.csv");
    std::fs::write(&file, &bytes).expect("file");
    let path = file.to_str().expect("path");

    // How it was read, the mapping, the rows: one cannot be used, so exit 1.
    let read = sim.json(&["import", path], 1);
    assert_eq!(read["encoding"], "Windows-1252");
    assert_eq!(read["delimiter"], ";");
    assert_eq!(read["headerRow"], 2);
    let fields: Vec<&Value> = read["mapping"]
        .as_array()
        .expect("mapping")
        .iter()
        .map(|m| &m["field"])
        .collect();
    assert_eq!(
        fields,
        [
            &Value::from("user"),
            &Value::from("department"),
            &Value::from("usageLocation"),
            &Value::from("addLicenses")
        ]
    );
    let rows = read["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["userPrincipalName"], a, "matched whatever the case");
    assert_eq!(rows[0]["usageLocation"], "NL");
    assert_eq!(rows[1]["usageLocation"], "BE");
    assert_eq!(rows[0]["addLicenses"], serde_json::json!(["Teams_Ess"]));
    assert_eq!(rows[2]["row"], 5);
    let issue = &rows[2]["issues"][0];
    assert_eq!(issue["severity"], "error");
    assert!(
        issue["message"].as_str().is_some_and(|m| m.contains(a)),
        "closest match: {issue}"
    );

    // The plan: the two good rows, usage locations set in the same run.
    let plan = sim.json(&["plan", path], 1);
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 2);
    assert!(
        changes
            .iter()
            .all(|c| c["action"] == "add" && c["setUsageLocation"].is_string())
    );
    let free_before = sim.free("Teams_Ess");

    // apply without --yes, not at a terminal: refused, nothing changed.
    let out = sim.run(&["apply", path]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sim.free("Teams_Ess"), free_before);

    let applied = sim.json(&["apply", path, "--yes"], 1);
    assert!(
        applied["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["status"] == "done")
    );
    assert_eq!(sim.free("Teams_Ess"), free_before - 2);
    let person = sim.json(&["user", b], 0);
    assert_eq!(person["usageLocation"], "BE");

    // A file that cannot be read is exit 2, before the tenant is asked anything.
    std::fs::write(dir.join("binary.csv"), [0u8, 1, 2, 3, 0, 0, 7]).expect("file");
    let out = sim.run(&["import", dir.join("binary.csv").to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a text file"));
    let _ = std::fs::remove_dir_all(&dir);
}
