//! Imports and exports of the unit registry: the docs crate parses, the domain validates,
//! the store applies whole or not at all. Shared by pages and the API.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use thidua_docs::{Format, ImportError, PersonRecord, UnitRecord};
use thidua_domain::auth::{may_somewhere, Action, Resource};
use thidua_domain::unit::{PersonInput, UnitInput};
use thidua_domain::DomainError;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, RowIssue};
use crate::i18n::{t, Lang};
use crate::AppState;

fn issue(row: usize, column: &str, key: &str) -> RowIssue {
    RowIssue {
        row,
        column: column.to_owned(),
        key: key.to_owned(),
        message_vi: t(Lang::Vi, key),
        message_en: t(Lang::En, key),
    }
}

pub(crate) fn file_error(e: ImportError) -> AppError {
    match e {
        ImportError::TooLarge { .. } => AppError::TooLarge,
        ImportError::Rows(rows) => AppError::Import(
            rows.into_iter()
                .map(|r| RowIssue {
                    row: r.row,
                    column: r.column,
                    key: r.key,
                    message_vi: r.message_vi,
                    message_en: r.message_en,
                })
                .collect(),
        ),
        other => AppError::Import(vec![RowIssue {
            row: 0,
            column: String::new(),
            key: other.key().to_owned(),
            message_vi: other.message_vi(),
            message_en: other.message_en(),
        }]),
    }
}

/// Reads a raw upload body (the API's imports and attachments) once the caller's rights are
/// checked: handlers take the unread [`Body`] so that nothing is read for a caller who may
/// not upload. Anything beyond `limit` bytes is refused (413).
pub async fn read_body(body: Body, limit: usize) -> AppResult<Bytes> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::TooLarge)
}

/// A JSON body read, like [`read_body`], only once the caller's rights are checked.
pub async fn read_json<T: serde::de::DeserializeOwned>(body: Body, limit: usize) -> AppResult<T> {
    let bytes = read_body(body, limit).await?;
    serde_json::from_slice(&bytes).map_err(|_| {
        AppError::Invalid(vec![thidua_domain::FieldError::new(
            "body",
            "err-bad-request",
        )])
    })
}

/// A file sent base64 in a JSON field.
pub fn base64_field(field: &str, value: &str) -> AppResult<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| {
            AppError::Invalid(vec![thidua_domain::FieldError::new(
                field,
                "err-bad-request",
            )])
        })
}

/// May the caller import units anywhere? Checked before the file is read (which units the
/// file touches is only known after; each row is checked again then).
pub fn may_import_units(ctx: &Ctx) -> AppResult<()> {
    may_anywhere(ctx, Action::ImportUnits)
}

/// May the caller import people anywhere? As [`may_import_units`].
pub fn may_import_people(ctx: &Ctx) -> AppResult<()> {
    may_anywhere(ctx, Action::ManagePeople)
}

