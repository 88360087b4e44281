//! Error types with stable keys and bilingual messages.

use serde::{Deserialize, Serialize};

use crate::text::{excerpt, kind_label_vi, UNIT_KINDS};

/// One problem in one cell (or row) of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Worksheet the row belongs to, for workbooks read from several sheets
    /// (the criteria scheme); empty for CSV and for single-sheet imports of
    /// the unit registry.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sheet: String,
    /// 1-based row number as a spreadsheet shows it, header row included (so
    /// the first data row under a header in row 1 is row 2). For CSV this is
    /// the line on which the record starts.
    pub row: usize,
    /// Header of the offending column as written in the file, or "".
    pub column: String,
    /// Stable machine key: `required`, `too_long`, `bad_date`, `bad_kind`,
    /// `date_order`, `duplicate_code`, `bad_code`, `self_parent`, `bad_text`
    /// or `bad_cell`; for scoring files also `missing_column`, `bad_number`,
    /// `bad_rate`, `bad_count`, `zero_denominator`, `bad_type`,
    /// `bad_direction`, `bad_yes_no`, `bad_item`, `bad_tie_break`,
    /// `bad_formula`, `not_applicable`, `parent_not_found`, `parent_later`,
    /// `parent_not_group`, `too_deep`, `empty_group`, `group_max`,
    /// `unknown_indicator`, `duplicate_row`, `duplicate_item`,
    /// `empty_sheet`, `missing_item` or `too_many_errors` (the last entry when the list was cut short).
    pub key: String,
    /// Message for the user, in Vietnamese.
    pub message_vi: String,
    /// Message for the user, in English.
    pub message_en: String,
}

impl RowError {
    /// The Vietnamese message preceded by where the problem is: sheet (when
    /// known), row and column.
    pub fn located_message_vi(&self) -> String {
        let mut out = String::new();
        if !self.sheet.is_empty() {
            out.push_str(&format!("Trang tính \"{}\", ", self.sheet));
        }
        out.push_str(&format!("dòng {}", self.row));
        if !self.column.is_empty() {
            out.push_str(&format!(", cột \"{}\"", self.column));
        }
        format!("{out}: {}", self.message_vi)
    }

    /// The English message preceded by where the problem is: sheet (when
    /// known), row and column.
    pub fn located_message_en(&self) -> String {
        let mut out = String::new();
        if !self.sheet.is_empty() {
            out.push_str(&format!("Sheet \"{}\", ", self.sheet));
        }
        out.push_str(&format!("row {}", self.row));
        if !self.column.is_empty() {
            out.push_str(&format!(", column \"{}\"", self.column));
        }
        format!("{out}: {}", self.message_en)
    }
}

/// Why an import was rejected. Nothing is imported in any case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is larger than [`crate::MAX_IMPORT_BYTES`].
    #[error("file too large")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A CSV file that is not UTF-8.
    #[error("file is not valid UTF-8 text")]
    BadEncoding,
    /// A file that must be an XLSX workbook (the criteria scheme) but is not
    /// a ZIP archive at all, e.g. a CSV or PDF file.
    #[error("not an XLSX workbook")]
    NotXlsx,
    /// A ZIP/XLSX file that cannot be read as a workbook (or a legacy `.xls`).
    #[error("unreadable spreadsheet: {0}")]
    BadSpreadsheet(String),
    /// No worksheet with the expected name, and the first worksheet does not
    /// look like the expected table.
    #[error("missing sheet")]
    MissingSheet {
        /// Expected sheet name(s).
        expected: Vec<String>,
    },
    /// Required columns are missing; lists their Vietnamese headers.
    #[error("missing columns")]
    MissingColumns(Vec<String>),
    /// No header, or a header and no data rows.
    #[error("empty file")]
    Empty,
    /// Errors in data rows: all of them, in row order.
    #[error("{} row errors", .0.len())]
    Rows(Vec<RowError>),
    /// The file is within [`crate::MAX_IMPORT_BYTES`] but holds more than an import reads: a
    /// workbook part that unpacks beyond its limit (a decompression bomb), or too many shared
    /// strings, rows, cells or characters. Refused before the content is read whole.
    #[error("file content beyond the limit: {what:?} over {limit}")]
    TooMuch {
        /// Which limit was reached.
        what: Bound,
        /// The limit (bytes for [`Bound::Unpacked`] and [`Bound::Text`], else a count).
        limit: u64,
    },
}

