//! The awards registry for the years before the system: the import sheet (parsed as text;
//! the caller resolves titles, units and people) and its empty template.

use chrono::NaiveDate;

use crate::error::{ExportError, ImportError};
use crate::import::{col, load, ColumnSpec, Errors, Fields, CODE_MAX, NAME_MAX};
use crate::{export_table, Format};

/// The sheet the template writes and the import looks for first.
pub const REGISTRY_SHEET: &str = "Sổ khen thưởng";

const COLUMNS: [ColumnSpec; 10] = [
    col("Năm", "year", true),
    col("Mã đơn vị", "unit_code", false),
    col("Mã cán bộ", "person_id", false),
    col("Danh hiệu, hình thức khen thưởng", "title", true),
    col("Loại khen thưởng", "kind", false),
    col("Số quyết định", "decision_number", false),
    col("Ngày quyết định", "decision_date", false),
    col("Cơ quan ban hành", "issuer", false),
    col("Người ký", "signer", false),
    col("Ghi chú", "note", false),
];

/// One row of a registry sheet, with its spreadsheet row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySheetRow {
    pub row: usize,
    pub year: String,
    pub unit_code: Option<String>,
    pub person_id: Option<String>,
    pub title: String,
    pub kind: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub signer: Option<String>,
    pub note: Option<String>,
}

/// Parse a registry file. All-or-nothing: any cell problem yields [`ImportError::Rows`].
pub fn parse_registry(bytes: &[u8]) -> Result<Vec<RegistrySheetRow>, ImportError> {
    let (table, cols) = load(bytes, REGISTRY_SHEET, &COLUMNS)?;
    let [year_c, unit_c, person_c, title_c, kind_c, num_c, date_c, issuer_c, signer_c, note_c] =
        cols;
    let mut errors = Errors::default();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut f = Fields::new(row, &mut errors);
        let year = f.text(&year_c, 8, true);
        let unit_code = f.text(&unit_c, CODE_MAX, false);
        let person_id = f.text(&person_c, 64, false);
        let title = f.text(&title_c, NAME_MAX, true);
        let kind = f.text(&kind_c, 64, false);
        let decision_number = f.text(&num_c, 64, false);
        let decision_date = f.date(&date_c);
        let issuer = f.text(&issuer_c, NAME_MAX, false);
        let signer = f.text(&signer_c, NAME_MAX, false);
        let note = f.text(&note_c, 1000, false);
        if f.ok() {
            if let (Some(year), Some(title)) = (year, title) {
                out.push(RegistrySheetRow {
                    row: row.number,
                    year,
                    unit_code,
                    person_id,
                    title,
                    kind,
                    decision_number,
                    decision_date,
                    issuer,
                    signer,
                    note,
                });
            }
        }
    }
    errors.finish(out)
}

/// The empty import template (XLSX): the headers, and one example row to overwrite.
pub fn registry_template() -> Result<Vec<u8>, ExportError> {
    let columns: Vec<String> = COLUMNS.iter().map(|c| c.vi.to_owned()).collect();
    let example = vec![
        "2019".to_owned(),
        "P-TRAVINH".to_owned(),
        String::new(),
        "Tập thể lao động xuất sắc".to_owned(),
        "Thường xuyên".to_owned(),
        "15/QĐ-VKSTC".to_owned(),
        "20/01/2020".to_owned(),
        "Viện kiểm sát nhân dân tối cao".to_owned(),
        String::new(),
        String::new(),
    ];
    export_table(REGISTRY_SHEET, &columns, &[example], Format::Xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_csv_with_vietnamese_headers() {
        let csv = "Năm,Mã đơn vị,Danh hiệu, hình thức khen thưởng,Ngày quyết định\n\
                   2019,P-TRAVINH,Giấy khen,20/01/2020\n";
        let csv = csv
            .replace("Danh hiệu, hình thức", "\"Danh hiệu, hình thức")
            .replace("khen thưởng,Ngày", "khen thưởng\",Ngày");
        let rows = parse_registry(csv.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].title, "Giấy khen");
        assert_eq!(rows[0].decision_date, NaiveDate::from_ymd_opt(2020, 1, 20));
    }
}
