//! The planning engine: every outcome and blocker on small tenants, then its invariants on
//! random ones (proptest).

use std::collections::HashMap;

use licensing::{
    Action, AppliesTo, CapabilityStatus, LicenseAssignment, PlanToAdd, Reason, SeatCounts,
    ServicePlan, ShortfallPolicy, Sku, UsageLocationChange, User, WantedChange, plan, plan_each,
};
use proptest::prelude::*;

const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900"; // Office 365 E3
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"; // Microsoft 365 E5
const BASIC: &str = "3b555118-da6a-4418-894f-7df1e2096870"; // Business Basic
const COMPANY: &str = "6470687e-a428-4b7a-bef2-8a291ad947c9"; // Windows Store for Business
const EXO2: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";
const EXO1: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";
const TEAMS: &str = "57ff2da0-773e-42df-b2af-ffb7a2317929";
const TEAMS_E5: &str = "57ff2da0-773e-42df-b2af-ffb7a2317929";

fn sku(id: &str, part: &str, enabled: u32, consumed: u32, plans: &[(&str, &str)]) -> Sku {
    Sku {
        sku_id: id.into(),
        sku_part_number: part.into(),
        applies_to: AppliesTo::User,
        capability_status: CapabilityStatus::Enabled,
        seats: SeatCounts {
            enabled,
            consumed,
            ..SeatCounts::default()
        },
        service_plans: plans
            .iter()
            .map(|(id, name)| ServicePlan {
                id: (*id).into(),
                name: (*name).into(),
            })
            .collect(),
    }
}

fn tenant(e3_free: u32, e5_free: u32) -> Vec<Sku> {
    let mut company = sku(COMPANY, "WINDOWS_STORE", 100, 0, &[]);
    company.applies_to = AppliesTo::Company;
    vec![
        sku(
            E3,
            "ENTERPRISEPACK",
            10,
            10 - e3_free,
            &[(EXO2, "EXCHANGE_S_ENTERPRISE"), (TEAMS, "TEAMS1")],
        ),
        sku(
            E5,
            "SPE_E5",
            10,
            10 - e5_free,
            &[(EXO2, "EXCHANGE_S_ENTERPRISE"), (TEAMS_E5, "TEAMS1")],
        ),
        sku(
            BASIC,
            "O365_BUSINESS_ESSENTIALS",
            10,
            0,
            &[(EXO1, "EXCHANGE_S_STANDARD")],
        ),
        company,
    ]
}

fn person(n: usize, location: Option<&str>, licenses: &[(&str, Option<&str>)]) -> User {
    User {
        id: format!("id-{n}"),
        user_principal_name: format!("p{n}@contoso.com"),
        display_name: format!("Person {n}"),
        department: None,
        usage_location: location.map(str::to_owned),
        account_enabled: true,
        assignments: licenses
            .iter()
            .map(|(sku, group)| LicenseAssignment {
                sku_id: (*sku).into(),
                disabled_plans: Vec::new(),
                assigned_by_group: group.map(str::to_owned),
                error: None,
            })
            .collect(),
    }
}

fn add(sku: &str) -> WantedChange {
    WantedChange {
        add: vec![PlanToAdd {
            sku_id: sku.into(),
            disabled_plans: vec![],
        }],
        ..WantedChange::default()
    }
}

fn swap(from: &str, to: &str) -> WantedChange {
    WantedChange {
        remove: vec![from.into()],
        ..add(to)
    }
}

fn apps_off(sku: &str, off: &[&str]) -> WantedChange {
    WantedChange {
        apps: vec![PlanToAdd {
            sku_id: sku.into(),
            disabled_plans: off.iter().map(|p| (*p).to_string()).collect(),
        }],
        ..WantedChange::default()
    }
}

