//! The file HR sends, read as people actually have it: any encoding and delimiter, title lines
//! above the header, column names in several languages, countries and licenses written the
//! way people write them. Each row is checked and explained; the good ones become the
//! planner's wanted changes (`licensing::plan_each`), so an import is previewed, applied and
//! reported exactly like a change chosen by filter.
//!
//! Bytes in, rows out: reading the file from disk is the caller's job, and nothing here
//! writes anything.

mod hostile;
/// A workbook around fuzzed bytes (for the fuzz targets and the tests; not an API).
#[doc(hidden)]
pub use hostile::fuzz_workbook;
pub mod mapping;
pub mod read;
pub mod rows;
mod workbook;

pub use mapping::{Field, Mapping, field_of_header, suggest};
pub use read::{
    Encoding, Limits, MAX_FILE_BYTES, ReadError, ReadOptions, Row, Table, read_table,
    read_table_within,
};
pub use rows::{
    ImportRow, Issue, IssueCode, RowAction, Severity, Tenant, check_rows, wanted_changes,
};
