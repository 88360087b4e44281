//! Pages for scoring: a council year's schemes (open, publish), a unit's self-assessment form
//! with running totals (save, submit) and the reviewers' adjustments beside the self-scores,
//! and a group's ranking with each unit's section chart.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::scoring::{Card, Counts, Input, LeafKind, Points, Row};
use thidua_domain::FieldError;
use thidua_store::{Adjustment, Assessment, AssessmentDraft, EmulationYear, Group, SchemeRecord};

use super::{form_errors, render, render_status, FormErrors, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::scoring::{self as rules, UnitResult};
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
    pub unit: Option<String>,
}

impl Done {
    fn flash(&self, l: L) -> L {
        let key = match self.done.as_deref() {
            Some("saved") => Some("score-done-saved"),
            Some("submitted") => Some("score-done-submitted"),
            Some("adjusted") => Some("score-done-adjusted"),
            Some("status") => Some("score-done-status"),
            _ => None,
        };
        l.with_flash(key)
    }
}

// ---- a council year's schemes ----

#[derive(Template)]
#[template(path = "scoring/year.html")]
pub struct YearPage {
    pub l: L,
    pub y: EmulationYear,
    pub schemes: Vec<SchemeRecord>,
    pub groups: Vec<Group>,
    pub can_manage: bool,
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    ctx.user()?;
    let y = app.store.get_year(&id).await?;
    render(&YearPage {
        l: d.flash(L::new(&ctx)),
        can_manage: rules::may_manage(&app, &ctx, &id).await.is_ok(),
        schemes: app.store.schemes_of_year(&id).await?,
        groups: app.store.groups_of_year(&id).await?,
        y,
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    pub status: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    app.store
        .set_scheme_status(&ctx.audit(), &id, &f.status)
        .await?;
    Ok(Redirect::to(&format!("/years/{}/scoring?done=status", s.year_id)).into_response())
}

// ---- a unit's assessment ----

/// One row of the form: the scheme row with what the unit entered and what reviewers did.
pub struct FormRow {
    pub row: Row,
    /// manual, indicator, bonus, deduction; empty for a group
    pub kind: &'static str,
    pub evidence: bool,
    /// What the unit entered: points (manual, bonus) or occurrences (deduction), as typed.
    pub entered: String,
    pub comment: String,
    /// Points of the leaf from the unit's entries, and after adjustments.
    pub self_points: String,
    pub final_points: String,
    pub adjustments: Vec<Adjustment>,
    pub missing: bool,
}

pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub target: String,
    pub numerator: String,
    pub denominator: String,
    pub rate: String,
    pub meets: Option<bool>,
}

#[derive(Template)]
#[template(path = "scoring/assessment.html")]
pub struct AssessmentPage {
    pub l: L,
    pub s: SchemeRecord,
    pub unit: thidua_store::Unit,
    pub group: Option<Group>,
    pub status: String,
    pub version: i64,
    pub rows: Vec<FormRow>,
    pub indicators: Vec<IndicatorRow>,
    pub self_card: Card,
    pub final_card: Card,
    pub band: String,
    pub max_total: Points,
    pub can_enter: bool,
    pub can_submit: bool,
    /// "group" or "council" when the user may adjust.
    pub review_stage: Option<&'static str>,
    pub errors: FormErrors,
    pub submitted_by: String,
}

/// What the form sent: the entries, the comments, and each number field as typed.
type Typed = (Input, BTreeMap<String, String>, BTreeMap<String, String>);

fn pts(p: Option<Points>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)] // the page's state as the handlers hold it
async fn assessment_page(
    app: &AppState,
    ctx: &Ctx,
    s: SchemeRecord,
    unit_id: &str,
    typed: Option<Typed>,
    errors: FormErrors,
    status: StatusCode,
    l: L,
) -> AppResult<Response> {
    let unit = app.store.get_unit(unit_id).await?;
    let a: Option<Assessment> = app.store.assessment_of(&s.id, unit_id).await?;
    let c = s.compiled.clone();
    let (self_card, final_card) = match &a {
        Some(a) => rules::cards(&c, a),
        None => {
            let e = c.card(&vec![None; c.leaves.len()]);
            (e.clone(), e)
        }
    };
    let own = a
        .as_ref()
        .map(|a| c.leaf_points(&a.input))
        .unwrap_or_default();
    let adjusted: BTreeMap<String, Points> = a
        .as_ref()
        .map(|a| {
            a.adjusted()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        })
        .unwrap_or_default();
    let (input, comments, raw) = match typed {
        Some((i, c, raw)) => (i, c, raw),
        None => (
            a.as_ref().map(|a| a.input.clone()).unwrap_or_default(),
            a.as_ref().map(|a| a.comments.clone()).unwrap_or_default(),
            BTreeMap::new(),
        ),
    };
    let rows = c
        .rows
        .iter()
        .map(|r| {
            let leaf = r.leaf.map(|i| &c.leaves[i]);
            let kind = leaf.map_or("", |l| l.kind.as_str());
            let entered = match leaf.map(|l| &l.kind) {
                Some(LeafKind::Manual { .. } | LeafKind::Bonus) => raw
                    .get(&format!("p.{}", r.code))
                    .cloned()
                    .unwrap_or_else(|| pts(input.points.get(&r.code).copied())),
                Some(LeafKind::Deduction { .. }) => raw
                    .get(&format!("o.{}", r.code))
                    .cloned()
                    .unwrap_or_else(|| {
                        input
                            .occurrences
                            .get(&r.code)
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    }),
                _ => String::new(),
            };
            let self_p = r.leaf.and_then(|i| own.get(i).copied().flatten());
            let final_p = adjusted.get(&r.code).copied().or(self_p);
            FormRow {
                kind,
                evidence: matches!(
                    leaf.map(|l| &l.kind),
                    Some(LeafKind::Manual {
                        evidence_required: true
                    })
                ),
                entered,
                comment: comments.get(&r.code).cloned().unwrap_or_default(),
                self_points: pts(self_p),
                final_points: pts(final_p),
                adjustments: a
                    .as_ref()
                    .map(|a| {
                        a.adjustments
                            .iter()
                            .filter(|j| j.leaf_code == r.code)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                missing: r.leaf.is_some_and(|i| self_card.missing.contains(&i)),
                row: r.clone(),
            }
        })
        .collect();
    let indicators = c
        .scheme
        .indicators
        .iter()
        .map(|ind| {
            let counts = input.indicators.get(&ind.code);
            let rate = counts.and_then(|c| c.rate());
            IndicatorRow {
                code: ind.code.clone(),
                name: ind.name.clone(),
                target: format!(
                    "{} {}",
                    match ind.direction {
                        thidua_domain::scoring::Direction::Higher => "≥",
                        thidua_domain::scoring::Direction::Lower => "≤",
                    },
                    ind.target
                ),
                numerator: raw
                    .get(&format!("n.{}", ind.code))
                    .cloned()
                    .unwrap_or_else(|| counts.map(|c| c.numerator.to_string()).unwrap_or_default()),
                denominator: raw
                    .get(&format!("d.{}", ind.code))
                    .cloned()
                    .unwrap_or_else(|| {
                        counts
                            .map(|c| c.denominator.to_string())
                            .unwrap_or_default()
                    }),
                rate: rate.map(|r| r.to_string()).unwrap_or_default(),
                meets: rate.map(|r| ind.meets(r)),
            }
        })
        .collect();
    let status_s = a.as_ref().map_or("none".to_owned(), |a| a.status.clone());
    let can_enter = s.status == "open"
        && status_s != "submitted"
        && rules::may_enter(app, ctx, unit_id).await.is_ok();
    let can_submit = s.status == "open"
        && status_s == "draft"
        && rules::may_submit(app, ctx, unit_id).await.is_ok();
    let review_stage = if status_s == "submitted" && s.status == "open" {
        rules::review_stage(app, ctx, &s, unit_id).await.ok()
    } else {
        None
    };
    let band = final_card
        .band
        .map(|b| c.scheme.bands[b].label.clone())
        .unwrap_or_default();
    render_status(
        status,
        &AssessmentPage {
            l,
            group: rules::group_of(app, &s.year_id, unit_id).await?,
            status: status_s,
            version: a.as_ref().map_or(0, |a| a.version),
            submitted_by: a
                .as_ref()
                .and_then(|a| a.submitted_by.clone())
                .unwrap_or_default(),
            rows,
            indicators,
            max_total: c.max_total(),
            self_card,
            final_card,
            band,
            can_enter,
            can_submit,
            review_stage,
            errors,
            unit,
            s,
        },
    )
}

pub async fn assessment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_read_unit(&app, &ctx, &s, &unit_id).await?;
    let l = d.flash(L::new(&ctx));
    assessment_page(
        &app,
        &ctx,
        s,
        &unit_id,
        None,
        FormErrors::default(),
        StatusCode::OK,
        l,
    )
    .await
}

/// Reads the form's fields: p.CODE (points), o.CODE (occurrences), n.IND / d.IND (counts),
/// c.CODE (comments). Numbers that do not parse are field errors, with what was typed kept.
fn parse_form(
    fields: &[(String, String)],
) -> (
    Input,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    Vec<FieldError>,
) {
    let mut input = Input::default();
    let mut comments = BTreeMap::new();
    let mut raw = BTreeMap::new();
    let mut errs = Vec::new();
    let mut nums: BTreeMap<String, (Option<i64>, Option<i64>)> = BTreeMap::new();
    for (k, v) in fields {
        let v = v.trim();
        let Some((prefix, code)) = k.split_once('.') else {
            continue;
        };
        if prefix != "c" {
            raw.insert(k.clone(), v.to_owned());
        }
        if v.is_empty() {
            continue;
        }
        match prefix {
            "p" => match Points::parse(v) {
                Some(p) => {
                    input.points.insert(code.to_owned(), p);
                }
                None => errs.push(FieldError::new(&format!("points.{code}"), "err-bad-number")),
            },
            "o" => match v.parse::<u32>() {
                Ok(n) => {
                    input.occurrences.insert(code.to_owned(), n);
                }
                Err(_) => errs.push(FieldError::new(
                    &format!("occurrences.{code}"),
                    "err-bad-number",
                )),
            },
            "n" | "d" => match v.replace(['.', ' '], "").parse::<i64>() {
                Ok(n) => {
                    let e = nums.entry(code.to_owned()).or_default();
                    if prefix == "n" {
                        e.0 = Some(n);
                    } else {
                        e.1 = Some(n);
                    }
                }
                Err(_) => errs.push(FieldError::new(
                    &format!("indicators.{code}"),
                    "err-bad-number",
                )),
            },
            "c" => {
                comments.insert(code.to_owned(), v.to_owned());
            }
            _ => {}
        }
    }
    for (code, (n, d)) in nums {
        match (n, d) {
            (Some(numerator), Some(denominator)) => {
                input.indicators.insert(
                    code,
                    Counts {
                        numerator,
                        denominator,
                    },
                );
            }
            _ => errs.push(FieldError::new(
                &format!("indicators.{code}"),
                "err-score-counts-pair",
            )),
        }
    }
    (input, comments, raw, errs)
}

pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    let (input, comments, raw, errs) = parse_form(&fields);
    let base_version = fields
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|v| *v > 0);
    let typed = Some((input.clone(), comments.clone(), raw));
    if !errs.is_empty() {
        let l = L::new(&ctx);
        return assessment_page(
            &app,
            &ctx,
            s,
            &unit_id,
            typed,
            FormErrors::from_fields(ctx.lang, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
            l,
        )
        .await;
    }
    let by = ctx.user()?.user.username.clone();
    let draft = AssessmentDraft {
        input,
        comments,
        base_version,
    };
    match app
        .store
        .save_assessment(&ctx.audit(), &id, &unit_id, &draft, &by)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/schemes/{id}/units/{unit_id}?done=saved")).into_response())
        }
        Err(e) => {
            let (errs, status) = form_errors(ctx.lang, e.into())?;
            let l = L::new(&ctx);
            assessment_page(&app, &ctx, s, &unit_id, typed, errs, status, l).await
        }
    }
}

pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_submit(&app, &ctx, &unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .submit_assessment(&ctx.audit(), &id, &unit_id, &by)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/schemes/{id}/units/{unit_id}?done=submitted")).into_response(),
        ),
        Err(e) => {
            let (errs, status) = form_errors(ctx.lang, e.into())?;
            let l = L::new(&ctx);
            assessment_page(&app, &ctx, s, &unit_id, None, errs, status, l).await
        }
    }
}

#[derive(Deserialize)]
pub struct AdjustForm {
    pub leaf_code: String,
    pub points: String,
    pub reason: String,
}

pub async fn adjust(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    Form(f): Form<AdjustForm>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    let stage = rules::review_stage(&app, &ctx, &s, &unit_id).await?;
    let a = app
        .store
        .assessment_of(&id, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let field = format!("adjust.{}", f.leaf_code);
    let Some(points) = Points::parse(&f.points) else {
        let errs = FormErrors::from_fields(ctx.lang, &[FieldError::new(&field, "err-bad-number")]);
        let l = L::new(&ctx);
        return assessment_page(
            &app,
            &ctx,
            s,
            &unit_id,
            None,
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
            l,
        )
        .await;
    };
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .adjust_score(
            &ctx.audit(),
            &a.id,
            &thidua_store::ScoreChange {
                stage,
                leaf_code: &f.leaf_code,
                points,
                reason: &f.reason,
            },
            &by,
        )
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/schemes/{id}/units/{unit_id}?done=adjusted")).into_response(),
        ),
        Err(e) => {
            let (mut errs, status) = form_errors(ctx.lang, e.into())?;
            // Every problem of an adjustment shows beside that leaf's form.
            for (k, _) in errs.0.iter_mut() {
                *k = field.clone();
            }
            let l = L::new(&ctx);
            assessment_page(&app, &ctx, s, &unit_id, None, errs, status, l).await
        }
    }
}

