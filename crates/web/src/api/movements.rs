//! JSON API for emulation movements: the movements, their legal basis, who joined them.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::movement::MovementInput;
use thidua_store::{JoinedMovement, Movement, MovementParticipant, MovementQuery};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::movements as rules;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct MovementPage {
    pub items: Vec<Movement>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[utoipa::path(get, path = "/api/v1/movements", summary = "List and search emulation movements", tag = "movements",
    params(MovementQuery), responses((status = 200, body = MovementPage)))]
pub async fn list_movements(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MovementQuery>,
) -> AppResult<Json<MovementPage>> {
    rules::may_view(&ctx)?;
    let p = app.store.list_movements(&q).await?;
    Ok(Json(MovementPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MovementBody {
    /// The launching council (or the council carrying out a Government movement)
    pub council_id: String,
    pub name: String,
    pub theme: Option<String>,
    /// government, sector, council
    pub level: String,
    /// regular (yearly, "thường xuyên") or themed
    pub kind: String,
    /// First year of the period, e.g. 2021
    pub period_from: Option<i64>,
    /// Last year of the period, e.g. 2025; null for an ongoing movement
    pub period_to: Option<i64>,
    /// Legal basis documents (ids of the documents registry), in order; on create only
    #[serde(default)]
    pub document_ids: Vec<String>,
    /// On update: the version that was read
    pub version: Option<i64>,
}

impl MovementBody {
    fn input(&self) -> MovementInput {
        MovementInput {
            name: self.name.clone(),
            theme: self.theme.clone(),
            level: self.level.clone(),
            kind: self.kind.clone(),
            period_from: self.period_from.map(|y| y.to_string()),
            period_to: self.period_to.map(|y| y.to_string()),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/movements", summary = "Create a movement (as a draft)", tag = "movements",
    request_body = MovementBody,
    responses((status = 201, body = Movement), (status = 403), (status = 422, description = "Invalid fields")))]
pub async fn create_movement(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<MovementBody>,
) -> AppResult<Response> {
    rules::may_manage(&app, &ctx, &b.council_id).await?;
    let d = b.input().validate()?;
    let m = app
        .store
        .create_movement(&ctx.audit(), &b.council_id, &d, &b.document_ids)
        .await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[utoipa::path(get, path = "/api/v1/movements/{id}", summary = "A movement with its legal basis", tag = "movements",
    params(("id" = String, Path)), responses((status = 200, body = Movement), (status = 404)))]
pub async fn get_movement(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Movement>> {
    rules::may_view(&ctx)?;
    Ok(Json(app.store.get_movement(&id).await?))
}

#[utoipa::path(put, path = "/api/v1/movements/{id}", summary = "Edit a movement (send the version you read)", tag = "movements",
    params(("id" = String, Path)), request_body = MovementBody,
    responses((status = 200, body = Movement), (status = 403), (status = 404), (status = 409, description = "Someone else saved first; `current` holds their version"), (status = 422)))]
pub async fn update_movement(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<MovementBody>,
) -> AppResult<Json<Movement>> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    if b.council_id != m.council.id {
        rules::may_manage(&app, &ctx, &b.council_id).await?;
    }
    let d = b.input().validate()?;
    let version = b.version.ok_or_else(|| {
        crate::error::AppError::Invalid(vec![thidua_domain::FieldError::new(
            "version",
            "err-required",
        )])
    })?;
    Ok(Json(
        app.store
            .update_movement(&ctx.audit(), &id, &b.council_id, &d, version)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// active (launch or reopen) or closed
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/movements/{id}/status", summary = "Launch, close or reopen a movement", tag = "movements",
    params(("id" = String, Path)), request_body = StatusBody,
    responses((status = 200, body = Movement), (status = 403), (status = 404), (status = 409, description = "Not allowed from the current status"), (status = 422, description = "Unknown status")))]
pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<StatusBody>,
) -> AppResult<Json<Movement>> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    Ok(Json(
        app.store
            .set_movement_status(&ctx.audit(), &id, &b.status)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BasisBody {
    /// A document of the legal documents registry
    pub document_id: String,
}

#[utoipa::path(post, path = "/api/v1/movements/{id}/bases", summary = "Add a legal basis document", tag = "movements",
    params(("id" = String, Path)), request_body = BasisBody,
    responses((status = 200, body = Movement), (status = 403), (status = 404), (status = 409, description = "Already a basis"), (status = 422)))]
pub async fn add_basis(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<BasisBody>,
) -> AppResult<Json<Movement>> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    Ok(Json(
        app.store
            .add_movement_basis(&ctx.audit(), &id, &b.document_id)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/movements/{id}/bases/{document_id}", summary = "Remove a legal basis document", tag = "movements",
    params(("id" = String, Path), ("document_id" = String, Path)),
    responses((status = 200, body = Movement), (status = 403), (status = 404)))]
pub async fn remove_basis(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<Json<Movement>> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    Ok(Json(
        app.store
            .remove_movement_basis(&ctx.audit(), &id, &document_id)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ParticipantParams {
    /// Only that year
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/movements/{id}/participants", summary = "Groups and units that joined, by year", tag = "movements",
    params(("id" = String, Path), ParticipantParams), responses((status = 200, body = [MovementParticipant]), (status = 404)))]
pub async fn participants(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ParticipantParams>,
) -> AppResult<Json<Vec<MovementParticipant>>> {
    rules::may_view(&ctx)?;
    app.store.get_movement(&id).await?;
    Ok(Json(app.store.movement_participants(&id, q.year).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinBody {
    /// A group joins for its own year
    pub group_id: Option<String>,
    /// Or a unit, for `year`
    pub unit_id: Option<String>,
    /// Required for a unit; for a group it must be the group's year if given
    pub year: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/movements/{id}/participants", summary = "A group or unit joins the movement for a year", tag = "movements",
    params(("id" = String, Path)), request_body = JoinBody,
    responses((status = 201, body = MovementParticipant), (status = 403), (status = 404),
        (status = 409, description = "Already joined that year, or the movement is not active"),
        (status = 422, description = "Year outside the movement's period, or no group or unit")))]
pub async fn join(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<JoinBody>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    let who = rules::joiner(b.group_id, b.unit_id)?;
    rules::may_join(&app, &ctx, &m, &who).await?;
    let p = app
        .store
        .join_movement(&ctx.audit(), &id, &who, b.year)
        .await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/movements/{id}/participants/{participant_id}", summary = "A group or unit leaves the movement", tag = "movements",
    params(("id" = String, Path), ("participant_id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "The movement is not active")))]
pub async fn leave(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, participant_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    let p = app.store.get_movement_participant(&participant_id).await?;
    if p.movement_id != id {
        return Err(crate::error::AppError::NotFound);
    }
    let who = match (&p.group, &p.unit) {
        (Some(g), _) => thidua_store::Joiner::Group(g.id.clone()),
        (_, Some(u)) => thidua_store::Joiner::Unit(u.id.clone()),
        _ => return Err(crate::error::AppError::NotFound),
    };
    rules::may_join(&app, &ctx, &m, &who).await?;
    app.store
        .leave_movement(&ctx.audit(), &id, &participant_id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/movements", summary = "The movements a group joined", tag = "movements",
    params(("id" = String, Path)), responses((status = 200, body = [JoinedMovement]), (status = 404)))]
pub async fn group_movements(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<JoinedMovement>>> {
    rules::may_view(&ctx)?;
    app.store.get_group(&id).await?;
    Ok(Json(app.store.movements_of_group(&id).await?))
}

/// The movements part of the OpenAPI document, merged into the main one.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_movements,
    create_movement,
    get_movement,
    update_movement,
    set_status,
    add_basis,
    remove_basis,
    participants,
    join,
    leave,
    group_movements
))]
pub struct MovementsDoc;
