//! A run's report: what run it is (started when, by whom, its state), then one line per person
//! with what was to change and what happened, as CSV or as an Excel workbook, in English or
//! Dutch with the words the app's screens use.
//!
//! Names and Graph's error texts come from outside and are treated as hostile: every CSV field
//! is quoted, and a cell a spreadsheet would take for a formula — starting with `=`, `+`, `-`
//! or `@`, also after spaces, non-breaking spaces or control characters, or in their
//! full-width forms `＝ ＋ － ＠` — is written with a leading `'`. Dutch reports use `;`
//! between fields, as Excel expects in Dutch (and most European) settings.

use licensing::{Action, Reason};

use crate::{ChangeStatus, JournalError, RunDetail, RunState};

/// Puts a name on an id (a plan's, a group's).
type Namer<'a> = &'a dyn Fn(&str) -> String;

/// The report's words in one language.
pub struct Labels {
    pub headers: [&'static str; 9],
    pub actions: fn(Action) -> &'static str,
    pub statuses: fn(ChangeStatus) -> &'static str,
    pub states: fn(RunState) -> &'static str,
    /// The lines above the table: run, started, by, tenant, state.
    pub about: [&'static str; 5],
    /// A reason in these words (`plan` names a plan id, `group` a group id).
    pub reason: fn(&Reason, Namer, Namer) -> String,
    pub sheet: &'static str,
    /// Between CSV fields: `;` where the decimal separator is a comma.
    pub delimiter: u8,
}

fn en_action(a: Action) -> &'static str {
    match a {
        Action::Add => "Give",
        Action::Remove => "Take away",
        Action::Swap => "Swap",
        Action::Apps => "Switch apps",
        Action::Membership => "Group membership",
        Action::None => "Nothing to do",
        Action::Blocked => "Not changed",
    }
}

/// As the result screen words them.
fn en_status(s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Pending => "Not sent yet",
        ChangeStatus::Sent => "Sent, answer not received",
        ChangeStatus::Done => "Done",
        ChangeStatus::Failed => "Failed",
        ChangeStatus::Skipped => "Not changed",
        ChangeStatus::NotSent => "Not sent",
    }
}

fn en_state(s: RunState) -> &'static str {
    match s {
        RunState::Running => "Running",
        RunState::Interrupted => "Interrupted",
        RunState::Finished => "Finished",
        RunState::Cancelled => "Cancelled",
        RunState::Undone => "Undone",
    }
}

fn en_reason(r: &Reason, plan: Namer, group: Namer) -> String {
    r.describe(plan, group)
}

fn nl_action(a: Action) -> &'static str {
    match a {
        Action::Add => "Geven",
        Action::Remove => "Afnemen",
        Action::Swap => "Wisselen",
        Action::Apps => "Apps aan/uit",
        Action::Membership => "Groepslidmaatschap",
        Action::None => "Niets te doen",
        Action::Blocked => "Niet gewijzigd",
    }
}

fn nl_status(s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Pending => "Nog niet verstuurd",
        ChangeStatus::Sent => "Verstuurd, geen antwoord ontvangen",
        ChangeStatus::Done => "Klaar",
        ChangeStatus::Failed => "Mislukt",
        ChangeStatus::Skipped => "Niet gewijzigd",
        ChangeStatus::NotSent => "Niet verstuurd",
    }
}

fn nl_state(s: RunState) -> &'static str {
    match s {
        RunState::Running => "Bezig",
        RunState::Interrupted => "Onderbroken",
        RunState::Finished => "Afgerond",
        RunState::Cancelled => "Geannuleerd",
        RunState::Undone => "Ongedaan gemaakt",
    }
}

