//! Sample documents shared by the tests (the example and the benchmark build the same ones).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use thidua_domain::document::{template, DocumentContent, DocumentKind};
use thidua_pdf::{Letterhead, SignatureBlock, Verification};

pub const THEME: &str = "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024";
pub const MOTTO: &str = "Đoàn kết, trách nhiệm – kỷ cương, liêm chính – bản lĩnh, hiệu quả";
pub const GROUP: &str = "Cụm thi đua số 13";

pub fn governing_documents() -> Vec<(String, String, String, String)> {
    vec![
        (
            "06/2022/QH15".into(),
            "15/6/2022".into(),
            "Quốc hội".into(),
            "Luật Thi đua, khen thưởng".into(),
        ),
        (
            "01/CT-VKSTC".into(),
            "05/01/2024".into(),
            "Viện trưởng Viện kiểm sát nhân dân tối cao".into(),
            "Chỉ thị về công tác năm 2024 của ngành Kiểm sát nhân dân".into(),
        ),
        (
            "09/HD-VKSTC".into(),
            "01/3/2024".into(),
            "Viện kiểm sát nhân dân tối cao".into(),
            "Hướng dẫn công tác thi đua, khen thưởng năm 2024".into(),
        ),
    ]
}

pub fn document(kind: DocumentKind) -> DocumentContent {
    let mut doc = template(kind, 2024, GROUP, THEME, MOTTO, &governing_documents());
    doc.number = Some("01/GƯTĐ-CTĐ13".into());
    doc.place = Some("Trà Vinh".into());
    doc.date = NaiveDate::from_ymd_opt(2024, 3, 5);
    doc
}

pub fn letterhead() -> Letterhead {
    Letterhead {
        parent_body: None,
        issuer: "CỤM THI ĐUA SỐ 13\nVIỆN KIỂM SÁT NHÂN DÂN".into(),
        place: Some("Trà Vinh".into()),
    }
}

pub const SIGNERS: [(&str, &str); 6] = [
    ("Viện kiểm sát nhân dân tỉnh Trà Vinh", "Nguyễn Văn An"),
    (
        "Viện kiểm sát nhân dân tỉnh Vĩnh Long",
        "Trần Thị Bích Ngọc",
    ),
    ("Viện kiểm sát nhân dân tỉnh Bến Tre", "Lê Hoàng Phúc"),
    ("Viện kiểm sát nhân dân tỉnh Sóc Trăng", "Phạm Minh Đức"),
    ("Viện kiểm sát nhân dân tỉnh Hậu Giang", "Hồ Thị Thu Hằng"),
    ("Viện kiểm sát nhân dân thành phố Cần Thơ", "Võ Quốc Huy"),
];

pub fn pact_signatures() -> Vec<SignatureBlock> {
    SIGNERS
        .iter()
        .enumerate()
        .map(|(i, (unit, name))| SignatureBlock {
            unit_name: unit.to_string(),
            position: "VIỆN TRƯỞNG".into(),
            signer_name: Some(name.to_string()),
            note: (i % 2 == 0).then(|| format!("Đã ký số lúc 09:{:02} 12/03/2024", 10 + i)),
        })
        .collect()
}

pub fn verification() -> Verification {
    Verification {
        code: "7KQ2M-9XA3F".into(),
        url: "https://thidua.example.vn/xac-thuc/7KQ2M-9XA3F".into(),
        content_hash: "9f2c1d8e4b7a6c5d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d".into(),
    }
}

/// Text of a PDF from poppler's pdftotext. `None` (with a note) when pdftotext is missing,
/// except under CI, where a missing pdftotext fails the test instead of skipping it.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let available = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !available {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("pdftotext is missing (install poppler-utils): CI must run the PDF text checks");
        }
        eprintln!("NOTE: pdftotext not found (apt-get install poppler-utils): text check skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    Some(String::from_utf8(out.stdout).unwrap())
}

pub fn page_count(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
}