#[test]
fn switching_apps_is_a_change_of_its_own_that_takes_no_seat() {
    let mut teams_off = person(3, Some("NL"), &[(E3, None)]);
    teams_off.assignments[0].disabled_plans = vec![TEAMS.to_uppercase()];
    let people = vec![
        person(0, Some("NL"), &[(E3, None)]),
        person(1, Some("NL"), &[(E3, Some("group-1"))]),
        person(2, Some("NL"), &[]),
        teams_off,
        // No usage location: switching apps of a license held needs none.
        person(4, None, &[(E3, None)]),
    ];
    // No free E3 seat at all: switching apps must not need one.
    let p = plan(
        &people,
        &apps_off(E3, &[TEAMS]),
        &tenant(0, 0),
        ShortfallPolicy::Nobody,
    );
    assert_eq!(p.people[0].action, Action::Apps);
    assert_eq!(
        p.people[0].add,
        vec![PlanToAdd {
            sku_id: E3.into(),
            disabled_plans: vec![TEAMS.into()]
        }]
    );
    assert_eq!(
        p.people[1].reason,
        Some(Reason::FromGroup {
            sku_id: E3.into(),
            group_id: "group-1".into()
        })
    );
    assert_eq!(
        p.people[2].reason,
        Some(Reason::DoesNotHaveIt { sku_id: E3.into() })
    );
    assert_eq!(p.people[3].action, Action::None);
    assert_eq!(
        p.people[3].reason,
        Some(Reason::AppsAlreadySo { sku_id: E3.into() })
    );
    assert_eq!(p.people[4].action, Action::Apps);
    assert!(p.seats.is_empty(), "no seats change: {:?}", p.seats);

    // Several switches in one change: Teams back on and Exchange off for person 3.
    let p = plan(
        &people[3..4],
        &apps_off(E3, &[EXO2]),
        &tenant(0, 0),
        ShortfallPolicy::Nobody,
    );
    assert_eq!(p.people[0].action, Action::Apps);
    assert_eq!(p.people[0].add[0].disabled_plans, vec![EXO2.to_string()]);
}

#[test]
fn each_person_gets_the_outcome_their_licenses_call_for() {
    let people = vec![
        person(0, Some("NL"), &[]),
        person(1, Some("NL"), &[(E5, None)]),
        person(2, None, &[]),
        person(3, Some("NL"), &[(BASIC, None)]),
    ];
    let p = plan(&people, &add(E5), &tenant(5, 5), ShortfallPolicy::Nobody);
    assert_eq!(p.people[0].action, Action::Add);
    assert_eq!(p.people[1].action, Action::None);
    assert_eq!(
        p.people[1].reason,
        Some(Reason::AlreadyHasIt { sku_id: E5.into() })
    );
    assert_eq!(p.people[2].action, Action::Blocked);
    assert_eq!(p.people[2].reason, Some(Reason::NoUsageLocation));
    // Business Basic's Exchange Plan 1 and E5's Exchange Plan 2 cannot go together.
    assert!(matches!(
        p.people[3].reason,
        Some(Reason::PlanConflict { .. })
    ));
    let e5 = &p.seats[0];
    assert_eq!(
        (
            e5.free_before,
            e5.taken,
            e5.freed,
            e5.free_after,
            e5.shortfall
        ),
        (5, 1, 0, 4, 0)
    );
}

#[test]
fn a_usage_location_in_the_same_run_unblocks_people_without_one() {
    let people = vec![person(0, None, &[]), person(1, Some("BE"), &[])];
    let change = WantedChange {
        usage_location: Some(UsageLocationChange::WhereMissing("NL".into())),
        ..add(E3)
    };
    let p = plan(&people, &change, &tenant(5, 5), ShortfallPolicy::Nobody);
    assert_eq!(p.people[0].action, Action::Add);
    assert_eq!(p.people[0].set_usage_location.as_deref(), Some("NL"));
    assert_eq!(p.people[1].set_usage_location, None, "BE is kept");
}

#[test]
fn group_licenses_company_plans_and_unknown_plans_block_with_the_reason() {
    let people = vec![person(0, Some("NL"), &[(E3, Some("group-sales"))])];
    let p = plan(
        &people,
        &swap(E3, E5),
        &tenant(5, 5),
        ShortfallPolicy::Nobody,
    );
    assert_eq!(
        p.people[0].reason,
        Some(Reason::FromGroup {
            sku_id: E3.into(),
            group_id: "group-sales".into()
        })
    );
    let p = plan(
        &people,
        &add(COMPANY),
        &tenant(5, 5),
        ShortfallPolicy::Nobody,
    );
    assert_eq!(
        p.people[0].reason,
        Some(Reason::NotForPeople {
            sku_id: COMPANY.into()
        })
    );
    let p = plan(
        &people,
        &add("00000000-0000-0000-0000-000000000000"),
        &tenant(5, 5),
        ShortfallPolicy::Nobody,
    );
    assert!(matches!(
        p.people[0].reason,
        Some(Reason::UnknownPlan { .. })
    ));
    let mut suspended = tenant(5, 5);
    suspended[1].capability_status = CapabilityStatus::Suspended;
    let p = plan(
        &[person(1, Some("NL"), &[])],
        &add(E5),
        &suspended,
        ShortfallPolicy::Nobody,
    );
    assert_eq!(
        p.people[0].reason,
        Some(Reason::PlanNotActive { sku_id: E5.into() })
    );
}

