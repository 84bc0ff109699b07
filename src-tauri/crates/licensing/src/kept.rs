//! What a person keeps about each tenant besides what Graph knows: prices, seat thresholds,
//! which subscriptions renew by themselves, and who is never to be proposed on the Reclaim
//! page. One JSON file (the app's data folder, or the CLI's config folder), by tenant id,
//! read strictly: a file that does not read is reported with its name and never half-used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::{PriceList, Threshold};
use crate::renewals::Commitment;

/// The file's name in its folder.
pub const FILE_NAME: &str = "kept.json";
/// A kept file larger than this is not one LicenseDesk wrote.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Someone (or a group's people) never to propose for reclaiming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Exclusion {
    pub kind: ExclusionKind,
    /// A user principal name, or a group's id.
    pub key: String,
    /// Who or what it is, to show.
    pub name: String,
    /// Why ("service account", "on parental leave until June").
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExclusionKind {
    Person,
    Group,
}

/// Everything kept about one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct Kept {
    #[serde(default)]
    pub prices: PriceList,
    /// By part number.
    #[serde(default)]
    pub thresholds: BTreeMap<String, Threshold>,
    /// By subscription id.
    #[serde(default)]
    pub commitments: BTreeMap<String, Commitment>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeptFile {
    /// By tenant id (lower case).
    #[serde(default)]
    pub tenants: BTreeMap<String, Kept>,
}

impl KeptFile {
    /// Reads the file's text; `origin` names it in the error.
    pub fn parse(text: &str, origin: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "{origin} cannot be read (line {}: {e}); it was left as it is. Move it away to start again.",
                e.line()
            )
        })
    }

    pub fn of(&self, tenant_id: &str) -> Kept {
        self.tenants
            .get(&tenant_id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    pub fn set(&mut self, tenant_id: &str, kept: Kept) {
        self.tenants.insert(tenant_id.to_ascii_lowercase(), kept);
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}

impl Kept {
    /// The excluded people's keys and the excluded groups' ids, for [`crate::reclaim::Rules`].
    pub fn excluded(
        &self,
    ) -> (
        std::collections::HashSet<String>,
        std::collections::HashSet<String>,
    ) {
        let of = |kind: ExclusionKind| {
            self.exclusions
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| e.key.to_ascii_lowercase())
                .collect()
        };
        (of(ExclusionKind::Person), of(ExclusionKind::Group))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_round_trips_and_a_broken_one_is_named() {
        let mut file = KeptFile::default();
        let mut kept = Kept::default();
        kept.prices.cents.insert("SPE_E3".into(), 3375);
        kept.prices.currency = Some("EUR".into());
        kept.thresholds
            .insert("SPE_E3".into(), Threshold::Percent(10));
        kept.commitments
            .insert("sub-1".into(), Commitment::AutoRenews);
        kept.exclusions.push(Exclusion {
            kind: ExclusionKind::Person,
            key: "svc-scanner@contoso.com".into(),
            name: "Scanner".into(),
            reason: "service account".into(),
        });
        file.set("ABC", kept.clone());
        let again = KeptFile::parse(&file.to_text(), "kept.json").expect("reads");
        assert_eq!(again.of("abc"), kept);
        assert_eq!(again.of("other"), Kept::default());
        let err = KeptFile::parse("{\"tenants\": {\"a\": {\"prices\": 3}}}", "/x/kept.json")
            .expect_err("broken");
        assert!(
            err.contains("/x/kept.json") && err.contains("line 1"),
            "{err}"
        );
        assert!(
            KeptFile::parse("{\"colour\": 1}", "k").is_err(),
            "unknown keys"
        );
    }
}
