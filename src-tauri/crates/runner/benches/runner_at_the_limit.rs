//! What a person really runs, at Graph's write limit: every change through the runner and the
//! journal (as the app and the CLI apply), against the bound the limit sets when every write
//! counts — usage-location PATCHes as well as assignLicense calls.
//!
//!   cargo bench -p runner --bench runner_at_the_limit
//!   # knobs: BENCH_SIZES=10000,5000,3500 (changes wanted per kind); BENCH_TIMELINE=1 prints
//!   # the writes answered per 100 ms
//!
//! Two kinds of run on the `throttled` scenario (Graph's 3,000 writes per 150 s per app and
//! tenant as a bucket of 3,000 refilling at 20/s, its clock ten times faster: 200/s; 140–160 ms
//! latency): *assign-all* (Power Automate Free to everyone, their usage location set where it
//! is missing: one PATCH more for those) and *reclaim* (each person's first direct license
//! taken away). The bound: the writes the emulator's log shows, minus the bucket, at the
//! refill rate — and never less than the writes at the most the client keeps in flight
//! (`graph::MOST_WRITES_IN_FLIGHT`, two chunks of 200) per round trip. A second bound counts
//! those round trips whole, as no client can make part of one (2,950 writes at 400 in flight
//! take 8 round trips, 1.20 s, not 7.4, 1.11 s), and two of them when any usage location is
//! set (Graph refuses the license until the location's PATCH is answered). Both bounds are
//! printed, with both ratios.

use std::time::Instant;

use graph::{AccessToken, GraphClient, GraphEndpoint};
use graph_sim::{RunningSim, Scenario};
use journal::{Journal, NewRun};
use licensing::{PlanToAdd, ShortfallPolicy, User, WantedChange};

async fn tenant(
    users: usize,
) -> (
    RunningSim,
    GraphClient,
    Vec<licensing::Sku>,
    Vec<User>,
    Scenario,
) {
    let scenario = Scenario::load("throttled")
        .expect("scenario")
        .with_users(users);
    let sim = RunningSim::start(&scenario).await.expect("emulator");
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token())).expect("client");
    let skus: Vec<_> = client
        .subscribed_skus()
        .await
        .expect("skus")
        .iter()
        .map(|s| s.to_domain())
        .collect();
    let mut people = Vec::new();
    client
        .users_by_page(|page| people.extend(page.iter().map(|u| u.to_domain())))
        .await
        .expect("users");
    (sim, client, skus, people, scenario)
}

struct Measured {
    kind: &'static str,
    changes: usize,
    writes: usize,
    patches: usize,
    took: f64,
    bound: f64,
    /// The bound with round trips counted whole.
    whole_trips: f64,
}

