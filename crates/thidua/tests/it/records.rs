//! People's yearly records, the register of initiatives and exemplary models, and the
//! eligibility that reads them; through the API and the pages, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

async fn person(s: &Session, unit: &str, q: &str) -> String {
    let v = s
        .json(&format!(
            "/api/v1/people?unit={unit}&q={}",
            q.replace(' ', "+")
        ))
        .await;
    v["items"][0]["id"].as_str().expect("person").to_owned()
}

fn ymd(days_from_today: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7) + chrono::Duration::days(days_from_today))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .expect("connect");
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut c)
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("n")
}

/// A person's live registration of 2024 in Trà Vinh.
async fn live_registration(s: &Session, y24: &str, travinh: &str, person_id: &str) -> Value {
    let regs = body(
        s.get(&format!("/api/v1/years/{y24}/registrations?unit={travinh}"))
            .await,
    )
    .await;
    regs.as_array()
        .expect("regs")
        .iter()
        .find(|r| r["person_id"] == person_id && r["status"] == "registered")
        .cloned()
        .expect("registration")
}

async fn upload(s: &Session, path: &str, bytes: Vec<u8>) -> reqwest::Response {
    s.http
        .post(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload")
}

#[tokio::test]
async fn a_sector_recognition_clears_the_flag_and_a_rating_or_discipline_refuses() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let officer = app.demo("canbo.travinh").await;
    let leader = app.demo("lanhdao.travinh").await;
    let y24 = sec.sector_year(2024).await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let b = person(&officer, &travinh, "Tran Thi B").await;
    let a = person(&officer, &travinh, "Le Van A").await;

    // The demo: B's sector fighter registration is flagged; her initiative is proposed.
    let reg = live_registration(&officer, &y24, &travinh, &b).await;
    assert_eq!(reg["title_code"], "sector_fighter");
    assert_eq!(reg["flags"][0]["rule"], "sector_fighter.initiative");
    let inis = body(
        officer
            .get(&format!("/api/v1/initiatives?unit={travinh}"))
            .await,
    )
    .await;
    let ini = inis
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["authors"][0]["person_id"] == b.as_str())
        .cloned()
        .expect("demo initiative");
    assert_eq!(ini["status"], "proposed");
    let rec_path = format!(
        "/api/v1/initiatives/{}/recognition",
        ini["id"].as_str().unwrap()
    );

    // Sector scope is recorded by the sector's secretariat only: not the unit's officer or
    // leader (who recognise unit-scope ones), nor a viewer.
    let sector = json!({"scope": "sector", "body": "Hội đồng Thi đua – Khen thưởng ngành Kiểm sát nhân dân",
        "document_number": "15/QĐ-HĐTĐKT", "recognised_on": "2024-11-20"});
    assert_eq!(officer.post_json(&rec_path, &sector).await.status(), 403);
    assert_eq!(leader.post_json(&rec_path, &sector).await.status(), 403);
    assert_eq!(
        app.demo("xem")
            .await
            .post_json(&rec_path, &sector)
            .await
            .status(),
        403
    );
    // Bad input: problem+json naming the fields; nothing recorded.
    let r = sec
        .post_json(
            &rec_path,
            &json!({"scope": "galaxy", "body": "", "document_number": "1", "recognised_on": "2023-01-01"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["scope", "body", "recognised_on"]);
    let r = sec.post_json(&rec_path, &sector).await;
    assert_eq!(r.status(), 200);
    let done = body(r).await;
    assert_eq!(done["status"], "recognised");
    assert_eq!(done["scope"], "sector");
    assert_eq!(done["recognised_by"], "thuongtruc");
    // Once only.
    assert_eq!(sec.post_json(&rec_path, &sector).await.status(), 409);

    // Registering again after the recognition: the flag is gone.
    let reopen = format!("/api/v1/years/{y24}/registration-window/reopen");
    let w = sec
        .post_json(&reopen, &json!({"until": ymd(30), "reason": "Bổ sung"}))
        .await;
    assert_eq!(w.status(), 200);
    let w = officer
        .post_json(
            &format!(
                "/api/v1/registrations/{}/withdraw",
                reg["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(w.status(), 200);
    let path = format!("/api/v1/years/{y24}/registrations");
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": b, "title_code": "sector_fighter"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(body(r).await["flags"], json!([]));

    // A rating of "did not complete" for 2024 refuses A's Advanced Worker registration.
    let records = format!("/api/v1/units/{travinh}/records");
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": a, "year": 2024, "rating": "Không hoàn thành nhiệm vụ"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let rec = body(r).await;
    assert_eq!(rec["rating"], "not_completed");
    assert_eq!(rec["created_by"], "canbo.travinh");
    let aw = json!({"unit_id": travinh, "person_id": a, "title_code": "advanced_worker"});
    let r = officer.post_json(&path, &aw).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["rules"][0]["rule"], "advanced_worker.rating");
    // Corrected to "good" but disciplined (reprimand) in the year: refused for that.
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": a, "year": 2024, "rating": "good", "discipline_form": "reprimand",
                "discipline_from": "10/05/2024", "version": rec["version"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let rec = body(r).await;
    assert_eq!(rec["version"], 2);
    let r = officer.post_json(&path, &aw).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        body(r).await["rules"][0]["rule"],
        "advanced_worker.no_discipline"
    );
    // A stale version is a conflict.
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": a, "year": 2024, "rating": "good", "version": 1}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Without the discipline the registration goes through.
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": a, "year": 2024, "rating": "good", "version": 2}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = officer.post_json(&path, &aw).await;
    assert_eq!(r.status(), 201);

    // The person's records, newest first; the audit trail has every change.
    let list = body(officer.get(&format!("/api/v1/people/{a}/records")).await).await;
    assert_eq!(list[0]["year"], 2024);
    assert_eq!(list[1]["year"], 2023);
    let audit = body(
        app.demo("kiemtra")
            .await
            .get("/api/v1/audit?entity=person_record")
            .await,
    )
    .await;
    assert!(audit.to_string().contains("update"));
}

#[tokio::test]
async fn records_are_the_units_own_and_bad_input_is_refused() {
    let app = spawn_demo().await;
    let officer = app.demo("canbo.travinh").await;
    let sec = app.demo("thuongtruc").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let soctrang = app.unit_id("P-SOCTRANG").await;
    let a = person(&officer, &travinh, "Le Van A").await;
    let hung = person(&officer, &soctrang, "Dinh Gia Hung").await;
    let records = format!("/api/v1/units/{travinh}/records");
    let before = count(&app, "person_records").await;

    // A person outside the unit: a clear field error, nothing written.
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": hung, "year": 2024, "rating": "good"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let p = body(r).await;
    assert_eq!(p["errors"][0]["field"], "person_id");
    assert_eq!(p["errors"][0]["key"], "err-rec-person-not-in-unit");
    // Bad values.
    let r = officer
        .post_json(
            &records,
            &json!({"person_id": a, "year": 2024, "rating": "giỏi", "discipline_form": "warning"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["errors"][0]["field"], "rating");
    assert_eq!(p["errors"][1]["field"], "discipline_from");
    assert_eq!(count(&app, "person_records").await, before);

    // Another unit's records: refused to Trà Vinh's officer and to other units' leaders,
    // viewers and auditors; the sector's secretariat sees all.
    assert_eq!(
        officer
            .post_json(
                &format!("/api/v1/units/{soctrang}/records"),
                &json!({"person_id": hung, "year": 2024, "rating": "good"})
            )
            .await
            .status(),
        403
    );
    for who in ["lanhdao.soctrang", "xem", "kiemtra", "theodoi"] {
        let s = app.demo(who).await;
        assert_eq!(s.get(&records).await.status(), 403, "{who}");
        assert_eq!(
            s.get(&format!("/api/v1/people/{a}/records")).await.status(),
            403,
            "{who}"
        );
    }
    let rows = body(sec.get(&format!("{records}?year=2023")).await).await;
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == a.as_str())
        .cloned()
        .unwrap();
    assert_eq!(row["record"]["rating"], "good");
    assert_eq!(sec.get("/api/v1/units/nope/records").await.status(), 404);

    // Initiatives: an author is required, and authors are the unit's people.
    let before = count(&app, "initiatives").await;
    let r = officer
        .post_json(
            "/api/v1/initiatives",
            &json!({"unit_id": travinh, "title": "Sổ tay kiểm sát điện tử", "year": 2024, "author_ids": []}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["errors"][0]["field"], "author_ids");
    assert_eq!(p["errors"][0]["key"], "err-ini-no-author");
    let r = officer
        .post_json(
            "/api/v1/initiatives",
            &json!({"unit_id": travinh, "title": "Sổ tay", "year": 2024, "author_ids": [hung]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        body(r).await["errors"][0]["key"],
        "err-ini-author-not-in-unit"
    );
    assert_eq!(
        officer
            .post_json(
                "/api/v1/initiatives",
                &json!({"unit_id": soctrang, "title": "Sổ tay", "year": 2024, "author_ids": [hung]}),
            )
            .await
            .status(),
        403
    );
    assert_eq!(count(&app, "initiatives").await, before);
    let r = officer
        .post_json(
            "/api/v1/initiatives",
            &json!({"unit_id": travinh, "title": "Sổ tay kiểm sát điện tử", "year": 2024, "author_ids": [a]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let ini = body(r).await;
    // Unit scope: the unit's leader recognises it; the officer only proposes.
    let unit_scope = json!({"scope": "unit", "body": "Viện trưởng VKSND tỉnh Trà Vinh",
        "document_number": "20/QĐ-VKSTV", "recognised_on": "15/12/2024"});
    let rp = format!(
        "/api/v1/initiatives/{}/recognition",
        ini["id"].as_str().unwrap()
    );
    assert_eq!(officer.post_json(&rp, &unit_scope).await.status(), 403);
    assert_eq!(
        app.demo("lanhdao.soctrang")
            .await
            .post_json(&rp, &unit_scope)
            .await
            .status(),
        403
    );
    let r = app
        .demo("lanhdao.travinh")
        .await
        .post_json(&rp, &unit_scope)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["recognised_on"], "2024-12-15");
    assert_eq!(
        sec.post_json("/api/v1/initiatives/nope/recognition", &unit_scope)
            .await
            .status(),
        404
    );
    // Everyone signed in reads the register; search without diacritics.
    let list = body(
        app.demo("xem")
            .await
            .get("/api/v1/initiatives?q=so+tay+kiem+sat")
            .await,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["scope"], "unit");

    // Exemplary models: the unit's own; an exemplary person must be one of its people.
    let r = officer
        .post_json(
            "/api/v1/exemplars",
            &json!({"unit_id": travinh, "kind": "person", "year": 2024, "name": "Trần Thị B", "person_id": hung, "story": "..."}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = officer
        .post_json(
            "/api/v1/exemplars",
            &json!({"unit_id": travinh, "kind": "model", "year": 2024, "name": "Mô hình phòng kiểm sát số", "story": "Áp dụng hồ sơ điện tử."}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        app.demo("xem")
            .await
            .post_json(
                "/api/v1/exemplars",
                &json!({"unit_id": travinh, "kind": "model", "year": 2024, "name": "X", "story": "Y"}),
            )
            .await
            .status(),
        403
    );
    let ex = body(sec.get(&format!("/api/v1/exemplars?unit={travinh}")).await).await;
    assert_eq!(ex[0]["name"], "Mô hình phòng kiểm sát số");
}

#[tokio::test]
async fn import_is_whole_or_nothing_with_row_errors() {
    let app = spawn_demo().await;
    let officer = app.demo("canbo.travinh").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let path = format!("/api/v1/units/{travinh}/records/import");
    let before = count(&app, "person_records").await;

    // Row 3 names someone of another unit, row 4 a rating nobody uses: nothing is written.
    let bad = "Họ và tên,Năm,Xếp loại,Hình thức kỷ luật,Kỷ luật từ ngày\n\
               Lê Văn A (minh họa),2024,Hoàn thành tốt nhiệm vụ,,\n\
               Đinh Gia Hưng,2024,Hoàn thành nhiệm vụ,,\n\
               Trần Thị B (minh họa),2024,Giỏi,,\n";
    let r = upload(&officer, &path, bad.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["rows"][0]["row"], 4);
    assert_eq!(p["rows"][0]["column"], "Xếp loại");
    assert_eq!(count(&app, "person_records").await, before);
    let bad = "Họ và tên,Năm,Xếp loại\n\
               Lê Văn A (minh họa),2024,Hoàn thành tốt nhiệm vụ\n\
               Đinh Gia Hưng,2024,Hoàn thành nhiệm vụ\n";
    let r = upload(&officer, &path, bad.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["rows"][0]["row"], 3);
    assert_eq!(p["rows"][0]["column"], "Họ và tên");
    assert_eq!(p["rows"][0]["key"], "err-rec-person-not-in-unit");
    assert_eq!(count(&app, "person_records").await, before);

    // An XLSX with Vietnamese headers: both rows in.
    let cols: Vec<String> = [
        "Họ và tên",
        "Năm",
        "Xếp loại",
        "Hình thức kỷ luật",
        "Kỷ luật từ ngày",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows = vec![
        vec![
            "Lê Văn A (minh họa)",
            "2024",
            "Hoàn thành tốt nhiệm vụ",
            "",
            "",
        ],
        vec![
            "Trần Thị B (minh họa)",
            "2024",
            "Hoàn thành xuất sắc nhiệm vụ",
            "Khiển trách",
            "02/06/2024",
        ],
    ]
    .into_iter()
    .map(|r| r.into_iter().map(str::to_owned).collect())
    .collect::<Vec<Vec<String>>>();
    let xlsx = thidua_docs::export_table(
        thidua_docs::RECORDS_SHEET,
        &cols,
        &rows,
        thidua_docs::Format::Xlsx,
    )
    .unwrap();
    // Another unit's officer may not import into Trà Vinh.
    let other = app.demo("lanhdao.soctrang").await;
    assert_eq!(upload(&other, &path, xlsx.clone()).await.status(), 403);
    let r = upload(&officer, &path, xlsx).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["imported"], 2);
    assert_eq!(count(&app, "person_records").await, before + 2);
    let rows = body(
        officer
            .get(&format!("/api/v1/units/{travinh}/records?year=2024"))
            .await,
    )
    .await;
    let b = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["full_name"] == "Trần Thị B (minh họa)")
        .cloned()
        .unwrap();
    assert_eq!(b["record"]["discipline_form"], "reprimand");
    assert_eq!(b["record"]["discipline_from"], "2024-06-02");
}

#[tokio::test]
async fn pages_show_records_and_keep_what_was_typed() {
    let app = spawn_demo().await;
    let officer = app.demo("canbo.travinh").await;
    let sec = app.demo("thuongtruc").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let a = person(&officer, &travinh, "Le Van A").await;
    let page = format!("/units/{travinh}/records");

    let r = officer.get(&format!("{page}?year=2023")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Lê Văn A (minh họa)"));
    assert!(html.contains("Hoàn thành tốt nhiệm vụ"));
    assert!(html.contains("Số hóa hồ sơ kiểm sát án hình sự"));
    assert_eq!(app.demo("xem").await.get(&page).await.status(), 403);

    // A bad date: the page again, the error beside the field, what was typed kept.
    let r = officer
        .post_form(
            &page,
            &[
                ("person_id", &a),
                ("year", "2024"),
                ("rating", "good"),
                ("discipline_form", "warning"),
                ("discipline_from", "31/02/2024"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"rec-discipline_from-err\""));
    assert!(html.contains("Ngày không hợp lệ"));
    assert!(html.contains("value=\"31/02/2024\""));
    let r = officer
        .post_form(
            &page,
            &[("person_id", &a), ("year", "2024"), ("rating", "excellent")],
        )
        .await;
    assert_eq!(r.status(), 303);

    // An initiative without an author.
    let r = officer
        .post_form(
            &format!("/units/{travinh}/initiatives"),
            &[("title", "Phần mềm nhắc hạn (thử)"), ("year", "2024")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Sáng kiến phải có ít nhất một tác giả"));
    assert!(html.contains("Phần mềm nhắc hạn (thử)"));

    // The register, and the recognition form for the secretariat.
    let reg = sec.get("/initiatives").await;
    assert_eq!(reg.status(), 200);
    let inis = body(
        sec.get(&format!("/api/v1/initiatives?unit={travinh}"))
            .await,
    )
    .await;
    let id = inis[0]["id"].as_str().unwrap().to_owned();
    let html = sec
        .get(&format!("/initiatives/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/initiatives/"));
    let html = officer
        .get(&format!("/initiatives/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("/recognition\""));
    let r = sec
        .post_form(
            &format!("/initiatives/{id}/recognition"),
            &[
                ("scope", "sector"),
                ("body", ""),
                ("document_number", "3/QĐ"),
                ("recognised_on", "01/12/2024"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"3/QĐ\""));
    let r = sec
        .post_form(
            &format!("/initiatives/{id}/recognition"),
            &[
                ("scope", "sector"),
                ("body", "Hội đồng TĐKT ngành"),
                ("document_number", "3/QĐ"),
                ("recognised_on", "01/12/2024"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = sec
        .get(&format!("/initiatives/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Toàn ngành"));
}

#[tokio::test]
async fn the_area_is_documented_and_linked() {
    let app = spawn_demo().await;
    let admin = app.demo("admin").await;
    let doc = body(admin.get("/api/v1/openapi.json").await).await;
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/units/{id}/records",
        "/api/v1/units/{id}/records/import",
        "/api/v1/people/{id}/records",
        "/api/v1/initiatives",
        "/api/v1/initiatives/{id}",
        "/api/v1/initiatives/{id}/recognition",
        "/api/v1/exemplars",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    for s in [
        "PersonRecord",
        "RecordRow",
        "Initiative",
        "Author",
        "Exemplar",
        "RecordBody",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "{s}");
    }
    // The unit's page links to its records for its officer, not for a viewer.
    let travinh = app.unit_id("P-TRAVINH").await;
    let link = format!("/units/{travinh}/records\"");
    let officer = app.demo("canbo.travinh").await;
    let html = officer
        .get(&format!("/units/{travinh}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&link));
    let html = app
        .demo("xem")
        .await
        .get(&format!("/units/{travinh}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&link));
}
