//! `reclaim`: licenses that look wasted (disabled, inactive, never signed in, redundant), planned
//! and applied like every other change: the same seat ledger, journal, undo and plan files.

use std::collections::HashMap;

use clap::Args;
use licensing::reclaim::{Candidate, Rules, WasteReason, removals};
use licensing::{ShortfallPolicy, plan_each};
use serde::Serialize;

use crate::CliError;
use crate::connection::{Connection, ConnectionArgs};

/// The days of *inactive* and *never signed in* when none are given.
pub const DEFAULT_DAYS: u32 = 90;

#[derive(Debug, Args)]
pub struct ReclaimArgs {
    /// People whose account is disabled.
    #[arg(long)]
    disabled: bool,
    /// People with no successful sign-in for N days (people created less than N days ago are
    /// left out).
    #[arg(long, value_name = "N")]
    inactive_days: Option<u32>,
    /// People created more than N days ago (--inactive-days, else 90) who never signed in.
    #[arg(long)]
    never_signed_in: bool,
    /// Where sign-in activity cannot be read (no Microsoft Entra ID P1/P2, or no
    /// AuditLog.Read.All): list as never signed in everyone created more than N days ago. The
    /// creation date is all there is then, so check each person before taking licenses away.
    #[arg(long)]
    guess_never_signed_in: bool,
    /// Plans another plan the person holds already covers.
    #[arg(long)]
    redundant: bool,
    /// Only licenses of this plan (SKU id, part number or name).
    #[arg(long, value_name = "SKU")]
    sku: Option<String>,
    /// Only people of this department.
    #[arg(long, value_name = "D")]
    department: Option<String>,
    /// Never propose this person (user principal name); repeat for more. People excluded in
    /// the app are left out too.
    #[arg(long = "exclude", value_name = "UPN")]
    exclude: Vec<String>,
    /// Show what would change without changing anything.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long)]
    yes: bool,
    /// Write the plan to this file for another administrator to approve and apply; nothing is
    /// changed.
    #[arg(long, value_name = "PLAN.json")]
    out: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateLine {
    user_principal_name: String,
    display_name: String,
    sku_part_number: String,
    reason: WasteReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    because: Option<WasteReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    covered_by: Option<String>,
    last_sign_in: Option<String>,
    monthly_cost: Option<f64>,
}

fn iso(secs: Option<i64>) -> Option<String> {
    secs.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn reason_words(reason: WasteReason) -> &'static str {
    match reason {
        WasteReason::Disabled => "account disabled",
        WasteReason::Inactive => "inactive",
        WasteReason::NeverSignedIn => "never signed in",
        WasteReason::Redundant => "covered by another plan",
        WasteReason::FromGroup => "from a group",
    }
}

pub async fn reclaim(
    args: &ConnectionArgs,
    r: &ReclaimArgs,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let names = connection.names();
    let started = std::time::Instant::now();
    // The plans and the tenant's id (for what is kept about it) first: judging people needs
    // both, and each is one quick answer.
    let (skus, (tenant_id, _)) = tokio::try_join!(connection.skus(), connection.tenant())?;
    let kept = crate::kept::load()?.of(&tenant_id);

    // Guessing is a way of finding the never-signed-in, not a reason of its own: alone, it
    // leaves every reason on.
    let any_reason = r.disabled || r.inactive_days.is_some() || r.never_signed_in || r.redundant;
    let never_signed_in = r.never_signed_in || r.guess_never_signed_in;
    let days = r.inactive_days.unwrap_or(DEFAULT_DAYS);
    let (mut excluded_people, excluded_groups) = kept.excluded();
    excluded_people.extend(r.exclude.iter().map(|u| u.to_ascii_lowercase()));
    let sku = r
        .sku
        .as_deref()
        .map(|s| crate::operations::sku(s, &skus, names).map(|s| s.sku_id.clone()))
        .transpose()?;
    let rules = Rules {
        disabled: !any_reason || r.disabled,
        inactive: !any_reason || r.inactive_days.is_some(),
        never_signed_in: !any_reason || never_signed_in,
        redundant: !any_reason || r.redundant,
        days,
        now: chrono::Utc::now().timestamp(),
        sign_ins_known: true,
        guess_from_age: r.guess_never_signed_in,
        excluded_people,
        excluded_groups,
        sku,
        department: r.department.clone(),
    };
    let reclaim_scan::Scan {
        people,
        candidates,
        sign_ins_unavailable: unavailable,
    } = reclaim_scan::scan(connection.client(), &skus, rules.clone()).await?;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "read and judged");

