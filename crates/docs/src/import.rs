//! Parsing and validating units and people.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::error::{FieldError, ImportError, RowError};
use crate::table::{legacy_xls, read_csv, read_xlsx, Cell, Row, Table};
use crate::text::{
    clean, fold, format_date, format_number, has_control, is_code_charset, parse_date_text,
    parse_kind, serial_to_date,
};
use crate::{Format, PersonRecord, UnitRecord, MAX_IMPORT_BYTES, PEOPLE_SHEET, UNITS_SHEET};

/// A column the importer understands.
#[derive(Clone, Copy)]
pub(crate) struct ColumnSpec {
    /// Vietnamese header (what export writes).
    pub(crate) vi: &'static str,
    /// English header.
    pub(crate) en: &'static str,
    pub(crate) required: bool,
}

pub(crate) const fn col(vi: &'static str, en: &'static str, required: bool) -> ColumnSpec {
    ColumnSpec { vi, en, required }
}

pub(crate) const UNIT_COLUMNS: [ColumnSpec; 7] = [
    col("Mã", "code", true),
    col("Loại", "kind", true),
    col("Tên đầy đủ", "name", true),
    col("Tên viết tắt", "short_name", false),
    col("Mã đơn vị cha", "parent_code", false),
    col("Hiệu lực từ", "valid_from", false),
    col("Hiệu lực đến", "valid_to", false),
];

pub(crate) const PERSON_COLUMNS: [ColumnSpec; 5] = [
    col("Họ và tên", "full_name", true),
    col("Chức vụ", "position", true),
    col("Mã đơn vị", "unit_code", true),
    col("Từ ngày", "valid_from", false),
    col("Đến ngày", "valid_to", false),
];

pub(crate) const CODE_MAX: usize = 32;
pub(crate) const NAME_MAX: usize = 255;
pub(crate) const SHORT_NAME_MAX: usize = 64;
pub(crate) const POSITION_MAX: usize = 128;

/// Parses a units file (XLSX or CSV, see [`Format::detect`]).
///
/// All-or-nothing: any problem in any row yields [`ImportError::Rows`] with
/// every problem found.
pub fn parse_units(bytes: &[u8]) -> Result<Vec<UnitRecord>, ImportError> {
    let (table, cols) = load(bytes, UNITS_SHEET, &UNIT_COLUMNS)?;
    let [code_c, kind_c, name_c, short_c, parent_c, from_c, to_c] = cols;
    let mut errors = Errors::default();
    let mut first_row_of_code: HashMap<String, usize> = HashMap::new();
    let mut records = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut f = Fields::new(row, &mut errors);
        let code = f.code(&code_c, true);
        let kind = f.kind(&kind_c);
        let name = f.text(&name_c, NAME_MAX, true);
        let short_name = f.text(&short_c, SHORT_NAME_MAX, false);
        let parent_code = f.code(&parent_c, false);
        let (valid_from, valid_to) = f.date_range(&from_c, &to_c);
        if let Some(code) = &code {
            if parent_code.as_ref() == Some(code) {
                f.error(&parent_c, FieldError::SelfParent);
            }
            match first_row_of_code.get(code) {
                Some(&first_row) => f.error(
                    &code_c,
                    FieldError::DuplicateCode {
                        code: code.clone(),
                        first_row,
                    },
                ),
                None => {
                    first_row_of_code.insert(code.clone(), row.number);
                }
            }
        }
        if f.ok() {
            if let (Some(code), Some(kind), Some(name)) = (code, kind, name) {
                records.push(UnitRecord {
                    code,
                    kind: kind.to_owned(),
                    name,
                    short_name,
                    parent_code,
                    valid_from,
                    valid_to,
                });
            }
        }
    }
    errors.finish(records)
}

