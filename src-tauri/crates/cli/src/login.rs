//! `login`, `logout` and `whoami`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use graph::Cloud;
use graph::TokenSource;
use graph::auth::{
    self, AppCredential, AppOnlySession, AuthError, Authority, SecretKind, SecretStore, Session,
    StoreError,
};
use serde_json::json;

use crate::CliError;
use crate::connection::{http_client, read_ca_certificate, secret_from_env};
use crate::output::terminal_safe;
use crate::profile::{AppProfile, KEYCHAIN_SERVICE, LEGACY_KEYCHAIN_SERVICE, Profile};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your tenant: its domain (contoso.onmicrosoft.com), its ID, or "organizations"
    /// (default: the organisation's policy).
    #[arg(long = "tenant", value_name = "TENANT")]
    pub tenant_given: Option<String>,
    /// The application (client) ID of your organisation's LicenseDesk app registration
    /// (default: the organisation's policy).
    #[arg(long = "client-id", value_name = "ID")]
    pub client_id_given: Option<String>,
    /// The tenant and app signed in to: as given, or from the policy (`settle`).
    #[arg(skip)]
    pub tenant: String,
    #[arg(skip)]
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
    /// Also ask for User.ReadWrite.All, needed to set usage locations and to reprocess group
    /// licenses.
    #[arg(long)]
    pub set_usage_locations: bool,
    /// Also ask for GroupMember.ReadWrite.All, needed to add and remove people in license
    /// groups (add-to-group, remove-from-group, roles that join groups).
    #[arg(long)]
    pub manage_groups: bool,
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

/// The default browser, through the `open` crate: ShellExecute on Windows (never a `cmd`
/// command line, which would cut the URL at its first `&`), `open` on macOS, xdg-open and
/// friends elsewhere. The URL is passed as one argument, never through a shell.
fn open_in_browser(url: &str) -> Result<(), String> {
    open::that_detached(url).map_err(|e| e.to_string())
}

/// The keychain entry of an older LicenseDesk for this tenant and app, if one is left. It
/// is never used (the app and the CLI shared it for every kind of secret, so it may hold the
/// wrong one); its presence explains why the person must sign in again.
fn legacy_entry_exists(authority: &Authority, client_id: &str) -> bool {
    auth::KeychainStore::new(LEGACY_KEYCHAIN_SERVICE)
        .get(&auth::legacy_entry_name(authority, client_id))
        .is_ok_and(|kept| kept.is_some())
}

