//! End-to-end tests of the foundation through the real server: units, people, lineage,
//! imports, permissions, CSRF, sessions, tokens, the audit trail. Run on SQLite, and on
//! PostgreSQL when THIDUA_TEST_DATABASE_URL is set.

use crate::common::{client, spawn_demo};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json body")
}

#[tokio::test]
async fn search_without_diacritics_in_vietnamese_order() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let v = body(s.get("/api/v1/units?q=tra%20vinh").await).await;
    let names: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["name"].as_str().unwrap_or(""))
        .collect();
    assert!(
        names.contains(&"Viện kiểm sát nhân dân tỉnh Trà Vinh"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("Sóc Trăng")));
    // The page too, without JavaScript.
    let html = s.get("/units?q=tra+vinh").await.text().await.expect("text");
    assert!(html.contains("Viện kiểm sát nhân dân tỉnh Trà Vinh"));
    // Vietnamese order: "Bà Rịa" before "Bạc Liêu" before "Bắc Giang" before "Bắc Kạn".
    let v = body(s.get("/api/v1/units?kind=provincial&per_page=200").await).await;
    let names: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["name"].as_str().unwrap_or("").to_owned())
        .collect();
    let pos = |n: &str| {
        names
            .iter()
            .position(|x| x.ends_with(n))
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    assert!(pos("Bà Rịa - Vũng Tàu") < pos("Bạc Liêu"));
    assert!(pos("Bạc Liêu") < pos("Bắc Giang"));
    assert!(pos("Bắc Giang") < pos("Bắc Kạn"));
    assert!(pos("tỉnh Đồng Tháp") > pos("tỉnh Điện Biên"));
}

