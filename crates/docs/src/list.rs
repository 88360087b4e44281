//! Writing any list (column headings and rows of text) as CSV or XLSX: for lists that are
//! not imported again, such as the registrations of a group.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::error::ExportError;
use crate::text::csv_guard;
use crate::Format;

/// Most characters an XLSX cell holds.
const XLSX_MAX_TEXT: usize = 32_767;

/// Writes `rows` under bold `columns` in one worksheet named `sheet` (XLSX) or as CSV with
/// a BOM. Column widths follow the longest text, within bounds.
pub fn export_table(
    sheet: &str,
    columns: &[String],
    rows: &[Vec<String>],
    format: Format,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => {
            let csv_err = |e: csv::Error| ExportError::Writer(e.to_string());
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer("\u{FEFF}".as_bytes().to_vec());
            w.write_record(columns).map_err(csv_err)?;
            for r in rows {
                w.write_record(r.iter().map(|c| csv_guard(c).into_owned()))
                    .map_err(csv_err)?;
            }
            w.into_inner()
                .map_err(|e| ExportError::Writer(e.error().to_string()))
        }
        Format::Xlsx => {
            let xlsx_err = |e: XlsxError| ExportError::Writer(e.to_string());
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet).map_err(xlsx_err)?;
            for (c, h) in (0u16..).zip(columns) {
                ws.write_string_with_format(0, c, h, &bold)
                    .map_err(xlsx_err)?;
                let longest = rows
                    .iter()
                    .filter_map(|r| r.get(usize::from(c)))
                    .map(|s| s.chars().count())
                    .chain(std::iter::once(h.chars().count()))
                    .max()
                    .unwrap_or(8);
                ws.set_column_width(c, (longest as f64 + 2.0).clamp(6.0, 60.0))
                    .map_err(xlsx_err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
            for (i, r) in rows.iter().enumerate() {
                let row = u32::try_from(i + 1)
                    .map_err(|_| ExportError::Writer("too many rows".to_owned()))?;
                for (c, v) in (0u16..).zip(r) {
                    if v.is_empty() {
                        continue;
                    }
                    if v.chars().count() > XLSX_MAX_TEXT {
                        return Err(ExportError::CellTooLong {
                            row: i + 2,
                            column: columns.get(usize::from(c)).cloned().unwrap_or_default(),
                            limit: XLSX_MAX_TEXT,
                        });
                    }
                    ws.write_string_with_format(row, c, v, &wrap)
                        .map_err(xlsx_err)?;
                }
            }
            wb.save_to_buffer().map_err(xlsx_err)
        }
    }
}
