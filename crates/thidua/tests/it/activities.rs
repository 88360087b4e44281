//! The year's activities and the news report, through the API and the pages, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common::{client, spawn_demo, Session, TestApp};
use serde_json::{json, Value};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn cluster13(s: &Session) -> String {
    let y = s.sector_year(2024).await;
    id(&s.group(&y, "cluster", 13).await)
}

async fn delete(s: &Session, path: &str) -> reqwest::Response {
    s.http
        .delete(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .expect("delete")
}

async fn post_bytes(s: &Session, path: &str, bytes: Vec<u8>) -> reqwest::Response {
    s.http
        .post(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("post bytes")
}

/// The published demo article about cluster 13's conference of 29/3/2024.
async fn demo_article(app: &TestApp) -> Value {
    let list: Value = client()
        .get(app.url("/api/v1/news"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|n| n["event_date"] == "2024-03-29")
        .expect("article of 29/3/2024")
        .clone()
}

#[tokio::test]
async fn the_demo_cluster_13_has_its_year_and_a_published_article() {
    let app = spawn_demo().await;
    let s = app.demo("lanhdao.bentre").await;
    let g = cluster13(&s).await;
    let list = s
        .json(&format!("/api/v1/activities?year=2024&group_id={g}"))
        .await;
    let items = list.as_array().expect("activities");
    assert_eq!(items.len(), 6, "{list}");
    let conf = &items[0];
    assert_eq!(conf["title"], "Hội nghị ký kết giao ước thi đua năm 2024");
    assert_eq!(conf["starts_on"], "2024-03-29");
    assert_eq!(conf["status"], "held");
    assert_eq!(conf["host"]["code"], "P-TRAVINH");
    assert!(conf["report_html"].as_str().unwrap().contains("06/06"));
    // Everything the seed does not date is marked as invented.
    for a in &items[1..] {
        assert!(a["note"].as_str().unwrap().contains("minh họa"), "{a}");
        assert_eq!(a["status"], "planned");
    }
    let kinds: Vec<&str> = items.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for k in [
        "culture_sports",
        "experience_exchange",
        "inspection",
        "mid_year_review",
    ] {
        assert!(kinds.contains(&k), "{k}");
    }

    // The year-end count: six planned, one held, five still to come.
    let sum = s
        .json(&format!(
            "/api/v1/activities/summary?year=2024&group_id={g}"
        ))
        .await;
    let total = sum.as_array().unwrap().last().unwrap().clone();
    assert_eq!(total["kind"], Value::Null);
    assert_eq!(
        (
            total["planned"].clone(),
            total["held"].clone(),
            total["pending"].clone()
        ),
        (json!(6), json!(1), json!(5))
    );
    // A member unit's calendar includes its group's activities; another year has none.
    let bt = app.unit_id("P-BENTRE").await;
    let mine = s
        .json(&format!("/api/v1/activities?year=2024&unit_id={bt}"))
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 6);
    let other = s
        .json(&format!("/api/v1/activities?year=2023&group_id={g}"))
        .await;
    assert_eq!(other.as_array().unwrap().len(), 0);

    // The article, readable without signing in, tells the seed's facts.
    let n = demo_article(&app).await;
    assert_eq!(n["status"], "published");
    assert_eq!(n["group"]["name"], "Cụm thi đua số 13");
    let text = n["body_html"].as_str().unwrap();
    for p in [
        "Trà Vinh",
        "Sóc Trăng",
        "Bến Tre",
        "Bạc Liêu",
        "Cà Mau",
        "Kiên Giang",
    ] {
        assert!(text.contains(&format!("VKSND tỉnh {p}")), "{p}: {text}");
    }
    assert!(text.contains("Ngày 29/3/2024, tại Hội trường VKSND tỉnh Trà Vinh"));
    assert!(text.contains("đồng chí Nguyễn Văn Tùng – Viện trưởng VKSND tỉnh Trà Vinh – Cụm trưởng Cụm thi đua số 13"), "{text}");
    assert!(
        text.contains(
            "đồng chí Đinh Gia Hưng – Viện trưởng VKSND tỉnh Sóc Trăng – Cụm phó Cụm thi đua số 13"
        ),
        "{text}"
    );
    assert!(text.contains("Tất cả 06/06 đơn vị trong Cụm thi đua số 13 đều thống nhất đăng ký danh hiệu thi đua “Cờ thi đua của Chính phủ”"), "{text}");
    assert!(
        text.contains("Bản giao ước thi đua năm 2024 của Cụm thi đua số 13"),
        "{text}"
    );
    assert!(n["title"]
        .as_str()
        .unwrap()
        .contains("Hội nghị ký kết giao ước thi đua năm 2024"));

    // The public page, without signing in.
    let page = client()
        .get(app.url(&format!("/news/{}", id(&n))))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Tất cả 06/06 đơn vị"));
    let list = client().get(app.url("/news")).send().await.unwrap();
    assert_eq!(list.status(), 200);
    assert!(list
        .text()
        .await
        .unwrap()
        .contains(n["title"].as_str().unwrap()));
}

#[tokio::test]
async fn activities_are_planned_held_and_reported_by_those_who_may() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let g = cluster13(&head).await;
    let tv = app.unit_id("P-TRAVINH").await;

    // Bad input: ending before it starts, in the API and the page.
    let bad = json!({"group_id": g, "title": "Giao lưu bóng đá", "kind": "culture_sports",
                     "starts_on": "2024-09-10", "ends_on": "2024-09-09"});
    let r = head.post_json("/api/v1/activities", &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let p = body(r).await;
    assert_eq!(p["errors"][0]["field"], "ends_on");
    assert_eq!(p["errors"][0]["key"], "err-end-before-start");
    let r = head
        .post_form(
            "/activities",
            &[
                ("group_id", &g),
                ("title", "Giao lưu bóng đá"),
                ("kind", "culture_sports"),
                ("starts_on", "2024-09-10"),
                ("ends_on", "2024-09-09"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ngày kết thúc phải sau ngày bắt đầu."));
    assert!(
        html.contains("value=\"Giao lưu bóng đá\""),
        "what was typed is kept"
    );
    assert!(html.contains("value=\"2024-09-09\""));
    let count = head
        .json(&format!("/api/v1/activities?year=2024&group_id={g}"))
        .await;
    assert_eq!(count.as_array().unwrap().len(), 6, "nothing written");

    // The head unit's leader plans one through the page.
    let r = head
        .post_form(
            "/activities",
            &[
                ("group_id", &g),
                ("title", "Giao lưu bóng đá"),
                ("kind", "culture_sports"),
                ("starts_on", "10/09/2024"),
                ("ends_on", "2024-09-11"),
                ("host_unit_id", &tv),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let aid = loc
        .trim_start_matches("/activities/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let a = head.json(&format!("/api/v1/activities/{aid}")).await;
    assert_eq!(a["starts_on"], "2024-09-10");
    assert_eq!(a["status"], "planned");
    let page = head.get(&loc).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Giao lưu bóng đá"));

    // Held, with a short report (HTML in it stays text) and a photo.
    let r = head
        .put_json(
            &format!("/api/v1/activities/{aid}"),
            &json!({"title": "Giao lưu bóng đá", "kind": "culture_sports", "starts_on": "2024-09-10",
                    "ends_on": "2024-09-11", "host_unit_id": tv, "status": "held",
                    "report": "Sáu đội tham gia. <script>alert(1)</script>", "version": a["version"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let held = body(r).await;
    assert_eq!(held["status"], "held");
    assert!(!held["report_html"].as_str().unwrap().contains("<script"));
    // A stale version is refused.
    let r = head
        .put_json(
            &format!("/api/v1/activities/{aid}"),
            &json!({"title": "X", "kind": "other", "starts_on": "2024-09-10", "version": a["version"]}),
        )
        .await;
    assert_eq!(r.status(), 409);

    let r = post_bytes(
        &head,
        &format!("/api/v1/activities/{aid}/photos?name=doi-bong.png&caption=Hai+%C4%91%E1%BB%99i"),
        PNG.to_vec(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let photo = body(r).await;
    assert_eq!(photo["content_type"], "image/png");
    // Not an image (a PDF named .png), and too large.
    let r = post_bytes(
        &head,
        &format!("/api/v1/activities/{aid}/photos?name=anh.png"),
        b"%PDF-1.7 not a photo".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["key"], "err-photo-type");
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 10, 0);
    let r = post_bytes(
        &head,
        &format!("/api/v1/activities/{aid}/photos?name=to.png"),
        big,
    )
    .await;
    assert_eq!(r.status(), 413);
    // The page upload says the refusal beside the field.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"GIF89a".to_vec()).file_name("a.gif"),
    );
    let r = head
        .http
        .post(head.url(&format!("/activities/{aid}/photos?_csrf={}", head.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    let html = head.get(&back).await.text().await.unwrap();
    assert!(html.contains("Tệp không phải là ảnh PNG, JPEG hoặc WebP."));
    let a = head.json(&format!("/api/v1/activities/{aid}")).await;
    assert_eq!(
        a["photos"].as_array().unwrap().len(),
        1,
        "only the real photo"
    );
    let img = head
        .get(&format!(
            "/activities/{aid}/photos/{}",
            photo["file_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");

    // Members read; outsiders and plain members may not plan or edit the group's.
    let member = app.demo("lanhdao.bentre").await;
    assert_eq!(
        member
            .get(&format!("/api/v1/activities/{aid}"))
            .await
            .status(),
        200
    );
    let r = member
        .post_json(
            "/api/v1/activities",
            &json!({"group_id": g, "title": "X", "kind": "other", "starts_on": "2024-10-01"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let outsider = app.demo("lanhdao.tanchau").await;
    assert_eq!(
        outsider
            .get(&format!("/api/v1/activities/{aid}"))
            .await
            .status(),
        403
    );
    assert_eq!(
        outsider
            .get(&format!("/api/v1/activities?year=2024&group_id={g}"))
            .await
            .status(),
        403
    );
    assert_eq!(
        outsider.get(&format!("/activities/{aid}")).await.status(),
        403
    );
    assert_eq!(
        delete(&outsider, &format!("/api/v1/activities/{aid}"))
            .await
            .status(),
        403
    );
    // The deputy's leader and the council secretariat manage the group's activities.
    let deputy = app.demo("lanhdao.soctrang").await;
    let r = deputy
        .post_json(
            "/api/v1/activities",
            &json!({"group_id": g, "title": "Trao đổi kinh nghiệm", "kind": "experience_exchange", "starts_on": "2024-11-05"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let secretary = app.demo("thuongtruc").await;
    assert_eq!(
        delete(
            &secretary,
            &format!("/api/v1/activities/{}", id(&body(r).await))
        )
        .await
        .status(),
        204
    );

    // A unit's own activities: its emulation officer plans them, another unit's may not.
    let officer = app.demo("canbo.travinh").await;
    let r = officer
        .post_json(
            "/api/v1/activities",
            &json!({"unit_id": tv, "title": "Kiểm tra các đơn vị cấp huyện", "kind": "inspection",
                    "starts_on": "2024-06-03", "ends_on": "2024-06-07"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let bt = app.unit_id("P-BENTRE").await;
    let r = officer
        .post_json(
            "/api/v1/activities",
            &json!({"unit_id": bt, "title": "X", "kind": "inspection", "starts_on": "2024-06-03"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // Trà Vinh's year: its own activity and its group's.
    let y = officer
        .json(&format!("/api/v1/activities?year=2024&unit_id={tv}"))
        .await;
    assert_eq!(y.as_array().unwrap().len(), 8);
    // Sóc Trăng's people do not read Trà Vinh's own.
    assert_eq!(
        deputy
            .get(&format!("/api/v1/activities?year=2024&unit_id={tv}"))
            .await
            .status(),
        403
    );

    // The calendar pages: the year list, a month grid, the filters.
    let cal = head
        .get(&format!("/activities?year=2024&group_id={g}"))
        .await;
    assert_eq!(cal.status(), 200);
    let html = cal.text().await.unwrap();
    assert!(html.contains("Giao lưu bóng đá"));
    assert!(html.contains("Tổng hợp cuối năm"));
    let grid = head
        .get(&format!("/activities?year=2024&month=3&group_id={g}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(grid.contains("class=\"calendar\""));
    assert!(grid.contains("Hội nghị ký kết giao ước thi đua năm 2024"));
    let council = head.get("/activities?year=2024").await;
    assert_eq!(council.status(), 200);
    assert!(council.text().await.unwrap().contains("Giao lưu bóng đá"));
    assert_eq!(
        outsider
            .get(&format!("/activities?year=2024&group_id={g}"))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_news_draft_is_private_until_published() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let g = cluster13(&head).await;
    let confs = head.json(&format!("/api/v1/groups/{g}/conferences")).await;
    let conf = id(&confs.as_array().unwrap()[0]);

    // Outsiders may not draft; the head's leader may (through the page too).
    let member = app.demo("lanhdao.bentre").await;
    assert_eq!(
        member
            .post_json(&format!("/api/v1/conferences/{conf}/news"), &json!({}))
            .await
            .status(),
        403
    );
    let r = head
        .post_json(&format!("/api/v1/conferences/{conf}/news"), &json!({}))
        .await;
    assert_eq!(r.status(), 201);
    let n = body(r).await;
    let nid = id(&n);
    assert_eq!(n["status"], "draft");
    assert!(n["body_html"].as_str().unwrap().contains("06/06"));
    let r = head
        .post_form(&format!("/conferences/{conf}/news"), &[])
        .await;
    assert_eq!(r.status(), 303);

    // A draft is invisible to the public and to members who do not edit it.
    let anon = client();
    assert_eq!(
        anon.get(app.url(&format!("/api/v1/news/{nid}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        anon.get(app.url(&format!("/news/{nid}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        member.get(&format!("/api/v1/news/{nid}")).await.status(),
        404
    );
    let public: Value = anon
        .get(app.url("/api/v1/news"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(public
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != nid.as_str()));

    // Editing: HTML is sanitised, every save is a version, a stale save is refused.
    let r = head
        .put_json(
            &format!("/api/v1/news/{nid}"),
            &json!({"title": "Cụm thi đua số 13 ký kết giao ước", "place": "Trà Vinh",
                    "body_html": "<p onclick=\"steal()\">Nội dung <b>mới</b></p><script>alert(1)</script><img src=x onerror=y>",
                    "version": n["version"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let e = body(r).await;
    let html = e["body_html"].as_str().unwrap();
    assert!(html.contains("Nội dung"));
    for bad in ["onclick", "<script", "<img", "onerror"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert_eq!(e["version"], 2);
    let r = head
        .put_json(
            &format!("/api/v1/news/{nid}"),
            &json!({"title": "X", "body_html": "<p>x</p>", "version": 1}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = head
        .put_json(
            &format!("/api/v1/news/{nid}"),
            &json!({"title": " ", "body_html": "<script>x</script>", "version": 2}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let versions = head.json(&format!("/api/v1/news/{nid}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert!(
        versions[1]["body_html"].as_str().unwrap().contains("06/06"),
        "the draft is kept"
    );
    // The page editor keeps what was typed beside the error.
    let r = head
        .post_form(
            &format!("/news/{nid}"),
            &[
                ("title", ""),
                ("place", "Trà Vinh"),
                ("body", "Nội dung gõ dở"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Trường này là bắt buộc."));
    assert!(page.contains("Nội dung gõ dở"));

    // A photo, then publication: now public, photo included.
    let r = post_bytes(
        &head,
        &format!("/api/v1/news/{nid}/photos?name=hoi-nghi.png"),
        PNG.to_vec(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let photo = id(&json!({"id": body(r).await["file_id"]}));
    assert_eq!(
        anon.get(app.url(&format!("/news/{nid}/photos/{photo}")))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "a draft's photo is private"
    );
    assert_eq!(
        member
            .post_json(&format!("/api/v1/news/{nid}/publish"), &json!({}))
            .await
            .status(),
        404
    );
    let r = head
        .post_json(&format!("/api/v1/news/{nid}/publish"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["status"], "published");
    let r = anon
        .get(app.url(&format!("/news/{nid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Nội dung"));
    let img = anon
        .get(app.url(&format!("/news/{nid}/photos/{photo}")))
        .send()
        .await
        .unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");
    // Published: members see it but still may not edit it.
    assert_eq!(
        member
            .put_json(
                &format!("/api/v1/news/{nid}"),
                &json!({"title": "X", "body_html": "<p>x</p>", "version": 2}),
            )
            .await
            .status(),
        403
    );
    // The secretariat may take it back to draft.
    let sec = app.demo("thuongtruc").await;
    let r = sec
        .post_json(&format!("/api/v1/news/{nid}/unpublish"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        anon.get(app.url(&format!("/news/{nid}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The API lists the paths.
    let doc = head.json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/activities"].is_object());
    assert!(doc["paths"]["/api/v1/news/{id}"].is_object());
}

#[tokio::test]
async fn without_a_filter_each_reads_only_what_they_may() {
    let app = spawn_demo().await;
    let member = app.demo("lanhdao.bentre").await;
    let all = member.json("/api/v1/activities?year=2024").await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    let outsider = app.demo("lanhdao.tanchau").await;
    let none = outsider.json("/api/v1/activities?year=2024").await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    let anon = client()
        .get(app.url("/api/v1/activities"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
}
