//! Reading CSV and XLSX input into a uniform, sparse table of cells.

use std::io::Cursor;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use chrono::NaiveDate;

use crate::error::{Bound, ImportError};
use crate::limits::{check_xlsx, MAX_ROWS, MAX_TEXT_BYTES};
use crate::text::{
    csv_unguard, decode_ooxml_escapes, fold, format_date, format_number, in_date_range,
};

/// Columns at or beyond this (0-based) index are ignored in XLSX input.
const MAX_COLUMNS: u32 = 256;
/// Leading rows searched for the header row.
pub(crate) const HEADER_SEARCH_ROWS: usize = 10;
/// Non-empty cells kept from one worksheet before giving up.
const MAX_CELLS: usize = 2_000_000;
/// Cells (empty ones included) read from one worksheet before giving up;
/// bounds the work a decompression bomb can cause.
const MAX_CELLS_SEEN: usize = 20_000_000;

/// One cell value, independent of the source format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    /// A date-formatted XLSX cell. `date` is `None` when the serial value is
    /// not a date in 1900..=9999.
    Date {
        date: Option<NaiveDate>,
        serial: f64,
    },
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

static EMPTY: Cell = Cell::Empty;

impl Cell {
    /// Plain text rendering, used for header cells.
    pub(crate) fn plain_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::Number(f) => format_number(*f),
            Cell::Date { date, serial } => date.map_or_else(|| format_number(*serial), format_date),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A non-empty row: its 1-based spreadsheet row number and its non-empty
/// cells, sorted by 0-based column.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) number: usize,
    cells: Vec<(usize, Cell)>,
}

impl Row {
    /// The cell in 0-based column `col` (empty if there is none).
    pub(crate) fn get(&self, col: usize) -> &Cell {
        match self.cells.binary_search_by_key(&col, |(c, _)| *c) {
            Ok(i) => self.cells.get(i).map_or(&EMPTY, |(_, cell)| cell),
            Err(_) => &EMPTY,
        }
    }

    /// Folded texts of the non-empty cells with their 0-based column and
    /// trimmed original text (for header rows).
    pub(crate) fn folded_cells(&self) -> impl Iterator<Item = (usize, String, String)> + '_ {
        self.cells.iter().map(|(c, cell)| {
            let raw = cell.plain_text();
            (*c, fold(&raw), raw)
        })
    }
}

/// The header row and the non-empty rows below it.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) header: Row,
    pub(crate) rows: Vec<Row>,
}

impl Table {
    /// Builds a table from non-empty rows in sheet order; the first is the
    /// header. `None` when there are no rows at all.
    fn from_rows(rows: Vec<Row>) -> Option<Table> {
        let mut rows = rows.into_iter();
        let header = rows.next()?;
        Some(Table {
            header,
            rows: rows.collect(),
        })
    }

    /// The header and the rows that may hold the real header instead (title
    /// rows above the header are common in official spreadsheets).
    pub(crate) fn header_candidates(&self) -> impl Iterator<Item = &Row> {
        std::iter::once(&self.header).chain(self.rows.iter().take(HEADER_SEARCH_ROWS - 1))
    }

    /// Makes the first header candidate for which `is_header` holds the
    /// header, dropping the rows above it. Unchanged if none qualifies.
    pub(crate) fn locate_header(self, is_header: impl Fn(&Row) -> bool) -> Table {
        if is_header(&self.header) {
            return self;
        }
        let found = self
            .rows
            .iter()
            .take(HEADER_SEARCH_ROWS - 1)
            .position(&is_header);
        let Some(index) = found else {
            return self;
        };
        let mut rows = self.rows.into_iter().skip(index);
        match rows.next() {
            Some(header) => Table {
                header,
                rows: rows.collect(),
            },
            // Unreachable: `index` is a valid position.
            None => Table {
                header: self.header,
                rows: Vec::new(),
            },
        }
    }
}

/// Receives the non-empty rows of a sheet, in order, one at a time.
pub(crate) trait RowSink {
    /// Takes the next row; `Break` stops reading (e.g. after a fatal error).
    fn row(&mut self, row: Row) -> ControlFlow<()>;
}

/// Feeds the rows of an already read table (header first) to a sink.
pub(crate) fn replay(table: Option<Table>, sink: &mut dyn RowSink) {
    if let Some(t) = table {
        for row in std::iter::once(t.header).chain(t.rows) {
            if sink.row(row).is_break() {
                break;
            }
        }
    }
}

// ---------------------------------------------------------------- CSV

