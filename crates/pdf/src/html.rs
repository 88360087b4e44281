//! Sanitised section bodies (see `thidua_domain::document::ALLOWED_TAGS`) turned into a small
//! block structure that the typst template lays out. The text never becomes typst markup: it
//! travels as JSON strings and is shown literally.

use serde::Serialize;
use thidua_domain::document::decode_entities;

/// A piece of inline text with its emphasis; `br` is a forced line break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub text: String,
    pub b: bool,
    pub i: bool,
    pub br: bool,
}

impl Run {
    pub fn plain(text: &str) -> Run {
        Run {
            text: text.to_owned(),
            b: false,
            i: false,
            br: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub cells: Vec<Vec<Run>>,
}

/// One block of a body. Lists are flattened into items with their marker and nesting depth:
/// Vietnamese documents set list items as ordinary indented paragraphs starting with "- " or
/// "1.", so no list layout is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Block {
    P {
        runs: Vec<Run>,
    },
    H {
        runs: Vec<Run>,
    },
    Item {
        marker: String,
        depth: usize,
        runs: Vec<Run>,
    },
    Table {
        cols: usize,
        head: Vec<Row>,
        rows: Vec<Row>,
    },
}

impl Block {
    /// The runs of a text block (None for a table).
    pub fn runs_mut(&mut self) -> Option<&mut Vec<Run>> {
        match self {
            Block::P { runs } | Block::H { runs } | Block::Item { runs, .. } => Some(runs),
            Block::Table { .. } => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    P,
    H,
    Item,
}

struct List {
    ordered: bool,
    count: usize,
}

#[derive(Default)]
struct Table {
    head: Vec<Row>,
    rows: Vec<Row>,
    row: Option<(bool, Vec<Vec<Run>>)>,
    cell: Option<Vec<Run>>,
    in_head: bool,
    cell_is_header: bool,
}

struct Parser {
    blocks: Vec<Block>,
    runs: Vec<Run>,
    kind: Kind,
    marker: String,
    bold: usize,
    italic: usize,
    lists: Vec<List>,
    table: Option<Table>,
    /// Tables open inside the current table: their cells join the outer cell's text.
    nested_tables: usize,
}

impl Parser {
    fn new() -> Parser {
        Parser {
            blocks: Vec::new(),
            runs: Vec::new(),
            kind: Kind::P,
            marker: String::new(),
            bold: 0,
            italic: 0,
            lists: Vec::new(),
            table: None,
            nested_tables: 0,
        }
    }

    fn target(&mut self) -> &mut Vec<Run> {
        if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
            return cell;
        }
        &mut self.runs
    }

    fn text(&mut self, raw: &str) {
        let text = collapse(&decode_entities(raw));
        if text.is_empty() {
            return;
        }
        let (b, i) = (self.bold > 0, self.italic > 0);
        let target = self.target();
        let at_start = target.last().is_none_or(|r| r.br || r.text.ends_with(' '));
        let text = if at_start {
            text.trim_start().to_owned()
        } else {
            text
        };
        if text.is_empty() {
            return;
        }
        match target.last_mut() {
            Some(last) if !last.br && last.b == b && last.i == i => last.text.push_str(&text),
            _ => target.push(Run {
                text,
                b,
                i,
                br: false,
            }),
        }
    }

    fn line_break(&mut self) {
        let target = self.target();
        if let Some(last) = target.last_mut() {
            trim_end(&mut last.text);
        }
        target.push(Run {
            text: String::new(),
            b: false,
            i: false,
            br: true,
        });
    }

    /// A space between block-level pieces inside a table cell (p, li, h inside td).
    fn cell_separator(&mut self) -> bool {
        if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
            if let Some(last) = cell.last_mut() {
                if !last.br && !last.text.ends_with(' ') {
                    last.text.push(' ');
                }
            }
            return true;
        }
        false
    }