#[test]
fn a_swap_frees_seats_others_in_the_run_may_use() {
    // E5 is full. From HR's file: person 0 moves E5 → E3 (freeing an E5 seat), person 1 gets
    // E5, person 2 also wants E5 but there is only the one freed seat.
    let people = [
        person(0, Some("NL"), &[(E5, None)]),
        person(1, Some("NL"), &[]),
        person(2, Some("NL"), &[]),
    ];
    let down = swap(E5, E3);
    let up = add(E5);
    let requests = vec![(&people[0], &down), (&people[1], &up), (&people[2], &up)];
    let p = plan_each(&requests, &tenant(5, 0), ShortfallPolicy::Partial);
    assert_eq!(p.people[0].action, Action::Swap);
    assert_eq!(p.people[1].action, Action::Add);
    assert_eq!(
        p.people[2].reason,
        Some(Reason::NoSeat { sku_id: E5.into() })
    );
    let e5 = p.seats.iter().find(|l| l.sku_id == E5).expect("E5 ledger");
    assert_eq!(
        (
            e5.free_before,
            e5.freed,
            e5.taken,
            e5.free_after,
            e5.shortfall
        ),
        (0, 1, 1, 0, 1)
    );

    // If the one freeing the seat cannot get E3 (none free), their E5 stays, and with it the
    // seat person 1 was counting on: nobody gets E5.
    let p = plan_each(&requests, &tenant(0, 0), ShortfallPolicy::Partial);
    assert_eq!(p.people[0].action, Action::Blocked);
    assert_eq!(p.people[1].action, Action::Blocked);
    let e5 = p.seats.iter().find(|l| l.sku_id == E5).expect("E5 ledger");
    assert_eq!((e5.freed, e5.taken, e5.free_after), (0, 0, 0));
}

#[test]
fn a_swap_into_a_full_plan_keeps_the_old_plan() {
    let people = vec![person(0, Some("NL"), &[(E3, None)])];
    let p = plan(
        &people,
        &swap(E3, E5),
        &tenant(5, 0),
        ShortfallPolicy::Partial,
    );
    assert_eq!(p.people[0].action, Action::Blocked);
    assert!(p.people[0].remove.is_empty(), "the old plan stays");
    let e3 = p.seats.iter().find(|l| l.sku_id == E3).expect("E3 ledger");
    assert_eq!(e3.freed, 0, "a blocked swap frees nothing");
}

#[test]
fn shortfall_partial_gives_seats_in_order_and_nobody_gives_none() {
    let people: Vec<User> = (0..5).map(|n| person(n, Some("NL"), &[])).collect();
    let p = plan(&people, &add(E5), &tenant(5, 3), ShortfallPolicy::Partial);
    let actions: Vec<Action> = p.people.iter().map(|o| o.action).collect();
    assert_eq!(
        actions,
        [
            Action::Add,
            Action::Add,
            Action::Add,
            Action::Blocked,
            Action::Blocked
        ]
    );
    assert_eq!(
        (
            p.seats[0].taken,
            p.seats[0].free_after,
            p.seats[0].shortfall
        ),
        (3, 0, 2)
    );

    let p = plan(&people, &add(E5), &tenant(5, 3), ShortfallPolicy::Nobody);
    assert!(p.people.iter().all(|o| o.action == Action::Blocked));
    assert_eq!(
        (
            p.seats[0].taken,
            p.seats[0].free_after,
            p.seats[0].shortfall
        ),
        (0, 3, 2)
    );
}

#[test]
fn switched_off_apps_can_be_carried_across_a_swap_by_name() {
    let mut holder = person(0, Some("NL"), &[(E3, None)]);
    holder.assignments[0].disabled_plans = vec![TEAMS.into()];
    let change = WantedChange {
        keep_disabled_plans: true,
        ..swap(E3, E5)
    };
    let p = plan(&[holder], &change, &tenant(5, 5), ShortfallPolicy::Nobody);
    assert_eq!(p.people[0].action, Action::Swap);
    assert_eq!(p.people[0].add[0].disabled_plans, [TEAMS_E5]);
}

