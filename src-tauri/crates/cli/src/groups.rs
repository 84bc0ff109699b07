//! `groups`, `group GROUP` and `reprocess`: the groups that give licenses, their members with
//! where each stands (active, pending, in error and why, with the fix), and reprocessing people
//! after a seat was freed or a conflict removed.

use std::collections::HashMap;

use clap::Args;
use licensing::Sku;
use licensing::groups::{FindGroupError, LicenseGroup, MemberStanding, error_words, standing};
use serde::Serialize;

use crate::CliError;
use crate::connection::Connection;
use crate::output::{print_json, print_text};

/// One plan a group gives, by names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanLine {
    sku_part_number: String,
    /// The apps it switches off (Microsoft's service plan names).
    disabled_plans: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupLine {
    id: String,
    display_name: String,
    licenses: Vec<PlanLine>,
    members: usize,
    in_error: usize,
    pending: usize,
    /// A dynamic group's rule (members cannot be added or removed), or null.
    membership_rule: Option<String>,
    /// Graph is still working through a change to the group.
    processing: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberLine {
    user_principal_name: String,
    display_name: String,
    usage_location: Option<String>,
    /// `active`, `pending` or `error`.
    state: &'static str,
    /// Graph's error code when in error.
    error: Option<String>,
    why: Option<&'static str>,
    fix: Option<&'static str>,
}

fn plan_lines(group: &LicenseGroup, skus: &[Sku]) -> Vec<PlanLine> {
    group
        .plans
        .iter()
        .map(|p| {
            let (sku, off) = p.apps_off(skus);
            PlanLine {
                sku_part_number: sku.map_or(p.sku_id.clone(), |s| s.sku_part_number.clone()),
                disabled_plans: off.into_iter().map(|(_, name)| name).collect(),
            }
        })
        .collect()
}

/// Every member's standing with the group's plans, read page by page.
async fn standings(
    connection: &Connection,
    group: &LicenseGroup,
) -> Result<Vec<MemberStanding>, CliError> {
    let mut out = Vec::new();
    connection
        .client()
        .group_members_by_page(&group.id, |page| {
            out.extend(page.iter().map(|m| standing(&m.to_domain(), group)));
        })
        .await?;
    Ok(out)
}

/// The license groups, and GROUP (an id or a display name) among them; a name that fits
/// several groups is refused with their ids.
pub(crate) async fn find_group(
    connection: &Connection,
    key: &str,
) -> Result<LicenseGroup, CliError> {
    let groups: Vec<LicenseGroup> = connection
        .client()
        .license_groups()
        .await?
        .iter()
        .map(|g| g.to_domain())
        .collect();
    match licensing::groups::find(&groups, key) {
        Ok(g) => Ok(g.clone()),
        Err(FindGroupError::NotFound) => Err(CliError::Usage(format!(
            "no group that gives licenses is called '{key}': `licensedesk-cli groups` lists them"
        ))),
        Err(FindGroupError::Ambiguous(ids)) => Err(CliError::Usage(format!(
            "several groups are called '{key}'; name one by its id: {}",
            ids.join(", ")
        ))),
    }
}

/// `groups`.
pub async fn groups(connection: &Connection, as_json: bool) -> Result<(), CliError> {
    let (skus, groups) = tokio::try_join!(connection.skus(), async {
        connection
            .client()
            .license_groups()
            .await
            .map_err(CliError::from)
    })?;
    let mut lines = Vec::new();
    for g in groups.iter().map(|g| g.to_domain()) {
        let members = standings(connection, &g).await?;
        lines.push(GroupLine {
            licenses: plan_lines(&g, &skus),
            members: members.len(),
            in_error: members.iter().filter(|m| m.in_error()).count(),
            pending: members.iter().filter(|m| m.pending()).count(),
            membership_rule: g.membership_rule.clone(),
            processing: g.processing,
            id: g.id,
            display_name: g.display_name,
        });
    }
    if as_json {
        return print_json(&lines);
    }
    if lines.is_empty() {
        return print_text("No group in this tenant gives licenses.\n");
    }
    let mut text = String::new();
    for l in &lines {
        let plans: Vec<String> = l
            .licenses
            .iter()
            .map(|p| {
                if p.disabled_plans.is_empty() {
                    p.sku_part_number.clone()
                } else {
                    format!(
                        "{} (off: {})",
                        p.sku_part_number,
                        p.disabled_plans.join(", ")
                    )
                }
            })
            .collect();
        text.push_str(&format!(
            "{}  {}\n  gives {}\n  {} members, {} in error, {} pending{}{}\n",
            l.display_name,
            l.id,
            plans.join(" + "),
            l.members,
            l.in_error,
            l.pending,
            l.membership_rule
                .as_deref()
                .map(|r| format!("\n  dynamic: members follow the rule {r}"))
                .unwrap_or_default(),
            if l.processing {
                "\n  Microsoft is still working through a change to this group"
            } else {
                ""
            },
        ));
    }
    print_text(&text)
}

fn member_line(m: &MemberStanding) -> MemberLine {
    let (state, error) = if let Some(e) = m.error() {
        ("error", Some(e.to_string()))
    } else if m.pending() {
        ("pending", None)
    } else {
        ("active", None)
    };
    let words = error.as_deref().map(error_words);
    MemberLine {
        user_principal_name: m.user_principal_name.clone(),
        display_name: m.display_name.clone(),
        usage_location: m.usage_location.clone(),
        state,
        why: words.map(|w| w.0),
        fix: words.map(|w| w.1),
        error,
    }
}

/// `group GROUP [--errors]`.
pub async fn group(
    connection: &Connection,
    key: &str,
    errors_only: bool,
    as_json: bool,
) -> Result<(), CliError> {
    let (skus, group) = tokio::try_join!(connection.skus(), find_group(connection, key))?;
    let members: Vec<MemberLine> = standings(connection, &group)
        .await?
        .iter()
        .filter(|m| !errors_only || m.in_error())
        .map(member_line)
        .collect();

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer<'a> {
        id: &'a str,
        display_name: &'a str,
        licenses: Vec<PlanLine>,
        membership_rule: Option<&'a str>,
        members: &'a [MemberLine],
    }
    if as_json {
        return print_json(&Answer {
            id: &group.id,
            display_name: &group.display_name,
            licenses: plan_lines(&group, &skus),
            membership_rule: group.membership_rule.as_deref(),
            members: &members,
        });
    }
    let mut text = format!("{} ({} people)\n", group.display_name, members.len());
    for m in &members {
        text.push_str(&format!("  {}  {}", m.user_principal_name, m.state));
        if let (Some(e), Some(why), Some(fix)) = (&m.error, m.why, m.fix) {
            text.push_str(&format!(" ({e}): {why}. Fix: {fix}."));
        }
        text.push('\n');
    }
    print_text(&text)
}

