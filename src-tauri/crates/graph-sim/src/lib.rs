//! graph-sim: a Microsoft Graph v1.0 emulator for LicenseDesk.
//!
//! It serves the Graph subset LicenseDesk uses on 127.0.0.1, holding a seeded tenant in memory,
//! and answers the way Graph does: same paths, JSON shapes, status codes and error texts (see
//! shared/reference/graph-licensing.md). The desktop app runs it in-process as the demo tenant;
//! every test and benchmark runs against it.

mod activity;
mod batch;
mod catalog;
mod countries;
mod error;
mod filter;
mod group_licensing;
mod groups;
mod identity;
mod ops;
mod organization;
mod paging;
mod pipeline;
mod rng;
mod scenario;
mod search;
mod server;
mod signin;
mod subscribed_skus;
mod subscriptions;
mod tenant;
mod throttle;
#[cfg(feature = "tls")]
mod tls;
/// Without the `tls` feature there is no TLS setup to have.
#[cfg(not(feature = "tls"))]
mod tls {
    pub struct TlsSetup {
        pub ca_pem: String,
        pub never: std::convert::Infallible,
    }
}
mod users;
mod wire;

pub use error::SimError;
pub use identity::{GRAPH_PERMISSIONS, IdentitySpec};
pub use ops::{AddLicense, Effect, Refusal};
pub use scenario::{FaultSpec, LagSpec, PersonSpec, Scenario, TenantSpec, ThrottleSpec};
pub use server::{LogEntry, RunningSim};
pub use subscriptions::SimSubscription;
pub use tenant::{GroupLicense, GroupLicenseError, SimGroup, SimLicense, SimSku, SimUser, Tenant};
/// The per-run certificate authority, for tests that stand up their own HTTPS servers.
#[cfg(feature = "tls")]
pub use tls::{TlsSetup, make_certificates};

/// The demo catalog's SKU ids, for tests that need a particular plan.
pub mod skus {
    pub use crate::catalog::{
        AAD_PREMIUM, ENTERPRISEPACK, EXCHANGEENTERPRISE, EXCHANGESTANDARD, FLOW_FREE, MCOEV,
        POWER_BI_PRO, PROJECTPROFESSIONAL, SPB, SPE_E3, SPE_E5, TEAMS_ESS, VISIOCLIENT,
        WINDOWS_STORE,
    };
}
