//! The HR file in the app: read from disk by Rust (the webview never names a path), held in
//! memory while the person checks how it was read, maps its columns and fixes its rows, then
//! planned like any other change. The file itself is only ever read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hr_import::{
    Encoding, Field, ImportRow, Mapping, ReadOptions, Table, Tenant, check_rows, read_table,
    suggest, wanted_changes,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use ts_rs::TS;

use crate::error::CommandError;
use crate::files::{FileError, file_name};
use crate::runs::Request;
use crate::tenant::Connection;

/// Rows shown of the file on the "how it was read" step.
const SAMPLE_ROWS: usize = 5;
/// A cell longer than this is cut in what the window is sent (the row keeps it whole).
const CELL_SHOWN: usize = 200;
/// Rows the window may ask for at once.
const MOST_ROWS: u32 = 500;

/// How the file was read, its first rows and the suggested mapping.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportFile {
    pub file_name: String,
    pub bytes: u32,
    /// `null` for a workbook.
    pub encoding: Option<Encoding>,
    pub delimiter: Option<String>,
    /// 1-based line (text) or row (workbook) of the header.
    pub header_row: u32,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub rows: u32,
    pub mapping: Mapping,
    /// The saved mapping profile used, when the file's columns matched one.
    pub profile: Option<String>,
    /// The license the profile gives every row of a file without a license column.
    pub license: Option<String>,
}

/// What the person changed on the "how it was read" step.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReadChoice {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<String>,
    pub header_row: Option<u32>,
    pub sheet: Option<String>,
}

/// Which rows the window shows.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowsView {
    /// Only rows with an error or a warning, and rows left out.
    pub problems_only: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowCounts {
    pub total: u32,
    /// Used in the plan.
    pub ready: u32,
    /// Not left out, with an error: left out of the plan until fixed.
    pub errors: u32,
    pub excluded: u32,
}

/// One row with the file's cells as they are now (corrections included), for editing.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowView {
    #[serde(flatten)]
    pub row: ImportRow,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportRows {
    pub rows: Vec<RowView>,
    /// Rows the view matches, of which `rows` is the part asked for.
    pub matching: u32,
    pub counts: RowCounts,
    /// The columns now (a correction can add one) and their fields.
    pub headers: Vec<String>,
    pub mapping: Mapping,
}

/// A mapping remembered for files with the same columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Profile {
    name: String,
    /// The header names, lower case and trimmed.
    headers: Vec<String>,
    mapping: Mapping,
    license: Option<String>,
}

struct Session {
    file_name: String,
    bytes: Vec<u8>,
    table: Table,
    mapping: Mapping,
    profile: Option<String>,
    license: Option<String>,
    left_out: HashSet<usize>,
    rows: Vec<ImportRow>,
    /// The role templates a "role" column names (read when the mapping is taken).
    roles: Vec<licensing::roles::Role>,
}

