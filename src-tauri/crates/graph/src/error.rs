use thiserror::Error;

/// What an error means for LicenseDesk. Graph v1.0 gives no reliable codes for licensing
/// errors, so they are told apart by HTTP status plus a message substring, as Microsoft's own
/// scripts do (shared/reference/graph-licensing.md §2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphErrorKind {
    /// The user has no (valid) usage location; Microsoft needs one before a license.
    UsageLocationMissing,
    /// No enabled seat left in this SKU.
    NoFreeSeat {
        sku: Option<String>,
    },
    /// The tenant does not own this SKU.
    UnknownSku,
    /// A SKU for the organisation, not for people.
    CompanySku,
    /// Two service plans that cannot be on one user (e.g. Exchange Online Plan 1 and Plan 2).
    MutuallyExclusive {
        plans: Vec<String>,
    },
    /// A service plan needs another plan the user would not have.
    DependencyMissing,
    /// The license comes from a group and can only be removed there.
    InheritedFromGroup,
    NotFound,
    /// A permission (scope) or directory role is missing.
    Forbidden,
    /// The token is missing, expired or not for this service.
    Unauthorized,
    /// 429.
    Throttled,
    /// 500, 502, 503, 504: the service had a problem; worth trying again.
    Transient,
    /// Any other refusal.
    Other,
}

impl GraphErrorKind {
    pub fn classify(status: u16, message: &str) -> Self {
        let m = message.to_ascii_lowercase();
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            429 => Self::Throttled,
            500 | 502 | 503 | 504 => Self::Transient,
            400 if m.contains("invalid usage location") => Self::UsageLocationMissing,
            400 if m.contains("does not have any available licenses") => Self::NoFreeSeat {
                sku: guids(message).into_iter().next(),
            },
            400 if m.contains("does not correspond to a valid company license") => Self::UnknownSku,
            400 if m.contains("cannot be assigned to a user") => Self::CompanySku,
            400 if m.contains("mutually exclusive") => Self::MutuallyExclusive {
                plans: guids(message),
            },
            400 if m.contains("depends on the service plan") => Self::DependencyMissing,
            400 if m.contains("inherited from a group membership") => Self::InheritedFromGroup,
            _ => Self::Other,
        }
    }

    /// Worth sending again later, unchanged.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Throttled | Self::Transient)
    }
}

/// Every GUID in a message, in order (SKU and service plan ids in Graph's error texts).
fn guids(message: &str) -> Vec<String> {
    let b = message.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let candidate = &b[i..i + 36];
        let shaped = candidate.iter().enumerate().all(|(j, c)| match j {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
        if shaped {
            out.push(String::from_utf8_lossy(candidate).to_ascii_lowercase());
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, Error)]
pub enum GraphError {
    #[error("invalid Graph endpoint: {0}")]
    InvalidEndpoint(String),

    /// No answer came (connection refused, reset or timed out). For a write this means the
    /// change may or may not have been made.
    #[error("could not reach Microsoft Graph: {0}")]
    Network(String),

    #[error("Microsoft Graph answered {status} {code}: {message}")]
    Api {
        kind: GraphErrorKind,
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },

    #[error("unexpected answer from Microsoft Graph: {0}")]
    Decode(String),

    #[error("refused to follow a next-page link to another host: {0}")]
    ForeignNextLink(String),

    /// Graph (or something posing as it) answered with a redirect. Redirects are never
    /// followed: a token or a secret must not travel to wherever a server points.
    #[error(
        "Microsoft Graph answered with a redirect (HTTP {status}{to}), which LicenseDesk does not follow so that your sign-in is never sent elsewhere; check the Graph address"
    )]
    Redirect { status: u16, to: String },

    /// An answer broke a bound no real Graph answer comes near: a next-page link seen before,
    /// more pages or items than any tenant has, a body too large. Stopped instead of looping
    /// or filling memory.
    #[error("stopped reading from Microsoft Graph: {0}")]
    LimitExceeded(String),

    /// Graph kept asking to wait longer than LicenseDesk waits for one request.
    #[error(
        "Microsoft Graph kept asking LicenseDesk to wait (throttled) for more than {waited_secs} seconds in all; try again later or with fewer people at once"
    )]
    WaitedTooLong { waited_secs: u64 },

    /// The access token itself is malformed (given from outside): no request was sent.
    #[error("{0}")]
    InvalidToken(String),

    #[error("the sign-in could not be renewed: {0}")]
    TokenRefresh(String),
}

impl GraphError {
    pub fn kind(&self) -> Option<&GraphErrorKind> {
        match self {
            Self::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn api(
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    ) -> Self {
        Self::Api {
            kind: GraphErrorKind::classify(status, &message),
            status,
            code,
            message,
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licensing_errors_are_told_apart_by_status_and_message() {
        use GraphErrorKind::*;
        let c = GraphErrorKind::classify;
        assert_eq!(
            c(
                400,
                "License assignment cannot be done for user with invalid usage location."
            ),
            UsageLocationMissing
        );
        assert_eq!(
            c(
                400,
                "Subscription with SKU 05e9a617-0261-4cee-bb44-138d3ef5d965 does not have any available licenses."
            ),
            NoFreeSeat {
                sku: Some("05e9a617-0261-4cee-bb44-138d3ef5d965".into())
            }
        );
        assert_eq!(
            c(
                400,
                "License 11111111-2222-3333-4444-555555555555 does not correspond to a valid company License."
            ),
            UnknownSku
        );
        assert_eq!(
            c(
                400,
                "License 6470687e-a428-4b7a-bef2-8a291ad947c9 cannot be assigned to a user."
            ),
            CompanySku
        );
        assert_eq!(
            c(
                400,
                "License assignment failed because service plans 9aaf7827-d63c-4b61-89c3-182f06f82e5c, efb87545-963c-4e0d-99df-69c6916d9eb0 are mutually exclusive."
            ),
            MutuallyExclusive {
                plans: vec![
                    "9aaf7827-d63c-4b61-89c3-182f06f82e5c".into(),
                    "efb87545-963c-4e0d-99df-69c6916d9eb0".into()
                ]
            }
        );
        assert_eq!(
            c(
                400,
                "License assignment failed because service plan a depends on the service plan(s) b, c."
            ),
            DependencyMissing
        );
        assert_eq!(
            c(
                400,
                "User license is inherited from a group membership and it cannot be removed directly from the user."
            ),
            InheritedFromGroup
        );
        assert_eq!(c(400, "Something else."), Other);
        assert_eq!(
            c(403, "Insufficient privileges to complete the operation."),
            Forbidden
        );
        assert_eq!(c(404, "Resource 'x' does not exist"), NotFound);
        assert_eq!(c(401, ""), Unauthorized);
        assert_eq!(c(429, "Please retry again later."), Throttled);
        assert_eq!(c(503, ""), Transient);
        assert_eq!(c(504, ""), Transient);
        assert_eq!(c(418, ""), Other);
        // The status matters, not only the words.
        assert_eq!(c(500, "invalid usage location"), Transient);
    }
}