/// Reads a CSV file (UTF-8, optional BOM, `,` `;` or tab delimiter).
pub(crate) fn read_csv(bytes: &[u8]) -> Result<Option<Table>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::BadEncoding)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    if lines.peek().is_none() {
        return Ok(None);
    }
    // The header line decides; title lines above it usually have no delimiter.
    let delimiter = lines
        .take(HEADER_SEARCH_ROWS)
        .find_map(sniff_delimiter)
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let bytes = text.as_bytes();
    // The csv crate reports where it *started* looking for a record, before
    // skipping blank lines, so line numbers are counted here instead.
    let (mut offset, mut line) = (0usize, 1usize);
    for record in reader.records() {
        // Reading from an in-memory, already validated UTF-8 buffer cannot
        // fail except on encoding, so that is what any error is reported as.
        let record = record.map_err(|_| ImportError::BadEncoding)?;
        let mut start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(offset)
            .max(offset);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += count_line_breaks(bytes.get(offset..start).unwrap_or_default());
        offset = start;
        let number = line;
        let cells: Vec<(usize, Cell)> = record
            .iter()
            .enumerate()
            .filter_map(|(col, field)| {
                let field = field.trim();
                (!field.is_empty()).then(|| (col, Cell::Text(csv_unguard(field).to_owned())))
            })
            .collect();
        if !cells.is_empty() {
            if rows.len() > MAX_ROWS {
                return Err(ImportError::TooMuch {
                    what: Bound::Rows,
                    limit: MAX_ROWS as u64,
                });
            }
            rows.push(Row { number, cells });
        }
    }
    Ok(Table::from_rows(rows))
}

/// Counts line breaks (`\n`, `\r\n` or a lone `\r`).
fn count_line_breaks(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        match b {
            b'\n' => count += 1,
            b'\r' => {
                count += 1;
                if iter.peek() == Some(&&b'\n') {
                    iter.next();
                }
            }
            _ => {}
        }
    }
    count
}

/// Picks the delimiter that occurs most often (outside quotes) in a line;
/// ties go to the comma. `None` if the line has none.
fn sniff_delimiter(line: &str) -> Option<u8> {
    let (mut comma, mut semicolon, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semicolon += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if comma == 0 && semicolon == 0 && tab == 0 {
        None
    } else if semicolon > comma && semicolon >= tab {
        Some(b';')
    } else if tab > comma && tab > semicolon {
        Some(b'\t')
    } else {
        Some(b',')
    }
}

// ---------------------------------------------------------------- XLSX

/// Reads the worksheet called `sheet` (exact name, else folded name), else the
/// first worksheet if `accept_first` likes its header, else fails with
/// [`ImportError::MissingSheet`].
pub(crate) fn read_xlsx(
    bytes: &[u8],
    sheet: &str,
    accept_first: &dyn Fn(&Table) -> bool,
) -> Result<Option<Table>, ImportError> {
    with_workbook(bytes, |workbook| {
        read_xlsx_inner(workbook, sheet, accept_first)
    })
}

/// The error for an Excel 97-2003 (`.xls`, OLE2) file.
pub(crate) fn legacy_xls() -> ImportError {
    ImportError::BadSpreadsheet(
        "Excel 97-2003 (.xls) files are not supported; save the file as .xlsx / \
         không hỗ trợ tệp .xls, hãy lưu lại dưới dạng .xlsx"
            .to_owned(),
    )
}

/// The sheet called `sheet`: exact name first, else the folded name.
fn find_sheet<'a>(names: &'a [String], sheet: &str) -> Option<&'a String> {
    let wanted = fold(sheet);
    names
        .iter()
        .find(|n| n.as_str() == sheet)
        .or_else(|| names.iter().find(|n| fold(n) == wanted))
}

/// Runs `f` on `bytes` opened as a workbook. calamine is not hardened
/// against hostile input (e.g. integer overflow on absurd cell references
/// panics in debug builds): a panic becomes [`ImportError::BadSpreadsheet`]
/// rather than escaping to the caller.
fn with_workbook<T>(
    bytes: &[u8],
    f: impl FnOnce(&mut Xlsx<Cursor<&[u8]>>) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(legacy_xls());
    }
    // Before calamine reads the shared strings whole: a bomb is refused unread.
    check_xlsx(bytes)?;
    catch_unwind(AssertUnwindSafe(|| {
        let mut workbook: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(bad_spreadsheet)?;
        f(&mut workbook)
    }))
    .unwrap_or_else(|_| {
        Err(ImportError::BadSpreadsheet(
            "the workbook structure is invalid".to_owned(),
        ))
    })
}

/// A worksheet read whole: its name as the workbook spells it, and its
/// table (`None` when the sheet is empty).
pub(crate) type NamedSheet = (String, Option<Table>);

