//! Parsing people's yearly records (xếp loại, kỷ luật, nghỉ dài ngày) from XLSX or CSV.
//! Values are returned as typed; the domain checks ratings and forms of discipline, the
//! store matches people within the importing unit.

use chrono::NaiveDate;

use crate::error::ImportError;
use crate::import::{col, load, ColumnSpec, Errors, Fields, NAME_MAX};

/// The sheet an export writes and an import looks for first.
pub const RECORDS_SHEET: &str = "Hồ sơ năm";

const COLUMNS: [ColumnSpec; 12] = [
    col("Mã cán bộ", "person_id", false),
    col("Họ và tên", "full_name", true),
    col("Năm", "year", true),
    col("Xếp loại", "rating", false),
    col("Ngày bắt đầu công tác tại đơn vị", "started_on", false),
    col("Hình thức kỷ luật", "discipline_form", false),
    col("Kỷ luật từ ngày", "discipline_from", false),
    col("Kỷ luật đến ngày", "discipline_to", false),
    col("Nghỉ từ ngày", "absence_from", false),
    col("Nghỉ đến ngày", "absence_to", false),
    col("Lý do nghỉ", "absence_reason", false),
    col("Ghi chú", "note", false),
];

/// One row of a records sheet, with its spreadsheet row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSheetRow {
    pub row: usize,
    pub person_id: Option<String>,
    pub full_name: String,
    pub year: String,
    pub rating: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub discipline_form: Option<String>,
    pub discipline_from: Option<NaiveDate>,
    pub discipline_to: Option<NaiveDate>,
    pub absence_from: Option<NaiveDate>,
    pub absence_to: Option<NaiveDate>,
    pub absence_reason: Option<String>,
    pub note: Option<String>,
}

/// Parse a records file. All-or-nothing: any cell problem yields [`ImportError::Rows`].
pub fn parse_records(bytes: &[u8]) -> Result<Vec<RecordSheetRow>, ImportError> {
    let (table, cols) = load(bytes, RECORDS_SHEET, &COLUMNS)?;
    let [id_c, name_c, year_c, rating_c, start_c, dform_c, dfrom_c, dto_c, afrom_c, ato_c, reason_c, note_c] =
        cols;
    let mut errors = Errors::default();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut f = Fields::new(row, &mut errors);
        let person_id = f.text(&id_c, 64, false);
        let full_name = f.text(&name_c, NAME_MAX, true);
        let year = f.text(&year_c, 8, true);
        let rating = f.text(&rating_c, 64, false);
        let started_on = f.date(&start_c);
        let discipline_form = f.text(&dform_c, 64, false);
        let discipline_from = f.date(&dfrom_c);
        let discipline_to = f.date(&dto_c);
        let absence_from = f.date(&afrom_c);
        let absence_to = f.date(&ato_c);
        let absence_reason = f.text(&reason_c, 500, false);
        let note = f.text(&note_c, 2000, false);
        if f.ok() {
            if let (Some(full_name), Some(year)) = (full_name, year) {
                out.push(RecordSheetRow {
                    row: row.number,
                    person_id,
                    full_name,
                    year,
                    rating,
                    started_on,
                    discipline_form,
                    discipline_from,
                    discipline_to,
                    absence_from,
                    absence_to,
                    absence_reason,
                    note,
                });
            }
        }
    }
    errors.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_csv_with_vietnamese_headers() {
        let csv = "Họ và tên,Năm,Xếp loại,Hình thức kỷ luật,Kỷ luật từ ngày\n\
                   Lê Văn A,2024,Không hoàn thành nhiệm vụ,,\n\
                   Trần Thị B,2024,Hoàn thành tốt nhiệm vụ,Khiển trách,15/03/2024\n";
        let rows = parse_records(csv.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[1].discipline_form.as_deref(), Some("Khiển trách"));
        assert_eq!(
            rows[1].discipline_from,
            NaiveDate::from_ymd_opt(2024, 3, 15)
        );
    }

    #[test]
    fn a_bad_date_names_row_and_column() {
        let csv = "Họ và tên,Năm,Nghỉ từ ngày\nLê Văn A,2024,31/02/2024\n";
        match parse_records(csv.as_bytes()) {
            Err(ImportError::Rows(r)) => {
                assert_eq!(r[0].row, 2);
                assert_eq!(r[0].column, "Nghỉ từ ngày");
            }
            other => panic!("{other:?}"),
        }
    }
}
