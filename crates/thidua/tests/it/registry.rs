//! The awards registry: search, histories, the import of earlier years, certificates, the
//! year report (its numbers recomputed here from the rows) and who may read what; through
//! the API and the pages, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::Value;

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
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

async fn sector_council(s: &Session) -> String {
    let councils = s.json("/api/v1/councils").await;
    councils
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
        .expect("sector council")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every entry a search finds, page by page.
async fn all_entries(s: &Session, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let v = s
            .json(&format!("/api/v1/registry?{query}&per_page=50&page={page}"))
            .await;
        let items = v["items"].as_array().unwrap().clone();
        let total = v["total"].as_i64().unwrap();
        out.extend(items);
        if out.len() as i64 >= total {
            break;
        }
    }
    out
}

#[tokio::test]
async fn search_histories_and_who_reads_them() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let travinh = app.unit_id("P-TRAVINH").await;

    // The eight sector flags of 2023 (six imported, two decided in the demo's 2023 close), paged and sorted.
    let v = sec
        .json("/api/v1/registry?year=2023&title=sector_flag&sort=unit&per_page=2&page=2")
        .await;
    assert_eq!(v["total"], 8);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let all = all_entries(&sec, "year=2023&title=sector_flag&sort=unit").await;
    let names: Vec<&str> = all
        .iter()
        .map(|e| e["unit_name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 8);
    assert!(all.iter().all(|e| e["title_code"] == "sector_flag"));
    let v = sec.json("/api/v1/registry?awardee=individual").await;
    assert_eq!(v["total"], 5);
    let v = sec.json("/api/v1/registry?kind=yearly&year=2021").await;
    assert_eq!(v["total"], 1);
    assert_eq!(sec.get("/api/v1/registry?kind=bogus").await.status(), 422);

    // Trà Vinh's leader sees Trà Vinh only; the auditor everything; viewers and
    // followers nothing.
    let leader = app.demo("lanhdao.travinh").await;
    let mine = all_entries(&leader, "sort=year").await;
    assert_eq!(mine.len(), 6);
    assert!(mine.iter().all(|e| e["unit_id"] == travinh.as_str()));
    let years: Vec<i64> = mine.iter().map(|e| e["year"].as_i64().unwrap()).collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    let auditor = app.demo("kiemtra").await;
    assert_eq!(auditor.json("/api/v1/registry").await["total"], 18);
    for who in ["xem", "theodoi"] {
        let s = app.demo(who).await;
        assert_eq!(s.get("/api/v1/registry").await.status(), 403, "{who}");
        assert_eq!(s.get("/registry").await.status(), 403, "{who}");
    }

    // Histories: the unit's own (and with its people's), a person's.
    let own = body(leader.get(&format!("/api/v1/units/{travinh}/awards")).await).await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["title_code"], "sector_flag");
    let with_people = leader
        .json(&format!("/api/v1/units/{travinh}/awards?people=true"))
        .await;
    assert_eq!(with_people.as_array().unwrap().len(), 6);
    let b = with_people
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["person_name"]
                .as_str()
                .unwrap_or("")
                .starts_with("Trần Thị B")
        })
        .unwrap()["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hist = leader.json(&format!("/api/v1/people/{b}/awards")).await;
    let years: Vec<i64> = hist
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2023, 2022, 2021]);
    let other = app.demo("lanhdao.soctrang").await;
    for path in [
        format!("/api/v1/units/{travinh}/awards"),
        format!("/api/v1/people/{b}/awards"),
        format!("/units/{travinh}/awards"),
        format!("/people/{b}/awards"),
    ] {
        assert_eq!(other.get(&path).await.status(), 403, "{path}");
    }
    assert_eq!(
        leader
            .get("/api/v1/units/00000000-no-such-unit/awards")
            .await
            .status(),
        404
    );

    // The pages.
    let page = leader.get(&format!("/units/{travinh}/awards")).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Trần Thị B"));
    let page = leader.get(&format!("/people/{b}/awards")).await;
    assert_eq!(page.status(), 200);
    let page = sec.get("/registry?year=2023&title=sector_flag").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sổ khen thưởng"));
    assert!(html.contains("Cờ thi đua của ngành Kiểm sát nhân dân"));
}

