//! `login`, `logout` and `whoami`.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use graph::Cloud;
use graph::auth::{self, AuthError, Authority, SecretStore, Session};
use serde_json::json;

use crate::CliError;
use crate::profile::{KEYCHAIN_SERVICE, Profile};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your tenant: its domain (contoso.onmicrosoft.com), its ID, or "organizations".
    #[arg(long)]
    pub tenant: String,
    /// The application (client) ID of your organisation's LicenseDesk app registration.
    #[arg(long)]
    pub client_id: String,
    /// Sign in with a code on another device instead of this machine's browser.
    #[arg(long)]
    pub device_code: bool,
    /// Also ask for User.ReadWrite.All, needed to set usage locations.
    #[arg(long)]
    pub set_usage_locations: bool,
    /// Sign-in service instead of the cloud's (plain http only on 127.0.0.1/localhost).
    #[arg(long, value_name = "URL")]
    pub authority_host: Option<String>,
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

pub async fn login(
    args: &LoginArgs,
    cloud: Cloud,
    graph_endpoint: Option<&str>,
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
    let scopes = auth::graph_scopes(&graph_root, args.set_usage_locations);
    let http = reqwest_client()?;

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
        eprintln!("{w}");
        eprintln!("Signed in for this command only; later commands will ask you to sign in again.");
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
    }
    .save()?;
    eprintln!(
        "Signed in as {} to tenant {}.",
        who.user_principal_name.as_deref().unwrap_or("(unknown)"),
        who.tenant_id.as_deref().unwrap_or(&args.tenant)
    );
    Ok(())
}

/// The saved session, renewed silently from the keychain.
pub async fn saved_session() -> Result<(Profile, Arc<Session>), CliError> {
    let profile = Profile::load()?.ok_or_else(|| {
        CliError::Usage(
            "not signed in: run `licensedesk-cli login --tenant … --client-id …`, or use --demo"
                .into(),
        )
    })?;
    let authority = Authority::new(&profile.authority_host, &profile.tenant)?;
    let store: Arc<dyn SecretStore> = Arc::new(auth::KeychainStore::new(KEYCHAIN_SERVICE));
    let scopes = auth::graph_scopes(
        &profile.graph_endpoint,
        profile.scopes.iter().any(|s| s == "User.ReadWrite.All"),
    );
    let session = Session::resume(reqwest_client()?, authority, &profile.client_id, scopes, store)
        .await?
        .ok_or_else(|| CliError::Failed("the saved sign-in is not in the keychain any more: sign in again with `licensedesk-cli login`".into()))?;
    Ok((profile, Arc::new(session)))
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

pub async fn whoami(as_json: bool) -> Result<(), CliError> {
    let (profile, session) = saved_session().await?;
    let who = session.signed_in();
    let tenant_id = who
        .tenant_id
        .or(profile.tenant_id)
        .unwrap_or(profile.tenant);
    let user = who
        .user_principal_name
        .or(profile.user_principal_name)
        .unwrap_or(profile.client_id);
    let scopes = session.scopes();
    if as_json {
        println!(
            "{}",
            json!({"tenantId": tenant_id, "userPrincipalName": user, "scopes": scopes})
        );
    } else {
        println!(
            "Signed in as {user}\nTenant: {tenant_id}\nPermissions: {}",
            scopes.join(", ")
        );
    }
    Ok(())
}

fn reqwest_client() -> Result<reqwest::Client, CliError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| CliError::Failed(e.to_string()))
}
