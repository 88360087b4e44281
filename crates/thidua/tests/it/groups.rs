//! Years, groups, conferences and elections through the API, on SQLite and PostgreSQL.

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::{json, Value};

async fn body(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|u| u["code"].as_str().unwrap_or("").to_owned())
        .collect();
    c.sort();
    c
}

#[tokio::test]
async fn the_seed_cases_are_in_the_demo() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;
    let y24 = s.sector_year(2024).await;
    let c13 = s.group(&y24, "cluster", 13).await;
    assert_eq!(
        codes(&c13["members"]),
        [
            "P-BACLIEU",
            "P-BENTRE",
            "P-CAMAU",
            "P-KIENGIANG",
            "P-SOCTRANG",
            "P-TRAVINH"
        ]
    );
    assert_eq!(c13["head"]["code"], "P-TRAVINH");
    assert_eq!(c13["deputy"]["code"], "P-SOCTRANG");
    assert_eq!(c13["predecessors"][0]["number"], 10);
    assert_eq!(c13["predecessors"][0]["year"], 2023);
    let confs = body(
        s.get(&format!(
            "/api/v1/groups/{}/conferences",
            c13["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    assert_eq!(confs[0]["starts_at"], "2024-03-29T08:00");
    assert_eq!(confs[0]["host"]["code"], "P-TRAVINH");
    assert_eq!(confs[0]["venue"], "Hội trường VKSND tỉnh Trà Vinh");
    let b4 = s.group(&y24, "block", 4).await;
    assert_eq!(b4["head"]["code"], "VKSTC-TT");
    assert_eq!(b4["deputy"]["code"], "VKSTC-C2");
    let c1 = s.group(&y24, "cluster", 1).await;
    assert_eq!(c1["head"]["code"], "VKSCC3");
    assert_eq!(c1["deputy"]["code"], "P-HANOI");
    assert_eq!(c1["head_basis"], "election");
    let confs = body(
        s.get(&format!(
            "/api/v1/groups/{}/conferences",
            c1["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    assert_eq!(confs[0]["mode"], "online");
    assert_eq!(confs[0]["bridge_points"].as_array().expect("bp").len(), 4);
    assert_eq!(confs[0]["starts_at"], "2024-03-19T08:00");
    assert!(confs[0]["minutes"]
        .as_str()
        .expect("minutes")
        .contains("được bầu làm Cụm trưởng"));
    let y23 = s.sector_year(2023).await;
    let c8 = s.group(&y23, "cluster", 8).await;
    assert_eq!(c8["head"]["code"], "P-QUANGNGAI");
    assert!(c8["follower"]
        .as_str()
        .expect("follower")
        .contains("Phạm Xuân Hồi"));
    let c1_23 = s.group(&y23, "cluster", 1).await;
    assert_eq!(c1_23["deputy"]["code"], "VKSCC3");
    // The An Giang council's 2022 cluster 2.
    let councils = body(s.get("/api/v1/councils").await).await;
    let ag = councils
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("An Giang"))
        .expect("ag")
        .clone();
    let years = body(
        s.get(&format!(
            "/api/v1/councils/{}/years",
            ag["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    // The demo also closes An Giang's 2023: pick 2022 by its number.
    let ag22 = years
        .as_array()
        .expect("years")
        .iter()
        .find(|y| y["year"] == 2022)
        .expect("2022")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let g2 = s.group(&ag22, "cluster", 2).await;
    assert_eq!(g2["head"]["code"], "D-ANGIANG-TANCHAU");
    assert_eq!(g2["deputy"]["code"], "D-ANGIANG-TRITON");
    assert_eq!(g2["members"].as_array().expect("m").len(), 5);
    let y = body(s.get(&format!("/api/v1/years/{ag22}")).await).await;
    assert!(y["documents"]
        .as_array()
        .expect("docs")
        .iter()
        .any(|d| d["number"] == "424/QĐ-VKSTC"));
    // Timeline across years and the documents registry.
    let tl = body(
        s.get(&format!(
            "/api/v1/groups/{}/timeline",
            c13["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    assert_eq!(tl.as_array().expect("tl").len(), 2);
    let docs = body(s.get("/api/v1/documents?q=09%2FHD").await).await;
    assert_eq!(docs[0]["number"], "09/HD-VKSTC");
}

async fn cluster1(app: &TestApp) -> (Session, Value) {
    let host = app.demo("lanhdao.vkscc3").await;
    let y24 = host.sector_year(2024).await;
    let c1 = host.group(&y24, "cluster", 1).await;
    (host, c1)
}

async fn open_secret(app: &TestApp, host: &Session, c1: &Value) -> Value {
    let gid = c1["id"].as_str().expect("id");
    let r = host
        .post_json(&format!("/api/v1/groups/{gid}/elections"), &json!({"office": "head", "method": "secret", "candidate_ids": [app.unit_id("VKSCC3").await, app.unit_id("P-HANOI").await]}))
        .await;
    assert_eq!(r.status(), 201);
    body(r).await
}

#[tokio::test]
async fn cluster_1_elects_its_head_by_secret_ballot_with_verifiable_receipts() {
    let app = spawn_demo().await;
    let (host, c1) = cluster1(&app).await;
    let e = open_secret(&app, &host, &c1).await;
    let eid = e["id"].as_str().expect("id").to_owned();
    let cc3 = app.unit_id("VKSCC3").await;
    let hn = app.unit_id("P-HANOI").await;
    let mut receipts = Vec::new();
    for (who, choice) in [
        ("lanhdao.vkscc1", &cc3),
        ("lanhdao.vkscc2", &cc3),
        ("lanhdao.vkscc3", &cc3),
        ("lanhdao.hanoi", &hn),
        ("lanhdao.hcm", &cc3),
    ] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{eid}/ballots"),
                &json!({"choice": choice}),
            )
            .await;
        assert_eq!(r.status(), 201, "{who}");
        let rc = body(r).await["receipt"]
            .as_str()
            .expect("receipt")
            .to_owned();
        assert!(thidua_domain::election::receipt_is_well_formed(&rc), "{rc}");
        receipts.push((who, rc, choice.clone()));
    }
    // Before closing, nothing is published.
    assert_eq!(
        host.get(&format!("/api/v1/elections/{eid}/ballots"))
            .await
            .status(),
        409
    );
    let r = host
        .post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let closed = body(r).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["result"]["outcome"]["outcome"], "elected");
    assert_eq!(closed["result"]["outcome"]["votes"], 4);
    // Every member finds its own receipt with its choice; no ballot names its voter.
    let published = body(host.get(&format!("/api/v1/elections/{eid}/ballots")).await).await;
    let list = published.as_array().expect("list");
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|b| b["voter"].is_null()));
    for (who, rc, choice) in &receipts {
        let mine = list
            .iter()
            .find(|b| b["receipt"] == rc.as_str())
            .unwrap_or_else(|| panic!("{who} receipt"));
        assert_eq!(mine["choice"], choice.as_str());
    }
    // Anyone can recompute the tally from the published pairs.
    let pairs: Vec<(String, thidua_domain::election::Choice)> = list
        .iter()
        .map(|b| {
            (
                b["receipt"].as_str().unwrap_or("").to_owned(),
                b["choice"]
                    .as_str()
                    .map_or(thidua_domain::election::Choice::Blank, |c| {
                        thidua_domain::election::Choice::For(c.to_owned())
                    }),
            )
        })
        .collect();
    let recount = thidua_domain::election::recount(&pairs);
    assert_eq!(recount[0].candidate, cc3);
    assert_eq!(recount[0].votes, 4);
    // The audit trail knows who voted but not what they chose.
    let auditor = app.demo("kiemtra").await;
    let a = body(
        auditor
            .get(&format!(
                "/api/v1/audit?entity=election&entity_id={eid}&action=vote"
            ))
            .await,
    )
    .await;
    assert_eq!(a["total"], 5);
    assert!(a["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|r| !r["after"].as_str().unwrap_or("").contains("choice")));
    // A late ballot is refused.
    let late = app.demo("lanhdao.hcm").await;
    let r = late
        .post_json(
            &format!("/api/v1/elections/{eid}/ballots"),
            &json!({"choice": cc3}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // The group records the head.
    let g = body(
        host.get(&format!(
            "/api/v1/groups/{}",
            c1["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    assert_eq!(g["head"]["code"], "VKSCC3");
}

#[tokio::test]
async fn double_outsider_and_parallel_ballots_are_refused() {
    let app = spawn_demo().await;
    let (host, c1) = cluster1(&app).await;
    let e = open_secret(&app, &host, &c1).await;
    let eid = e["id"].as_str().expect("id").to_owned();
    let cc3 = app.unit_id("VKSCC3").await;
    // A unit outside the group.
    let outsider = app.demo("lanhdao.travinh").await;
    let r = outsider
        .post_json(
            &format!("/api/v1/elections/{eid}/ballots"),
            &json!({"choice": cc3}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // An administrator does not vote for a unit.
    let admin = app.demo("admin").await;
    let r = admin
        .post_json(
            &format!("/api/v1/elections/{eid}/ballots"),
            &json!({"choice": cc3, "unit_id": cc3}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // Two ballots from one unit at the same instant: exactly one counts.
    let a = app.demo("lanhdao.hanoi").await;
    let b = app.demo("lanhdao.hanoi").await;
    let path = format!("/api/v1/elections/{eid}/ballots");
    let ba = json!({"choice": cc3});
    let (ra, rb) = tokio::join!(a.post_json(&path, &ba), b.post_json(&path, &ba));
    let mut st = [ra.status().as_u16(), rb.status().as_u16()];
    st.sort();
    assert_eq!(st, [201, 409]);
    let r = a.post_json(&path, &ba).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        body(r).await["title"],
        "Đơn vị đã bỏ phiếu trong cuộc bầu này."
    );
    let e = body(host.get(&format!("/api/v1/elections/{eid}")).await).await;
    assert_eq!(e["voted"].as_array().expect("voted").len(), 1);
    // Closing below quorum is refused and says how many more are needed; nothing changes.
    let r = host
        .post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 409);
    let p = body(r).await;
    assert!(
        p["title"].as_str().expect("t").contains("cần thêm 3 phiếu"),
        "{p}"
    );
    assert_eq!(
        body(host.get(&format!("/api/v1/elections/{eid}")).await).await["status"],
        "open"
    );
    // Or closed as invalid by an explicit choice.
    let r = host
        .post_json(
            &format!("/api/v1/elections/{eid}/close"),
            &json!({"accept_invalid": true}),
        )
        .await;
    assert_eq!(body(r).await["status"], "invalid");
}

#[tokio::test]
async fn a_tie_opens_a_new_round_among_the_tied() {
    let app = spawn_demo().await;
    let (host, c1) = cluster1(&app).await;
    let e = open_secret(&app, &host, &c1).await;
    let eid = e["id"].as_str().expect("id").to_owned();
    let cc3 = app.unit_id("VKSCC3").await;
    let hn = app.unit_id("P-HANOI").await;
    for (who, choice) in [
        ("lanhdao.vkscc1", Some(&cc3)),
        ("lanhdao.vkscc2", Some(&hn)),
        ("lanhdao.vkscc3", Some(&cc3)),
        ("lanhdao.hanoi", Some(&hn)),
        ("lanhdao.hcm", None),
    ] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{eid}/ballots"),
                &json!({"choice": choice}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let closed = body(
        host.post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(closed["result"]["outcome"]["outcome"], "tie");
    let all = body(
        host.get(&format!(
            "/api/v1/groups/{}/elections",
            c1["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    let next = all
        .as_array()
        .expect("e")
        .iter()
        .find(|x| x["previous_id"] == eid.as_str())
        .expect("next round");
    assert_eq!(next["round"], 2);
    assert_eq!(next["status"], "open");
    assert_eq!(next["candidates"].as_array().expect("c").len(), 2);
}

#[tokio::test]
async fn groups_refuse_bad_input_and_outsiders() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    // A unit already in cluster 13 cannot join a second group of the same council and year.
    let r = sec.post_json(&format!("/api/v1/years/{y24}/groups"), &json!({"kind": "cluster", "number": 99, "member_ids": [app.unit_id("P-TRAVINH").await]})).await;
    assert_eq!(r.status(), 409);
    let p = body(r).await;
    assert!(
        p["title"]
            .as_str()
            .expect("t")
            .contains("Cụm thi đua số 13"),
        "{p}"
    );
    assert!(body(sec.get(&format!("/api/v1/years/{y24}/groups")).await)
        .await
        .as_array()
        .expect("g")
        .iter()
        .all(|g| g["number"] != 99));
    // A valid new group; then the checks on conferences and elections.
    let r = sec.post_json(&format!("/api/v1/years/{y24}/groups"), &json!({"kind": "cluster", "number": 99, "member_ids": [app.unit_id("P-NGHEAN").await, app.unit_id("P-HATINH").await]})).await;
    assert_eq!(r.status(), 201);
    let g = body(r).await;
    let gid = g["id"].as_str().expect("id");
    assert_eq!(g["name"], "Cụm thi đua số 99");
    let r = sec.post_json(&format!("/api/v1/groups/{gid}/conferences"), &json!({"kind": "mid_year", "starts_at": "2023-07-01T08:00", "host_unit_id": app.unit_id("P-NGHEAN").await, "venue": "Vinh", "mode": "in_person"})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["key"], "err-date-outside-year");
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "head", "method": "secret", "candidate_ids": []}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = sec.post_json(&format!("/api/v1/groups/{gid}/elections"), &json!({"office": "head", "method": "secret", "candidate_ids": [app.unit_id("P-TRAVINH").await]})).await;
    assert_eq!(r.status(), 422);
    // Without history it can be deleted; cluster 13 (with a conference) cannot.
    let c13 = sec.group(&y24, "cluster", 13).await;
    let r = sec
        .http
        .delete(sec.url(&format!(
            "/api/v1/groups/{}",
            c13["id"].as_str().expect("id")
        )))
        .header("x-csrf-token", &sec.csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 409);
    let r = sec
        .http
        .delete(sec.url(&format!("/api/v1/groups/{gid}")))
        .header("x-csrf-token", &sec.csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 204);
    // Outsiders: a viewer, and the An Giang secretary on the sector's year.
    for who in ["xem", "thuongtruc.angiang", "lanhdao.travinh"] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/years/{y24}/groups"),
                &json!({"kind": "cluster", "number": 98}),
            )
            .await;
        assert_eq!(r.status(), 403, "{who}");
    }
    // Carry over 2023 into a new 2025 year: drafts with predecessors.
    let councils = body(sec.get("/api/v1/councils").await).await;
    let sector = councils
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
        .expect("s")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = sec
        .post_json(
            &format!("/api/v1/councils/{sector}/years"),
            &json!({"year": 2025, "theme": "", "motto": ""}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let y25 = body(r).await["id"].as_str().expect("id").to_owned();
    let r = sec
        .post_json(
            &format!("/api/v1/years/{y25}/carry-over"),
            &json!({"from_year_id": y24}),
        )
        .await;
    assert_eq!(body(r).await["created"], 3);
    let c13_25 = sec.group(&y25, "cluster", 13).await;
    assert_eq!(c13_25["status"], "draft");
    assert_eq!(c13_25["predecessors"][0]["id"], c13["id"]);
    // Its members all ended on 30/6/2025 but were in force in 2025, so they carry over.
    assert_eq!(c13_25["members"].as_array().expect("m").len(), 6);
}

#[tokio::test]
async fn documents_and_conferences_take_files_of_known_kinds_only() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let docs = body(sec.get("/api/v1/documents?q=09%2FHD").await).await;
    let doc = docs[0]["id"].as_str().expect("id").to_owned();
    let put = |s: &Session, path: String, bytes: Vec<u8>| {
        s.http
            .put(s.url(&path))
            .header("x-csrf-token", &s.csrf)
            .body(bytes)
            .send()
    };
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let r = put(
        &sec,
        format!("/api/v1/documents/{doc}/file?name=09-HD-VKSTC.pdf"),
        pdf.clone(),
    )
    .await
    .expect("send");
    assert_eq!(r.status(), 200);
    let file_id = body(r).await["file_id"].as_str().expect("file").to_owned();
    let r = sec.get(&format!("/files/{file_id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("cd")
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), pdf);
    // A script renamed to .pdf, and an oversized file, are refused; nothing changes.
    let r = put(
        &sec,
        format!("/api/v1/documents/{doc}/file?name=x.pdf"),
        b"<script>alert(1)</script>".to_vec(),
    )
    .await
    .expect("send");
    assert_eq!(r.status(), 422);
    assert_eq!(body(r).await["errors"][0]["key"], "err-bad-file-type");
    let mut big = b"%PDF-".to_vec();
    big.resize(11 * 1024 * 1024, b'a');
    let r = put(
        &sec,
        format!("/api/v1/documents/{doc}/file?name=big.pdf"),
        big,
    )
    .await
    .expect("send");
    assert_eq!(r.status(), 413);
    let d = body(sec.get("/api/v1/documents?q=09%2FHD").await).await;
    assert_eq!(d[0]["file_id"], file_id.as_str());
    // A viewer cannot attach.
    let viewer = app.demo("xem").await;
    let r = put(
        &viewer,
        format!("/api/v1/documents/{doc}/file?name=a.pdf"),
        pdf.clone(),
    )
    .await
    .expect("send");
    assert_eq!(r.status(), 403);
    // Conference attachments: the host (Trà Vinh's leader for cluster 13) may, another unit may not.
    let y24 = sec.sector_year(2024).await;
    let c13 = sec.group(&y24, "cluster", 13).await;
    let confs = body(
        sec.get(&format!(
            "/api/v1/groups/{}/conferences",
            c13["id"].as_str().expect("id")
        ))
        .await,
    )
    .await;
    let conf = confs[0]["id"].as_str().expect("id").to_owned();
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let host = app.demo("lanhdao.travinh").await;
    let post = |s: &Session, bytes: Vec<u8>| {
        s.http
            .post(s.url(&format!("/api/v1/conferences/{conf}/files?name=ky-ket.png")))
            .header("x-csrf-token", &s.csrf)
            .body(bytes)
            .send()
    };
    assert_eq!(post(&host, png.clone()).await.expect("send").status(), 201);
    let other = app.demo("lanhdao.hanoi").await;
    assert_eq!(post(&other, png).await.expect("send").status(), 403);
    let files = body(host.get(&format!("/api/v1/conferences/{conf}/files")).await).await;
    assert_eq!(files.as_array().expect("files").len(), 1);
    let html = host
        .get(&format!("/conferences/{conf}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("ky-ket.png"));
}

/// A group's list of elections is loaded in three queries whatever its length; each entry
/// must be the same election as read alone (candidates in order, voters, status).
#[tokio::test]
async fn a_groups_election_list_matches_each_election_read_alone() {
    let app = spawn_demo().await;
    let (host, c1) = cluster1(&app).await;
    let gid = c1["id"].as_str().expect("id").to_owned();
    let before = body(host.get(&format!("/api/v1/groups/{gid}/elections")).await).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let e = open_secret(&app, &host, &c1).await;
        ids.push(e["id"].as_str().expect("id").to_owned());
    }
    let cc3 = app.unit_id("VKSCC3").await;
    for (who, e) in [
        ("lanhdao.hanoi", &ids[1]),
        ("lanhdao.hcm", &ids[1]),
        ("lanhdao.vkscc1", &ids[2]),
    ] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{e}/ballots"),
                &json!({"choice": cc3}),
            )
            .await;
        assert_eq!(r.status(), 201, "{who}");
    }
    let list = body(host.get(&format!("/api/v1/groups/{gid}/elections")).await).await;
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), before.as_array().expect("list").len() + 3);
    for e in list {
        let id = e["id"].as_str().expect("id");
        let alone = body(host.get(&format!("/api/v1/elections/{id}")).await).await;
        assert_eq!(e, &alone, "election {id}");
    }
    let voted = |id: &str| {
        list.iter()
            .find(|e| e["id"] == id)
            .map(|e| e["voted"].as_array().expect("voted").len())
    };
    assert_eq!(voted(&ids[0]), Some(0));
    assert_eq!(voted(&ids[1]), Some(2));
    assert_eq!(voted(&ids[2]), Some(1));
    assert_eq!(
        list.iter()
            .filter(|e| ids.contains(&e["id"].as_str().unwrap_or("").to_owned()))
            .map(|e| e["candidates"][0]["code"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["VKSCC3", "VKSCC3", "VKSCC3"]
    );
}

/// Ballots are narrow writes: they move their group's cache epoch, not the global one, so a
/// ballot does not empty every server's read cache; yet a second server (its own cache) sees
/// each ballot and each other write at once.
#[tokio::test]
async fn a_ballot_moves_only_its_groups_cache_and_a_second_server_sees_every_write() {
    let app = spawn_demo().await;
    let b = app.second_server().await;
    let (host, c1) = cluster1(&app).await;
    let gid = c1["id"].as_str().expect("id").to_owned();
    let e = open_secret(&app, &host, &c1).await;
    let eid = e["id"].as_str().expect("id").to_owned();
    let list = format!("/api/v1/groups/{gid}/elections");
    let voted = |v: &Value| {
        v.as_array()
            .expect("list")
            .iter()
            .find(|x| x["id"] == eid.as_str())
            .map(|x| x["voted"].as_array().expect("voted").len())
    };
    // Server A has read (and cached) the list.
    let before = body(host.get(&list).await).await;
    assert_eq!(voted(&before), Some(0));

    let (seq0, global0) = app.epochs().await;
    // Sign-in and ballot through server B: the chain grows, the global epoch stays.
    let voter = b.demo("lanhdao.hanoi").await;
    let cc3 = app.unit_id("VKSCC3").await;
    let r = voter
        .post_json(
            &format!("/api/v1/elections/{eid}/ballots"),
            &json!({"choice": cc3}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let (seq1, global1) = app.epochs().await;
    assert!(
        seq1 >= seq0 + 2,
        "login and ballot are audited: {seq0} → {seq1}"
    );
    assert_eq!(global1, global0, "narrow writes keep the global epoch");
    // Server A sees the ballot: the group's own epoch moved.
    assert_eq!(voted(&body(host.get(&list).await).await), Some(1));
    assert_eq!(
        voted(&body(voter.get(&list).await).await),
        Some(1),
        "server B too"
    );

    // A global write through B (a new election): A sees it too.
    let host_b = b.demo("lanhdao.vkscc3").await;
    open_secret(&b, &host_b, &c1).await;
    let (seq2, global2) = app.epochs().await;
    assert_eq!(global2, seq2, "any other write moves the global epoch");
    assert_eq!(
        body(host.get(&list).await)
            .await
            .as_array()
            .expect("list")
            .len(),
        before.as_array().expect("list").len() + 1
    );
}

/// Every text and number of every table, as a database reader (a copy of the file, a dump,
/// a backup) sees them.
async fn dump_all_tables(db_url: &str) -> Vec<(String, String)> {
    use sqlx::{Column, Row};
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(db_url)
        .await
        .expect("connect");
    let list = if crate::common::backend() == "postgres" {
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema()"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables: Vec<String> = sqlx::query(list)
        .fetch_all(&mut conn)
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get::<String, _>(0))
        // sqlx's own bookkeeping (its dates do not decode through the Any driver).
        .filter(|t| !t.starts_with("_sqlx"))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let rows = sqlx::query(&format!("SELECT * FROM \"{t}\""))
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        for r in &rows {
            for (i, c) in r.columns().iter().enumerate() {
                let v = r
                    .try_get::<Option<String>, _>(i)
                    .map(|v| v.unwrap_or_default())
                    .or_else(|_| r.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                    .or_else(|_| r.try_get::<Option<f64>, _>(i).map(|v| format!("{v:?}")))
                    .unwrap_or_default();
                out.push((format!("{t}.{}", c.name()), v));
            }
        }
    }
    out
}

/// The receipts of an election's stored ballots in the order the database keeps its rows.
async fn ballots_in_storage_order(db_url: &str, eid: &str) -> Vec<String> {
    use sqlx::Row;
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(db_url)
        .await
        .expect("connect");
    let sql = if crate::common::backend() == "postgres" {
        "SELECT receipt, ctid::text FROM ballots WHERE election_id = $1"
    } else {
        "SELECT receipt, CAST(rowid AS TEXT) FROM ballots WHERE election_id = $1"
    };
    let mut rows: Vec<(Vec<i64>, String)> = sqlx::query(sql)
        .bind(eid)
        .fetch_all(&mut conn)
        .await
        .expect("ballots")
        .iter()
        .map(|r| {
            let pos: String = r.get(1);
            let key = pos
                .trim_matches(|c| c == '(' || c == ')')
                .split(',')
                .map(|n| n.trim().parse::<i64>().unwrap_or(0))
                .collect();
            (key, r.get::<String, _>(0))
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, r)| r).collect()
}

/// Finding 2 of the adversarial review: a reader of the database matched every voter of a
/// secret election to their choice by the order of ballot rows against voter rows, by the
/// voters' times, and by the order of audit rows. Played here as that reader: during the vote
/// no stored byte carries a voter's receipt or a choice (the ballots are sealed under a key
/// kept outside the database); after the count the ballots are stored in the order of their
/// random receipts, so no order, time, id or audit sequence follows the order of voting.
#[tokio::test]
async fn a_database_reader_cannot_tell_how_a_unit_voted_in_a_secret_election() {
    let app = spawn_demo().await;
    let (host, c1) = cluster1(&app).await;
    let e = open_secret(&app, &host, &c1).await;
    let eid = e["id"].as_str().expect("id").to_owned();
    let cc3 = app.unit_id("VKSCC3").await;
    let hn = app.unit_id("P-HANOI").await;
    let mut cast = Vec::new();
    for (who, choice) in [
        ("lanhdao.vkscc1", &hn),
        ("lanhdao.vkscc2", &cc3),
        ("lanhdao.vkscc3", &cc3),
        ("lanhdao.hanoi", &hn),
        ("lanhdao.hcm", &cc3),
    ] {
        let s = app.demo(who).await;
        let r = s
            .post_json(
                &format!("/api/v1/elections/{eid}/ballots"),
                &json!({"choice": choice}),
            )
            .await;
        assert_eq!(r.status(), 201, "{who}");
        let rc = body(r).await["receipt"]
            .as_str()
            .expect("receipt")
            .to_owned();
        cast.push((rc, choice.clone()));
    }
    // During the vote: the reader sees who voted, but no receipt anywhere and no ballot.
    let dump = dump_all_tables(&app.db_url).await;
    for (rc, _) in &cast {
        let hit = dump.iter().find(|(_, v)| v.contains(rc.as_str()));
        assert!(hit.is_none(), "receipt {rc} readable in {:?}", hit);
    }
    let open_ballots = dump
        .iter()
        .filter(|(c, v)| c == "ballots.election_id" && *v == eid)
        .count();
    assert_eq!(
        open_ballots, 0,
        "a ballot is stored in clear during the vote"
    );
    let sealed = dump
        .iter()
        .filter(|(c, v)| c == "sealed_election_ballots.election_id" && *v == eid)
        .count();
    assert_eq!(sealed, 5);
    // A server given another ballot key cannot count them, and the box stays sealed.
    let other = thidua::open_store(&app.db_url).await.expect("store");
    other.set_ballot_key([1; 32]).expect("key");
    assert!(
        other.set_ballot_key([2; 32]).is_err(),
        "a key in use is never replaced"
    );
    let refused = other
        .close_election(&thidua_store::AuditCtx::system(), &eid, false, "system")
        .await;
    assert!(
        format!("{refused:?}").contains("err-ballot-key"),
        "{refused:?}"
    );
    let sealed_after = dump_all_tables(&app.db_url)
        .await
        .iter()
        .filter(|(c, v)| c == "sealed_election_ballots.election_id" && *v == eid)
        .count();
    assert_eq!(sealed_after, 5);
    // The count.
    let r = host
        .post_json(&format!("/api/v1/elections/{eid}/close"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    // After the count: the rows are in the order of their receipts, whatever the order of
    // voting, and the sealed box is empty.
    let stored = ballots_in_storage_order(&app.db_url, &eid).await;
    let mut by_receipt: Vec<String> = cast.iter().map(|(r, _)| r.clone()).collect();
    by_receipt.sort();
    assert_eq!(stored, by_receipt);
    let dump = dump_all_tables(&app.db_url).await;
    assert!(!dump
        .iter()
        .any(|(c, v)| c == "sealed_election_ballots.election_id" && *v == eid));
    // The published ballots still count as cast: each voter finds their own.
    let published = body(host.get(&format!("/api/v1/elections/{eid}/ballots")).await).await;
    for (rc, choice) in &cast {
        let mine = published
            .as_array()
            .expect("list")
            .iter()
            .find(|b| b["receipt"] == rc.as_str())
            .expect("my receipt");
        assert_eq!(mine["choice"], choice.as_str());
    }
}