    let part = |id: &str| {
        skus.iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(id))
            .map(|s| s.sku_part_number.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let group_ids: Vec<String> = candidates
        .iter()
        .filter_map(|c| c.group_id.clone())
        .collect();
    let group_names = connection.client().group_names(&group_ids).await;
    let lines: Vec<CandidateLine> = candidates
        .iter()
        .map(|c: &Candidate| CandidateLine {
            user_principal_name: c.user_principal_name.clone(),
            display_name: c.display_name.clone(),
            sku_part_number: part(&c.sku_id),
            reason: c.reason,
            because: c.because,
            group: c
                .group_id
                .as_ref()
                .map(|g| group_names.get(g).cloned().unwrap_or_else(|| g.clone())),
            covered_by: c.covered_by.as_deref().map(part),
            last_sign_in: iso(c.last_sign_in),
            monthly_cost: kept
                .prices
                .of(&part(&c.sku_id))
                .map(|cents| cents as f64 / 100.0),
        })
        .collect();

    let sign_ins_why = unavailable.map(|why| match why {
        graph::SignInsUnavailable::NoPremium => "the tenant has no Microsoft Entra ID P1 or P2, which Microsoft needs for sign-in activity: inactive and never-signed-in people cannot be found (disabled and redundant still are)",
        graph::SignInsUnavailable::NoPermission => "this sign-in lacks the AuditLog.Read.All permission: an administrator must grant it (admin consent) to find inactive and never-signed-in people (disabled and redundant still are)",
    });
    // What *never signed in* was judged from: the sign-ins, the creation date alone (asked
    // for, without sign-in data), or nothing (not looked for).
    let never_signed_in_from = match (sign_ins_why, rules.never_signed_in) {
        (_, false) => None,
        (None, true) => Some("signIns"),
        (Some(_), true) if rules.guess_from_age => Some("creationDate"),
        (Some(_), true) => None,
    };
    if !as_json {
        say!(
            "{}",
            candidates_text(
                &lines,
                sign_ins_why,
                never_signed_in_from == Some("creationDate"),
                days,
                kept.prices.currency.as_deref()
            )
        );
    }

    // Each person's removals, planned together so the seat ledger adds them up.
    let wanted = removals(&candidates);
    let by_id: HashMap<&str, &licensing::User> =
        people.iter().map(|(u, _)| (u.id.as_str(), u)).collect();
    let requests: Vec<(&licensing::User, &licensing::WantedChange)> = wanted
        .iter()
        .filter_map(|(id, change)| by_id.get(id.as_str()).map(|u| (*u, change)))
        .collect();
    let planned = plan_each(&requests, &skus, ShortfallPolicy::Nobody);
    tracing::debug!(
        changes = planned.people.len(),
        seconds = started.elapsed().as_secs_f64(),
        "planned"
    );
    let chosen: Vec<licensing::User> = requests.iter().map(|(u, _)| (*u).clone()).collect();
    let mut taken: Vec<String> = Vec::new();
    for (_, change) in &wanted {
        for id in &change.remove {
            let name = names.display_name(id, &part(id));
            if !taken.contains(&name) {
                taken.push(name);
            }
        }
    }
    let title = licensing::RunTitle::Change {
        give: vec![],
        take: taken,
        apps: vec![],
        location: None,
        people: u32::try_from(chosen.len()).unwrap_or(u32::MAX),
    };

    /// What `reclaim --json` adds to `assign-all`'s answer.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Found<'a> {
        candidates: &'a [CandidateLine],
        sign_in_activity: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        sign_in_activity_why: Option<&'static str>,
        /// `signIns`, `creationDate` (guessed from the account's age) or null.
        never_signed_in_from: Option<&'static str>,
    }
    let extra = Found {
        candidates: &lines,
        sign_in_activity: if sign_ins_why.is_some() {
            "unavailable"
        } else {
            "available"
        },
        sign_in_activity_why: sign_ins_why,
        never_signed_in_from,
    };

