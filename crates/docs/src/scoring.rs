//! Scoring files: the criteria scheme (bảng tiêu chí chấm điểm) as an XLSX
//! workbook, and the indicator counts units report (số liệu chỉ tiêu) as XLSX
//! or CSV.
//!
//! # The scheme workbook
//!
//! [`export_scheme`] writes four worksheets, which [`parse_scheme`] reads
//! back unchanged:
//!
//! * "Tiêu chí" ([`CRITERIA_SHEET`]): one row per node of the criteria tree
//!   in tree order. A node names its parent by code in "Mã cấp trên"; the
//!   parent must be a group ("Nhóm") on an earlier row, and children keep
//!   their row order. Formulas are short texts: `tuyến tính 70%→90%` (zero
//!   points at 70 %, all points at 90 %), `bậc 5%:10; 10%:5` (steps: rate,
//!   colon, points; separated by semicolons) and `đạt/không đạt`. A group's
//!   "Điểm tối đa" is written for reading only: on import it may be left
//!   empty, and if given it must equal the sum of the manual and indicator
//!   items under it.
//! * "Chỉ tiêu" ([`INDICATORS_SHEET`]): the indicators. Optional on import.
//! * "Xếp loại" ([`BANDS_SHEET`]): classification bands, highest first.
//! * "Chung" ([`GENERAL_SHEET`]): title, legal basis, bonus cap and the
//!   tie-break rules, one per row, as label / value pairs.
//!
//! Headers, types, directions and labels are matched case-, spacing- and
//! diacritics-insensitively, in Vietnamese or English, as in the registry
//! importers. Points may be number cells or text with a decimal comma or
//! point; rates are text such as `90%` or `90,5%` (the exporter formats
//! those columns as text so that Excel does not turn `90%` into `0.9`).
//!
//! Parsing checks what the workbook's layout introduces (types, numbers,
//! formulas, the tree's parent links and depth, references to indicators)
//! and reports every problem with its sheet, row and column; the caller then
//! validates the scheme as a whole with `Compiled::new`.
//!
//! # Indicator counts
//!
//! [`parse_indicator_values`] reads "Mã đơn vị", "Mã chỉ tiêu", "Tử số",
//! "Mẫu số" from XLSX (streamed row by row) or CSV. Counts are whole numbers
//! from 0 to [`MAX_COUNT`], written as numbers or as text, optionally with
//! thousands separators (`1.234`, `1,234` or `1 234`, groups of exactly
//! three digits); the denominator must not be zero. Errors are collected up
//! to [`MAX_ROW_ERRORS`]; a last `too_many_errors` entry says when the list
//! was cut short. [`export_indicator_template`] writes the file for units to
//! fill in.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Workbook, Worksheet, XlsxError,
};
use serde::{Deserialize, Serialize};
use thidua_domain::scoring::{
    Band, Counts, Direction, Formula, Indicator, Node, Points, Rate, Scheme, Step, TieBreak,
    MAX_CODE, MAX_DEPTH, MAX_TITLE,
};

use crate::error::{ExportError, FieldError, ImportError, RowError};
use crate::import::{col, has_required, map_columns, Col, ColumnSpec, CODE_MAX};
use crate::table::{
    legacy_xls, read_csv, read_xlsx_sheets, replay, stream_xlsx, Cell, Row, RowSink, Table,
    HEADER_SEARCH_ROWS,
};
use crate::text::{clean, fold, format_date, format_number, is_code_charset};
use crate::{Format, MAX_IMPORT_BYTES};

/// Worksheet of the criteria tree.
pub const CRITERIA_SHEET: &str = "Tiêu chí";
/// Worksheet of the indicators.
pub const INDICATORS_SHEET: &str = "Chỉ tiêu";
/// Worksheet of the classification bands.
pub const BANDS_SHEET: &str = "Xếp loại";
/// Worksheet of the scheme's title, legal basis, bonus cap and tie-breaks.
pub const GENERAL_SHEET: &str = "Chung";
/// Worksheet of the indicator counts template.
pub const INDICATOR_VALUES_SHEET: &str = "Số liệu chỉ tiêu";

/// Row errors reported at most; the rest of the file is not checked.
pub const MAX_ROW_ERRORS: usize = 1000;
/// Largest count accepted for a numerator or denominator.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// Most characters an XLSX cell holds.
const XLSX_MAX_TEXT: usize = 32_767;
/// Longest guidance text, as the domain allows it.
const GUIDANCE_MAX: usize = MAX_TITLE * 4;
/// Longest band key.
const BAND_KEY_MAX: usize = 64;

// ------------------------------------------------------------ columns

const CRITERIA_COLUMNS: [ColumnSpec; 10] = [
    col("Mã", "code", true),
    col("Mã cấp trên", "parent_code", false),
    col("Loại", "type", true),
    col("Nội dung", "title", true),
    col("Điểm tối đa", "max", false),
    col("Điểm trừ mỗi lần", "per_occurrence", false),
    col("Chỉ tiêu", "indicator", false),
    col("Công thức", "formula", false),
    col("Yêu cầu minh chứng", "evidence_required", false),
    col("Hướng dẫn", "guidance", false),
];
const CRITERIA_WIDTHS: [f64; 10] = [10.0, 12.0, 13.0, 60.0, 10.0, 10.0, 10.0, 26.0, 12.0, 50.0];

const INDICATOR_COLUMNS: [ColumnSpec; 7] = [
    col("Mã", "code", true),
    col("Tên chỉ tiêu", "name", true),
    col("Tử số", "numerator", false),
    col("Mẫu số", "denominator", false),
    col("Chiều đánh giá", "direction", true),
    col("Mục tiêu", "target", true),
    col("Căn cứ", "basis", false),
];
const INDICATOR_WIDTHS: [f64; 7] = [10.0, 45.0, 30.0, 30.0, 18.0, 10.0, 30.0];

const BAND_COLUMNS: [ColumnSpec; 3] = [
    col("Mã", "key", true),
    col("Tên xếp loại", "label", true),
    col("Điểm tối thiểu", "min", true),
];
const BAND_WIDTHS: [f64; 3] = [14.0, 36.0, 14.0];

const GENERAL_COLUMNS: [ColumnSpec; 3] = [
    col("Mục", "item", true),
    col("Giá trị", "value", true),
    col("Ghi chú", "note", false),
];
const GENERAL_WIDTHS: [f64; 3] = [28.0, 50.0, 70.0];

const VALUE_COLUMNS: [ColumnSpec; 4] = [
    col("Mã đơn vị", "unit_code", true),
    col("Mã chỉ tiêu", "indicator_code", true),
    col("Tử số", "numerator", true),
    col("Mẫu số", "denominator", true),
];

// ------------------------------------------------------------ labels

/// The kinds of criteria nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    Manual,
    Indicator,
    Bonus,
    Deduction,
}

const KINDS: [(Kind, &str, &str); 5] = [
    (Kind::Group, "Nhóm", "group"),
    (Kind::Manual, "Chấm tay", "manual"),
    (Kind::Indicator, "Chỉ tiêu", "indicator"),
    (Kind::Bonus, "Điểm thưởng", "bonus"),
    (Kind::Deduction, "Điểm trừ", "deduction"),
];

impl Kind {
    fn of(node: &Node) -> Kind {
        match node {
            Node::Group { .. } => Kind::Group,
            Node::Manual { .. } => Kind::Manual,
            Node::Indicator { .. } => Kind::Indicator,
            Node::Bonus { .. } => Kind::Bonus,
            Node::Deduction { .. } => Kind::Deduction,
        }
    }

    fn label(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, vi, _)| vi)
    }

    fn parse(s: &str) -> Option<Kind> {
        let f = fold(s);
        KINDS
            .iter()
            .find(|(_, vi, en)| fold(vi) == f || *en == f)
            .map(|(k, _, _)| *k)
    }
}

const DIRECTION_HIGHER: &str = "Cao hơn tốt hơn";
const DIRECTION_LOWER: &str = "Thấp hơn tốt hơn";

fn direction_label(d: Direction) -> &'static str {
    match d {
        Direction::Higher => DIRECTION_HIGHER,
        Direction::Lower => DIRECTION_LOWER,
    }
}

fn parse_direction(s: &str) -> Option<Direction> {
    match fold(s).as_str() {
        "cao hon tot hon" | "cao hon" | "higher" | "higher is better" => Some(Direction::Higher),
        "thap hon tot hon" | "thap hon" | "lower" | "lower is better" => Some(Direction::Lower),
        _ => None,
    }
}

