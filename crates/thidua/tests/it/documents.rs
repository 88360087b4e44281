#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
//! Group documents over the API: the 2024 cluster 13 pact as the demo holds it (adopted and
//! signed by six leaders), amending, adopting and signing a new version, verification, and
//! everything that must be refused.

use crate::common;

use crate::common::{Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}"))
}

/// The 2024 cluster 13 pact document, seen by `s`.
async fn pact13(s: &Session) -> Value {
    let y = s.sector_year(2024).await;
    let g = s.group(&y, "cluster", 13).await;
    let docs = s
        .json(&format!(
            "/api/v1/groups/{}/documents",
            g["id"].as_str().unwrap()
        ))
        .await;
    docs.as_array()
        .expect("documents")
        .iter()
        .find(|d| d["kind"] == "pact")
        .expect("pact")
        .clone()
}

async fn raw(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .expect("connect");
    sqlx::query(sql).execute(&mut conn).await.expect("tamper");
}

fn content(title: &str, extra: &str) -> Value {
    json!({
        "title": title,
        "number": "01/GƯTĐ-CTĐ13",
        "place": "Trà Vinh",
        "date": "2024-03-29",
        "bases": ["Căn cứ Hướng dẫn số 09/HD-VKSTC ngày 01/3/2024."],
        "sections": [
            {"heading": "I. MỤC ĐÍCH, YÊU CẦU", "body_text": "- Đoàn kết, đổi mới\n- Hoàn thành xuất sắc nhiệm vụ"},
            {"heading": "II. NỘI DUNG", "body_html": format!("<p>Chỉ tiêu {extra}</p><script>alert('x')</script>")}
        ],
        "recipients": ["Như trên;", "Lưu: VT."]
    })
}

