//! The same official document as [`crate::render_document`], as a Word file (DOCX) that an
//! office edits before signing: the Decree 30/2020 layout (A4, margins 20/20/30/15 mm, Times
//! New Roman 14 pt), the letterhead as a two-column borderless table, the number and the
//! place/date line, the kind line and summary, the bases, the sections with the body's
//! paragraphs, lists and tables, "./.", the signature blocks and "Nơi nhận:". Same content
//! as the PDF, from the same parsing of the section bodies.

use docx_rs::{
    AlignmentType, BorderType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableBorders,
    TableCell, TableRow, WidthType,
};
use thidua_domain::document::{DocumentContent, DocumentKind};

use crate::{html, Letterhead, PdfError, SignatureBlock};

const FONT: &str = "Times New Roman";
// Sizes in half-points.
const BODY: usize = 28;
const SMALL: usize = 26;
const NOTE: usize = 22;
// mm → twentieths of a point.
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(
        RunFonts::new()
            .ascii(FONT)
            .hi_ansi(FONT)
            .cs(FONT)
            .east_asia(FONT),
    )
}

fn para(align: AlignmentType) -> Paragraph {
    Paragraph::new().align(align)
}

fn centred(text: &str, size: usize, bold: bool, italic: bool) -> Paragraph {
    let mut r = run(text, size);
    if bold {
        r = r.bold();
    }
    if italic {
        r = r.italic();
    }
    para(AlignmentType::Center).add_run(r)
}

fn runs_para(runs: &[html::Run], align: AlignmentType, size: usize, indent: bool) -> Paragraph {
    let mut p = para(align);
    if indent {
        p = p.indent(
            None,
            Some(docx_rs::SpecialIndentType::FirstLine(mm(10.0))),
            None,
            None,
        );
    }
    for r in runs {
        if r.br {
            p = p.add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping));
            continue;
        }
        let mut x = run(&r.text, size);
        if r.b {
            x = x.bold();
        }
        if r.i {
            x = x.italic();
        }
        p = p.add_run(x);
    }
    p
}

fn borderless(rows: Vec<TableRow>, widths: &[usize]) -> Table {
    Table::new(rows)
        .set_borders(TableBorders::with_empty())
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
}

fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    let mut c = TableCell::new().width(width, WidthType::Dxa);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn signature_cell(s: &SignatureBlock, width: usize) -> TableCell {
    let mut ps = Vec::new();
    for l in s.unit_name.lines().filter(|l| !l.trim().is_empty()) {
        ps.push(centred(&l.to_uppercase(), BODY, true, false));
    }
    for l in s.position.lines().filter(|l| !l.trim().is_empty()) {
        ps.push(centred(&l.to_uppercase(), BODY, true, false));
    }
    ps.push(centred(s.note.as_deref().unwrap_or(""), NOTE, false, true));
    for _ in 0..3 {
        ps.push(centred("", BODY, false, false));
    }
    ps.push(centred(
        s.signer_name.as_deref().unwrap_or(""),
        BODY,
        true,
        false,
    ));
    cell(ps, width)
}

