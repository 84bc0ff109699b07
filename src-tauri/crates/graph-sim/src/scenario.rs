//! Scenario files: what tenant the emulator holds (and, later, how it misbehaves).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::SimError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub tenant: TenantSpec,
    /// Graph's throttling limits; off unless a scenario turns it on.
    #[serde(default)]
    pub throttle: ThrottleSpec,
    /// Misbehaviour to inject: latency, transient errors, dropped connections, token expiry.
    #[serde(default)]
    pub faults: FaultSpec,
    /// Eventual consistency: how long changes take to be seen where Graph is slow to see them.
    #[serde(default)]
    pub lag: LagSpec,
    /// Sign-in: token lifetimes, device-code timing, the app-only client and its secret.
    #[serde(default)]
    pub identity: crate::identity::IdentitySpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantSpec {
    pub display_name: String,
    /// The initial domain; user principal names end with it.
    pub domain: String,
    pub tenant_id: String,
    /// The same seed always gives the same people, licenses and ids.
    pub seed: u64,
    pub users: usize,
    /// Whether the tenant has Microsoft Entra ID P1 or P2, without which Graph refuses
    /// `signInActivity` (the `no-p1` scenario has none).
    #[serde(default = "yes")]
    pub entra_id_premium: bool,
    /// People written out one by one, after the generated ones: tests build the exact case
    /// they need (created N−1 days ago, last signed in exactly N days ago…).
    #[serde(default)]
    pub people: Vec<PersonSpec>,
    /// An "All staff" license group with the first N people as members (0: none), for scale
    /// tests of group licensing: it gives Power Automate Free, and Exchange Online (Plan 2),
    /// whose seats are all taken, so its members are in CountViolation for that.
    #[serde(default)]
    pub all_staff_group: usize,
}

fn yes() -> bool {
    true
}

/// One person of a scenario, as a test wants them. Days may have fractions; a sign-in date
/// left out is absent (never signed in that way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonSpec {
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub usage_location: Option<String>,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    pub created_days_ago: f64,
    /// Plans held directly, by part number (`SPE_E3`).
    #[serde(default)]
    pub licenses: Vec<String>,
    #[serde(default)]
    pub last_sign_in_days_ago: Option<f64>,
    #[serde(default)]
    pub last_non_interactive_sign_in_days_ago: Option<f64>,
    #[serde(default)]
    pub last_successful_sign_in_days_ago: Option<f64>,
}

/// The identity service limits of shared/reference/graph-licensing.md §6.2, as token buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ThrottleSpec {
    /// On in every scenario unless it says otherwise, at Graph's real rates: real Graph always
    /// enforces its documented limits. A benchmark that measures something else may turn it off.
    pub enabled: bool,
    /// How much faster than real Graph the clock of the limits runs: with 10, the 150-second
    /// write window lasts 15 seconds and Retry-After values shrink to match. Tests use this to
    /// meet the real limits in seconds instead of minutes.
    pub time_scale: f64,
    /// Resource units per 10 s for this app in this tenant; `None` takes Graph's value for the
    /// tenant's size (S < 50 users: 3,500; M ≤ 500: 5,000; L: 8,000).
    pub resource_units_per_10s: Option<u32>,
    /// Writes per 150 s for this app in this tenant (Graph: 3,000).
    pub app_writes_per_150s: u32,
    /// Writes per 5 minutes for the whole tenant, all apps (Graph: 18,000).
    pub tenant_writes_per_300s: u32,
    /// Extra share of requests (0–1) answered 429 at random, for testing retry paths.
    pub random_429_rate: f64,
}

