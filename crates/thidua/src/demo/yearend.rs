//! Demo year end: the 2023 year closed for cluster 8 of the sector council and for cluster 2
//! of the An Giang council — year-end conference, acclaim vote, proposals, the council's
//! vote, decisions and registry rows — so that 2024 eligibility checks have history to read.
//!
//! The seed articles (002: cluster 8, 2023, head Quảng Ngãi, member Bình Định; 003: An
//! Giang cluster 2, head Tân Châu, deputy Tri Tôn) give the groups, not the year's results:
//! every outcome below (votes, proposals, decision numbers, who sits on the councils) is
//! invented and marked "minh họa" in what it writes.

use anyhow::{anyhow, Result};
use thidua_domain::auth::Role;
use thidua_domain::proposal::{Role as By, Step};
use thidua_store::{
    AuditCtx, ConferenceDraft, DecisionDraft, ElectionDraft, ProposalDraft, Store, YearDraft,
};

/// Seats on the councils (illustrative): the sector council's standing office and three
/// high-level procuracies' leaders, one more province; An Giang's standing office and two
/// invented members.
const SECTOR_MEMBERS: &[(&str, &str)] = &[
    ("thuongtruc", "Thường trực Hội đồng (minh họa)"),
    ("lanhdao.vkscc1", "Ủy viên (minh họa)"),
    ("lanhdao.vkscc2", "Ủy viên (minh họa)"),
    ("lanhdao.vkscc3", "Ủy viên (minh họa)"),
    ("lanhdao.hanoi", "Ủy viên (minh họa)"),
];
const ANGIANG_MEMBERS: &[(&str, &str, &str)] = &[
    (
        "hoidong.angiang1",
        "Chủ tịch Hội đồng TĐKT VKSND tỉnh An Giang (minh họa)",
        "Chủ tịch Hội đồng (minh họa)",
    ),
    (
        "hoidong.angiang2",
        "Ủy viên Hội đồng TĐKT VKSND tỉnh An Giang (minh họa)",
        "Ủy viên (minh họa)",
    ),
];

fn receipt() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase()
}

struct Closing<'a> {
    year_id: &'a str,
    group_id: &'a str,
    host: &'a str,
    venue: &'a str,
    title: &'a str,
    /// (unit id, votes) of the acclaim count; the first is acclaimed.
    counts: Vec<(String, i64)>,
    voters: Vec<String>,
}

/// The year-end conference with its acclaim vote (a show of hands), and the sector-flag
/// proposal of the acclaimed unit walked to "voted". Returns the proposal id.
async fn close_group(store: &Store, ctx: &AuditCtx, c: &Closing<'_>) -> Result<String> {
    let conf = store
        .create_conference(
            ctx,
            c.group_id,
            &ConferenceDraft {
                kind: "year_end".into(),
                title: Some(c.title.into()),
                starts_at: "2023-12-15T08:00".into(),
                host_unit_id: c.host.into(),
                venue: c.venue.into(),
                mode: "in_person".into(),
                agenda: vec![
                    "Tổng kết phong trào thi đua năm 2023, xếp hạng các đơn vị (minh họa)".into(),
                    "Bình xét, suy tôn đơn vị dẫn đầu đề nghị tặng Cờ thi đua của ngành (minh họa)"
                        .into(),
                ],
                bridge_points: vec![],
                participants: vec![],
            },
        )
        .await?;
    let e = store
        .open_election(
            ctx,
            c.group_id,
            &ElectionDraft {
                office: "acclaim:sector_flag".into(),
                method: "counted".into(),
                candidate_ids: c.counts.iter().map(|(u, _)| u.clone()).collect(),
                conference_id: Some(conf.id.clone()),
                rule: None,
            },
            "demo",
        )
        .await?;
    store
        .enter_count(ctx, &e.id, &c.counts, 0, &mut receipt)
        .await?;
    store.close_election(ctx, &e.id, false, "demo").await?;
    let acclaimed = &c.counts[0].0;
    let p = store
        .create_proposal(
            ctx,
            &ProposalDraft {
                year_id: c.year_id.into(),
                unit_id: acclaimed.clone(),
                person_id: None,
                title_code: "sector_flag".into(),
                kind: "yearly".into(),
                acclaim_election_id: Some(e.id.clone()),
                summary:
                    "Đơn vị dẫn đầu Cụm, được suy tôn tại Hội nghị tổng kết năm 2023 (minh họa)"
                        .into(),
                achievements: "Hoàn thành xuất sắc các chỉ tiêu nghiệp vụ năm 2023 (minh họa)"
                    .into(),
            },
            "demo",
        )
        .await?;
    walk_to_voted(store, ctx, &p.id, c.voters.as_slice()).await?;
    Ok(p.id)
}

