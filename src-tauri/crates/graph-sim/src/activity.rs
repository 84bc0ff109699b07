//! When people's accounts were made and when they last signed in (`createdDateTime`,
//! `signInActivity`), and the waste a real tenant has: people who left but keep their licenses,
//! people who stopped signing in, people who never did, and plans held twice over.
//!
//! Times are kept as seconds before the tenant's clock (`Tenant::clock`, the moment the
//! emulator started), so the same seed gives the same tenant on any day and "90 days ago" is
//! 90 days before the test that asks.

use serde_json::{Value, json};

use crate::catalog::{AAD_PREMIUM, ENTERPRISEPACK, SPE_E3};
use crate::rng::Rng;
use crate::scenario::PersonSpec;
use crate::tenant::{SimLicense, SimUser};

pub const DAY: u64 = 86_400;

/// A person's `signInActivity`, each as seconds before the tenant's clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIns {
    /// `lastSignInDateTime`: the last interactive sign-in, successful or failed.
    pub interactive: Option<u64>,
    /// `lastNonInteractiveSignInDateTime`.
    pub non_interactive: Option<u64>,
    /// `lastSuccessfulSignInDateTime`: the last successful one of either kind (Graph keeps it
    /// since December 2023).
    pub successful: Option<u64>,
}

impl SignIns {
    /// Graph's JSON for `signInActivity`, with request ids made from the person's id.
    pub fn json(&self, clock: u64, user_id: &str) -> Value {
        let at = |ago: Option<u64>| ago.map(|a| crate::wire::iso8601(clock.saturating_sub(a)));
        let id = |ago: Option<u64>, kind: u8| {
            ago.map(|_| {
                // Not a real request id, but shaped like one and stable for a person.
                let hex: String = user_id
                    .bytes()
                    .filter(u8::is_ascii_hexdigit)
                    .map(|b| b as char)
                    .collect();
                format!("{kind:x}{}", &hex[..hex.len().min(31)])
            })
        };
        json!({
            "lastSignInDateTime": at(self.interactive),
            "lastSignInRequestId": id(self.interactive, 1),
            "lastNonInteractiveSignInDateTime": at(self.non_interactive),
            "lastNonInteractiveSignInRequestId": id(self.non_interactive, 2),
            "lastSuccessfulSignInDateTime": at(self.successful),
            "lastSuccessfulSignInRequestId": id(self.successful, 3),
        })
    }
}

