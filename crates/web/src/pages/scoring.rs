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
            Some("evidence") => Some("score-done-evidence"),
            Some("scheme") => Some("score-done-scheme"),
            Some("evidence-removed") => Some("score-done-evidence-removed"),
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
    pub kinds: &'static [&'static str],
    /// Last year's schemes of the same council for kinds this year has none of yet.
    pub copyable: Vec<SchemeRecord>,
    /// A refused workbook: the message and its row errors (row, column, reason).
    pub error: Option<String>,
    pub error_rows: Vec<(usize, String, String)>,
}

/// Kinds of unit a scheme may be defined for.
const SCHEME_KINDS: &[&str] = &[
    "provincial",
    "high_level",
    "department",
    "district",
    "regional",
    "division",
];

async fn year_page(app: &AppState, ctx: &Ctx, id: &str, l: L) -> AppResult<YearPage> {
    let y = app.store.get_year(id).await?;
    let can_manage = rules::may_manage(app, ctx, id).await.is_ok();
    let schemes = app.store.schemes_of_year(id).await?;
    let copyable = if can_manage {
        match app.store.year_of(&y.council_id, y.year - 1).await? {
            Some(last) => app
                .store
                .schemes_of_year(&last)
                .await?
                .into_iter()
                .filter(|s| !schemes.iter().any(|t| t.unit_kind == s.unit_kind))
                .collect(),
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    Ok(YearPage {
        l,
        can_manage,
        schemes,
        groups: app.store.groups_of_year(id).await?,
        y,
        kinds: SCHEME_KINDS,
        copyable,
        error: None,
        error_rows: Vec::new(),
    })
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    ctx.user()?;
    render(&year_page(&app, &ctx, &id, d.flash(L::new(&ctx))).await?)
}

#[derive(Deserialize)]
pub struct CopyForm {
    pub from: String,
}

/// Copy last year's scheme for a kind of unit into this year, as a draft to edit: how the
/// secretariat starts a year. Only a scheme of the same council's previous year is offered.
pub async fn copy_scheme(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CopyForm>,
) -> AppResult<Response> {
    rules::may_manage(&app, &ctx, &id).await?;
    let y = app.store.get_year(&id).await?;
    let from = app.store.get_scheme(&f.from).await?;
    if app
        .store
        .year_of(&y.council_id, y.year - 1)
        .await?
        .as_deref()
        != Some(&from.year_id)
    {
        return Err(AppError::NotFound);
    }
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .copy_scheme(&ctx.audit(), &from.id, &id, &by)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/years/{id}/scoring?done=scheme")).into_response()),
        Err(e) => {
            let e: AppError = e.into();
            let status = e.status();
            let mut page = year_page(&app, &ctx, &id, L::new(&ctx)).await?;
            page.error = Some(page.l.t(&e.key()));
            render_status(status, &page)
        }
    }
}

/// A scheme from an XLSX workbook in the export's layout: a new scheme for a kind of unit,
/// or a new version of a draft (`scheme_id` and the `version` it was downloaded at).
/// Editing the criteria table in Excel is how the secretariat works; the workbook is checked
/// whole before anything is written.
pub async fn upload_scheme(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    rules::may_manage(&app, &ctx, &id).await?;
    let (mut kind, mut scheme_id, mut version, mut file) =
        (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err-bad-file".into()))?
    {
        match field.name() {
            Some("unit_kind") => kind = field.text().await.unwrap_or_default(),
            Some("scheme_id") => scheme_id = field.text().await.unwrap_or_default(),
            Some("version") => version = field.text().await.unwrap_or_default(),
            Some("file") => {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec()
            }
            _ => {}
        }
    }
    let by = ctx.user()?.user.username.clone();
    let result = async {
        if file.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "file",
                "err-required",
            )]));
        }
        let scheme = thidua_docs::parse_scheme(&file).map_err(crate::imports::file_error)?;
        if scheme_id.is_empty() {
            if !SCHEME_KINDS.contains(&kind.as_str()) {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "unit_kind",
                    "err-required",
                )]));
            }
            app.store
                .create_scheme(&ctx.audit(), &id, &kind, scheme, None, &by)
                .await?;
        } else {
            let s = app.store.get_scheme(&scheme_id).await?;
            if s.year_id != id {
                return Err(AppError::NotFound);
            }
            let base = version.trim().parse().unwrap_or(s.version);
            app.store
                .save_scheme(&ctx.audit(), &scheme_id, base, scheme, &by)
                .await?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/years/{id}/scoring?done=scheme")).into_response()),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let status = e.status();
            let l = L::new(&ctx);
            let mut page = year_page(&app, &ctx, &id, l).await?;
            match e {
                AppError::Import(rows) => {
                    page.error = Some(page.l.t("import-failed"));
                    page.error_rows = rows
                        .iter()
                        .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                        .collect();
                }
                AppError::Invalid(fields) => {
                    page.error = Some(page.l.t("import-failed"));
                    page.error_rows = fields
                        .iter()
                        .map(|f| (0, f.field.clone(), page.l.t(&f.key)))
                        .collect();
                }
                e => {
                    page.error = Some(format!(
                        "{} {}",
                        page.l.t("import-failed"),
                        page.l.t(&e.key())
                    ));
                }
            }
            render_status(status, &page)
        }
    }
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
    /// Evidence files attached to the leaf.
    pub files: Vec<thidua_store::FileRef>,
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
    pub has_evidence: bool,
    pub csrf_query: String,
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
    let rows: Vec<FormRow> = c
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
                files: a
                    .as_ref()
                    .and_then(|a| a.evidence.get(&r.code).cloned())
                    .unwrap_or_default(),
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
            has_evidence: rows.iter().any(|r| !r.files.is_empty()),
            csrf_query: crate::ctx::urlencode(&ctx.csrf),
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