/// Removes an older LicenseDesk's entry for this tenant and app (best effort: it is never
/// read either way).
fn remove_legacy_entry(authority: &Authority, client_id: &str) {
    let _ = auth::KeychainStore::new(LEGACY_KEYCHAIN_SERVICE)
        .delete(&auth::legacy_entry_name(authority, client_id));
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

/// Fills in the tenant, app and cloud from the command line and the organisation's policy:
/// what is given wins unless the policy locks it, and then it must be the policy's.
pub fn settle(
    args: &mut LoginArgs,
    cloud_given: Option<&str>,
    policy: Option<&policy::Loaded>,
) -> Result<Cloud, CliError> {
    let from_policy = |pick: fn(&policy::Policy) -> Option<&String>| {
        policy.and_then(|p| pick(&p.policy)).cloned()
    };
    let missing = |what: &str, flag: &str| {
        CliError::Usage(format!(
            "no {what}: give {flag} (your organisation's policy does not name one)"
        ))
    };
    args.tenant = args
        .tenant_given
        .clone()
        .or_else(|| from_policy(|p| p.tenant.as_ref()))
        .ok_or_else(|| missing("tenant", "--tenant"))?;
    args.client_id = args
        .client_id_given
        .clone()
        .or_else(|| from_policy(|p| p.client_id.as_ref()))
        .ok_or_else(|| missing("application (client) ID", "--client-id"))?;
    let cloud = cloud_given
        .map(str::to_string)
        .or_else(|| from_policy(|p| p.cloud.as_ref()))
        .unwrap_or_else(|| "global".into());
    if let Some(p) = policy {
        p.policy
            .allows_setup(&args.tenant, &args.client_id, &cloud)
            .map_err(|why| CliError::Usage(format!("{why} ({})", p.file.display())))?;
    }
    Ok(cloud.parse()?)
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
    // The certificate itself is saved, not its path: whoever can write that file later must
    // not be able to change what later commands trust.
    let ca_pem = ca_certificate.map(read_ca_certificate).transpose()?;
    let http = http_client(ca_pem.as_deref())?;
    let ca_certificate = ca_pem
        .map(String::from_utf8)
        .transpose()
        .map_err(|_| CliError::Usage("the root certificate file is not PEM text".into()))?;

    if args.client_secret_env.is_some() || args.certificate.is_some() {
        return login_app_only(args, authority, graph_root, http, ca_certificate).await;
    }
    let scopes = auth::graph_scopes(&graph_root, args.set_usage_locations, args.manage_groups);

    let tokens = if args.device_code {
        let prompt = auth::start_device_code(&http, &authority, &args.client_id, &scopes).await?;
        say!(
            "To sign in, open {} and enter the code {}",
            terminal_safe(&prompt.verification_uri, 300),
            terminal_safe(&prompt.user_code, 40)
        );
        say!("Waiting for you to finish (Ctrl+C to cancel)…");
        auth::poll_device_code(&http, &authority, &args.client_id, &prompt, ctrl_c()).await?
    } else {
        auth::sign_in_interactive(
            &http,
            &authority,
            &args.client_id,
            &scopes,
            |url| {
                say!(
                    "Opening your browser to sign in. If it does not open, visit:\n{}",
                    terminal_safe(&url, 4_000)
                );
                let _ = open_in_browser(&url);
                Ok(())
            },
            Duration::from_secs(300),
            ctrl_c(),
        )
        .await?
    };

    let (store, warning) = auth::keychain_or_memory(KEYCHAIN_SERVICE);
    let authority_for_cleanup = authority.clone();
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
    // An app-only secret kept for the same tenant and app stays: it is another entry now.
    remove_legacy_entry(&authority_for_cleanup, &args.client_id);
    Profile {
        tenant: args.tenant.clone(),
        client_id: args.client_id.clone(),
        authority_host: host,
        graph_endpoint: graph_root,
        scopes: granted,
        tenant_id: who.tenant_id.clone(),
        user_principal_name: who.user_principal_name.clone(),
        app: None,
        ca_certificate_pem: ca_certificate,
        legacy_ca_certificate_path: None,
    }
    .save()?;
    say!(
        "Signed in as {} to tenant {}.",
        who.user_principal_name.as_deref().unwrap_or("(unknown)"),
        who.tenant_id.as_deref().unwrap_or(&args.tenant)
    );
    Ok(())
}

/// Without a keychain nothing is saved: the sign-in served this command and is gone.
fn say_signed_in_for_this_command_only(why: &str) {
    say!("{why}");
    say!("Signed in for this command only; later commands will ask you to sign in again.");
}

/// App-only sign-in: proves the app with its secret or certificate now, then keeps the secret
/// (or the certificate's password) in the keychain for later commands.
async fn login_app_only(
    args: &LoginArgs,
    authority: Authority,
    graph_root: String,
    http: reqwest::Client,
    ca_certificate: Option<String>,
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
    // Each kind of secret has its own entry: a person's refresh token for the same tenant and
    // app is neither overwritten nor ever sent as this secret.
    let kind = app_secret_kind(&app);
    let account = auth::entry_name(kind, &authority, &args.client_id);
    match &kept_secret {
        Some(secret) => store.set(&account, secret),
        None => store.delete(&account),
    }?;
    remove_legacy_entry(&authority, &args.client_id);
    Profile {
        tenant: args.tenant.clone(),
        client_id: args.client_id.clone(),
        authority_host: authority.host().to_string(),
        graph_endpoint: graph_root,
        scopes: identity.roles.clone(),
        tenant_id: identity.tenant_id.clone(),
        user_principal_name: None,
        app: Some(app),
        ca_certificate_pem: ca_certificate,
        legacy_ca_certificate_path: None,
    }
    .save()?;
    say!(
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

/// Which keychain entry an app-only sign-in keeps its secret in.
fn app_secret_kind(app: &AppProfile) -> SecretKind {
    match app.certificate_path {
        Some(_) => SecretKind::CertificatePassword,
        None => SecretKind::ClientSecret,
    }
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
    if profile.legacy_ca_certificate_path.is_some() && ca_certificate.is_none() {
        return Err(CliError::Failed(
            "the saved sign-in trusts a root certificate by its file path, which this version no longer does (whoever can change the file would change what is trusted): sign in again with `licensedesk-cli login … --ca-certificate FILE`".into(),
        ));
    }
    let ca_pem = match ca_certificate {
        Some(path) => Some(read_ca_certificate(path)?),
        None => profile.ca_certificate_pem.clone().map(String::into_bytes),
    };
    let http = http_client(ca_pem.as_deref())?;
    let authority = Authority::new(&profile.authority_host, &profile.tenant)?;
    let store: Arc<dyn SecretStore> = Arc::new(auth::KeychainStore::new(KEYCHAIN_SERVICE));
    let gone = || {
        if legacy_entry_exists(&authority, &profile.client_id) {
            return CliError::Failed("this sign-in was saved by an older LicenseDesk under a keychain name the app and the CLI shared for every kind of secret, so it is not used: sign in again with `licensedesk-cli login`".into());
        }
        CliError::Failed("the saved sign-in is not in the keychain any more: sign in again with `licensedesk-cli login`".into())
    };

    if let Some(app) = &profile.app {
        let account = auth::entry_name(app_secret_kind(app), &authority, &profile.client_id);
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
        profile
            .scopes
            .iter()
            .any(|s| s == "GroupMember.ReadWrite.All"),
    );
    let session = Session::resume(
        http.clone(),
        authority.clone(),
        &profile.client_id,
        scopes,
        store,
    )
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
        say!("Not signed in.");
        return Ok(());
    };
    let authority = Authority::new(&profile.authority_host, &profile.tenant)?;
    let store = auth::KeychainStore::new(KEYCHAIN_SERVICE);
    // Only this sign-in's entry: a person's logout never removes an app-only secret kept for
    // the same tenant and app, and the reverse.
    let account = match &profile.app {
        Some(app) => auth::entry_name(app_secret_kind(app), &authority, &profile.client_id),
        None => Session::account_name(&authority, &profile.client_id),
    };
    store.delete(&account).map_err(|e| {
        CliError::Failed(format!(
            "could not remove the sign-in from the keychain: {e}"
        ))
    })?;
    remove_legacy_entry(&authority, &profile.client_id);
    Profile::delete()?;
    say!("Signed out of {}.", profile.tenant);
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
