//! The synthetic country (`thidua demo generate`): the same seed writes the same rows,
//! another seed other rows; the audit chain stays whole; a second run is refused; the
//! server reads what was generated. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

use sqlx::Row;
use thidua::demo::national::{self, Counts, Scale};

use crate::common::{self, spawn_demo};

/// Generate the small country into a fresh database: what was written, the row counts
/// and the fingerprint read back.
async fn run(seed: u64) -> (Counts, Vec<(String, u64)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_db(dir.path()).await;
    let store = thidua::open_store(&url).await.unwrap();
    let c = national::generate(&store, Scale::Small, seed, false)
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.first_break.is_none(), "{report:?}");
    assert!(report.checked > 10, "one audit event per batch: {report:?}");

    // A second run is refused, and writes nothing.
    let head = store.head_seq().await.unwrap();
    let err = national::generate(&store, Scale::Small, seed + 1, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already holds generated data"), "{err}");
    assert_eq!(store.head_seq().await.unwrap(), head);

    let (counts, fp) = national::fingerprint(&store).await.unwrap();
    store.close().await;
    (c, counts, fp)
}

#[tokio::test]
async fn the_small_country_is_deterministic_from_its_seed_and_audited() {
    let (c1, n1, f1) = run(7).await;
    let (c2, n2, f2) = run(7).await;
    let (c3, n3, f3) = run(8).await;
    assert_eq!(c1, c2);
    assert_eq!(n1, n2);
    assert_eq!(f1, f2, "same seed, same content");
    assert_ne!(f1, f3, "another seed, other content");
    // The same tree of units; other head counts, groups, names and awards.
    assert_eq!(c1.units, c3.units);
    assert_ne!(c1.awards, c3.awards);
    // What the generator says it wrote is what the tables hold.
    let n: std::collections::BTreeMap<String, u64> = n1.into_iter().collect();
    assert_eq!(n["units"], c1.units);
    assert_eq!(n["people"], c1.people);
    assert_eq!(n["emulation_groups"], c1.groups);
    assert_eq!(n["group_members"], c1.group_members);
    assert_eq!(n["registrations"], c1.registrations);
    assert_eq!(n["assessments"], c1.assessments);
    assert_eq!(n["awards"], c1.awards);
    assert_eq!(n3.len(), n.len());
    // ≈ 1/100 of the country.
    assert_eq!(c1.units, 948);
    assert!((25_000..40_000).contains(&c1.people), "{c1:?}");
    assert!((40_000..70_000).contains(&c1.awards), "{c1:?}");
    assert_eq!(c1.years, 28 * 10);
}

#[tokio::test]
async fn the_server_reads_the_generated_country_next_to_the_demo() {
    let app = spawn_demo().await;
    // The generator bulk-loads rows without per-entity audit events: its data is unsealed
    // until `thidua audit seal`.
    app.tampered();
    let seed = 3;
    let c = national::generate(&app.store, Scale::Small, seed, false)
        .await
        .unwrap();
    assert!(app
        .store
        .verify_audit()
        .await
        .unwrap()
        .first_break
        .is_none());
    let s = app.demo("admin").await;

    // A sector's 2024 cluster 1: its ranking under the demo scheme, from the scores.
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .unwrap();
    let gid: String = sqlx::query(
        "SELECT g.id FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id \
         JOIN councils c ON c.id = y.council_id JOIN units u ON u.id = c.unit_id \
         WHERE u.code = 'N01' AND y.year = 2024 AND g.kind = 'cluster' AND g.number = 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    let r = s.get(&format!("/api/v1/groups/{gid}/ranking")).await;
    assert_eq!(r.status(), 200);
    let ranking: serde_json::Value = r.json().await.unwrap();
    let text = ranking.to_string();
    assert!(text.contains("N01-P0"), "{text}");
    assert_eq!(s.get(&format!("/groups/{gid}/ranking")).await.status(), 200);

    // A person's award history and the registry's search.
    let pid = national::person_id(seed, 0);
    let r = s.get(&format!("/people/{pid}/awards")).await;
    assert_eq!(r.status(), 200);
    let r = s.get("/units?q=N01-P01-D01").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("N01-P01-D01"));
    let r = s.get("/api/v1/units?q=so+y+te&per_page=50").await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["total"].as_i64().unwrap() > 6, "{v}");
    assert!(c.awards > 0);
}
