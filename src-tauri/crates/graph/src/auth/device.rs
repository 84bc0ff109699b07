//! The device-code flow (§9.3): show a code, the person enters it on another device, poll.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Authority;
use super::tokens::{AuthError, OAuthErrorBody, TokenSet, oauth_error, post_form, token_set};
use crate::SecretString;
use crate::cloud::is_loopback;

/// Bounds on what the service may ask of the polling: Entra's codes live 15 minutes and it
/// asks for a poll every 5 seconds. Larger values are clamped, never added to the clock
/// unchecked (an overflow would panic) or slept on for days.
const MAX_CODE_LIFETIME: Duration = Duration::from_secs(3600);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What to show the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCodePrompt {
    pub user_code: String,
    /// Show whatever the service returns (usually https://microsoft.com/devicelogin).
    pub verification_uri: String,
    pub expires_in: u64,
    pub interval: u64,
    #[serde(default)]
    pub message: String,
    /// Secret: only for polling. Never serialized, never shown by `Debug`.
    #[serde(skip_serializing)]
    pub device_code: SecretString,
}

impl DeviceCodePrompt {
    /// The verification page, checked: only `https` (or `http` on 127.0.0.1 / localhost, the
    /// emulator) may be opened in a browser or shown as a link. A `file:`, `javascript:` or
    /// plain-http address from a hostile service is refused.
    fn checked(mut self) -> Result<Self, AuthError> {
        let url = url::Url::parse(self.verification_uri.trim()).map_err(|_| {
            AuthError::Refused(
                "the sign-in service gave a verification address that is not a web address".into(),
            )
        })?;
        let safe = match url.scheme() {
            "https" => true,
            "http" => is_loopback(&url),
            _ => false,
        };
        if !safe || !url.username().is_empty() || url.password().is_some() {
            return Err(AuthError::Refused(format!(
                "the sign-in service gave a verification address LicenseDesk will not open ({}): only https addresses are allowed",
                crate::net::bounded(url.scheme(), 20)
            )));
        }
        self.verification_uri = self.verification_uri.trim().to_string();
        self.expires_in = self.expires_in.min(MAX_CODE_LIFETIME.as_secs());
        self.interval = self.interval.clamp(1, MAX_POLL_INTERVAL.as_secs());
        Ok(self)
    }
}

pub async fn start_device_code(
    http: &reqwest::Client,
    authority: &Authority,
    client_id: &str,
    scopes: &[String],
) -> Result<DeviceCodePrompt, AuthError> {
    let (status, body) = post_form(
        http,
        &authority.device_code_url(),
        &[("client_id", client_id), ("scope", &scopes.join(" "))],
    )
    .await?;
    let status = status.as_u16();
    if status != 200 {
        return Err(oauth_error(&body, status));
    }
    serde_json::from_slice::<DeviceCodePrompt>(&body)
        .map_err(|e| AuthError::Refused(format!("unexpected device-code answer: {e}")))?
        .checked()
}

/// The interval after a polling answer: `slow_down` (RFC 8628) adds 5 seconds.
pub fn next_poll_interval(current: Duration, error: &str) -> Duration {
    if error == "slow_down" {
        (current + Duration::from_secs(5)).min(MAX_POLL_INTERVAL)
    } else {
        current
    }
}

/// Polls at the given interval until the person approves, declines, or the code expires.
/// `cancelled` resolves when the person gives up.
pub async fn poll_device_code(
    http: &reqwest::Client,
    authority: &Authority,
    client_id: &str,
    prompt: &DeviceCodePrompt,
    cancelled: impl Future<Output = ()>,
) -> Result<TokenSet, AuthError> {
    let lifetime = Duration::from_secs(prompt.expires_in).min(MAX_CODE_LIFETIME);
    let now = Instant::now();
    let deadline = now.checked_add(lifetime).unwrap_or(now);
    let mut interval =
        Duration::from_secs(prompt.interval).clamp(Duration::from_secs(1), MAX_POLL_INTERVAL);
    tokio::pin!(cancelled);
    loop {
        tokio::select! {
            () = &mut cancelled => return Err(AuthError::Cancelled),
            () = tokio::time::sleep(interval) => {}
        }
        if Instant::now() > deadline {
            return Err(AuthError::DeviceCodeExpired);
        }
        let (status, body) = post_form(
            http,
            &authority.token_url(),
            &[
                ("grant_type", DEVICE_GRANT),
                ("client_id", client_id),
                ("device_code", prompt.device_code.expose()),
            ],
        )
        .await?;
        let status = status.as_u16();
        if status == 200 {
            return token_set(&body);
        }
        let error: OAuthErrorBody = serde_json::from_slice(&body)
            .map_err(|_| AuthError::Refused(format!("HTTP {status}")))?;
        match error.error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval = next_poll_interval(interval, "slow_down"),
            "bad_verification_code" => {
                return Err(AuthError::Refused(
                    "the sign-in service did not recognise the code; start again".into(),
                ));
            }
            _ => return Err(error.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_down_adds_five_seconds() {
        let one = Duration::from_secs(1);
        assert_eq!(next_poll_interval(one, "slow_down"), Duration::from_secs(6));
        assert_eq!(next_poll_interval(one, "authorization_pending"), one);
        assert_eq!(
            next_poll_interval(MAX_POLL_INTERVAL, "slow_down"),
            MAX_POLL_INTERVAL
        );
    }

    fn prompt(uri: &str, expires_in: u64, interval: u64) -> DeviceCodePrompt {
        DeviceCodePrompt {
            user_code: "ABC".into(),
            verification_uri: uri.into(),
            expires_in,
            interval,
            message: String::new(),
            device_code: SecretString::new("secret-device-code"),
        }
    }

    #[test]
    fn only_web_addresses_are_offered_to_open() {
        for good in [
            "https://microsoft.com/devicelogin",
            "http://127.0.0.1:4000/devicelogin",
            "http://localhost/x",
        ] {
            assert!(prompt(good, 900, 5).checked().is_ok(), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://evil.example/devicelogin",
            "ms-settings:privacy",
            "https://user:pw@microsoft.com/devicelogin",
            "not a url",
        ] {
            assert!(
                matches!(prompt(bad, 900, 5).checked(), Err(AuthError::Refused(_))),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn huge_lifetimes_and_intervals_are_clamped() {
        let p = prompt("https://microsoft.com/devicelogin", u64::MAX, u64::MAX)
            .checked()
            .expect("valid");
        assert_eq!(p.expires_in, MAX_CODE_LIFETIME.as_secs());
        assert_eq!(p.interval, MAX_POLL_INTERVAL.as_secs());
        let p = prompt("https://microsoft.com/devicelogin", 900, 0)
            .checked()
            .expect("valid");
        assert_eq!(p.interval, 1);
    }

    #[test]
    fn debug_shows_no_device_code() {
        let p = prompt("https://microsoft.com/devicelogin", 900, 5);
        assert!(!format!("{p:?}").contains("secret-device-code"));
    }

    #[test]
    fn the_device_code_is_never_serialized() {
        let p = prompt("https://microsoft.com/devicelogin", 900, 5);
        assert!(
            !serde_json::to_string(&p)
                .expect("json")
                .contains("secret-device-code")
        );
    }
}