fn may_anywhere(ctx: &Ctx, action: Action) -> AppResult<()> {
    if may_somewhere(&ctx.user()?.actor, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn domain_issues(row: usize, e: DomainError) -> Vec<RowIssue> {
    match e {
        DomainError::Invalid(f) => f.iter().map(|f| issue(row, &f.field, &f.key)).collect(),
        DomainError::Rule(k) => vec![issue(row, "", &k)],
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

pub async fn import_units(app: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<usize> {
    may_import_units(ctx)?;
    let records = thidua_docs::parse_units(bytes).map_err(file_error)?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let row = i + 2;
        let input = UnitInput {
            code: r.code.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            short_name: r.short_name.clone(),
            parent_id: None,
            valid_from: date(r.valid_from),
            valid_to: date(r.valid_to),
        };
        match input.validate() {
            Ok(d) => rows.push((row, d, r.parent_code.clone())),
            Err(e) => issues.extend(domain_issues(row, e)),
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Import(issues));
    }
    // Permission per row: the actor must be allowed to create under the row's parent (a
    // parent created earlier in the same file is checked through its own parent).
    for (_, _, parent_code) in &rows {
        match parent_code {
            Some(pc) => {
                if let Some(p) = app.store.unit_by_code(pc).await? {
                    let chain = app.store.unit_chain(&p.id).await?;
                    ctx.may(Action::ImportUnits, &Resource::unit(&chain))?;
                }
            }
            None => ctx.may(Action::ImportUnits, &Resource::SYSTEM)?,
        }
    }
    app.store
        .import_units(&ctx.audit(), &rows)
        .await
        .map_err(|errs| {
            AppError::Import(errs.into_iter().map(|(r, c, k)| issue(r, &c, &k)).collect())
        })
}

pub async fn import_people(app: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<usize> {
    may_import_people(ctx)?;
    let records = thidua_docs::parse_people(bytes).map_err(file_error)?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let row = i + 2;
        let input = PersonInput {
            full_name: r.full_name.clone(),
            position: r.position.clone(),
            unit_id: r.unit_code.clone(),
            valid_from: date(r.valid_from),
            valid_to: date(r.valid_to),
        };
        match input.validate() {
            Ok(d) => rows.push((row, d, r.unit_code.clone())),
            Err(e) => issues.extend(domain_issues(row, e)),
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Import(issues));
    }
    for (row, _, code) in &rows {
        match app.store.unit_by_code(code).await? {
            Some(u) => {
                let chain = app.store.unit_chain(&u.id).await?;
                ctx.may(Action::ManagePeople, &Resource::unit(&chain))?;
            }
            None => {
                return Err(AppError::Import(vec![issue(
                    *row,
                    "unit_code",
                    "err-unknown-unit",
                )]))
            }
        }
    }
    app.store
        .import_people(&ctx.audit(), &rows)
        .await
        .map_err(|errs| {
            AppError::Import(errs.into_iter().map(|(r, c, k)| issue(r, &c, &k)).collect())
        })
}

fn format_of(s: Option<&str>) -> AppResult<Format> {
    match s.unwrap_or("xlsx") {
        "xlsx" => Ok(Format::Xlsx),
        "csv" => Ok(Format::Csv),
        _ => Err(AppError::BadRequest("err-bad-request".into())),
    }
}

pub(crate) fn download(bytes: Vec<u8>, format: Format, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn export_units(app: &AppState, format: Option<&str>) -> AppResult<Response> {
    let format = format_of(format)?;
    let units = app.store.all_units().await?;
    let by_id: std::collections::HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.id.as_str(), u.code.as_str()))
        .collect();
    let rows: Vec<UnitRecord> = units
        .iter()
        .map(|u| UnitRecord {
            code: u.code.clone(),
            kind: u.kind.clone(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            parent_code: u
                .parent_id
                .as_deref()
                .and_then(|p| by_id.get(p))
                .map(|c| (*c).to_owned()),
            valid_from: u
                .valid_from
                .as_deref()
                .and_then(thidua_domain::unit::parse_date),
            valid_to: u
                .valid_to
                .as_deref()
                .and_then(thidua_domain::unit::parse_date),
        })
        .collect();
    let bytes =
        thidua_docs::export_units(&rows, format).map_err(|e| AppError::Internal(e.message_en()))?;
    Ok(download(bytes, format, "don-vi"))
}

pub async fn export_people(app: &AppState, format: Option<&str>) -> AppResult<Response> {
    let format = format_of(format)?;
    let rows: Vec<PersonRecord> = app
        .store
        .all_people()
        .await?
        .into_iter()
        .map(|p| PersonRecord {
            full_name: p.full_name,
            position: p.position,
            unit_code: p.unit_code,
            valid_from: p
                .valid_from
                .as_deref()
                .and_then(thidua_domain::unit::parse_date),
            valid_to: p
                .valid_to
                .as_deref()
                .and_then(thidua_domain::unit::parse_date),
        })
        .collect();
    let bytes = thidua_docs::export_people(&rows, format)
        .map_err(|e| AppError::Internal(e.message_en()))?;
    Ok(download(bytes, format, "can-bo"))
}
