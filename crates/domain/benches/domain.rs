use criterion::{black_box, criterion_group, criterion_main, Criterion};
use thidua_domain::audit::{chain_hash, AuditRecord, GENESIS};
use thidua_domain::text::{fold, sort_key};

fn text(c: &mut Criterion) {
    let name = "Viện kiểm sát nhân dân tỉnh Bà Rịa - Vũng Tàu";
    c.bench_function("fold unit name", |b| b.iter(|| fold(black_box(name))));
    c.bench_function("sort_key unit name", |b| {
        b.iter(|| sort_key(black_box(name)))
    });
    let names: Vec<String> = (0..1000)
        .map(|i| format!("Viện kiểm sát nhân dân huyện Đức Phổ {i}"))
        .collect();
    c.bench_function("sort 1000 names by key", |b| {
        b.iter(|| {
            let mut v: Vec<(String, &String)> = names.iter().map(|n| (sort_key(n), n)).collect();
            v.sort();
            black_box(v.len())
        })
    });
}

fn audit(c: &mut Criterion) {
    let r = AuditRecord {
        seq: 1,
        id: "0190f1e2-0000-7000-8000-000000000000".into(),
        at: "2026-01-01T00:00:00Z".into(),
        actor: Some("admin".into()),
        address: Some("127.0.0.1".into()),
        action: "update".into(),
        entity: "unit".into(),
        entity_id: "0190f1e2-0000-7000-8000-000000000001".into(),
        before: Some("{\"name\":\"Viện kiểm sát nhân dân tỉnh Trà Vinh\"}".into()),
        after: Some("{\"name\":\"Viện kiểm sát nhân dân tỉnh Vĩnh Long\"}".into()),
        prev_hash: GENESIS.into(),
        hash: String::new(),
    };
    c.bench_function("audit chain_hash", |b| {
        b.iter(|| chain_hash(black_box(&r), GENESIS))
    });
}

criterion_group!(benches, text, audit);
criterion_main!(benches);
