//! From the bytes of a CSV or text file to a table: the encoding (a byte-order mark, UTF-8,
//! UTF-16 from Excel's "Unicode text", or Windows-1252 from Excel's "CSV" on Western Windows),
//! the delimiter (`,` `;` tab `|`), and the header row (which may have title lines above it).
//! Quoted fields may hold delimiters and line breaks; blank lines are skipped.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The largest file read. HR lists of 100,000 people with a dozen columns are about 15 MB;
/// anything far past that is not such a list.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// Title lines above the header row that are looked through for it.
const HEADER_SEARCH_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Encoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "UTF-8 with BOM")]
    Utf8Bom,
    #[serde(rename = "UTF-16 LE")]
    Utf16Le,
    #[serde(rename = "UTF-16 BE")]
    Utf16Be,
    #[serde(rename = "Windows-1252")]
    Windows1252,
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 with BOM",
            Self::Utf16Le => "UTF-16 LE",
            Self::Utf16Be => "UTF-16 BE",
            Self::Windows1252 => "Windows-1252",
        })
    }
}

/// How to read the file when the person overrides what was detected.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<char>,
    /// 1-based line of the header row.
    pub header_row: Option<usize>,
    /// The sheet of a workbook (the first when not given).
    pub sheet: Option<String>,
}

/// One data row: its line in the file (1-based, where the record starts) and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// For text files: the encoding and delimiter read (`None` for a workbook).
    pub encoding: Option<Encoding>,
    pub delimiter: Option<char>,
    /// For workbooks: the sheet read, and all of them (to choose another).
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// 1-based line of the header row.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Corrects one cell in memory (the file itself is never touched): the cell of `field`
    /// on the row that starts on `line`. A field with no column gets one, named for it, so a
    /// usage location can be filled in for a file that has none. Returns false when no row
    /// starts on that line.
    pub fn set_cell(
        &mut self,
        mapping: &mut crate::Mapping,
        line: usize,
        field: crate::Field,
        value: &str,
    ) -> bool {
        let Some(index) = self.rows.iter().position(|r| r.line == line) else {
            return false;
        };
        let column = match mapping.column(field) {
            Some(c) => c,
            None => {
                self.headers.push(field.cli_name().to_string());
                mapping.columns.resize(self.headers.len() - 1, None);
                mapping.columns.push(Some(field));
                self.headers.len() - 1
            }
        };
        let cells = &mut self.rows[index].cells;
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = value.trim().to_string();
        true
    }
}

/// How much of a file is read at most. A list of people from HR is far inside every bound;
/// what is outside is refused with a message, never read into memory to find out.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub rows: usize,
    pub columns: usize,
    /// Cells holding something.
    pub cells: usize,
    /// The text of all cells together.
    pub text_bytes: usize,
}

impl Limits {
    pub const STANDARD: Limits = Limits {
        rows: 1_048_576,
        columns: 1_000,
        cells: 5_000_000,
        text_bytes: 128 * 1024 * 1024,
    };
}

/// Why a file cannot be read; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    TooLarge {
        bytes: usize,
    },
    Empty,
    Binary,
    /// An Excel 97–2003 workbook (.xls).
    OldSpreadsheet,
    /// A workbook that could not be opened (damaged, or a zip that is no workbook).
    Workbook(String),
    NoSuchSheet {
        asked: String,
        sheets: Vec<String>,
    },
    NoUsableColumn,
    HeaderRowOutside {
        asked: usize,
        lines: usize,
    },
    /// Beyond a bound (rows, columns, cells, text, or a workbook that expands too far): why.
    TooBig(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { bytes } => write!(
                f,
                "The file is {} MB; LicenseDesk reads files up to {} MB. Split it into smaller files.",
                bytes / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Self::Empty => f.write_str("The file is empty: there is nobody in it."),
            Self::Binary => f.write_str(
                "This is not a text file (it holds binary data). Save it from Excel as \"CSV UTF-8\" or \"Unicode text\" and choose that file.",
            ),
            Self::OldSpreadsheet => f.write_str(
                "This is an old Excel workbook (.xls): open it in Excel and save it as .xlsx or \"CSV UTF-8\", then choose that file.",
            ),
            Self::Workbook(why) => write!(
                f,
                "The workbook cannot be opened ({why}): open it in Excel, save it again as .xlsx, and choose that file."
            ),
            Self::NoSuchSheet { asked, sheets } => write!(
                f,
                "The workbook has no sheet '{asked}'; its sheets are: {}.",
                sheets.join(", ")
            ),
            Self::NoUsableColumn => f.write_str(
                "No column could be read: the file needs a header row and at least one column of user names.",
            ),
            Self::HeaderRowOutside { asked, lines } => write!(
                f,
                "Line {asked} cannot be the header row: the file has {lines} lines."
            ),
            Self::TooBig(why) => write!(
                f,
                "This file is not read: {why}. A list of people is far smaller; save only the sheet or columns with the people (or split the file) and choose that file."
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a CSV or text file, or a workbook, within the standard bounds.
pub fn read_table(bytes: &[u8], options: &ReadOptions) -> Result<Table, ReadError> {
    read_table_within(bytes, options, &Limits::STANDARD)
}

/// Reads a CSV or text file, or a workbook, within `limits`.
pub fn read_table_within(
    bytes: &[u8],
    options: &ReadOptions,
    limits: &Limits,
) -> Result<Table, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { bytes: bytes.len() });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return crate::workbook::read_workbook(bytes, options, limits);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ReadError::OldSpreadsheet);
    }
    let (text, encoding) = decode(bytes, options.encoding);
    if looks_binary(&text) {
        return Err(ReadError::Binary);
    }
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => detect_delimiter(&text, limits)?,
    };
    let records = parse(&text, delimiter, limits)?;
    let mut table = table_from_records(&records, options.header_row)?;
    table.encoding = Some(encoding);
    table.delimiter = Some(delimiter);
    Ok(table)
}

