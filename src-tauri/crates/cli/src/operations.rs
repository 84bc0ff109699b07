//! Finding people and changing their licenses: `users` with filters, `user`, `set-location`,
//! `assign`, `remove`, `swap` and `assign-all`. Every change is planned first
//! (`licensing::plan`), shown or applied through the same engine as the app.

use clap::Args;
use std::collections::HashMap;

use graph::PersonStatus;
use licensing::{
    Action, PlanToAdd, ProductNames, Reason, ShortfallPolicy, Sku, UsageLocationChange, User,
    WantedChange, parse_country, plan, resolve_sku, summarize_users,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::CliError;
use crate::connection::Connection;
use crate::output::{print_json, terminal_safe};

/// Which people: every filter given must hold.
#[derive(Debug, Args, Default)]
pub struct UserFilter {
    /// Only people without any license.
    #[arg(long)]
    pub unlicensed: bool,
    /// Only people without a usage location.
    #[arg(long)]
    pub no_usage_location: bool,
    /// Only people in this department (any case).
    #[arg(long, value_name = "D")]
    pub department: Option<String>,
    /// Only people with this usage location (a code like NL, or a country name).
    #[arg(long, value_name = "CC")]
    pub usage_location: Option<String>,
    /// Only people who hold this plan (SKU id, part number or name): `users --sku`.
    #[arg(skip)]
    pub sku: Option<String>,
}

/// A filter checked against the tenant: the country and the plan are resolved once.
struct Checked {
    unlicensed: bool,
    no_usage_location: bool,
    department: Option<String>,
    usage_location: Option<String>,
    sku_id: Option<String>,
}

impl UserFilter {
    fn check(&self, skus: &[Sku], names: &ProductNames) -> Result<Checked, CliError> {
        Ok(Checked {
            unlicensed: self.unlicensed,
            no_usage_location: self.no_usage_location,
            department: self.department.as_ref().map(|d| d.trim().to_lowercase()),
            usage_location: self.usage_location.as_deref().map(country).transpose()?,
            sku_id: self
                .sku
                .as_deref()
                .map(|s| sku(s, skus, names).map(|s| s.sku_id.clone()))
                .transpose()?,
        })
    }
}

impl Checked {
    fn keeps(&self, user: &User) -> bool {
        (!self.unlicensed || user.is_unlicensed())
            && (!self.no_usage_location || user.usage_location.is_none())
            && self.department.as_ref().is_none_or(|d| {
                user.department
                    .as_deref()
                    .is_some_and(|ud| ud.trim().to_lowercase() == *d)
            })
            && self
                .usage_location
                .as_ref()
                .is_none_or(|c| user.usage_location.as_deref() == Some(c.as_str()))
            && self.sku_id.as_ref().is_none_or(|s| {
                user.licenses_in_place()
                    .any(|a| a.sku_id.eq_ignore_ascii_case(s))
            })
    }
}

fn country(text: &str) -> Result<String, CliError> {
    parse_country(text).map_err(|e| CliError::Usage(e.to_string()))
}

pub(crate) fn sku<'a>(
    query: &str,
    skus: &'a [Sku],
    names: &ProductNames,
) -> Result<&'a Sku, CliError> {
    resolve_sku(query, skus, names).map_err(|e| CliError::Usage(e.to_string()))
}

/// `users [filters]`: the records of `users --json`, for everyone the filters keep.
pub async fn users(
    connection: &Connection,
    filter: &UserFilter,
) -> Result<(Vec<Sku>, Vec<User>), CliError> {
    let (skus, people) = connection.skus_and_users().await?;
    let checked = filter.check(&skus, connection.names())?;
    let kept: Vec<User> = people.into_iter().filter(|u| checked.keeps(u)).collect();
    Ok((skus, kept))
}

