//! Bounded work for every request (issue 17): the rights are checked before an upload is
//! read, an import never unpacks or keeps more than its limits, a long rich-text body is
//! refused before the sanitiser runs long, and control characters are a client error on
//! both databases — never a 500.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{client, spawn_demo, Session};

/// Generous bound on any answer here; the slow paths took minutes.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Size of the bomb's shared-strings table once unpacked.
const BOMB_UNPACKED: usize = 300 * 1024 * 1024;

/// A valid XLSX workbook whose `xl/sharedStrings.xml` unpacks to [`BOMB_UNPACKED`] bytes of
/// repeated text (well under a megabyte packed), with a people sheet that uses it.
fn xlsx_bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    let mut part = |name: &str, content: &[u8]| {
        w.start_file(name, opts).expect("start part");
        w.write_all(content).expect("write part");
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Cán bộ\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".as_bytes(),
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    );
    // Every row names the same (huge) shared string: read naively, each cell copies it.
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for r in 1..=1000 {
        sheet.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>0</v></c><c r=\"C{r}\" t=\"s\"><v>1</v></c></row>"
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    part("xl/worksheets/sheet1.xml", sheet.as_bytes());
    w.start_file("xl/sharedStrings.xml", opts)
        .expect("start shared strings");
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>",
    )
    .expect("write");
    let chunk = vec![b'A'; 1024 * 1024];
    for _ in 0..BOMB_UNPACKED / chunk.len() {
        w.write_all(&chunk).expect("write");
    }
    w.write_all(b"</t></si><si><t>P-TRAVINH</t></si></sst>")
        .expect("write");
    w.finish().expect("finish").into_inner()
}

/// The process's resident memory, in kB (the test server runs in this process).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time used by the process so far (user + system), in milliseconds.
fn cpu_ms() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // After the command name (in parentheses): utime is the 14th field and stime the
            // 15th, in clock ticks (100 per second).
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
            Some(ticks * 10)
        })
        .unwrap_or(0)
}

