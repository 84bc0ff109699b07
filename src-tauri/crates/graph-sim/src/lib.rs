//! graph-sim: a Microsoft Graph v1.0 emulator for LicenseDesk.
//!
//! It serves the Graph subset LicenseDesk uses on 127.0.0.1, holding a seeded tenant in memory,
//! and answers the way Graph does: same paths, JSON shapes, status codes and error texts (see
//! shared/reference/graph-licensing.md). The desktop app runs it in-process as the demo tenant;
//! every test and benchmark runs against it.

mod catalog;
mod error;
mod rng;
mod scenario;
mod server;
mod tenant;
mod wire;

pub use error::SimError;
pub use scenario::{Scenario, TenantSpec};
pub use server::RunningSim;
pub use tenant::{SimGroup, SimLicense, SimSku, SimUser, Tenant};
