//! From a table and its mapping to rows LicenseDesk can plan: each value read the way people
//! write it (UPNs in any case, countries as codes or names in several languages, licenses by
//! id, part number, friendly name or a short form), each row checked with what is wrong and
//! how to fix it, and the rows without errors turned into the planner's wanted changes.
//!
//! Past 600 lines with its tests: every kind of row an HR file holds, checked and explained.

use std::collections::{HashMap, HashSet};

use licensing::roles::Role;
use licensing::{
    AppliesTo, CountryError, PlanToAdd, ProductNames, Sku, SkuLookupError, UsageLocationChange,
    User, WantedChange, parse_country, resolve_sku,
};
use serde::Serialize;
use ts_rs::TS;

use crate::mapping::{Field, Mapping, normalise};
use crate::read::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Severity {
    /// The row cannot be used until it is fixed or left out.
    Error,
    /// The row is used, but the person should look.
    Warning,
    /// For the record.
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Issue {
    pub severity: Severity,
    /// What is wrong, as a code with its values: the window words it in its language.
    pub code: IssueCode,
    /// The same in English, for the CLI and its JSON.
    pub message: String,
    /// The column it is about.
    pub field: Option<Field>,
    /// A value that would fix it (the closest user principal name), for a one-click fix.
    pub suggestion: Option<String>,
}

/// What is wrong with a row (or worth knowing), with the values a message needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
#[ts(export)]
pub enum IssueCode {
    NothingToDo,
    NoUser,
    /// No one in the tenant is `value`; `near` is the closest user principal name.
    UnknownUser {
        value: String,
        near: Option<String>,
    },
    UkIsGb,
    UnknownCountry {
        value: String,
        suggestions: Vec<String>,
    },
    AmbiguousCountry {
        value: String,
        codes: Vec<String>,
    },
    NotAnAction {
        value: String,
    },
    NotForPeople {
        license: String,
    },
    UnknownLicense {
        value: String,
        candidates: Vec<String>,
    },
    AmbiguousLicense {
        value: String,
        candidates: Vec<String>,
    },
    NotAnApp {
        value: String,
    },
    SameAsLine {
        line: usize,
    },
    DifferentInstructions {
        lines: Vec<usize>,
    },
    /// No role template has this name; `known` are the roles there are.
    UnknownRole {
        value: String,
        known: Vec<String>,
    },
    /// The role names a plan or app the tenant no longer has.
    BrokenRole {
        value: String,
        problem: String,
    },
    /// The role joins groups, which an import does not do.
    RoleJoinsGroups {
        value: String,
    },
}

impl IssueCode {
    /// In English, with what to do.
    pub fn english(&self) -> String {
        match self {
            Self::NothingToDo => {
                "Nothing to do: the row names no license and no usage location.".into()
            }
            Self::NoUser => "No user in this row: fill in the person's user principal name or leave the row out.".into(),
            Self::UnknownUser { value, near: Some(near) } => {
                format!("No one in this tenant is '{value}'. Did you mean {near}?")
            }
            Self::UnknownUser { value, near: None } => {
                format!("No one in this tenant is '{value}': check the user principal name.")
            }
            Self::UkIsGb => "'UK' read as GB (United Kingdom): GB is its ISO code.".into(),
            Self::UnknownCountry { value, suggestions } => CountryError::Unknown {
                input: value.clone(),
                suggestions: suggestions.clone(),
            }
            .to_string(),
            Self::AmbiguousCountry { value, codes } => CountryError::Ambiguous {
                input: value.clone(),
                codes: codes.clone(),
            }
            .to_string(),
            Self::NotAnAction { value } => {
                format!("'{value}' is not an action: write add, remove or replace.")
            }
            Self::NotForPeople { license } => format!(
                "{license} is for the whole organisation, not for people: choose another license."
            ),
            Self::UnknownLicense { value, candidates } => licensing::SkuLookupError::Unknown {
                query: value.clone(),
                candidates: candidates.clone(),
            }
            .to_string(),
            Self::AmbiguousLicense { value, candidates } => {
                licensing::SkuLookupError::Ambiguous {
                    query: value.clone(),
                    candidates: candidates.clone(),
                }
                .to_string()
            }
            Self::NotAnApp { value } => format!(
                "'{value}' is not an app in the licenses this row gives: use the service plan's name, like EXCHANGE_S_ENTERPRISE."
            ),
            Self::SameAsLine { line } => format!("The same as line {line}: used once."),
            Self::UnknownRole { value, known } if known.is_empty() => format!(
                "There is no role '{value}': no roles are set up yet (Settings → Roles, or `licensedesk-cli roles import`)."
            ),
            Self::UnknownRole { value, known } => format!(
                "There is no role '{value}': the roles are {}.",
                known.join(", ")
            ),
            Self::BrokenRole { value, problem } => format!(
                "The role '{value}' cannot be given as it is ({problem}): fix the role first."
            ),
            Self::RoleJoinsGroups { value } => format!(
                "The role '{value}' joins groups, which an import does not do: add these people to the group from the Groups page (or `licensedesk-cli add-to-group`)."
            ),
            Self::DifferentInstructions { lines } => format!(
                "This person is on lines {} with different instructions: keep one and leave out the others.",
                lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RowAction {
    Add,
    Remove,
    /// The licenses listed become the person's direct licenses (a swap when one goes and
    /// one comes).
    Replace,
}

/// One row as LicenseDesk understood it. This is also the CLI's `import --json` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportRow {
    /// The line in the file where the row starts.
    pub row: usize,
    /// The tenant's spelling when the person was found; as written otherwise.
    pub user_principal_name: String,
    pub user_id: Option<String>,
    pub usage_location: Option<String>,
    pub action: RowAction,
    /// Part numbers.
    pub add_licenses: Vec<String>,
    pub remove_licenses: Vec<String>,
    /// Service plan names left off in the licenses given.
    pub disabled_plans: Vec<String>,
    pub department: Option<String>,
    /// The role template the row names (as the roles have it).
    pub role: Option<String>,
    /// Left out: by the person, or as a repeat of an earlier row.
    pub excluded: bool,
    pub issues: Vec<Issue>,
    #[serde(skip)]
    #[ts(skip)]
    add_ids: Vec<String>,
    #[serde(skip)]
    #[ts(skip)]
    remove_ids: Vec<String>,
    #[serde(skip)]
    #[ts(skip)]
    disabled_ids: Vec<String>,
    /// The role's plans, each with its own apps off.
    #[serde(skip)]
    #[ts(skip)]
    role_add: Vec<PlanToAdd>,
}

impl ImportRow {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    /// Used for the plan: no error and not left out.
    pub fn is_usable(&self) -> bool {
        !self.excluded && !self.has_errors()
    }

    fn issue(&mut self, severity: Severity, field: Option<Field>, code: IssueCode) {
        self.issues.push(Issue {
            severity,
            message: code.english(),
            code,
            field,
            suggestion: None,
        });
    }

    fn same_instructions(&self, other: &ImportRow) -> bool {
        self.usage_location == other.usage_location
            && self.action == other.action
            && self.add_ids == other.add_ids
            && self.remove_ids == other.remove_ids
            && self.disabled_ids == other.disabled_ids
            && self.role_add == other.role_add
    }
}

/// What the rows are checked against.
pub struct Tenant<'a> {
    pub people: &'a [User],
    pub skus: &'a [Sku],
    pub names: &'a ProductNames,
    /// The role templates a "role" column may name.
    pub roles: &'a [Role],
}

/// Reads and checks every row. `default_license` is the license chosen in the wizard (or
/// `--license`), for files without a license column. Rows on the lines in `left_out` are
/// checked and shown but marked excluded, and do not count as repeats of anyone.
pub fn check_rows(
    table: &Table,
    mapping: &Mapping,
    tenant: &Tenant<'_>,
    default_license: Option<&str>,
    left_out: &HashSet<usize>,
) -> Vec<ImportRow> {
    let people: HashMap<String, &User> = tenant
        .people
        .iter()
        .map(|u| (u.user_principal_name.to_lowercase(), u))
        .collect();
    let close = Closest::new(tenant.people);
    // A file names the same few licenses on every row: look each spelling up once.
    let mut licenses = LicenseCache::default();
    let mut rows: Vec<ImportRow> = table
        .rows
        .iter()
        .map(|r| {
            let cell = |field: Field| {
                mapping
                    .column(field)
                    .and_then(|c| r.cells.get(c))
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
            };
            let mut row = ImportRow {
                row: r.line,
                user_principal_name: cell(Field::User).unwrap_or_default().to_string(),
                user_id: None,
                usage_location: None,
                action: RowAction::Add,
                add_licenses: Vec::new(),
                remove_licenses: Vec::new(),
                disabled_plans: Vec::new(),
                department: cell(Field::Department).map(str::to_owned),
                role: None,
                excluded: left_out.contains(&r.line),
                issues: Vec::new(),
                add_ids: Vec::new(),
                remove_ids: Vec::new(),
                disabled_ids: Vec::new(),
                role_add: Vec::new(),
            };
            read_user(&mut row, &people, &close);
            if let Some(text) = cell(Field::UsageLocation) {
                read_country(&mut row, text);
            }
            read_action(&mut row, cell(Field::Action));
            let listed = match (mapping.column(Field::AddLicenses), default_license) {
                (Some(_), _) => cell(Field::AddLicenses).map(str::to_owned),
                (None, Some(default)) => Some(default.to_string()),
                (None, None) => None,
            };
            // With the action "remove", the license column says what to take away.
            if let Some(text) = listed {
                let remove = row.action == RowAction::Remove;
                read_licenses(
                    &mut row,
                    &text,
                    tenant,
                    &mut licenses,
                    remove,
                    Field::AddLicenses,
                );
            }
            if let Some(text) = cell(Field::RemoveLicenses) {
                read_licenses(
                    &mut row,
                    text,
                    tenant,
                    &mut licenses,
                    true,
                    Field::RemoveLicenses,
                );
            }
            if let Some(text) = cell(Field::DisabledPlans) {
                read_disabled_plans(&mut row, text, tenant);
            }
            if let Some(text) = cell(Field::Role) {
                read_role(&mut row, text, tenant);
            }
            if row.add_ids.is_empty()
                && row.role_add.is_empty()
                && row.remove_ids.is_empty()
                && row.usage_location.is_none()
                && row.action != RowAction::Replace
                && !row.has_errors()
            {
                row.issue(Severity::Info, None, IssueCode::NothingToDo);
            }
            row
        })
        .collect();
    mark_duplicates(&mut rows);
    rows
}

/// The role the row names: its plans join the row's (taken away with the action "remove"). A
/// role that is unknown, broken or joins groups is an error on the row: never given half.
fn read_role(row: &mut ImportRow, text: &str, tenant: &Tenant<'_>) {
    let Some(role) = tenant
        .roles
        .iter()
        .find(|r| r.name.trim().eq_ignore_ascii_case(text.trim()))
    else {
        let known = tenant
            .roles
            .iter()
            .map(|r| r.name.clone())
            .take(10)
            .collect();
        row.issue(
            Severity::Error,
            Some(Field::Role),
            IssueCode::UnknownRole {
                value: text.to_string(),
                known,
            },
        );
        return;
    };
    row.role = Some(role.name.clone());
    if !role.groups.is_empty() {
        row.issue(
            Severity::Error,
            Some(Field::Role),
            IssueCode::RoleJoinsGroups {
                value: role.name.clone(),
            },
        );
        return;
    }
    let resolved = match role.resolve(tenant.skus, tenant.names) {
        Ok(r) => r,
        Err(problems) => {
            row.issue(
                Severity::Error,
                Some(Field::Role),
                IssueCode::BrokenRole {
                    value: role.name.clone(),
                    problem: problems
                        .first()
                        .map(|p| format!("{}: {}", p.entry, p.problem))
                        .unwrap_or_default(),
                },
            );
            return;
        }
    };
    for plan in resolved.add {
        let part = tenant
            .skus
            .iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(&plan.sku_id))
            .map_or_else(|| plan.sku_id.clone(), |s| s.sku_part_number.clone());
        if row.action == RowAction::Remove {
            if !row
                .remove_ids
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&plan.sku_id))
            {
                row.remove_ids.push(plan.sku_id.clone());
                row.remove_licenses.push(part);
            }
        } else if !row
            .add_ids
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&plan.sku_id))
            && !row
                .role_add
                .iter()
                .any(|a| a.sku_id.eq_ignore_ascii_case(&plan.sku_id))
        {
            row.add_licenses.push(part);
            row.role_add.push(plan);
        }
    }
}

