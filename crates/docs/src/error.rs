//! Error types with stable keys and bilingual messages.

use serde::{Deserialize, Serialize};

use crate::text::{excerpt, kind_label_vi, UNIT_KINDS};

/// One problem in one cell (or row) of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based row number as a spreadsheet shows it, header row included (so
    /// the first data row under a header in row 1 is row 2). For CSV this is
    /// the line on which the record starts.
    pub row: usize,
    /// Header of the offending column as written in the file, or "".
    pub column: String,
    /// Stable machine key: `required`, `too_long`, `bad_date`, `bad_kind`,
    /// `date_order`, `duplicate_code`, `bad_code`, `self_parent`, `bad_text`
    /// or `bad_cell`.
    pub key: String,
    /// Message for the user, in Vietnamese.
    pub message_vi: String,
    /// Message for the user, in English.
    pub message_en: String,
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
}

impl ImportError {
    /// Stable machine key.
    pub fn key(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "too_large",
            ImportError::BadEncoding => "bad_encoding",
            ImportError::BadSpreadsheet(_) => "bad_spreadsheet",
            ImportError::MissingSheet { .. } => "missing_sheet",
            ImportError::MissingColumns(_) => "missing_columns",
            ImportError::Empty => "empty",
            ImportError::Rows(_) => "rows",
        }
    }

    /// Message for the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            ImportError::TooLarge { limit } => {
                format!("Tệp quá lớn: dung lượng tối đa là {}.", human_size(*limit))
            }
            ImportError::BadEncoding => {
                "Tệp CSV không phải văn bản UTF-8. Hãy lưu lại tệp với bảng mã UTF-8 (CSV UTF-8)."
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
        }
    }

    /// Message for the user, in English.
    pub fn message_en(&self) -> String {
        match self {
            ImportError::TooLarge { limit } => {
                format!(
                    "File too large: the maximum size is {}.",
                    human_size(*limit)
                )
            }
            ImportError::BadEncoding => {
                "The CSV file is not UTF-8 text. Save it again as \"CSV UTF-8\".".to_owned()
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
        }
    }
}

fn human_size(bytes: usize) -> String {
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
    TooLong { max: usize },
    BadDate(String),
    BadKind(String),
    DateOrder,
    DuplicateCode { code: String, first_row: usize },
    BadCode(String),
    SelfParent,
    BadText,
    BadCell(String),
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
        };
        RowError {
            row,
            column: column.to_owned(),
            key: key.to_owned(),
            message_vi: vi,
            message_en: en,
        }
    }
}
