//! Title registration: who may register, see and manage what (shared by pages and API),
//! "today" in Vietnam, and the registration list as a table for XLSX and PDF.

use chrono::NaiveDate;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::titles;
use thidua_store::{Group, Registration};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, Lang};
use crate::AppState;

/// Today's date in Vietnam (UTC+7): deadlines are calendar days there.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Register (or withdraw) titles for a unit and its people: the council's secretariat,
/// the unit's leader or its emulation officer.
pub async fn may_register(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::RegisterTitles, &Resource::unit(&chain))
}

/// Deadlines, reopening, the council-wide list: the council's secretariat.
pub async fn may_manage(app: &AppState, ctx: &Ctx, year_id: &str) -> AppResult<()> {
    ctx.user()?;
    let y = app.store.get_year(year_id).await?;
    let c = app.store.get_council(&y.council_id).await?;
    let chain = app.store.unit_chain(&c.unit_id).await?;
    ctx.may(Action::ManageRegistrations, &Resource::unit(&chain))
}

/// The compiled list of a group: its head unit's leader or officer, or the secretariat.
pub async fn may_view_group(app: &AppState, ctx: &Ctx, g: &Group) -> AppResult<()> {
    ctx.user()?;
    if may_manage(app, ctx, &g.year_id).await.is_ok() {
        return Ok(());
    }
    match &g.head {
        Some(h) => may_register(app, ctx, &h.id).await,
        None => Err(AppError::Forbidden),
    }
}

/// A unit's own registrations: whoever registers for it, the head of its group that year,
/// or the secretariat.
pub async fn may_view_unit(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    unit_id: &str,
) -> AppResult<()> {
    ctx.user()?;
    if may_register(app, ctx, unit_id).await.is_ok() {
        return Ok(());
    }
    for g in app.store.groups_of_year(year_id).await? {
        if g.members.iter().any(|m| m.id == unit_id) {
            return may_view_group(app, ctx, &g).await;
        }
    }
    may_manage(app, ctx, year_id).await
}

pub fn title_name(code: &str, lang: Lang) -> String {
    titles::title(code)
        .map(|t| t.name(lang == Lang::En).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The registration list as a table: column headings and rows of text, in the caller's
/// language. One source for the XLSX export and for a PDF table renderer
/// (`render_table(columns, rows)`), so both show the same list.
pub fn list_table(regs: &[Registration], lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let columns = [
        "reg-col-no",
        "reg-col-group",
        "reg-col-unit",
        "reg-col-person",
        "reg-col-title",
        "reg-col-flags",
        "reg-col-registered-at",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = regs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.group_name.clone().unwrap_or_default(),
                r.unit_name.clone(),
                r.person_name
                    .clone()
                    .unwrap_or_else(|| t(lang, "reg-collective")),
                title_name(&r.title_code, lang),
                r.flags
                    .iter()
                    .map(|f| match lang {
                        Lang::Vi => f.message_vi.clone(),
                        Lang::En => f.message_en.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                crate::pages::fmt_instant(&r.registered_at),
            ]
        })
        .collect();
    (columns, rows)
}

/// Counts per title for a list of registrations, in catalogue order (titles with none left
/// out).
pub fn counts(regs: &[Registration]) -> Vec<(&'static str, usize)> {
    titles::CATALOGUE
        .iter()
        .map(|t| {
            (
                t.code,
                regs.iter().filter(|r| r.title_code == t.code).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The routes of this area, merged into the application's router.
pub fn routes() -> axum::Router<AppState> {
    use crate::api::registrations as api;
    use crate::pages::registrations as pages;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/titles", get(api::catalogue))
        .route(
            "/api/v1/years/{id}/registrations",
            get(api::list).post(api::create),
        )
        .route("/api/v1/years/{id}/registrations/export", get(api::export))
        .route("/api/v1/years/{id}/registration-summary", get(api::summary))
        .route(
            "/api/v1/years/{id}/registration-window",
            get(api::window).put(api::set_deadline),
        )
        .route(
            "/api/v1/years/{id}/registration-window/reopen",
            post(api::reopen),
        )
        .route("/api/v1/registrations/{id}", get(api::get))
        .route("/api/v1/registrations/{id}/withdraw", post(api::withdraw))
        .route("/api/v1/groups/{id}/registrations", get(api::group_list))
        .route("/api/v1/awards", post(api::record_award))
        .route("/api/v1/people/{id}/facts", post(api::record_fact))
        .route("/registration", get(pages::index))
        .route("/years/{id}/registration", get(pages::year))
        .route(
            "/years/{id}/registration/deadline",
            post(pages::set_deadline),
        )
        .route("/years/{id}/registration/reopen", post(pages::reopen))
        .route("/years/{id}/registration/export", get(pages::export))
        .route(
            "/years/{id}/registration/units/{unit_id}",
            get(pages::unit).post(pages::register),
        )
        .route("/registrations/{id}/withdraw", post(pages::withdraw))
        .route("/groups/{id}/registration", get(pages::group))
}
