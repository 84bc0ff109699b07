//! Role templates: a named set of plans, each with the apps to switch off, and license groups
//! to join ("Sales = Microsoft 365 E3 without Viva Engage, plus Power BI Pro"). Kept in a
//! roles file a team shares:
//!
//! ```json
//! {"roles": [{"name": "Sales", "plans": [{"sku": "SPE_E3", "disabledPlans": ["YAMMER_ENTERPRISE"]}], "groups": []}]}
//! ```
//!
//! `sku` is a part number, an id or a friendly name; `disabledPlans` service-plan names or ids
//! of that plan; `groups` group names or ids. The file is hostile input: bounded, strict (an
//! unknown key is an error), and a file naming an unknown plan or app is refused whole, each
//! problem named by role and entry. A role whose plan has since gone from the tenant is
//! *broken*: it says what to fix and is never applied half.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::groups::LicenseGroup;
use crate::plan::PlanToAdd;
use crate::{ProductNames, Sku, resolve_sku};

/// The largest roles file read (a team's templates are a few kilobytes).
pub const MAX_BYTES: u64 = 512 * 1024;
/// More roles than any organisation names.
pub const MAX_ROLES: usize = 500;
/// Plans and groups in one role.
pub const MAX_ENTRIES: usize = 50;
const MAX_NAME: usize = 100;

/// The roles file's name in the app's and the CLI's data folder.
pub const FILE_NAME: &str = "roles.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct RolesFile {
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct Role {
    pub name: String,
    #[serde(default)]
    pub plans: Vec<RolePlan>,
    /// License groups to join: names or ids.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct RolePlan {
    /// A part number, an id or a friendly name.
    pub sku: String,
    /// Apps to switch off: service-plan names or ids of that plan.
    #[serde(default)]
    pub disabled_plans: Vec<String>,
}

/// A role made concrete for one tenant: the plans to give with their apps off (ids), and the
/// groups to join (as written; the caller finds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRole {
    pub name: String,
    pub add: Vec<PlanToAdd>,
    pub groups: Vec<String>,
}

/// What is wrong with a role, for the person fixing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RoleProblem {
    pub role: String,
    /// The entry: `plan 2 (SPE_E3)`, `app YAMMER_ENTERPRISE in SPE_E3`, `name`.
    pub entry: String,
    pub problem: String,
}

impl std::fmt::Display for RoleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "role “{}”, {}: {}", self.role, self.entry, self.problem)
    }
}

