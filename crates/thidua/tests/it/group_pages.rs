//! The pages of councils, years, groups, conferences and elections, as a browser uses them
//! (forms with the CSRF field, redirects, status codes), on SQLite and PostgreSQL.

use crate::common::{spawn_demo, Session, TestApp};
use serde_json::Value;

async fn json(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

async fn html(r: reqwest::Response) -> String {
    r.text().await.expect("text")
}

async fn page(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), 200, "GET {path}");
    html(r).await
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// The receipt shown after voting.
fn receipt_in(page: &str) -> String {
    let start = page
        .find(r#"<p class="receipt" id="receipt">"#)
        .expect("receipt shown")
        + r#"<p class="receipt" id="receipt">"#.len();
    let end = page[start..].find("</p>").expect("end") + start;
    page[start..end].trim().to_owned()
}

#[tokio::test]
async fn the_seed_cases_render_with_their_facts() {
    let app = spawn_demo().await;
    let s = app.demo("xem").await;

    let councils = page(&s, "/groups").await;
    assert!(councils.contains("Hội đồng Thi đua – Khen thưởng ngành Kiểm sát nhân dân"));
    assert!(councils.contains("Năm thi đua 2024"));
    assert!(councils.contains(r#"href="/documents""#));
    // A viewer gets no forms.
    assert!(!councils.contains(r#"action="/councils"#));

    let y24 = s.sector_year(2024).await;
    let year = page(&s, &format!("/years/{y24}")).await;
    for fact in [
        "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024",
        "Đoàn kết, trách nhiệm – kỷ cương, liêm chính – bản lĩnh, hiệu quả",
        "15/04/2024",
        "09/HD-VKSTC",
        "01/03/2024",
        "Cụm thi đua số 13",
        "Khối thi đua số 4",
        "Đơn vị chưa được phân cụm, khối",
    ] {
        assert!(year.contains(fact), "year page lacks {fact}");
    }
    assert!(!year.contains(&format!(r#"action="/years/{y24}/groups""#)));

    // Cluster 13: Trà Vinh heads it; it continues 2023's cluster 10.
    let c13 = s.group(&y24, "cluster", 13).await;
    let tv = app.unit_id("P-TRAVINH").await;
    let c10 = c13["predecessors"][0]["id"]
        .as_str()
        .expect("c10")
        .to_owned();
    let g = page(&s, &format!("/groups/{}", id(&c13))).await;
    assert!(
        g.contains(&format!(
            r#"<dt>Cụm trưởng</dt><dd><a href="/units/{tv}">Viện kiểm sát nhân dân tỉnh Trà Vinh</a>"#
        )),
        "{g}"
    );
    assert!(g.contains("<dt>Cụm phó</dt>"));
    assert!(g.contains("Viện kiểm sát nhân dân tỉnh Sóc Trăng"));
    assert!(g.contains(&format!(
        r#"<a href="/groups/{c10}">2023 – Cụm thi đua số 10</a>"#
    )));
    assert!(g.contains(r#"<strong aria-current="page">2024 – Cụm thi đua số 13</strong>"#));
    assert!(g.contains("29/03/2024 08:00"));
    assert!(g.contains("Hội nghị ký kết giao ước thi đua năm 2024"));
    assert!(
        !g.contains("/elections\""),
        "a viewer cannot open an election"
    );

    // The 2023 cluster 10 page links forward to 2024.
    let g10 = page(&s, &format!("/groups/{c10}")).await;
    assert!(g10.contains(&format!(
        r#"<a href="/groups/{}">2024 – Cụm thi đua số 13</a>"#,
        id(&c13)
    )));

    // Cluster 1's online conference across 4 bridge points, and its minutes for print.
    let c1 = s.group(&y24, "cluster", 1).await;
    let confs = json(
        s.get(&format!("/api/v1/groups/{}/conferences", id(&c1)))
            .await,
    )
    .await;
    let conf = id(&confs[0]);
    let c = page(&s, &format!("/conferences/{conf}")).await;
    assert!(c.contains("<dd>Trực tuyến</dd>"), "{c}");
    assert!(c.contains("Điểm cầu (4)"));
    for place in [
        "Điểm cầu VKSND cấp cao tại Hà Nội",
        "Điểm cầu VKSND thành phố Hà Nội",
        "Điểm cầu VKSND cấp cao tại Đà Nẵng",
        "Điểm cầu VKSND cấp cao tại Thành phố Hồ Chí Minh",
    ] {
        assert!(c.contains(place), "{place}");
    }
    assert!(c.contains("19/03/2024 08:00"));
    assert!(c.contains("được bầu làm Cụm trưởng"));
    assert!(c.contains(&format!(r#"href="/conferences/{conf}/print""#)));
    let print = page(&s, &format!("/conferences/{conf}/print")).await;
    for part in [
        "BIÊN BẢN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CỤM THI ĐUA SỐ 1",
        "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
        "08 giờ 00, ngày 19 tháng 3 năm 2024",
        "THƯ KÝ",
        "CHỦ TỌA",
        "Lê Đức Xuân",
    ] {
        assert!(print.contains(part), "print view lacks {part}");
    }

    // The seed's open votes show each voter next to its choice.
    let es = json(
        s.get(&format!("/api/v1/groups/{}/elections", id(&c1)))
            .await,
    )
    .await;
    let e = page(&s, &format!("/elections/{}", id(&es[0]))).await;
    assert!(e.contains("Biểu quyết công khai"));
    assert!(e.contains("trúng cử với 5/5 phiếu"), "{e}");
    assert!(e.contains("DEMO-HEAD-VKSCC1"));

    // All conferences, and the documents registry searched without diacritics.
    let all = page(&s, "/conferences").await;
    assert!(all.contains("Hội nghị bầu Cụm trưởng, Cụm phó Cụm thi đua số 1 năm 2024"));
    let all_first = all.find("19/03/2024").expect("c1");
    let later = all.find("01/04/2024").expect("b4");
    assert!(later < all_first, "most recent first");
    let docs = page(&s, "/documents?q=cum+thi+dua").await;
    assert!(docs.contains("09/HD-VKSTC"));
    assert!(docs.contains("Hướng dẫn"));
    assert!(!docs.contains(r#"method="post" action="/documents""#));
}

async fn open_secret_via_page(app: &TestApp, host: &Session, gid: &str) -> String {
    let cc3 = app.unit_id("VKSCC3").await;
    let hn = app.unit_id("P-HANOI").await;
    let r = host
        .post_form(
            &format!("/groups/{gid}/elections"),
            &[
                ("office", "head"),
                ("method", "secret"),
                ("candidate_ids", &cc3),
                ("candidate_ids", &hn),
                ("conference_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = location(&r);
    loc.trim_start_matches("/elections/")
        .split('?')
        .next()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn cluster_1_elects_its_head_by_secret_ballot_through_the_pages() {
    let app = spawn_demo().await;
    let host = app.demo("lanhdao.vkscc3").await;
    let y24 = host.sector_year(2024).await;
    let gid = id(&host.group(&y24, "cluster", 1).await);
    let cc3 = app.unit_id("VKSCC3").await;
    let hn = app.unit_id("P-HANOI").await;

    // The form proposes last year's deputy (high-level procuracy 3) as head, not forcing it.
    let g = page(&host, &format!("/groups/{gid}")).await;
    assert!(g.contains(&format!(r#"action="/groups/{gid}/elections""#)));
    assert!(g.contains(&format!(r#"name="candidate_ids" value="{cc3}" checked"#)));
    assert!(!g.contains(&format!(r#"name="candidate_ids" value="{hn}" checked"#)));
    assert!(g.contains("Bỏ phiếu kín"));
    assert!(g.contains("Nhập kết quả kiểm phiếu"));

    let eid = open_secret_via_page(&app, &host, &gid).await;
    let opened = page(&host, &format!("/elections/{eid}?done=opened")).await;
    assert!(opened.contains("Đang bỏ phiếu"));
    assert!(opened.contains("0/5 thành viên đã bỏ phiếu"));

    let mut receipts = Vec::new();
    for (who, choice) in [
        ("lanhdao.vkscc1", &cc3),
        ("lanhdao.vkscc2", &cc3),
        ("lanhdao.vkscc3", &cc3),
        ("lanhdao.hanoi", &hn),
        ("lanhdao.hcm", &cc3),
    ] {
        let s = app.demo(who).await;
        let before = page(&s, &format!("/elections/{eid}")).await;
        assert!(
            before.contains(&format!(r#"action="/elections/{eid}/vote""#)),
            "{who} sees the vote form"
        );
        assert!(before.contains(r#"value="blank""#), "blank ballot offered");
        let r = s
            .post_form(&format!("/elections/{eid}/vote"), &[("choice", choice)])
            .await;
        assert_eq!(r.status(), 200, "{who}");
        let after = html(r).await;
        let rc = receipt_in(&after);
        assert!(
            thidua_domain::election::receipt_is_well_formed(&rc),
            "{who}: {rc}"
        );
        assert!(
            after.contains("Hãy lưu mã biên nhận để tự kiểm tra phiếu của mình sau khi kết thúc")
        );
        // Having voted, the form is gone.
        assert!(!after.contains(&format!(r#"action="/elections/{eid}/vote""#)));
        receipts.push(rc);
    }

    // A second ballot from the same unit is refused, with the reason on the page.
    let again = app.demo("lanhdao.hanoi").await;
    let r = again
        .post_form(&format!("/elections/{eid}/vote"), &[("choice", &cc3)])
        .await;
    assert_eq!(r.status(), 409);
    assert!(html(r)
        .await
        .contains("Đơn vị đã bỏ phiếu trong cuộc bầu này."));

    // A leader of a unit outside the group sees no form and may not vote.
    let outsider = app.demo("lanhdao.travinh").await;
    let p = page(&outsider, &format!("/elections/{eid}")).await;
    assert!(!p.contains(&format!(r#"action="/elections/{eid}/vote""#)));
    assert!(!p.contains(&format!(r#"action="/elections/{eid}/close""#)));
    let r = outsider
        .post_form(&format!("/elections/{eid}/vote"), &[("choice", &cc3)])
        .await;
    assert_eq!(r.status(), 403);

    // Before closing: who voted, but nothing of what they chose.
    let open = page(&host, &format!("/elections/{eid}")).await;
    assert!(open.contains("5/5 thành viên đã bỏ phiếu"));
    assert!(open.contains("<li>Viện kiểm sát nhân dân thành phố Hà Nội</li>"));
    assert!(!open.contains("Danh sách phiếu công bố"));
    for rc in &receipts {
        assert!(!open.contains(rc.as_str()));
    }

    // The host closes it.
    let r = host
        .post_form(&format!("/elections/{eid}/close"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/elections/{eid}?done=closed"));
    let closed = page(&host, &format!("/elections/{eid}")).await;
    assert!(closed.contains("Đã kết thúc"));
    assert!(
        closed.contains(
            "Viện kiểm sát nhân dân cấp cao tại Thành phố Hồ Chí Minh trúng cử với 4/5 phiếu."
        ),
        "{closed}"
    );
    assert_eq!(closed.matches("<td><code>").count(), 5);
    for rc in &receipts {
        assert_eq!(
            closed
                .matches(&format!("<td><code>{rc}</code></td>"))
                .count(),
            1,
            "{rc}"
        );
    }
    assert!(!closed.contains(r#"class="mine""#));
    assert!(closed.contains("Kiểm phiếu lại từ danh sách công bố khớp với kết quả chính thức."));

    // Looking up one receipt (as typed, in lower case) marks its row and only that one.
    let mine = &receipts[3];
    let found = page(
        &host,
        &format!("/elections/{eid}?receipt={}", mine.to_lowercase()),
    )
    .await;
    assert!(found.contains(&format!(
        r#"<tr class="mine" aria-current="true"><td><code>{mine}</code></td>"#
    )));
    assert_eq!(found.matches(r#"class="mine""#).count(), 1);
    assert!(found.contains("Đã tìm thấy phiếu có mã này"));
    let missing = page(
        &host,
        &format!("/elections/{eid}?receipt=AAAA-AAAA-AAAA-AAAA"),
    )
    .await;
    assert!(missing.contains("Không tìm thấy phiếu có mã này."));

    // The group records the elected head and lists the election's result.
    let g = page(&host, &format!("/groups/{gid}")).await;
    assert!(g.contains("Được các thành viên bầu tại hội nghị"));
    assert!(g.contains(&format!(r#"href="/elections/{eid}""#)));
}

#[tokio::test]
async fn closing_below_quorum_says_how_many_more_and_can_close_as_invalid() {
    let app = spawn_demo().await;
    let host = app.demo("lanhdao.vkscc3").await;
    let y24 = host.sector_year(2024).await;
    let gid = id(&host.group(&y24, "cluster", 1).await);
    // Opening without candidates is refused beside the field.
    let r = host
        .post_form(
            &format!("/groups/{gid}/elections"),
            &[("office", "head"), ("method", "secret")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = html(r).await;
    assert!(p.contains(r#"id="elect-candidate_ids-err""#));
    assert!(p.contains("Cần ít nhất một ứng cử."));

    let eid = open_secret_via_page(&app, &host, &gid).await;
    let voter = app.demo("lanhdao.hcm").await;
    let r = voter
        .post_form(&format!("/elections/{eid}/vote"), &[("choice", "blank")])
        .await;
    assert_eq!(r.status(), 200);
    let r = host
        .post_form(&format!("/elections/{eid}/close"), &[])
        .await;
    assert_eq!(r.status(), 409);
    assert!(html(r).await.contains("cần thêm 3 phiếu"));
    let r = host
        .post_form(
            &format!("/elections/{eid}/close"),
            &[("accept_invalid", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let p = page(&host, &format!("/elections/{eid}")).await;
    assert!(p.contains("Không hợp lệ (không đủ số thành viên tham gia)"));
    assert!(p.contains("thiếu 3 phiếu"));
    // The blank ballot is published and recounted.
    assert_eq!(p.matches("<td><code>").count(), 1);
    assert!(p.contains("Phiếu trắng"));
}

#[tokio::test]
async fn a_counted_election_takes_the_count_from_the_room() {
    let app = spawn_demo().await;
    let host = app.demo("lanhdao.vkscc3").await;
    let y24 = host.sector_year(2024).await;
    let gid = id(&host.group(&y24, "cluster", 1).await);
    let hn = app.unit_id("P-HANOI").await;
    let hcm = app.unit_id("P-HCM").await;
    let r = host
        .post_form(
            &format!("/groups/{gid}/elections"),
            &[
                ("office", "deputy"),
                ("method", "counted"),
                ("candidate_ids", &hn),
                ("candidate_ids", &hcm),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let eid = location(&r)
        .trim_start_matches("/elections/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let p = page(&host, &format!("/elections/{eid}")).await;
    assert!(p.contains(&format!(r#"action="/elections/{eid}/count""#)));
    // Members do not vote online in a counted election.
    let leader = app.demo("lanhdao.vkscc1").await;
    assert!(!page(&leader, &format!("/elections/{eid}"))
        .await
        .contains(&format!(r#"action="/elections/{eid}/vote""#)));
    // Too many votes are refused on the page.
    let r = host
        .post_form(
            &format!("/elections/{eid}/count"),
            &[
                (format!("votes-{hn}").as_str(), "4"),
                (format!("votes-{hcm}").as_str(), "2"),
                ("blank", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(html(r).await.contains("Số phiếu không hợp lệ"));
    let r = host
        .post_form(
            &format!("/elections/{eid}/count"),
            &[
                (format!("votes-{hn}").as_str(), "4"),
                (format!("votes-{hcm}").as_str(), "1"),
                ("blank", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = host
        .post_form(&format!("/elections/{eid}/close"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let p = page(&host, &format!("/elections/{eid}")).await;
    assert!(p.contains("trúng cử với 4/5 phiếu"), "{p}");
    assert!(p.contains("(nhập từ kiểm phiếu)"));
}

#[tokio::test]
async fn conferences_are_planned_and_minuted_through_the_pages() {
    let app = spawn_demo().await;
    let host = app.demo("lanhdao.vkscc3").await;
    let y24 = host.sector_year(2024).await;
    let gid = id(&host.group(&y24, "cluster", 1).await);
    let cc3 = app.unit_id("VKSCC3").await;
    let form = page(&host, &format!("/groups/{gid}/conferences/new")).await;
    assert!(form.contains(r#"type="datetime-local""#));
    assert!(form.contains("Ký kết giao ước"));
    assert!(form.contains("Kết hợp"));
    let fields = |when: &'static str| {
        vec![
            ("kind", "mid_year"),
            ("title", "Hội nghị sơ kết 6 tháng đầu năm 2024"),
            ("starts_at", when),
            ("venue", "Trực tuyến"),
            ("mode", "hybrid"),
            ("agenda", "Khai mạc\n\nBáo cáo sơ kết\nBế mạc"),
            ("bridge_points", "VKSCC1 | Điểm cầu Hà Nội\nP-HCM"),
            (
                "participants",
                "Lê Đức Xuân | Viện trưởng, chủ trì\nCao Minh Trí",
            ),
        ]
    };
    // A date outside the group's year is refused beside the field, keeping what was typed.
    let mut f = fields("2023-07-10T08:00");
    f.push(("host_unit_id", &cc3));
    let r = host
        .post_form(&format!("/groups/{gid}/conferences"), &f)
        .await;
    assert_eq!(r.status(), 422);
    let p = html(r).await;
    assert!(p.contains(r#"aria-describedby="conf-starts_at-err""#));
    assert!(p.contains(r#"id="conf-starts_at-err">Ngày không thuộc năm thi đua của cụm, khối."#));
    assert!(p.contains("Hội nghị sơ kết 6 tháng đầu năm 2024"));
    // An unknown unit code in the bridge points.
    let mut f = fields("2024-07-10T08:00");
    f[6] = ("bridge_points", "KHONGCO | x");
    f.push(("host_unit_id", &cc3));
    let r = host
        .post_form(&format!("/groups/{gid}/conferences"), &f)
        .await;
    assert_eq!(r.status(), 422);
    assert!(html(r)
        .await
        .contains("KHONGCO | x: Không tìm thấy đơn vị."));

    let mut f = fields("2024-07-10T08:00");
    f.push(("host_unit_id", &cc3));
    let r = host
        .post_form(&format!("/groups/{gid}/conferences"), &f)
        .await;
    assert_eq!(r.status(), 303);
    let cid = location(&r)
        .trim_start_matches("/conferences/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let c = page(&host, &format!("/conferences/{cid}")).await;
    assert!(c.contains("10/07/2024 08:00"));
    assert!(c.contains("<dd>Kết hợp</dd>"));
    assert!(c.contains("Điểm cầu (2)"));
    assert!(c.contains("Điểm cầu Hà Nội"));
    assert!(c.contains("<li>Báo cáo sơ kết</li>"));
    assert!(c.contains("Cao Minh Trí"));
    // Minutes with the version; a stale version is a conflict.
    let version = {
        let v = json(host.get(&format!("/api/v1/conferences/{cid}")).await).await;
        v["version"].as_i64().expect("version").to_string()
    };
    let r = host
        .post_form(
            &format!("/conferences/{cid}/minutes"),
            &[
                ("minutes", "Hội nghị thống nhất nội dung sơ kết."),
                ("outcome", "Thông qua báo cáo sơ kết."),
                ("status", "held"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = host
        .post_form(
            &format!("/conferences/{cid}/minutes"),
            &[
                ("minutes", "Bản khác"),
                ("outcome", ""),
                ("status", "held"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    let p = html(r).await;
    assert!(p.contains("Người khác đã lưu thay đổi trước bạn"));
    assert!(p.contains("Hội nghị thống nhất nội dung sơ kết."));
    let print = page(&host, &format!("/conferences/{cid}/print")).await;
    assert!(print.contains("Thông qua báo cáo sơ kết."));
    assert!(print.contains("08 giờ 00, ngày 10 tháng 7 năm 2024"));
    // Someone who may not host for any member is refused the form.
    let outsider = app.demo("lanhdao.travinh").await;
    assert_eq!(
        outsider
            .get(&format!("/groups/{gid}/conferences/new"))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn the_secretariat_manages_groups_and_viewers_are_refused() {
    let app = spawn_demo().await;
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let year = page(&sec, &format!("/years/{y24}")).await;
    assert!(year.contains(&format!(r#"action="/years/{y24}/groups""#)));
    assert!(year.contains(&format!(r#"action="/years/{y24}/carry-over""#)));
    let nghean = app.unit_id("P-NGHEAN").await;
    let hatinh = app.unit_id("P-HATINH").await;
    let travinh = app.unit_id("P-TRAVINH").await;
    assert!(year.contains(&format!(r#"name="member_ids" value="{nghean}""#)));
    // A unit already in cluster 13 cannot join a second group: said on the page.
    let r = sec
        .post_form(
            &format!("/years/{y24}/groups"),
            &[
                ("kind", "cluster"),
                ("number", "99"),
                ("member_ids", &travinh),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(html(r).await.contains("đã thuộc Cụm thi đua số 13"));
    let r = sec
        .post_form(
            &format!("/years/{y24}/groups"),
            &[("kind", "cluster"), ("number", "mười")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(html(r)
        .await
        .contains(r#"id="group-number-err">Số không hợp lệ."#));
    let r = sec
        .post_form(
            &format!("/years/{y24}/groups"),
            &[
                ("kind", "cluster"),
                ("number", "99"),
                ("follower", "Nguyễn Văn A – Vụ 16"),
                ("member_ids", &nghean),
                ("member_ids", &hatinh),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let gid = location(&r)
        .trim_start_matches("/groups/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let g = page(&sec, &format!("/groups/{gid}?done=saved")).await;
    assert!(g.contains("Cụm thi đua số 99"));
    assert!(g.contains("Đã lưu."));
    assert!(g.contains("Nguyễn Văn A – Vụ 16"));
    // Appoint the head by decision, then the unit cannot be removed.
    let r = sec
        .post_form(
            &format!("/groups/{gid}/appoint"),
            &[("office", "head"), ("unit_id", &nghean), ("basis", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(html(r).await.contains(r#"id="appoint-basis-err""#));
    let r = sec
        .post_form(
            &format!("/groups/{gid}/appoint"),
            &[
                ("office", "head"),
                ("unit_id", &nghean),
                ("basis", "Quyết định 12/QĐ-HĐTĐKT"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = sec
        .post_form(&format!("/groups/{gid}/members/{nghean}/remove"), &[])
        .await;
    assert_eq!(r.status(), 409);
    assert!(html(r).await.contains("đã có lịch sử"));
    let r = sec
        .post_form(&format!("/groups/{gid}/members/{hatinh}/remove"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let r = sec.post_form(&format!("/groups/{gid}/archive"), &[]).await;
    assert_eq!(r.status(), 303);
    let g = page(&sec, &format!("/groups/{gid}")).await;
    assert!(g.contains("Quyết định 12/QĐ-HĐTĐKT"));
    assert!(g.contains("Đã lưu trữ"));
    // A document for the registry.
    let r = sec
        .post_form(
            "/documents",
            &[
                ("kind", "quyet_dinh"),
                ("number", "12/QĐ-HĐTĐKT"),
                ("date", "2024-05-02"),
                (
                    "issuer",
                    "Hội đồng Thi đua – Khen thưởng ngành Kiểm sát nhân dân",
                ),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(html(r).await.contains(r#"id="doc-title-err""#));

    // A viewer is refused every write.
    let viewer = app.demo("xem").await;
    let r = viewer
        .post_form(
            &format!("/years/{y24}/groups"),
            &[("kind", "cluster"), ("number", "98")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let c1 = id(&viewer.group(&y24, "cluster", 1).await);
    let es = json(viewer.get(&format!("/api/v1/groups/{c1}/elections")).await).await;
    let r = viewer
        .post_form(&format!("/elections/{}/close", id(&es[0])), &[])
        .await;
    assert_eq!(r.status(), 403);
    let open = open_secret_via_page(&app, &app.demo("lanhdao.vkscc3").await, &c1).await;
    let r = viewer
        .post_form(&format!("/elections/{open}/close"), &[])
        .await;
    assert_eq!(r.status(), 403);
    let r = viewer
        .post_form(&format!("/groups/{c1}/archive"), &[])
        .await;
    assert_eq!(r.status(), 403);
    let r = viewer.post_form("/documents", &[("kind", "khac")]).await;
    assert_eq!(r.status(), 403);
    let v = page(&viewer, &format!("/elections/{open}")).await;
    assert!(!v.contains(&format!(r#"action="/elections/{open}/close""#)));
}
