//! The awards registry: who reads which part of it (shared by pages and API), the import of
//! the years before the system, certificates, and the year reports of a council.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::routing::get;
use axum::Router;
use serde::Serialize;
use thidua_domain::auth::{Action, Resource, Role};
use thidua_store::{
    award_name, parse_award, AwardTally, BaseSalary, CashMultiple, Council, ImportAward,
    RegistryEntry, AWARD_KINDS, FORMS,
};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, RowIssue};
use crate::i18n::{t, Lang};
use crate::AppState;

/// The unit and every unit below it.
pub async fn subtree(app: &AppState, root: &str) -> AppResult<BTreeSet<String>> {
    let units = app.store.all_units().await?;
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for u in &units {
        if let Some(p) = &u.parent_id {
            children.entry(p.as_str()).or_default().push(u.id.as_str());
        }
    }
    let mut out = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(u) = stack.pop() {
        if out.insert(u.to_owned()) {
            stack.extend(children.get(u).into_iter().flatten());
        }
    }
    Ok(out)
}

/// Whose awards the caller reads: `None` = everyone's (an administrator or an auditor);
/// otherwise the units under the caller's secretariat, leader or officer grants. Others
/// (viewers, followers) are refused: the registry holds people's data.
pub async fn readable_units(app: &AppState, ctx: &Ctx) -> AppResult<Option<BTreeSet<String>>> {
    let p = ctx.user()?;
    if p.actor.is_admin() || ctx.has_role(Role::Auditor) {
        return Ok(None);
    }
    let mut out = BTreeSet::new();
    for g in &p.actor.grants {
        if matches!(
            g.role,
            Role::CouncilSecretary | Role::UnitLeader | Role::UnitOfficer
        ) {
            if let Some(u) = &g.scope_unit {
                out.extend(subtree(app, u).await?);
            }
        }
    }
    if out.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(Some(out))
}

/// A unit's awards: the unit's own leader or officer, a secretariat above it, or an auditor.
/// Unknown unit: 404.
pub async fn may_read_unit(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    app.store.get_unit(unit_id).await?;
    if ctx.has_role(Role::Auditor) {
        return Ok(());
    }
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::ManageRecords, &Resource::unit(&chain))
}

/// Import: a council secretariat (rows only for units under it) or an administrator.
pub fn import_scope(ctx: &Ctx) -> AppResult<Option<Vec<String>>> {
    let p = ctx.user()?;
    if p.actor.is_admin() {
        return Ok(None);
    }
    let roots: Vec<String> = p
        .actor
        .grants
        .iter()
        .filter(|g| g.role == Role::CouncilSecretary)
        .filter_map(|g| g.scope_unit.clone())
        .collect();
    if roots.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(Some(roots))
}

/// A council's reports: its secretariat (or an administrator), or an auditor.
pub async fn may_report(app: &AppState, ctx: &Ctx, council: &Council) -> AppResult<()> {
    ctx.user()?;
    if ctx.has_role(Role::Auditor) {
        return Ok(());
    }
    let chain = app.store.unit_chain(&council.unit_id).await?;
    ctx.may(Action::ManageRegistrations, &Resource::unit(&chain))
}

/// The councils whose reports the caller reads.
pub async fn report_councils(app: &AppState, ctx: &Ctx) -> AppResult<Vec<Council>> {
    let mut out = Vec::new();
    for c in app.store.list_councils().await? {
        if may_report(app, ctx, &c).await.is_ok() {
            out.push(c);
        }
    }
    Ok(out)
}

pub fn kind_label(lang: Lang, kind: &str) -> String {
    t(lang, &format!("regy-kind-{kind}"))
}

/// A kind from its code or its label in either language.
fn parse_kind(s: &Option<String>) -> Option<String> {
    let Some(s) = s.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Some("yearly".into());
    };
    let f = thidua_domain::text::fold(s);
    AWARD_KINDS
        .iter()
        .find(|k| {
            // The label or a telling part of it ("Thường xuyên", "chuyên đề").
            **k == s
                || (f.chars().count() >= 4
                    && [Lang::Vi, Lang::En]
                        .iter()
                        .any(|l| thidua_domain::text::fold(&kind_label(*l, k)).contains(&f)))
        })
        .map(|k| (*k).to_owned())
}

/// The header a field is written under in the registry sheet (row errors name it).
fn header(field: &str) -> &str {
    match field {
        "year" => "Năm",
        "unit" => "Mã đơn vị",
        "person" => "Mã cán bộ",
        "title" => "Danh hiệu, hình thức khen thưởng",
        "kind" => "Loại khen thưởng",
        other => other,
    }
}

