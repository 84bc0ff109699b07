//! `login`, `logout` and `whoami`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use graph::Cloud;
use graph::TokenSource;
use graph::auth::{
    self, AppCredential, AppOnlySession, AuthError, Authority, SecretStore, Session, StoreError,
};
use serde_json::json;

use crate::CliError;
use crate::connection::{http_client, secret_from_env};
use crate::profile::{AppProfile, KEYCHAIN_SERVICE, Profile};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your tenant: its domain (contoso.onmicrosoft.com), its ID, or "organizations".
    #[arg(long)]
    pub tenant: String,
    /// The application (client) ID of your organisation's LicenseDesk app registration.
    #[arg(long)]
    pub client_id: String,
    /// Sign in with a code on another device instead of this machine's browser.
    #[arg(long, conflicts_with_all = ["client_secret_env", "certificate"])]
    pub device_code: bool,
    /// App-only (automation): the environment variable holding the app's client secret.
    /// The secret is then kept in the OS keychain for later commands.
    #[arg(long, value_name = "VAR", conflicts_with = "certificate")]
    pub client_secret_env: Option<String>,
    /// App-only (automation): a .pfx/.p12 file with the certificate registered on the app and
    /// its private key.
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
    /// The environment variable holding the certificate file's password, if it has one.
    #[arg(long, value_name = "VAR", requires = "certificate")]
    pub certificate_password_env: Option<String>,
    /// Also ask for User.ReadWrite.All, needed to set usage locations.
    #[arg(long)]
    pub set_usage_locations: bool,
    /// Sign-in service instead of the cloud's (plain http only on 127.0.0.1/localhost).
    #[arg(long, value_name = "URL")]
    pub authority_host: Option<String>,
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Failed(format!("the keychain refused: {}", e.0))
    }
}

impl From<AuthError> for CliError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Config(m) => CliError::Usage(m),
            AuthError::ConsentRequired(_) => CliError::Failed(format!(
                "{e}. An admin grants it in the Entra admin center: App registrations → your LicenseDesk app → API permissions → Grant admin consent. You need the License Administrator or User Administrator role to assign licenses."
            )),
            other => CliError::Failed(other.to_string()),
        }
    }
}

fn open_in_browser(url: &str) -> Result<(), String> {
    let (program, args): (&str, Vec<&str>) = if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

fn read_certificate(path: &Path, password: Option<String>) -> Result<AppCredential, CliError> {
    let pkcs12 = std::fs::read(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the certificate {}: {e}",
            path.display()
        ))
    })?;
    Ok(AppCredential::Certificate { pkcs12, password })
}

pub async fn login(
    args: &LoginArgs,
    cloud: Cloud,
    graph_endpoint: Option<&str>,
    ca_certificate: Option<&Path>,
) -> Result<(), CliError> {
    let host = args
        .authority_host
        .clone()
        .unwrap_or_else(|| cloud.authority_host().to_string());
    let authority = Authority::new(&host, &args.tenant)?;
    let graph_root = graph_endpoint
        .unwrap_or(cloud.graph_root())
        .trim_end_matches('/')
        .to_string();
    graph::GraphEndpoint::new(&graph_root)?;
    let http = http_client(ca_certificate)?;
    // Saved as an absolute path: later commands may run from another folder (cron).
    let ca_certificate =
        ca_certificate.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));

    if args.client_secret_env.is_some() || args.certificate.is_some() {
        return login_app_only(args, authority, graph_root, http, ca_certificate).await;
    }
    let scopes = auth::graph_scopes(&graph_root, args.set_usage_locations);

    let tokens = if args.device_code {
        let prompt = auth::start_device_code(&http, &authority, &args.client_id, &scopes).await?;
        eprintln!(
            "To sign in, open {} and enter the code {}",
            prompt.verification_uri, prompt.user_code
        );
        eprintln!("Waiting for you to finish (Ctrl+C to cancel)…");
        auth::poll_device_code(&http, &authority, &args.client_id, &prompt, ctrl_c()).await?
    } else {
        auth::sign_in_interactive(
            &http,
            &authority,
            &args.client_id,
            &scopes,
            |url| {
                eprintln!("Opening your browser to sign in. If it does not open, visit:\n{url}");
                let _ = open_in_browser(&url);
                Ok(())
            },
            Duration::from_secs(300),
            ctrl_c(),
        )
        .await?
    };

    let (store, warning) = auth::keychain_or_memory(KEYCHAIN_SERVICE);
    let session = Session::start(
        http,
        authority,
        &args.client_id,
        scopes.clone(),
        store.clone(),
        tokens,
    )?;
    let who = session.signed_in();
    let granted = session.scopes();
    if let Some(w) = warning {
        say_signed_in_for_this_command_only(&w);
        return Ok(());
    }
    Profile {
        tenant: args.tenant.clone(),
        client_id: args.client_id.clone(),
        authority_host: host,
        graph_endpoint: graph_root,
        scopes: granted,
        tenant_id: who.tenant_id.clone(),
        user_principal_name: who.user_principal_name.clone(),
        app: None,
        ca_certificate,
    }
    .save()?;
    eprintln!(
        "Signed in as {} to tenant {}.",
        who.user_principal_name.as_deref().unwrap_or("(unknown)"),
        who.tenant_id.as_deref().unwrap_or(&args.tenant)
    );
    Ok(())
}