/// `user UPN`: the person with each license's service plans, their provisioning status and
/// whether they are on.
pub async fn user(connection: &Connection, key: &str, as_json: bool) -> Result<(), CliError> {
    let (skus, person) = tokio::try_join!(connection.skus(), connection.user(key))?;
    let details = connection.license_details(key).await?;
    let group_ids: Vec<String> = person
        .assignments
        .iter()
        .filter_map(|a| a.assigned_by_group.clone())
        .collect();
    let group_names = connection.client().group_names(&group_ids).await;
    let summary = summarize_users(std::slice::from_ref(&person), &skus, connection.names())
        .pop()
        .ok_or_else(|| CliError::Failed("the person could not be read".into()))?;
    let licenses: Vec<Value> = summary
        .licenses
        .iter()
        .map(|l| {
            let plans: Vec<Value> = details
                .iter()
                .find(|d| d.sku_id.eq_ignore_ascii_case(&l.sku_id))
                .map(|d| {
                    d.service_plans
                        .iter()
                        .map(|p| {
                            json!({
                                "servicePlanName": p.service_plan_name,
                                "provisioningStatus": p.provisioning_status,
                                "enabled": !l.disabled_plans.iter().any(|x| x.eq_ignore_ascii_case(&p.service_plan_id)),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "skuId": l.sku_id,
                "skuPartNumber": l.sku_part_number,
                "displayName": l.display_name,
                "assignedByGroup": l.assigned_by_group,
                "assignedByGroupName": l.assigned_by_group.as_ref().and_then(|g| group_names.get(g)),
                "disabledPlans": l.disabled_plans,
                "servicePlans": plans,
            })
        })
        .collect();
    let mut record = serde_json::to_value(&summary).map_err(|e| CliError::Failed(e.to_string()))?;
    record["licenses"] = Value::Array(licenses.clone());
    if as_json {
        return print_json(&record);
    }
    let mut text = format!(
        "{} <{}>\nDepartment: {}\nUsage location: {}\nSign-in: {}\n",
        summary.display_name,
        summary.user_principal_name,
        summary.department.as_deref().unwrap_or("-"),
        summary
            .usage_location
            .as_deref()
            .unwrap_or("none (a license cannot be given until one is set)"),
        if summary.account_enabled {
            "enabled"
        } else {
            "blocked"
        },
    );
    if licenses.is_empty() {
        text.push_str("Licenses: none\n");
    }
    for l in &licenses {
        let source = match (
            l["assignedByGroupName"].as_str(),
            l["assignedByGroup"].as_str(),
        ) {
            (Some(name), _) => format!("from group {name}"),
            (None, Some(id)) => format!("from group {id}"),
            _ => "direct".into(),
        };
        text.push_str(&format!(
            "License: {} ({}), {source}\n",
            l["displayName"].as_str().unwrap_or(""),
            l["skuPartNumber"].as_str().unwrap_or("")
        ));
        for p in l["servicePlans"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "  {:<40} {:<8} {}\n",
                p["servicePlanName"].as_str().unwrap_or(""),
                if p["enabled"].as_bool() == Some(true) {
                    "on"
                } else {
                    "off"
                },
                p["provisioningStatus"].as_str().unwrap_or("")
            ));
        }
    }
    crate::output::print_text(&terminal_safe_lines(&text))
}

/// Each line made terminal-safe on its own (line breaks kept).
pub(crate) fn terminal_safe_lines(text: &str) -> String {
    text.lines().map(|l| terminal_safe(l, 400) + "\n").collect()
}

/// The change one command asks for, and for whom.
pub enum Request<'a> {
    SetLocation {
        user: &'a str,
        country: &'a str,
    },
    Assign {
        user: &'a str,
        sku: &'a str,
        disable: &'a [String],
    },
    Remove {
        user: &'a str,
        sku: &'a str,
    },
    Swap {
        user: &'a str,
        from: &'a str,
        to: &'a str,
        keep_disabled_plans: bool,
    },
    /// One person, a change worked out already (a role's plans or groups).
    Wanted {
        user: &'a str,
        wanted: WantedChange,
    },
    AssignAll {
        sku: &'a str,
        /// A role's change, given instead of `sku`.
        role: Option<WantedChange>,
        filter: &'a UserFilter,
        set_usage_location: Option<&'a str>,
        shortfall: ShortfallPolicy,
        dry_run: bool,
        /// Write the plan here for approval instead of applying it.
        out: Option<&'a std::path::Path>,
    },
}

/// Service plans to switch off in `sku`, by name or id (any case).
fn service_plan_ids(sku: &Sku, wanted: &[String]) -> Result<Vec<String>, CliError> {
    wanted
        .iter()
        .map(|w| {
            sku.service_plans
                .iter()
                .find(|p| p.id.eq_ignore_ascii_case(w) || p.name.eq_ignore_ascii_case(w))
                .map(|p| p.id.clone())
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "{} has no service plan '{w}'. Its service plans: {}",
                        sku.sku_part_number,
                        sku.service_plans
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
        })
        .collect()
}

/// Plans the request, then shows the plan (`dry_run`) or applies it and shows the result.
/// Exit: 0 when everything planned was done (or only shown), 1 when someone was blocked or a
/// change failed, 2 for a wrong name, country or plan (nothing sent).
pub async fn change(
    connection: &Connection,
    request: Request<'_>,
    as_json: bool,
) -> Result<(), CliError> {
    let names = connection.names();
    let mut out = None;
    let (skus, people, wanted, policy, dry_run) = match request {
        Request::AssignAll {
            sku: s,
            role,
            filter,
            set_usage_location,
            shortfall,
            dry_run,
            out: plan_out,
        } => {
            out = plan_out;
            let (skus, everyone) = connection.skus_and_users().await?;
            let location = set_usage_location.map(country).transpose()?;
            let checked = filter.check(&skus, names)?;
            let people: Vec<User> = everyone.into_iter().filter(|u| checked.keeps(u)).collect();
            let wanted = match role {
                Some(role) => WantedChange {
                    usage_location: location.map(UsageLocationChange::WhereMissing),
                    ..role
                },
                None => WantedChange {
                    add: vec![PlanToAdd {
                        sku_id: sku(s, &skus, names)?.sku_id.clone(),
                        disabled_plans: vec![],
                    }],
                    usage_location: location.map(UsageLocationChange::WhereMissing),
                    ..WantedChange::default()
                },
            };
            (
                skus,
                people,
                wanted,
                shortfall,
                dry_run || plan_out.is_some(),
            )
        }
        single => {
            let user_key = match &single {
                Request::SetLocation { user, .. }
                | Request::Assign { user, .. }
                | Request::Wanted { user, .. }
                | Request::Remove { user, .. }
                | Request::Swap { user, .. } => *user,
                Request::AssignAll { .. } => unreachable!("handled above"),
            };
            // Check every name before anything is read about the person.
            let skus = connection.skus().await?;
            let wanted = match &single {
                Request::SetLocation { country: c, .. } => WantedChange {
                    usage_location: Some(UsageLocationChange::Everyone(country(c)?)),
                    ..WantedChange::default()
                },
                Request::Assign {
                    sku: s, disable, ..
                } => {
                    let target = sku(s, &skus, names)?;
                    WantedChange {
                        add: vec![PlanToAdd {
                            sku_id: target.sku_id.clone(),
                            disabled_plans: service_plan_ids(target, disable)?,
                        }],
                        ..WantedChange::default()
                    }
                }
                Request::Wanted { wanted, .. } => wanted.clone(),
                Request::Remove { sku: s, .. } => WantedChange {
                    remove: vec![sku(s, &skus, names)?.sku_id.clone()],
                    ..WantedChange::default()
                },
                Request::Swap {
                    from,
                    to,
                    keep_disabled_plans,
                    ..
                } => {
                    let from = sku(from, &skus, names)?.sku_id.clone();
                    let to = sku(to, &skus, names)?.sku_id.clone();
                    if from.eq_ignore_ascii_case(&to) {
                        return Err(CliError::Usage("--from and --to name the same plan".into()));
                    }
                    WantedChange {
                        add: vec![PlanToAdd {
                            sku_id: to,
                            disabled_plans: vec![],
                        }],
                        remove: vec![from],
                        keep_disabled_plans: *keep_disabled_plans,
                        ..WantedChange::default()
                    }
                }
                Request::AssignAll { .. } => unreachable!("handled above"),
            };
            let person = connection.user(user_key).await?;
            (skus, vec![person], wanted, ShortfallPolicy::Nobody, false)
        }
    };

    let planned = plan(&people, &wanted, &skus, policy);
    let title = licensing::RunTitle::of_change(&wanted, &skus, names, people.len());
    if let Some(out) = out {
        crate::planfile::write(
            connection,
            out,
            &title.english(),
            policy,
            people
                .iter()
                .map(|u| (u.id.clone(), wanted.clone()))
                .collect(),
            &planned,
        )
        .await?;
    }
    carry_out_as(
        connection, &planned, &skus, &people, &title, None, dry_run, as_json,
    )
    .await
}

/// Friendly plan names of the tenant, by lower-case id, for the journal's reports.
pub async fn plan_names(connection: &Connection) -> Result<HashMap<String, String>, CliError> {
    Ok(connection
        .skus()
        .await?
        .iter()
        .map(|s| {
            (
                s.sku_id.to_ascii_lowercase(),
                connection
                    .names()
                    .display_name(&s.sku_id, &s.sku_part_number),
            )
        })
        .collect())
}

/// Shows a plan (`dry_run`) or applies it and shows the result, in text or JSON.
/// Exit: 0 when everything planned was done (or only shown), 1 when someone was blocked or a
/// change failed.
///
/// Applying goes through the journal (`runs::journaled`): `people` are everyone in the plan as
/// read (their state before), `what` says what the run is, `undoes` the run it reverses.
#[allow(clippy::too_many_arguments)]
pub async fn carry_out_as(
    connection: &Connection,
    planned: &licensing::Plan,
    skus: &[licensing::Sku],
    people: &[User],
    title: &licensing::RunTitle,
    undoes: Option<&str>,
    dry_run: bool,
    as_json: bool,
) -> Result<(), CliError> {
    carry_out_with(
        connection,
        planned,
        skus,
        people,
        title,
        undoes,
        dry_run,
        as_json,
        &serde_json::Map::new(),
    )
    .await
}

/// [`carry_out_as`], with more fields in the JSON answer (`reclaim`'s candidates): `extra`
/// must serialize as an object.
#[allow(clippy::too_many_arguments)]
pub async fn carry_out_with(
    connection: &Connection,
    planned: &licensing::Plan,
    skus: &[licensing::Sku],
    people: &[User],
    title: &licensing::RunTitle,
    undoes: Option<&str>,
    dry_run: bool,
    as_json: bool,
    extra: &impl Serialize,
) -> Result<(), CliError> {
    let names = connection.names();
    let (run_id, statuses) = if dry_run {
        (None, None)
    } else {
        let progress_shown = !as_json && planned.people.len() > 20;
        let (id, statuses) =
            crate::runs::journaled(connection, planned, people, title, undoes, progress_shown)
                .await?;
        (Some(id), Some(statuses))
    };

    let group_ids: Vec<String> = planned
        .people
        .iter()
        .filter_map(|p| match &p.reason {
            Some(
                Reason::FromGroup { group_id, .. }
                | Reason::AlreadyInGroup { group_id }
                | Reason::NotInGroup { group_id }
                | Reason::DynamicGroup { group_id },
            ) => Some(group_id.clone()),
            _ => None,
        })
        .collect();
    let group_names = connection.client().group_names(&group_ids).await;
    let mut report = Report::new(planned, statuses.as_deref(), skus, names, &group_names);
    report.run_id = run_id;
    if as_json {
        /// The report's fields and the caller's, in one object, written straight out.
        #[derive(Serialize)]
        struct WithExtra<'a, E: Serialize> {
            #[serde(flatten)]
            extra: &'a E,
            #[serde(flatten)]
            report: &'a Report,
        }
        print_json(&WithExtra {
            extra,
            report: &report,
        })?;
    } else {
        crate::output::print_text(&terminal_safe_lines(&report.text(dry_run)))?;
    }
    let all_done = report
        .changes
        .iter()
        .all(|c| c.status.as_deref().is_none_or(|s| s != "failed") && c.action != "blocked");
    if dry_run || all_done {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} of {} people could not be changed (see above)",
            report
                .changes
                .iter()
                .filter(|c| c.action == "blocked" || c.status.as_deref() == Some("failed"))
                .count(),
            report.changes.len()
        )))
    }
}

