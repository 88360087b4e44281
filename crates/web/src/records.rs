//! People's yearly records, initiatives and exemplary models: who may do what (shared by
//! pages and API), the records import, and the routes of the area.

use axum::routing::{get, post};
use axum::Router;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::records::{recognition_chain, RecognitionDraft, RecognitionInput, RecordInput};
use thidua_domain::DomainError;
use thidua_store::Initiative;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, RowIssue};
use crate::i18n::{t, Lang};
use crate::AppState;

/// Records of a unit's people, and its initiatives and models: the unit's leader or
/// emulation officer, or a council secretariat above it. Unknown unit: 404.
pub async fn may_manage_unit(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    app.store.get_unit(unit_id).await?;
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::ManageRecords, &Resource::unit(&chain))
}

/// The register of initiatives and models is open to everyone signed in.
pub fn may_view_register(ctx: &Ctx) -> AppResult<()> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)
}

/// Check the recognition of `ini`: first that the caller recognises anything for its unit,
/// then the input, then that the caller is who the domain says recognises that scope.
pub async fn may_recognise(
    app: &AppState,
    ctx: &Ctx,
    ini: &Initiative,
    input: &RecognitionInput,
) -> AppResult<RecognitionDraft> {
    ctx.user()?;
    let chain = app.store.unit_chain(&ini.unit_id).await?;
    ctx.may(Action::RecognizeInitiative, &Resource::unit(&chain))?;
    let d = input.validate(ini.year)?;
    ctx.may(
        Action::RecognizeInitiative,
        &Resource::unit(recognition_chain(d.scope, &chain)),
    )?;
    Ok(d)
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The header a field is written under in the records sheet (row errors name it).
fn header(field: &str) -> &str {
    match field {
        "person_id" => "Mã cán bộ",
        "full_name" => "Họ và tên",
        "year" => "Năm",
        "rating" => "Xếp loại",
        "started_on" => "Ngày bắt đầu công tác tại đơn vị",
        "discipline_form" => "Hình thức kỷ luật",
        "discipline_from" => "Kỷ luật từ ngày",
        "discipline_to" => "Kỷ luật đến ngày",
        "absence_from" => "Nghỉ từ ngày",
        "absence_to" => "Nghỉ đến ngày",
        "absence_reason" => "Lý do nghỉ",
        "note" => "Ghi chú",
        other => other,
    }
}

fn issue(row: usize, field: &str, key: &str) -> RowIssue {
    RowIssue {
        row,
        column: header(field).to_owned(),
        key: key.to_owned(),
        message_vi: t(Lang::Vi, key),
        message_en: t(Lang::En, key),
    }
}

/// Import a unit's yearly records from XLSX or CSV, whole or nothing: file problems, then
/// the domain's checks, then people matched within the unit; every problem names its row.
pub async fn import_records(
    app: &AppState,
    ctx: &Ctx,
    unit_id: &str,
    bytes: &[u8],
) -> AppResult<usize> {
    may_manage_unit(app, ctx, unit_id).await?;
    let sheet = thidua_docs::parse_records(bytes).map_err(crate::imports::file_error)?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    for r in &sheet {
        let input = RecordInput {
            year: r.year.clone(),
            rating: r.rating.clone(),
            started_on: date(r.started_on),
            discipline_form: r.discipline_form.clone(),
            discipline_from: date(r.discipline_from),
            discipline_to: date(r.discipline_to),
            absence_from: date(r.absence_from),
            absence_to: date(r.absence_to),
            absence_reason: r.absence_reason.clone(),
            note: r.note.clone(),
        };
        match input.validate() {
            Ok(d) => rows.push((r.row, r.person_id.clone(), r.full_name.clone(), d)),
            Err(DomainError::Invalid(f)) => {
                issues.extend(f.iter().map(|f| issue(r.row, &f.field, &f.key)))
            }
            Err(DomainError::Rule(k)) => issues.push(issue(r.row, "", &k)),
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Import(issues));
    }
    app.store
        .import_records(&ctx.audit(), unit_id, &rows)
        .await
        .map_err(|errs| {
            AppError::Import(errs.into_iter().map(|(r, c, k)| issue(r, &c, &k)).collect())
        })
}

/// The routes of this area (pages and API) except uploads, which `uploads()` gives.
pub fn routes() -> Router<AppState> {
    use crate::api::records as api;
    use crate::pages::records as pages;
    Router::new()
        .route(
            "/api/v1/units/{id}/records",
            get(api::unit_records).post(api::save_record),
        )
        .route("/api/v1/people/{id}/records", get(api::person_records))
        .route(
            "/api/v1/initiatives",
            get(api::list_initiatives).post(api::propose),
        )
        .route("/api/v1/initiatives/{id}", get(api::get_initiative))
        .route("/api/v1/initiatives/{id}/recognition", post(api::recognise))
        .route(
            "/api/v1/exemplars",
            get(api::list_exemplars).post(api::create_exemplar),
        )
        .route("/units/{id}/records", get(pages::unit).post(pages::save))
        .route("/units/{id}/initiatives", post(pages::propose))
        .route("/units/{id}/exemplars", post(pages::create_exemplar))
        .route("/initiatives", get(pages::register))
        .route("/initiatives/{id}", get(pages::initiative))
        .route("/initiatives/{id}/recognition", post(pages::recognise))
}

/// Uploads of this area (they need the larger body limit).
pub fn uploads() -> Router<AppState> {
    use crate::api::records as api;
    use crate::pages::records as pages;
    Router::new()
        .route(
            "/api/v1/units/{id}/records/import",
            post(api::import_records),
        )
        .route("/units/{id}/records/import", post(pages::import))
}
