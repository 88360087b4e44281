//! Render times: the signed 6-member pact (target: median ≤ 150 ms) and a 1,000-entry
//! registration list (target: ≤ 1 s).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use criterion::{criterion_group, criterion_main, Criterion};
use thidua_domain::document::DocumentKind;
use thidua_pdf::{render_document, render_table, Column};

fn pact(c: &mut Criterion) {
    let doc = document(DocumentKind::Pact);
    let head = letterhead();
    let sigs = pact_signatures();
    let ver = verification();
    c.bench_function("render_document pact, 6 signatures", |b| {
        b.iter(|| render_document(&doc, &head, &sigs, Some(&ver), None).unwrap())
    });
    // typst memoises across renders: the figures that count are with new data each time
    // (another document number and verification code) and with the cache cleared.
    let mut n = 0u32;
    c.bench_function("render_document pact, new data each time", |b| {
        b.iter(|| {
            n += 1;
            let mut doc = doc.clone();
            doc.number = Some(format!("{n:02}/GƯTĐ-CTĐ13"));
            let mut ver = ver.clone();
            ver.code = format!("7KQ2M-{n:05}");
            render_document(&doc, &head, &sigs, Some(&ver), None).unwrap()
        })
    });
    c.bench_function("render_document pact, cold cache", |b| {
        b.iter(|| {
            typst::comemo::evict(0);
            render_document(&doc, &head, &sigs, Some(&ver), None).unwrap()
        })
    });
}

fn list(c: &mut Criterion) {
    let head = letterhead();
    let ver = verification();
    let sig = pact_signatures().remove(0);
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
    let mut group = c.benchmark_group("render_table");
    group.sample_size(10);
    group.bench_function("1,000 rows, cold cache", |b| {
        b.iter(|| {
            typst::comemo::evict(0);
            render_table(
                &head,
                Some("12/DS-CTĐ13"),
                chrono::NaiveDate::from_ymd_opt(2024, 3, 5),
                "DANH SÁCH ĐĂNG KÝ DANH HIỆU THI ĐUA NĂM 2024",
                None,
                &columns,
                &rows,
                Some(&sig),
                Some(&ver),
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, pact, list);
criterion_main!(benches);