fn read_user(row: &mut ImportRow, people: &HashMap<String, &User>, close: &Closest<'_>) {
    if row.user_principal_name.is_empty() {
        row.issue(Severity::Error, Some(Field::User), IssueCode::NoUser);
        return;
    }
    let key = row.user_principal_name.to_lowercase();
    match people.get(&key) {
        Some(user) => {
            row.user_principal_name = user.user_principal_name.clone();
            row.user_id = Some(user.id.clone());
        }
        None => {
            let near = close.to(&key);
            let code = IssueCode::UnknownUser {
                value: row.user_principal_name.clone(),
                near: near.map(str::to_owned),
            };
            row.issue(Severity::Error, Some(Field::User), code);
            if let Some(issue) = row.issues.last_mut() {
                issue.suggestion = near.map(str::to_owned);
            }
        }
    }
}

/// ISO alpha-2 or alpha-3 codes in any case, or names in the languages the country data set
/// knows; "UK" (not an ISO code, but what people write) as GB with a note.
fn read_country(row: &mut ImportRow, text: &str) {
    let upper = text.trim().to_ascii_uppercase();
    if upper == "UK" {
        row.usage_location = Some("GB".into());
        row.issue(
            Severity::Info,
            Some(Field::UsageLocation),
            IssueCode::UkIsGb,
        );
        return;
    }
    if upper.len() == 3
        && upper.chars().all(|c| c.is_ascii_alphabetic())
        && let Some(code) = licensing::countries::alpha2_of_alpha3(&upper)
    {
        row.usage_location = Some(code);
        return;
    }
    match parse_country(text) {
        Ok(code) => row.usage_location = Some(code),
        Err(CountryError::Unknown { input, suggestions }) => row.issue(
            Severity::Error,
            Some(Field::UsageLocation),
            IssueCode::UnknownCountry {
                value: input,
                suggestions,
            },
        ),
        Err(CountryError::Ambiguous { input, codes }) => row.issue(
            Severity::Error,
            Some(Field::UsageLocation),
            IssueCode::AmbiguousCountry {
                value: input,
                codes,
            },
        ),
    }
}

