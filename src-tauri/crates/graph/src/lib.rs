//! Microsoft Graph I/O for LicenseDesk: where Graph is (per cloud, or a custom endpoint), the
//! wire models, one place for paging, and typed errors. Nothing here decides what to change;
//! that is the `licensing` crate's job.

mod apply;
pub mod auth;
mod changes;
mod client;
mod cloud;
mod convert;
mod error;
mod groups;
pub mod models;
mod net;
mod pacing;
pub mod product_list;
mod retry;
mod token;

pub use apply::PersonStatus;
pub use changes::{AddLicense, ChangeOutcome, ExecutorOptions, LicenseChange, Progress};
pub use client::{
    GraphClient, Limits, MAX_SIGN_IN_PAGE_SIZE, MOST_WRITES_IN_FLIGHT, Priority,
    SignInsUnavailable, USER_SELECT, WaitNotifier, http_client,
};
pub use cloud::{Cloud, GraphEndpoint};
pub use error::{GraphError, GraphErrorKind};
pub use groups::{MEMBER_SELECT, MembershipEffect};
pub use token::{AccessToken, RefreshFuture, SecretString, StaticToken, TokenSource};