impl Default for ThrottleSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            time_scale: 1.0,
            resource_units_per_10s: None,
            app_writes_per_150s: 3_000,
            tenant_writes_per_300s: 18_000,
            random_429_rate: 0.0,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FaultSpec {
    /// Each response waits this long before it is sent: `[min, max]` milliseconds, uniform.
    pub latency_ms: Option<[u64; 2]>,
    /// Share of requests (0–1) answered 503 or 504 without doing anything.
    pub transient_rate: f64,
    /// Share of requests (0–1) whose connection drops before any answer; a write among them
    /// may or may not have been carried out (half are).
    pub drop_rate: f64,
    /// Response bodies trickle out over this many milliseconds.
    pub slow_body_ms: u64,
    /// The access token stops working after this many authenticated requests (401), until
    /// the client fetches a new one.
    pub token_expires_after_requests: Option<u64>,
    /// Seed for the fault dice, so a failing run can be replayed.
    pub seed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LagSpec {
    /// After a usage location is set, assignLicense still sees the old one this long.
    pub usage_location_ms: u64,
    /// Advanced queries (ConsistencyLevel: eventual) see changes only after this long.
    pub advanced_query_ms: u64,
    /// Group-based licensing: how long after a membership or group-license change (or a
    /// reprocess) the members' license states follow.
    pub group_processing_ms: u64,
}

const DEMO: &str = include_str!("../scenarios/demo.json");
const LARGE: &str = include_str!("../scenarios/large.json");
const THROTTLED: &str = include_str!("../scenarios/throttled.json");
const FLAKY: &str = include_str!("../scenarios/flaky.json");
const NO_P1: &str = include_str!("../scenarios/no-p1.json");

/// More than this would take minutes and gigabytes to generate; refuse instead.
const MAX_USERS: usize = 2_000_000;

impl Scenario {
    /// The demo tenant the app opens on.
    pub fn demo() -> Self {
        Self::parse(DEMO, "scenarios/demo.json").expect("bundled demo scenario is valid")
    }

    /// A named bundled scenario (`demo`, `large`) or a path to a JSON file.
    pub fn load(name_or_path: &str) -> Result<Self, SimError> {
        match name_or_path {
            "demo" => Self::parse(DEMO, "scenarios/demo.json"),
            "large" => Self::parse(LARGE, "scenarios/large.json"),
            "throttled" => Self::parse(THROTTLED, "scenarios/throttled.json"),
            "flaky" => Self::parse(FLAKY, "scenarios/flaky.json"),
            "no-p1" => Self::parse(NO_P1, "scenarios/no-p1.json"),
            path if Path::new(path).exists() => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| SimError::ReadScenario {
                        path: path.to_string(),
                        source,
                    })?;
                Self::parse(&text, path)
            }
            other => Err(SimError::UnknownScenario(other.to_string())),
        }
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, SimError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| SimError::BadScenario {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let problem = if scenario.tenant.users > MAX_USERS {
            Some(format!("tenant.users is at most {MAX_USERS}"))
        } else if !(scenario.throttle.time_scale > 0.0 && scenario.throttle.time_scale <= 10_000.0)
        {
            Some("throttle.timeScale must be above 0 and at most 10000".to_string())
        } else if [
            scenario.throttle.random_429_rate,
            scenario.faults.transient_rate,
            scenario.faults.drop_rate,
        ]
        .iter()
        .any(|r| !(0.0..=1.0).contains(r))
        {
            Some("rates must be between 0 and 1".to_string())
        } else if scenario.faults.latency_ms.is_some_and(|[lo, hi]| lo > hi) {
            Some("faults.latencyMs must be [min, max] with min ≤ max".to_string())
        } else if let Some(problem) = scenario.tenant.people.iter().find_map(person_problem) {
            Some(problem)
        } else if !scenario.tenant.entra_id_premium {
            premium_without_premium(&scenario.tenant.people)
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(SimError::BadScenario {
                path: origin.to_string(),
                message,
            });
        }
        Ok(scenario)
    }

    /// A copy with these people added after the generated ones.
    pub fn with_people(mut self, people: Vec<PersonSpec>) -> Self {
        self.tenant.people = people;
        self
    }

    /// A copy with or without Microsoft Entra ID P1/P2.
    pub fn with_entra_id_premium(mut self, premium: bool) -> Self {
        self.tenant.entra_id_premium = premium;
        self
    }

    /// A copy with another number of users (tests use this to make big tenants quickly).
    pub fn with_users(mut self, users: usize) -> Self {
        self.tenant.users = users;
        self
    }

    pub fn with_throttle(mut self, throttle: ThrottleSpec) -> Self {
        self.throttle = throttle;
        self
    }

    pub fn with_faults(mut self, faults: FaultSpec) -> Self {
        self.faults = faults;
        self
    }

    pub fn with_lag(mut self, lag: LagSpec) -> Self {
        self.lag = lag;
        self
    }
}

/// What is wrong with a person of a scenario file, if anything.
fn person_problem(p: &PersonSpec) -> Option<String> {
    let upn = &p.user_principal_name;
    let days = [
        Some(p.created_days_ago),
        p.last_sign_in_days_ago,
        p.last_non_interactive_sign_in_days_ago,
        p.last_successful_sign_in_days_ago,
    ];
    if !upn.contains('@') {
        Some(format!(
            "people: '{upn}' is not a user principal name (name@domain)"
        ))
    } else if days
        .iter()
        .flatten()
        .any(|d| !(d.is_finite() && (0.0..=100_000.0).contains(d)))
    {
        Some(format!(
            "people: {upn}: days ago must be between 0 and 100000"
        ))
    } else {
        let catalog = crate::catalog::load();
        p.licenses
            .iter()
            .find(|l| !catalog.iter().any(|c| c.sku_part_number == **l))
            .map(|l| format!("people: {upn}: no plan '{l}' in the demo catalog"))
    }
}

