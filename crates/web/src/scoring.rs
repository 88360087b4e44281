//! Scoring shared by pages and API: who may define schemes, fill in, submit, review and read
//! results, and the results themselves (self, reviewed and final totals, bands, ranks in the
//! group and in the council, last year's total), computed from stored entries by the domain.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use thidua_domain::auth::{Action, Resource, Role};
use thidua_domain::scoring::{Card, Compiled, Points, Ranked};
use thidua_store::{Assessment, Group, SchemeRecord};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::groups as group_rules;
use crate::AppState;

/// Schemes, their status, council-stage review: the council's secretariat.
pub async fn may_manage(app: &AppState, ctx: &Ctx, year_id: &str) -> AppResult<()> {
    ctx.user()?;
    let y = app.store.get_year(year_id).await?;
    let c = app.store.get_council(&y.council_id).await?;
    group_rules::may_manage(app, ctx, &c.unit_id).await
}

/// Fill in the unit's draft: its leader or emulation officer (or an administrator).
pub async fn may_enter(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::EnterScores, &Resource::unit(&chain))
}

/// Submit: the unit's leader.
pub async fn may_submit(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::SubmitScores, &Resource::unit(&chain))
}

/// The group of a unit in a council year.
pub async fn group_of(app: &AppState, year_id: &str, unit_id: &str) -> AppResult<Option<Group>> {
    Ok(app
        .store
        .groups_of_year(year_id)
        .await?
        .into_iter()
        .find(|g| g.members.iter().any(|m| m.id == unit_id)))
}

/// The review stage this user may adjust at for a unit: "council" for the secretariat,
/// "group" for the leader of the head (or deputy) unit of the unit's group and, when the
/// group cross-checks, for the leaders of its other members.
///
/// Never for the unit's own people: whoever holds a unit role (leader or officer) in the unit
/// itself does not review its assessment, whatever office the unit holds in the group. The
/// head and deputy units review through their leaders only: their officers enter their own
/// unit's scores but do not judge the others' (docs/security.md).
pub async fn review_stage(
    app: &AppState,
    ctx: &Ctx,
    scheme: &SchemeRecord,
    unit_id: &str,
) -> AppResult<&'static str> {
    let p = ctx.user()?;
    let own = p.actor.grants.iter().any(|g| {
        matches!(g.role, Role::UnitLeader | Role::UnitOfficer)
            && g.scope_unit.as_deref() == Some(unit_id)
    });
    if own {
        return Err(AppError::Forbidden);
    }
    if may_manage(app, ctx, &scheme.year_id).await.is_ok() {
        return Ok("council");
    }
    if let Some(g) = group_of(app, &scheme.year_id, unit_id).await? {
        for office in g.head.iter().chain(g.deputy.iter()) {
            if office.id != unit_id && leads(app, ctx, &office.id).await? {
                return Ok("group");
            }
        }
        if g.cross_check && !leads(app, ctx, unit_id).await? {
            for m in g.members.iter().filter(|m| m.id != unit_id) {
                if leads(app, ctx, &m.id).await? {
                    return Ok("group");
                }
            }
        }
    }
    Err(AppError::Forbidden)
}