/// The limits an import enforces on a file's content (see [`ImportError::TooMuch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Unpacked size of one part of an XLSX workbook (or of all parts together), in bytes.
    Unpacked,
    /// Entries of the workbook's shared-strings table.
    SharedStrings,
    /// Non-empty rows of a sheet.
    Rows,
    /// Non-empty cells of a sheet.
    Cells,
    /// Characters of text kept from a sheet's cells, in bytes.
    Text,
}

impl Bound {
    fn label_vi(self, limit: u64) -> String {
        match self {
            Bound::Unpacked => {
                format!("dung lượng sau khi giải nén vượt quá {}", human_size(limit))
            }
            Bound::SharedStrings => format!("bảng chuỗi dùng chung có hơn {limit} mục"),
            Bound::Rows => format!("trang tính có hơn {limit} dòng"),
            Bound::Cells => format!("trang tính có hơn {limit} ô dữ liệu"),
            Bound::Text => format!("tổng nội dung văn bản vượt quá {}", human_size(limit)),
        }
    }

    fn label_en(self, limit: u64) -> String {
        match self {
            Bound::Unpacked => format!("it unpacks to more than {}", human_size(limit)),
            Bound::SharedStrings => {
                format!("its shared-strings table has more than {limit} entries")
            }
            Bound::Rows => format!("the sheet has more than {limit} rows"),
            Bound::Cells => format!("the sheet has more than {limit} non-empty cells"),
            Bound::Text => format!("its text exceeds {} in total", human_size(limit)),
        }
    }
}

impl ImportError {
    /// Stable machine key.
    pub fn key(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "too_large",
            ImportError::BadEncoding => "bad_encoding",
            ImportError::NotXlsx => "not_xlsx",
            ImportError::BadSpreadsheet(_) => "bad_spreadsheet",
            ImportError::MissingSheet { .. } => "missing_sheet",
            ImportError::MissingColumns(_) => "missing_columns",
            ImportError::Empty => "empty",
            ImportError::Rows(_) => "rows",
            ImportError::TooMuch { .. } => "too_much",
        }
    }

    /// Message for the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            ImportError::TooLarge { limit } => {
                format!("Tệp quá lớn: dung lượng tối đa là {}.", human_size(u64::try_from(*limit).unwrap_or(u64::MAX)))
            }
            ImportError::BadEncoding => {
                "Tệp CSV không phải văn bản UTF-8. Hãy lưu lại tệp với bảng mã UTF-8 (CSV UTF-8)."
                    .to_owned()
            }
            ImportError::NotXlsx => {
                "Tệp không phải bảng tính Excel (.xlsx). Hãy chọn đúng tệp đã xuất từ hệ thống hoặc lưu lại dưới dạng .xlsx."
                    .to_owned()
            }
            ImportError::BadSpreadsheet(detail) => {
                format!("Không đọc được tệp bảng tính Excel (.xlsx): {detail}")
            }
            ImportError::MissingSheet { expected } => format!(
                "Không tìm thấy trang tính \"{}\" trong tệp.",
                expected.join("\", \"")
            ),
            ImportError::MissingColumns(cols) => {
                format!("Thiếu cột bắt buộc: {}.", cols.join(", "))
            }
            ImportError::Empty => "Tệp không có dữ liệu.".to_owned(),
            ImportError::Rows(rows) => {
                format!("Có {} lỗi trong dữ liệu; chưa nhập dòng nào.", rows.len())
            }
            ImportError::TooMuch { what, limit } => format!(
                "Tệp vượt quá giới hạn cho phép: {}. Chưa nhập dòng nào; hãy chia nhỏ tệp.",
                what.label_vi(*limit)
            ),
        }
    }

    /// Message for the user, in English.
    pub fn message_en(&self) -> String {
        match self {
            ImportError::TooLarge { limit } => {
                format!(
                    "File too large: the maximum size is {}.",
                    human_size(u64::try_from(*limit).unwrap_or(u64::MAX))
                )
            }
            ImportError::BadEncoding => {
                "The CSV file is not UTF-8 text. Save it again as \"CSV UTF-8\".".to_owned()
            }
            ImportError::NotXlsx => {
                "The file is not an Excel workbook (.xlsx). Choose the file exported by the system or save it as .xlsx."
                    .to_owned()
            }
            ImportError::BadSpreadsheet(detail) => {
                format!("Cannot read the Excel workbook (.xlsx): {detail}")
            }
            ImportError::MissingSheet { expected } => format!(
                "The workbook has no sheet named \"{}\".",
                expected.join("\", \"")
            ),
            ImportError::MissingColumns(cols) => {
                format!("Missing required columns: {}.", cols.join(", "))
            }
            ImportError::Empty => "The file contains no data.".to_owned(),
            ImportError::Rows(rows) => {
                format!("{} errors in the data; nothing was imported.", rows.len())
            }
            ImportError::TooMuch { what, limit } => format!(
                "The file is beyond the import limits: {}. Nothing was imported; split the file.",
                what.label_en(*limit)
            ),
        }
    }
}

