//! The reclaim scan of the 100,000-person `large` scenario, against the bound of reading the
//! same pages one after another.
//!
//!   cargo bench -p licensedesk-cli --bench reclaim_100k
//!
//! The emulator runs in its own process (`sim serve --scenario large`, Graph's throttling on at
//! real rates). The bound: every page of `/users` with the properties reclaim needs and
//! `signInActivity` selected, at Graph's largest page for it (500), read one after another
//! with a bare HTTP client. The measured: `licensedesk-cli reclaim --dry-run --json` as a
//! person runs it (plans, people, sign-ins, subscriptions of groups named, the plan and its
//! seat ledger, the JSON), wall time and peak memory from GNU time. Goals: within 1.2× of the
//! bound, and under 200 MB.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

const SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates,createdDateTime,signInActivity";

fn main() {
    let cli = env!("CARGO_BIN_EXE_licensedesk-cli");
    let mut sim = Command::new(cli)
        .args(["sim", "serve", "--scenario", "large"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim serve");
    let mut line = String::new();
    BufReader::new(sim.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("hello line");
    let hello: serde_json::Value = serde_json::from_str(&line).expect("json");
    let endpoint = hello["graphEndpoint"]
        .as_str()
        .expect("endpoint")
        .to_string();
    let token = hello["accessToken"].as_str().expect("token").to_string();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sequential = |runtime: &tokio::runtime::Runtime| {
        runtime.block_on(async {
            let http = reqwest::Client::new();
            let started = Instant::now();
            let mut next = Some(format!("{endpoint}/v1.0/users?$select={SELECT}&$top=500"));
            let (mut pages, mut people) = (0usize, 0usize);
            while let Some(url) = next.take() {
                let page: serde_json::Value = http
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("page")
                    .json()
                    .await
                    .expect("json");
                pages += 1;
                people += page["value"].as_array().map_or(0, Vec::len);
                next = page["@odata.nextLink"].as_str().map(str::to_owned);
            }
            (started.elapsed().as_secs_f64(), pages, people)
        })
    };
    let mut bounds = Vec::new();
    for _ in 0..3 {
        bounds.push(sequential(&runtime));
    }
    let config = std::env::temp_dir().join(format!("ld-reclaim-bench-{}", std::process::id()));
    let mut runs = Vec::new();
    let mut candidates = 0usize;
    for _ in 0..3 {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%e %M"])
            .arg(cli)
            .args([
                "--graph-endpoint",
                &endpoint,
                "--access-token-env",
                "BENCH_TOKEN",
            ])
            .args(["reclaim", "--dry-run", "--json"])
            .env("BENCH_TOKEN", &token)
            .env("LICENSEDESK_CONFIG_DIR", &config)
            .output()
            .expect("reclaim runs");
        assert!(
            out.status.success(),
            "reclaim failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        candidates = report["candidates"].as_array().map_or(0, Vec::len);
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or_default().to_string();
        let mut parts = last.split_whitespace();
        let secs: f64 = parts.next().and_then(|v| v.parse().ok()).expect("seconds");
        let kb: f64 = parts.next().and_then(|v| v.parse().ok()).expect("kB");
        runs.push((secs, kb / 1024.0));
    }
    let _ = sim.kill();
    let _ = sim.wait();
    let _ = std::fs::remove_dir_all(&config);

    bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (bound, pages, people) = bounds[1];
    let (took, peak) = runs[1];
    println!("\nReclaim scan of the large scenario ({people} people, {pages} pages of 500):\n");
    println!("| | median of 3 |\n|---|---:|");
    println!("| the pages read one after another (the bound) | {bound:.2} s |");
    println!("| `licensedesk-cli reclaim --dry-run --json` | {took:.2} s |");
    println!("| ratio (goal ≤ 1.2) | {:.2} |", took / bound);
    println!("| the CLI's peak memory (goal < 200 MB) | {peak:.0} MB |");
    println!("| licenses that look wasted | {candidates} |");
}