async fn run(kind: &'static str, wanted: usize) -> Measured {
    // Enough people for `wanted` changes of this kind.
    let users = match kind {
        "assign-all" => wanted * 100 / 85,
        _ => wanted * 100 / 80,
    };
    let (sim, client, skus, people, scenario) = tenant(users).await;
    let plan = match kind {
        "assign-all" => {
            let change = WantedChange {
                add: vec![PlanToAdd {
                    sku_id: graph_sim::skus::FLOW_FREE.into(),
                    disabled_plans: vec![],
                }],
                usage_location: Some(licensing::UsageLocationChange::WhereMissing("NL".into())),
                ..WantedChange::default()
            };
            let chosen: Vec<User> = people.iter().take(wanted).cloned().collect();
            licensing::plan(&chosen, &change, &skus, ShortfallPolicy::Partial)
        }
        _ => {
            let changes: Vec<(User, WantedChange)> = people
                .iter()
                .filter_map(|u| {
                    let first = u
                        .licenses_in_place()
                        .find(|l| l.assigned_by_group.is_none())?;
                    Some((
                        u.clone(),
                        WantedChange {
                            remove: vec![first.sku_id.clone()],
                            ..WantedChange::default()
                        },
                    ))
                })
                .take(wanted)
                .collect();
            let requests: Vec<(&User, &WantedChange)> =
                changes.iter().map(|(u, c)| (u, c)).collect();
            licensing::plan_each(&requests, &skus, ShortfallPolicy::Partial)
        }
    };
    let in_plan: Vec<User> = plan
        .people
        .iter()
        .filter_map(|o| people.iter().find(|p| p.id == o.user_id).cloned())
        .collect();
    let changes = plan
        .people
        .iter()
        .filter(|p| journal::sends_anything(p))
        .count();
    let dir = std::env::temp_dir().join(format!(
        "runner-bench-{}-{kind}-{wanted}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let journal = Journal::open(&dir.join("journal.sqlite")).expect("journal");
    let before = sim.request_log().len();
    let started = Instant::now();
    let id = journal
        .begin(&NewRun {
            tenant_id: "bench",
            tenant_name: "Contoso",
            started_by: "bench",
            source: "bench",
            title: &licensing::RunTitle::Words { text: kind.into() },
            undoes: None,
            plan: &plan,
            plan_names: &Default::default(),
            people: &in_plan,
        })
        .expect("begin");
    let _lock = journal.lock(&id).expect("lock");
    let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();
    runner::carry_out(
        &client,
        &journal,
        &id,
        &plan,
        &seqs,
        &runner::Control::default(),
        |_| {},
    )
    .await
    .expect("run");
    let took = started.elapsed().as_secs_f64();
    drop(journal);
    let _ = std::fs::remove_dir_all(&dir);

    let log = sim.request_log();
    let sent: Vec<_> = log[before..]
        .iter()
        .filter(|e| e.method != "GET" && !e.path.contains("$batch") && e.status != 429)
        .collect();
    if std::env::var_os("BENCH_TIMELINE").is_some() {
        // Where the time goes: the writes answered in each 100 ms, PATCHes apart, and any 429.
        let start = log[before..].first().map_or(0, |e| e.at_ms);
        let mut slots: std::collections::BTreeMap<u64, (usize, usize, usize)> = Default::default();
        for e in &log[before..] {
            let slot = slots.entry((e.at_ms - start) / 100).or_default();
            match (e.method.as_str(), e.status) {
                (_, 429) => slot.2 += 1,
                ("PATCH", _) => slot.1 += 1,
                ("POST", _) if !e.path.contains("$batch") => slot.0 += 1,
                _ => {}
            }
        }
        for (slot, (posts, patches, throttled)) in slots {
            eprintln!(
                "  {:>5} ms: {posts:>4} license writes, {patches:>3} PATCH, {throttled} 429",
                slot * 100
            );
        }
    }
    let patches = sent.iter().filter(|e| e.method == "PATCH").count();
    let writes = sent.len();
    let limits = &scenario.throttle;
    let rate = f64::from(limits.app_writes_per_150s) / 150.0 * limits.time_scale;
    let bucket = f64::from(limits.app_writes_per_150s);
    let latency = scenario
        .faults
        .latency_ms
        .map_or(0.0, |[lo, hi]| (lo + hi) as f64 / 2000.0);
    let in_flight = graph::MOST_WRITES_IN_FLIGHT as f64;
    let refill = (writes as f64 - bucket).max(0.0) / rate;
    let bound = refill.max(writes as f64 / in_flight * latency);
    let trips = (writes as f64 / in_flight)
        .ceil()
        .max(if patches > 0 { 2.0 } else { 1.0 });
    let whole_trips = refill.max(trips * latency);
    Measured {
        kind,
        changes,
        writes,
        patches,
        took,
        bound,
        whole_trips,
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 5_000, 3_500]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    runtime.block_on(async {
        for kind in ["assign-all", "reclaim"] {
            for &size in &sizes {
                let m = run(kind, size).await;
                eprintln!(
                    "{}: {} changes, {} writes ({} PATCH), {:.2} s, bound {:.2} s",
                    m.kind, m.changes, m.writes, m.patches, m.took, m.bound
                );
                rows.push(m);
            }
        }
    });
    println!(
        "\n| run | changes | writes (of which PATCH) | through the runner | bound | ratio (goal ≤ 1.1) | whole round trips | ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for m in rows {
        println!(
            "| {} | {} | {} ({}) | {:.2} s | {:.2} s | {:.3} | {:.2} s | {:.3} |",
            m.kind,
            m.changes,
            m.writes,
            m.patches,
            m.took,
            m.bound,
            m.took / m.bound,
            m.whole_trips,
            m.took / m.whole_trips
        );
    }
}
