//! `licensedesk-cli`: LicenseDesk for scripts and scheduled runs.
//!
//! Exit codes are a contract: 0 success, 1 the operation failed, 2 usage or input error.

mod connection;
mod login;
mod output;
mod profile;

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use graph_sim::{RunningSim, Scenario};
use thiserror::Error;

use crate::connection::{Connection, ConnectionArgs};

#[derive(Debug, Parser)]
#[command(
    name = "licensedesk-cli",
    version,
    about = "Microsoft 365 licenses from the command line (LicenseDesk's engine)",
    after_help = "Exit codes: 0 success, 1 operation failed, 2 usage or input error."
)]
struct Cli {
    #[command(flatten)]
    connection: ConnectionArgs,

    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the tenant's license plans (SKUs) with their seats.
    Skus,
    /// List every user with their licenses.
    Users,
    /// Sign in to a tenant; the session is kept in the OS keychain for later commands.
    Login(login::LoginArgs),
    /// Sign out: removes the saved sign-in from the keychain.
    Logout,
    /// Who is signed in, to which tenant, with which permissions.
    Whoami,
    /// The Microsoft Graph emulator (graph-sim).
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// Run the emulator on 127.0.0.1 until stopped. Prints one JSON line with graphEndpoint and
    /// accessToken, then serves.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A bundled scenario name (demo, large) or a path to a scenario JSON file.
    #[arg(long, default_value = "demo")]
    scenario: String,
    /// Serve HTTPS with a certificate from an authority made for this run; its PEM is in the
    /// JSON line (caCertificatePem) for clients to trust with --ca-certificate.
    #[arg(long)]
    tls: bool,
    /// Make a certificate for the emulator's app-only client, register it, and write it with
    /// its key to FILE (PKCS#12, password in the JSON line) for `login --certificate`.
    #[arg(long, value_name = "FILE")]
    client_certificate_out: Option<std::path::PathBuf>,
}

/// The password on the PKCS#12 file `sim serve --client-certificate-out` writes. A test value
/// for a made-up tenant, printed on purpose.
const SIM_CERTIFICATE_PASSWORD: &str = "graph-sim";

#[derive(Debug, Error)]
pub enum CliError {
    /// The command line or its input is wrong: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The operation itself failed: exit 1.
    #[error("{0}")]
    Failed(String),
}

impl From<graph::GraphError> for CliError {
    fn from(e: graph::GraphError) -> Self {
        match e {
            graph::GraphError::InvalidEndpoint(_) | graph::GraphError::InvalidToken(_) => {
                Self::Usage(e.to_string())
            }
            other => Self::Failed(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Diagnostics on stderr only when asked for (LICENSEDESK_LOG=debug, graph=trace, …): stdout
    // stays the command's answer. Tokens never appear at any level.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("LICENSEDESK_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("licensedesk-cli: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let (message, code) = match runtime.block_on(run(cli)) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(CliError::Usage(message)) => (message, 2),
        Err(CliError::Failed(message)) => (message, 1),
    };
    // An error can carry a server's words: shown bounded and without control characters (a
    // terminal would obey them); the whole text goes to the log for support.
    tracing::debug!(error = %message, "the command failed");
    eprintln!(
        "licensedesk-cli: {}",
        output::terminal_safe(&message, output::MAX_ERROR_CHARS)
    );
    ExitCode::from(code)
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sim {
            command: SimCommand::Serve(args),
        } => serve(args).await,
        Command::Login(args) => {
            let cloud: graph::Cloud = cli.connection.cloud().parse()?;
            login::login(
                &args,
                cloud,
                cli.connection.graph_endpoint(),
                cli.connection.ca_certificate(),
            )
            .await
        }
        Command::Logout => login::logout().await,
        Command::Whoami => login::whoami(cli.json, cli.connection.ca_certificate()).await,
        Command::Skus => {
            let connection = Connection::open(&cli.connection).await?;
            let skus = connection.sku_summaries().await?;
            output::print_skus(&skus, cli.json)
        }
        Command::Users => {
            let connection = Connection::open(&cli.connection).await?;
            let users = connection.user_summaries().await?;
            output::print_users(&users, cli.json)
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let scenario = Scenario::load(&args.scenario).map_err(|e| CliError::Usage(e.to_string()))?;
    let sim = RunningSim::start_with(&scenario, args.port, args.tls)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let (client_id, client_secret) = sim.confidential_client();
    let mut line = serde_json::json!({
        "graphEndpoint": sim.graph_endpoint(),
        "accessToken": sim.access_token(),
        "confidentialClientId": client_id,
        "clientSecret": client_secret,
    });
    if let Some(pem) = sim.ca_certificate_pem() {
        line["caCertificatePem"] = serde_json::json!(pem);
    }
    if let Some(path) = &args.client_certificate_out {
        let pkcs12 = sim
            .new_client_certificate(SIM_CERTIFICATE_PASSWORD)
            .map_err(|e| CliError::Failed(e.to_string()))?;
        std::fs::write(path, pkcs12)
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
        line["clientCertificatePassword"] = serde_json::json!(SIM_CERTIFICATE_PASSWORD);
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))?;
    drop(stdout);
    eprintln!(
        "graph-sim: serving scenario '{}' ({} users) at {}; stop with Ctrl+C",
        scenario.name,
        scenario.tenant.users,
        sim.graph_endpoint()
    );
    tokio::select! {
        () = sim.serve_until_stopped() => {}
        () = stop_signal() => {}
    }
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
