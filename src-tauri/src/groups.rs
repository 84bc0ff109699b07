//! The Groups page and groups wherever licenses are given: the groups that give licenses with
//! their plans, members and errors; reprocessing people in error; joining and leaving a group
//! (planned, reviewed, journaled and undone like every change); the groups that already give a
//! plan (offered instead of a direct license); and *Clean up doubles*, people who hold a plan
//! both directly and from a group.
//!
//! The window names groups and people only by the ids it was shown: what a group gives is
//! always read from Graph here, never taken from the window.
//!
//! Past 600 lines with its tests, which drive the demo tenant through these commands' steps.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use licensing::groups::{LicenseGroup, MemberStanding, standing};
use licensing::membership::GroupRef;
use licensing::{RunTitle, ShortfallPolicy, Sku, WantedChange};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::CommandError;
use crate::runs::{PlanPreview, Request, Runs};
use crate::tenant::{Connection, TenantState};

/// One plan a group gives, by name, with the apps it switches off.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupPlanView {
    pub sku_id: String,
    pub name: String,
    /// The apps switched off, by their friendly names.
    pub apps_off: Vec<String>,
}

/// How many members are in error with one error code.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorCount {
    pub code: String,
    pub count: u32,
}

/// A group that gives licenses, with where its members stand.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupView {
    pub id: String,
    pub display_name: String,
    pub plans: Vec<GroupPlanView>,
    pub members: u32,
    pub in_error: u32,
    pub pending: u32,
    /// Members in error by Graph's error code, most first.
    pub errors: Vec<ErrorCount>,
    /// A dynamic group's rule: its members cannot be added or removed here.
    pub membership_rule: Option<String>,
    /// Graph is still working through a change to the group.
    pub processing: bool,
}

/// A group opened: its members, each with where they stand with each of its plans.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupDetail {
    pub group: GroupView,
}

/// Which of the open group's members to show: a search, only those in error, and people to
/// put first (those just reprocessed, whatever the filter, so their new state is seen).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MembersQuery {
    pub search: String,
    pub only_errors: bool,
    pub first: Vec<String>,
}

/// One screenful of the open group's members: the window never holds a 50,000-member group.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MembersPage {
    /// Everyone in the group.
    pub total: u32,
    /// Everyone the query keeps.
    pub matching: u32,
    pub rows: Vec<MemberStanding>,
}

/// A group offered instead of giving a plan directly.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupBrief {
    pub id: String,
    pub display_name: String,
    /// The plans it gives, by name.
    pub plans: Vec<String>,
    pub dynamic: bool,
}

/// What reprocessing did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReprocessOutcome {
    pub reprocessed: u32,
    pub failed: Vec<ReprocessFailure>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReprocessFailure {
    pub user_principal_name: String,
    pub message: String,
}

/// Someone holding a plan both directly and from a group.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DoubleRow {
    /// `userId|skuId`: what the window sends back to choose it.
    pub key: String,
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub sku_id: String,
    pub plan_name: String,
    /// The groups that give the plan too.
    pub group_names: Vec<String>,
}

/// The group last opened (its tenant, the group, and its members as read): its pages come
/// from here, and reprocessing takes only people in it.
#[derive(Default)]
pub struct OpenGroup(Mutex<Option<(String, LicenseGroup, Vec<MemberStanding>)>>);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) async fn license_groups(
    connection: &Connection,
) -> Result<Vec<LicenseGroup>, CommandError> {
    Ok(connection
        .client
        .license_groups()
        .await?
        .iter()
        .map(|g| g.to_domain())
        .collect())
}

pub(crate) async fn skus(connection: &Connection) -> Result<Vec<Sku>, CommandError> {
    Ok(connection.client.plans().await?)
}