const YES: &str = "có";
const NO: &str = "không";

fn parse_yes_no(s: &str) -> Option<bool> {
    match fold(s).as_str() {
        "co" | "x" | "yes" | "true" | "1" => Some(true),
        "khong" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

const ITEM_TITLE: &str = "Tên bảng tiêu chí";
const ITEM_LEGAL_BASIS: &str = "Căn cứ";
const ITEM_BONUS_CAP: &str = "Tổng điểm thưởng tối đa";
const ITEM_TIE_BREAK: &str = "Tiêu chí xét khi bằng điểm";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Title,
    LegalBasis,
    BonusCap,
    TieBreak,
}

const ITEMS: [(Item, &str, &str); 4] = [
    (Item::Title, ITEM_TITLE, "title"),
    (Item::LegalBasis, ITEM_LEGAL_BASIS, "legal basis"),
    (Item::BonusCap, ITEM_BONUS_CAP, "bonus cap"),
    (Item::TieBreak, ITEM_TIE_BREAK, "tie break"),
];

fn parse_item(s: &str) -> Option<Item> {
    let f = fold(s);
    ITEMS
        .iter()
        .find(|(_, vi, en)| fold(vi) == f || *en == f)
        .map(|(i, _, _)| *i)
}

const TIE_FEWER_DEDUCTIONS: &str = "Ít điểm trừ hơn";
const TIE_HIGHER_BASE: &str = "Điểm cơ bản cao hơn";

fn tie_break_text(t: &TieBreak) -> String {
    match t {
        TieBreak::Section { code } => format!("Điểm mục {code} cao hơn"),
        TieBreak::FewerDeductions => TIE_FEWER_DEDUCTIONS.to_owned(),
        TieBreak::HigherBase => TIE_HIGHER_BASE.to_owned(),
    }
}

fn parse_tie_break(s: &str) -> Option<TieBreak> {
    match fold(s).as_str() {
        "it diem tru hon" | "fewer deductions" => return Some(TieBreak::FewerDeductions),
        "diem co ban cao hon" | "higher base" => return Some(TieBreak::HigherBase),
        _ => {}
    }
    let tokens: Vec<&str> = s.split_whitespace().collect();
    let words: Vec<String> = tokens.iter().map(|t| fold(t)).collect();
    let code = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["diem", "muc", _, "cao", "hon"] => tokens.get(2),
        ["section", _] => tokens.get(1),
        _ => None,
    }?;
    valid_criterion_code(code).then(|| TieBreak::Section {
        code: (*code).to_owned(),
    })
}

/// Compact, readable text of a formula.
pub fn formula_text(f: &Formula) -> String {
    match f {
        Formula::Linear { zero_at, full_at } => format!("tuyến tính {zero_at}→{full_at}"),
        Formula::Steps { steps } => {
            let parts: Vec<String> = steps
                .iter()
                .map(|s| format!("{}:{}", s.at, s.points))
                .collect();
            format!("bậc {}", parts.join("; "))
        }
        Formula::PassFail => "đạt/không đạt".to_owned(),
    }
}

/// Reads the text [`formula_text`] writes, and its English forms
/// (`linear 70%->90%`, `steps 5%:10; 10%:5`, `pass/fail`).
pub fn parse_formula(s: &str) -> Option<Formula> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .unwrap_or(s.len());
    let (head, args) = s.split_at(split);
    let head = fold(head).replace(' ', "");
    let head = head.trim_end_matches(':');
    match head {
        "tuyentinh" | "linear" => {
            let (a, b) = ["→", "->", "=>", "–", "—", "-"]
                .iter()
                .find_map(|sep| args.split_once(sep))?;
            Some(Formula::Linear {
                zero_at: Rate::parse(a)?,
                full_at: Rate::parse(b)?,
            })
        }
        "bac" | "steps" => {
            let mut steps = Vec::new();
            for part in args.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (at, points) = part.split_once(':')?;
                steps.push(Step {
                    at: Rate::parse(at)?,
                    points: Points::parse(points)?,
                });
            }
            Some(Formula::Steps { steps })
        }
        "dat/khongdat" | "pass/fail" | "passfail" if args.trim().is_empty() => {
            Some(Formula::PassFail)
        }
        _ => None,
    }
}

fn valid_criterion_code(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_CODE && is_code_charset(s)
}

// ------------------------------------------------------------ export

fn xlsx_err(e: XlsxError) -> ExportError {
    ExportError::Writer(e.to_string())
}

/// Writes cells of one worksheet, checking what XLSX cannot hold.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    name: &'static str,
    headers: Vec<&'static str>,
    text_format: rust_xlsxwriter::Format,
}

impl<'a> Sheet<'a> {
    /// Adds a worksheet with a bold, wrapped header row, frozen, and the
    /// given column widths. Columns in `text_columns` are formatted as text so
    /// that Excel keeps what people type there (codes like `1.10`, rates like
    /// `90%`) as written.
    fn new<const N: usize>(
        workbook: &'a mut Workbook,
        name: &'static str,
        specs: &[ColumnSpec; N],
        widths: &[f64; N],
        text_columns: &[u16],
    ) -> Result<Sheet<'a>, ExportError> {
        let header_format = rust_xlsxwriter::Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::VerticalCenter);
        let text_format = rust_xlsxwriter::Format::new().set_num_format("@");
        let ws = workbook.add_worksheet();
        ws.set_name(name).map_err(xlsx_err)?;
        let headers: Vec<&'static str> = specs.iter().map(|s| s.vi).collect();
        for (c, (h, w)) in (0u16..).zip(headers.iter().zip(widths)) {
            ws.write_string_with_format(0, c, *h, &header_format)
                .map_err(xlsx_err)?;
            ws.set_column_width(c, *w).map_err(xlsx_err)?;
            if text_columns.contains(&c) {
                ws.set_column_format(c, &text_format).map_err(xlsx_err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        Ok(Sheet {
            ws,
            name,
            headers,
            text_format,
        })
    }

    fn too_long(&self, row: u32, c: u16) -> ExportError {
        let header = self.headers.get(usize::from(c)).copied().unwrap_or("");
        ExportError::CellTooLong {
            row: row as usize + 1,
            column: format!("{header} ({})", self.name),
            limit: XLSX_MAX_TEXT,
        }
    }

    fn text(
        &mut self,
        row: u32,
        c: u16,
        s: &str,
        format: Option<&rust_xlsxwriter::Format>,
    ) -> Result<(), ExportError> {
        if s.is_empty() {
            return Ok(());
        }
        if s.chars().count() > XLSX_MAX_TEXT {
            return Err(self.too_long(row, c));
        }
        match format {
            Some(f) => self.ws.write_string_with_format(row, c, s, f),
            None => self.ws.write_string(row, c, s),
        }
        .map_err(xlsx_err)?;
        Ok(())
    }

    /// Text in a column formatted as text (codes, rates).
    fn literal(&mut self, row: u32, c: u16, s: &str) -> Result<(), ExportError> {
        let f = self.text_format.clone();
        self.text(row, c, s, Some(&f))
    }

    fn points(&mut self, row: u32, c: u16, p: Points) -> Result<(), ExportError> {
        self.ws.write_number(row, c, p.as_f64()).map_err(xlsx_err)?;
        Ok(())
    }

    /// A drop-down list (with a hint) on a whole column below the header.
    fn choices(&mut self, c: u16, values: &[&str], hint: &str) -> Result<(), ExportError> {
        // A warning rather than a refusal: the importer also takes other
        // spellings (English, without diacritics).
        let v = DataValidation::new()
            .allow_list_strings(values)
            .map(|v| v.set_error_style(DataValidationErrorStyle::Warning))
            .and_then(|v| v.set_input_message(hint))
            .map_err(xlsx_err)?;
        self.ws
            .add_data_validation(1, c, 1_048_575, c, &v)
            .map_err(xlsx_err)?;
        Ok(())
    }

    /// A hint shown when a cell of the column is selected.
    fn hint(&mut self, c: u16, hint: &str) -> Result<(), ExportError> {
        let v = DataValidation::new()
            .allow_any_value()
            .set_input_message(hint)
            .map_err(xlsx_err)?;
        self.ws
            .add_data_validation(1, c, 1_048_575, c, &v)
            .map_err(xlsx_err)?;
        Ok(())
    }
}

fn row_index(i: usize) -> Result<u32, ExportError> {
    u32::try_from(i + 1).map_err(|_| ExportError::Writer("too many rows".to_owned()))
}

/// Sum of the manual and indicator leaves' maxima under a node.
fn base_max(node: &Node) -> i64 {
    let mut sum = 0i64;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n {
            Node::Group { items, .. } => stack.extend(items.iter()),
            Node::Manual { max, .. } | Node::Indicator { max, .. } => {
                sum = sum.saturating_add(max.0);
            }
            Node::Bonus { .. } | Node::Deduction { .. } => {}
        }
    }
    sum
}

