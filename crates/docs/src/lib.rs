//! Import and export of the unit registry (units and people) as XLSX and CSV,
//! and of scoring files: criteria schemes as XLSX workbooks and the indicator
//! counts units report (see [`parse_scheme`] and [`parse_indicator_values`]).
//!
//! This crate is a pure library: bytes in, typed records (or a complete list of
//! per-row errors) out; records in, bytes out. It knows nothing about the
//! database, HTTP or async runtimes.
//!
//! # Import
//!
//! [`parse_units`] and [`parse_people`] accept either an XLSX workbook or a CSV
//! file (see [`Format::detect`]). Import is all-or-nothing: if any row has an
//! error, [`ImportError::Rows`] carries *every* error found in *every* row and
//! no record is returned.
//!
//! Headers are matched case-, whitespace- and diacritics-insensitively, in
//! Vietnamese (as written by the exporters) or English. The header is the
//! first of the first ten non-blank rows that names a required column, so
//! title rows above it are skipped. Unknown columns are ignored, and so are
//! rows whose known columns are all empty. Text is NFC-normalised and trimmed.
//! Row numbers in errors are the spreadsheet's (CSV: the line the record
//! starts on).
//!
//! Hostile workbooks are contained: cells are streamed (never expanded into a
//! dense range), cell counts are capped, and a panic inside the spreadsheet
//! reader becomes [`ImportError::BadSpreadsheet`] (this relies on the default
//! `panic = "unwind"`).
//!
//! # Export
//!
//! [`export_units`] and [`export_people`] write Vietnamese headers, Vietnamese
//! unit-kind labels and `dd/mm/yyyy` dates (real date cells in XLSX). CSV is
//! written as UTF-8 with a BOM so that Excel shows Vietnamese text correctly.
//! Every record that import accepts survives an export/import round trip
//! unchanged, in both formats.
//!
//! ## CSV formula-injection guard
//!
//! A CSV value starting with `=`, `+`, `-`, `@`, a tab, a carriage return or an
//! apostrophe is written with one extra leading apostrophe, so spreadsheet
//! programs do not evaluate it as a formula. CSV import removes exactly one
//! such apostrophe again (only when it is followed by one of those
//! characters), which keeps the round trip exact.

mod dossier;
mod error;
mod export;
mod import;
mod limits;
mod list;
mod records;
mod registry;
mod scoring;
mod table;
mod text;

use serde::{Deserialize, Serialize};

pub use dossier::{report_docx, ReportDoc, ReportSection};
pub use error::{Bound, ExportError, ImportError, RowError};
pub use export::{export_people, export_units};
pub use import::{parse_people, parse_units};
pub use list::export_table;
pub use records::{parse_records, RecordSheetRow, RECORDS_SHEET};
pub use registry::{parse_registry, registry_template, RegistrySheetRow, REGISTRY_SHEET};
pub use scoring::{
    export_indicator_template, export_scheme, formula_text, parse_formula, parse_indicator_values,
    parse_scheme, IndicatorRow, BANDS_SHEET, CRITERIA_SHEET, GENERAL_SHEET, INDICATORS_SHEET,
    INDICATOR_VALUES_SHEET, MAX_COUNT, MAX_ROW_ERRORS,
};
pub use text::{kind_label_vi, parse_kind, UNIT_KINDS};

/// Largest input accepted by [`parse_units`], [`parse_people`], [`parse_scheme`]
/// and [`parse_indicator_values`], in bytes.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// Name of the worksheet holding units in an XLSX workbook.
pub const UNITS_SHEET: &str = "Đơn vị";

/// Name of the worksheet holding people in an XLSX workbook.
pub const PEOPLE_SHEET: &str = "Cán bộ";

/// File format of an import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma- (or, on import, semicolon-) separated values, UTF-8.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

impl Format {
    /// Guesses the format of an uploaded file from its first bytes: a ZIP
    /// local-file header (`PK\x03\x04`) means XLSX, anything else is treated
    /// as CSV.
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }

    /// Usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// MIME type for an HTTP `Content-Type` header.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// One unit (procuracy, department, division, ...) of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// Unique code: 1..=32 characters from `[A-Za-z0-9._-]`.
    pub code: String,
    /// Canonical kind code, one of [`UNIT_KINDS`].
    pub kind: String,
    /// Full name, 1..=255 characters, NFC.
    pub name: String,
    /// Short name, at most 64 characters.
    pub short_name: Option<String>,
    /// Code of the parent unit, same format as `code`.
    pub parent_code: Option<String>,
    /// First day of validity.
    pub valid_from: Option<chrono::NaiveDate>,
    /// Last day of validity; never before `valid_from`.
    pub valid_to: Option<chrono::NaiveDate>,
}

/// One person holding a position in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Full name, 1..=255 characters, NFC.
    pub full_name: String,
    /// Position, 1..=128 characters (e.g. "Viện trưởng").
    pub position: String,
    /// Code of the unit the person belongs to.
    pub unit_code: String,
    /// First day in the position.
    pub valid_from: Option<chrono::NaiveDate>,
    /// Last day in the position; never before `valid_from`.
    pub valid_to: Option<chrono::NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_format() {
        assert_eq!(Format::detect(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::detect(b"PK"), Format::Csv);
        assert_eq!(Format::detect(b""), Format::Csv);
        assert_eq!(Format::detect("Mã,Loại".as_bytes()), Format::Csv);
    }
}