/// Does the user lead this unit (may submit its scores)?
async fn leads(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<bool> {
    let chain = app.store.unit_chain(unit_id).await?;
    Ok(ctx.can(Action::SubmitScores, &Resource::unit(&chain)))
}

/// A cross-checking group's member leader: reviews the others, so reads the group's ranking.
async fn cross_checker(app: &AppState, ctx: &Ctx, g: &Group) -> AppResult<bool> {
    if !g.cross_check {
        return Ok(false);
    }
    for m in &g.members {
        if leads(app, ctx, &m.id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Does any of the user's grants cover one of these units (or everything)?
async fn covers_any(app: &AppState, ctx: &Ctx, units: &[String]) -> AppResult<bool> {
    let p = ctx.user()?;
    if p.actor.grants.iter().any(|g| g.scope_unit.is_none()) {
        return Ok(true);
    }
    for u in units {
        let chain = app.store.unit_chain(u).await?;
        if p.actor
            .grants
            .iter()
            .any(|g| g.scope_unit.as_ref().is_some_and(|s| chain.contains(s)))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A group's ranking: before publication its reviewers and the secretariat; after, everyone
/// whose grants cover a member of the group.
pub async fn may_read_group(
    app: &AppState,
    ctx: &Ctx,
    scheme: &SchemeRecord,
    g: &Group,
) -> AppResult<()> {
    ctx.user()?;
    if may_manage(app, ctx, &scheme.year_id).await.is_ok()
        || group_rules::may_run_election(app, ctx, &g.id, None)
            .await
            .is_ok()
        || cross_checker(app, ctx, g).await?
    {
        return Ok(());
    }
    let members: Vec<String> = g.members.iter().map(|m| m.id.clone()).collect();
    if scheme.status == "published" && covers_any(app, ctx, &members).await? {
        return Ok(());
    }
    Err(AppError::Forbidden)
}

/// One unit's assessment: whoever fills it in, its reviewers, the secretariat, and after
/// publication the members of its group.
pub async fn may_read_unit(
    app: &AppState,
    ctx: &Ctx,
    scheme: &SchemeRecord,
    unit_id: &str,
) -> AppResult<()> {
    ctx.user()?;
    if may_enter(app, ctx, unit_id).await.is_ok()
        || review_stage(app, ctx, scheme, unit_id).await.is_ok()
    {
        return Ok(());
    }
    if let Some(g) = group_of(app, &scheme.year_id, unit_id).await? {
        return may_read_group(app, ctx, scheme, &g).await;
    }
    Err(AppError::Forbidden)
}

/// A unit's scores under a scheme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitResult {
    pub unit_id: String,
    pub unit_code: String,
    pub unit_name: String,
    pub assessment_id: Option<String>,
    /// none, draft or submitted
    pub status: String,
    #[schema(value_type = f64)]
    pub self_total: Points,
    /// After the reviewers' adjustments (equal to the self total when none).
    #[schema(value_type = f64)]
    pub final_total: Points,
    #[schema(value_type = Vec<f64>)]
    pub self_sections: Vec<Points>,
    #[schema(value_type = Vec<f64>)]
    pub final_sections: Vec<Points>,
    #[schema(value_type = f64)]
    pub bonus: Points,
    #[schema(value_type = f64)]
    pub deduction: Points,
    /// The band's key and label, e.g. "excellent" / "Hoàn thành xuất sắc nhiệm vụ".
    pub band_key: Option<String>,
    pub band_label: Option<String>,
    /// Position among the submitted assessments of the group (1 = first).
    pub group_rank: Option<usize>,
    /// Position among all submitted assessments under the scheme.
    pub council_rank: Option<usize>,
    /// Equal with the one before on every rule; only the unit order separated them.
    pub tied: bool,
    pub adjustments: usize,
    /// Leaves not filled in.
    pub missing: usize,
    /// Last year's final total under the same council's scheme for this kind of unit.
    #[schema(value_type = Option<f64>)]
    pub previous_total: Option<Points>,
}

/// Self and final cards of an assessment.
pub fn cards(c: &Compiled, a: &Assessment) -> (Card, Card) {
    let own = c.leaf_points(&a.input);
    let self_card = c.card(&own);
    let adjusted = a.adjusted();
    let mut fin = own;
    for (i, l) in c.leaves.iter().enumerate() {
        if let Some(p) = adjusted.get(l.code.as_str()) {
            fin[i] = Some(*p);
        }
    }
    (self_card, c.card(&fin))
}

/// Results of every assessment under a scheme, with council ranks, and each one's final card
/// (both by assessment); `group_rank` is filled by [`group_results`].
fn scheme_results(
    scheme: &SchemeRecord,
    assessments: &[Assessment],
) -> (Vec<UnitResult>, Vec<Card>) {
    let c = &scheme.compiled;
    let computed: Vec<(Card, Card)> = assessments.iter().map(|a| cards(c, a)).collect();
    let submitted: Vec<usize> = (0..assessments.len())
        .filter(|&i| assessments[i].status == "submitted")
        .collect();
    let refs: Vec<&Card> = submitted.iter().map(|&i| &computed[i].1).collect();
    let ranks: BTreeMap<usize, Ranked> = submitted.iter().copied().zip(c.rank(&refs)).collect();
    assessments
        .iter()
        .zip(computed)
        .enumerate()
        .map(|(i, (a, (s, f)))| {
            let band = f.band.map(|b| &c.scheme.bands[b]);
            let row = UnitResult {
                unit_id: a.unit_id.clone(),
                unit_code: a.unit_code.clone(),
                unit_name: a.unit_name.clone(),
                assessment_id: Some(a.id.clone()),
                status: a.status.clone(),
                self_total: s.total,
                final_total: f.total,
                self_sections: s.sections.clone(),
                final_sections: f.sections.clone(),
                bonus: f.bonus,
                deduction: f.deduction,
                band_key: band.map(|b| b.key.clone()),
                band_label: band.map(|b| b.label.clone()),
                group_rank: None,
                council_rank: ranks.get(&i).map(|r| r.position),
                tied: false,
                adjustments: a.adjustments.len(),
                missing: f.missing.len(),
                previous_total: None,
            };
            (row, f)
        })
        .unzip()
}

/// Final totals of last year's scheme for the same council and kind of unit, by unit id.
pub async fn previous_totals(
    app: &AppState,
    scheme: &SchemeRecord,
) -> AppResult<BTreeMap<String, Points>> {
    let years = app.store.years_of(&scheme.council_id).await?;
    let Some((prev_year, _)) = years.iter().find(|(_, y)| *y == scheme.year - 1) else {
        return Ok(BTreeMap::new());
    };
    let Some(prev) = app.store.scheme_for(prev_year, &scheme.unit_kind).await? else {
        return Ok(BTreeMap::new());
    };
    Ok(results_of(app, &prev)
        .await?
        .rows
        .iter()
        .filter(|r| r.status == "submitted")
        .map(|r| (r.unit_id.clone(), r.final_total))
        .collect())
}

/// A scheme's assessments and their results (council ranks, final cards), computed once
/// per state of the scheme and its assessments and shared by every ranking read after.
pub struct SchemeResults {
    pub assessments: Arc<Vec<Assessment>>,
    /// By assessment, with council ranks.
    pub rows: Vec<UnitResult>,
    /// Each assessment's final card, by assessment.
    finals: Vec<Card>,
}

pub async fn results_of(app: &AppState, s: &SchemeRecord) -> AppResult<Arc<SchemeResults>> {
    let a = app.store.assessments(&s.id).await?;
    // Tagged like the assessments (the scheme's scope and the global epoch, which every
    // change of the scheme itself moves).
    let scope = format!("scheme:{}", s.id);
    Ok(app
        .store
        .cached_in(&[&scope], format!("results:{}", s.id), || async move {
            let (rows, finals) = scheme_results(s, &a);
            Ok(Arc::new(SchemeResults {
                rows,
                finals,
                assessments: a,
            }))
        })
        .await?)
}

/// The group's table: every member (those without an assessment too), ranked within the
/// group by the scheme's rules, ranked first.
pub async fn group_results(
    app: &AppState,
    scheme: &SchemeRecord,
    g: &Group,
) -> AppResult<Vec<UnitResult>> {
    let res = results_of(app, scheme).await?;
    let prev = previous_totals(app, scheme).await?;
    rank_group(scheme, g, &res, &prev)
}

/// The group's table from the scheme's results computed once (the council's table ranks
/// every group from the same results).
fn rank_group(
    scheme: &SchemeRecord,
    g: &Group,
    res: &SchemeResults,
    prev: &BTreeMap<String, Points>,
) -> AppResult<Vec<UnitResult>> {
    let c = &scheme.compiled;
    let results = &res.rows;
    let mut rows: Vec<UnitResult> = g
        .members
        .iter()
        .map(|m| {
            results
                .iter()
                .find(|r| r.unit_id == m.id)
                .cloned()
                .unwrap_or_else(|| UnitResult {
                    unit_id: m.id.clone(),
                    unit_code: m.code.clone(),
                    unit_name: m.name.clone(),
                    assessment_id: None,
                    status: "none".into(),
                    self_total: Points::ZERO,
                    final_total: Points::ZERO,
                    self_sections: vec![Points::ZERO; c.sections.len()],
                    final_sections: vec![Points::ZERO; c.sections.len()],
                    bonus: Points::ZERO,
                    deduction: Points::ZERO,
                    band_key: None,
                    band_label: None,
                    group_rank: None,
                    council_rank: None,
                    tied: false,
                    adjustments: 0,
                    missing: c.leaves.len(),
                    previous_total: None,
                })
        })
        .collect();
    for r in &mut rows {
        r.previous_total = prev.get(&r.unit_id).copied();
    }
    // Rank the group's submitted assessments among themselves.
    let idx: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].status == "submitted")
        .collect();
    let refs: Vec<&Card> = idx
        .iter()
        .map(|&i| {
            res.assessments
                .iter()
                .position(|a| a.unit_id == rows[i].unit_id)
                .map(|k| &res.finals[k])
                .ok_or(AppError::NotFound)
        })
        .collect::<AppResult<_>>()?;
    for (&i, r) in idx.iter().zip(c.rank(&refs)) {
        rows[i].group_rank = Some(r.position);
        rows[i].tied = r.tied;
    }
    rows.sort_by_key(|r| r.group_rank.unwrap_or(usize::MAX));
    Ok(rows)
}

/// The scheme that applies to a group: the one for its members' kind of unit.
pub async fn scheme_of_group(app: &AppState, g: &Group) -> AppResult<SchemeRecord> {
    let first = g.members.first().ok_or(AppError::NotFound)?;
    let unit = app.store.get_unit(&first.id).await?;
    app.store
        .scheme_for(&g.year_id, &unit.kind)
        .await?
        .ok_or(AppError::NotFound)
}

/// An SVG bar chart of one unit's section scores against the group's average, each as a
/// share of the section's maximum. Rendered by the server: no script, prints as it shows.
pub fn section_chart(
    c: &Compiled,
    unit: &UnitResult,
    group: &[UnitResult],
    unit_label: &str,
    avg_label: &str,
) -> String {
    let n = c.sections.len().max(1);
    let (w, row_h, left) = (640usize, 34usize, 150usize);
    let h = n * row_h + 40;
    let scored: Vec<&UnitResult> = group.iter().filter(|r| r.status == "submitted").collect();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"chart\" aria-label=\"{}\">",
        esc(unit_label)
    );
    let bar_w = (w - left - 60) as f64;
    for (i, (code, title, max)) in c.sections.iter().enumerate() {
        let y = i * row_h + 6;
        let share = |p: Points| {
            if max.0 <= 0 {
                0.0
            } else {
                (p.0 as f64 / max.0 as f64).clamp(0.0, 1.2)
            }
        };
        let own = share(unit.final_sections.get(i).copied().unwrap_or_default());
        let avg = if scored.is_empty() {
            0.0
        } else {
            scored
                .iter()
                .map(|r| share(r.final_sections.get(i).copied().unwrap_or_default()))
                .sum::<f64>()
                / scored.len() as f64
        };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\"><title>{}</title>{}</text>",
            y + 14,
            esc(title),
            esc(code)
        ));
        s.push_str(&format!(
            "<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"12\" fill=\"#1f5fa8\"><title>{}: {:.1}%</title></rect>",
            own * bar_w,
            esc(unit_label),
            own * 100.0
        ));
        s.push_str(&format!(
            "<rect x=\"{left}\" y=\"{}\" width=\"{:.1}\" height=\"8\" fill=\"#b9c7d8\"><title>{}: {:.1}%</title></rect>",
            y + 14,
            avg * bar_w,
            esc(avg_label),
            avg * 100.0
        ));
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{:.0}%</text>",
            left as f64 + own * bar_w + 4.0,
            y + 11,
            own * 100.0
        ));
    }
    let ly = n * row_h + 20;
    s.push_str(&format!(
        "<rect x=\"{left}\" y=\"{ly}\" width=\"12\" height=\"10\" fill=\"#1f5fa8\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
        left + 16,
        ly + 9,
        esc(unit_label)
    ));
    s.push_str(&format!(
        "<rect x=\"{}\" y=\"{ly}\" width=\"12\" height=\"10\" fill=\"#b9c7d8\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text></svg>",
        left + 260,
        left + 276,
        ly + 9,
        esc(avg_label)
    ));
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A ranking as a list of headings and text rows, shared by the XLSX/CSV and PDF exports so
/// both print what the page shows. `in_group`: the first column is the rank in the group and a
/// column gives the rank in the council; otherwise the council rank comes first.
pub fn ranking_table(
    c: &Compiled,
    rows: &[UnitResult],
    lang: crate::i18n::Lang,
    in_group: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let t = |k: &str| crate::i18n::t(lang, k);
    let mut cols = vec![t("score-rank"), t("score-unit")];
    cols.extend(c.sections.iter().map(|(code, _, _)| code.clone()));
    cols.extend([
        t("score-bonus"),
        t("score-deduction"),
        t("score-self"),
        t("score-final"),
        t("score-band"),
    ]);
    if in_group {
        cols.push(t("score-council-rank"));
    }
    cols.extend([t("score-previous"), t("score-adjustments")]);
    let opt = |p: Option<usize>| p.map(|p| p.to_string()).unwrap_or_default();
    let body = rows
        .iter()
        .map(|r| {
            let rank = if in_group {
                r.group_rank
            } else {
                r.council_rank
            };
            let mut rank = opt(rank);
            if r.tied && !rank.is_empty() {
                rank.push_str(" (=)");
            }
            let mut name = r.unit_name.clone();
            if r.status != "submitted" {
                name = format!("{name} ({})", t(&format!("score-astatus-{}", r.status)));
            }
            let mut v = vec![rank, name];
            v.extend(r.final_sections.iter().map(|p| p.to_string()));
            v.extend([
                r.bonus.to_string(),
                r.deduction.to_string(),
                r.self_total.to_string(),
                r.final_total.to_string(),
                r.band_label.clone().unwrap_or_default(),
            ]);
            if in_group {
                v.push(opt(r.council_rank));
            }
            v.extend([
                r.previous_total.map(|p| p.to_string()).unwrap_or_default(),
                r.adjustments.to_string(),
            ]);
            v
        })
        .collect();
    (cols, body)
}