#[tokio::test]
async fn import_is_whole_or_nothing() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let before = count(&app, "awards").await;

    // Only a secretariat downloads the template and imports.
    let leader = app.demo("lanhdao.travinh").await;
    assert_eq!(leader.get("/registry/template.xlsx").await.status(), 403);
    assert_eq!(leader.get("/registry/import").await.status(), 403);
    let r = sec.get("/registry/template.xlsx").await;
    assert_eq!(r.status(), 200);
    let template = r.bytes().await.unwrap().to_vec();
    assert!(template.starts_with(b"PK"));
    assert_eq!(
        upload(&leader, "/api/v1/registry/import", template.clone())
            .await
            .status(),
        403
    );

    // Every bad row is named; nothing is written.
    let bad = "Năm,Mã đơn vị,Mã cán bộ,\"Danh hiệu, hình thức khen thưởng\",Loại khen thưởng,Số quyết định,Ngày quyết định\n\
               2018,P-TRAVINH,,Tập thể lao động xuất sắc,,12/QĐ-VKSTC,15/01/2019\n\
               2018,P-NOWHERE,,Tập thể lao động xuất sắc,,,\n\
               2018,,no-such-person,Lao động tiên tiến,,,\n\
               2018,P-TRAVINH,,Huy chương vàng,,,\n\
               20x8,P-TRAVINH,,Giấy khen,,,\n\
               2018,P-TRAVINH,,Giấy khen,Hằng tuần,,\n\
               2018,P-TRAVINH,,Tập thể lao động xuất sắc,,,\n\
               2023,P-TRAVINH,,Cờ thi đua của ngành Kiểm sát nhân dân,,,\n";
    let r = upload(&sec, "/api/v1/registry/import", bad.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    let keys: BTreeMap<i64, String> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().unwrap(),
                r["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys.get(&5).map(String::as_str),
        Some("err-regy-unknown-title")
    );
    assert_eq!(keys.get(&6).map(String::as_str), Some("err-regy-bad-year"));
    assert_eq!(keys.get(&7).map(String::as_str), Some("err-regy-bad-kind"));
    assert_eq!(count(&app, "awards").await, before);
    // With the file's own problems fixed, the registry's: unknown unit and person, a
    // duplicate within the file, an award already recorded.
    let bad = "Năm,Mã đơn vị,Mã cán bộ,\"Danh hiệu, hình thức khen thưởng\"\n\
               2018,P-TRAVINH,,Tập thể lao động xuất sắc\n\
               2018,P-NOWHERE,,Tập thể lao động xuất sắc\n\
               2018,,no-such-person,Lao động tiên tiến\n\
               2018,P-TRAVINH,,Tập thể lao động xuất sắc\n\
               2023,P-TRAVINH,,Cờ thi đua của ngành Kiểm sát nhân dân\n";
    let r = upload(&sec, "/api/v1/registry/import", bad.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    let keys: Vec<(i64, String, String)> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().unwrap(),
                r["column"].as_str().unwrap().to_owned(),
                r["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            (3, "Mã đơn vị".into(), "err-regy-unknown-unit".into()),
            (4, "Mã cán bộ".into(), "err-regy-unknown-person".into()),
            (
                5,
                "Danh hiệu, hình thức khen thưởng".into(),
                "err-regy-duplicate-row".into()
            ),
            (
                6,
                "Danh hiệu, hình thức khen thưởng".into(),
                "err-regy-already-recorded".into()
            ),
        ]
    );
    assert_eq!(count(&app, "awards").await, before);

    // An An Giang secretariat may not import for Trà Vinh.
    let ag = app.demo("thuongtruc.angiang").await;
    let r = upload(&ag, "/api/v1/registry/import", template.clone()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["rows"][0]["key"], "err-regy-out-of-scope");

    // The template's example row is a good file: one award, marked as imported.
    let r = upload(&sec, "/api/v1/registry/import", template.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["imported"], 1);
    assert_eq!(count(&app, "awards").await, before + 1);
    let v = sec
        .json(&format!(
            "/api/v1/registry?year=2019&unit={travinh}&title=excellent_labour_collective"
        ))
        .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["source"], "import");
    assert_eq!(v["items"][0]["decision_number"], "15/QĐ-VKSTC");
    assert_eq!(v["items"][0]["decision_date"], "2020-01-20");
    // Twice: already recorded.
    let r = upload(&sec, "/api/v1/registry/import", template.clone()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["rows"][0]["key"], "err-regy-already-recorded");

    // The page: a row error in Vietnamese, nothing written.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(template).file_name("so.xlsx"),
    );
    let r = sec
        .http
        .post(sec.url(&format!("/registry/import?_csrf={}", sec.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đã có trong sổ"));
    assert_eq!(count(&app, "awards").await, before + 1);
}

/// Does the PDF carry `text` (in its metadata: UTF-8 in XMP, UTF-16 in the info title)?
fn pdf_names(pdf: &[u8], text: &str) -> bool {
    let utf8 = text.as_bytes();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let hex: String = utf16.iter().map(|b| format!("{b:02X}")).collect();
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    has(utf8) || has(&utf16) || has(hex.as_bytes()) || has(hex.to_lowercase().as_bytes())
}

#[tokio::test]
async fn a_certificate_is_a_pdf_naming_the_awardee() {
    let app = spawn_demo().await;
    let leader = app.demo("lanhdao.travinh").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    let all = leader
        .json(&format!("/api/v1/units/{travinh}/awards?people=true"))
        .await;
    let a = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["year"] == 2021)
        .unwrap()
        .clone();
    let id = a["id"].as_str().unwrap();
    let r = leader.get(&format!("/awards/{id}/certificate.pdf")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf_names(&pdf, "Trần Thị B"), "the awardee's name");
    let flag = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title_code"] == "sector_flag")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = leader
        .get(&format!("/api/v1/awards/{flag}/certificate.pdf"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(pdf_names(&pdf, "Trà Vinh"));
    for who in ["lanhdao.soctrang", "xem"] {
        let s = app.demo(who).await;
        assert_eq!(
            s.get(&format!("/awards/{id}/certificate.pdf"))
                .await
                .status(),
            403,
            "{who}"
        );
    }
    assert_eq!(
        leader
            .get("/awards/no-such-award/certificate.pdf")
            .await
            .status(),
        404
    );
}

/// The base salary in force on a day and the multiples of Decree 98/2023, written out
/// here independently of the migration.
fn expected_cash(code: &str, individual: bool, day: &str) -> i64 {
    let base = [
        ("2013-07-01", 1_150_000),
        ("2016-05-01", 1_210_000),
        ("2017-07-01", 1_300_000),
        ("2018-07-01", 1_390_000),
        ("2019-07-01", 1_490_000),
        ("2023-07-01", 1_800_000),
        ("2024-07-01", 2_340_000),
    ]
    .iter()
    .rev()
    .find(|(d, _)| *d <= day)
    .map_or(0, |(_, a)| *a);
    let tenths = match (code, individual) {
        ("sector_flag", false) => 80,
        ("excellent_labour_collective", false) => 15,
        ("advanced_labour_collective", false) => 8,
        ("grassroots_fighter", true) => 10,
        ("commendation", false) => 6,
        ("commendation", true) => 3,
        _ => 0,
    };
    base * tenths / 10
}

#[tokio::test]
async fn the_year_report_adds_up_from_the_rows() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let council = sector_council(&sec).await;

    // More 2023 awards with dated decisions: the cash follows the base salary of the day.
    let rows = "Năm,Mã đơn vị,\"Danh hiệu, hình thức khen thưởng\",Loại khen thưởng,Số quyết định,Ngày quyết định\n\
                2023,P-CAMAU,Tập thể lao động xuất sắc,,01/QĐ,20/01/2024\n\
                2023,P-SOCTRANG,Giấy khen,Đột xuất,02/QĐ,15/05/2023\n\
                2023,P-TRAVINH,Giấy khen,Chuyên đề,03/QĐ,15/08/2023\n";
    let r = upload(&sec, "/api/v1/registry/import", rows.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 200);

    let rep = sec
        .json(&format!(
            "/api/v1/registry/report?council={council}&year=2023"
        ))
        .await;
    // Recompute from the registry's rows.
    let entries = all_entries(&sec, &format!("year=2023&council={council}")).await;
    let mut awarded: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, i64> = BTreeMap::new();
    for e in &entries {
        let code = e["title_code"].as_str().unwrap().to_owned();
        let individual = !e["person_id"].is_null();
        let day = e["decision_date"]
            .as_str()
            .map_or_else(|| "2023-12-31".to_owned(), str::to_owned);
        let x = awarded.entry(code.clone()).or_default();
        if individual {
            x.1 += 1;
        } else {
            x.0 += 1;
        }
        x.2 += expected_cash(&code, individual, &day);
        *kinds
            .entry(e["kind"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(entries.len(), 18);
    let mut total_cash = 0;
    for (code, (c, i, cash)) in &awarded {
        let line = rep["titles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["title_code"] == code.as_str())
            .unwrap_or_else(|| panic!("{code}"));
        assert_eq!(line["collective"], *c, "{code}");
        assert_eq!(line["individual"], *i, "{code}");
        assert_eq!(line["awarded"], c + i, "{code}");
        assert_eq!(line["cash"], *cash, "{code}");
        total_cash += cash;
    }
    assert_eq!(rep["total_awarded"], 18);
    assert_eq!(rep["total_cash"], total_cash);
    // Each flag × 8.0 × 1,800,000; the commendation of May 2023 at 1,490,000.
    assert_eq!(awarded["sector_flag"].0, 8);
    assert_eq!(awarded["sector_flag"].2, 8 * 14_400_000);
    assert_eq!(
        awarded["commendation"].2,
        1_490_000 * 6 / 10 + 1_800_000 * 6 / 10
    );
    let by_kind: BTreeMap<String, i64> = rep["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_owned(),
                k["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_kind, kinds);
    let groups: i64 = rep["by_group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_i64().unwrap())
        .sum();
    assert_eq!(groups, entries.len() as i64);
    // Registrations of the council year, recomputed from the list.
    let y23 = sec.sector_year(2023).await;
    let regs = sec
        .json(&format!("/api/v1/years/{y23}/registrations"))
        .await;
    let live = regs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "registered")
        .count() as i64;
    assert_eq!(rep["total_registered"], live);
    // The trend holds this year's total.
    let trend_2023: i64 = rep["trend"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["year"] == 2023)
        .map(|p| p["count"].as_i64().unwrap())
        .sum();
    assert_eq!(trend_2023, entries.len() as i64);

    // Page with the chart, exports.
    let page = sec
        .get(&format!("/registry/report?council={council}&year=2023"))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg"));
    assert!(html.contains("TỔNG CỘNG"));
    let x = sec
        .get(&format!(
            "/registry/report/export?council={council}&year=2023&format=xlsx"
        ))
        .await;
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let p = sec
        .get(&format!(
            "/api/v1/registry/report/export?council={council}&year=2023&format=pdf"
        ))
        .await;
    assert_eq!(p.status(), 200);
    assert!(p.bytes().await.unwrap().starts_with(b"%PDF"));

    // Only the council's secretariat (and auditors) read it.
    for who in ["lanhdao.travinh", "xem", "thuongtruc.angiang"] {
        let s = app.demo(who).await;
        assert_eq!(
            s.get(&format!(
                "/api/v1/registry/report?council={council}&year=2023"
            ))
            .await
            .status(),
            403,
            "{who}"
        );
    }
    let auditor = app.demo("kiemtra").await;
    assert_eq!(
        auditor
            .get(&format!(
                "/api/v1/registry/report?council={council}&year=2023"
            ))
            .await
            .status(),
        200
    );
}
