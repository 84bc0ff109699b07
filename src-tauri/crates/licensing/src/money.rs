//! What licenses cost: a price per plan per month (Graph has no prices: people type them or
//! import a file), each plan's monthly cost and what its unassigned seats cost, and the seat
//! thresholds under which a plan is flagged.
//!
//! Money is kept in minor units (cents) as integers, so sums never drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::SkuSummary;

/// Prices per plan (by part number, upper case), in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceList {
    /// ISO 4217 code (`EUR`), or `None` when no price said.
    pub currency: Option<String>,
    /// Monthly price of one seat, in cents, by part number.
    #[ts(type = "Record<string, number>")]
    pub cents: BTreeMap<String, i64>,
}

/// Prices larger than this per seat per month are a typing error, not a price.
const MAX_CENTS: i64 = 100_000 * 100;

/// A file of prices has at most this many lines: a tenant has at most a few hundred plans.
pub const MAX_PRICE_LINES: usize = 5_000;

/// One bad line of a price file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LineProblem {
    pub line: u64,
    pub message: String,
}

/// A price file refused whole, with every bad line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceFileError {
    pub file: String,
    pub problems: Vec<LineProblem>,
}

impl std::fmt::Display for PriceFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} was not read: nothing was saved and the prices stay as they were.",
            self.file
        )?;
        for p in self.problems.iter().take(50) {
            if p.line == 0 {
                write!(f, "\n  {}", p.message)?;
            } else {
                write!(f, "\n  line {}: {}", p.line, p.message)?;
            }
        }
        if self.problems.len() > 50 {
            write!(f, "\n  … and {} more", self.problems.len() - 50)?;
        }
        Ok(())
    }
}

/// A price as people write it: `33.75`, `33,75`, `€ 33,75`, `33.75 EUR`, `$12`. Returns cents
/// and the currency the text names, if any.
pub fn parse_price(text: &str) -> Result<(i64, Option<String>), String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("no price".into());
    }
    let (mut number, mut currency) = (t.to_string(), None);
    for (symbol, code) in [("€", "EUR"), ("$", "USD"), ("£", "GBP"), ("¥", "JPY")] {
        if let Some(rest) = number
            .strip_prefix(symbol)
            .or_else(|| number.strip_suffix(symbol))
        {
            number = rest.trim().to_string();
            currency = Some(code.to_string());
        }
    }
    let upper = number.to_ascii_uppercase();
    if let Some((head, tail)) = upper.split_once(' ')
        && currency.is_none()
    {
        let (code, rest) = if is_currency_code(head) {
            (head, tail)
        } else if is_currency_code(tail) {
            (tail, head)
        } else {
            return Err(format!("price '{t}' is not a number"));
        };
        currency = Some(code.to_string());
        number = rest.trim().to_string();
    }
    if number.starts_with('-') {
        return Err(format!("price '{t}' is negative"));
    }
    let (whole, fraction) = match number.find(['.', ',']) {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return Err(format!("price '{t}' is not a number"));
    }
    if fraction.len() > 2 {
        return Err(format!("price '{t}' has more than two decimals"));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("price '{t}' is too large"))?;
    let cents = format!("{fraction:0<2}").parse::<i64>().unwrap_or(0);
    let total = whole.saturating_mul(100).saturating_add(cents);
    if total > MAX_CENTS {
        return Err(format!("price '{t}' is more than 100,000 a month"));
    }
    Ok((total, currency))
}