#[tokio::test]
async fn valid_on_date_and_pagination() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let v = body(
        s.get("/api/v1/units?kind=provincial&valid_on=2025-07-01&per_page=200")
            .await,
    )
    .await;
    assert_eq!(v["total"], 34, "34 provincial procuracies from 1/7/2025");
    let v = body(
        s.get("/api/v1/units?kind=provincial&valid_on=2024-03-29&per_page=200")
            .await,
    )
    .await;
    assert_eq!(v["total"], 63, "63 before the 2025 mergers");
    let v = body(s.get("/api/v1/units?per_page=1000").await).await;
    assert_eq!(v["per_page"], 200, "page size is capped");
    let r = s.get("/api/v1/units?valid_on=31/02/2024").await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn admin_creates_and_edits_with_optimistic_concurrency() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let parent = app.unit_id("P-ANGIANG").await;
    let r = s
        .post_json("/api/v1/units", &json!({"code": "T-1", "kind": "regional", "name": "  Viện kiểm sát nhân dân khu vực 1 – An Giang ", "parent_id": parent, "valid_from": "2025-07-01"}))
        .await;
    assert_eq!(r.status(), 201);
    let u = body(r).await;
    assert_eq!(u["name"], "Viện kiểm sát nhân dân khu vực 1 – An Giang");
    let id = u["id"].as_str().expect("id").to_owned();
    let mut edit = json!({"code": "T-1", "kind": "regional", "name": "VKSND khu vực 1 (An Giang)", "parent_id": parent, "version": 1});
    let r = s.put_json(&format!("/api/v1/units/{id}"), &edit).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["version"], 2);
    // Someone saved first: the stale version is refused with the current state.
    edit["name"] = json!("Another name");
    let r = s.put_json(&format!("/api/v1/units/{id}"), &edit).await;
    assert_eq!(r.status(), 409);
    let p = body(r).await;
    assert_eq!(p["current"]["name"], "VKSND khu vực 1 (An Giang)");
    assert_eq!(
        body(s.get(&format!("/api/v1/units/{id}")).await).await["name"],
        "VKSND khu vực 1 (An Giang)"
    );
    // Every write is in the audit trail.
    let a = body(
        s.get(&format!("/api/v1/audit?entity=unit&entity_id={id}"))
            .await,
    )
    .await;
    assert_eq!(a["total"], 2);
    assert_eq!(a["items"][0]["actor"], "admin");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let before = body(s.get("/api/v1/units?per_page=1").await).await["total"]
        .as_i64()
        .expect("total");
    let cases = [
        (
            json!({"code": "X", "kind": "district", "name": ""}),
            "name",
            "err-required",
        ),
        (
            json!({"code": "X", "kind": "district", "name": "a".repeat(256)}),
            "name",
            "err-too-long",
        ),
        (
            json!({"code": "X", "kind": "district", "name": "A", "valid_from": "2025-07-01", "valid_to": "2025-06-30"}),
            "valid_to",
            "err-end-before-start",
        ),
        (
            json!({"code": "X", "kind": "nope", "name": "A"}),
            "kind",
            "err-bad-kind",
        ),
        (
            json!({"code": "X", "kind": "district", "name": "A", "valid_from": "2025-02-30"}),
            "valid_from",
            "err-bad-date",
        ),
        (
            json!({"code": "X", "kind": "district", "name": "A", "parent_id": "no-such-unit"}),
            "parent_id",
            "err-unknown-parent",
        ),
    ];
    for (b, field, key) in cases {
        let r = s.post_json("/api/v1/units", &b).await;
        let status = r.status();
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p = body(r).await;
        assert_eq!(status, 422, "{b} → {p}");
        assert!(
            p["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .any(|e| e["field"] == field && e["key"] == key),
            "{p}"
        );
        assert!(p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Duplicate code.
    let r = s
        .post_json(
            "/api/v1/units",
            &json!({"code": "P-TRAVINH", "kind": "provincial", "name": "Trùng"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(body(r).await["title"]
        .as_str()
        .expect("title")
        .contains("P-TRAVINH"));
    // Malformed JSON, wrong content type, unknown id.
    let r = s
        .http
        .post(s.url("/api/v1/units"))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = s
        .http
        .post(s.url("/api/v1/units"))
        .header("x-csrf-token", &s.csrf)
        .body("code=1")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 415);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = s
        .get("/api/v1/units/01234567-0000-7000-8000-000000000000")
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // A parent that would make a cycle.
    let root = body(
        s.get(&format!("/api/v1/units/{}", app.unit_id("VKSTC").await))
            .await,
    )
    .await;
    let child = app.unit_id("P-TRAVINH").await;
    let r = s
        .put_json(&format!("/api/v1/units/{}", root["id"].as_str().expect("id")), &json!({"code": "VKSTC", "kind": "supreme", "name": root["name"], "parent_id": child, "version": root["version"]}))
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["key"], "err-parent-cycle");
    let after = body(s.get("/api/v1/units?per_page=1").await).await["total"]
        .as_i64()
        .expect("total");
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn form_errors_are_shown_beside_their_fields_in_vietnamese() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let r = s
        .post_form(
            "/units",
            &[
                ("code", ""),
                ("kind", "district"),
                ("name", ""),
                ("valid_from", "2025-07-01"),
                ("valid_to", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains(r#"id="name-err">Trường này là bắt buộc."#),
        "{html}"
    );
    assert!(html.contains("Ngày kết thúc phải sau ngày bắt đầu."));
    assert!(html.contains(r#"aria-invalid="true""#));
}

#[tokio::test]
async fn csrf_token_is_required_for_session_writes() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let b = json!({"code": "CSRF-1", "kind": "district", "name": "A"});
    let r = s
        .http
        .post(s.url("/api/v1/units"))
        .json(&b)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    assert_eq!(body(r).await["type"], "/problems/err-csrf");
    let r = s
        .http
        .post(s.url("/api/v1/units"))
        .header("x-csrf-token", "0".repeat(64))
        .json(&b)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    // A form post without the token.
    let r = s
        .http
        .post(s.url("/units"))
        .form(&[("code", "CSRF-2"), ("kind", "district"), ("name", "A")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    // A cross-site request with the right token is refused too.
    let r = s
        .http
        .post(s.url("/api/v1/units"))
        .header("x-csrf-token", &s.csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&b)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    assert!(app.store.unit_by_code("CSRF-1").await.expect("q").is_none());
    assert!(app.store.unit_by_code("CSRF-2").await.expect("q").is_none());
    let r = s.post_json("/api/v1/units", &b).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn viewer_cannot_create_a_unit() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let r = s
        .post_json(
            "/api/v1/units",
            &json!({"code": "V-1", "kind": "district", "name": "A"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = s.get("/units/new").await;
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Bạn không có quyền thực hiện thao tác này."));
    let r = s
        .post_form(
            "/units",
            &[("code", "V-2"), ("kind", "district"), ("name", "A")],
        )
        .await;
    assert_eq!(r.status(), 403);
    // Anonymous: 401 for the API, the sign-in page for pages.
    let anon = client();
    let r = anon
        .get(app.url("/api/v1/units"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let r = anon.get(app.url("/units")).send().await.expect("send");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/units");
}

/// Every role's allowed and refused actions on units, people, audit and accounts.
#[tokio::test]
async fn permission_matrix_by_role_and_scope() {
    let app = spawn_demo().await;
    let angiang = app.unit_id("P-ANGIANG").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let soctrang = app.unit_id("P-SOCTRANG").await;
    let mut n = 0;
    let mut create = |who: &'static str, parent: Option<String>| {
        n += 1;
        (
            who,
            json!({"code": format!("PM-{n}"), "kind": "district", "name": format!("Đơn vị thử {n}"), "parent_id": parent}),
        )
    };
    // (who, body, expected status) for unit creation.
    let cases = vec![
        (create("admin", None), 201),
        (create("thuongtruc", Some(angiang.clone())), 201),
        (create("thuongtruc.angiang", Some(angiang.clone())), 201),
        (create("thuongtruc.angiang", Some(travinh.clone())), 403),
        (create("thuongtruc.angiang", None), 403),
        (create("lanhdao.travinh", Some(travinh.clone())), 403),
        (create("canbo.travinh", Some(travinh.clone())), 403),
        (create("theodoi", Some(travinh.clone())), 403),
        (create("kiemtra", Some(travinh.clone())), 403),
        (create("xem", Some(travinh.clone())), 403),
    ];
    for ((who, b), want) in cases {
        let s = app.demo(who).await;
        let r = s.post_json("/api/v1/units", &b).await;
        assert_eq!(r.status(), want, "{who} creating {b}");
    }
    // People: the unit's officer for their own unit only.
    for (who, unit, want) in [
        ("canbo.travinh", &travinh, 201),
        ("canbo.travinh", &soctrang, 403),
        ("thuongtruc", &soctrang, 201),
        ("thuongtruc.angiang", &soctrang, 403),
        ("lanhdao.travinh", &travinh, 403),
        ("xem", &travinh, 403),
        ("kiemtra", &travinh, 403),
    ] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                "/api/v1/people",
                &json!({"full_name": "Nguyễn Văn A", "position": "Kiểm sát viên", "unit_id": unit}),
            )
            .await;
        assert_eq!(r.status(), want, "{who} adding a person");
    }
    // Audit trail: administrators and auditors only.
    for (who, want) in [
        ("admin", 200),
        ("kiemtra", 200),
        ("xem", 403),
        ("thuongtruc", 403),
        ("lanhdao.travinh", 403),
        ("canbo.travinh", 403),
        ("theodoi", 403),
    ] {
        let s = app.demo(who).await;
        assert_eq!(
            s.get("/api/v1/audit").await.status(),
            want,
            "{who} reading the audit trail"
        );
        assert_eq!(s.get("/audit").await.status(), want, "{who} opening /audit");
    }
    // Accounts: administrators only. Everyone signed in reads units.
    for who in [
        "admin",
        "thuongtruc",
        "thuongtruc.angiang",
        "lanhdao.travinh",
        "lanhdao.soctrang",
        "canbo.travinh",
        "theodoi",
        "kiemtra",
        "xem",
    ] {
        let s = app.demo(who).await;
        assert_eq!(
            s.get("/admin/users").await.status(),
            if who == "admin" { 200 } else { 403 },
            "{who} /admin/users"
        );
        assert_eq!(
            s.get("/api/v1/units").await.status(),
            200,
            "{who} reads units"
        );
        assert_eq!(s.get("/units").await.status(), 200, "{who} opens /units");
    }
}

#[tokio::test]
async fn lineage_merge_ends_the_old_and_begins_the_new() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    for (code, name) in [
        ("OLD-A", "VKSND tỉnh A"),
        ("OLD-B", "VKSND tỉnh B"),
        ("NEW-AB", "VKSND tỉnh AB"),
    ] {
        let r = s
            .post_json(
                "/api/v1/units",
                &json!({"code": code, "kind": "provincial", "name": name}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let r = s.post_json("/api/v1/lineage", &json!({"kind": "merge", "date": "2025-07-01", "document": "Nghị quyết 84/2025/UBTVQH15", "from": ["OLD-A", "OLD-B"], "to": ["NEW-AB"]})).await;
    assert_eq!(r.status(), 201);
    let ev = body(r).await;
    assert_eq!(ev["from"].as_array().expect("from").len(), 2);
    let a = app
        .store
        .unit_by_code("OLD-A")
        .await
        .expect("q")
        .expect("a");
    assert_eq!(a.valid_to.as_deref(), Some("2025-06-30"));
    let n = app
        .store
        .unit_by_code("NEW-AB")
        .await
        .expect("q")
        .expect("n");
    assert_eq!(n.valid_from.as_deref(), Some("2025-07-01"));
    let hist = body(s.get(&format!("/api/v1/units/{}/lineage", a.id)).await).await;
    assert_eq!(hist[0]["to"][0]["code"], "NEW-AB");
    // The old unit already ended: a second event on it is refused and nothing changes.
    let r = s.post_json("/api/v1/lineage", &json!({"kind": "rename", "date": "2026-01-01", "document": "QĐ 1", "from": ["OLD-A"], "to": ["NEW-AB"]})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["key"], "err-unit-already-ended");
    // The demo's real case: Trà Vinh, Bến Tre and Vĩnh Long merged into Vĩnh Long.
    let tv = app.unit_id("P-TRAVINH").await;
    let hist = body(s.get(&format!("/api/v1/units/{tv}/lineage")).await).await;
    assert_eq!(hist[0]["to"][0]["code"], "P2025-VINHLONG");
    assert_eq!(hist[0]["date"], "2025-07-01");
}

fn units_csv(rows: &[&str]) -> Vec<u8> {
    let mut s =
        String::from("Mã,Loại,Tên đầy đủ,Tên viết tắt,Mã đơn vị cha,Hiệu lực từ,Hiệu lực đến\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

#[tokio::test]
async fn import_applies_whole_or_not_at_all() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let post = |bytes: Vec<u8>| {
        s.http
            .post(s.url("/api/v1/units/import"))
            .header("x-csrf-token", &s.csrf)
            .body(bytes)
            .send()
    };
    // One bad row among good ones: row errors, nothing written.
    let bad = units_csv(&[
        "IMP-1,district,VKSND huyện Một,,P-ANGIANG,,",
        "IMP-2,district,,,P-ANGIANG,,",
        "IMP-3,district,VKSND huyện Ba,,NO-SUCH,01/07/2025,30/06/2025",
    ]);
    let r = post(bad).await.expect("send");
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    let rows = p["rows"].as_array().expect("rows");
    assert!(rows.iter().any(|e| e["row"] == 3), "{p}");
    assert!(rows.iter().any(|e| e["row"] == 4), "{p}");
    assert!(app.store.unit_by_code("IMP-1").await.expect("q").is_none());
    // Unknown parent is found by the store, still all or nothing.
    let r = post(units_csv(&[
        "IMP-1,district,VKSND huyện Một,,P-ANGIANG,,",
        "IMP-3,district,VKSND huyện Ba,,NO-SUCH,,",
    ]))
    .await
    .expect("send");
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["rows"][0]["key"], "err-unknown-parent");
    assert!(app.store.unit_by_code("IMP-1").await.expect("q").is_none());
    // A good file.
    let r = post(units_csv(&[
        "IMP-1,VKSND huyện,VKSND huyện Một,,P-ANGIANG,01/01/2020,",
        "IMP-2,district,VKSND huyện Hai,,IMP-1,,",
    ]))
    .await
    .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["imported"], 2);
    // Not a spreadsheet, bad encoding, too large.
    let r = post(b"PK\x03\x04garbage".to_vec()).await.expect("send");
    assert_eq!(r.status(), 422);
    let r = post(vec![0xff, 0xfe, 0x00, 0x41]).await.expect("send");
    assert_eq!(r.status(), 422);
    let r = post(vec![b'a'; 11 * 1024 * 1024]).await.expect("send");
    assert_eq!(r.status(), 413);
    // A scoped secretary cannot import into another province.
    let t = app.demo("thuongtruc.angiang").await;
    let r = t
        .http
        .post(t.url("/api/v1/units/import"))
        .header("x-csrf-token", &t.csrf)
        .body(units_csv(&["IMP-9,district,VKSND huyện Chín,,P-TRAVINH,,"]))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let before = body(s.get("/api/v1/units?per_page=1").await).await["total"].clone();
    for format in ["xlsx", "csv"] {
        let r = s
            .get(&format!("/api/v1/units/export?format={format}"))
            .await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.expect("bytes");
        let r = s
            .http
            .post(s.url("/api/v1/units/import"))
            .header("x-csrf-token", &s.csrf)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("send");
        let st = r.status();
        let b = body(r).await;
        assert_eq!(st, 200, "{format}: {b}");
        assert_eq!(b["imported"], before);
    }
    assert_eq!(
        body(s.get("/api/v1/units?per_page=1").await).await["total"],
        before
    );
    let r = s.get("/api/v1/units/export?format=pdf").await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn parallel_creates_with_one_code_make_one_unit() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let b = json!({"code": "RACE-1", "kind": "district", "name": "Đua"});
    let (a, c) = tokio::join!(
        s.post_json("/api/v1/units", &b),
        s.post_json("/api/v1/units", &b)
    );
    let mut st = [a.status().as_u16(), c.status().as_u16()];
    st.sort();
    assert_eq!(st, [201, 409]);
    let v = body(s.get("/api/v1/units?q=RACE-1").await).await;
    assert_eq!(v["total"], 1);
}

#[tokio::test]
async fn api_tokens_work_until_revoked() {
    let app = spawn_demo().await;
    let s = app.demo("canbo.travinh").await;
    let r = s
        .post_json("/api/v1/tokens", &json!({"name": "Excel macro"}))
        .await;
    assert_eq!(r.status(), 201);
    let t = body(r).await;
    let token = t["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("tdp_"));
    let anon = client();
    let r = anon
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["username"], "canbo.travinh");
    // The token carries its owner's permissions, no CSRF token needed.
    let travinh = app.unit_id("P-TRAVINH").await;
    let r = anon
        .post(app.url("/api/v1/people"))
        .bearer_auth(&token)
        .json(&json!({"full_name": "Trần Thị B", "position": "Chuyên viên", "unit_id": travinh}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 201);
    let r = anon
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"code": "TK-1", "kind": "district", "name": "A"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    // Only a hash is stored.
    let me = body(s.get("/api/v1/me").await).await;
    let stored: Vec<String> = app
        .store
        .list_tokens(me["id"].as_str().expect("id"))
        .await
        .expect("tokens")
        .iter()
        .map(|t| t.prefix.clone())
        .collect();
    assert_eq!(stored, vec![token[..12].to_owned()]);
    let id = t["id"].as_str().expect("id");
    let r = s
        .http
        .delete(s.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 204);
    let r = anon
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account() {
    let app = spawn_demo().await;
    let c = client();
    for _ in 0..5 {
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "xem"), ("password", "wrong")])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 401);
        assert!(r
            .text()
            .await
            .expect("t")
            .contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    }
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "xem"), ("password", "demo")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    assert!(r.text().await.expect("t").contains("tạm khóa"));
    // Unknown users get the same answer as wrong passwords.
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "nobody"), ("password", "x")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    // Other accounts are not affected.
    app.demo("admin").await;
}

#[tokio::test]
async fn one_address_guessing_many_names_is_made_to_wait() {
    let app = spawn_demo().await;
    let c = client();
    let limit = thidua_web::pages::account::ADDRESS_FAILURES;
    // A different name each time: no account locks, only the address counts.
    for i in 0..limit {
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", format!("guess{i}").as_str()),
                ("password", "x"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    // Now even the right password waits, with a clear reason.
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", "demo")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 429);
    assert!(r.text().await.expect("t").contains("địa chỉ này"));
}

#[tokio::test]
async fn sessions_rotate_and_end_at_logout() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let r = s.post_form("/logout", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(s.get("/api/v1/me").await.status(), 401);
    // A login answer sets an HttpOnly, SameSite cookie.
    let r = client()
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", "demo")])
        .send()
        .await
        .expect("send");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Open redirects are refused.
    let r = client()
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "demo"),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn new_account_must_change_its_one_time_password() {
    let app = spawn_demo().await;
    let admin = app.demo("admin").await;
    let r = admin
        .post_form(
            "/admin/users",
            &[("username", "moi"), ("display_name", "Người mới")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let otp = html
        .split("id=\"otp\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("otp shown")
        .to_owned();
    let c = client();
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "moi"), ("password", otp.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 303);
    let r = c.get(app.url("/units")).send().await.expect("send");
    assert_eq!(r.headers()["location"], "/account/password");
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("j");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("current", otp.as_str()),
            ("new", "short"),
            ("confirm", "short"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("current", otp.as_str()),
            ("new", "mật khẩu mới 2024"),
            ("confirm", "mật khẩu mới 2024"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    // No longer sent to the password page; without a role the units stay closed.
    let r = c.get(app.url("/")).send().await.expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(
        c.get(app.url("/units"))
            .send()
            .await
            .expect("send")
            .status(),
        403
    );
}

#[tokio::test]
async fn english_is_a_switch_remembered_per_user() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    assert!(s
        .get("/units")
        .await
        .text()
        .await
        .expect("t")
        .contains("Đơn vị"));
    let r = s
        .post_form("/account/lang", &[("lang", "en"), ("next", "/units")])
        .await;
    assert_eq!(r.status(), 303);
    let again = app.demo("xem").await;
    let html = again.get("/units").await.text().await.expect("t");
    assert!(
        html.contains("<html lang=\"en\">") && html.contains(">Units<"),
        "{html}"
    );
    let r = again
        .post_json(
            "/api/v1/units",
            &json!({"code": "E", "kind": "district", "name": "A"}),
        )
        .await;
    assert_eq!(body(r).await["title"], "You are not allowed to do this.");
}

#[tokio::test]
async fn audit_chain_verifies_and_names_a_tampered_row() {
    let app = spawn_demo().await;
    app.tampered();
    let s = app.demo("kiemtra").await;
    let v = body(s.get("/api/v1/audit/verify").await).await;
    assert!(v["first_break"].is_null(), "{v}");
    assert!(v["checked"].as_u64().expect("checked") > 100);
    // A database administrator edits one row by hand.
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .expect("connect");
    sqlx::query("UPDATE audit_events SET after_json = '{}' WHERE seq = 7")
        .execute(&mut conn)
        .await
        .expect("tamper");
    let v = body(s.get("/api/v1/audit/verify").await).await;
    assert_eq!(v["first_break"]["problem"], "altered");
    assert_eq!(v["first_break"]["seq"], 7);
    // Another removes a row.
    sqlx::query("DELETE FROM audit_events WHERE seq = 3")
        .execute(&mut conn)
        .await
        .expect("delete");
    let v = body(s.get("/api/v1/audit/verify").await).await;
    assert_eq!(v["first_break"]["problem"], "broken");
    assert_eq!(v["first_break"]["seq"], 4);
}

#[tokio::test]
async fn operations_endpoints_and_openapi() {
    let app = spawn_demo().await;
    let c = client();
    assert_eq!(
        c.get(app.url("/healthz"))
            .send()
            .await
            .expect("s")
            .text()
            .await
            .expect("t"),
        "ok"
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.expect("s").status(),
        200
    );
    let s = app.demo("xem").await;
    s.get("/units").await;
    let m = c
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("s")
        .text()
        .await
        .expect("t");
    assert!(
        m.contains("thidua_http_requests_total") && m.contains("route=\"/units\""),
        "{m}"
    );
    assert!(m.contains("thidua_db_pool_connections"));
    let doc: Value = c
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("j");
    assert!(doc["openapi"].as_str().expect("v").starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/units"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/units/{id}"]["put"].is_object());
    let page = s.get("/api/docs").await.text().await.expect("t");
    assert!(page.contains("/api/v1/units/{id}/lineage"));
    let r = c.get(app.url("/units")).send().await.expect("s");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn people_are_searchable_and_editable() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let v = body(s.get("/api/v1/people?q=nguyen%20van%20tung").await).await;
    assert_eq!(v["items"][0]["full_name"], "Nguyễn Văn Tùng");
    assert_eq!(v["items"][0]["unit_code"], "P-TRAVINH");
    let p = &v["items"][0];
    let id = p["id"].as_str().expect("id");
    let r = s.put_json(&format!("/api/v1/people/{id}"), &json!({"full_name": "Nguyễn Văn Tùng", "position": "Nguyên Viện trưởng", "unit_id": p["unit_id"], "valid_from": "2024-03-29", "version": p["version"]})).await;
    assert_eq!(r.status(), 200);
    let r = s.put_json(&format!("/api/v1/people/{id}"), &json!({"full_name": "X", "position": "Y", "unit_id": p["unit_id"], "version": p["version"]})).await;
    assert_eq!(r.status(), 409);
    let html = s
        .get(&format!("/units/{}", app.unit_id("P-TRAVINH").await))
        .await
        .text()
        .await
        .expect("t");
    assert!(html.contains("Nguyên Viện trưởng"));
}

#[tokio::test]
async fn demo_load_is_idempotent_and_tells_the_seed_facts() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let before = body(s.get("/api/v1/units?per_page=1").await).await["total"].clone();
    assert!(!thidua::demo::load(&app.store, thidua::hash)
        .await
        .expect("reload"));
    assert_eq!(
        body(s.get("/api/v1/units?per_page=1").await).await["total"],
        before
    );
    // The seeds' units: the Supreme Procuracy, three high-level procuracies until 30/6/2025,
    // 63 provincial procuracies before the 2025 mergers, An Giang's district units.
    let v = body(s.get("/api/v1/units?kind=high_level").await).await;
    assert_eq!(v["total"], 3);
    assert!(v["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|u| u["valid_to"] == "2025-06-30"));
    let ag = app.unit_id("P-ANGIANG").await;
    let v = body(
        s.get(&format!(
            "/api/v1/units?parent={ag}&kind=district&valid_on=2022-06-01"
        ))
        .await,
    )
    .await;
    let names: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["name"].as_str().unwrap_or(""))
        .collect();
    for n in ["Tân Châu", "Tri Tôn", "An Phú", "Tịnh Biên", "Châu Đốc"] {
        assert!(
            names.iter().any(|x| x.contains(n)),
            "{n} missing from {names:?}"
        );
    }
    let v = body(s.get("/api/v1/people?q=dinh%20gia%20hung").await).await;
    assert_eq!(v["items"][0]["unit_code"], "P-SOCTRANG");
}

#[tokio::test]
async fn people_import_reports_rows_and_writes_nothing_on_error() {
    let app = spawn_demo().await;
    let s = app.demo("canbo.travinh").await;
    let post = |csv: &str| {
        s.http
            .post(s.url("/api/v1/people/import"))
            .header("x-csrf-token", &s.csrf)
            .body(csv.as_bytes().to_vec())
            .send()
    };
    let header = "Họ và tên,Chức vụ,Mã đơn vị,Từ ngày,Đến ngày\n";
    let r = post(&format!(
        "{header}Lê Văn C,Kiểm sát viên,P-TRAVINH,01/01/2024,\n,Kiểm sát viên,P-TRAVINH,,\n"
    ))
    .await
    .expect("send");
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["rows"][0]["row"], 3);
    let v = body(s.get("/api/v1/people?q=le%20van%20c").await).await;
    assert_eq!(v["total"], 0);
    // Another unit's people are not this officer's to import.
    let r = post(&format!("{header}Lê Văn C,Kiểm sát viên,P-SOCTRANG,,\n"))
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = post(&format!("{header}Lê Văn C,Kiểm sát viên,P-TRAVINH,01/01/2024,\nPhạm Thị D,Chuyên viên,P-TRAVINH,,\n")).await.expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["imported"], 2);
    // The page shows row errors in a table.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(format!("{header},,P-TRAVINH,,\n").into_bytes())
            .file_name("x.csv"),
    );
    let r = s
        .http
        .post(s.url(&format!("/people/import?_csrf={}", s.csrf)))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("import-errors") && html.contains("Không nhập được tệp"),
        "{html}"
    );
}

/// Every `$ref` in the OpenAPI document points at a schema it defines, and every API route
/// the server answers is documented (a client generated from the spec can reach it all).
#[tokio::test]
async fn openapi_document_is_self_contained() {
    let app = spawn_demo().await;
    let doc: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        if let Some(s) = x.as_str() {
                            out.push(s.to_owned());
                        }
                    } else {
                        refs(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is not defined"
        );
    }
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/units",
        "/api/v1/people/{id}",
        "/api/v1/groups/{id}/elections",
        "/api/v1/elections/{id}/ballots",
        "/api/v1/documents/{id}/file",
        "/api/v1/conferences/{id}/files",
        "/api/v1/audit/verify",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    // Every documented GET without path parameters answers for a signed-in user.
    let s = app.demo("admin").await;
    for (path, item) in paths {
        if item.get("get").is_some() && !path.contains('{') {
            let r = s.get(path).await;
            assert!(
                r.status().is_success(),
                "GET {path} answered {}",
                r.status()
            );
        }
    }
}