/// Samples the resident memory until stopped; the highest value seen.
fn watch_rss() -> (Arc<AtomicBool>, std::thread::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let h = std::thread::spawn(move || {
        let mut peak = rss_kb();
        while !s.load(Ordering::Relaxed) {
            peak = peak.max(rss_kb());
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    (stop, h)
}

async fn post_raw(s: &Session, path: &str, bytes: &[u8]) -> reqwest::Response {
    tokio::time::timeout(
        ANSWER_WITHIN,
        s.http
            .post(s.url(path))
            .header("x-csrf-token", &s.csrf)
            .body(bytes.to_vec())
            .send(),
    )
    .await
    .expect("answered in time")
    .expect("send")
}

async fn post_page_upload(s: &Session, path: &str, bytes: &[u8]) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("bom.xlsx"),
    );
    tokio::time::timeout(
        ANSWER_WITHIN,
        s.http
            .post(s.url(&format!("{path}?_csrf={}", s.csrf)))
            .multipart(form)
            .send(),
    )
    .await
    .expect("answered in time")
    .expect("send")
}

async fn people_total(s: &Session) -> Value {
    s.json("/api/v1/people?per_page=1").await["total"].clone()
}

#[tokio::test]
async fn a_viewer_posting_an_xlsx_bomb_is_refused_unread() {
    let app = spawn_demo().await;
    let bomb = xlsx_bomb();
    assert!(bomb.len() < thidua_docs::MAX_IMPORT_BYTES, "{}", bomb.len());
    let viewer = app.demo("xem").await;
    let before = people_total(&viewer).await;
    for path in ["/api/v1/people/import", "/api/v1/units/import"] {
        let started = Instant::now();
        let r = post_raw(&viewer, path, &bomb).await;
        assert_eq!(r.status(), 403, "{path}");
        assert!(started.elapsed() < ANSWER_WITHIN);
        let p: Value = r.json().await.expect("problem");
        assert_eq!(p["type"], "/problems/err-forbidden", "{p}");
    }
    for path in ["/people/import", "/units/import"] {
        let r = post_page_upload(&viewer, path, &bomb).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    assert_eq!(people_total(&viewer).await, before);
}

#[tokio::test]
async fn an_importer_posting_an_xlsx_bomb_gets_a_clear_refusal_in_bounded_memory() {
    let app = spawn_demo().await;
    let bomb = xlsx_bomb();
    let officer = app.demo("canbo.travinh").await;
    let admin = app.demo("admin").await;
    let people = people_total(&admin).await;
    let units = admin.json("/api/v1/units?per_page=1").await["total"].clone();

    let base = rss_kb();
    let (cpu, started) = (cpu_ms(), Instant::now());
    let (stop, peak) = watch_rss();
    let r = post_raw(&officer, "/api/v1/people/import", &bomb).await;
    let status = r.status();
    let p: Value = r.json().await.expect("problem");
    let r2 = post_raw(&admin, "/api/v1/units/import", &bomb).await;
    let status2 = r2.status();
    let p2: Value = r2.json().await.expect("problem");
    stop.store(true, Ordering::Relaxed);
    let peak = peak.join().expect("watcher");

    for (status, p) in [(status, &p), (status2, &p2)] {
        assert_eq!(status, 422, "{p}");
        assert_eq!(p["rows"][0]["key"], "too_much", "{p}");
        let msg = p["rows"][0]["message"].as_str().expect("message");
        assert!(msg.contains("giải nén"), "{msg}");
    }
    let growth_mb = peak.saturating_sub(base) / 1024;
    eprintln!(
        "bomb ({} bytes, twice): answered in {:?}, {} ms CPU, resident memory grew by \
         {growth_mb} MB (from {} MB)",
        bomb.len(),
        started.elapsed(),
        cpu_ms().saturating_sub(cpu),
        base / 1024
    );
    assert!(growth_mb < 256, "resident memory grew by {growth_mb} MB");
    // The page says it in Vietnamese, too.
    let r = post_page_upload(&officer, "/people/import", &bomb).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let html = r.text().await.expect("html");
    assert!(html.contains("giải nén"), "{html}");
    // Nothing was written.
    assert_eq!(people_total(&admin).await, people);
    assert_eq!(admin.json("/api/v1/units?per_page=1").await["total"], units);
}

/// Markup that made the sanitiser quadratic (distinct attributes on formatting elements),
/// just under the raw size limit: 545 s of CPU on the demo server.
fn hostile_body() -> String {
    (0..36_000).map(|i| format!("<b x={i}>")).collect()
}

/// Attributes on formatting elements at the most tags a body may have: accepted sizes are
/// sanitised quickly.
fn hostile_body_at_the_limit() -> String {
    (0..thidua_domain::document::BODY_TAGS_MAX / 2 - 1)
        .map(|i| format!("<b x={i}>a</b>"))
        .collect()
}

#[tokio::test]
async fn a_long_news_body_is_answered_quickly() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let y = head.sector_year(2024).await;
    let g = head.group(&y, "cluster", 13).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let confs = head.json(&format!("/api/v1/groups/{g}/conferences")).await;
    let conf = confs[0]["id"].as_str().expect("conference").to_owned();
    let r = head
        .post_json(&format!("/api/v1/conferences/{conf}/news"), &json!({}))
        .await;
    assert_eq!(r.status(), 201);
    let n: Value = r.json().await.expect("json");
    let nid = n["id"].as_str().expect("id").to_owned();
    for body in [
        hostile_body(),
        hostile_body_at_the_limit(),
        "<p>Tỷ lệ</p>".repeat(400_000 / 14 + 1),
    ] {
        let started = Instant::now();
        let r = tokio::time::timeout(
            ANSWER_WITHIN,
            head.put_json(
                &format!("/api/v1/news/{nid}"),
                &json!({"title": "Tin", "place": "Trà Vinh", "body_html": body,
                        "version": n["version"]}),
            ),
        )
        .await
        .expect("answered within 10 s");
        eprintln!(
            "news body of {} bytes: {} in {:?}",
            body.len(),
            r.status(),
            started.elapsed()
        );
        assert!(r.status() == 200 || r.status() == 422, "{}", r.status());
        if body.len() > 400_000 || body.len() > 300_000 && body.starts_with("<b x=0>") {
            assert_eq!(r.status(), 422);
        }
    }
}

#[tokio::test]
async fn control_characters_are_a_client_error_on_every_edge() {
    let app = spawn_demo().await;
    let anon = client();
    // The login form, before anyone signs in.
    let r = anon
        .post(app.url("/login"))
        .form(&[("username", "ad\0min"), ("password", "x"), ("next", "/")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 400);
    // A path and a query string, public API.
    for path in [
        "/api/v1/news/%00",
        "/api/v1/verify/%00abc",
        "/api/v1/news?q=%01",
    ] {
        let r = anon.get(app.url(path)).send().await.expect("get");
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        assert_eq!(r.status(), 400, "{path}");
    }
    // A JSON field, raw-escaped and as \b, signed in.
    let admin = app.demo("admin").await;
    let r = admin.get("/api/v1/people?q=a%00b").await;
    assert_eq!(r.status(), 400);
    let p: Value = r.json().await.expect("problem");
    assert_eq!(p["type"], "/problems/err-control-char", "{p}");
    let travinh = app.unit_id("P-TRAVINH").await;
    for name in ["Lê\u{0}Văn", "Lê\u{8}Văn", "Lê\u{1b}Văn"] {
        let r = admin
            .post_json(
                "/api/v1/people",
                &json!({"full_name": name, "position": "Chuyên viên", "unit_id": travinh}),
            )
            .await;
        assert_eq!(r.status(), 400, "{name:?}");
    }
    // Tabs and line breaks stay allowed.
    let r = admin
        .post_json(
            "/api/v1/people",
            &json!({"full_name": "Lê Văn\tTab", "position": "Chuyên viên\n", "unit_id": travinh}),
        )
        .await;
    assert!(r.status() != 400 && r.status() != 500, "{}", r.status());
    // A page form with a session.
    let r = admin
        .post_form("/people", &[("full_name", "A\0B"), ("unit_id", &travinh)])
        .await;
    assert_eq!(r.status(), 400);
}
