//! JSON API for people's yearly records, the register of initiatives and exemplary models.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use thidua_domain::records::{ExemplarInput, InitiativeInput, RecognitionInput, RecordInput};
use thidua_store::{Exemplar, Initiative, InitiativeQuery, PersonRecord, RecordRow};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ImportResult;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::records as rules;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
pub struct YearParam {
    /// The year (default: the current year)
    pub year: Option<i64>,
}

fn this_year() -> i64 {
    use chrono::Datelike;
    i64::from(crate::registrations::today().year())
}

#[utoipa::path(get, path = "/api/v1/units/{id}/records", summary = "The people of a unit with their record of a year (the unit's leader or officer, a council secretariat above it)", tag = "records",
    params(("id" = String, Path), YearParam), responses((status = 200, body = [RecordRow]), (status = 403), (status = 404)))]
pub async fn unit_records(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearParam>,
) -> AppResult<Json<Vec<RecordRow>>> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let year = q.year.unwrap_or_else(this_year);
    Ok(Json(app.store.unit_records(&id, year).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RecordBody {
    /// A person of the unit (or of one of its divisions)
    pub person_id: String,
    pub year: i64,
    /// excellent, good, completed, not_completed (or the Vietnamese wording)
    pub rating: Option<String>,
    /// Start date in the unit, yyyy-mm-dd or dd/mm/yyyy
    pub started_on: Option<String>,
    /// reprimand, warning, salary_reduction, demotion, dismissal, forced_resignation
    pub discipline_form: Option<String>,
    pub discipline_from: Option<String>,
    pub discipline_to: Option<String>,
    pub absence_from: Option<String>,
    pub absence_to: Option<String>,
    pub absence_reason: Option<String>,
    pub note: Option<String>,
    /// When correcting a record: the version that was read
    pub version: Option<i64>,
}

impl RecordBody {
    pub fn input(&self) -> RecordInput {
        RecordInput {
            year: self.year.to_string(),
            rating: self.rating.clone(),
            started_on: self.started_on.clone(),
            discipline_form: self.discipline_form.clone(),
            discipline_from: self.discipline_from.clone(),
            discipline_to: self.discipline_to.clone(),
            absence_from: self.absence_from.clone(),
            absence_to: self.absence_to.clone(),
            absence_reason: self.absence_reason.clone(),
            note: self.note.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/units/{id}/records", summary = "Enter or correct a person's record of a year (rating, discipline, long absence, start date)", tag = "records",
    params(("id" = String, Path)), request_body = RecordBody,
    responses((status = 200, body = PersonRecord), (status = 403), (status = 404), (status = 409), (status = 422, description = "Invalid fields, or a person outside the unit")))]
pub async fn save_record(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<RecordBody>,
) -> AppResult<Json<PersonRecord>> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let d = b.input().validate()?;
    Ok(Json(
        app.store
            .save_record(&ctx.audit(), &id, b.person_id.trim(), &d, b.version)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/units/{id}/records/import", summary = "Import a unit's yearly records from XLSX or CSV (raw body); whole or nothing, row errors name row and column", tag = "records",
    params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 403), (status = 404), (status = 413), (status = 422, description = "Row errors in `rows`")))]
pub async fn import_records(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let n = rules::import_records(&app, &ctx, &id, &body).await?;
    Ok(Json(ImportResult { imported: n }))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/records", summary = "A person's yearly records, newest first", tag = "records",
    params(("id" = String, Path)), responses((status = 200, body = [PersonRecord]), (status = 403), (status = 404)))]