fn human_size(bytes: u64) -> String {
    if bytes % (1024 * 1024) == 0 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// Why an export failed: the value cannot be represented in the format.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Text longer than the 32 767 characters an XLSX cell can hold.
    #[error("row {row}, column {column}: text longer than {limit} characters")]
    CellTooLong {
        /// 1-based spreadsheet row (header is row 1).
        row: usize,
        /// Column header.
        column: String,
        /// The limit in characters.
        limit: usize,
    },
    /// A date outside 1900-01-01..=9999-12-31, which XLSX cannot hold.
    #[error("row {row}, column {column}: date outside 1900..=9999")]
    DateOutOfRange {
        /// 1-based spreadsheet row (header is row 1).
        row: usize,
        /// Column header.
        column: String,
    },
    /// The underlying writer failed (e.g. more rows than a worksheet holds).
    #[error("spreadsheet writer failed: {0}")]
    Writer(String),
}

impl ExportError {
    /// Stable machine key.
    pub fn key(&self) -> &'static str {
        match self {
            ExportError::CellTooLong { .. } => "cell_too_long",
            ExportError::DateOutOfRange { .. } => "date_out_of_range",
            ExportError::Writer(_) => "writer",
        }
    }

    /// Message for the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            ExportError::CellTooLong { row, column, limit } => format!(
                "Dòng {row}, cột \"{column}\": nội dung dài quá {limit} ký tự, không ghi được vào Excel."
            ),
            ExportError::DateOutOfRange { row, column } => format!(
                "Dòng {row}, cột \"{column}\": ngày nằm ngoài khoảng 1900–9999, không ghi được vào Excel."
            ),
            ExportError::Writer(detail) => format!("Không tạo được tệp: {detail}"),
        }
    }

    /// Message for the user, in English.
    pub fn message_en(&self) -> String {
        match self {
            ExportError::CellTooLong { row, column, limit } => format!(
                "Row {row}, column \"{column}\": text longer than {limit} characters cannot be written to Excel."
            ),
            ExportError::DateOutOfRange { row, column } => format!(
                "Row {row}, column \"{column}\": date outside 1900–9999 cannot be written to Excel."
            ),
            ExportError::Writer(detail) => format!("Cannot create the file: {detail}"),
        }
    }
}

/// A problem with one field, turned into a [`RowError`] by the importer.
#[derive(Debug, Clone)]
pub(crate) enum FieldError {
    Required,
    TooLong {
        max: usize,
    },
    BadDate(String),
    BadKind(String),
    DateOrder,
    DuplicateCode {
        code: String,
        first_row: usize,
    },
    BadCode(String),
    SelfParent,
    BadText,
    BadCell(String),
    // ---- scoring files (scheme workbook, indicator values)
    /// A required column is missing from a header row.
    MissingColumn,
    /// Not points: at most two decimals, e.g. `7,5`.
    BadNumber(String),
    /// Not a rate such as `90%` or `90,5%`.
    BadRate(String),
    /// Not a whole number from 0 to `max`.
    BadCount {
        value: String,
        max: i64,
    },
    ZeroDenominator,
    /// A value outside a closed list: `key` is the row error key.
    BadChoice {
        key: &'static str,
        value: String,
        allowed: String,
    },
    BadFormula(String),
    /// A value in a column that the row's type does not use.
    NotApplicable {
        type_label: &'static str,
    },
    ParentNotFound(String),
    ParentLater {
        code: String,
        row: usize,
    },
    ParentNotGroup {
        code: String,
        row: usize,
    },
    CriterionSelfParent,
    TooDeep {
        max: usize,
    },
    EmptyGroup,
    GroupMax {
        expected: String,
    },
    UnknownIndicator(String),
    DuplicateRow {
        first_row: usize,
    },
    DuplicateItem {
        first_row: usize,
    },
    TooManyErrors {
        limit: usize,
    },
    EmptySheet,
    MissingItem {
        item: &'static str,
    },
}