fn issue(row: usize, field: &str, key: &str) -> RowIssue {
    RowIssue {
        row,
        column: header(field).to_owned(),
        key: key.to_owned(),
        message_vi: t(Lang::Vi, key),
        message_en: t(Lang::En, key),
    }
}

/// Import registry rows from XLSX or CSV, whole or nothing: file problems, then titles,
/// kinds and years, then units, people, scope and duplicates; every problem names its row.
pub async fn import(app: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<usize> {
    let roots = import_scope(ctx)?;
    let scope = match roots {
        None => None,
        Some(roots) => {
            let mut s = BTreeSet::new();
            for r in roots {
                s.extend(subtree(app, &r).await?);
            }
            Some(s)
        }
    };
    let sheet = thidua_docs::parse_registry(bytes).map_err(crate::imports::file_error)?;
    let mut rows = Vec::with_capacity(sheet.len());
    let mut issues = Vec::new();
    for r in &sheet {
        let year = r.year.trim().parse::<i64>().ok();
        if year.is_none() {
            issues.push(issue(r.row, "year", "err-regy-bad-year"));
        }
        let title = parse_award(&r.title);
        if title.is_none() {
            issues.push(issue(r.row, "title", "err-regy-unknown-title"));
        }
        let kind = parse_kind(&r.kind);
        if kind.is_none() {
            issues.push(issue(r.row, "kind", "err-regy-bad-kind"));
        }
        if let (Some(year), Some(title), Some(kind)) = (year, title, kind) {
            rows.push(ImportAward {
                row: r.row,
                year,
                title_code: title.to_owned(),
                kind,
                unit_code: r.unit_code.clone(),
                person_id: r.person_id.clone(),
                decision_number: r.decision_number.clone(),
                decision_date: r.decision_date.map(|d| d.format("%Y-%m-%d").to_string()),
                issuer: r.issuer.clone(),
                signer: r.signer.clone(),
                note: r.note.clone(),
            });
        }
    }
    if sheet.is_empty() {
        issues.push(issue(0, "", "err-regy-empty"));
    }
    if !issues.is_empty() {
        return Err(AppError::Import(issues));
    }
    match app
        .store
        .import_awards(&ctx.audit(), &rows, scope.as_ref())
        .await?
    {
        Ok(n) => Ok(n),
        Err(errs) => Err(AppError::Import(
            errs.into_iter().map(|(r, c, k)| issue(r, &c, &k)).collect(),
        )),
    }
}

// ---- certificates ----

/// A certificate of one award as PDF: the issuer's letterhead, the heading of the form
/// (BẰNG KHEN, GIẤY KHEN, or the title's certificate), the awardee, the title, the year,
/// the decision and the signer.
pub async fn certificate(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<(String, Vec<u8>)> {
    ctx.user()?;
    let a = app.store.registry_entry(id).await?;
    may_read_unit(app, ctx, &a.unit_id).await?;
    let heading = FORMS
        .iter()
        .find(|f| f.code == a.title_code)
        .map(|f| f.certificate_vi.to_owned())
        .unwrap_or_else(|| "GIẤY CHỨNG NHẬN".to_owned());
    let awardee = match &a.person_name {
        Some(p) => format!("Ông/Bà {p}, {}", a.unit_name),
        None => a.unit_name.clone(),
    };
    let decision = match (&a.decision_number, &a.decision_date) {
        (Some(n), Some(d)) => format!("Số {n} ngày {}", crate::pages::fmt_date(d)),
        (Some(n), None) => format!("Số {n}"),
        (None, Some(d)) => format!("Ngày {}", crate::pages::fmt_date(d)),
        (None, None) => String::new(),
    };
    let issuer = a
        .issuer
        .clone()
        .unwrap_or_else(|| "Viện kiểm sát nhân dân tối cao".to_owned());
    let rows = vec![
        vec!["Tặng".to_owned(), awardee.clone()],
        vec!["Danh hiệu, hình thức".to_owned(), a.title_name.clone()],
        vec!["Năm".to_owned(), a.year.to_string()],
        vec!["Loại khen thưởng".to_owned(), kind_label(Lang::Vi, &a.kind)],
        vec!["Quyết định".to_owned(), decision],
        vec!["Cơ quan ban hành".to_owned(), issuer.clone()],
    ];
    let head = thidua_pdf::Letterhead {
        parent_body: None,
        issuer: issuer.to_uppercase(),
        place: None,
    };
    let signature = thidua_pdf::SignatureBlock {
        unit_name: String::new(),
        position: "THỦ TRƯỞNG CƠ QUAN".to_owned(),
        signer_name: a.signer.clone(),
        note: None,
    };
    let columns = vec![
        thidua_pdf::Column {
            title: "Nội dung".to_owned(),
            width: 0.6,
        },
        thidua_pdf::Column {
            title: "Thông tin".to_owned(),
            width: 1.4,
        },
    ];
    let date = a
        .decision_date
        .as_deref()
        .and_then(thidua_domain::unit::parse_date);
    let number = a.decision_number.clone();
    // The awardee is in the title too: it goes into the PDF's metadata, which readers and
    // tests see without extracting the typeset text.
    let title = format!("{heading} – {awardee}");
    let subtitle = format!("{} – {}", a.title_name, a.year);
    let bytes = tokio::task::spawn_blocking(move || {
        thidua_pdf::render_table(
            &head,
            number.as_deref(),
            date,
            &title,
            Some(&subtitle),
            &columns,
            &rows,
            Some(&signature),
            None,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((format!("chung-nhan-{}-{}.pdf", a.year, a.id), bytes))
}

// ---- reports ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TitleLine {
    pub title_code: String,
    pub title_name: String,
    /// Live registrations of the council year
    pub registered: i64,
    pub awarded: i64,
    /// Awards that had been registered (same unit, person and title)
    pub awarded_registered: i64,
    pub collective: i64,
    pub individual: i64,
    /// Cash, in VND
    pub cash: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountLine {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupLine {
    pub group: String,
    pub title_code: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    pub year: i64,
    pub title_code: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearReport {
    pub council_id: String,
    pub council_name: String,
    pub year: i64,
    pub titles: Vec<TitleLine>,
    pub by_kind: Vec<CountLine>,
    pub by_group: Vec<GroupLine>,
    pub total_registered: i64,
    pub total_awarded: i64,
    pub total_cash: i64,
    /// The ten years up to this one
    pub trend: Vec<TrendPoint>,
    pub base_salaries: Vec<BaseSalary>,
    pub multiples: Vec<CashMultiple>,
}

/// The base salary in force on a day (ISO), if any.
pub fn base_on(bases: &[BaseSalary], day: &str) -> i64 {
    bases
        .iter()
        .filter(|b| b.valid_from.as_str() <= day)
        .max_by(|a, b| a.valid_from.cmp(&b.valid_from))
        .map_or(0, |b| b.amount)
}

/// The multiple (tenths) for a title, awardee kind and year.
pub fn multiple_for(ms: &[CashMultiple], code: &str, individual: bool, year: i64) -> i64 {
    let kind = if individual {
        "individual"
    } else {
        "collective"
    };
    ms.iter()
        .filter(|m| m.title_code == code && m.awardee_kind == kind && m.from_year <= year)
        .max_by_key(|m| m.from_year)
        .map_or(0, |m| m.multiple_tenths)
}

/// Cash of `count` awards: the base salary in force on the decision day (the last day of
/// the year when the decision has no date) times the multiple, rounded down to the đồng.
pub fn cash(
    bases: &[BaseSalary],
    ms: &[CashMultiple],
    code: &str,
    individual: bool,
    year: i64,
    decision_date: Option<&str>,
    count: i64,
) -> i64 {
    let day = decision_date.map_or_else(|| format!("{year}-12-31"), str::to_owned);
    count * base_on(bases, &day) * multiple_for(ms, code, individual, year) / 10
}

/// The year report of a council over its units.
pub async fn year_report(
    app: &AppState,
    ctx: &Ctx,
    council_id: &str,
    year: i64,
) -> AppResult<YearReport> {
    // The trend looks ten years back: a year far outside the calendar would overflow.
    if !(1900..=2200).contains(&year) {
        return Err(AppError::BadRequest("err-bad-request".into()));
    }
    let council = app.store.get_council(council_id).await?;
    may_report(app, ctx, &council).await?;
    let units: Vec<String> = subtree(app, &council.unit_id).await?.into_iter().collect();
    let tallies: Vec<AwardTally> = app.store.award_tallies(year, &units).await?;
    let year_id = app.store.year_of(council_id, year).await?;
    let regs = match &year_id {
        Some(y) => app.store.registration_keys(y, &units).await?,
        None => Vec::new(),
    };
    let awards = app.store.award_keys(year, &units).await?;
    let bases = app.store.base_salaries().await?;
    let ms = app.store.cash_multiples().await?;
    let group_of: HashMap<String, String> = match &year_id {
        Some(y) => app
            .store
            .groups_of_year(y)
            .await?
            .into_iter()
            .flat_map(|g| {
                let name = g.name.clone();
                g.members.into_iter().map(move |m| (m.id, name.clone()))
            })
            .collect(),
        None => HashMap::new(),
    };
    let key = |u: &str, p: &Option<String>, c: &str| (u.to_owned(), p.clone(), c.to_owned());
    let reg_set: BTreeSet<_> = regs
        .iter()
        .map(|r| key(&r.unit_id, &r.person_id, &r.title_code))
        .collect();
    let mut lines: BTreeMap<String, TitleLine> = BTreeMap::new();
    let line = |lines: &mut BTreeMap<String, TitleLine>, code: &str| {
        lines.entry(code.to_owned()).or_insert_with(|| TitleLine {
            title_code: code.to_owned(),
            title_name: award_name(code, ctx.lang == Lang::En)
                .unwrap_or(code)
                .to_owned(),
            registered: 0,
            awarded: 0,
            awarded_registered: 0,
            collective: 0,
            individual: 0,
            cash: 0,
        });
    };
    for r in &regs {
        line(&mut lines, &r.title_code);
        if let Some(l) = lines.get_mut(&r.title_code) {
            l.registered += 1;
        }
    }
    for a in &awards {
        line(&mut lines, &a.title_code);
        if let Some(l) = lines.get_mut(&a.title_code) {
            if reg_set.contains(&key(&a.unit_id, &a.person_id, &a.title_code)) {
                l.awarded_registered += 1;
            }
        }
    }
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_group: BTreeMap<(String, String), i64> = BTreeMap::new();
    for tly in &tallies {
        line(&mut lines, &tly.title_code);
        if let Some(l) = lines.get_mut(&tly.title_code) {
            l.awarded += tly.count;
            if tly.individual {
                l.individual += tly.count;
            } else {
                l.collective += tly.count;
            }
            l.cash += cash(
                &bases,
                &ms,
                &tly.title_code,
                tly.individual,
                year,
                tly.decision_date.as_deref(),
                tly.count,
            );
        }
        *by_kind.entry(tly.kind.clone()).or_default() += tly.count;
        let g = group_of
            .get(&tly.unit_id)
            .cloned()
            .unwrap_or_else(|| t(ctx.lang, "regy-no-group"));
        *by_group.entry((g, tly.title_code.clone())).or_default() += tly.count;
    }
    // Catalogue order, then the forms, as the statistics form lists them.
    let order = thidua_store::award_codes();
    let mut titles: Vec<TitleLine> = lines.into_values().collect();
    titles.sort_by_key(|l| {
        order
            .iter()
            .position(|c| *c == l.title_code)
            .unwrap_or(usize::MAX)
    });
    let trend = app
        .store
        .award_trend(year - 9, year, &units)
        .await?
        .into_iter()
        .map(|(year, title_code, count)| TrendPoint {
            year,
            title_code,
            count,
        })
        .collect();
    Ok(YearReport {
        council_id: council.id.clone(),
        council_name: council.name.clone(),
        year,
        total_registered: titles.iter().map(|l| l.registered).sum(),
        total_awarded: titles.iter().map(|l| l.awarded).sum(),
        total_cash: titles.iter().map(|l| l.cash).sum(),
        titles,
        by_kind: by_kind
            .into_iter()
            .map(|(k, count)| CountLine {
                label: kind_label(ctx.lang, &k),
                key: k,
                count,
            })
            .collect(),
        by_group: by_group
            .into_iter()
            .map(|((group, title_code), count)| GroupLine {
                group,
                title_code,
                count,
            })
            .collect(),
        trend,
        base_salaries: bases,
        multiples: ms,
    })
}

/// Thousands with dots, as Vietnamese amounts are written.
pub fn money(v: i64) -> String {
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The statistics table after the Ministry of Home Affairs' emulation and commendation
/// reporting form: emulation titles (collective, then individual), then forms of
/// commendation, with collectives, individuals, the total and the cash; a total line.
pub fn statistics_table(r: &YearReport) -> (Vec<String>, Vec<Vec<String>>) {
    let cols = [
        "STT",
        "Danh hiệu, hình thức khen thưởng",
        "Tập thể",
        "Cá nhân",
        "Tổng số",
        "Tiền thưởng (đồng)",
    ]
    .map(str::to_owned)
    .to_vec();
    let get = |code: &str| r.titles.iter().find(|l| l.title_code == code);
    let mut rows = Vec::new();
    let line = |n: String, code: &str| {
        let l = get(code);
        let c = l.map_or(0, |l| l.collective);
        let i = l.map_or(0, |l| l.individual);
        vec![
            n,
            award_name(code, false).unwrap_or(code).to_owned(),
            c.to_string(),
            i.to_string(),
            (c + i).to_string(),
            money(l.map_or(0, |l| l.cash)),
        ]
    };
    let section = |n: &str, name: &str| {
        vec![
            n.to_owned(),
            name.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    rows.push(section("I", "DANH HIỆU THI ĐUA"));
    let mut n = 0;
    for t in thidua_domain::titles::CATALOGUE {
        n += 1;
        rows.push(line(n.to_string(), t.code));
    }
    rows.push(section("II", "HÌNH THỨC KHEN THƯỞNG"));
    for (i, f) in FORMS.iter().enumerate() {
        rows.push(line((i + 1).to_string(), f.code));
    }
    let (c, i): (i64, i64) = r
        .titles
        .iter()
        .fold((0, 0), |(c, i), l| (c + l.collective, i + l.individual));
    rows.push(vec![
        String::new(),
        "TỔNG CỘNG".to_owned(),
        c.to_string(),
        i.to_string(),
        (c + i).to_string(),
        money(r.total_cash),
    ]);
    (cols, rows)
}

/// The trend as a bar chart (awards per year), server-rendered SVG. Only numbers are
/// written into it, so it needs no escaping.
pub fn trend_svg(r: &YearReport) -> String {
    let mut per_year: BTreeMap<i64, i64> = (r.year - 9..=r.year).map(|y| (y, 0)).collect();
    for p in &r.trend {
        *per_year.entry(p.year).or_default() += p.count;
    }
    let max = per_year.values().copied().max().unwrap_or(0).max(1);
    let (w, h, pad) = (600i64, 220i64, 30i64);
    let bw = (w - 2 * pad) / per_year.len().max(1) as i64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"trend-title\"><title id=\"trend-title\">{}</title>",
        r.year
    );
    s.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#555\"/>",
        y = h - pad,
        x2 = w - pad
    ));
    for (i, (year, count)) in per_year.iter().enumerate() {
        let bh = (h - 2 * pad) * count / max;
        let x = pad + i as i64 * bw + 4;
        let y = h - pad - bh;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{bh}\" fill=\"#8b1a1a\"><title>{year}: {count}</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{year}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{count}</text>",
            bw - 8,
            x + (bw - 8) / 2,
            h - pad + 14,
            x + (bw - 8) / 2,
            (y - 3).max(10),
        ));
    }
    s.push_str("</svg>");
    s
}

/// The routes of this area (pages and API) except uploads.
pub fn routes() -> Router<AppState> {
    use crate::api::registry as api;
    use crate::pages::registry as pages;
    Router::new()
        .route("/api/v1/registry", get(api::search))
        .route("/api/v1/registry/template.xlsx", get(pages::template))
        .route("/api/v1/registry/report", get(api::report))
        .route("/api/v1/registry/report/export", get(pages::report_export))
        .route("/api/v1/awards/{id}", get(api::entry))
        .route("/api/v1/units/{id}/awards", get(api::unit_awards))
        .route("/api/v1/people/{id}/awards", get(api::person_awards))
        .route(
            "/api/v1/awards/{id}/certificate.pdf",
            get(pages::certificate),
        )
        .route("/registry", get(pages::search))
        .route("/registry/template.xlsx", get(pages::template))
        .route("/registry/report", get(pages::report))
        .route("/registry/report/export", get(pages::report_export))
        .route("/awards/{id}/certificate.pdf", get(pages::certificate))
        .route("/units/{id}/awards", get(pages::unit_history))
        .route("/people/{id}/awards", get(pages::person_history))
}

/// Uploads of this area (they need the larger body limit).
pub fn uploads() -> Router<AppState> {
    use crate::api::registry as api;
    use crate::pages::registry as pages;
    Router::new()
        .route("/api/v1/registry/import", axum::routing::post(api::import))
        .route(
            "/registry/import",
            get(pages::import_form).post(pages::import),
        )
}

/// Entries as shown (kept here so pages and the API agree on labels).
pub fn entry_kind(lang: Lang, e: &RegistryEntry) -> String {
    kind_label(lang, &e.kind)
}