fn read_action(row: &mut ImportRow, text: Option<&str>) {
    let Some(text) = text else {
        return;
    };
    row.action = match normalise(text).as_str() {
        "add" | "assign" | "give" | "new" | "toevoegen" | "toewijzen" | "hinzufugen"
        | "zuweisen" | "ajouter" | "attribuer" | "anadir" | "agregar" | "asignar" => RowAction::Add,
        "remove" | "take away" | "delete" | "leaver" | "verwijderen" | "intrekken"
        | "entfernen" | "supprimer" | "retirer" | "quitar" | "eliminar" => RowAction::Remove,
        "replace" | "swap" | "move" | "change" | "mover" | "vervangen" | "wisselen"
        | "ersetzen" | "remplacer" | "reemplazar" | "cambiar" => RowAction::Replace,
        _ => {
            row.issue(
                Severity::Error,
                Some(Field::Action),
                IssueCode::NotAnAction {
                    value: text.to_string(),
                },
            );
            RowAction::Add
        }
    };
}

/// Several licenses in one cell, split on `+`, `;` or `,`; "Unlicensed" (the admin center's
/// export) means none.
/// Licenses looked up so far, by the spelling in the file.
#[derive(Default)]
struct LicenseCache(HashMap<String, Result<usize, licensing::SkuLookupError>>);