fn plan_views(group: &LicenseGroup, skus: &[Sku]) -> Vec<GroupPlanView> {
    let names = crate::product_names::current();
    group
        .plans
        .iter()
        .map(|p| {
            let (sku, off) = p.apps_off(skus);
            GroupPlanView {
                sku_id: p.sku_id.clone(),
                name: sku.map_or_else(
                    || p.sku_id.clone(),
                    |s| names.display_name(&s.sku_id, &s.sku_part_number),
                ),
                apps_off: off
                    .iter()
                    .map(|(id, name)| licensing::app_display_name(id, name))
                    .collect(),
            }
        })
        .collect()
}

async fn members(
    connection: &Connection,
    group: &LicenseGroup,
) -> Result<Vec<MemberStanding>, CommandError> {
    let mut out = Vec::new();
    connection
        .client
        .group_members_by_page(&group.id, |page| {
            out.extend(page.iter().map(|m| standing(&m.to_domain(), group)));
        })
        .await?;
    out.sort_by_cached_key(|m| (!m.in_error(), m.display_name.to_lowercase()));
    Ok(out)
}

fn view(group: &LicenseGroup, members: &[MemberStanding], skus: &[Sku]) -> GroupView {
    let count = |f: &dyn Fn(&MemberStanding) -> bool| {
        u32::try_from(members.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
    };
    let mut errors: HashMap<&str, u32> = HashMap::new();
    for e in members.iter().filter_map(MemberStanding::error) {
        *errors.entry(e).or_default() += 1;
    }
    let mut errors: Vec<ErrorCount> = errors
        .into_iter()
        .map(|(code, count)| ErrorCount {
            code: code.to_string(),
            count,
        })
        .collect();
    errors.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    GroupView {
        id: group.id.clone(),
        display_name: group.display_name.clone(),
        plans: plan_views(group, skus),
        members: u32::try_from(members.len()).unwrap_or(u32::MAX),
        in_error: count(&MemberStanding::in_error),
        pending: count(&|m| m.pending() && !m.in_error()),
        errors,
        membership_rule: group.membership_rule.clone(),
        processing: group.processing,
    }
}

fn no_group(id: &str) -> CommandError {
    CommandError::new(
        "groups.unknown",
        "This group no longer gives licenses, or was deleted. Go back to the Groups page to see the groups as they are now.",
        None,
    )
    .with("group", id)
}

/// The group as a change names it: read from Graph, never from the window.
fn group_ref(g: &LicenseGroup) -> GroupRef {
    GroupRef {
        id: g.id.clone(),
        display_name: g.display_name.clone(),
        sku_ids: g.plans.iter().map(|p| p.sku_id.clone()).collect(),
        dynamic: g.membership_rule.is_some(),
    }
}

/// Every group that gives licenses, with its plans, member count and errors.
#[tauri::command]
pub async fn groups_list(state: State<'_, TenantState>) -> Result<Vec<GroupView>, CommandError> {
    let connection = state.connection().await?;
    let (skus, groups) = tokio::try_join!(skus(&connection), license_groups(&connection))?;
    let mut out = Vec::with_capacity(groups.len());
    for g in &groups {
        let m = members(&connection, g).await?;
        out.push(view(g, &m, &skus));
    }
    out.sort_by_key(|g| g.display_name.to_lowercase());
    Ok(out)
}

/// One group, its members read from Graph and kept for `group_members_page`.
#[tauri::command]
pub async fn group_detail(
    state: State<'_, TenantState>,
    open: State<'_, OpenGroup>,
    id: String,
) -> Result<GroupDetail, CommandError> {
    let connection = state.connection().await?;
    let (skus, groups) = tokio::try_join!(skus(&connection), license_groups(&connection))?;
    let group = groups
        .into_iter()
        .find(|g| g.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| no_group(&id))?;
    let members = members(&connection, &group).await?;
    let shown = view(&group, &members, &skus);
    *lock(&open.0) = Some((connection.info.tenant_id.clone(), group, members));
    Ok(GroupDetail { group: shown })
}

/// A page of the open group's members (people in error first, then by name; those in
/// `first` before everyone). Search ignores case and accents, like the Users page.
#[tauri::command]
pub async fn group_members_page(
    state: State<'_, TenantState>,
    open: State<'_, OpenGroup>,
    query: MembersQuery,
    offset: u32,
    limit: u32,
) -> Result<MembersPage, CommandError> {
    let connection = state.connection().await?;
    let held = lock(&open.0);
    let Some((tenant, group, members)) = held.as_ref() else {
        return Err(no_group(""));
    };
    if !tenant.eq_ignore_ascii_case(&connection.info.tenant_id) {
        return Err(no_group(&group.id));
    }
    Ok(members_page(members, &query, offset, limit))
}

fn members_page(
    members: &[MemberStanding],
    query: &MembersQuery,
    offset: u32,
    limit: u32,
) -> MembersPage {
    let words: Vec<String> = query
        .search
        .split_whitespace()
        .map(licensing::directory::fold)
        .collect();
    let first: HashSet<String> = query.first.iter().map(|i| i.to_ascii_lowercase()).collect();
    let is_first = |m: &MemberStanding| first.contains(&m.user_id.to_ascii_lowercase());
    let matches = |m: &MemberStanding| {
        let text =
            licensing::directory::fold(&format!("{} {}", m.display_name, m.user_principal_name));
        words.iter().all(|w| text.contains(w.as_str()))
    };
    let kept: Vec<&MemberStanding> = members
        .iter()
        .filter(|m| is_first(m) || ((!query.only_errors || m.in_error()) && matches(m)))
        .collect();
    let ordered = kept
        .iter()
        .filter(|m| is_first(m))
        .chain(kept.iter().filter(|m| !is_first(m)));
    let limit = limit.clamp(1, 500) as usize;
    MembersPage {
        total: u32::try_from(members.len()).unwrap_or(u32::MAX),
        matching: u32::try_from(kept.len()).unwrap_or(u32::MAX),
        rows: ordered
            .skip(offset as usize)
            .take(limit)
            .map(|m| (*m).clone())
            .collect(),
    }
}

/// Asks Graph to work out these members' group licenses again (after a seat was freed or a
/// conflict removed). Only members of the group last opened are taken. Nothing is taken from
/// anyone by it, so it is not journaled.
#[tauri::command]
pub async fn groups_reprocess(
    state: State<'_, TenantState>,
    open: State<'_, OpenGroup>,
    user_ids: Vec<String>,
) -> Result<ReprocessOutcome, CommandError> {
    let connection = state.connection().await?;
    // The open group's members (lower-case id → user principal name): only they are taken,
    // and a failure names them as the group read them.
    let names: HashMap<String, String> = match lock(&open.0).as_ref() {
        Some((tenant, _, members)) if tenant.eq_ignore_ascii_case(&connection.info.tenant_id) => {
            members
                .iter()
                .map(|m| {
                    (
                        m.user_id.to_ascii_lowercase(),
                        m.user_principal_name.clone(),
                    )
                })
                .collect()
        }
        _ => HashMap::new(),
    };
    let mut ids: Vec<String> = user_ids
        .into_iter()
        .filter(|id| names.contains_key(&id.to_ascii_lowercase()))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(CommandError::new(
            "groups.reprocessNobody",
            "Choose at least one member of this group to reprocess.",
            None,
        ));
    }
    let answers = connection.client.reprocess_each(&ids).await;
    let mut outcome = ReprocessOutcome {
        reprocessed: 0,
        failed: Vec::new(),
    };
    for (id, answer) in ids.iter().zip(answers) {
        match answer {
            Ok(()) => outcome.reprocessed += 1,
            Err(e) => outcome.failed.push(ReprocessFailure {
                user_principal_name: names
                    .get(&id.to_ascii_lowercase())
                    .cloned()
                    .unwrap_or_else(|| id.clone()),
                message: CommandError::from(e).message,
            }),
        }
    }
    Ok(outcome)
}

