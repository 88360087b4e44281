//! Rendering checks: the text a reader extracts is the document's text, user text is shown
//! literally, attachments round-trip, long lists paginate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use thidua_domain::document::{plain_text, DocumentContent, DocumentKind, Section};
use thidua_pdf::{
    extract_attachment, render_document, render_table, Attachment, Column, PdfError, SignatureBlock,
};
use unicode_normalization::UnicodeNormalization;

/// Words of a text, NFC, with list markers, table separators and list numbering dropped.
fn words(text: &str) -> Vec<String> {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .filter(|w| *w != "-" && *w != "|")
        .filter(|w| {
            let n = w.trim_end_matches(['.', ')']);
            !(n.len() < w.len() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(str::to_owned)
        .collect()
}

/// The first expected word that cannot be found, in order, among the extracted words.
fn first_missing(expected: &[String], extracted: &[String]) -> Option<(usize, String)> {
    let mut at = 0;
    for (i, w) in expected.iter().enumerate() {
        match extracted[at..].iter().position(|x| x == w) {
            Some(p) => at += p + 1,
            None => {
                let context = expected[i.saturating_sub(5)..(i + 5).min(expected.len())].join(" ");
                return Some((i, format!("{w:?} in …{context}…")));
            }
        }
    }
    None
}

/// The words of the plain text that must come in reading order: all but the title, number and
/// place/date lines, which the header sets side by side (checked as phrases instead).
fn body_words(doc: &DocumentContent) -> (Vec<String>, Vec<String>) {
    let text = plain_text(doc);
    let lines: Vec<&str> = text.lines().collect();
    let head = lines.len().min(
        1 + usize::from(doc.number.is_some())
            + usize::from(doc.date.is_some() || doc.place.is_some()),
    );
    let body = lines[head..].join("\n");
    (
        words(&body),
        lines[..head].iter().map(|l| l.to_string()).collect(),
    )
}

fn contains_phrase(extracted: &str, phrase: &str) -> bool {
    let text = words(extracted).join(" ");
    text.contains(&words(phrase).join(" "))
}

#[test]
fn pact_text_survives_extraction_exactly() {
    let doc = document(DocumentKind::Pact);
    let pdf = render_document(
        &doc,
        &letterhead(),
        &pact_signatures(),
        Some(&verification()),
        None,
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(text) = pdftotext(&pdf) else { return };

    let (expected, head_lines) = body_words(&doc);
    let extracted = words(&text);
    for line in head_lines {
        assert!(contains_phrase(&text, &line), "{line:?} missing:\n{text}");
    }
    assert!(expected.len() > 300, "the sample is a real document");
    if let Some((i, what)) = first_missing(&expected, &extracted) {
        panic!(
            "word {i} of the plain text is missing from the PDF text: {what}\n--- extracted ---\n{text}"
        );
    }
    for phrase in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/GƯTĐ-CTĐ13",
        "Trà Vinh, ngày 05 tháng 3 năm 2024",
        "7KQ2M-9XA3F",
        "./.",
    ] {
        assert!(
            contains_phrase(&text, phrase),
            "{phrase:?} missing:\n{text}"
        );
    }
    for (_, name) in SIGNERS {
        assert!(
            contains_phrase(&text, name),
            "signer {name:?} missing:\n{text}"
        );
    }
}

#[test]
fn every_kind_renders() {
    for kind in DocumentKind::ALL {
        let doc = document(kind);
        let sig = SignatureBlock {
            unit_name: "TM. CỤM THI ĐUA SỐ 13".into(),
            position: "TRƯỞNG CỤM\nVIỆN TRƯỞNG VKSND TỈNH TRÀ VINH".into(),
            signer_name: None,
            note: None,
        };
        let pdf = render_document(&doc, &letterhead(), &[sig], None, None).unwrap();
        assert!(page_count(&pdf) >= 1, "{kind:?}");
        if let Some(text) = pdftotext(&pdf) {
            let (expected, head_lines) = body_words(&doc);
            for line in head_lines {
                let line = if kind == DocumentKind::Minutes && line.starts_with("Trà Vinh") {
                    continue;
                } else {
                    line
                };
                assert!(
                    contains_phrase(&text, &line),
                    "{kind:?}: {line:?} missing:\n{text}"
                );
            }
            if let Some((i, what)) = first_missing(&expected, &words(&text)) {
                panic!("{kind:?}: word {i} missing: {what}\n{text}");
            }
        }
    }
}

const NASTY: &str = r#"#set page(width: 1cm) $x^2$ *đậm* _nghiêng_ [a] \ <lab> @ref // chú thích /* x */ `raw` #panic("x") ""#;

#[test]
fn user_text_is_shown_literally() {
    let doc = DocumentContent {
        kind: DocumentKind::Plan,
        title: format!("KẾ HOẠCH {NASTY}"),
        number: Some("#01/KH-[x]".into()),
        place: Some("Hà Nội $".into()),
        date: None,
        bases: vec![format!("Căn cứ {NASTY};")],
        sections: vec![Section {
            heading: format!("I. {NASTY}"),
            body_html: format!(
                "<p>{}</p><script>alert('x')</script><p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; #{{}}</p><ul><li>{}</li></ul><table><tr><td>{}</td></tr></table>",
                NASTY.replace('<', "&lt;"),
                NASTY.replace('<', "&lt;"),
                NASTY.replace('<', "&lt;"),
            ),
        }],
        recipients: vec![format!("{NASTY};"), "Lưu: VT.".into()],
    };
    let sig = SignatureBlock {
        unit_name: "#strong[x]".into(),
        position: "$VIỆN TRƯỞNG$".into(),
        signer_name: Some("Nguyễn <Văn> #A".into()),
        note: Some("\\ @note".into()),
    };
    let pdf = render_document(&doc, &letterhead(), &[sig], Some(&verification()), None).unwrap();
    let pages = page_count(&pdf);
    assert!(
        (1..=3).contains(&pages),
        "the text was not turned into page settings: {pages} pages"
    );
    let Some(text) = pdftotext(&pdf) else { return };
    for phrase in [
        NASTY,
        "<script>alert(1)</script> & #{}",
        "#01/KH-[x]",
        "Hà Nội $",
        "#STRONG[X]",
        "$VIỆN TRƯỞNG$",
        "Nguyễn <Văn> #A",
        "\\ @note",
    ] {
        assert!(
            contains_phrase(&text, phrase),
            "{phrase:?} not literal:\n{text}"
        );
    }
    assert!(!text.contains("alert('x')"), "script content is dropped");
}

#[test]
fn attachment_round_trips() {
    let doc = document(DocumentKind::Pact);
    let bytes = "{\"chữ ký\": [1, 2, 3]}\n\0\u{1}binary".as_bytes().to_vec();
    let attachment = Attachment {
        name: "chu-ky.json".into(),
        bytes: bytes.clone(),
    };
    let pdf = render_document(
        &doc,
        &letterhead(),
        &pact_signatures(),
        Some(&verification()),
        Some(&attachment),
    )
    .unwrap();
    assert_eq!(
        extract_attachment(&pdf, "chu-ky.json").unwrap(),
        Some(bytes)
    );
    assert_eq!(extract_attachment(&pdf, "other.json").unwrap(), None);

    let plain = render_document(&doc, &letterhead(), &[], None, None).unwrap();
    assert_eq!(extract_attachment(&plain, "chu-ky.json").unwrap(), None);

    assert!(matches!(
        extract_attachment(b"hello, not a pdf", "chu-ky.json"),
        Err(PdfError::NotPdf(_))
    ));
    assert!(extract_attachment(b"%PDF-1.7\ngarbage", "x").is_err());

    let bad = Attachment {
        name: "../x".into(),
        bytes: vec![1],
    };
    assert!(matches!(
        render_document(&doc, &letterhead(), &[], None, Some(&bad)),
        Err(PdfError::AttachmentName(_))
    ));
}

#[test]
fn a_thousand_row_list_paginates_with_its_header() {
    let columns = vec![
        Column {
            title: "STT".into(),
            width: 0.6,
        },
        Column {
            title: "Họ và tên".into(),
            width: 2.5,
        },
        Column {
            title: "Đơn vị".into(),
            width: 3.0,
        },
        Column {
            title: "Danh hiệu đăng ký".into(),
            width: 2.5,
        },
    ];
    let rows: Vec<Vec<String>> = (1..=1000)
        .map(|i| {
            vec![
                i.to_string(),
                format!("Nguyễn Thị Hồng Nhung {i}"),
                format!("Viện kiểm sát nhân dân huyện Cầu Kè số {i}"),
                "Chiến sĩ thi đua cơ sở".into(),
            ]
        })
        .collect();
    let pdf = render_table(
        &letterhead(),
        Some("12/DS-CTĐ13"),
        chrono::NaiveDate::from_ymd_opt(2024, 3, 5),
        "DANH SÁCH ĐĂNG KÝ DANH HIỆU THI ĐUA NĂM 2024",
        Some("(Kèm theo Kế hoạch số 01/KH-CTĐ13)"),
        &columns,
        &rows,
        Some(&pact_signatures()[0]),
        Some(&verification()),
    )
    .unwrap();
    let pages = page_count(&pdf);
    assert!(pages > 10, "1,000 rows take many pages, got {pages}");
    if let Some(text) = pdftotext(&pdf) {
        // The header row repeats: once per page.
        let headers = text.matches("Danh hiệu đăng ký").count();
        assert_eq!(headers, pages, "{text}");
        assert!(contains_phrase(&text, "Nguyễn Thị Hồng Nhung 1000"));
        assert!(contains_phrase(
            &text,
            "Viện kiểm sát nhân dân huyện Cầu Kè số 1000"
        ));
    }
}
