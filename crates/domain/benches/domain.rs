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

fn tally(c: &mut Criterion) {
    use thidua_domain::election::{tally, Choice, Rule};
    let cands: Vec<String> = (0..6).map(|i| format!("unit-{i}")).collect();
    let ballots: Vec<Choice> = (0..6).map(|i| Choice::For(cands[i % 3].clone())).collect();
    c.bench_function("tally 6 members", |b| {
        b.iter(|| tally(black_box(&Rule::default()), 6, &cands, &ballots))
    });
}

fn documents(c: &mut Criterion) {
    use thidua_domain::document::{content_hash, template, DocumentKind};
    use thidua_domain::signature::{sign, verify_document, SignatureRecord, SigningStatement};
    let docs = vec![(
        "09/HD-VKSTC".to_owned(),
        "01/3/2024".to_owned(),
        "VKSND tối cao".to_owned(),
        "Về tổ chức và hoạt động của các Cụm thi đua".to_owned(),
    )];
    let pact = template(
        DocumentKind::Pact,
        2024,
        "Cụm thi đua số 13",
        "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024",
        "Đoàn kết, trách nhiệm – kỷ cương, liêm chính – bản lĩnh, hiệu quả",
        &docs,
    );
    c.bench_function("content_hash pact", |b| {
        b.iter(|| content_hash(black_box(&pact)))
    });
    let hash = content_hash(&pact);
    let units: Vec<String> = (0..10).map(|i| format!("unit-{i}")).collect();
    let records: Vec<SignatureRecord> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let key = ed25519_dalek::SigningKey::from_bytes(&[i as u8 + 1; 32]);
            let statement = SigningStatement {
                document_id: "doc".into(),
                version: 1,
                content_hash: hash.clone(),
                signer_user_id: format!("user-{i}"),
                unit_id: u.clone(),
                signed_at: "2024-03-29T02:00:00Z".into(),
            };
            SignatureRecord {
                signature: sign(&key, &statement),
                public_key: hex::encode(key.verifying_key().to_bytes()),
                statement,
            }
        })
        .collect();
    c.bench_function("verify document with 10 signatures", |b| {
        b.iter(|| verify_document("doc", 1, black_box(&hash), &units, &records))
    });
}

criterion_group!(benches, text, audit, tally, documents);
criterion_main!(benches);
