//! Writing units and people as CSV or XLSX.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Workbook, XlsxError};

use crate::error::ExportError;
use crate::import::{ColumnSpec, PERSON_COLUMNS, UNIT_COLUMNS};
use crate::text::{csv_guard, format_date, in_date_range, kind_label_vi};
use crate::{Format, PersonRecord, UnitRecord, PEOPLE_SHEET, UNITS_SHEET};

/// Most characters an XLSX cell holds.
const XLSX_MAX_TEXT: usize = 32_767;

/// One output cell.
enum Out<'a> {
    Text(&'a str),
    Date(NaiveDate),
    Blank,
}

impl<'a> From<&'a Option<String>> for Out<'a> {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().map_or(Out::Blank, Out::Text)
    }
}

impl From<Option<NaiveDate>> for Out<'_> {
    fn from(v: Option<NaiveDate>) -> Self {
        v.map_or(Out::Blank, Out::Date)
    }
}

/// Writes units with Vietnamese headers and kind labels.
///
/// Fails only when XLSX cannot hold a value (text over 32 767 characters,
/// dates outside 1900..=9999, more than 1 048 575 rows); CSV export of
/// in-memory data does not fail.
pub fn export_units(rows: &[UnitRecord], format: Format) -> Result<Vec<u8>, ExportError> {
    let cells = rows.iter().map(|u| {
        [
            Out::Text(&u.code),
            Out::Text(kind_label_vi(&u.kind).unwrap_or(&u.kind)),
            Out::Text(&u.name),
            (&u.short_name).into(),
            (&u.parent_code).into(),
            u.valid_from.into(),
            u.valid_to.into(),
        ]
    });
    export(
        UNITS_SHEET,
        &UNIT_COLUMNS,
        &[14.0, 26.0, 50.0, 20.0, 16.0, 13.0, 13.0],
        cells,
        format,
    )
}

/// Writes people with Vietnamese headers.
///
/// Fails only when XLSX cannot hold a value (see [`export_units`]).
pub fn export_people(rows: &[PersonRecord], format: Format) -> Result<Vec<u8>, ExportError> {
    let cells = rows.iter().map(|p| {
        [
            Out::Text(&p.full_name),
            Out::Text(&p.position),
            Out::Text(&p.unit_code),
            p.valid_from.into(),
            p.valid_to.into(),
        ]
    });
    export(
        PEOPLE_SHEET,
        &PERSON_COLUMNS,
        &[32.0, 28.0, 14.0, 13.0, 13.0],
        cells,
        format,
    )
}

fn export<'a, const N: usize>(
    sheet: &str,
    specs: &[ColumnSpec; N],
    widths: &[f64; N],
    rows: impl Iterator<Item = [Out<'a>; N]>,
    format: Format,
) -> Result<Vec<u8>, ExportError> {
    let headers: [&str; N] = std::array::from_fn(|i| specs.get(i).map_or("", |s| s.vi));
    match format {
        Format::Csv => write_csv(&headers, rows),
        Format::Xlsx => write_xlsx(sheet, &headers, widths, rows),
    }
}

fn write_csv<'a, const N: usize>(
    headers: &[&str; N],
    rows: impl Iterator<Item = [Out<'a>; N]>,
) -> Result<Vec<u8>, ExportError> {
    let csv_err = |e: csv::Error| ExportError::Writer(e.to_string());
    // The BOM makes Excel read the file as UTF-8.
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{FEFF}".as_bytes().to_vec());
    writer.write_record(headers).map_err(csv_err)?;
    for row in rows {
        let fields = row.map(|cell| match cell {
            Out::Text(s) => csv_guard(s).into_owned(),
            Out::Date(d) => format_date(d),
            Out::Blank => String::new(),
        });
        writer.write_record(&fields).map_err(csv_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Writer(e.error().to_string()))
}

fn write_xlsx<'a, const N: usize>(
    sheet: &str,
    headers: &[&str; N],
    widths: &[f64; N],
    rows: impl Iterator<Item = [Out<'a>; N]>,
) -> Result<Vec<u8>, ExportError> {
    let xlsx_err = |e: XlsxError| ExportError::Writer(e.to_string());
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).map_err(xlsx_err)?;
    for (col, (header, width)) in (0u16..).zip(headers.iter().zip(widths)) {
        worksheet
            .write_string_with_format(0, col, *header, &bold)
            .map_err(xlsx_err)?;
        worksheet.set_column_width(col, *width).map_err(xlsx_err)?;
    }
    worksheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (index, row) in rows.enumerate() {
        let number = index.saturating_add(2); // 1-based, after the header
        let r = u32::try_from(index.saturating_add(1))
            .map_err(|_| ExportError::Writer("too many rows".to_owned()))?;
        for (col, (cell, header)) in (0u16..).zip(row.iter().zip(headers)) {
            match cell {
                Out::Blank | Out::Text("") => {}
                Out::Text(s) => {
                    if s.chars().count() > XLSX_MAX_TEXT {
                        return Err(ExportError::CellTooLong {
                            row: number,
                            column: (*header).to_owned(),
                            limit: XLSX_MAX_TEXT,
                        });
                    }
                    worksheet.write_string(r, col, *s).map_err(xlsx_err)?;
                }
                Out::Date(d) => {
                    let out_of_range = || ExportError::DateOutOfRange {
                        row: number,
                        column: (*header).to_owned(),
                    };
                    // Serial 0 (1899-12-31) is writable but not a real date.
                    if !in_date_range(*d) {
                        return Err(out_of_range());
                    }
                    let year = u16::try_from(d.year()).map_err(|_| out_of_range())?;
                    // month() is 1..=12 and day() 1..=31, so these never fail.
                    let month = u8::try_from(d.month()).map_err(|_| out_of_range())?;
                    let day = u8::try_from(d.day()).map_err(|_| out_of_range())?;
                    let date =
                        ExcelDateTime::from_ymd(year, month, day).map_err(|_| out_of_range())?;
                    worksheet
                        .write_datetime_with_format(r, col, &date, &date_format)
                        .map_err(xlsx_err)?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx_err)
}
