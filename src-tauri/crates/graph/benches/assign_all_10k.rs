//! Giving 10,000 people a license the way `licensedesk-cli assign-all` does it — read the plans
//! and every person from Graph, plan with `licensing::plan`, carry the plan out with
//! `GraphClient::apply_plan` and the default executor — on the `throttled` scenario (Graph's
//! write limit of 3,000 writes per 150 s, its clock ten times faster, 150 ms latency), made
//! large enough to hold 10,000 people to license.
//!
//!   cargo bench -p graph --bench assign_all_10k
//!   BENCH_PEOPLE=10000 BENCH_USERS=18000 cargo bench -p graph --bench assign_all_10k
//!
//! Against: the time the write limit permits, (people − bucket) / refill. Goals: at most 1.1×
//! that time, every change made exactly once (checked in the emulator's request log and
//! tenant), and fewer than 2 % of requests answered 429.

use std::collections::HashMap;
use std::time::Instant;

use graph::{AccessToken, ExecutorOptions, GraphClient, GraphEndpoint, PersonStatus};
use graph_sim::skus::FLOW_FREE;
use graph_sim::{RunningSim, Scenario};
use licensing::{Action, PlanToAdd, ShortfallPolicy, WantedChange};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let people_wanted = env_usize("BENCH_PEOPLE", 10_000);
    let users = env_usize("BENCH_USERS", 18_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let mut scenario = Scenario::load("throttled").expect("bundled scenario");
    scenario.tenant.users = users;
    let spec = scenario.throttle.clone();
    let capacity = f64::from(spec.app_writes_per_150s);
    let refill = capacity / (150.0 / spec.time_scale);
    let permitted = ((people_wanted as f64 - capacity) / refill).max(0.0);

    runtime.block_on(async {
        let sim = RunningSim::start(&scenario).await.expect("emulator");
        let client = GraphClient::new(
            GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
            AccessToken::new(sim.access_token()),
        )
        .expect("client");

        // What assign-all reads: the plans and everyone, page by page.
        let read_started = Instant::now();
        let skus: Vec<licensing::Sku> = client
            .subscribed_skus()
            .await
            .expect("plans")
            .iter()
            .map(|s| s.to_domain())
            .collect();
        let mut everyone = Vec::new();
        client
            .users_by_page(|page| everyone.extend(page.iter().map(|u| u.to_domain())))
            .await
            .expect("people");
        let read = read_started.elapsed();

        // The filter: people with a usage location who do not have the plan yet.
        let people: Vec<licensing::User> = everyone
            .into_iter()
            .filter(|u| {
                u.usage_location.is_some()
                    && !u
                        .assignments
                        .iter()
                        .any(|l| l.sku_id.eq_ignore_ascii_case(FLOW_FREE))
            })
            .take(people_wanted)
            .collect();
        assert_eq!(
            people.len(),
            people_wanted,
            "BENCH_USERS={users} holds too few people to license"
        );
        let wanted = WantedChange {
            add: vec![PlanToAdd {
                sku_id: FLOW_FREE.into(),
                disabled_plans: vec![],
            }],
            ..WantedChange::default()
        };
        let plan_started = Instant::now();
        let plan = licensing::plan(&people, &wanted, &skus, ShortfallPolicy::Nobody);
        let planned = plan_started.elapsed();
        assert!(
            plan.people.iter().all(|p| p.action == Action::Add),
            "every person is an add"
        );

        let log_before = sim.request_log().len();
        let apply_started = Instant::now();
        let statuses = client
            .apply_plan(&plan, &ExecutorOptions::default(), |_| {})
            .await;
        let applied = apply_started.elapsed().as_secs_f64();
        assert!(
            statuses.iter().all(|s| matches!(s, PersonStatus::Done)),
            "a change failed"
        );

        // Exactly once, nothing lost, nobody else touched.
        let log = sim.request_log();
        let during = &log[log_before..];
        let mut ran: HashMap<&str, usize> = HashMap::new();
        for e in during {
            if e.path.ends_with("/assignLicense") && e.effect.is_some() {
                *ran.entry(e.path.as_str()).or_default() += 1;
            }
        }
        assert_eq!(ran.len(), people_wanted, "writes for exactly these people");
        assert!(ran.values().all(|&n| n == 1), "a write ran twice");
        let tenant = sim.tenant();
        assert!(
            people
                .iter()
                .all(|p| tenant.user(&p.id).is_some_and(|u| u.holds(FLOW_FREE))),
            "a write was lost"
        );
        // Requests as Graph counts them: each request inside a $batch is one.
        let requests = during.iter().filter(|e| !e.path.contains("$batch")).count();
        let throttled = during.iter().filter(|e| e.status == 429).count();
        let share_429 = throttled as f64 / requests as f64;

        println!(
            "\n{people_wanted} people given Power Automate Free through assign-all's path \
             (tenant of {users}; limit: bucket {capacity:.0}, refill {refill:.0}/s, 150 ms latency)\n"
        );
        println!("| step | time |\n|---|---:|");
        println!("| read plans and {users} people | {:.2} s |", read.as_secs_f64());
        println!("| plan | {:.0} ms |", planned.as_secs_f64() * 1000.0);
        println!("| apply | {applied:.2} s |");
        println!("\n| | value | goal |\n|---|---:|---:|");
        println!("| time the write limit permits | {permitted:.2} s | |");
        println!(
            "| apply time ÷ permitted time | {:.3}× | ≤ 1.1× |",
            applied / permitted
        );
        println!(
            "| requests answered 429 | {throttled} of {requests} ({:.2} %) | < 2 % |",
            share_429 * 100.0
        );
        println!(
            "| each change made exactly once | yes ({} writes) | yes |",
            ran.len()
        );
    });
}