/// The file being imported, and a file offered by drag and drop or on the command line.
#[derive(Default)]
pub struct Imports {
    session: Mutex<Option<Session>>,
    offered: Mutex<Option<PathBuf>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn no_file() -> CommandError {
    CommandError::new(
        "import.none",
        "No file is open. Choose the file again.",
        None,
    )
}

fn shown(cell: &str) -> String {
    if cell.chars().count() > CELL_SHOWN {
        let mut cut: String = cell.chars().take(CELL_SHOWN).collect();
        cut.push('…');
        cut
    } else {
        cell.to_string()
    }
}

fn header_key(headers: &[String]) -> Vec<String> {
    headers.iter().map(|h| h.trim().to_lowercase()).collect()
}

const PROFILES: &str = "mappingProfiles";

fn profiles<R: Runtime>(app: &AppHandle<R>) -> Vec<Profile> {
    crate::settings::read(app, PROFILES)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// Reads a file from disk: the size is checked before a byte is read.
fn read_file(path: &Path) -> Result<Vec<u8>, CommandError> {
    let cannot = |e: std::io::Error| {
        CommandError::new(
            "import.unreadable",
            format!(
                "The file could not be opened: {e}. Check that it still exists and is not open in another program that locks it."
            ),
            Some(e.to_string()),
        )
    };
    crate::files::read_at_most(path, hr_import::MAX_FILE_BYTES as u64).map_err(|e| match e {
        FileError::Io(e) => cannot(e),
        FileError::NotAFile => CommandError::new(
            "import.notAFile",
            "This is not a file LicenseDesk can read (a device, a pipe or a folder). Choose the file HR sent.",
            None,
        ),
        FileError::TooLarge { size, .. } => {
            let e = hr_import::ReadError::TooLarge {
                bytes: usize::try_from(size).unwrap_or(usize::MAX),
            };
            CommandError::new("import.tooLarge", e.to_string(), None)
        }
    })
}

/// Why the file could not be read, as a code per reason with its values (the window words it).
fn unreadable(e: hr_import::ReadError) -> CommandError {
    use hr_import::ReadError as E;
    let message = e.to_string();
    match e {
        E::TooLarge { bytes } => CommandError::new("import.tooLarge", message, None)
            .with("mb", bytes / (1024 * 1024))
            .with("most", hr_import::MAX_FILE_BYTES / (1024 * 1024)),
        E::Empty => CommandError::new("import.empty", message, None),
        E::Binary => CommandError::new("import.binary", message, None),
        E::OldSpreadsheet => CommandError::new("import.oldSpreadsheet", message, None),
        E::Workbook(why) => CommandError::new("import.workbook", message, Some(why)),
        E::NoSuchSheet { asked, sheets } => CommandError::new("import.noSuchSheet", message, None)
            .with("asked", asked)
            .with("sheets", sheets.join(", ")),
        E::NoUsableColumn => CommandError::new("import.noUsableColumn", message, None),
        E::HeaderRowOutside { asked, lines } => {
            CommandError::new("import.headerRowOutside", message, None)
                .with("asked", asked)
                .with("lines", lines)
        }
        E::TooBig(why) => CommandError::new("import.tooBig", message, Some(why)),
    }
}

impl Imports {
    /// Remembers a file dropped on the window or named on the command line; the window is
    /// told its name and opens it with `open_offered`.
    pub fn offer(&self, path: PathBuf) {
        *lock(&self.offered) = Some(path);
    }

    pub fn offered_name(&self) -> Option<String> {
        lock(&self.offered).as_deref().map(file_name)
    }

    pub fn open_offered<R: Runtime>(&self, app: &AppHandle<R>) -> Result<ImportFile, CommandError> {
        let path = lock(&self.offered).take().ok_or_else(no_file)?;
        self.open(app, &path)
    }

    /// Reads the file with what is detected, and a saved mapping when its columns match one.
    pub fn open<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        path: &Path,
    ) -> Result<ImportFile, CommandError> {
        let bytes = read_file(path)?;
        let table = read_table(&bytes, &ReadOptions::default()).map_err(unreadable)?;
        let file_name = file_name(path);
        tracing::info!(rows = table.rows.len(), "file read for import");
        let session = self.session_of(app, file_name, bytes, table);
        let file = describe(&session);
        *lock(&self.session) = Some(session);
        Ok(file)
    }

    fn session_of<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        file_name: String,
        bytes: Vec<u8>,
        table: Table,
    ) -> Session {
        let key = header_key(&table.headers);
        let saved = profiles(app).into_iter().find(|p| p.headers == key);
        let (mapping, profile, license) = match saved {
            Some(p) => (p.mapping, Some(p.name), p.license),
            None => (suggest(&table.headers), None, None),
        };
        Session {
            file_name,
            bytes,
            table,
            mapping,
            profile,
            license,
            left_out: HashSet::new(),
            rows: Vec::new(),
            roles: Vec::new(),
        }
    }