#[test]
fn removing_what_is_not_there_is_nothing_to_do() {
    let p = plan(
        &[person(0, Some("NL"), &[])],
        &WantedChange {
            remove: vec![E3.into()],
            ..WantedChange::default()
        },
        &tenant(5, 5),
        ShortfallPolicy::Nobody,
    );
    assert_eq!(p.people[0].action, Action::None);
    assert_eq!(
        p.people[0].reason,
        Some(Reason::DoesNotHaveIt { sku_id: E3.into() })
    );
}

// ---- invariants on random tenants ------------------------------------------------------

fn arb_person(n: usize) -> impl Strategy<Value = User> {
    let licenses = prop::collection::vec(
        (
            prop::sample::select(vec![E3, E5, BASIC]),
            prop::option::weighted(0.2, Just("group-1")),
        ),
        0..3,
    );
    (prop::option::weighted(0.8, Just("NL")), licenses).prop_map(move |(loc, lic)| {
        let mut seen = std::collections::HashSet::new();
        let lic: Vec<(&str, Option<&str>)> = lic
            .into_iter()
            .filter(|(s, g)| seen.insert((*s, g.is_some())))
            .collect();
        person(n, loc, &lic)
    })
}

fn arb_people() -> impl Strategy<Value = Vec<User>> {
    (0usize..40).prop_flat_map(|len| (0..len).map(arb_person).collect::<Vec<_>>())
}