/// The council's table under a scheme: every assessment, ranked in the council first, with
/// each unit's rank in its group filled in.
pub async fn council_rows(app: &AppState, s: &SchemeRecord) -> AppResult<Vec<UnitResult>> {
    let res = results_of(app, s).await?;
    let prev = previous_totals(app, s).await?;
    let mut rows = res.rows.clone();
    for g in app.store.groups_of_year(&s.year_id).await? {
        if !rows
            .iter()
            .any(|r| g.members.iter().any(|m| m.id == r.unit_id))
        {
            continue;
        }
        for gr in rank_group(s, &g, &res, &prev)? {
            if let Some(r) = rows.iter_mut().find(|r| r.unit_id == gr.unit_id) {
                r.group_rank = gr.group_rank;
                r.tied = gr.tied;
                r.previous_total = gr.previous_total;
            }
        }
    }
    rows.sort_by_key(|r| r.council_rank.unwrap_or(usize::MAX));
    Ok(rows)
}

/// One year of a unit's scores, for its page across years.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitYear {
    pub year: i64,
    pub scheme_id: String,
    pub scheme_title: String,
    /// open or published
    pub scheme_status: String,
    pub council_id: String,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    #[schema(value_type = f64)]
    pub max_total: Points,
    pub result: UnitResult,
    /// Units ranked in the group (submitted assessments).
    pub group_size: usize,
}

