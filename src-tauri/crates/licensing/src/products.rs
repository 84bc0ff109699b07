//! Friendly product names ("Microsoft 365 E3" rather than `SPE_E3`).
//!
//! Graph gives only part numbers. Microsoft publishes the names in a CSV that changes often; the
//! app keeps a table for common SKUs (taken from that CSV by tests/tools/extract_catalog.py) and
//! falls back to the part number. Keyed on skuId: one part number (MCOPSTN5) has two GUIDs.

use std::collections::HashMap;

const BUILTIN_TABLE: &str = include_str!("product_names.tsv");

#[derive(Debug, Clone, Default)]
pub struct ProductNames {
    by_sku_id: HashMap<String, String>,
}

impl ProductNames {
    /// The table shipped with the app.
    pub fn builtin() -> Self {
        let mut names = Self::default();
        for line in BUILTIN_TABLE.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            if let (Some(id), Some(_part), Some(name)) = (cols.next(), cols.next(), cols.next()) {
                names.insert(id, name);
            }
        }
        names
    }

    pub fn insert(&mut self, sku_id: &str, display_name: &str) {
        self.by_sku_id
            .insert(sku_id.to_ascii_lowercase(), display_name.to_string());
    }

    pub fn len(&self) -> usize {
        self.by_sku_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sku_id.is_empty()
    }

    /// The friendly name of a SKU, or its part number when the product is not in the table.
    pub fn display_name(&self, sku_id: &str, sku_part_number: &str) -> String {
        self.by_sku_id
            .get(&sku_id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| sku_part_number.to_string())
    }

    /// Iterates `(skuId, displayName)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_sku_id.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sku_gets_its_friendly_name_case_insensitively() {
        let names = ProductNames::builtin();
        assert_eq!(
            names.display_name("05E9A617-0261-4CEE-BB44-138D3EF5D965", "SPE_E3"),
            "Microsoft 365 E3"
        );
    }

    #[test]
    fn unknown_sku_falls_back_to_part_number() {
        let names = ProductNames::builtin();
        assert_eq!(
            names.display_name("00000000-0000-0000-0000-000000000000", "CONTOSO_CUSTOM"),
            "CONTOSO_CUSTOM"
        );
    }

    #[test]
    fn builtin_table_covers_the_common_products() {
        assert!(ProductNames::builtin().len() >= 40);
    }
}