/// The header row and the data rows below it, from every record of a file or sheet.
pub(crate) fn table_from_records(
    records: &[Row],
    header_row: Option<usize>,
) -> Result<Table, ReadError> {
    let filled: Vec<&Row> = records.iter().filter(|r| !is_blank(r)).collect();
    if filled.is_empty() {
        return Err(ReadError::Empty);
    }
    let header_index = match header_row {
        Some(line) => {
            let last = records.last().map_or(0, |r| r.line);
            filled
                .iter()
                .position(|r| r.line == line)
                .ok_or(ReadError::HeaderRowOutside {
                    asked: line,
                    lines: last,
                })?
        }
        None => find_header(&filled),
    };
    let header = filled[header_index];
    let headers: Vec<String> = header.cells.iter().map(|c| c.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::NoUsableColumn);
    }
    let rows = filled[header_index + 1..]
        .iter()
        .map(|r| Row {
            line: r.line,
            cells: r.cells.iter().map(|c| c.trim().to_string()).collect(),
        })
        .collect();
    Ok(Table {
        encoding: None,
        delimiter: None,
        sheet: None,
        sheets: Vec::new(),
        header_row: header.line,
        headers,
        rows,
    })
}

fn decode(bytes: &[u8], forced: Option<Encoding>) -> (String, Encoding) {
    let encoding = forced.unwrap_or_else(|| detect_encoding(bytes));
    let text = match encoding {
        Encoding::Utf8Bom => {
            String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
                .into_owned()
        }
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let body = bytes
                .strip_prefix(if encoding == Encoding::Utf16Le {
                    b"\xFF\xFE"
                } else {
                    b"\xFE\xFF"
                })
                .unwrap_or(bytes);
            let units = body.chunks_exact(2).map(|p| {
                if encoding == Encoding::Utf16Le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    };
    (text, encoding)
}

fn detect_encoding(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Encoding::Utf8Bom;
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return Encoding::Utf16Le;
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Encoding::Utf16Be;
    }
    // UTF-16 without a mark: text of Latin letters has a zero in every other byte.
    let sample = &bytes[..bytes.len().min(400)];
    if sample.len() >= 4 {
        let zeros = |offset: usize| {
            sample
                .iter()
                .skip(offset)
                .step_by(2)
                .filter(|b| **b == 0)
                .count()
        };
        let half = sample.len() / 2;
        if zeros(1) * 10 >= half * 8 && zeros(0) * 10 < half {
            return Encoding::Utf16Le;
        }
        if zeros(0) * 10 >= half * 8 && zeros(1) * 10 < half {
            return Encoding::Utf16Be;
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Windows1252
    }
}

/// Text with NULs or many control characters is not a list of people.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(8_192).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    sample.contains(&'\0') || control * 20 > sample.len().max(1)
}

/// The candidate that splits the first lines into the same number of columns most often
/// (and into the most columns on a tie): `,` `;` tab `|`.
/// A candidate that splits a line into more columns than are read makes the file refused.
fn detect_delimiter(text: &str, limits: &Limits) -> Result<char, ReadError> {
    let head: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
    let mut best = (',', 0usize);
    for candidate in [',', ';', '\t', '|'] {
        let mut counts: std::collections::HashMap<usize, usize> = Default::default();
        for record in parse(&head, candidate, limits)? {
            if !is_blank(&record) {
                *counts.entry(record.cells.len()).or_default() += 1;
            }
        }
        let score = counts
            .iter()
            .filter(|(columns, _)| **columns > 1)
            .map(|(columns, times)| times * 1_000 + columns)
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (candidate, score);
        }
    }
    Ok(best.0)
}

