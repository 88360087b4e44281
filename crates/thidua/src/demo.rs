//! The demo dataset, built from the seed articles: the units, their 2025 lineage, the
//! people the articles name, and one account per role with fixed credentials.

use std::collections::{HashMap, HashSet};

use anyhow::{anyhow, Context, Result};
use thidua_domain::auth::Role;
use thidua_domain::unit::{parse_date, LineageDraft, LineageKind, PersonInput, UnitInput};
use thidua_store::{AuditCtx, NewUser, Store};

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
pub async fn load(store: &Store, hash: impl Fn(&str) -> Result<String>) -> Result<bool> {
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
        let user = match store.user_by_name(username).await? {
            Some(u) => u,
            None => {
                store
                    .create_user(
                        &ctx,
                        &NewUser {
                            username: (*username).into(),
                            display_name: (*name).into(),
                            password_hash: hash(DEMO_PASSWORD)?,
                            must_change_password: false,
                            lang: "vi".into(),
                            unit_id: scope.and_then(|c| ids.get(c).cloned()),
                        },
                    )
                    .await?
            }
        };
        let scope_id = scope.and_then(|c| ids.get(c).cloned());
        store
            .grant(&ctx, &user.id, *role, scope_id.as_deref())
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