// ---- a group's ranking ----

#[derive(Template)]
#[template(path = "scoring/ranking.html")]
pub struct RankingPage {
    pub l: L,
    pub g: Group,
    pub s: SchemeRecord,
    pub rows: Vec<UnitResult>,
    pub chart: String,
    pub chart_unit: String,
}

pub async fn group_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let g = app.store.get_group(&id).await?;
    let s = rules::scheme_of_group(&app, &g).await?;
    rules::may_read_group(&app, &ctx, &s, &g).await?;
    let rows = rules::group_results(&app, &s, &g).await?;
    let l = L::new(&ctx);
    let pick = d
        .unit
        .as_deref()
        .and_then(|u| rows.iter().find(|r| r.unit_id == u))
        .or_else(|| rows.first());
    let (chart, chart_unit) = match pick {
        Some(r) => (
            rules::section_chart(
                &s.compiled,
                r,
                &rows,
                &r.unit_name,
                &l.t("score-group-average"),
            ),
            r.unit_name.clone(),
        ),
        None => (String::new(), String::new()),
    };
    render(&RankingPage {
        l,
        g,
        s,
        rows,
        chart,
        chart_unit,
    })
}

pub fn routes() -> axum::Router<AppState> {
    use crate::api::scoring as api;
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/api/v1/years/{id}/schemes",
            get(api::list).post(api::create),
        )
        .route("/api/v1/schemes/{id}", get(api::get).put(api::save))
        .route("/api/v1/schemes/{id}/status", post(api::set_status))
        .route(
            "/api/v1/schemes/{id}/assessments/{unit_id}",
            get(api::get_assessment).put(api::save_assessment),
        )
        .route(
            "/api/v1/schemes/{id}/assessments/{unit_id}/submit",
            post(api::submit),
        )
        .route(
            "/api/v1/schemes/{id}/assessments/{unit_id}/adjustments",
            post(api::adjust),
        )
        .route(
            "/api/v1/schemes/{id}/indicator-values",
            post(api::import_values),
        )
        .route("/api/v1/schemes/{id}/ranking", get(api::council_ranking))
        .route("/api/v1/schemes/{id}/export", get(api::export))
        .route(
            "/api/v1/schemes/{id}/indicator-template",
            get(api::indicator_template),
        )
        .route("/api/v1/groups/{id}/ranking", get(api::group_ranking))
        .route("/years/{id}/scoring", get(year))
        .route("/schemes/{id}/status", post(set_status))
        .route("/schemes/{id}/units/{unit_id}", get(assessment).post(save))
        .route("/schemes/{id}/units/{unit_id}/submit", post(submit))
        .route("/schemes/{id}/units/{unit_id}/adjust", post(adjust))
        .route("/groups/{id}/ranking", get(group_ranking))
}
