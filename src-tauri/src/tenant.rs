//! Which tenant the app works on: the built-in demo tenant (the Graph emulator in this process
//! on 127.0.0.1, read through the real Graph client over HTTP), or a real tenant someone signed
//! in to. Access tokens stay in memory here; refresh tokens only in the OS keychain; the list
//! of saved tenants (nothing secret) in the settings store.

use std::sync::{Arc, OnceLock};

use graph::auth::{self, Authority, SecretStore, Session};
use graph::{AccessToken, Cloud, GraphClient, GraphEndpoint, Priority};
use graph_sim::{RunningSim, Scenario};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};
use ts_rs::TS;

use crate::error::CommandError;

/// What the header shows about the tenant.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TenantInfo {
    pub display_name: String,
    pub domain: String,
    pub tenant_id: String,
    /// True for the built-in demo tenant: nothing done here touches a real organisation.
    pub demo: bool,
    /// Who is signed in (`None` on the demo tenant).
    pub user_principal_name: Option<String>,
    /// Graph permissions granted to this sign-in.
    pub scopes: Vec<String>,
    /// Why the sign-in lasts only until LicenseDesk closes (no keychain here), if it does.
    pub notice: Option<String>,
}

/// What the setup screen asks for. Nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TenantSetup {
    /// Domain, tenant ID or "organizations".
    pub tenant: String,
    /// The organisation's own app registration.
    pub client_id: String,
    /// "global", "usgov", "usgov-dod" or "china".
    pub cloud: String,
    /// Ask for User.ReadWrite.All as well (needed to set usage locations and to reprocess
    /// group licenses).
    pub set_usage_locations: bool,
    /// Ask for GroupMember.ReadWrite.All as well (needed to add and remove people in license
    /// groups). Absent in setups saved before groups could be changed.
    #[serde(default)]
    pub manage_groups: bool,
    /// Private clouds and tests: other sign-in and Graph addresses.
    pub authority_host: Option<String>,
    pub graph_endpoint: Option<String>,
}

/// A tenant signed in to before, for the switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedTenant {
    pub setup: TenantSetup,
    pub tenant_id: Option<String>,
    pub user_principal_name: Option<String>,
}

impl TenantSetup {
    pub fn endpoints(&self) -> Result<(Authority, GraphEndpoint, Vec<String>), CommandError> {
        let bad = |e: String| CommandError::new("setup.invalid", e.clone(), Some(e));
        let cloud: Cloud = self
            .cloud
            .parse()
            .map_err(|e: graph::GraphError| bad(e.to_string()))?;
        let host = self
            .authority_host
            .clone()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| cloud.authority_host().into());
        let graph_root = self
            .graph_endpoint
            .clone()
            .filter(|g| !g.trim().is_empty())
            .unwrap_or_else(|| cloud.graph_root().into());
        if self.client_id.trim().is_empty() {
            return Err(bad("Enter the application (client) ID of your organisation's LicenseDesk app registration.".into()));
        }
        let authority = Authority::new(&host, &self.tenant).map_err(|e| bad(e.to_string()))?;
        let endpoint = GraphEndpoint::new(&graph_root).map_err(|e| bad(e.to_string()))?;
        Ok((
            authority,
            endpoint,
            auth::graph_scopes(&graph_root, self.set_usage_locations, self.manage_groups),
        ))
    }
}

pub struct Connection {
    pub info: TenantInfo,
    pub client: GraphClient,
    pub session: Option<Arc<Session>>,
    pub setup: Option<TenantSetup>,
    /// The tenant's people, read on first use.
    pub directory: Arc<crate::people::Directory>,
    _demo: Option<RunningSim>,
}

pub struct TenantState {
    current: RwLock<Option<Arc<Connection>>>,
    /// The keychain (or memory, with the reason), opened on first need: someone who only tries
    /// the demo tenant is never asked to unlock a keychain.
    keychain: OnceLock<(Arc<dyn SecretStore>, Option<String>)>,
    /// Held while the silent sign-in at start runs, so the first screen waits for it instead
    /// of showing the demo tenant and then changing under the person's eyes.
    startup: Arc<RwLock<()>>,
    /// Why the silent sign-in at start did not work, shown once on the demo tenant.
    startup_notice: std::sync::Mutex<Option<String>>,
    /// Cancels the sign-in in progress.
    pub cancel: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    pub http: reqwest::Client,
}

impl TenantState {
    pub fn new() -> Self {
        Self {
            current: RwLock::new(None),
            keychain: OnceLock::new(),
            startup: Arc::new(RwLock::new(())),
            startup_notice: std::sync::Mutex::new(None),
            cancel: Mutex::new(None),
            // Timeouts matter here: the silent sign-in at start must not hang on a dead network.
            http: graph::http_client(None).unwrap_or_default(),
        }
    }

