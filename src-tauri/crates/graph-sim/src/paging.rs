//! Paging as Graph does it: `$top` within Graph's bounds, opaque `$skiptoken`s, and an
//! absolute `@odata.nextLink` that keeps every other query option.

use axum::http::Uri;

/// Graph's default page size for /users, and its largest.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;

pub(crate) const MAX_PAGE_SIZE: usize = 999;
/// The largest page of /users when `signInActivity` is selected or filtered on.
pub(crate) const MAX_SIGN_IN_PAGE_SIZE: usize = 500;

/// Prefix that makes our skip tokens look (and be) opaque, like Graph's.
pub(crate) const SKIPTOKEN_PREFIX: &str = "RFNwdAIAAQAAAC";

/// The request's own URL with `$skiptoken` replaced: Graph's nextLink keeps every other option.
pub(crate) fn next_link(base_url: &str, uri: &Uri, offset: usize) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            key != "$skiptoken" && key != "%24skiptoken"
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{base_url}{}?{query}", uri.path())
}

pub(crate) fn encode_skiptoken(offset: usize) -> String {
    format!("{SKIPTOKEN_PREFIX}{offset:010x}")
}

pub(crate) fn decode_skiptoken(token: &str) -> Option<usize> {
    let hex = token.strip_prefix(SKIPTOKEN_PREFIX)?;
    usize::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(1998)), Some(1998));
        assert_eq!(decode_skiptoken("X'4453707402'"), None);
    }

    #[test]
    fn next_link_keeps_options_and_replaces_skiptoken() {
        let uri: Uri = "/v1.0/users?$select=id&$top=5&$skiptoken=RFNwdAIAAQAAAC0000000005"
            .parse()
            .expect("uri");
        let link = next_link("http://127.0.0.1:1", &uri, 10);
        assert_eq!(
            link,
            "http://127.0.0.1:1/v1.0/users?$select=id&$top=5&$skiptoken=RFNwdAIAAQAAAC000000000a"
        );
    }
}
