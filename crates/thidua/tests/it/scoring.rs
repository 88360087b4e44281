//! Scoring through the API and the pages, on SQLite and PostgreSQL: the demo's 2024 cluster
//! 13 ranking recomputed from its leaf scores, the head's adjustment changing the rank, the
//! scheme's life (draft, frozen, published), permissions and bad input.

use crate::common;

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
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

fn num(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// Kinds of the scheme's leaves by code, walking the criteria tree.
fn leaf_kinds(nodes: &Value, out: &mut Vec<(String, String, f64)>) {
    for n in nodes.as_array().expect("nodes") {
        let kind = n["type"].as_str().expect("type").to_owned();
        if kind == "group" {
            leaf_kinds(&n["items"], out);
        } else {
            out.push((
                n["code"].as_str().expect("code").to_owned(),
                kind,
                num(&n["max"]),
            ));
        }
    }
}

/// The total recomputed here from the leaf scores, independently of the server's totals:
/// base leaves, plus bonus up to the cap, minus deductions, never below zero.
fn recompute(scheme: &Value, leaves: &Value) -> f64 {
    let mut kinds = Vec::new();
    leaf_kinds(&scheme["criteria"], &mut kinds);
    let (mut base, mut bonus, mut ded) = (0.0, 0.0, 0.0);
    for (code, kind, max) in kinds {
        let p = leaves.get(&code).map_or(0.0, num);
        assert!((0.0..=max + 1e-9).contains(&p), "{code}: {p} of {max}");
        match kind.as_str() {
            "bonus" => bonus += p,
            "deduction" => ded += p,
            _ => base += p,
        }
    }
    let cap = num(&scheme["bonus_cap"]);
    ((base + bonus.min(cap) - ded).max(0.0) * 100.0).round() / 100.0
}

async fn cluster13(s: &Session) -> (String, String) {
    let y24 = s.sector_year(2024).await;
    let g = s.group(&y24, "cluster", 13).await;
    (y24, g["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
async fn cluster_13_ranking_is_recomputed_and_the_heads_adjustment_changes_it() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let path = format!("/api/v1/groups/{g}/ranking");
    let r = head.get(&path).await;
    assert_eq!(r.status(), 200);
    let ranking = body(r).await;
    let scheme_id = ranking["scheme"]["id"].as_str().expect("scheme").to_owned();
    let scheme = &ranking["scheme"]["scheme"];
    let rows = ranking["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    let mut positions: Vec<i64> = rows
        .iter()
        .map(|r| r["group_rank"].as_i64().expect("ranked"))
        .collect();
    positions.sort();
    assert_eq!(positions, vec![1, 2, 3, 4, 5, 6]);
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r["unit_code"].as_str().expect("code"))
        .collect();
    assert_eq!(&order[..2], &["P-KIENGIANG", "P-CAMAU"]);
    // Each total, recomputed from the leaf scores, matches; totals fall as ranks rise.
    let mut last = f64::MAX;
    for r in rows {
        let unit = r["unit_id"].as_str().expect("unit");
        let a = body(
            head.get(&format!("/api/v1/schemes/{scheme_id}/assessments/{unit}"))
                .await,
        )
        .await;
        let total = recompute(scheme, &a["final_leaves"]);
        assert!((total - num(&r["final_total"])).abs() < 0.005, "{r}");
        assert!(num(&r["final_total"]) <= last);
        last = num(&r["final_total"]);
        assert_eq!(r["status"], "submitted");
        assert!(r["band_label"]
            .as_str()
            .unwrap_or("")
            .starts_with("Hoàn thành"));
    }

    // Before publication a plain member does not see the group's ranking.
    let member = app.demo("lanhdao.bentre").await;
    assert_eq!(member.get(&path).await.status(), 403);

    // The head adjusts Kiên Giang's II.2.4: a reason is required, nothing written without.
    let kg = app.unit_id("P-KIENGIANG").await;
    let adj = format!("/api/v1/schemes/{scheme_id}/assessments/{kg}/adjustments");
    let before = count(&app, "score_adjustments").await;
    let r = head
        .post_json(
            &adj,
            &json!({"leaf_code": "II.2.4", "points": 16.5, "reason": "  "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = head
        .post_json(
            &adj,
            &json!({"leaf_code": "II.2.4", "points": 99, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        member
            .post_json(
                &adj,
                &json!({"leaf_code": "II.2.4", "points": 16.5, "reason": "x"})
            )
            .await
            .status(),
        403
    );
    assert_eq!(count(&app, "score_adjustments").await, before);
    let reason = "Thiếu tài liệu chứng minh số tiền đã thu hồi";
    let r = head
        .post_json(
            &adj,
            &json!({"leaf_code": "II.2.4", "points": 16.5, "reason": reason}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(body(r).await["stage"], "group");
    let ranking = body(head.get(&path).await).await;
    let order: Vec<&str> = ranking["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["unit_code"].as_str().expect("code"))
        .collect();
    assert_eq!(&order[..2], &["P-CAMAU", "P-KIENGIANG"]);
    let kg_row = &ranking["rows"][1];
    assert_eq!(kg_row["adjustments"], 1);
    assert!((num(&kg_row["self_total"]) - num(&kg_row["final_total"]) - 2.0).abs() < 0.005);
    // The reason is beside the self-score, in the API and on the page.
    let a = body(
        head.get(&format!("/api/v1/schemes/{scheme_id}/assessments/{kg}"))
            .await,
    )
    .await;
    assert_eq!(a["assessment"]["adjustments"][0]["reason"], reason);
    assert_eq!(a["self_leaves"]["II.2.4"], 18.5);
    assert_eq!(a["final_leaves"]["II.2.4"], 16.5);
    let page = head
        .get(&format!("/schemes/{scheme_id}/units/{kg}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(reason));
    let page = head
        .get(&format!("/groups/{g}/ranking"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("<svg") && page.contains("Kiên Giang"));

    // A submitted assessment is read-only for the unit.
    let officer = app.demo("canbo.travinh").await;
    let tv = app.unit_id("P-TRAVINH").await;
    let r = officer
        .put_json(
            &format!("/api/v1/schemes/{scheme_id}/assessments/{tv}"),
            &json!({"input": {"points": {"III.1": 1}}}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(body(r).await["type"], "/problems/err-score-submitted");

    // Publishing: the secretariat only; then members read, and reviews are closed.
    let status = format!("/api/v1/schemes/{scheme_id}/status");
    assert_eq!(
        head.post_json(&status, &json!({"status": "published"}))
            .await
            .status(),
        403
    );
    let sec = app.demo("thuongtruc").await;
    let r = sec
        .post_json(&status, &json!({"status": "published"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(member.get(&path).await.status(), 200);
    let r = head
        .post_json(
            &adj,
            &json!({"leaf_code": "II.2.4", "points": 15, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Going back is refused.
    assert_eq!(
        sec.post_json(&status, &json!({"status": "draft"}))
            .await
            .status(),
        409
    );
    // The council's ranking: the secretariat.
    let c = body(
        sec.get(&format!("/api/v1/schemes/{scheme_id}/ranking"))
            .await,
    )
    .await;
    assert_eq!(c["rows"][0]["unit_code"], "P-CAMAU");
    assert_eq!(c["rows"][0]["council_rank"], 1);
    assert_eq!(
        member
            .get(&format!("/api/v1/schemes/{scheme_id}/ranking"))
            .await
            .status(),
        403
    );
}

/// A small scheme for district procuracies.
fn district_scheme() -> Value {
    json!({
        "title": "Bảng chấm điểm VKSND cấp huyện (thử nghiệm)",
        "legal_basis": "424/QĐ-VKSTC",
        "bonus_cap": 5,
        "indicators": [{"code": "CT1", "name": "Tỷ lệ giải quyết tin báo", "direction": "higher", "target": 90}],
        "criteria": [
            {"type": "group", "code": "I", "title": "Nghiệp vụ", "items": [
                {"type": "indicator", "code": "I.1", "title": "Tin báo", "max": 10, "indicator": "CT1",
                 "formula": {"kind": "linear", "zero_at": 70, "full_at": 90}},
                {"type": "manual", "code": "I.2", "title": "Kiểm sát", "max": 20, "evidence_required": true}
            ]},
            {"type": "bonus", "code": "T", "title": "Sáng kiến", "max": 5},
            {"type": "deduction", "code": "D", "title": "Vi phạm", "max": 6, "per_occurrence": 2}
        ],
        "bands": [{"key": "excellent", "label": "Hoàn thành xuất sắc", "min": 27},
                  {"key": "done", "label": "Hoàn thành", "min": 0}],
        "tie_breaks": [{"rule": "section", "code": "I"}]
    })
}

#[tokio::test]
async fn a_scheme_is_frozen_once_open_and_bad_entries_write_nothing() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let path = format!("/api/v1/years/{y24}/schemes");

    // Only the secretariat defines schemes; one per kind of unit and year.
    let officer = app.demo("canbo.travinh").await;
    let new = json!({"unit_kind": "district", "scheme": district_scheme()});
    assert_eq!(officer.post_json(&path, &new).await.status(), 403);
    let r = sec.post_json(&path, &new).await;
    assert_eq!(r.status(), 201);
    let s = body(r).await;
    let id = s["id"].as_str().expect("id").to_owned();
    assert_eq!(s["status"], "draft");
    assert_eq!(num(&s["base_max"]), 30.0);
    assert_eq!(sec.post_json(&path, &new).await.status(), 409);

    // The scheme as XLSX and back: the workbook creates the same scheme for another kind.
    let xlsx = sec.get(&format!("/api/v1/schemes/{id}/export")).await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.expect("bytes");
    let import = |kind: &'static str, b: Vec<u8>| {
        let (http, url, csrf) = (
            sec.http.clone(),
            sec.url(&format!(
                "/api/v1/years/{y24}/schemes/import?unit_kind={kind}"
            )),
            sec.csrf.clone(),
        );
        async move {
            http.post(url)
                .header("x-csrf-token", csrf)
                .body(b)
                .send()
                .await
                .expect("post")
        }
    };
    let r = import("regional", bytes.to_vec()).await;
    assert_eq!(r.status(), 201);
    let copy = body(r).await;
    assert_eq!(copy["scheme"], s["scheme"]);
    let r = import("division", b"not a workbook".to_vec()).await;
    assert_eq!(r.status(), 422);

    let schemes = count(&app, "scoring_schemes").await;
    // A formula outside the safe set, a bad tree: refused with problem+json, nothing written.
    let mut bad = district_scheme();
    bad["criteria"][0]["items"][0]["formula"] = json!({"kind": "script", "source": "1+1"});
    let r = sec
        .post_json(&path, &json!({"unit_kind": "high_level", "scheme": bad}))
        .await;
    assert!(matches!(r.status().as_u16(), 400 | 422), "{}", r.status());
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap_or(""),
        "application/problem+json"
    );
    let mut bad = district_scheme();
    bad["criteria"][0]["items"][1]["code"] = json!("I.1");
    bad["bands"][1]["min"] = json!(40);
    let r = sec
        .post_json(&path, &json!({"unit_kind": "high_level", "scheme": bad}))
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert!(fields.contains(&"criteria.0.items.1.code"), "{p}");
    assert!(fields.contains(&"bands.1.min"), "{p}");
    assert_eq!(count(&app, "scoring_schemes").await, schemes);

    // Editing: a stale version is a conflict; a good one makes version 2.
    let mut edited = district_scheme();
    edited["title"] = json!("Bảng chấm điểm VKSND cấp huyện năm 2024");
    let one = format!("/api/v1/schemes/{id}");
    let r = sec
        .put_json(&one, &json!({"base_version": 7, "scheme": edited}))
        .await;
    assert_eq!(r.status(), 409);
    let r = sec
        .put_json(&one, &json!({"base_version": 1, "scheme": edited}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["version"], 2);

    // Entries before the assessment opens are refused.
    let district = app.unit_id("D-ANGIANG-TANCHAU").await;
    let mine = format!("/api/v1/schemes/{id}/assessments/{district}");
    let admin = app.demo("admin").await;
    let r = admin
        .put_json(&mine, &json!({"input": {"points": {"I.2": 10}}}))
        .await;
    assert_eq!(r.status(), 409);

    // Open: frozen.
    let r = sec
        .post_json(
            &format!("/api/v1/schemes/{id}/status"),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sec
        .put_json(
            &one,
            &json!({"base_version": 2, "scheme": district_scheme()}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(body(r).await["type"], "/problems/err-score-scheme-frozen");

    // Bad entries: above the maximum, negative, a computed leaf, a zero denominator.
    let before = count(&app, "assessments").await;
    for bad in [
        json!({"input": {"points": {"I.2": 21}}}),
        json!({"input": {"points": {"I.2": -1}}}),
        json!({"input": {"points": {"I.1": 5}}}),
        json!({"input": {"indicators": {"CT1": {"numerator": 3, "denominator": 0}}}}),
        json!({"input": {"points": {"X.9": 1}}}),
    ] {
        let r = admin.put_json(&mine, &bad).await;
        assert_eq!(r.status(), 422, "{bad}");
    }
    let r = admin.put_json(&mine, &json!({"input": "nonsense"})).await;
    assert!(matches!(r.status().as_u16(), 400 | 422));
    assert_eq!(count(&app, "assessments").await, before);
    // The Trà Vinh officer may not enter another unit's scores.
    assert_eq!(
        officer
            .put_json(&mine, &json!({"input": {"points": {"I.2": 10}}}))
            .await
            .status(),
        403
    );

    // A draft: running totals and what is missing; submitting it incomplete is refused.
    let r = admin
        .put_json(
            &mine,
            &json!({"input": {"points": {"T": 7}}, "comments": {}}),
        )
        .await;
    assert_eq!(r.status(), 422, "bonus above its own maximum");
    let r = admin
        .put_json(
            &mine,
            &json!({"input": {"points": {"I.2": 18, "T": 4}, "occurrences": {"D": 1},
                     "indicators": {"CT1": {"numerator": 80, "denominator": 100}}}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let a = body(r).await;
    assert_eq!(num(&a["self_card"]["total"]), 25.0); // 5 + 18 + 4 - 2
    assert_eq!(a["missing"], json!([]));
    let r = admin.post_json(&format!("{mine}/submit"), &json!({})).await;
    assert_eq!(r.status(), 422, "evidence for I.2 is not described");
    let version = a["assessment"]["version"].as_i64().expect("version");
    let r = admin
        .put_json(
            &mine,
            &json!({"base_version": version + 5, "input": a["assessment"]["input"], "comments": {"I.2": "Báo cáo số 12/BC-VKS"}}),
        )
        .await;
    assert_eq!(r.status(), 409, "stale version");
    let r = admin
        .put_json(
            &mine,
            &json!({"base_version": version, "input": a["assessment"]["input"], "comments": {"I.2": "Báo cáo số 12/BC-VKS"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Two submissions at once: one wins.
    let (submit, empty) = (format!("{mine}/submit"), json!({}));
    let (r1, r2) = tokio::join!(
        admin.post_json(&submit, &empty),
        admin.post_json(&submit, &empty)
    );
    let mut codes = vec![r1.status().as_u16(), r2.status().as_u16()];
    codes.sort();
    assert_eq!(codes, vec![200, 409]);

    // Importing indicator counts: unknown units and zero denominators refuse the whole file.
    let import = format!("/api/v1/schemes/{id}/indicator-values");
    let r = sec
        .post_json(
            &import,
            &json!([{"unit_code": "D-ANGIANG-TRITON", "indicator": "CT1", "numerator": 9, "denominator": 10},
                    {"unit_code": "NOPE", "indicator": "CT1", "numerator": 9, "denominator": 10},
                    {"unit_code": "D-ANGIANG-ANPHU", "indicator": "CT1", "numerator": 9, "denominator": 0}]),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert_eq!(p["errors"].as_array().map(Vec::len), Some(2), "{p}");
    let r = sec
        .post_json(
            &import,
            &json!([{"unit_code": "D-ANGIANG-TRITON", "indicator": "CT1", "numerator": 9, "denominator": 10}]),
        )
        .await;
    assert_eq!(r.status(), 200);
    let triton = app.unit_id("D-ANGIANG-TRITON").await;
    let a = body(
        sec.get(&format!("/api/v1/schemes/{id}/assessments/{triton}"))
            .await,
    )
    .await;
    assert_eq!(a["status"], "draft");
    assert_eq!(num(&a["self_leaves"]["I.1"]), 10.0);
}

#[tokio::test]
async fn the_self_assessment_form_keeps_what_was_typed_and_saves() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let r = sec
        .post_json(
            &format!("/api/v1/years/{y24}/schemes"),
            &json!({"unit_kind": "district", "scheme": district_scheme()}),
        )
        .await;
    let id = body(r).await["id"].as_str().expect("id").to_owned();
    sec.post_json(
        &format!("/api/v1/schemes/{id}/status"),
        &json!({"status": "open"}),
    )
    .await;
    let admin = app.demo("admin").await;
    let unit = app.unit_id("D-ANGIANG-TANCHAU").await;
    let page = format!("/schemes/{id}/units/{unit}");
    // A typing mistake: shown beside the field, what was typed kept, nothing written.
    let r = admin
        .post_form(&page, &[("p.I.2", "mười"), ("n.CT1", "8"), ("d.CT1", "10")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("Số không hợp lệ"));
    assert!(html.contains("value=\"mười\""));
    assert_eq!(count(&app, "assessments").await, 6);
    // Points above the maximum: the domain's message.
    let r = admin.post_form(&page, &[("p.I.2", "25")]).await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Điểm phải từ 0 đến điểm tối đa"));
    // Saved with the Vietnamese decimal comma; running totals shown.
    let r = admin
        .post_form(
            &page,
            &[
                ("p.I.2", "17,5"),
                ("n.CT1", "8"),
                ("d.CT1", "10"),
                ("c.I.2", "Báo cáo 12/BC"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let next = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let html = admin.get(&next).await.text().await.expect("html");
    assert!(html.contains("Đã lưu kết quả tự chấm"), "{html}");
    assert!(html.contains("22,5 / 35"), "5 + 17,5 of 30 + 5 bonus");
}

/// The scheme that applies to cluster 13 (the 2024 provincial one).
async fn provincial_scheme(s: &Session, g: &str) -> Value {
    body(s.get(&format!("/api/v1/groups/{g}/ranking")).await).await["scheme"].clone()
}

#[tokio::test]
async fn rankings_export_to_xlsx_csv_and_pdf_for_those_who_may_read_them() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let export = |fmt: &str| format!("/api/v1/groups/{g}/ranking/export?format={fmt}");

    // CSV: the page's table, ranked first; Kiên Giang leads with its final total.
    let r = head.get(&export("csv")).await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7, "heading and six members: {csv}");
    assert!(
        lines[0].contains("Hạng") && lines[0].contains("II"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("1,") && lines[1].contains("Kiên Giang"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("\"957,63\""), "{}", lines[1]);
    assert!(lines[2].contains("Cà Mau"), "{}", lines[2]);

    let r = head.get(&export("xlsx")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .contains("spreadsheetml"));
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
    let r = head.get(&export("pdf")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.expect("bytes").starts_with(b"%PDF-"));
    assert_eq!(head.get(&export("doc")).await.status(), 400);

    // Before publication: not a plain member, not another cluster's leader.
    for who in ["lanhdao.camau", "lanhdao.hanoi", "xem"] {
        let s = app.demo(who).await;
        assert_eq!(s.get(&export("csv")).await.status(), 403, "{who}");
    }

    // The council's ranking: the secretariat's page and export; the head is refused.
    let scheme = provincial_scheme(&head, &g).await;
    let sid = scheme["id"].as_str().expect("id").to_owned();
    let sec = app.demo("thuongtruc").await;
    let r = sec.get(&format!("/schemes/{sid}/ranking")).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.expect("page");
    assert!(page.contains("council-ranking") && page.contains("Kiên Giang"));
    assert!(
        page.contains(&format!("/groups/{g}/ranking")),
        "group column links back"
    );
    let r = sec
        .get(&format!("/api/v1/schemes/{sid}/ranking/export?format=csv"))
        .await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.expect("csv");
    assert!(
        csv.lines().nth(1).unwrap_or("").contains("Kiên Giang"),
        "{csv}"
    );
    assert_eq!(
        head.get(&format!("/schemes/{sid}/ranking")).await.status(),
        403
    );
    assert_eq!(
        head.get(&format!("/api/v1/schemes/{sid}/ranking/export"))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_units_scores_across_years_show_only_what_the_reader_may_see() {
    let app = spawn_demo().await;
    let officer = app.demo("canbo.travinh").await;
    let tv = app.unit_id("P-TRAVINH").await;
    let r = officer.get(&format!("/api/v1/units/{tv}/scores")).await;
    assert_eq!(r.status(), 200);
    let years = body(r).await;
    let years = years.as_array().expect("years");
    assert_eq!(years.len(), 1, "{years:?}");
    let y = &years[0];
    assert_eq!(y["year"], 2024);
    assert_eq!(y["group_size"], 6);
    assert!(y["result"]["group_rank"].as_u64().is_some());
    assert!(num(&y["result"]["final_total"]) > 0.0);
    assert!(
        y["result"]["council_rank"].is_null(),
        "council ranks stay with the secretariat before publication"
    );
    let page = officer.get(&format!("/units/{tv}/scores")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("data-year=\"2024\"") && html.contains("<svg"));

    // Another cluster's leader sees none of Trà Vinh's years before publication; unknown
    // units are 404.
    let other = app.demo("lanhdao.hanoi").await;
    let r = other.get(&format!("/api/v1/units/{tv}/scores")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await, json!([]));
    assert_eq!(other.get("/api/v1/units/nope/scores").await.status(), 404);
    let anon = common::client()
        .get(app.url(&format!("/api/v1/units/{tv}/scores")))
        .send()
        .await
        .expect("get");
    assert_eq!(anon.status(), 401);
}

#[tokio::test]
async fn evidence_files_attach_to_a_draft_only_and_stay_on_record() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let sid = provincial_scheme(&head, &g).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let hanoi = app.unit_id("P-HANOI").await;
    let leader = app.demo("lanhdao.hanoi").await;
    let upload = |s: &Session, unit: &str, leaf: &str, name: &str, bytes: &'static [u8]| {
        let (http, url, csrf) = (
            s.http.clone(),
            s.url(&format!(
                "/api/v1/schemes/{sid}/assessments/{unit}/evidence?leaf={leaf}&name={name}"
            )),
            s.csrf.clone(),
        );
        async move {
            http.post(url)
                .header("x-csrf-token", csrf)
                .body(bytes)
                .send()
                .await
                .expect("post")
        }
    };
    const PDF: &[u8] = b"%PDF-1.4\n% bao cao\n";
    // Bad files and bad criteria write nothing.
    let before = count(&app, "assessment_evidence").await;
    for (leaf, name, bytes, want) in [
        ("II.2.1", "virus.exe", &b"MZ\x90\x00"[..], 422),
        ("II.2.1", "rong.pdf", &b""[..], 422),
        ("X.9", "a.pdf", PDF, 422),
        ("I.1.2", "a.pdf", PDF, 422),
    ] {
        let r = upload(&leader, &hanoi, leaf, name, bytes).await;
        assert_eq!(r.status(), want, "{leaf} {name}");
    }
    assert_eq!(count(&app, "assessment_evidence").await, before);
    // Not the unit's: refused.
    let officer = app.demo("canbo.travinh").await;
    assert_eq!(
        upload(&officer, &hanoi, "II.2.1", "a.pdf", PDF)
            .await
            .status(),
        403
    );

    // The unit's leader attaches a report to II.2.1 (the draft is created for it).
    let r = upload(&leader, &hanoi, "II.2.1", "bao-cao.pdf", PDF).await;
    assert_eq!(r.status(), 201);
    let f = body(r).await;
    let fid = f["id"].as_str().expect("id").to_owned();
    assert_eq!(f["content_type"], "application/pdf");
    let a = body(
        leader
            .get(&format!("/api/v1/schemes/{sid}/assessments/{hanoi}"))
            .await,
    )
    .await;
    assert_eq!(a["assessment"]["evidence"]["II.2.1"][0]["id"], fid.as_str());
    let file = format!("/api/v1/schemes/{sid}/assessments/{hanoi}/evidence/{fid}");
    let r = leader.get(&file).await;
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.expect("bytes")[..], PDF);
    assert_eq!(officer.get(&file).await.status(), 403);
    // The page lists it.
    let html = leader
        .get(&format!("/schemes/{sid}/units/{hanoi}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("bao-cao.pdf") && html.contains("evidence-form"));

    // Withdrawn: gone from the assessment, kept in the table and the audit trail.
    let r = leader
        .http
        .delete(leader.url(&file))
        .header("x-csrf-token", &leader.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    let a = body(
        leader
            .get(&format!("/api/v1/schemes/{sid}/assessments/{hanoi}"))
            .await,
    )
    .await;
    assert_eq!(a["assessment"]["evidence"], json!({}));
    assert_eq!(count(&app, "assessment_evidence").await, before + 1);
    assert_eq!(leader.get(&file).await.status(), 404);

    // A submitted assessment takes no more evidence.
    let tv = app.unit_id("P-TRAVINH").await;
    let r = upload(&officer, &tv, "II.2.1", "muon.pdf", PDF).await;
    assert!(matches!(r.status().as_u16(), 409 | 422), "{}", r.status());
    assert_eq!(count(&app, "assessment_evidence").await, before + 1);

    // The page's multipart form.
    let form = reqwest::multipart::Form::new().text("leaf", "II.2.4").part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("hinh.pdf"),
    );
    let r = leader
        .http
        .post(leader.url(&format!(
            "/schemes/{sid}/units/{hanoi}/evidence?_csrf={}",
            leader.csrf
        )))
        .multipart(form)
        .send()
        .await
        .expect("multipart");
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    assert_eq!(count(&app, "assessment_evidence").await, before + 2);
}

#[tokio::test]
async fn the_secretariat_imports_indicator_counts_on_a_page_with_a_progress_bar() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let scheme = provincial_scheme(&head, &g).await;
    let sid = scheme["id"].as_str().expect("id").to_owned();
    let code = scheme["scheme"]["indicators"][0]["code"]
        .as_str()
        .expect("indicator")
        .to_owned();
    let page = format!("/schemes/{sid}/indicator-values/import");
    assert_eq!(head.get(&page).await.status(), 403);
    let sec = app.demo("thuongtruc").await;
    let r = sec.get(&page).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("data-progress=\"import-progress\"") && html.contains("<progress"));

    let post = |csv: String| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("chi-tieu.csv"),
        );
        let (http, url) = (
            sec.http.clone(),
            sec.url(&format!("{page}?_csrf={}", sec.csrf)),
        );
        async move { http.post(url).multipart(form).send().await.expect("post") }
    };
    // An unknown unit: the page lists the problem, nothing is written.
    let r = post(format!(
        "Mã đơn vị,Mã chỉ tiêu,Tử số,Mẫu số\nP-HANOI,{code},9,10\nP-KHONGCO,{code},1,2\n"
    ))
    .await;
    assert_eq!(r.status(), 422);
    let hanoi = app.unit_id("P-HANOI").await;
    let a = body(
        sec.get(&format!("/api/v1/schemes/{sid}/assessments/{hanoi}"))
            .await,
    )
    .await;
    assert_eq!(a["status"], "none", "nothing written: {a}");
    let r = post(format!(
        "Mã đơn vị,Mã chỉ tiêu,Tử số,Mẫu số\nP-HANOI,{code},9,10\n"
    ))
    .await;
    assert_eq!(r.status(), 200);
    let a = body(
        sec.get(&format!("/api/v1/schemes/{sid}/assessments/{hanoi}"))
            .await,
    )
    .await;
    assert_eq!(a["status"], "draft", "{a}");
}

#[tokio::test]
async fn the_secretariat_edits_a_criteria_table_in_excel_through_the_page() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let schemes = body(sec.get(&format!("/api/v1/years/{y24}/schemes")).await).await;
    let open = schemes
        .as_array()
        .expect("schemes")
        .iter()
        .find(|s| s["unit_kind"] == "provincial")
        .expect("provincial")
        .clone();
    let oid = open["id"].as_str().expect("id").to_owned();
    let xlsx = sec
        .get(&format!("/api/v1/schemes/{oid}/export"))
        .await
        .bytes()
        .await
        .expect("xlsx")
        .to_vec();
    let upload = |s: &Session, fields: Vec<(&'static str, String)>, file: Vec<u8>| {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("bang-tieu-chi.xlsx"),
        );
        let (http, url) = (
            s.http.clone(),
            s.url(&format!("/years/{y24}/schemes/upload?_csrf={}", s.csrf)),
        );
        async move { http.post(url).multipart(form).send().await.expect("post") }
    };
    let page = sec
        .get(&format!("/years/{y24}/scoring"))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("id=\"new-scheme\""));

    // Not the secretariat: refused.
    let head = app.demo("lanhdao.travinh").await;
    let r = upload(&head, vec![("unit_kind", "district".into())], xlsx.clone()).await;
    assert_eq!(r.status(), 403);
    // A file that is not a workbook: the page says so, nothing written.
    let n = count(&app, "scoring_schemes").await;
    let r = upload(
        &sec,
        vec![("unit_kind", "district".into())],
        b"xin chao".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("html").contains("scheme-error"));
    // The open (frozen) table cannot take a new version.
    let r = upload(
        &sec,
        vec![
            ("scheme_id", oid.clone()),
            ("version", open["version"].to_string()),
        ],
        xlsx.clone(),
    )
    .await;
    assert_eq!(r.status(), 409);
    assert_eq!(count(&app, "scoring_schemes").await, n);

    // A new table for district procuracies from the workbook, then a new version of it.
    let r = upload(&sec, vec![("unit_kind", "district".into())], xlsx.clone()).await;
    assert_eq!(r.status(), 303, "saved, back to the year");
    assert_eq!(count(&app, "scoring_schemes").await, n + 1);
    let schemes = body(sec.get(&format!("/api/v1/years/{y24}/schemes")).await).await;
    let d = schemes
        .as_array()
        .expect("schemes")
        .iter()
        .find(|s| s["unit_kind"] == "district")
        .expect("district")
        .clone();
    assert_eq!(d["status"], "draft");
    assert_eq!(d["scheme"], open["scheme"]);
    let did = d["id"].as_str().expect("id").to_owned();
    let r = upload(
        &sec,
        vec![
            ("scheme_id", did.clone()),
            ("version", d["version"].to_string()),
        ],
        xlsx,
    )
    .await;
    assert_eq!(r.status(), 303, "saved, back to the year");
    let d2 = body(sec.get(&format!("/api/v1/schemes/{did}")).await).await;
    assert_eq!(d2["version"], d["version"].as_i64().expect("v") + 1);
}

#[tokio::test]
async fn a_cross_checking_groups_members_review_each_other_but_never_themselves() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let ranking = body(head.get(&format!("/api/v1/groups/{g}/ranking")).await).await;
    let scheme_id = ranking["scheme"]["id"].as_str().expect("scheme").to_owned();
    let kg = app.unit_id("P-KIENGIANG").await;
    let adj = format!("/api/v1/schemes/{scheme_id}/assessments/{kg}/adjustments");
    let change =
        json!({"leaf_code": "II.2.4", "points": 17, "reason": "Đối chiếu chéo: thiếu hồ sơ"});
    let camau = app.demo("lanhdao.camau").await;
    let kiengiang = app.demo("lanhdao.kiengiang").await;
    let outsider = app.demo("lanhdao.hanoi").await;
    let ranking_path = format!("/api/v1/groups/{g}/ranking");

    // Off by default: a member's leader neither reviews nor reads the unpublished ranking.
    let group = body(head.get(&format!("/api/v1/groups/{g}")).await).await;
    assert_eq!(group["cross_check"], false);
    assert_eq!(camau.post_json(&adj, &change).await.status(), 403);
    assert_eq!(camau.get(&ranking_path).await.status(), 403);

    // Only the secretariat, the head or the deputy turn it on; a stale version is refused.
    let cc = format!("/api/v1/groups/{g}/cross-check");
    let on = json!({"cross_check": true});
    assert_eq!(camau.put_json(&cc, &on).await.status(), 403);
    assert_eq!(app.demo("xem").await.put_json(&cc, &on).await.status(), 403);
    let stale = json!({"cross_check": true, "version": group["version"].as_i64().expect("v") - 1});
    assert_eq!(head.put_json(&cc, &stale).await.status(), 409);
    let before = count(&app, "score_adjustments").await;
    assert_eq!(camau.post_json(&adj, &change).await.status(), 403);
    assert_eq!(count(&app, "score_adjustments").await, before);
    // On the group page, through the form.
    let page = head
        .get(&format!("/groups/{g}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(&format!("/groups/{g}/cross-check")),
        "the head has the switch"
    );
    let r = head
        .post_form(
            &format!("/groups/{g}/cross-check"),
            &[
                ("cross_check", "1"),
                ("version", &group["version"].to_string()),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status() == 200,
        "{}",
        r.status()
    );
    let group = body(head.get(&format!("/api/v1/groups/{g}")).await).await;
    assert_eq!(group["cross_check"], true);
    let page = camau
        .get(&format!("/groups/{g}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        !page.contains(&format!("/groups/{g}/cross-check\"")),
        "a member has no switch"
    );

    // Now Cà Mau's leader reviews Kiên Giang, with a reason; Kiên Giang never reviews itself;
    // a leader outside the group never reviews.
    let r = camau
        .post_json(
            &adj,
            &json!({"leaf_code": "II.2.4", "points": 17, "reason": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(kiengiang.post_json(&adj, &change).await.status(), 403);
    assert_eq!(outsider.post_json(&adj, &change).await.status(), 403);
    assert_eq!(count(&app, "score_adjustments").await, before);
    let r = camau.post_json(&adj, &change).await;
    assert_eq!(r.status(), 201);
    assert_eq!(body(r).await["stage"], "group");
    assert_eq!(count(&app, "score_adjustments").await, before + 1);
    // The reviewer reads the ranking before publication; the outsider still does not.
    let r = camau.get(&ranking_path).await;
    assert_eq!(r.status(), 200);
    let rows = body(r).await["rows"].clone();
    let kg_row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["unit_code"] == "P-KIENGIANG")
        .expect("kg")
        .clone();
    assert_eq!(kg_row["adjustments"], 1);
    assert_eq!(outsider.get(&ranking_path).await.status(), 403);

    // Turned off again, the member's leader is refused once more.
    let v = body(head.get(&format!("/api/v1/groups/{g}")).await).await["version"].clone();
    let r = head
        .put_json(&cc, &json!({"cross_check": false, "version": v}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(camau.post_json(&adj, &change).await.status(), 403);
}

#[tokio::test]
async fn the_secretariat_starts_a_year_by_copying_last_years_table_on_the_page() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let councils = sec.json("/api/v1/councils").await;
    let council = councils
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
        .expect("sector")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // 2025 may or may not be in the demo; make sure it exists.
    sec.post_json(
        &format!("/api/v1/councils/{council}/years"),
        &json!({"year": 2025, "theme": "", "motto": ""}),
    )
    .await;
    let y25 = sec.sector_year(2025).await;
    let y24 = sec.sector_year(2024).await;
    let last = body(sec.get(&format!("/api/v1/years/{y24}/schemes")).await).await;
    let from = last
        .as_array()
        .expect("schemes")
        .iter()
        .find(|s| s["unit_kind"] == "provincial")
        .expect("provincial")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let has_provincial = |v: &Value| {
        v.as_array()
            .expect("schemes")
            .iter()
            .any(|s| s["unit_kind"] == "provincial")
    };
    let now = body(sec.get(&format!("/api/v1/years/{y25}/schemes")).await).await;
    if has_provincial(&now) {
        return; // the demo already started 2025 for provincial procuracies
    }
    let page = sec
        .get(&format!("/years/{y25}/scoring"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("id=\"copy-scheme\"") && page.contains(&from),
        "offered"
    );

    // Others are refused and nothing is written; a scheme of another year is not copied.
    let before = count(&app, "scoring_schemes").await;
    let path = format!("/years/{y25}/schemes/copy");
    let r = app
        .demo("lanhdao.travinh")
        .await
        .post_form(&path, &[("from", from.as_str())])
        .await;
    assert_eq!(r.status(), 403);
    let y26 = sec
        .post_json(
            &format!("/api/v1/councils/{council}/years"),
            &json!({"year": 2026, "theme": "", "motto": ""}),
        )
        .await;
    let y26 = if y26.status() == 201 {
        body(y26).await["id"].as_str().expect("id").to_owned()
    } else {
        sec.sector_year(2026).await
    };
    let r = sec
        .post_form(
            &format!("/years/{y26}/schemes/copy"),
            &[("from", from.as_str())],
        )
        .await;
    assert_eq!(r.status(), 404, "2024's table is not last year's for 2026");
    let r = sec.post_form(&path, &[("from", "no-such-scheme")]).await;
    assert_eq!(r.status(), 404);
    assert_eq!(count(&app, "scoring_schemes").await, before);

    // The secretariat copies: a draft for 2025 with the same criteria.
    let r = sec.post_form(&path, &[("from", from.as_str())]).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let now = body(sec.get(&format!("/api/v1/years/{y25}/schemes")).await).await;
    let copy = now
        .as_array()
        .expect("schemes")
        .iter()
        .find(|s| s["unit_kind"] == "provincial")
        .expect("copied")
        .clone();
    assert_eq!(copy["status"], "draft");
    let a = body(sec.get(&format!("/api/v1/schemes/{from}")).await).await;
    let b = body(
        sec.get(&format!(
            "/api/v1/schemes/{}",
            copy["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    assert_eq!(a["scheme"]["criteria"], b["scheme"]["criteria"]);
    assert!(a["scheme"]["criteria"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    // Copying again is refused (one scheme per kind and year), nothing written.
    let before = count(&app, "scoring_schemes").await;
    let r = sec.post_form(&path, &[("from", from.as_str())]).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(count(&app, "scoring_schemes").await, before);
}

/// Saving a self-assessment is a narrow write (its scheme's cache epoch only); the rankings
/// another server has cached are read again all the same, and other cached reads are kept.
#[tokio::test]
async fn a_saved_self_assessment_reaches_the_rankings_another_server_has_cached() {
    let app = spawn_demo().await;
    let b = app.second_server().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let sid = provincial_scheme(&head, &g).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let sec = app.demo("thuongtruc").await;
    let council = format!("/api/v1/schemes/{sid}/ranking");
    let group = format!("/api/v1/groups/{g}/ranking");
    let hanoi = app.unit_id("P-HANOI").await;
    let total = |v: &Value| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["unit_id"] == hanoi.as_str())
            .map(|r| num(&r["self_total"]))
    };
    let mut last = total(&body(sec.get(&council).await).await);
    let cluster = body(head.get(&group).await).await;
    let leader = b.demo("lanhdao.hanoi").await;
    let (mut seq, global) = app.epochs().await;
    for points in [0, 1] {
        let r = leader
            .put_json(
                &format!("/api/v1/schemes/{sid}/assessments/{hanoi}"),
                &json!({"input": {"points": {"III.1": points}}}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let (s, gl) = app.epochs().await;
        assert!(s > seq);
        assert_eq!(gl, global, "a save keeps the global epoch");
        seq = s;
        // Server A's cached council ranking is read again: the row follows each save.
        let now = total(&body(sec.get(&council).await).await);
        assert!(now.is_some() && now != last, "{last:?} → {now:?}");
        assert_eq!(now, total(&body(sec.get(&council).await).await));
        last = now;
    }
    let leaf = body(
        sec.get(&format!("/api/v1/schemes/{sid}/assessments/{hanoi}"))
            .await,
    )
    .await;
    assert_eq!(num(&leaf["assessment"]["input"]["points"]["III.1"]), 1.0);
    // Cluster 13 (Hà Nội is not in it) reads the same as before.
    assert_eq!(body(head.get(&group).await).await, cluster);
}

/// Finding 6 of the adversarial review: the head and deputy units — and the head unit's
/// officer, who may not submit scores — could add group-stage adjustments to their own
/// unit's submitted assessment. Nobody with a unit role in a unit reviews that unit; the
/// head and deputy review the others through their leaders only.
#[tokio::test]
async fn no_unit_adjusts_its_own_assessment_whatever_its_office() {
    let app = spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let (_y24, g) = cluster13(&head).await;
    let ranking = body(head.get(&format!("/api/v1/groups/{g}/ranking")).await).await;
    let scheme_id = ranking["scheme"]["id"].as_str().expect("scheme").to_owned();
    let adj = |unit: &str| format!("/api/v1/schemes/{scheme_id}/assessments/{unit}/adjustments");
    let change = json!({"leaf_code": "II.2.4", "points": 16.5, "reason": "Tự điều chỉnh"});
    let tv = app.unit_id("P-TRAVINH").await;
    let st = app.unit_id("P-SOCTRANG").await;
    let kg = app.unit_id("P-KIENGIANG").await;
    let before = count(&app, "score_adjustments").await;
    // The head's leader, on the head's own assessment.
    assert_eq!(head.post_json(&adj(&tv), &change).await.status(), 403);
    // The deputy's leader, on the deputy's own assessment.
    let deputy = app.demo("lanhdao.soctrang").await;
    assert_eq!(deputy.post_json(&adj(&st), &change).await.status(), 403);
    // The head unit's officer: neither its own unit nor the others.
    let officer = app.demo("canbo.travinh").await;
    assert_eq!(officer.post_json(&adj(&tv), &change).await.status(), 403);
    assert_eq!(officer.post_json(&adj(&kg), &change).await.status(), 403);
    // The page's form is refused the same way (one rule under both).
    let page = officer
        .post_form(
            &format!("/schemes/{scheme_id}/units/{tv}/adjust"),
            &[("leaf_code", "II.2.4"), ("points", "16,5"), ("reason", "x")],
        )
        .await;
    assert_eq!(page.status(), 403);
    assert_eq!(count(&app, "score_adjustments").await, before);
    // The deputy's leader still reviews another member.
    let r = deputy.post_json(&adj(&kg), &change).await;
    assert_eq!(r.status(), 201);
    assert_eq!(body(r).await["stage"], "group");
    // And the head's own assessment is not offered to its leader for review on the page.
    let own = head.get(&format!("/schemes/{scheme_id}/units/{tv}")).await;
    assert_eq!(own.status(), 200);
}
