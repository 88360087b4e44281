//! The deep audit (issue 17, finding 3): changes made to the data by SQL, behind the
//! application's back, and the removal of the newest audit rows with the recorded head
//! rewritten to match, are found by `thidua audit verify --deep` / `--head SEQ:HASH` and by
//! the API. The commands run in-process (`thidua::audit_cmd`, what the binary runs).

use crate::cli::{db, Db};
use crate::common;

/// `thidua audit …` as the binary runs it: exit code and output.
fn run(db: &Db, args: &[&str]) -> (i32, String) {
    let url = db.url.clone();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let store = thidua::open_store(&url).await.expect("open");
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = match a.as_slice() {
                ["demo", "load"] => thidua::demo::load(&store, thidua::hash)
                    .await
                    .map(|_| (true, String::new())),
                ["audit", "seal"] => {
                    thidua::audit_cmd::seal(&store, &thidua_store::AuditCtx::system())
                        .await
                        .map(|o| (true, o))
                }
                ["audit", "verify", rest @ ..] => {
                    let deep = rest.contains(&"--deep");
                    let head = rest
                        .iter()
                        .position(|x| *x == "--head")
                        .map(|i| rest[i + 1]);
                    thidua::audit_cmd::verify(&store, deep, head).await
                }
                other => panic!("unknown command {other:?}"),
            };
            store.close().await;
            match r {
                Ok((true, out)) => (0, out),
                Ok((false, out)) => (2, out),
                Err(e) => (1, e.to_string()),
            }
        })
    })
    .join()
    .expect("command thread")
}

use sqlx::Row;

async fn conn(db: &Db) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url)
        .await
        .expect("connect")
}

async fn exec(c: &mut sqlx::AnyConnection, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let n = q.execute(c).await.expect(sql).rows_affected();
    assert_eq!(n, 1, "{sql} changed {n} rows");
}

async fn one(c: &mut sqlx::AnyConnection, sql: &str) -> String {
    sqlx::query(sql)
        .fetch_one(c)
        .await
        .expect(sql)
        .try_get(0)
        .expect("column")
}

