//! The demo dataset, built from the seed articles: the units, their 2025 lineage, the
//! people the articles name, and one account per role with fixed credentials.

use std::collections::{HashMap, HashSet};

use anyhow::{anyhow, Context, Result};
use thidua_domain::auth::Role;
use thidua_domain::unit::{parse_date, LineageDraft, LineageKind, PersonInput, UnitInput};
use thidua_store::{AuditCtx, NewUser, Store};

mod activities;
pub mod national;
mod records;
mod registrations;
mod scoring;
mod yearend;
pub use activities::load_activities;
pub use records::load_records;
pub use registrations::load_registrations;
pub use scoring::load_scoring;
pub use yearend::load_yearend;

const UNITS: &str = include_str!("../demo/units.csv");
const LINEAGE: &str = include_str!("../demo/lineage.csv");
const PEOPLE: &str = include_str!("../demo/people.csv");
const DEMO_VERSION: &str = "1";
pub const DEMO_PASSWORD: &str = "demo";

/// Demo accounts: (username, display name, role, scope unit code).
pub const ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "Quản trị hệ thống", Role::Admin, None),
    (
        "thuongtruc",
        "Thường trực Hội đồng TĐKT ngành",
        Role::CouncilSecretary,
        Some("VKSTC"),
    ),
    (
        "thuongtruc.angiang",
        "Thường trực Hội đồng TĐKT VKSND tỉnh An Giang",
        Role::CouncilSecretary,
        Some("P-ANGIANG"),
    ),
    (
        "lanhdao.travinh",
        "Nguyễn Văn Tùng",
        Role::UnitLeader,
        Some("P-TRAVINH"),
    ),
    (
        "lanhdao.soctrang",
        "Đinh Gia Hưng",
        Role::UnitLeader,
        Some("P-SOCTRANG"),
    ),
    (
        "canbo.travinh",
        "Cán bộ thi đua VKSND tỉnh Trà Vinh",
        Role::UnitOfficer,
        Some("P-TRAVINH"),
    ),
    (
        "theodoi",
        "Cán bộ theo dõi cụm",
        Role::Follower,
        Some("VKSTC"),
    ),
    ("kiemtra", "Kiểm tra nhật ký", Role::Auditor, None),
    ("xem", "Người xem", Role::Viewer, None),
];

/// The demo account `username` with password "demo", holding `role` over `scope`.
async fn ensure_account(
    store: &Store,
    ctx: &AuditCtx,
    username: &str,
    name: &str,
    role: Role,
    scope: Option<&str>,
    hash: &impl Fn(&str) -> Result<String>,
) -> Result<thidua_store::User> {
    let user = match store.user_by_name(username).await? {
        Some(u) => u,
        None => {
            store
                .create_user(
                    ctx,
                    &NewUser {
                        username: username.into(),
                        display_name: name.into(),
                        password_hash: hash(DEMO_PASSWORD)?,
                        must_change_password: false,
                        lang: "vi".into(),
                        unit_id: scope.map(str::to_owned),
                    },
                )
                .await?
        }
    };
    store.grant(ctx, &user.id, role, scope).await?;
    Ok(user)
}

fn records(src: &str) -> Result<Vec<HashMap<String, String>>> {
    let mut rdr = csv::Reader::from_reader(src.as_bytes());
    let headers = rdr.headers()?.clone();
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r?;
        out.push(
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect(),
        );
    }
    Ok(out)
}

