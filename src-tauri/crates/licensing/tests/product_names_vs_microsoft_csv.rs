//! The built-in names must be Microsoft's. Reads the licensing CSV from ../shared (never committed).

use std::collections::HashMap;
use std::path::PathBuf;

use licensing::ProductNames;

fn shared_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/data/licensing-products.csv")
}

#[test]
fn every_builtin_name_matches_microsofts_csv() {
    let path = shared_csv();
    // Microsoft's CSV is not committed (it is theirs): a clone on its own has no ../shared and
    // skips this check, saying so; CI has the file and sets LICENSEDESK_REQUIRE_SHARED=1 so the
    // check can never be skipped there.
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if std::env::var_os("LICENSEDESK_REQUIRE_SHARED").is_none() => {
            eprintln!(
                "SKIPPED every_builtin_name_matches_microsofts_csv: {} cannot be read ({e}). Put Microsoft's licensing CSV there (../shared beside the repository) to run it.",
                path.display()
            );
            return;
        }
        Err(e) => panic!(
            "read {}: {e} (LICENSEDESK_REQUIRE_SHARED is set: this run must check the names)",
            path.display()
        ),
    };
    let text = text.trim_start_matches('\u{feff}');
    // Column 0 is the display name (it may be quoted and contain commas), 2 is the GUID.
    let mut microsoft: HashMap<String, String> = HashMap::new();
    for line in text.lines().skip(1) {
        let cols = split_csv_line(line);
        if cols.len() < 3 {
            continue;
        }
        let name = cols[0].replace('\u{a0}', " ");
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        microsoft.insert(cols[2].trim().to_ascii_lowercase(), name);
    }
    assert!(microsoft.len() > 500, "CSV looks truncated");
    let names = ProductNames::builtin();
    assert!(!names.is_empty());
    for (id, name) in names.iter() {
        let expected = microsoft
            .get(id)
            .unwrap_or_else(|| panic!("{id} is not in Microsoft's list"));
        assert_eq!(name, expected, "name of {id}");
    }
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}
