//! Excel workbooks (.xlsx): one sheet (the first unless chosen) as rows of text cells, then
//! the same header search as a text file. Row numbers are Excel's.
//!
//! A workbook is a zip of XML, and both can claim far more than the file's size: a 1.6 KB
//! workbook with cells at A1 and XFD1048576 made calamine's dense sheet ask for 549 GB, and a
//! 4 MB one with 100 million shared strings grew to 3.7 GB. So, before calamine reads anything,
//! the zip is checked entry by entry — how many entries, what each says it holds, its ratio,
//! and what it really inflates to (a zip can lie about sizes) — and the sheet is read one cell
//! at a time with bounds on rows, columns, cells and text, never as a rectangle.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::read::{Limits, ReadError, ReadOptions, Row, Table, table_from_records};

/// Entries in a workbook's zip: a workbook of a few sheets has a few dozen.
const MAX_ZIP_ENTRIES: usize = 2_000;
/// What all entries may inflate to together.
const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// How much larger than its compressed size an entry may be (XML of a real sheet compresses
/// about 5–20 times; a bomb thousands of times). Small entries are not held to it.
const MAX_RATIO: u64 = 200;
const RATIO_FROM_BYTES: u64 = 1024 * 1024;

pub(crate) fn read_workbook(
    bytes: &[u8],
    options: &ReadOptions,
    limits: &Limits,
) -> Result<Table, ReadError> {
    check_zip(bytes, limits)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Workbook(e.to_string()))?;
    let sheets = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(asked) => sheets
            .iter()
            .find(|s| s.eq_ignore_ascii_case(asked.trim()))
            .cloned()
            .ok_or_else(|| ReadError::NoSuchSheet {
                asked: asked.clone(),
                sheets: sheets.clone(),
            })?,
        None => sheets.first().cloned().ok_or(ReadError::Empty)?,
    };
    let records = sparse_rows(&mut workbook, &sheet, limits)?;
    let mut table = table_from_records(&records, options.header_row)?;
    table.sheet = Some(sheet);
    table.sheets = sheets;
    Ok(table)
}

/// The zip's directory and what each entry really inflates to, against the bounds.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Workbook(e.to_string()))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ReadError::TooBig(format!(
            "the workbook holds {} parts; at most {MAX_ZIP_ENTRIES} are read",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        let (declared, compressed) = (entry.size(), entry.compressed_size().max(1));
        if declared > RATIO_FROM_BYTES && declared / compressed > MAX_RATIO {
            return Err(ReadError::TooBig(format!(
                "a part of the workbook ({}) expands {} times; a real workbook does not",
                entry.name(),
                declared / compressed
            )));
        }
        if total + declared > MAX_INFLATED_BYTES {
            return Err(ReadError::TooBig(format!(
                "the workbook expands to more than {} MB",
                MAX_INFLATED_BYTES / (1024 * 1024)
            )));
        }
        // What it really holds, whatever it declares: read through, counting, never more
        // than what is left of the budget (plus one byte to know it went over).
        let shared_strings = entry.name().eq_ignore_ascii_case("xl/sharedStrings.xml");
        let budget = MAX_INFLATED_BYTES - total;
        let mut counter = Counter::default();
        let inflated = std::io::copy(
            &mut (&mut entry).take(budget + 1),
            &mut CountingSink {
                counter: &mut counter,
                count_strings: shared_strings,
            },
        )
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
        if inflated > budget {
            return Err(ReadError::TooBig(format!(
                "the workbook expands to more than {} MB",
                MAX_INFLATED_BYTES / (1024 * 1024)
            )));
        }
        if counter.strings > limits.cells {
            return Err(ReadError::TooBig(format!(
                "the workbook holds more than {} different texts",
                limits.cells
            )));
        }
        total += inflated;
    }
    Ok(())
}

#[derive(Default)]
struct Counter {
    strings: usize,
    /// The last bytes of the previous chunk, so "<si" split across chunks is still seen.
    tail: [u8; 2],
}

/// Counts bytes (by `io::copy`) and, in the shared strings, each `<si` (one per string).
struct CountingSink<'a> {
    counter: &'a mut Counter,
    count_strings: bool,
}

