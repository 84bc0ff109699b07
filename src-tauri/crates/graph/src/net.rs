//! Transport failures in words people can act on, shared by Graph calls and every sign-in flow.

/// What to do when a server's certificate is not trusted: the usual cause is an
/// organisation's TLS-inspecting proxy re-signing traffic with its own root.
pub(crate) const UNTRUSTED_CERTIFICATE: &str = "the server's certificate is not trusted. If your organisation inspects TLS traffic, give its root certificate with --ca-certificate FILE";

/// An error and all its causes, as one line. reqwest's own text ("error sending request")
/// leaves the cause out.
pub(crate) fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Whether a failure's text says the server's certificate chain is not trusted (rustls).
pub(crate) fn is_untrusted_certificate(text: &str) -> bool {
    text.contains("invalid peer certificate") || text.contains("UnknownIssuer")
}

/// A request that got no answer, in words: the causes without the URL (it is for people, and
/// may name a tenant), and advice when the server's certificate is not trusted.
pub(crate) fn describe(error: reqwest::Error) -> String {
    let text = chain_text(&error.without_url());
    if is_untrusted_certificate(&text) {
        format!("{UNTRUSTED_CERTIFICATE} ({text})")
    } else {
        text
    }
}

/// Why a body was not read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Longer than the caller allows; reading stopped there.
    TooLarge(String),
    Network(String),
}

/// Reads a response body chunk by chunk, stopping as soon as it passes `max` bytes: a server
/// announcing or streaming a gigabyte is refused without holding it.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    max: usize,
) -> Result<bytes::Bytes, BodyError> {
    let too_large = || {
        BodyError::TooLarge(format!(
            "the answer is larger than {} MB, far more than any real answer",
            max.div_ceil(1024 * 1024)
        ))
    };
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Network(describe(e)))?
    {
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// At most `max` characters of a server's text, for an error message (the rest is cut, and
/// said to be).
pub(crate) fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!(
            "{}… ({} more characters)",
            &text[..at],
            text[at..].chars().count()
        ),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_long_text_and_says_so() {
        assert_eq!(bounded("short", 10), "short");
        assert_eq!(bounded("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(bounded("ééé", 2), "éé… (1 more characters)");
    }
}