    if let Some(out) = &r.out {
        crate::planfile::write(
            &connection,
            out,
            &title.english(),
            ShortfallPolicy::Nobody,
            wanted.clone(),
            &planned,
        )
        .await?;
    }
    let dry_run = r.dry_run || r.out.is_some() || wanted.is_empty();
    if !dry_run && !r.yes {
        say!(
            "{}",
            crate::operations::plan_text(&connection, &planned, &skus).await
        );
        let n = planned
            .people
            .iter()
            .filter(|p| journal::sends_anything(p))
            .count();
        crate::import::confirm(&format!(
            "Take back these licenses from {n} {}?",
            if n == 1 { "person" } else { "people" }
        ))?;
    }
    crate::operations::carry_out_with(
        &connection,
        &planned,
        &skus,
        &chosen,
        &title,
        None,
        dry_run,
        as_json,
        &extra,
    )
    .await
}

fn candidates_text(
    lines: &[CandidateLine],
    sign_ins_why: Option<&str>,
    guessed_from_age: bool,
    days: u32,
    currency: Option<&str>,
) -> String {
    let mut out = String::new();
    if let Some(why) = sign_ins_why {
        out.push_str(&format!("Sign-in activity is unavailable: {why}.\n"));
        if guessed_from_age {
            out.push_str(&format!(
                "Never signed in is guessed from the creation date alone: everyone created more than {days} days ago is listed, whether they sign in or not. Check each person before taking licenses away.\n"
            ));
        }
        out.push('\n');
    }
    if lines.is_empty() {
        out.push_str("No license looks wasted.\n");
        return out;
    }
    out.push_str(&format!(
        "{} licenses look wasted (inactive: no sign-in for {days} days):\n",
        lines.len()
    ));
    for l in lines {
        let why = match (l.reason, &l.group, &l.covered_by) {
            (WasteReason::FromGroup, Some(g), _) => format!(
                "{} — from group {g}: remove them from the group to free it",
                l.because.map_or("", reason_words)
            ),
            (WasteReason::Redundant, _, Some(by)) => format!("covered by {by}"),
            (reason, _, _) => reason_words(reason).to_string(),
        };
        let last = l
            .last_sign_in
            .as_deref()
            .map(|d| format!(", last sign-in {}", &d[..10.min(d.len())]))
            .unwrap_or_default();
        let cost = l
            .monthly_cost
            .map(|c| format!(", {c:.2} {}/month", currency.unwrap_or("")))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {}  {}: {why}{last}{cost}\n",
            l.user_principal_name, l.sku_part_number
        ));
    }
    out.push('\n');
    out
}

#[derive(Debug, clap::Subcommand)]
pub enum ExclusionsCommand {
    /// Never propose this person (user principal name or id), or with `--group` everyone in
    /// this group (its id, or the name of a group that gives licenses). Said again, the reason
    /// is replaced.
    Add {
        who: String,
        /// Why ("service account", "on parental leave until June").
        #[arg(long)]
        reason: String,
        #[arg(long)]
        group: bool,
    },
    /// Propose them again (the user principal name or the group's id, as listed).
    Remove { key: String },
}

