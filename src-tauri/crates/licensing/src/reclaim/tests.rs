//! Each reason on people built for it, at its edges.

use super::*;
use crate::{AppliesTo, CapabilityStatus, LicenseAssignment, SeatCounts, ServicePlan};

const NOW: i64 = 1_796_000_000; // 2026-11-30
const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const O365_E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const P1: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
const VISIO: &str = "c5928f49-12ba-48f7-ada3-0d743a3601d5";
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

fn sku(id: &str, part: &str, plans: &[&str]) -> Sku {
    Sku {
        sku_id: id.into(),
        sku_part_number: part.into(),
        applies_to: AppliesTo::User,
        capability_status: CapabilityStatus::Enabled,
        seats: SeatCounts {
            enabled: 100,
            warning: 0,
            suspended: 0,
            locked_out: 0,
            consumed: 50,
        },
        service_plans: plans
            .iter()
            .map(|p| ServicePlan {
                id: format!("id-{p}"),
                name: (*p).into(),
            })
            .collect(),
    }
}

fn skus() -> Vec<Sku> {
    vec![
        sku(
            E3,
            "SPE_E3",
            &[
                "EXCHANGE_S_ENTERPRISE",
                "SHAREPOINTENTERPRISE",
                "AAD_PREMIUM",
                "MFA_PREMIUM",
                "TEAMS1",
            ],
        ),
        sku(
            O365_E3,
            "ENTERPRISEPACK",
            &["EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "TEAMS1"],
        ),
        sku(
            P1,
            "AAD_PREMIUM",
            &["AAD_PREMIUM", "MFA_PREMIUM", "EXCHANGE_S_FOUNDATION"],
        ),
        sku(VISIO, "VISIOCLIENT", &["VISIO_CLIENT_SUBSCRIPTION"]),
        sku(E5, "SPE_E5", &["EXCHANGE_S_ENTERPRISE", "FORMS_PLAN_E5"]),
    ]
}

fn person(upn: &str, licenses: &[&str]) -> User {
    User {
        id: format!("id-{upn}"),
        user_principal_name: upn.into(),
        display_name: upn.into(),
        department: Some("Sales".into()),
        usage_location: Some("NL".into()),
        account_enabled: true,
        assignments: licenses
            .iter()
            .map(|s| LicenseAssignment {
                sku_id: (*s).into(),
                disabled_plans: vec![],
                assigned_by_group: None,
                error: None,
            })
            .collect(),
    }
}

fn days_ago(d: f64) -> i64 {
    NOW - (d * DAY as f64) as i64
}

fn active(created_days: f64, last_success_days: Option<f64>) -> Activity {
    Activity {
        created: Some(days_ago(created_days)),
        sign_ins: last_success_days.map(|d| SignIns {
            interactive: Some(days_ago(d)),
            non_interactive: None,
            successful: Some(days_ago(d)),
        }),
    }
}

fn reasons(people: &[(User, Activity)], rules: &Rules) -> Vec<(String, String, WasteReason)> {
    find(people, &skus(), rules)
        .into_iter()
        .map(|c| (c.user_principal_name, c.sku_id, c.reason))
        .collect()
}

#[test]
fn a_disabled_account_wastes_every_license_it_holds_directly() {
    let mut gone = person("gone@x", &[E3, VISIO]);
    gone.account_enabled = false;
    let found = reasons(
        &[(gone, active(800.0, Some(2.0)))],
        &Rules::all(90, NOW, true),
    );
    assert_eq!(
        found,
        vec![
            ("gone@x".into(), E3.into(), WasteReason::Disabled),
            ("gone@x".into(), VISIO.into(), WasteReason::Disabled),
        ]
    );
}

#[test]
fn inactive_counts_from_the_last_successful_sign_in_at_its_edges() {
    let rules = Rules::all(90, NOW, true);
    let people = vec![
        // Exactly N days ago: inactive.
        (person("exactly@x", &[VISIO]), active(400.0, Some(90.0))),
        // A minute less than N days: active.
        (
            person("justin@x", &[VISIO]),
            active(400.0, Some(90.0 - 1.0 / 1440.0)),
        ),
        // Created N−1 days ago and never signed in: too new to judge.
        (person("new@x", &[VISIO]), active(89.0, None)),
        // Created N days ago and never signed in.
        (person("never@x", &[VISIO]), active(90.0, None)),
    ];
    assert_eq!(
        reasons(&people, &rules),
        vec![
            ("exactly@x".into(), VISIO.into(), WasteReason::Inactive),
            ("never@x".into(), VISIO.into(), WasteReason::NeverSignedIn),
        ]
    );
}

#[test]
fn a_failed_sign_in_is_not_activity_and_a_non_interactive_one_is() {
    let rules = Rules::all(90, NOW, true);
    let failed = Activity {
        created: Some(days_ago(500.0)),
        sign_ins: Some(SignIns {
            interactive: Some(days_ago(1.0)),
            non_interactive: None,
            successful: Some(days_ago(200.0)),
        }),
    };
    let only_non_interactive = Activity {
        created: Some(days_ago(500.0)),
        sign_ins: Some(SignIns {
            interactive: None,
            non_interactive: Some(days_ago(3.0)),
            successful: Some(days_ago(3.0)),
        }),
    };
    // Only a failed sign-in since Graph keeps successes apart: never signed in successfully.
    let only_failed = Activity {
        created: Some(days_ago(500.0)),
        sign_ins: Some(SignIns {
            interactive: Some(days_ago(5.0)),
            non_interactive: None,
            successful: None,
        }),
    };
    // Before December 2023 a last sign-in may have been a success: it counts, and is old.
    let long_ago = Activity {
        created: Some(days_ago(2000.0)),
        sign_ins: Some(SignIns {
            interactive: Some(SUCCESS_KEPT_SINCE - 30 * DAY),
            non_interactive: None,
            successful: None,
        }),
    };
    let people = vec![
        (person("failed@x", &[VISIO]), failed),
        (person("phone@x", &[VISIO]), only_non_interactive),
        (person("onlyfailed@x", &[VISIO]), only_failed),
        (person("longago@x", &[VISIO]), long_ago),
    ];
    let found = find(&people, &skus(), &rules);
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.user_principal_name.as_str(), c.reason, c.last_sign_in))
        .collect();
    assert_eq!(
        got,
        vec![
            ("failed@x", WasteReason::Inactive, Some(days_ago(200.0))),
            ("onlyfailed@x", WasteReason::NeverSignedIn, None),
            (
                "longago@x",
                WasteReason::Inactive,
                Some(SUCCESS_KEPT_SINCE - 30 * DAY)
            ),
        ]
    );
}

