//! Excel workbooks (.xlsx): one sheet (the first unless chosen) as rows of text cells, then
//! the same header search as a text file. Row numbers are Excel's.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::read::{ReadError, ReadOptions, Row, Table, table_from_records};

pub(crate) fn read_workbook(bytes: &[u8], options: &ReadOptions) -> Result<Table, ReadError> {
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
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let records: Vec<Row> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            line: first_row as usize + i + 1,
            cells: cells.iter().map(text_of).collect(),
        })
        .collect();
    let mut table = table_from_records(&records, options.header_row)?;
    table.sheet = Some(sheet);
    table.sheets = sheets;
    Ok(table)
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
}