    fn keychain(&self) -> &(Arc<dyn SecretStore>, Option<String>) {
        self.keychain
            .get_or_init(|| auth::keychain_or_memory("LicenseDesk"))
    }

    pub fn secrets(&self) -> Arc<dyn SecretStore> {
        self.keychain().0.clone()
    }

    /// Why there is no keychain, when there is none.
    pub fn keychain_notice(&self) -> Option<String> {
        self.keychain().1.clone()
    }

    /// Call before the first command can run: commands wait until the guard is dropped.
    pub fn hold_for_startup(&self) -> Option<tokio::sync::OwnedRwLockWriteGuard<()>> {
        self.startup.clone().try_write_owned().ok()
    }

    pub fn set_startup_notice(&self, notice: String) {
        *self
            .startup_notice
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(notice);
    }

    /// The open connection, starting the demo tenant on first use.
    pub async fn connection(&self) -> Result<Arc<Connection>, CommandError> {
        drop(self.startup.read().await);
        if let Some(c) = self.current.read().await.as_ref() {
            return Ok(c.clone());
        }
        let mut slot = self.current.write().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let mut demo = open_demo().await?;
        demo.info.notice = self
            .startup_notice
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let demo = Arc::new(demo);
        *slot = Some(demo.clone());
        Ok(demo)
    }

    pub async fn use_connection(&self, connection: Connection) -> Arc<Connection> {
        let connection = Arc::new(connection);
        *self.current.write().await = Some(connection.clone());
        connection
    }

    /// Goes to the demo tenant; when the policy turned it off, to no tenant at all (the window
    /// then shows the Sign in page), never staying on the tenant just left.
    pub async fn use_demo(&self) -> Result<Arc<Connection>, CommandError> {
        match open_demo().await {
            Ok(demo) => Ok(self.use_connection(demo).await),
            Err(e) => {
                *self.current.write().await = None;
                Err(e)
            }
        }
    }

    /// A connection for a fresh or resumed sign-in.
    pub fn signed_in(
        &self,
        setup: &TenantSetup,
        endpoint: GraphEndpoint,
        session: Session,
        on_wait: graph::WaitNotifier,
    ) -> Result<Connection, CommandError> {
        let session = Arc::new(session);
        let who = session.signed_in();
        // Work in this app is started by a person waiting for it.
        let client = GraphClient::with_token_source(endpoint, session.clone())?
            .with_priority(Priority::High)
            .on_wait(on_wait);
        // "organizations" or a GUID says little: name the tenant by the signed-in domain.
        let domain = if setup.tenant.contains('.') {
            setup.tenant.clone()
        } else {
            who.user_principal_name
                .as_deref()
                .and_then(|u| u.split_once('@'))
                .map(|(_, d)| d.to_string())
                .unwrap_or_else(|| setup.tenant.clone())
        };
        Ok(Connection {
            info: TenantInfo {
                display_name: domain.split('.').next().unwrap_or(&domain).to_string(),
                domain,
                tenant_id: who.tenant_id.unwrap_or_else(|| setup.tenant.clone()),
                demo: false,
                user_principal_name: who.user_principal_name,
                scopes: session.scopes(),
                notice: self.keychain_notice(),
            },
            client,
            session: Some(session),
            setup: Some(setup.clone()),
            directory: Arc::default(),
            _demo: None,
        })
    }
}

/// `LICENSEDESK_DEMO_SCENARIO` picks another bundled scenario or a scenario file, for trying
/// the app on a large tenant.
pub(crate) async fn open_demo() -> Result<Connection, CommandError> {
    crate::org_policy::demo_allowed()?;
    let scenario = match std::env::var("LICENSEDESK_DEMO_SCENARIO") {
        Ok(name) if !name.trim().is_empty() => Scenario::load(name.trim()).map_err(|e| {
            CommandError::new(
                "demo.scenario",
                "The demo scenario named in LICENSEDESK_DEMO_SCENARIO cannot be used.",
                Some(e.to_string()),
            )
        })?,
        _ => Scenario::demo(),
    };
    let sim = RunningSim::start(&scenario).await.map_err(|e| {
        CommandError::new(
            "demo.start",
            "The demo tenant could not start. Close other copies of LicenseDesk and try again.",
            Some(e.to_string()),
        )
    })?;
    let endpoint = GraphEndpoint::new(&sim.graph_endpoint())?;
    let client = GraphClient::new(endpoint, AccessToken::new(sim.access_token()))?;
    Ok(Connection {
        info: TenantInfo {
            display_name: scenario.tenant.display_name.clone(),
            domain: scenario.tenant.domain.clone(),
            tenant_id: scenario.tenant.tenant_id.clone(),
            demo: true,
            user_principal_name: None,
            scopes: Vec::new(),
            notice: None,
        },
        client,
        session: None,
        setup: None,
        directory: Arc::default(),
        _demo: Some(sim),
    })
}
