//! Group licensing at scale, as a person runs it (the release CLI against `sim serve`):
//!
//! 1. A license group of 50,000 members listed and its errors found
//!    (`licensedesk-cli group GROUP --errors --json`), against the bound of reading its member
//!    pages (999 a page, with their license states) one after another with a bare client.
//! 2. 10,000 people added to a group (`licensedesk-cli add-to-group … --yes`) in the
//!    `throttled` scenario (Graph's 3,000 writes per 150 s, its clock ten times faster, 140–160 ms
//!    latency), against the bound of the limit: (writes − 3,000) ÷ 200 per second.
//!
//! Wall time and peak memory from GNU time; median of 3 for the first, one run of the second
//! (a run changes the tenant). `BENCH_PART=1` or `2` runs one part.

use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

#[path = "../tests/common/mod.rs"]
mod common;

use common::Sim;

const MEMBER_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates";

fn cli() -> &'static str {
    env!("CARGO_BIN_EXE_licensedesk-cli")
}

/// The emulator serving this scenario (the tests' own scaffolding).
fn serve(scenario: &Value, name: &str) -> Sim {
    common::sim(scenario, &format!("groups-bench-{name}"))
}

impl Sim {
    /// The CLI under GNU time: (seconds, peak MB, stdout).
    fn timed(&self, args: &[&str]) -> (f64, f64, Vec<u8>) {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%e %M"])
            .arg(cli())
            .args([
                "--graph-endpoint",
                &self.endpoint,
                "--access-token-env",
                "BENCH_TOKEN",
            ])
            .args(args)
            .env("BENCH_TOKEN", &self.token)
            .env("LICENSEDESK_CONFIG_DIR", self.home.join("config"))
            .env("LICENSEDESK_JOURNAL", self.home.join("journal.sqlite"))
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or_default().to_string();
        let mut parts = last.split_whitespace();
        let secs: f64 = parts.next().and_then(|v| v.parse().ok()).expect("seconds");
        let kb: f64 = parts.next().and_then(|v| v.parse().ok()).expect("kB");
        (secs, kb / 1024.0, out.stdout)
    }

    fn timed_json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_slice(&self.timed(&all).2).expect("json")
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn listing() {
    let mut scenario: Value =
        serde_json::from_str(include_str!("../../graph-sim/scenarios/large.json")).expect("large");
    scenario["tenant"]["allStaffGroup"] = json!(50_000);
    let sim = serve(&scenario, "list");
    let groups = sim.timed_json(&["groups"]);
    let group = groups
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["members"] == 50_000)
        .expect("the 50,000-member group")["id"]
        .as_str()
        .expect("id")
        .to_string();

    let rt = runtime();
    let mut bounds = Vec::new();
    for _ in 0..3 {
        bounds.push(rt.block_on(async {
            let http = reqwest::Client::new();
            let started = Instant::now();
            let mut next = Some(format!(
                "{}/v1.0/groups/{group}/members?$select={MEMBER_SELECT}&$top=999",
                sim.endpoint
            ));
            let mut members = 0usize;
            while let Some(url) = next.take() {
                let page: Value = http
                    .get(&url)
                    .bearer_auth(&sim.token)
                    .send()
                    .await
                    .expect("page")
                    .json()
                    .await
                    .expect("json");
                members += page["value"].as_array().map_or(0, Vec::len);
                next = page["@odata.nextLink"].as_str().map(str::to_owned);
            }
            assert_eq!(members, 50_000);
            started.elapsed().as_secs_f64()
        }));
    }
    let mut runs = Vec::new();
    let mut peak = 0.0f64;
    let mut errors = 0usize;
    for _ in 0..3 {
        let (secs, mb, out) = sim.timed(&["group", &group, "--errors", "--json"]);
        let answer: Value = serde_json::from_slice(&out).expect("json");
        errors = answer["members"].as_array().map_or(0, Vec::len);
        runs.push(secs);
        peak = peak.max(mb);
    }
    let (bound, took) = (median(bounds), median(runs));
    println!("\nA license group of 50,000 members listed with its errors (median of 3):\n");
    println!("| | |\n|---|---:|");
    println!("| the member pages read one after another (the bound) | {bound:.2} s |");
    println!("| `licensedesk-cli group GROUP --errors --json` | {took:.2} s |");
    println!("| ratio (goal ≤ 1.2) | {:.2} |", took / bound);
    println!("| the CLI's peak memory | {peak:.0} MB |");
    println!("| members in error found | {errors} |");
}

