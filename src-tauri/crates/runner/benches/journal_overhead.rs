//! What the journal costs: 10,000 license changes applied straight through the engine
//! (`GraphClient::apply_plan`, the whole plan at once, nothing written down) against the same
//! through the runner with the journal (each chunk of 200 written as sent before it goes, its
//! answers after, SQLite WAL with synchronous=FULL), twice:
//!
//! - at Graph's write limit (the `throttled` scenario: 3,000 writes per 150 s, its clock ten
//!   times faster), which is what bounds every real run;
//! - with the emulator's limit off, where the engine runs as fast as the machine allows
//!   (thousands a second, far beyond what Graph permits) and the journal's own cost shows.
//!
//! `cargo bench -p runner --bench journal_overhead`; BENCHMARKS.md has the figures.

use std::time::Instant;

use graph::{AccessToken, ExecutorOptions, GraphClient, GraphEndpoint};
use graph_sim::{RunningSim, Scenario};
use journal::{Journal, NewRun};
use licensing::{PlanToAdd, ShortfallPolicy, User, WantedChange};

const PEOPLE: usize = 10_000;

async fn tenant(limited: bool) -> (RunningSim, GraphClient, licensing::Plan, Vec<User>) {
    let scenario = if limited {
        // 7,000 changes: the first 3,000 fill the limit's bucket, the rest go at its rate.
        Scenario::load("throttled")
            .expect("scenario")
            .with_users(PEOPLE)
    } else {
        let mut s = Scenario::demo().with_users(PEOPLE);
        s.throttle.enabled = false;
        s
    };
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
    let change = WantedChange {
        add: vec![PlanToAdd {
            sku_id: graph_sim::skus::FLOW_FREE.into(),
            disabled_plans: vec![],
        }],
        usage_location: Some(licensing::UsageLocationChange::WhereMissing("NL".into())),
        ..WantedChange::default()
    };
    let plan = licensing::plan(&people, &change, &skus, ShortfallPolicy::Partial);
    (sim, client, plan, people)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // `-- limit` or `-- nolimit` measures one of the two only.
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    runtime.block_on(async {
        for limited in [true, false] {
            let name = if limited { "limit" } else { "nolimit" };
            if only.as_deref().is_none_or(|o| o == name) {
                measure(limited, if limited { 1 } else { 3 }).await;
            }
        }
    });
}

async fn measure(limited: bool, trials: usize) {
    println!(
        "{}",
        if limited {
            "At Graph's write limit (throttled scenario):"
        } else {
            "With the emulator's limit off:"
        }
    );
    {
        let mut best_without = f64::MAX;
        let mut best_with = f64::MAX;
        let mut changes = 0;
        let mut bytes = 0u64;
        for trial in 1..=trials {
            let (_sim, client, plan, _) = tenant(limited).await;
            changes = plan
                .people
                .iter()
                .filter(|p| journal::sends_anything(p))
                .count();
            let started = Instant::now();
            client
                .apply_plan(&plan, &ExecutorOptions::default(), |_| {})
                .await;
            let without = started.elapsed().as_secs_f64();

            let (_sim, client, plan, people) = tenant(limited).await;
            let dir =
                std::env::temp_dir().join(format!("journal-bench-{}-{trial}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let journal = Journal::open(&dir.join("journal.sqlite")).expect("journal");
            let started = Instant::now();
            let id = journal
                .begin(&NewRun {
                    tenant_id: "bench",
                    tenant_name: "Contoso",
                    started_by: "bench",
                    source: "bench",
                    title: &licensing::RunTitle::Words {
                        text: "Give Microsoft Power Automate Free".into(),
                    },
                    undoes: None,
                    plan: &plan,
                    plan_names: &Default::default(),
                    people: &people,
                })
                .expect("begin");
            let begun = started.elapsed().as_secs_f64();
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
            let with = started.elapsed().as_secs_f64();
            drop(journal);
            bytes = ["journal.sqlite", "journal.sqlite-wal"]
                .iter()
                .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
                .map(|m| m.len())
                .sum();
            let _ = std::fs::remove_dir_all(&dir);
            println!(
                "trial {trial}: {changes} changes, without the journal {without:.2} s ({:.0}/s), with it {with:.2} s ({:.0}/s, of which {begun:.2} s writing the run and everyone's state before): {:.3}",
                changes as f64 / without,
                changes as f64 / with,
                without / with
            );
            best_without = best_without.min(without);
            best_with = best_with.min(with);
        }
        println!(
            "best: without {best_without:.2} s, with {best_with:.2} s — throughput with the journal {:.3} of without (goal ≥ 0.95)",
            best_without / best_with
        );
        println!(
            "journal: {bytes} bytes for {} people in the plan ({changes} changes): {:.1} MB per 10,000 people",
            PEOPLE,
            bytes as f64 / 1e6 * 10_000.0 / PEOPLE as f64
        );
    }
}