/// Plans adding these people to the group (`join`) or removing them from it, with the seats
/// its plans would take or free; the review that follows is the same as for every change.
#[tauri::command]
pub async fn groups_plan_membership(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    group_id: String,
    user_ids: Vec<String>,
    join: bool,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    let groups = license_groups(&connection).await?;
    let group = groups
        .iter()
        .find(|g| g.id.eq_ignore_ascii_case(&group_id))
        .ok_or_else(|| no_group(&group_id))?;
    plan_membership(
        &connection,
        &runs,
        std::slice::from_ref(group),
        user_ids,
        join,
    )
    .await
}

/// Plans these people joining (`join`) or leaving each of `groups`.
pub(crate) async fn plan_membership(
    connection: &Connection,
    runs: &Runs,
    groups: &[LicenseGroup],
    user_ids: Vec<String>,
    join: bool,
) -> Result<PlanPreview, CommandError> {
    let references: Vec<GroupRef> = groups.iter().map(group_ref).collect();
    let change = WantedChange {
        join_groups: if join { references.clone() } else { vec![] },
        leave_groups: if join { vec![] } else { references },
        // Leaving: the people come from the group's member list or a license it gives them,
        // so they are members even where Graph has not processed the join yet.
        as_direct: !join,
        ..WantedChange::default()
    };
    let mut ids = user_ids;
    ids.dedup();
    // A few people (a panel, a group's page): read fresh, so a membership Graph has just
    // processed is seen. Many: the directory as read.
    if ids.len() <= 200 {
        for user in runner::read_people(&connection.client, &ids)
            .await?
            .into_values()
        {
            connection.directory.replace(user);
        }
    }
    let title = RunTitle::Membership {
        group: groups
            .iter()
            .map(|g| g.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        join,
        people: u32::try_from(ids.len()).unwrap_or(u32::MAX),
    };
    let changes = ids.into_iter().map(|id| (id, change.clone())).collect();
    runs.plan(
        connection,
        Request::Each { title, changes },
        ShortfallPolicy::Nobody,
    )
    .await
}

/// The license groups that give this plan (offered instead of giving it directly).
#[tauri::command]
pub async fn groups_giving(
    state: State<'_, TenantState>,
    sku_id: String,
) -> Result<Vec<GroupBrief>, CommandError> {
    let connection = state.connection().await?;
    let (skus, groups) = tokio::try_join!(skus(&connection), license_groups(&connection))?;
    let mut out: Vec<GroupBrief> = groups
        .iter()
        .filter(|g| {
            g.plans
                .iter()
                .any(|p| p.sku_id.eq_ignore_ascii_case(&sku_id))
        })
        .map(|g| GroupBrief {
            id: g.id.clone(),
            display_name: g.display_name.clone(),
            plans: plan_views(g, &skus).into_iter().map(|p| p.name).collect(),
            dynamic: g.membership_rule.is_some(),
        })
        .collect();
    // Groups people can be added to first.
    out.sort_by_key(|g| (g.dynamic, g.display_name.to_lowercase()));
    Ok(out)
}

fn double_key(user_id: &str, sku_id: &str) -> String {
    format!(
        "{}|{}",
        user_id.to_ascii_lowercase(),
        sku_id.to_ascii_lowercase()
    )
}

/// Everyone's plans held both directly and from a group, from the directory.
async fn find_doubles(connection: &Connection) -> Result<Vec<DoubleRow>, CommandError> {
    connection
        .directory
        .ensure_complete(&connection.client)
        .await?;
    let skus = connection.directory.skus();
    let names = crate::product_names::current();
    let group_names = connection.directory.group_names();
    let mut rows = connection.directory.with_people(|people| {
        let mut rows = Vec::new();
        for u in people {
            let mut seen: Vec<&str> = Vec::new();
            for a in u
                .assignments
                .iter()
                .filter(|a| a.assigned_by_group.is_none())
            {
                if seen.iter().any(|s| s.eq_ignore_ascii_case(&a.sku_id)) {
                    continue;
                }
                seen.push(&a.sku_id);
                let groups: Vec<String> = u
                    .assignments
                    .iter()
                    .filter(|g| g.sku_id.eq_ignore_ascii_case(&a.sku_id))
                    .filter_map(|g| g.assigned_by_group.clone())
                    .collect();
                if groups.is_empty() {
                    continue;
                }
                rows.push((u.clone(), a.sku_id.clone(), groups));
            }
        }
        rows
    });
    let wanted: Vec<String> = rows
        .iter()
        .flat_map(|(_, _, g)| g.iter().cloned())
        .filter(|g| !group_names.contains_key(g))
        .collect();
    let more = connection
        .directory
        .name_groups(&connection.client, wanted)
        .await;
    let name_of = |g: &String| {
        group_names
            .get(g)
            .or_else(|| more.get(g))
            .cloned()
            .unwrap_or_else(|| g.clone())
    };
    rows.sort_by_cached_key(|(u, _, _)| u.display_name.to_lowercase());
    Ok(rows
        .drain(..)
        .map(|(u, sku_id, groups)| DoubleRow {
            key: double_key(&u.id, &sku_id),
            user_id: u.id.clone(),
            user_principal_name: u.user_principal_name.clone(),
            display_name: u.display_name.clone(),
            plan_name: skus
                .iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(&sku_id))
                .map_or_else(
                    || sku_id.clone(),
                    |s| names.display_name(&s.sku_id, &s.sku_part_number),
                ),
            sku_id,
            group_names: groups.iter().map(name_of).collect(),
        })
        .collect())
}

