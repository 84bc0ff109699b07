//! Friendly product names that stay current. Microsoft adds plans every month; the app ships a
//! table of the common ones and can refresh the names from Microsoft's published list
//! ("Product names and service plan identifiers for licensing", a CSV):
//!
//! - only when asked: the *Refresh now* button in Settings, or at each start when the person
//!   turned that on — or as the organisation's policy says (`productNamesRefresh`: true refreshes
//!   at each start, false never);
//! - read with a bound and checked whole (`ProductNames::from_microsoft_csv`): a bad or partial
//!   download is refused and the names in use stay;
//! - cached in the app's data folder and read at the next start; the built-in table is the
//!   fallback, and the base a list is laid over.

use std::sync::{Arc, RwLock};

use licensing::ProductNames;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::tenant::TenantState;

const MAX_BYTES: usize = graph::product_list::MAX_BYTES;
const CACHE_FILE: &str = "product-names.csv";
const SETTING: &str = "productNames";

static CURRENT: RwLock<Option<Arc<ProductNames>>> = RwLock::new(None);

/// The names in use: the last list read, or the built-in table.
pub fn current() -> Arc<ProductNames> {
    if let Some(names) = CURRENT
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
    {
        return names.clone();
    }
    Arc::new(ProductNames::builtin())
}

fn set_current(names: ProductNames) {
    *CURRENT
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(names));
}

/// What Settings shows and offers.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductNamesInfo {
    /// Products named: the built-in table's, or the last list's.
    pub products: u32,
    /// When the list in use was downloaded (`None`: the built-in table).
    pub refreshed_at: Option<String>,
    /// The person's choice: refresh at each start.
    pub at_start: bool,
    /// The organisation's policy, when it decides (`Some(false)`: never refreshed).
    pub policy: Option<bool>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Saved {
    at_start: bool,
    refreshed_at: Option<String>,
    products: Option<u32>,
}

fn saved<R: Runtime>(app: &AppHandle<R>) -> Saved {
    crate::settings::read(app, SETTING)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn save<R: Runtime>(app: &AppHandle<R>, s: &Saved) {
    crate::settings::write(app, SETTING, serde_json::to_value(s).unwrap_or_default());
}

fn policy_says() -> Option<bool> {
    policy::load()
        .ok()
        .flatten()
        .and_then(|l| l.policy.product_names_refresh)
}

fn cache_path<R: Runtime>(app: &AppHandle<R>) -> Option<std::path::PathBuf> {
    app.path().app_data_dir().ok().map(|d| d.join(CACHE_FILE))
}

fn info<R: Runtime>(app: &AppHandle<R>) -> ProductNamesInfo {
    let s = saved(app);
    let downloaded = s.refreshed_at.is_some() && CURRENT.read().is_ok_and(|c| c.is_some());
    ProductNamesInfo {
        products: if downloaded {
            s.products.unwrap_or(0)
        } else {
            u32::try_from(ProductNames::builtin().len()).unwrap_or(0)
        },
        refreshed_at: if downloaded { s.refreshed_at } else { None },
        at_start: s.at_start,
        policy: policy_says(),
    }
}

/// At start: the cached list if there is a good one; then a refresh in the background when
/// the policy or the person asks for one at each start.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    if let Some(path) = cache_path(app)
        && let Ok(bytes) = safe_files::read_at_most(&path, MAX_BYTES as u64)
    {
        match graph::product_list::parse(&bytes) {
            Ok((names, _)) => set_current(names),
            Err(e) => tracing::warn!("the cached product-name list is not used: {e}"),
        }
    }
    let wanted = policy_says().unwrap_or_else(|| saved(app).at_start);
    if wanted {
        let handle = app.clone();
        tauri::async_runtime::spawn(async move {
            let http = handle.state::<TenantState>().http.clone();
            if let Err(e) = refresh_with(&handle, &http).await {
                tracing::warn!("product names were not refreshed: {}", e.message);
            }
        });
    }
}

/// Fetches the list and checks it whole (graph::product_list), in the window's terms.
async fn download(
    http: &reqwest::Client,
    url: &str,
) -> Result<(ProductNames, usize, Vec<u8>), CommandError> {
    graph::product_list::fetch(http, url)
        .await
        .map_err(|e| match e {
            graph::product_list::ListError::Download(why) => CommandError::new(
                "productNames.download",
                "The product names could not be refreshed; the names in use stay. Try again later.",
                Some(why),
            ),
            graph::product_list::ListError::Refused(why) => CommandError::new(
                "productNames.refused",
                format!(
                    "Microsoft's product-name list was refused ({why}); the names in use stay."
                ),
                Some(why),
            ),
        })
}