fn nl_reason(r: &Reason, plan: Namer, group: Namer) -> String {
    match r {
        Reason::AlreadyHasIt { sku_id } => format!("Heeft {} al.", plan(sku_id)),
        Reason::AppsAlreadySo { sku_id } => {
            format!("De apps van {} staan al zo.", plan(sku_id))
        }
        Reason::DoesNotHaveIt { sku_id } => format!(
            "Heeft {} niet rechtstreeks: er is niets af te nemen.",
            plan(sku_id)
        ),
        Reason::NoUsageLocation => "Geen gebruikslocatie: Microsoft heeft die nodig voordat een licentie gegeven kan worden. Stel eerst een gebruikslocatie in.".into(),
        Reason::FromGroup { sku_id, group_id } => format!(
            "{} komt van de groep {}: haal de persoon uit die groep (of wijzig de licenties van de groep).",
            plan(sku_id),
            group(group_id)
        ),
        Reason::UnknownPlan { sku_id } => format!("De tenant heeft geen abonnement {sku_id}."),
        Reason::NotForPeople { sku_id } => {
            format!("{} is voor de organisatie, niet voor personen.", plan(sku_id))
        }
        Reason::PlanNotActive { sku_id } => format!(
            "{} is opgeschort, opgezegd of vergrendeld: er kunnen geen licenties uit gegeven worden.",
            plan(sku_id)
        ),
        Reason::PlanConflict { sku_id, plans } => format!(
            "{} kan niet gegeven worden: de persoon zou {} samen hebben, en die gaan niet samen. Neem de andere licentie in dezelfde wijziging af (wisselen), of zet een ervan uit.",
            plan(sku_id),
            plans.join(" en ")
        ),
        Reason::NoSeat { sku_id } => format!(
            "Niet genoeg vrije licenties {} voor iedereen: koop er bij of kies minder mensen.",
            plan(sku_id)
        ),
        Reason::NothingAsked => "Niets te wijzigen.".into(),
        Reason::AlreadyInGroup { group_id } => format!("Is al lid van {}.", group(group_id)),
        Reason::NotInGroup { group_id } => {
            format!("Is geen lid van {}: er is niets te verlaten.", group(group_id))
        }
        Reason::DynamicGroup { group_id } => format!(
            "{} is een dynamische groep: de leden volgen de regel van de groep en kunnen niet toegevoegd of verwijderd worden. Wijzig de gegevens van de persoon die de regel leest, of de regel.",
            group(group_id)
        ),
    }
}

impl Labels {
    /// Dutch for "nl…", English otherwise.
    pub fn for_language(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("nl") {
            Self {
                headers: [
                    "Naam",
                    "Gebruikersnaam (UPN)",
                    "Wijziging",
                    "Gebruikslocatie",
                    "Krijgt",
                    "Raakt kwijt",
                    "Resultaat",
                    "Reden of fout",
                    "Run",
                ],
                actions: nl_action,
                statuses: nl_status,
                states: nl_state,
                about: ["Run", "Gestart", "Door", "Tenant", "Status"],
                reason: nl_reason,
                sheet: "Resultaat",
                delimiter: b';',
            }
        } else {
            Self {
                headers: [
                    "Name",
                    "User principal name",
                    "Change",
                    "Usage location",
                    "Gets",
                    "Loses",
                    "Result",
                    "Reason or error",
                    "Run",
                ],
                actions: en_action,
                statuses: en_status,
                states: en_state,
                about: ["Run", "Started", "By", "Tenant", "State"],
                reason: en_reason,
                sheet: "Result",
                delimiter: b',',
            }
        }
    }
}

