//! Which tenant a command talks to: the in-process demo tenant, or a Graph endpoint with a
//! token someone already has.

use clap::Args;
use graph::{AccessToken, Cloud, GraphClient, GraphEndpoint};
use graph_sim::{RunningSim, Scenario};
use licensing::{ProductNames, Sku, SkuSummary, summarize_skus};

use crate::CliError;

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Use the built-in demo tenant (Contoso), started in this process.
    #[arg(long, global = true, conflicts_with_all = ["graph_endpoint", "access_token_env"])]
    demo: bool,

    /// Graph root to call instead of the cloud's (plain http only on 127.0.0.1/localhost).
    #[arg(long, global = true, value_name = "URL")]
    graph_endpoint: Option<String>,

    /// Name of the environment variable that holds an access token for Graph.
    #[arg(long, global = true, value_name = "VAR")]
    access_token_env: Option<String>,

    /// National cloud: global, usgov, usgov-dod or china (default: the organisation's policy,
    /// or global).
    #[arg(long, global = true)]
    cloud: Option<String>,

    /// Also trust this root certificate (PEM file): a TLS-inspecting proxy's, a private
    /// cloud's, or `sim serve --tls`'s. Saved with `login` for later commands.
    #[arg(long, global = true, value_name = "FILE")]
    ca_certificate: Option<std::path::PathBuf>,

    /// The journal of runs (SQLite): every change applied is written there before it is sent.
    /// Default: journal.sqlite in the CLI's config folder.
    #[arg(long, global = true, value_name = "FILE", env = "LICENSEDESK_JOURNAL")]
    journal: Option<std::path::PathBuf>,
}

impl ConnectionArgs {
    /// The cloud asked for on the command line, if any.
    pub fn cloud_given(&self) -> Option<&str> {
        self.cloud.as_deref()
    }

    pub fn graph_endpoint(&self) -> Option<&str> {
        self.graph_endpoint.as_deref()
    }

    pub fn ca_certificate(&self) -> Option<&std::path::Path> {
        self.ca_certificate.as_deref()
    }

    pub fn journal(&self) -> Option<&std::path::PathBuf> {
        self.journal.as_ref()
    }
}

/// A secret handed over in an environment variable (`flag` names the option that named it), so
/// it never shows in the process list or shell history. Surrounding whitespace is dropped.
pub fn secret_from_env(var: &str, flag: &str) -> Result<String, CliError> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        Ok(_) => Err(CliError::Usage(format!(
            "environment variable {var} (from {flag}) is empty"
        ))),
        Err(_) => Err(CliError::Usage(format!(
            "environment variable {var} (from {flag}) is not set or not valid text"
        ))),
    }
}

/// The root certificate file given with --ca-certificate, read once.
pub fn read_ca_certificate(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the root certificate {}: {e}",
            path.display()
        ))
    })
}

/// The HTTP client for Graph and sign-in, trusting `ca_pem` (PEM certificates) as well when
/// given.
pub fn http_client(ca_pem: Option<&[u8]>) -> Result<reqwest::Client, CliError> {
    graph::http_client(ca_pem).map_err(|e| match e {
        graph::GraphError::InvalidEndpoint(m) => CliError::Usage(m),
        other => CliError::Failed(other.to_string()),
    })
}

/// Tells the person on stderr why nothing moves while Graph throttles (stdout stays the
/// command's answer).
fn say_when_graph_asks_to_wait() -> graph::WaitNotifier {
    std::sync::Arc::new(|wait: std::time::Duration| {
        say!(
            "Microsoft Graph asked LicenseDesk to wait {} s (too many requests); carrying on after that…",
            wait.as_secs_f64().ceil()
        );
    })
}

pub struct Connection {
    client: GraphClient,
    names: ProductNames,
    journal: Option<std::path::PathBuf>,
    /// Keeps the in-process demo tenant alive as long as the connection.
    _demo: Option<RunningSim>,
}