/// At most `max` characters of what a file says, for an error message.
fn bounded(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

const PLAN_HEADERS: &[&str] = &[
    "plan",
    "sku",
    "skupartnumber",
    "partnumber",
    "product",
    "productname",
    "name",
    "license",
    "licence",
    "licentie",
    "abonnement",
];
const PRICE_HEADERS: &[&str] = &[
    "price",
    "monthly",
    "monthlyprice",
    "pricepermonth",
    "cost",
    "prijs",
    "prijspermaand",
    "bedrag",
];
const CURRENCY_HEADERS: &[&str] = &["currency", "valuta", "munt"];

fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a price file (CSV: a plan and a monthly price per seat, optionally a currency; with
/// or without a header row; comma, semicolon or tab between cells). `resolve` turns what the
/// file says (part number, id or friendly name) into a plan's part number, or `None` when the
/// tenant has no such plan. Any bad line refuses the whole file, naming every bad line.
pub fn parse_price_file(
    text: &str,
    file: &str,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<PriceList, PriceFileError> {
    let refuse = |problems: Vec<LineProblem>| PriceFileError {
        file: file.to_string(),
        problems,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(refuse(vec![LineProblem {
            line: 0,
            message: "the file holds control characters: it is not a text file of prices".into(),
        }]));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            refuse(vec![LineProblem {
                line: e.position().map_or(0, |p| p.line()),
                message: format!("not readable as CSV: {e}"),
            }])
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_PRICE_LINES {
            return Err(refuse(vec![LineProblem {
                line: 0,
                message: format!(
                    "more than {MAX_PRICE_LINES} lines: no tenant has that many plans"
                ),
            }]));
        }
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
    }
    if rows.is_empty() {
        return Err(refuse(vec![LineProblem {
            line: 0,
            message: "the file holds no prices".into(),
        }]));
    }
    // A header row names the columns; without one, they are plan, price, currency.
    let (mut plan_col, mut price_col, mut currency_col) = (0usize, 1usize, Some(2usize));
    let header = &rows[0].1;
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&header_key(h).as_str()))
    };
    let has_header = parse_price(header.get(1).map_or("", String::as_str)).is_err()
        && find(PRICE_HEADERS).is_some();
    if has_header {
        plan_col = find(PLAN_HEADERS).unwrap_or(0);
        price_col = find(PRICE_HEADERS).unwrap_or(1);
        currency_col = find(CURRENCY_HEADERS);
    }
    let mut problems = Vec::new();
    let mut list = PriceList::default();
    let mut first_line_of: BTreeMap<String, u64> = BTreeMap::new();
    let mut currency_from: Option<(String, u64)> = None;
    for (line, cells) in rows.iter().skip(usize::from(has_header)) {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let plan_text = cell(plan_col);
        let mut bad = |message: String| {
            problems.push(LineProblem {
                line: *line,
                message,
            })
        };
        if plan_text.is_empty() {
            bad("no plan named".into());
            continue;
        }
        let Some(part) = resolve(plan_text) else {
            bad(format!(
                "'{}' is not one of the tenant's plans (use its part number, e.g. SPE_E3, or its name)",
                bounded(plan_text, 80)
            ));
            continue;
        };
        let (cents, said) = match parse_price(cell(price_col)) {
            Ok(p) => p,
            Err(message) => {
                bad(message);
                continue;
            }
        };
        let named = currency_col
            .map(|c| cell(c).to_ascii_uppercase())
            .filter(|c| !c.is_empty());
        if let Some(code) = &named
            && !is_currency_code(code)
        {
            bad(format!(
                "currency '{code}' is not a three-letter code such as EUR"
            ));
            continue;
        }
        let currency = match (named, said) {
            (Some(a), Some(b)) if a != b => {
                bad(format!(
                    "the price says {b} but the currency column says {a}"
                ));
                continue;
            }
            (a, b) => a.or(b),
        };
        if let Some(code) = currency {
            match &currency_from {
                Some((first, first_line)) if *first != code => {
                    bad(format!(
                        "in {code}, but line {first_line} is in {first}: one currency per file"
                    ));
                    continue;
                }
                Some(_) => {}
                None => currency_from = Some((code, *line)),
            }
        }
        if let Some(earlier) = first_line_of.get(&part) {
            bad(format!("{part} was already priced on line {earlier}"));
            continue;
        }
        first_line_of.insert(part.clone(), *line);
        list.cents.insert(part, cents);
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    list.currency = currency_from.map(|(c, _)| c);
    Ok(list)
}

impl PriceList {
    /// These prices with `newer` over them. Refused when the currencies differ: a sum of
    /// euros and dollars means nothing.
    pub fn merged(&self, newer: &PriceList) -> Result<PriceList, String> {
        let currency = match (&self.currency, &newer.currency) {
            (Some(a), Some(b)) if a != b && !self.cents.is_empty() => {
                return Err(format!(
                    "the new prices are in {b} and the prices you keep are in {a}: remove those first, or use {a}"
                ));
            }
            (a, b) => b.clone().or_else(|| a.clone()),
        };
        let mut cents = self.cents.clone();
        cents.extend(newer.cents.iter().map(|(k, v)| (k.clone(), *v)));
        Ok(PriceList { currency, cents })
    }

    pub fn of(&self, part_number: &str) -> Option<i64> {
        self.cents.get(&part_number.to_ascii_uppercase()).copied()
    }
}

/// One plan's monthly cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanCost {
    pub sku_id: String,
    pub sku_part_number: String,
    /// Seats given (consumed).
    pub assigned: u32,
    /// Seats bought and not given: enabled − consumed, never below 0.
    pub unassigned: u32,
    /// Price × seats bought (`prepaidUnits.enabled`), in cents; `None` without a price.
    #[ts(type = "number | null")]
    pub monthly_cents: Option<i64>,
    /// Price × unassigned seats, in cents.
    #[ts(type = "number | null")]
    pub unassigned_cents: Option<i64>,
}

