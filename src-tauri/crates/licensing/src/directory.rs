//! Finding people in a tenant's directory: search, the filters that matter for licensing with
//! their live counts, and one screenful of rows at a time (the window never holds 100,000
//! people, only the rows it shows).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ProductNames, Sku, User};

/// What the Users page asks for. Every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct UsersQuery {
    /// Part of a name or user principal name, any case.
    pub search: String,
    pub unlicensed: bool,
    pub no_usage_location: bool,
    /// A group could not give one of the person's licenses.
    pub license_errors: bool,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    /// Holds this plan (directly or from a group).
    pub sku_id: Option<String>,
}

/// One value of a filter with how many people (matching the search) have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FilterCount {
    pub key: String,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FilterCounts {
    pub unlicensed: u32,
    pub no_usage_location: u32,
    pub license_errors: u32,
    /// Most common first.
    pub departments: Vec<FilterCount>,
    pub usage_locations: Vec<FilterCount>,
    pub plans: Vec<FilterCount>,
}

/// A license as a row shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowLicense {
    pub sku_id: String,
    pub name: String,
    /// The group it comes from; `null` when direct.
    pub group_id: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserRow {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    pub account_enabled: bool,
    pub licenses: Vec<RowLicense>,
}

/// One screenful of the people a query matches, and the counts for its filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UsersPage {
    /// Everyone read so far.
    pub total: u32,
    /// Everyone the query matches.
    pub matching: u32,
    pub offset: u32,
    pub rows: Vec<UserRow>,
    pub counts: FilterCounts,
    /// Still reading the directory: more people may come.
    pub loading: bool,
}

/// Text as search compares it: lower case, accents and other marks taken off, and the
/// letters that do not decompose written as their base ("Jürgen Novák", "Søren Łukasz" →
/// "jurgen novak", "soren lukasz").
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    // Most names and every user principal name are ASCII: no decomposition to do. (Search
    // folds every person's name on each page it reads, so this is the hot path.)
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// `needle` is already folded.
fn search_hit(user: &User, needle: &str) -> bool {
    needle.is_empty()
        || fold(&user.display_name).contains(needle)
        || fold(&user.user_principal_name).contains(needle)
}

/// Whether `user` matches every filter of `query` (the search included).
pub fn matches(user: &User, query: &UsersQuery) -> bool {
    filters_match(user, query) && search_hit(user, &fold(query.search.trim()))
}

/// The filters a count is taken over: each filter's counts honour every other filter, not
/// their own (the department list says how many of the unlicensed are in each department).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    Unlicensed,
    NoUsageLocation,
    LicenseErrors,
    Department,
    UsageLocation,
    Plan,
}

const FACETS: [Facet; 6] = [
    Facet::Unlicensed,
    Facet::NoUsageLocation,
    Facet::LicenseErrors,
    Facet::Department,
    Facet::UsageLocation,
    Facet::Plan,
];

fn facet_matches(user: &User, q: &UsersQuery, facet: Facet) -> bool {
    match facet {
        Facet::Unlicensed => !q.unlicensed || user.is_unlicensed(),
        Facet::NoUsageLocation => !q.no_usage_location || user.usage_location.is_none(),
        Facet::LicenseErrors => {
            !q.license_errors || user.assignments.iter().any(|a| a.error.is_some())
        }
        Facet::Department => q.department.as_ref().is_none_or(|d| {
            user.department
                .as_deref()
                .is_some_and(|ud| ud.eq_ignore_ascii_case(d))
        }),
        Facet::UsageLocation => q
            .usage_location
            .as_ref()
            .is_none_or(|c| user.usage_location.as_deref() == Some(c.as_str())),
        Facet::Plan => q.sku_id.as_ref().is_none_or(|s| {
            user.licenses_in_place()
                .any(|a| a.sku_id.eq_ignore_ascii_case(s))
        }),
    }
}

fn filters_match(user: &User, q: &UsersQuery) -> bool {
    FACETS.iter().all(|f| facet_matches(user, q, *f))
}

fn plan_name(skus: &HashMap<String, &Sku>, names: &ProductNames, sku_id: &str) -> String {
    let part = skus
        .get(&sku_id.to_ascii_lowercase())
        .map(|s| s.sku_part_number.as_str())
        .unwrap_or(sku_id);
    names.display_name(sku_id, part)
}

/// A user as a row shows them.
pub fn row(user: &User, skus: &[Sku], names: &ProductNames) -> UserRow {
    let by_id: HashMap<String, &Sku> = skus
        .iter()
        .map(|s| (s.sku_id.to_ascii_lowercase(), s))
        .collect();
    row_with(user, &by_id, names)
}