/// A unit's scores in every year it was assessed, newest first: only the years the user may
/// read (its own unit's, reviewers', and its group's after publication).
pub async fn unit_years(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<Vec<UnitYear>> {
    app.store.get_unit(unit_id).await?;
    let mut out = Vec::new();
    for scheme_id in app.store.schemes_assessing(unit_id).await? {
        let s = app.store.get_scheme(&scheme_id).await?;
        if may_read_unit(app, ctx, &s, unit_id).await.is_err() {
            continue;
        }
        let g = group_of(app, &s.year_id, unit_id).await?;
        let (result, group_size) = match &g {
            Some(g) => {
                let rows = group_results(app, &s, g).await?;
                let size = rows.iter().filter(|r| r.group_rank.is_some()).count();
                let Some(r) = rows.into_iter().find(|r| r.unit_id == unit_id) else {
                    continue;
                };
                (r, size)
            }
            None => {
                let res = results_of(app, &s).await?;
                let Some(r) = res.rows.iter().find(|r| r.unit_id == unit_id).cloned() else {
                    continue;
                };
                (r, 0)
            }
        };
        // Council ranks are the secretariat's until the results are published.
        let mut result = result;
        if s.status != "published" && may_manage(app, ctx, &s.year_id).await.is_err() {
            result.council_rank = None;
        }
        out.push(UnitYear {
            year: s.year,
            scheme_title: s.scheme().title.clone(),
            scheme_status: s.status.clone(),
            council_id: s.council_id.clone(),
            group_id: g.as_ref().map(|g| g.id.clone()),
            group_name: g.as_ref().map(|g| g.name.clone()),
            max_total: s.compiled.max_total(),
            scheme_id: s.id,
            result,
            group_size,
        });
    }
    out.sort_by_key(|y| std::cmp::Reverse(y.year));
    Ok(out)
}

/// Attach an evidence file to a leaf of the unit's draft: those who fill it in; the file's
/// kind is recognised by its first bytes. Shared by page and API.
pub async fn add_evidence(
    app: &AppState,
    ctx: &Ctx,
    s: &SchemeRecord,
    unit_id: &str,
    leaf: &str,
    name: &str,
    bytes: &[u8],
) -> AppResult<thidua_store::FileRef> {
    may_enter(app, ctx, unit_id).await?;
    if leaf.is_empty() {
        return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "leaf",
            "err-required",
        )]));
    }
    let name = crate::files::clean_name(name);
    let ctype = crate::files::check_upload(&name, bytes)?;
    let by = ctx.user()?.user.username.clone();
    Ok(app
        .store
        .add_evidence(
            &ctx.audit(),
            &s.id,
            unit_id,
            leaf,
            (&name, ctype, bytes),
            &by,
        )
        .await?)
}