    fn flush(&mut self) {
        let mut runs = std::mem::take(&mut self.runs);
        tidy(&mut runs);
        let marker = std::mem::take(&mut self.marker);
        let kind = self.kind;
        // What follows inside an open list item (after a nested list) continues that item.
        self.kind = if self.lists.is_empty() {
            Kind::P
        } else {
            Kind::Item
        };
        if runs.is_empty() {
            if !marker.is_empty() {
                // An item that only holds a nested list still shows its marker.
                self.marker = marker;
                self.kind = Kind::Item;
            }
            return;
        }
        let block = match kind {
            Kind::P => Block::P { runs },
            Kind::H => Block::H { runs },
            Kind::Item => Block::Item {
                marker,
                depth: self.lists.len().saturating_sub(1),
                runs,
            },
        };
        self.blocks.push(block);
    }

    fn tag(&mut self, name: &str, closing: bool) {
        // Block-level tags inside a table cell only separate words.
        if matches!(name, "p" | "h3" | "h4" | "ul" | "ol" | "li") && self.cell_separator() {
            return;
        }
        match (name, closing) {
            ("strong" | "b", false) => self.bold += 1,
            ("strong" | "b", true) => self.bold = self.bold.saturating_sub(1),
            ("em" | "i", false) => self.italic += 1,
            ("em" | "i", true) => self.italic = self.italic.saturating_sub(1),
            ("br", _) => self.line_break(),
            ("p", _) | ("h3" | "h4", true) | ("li", true) => self.flush(),
            ("h3" | "h4", false) => {
                self.flush();
                self.kind = Kind::H;
            }
            ("ul" | "ol", false) => {
                self.flush();
                self.lists.push(List {
                    ordered: name == "ol",
                    count: 0,
                });
                self.kind = Kind::Item;
            }
            ("ul" | "ol", true) => {
                self.flush();
                self.lists.pop();
                self.kind = if self.lists.is_empty() {
                    Kind::P
                } else {
                    Kind::Item
                };
            }
            ("li", false) => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(list) => {
                        list.count += 1;
                        if list.ordered {
                            format!("{}.", list.count)
                        } else {
                            "-".to_owned()
                        }
                    }
                    None => "-".to_owned(),
                };
                self.marker = marker;
                self.kind = Kind::Item;
            }
            ("table", false) if self.table.is_none() => {
                self.flush();
                self.table = Some(Table::default());
            }
            ("table", false) => self.nested_tables += 1,
            ("table", true) if self.nested_tables > 0 => self.nested_tables -= 1,
            // Rows and cells of a nested table only separate words of the outer cell.
            ("tr" | "td" | "th" | "thead" | "tbody", _) if self.nested_tables > 0 => {
                self.cell_separator();
            }
            ("table", true) => {
                if let Some(mut t) = self.table.take() {
                    close_cell(&mut t);
                    close_row(&mut t);
                    let cols = t
                        .head
                        .iter()
                        .chain(&t.rows)
                        .map(|r| r.cells.len())
                        .max()
                        .unwrap_or(0);
                    if cols > 0 {
                        for row in t.head.iter_mut().chain(t.rows.iter_mut()) {
                            row.cells.resize(cols, Vec::new());
                        }
                        self.blocks.push(Block::Table {
                            cols,
                            head: t.head,
                            rows: t.rows,
                        });
                    }
                }
            }
            ("thead", open) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                    close_row(t);
                    t.in_head = !open;
                }
            }
            ("tbody", _) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                    close_row(t);
                    t.in_head = false;
                }
            }
            ("tr", false) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                    close_row(t);
                    let in_head = t.in_head;
                    t.row = Some((in_head, Vec::new()));
                }
            }
            ("tr", true) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                    close_row(t);
                }
            }
            ("td" | "th", false) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                    if t.row.is_none() {
                        t.row = Some((t.in_head, Vec::new()));
                    }
                    t.cell = Some(Vec::new());
                    t.cell_is_header = name == "th";
                }
            }
            ("td" | "th", true) => {
                if let Some(t) = self.table.as_mut() {
                    close_cell(t);
                }
            }
            _ => {}
        }
    }
}

fn close_cell(t: &mut Table) {
    if let Some(mut cell) = t.cell.take() {
        tidy(&mut cell);
        let header = t.cell_is_header;
        let row = t.row.get_or_insert_with(|| (false, Vec::new()));
        // A row made only of th cells is a header row even outside thead.
        if !header {
            row.0 = row.0 && t.in_head;
        } else if row.1.is_empty() {
            row.0 = true;
        }
        row.1.push(cell);
    }
}

