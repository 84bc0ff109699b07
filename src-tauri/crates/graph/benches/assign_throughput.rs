//! How fast LicenseDesk gives licenses, against the emulator with Graph's documented write
//! limit (3,000 writes per 150 s per app and tenant, as a token bucket) and 150 ms latency.
//! The limit's clock runs 10× faster (the "throttled" scenario), so the bucket refills at 200
//! writes per real second and a run takes seconds rather than minutes.
//!
//!   cargo bench -p graph --bench assign_throughput
//!   BENCH_WRITES=5000 BENCH_SINGLE=200 cargo bench -p graph --bench assign_throughput
//!
//! It compares three clients on fresh tenants:
//! - LicenseDesk: `$batch` of 20, adaptive window of batches in flight;
//! - sequential batches of 20, one at a time (the best open-source peer);
//! - one assignLicense request at a time (the PowerShell recipes), on a sample, extrapolated.
//!
//! Every run is checked: each user got the license exactly once and nobody else changed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use graph::{
    AccessToken, AddLicense, ExecutorOptions, GraphClient, GraphEndpoint, LicenseChange, Priority,
};
use graph_sim::skus::FLOW_FREE;
use graph_sim::{RunningSim, Scenario};

struct Run {
    name: &'static str,
    writes: usize,
    elapsed: Duration,
    throttled: usize,
    extrapolated_from: Option<usize>,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn setup(n: usize) -> (RunningSim, GraphClient, Vec<LicenseChange>) {
    let scenario = Scenario::load("throttled").expect("bundled scenario");
    let sim = RunningSim::start(&scenario).await.expect("emulator");
    let client = GraphClient::new(
        GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
        AccessToken::new(sim.access_token()),
    )
    .expect("client")
    .with_priority(Priority::High);
    let changes: Vec<LicenseChange> = sim
        .tenant()
        .users
        .iter()
        .filter(|u| u.usage_location.is_some() && !u.holds(FLOW_FREE))
        .take(n)
        .map(|u| LicenseChange {
            user: u.id.clone(),
            add: vec![AddLicense {
                sku_id: FLOW_FREE.into(),
                disabled_plans: vec![],
            }],
            remove: vec![],
        })
        .collect();
    assert_eq!(changes.len(), n, "the scenario has {n} people to license");
    (sim, client, changes)
}

/// Proves from the emulator that every change landed exactly once and nothing else did.
fn check(sim: &RunningSim, changes: &[LicenseChange]) -> usize {
    let mut ran: HashMap<String, usize> = HashMap::new();
    let mut throttled = 0;
    for e in sim.request_log() {
        if e.status == 429 {
            throttled += 1;
        }
        if e.path.ends_with("/assignLicense") && e.effect.is_some() {
            *ran.entry(e.path.clone()).or_default() += 1;
        }
    }
    assert_eq!(ran.len(), changes.len(), "writes for exactly these people");
    assert!(ran.values().all(|&n| n == 1), "a write ran twice");
    let tenant = sim.tenant();
    assert!(
        changes
            .iter()
            .all(|c| tenant.user(&c.user).is_some_and(|u| u.holds(FLOW_FREE))),
        "a write was lost"
    );
    throttled
}

async fn batched(name: &'static str, n: usize, options: ExecutorOptions) -> Run {
    let (sim, client, changes) = setup(n).await;
    let started = Instant::now();
    let outcomes = client.apply_changes(&changes, &options, |_| {}).await;
    let elapsed = started.elapsed();
    assert!(
        outcomes.iter().all(|o| o.is_success()),
        "{name}: a change failed"
    );
    let throttled = check(&sim, &changes);
    Run {
        name,
        writes: n,
        elapsed,
        throttled,
        extrapolated_from: None,
    }
}

async fn one_at_a_time(n: usize, sample: usize) -> Run {
    let (sim, client, changes) = setup(sample).await;
    let started = Instant::now();
    for c in &changes {
        assert!(client.apply_change(c).await.is_success());
    }
    let elapsed = started.elapsed();
    let throttled = check(&sim, &changes);
    Run {
        name: "one request at a time (PowerShell recipes)",
        writes: n,
        elapsed: elapsed.mul_f64(n as f64 / sample as f64),
        throttled,
        extrapolated_from: Some(sample),
    }
}

fn main() {
    let n = env_usize("BENCH_WRITES", 5_000);
    let sample = env_usize("BENCH_SINGLE", 200).min(n);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    // The limit: a bucket of 3,000 writes refilling at 3,000 per 150 s, ten times faster.
    let spec = Scenario::load("throttled").expect("bundled").throttle;
    let capacity = f64::from(spec.app_writes_per_150s);
    let refill = capacity / (150.0 / spec.time_scale);
    let min_secs = ((n as f64 - capacity) / refill).max(0.0);

    let runs = runtime.block_on(async {
        vec![
            batched(
                "LicenseDesk: adaptive $batch",
                n,
                ExecutorOptions::default(),
            )
            .await,
            batched(
                "sequential batches of 20 (open-source peer)",
                n,
                ExecutorOptions::sequential_batches(),
            )
            .await,
            one_at_a_time(n, sample).await,
        ]
    });

    println!(
        "\n{n} assignLicense calls, 150 ms latency, limit 3,000 writes/150 s at 10× speed (bucket {capacity:.0}, refill {refill:.0}/s)"
    );
    println!("Fastest the limit permits: {min_secs:.2} s\n");
    println!(
        "| client | time (s) | writes/s | share of permitted rate | 429s | speed-up of LicenseDesk |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let ours = runs[0].elapsed.as_secs_f64();
    for r in &runs {
        let secs = r.elapsed.as_secs_f64();
        let permitted_share = if min_secs > 0.0 {
            min_secs / secs
        } else {
            f64::NAN
        };
        let note = r
            .extrapolated_from
            .map(|s| format!(" (from {s})"))
            .unwrap_or_default();
        println!(
            "| {}{note} | {secs:.2} | {:.0} | {permitted_share:.3} | {} | {:.1}× |",
            r.name,
            r.writes as f64 / secs,
            r.throttled,
            secs / ours
        );
    }
    println!(
        "\nEvery run: each user got the license exactly once, no write ran twice, none was lost."
    );
}
