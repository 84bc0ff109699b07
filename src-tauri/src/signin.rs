//! Signing in from the app: thin glue between the commands and `graph::auth`.

use std::sync::Arc;
use std::time::Duration;

use graph::auth::{self, AuthError, DeviceCodePrompt, Session};
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::error::CommandError;
use crate::settings;
use crate::tenant::{Connection, SavedTenant, TenantSetup, TenantState};

/// What the device-code screen shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceCodeInfo {
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u32,
}

impl From<AuthError> for CommandError {
    fn from(e: AuthError) -> Self {
        let (code, message) = match &e {
            AuthError::Rejected { advice, .. } => ("signin.rejected", advice.clone()),
            AuthError::Config(m) => ("signin.setup", m.clone()),
            AuthError::Network(_) => ("signin.unreachable", "LicenseDesk cannot reach the Microsoft sign-in service. Check the network connection and try again.".into()),
            AuthError::Cancelled => ("signin.cancelled", "The sign-in was cancelled.".into()),
            AuthError::TimedOut => ("signin.timeout", "The sign-in took too long. Start it again.".into()),
            AuthError::StateMismatch => ("signin.state", "The browser returned an answer to a different sign-in. Start again.".into()),
            AuthError::DeviceCodeExpired => ("signin.expired", "The code expired before it was entered. Start again to get a new code.".into()),
            AuthError::Declined => ("signin.declined", "The sign-in was declined on the verification page.".into()),
            AuthError::ConsentRequired(_) => ("signin.consent", "An administrator must approve LicenseDesk's permissions for your organisation first (admin consent): Entra admin center → App registrations → your LicenseDesk app → API permissions → Grant admin consent. To assign licenses you also need the License Administrator or User Administrator role.".into()),
            AuthError::SignInAgain(_) => ("signin.again", "Your saved sign-in is no longer valid (it expired or was revoked). Sign in again.".into()),
            AuthError::Keychain(_) => ("signin.keychain", "The system keychain refused to store the sign-in. Unlock it and try again.".into()),
            AuthError::Refused(_) => ("signin.refused", "Microsoft refused the sign-in. The details say why.".into()),
        };
        // A rejection's advice is the message; the advice (for windows that word the code in
        // another language) and Entra's own words are the details.
        let details = match e {
            AuthError::Rejected { advice, detail } => format!("{advice}\n{detail}"),
            other => other.to_string(),
        };
        CommandError::new(code, message, Some(details))
    }
}

async fn cancellable(state: &TenantState) -> impl std::future::Future<Output = ()> + use<> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    *state.cancel.lock().await = Some(tx);
    async move {
        let _ = rx.await;
    }
}

pub async fn cancel(state: &TenantState) {
    if let Some(tx) = state.cancel.lock().await.take() {
        let _ = tx.send(());
    }
}

async fn finish<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
    setup: &TenantSetup,
    session: Session,
) -> Result<Connection, CommandError> {
    let (_, endpoint, _) = setup.endpoints()?;
    let who = session.signed_in();
    let mut connection = state.signed_in(setup, endpoint, session, wait_notifier(app))?;
    name_from_organization(&mut connection).await;
    tracing::info!(
        tenant = %connection.info.tenant_id,
        user = connection.info.user_principal_name.as_deref().unwrap_or(""),
        scopes = %connection.info.scopes.join(" "),
        "signed in"
    );
    if state.keychain_notice().is_none() {
        settings::remember(
            app,
            SavedTenant {
                setup: setup.clone(),
                tenant_id: who.tenant_id,
                user_principal_name: who.user_principal_name,
            },
        );
    }
    Ok(connection)
}

/// Tells the window when Graph asks LicenseDesk to wait (throttling), so the person sees why
/// nothing moves; the banner says how long (the `graph-wait` event carries whole seconds).
fn wait_notifier<R: Runtime>(app: &AppHandle<R>) -> graph::WaitNotifier {
    let app = app.clone();
    Arc::new(move |wait: Duration| {
        use tauri::Manager;
        let seconds = wait.as_secs_f64().ceil().min(f64::from(u32::MAX)) as u32;
        app.state::<crate::events::Events>()
            .send(crate::events::AppEvent::GraphWait { seconds });
    })
}