    /// Reads the same file again as the person says (another encoding, delimiter, header
    /// row or sheet). Corrections made to rows are dropped with the old reading.
    pub fn reread<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        choice: ReadChoice,
    ) -> Result<ImportFile, CommandError> {
        let mut guard = lock(&self.session);
        let old = guard.as_ref().ok_or_else(no_file)?;
        let delimiter = match choice.delimiter.as_deref() {
            None | Some("") => None,
            Some("\\t" | "tab") => Some('\t'),
            Some(d) if d.chars().count() == 1 && [",", ";", "\t", "|"].contains(&d) => {
                d.chars().next()
            }
            Some(d) => {
                return Err(CommandError::new(
                    "import.delimiter",
                    format!("'{d}' is not a delimiter LicenseDesk reads: choose , ; tab or |."),
                    None,
                )
                .with("delimiter", d));
            }
        };
        let read = ReadOptions {
            encoding: choice.encoding,
            delimiter,
            header_row: choice.header_row.map(|r| r as usize).filter(|r| *r > 0),
            sheet: choice.sheet,
        };
        let table = read_table(&old.bytes, &read).map_err(unreadable)?;
        let session = self.session_of(app, old.file_name.clone(), old.bytes.clone(), table);
        let file = describe(&session);
        *guard = Some(session);
        Ok(file)
    }

    /// Takes the person's mapping (and the license for a file without a license column),
    /// remembers it under `profile` when named, and checks every row against the tenant.
    pub async fn check<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        connection: &Connection,
        mapping: Mapping,
        license: Option<String>,
        profile: Option<String>,
        view: RowsView,
    ) -> Result<ImportRows, CommandError> {
        {
            let guard = lock(&self.session);
            let session = guard.as_ref().ok_or_else(no_file)?;
            if mapping.columns.len() != session.table.headers.len() {
                return Err(CommandError::new(
                    "import.mapping",
                    "The mapping does not fit the file's columns. Go back a step and map the columns again.",
                    None,
                ));
            }
            if mapping.column(Field::User).is_none() {
                return Err(CommandError::new(
                    "import.noUser",
                    "Choose the column that holds each person's user principal name (or e-mail address).",
                    None,
                ));
            }
            if mapping.column(Field::AddLicenses).is_none()
                && mapping.column(Field::RemoveLicenses).is_none()
                && mapping.column(Field::UsageLocation).is_none()
                && mapping.column(Field::Role).is_none()
                && license.is_none()
            {
                return Err(CommandError::new(
                    "import.noLicense",
                    "The file has no license column: choose the license every row gets.",
                    None,
                ));
            }
        }
        connection
            .directory
            .ensure_complete(&connection.client)
            .await?;
        let roles = if mapping.column(Field::Role).is_some() {
            crate::roles::load(app)?.roles
        } else {
            Vec::new()
        };
        let mut guard = lock(&self.session);
        let session = guard.as_mut().ok_or_else(no_file)?;
        session.roles = roles;
        session.mapping = mapping;
        session.license = license;
        if let Some(name) = profile
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
        {
            let mut all = profiles(app);
            let headers = header_key(&session.table.headers);
            all.retain(|p| p.name != name && p.headers != headers);
            all.insert(
                0,
                Profile {
                    name: name.clone(),
                    headers,
                    mapping: session.mapping.clone(),
                    license: session.license.clone(),
                },
            );
            crate::settings::write(app, PROFILES, serde_json::to_value(all).unwrap_or_default());
            session.profile = Some(name);
        }
        recheck(session, connection);
        Ok(rows_page(session, view))
    }

    pub fn rows(&self, view: RowsView) -> Result<ImportRows, CommandError> {
        let guard = lock(&self.session);
        Ok(rows_page(guard.as_ref().ok_or_else(no_file)?, view))
    }

    /// Corrects one cell (in memory) and checks the rows again.
    pub fn fix(
        &self,
        connection: &Connection,
        line: usize,
        field: Field,
        value: &str,
        view: RowsView,
    ) -> Result<ImportRows, CommandError> {
        let mut guard = lock(&self.session);
        let session = guard.as_mut().ok_or_else(no_file)?;
        if !session
            .table
            .set_cell(&mut session.mapping, line, field, value)
        {
            return Err(CommandError::new(
                "import.noRow",
                format!("The file has no row on line {line}."),
                None,
            )
            .with("line", line));
        }
        recheck(session, connection);
        Ok(rows_page(session, view))
    }

    /// Leaves a row out of the plan, or puts it back.
    pub fn leave_out(
        &self,
        connection: &Connection,
        line: usize,
        left_out: bool,
        view: RowsView,
    ) -> Result<ImportRows, CommandError> {
        let mut guard = lock(&self.session);
        let session = guard.as_mut().ok_or_else(no_file)?;
        if left_out {
            session.left_out.insert(line);
        } else {
            session.left_out.remove(&line);
        }
        recheck(session, connection);
        Ok(rows_page(session, view))
    }

    /// Each usable row's person and change, for the planner.
    pub fn request(&self, connection: &Connection) -> Result<Request, CommandError> {
        let guard = lock(&self.session);
        let session = guard.as_ref().ok_or_else(no_file)?;
        let list: Vec<(String, licensing::WantedChange)> =
            connection.directory.with_people(|people| {
                wanted_changes(&session.rows, people)
                    .into_iter()
                    .map(|(u, c)| (u.id.clone(), c))
                    .collect()
            });
        if list.is_empty() {
            return Err(CommandError::new(
                "import.nothingUsable",
                "No row can be used yet: fix the rows with errors, or put back rows left out.",
                None,
            ));
        }
        Ok(Request::Each {
            title: licensing::RunTitle::Import {
                file: session.file_name.clone(),
                people: u32::try_from(list.len()).unwrap_or(u32::MAX),
            },
            changes: list,
        })
    }
}