/// Writes a criteria scheme as an XLSX workbook with the sheets "Tiêu chí",
/// "Chỉ tiêu", "Xếp loại" and "Chung" (see the [module
/// documentation](self)); [`parse_scheme`] reads it back unchanged.
///
/// Fails only when XLSX cannot hold a value (text over 32 767 characters,
/// more than 1 048 575 rows).
pub fn export_scheme(scheme: &Scheme) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    write_criteria(&mut workbook, scheme)?;
    write_indicators(&mut workbook, &scheme.indicators)?;
    write_bands(&mut workbook, &scheme.bands)?;
    write_general(&mut workbook, scheme)?;
    workbook.save_to_buffer().map_err(xlsx_err)
}

fn write_criteria(workbook: &mut Workbook, scheme: &Scheme) -> Result<(), ExportError> {
    let mut sheet = Sheet::new(
        workbook,
        CRITERIA_SHEET,
        &CRITERIA_COLUMNS,
        &CRITERIA_WIDTHS,
        &[0, 1, 6, 7],
    )?;
    let labels: Vec<&str> = KINDS.iter().map(|(_, vi, _)| *vi).collect();
    sheet.choices(
        2,
        &labels,
        "Nhóm: mục lớn có các mục con. Chấm tay: hội đồng chấm. Chỉ tiêu: tính từ tỷ lệ. Điểm thưởng, Điểm trừ.",
    )?;
    sheet.hint(
        7,
        "Chỉ cho loại Chỉ tiêu. Ví dụ: \"tuyến tính 70%→90%\" (0 điểm ở 70%, đủ điểm ở 90%); \"bậc 5%:10; 10%:5\"; \"đạt/không đạt\".",
    )?;
    sheet.choices(8, &[YES, NO], "Chỉ cho loại Chấm tay.")?;
    sheet.hint(
        1,
        "Để trống nếu là mục cấp cao nhất; nếu không, ghi mã của một Nhóm ở dòng phía trên.",
    )?;
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    let title_formats: Vec<rust_xlsxwriter::Format> = (0u8..=8)
        .map(|depth| {
            rust_xlsxwriter::Format::new()
                .set_text_wrap()
                .set_indent(depth)
        })
        .collect();
    let group_formats: Vec<rust_xlsxwriter::Format> =
        title_formats.iter().map(|f| f.clone().set_bold()).collect();

    // Tree order without recursion: (node, parent code, depth).
    let mut stack: Vec<(&Node, &str, usize)> =
        scheme.criteria.iter().rev().map(|n| (n, "", 0)).collect();
    let mut i = 0usize;
    while let Some((node, parent, depth)) = stack.pop() {
        let r = row_index(i)?;
        i += 1;
        let kind = Kind::of(node);
        sheet.literal(r, 0, node.code())?;
        sheet.literal(r, 1, parent)?;
        sheet.text(r, 2, kind.label(), None)?;
        let formats = if kind == Kind::Group {
            &group_formats
        } else {
            &title_formats
        };
        let title_format = formats.get(depth.min(8)).unwrap_or(&wrap).clone();
        sheet.text(r, 3, node.title(), Some(&title_format))?;
        match node {
            Node::Group { items, .. } => {
                let sum = base_max(node);
                if sum != 0 {
                    sheet.points(r, 4, Points(sum))?;
                }
                stack.extend(items.iter().rev().map(|n| (n, node.code(), depth + 1)));
            }
            Node::Manual {
                max,
                evidence_required,
                ..
            } => {
                sheet.points(r, 4, *max)?;
                sheet.text(r, 8, if *evidence_required { YES } else { NO }, None)?;
            }
            Node::Indicator {
                max,
                indicator,
                formula,
                ..
            } => {
                sheet.points(r, 4, *max)?;
                sheet.literal(r, 6, indicator)?;
                sheet.literal(r, 7, &formula_text(formula))?;
            }
            Node::Bonus { max, .. } => sheet.points(r, 4, *max)?,
            Node::Deduction {
                max,
                per_occurrence,
                ..
            } => {
                sheet.points(r, 4, *max)?;
                sheet.points(r, 5, *per_occurrence)?;
            }
        }
        sheet.text(r, 9, node.guidance(), Some(&wrap))?;
    }
    Ok(())
}

fn write_indicators(workbook: &mut Workbook, indicators: &[Indicator]) -> Result<(), ExportError> {
    let mut sheet = Sheet::new(
        workbook,
        INDICATORS_SHEET,
        &INDICATOR_COLUMNS,
        &INDICATOR_WIDTHS,
        &[0, 5],
    )?;
    sheet.choices(
        4,
        &[DIRECTION_HIGHER, DIRECTION_LOWER],
        "Tỷ lệ cao hơn là tốt hơn, hay thấp hơn là tốt hơn (ví dụ tỷ lệ án trả hồ sơ).",
    )?;
    sheet.hint(5, "Mục tiêu của năm, ví dụ 90% hoặc 90,5%.")?;
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    for (i, ind) in indicators.iter().enumerate() {
        let r = row_index(i)?;
        sheet.literal(r, 0, &ind.code)?;
        sheet.text(r, 1, &ind.name, Some(&wrap))?;
        sheet.text(r, 2, &ind.numerator, Some(&wrap))?;
        sheet.text(r, 3, &ind.denominator, Some(&wrap))?;
        sheet.text(r, 4, direction_label(ind.direction), None)?;
        sheet.literal(r, 5, &ind.target.to_string())?;
        sheet.text(r, 6, &ind.basis, Some(&wrap))?;
    }
    Ok(())
}

fn write_bands(workbook: &mut Workbook, bands: &[Band]) -> Result<(), ExportError> {
    let mut sheet = Sheet::new(workbook, BANDS_SHEET, &BAND_COLUMNS, &BAND_WIDTHS, &[])?;
    sheet.hint(
        2,
        "Tổng điểm tối thiểu để đạt mức này. Ghi mức cao nhất trước.",
    )?;
    for (i, band) in bands.iter().enumerate() {
        let r = row_index(i)?;
        sheet.text(r, 0, &band.key, None)?;
        sheet.text(r, 1, &band.label, None)?;
        sheet.points(r, 2, band.min)?;
    }
    Ok(())
}

fn write_general(workbook: &mut Workbook, scheme: &Scheme) -> Result<(), ExportError> {
    let mut sheet = Sheet::new(
        workbook,
        GENERAL_SHEET,
        &GENERAL_COLUMNS,
        &GENERAL_WIDTHS,
        &[],
    )?;
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    sheet.text(1, 0, ITEM_TITLE, None)?;
    sheet.text(1, 1, &scheme.title, Some(&wrap))?;
    sheet.text(2, 0, ITEM_LEGAL_BASIS, None)?;
    sheet.text(2, 1, &scheme.legal_basis, Some(&wrap))?;
    sheet.text(
        2,
        2,
        "Quyết định hoặc hướng dẫn ban hành bảng tiêu chí.",
        Some(&wrap),
    )?;
    sheet.text(3, 0, ITEM_BONUS_CAP, None)?;
    sheet.points(3, 1, scheme.bonus_cap)?;
    sheet.text(
        3,
        2,
        "Tổng các điểm thưởng được cộng không vượt quá mức này.",
        Some(&wrap),
    )?;
    let note = format!(
        "Mỗi dòng một tiêu chí, xét lần lượt khi các đơn vị bằng tổng điểm: \"Điểm mục <mã> cao hơn\" (mã một mục cấp cao nhất), \"{TIE_FEWER_DEDUCTIONS}\", \"{TIE_HIGHER_BASE}\" (tổng điểm chưa cộng thưởng, chưa trừ điểm)."
    );
    let ties: Vec<String> = scheme.tie_breaks.iter().map(tie_break_text).collect();
    // At least one row, so that someone editing the file sees where rules go.
    let count = ties.len().max(1);
    for i in 0..count {
        let r = row_index(3 + i)?;
        sheet.text(r, 0, ITEM_TIE_BREAK, None)?;
        sheet.text(r, 1, ties.get(i).map_or("", String::as_str), None)?;
        if i == 0 {
            sheet.text(r, 2, &note, Some(&wrap))?;
        }
    }
    Ok(())
}

