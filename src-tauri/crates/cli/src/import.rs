//! `import`, `plan` and `apply` of the file HR sends: how the file was read, the mapping and
//! every row with its problems; then the plan of the good rows, the same as `assign-all`'s;
//! then applying it.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use hr_import::{
    Encoding, Field, ImportRow, Mapping, ReadOptions, Severity, Table, Tenant, check_rows,
    read_table, suggest, wanted_changes,
};
use licensing::{ShortfallPolicy, WantedChange};
use serde::Serialize;

use crate::CliError;
use crate::connection::{Connection, ConnectionArgs};
use crate::operations::{carry_out_as, sku, terminal_safe_lines};

#[derive(Debug, Args)]
pub struct FileArgs {
    /// The file: .xlsx, or .csv, .txt or .tsv in any encoding with , ; tab or | between
    /// columns.
    /// (Optional on the command line only because `apply --plan` takes none; every command
    /// that reads a file says so when it is missing.)
    pub file: Option<PathBuf>,
    /// The sheet of an Excel workbook (.xlsx); the first when not given.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Which column holds what, by header name or column number (from 1): user,
    /// usage-location, add-licenses, remove-licenses, action, disabled-plans, department, role,
    /// or ignore. Repeat for more; the rest is suggested from the header names.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// The license for every row, when the file has no license column.
    #[arg(long, value_name = "SKU")]
    pub license: Option<String>,
    /// A role template (see `roles`) for every row: its plans with their apps off. A file can
    /// name each row's role in a "role" (or "functie") column instead.
    #[arg(long, value_name = "NAME", conflicts_with = "license")]
    pub role: Option<String>,
    /// Read the file in this encoding instead of the one detected: utf-8, utf-8-bom, utf-16le,
    /// utf-16be or windows-1252.
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// The character between columns instead of the one detected: , ; tab or |.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// The line of the header row instead of the one detected (from 1).
    #[arg(long, value_name = "LINE")]
    pub header_row: Option<usize>,
}

/// `import --json`: how the file was read, the mapping, and every row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImportReport<'a> {
    /// `null` for a workbook.
    encoding: Option<Encoding>,
    delimiter: Option<String>,
    header_row: usize,
    /// `null` for a text file.
    sheet: Option<&'a str>,
    mapping: Vec<MappedColumn<'a>>,
    rows: &'a [ImportRow],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MappedColumn<'a> {
    /// From 1.
    column: usize,
    header: &'a str,
    field: Option<Field>,
}

struct Checked {
    connection: Connection,
    table: Table,
    mapping: Mapping,
    rows: Vec<ImportRow>,
    skus: Vec<licensing::Sku>,
    people: Vec<licensing::User>,
}

fn options(args: &FileArgs) -> Result<ReadOptions, CliError> {
    let encoding = match args
        .encoding
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => None,
        Some("utf-8" | "utf8") => Some(Encoding::Utf8),
        Some("utf-8-bom" | "utf8-bom") => Some(Encoding::Utf8Bom),
        Some("utf-16le" | "utf-16" | "unicode") => Some(Encoding::Utf16Le),
        Some("utf-16be") => Some(Encoding::Utf16Be),
        Some("windows-1252" | "cp1252" | "ansi" | "latin1") => Some(Encoding::Windows1252),
        Some(other) => {
            return Err(CliError::Usage(format!(
                "'{other}' is not an encoding LicenseDesk reads: use utf-8, utf-8-bom, utf-16le, utf-16be or windows-1252"
            )));
        }
    };
    let delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("," | "comma") => Some(','),
        Some(";" | "semicolon") => Some(';'),
        Some("\t" | "tab" | "\\t") => Some('\t'),
        Some("|" | "pipe") => Some('|'),
        Some(other) => {
            return Err(CliError::Usage(format!(
                "'{other}' is not a delimiter LicenseDesk reads: use , ; tab or |"
            )));
        }
    };
    Ok(ReadOptions {
        encoding,
        delimiter,
        header_row: args.header_row,
        sheet: args.sheet.clone(),
    })
}

fn read(args: &FileArgs) -> Result<Table, CliError> {
    let path = args.file.as_ref().ok_or_else(|| {
        CliError::Usage(
            "name the file to read: licensedesk-cli import FILE (or apply --plan PLAN.json)".into(),
        )
    })?;
    let name = path.display();
    let bytes = crate::read_file(path, hr_import::MAX_FILE_BYTES as u64)?;
    read_table(&bytes, &options(args)?).map_err(|e| CliError::Usage(format!("{name}: {e}")))
}