/// The plan as `--dry-run` prints it — the seat ledger and every person's change — for the
/// question before applying: a person answers it having seen what will happen, never only a
/// title (a plan file's title is the file's claim, and can say the opposite of what it does).
pub async fn plan_text(
    connection: &Connection,
    planned: &licensing::Plan,
    skus: &[licensing::Sku],
) -> String {
    let group_ids: Vec<String> = planned
        .people
        .iter()
        .filter_map(|p| match &p.reason {
            Some(
                Reason::FromGroup { group_id, .. }
                | Reason::AlreadyInGroup { group_id }
                | Reason::NotInGroup { group_id }
                | Reason::DynamicGroup { group_id },
            ) => Some(group_id.clone()),
            _ => None,
        })
        .collect();
    let group_names = connection.client().group_names(&group_ids).await;
    Report::new(planned, None, skus, connection.names(), &group_names).text(true)
}

/// What `assign-all --json` (and the single-person commands) print.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    /// The journal's id of the run (not for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    run_id: Option<String>,
    changes: Vec<ChangeLine>,
    seats: Vec<SeatLine>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeLine {
    user_principal_name: String,
    display_name: String,
    action: &'static str,
    set_usage_location: Option<String>,
    add: Vec<String>,
    remove: Vec<String>,
    reason: Option<String>,
    reason_code: Option<String>,
    /// License groups joined (a membership run), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    join_groups: Vec<String>,
    /// License groups left, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    leave_groups: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SeatLine {
    sku_part_number: String,
    display_name: String,
    free_before: u32,
    taken: u32,
    freed: u32,
    free_after: u32,
    shortfall: u32,
}