/// Writes the XLSX file units fill in with their indicator counts: sheet
/// "Số liệu chỉ tiêu", one row per unit and indicator (units in the given
/// order, each with every indicator), with the indicator's name and what its
/// numerator and denominator count beside the empty "Tử số" and "Mẫu số"
/// cells. [`parse_indicator_values`] reads the filled-in file.
///
/// Fails only when XLSX cannot hold it (more than 1 048 575 rows, text over
/// 32 767 characters).
pub fn export_indicator_template(
    indicators: &[Indicator],
    unit_codes: &[impl AsRef<str>],
) -> Result<Vec<u8>, ExportError> {
    const INFO: [ColumnSpec; 7] = [
        VALUE_COLUMNS[0],
        VALUE_COLUMNS[1],
        col("Tên chỉ tiêu", "", false),
        VALUE_COLUMNS[2],
        VALUE_COLUMNS[3],
        col("Nội dung tử số", "", false),
        col("Nội dung mẫu số", "", false),
    ];
    let mut workbook = Workbook::new();
    let mut sheet = Sheet::new(
        &mut workbook,
        INDICATOR_VALUES_SHEET,
        &INFO,
        &[12.0, 12.0, 45.0, 12.0, 12.0, 35.0, 35.0],
        &[0, 1],
    )?;
    let rows = unit_codes.len().saturating_mul(indicators.len());
    if rows > 1_048_575 {
        return Err(ExportError::Writer(format!(
            "{rows} rows do not fit in one worksheet"
        )));
    }
    if rows > 0 {
        let last = u32::try_from(rows).map_err(|_| ExportError::Writer("too many rows".into()))?;
        for (c, min, hint) in [
            (3u16, 0, "Số nguyên từ 0 trở lên."),
            (4u16, 1, "Số nguyên lớn hơn 0."),
        ] {
            let v = DataValidation::new()
                .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(min))
                .set_input_message(hint)
                .and_then(|v| v.set_error_message(hint))
                .map_err(xlsx_err)?;
            sheet
                .ws
                .add_data_validation(1, c, last, c, &v)
                .map_err(xlsx_err)?;
        }
    }
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    let mut i = 0usize;
    for unit in unit_codes {
        for ind in indicators {
            let r = row_index(i)?;
            i += 1;
            sheet.literal(r, 0, unit.as_ref())?;
            sheet.literal(r, 1, &ind.code)?;
            sheet.text(r, 2, &ind.name, Some(&wrap))?;
            sheet.text(r, 5, &ind.numerator, Some(&wrap))?;
            sheet.text(r, 6, &ind.denominator, Some(&wrap))?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_err)
}

// ------------------------------------------------------------ cells

type Parsed<T> = Result<Option<T>, FieldError>;

/// The trimmed NFC text of a cell, `None` when empty.
fn cell_text(cell: &Cell) -> Parsed<String> {
    Ok(match cell {
        Cell::Empty => None,
        Cell::Text(s) => Some(clean(s)).filter(|s| !s.is_empty()),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Number(f) => Some(format_number(*f)),
        Cell::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Cell::Date { date, serial } => {
            Some(date.map_or_else(|| format_number(*serial), format_date))
        }
        Cell::Error(e) => return Err(FieldError::BadCell(e.clone())),
    })
}

/// Free text of at most `max` characters; line breaks and tabs are allowed
/// (long titles and guidance are often written on several lines).
fn free_text(cell: &Cell, max: usize) -> Parsed<String> {
    let Some(s) = cell_text(cell)? else {
        return Ok(None);
    };
    if s.chars().count() > max {
        Err(FieldError::TooLong { max })
    } else if s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(FieldError::BadText)
    } else {
        Ok(Some(s))
    }
}

fn code(cell: &Cell, max: usize) -> Parsed<String> {
    let Some(s) = cell_text(cell)? else {
        return Ok(None);
    };
    if s.chars().count() > max {
        Err(FieldError::TooLong { max })
    } else if !is_code_charset(&s) {
        Err(FieldError::BadCode(s))
    } else {
        Ok(Some(s))
    }
}

fn points(cell: &Cell) -> Parsed<Points> {
    let parsed = match cell {
        Cell::Int(i) => {
            #[allow(clippy::cast_precision_loss)] // out-of-range values are rejected anyway
            let f = *i as f64;
            Points::from_f64(f)
        }
        Cell::Number(f) => Points::from_f64(*f),
        Cell::Text(s) => {
            let s = clean(s);
            if s.is_empty() {
                return Ok(None);
            }
            Points::parse(&s)
        }
        Cell::Empty => return Ok(None),
        Cell::Error(e) => return Err(FieldError::BadCell(e.clone())),
        Cell::Bool(_) | Cell::Date { .. } => None,
    };
    match parsed {
        Some(p) => Ok(Some(p)),
        None => Err(FieldError::BadNumber(cell_text(cell)?.unwrap_or_default())),
    }
}

fn rate(cell: &Cell) -> Parsed<Rate> {
    let parsed = match cell {
        Cell::Text(s) => {
            let s = clean(s);
            if s.is_empty() {
                return Ok(None);
            }
            Rate::parse(&s)
        }
        // A number typed without `%` means percent, as in the text form.
        Cell::Int(_) | Cell::Number(_) => points(cell).ok().flatten().map(|p| Rate(p.0)),
        Cell::Empty => return Ok(None),
        Cell::Error(e) => return Err(FieldError::BadCell(e.clone())),
        Cell::Bool(_) | Cell::Date { .. } => None,
    };
    match parsed {
        Some(r) => Ok(Some(r)),
        None => Err(FieldError::BadRate(cell_text(cell)?.unwrap_or_default())),
    }
}

/// Digits, or digit groups of three after the first, separated by one kind
/// of thousands separator (`.`, `,`, space, no-break space).
fn parse_count_text(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 24 {
        return None;
    }
    let digits: String = match s.chars().find(|c| !c.is_ascii_digit()) {
        None => s.to_owned(),
        Some(sep) if matches!(sep, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}') => {
            let mut groups = s.split(sep);
            let first = groups.next()?;
            if first.is_empty() || first.len() > 3 {
                return None;
            }
            let mut out = first.to_owned();
            for g in groups {
                if g.len() != 3 {
                    return None;
                }
                out.push_str(g);
            }
            out
        }
        Some(_) => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn count(cell: &Cell) -> Parsed<i64> {
    let parsed = match cell {
        Cell::Empty => return Ok(None),
        Cell::Int(i) => Some(*i),
        Cell::Number(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() <= MAX_COUNT as f64 {
                #[allow(clippy::cast_possible_truncation)] // integral and bounded
                let i = *f as i64;
                Some(i)
            } else {
                None
            }
        }
        Cell::Text(s) => {
            let s = clean(s);
            if s.is_empty() {
                return Ok(None);
            }
            parse_count_text(&s)
        }
        Cell::Error(e) => return Err(FieldError::BadCell(e.clone())),
        Cell::Bool(_) | Cell::Date { .. } => None,
    };
    match parsed {
        Some(n) if (0..=MAX_COUNT).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::BadCount {
            value: cell_text(cell)?.unwrap_or_default(),
            max: MAX_COUNT,
        }),
    }
}

fn yes_no(cell: &Cell) -> Parsed<bool> {
    if let Cell::Bool(b) = cell {
        return Ok(Some(*b));
    }
    let Some(s) = cell_text(cell)? else {
        return Ok(None);
    };
    match parse_yes_no(&s) {
        Some(b) => Ok(Some(b)),
        None => Err(FieldError::BadChoice {
            key: "bad_yes_no",
            value: s,
            allowed: format!("{YES}; {NO}"),
        }),
    }
}

// ------------------------------------------------------------ errors

/// Row errors of a whole import, capped at [`MAX_ROW_ERRORS`].
#[derive(Default)]
struct Errors {
    list: Vec<RowError>,
    full: bool,
}

