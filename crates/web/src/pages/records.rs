//! Pages for people's yearly records (a unit's page with the record form, the import and
//! the unit's initiatives and models) and the register of initiatives with recognition.
//! They use the same store methods and rules (`crate::records`) as the API.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::records::{
    DisciplineForm, ExemplarInput, ExemplarKind, InitiativeInput, Rating, RecognitionInput,
    RecordInput, Scope,
};
use thidua_store::{Exemplar, Initiative, InitiativeQuery, RecordRow, Unit};

use super::groups::{field, opt_field, Fields, Posted};
use super::{form_errors, render, render_status, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::records as rules;
use crate::AppState;

/// Labels the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct R {
    lang: crate::i18n::Lang,
}

impl R {
    pub fn rating(&self, s: &Option<String>) -> String {
        s.as_deref()
            .and_then(Rating::parse)
            .map(|r| t(self.lang, &r.key()))
            .unwrap_or_default()
    }
    pub fn discipline(&self, s: &Option<String>) -> String {
        s.as_deref()
            .and_then(DisciplineForm::parse)
            .map(|r| t(self.lang, &r.key()))
            .unwrap_or_default()
    }
    pub fn scope(&self, s: &Option<String>) -> String {
        s.as_deref()
            .and_then(Scope::parse)
            .map(|r| t(self.lang, &r.key()))
            .unwrap_or_default()
    }
    pub fn status(&self, s: &str) -> String {
        t(self.lang, &format!("ini-status-{s}"))
    }
    pub fn ex_kind(&self, s: &str) -> String {
        ExemplarKind::parse(s).map_or_else(|| s.to_owned(), |k| t(self.lang, &k.key()))
    }
    pub fn authors(&self, i: &Initiative) -> String {
        i.authors
            .iter()
            .map(|a| a.full_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct UnitParams {
    pub year: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "records/unit.html")]
struct UnitPage {
    l: L,
    r: R,
    unit: Unit,
    year: i64,
    rows: Vec<RecordRow>,
    initiatives: Vec<Initiative>,
    exemplars: Vec<Exemplar>,
    p: Posted,
    ratings: Vec<(&'static str, String)>,
    forms: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    import_rows: Vec<(usize, String, String)>,
    imported: Option<usize>,
}

impl UnitPage {
    fn v(&self, form: &str, name: &str) -> String {
        self.p.val(form, name, "")
    }
    fn year_v(&self, form: &str) -> String {
        self.p.val(form, "year", &self.year.to_string())
    }
    fn sel(&self, form: &str, name: &str, value: &str) -> bool {
        self.p.is(form, name, value, "")
    }
}

fn this_year() -> i64 {
    use chrono::Datelike;
    i64::from(crate::registrations::today().year())
}

async fn unit_page(
    app: &AppState,
    ctx: &Ctx,
    unit_id: &str,
    year: i64,
    p: Posted,
) -> AppResult<UnitPage> {
    rules::may_manage_unit(app, ctx, unit_id).await?;
    let l = L::new(ctx);
    let lang = l.lang;
    Ok(UnitPage {
        unit: app.store.get_unit(unit_id).await?,
        rows: app.store.unit_records(unit_id, year).await?,
        initiatives: app
            .store
            .list_initiatives(&InitiativeQuery {
                unit: Some(unit_id.to_owned()),
                ..InitiativeQuery::default()
            })
            .await?,
        exemplars: app.store.list_exemplars(Some(unit_id), None).await?,
        year,
        p,
        ratings: Rating::ALL
            .iter()
            .map(|r| (r.as_str(), t(lang, &r.key())))
            .collect(),
        forms: DisciplineForm::ALL
            .iter()
            .map(|r| (r.as_str(), t(lang, &r.key())))
            .collect(),
        kinds: ExemplarKind::ALL
            .iter()
            .map(|r| (r.as_str(), t(lang, &r.key())))
            .collect(),
        import_rows: Vec::new(),
        imported: None,
        r: R { lang },
        l,
    })
}

pub async fn unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<UnitParams>,
) -> AppResult<Response> {
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or_else(this_year);
    let mut page = unit_page(&app, &ctx, &id, year, Posted::default()).await?;
    let key = match q.done.as_deref() {
        Some("saved") => Some("rec-saved"),
        Some("proposed") => Some("ini-proposed"),
        Some("exemplar") => Some("ex-created"),
        _ => None,
    };
    page.l = page.l.with_flash(key);
    render(&page)
}

/// Re-render the unit's page with the posted form's errors beside its fields.
async fn again(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &str,
    f: Fields,
    e: AppError,
) -> AppResult<Response> {
    let (errors, status) = form_errors(ctx.lang, e)?;
    let year = field(&f, "year").parse().unwrap_or_else(|_| this_year());
    let page = unit_page(app, ctx, id, year, Posted::new(form, f, errors)).await?;
    render_status(status, &page)
}

pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let input = RecordInput {
        year: field(&f, "year"),
        rating: opt_field(&f, "rating"),
        started_on: opt_field(&f, "started_on"),
        discipline_form: opt_field(&f, "discipline_form"),
        discipline_from: opt_field(&f, "discipline_from"),
        discipline_to: opt_field(&f, "discipline_to"),
        absence_from: opt_field(&f, "absence_from"),
        absence_to: opt_field(&f, "absence_to"),
        absence_reason: opt_field(&f, "absence_reason"),
        note: opt_field(&f, "note"),
    };
    let person = field(&f, "person_id");
    let res = match input.validate() {
        Ok(d) => app
            .store
            .save_record(&ctx.audit(), &id, &person, &d, None)
            .await
            .map_err(AppError::from)
            .map(|r| r.year),
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(y) => {
            Ok(Redirect::to(&format!("/units/{id}/records?year={y}&done=saved")).into_response())
        }
        Err(e) => again(&app, &ctx, &id, "rec", f, e).await,
    }
}

pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let bytes = super::units::read_upload(mp).await?;
    let res = rules::import_records(&app, &ctx, &id, &bytes).await;
    let mut page = unit_page(&app, &ctx, &id, this_year(), Posted::default()).await?;
    match res {
        Ok(n) => {
            page.imported = Some(n);
            render(&page)
        }
        Err(AppError::Import(rows)) => {
            page.import_rows = rows
                .iter()
                .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

pub async fn propose(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let input = InitiativeInput {
        title: field(&f, "title"),
        year: field(&f, "year"),
        summary: opt_field(&f, "summary"),
        author_ids: f
            .iter()
            .filter(|(k, _)| k == "author_ids")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let res = match input.validate() {
        Ok(d) => app
            .store
            .propose_initiative(&ctx.audit(), &id, &d)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}/records?done=proposed")).into_response()),
        Err(e) => again(&app, &ctx, &id, "ini", f, e).await,
    }
}

pub async fn create_exemplar(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_manage_unit(&app, &ctx, &id).await?;
    let input = ExemplarInput {
        kind: field(&f, "kind"),
        year: field(&f, "year"),
        name: field(&f, "name"),
        person_id: opt_field(&f, "person_id"),
        story: field(&f, "story"),
    };
    let res = match input.validate() {
        Ok(d) => app
            .store
            .create_exemplar(&ctx.audit(), &id, &d)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}/records?done=exemplar")).into_response()),
        Err(e) => again(&app, &ctx, &id, "ex", f, e).await,
    }
}

// ---- the register ----

#[derive(Template)]
#[template(path = "records/register.html")]
struct RegisterPage {
    l: L,
    r: R,
    q: String,
    initiatives: Vec<Initiative>,
    exemplars: Vec<Exemplar>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterParams {
    pub q: Option<String>,
}

pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RegisterParams>,
) -> AppResult<Response> {
    rules::may_view_register(&ctx)?;
    let l = L::new(&ctx);
    render(&RegisterPage {
        initiatives: app
            .store
            .list_initiatives(&InitiativeQuery {
                q: p.q.clone(),
                ..InitiativeQuery::default()
            })
            .await?,
        exemplars: app.store.list_exemplars(None, None).await?,
        q: p.q.unwrap_or_default(),
        r: R { lang: l.lang },
        l,
    })
}

#[derive(Template)]
#[template(path = "records/initiative.html")]
struct InitiativePage {
    l: L,
    r: R,
    ini: Initiative,
    can_recognise: bool,
    p: Posted,
    scopes: Vec<(&'static str, String)>,
}

impl InitiativePage {
    fn v(&self, name: &str) -> String {
        self.p.val("rcg", name, "")
    }
    fn sel(&self, value: &str) -> bool {
        self.p.is("rcg", "scope", value, "unit")
    }
}

async fn initiative_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
) -> AppResult<InitiativePage> {
    rules::may_view_register(ctx)?;
    let ini = app.store.get_initiative(id).await?;
    let chain = app.store.unit_chain(&ini.unit_id).await?;
    let l = L::new(ctx);
    Ok(InitiativePage {
        can_recognise: ini.status == "proposed"
            && ctx.can(Action::RecognizeInitiative, &Resource::unit(&chain)),
        scopes: Scope::ALL
            .iter()
            .map(|s| (s.as_str(), t(l.lang, &s.key())))
            .collect(),
        r: R { lang: l.lang },
        ini,
        p,
        l,
    })
}

pub async fn initiative(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<UnitParams>,
) -> AppResult<Response> {
    let mut page = initiative_page(&app, &ctx, &id, Posted::default()).await?;
    if q.done.as_deref() == Some("recognised") {
        page.l = page.l.with_flash(Some("ini-recognised"));
    }
    render(&page)
}

pub async fn recognise(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let ini = app.store.get_initiative(&id).await?;
    let input = RecognitionInput {
        scope: field(&f, "scope"),
        body: field(&f, "body"),
        document_number: field(&f, "document_number"),
        recognised_on: field(&f, "recognised_on"),
    };
    let res = match rules::may_recognise(&app, &ctx, &ini, &input).await {
        Ok(d) => app
            .store
            .recognise_initiative(&ctx.audit(), &id, &d, Some(ini.version))
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/initiatives/{id}?done=recognised")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            let page = initiative_page(&app, &ctx, &id, Posted::new("rcg", f, errors)).await?;
            render_status(status, &page)
        }
    }
}