fn parse(text: &str, delimiter: char, limits: &Limits) -> Result<Vec<Row>, ReadError> {
    let mut byte = [0u8; 4];
    let delimiter = delimiter.encode_utf8(&mut byte).as_bytes()[0];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    // Lines counted from the record's byte offset (the reader's own line count leaves out
    // the blank lines it skips).
    let (mut counted_to, mut line) = (0usize, 1usize);
    let mut cells = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                // Checked on the record as the reader holds it (one buffer and the field
                // ends), before a string is made of each cell: a line of a million commas is
                // refused at once instead of becoming a million strings.
                if record.len() > limits.columns {
                    return Err(ReadError::TooBig(format!(
                        "a line has {} columns; at most {} are read",
                        record.len(),
                        limits.columns
                    )));
                }
                cells += record.iter().filter(|c| !c.trim().is_empty()).count();
                if out.len() >= limits.rows || cells > limits.cells {
                    return Err(ReadError::TooBig(format!(
                        "it has more than {} lines or {} filled cells",
                        limits.rows, limits.cells
                    )));
                }
                let mut at = record
                    .position()
                    .map_or(counted_to, |p| p.byte() as usize)
                    .min(text.len());
                // The reader's offset may point at the rest of the line break before the
                // record, and at blank lines it skips: the record starts after them.
                while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
                    at += 1;
                }
                if at > counted_to {
                    line += text.as_bytes()[counted_to..at]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                    counted_to = at;
                }
                out.push(Row {
                    line,
                    cells: record.iter().map(str::to_owned).collect(),
                });
            }
            Ok(false) => break,
            // The text is valid UTF-8 (decoded above); a broken quote ends the table there.
            Err(_) => break,
        }
    }
    Ok(out)
}

fn is_blank(row: &Row) -> bool {
    row.cells.iter().all(|c| c.trim().is_empty())
}

/// The header row: among the first rows, the first that names a column LicenseDesk knows;
/// failing that, the first row as wide as most rows (title lines above are narrower).
fn find_header(rows: &[&Row]) -> usize {
    let window = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
    if let Some(i) = window.iter().position(|r| {
        r.cells
            .iter()
            .any(|c| crate::mapping::field_of_header(c).is_some())
    }) {
        return i;
    }
    let mut counts: std::collections::HashMap<usize, usize> = Default::default();
    for r in rows.iter().take(200) {
        *counts.entry(filled_cells(r)).or_default() += 1;
    }
    let usual = counts
        .into_iter()
        .max_by_key(|(width, times)| (*times, *width))
        .map_or(1, |(width, _)| width);
    window
        .iter()
        .position(|r| filled_cells(r) >= usual)
        .unwrap_or(0)
}