impl Errors {
    /// Records an error; `sheet` names the worksheet in the messages too
    /// when `prefix` is set (workbooks read from several sheets).
    fn push(&mut self, sheet: &str, prefix: bool, row: usize, column: &str, e: FieldError) {
        if self.full {
            return;
        }
        let e = if self.list.len() >= MAX_ROW_ERRORS {
            self.full = true;
            FieldError::TooManyErrors {
                limit: MAX_ROW_ERRORS,
            }
        } else {
            e
        };
        let mut err = e.into_row_error(row, column);
        err.sheet = sheet.to_owned();
        if prefix && !sheet.is_empty() {
            err.message_vi = format!("Trang tính \"{sheet}\": {}", err.message_vi);
            err.message_en = format!("Sheet \"{sheet}\": {}", err.message_en);
        }
        self.list.push(err);
    }

    fn len(&self) -> usize {
        self.list.len()
    }
}

/// Reading one row: cell getters that record their errors.
struct RowReader<'a> {
    sheet: &'a str,
    prefix: bool,
    row: &'a Row,
    errors: &'a mut Errors,
    before: usize,
}

impl<'a> RowReader<'a> {
    fn new(sheet: &'a str, prefix: bool, row: &'a Row, errors: &'a mut Errors) -> Self {
        let before = errors.len();
        RowReader {
            sheet,
            prefix,
            row,
            errors,
            before,
        }
    }

    fn ok(&self) -> bool {
        self.errors.len() == self.before
    }

    fn error(&mut self, col: &Col, e: FieldError) {
        let header = col.as_ref().map_or("", |(_, h)| h.as_str());
        self.errors
            .push(self.sheet, self.prefix, self.row.number, header, e);
    }

    fn cell(&self, col: &Col) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        match col {
            Some((c, _)) => self.row.get(*c),
            None => &EMPTY,
        }
    }

    fn is_empty(&self, col: &Col) -> bool {
        match self.cell(col) {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// Reads a cell with `parse`; a missing required value is an error.
    fn get<T>(
        &mut self,
        col: &Col,
        required: bool,
        parse: impl Fn(&Cell) -> Parsed<T>,
    ) -> Option<T> {
        match parse(self.cell(col)) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if required {
                    self.error(col, FieldError::Required);
                }
                None
            }
            Err(e) => {
                self.error(col, e);
                None
            }
        }
    }
}

/// The header and data rows of one scheme sheet, or `None` (with errors
/// recorded) when the header lacks required columns. An empty sheet has no
/// columns and no rows.
fn sheet_rows<const N: usize>(
    table: Option<Table>,
    sheet: &str,
    specs: &[ColumnSpec; N],
    errors: &mut Errors,
) -> Option<([Col; N], Vec<Row>, usize)> {
    let Some(table) = table else {
        return Some((std::array::from_fn(|_| None), Vec::new(), 1));
    };
    let mut table = table.locate_header(|row| has_required(row, specs));
    let (cols, missing) = map_columns(&table.header, specs);
    if !missing.is_empty() {
        for m in missing {
            errors.push(
                sheet,
                true,
                table.header.number,
                &m,
                FieldError::MissingColumn,
            );
        }
        return None;
    }
    table.rows.retain(|row| {
        cols.iter()
            .flatten()
            .any(|(c, _)| *row.get(*c) != Cell::Empty)
    });
    // An optional column that is absent reads as empty cells; naming it lets
    // errors such as "required for this type" say which column is meant.
    let cols = std::array::from_fn(|i| match (&cols[i], specs.get(i)) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(spec)) => Some((usize::MAX, spec.vi.to_owned())),
        (None, None) => None,
    });
    Some((cols, table.rows, table.header.number))
}

// ------------------------------------------------------------ scheme import

/// Reads a criteria scheme from the XLSX workbook [`export_scheme`] writes
/// (or one edited by hand after it).
///
/// The sheets "Tiêu chí", "Xếp loại" and "Chung" are required, "Chỉ tiêu"
/// is optional. All-or-nothing: any problem yields [`ImportError::Rows`]
/// with every problem found, each naming its sheet (field
/// [`RowError::sheet`] and the start of the messages), row and column. The
/// result still has to pass `Compiled::new`.
pub fn parse_scheme(bytes: &[u8]) -> Result<Scheme, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            limit: MAX_IMPORT_BYTES,
        });
    }
    if Format::detect(bytes) != Format::Xlsx {
        return Err(if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            legacy_xls()
        } else {
            ImportError::NotXlsx
        });
    }
    let names = [CRITERIA_SHEET, INDICATORS_SHEET, BANDS_SHEET, GENERAL_SHEET];
    let mut sheets = read_xlsx_sheets(bytes, &names)?.into_iter();
    let (criteria, indicators, bands, general) = (
        sheets.next().flatten(),
        sheets.next().flatten(),
        sheets.next().flatten(),
        sheets.next().flatten(),
    );
    let expected: Vec<String> = [
        (CRITERIA_SHEET, criteria.is_some()),
        (BANDS_SHEET, bands.is_some()),
        (GENERAL_SHEET, general.is_some()),
    ]
    .iter()
    .filter(|(_, found)| !found)
    .map(|(name, _)| (*name).to_owned())
    .collect();
    let (Some(criteria), Some(bands), Some(general)) = (criteria, bands, general) else {
        return Err(ImportError::MissingSheet { expected });
    };
    let mut errors = Errors::default();
    let (indicators, known) = match indicators {
        Some((name, table)) => parse_indicators(&name, table, &mut errors),
        None => (Vec::new(), HashSet::new()),
    };
    let criteria = parse_criteria(&criteria.0, criteria.1, &known, &mut errors);
    let bands = parse_bands(&bands.0, bands.1, &mut errors);
    let general = parse_general(&general.0, general.1, &mut errors);
    match (criteria, general) {
        (Some(criteria), Some(general)) if errors.list.is_empty() => Ok(Scheme {
            title: general.title,
            legal_basis: general.legal_basis,
            criteria,
            indicators,
            bonus_cap: general.bonus_cap,
            bands,
            tie_breaks: general.tie_breaks,
        }),
        _ => Err(ImportError::Rows(errors.list)),
    }
}

/// The indicators without errors, and every code the sheet names (so that
/// criteria are not also blamed for an indicator row that has a problem).
fn parse_indicators(
    sheet: &str,
    table: Option<Table>,
    errors: &mut Errors,
) -> (Vec<Indicator>, HashSet<String>) {
    let mut codes = HashSet::new();
    let Some((cols, rows, _)) = sheet_rows(table, sheet, &INDICATOR_COLUMNS, errors) else {
        return (Vec::new(), codes);
    };
    let [code_c, name_c, num_c, den_c, dir_c, target_c, basis_c] = cols;
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for row in &rows {
        let mut r = RowReader::new(sheet, true, row, errors);
        let code = r.get(&code_c, true, |c| code(c, MAX_CODE));
        if let Some(code) = &code {
            codes.insert(code.clone());
            if let Some(&first_row) = first_row.get(code) {
                r.error(
                    &code_c,
                    FieldError::DuplicateCode {
                        code: code.clone(),
                        first_row,
                    },
                );
            } else {
                first_row.insert(code.clone(), row.number);
            }
        }
        let name = r.get(&name_c, true, |c| free_text(c, MAX_TITLE));
        let numerator = r.get(&num_c, false, |c| free_text(c, MAX_TITLE));
        let denominator = r.get(&den_c, false, |c| free_text(c, MAX_TITLE));
        let direction = r.get(&dir_c, true, |c| {
            let Some(s) = cell_text(c)? else {
                return Ok(None);
            };
            parse_direction(&s)
                .map(Some)
                .ok_or_else(|| FieldError::BadChoice {
                    key: "bad_direction",
                    value: s,
                    allowed: format!("{DIRECTION_HIGHER}; {DIRECTION_LOWER}"),
                })
        });
        let target = r.get(&target_c, true, rate);
        let basis = r.get(&basis_c, false, |c| free_text(c, MAX_TITLE));
        if let (true, Some(code), Some(name), Some(direction), Some(target)) =
            (r.ok(), code, name, direction, target)
        {
            out.push(Indicator {
                code,
                name,
                numerator: numerator.unwrap_or_default(),
                denominator: denominator.unwrap_or_default(),
                direction,
                target,
                basis: basis.unwrap_or_default(),
            });
        }
    }
    (out, codes)
}