/// Gives every generated person a creation date and sign-in activity, and a few a plan another
/// of their plans already covers. Drawn from a generator of its own, so the people, their
/// licenses and every other test's tenant stay what they were.
///
/// Out of every hundred or so people: 3 new (created this month), 5 who never signed in, 8 who
/// stopped more than 90 days ago, 3 whose last interactive sign-in failed (their last success
/// is months old), 5 active only through non-interactive sign-ins; disabled accounts last
/// signed in months ago or never. One in five in Customer Support got Microsoft 365 E3 on top
/// of their Office 365 E3 and Entra ID P1, which it covers.
pub fn add_activity(users: &mut [SimUser], seed: u64) {
    let mut rng = Rng::new(seed ^ 0x51_6e_a5_c7_1d);
    let days = |rng: &mut Rng, lo: u64, hi: u64| {
        (lo + rng.below((hi - lo) as usize) as u64) * DAY + rng.below(DAY as usize) as u64
    };
    for user in users.iter_mut() {
        let new = rng.chance(3);
        user.created_ago_secs = if new {
            days(&mut rng, 1, 30)
        } else {
            days(&mut rng, 400, 1500)
        };
        let roll = rng.below(100);
        user.sign_in = if !user.account_enabled {
            (roll < 70).then(|| {
                let last = days(&mut rng, 120, 380);
                SignIns {
                    interactive: Some(last),
                    non_interactive: Some(last + DAY),
                    successful: Some(last),
                }
            })
        } else if roll < 5 {
            None
        } else if new {
            let last = days(&mut rng, 0, 1).min(user.created_ago_secs);
            Some(SignIns {
                interactive: Some(last),
                non_interactive: None,
                successful: Some(last),
            })
        } else if roll < 13 {
            let last = days(&mut rng, 95, 380);
            Some(SignIns {
                interactive: Some(last),
                non_interactive: Some(last + 3600),
                successful: Some(last),
            })
        } else if roll < 16 {
            // Tried last week and failed; the last success is months old.
            Some(SignIns {
                interactive: Some(days(&mut rng, 1, 8)),
                non_interactive: None,
                successful: Some(days(&mut rng, 150, 300)),
            })
        } else if roll < 21 {
            // A phone's mail app keeps signing in for them.
            let recent = days(&mut rng, 0, 3);
            Some(SignIns {
                interactive: Some(days(&mut rng, 200, 360)),
                non_interactive: Some(recent),
                successful: Some(recent),
            })
        } else {
            let last = days(&mut rng, 0, 20);
            Some(SignIns {
                interactive: Some(last),
                non_interactive: Some(last / 2),
                successful: Some(last / 2),
            })
        };
        let support = user
            .job_title
            .as_deref()
            .is_some_and(|t| t.starts_with("Customer Support"));
        if support && user.holds(ENTERPRISEPACK) && user.holds(AAD_PREMIUM) && rng.chance(20) {
            user.licenses.push(SimLicense {
                sku_id: SPE_E3.to_string(),
                disabled_plans: Vec::new(),
                assigned_by_group: None,
            });
        }
    }
}

/// A person written out in a scenario (`tenant.people`), with licenses held directly.
pub fn person(spec: &PersonSpec, rng: &mut Rng) -> SimUser {
    let secs = |days: f64| (days * DAY as f64).round() as u64;
    let catalog = crate::catalog::load();
    let licenses = spec
        .licenses
        .iter()
        .filter_map(|part| catalog.iter().find(|c| c.sku_part_number == *part))
        .map(|c| SimLicense {
            sku_id: c.sku_id.clone(),
            disabled_plans: Vec::new(),
            assigned_by_group: None,
        })
        .collect();
    let any_sign_in = spec.last_sign_in_days_ago.is_some()
        || spec.last_non_interactive_sign_in_days_ago.is_some()
        || spec.last_successful_sign_in_days_ago.is_some();
    let alias = spec
        .user_principal_name
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string();
    SimUser {
        id: rng.guid(),
        user_principal_name: spec.user_principal_name.clone(),
        display_name: spec.display_name.clone().unwrap_or_else(|| alias.clone()),
        given_name: alias,
        surname: String::new(),
        job_title: spec.department.clone(),
        department: spec.department.clone(),
        usage_location: spec.usage_location.clone(),
        account_enabled: spec.account_enabled,
        licenses,
        group_errors: Vec::new(),
        stale_usage_location: None,
        stale_index: None,
        created_ago_secs: secs(spec.created_days_ago),
        sign_in: any_sign_in.then(|| SignIns {
            interactive: spec.last_sign_in_days_ago.map(secs),
            non_interactive: spec.last_non_interactive_sign_in_days_ago.map(secs),
            successful: spec.last_successful_sign_in_days_ago.map(secs),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_activity_has_graphs_shape() {
        let s = SignIns {
            interactive: Some(DAY),
            non_interactive: None,
            successful: Some(2 * DAY),
        };
        let v = s.json(20_000 * DAY, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
        assert_eq!(v["lastSignInDateTime"], "2024-10-03T00:00:00Z");
        assert_eq!(v["lastSuccessfulSignInDateTime"], "2024-10-02T00:00:00Z");
        assert!(v["lastNonInteractiveSignInDateTime"].is_null());
        assert!(v["lastNonInteractiveSignInRequestId"].is_null());
        assert_eq!(v["lastSignInRequestId"].as_str().map(str::len), Some(32));
    }
}