pub(crate) fn action_word(action: Action) -> &'static str {
    match action {
        Action::Add => "add",
        Action::Remove => "remove",
        Action::Swap => "swap",
        Action::Apps => "apps",
        Action::Membership => "membership",
        Action::None => "none",
        Action::Blocked => "blocked",
    }
}

fn reason_code(reason: &Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Report {
    fn new(
        plan: &licensing::Plan,
        statuses: Option<&[PersonStatus]>,
        skus: &[Sku],
        names: &ProductNames,
        group_names: &std::collections::HashMap<String, String>,
    ) -> Self {
        let part = |id: &str| {
            skus.iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(id))
                .map(|s| s.sku_part_number.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let name = |id: &str| names.display_name(id, &part(id));
        let changes = plan
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let status = statuses.and_then(|s| s.get(i));
                ChangeLine {
                    user_principal_name: p.user_principal_name.clone(),
                    display_name: p.display_name.clone(),
                    action: action_word(p.action),
                    set_usage_location: p.set_usage_location.clone(),
                    add: p.add.iter().map(|a| part(&a.sku_id)).collect(),
                    remove: p.remove.iter().map(|r| part(r)).collect(),
                    reason: p.reason.as_ref().map(|r| {
                        r.describe(name, |g| {
                            group_names
                                .get(g)
                                .map(|n| format!("“{n}”"))
                                .unwrap_or_else(|| g.to_string())
                        })
                    }),
                    reason_code: p.reason.as_ref().map(reason_code),
                    join_groups: p
                        .join_groups
                        .iter()
                        .map(|g| g.display_name.clone())
                        .collect(),
                    leave_groups: p
                        .leave_groups
                        .iter()
                        .map(|g| g.display_name.clone())
                        .collect(),
                    status: status.map(|s| s.label().to_string()),
                    error: match status {
                        Some(PersonStatus::Failed(e)) => Some(e.to_string()),
                        _ => None,
                    },
                }
            })
            .collect();
        let seats = plan
            .seats
            .iter()
            .map(|l| SeatLine {
                sku_part_number: l.sku_part_number.clone(),
                display_name: name(&l.sku_id),
                free_before: l.free_before,
                taken: l.taken,
                freed: l.freed,
                free_after: l.free_after,
                shortfall: l.shortfall,
            })
            .collect();
        Self {
            run_id: None,
            changes,
            seats,
        }
    }

    fn text(&self, dry_run: bool) -> String {
        let mut out = String::new();
        if dry_run {
            out.push_str("Nothing has changed yet: this is what would happen.\n\n");
        }
        for s in &self.seats {
            out.push_str(&format!(
                "{}: {} available now, {} after ({} given, {} freed){}\n",
                s.display_name,
                s.free_before,
                s.free_after,
                s.taken,
                s.freed,
                if s.shortfall > 0 {
                    format!(" — {} more needed", s.shortfall)
                } else {
                    String::new()
                }
            ));
        }
        if !self.seats.is_empty() {
            out.push('\n');
        }
        for c in &self.changes {
            let what = match c.action {
                "add" => format!("give {}", c.add.join(", ")),
                "remove" => format!("take away {}", c.remove.join(", ")),
                "swap" => format!("swap {} for {}", c.remove.join(", "), c.add.join(", ")),
                "apps" => format!("switch apps in {}", c.add.join(", ")),
                "membership" => c
                    .leave_groups
                    .iter()
                    .map(|g| format!("leave the group “{g}”"))
                    .chain(
                        c.join_groups
                            .iter()
                            .map(|g| format!("join the group “{g}”")),
                    )
                    .collect::<Vec<_>>()
                    .join(", then "),
                _ => String::new(),
            };
            let location = c
                .set_usage_location
                .as_ref()
                .map(|l| format!("set usage location {l}"));
            let steps: Vec<String> = location
                .into_iter()
                .chain((!what.is_empty()).then_some(what))
                .collect();
            let line = match (c.status.as_deref(), c.action) {
                (_, "blocked") => format!("not changed: {}", c.reason.clone().unwrap_or_default()),
                (Some("failed"), _) => format!(
                    "FAILED to {}: {}",
                    steps.join(", then "),
                    c.error.clone().unwrap_or_default()
                ),
                _ if steps.is_empty() => {
                    format!("nothing to do: {}", c.reason.clone().unwrap_or_default())
                }
                (Some("done"), _) => format!("done: {}", steps.join(", then ")),
                _ => format!("will {}", steps.join(", then ")),
            };
            out.push_str(&format!("{}  {line}\n", c.user_principal_name));
        }
        out
    }
}