#[derive(Args, Debug)]
pub struct ReprocessArgs {
    /// The people to reprocess (user principal names or ids).
    #[arg(value_name = "UPN")]
    pub people: Vec<String>,
    /// Everyone whose license from a group is in error.
    #[arg(long, conflicts_with = "people")]
    pub errors: bool,
    /// With --errors: only this group's members (id or display name).
    #[arg(long, value_name = "GROUP", requires = "errors")]
    pub group: Option<String>,
    /// List who would be reprocessed; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask.
    #[arg(long)]
    pub yes: bool,
}

/// `reprocess UPN…` or `reprocess --errors [--group GROUP]`: Graph works out the people's
/// group licenses again. Nothing is taken from anyone by it, so it is not journaled; it is a
/// write, so it is asked for like one.
pub async fn reprocess(
    connection: &Connection,
    args: &ReprocessArgs,
    as_json: bool,
) -> Result<(), CliError> {
    let people: Vec<(String, String)> = if args.errors {
        let groups: Vec<LicenseGroup> = match &args.group {
            Some(key) => vec![find_group(connection, key).await?],
            None => connection
                .client()
                .license_groups()
                .await?
                .iter()
                .map(|g| g.to_domain())
                .collect(),
        };
        let mut seen: HashMap<String, String> = HashMap::new();
        for g in &groups {
            for m in standings(connection, g).await? {
                if m.in_error() {
                    seen.insert(m.user_id.clone(), m.user_principal_name.clone());
                }
            }
        }
        let mut people: Vec<_> = seen.into_iter().collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        people
    } else if args.people.is_empty() {
        return Err(CliError::Usage(
            "name the people to reprocess, or use --errors for everyone in error".into(),
        ));
    } else {
        let mut people = Vec::new();
        for key in &args.people {
            let user = connection
                .client()
                .user(key)
                .await
                .map_err(|e| CliError::Usage(format!("'{key}' could not be read: {e}")))?;
            let upn = user
                .user_principal_name
                .clone()
                .unwrap_or_else(|| key.clone());
            people.push((user.id, upn));
        }
        people
    };

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Failure {
        user_principal_name: String,
        error: String,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        people: Vec<String>,
        dry_run: bool,
        reprocessed: Vec<String>,
        failed: Vec<Failure>,
    }
    let names: Vec<String> = people.iter().map(|(_, upn)| upn.clone()).collect();
    if args.dry_run || people.is_empty() {
        if as_json {
            return print_json(&Answer {
                people: names,
                dry_run: true,
                reprocessed: vec![],
                failed: vec![],
            });
        }
        let mut text = format!("{} people would be reprocessed:\n", names.len());
        for n in &names {
            text.push_str(&format!("  {n}\n"));
        }
        return print_text(&text);
    }
    if !args.yes {
        say!("{}\n", names.join("\n"));
        crate::import::confirm(&format!(
            "Ask Microsoft to work out the group licenses of these {} people again?",
            names.len()
        ))?;
    }
    let mut reprocessed = Vec::new();
    let mut failed = Vec::new();
    let ids: Vec<String> = people.iter().map(|(id, _)| id.clone()).collect();
    let answers = connection.client().reprocess_each(&ids).await;
    for ((_, upn), answer) in people.iter().zip(answers) {
        match answer {
            Ok(()) => reprocessed.push(upn.clone()),
            Err(e) => failed.push(Failure {
                user_principal_name: upn.clone(),
                error: e.to_string(),
            }),
        }
    }
    let any_failed = !failed.is_empty();
    if as_json {
        print_json(&Answer {
            people: names,
            dry_run: false,
            reprocessed,
            failed,
        })?;
    } else {
        let mut text = format!(
            "Asked Microsoft to reprocess {} people; their states follow in a few minutes (`licensedesk-cli group GROUP`).\n",
            reprocessed.len()
        );
        for f in &failed {
            text.push_str(&format!(
                "  {} failed: {}\n",
                f.user_principal_name, f.error
            ));
        }
        print_text(&text)?;
    }
    if any_failed {
        return Err(CliError::Failed(
            "some people could not be reprocessed".into(),
        ));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct MembershipArgs {
    /// The people (user principal names or ids), then the group (an id or a display name).
    #[arg(value_name = "UPN… GROUP", num_args = 2.., required = true)]
    pub people_and_group: Vec<String>,
    /// Show what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask.
    #[arg(long)]
    pub yes: bool,
}

/// Slices of the directory read at once for many people named by user principal name.
const PREFIX_READS_AT_ONCE: usize = 8;

/// These people (ids or user principal names), each read on their own, eight at a time, in
/// the order given with the key that named them. One who cannot be read is a usage error that
/// names them (nothing is changed).
async fn read_each(
    connection: &Connection,
    keys: &[String],
) -> Result<Vec<(String, licensing::User)>, CliError> {
    let mut tasks = tokio::task::JoinSet::new();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(8));
    for (i, key) in keys.iter().enumerate() {
        let (client, key, limit) = (connection.client().clone(), key.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let answer = client.user(&key).await;
            (i, key, answer)
        });
    }
    let mut read: Vec<Option<(String, licensing::User)>> = keys.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (i, key, answer) = joined.map_err(|e| CliError::Failed(e.to_string()))?;
        let user = answer.map_err(|e| {
            CliError::Usage(format!(
                "'{key}' could not be read: {e} (nothing was changed)"
            ))
        })?;
        read[i] = Some((key, user.to_domain()));
    }
    Ok(read.into_iter().flatten().collect())
}