fn opt(m: &HashMap<String, String>, k: &str) -> Option<String> {
    m.get(k)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Load the demo dataset unless this database already has it. Returns whether it loaded.
pub async fn load(store: &Store, hash: impl Fn(&str) -> Result<String> + Copy) -> Result<bool> {
    let units = load_units(store, hash).await?;
    let groups = load_groups(store, hash).await?;
    let documents = crate::demo_docs::load(store).await?;
    let movements = load_movements(store).await?;
    let registrations = load_registrations(store).await?;
    let scoring = load_scoring(store).await?;
    let records = load_records(store).await?;
    let activities = load_activities(store).await?;
    let yearend = load_yearend(store, hash).await?;
    Ok(units
        || groups
        || documents
        || movements
        || registrations
        || scoring
        || records
        || activities
        || yearend)
}

async fn load_units(store: &Store, hash: impl Fn(&str) -> Result<String>) -> Result<bool> {
    if store.meta("demo_version").await?.as_deref() == Some(DEMO_VERSION) {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let units = records(UNITS)?;
    let lineage = records(LINEAGE)?;
    // Units that a lineage event ends or begins get those dates from the event itself.
    let mut ended_by_event = HashSet::new();
    for ev in &lineage {
        for c in opt(ev, "from_codes").unwrap_or_default().split(';') {
            ended_by_event.insert(c.trim().to_owned());
        }
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut pending: Vec<&HashMap<String, String>> = units.iter().collect();
    // Parents first: repeat until every unit whose parent exists is in.
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for u in pending {
            let code = opt(u, "code").ok_or_else(|| anyhow!("unit without code"))?;
            if let Some(existing) = store.unit_by_code(&code).await? {
                ids.insert(code, existing.id);
                continue;
            }
            let parent = opt(u, "parent_code");
            let parent_id = match &parent {
                Some(p) => match ids.get(p) {
                    Some(id) => Some(id.clone()),
                    None => {
                        rest.push(u);
                        continue;
                    }
                },
                None => None,
            };
            let input = UnitInput {
                code: code.clone(),
                kind: opt(u, "kind").unwrap_or_default(),
                name: opt(u, "name").unwrap_or_default(),
                short_name: opt(u, "short_name"),
                parent_id,
                valid_from: opt(u, "valid_from"),
                valid_to: if ended_by_event.contains(&code) {
                    None
                } else {
                    opt(u, "valid_to")
                },
            };
            let draft = input
                .validate()
                .map_err(|e| anyhow!("demo unit {code}: {e:?}"))?;
            let created = store.create_unit(&ctx, &draft).await?;
            ids.insert(code, created.id);
        }
        if rest.len() == before {
            return Err(anyhow!("demo units with unknown parents: {}", rest.len()));
        }
        pending = rest;
    }
    for ev in &lineage {
        let code_ids = |k: &str| -> Result<Vec<String>> {
            opt(ev, k)
                .unwrap_or_default()
                .split(';')
                .map(|c| {
                    ids.get(c.trim())
                        .cloned()
                        .ok_or_else(|| anyhow!("lineage names unknown unit {c}"))
                })
                .collect()
        };
        let draft = LineageDraft {
            kind: LineageKind::parse(&opt(ev, "kind").unwrap_or_default())
                .ok_or_else(|| anyhow!("bad lineage kind"))?,
            date: parse_date(&opt(ev, "date").unwrap_or_default())
                .ok_or_else(|| anyhow!("bad lineage date"))?,
            document: opt(ev, "document").unwrap_or_default(),
            note: opt(ev, "note"),
            from: code_ids("from_codes")?,
            to: code_ids("to_codes")?,
        };
        store
            .record_lineage(&ctx, &draft)
            .await
            .with_context(|| format!("demo lineage {:?}", opt(ev, "to_codes")))?;
    }
    for p in records(PEOPLE)? {
        let code = opt(&p, "unit_code").unwrap_or_default();
        let unit_id = ids
            .get(&code)
            .cloned()
            .ok_or_else(|| anyhow!("person in unknown unit {code}"))?;
        let d = PersonInput {
            full_name: opt(&p, "full_name").unwrap_or_default(),
            position: opt(&p, "position").unwrap_or_default(),
            unit_id,
            valid_from: opt(&p, "valid_from"),
            valid_to: opt(&p, "valid_to"),
        }
        .validate()
        .map_err(|e| anyhow!("demo person: {e:?}"))?;
        store.create_person(&ctx, &d).await?;
    }
    for (username, name, role, scope) in ACCOUNTS {
        let scope_id = scope.and_then(|c| ids.get(c).cloned());
        ensure_account(
            store,
            &ctx,
            username,
            name,
            *role,
            scope_id.as_deref(),
            &hash,
        )
        .await?;
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_version", DEMO_VERSION).await?;
    tx.audit::<(), _>("load", "demo", DEMO_VERSION, None, Some(&"demo dataset"));
    tx.commit().await?;
    Ok(true)
}

/// Add `n` synthetic district units under the provincial procuracies, for benchmarks.
pub async fn bulk_units(store: &Store, n: usize) -> Result<usize> {
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let provinces = store
        .list_units(&thidua_store::UnitQuery {
            kind: Some("provincial".into()),
            page: 1,
            per_page: thidua_store::MAX_PER_PAGE,
            ..Default::default()
        })
        .await?
        .items;
    if provinces.is_empty() {
        return Err(anyhow!("load the demo first"));
    }
    let mut added = 0;
    for i in 0..n {
        let p = &provinces[i % provinces.len()];
        let code = format!("BENCH-{i:05}");
        if store.unit_by_code(&code).await?.is_some() {
            continue;
        }
        let short = p.short_name.clone().unwrap_or_else(|| p.name.clone());
        let d = UnitInput {
            code,
            kind: "district".into(),
            name: format!("Viện kiểm sát nhân dân khu vực {} – {}", i + 1, short),
            parent_id: Some(p.id.clone()),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow!("{e:?}"))?;
        store.create_unit(&ctx, &d).await?;
        added += 1;
    }
    Ok(added)
}

/// More demo accounts: the leaders of the seed clusters' members, so that the cluster 1
/// election can be replayed by its five members and cluster 13 can sign its pact.
pub const LEADERS: &[(&str, &str, &str)] = &[
    (
        "lanhdao.vkscc1",
        "Lãnh đạo VKSND cấp cao tại Hà Nội",
        "VKSCC1",
    ),
    (
        "lanhdao.vkscc2",
        "Lãnh đạo VKSND cấp cao tại Đà Nẵng",
        "VKSCC2",
    ),
    ("lanhdao.vkscc3", "Lê Đức Xuân", "VKSCC3"),
    (
        "lanhdao.hanoi",
        "Lãnh đạo VKSND thành phố Hà Nội",
        "P-HANOI",
    ),
    (
        "lanhdao.hcm",
        "Lãnh đạo VKSND Thành phố Hồ Chí Minh",
        "P-HCM",
    ),
    ("lanhdao.bentre", "Lãnh đạo VKSND tỉnh Bến Tre", "P-BENTRE"),
    (
        "lanhdao.baclieu",
        "Lãnh đạo VKSND tỉnh Bạc Liêu",
        "P-BACLIEU",
    ),
    ("lanhdao.camau", "Lãnh đạo VKSND tỉnh Cà Mau", "P-CAMAU"),
    (
        "lanhdao.kiengiang",
        "Lãnh đạo VKSND tỉnh Kiên Giang",
        "P-KIENGIANG",
    ),
    // Head of An Giang's 2022 cluster 2: sees its compiled registration list.
    ("lanhdao.tanchau", "Nguyễn Kiến Thịnh", "D-ANGIANG-TANCHAU"),
];

const DOCS: &[(&str, &str, &str, &str, &str)] = &[
    // (kind, number, date, issuer, title)
    ("chi_thi", "01/CT-VKSTC", "2023-12-18", "Viện trưởng VKSND tối cao", "Về công tác của ngành Kiểm sát nhân dân năm 2024"),
    ("chi_thi", "02/CT-VKSTC", "2023-12-18", "Viện trưởng VKSND tối cao", "Về phát động phong trào thi đua yêu nước trong ngành Kiểm sát nhân dân năm 2024"),
    ("ke_hoach", "01/KH-VKSTC", "2023-12-19", "VKSND tối cao", "Thực hiện công tác trọng tâm của VKSND tối cao năm 2024"),
    ("huong_dan", "30/HD-VKSTC", "2023-12-29", "VKSND tối cao", "Công tác thi đua, khen thưởng năm 2024"),
    ("huong_dan", "09/HD-VKSTC", "2024-03-01", "VKSND tối cao", "Về tổ chức và hoạt động của các Cụm thi đua, Khối thi đua trong ngành Kiểm sát nhân dân năm 2024"),
    ("ke_hoach", "02/KH-KTĐ4", "2024-03-29", "Khối thi đua số 4 VKSND tối cao", "Về việc tổ chức các hoạt động thi đua năm 2024 của Khối thi đua số 4"),
    ("chi_thi", "34-CT/TW", "2014-04-07", "Bộ Chính trị", "Về tiếp tục đổi mới công tác thi đua, khen thưởng"),
    ("chi_thi", "05-CT/TW", "2016-05-15", "Bộ Chính trị", "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("huong_dan", "15/HD-VKSTC", "2022-01-12", "VKSND tối cao", "Công tác thi đua, khen thưởng năm 2022"),
    ("nghi_quyet", "96/2019/QH14", "2019-11-27", "Quốc hội", "Về công tác phòng, chống tội phạm và vi phạm pháp luật, công tác của Viện kiểm sát nhân dân, Tòa án nhân dân và công tác thi hành án"),
    ("quyet_dinh", "139/QĐ-VKSTC", "2020-04-29", "VKSND tối cao", "Ban hành Hệ thống chỉ tiêu cơ bản đánh giá kết quả công tác nghiệp vụ trong ngành Kiểm sát nhân dân"),
    ("chi_thi", "01/CT-VKSTC", "2021-12-27", "Viện trưởng VKSND tối cao", "Về công tác của ngành Kiểm sát nhân dân năm 2022"),
    ("quyet_dinh", "424/QĐ-VKSTC", "2020-11-25", "Viện trưởng VKSND tối cao", "Ban hành tiêu chí chấm điểm, xếp loại thi đua trong ngành Kiểm sát nhân dân"),
];

/// The seed articles' councils, years, groups, conferences and the cluster 1 election.
pub async fn load_groups(store: &Store, hash: impl Fn(&str) -> Result<String>) -> Result<bool> {
    use thidua_store::{
        BridgePoint, ConferenceDraft, DocumentDraft, ElectionDraft, GroupDraft, Participant,
        YearDraft,
    };
    if store.meta("demo_groups").await?.as_deref() == Some("1") {
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
    let mut leader_ids = HashMap::new();
    for (username, name, code) in LEADERS {
        let uid = unit(code).await?;
        let user = ensure_account(
            store,
            &ctx,
            username,
            name,
            Role::UnitLeader,
            Some(&uid),
            &hash,
        )
        .await?;
        leader_ids.insert(*code, user.id);
    }
    let mut docs = HashMap::new();
    for (kind, number, date, issuer, title) in DOCS {
        let d = match store.document_by_number(number, Some(date)).await? {
            Some(d) => d,
            None => {
                store
                    .create_document(
                        &ctx,
                        &DocumentDraft {
                            kind: (*kind).into(),
                            number: (*number).into(),
                            date: Some((*date).into()),
                            issuer: (*issuer).into(),
                            title: (*title).into(),
                        },
                        None,
                    )
                    .await?
            }
        };
        docs.insert(format!("{number}@{date}"), d.id);
    }
    let doc = |k: &str| {
        docs.get(k)
            .cloned()
            .ok_or_else(|| anyhow!("demo document {k}"))
    };
    let sector = store
        .create_council(
            &ctx,
            &unit("VKSTC").await?,
            "Hội đồng Thi đua – Khen thưởng ngành Kiểm sát nhân dân",
        )
        .await?;
    let angiang = store
        .create_council(
            &ctx,
            &unit("P-ANGIANG").await?,
            "Hội đồng Thi đua – Khen thưởng Viện kiểm sát nhân dân tỉnh An Giang",
        )
        .await?;
    let motto = "Đoàn kết, trách nhiệm – kỷ cương, liêm chính – bản lĩnh, hiệu quả";
    let y2023 = store
        .create_year(
            &ctx,
            &sector.id,
            &YearDraft {
                year: 2023,
                theme: String::new(),
                motto: motto.into(),
                registration_deadline: None,
                self_assessment_deadline: None,
                review_deadline: None,
                document_ids: vec![],
            },
        )
        .await?;
    let y2024 = store
        .create_year(
            &ctx,
            &sector.id,
            &YearDraft {
                year: 2024,
                theme: "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024".into(),
                motto: motto.into(),
                registration_deadline: Some("2024-04-15".into()),
                self_assessment_deadline: Some("2024-11-15".into()),
                review_deadline: Some("2024-12-15".into()),
                document_ids: vec![
                    doc("01/CT-VKSTC@2023-12-18")?,
                    doc("02/CT-VKSTC@2023-12-18")?,
                    doc("30/HD-VKSTC@2023-12-29")?,
                    doc("09/HD-VKSTC@2024-03-01")?,
                ],
            },
        )
        .await?;
    let ag2022 = store
        .create_year(
            &ctx,
            &angiang.id,
            &YearDraft {
                year: 2022,
                theme: "Đoàn kết, trách nhiệm, khát vọng cống hiến, hoàn thành xuất sắc nhiệm vụ năm 2022".into(),
                motto: String::new(),
                registration_deadline: Some("2022-03-15".into()),
                self_assessment_deadline: None,
                review_deadline: None,
                document_ids: vec![doc("15/HD-VKSTC@2022-01-12")?, doc("01/CT-VKSTC@2021-12-27")?, doc("424/QĐ-VKSTC@2020-11-25")?, doc("139/QĐ-VKSTC@2020-04-29")?, doc("96/2019/QH14@2019-11-27")?],
            },
        )
        .await?;
    let members = |codes: &'static [&'static str]| async move {
        let mut v = Vec::new();
        for c in codes {
            v.push(unit(c).await?);
        }
        Ok::<_, anyhow::Error>(v)
    };
    let group = |year: String,
                 kind: &'static str,
                 number: i64,
                 follower: Option<&'static str>,
                 m: Vec<String>,
                 preds: Vec<String>| {
        let ctx = ctx.clone();
        async move {
            store
                .create_group(
                    &ctx,
                    &year,
                    &GroupDraft {
                        kind: kind.into(),
                        number,
                        name: None,
                        follower: follower.map(Into::into),
                        member_ids: m,
                        predecessor_ids: preds,
                    },
                    "active",
                )
                .await
        }
    };
    // 2023: cluster 10 (Trà Vinh's cluster before 13), cluster 8, cluster 1 (deputy: VKSCC3).
    let c10 = group(
        y2023.id.clone(),
        "cluster",
        10,
        None,
        members(&[
            "P-TRAVINH",
            "P-LONGAN",
            "P-TIENGIANG",
            "P-VINHLONG",
            "P-DONGTHAP",
        ])
        .await?,
        vec![],
    )
    .await?;
    store
        .appoint(
            &ctx,
            &c10.id,
            "head",
            &unit("P-DONGTHAP").await?,
            "Theo bài viết về Hội nghị ngày 29/3/2024 của Cụm thi đua số 13",
        )
        .await?;
    let c8 = group(
        y2023.id.clone(),
        "cluster",
        8,
        Some("Phạm Xuân Hồi – Trưởng phòng, Cơ quan điều tra VKSND tối cao"),
        members(&["P-QUANGNGAI", "P-BINHDINH"]).await?,
        vec![],
    )
    .await?;
    store
        .appoint(
            &ctx,
            &c8.id,
            "head",
            &unit("P-QUANGNGAI").await?,
            "Theo bài viết về Hội nghị ký kết giao ước thi đua năm 2023 của Cụm thi đua số 8",
        )
        .await?;
    let c1_2023 = group(
        y2023.id.clone(),
        "cluster",
        1,
        None,
        members(&["VKSCC1", "VKSCC2", "VKSCC3", "P-HANOI", "P-HCM"]).await?,
        vec![],
    )
    .await?;
    store
        .appoint(
            &ctx,
            &c1_2023.id,
            "deputy",
            &unit("VKSCC3").await?,
            "Theo bài viết về Hội nghị ngày 19/3/2024 của Cụm thi đua số 1",
        )
        .await?;
    // 2024: cluster 13 (from cluster 10), block 4, cluster 1.
    let c13 = group(
        y2024.id.clone(),
        "cluster",
        13,
        None,
        members(&[
            "P-TRAVINH",
            "P-SOCTRANG",
            "P-BENTRE",
            "P-BACLIEU",
            "P-CAMAU",
            "P-KIENGIANG",
        ])
        .await?,
        vec![c10.id.clone()],
    )
    .await?;
    let basis = "Hội nghị ký kết giao ước thi đua năm 2024 (29/3/2024)";
    store
        .appoint(&ctx, &c13.id, "head", &unit("P-TRAVINH").await?, basis)
        .await?;
    store
        .appoint(&ctx, &c13.id, "deputy", &unit("P-SOCTRANG").await?, basis)
        .await?;
    let tv = unit("P-TRAVINH").await?;
    store
        .create_conference(
            &ctx,
            &c13.id,
            &ConferenceDraft {
                kind: "pact_signing".into(),
                title: Some("Hội nghị ký kết giao ước thi đua năm 2024".into()),
                starts_at: "2024-03-29T08:00".into(),
                host_unit_id: tv.clone(),
                venue: "Hội trường VKSND tỉnh Trà Vinh".into(),
                mode: "in_person".into(),
                agenda: vec![
                    "Khai mạc – đồng chí Nguyễn Văn Tùng, Viện trưởng VKSND tỉnh Trà Vinh, Cụm trưởng".into(),
                    "Chia tay Cụm thi đua số 10 năm 2023".into(),
                    "Thông qua Kế hoạch phát động phong trào thi đua năm 2024 – đồng chí Nguyễn Thanh Bình".into(),
                    "Thông qua Bản giao ước thi đua năm 2024 của Cụm thi đua số 13 – đồng chí Trần Thị Huyền Trân".into(),
                    "Thảo luận, ký kết giao ước thi đua".into(),
                    "Bế mạc".into(),
                ],
                bridge_points: vec![],
                participants: vec![
                    Participant { name: "Nguyễn Văn Tùng".into(), person_id: None, unit_id: Some(tv.clone()), unit_name: None, role: "Viện trưởng, Cụm trưởng, chủ trì".into() },
                    Participant { name: "Đinh Gia Hưng".into(), person_id: None, unit_id: Some(unit("P-SOCTRANG").await?), unit_name: None, role: "Viện trưởng, Cụm phó".into() },
                    Participant { name: "Lãnh đạo VKSND tỉnh Bến Tre, Bạc Liêu, Cà Mau, Kiên Giang".into(), person_id: None, unit_id: None, unit_name: None, role: "Thành viên".into() },
                    Participant { name: "Đại diện Cụm thi đua số 10 năm 2023 (VKSND tỉnh Vĩnh Long, Đồng Tháp)".into(), person_id: None, unit_id: None, unit_name: None, role: "Khách mời".into() },
                ],
            },
        )
        .await?;
    let b4 = group(
        y2024.id.clone(),
        "block",
        4,
        None,
        members(&["VKSTC-TT", "VKSTC-C2", "VKSTC-V15", "VKSTC-VP", "VKSTC-C3"]).await?,
        vec![],
    )
    .await?;
    let basis4 = "Hội nghị ký kết giao ước thi đua năm 2024 (01/4/2024)";
    store
        .appoint(&ctx, &b4.id, "head", &unit("VKSTC-TT").await?, basis4)
        .await?;
    store
        .appoint(&ctx, &b4.id, "deputy", &unit("VKSTC-C2").await?, basis4)
        .await?;
    store
        .create_conference(
            &ctx,
            &b4.id,
            &ConferenceDraft {
                kind: "pact_signing".into(),
                title: Some("Hội nghị ký kết Giao ước thi đua năm 2024".into()),
                starts_at: "2024-04-01T08:00".into(),
                host_unit_id: unit("VKSTC-TT").await?,
                venue: "Trụ sở VKSND tối cao, Hà Nội".into(),
                mode: "in_person".into(),
                agenda: vec![
                    "Đồng chí Nguyễn Hữu Cảnh, Trưởng phòng 1 Thanh tra VKSND tối cao, trình bày Giao ước thi đua và phát động phong trào thi đua năm 2024".into(),
                    "Thông qua Kế hoạch số 02/KH-KTĐ4 ngày 29/3/2024 và Giao ước thi đua".into(),
                    "Lãnh đạo các đơn vị thành viên ký Giao ước".into(),
                    "Phát biểu của đồng chí Mai Thị Nam, Chánh Thanh tra VKSND tối cao, Khối trưởng".into(),
                ],
                bridge_points: vec![],
                participants: vec![
                    Participant { name: "Mai Thị Nam".into(), person_id: None, unit_id: Some(unit("VKSTC-TT").await?), unit_name: None, role: "Chánh Thanh tra, Khối trưởng".into() },
                    Participant { name: "Đại diện Lãnh đạo Vụ 16".into(), person_id: None, unit_id: Some(unit("VKSTC-V16").await?), unit_name: None, role: "Khách mời".into() },
                ],
            },
        )
        .await?;
    // An Giang 2022: cluster 2 of the provincial council.
    let ag2 = group(
        ag2022.id.clone(),
        "cluster",
        2,
        None,
        members(&[
            "D-ANGIANG-TANCHAU",
            "D-ANGIANG-TRITON",
            "D-ANGIANG-ANPHU",
            "D-ANGIANG-TINHBIEN",
            "D-ANGIANG-CHAUDOC",
        ])
        .await?,
        vec![],
    )
    .await?;
    let basis_ag = "Lễ ký kết giao ước thi đua năm 2022 (22/02/2022)";
    store
        .appoint(
            &ctx,
            &ag2.id,
            "head",
            &unit("D-ANGIANG-TANCHAU").await?,
            basis_ag,
        )
        .await?;
    store
        .appoint(
            &ctx,
            &ag2.id,
            "deputy",
            &unit("D-ANGIANG-TRITON").await?,
            basis_ag,
        )
        .await?;
    store
        .create_conference(
            &ctx,
            &ag2.id,
            &ConferenceDraft {
                kind: "pact_signing".into(),
                title: Some("Lễ ký kết giao ước thi đua năm 2022".into()),
                starts_at: "2022-02-22T08:00".into(),
                host_unit_id: unit("D-ANGIANG-TANCHAU").await?,
                venue: "Viện kiểm sát nhân dân thị xã Tân Châu".into(),
                mode: "in_person".into(),
                agenda: vec![
                    "Đồng chí Trương Thị Thanh Thúy, Cụm phó, trình bày Quy chế thi đua Cụm năm 2022; thống nhất sửa đổi theo tiêu chí chấm điểm của Quyết định 424/QĐ-VKSTC".into(),
                    "Đồng chí Nguyễn Kiến Thịnh, Cụm trưởng, trình bày giao ước thi đua năm 2022".into(),
                    "Thảo luận và ký kết giao ước".into(),
                ],
                bridge_points: vec![],
                participants: vec![],
            },
        )
        .await?;
    // 2024 cluster 1: online conference across 4 bridge points, hosted by last year's deputy,
    // which the members elected head, with the Hà Nội procuracy as deputy (open vote).
    let c1 = group(
        y2024.id.clone(),
        "cluster",
        1,
        None,
        members(&["VKSCC1", "VKSCC2", "VKSCC3", "P-HANOI", "P-HCM"]).await?,
        vec![c1_2023.id.clone()],
    )
    .await?;
    let cc3 = unit("VKSCC3").await?;
    let conf = store
        .create_conference(
            &ctx,
            &c1.id,
            &ConferenceDraft {
                kind: "election".into(),
                title: Some("Hội nghị bầu Cụm trưởng, Cụm phó Cụm thi đua số 1 năm 2024".into()),
                starts_at: "2024-03-19T08:00".into(),
                host_unit_id: cc3.clone(),
                venue: "Trực tuyến".into(),
                mode: "online".into(),
                agenda: vec![
                    "Khai mạc – đồng chí Lê Đức Xuân, Viện trưởng, Chủ tịch Hội đồng TĐKT VKSND cấp cao tại Thành phố Hồ Chí Minh".into(),
                    "Bầu Cụm trưởng, Cụm phó năm 2024 – điều hành: đồng chí Cao Minh Trí, Chánh Văn phòng".into(),
                    "Bế mạc".into(),
                ],
                bridge_points: vec![
                    BridgePoint { unit_id: unit("VKSCC1").await?, unit_name: String::new(), place: "Điểm cầu VKSND cấp cao tại Hà Nội".into() },
                    BridgePoint { unit_id: unit("P-HANOI").await?, unit_name: String::new(), place: "Điểm cầu VKSND thành phố Hà Nội".into() },
                    BridgePoint { unit_id: unit("VKSCC2").await?, unit_name: String::new(), place: "Điểm cầu VKSND cấp cao tại Đà Nẵng".into() },
                    BridgePoint { unit_id: cc3.clone(), unit_name: String::new(), place: "Điểm cầu VKSND cấp cao tại Thành phố Hồ Chí Minh".into() },
                ],
                participants: vec![
                    Participant { name: "Lê Đức Xuân".into(), person_id: None, unit_id: Some(cc3.clone()), unit_name: None, role: "Viện trưởng, chủ trì".into() },
                    Participant { name: "Cao Minh Trí".into(), person_id: None, unit_id: Some(cc3.clone()), unit_name: None, role: "Chánh Văn phòng, điều hành".into() },
                    Participant { name: "Viện trưởng, Chánh Văn phòng và cán bộ làm công tác thi đua, khen thưởng của các đơn vị thành viên".into(), person_id: None, unit_id: None, unit_name: None, role: "Thành viên".into() },
                ],
            },
        )
        .await?;
    for (office, winner) in [("head", "VKSCC3"), ("deputy", "P-HANOI")] {
        let w = unit(winner).await?;
        let e = store
            .open_election(
                &ctx,
                &c1.id,
                &ElectionDraft {
                    office: office.into(),
                    method: "open".into(),
                    candidate_ids: vec![w.clone()],
                    conference_id: Some(conf.id.clone()),
                    rule: None,
                },
                "demo",
            )
            .await?;
        for code in ["VKSCC1", "VKSCC2", "VKSCC3", "P-HANOI", "P-HCM"] {
            let voter = leader_ids
                .get(code)
                .cloned()
                .ok_or_else(|| anyhow!("leader {code}"))?;
            let receipt = format!("DEMO-{}-{}", office.to_uppercase(), code);
            store
                .cast_ballot(&ctx, &e.id, &unit(code).await?, &voter, Some(&w), &receipt)
                .await?;
        }
        store.close_election(&ctx, &e.id, false, "demo").await?;
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_groups", "1").await?;
    tx.commit().await?;
    Ok(true)
}

/// The seed articles' emulation movements (seed 002 lists them with their periods; seeds 000,
/// 001 and 004 cite the 2024 directive launching the sector's yearly movement), their legal
/// basis from the demo documents where one fits, and the demo groups that joined them.
/// The Government level of the two national movements is public knowledge, not in the seeds.
pub async fn load_movements(store: &Store) -> Result<bool> {
    use thidua_domain::movement::MovementInput;
    use thidua_store::Joiner;
    if store.meta("demo_movements").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let council_of = |code: &'static str| async move {
        let unit = store
            .unit_by_code(code)
            .await?
            .ok_or_else(|| anyhow!("demo unit {code} missing"))?;
        store
            .list_councils()
            .await?
            .into_iter()
            .find(|c| c.unit_id == unit.id)
            .ok_or_else(|| anyhow!("demo council of {code} missing"))
    };
    let sector = council_of("VKSTC").await?;
    let angiang = council_of("P-ANGIANG").await?;
    // The demo groups by (council, year, kind, number).
    let mut groups: HashMap<(String, i64, String, i64), String> = HashMap::new();
    for c in [&sector, &angiang] {
        for (year_id, year) in store.years_of(&c.id).await? {
            for g in store.groups_of_year(&year_id).await? {
                groups.insert((c.id.clone(), year, g.kind.clone(), g.number), g.id);
            }
        }
    }
    let group = |c: &thidua_store::Council, year: i64, kind: &str, number: i64| {
        groups
            .get(&(c.id.clone(), year, kind.to_owned(), number))
            .cloned()
            .ok_or_else(|| anyhow!("demo group {kind} {number} of {year} missing"))
    };
    let doc = |number: &'static str, date: &'static str| async move {
        store
            .document_by_number(number, Some(date))
            .await?
            .map(|d| d.id)
            .ok_or_else(|| anyhow!("demo document {number} missing"))
    };
    struct Seed {
        name: &'static str,
        theme: &'static str,
        level: &'static str,
        kind: &'static str,
        from: i64,
        to: i64,
        docs: &'static [(&'static str, &'static str)],
        /// Groups that joined: (council is the sector's?, year, kind, number).
        joined: &'static [(bool, i64, &'static str, i64)],
        close: bool,
    }
    let seeds = [
        Seed {
            name: "Phong trào thi đua yêu nước ngành Kiểm sát nhân dân năm 2022",
            theme: "Đoàn kết, trách nhiệm, khát vọng cống hiến, hoàn thành xuất sắc nhiệm vụ năm 2022",
            level: "sector",
            kind: "regular",
            from: 2022,
            to: 2022,
            docs: &[("01/CT-VKSTC", "2021-12-27"), ("15/HD-VKSTC", "2022-01-12")],
            joined: &[(false, 2022, "cluster", 2)],
            close: true,
        },
        Seed {
            name: "Phong trào thi đua yêu nước ngành Kiểm sát nhân dân năm 2023",
            theme: "",
            level: "sector",
            kind: "regular",
            from: 2023,
            to: 2023,
            docs: &[],
            joined: &[
                (true, 2023, "cluster", 1),
                (true, 2023, "cluster", 8),
                (true, 2023, "cluster", 10),
            ],
            close: true,
        },
        Seed {
            name: "Phong trào thi đua yêu nước ngành Kiểm sát nhân dân năm 2024",
            theme: "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024",
            level: "sector",
            kind: "regular",
            from: 2024,
            to: 2024,
            docs: &[
                ("02/CT-VKSTC", "2023-12-18"),
                ("01/CT-VKSTC", "2023-12-18"),
                ("30/HD-VKSTC", "2023-12-29"),
            ],
            joined: &[
                (true, 2024, "cluster", 13),
                (true, 2024, "block", 4),
                (true, 2024, "cluster", 1),
            ],
            close: false,
        },
        Seed {
            name: "Cán bộ, công chức, viên chức ngành Kiểm sát nhân dân thi đua thực hiện văn hóa công sở",
            theme: "",
            level: "sector",
            kind: "themed",
            from: 2019,
            to: 2025,
            docs: &[],
            joined: &[(true, 2023, "cluster", 8)],
            close: false,
        },
        Seed {
            name: "Cả nước chung sức xây dựng nông thôn mới",
            theme: "",
            level: "government",
            kind: "themed",
            from: 2021,
            to: 2025,
            docs: &[],
            joined: &[(true, 2023, "cluster", 8)],
            close: false,
        },
        Seed {
            name: "Vì người nghèo – Không để ai bị bỏ lại phía sau",
            theme: "",
            level: "government",
            kind: "themed",
            from: 2021,
            to: 2025,
            docs: &[],
            joined: &[(true, 2023, "cluster", 8)],
            close: false,
        },
    ];
    for sd in &seeds {
        let draft = MovementInput {
            name: sd.name.into(),
            theme: Some(sd.theme.into()),
            level: sd.level.into(),
            kind: sd.kind.into(),
            period_from: Some(sd.from.to_string()),
            period_to: Some(sd.to.to_string()),
        }
        .validate()
        .map_err(|e| anyhow!("demo movement {}: {e:?}", sd.name))?;
        let mut docs = Vec::new();
        for (number, date) in sd.docs {
            docs.push(doc(number, date).await?);
        }
        let m = store
            .create_movement(&ctx, &sector.id, &draft, &docs)
            .await?;
        store.set_movement_status(&ctx, &m.id, "active").await?;
        for (in_sector, year, kind, number) in sd.joined {
            let c = if *in_sector { &sector } else { &angiang };
            store
                .join_movement(
                    &ctx,
                    &m.id,
                    &Joiner::Group(group(c, *year, kind, *number)?),
                    None,
                )
                .await?;
        }
        if sd.close {
            store.set_movement_status(&ctx, &m.id, "closed").await?;
        }
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_movements", "1").await?;
    tx.commit().await?;
    Ok(true)
}