impl LicenseCache {
    fn find<'a>(
        &mut self,
        name: &str,
        tenant: &Tenant<'a>,
    ) -> Result<&'a Sku, licensing::SkuLookupError> {
        let found = self
            .0
            .entry(name.to_string())
            .or_insert_with(|| {
                find_license(name, tenant).map(|sku| {
                    tenant
                        .skus
                        .iter()
                        .position(|s| std::ptr::eq(s, sku))
                        .unwrap_or_default()
                })
            })
            .clone()?;
        Ok(&tenant.skus[found])
    }
}

fn read_licenses(
    row: &mut ImportRow,
    text: &str,
    tenant: &Tenant<'_>,
    cache: &mut LicenseCache,
    remove: bool,
    field: Field,
) {
    for name in text.split(['+', ';', ',']).map(str::trim) {
        if name.is_empty() || normalise(name) == "unlicensed" {
            continue;
        }
        match cache.find(name, tenant) {
            Ok(sku) if !remove && sku.applies_to == AppliesTo::Company => {
                let shown = tenant.names.display_name(&sku.sku_id, &sku.sku_part_number);
                row.issue(
                    Severity::Error,
                    Some(field),
                    IssueCode::NotForPeople { license: shown },
                );
            }
            Ok(sku) => {
                let (ids, parts) = if remove {
                    (&mut row.remove_ids, &mut row.remove_licenses)
                } else {
                    (&mut row.add_ids, &mut row.add_licenses)
                };
                if !ids.iter().any(|i| i.eq_ignore_ascii_case(&sku.sku_id)) {
                    ids.push(sku.sku_id.clone());
                    parts.push(sku.sku_part_number.clone());
                }
            }
            Err(licensing::SkuLookupError::Unknown { query, candidates }) => row.issue(
                Severity::Error,
                Some(field),
                IssueCode::UnknownLicense {
                    value: query,
                    candidates,
                },
            ),
            Err(licensing::SkuLookupError::Ambiguous { query, candidates }) => row.issue(
                Severity::Error,
                Some(field),
                IssueCode::AmbiguousLicense {
                    value: query,
                    candidates,
                },
            ),
        }
    }
}

/// By skuId, part number or friendly name; otherwise a short form ("E3") when exactly one
/// of the tenant's licenses ends with it.
fn find_license<'a>(name: &str, tenant: &Tenant<'a>) -> Result<&'a Sku, SkuLookupError> {
    match resolve_sku(name, tenant.skus, tenant.names) {
        Ok(sku) => Ok(sku),
        Err(SkuLookupError::Unknown { query, candidates }) => {
            let short = normalise(name);
            let ends: Vec<&Sku> = tenant
                .skus
                .iter()
                .filter(|s| {
                    let friendly =
                        normalise(&tenant.names.display_name(&s.sku_id, &s.sku_part_number));
                    let part = normalise(&s.sku_part_number);
                    friendly.ends_with(&format!(" {short}")) || part.ends_with(&format!(" {short}"))
                })
                .collect();
            match ends.as_slice() {
                [one] => Ok(one),
                [] => Err(SkuLookupError::Unknown { query, candidates }),
                many => Err(SkuLookupError::Ambiguous {
                    query,
                    candidates: many
                        .iter()
                        .map(|s| {
                            format!(
                                "{} ({})",
                                tenant.names.display_name(&s.sku_id, &s.sku_part_number),
                                s.sku_part_number
                            )
                        })
                        .collect(),
                }),
            }
        }
        Err(e) => Err(e),
    }
}