#[test]
fn without_sign_in_activity_nobody_is_called_inactive_but_disabled_and_redundant_remain() {
    let rules = Rules::all(90, NOW, false);
    let mut gone = person("gone@x", &[VISIO]);
    gone.account_enabled = false;
    let people = vec![
        (person("never@x", &[VISIO]), active(900.0, None)),
        (gone, Activity::default()),
        (person("double@x", &[E3, O365_E3]), Activity::default()),
    ];
    assert_eq!(
        reasons(&people, &rules),
        vec![
            ("gone@x".into(), VISIO.into(), WasteReason::Disabled),
            ("double@x".into(), O365_E3.into(), WasteReason::Redundant),
        ]
    );
}

#[test]
fn without_sign_in_activity_never_signed_in_is_guessed_from_age_only_when_asked() {
    let mut rules = Rules::all(90, NOW, false);
    rules.guess_from_age = true;
    let people = vec![
        (person("old@x", &[VISIO]), active(90.0, None)),
        (person("young@x", &[VISIO]), active(89.0, None)),
        (person("unknown@x", &[VISIO]), Activity::default()),
    ];
    // Exactly N days old counts; one day younger, or no creation date, does not.
    assert_eq!(
        reasons(&people, &rules),
        vec![("old@x".into(), VISIO.into(), WasteReason::NeverSignedIn)]
    );
    // What is known wins over the guess: a plan another covers stays *redundant*.
    let doubles = vec![(person("double@x", &[E3, O365_E3]), active(400.0, None))];
    assert_eq!(
        reasons(&doubles, &rules),
        vec![
            ("double@x".into(), E3.into(), WasteReason::NeverSignedIn),
            ("double@x".into(), O365_E3.into(), WasteReason::Redundant),
        ]
    );
    // Only for *never signed in*: nobody is guessed inactive.
    rules.never_signed_in = false;
    assert!(reasons(&people, &rules).is_empty());
    // With sign-in data the guess plays no part: someone who signed in is not proposed.
    let mut known = Rules::all(90, NOW, true);
    known.guess_from_age = true;
    let signed_in = vec![(person("seen@x", &[VISIO]), active(900.0, Some(1.0)))];
    assert!(reasons(&signed_in, &known).is_empty());
}

