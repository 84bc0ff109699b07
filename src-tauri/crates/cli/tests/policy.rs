//! The organisation's policy in the CLI: `policy` shows it, `--demo` and `login` obey it, and a
//! broken file stops every command with the file and line (exit 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("dir"),
        }
    }

    fn policy(&self, text: &str) -> PathBuf {
        let file = self.dir.path().join("policy.json");
        std::fs::write(&file, text).expect("policy");
        file
    }

    fn run(&self, policy: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"))
            .env("LICENSEDESK_CONFIG_DIR", self.dir.path().join("config"))
            .env("LICENSEDESK_POLICY_FILE", policy)
            .args(args)
            .output()
            .expect("runs")
    }
}

const LOCKED: &str = r#"{
  "tenant": "contoso.onmicrosoft.com",
  "clientId": "11111111-2222-3333-4444-555555555555",
  "cloud": "global",
  "locked": true,
  "allowDemo": false,
  "requireSignedPlans": true
}"#;

#[test]
fn policy_json_prints_the_file_and_every_key_or_null_without_one() {
    let home = Home::new();
    let none = home.run(&home.dir.path().join("absent.json"), &["policy", "--json"]);
    assert!(
        none.status.success(),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    let v: Value = serde_json::from_slice(&none.stdout).expect("JSON");
    assert_eq!(v["file"], Value::Null);
    assert_eq!(v["locked"], false);

    let file = home.policy(LOCKED);
    let out = home.run(&file, &["policy", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["file"], file.display().to_string());
    assert_eq!(v["tenant"], "contoso.onmicrosoft.com");
    assert_eq!(v["clientId"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(
        (v["locked"].clone(), v["allowDemo"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    for key in [
        "cloud",
        "productNamesRefresh",
        "trustedPlanKeys",
        "requireSignedPlans",
    ] {
        assert!(v.get(key).is_some(), "{key} missing from {v}");
    }
    let text = home.run(&file, &["policy"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("contoso.onmicrosoft.com") && text.contains("locked              true"),
        "{text}"
    );
}

#[test]
fn a_broken_policy_stops_commands_with_its_file_and_line() {
    let home = Home::new();
    let file = home.policy("{\n  \"tenant\": \"contoso.onmicrosoft.com\",\n  \"lockd\": true\n}\n");
    for args in [&["policy", "--json"][..], &["--demo", "skus"][..]] {
        let out = home.run(&file, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&file.display().to_string()) && err.contains("line 3"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "nothing printed as if it were fine");
    }
}

#[test]
fn the_demo_is_refused_when_the_policy_turns_it_off() {
    let home = Home::new();
    let file = home.policy(LOCKED);
    let out = home.run(&file, &["--demo", "skus"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("allowDemo") && err.contains(&file.display().to_string()),
        "{err}"
    );
    // Without that line the demo works.
    let open = home.policy(r#"{"tenant": "contoso.onmicrosoft.com"}"#);
    let out = home.run(&open, &["--demo", "skus", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn login_takes_the_policy_tenant_and_refuses_another_when_locked() {
    let home = Home::new();
    let file = home.policy(LOCKED);
    for (args, names) in [
        (
            vec!["--tenant", "fabrikam.onmicrosoft.com"],
            "contoso.onmicrosoft.com",
        ),
        (
            vec!["--client-id", "99999999-2222-3333-4444-555555555555"],
            "11111111-2222-3333-4444-555555555555",
        ),
        (vec!["--cloud", "china"], "global cloud"),
    ] {
        let mut all = vec!["login", "--device-code"];
        all.extend(args.iter());
        let out = home.run(&file, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("locks LicenseDesk") && err.contains(names),
            "{err}"
        );
    }
    // No policy and no --tenant: the person is told what to give.
    let out = home.run(
        &home.dir.path().join("absent.json"),
        &["login", "--device-code"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tenant"));
}