#[tokio::test]
async fn the_demo_pact_of_cluster_13_is_signed_by_six_and_verifies() {
    let app = common::spawn_demo().await;
    app.tampered();
    let s = app.demo("xem").await;
    let pact = pact13(&s).await;
    assert_eq!(pact["adopted_version"], 1);
    let id = pact["id"].as_str().unwrap();
    let st = s
        .json(&format!("/api/v1/documents/{id}/versions/1/signatures"))
        .await;
    assert_eq!(st["signed"].as_array().unwrap().len(), 6, "{st}");
    assert!(st["unsigned"].as_array().unwrap().is_empty());
    let v = s.json(&format!("/api/v1/documents/{id}/versions/1")).await;
    assert!(v["content"]["title"]
        .as_str()
        .unwrap()
        .contains("Cụm thi đua số 13"));
    let code = v["verification_code"].as_str().unwrap().to_owned();

    // Anybody may verify, signed in or not; lower case and without the dash works too.
    let anon = common::client();
    let r = anon
        .get(app.url(&format!(
            "/api/v1/verify/{}",
            code.to_lowercase().replace('-', "")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report = body(r).await;
    assert_eq!(report["status"], "valid", "{report}");
    assert_eq!(report["signatures"].as_array().unwrap().len(), 6);
    assert!(report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "valid"));
    let page = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Hợp lệ"), "{html}");

    // One changed byte of the stored text: verification fails and says what.
    raw(
        &app,
        "UPDATE document_versions SET content_json = REPLACE(content_json, 'Cụm thi đua số 13', 'Cụm thi đua số 18')",
    )
    .await;
    let report = body(
        anon.get(app.url(&format!("/api/v1/verify/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(report["status"], "invalid", "{report}");
    let keys: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"verify-text-changed"), "{keys:?}");
    assert!(keys.contains(&"verify-sig-wrong-text"), "{keys:?}");
    assert!(keys.contains(&"verify-audit-hash"), "{keys:?}");
    let html = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("KHÔNG hợp lệ"), "{html}");

    // Unknown codes and ids.
    let r = anon
        .get(app.url("/api/v1/verify/AAAAA-AAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(s.get("/api/v1/documents/nope").await.status(), 404);
    assert_eq!(
        s.get(&format!("/api/v1/documents/{id}/versions/99"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_tampered_signature_is_named() {
    let app = common::spawn_demo().await;
    app.tampered();
    let s = app.demo("xem").await;
    let pact = pact13(&s).await;
    let id = pact["id"].as_str().unwrap();
    let v = s.json(&format!("/api/v1/documents/{id}/versions/1")).await;
    let code = v["verification_code"].as_str().unwrap();
    let tv = app.unit_id("P-BENTRE").await;
    // Flip the first hex digit of Bến Tre's signature.
    raw(
        &app,
        &format!(
            "UPDATE document_signatures SET signature = CASE WHEN SUBSTR(signature, 1, 1) = 'a' THEN 'b' || SUBSTR(signature, 2) ELSE 'a' || SUBSTR(signature, 2) END WHERE unit_id = '{tv}'"
        ),
    )
    .await;
    let report = s.json(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(report["status"], "invalid");
    let bad: Vec<&Value> = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "valid")
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["unit_id"], tv.as_str());
    assert_eq!(bad[0]["status"], "bad_signature");
}

#[tokio::test]
async fn a_new_version_is_adopted_and_signed_and_the_old_signatures_stay_valid() {
    let app = common::spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let pact = pact13(&head).await;
    let id = pact["id"].as_str().unwrap().to_owned();
    let group_id = pact["group_id"].as_str().unwrap().to_owned();

    // Outsiders may not edit.
    let viewer = app.demo("xem").await;
    let r = viewer
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 1, "content": content("GIAO ƯỚC THI ĐUA NĂM 2024", "x")}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let outsider = app.demo("lanhdao.hanoi").await;
    let r = outsider
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 1, "content": content("GIAO ƯỚC THI ĐUA NĂM 2024", "x")}),
        )
        .await;
    assert_eq!(r.status(), 403);

    // The head amends: a new version, script removed.
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 1, "content": content("GIAO ƯỚC THI ĐUA NĂM 2024 (sửa đổi)", "95%"), "note": "Bổ sung chỉ tiêu"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v2 = body(r).await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["status"], "draft");
    let html = v2["content"]["sections"][1]["body_html"].as_str().unwrap();
    assert_eq!(html, "<p>Chỉ tiêu 95%</p>");
    assert_eq!(
        v2["content"]["sections"][0]["body_html"],
        "<ul><li>Đoàn kết, đổi mới</li><li>Hoàn thành xuất sắc nhiệm vụ</li></ul>"
    );

    // A stale base gives 409 with the current version; the same text again is refused.
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 1, "content": content("Khác", "1")}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 2, "content": content("GIAO ƯỚC THI ĐUA NĂM 2024 (sửa đổi)", "95%")}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Bad input: empty title, malformed JSON.
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions"),
            &json!({"base_version": 2, "content": content("", "1")}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = body(r).await;
    assert!(p.to_string().contains("title"), "{p}");
    let r = head
        .http
        .post(head.url(&format!("/api/v1/documents/{id}/versions")))
        .header("x-csrf-token", &head.csrf)
        .header("content-type", "application/json")
        .body("{\"base_version\": 2, \"content\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );

    // Not adopted yet: nobody can sign it.
    let soctrang = app.demo("lanhdao.soctrang").await;
    let r = soctrang
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/signatures"),
            &json!({"password": "demo"}),
        )
        .await;
    assert_eq!(r.status(), 409);

    // Diff names the change.
    let d = head
        .json(&format!("/api/v1/documents/{id}/diff?from=1&to=2"))
        .await;
    assert!(d["lines"].to_string().contains("95%"), "{d}");

    // Adopt at the group's conference (another group's conference is refused).
    let confs = head
        .json(&format!("/api/v1/groups/{group_id}/conferences"))
        .await;
    let conf = confs[0]["id"].as_str().unwrap();
    let other = app.demo("xem").await;
    let y = other.sector_year(2024).await;
    let b4 = other.group(&y, "block", 4).await;
    let b4_confs = other
        .json(&format!(
            "/api/v1/groups/{}/conferences",
            b4["id"].as_str().unwrap()
        ))
        .await;
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/adopt"),
            &json!({"conference_id": b4_confs[0]["id"]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/adopt"),
            &json!({"conference_id": conf, "note": "6/6 nhất trí"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["status"], "adopted");
    // The old version is superseded and can no longer be signed, but its signatures stand.
    let v1 = head
        .json(&format!("/api/v1/documents/{id}/versions/1"))
        .await;
    assert_eq!(v1["status"], "superseded");
    let rep1 = head
        .json(&format!(
            "/api/v1/verify/{}",
            v1["verification_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(rep1["status"], "valid", "{rep1}");

    // Signing: wrong password, another unit, an officer, an administrator: refused.
    let r = soctrang
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/signatures"),
            &json!({"password": "wrong"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let tv_id = app.unit_id("P-TRAVINH").await;
    let r = soctrang
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/signatures"),
            &json!({"password": "demo", "unit_id": tv_id}),
        )
        .await;
    assert_eq!(r.status(), 403);
    for who in ["canbo.travinh", "admin", "thuongtruc"] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/documents/{id}/versions/2/signatures"),
                &json!({"password": "demo", "unit_id": tv_id}),
            )
            .await;
        assert_eq!(r.status(), 403, "{who}");
    }

    // Two signatures of one unit at the same instant: one is recorded.
    let sign_path = format!("/api/v1/documents/{id}/versions/2/signatures");
    let pw = json!({"password": "demo"});
    let (a, b) = tokio::join!(
        soctrang.post_json(&sign_path, &pw),
        soctrang.post_json(&sign_path, &pw)
    );
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [201, 409]);
    // Signing the superseded version is refused.
    let r = head
        .post_json(
            &format!("/api/v1/documents/{id}/versions/1/signatures"),
            &json!({"password": "demo"}),
        )
        .await;
    assert_eq!(r.status(), 409);

    // The head sees who has not signed and reminds them; they see it waiting.
    let st = head
        .json(&format!("/api/v1/documents/{id}/versions/2/signatures"))
        .await;
    assert_eq!(st["signed"].as_array().unwrap().len(), 1);
    assert_eq!(st["unsigned"].as_array().unwrap().len(), 5);
    let member = app.demo("lanhdao.camau").await;
    let r = member
        .post_json(&format!("/api/v1/documents/{id}/remind"), &json!({}))
        .await;
    assert_eq!(r.status(), 403, "a member does not remind");
    let r = head
        .post_json(&format!("/api/v1/documents/{id}/remind"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(body(r).await["unit_ids"].as_array().unwrap().len(), 5);
    let bentre = app.demo("lanhdao.bentre").await;
    let pending = bentre.json("/api/v1/me/pending-signatures").await;
    let p = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["document_id"] == id.as_str())
        .expect("pending");
    assert_eq!(p["version"], 2);
    assert!(p["last_reminded_at"].is_string());
    // It waits on their home page too.
    let home = bentre.get("/").await.text().await.unwrap();
    assert!(home.contains(&format!("/documents/{id}?v=2")), "{home}");

    // Bến Tre changes its password: the same key opens with the new one.
    let r = bentre
        .post_form(
            "/account/password",
            &[
                ("current", "demo"),
                ("new", "mat-khau-moi-2024"),
                ("confirm", "mat-khau-moi-2024"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = bentre
        .post_json(
            &format!("/api/v1/documents/{id}/versions/2/signatures"),
            &json!({"password": "mat-khau-moi-2024"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let sig = body(r).await;
    let v1_sigs = head
        .json(&format!("/api/v1/documents/{id}/versions/1/signatures"))
        .await;
    let old_key = v1_sigs["signed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["unit"]["code"] == "P-BENTRE")
        .unwrap()["public_key"]
        .clone();
    assert_eq!(sig["public_key"], old_key);

    // Still incomplete: verification says so without calling it invalid.
    let v2 = head
        .json(&format!("/api/v1/documents/{id}/versions/2"))
        .await;
    let rep = head
        .json(&format!(
            "/api/v1/verify/{}",
            v2["verification_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(rep["status"], "incomplete", "{rep}");
    assert_eq!(rep["missing_units"].as_array().unwrap().len(), 4);
    // The two who signed with their certificates (Bến Tre's resealed under its new password)
    // signed the version's PDF too: two PAdES signatures on the trust list, in order.
    let pdf = head
        .get(&format!("/api/v1/documents/{id}/versions/2/pdf"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let trust: Vec<Vec<u8>> = app
        .store
        .trust_anchors(true)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.cert_der)
        .collect();
    let v = thidua_pdf::pades::verify(&pdf, &trust).unwrap();
    assert_eq!(v.signatures.len(), 2, "{v:?}");
    assert!(v.holds(), "{v:?}");
    assert!(v.signatures[1].subject.contains("Bến Tre"), "{v:?}");
    assert_eq!(
        rep["pdf"]["signatures"].as_array().unwrap().len(),
        2,
        "{rep}"
    );

    // Cà Mau signs with its own token: downloads the PDF to sign, signs it with the
    // certificate its CA (on the council's trust list) issued, hands it in.
    use base64::Engine;
    let ca = thidua_pdf::pades::DemoCa::generate("CA chuyên dùng (thử nghiệm)").unwrap();
    app.store
        .add_trust_anchor(
            &thidua_store::AuditCtx::system(),
            "CA chuyên dùng",
            &ca.cert_der().unwrap(),
            false,
        )
        .await
        .unwrap();
    let camau = app.demo("lanhdao.camau").await;
    let cm = app.unit_id("P-CAMAU").await;
    let cm_name = camau.json(&format!("/api/v1/units/{cm}")).await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let to_sign = camau
        .get(&format!("/api/v1/documents/{id}/versions/2/pdf-to-sign"))
        .await;
    assert_eq!(to_sign.status(), 200);
    let to_sign = to_sign.bytes().await.unwrap().to_vec();
    assert_eq!(
        to_sign, pdf,
        "the PDF to sign is the signed PDF as it stands"
    );
    let token = ca.issue_p12("Lãnh đạo Cà Mau", &cm_name, "pin").unwrap();
    let by_token =
        thidua_pdf::pades::sign(&to_sign, &token, "pin", "Lãnh đạo Cà Mau", "Ký", None).unwrap();
    let hand_in = |pdf: &[u8]| {
        let b = json!({
            "password": "demo",
            "pdf_base64": base64::engine::general_purpose::STANDARD.encode(pdf),
        });
        let camau = &camau;
        let path = format!("/api/v1/documents/{id}/versions/2/signed-pdf");
        async move { camau.post_json(&path, &b).await }
    };
    // A token naming another unit, a file not built on the PDF issued, a viewer: refused.
    let other = ca
        .issue_p12("Lãnh đạo", "Viện kiểm sát nhân dân tỉnh Trà Vinh", "pin")
        .unwrap();
    let wrong_unit = thidua_pdf::pades::sign(&to_sign, &other, "pin", "x", "Ký", None).unwrap();
    assert_eq!(hand_in(&wrong_unit).await.status(), 422);
    let v1_pdf = camau
        .get(&format!("/api/v1/documents/{id}/versions/1/pdf"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let elsewhere = thidua_pdf::pades::sign(&v1_pdf, &token, "pin", "x", "Ký", None).unwrap();
    assert_eq!(hand_in(&elsewhere).await.status(), 422);
    let viewer = app.demo("xem").await;
    assert_eq!(
        viewer
            .post_json(
                &format!("/api/v1/documents/{id}/versions/2/signed-pdf"),
                &json!({"password": "demo", "pdf_base64": ""}),
            )
            .await
            .status(),
        403
    );
    // The right one: recorded as Cà Mau's signature, the PDF now carries three.
    let r = hand_in(&by_token).await;
    assert_eq!(r.status(), 201);
    let pdf = head
        .get(&format!("/api/v1/documents/{id}/versions/2/pdf"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(pdf, by_token);
    let v = thidua_pdf::pades::verify(&pdf, &trust_all(&app).await).unwrap();
    assert_eq!(v.signatures.len(), 3);
    assert!(v.holds(), "{v:?}");
    // Handed in twice: refused, nothing written.
    assert!(hand_in(&by_token).await.status().is_client_error());
}

async fn trust_all(app: &TestApp) -> Vec<Vec<u8>> {
    app.store
        .trust_anchors(true)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.cert_der)
        .collect()
}

/// A leader installs the certificate their CA issued: it must open with its password, chain
/// to the council's trust list and name a unit they lead; it is kept sealed under the
/// account password. Anyone else is refused before the file is read.
#[tokio::test]
async fn a_leader_installs_a_certificate_from_the_trust_list() {
    use base64::Engine;
    let app = common::spawn_demo().await;
    let ca = thidua_pdf::pades::DemoCa::generate("CA chuyên dùng (thử nghiệm)").unwrap();
    app.store
        .add_trust_anchor(
            &thidua_store::AuditCtx::system(),
            "CA chuyên dùng (thử nghiệm)",
            &ca.cert_der().unwrap(),
            false,
        )
        .await
        .unwrap();
    let s = app.demo("lanhdao.bentre").await;
    let bentre = app.unit_id("P-BENTRE").await;
    let name = s.json(&format!("/api/v1/units/{bentre}")).await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let b64 = |p: &[u8]| base64::engine::general_purpose::STANDARD.encode(p);
    let good = ca
        .issue_p12("Lãnh đạo Bến Tre", &name, "mat-khau-tep")
        .unwrap();
    let send = |p12: String, p12pw: &str, pw: &str| {
        let b = json!({"p12_base64": p12, "p12_password": p12pw, "password": pw});
        let s = &s;
        async move { s.post_json("/api/v1/me/certificate", &b).await }
    };
    let field_of = |v: Value| v["errors"][0]["field"].as_str().unwrap_or("").to_owned();
    // Wrong account password, wrong file password.
    let r = send(b64(&good), "mat-khau-tep", "sai").await;
    assert_eq!(r.status(), 422);
    assert_eq!(field_of(body(r).await), "password");
    let r = send(b64(&good), "sai", "demo").await;
    assert_eq!(r.status(), 422);
    assert_eq!(field_of(body(r).await), "p12_password");
    // A CA outside the trust list; another unit's name.
    let rogue = thidua_pdf::pades::DemoCa::generate("CA chuyên dùng (thử nghiệm)").unwrap();
    let r = send(
        b64(&rogue.issue_p12("Lãnh đạo Bến Tre", &name, "x").unwrap()),
        "x",
        "demo",
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(field_of(body(r).await), "file");
    let r = send(
        b64(&ca
            .issue_p12("Lãnh đạo", "Viện kiểm sát nhân dân tỉnh Trà Vinh", "x")
            .unwrap()),
        "x",
        "demo",
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(field_of(body(r).await), "file");
    // A viewer is refused whatever the body.
    let xem = app.demo("xem").await;
    let r = xem
        .post_json("/api/v1/me/certificate", &json!({"p12_base64": "!!"}))
        .await;
    assert_eq!(r.status(), 403);
    // The right file: installed, sealed under the account password.
    let r = send(b64(&good), "mat-khau-tep", "demo").await;
    assert_eq!(r.status(), 201);
    let subject = body(r).await["subject"].as_str().unwrap().to_owned();
    assert!(subject.contains("Bến Tre"), "{subject}");
    assert_eq!(
        s.json("/api/v1/me/certificate").await["subject"],
        subject.as_str()
    );
    let stored = app
        .store
        .signing_certificate(
            &app.store
                .user_by_name("lanhdao.bentre")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(thidua_pdf::pades::p12_subject(&stored.p12, "demo").is_ok());
    assert!(thidua_pdf::pades::p12_subject(&stored.p12, "mat-khau-tep").is_err());
    // The page says so, in Vietnamese.
    let html = s.get("/account/certificate").await.text().await.unwrap();
    assert!(html.contains("Chứng thư đang dùng"), "{html}");
    assert!(html.contains("Bến Tre"), "{html}");
}

#[tokio::test]
async fn documents_start_from_the_template_and_the_council_can_change_it() {
    let app = common::spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y = sec.sector_year(2024).await;
    let b4 = sec.group(&y, "block", 4).await;
    let gid = b4["id"].as_str().unwrap();
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/documents"),
            &json!({"kind": "plan"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let d = body(r).await;
    let v = sec
        .json(&format!(
            "/api/v1/documents/{}/versions/1",
            d["id"].as_str().unwrap()
        ))
        .await;
    let text = v["content"].to_string();
    assert!(
        text.contains("Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024"),
        "{text}"
    );
    assert!(text.contains("09/HD-VKSTC"), "{text}");
    // A second plan for the same group is a duplicate; an unknown kind is refused.
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/documents"),
            &json!({"kind": "plan"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/documents"),
            &json!({"kind": "poem"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sec
        .post_json("/api/v1/groups/nope/documents", &json!({"kind": "plan"}))
        .await;
    assert_eq!(r.status(), 404);

    // The council writes its own starting text for regulations.
    let councils = sec.json("/api/v1/councils").await;
    let council = councils
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains("ngành"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer = app.demo("xem").await;
    let tpl = json!({"content": {"title": "QUY CHẾ hoạt động của {group} năm {year}", "sections": [{"heading": "Điều 1", "body_text": "Chủ đề: {theme}"}]}});
    let r = viewer
        .put_json(
            &format!("/api/v1/councils/{council}/templates/regulations"),
            &tpl,
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = sec
        .put_json(
            &format!("/api/v1/councils/{council}/templates/regulations"),
            &tpl,
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/documents"),
            &json!({"kind": "regulations"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let d = body(r).await;
    let v = sec
        .json(&format!(
            "/api/v1/documents/{}/versions/1",
            d["id"].as_str().unwrap()
        ))
        .await;
    let title = v["content"]["title"].as_str().unwrap();
    assert!(
        title.starts_with("QUY CHẾ hoạt động của Khối thi đua số 4") && title.ends_with("năm 2024"),
        "{title}"
    );
}

#[tokio::test]
async fn the_pact_prints_as_a_pdf_that_verifies_offline() {
    let app = common::spawn_demo().await;
    let s = app.demo("xem").await;
    let pact = pact13(&s).await;
    let id = pact["id"].as_str().unwrap();
    let r = s
        .get(&format!("/api/v1/documents/{id}/versions/1/pdf"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF"));
    // Checked against the trust list the server publishes (here: the demo CA).
    let pem = s.get("/trust-anchors.pem").await;
    assert_eq!(pem.status(), 200);
    let pem = pem.bytes().await.unwrap().to_vec();
    let trust = thidua_pdf::pades::parse_trust_file(&pem).expect("trust list");
    assert_eq!(trust.len(), 1);
    let o = thidua::verify::verify_pdf(&bytes, &trust).expect("verifiable");
    assert!(o.valid && o.complete, "{:?}", o.lines);
    // Six PAdES signatures, every one on the trust list.
    let verdict = thidua_pdf::pades::verify(&bytes, &trust).expect("pades");
    assert_eq!(verdict.signatures.len(), 6);
    assert!(verdict.holds(), "{verdict:?}");
    // Without a trust list nothing is called valid.
    assert!(
        !thidua::verify::verify_pdf(&bytes, &[])
            .expect("verifiable")
            .valid
    );
    assert!(
        o.lines.iter().any(|l| l.contains("Kiên Giang")),
        "{:?}",
        o.lines
    );
    // The printed text carries the code and the signers (when pdftotext is here to read it).
    let v = s.json(&format!("/api/v1/documents/{id}/versions/1")).await;
    let code = v["verification_code"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pact.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let trust_file = dir.path().join("trust.pem");
    std::fs::write(&trust_file, &pem).unwrap();
    // poppler's pdfsig reads the same six signatures (when it is installed).
    if let Ok(out) = std::process::Command::new("pdfsig").arg(&file).output() {
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(said.matches("Signature #").count(), 6, "{said}");
        assert_eq!(
            said.matches("Signature Validation: Signature is Valid")
                .count(),
            6,
            "{said}"
        );
    }
    if let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(code), "{text}");
        assert!(
            text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            "{text}"
        );
        assert!(text.contains("Nguyễn Văn Tùng"), "{text}");
    }
    // The command line says the same, and catches a PDF whose embedded text was changed.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .arg("verify")
        .arg(&file)
        .arg("--trust")
        .arg(&trust_file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("VALID"), "{said}");
    let raw = thidua_pdf::extract_attachment(&bytes, thidua_web::pdf::BUNDLE_NAME)
        .unwrap()
        .unwrap();
    let mut bundle: thidua_web::pdf::Bundle = serde_json::from_slice(&raw).unwrap();
    bundle.content.title = bundle.content.title.replace("13", "18");
    let forged = thidua_pdf::render_document(
        &bundle.content,
        &thidua_pdf::Letterhead::default(),
        &[],
        None,
        Some(&thidua_pdf::Attachment {
            name: thidua_web::pdf::BUNDLE_NAME.into(),
            bytes: serde_json::to_vec(&bundle).unwrap(),
        }),
    )
    .unwrap();
    let forged_file = dir.path().join("forged.pdf");
    std::fs::write(&forged_file, &forged).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .arg("verify")
        .arg(&forged_file)
        .arg("--trust")
        .arg(&trust_file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("INVALID"), "{said}");
    // Not a PDF: a clear error, not a verdict.
    assert!(thidua::verify::verify_pdf(b"hello", &trust).is_err());
    // Signed-out users cannot fetch it; unknown versions are 404.
    let anon = common::client();
    let r = anon
        .get(app.url(&format!("/api/v1/documents/{id}/versions/1/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        s.get(&format!("/api/v1/documents/{id}/versions/7/pdf"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_registration_list_prints_as_a_pdf() {
    let app = common::spawn_demo().await;
    let s = app.demo("thuongtruc").await;
    let y = s.sector_year(2024).await;
    let r = s
        .get(&format!(
            "/api/v1/years/{y}/registrations/export?format=pdf"
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
}

#[tokio::test]
async fn pages_show_the_document_and_start_minutes_of_a_conference() {
    let app = common::spawn_demo().await;
    let head = app.demo("lanhdao.travinh").await;
    let pact = pact13(&head).await;
    let id = pact["id"].as_str().unwrap();
    let html = head
        .get(&format!("/documents/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Viện kiểm sát nhân dân tỉnh Kiên Giang"),
        "{html}"
    );
    assert!(html.contains("/verify/"), "{html}");
    // The head starts the official minutes of the conference from its page.
    let group_id = pact["group_id"].as_str().unwrap();
    let confs = head
        .json(&format!("/api/v1/groups/{group_id}/conferences"))
        .await;
    let conf = confs[0]["id"].as_str().unwrap();
    let r = head
        .post_form(
            &format!("/groups/{group_id}/documents"),
            &[("kind", "minutes"), ("conference_id", conf)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("/edit"), "{to}");
    let editor = head.get(&to).await;
    assert_eq!(editor.status(), 200);
    // A second click opens the same document instead of a second one.
    let r = head
        .post_form(
            &format!("/groups/{group_id}/documents"),
            &[("kind", "minutes"), ("conference_id", conf)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(!r.headers()["location"].to_str().unwrap().ends_with("/edit"));
    // Saving from the editor with an empty title shows the error beside the field.
    let doc_id = to
        .trim_start_matches("/documents/")
        .trim_end_matches("/edit");
    let r = head
        .post_form(
            &format!("/documents/{doc_id}/edit"),
            &[
                ("base_version", "1"),
                ("title", ""),
                ("heading", "A"),
                ("text", "- một\n- hai"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("doc-title-err"), "{html}");
    // A viewer sees no editing or signing forms and cannot post them.
    let viewer = app.demo("xem").await;
    let html = viewer
        .get(&format!("/documents/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("sign-password"));
    let r = viewer
        .post_form(
            &format!("/documents/{id}/versions/1/sign"),
            &[("password", "demo")],
        )
        .await;
    assert_eq!(r.status(), 403);
}

/// Finding 1(a) of the adversarial review: the online page called a PDF with changed text
/// valid, because it never looked at the file. Anyone may now upload the file they hold:
/// its PAdES signatures are checked against the trust list and the file against the signed
/// copy kept on the server; the page shows the signed text to read against the paper.
#[tokio::test]
async fn anyone_checks_the_pdf_they_hold_on_the_verification_page() {
    let app = common::spawn_demo().await;
    let s = app.demo("xem").await;
    let pact = pact13(&s).await;
    let id = pact["id"].as_str().unwrap();
    let signed = s
        .get(&format!("/api/v1/documents/{id}/versions/1/pdf"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let anon = common::client();
    let post = |bytes: Vec<u8>| {
        anon.post(app.url("/api/v1/verify/file"))
            .header("content-type", "application/pdf")
            .body(bytes)
            .send()
    };
    // The genuine file, without signing in.
    let r = post(signed.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["file"]["holds"], true, "{v}");
    assert_eq!(v["file"]["matches_server"], true, "{v}");
    assert_eq!(v["file"]["signatures"].as_array().unwrap().len(), 6);
    assert_eq!(v["version"]["status"], "valid", "{v}");
    // One byte of the signed text changed: not valid, not the server's copy.
    // (inside a content stream, so the file still parses)
    let mut edited = signed.clone();
    let at = signed
        .windows(7)
        .position(|w| w == b"stream\n")
        .expect("a stream")
        + 40;
    edited[at] ^= 0x01;
    let v: Value = post(edited.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(v["file"]["holds"], false, "{v}");
    // Something that is not a PDF: a clear refusal.
    let r = post(b"hello".to_vec()).await.unwrap();
    assert_eq!(r.status(), 409);
    // The page: the upload form, the verdict in Vietnamese, the signed text.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(signed.clone()).file_name("giao-uoc.pdf"),
    );
    let page = anon
        .post(app.url("/verify/file"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Tệp hợp lệ"), "{html}");
    assert!(
        html.contains("Đúng là bản đã ký lưu trên hệ thống"),
        "{html}"
    );
    assert!(html.contains("Toàn văn đã ký"), "{html}");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(edited).file_name("giao-uoc.pdf"),
    );
    let html = anon
        .post(app.url("/verify/file"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Tệp KHÔNG hợp lệ"), "{html}");
    // The code page shows the server's PAdES copy and the text too.
    let code = s.json(&format!("/api/v1/documents/{id}/versions/1")).await["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let html = anon
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Chữ ký số trên tệp PDF (PAdES) (6)"),
        "{html}"
    );
    assert!(html.contains("Toàn văn đã ký"), "{html}");
}

/// Item 7 of issue "Evidence that holds": every group document also downloads as a Word
/// file with the same content as its PDF (offices edit in Word before signing).
#[tokio::test]
async fn the_pact_downloads_as_a_word_file_with_the_same_text() {
    use std::io::Read;
    let app = common::spawn_demo().await;
    let s = app.demo("xem").await;
    let pact = pact13(&s).await;
    let id = pact["id"].as_str().unwrap();
    let r = s
        .get(&format!("/api/v1/documents/{id}/versions/1/docx"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    // The letterhead, the kind line, the number, the signers and the closing mark.
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIAO ƯỚC THI ĐUA",
        "01/GƯTĐ-CTĐ13",
        "Nguyễn Văn Tùng",
        "./.",
        "Times New Roman",
    ] {
        assert!(xml.contains(want), "{want} missing from the DOCX");
    }
    // Every section's text is there, as in the PDF.
    let v = s.json(&format!("/api/v1/documents/{id}/versions/1")).await;
    for sec in v["content"]["sections"].as_array().unwrap() {
        let h = sec["heading"].as_str().unwrap();
        // (XML escapes these; the headings without them are enough to compare)
        if !h.is_empty() && !h.contains(['&', '<', '>', '"', '\'']) {
            let first = h.split(". ").last().unwrap_or(h);
            assert!(xml.contains(first), "section {h} missing");
        }
    }
    // The page links it; signed out, nothing.
    let anon = common::client();
    let r = anon
        .get(app.url(&format!("/api/v1/documents/{id}/versions/1/docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