/// One row of the criteria sheet, before the tree is assembled.
struct Entry {
    row: usize,
    code: String,
    parent: Option<String>,
    kind: Kind,
    /// The node (a group without its items yet); `None` if the row has
    /// errors.
    node: Option<Node>,
    /// A group's maximum as written, checked against its items.
    group_max: Option<Points>,
}

fn parse_criteria(
    sheet: &str,
    table: Option<Table>,
    indicators: &HashSet<String>,
    errors: &mut Errors,
) -> Option<Vec<Node>> {
    let errors_before = errors.len();
    let (cols, rows, header_row) = sheet_rows(table, sheet, &CRITERIA_COLUMNS, errors)?;
    if rows.is_empty() {
        errors.push(sheet, true, header_row, "", FieldError::EmptySheet);
        return None;
    }
    let [code_c, parent_c, kind_c, title_c, max_c, per_c, ind_c, formula_c, evidence_c, guidance_c] =
        cols;
    let mut entries: Vec<Entry> = Vec::new();
    // Code -> index in `entries`.
    let mut index: HashMap<String, usize> = HashMap::new();
    // Code -> first row that has it, whatever else is wrong with that row.
    let mut first_rows: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let mut r = RowReader::new(sheet, true, row, errors);
        let code_v = r.get(&code_c, true, |c| code(c, MAX_CODE));
        let mut duplicate = false;
        if let Some(code_v) = &code_v {
            match first_rows.get(code_v) {
                Some(&first_row) => {
                    duplicate = true;
                    r.error(
                        &code_c,
                        FieldError::DuplicateCode {
                            code: code_v.clone(),
                            first_row,
                        },
                    );
                }
                None => {
                    first_rows.insert(code_v.clone(), row.number);
                }
            }
        }
        let parent = r.get(&parent_c, false, |c| code(c, MAX_CODE));
        let kind = r.get(&kind_c, true, |c| {
            let Some(s) = cell_text(c)? else {
                return Ok(None);
            };
            Kind::parse(&s)
                .map(Some)
                .ok_or_else(|| FieldError::BadChoice {
                    key: "bad_type",
                    value: s,
                    allowed: KINDS
                        .iter()
                        .map(|(_, vi, _)| *vi)
                        .collect::<Vec<_>>()
                        .join("; "),
                })
        });
        let title = r.get(&title_c, true, |c| free_text(c, MAX_TITLE));
        let guidance = r
            .get(&guidance_c, false, |c| free_text(c, GUIDANCE_MAX))
            .unwrap_or_default();
        // Without a type the other cells cannot be judged.
        let Some(kind) = kind else {
            continue;
        };
        let label = kind.label();
        // Which of the type-specific columns (indexes into CRITERIA_COLUMNS:
        // 4 maximum, 5 per occurrence, 6 indicator, 7 formula, 8 evidence)
        // a type uses.
        let uses = |c: usize| match kind {
            Kind::Group => matches!(c, 4),
            Kind::Manual => matches!(c, 4 | 8),
            Kind::Indicator => matches!(c, 4 | 6 | 7),
            Kind::Bonus => matches!(c, 4),
            Kind::Deduction => matches!(c, 4 | 5),
        };
        let max = r.get(&max_c, kind != Kind::Group, points);
        // Whether to read a type-specific column; a value in a column the
        // type does not use is an error.
        let applies = |r: &mut RowReader<'_>, c: usize, col: &Col| {
            if !uses(c) && !r.is_empty(col) {
                r.error(col, FieldError::NotApplicable { type_label: label });
                false
            } else {
                uses(c)
            }
        };
        let per = if applies(&mut r, 5, &per_c) {
            r.get(&per_c, true, points)
        } else {
            None
        };
        let indicator = if applies(&mut r, 6, &ind_c) {
            r.get(&ind_c, true, |c| code(c, MAX_CODE))
        } else {
            None
        };
        if let Some(ind) = &indicator {
            if !indicators.contains(ind) {
                r.error(&ind_c, FieldError::UnknownIndicator(ind.clone()));
            }
        }
        let formula = if applies(&mut r, 7, &formula_c) {
            r.get(&formula_c, true, |c| {
                let Some(s) = cell_text(c)? else {
                    return Ok(None);
                };
                parse_formula(&s).map(Some).ok_or(FieldError::BadFormula(s))
            })
        } else {
            None
        };
        // "không" is the default and harmless anywhere; "có" only on manual rows.
        let evidence = r.get(&evidence_c, false, yes_no);
        if evidence == Some(true) && !uses(8) {
            r.error(&evidence_c, FieldError::NotApplicable { type_label: label });
        }
        let Some(code_v) = code_v else {
            continue;
        };
        if parent.as_deref() == Some(code_v.as_str()) {
            r.error(&parent_c, FieldError::CriterionSelfParent);
        }
        if duplicate {
            continue;
        }
        let ok = r.ok();
        let node = match (ok, kind, title) {
            (false, _, _) | (_, _, None) => None,
            (true, Kind::Group, Some(title)) => Some(Node::Group {
                code: code_v.clone(),
                title,
                guidance,
                items: Vec::new(),
            }),
            (true, Kind::Manual, Some(title)) => max.map(|max| Node::Manual {
                code: code_v.clone(),
                title,
                guidance,
                max,
                evidence_required: evidence.unwrap_or(false),
            }),
            (true, Kind::Indicator, Some(title)) => match (max, indicator, formula) {
                (Some(max), Some(indicator), Some(formula)) => Some(Node::Indicator {
                    code: code_v.clone(),
                    title,
                    guidance,
                    max,
                    indicator,
                    formula,
                }),
                _ => None,
            },
            (true, Kind::Bonus, Some(title)) => max.map(|max| Node::Bonus {
                code: code_v.clone(),
                title,
                guidance,
                max,
            }),
            (true, Kind::Deduction, Some(title)) => match (max, per) {
                (Some(max), Some(per_occurrence)) => Some(Node::Deduction {
                    code: code_v.clone(),
                    title,
                    guidance,
                    max,
                    per_occurrence,
                }),
                _ => None,
            },
        };
        index.insert(code_v.clone(), entries.len());
        entries.push(Entry {
            row: row.number,
            code: code_v,
            parent,
            kind,
            node,
            group_max: if kind == Kind::Group { max } else { None },
        });
    }

    // Parent links, depths and children.
    let n = entries.len();
    let mut parent_of: Vec<Option<usize>> = vec![None; n];
    let mut depth: Vec<usize> = vec![0; n];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots: Vec<usize> = Vec::new();
    for i in 0..n {
        let (row, parent) = (entries[i].row, entries[i].parent.clone());
        let header = parent_c.as_ref().map_or("", |(_, h)| h.as_str()).to_owned();
        let Some(p) = parent else {
            roots.push(i);
            continue;
        };
        if p == entries[i].code {
            continue; // already reported
        }
        match index.get(&p).copied() {
            Some(j) if j < i => {
                if entries[j].kind != Kind::Group {
                    errors.push(
                        sheet,
                        true,
                        row,
                        &header,
                        FieldError::ParentNotGroup {
                            code: p,
                            row: entries[j].row,
                        },
                    );
                    continue;
                }
                depth[i] = depth[j] + 1;
                if depth[i] >= MAX_DEPTH {
                    errors.push(
                        sheet,
                        true,
                        row,
                        &header,
                        FieldError::TooDeep { max: MAX_DEPTH },
                    );
                    continue;
                }
                parent_of[i] = Some(j);
                children[j].push(i);
            }
            Some(j) => errors.push(
                sheet,
                true,
                row,
                &header,
                FieldError::ParentLater {
                    code: p,
                    row: entries[j].row,
                },
            ),
            // Not an entry: its row has no valid type, or no such code.
            None => match first_rows.get(&p) {
                Some(&later) if later > row => errors.push(
                    sheet,
                    true,
                    row,
                    &header,
                    FieldError::ParentLater {
                        code: p,
                        row: later,
                    },
                ),
                // Defined on a row with errors of its own: reported there.
                Some(_) => {}
                None => errors.push(sheet, true, row, &header, FieldError::ParentNotFound(p)),
            },
        }
    }

    // Group maxima: children come after their parent, so a reverse pass
    // sees every child's sum before its parent.
    let mut sums: Vec<i64> = vec![0; n];
    for i in (0..n).rev() {
        if let Some(Node::Manual { max, .. } | Node::Indicator { max, .. }) = &entries[i].node {
            sums[i] = max.0;
        }
        if let Some(p) = parent_of[i] {
            sums[p] = sums[p].saturating_add(sums[i]);
        }
    }
    let sheet_clean = errors.len() == errors_before;
    let max_header = max_c.as_ref().map_or("", |(_, h)| h.as_str()).to_owned();
    for i in 0..n {
        if entries[i].kind != Kind::Group || entries[i].node.is_none() {
            continue;
        }
        if sheet_clean && children[i].is_empty() {
            errors.push(sheet, true, entries[i].row, "", FieldError::EmptyGroup);
        }
        if let Some(given) = entries[i].group_max {
            if sheet_clean && given.0 != sums[i] {
                errors.push(
                    sheet,
                    true,
                    entries[i].row,
                    &max_header,
                    FieldError::GroupMax {
                        expected: Points(sums[i]).to_string(),
                    },
                );
            }
        }
    }
    if errors.len() != errors_before || entries.iter().any(|e| e.node.is_none()) {
        return None;
    }

    // Assemble bottom-up: when row i is reached, its children are complete.
    let mut nodes: Vec<Option<Node>> = entries.into_iter().map(|e| e.node).collect();
    for i in (0..n).rev() {
        if children[i].is_empty() {
            continue;
        }
        let items: Vec<Node> = children[i]
            .iter()
            .filter_map(|&c| nodes.get_mut(c).and_then(Option::take))
            .collect();
        if let Some(Some(Node::Group { items: slot, .. })) = nodes.get_mut(i) {
            *slot = items;
        }
    }
    Some(
        roots
            .iter()
            .filter_map(|&r| nodes.get_mut(r).and_then(Option::take))
            .collect(),
    )
}

