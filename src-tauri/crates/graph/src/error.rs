use thiserror::Error;

/// What kind of failure an API error is, decided from the HTTP status (and, for licensing
/// errors, later from message substrings: Graph v1.0 gives no reliable codes for those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphErrorKind {
    /// 401: the token is missing, expired or not for this service.
    Unauthorized,
    /// 403: a permission (scope) or directory role is missing.
    Forbidden,
    NotFound,
    BadRequest,
    /// 429.
    Throttled,
    /// 500, 502, 503, 504: worth retrying.
    Transient,
    Other,
}

impl GraphErrorKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            400 => Self::BadRequest,
            429 => Self::Throttled,
            500 | 502 | 503 | 504 => Self::Transient,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Error)]
pub enum GraphError {
    #[error("invalid Graph endpoint: {0}")]
    InvalidEndpoint(String),

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
}

impl GraphError {
    pub fn kind(&self) -> Option<GraphErrorKind> {
        match self {
            Self::Api { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}