/// Reads several worksheets by name (exact, else folded). An entry is `None`
/// when the workbook has no such sheet.
pub(crate) fn read_xlsx_sheets(
    bytes: &[u8],
    sheets: &[&str],
) -> Result<Vec<Option<NamedSheet>>, ImportError> {
    with_workbook(bytes, |workbook| {
        let names = workbook.sheet_names();
        let mut out = Vec::with_capacity(sheets.len());
        for sheet in sheets {
            match find_sheet(&names, sheet) {
                Some(name) => {
                    let table = read_sheet(workbook, name).map_err(SheetError::into_import)?;
                    out.push(Some((name.clone(), table)));
                }
                None => out.push(None),
            }
        }
        Ok(out)
    })
}

/// Streams the worksheet called `sheet` (exact, else folded name; else the
/// first worksheet) row by row into a sink made by `make(sheet_name,
/// named)`, where `named` tells whether the sheet was found by its name.
///
/// Rows are handed over as soon as they are complete, so memory stays flat
/// however long the sheet is. The file format lets cells come in any order;
/// should they not come row by row, column by column, the sheet is read
/// whole, sorted and replayed into a fresh sink instead.
pub(crate) fn stream_xlsx<S: RowSink>(
    bytes: &[u8],
    sheet: &str,
    make: &dyn Fn(&str, bool) -> S,
) -> Result<S, ImportError> {
    with_workbook(bytes, |workbook| {
        let names = workbook.sheet_names();
        let (name, named) = match find_sheet(&names, sheet) {
            Some(name) => (name.clone(), true),
            None => match names.first() {
                Some(first) => (first.clone(), false),
                None => {
                    return Err(ImportError::MissingSheet {
                        expected: vec![sheet.to_owned()],
                    })
                }
            },
        };
        let fail = |e: SheetError| match e {
            // A first sheet that cannot be read is not the sheet we want.
            SheetError::Xlsx(_) if !named => ImportError::MissingSheet {
                expected: vec![sheet.to_owned()],
            },
            e => e.into_import(),
        };
        let mut sink = make(&name, named);
        if stream_sheet(workbook, &name, &mut sink).map_err(fail)? {
            return Ok(sink);
        }
        let table = read_sheet(workbook, &name).map_err(fail)?;
        let mut sink = make(&name, named);
        replay(table, &mut sink);
        Ok(sink)
    })
}

/// Streams one worksheet into `sink`. `Ok(false)` when the cells are not in
/// row-major order (the caller then reads the sheet whole).
fn stream_sheet(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    sink: &mut dyn RowSink,
) -> Result<bool, SheetError> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(SheetError::Xlsx)?;
    let (mut seen, mut kept) = (0usize, 0usize);
    let mut budget = Budget::default();
    let mut last: Option<(u32, u32)> = None;
    let mut current: Option<Row> = None;
    while let Some(cell) = reader.next_cell().map_err(SheetError::Xlsx)? {
        seen += 1;
        if seen > MAX_CELLS_SEEN {
            return Err(SheetError::TooManyCells);
        }
        let position = cell.get_position();
        if last.is_some_and(|l| position <= l) {
            return Ok(false);
        }
        last = Some(position);
        let (row, col) = position;
        if col >= MAX_COLUMNS {
            continue;
        }
        let value = convert(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        kept += 1;
        if kept > MAX_CELLS {
            return Err(SheetError::TooManyCells);
        }
        budget.text(&value)?;
        let number = usize::try_from(row).map_or(usize::MAX, |r| r.saturating_add(1));
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        match &mut current {
            Some(r) if r.number == number => r.cells.push((col, value)),
            _ => {
                budget.row()?;
                let done = current.replace(Row {
                    number,
                    cells: vec![(col, value)],
                });
                if let Some(done) = done {
                    if sink.row(done).is_break() {
                        return Ok(true);
                    }
                }
            }
        }
    }
    if let Some(done) = current {
        let _ = sink.row(done);
    }
    Ok(true)
}

fn read_xlsx_inner(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    accept_first: &dyn Fn(&Table) -> bool,
) -> Result<Option<Table>, ImportError> {
    let names = workbook.sheet_names();
    let named = find_sheet(&names, sheet);
    if let Some(name) = named {
        let name = name.clone();
        return read_sheet(workbook, &name).map_err(SheetError::into_import);
    }
    if let Some(first) = names.first() {
        let first = first.clone();
        match read_sheet(workbook, &first) {
            Ok(Some(table)) if accept_first(&table) => return Ok(Some(table)),
            Ok(_) | Err(SheetError::Xlsx(_)) => {}
            Err(e @ (SheetError::TooManyCells | SheetError::Limit(..))) => {
                return Err(e.into_import())
            }
        }
    }
    Err(ImportError::MissingSheet {
        expected: vec![sheet.to_owned()],
    })
}

fn bad_spreadsheet(e: XlsxError) -> ImportError {
    ImportError::BadSpreadsheet(e.to_string())
}

enum SheetError {
    Xlsx(XlsxError),
    TooManyCells,
    /// A limit on rows or kept text.
    Limit(Bound, u64),
}