pub async fn person_records(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<PersonRecord>>> {
    ctx.user()?;
    let p = app.store.get_person(&id).await?;
    rules::may_manage_unit(&app, &ctx, &p.unit_id).await?;
    Ok(Json(app.store.person_records(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/initiatives", summary = "The register of initiatives", tag = "records",
    params(InitiativeQuery), responses((status = 200, body = [Initiative])))]
pub async fn list_initiatives(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InitiativeQuery>,
) -> AppResult<Json<Vec<Initiative>>> {
    rules::may_view_register(&ctx)?;
    Ok(Json(app.store.list_initiatives(&q).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct InitiativeBody {
    /// The proposing unit
    pub unit_id: String,
    pub title: String,
    pub year: i64,
    pub summary: Option<String>,
    /// People of the unit, in order; at least one
    #[serde(default)]
    pub author_ids: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/initiatives", summary = "A unit proposes an initiative (its leader or officer)", tag = "records",
    request_body = InitiativeBody, responses((status = 201, body = Initiative), (status = 403), (status = 404), (status = 422, description = "No author, or an author outside the unit")))]
pub async fn propose(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<InitiativeBody>,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, b.unit_id.trim()).await?;
    let d = InitiativeInput {
        title: b.title,
        year: b.year.to_string(),
        summary: b.summary,
        author_ids: b.author_ids,
    }
    .validate()?;
    let ini = app
        .store
        .propose_initiative(&ctx.audit(), b.unit_id.trim(), &d)
        .await?;
    Ok((StatusCode::CREATED, Json(ini)).into_response())
}

#[utoipa::path(get, path = "/api/v1/initiatives/{id}", summary = "An initiative with its authors and recognition", tag = "records",
    params(("id" = String, Path)), responses((status = 200, body = Initiative), (status = 404)))]
pub async fn get_initiative(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Initiative>> {
    rules::may_view_register(&ctx)?;
    Ok(Json(app.store.get_initiative(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RecognitionBody {
    /// unit, sector or national
    pub scope: String,
    /// The recognising body
    pub body: String,
    /// Number and symbol of its document, e.g. 12/QĐ-HĐTĐKT
    pub document_number: String,
    /// yyyy-mm-dd or dd/mm/yyyy
    pub recognised_on: String,
    /// The version that was read
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/initiatives/{id}/recognition", summary = "Record the recognition of an initiative: unit scope by the unit's leader, sector or national scope by the sector council's secretariat", tag = "records",
    params(("id" = String, Path)), request_body = RecognitionBody,
    responses((status = 200, body = Initiative), (status = 403), (status = 404), (status = 409, description = "Already recognised"), (status = 422)))]
pub async fn recognise(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<RecognitionBody>,
) -> AppResult<Json<Initiative>> {
    let ini = app.store.get_initiative(&id).await?;
    let input = RecognitionInput {
        scope: b.scope,
        body: b.body,
        document_number: b.document_number,
        recognised_on: b.recognised_on,
    };
    let d = rules::may_recognise(&app, &ctx, &ini, &input).await?;
    Ok(Json(
        app.store
            .recognise_initiative(&ctx.audit(), &id, &d, b.version)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ExemplarParams {
    pub unit: Option<String>,
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/exemplars", summary = "Exemplary collectives, people and new models with their stories", tag = "records",
    params(ExemplarParams), responses((status = 200, body = [Exemplar])))]
pub async fn list_exemplars(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExemplarParams>,
) -> AppResult<Json<Vec<Exemplar>>> {
    rules::may_view_register(&ctx)?;
    Ok(Json(
        app.store
            .list_exemplars(q.unit.as_deref().filter(|s| !s.is_empty()), q.year)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ExemplarBody {
    pub unit_id: String,
    /// collective, person, model
    pub kind: String,
    pub year: i64,
    pub name: String,
    /// For an exemplary person: a person of the unit
    pub person_id: Option<String>,
    pub story: String,
}

#[utoipa::path(post, path = "/api/v1/exemplars", summary = "Add an exemplary collective, person or new model of a unit (its leader or officer)", tag = "records",
    request_body = ExemplarBody, responses((status = 201, body = Exemplar), (status = 403), (status = 404), (status = 422)))]
pub async fn create_exemplar(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ExemplarBody>,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, b.unit_id.trim()).await?;
    let d = ExemplarInput {
        kind: b.kind,
        year: b.year.to_string(),
        name: b.name,
        person_id: b.person_id,
        story: b.story,
    }
    .validate()?;
    let e = app
        .store
        .create_exemplar(&ctx.audit(), b.unit_id.trim(), &d)
        .await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        unit_records,
        save_record,
        import_records,
        person_records,
        list_initiatives,
        propose,
        get_initiative,
        recognise,
        list_exemplars,
        create_exemplar
    ),
    components(schemas(
        RecordRow,
        PersonRecord,
        Initiative,
        thidua_store::Author,
        Exemplar,
        RecordBody,
        InitiativeBody,
        RecognitionBody,
        ExemplarBody,
        ImportResult
    ))
)]
pub struct RecordsDoc;
