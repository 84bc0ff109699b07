use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::GraphError;

/// A bearer token. Its `Debug` and `Display` never show the secret, so a token cannot reach a
/// log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the Authorization header only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

pub type RefreshFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AccessToken, GraphError>> + Send + 'a>>;

/// Where access tokens come from. When Graph answers 401 mid-run the client asks for a new
/// one once (a refresh-token grant, a new client-credentials token…) and carries on.
pub trait TokenSource: Send + Sync {
    fn current(&self) -> AccessToken;
    fn refresh(&self) -> RefreshFuture<'_>;
}

/// A token someone already has (`--access-token-env`): it cannot be renewed.
pub struct StaticToken(pub AccessToken);

impl TokenSource for StaticToken {
    fn current(&self) -> AccessToken {
        self.0.clone()
    }

    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(async {
            Err(GraphError::TokenRefresh(
                "the access token was given from outside and cannot be renewed; get a new one"
                    .into(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_reveals_the_secret() {
        let t = AccessToken::new("eyJ0eXAiOi.secret");
        assert!(!format!("{t:?} {t}").contains("secret"));
        assert_eq!(t.secret(), "eyJ0eXAiOi.secret");
    }
}
