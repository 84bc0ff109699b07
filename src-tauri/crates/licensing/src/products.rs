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

/// Why a product-name list (Microsoft's "Product names and service plan identifiers for
/// licensing" CSV) was refused: nothing of it is used, and the names in use stay as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductListError {
    /// Not that CSV: its first line is not the six columns Microsoft publishes.
    NotTheList { found: String },
    /// A line that does not read (line numbers count from 1, the header being line 1).
    BadLine { line: u64, why: String },
    /// Too few products, or well-known ones missing: a download cut short or a wrong file.
    Partial { products: usize },
}

impl std::fmt::Display for ProductListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotTheList { found } => write!(
                f,
                "this is not Microsoft's product-name list (its first line is \"{}\")",
                found.chars().take(120).collect::<String>()
            ),
            Self::BadLine { line, why } => write!(f, "line {line}: {why}"),
            Self::Partial { products } => write!(
                f,
                "the list is incomplete ({products} products, and Microsoft 365 E3 or Office 365 E3 missing): the download was probably cut short"
            ),
        }
    }
}

impl std::error::Error for ProductListError {}

/// The columns of Microsoft's list, in order.
const COLUMNS: [&str; 6] = [
    "Product_Display_Name",
    "String_Id",
    "GUID",
    "Service_Plan_Name",
    "Service_Plan_Id",
    "Service_Plans_Included_Friendly_Names",
];
/// Microsoft's list has some 570 products; far fewer means it was cut short.
const MIN_PRODUCTS: usize = 100;
/// Microsoft 365 E3 and Office 365 E3: in every real list.
const WELL_KNOWN: [&str; 2] = [
    "05e9a617-0261-4cee-bb44-138d3ef5d965",
    "6fd2c87f-b296-42f0-b197-1e91e994b900",
];
/// About 5,500 rows today; a list a hundred times longer is not this list.
const MAX_ROWS: u64 = 500_000;

/// A GUID as Microsoft writes them (8-4-4-4-12 hex digits): product, plan, tenant and app IDs.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A cell as a name: non-breaking spaces made spaces, trimmed (Microsoft's file has both).
fn clean(cell: &str) -> String {
    cell.replace('\u{a0}', " ").trim().to_string()
}

impl ProductNames {
    /// Reads Microsoft's product-name list (text already bounded by the caller): the built-in
    /// names, with the list's names over them. Strict: a wrong header, a line that does not
    /// read, a product name with control characters, or a list cut short refuses all of it.
    pub fn from_microsoft_csv(text: &str) -> Result<(Self, usize), ProductListError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| ProductListError::NotTheList {
                found: e.to_string(),
            })?
            .iter()
            .map(clean)
            .collect();
        if header != COLUMNS {
            return Err(ProductListError::NotTheList {
                found: header.join(","),
            });
        }
        let mut listed: HashMap<String, String> = HashMap::new();
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            if line > MAX_ROWS {
                return Err(ProductListError::BadLine {
                    line,
                    why: "far more lines than Microsoft's list has".into(),
                });
            }
            let record = record.map_err(|e| ProductListError::BadLine {
                line,
                why: e.to_string(),
            })?;
            let name = clean(&record[0]);
            let id = clean(&record[2]).to_ascii_lowercase();
            if !is_guid(&id) {
                return Err(ProductListError::BadLine {
                    line,
                    why: format!("\"{}\" is not a product ID", &record[2]),
                });
            }
            if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
                return Err(ProductListError::BadLine {
                    line,
                    why: "the product name is empty, too long or has control characters".into(),
                });
            }
            listed.entry(id).or_insert(name);
        }
        if listed.len() < MIN_PRODUCTS || WELL_KNOWN.iter().any(|k| !listed.contains_key(*k)) {
            return Err(ProductListError::Partial {
                products: listed.len(),
            });
        }
        let products = listed.len();
        let mut names = Self::builtin();
        for (id, name) in listed {
            names.insert(&id, &name);
        }
        Ok((names, products))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list as Microsoft writes it: BOM, quoted names with commas, non-breaking spaces.
    fn list(extra: usize) -> String {
        let mut text = String::from(
            "\u{feff}Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n",
        );
        text.push_str("Microsoft 365 E3,SPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965,EXCHANGE_S_ENTERPRISE,efb87545-963c-4e0d-99df-69c6916d9eb0,Exchange Online (Plan 2)\r\n");
        text.push_str("Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,EXCHANGE_S_ENTERPRISE,efb87545-963c-4e0d-99df-69c6916d9eb0,Exchange Online (Plan 2)\r\n");
        text.push_str("\"Contoso Brand-New Suite, with Copilot\u{a0}\",CONTOSO_NEW,11111111-2222-3333-4444-555555555555,X,22222222-2222-3333-4444-555555555555,X\r\n");
        for i in 0..extra {
            text.push_str(&format!(
                "Product {i},P{i},{i:08x}-0000-0000-0000-000000000000,X,33333333-2222-3333-4444-555555555555,X\r\n"
            ));
        }
        text
    }

    #[test]
    fn microsofts_list_adds_new_products_over_the_built_in_names() {
        let (names, products) = ProductNames::from_microsoft_csv(&list(120)).expect("read");
        assert_eq!(products, 123);
        assert_eq!(
            names.display_name("11111111-2222-3333-4444-555555555555", "CONTOSO_NEW"),
            "Contoso Brand-New Suite, with Copilot"
        );
        // The built-in names stay for what the list does not name.
        assert!(names.len() >= ProductNames::builtin().len());
    }

    #[test]
    fn a_partial_or_foreign_or_broken_list_is_refused_whole() {
        assert!(matches!(
            ProductNames::from_microsoft_csv(&list(3)),
            Err(ProductListError::Partial { products: 6 })
        ));
        let cut = list(120);
        let cut = &cut[..cut.len() / 2];
        // Cut mid-line: that line has too few fields.
        assert!(matches!(
            ProductNames::from_microsoft_csv(cut),
            Err(ProductListError::BadLine { .. }) | Err(ProductListError::Partial { .. })
        ));
        assert!(matches!(
            ProductNames::from_microsoft_csv("<html>Sign in to continue</html>"),
            Err(ProductListError::NotTheList { .. })
        ));
        let bad = list(120).replace("05e9a617-0261-4cee-bb44-138d3ef5d965", "not-a-guid");
        let e = ProductNames::from_microsoft_csv(&bad).expect_err("refused");
        assert_eq!(
            e,
            ProductListError::BadLine {
                line: 2,
                why: "\"not-a-guid\" is not a product ID".into()
            }
        );
        let escape = list(120).replace("Office 365 E3", "Office\u{1b}]0;pwned\u{7} 365 E3");
        assert!(matches!(
            ProductNames::from_microsoft_csv(&escape),
            Err(ProductListError::BadLine { line: 3, .. })
        ));
    }

    /// The real list, where ../shared has it (CI does): read whole, every product named.
    #[test]
    fn the_real_list_reads() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../../shared/data/licensing-products.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            assert!(
                std::env::var_os("LICENSEDESK_REQUIRE_SHARED").is_none(),
                "{} is missing",
                path.display()
            );
            eprintln!(
                "skipped: {} is not here (a clone without ../shared)",
                path.display()
            );
            return;
        };
        let (names, products) = ProductNames::from_microsoft_csv(&text).expect("the real list");
        assert!(products > 500, "{products}");
        assert_eq!(
            names.display_name("05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3"),
            "Microsoft 365 E3"
        );
    }

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