fn row_with(user: &User, skus: &HashMap<String, &Sku>, names: &ProductNames) -> UserRow {
    UserRow {
        id: user.id.clone(),
        display_name: user.display_name.clone(),
        user_principal_name: user.user_principal_name.clone(),
        department: user.department.clone(),
        usage_location: user.usage_location.clone(),
        account_enabled: user.account_enabled,
        licenses: user
            .assignments
            .iter()
            .map(|a| RowLicense {
                sku_id: a.sku_id.clone(),
                name: plan_name(skus, names, &a.sku_id),
                group_id: a.assigned_by_group.clone(),
                error: a.error.clone(),
            })
            .collect(),
    }
}

/// The rows `offset..offset + limit` of the people `query` matches (in directory order), and
/// the filters' counts over everyone matching the search.
pub fn users_page(
    users: &[User],
    query: &UsersQuery,
    offset: u32,
    limit: u32,
    skus: &[Sku],
    names: &ProductNames,
    loading: bool,
) -> UsersPage {
    let by_id: HashMap<String, &Sku> = skus
        .iter()
        .map(|s| (s.sku_id.to_ascii_lowercase(), s))
        .collect();
    let needle = fold(query.search.trim());
    let mut counts = FilterCounts::default();
    let mut departments: BTreeMap<String, u32> = BTreeMap::new();
    let mut locations: BTreeMap<String, u32> = BTreeMap::new();
    let mut plans: BTreeMap<String, u32> = BTreeMap::new();
    let mut matching = 0u32;
    let mut rows = Vec::new();
    let wanted = offset as usize..offset.saturating_add(limit.min(500)) as usize;
    for user in users.iter().filter(|u| search_hit(u, &needle)) {
        let hits: [bool; 6] = FACETS.map(|f| facet_matches(user, query, f));
        let failing = hits.iter().filter(|h| !**h).count();
        // Counted for a facet when every other filter matches.
        let others_match = |f: Facet| {
            let i = FACETS.iter().position(|x| *x == f).unwrap_or(0);
            failing == 0 || (failing == 1 && !hits[i])
        };
        if others_match(Facet::Unlicensed) {
            counts.unlicensed += u32::from(user.is_unlicensed());
        }
        if others_match(Facet::NoUsageLocation) {
            counts.no_usage_location += u32::from(user.usage_location.is_none());
        }
        if others_match(Facet::LicenseErrors) {
            counts.license_errors += u32::from(user.assignments.iter().any(|a| a.error.is_some()));
        }
        if others_match(Facet::Department)
            && let Some(d) = &user.department
        {
            *departments.entry(d.clone()).or_default() += 1;
        }
        if others_match(Facet::UsageLocation)
            && let Some(c) = &user.usage_location
        {
            *locations.entry(c.clone()).or_default() += 1;
        }
        if others_match(Facet::Plan) {
            let mut held: Vec<String> = user
                .licenses_in_place()
                .map(|a| a.sku_id.to_ascii_lowercase())
                .collect();
            held.sort();
            held.dedup();
            for s in held {
                *plans.entry(s).or_default() += 1;
            }
        }
        if failing == 0 {
            if wanted.contains(&(matching as usize)) {
                rows.push(row_with(user, &by_id, names));
            }
            matching += 1;
        }
    }
    let sorted = |map: BTreeMap<String, u32>, label: &dyn Fn(&str) -> String| {
        let mut list: Vec<FilterCount> = map
            .into_iter()
            .map(|(key, count)| FilterCount {
                label: label(&key),
                key,
                count,
            })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        list
    };
    counts.departments = sorted(departments, &|k| k.to_string());
    counts.usage_locations = sorted(locations, &|k| k.to_string());
    counts.plans = sorted(plans, &|k| plan_name(&by_id, names, k));
    UsersPage {
        total: users.len() as u32,
        matching,
        offset,
        rows,
        counts,
        loading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LicenseAssignment;

    fn user(n: u32, dept: Option<&str>, loc: Option<&str>, skus: &[(&str, Option<&str>)]) -> User {
        User {
            id: format!("id{n}"),
            user_principal_name: format!("user{n}@contoso.com"),
            display_name: format!("Person {n}"),
            department: dept.map(str::to_owned),
            usage_location: loc.map(str::to_owned),
            account_enabled: true,
            assignments: skus
                .iter()
                .map(|(s, e)| LicenseAssignment {
                    sku_id: (*s).into(),
                    disabled_plans: vec![],
                    assigned_by_group: e.map(|_| "g".to_string()),
                    error: e.map(str::to_owned),
                })
                .collect(),
        }
    }

    #[test]
    fn pages_filters_and_counts_agree() {
        let people: Vec<User> = (0..1_000)
            .map(|n| match n % 4 {
                0 => user(n, Some("Sales"), None, &[]),
                1 => user(n, Some("IT"), Some("NL"), &[("e3", None)]),
                2 => user(
                    n,
                    Some("Sales"),
                    Some("DE"),
                    &[("e3", Some("CountViolation"))],
                ),
                _ => user(n, None, Some("NL"), &[("e5", None), ("e3", None)]),
            })
            .collect();
        let names = ProductNames::builtin();
        let q = UsersQuery {
            unlicensed: true,
            ..UsersQuery::default()
        };
        let page = users_page(&people, &q, 0, 100, &[], &names, false);
        // Unlicensed: nothing in place, so also those whose only license a group could not
        // give (as Graph's assignedLicenses/$count eq 0 counts them).
        assert_eq!(
            (page.total, page.matching, page.rows.len()),
            (1000, 500, 100)
        );
        assert_eq!(page.counts.unlicensed, 500);
        assert_eq!(page.counts.no_usage_location, 250);
        assert_eq!(page.counts.license_errors, 250);
        assert_eq!(
            page.counts.departments[0],
            FilterCount {
                key: "Sales".into(),
                label: "Sales".into(),
                count: 500
            }
        );
        // Each list counts within the other filters: among the unlicensed nobody holds E3.
        assert_eq!(page.counts.plans.iter().find(|p| p.key == "e3"), None);
        let everyone = users_page(&people, &UsersQuery::default(), 0, 1, &[], &names, false);
        assert_eq!(
            everyone
                .counts
                .plans
                .iter()
                .find(|p| p.key == "e3")
                .map(|p| p.count),
            // Held: in place only (a group's E3 in error is not held).
            Some(500)
        );
        // The department list with "no usage location" on: only Sales has such people, and
        // IT's count is not that of everyone in IT.
        let no_location = users_page(
            &people,
            &UsersQuery {
                no_usage_location: true,
                ..UsersQuery::default()
            },
            0,
            1,
            &[],
            &names,
            false,
        );
        assert_eq!(
            no_location
                .counts
                .departments
                .iter()
                .map(|d| (d.key.as_str(), d.count))
                .collect::<Vec<_>>(),
            vec![("Sales", 250)]
        );
        // A filter's own chip still counts as if it were off (so it can be turned on).
        assert_eq!(no_location.counts.no_usage_location, 250);
        let last = users_page(&people, &q, 450, 100, &[], &names, false);
        assert_eq!(last.rows.len(), 50);

        let sales_nl = UsersQuery {
            department: Some("sales".into()),
            usage_location: Some("DE".into()),
            ..UsersQuery::default()
        };
        let page = users_page(&people, &sales_nl, 0, 500, &[], &names, false);
        assert_eq!(page.matching, 250);
        assert!(
            page.rows
                .iter()
                .all(|r| r.licenses[0].error.as_deref() == Some("CountViolation"))
        );

        let search = UsersQuery {
            search: "USER99".into(),
            ..UsersQuery::default()
        };
        let page = users_page(&people, &search, 0, 50, &[], &names, false);
        assert_eq!(page.matching, 11, "user99 and user990..999");
        assert_eq!(
            page.counts.unlicensed,
            people
                .iter()
                .filter(|u| matches(u, &search) && u.is_unlicensed())
                .count() as u32
        );
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let mut people = vec![user(1, None, None, &[]), user(2, None, None, &[])];
        people[0].display_name = "Jürgen Novák".into();
        people[1].display_name = "Søren Łukasz".into();
        let names = ProductNames::builtin();
        for (search, who) in [
            ("jurgen novak", 0),
            ("JÜRGEN", 0),
            ("soren lukasz", 1),
            ("sØren", 1),
        ] {
            let q = UsersQuery {
                search: search.into(),
                ..UsersQuery::default()
            };
            let page = users_page(&people, &q, 0, 10, &[], &names, false);
            assert_eq!(page.matching, 1, "{search}");
            assert_eq!(
                page.rows[0].display_name, people[who].display_name,
                "{search}"
            );
        }
        assert_eq!(fold("Straße Ærø"), "strasse aero");
    }
}