/// People who hold a plan both directly and from a group.
#[tauri::command]
pub async fn doubles_scan(state: State<'_, TenantState>) -> Result<Vec<DoubleRow>, CommandError> {
    let connection = state.connection().await?;
    find_doubles(&connection).await
}

/// Plans taking away the direct copy of the chosen doubles (keys of rows found now). No seat
/// is freed: Graph counts one seat per person and plan, and the group keeps giving it.
#[tauri::command]
pub async fn doubles_plan(
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    keys: Vec<String>,
) -> Result<PlanPreview, CommandError> {
    let connection = state.connection().await?;
    plan_doubles(&connection, &runs, &keys).await
}

async fn plan_doubles(
    connection: &Connection,
    runs: &Runs,
    keys: &[String],
) -> Result<PlanPreview, CommandError> {
    let wanted: HashSet<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
    let found = find_doubles(connection).await?;
    let mut by_person: Vec<(String, WantedChange)> = Vec::new();
    let mut take: Vec<String> = Vec::new();
    for row in found.iter().filter(|r| wanted.contains(&r.key)) {
        if !take.contains(&row.plan_name) {
            take.push(row.plan_name.clone());
        }
        match by_person.iter_mut().find(|(id, _)| *id == row.user_id) {
            Some((_, change)) => change.remove.push(row.sku_id.clone()),
            None => by_person.push((
                row.user_id.clone(),
                WantedChange {
                    remove: vec![row.sku_id.clone()],
                    ..WantedChange::default()
                },
            )),
        }
    }
    if by_person.is_empty() {
        return Err(CommandError::new(
            "doubles.nothing",
            "Choose at least one person who still holds a plan both directly and from a group.",
            None,
        ));
    }
    let title = RunTitle::Change {
        give: vec![],
        take,
        apps: vec![],
        location: None,
        people: u32::try_from(by_person.len()).unwrap_or(u32::MAX),
    };
    runs.plan(
        connection,
        Request::Each {
            title,
            changes: by_person,
        },
        ShortfallPolicy::Nobody,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use licensing::Action;

    fn member(id: &str, name: &str, error: Option<&str>) -> MemberStanding {
        MemberStanding {
            user_id: id.into(),
            user_principal_name: format!("{id}@contoso.com"),
            display_name: name.into(),
            usage_location: None,
            plans: vec![(
                "e3".into(),
                error.map_or(licensing::groups::MemberState::Active, |e| {
                    licensing::groups::MemberState::Error(e.into())
                }),
            )],
        }
    }

    /// A group's members are served a page at a time: search folds accents, "only errors"
    /// keeps those in error, and people just reprocessed come first whatever the filter.
    #[test]
    fn a_groups_members_are_paged_searched_and_filtered_with_the_reprocessed_first() {
        let members: Vec<MemberStanding> = (0..250)
            .map(|i| {
                member(
                    &format!("u{i}"),
                    &format!("Person {i}"),
                    (i % 10 == 0).then_some("CountViolation"),
                )
            })
            .chain([member("jn", "Jürgen Novák", None)])
            .collect();
        let query = |search: &str, only_errors: bool, first: &[&str]| MembersQuery {
            search: search.into(),
            only_errors,
            first: first.iter().map(|s| s.to_string()).collect(),
        };
        let all = members_page(&members, &query("", false, &[]), 0, 100);
        assert_eq!((all.total, all.matching, all.rows.len()), (251, 251, 100));
        let next = members_page(&members, &query("", false, &[]), 200, 100);
        assert_eq!(next.rows.len(), 51);
        let errors = members_page(&members, &query("", true, &[]), 0, 100);
        assert_eq!(errors.matching, 25);
        assert!(errors.rows.iter().all(MemberStanding::in_error));
        let found = members_page(&members, &query("jurgen NOVAK", false, &[]), 0, 100);
        assert_eq!(found.rows.len(), 1);
        assert_eq!(found.rows[0].user_id, "jn");
        // Just reprocessed, now fine: still shown among the errors, and first.
        let watched = members_page(&members, &query("", true, &["U3"]), 0, 100);
        assert_eq!(watched.matching, 26);
        assert_eq!(watched.rows[0].user_id, "u3");
        // A page is bounded whatever the window asks.
        let many: Vec<MemberStanding> = (0..600)
            .map(|i| member(&format!("m{i}"), "M", None))
            .collect();
        assert_eq!(
            members_page(&many, &query("", false, &[]), 0, 100_000)
                .rows
                .len(),
            500
        );
    }

    /// Members of `group` as Graph has them now (ids, lower case).
    async fn member_ids(connection: &Connection, group: &str) -> HashSet<String> {
        let mut ids = HashSet::new();
        connection
            .client
            .group_members_by_page(group, |page| {
                ids.extend(page.iter().map(|m| m.id.to_ascii_lowercase()));
            })
            .await
            .expect("members");
        ids
    }

    /// Adding people to a license group from the app is planned (nothing sent), applied,
    /// journaled, and undone: the undo removes exactly those it added. A dynamic group is
    /// refused in the plan, not by Graph.
    #[tokio::test(flavor = "multi_thread")]
    async fn joining_a_group_is_reviewed_journaled_and_undone_and_a_dynamic_group_is_blocked() {
        let connection = crate::tenant::open_demo().await.expect("demo");
        connection
            .directory
            .ensure_complete(&connection.client)
            .await
            .expect("directory");
        let groups = license_groups(&connection).await.expect("groups");
        let support = groups
            .iter()
            .find(|g| g.display_name.starts_with("Support"))
            .expect("the Support group")
            .clone();
        let before = member_ids(&connection, &support.id).await;
        let ids: Vec<String> = connection.directory.with_people(|people| {
            people
                .iter()
                .filter(|u| u.usage_location.is_some() && u.assignments.is_empty())
                .filter(|u| !before.contains(&u.id.to_ascii_lowercase()))
                .take(2)
                .map(|u| u.id.clone())
                .collect()
        });
        assert_eq!(ids.len(), 2);

        let runs = Runs::default();
        let preview = plan_membership(
            &connection,
            &runs,
            std::slice::from_ref(&support),
            ids.clone(),
            true,
        )
        .await
        .expect("planned");
        assert_eq!(preview.plan.count(Action::Membership), 2);
        assert_eq!(
            member_ids(&connection, &support.id).await,
            before,
            "planning sent something"
        );

        let dir = std::env::temp_dir().join(format!("ld-app-groups-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let history = crate::history::History::open(dir.join("journal.sqlite"));
        let result = runs
            .apply(&connection, &history, |_| {})
            .await
            .expect("applied");
        assert_eq!((result.done, result.failed), (2, 0));
        assert!(
            result
                .lines
                .iter()
                .all(|l| l.add == vec![support.display_name.clone()]),
            "each line names the group joined"
        );
        let during = member_ids(&connection, &support.id).await;
        for id in &ids {
            assert!(during.contains(&id.to_ascii_lowercase()));
        }
        assert_eq!(during.len(), before.len() + 2);

        let run = result.run_id.clone().expect("journaled");
        let undo = runs
            .plan_undo(&connection, &history, &run)
            .await
            .expect("undo planned");
        assert_eq!(undo.plan.count(Action::Membership), 2);
        assert!(undo.plan.people.iter().all(|p| p.leave_groups.len() == 1));
        let undone = runs
            .apply(&connection, &history, |_| {})
            .await
            .expect("undone");
        assert_eq!((undone.done, undone.failed), (2, 0));
        assert_eq!(member_ids(&connection, &support.id).await, before);

        let dynamic = groups
            .iter()
            .find(|g| g.membership_rule.is_some())
            .expect("a dynamic group");
        let refused = plan_membership(
            &connection,
            &runs,
            std::slice::from_ref(dynamic),
            ids.clone(),
            true,
        )
        .await
        .expect("planned");
        assert_eq!(refused.plan.count(Action::Blocked), 2);
        assert!(
            refused
                .plan
                .people
                .iter()
                .all(|p| matches!(p.reason, Some(licensing::Reason::DynamicGroup { .. })))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The demo's Sales people who hold E3 directly as well as from the Sales group are found;
    /// taking the direct copy away is planned with no seat freed (Graph counts one seat per
    /// person and plan), and only keys of rows found are planned.
    #[tokio::test(flavor = "multi_thread")]
    async fn doubles_are_found_and_taking_the_direct_copy_frees_no_seat() {
        let connection = crate::tenant::open_demo().await.expect("demo");
        let found = find_doubles(&connection).await.expect("doubles");
        assert!(found.len() >= 2, "the demo has doubles: {}", found.len());
        let groups = license_groups(&connection).await.expect("groups");
        assert!(
            found.iter().all(|d| d
                .group_names
                .iter()
                .all(|n| groups.iter().any(|g| &g.display_name == n))),
            "each double names its groups: {:?}",
            found[0].group_names
        );
        let runs = Runs::default();
        let keys: Vec<String> = found
            .iter()
            .take(2)
            .map(|d| d.key.clone())
            .chain(["not-a-person|not-a-plan".to_string()])
            .collect();
        let preview = plan_doubles(&connection, &runs, &keys)
            .await
            .expect("planned");
        assert_eq!(preview.plan.people.len(), 2);
        assert_eq!(preview.plan.count(Action::Remove), 2);
        assert!(
            preview
                .plan
                .seats
                .iter()
                .all(|s| s.freed == 0 && s.free_after == s.free_before),
            "{:?}",
            preview.plan.seats
        );
        let none = plan_doubles(&connection, &runs, &["x|y".to_string()])
            .await
            .expect_err("nothing chosen");
        assert_eq!(none.code, "doubles.nothing");
    }
}