fn close_row(t: &mut Table) {
    if let Some((header, cells)) = t.row.take() {
        if cells.is_empty() {
            return;
        }
        // Header rows only count as such while no body row came before them.
        if header && t.rows.is_empty() {
            t.head.push(Row { cells });
        } else {
            t.rows.push(Row { cells });
        }
    }
}

fn trim_end(s: &mut String) {
    let len = s.trim_end().len();
    s.truncate(len);
}

/// Trim the runs of one block and drop empty ones (leading/trailing breaks included).
fn tidy(runs: &mut Vec<Run>) {
    runs.retain(|r| r.br || !r.text.is_empty());
    while runs.first().is_some_and(|r| r.br) {
        runs.remove(0);
    }
    while runs.last().is_some_and(|r| r.br) {
        runs.pop();
    }
    if let Some(first) = runs.first_mut() {
        first.text = first.text.trim_start().to_owned();
    }
    if let Some(last) = runs.last_mut() {
        trim_end(&mut last.text);
    }
    runs.retain(|r| r.br || !r.text.is_empty());
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Blocks of a section body. The input is sanitised first, so any string is safe here.
pub fn blocks(body_html: &str) -> Vec<Block> {
    let html = thidua_domain::document::sanitize_html(body_html);
    let mut p = Parser::new();
    let mut rest = html.as_str();
    while let Some(open) = rest.find('<') {
        p.text(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            p.text(&rest[open..]);
            rest = "";
            break;
        };
        let inner = after[..close].trim();
        let (closing, name) = match inner.strip_prefix('/') {
            Some(n) => (true, n),
            None => (false, inner),
        };
        let name = name
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        p.tag(&name, closing);
        rest = &after[close + 1..];
    }
    p.text(rest);
    if let Some(mut t) = p.table.take() {
        // An unclosed table (cannot come out of the sanitiser, but be safe).
        close_cell(&mut t);
        close_row(&mut t);
        p.table = Some(t);
        p.tag("table", true);
    }
    p.lists.clear();
    p.flush();
    p.blocks
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(b: &Block) -> String {
        match b {
            Block::P { runs } | Block::H { runs } | Block::Item { runs, .. } => {
                runs.iter().map(|r| r.text.as_str()).collect()
            }
            Block::Table { .. } => "<table>".into(),
        }
    }

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let b = blocks("<p>Một <strong>hai</strong> ba</p><ul><li>x &amp; y</li><li>z<ol><li>n</li></ol></li></ul><h4>Điều 1.</h4>");
        assert_eq!(b.len(), 5);
        assert_eq!(texts(&b[0]), "Một hai ba");
        match &b[0] {
            Block::P { runs } => assert!(runs[1].b && runs[1].text == "hai"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(&b[1], Block::Item { marker, depth: 0, .. } if marker == "-"));
        assert_eq!(texts(&b[1]), "x & y");
        assert!(matches!(&b[3], Block::Item { marker, depth: 1, .. } if marker == "1."));
        assert!(matches!(&b[4], Block::H { .. }));
    }

    #[test]
    fn tables_have_head_and_rows() {
        let b = blocks("<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>");
        match &b[0] {
            Block::Table { cols, head, rows } => {
                assert_eq!(*cols, 2);
                assert_eq!(head.len(), 1);
                assert_eq!(rows[0].cells.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nested_tables_join_the_outer_cell() {
        let b = blocks("<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table>d</td><td>e</td></tr></table><p>f</p>");
        match &b[0] {
            Block::Table { cols, rows, .. } => {
                assert_eq!(*cols, 2);
                let text: String = rows[0].cells[0].iter().map(|r| r.text.as_str()).collect();
                assert_eq!(text, "a b c d");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(texts(&b[1]), "f");
    }

    #[test]
    fn scripts_are_dropped_and_text_is_literal() {
        let b = blocks("<p>#set $x$ *a* [b] \\ @c &lt;script&gt;</p><script>alert(1)</script>");
        assert_eq!(b.len(), 1);
        assert_eq!(texts(&b[0]), "#set $x$ *a* [b] \\ @c <script>");
    }
}
