//! The money side in the app: prices (typed on the Plans page or imported from a file), seat
//! thresholds, renewal marks and reclaim exclusions, kept per tenant in `kept.json` in the
//! app's data folder (licensing::kept); plan costs, renewals and the chargeback report.

use std::sync::Mutex;

use licensing::kept::{Exclusion, FILE_NAME, Kept, KeptFile, MAX_BYTES};
use licensing::money::{PlanCost, Threshold, chargeback, costs, parse_price_file};
use licensing::renewals::{Commitment, Renewal, renewals};
use licensing::{resolve_sku, summarize_skus};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::tenant::TenantState;

/// Serialises reads and writes of the kept file within the app.
#[derive(Default)]
pub struct KeptStore(Mutex<()>);

fn path<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf, CommandError> {
    app.path()
        .app_data_dir()
        .map(|d| d.join(FILE_NAME))
        .map_err(|e| {
            CommandError::new(
                "kept.folder",
                "The app's data folder cannot be found.",
                Some(e.to_string()),
            )
        })
}

fn load<R: Runtime>(app: &AppHandle<R>) -> Result<KeptFile, CommandError> {
    let path = path(app)?;
    match safe_files::read_at_most(&path, MAX_BYTES) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            KeptFile::parse(&text, &path.display().to_string()).map_err(|message| {
                CommandError::new("kept.broken", message, None).with("file", path.display())
            })
        }
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(KeptFile::default())
        }
        Err(e) => Err(CommandError::new(
            "kept.broken",
            format!("{} cannot be read: {e}", path.display()),
            None,
        )
        .with("file", path.display())),
    }
}

fn save<R: Runtime>(app: &AppHandle<R>, file: &KeptFile) -> Result<(), CommandError> {
    let path = path(app)?;
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    safe_files::write_replacing(&path, file.to_text().as_bytes()).map_err(|e| {
        CommandError::new(
            "kept.write",
            format!(
                "{} cannot be written: {e}. Nothing was saved.",
                path.display()
            ),
            None,
        )
        .with("file", path.display())
    })
}

/// What is kept about the tenant the app is on.
pub async fn current<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
) -> Result<(String, Kept), CommandError> {
    let tenant = state.connection().await?.info.tenant_id.clone();
    let kept = load(app)?.of(&tenant);
    Ok((tenant, kept))
}

/// Changes what is kept about the current tenant, all or nothing.
async fn change<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
    store: &KeptStore,
    edit: impl FnOnce(&mut Kept) -> Result<(), CommandError>,
) -> Result<Kept, CommandError> {
    let tenant = state.connection().await?.info.tenant_id.clone();
    let _held = store
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut file = load(app)?;
    let mut kept = file.of(&tenant);
    edit(&mut kept)?;
    file.set(&tenant, kept.clone());
    save(app, &file)?;
    Ok(kept)
}

#[tauri::command]
pub async fn kept(app: AppHandle, state: State<'_, TenantState>) -> Result<Kept, CommandError> {
    Ok(current(&app, &state).await?.1)
}

/// Sets (or, with `None`, forgets) one plan's monthly price per seat in cents. The currency is
/// the one the prices are kept in (EUR when there are none yet and none is given).
#[tauri::command]
pub async fn set_price(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    sku_part_number: String,
    cents: Option<i64>,
    currency: Option<String>,
) -> Result<Kept, CommandError> {
    if cents.is_some_and(|c| !(0..=10_000_000).contains(&c)) {
        return Err(CommandError::new(
            "price.range",
            "A price is between 0 and 100,000 a month.",
            None,
        ));
    }
    if let Some(code) = &currency
        && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(CommandError::new(
            "price.currency",
            "A currency is a three-letter code such as EUR.",
            None,
        ));
    }
    let part = sku_part_number.to_ascii_uppercase();
    change(&app, &state, &store, |kept| {
        match cents {
            Some(c) => {
                kept.prices.cents.insert(part, c);
            }
            None => {
                kept.prices.cents.remove(&part);
            }
        }
        if currency.is_some() {
            kept.prices.currency = currency;
        } else if kept.prices.currency.is_none() {
            kept.prices.currency = Some("EUR".into());
        }
        Ok(())
    })
    .await
}

