use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Deserialize;

use crate::GraphError;

/// A secret that is not an access token: a refresh token, a device code, a client secret, a
/// certificate's password. `Debug` never shows it, so a struct holding one can derive `Debug`
/// and still never leak it into a log line or a panic message.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place it must go (a form field, the keychain).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A bearer token. Its `Debug` and `Display` never show the secret, so a token cannot reach a
/// log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// A token given from outside (an environment variable, a token answer), checked: it must
    /// be something an `Authorization` header can carry. A token with a newline or a control
    /// character would otherwise fail every request as if Graph could not be reached.
    pub fn parse(secret: &str) -> Result<Self, GraphError> {
        if secret.is_empty() {
            return Err(GraphError::InvalidToken("the access token is empty".into()));
        }
        if let Some(bad) = secret.chars().find(|c| !c.is_ascii_graphic()) {
            let what = if bad.is_whitespace() {
                "a space or line break"
            } else {
                "a character a token cannot hold"
            };
            return Err(GraphError::InvalidToken(format!(
                "the access token contains {what}: copy the token alone, without quotes or line breaks"
            )));
        }
        Ok(Self(secret.to_string()))
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
        let s = SecretString::new("refresh-secret");
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn tokens_from_outside_must_fit_a_header() {
        assert!(AccessToken::parse("eyJ0.eyJ1.sig").is_ok());
        for bad in ["", "abc\ndef", "abc def", "tok\u{7f}", "tökën"] {
            assert!(
                matches!(AccessToken::parse(bad), Err(GraphError::InvalidToken(_))),
                "{bad:?} accepted"
            );
        }
    }
}