fn read_disabled_plans(row: &mut ImportRow, text: &str, tenant: &Tenant<'_>) {
    for name in text
        .split(['+', ';', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let found = tenant
            .skus
            .iter()
            .filter(|s| {
                row.add_ids
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&s.sku_id))
            })
            .flat_map(|s| s.service_plans.iter())
            .find(|p| p.name.eq_ignore_ascii_case(name) || p.id.eq_ignore_ascii_case(name));
        match found {
            Some(plan) => {
                if !row.disabled_ids.contains(&plan.id) {
                    row.disabled_ids.push(plan.id.clone());
                    row.disabled_plans.push(plan.name.clone());
                }
            }
            None => row.issue(
                Severity::Error,
                Some(Field::DisabledPlans),
                IssueCode::NotAnApp {
                    value: name.to_string(),
                },
            ),
        }
    }
}

/// The same person twice: the same instructions are used once (a warning on the repeat);
/// different ones are an error on every such row, as nobody can tell which is meant.
fn mark_duplicates(rows: &mut [ImportRow]) {
    let mut by_user: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(id) = r.user_id.as_ref().filter(|_| !r.excluded) {
            by_user.entry(id.clone()).or_default().push(i);
        }
    }
    let mut groups: Vec<Vec<usize>> = by_user.into_values().filter(|v| v.len() > 1).collect();
    groups.sort();
    for group in groups {
        let first = group[0];
        let agree = group
            .iter()
            .all(|&i| rows[i].same_instructions(&rows[first]));
        let lines: Vec<usize> = group.iter().map(|&i| rows[i].row).collect();
        for (n, &i) in group.iter().enumerate() {
            if agree {
                if n > 0 {
                    let line = rows[first].row;
                    rows[i].excluded = true;
                    rows[i].issue(
                        Severity::Warning,
                        Some(Field::User),
                        IssueCode::SameAsLine { line },
                    );
                }
            } else {
                rows[i].issue(
                    Severity::Error,
                    Some(Field::User),
                    IssueCode::DifferentInstructions {
                        lines: lines.clone(),
                    },
                );
            }
        }
    }
}

/// Suggestions for a user principal name nobody has: the nearest by edit distance among
/// those starting with the same two letters (a typo rarely hits the first ones).
struct Closest<'a> {
    /// First two letters → (lower-case name, as the tenant writes it).
    by_start: HashMap<String, Vec<(String, &'a str)>>,
}

impl<'a> Closest<'a> {
    fn new(people: &'a [User]) -> Self {
        let mut by_start: HashMap<String, Vec<(String, &'a str)>> = HashMap::new();
        for u in people {
            let lower = u.user_principal_name.to_lowercase();
            by_start
                .entry(start(&lower))
                .or_default()
                .push((lower, &u.user_principal_name));
        }
        Self { by_start }
    }

    fn to(&self, wanted: &str) -> Option<&'a str> {
        let candidates = self.by_start.get(&start(wanted))?;
        let wanted: Vec<char> = wanted.chars().collect();
        let limit = (wanted.len() / 4).max(2);
        let mut best: Option<(usize, &'a str)> = None;
        for (lower, shown) in candidates {
            let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
            if lower.chars().count().abs_diff(wanted.len()) > bound {
                continue;
            }
            if let Some(d) = edit_distance_within(lower, &wanted, bound) {
                best = Some((d, shown));
            }
        }
        best.map(|(_, c)| c)
    }
}

fn start(upn: &str) -> String {
    upn.to_lowercase().chars().take(2).collect()
}

/// The edit distance between `a` and `b` when it is at most `limit`; `None` as soon as every
/// way through is already further than that.
fn edit_distance_within(a: &str, b: &[char], limit: usize) -> Option<usize> {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != *cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|d| *d <= limit)
}

