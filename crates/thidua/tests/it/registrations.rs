//! Title registration through the API and the pages, on SQLite and PostgreSQL.

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

/// The id of a council's year, by a word of the council's name.
async fn council_year(s: &Session, council_word: &str, year: i64) -> String {
    let councils = s.json("/api/v1/councils").await;
    let c = councils
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains(council_word))
        .expect("council")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let years = s.json(&format!("/api/v1/councils/{c}/years")).await;
    years
        .as_array()
        .expect("years")
        .iter()
        .find(|y| y["year"] == year)
        .expect("year")["id"]
        .as_str()
        .expect("id")
        .to_owned()
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

async fn count(app: &TestApp) -> i64 {
    use sqlx::Row;
    let url = app.db_url.clone();
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("connect");
    sqlx::query("SELECT COUNT(*) FROM registrations")
        .fetch_one(&mut c)
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("n")
}

fn group_summary<'a>(s: &'a Value, number_word: &str) -> &'a Value {
    s["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| {
            g["group_name"]
                .as_str()
                .unwrap_or("")
                .ends_with(number_word)
        })
        .expect("group in summary")
}

fn title_count(g: &Value, code: &str) -> i64 {
    g["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .find(|c| c["title_code"] == code)
        .map_or(0, |c| c["count"].as_i64().unwrap_or(0))
}

#[tokio::test]
async fn the_seed_registrations_are_in_the_demo() {
    let app = spawn_demo().await;
    let s = app.demo("thuongtruc").await;
    let y24 = s.sector_year(2024).await;
    let sum = body(
        s.get(&format!("/api/v1/years/{y24}/registration-summary"))
            .await,
    )
    .await;
    let c13 = group_summary(&sum, " 13");
    assert_eq!(c13["members"], 6);
    assert_eq!(c13["units_registered"], 6);
    assert_eq!(title_count(c13, "government_flag"), 6);

    let ag = app.demo("thuongtruc.angiang").await;
    let y22 = council_year(&ag, "An Giang", 2022).await;
    let sum = body(
        ag.get(&format!("/api/v1/years/{y22}/registration-summary"))
            .await,
    )
    .await;
    let c2 = group_summary(&sum, " 2");
    assert_eq!(title_count(c2, "sector_flag"), 3);
    assert_eq!(title_count(c2, "excellent_labour_collective"), 2);
    assert_eq!(c2["units_registered"], 5);
    // The 2022 flags come from the 2013 law's rule set.
    let regs = body(ag.get(&format!("/api/v1/years/{y22}/registrations")).await).await;
    let flag = regs
        .as_array()
        .expect("regs")
        .iter()
        .find(|r| r["title_code"] == "sector_flag")
        .expect("sector flag");
    assert_eq!(flag["flags"][0]["rule"], "sector_flag.excellent_collective");
    assert!(flag["flags"][0]["message_vi"]
        .as_str()
        .unwrap_or("")
        .contains("2013"));

    // The awards registry holds the articles' sector flags of 2023.
    let travinh = app.unit_id("P-TRAVINH").await;
    let awards = body(s.get(&format!("/api/v1/units/{travinh}/awards")).await).await;
    assert_eq!(awards[0]["year"], 2023);
    assert_eq!(awards[0]["title_code"], "sector_flag");
}

#[tokio::test]
async fn register_refuse_reopen_double_submit_withdraw() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let officer = app.demo("canbo.travinh").await;
    let y24 = sec.sector_year(2024).await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let a = person(&officer, &travinh, "Le Van A").await;
    let dang = person(&officer, &travinh, "Huynh Van Dang").await;
    let path = format!("/api/v1/years/{y24}/registrations");
    let before = count(&app).await;

    // The 2024 deadline (15/4/2024) has passed: refused, nothing written.
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": dang, "title_code": "advanced_worker"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let p = body(r).await;
    assert_eq!(p["type"], "/problems/err-reg-deadline-passed");
    assert!(p["title"].as_str().unwrap_or("").contains("15/04/2024"));
    assert_eq!(count(&app).await, before);

    // Only the secretariat reopens.
    let reopen = format!("/api/v1/years/{y24}/registration-window/reopen");
    let body_reopen = json!({"until": ymd(30), "reason": "Bổ sung đăng ký cá nhân"});
    assert_eq!(officer.post_json(&reopen, &body_reopen).await.status(), 403);
    let w = sec.post_json(&reopen, &body_reopen).await;
    assert_eq!(w.status(), 200);
    assert_eq!(body(w).await["reopened_by"], "thuongtruc");

    // Ineligible: two grassroots titles only. The rule and its message; nothing written.
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": a, "title_code": "sector_fighter"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap_or(""),
        "application/problem+json"
    );
    let p = body(r).await;
    assert_eq!(p["rules"][0]["rule"], "sector_fighter.three_grassroots");
    assert!(p["rules"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("3 lần liên tục Chiến sĩ thi đua cơ sở (Điều 22"));
    assert_eq!(count(&app).await, before);
    // A collective title for a person is refused too.
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": a, "title_code": "government_flag"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        body(r).await["rules"][0]["rule"],
        "title.collective_for_person"
    );
    assert_eq!(count(&app).await, before);

    // Reopened: accepted.
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": a, "title_code": "advanced_worker"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let reg = body(r).await;
    assert_eq!(reg["status"], "registered");
    assert_eq!(reg["registered_by"], "canbo.travinh");

    // A double submission, at the same instant: one row, one 409.
    let draft = json!({"unit_id": travinh, "person_id": dang, "title_code": "grassroots_fighter"});
    let (r1, r2) = tokio::join!(
        officer.post_json(&path, &draft),
        officer.post_json(&path, &draft)
    );
    let mut st = [r1.status().as_u16(), r2.status().as_u16()];
    st.sort();
    assert_eq!(st, [201, 409]);
    let mine = body(officer.get(&format!("{path}?unit={travinh}")).await).await;
    let rows: Vec<&Value> = mine
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["person_id"] == dang.as_str())
        .collect();
    assert_eq!(rows.len(), 1);
    // Grassroots fighter is accepted but flagged: the initiative is not recognised yet.
    assert_eq!(rows[0]["flags"][0]["rule"], "grassroots_fighter.initiative");

    // Withdraw, then register again.
    let id = rows[0]["id"].as_str().expect("id").to_owned();
    let w = officer
        .post_json(&format!("/api/v1/registrations/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(w.status(), 200);
    assert_eq!(body(w).await["status"], "withdrawn");
    let again = officer
        .post_json(&format!("/api/v1/registrations/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(again.status(), 409);
    // With the initiative recorded (by the secretariat, not the officer), no flag is left.
    let fact = json!({"kind": "initiative", "year": 2024, "detail": "Sáng kiến số hóa hồ sơ"});
    let facts = format!("/api/v1/people/{dang}/facts");
    assert_eq!(officer.post_json(&facts, &fact).await.status(), 403);
    assert_eq!(sec.post_json(&facts, &fact).await.status(), 204);
    assert_eq!(
        sec.post_json("/api/v1/people/nope/facts", &fact)
            .await
            .status(),
        404
    );
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": travinh, "person_id": dang, "title_code": "grassroots_fighter"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(body(r).await["flags"], json!([]));

    // Another unit's leader may not register for Trà Vinh; unknown ids are 404.
    let other = app.demo("lanhdao.soctrang").await;
    let r = other
        .post_json(
            &path,
            &json!({"unit_id": travinh, "title_code": "sector_flag"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = other
        .post_json(&format!("/api/v1/registrations/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(r.status(), 403);
    let r = officer
        .post_json(
            "/api/v1/years/nope/registrations",
            &json!({"unit_id": travinh, "title_code": "sector_flag"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = officer
        .post_json(
            &path,
            &json!({"unit_id": "nope", "title_code": "sector_flag"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = officer
        .post_json("/api/v1/registrations/nope/withdraw", &json!({}))
        .await;
    assert_eq!(r.status(), 404);

    // Setting the deadline back closes it again (secretariat only).
    let win = format!("/api/v1/years/{y24}/registration-window");
    assert_eq!(
        officer
            .put_json(&win, &json!({"deadline": ymd(-1)}))
            .await
            .status(),
        403
    );
    let w = body(sec.put_json(&win, &json!({"deadline": ymd(-1)})).await).await;
    assert_eq!(w["deadline"], ymd(-1));
    // Still reopened until +30 days, so accepted; the audit trail has every step.
    let audit = body(
        app.demo("kiemtra")
            .await
            .get("/api/v1/audit?entity=registration")
            .await,
    )
    .await;
    assert!(audit.to_string().contains("withdraw"));
}

#[tokio::test]
async fn lists_for_the_head_and_the_council_and_export() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let y24 = head.sector_year(2024).await;
    let c13 = head.group(&y24, "cluster", 13).await;
    let gid = c13["id"].as_str().expect("id");
    let list = head
        .get(&format!("/api/v1/groups/{gid}/registrations"))
        .await;
    assert_eq!(list.status(), 200);
    let list = body(list).await;
    let flags = list
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["title_code"] == "government_flag")
        .count();
    assert_eq!(flags, 6);
    // The deputy is not the head: no compiled list, no council view.
    let deputy = app.demo("lanhdao.soctrang").await;
    assert_eq!(
        deputy
            .get(&format!("/api/v1/groups/{gid}/registrations"))
            .await
            .status(),
        403
    );
    assert_eq!(
        head.get(&format!("/api/v1/years/{y24}/registration-summary"))
            .await
            .status(),
        403
    );
    assert_eq!(
        head.get("/api/v1/groups/nope/registrations").await.status(),
        404
    );
    // The head exports its group's list; it opens as a workbook with one row per registration.
    let r = head
        .get(&format!(
            "/api/v1/years/{y24}/registrations/export?group={gid}&format=xlsx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = wb.worksheet_range("Đăng ký thi đua").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][2], "Đơn vị");
    assert_eq!(rows.len(), list.as_array().map_or(0, Vec::len) + 1);
    assert_eq!(
        rows.iter()
            .filter(|r| r[4] == "Cờ thi đua của Chính phủ")
            .count(),
        6
    );
    // The council sees every group; the whole year's export is the council's.
    let sec = app.demo("thuongtruc").await;
    assert_eq!(
        sec.get(&format!("/api/v1/years/{y24}/registrations/export"))
            .await
            .status(),
        200
    );
    assert_eq!(
        head.get(&format!("/api/v1/years/{y24}/registrations/export"))
            .await
            .status(),
        403
    );
    let cat = body(head.get("/api/v1/titles").await).await;
    assert_eq!(cat["titles"].as_array().map_or(0, Vec::len), 8);
}

#[tokio::test]
async fn pages_show_registrations_and_errors_beside_the_field() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let travinh = app.unit_id("P-TRAVINH").await;

    let page = sec.get(&format!("/years/{y24}/registration")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Danh sách đăng ký của các cụm, khối"));
    assert!(html.contains("6/6"));

    // The secretariat reopens through the form.
    let r = sec
        .post_form(
            &format!("/years/{y24}/registration/reopen"),
            &[("until", &ymd(10)), ("reason", "Kiểm tra")],
        )
        .await;
    assert_eq!(r.status(), 303);

    let officer = app.demo("canbo.travinh").await;
    let a = person(&officer, &travinh, "Le Van A").await;
    let unit_page = format!("/years/{y24}/registration/units/{travinh}");
    let html = officer.get(&unit_page).await.text().await.expect("html");
    assert!(html.contains("Cờ thi đua của Chính phủ"));
    assert!(html.contains("Lê Văn A (minh họa)"));
    // The awards registry beside the form: the unit's 2023 sector flag, A's two titles.
    assert!(html.contains("Cờ thi đua của ngành Kiểm sát nhân dân 2023"));
    assert!(html.contains("Chiến sĩ thi đua cơ sở 2023; Chiến sĩ thi đua cơ sở 2022"));
    let r = officer
        .post_form(
            &unit_page,
            &[("person_id", &a), ("title_code", "sector_fighter")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("Chiến sĩ thi đua ngành cần 3 lần liên tục Chiến sĩ thi đua cơ sở"));
    assert!(html.contains(&format!("id=\"t-{a}-err\"")));
    let r = officer
        .post_form(
            &unit_page,
            &[("person_id", &a), ("title_code", "advanced_worker")],
        )
        .await;
    assert_eq!(r.status(), 303);

    // The head's compiled list page; another province's leader may not see it.
    let c13 = sec.group(&y24, "cluster", 13).await;
    let gid = c13["id"].as_str().expect("id");
    let head = app.demo("lanhdao.travinh").await;
    let r = head.get(&format!("/groups/{gid}/registration")).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Lê Văn A (minh họa)"));
    let other = app.demo("lanhdao.kiengiang").await;
    assert_eq!(
        other
            .get(&format!("/groups/{gid}/registration"))
            .await
            .status(),
        403
    );
    assert_eq!(other.get(&unit_page).await.status(), 403);
    assert_eq!(sec.get("/registration").await.status(), 200);
}