impl RolesFile {
    /// Reads a roles file's text (already bounded by the caller): well-formed, every role
    /// named, names unique, within the limits. `source` names the file in errors.
    pub fn parse(text: &str, source: &str) -> Result<Self, String> {
        let file: RolesFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "{source}, line {}: {e}. A roles file is {{\"roles\": [{{\"name\": …, \"plans\": [{{\"sku\": …, \"disabledPlans\": […]}}], \"groups\": […]}}]}}",
                e.line()
            )
        })?;
        let problems = file.shape_problems();
        if problems.is_empty() {
            Ok(file)
        } else {
            Err(format!(
                "{source} was not read (nothing changed):\n{}",
                problems
                    .iter()
                    .map(|p| format!("  {p}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        }
    }

    /// Problems that do not depend on the tenant: names, duplicates, limits, control characters.
    pub fn shape_problems(&self) -> Vec<RoleProblem> {
        let mut out = Vec::new();
        if self.roles.len() > MAX_ROLES {
            out.push(RoleProblem {
                role: String::new(),
                entry: "roles".into(),
                problem: format!("{} roles; at most {MAX_ROLES}", self.roles.len()),
            });
            return out;
        }
        let bad_text = |s: &str| s.chars().any(char::is_control) || s.trim().is_empty();
        let mut seen: Vec<String> = Vec::new();
        for role in &self.roles {
            let problem = |entry: &str, problem: String| RoleProblem {
                role: role
                    .name
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_NAME)
                    .collect(),
                entry: entry.into(),
                problem,
            };
            if bad_text(&role.name) || role.name.chars().count() > MAX_NAME {
                out.push(problem(
                    "name",
                    format!("a role needs a name of 1 to {MAX_NAME} characters, without control characters"),
                ));
            }
            let key = role.name.trim().to_lowercase();
            if seen.contains(&key) {
                out.push(problem("name", "another role has the same name".into()));
            }
            seen.push(key);
            if role.plans.is_empty() && role.groups.is_empty() {
                out.push(problem(
                    "plans",
                    "the role gives nothing: name a plan or a group".into(),
                ));
            }
            if role.plans.len() + role.groups.len() > MAX_ENTRIES {
                out.push(problem(
                    "plans",
                    format!("more than {MAX_ENTRIES} plans and groups"),
                ));
            }
            for (i, p) in role.plans.iter().enumerate() {
                if bad_text(&p.sku) || p.disabled_plans.iter().any(|d| bad_text(d)) {
                    out.push(problem(
                        &format!("plan {}", i + 1),
                        "an empty name or a control character".into(),
                    ));
                }
            }
            if role.groups.iter().any(|g| bad_text(g)) {
                out.push(problem(
                    "groups",
                    "an empty name or a control character".into(),
                ));
            }
        }
        out
    }

    pub fn find(&self, name: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.name.trim().eq_ignore_ascii_case(name.trim()))
    }

    /// The file's text as written (pretty JSON).
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Every role's problems against this tenant's plans (empty: every role can be used).
    pub fn problems(&self, skus: &[Sku], names: &ProductNames) -> Vec<RoleProblem> {
        self.roles
            .iter()
            .flat_map(|r| r.resolve(skus, names).err().unwrap_or_default())
            .collect()
    }

    /// Every role's groups that are not among the tenant's license groups (by id or name).
    /// `how_to_list` says where the person finds the groups ("the Groups page").
    pub fn group_problems(&self, groups: &[LicenseGroup], how_to_list: &str) -> Vec<RoleProblem> {
        let mut out = Vec::new();
        for role in &self.roles {
            for g in &role.groups {
                if crate::groups::find(groups, g).is_err() {
                    out.push(RoleProblem {
                        role: role.name.clone(),
                        entry: format!("group {g}"),
                        problem: format!(
                            "no group that gives licenses has this name or id (or several have this name): {how_to_list} lists them"
                        ),
                    });
                }
            }
        }
        out
    }
}

impl Role {
    /// The role for this tenant: each plan found, each app found in its plan. Any problem
    /// refuses the whole role (never applied half).
    pub fn resolve(
        &self,
        skus: &[Sku],
        names: &ProductNames,
    ) -> Result<ResolvedRole, Vec<RoleProblem>> {
        let mut problems = Vec::new();
        let mut add = Vec::new();
        for (i, p) in self.plans.iter().enumerate() {
            let entry = format!("plan {} ({})", i + 1, p.sku);
            let sku = match resolve_sku(&p.sku, skus, names) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(RoleProblem {
                        role: self.name.clone(),
                        entry,
                        problem: format!(
                            "{e}; the tenant may no longer have this plan: choose another plan for the role"
                        ),
                    });
                    continue;
                }
            };
            let mut off = Vec::new();
            for d in &p.disabled_plans {
                match sku
                    .service_plans
                    .iter()
                    .find(|sp| sp.id.eq_ignore_ascii_case(d) || sp.name.eq_ignore_ascii_case(d))
                {
                    Some(sp) => {
                        if !off.contains(&sp.id) {
                            off.push(sp.id.clone());
                        }
                    }
                    None => problems.push(RoleProblem {
                        role: self.name.clone(),
                        entry: format!("app {d} in {}", sku.sku_part_number),
                        problem: format!(
                            "{} has no app (service plan) {d}: use one of its apps' names, such as {}",
                            sku.sku_part_number,
                            sku.service_plans
                                .iter()
                                .take(3)
                                .map(|sp| sp.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }),
                }
            }
            if add.iter().any(|a: &PlanToAdd| a.sku_id == sku.sku_id) {
                problems.push(RoleProblem {
                    role: self.name.clone(),
                    entry: format!("plan {} ({})", i + 1, p.sku),
                    problem: "the same plan twice".into(),
                });
            }
            add.push(PlanToAdd {
                sku_id: sku.sku_id.clone(),
                disabled_plans: off,
            });
        }
        if problems.is_empty() {
            Ok(ResolvedRole {
                name: self.name.clone(),
                add,
                groups: self.groups.clone(),
            })
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppliesTo, CapabilityStatus, SeatCounts, ServicePlan};

    const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
    const YAMMER: &str = "7547a3fe-08ee-4ccb-b430-5077c5041653";

    fn skus() -> Vec<Sku> {
        vec![Sku {
            sku_id: E3.into(),
            sku_part_number: "SPE_E3".into(),
            applies_to: AppliesTo::User,
            capability_status: CapabilityStatus::Enabled,
            seats: SeatCounts::default(),
            service_plans: vec![
                ServicePlan {
                    id: YAMMER.into(),
                    name: "YAMMER_ENTERPRISE".into(),
                },
                ServicePlan {
                    id: "a".repeat(36),
                    name: "TEAMS1".into(),
                },
            ],
        }]
    }

    #[test]
    fn a_role_resolves_by_part_number_and_app_name() {
        let file = RolesFile::parse(
            r#"{"roles": [{"name": "Sales", "plans": [{"sku": "spe_e3", "disabledPlans": ["YAMMER_ENTERPRISE", "yammer_enterprise"]}]}]}"#,
            "roles.json",
        )
        .expect("reads");
        let role = file.find(" sales ").expect("found by name");
        let resolved = role
            .resolve(&skus(), &ProductNames::builtin())
            .expect("resolves");
        assert_eq!(
            resolved.add,
            vec![PlanToAdd {
                sku_id: E3.into(),
                disabled_plans: vec![YAMMER.into()]
            }]
        );
        assert!(file.problems(&skus(), &ProductNames::builtin()).is_empty());
    }

    #[test]
    fn unknown_plans_and_apps_are_named_by_role_and_entry_and_nothing_resolves() {
        let file = RolesFile::parse(
            r#"{"roles": [{"name": "Ops", "plans": [{"sku": "SPE_E3", "disabledPlans": ["NO_SUCH_APP"]}, {"sku": "GONE_PLAN"}]}]}"#,
            "roles.json",
        )
        .expect("shape is fine");
        let problems = file.roles[0]
            .resolve(&skus(), &ProductNames::builtin())
            .expect_err("broken");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .to_string()
                .contains("role “Ops”, app NO_SUCH_APP in SPE_E3")
        );
        assert!(problems[1].to_string().contains("plan 2 (GONE_PLAN)"));
    }

    #[test]
    fn hostile_files_are_refused_with_the_line_and_why() {
        let cases = [
            (
                r#"{"roles": [{"name": "A", "plans": [{"sku": "SPE_E3"}], "extra": 1}]}"#,
                "unknown field",
            ),
            (
                "{\"roles\": [\n{\"name\": \"A\", \"plans\": [{\"sku\": 5}]}]}",
                "line 2",
            ),
            (
                r#"{"roles": [{"name": "", "plans": [{"sku": "SPE_E3"}]}]}"#,
                "needs a name",
            ),
            (
                r#"{"roles": [{"name": "A\u001b]0;x", "plans": [{"sku": "SPE_E3"}]}]}"#,
                "control",
            ),
            (
                r#"{"roles": [{"name": "A", "plans": [{"sku": "SPE_E3"}]}, {"name": "a", "plans": [{"sku": "SPE_E3"}]}]}"#,
                "same name",
            ),
            (r#"{"roles": [{"name": "A"}]}"#, "gives nothing"),
        ];
        for (text, why) in cases {
            let err = RolesFile::parse(text, "team-roles.json").expect_err(text);
            assert!(err.contains("team-roles.json"), "{err}");
            assert!(err.contains(why), "{why}: {err}");
            assert!(
                !err.contains('\u{1b}'),
                "no escape sequence printed: {err:?}"
            );
        }
        let many = format!(
            r#"{{"roles": [{}]}}"#,
            (0..=MAX_ROLES)
                .map(|i| format!(r#"{{"name": "R{i}", "plans": [{{"sku": "SPE_E3"}}]}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(
            RolesFile::parse(&many, "x")
                .expect_err("too many")
                .contains("at most")
        );
    }
}