/// Attach an evidence file to a leaf (multipart: `leaf`, `file`; CSRF in the query).
pub async fn add_evidence(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    let mut leaf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err-bad-file".into()))?
    {
        match field.name() {
            Some("leaf") => leaf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("tep").to_owned();
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let result = match file {
        None => Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "err-required",
        )])),
        Some((name, bytes)) => {
            rules::add_evidence(&app, &ctx, &s, &unit_id, leaf.trim(), &name, &bytes).await
        }
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/schemes/{id}/units/{unit_id}?done=evidence")).into_response(),
        ),
        Err(e) => {
            let (mut errs, status) = form_errors(ctx.lang, e)?;
            for (k, _) in errs.0.iter_mut() {
                *k = "evidence".into();
            }
            let l = L::new(&ctx);
            assessment_page(&app, &ctx, s, &unit_id, None, errs, status, l).await
        }
    }
}

/// Withdraw an evidence file while the assessment is a draft.
pub async fn remove_evidence(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id, file_id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .remove_evidence(&ctx.audit(), &id, &unit_id, &file_id, &by)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/schemes/{id}/units/{unit_id}?done=evidence-removed"
        ))
        .into_response()),
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

// ---- indicator counts from a file ----

const INDICATOR_COLUMNS: &str = "Mã đơn vị, Mã chỉ tiêu, Tử số, Mẫu số";

fn indicator_import_page(ctx: &Ctx, s: &SchemeRecord) -> super::units::ImportPage {
    let l = L::new(ctx);
    super::units::ImportPage {
        title: format!(
            "{} – {} {}",
            l.t("score-import-indicators"),
            s.scheme().title,
            s.year
        ),
        action: format!("/schemes/{}/indicator-values/import", s.id),
        columns: INDICATOR_COLUMNS.into(),
        done: None,
        error: None,
        rows: Vec::new(),
        csrf_query: crate::ctx::urlencode(&ctx.csrf),
        l,
    }
}

pub async fn indicator_import_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    render(&indicator_import_page(&ctx, &s))
}

pub async fn indicator_import(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let mut page = indicator_import_page(&ctx, &s);
    let bytes = super::units::read_upload(mp).await?;
    match rules::import_indicator_file(&app, &ctx, &s, &bytes).await {
        Ok(n) => {
            page.done = Some(n);
            render(&page)
        }
        Err(AppError::Import(rows)) => {
            page.error = Some(page.l.t("import-failed"));
            page.rows = rows
                .iter()
                .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let key = e.key();
            page.error = Some(format!("{} {}", page.l.t("import-failed"), page.l.t(&key)));
            render_status(e.status(), &page)
        }
    }
}

// ---- the council's ranking ----

#[derive(Template)]
#[template(path = "scoring/council.html")]
pub struct CouncilPage {
    pub l: L,
    pub s: SchemeRecord,
    pub rows: Vec<UnitResult>,
    /// Group name per unit id.
    pub groups: BTreeMap<String, (String, String)>,
}

pub async fn council_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let rows = rules::council_rows(&app, &s).await?;
    let mut groups = BTreeMap::new();
    for g in app.store.groups_of_year(&s.year_id).await? {
        for m in &g.members {
            groups.insert(m.id.clone(), (g.id.clone(), g.name.clone()));
        }
    }
    render(&CouncilPage {
        l: L::new(&ctx),
        s,
        rows,
        groups,
    })
}

// ---- a unit's scores across years ----

#[derive(Template)]
#[template(path = "scoring/unit.html")]
pub struct UnitScoresPage {
    pub l: L,
    pub unit: thidua_store::Unit,
    pub years: Vec<rules::UnitYear>,
    pub chart: String,
}

pub async fn unit_scores(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let unit = app.store.get_unit(&id).await?;
    let years = rules::unit_years(&app, &ctx, &id).await?;
    let l = L::new(&ctx);
    let chart = rules::years_chart(&years, &l.t("score-final-total"));
    render(&UnitScoresPage {
        l,
        unit,
        years,
        chart,
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
        .route(
            "/api/v1/schemes/{id}/ranking/export",
            get(api::council_ranking_export),
        )
        .route(
            "/api/v1/groups/{id}/ranking/export",
            get(api::group_ranking_export),
        )
        .route(
            "/api/v1/schemes/{id}/assessments/{unit_id}/evidence/{file_id}",
            get(api::evidence_download).delete(api::evidence_remove),
        )
        .route("/api/v1/units/{id}/scores", get(api::unit_scores))
        .route("/schemes/{id}/ranking", get(council_ranking))
        .route("/units/{id}/scores", get(unit_scores))
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
        .route(
            "/schemes/{id}/units/{unit_id}/evidence/{file_id}/remove",
            post(remove_evidence),
        )
        .route("/groups/{id}/ranking", get(group_ranking))
}
