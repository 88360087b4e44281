//! JSON API for scoring: schemes of a council year (create, copy, edit until frozen, open,
//! publish), a unit's self-assessment (save, submit), reviewers' adjustments, indicator
//! counts, and the results (a group's ranking, the council's, a unit's across years).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::scoring::{Card, Counts, Points, Scheme};
use thidua_store::{Adjustment, Assessment, AssessmentDraft, IndicatorValue, SchemeRecord};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::scoring::{self as rules, UnitResult};
use crate::AppState;

/// A scheme as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct SchemeView {
    pub id: String,
    pub year_id: String,
    pub year: i64,
    pub unit_kind: String,
    /// draft (editable), open (frozen; units assess), published (results visible)
    pub status: String,
    pub version: i64,
    pub copied_from: Option<String>,
    pub updated_at: String,
    /// Sum of the manual and indicator leaves' maxima.
    #[schema(value_type = f64)]
    pub base_max: Points,
    /// base_max plus the capped bonus.
    #[schema(value_type = f64)]
    pub max_total: Points,
    pub leaves: usize,
    /// The scheme itself (criteria tree, indicators, bands, tie-break rules).
    #[schema(value_type = Object)]
    pub scheme: Scheme,
}

impl From<&SchemeRecord> for SchemeView {
    fn from(s: &SchemeRecord) -> Self {
        SchemeView {
            id: s.id.clone(),
            year_id: s.year_id.clone(),
            year: s.year,
            unit_kind: s.unit_kind.clone(),
            status: s.status.clone(),
            version: s.version,
            copied_from: s.copied_from.clone(),
            updated_at: s.updated_at.clone(),
            base_max: s.compiled.base_max,
            max_total: s.compiled.max_total(),
            leaves: s.compiled.leaves.len(),
            scheme: s.scheme().clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewScheme {
    /// provincial, high_level, district, department, ...
    pub unit_kind: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub scheme: Option<Scheme>,
    /// Copy this scheme (e.g. last year's) instead of sending one.
    pub copy_from: Option<String>,
}

fn required(field: &str) -> AppError {
    AppError::Invalid(vec![thidua_domain::FieldError::new(field, "err-required")])
}

#[utoipa::path(get, path = "/api/v1/years/{id}/schemes", summary = "The criteria schemes of a council year", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, body = [SchemeView]), (status = 404)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<SchemeView>>> {
    ctx.user()?;
    app.store.get_year(&id).await?;
    let s = app.store.schemes_of_year(&id).await?;
    Ok(Json(s.iter().map(SchemeView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/years/{id}/schemes", summary = "Create a scheme for a kind of unit, or copy one (e.g. last year's)", tag = "scoring",
    params(("id" = String, Path)), request_body = NewScheme,
    responses((status = 201, body = SchemeView), (status = 403), (status = 404), (status = 409, description = "The year already has a scheme for this kind of unit"), (status = 422)))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<NewScheme>,
) -> AppResult<Response> {
    rules::may_manage(&app, &ctx, &id).await?;
    let by = ctx.user()?.user.username.clone();
    let s = match (b.copy_from, b.scheme, b.unit_kind) {
        (Some(from), _, _) => app.store.copy_scheme(&ctx.audit(), &from, &id, &by).await?,
        (None, Some(scheme), Some(kind)) => {
            app.store
                .create_scheme(&ctx.audit(), &id, &kind, scheme, None, &by)
                .await?
        }
        (None, None, _) => return Err(required("scheme")),
        (None, Some(_), None) => return Err(required("unit_kind")),
    };
    Ok((StatusCode::CREATED, Json(SchemeView::from(&s))).into_response())
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}", summary = "One scheme", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, body = SchemeView), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<SchemeView>> {
    ctx.user()?;
    Ok(Json(SchemeView::from(&app.store.get_scheme(&id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct SchemeEdit {
    /// The version the edit starts from; a stale one gets 409 with the current scheme.
    pub base_version: i64,
    #[schema(value_type = Object)]
    pub scheme: Scheme,
}

#[utoipa::path(put, path = "/api/v1/schemes/{id}", summary = "Save a new version of a draft scheme (refused once frozen)", tag = "scoring",
    params(("id" = String, Path)), request_body = SchemeEdit,
    responses((status = 200, body = SchemeView), (status = 403), (status = 404), (status = 409, description = "Frozen, or stale base_version"), (status = 422)))]
pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<SchemeEdit>,
) -> AppResult<Json<SchemeView>> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let by = ctx.user()?.user.username.clone();
    let s = app
        .store
        .save_scheme(&ctx.audit(), &id, b.base_version, b.scheme, &by)
        .await?;
    Ok(Json(SchemeView::from(&s)))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusChange {
    /// open (freeze and let units assess) or published (results visible to the groups)
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/status", summary = "Open the assessment (freezes the scheme) or publish the results", tag = "scoring",
    params(("id" = String, Path)), request_body = StatusChange,
    responses((status = 200, body = SchemeView), (status = 403), (status = 404), (status = 409)))]
pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<StatusChange>,
) -> AppResult<Json<SchemeView>> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let s = app
        .store
        .set_scheme_status(&ctx.audit(), &id, &b.status)
        .await?;
    Ok(Json(SchemeView::from(&s)))
}

/// A unit's assessment with its computed cards.
#[derive(Serialize, ToSchema)]
pub struct AssessmentView {
    pub scheme_id: String,
    pub unit_id: String,
    /// none (not started), draft or submitted
    pub status: String,
    pub assessment: Option<Assessment>,
    /// Totals from the unit's own entries.
    #[schema(value_type = Object)]
    pub self_card: Card,
    /// Totals after the reviewers' adjustments.
    #[schema(value_type = Object)]
    pub final_card: Card,
    /// Codes of the leaves still to fill in.
    pub missing: Vec<String>,
    /// Each scored leaf's points from the unit's entries (deductions as points taken away).
    #[schema(value_type = Object)]
    pub self_leaves: std::collections::BTreeMap<String, Points>,
    /// The same after the reviewers' adjustments.
    #[schema(value_type = Object)]
    pub final_leaves: std::collections::BTreeMap<String, Points>,
    #[schema(value_type = f64)]
    pub max_total: Points,
}

pub(crate) fn assessment_view(
    s: &SchemeRecord,
    unit_id: &str,
    a: Option<Assessment>,
) -> AssessmentView {
    let c = &s.compiled;
    let (self_card, final_card) = match &a {
        Some(a) => rules::cards(c, a),
        None => {
            let empty = c.card(&vec![None; c.leaves.len()]);
            (empty.clone(), empty)
        }
    };
    let own = a
        .as_ref()
        .map(|a| c.leaf_points(&a.input))
        .unwrap_or_else(|| vec![None; c.leaves.len()]);
    let self_leaves: std::collections::BTreeMap<String, Points> = c
        .leaves
        .iter()
        .zip(&own)
        .filter_map(|(l, p)| p.map(|p| (l.code.clone(), p)))
        .collect();
    let mut final_leaves = self_leaves.clone();
    if let Some(a) = &a {
        for (code, p) in a.adjusted() {
            final_leaves.insert(code.to_owned(), p);
        }
    }
    AssessmentView {
        self_leaves,
        final_leaves,
        scheme_id: s.id.clone(),
        unit_id: unit_id.to_owned(),
        status: a.as_ref().map_or("none".into(), |a| a.status.clone()),
        missing: self_card
            .missing
            .iter()
            .map(|&i| c.leaves[i].code.clone())
            .collect(),
        max_total: c.max_total(),
        assessment: a,
        self_card,
        final_card,
    }
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/assessments/{unit_id}", summary = "A unit's self-assessment with its totals", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path)), responses((status = 200, body = AssessmentView), (status = 403), (status = 404)))]
pub async fn get_assessment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
) -> AppResult<Json<AssessmentView>> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_read_unit(&app, &ctx, &s, &unit_id).await?;
    let a = app.store.assessment_of(&id, &unit_id).await?;
    Ok(Json(assessment_view(&s, &unit_id, a)))
}

#[utoipa::path(put, path = "/api/v1/schemes/{id}/assessments/{unit_id}", summary = "Save the unit's draft: points of manual and bonus leaves, occurrences of deductions, indicator counts, comments", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path)), request_body = AssessmentDraft,
    responses((status = 200, body = AssessmentView), (status = 403), (status = 404), (status = 409, description = "Submitted, not open, or stale base_version"), (status = 422)))]