impl SheetError {
    fn into_import(self) -> ImportError {
        match self {
            SheetError::Xlsx(e) => bad_spreadsheet(e),
            SheetError::TooManyCells => ImportError::TooMuch {
                what: Bound::Cells,
                limit: MAX_CELLS as u64,
            },
            SheetError::Limit(what, limit) => ImportError::TooMuch { what, limit },
        }
    }
}

/// Rows and text kept from one sheet so far.
#[derive(Default)]
struct Budget {
    rows: usize,
    text: usize,
}

impl Budget {
    fn row(&mut self) -> Result<(), SheetError> {
        self.rows += 1;
        // The header row is not a data row.
        if self.rows > MAX_ROWS + 1 {
            return Err(SheetError::Limit(Bound::Rows, MAX_ROWS as u64));
        }
        Ok(())
    }

    fn text(&mut self, cell: &Cell) -> Result<(), SheetError> {
        if let Cell::Text(s) = cell {
            self.text = self.text.saturating_add(s.len());
            if self.text > MAX_TEXT_BYTES {
                return Err(SheetError::Limit(Bound::Text, MAX_TEXT_BYTES as u64));
            }
        }
        Ok(())
    }
}

/// Streams the cells of one worksheet into a sparse table. Streaming (rather
/// than `worksheet_range`) matters: a dense range sized from two far-apart
/// cells could need gigabytes.
fn read_sheet(workbook: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Option<Table>, SheetError> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(SheetError::Xlsx)?;
    let mut cells: Vec<(u32, u32, Cell)> = Vec::new();
    let mut budget = Budget::default();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(SheetError::Xlsx)? {
        seen += 1;
        if seen > MAX_CELLS_SEEN {
            return Err(SheetError::TooManyCells);
        }
        let (row, col) = cell.get_position();
        if col >= MAX_COLUMNS {
            continue;
        }
        let value = convert(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        if cells.len() >= MAX_CELLS {
            return Err(SheetError::TooManyCells);
        }
        budget.text(&value)?;
        cells.push((row, col, value));
    }
    // Cells normally arrive in order, but the file format does not promise it.
    cells.sort_by_key(|&(row, col, _)| (row, col));
    let mut rows: Vec<Row> = Vec::new();
    for (row, col, value) in cells {
        let number = usize::try_from(row).map_or(usize::MAX, |r| r.saturating_add(1));
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        match rows.last_mut() {
            Some(last) if last.number == number => match last.cells.last_mut() {
                // Duplicate cell reference: keep the later value.
                Some((c, v)) if *c == col => *v = value,
                _ => last.cells.push((col, value)),
            },
            _ => {
                budget.row()?;
                rows.push(Row {
                    number,
                    cells: vec![(col, value)],
                })
            }
        }
    }
    Ok(Table::from_rows(rows))
}

fn convert(value: &DataRef<'_>) -> Cell {
    let text = |s: &str| {
        let s = decode_ooxml_escapes(s);
        if s.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.into_owned())
        }
    };
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::DateTime(dt) => {
            let serial = dt.as_f64();
            // Range check first: calamine's conversion panics on absurd values.
            let date =
                if dt.is_datetime() && serial.is_finite() && (0.0..3_000_000.0).contains(&serial) {
                    dt.as_datetime()
                        .map(|d| d.date())
                        .filter(|d| in_date_range(*d))
                } else {
                    None
                };
            Cell::Date { date, serial }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c"), Some(b','));
        assert_eq!(sniff_delimiter("a;b;c"), Some(b';'));
        assert_eq!(sniff_delimiter("\"a,b\";c;d"), Some(b';'));
        assert_eq!(sniff_delimiter("\"x;y;z\",b"), Some(b','));
        assert_eq!(sniff_delimiter("a\tb"), Some(b'\t'));
        assert_eq!(sniff_delimiter("a;b,c"), Some(b','));
        assert_eq!(sniff_delimiter("single"), None);
    }

    #[test]
    fn csv_rows_skip_blank_lines_and_keep_line_numbers() {
        let table = read_csv(b"\xEF\xBB\xBFa,b\r\n\r\n1,2\n , \n3,\"x\ny\"\n\n\r5,6\r\r\n7,8")
            .expect("ok")
            .expect("table");
        assert_eq!(table.header.number, 1);
        let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![3, 5, 9, 11]);
        assert_eq!(table.rows[0].get(1), &Cell::Text("2".to_owned()));
        assert_eq!(table.rows[0].get(7), &Cell::Empty);
    }

    #[test]
    fn csv_empty() {
        assert!(read_csv(b"").expect("ok").is_none());
        assert!(read_csv(b"\xEF\xBB\xBF\n  \n").expect("ok").is_none());
    }
}
