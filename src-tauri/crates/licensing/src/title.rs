//! What a run is, kept as facts rather than words: the window words it in the person's
//! language ("Give Microsoft 365 E3 — 3 people" / "Microsoft 365 E3 geven — 3 personen"), and
//! the journal keeps the English words too, for the CLI, reports and runs from before titles.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::plan::{UsageLocationChange, WantedChange};
use crate::{ProductNames, Sku};

/// A run's title. Plan names are product names (the same in every language); everything else
/// is worded by whoever shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum RunTitle {
    /// One change for everyone chosen: plans given, taken away, whose apps are switched, and
    /// the usage location set.
    Change {
        give: Vec<String>,
        take: Vec<String>,
        apps: Vec<String>,
        location: Option<String>,
        people: u32,
    },
    /// Each person's own change, from an HR file.
    Import { file: String, people: u32 },
    /// A plan file approved here. `title` and `author` are the file's claims, not facts.
    PlanFile {
        title: String,
        file: String,
        author: String,
    },
    /// The reverse of an earlier run.
    Undo { of: Box<RunTitle> },
    /// People join (`join`) or leave a license group.
    Membership {
        group: String,
        join: bool,
        people: u32,
    },
    /// A role template given to people.
    Role { name: String, people: u32 },
    /// A run written before titles were kept: only its English words are known.
    Words { text: String },
}

impl RunTitle {
    /// The title of one change for `people` people, with plans named as the tenant's SKUs are.
    pub fn of_change(
        wanted: &WantedChange,
        skus: &[Sku],
        names: &ProductNames,
        people: usize,
    ) -> Self {
        let name = |id: &str| {
            skus.iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(id))
                .map(|s| names.display_name(&s.sku_id, &s.sku_part_number))
                .unwrap_or_else(|| id.to_string())
        };
        let location = match &wanted.usage_location {
            Some(UsageLocationChange::Everyone(c) | UsageLocationChange::WhereMissing(c)) => {
                Some(c.clone())
            }
            None => None,
        };
        RunTitle::Change {
            give: wanted.add.iter().map(|a| name(&a.sku_id)).collect(),
            take: wanted.remove.iter().map(|r| name(r)).collect(),
            apps: wanted.apps.iter().map(|a| name(&a.sku_id)).collect(),
            location,
            people: u32::try_from(people).unwrap_or(u32::MAX),
        }
    }

    /// The title in English, as the journal, the CLI and reports say it.
    pub fn english(&self) -> String {
        match self {
            RunTitle::Change {
                give,
                take,
                apps,
                location,
                people,
            } => {
                let what = match (give.is_empty(), take.is_empty()) {
                    (false, true) => format!("Give {}", give.join(", ")),
                    (true, false) => format!("Take away {}", take.join(", ")),
                    (false, false) => format!("Swap {} → {}", take.join(", "), give.join(", ")),
                    (true, true) if !apps.is_empty() => {
                        format!("Switch apps in {}", apps.join(", "))
                    }
                    (true, true) => match location {
                        Some(c) => format!("Set usage location to {c}"),
                        None => "Set usage location".into(),
                    },
                };
                let what = match location {
                    Some(c) if !(give.is_empty() && take.is_empty()) => {
                        format!("{what} (usage location {c})")
                    }
                    _ => what,
                };
                format!("{what} — {}", people_count(*people))
            }
            RunTitle::Import { file, people } => {
                format!("Import {file} — {}", people_count(*people))
            }
            RunTitle::PlanFile {
                title,
                file,
                author,
            } => format!("{title} (plan file {file}, which says it was prepared by {author})"),
            RunTitle::Undo { of } => format!("Undo: {}", of.english()),
            RunTitle::Membership {
                group,
                join,
                people,
            } => format!(
                "{} the group “{group}” — {}",
                if *join { "Add to" } else { "Remove from" },
                people_count(*people)
            ),
            RunTitle::Role { name, people } => {
                format!("Give the role “{name}” — {}", people_count(*people))
            }
            RunTitle::Words { text } => text.clone(),
        }
    }
}

/// "1 person", "1,500 people": the journal's words are English.
fn people_count(people: u32) -> String {
    let digits = people.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "{grouped} {}",
        if people == 1 { "person" } else { "people" }
    )
}