pub async fn save_assessment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    Json(b): Json<AssessmentDraft>,
) -> AppResult<Json<AssessmentView>> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    let a = app
        .store
        .save_assessment(&ctx.audit(), &id, &unit_id, &b, &by)
        .await?;
    Ok(Json(assessment_view(&s, &unit_id, Some(a))))
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/assessments/{unit_id}/submit", summary = "The leader submits the unit's assessment (then read-only for the unit)", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path)),
    responses((status = 200, body = AssessmentView), (status = 403), (status = 404), (status = 409), (status = 422, description = "Leaves still missing or evidence not described")))]
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
) -> AppResult<Json<AssessmentView>> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_submit(&app, &ctx, &unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    let a = app
        .store
        .submit_assessment(&ctx.audit(), &id, &unit_id, &by)
        .await?;
    Ok(Json(assessment_view(&s, &unit_id, Some(a))))
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentDraft {
    pub leaf_code: String,
    #[schema(value_type = f64)]
    pub points: Points,
    /// Required: why the points change.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/assessments/{unit_id}/adjustments", summary = "A reviewer adjusts one leaf of a submitted assessment, with a reason (group head: stage group; secretariat: stage council)", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path)), request_body = AdjustmentDraft,
    responses((status = 201, body = Adjustment), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn adjust(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    Json(b): Json<AdjustmentDraft>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    let stage = rules::review_stage(&app, &ctx, &s, &unit_id).await?;
    let a = app
        .store
        .assessment_of(&id, &unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let by = ctx.user()?.user.username.clone();
    let adj = app
        .store
        .adjust_score(
            &ctx.audit(),
            &a.id,
            &thidua_store::ScoreChange {
                stage,
                leaf_code: &b.leaf_code,
                points: b.points,
                reason: &b.reason,
            },
            &by,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(adj)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct IndicatorRowIn {
    pub unit_code: String,
    pub indicator: String,
    pub numerator: i64,
    pub denominator: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub rows: usize,
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/indicator-values", summary = "Import indicator counts for many units (secretariat); all rows are checked first, any error writes nothing", tag = "scoring",
    params(("id" = String, Path)), request_body = [IndicatorRowIn],
    responses((status = 200, body = Imported), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn import_values(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(rows): Json<Vec<IndicatorRowIn>>,
) -> AppResult<Json<Imported>> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let by = ctx.user()?.user.username.clone();
    let rows: Vec<IndicatorValue> = rows
        .into_iter()
        .map(|r| IndicatorValue {
            unit_code: r.unit_code,
            code: r.indicator,
            counts: Counts {
                numerator: r.numerator,
                denominator: r.denominator,
            },
        })
        .collect();
    let n = app
        .store
        .import_indicator_values(&ctx.audit(), &id, &rows, &by)
        .await?;
    Ok(Json(Imported { rows: n }))
}

#[derive(Serialize, ToSchema)]
pub struct Ranking {
    pub scheme: SchemeView,
    /// Section codes and titles, in the order of each row's section scores.
    pub sections: Vec<(String, String)>,
    pub rows: Vec<UnitResult>,
}

fn sections(s: &SchemeRecord) -> Vec<(String, String)> {
    s.compiled
        .sections
        .iter()
        .map(|(c, t, _)| (c.clone(), t.clone()))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/ranking", summary = "A group's ranking: self, reviewed and final totals, bands, ranks (reviewers before publication; the group's members after)", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, body = Ranking), (status = 403), (status = 404)))]
pub async fn group_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Ranking>> {
    let g = app.store.get_group(&id).await?;
    let s = rules::scheme_of_group(&app, &g).await?;
    rules::may_read_group(&app, &ctx, &s, &g).await?;
    let rows = rules::group_results(&app, &s, &g).await?;
    Ok(Json(Ranking {
        sections: sections(&s),
        scheme: SchemeView::from(&s),
        rows,
    }))
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/ranking", summary = "The council's ranking of every unit under a scheme (secretariat)", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, body = Ranking), (status = 403), (status = 404)))]
pub async fn council_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Ranking>> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let rows = rules::council_rows(&app, &s).await?;
    Ok(Json(Ranking {
        sections: sections(&s),
        scheme: SchemeView::from(&s),
        rows,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RankingExportParams {
    /// xlsx (default), csv or pdf
    pub format: Option<String>,
}

/// What a ranking export prints besides its rows.
struct RankingFile<'a> {
    title: String,
    file: String,
    in_group: bool,
    format: Option<&'a str>,
}

/// A ranking as XLSX, CSV or an official PDF list under the council's letterhead.
async fn ranking_file(
    app: &AppState,
    ctx: &Ctx,
    s: &SchemeRecord,
    rows: &[UnitResult],
    f: RankingFile<'_>,
) -> AppResult<Response> {
    let (cols, body) = rules::ranking_table(&s.compiled, rows, ctx.lang, f.in_group);
    let format = match f.format.unwrap_or("xlsx") {
        "xlsx" => thidua_docs::Format::Xlsx,
        "csv" => thidua_docs::Format::Csv,
        "pdf" => {
            let council = app.store.get_council(&s.council_id).await?;
            let unit = app.store.get_unit(&council.unit_id).await?;
            let head = thidua_pdf::Letterhead {
                parent_body: Some(unit.name.to_uppercase()),
                issuer: council.name.to_uppercase(),
                place: None,
            };
            let sections = s.compiled.sections.len();
            // Narrow columns for ranks and points, a wide one for the unit's name.
            let columns: Vec<thidua_pdf::Column> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| thidua_pdf::Column {
                    title: c.clone(),
                    width: match i {
                        0 => 0.5,
                        1 => 2.2,
                        i if i == sections + 6 => 1.6,
                        _ => 0.75,
                    },
                })
                .collect();
            let subtitle = format!(
                "{} · {}",
                s.scheme().title,
                crate::i18n::t(ctx.lang, &format!("score-status-{}", s.status))
            );
            let today = chrono::Utc::now().date_naive();
            let title = f.title.clone();
            let bytes = tokio::task::spawn_blocking(move || {
                thidua_pdf::render_table(
                    &head,
                    None,
                    Some(today),
                    &title,
                    Some(&subtitle),
                    &columns,
                    &body,
                    None,
                    None,
                )
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(crate::pdf::response(&format!("{}.pdf", f.file), bytes));
        }
        _ => return Err(AppError::BadRequest("err-bad-request".into())),
    };
    let sheet = crate::i18n::t(ctx.lang, "score-ranking");
    let bytes = thidua_docs::export_table(&sheet, &cols, &body, format).map_err(export_failed)?;
    Ok(crate::imports::download(bytes, format, &f.file))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/ranking/export", summary = "A group's ranking as XLSX, CSV or PDF (who may read the ranking)", tag = "scoring",
    params(("id" = String, Path), RankingExportParams), responses((status = 200, description = "The file"), (status = 400), (status = 403), (status = 404)))]
pub async fn group_ranking_export(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(p): axum::extract::Query<RankingExportParams>,
) -> AppResult<Response> {
    let g = app.store.get_group(&id).await?;
    let s = rules::scheme_of_group(&app, &g).await?;
    rules::may_read_group(&app, &ctx, &s, &g).await?;
    let rows = rules::group_results(&app, &s, &g).await?;
    let f = RankingFile {
        title: format!(
            "{} {} – {} {}",
            crate::i18n::t(ctx.lang, "score-ranking"),
            g.name,
            crate::i18n::t(ctx.lang, "year-label"),
            g.year
        ),
        file: format!("xep-hang-{}-{}-{}", g.kind, g.number, g.year),
        in_group: true,
        format: p.format.as_deref(),
    };
    ranking_file(&app, &ctx, &s, &rows, f).await
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/ranking/export", summary = "The council's ranking under a scheme as XLSX, CSV or PDF (secretariat; everyone covered after publication sees only their group's)", tag = "scoring",
    params(("id" = String, Path), RankingExportParams), responses((status = 200, description = "The file"), (status = 400), (status = 403), (status = 404)))]
pub async fn council_ranking_export(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(p): axum::extract::Query<RankingExportParams>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let rows = rules::council_rows(&app, &s).await?;
    let f = RankingFile {
        title: format!(
            "{} – {} {}",
            crate::i18n::t(ctx.lang, "score-council-ranking"),
            crate::i18n::t(ctx.lang, "year-label"),
            s.year
        ),
        file: format!("xep-hang-{}-{}", s.unit_kind, s.year),
        in_group: false,
        format: p.format.as_deref(),
    };
    ranking_file(&app, &ctx, &s, &rows, f).await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EvidenceParams {
    /// The criterion's code, e.g. "II.2.4"
    pub leaf: String,
    /// The file's name, e.g. "bao-cao.pdf"
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/assessments/{unit_id}/evidence", summary = "Attach an evidence file (PDF, DOCX, XLSX, PNG, JPEG; raw body) to a criterion of the unit's draft", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path), EvidenceParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = thidua_store::FileRef), (status = 403), (status = 404), (status = 409), (status = 413), (status = 422)))]
pub async fn add_evidence(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
    axum::extract::Query(p): axum::extract::Query<EvidenceParams>,
    body: axum::body::Body,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    let body = crate::imports::read_body(body, crate::files::MAX_FILE_BYTES).await?;
    let f = rules::add_evidence(&app, &ctx, &s, &unit_id, p.leaf.trim(), &p.name, &body).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

/// The evidence file, if it belongs to this unit's assessment under this scheme.
async fn evidence_file(
    app: &AppState,
    scheme_id: &str,
    unit_id: &str,
    file_id: &str,
) -> AppResult<()> {
    let a = app
        .store
        .assessment_of(scheme_id, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.evidence.values().flatten().any(|f| f.id == file_id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/assessments/{unit_id}/evidence/{file_id}", summary = "Download an evidence file (whoever may read the assessment)", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path), ("file_id" = String, Path)), responses((status = 200, description = "The file, as an attachment"), (status = 403), (status = 404)))]
pub async fn evidence_download(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id, file_id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_read_unit(&app, &ctx, &s, &unit_id).await?;
    evidence_file(&app, &id, &unit_id, &file_id).await?;
    crate::files::download(State(app), ctx, Path(file_id)).await
}

#[utoipa::path(delete, path = "/api/v1/schemes/{id}/assessments/{unit_id}/evidence/{file_id}", summary = "Withdraw an evidence file from the unit's draft (kept for the record)", tag = "scoring",
    params(("id" = String, Path), ("unit_id" = String, Path), ("file_id" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn evidence_remove(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id, file_id)): Path<(String, String, String)>,
) -> AppResult<StatusCode> {
    app.store.get_scheme(&id).await?;
    rules::may_enter(&app, &ctx, &unit_id).await?;
    evidence_file(&app, &id, &unit_id, &file_id).await?;
    let by = ctx.user()?.user.username.clone();
    app.store
        .remove_evidence(&ctx.audit(), &id, &unit_id, &file_id, &by)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/units/{id}/scores", summary = "A unit's scores across years: totals, band, ranks in its group and council, per year (only the years the caller may read)", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, body = [rules::UnitYear]), (status = 404)))]
pub async fn unit_scores(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<rules::UnitYear>>> {
    ctx.user()?;
    Ok(Json(rules::unit_years(&app, &ctx, &id).await?))
}

fn export_failed(e: thidua_docs::ExportError) -> AppError {
    AppError::Internal(e.message_en())
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/export", summary = "The scheme as an XLSX workbook (criteria, indicators, bands, general)", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, description = "XLSX"), (status = 404)))]
pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let s = app.store.get_scheme(&id).await?;
    let bytes = thidua_docs::export_scheme(s.scheme()).map_err(export_failed)?;
    Ok(crate::imports::download(
        bytes,
        thidua_docs::Format::Xlsx,
        &format!("bang-tieu-chi-{}-{}", s.unit_kind, s.year),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// The kind of unit the imported scheme is for
    pub unit_kind: String,
}

#[utoipa::path(post, path = "/api/v1/years/{id}/schemes/import", summary = "Create a scheme from an XLSX workbook in the export's layout (the raw file as body)", tag = "scoring",
    params(("id" = String, Path), ImportParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = SchemeView), (status = 403), (status = 409), (status = 413), (status = 422, description = "Row errors with sheet, row and column")))]
pub async fn import_scheme(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(p): axum::extract::Query<ImportParams>,
    body: axum::body::Body,
) -> AppResult<Response> {
    rules::may_manage(&app, &ctx, &id).await?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let scheme = thidua_docs::parse_scheme(&body).map_err(crate::imports::file_error)?;
    let by = ctx.user()?.user.username.clone();
    let s = app
        .store
        .create_scheme(&ctx.audit(), &id, &p.unit_kind, scheme, None, &by)
        .await?;
    Ok((StatusCode::CREATED, Json(SchemeView::from(&s))).into_response())
}

#[utoipa::path(get, path = "/api/v1/schemes/{id}/indicator-template", summary = "An XLSX template of indicator counts for the units of the scheme's kind", tag = "scoring",
    params(("id" = String, Path)), responses((status = 200, description = "XLSX"), (status = 403), (status = 404)))]
pub async fn indicator_template(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let codes: Vec<String> = app
        .store
        .all_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == s.unit_kind && u.valid_to.is_none())
        .map(|u| u.code)
        .collect();
    let bytes = thidua_docs::export_indicator_template(&s.scheme().indicators, &codes)
        .map_err(export_failed)?;
    Ok(crate::imports::download(
        bytes,
        thidua_docs::Format::Xlsx,
        &format!("chi-tieu-{}-{}", s.unit_kind, s.year),
    ))
}

#[utoipa::path(post, path = "/api/v1/schemes/{id}/indicator-values/import", summary = "Import indicator counts from XLSX or CSV (unit code, indicator code, numerator, denominator; the raw file as body); whole or nothing", tag = "scoring",
    params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Imported), (status = 403), (status = 404), (status = 409), (status = 413), (status = 422)))]
pub async fn import_values_file(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> AppResult<Json<Imported>> {
    let s = app.store.get_scheme(&id).await?;
    rules::may_manage(&app, &ctx, &s.year_id).await?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let n = rules::import_indicator_file(&app, &ctx, &s, &body).await?;
    Ok(Json(Imported { rows: n }))
}
