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
}

const DEMO: &str = include_str!("../scenarios/demo.json");
const LARGE: &str = include_str!("../scenarios/large.json");

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
        if scenario.tenant.users > MAX_USERS {
            return Err(SimError::BadScenario {
                path: origin.to_string(),
                message: format!("tenant.users is at most {MAX_USERS}"),
            });
        }
        Ok(scenario)
    }

    /// A copy with another number of users (tests use this to make big tenants quickly).
    pub fn with_users(mut self, users: usize) -> Self {
        self.tenant.users = users;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_scenarios_parse() {
        assert_eq!(Scenario::demo().tenant.users, 250);
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
    }
}
