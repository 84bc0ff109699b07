//! License plans (SKUs) as the app shows them.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ProductNames, SeatCounts};

/// Graph's `capabilityStatus` of a subscribed SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum CapabilityStatus {
    Enabled,
    /// Some units expired and are in their grace period.
    Warning,
    Suspended,
    Deleted,
    /// The customer cancelled.
    LockedOut,
    /// A value Graph added after this was written; treated as not assignable.
    Unknown,
}

impl CapabilityStatus {
    /// Parses Graph's string, mapping anything new to `Unknown` rather than failing the whole list.
    pub fn from_graph(value: &str) -> Self {
        match value {
            "Enabled" => Self::Enabled,
            "Warning" => Self::Warning,
            "Suspended" => Self::Suspended,
            "Deleted" => Self::Deleted,
            "LockedOut" => Self::LockedOut,
            _ => Self::Unknown,
        }
    }

    /// Whether new assignments can draw on this SKU at all.
    pub fn allows_assignment(self) -> bool {
        matches!(self, Self::Enabled | Self::Warning)
    }
}

/// Whether a SKU is for people or for the organisation as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum AppliesTo {
    User,
    /// Company SKUs fail with "License … cannot be assigned to a user."
    Company,
    Unknown,
}

impl AppliesTo {
    pub fn from_graph(value: &str) -> Self {
        match value {
            "User" => Self::User,
            "Company" => Self::Company,
            _ => Self::Unknown,
        }
    }
}

/// One subscribed SKU as read from the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    pub sku_id: String,
    pub sku_part_number: String,
    pub applies_to: AppliesTo,
    pub capability_status: CapabilityStatus,
    pub seats: SeatCounts,
    /// The apps and services in the plan (each can be switched off per person).
    pub service_plans: Vec<ServicePlan>,
}

/// One service plan (an app or service) inside a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePlan {
    pub id: String,
    /// Microsoft's name, e.g. `EXCHANGE_S_ENTERPRISE`.
    pub name: String,
}

/// A SKU ready to show: names resolved and seat numbers worked out.
///
/// This is also the CLI's `skus --json` record, so its camelCase field names are a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SkuSummary {
    pub sku_id: String,
    pub sku_part_number: String,
    /// Friendly product name, or the part number when the product is not known.
    pub display_name: String,
    pub applies_to: AppliesTo,
    pub capability_status: CapabilityStatus,
    pub enabled: u32,
    pub consumed: u32,
    pub warning: u32,
    pub suspended: u32,
    pub locked_out: u32,
    pub free: u32,
    pub free_with_grace: u32,
    /// True when people can be given this SKU now (user SKU, status Enabled or Warning).
    pub assignable: bool,
}

impl SkuSummary {
    pub fn new(sku: &Sku, names: &ProductNames) -> Self {
        let seats = sku.seats;
        let assignable =
            sku.applies_to == AppliesTo::User && sku.capability_status.allows_assignment();
        Self {
            sku_id: sku.sku_id.clone(),
            sku_part_number: sku.sku_part_number.clone(),
            display_name: names.display_name(&sku.sku_id, &sku.sku_part_number),
            applies_to: sku.applies_to,
            capability_status: sku.capability_status,
            enabled: seats.enabled,
            consumed: seats.consumed,
            warning: seats.warning,
            suspended: seats.suspended,
            locked_out: seats.locked_out,
            free: if assignable { seats.free() } else { 0 },
            free_with_grace: if assignable {
                seats.free_with_grace()
            } else {
                0
            },
            assignable,
        }
    }
}

/// Summaries in the order people look for them: plans they can assign first, alphabetically;
/// then organisation-wide SKUs; then suspended, cancelled and deleted ones.
pub fn summarize_skus(skus: &[Sku], names: &ProductNames) -> Vec<SkuSummary> {
    let mut out: Vec<SkuSummary> = skus.iter().map(|s| SkuSummary::new(s, names)).collect();
    out.sort_by(compare_for_display);
    out
}

fn display_group(s: &SkuSummary) -> u8 {
    match (s.assignable, s.applies_to) {
        (true, _) => 0,
        (false, AppliesTo::Company) if s.capability_status.allows_assignment() => 1,
        _ => 2,
    }
}

