//! Emulation movements through the API and the pages, on SQLite and PostgreSQL.

use crate::common;

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn sector_council(s: &Session) -> String {
    let councils = s.json("/api/v1/councils").await;
    id(councils
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
        .expect("sector council"))
}

/// A movement found by a search.
async fn movement(s: &Session, q: &str) -> Value {
    let list = s
        .json(&format!("/api/v1/movements?q={}", q.replace(' ', "+")))
        .await;
    assert_eq!(list["total"], 1, "search {q}: {list}");
    list["items"][0].clone()
}

/// A new themed 2021–2025 movement of the sector council, as a draft.
async fn new_movement(s: &Session, name: &str) -> Value {
    let council = sector_council(s).await;
    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": council, "name": name, "level": "sector", "kind": "themed",
                    "period_from": 2021, "period_to": 2025}),
        )
        .await;
    assert_eq!(r.status(), 201);
    body(r).await
}

async fn activate(s: &Session, mid: &str) {
    let r = s
        .post_json(
            &format!("/api/v1/movements/{mid}/status"),
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

async fn delete(s: &Session, path: &str) -> reqwest::Response {
    s.http
        .delete(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .expect("delete")
}

#[tokio::test]
async fn the_demo_movements_are_present_and_searchable_without_diacritics() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let ntm = movement(&s, "nong thon moi").await;
    assert_eq!(ntm["name"], "Cả nước chung sức xây dựng nông thôn mới");
    assert_eq!(ntm["level"], "government");
    assert_eq!(ntm["kind"], "themed");
    assert_eq!(
        (ntm["period_from"].clone(), ntm["period_to"].clone()),
        (json!(2021), json!(2025))
    );
    assert_eq!(ntm["status"], "active");
    let vhcs = movement(&s, "VAN HOA CONG SO").await;
    assert_eq!(vhcs["period_from"], 2019);
    let poor = movement(&s, "vi nguoi ngheo").await;
    assert_eq!(
        poor["name"],
        "Vì người nghèo – Không để ai bị bỏ lại phía sau"
    );

    // The sector's yearly movement of 2024: its legal basis and the groups that joined.
    let y24 = s
        .json("/api/v1/movements?year=2024&kind=regular&level=sector")
        .await;
    assert_eq!(
        names(&y24),
        ["Phong trào thi đua yêu nước ngành Kiểm sát nhân dân năm 2024"]
    );
    let m24 = &y24["items"][0];
    assert_eq!(
        m24["theme"],
        "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024"
    );
    assert_eq!(m24["bases"][0]["number"], "02/CT-VKSTC");
    assert_eq!(m24["bases"].as_array().expect("bases").len(), 3);
    let who = s
        .json(&format!("/api/v1/movements/{}/participants", id(m24)))
        .await;
    let mut groups: Vec<String> = who
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["group"]["name"].as_str().unwrap_or("").to_owned())
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        ["Cụm thi đua số 1", "Cụm thi đua số 13", "Khối thi đua số 4"]
    );
    assert!(who.as_array().expect("p").iter().all(|p| p["year"] == 2024));

    // Earlier yearly movements are closed; 2024 filters leave them out.
    let closed = s.json("/api/v1/movements?status=closed").await;
    assert_eq!(closed["total"], 2);
    let all24 = s.json("/api/v1/movements?year=2024").await;
    assert_eq!(all24["total"], 4);

    // Cluster 8 of 2023 carried out the movements the seed article lists.
    let y23 = s.sector_year(2023).await;
    let c8 = s.group(&y23, "cluster", 8).await;
    let joined = s
        .json(&format!("/api/v1/groups/{}/movements", id(&c8)))
        .await;
    assert_eq!(joined.as_array().expect("joined").len(), 4);
    assert!(joined
        .as_array()
        .expect("joined")
        .iter()
        .all(|j| j["year"] == 2023));

    // Unknown ids.
    for path in [
        "/api/v1/movements/nope",
        "/api/v1/movements/nope/participants",
        "/api/v1/groups/nope/movements",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn create_validate_update_with_versions() {
    let app = spawn_demo().await;
    let s = app.demo("thuongtruc").await;
    let council = sector_council(&s).await;

    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": council, "name": "  ", "level": "province", "kind": "yearly",
                    "period_from": 2025, "period_to": 2021}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = body(r).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["name", "level", "kind", "period_to"]);
    assert_eq!(p["errors"][3]["key"], "err-mov-period-order");
    assert!(p["errors"][0]["message"].as_str().expect("msg").len() > 3);

    // No first year; an unknown council; an unknown basis document: nothing is written.
    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": council, "name": "X", "level": "sector", "kind": "themed"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["field"], "period_from");
    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": "nope", "name": "X", "level": "sector", "kind": "themed", "period_from": 2024}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["field"], "council_id");
    let before = s.json("/api/v1/movements").await["total"].clone();
    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": council, "name": "X", "level": "sector", "kind": "themed",
                    "period_from": 2024, "document_ids": ["nope"]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(s.json("/api/v1/movements").await["total"], before);

    // NFC-clean name, a draft, a basis from the registry.
    let docs = s.json("/api/v1/documents?q=34-CT").await;
    let doc = id(&docs[0]);
    let r = s
        .post_json(
            "/api/v1/movements",
            &json!({"council_id": council, "name": "  Thi đua   đo\u{0302}\u{0309}i mới ", "theme": "Chuyển đổi số",
                    "level": "sector", "kind": "themed", "period_from": 2025, "period_to": null,
                    "document_ids": [doc]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let m = body(r).await;
    // Typed with combining marks (NFD) and extra spaces: stored clean, in NFC.
    assert_eq!(m["name"], "Thi đua đổi mới");
    assert_eq!(m["status"], "draft");
    assert_eq!(m["period_to"], Value::Null);
    assert_eq!(m["bases"][0]["number"], "34-CT/TW");
    assert_eq!(m["version"], 1);
    let mid = id(&m);

    // Update with the version read; a stale version is a 409 with the current state.
    let edit = json!({"council_id": council, "name": "Thi đua chuyển đổi số", "level": "sector",
                      "kind": "themed", "period_from": 2025, "period_to": 2030, "version": 1});
    let r = s.put_json(&format!("/api/v1/movements/{mid}"), &edit).await;
    assert_eq!(r.status(), 200);
    let m = body(r).await;
    assert_eq!(m["version"], 2);
    assert_eq!(m["period_to"], 2030);
    let r = s.put_json(&format!("/api/v1/movements/{mid}"), &edit).await;
    assert_eq!(r.status(), 409);
    let p = body(r).await;
    assert_eq!(p["type"], "/problems/err-conflict");
    assert_eq!(p["current"]["version"], 2);
    let mut bad = edit.clone();
    bad["version"] = json!(2);
    bad["period_from"] = json!(2031);
    let r = s.put_json(&format!("/api/v1/movements/{mid}"), &bad).await;
    assert_eq!(r.status(), 422);
    let r = s.put_json("/api/v1/movements/nope", &edit).await;
    assert_eq!(r.status(), 404);

    // Legal basis: add, twice is refused, remove, remove again is 404.
    let d2 = id(&s.json("/api/v1/documents?q=05-CT").await[0]);
    let r = s
        .post_json(
            &format!("/api/v1/movements/{mid}/bases"),
            &json!({"document_id": d2}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["bases"][1]["number"], "05-CT/TW");
    let r = s
        .post_json(
            &format!("/api/v1/movements/{mid}/bases"),
            &json!({"document_id": d2}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = delete(&s, &format!("/api/v1/movements/{mid}/bases/{doc}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["bases"].as_array().expect("b").len(), 1);
    let r = delete(&s, &format!("/api/v1/movements/{mid}/bases/{doc}")).await;
    assert_eq!(r.status(), 404);

    // Every write is in the audit trail.
    let a = app.demo("kiemtra").await;
    let audit = a.json(&format!("/api/v1/audit?entity_id={mid}")).await;
    let text = audit.to_string();
    for action in [
        "\"create\"",
        "\"update\"",
        "\"add_basis\"",
        "\"remove_basis\"",
    ] {
        assert!(text.contains(action), "audit lacks {action}: {text}");
    }
}

#[tokio::test]
async fn status_transitions_and_refusals() {
    let app = spawn_demo().await;
    let s = app.demo("thuongtruc").await;
    let m = new_movement(&s, "Phong trào thử trạng thái").await;
    let mid = id(&m);
    let status = |st: &'static str| {
        let s = &s;
        let mid = mid.clone();
        async move {
            s.post_json(
                &format!("/api/v1/movements/{mid}/status"),
                &json!({ "status": st }),
            )
            .await
        }
    };
    let r = status("closed").await;
    assert_eq!(r.status(), 409);
    assert_eq!(body(r).await["type"], "/problems/err-mov-bad-transition");
    let r = status("launched").await;
    assert_eq!(r.status(), 422);
    assert_eq!(status("active").await.status(), 200);
    assert_eq!(status("draft").await.status(), 409);
    assert_eq!(status("active").await.status(), 409);
    let r = status("closed").await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["status"], "closed");
    assert_eq!(status("draft").await.status(), 409);
    let r = status("active").await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["version"], 4);
    let r = s
        .post_json(
            "/api/v1/movements/nope/status",
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn joining_and_leaving() {
    let app = spawn_demo().await;
    let s = app.demo("thuongtruc").await;
    let m = new_movement(&s, "Phong trào thử tham gia").await;
    let mid = id(&m);
    let y24 = s.sector_year(2024).await;
    let c13 = id(&s.group(&y24, "cluster", 13).await);
    let join = |b: Value| {
        let s = &s;
        let mid = mid.clone();
        async move {
            s.post_json(&format!("/api/v1/movements/{mid}/participants"), &b)
                .await
        }
    };
    // A draft takes nobody.
    let r = join(json!({"group_id": c13})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(body(r).await["type"], "/problems/err-mov-not-active");
    activate(&s, &mid).await;

    let r = join(json!({"group_id": c13})).await;
    assert_eq!(r.status(), 201);
    let p = body(r).await;
    assert_eq!(p["year"], 2024);
    assert_eq!(p["kind"], "group");
    assert_eq!(p["group"]["name"], "Cụm thi đua số 13");
    assert_eq!(p["joined_by"], "thuongtruc");
    // Joining twice: one row and a clear 409.
    let r = join(json!({"group_id": c13, "year": 2024})).await;
    assert_eq!(r.status(), 409);
    let problem = body(r).await;
    assert_eq!(problem["type"], "/problems/err-mov-already-joined");
    assert!(problem["title"]
        .as_str()
        .expect("title")
        .contains("Cụm thi đua số 13"));
    let who = s
        .json(&format!("/api/v1/movements/{mid}/participants"))
        .await;
    assert_eq!(who.as_array().expect("p").len(), 1);
    // A group joins only in its own year.
    let r = join(json!({"group_id": c13, "year": 2023})).await;
    assert_eq!(r.status(), 422);

    // A unit: inside the period only, the year is required, one of group or unit.
    let tv = app.unit_id("P-TRAVINH").await;
    let r = join(json!({"unit_id": tv, "year": 2026})).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["errors"][0]["field"], "year");
    assert_eq!(p["errors"][0]["key"], "err-mov-year-outside");
    assert_eq!(
        join(json!({"unit_id": tv, "year": 2020})).await.status(),
        422
    );
    assert_eq!(join(json!({"unit_id": tv})).await.status(), 422);
    assert_eq!(join(json!({})).await.status(), 422);
    assert_eq!(
        join(json!({"unit_id": tv, "group_id": c13, "year": 2024}))
            .await
            .status(),
        422
    );
    assert_eq!(join(json!({"group_id": "nope"})).await.status(), 422);

    // The unit's own leader joins it; the same unit may join another year.
    let leader = app.demo("lanhdao.travinh").await;
    let r = leader
        .post_json(
            &format!("/api/v1/movements/{mid}/participants"),
            &json!({"unit_id": tv, "year": 2023}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let unit_row = body(r).await;
    assert_eq!(unit_row["unit"]["code"], "P-TRAVINH");
    assert_eq!(
        join(json!({"unit_id": tv, "year": 2023})).await.status(),
        409
    );
    assert_eq!(
        join(json!({"unit_id": tv, "year": 2024})).await.status(),
        201
    );
    let who = s
        .json(&format!("/api/v1/movements/{mid}/participants"))
        .await;
    assert_eq!(who.as_array().expect("p").len(), 3);
    let only23 = s
        .json(&format!("/api/v1/movements/{mid}/participants?year=2023"))
        .await;
    assert_eq!(only23.as_array().expect("p").len(), 1);

    // Leaving: the leader takes the unit out; unknown participants are 404.
    let pid = id(&unit_row);
    let r = delete(
        &leader,
        &format!("/api/v1/movements/{mid}/participants/{pid}"),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = delete(
        &leader,
        &format!("/api/v1/movements/{mid}/participants/{pid}"),
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        s.json(&format!("/api/v1/movements/{mid}/participants"))
            .await
            .as_array()
            .expect("p")
            .len(),
        2
    );
    // The group page API lists the movement for cluster 13.
    let joined = s.json(&format!("/api/v1/groups/{c13}/movements")).await;
    assert!(joined
        .as_array()
        .expect("j")
        .iter()
        .any(|j| j["movement"]["id"] == mid.as_str()));

    // A closed movement keeps its record: no joining, no leaving.
    let r = s
        .post_json(
            &format!("/api/v1/movements/{mid}/status"),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let first = id(&who[0]);
    let r = delete(&s, &format!("/api/v1/movements/{mid}/participants/{first}")).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        join(json!({"unit_id": tv, "year": 2022})).await.status(),
        409
    );
    let r = s
        .post_json(
            "/api/v1/movements/nope/participants",
            &json!({"group_id": c13}),
        )
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn others_are_refused() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let council = sector_council(&sec).await;
    let m = new_movement(&sec, "Phong trào thử quyền").await;
    let mid = id(&m);
    activate(&sec, &mid).await;
    let y24 = sec.sector_year(2024).await;
    let c13 = id(&sec.group(&y24, "cluster", 13).await);
    let body_new = json!({"council_id": council, "name": "X", "level": "sector", "kind": "themed", "period_from": 2024});
    let edit = json!({"council_id": council, "name": "Y", "level": "sector", "kind": "themed", "period_from": 2021, "version": 2});

    // A viewer reads but changes nothing.
    let xem = app.demo("xem").await;
    assert_eq!(
        xem.get(&format!("/api/v1/movements/{mid}")).await.status(),
        200
    );
    assert_eq!(
        xem.post_json("/api/v1/movements", &body_new).await.status(),
        403
    );
    assert_eq!(
        xem.put_json(&format!("/api/v1/movements/{mid}"), &edit)
            .await
            .status(),
        403
    );
    assert_eq!(
        xem.post_json(
            &format!("/api/v1/movements/{mid}/participants"),
            &json!({"group_id": c13})
        )
        .await
        .status(),
        403
    );
    // Another council's secretariat manages its own movements only.
    let ag = app.demo("thuongtruc.angiang").await;
    assert_eq!(
        ag.post_json("/api/v1/movements", &body_new).await.status(),
        403
    );
    assert_eq!(
        ag.put_json(&format!("/api/v1/movements/{mid}"), &edit)
            .await
            .status(),
        403
    );
    assert_eq!(
        ag.post_json(
            &format!("/api/v1/movements/{mid}/status"),
            &json!({"status": "closed"})
        )
        .await
        .status(),
        403
    );
    // The cluster's deputy does not join the cluster; nor does a leader join another unit.
    let st = app.demo("lanhdao.soctrang").await;
    assert_eq!(
        st.post_json(
            &format!("/api/v1/movements/{mid}/participants"),
            &json!({"group_id": c13})
        )
        .await
        .status(),
        403
    );
    let tv = app.unit_id("P-TRAVINH").await;
    assert_eq!(
        st.post_json(
            &format!("/api/v1/movements/{mid}/participants"),
            &json!({"unit_id": tv, "year": 2024})
        )
        .await
        .status(),
        403
    );
    // The head's leader joins the cluster; the deputy cannot take it out again.
    let head = app.demo("lanhdao.travinh").await;
    let r = head
        .post_json(
            &format!("/api/v1/movements/{mid}/participants"),
            &json!({"group_id": c13}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let pid = id(&body(r).await);
    let r = delete(&st, &format!("/api/v1/movements/{mid}/participants/{pid}")).await;
    assert_eq!(r.status(), 403);
    // Without signing in: 401.
    let r = common::client()
        .get(app.url("/api/v1/movements"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

async fn page(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.expect("text")
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn movement_pages_check(app: &TestApp) {
    let xem = app.demo("xem").await;
    let home = page(&xem, "/").await;
    assert!(home.contains(r#"href="/movements""#));
    let list = page(&xem, "/movements?q=nong+thon").await;
    assert!(list.contains("Cả nước chung sức xây dựng nông thôn mới"));
    assert!(list.contains("2021–2025"));
    assert!(list.contains("Chính phủ"));
    assert!(!list.contains("Vì người nghèo"));
    assert!(!list.contains(r#"href="/movements/new""#));

    let m24 = movement(&xem, "nam 2024").await;
    let mid = id(&m24);
    let show = page(&xem, &format!("/movements/{mid}")).await;
    for fact in [
        "Phong trào thi đua yêu nước ngành Kiểm sát nhân dân năm 2024",
        "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024",
        "02/CT-VKSTC",
        "30/HD-VKSTC",
        "Năm thi đua 2024",
        "Cụm thi đua số 13",
        "Khối thi đua số 4",
        "Thường xuyên",
    ] {
        assert!(show.contains(fact), "movement page lacks {fact}");
    }
    assert!(show.contains(r#"href="/documents?q=02/CT-VKSTC""#));
    // A viewer gets no forms.
    assert!(!show.contains(&format!(r#"action="/movements/{mid}/join""#)));
    assert!(!show.contains(r#"name="status""#));
    assert_eq!(
        xem.get(&format!("/movements/{mid}/edit")).await.status(),
        403
    );
    assert_eq!(xem.get("/movements/new").await.status(), 403);
    assert_eq!(xem.get("/movements/nope").await.status(), 404);
    let r = xem.post_form("/movements", &[("name", "X")]).await;
    assert_eq!(r.status(), 403);

    // The group page shows the movements its group joined.
    let y23 = xem.sector_year(2023).await;
    let c8 = xem.group(&y23, "cluster", 8).await;
    let g = page(&xem, &format!("/groups/{}", id(&c8))).await;
    assert!(g.contains("Cả nước chung sức xây dựng nông thôn mới"));
    assert!(g.contains("Vì người nghèo – Không để ai bị bỏ lại phía sau"));

    // The council's secretariat: errors beside the fields, nothing typed is lost.
    let s = app.demo("thuongtruc").await;
    assert!(page(&s, "/movements")
        .await
        .contains(r#"href="/movements/new""#));
    let form = page(&s, "/movements/new").await;
    assert!(form.contains(r#"name="council_id""#));
    let council = sector_council(&s).await;
    let r = s
        .post_form(
            "/movements",
            &[
                ("council_id", &council),
                ("name", ""),
                ("theme", "Chủ đề giữ lại"),
                ("level", "sector"),
                ("kind", "themed"),
                ("period_from", "2025"),
                ("period_to", "2020"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("text");
    assert!(html.contains(r#"id="mov-name-err""#));
    assert!(html.contains(r#"id="mov-period_to-err""#));
    assert!(html.contains("Chủ đề giữ lại"));
    assert!(html.contains(r#"aria-invalid="true""#));

    let r = s
        .post_form(
            "/movements",
            &[
                ("council_id", &council),
                ("name", "Phong trào thi đua chuyển đổi số"),
                ("level", "sector"),
                ("kind", "themed"),
                ("period_from", "2024"),
                ("period_to", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = location(&r);
    assert!(loc.ends_with("?done=created"), "{loc}");
    let new_id = loc
        .trim_start_matches("/movements/")
        .trim_end_matches("?done=created")
        .to_owned();
    let shown = page(&s, &loc).await;
    assert!(shown.contains("Dự thảo"));
    assert!(shown.contains("Phát động phong trào"));
    let r = s
        .post_form(
            &format!("/movements/{new_id}/status"),
            &[("status", "active")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // A stale edit: 409 with the message on the form, the stored values shown.
    let edit = page(&s, &format!("/movements/{new_id}/edit")).await;
    assert!(edit.contains("Phong trào thi đua chuyển đổi số"));
    let r = s
        .post_form(
            &format!("/movements/{new_id}"),
            &[
                ("council_id", &council),
                ("name", "Tên mới"),
                ("level", "sector"),
                ("kind", "themed"),
                ("period_from", "2024"),
                ("period_to", "2026"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("text").contains("Người khác đã lưu"));

    // The cluster head's leader joins through the form; twice shows the refusal.
    let head = app.demo("lanhdao.travinh").await;
    let show = page(&head, &format!("/movements/{new_id}")).await;
    assert!(show.contains(&format!(r#"action="/movements/{new_id}/join""#)));
    let y24 = head.sector_year(2024).await;
    let c13 = id(&head.group(&y24, "cluster", 13).await);
    let r = head
        .post_form(&format!("/movements/{new_id}/join"), &[("group_id", &c13)])
        .await;
    assert_eq!(r.status(), 303);
    let r = head
        .post_form(&format!("/movements/{new_id}/join"), &[("group_id", &c13)])
        .await;
    assert_eq!(r.status(), 409);
    assert!(r
        .text()
        .await
        .expect("text")
        .contains("đã tham gia phong trào này trong năm 2024"));
    let tv = app.unit_id("P-TRAVINH").await;
    let r = head
        .post_form(
            &format!("/movements/{new_id}/join"),
            &[("unit_id", &tv), ("year", "2027")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .expect("text")
        .contains(r#"id="join-year-err""#));
    let show = page(&head, &format!("/movements/{new_id}")).await;
    assert!(show.contains("Cụm thi đua số 13"));
    assert!(show.contains("Rút khỏi phong trào"));
}

#[tokio::test]
async fn movement_pages() {
    let app = spawn_demo().await;
    movement_pages_check(&app).await;
}