fn adding() {
    let mut scenario: Value =
        serde_json::from_str(include_str!("../../graph-sim/scenarios/throttled.json"))
            .expect("throttled");
    scenario["tenant"]["users"] = json!(14_000);
    let sim = serve(&scenario, "add");
    let groups = sim.timed_json(&["groups"]);
    let sales = groups
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| {
            g["displayName"]
                .as_str()
                .is_some_and(|n| n.starts_with("Sales"))
        })
        .expect("sales")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let members = sim.timed_json(&["group", &sales]);
    let inside: std::collections::HashSet<String> = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["userPrincipalName"].as_str().expect("upn").to_string())
        .collect();
    let users = sim.timed_json(&["users"]);
    let people: Vec<String> = users
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userPrincipalName"].as_str().expect("upn").to_string())
        .filter(|u| !inside.contains(u))
        .take(10_000)
        .collect();
    assert_eq!(people.len(), 10_000);
    let before = sim.requests().len();
    let mut args: Vec<&str> = vec!["add-to-group"];
    args.extend(people.iter().map(String::as_str));
    args.push(&sales);
    args.push("--yes");
    let started = Instant::now();
    let (secs, mb, _) = sim.timed(&args);
    let wall = started.elapsed().as_secs_f64();
    let log = sim.requests();
    let writes = log[before..]
        .iter()
        // The writes themselves, not the `$batch` envelopes that carry them.
        .filter(|e| {
            e["method"] != "GET"
                && e["status"] != 429
                && !e["path"].as_str().unwrap_or_default().contains("$batch")
        })
        .count();
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for e in &log[before..] {
        let path = e["path"].as_str().unwrap_or_default();
        let kind = format!(
            "{} {} {}",
            e["method"].as_str().unwrap_or_default(),
            path.rsplit('/')
                .next()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default(),
            e["status"]
        );
        *kinds.entry(kind).or_default() += 1;
    }
    eprintln!("requests by kind: {kinds:?}");
    let throttled = log[before..].iter().filter(|e| e["status"] == 429).count();
    let s: Value = scenario["throttle"].clone();
    let rate = s["appWritesPer150s"].as_f64().expect("limit") / 150.0
        * s["timeScale"].as_f64().expect("scale");
    let burst = s["appWritesPer150s"].as_f64().expect("limit");
    let bound = ((writes as f64 - burst) / rate).max(writes as f64 / 400.0 * 0.15);
    println!("\n10,000 people added to a license group at Graph's write limit (one run):\n");
    println!("| | |\n|---|---:|");
    println!("| writes (`$ref` adds) | {writes} |");
    println!("| throttled answers (429) | {throttled} |");
    println!("| the limit's bound | {bound:.2} s |");
    println!(
        "| `licensedesk-cli add-to-group … --yes` | {secs:.2} s ({wall:.2} s with process start) |"
    );
    println!("| ratio (goal ≤ 1.1) | {:.2} |", secs / bound);
    // Where the time goes, by the emulator's clock: reading and planning (every person's
    // groups, 999 a page) before the first write, then the writes themselves.
    let at = |e: &Value| e["atMs"].as_f64().unwrap_or_default() / 1000.0;
    let is_write = |e: &&Value| {
        e["method"] != "GET" && !e["path"].as_str().unwrap_or_default().contains("$batch")
    };
    if let (Some(first), Some(first_write), Some(last_write)) = (
        log[before..].first(),
        log[before..].iter().find(is_write),
        log[before..].iter().rev().find(is_write),
    ) {
        let reading = at(first_write) - at(first);
        let writing = at(last_write) - at(first_write);
        println!("| reading the people and planning (before the first write) | {reading:.2} s |");
        println!(
            "| the writes, first to last | {writing:.2} s ({:.2} of the bound) |",
            writing / bound
        );
    }
    println!("| the CLI's peak memory | {mb:.0} MB |");
}

fn main() {
    let part = std::env::var("BENCH_PART").unwrap_or_default();
    if part != "2" {
        listing();
    }
    if part != "1" {
        adding();
    }
}
