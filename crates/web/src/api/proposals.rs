//! JSON API for the year's end: proposals and their workflow, dossiers, the public
//! consultation, the council's members and vote, and decisions.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::proposal::{Role, Step};
use thidua_store::{
    Comment, CouncilMember, Decision, DecisionDraft, Proposal, ProposalDraft, PublicNominee,
    PublishedCouncilBallot, Upload,
};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::files::{check_upload, clean_name, NameParam};
use crate::proposals as rules;
use crate::AppState;

fn actor(ctx: &Ctx) -> AppResult<String> {
    Ok(ctx.user()?.user.username.clone())
}

#[utoipa::path(post, path = "/api/v1/proposals", summary = "Propose a unit or a person for a title (draft); eligibility and quota are checked", tag = "proposals",
    request_body = ProposalDraft, responses((status = 201, body = Proposal), (status = 403), (status = 409, description = "Ineligible nominee (the rules are listed), quota exceeded, duplicate"), (status = 422)))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ProposalDraft>,
) -> AppResult<Response> {
    app.store.get_unit(&b.unit_id).await?;
    rules::may_propose(&app, &ctx, &b.unit_id).await?;
    let p = app
        .store
        .create_proposal(&ctx.audit(), &b, &actor(&ctx)?)
        .await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// One unit's proposals (its proposers may list them)
    pub unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/years/{id}/proposals", summary = "Proposals of a council year (secretariat), or of one unit", tag = "proposals",
    params(("id" = String, Path), ListParams), responses((status = 200, body = [Proposal]), (status = 403)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ListParams>,
) -> AppResult<Json<Vec<Proposal>>> {
    let y = app.store.get_year(&id).await?;
    match &q.unit {
        Some(u) if rules::may_review(&app, &ctx, &y.council_id).await.is_err() => {
            rules::may_propose(&app, &ctx, u).await?
        }
        Some(_) => {}
        None => rules::may_review(&app, &ctx, &y.council_id).await?,
    }
    Ok(Json(app.store.proposals(&id, q.unit.as_deref()).await?))
}

async fn load(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<Proposal> {
    let p = app.store.get_proposal(id).await?;
    rules::may_view(app, ctx, &p).await?;
    Ok(p)
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", summary = "A proposal: nominee, every rule met or failed, status and history, vote, files", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Proposal), (status = 403), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(load(&app, &ctx, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateBody {
    pub summary: String,
    pub achievements: String,
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/proposals/{id}", summary = "Change a draft or returned proposal's texts", tag = "proposals",
    params(("id" = String, Path)), request_body = UpdateBody, responses((status = 200, body = Proposal), (status = 403), (status = 409)))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<UpdateBody>,
) -> AppResult<Json<Proposal>> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_propose(&app, &ctx, &p.unit_id).await?;
    Ok(Json(
        app.store
            .update_proposal(&ctx.audit(), &id, &b.summary, &b.achievements, b.version)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

/// Take a workflow step after checking who the caller is for it.
pub(crate) async fn step(app: &AppState, ctx: &Ctx, id: &str, step: Step) -> AppResult<Proposal> {
    let p = app.store.get_proposal(id).await?;
    let who = step.by();
    match who {
        Role::Proposer => rules::may_propose(app, ctx, &p.unit_id).await?,
        Role::Secretariat => rules::may_review(app, ctx, &p.council_id).await?,
    }
    Ok(app
        .store
        .proposal_step(&ctx.audit(), id, &step, who, &actor(ctx)?)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/submit", summary = "Submit to the council (proposers)", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Proposal), (status = 403), (status = 422)))]
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(step(&app, &ctx, &id, Step::Submit).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/return", summary = "Return for changes, with a reason (secretariat)", tag = "proposals",
    params(("id" = String, Path)), request_body = ReasonBody, responses((status = 200, body = Proposal), (status = 403), (status = 422)))]
pub async fn return_(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ReasonBody>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(
        step(&app, &ctx, &id, Step::Return { reason: b.reason }).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/accept", summary = "Accept for the council (secretariat); the quota is checked again", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Proposal), (status = 403), (status = 409), (status = 422)))]
pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(step(&app, &ctx, &id, Step::Accept).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/reject", summary = "Reject, with a reason (secretariat)", tag = "proposals",
    params(("id" = String, Path)), request_body = ReasonBody, responses((status = 200, body = Proposal), (status = 403), (status = 422)))]
pub async fn reject(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ReasonBody>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(
        step(&app, &ctx, &id, Step::Reject { reason: b.reason }).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ConsultationBody {
    /// yyyy-mm-dd
    pub opens_on: String,
    /// yyyy-mm-dd
    pub closes_on: String,
    /// What the public page shows about the nominee
    pub public_summary: String,
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/consultation", summary = "Open the public consultation window (secretariat)", tag = "proposals",
    params(("id" = String, Path)), request_body = ConsultationBody, responses((status = 200, body = Proposal), (status = 403), (status = 422)))]
pub async fn open_consultation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ConsultationBody>,
) -> AppResult<Json<Proposal>> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_review(&app, &ctx, &p.council_id).await?;
    Ok(Json(
        app.store
            .open_consultation(
                &ctx.audit(),
                &id,
                &b.opens_on,
                &b.closes_on,
                &b.public_summary,
                &actor(&ctx)?,
            )
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/comments", summary = "The public comments collected (secretariat)", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = [Comment]), (status = 403)))]
pub async fn comments(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Comment>>> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_review(&app, &ctx, &p.council_id).await?;
    Ok(Json(app.store.comments(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/vote/open", summary = "Put the proposal to the council's vote (secretariat)", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Proposal), (status = 403), (status = 409)))]
pub async fn open_vote(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Proposal>> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_review(&app, &ctx, &p.council_id).await?;
    Ok(Json(
        app.store
            .open_council_vote(&ctx.audit(), &id, &actor(&ctx)?)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/vote/close", summary = "Count the council's vote: voted (approved) or rejected; below quorum refused", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Proposal), (status = 403), (status = 409)))]
pub async fn close_vote(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Proposal>> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_review(&app, &ctx, &p.council_id).await?;
    Ok(Json(
        app.store
            .close_council_vote(&ctx.audit(), &id, &actor(&ctx)?)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CouncilBallot {
    /// yes, no or blank
    pub choice: String,
}

#[derive(Serialize, ToSchema)]
pub struct CouncilReceipt {
    /// Keep it: after counting, find it in the published ballots
    pub receipt: String,
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/ballots", summary = "Cast my secret ballot (council members only, once)", tag = "proposals",
    params(("id" = String, Path)), request_body = CouncilBallot,
    responses((status = 201, body = CouncilReceipt), (status = 409, description = "Not a council member, already voted, or the vote is not open")))]
pub async fn cast(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CouncilBallot>,
) -> AppResult<Response> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_vote(&app, &ctx, &p).await?;
    let user = ctx.user()?.user.id.clone();
    let receipt = app
        .store
        .cast_council_ballot(
            &ctx.audit(),
            &id,
            &user,
            &b.choice,
            &crate::groups::new_receipt(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CouncilReceipt { receipt })).into_response())
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/ballots", summary = "Published ballots after counting: receipts and choices", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = [PublishedCouncilBallot]), (status = 409)))]
pub async fn ballots(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<PublishedCouncilBallot>>> {
    let p = load(&app, &ctx, &id).await?;
    if p.vote.is_none() {
        return Err(AppError::Refused {
            key: "err-election-open".into(),
            args: vec![],
        });
    }
    Ok(Json(app.store.council_ballots(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/files", summary = "Attach a file to the dossier (PDF, DOCX, XLSX, PNG, JPEG; raw body)", tag = "proposals",
    params(("id" = String, Path), NameParam), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = thidua_store::FileRef), (status = 403), (status = 413), (status = 422)))]
pub async fn attach(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NameParam>,
    body: Body,
) -> AppResult<Response> {
    let p = app.store.get_proposal(&id).await?;
    if rules::may_review(&app, &ctx, &p.council_id).await.is_err() {
        rules::may_propose(&app, &ctx, &p.unit_id).await?;
    }
    let body = crate::imports::read_body(body, crate::files::MAX_FILE_BYTES).await?;
    let name = clean_name(&q.name);
    let ctype = check_upload(&name, &body)?;
    let f = app
        .store
        .add_proposal_file(
            &ctx.audit(),
            &id,
            &Upload {
                name: &name,
                content_type: ctype,
                bytes: &body,
            },
            &actor(&ctx)?,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

fn file_response(ctype: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, ctype.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/dossier.pdf", summary = "The dossier as PDF: submission letter, achievement report, vote minutes, rules, files", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, description = "PDF"), (status = 403)))]
pub async fn dossier(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = load(&app, &ctx, &id).await?;
    let bytes = rules::dossier_pdf(&app, &ctx, &p).await?;
    Ok(crate::pdf::response(
        &format!("ho-so-{}.pdf", p.award_year),
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/letter.pdf", summary = "The submission letter (tờ trình) alone as PDF", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, description = "PDF"), (status = 403), (status = 404)))]
pub async fn letter(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = load(&app, &ctx, &id).await?;
    let bytes = rules::letter_pdf(&app, &ctx, &p).await?;
    Ok(crate::pdf::response(
        &format!("to-trinh-{}.pdf", p.award_year),
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/report.docx", summary = "The achievement report as an editable DOCX, pre-filled from the system", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, description = "DOCX"), (status = 403)))]
pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = load(&app, &ctx, &id).await?;
    let bytes = rules::report_docx(&app, &ctx, &p).await?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("bao-cao-thanh-tich-{}.docx", p.award_year),
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/councils/{id}/members", summary = "The council's members (who vote on proposals)", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = [CouncilMember])))]
pub async fn members(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<CouncilMember>>> {
    ctx.user()?;
    app.store.get_council(&id).await?;
    Ok(Json(app.store.council_members(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    /// The user's login name
    pub username: String,
    /// e.g. "Chủ tịch Hội đồng", "Ủy viên"
    pub position: String,
}

#[utoipa::path(post, path = "/api/v1/councils/{id}/members", summary = "Seat a user on the council (secretariat)", tag = "proposals",
    params(("id" = String, Path)), request_body = MemberBody, responses((status = 201, body = [CouncilMember]), (status = 403), (status = 409)))]
pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<MemberBody>,
) -> AppResult<Response> {
    rules::may_review(&app, &ctx, &id).await?;
    let u = app
        .store
        .user_by_name(b.username.trim())
        .await?
        .ok_or_else(|| {
            AppError::Invalid(vec![thidua_domain::FieldError::new(
                "username",
                "err-not-found",
            )])
        })?;
    app.store
        .add_council_member(&ctx.audit(), &id, &u.id, &b.position, &actor(&ctx)?)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(app.store.council_members(&id).await?),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/councils/{id}/members/{user_id}", summary = "Take a user off the council (secretariat); refused while a vote is open", tag = "proposals",
    params(("id" = String, Path), ("user_id" = String, Path)), responses((status = 200, body = [CouncilMember]), (status = 403), (status = 404), (status = 409)))]
pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(String, String)>,
) -> AppResult<Json<Vec<CouncilMember>>> {
    rules::may_review(&app, &ctx, &id).await?;
    app.store
        .remove_council_member(&ctx.audit(), &id, &user_id)
        .await?;
    Ok(Json(app.store.council_members(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    #[serde(flatten)]
    pub draft: DecisionDraft,
    /// The signed decision as PDF, base64
    pub pdf_base64: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/decisions", summary = "Record a decision: its voted proposals become decided and enter the awards registry", tag = "proposals",
    request_body = DecisionBody, responses((status = 201, body = Decision), (status = 403), (status = 409, description = "A proposal not voted, or the number already used by the issuer"), (status = 422)))]
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<DecisionBody>,
) -> AppResult<Response> {
    rules::may_decide(&app, &ctx, &b.draft.council_id).await?;
    let pdf = match b.pdf_base64.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.trim())
                .map_err(|_| {
                    AppError::Invalid(vec![thidua_domain::FieldError::new(
                        "pdf_base64",
                        "err-bad-file-type",
                    )])
                })?;
            if check_upload("quyet-dinh.pdf", &bytes)? != "application/pdf" {
                return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                    "pdf_base64",
                    "err-bad-file-type",
                )]));
            }
            Some(bytes)
        }
        None => None,
    };
    let upload = pdf.as_deref().map(|bytes| Upload {
        name: "quyet-dinh.pdf",
        content_type: "application/pdf",
        bytes,
    });
    let d = app
        .store
        .record_decision(&ctx.audit(), &b.draft, upload.as_ref(), &actor(&ctx)?)
        .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/decisions/{id}", summary = "A decision and the proposals it decided", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = Decision)))]
pub async fn get_decision(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Decision>> {
    ctx.user()?;
    Ok(Json(app.store.get_decision(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/councils/{id}/decisions", summary = "A council's decisions, newest first", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = [Decision])))]
pub async fn decisions(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Decision>>> {
    ctx.user()?;
    app.store.get_council(&id).await?;
    Ok(Json(app.store.decisions_of(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/public/consultations", summary = "Nominees under public consultation today (no sign-in)", tag = "proposals",
    responses((status = 200, body = [PublicNominee])))]
pub async fn public_list(State(app): State<AppState>) -> AppResult<Json<Vec<PublicNominee>>> {
    Ok(Json(app.store.open_consultations().await?))
}

#[utoipa::path(get, path = "/api/v1/public/consultations/{id}", summary = "A nominee's public summary while the window is open (no sign-in)", tag = "proposals",
    params(("id" = String, Path)), responses((status = 200, body = PublicNominee), (status = 404)))]
pub async fn public_get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<PublicNominee>> {
    Ok(Json(app.store.public_nominee(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    pub author_name: String,
    /// Plain text, at most 2000 characters
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/public/consultations/{id}/comments", summary = "Comment on a nominee during the window (no sign-in)", tag = "proposals",
    params(("id" = String, Path)), request_body = CommentBody, responses((status = 201, description = "Received"), (status = 409, description = "Window closed"), (status = 422)))]
pub async fn public_comment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<CommentBody>,
) -> AppResult<Response> {
    app.store
        .add_comment(&ctx.audit(), &id, &b.author_name, &b.body)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"ok": true}))).into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create,
        list,
        get,
        update,
        submit,
        return_,
        accept,
        reject,
        open_consultation,
        comments,
        open_vote,
        close_vote,
        cast,
        ballots,
        attach,
        dossier,
        letter,
        report,
        members,
        add_member,
        remove_member,
        decide,
        get_decision,
        decisions,
        public_list,
        public_get,
        public_comment
    ),
    components(schemas(
        Proposal,
        ProposalDraft,
        thidua_store::ProposalEvent,
        thidua_store::Consultation,
        thidua_store::FileRef,
        Comment,
        CouncilMember,
        Decision,
        DecisionDraft,
        DecisionBody,
        PublicNominee,
        PublishedCouncilBallot,
        UpdateBody,
        ReasonBody,
        ConsultationBody,
        CouncilBallot,
        CouncilReceipt,
        MemberBody,
        CommentBody
    ))
)]
pub struct ProposalsDoc;