/// Downloads the list, checks it whole, and only then uses and caches it.
async fn refresh_with<R: Runtime>(
    app: &AppHandle<R>,
    http: &reqwest::Client,
) -> Result<ProductNamesInfo, CommandError> {
    if policy_says() == Some(false) {
        return Err(CommandError::new(
            "productNames.policy",
            "Your organisation's policy keeps the built-in product names: they are not refreshed.",
            None,
        ));
    }
    let url = graph::product_list::list_url();
    let (names, products, body) = download(http, &url).await?;
    let failed = |why: String| {
        CommandError::new(
            "productNames.download",
            "The product names could not be refreshed; the names in use stay. Try again later.",
            Some(why),
        )
    };
    if let Some(path) = cache_path(app) {
        if let Some(dir) = path.parent() {
            let _ = safe_files::private_dir(dir);
        }
        safe_files::write_replacing(&path, &body)
            .map_err(|e| failed(format!("the list could not be kept: {e}")))?;
    }
    set_current(names);
    let mut s = saved(app);
    s.refreshed_at = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    s.products = Some(u32::try_from(products).unwrap_or(u32::MAX));
    save(app, &s);
    Ok(info(app))
}

#[tauri::command]
pub fn product_names(app: AppHandle) -> ProductNamesInfo {
    info(&app)
}

#[tauri::command]
pub async fn refresh_product_names(
    app: AppHandle,
    tenant: State<'_, TenantState>,
) -> Result<ProductNamesInfo, CommandError> {
    refresh_with(&app, &tenant.http).await
}

#[tauri::command]
pub fn set_product_names_at_start(app: AppHandle, at_start: bool) -> ProductNamesInfo {
    let mut s = saved(&app);
    s.at_start = at_start;
    save(&app, &s);
    info(&app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A local server answering every request with `status` and `body` (and the length it
    /// claims, which may lie).
    async fn serve(status: &'static str, body: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = socket.read(&mut request).await;
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                });
            }
        });
        format!("http://127.0.0.1:{}/list.csv", addr.port())
    }

    fn list(products: usize) -> Vec<u8> {
        let mut text = String::from(
            "\u{feff}Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n",
        );
        text.push_str("Microsoft 365 E3,SPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965,X,efb87545-963c-4e0d-99df-69c6916d9eb0,X\r\n");
        text.push_str("Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,X,efb87545-963c-4e0d-99df-69c6916d9eb0,X\r\n");
        text.push_str("Contoso Copilot Pro,CONTOSO_NEW,11111111-2222-3333-4444-555555555555,X,22222222-2222-3333-4444-555555555555,X\r\n");
        for i in 0..products {
            text.push_str(&format!(
                "Product {i},P{i},{i:08x}-0000-0000-0000-000000000000,X,33333333-2222-3333-4444-555555555555,X\r\n"
            ));
        }
        text.into_bytes()
    }

    #[tokio::test]
    async fn a_good_list_from_a_local_server_names_new_products() {
        let url = serve("200 OK", list(150)).await;
        let (names, products, body) = download(&reqwest::Client::new(), &url)
            .await
            .expect("downloaded");
        assert_eq!(products, 153);
        assert_eq!(body, list(150));
        assert_eq!(
            names.display_name("11111111-2222-3333-4444-555555555555", "CONTOSO_NEW"),
            "Contoso Copilot Pro"
        );
    }

    #[tokio::test]
    async fn a_bad_partial_huge_or_failed_download_is_refused() {
        let http = reqwest::Client::new();
        // Cut short: the well-known products are there but far too few.
        let url = serve("200 OK", list(10)).await;
        let e = download(&http, &url).await.expect_err("partial");
        assert_eq!(e.code, "productNames.refused");
        assert!(e.message.contains("incomplete"), "{}", e.message);
        // A sign-in page instead of the list.
        let url = serve("200 OK", b"<html>Sign in</html>".to_vec()).await;
        assert_eq!(
            download(&http, &url).await.expect_err("html").code,
            "productNames.refused"
        );
        // Past the bound, whatever it claims.
        let url = serve("200 OK", vec![b'a'; MAX_BYTES + 1]).await;
        let e = download(&http, &url).await.expect_err("too big");
        assert_eq!(e.code, "productNames.download");
        assert!(e.details.unwrap_or_default().contains("more than"));
        // An error page.
        let url = serve("404 Not Found", b"gone".to_vec()).await;
        assert_eq!(
            download(&http, &url).await.expect_err("404").code,
            "productNames.download"
        );
        // Never plain http to anywhere but this machine.
        let e = download(&http, "http://example.com/list.csv")
            .await
            .expect_err("http");
        assert!(
            e.details
                .unwrap_or_default()
                .contains("not an https address")
        );
    }
}