/// Without a keychain nothing is saved: the sign-in served this command and is gone.
fn say_signed_in_for_this_command_only(why: &str) {
    eprintln!("{why}");
    eprintln!("Signed in for this command only; later commands will ask you to sign in again.");
}

/// App-only sign-in: proves the app with its secret or certificate now, then keeps the secret
/// (or the certificate's password) in the keychain for later commands.
async fn login_app_only(
    args: &LoginArgs,
    authority: Authority,
    graph_root: String,
    http: reqwest::Client,
    ca_certificate: Option<PathBuf>,
) -> Result<(), CliError> {
    let (credential, kept_secret, app) = match (&args.client_secret_env, &args.certificate) {
        (Some(var), _) => {
            let secret = secret_from_env(var, "--client-secret-env")?;
            let app = AppProfile {
                certificate_path: None,
                certificate_has_password: false,
            };
            (AppCredential::Secret(secret.clone()), Some(secret), app)
        }
        (None, Some(path)) => {
            let password = args
                .certificate_password_env
                .as_deref()
                .map(|var| secret_from_env(var, "--certificate-password-env"))
                .transpose()?;
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let app = AppProfile {
                certificate_path: Some(path.clone()),
                certificate_has_password: password.is_some(),
            };
            (read_certificate(&path, password.clone())?, password, app)
        }
        (None, None) => unreachable!("checked by the caller"),
    };
    let session = AppOnlySession::start(
        http,
        authority.clone(),
        &args.client_id,
        &graph_root,
        credential,
    )
    .await?;
    let identity = session.identity().clone();

    let (store, warning) = auth::keychain_or_memory(KEYCHAIN_SERVICE);
    if let Some(w) = warning {
        say_signed_in_for_this_command_only(&w);
        return Ok(());
    }
    let account = Session::account_name(&authority, &args.client_id);
    match &kept_secret {
        Some(secret) => store.set(&account, secret),
        None => store.delete(&account),
    }?;
    Profile {
        tenant: args.tenant.clone(),
        client_id: args.client_id.clone(),
        authority_host: authority.host().to_string(),
        graph_endpoint: graph_root,
        scopes: identity.roles.clone(),
        tenant_id: identity.tenant_id.clone(),
        user_principal_name: None,
        app: Some(app),
        ca_certificate,
    }
    .save()?;
    eprintln!(
        "Signed in as the app {} to tenant {} (application permissions: {}).",
        identity.app_id.as_deref().unwrap_or(&args.client_id),
        identity.tenant_id.as_deref().unwrap_or(&args.tenant),
        if identity.roles.is_empty() {
            "none granted yet".to_string()
        } else {
            identity.roles.join(", ")
        }
    );
    Ok(())
}

/// A saved sign-in made ready to use: a person's session renewed with its refresh token, or
/// an app's proven again with its secret or certificate.
pub struct SavedSignIn {
    pub profile: Profile,
    pub http: reqwest::Client,
    pub tokens: Arc<dyn TokenSource>,
    pub who: Who,
}

/// Who the saved sign-in is, for `whoami`.
pub enum Who {
    User {
        tenant_id: String,
        user_principal_name: String,
        scopes: Vec<String>,
    },
    App {
        tenant_id: String,
        app_id: String,
        roles: Vec<String>,
    },
}

