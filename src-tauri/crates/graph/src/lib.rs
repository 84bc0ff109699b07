//! Microsoft Graph I/O for LicenseDesk: where Graph is (per cloud, or a custom endpoint), the
//! wire models, one place for paging, and typed errors. Nothing here decides what to change;
//! that is the `licensing` crate's job.

mod client;
mod cloud;
mod convert;
mod error;
pub mod models;
mod token;

pub use client::{GraphClient, USER_SELECT};
pub use cloud::{Cloud, GraphEndpoint};
pub use error::{GraphError, GraphErrorKind};
pub use token::AccessToken;
