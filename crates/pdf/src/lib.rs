//! Official PDF renderings of Thi Đua documents (plan, pact, regulations, minutes) and of long
//! lists, laid out after Decree 30/2020/NĐ-CP (see document-format.md), typeset with typst.
//!
//! The typst template is fixed and compiled into the binary; everything variable, user text
//! included, is passed to it as one JSON file (`/data.json` in typst's virtual file system) and
//! shown as literal strings, so no input can inject markup. The font (Liberation Serif, metric
//! compatible with Times New Roman and covering Vietnamese) ships in `fonts/` and is parsed once
//! per process.

pub mod docx;
mod extract;
mod html;
pub mod pades;
mod world;

use chrono::NaiveDate;
use serde_json::{json, Value};
use thidua_domain::document::{vietnamese_date, DocumentContent, DocumentKind};
use unicode_normalization::UnicodeNormalization;

pub use extract::extract_attachment;

/// The issuing body's part of the first-page header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letterhead {
    /// "TÊN CQ CHỦ QUẢN" line, not bold; None = omitted.
    pub parent_body: Option<String>,
    /// Issuing body, may contain '\n' for two lines; printed bold in capitals.
    pub issuer: String,
    /// Place for the italic place/date line (a document's own place wins).
    pub place: Option<String>,
}

/// One signature block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureBlock {
    /// Bold capitals; may be empty.
    pub unit_name: String,
    /// Authority, e.g. "VIỆN TRƯỞNG" or "KT. VIỆN TRƯỞNG\nPHÓ VIỆN TRƯỞNG"; bold capitals.
    pub position: String,
    /// Bold; None leaves the space blank to sign by hand.
    pub signer_name: Option<String>,
    /// Small italic line in the signing space, e.g. "Đã ký số lúc 09:15 12/03/2024".
    pub note: Option<String>,
}

/// How a reader checks the paper or the file against the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// e.g. "7KQ2M-9XA3F".
    pub code: String,
    /// Printed and encoded as a QR code.
    pub url: String,
    /// Hex SHA-256 of the signed content, printed small.
    pub content_hash: String,
}

/// A file embedded in the PDF (e.g. the signatures as JSON, for offline verification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A column of a list: its title and its width as a relative fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template failed to typeset (a bug, not a user error: user text cannot cause it).
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("PDF export failed: {0}")]
    Export(String),
    #[error("QR code: {0}")]
    Qr(String),
    /// Attachment names are plain file names: no path separator, not starting with a dot.
    #[error("invalid attachment name: {0:?}")]
    AttachmentName(String),
    /// The input of [`extract_attachment`] is not a readable PDF.
    #[error("not a readable PDF: {0}")]
    NotPdf(String),
    /// A PAdES signature, certificate or keystore could not be made or read.
    #[error("signature: {0}")]
    Sign(String),
}

fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

fn upper(s: &str) -> String {
    nfc(s).to_uppercase()
}

fn lines_upper(s: &str) -> Vec<String> {
    s.lines()
        .map(upper)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(nfc).filter(|s| !s.is_empty())
}

fn head_json(head: &Letterhead) -> Value {
    json!({
        "parent": opt(&head.parent_body).map(|p| upper(&p)),
        "issuer": lines_upper(&head.issuer),
    })
}

fn signature_json(s: &SignatureBlock) -> Value {
    json!({
        "unit": lines_upper(&s.unit_name),
        "position": lines_upper(&s.position),
        "name": opt(&s.signer_name),
        "note": opt(&s.note),
    })
}

