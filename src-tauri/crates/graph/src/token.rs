use std::fmt;

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
