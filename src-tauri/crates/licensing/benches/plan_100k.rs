//! How long the plan takes for 100,000 people (goal: under 200 ms). A measurement, not a
//! test: `cargo bench -p licensing --bench plan_100k`.

use std::time::Instant;

use licensing::{
    AppliesTo, CapabilityStatus, LicenseAssignment, PlanToAdd, SeatCounts, ServicePlan,
    ShortfallPolicy, Sku, UsageLocationChange, User, WantedChange, plan,
};

const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

fn sku(id: &str, part: &str, enabled: u32, consumed: u32) -> Sku {
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
        service_plans: (0..30)
            .map(|i| ServicePlan {
                id: format!("{i:08}-0000-0000-0000-{part:0>12}"),
                name: format!("PLAN_{i}"),
            })
            .collect(),
    }
}

fn main() {
    let people: Vec<User> = (0..100_000)
        .map(|n| User {
            id: format!("{n:08}-aaaa-bbbb-cccc-000000000000"),
            user_principal_name: format!("user{n}@contoso.com"),
            display_name: format!("User {n}"),
            department: Some(["Sales", "IT", "Finance"][n % 3].into()),
            usage_location: (n % 7 != 0).then(|| "NL".into()),
            account_enabled: true,
            assignments: match n % 4 {
                0 => vec![],
                1 => vec![LicenseAssignment {
                    sku_id: E3.into(),
                    disabled_plans: vec![],
                    assigned_by_group: None,
                    error: None,
                }],
                2 => vec![LicenseAssignment {
                    sku_id: E3.into(),
                    disabled_plans: vec![],
                    assigned_by_group: Some("group".into()),
                    error: None,
                }],
                _ => vec![LicenseAssignment {
                    sku_id: E5.into(),
                    disabled_plans: vec![],
                    assigned_by_group: None,
                    error: None,
                }],
            },
        })
        .collect();
    let skus = vec![
        sku(E3, "ENTERPRISEPACK", 60_000, 50_000),
        sku(E5, "SPE_E5", 40_000, 25_000),
    ];
    let change = WantedChange {
        add: vec![PlanToAdd {
            sku_id: E5.into(),
            disabled_plans: vec![],
        }],
        remove: vec![E3.into()],
        usage_location: Some(UsageLocationChange::WhereMissing("NL".into())),
        keep_disabled_plans: true,
        as_direct: false,
        apps: Vec::new(),
        ..WantedChange::default()
    };
    for policy in [ShortfallPolicy::Partial, ShortfallPolicy::Nobody] {
        let mut best = f64::MAX;
        let mut last = None;
        for _ in 0..5 {
            let started = Instant::now();
            let p = plan(&people, &change, &skus, policy);
            best = best.min(started.elapsed().as_secs_f64() * 1000.0);
            last = Some(p);
        }
        let p = last.expect("ran");
        println!(
            "plan for {} people, swap E3 → E5 with a shortfall, policy {policy:?}: best of 5 {best:.1} ms (swaps {}, blocked {}, E5 shortfall {})",
            people.len(),
            p.count(licensing::Action::Swap),
            p.count(licensing::Action::Blocked),
            p.seats[0].shortfall
        );
    }
}