impl std::io::Write for CountingSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.count_strings && !buf.is_empty() {
            let c = &mut *self.counter;
            let mut joined = Vec::with_capacity(buf.len().min(4) + 2);
            joined.extend_from_slice(&c.tail);
            joined.extend_from_slice(&buf[..buf.len().min(2)]);
            c.strings += joined.windows(3).filter(|w| w == b"<si").count();
            c.strings += buf.windows(3).filter(|w| w == b"<si").count();
            let n = buf.len();
            c.tail = if n >= 2 {
                [buf[n - 2], buf[n - 1]]
            } else {
                [c.tail[1], buf[0]]
            };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The sheet's rows, one cell at a time: only the cells that exist are held, and a cell far
/// out (XFD1048576) is refused for its place instead of making a rectangle up to it.
fn sparse_rows(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    limits: &Limits,
) -> Result<Vec<Row>, ReadError> {
    let mut reader = workbook
        .worksheet_cells_reader(sheet)
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    let (mut cells, mut text) = (0usize, 0usize);
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| ReadError::Workbook(e.to_string()))?
    {
        let (row, column) = cell.get_position();
        let value = text_of(&Data::from(cell.get_value().clone()));
        if value.trim().is_empty() {
            continue;
        }
        if column as usize >= limits.columns {
            return Err(ReadError::TooBig(format!(
                "row {} has a cell in column {}; at most {} columns are read",
                row + 1,
                column + 1,
                limits.columns
            )));
        }
        if row as usize >= limits.rows {
            return Err(ReadError::TooBig(format!(
                "the sheet has a cell on row {}; at most {} rows are read",
                row + 1,
                limits.rows
            )));
        }
        cells += 1;
        text += value.len();
        if cells > limits.cells || text > limits.text_bytes {
            return Err(ReadError::TooBig(format!(
                "the sheet holds more than {} cells or {} MB of text",
                limits.cells,
                limits.text_bytes / (1024 * 1024)
            )));
        }
        rows.entry(row).or_default().push((column, value));
    }
    Ok(rows
        .into_iter()
        .map(|(row, mut filled)| {
            filled.sort_by_key(|(c, _)| *c);
            let width = filled.last().map_or(0, |(c, _)| *c as usize + 1);
            let mut cells = vec![String::new(); width];
            for (c, v) in filled {
                cells[c as usize] = v;
            }
            Row {
                line: row as usize + 1,
                cells,
            }
        })
        .collect())
}

/// A cell as the text Excel shows for it (whole numbers without ".0").
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_table;
    use rust_xlsxwriter::Workbook;

    fn workbook() -> Vec<u8> {
        let mut book = Workbook::new();
        let notes = book.add_worksheet();
        notes.set_name("Notes").expect("name");
        notes.write(0, 0, "Read me first").expect("cell");
        let people = book.add_worksheet();
        people.set_name("Nieuw").expect("name");
        people.write(0, 0, "Nieuwe medewerkers").expect("cell");
        for (c, h) in ["Gebruikersnaam", "Land", "Licentie", "Personeelsnummer"]
            .iter()
            .enumerate()
        {
            people.write(2, c as u16, *h).expect("cell");
        }
        people.write(3, 0, "ana@contoso.com").expect("cell");
        people.write(3, 1, "Nederland").expect("cell");
        people.write(3, 2, "=SUM(1,2)").expect("a formula as text");
        people.write(3, 3, 1042).expect("cell");
        book.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_chosen_sheet_with_a_title_row_and_numbers_as_excel_shows_them() {
        let bytes = workbook();
        let t = read_table(
            &bytes,
            &ReadOptions {
                sheet: Some("nieuw".into()),
                ..ReadOptions::default()
            },
        )
        .expect("read");
        assert_eq!(t.sheet.as_deref(), Some("Nieuw"));
        assert_eq!(t.sheets, ["Notes", "Nieuw"]);
        assert_eq!((t.encoding, t.delimiter), (None, None));
        assert_eq!(t.header_row, 3);
        assert_eq!(t.rows[0].line, 4);
        // A cell that looks like a formula stays text; it is never evaluated.
        assert_eq!(
            t.rows[0].cells,
            ["ana@contoso.com", "Nederland", "=SUM(1,2)", "1042"]
        );

        let first = read_table(&bytes, &ReadOptions::default()).expect("read");
        assert_eq!(first.sheet.as_deref(), Some("Notes"));
        assert!(matches!(
            read_table(
                &bytes,
                &ReadOptions {
                    sheet: Some("Oud".into()),
                    ..ReadOptions::default()
                }
            ),
            Err(ReadError::NoSuchSheet { .. })
        ));
    }

    /// A workbook with a cell at A1 and one at XFD1048576 (Excel's last): 1.6 KB that once
    /// made the reader ask for 549 GB and abort the process.
    #[test]
    fn a_cell_at_the_far_corner_is_refused_without_a_huge_allocation() {
        let bytes = crate::hostile::far_corner_workbook();
        assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
        let e = read_table(&bytes, &ReadOptions::default()).expect_err("refused");
        assert!(matches!(e, ReadError::TooBig(_)), "{e:?}");
        assert!(e.to_string().contains("column 16384"), "{e}");
    }

    /// Millions of shared strings in a few MB: refused by the zip check, before calamine
    /// reads them all into memory.
    #[test]
    fn a_workbook_of_millions_of_shared_strings_is_refused_before_it_is_read() {
        let bytes = crate::hostile::shared_strings_bomb(3_000_000);
        assert!(bytes.len() < 4 * 1024 * 1024, "{} bytes", bytes.len());
        let e = read_table(&bytes, &ReadOptions::default()).expect_err("refused");
        assert!(matches!(e, ReadError::TooBig(_)), "{e:?}");
    }

    #[test]
    fn the_regression_files_are_refused() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        for name in ["far-corner.xlsx", "shared-strings.xlsx"] {
            let bytes = std::fs::read(dir.join(name)).expect(name);
            let e = read_table(&bytes, &ReadOptions::default()).expect_err(name);
            assert!(matches!(e, ReadError::TooBig(_)), "{name}: {e:?}");
        }
    }
}
