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