/// Lists, adds to or removes from what `reclaim` leaves out. Who is added must exist in the
/// tenant: a typing error would otherwise leave nobody out without a word.
pub async fn exclusions(
    args: &ConnectionArgs,
    command: Option<&ExclusionsCommand>,
    as_json: bool,
) -> Result<(), CliError> {
    use licensing::kept::{Exclusion, ExclusionKind};
    let connection = Connection::open(args).await?;
    let (tenant_id, mut file) = crate::money::tenant_and_kept(&connection).await?;
    let mut kept = file.of(&tenant_id);
    match command {
        None => {}
        Some(ExclusionsCommand::Add { who, reason, group }) => {
            if who.trim().is_empty() || who.len() > 256 || reason.len() > 500 {
                return Err(CliError::Usage(
                    "Say who to leave out (at most 256 characters) and why (at most 500).".into(),
                ));
            }
            let not_found = |e: &graph::GraphError| {
                matches!(e.kind(), Some(graph::GraphErrorKind::NotFound))
                    || matches!(e, graph::GraphError::Api { status: 400, .. })
            };
            let exclusion = if *group {
                let found = match connection.client().group(who).await {
                    Ok(g) => Some(g),
                    Err(e) if not_found(&e) => connection
                        .client()
                        .license_groups()
                        .await?
                        .into_iter()
                        .find(|g| {
                            g.display_name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(who.trim()))
                        }),
                    Err(e) => return Err(e.into()),
                };
                let g = found.ok_or_else(|| {
                    CliError::Usage(format!(
                        "No group \"{who}\" in this tenant: give its id (Entra admin center → Groups), or the name of a group that gives licenses (`licensedesk-cli groups`)."
                    ))
                })?;
                Exclusion {
                    kind: ExclusionKind::Group,
                    name: g.display_name.clone().unwrap_or_else(|| g.id.clone()),
                    key: g.id,
                    reason: reason.trim().to_string(),
                }
            } else {
                let u = match connection.client().user(who.trim()).await {
                    Ok(u) => u,
                    Err(e) if not_found(&e) => {
                        return Err(CliError::Usage(format!(
                            "No one is called \"{who}\" in this tenant: give their user principal name (name@domain)."
                        )));
                    }
                    Err(e) => return Err(e.into()),
                };
                let upn = u
                    .user_principal_name
                    .clone()
                    .unwrap_or_else(|| u.id.clone());
                Exclusion {
                    kind: ExclusionKind::Person,
                    name: u.display_name.clone().unwrap_or_else(|| upn.clone()),
                    key: upn,
                    reason: reason.trim().to_string(),
                }
            };
            kept.exclusions
                .retain(|e| !e.key.eq_ignore_ascii_case(&exclusion.key));
            kept.exclusions.push(exclusion);
        }
        Some(ExclusionsCommand::Remove { key }) => {
            let before = kept.exclusions.len();
            kept.exclusions
                .retain(|e| !e.key.eq_ignore_ascii_case(key.trim()));
            if kept.exclusions.len() == before {
                return Err(CliError::Usage(format!(
                    "\"{key}\" is not left out: `licensedesk-cli exclusions` lists who is."
                )));
            }
        }
    }
    if command.is_some() {
        file.set(&tenant_id, kept.clone());
        crate::kept::save(&file)?;
    }
    if as_json {
        return crate::output::print_json(&kept.exclusions);
    }
    let mut text = String::new();
    for e in &kept.exclusions {
        let kind = match e.kind {
            ExclusionKind::Person => "person",
            ExclusionKind::Group => "group",
        };
        text.push_str(&format!("{} ({kind}, {})", e.name, e.key));
        if !e.reason.is_empty() {
            text.push_str(&format!(" — {}", e.reason));
        }
        text.push('\n');
    }
    if kept.exclusions.is_empty() {
        text.push_str("Nobody is left out: `licensedesk-cli exclusions add UPN --reason WHY`.\n");
    }
    crate::output::print_text(&text)
}
