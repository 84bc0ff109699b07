//! `product-names` and `product-names refresh`: the friendly product names the CLI uses. It
//! ships Microsoft's common ones; `refresh` fetches Microsoft's published list (bounded,
//! checked whole: a bad or partial download changes nothing), keeps it as `product-names.csv`
//! in the config folder, and every later command names plans from it. The organisation's
//! policy (`productNamesRefresh: false`) keeps the built-in names.

use clap::Subcommand;
use licensing::ProductNames;
use serde::Serialize;

use crate::CliError;
use crate::output::{print_json, print_text};
use crate::profile::config_dir;

const CACHE_FILE: &str = "product-names.csv";

#[derive(Subcommand, Debug)]
pub enum ProductNamesCommand {
    /// Fetch Microsoft's list of product names now and use it from then on.
    Refresh,
}

fn cache() -> Result<std::path::PathBuf, CliError> {
    Ok(config_dir()?.join(CACHE_FILE))
}

/// The names in use: the list last fetched when there is a good one, else the built-in table
/// (a cache that cannot be read is passed over, as the app does, and `product-names` says so).
pub fn load() -> ProductNames {
    cached().map_or_else(ProductNames::builtin, |(names, _)| names)
}

fn cached() -> Option<(ProductNames, usize)> {
    let bytes =
        safe_files::read_at_most(&cache().ok()?, graph::product_list::MAX_BYTES as u64).ok()?;
    graph::product_list::parse(&bytes).ok()
}

fn policy_says() -> Option<bool> {
    policy::load()
        .ok()
        .flatten()
        .and_then(|l| l.policy.product_names_refresh)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    /// `builtin` or `microsoft` (the list fetched).
    source: &'static str,
    products: usize,
    /// When the list in use was fetched (ISO 8601), or null.
    refreshed_at: Option<String>,
    /// The organisation's policy, when it decides.
    policy: Option<bool>,
}

/// `product-names [refresh]`.
pub async fn product_names(
    command: Option<&ProductNamesCommand>,
    http: reqwest::Client,
    as_json: bool,
) -> Result<(), CliError> {
    if let Some(ProductNamesCommand::Refresh) = command {
        if policy_says() == Some(false) {
            return Err(CliError::Usage(
                "your organisation's policy keeps the built-in product names: they are not refreshed".into(),
            ));
        }
        let url = graph::product_list::list_url();
        let (_, _, body) = graph::product_list::fetch(&http, &url)
            .await
            .map_err(|e| match e {
                graph::product_list::ListError::Download(why) => CliError::Failed(format!(
                    "the product names could not be fetched ({why}); the names in use stay"
                )),
                graph::product_list::ListError::Refused(why) => CliError::Failed(format!(
                    "Microsoft's product-name list was refused ({why}); the names in use stay"
                )),
            })?;
        let path = cache()?;
        if let Some(dir) = path.parent() {
            safe_files::private_dir(dir)
                .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
        }
        safe_files::write_replacing(&path, &body)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    let answer = match cached() {
        Some((_, products)) => Answer {
            source: "microsoft",
            products,
            refreshed_at: cache()
                .ok()
                .and_then(|p| std::fs::metadata(p).ok())
                .and_then(|m| m.modified().ok())
                .map(|t| {
                    chrono::DateTime::<chrono::Utc>::from(t)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                }),
            policy: policy_says(),
        },
        None => Answer {
            source: "builtin",
            products: ProductNames::builtin().len(),
            refreshed_at: None,
            policy: policy_says(),
        },
    };
    if as_json {
        return print_json(&answer);
    }
    print_text(&match &answer.refreshed_at {
        Some(at) => format!(
            "{} products named from Microsoft's list, fetched {at}.\n",
            answer.products
        ),
        None => format!(
            "{} products named from the built-in list. `licensedesk-cli product-names refresh` fetches Microsoft's.\n",
            answer.products
        ),
    })
}
