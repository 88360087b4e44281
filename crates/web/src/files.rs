//! Uploaded files: only the kinds offices exchange (PDF, Word, Excel, images), recognised by
//! their first bytes rather than by the name they came with, and never served inline.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::FieldError;
use thidua_store::{FileRef, LegalDocument};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub const MAX_FILE_BYTES: usize = thidua_docs::MAX_IMPORT_BYTES;

/// The content type of an accepted file, or a clear refusal.
pub fn check_upload(name: &str, bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::TooLarge);
    }
    if bytes.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "err-required",
        )]));
    }
    let lower = name.to_lowercase();
    let t = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "err-bad-file-type",
        )]));
    };
    Ok(t)
}

/// A safe display name: the last path component, without control characters, bounded.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let n: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if n.trim().is_empty() {
        "tep".into()
    } else {
        n
    }
}

/// Download a stored file (any signed-in user): always as an attachment.
pub async fn download(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let (name, ctype, data) = app.store.get_file(&id).await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::ctx::urlencode(&name)
                ),
            ),
        ],
        data,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct NameParam {
    /// The file's name, e.g. "09-HD-VKSTC.pdf"
    pub name: String,
}

/// Attach a document's file (council secretaries). Shared by page and API.
pub async fn attach_document(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    name: &str,
    bytes: &[u8],
) -> AppResult<LegalDocument> {
    ctx.may(Action::ManageDocuments, &Resource::SYSTEM)?;
    app.store.get_document(id).await?;
    let name = clean_name(name);
    let ctype = check_upload(&name, bytes)?;
    Ok(app
        .store
        .attach_document_file(&ctx.audit(), id, &name, ctype, bytes)
        .await?)
}

/// Attach a file to a conference (its host or the council's secretariat).
pub async fn attach_conference(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    name: &str,
    bytes: &[u8],
) -> AppResult<FileRef> {
    let c = app.store.get_conference(id).await?;
    crate::groups::may_host(app, ctx, &c.group_id, &c.host.id).await?;
    let name = clean_name(name);
    let ctype = check_upload(&name, bytes)?;
    Ok(app
        .store
        .add_conference_file(&ctx.audit(), id, &name, ctype, bytes)
        .await?)
}

#[utoipa::path(put, path = "/api/v1/documents/{id}/file", summary = "Upload a legal document's file (PDF, DOCX, XLSX, PNG, JPEG; raw body)", tag = "groups",
    params(("id" = String, Path), NameParam), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = LegalDocument), (status = 413), (status = 422)))]
pub async fn api_attach_document(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NameParam>,
    body: Body,
) -> AppResult<Json<LegalDocument>> {
    ctx.may(Action::ManageDocuments, &Resource::SYSTEM)?;
    let body = crate::imports::read_body(body, MAX_FILE_BYTES).await?;
    Ok(Json(
        attach_document(&app, &ctx, &id, &q.name, &body).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/conferences/{id}/files", summary = "Attach a file to a conference's minutes (raw body)", tag = "groups",
    params(("id" = String, Path), NameParam), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileRef), (status = 403), (status = 413), (status = 422)))]
pub async fn api_attach_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NameParam>,
    body: Body,
) -> AppResult<Response> {
    let c = app.store.get_conference(&id).await?;
    crate::groups::may_host(&app, &ctx, &c.group_id, &c.host.id).await?;
    let body = crate::imports::read_body(body, MAX_FILE_BYTES).await?;
    let f = attach_conference(&app, &ctx, &id, &q.name, &body).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

#[utoipa::path(get, path = "/api/v1/conferences/{id}/files", summary = "A conference's attachments", tag = "groups",
    params(("id" = String, Path)), responses((status = 200, body = [FileRef])))]
pub async fn api_conference_files(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<FileRef>>> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    app.store.get_conference(&id).await?;
    Ok(Json(app.store.conference_files(&id).await?))
}
