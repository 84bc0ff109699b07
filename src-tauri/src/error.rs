//! Errors as the webview sees them: a stable code, plain words with the fix, and the technical
//! detail for a "Details" toggle. Never a token.

use graph::{GraphError, GraphErrorKind};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CommandError {
    /// Stable, for tests and support: e.g. `graph.forbidden`.
    pub code: String,
    /// What happened and what to do, in plain words.
    pub message: String,
    /// Status, Graph error code and request id, for the ticket.
    pub details: Option<String>,
    /// The values the message names (a file's size, a sheet's name…), so the window can word
    /// the code in its own language; `message` is the English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub values: Option<std::collections::BTreeMap<String, String>>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>, details: Option<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
            details,
            values: None,
        }
    }

    /// With a value the message names.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.values
            .get_or_insert_with(Default::default)
            .insert(key.to_string(), value.to_string());
        self
    }
}

impl From<GraphError> for CommandError {
    fn from(e: GraphError) -> Self {
        let details = Some(match &e {
            GraphError::Api {
                status,
                code,
                message,
                request_id,
                ..
            } => format!(
                "HTTP {status} {code}: {message}{}",
                request_id
                    .as_deref()
                    .map(|id| format!(" (request-id {id})"))
                    .unwrap_or_default()
            ),
            other => other.to_string(),
        });
        let (code, message) = match e.kind() {
            Some(GraphErrorKind::Unauthorized) => (
                "graph.unauthorized",
                "Your sign-in has expired or was not accepted. Sign in again.",
            ),
            Some(GraphErrorKind::Forbidden) => (
                "graph.forbidden",
                "Microsoft 365 refused: this sign-in is missing a permission. Two things are needed: an admin must grant admin consent for LicenseDesk (Entra admin center → App registrations → your LicenseDesk app → API permissions → Grant admin consent), and your account needs the License Administrator or User Administrator role (Entra admin center → Roles and administrators).",
            ),
            Some(GraphErrorKind::Throttled) | Some(GraphErrorKind::Transient) => (
                "graph.busy",
                "Microsoft 365 is busy right now. Wait a minute and try again.",
            ),
            Some(_) => (
                "graph.failed",
                "Microsoft 365 refused the request. The details say why.",
            ),
            None if matches!(e, GraphError::WaitedTooLong { .. }) => (
                "graph.busy",
                "Microsoft 365 kept asking LicenseDesk to wait (too many requests). Try again in a few minutes.",
            ),
            None if matches!(e, GraphError::Redirect { .. }) => (
                "graph.redirect",
                "The Graph address answered with a redirect, which LicenseDesk does not follow so that your sign-in is never sent elsewhere. Check the Graph address in the sign-in settings.",
            ),
            None if matches!(e, GraphError::LimitExceeded(_)) => (
                "graph.limit",
                "Microsoft 365 sent more than LicenseDesk reads from one answer, so it stopped. Try again; if it persists, report it with the details.",
            ),
            None if matches!(e, GraphError::Network(_)) => (
                "graph.unreachable",
                "LicenseDesk cannot reach Microsoft 365. Check the network connection and try again.",
            ),
            None => (
                "graph.unexpected",
                "Microsoft 365 answered in a way LicenseDesk did not expect. Try again; if it persists, report it with the details.",
            ),
        };
        // Details carry a server's words: keep them to a screenful (the log has them whole).
        tracing::debug!(details = details.as_deref().unwrap_or(""), "Graph error");
        Self::new(
            code,
            message,
            details.map(|d| bounded(&d, MAX_DETAILS_CHARS)),
        )
    }
}

/// How much of a server's text an error's "Details" shows.
const MAX_DETAILS_CHARS: usize = 4_000;

fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!(
            "{}… (cut; the whole text is in licensedesk.log)",
            &text[..at]
        ),
        None => text.to_string(),
    }
}