/// A database with the demo data, checked intact (chain and data) before any tampering.
async fn demo_db() -> (Db, sqlx::AnyConnection) {
    let db = db().await;
    let (code, out) = run(&db, &["demo", "load"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&db, &["audit", "verify", "--deep"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit trail intact"), "{out}");
    assert!(out.contains("data intact"), "{out}");
    let c = conn(&db).await;
    (db, c)
}

/// `verify --deep` fails and names exactly this problem.
fn assert_deep_names(db: &Db, problem: &str, entity: &str, id: &str) {
    let (code, out) = run(db, &["audit", "verify", "--deep"]);
    assert_eq!(code, 2, "{out}");
    // The chain itself is intact: only the data tells.
    assert!(out.contains("audit trail intact"), "{out}");
    assert!(
        out.contains("DATA CHANGED OUTSIDE THE APPLICATION"),
        "{out}"
    );
    let line = format!("{problem} {entity} {id}");
    assert!(
        out.lines().any(|l| l.trim() == line),
        "no «{line}» in {out}"
    );
    // The plain check does not read the data: it still passes.
    assert_eq!(run(db, &["audit", "verify"]).0, 0);
}

#[tokio::test]
async fn deep_verify_names_an_award_changed_by_sql() {
    let (db, mut c) = demo_db().await;
    let id = one(&mut c, "SELECT id FROM awards ORDER BY id LIMIT 1").await;
    exec(
        &mut c,
        "UPDATE awards SET title_code = 'national_flag', award_year = award_year + 1 WHERE id = $1",
        &[&id],
    )
    .await;
    assert_deep_names(&db, "changed", "award", &id);
}

#[tokio::test]
async fn deep_verify_names_a_score_changed_by_sql() {
    let (db, mut c) = demo_db().await;
    let id = one(&mut c, "SELECT id FROM assessments ORDER BY id LIMIT 1").await;
    let input = one(
        &mut c,
        &format!("SELECT input_json FROM assessments WHERE id = '{id}'"),
    )
    .await;
    let mut v: serde_json::Value = serde_json::from_str(&input).expect("input json");
    let points = v["points"].as_object_mut().expect("points");
    let leaf = points.keys().next().expect("a scored leaf").clone();
    points.insert(leaf, serde_json::json!(99.5));
    exec(
        &mut c,
        "UPDATE assessments SET input_json = $1 WHERE id = $2",
        &[&v.to_string(), &id],
    )
    .await;
    assert_deep_names(&db, "changed", "assessment", &id);
}

#[tokio::test]
async fn deep_verify_names_a_ballot_changed_by_sql() {
    let (db, mut c) = demo_db().await;
    // A ballot for one candidate turned into a vote for another candidate of its election.
    let r = sqlx::query(
        "SELECT b.id, b.election_id, c.unit_id FROM ballots b \
         JOIN election_candidates c ON c.election_id = b.election_id \
         WHERE b.choice_unit_id IS NOT NULL AND c.unit_id <> b.choice_unit_id \
         ORDER BY b.id, c.unit_id LIMIT 1",
    )
    .fetch_one(&mut c)
    .await
    .expect("a ballot and another candidate");
    let (ballot, election, other): (String, String, String) = (r.get(0), r.get(1), r.get(2));
    exec(
        &mut c,
        "UPDATE ballots SET choice_unit_id = $1 WHERE id = $2",
        &[&other, &ballot],
    )
    .await;
    assert_deep_names(&db, "changed", "election", &election);
}

#[tokio::test]
async fn deep_verify_names_a_role_granted_by_sql() {
    let (db, mut c) = demo_db().await;
    // The viewer `xem` made an administrator by a new role row.
    let xem = one(&mut c, "SELECT id FROM users WHERE username = 'xem'").await;
    exec(
        &mut c,
        "INSERT INTO grants (id, user_id, role, scope_unit_id, scope_key, created_at) \
         VALUES ('00000000-0000-7000-8000-00000000dead', $1, 'admin', NULL, '*', '2026-01-01T00:00:00Z')",
        &[&xem],
    )
    .await;
    assert_deep_names(&db, "changed", "user", &xem);
}

#[tokio::test]
async fn deep_verify_names_rows_deleted_or_added_by_sql() {
    let (db, mut c) = demo_db().await;
    let gone = one(&mut c, "SELECT id FROM awards ORDER BY id DESC LIMIT 1").await;
    exec(&mut c, "DELETE FROM awards WHERE id = $1", &[&gone]).await;
    assert_deep_names(&db, "deleted", "award", &gone);
    // A made-up award, copied from a real one under a new id.
    let model = one(&mut c, "SELECT id FROM awards ORDER BY id LIMIT 1").await;
    let fake = "00000000-0000-7000-8000-00000000beef";
    exec(
        &mut c,
        "INSERT INTO awards (id, award_year, title_code, unit_id, created_at) \
         SELECT $1, award_year, title_code, unit_id, created_at FROM awards WHERE id = $2",
        &[fake, &model],
    )
    .await;
    assert_deep_names(&db, "added", "award", fake);
    assert_deep_names(&db, "deleted", "award", &gone);
    // `audit seal` seals what was never sealed (the added row, in the trail as a `seal`
    // event), never what was changed or deleted.
    let (code, out) = run(&db, &["audit", "seal"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sealed 1 entities"), "{out}");
    let (code, out) = run(&db, &["audit", "verify", "--deep"]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(fake), "{out}");
    assert!(out.contains(&format!("deleted award {gone}")), "{out}");
}

/// The chain head printed by `audit verify`.
fn published_head(db: &Db) -> (i64, String) {
    let (code, out) = run(db, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    let head = out
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .unwrap_or_else(|| panic!("no chain head in {out}"));
    let (seq, hash) = head.trim().split_once(':').expect("SEQ:HASH");
    (seq.parse().expect("seq"), hash.to_owned())
}

#[tokio::test]
async fn verify_with_a_published_head_finds_the_newest_rows_removed() {
    let (db, mut c) = demo_db().await;
    let (seq, hash) = published_head(&db);
    let arg = format!("{seq}:{hash}");
    let (code, out) = run(&db, &["audit", "verify", "--head", &arg]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is in the chain"), "{out}");
    // Remove the five newest rows and rewrite the recorded head to the row before them.
    let keep = seq - 5;
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(keep)
        .execute(&mut c)
        .await
        .expect("delete");
    let earlier = one(
        &mut c,
        &format!("SELECT hash FROM audit_events WHERE seq = {keep}"),
    )
    .await;
    sqlx::query("UPDATE audit_head SET seq = $1, global_seq = $1, hash = $2 WHERE id = 1")
        .bind(keep)
        .bind(&earlier)
        .execute(&mut c)
        .await
        .expect("rewrite head");
    // The chain alone cannot tell…
    let (code, out) = run(&db, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("chain head: {keep}:{earlier}")),
        "{out}"
    );
    // …the head published earlier can.
    let (code, out) = run(&db, &["audit", "verify", "--head", &arg]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("published_head_missing"), "{out}");
    assert!(out.contains(&format!("\"seq\":{seq}")), "{out}");
    // A head published before the removed rows still checks out.
    let older = format!("{keep}:{earlier}");
    assert_eq!(run(&db, &["audit", "verify", "--head", &older]).0, 0);
    // A malformed head is refused, not ignored.
    assert_ne!(run(&db, &["audit", "verify", "--head", "12"]).0, 0);
}

#[tokio::test]
async fn api_and_auditor_page_report_the_data_and_a_published_head() {
    let app = common::spawn_demo().await;
    let s = app.demo("admin").await;
    let get = |path: String| {
        let http = s.http.clone();
        let url = app.url(&path);
        async move {
            let r = http.get(url).send().await.expect("get");
            assert_eq!(r.status(), 200);
            r.json::<serde_json::Value>().await.expect("json")
        }
    };
    let v = get("/api/v1/audit/verify?deep=true".into()).await;
    assert!(v["first_break"].is_null(), "{v}");
    assert_eq!(v["data"]["problem_count"], 0, "{v}");
    assert!(v["data"]["entities"].as_u64().unwrap_or(0) > 100, "{v}");
    let head = format!(
        "{}:{}",
        v["head_seq"].as_i64().expect("head_seq"),
        v["head_hash"].as_str().expect("head_hash")
    );
    // Tamper with an award by SQL.
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .expect("connect");
    let r = sqlx::query("SELECT id, note FROM awards ORDER BY id LIMIT 1")
        .fetch_one(&mut c)
        .await
        .expect("award");
    let (id, note): (String, Option<String>) = (r.get(0), r.get(1));
    sqlx::query("UPDATE awards SET note = 'x' WHERE id = $1")
        .bind(&id)
        .execute(&mut c)
        .await
        .expect("tamper");
    let v = get("/api/v1/audit/verify?deep=true".into()).await;
    assert_eq!(v["data"]["problem_count"], 1, "{v}");
    assert_eq!(
        v["data"]["problems"][0],
        serde_json::json!({"problem": "changed", "entity": "award", "entity_id": id})
    );
    // The auditor's page shows the head to publish and, asked to, the same finding.
    let page = s
        .http
        .get(app.url("/audit?verify=1&deep=1"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("data-deep=\"changed\""), "{page}");
    assert!(page.contains(&id), "{page}");
    assert!(page.contains("class=\"audit-head\""), "{page}");
    // The head published earlier is still in the chain (logins since only extended it).
    let v = get(format!("/api/v1/audit/verify?head={head}")).await;
    assert!(v["first_break"].is_null(), "{v}");
    let v = get(format!(
        "/api/v1/audit/verify?head={}:{}",
        v["head_seq"].as_i64().expect("seq") + 1,
        "0".repeat(64)
    ))
    .await;
    assert_eq!(v["first_break"]["problem"], "published_head_missing", "{v}");
    let r = s
        .http
        .get(app.url("/api/v1/audit/verify?head=nonsense"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 422);
    // Put the award back: intact again.
    sqlx::query("UPDATE awards SET note = $1 WHERE id = $2")
        .bind(note)
        .bind(&id)
        .execute(&mut c)
        .await
        .expect("restore");
    let v = get("/api/v1/audit/verify?deep=true".into()).await;
    assert_eq!(v["data"]["problem_count"], 0, "{v}");
}

#[tokio::test]
async fn an_upgraded_database_is_sealed_once_at_startup() {
    let (db, mut c) = demo_db().await;
    // Rows from before the deep audit: no event sealed them, and the one-time seal has not
    // run yet.
    let model = one(&mut c, "SELECT id FROM awards ORDER BY id LIMIT 1").await;
    let old = "00000000-0000-7000-8000-0000000001d5";
    exec(
        &mut c,
        "INSERT INTO awards (id, award_year, title_code, unit_id, created_at) \
         SELECT $1, award_year, title_code, unit_id, created_at FROM awards WHERE id = $2",
        &[old, &model],
    )
    .await;
    exec(
        &mut c,
        "DELETE FROM app_meta WHERE meta_key = 'deep_audit_sealed'",
        &[],
    )
    .await;
    // Opening the store (as `thidua serve` does) seals it, with a `seal` event…
    let (code, out) = run(&db, &["audit", "verify", "--deep"]);
    assert_eq!(code, 0, "{out}");
    let sealed = one(
        &mut c,
        &format!("SELECT action FROM audit_events WHERE entity = 'award' AND entity_id = '{old}'"),
    )
    .await;
    assert_eq!(sealed, "seal");
    // …once: data added later is reported, not sealed.
    exec(&mut c, "DELETE FROM awards WHERE id = $1", &[old]).await;
    assert_deep_names(&db, "deleted", "award", old);
}