/// An SVG chart of a unit's final totals across years, each as a share of that year's
/// maximum (schemes change from year to year). Empty when there is nothing to draw.
pub fn years_chart(years: &[UnitYear], label: &str) -> String {
    if years.is_empty() {
        return String::new();
    }
    let mut ys: Vec<&UnitYear> = years.iter().collect();
    ys.sort_by_key(|y| y.year);
    let (col, h, base) = (90usize, 180usize, 150usize);
    let w = ys.len() * col + 20;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"chart\" aria-label=\"{}\">",
        esc(label)
    );
    for (i, y) in ys.iter().enumerate() {
        let share = if y.max_total.0 > 0 {
            (y.result.final_total.0 as f64 / y.max_total.0 as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let bar = share * 120.0;
        let x = 20 + i * col;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"50\" height=\"{bar:.1}\" fill=\"#1f5fa8\"><title>{} {}: {}</title></rect>",
            base as f64 - bar,
            esc(label),
            y.year,
            y.result.final_total
        ));
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{:.1}\" font-size=\"11\">{}</text><text x=\"{x}\" y=\"{}\" font-size=\"12\">{}</text>",
            base as f64 - bar - 4.0,
            y.result.final_total,
            base + 16,
            y.year
        ));
    }
    s.push_str("</svg>");
    s
}

/// Import indicator counts from an XLSX or CSV file (the secretariat): every row checked
/// first, then all written or none. Shared by page and API.
pub async fn import_indicator_file(
    app: &AppState,
    ctx: &Ctx,
    s: &SchemeRecord,
    bytes: &[u8],
) -> AppResult<usize> {
    may_manage(app, ctx, &s.year_id).await?;
    let parsed = thidua_docs::parse_indicator_values(bytes).map_err(crate::imports::file_error)?;
    let rows: Vec<thidua_store::IndicatorValue> = parsed
        .into_iter()
        .map(|r| thidua_store::IndicatorValue {
            unit_code: r.unit_code,
            code: r.indicator_code,
            counts: r.counts,
        })
        .collect();
    let by = ctx.user()?.user.username.clone();
    Ok(app
        .store
        .import_indicator_values(&ctx.audit(), &s.id, &rows, &by)
        .await?)
}
