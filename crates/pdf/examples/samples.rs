//! Writes sample PDFs (every document kind, a signed pact with its attachment, a long list)
//! into a folder, to look at the layout: `cargo run -p thidua-pdf --example samples -- DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use thidua_domain::document::DocumentKind;
use thidua_pdf::{render_document, render_table, Attachment, Column, SignatureBlock};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let single = SignatureBlock {
        unit_name: "TM. CỤM THI ĐUA SỐ 13".into(),
        position: "TRƯỞNG CỤM\nVIỆN TRƯỞNG VKSND TỈNH TRÀ VINH".into(),
        signer_name: Some("Nguyễn Văn An".into()),
        note: Some("Đã ký số lúc 09:15 12/03/2024".into()),
    };
    for kind in DocumentKind::ALL {
        let doc = document(kind);
        let pdf = if kind == DocumentKind::Pact {
            let attachment = Attachment {
                name: "chu-ky.json".into(),
                bytes: b"{}".to_vec(),
            };
            render_document(
                &doc,
                &letterhead(),
                &pact_signatures(),
                Some(&verification()),
                Some(&attachment),
            )
        } else {
            render_document(
                &doc,
                &letterhead(),
                std::slice::from_ref(&single),
                None,
                None,
            )
        }
        .unwrap();
        std::fs::write(dir.join(format!("{}.pdf", kind.as_str())), pdf).unwrap();
    }
    let columns = [
        ("STT", 0.6),
        ("Họ và tên", 2.5),
        ("Đơn vị", 3.0),
        ("Danh hiệu", 2.5),
    ]
    .map(|(t, w)| Column {
        title: t.into(),
        width: w,
    });
    let rows: Vec<Vec<String>> = (1..=120)
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
        Some(&single),
        Some(&verification()),
    )
    .unwrap();
    std::fs::write(dir.join("list.pdf"), pdf).unwrap();
}
