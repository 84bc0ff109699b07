//! What commands print: JSON for scripts, aligned text for people.

use std::io::Write;

use licensing::{SkuSummary, UserSummary};
use serde::Serialize;

use crate::CliError;

fn write_out(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Failed(format!("cannot encode JSON: {e}")))?;
    write_out(&(text + "\n"))
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
        &rows,
    ))
}

pub fn print_users(users: &[UserSummary], as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(&users);
    }
    let rows: Vec<Vec<String>> = users
        .iter()
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
        &rows,
    ))
}