/// Parses a people file (XLSX or CSV, see [`Format::detect`]).
///
/// All-or-nothing: any problem in any row yields [`ImportError::Rows`] with
/// every problem found.
pub fn parse_people(bytes: &[u8]) -> Result<Vec<PersonRecord>, ImportError> {
    let (table, cols) = load(bytes, PEOPLE_SHEET, &PERSON_COLUMNS)?;
    let [name_c, position_c, unit_c, from_c, to_c] = cols;
    let mut errors = Errors::default();
    let mut records = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut f = Fields::new(row, &mut errors);
        let full_name = f.text(&name_c, NAME_MAX, true);
        let position = f.text(&position_c, POSITION_MAX, true);
        let unit_code = f.code(&unit_c, true);
        let (valid_from, valid_to) = f.date_range(&from_c, &to_c);
        if f.ok() {
            if let (Some(full_name), Some(position), Some(unit_code)) =
                (full_name, position, unit_code)
            {
                records.push(PersonRecord {
                    full_name,
                    position,
                    unit_code,
                    valid_from,
                    valid_to,
                });
            }
        }
    }
    errors.finish(records)
}

/// Where a known column sits in the file: 0-based index and header text.
pub(crate) type Col = Option<(usize, String)>;

/// Size check, format detection, reading and header mapping.
pub(crate) fn load<const N: usize>(
    bytes: &[u8],
    sheet: &str,
    specs: &[ColumnSpec; N],
) -> Result<(Table, [Col; N]), ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            limit: MAX_IMPORT_BYTES,
        });
    }
    let table = match Format::detect(bytes) {
        Format::Xlsx => {
            // The first sheet is taken as a fallback only if it has at least
            // one required column: a workbook of something else entirely is
            // reported as a missing sheet rather than as missing columns.
            let accept = |t: &Table| t.header_candidates().any(|row| has_required(row, specs));
            read_xlsx(bytes, sheet, &accept)?
        }
        Format::Csv if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => return Err(legacy_xls()),
        Format::Csv => read_csv(bytes)?,
    };
    let mut table = table
        .ok_or(ImportError::Empty)?
        .locate_header(|row| has_required(row, specs));
    let (cols, missing) = map_columns(&table.header, specs);
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    // Rows with values only in unknown columns (notes, totals...) count as blank.
    table.rows.retain(|row| {
        cols.iter()
            .flatten()
            .any(|(c, _)| *row.get(*c) != Cell::Empty)
    });
    if table.rows.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok((table, cols))
}

/// Whether `row` names at least one required column.
pub(crate) fn has_required<const N: usize>(row: &Row, specs: &[ColumnSpec; N]) -> bool {
    let (cols, _) = map_columns(row, specs);
    specs
        .iter()
        .zip(&cols)
        .any(|(spec, c)| spec.required && c.is_some())
}

/// Finds each spec's column in a header row (first match wins) and lists the
/// Vietnamese headers of missing required columns.
pub(crate) fn map_columns<const N: usize>(
    header: &Row,
    specs: &[ColumnSpec; N],
) -> ([Col; N], Vec<String>) {
    let headers: Vec<(usize, String, String)> = header.folded_cells().collect();
    let cols: [Col; N] = std::array::from_fn(|i| {
        let spec = specs.get(i)?;
        let (vi, en) = (fold(spec.vi), fold(spec.en));
        headers
            .iter()
            .find(|(_, folded, _)| *folded == vi || *folded == en)
            .map(|(c, _, raw)| (*c, raw.clone()))
    });
    let missing = specs
        .iter()
        .zip(&cols)
        .filter(|(spec, c)| spec.required && c.is_none())
        .map(|(spec, _)| spec.vi.to_owned())
        .collect();
    (cols, missing)
}

/// Row errors collected over the whole file.
#[derive(Default)]
pub(crate) struct Errors(Vec<RowError>);

impl Errors {
    pub(crate) fn finish<T>(self, records: Vec<T>) -> Result<Vec<T>, ImportError> {
        if self.0.is_empty() {
            Ok(records)
        } else {
            Err(ImportError::Rows(self.0))
        }
    }
}