/// A tenant without Entra ID P1/P2 holds no plan that brings it, as in Graph, where holding one
/// is what makes sign-in activity available.
fn premium_without_premium(people: &[PersonSpec]) -> Option<String> {
    let catalog = crate::catalog::load();
    people.iter().find_map(|p| {
        p.licenses
            .iter()
            .find(|l| {
                catalog
                    .iter()
                    .any(|c| c.sku_part_number == **l && c.brings_entra_id_premium())
            })
            .map(|l| {
                format!(
                    "people: {}: {l} brings Microsoft Entra ID P1 or P2, which a tenant with entraIdPremium false does not hold",
                    p.user_principal_name
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_without_entra_id_p1_holds_no_plan_that_brings_it() {
        let tenant =
            crate::tenant::Tenant::generate(&Scenario::load("no-p1").expect("no-p1").tenant);
        let premium = crate::catalog::entra_id_premium_skus();
        assert!(!tenant.entra_id_premium);
        assert!(tenant.skus.iter().all(|s| !premium.contains(&s.sku_id)));
        assert!(
            tenant
                .groups
                .iter()
                .flat_map(|g| &g.licenses)
                .all(|l| !premium.contains(&l.sku_id))
        );
        assert!(
            tenant
                .users
                .iter()
                .flat_map(|u| &u.licenses)
                .all(|l| !premium.contains(&l.sku_id))
        );
        // Still the demo's people, with the rest of their licenses.
        assert_eq!(tenant.users.len(), Scenario::demo().tenant.users);
        assert!(
            tenant
                .users
                .iter()
                .filter(|u| !u.licenses.is_empty())
                .count()
                > 100
        );

        let demo = crate::tenant::Tenant::generate(&Scenario::demo().tenant);
        assert!(demo.skus.iter().any(|s| premium.contains(&s.sku_id)));
    }

    #[test]
    fn a_person_with_a_p1_plan_in_a_tenant_without_p1_is_refused() {
        let text = r#"{"name": "x", "tenant": {"displayName": "F", "domain": "f.test", "tenantId": "t",
            "seed": 1, "users": 0, "entraIdPremium": false,
            "people": [{"userPrincipalName": "a@f.test", "createdDaysAgo": 10, "licenses": ["SPE_E3"]}]}}"#;
        let err = Scenario::parse(text, "x.json").expect_err("refused");
        assert!(
            err.to_string()
                .contains("SPE_E3 brings Microsoft Entra ID P1 or P2"),
            "{err}"
        );
        assert!(Scenario::parse(&text.replace("SPE_E3", "ENTERPRISEPACK"), "x.json").is_ok());
    }

    #[test]
    fn bundled_scenarios_parse() {
        assert_eq!(Scenario::demo().tenant.users, 250);
        assert!(Scenario::load("throttled").is_ok_and(|s| s.throttle.enabled));
        // Real Graph always enforces its limits: so does every bundled scenario, at real rates.
        for name in ["demo", "large", "flaky"] {
            let s = Scenario::load(name).expect(name);
            assert!(s.throttle.enabled, "{name} has no limits");
            assert_eq!(s.throttle.app_writes_per_150s, 3_000, "{name}");
        }
        assert!(Scenario::load("flaky").is_ok_and(|s| s.faults.drop_rate > 0.0));
        assert_eq!(
            Scenario::load("large").map(|s| s.tenant.users).ok(),
            Some(100_000)
        );
    }

    #[test]
    fn unknown_fields_and_names_are_refused_with_a_reason() {
        let err = Scenario::parse(r#"{"name":"x","tenant":{"displayName":"A","domain":"a","tenantId":"t","seed":1,"users":1,"colour":1}}"#, "x.json")
            .expect_err("unknown field");
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(Scenario::load("no-such-scenario").is_err());
        let err = Scenario::parse(r#"{"name":"x","tenant":{"displayName":"A","domain":"a","tenantId":"t","seed":1,"users":1},"faults":{"dropRate":2}}"#, "x.json")
            .expect_err("bad rate");
        assert!(err.to_string().contains("between 0 and 1"), "{err}");
    }
}
