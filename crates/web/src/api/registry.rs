//! JSON API of the awards registry: search, histories, one award, the import and the year
//! report of a council.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use thidua_store::{Page, RegistryEntry, RegistryQuery};
use utoipa::{IntoParams, OpenApi};

use crate::api::ImportResult;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::registry as rules;
use crate::registry::{CountLine, GroupLine, TitleLine, TrendPoint, YearReport};
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SearchParams {
    pub year: Option<i64>,
    /// A council: its units and those below
    pub council: Option<String>,
    pub unit: Option<String>,
    pub person: Option<String>,
    /// A title or form code
    pub title: Option<String>,
    /// yearly, themed, sudden, long_service, foreign
    pub kind: Option<String>,
    /// collective or individual
    pub awardee: Option<String>,
    /// year (newest first), year_asc, title, unit
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The query the caller may run: their readable units, narrowed to the council's.
pub async fn query(app: &AppState, ctx: &Ctx, p: &SearchParams) -> AppResult<RegistryQuery> {
    let mut units = rules::readable_units(app, ctx).await?;
    if let Some(c) = blank(&p.council) {
        let council = app.store.get_council(&c).await?;
        let sub = rules::subtree(app, &council.unit_id).await?;
        units = Some(match units {
            None => sub,
            Some(u) => u.intersection(&sub).cloned().collect(),
        });
    }
    let kind = blank(&p.kind);
    if kind
        .as_deref()
        .is_some_and(|k| !thidua_store::AWARD_KINDS.contains(&k))
    {
        return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "kind",
            "err-regy-bad-kind",
        )]));
    }
    let (page, per_page) = thidua_store::paging(p.page, p.per_page);
    Ok(RegistryQuery {
        units: units.map(|u| u.into_iter().collect()),
        year: p.year,
        unit_id: blank(&p.unit),
        person_id: blank(&p.person),
        title_code: blank(&p.title),
        kind,
        awardee: blank(&p.awardee),
        sort: blank(&p.sort),
        page,
        per_page,
    })
}

#[utoipa::path(get, path = "/api/v1/registry", summary = "Search the awards registry (paged, sorted; only the units the caller reads)", tag = "registry",
    params(SearchParams), responses((status = 200, description = "A page of registry entries"), (status = 403), (status = 422)))]
pub async fn search(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<Page<RegistryEntry>>> {
    let q = query(&app, &ctx, &p).await?;
    Ok(Json(app.store.search_registry(&q).await?))
}

#[utoipa::path(get, path = "/api/v1/awards/{id}", summary = "One award of the registry", tag = "registry",
    params(("id" = String, Path)), responses((status = 200, body = RegistryEntry), (status = 403), (status = 404)))]
pub async fn entry(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<RegistryEntry>> {
    ctx.user()?;
    let e = app.store.registry_entry(&id).await?;
    rules::may_read_unit(&app, &ctx, &e.unit_id).await?;
    Ok(Json(e))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Also the awards of the unit's people
    pub people: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/units/{id}/awards", summary = "A unit's award history, newest first: its collective awards (and with people=true its people's) — the unit's leader or officer, a secretariat above it, an auditor", tag = "registry",
    params(("id" = String, Path), HistoryParams), responses((status = 200, body = [RegistryEntry]), (status = 403), (status = 404)))]
pub async fn unit_awards(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(p): Query<HistoryParams>,
) -> AppResult<Json<Vec<RegistryEntry>>> {
    rules::may_read_unit(&app, &ctx, &id).await?;
    let mut all = app.store.unit_award_history(&id).await?;
    if !p.people.unwrap_or(false) {
        all.retain(|e| e.person_id.is_none());
    }
    Ok(Json(all))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/awards", summary = "A person's award history, newest first (who reads the person's unit's awards)", tag = "registry",
    params(("id" = String, Path)), responses((status = 200, body = [RegistryEntry]), (status = 403), (status = 404)))]
pub async fn person_awards(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<RegistryEntry>>> {
    ctx.user()?;
    let p = app.store.get_person(&id).await?;
    rules::may_read_unit(&app, &ctx, &p.unit_id).await?;
    Ok(Json(app.store.person_award_history(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/registry/import", summary = "Import registry rows for the years before the system from XLSX or CSV (raw body; council secretariat); whole or nothing, row errors name row and column", tag = "registry",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 403), (status = 413), (status = 422, description = "Row errors in `rows`")))]
pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    rules::import_scope(&ctx)?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let n = rules::import(&app, &ctx, &body).await?;
    Ok(Json(ImportResult { imported: n }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ReportParams {
    /// The council (default: the first the caller reports on)
    pub council: Option<String>,
    /// The year (default: last year)
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/registry/report", summary = "A council's year report: registrations vs awards, titles by kind and group, cash per title, the ten-year trend (council secretariat, auditors)", tag = "registry",
    params(ReportParams), responses((status = 200, body = YearReport), (status = 403), (status = 404)))]
pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ReportParams>,
) -> AppResult<Json<YearReport>> {
    let (council, year) = crate::pages::registry::pick(&app, &ctx, p.council, p.year).await?;
    Ok(Json(rules::year_report(&app, &ctx, &council, year).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(search, entry, unit_awards, person_awards, import, report),
    components(schemas(
        RegistryEntry,
        YearReport,
        TitleLine,
        CountLine,
        GroupLine,
        TrendPoint,
        thidua_store::BaseSalary,
        thidua_store::CashMultiple
    ))
)]
pub struct RegistryDoc;
