//! Workbooks made to hurt a reader, for the tests and the fuzz targets (the committed
//! regression files in tests/hostile/ were written by these; `WRITE_HOSTILE=1 cargo test -p
//! hr-import write_the_regression_files -- --ignored` writes them again).

use std::io::Write;

use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for (name, bytes) in parts {
        out.start_file(*name, options).expect("zip entry");
        out.write_all(bytes).expect("zip write");
    }
    out.finish().expect("zip").into_inner()
}

#[cfg(test)]
fn sheet(cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

/// A workbook whose sheet XML is the first half of `bytes` and whose shared strings are the
/// second: the fuzzer's bytes reach the sheet and string readers inside a valid zip.
pub fn fuzz_workbook(bytes: &[u8]) -> Vec<u8> {
    let (sheet, strings) = bytes.split_at(bytes.len() / 2);
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ])
}

/// Cells at A1 and XFD1048576, the first and last Excel allows.
#[cfg(test)]
pub fn far_corner_workbook() -> Vec<u8> {
    let cells = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>user</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet(cells).as_bytes()),
        (
            "xl/sharedStrings.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>"#,
        ),
    ])
}

/// `count` empty shared strings and a sheet of one cell.
#[cfg(test)]
pub fn shared_strings_bomb(count: usize) -> Vec<u8> {
    let mut strings = Vec::with_capacity(count * 13 + 200);
    strings.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for _ in 0..count {
        strings.extend_from_slice(b"<si><t/></si>");
    }
    strings.extend_from_slice(b"</sst>");
    let cells = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet(cells).as_bytes()),
        ("xl/sharedStrings.xml", &strings),
    ])
}

#[cfg(test)]
#[test]
#[ignore = "writes the regression files; run by hand with WRITE_HOSTILE=1"]
fn write_the_regression_files() {
    if std::env::var_os("WRITE_HOSTILE").is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("far-corner.xlsx"), far_corner_workbook()).expect("write");
    // As found: 100 million shared strings, about 4 MB.
    std::fs::write(
        dir.join("shared-strings.xlsx"),
        shared_strings_bomb(100_000_000),
    )
    .expect("write");
}