fn parse_bands(sheet: &str, table: Option<Table>, errors: &mut Errors) -> Vec<Band> {
    let Some((cols, rows, header_row)) = sheet_rows(table, sheet, &BAND_COLUMNS, errors) else {
        return Vec::new();
    };
    if rows.is_empty() {
        errors.push(sheet, true, header_row, "", FieldError::EmptySheet);
        return Vec::new();
    }
    let [key_c, label_c, min_c] = cols;
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for row in &rows {
        let mut r = RowReader::new(sheet, true, row, errors);
        let key = r.get(&key_c, true, |c| free_text(c, BAND_KEY_MAX));
        if let Some(key) = &key {
            if let Some(&first_row) = first_row.get(key) {
                r.error(
                    &key_c,
                    FieldError::DuplicateCode {
                        code: key.clone(),
                        first_row,
                    },
                );
            } else {
                first_row.insert(key.clone(), row.number);
            }
        }
        let label = r.get(&label_c, true, |c| free_text(c, MAX_TITLE));
        let min = r.get(&min_c, true, points);
        if let (true, Some(key), Some(label), Some(min)) = (r.ok(), key, label, min) {
            out.push(Band { key, label, min });
        }
    }
    out
}

struct General {
    title: String,
    legal_basis: String,
    bonus_cap: Points,
    tie_breaks: Vec<TieBreak>,
}

fn parse_general(sheet: &str, table: Option<Table>, errors: &mut Errors) -> Option<General> {
    let errors_before = errors.len();
    let (cols, rows, header_row) = sheet_rows(table, sheet, &GENERAL_COLUMNS, errors)?;
    let [item_c, value_c, _] = cols;
    let mut seen: HashMap<Item, usize> = HashMap::new();
    let mut general = General {
        title: String::new(),
        legal_basis: String::new(),
        bonus_cap: Points::ZERO,
        tie_breaks: Vec::new(),
    };
    for row in &rows {
        let mut r = RowReader::new(sheet, true, row, errors);
        let item = r.get(&item_c, true, |c| {
            let Some(s) = cell_text(c)? else {
                return Ok(None);
            };
            parse_item(&s)
                .map(Some)
                .ok_or_else(|| FieldError::BadChoice {
                    key: "bad_item",
                    value: s,
                    allowed: ITEMS
                        .iter()
                        .map(|(_, vi, _)| *vi)
                        .collect::<Vec<_>>()
                        .join("; "),
                })
        });
        let Some(item) = item else {
            continue;
        };
        if item != Item::TieBreak {
            if let Some(&first_row) = seen.get(&item) {
                r.error(&item_c, FieldError::DuplicateItem { first_row });
                continue;
            }
            seen.insert(item, row.number);
        }
        match item {
            Item::Title => {
                if let Some(t) = r.get(&value_c, true, |c| free_text(c, MAX_TITLE)) {
                    general.title = t;
                }
            }
            Item::LegalBasis => {
                if let Some(t) = r.get(&value_c, false, |c| free_text(c, MAX_TITLE)) {
                    general.legal_basis = t;
                }
            }
            Item::BonusCap => {
                if let Some(p) = r.get(&value_c, false, points) {
                    general.bonus_cap = p;
                }
            }
            Item::TieBreak => {
                let t = r.get(&value_c, false, |c| {
                    let Some(s) = cell_text(c)? else {
                        return Ok(None);
                    };
                    parse_tie_break(&s)
                        .map(Some)
                        .ok_or_else(|| FieldError::BadChoice {
                            key: "bad_tie_break",
                            value: s,
                            allowed: format!(
                                "\"Điểm mục <mã> cao hơn\"; \"{TIE_FEWER_DEDUCTIONS}\"; \"{TIE_HIGHER_BASE}\""
                            ),
                        })
                });
                if let Some(t) = t {
                    general.tie_breaks.push(t);
                }
            }
        }
    }
    if !seen.contains_key(&Item::Title) {
        let header = item_c.as_ref().map_or("", |(_, h)| h.as_str()).to_owned();
        errors.push(
            sheet,
            true,
            header_row,
            &header,
            FieldError::MissingItem { item: ITEM_TITLE },
        );
    }
    (errors.len() == errors_before).then_some(general)
}

// ------------------------------------------------------------ indicator values

/// One row of an indicator counts file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorRow {
    /// 1-based row number as the spreadsheet shows it (CSV: the line).
    pub row: usize,
    /// Unit code, as in the unit registry.
    pub unit_code: String,
    /// Indicator code, as in the scheme.
    pub indicator_code: String,
    /// The counts; the denominator is never zero.
    pub counts: Counts,
}

/// Parses an indicator counts file (XLSX or CSV, see [`Format::detect`]) with
/// the columns "Mã đơn vị", "Mã chỉ tiêu", "Tử số" and "Mẫu số" (or
/// `unit_code`, `indicator_code`, `numerator`, `denominator`); other columns
/// are ignored. An XLSX file is read from the sheet "Số liệu chỉ tiêu", else
/// from its first sheet, streamed row by row.
///
/// All-or-nothing: a missing cell, a count that is negative, not whole or
/// above [`MAX_COUNT`], a zero denominator, a bad code or a unit and
/// indicator given twice yields [`ImportError::Rows`] with the problems
/// found, at most [`MAX_ROW_ERRORS`] of them. Whether the codes exist is for
/// the caller to check.
pub fn parse_indicator_values(bytes: &[u8]) -> Result<Vec<IndicatorRow>, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            limit: MAX_IMPORT_BYTES,
        });
    }
    let sink = match Format::detect(bytes) {
        Format::Xlsx => stream_xlsx(bytes, INDICATOR_VALUES_SHEET, &ValuesSink::new)?,
        Format::Csv if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => return Err(legacy_xls()),
        Format::Csv => {
            let table = read_csv(bytes)?;
            let mut sink = ValuesSink::new("", true);
            replay(table, &mut sink);
            sink
        }
    };
    sink.finish()
}

/// Builds the indicator rows as the rows stream in.
struct ValuesSink {
    /// Sheet name for error reports; empty for CSV.
    sheet: String,
    /// Whether the sheet was found by name (else it is the first sheet,
    /// taken only if it has the expected header).
    named: bool,
    /// Rows seen before the header was found.
    pending: Vec<Row>,
    cols: Option<[Col; 4]>,
    fatal: Option<ImportError>,
    data_rows: usize,
    errors: Errors,
    records: Vec<IndicatorRow>,
    first_row: HashMap<(String, String), usize>,
}