fn verification_json(v: Option<&Verification>) -> Result<Value, PdfError> {
    let Some(v) = v else { return Ok(Value::Null) };
    let code = qrcode::QrCode::with_error_correction_level(v.url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| PdfError::Qr(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(false)
        .min_dimensions(200, 200)
        .build();
    Ok(json!({
        "code": nfc(&v.code),
        "url": v.url.trim(),
        "hash": v.content_hash.trim(),
        "qr_svg": svg,
    }))
}

/// Place and date as the decree writes them: "Hà Nội, ngày 05 tháng 3 năm 2024"; blanks to
/// fill by hand when the date is not set yet.
fn dateline(place: Option<String>, date: Option<NaiveDate>) -> String {
    let date = match date {
        Some(d) => vietnamese_date(d),
        None => "ngày      tháng      năm      ".to_owned(),
    };
    match place {
        Some(p) => format!("{p}, {date}"),
        None => date.trim_end().to_owned(),
    }
}

fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Plan => "KẾ HOẠCH",
        DocumentKind::Pact => "GIAO ƯỚC THI ĐUA",
        DocumentKind::Regulations => "QUY CHẾ",
        DocumentKind::Minutes => "BIÊN BẢN",
    }
}

/// Split a title into the kind line and the trích yếu: "GIAO ƯỚC THI ĐUA NĂM 2024 của Cụm …"
/// gives ("GIAO ƯỚC THI ĐUA NĂM 2024", "của Cụm …"); a title that does not start with the kind
/// name is the trích yếu under the kind name.
fn split_title(kind: DocumentKind, title: &str) -> (String, Option<String>) {
    let name = kind_name(kind);
    let title = nfc(title);
    let n = name.chars().count();
    let head: String = title.chars().take(n).collect();
    if head.to_uppercase() != name {
        return (name.to_owned(), Some(title).filter(|t| !t.is_empty()));
    }
    let mut kind_line = head;
    let mut rest: String = title.chars().skip(n).collect::<String>().trim().to_owned();
    // "NĂM 2024" belongs with the kind name.
    let mut words = rest.splitn(3, ' ');
    if let (Some(w1), Some(w2)) = (words.next(), words.next()) {
        if w1.to_uppercase() == "NĂM" && w2.chars().all(|c| c.is_ascii_digit()) {
            kind_line = format!("{kind_line} {w1} {w2}");
            rest = words.next().unwrap_or("").trim().to_owned();
        }
    }
    (kind_line, Some(rest).filter(|r| !r.is_empty()))
}

/// Section heading lines, and whether it is a centred "Chương …"/"Mục …" heading, which the
/// decree puts on its own line above an upper-case title.
fn heading_lines(heading: &str) -> (Vec<String>, bool) {
    let h = nfc(heading);
    if h.is_empty() {
        return (Vec::new(), false);
    }
    let centred = h.starts_with("Chương ") || h.starts_with("CHƯƠNG ") || h.starts_with("Mục ");
    if !centred {
        return (vec![h], false);
    }
    match h.split_once(". ") {
        Some((label, title)) => (vec![format!("{label}."), title.trim().to_owned()], true),
        None => (vec![h], true),
    }
}

fn recipient_lines(recipients: &[String]) -> Vec<String> {
    recipients
        .iter()
        .map(|r| nfc(r))
        .filter(|r| !r.is_empty())
        .map(|r| {
            if r.starts_with('-') {
                r
            } else {
                format!("- {r}")
            }
        })
        .collect()
}

fn attachment_json(attachment: Option<&Attachment>) -> Result<Value, PdfError> {
    let Some(a) = attachment else {
        return Ok(Value::Null);
    };
    let name = a.name.trim();
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\', ':'])
        || name.chars().any(char::is_control)
        || name.len() > 200;
    if bad {
        return Err(PdfError::AttachmentName(a.name.clone()));
    }
    Ok(Value::String(name.to_owned()))
}

