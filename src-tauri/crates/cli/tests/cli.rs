//! The CLI contract scripts rely on: commands, JSON keys, exit codes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use graph_sim::{Scenario, Tenant};
use serde_json::Value;

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"));
    // Never read or write the real user's saved sign-in.
    c.env(
        "LICENSEDESK_CONFIG_DIR",
        std::env::temp_dir().join(format!("ld-cli-test-{}", std::process::id())),
    );
    c
}

fn run_json(args: &[&str]) -> Value {
    let out = cli().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

const SKU_KEYS: &[&str] = &[
    "skuId",
    "skuPartNumber",
    "displayName",
    "appliesTo",
    "capabilityStatus",
    "enabled",
    "consumed",
    "warning",
    "suspended",
    "lockedOut",
    "free",
    "freeWithGrace",
];

#[test]
fn demo_skus_json_has_the_contract_keys_and_the_demo_tenants_numbers() {
    let skus = run_json(&["--demo", "skus", "--json"]);
    let skus = skus.as_array().expect("array");
    let truth = Tenant::generate(&Scenario::demo().tenant);
    let consumed = truth.consumed_units();
    assert_eq!(skus.len(), truth.skus.len());
    for sku in skus {
        for key in SKU_KEYS {
            assert!(sku.get(*key).is_some(), "missing {key} in {sku}");
        }
        let id = sku["skuId"].as_str().expect("skuId");
        let sim = truth.sku(id).expect("known SKU");
        assert_eq!(sku["enabled"].as_i64(), Some(sim.enabled));
        assert_eq!(
            sku["consumed"].as_i64(),
            Some(consumed.get(id).copied().unwrap_or(0))
        );
        assert_eq!(sku["capabilityStatus"], sim.capability_status.as_str());
    }
    let e3 = skus
        .iter()
        .find(|s| s["skuPartNumber"] == "SPE_E3")
        .expect("E3");
    assert_eq!(e3["displayName"], "Microsoft 365 E3");
    assert_eq!(e3["free"], 2);
}

#[test]
fn demo_users_json_lists_everyone_with_licenses() {
    let users = run_json(&["--demo", "users", "--json"]);
    let users = users.as_array().expect("array");
    assert_eq!(users.len(), 250);
    for key in [
        "id",
        "userPrincipalName",
        "displayName",
        "department",
        "usageLocation",
        "accountEnabled",
        "licenses",
    ] {
        assert!(users[0].get(key).is_some(), "missing {key}");
    }
    let licensed = users
        .iter()
        .find(|u| u["licenses"].as_array().is_some_and(|l| !l.is_empty()))
        .expect("someone licensed");
    for key in [
        "skuId",
        "skuPartNumber",
        "displayName",
        "assignedByGroup",
        "disabledPlans",
    ] {
        assert!(licensed["licenses"][0].get(key).is_some(), "missing {key}");
    }
    assert!(users.iter().any(|u| u["usageLocation"].is_null()));
    assert!(users.iter().any(|u| {
        u["licenses"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x["assignedByGroup"].is_string()))
    }));
}

#[test]
fn text_output_is_a_readable_table() {
    let out = cli().args(["--demo", "skus"]).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Product"), "{text}");
    assert!(text.contains("Microsoft 365 E3"));
    assert!(text.contains("2 of "));
}

#[test]
fn sim_serve_and_a_token_from_the_environment_work_together() {
    let mut server = cli()
        .args(["sim", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let hello: Value = serde_json::from_str(&line).expect("one JSON line");
    let endpoint = hello["graphEndpoint"].as_str().expect("graphEndpoint");
    let token = hello["accessToken"].as_str().expect("accessToken");

    let out = cli()
        .args([
            "--graph-endpoint",
            endpoint,
            "--access-token-env",
            "LD_TEST_TOKEN",
            "skus",
            "--json",
        ])
        .env("LD_TEST_TOKEN", token)
        .output()
        .expect("runs");
    let wrong = cli()
        .args([
            "--graph-endpoint",
            endpoint,
            "--access-token-env",
            "LD_TEST_TOKEN",
            "skus",
        ])
        .env("LD_TEST_TOKEN", "wrong")
        .output()
        .expect("runs");
    let _ = server.kill();
    let _ = server.wait();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let skus: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(skus.as_array().map(Vec::len), Some(14));
    // Same numbers as the in-process demo.
    assert_eq!(skus, run_json(&["--demo", "skus", "--json"]));

    assert_eq!(wrong.status.code(), Some(1), "operation failed");
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains(token));
}

#[test]
fn usage_errors_exit_2_with_a_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&["skus"], "no tenant given"),
        (
            &["--access-token-env", "LD_SURELY_UNSET_VAR", "skus"],
            "LD_SURELY_UNSET_VAR",
        ),
        (
            &[
                "--graph-endpoint",
                "http://graph.example.com",
                "--access-token-env",
                "PATH",
                "skus",
            ],
            "plain http",
        ),
        (&["--demo", "--cloud", "mars", "skus"], "unknown cloud"),
        (
            &["sim", "serve", "--scenario", "no-such-scenario"],
            "unknown scenario",
        ),
        (&["frobnicate"], "frobnicate"),
    ];
    for (args, expected) in cases {
        let out = cli().args(*args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
    }
}
