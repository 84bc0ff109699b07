//! The device-code flow (§9.3): show a code, the person enters it on another device, poll.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Authority;
use super::tokens::{AuthError, OAuthErrorBody, TokenSet, oauth_error, post_form, token_set};

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
    /// Secret: only for polling.
    #[serde(skip_serializing)]
    pub device_code: String,
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
    serde_json::from_slice(&body)
        .map_err(|e| AuthError::Refused(format!("unexpected device-code answer: {e}")))
}

/// The interval after a polling answer: `slow_down` (RFC 8628) adds 5 seconds.
pub fn next_poll_interval(current: Duration, error: &str) -> Duration {
    if error == "slow_down" {
        current + Duration::from_secs(5)
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
    let deadline = Instant::now() + Duration::from_secs(prompt.expires_in);
    let mut interval = Duration::from_secs(prompt.interval.max(1));
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
                ("device_code", &prompt.device_code),
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
    }

    #[test]
    fn the_device_code_is_never_serialized() {
        let p = DeviceCodePrompt {
            user_code: "ABC".into(),
            verification_uri: "https://microsoft.com/devicelogin".into(),
            expires_in: 900,
            interval: 5,
            message: String::new(),
            device_code: "secret-device-code".into(),
        };
        assert!(
            !serde_json::to_string(&p)
                .expect("json")
                .contains("secret-device-code")
        );
    }
}
