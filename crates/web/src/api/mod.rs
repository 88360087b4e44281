//! The JSON API under /api/v1. Handlers share their rules with the pages; errors are
//! problem+json (rendered by the context middleware).

pub mod activities;
pub mod documents;
pub mod groups;
pub mod movements;
pub mod proposals;
pub mod records;
pub mod registrations;
pub mod registry;
pub mod scoring;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::auth::{Action, Resource};
use thidua_domain::unit::{PersonInput, UnitInput};
use thidua_store::{ApiToken, LineageEvent, Person, Unit};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{audit as audit_pages, people as people_pages, units as unit_pages};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<Unit>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<Person>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub lang: String,
    /// Role grants: role and scope unit id (null = system-wide).
    pub grants: Vec<serde_json::Value>,
    /// Send as X-CSRF-Token on state-changing requests made with the session cookie.
    pub csrf_token: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me", summary = "The signed-in user", tag = "account",
    responses((status = 200, body = Me), (status = 401, description = "Not signed in")))]
pub async fn me(ctx: Ctx) -> AppResult<Json<Me>> {
    let p = ctx.user()?;
    Ok(Json(Me {
        id: p.user.id.clone(),
        username: p.user.username.clone(),
        display_name: p.user.display_name.clone(),
        lang: p.user.lang.clone(),
        grants: p
            .actor
            .grants
            .iter()
            .map(|g| serde_json::json!({"role": g.role.as_str(), "scope_unit": g.scope_unit}))
            .collect(),
        csrf_token: (!p.via_token).then(|| ctx.csrf.clone()),
    }))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct UnitListParams {
    /// Search without diacritics: "tra vinh" finds "Trà Vinh"
    pub q: Option<String>,
    /// supreme, department, high_level, provincial, district, regional, division
    pub kind: Option<String>,
    /// Parent unit id
    pub parent: Option<String>,
    /// yyyy-mm-dd: only units valid on that date
    pub valid_on: Option<String>,
    pub page: Option<String>,
    /// At most 200
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units", summary = "List and search units (Vietnamese order)", tag = "units",
    params(UnitListParams), responses((status = 200, body = UnitPage)))]
pub async fn list_units(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<UnitListParams>,
) -> AppResult<Json<UnitPage>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let q = unit_pages::ListParams {
        q: p.q,
        kind: p.kind,
        parent: p.parent,
        valid_on: p.valid_on,
        page: p.page,
        per_page: p.per_page,
    }
    .to_query()?;
    let page = app.store.list_units(&q).await?;
    Ok(Json(UnitPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UnitBody {
    pub code: String,
    /// supreme, department, high_level, provincial, district, regional, division
    pub kind: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<String>,
    /// yyyy-mm-dd
    pub valid_from: Option<String>,
    /// yyyy-mm-dd
    pub valid_to: Option<String>,
    /// Required when updating: the version you read.
    pub version: Option<i64>,
}

impl UnitBody {
    fn input(&self) -> UnitInput {
        UnitInput {
            code: self.code.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            parent_id: self.parent_id.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/units", summary = "Create a unit", tag = "units", request_body = UnitBody,
    responses((status = 201, body = Unit), (status = 403), (status = 409), (status = 422)))]
pub async fn create_unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<UnitBody>,
) -> AppResult<Response> {
    ctx.user()?;
    let d = match b.input().validate() {
        Ok(d) => d,
        Err(e) => {
            // Permission first where it can be known, so outsiders learn nothing.
            unit_pages::check_create(&app, &ctx, b.parent_id.as_deref().filter(|s| !s.is_empty()))
                .await?;
            return Err(e.into());
        }
    };
    unit_pages::check_create(&app, &ctx, d.parent_id.as_deref()).await?;
    let u = app.store.create_unit(&ctx.audit(), &d).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[utoipa::path(get, path = "/api/v1/units/{id}", summary = "One unit", tag = "units",
    params(("id" = String, Path)), responses((status = 200, body = Unit), (status = 404)))]
pub async fn get_unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Unit>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_unit(&id).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{id}", summary = "Edit a unit (optimistic concurrency on version)", tag = "units",
    params(("id" = String, Path)), request_body = UnitBody,
    responses((status = 200, body = Unit), (status = 403), (status = 404), (status = 409, description = "Stale version; `current` holds the stored unit"), (status = 422)))]
pub async fn update_unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<UnitBody>,
) -> AppResult<Json<Unit>> {
    let chain = app.store.unit_chain(&id).await?;
    app.store.get_unit(&id).await?;
    ctx.may(Action::EditUnit, &Resource::unit(&chain))?;
    let version = b.version.ok_or_else(|| {
        AppError::Invalid(vec![thidua_domain::FieldError::new(
            "version",
            "err-required",
        )])
    })?;
    let d = b.input().validate()?;
    Ok(Json(
        unit_pages::save_edit(&app, &ctx, &id, &d, version).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}/lineage", summary = "Mergers, splits and renamings of a unit", tag = "units",
    params(("id" = String, Path)), responses((status = 200, body = [LineageEvent])))]
