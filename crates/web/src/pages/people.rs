//! People of the units: list, search, view, create, edit, import, export.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::unit::{PersonDraft, PersonInput};
use thidua_store::{Page, Person, PersonQuery, Unit};

use super::units::{read_upload, ImportPage};
use super::{form_errors, render, render_status, FormErrors, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub unit: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListParams {
    pub fn to_query(&self) -> AppResult<PersonQuery> {
        let parse = |s: &Option<String>| -> AppResult<Option<i64>> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::BadRequest("err-bad-request".into())),
            }
        };
        let (page, per_page) = thidua_store::paging(parse(&self.page)?, parse(&self.per_page)?);
        Ok(PersonQuery {
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            unit_id: self.unit.clone().filter(|s| !s.trim().is_empty()),
            page,
            per_page,
        })
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    l: L,
    q: String,
    page: Page<Person>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let q = p.to_query()?;
    let page = app.store.list_people(&q).await?;
    let link = |n: i64| {
        format!(
            "/people?page={n}&q={}",
            crate::ctx::urlencode(p.q.as_deref().unwrap_or(""))
        )
    };
    render(&ListPage {
        l: L::new(&ctx),
        q: p.q.clone().unwrap_or_default(),
        prev: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < page.pages()).then(|| link(page.page + 1)),
        page,
    })
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    l: L,
    p: Person,
    can_edit: bool,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let p = app.store.get_person(&id).await?;
    let chain = app.store.unit_chain(&p.unit_id).await?;
    render(&ShowPage {
        can_edit: ctx.can(Action::ManagePeople, &Resource::unit(&chain)),
        l: L::new(&ctx),
        p,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub unit_id: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub version: Option<String>,
}

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            full_name: self.full_name.clone(),
            position: self.position.clone(),
            unit_id: self.unit_id.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
    pub fn sel(&self, id: &str) -> bool {
        self.unit_id == id
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    l: L,
    title: String,
    action: String,
    f: PersonForm,
    errors: FormErrors,
    units: Vec<Unit>,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    action: String,
    title_key: &str,
    f: PersonForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let l = L::new(ctx);
    render_status(
        status,
        &FormPage {
            title: l.t(title_key),
            l,
            action,
            f,
            errors,
            units: app.store.all_units().await?,
        },
    )
}

/// May the actor manage the people of `unit_id`? An unknown unit is a field error.
pub async fn check_unit(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    let chain = match app.store.get_unit(unit_id).await {
        Ok(_) => app.store.unit_chain(unit_id).await?,
        Err(thidua_store::StoreError::NotFound) => {
            return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                "unit_id",
                "err-unknown-unit",
            )]))
        }
        Err(e) => return Err(e.into()),
    };
    ctx.may(Action::ManagePeople, &Resource::unit(&chain))
}

#[derive(Deserialize)]
pub struct NewParams {
    unit: Option<String>,
}

pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<NewParams>,
) -> AppResult<Response> {
    ctx.user()?;
    if let Some(u) = &p.unit {
        check_unit(&app, &ctx, u).await?;
    }
    let f = PersonForm {
        unit_id: p.unit.unwrap_or_default(),
        ..Default::default()
    };
    form_page(
        &app,
        &ctx,
        "/people".into(),
        "people-new",
        f,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn save_new(app: &AppState, ctx: &Ctx, d: &PersonDraft) -> AppResult<Person> {
    check_unit(app, ctx, &d.unit_id).await?;
    Ok(app.store.create_person(&ctx.audit(), d).await?)
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PersonForm>,
) -> AppResult<Response> {
    ctx.user()?;
    let res = match f.input().validate() {
        Ok(d) => save_new(&app, &ctx, &d).await,
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            form_page(
                &app,
                &ctx,
                "/people".into(),
                "people-new",
                f,
                errors,
                status,
            )
            .await
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = app.store.get_person(&id).await?;
    check_unit(&app, &ctx, &p.unit_id).await?;
    let f = PersonForm {
        full_name: p.full_name,
        position: p.position,
        unit_id: p.unit_id,
        valid_from: p.valid_from,
        valid_to: p.valid_to,
        version: Some(p.version.to_string()),
    };
    form_page(
        &app,
        &ctx,
        format!("/people/{id}"),
        "people-edit",
        f,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn save_edit(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    d: &PersonDraft,
    version: i64,
) -> AppResult<Person> {
    let before = app.store.get_person(id).await?;
    check_unit(app, ctx, &before.unit_id).await?;
    if d.unit_id != before.unit_id {
        check_unit(app, ctx, &d.unit_id).await?;
    }
    Ok(app
        .store
        .update_person(&ctx.audit(), id, d, version)
        .await?)
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> AppResult<Response> {
    let before = app.store.get_person(&id).await?;
    check_unit(&app, &ctx, &before.unit_id).await?;
    let version = f
        .version
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1);
    let res = match f.input().validate() {
        Ok(d) => save_edit(&app, &ctx, &id, &d, version).await,
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            form_page(
                &app,
                &ctx,
                format!("/people/{id}"),
                "people-edit",
                f,
                errors,
                status,
            )
            .await
        }
    }
}

pub const PEOPLE_COLUMNS: &str = "Họ và tên, Chức vụ, Mã đơn vị, Từ ngày, Đến ngày";

fn import_page(ctx: &Ctx) -> ImportPage {
    let l = L::new(ctx);
    ImportPage {
        title: l.t("import-title"),
        action: "/people/import".into(),
        columns: PEOPLE_COLUMNS.into(),
        done: None,
        error: None,
        rows: Vec::new(),
        csrf_query: crate::ctx::urlencode(&ctx.csrf),
        l,
    }
}

pub async fn import_form(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    render(&import_page(&ctx))
}

pub async fn import(State(app): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    crate::imports::may_import_people(&ctx)?;
    let mut page = import_page(&ctx);
    let bytes = read_upload(mp).await?;
    match crate::imports::import_people(&app, &ctx, &bytes).await {
        Ok(n) => {
            page.done = Some(n);
            render(&page)
        }
        Err(AppError::Import(rows)) => {
            page.error = Some(page.l.t("import-failed"));
            page.rows = rows
                .iter()
                .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ExportParams {
    format: Option<String>,
}

pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ExportParams>,
) -> AppResult<Response> {
    ctx.may(Action::ExportUnits, &Resource::SYSTEM)?;
    crate::imports::export_people(&app, p.format.as_deref()).await
}