impl ValuesSink {
    fn new(sheet: &str, named: bool) -> ValuesSink {
        ValuesSink {
            sheet: sheet.to_owned(),
            named,
            pending: Vec::new(),
            cols: None,
            fatal: None,
            data_rows: 0,
            errors: Errors::default(),
            records: Vec::new(),
            first_row: HashMap::new(),
        }
    }

    /// The error when no header was found among the first rows.
    fn no_header(&self) -> ImportError {
        match self.pending.first() {
            Some(first) if self.named => {
                ImportError::MissingColumns(map_columns(first, &VALUE_COLUMNS).1)
            }
            None if self.named => ImportError::Empty,
            _ => ImportError::MissingSheet {
                expected: vec![INDICATOR_VALUES_SHEET.to_owned()],
            },
        }
    }

    fn data(&mut self, cols: &[Col; 4], row: &Row) -> ControlFlow<()> {
        let [unit_c, ind_c, num_c, den_c] = cols;
        if cols
            .iter()
            .flatten()
            .all(|(c, _)| *row.get(*c) == Cell::Empty)
        {
            return ControlFlow::Continue(());
        }
        self.data_rows += 1;
        let mut r = RowReader::new(&self.sheet, false, row, &mut self.errors);
        let unit = r.get(unit_c, true, |c| code(c, CODE_MAX));
        let indicator = r.get(ind_c, true, |c| code(c, MAX_CODE));
        let numerator = r.get(num_c, true, count);
        let denominator = r.get(den_c, true, count);
        if denominator == Some(0) {
            r.error(den_c, FieldError::ZeroDenominator);
        }
        if let (Some(unit), Some(indicator)) = (&unit, &indicator) {
            // Look up before inserting: most rows are new, and cloning the
            // key only then keeps the common path cheap.
            let key = (unit.clone(), indicator.clone());
            match self.first_row.get(&key) {
                Some(&first_row) => r.error(ind_c, FieldError::DuplicateRow { first_row }),
                None => {
                    self.first_row.insert(key, row.number);
                }
            }
        }
        if let (true, Some(unit_code), Some(indicator_code), Some(numerator), Some(denominator)) =
            (r.ok(), unit, indicator, numerator, denominator)
        {
            self.records.push(IndicatorRow {
                row: row.number,
                unit_code,
                indicator_code,
                counts: Counts {
                    numerator,
                    denominator,
                },
            });
        }
        if self.errors.full {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finish(self) -> Result<Vec<IndicatorRow>, ImportError> {
        if let Some(e) = self.fatal {
            return Err(e);
        }
        if self.cols.is_none() {
            return Err(self.no_header());
        }
        if self.data_rows == 0 {
            return Err(ImportError::Empty);
        }
        if self.errors.list.is_empty() {
            Ok(self.records)
        } else {
            Err(ImportError::Rows(self.errors.list))
        }
    }
}

impl RowSink for ValuesSink {
    fn row(&mut self, row: Row) -> ControlFlow<()> {
        if let Some(cols) = self.cols.take() {
            let flow = self.data(&cols, &row);
            self.cols = Some(cols);
            return flow;
        }
        if has_required(&row, &VALUE_COLUMNS) {
            let (cols, missing) = map_columns(&row, &VALUE_COLUMNS);
            if !missing.is_empty() {
                self.fatal = Some(ImportError::MissingColumns(missing));
                return ControlFlow::Break(());
            }
            self.pending.clear();
            self.cols = Some(cols);
            return ControlFlow::Continue(());
        }
        self.pending.push(row);
        if self.pending.len() >= HEADER_SEARCH_ROWS {
            self.fatal = Some(self.no_header());
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_read_back() {
        let cases = [
            Formula::Linear {
                zero_at: Rate(7000),
                full_at: Rate(9050),
            },
            Formula::Linear {
                zero_at: Rate(2000),
                full_at: Rate(0),
            },
            Formula::Steps {
                steps: vec![
                    Step {
                        at: Rate(500),
                        points: Points(1000),
                    },
                    Step {
                        at: Rate(1025),
                        points: Points(250),
                    },
                ],
            },
            Formula::Steps { steps: vec![] },
            Formula::PassFail,
        ];
        for f in cases {
            let text = formula_text(&f);
            assert_eq!(parse_formula(&text), Some(f), "{text}");
        }
        assert_eq!(
            formula_text(&Formula::Linear {
                zero_at: Rate(7000),
                full_at: Rate(9000)
            }),
            "tuyến tính 70%→90%"
        );
        assert_eq!(
            parse_formula("Linear 70 -> 90.5"),
            Some(Formula::Linear {
                zero_at: Rate(7000),
                full_at: Rate(9050)
            })
        );
        assert_eq!(
            parse_formula("tuyen tinh: 70% - 90%"),
            Some(Formula::Linear {
                zero_at: Rate(7000),
                full_at: Rate(9000)
            })
        );
        assert_eq!(
            parse_formula("Bậc 5%:10;10% : 5;"),
            Some(Formula::Steps {
                steps: vec![
                    Step {
                        at: Rate(500),
                        points: Points(1000)
                    },
                    Step {
                        at: Rate(1000),
                        points: Points(500)
                    }
                ]
            })
        );
        assert_eq!(parse_formula("Đạt / Không đạt"), Some(Formula::PassFail));
        assert_eq!(parse_formula("pass-fail"), Some(Formula::PassFail));
        for bad in [
            "",
            "tuyến tính 70%",
            "tuyến tính 70%→x",
            "bậc 5%",
            "bậc 5%:10:3",
            "bậc 5%:1,255",
            "đạt/không đạt 5",
            "=1+1",
            "script 1",
        ] {
            assert_eq!(parse_formula(bad), None, "{bad}");
        }
    }

    #[test]
    fn tie_breaks_read_back() {
        for t in [
            TieBreak::Section { code: "I.2".into() },
            TieBreak::FewerDeductions,
            TieBreak::HigherBase,
        ] {
            assert_eq!(parse_tie_break(&tie_break_text(&t)), Some(t));
        }
        assert_eq!(
            parse_tie_break("section II"),
            Some(TieBreak::Section { code: "II".into() })
        );
        assert_eq!(
            parse_tie_break("it diem tru hon"),
            Some(TieBreak::FewerDeductions)
        );
        assert_eq!(parse_tie_break("Điểm mục Một Hai cao hơn"), None);
        assert_eq!(parse_tie_break("Điểm mục I thấp hơn"), None);
    }

    #[test]
    fn counts_in_text() {
        assert_eq!(parse_count_text("1234"), Some(1234));
        assert_eq!(parse_count_text("1.234"), Some(1234));
        assert_eq!(parse_count_text("1,234,567"), Some(1_234_567));
        assert_eq!(parse_count_text("12 500"), Some(12_500));
        assert_eq!(parse_count_text("0"), Some(0));
        for bad in [
            "",
            "1.5",
            "1,5",
            "1.2345",
            "1.234,567",
            "-3",
            "+3",
            "1e3",
            "12.",
            ".5",
            "1..234",
            "abc",
            "1 234.567",
        ] {
            assert_eq!(parse_count_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells() {
        assert_eq!(count(&Cell::Number(12.0)).ok(), Some(Some(12)));
        assert!(count(&Cell::Number(12.5)).is_err());
        assert!(count(&Cell::Int(-1)).is_err());
        assert!(count(&Cell::Number(1e13)).is_err());
        assert_eq!(count(&Cell::Text("  ".into())).ok(), Some(None));
        assert_eq!(
            points(&Cell::Text("7,25".into())).ok(),
            Some(Some(Points(725)))
        );
        assert_eq!(points(&Cell::Number(7.25)).ok(), Some(Some(Points(725))));
        assert!(points(&Cell::Text("1.000".into())).is_err());
        assert!(points(&Cell::Bool(true)).is_err());
        assert_eq!(
            rate(&Cell::Text("90,5 %".into())).ok(),
            Some(Some(Rate(9050)))
        );
        assert_eq!(rate(&Cell::Int(90)).ok(), Some(Some(Rate(9000))));
        assert_eq!(yes_no(&Cell::Text("Có".into())).ok(), Some(Some(true)));
        assert_eq!(yes_no(&Cell::Bool(false)).ok(), Some(Some(false)));
        assert!(yes_no(&Cell::Text("có lẽ".into())).is_err());
    }
}