impl FieldError {
    pub(crate) fn into_row_error(self, row: usize, column: &str) -> RowError {
        let (key, vi, en) = match self {
            FieldError::Required => (
                "required",
                "Bắt buộc phải có giá trị.".to_owned(),
                "A value is required.".to_owned(),
            ),
            FieldError::TooLong { max } => (
                "too_long",
                format!("Quá dài: tối đa {max} ký tự."),
                format!("Too long: at most {max} characters."),
            ),
            FieldError::BadDate(v) => (
                "bad_date",
                format!(
                    "Ngày không hợp lệ: \"{}\". Dùng dạng dd/mm/yyyy, năm từ 1900 đến 9999.",
                    excerpt(&v)
                ),
                format!(
                    "Invalid date: \"{}\". Use dd/mm/yyyy, year 1900 to 9999.",
                    excerpt(&v)
                ),
            ),
            FieldError::BadKind(v) => {
                let labels: Vec<&str> = UNIT_KINDS.iter().filter_map(|k| kind_label_vi(k)).collect();
                (
                    "bad_kind",
                    format!(
                        "Loại đơn vị không hợp lệ: \"{}\". Giá trị hợp lệ: {}.",
                        excerpt(&v),
                        labels.join("; ")
                    ),
                    format!(
                        "Invalid unit kind: \"{}\". Valid values: {} (or {}).",
                        excerpt(&v),
                        labels.join("; "),
                        UNIT_KINDS.join(", ")
                    ),
                )
            }
            FieldError::DateOrder => (
                "date_order",
                "Ngày kết thúc không được trước ngày bắt đầu.".to_owned(),
                "The end date must not be before the start date.".to_owned(),
            ),
            FieldError::DuplicateCode { code, first_row } => (
                "duplicate_code",
                format!("Mã \"{}\" bị trùng với dòng {first_row}.", excerpt(&code)),
                format!("Code \"{}\" already used on row {first_row}.", excerpt(&code)),
            ),
            FieldError::BadCode(v) => (
                "bad_code",
                format!(
                    "Mã không hợp lệ: \"{}\". Mã chỉ gồm chữ cái không dấu, chữ số và các ký tự . _ -",
                    excerpt(&v)
                ),
                format!(
                    "Invalid code: \"{}\". Use only ASCII letters, digits and . _ -",
                    excerpt(&v)
                ),
            ),
            FieldError::SelfParent => (
                "self_parent",
                "Đơn vị không thể là đơn vị cha của chính nó.".to_owned(),
                "A unit cannot be its own parent.".to_owned(),
            ),
            FieldError::BadText => (
                "bad_text",
                "Chứa ký tự điều khiển không hợp lệ (ví dụ xuống dòng, tab).".to_owned(),
                "Contains invalid control characters (e.g. line breaks, tabs).".to_owned(),
            ),
            FieldError::BadCell(v) => (
                "bad_cell",
                format!("Ô chứa lỗi của Excel: {}.", excerpt(&v)),
                format!("The cell holds an Excel error: {}.", excerpt(&v)),
            ),
            FieldError::MissingColumn => (
                "missing_column",
                "Thiếu cột bắt buộc này ở dòng tiêu đề.".to_owned(),
                "This required column is missing from the header row.".to_owned(),
            ),
            FieldError::BadNumber(v) => (
                "bad_number",
                format!(
                    "Số không hợp lệ: \"{}\". Dùng số có tối đa hai chữ số thập phân, ví dụ 7,5.",
                    excerpt(&v)
                ),
                format!(
                    "Invalid number: \"{}\". Use a number with at most two decimals, e.g. 7.5.",
                    excerpt(&v)
                ),
            ),
            FieldError::BadRate(v) => (
                "bad_rate",
                format!(
                    "Tỷ lệ không hợp lệ: \"{}\". Ghi dạng 90% hoặc 90,5%.",
                    excerpt(&v)
                ),
                format!(
                    "Invalid percentage: \"{}\". Write it as 90% or 90.5%.",
                    excerpt(&v)
                ),
            ),
            FieldError::BadCount { value, max } => (
                "bad_count",
                format!(
                    "Phải là số nguyên từ 0 đến {max}: \"{}\".",
                    excerpt(&value)
                ),
                format!(
                    "Must be a whole number from 0 to {max}: \"{}\".",
                    excerpt(&value)
                ),
            ),
            FieldError::ZeroDenominator => (
                "zero_denominator",
                "Mẫu số phải lớn hơn 0.".to_owned(),
                "The denominator must be greater than 0.".to_owned(),
            ),
            FieldError::BadChoice {
                key,
                value,
                allowed,
            } => (
                key,
                format!(
                    "Giá trị không hợp lệ: \"{}\". Giá trị hợp lệ: {allowed}.",
                    excerpt(&value)
                ),
                format!(
                    "Invalid value: \"{}\". Valid values: {allowed}.",
                    excerpt(&value)
                ),
            ),
            FieldError::BadFormula(v) => (
                "bad_formula",
                format!(
                    "Công thức không hợp lệ: \"{}\". Dùng một trong các dạng: \"tuyến tính 70%→90%\", \"bậc 5%:10; 10%:5\", \"đạt/không đạt\".",
                    excerpt(&v)
                ),
                format!(
                    "Invalid formula: \"{}\". Use one of: \"linear 70%->90%\", \"steps 5%:10; 10%:5\", \"pass/fail\" (or the Vietnamese forms).",
                    excerpt(&v)
                ),
            ),
            FieldError::NotApplicable { type_label } => (
                "not_applicable",
                format!("Loại \"{type_label}\" không dùng cột này; hãy để trống."),
                format!("Type \"{type_label}\" does not use this column; leave it empty."),
            ),
            FieldError::ParentNotFound(code) => (
                "parent_not_found",
                format!("Không có tiêu chí nào mang mã \"{}\".", excerpt(&code)),
                format!("No criterion has the code \"{}\".", excerpt(&code)),
            ),
            FieldError::ParentLater { code, row } => (
                "parent_later",
                format!(
                    "Mục cấp trên \"{}\" phải đứng trước, nhưng nằm ở dòng {row}.",
                    excerpt(&code)
                ),
                format!(
                    "The parent \"{}\" must come first, but it is on row {row}.",
                    excerpt(&code)
                ),
            ),
            FieldError::ParentNotGroup { code, row } => (
                "parent_not_group",
                format!(
                    "Mục cấp trên \"{}\" (dòng {row}) không phải loại \"Nhóm\".",
                    excerpt(&code)
                ),
                format!(
                    "The parent \"{}\" (row {row}) is not of type \"Nhóm\" (group).",
                    excerpt(&code)
                ),
            ),
            FieldError::CriterionSelfParent => (
                "self_parent",
                "Một mục không thể là cấp trên của chính nó.".to_owned(),
                "An item cannot be its own parent.".to_owned(),
            ),
            FieldError::TooDeep { max } => (
                "too_deep",
                format!("Quá nhiều cấp: bảng tiêu chí có tối đa {max} cấp."),
                format!("Too many levels: a scheme has at most {max} levels."),
            ),
            FieldError::EmptyGroup => (
                "empty_group",
                "Nhóm không có mục nào bên dưới.".to_owned(),
                "The group has no items under it.".to_owned(),
            ),
            FieldError::GroupMax { expected } => (
                "group_max",
                format!(
                    "Điểm tối đa của nhóm phải bằng tổng điểm tối đa của các mục chấm tay và chỉ tiêu bên dưới ({expected}); hãy sửa lại hoặc để trống."
                ),
                format!(
                    "A group's maximum must equal the sum of the manual and indicator items under it ({expected}); correct it or leave it empty."
                ),
            ),
            FieldError::UnknownIndicator(code) => (
                "unknown_indicator",
                format!(
                    "Chỉ tiêu \"{}\" không có trong trang tính \"Chỉ tiêu\".",
                    excerpt(&code)
                ),
                format!(
                    "Indicator \"{}\" is not listed on the \"Chỉ tiêu\" sheet.",
                    excerpt(&code)
                ),
            ),
            FieldError::DuplicateRow { first_row } => (
                "duplicate_row",
                format!("Đơn vị và chỉ tiêu này đã có ở dòng {first_row}."),
                format!("This unit and indicator are already on row {first_row}."),
            ),
            FieldError::DuplicateItem { first_row } => (
                "duplicate_item",
                format!("Mục này đã có ở dòng {first_row}."),
                format!("This item is already on row {first_row}."),
            ),
            FieldError::TooManyErrors { limit } => (
                "too_many_errors",
                format!(
                    "Có quá nhiều lỗi; chỉ liệt kê {limit} lỗi đầu tiên, các dòng sau chưa được kiểm tra."
                ),
                format!(
                    "Too many errors; only the first {limit} are listed and later rows were not checked."
                ),
            ),
            FieldError::EmptySheet => (
                "empty_sheet",
                "Trang tính không có dữ liệu.".to_owned(),
                "The sheet has no data.".to_owned(),
            ),
            FieldError::MissingItem { item } => (
                "missing_item",
                format!("Thiếu dòng \"{item}\"."),
                format!("The row \"{item}\" is missing."),
            ),
        };
        RowError {
            sheet: String::new(),
            row,
            column: column.to_owned(),
            key: key.to_owned(),
            message_vi: vi,
            message_en: en,
        }
    }
}
