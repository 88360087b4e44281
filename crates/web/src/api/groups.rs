//! JSON API for councils, years, legal documents, groups, conferences and elections.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::auth::{Action, Resource};
use thidua_store::{
    Conference, ConferenceDraft, Council, DocumentDraft, Election, ElectionDraft, EmulationYear,
    Group, GroupDraft, GroupRef, LegalDocument, PublishedBallot, UnitBrief, YearDraft,
};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::groups as rules;
use crate::AppState;

#[utoipa::path(get, path = "/api/v1/councils", summary = "Emulation and commendation councils", tag = "groups",
    responses((status = 200, body = [Council])))]
pub async fn list_councils(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Council>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.list_councils().await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CouncilBody {
    pub unit_id: String,
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/councils", summary = "Create a council for an organising unit (administrators)", tag = "groups",
    request_body = CouncilBody, responses((status = 201, body = Council), (status = 403), (status = 409)))]
pub async fn create_council(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<CouncilBody>,
) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    let c = app
        .store
        .create_council(&ctx.audit(), &b.unit_id, &b.name)
        .await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct YearRef {
    pub id: String,
    pub year: i64,
}

#[utoipa::path(get, path = "/api/v1/councils/{id}/years", summary = "A council's emulation years", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [YearRef])))]
pub async fn council_years(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<YearRef>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_council(&id).await?;
    Ok(Json(
        app.store
            .years_of(&id)
            .await?
            .into_iter()
            .map(|(id, year)| YearRef { id, year })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/councils/{id}/years", summary = "Open an emulation year (theme, motto, documents, deadlines)", tag = "groups",
    params(("id" = String, Path)), request_body = YearDraft, responses((status = 201, body = EmulationYear), (status = 403), (status = 409), (status = 422)))]
pub async fn create_year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<YearDraft>,
) -> AppResult<Response> {
    let c = app.store.get_council(&id).await?;
    rules::may_manage(&app, &ctx, &c.unit_id).await?;
    let y = app.store.create_year(&ctx.audit(), &id, &b).await?;
    Ok((StatusCode::CREATED, Json(y)).into_response())
}