impl Connection {
    pub async fn open(args: &ConnectionArgs) -> Result<Self, CliError> {
        let policy = crate::policy()?;
        let cloud: Cloud = args
            .cloud
            .as_deref()
            .or(policy.as_ref().and_then(|p| p.policy.cloud.as_deref()))
            .unwrap_or("global")
            .parse()?;
        if args.demo {
            if let Some(p) = &policy
                && !p.policy.demo_allowed()
            {
                return Err(CliError::Usage(format!(
                    "the demo tenant is turned off by your organisation's policy ({}: allowDemo is false)",
                    p.file.display()
                )));
            }
            let sim = RunningSim::start(&Scenario::demo())
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let endpoint = GraphEndpoint::new(&sim.graph_endpoint())?;
            let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token()))?;
            return Ok(Self {
                client,
                names: crate::product_names::load(),
                journal: args.journal.clone(),
                _demo: Some(sim),
            });
        }
        let Some(var) = &args.access_token_env else {
            if crate::profile::Profile::load()?.is_none() {
                return Err(CliError::Usage(
                    "no tenant given: sign in with `licensedesk-cli login`, or use --demo, or --access-token-env VAR (with --graph-endpoint URL for an emulator or proxy)".into(),
                ));
            }
            // The saved sign-in, renewed silently from the keychain; one saved before the
            // organisation locked LicenseDesk to its tenant is not used.
            let saved = crate::login::saved_session(args.ca_certificate()).await?;
            if let Some(p) = &policy {
                p.policy
                    .allows_setup(
                        &saved.profile.tenant,
                        &saved.profile.client_id,
                        p.policy.cloud.as_deref().unwrap_or("global"),
                    )
                    .map_err(|why| {
                        CliError::Usage(format!(
                            "the saved sign-in cannot be used: {why} ({}). Sign in again with `licensedesk-cli login`.",
                            p.file.display()
                        ))
                    })?;
            }
            let endpoint = GraphEndpoint::new(&saved.profile.graph_endpoint)?;
            return Ok(Self {
                client: GraphClient::with_http(endpoint, saved.tokens, saved.http)
                    .on_wait(say_when_graph_asks_to_wait()),
                names: crate::product_names::load(),
                journal: args.journal.clone(),
                _demo: None,
            });
        };
        let token = AccessToken::parse(&secret_from_env(var, "--access-token-env")?)
            .map_err(|e| CliError::Usage(format!("{var} (from --access-token-env): {e}")))?;
        let endpoint = match &args.graph_endpoint {
            Some(url) => GraphEndpoint::new(url)?,
            None => cloud.endpoint(),
        };
        let ca_pem = args.ca_certificate().map(read_ca_certificate).transpose()?;
        let client = GraphClient::with_http(
            endpoint,
            std::sync::Arc::new(graph::StaticToken(token)),
            http_client(ca_pem.as_deref())?,
        )
        .on_wait(say_when_graph_asks_to_wait());
        Ok(Self {
            client,
            names: crate::product_names::load(),
            journal: args.journal.clone(),
            _demo: None,
        })
    }

    pub fn journal_path(&self) -> Option<&std::path::PathBuf> {
        self.journal.as_ref()
    }

    /// The tenant's id and name, for the journal.
    pub async fn tenant(&self) -> Result<(String, String), CliError> {
        let org = self.client.organization().await?.ok_or_else(|| {
            CliError::Failed("Microsoft Graph did not say which organisation this is".into())
        })?;
        let name = org.display_name.clone().unwrap_or_else(|| org.id.clone());
        Ok((org.id, name))
    }

    pub fn names(&self) -> &ProductNames {
        &self.names
    }

    pub fn client(&self) -> &GraphClient {
        &self.client
    }

    /// The tenant's plans and everyone in it, read at the same time.
    /// Each page of people is turned into the domain's form as it arrives, so Graph's larger
    /// wire form of 100,000 people is never held at once.
    pub async fn skus_and_users(&self) -> Result<(Vec<Sku>, Vec<licensing::User>), CliError> {
        let (skus, users) = tokio::try_join!(self.skus(), async {
            let mut users = Vec::new();
            self.client
                .users_by_page(|page| users.extend(page.iter().map(|u| u.to_domain())))
                .await?;
            Ok::<_, CliError>(users)
        })?;
        Ok((skus, users))
    }

    /// One person, by user principal name or id. Graph's 404 becomes a usage error: the name
    /// given is wrong, and nothing was changed.
    pub async fn user(&self, key: &str) -> Result<licensing::User, CliError> {
        match self.client.user(key).await {
            Ok(u) => Ok(u.to_domain()),
            Err(e) if e.kind() == Some(&graph::GraphErrorKind::NotFound) => Err(CliError::Usage(
                format!("no one in this tenant is '{key}': check the user principal name"),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn license_details(
        &self,
        key: &str,
    ) -> Result<Vec<graph::models::LicenseDetails>, CliError> {
        Ok(self.client.license_details(key).await?)
    }

    pub async fn skus(&self) -> Result<Vec<Sku>, CliError> {
        Ok(self.client.plans().await?)
    }

    pub async fn sku_summaries(&self) -> Result<Vec<SkuSummary>, CliError> {
        Ok(summarize_skus(&self.skus().await?, &self.names))
    }
}