fn filled_cells(row: &Row) -> usize {
    row.cells.iter().filter(|c| !c.trim().is_empty()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_tab_text_from_excel() {
        let text = "User principal name\tUsage location\r\nana@contoso.com\tNL\r\n";
        for little in [true, false] {
            let t = read_table(&utf16(text, little), &ReadOptions::default()).expect("read");
            assert_eq!(
                t.encoding,
                Some(if little {
                    Encoding::Utf16Le
                } else {
                    Encoding::Utf16Be
                })
            );
            assert_eq!(t.delimiter, Some('\t'));
            assert_eq!(t.rows[0].cells, ["ana@contoso.com", "NL"]);
        }
    }

    #[test]
    fn windows_1252_semicolons_with_accents() {
        // "Afdeling;Gebruikersnaam\r\nVerkoop;renée@contoso.com" in Windows-1252.
        let mut bytes = b"Gebruikersnaam;Afdeling;Land\r\nren".to_vec();
        bytes.push(0xE9); // é
        bytes.extend(b"e@contoso.com;Verkoop;Belgi");
        bytes.push(0xEB); // ë
        bytes.extend(b"\r\n");
        let t = read_table(&bytes, &ReadOptions::default()).expect("read");
        assert_eq!(t.encoding, Some(Encoding::Windows1252));
        assert_eq!(t.delimiter, Some(';'));
        assert_eq!(t.rows[0].cells, ["renée@contoso.com", "Verkoop", "België"]);
    }

    #[test]
    fn a_bom_title_lines_quoted_line_breaks_and_blank_lines() {
        let text = "\u{feff}Licenses for new starters\r\nExported 2026-11-30\r\n\r\nUPN,Notes,Licenses\r\n\"ana@contoso.com\",\"starts Monday,\r\ndesk 4\",E3\r\n\r\nbo@contoso.com,,\"E3+Power BI Pro\"\r\n\r\n\r\n";
        let t = read_table(text.as_bytes(), &ReadOptions::default()).expect("read");
        assert_eq!(t.encoding, Some(Encoding::Utf8Bom));
        assert_eq!(t.delimiter, Some(','));
        assert_eq!(t.header_row, 4);
        assert_eq!(t.headers, ["UPN", "Notes", "Licenses"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells[1], "starts Monday,\r\ndesk 4");
        assert_eq!((t.rows[0].line, t.rows[1].line), (5, 8));
    }

    #[test]
    fn pipes_and_what_the_person_overrides() {
        let text = "a|b\nUser|Country\nx@c.com|NL\n";
        let t = read_table(text.as_bytes(), &ReadOptions::default()).expect("read");
        assert_eq!((t.delimiter, t.header_row), (Some('|'), 2));
        let t = read_table(
            text.as_bytes(),
            &ReadOptions {
                header_row: Some(1),
                ..ReadOptions::default()
            },
        )
        .expect("read");
        assert_eq!(t.headers, ["a", "b"]);
        assert!(matches!(
            read_table(
                text.as_bytes(),
                &ReadOptions {
                    header_row: Some(9),
                    ..ReadOptions::default()
                }
            ),
            Err(ReadError::HeaderRowOutside { asked: 9, .. })
        ));
    }

    #[test]
    fn a_line_of_a_million_columns_and_a_file_of_commas_are_refused_quickly() {
        let wide = format!("user{}\nann@contoso.com\n", ",x".repeat(1_000_000));
        let started = std::time::Instant::now();
        let e = read_table(wide.as_bytes(), &ReadOptions::default()).expect_err("refused");
        assert!(matches!(e, ReadError::TooBig(_)), "{e:?}");
        assert!(e.to_string().contains("1000001 columns"), "{e}");
        // Not a timing test: a bound on the work (the old reader took 9 s here).
        assert!(started.elapsed() < std::time::Duration::from_secs(5));

        // Many lines of many empty cells: filled cells are what counts, and lines are bounded.
        let limits = Limits {
            rows: 1_000,
            ..Limits::STANDARD
        };
        let commas = "user;country\n".to_string() + &"a;b\n".repeat(2_000);
        let e = read_table_within(commas.as_bytes(), &ReadOptions::default(), &limits)
            .expect_err("refused");
        assert!(matches!(e, ReadError::TooBig(_)), "{e:?}");
        let fits = "user;country\n".to_string() + &"a;b\n".repeat(500);
        assert_eq!(
            read_table_within(fits.as_bytes(), &ReadOptions::default(), &limits)
                .expect("read")
                .rows
                .len(),
            500
        );
    }

    #[test]
    fn files_that_are_not_lists_are_refused_with_what_to_do() {
        assert_eq!(
            read_table(b"", &ReadOptions::default()),
            Err(ReadError::Empty)
        );
        assert_eq!(
            read_table(b"\n\r\n ,, \n", &ReadOptions::default()),
            Err(ReadError::Empty)
        );
        assert!(matches!(
            read_table(b"PK\x03\x04rest of a zip", &ReadOptions::default()),
            Err(ReadError::Workbook(_))
        ));
        assert_eq!(
            read_table(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", &ReadOptions::default()),
            Err(ReadError::OldSpreadsheet)
        );
        let binary: Vec<u8> = (0..2_000u32).map(|i| (i * 7 % 32) as u8).collect();
        assert_eq!(
            read_table(&binary, &ReadOptions::default()),
            Err(ReadError::Binary)
        );
        let huge = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(matches!(
            read_table(&huge, &ReadOptions::default()),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(ReadError::Binary.to_string().contains("CSV UTF-8"));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_a_table_or_an_error_never_a_panic(bytes: Vec<u8>) {
            let _ = read_table(&bytes, &ReadOptions::default());
        }

        #[test]
        fn any_text_in_any_delimiter_too(text in "[a-z;,|\t\"\r\n ]{0,200}") {
            let _ = read_table(text.as_bytes(), &ReadOptions::default());
        }
    }

    #[test]
    fn a_cell_is_corrected_in_memory_and_a_missing_column_is_added() {
        let mut table = read_table(
            b"UPN,Licenses\nana@x.com,E3\nbo@x.com,E3\n",
            &ReadOptions::default(),
        )
        .expect("read");
        let mut mapping = crate::suggest(&table.headers);
        assert!(table.set_cell(&mut mapping, 3, crate::Field::User, " bob@x.com "));
        assert_eq!(table.rows[1].cells[0], "bob@x.com");
        assert!(table.set_cell(&mut mapping, 2, crate::Field::UsageLocation, "NL"));
        let column = mapping
            .column(crate::Field::UsageLocation)
            .expect("a new column");
        assert_eq!(column, 2);
        assert_eq!(table.headers[column], "usage-location");
        assert_eq!(table.rows[0].cells[column], "NL");
        assert!(!table.set_cell(&mut mapping, 9, crate::Field::User, "x"));
    }
}
