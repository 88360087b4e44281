//! JSON API for group documents: versions, diffs, adoption, signatures, reminders,
//! verification and the council's templates.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thidua_domain::auth::{Action, Resource};
use thidua_domain::document::{self, DiffLine};
use thidua_store::{DocumentVersion, GroupDocument, PendingSignature, SignatureRow, UnitBrief};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::documents::{self as docs, DocumentBody};
use crate::error::{AppError, AppResult};
use crate::signing::{self, Verification};
use crate::AppState;

#[utoipa::path(get, path = "/api/v1/groups/{id}/documents", summary = "A group's documents (plan, pact, regulations, minutes)", tag = "documents",
    params(("id" = String, Path)), responses((status = 200, body = [GroupDocument]), (status = 404)))]
pub async fn group_documents(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<GroupDocument>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_group(&id).await?;
    Ok(Json(app.store.documents_of_group(&id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StartBody {
    /// plan, pact, regulations, minutes
    pub kind: String,
    /// For minutes: the conference they record.
    pub conference_id: Option<String>,
    /// The first version; omitted: the council's template or the built-in one, citing the
    /// year's theme, motto and governing documents.
    pub content: Option<DocumentBody>,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/documents", summary = "Start a group's document (head, deputy or council secretariat)", tag = "documents",
    params(("id" = String, Path)), request_body = StartBody,
    responses((status = 201, body = GroupDocument), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn start_document(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<StartBody>,
) -> AppResult<Response> {
    let kind = docs::parse_kind(&b.kind)?;
    let d = docs::start(
        &app,
        &ctx,
        &id,
        kind,
        b.conference_id.as_deref(),
        b.content.as_ref(),
        &b.note,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", summary = "A document with its versions", tag = "documents",
    params(("id" = String, Path)), responses((status = 200, body = GroupDocument), (status = 404)))]
pub async fn get_document(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<GroupDocument>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_group_document(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}", summary = "One version, whole", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), responses((status = 200, body = DocumentVersion), (status = 404)))]
pub async fn get_version(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
) -> AppResult<Json<DocumentVersion>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    Ok(Json(app.store.get_document_version(&id, version).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SaveBody {
    /// The latest version the editor started from; an older one gives 409 with the current.
    pub base_version: i64,
    pub content: DocumentBody,
    /// What changed.
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", summary = "Save a new version (nothing is overwritten)", tag = "documents",
    params(("id" = String, Path)), request_body = SaveBody,
    responses((status = 201, body = DocumentVersion), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn save_version(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<SaveBody>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let d = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &d.group_id).await?;
    let content = b.content.content(docs::parse_kind(&d.kind)?)?;
    let v = app
        .store
        .save_document_version(
            &ctx.audit(),
            &id,
            b.base_version,
            &content,
            &b.note,
            &p.user.id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DiffParams {
    pub from: i64,
    pub to: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    pub from: i64,
    pub to: i64,
    /// Lines of the readable text: kind is same, removed or added.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<DiffLine>,
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/diff", summary = "Readable differences between two versions", tag = "documents",
    params(("id" = String, Path), DiffParams), responses((status = 200, body = DiffOut), (status = 404)))]
pub async fn diff(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DiffParams>,
) -> AppResult<Json<DiffOut>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let a = app.store.get_document_version(&id, q.from).await?;
    let b = app.store.get_document_version(&id, q.to).await?;
    Ok(Json(DiffOut {
        from: q.from,
        to: q.to,
        lines: document::diff(&a.content, &b.content),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AdoptBody {
    /// The conference of the group that adopted it.
    pub conference_id: String,
    /// The decision as recorded, e.g. "6/6 đơn vị thành viên nhất trí".
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{version}/adopt", summary = "Record that a conference adopted this (latest) version", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), request_body = AdoptBody,
    responses((status = 200, body = DocumentVersion), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn adopt(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    Json(b): Json<AdoptBody>,
) -> AppResult<Json<DocumentVersion>> {
    let p = ctx.user()?.clone();
    let d = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &d.group_id).await?;
    Ok(Json(
        app.store
            .adopt_document_version(
                &ctx.audit(),
                &id,
                version,
                &b.conference_id,
                &b.note,
                &p.user.id,
            )
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SigningStatus {
    pub version: i64,
    pub adopted: bool,
    pub signed: Vec<SignatureRow>,
    pub unsigned: Vec<UnitBrief>,
}

pub async fn signing_status(
    app: &AppState,
    d: &GroupDocument,
    version: i64,
) -> AppResult<SigningStatus> {
    app.store.get_document_version(&d.id, version).await?;
    let signed = app.store.document_signatures(&d.id, version).await?;
    let g = app.store.get_group(&d.group_id).await?;
    let unsigned = g
        .members
        .into_iter()
        .filter(|m| !signed.iter().any(|s| s.unit.id == m.id))
        .collect();
    Ok(SigningStatus {
        version,
        adopted: d.adopted_version == Some(version),
        signed,
        unsigned,
    })
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}/signatures", summary = "Who has signed this version and who has not", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), responses((status = 200, body = SigningStatus), (status = 404)))]
pub async fn signatures(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
) -> AppResult<Json<SigningStatus>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let d = app.store.get_group_document(&id).await?;
    Ok(Json(signing_status(&app, &d, version).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SignBody {
    /// The member unit signed for; may be left out when the signer leads exactly one.
    pub unit_id: Option<String>,
    /// The signer's password, asked again for every signature.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{version}/signatures", summary = "Sign the adopted version for one's own unit (unit leader, fresh password)", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), request_body = SignBody,
    responses((status = 201, body = SignatureRow), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn sign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    Json(b): Json<SignBody>,
) -> AppResult<Response> {
    let s = signing::sign(
        &app,
        &ctx,
        &id,
        version,
        b.unit_id.as_deref(),
        &b.password,
        None,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Reminded {
    /// The member units reminded (those that have not signed).
    pub unit_ids: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/remind", summary = "Remind the members that have not signed the adopted version", tag = "documents",
    params(("id" = String, Path)), responses((status = 200, body = Reminded), (status = 403), (status = 404), (status = 409)))]
pub async fn remind(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Reminded>> {
    let p = ctx.user()?.clone();
    let d = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &d.group_id).await?;
    Ok(Json(Reminded {
        unit_ids: app
            .store
            .remind_signers(&ctx.audit(), &id, &p.user.id)
            .await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/me/pending-signatures", summary = "Adopted documents the units I lead have still to sign", tag = "documents",
    responses((status = 200, body = [PendingSignature])))]
pub async fn pending(
    State(app): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<PendingSignature>>> {
    Ok(Json(pending_for(&app, &ctx).await?))
}

/// The units this user leads directly (a leader's grant scoped to the unit).
pub async fn pending_for(app: &AppState, ctx: &Ctx) -> AppResult<Vec<PendingSignature>> {
    let p = ctx.user()?;
    let units: Vec<String> = p
        .actor
        .grants
        .iter()
        .filter(|g| g.role == thidua_domain::auth::Role::UnitLeader)
        .filter_map(|g| g.scope_unit.clone())
        .collect();
    Ok(app.store.pending_signatures(&units).await?)
}

#[utoipa::path(get, path = "/api/v1/verify/{code}", summary = "Verify a document version by the code on its printout (public)", tag = "documents",
    params(("code" = String, Path)), responses((status = 200, body = Verification), (status = 404)))]
pub async fn verify(
    State(app): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<Verification>> {
    let code =
        thidua_domain::signature::normalize_verification_code(&code).ok_or(AppError::NotFound)?;
    let (id, version) = app.store.version_by_code(&code).await?;
    Ok(Json(signing::verify(&app, &id, version).await?.0))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}/docx", summary = "The version as a Word file (DOCX, Decree 30/2020 layout) with the same content as its PDF, to edit before signing", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404)))]
pub async fn docx(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let (name, bytes) = crate::pdf::render_version_docx(&app, &id, version).await?;
    Ok(crate::pdf::docx_response(&name, bytes))
}

/// A file's raw bytes, in the OpenAPI document.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(#[allow(dead_code)] Vec<u8>);

#[utoipa::path(post, path = "/api/v1/verify/file", summary = "Verify a signed PDF someone holds: its PAdES signatures against the trust list, and the version it names (public)", tag = "documents",
    request_body(content = PdfFile, content_type = "application/octet-stream", description = "The PDF's bytes (sent as application/pdf too)"),
    responses((status = 200, body = signing::FileVerification), (status = 409), (status = 413)))]
pub async fn verify_file(
    State(app): State<AppState>,
    body: axum::body::Bytes,
) -> AppResult<Json<signing::FileVerification>> {
    Ok(Json(signing::check_file(&app, body.to_vec()).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TemplateBody {
    pub content: DocumentBody,
}

#[utoipa::path(put, path = "/api/v1/councils/{id}/templates/{kind}", summary = "Set the council's starting text for a kind of document ({year}, {group}, {theme}, {motto} are filled in)", tag = "documents",
    params(("id" = String, Path), ("kind" = String, Path)), request_body = TemplateBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_template(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
    Json(b): Json<TemplateBody>,
) -> AppResult<StatusCode> {
    let p = ctx.user()?.clone();
    let c = app.store.get_council(&id).await?;
    crate::groups::may_manage(&app, &ctx, &c.unit_id).await?;
    let content = b.content.content(docs::parse_kind(&kind)?)?;
    app.store
        .set_council_template(&ctx.audit(), &id, &content, &p.user.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/councils/{id}/templates/{kind}", summary = "The council's starting text for a kind (its own, or the built-in one)", tag = "documents",
    params(("id" = String, Path), ("kind" = String, Path)), responses((status = 200, body = Object), (status = 404)))]
pub async fn get_template(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
) -> AppResult<Json<thidua_domain::document::DocumentContent>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_council(&id).await?;
    let kind = docs::parse_kind(&kind)?;
    match app.store.council_template(&id, kind).await? {
        Some(t) => Ok(Json(t)),
        None => {
            // The built-in text with its placeholders back in place of the year.
            let t = document::template(kind, 9999, "{group}", "{theme}", "{motto}", &[]);
            let json = serde_json::to_string(&t)
                .map_err(|e| AppError::Internal(e.to_string()))?
                .replace("9999", "{year}");
            Ok(Json(
                serde_json::from_str(&json).map_err(|e| AppError::Internal(e.to_string()))?,
            ))
        }
    }
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}/pdf", summary = "The version as an official PDF (Decree 30/2020 layout) with its verification code, QR and the signed content embedded", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), responses((status = 200, content_type = "application/pdf"), (status = 404)))]
pub async fn pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path((id, version)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let (name, bytes) = crate::pdf::render_version(&app, &id, version, host).await?;
    Ok(crate::pdf::response(&name, bytes))
}

/// A certification authority of the council's trust list, as published.
#[derive(Serialize, ToSchema)]
pub struct TrustAnchorOut {
    pub name: String,
    /// The certificate's subject.
    pub subject: String,
    /// SHA-256 of the certificate (DER), to compare with what the council announced.
    pub sha256: String,
    /// A demo CA: trusted only by a demo server.
    pub demo: bool,
    pub pem: String,
}

async fn published_trust(app: &AppState) -> AppResult<Vec<TrustAnchorOut>> {
    let mut out = Vec::new();
    for a in app.store.trust_anchors(app.config.trust_demo_ca).await? {
        out.push(TrustAnchorOut {
            subject: thidua_pdf::pades::cert_subject(&a.cert_der)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            sha256: thidua_pdf::pades::sha256_hex(&a.cert_der),
            pem: thidua_pdf::pades::to_pem(&a.cert_der)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            name: a.name,
            demo: a.demo,
        });
    }
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/trust-anchors", summary = "The trust list: the certification authorities whose PAdES signatures this server accepts (public)", tag = "documents",
    responses((status = 200, body = [TrustAnchorOut])))]
pub async fn trust_anchors(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(published_trust(&app).await?).into_response())
}

/// The trust list as one PEM file, for `thidua verify FILE.pdf --trust trust-anchors.pem`.
pub async fn trust_anchors_pem(State(app): State<AppState>) -> AppResult<Response> {
    let pem: String = published_trust(&app)
        .await?
        .into_iter()
        .map(|a| a.pem)
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-pem-file".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"trust-anchors.pem\"".to_owned(),
            ),
        ],
        pem,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CertificateIn {
    /// The PKCS#12 (.p12 / .pfx) file from the signer's CA, base64.
    pub p12_base64: String,
    /// The file's own password.
    pub p12_password: String,
    /// The account password: the certificate is kept sealed under it.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/me/certificate", summary = "A leader installs their signing certificate (PKCS#12 from a CA on the trust list, naming a unit they lead)", tag = "documents",
    request_body = CertificateIn,
    responses((status = 201, body = signing::CertificateOut), (status = 403), (status = 422)))]
pub async fn install_certificate(
    State(app): State<AppState>,
    ctx: Ctx,
    req: axum::extract::Request,
) -> AppResult<Response> {
    // Who may is decided before the body is read.
    signing::may_install_certificate(&ctx)?;
    let b: CertificateIn = crate::imports::read_json(req.into_body(), 1024 * 1024).await?;
    let p12 = crate::imports::base64_field("p12_base64", &b.p12_base64)?;
    let out = signing::install_certificate(&app, &ctx, p12, &b.p12_password, &b.password).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(get, path = "/api/v1/me/certificate", summary = "The signing certificate the user signs PDFs with, if any", tag = "documents",
    responses((status = 200, body = Option<signing::CertificateOut>)))]
pub async fn my_certificate(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let c = app.store.signing_certificate(&p.user.id).await?;
    Ok(Json(c.map(|c| signing::CertificateOut { subject: c.subject })).into_response())
}

/// Who may download the PDF to sign and upload it signed: a leader of a member unit, for the
/// adopted version. Checked before any upload is read.
async fn may_sign_pdf(app: &AppState, ctx: &Ctx, id: &str, version: i64) -> AppResult<()> {
    let d = app.store.get_group_document(id).await?;
    if signing::leader_units(app, ctx, &d.group_id)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    if d.adopted_version != Some(version) {
        return Err(AppError::Refused {
            key: "err-sign-not-adopted".into(),
            args: Vec::new(),
        });
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}/pdf-to-sign", summary = "The exact PDF a leader signs with their own token (the version's signed PDF as it stands, issued and kept on first request)", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), responses((status = 200, content_type = "application/pdf"), (status = 403), (status = 404), (status = 409)))]
pub async fn pdf_to_sign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
) -> AppResult<Response> {
    may_sign_pdf(&app, &ctx, &id, version).await?;
    let (name, bytes) = crate::pdf::pdf_to_sign(&app, &ctx, &id, version).await?;
    Ok(crate::pdf::response(&format!("ky-{name}"), bytes))
}

#[derive(Deserialize, ToSchema)]
pub struct SignedPdfIn {
    /// The member unit signed for; may be left out when the signer leads exactly one.
    pub unit_id: Option<String>,
    /// The signer's account password (the in-app confirmation).
    pub password: String,
    /// The PDF from pdf-to-sign with the signer's PAdES signature appended, base64.
    pub pdf_base64: String,
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{version}/signed-pdf", summary = "A leader hands in the PDF they signed with their own token: checked (the issued bytes, one more signature, valid, on the trust list, naming the unit) and recorded as their signature", tag = "documents",
    params(("id" = String, Path), ("version" = i64, Path)), request_body = SignedPdfIn,
    responses((status = 201, body = SignatureRow), (status = 403), (status = 404), (status = 409), (status = 413), (status = 422)))]
pub async fn signed_pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    may_sign_pdf(&app, &ctx, &id, version).await?;
    let b: SignedPdfIn = crate::imports::read_json(req.into_body(), 16 * 1024 * 1024).await?;
    let pdf = crate::imports::base64_field("pdf_base64", &b.pdf_base64)?;
    let s = signing::sign(
        &app,
        &ctx,
        &id,
        version,
        b.unit_id.as_deref(),
        &b.password,
        Some(pdf),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}
