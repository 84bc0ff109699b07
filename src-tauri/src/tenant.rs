//! Which tenant the app works on. With no tenant configured (sign-in arrives later) it is the
//! demo tenant: the Graph emulator started in this process on 127.0.0.1, read through the real
//! Graph client over HTTP, exactly as a real tenant would be.

use graph::{AccessToken, GraphClient, GraphEndpoint};
use graph_sim::{RunningSim, Scenario};
use serde::Serialize;
use tokio::sync::OnceCell;
use ts_rs::TS;

use crate::error::CommandError;

/// What the header shows about the tenant.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct TenantInfo {
    pub display_name: String,
    pub domain: String,
    pub tenant_id: String,
    /// True for the built-in demo tenant: nothing done here touches a real organisation.
    pub demo: bool,
}

pub struct Connection {
    pub info: TenantInfo,
    pub client: GraphClient,
    _demo: Option<RunningSim>,
}

#[derive(Default)]
pub struct TenantState {
    connection: OnceCell<Connection>,
}

impl TenantState {
    /// The open connection, starting the demo tenant on first use.
    pub async fn connection(&self) -> Result<&Connection, CommandError> {
        self.connection.get_or_try_init(open_demo).await
    }
}

/// `LICENSEDESK_DEMO_SCENARIO` picks another bundled scenario or a scenario file, for trying
/// the app on a large tenant.
async fn open_demo() -> Result<Connection, CommandError> {
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
        },
        client,
        _demo: Some(sim),
    })
}