/// The saved session, renewed silently from the keychain. `ca_certificate` (this command's
/// --ca-certificate) wins over the one saved at sign-in.
pub async fn saved_session(ca_certificate: Option<&Path>) -> Result<SavedSignIn, CliError> {
    let profile = Profile::load()?.ok_or_else(|| {
        CliError::Usage(
            "not signed in: run `licensedesk-cli login --tenant … --client-id …`, or use --demo"
                .into(),
        )
    })?;
    let http = http_client(ca_certificate.or(profile.ca_certificate.as_deref()))?;
    let authority = Authority::new(&profile.authority_host, &profile.tenant)?;
    let store: Arc<dyn SecretStore> = Arc::new(auth::KeychainStore::new(KEYCHAIN_SERVICE));
    let account = Session::account_name(&authority, &profile.client_id);
    let gone = || {
        CliError::Failed("the saved sign-in is not in the keychain any more: sign in again with `licensedesk-cli login`".into())
    };

    if let Some(app) = &profile.app {
        let kept = store.get(&account)?;
        let credential = match &app.certificate_path {
            Some(path) => {
                if app.certificate_has_password && kept.is_none() {
                    return Err(gone());
                }
                read_certificate(path, kept)?
            }
            None => AppCredential::Secret(kept.ok_or_else(gone)?),
        };
        let session = AppOnlySession::start(
            http.clone(),
            authority,
            &profile.client_id,
            &profile.graph_endpoint,
            credential,
        )
        .await?;
        let identity = session.identity().clone();
        let who = Who::App {
            tenant_id: identity
                .tenant_id
                .or(profile.tenant_id.clone())
                .unwrap_or(profile.tenant.clone()),
            app_id: identity.app_id.unwrap_or(profile.client_id.clone()),
            roles: identity.roles,
        };
        return Ok(SavedSignIn {
            profile,
            http,
            tokens: Arc::new(session),
            who,
        });
    }

    let scopes = auth::graph_scopes(
        &profile.graph_endpoint,
        profile.scopes.iter().any(|s| s == "User.ReadWrite.All"),
    );
    let session = Session::resume(http.clone(), authority, &profile.client_id, scopes, store)
        .await?
        .ok_or_else(gone)?;
    let signed_in = session.signed_in();
    let who = Who::User {
        tenant_id: signed_in
            .tenant_id
            .or(profile.tenant_id.clone())
            .unwrap_or(profile.tenant.clone()),
        user_principal_name: signed_in
            .user_principal_name
            .or(profile.user_principal_name.clone())
            .unwrap_or(profile.client_id.clone()),
        scopes: session.scopes(),
    };
    Ok(SavedSignIn {
        profile,
        http,
        tokens: Arc::new(session),
        who,
    })
}

pub async fn logout() -> Result<(), CliError> {
    let Some(profile) = Profile::load()? else {
        eprintln!("Not signed in.");
        return Ok(());
    };
    let authority = Authority::new(&profile.authority_host, &profile.tenant)?;
    let store = auth::KeychainStore::new(KEYCHAIN_SERVICE);
    store
        .delete(&Session::account_name(&authority, &profile.client_id))
        .map_err(|e| {
            CliError::Failed(format!(
                "could not remove the sign-in from the keychain: {e}"
            ))
        })?;
    Profile::delete()?;
    eprintln!("Signed out of {}.", profile.tenant);
    Ok(())
}

pub async fn whoami(as_json: bool, ca_certificate: Option<&Path>) -> Result<(), CliError> {
    let saved = saved_session(ca_certificate).await?;
    let (text, value) = match &saved.who {
        Who::User {
            tenant_id,
            user_principal_name,
            scopes,
        } => (
            format!(
                "Signed in as {user_principal_name}\nTenant: {tenant_id}\nPermissions: {}",
                scopes.join(", ")
            ),
            json!({"signInKind": "user", "tenantId": tenant_id, "userPrincipalName": user_principal_name, "scopes": scopes}),
        ),
        Who::App {
            tenant_id,
            app_id,
            roles,
        } => (
            format!(
                "Signed in as the app {app_id} (app-only)\nTenant: {tenant_id}\nApplication permissions: {}",
                roles.join(", ")
            ),
            json!({"signInKind": "app", "tenantId": tenant_id, "appId": app_id, "scopes": roles}),
        ),
    };
    if as_json {
        println!("{value}");
    } else {
        println!("{text}");
    }
    Ok(())
}
