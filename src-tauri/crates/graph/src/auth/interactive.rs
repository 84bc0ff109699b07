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

/// How long one connection to the listener may take to send its request line and headers.
/// The browser sends them at once; a connection that dribbles (or says nothing) is dropped
/// and cannot hold up the real redirect, which is served on its own task meanwhile.
const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// What one connection to the listener turned out to be.
enum Visit {
    /// The redirect for this sign-in: a code, or the service's error.
    Answer(Result<String, AuthError>),
    /// Anything else (a favicon request, a wrong `state`, garbage, a slow client): answered
    /// and forgotten; the sign-in keeps waiting.
    Ignored,
}

/// Accepts connections until the redirect with this sign-in's `state` arrives. Each
/// connection is handled on its own task with a short deadline, so none can block another.
/// A request with `code` or `error` but another `state` (a web page that found the port,
/// trying to cancel or hijack the sign-in) gets a 400 and changes nothing.
async fn wait_for_redirect(
    listener: &TcpListener,
    expected_state: &str,
) -> Result<String, AuthError> {
    let mut visits = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted.map_err(|e| AuthError::Network(e.to_string()))?;
                let expected = expected_state.to_string();
                visits.spawn(async move {
                    tokio::time::timeout(REQUEST_DEADLINE, visit(stream, &expected))
                        .await
                        .unwrap_or(Visit::Ignored)
                });
            }
            Some(done) = visits.join_next(), if !visits.is_empty() => {
                if let Ok(Visit::Answer(answer)) = done {
                    return answer;
                }
            }
        }
    }
}

async fn visit(mut stream: TcpStream, expected_state: &str) -> Visit {
    let Some(target) = read_request_target(&mut stream).await else {
        return Visit::Ignored;
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
        return Visit::Ignored;
    }
    if get("state").as_deref() != Some(expected_state) {
        respond(&mut stream, "400 Bad Request", FAILED_PAGE).await;
        tracing::warn!("a request to the sign-in listener had the wrong state; ignored");
        return Visit::Ignored;
    }
    if let Some(error) = get("error") {
        respond(&mut stream, "200 OK", FAILED_PAGE).await;
        let description = get("error_description").unwrap_or_default();
        return Visit::Answer(Err(super::tokens::OAuthErrorBody {
            error,
            error_description: description,
        }
        .into_error()));
    }
    respond(&mut stream, "200 OK", DONE_PAGE).await;
    Visit::Answer(get("code").ok_or(AuthError::StateMismatch))
}

/// The request line's target, read within the caller's deadline (at most 8 KiB of head).
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    while len < buf.len() {
        let n = stream.read(&mut buf[len..]).await.ok()?;
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