fn compare_for_display(a: &SkuSummary, b: &SkuSummary) -> Ordering {
    display_group(a)
        .cmp(&display_group(b))
        .then_with(|| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        })
        .then_with(|| a.sku_id.cmp(&b.sku_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(id: &str, part: &str, applies: AppliesTo, status: CapabilityStatus) -> Sku {
        Sku {
            sku_id: id.into(),
            sku_part_number: part.into(),
            applies_to: applies,
            capability_status: status,
            seats: SeatCounts {
                enabled: 10,
                warning: 5,
                consumed: 4,
                ..SeatCounts::default()
            },
            service_plans: Vec::new(),
        }
    }

    #[test]
    fn statuses_parse_and_unknown_is_not_assignable() {
        assert_eq!(
            CapabilityStatus::from_graph("LockedOut"),
            CapabilityStatus::LockedOut
        );
        assert_eq!(
            CapabilityStatus::from_graph("Frozen"),
            CapabilityStatus::Unknown
        );
        assert!(!CapabilityStatus::Unknown.allows_assignment());
        assert!(CapabilityStatus::Warning.allows_assignment());
    }

    #[test]
    fn suspended_and_company_skus_offer_no_free_seats() {
        let names = ProductNames::builtin();
        let suspended = SkuSummary::new(
            &sku("a", "X", AppliesTo::User, CapabilityStatus::Suspended),
            &names,
        );
        assert!(!suspended.assignable);
        assert_eq!((suspended.free, suspended.free_with_grace), (0, 0));
        let company = SkuSummary::new(
            &sku("b", "Y", AppliesTo::Company, CapabilityStatus::Enabled),
            &names,
        );
        assert!(!company.assignable);
        assert_eq!(company.free, 0);
        let ok = SkuSummary::new(
            &sku("c", "Z", AppliesTo::User, CapabilityStatus::Enabled),
            &names,
        );
        assert_eq!((ok.free, ok.free_with_grace), (6, 11));
    }

    #[test]
    fn assignable_plans_sort_first_then_by_name() {
        let names = ProductNames::builtin();
        let skus = vec![
            sku("1", "ZETA", AppliesTo::User, CapabilityStatus::Suspended),
            sku("2", "beta", AppliesTo::User, CapabilityStatus::Enabled),
            sku(
                "3",
                "WINDOWS",
                AppliesTo::Company,
                CapabilityStatus::Enabled,
            ),
            sku("4", "Alpha", AppliesTo::User, CapabilityStatus::Warning),
        ];
        let order: Vec<_> = summarize_skus(&skus, &names)
            .into_iter()
            .map(|s| s.sku_part_number)
            .collect();
        assert_eq!(order, ["Alpha", "beta", "WINDOWS", "ZETA"]);
    }

    #[test]
    fn summary_serializes_with_the_cli_contract_keys() {
        let names = ProductNames::builtin();
        let s = SkuSummary::new(
            &sku(
                "05e9a617-0261-4cee-bb44-138d3ef5d965",
                "SPE_E3",
                AppliesTo::User,
                CapabilityStatus::Enabled,
            ),
            &names,
        );
        let v = serde_json::to_value(&s).expect("serializes");
        for key in [
            "skuId",
            "skuPartNumber",
            "displayName",
            "appliesTo",
            "capabilityStatus",
            "enabled",
            "consumed",
            "warning",
            "suspended",
            "lockedOut",
            "free",
            "freeWithGrace",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["displayName"], "Microsoft 365 E3");
        assert_eq!(v["capabilityStatus"], "Enabled");
    }
}

/// Why a name does not pick one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkuLookupError {
    Unknown {
        query: String,
        candidates: Vec<String>,
    },
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}

impl std::fmt::Display for SkuLookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown { query, candidates } => write!(
                f,
                "no plan of this tenant is called '{query}'. Plans: {}",
                candidates.join("; ")
            ),
            Self::Ambiguous { query, candidates } => write!(
                f,
                "'{query}' names more than one plan: {}. Use the part number or the SKU id",
                candidates.join("; ")
            ),
        }
    }
}

impl std::error::Error for SkuLookupError {}

/// The tenant's plan named by `query`: its SKU id, part number or friendly name, in any case.
/// A name matching several plans, or none, is an error listing the candidates.
pub fn resolve_sku<'a>(
    query: &str,
    skus: &'a [Sku],
    names: &ProductNames,
) -> Result<&'a Sku, SkuLookupError> {
    let q = query.trim();
    let label = |s: &Sku| {
        format!(
            "{} ({}, {})",
            names.display_name(&s.sku_id, &s.sku_part_number),
            s.sku_part_number,
            s.sku_id
        )
    };
    let exact: Vec<&Sku> = skus
        .iter()
        .filter(|s| s.sku_id.eq_ignore_ascii_case(q) || s.sku_part_number.eq_ignore_ascii_case(q))
        .collect();
    let matches: Vec<&Sku> = if exact.is_empty() {
        skus.iter()
            .filter(|s| {
                names
                    .display_name(&s.sku_id, &s.sku_part_number)
                    .eq_ignore_ascii_case(q)
            })
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            let lower = q.to_lowercase();
            let close: Vec<String> = skus
                .iter()
                .filter(|s| {
                    names
                        .display_name(&s.sku_id, &s.sku_part_number)
                        .to_lowercase()
                        .contains(&lower)
                        || s.sku_part_number.to_lowercase().contains(&lower)
                })
                .map(&label)
                .collect();
            let candidates = if close.is_empty() {
                skus.iter().map(&label).collect()
            } else {
                close
            };
            Err(SkuLookupError::Unknown {
                query: q.to_string(),
                candidates,
            })
        }
        many => Err(SkuLookupError::Ambiguous {
            query: q.to_string(),
            candidates: many.iter().map(|s| label(s)).collect(),
        }),
    }
}
