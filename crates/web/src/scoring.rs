//! Scoring shared by pages and API: who may define schemes, fill in, submit, review and read
//! results, and the results themselves (self, reviewed and final totals, bands, ranks in the
//! group and in the council, last year's total), computed from stored entries by the domain.

use std::collections::BTreeMap;

use serde::Serialize;
use thidua_domain::auth::{Action, Resource};
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
/// "group" for the head (or deputy) of the unit's group.
pub async fn review_stage(
    app: &AppState,
    ctx: &Ctx,
    scheme: &SchemeRecord,
    unit_id: &str,
) -> AppResult<&'static str> {
    ctx.user()?;
    if may_manage(app, ctx, &scheme.year_id).await.is_ok() {
        return Ok("council");
    }
    if let Some(g) = group_of(app, &scheme.year_id, unit_id).await? {
        if group_rules::may_run_election(app, ctx, &g.id, None)
            .await
            .is_ok()
        {
            return Ok("group");
        }
    }
    Err(AppError::Forbidden)
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

/// Results of every assessment under a scheme, with council ranks; `group_rank` is filled
/// by [`group_results`].
pub fn scheme_results(scheme: &SchemeRecord, assessments: &[Assessment]) -> Vec<UnitResult> {
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
            UnitResult {
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
            }
        })
        .collect()
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
    let a = app.store.assessments(&prev.id).await?;
    Ok(scheme_results(&prev, &a)
        .into_iter()
        .filter(|r| r.status == "submitted")
        .map(|r| (r.unit_id, r.final_total))
        .collect())
}

/// The group's table: every member (those without an assessment too), ranked within the
/// group by the scheme's rules, ranked first.
pub async fn group_results(
    app: &AppState,
    scheme: &SchemeRecord,
    g: &Group,
) -> AppResult<Vec<UnitResult>> {
    let all = app.store.assessments(&scheme.id).await?;
    let results = scheme_results(scheme, &all);
    let prev = previous_totals(app, scheme).await?;
    let c = &scheme.compiled;
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
    let group_cards: Vec<Card> = idx
        .iter()
        .map(|&i| {
            let a = all
                .iter()
                .find(|a| a.unit_id == rows[i].unit_id)
                .ok_or(AppError::NotFound)?;
            Ok(cards(c, a).1)
        })
        .collect::<AppResult<_>>()?;
    let refs: Vec<&Card> = group_cards.iter().collect();
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
