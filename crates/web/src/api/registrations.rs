//! JSON API for title registration: the catalogue, registrations of a year, a group's
//! compiled list, the council's summary, deadlines and reopening, the awards registry.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::auth::{Action, Resource};
use thidua_domain::titles;
use thidua_store::{
    Award, AwardDraft, RegOutcome, RegQuery, Registration, RegistrationDraft, RuleFlag, Window,
};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, Lang};
use crate::registrations as rules;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct TitleInfo {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// collective or individual
    pub kind: String,
    /// state, sector or grassroots
    pub level: String,
    pub legal_basis: String,
    pub valid_from_year: i32,
    pub valid_to_year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    /// refuse or flag
    pub severity: String,
    pub message_vi: String,
    pub message_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct RuleSetInfo {
    pub id: String,
    pub basis: String,
    pub from_year: i32,
    pub to_year: Option<i32>,
    pub rules: Vec<RuleInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    pub titles: Vec<TitleInfo>,
    pub rule_sets: Vec<RuleSetInfo>,
}

#[utoipa::path(get, path = "/api/v1/titles", summary = "The title catalogue and the eligibility rule sets by year", tag = "registration",
    responses((status = 200, body = Catalogue)))]
pub async fn catalogue(ctx: Ctx) -> AppResult<Json<Catalogue>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(Catalogue {
        titles: titles::CATALOGUE
            .iter()
            .map(|t| TitleInfo {
                code: t.code.into(),
                name_vi: t.name_vi.into(),
                name_en: t.name_en.into(),
                kind: t.kind.as_str().into(),
                level: t.level.into(),
                legal_basis: t.legal_basis.into(),
                valid_from_year: t.valid_from_year,
                valid_to_year: t.valid_to_year,
            })
            .collect(),
        rule_sets: titles::RULE_SETS
            .iter()
            .map(|s| RuleSetInfo {
                id: s.id.into(),
                basis: s.basis.into(),
                from_year: s.from_year,
                to_year: s.to_year,
                rules: s
                    .rules
                    .iter()
                    .map(|r| RuleInfo {
                        id: r.id.into(),
                        title: r.title.into(),
                        severity: match r.severity {
                            titles::Severity::Refuse => "refuse".into(),
                            titles::Severity::Flag => "flag".into(),
                        },
                        message_vi: r.message_vi.into(),
                        message_en: r.message_en.into(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Group id: the group's compiled list
    pub group: Option<String>,
    /// Unit id: one unit's registrations
    pub unit: Option<String>,
    /// Also withdrawn registrations
    pub all: Option<bool>,
    /// xlsx (default) or csv, for the export
    pub format: Option<String>,
}

/// Check who may see the list asked for and build its query.
pub(crate) async fn list_query(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    p: &ListParams,
) -> AppResult<RegQuery> {
    app.store.get_year(year_id).await?;
    match (&p.group, &p.unit) {
        (_, Some(u)) => {
            app.store.get_unit(u).await?;
            rules::may_view_unit(app, ctx, year_id, u).await?
        }
        (Some(g), None) => {
            let g = app.store.get_group(g).await?;
            if g.year_id != year_id {
                return Err(AppError::NotFound);
            }
            rules::may_view_group(app, ctx, &g).await?
        }
        (None, None) => rules::may_manage(app, ctx, year_id).await?,
    }
    Ok(RegQuery {
        year_id: year_id.to_owned(),
        group_id: p.group.clone(),
        unit_id: p.unit.clone(),
        include_withdrawn: p.all.unwrap_or(false),
    })
}

#[utoipa::path(get, path = "/api/v1/years/{id}/registrations", summary = "Registrations of a council year: all (secretariat), a group's (its head) or a unit's", tag = "registration",
    params(("id" = String, Path), ListParams), responses((status = 200, body = [Registration]), (status = 403), (status = 404)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> AppResult<Json<Vec<Registration>>> {
    let q = list_query(&app, &ctx, &id, &p).await?;
    Ok(Json(app.store.registrations(&q).await?))
}

/// The 422 answer for an ineligible registration: every failing rule with its id and
/// message; nothing was written.
pub fn ineligible(lang: Lang, rules: &[RuleFlag]) -> Response {
    let body = serde_json::json!({
        "type": "/problems/err-reg-ineligible",
        "title": t(lang, "err-reg-ineligible"),
        "status": 422,
        "rules": rules.iter().map(|r| serde_json::json!({
            "rule": r.rule,
            "message": match lang { Lang::Vi => &r.message_vi, Lang::En => &r.message_en },
            "message_vi": r.message_vi,
            "message_en": r.message_en,
        })).collect::<Vec<_>>(),
    });
    let mut r = (StatusCode::UNPROCESSABLE_ENTITY, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

#[utoipa::path(post, path = "/api/v1/years/{id}/registrations", summary = "Register a title for a unit (no person_id) or one of its people", tag = "registration",
    params(("id" = String, Path)), request_body = RegistrationDraft,
    responses((status = 201, body = Registration, description = "Registered; `flags` name rules that still need evidence"),
        (status = 403), (status = 404),
        (status = 409, description = "Already registered, the deadline has passed, or the unit is in no group that year"),
        (status = 422, description = "Ineligible: `rules` lists each failing rule (id, message); nothing written")))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<RegistrationDraft>,
) -> AppResult<Response> {
    app.store.get_year(&id).await?;
    app.store.get_unit(&b.unit_id).await?;
    rules::may_register(&app, &ctx, &b.unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .register_title(&ctx.audit(), &id, &b, &by, rules::today())
        .await?
    {
        RegOutcome::Registered(r) => Ok((StatusCode::CREATED, Json(*r)).into_response()),
        RegOutcome::Ineligible(f) => Ok(ineligible(ctx.lang, &f)),
    }
}

#[utoipa::path(get, path = "/api/v1/registrations/{id}", summary = "One registration", tag = "registration",
    params(("id" = String, Path)), responses((status = 200, body = Registration), (status = 403), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Registration>> {
    let r = app.store.get_registration(&id).await?;
    rules::may_view_unit(&app, &ctx, &r.year_id, &r.unit_id).await?;
    Ok(Json(r))
}

#[utoipa::path(post, path = "/api/v1/registrations/{id}/withdraw", summary = "Withdraw a registration before the deadline", tag = "registration",
    params(("id" = String, Path)), responses((status = 200, body = Registration), (status = 403), (status = 404), (status = 409)))]
pub async fn withdraw(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Registration>> {
    let r = app.store.get_registration(&id).await?;
    rules::may_register(&app, &ctx, &r.unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    Ok(Json(
        app.store
            .withdraw_registration(&ctx.audit(), &id, &by, rules::today())
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TitleCount {
    pub title_code: String,
    pub title_name: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct GroupSummary {
    pub group_id: String,
    pub group_name: String,
    pub members: usize,
    /// Units with a registered collective title
    pub units_registered: usize,
    pub counts: Vec<TitleCount>,
}

#[derive(Serialize, ToSchema)]
pub struct Summary {
    pub year_id: String,
    pub year: i64,
    pub window: Window,
    pub groups: Vec<GroupSummary>,
    pub totals: Vec<TitleCount>,
}

pub(crate) fn title_counts(regs: &[Registration], lang: Lang) -> Vec<TitleCount> {
    rules::counts(regs)
        .into_iter()
        .map(|(c, n)| TitleCount {
            title_code: c.into(),
            title_name: rules::title_name(c, lang),
            count: n,
        })
        .collect()
}

pub(crate) async fn summary_of(app: &AppState, year_id: &str, lang: Lang) -> AppResult<Summary> {
    let y = app.store.get_year(year_id).await?;
    let regs = app
        .store
        .registrations(&RegQuery {
            year_id: year_id.to_owned(),
            ..RegQuery::default()
        })
        .await?;
    let groups = app
        .store
        .groups_of_year(year_id)
        .await?
        .into_iter()
        .map(|g| {
            let mine: Vec<Registration> = regs
                .iter()
                .filter(|r| r.group_id.as_deref() == Some(g.id.as_str()))
                .cloned()
                .collect();
            let mut units: Vec<&str> = mine
                .iter()
                .filter(|r| r.person_id.is_none())
                .map(|r| r.unit_id.as_str())
                .collect();
            units.dedup();
            GroupSummary {
                group_id: g.id.clone(),
                group_name: g.name.clone(),
                members: g.members.len(),
                units_registered: units.len(),
                counts: title_counts(&mine, lang),
            }
        })
        .collect();
    Ok(Summary {
        year_id: y.id.clone(),
        year: y.year,
        window: app.store.registration_window(year_id).await?,
        groups,
        totals: title_counts(&regs, lang),
    })
}

#[utoipa::path(get, path = "/api/v1/years/{id}/registration-summary", summary = "The council's view: every group with its counts per title", tag = "registration",
    params(("id" = String, Path)), responses((status = 200, body = Summary), (status = 403), (status = 404)))]
pub async fn summary(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Summary>> {
    app.store.get_year(&id).await?;
    rules::may_manage(&app, &ctx, &id).await?;
    Ok(Json(summary_of(&app, &id, ctx.lang).await?))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/registrations", summary = "A group's compiled list (its head unit, the secretariat)", tag = "registration",
    params(("id" = String, Path)), responses((status = 200, body = [Registration]), (status = 403), (status = 404)))]
pub async fn group_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Registration>>> {
    let g = app.store.get_group(&id).await?;
    rules::may_view_group(&app, &ctx, &g).await?;
    Ok(Json(
        app.store
            .registrations(&RegQuery {
                year_id: g.year_id.clone(),
                group_id: Some(g.id.clone()),
                ..RegQuery::default()
            })
            .await?,
    ))
}

/// Export a list (XLSX by default) for whoever may see it.
pub(crate) async fn export_response(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    p: &ListParams,
) -> AppResult<Response> {
    let q = list_query(app, ctx, year_id, p).await?;
    if p.format.as_deref() == Some("pdf") {
        return export_pdf(app, ctx, year_id, &q).await;
    }
    let format = match p.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => thidua_docs::Format::Xlsx,
        "csv" => thidua_docs::Format::Csv,
        _ => return Err(AppError::BadRequest("err-bad-request".into())),
    };
    let regs = app.store.registrations(&q).await?;
    let (cols, rows) = rules::list_table(&regs, ctx.lang);
    let bytes = thidua_docs::export_table(&t(ctx.lang, "reg-sheet"), &cols, &rows, format)
        .map_err(|e| AppError::Internal(e.message_en()))?;
    let y = app.store.get_year(year_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"dang-ky-thi-dua-{}.{}\"",
                    y.year,
                    format.extension()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The registration list as an official PDF: the council's letterhead, the list as a table
/// whose header repeats on every page.
async fn export_pdf(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    q: &thidua_store::RegQuery,
) -> AppResult<Response> {
    let regs = app.store.registrations(q).await?;
    let (cols, rows) = rules::list_table(&regs, ctx.lang);
    let y = app.store.get_year(year_id).await?;
    let council = app.store.get_council(&y.council_id).await?;
    let unit = app.store.get_unit(&council.unit_id).await?;
    let head = thidua_pdf::Letterhead {
        parent_body: Some(unit.name.to_uppercase()),
        issuer: council.name.to_uppercase(),
        place: None,
    };
    // Narrow columns for the number and counts, wider ones for names.
    let columns: Vec<thidua_pdf::Column> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| thidua_pdf::Column {
            title: c.clone(),
            width: if i == 0 { 0.4 } else { 1.0 },
        })
        .collect();
    let title = format!("{} {}", t(ctx.lang, "reg-pdf-title"), y.year);
    let subtitle = format!("{}: {}", t(ctx.lang, "reg-pdf-count"), rows.len());
    let today = chrono::Utc::now().date_naive();
    let bytes = tokio::task::spawn_blocking(move || {
        thidua_pdf::render_table(
            &head,
            None,
            Some(today),
            &title,
            Some(&subtitle),
            &columns,
            &rows,
            None,
            None,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::pdf::response(
        &format!("dang-ky-thi-dua-{}.pdf", y.year),
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/years/{id}/registrations/export", summary = "Export registrations (XLSX, CSV or PDF), filtered like the list", tag = "registration",
    params(("id" = String, Path), ListParams), responses((status = 200, description = "The file"), (status = 403), (status = 404)))]
pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    export_response(&app, &ctx, &id, &p).await
}

#[utoipa::path(get, path = "/api/v1/years/{id}/registration-window", summary = "The year's registration deadline and any reopening", tag = "registration",
    params(("id" = String, Path)), responses((status = 200, body = Window), (status = 404)))]
pub async fn window(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Window>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.registration_window(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DeadlineBody {
    /// yyyy-mm-dd or dd/mm/yyyy
    pub deadline: String,
}

#[utoipa::path(put, path = "/api/v1/years/{id}/registration-window", summary = "Set the registration deadline (council secretariat)", tag = "registration",
    params(("id" = String, Path)), request_body = DeadlineBody, responses((status = 200, body = Window), (status = 403), (status = 404), (status = 422)))]
pub async fn set_deadline(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<DeadlineBody>,
) -> AppResult<Json<Window>> {
    rules::may_manage(&app, &ctx, &id).await?;
    Ok(Json(
        app.store
            .set_registration_deadline(&ctx.audit(), &id, &b.deadline)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReopenBody {
    /// yyyy-mm-dd or dd/mm/yyyy: registrations accepted until this day
    pub until: String,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/years/{id}/registration-window/reopen", summary = "Reopen registration after the deadline (council secretariat), with the reason", tag = "registration",
    params(("id" = String, Path)), request_body = ReopenBody, responses((status = 200, body = Window), (status = 403), (status = 404), (status = 422)))]
pub async fn reopen(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ReopenBody>,
) -> AppResult<Json<Window>> {
    rules::may_manage(&app, &ctx, &id).await?;
    let by = ctx.user()?.user.username.clone();
    Ok(Json(
        app.store
            .reopen_registration(&ctx.audit(), &id, &b.until, &b.reason, &by)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/awards", summary = "Record an award in the registry (council secretariat over the unit)", tag = "registration",
    request_body = AwardDraft, responses((status = 201, body = Award), (status = 403), (status = 404), (status = 422)))]
pub async fn record_award(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<AwardDraft>,
) -> AppResult<Response> {
    app.store.get_unit(&b.unit_id).await?;
    let chain = app.store.unit_chain(&b.unit_id).await?;
    ctx.may(Action::ManageRegistrations, &Resource::unit(&chain))?;
    let a = app.store.record_award(&ctx.audit(), &b).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(post, path = "/api/v1/people/{id}/facts", summary = "Record what eligibility needs about a person: recruitment date, discipline or a recognised initiative in a year (council secretariat over the person's unit)", tag = "registration",
    params(("id" = String, Path)), request_body = thidua_store::PersonFact, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn record_fact(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<thidua_store::PersonFact>,
) -> AppResult<StatusCode> {
    let p = app.store.get_person(&id).await?;
    let chain = app.store.unit_chain(&p.unit_id).await?;
    ctx.may(Action::ManageRegistrations, &Resource::unit(&chain))?;
    app.store.add_person_fact(&ctx.audit(), &id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