/// `--map COLUMN=FIELD` over the suggested mapping.
fn mapping(table: &Table, overrides: &[String]) -> Result<Mapping, CliError> {
    let mut mapping = suggest(&table.headers);
    for text in overrides {
        let Some((column, field)) = text.rsplit_once('=') else {
            return Err(CliError::Usage(format!(
                "--map {text}: write COLUMN=FIELD, like --map \"E-mail=user\""
            )));
        };
        let index = match column.trim().parse::<usize>() {
            Ok(n) if (1..=table.headers.len()).contains(&n) => n - 1,
            _ => table
                .headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(column.trim()))
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "--map: the file has no column '{column}'; its columns are: {}",
                        table.headers.join(", ")
                    ))
                })?,
        };
        let field = match field.trim().to_ascii_lowercase().as_str() {
            "ignore" | "none" | "" => None,
            name => Some(Field::from_cli_name(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "--map: '{field}' is not a field; use user, usage-location, add-licenses, remove-licenses, action, disabled-plans, department or ignore"
                ))
            })?),
        };
        mapping.set(index, field);
    }
    if mapping.column(Field::User).is_none() {
        return Err(CliError::Usage(format!(
            "No column of user names was recognised among: {}. Name it with --map COLUMN=user",
            table.headers.join(", ")
        )));
    }
    Ok(mapping)
}

/// Reads and maps the file first (a file that cannot be read is exit 2 before anything is
/// asked of the tenant), then checks every row against the tenant.
async fn check(connection: &ConnectionArgs, args: &FileArgs) -> Result<Checked, CliError> {
    let mut table = read(args)?;
    let mut mapping = mapping(&table, &args.map)?;
    if let Some(role) = &args.role {
        // --role is a role column with the same name on every row.
        if mapping.column(Field::Role).is_some() {
            return Err(CliError::Usage(
                "the file has a role column already: leave out --role, or map that column to ignore".into(),
            ));
        }
        table.headers.push("role".into());
        for row in &mut table.rows {
            row.cells.push(role.clone());
        }
        mapping.columns.push(Some(Field::Role));
    }
    let roles = if mapping.column(Field::Role).is_some() {
        crate::roles::load()?.roles
    } else {
        Vec::new()
    };
    let connection = Connection::open(connection).await?;
    let (skus, people) = connection.skus_and_users().await?;
    let default = match &args.license {
        Some(name) => Some(
            sku(name, &skus, connection.names())?
                .sku_part_number
                .clone(),
        ),
        None => None,
    };
    let rows = check_rows(
        &table,
        &mapping,
        &Tenant {
            people: &people,
            skus: &skus,
            names: connection.names(),
            roles: &roles,
        },
        default.as_deref(),
        &Default::default(),
    );
    Ok(Checked {
        connection,
        table,
        mapping,
        rows,
        skus,
        people,
    })
}

/// `import FILE`: exit 0 when every row can be used, 1 when some cannot, 2 when the file
/// cannot be read.
pub async fn import(
    connection: &ConnectionArgs,
    args: &FileArgs,
    as_json: bool,
) -> Result<(), CliError> {
    let checked = check(connection, args).await?;
    if as_json {
        crate::output::print_json(&ImportReport {
            encoding: checked.table.encoding,
            delimiter: checked.table.delimiter.map(String::from),
            header_row: checked.table.header_row,
            sheet: checked.table.sheet.as_deref(),
            mapping: checked
                .table
                .headers
                .iter()
                .enumerate()
                .map(|(i, header)| MappedColumn {
                    column: i + 1,
                    header,
                    field: checked.mapping.columns.get(i).copied().flatten(),
                })
                .collect(),
            rows: &checked.rows,
        })?;
    } else {
        crate::output::print_text(&terminal_safe_lines(&describe(&checked)))?;
    }
    rows_verdict(&checked.rows)
}

fn describe(checked: &Checked) -> String {
    let t = &checked.table;
    let mut text = match (t.encoding, t.delimiter, &t.sheet) {
        (Some(encoding), Some(delimiter), _) => format!(
            "Read as {encoding}, columns split on {}, header on line {}.\n",
            match delimiter {
                '\t' => "tab".to_string(),
                c => format!("'{c}'"),
            },
            t.header_row
        ),
        (_, _, Some(sheet)) => format!(
            "Read sheet '{sheet}' (of {}), header on row {}.\n",
            t.sheets.join(", "),
            t.header_row
        ),
        _ => format!("Header on line {}.\n", t.header_row),
    };
    for (i, header) in t.headers.iter().enumerate() {
        let field = checked
            .mapping
            .columns
            .get(i)
            .copied()
            .flatten()
            .map_or("(not used)", Field::cli_name);
        text.push_str(&format!("  column {} '{header}' → {field}\n", i + 1));
    }
    let usable = checked.rows.iter().filter(|r| r.is_usable()).count();
    text.push_str(&format!(
        "{usable} of {} rows can be used.\n",
        checked.rows.len()
    ));
    for row in &checked.rows {
        for issue in &row.issues {
            let level = match issue.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            text.push_str(&format!("line {}: {level}: {}\n", row.row, issue.message));
        }
    }
    text
}

fn rows_verdict(rows: &[ImportRow]) -> Result<(), CliError> {
    let bad = rows.iter().filter(|r| r.has_errors()).count();
    if bad == 0 {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{bad} of {} rows cannot be used: fix them in the file (see above)",
            rows.len()
        )))
    }
}