/// The organisation's own name and default domain for the header (the sign-in only tells the
/// account's domain). Best effort: a slow or refused answer keeps the name from the sign-in.
async fn name_from_organization(connection: &mut Connection) {
    let asked =
        tokio::time::timeout(Duration::from_secs(10), connection.client.organization()).await;
    match asked {
        Ok(Ok(Some(org))) => {
            if let Some(name) = org.display_name.as_deref().filter(|n| !n.trim().is_empty()) {
                connection.info.display_name = name.to_string();
            }
            if let Some(domain) = org.default_domain() {
                connection.info.domain = domain.to_string();
            }
        }
        Ok(Ok(None)) => {}
        Ok(Err(e)) => tracing::debug!("organization not read: {e}"),
        Err(_) => tracing::debug!("organization not read in 10 s"),
    }
}

/// A session for a fresh sign-in; its refresh token goes to the keychain.
fn new_session(
    state: &TenantState,
    setup: &TenantSetup,
    authority: graph::auth::Authority,
    scopes: Vec<String>,
    tokens: graph::auth::TokenSet,
) -> Result<Session, CommandError> {
    Ok(Session::start(
        state.http.clone(),
        authority,
        &setup.client_id,
        scopes,
        state.secrets(),
        tokens,
    )?)
}

pub async fn start_device<R: Runtime>(
    state: &TenantState,
    pending: &tokio::sync::Mutex<Option<(TenantSetup, DeviceCodePrompt)>>,
    setup: TenantSetup,
    _app: &AppHandle<R>,
) -> Result<DeviceCodeInfo, CommandError> {
    crate::org_policy::allows(&setup)?;
    let (authority, _, scopes) = setup.endpoints()?;
    let prompt =
        auth::start_device_code(&state.http, &authority, &setup.client_id, &scopes).await?;
    let info = DeviceCodeInfo {
        user_code: prompt.user_code.clone(),
        verification_uri: prompt.verification_uri.clone(),
        expires_in: prompt.expires_in.min(u64::from(u32::MAX)) as u32,
    };
    *pending.lock().await = Some((setup, prompt));
    Ok(info)
}

pub async fn finish_device<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
    pending: &tokio::sync::Mutex<Option<(TenantSetup, DeviceCodePrompt)>>,
) -> Result<Connection, CommandError> {
    let Some((setup, prompt)) = pending.lock().await.clone() else {
        return Err(CommandError::new(
            "signin.none",
            "No sign-in is in progress. Start again.",
            None,
        ));
    };
    let (authority, _, scopes) = setup.endpoints()?;
    let cancelled = cancellable(state).await;
    let tokens = auth::poll_device_code(
        &state.http,
        &authority,
        &setup.client_id,
        &prompt,
        cancelled,
    )
    .await?;
    *pending.lock().await = None;
    let session = new_session(state, &setup, authority, scopes, tokens)?;
    finish(app, state, &setup, session).await
}

pub async fn with_browser<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
    setup: TenantSetup,
) -> Result<Connection, CommandError> {
    crate::org_policy::allows(&setup)?;
    let (authority, _, scopes) = setup.endpoints()?;
    let cancelled = cancellable(state).await;
    let opener = app.clone();
    let tokens = auth::sign_in_interactive(
        &state.http,
        &authority,
        &setup.client_id,
        &scopes,
        move |url| {
            opener
                .opener()
                .open_url(url, None::<&str>)
                .map_err(|e| e.to_string())
        },
        Duration::from_secs(300),
        cancelled,
    )
    .await?;
    let session = new_session(state, &setup, authority, scopes, tokens)?;
    finish(app, state, &setup, session).await
}

/// Silent sign-in to a saved tenant from the keychain.
pub async fn resume<R: Runtime>(
    app: &AppHandle<R>,
    state: &TenantState,
    setup: TenantSetup,
) -> Result<Connection, CommandError> {
    crate::org_policy::allows(&setup)?;
    let (authority, _, scopes) = setup.endpoints()?;
    let session = Session::resume(
        state.http.clone(),
        authority,
        &setup.client_id,
        scopes,
        state.secrets(),
    )
    .await?
    .ok_or_else(|| {
        CommandError::new(
            "signin.again",
            "This tenant's sign-in is not saved any more. Sign in again.",
            None,
        )
    })?;
    finish(app, state, &setup, session).await
}

pub fn sign_out<R: Runtime>(
    app: &AppHandle<R>,
    connection: &Arc<Connection>,
    setup: Option<TenantSetup>,
) -> Result<(), CommandError> {
    if let Some(session) = &connection.session {
        session.sign_out()?;
    }
    if let Some(setup) = setup {
        settings::forget(app, &setup);
    }
    settings::clear_last(app);
    Ok(())
}