/// Field extraction for one row; every problem is recorded, and the getters
/// return `None` both for an absent optional value and for an error.
pub(crate) struct Fields<'a> {
    row: &'a Row,
    errors: &'a mut Errors,
    errors_before: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(row: &'a Row, errors: &'a mut Errors) -> Self {
        let errors_before = errors.0.len();
        Fields {
            row,
            errors,
            errors_before,
        }
    }

    /// Whether this row has no error so far.
    pub(crate) fn ok(&self) -> bool {
        self.errors.0.len() == self.errors_before
    }

    fn error(&mut self, col: &Col, e: FieldError) {
        let header = col.as_ref().map_or("", |(_, h)| h.as_str());
        self.errors
            .0
            .push(e.into_row_error(self.row.number, header));
    }

    fn cell(&self, col: &Col) -> &'a Cell {
        match col {
            Some((c, _)) => self.row.get(*c),
            None => &Cell::Empty,
        }
    }

    /// Raw trimmed NFC text of a cell (no length or content checks).
    fn raw_text(&mut self, col: &Col, required: bool) -> Option<String> {
        let value = match self.cell(col) {
            Cell::Empty => None,
            Cell::Text(s) => Some(clean(s)).filter(|s| !s.is_empty()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Number(f) => Some(format_number(*f)),
            Cell::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            Cell::Date { date, serial } => {
                Some(date.map_or_else(|| format_number(*serial), format_date))
            }
            Cell::Error(e) => {
                self.error(col, FieldError::BadCell(e.clone()));
                return None;
            }
        };
        if value.is_none() && required {
            self.error(col, FieldError::Required);
        }
        value
    }

    /// Free text of at most `max` characters without control characters.
    pub(crate) fn text(&mut self, col: &Col, max: usize, required: bool) -> Option<String> {
        let value = self.raw_text(col, required)?;
        if value.chars().count() > max {
            self.error(col, FieldError::TooLong { max });
            None
        } else if has_control(&value) {
            self.error(col, FieldError::BadText);
            None
        } else {
            Some(value)
        }
    }

    /// A unit code.
    fn code(&mut self, col: &Col, required: bool) -> Option<String> {
        let value = self.raw_text(col, required)?;
        if value.chars().count() > CODE_MAX {
            self.error(col, FieldError::TooLong { max: CODE_MAX });
            None
        } else if !is_code_charset(&value) {
            self.error(col, FieldError::BadCode(value));
            None
        } else {
            Some(value)
        }
    }

    /// A unit kind, returned as its canonical code.
    fn kind(&mut self, col: &Col) -> Option<&'static str> {
        let value = self.raw_text(col, true)?;
        let kind = parse_kind(&value);
        if kind.is_none() {
            self.error(col, FieldError::BadKind(value));
        }
        kind
    }

    /// An optional date.
    pub(crate) fn date(&mut self, col: &Col) -> Option<NaiveDate> {
        let result = match self.cell(col) {
            Cell::Empty => return None,
            Cell::Date { date, serial } => date.ok_or_else(|| format_number(*serial)),
            Cell::Int(i) => {
                #[allow(clippy::cast_precision_loss)] // out-of-range values are rejected anyway
                let serial = *i as f64;
                serial_to_date(serial).ok_or_else(|| i.to_string())
            }
            Cell::Number(f) => serial_to_date(*f).ok_or_else(|| format_number(*f)),
            Cell::Text(s) => {
                let s = clean(s);
                if s.is_empty() {
                    return None;
                }
                parse_date_text(&s).ok_or(s)
            }
            Cell::Bool(b) => Err(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            Cell::Error(e) => {
                self.error(col, FieldError::BadCell(e.clone()));
                return None;
            }
        };
        match result {
            Ok(d) => Some(d),
            Err(raw) => {
                self.error(col, FieldError::BadDate(raw));
                None
            }
        }
    }

    /// A validity period; the end must not precede the start.
    fn date_range(&mut self, from_c: &Col, to_c: &Col) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let from = self.date(from_c);
        let to = self.date(to_c);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                self.error(to_c, FieldError::DateOrder);
            }
        }
        (from, to)
    }
}
