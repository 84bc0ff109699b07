//! The licensing domain of LicenseDesk: what a tenant's license plans and users look like, seat
//! arithmetic, and friendly product names. Pure and deterministic: nothing here does I/O, so all
//! of it is testable without a network and the same in the desktop app and the CLI.

pub mod apps;
pub mod countries;
pub mod directory;
pub mod groups;
pub mod kept;
pub mod membership;
pub mod money;
pub mod plan;
pub mod planfile;
pub mod products;
pub mod reclaim;
pub mod renewals;
pub mod roles;
pub mod seats;
pub mod sku;
pub mod title;
pub mod user;

pub use apps::{AppSwitch, app_display_name, app_name, app_switches};
pub use countries::{CountryError, country_name, parse_country};
pub use directory::{
    FilterCount, FilterCounts, RowLicense, UserRow, UsersPage, UsersQuery, matches, row, users_page,
};
pub use plan::{
    Action, PersonOutcome, Plan, PlanToAdd, Reason, SeatLedger, ShortfallPolicy,
    UsageLocationChange, WantedChange, plan, plan_each,
};
pub use products::{ProductListError, ProductNames, is_guid};
pub use seats::SeatCounts;
pub use sku::{
    AppliesTo, CapabilityStatus, ServicePlan, Sku, SkuLookupError, SkuSummary, resolve_sku,
    summarize_skus,
};
pub use title::RunTitle;
pub use user::{LicenseAssignment, Summarizer, User, UserLicense, UserSummary, summarize_users};