/// Reads prices from a file the person picks (the dialog is Rust's); a file with any bad line
/// is refused whole, each bad line in the error's details, and nothing is saved. `None`: the
/// person cancelled.
#[tauri::command]
pub async fn import_prices(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    language: Option<String>,
) -> Result<Option<Kept>, CommandError> {
    let filter = crate::commands::filter_name("prices", language.as_deref().unwrap_or("en"));
    let Some(path) = crate::commands::pick_with_dialog(&app, filter, &["csv", "txt"]).await? else {
        return Ok(None);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = safe_files::read_at_most(&path, 1024 * 1024).map_err(|e| {
        CommandError::new("price.file", format!("{name} cannot be read: {e}"), None)
            .with("file", &name)
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CommandError::new(
            "price.encoding",
            format!("{name} is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”. Nothing was saved."),
            None,
        )
        .with("file", &name)
    })?;
    let connection = state.connection().await?;
    let skus: Vec<licensing::Sku> = connection.client.plans().await?;
    let names = crate::product_names::current();
    let read = parse_price_file(&text, &name, |plan| {
        resolve_sku(plan, &skus, &names)
            .ok()
            .map(|s| s.sku_part_number.to_ascii_uppercase())
    })
    .map_err(|e| {
        let mut lines = e.to_string();
        lines = lines
            .split_once('\n')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default();
        CommandError::new(
            "price.refused",
            format!("{name} was not read: nothing was saved and the prices stay as they were."),
            Some(lines),
        )
        .with("file", &name)
    })?;
    let kept = change(&app, &state, &store, |kept| {
        kept.prices = kept.prices.merged(&read).map_err(|message| {
            CommandError::new(
                "price.currencies",
                format!("{name}: {message}. Nothing was saved."),
                None,
            )
            .with("file", &name)
        })?;
        Ok(())
    })
    .await?;
    Ok(Some(kept))
}

/// Sets (or, with `None`, removes) a plan's free-seat threshold.
#[tauri::command]
pub async fn set_threshold(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    sku_part_number: String,
    threshold: Option<String>,
) -> Result<Kept, CommandError> {
    let parsed = threshold
        .as_deref()
        .map(Threshold::parse)
        .transpose()
        .map_err(|message| CommandError::new("threshold.bad", message, None))?;
    let part = sku_part_number.to_ascii_uppercase();
    change(&app, &state, &store, |kept| {
        match parsed {
            Some(t) => {
                kept.thresholds.insert(part, t);
            }
            None => {
                kept.thresholds.remove(&part);
            }
        }
        Ok(())
    })
    .await
}

/// Marks a subscription as renewing by itself or committed (`None`: warn again).
#[tauri::command]
pub async fn set_commitment(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    subscription_id: String,
    commitment: Option<Commitment>,
) -> Result<Kept, CommandError> {
    let id = subscription_id.to_ascii_lowercase();
    change(&app, &state, &store, |kept| {
        match commitment {
            Some(c) => {
                kept.commitments.insert(id, c);
            }
            None => {
                kept.commitments.remove(&id);
            }
        }
        Ok(())
    })
    .await
}

/// Adds someone (or a group's people) to those never proposed on the Reclaim page.
#[tauri::command]
pub async fn exclude(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    exclusion: Exclusion,
) -> Result<Kept, CommandError> {
    if exclusion.key.trim().is_empty() || exclusion.key.len() > 256 || exclusion.reason.len() > 500
    {
        return Err(CommandError::new(
            "exclude.bad",
            "Say who to leave out (at most 256 characters) and why (at most 500).",
            None,
        ));
    }
    change(&app, &state, &store, |kept| {
        kept.exclusions
            .retain(|e| !e.key.eq_ignore_ascii_case(&exclusion.key));
        kept.exclusions.push(exclusion);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn unexclude(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, KeptStore>,
    key: String,
) -> Result<Kept, CommandError> {
    change(&app, &state, &store, |kept| {
        kept.exclusions
            .retain(|e| !e.key.eq_ignore_ascii_case(&key));
        Ok(())
    })
    .await
}

/// Each plan's cost with the prices kept.
#[tauri::command]
pub async fn plan_costs(
    app: AppHandle,
    state: State<'_, TenantState>,
) -> Result<Vec<PlanCost>, CommandError> {
    let (_, kept) = current(&app, &state).await?;
    let connection = state.connection().await?;
    let skus: Vec<licensing::Sku> = connection.client.plans().await?;
    Ok(costs(
        &summarize_skus(&skus, &crate::product_names::current()),
        &kept.prices,
    ))
}

/// Every subscription with its renewal facts; `within_days` is the warning window.
#[tauri::command]
pub async fn renewals_view(
    app: AppHandle,
    state: State<'_, TenantState>,
    within_days: u32,
) -> Result<Vec<Renewal>, CommandError> {
    let (_, kept) = current(&app, &state).await?;
    let connection = state.connection().await?;
    let (skus, subs) =
        tokio::try_join!(connection.client.plans(), connection.client.subscriptions())?;
    let subs: Vec<_> = subs.iter().filter_map(|s| s.to_domain()).collect();
    let plans = summarize_skus(&skus, &crate::product_names::current());
    Ok(renewals(
        &subs,
        &plans,
        &kept.prices,
        &kept.commitments,
        chrono::Utc::now().timestamp(),
        within_days.min(3650),
    ))
}

/// Where the chargeback report was saved.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedReport {
    pub path: String,
    pub departments: u32,
}

/// The chargeback report (a line per department and plan: people, seats, monthly cost) as
/// CSV or Excel, where the person chooses; `None` when they cancelled.
#[tauri::command]
pub async fn save_chargeback(
    app: AppHandle,
    state: State<'_, TenantState>,
    excel: bool,
    language: String,
) -> Result<Option<SavedReport>, CommandError> {
    use journal::report::Cell;
    let (_, kept) = current(&app, &state).await?;
    let connection = state.connection().await?;
    let skus: Vec<licensing::Sku> = connection.client.plans().await?;
    let mut people = Vec::new();
    connection
        .client
        .users_by_page(|page| people.extend(page.iter().map(|u| u.to_domain())))
        .await?;
    let plans = summarize_skus(&skus, &crate::product_names::current());
    let lines = chargeback(&people, &plans, &kept.prices);
    let dutch = language.to_ascii_lowercase().starts_with("nl");
    let headers: [&str; 7] = if dutch {
        [
            "Afdeling",
            "Mensen",
            "Abonnement",
            "Onderdeelnummer",
            "Licenties",
            "Kosten per maand",
            "Valuta",
        ]
    } else {
        [
            "Department",
            "People",
            "Plan",
            "Part number",
            "Seats",
            "Monthly cost",
            "Currency",
        ]
    };
    let currency = kept.prices.currency.clone().unwrap_or_default();
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.department.clone().unwrap_or_else(|| {
                    if dutch {
                        "(geen afdeling)"
                    } else {
                        "(no department)"
                    }
                    .into()
                })),
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
                l.monthly_cents.map_or(Cell::Text(String::new()), |c| {
                    Cell::Number(c as f64 / 100.0)
                }),
                Cell::Text(if l.monthly_cents.is_some() {
                    currency.clone()
                } else {
                    String::new()
                }),
            ]
        })
        .collect();
    let (bytes, ext) = if excel {
        (
            journal::report::table_to_xlsx(if dutch { "Kosten" } else { "Costs" }, &headers, &rows),
            "xlsx",
        )
    } else {
        (
            journal::report::table_to_csv(&headers, &rows, if dutch { b';' } else { b',' }),
            "csv",
        )
    };
    let bytes = bytes.map_err(|e| {
        CommandError::new(
            "report.write",
            "The report could not be made.",
            Some(e.to_string()),
        )
    })?;
    let departments = lines
        .iter()
        .map(|l| &l.department)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let filter = crate::commands::filter_name(ext, &language);
    let saved = crate::commands::save_with_dialog(
        &app,
        filter,
        ext,
        format!("licensedesk-costs.{ext}"),
        &bytes,
    )
    .await?;
    Ok(saved.map(|path| SavedReport {
        path,
        departments: u32::try_from(departments).unwrap_or(u32::MAX),
    }))
}