/// The group as a change names it: its id, name, plans, and whether it is dynamic.
pub(crate) fn group_ref(g: &LicenseGroup) -> licensing::membership::GroupRef {
    licensing::membership::GroupRef {
        id: g.id.clone(),
        display_name: g.display_name.clone(),
        sku_ids: g.plans.iter().map(|p| p.sku_id.clone()).collect(),
        dynamic: g.membership_rule.is_some(),
    }
}

/// `add-to-group UPN… GROUP` and `remove-from-group UPN… GROUP`: planned (with the seats the
/// group's plans would take or free), asked, journaled and undoable like every change.
pub async fn membership(
    connection: &Connection,
    args: &MembershipArgs,
    join: bool,
    as_json: bool,
) -> Result<(), CliError> {
    let (group_key, keys) = args
        .people_and_group
        .split_last()
        .ok_or_else(|| CliError::Usage("name the people, then the group".into()))?;
    let (skus, group, people) = if keys.len() > 100 {
        // Many people: the directory read in slices side by side (by the first letter of
        // the user principal name, when every key is one) or page after page, while the
        // group is looked up; anyone a slice did not cover is read on their own.
        let by_name = keys.iter().all(|k| k.contains('@'));
        let everyone = async {
            if by_name {
                let prefixes: Vec<char> = ('a'..='z').chain('0'..='9').collect();
                Ok::<_, CliError>(
                    connection
                        .client()
                        .users_by_prefix(&prefixes, PREFIX_READS_AT_ONCE)
                        .await?
                        .iter()
                        .map(|u| u.to_domain())
                        .collect::<Vec<_>>(),
                )
            } else {
                Ok(connection.skus_and_users().await?.1)
            }
        };
        let (skus, group, everyone) = tokio::try_join!(
            connection.skus(),
            find_group(connection, group_key),
            everyone
        )?;
        let by_key: HashMap<String, &licensing::User> = everyone
            .iter()
            .flat_map(|u| {
                [
                    (u.id.to_ascii_lowercase(), u),
                    (u.user_principal_name.to_ascii_lowercase(), u),
                ]
            })
            .collect();
        let missing: Vec<String> = keys
            .iter()
            .filter(|k| !by_key.contains_key(&k.to_ascii_lowercase()))
            .cloned()
            .collect();
        let more: HashMap<String, licensing::User> = read_each(connection, &missing)
            .await?
            .into_iter()
            .map(|u| (u.0.to_ascii_lowercase(), u.1))
            .collect();
        let people = keys
            .iter()
            .map(|k| {
                let k = k.to_ascii_lowercase();
                by_key
                    .get(&k)
                    .map(|u| (*u).clone())
                    .or_else(|| more.get(&k).cloned())
                    .ok_or_else(|| CliError::Failed("someone could not be read".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        (skus, group, people)
    } else {
        let (skus, group, read) = tokio::try_join!(
            connection.skus(),
            find_group(connection, group_key),
            read_each(connection, keys)
        )?;
        (skus, group, read.into_iter().map(|(_, u)| u).collect())
    };
    let reference = group_ref(&group);
    let change = if join {
        licensing::WantedChange {
            join_groups: vec![reference],
            ..licensing::WantedChange::default()
        }
    } else {
        licensing::WantedChange {
            leave_groups: vec![reference],
            ..licensing::WantedChange::default()
        }
    };
    let requests: Vec<(&licensing::User, &licensing::WantedChange)> =
        people.iter().map(|p| (p, &change)).collect();
    let planned = licensing::plan_each(&requests, &skus, licensing::ShortfallPolicy::Nobody);
    let n = planned
        .people
        .iter()
        .filter(|p| journal::sends_anything(p))
        .count();
    let title = licensing::RunTitle::Membership {
        group: group.display_name.clone(),
        join,
        people: u32::try_from(n).unwrap_or(u32::MAX),
    };
    let dry_run = args.dry_run || n == 0;
    if !dry_run && !args.yes {
        say!(
            "{}",
            crate::operations::plan_text(connection, &planned, &skus).await
        );
        crate::import::confirm(&format!("{}?", title.english()))?;
    }
    crate::operations::carry_out_with(
        connection,
        &planned,
        &skus,
        &people,
        &title,
        None,
        dry_run,
        as_json,
        &(),
    )
    .await
}