fn describe(session: &Session) -> ImportFile {
    let t = &session.table;
    ImportFile {
        file_name: session.file_name.clone(),
        bytes: u32::try_from(session.bytes.len()).unwrap_or(u32::MAX),
        encoding: t.encoding,
        delimiter: t.delimiter.map(String::from),
        header_row: t.header_row as u32,
        sheet: t.sheet.clone(),
        sheets: t.sheets.clone(),
        headers: t.headers.iter().map(|h| shown(h)).collect(),
        sample: t
            .rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(|r| r.cells.iter().map(|c| shown(c)).collect())
            .collect(),
        rows: t.rows.len() as u32,
        mapping: session.mapping.clone(),
        profile: session.profile.clone(),
        license: session.license.clone(),
    }
}

fn recheck(session: &mut Session, connection: &Connection) {
    let skus = connection.directory.skus();
    let names = crate::product_names::current();
    session.rows = connection.directory.with_people(|people| {
        check_rows(
            &session.table,
            &session.mapping,
            &Tenant {
                people,
                skus: &skus,
                names: &names,
                roles: &session.roles,
            },
            session.license.as_deref(),
            &session.left_out,
        )
    });
}

fn is_problem(r: &ImportRow) -> bool {
    r.excluded
        || r.issues
            .iter()
            .any(|i| i.severity != hr_import::Severity::Info)
}

fn rows_page(session: &Session, view: RowsView) -> ImportRows {
    let mut counts = RowCounts {
        total: session.rows.len() as u32,
        ..RowCounts::default()
    };
    for r in &session.rows {
        if r.excluded {
            counts.excluded += 1;
        } else if r.has_errors() {
            counts.errors += 1;
        } else {
            counts.ready += 1;
        }
    }
    let cells_of = |line: usize| -> Vec<String> {
        session
            .table
            .rows
            .binary_search_by_key(&line, |r| r.line)
            .ok()
            .map(|i| {
                session.table.rows[i]
                    .cells
                    .iter()
                    .map(|c| shown(c))
                    .collect()
            })
            .unwrap_or_default()
    };
    let matching: Vec<&ImportRow> = session
        .rows
        .iter()
        .filter(|r| !view.problems_only || is_problem(r))
        .collect();
    ImportRows {
        rows: matching
            .iter()
            .skip(view.offset as usize)
            .take(view.limit.min(MOST_ROWS) as usize)
            .map(|r| RowView {
                row: (*r).clone(),
                cells: cells_of(r.row),
            })
            .collect(),
        matching: matching.len() as u32,
        counts,
        headers: session.table.headers.iter().map(|h| shown(h)).collect(),
        mapping: session.mapping.clone(),
    }
}
