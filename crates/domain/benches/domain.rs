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
        data_hash: None,
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

/// A deterministic generator (SplitMix64), so every run scores the same units.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

/// A provincial-size table and more: 6 sections of 50 leaves (each section in 5 sub-groups of
/// 10), manual, indicator (linear and steps), bonus and deduction leaves, 30 indicators.
fn scoring_scheme() -> thidua_domain::scoring::Scheme {
    use thidua_domain::scoring::{
        Band, Direction, Formula, Indicator, Node, Points, Rate, Scheme, Step, TieBreak,
    };
    let indicators: Vec<Indicator> = (0..30)
        .map(|i| {
            let higher = i % 3 != 0;
            Indicator {
                code: format!("CT{i}"),
                name: format!("Chỉ tiêu {i}"),
                numerator: String::new(),
                denominator: String::new(),
                direction: if higher {
                    Direction::Higher
                } else {
                    Direction::Lower
                },
                target: Rate(if higher { 9000 } else { 500 }),
                basis: String::new(),
            }
        })
        .collect();
    let mut n = 0usize;
    let criteria = (0..6)
        .map(|s| Node::Group {
            code: format!("S{s}"),
            title: format!("Phần {s}"),
            guidance: String::new(),
            items: (0..5)
                .map(|g| Node::Group {
                    code: format!("S{s}.{g}"),
                    title: format!("Nhóm {s}.{g}"),
                    guidance: String::new(),
                    items: (0..10)
                        .map(|j| {
                            n += 1;
                            let code = format!("S{s}.{g}.{j}");
                            let title = format!("Tiêu chí {n}");
                            let guidance = String::new();
                            match j {
                                0..=3 => Node::Manual {
                                    code,
                                    title,
                                    guidance,
                                    max: Points(500),
                                    evidence_required: j == 0,
                                },
                                4..=6 => {
                                    let ind = &indicators[n % indicators.len()];
                                    let higher = ind.direction == Direction::Higher;
                                    let formula = if j == 5 {
                                        let steps = |v: [(i64, i64); 3]| Formula::Steps {
                                            steps: v
                                                .iter()
                                                .map(|&(at, p)| Step {
                                                    at: Rate(at),
                                                    points: Points(p),
                                                })
                                                .collect(),
                                        };
                                        if higher {
                                            steps([(7000, 200), (8000, 500), (9000, 1000)])
                                        } else {
                                            steps([(500, 1000), (1000, 500), (2000, 200)])
                                        }
                                    } else if higher {
                                        Formula::Linear {
                                            zero_at: Rate(7000),
                                            full_at: Rate(9500),
                                        }
                                    } else {
                                        Formula::Linear {
                                            zero_at: Rate(2000),
                                            full_at: Rate(0),
                                        }
                                    };
                                    Node::Indicator {
                                        code,
                                        title,
                                        guidance,
                                        max: Points(1000),
                                        indicator: ind.code.clone(),
                                        formula,
                                    }
                                }
                                7 | 8 => Node::Bonus {
                                    code,
                                    title,
                                    guidance,
                                    max: Points(200),
                                },
                                _ => Node::Deduction {
                                    code,
                                    title,
                                    guidance,
                                    max: Points(600),
                                    per_occurrence: Points(200),
                                },
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Scheme {
        title: "Bảng chấm điểm 300 tiêu chí".into(),
        legal_basis: "424/QĐ-VKSTC".into(),
        criteria,
        indicators,
        bonus_cap: Points(3000),
        bands: vec![
            Band {
                key: "excellent".into(),
                label: "Hoàn thành xuất sắc".into(),
                min: Points(112_000),
            },
            Band {
                key: "good".into(),
                label: "Hoàn thành tốt".into(),
                min: Points(97_000),
            },
            Band {
                key: "done".into(),
                label: "Hoàn thành".into(),
                min: Points(87_000),
            },
        ],
        tie_breaks: vec![
            TieBreak::Section { code: "S0".into() },
            TieBreak::FewerDeductions,
            TieBreak::HigherBase,
        ],
    }
}

/// What 10,000 units entered: most leaves filled in, a few left out, points mostly in the upper
/// half, rates around the targets.
fn scoring_inputs(c: &thidua_domain::scoring::Compiled) -> Vec<thidua_domain::scoring::Input> {
    use thidua_domain::scoring::{Counts, Direction, Input, LeafKind, Points};
    let mut rng = Mix(2024);
    (0..10_000)
        .map(|_| {
            let mut i = Input::default();
            for l in &c.leaves {
                if rng.below(50) == 0 {
                    continue;
                }
                match l.kind {
                    LeafKind::Manual { .. } => {
                        let half = l.max.0 / 2;
                        let p = half + rng.below(half as u64 + 1);
                        i.points.insert(l.code.clone(), Points(p));
                    }
                    LeafKind::Bonus => {
                        if rng.below(3) == 0 {
                            let p = rng.below(l.max.0 as u64 + 1);
                            i.points.insert(l.code.clone(), Points(p));
                        }
                    }
                    LeafKind::Deduction { .. } => {
                        if rng.below(4) == 0 {
                            i.occurrences.insert(l.code.clone(), rng.below(4) as u32);
                        }
                    }
                    LeafKind::Indicator { .. } => {}
                }
            }
            for ind in &c.scheme.indicators {
                let denominator = 50 + rng.below(500);
                let numerator = match ind.direction {
                    // 75 % to 100 % against a target of 90 %.
                    Direction::Higher => denominator - rng.below(denominator as u64 / 4 + 1),
                    // 0 % to 15 % against a target of 5 %.
                    Direction::Lower => rng.below(denominator as u64 * 3 / 20 + 1),
                };
                i.indicators.insert(
                    ind.code.clone(),
                    Counts {
                        numerator,
                        denominator,
                    },
                );
            }
            i
        })
        .collect()
}

fn scoring(c: &mut Criterion) {
    use thidua_domain::scoring::{Card, Compiled, Points};
    let compiled = Compiled::new(scoring_scheme()).expect("valid scheme");
    assert_eq!(compiled.leaves.len(), 300);
    let inputs = scoring_inputs(&compiled);
    let mut g = c.benchmark_group("scoring");
    g.sample_size(10);
    g.bench_function(
        "10000 units x 300 leaves: leaf_points + card + classify, rank",
        |b| {
            b.iter(|| {
                let cards: Vec<Card> = inputs
                    .iter()
                    .map(|i| {
                        let card = compiled.card(&compiled.leaf_points(i));
                        black_box(compiled.classify(card.total));
                        card
                    })
                    .collect();
                let refs: Vec<&Card> = cards.iter().collect();
                black_box(compiled.rank(&refs))
            })
        },
    );
    let points: Vec<Vec<Option<Points>>> = inputs.iter().map(|i| compiled.leaf_points(i)).collect();
    g.bench_function("10000 units x 300 leaves: leaf_points only", |b| {
        b.iter(|| {
            for i in &inputs {
                black_box(compiled.leaf_points(i));
            }
        })
    });
    g.bench_function(
        "10000 units x 300 leaves: card + classify from leaf points",
        |b| {
            b.iter(|| {
                for p in &points {
                    let card = compiled.card(p);
                    black_box(compiled.classify(card.total));
                    black_box(card);
                }
            })
        },
    );
    let cards: Vec<Card> = points.iter().map(|p| compiled.card(p)).collect();
    let refs: Vec<&Card> = cards.iter().collect();
    g.bench_function("rank 10000 cards", |b| {
        b.iter(|| black_box(compiled.rank(&refs)))
    });
    g.finish();
}

criterion_group!(benches, text, audit, tally, documents, scoring);
criterion_main!(benches);