/// What follows the plan of an HR file.
pub enum Then<'a> {
    /// `plan FILE`: show it (and write it to `out` for approval); nothing changed.
    Show { out: Option<&'a std::path::Path> },
    /// `apply FILE`: apply it after a yes.
    Apply { yes: bool },
}

fn title_of(args: &FileArgs, people: usize) -> licensing::RunTitle {
    licensing::RunTitle::Import {
        file: args
            .file
            .as_ref()
            .and_then(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        people: u32::try_from(people).unwrap_or(u32::MAX),
    }
}

/// `plan FILE` (nothing changed) and `apply FILE` (after a yes).
pub async fn plan_or_apply(
    connection: &ConnectionArgs,
    args: &FileArgs,
    policy: ShortfallPolicy,
    then: Then<'_>,
    as_json: bool,
) -> Result<(), CliError> {
    let (apply, yes) = match then {
        Then::Show { .. } => (false, false),
        Then::Apply { yes } => (true, yes),
    };
    let checked = check(connection, args).await?;
    let wanted: Vec<(&licensing::User, WantedChange)> =
        wanted_changes(&checked.rows, &checked.people);
    let requests: Vec<(&licensing::User, &WantedChange)> =
        wanted.iter().map(|(u, c)| (*u, c)).collect();
    let planned = licensing::plan_each(&requests, &checked.skus, policy);
    if let Then::Show { out: Some(out) } = then {
        crate::planfile::write(
            &checked.connection,
            out,
            &title_of(args, wanted.len()).english(),
            policy,
            wanted
                .iter()
                .map(|(u, c)| (u.id.clone(), c.clone()))
                .collect(),
            &planned,
        )
        .await?;
    }
    let unusable = checked.rows.iter().filter(|r| r.has_errors()).count();
    if unusable > 0 && !as_json {
        eprint!(
            "{}",
            terminal_safe_lines(&format!(
                "{unusable} rows cannot be used and are left out (run `licensedesk-cli import` to see why).\n"
            ))
        );
    }
    if apply && !yes {
        confirm(&format!(
            "Apply the changes for {} people?",
            planned
                .people
                .iter()
                .filter(|p| !matches!(
                    p.action,
                    licensing::Action::None | licensing::Action::Blocked
                ))
                .count()
        ))?;
    }
    let result = carry_out_as(
        &checked.connection,
        &planned,
        &checked.skus,
        &checked.people,
        &title_of(args, wanted.len()),
        None,
        !apply,
        as_json,
    )
    .await;
    result.and(if unusable > 0 {
        rows_verdict(&checked.rows)
    } else {
        Ok(())
    })
}

/// Asks `question` on the terminal; anything but yes changes nothing. Without a terminal (a
/// scheduled run) there is no one to ask: --yes is needed.
pub(crate) fn confirm(question: &str) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "apply changes licenses: add --yes to confirm (nothing was changed)".into(),
        ));
    }
    eprint!(
        "{} [y/N] ",
        crate::output::terminal_safe(question, crate::output::MAX_ERROR_CHARS)
    );
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "j" | "ja") {
        Ok(())
    } else {
        Err(CliError::Usage("Nothing was changed.".into()))
    }
}

/// `apply --plan PLAN.json`: the approved plan, checked and planned again on the tenant as it
/// is now; what drifted is shown before anything is applied.
pub async fn apply_plan_file(
    args: &ConnectionArgs,
    path: &std::path::Path,
    yes: bool,
    as_json: bool,
) -> Result<(), CliError> {
    let connection = Connection::open(args).await?;
    let checked = crate::planfile::read(&connection, path).await?;
    say!("{}", crate::planfile::provenance(&checked, path));
    let body = checked.body;
    let (skus, people) = connection.skus_and_users().await?;
    let (planned, users, drift) =
        licensing::planfile::replan(&body, &people, &skus, body.shortfall);
    if !drift.is_empty() {
        let mut text = format!(
            "The tenant changed since the plan was written ({}):\n",
            body.created_at
        );
        for s in &drift.seats {
            text.push_str(&format!(
                "  {}: {} seats were free, now {}\n",
                s.sku_part_number, s.then, s.now
            ));
        }
        for upn in &drift.gone {
            text.push_str(&format!("  {upn}: no longer in the tenant, left out\n"));
        }
        for upn in &drift.changed {
            text.push_str(&format!(
                "  {upn}: not as approved any more (changed since); planned again as they are now\n"
            ));
        }
        say!("{text}");
    }
    if !yes {
        // The plan as it will be carried out, person by person, before the question.
        say!(
            "{}",
            crate::operations::plan_text(&connection, &planned, &skus).await
        );
        let changing = planned
            .people
            .iter()
            .filter(|p| journal::sends_anything(p))
            .count();
        confirm(&format!(
            "Apply the changes above for {changing} {}?",
            if changing == 1 { "person" } else { "people" }
        ))?;
    }
    carry_out_as(
        &connection,
        &planned,
        &skus,
        &users,
        &licensing::RunTitle::PlanFile {
            title: body.what.clone(),
            file: path.display().to_string(),
            author: body.created_by.clone(),
        },
        None,
        false,
        as_json,
    )
    .await
}