#[test]
fn a_plan_another_covers_is_redundant_and_only_one_of_two_is_proposed() {
    let rules = Rules::all(90, NOW, true);
    // Office 365 E3 under Microsoft 365 E3; Entra ID P1 too (Exchange Foundation aside).
    let both = person("both@x", &[O365_E3, E3, P1]);
    let found = find(&[(both, active(500.0, Some(1.0)))], &skus(), &rules);
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.sku_id.as_str(), c.reason, c.covered_by.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (O365_E3, WasteReason::Redundant, Some(E3)),
            (P1, WasteReason::Redundant, Some(E3)),
        ]
    );
    // Two of the same family: E3 under E5, though E5 has none of E3's apps here.
    let family = person("family@x", &[E3, E5]);
    let found = find(&[(family, active(500.0, Some(1.0)))], &skus(), &rules);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].sku_id.as_str(), found[0].covered_by.as_deref()),
        (E3, Some(E5))
    );
}

#[test]
fn an_app_switched_off_in_the_covering_plan_means_it_does_not_cover() {
    let rules = Rules::all(90, NOW, true);
    let mut p = person("off@x", &[O365_E3, E3]);
    p.assignments[1].disabled_plans = vec!["id-SHAREPOINTENTERPRISE".into()];
    let found = find(&[(p, active(500.0, Some(1.0)))], &skus(), &rules);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_license_from_a_group_is_listed_with_its_group_and_not_removed() {
    let rules = Rules::all(90, NOW, true);
    let mut gone = person("gone@x", &[E3, VISIO]);
    gone.account_enabled = false;
    gone.assignments[0].assigned_by_group = Some("group-sales".into());
    // The same plan directly as well: the group still gives it, so no seat would be freed.
    gone.assignments.push(LicenseAssignment {
        sku_id: E3.into(),
        disabled_plans: vec![],
        assigned_by_group: None,
        error: None,
    });
    let found = find(&[(gone, Activity::default())], &skus(), &rules);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].reason, WasteReason::FromGroup);
    assert_eq!(found[0].because, Some(WasteReason::Disabled));
    assert_eq!(found[0].group_id.as_deref(), Some("group-sales"));
    let changes = removals(&found);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].1.remove, vec![VISIO.to_string()]);
}

#[test]
fn exclusions_filters_and_chosen_reasons_are_kept() {
    let mut rules = Rules::all(90, NOW, true);
    let mut gone = person("service@x", &[VISIO]);
    gone.account_enabled = false;
    let mut leave = person("leave@x", &[VISIO]);
    leave.assignments[0].assigned_by_group = Some("group-on-leave".into());
    let mut other_dept = person("it@x", &[VISIO]);
    other_dept.department = Some("IT".into());
    let people = vec![
        (gone, Activity::default()),
        (leave, active(500.0, None)),
        (other_dept, active(500.0, None)),
        (person("old@x", &[VISIO, E3]), active(500.0, None)),
    ];
    rules.excluded_people.insert("SERVICE@X".into());
    rules.excluded_groups.insert("group-on-leave".into());
    rules.department = Some("sales".into());
    rules.sku = Some(VISIO.to_uppercase());
    assert_eq!(
        reasons(&people, &rules),
        vec![("old@x".into(), VISIO.into(), WasteReason::NeverSignedIn)]
    );
    rules.never_signed_in = false;
    assert!(reasons(&people, &rules).is_empty());
}
