//! The year's end through the API and the pages, on SQLite and PostgreSQL: the group's
//! acclaim vote, proposals and their workflow, quota and eligibility, dossiers, the public
//! consultation, the council's secret vote and decisions into the awards registry.

use crate::common::{client, spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status, "unexpected status");
    let b = body(r).await;
    b
}

fn kind(b: &Value) -> &str {
    b["type"].as_str().unwrap_or_default()
}

async fn sector_council(s: &Session) -> String {
    let councils = s.json("/api/v1/councils").await;
    councils
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
        .expect("sector council")["id"]
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

async fn count(app: &TestApp, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url)
        .await
        .expect("connect");
    sqlx::query(sql)
        .fetch_one(&mut c)
        .await
        .expect("count")
        .try_get(0)
        .expect("n")
}

fn ymd(days_from_today: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7) + chrono::Duration::days(days_from_today))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Propose, submit and accept; returns the proposal.
async fn accepted(proposer: &Session, sec: &Session, draft: Value) -> Value {
    let r = proposer.post_json("/api/v1/proposals", &draft).await;
    assert_eq!(r.status(), 201, "create {draft}");
    let p = body(r).await;
    let id = p["id"].as_str().expect("id").to_owned();
    let r = proposer
        .post_json(&format!("/api/v1/proposals/{id}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/accept"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    body(r).await
}

/// The council's members vote yes on a proposal and the secretariat counts.
async fn council_approves(app: &TestApp, sec: &Session, id: &str) -> Value {
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/open"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "open vote");
    for m in [
        "thuongtruc",
        "lanhdao.vkscc1",
        "lanhdao.vkscc2",
        "lanhdao.vkscc3",
    ] {
        let s = app.demo(m).await;
        let r = s
            .post_json(
                &format!("/api/v1/proposals/{id}/ballots"),
                &json!({"choice": "yes"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{m} votes");
    }
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "close vote");
    body(r).await
}

#[tokio::test]
async fn acclaim_proposal_council_vote_and_decision() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let council = sector_council(&sec).await;
    let g = sec.group(&y, "cluster", 13).await;
    let gid = g["id"].as_str().expect("gid");
    let tv_id = app.unit_id("P-TRAVINH").await;
    let st_id = app.unit_id("P-SOCTRANG").await;
    let members: Vec<String> = g["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect();

    // The acclaim vote: secret, one ballot per member unit, the sector flag's 80%.
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "acclaim:sector_flag", "method": "secret", "candidate_ids": members}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let e = body(r).await;
    let eid = e["id"].as_str().expect("eid").to_owned();
    assert_eq!(e["rule"]["threshold"]["share"], json!({"num": 4, "den": 5}));
    // A host cannot lower the threshold: the year's rule wins.
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "acclaim:sector_flag", "method": "secret", "candidate_ids": members,
                "rule": {"threshold": {"base": "of_members", "share": {"num": 1, "den": 2}, "strict": false}, "quorum": {"num": 1, "den": 2}}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let low = body(r).await;
    assert_eq!(
        low["rule"]["threshold"]["share"],
        json!({"num": 4, "den": 5})
    );
    // An unknown or individual title is no acclaim.
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "acclaim:advanced_worker", "method": "secret", "candidate_ids": members}),
        )
        .await;
    assert_eq!(r.status(), 422);
    for (leader, choice) in [
        ("lanhdao.travinh", &tv_id),
        ("lanhdao.soctrang", &tv_id),
        ("lanhdao.bentre", &tv_id),
        ("lanhdao.baclieu", &tv_id),
        ("lanhdao.camau", &tv_id),
        ("lanhdao.kiengiang", &st_id),
    ] {
        let s = app.demo(leader).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{eid}/ballots"),
                &json!({"choice": choice}),
            )
            .await;
        assert_eq!(r.status(), 201, "{leader}");
    }
    let r = sec
        .post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let e = body(r).await;
    assert_eq!(e["result"]["outcome"]["outcome"], "elected");
    assert_eq!(e["result"]["outcome"]["candidate"], tv_id.as_str());
    // No new round, and the group's head did not change.
    let g2 = sec.json(&format!("/api/v1/groups/{gid}")).await;
    assert_eq!(g2["head"]["id"], g["head"]["id"]);
    assert_eq!(
        sec.json(&format!("/api/v1/groups/{gid}/elections"))
            .await
            .as_array()
            .expect("e")
            .len(),
        2,
        "the counted vote and the one left open; no new round"
    );

    // Sóc Trăng was not acclaimed: its proposal naming that vote is refused.
    let st = app.demo("lanhdao.soctrang").await;
    let r = st
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": st_id, "title_code": "sector_flag", "kind": "yearly", "acclaim_election_id": eid}),
        )
        .await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-prop-acclaim-not-won"
    );
    // Another unit's leader, and a viewer, may not propose Trà Vinh.
    let draft = json!({"year_id": y, "unit_id": tv_id, "title_code": "sector_flag", "kind": "yearly",
        "acclaim_election_id": eid, "summary": "Dẫn đầu Cụm 13", "achievements": "Hoàn thành xuất sắc nhiệm vụ"});
    assert_eq!(
        st.post_json("/api/v1/proposals", &draft).await.status(),
        403
    );
    let xem = app.demo("xem").await;
    assert_eq!(
        xem.post_json("/api/v1/proposals", &draft).await.status(),
        403
    );
    let r = tv
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": tv_id, "title_code": "sector_flag", "kind": "weekly"}),
        )
        .await;
    assert_eq!(r.status(), 422);

    let r = tv.post_json("/api/v1/proposals", &draft).await;
    assert_eq!(r.status(), 201);
    let p = body(r).await;
    let pid = p["id"].as_str().expect("pid").to_owned();
    assert_eq!(p["status"], "draft");
    let acclaim = p["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["rule"] == "sector_flag.acclaim")
        .expect("acclaim rule");
    assert_eq!(acclaim["met"], true);
    assert!(acclaim["message_vi"].as_str().expect("m").contains("5/6"));
    // A second live proposal for the same nominee and title is refused.
    let r = tv.post_json("/api/v1/proposals", &draft).await;
    assert_eq!(kind(&problem(r, 409).await), "/problems/err-prop-duplicate");

    // The workflow: submit, returned with a reason, submitted again, accepted.
    let r = tv
        .post_json(&format!("/api/v1/proposals/{pid}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    // The proposer cannot accept; another unit cannot even see it.
    let r = tv
        .post_json(&format!("/api/v1/proposals/{pid}/accept"), &json!({}))
        .await;
    assert_eq!(r.status(), 403);
    let bt = app.demo("lanhdao.bentre").await;
    assert_eq!(
        bt.get(&format!("/api/v1/proposals/{pid}")).await.status(),
        403
    );
    assert_eq!(
        xem.get(&format!("/api/v1/proposals/{pid}")).await.status(),
        403
    );
    assert_eq!(bt.get(&format!("/proposals/{pid}")).await.status(), 403);
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{pid}/return"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{pid}/return"),
            &json!({"reason": "Bổ sung biên bản họp bình xét"}),
        )
        .await;
    assert_eq!(body(r).await["status"], "returned");
    let cur = tv.json(&format!("/api/v1/proposals/{pid}")).await;
    let r = tv
        .put_json(
            &format!("/api/v1/proposals/{pid}"),
            &json!({"summary": "Dẫn đầu Cụm thi đua số 13", "achievements": "Đã bổ sung", "version": cur["version"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    tv.post_json(&format!("/api/v1/proposals/{pid}/submit"), &json!({}))
        .await;
    // Deciding a proposal that was not voted: refused, nothing written.
    let awards_before = count(&app, "SELECT COUNT(*) FROM awards").await;
    let dec = json!({"council_id": council, "issuer": "Viện trưởng VKSND tối cao", "number": "901/QĐ-VKSTC",
        "date": "2025-01-10", "signer": "Lê Minh Trí", "proposal_ids": [pid]});
    let r = sec.post_json("/api/v1/decisions", &dec).await;
    assert_eq!(kind(&problem(r, 409).await), "/problems/err-prop-not-voted");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM decisions WHERE number = '901/QĐ-VKSTC'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM awards").await,
        awards_before
    );
    let r = sec
        .post_json(&format!("/api/v1/proposals/{pid}/accept"), &json!({}))
        .await;
    assert_eq!(body(r).await["status"], "accepted");
    let p = tv.json(&format!("/api/v1/proposals/{pid}")).await;
    let steps: Vec<&str> = p["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["to_status"].as_str().expect("s"))
        .collect();
    assert_eq!(
        steps,
        ["draft", "submitted", "returned", "submitted", "accepted"]
    );
    assert_eq!(p["events"][2]["reason"], "Bổ sung biên bản họp bình xét");

    // The dossier: PDF and the editable report.
    let r = tv
        .get(&format!("/api/v1/proposals/{pid}/dossier.pdf"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("pdf").starts_with(b"%PDF"));
    let r = tv
        .get(&format!("/api/v1/proposals/{pid}/report.docx"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("docx").starts_with(b"PK\x03\x04"));
    assert_eq!(
        bt.get(&format!("/api/v1/proposals/{pid}/dossier.pdf"))
            .await
            .status(),
        403
    );
    // Attachments: checked by their first bytes.
    let r = tv
        .http
        .post(tv.url(&format!("/api/v1/proposals/{pid}/files?name=bien-ban.pdf")))
        .header("x-csrf-token", &tv.csrf)
        .body(b"%PDF-1.4\n%minutes\n".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let r = tv
        .http
        .post(tv.url(&format!("/api/v1/proposals/{pid}/files?name=x.exe")))
        .header("x-csrf-token", &tv.csrf)
        .body(b"MZ\x90\x00".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 422);

    // The council votes: a non-member is refused, a member votes once.
    let r = sec
        .post_json(&format!("/api/v1/proposals/{pid}/vote/open"), &json!({}))
        .await;
    assert_eq!(body(r).await["status"], "voting");
    let r = tv
        .post_json(
            &format!("/api/v1/proposals/{pid}/ballots"),
            &json!({"choice": "yes"}),
        )
        .await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-not-council-member"
    );
    let mut receipts = Vec::new();
    for m in [
        "thuongtruc",
        "lanhdao.vkscc1",
        "lanhdao.vkscc2",
        "lanhdao.vkscc3",
    ] {
        let s = app.demo(m).await;
        let r = s
            .post_json(
                &format!("/api/v1/proposals/{pid}/ballots"),
                &json!({"choice": "yes"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{m}");
        receipts.push(body(r).await["receipt"].as_str().expect("r").to_owned());
        let again = s
            .post_json(
                &format!("/api/v1/proposals/{pid}/ballots"),
                &json!({"choice": "no"}),
            )
            .await;
        assert_eq!(
            kind(&problem(again, 409).await),
            "/problems/err-council-already-voted"
        );
    }
    // During the vote the ballots are sealed (domain::ballot_box): none is stored in clear.
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM sealed_council_ballots WHERE proposal_id = '{pid}'")
        )
        .await,
        4
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM council_ballots WHERE proposal_id = '{pid}'")
        )
        .await,
        0
    );
    // Ballots are published only once counted.
    assert_eq!(
        sec.get(&format!("/api/v1/proposals/{pid}/ballots"))
            .await
            .status(),
        409
    );
    let r = sec
        .post_json(&format!("/api/v1/proposals/{pid}/vote/close"), &json!({}))
        .await;
    let p = body(r).await;
    assert_eq!(p["status"], "voted");
    assert_eq!(p["vote"]["yes"], 4);
    assert_eq!(p["vote"]["outcome"], "approved");
    // Opened at the count: stored in clear, the sealed box emptied.
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM sealed_council_ballots WHERE proposal_id = '{pid}'")
        )
        .await,
        0
    );
    let published = sec.json(&format!("/api/v1/proposals/{pid}/ballots")).await;
    for rc in &receipts {
        assert!(published
            .as_array()
            .expect("b")
            .iter()
            .any(|b| b["receipt"] == rc.as_str() && b["choice"] == "yes"));
    }

    // A unit leader may not record a decision; the secretariat does.
    assert_eq!(tv.post_json("/api/v1/decisions", &dec).await.status(), 403);
    let r = sec.post_json("/api/v1/decisions", &dec).await;
    assert_eq!(r.status(), 201);
    let d = body(r).await;
    assert_eq!(d["proposal_ids"], json!([pid]));
    let p = tv.json(&format!("/api/v1/proposals/{pid}")).await;
    assert_eq!(p["status"], "decided");
    assert_eq!(p["decision_id"], d["id"]);
    let awards = tv.json(&format!("/api/v1/units/{tv_id}/awards")).await;
    assert!(awards
        .as_array()
        .expect("awards")
        .iter()
        .any(|a| a["year"] == 2024
            && a["title_code"] == "sector_flag"
            && a["decision_number"] == "901/QĐ-VKSTC"));
    // The same number again by the same issuer is refused, nothing written.
    let decisions_before = count(&app, "SELECT COUNT(*) FROM decisions").await;
    let r = sec.post_json("/api/v1/decisions", &dec).await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-decision-number-used"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM decisions").await,
        decisions_before
    );
    // Every step is in the audit trail, and the trail's chain holds; ballots' choices are not.
    let aud = app.demo("kiemtra").await;
    let trail = aud
        .json(&format!(
            "/api/v1/audit?entity=proposal&entity_id={pid}&per_page=200"
        ))
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["action"].as_str().unwrap_or_default())
        .collect();
    for a in [
        "create",
        "submit",
        "return",
        "update",
        "accept",
        "attach",
        "open_vote",
        "council_vote",
        "close_vote",
        "decide",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(!trail.to_string().contains("\"choice\""));
    assert!(aud.json("/api/v1/audit/verify").await["first_break"].is_null());
    // The proposal's page shows the rules and the history.
    let r = tv.get(&format!("/proposals/{pid}")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("80%"));
}

#[tokio::test]
async fn eligibility_quota_and_next_years_check() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let st = app.demo("lanhdao.soctrang").await;
    let y = sec.sector_year(2024).await;
    let council = sector_council(&sec).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let st_id = app.unit_id("P-SOCTRANG").await;
    let a = person(&tv, &tv_id, "Le Van A").await;

    // A failing nominee: two grassroots titles where three in a row are needed. Refused with
    // the rule and its legal basis; nothing written.
    let before = count(&app, "SELECT COUNT(*) FROM proposals").await;
    let r = tv
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": tv_id, "person_id": a, "title_code": "sector_fighter", "kind": "yearly"}),
        )
        .await;
    let b = problem(r, 409).await;
    assert_eq!(kind(&b), "/problems/err-prop-ineligible");
    assert!(b["title"].as_str().expect("t").contains("Điều 22"), "{b}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM proposals").await, before);
    // A person of another unit, and a person's title for a unit, are refused.
    let r = tv
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": st_id, "person_id": a, "title_code": "advanced_worker", "kind": "yearly"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = tv
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_worker", "kind": "yearly"}),
        )
        .await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-prop-ineligible"
    );

    // The quota: Excellent Labour Collectives at most 20% of the Advanced ones, at least one.
    let elc = |unit: &str| json!({"year_id": y, "unit_id": unit, "title_code": "excellent_labour_collective", "kind": "yearly"});
    let r = tv.post_json("/api/v1/proposals", &elc(&tv_id)).await;
    assert_eq!(kind(&problem(r, 409).await), "/problems/err-prop-quota");
    for (s, u) in [(&tv, &tv_id), (&st, &st_id)] {
        let r = s
            .post_json(
                "/api/v1/proposals",
                &json!({"year_id": y, "unit_id": u, "title_code": "advanced_labour_collective", "kind": "yearly"}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let r = tv.post_json("/api/v1/proposals", &elc(&tv_id)).await;
    assert_eq!(r.status(), 201);
    let r = st.post_json("/api/v1/proposals", &elc(&st_id)).await;
    let b = problem(r, 409).await;
    assert_eq!(kind(&b), "/problems/err-prop-quota");
    assert!(b["title"].as_str().expect("t").contains("02/2024"), "{b}");

    // Next year's eligibility reads this year's decision: Lê Văn A, grassroots fighter in
    // 2022 and 2023, is proposed for 2024, decided, and then qualifies for 2025.
    let gf = accepted(
        &tv,
        &sec,
        json!({"year_id": y, "unit_id": tv_id, "person_id": a, "title_code": "grassroots_fighter", "kind": "yearly"}),
    )
    .await;
    let gid = gf["id"].as_str().expect("id").to_owned();
    let p = council_approves(&app, &sec, &gid).await;
    assert_eq!(p["status"], "voted");
    let r = sec
        .post_json(
            &format!("/api/v1/councils/{council}/years"),
            &json!({"year": 2025, "theme": "", "motto": ""}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let y25 = body(r).await["id"].as_str().expect("y").to_owned();
    let sf = json!({"year_id": y25, "unit_id": tv_id, "person_id": a, "title_code": "sector_fighter", "kind": "yearly"});
    let r = tv.post_json("/api/v1/proposals", &sf).await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-prop-ineligible"
    );
    let r = sec
        .post_json(
            "/api/v1/decisions",
            &json!({"council_id": council, "issuer": "Viện trưởng VKSND tối cao", "number": "902/QĐ-VKSTC",
                "date": "2025-01-12", "signer": "Lê Minh Trí", "proposal_ids": [gid]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = tv.post_json("/api/v1/proposals", &sf).await;
    assert_eq!(r.status(), 201);
    let p = body(r).await;
    assert!(p["checks"]
        .as_array()
        .expect("c")
        .iter()
        .any(|c| c["rule"] == "sector_fighter.three_grassroots" && c["met"] == true));
}

#[tokio::test]
async fn public_consultation_before_the_council_votes() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let st = app.demo("lanhdao.soctrang").await;
    let y = sec.sector_year(2024).await;
    let st_id = app.unit_id("P-SOCTRANG").await;
    let p = accepted(
        &st,
        &sec,
        json!({"year_id": y, "unit_id": st_id, "title_code": "government_flag", "kind": "yearly"}),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_owned();
    // The Government flag needs a consultation before the vote.
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/open"), &json!({}))
        .await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-prop-needs-consultation"
    );
    // Only the secretariat opens it, for at least the rule's days.
    let window = json!({"opens_on": ymd(0), "closes_on": ymd(6), "public_summary": "VKSND tỉnh Sóc Trăng: dẫn đầu phong trào thi đua năm 2024"});
    assert_eq!(
        st.post_json(&format!("/api/v1/proposals/{id}/consultation"), &window)
            .await
            .status(),
        403
    );
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{id}/consultation"),
            &json!({"opens_on": ymd(0), "closes_on": ymd(1), "public_summary": "x"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/consultation"), &window)
        .await;
    assert_eq!(body(r).await["status"], "consultation");

    // The public, without signing in, sees the summary and comments.
    let anon = client();
    let r = anon
        .get(app.url(&format!("/api/v1/public/consultations/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert!(body(r).await["public_summary"]
        .as_str()
        .expect("s")
        .contains("dẫn đầu"));
    let list: Value = anon
        .get(app.url("/api/v1/public/consultations"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().expect("l").len(), 1);
    let r = anon
        .get(app.url(&format!("/public/consultations/{id}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("html").contains("dẫn đầu phong trào"));
    // A control character is refused at the edge (issue 17), the comment without it is kept.
    let r = anon
        .post(app.url(&format!("/api/v1/public/consultations/{id}/comments")))
        .json(&json!({"author_name": "Nguyễn Văn Dân", "body": "<script>alert(1)</script>Đơn vị\u{0007} tiêu biểu"}))
        .send()
        .await
        .expect("comment");
    assert_eq!(r.status(), 400);
    let r = anon
        .post(app.url(&format!("/api/v1/public/consultations/{id}/comments")))
        .json(&json!({"author_name": "Nguyễn Văn Dân", "body": "<script>alert(1)</script>Đơn vị tiêu biểu"}))
        .send()
        .await
        .expect("comment");
    assert_eq!(r.status(), 201);
    let r = anon
        .post(app.url(&format!("/api/v1/public/consultations/{id}/comments")))
        .json(&json!({"author_name": "X", "body": "a".repeat(2001)}))
        .send()
        .await
        .expect("comment");
    assert_eq!(r.status(), 422);
    let r = anon
        .post(app.url(&format!("/public/consultations/{id}")))
        .form(&[("author_name", "Trần Thị Dân"), ("body", "Đồng ý")])
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), 303);
    let r = anon
        .post(app.url(&format!("/public/consultations/{id}")))
        .form(&[("author_name", "Trần Thị Dân"), ("body", "")])
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), 422);
    // The secretariat reads them; the nominee's unit does not.
    let c = sec.json(&format!("/api/v1/proposals/{id}/comments")).await;
    assert_eq!(c.as_array().expect("c").len(), 2);
    assert!(!c[0]["body"].as_str().expect("b").contains('\u{0007}'));
    assert_eq!(
        st.get(&format!("/api/v1/proposals/{id}/comments"))
            .await
            .status(),
        403
    );
    // The council does not vote while the window is open.
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/open"), &json!({}))
        .await;
    assert_eq!(
        kind(&problem(r, 409).await),
        "/problems/err-prop-consultation-open"
    );
    // Another proposal (not under consultation) has no public page.
    let r = anon
        .get(app.url("/api/v1/public/consultations/nope"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn demo_closed_2023_for_cluster_8_and_an_giang_cluster_2() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let qn = app.unit_id("P-QUANGNGAI").await;
    let awards = sec.json(&format!("/api/v1/units/{qn}/awards")).await;
    assert!(awards
        .as_array()
        .expect("a")
        .iter()
        .any(|a| a["year"] == 2023
            && a["title_code"] == "sector_flag"
            && a["decision_number"].is_string()));
    let tc = app.unit_id("D-ANGIANG-TANCHAU").await;
    let awards = sec.json(&format!("/api/v1/units/{tc}/awards")).await;
    assert!(awards
        .as_array()
        .expect("a")
        .iter()
        .any(|a| a["year"] == 2023 && a["decision_number"].is_string()));
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM proposals WHERE status = 'decided' AND award_year = 2023"
        )
        .await
            >= 2
    );
    // The acclaim's counts are in the year-end conference's minutes.
    let y23 = sec.sector_year(2023).await;
    let c8 = sec.group(&y23, "cluster", 8).await;
    let confs = sec
        .json(&format!(
            "/api/v1/groups/{}/conferences",
            c8["id"].as_str().expect("id")
        ))
        .await;
    assert!(
        confs.as_array().expect("c").iter().any(|c| c["minutes"]
            .as_str()
            .unwrap_or_default()
            .contains("suy tôn")
            && c["minutes"].as_str().unwrap_or_default().contains("2/2")),
        "{confs}"
    );
    // The public page lists nothing when no window is open.
    let r = client()
        .get(app.url("/public/consultations"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_member_votes_once_even_at_the_same_instant() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let p = accepted(
        &tv,
        &sec,
        json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_labour_collective", "kind": "yearly"}),
    )
    .await;
    let id = p["id"].as_str().expect("id").to_owned();
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/open"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let m = app.demo("lanhdao.vkscc1").await;
    let path = format!("/api/v1/proposals/{id}/ballots");
    let (yes, no) = (json!({"choice": "yes"}), json!({"choice": "no"}));
    let (a, b, c) = tokio::join!(
        m.post_json(&path, &yes),
        m.post_json(&path, &no),
        m.post_json(&path, &yes),
    );
    let mut codes = vec![
        a.status().as_u16(),
        b.status().as_u16(),
        c.status().as_u16(),
    ];
    codes.sort_unstable();
    assert_eq!(codes, [201, 409, 409]);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM sealed_council_ballots WHERE proposal_id = '{id}'")
        )
        .await,
        1
    );
    // Below quorum (1 of 5): the count is refused and the vote stays open.
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/close"), &json!({}))
        .await;
    assert_eq!(kind(&problem(r, 409).await), "/problems/err-below-quorum");
    assert_eq!(
        sec.json(&format!("/api/v1/proposals/{id}")).await["status"],
        "voting"
    );
    // Three votes against: the council does not approve; the proposal is rejected.
    for u in ["lanhdao.vkscc2", "lanhdao.vkscc3", "lanhdao.hanoi"] {
        let s = app.demo(u).await;
        let r = s.post_json(&path, &json!({"choice": "no"})).await;
        assert_eq!(r.status(), 201, "{u}");
    }
    let r = sec
        .post_json(&format!("/api/v1/proposals/{id}/vote/close"), &json!({}))
        .await;
    let p = body(r).await;
    assert_eq!(p["status"], "rejected");
    assert_eq!(p["vote"]["outcome"], "not_approved");
}

/// One cluster's whole year through the API, as the issue's "done when" asks: the year and
/// its group, the head's election, the pact (drafted, adopted at a conference, signed by
/// every member's leader with the password again), a registration, the scoring (last year's
/// scheme copied and opened, each member's self-assessment saved and submitted by its
/// leader, the head's review adjustment with its reason, publication, the group's ranking),
/// the year-end conference and its acclaim vote, the proposal, the council's vote and the
/// decision; then the next year's eligibility check reads the award as history.
#[tokio::test]
async fn one_clusters_year_end_to_end() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let council = sector_council(&sec).await;

    // The year and its group.
    let r = sec
        .post_json(
            &format!("/api/v1/councils/{council}/years"),
            &json!({"year": 2026, "theme": "", "motto": "", "registration_deadline": ymd(30)}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let y = body(r).await["id"].as_str().expect("y").to_owned();
    let tv = app.unit_id("P-TRAVINH").await;
    let st = app.unit_id("P-SOCTRANG").await;
    let bt = app.unit_id("P-BENTRE").await;
    let r = sec
        .post_json(
            &format!("/api/v1/years/{y}/groups"),
            &json!({"kind": "cluster", "number": 77, "member_ids": [tv, st, bt]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let gid = body(r).await["id"].as_str().expect("g").to_owned();
    let members = [
        ("lanhdao.travinh", &tv),
        ("lanhdao.soctrang", &st),
        ("lanhdao.bentre", &bt),
    ];

    // The head is elected.
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "head", "method": "secret", "candidate_ids": [tv, st]}),
        )
        .await;
    let eid = body(r).await["id"].as_str().expect("e").to_owned();
    for (leader, _) in members {
        let s = app.demo(leader).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{eid}/ballots"),
                &json!({"choice": tv}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    sec.post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
        .await;
    assert_eq!(
        sec.json(&format!("/api/v1/groups/{gid}")).await["head"]["id"],
        tv.as_str()
    );
    let head = app.demo("lanhdao.travinh").await;

    // The pact: the head drafts it from the template, the conference adopts it, and each
    // member's leader signs it, giving the password again.
    let r = head
        .post_json(
            &format!("/api/v1/groups/{gid}/documents"),
            &json!({"kind": "pact"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let pact = body(r).await["id"].as_str().expect("pact").to_owned();
    let r = head
        .post_json(
            &format!("/api/v1/groups/{gid}/conferences"),
            &json!({"kind": "pact_signing", "starts_at": "2026-03-20T08:00", "host_unit_id": tv, "venue": "Trà Vinh", "mode": "in_person"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let signing_conf = body(r).await["id"].as_str().expect("c").to_owned();
    let r = head
        .post_json(
            &format!("/api/v1/documents/{pact}/versions/1/adopt"),
            &json!({"conference_id": signing_conf, "note": "3/3 nhất trí"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let sign = format!("/api/v1/documents/{pact}/versions/1/signatures");
    for (leader, _) in members {
        let s = app.demo(leader).await;
        let r = s.post_json(&sign, &json!({"password": "wrong"})).await;
        assert_eq!(r.status(), 422, "{leader}: a wrong password signs nothing");
        let r = s.post_json(&sign, &json!({"password": "demo"})).await;
        assert_eq!(r.status(), 201, "{leader} signs");
    }
    let sigs = head.json(&sign).await;
    assert_eq!(sigs["signed"].as_array().expect("signed").len(), 3);
    assert!(sigs["unsigned"].as_array().expect("unsigned").is_empty());

    // Trà Vinh registers for the sector flag.
    let officer = app.demo("canbo.travinh").await;
    let r = officer
        .post_json(
            &format!("/api/v1/years/{y}/registrations"),
            &json!({"unit_id": tv, "title_code": "sector_flag"}),
        )
        .await;
    assert_eq!(r.status(), 201);

    // The scoring: the secretariat copies last year's provincial scheme and opens it.
    let y24 = sec.sector_year(2024).await;
    let schemes24 = sec.json(&format!("/api/v1/years/{y24}/schemes")).await;
    let s24 = schemes24
        .as_array()
        .expect("schemes")
        .iter()
        .find(|s| s["unit_kind"] == "provincial")
        .expect("the 2024 provincial scheme")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = sec
        .post_json(
            &format!("/api/v1/years/{y}/schemes"),
            &json!({"copy_from": s24}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let scheme = body(r).await;
    let sid = scheme["id"].as_str().expect("scheme").to_owned();
    assert_eq!(scheme["copied_from"], s24.as_str());
    let r = sec
        .post_json(
            &format!("/api/v1/schemes/{sid}/status"),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Each member's leader saves and submits its self-assessment. Trà Vinh had last year's
    // best entries (Kiên Giang's, first of cluster 13); the others keep their own.
    let kg = app.unit_id("P-KIENGIANG").await;
    for (leader, unit) in members {
        let from = if unit == &tv { &kg } else { unit };
        let last = sec
            .json(&format!("/api/v1/schemes/{s24}/assessments/{from}"))
            .await;
        let s = app.demo(leader).await;
        let mine = format!("/api/v1/schemes/{sid}/assessments/{unit}");
        let r = s
            .put_json(
                &mine,
                &json!({"input": last["assessment"]["input"], "comments": last["assessment"]["comments"]}),
            )
            .await;
        assert_eq!(r.status(), 200, "{leader} saves");
        let r = s.post_json(&format!("{mine}/submit"), &json!({})).await;
        let status = r.status();
        assert_eq!(status, 200, "{leader} submits: {}", body(r).await);
    }
    // The head reviews: one of Sóc Trăng's hand-given points goes down, with the reason.
    let st_a = head
        .json(&format!("/api/v1/schemes/{sid}/assessments/{st}"))
        .await;
    let mut manual = Vec::new();
    manual_leaves(&scheme["scheme"]["criteria"], &mut manual);
    let (leaf, points) = manual
        .iter()
        .find_map(|code| {
            let p = st_a["self_leaves"][code.as_str()].as_f64()?;
            (p >= 1.0).then(|| (code.clone(), p))
        })
        .expect("a manual leaf with points");
    let reason = "Chưa có tài liệu chứng minh kết quả";
    let r = head
        .post_json(
            &format!("/api/v1/schemes/{sid}/assessments/{st}/adjustments"),
            &json!({"leaf_code": leaf, "points": points - 1.0, "reason": reason}),
        )
        .await;
    assert_eq!(r.status(), 201);
    // The secretariat publishes; the group's ranking reads back, the review in it.
    let r = sec
        .post_json(
            &format!("/api/v1/schemes/{sid}/status"),
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let ranking = app
        .demo("lanhdao.bentre")
        .await
        .json(&format!("/api/v1/groups/{gid}/ranking"))
        .await;
    let rows = ranking["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3, "{ranking}");
    assert_eq!(rows[0]["unit_code"], "P-TRAVINH", "{ranking}");
    assert_eq!(rows[0]["group_rank"], 1);
    let st_row = rows
        .iter()
        .find(|r| r["unit_code"] == "P-SOCTRANG")
        .expect("Sóc Trăng ranked");
    assert_eq!(st_row["adjustments"], 1);
    let diff = st_row["self_total"].as_f64().expect("self")
        - st_row["final_total"].as_f64().expect("final");
    assert!((diff - 1.0).abs() < 0.005, "{st_row}");
    let a = head
        .json(&format!("/api/v1/schemes/{sid}/assessments/{st}"))
        .await;
    assert_eq!(a["assessment"]["adjustments"][0]["reason"], reason);

    // The year-end conference, hosted by the head, and its acclaim vote for the leader.
    let r = head
        .post_json(
            &format!("/api/v1/groups/{gid}/conferences"),
            &json!({"kind": "year_end", "starts_at": "2026-12-10T08:00", "host_unit_id": tv, "venue": "Trà Vinh", "mode": "in_person"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let conf = body(r).await["id"].as_str().expect("c").to_owned();
    let r = head
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "acclaim:sector_flag", "method": "open", "candidate_ids": [tv, st, bt], "conference_id": conf}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let acclaim = body(r).await["id"].as_str().expect("a").to_owned();
    for (leader, _) in members {
        let s = app.demo(leader).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{acclaim}/ballots"),
                &json!({"choice": tv}),
            )
            .await;
        assert_eq!(r.status(), 201, "{leader} acclaims");
    }
    let r = head
        .post_json(&format!("/api/v1/elections/{acclaim}/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let c = sec.json(&format!("/api/v1/conferences/{conf}")).await;
    assert!(
        c["minutes"].as_str().unwrap_or_default().contains("3/3"),
        "{c}"
    );

    // The proposal, the council's vote, the decision.
    let p = accepted(
        &officer,
        &sec,
        json!({"year_id": y, "unit_id": tv, "title_code": "sector_flag", "kind": "yearly", "acclaim_election_id": acclaim}),
    )
    .await;
    let pid = p["id"].as_str().expect("p").to_owned();
    assert!(p["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .any(|c| c["rule"] == "sector_flag.acclaim" && c["met"] == true));
    assert_eq!(council_approves(&app, &sec, &pid).await["status"], "voted");
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut dec = json!({"council_id": council, "issuer": "Viện trưởng VKSND tối cao", "number": "903/QĐ-VKSTC",
        "date": "2027-01-10", "signer": "Viện trưởng", "proposal_ids": [pid], "pdf_base64": b64(b"GIF89a")});
    let r = sec.post_json("/api/v1/decisions", &dec).await;
    assert_eq!(r.status(), 422);
    dec["pdf_base64"] = json!(b64(b"%PDF-1.4\n%decision\n"));
    let r = sec.post_json("/api/v1/decisions", &dec).await;
    assert_eq!(r.status(), 201);
    let d = body(r).await;
    let file = d["file_id"].as_str().expect("file");
    let r = sec.get(&format!("/files/{file}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        officer.json(&format!("/api/v1/proposals/{pid}")).await["status"],
        "decided"
    );

    // The registry holds it, which is what the next year's checks read.
    let awards = officer.json(&format!("/api/v1/units/{tv}/awards")).await;
    assert_eq!(awards[0]["year"], 2026);
    assert_eq!(awards[0]["title_code"], "sector_flag");
    assert_eq!(awards[0]["decision_number"], "903/QĐ-VKSTC");

    // 2027: the unit's registration page lists the 2026 flag among its awards, and a new
    // proposal's dossier carries it as an award already received.
    let r = sec
        .post_json(
            &format!("/api/v1/councils/{council}/years"),
            &json!({"year": 2027, "theme": "", "motto": "", "registration_deadline": ymd(60)}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let y27 = body(r).await["id"].as_str().expect("y27").to_owned();
    let r = officer
        .get(&format!("/years/{y27}/registration/units/{tv}"))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Cờ thi đua của ngành Kiểm sát nhân dân 2026"),
        "the 2026 award on the 2027 registration page"
    );
    let r = officer
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y27, "unit_id": tv, "title_code": "advanced_labour_collective", "kind": "yearly"}),
        )
        .await;
    assert_eq!(r.status(), 201, "the 2027 proposal");
    let p27 = body(r).await["id"].as_str().expect("p27").to_owned();
    let r = officer
        .get(&format!("/api/v1/proposals/{p27}/dossier.pdf"))
        .await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.expect("pdf");
    if let Some(text) = pdftotext(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("2026"), "{flat}");
        assert!(flat.contains("903/QĐ-VKSTC"), "{flat}");
    }
}

/// The codes of the scheme's hand-scored leaves.
fn manual_leaves(nodes: &Value, out: &mut Vec<String>) {
    for n in nodes.as_array().into_iter().flatten() {
        match n["type"].as_str() {
            Some("group") => manual_leaves(&n["items"], out),
            Some("manual") => out.push(n["code"].as_str().unwrap_or_default().to_owned()),
            _ => {}
        }
    }
}

/// The text of a PDF from poppler's pdftotext, or `None` (with a note) when it is missing.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    match std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            eprintln!("note: pdftotext is not available; the PDF's text is not checked");
            None
        }
    }
}

#[tokio::test]
async fn proposals_through_the_pages() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    assert_eq!(tv.get("/review").await.status(), 200);
    let r = tv.get(&format!("/years/{y}/proposals")).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("html").contains("Trà Vinh"));
    // The viewer has nothing to propose and no list to see.
    let xem = app.demo("xem").await;
    assert_eq!(
        xem.get(&format!("/years/{y}/proposals")).await.status(),
        403
    );
    // A bad kind comes back on the form; a good one goes to the new proposal.
    let r = tv
        .post_form(
            &format!("/years/{y}/proposals"),
            &[
                ("unit_id", &tv_id),
                ("title_code", "advanced_labour_collective"),
                ("kind", "weekly"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = tv
        .post_form(
            &format!("/years/{y}/proposals"),
            &[
                ("unit_id", &tv_id),
                ("title_code", "advanced_labour_collective"),
                ("kind", "yearly"),
                ("summary", "Hoàn thành tốt nhiệm vụ"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    let id = loc.trim_start_matches("/proposals/").to_owned();
    let step = format!("/proposals/{id}/step");
    assert_eq!(
        tv.post_form(&step, &[("step", "submit")]).await.status(),
        303
    );
    // The proposer cannot accept its own; an empty reason is refused on the page.
    assert_eq!(
        tv.post_form(&step, &[("step", "accept")]).await.status(),
        403
    );
    let r = sec
        .post_form(&step, &[("step", "return"), ("reason", "")])
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        sec.post_form(&step, &[("step", "accept")]).await.status(),
        303
    );
    assert_eq!(
        sec.post_form(&step, &[("step", "open_vote")])
            .await
            .status(),
        303
    );
    let m = app.demo("lanhdao.vkscc2").await;
    let r = m
        .post_form(&format!("/proposals/{id}/ballot"), &[("choice", "yes")])
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    assert!(loc.contains("receipt="));
    let r = m.get(&loc).await;
    assert_eq!(r.status(), 200);
    // Not on the council: the page says so.
    let r = tv
        .post_form(&format!("/proposals/{id}/ballot"), &[("choice", "yes")])
        .await;
    assert_eq!(r.status(), 409);
    let p = sec.json(&format!("/api/v1/proposals/{id}")).await;
    assert_eq!(p["status"], "voting");
    assert_eq!(p["voters"], 1);
}

#[tokio::test]
async fn consultation_and_decision_through_the_pages() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let st = app.demo("lanhdao.soctrang").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let st_id = app.unit_id("P-SOCTRANG").await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let gov = accepted(
        &st,
        &sec,
        json!({"year_id": y, "unit_id": st_id, "title_code": "government_flag", "kind": "yearly"}),
    )
    .await;
    let gid = gov["id"].as_str().expect("id").to_owned();
    let r = sec
        .post_form(
            &format!("/proposals/{gid}/consultation"),
            &[
                ("opens_on", &ymd(0)),
                ("closes_on", &ymd(1)),
                ("public_summary", "x"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sec
        .post_form(
            &format!("/proposals/{gid}/consultation"),
            &[
                ("opens_on", &ymd(0)),
                ("closes_on", &ymd(9)),
                ("public_summary", "Tóm tắt thành tích công khai"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let anon = client();
    anon.post(app.url(&format!("/public/consultations/{gid}")))
        .form(&[("author_name", "Người dân"), ("body", "<b>Ý kiến</b>")])
        .send()
        .await
        .expect("comment");
    let html = sec
        .get(&format!("/proposals/{gid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("&lt;b&gt;Ý kiến&lt;/b&gt;") || html.contains("&#60;b&#62;Ý kiến"),
        "escaped"
    );
    assert!(!html.contains("<b>Ý kiến</b>"));

    // A decision from the year's page: a voted proposal is decided; an unvoted one refused.
    let alc = accepted(
        &tv,
        &sec,
        json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_labour_collective", "kind": "yearly"}),
    )
    .await;
    let aid = alc["id"].as_str().expect("id").to_owned();
    let form = |ids: &[&str], number: &str| {
        let mut f: Vec<(String, String)> = vec![
            ("issuer".into(), "Viện trưởng VKSND tối cao".into()),
            ("number".into(), number.into()),
            ("date".into(), "2025-01-15".into()),
            ("signer".into(), "Viện trưởng".into()),
        ];
        for i in ids {
            f.push(("proposal_ids".into(), (*i).into()));
        }
        f
    };
    let post = |f: Vec<(String, String)>| {
        let sec = &sec;
        let y = y.clone();
        async move {
            let mut f = f;
            f.push(("_csrf".into(), sec.csrf.clone()));
            sec.http
                .post(sec.url(&format!("/years/{y}/decisions")))
                .form(&f)
                .send()
                .await
                .expect("post")
        }
    };
    let r = post(form(&[&aid], "904/QĐ-VKSTC")).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        tv.post_form(&format!("/years/{y}/decisions"), &[("number", "1")])
            .await
            .status(),
        403
    );
    council_approves(&app, &sec, &aid).await;
    let r = post(form(&[&aid], "904/QĐ-VKSTC")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        sec.json(&format!("/api/v1/proposals/{aid}")).await["status"],
        "decided"
    );
}

/// A proposal returned for changes tells the proposing unit's people, with the reason, in
/// their inbox; another unit hears nothing, and a refused return tells nobody.
#[tokio::test]
async fn a_returned_proposal_reaches_the_proposers_inbox() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let officer = app.demo("canbo.travinh").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let returned = |inbox: &Value, id: &str| -> Vec<Value> {
        inbox["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["kind"] == "proposal_returned" && i["subject_id"] == id)
            .cloned()
            .collect()
    };
    let r = officer
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_labour_collective", "kind": "yearly"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = body(r).await["id"].as_str().expect("id").to_owned();
    let r = officer
        .post_json(&format!("/api/v1/proposals/{id}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    // A return without a reason is refused and tells nobody.
    let before = count(&app, "SELECT COUNT(*) FROM notifications").await;
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{id}/return"),
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM notifications").await,
        before
    );
    let reason = "Bổ sung biên bản họp bình xét";
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{id}/return"),
            &json!({"reason": reason}),
        )
        .await;
    assert_eq!(r.status(), 200);
    for who in ["canbo.travinh", "lanhdao.travinh"] {
        let s = app.demo(who).await;
        let inbox = s.json("/api/v1/inbox").await;
        let items = returned(&inbox, &id);
        assert_eq!(items.len(), 1, "{who}: {inbox}");
        let text = items[0]["text"].as_str().expect("text");
        assert!(text.contains(reason), "{who}: {text}");
        assert!(text.contains("Tập thể lao động"), "{who}: {text}");
        assert_eq!(items[0]["link"], format!("/proposals/{id}"));
    }
    let bt = app.demo("lanhdao.bentre").await;
    assert!(returned(&bt.json("/api/v1/inbox").await, &id).is_empty());
    // Returned a second time: a second notice, not a repeat of the first.
    let cur = officer.json(&format!("/api/v1/proposals/{id}")).await;
    assert_eq!(
        officer
            .post_json(
                &format!("/api/v1/proposals/{id}/submit"),
                &json!({"version": cur["version"]})
            )
            .await
            .status(),
        200
    );
    let r = sec
        .post_json(
            &format!("/api/v1/proposals/{id}/return"),
            &json!({"reason": "Thiếu danh sách kèm theo"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let inbox = officer.json("/api/v1/inbox").await;
    assert_eq!(returned(&inbox, &id).len(), 2, "{inbox}");
}

/// A person is proposed on the year's page: the unit's people are listed, the individual
/// titles offered; another unit's leader and a viewer are refused and nothing is written.
#[tokio::test]
async fn a_person_is_proposed_on_the_years_page() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let officer = app.demo("canbo.travinh").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let st_id = app.unit_id("P-SOCTRANG").await;
    let a = person(&officer, &tv_id, "Le Van A").await;
    // The officer's one unit: its people and the individual titles are on the form.
    let html = officer
        .get(&format!("/years/{y}/proposals"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(&format!("value=\"{a}\"")), "Lê Văn A listed");
    assert!(html.contains("value=\"grassroots_fighter\""));
    // The secretariat chooses the unit first.
    let html = sec
        .get(&format!("/years/{y}/proposals?unit={st_id}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"people-of-unit\""));
    assert!(
        !html.contains(&format!("value=\"{a}\"")),
        "Trà Vinh's people are not Sóc Trăng's"
    );

    let form = |unit: &str, person: &str, title: &str| {
        vec![
            ("unit_id".to_owned(), unit.to_owned()),
            ("person_id".to_owned(), person.to_owned()),
            ("title_code".to_owned(), title.to_owned()),
            ("kind".to_owned(), "yearly".to_owned()),
            (
                "summary".to_owned(),
                "Hoàn thành xuất sắc nhiệm vụ".to_owned(),
            ),
        ]
    };
    let post = |s: &Session, f: Vec<(String, String)>| {
        let (http, url, csrf) = (
            s.http.clone(),
            s.url(&format!("/years/{y}/proposals")),
            s.csrf.clone(),
        );
        async move {
            let mut f = f;
            f.push(("_csrf".into(), csrf));
            http.post(url).form(&f).send().await.expect("post")
        }
    };
    let before = count(&app, "SELECT COUNT(*) FROM proposals").await;
    // Another unit's leader, and a viewer: refused, nothing written.
    let st = app.demo("lanhdao.soctrang").await;
    assert_eq!(
        post(&st, form(&tv_id, &a, "grassroots_fighter"))
            .await
            .status(),
        403
    );
    let xem = app.demo("xem").await;
    assert_eq!(
        post(&xem, form(&tv_id, &a, "grassroots_fighter"))
            .await
            .status(),
        403
    );
    // A person of another unit, and a failing rule: the form again with the reason.
    let r = post(&sec, form(&st_id, &a, "grassroots_fighter")).await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Cá nhân không thuộc đơn vị"));
    let r = post(&officer, form(&tv_id, &a, "sector_fighter")).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("html").contains("Điều 22"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM proposals").await, before);
    // The officer proposes Lê Văn A as a grassroots fighter.
    let r = post(&officer, form(&tv_id, &a, "grassroots_fighter")).await;
    assert_eq!(r.status(), 303);
    let id = r.headers()["location"]
        .to_str()
        .expect("loc")
        .trim_start_matches("/proposals/")
        .to_owned();
    let p = officer.json(&format!("/api/v1/proposals/{id}")).await;
    assert_eq!(p["person_id"], a.as_str());
    assert_eq!(p["title_code"], "grassroots_fighter");
    let html = officer
        .get(&format!("/proposals/{id}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(p["person_name"].as_str().expect("name")));
}

/// The council's members on their page, reached from the year's proposals page: the
/// secretariat lists, seats and removes them; a member cannot change while a vote is open;
/// anyone else is refused and nothing changes.
#[tokio::test]
async fn the_secretariat_manages_the_councils_members_on_a_page() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let council = sector_council(&sec).await;
    let page = format!("/councils/{council}/members");
    let html = sec
        .get(&format!("/years/{y}/proposals"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(&format!("/councils/{council}/members?year={y}")));
    let r = sec.get(&format!("{page}?year={y}")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("lanhdao.vkscc1"));
    assert!(!html.contains("data-username=\"lanhdao.hcm\""));
    let before = council_usernames(&sec, &council).await;
    // Others: refused, nothing changes.
    assert_eq!(tv.get(&page).await.status(), 403);
    let r = tv
        .post_form(
            &page,
            &[("username", "lanhdao.hcm"), ("position", "Ủy viên")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let cc1 = before
        .iter()
        .position(|u| u == "lanhdao.vkscc1")
        .expect("cc1");
    let cc1_id = sec
        .json(&format!("/api/v1/councils/{council}/members"))
        .await[cc1]["user_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        tv.post_form(&format!("{page}/{cc1_id}/remove"), &[])
            .await
            .status(),
        403
    );
    let r = tv
        .http
        .delete(tv.url(&format!("/api/v1/councils/{council}/members/{cc1_id}")))
        .header("x-csrf-token", &tv.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 403);
    assert_eq!(council_usernames(&sec, &council).await, before);
    // Bad input: an unknown user, an empty position.
    let r = sec
        .post_form(&page, &[("username", "khong.co"), ("position", "Ủy viên")])
        .await;
    assert_eq!(r.status(), 422);
    let r = sec
        .post_form(&page, &[("username", "lanhdao.hcm"), ("position", " ")])
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(council_usernames(&sec, &council).await, before);
    // Seated, listed, then removed.
    let r = sec
        .post_form(
            &page,
            &[
                ("username", "lanhdao.hcm"),
                ("position", "Ủy viên"),
                ("year", &y),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().expect("loc"),
        format!("{page}?year={y}")
    );
    let after = council_usernames(&sec, &council).await;
    assert!(after.iter().any(|u| u == "lanhdao.hcm"));
    let html = sec.get(&page).await.text().await.expect("html");
    assert!(html.contains("data-username=\"lanhdao.hcm\""));
    let hcm_id = sec
        .json(&format!("/api/v1/councils/{council}/members"))
        .await
        .as_array()
        .expect("m")
        .iter()
        .find(|m| m["username"] == "lanhdao.hcm")
        .expect("hcm")["user_id"]
        .as_str()
        .expect("id")
        .to_owned();
    // While a vote is open nobody leaves.
    let tv_id = app.unit_id("P-TRAVINH").await;
    let p = accepted(
        &tv,
        &sec,
        json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_labour_collective", "kind": "yearly"}),
    )
    .await;
    let pid = p["id"].as_str().expect("id").to_owned();
    let r = sec
        .post_json(&format!("/api/v1/proposals/{pid}/vote/open"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let r = sec.post_form(&format!("{page}/{hcm_id}/remove"), &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("html").contains("đang biểu quyết"));
    assert!(council_usernames(&sec, &council)
        .await
        .iter()
        .any(|u| u == "lanhdao.hcm"));
    for m in [
        "thuongtruc",
        "lanhdao.vkscc1",
        "lanhdao.vkscc2",
        "lanhdao.vkscc3",
    ] {
        let s = app.demo(m).await;
        s.post_json(
            &format!("/api/v1/proposals/{pid}/ballots"),
            &json!({"choice": "yes"}),
        )
        .await;
    }
    let r = sec
        .post_json(&format!("/api/v1/proposals/{pid}/vote/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let r = sec.post_form(&format!("{page}/{hcm_id}/remove"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(council_usernames(&sec, &council).await, before);
    // The API removes too; a user not on the council is not found.
    let r = sec
        .http
        .delete(sec.url(&format!("/api/v1/councils/{council}/members/{hcm_id}")))
        .header("x-csrf-token", &sec.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 404);
}

async fn council_usernames(s: &Session, council: &str) -> Vec<String> {
    s.json(&format!("/api/v1/councils/{council}/members"))
        .await
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["username"].as_str().expect("u").to_owned())
        .collect()
}

/// The decision form takes the signed decision's PDF: checked by its first bytes, kept
/// with the decision; a unit's leader is refused; a bad file writes nothing.
#[tokio::test]
async fn the_decision_form_attaches_the_signed_pdf() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let tv = app.demo("lanhdao.travinh").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let p = accepted(
        &tv,
        &sec,
        json!({"year_id": y, "unit_id": tv_id, "title_code": "advanced_labour_collective", "kind": "yearly"}),
    )
    .await;
    let pid = p["id"].as_str().expect("id").to_owned();
    council_approves(&app, &sec, &pid).await;
    let html = sec
        .get(&format!("/years/{y}/proposals"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("name=\"pdf\""));
    let form = |file: &[u8], name: &str| {
        reqwest::multipart::Form::new()
            .text("issuer", "Viện trưởng VKSND tối cao")
            .text("number", "905/QĐ-VKSTC")
            .text("date", "2025-01-16")
            .text("signer", "Viện trưởng")
            .text("proposal_ids", pid.clone())
            .part(
                "pdf",
                reqwest::multipart::Part::bytes(file.to_vec()).file_name(name.to_owned()),
            )
    };
    let send = |s: &Session, f: reqwest::multipart::Form| {
        let req = s
            .http
            .post(s.url(&format!("/years/{y}/decisions?_csrf={}", s.csrf)))
            .multipart(f);
        async move { req.send().await.expect("post") }
    };
    let decisions = || count(&app, "SELECT COUNT(*) FROM decisions");
    let before = decisions().await;
    // A unit's leader: refused.
    let r = send(&tv, form(b"%PDF-1.4\n%x\n", "qd.pdf")).await;
    assert_eq!(r.status(), 403);
    // Not a PDF (whatever its name): the form again, nothing written.
    let r = send(&sec, form(b"GIF89a....", "qd.pdf")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("html").contains("không phải PDF"));
    assert_eq!(decisions().await, before);
    assert_eq!(
        sec.json(&format!("/api/v1/proposals/{pid}")).await["status"],
        "voted"
    );
    // Too large: refused.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'0');
    let r = send(&sec, form(&big, "qd.pdf")).await;
    assert!(matches!(r.status().as_u16(), 413 | 422), "{}", r.status());
    assert_eq!(decisions().await, before);
    // The PDF: recorded with the decision and served back.
    let r = send(&sec, form(b"%PDF-1.4\n%decision 905\n", "qd.pdf")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(decisions().await, before + 1);
    let p = sec.json(&format!("/api/v1/proposals/{pid}")).await;
    assert_eq!(p["status"], "decided");
    let d = sec
        .json(&format!(
            "/api/v1/decisions/{}",
            p["decision_id"].as_str().expect("d")
        ))
        .await;
    let file = d["file_id"].as_str().expect("the decision's file");
    let r = sec.get(&format!("/files/{file}")).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .bytes()
        .await
        .expect("pdf")
        .starts_with(b"%PDF-1.4\n%decision 905"));
}

/// The submission letter (tờ trình) of a proposal is its own PDF, linked from the proposal's
/// page: it names the nominee and the title; another unit may not read it.
#[tokio::test]
async fn the_submission_letter_is_its_own_pdf() {
    let app = spawn_demo().await;
    let officer = app.demo("canbo.travinh").await;
    let sec = app.demo("thuongtruc").await;
    let y = sec.sector_year(2024).await;
    let tv_id = app.unit_id("P-TRAVINH").await;
    let a = person(&officer, &tv_id, "Le Van A").await;
    let r = officer
        .post_json(
            "/api/v1/proposals",
            &json!({"year_id": y, "unit_id": tv_id, "person_id": a, "title_code": "grassroots_fighter", "kind": "yearly",
                "summary": "Đồng chí có nhiều sáng kiến trong công tác kiểm sát"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let p = body(r).await;
    let id = p["id"].as_str().expect("id").to_owned();
    let html = officer
        .get(&format!("/proposals/{id}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(&format!("/api/v1/proposals/{id}/letter.pdf")));
    let r = officer
        .get(&format!("/api/v1/proposals/{id}/letter.pdf"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdftotext(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("TỜ TRÌNH"), "{flat}");
        assert!(flat.contains("Chiến sĩ thi đua cơ sở"), "{flat}");
        let name = p["person_name"].as_str().expect("name");
        assert!(flat.contains(name), "{name} in {flat}");
        assert!(flat.contains("Kính gửi"), "{flat}");
    }
    let bt = app.demo("lanhdao.bentre").await;
    assert_eq!(
        bt.get(&format!("/api/v1/proposals/{id}/letter.pdf"))
            .await
            .status(),
        403
    );
    assert_eq!(
        officer
            .get("/api/v1/proposals/nope/letter.pdf")
            .await
            .status(),
        404
    );
}
