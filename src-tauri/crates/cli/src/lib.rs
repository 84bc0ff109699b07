//! `licensedesk-cli`: LicenseDesk for scripts and scheduled runs.
//!
//! Exit codes are a contract: 0 success, 1 the operation failed, 2 usage or input error.
//!
//! Past 600 lines: the command line itself (every command's arguments and help) and the one
//! place each command is dispatched; the work is in the modules.

/// Prints to stderr through the one terminal-safe path: a plan's title, a file's name, a
/// person's name or a server's words can hold escape sequences (a window title, cursor moves)
/// that a terminal would obey; here they are dropped, line by line.
macro_rules! say {
    ($($arg:tt)*) => {
        eprint!("{}", $crate::operations::terminal_safe_lines(&format!($($arg)*)))
    };
}

mod connection;
mod groups;
mod import;
mod kept;
mod login;
mod money;
mod operations;
mod output;
mod planfile;
mod product_names;
mod profile;
mod reclaim;
mod roles;
mod runs;

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
    /// List people with their licenses: everyone, or those the filters keep.
    Users {
        #[command(flatten)]
        filter: operations::UserFilter,
        /// Only people who hold this plan (SKU id, part number or name).
        #[arg(long, value_name = "SKU")]
        sku: Option<String>,
    },
    /// One person with each license's source and service plans (apps) and their state.
    User {
        /// User principal name (or object id).
        upn: String,
    },
    /// Set a person's usage location (a two-letter code in any case, or a country name).
    SetLocation { upn: String, country: String },
    /// Give a person a plan, optionally with some of its service plans switched off.
    Assign {
        upn: String,
        /// SKU id, part number or friendly name.
        #[arg(required_unless_present = "role")]
        sku: Option<String>,
        /// Give a role's plans (with their apps off) instead: see `roles`.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["sku", "disable_plans"])]
        role: Option<String>,
        /// A service plan (app) to leave off, by name or id; repeat for more.
        #[arg(long = "disable-plan", value_name = "PLAN")]
        disable_plans: Vec<String>,
    },
    /// Take a plan assigned directly away from a person.
    Remove { upn: String, sku: String },
    /// Move a person from one plan to another in one step (never left with neither).
    Swap {
        upn: String,
        #[arg(long, value_name = "SKU")]
        from: String,
        #[arg(long, value_name = "SKU")]
        to: String,
        /// Switch off in the new plan the apps that were off in the old one (by name).
        #[arg(long)]
        keep_disabled_plans: bool,
    },
    /// Give a plan to everyone the filters keep (planned first; --dry-run only shows the plan).
    AssignAll {
        #[arg(long, value_name = "SKU", required_unless_present = "role")]
        sku: Option<String>,
        /// Give a role's plans (with their apps off), or its groups, instead: see `roles`.
        #[arg(long, value_name = "NAME", conflicts_with = "sku")]
        role: Option<String>,
        #[command(flatten)]
        filter: operations::UserFilter,
        /// Set this usage location for people who have none (code or country name).
        #[arg(long, value_name = "COUNTRY")]
        set_usage_location: Option<String>,
        /// When seats run short: `partial` gives as many as seats allow (in list order),
        /// `none` gives nobody the plan.
        #[arg(long, value_enum, default_value = "none")]
        shortfall: Shortfall,
        /// Show what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Write the plan to this file for another administrator to approve and apply
        /// (`apply --plan`); nothing is changed.
        #[arg(long, value_name = "PLAN.json")]
        out: Option<std::path::PathBuf>,
    },
    /// Licenses that look wasted — disabled accounts, no sign-in for N days, never signed in,
    /// a plan another plan covers — planned, asked and applied like every change (undo with
    /// `undo`). With no reason flag, all reasons.
    Reclaim(reclaim::ReclaimArgs),
    /// People and groups `reclaim` never proposes (the app's list too), each with why.
    Exclusions {
        #[command(subcommand)]
        command: Option<reclaim::ExclusionsCommand>,
    },
    /// The monthly price of each plan's seat (Graph has none: import them from a CSV file).
    Prices {
        #[command(subcommand)]
        command: Option<money::PricesCommand>,
    },
    /// What the plans with a price cost a month, and what their unassigned seats cost; with
    /// `--by department`, a chargeback report (CSV or Excel).
    Costs {
        #[arg(long, value_enum)]
        by: Option<money::By>,
        #[arg(long, value_enum, default_value = "csv")]
        format: money::TableFormat,
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// What the tenant bought: each subscription's state, seats and next date, and who would
    /// lose their seat if it ended.
    Subscriptions {
        #[command(subcommand)]
        command: Option<money::SubscriptionsCommand>,
        /// The warning window in days.
        #[arg(long, value_name = "DAYS", default_value_t = 90, global = true)]
        within: u32,
    },
    /// Free-seat thresholds under which a plan is flagged (and `check` fails).
    Thresholds {
        #[command(subcommand)]
        command: Option<money::ThresholdsCommand>,
    },
    /// The friendly product names in use (built in, or Microsoft's list fetched with
    /// `refresh`).
    ProductNames {
        #[command(subcommand)]
        command: Option<product_names::ProductNamesCommand>,
    },
    /// Role templates: a named set of plans (with apps off) or groups, for `--role`.
    Roles {
        #[command(subcommand)]
        command: Option<roles::RolesCommand>,
    },
    /// The groups that give licenses: their plans (with the apps switched off), members, and
    /// how many are in error or still pending.
    Groups,
    /// One license group's members and where each stands: active, pending, or in error with
    /// why and the fix. GROUP is an id or a display name.
    Group {
        #[arg(value_name = "GROUP")]
        group: String,
        /// Only the people in error.
        #[arg(long)]
        errors: bool,
    },
    /// Add people to a license group: planned (with the seats its plans will take once
    /// Microsoft has processed it), asked, journaled and undoable (`undo`).
    AddToGroup(groups::MembershipArgs),
    /// Remove people from a license group (they lose what it gives once processed); planned,
    /// asked, journaled and undoable.
    RemoveFromGroup(groups::MembershipArgs),
    /// Ask Microsoft to work out people's group licenses again (after a seat was freed or a
    /// conflicting plan removed): the people named, or everyone in error (`--errors`).
    Reprocess(groups::ReprocessArgs),
    /// For schedulers: exit 1 when a plan is under its threshold or a subscription (not marked
    /// as renewing by itself or committed) reaches its next date within the window; 0 when
    /// all is clear.
    Check {
        #[arg(long, value_name = "DAYS", default_value_t = 30)]
        within: u32,
    },
    /// Read the file HR sends and show how it was read, the column mapping and every row
    /// with its problems (nothing is changed).
    Import(import::FileArgs),
    /// The plan for what an HR file asks (per person and per license's seats); nothing is
    /// changed.
    Plan {
        #[command(flatten)]
        file: import::FileArgs,
        /// When seats run short: `partial` or `none` (as for assign-all).
        #[arg(long, value_enum, default_value = "none")]
        shortfall: Shortfall,
        /// Write the plan to this file for another administrator to approve and apply.
        #[arg(long, value_name = "PLAN.json")]
        out: Option<std::path::PathBuf>,
    },
    /// Apply what an HR file asks, or a plan file (`--plan`); planned first, asks for a yes
    /// unless --yes.
    Apply {
        /// A plan file written with --out: checked (tenant, digest), planned again on the
        /// tenant as it is now, what drifted shown, then applied.
        #[arg(long, value_name = "PLAN.json", conflicts_with = "file")]
        plan: Option<std::path::PathBuf>,
        #[command(flatten)]
        file: import::FileArgs,
        #[arg(long, value_enum, default_value = "none")]
        shortfall: Shortfall,
        /// Apply without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Your plan-signing key (made and kept in the OS keychain the first time): give its
    /// public key to whoever approves your plan files.
    SigningKey,
    /// The plan-signing keys you trust (whose signed plans are shown as theirs).
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Every run in the journal, newest first: when, who, what, how many done and failed.
    Runs,
    /// One run with every person's outcome.
    Run {
        /// The run's id (or its first characters).
        run: String,
    },
    /// Finish a run that was interrupted (a crash, a kill, a lost connection). Changes whose
    /// answer was lost are settled by reading the people, never sent blind.
    Resume {
        run: String,
        /// Send what is left without asking (scheduled runs); otherwise it is shown first.
        #[arg(long)]
        yes: bool,
    },
    /// Reverse a run: take back what it gave, give back what it took (with the same apps
    /// off), restore usage locations. People changed by someone else since are left alone.
    Undo {
        run: String,
        /// Show the undo without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a run's report (one line per person).
    Report {
        run: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: runs::Format,
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// The report's language: en or nl (default: from LANG).
        #[arg(long, value_name = "LANG")]
        language: Option<String>,
    },
    /// Sign in to a tenant; the session is kept in the OS keychain for later commands.
    Login(login::LoginArgs),
    /// Sign out: removes the saved sign-in from the keychain.
    Logout,
    /// Who is signed in, to which tenant, with which permissions.
    Whoami,
    /// The policy your organisation deployed (tenant, app, cloud, locks, the demo, trusted
    /// plan-signing keys) and the file it came from. Exit 2 naming the file and line when it
    /// cannot be read.
    Policy,
    /// The Microsoft Graph emulator (graph-sim).
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shortfall {
    Partial,
    None,
}

impl From<Shortfall> for licensing::ShortfallPolicy {
    fn from(s: Shortfall) -> Self {
        match s {
            Shortfall::Partial => Self::Partial,
            Shortfall::None => Self::Nobody,
        }
    }
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

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust a key (its public key, as `signing-key` prints it on the preparer's machine).
    Add {
        key: String,
        /// Whose key it is, as you will see it when you approve their plans.
        #[arg(long)]
        name: String,
    },
    /// Stop trusting a key.
    Remove { key: String },
    /// The keys you trust.
    List,
}

/// Reads a file the person named: a regular file (not a device, pipe or folder) of at most
/// `max` bytes, checked on the open handle; refused with exit 2 and the file's name.
pub fn read_file(path: &std::path::Path, max: u64) -> Result<Vec<u8>, CliError> {
    safe_files::read_at_most(path, max)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
}

/// The organisation's policy, if there is one; a broken one stops the command (exit 2).
pub fn policy() -> Result<Option<policy::Loaded>, CliError> {
    policy::load().map_err(|e| CliError::Usage(e.to_string()))
}

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

/// Runs the CLI with these arguments (the first is the program's name) and returns its exit
/// code. The `licensedesk-cli` binary calls it with its own arguments; the desktop app calls it
/// for `licensedesk --cli …`, which is how the Linux packages ship the CLI (one binary keeps
/// the package small).
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
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
    // Line by line: a refused file's error names each bad line on its own.
    let mut lines = message.lines();
    eprintln!(
        "licensedesk-cli: {}",
        output::terminal_safe(lines.next().unwrap_or_default(), output::MAX_ERROR_CHARS)
    );
    for line in lines.take(60) {
        eprintln!("{}", output::terminal_safe(line, output::MAX_ERROR_CHARS));
    }
    ExitCode::from(code)
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sim {
            command: SimCommand::Serve(args),
        } => serve(args).await,
        Command::Login(mut args) => {
            let cloud = login::settle(&mut args, cli.connection.cloud_given(), policy()?.as_ref())?;
            login::login(
                &args,
                cloud,
                cli.connection.graph_endpoint(),
                cli.connection.ca_certificate(),
            )
            .await
        }
        Command::Logout => login::logout().await,
        Command::Policy => output::print_policy(&policy::InForce::from(policy()?), cli.json),
        Command::Whoami => login::whoami(cli.json, cli.connection.ca_certificate()).await,
        Command::Skus => {
            let connection = Connection::open(&cli.connection).await?;
            let skus = connection.sku_summaries().await?;
            output::print_skus(&skus, cli.json)
        }
        Command::Users { mut filter, sku } => {
            filter.sku = sku;
            let connection = Connection::open(&cli.connection).await?;
            let (skus, users) = operations::users(&connection, &filter).await?;
            output::print_users(&users, &skus, connection.names(), cli.json)
        }
        Command::User { upn } => {
            let connection = Connection::open(&cli.connection).await?;
            operations::user(&connection, &upn, cli.json).await
        }
        Command::SetLocation { upn, country } => {
            let connection = Connection::open(&cli.connection).await?;
            let request = operations::Request::SetLocation {
                user: &upn,
                country: &country,
            };
            operations::change(&connection, request, cli.json).await
        }
        Command::Assign {
            upn,
            sku,
            role,
            disable_plans,
        } => {
            let connection = Connection::open(&cli.connection).await?;
            let request = match (&sku, &role) {
                (_, Some(role)) => {
                    let skus = connection.skus().await?;
                    operations::Request::Wanted {
                        user: &upn,
                        wanted: roles::wanted(&connection, role, &skus).await?,
                    }
                }
                (Some(sku), None) => operations::Request::Assign {
                    user: &upn,
                    sku,
                    disable: &disable_plans,
                },
                (None, None) => unreachable!("clap requires a plan or a role"),
            };
            operations::change(&connection, request, cli.json).await
        }
        Command::ProductNames { command } => {
            let ca = cli
                .connection
                .ca_certificate()
                .map(connection::read_ca_certificate)
                .transpose()?;
            let http = connection::http_client(ca.as_deref())?;
            product_names::product_names(command.as_ref(), http, cli.json).await
        }
        Command::Roles { command } => {
            let connection = Connection::open(&cli.connection).await?;
            roles::roles(&connection, command.as_ref(), cli.json).await
        }
        Command::Remove { upn, sku } => {
            let connection = Connection::open(&cli.connection).await?;
            let request = operations::Request::Remove {
                user: &upn,
                sku: &sku,
            };
            operations::change(&connection, request, cli.json).await
        }
        Command::Swap {
            upn,
            from,
            to,
            keep_disabled_plans,
        } => {
            let connection = Connection::open(&cli.connection).await?;
            let request = operations::Request::Swap {
                user: &upn,
                from: &from,
                to: &to,
                keep_disabled_plans,
            };
            operations::change(&connection, request, cli.json).await
        }
        Command::AssignAll {
            sku,
            role,
            filter,
            set_usage_location,
            shortfall,
            dry_run,
            out,
        } => {
            let connection = Connection::open(&cli.connection).await?;
            let role_change = match &role {
                Some(role) => {
                    let skus = connection.skus().await?;
                    Some(roles::wanted(&connection, role, &skus).await?)
                }
                None => None,
            };
            let request = operations::Request::AssignAll {
                sku: sku.as_deref().unwrap_or_default(),
                role: role_change,
                filter: &filter,
                set_usage_location: set_usage_location.as_deref(),
                shortfall: shortfall.into(),
                dry_run,
                out: out.as_deref(),
            };
            operations::change(&connection, request, cli.json).await
        }
        Command::Import(file) => import::import(&cli.connection, &file, cli.json).await,
        Command::Reclaim(args) => reclaim::reclaim(&cli.connection, &args, cli.json).await,
        Command::Exclusions { command } => {
            reclaim::exclusions(&cli.connection, command.as_ref(), cli.json).await
        }
        Command::Prices { command } => {
            money::prices(&cli.connection, command.as_ref(), cli.json).await
        }
        Command::Costs { by, format, out } => {
            money::costs_command(&cli.connection, by, format, out.as_deref(), cli.json).await
        }
        Command::Subscriptions { command, within } => {
            money::subscriptions(&cli.connection, command.as_ref(), within, cli.json).await
        }
        Command::Thresholds { command } => {
            money::thresholds(&cli.connection, command.as_ref(), cli.json).await
        }
        Command::Check { within } => money::check(&cli.connection, within, cli.json).await,
        Command::Groups => {
            let connection = Connection::open(&cli.connection).await?;
            groups::groups(&connection, cli.json).await
        }
        Command::Group { group, errors } => {
            let connection = Connection::open(&cli.connection).await?;
            groups::group(&connection, &group, errors, cli.json).await
        }
        Command::AddToGroup(args) => {
            let connection = Connection::open(&cli.connection).await?;
            groups::membership(&connection, &args, true, cli.json).await
        }
        Command::RemoveFromGroup(args) => {
            let connection = Connection::open(&cli.connection).await?;
            groups::membership(&connection, &args, false, cli.json).await
        }
        Command::Reprocess(args) => {
            let connection = Connection::open(&cli.connection).await?;
            groups::reprocess(&connection, &args, cli.json).await
        }
        Command::Runs => runs::list(cli.connection.journal(), cli.json),
        Command::Run { run } => runs::show(cli.connection.journal(), &run, cli.json),
        Command::SigningKey => planfile::show_signing_key(cli.json),
        Command::Trust { command } => planfile::trust(&command, cli.json),
        Command::Resume { run, yes } => runs::resume(&cli.connection, &run, yes, cli.json).await,
        Command::Undo { run, dry_run } => {
            runs::undo(&cli.connection, &run, dry_run, cli.json).await
        }
        Command::Report {
            run,
            format,
            out,
            language,
        } => runs::write_report(
            cli.connection.journal(),
            &run,
            format,
            &out,
            language.as_deref(),
        ),
        Command::Plan {
            file,
            shortfall,
            out,
        } => {
            import::plan_or_apply(
                &cli.connection,
                &file,
                shortfall.into(),
                import::Then::Show {
                    out: out.as_deref(),
                },
                cli.json,
            )
            .await
        }
        Command::Apply {
            plan: Some(plan),
            yes,
            ..
        } => import::apply_plan_file(&cli.connection, &plan, yes, cli.json).await,
        Command::Apply {
            plan: None,
            file,
            shortfall,
            yes,
        } => {
            import::plan_or_apply(
                &cli.connection,
                &file,
                shortfall.into(),
                import::Then::Apply { yes },
                cli.json,
            )
            .await
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
    say!(
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