/// Each plan's cost under `prices`.
pub fn costs(plans: &[SkuSummary], prices: &PriceList) -> Vec<PlanCost> {
    plans
        .iter()
        .map(|p| {
            let unassigned = p.enabled.saturating_sub(p.consumed);
            let price = prices.of(&p.sku_part_number);
            PlanCost {
                sku_id: p.sku_id.clone(),
                sku_part_number: p.sku_part_number.clone(),
                assigned: p.consumed,
                unassigned,
                monthly_cents: price.map(|c| c * i64::from(p.enabled)),
                unassigned_cents: price.map(|c| c * i64::from(unassigned)),
            }
        })
        .collect()
}

/// One line of the chargeback report: a department's seats of one plan and what they cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChargebackLine {
    /// `None`: people without a department.
    pub department: Option<String>,
    /// People in the department (with or without this plan).
    pub people: u32,
    pub sku_id: String,
    pub sku_part_number: String,
    /// People of the department holding the plan (one seat each, however many sources).
    pub seats: u32,
    #[ts(type = "number | null")]
    pub monthly_cents: Option<i64>,
}

/// What each department's licenses cost: a line per department and plan it holds, by
/// department (those without one last), then by plan part number.
pub fn chargeback(
    people: &[crate::User],
    plans: &[SkuSummary],
    prices: &PriceList,
) -> Vec<ChargebackLine> {
    use std::collections::{BTreeMap, BTreeSet};
    let part = |id: &str| {
        plans
            .iter()
            .find(|p| p.sku_id.eq_ignore_ascii_case(id))
            .map(|p| (p.sku_id.clone(), p.sku_part_number.clone()))
    };
    /// People in a department, and seats per (part number, SKU id).
    type Department = (u32, BTreeMap<(String, String), u32>);
    // Keyed by (has no department, department): those without one sort last.
    let mut by_dept: BTreeMap<(bool, String), Department> = BTreeMap::new();
    for person in people {
        let dept = person.department.clone().unwrap_or_default();
        let entry = by_dept
            .entry((dept.is_empty(), dept))
            .or_insert_with(|| (0, BTreeMap::new()));
        entry.0 += 1;
        let held: BTreeSet<String> = person
            .licenses_in_place()
            .map(|l| l.sku_id.to_ascii_lowercase())
            .collect();
        for id in held {
            if let Some((sku_id, part)) = part(&id) {
                *entry.1.entry((part, sku_id)).or_default() += 1;
            }
        }
    }
    by_dept
        .into_iter()
        .flat_map(|((_, dept), (count, seats))| {
            seats
                .into_iter()
                .map(move |((part, sku_id), n)| ChargebackLine {
                    department: (!dept.is_empty()).then(|| dept.clone()),
                    people: count,
                    monthly_cents: prices.of(&part).map(|c| c * i64::from(n)),
                    sku_id,
                    sku_part_number: part,
                    seats: n,
                })
        })
        .collect()
}

/// When a plan has too few free seats: fewer than N, or fewer than N % of its seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
#[ts(export)]
pub enum Threshold {
    Seats(u32),
    Percent(u32),
}

impl Threshold {
    /// `5` or `10%`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let n: u32 = number
            .parse()
            .map_err(|_| format!("'{t}' is not a number of seats (5) or a share (10%)"))?;
        match (percent, n) {
            (true, 0..=100) => Ok(Self::Percent(n)),
            (true, _) => Err(format!("'{t}': a share is at most 100%")),
            (false, 0..=10_000_000) => Ok(Self::Seats(n)),
            (false, _) => Err(format!("'{t}' is more seats than any plan has")),
        }
    }

    /// Whether `plan`'s free seats are under this threshold.
    pub fn crossed(&self, plan: &SkuSummary) -> bool {
        match *self {
            Self::Seats(n) => plan.free < n,
            Self::Percent(p) => u64::from(plan.free) * 100 < u64::from(p) * u64::from(plan.enabled),
        }
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Seats(n) => write!(f, "{n}"),
            Self::Percent(p) => write!(f, "{p}%"),
        }
    }
}

#[cfg(test)]
mod tests;
