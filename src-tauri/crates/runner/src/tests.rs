use std::collections::HashMap;

use graph::{AccessToken, GraphEndpoint};
use graph_sim::skus::{AAD_PREMIUM, ENTERPRISEPACK, FLOW_FREE, SPE_E3, SPE_E5};
use graph_sim::{RunningSim, Scenario};
use journal::NewRun;
use licensing::{ShortfallPolicy, Sku};

use super::*;

async fn connect(users: usize) -> (RunningSim, GraphClient) {
    let sim = RunningSim::start(&Scenario::demo().with_users(users))
        .await
        .expect("emulator starts");
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token())).expect("client");
    (sim, client)
}

async fn tenant_now(client: &GraphClient) -> (Vec<Sku>, Vec<User>) {
    let skus = client
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
    (skus, people)
}

fn journal() -> (std::path::PathBuf, Journal) {
    let dir = std::env::temp_dir().join(format!(
        "runner-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let j = Journal::open(&dir.join("journal.sqlite")).expect("journal");
    (dir, j)
}

fn begin(j: &Journal, plan: &Plan, people: &[User], undoes: Option<&str>) -> String {
    j.begin(&NewRun {
        tenant_id: "t",
        tenant_name: "Contoso",
        started_by: "test",
        source: "cli",
        title: &licensing::RunTitle::Words {
            text: "test".into(),
        },
        undoes,
        plan,
        plan_names: &HashMap::new(),
        people,
    })
    .expect("begin")
}

/// Writes that changed the tenant, per person: each at most once.
fn applied_writes(sim: &RunningSim) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for e in sim.request_log() {
        if e.effect == Some("applied") && e.path.contains("/assignLicense") {
            let user = e
                .path
                .split("/users/")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default()
                .to_string();
            *count.entry(user).or_insert(0) += 1;
        }
    }
    count
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_cut_short_is_finished_exactly_once_by_reading_the_people() {
    let (sim, client) = connect(1500).await;
    let (skus, people) = tenant_now(&client).await;
    let chosen: Vec<User> = people
        .iter()
        .filter(|u| {
            u.usage_location.is_some() && !u.assignments.iter().any(|a| a.sku_id == FLOW_FREE)
        })
        .take(450)
        .cloned()
        .collect();
    assert!(chosen.len() > CHUNK + 50, "enough people for two chunks");
    let change = WantedChange {
        add: vec![PlanToAdd {
            sku_id: FLOW_FREE.into(),
            disabled_plans: vec![],
        }],
        ..WantedChange::default()
    };
    let plan = licensing::plan(&chosen, &change, &skus, ShortfallPolicy::Nobody);
    let (dir, j) = journal();
    let run = begin(&j, &plan, &chosen, None);
    let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();

    // The first process: marks a chunk sent, gets half of it through, and dies before it
    // hears back (nothing recorded, lock released).
    {
        let _lock = j.lock(&run).expect("lock");
        let chunk: Vec<u32> = seqs[..CHUNK].to_vec();
        j.mark_sent(&run, &chunk).expect("sent");
        let half = Plan {
            people: plan.people[..CHUNK / 2].to_vec(),
            seats: vec![],
        };
        client
            .apply_plan(&half, &ExecutorOptions::default(), |_| {})
            .await;
    }
    assert_eq!(
        j.summary(&run).expect("summary").state,
        journal::RunState::Interrupted
    );

    // Someone else gives one of the unanswered people another license meanwhile.
    let meddled = plan.people[CHUNK - 1].user_id.clone();
    let meddling = client
        .apply_plan(
            &licensing::plan(
                &chosen
                    .iter()
                    .filter(|u| u.id == meddled)
                    .cloned()
                    .collect::<Vec<_>>(),
                &WantedChange {
                    add: vec![PlanToAdd {
                        sku_id: AAD_PREMIUM.into(),
                        disabled_plans: vec![],
                    }],
                    ..WantedChange::default()
                },
                &skus,
                ShortfallPolicy::Partial,
            ),
            &ExecutorOptions::default(),
            |_| {},
        )
        .await;
    assert!(matches!(meddling[..], [PersonStatus::Done]), "{meddling:?}");

    // The next start: settle, then send the rest.
    let _lock = j.lock(&run).expect("lock");
    j.reopen(&run).expect("reopen");
    let settled = settle(&client, &j, &run).await.expect("settle");
    assert_eq!(settled.found_done, (CHUNK / 2) as u32);
    assert_eq!(settled.changed_since, 1);
    assert_eq!(settled.plan.people.len(), chosen.len() - CHUNK / 2 - 1);
    let statuses = carry_out(
        &client,
        &j,
        &run,
        &settled.plan,
        &settled.seqs,
        &Control::default(),
        |_| {},
    )
    .await
    .expect("carry out");
    assert!(
        statuses
            .iter()
            .all(|s| matches!(s, Some(PersonStatus::Done)))
    );

    let summary = j.summary(&run).expect("summary");
    assert_eq!(summary.state, journal::RunState::Finished);
    assert_eq!((summary.done, summary.failed), (chosen.len() as u32 - 1, 1));
    let writes = applied_writes(&sim);
    for p in &plan.people {
        let expected = usize::from(p.user_id != meddled);
        // The meddler's E5 write is the one applied write for that person.
        let n = writes.get(&p.user_id).copied().unwrap_or(0);
        if p.user_id == meddled {
            assert_eq!(n, 1, "only the other administrator's change");
        } else {
            assert_eq!(n, expected, "{} changed {n} times", p.user_principal_name);
        }
    }
    assert_eq!(
        writes.len(),
        chosen.len(),
        "nobody outside the run was touched"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Give,
    Take,
    Swap,
    Locate,
}

/// Runs a random change on a random tenant, undoes it, and returns the people's licensing
/// before and after the undo (by id), plus who the undo left alone.
async fn run_and_undo(seed: u64, users: usize, kind: Kind, meddle: bool) -> Result<(), String> {
    let mut scenario = Scenario::demo().with_users(users);
    scenario.tenant.seed = seed;
    let sim = RunningSim::start(&scenario)
        .await
        .map_err(|e| e.to_string())?;
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).map_err(|e| e.to_string())?;
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token()))
        .map_err(|e| e.to_string())?;
    let (skus, people) = tenant_now(&client).await;
    let before: HashMap<String, Licensing> = people
        .iter()
        .map(|u| (u.id.clone(), Licensing::of(u)))
        .collect();
    let change = match kind {
        Kind::Give => WantedChange {
            add: vec![PlanToAdd {
                sku_id: FLOW_FREE.into(),
                disabled_plans: vec![],
            }],
            usage_location: Some(UsageLocationChange::WhereMissing("NL".into())),
            ..WantedChange::default()
        },
        Kind::Take => WantedChange {
            remove: vec![SPE_E3.into()],
            ..WantedChange::default()
        },
        Kind::Swap => WantedChange {
            add: vec![PlanToAdd {
                sku_id: SPE_E5.into(),
                disabled_plans: vec![],
            }],
            remove: vec![ENTERPRISEPACK.into()],
            keep_disabled_plans: true,
            ..WantedChange::default()
        },
        Kind::Locate => WantedChange {
            usage_location: Some(UsageLocationChange::Everyone("FR".into())),
            ..WantedChange::default()
        },
    };
    let plan = licensing::plan(&people, &change, &skus, ShortfallPolicy::Partial);
    let (dir, j) = journal();
    let run = begin(&j, &plan, &people, None);
    {
        let _lock = j.lock(&run).map_err(|e| e.to_string())?;
        let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();
        carry_out(&client, &j, &run, &plan, &seqs, &Control::default(), |_| {})
            .await
            .map_err(|e| e.to_string())?;
    }
    let detail = j.detail(&run).map_err(|e| e.to_string())?;
    let changed: Vec<&journal::JournalChange> = detail
        .changes
        .iter()
        .filter(|c| c.status == ChangeStatus::Done)
        .collect();
    if changed.is_empty() {
        let _ = std::fs::remove_dir_all(dir);
        return Ok(());
    }
    // Someone else changes the first person the run changed.
    let meddled = changed[0].outcome.user_id.clone();
    if meddle {
        let (_, people) = tenant_now(&client).await;
        let person = people
            .iter()
            .find(|u| u.id == meddled)
            .cloned()
            .ok_or("person")?;
        let other = licensing::plan(
            &[person],
            &WantedChange {
                usage_location: Some(UsageLocationChange::Everyone("JP".into())),
                add: vec![PlanToAdd {
                    sku_id: graph_sim::skus::TEAMS_ESS.into(),
                    disabled_plans: vec![],
                }],
                ..WantedChange::default()
            },
            &skus,
            ShortfallPolicy::Partial,
        );
        client
            .apply_plan(&other, &ExecutorOptions::default(), |_| {})
            .await;
    }
    let ids: Vec<String> = detail
        .changes
        .iter()
        .map(|c| c.outcome.user_id.clone())
        .collect();
    let now = read_people(&client, &ids)
        .await
        .map_err(|e| e.to_string())?;
    let (back, alone) = reverse(&detail, &now);
    let (skus_now, _) = tenant_now(&client).await;
    let requests: Vec<(&User, &WantedChange)> = back.iter().map(|(u, c)| (u, c)).collect();
    let undo = licensing::plan_each(&requests, &skus_now, ShortfallPolicy::Partial);
    let undo_people: Vec<User> = back.iter().map(|(u, _)| u.clone()).collect();
    let undo_run = begin(&j, &undo, &undo_people, Some(&run));
    {
        let _lock = j.lock(&undo_run).map_err(|e| e.to_string())?;
        let seqs: Vec<u32> = (0..undo.people.len() as u32).collect();
        carry_out(
            &client,
            &j,
            &undo_run,
            &undo,
            &seqs,
            &Control::default(),
            |_| {},
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    let (_, after_undo) = tenant_now(&client).await;
    for u in &after_undo {
        let now = Licensing::of(u);
        let was = &before[&u.id];
        if meddle && u.id == meddled {
            if !alone.iter().any(|a| a.outcome.user_id == meddled) {
                return Err(format!(
                    "{} was changed in between but not left alone",
                    u.user_principal_name
                ));
            }
            continue;
        }
        // Usage locations the run set where there was none stay (see `reverse`).
        let location_ok = now.usage_location == was.usage_location || was.usage_location.is_none();
        if now.direct != was.direct || !location_ok {
            let planned = undo.people.iter().find(|p| p.user_id == u.id);
            let left = alone
                .iter()
                .find(|a| a.outcome.user_id == u.id)
                .map(|a| a.why.clone());
            let status = j
                .detail(&undo_run)
                .ok()
                .and_then(|d| d.changes.into_iter().find(|c| c.outcome.user_id == u.id))
                .map(|c| (c.status, c.error));
            return Err(format!(
                "{:?}: {} was {was:?} before the run and is {now:?} after the undo (undo planned {planned:?}, left alone: {left:?}, undo status {status:?})",
                kind, u.user_principal_name
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if j.summary(&run).map_err(|e| e.to_string())?.state != journal::RunState::Undone {
        return Err("the run is not marked undone".into());
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]
    #[test]
    fn undo_restores_exactly_the_state_before_the_run(
        seed in 1u64..10_000,
        users in 30usize..120,
        kind in proptest::prop_oneof![
            proptest::prelude::Just(Kind::Give),
            proptest::prelude::Just(Kind::Take),
            proptest::prelude::Just(Kind::Swap),
            proptest::prelude::Just(Kind::Locate),
        ],
        meddle in proptest::bool::ANY,
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(run_and_undo(seed, users, kind, meddle))
            .map_err(proptest::test_runner::TestCaseError::fail)?;
    }
}

/// Seats freed by the run's removals are what its additions use: with chunks sent two at once,
/// the additions must still wait until every removal has its answer.
#[tokio::test(flavor = "multi_thread")]
async fn additions_wait_for_the_removals_that_free_their_seats() {
    // Answers take a few milliseconds, as Graph's take far longer: a chunk of additions sent
    // alongside the removals would get there first.
    let scenario = Scenario::demo()
        .with_users(3000)
        .with_faults(graph_sim::FaultSpec {
            latency_ms: Some([5, 15]),
            ..graph_sim::FaultSpec::default()
        });
    let sim = RunningSim::start(&scenario).await.expect("emulator starts");
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint");
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token())).expect("client");
    let (skus, people) = tenant_now(&client).await;
    let e3 = skus.iter().find(|s| s.sku_id == SPE_E3).expect("E3");
    let free = e3.seats.free() as usize;
    let holds_only_direct_e3 = |u: &User| {
        u.assignments.len() == 1
            && u.assignments[0].sku_id == SPE_E3
            && u.assignments[0].assigned_by_group.is_none()
    };
    let leaving: Vec<&User> = people
        .iter()
        .filter(|u| holds_only_direct_e3(u))
        .take(CHUNK - 50)
        .collect();
    // One chunk of removals, so that without the wait the first chunk of additions would go
    // alongside it, before the seats it needs are free.
    assert_eq!(leaving.len(), CHUNK - 50, "people to take E3 from");
    let joining: Vec<&User> = people
        .iter()
        .filter(|u| u.usage_location.is_some() && u.assignments.is_empty())
        .take(leaving.len() + free)
        .collect();
    assert_eq!(joining.len(), leaving.len() + free, "people to give E3");
    let take = WantedChange {
        remove: vec![SPE_E3.into()],
        ..WantedChange::default()
    };
    let give = WantedChange {
        add: vec![PlanToAdd {
            sku_id: SPE_E3.into(),
            disabled_plans: vec![],
        }],
        ..WantedChange::default()
    };
    // Additions first in the request: the runner orders them after the removals.
    let requests: Vec<(&User, &WantedChange)> = joining
        .iter()
        .map(|u| (*u, &give))
        .chain(leaving.iter().map(|u| (*u, &take)))
        .collect();
    let plan = licensing::plan_each(&requests, &skus, ShortfallPolicy::Nobody);
    assert!(
        plan.seats.iter().all(|s| s.shortfall == 0),
        "the freed seats cover the additions: {:?}",
        plan.seats
    );
    let everyone: Vec<User> = requests.iter().map(|(u, _)| (*u).clone()).collect();
    let (dir, j) = journal();
    let run = begin(&j, &plan, &everyone, None);
    let _lock = j.lock(&run).expect("lock");
    let seqs: Vec<u32> = (0..plan.people.len() as u32).collect();
    let statuses = carry_out(&client, &j, &run, &plan, &seqs, &Control::default(), |_| {})
        .await
        .expect("run");
    let failures: Vec<String> = statuses
        .iter()
        .zip(&plan.people)
        .filter_map(|(s, p)| match s {
            Some(PersonStatus::Failed(e)) => Some(format!("{}: {e}", p.user_principal_name)),
            _ => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        failures.first()
    );
    let summary = j.summary(&run).expect("summary");
    assert_eq!(summary.done as usize, plan.people.len());
    assert_eq!(summary.state, journal::RunState::Finished);
    let after = sim.tenant();
    assert_eq!(after.consumed_units(), after.recount_consumed());
    drop(j);
    let _ = std::fs::remove_dir_all(dir);
}