fn arb_change() -> impl Strategy<Value = WantedChange> {
    (
        prop::sample::select(vec![E3, E5]),
        prop::option::of(prop::sample::select(vec![E3, E5, BASIC])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(to, from, with_location, add_it)| WantedChange {
            add: if add_it || from.is_none() {
                vec![PlanToAdd {
                    sku_id: to.into(),
                    disabled_plans: vec![],
                }]
            } else {
                vec![]
            },
            remove: from
                .filter(|f| *f != to)
                .map(|f| vec![f.into()])
                .unwrap_or_default(),
            usage_location: with_location.then(|| UsageLocationChange::WhereMissing("BE".into())),
            keep_disabled_plans: false,
            as_direct: false,
            apps: Vec::new(),
            ..WantedChange::default()
        })
}

fn arb_policy() -> impl Strategy<Value = ShortfallPolicy> {
    prop::sample::select(vec![ShortfallPolicy::Partial, ShortfallPolicy::Nobody])
}

proptest! {
    #[test]
    fn ledgers_never_go_below_zero_and_no_plan_gives_more_than_it_has(
        people in arb_people(), change in arb_change(), policy in arb_policy(),
        e3 in 0u32..6, e5 in 0u32..6,
    ) {
        let skus = tenant(e3, e5);
        let p = plan(&people, &change, &skus, policy);
        for l in &p.seats {
            prop_assert!(l.taken <= l.free_before + l.freed, "{l:?}");
            prop_assert_eq!(l.free_after, l.free_before + l.freed - l.taken);
            let given = p.people.iter().filter(|o| o.add.iter().any(|a| a.sku_id.eq_ignore_ascii_case(&l.sku_id))).count() as u32;
            prop_assert_eq!(given, l.taken);
        }
    }

    #[test]
    fn every_person_gets_exactly_one_outcome(
        people in arb_people(), change in arb_change(), policy in arb_policy(),
    ) {
        let p = plan(&people, &change, &tenant(2, 2), policy);
        prop_assert_eq!(p.people.len(), people.len());
        for (o, u) in p.people.iter().zip(&people) {
            prop_assert_eq!(&o.user_id, &u.id);
            match o.action {
                Action::Blocked => prop_assert!(o.reason.is_some() && o.add.is_empty() && o.remove.is_empty()),
                Action::Add => prop_assert!(!o.add.is_empty() && o.remove.is_empty()),
                Action::Remove => prop_assert!(o.add.is_empty() && !o.remove.is_empty()),
                Action::Swap => prop_assert!(!o.add.is_empty() && !o.remove.is_empty()),
                Action::Apps => prop_assert!(!o.add.is_empty() && o.remove.is_empty()),
                Action::None => prop_assert!(o.add.is_empty() && o.remove.is_empty()),
                // Only a membership change gives it; none is asked here.
                Action::Membership => prop_assert!(false, "a membership outcome from a license change"),
            }
        }
    }

    #[test]
    fn the_order_of_people_does_not_matter_except_who_gets_short_seats(
        people in arb_people(), change in arb_change(), policy in arb_policy(),
        e3 in 0u32..6, e5 in 0u32..6, seed in any::<u64>(),
    ) {
        let skus = tenant(e3, e5);
        let mut shuffled = people.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = plan(&people, &change, &skus, policy);
        let b = plan(&shuffled, &change, &skus, policy);
        prop_assert_eq!(&a.seats.iter().map(|l| (l.sku_id.clone(), l.free_before, l.shortfall)).collect::<Vec<_>>(),
                        &b.seats.iter().map(|l| (l.sku_id.clone(), l.free_before, l.shortfall)).collect::<Vec<_>>());
        let by_id: HashMap<&str, _> = b.people.iter().map(|o| (o.user_id.as_str(), o)).collect();
        let short: Vec<&str> = a.seats.iter().filter(|l| l.shortfall > 0).map(|l| l.sku_id.as_str()).collect();
        for o in &a.people {
            let other = by_id[o.user_id.as_str()];
            let touched_by_shortage = [o, other].iter().any(|x| matches!(&x.reason, Some(Reason::NoSeat { .. })))
                || o.add.iter().chain(other.add.iter()).any(|x| short.contains(&x.sku_id.to_ascii_lowercase().as_str()));
            if policy == ShortfallPolicy::Nobody || !touched_by_shortage {
                prop_assert_eq!(o, other);
            }
        }
        if policy == ShortfallPolicy::Partial {
            // How many get each plan does not depend on the order.
            for (la, lb) in a.seats.iter().zip(&b.seats) {
                prop_assert_eq!(la.taken, lb.taken, "{:?} vs {:?}", la, lb);
            }
        }
    }
}

#[test]
fn a_change_is_said_in_a_few_words_for_the_journal() {
    let names = licensing::ProductNames::builtin();
    let give = WantedChange {
        add: vec![PlanToAdd {
            sku_id: "unknown-plan".into(),
            disabled_plans: vec![],
        }],
        usage_location: Some(UsageLocationChange::WhereMissing("NL".into())),
        ..WantedChange::default()
    };
    assert_eq!(
        licensing::RunTitle::of_change(&give, &[], &names, 1_500).english(),
        "Give unknown-plan (usage location NL) — 1,500 people"
    );
    let locate = WantedChange {
        usage_location: Some(UsageLocationChange::Everyone("BE".into())),
        ..WantedChange::default()
    };
    assert_eq!(
        licensing::RunTitle::of_change(&locate, &[], &names, 1).english(),
        "Set usage location to BE — 1 person"
    );
}

/// "Set them to Netherlands" in a bulk change with too few seats: everyone chosen gets the
/// usage location (it needs no seat); the seats go in the order given, and those without one
/// say why.
#[test]
fn a_usage_location_is_set_for_everyone_chosen_even_those_left_without_a_seat() {
    let people: Vec<User> = (0..4).map(|n| person(n, None, &[])).collect();
    let change = WantedChange {
        usage_location: Some(UsageLocationChange::WhereMissing("NL".into())),
        ..add(E3)
    };
    for policy in [ShortfallPolicy::Partial, ShortfallPolicy::Nobody] {
        let p = plan(&people, &change, &tenant(2, 0), policy);
        assert!(
            p.people
                .iter()
                .all(|o| o.set_usage_location.as_deref() == Some("NL")),
            "{policy:?}: {:?}",
            p.people
        );
        let seated = p.people.iter().filter(|o| o.action == Action::Add).count();
        assert_eq!(
            seated,
            if policy == ShortfallPolicy::Partial {
                2
            } else {
                0
            }
        );
        for o in p.people.iter().filter(|o| o.action != Action::Add) {
            assert_eq!(o.action, Action::None);
            assert_eq!(o.reason, Some(Reason::NoSeat { sku_id: E3.into() }));
        }
        if policy == ShortfallPolicy::Partial {
            // In the order given: the first two.
            assert_eq!(p.people[0].action, Action::Add);
            assert_eq!(p.people[1].action, Action::Add);
        }
    }
}
