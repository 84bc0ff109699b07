//! The tenant the emulator holds, and how a seed turns into one.
//!
//! The generated organisation has what a real one has and what LicenseDesk must cope with:
//! people without a usage location, unlicensed people, a department licensed through a group
//! (some also directly), disabled accounts, one plan nearly full, one with units in grace, one
//! suspended, one cancelled (locked out) and one organisation-wide (Company) SKU.
//!
//! Past 600 lines: the generator is one story (people, their licenses, the groups that give
//! some of them, the plans' seats), told in the order the pieces depend on each other.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::catalog::{self, *};
use crate::rng::Rng;
use crate::scenario::TenantSpec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSku {
    pub sku_id: String,
    pub sku_part_number: String,
    pub applies_to: String,
    pub capability_status: String,
    pub enabled: i64,
    pub warning: i64,
    pub suspended: i64,
    pub locked_out: i64,
    /// `(servicePlanId, servicePlanName)`.
    pub service_plans: Vec<(String, String)>,
    pub subscription_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
    /// `None` for a direct assignment.
    pub assigned_by_group: Option<String>,
}

/// A license a group could not give (group-based licensing): Graph lists it in
/// `licenseAssignmentStates` with state `Error` and why, takes no seat for it and leaves it
/// out of `assignedLicenses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLicenseError {
    pub sku_id: String,
    pub group_id: String,
    pub disabled_plans: Vec<String>,
    /// `CountViolation`, `MutuallyExclusiveViolation`, `DependencyViolation`, …
    pub error: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    pub account_enabled: bool,
    pub licenses: Vec<SimLicense>,
    /// Licenses the user's groups could not give.
    pub group_errors: Vec<GroupLicenseError>,
    /// Replication lag: until the instant, assignLicense still sees this older usage location.
    pub stale_usage_location: Option<(Option<String>, Instant)>,
    /// Eventual consistency: until the instant, advanced queries still see this older state.
    pub stale_index: Option<(IndexedState, Instant)>,
    /// `createdDateTime`, as seconds before the tenant's clock.
    pub created_ago_secs: u64,
    /// `signInActivity`; `None` for someone who never signed in.
    pub sign_in: Option<crate::activity::SignIns>,
}

/// What advanced queries filter on, as the directory's index last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedState {
    pub licenses: Vec<SimLicense>,
    pub usage_location: Option<String>,
}

impl SimUser {
    /// The usage location the licensing service sees at `now` (it lags behind a PATCH).
    pub fn replicated_usage_location(&self, now: Instant) -> Option<&str> {
        match &self.stale_usage_location {
            Some((old, until)) if *until > now => old.as_deref(),
            _ => self.usage_location.as_deref(),
        }
    }

    /// Licenses and usage location as advanced queries see them at `now`.
    pub fn indexed(&self, now: Instant) -> (&[SimLicense], Option<&str>) {
        match &self.stale_index {
            Some((old, until)) if *until > now => (&old.licenses, old.usage_location.as_deref()),
            _ => (&self.licenses, self.usage_location.as_deref()),
        }
    }

    /// Remembers the current state for advanced queries before it changes.
    pub fn mark_changed(&mut self, now: Instant, lag: std::time::Duration) {
        if lag.is_zero() {
            return;
        }
        let still_stale = self
            .stale_index
            .as_ref()
            .is_some_and(|(_, until)| *until > now);
        if !still_stale {
            self.stale_index = Some((
                IndexedState {
                    licenses: self.licenses.clone(),
                    usage_location: self.usage_location.clone(),
                },
                now + lag,
            ));
        }
    }