/// The planner's input: each usable row's person and wanted change.
pub fn wanted_changes<'a>(rows: &[ImportRow], people: &'a [User]) -> Vec<(&'a User, WantedChange)> {
    let index: HashMap<&str, &User> = people.iter().map(|u| (u.id.as_str(), u)).collect();
    rows.iter()
        .filter(|r| r.is_usable())
        .filter_map(|r| {
            let user = *index.get(r.user_id.as_deref()?)?;
            let add = |ids: &[String]| -> Vec<PlanToAdd> {
                ids.iter()
                    .map(|id| PlanToAdd {
                        sku_id: id.clone(),
                        disabled_plans: r.disabled_ids.clone(),
                    })
                    .collect()
            };
            let mut change = WantedChange {
                usage_location: r
                    .usage_location
                    .clone()
                    .filter(|c| user.usage_location.as_deref() != Some(c.as_str()))
                    .map(UsageLocationChange::Everyone),
                ..WantedChange::default()
            };
            match r.action {
                RowAction::Add => {
                    change.add = add(&r.add_ids);
                    change.add.extend(r.role_add.iter().cloned());
                    change.remove = r.remove_ids.clone();
                }
                RowAction::Remove => change.remove = r.remove_ids.clone(),
                RowAction::Replace => {
                    let direct: Vec<&str> = user
                        .licenses_in_place()
                        .filter(|a| a.assigned_by_group.is_none())
                        .map(|a| a.sku_id.as_str())
                        .collect();
                    let held = |id: &str| direct.iter().any(|d| d.eq_ignore_ascii_case(id));
                    let wanted: Vec<String> = r
                        .add_ids
                        .iter()
                        .chain(r.role_add.iter().map(|p| &p.sku_id))
                        .cloned()
                        .collect();
                    change.add = add(&r
                        .add_ids
                        .iter()
                        .filter(|w| !held(w))
                        .cloned()
                        .collect::<Vec<_>>());
                    change
                        .add
                        .extend(r.role_add.iter().filter(|p| !held(&p.sku_id)).cloned());
                    change.remove = direct
                        .iter()
                        .filter(|d| !wanted.iter().any(|w| w.eq_ignore_ascii_case(d)))
                        .map(|d| d.to_string())
                        .collect();
                }
            }
            Some((user, change))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{ReadOptions, read_table};
    use licensing::{CapabilityStatus, LicenseAssignment, SeatCounts, ServicePlan};

    const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
    const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    const O365_E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
    const BI: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
    const STORE: &str = "6470687e-a428-4b7a-bef2-8a291ad947c9";

    fn sku(id: &str, part: &str, applies_to: AppliesTo) -> Sku {
        Sku {
            sku_id: id.into(),
            sku_part_number: part.into(),
            applies_to,
            capability_status: CapabilityStatus::Enabled,
            seats: SeatCounts {
                enabled: 100,
                warning: 0,
                suspended: 0,
                locked_out: 0,
                consumed: 10,
            },
            service_plans: vec![ServicePlan {
                id: format!("{part}-exchange"),
                name: "EXCHANGE_S_ENTERPRISE".into(),
            }],
        }
    }

    fn person(n: u32, upn: &str, licenses: &[&str]) -> User {
        User {
            id: format!("id{n}"),
            user_principal_name: upn.into(),
            display_name: upn.into(),
            department: None,
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

    fn rows_of(text: &str, people: &[User], default: Option<&str>) -> Vec<ImportRow> {
        rows_leaving_out(text, people, default, &HashSet::new())
    }

    fn rows_leaving_out(
        text: &str,
        people: &[User],
        default: Option<&str>,
        left_out: &HashSet<usize>,
    ) -> Vec<ImportRow> {
        rows_with_roles(text, people, default, left_out, &[])
    }

    fn rows_with_roles(
        text: &str,
        people: &[User],
        default: Option<&str>,
        left_out: &HashSet<usize>,
        roles: &[Role],
    ) -> Vec<ImportRow> {
        let skus = vec![
            sku(E3, "SPE_E3", AppliesTo::User),
            sku(E5, "SPE_E5", AppliesTo::User),
            sku(O365_E3, "ENTERPRISEPACK", AppliesTo::User),
            sku(BI, "POWER_BI_PRO", AppliesTo::User),
            sku(STORE, "WINDOWS_STORE", AppliesTo::Company),
        ];
        let names = ProductNames::builtin();
        let table = read_table(text.as_bytes(), &ReadOptions::default()).expect("read");
        let mapping = crate::suggest(&table.headers);
        check_rows(
            &table,
            &mapping,
            &Tenant {
                people,
                skus: &skus,
                names: &names,
                roles,
            },
            default,
            left_out,
        )
    }

    /// A "functie" column names each row's role: a known role gives its plans with its own
    /// apps off; an unknown one, one whose plan is gone, or one that joins groups is an error
    /// on that row (never given half), and the others go ahead.
    #[test]
    fn a_role_column_gives_each_row_its_roles_plans() {
        let role = |name: &str, sku: &str, off: &[&str], groups: &[&str]| Role {
            name: name.into(),
            plans: vec![licensing::roles::RolePlan {
                sku: sku.into(),
                disabled_plans: off.iter().map(|s| s.to_string()).collect(),
            }],
            groups: groups.iter().map(|s| s.to_string()).collect(),
        };
        let roles = [
            role("Verkoop", "SPE_E3", &["EXCHANGE_S_ENTERPRISE"], &[]),
            role("Oud", "STANDARDPACK", &[], &[]),
            role("Support", "POWER_BI_PRO", &[], &["Support group"]),
        ];
        let people = [
            person(1, "ana@contoso.com", &[]),
            person(2, "bo@contoso.com", &[]),
            person(3, "cy@contoso.com", &[]),
            person(4, "di@contoso.com", &[]),
        ];
        let text = "E-mailadres;Functie\nana@contoso.com;verkoop\nbo@contoso.com;Oud\ncy@contoso.com;Support\ndi@contoso.com;Kantine\n";
        let rows = rows_with_roles(text, &people, None, &HashSet::new(), &roles);
        assert_eq!(rows[0].role.as_deref(), Some("Verkoop"));
        assert!(errors(&rows[0]).is_empty(), "{:?}", rows[0].issues);
        assert_eq!(rows[0].add_licenses, vec!["SPE_E3".to_string()]);
        let kind = |r: &ImportRow| r.issues.iter().map(|i| i.code.clone()).collect::<Vec<_>>();
        assert!(
            matches!(kind(&rows[1])[0], IssueCode::BrokenRole { .. }),
            "{:?}",
            rows[1].issues
        );
        assert!(
            matches!(kind(&rows[2])[0], IssueCode::RoleJoinsGroups { .. }),
            "{:?}",
            rows[2].issues
        );
        assert_eq!(
            kind(&rows[3])[0],
            IssueCode::UnknownRole {
                value: "Kantine".into(),
                known: vec!["Verkoop".into(), "Oud".into(), "Support".into()],
            }
        );
        let wanted = wanted_changes(&rows, &people);
        assert_eq!(wanted.len(), 1, "only the row with a good role is planned");
        assert_eq!(
            wanted[0].1.add,
            vec![PlanToAdd {
                sku_id: E3.into(),
                disabled_plans: vec!["SPE_E3-exchange".into()],
            }]
        );
    }

    fn errors(row: &ImportRow) -> Vec<&str> {
        row.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.message.as_str())
            .collect()
    }

    #[test]
    fn values_are_read_the_way_people_write_them() {
        let people = [
            person(1, "ana@contoso.com", &[]),
            person(2, "bo@contoso.com", &[]),
            person(3, "cy@contoso.com", &[]),
            person(4, "di@contoso.com", &[]),
        ];
        let rows = rows_of(
            "Gebruikersnaam;Land;Licentie\n  ANA@Contoso.com ;Nederland;Microsoft 365 E3\nbo@contoso.com;DEU;SPE_E5 + Power BI Pro\ncy@contoso.com;UK;Unlicensed\ndi@contoso.com;Belgique;E5\n",
            &people,
            None,
        );
        assert_eq!(rows[0].user_principal_name, "ana@contoso.com");
        assert_eq!(rows[0].usage_location.as_deref(), Some("NL"));
        assert_eq!(rows[0].add_licenses, ["SPE_E3"]);
        assert_eq!(rows[1].usage_location.as_deref(), Some("DE"));
        assert_eq!(rows[1].add_licenses, ["SPE_E5", "POWER_BI_PRO"]);
        assert_eq!(rows[2].usage_location.as_deref(), Some("GB"));
        assert!(rows[2].issues.iter().any(|i| i.message.contains("GB")));
        assert!(rows[2].add_licenses.is_empty());
        // "E5" names one license of this tenant; "E3" would name two.
        assert_eq!(rows[3].add_licenses, ["SPE_E5"]);
        assert_eq!(rows[3].usage_location.as_deref(), Some("BE"));
        assert!(rows.iter().all(|r| errors(r).is_empty()), "{rows:#?}");
    }

    #[test]
    fn each_problem_is_named_with_its_fix() {
        let people = [
            person(1, "ana.jansen@contoso.com", &[]),
            person(2, "bo@contoso.com", &[E3]),
        ];
        let rows = rows_of(
            "UPN,Country,Licenses,Action\nana.jansne@contoso.com,NL,SPE_E3,add\nbo@contoso.com,Atlantis,E3,add\nbo@contoso.com,NL,WINDOWS_STORE,add\n,NL,SPE_E3,add\nana.jansen@contoso.com,NL,SPE_E3,maybe\n",
            &people,
            None,
        );
        assert!(errors(&rows[0])[0].contains("Did you mean ana.jansen@contoso.com?"));
        assert_eq!(
            rows[0].issues[0].suggestion.as_deref(),
            Some("ana.jansen@contoso.com")
        );
        assert!(errors(&rows[1]).iter().any(|e| e.contains("Atlantis")));
        assert!(
            errors(&rows[1])
                .iter()
                .any(|e| e.contains("Office 365 E3") && e.contains("Microsoft 365 E3")),
            "an ambiguous short form lists both: {:?}",
            errors(&rows[1])
        );
        assert!(
            errors(&rows[2])
                .iter()
                .any(|e| e.contains("whole organisation"))
        );
        // bo twice with different instructions: an error on both rows.
        assert!(errors(&rows[1]).iter().any(|e| e.contains("lines 3, 4")));
        assert!(errors(&rows[3])[0].contains("No user in this row"));
        assert!(errors(&rows[4])[0].contains("'maybe' is not an action"));
    }

    #[test]
    fn an_admin_center_export_and_the_add_users_template_are_read_as_they_come() {
        let people = [
            person(1, "ana@contoso.com", &[]),
            person(2, "bo@contoso.com", &[E3]),
        ];
        // Active users → Export: a BOM, every column the admin center writes, licenses by
        // name joined with +, "Unlicensed" for none, and a country that is not the usage
        // location.
        let export = "\u{feff}Display name,DirSyncEnabled,User principal name,Object Id,First name,Last name,When created,Soft deletion time stamp,Title,Department,Preferred data location,City,CountryOrRegion,Office,StateOrProvince,Usage location,Last dirsync time,Block credential,Licenses,Password never expires,Last password change time stamp,Mobile Phone,Phone number,Postal code,Preferred language,Street address,Fax,Proxy addresses\r\n\
Ana,,ana@contoso.com,1,Ana,Jansen,1/2/2024,,,Sales,,Utrecht,Netherlands,,,BE,,False,Microsoft 365 E5+Power BI Pro,False,,,,,nl-NL,,,SMTP:ana@contoso.com+smtp:a@contoso.com\r\n\
Bo,,bo@contoso.com,2,Bo,Berg,1/2/2024,,,IT,,Berlin,Germany,,,DE,,False,Unlicensed,False,,,,,de-DE,,,SMTP:bo@contoso.com\r\n";
        let rows = rows_of(export, &people, None);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].usage_location.as_deref(),
            Some("BE"),
            "the usage location, not the country"
        );
        assert_eq!(rows[0].add_licenses, ["SPE_E5", "POWER_BI_PRO"]);
        assert_eq!(rows[0].department.as_deref(), Some("Sales"));
        assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
        assert!(rows[1].add_licenses.is_empty(), "Unlicensed is no license");
        assert_eq!(rows[1].usage_location.as_deref(), Some("DE"));

        // "Add multiple users": no usage location or license column; the wizard's license.
        let template = "User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,Mobile Phone,Fax,Alternate email address,Address,City,State or Province,ZIP or Postal Code,Country or Region\n\
ana@contoso.com,Ana,Jansen,Ana Jansen,,Sales,,,,,,,,,,Netherlands\n";
        let rows = rows_of(template, &people, Some("SPE_E3"));
        assert_eq!(rows[0].user_id.as_deref(), Some("id1"));
        assert_eq!(rows[0].add_licenses, ["SPE_E3"]);
        assert!(
            rows[0].issues.iter().all(|i| i.severity != Severity::Error),
            "{:?}",
            rows[0].issues
        );
    }

    #[test]
    fn a_row_left_out_is_no_longer_a_conflicting_repeat() {
        let people = [person(1, "bo@contoso.com", &[])];
        let text = "UPN,Country,Licenses\nbo@contoso.com,NL,SPE_E3\nbo@contoso.com,DE,SPE_E3\n";
        let both = rows_of(text, &people, None);
        assert!(both.iter().all(|r| r.has_errors()), "{both:#?}");
        let rows = rows_leaving_out(text, &people, None, &HashSet::from([2]));
        assert!(rows[0].excluded && !rows[0].is_usable());
        assert!(rows[1].is_usable(), "{rows:#?}");
        let wanted = wanted_changes(&rows, &people);
        assert_eq!(wanted.len(), 1);
        assert_eq!(
            wanted[0].1.usage_location,
            Some(UsageLocationChange::Everyone("DE".into()))
        );
    }

    #[test]
    fn the_same_row_twice_is_used_once_and_nothing_to_do_is_said() {
        let people = [
            person(1, "ana@contoso.com", &[]),
            person(2, "bo@contoso.com", &[]),
        ];
        let rows = rows_of(
            "User principal name,Usage location,Licenses\nana@contoso.com,NL,SPE_E3\nANA@contoso.com,nl,spe_e3\nbo@contoso.com,,\n",
            &people,
            None,
        );
        assert!(!rows[0].excluded && rows[1].excluded);
        assert_eq!(rows[1].issues[0].severity, Severity::Warning);
        assert!(rows[1].issues[0].message.contains("line 2"));
        assert!(
            rows[2]
                .issues
                .iter()
                .any(|i| i.message.starts_with("Nothing to do"))
        );
        assert_eq!(wanted_changes(&rows, &people).len(), 2);
    }

    #[test]
    fn a_file_without_a_license_column_takes_the_wizards_license_and_replace_swaps() {
        let people = [
            person(1, "ana@contoso.com", &[]),
            person(2, "bo@contoso.com", &[O365_E3]),
        ];
        let rows = rows_of("E-mail\nana@contoso.com\n", &people, Some("SPE_E3"));
        assert_eq!(rows[0].add_licenses, ["SPE_E3"]);
        let wanted = wanted_changes(&rows, &people);
        assert_eq!(wanted[0].1.add[0].sku_id, E3);

        let rows = rows_of(
            "UPN;Licenses;Action\nbo@contoso.com;Microsoft 365 E5;vervangen\n",
            &people,
            None,
        );
        let wanted = wanted_changes(&rows, &people);
        assert_eq!(wanted[0].1.add[0].sku_id, E5);
        assert_eq!(wanted[0].1.remove, [O365_E3]);
        let skus = [
            sku(E5, "SPE_E5", AppliesTo::User),
            sku(O365_E3, "ENTERPRISEPACK", AppliesTo::User),
        ];
        let requests: Vec<(&User, &WantedChange)> = wanted.iter().map(|(u, c)| (*u, c)).collect();
        let plan = licensing::plan_each(&requests, &skus, licensing::ShortfallPolicy::Nobody);
        assert_eq!(plan.people[0].action, licensing::Action::Swap);
    }
}
