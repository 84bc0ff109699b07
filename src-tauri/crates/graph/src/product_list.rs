//! Microsoft's published list of product names and service plan identifiers ("Product names
//! and service plan identifiers for licensing", a CSV of about 1 MB), fetched with a bound and
//! checked whole before anything uses it. Shared by the app (Settings → Refresh now) and the
//! CLI (`product-names refresh`).

use licensing::ProductNames;

/// Where Microsoft publishes the list (graph-licensing.md §9.5).
pub const MICROSOFT_LIST: &str = "https://download.microsoft.com/download/e/3/e/e3e9faf2-f28b-490a-9ada-c6089a1fc5b0/Product%20names%20and%20service%20plan%20identifiers%20for%20licensing.csv";
/// The list is about 1 MB; ten times that is not it.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Why the list was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// Not fetched: the address, the network, or the server's answer.
    #[error("{0}")]
    Download(String),
    /// Fetched, but not Microsoft's list (or not all of it).
    #[error("{0}")]
    Refused(String),
}

/// The address to fetch: `LICENSEDESK_PRODUCT_NAMES_URL` (tests, and organisations that mirror
/// the list), or Microsoft's.
pub fn list_url() -> String {
    std::env::var("LICENSEDESK_PRODUCT_NAMES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| MICROSOFT_LIST.into())
}

/// Reads a list (fetched or cached): UTF-8, and Microsoft's columns on every line.
pub fn parse(bytes: &[u8]) -> Result<(ProductNames, usize), ListError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ListError::Refused("the list is not UTF-8 text".into()))?;
    ProductNames::from_microsoft_csv(text).map_err(|e| ListError::Refused(e.to_string()))
}

/// Fetches the list from `url` (https, or loopback for tests) with a bound, and checks it
/// whole. Returns the names, how many products the list has, and its bytes (to cache).
pub async fn fetch(
    http: &reqwest::Client,
    url: &str,
) -> Result<(ProductNames, usize, Vec<u8>), ListError> {
    let allowed = url.starts_with("https://")
        || url.starts_with("http://127.0.0.1:")
        || url.starts_with("http://localhost:");
    if !allowed {
        return Err(ListError::Download(format!(
            "{url} is not an https address"
        )));
    }
    let failed = |e: reqwest::Error| ListError::Download(e.to_string());
    let mut response = http.get(url).send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(ListError::Download(format!(
            "{url} answered {}",
            response.status()
        )));
    }
    let too_big = || ListError::Download(format!("{url} sent more than {MAX_BYTES} bytes"));
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BYTES as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    let (names, products) = parse(&body)?;
    Ok((names, products, body))
}