pub async fn unit_lineage(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<LineageEvent>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_unit(&id).await?;
    Ok(Json(app.store.lineage_of(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/lineage", summary = "Record a merger, split or renaming", tag = "units",
    request_body = unit_pages::LineageRequest, responses((status = 201, body = LineageEvent), (status = 403), (status = 422)))]
pub async fn record_lineage(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<unit_pages::LineageRequest>,
) -> AppResult<Response> {
    ctx.user()?;
    let ev = unit_pages::record_lineage(&app, &ctx, &b).await?;
    Ok((StatusCode::CREATED, Json(ev)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

#[utoipa::path(post, path = "/api/v1/units/import", summary = "Import units from XLSX or CSV (the raw file as body); whole or nothing", tag = "units",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 413), (status = 422, description = "Row errors in `rows`")))]
pub async fn import_units(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    crate::imports::may_import_units(&ctx)?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let n = crate::imports::import_units(&app, &ctx, &body).await?;
    Ok(Json(ImportResult { imported: n }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// xlsx (default) or csv
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units/export", summary = "Export all units as XLSX or CSV", tag = "units",
    params(ExportParams), responses((status = 200, description = "The file")))]
pub async fn export_units(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ExportParams>,
) -> AppResult<Response> {
    ctx.may(Action::ExportUnits, &Resource::SYSTEM)?;
    crate::imports::export_units(&app, p.format.as_deref()).await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PersonListParams {
    pub q: Option<String>,
    /// Unit id
    pub unit: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/people", summary = "List and search people", tag = "people",
    params(PersonListParams), responses((status = 200, body = PersonPage)))]
pub async fn list_people(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PersonListParams>,
) -> AppResult<Json<PersonPage>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let q = people_pages::ListParams {
        q: p.q,
        unit: p.unit,
        page: p.page,
        per_page: p.per_page,
    }
    .to_query()?;
    let page = app.store.list_people(&q).await?;
    Ok(Json(PersonPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonBody {
    pub full_name: String,
    pub position: String,
    pub unit_id: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// Required when updating
    pub version: Option<i64>,
}

impl PersonBody {
    fn input(&self) -> PersonInput {
        PersonInput {
            full_name: self.full_name.clone(),
            position: self.position.clone(),
            unit_id: self.unit_id.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/people", summary = "Add a person to a unit", tag = "people", request_body = PersonBody,
    responses((status = 201, body = Person), (status = 403), (status = 422)))]
pub async fn create_person(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<PersonBody>,
) -> AppResult<Response> {
    ctx.user()?;
    let d = b.input().validate()?;
    let p = people_pages::save_new(&app, &ctx, &d).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[utoipa::path(get, path = "/api/v1/people/{id}", summary = "One person", tag = "people",
    params(("id" = String, Path)), responses((status = 200, body = Person), (status = 404)))]
pub async fn get_person(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Person>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_person(&id).await?))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", summary = "Edit a person", tag = "people",
    params(("id" = String, Path)), request_body = PersonBody,
    responses((status = 200, body = Person), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_person(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<PersonBody>,
) -> AppResult<Json<Person>> {
    let before = app.store.get_person(&id).await?;
    people_pages::check_unit(&app, &ctx, &before.unit_id).await?;
    let version = b.version.ok_or_else(|| {
        AppError::Invalid(vec![thidua_domain::FieldError::new(
            "version",
            "err-required",
        )])
    })?;
    let d = b.input().validate()?;
    Ok(Json(
        people_pages::save_edit(&app, &ctx, &id, &d, version).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/people/import", summary = "Import people from XLSX or CSV (raw body); whole or nothing", tag = "people",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 413), (status = 422)))]
pub async fn import_people(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    crate::imports::may_import_people(&ctx)?;
    let body = crate::imports::read_body(body, thidua_docs::MAX_IMPORT_BYTES).await?;
    let n = crate::imports::import_people(&app, &ctx, &body).await?;
    Ok(Json(ImportResult { imported: n }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit", summary = "The audit trail, newest first (administrators, auditors)", tag = "audit",
    params(AuditParams), responses((status = 200, description = "A page of audit records"), (status = 403)))]
pub async fn list_audit(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<AuditParams>,
) -> AppResult<Json<serde_json::Value>> {
    ctx.may(Action::ViewAudit, &Resource::SYSTEM)?;
    let f = audit_pages::Params {
        entity: p.entity,
        entity_id: p.entity_id,
        actor: p.actor,
        action: p.action,
        page: p.page,
        per_page: p.per_page,
        ..Default::default()
    }
    .filter()?;
    let page = app.store.list_audit(&f).await?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| AppError::Internal(e.to_string()))?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct VerifyParams {
    /// `true`: also recompute every audited entity's stored rows and compare them with the
    /// digest the trail last sealed (reads every audited table).
    pub deep: Option<bool>,
    /// A chain head published earlier, `SEQ:HASH`: report a break if it is no longer in the
    /// chain (rows removed from the end and the recorded head rewritten).
    pub head: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/verify", summary = "Verify the audit trail's hash chain, and with deep=true the data it sealed", tag = "audit",
    params(VerifyParams),
    responses((status = 200, description = "Report: rows checked, the chain head (head_seq, head_hash) to publish, the first break if any, and with deep=true a `data` report listing entities changed, added or deleted outside the application"), (status = 403), (status = 422)))]
pub async fn verify_audit(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<VerifyParams>,
) -> AppResult<Json<serde_json::Value>> {
    ctx.may(Action::ViewAudit, &Resource::SYSTEM)?;
    let published = p
        .head
        .as_deref()
        .filter(|h| !h.trim().is_empty())
        .map(str::parse::<thidua_store::PublishedHead>)
        .transpose()?;
    let r = app.store.verify_audit_against(published.as_ref()).await?;
    let mut v = serde_json::to_value(r).map_err(|e| AppError::Internal(e.to_string()))?;
    if p.deep == Some(true) {
        let d = app.store.verify_data().await?;
        v["data"] = serde_json::to_value(d).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/v1/tokens", summary = "My API access tokens", tag = "account",
    responses((status = 200, body = [ApiToken])))]
pub async fn list_tokens(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<ApiToken>>> {
    let p = ctx.user()?;
    Ok(Json(app.store.list_tokens(&p.user.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    /// Shown once; send as `Authorization: Bearer <token>`
    pub token: String,
    #[serde(flatten)]
    pub record: ApiToken,
}

#[utoipa::path(post, path = "/api/v1/tokens", summary = "Create an API access token", tag = "account",
    request_body = TokenBody, responses((status = 201, body = NewToken), (status = 422)))]
pub async fn create_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<TokenBody>,
) -> AppResult<Response> {
    ctx.may(Action::ManageOwnTokens, &Resource::SYSTEM)?;
    let (token, record) = crate::pages::account::make_token(&app, &ctx, &b.name).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, record })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", summary = "Revoke one of my API tokens", tag = "account",
    params(("id" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let p = ctx.user()?;
    app.store
        .revoke_token(&ctx.audit(), &p.user.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