    pub fn holds(&self, sku_id: &str) -> bool {
        self.licenses
            .iter()
            .any(|l| l.sku_id.eq_ignore_ascii_case(sku_id))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimGroup {
    pub id: String,
    pub display_name: String,
    /// What the group gives its members (`assignedLicenses`).
    pub licenses: Vec<GroupLicense>,
    /// Member user ids, lower-case, in id order (the order `/members` pages in).
    pub members: std::collections::BTreeSet<String>,
    /// A dynamic group's rule (`groupTypes` holds `DynamicMembership`): members follow it
    /// and cannot be added or removed.
    pub membership_rule: Option<String>,
}

/// One license a group gives, with the apps it switches off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

impl GroupLicense {
    pub fn of(sku_id: &str) -> Self {
        Self {
            sku_id: sku_id.to_string(),
            disabled_plans: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub domain: String,
    pub skus: Vec<SimSku>,
    pub users: Vec<SimUser>,
    pub groups: Vec<SimGroup>,
    /// What the tenant bought (`/directory/subscriptions`).
    pub subscriptions: Vec<crate::subscriptions::SimSubscription>,
    /// Microsoft Entra ID P1 or P2: without it Graph refuses `signInActivity`.
    pub entra_id_premium: bool,
    /// "Now" for the tenant's dates, in seconds since 1970: set when the emulator starts
    /// (0 in a tenant only generated), so a seed gives the same tenant on any day.
    pub clock: u64,
    /// Seats in use per SKU id, kept up to date on every change (recounting 100,000 people per
    /// request would make big tenants slow).
    consumed: HashMap<String, i64>,
    /// Lower-case id and user principal name → index in `users`.
    by_key: HashMap<String, usize>,
    /// Group licensing's background work: (group id, user id, when it is done).
    pub(crate) group_queue: crate::group_licensing::GroupQueue,
}

const GIVEN: &[&str] = &[
    "Ana",
    "Bram",
    "Chloé",
    "Daan",
    "Emma",
    "Finn",
    "Greta",
    "Hiroshi",
    "Inès",
    "Jan",
    "Katarzyna",
    "Lars",
    "María",
    "Noah",
    "Olivia",
    "Pieter",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomás",
    "Ursula",
    "Vincent",
    "Wiebke",
    "Xavier",
    "Yuki",
    "Zoë",
    "Aisha",
    "Björn",
    "Camille",
    "Dmitri",
    "Elif",
    "François",
    "Giulia",
    "Hannah",
    "Isabel",
    "Jürgen",
    "Kenji",
    "Lotte",
    "Mateo",
    "Nadia",
];
const SURNAMES: &[&str] = &[
    "de Vries",
    "Jansen",
    "Müller",
    "Schmidt",
    "Dubois",
    "Lefèvre",
    "García",
    "Fernández",
    "Smith",
    "Johnson",
    "Brown",
    "Williams",
    "Tanaka",
    "Satō",
    "Nowak",
    "Kowalski",
    "van Dijk",
    "Bakker",
    "Peeters",
    "Janssens",
    "O'Brien",
    "Murphy",
    "Rossi",
    "Bianchi",
    "Öztürk",
    "Yılmaz",
    "Andersen",
    "Nielsen",
    "Novák",
    "Horváth",
    "Martin",
    "Bernard",
    "Wagner",
    "Becker",
    "Visser",
];
const DEPARTMENTS: &[(&str, u32)] = &[
    ("Sales", 20),
    ("Marketing", 10),
    ("Finance", 10),
    ("Human Resources", 6),
    ("IT", 8),
    ("Engineering", 18),
    ("Operations", 14),
    ("Legal", 4),
    ("Customer Support", 10),
];
const COUNTRIES: &[(&str, u32)] = &[
    ("NL", 25),
    ("US", 25),
    ("DE", 15),
    ("GB", 12),
    ("FR", 10),
    ("BE", 5),
    ("ES", 5),
    ("JP", 3),
];
const TITLES: &[&str] = &[
    "Specialist",
    "Manager",
    "Advisor",
    "Coordinator",
    "Analyst",
    "Lead",
];

/// The group that gives Sales its licenses (group-based licensing).
const SALES_GROUP_NAME: &str = "Sales – Microsoft 365 E3";

impl Tenant {
    pub fn generate(spec: &TenantSpec) -> Self {
        let mut rng = Rng::new(spec.seed);
        let sales_group = SimGroup {
            id: rng.guid(),
            display_name: SALES_GROUP_NAME.to_string(),
            licenses: vec![GroupLicense::of(SPE_E3)],
            members: Default::default(),
            membership_rule: None,
        };
        let mut upns = HashSet::with_capacity(spec.users);
        let mut users: Vec<SimUser> = (0..spec.users)
            .map(|_| generate_user(&mut rng, &spec.domain, &sales_group.id, &mut upns))
            .collect();
        let mut problem_groups = add_problem_groups(&mut users, spec.seed);
        problem_groups.push(add_dynamic_group(&mut users, spec.seed));
        if spec.all_staff_group > 0 {
            problem_groups.push(add_all_staff_group(
                &mut users,
                spec.all_staff_group,
                spec.seed,
            ));
        }
        crate::activity::add_activity(&mut users, spec.seed);
        let mut groups: Vec<SimGroup> =
            std::iter::once(sales_group).chain(problem_groups).collect();
        // Without Entra ID P1/P2 the tenant holds no plan that brings it (Graph decides from
        // what the tenant holds): the same people, without those plans.
        let premium = crate::catalog::entra_id_premium_skus();
        if !spec.entra_id_premium {
            for user in &mut users {
                user.licenses.retain(|l| !premium.contains(&l.sku_id));
                user.group_errors.retain(|e| !premium.contains(&e.sku_id));
            }
            for group in &mut groups {
                group.licenses.retain(|l| !premium.contains(&l.sku_id));
            }
        }
        for person in &spec.people {
            users.push(crate::activity::person(person, &mut rng));
        }
        let mut tenant = Tenant {
            tenant_id: spec.tenant_id.clone(),
            display_name: spec.display_name.clone(),
            domain: spec.domain.clone(),
            skus: Vec::new(),
            users,
            groups,
            subscriptions: Vec::new(),
            entra_id_premium: spec.entra_id_premium,
            clock: 0,
            consumed: HashMap::new(),
            by_key: HashMap::new(),
            group_queue: Default::default(),
        };
        tenant.consumed = tenant.count_consumed();
        tenant.skus = generate_skus(&mut rng, &tenant.consumed);
        if !spec.entra_id_premium {
            tenant.skus.retain(|s| !premium.contains(&s.sku_id));
        }
        tenant.subscriptions = crate::subscriptions::generate(&mut tenant.skus, spec.seed);
        tenant.by_key = tenant
            .users
            .iter()
            .enumerate()
            .flat_map(|(i, u)| {
                [
                    (u.id.to_ascii_lowercase(), i),
                    (u.user_principal_name.to_ascii_lowercase(), i),
                ]
            })
            .collect();
        tenant.seed_members();
        tenant
    }

    /// Seats each SKU uses: one per person holding it, however many sources (direct, groups).
    pub fn consumed_units(&self) -> HashMap<String, i64> {
        self.consumed.clone()
    }

    pub fn consumed(&self, sku_id: &str) -> i64 {
        self.consumed.get(sku_id).copied().unwrap_or(0)
    }

    fn count_consumed(&self) -> HashMap<String, i64> {
        let mut consumed: HashMap<String, i64> = HashMap::new();
        for user in &self.users {
            let distinct: HashSet<&str> = user.licenses.iter().map(|l| l.sku_id.as_str()).collect();
            for sku in distinct {
                *consumed.entry(sku.to_string()).or_default() += 1;
            }
        }
        consumed
    }

    /// Recounts seats from scratch: tests compare it with the running count.
    pub fn recount_consumed(&self) -> HashMap<String, i64> {
        self.count_consumed()
    }

    /// Replaces a user's licenses, keeping the seat counts right.
    pub(crate) fn set_licenses(&mut self, index: usize, licenses: Vec<SimLicense>) {
        let before: HashSet<String> = self.users[index]
            .licenses
            .iter()
            .map(|l| l.sku_id.clone())
            .collect();
        let after: HashSet<String> = licenses.iter().map(|l| l.sku_id.clone()).collect();
        for gone in before.difference(&after) {
            *self.consumed.entry(gone.clone()).or_default() -= 1;
        }
        for new in after.difference(&before) {
            *self.consumed.entry(new.clone()).or_default() += 1;
        }
        self.users[index].licenses = licenses;
    }

    /// A user by object id or user principal name, case-insensitively, as Graph resolves
    /// `/users/{id | userPrincipalName}`.
    pub fn user_index(&self, key: &str) -> Option<usize> {
        self.by_key.get(&key.to_ascii_lowercase()).copied()
    }

    pub fn user(&self, key: &str) -> Option<&SimUser> {
        self.user_index(key).map(|i| &self.users[i])
    }

    pub fn sku(&self, sku_id: &str) -> Option<&SimSku> {
        self.skus
            .iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(sku_id))
    }
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let folded = match c {
                'á' | 'à' | 'ä' | 'â' => 'a',
                'é' | 'è' | 'ë' | 'ê' => 'e',
                'í' | 'ï' => 'i',
                'ó' | 'ö' | 'ō' | 'ô' => 'o',
                'ú' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ı' => 'i',
                'š' => 's',
                'ř' => 'r',
                ' ' | '\'' => return None,
                c => c.to_ascii_lowercase(),
            };
            Some(folded)
        })
        .collect()
}

fn generate_user(
    rng: &mut Rng,
    domain: &str,
    sales_group_id: &str,
    upns: &mut HashSet<String>,
) -> SimUser {
    let given = *rng.pick(GIVEN);
    let surname = *rng.pick(SURNAMES);
    let department = *rng.weighted(DEPARTMENTS);
    let country = *rng.weighted(COUNTRIES);
    let base = format!("{}.{}", ascii_fold(given), ascii_fold(surname));
    let mut alias = base.clone();
    let mut n = 1;
    while !upns.insert(alias.clone()) {
        n += 1;
        alias = format!("{base}{n}");
    }
    // New starters whose usage location nobody set yet: they cannot get a direct license.
    let usage_location = (!rng.chance(8)).then(|| country.to_string());
    let account_enabled = !rng.chance(3);
    let unlicensed = usage_location.is_none() || rng.chance(12);
    let licenses = if unlicensed {
        Vec::new()
    } else {
        licenses_for(rng, department, sales_group_id)
    };
    SimUser {
        id: rng.guid(),
        user_principal_name: format!("{alias}@{domain}"),
        display_name: format!("{given} {surname}"),
        given_name: given.to_string(),
        surname: surname.to_string(),
        job_title: Some(format!("{department} {}", rng.pick(TITLES))),
        department: (!rng.chance(2)).then(|| department.to_string()),
        usage_location,
        account_enabled,
        licenses,
        group_errors: Vec::new(),
        stale_usage_location: None,
        stale_index: None,
        created_ago_secs: 0,
        sign_in: None,
    }
}

/// Seats of Exchange Online (Plan 2) in every generated tenant (`generate_skus`).
const EXCHANGE_PLAN2_SEATS: usize = 10;

/// Groups whose licenses run into group licensing's documented errors, so that the demo
/// tenant shows them as Graph does: Customer Support gets Exchange Online (Plan 2) from a group
/// with too few seats (CountViolation beyond the tenth), which Operations is in too while
/// holding Exchange Online (Plan 1) directly (MutuallyExclusiveViolation); a reception group
/// gives Business Premium with Exchange switched off, which Bookings needs
/// (DependencyViolation). Drawn from a generator of their own, so the people are the same
/// as without them.
fn add_problem_groups(users: &mut [SimUser], seed: u64) -> Vec<SimGroup> {
    let mut rng = Rng::new(seed ^ 0x6_7a0c_b5e1);
    let support = SimGroup {
        id: rng.guid(),
        display_name: "Support – Exchange Online (Plan 2)".to_string(),
        licenses: vec![GroupLicense::of(EXCHANGEENTERPRISE)],
        members: Default::default(),
        membership_rule: None,
    };
    let reception = SimGroup {
        id: rng.guid(),
        display_name: "Reception – Business Premium (Exchange off)".to_string(),
        licenses: vec![GroupLicense {
            sku_id: SPB.to_string(),
            disabled_plans: vec![SPB_EXCHANGE_PLAN.to_string()],
        }],
        members: Default::default(),
        membership_rule: None,
    };
    let error = |group: &SimGroup, sku: &str, disabled: Vec<String>, error| GroupLicenseError {
        sku_id: sku.to_string(),
        group_id: group.id.clone(),
        disabled_plans: disabled,
        error,
    };
    let mut given = 0;
    let mut receptionists = 0;
    for user in users.iter_mut() {
        let department = user.job_title.as_deref().unwrap_or_default();
        if department.starts_with("Customer Support") && !user.licenses.is_empty() {
            if given < EXCHANGE_PLAN2_SEATS {
                given += 1;
                user.licenses.push(SimLicense {
                    sku_id: EXCHANGEENTERPRISE.to_string(),
                    disabled_plans: Vec::new(),
                    assigned_by_group: Some(support.id.clone()),
                });
            } else {
                user.group_errors.push(error(
                    &support,
                    EXCHANGEENTERPRISE,
                    Vec::new(),
                    "CountViolation",
                ));
            }
        } else if department.starts_with("Operations") && user.holds(EXCHANGESTANDARD) {
            user.group_errors.push(error(
                &support,
                EXCHANGEENTERPRISE,
                Vec::new(),
                "MutuallyExclusiveViolation",
            ));
        } else if receptionists < 3 && user.licenses.is_empty() && user.usage_location.is_some() {
            // New receptionists with nothing else: Bookings in Business Premium finds no
            // Exchange to depend on.
            receptionists += 1;
            user.group_errors.push(error(
                &reception,
                SPB,
                vec![SPB_EXCHANGE_PLAN.to_string()],
                "DependencyViolation",
            ));
        }
    }
    vec![support, reception]
}

/// A dynamic group: everyone in Finance gets Power BI Pro from it. Finance people hold it
/// directly as well (from before the group), so it takes no seat more and shows the doubles
/// a clean-up finds.
fn add_dynamic_group(users: &mut [SimUser], seed: u64) -> SimGroup {
    let mut rng = Rng::new(seed ^ 0x0d1_a31c);
    let group = SimGroup {
        id: rng.guid(),
        display_name: "Finance – Power BI Pro (dynamic)".to_string(),
        licenses: vec![GroupLicense::of(POWER_BI_PRO)],
        members: Default::default(),
        membership_rule: Some("(user.department -eq \"Finance\")".to_string()),
    };
    for user in users.iter_mut() {
        if user.department.as_deref() == Some("Finance") {
            user.licenses.push(SimLicense {
                sku_id: POWER_BI_PRO.to_string(),
                disabled_plans: Vec::new(),
                assigned_by_group: Some(group.id.clone()),
            });
        }
    }
    group
}

/// "All staff": the first `members` people get Power Automate Free from it, and are in
/// CountViolation for Exchange Online (Plan 2), whose few seats the Support group holds.
fn add_all_staff_group(users: &mut [SimUser], members: usize, seed: u64) -> SimGroup {
    let mut rng = Rng::new(seed ^ 0xa11_57af);
    let group = SimGroup {
        id: rng.guid(),
        display_name: "All staff – Power Automate and Exchange".to_string(),
        licenses: vec![
            GroupLicense::of(FLOW_FREE),
            GroupLicense::of(EXCHANGEENTERPRISE),
        ],
        members: Default::default(),
        membership_rule: None,
    };
    for user in users.iter_mut().take(members) {
        user.licenses.push(SimLicense {
            sku_id: FLOW_FREE.to_string(),
            disabled_plans: Vec::new(),
            assigned_by_group: Some(group.id.clone()),
        });
        user.group_errors.push(GroupLicenseError {
            sku_id: EXCHANGEENTERPRISE.to_string(),
            group_id: group.id.clone(),
            disabled_plans: Vec::new(),
            error: "CountViolation",
        });
    }
    group
}

/// EXCHANGE_S_STANDARD in Microsoft 365 Business Premium.
const SPB_EXCHANGE_PLAN: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";

fn direct(sku_id: &str) -> SimLicense {
    SimLicense {
        sku_id: sku_id.to_string(),
        disabled_plans: Vec::new(),
        assigned_by_group: None,
    }
}

fn licenses_for(rng: &mut Rng, department: &str, sales_group_id: &str) -> Vec<SimLicense> {
    let mut out = Vec::new();
    match department {
        "Sales" => {
            out.push(SimLicense {
                sku_id: SPE_E3.to_string(),
                disabled_plans: Vec::new(),
                assigned_by_group: Some(sales_group_id.to_string()),
            });
            // Leftovers from before group licensing: the same SKU directly as well.
            if rng.chance(10) {
                out.push(direct(SPE_E3));
            }
        }
        "Engineering" | "IT" => {
            out.push(direct(SPE_E5));
            if rng.chance(7) {
                out.push(direct(VISIOCLIENT));
            }
            if rng.chance(10) {
                out.push(direct(PROJECTPROFESSIONAL));
            }
        }
        "Finance" => {
            out.push(direct(SPE_E3));
            out.push(direct(POWER_BI_PRO));
        }
        "Marketing" => {
            out.push(direct(SPE_E3));
            if rng.chance(50) {
                out.push(direct(POWER_BI_PRO));
            }
        }
        "Operations" => {
            out.push(direct(EXCHANGESTANDARD));
            if rng.chance(25) {
                out.push(direct(PROJECTPROFESSIONAL));
            }
        }
        "Customer Support" => {
            out.push(direct(ENTERPRISEPACK));
            out.push(direct(AAD_PREMIUM));
        }
        "Legal" => out.push(direct(SPB)),
        _ => out.push(direct(SPE_E3)),
    }
    if rng.chance(30) {
        out.push(direct(FLOW_FREE));
    }
    out
}

fn generate_skus(rng: &mut Rng, consumed: &HashMap<String, i64>) -> Vec<SimSku> {
    let used = |id: &str| consumed.get(id).copied().unwrap_or(0);
    catalog::load()
        .into_iter()
        .map(|c| {
            let c_used = used(&c.sku_id);
            // (appliesTo, capabilityStatus, enabled, warning, suspended, lockedOut)
            let (applies_to, status, enabled, warning, suspended, locked_out) =
                match c.sku_id.as_str() {
                    // Nearly full: two seats left.
                    SPE_E3 => ("User", "Enabled", c_used + 2, 0, 0, 0),
                    // A renewal is late: some units are in their grace period.
                    POWER_BI_PRO => ("User", "Warning", (c_used - 3).max(0), 10, 0, 0),
                    // Cancelled subscription still holding assignments.
                    VISIOCLIENT => ("User", "Suspended", 0, 0, c_used.max(1) + 4, 0),
                    // Cancelled by the customer.
                    MCOEV => ("User", "LockedOut", 0, 0, 0, 20),
                    // For the organisation, not for people.
                    WINDOWS_STORE => ("Company", "Enabled", 2500, 0, 0, 0),
                    // A free plan Microsoft tops up as it is used: 10,000 seats beyond those
                    // taken, so a tenant of any size can give it to everyone (benchmarks do).
                    FLOW_FREE => ("User", "Enabled", c_used + 10_000, 0, 0, 0),
                    TEAMS_ESS => ("User", "Enabled", 25, 0, 0, 0),
                    EXCHANGEENTERPRISE => ("User", "Enabled", 10, 0, 0, 0),
                    _ => (
                        "User",
                        "Enabled",
                        round_up(c_used + 5 + c_used / 10),
                        0,
                        0,
                        0,
                    ),
                };
            SimSku {
                service_plans: c
                    .service_plans
                    .into_iter()
                    .map(|p| (p.service_plan_id, p.service_plan_name))
                    .collect(),
                sku_id: c.sku_id,
                sku_part_number: c.sku_part_number,
                applies_to: applies_to.to_string(),
                capability_status: status.to_string(),
                enabled,
                warning,
                suspended,
                locked_out,
                subscription_ids: vec![rng.guid()],
            }
        })
        .collect()
}

/// Subscriptions are bought in round numbers.
fn round_up(n: i64) -> i64 {
    (n + 4) / 5 * 5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    #[test]
    fn same_seed_same_tenant() {
        let spec = Scenario::demo().tenant;
        assert_eq!(Tenant::generate(&spec), Tenant::generate(&spec));
    }

    #[test]
    fn demo_tenant_has_every_situation_the_app_must_handle() {
        let t = Tenant::generate(&Scenario::demo().tenant);
        assert_eq!(t.users.len(), 250);
        assert_eq!(t.skus.len(), 14);
        let no_location = t
            .users
            .iter()
            .filter(|u| u.usage_location.is_none())
            .count();
        let unlicensed = t.users.iter().filter(|u| u.licenses.is_empty()).count();
        let by_group = t
            .users
            .iter()
            .filter(|u| u.licenses.iter().any(|l| l.assigned_by_group.is_some()))
            .count();
        let both = t
            .users
            .iter()
            .filter(|u| u.licenses.iter().filter(|l| l.sku_id == SPE_E3).count() == 2)
            .count();
        assert!(no_location >= 5, "{no_location}");
        assert!(unlicensed >= 20, "{unlicensed}");
        assert!(by_group >= 20, "{by_group}");
        assert!(both >= 1, "{both}");
        assert!(t.users.iter().any(|u| !u.account_enabled));

        let consumed = t.consumed_units();
        let e3 = t.sku(SPE_E3).expect("E3");
        assert_eq!(e3.enabled - consumed[SPE_E3], 2, "E3 is nearly full");
        assert!(t.sku(POWER_BI_PRO).is_some_and(|s| s.warning > 0));
        assert!(
            t.sku(VISIOCLIENT)
                .is_some_and(|s| s.capability_status == "Suspended")
        );
        assert!(
            t.sku(MCOEV)
                .is_some_and(|s| s.capability_status == "LockedOut")
        );
        assert!(
            t.sku(WINDOWS_STORE)
                .is_some_and(|s| s.applies_to == "Company")
        );
    }

    #[test]
    fn user_principal_names_are_unique() {
        let t = Tenant::generate(&Scenario::demo().with_users(5000).tenant);
        let set: HashSet<_> = t.users.iter().map(|u| &u.user_principal_name).collect();
        assert_eq!(set.len(), 5000);
    }

    #[test]
    fn a_user_with_the_same_sku_twice_takes_one_seat() {
        let t = Tenant::generate(&Scenario::demo().tenant);
        let direct_and_group: i64 = t
            .users
            .iter()
            .filter(|u| u.licenses.iter().any(|l| l.sku_id == SPE_E3))
            .count() as i64;
        assert_eq!(t.consumed_units()[SPE_E3], direct_and_group);
    }
}