/// Submit, accept, and have every listed member vote yes; count.
async fn walk_to_voted(store: &Store, ctx: &AuditCtx, id: &str, voters: &[String]) -> Result<()> {
    store
        .proposal_step(ctx, id, &Step::Submit, By::Proposer, "demo")
        .await?;
    store
        .proposal_step(ctx, id, &Step::Accept, By::Secretariat, "demo")
        .await?;
    store.open_council_vote(ctx, id, "demo").await?;
    for v in voters {
        store
            .cast_council_ballot(ctx, id, v, "yes", &receipt())
            .await?;
    }
    store.close_council_vote(ctx, id, "demo").await?;
    Ok(())
}

pub async fn load_yearend(
    store: &Store,
    hash: impl Fn(&str) -> Result<String> + Copy,
) -> Result<bool> {
    if store.meta("demo_yearend").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let unit = |code: &'static str| async move {
        store
            .unit_by_code(code)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| anyhow!("demo unit {code} missing"))
    };
    let council_of = |code: &'static str| async move {
        let u = unit(code).await?;
        store
            .list_councils()
            .await?
            .into_iter()
            .find(|c| c.unit_id == u)
            .map(|c| c.id)
            .ok_or_else(|| anyhow!("demo council of {code} missing"))
    };
    let sector = council_of("VKSTC").await?;
    let angiang = council_of("P-ANGIANG").await?;

    let mut sector_voters = Vec::new();
    for (username, position) in SECTOR_MEMBERS {
        let u = store
            .user_by_name(username)
            .await?
            .ok_or_else(|| anyhow!("demo user {username} missing"))?;
        store
            .add_council_member(&ctx, &sector, &u.id, position, "demo")
            .await?;
        sector_voters.push(u.id);
    }
    let mut ag_voters = Vec::new();
    let ag_secretary = store
        .user_by_name("thuongtruc.angiang")
        .await?
        .ok_or_else(|| anyhow!("demo user thuongtruc.angiang missing"))?;
    store
        .add_council_member(
            &ctx,
            &angiang,
            &ag_secretary.id,
            "Thường trực Hội đồng (minh họa)",
            "demo",
        )
        .await?;
    ag_voters.push(ag_secretary.id);
    for (username, name, position) in ANGIANG_MEMBERS {
        let u =
            super::ensure_account(store, &ctx, username, name, Role::Viewer, None, &hash).await?;
        store
            .add_council_member(&ctx, &angiang, &u.id, position, "demo")
            .await?;
        ag_voters.push(u.id);
    }

    // Cluster 8 (2023): Quảng Ngãi acclaimed 2/2, the sector flag decided.
    let y2023 = store
        .year_of(&sector, 2023)
        .await?
        .ok_or_else(|| anyhow!("sector year 2023 missing"))?;
    let c8 = store
        .groups_of_year(&y2023)
        .await?
        .into_iter()
        .find(|g| g.kind == "cluster" && g.number == 8)
        .ok_or_else(|| anyhow!("cluster 8 of 2023 missing"))?;
    let qn = unit("P-QUANGNGAI").await?;
    let bd = unit("P-BINHDINH").await?;
    let qn_flag = close_group(
        store,
        &ctx,
        &Closing {
            year_id: &y2023,
            group_id: &c8.id,
            host: &qn,
            venue: "Viện kiểm sát nhân dân tỉnh Quảng Ngãi",
            title: "Hội nghị tổng kết công tác thi đua năm 2023 Cụm thi đua số 8 (minh họa)",
            counts: vec![(qn.clone(), 2), (bd.clone(), 0)],
            voters: sector_voters.clone(),
        },
    )
    .await?;
    store
        .record_decision(
            &ctx,
            &DecisionDraft {
                council_id: sector.clone(),
                issuer: "Viện trưởng Viện kiểm sát nhân dân tối cao".into(),
                number: "MH-15/QĐ-VKSTC".into(),
                date: "2024-01-12".into(),
                signer: "Viện trưởng VKSND tối cao (minh họa)".into(),
                title: "Tặng Cờ thi đua của ngành Kiểm sát nhân dân năm 2023 (minh họa)".into(),
                proposal_ids: vec![qn_flag],
            },
            None,
            "demo",
        )
        .await?;

    // An Giang cluster 2 (2023, carried over from 2022): Tân Châu acclaimed 5/5 and
    // proposed for the sector flag; every member an Advanced Labour Collective.
    let ag2023 = match store.year_of(&angiang, 2023).await? {
        Some(y) => y,
        None => {
            store
                .create_year(
                    &ctx,
                    &angiang,
                    &YearDraft {
                        year: 2023,
                        theme: String::new(),
                        motto: String::new(),
                        registration_deadline: None,
                        self_assessment_deadline: None,
                        review_deadline: None,
                        document_ids: vec![],
                    },
                )
                .await?
                .id
        }
    };
    let ag2022 = store
        .year_of(&angiang, 2022)
        .await?
        .ok_or_else(|| anyhow!("An Giang year 2022 missing"))?;
    store.carry_over(&ctx, &ag2022, &ag2023).await?;
    let ag2 = store
        .groups_of_year(&ag2023)
        .await?
        .into_iter()
        .find(|g| g.kind == "cluster" && g.number == 2)
        .ok_or_else(|| anyhow!("An Giang cluster 2 of 2023 missing"))?;
    store.set_group_status(&ctx, &ag2.id, "active").await?;
    let tc = unit("D-ANGIANG-TANCHAU").await?;
    let mut counts = vec![(tc.clone(), 5)];
    for m in ag2.members.iter().filter(|m| m.id != tc) {
        counts.push((m.id.clone(), 0));
    }
    let tc_flag = close_group(
        store,
        &ctx,
        &Closing {
            year_id: &ag2023,
            group_id: &ag2.id,
            host: &tc,
            venue: "Viện kiểm sát nhân dân thị xã Tân Châu",
            title: "Hội nghị tổng kết công tác thi đua năm 2023 Cụm thi đua số 2 (minh họa)",
            counts,
            voters: ag_voters.clone(),
        },
    )
    .await?;
    let mut alc = Vec::new();
    for m in &ag2.members {
        let p = store
            .create_proposal(
                &ctx,
                &ProposalDraft {
                    year_id: ag2023.clone(),
                    unit_id: m.id.clone(),
                    person_id: None,
                    title_code: "advanced_labour_collective".into(),
                    kind: "yearly".into(),
                    acclaim_election_id: None,
                    summary: "Hoàn thành tốt nhiệm vụ năm 2023 (minh họa)".into(),
                    achievements: String::new(),
                },
                "demo",
            )
            .await?;
        walk_to_voted(store, &ctx, &p.id, &ag_voters).await?;
        alc.push(p.id);
    }
    store
        .record_decision(
            &ctx,
            &DecisionDraft {
                council_id: angiang.clone(),
                issuer: "Viện trưởng Viện kiểm sát nhân dân tỉnh An Giang".into(),
                number: "MH-05/QĐ-VKS".into(),
                date: "2024-01-08".into(),
                signer: "Viện trưởng VKSND tỉnh An Giang (minh họa)".into(),
                title: "Công nhận danh hiệu Tập thể lao động tiên tiến năm 2023 (minh họa)".into(),
                proposal_ids: alc,
            },
            None,
            "demo",
        )
        .await?;
    store
        .record_decision(
            &ctx,
            &DecisionDraft {
                council_id: angiang.clone(),
                issuer: "Viện trưởng Viện kiểm sát nhân dân tối cao".into(),
                number: "MH-16/QĐ-VKSTC".into(),
                date: "2024-01-12".into(),
                signer: "Viện trưởng VKSND tối cao (minh họa)".into(),
                title: "Tặng Cờ thi đua của ngành Kiểm sát nhân dân năm 2023 (minh họa)".into(),
                proposal_ids: vec![tc_flag],
            },
            None,
            "demo",
        )
        .await?;

    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_yearend", "1").await?;
    tx.commit().await?;
    Ok(true)
}
