//! Interactive sign-in: authorization code with PKCE (S256) in the system browser, redirect to
//! a one-shot listener on http://127.0.0.1:<ephemeral port> (RFC 8252). The oauth2 crate makes
//! the PKCE pair, the state and the authorize URL.

use std::future::Future;
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::Authority;
use super::tokens::{AuthError, TokenSet, token_request};

const DONE_PAGE: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>LicenseDesk</title><body style=\"font-family:system-ui;margin:4em\"><h1>You are signed in to LicenseDesk</h1><p>You can close this tab and go back to LicenseDesk.</p></body></html>";
const FAILED_PAGE: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>LicenseDesk</title><body style=\"font-family:system-ui;margin:4em\"><h1>The sign-in did not complete</h1><p>Go back to LicenseDesk to see why and try again.</p></body></html>";

/// Signs in through the browser. `open` is given the URL to open (the system browser, or a
/// test that follows it); `cancelled` resolves when the person gives up.
pub async fn sign_in_interactive(
    http: &reqwest::Client,
    authority: &Authority,
    client_id: &str,
    scopes: &[String],
    open: impl FnOnce(String) -> Result<(), String>,
    timeout: Duration,
    cancelled: impl Future<Output = ()>,
) -> Result<TokenSet, AuthError> {
    // 127.0.0.1 only: nothing else on the network may deliver a code to us.
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| AuthError::Network(format!("cannot listen for the browser: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| AuthError::Network(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/");

    let config = |e: oauth2::url::ParseError| AuthError::Config(e.to_string());
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::new(authority.authorize_url()).map_err(config)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.clone()).map_err(config)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(challenge)
        .url();
    open(url.to_string())
        .map_err(|e| AuthError::Config(format!("cannot open the browser: {e}")))?;

    let code = tokio::select! {
        r = wait_for_redirect(&listener, state.secret()) => r?,
        () = tokio::time::sleep(timeout) => return Err(AuthError::TimedOut),
        () = cancelled => return Err(AuthError::Cancelled),
    };
    drop(listener);
    token_request(
        http,
        &authority.token_url(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", verifier.secret()),
            ("scope", &scopes.join(" ")),
        ],
    )
    .await
}

/// Accepts connections until the one redirect with `code` (or `error`) arrives; anything else
/// (a favicon request) gets a 404. One redirect is accepted, then the listener is done.
async fn wait_for_redirect(
    listener: &TcpListener,
    expected_state: &str,
) -> Result<String, AuthError> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| AuthError::Network(e.to_string()))?;
        let Some(target) = read_request_target(&mut stream).await else {
            continue;
        };
        let query: Vec<(String, String)> = url::Url::parse(&format!("http://127.0.0.1{target}"))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        if get("code").is_none() && get("error").is_none() {
            respond(&mut stream, "404 Not Found", "").await;
            continue;
        }
        if get("state").as_deref() != Some(expected_state) {
            respond(&mut stream, "400 Bad Request", FAILED_PAGE).await;
            return Err(AuthError::StateMismatch);
        }
        if let Some(error) = get("error") {
            respond(&mut stream, "200 OK", FAILED_PAGE).await;
            let description = get("error_description").unwrap_or_default();
            return Err(super::tokens::OAuthErrorBody {
                error,
                error_description: description,
            }
            .into_error());
        }
        respond(&mut stream, "200 OK", DONE_PAGE).await;
        return get("code").ok_or(AuthError::StateMismatch);
    }
}

async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    while len < buf.len() {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf[len..]))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        len += n;
        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf[..len]);
    let mut parts = head.lines().next()?.split_whitespace();
    (parts.next()? == "GET")
        .then(|| parts.next().map(str::to_owned))
        .flatten()
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
