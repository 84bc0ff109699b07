//! A run's report: one line per person with what was to change and what happened, as CSV or
//! as an Excel workbook, in English or Dutch. A cell that starts with `=`, `+`, `-` or `@`
//! (a spreadsheet would read it as a formula) is written with a leading `'`.

use licensing::Action;

use crate::{ChangeStatus, JournalError, RunDetail};

/// The report's words in one language.
pub struct Labels {
    pub headers: [&'static str; 9],
    pub actions: fn(Action) -> &'static str,
    pub statuses: fn(ChangeStatus) -> &'static str,
    pub sheet: &'static str,
}

fn en_action(a: Action) -> &'static str {
    match a {
        Action::Add => "give",
        Action::Remove => "take away",
        Action::Swap => "swap",
        Action::None => "nothing to do",
        Action::Blocked => "not changed",
    }
}

fn en_status(s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Pending => "not sent yet",
        ChangeStatus::Sent => "sent, answer not received",
        ChangeStatus::Done => "done",
        ChangeStatus::Failed => "failed",
        ChangeStatus::Skipped => "not changed",
        ChangeStatus::NotSent => "not sent (cancelled)",
    }
}

fn nl_action(a: Action) -> &'static str {
    match a {
        Action::Add => "geven",
        Action::Remove => "ontnemen",
        Action::Swap => "wisselen",
        Action::None => "niets te doen",
        Action::Blocked => "niet gewijzigd",
    }
}

fn nl_status(s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Pending => "nog niet verzonden",
        ChangeStatus::Sent => "verzonden, geen antwoord ontvangen",
        ChangeStatus::Done => "gedaan",
        ChangeStatus::Failed => "mislukt",
        ChangeStatus::Skipped => "niet gewijzigd",
        ChangeStatus::NotSent => "niet verzonden (geannuleerd)",
    }
}

impl Labels {
    /// Dutch for "nl…", English otherwise.
    pub fn for_language(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("nl") {
            Self {
                headers: [
                    "Naam",
                    "User principal name",
                    "Actie",
                    "Gebruikslocatie",
                    "Geven",
                    "Ontnemen",
                    "Resultaat",
                    "Reden of fout",
                    "Run",
                ],
                actions: nl_action,
                statuses: nl_status,
                sheet: "Resultaat",
            }
        } else {
            Self {
                headers: [
                    "Name",
                    "User principal name",
                    "Action",
                    "Usage location",
                    "Give",
                    "Take away",
                    "Result",
                    "Reason or error",
                    "Run",
                ],
                actions: en_action,
                statuses: en_status,
                sheet: "Result",
            }
        }
    }
}

/// A cell a spreadsheet would take for a formula, made plain text.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn rows(detail: &RunDetail, labels: &Labels) -> Vec<[String; 9]> {
    let name = |id: &str| {
        detail
            .plan_names
            .get(&id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    detail
        .changes
        .iter()
        .map(|c| {
            let o = &c.outcome;
            let reason = c.error.clone().or_else(|| {
                o.reason
                    .as_ref()
                    .map(|r| r.describe(name, |g| g.to_string()))
            });
            [
                o.display_name.clone(),
                o.user_principal_name.clone(),
                (labels.actions)(o.action).to_string(),
                o.set_usage_location.clone().unwrap_or_default(),
                o.add
                    .iter()
                    .map(|a| name(&a.sku_id))
                    .collect::<Vec<_>>()
                    .join(", "),
                o.remove
                    .iter()
                    .map(|r| name(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                (labels.statuses)(c.status).to_string(),
                reason.unwrap_or_default(),
                detail.summary.id.clone(),
            ]
        })
        .collect()
}

pub fn to_csv(detail: &RunDetail, labels: &Labels) -> Result<Vec<u8>, JournalError> {
    // A BOM, so Excel reads names with accents right.
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let io = |e: csv::Error| JournalError::Io(e.to_string());
        writer.write_record(labels.headers).map_err(io)?;
        for row in rows(detail, labels) {
            writer
                .write_record(row.iter().map(|c| neutralise(c)))
                .map_err(io)?;
        }
        writer
            .flush()
            .map_err(|e| JournalError::Io(e.to_string()))?;
    }
    Ok(out)
}

pub fn to_xlsx(detail: &RunDetail, labels: &Labels) -> Result<Vec<u8>, JournalError> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| JournalError::Io(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(labels.sheet).map_err(x)?;
    let bold = Format::new().set_bold();
    for (col, h) in labels.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(x)?;
    }
    for (r, row) in rows(detail, labels).iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            // Written as strings (never formulas), and neutralised as in the CSV so a copy
            // pasted elsewhere stays harmless.
            sheet
                .write_string(r as u32 + 1, col as u16, neutralise(cell))
                .map_err(x)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(x)
}