/// A cell a spreadsheet would take for a formula, made plain text. Spreadsheets skip leading
/// spaces and control characters before deciding, and read the full-width signs as the
/// ASCII ones.
pub fn neutralise(cell: &str) -> String {
    let first = cell
        .chars()
        .find(|c| !(c.is_whitespace() || c.is_control() || *c == '\u{feff}'));
    let formula_like = matches!(
        first,
        Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠')
    );
    // A cell that starts with a tab or a carriage return is taken apart by some importers.
    if formula_like || cell.starts_with(['\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn about(detail: &RunDetail, labels: &Labels) -> [[String; 2]; 5] {
    let s = &detail.summary;
    [
        [labels.about[0].into(), format!("{} — {}", s.id, s.what)],
        [labels.about[1].into(), s.started_at.clone()],
        [labels.about[2].into(), s.started_by.clone()],
        [labels.about[3].into(), s.tenant_name.clone()],
        [labels.about[4].into(), (labels.states)(s.state).into()],
    ]
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
            // A group by the name it had when the run was planned.
            let group = |g: &str| {
                o.join_groups
                    .iter()
                    .chain(&o.leave_groups)
                    .find(|x| x.id.eq_ignore_ascii_case(g))
                    .map_or_else(|| g.to_string(), |x| format!("“{}”", x.display_name))
            };
            let reason = c
                .error
                .clone()
                .or_else(|| o.reason.as_ref().map(|r| (labels.reason)(r, &name, &group)));
            [
                o.display_name.clone(),
                o.user_principal_name.clone(),
                (labels.actions)(o.action).to_string(),
                o.set_usage_location.clone().unwrap_or_default(),
                // What the person gets and loses: plans, or the groups joined and left.
                o.add
                    .iter()
                    .map(|a| name(&a.sku_id))
                    .chain(o.join_groups.iter().map(|g| g.display_name.clone()))
                    .collect::<Vec<_>>()
                    .join(", "),
                o.remove
                    .iter()
                    .map(|r| name(r))
                    .chain(o.leave_groups.iter().map(|g| g.display_name.clone()))
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
        let mut writer = csv::WriterBuilder::new()
            .delimiter(labels.delimiter)
            .quote_style(csv::QuoteStyle::Always)
            .flexible(true)
            .from_writer(&mut out);
        let io = |e: csv::Error| JournalError::Io(e.to_string());
        for line in about(detail, labels) {
            writer
                .write_record(line.iter().map(|c| neutralise(c)))
                .map_err(io)?;
        }
        writer.write_record([""]).map_err(io)?;
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
    let about = about(detail, labels);
    for (r, [label, value]) in about.iter().enumerate() {
        sheet
            .write_string_with_format(r as u32, 0, label, &bold)
            .map_err(x)?;
        sheet
            .write_string(r as u32, 1, neutralise(value))
            .map_err(x)?;
    }
    let header_row = about.len() as u32 + 1;
    for (col, h) in labels.headers.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, col as u16, *h, &bold)
            .map_err(x)?;
    }
    for (r, row) in rows(detail, labels).iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            // Written as strings (never formulas), and neutralised as in the CSV so a copy
            // pasted elsewhere stays harmless.
            sheet
                .write_string(header_row + 1 + r as u32, col as u16, neutralise(cell))
                .map_err(x)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(x)
}

/// A cell of a plain table (the chargeback report): text, or a number a spreadsheet can sum.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count (people, seats).
    Count(u64),
    /// An amount of money, written with two decimals.
    Number(f64),
}

/// A plain table as CSV (a BOM for Excel, every cell quoted and neutralised).
pub fn table_to_csv(
    headers: &[&str],
    rows: &[Vec<Cell>],
    delimiter: u8,
) -> Result<Vec<u8>, JournalError> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(&mut out);
        let io = |e: csv::Error| JournalError::Io(e.to_string());
        writer.write_record(headers).map_err(io)?;
        for row in rows {
            writer
                .write_record(row.iter().map(|c| match c {
                    Cell::Text(t) => neutralise(t),
                    Cell::Count(n) => n.to_string(),
                    Cell::Number(n) => format!("{n:.2}"),
                }))
                .map_err(io)?;
        }
        writer
            .flush()
            .map_err(|e| JournalError::Io(e.to_string()))?;
    }
    Ok(out)
}

/// A plain table as an Excel workbook of one sheet; numbers as numbers, text never formulas.
pub fn table_to_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, JournalError> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| JournalError::Io(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(x)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    for (col, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(x)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            let (r, col) = (r as u32 + 1, col as u16);
            match cell {
                Cell::Text(t) => sheet.write_string(r, col, neutralise(t)).map_err(x)?,
                Cell::Count(n) => sheet.write_number(r, col, *n as f64).map_err(x)?,
                Cell::Number(n) => sheet
                    .write_number_with_format(r, col, *n, &money)
                    .map_err(x)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_like_cells_are_neutralised_however_they_are_dressed() {
        for bad in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "  =HYPERLINK(\"http://x\")",
            "\u{a0}=1",
            "\u{1}=1",
            "\u{feff}=1",
            "＝HYPERLINK(\"http://x\")",
            "＋1",
            "－1",
            "＠x",
            "\tx",
        ] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        for good in ["ana@contoso.com", "Ana de Vries", "E3 + Power BI", ""] {
            assert_eq!(neutralise(good), good);
        }
    }
}