/// A plan, pact, regulations or minutes as an official document: header, kind name and trích
/// yếu, căn cứ lines, sections, "./.", signature blocks (a pact: two per row, an odd last one
/// centred; otherwise one on the right), "Nơi nhận:" on the left, page numbers from page 2,
/// and a verification box (code, QR of the URL, content hash) at the end when given.
pub fn render_document(
    doc: &DocumentContent,
    head: &Letterhead,
    signatures: &[SignatureBlock],
    verification: Option<&Verification>,
    attachment: Option<&Attachment>,
) -> Result<Vec<u8>, PdfError> {
    let (kind_line, summary) = split_title(doc.kind, &doc.title);
    let place = opt(&doc.place).or_else(|| opt(&head.place));
    let dateline = (doc.kind != DocumentKind::Minutes).then(|| dateline(place, doc.date));
    let number = opt(&doc.number).unwrap_or_else(|| "       ".to_owned());

    let mut sections = Vec::with_capacity(doc.sections.len());
    let mut all_blocks: Vec<Vec<html::Block>> = doc
        .sections
        .iter()
        .map(|s| html::blocks(&s.body_html))
        .collect();
    // "./." closes the body: after the last words, or on its own line after a table.
    match all_blocks
        .iter_mut()
        .rev()
        .find_map(|b| b.last_mut())
        .map(|b| b.runs_mut())
    {
        Some(Some(runs)) => runs.push(html::Run::plain(" ./.")),
        Some(None) => {
            if let Some(last) = all_blocks.iter_mut().rev().find(|b| !b.is_empty()) {
                last.push(html::Block::P {
                    runs: vec![html::Run::plain("./.")],
                });
            }
        }
        None => {}
    }
    for (section, blocks) in doc.sections.iter().zip(all_blocks) {
        let (lines, centred) = heading_lines(&section.heading);
        sections.push(json!({
            "heading_lines": lines,
            "centred": centred,
            "blocks": blocks,
        }));
    }

    let data = json!({
        "mode": "document",
        "doc_title": nfc(&doc.title),
        "head": head_json(head),
        "number": number,
        "dateline": dateline,
        "kind_line": kind_line,
        "summary": summary,
        "bases": doc.bases.iter().map(|b| nfc(b)).filter(|b| !b.is_empty()).collect::<Vec<_>>(),
        "sections": sections,
        "signatures": signatures.iter().map(signature_json).collect::<Vec<_>>(),
        "recipients": recipient_lines(&doc.recipients),
        "verification": verification_json(verification)?,
        "attachment": attachment_json(attachment)?,
    });
    world::render(&data, attachment.map(|a| a.bytes.as_slice()))
}

/// A one-off official letter, e.g. a submission letter (tờ trình): the kind line, what it
/// is about, the "Kính gửi" line, plain paragraphs, one signature on the right and the
/// "Nơi nhận:" list.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    /// e.g. "TỜ TRÌNH"
    pub kind_line: String,
    /// The trích yếu under it, e.g. "Về việc đề nghị tặng Cờ thi đua của ngành năm 2026".
    pub summary: String,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    /// "Kính gửi: …", printed centred under the summary.
    pub to: Option<String>,
    /// The body: one paragraph per entry (plain text).
    pub paragraphs: Vec<String>,
    pub recipients: Vec<String>,
}

/// Render a [`Letter`] with the document layout.
pub fn render_letter(
    letter: &Letter,
    head: &Letterhead,
    signature: &SignatureBlock,
) -> Result<Vec<u8>, PdfError> {
    let mut blocks: Vec<html::Block> = Vec::new();
    if let Some(to) = letter.to.as_deref().filter(|t| !t.trim().is_empty()) {
        blocks.push(html::Block::P {
            runs: vec![html::Run {
                b: true,
                ..html::Run::plain(&nfc(to))
            }],
        });
    }
    for p in letter.paragraphs.iter().map(|p| nfc(p)) {
        if !p.trim().is_empty() {
            blocks.push(html::Block::P {
                runs: vec![html::Run::plain(&p)],
            });
        }
    }
    if let Some(runs) = blocks.last_mut().and_then(|b| b.runs_mut()) {
        runs.push(html::Run::plain(" ./."));
    }
    let place = opt(&head.place);
    let data = json!({
        "mode": "document",
        "doc_title": nfc(&format!("{} {}", letter.kind_line, letter.summary)),
        "head": head_json(head),
        "number": letter.number.as_deref().map(nfc).filter(|n| !n.is_empty()).unwrap_or_else(|| "       ".to_owned()),
        "dateline": dateline(place, letter.date),
        "kind_line": nfc(&letter.kind_line),
        "summary": Some(nfc(&letter.summary)).filter(|s| !s.is_empty()),
        "bases": Vec::<String>::new(),
        "sections": [{"heading_lines": Vec::<String>::new(), "centred": false, "blocks": blocks}],
        "signatures": [signature_json(signature)],
        "recipients": recipient_lines(&letter.recipients),
        "verification": Value::Null,
        "attachment": Value::Null,
    });
    world::render(&data, None)
}