#[utoipa::path(get, path = "/api/v1/years/{id}", summary = "An emulation year", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = EmulationYear)))]
pub async fn get_year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<EmulationYear>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_year(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/years/{id}/groups", summary = "The year's clusters and blocks", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [Group])))]
pub async fn year_groups(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Group>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_year(&id).await?;
    Ok(Json(app.store.groups_of_year(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/years/{id}/unassigned", summary = "Units of the council in no group that year", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [UnitBrief])))]
pub async fn year_unassigned(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<UnitBrief>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.unassigned_units(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/years/{id}/groups", summary = "Create a cluster or block with its members", tag = "groups",
    params(("id" = String, Path)), request_body = GroupDraft,
    responses((status = 201, body = Group), (status = 403), (status = 409, description = "A member is already in another group that year")))]
pub async fn create_group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<GroupDraft>,
) -> AppResult<Response> {
    let y = app.store.get_year(&id).await?;
    let c = app.store.get_council(&y.council_id).await?;
    rules::may_manage(&app, &ctx, &c.unit_id).await?;
    let g = app
        .store
        .create_group(&ctx.audit(), &id, &b, "active")
        .await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CarryOverBody {
    pub from_year_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct CarryOverResult {
    pub created: usize,
}

#[utoipa::path(post, path = "/api/v1/years/{id}/carry-over", summary = "Copy last year's groups as drafts", tag = "groups",
    params(("id" = String, Path)), request_body = CarryOverBody, responses((status = 200, body = CarryOverResult)))]
pub async fn carry_over(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CarryOverBody>,
) -> AppResult<Json<CarryOverResult>> {
    let y = app.store.get_year(&id).await?;
    let from = app.store.get_year(&b.from_year_id).await?;
    if from.council_id != y.council_id {
        return Err(AppError::BadRequest("err-bad-request".into()));
    }
    let c = app.store.get_council(&y.council_id).await?;
    rules::may_manage(&app, &ctx, &c.unit_id).await?;
    Ok(Json(CarryOverResult {
        created: app
            .store
            .carry_over(&ctx.audit(), &b.from_year_id, &id)
            .await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}", summary = "A group: members, head, deputy, follower, lineage", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = Group), (status = 404)))]
pub async fn get_group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Group>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_group(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/timeline", summary = "The group across years", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [GroupRef])))]
pub async fn group_timeline(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<GroupRef>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_group(&id).await?;
    Ok(Json(app.store.group_timeline(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    pub unit_id: String,
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/members", summary = "Add a member unit", tag = "groups",
    params(("id" = String, Path)), request_body = MemberBody, responses((status = 200, body = Group), (status = 409)))]
pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<MemberBody>,
) -> AppResult<Json<Group>> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    Ok(Json(
        app.store.add_member(&ctx.audit(), &id, &b.unit_id).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{unit_id}", summary = "Remove a member unit without history", tag = "groups",
    params(("id" = String, Path), ("unit_id" = String, Path)), responses((status = 200, body = Group), (status = 409)))]
pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
) -> AppResult<Json<Group>> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    Ok(Json(
        app.store.remove_member(&ctx.audit(), &id, &unit_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AppointBody {
    /// head or deputy
    pub office: String,
    pub unit_id: String,
    /// The decision that appoints, e.g. "Quyết định 12/QĐ-HĐTĐKT"
    pub basis: String,
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/appoint", summary = "Appoint the head or deputy by a council decision", tag = "groups",
    params(("id" = String, Path)), request_body = AppointBody, responses((status = 200, body = Group), (status = 403), (status = 422)))]
pub async fn appoint(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<AppointBody>,
) -> AppResult<Json<Group>> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    Ok(Json(
        app.store
            .appoint(&ctx.audit(), &id, &b.office, &b.unit_id, &b.basis)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CrossCheckBody {
    /// The members' leaders review each other's self-assessments (chấm chéo).
    pub cross_check: bool,
    /// The group's version the change was made on; a stale one is refused with 409.
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/cross-check", summary = "Turn the group's cross-check of self-assessments on or off (secretariat, head or deputy)", tag = "groups",
    params(("id" = String, Path)), request_body = CrossCheckBody, responses((status = 200, body = Group)))]
pub async fn set_cross_check(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CrossCheckBody>,
) -> AppResult<Json<Group>> {
    rules::may_run_election(&app, &ctx, &id, None).await?;
    Ok(Json(
        app.store
            .set_cross_check(&ctx.audit(), &id, b.cross_check, b.version)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/archive", summary = "Archive a group (groups with history are never deleted)", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = Group)))]
pub async fn archive_group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Group>> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    Ok(Json(
        app.store
            .set_group_status(&ctx.audit(), &id, "archived")
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}", summary = "Delete a group that has no history", tag = "groups",
    params(("id" = String, Path)), responses((status = 204), (status = 409, description = "Has history: archive instead")))]
pub async fn delete_group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    app.store.delete_group(&ctx.audit(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/conferences", summary = "The group's conferences", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [Conference])))]
pub async fn group_conferences(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Conference>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_group(&id).await?;
    Ok(Json(app.store.conferences_of(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/conferences", summary = "Plan a conference (host unit, venue, mode, bridge points, participants, agenda)", tag = "groups",
    params(("id" = String, Path)), request_body = ConferenceDraft, responses((status = 201, body = Conference), (status = 403), (status = 422)))]
pub async fn create_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ConferenceDraft>,
) -> AppResult<Response> {
    rules::may_host(&app, &ctx, &id, &b.host_unit_id).await?;
    let c = app.store.create_conference(&ctx.audit(), &id, &b).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[utoipa::path(get, path = "/api/v1/conferences/{id}", summary = "A conference", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = Conference)))]
pub async fn get_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Conference>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_conference(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MinutesBody {
    pub minutes: String,
    pub outcome: String,
    /// planned, held, cancelled
    pub status: Option<String>,
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/conferences/{id}/minutes", summary = "Write the minutes and outcome", tag = "groups",
    params(("id" = String, Path)), request_body = MinutesBody, responses((status = 200, body = Conference), (status = 409)))]
pub async fn update_minutes(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<MinutesBody>,
) -> AppResult<Json<Conference>> {
    let c = app.store.get_conference(&id).await?;
    rules::may_host(&app, &ctx, &c.group_id, &c.host.id).await?;
    Ok(Json(
        app.store
            .update_minutes(
                &ctx.audit(),
                &id,
                &b.minutes,
                &b.outcome,
                b.status.as_deref(),
                b.version,
            )
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/conferences/{id}", summary = "Delete a planned conference without history", tag = "groups",
    params(("id" = String, Path)), responses((status = 204), (status = 409)))]
pub async fn delete_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let c = app.store.get_conference(&id).await?;
    rules::may_host(&app, &ctx, &c.group_id, &c.host.id).await?;
    app.store.delete_conference(&ctx.audit(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/elections", summary = "The group's elections", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [Election])))]
pub async fn group_elections(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Election>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_group(&id).await?;
    Ok(Json(app.store.elections_of(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/elections", summary = "Open an election of the head or deputy", tag = "groups",
    params(("id" = String, Path)), request_body = ElectionDraft, responses((status = 201, body = Election), (status = 403), (status = 422)))]
pub async fn open_election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ElectionDraft>,
) -> AppResult<Response> {
    rules::may_run_election(&app, &ctx, &id, b.conference_id.as_deref()).await?;
    let p = ctx.user()?;
    let e = app
        .store
        .open_election(&ctx.audit(), &id, &b, &p.user.username)
        .await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

#[utoipa::path(get, path = "/api/v1/elections/{id}", summary = "An election: candidates, who has voted, result", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = Election)))]
pub async fn get_election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Election>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_election(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct BallotBody {
    /// The voting member unit; may be left out when the leader leads exactly one member
    pub unit_id: Option<String>,
    /// The chosen candidate's unit id; null for a blank ballot
    pub choice: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Receipt {
    /// Keep it: after closing, find it in the published list to check your ballot
    pub receipt: String,
}

#[utoipa::path(post, path = "/api/v1/elections/{id}/ballots", summary = "Cast my unit's ballot (unit leaders)", tag = "groups",
    params(("id" = String, Path)), request_body = BallotBody,
    responses((status = 201, body = Receipt), (status = 403), (status = 409, description = "Already voted, or the election is closed")))]
pub async fn cast_ballot(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<BallotBody>,
) -> AppResult<Response> {
    let receipt = rules::cast(&app, &ctx, &id, b.unit_id.as_deref(), b.choice.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(Receipt { receipt })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CountBody {
    /// Votes per candidate unit id
    pub counts: Vec<CandidateVotes>,
    #[serde(default)]
    pub blank: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct CandidateVotes {
    pub unit_id: String,
    pub votes: i64,
}

#[utoipa::path(post, path = "/api/v1/elections/{id}/count", summary = "Enter the count from the room (show of hands)", tag = "groups",
    params(("id" = String, Path)), request_body = CountBody, responses((status = 200, body = Election), (status = 409)))]
pub async fn enter_count(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CountBody>,
) -> AppResult<Json<Election>> {
    let e = app.store.get_election(&id).await?;
    rules::may_run_election(&app, &ctx, &e.group_id, e.conference_id.as_deref()).await?;
    let counts: Vec<(String, i64)> = b.counts.into_iter().map(|c| (c.unit_id, c.votes)).collect();
    Ok(Json(
        app.store
            .enter_count(&ctx.audit(), &id, &counts, b.blank, &mut rules::new_receipt)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    /// Close below quorum as invalid instead of refusing
    #[serde(default)]
    pub accept_invalid: bool,
}

#[utoipa::path(post, path = "/api/v1/elections/{id}/close", summary = "Close and tally; records the elected head or deputy, or opens the next round", tag = "groups",
    params(("id" = String, Path)), request_body = CloseBody,
    responses((status = 200, body = Election), (status = 409, description = "Below quorum (says how many more), or already closed")))]
pub async fn close_election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CloseBody>,
) -> AppResult<Json<Election>> {
    let e = app.store.get_election(&id).await?;
    rules::may_run_election(&app, &ctx, &e.group_id, e.conference_id.as_deref()).await?;
    let p = ctx.user()?;
    Ok(Json(
        app.store
            .close_election(&ctx.audit(), &id, b.accept_invalid, &p.user.username)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/elections/{id}/ballots", summary = "Published ballots after closing: receipts and choices", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [PublishedBallot]), (status = 409, description = "Not closed yet")))]
pub async fn published_ballots(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<PublishedBallot>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let e = app.store.get_election(&id).await?;
    if e.status == "open" {
        return Err(AppError::Refused {
            key: "err-election-open".into(),
            args: vec![],
        });
    }
    Ok(Json(app.store.published_ballots(&id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DocQuery {
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/documents", summary = "Search the registry of legal documents", tag = "groups",
    params(DocQuery), responses((status = 200, body = [LegalDocument])))]
pub async fn list_documents(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DocQuery>,
) -> AppResult<Json<Vec<LegalDocument>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.list_documents(q.q.as_deref(), 200).await?))
}

#[utoipa::path(post, path = "/api/v1/documents", summary = "Register a legal document", tag = "groups",
    request_body = DocumentDraft, responses((status = 201, body = LegalDocument), (status = 403), (status = 409), (status = 422)))]
pub async fn create_document(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<DocumentDraft>,
) -> AppResult<Response> {
    ctx.may(Action::ManageDocuments, &Resource::SYSTEM)?;
    let d = app.store.create_document(&ctx.audit(), &b, None).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}