/// The document as DOCX bytes.
pub fn render_document_docx(
    doc: &DocumentContent,
    head: &Letterhead,
    signatures: &[SignatureBlock],
) -> Result<Vec<u8>, PdfError> {
    // Text width: A4 (210 mm) less 30 + 15 mm margins.
    let text_w = mm(165.0) as usize;
    let (left_w, right_w) = (text_w * 2 / 5, text_w - text_w * 2 / 5);
    let (kind_line, summary) = crate::split_title(doc.kind, &doc.title);
    let place = crate::opt(&doc.place).or_else(|| crate::opt(&head.place));

    let mut left = Vec::new();
    if let Some(p) = crate::opt(&head.parent_body) {
        left.push(centred(&p.to_uppercase(), SMALL, false, false));
    }
    for l in head.issuer.lines().filter(|l| !l.trim().is_empty()) {
        left.push(centred(&l.to_uppercase(), SMALL, true, false));
    }
    left.push(centred("–––––––", SMALL, false, false));
    let number = crate::opt(&doc.number).unwrap_or_else(|| "       ".to_owned());
    left.push(centred(&format!("Số: {number}"), SMALL, false, false));
    let mut right = vec![
        centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SMALL - 2, true, false),
        centred("Độc lập - Tự do - Hạnh phúc", SMALL, true, false),
        centred("–––––––––––––––––––––––", SMALL, false, false),
    ];
    if doc.kind != DocumentKind::Minutes {
        right.push(centred(
            &crate::dateline(place, doc.date),
            SMALL,
            false,
            true,
        ));
    }
    let mut d = Docx::new()
        .page_size(mm(210.0) as u32, mm(297.0) as u32)
        .page_margin(
            PageMargin::new()
                .top(mm(20.0))
                .bottom(mm(20.0))
                .left(mm(30.0))
                .right(mm(15.0)),
        )
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_size(BODY)
        .add_table(borderless(
            vec![TableRow::new(vec![
                cell(left, left_w),
                cell(right, right_w),
            ])],
            &[left_w, right_w],
        ))
        .add_paragraph(centred("", BODY, false, false))
        .add_paragraph(centred(&kind_line, BODY, true, false));
    if let Some(s) = summary {
        d = d.add_paragraph(centred(&s, BODY, true, false));
    }
    d = d.add_paragraph(centred("–––––––––––", BODY, false, false));
    for b in doc.bases.iter().filter(|b| !b.trim().is_empty()) {
        d = d.add_paragraph(
            para(AlignmentType::Both)
                .indent(
                    None,
                    Some(docx_rs::SpecialIndentType::FirstLine(mm(10.0))),
                    None,
                    None,
                )
                .add_run(run(b.trim(), BODY).italic()),
        );
    }
    let mut sections: Vec<(Vec<String>, bool, Vec<html::Block>)> = doc
        .sections
        .iter()
        .map(|s| {
            let (lines, c) = crate::heading_lines(&s.heading);
            (lines, c, html::blocks(&s.body_html))
        })
        .collect();
    // "./." closes the body, as on the PDF.
    match sections
        .iter_mut()
        .rev()
        .find_map(|s| s.2.last_mut())
        .map(|b| b.runs_mut())
    {
        Some(Some(runs)) => runs.push(html::Run::plain(" ./.")),
        Some(None) => {
            if let Some(last) = sections.iter_mut().rev().find(|s| !s.2.is_empty()) {
                last.2.push(html::Block::P {
                    runs: vec![html::Run::plain("./.")],
                });
            }
        }
        None => {}
    }
    for (lines, centred_heading, blocks) in &sections {
        for l in lines {
            d = d.add_paragraph(if *centred_heading {
                centred(l, BODY, true, false)
            } else {
                para(AlignmentType::Both).add_run(run(l, BODY).bold())
            });
        }
        for b in blocks {
            match b {
                html::Block::P { runs } => {
                    d = d.add_paragraph(runs_para(runs, AlignmentType::Both, BODY, true))
                }
                html::Block::H { runs } => {
                    let bold: Vec<html::Run> = runs
                        .iter()
                        .cloned()
                        .map(|mut r| {
                            r.b = true;
                            r
                        })
                        .collect();
                    d = d.add_paragraph(runs_para(&bold, AlignmentType::Left, BODY, false))
                }
                html::Block::Item {
                    marker,
                    depth,
                    runs,
                } => {
                    let mut all = vec![html::Run::plain(&format!("{marker} "))];
                    all.extend(runs.iter().cloned());
                    d = d.add_paragraph(runs_para(&all, AlignmentType::Both, BODY, false).indent(
                        Some(mm(10.0 * (*depth as f64 + 1.0))),
                        None,
                        None,
                        None,
                    ));
                }
                html::Block::Table { cols, head, rows } => {
                    let cols = (*cols).max(1);
                    let w = text_w / cols;
                    let to_row = |r: &html::Row, bold: bool| {
                        TableRow::new(
                            (0..cols)
                                .map(|i| {
                                    let runs: Vec<html::Run> = r
                                        .cells
                                        .get(i)
                                        .cloned()
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|mut x| {
                                            x.b |= bold;
                                            x
                                        })
                                        .collect();
                                    cell(
                                        vec![runs_para(&runs, AlignmentType::Left, SMALL, false)],
                                        w,
                                    )
                                })
                                .collect(),
                        )
                    };
                    let all: Vec<TableRow> = head
                        .iter()
                        .map(|r| to_row(r, true))
                        .chain(rows.iter().map(|r| to_row(r, false)))
                        .collect();
                    d = d.add_table(
                        Table::new(all)
                            .set_grid(vec![w; cols])
                            .width(text_w, WidthType::Dxa)
                            .set_borders(
                                TableBorders::new().set(
                                    docx_rs::TableBorder::new(
                                        docx_rs::TableBorderPosition::InsideH,
                                    )
                                    .border_type(BorderType::Single),
                                ),
                            ),
                    );
                }
            }
        }
    }
    d = d.add_paragraph(centred("", BODY, false, false));
    // Signature blocks: two per row (a pact), otherwise one on the right.
    if doc.kind == DocumentKind::Pact && signatures.len() > 1 {
        let half = text_w / 2;
        for pair in signatures.chunks(2) {
            let cells = match pair {
                [a, b] => vec![signature_cell(a, half), signature_cell(b, half)],
                [a] => vec![signature_cell(a, text_w)],
                _ => Vec::new(),
            };
            let widths = if pair.len() == 2 {
                vec![half, half]
            } else {
                vec![text_w]
            };
            d = d.add_table(borderless(vec![TableRow::new(cells)], &widths));
        }
    }
    let recipients = crate::recipient_lines(&doc.recipients);
    let mut left = Vec::new();
    if !recipients.is_empty() {
        left.push(para(AlignmentType::Left).add_run(run("Nơi nhận:", SMALL - 2).bold().italic()));
        for r in &recipients {
            left.push(para(AlignmentType::Left).add_run(run(r, NOTE)));
        }
    }
    let single = !(doc.kind == DocumentKind::Pact && signatures.len() > 1);
    if single || !left.is_empty() {
        let right = if single {
            signatures
                .iter()
                .map(|s| signature_cell(s, right_w))
                .next()
                .unwrap_or_else(|| cell(vec![centred("", BODY, false, false)], right_w))
        } else {
            cell(vec![centred("", BODY, false, false)], right_w)
        };
        if left.is_empty() {
            left.push(centred("", BODY, false, false));
        }
        d = d.add_table(borderless(
            vec![TableRow::new(vec![cell(left, left_w), right])],
            &[left_w, right_w],
        ));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| PdfError::Export(format!("DOCX: {e}")))?;
    Ok(out.into_inner())
}