/// A list (e.g. the title registrations of a group or of the whole sector): the same header,
/// a centred title and optional subtitle, a bordered table whose header row repeats on every
/// page, then an optional signature block on the right and the verification box.
#[allow(clippy::too_many_arguments)]
pub fn render_table(
    head: &Letterhead,
    number: Option<&str>,
    date: Option<NaiveDate>,
    title: &str,
    subtitle: Option<&str>,
    columns: &[Column],
    rows: &[Vec<String>],
    signature: Option<&SignatureBlock>,
    verification: Option<&Verification>,
) -> Result<Vec<u8>, PdfError> {
    let ncols = columns.len().max(1);
    let widths: Vec<f64> = if columns.is_empty() {
        vec![1.0]
    } else {
        columns
            .iter()
            .map(|c| {
                let w = f64::from(c.width);
                if w.is_finite() && w > 0.0 {
                    w
                } else {
                    1.0
                }
            })
            .collect()
    };
    let titles: Vec<String> = if columns.is_empty() {
        vec![String::new()]
    } else {
        columns.iter().map(|c| nfc(&c.title)).collect()
    };
    let mut cells = Vec::with_capacity(rows.len() * ncols);
    for row in rows {
        for i in 0..ncols {
            cells.push(row.get(i).map(|c| nfc(c)).unwrap_or_default());
        }
    }
    let place = opt(&head.place);
    let dateline = (date.is_some() || place.is_some()).then(|| dateline(place, date));
    let data = json!({
        "mode": "table",
        "doc_title": nfc(title),
        "head": head_json(head),
        "number": number.map(nfc).filter(|n| !n.is_empty()),
        "dateline": dateline,
        "title": nfc(title),
        "subtitle": subtitle.map(nfc).filter(|s| !s.is_empty()),
        "columns": titles,
        "widths": widths,
        "cells": cells,
        "signatures": signature.map(signature_json).into_iter().collect::<Vec<_>>(),
        "recipients": Vec::<String>::new(),
        "verification": verification_json(verification)?,
        "attachment": Value::Null,
    });
    world::render(&data, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_split_into_kind_line_and_summary() {
        assert_eq!(
            split_title(
                DocumentKind::Pact,
                "GIAO ƯỚC THI ĐUA NĂM 2024 của Cụm thi đua số 13"
            ),
            (
                "GIAO ƯỚC THI ĐUA NĂM 2024".to_owned(),
                Some("của Cụm thi đua số 13".to_owned())
            )
        );
        assert_eq!(
            split_title(DocumentKind::Plan, "KẾ HOẠCH Tổ chức các hoạt động"),
            (
                "KẾ HOẠCH".to_owned(),
                Some("Tổ chức các hoạt động".to_owned())
            )
        );
        assert_eq!(
            split_title(DocumentKind::Minutes, "Hội nghị"),
            ("BIÊN BẢN".to_owned(), Some("Hội nghị".to_owned()))
        );
        assert_eq!(
            split_title(DocumentKind::Regulations, "QUY CHẾ"),
            ("QUY CHẾ".to_owned(), None)
        );
    }

    #[test]
    fn chapter_headings_are_centred_on_two_lines() {
        assert_eq!(
            heading_lines("Chương I. QUY ĐỊNH CHUNG"),
            (
                vec!["Chương I.".to_owned(), "QUY ĐỊNH CHUNG".to_owned()],
                true
            )
        );
        assert_eq!(
            heading_lines("I. MỤC ĐÍCH"),
            (vec!["I. MỤC ĐÍCH".to_owned()], false)
        );
    }

    #[test]
    fn dateline_follows_the_decree() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5);
        assert_eq!(
            dateline(Some("Hà Nội".into()), d),
            "Hà Nội, ngày 05 tháng 3 năm 2024"
        );
    }
}
