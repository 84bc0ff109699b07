//! The money side: `prices`, `costs`, `subscriptions`, `thresholds` and `check` (the command a
//! scheduler runs to hear about plans running out of seats and subscriptions ending).

use std::collections::BTreeMap;

use clap::Subcommand;
use licensing::money::{PriceList, Threshold, chargeback, costs, parse_price_file};
use licensing::renewals::{Commitment, renewals};
use licensing::{SkuSummary, resolve_sku};
use serde::Serialize;

use crate::CliError;
use crate::connection::{Connection, ConnectionArgs};
use crate::output::{print_json, print_text};

/// A price file larger than this is not a list of prices.
const MAX_PRICE_FILE: u64 = 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Read prices from a CSV file (a plan — part number or name — and a monthly price per
    /// seat, optionally a currency). A file with any bad line is refused whole, each bad line
    /// named, and the prices stay as they were.
    Import { file: std::path::PathBuf },
    /// Forget every price.
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum ThresholdsCommand {
    /// Flag a plan when its free seats fall under N, or under N % of its seats (`10%`).
    Set { sku: String, threshold: String },
    /// Stop flagging a plan.
    Remove { sku: String },
}

#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Say whether a subscription renews by itself or is committed (its warnings stop), or
    /// `none` to be warned again.
    Mark {
        /// The subscription's id.
        id: String,
        #[arg(value_enum)]
        mark: Mark,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Mark {
    AutoRenews,
    Committed,
    None,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum By {
    Department,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

fn money(cents: Option<i64>) -> Option<f64> {
    cents.map(|c| c as f64 / 100.0)
}

pub(crate) async fn tenant_and_kept(
    connection: &Connection,
) -> Result<(String, licensing::kept::KeptFile), CliError> {
    let (tenant_id, _) = connection.tenant().await?;
    Ok((tenant_id, crate::kept::load()?))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PriceLine {
    sku_part_number: String,
    monthly: f64,
    currency: Option<String>,
}

fn price_lines(prices: &PriceList) -> Vec<PriceLine> {
    prices
        .cents
        .iter()
        .map(|(part, cents)| PriceLine {
            sku_part_number: part.clone(),
            monthly: *cents as f64 / 100.0,
            currency: prices.currency.clone(),
        })
        .collect()
}

/// `prices`, `prices import FILE`, `prices clear`.
pub async fn prices(
    args: &ConnectionArgs,
    command: Option<&PricesCommand>,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let (tenant_id, mut file) = tenant_and_kept(&connection).await?;
    let mut kept = file.of(&tenant_id);
    match command {
        None => {}
        Some(PricesCommand::Clear) => {
            kept.prices = PriceList::default();
            file.set(&tenant_id, kept.clone());
            crate::kept::save(&file)?;
        }
        Some(PricesCommand::Import { file: path }) => {
            let bytes = crate::read_file(path, MAX_PRICE_FILE)?;
            let shown = path.display().to_string();
            let text = String::from_utf8(bytes).map_err(|_| {
                CliError::Usage(format!(
                    "{shown} is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8” (nothing was saved)"
                ))
            })?;
            let skus = connection.skus().await?;
            let names = connection.names();
            let read = parse_price_file(&text, &shown, |plan| {
                resolve_sku(plan, &skus, names)
                    .ok()
                    .map(|s| s.sku_part_number.to_ascii_uppercase())
            })
            .map_err(|e| CliError::Usage(e.to_string()))?;
            kept.prices = kept
                .prices
                .merged(&read)
                .map_err(|e| CliError::Usage(format!("{shown}: {e} (nothing was saved)")))?;
            file.set(&tenant_id, kept.clone());
            crate::kept::save(&file)?;
            if !as_json {
                say!("Saved {} prices from {shown}.\n", read.cents.len());
            }
        }
    }
    let lines = price_lines(&kept.prices);
    if as_json {
        return print_json(&lines);
    }
    let mut text = String::new();
    for l in &lines {
        text.push_str(&format!(
            "{}  {:.2} {}\n",
            l.sku_part_number,
            l.monthly,
            l.currency.as_deref().unwrap_or("")
        ));
    }
    if lines.is_empty() {
        text.push_str(
            "No prices yet: `licensedesk-cli prices import FILE` reads them from a CSV file.\n",
        );
    }
    print_text(&text)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CostLine {
    sku_part_number: String,
    display_name: String,
    assigned: u32,
    unassigned: u32,
    monthly_cost: Option<f64>,
    unassigned_cost: Option<f64>,
    currency: Option<String>,
}

/// `costs`: each plan with a price; `costs --by department`: the chargeback report.
pub async fn costs_command(
    args: &ConnectionArgs,
    by: Option<By>,
    format: TableFormat,
    out: Option<&std::path::Path>,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let (tenant_id, file) = tenant_and_kept(&connection).await?;
    let kept = file.of(&tenant_id);
    if let Some(By::Department) = by {
        let (skus, users) = connection.skus_and_users().await?;
        let plans = licensing::summarize_skus(&skus, connection.names());
        let lines = chargeback(&users, &plans, &kept.prices);
        let currency = kept.prices.currency.clone().unwrap_or_default();
        let headers = [
            "Department",
            "People",
            "Plan",
            "Part number",
            "Seats",
            "Monthly cost",
            "Currency",
        ];
        use journal::report::Cell;
        let rows: Vec<Vec<Cell>> = lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(
                        l.department
                            .clone()
                            .unwrap_or_else(|| "(no department)".into()),
                    ),
                    Cell::Count(u64::from(l.people)),
                    Cell::Text(
                        plans
                            .iter()
                            .find(|p| p.sku_id == l.sku_id)
                            .map(|p| p.display_name.clone())
                            .unwrap_or_default(),
                    ),
                    Cell::Text(l.sku_part_number.clone()),
                    Cell::Count(u64::from(l.seats)),
                    money(l.monthly_cents).map_or(Cell::Text(String::new()), Cell::Number),
                    Cell::Text(if l.monthly_cents.is_some() {
                        currency.clone()
                    } else {
                        String::new()
                    }),
                ]
            })
            .collect();
        let Some(out) = out else {
            if as_json {
                return print_json(&lines);
            }
            return Err(CliError::Usage(
                "costs --by department writes a report: add --out FILE (with --format csv or xlsx)"
                    .into(),
            ));
        };
        let bytes = match format {
            TableFormat::Csv => journal::report::table_to_csv(&headers, &rows, b','),
            TableFormat::Xlsx => journal::report::table_to_xlsx("Costs", &headers, &rows),
        }
        .map_err(|e| CliError::Failed(e.to_string()))?;
        safe_files::write_replacing(out, &bytes)
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", out.display())))?;
        say!(
            "Wrote the costs of {} departments to {}.\n",
            lines
                .iter()
                .map(|l| &l.department)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            out.display()
        );
        return Ok(());
    }
    let plans = connection.sku_summaries().await?;
    let lines: Vec<CostLine> = costs(&plans, &kept.prices)
        .into_iter()
        .filter(|c| c.monthly_cents.is_some())
        .map(|c| CostLine {
            display_name: plans
                .iter()
                .find(|p| p.sku_id == c.sku_id)
                .map(|p| p.display_name.clone())
                .unwrap_or_default(),
            sku_part_number: c.sku_part_number,
            assigned: c.assigned,
            unassigned: c.unassigned,
            monthly_cost: money(c.monthly_cents),
            unassigned_cost: money(c.unassigned_cents),
            currency: kept.prices.currency.clone(),
        })
        .collect();
    if as_json {
        return print_json(&lines);
    }
    let mut text = String::new();
    for l in &lines {
        text.push_str(&format!(
            "{}: {:.2} {cur} a month; {} seats not given cost {:.2} {cur}\n",
            l.display_name,
            l.monthly_cost.unwrap_or(0.0),
            l.unassigned,
            l.unassigned_cost.unwrap_or(0.0),
            cur = l.currency.as_deref().unwrap_or("")
        ));
    }
    if lines.is_empty() {
        text.push_str("No plan has a price: `licensedesk-cli prices import FILE` first.\n");
    }
    print_text(&text)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionLine {
    id: String,
    sku_id: String,
    sku_part_number: String,
    status: String,
    total_licenses: u32,
    is_trial: bool,
    created_date_time: Option<String>,
    next_lifecycle_date_time: Option<String>,
    days_left: Option<i64>,
    unassigned: u32,
    unassigned_cost: Option<f64>,
    short_if_it_ends: u32,
    mark: Option<Commitment>,
    warn: bool,
}

fn iso(secs: Option<i64>) -> Option<String> {
    secs.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

async fn subscription_lines(
    connection: &Connection,
    kept: &licensing::kept::Kept,
    plans: &[SkuSummary],
    within_days: u32,
) -> Result<Vec<SubscriptionLine>, CliError> {
    let subs: Vec<_> = connection
        .client()
        .subscriptions()
        .await?
        .iter()
        .filter_map(|s| s.to_domain())
        .collect();
    let now = chrono::Utc::now().timestamp();
    Ok(renewals(
        &subs,
        plans,
        &kept.prices,
        &kept.commitments,
        now,
        within_days,
    )
    .into_iter()
    .map(|r| SubscriptionLine {
        id: r.subscription.id,
        sku_id: r.subscription.sku_id,
        sku_part_number: r.subscription.sku_part_number,
        status: r.subscription.status,
        total_licenses: r.subscription.total_licenses,
        is_trial: r.subscription.is_trial,
        created_date_time: iso(r.subscription.created),
        next_lifecycle_date_time: iso(r.subscription.next_lifecycle),
        days_left: r.days_left,
        unassigned: r.unassigned,
        unassigned_cost: money(r.unassigned_cents),
        short_if_it_ends: r.short_if_it_ends,
        mark: r.commitment,
        warn: r.warn,
    })
    .collect())
}

/// `subscriptions [--within N]`, `subscriptions mark ID auto-renews|committed|none`.
pub async fn subscriptions(
    args: &ConnectionArgs,
    command: Option<&SubscriptionsCommand>,
    within_days: u32,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let (tenant_id, mut file) = tenant_and_kept(&connection).await?;
    let mut kept = file.of(&tenant_id);
    let plans = connection.sku_summaries().await?;
    if let Some(SubscriptionsCommand::Mark { id, mark }) = command {
        let lines = subscription_lines(&connection, &kept, &plans, within_days).await?;
        if !lines.iter().any(|l| l.id.eq_ignore_ascii_case(id)) {
            return Err(CliError::Usage(format!(
                "no subscription '{id}' in this tenant: `licensedesk-cli subscriptions` lists them"
            )));
        }
        match mark {
            Mark::AutoRenews => kept
                .commitments
                .insert(id.to_ascii_lowercase(), Commitment::AutoRenews),
            Mark::Committed => kept
                .commitments
                .insert(id.to_ascii_lowercase(), Commitment::Committed),
            Mark::None => kept.commitments.remove(&id.to_ascii_lowercase()),
        };
        file.set(&tenant_id, kept.clone());
        crate::kept::save(&file)?;
    }
    let lines = subscription_lines(&connection, &kept, &plans, within_days).await?;
    if as_json {
        return print_json(&lines);
    }
    let mut text = String::new();
    for l in &lines {
        let when = match l.days_left {
            Some(d) if d < 0 => format!("its date passed {} days ago", -d),
            Some(d) => format!("next date in {d} days"),
            None => "no next date".into(),
        };
        text.push_str(&format!(
            "{}  {}  {}{}  {} seats  {when}{}{}\n",
            l.id,
            l.sku_part_number,
            l.status,
            if l.is_trial { " (trial)" } else { "" },
            l.total_licenses,
            match l.mark {
                Some(Commitment::AutoRenews) => "  renews by itself",
                Some(Commitment::Committed) => "  committed",
                None => "",
            },
            if l.short_if_it_ends > 0 {
                format!(
                    "  — if it ends, {} people lose their seat",
                    l.short_if_it_ends
                )
            } else {
                String::new()
            }
        ));
    }
    print_text(&text)
}

/// `thresholds`, `thresholds set SKU N|N%`, `thresholds remove SKU`.
pub async fn thresholds(
    args: &ConnectionArgs,
    command: Option<&ThresholdsCommand>,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let (tenant_id, mut file) = tenant_and_kept(&connection).await?;
    let mut kept = file.of(&tenant_id);
    if let Some(command) = command {
        let skus = connection.skus().await?;
        let names = connection.names();
        match command {
            ThresholdsCommand::Set { sku, threshold } => {
                let plan = crate::operations::sku(sku, &skus, names)?;
                let t = Threshold::parse(threshold).map_err(CliError::Usage)?;
                kept.thresholds
                    .insert(plan.sku_part_number.to_ascii_uppercase(), t);
            }
            ThresholdsCommand::Remove { sku } => {
                let plan = crate::operations::sku(sku, &skus, names)?;
                kept.thresholds
                    .remove(&plan.sku_part_number.to_ascii_uppercase());
            }
        }
        file.set(&tenant_id, kept.clone());
        crate::kept::save(&file)?;
    }
    let list: BTreeMap<String, String> = kept
        .thresholds
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    if as_json {
        return print_json(&list);
    }
    let mut text = String::new();
    for (part, t) in &list {
        text.push_str(&format!("{part}: flagged under {t} free\n"));
    }
    if list.is_empty() {
        text.push_str("No thresholds: `licensedesk-cli thresholds set SKU 5` (or 10%).\n");
    }
    print_text(&text)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnderThreshold {
    sku_part_number: String,
    display_name: String,
    free: u32,
    threshold: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckReport {
    plans: Vec<UnderThreshold>,
    subscriptions: Vec<SubscriptionLine>,
}

/// `check [--within N]`: exit 1 when a plan is under its threshold or a subscription not
/// marked as renewing or committed reaches its next date within N days; 0 otherwise.
pub async fn check(args: &ConnectionArgs, within_days: u32, as_json: bool) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let (tenant_id, file) = tenant_and_kept(&connection).await?;
    let kept = file.of(&tenant_id);
    let plans = connection.sku_summaries().await?;
    let under: Vec<UnderThreshold> = plans
        .iter()
        .filter_map(|p| {
            let t = kept
                .thresholds
                .get(&p.sku_part_number.to_ascii_uppercase())?;
            t.crossed(p).then(|| UnderThreshold {
                sku_part_number: p.sku_part_number.clone(),
                display_name: p.display_name.clone(),
                free: p.free,
                threshold: t.to_string(),
            })
        })
        .collect();
    let ending: Vec<SubscriptionLine> = subscription_lines(&connection, &kept, &plans, within_days)
        .await?
        .into_iter()
        .filter(|l| l.warn)
        .collect();
    let report = CheckReport {
        plans: under,
        subscriptions: ending,
    };
    let alarm = !report.plans.is_empty() || !report.subscriptions.is_empty();
    if as_json {
        print_json(&report)?;
    } else {
        let mut text = String::new();
        for p in &report.plans {
            text.push_str(&format!(
                "{}: {} free, under its threshold of {}\n",
                p.display_name, p.free, p.threshold
            ));
        }
        for s in &report.subscriptions {
            text.push_str(&format!(
                "{} ({}): {} in {} days{}\n",
                s.sku_part_number,
                s.id,
                if s.is_trial {
                    "the trial ends"
                } else {
                    "renews or ends"
                },
                s.days_left.unwrap_or(0),
                if s.short_if_it_ends > 0 {
                    format!(
                        "; if it ends, {} people lose their seat",
                        s.short_if_it_ends
                    )
                } else {
                    String::new()
                }
            ));
        }
        if !alarm {
            text.push_str(&format!(
                "All clear: no plan under its threshold, nothing ends within {within_days} days.\n"
            ));
        }
        print_text(&text)?;
    }
    if alarm {
        Err(CliError::Failed(format!(
            "{} plans under their threshold, {} subscriptions ending within {within_days} days",
            report.plans.len(),
            report.subscriptions.len()
        )))
    } else {
        Ok(())
    }
}
