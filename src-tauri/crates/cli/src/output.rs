//! What commands print: JSON for scripts, aligned text for people.

use std::io::Write;

use licensing::{ProductNames, Sku, SkuSummary, Summarizer, User};
use serde::Serialize;

use crate::CliError;

/// How much of an error message is printed; the whole text is in the log
/// (`LICENSEDESK_LOG=debug`).
pub const MAX_ERROR_CHARS: usize = 2_000;

/// Text from Graph or the sign-in service made safe to print on a terminal: control
/// characters (escape sequences that retitle the window or clear the screen, C1 codes) are
/// dropped (tabs and line breaks become spaces), and past `max` characters the rest is cut
/// and said to be.
pub fn terminal_safe(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 64));
    let mut count = 0;
    for c in text.chars() {
        let c = match c {
            '\n' | '\t' | '\r' => ' ',
            c if c.is_control() => continue,
            c => c,
        };
        if count == max {
            let rest = text.chars().count() - count;
            out.push_str(&format!("… ({rest} more characters; the whole text is in the log with LICENSEDESK_LOG=debug)"));
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// A table cell from Graph's data: one line, no control characters, at most 200 characters.
fn cell(text: &str) -> String {
    terminal_safe(text, 200)
}

fn write_out(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

/// Text for people on stdout (already made terminal-safe by the caller).
pub fn print_text(text: &str) -> Result<(), CliError> {
    write_out(text)
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    json(value)
}

fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    // Written as it is made: a reclaim of 100,000 people is megabytes of JSON, never held
    // whole in memory.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| CliError::Failed(format!("cannot write JSON to stdout: {e}")))?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

/// Renders rows as columns separated by two spaces, each as wide as its widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

/// Rows of cells from Graph, each made terminal-safe before widths are measured.
fn safe_rows(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|row| row.iter().map(|c| cell(c)).collect())
        .collect()
}

pub fn print_skus(skus: &[SkuSummary], as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(&skus);
    }
    let rows: Vec<Vec<String>> = skus
        .iter()
        .map(|s| {
            vec![
                s.display_name.clone(),
                s.sku_part_number.clone(),
                format!("{:?}", s.capability_status),
                format!("{} of {}", s.free, s.enabled),
                s.consumed.to_string(),
                s.warning.to_string(),
                s.suspended.to_string(),
            ]
        })
        .collect();
    write_out(&table(
        &[
            "Product",
            "Part number",
            "Status",
            "Available",
            "Assigned",
            "In grace",
            "Suspended",
        ],
        &safe_rows(rows),
    ))
}

/// The people as `users --json` records, each made as it is written: 100,000 people are never
/// held as records and as one JSON text at once.
struct Records<'a> {
    users: &'a [User],
    summarizer: Summarizer<'a>,
}

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.users.iter().map(|u| self.summarizer.summary(u)))
    }
}

pub fn print_users(
    users: &[User],
    skus: &[Sku],
    names: &ProductNames,
    as_json: bool,
) -> Result<(), CliError> {
    let summarizer = Summarizer::new(skus, names);
    if as_json {
        let records = Records { users, summarizer };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return serde_json::to_writer_pretty(&mut out, &records)
            .map_err(|e| CliError::Failed(format!("cannot write JSON: {e}")))
            .and_then(|()| {
                out.write_all(b"\n")
                    .and_then(|()| out.flush())
                    .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
            });
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| summarizer.summary(u))
        .map(|u| {
            let mut licenses: Vec<String> = u
                .licenses
                .iter()
                .map(|l| match l.assigned_by_group {
                    Some(_) => format!("{} (group)", l.sku_part_number),
                    None => l.sku_part_number.clone(),
                })
                .collect();
            licenses.dedup();
            vec![
                u.user_principal_name.clone(),
                u.display_name.clone(),
                u.department.clone().unwrap_or_else(|| "-".into()),
                u.usage_location.clone().unwrap_or_else(|| "-".into()),
                if licenses.is_empty() {
                    "Unlicensed".into()
                } else {
                    licenses.join(", ")
                },
            ]
        })
        .collect();
    write_out(&table(
        &["User", "Name", "Department", "Location", "Licenses"],
        &safe_rows(rows),
    ))
}

/// The policy in force: JSON for scripts (`file` null when there is none), or a few lines.
pub fn print_policy(in_force: &policy::InForce, as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(in_force);
    }
    let p = &in_force.policy;
    let Some(file) = &in_force.file else {
        return write_out(&format!(
            "No policy: {} does not exist. LicenseDesk asks for the tenant and app at sign-in.\n",
            policy::path().display()
        ));
    };
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
    let mut text = format!(
        "Policy from {file}\n  tenant              {}\n  clientId            {}\n  cloud               {}\n  locked              {}\n  allowDemo           {}\n  productNamesRefresh {}\n  requireSignedPlans  {}\n  trustedPlanKeys     {}\n",
        or_unset(&p.tenant),
        or_unset(&p.client_id),
        p.cloud.as_deref().unwrap_or("(not set: global)"),
        p.locked,
        p.demo_allowed(),
        p.product_names_refresh
            .map(|b| b.to_string())
            .unwrap_or_else(|| "(not set: ask)".into()),
        p.require_signed_plans,
        p.trusted_plan_keys.len(),
    );
    for key in &p.trusted_plan_keys {
        text.push_str(&format!("    {}  {}\n", key.name, key.public_key));
    }
    // Names of keys come from a file: printed line by line without control characters.
    write_out(&crate::operations::terminal_safe_lines(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_sequences_never_reach_the_terminal() {
        let hostile = "E3\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{7f}\nnext";
        let safe = terminal_safe(hostile, 100);
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
        assert_eq!(safe, "E3]0;pwned[2J31m next");
    }

    #[test]
    fn long_text_is_cut_and_says_so() {
        let long = "x".repeat(5_000);
        let safe = terminal_safe(&long, 10);
        assert!(
            safe.starts_with("xxxxxxxxxx… (4990 more characters"),
            "{safe}"
        );
        assert_eq!(terminal_safe("short", 10), "short");
    }
}
