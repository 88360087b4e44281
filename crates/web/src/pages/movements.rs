//! Pages for emulation movements: the list (searchable without diacritics), a movement's
//! page with its legal basis and who joined it by year, the create and edit forms and the
//! join form. They use the same store methods and rules (`crate::movements`) as the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Router};
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::movement::{Kind, Level, MovementInput, Status};
use thidua_store::{
    Council, GroupRef, LegalDocument, Movement, MovementParticipant, MovementQuery, Page, UnitBrief,
};

use super::groups::{Fields, Posted};
use super::{form_errors, render, render_status, L};
use crate::api::movements as api;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, Lang};
use crate::movements as rules;
use crate::AppState;

/// The routes of this area, pages and API, merged into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/movements",
            get(api::list_movements).post(api::create_movement),
        )
        .route(
            "/api/v1/movements/{id}",
            get(api::get_movement).put(api::update_movement),
        )
        .route("/api/v1/movements/{id}/status", post(api::set_status))
        .route("/api/v1/movements/{id}/bases", post(api::add_basis))
        .route(
            "/api/v1/movements/{id}/bases/{document_id}",
            delete(api::remove_basis),
        )
        .route(
            "/api/v1/movements/{id}/participants",
            get(api::participants).post(api::join),
        )
        .route(
            "/api/v1/movements/{id}/participants/{participant_id}",
            delete(api::leave),
        )
        .route("/api/v1/groups/{id}/movements", get(api::group_movements))
        .route("/movements", get(list).post(create))
        .route("/movements/new", get(new_form))
        .route("/movements/{id}", get(show).post(update))
        .route("/movements/{id}/edit", get(edit_form))
        .route("/movements/{id}/status", post(set_status))
        .route("/movements/{id}/bases", post(add_basis))
        .route(
            "/movements/{id}/bases/{document_id}/remove",
            post(remove_basis),
        )
        .route("/movements/{id}/join", post(join))
        .route(
            "/movements/{id}/participants/{participant_id}/remove",
            post(leave),
        )
}

fn field(f: &Fields, name: &str) -> String {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

fn opt_field(f: &Fields, name: &str) -> Option<String> {
    Some(field(f, name)).filter(|v| !v.is_empty())
}

fn posted(form: &str, fields: Fields, errors: super::FormErrors) -> Posted {
    Posted {
        form: form.into(),
        fields,
        errors,
    }
}

/// Labels the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct M {
    lang: Lang,
}

impl M {
    pub fn level(&self, s: &str) -> String {
        Level::parse(s).map_or_else(|| s.to_owned(), |l| t(self.lang, &l.key()))
    }
    pub fn kind(&self, s: &str) -> String {
        Kind::parse(s).map_or_else(|| s.to_owned(), |k| t(self.lang, &k.key()))
    }
    pub fn status(&self, s: &str) -> String {
        Status::parse(s).map_or_else(|| s.to_owned(), |k| t(self.lang, &k.key()))
    }
    /// "2021–2025", "2024", or "từ 2019" for an ongoing movement.
    pub fn period(&self, from: &i64, to: &Option<i64>) -> String {
        match to {
            Some(t) if t == from => from.to_string(),
            Some(t) => format!("{from}–{t}"),
            None => t_args(
                self.lang,
                "mov-period-ongoing",
                &[("from", from.to_string())],
            ),
        }
    }
    pub fn doc_kind(&self, k: &str) -> String {
        t(self.lang, &format!("doc-kind-{k}"))
    }
    pub fn enc(&self, s: &str) -> String {
        crate::ctx::urlencode(s)
    }
    pub fn group_label(&self, g: &GroupRef) -> String {
        format!("{} – {}", g.year, g.name)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneParams {
    pub done: Option<String>,
}

fn flash(ctx: &Ctx, done: &DoneParams) -> L {
    let key = match done.done.as_deref() {
        Some("created") => Some("mov-created"),
        Some("saved") => Some("mov-saved"),
        Some("joined") => Some("mov-joined"),
        Some("left") => Some("mov-left"),
        Some("status") => Some("mov-status-changed"),
        _ => None,
    };
    L::new(ctx).with_flash(key)
}

// ---------------------------------------------------------------------------------------
// /movements: the list
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub year: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "movements/list.html")]
struct ListPage {
    l: L,
    m: M,
    p: ListParams,
    list: Page<Movement>,
    can_create: bool,
    levels: Vec<&'static str>,
    statuses: Vec<&'static str>,
    kinds: Vec<&'static str>,
}

impl ListPage {
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
    fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

/// Councils whose movements the user manages.
async fn managed_councils(app: &AppState, ctx: &Ctx) -> AppResult<Vec<Council>> {
    let mut out = Vec::new();
    for c in app.store.list_councils().await? {
        let chain = app.store.unit_chain(&c.unit_id).await?;
        if ctx.can(Action::ManageMovements, &Resource::unit(&chain)) {
            out.push(c);
        }
    }
    Ok(out)
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    rules::may_view(&ctx)?;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i64>().ok());
    let q = MovementQuery {
        q: p.q.clone(),
        year,
        level: p.level.clone(),
        status: p.status.clone(),
        kind: p.kind.clone(),
        council_id: None,
        page: p.page.as_deref().and_then(|s| s.parse().ok()).unwrap_or(1),
        per_page: 50,
    };
    let list = app.store.list_movements(&q).await?;
    let can_create = !managed_councils(&app, &ctx).await?.is_empty();
    render(&ListPage {
        l: L::new(&ctx),
        m: M { lang: ctx.lang },
        p,
        list,
        can_create,
        levels: Level::ALL.iter().map(|l| l.as_str()).collect(),
        statuses: Status::ALL.iter().map(|l| l.as_str()).collect(),
        kinds: Kind::ALL.iter().map(|l| l.as_str()).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Create and edit
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "movements/form.html")]
struct FormPage {
    l: L,
    m: M,
    /// The movement being edited; `None` on the create form.
    edit: Option<Movement>,
    councils: Vec<Council>,
    documents: Vec<LegalDocument>,
    levels: Vec<&'static str>,
    kinds: Vec<&'static str>,
    p: Posted,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.edit {
            Some(m) => format!("/movements/{}", m.id),
            None => "/movements".into(),
        }
    }
    /// The value of a field: as posted, else the movement's, else empty.
    fn v(&self, name: &str) -> String {
        let current = match &self.edit {
            Some(m) => match name {
                "name" => m.name.clone(),
                "theme" => m.theme.clone(),
                "level" => m.level.clone(),
                "kind" => m.kind.clone(),
                "council_id" => m.council.id.clone(),
                "period_from" => m.period_from.to_string(),
                "period_to" => m.period_to.map(|y| y.to_string()).unwrap_or_default(),
                "version" => m.version.to_string(),
                _ => String::new(),
            },
            None => match name {
                "level" => "sector".into(),
                "kind" => "themed".into(),
                _ => String::new(),
            },
        };
        self.p.val("mov", name, &current)
    }
    fn sel(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }
    fn doc_checked(&self, id: &str) -> bool {
        self.p.is("mov", "document_ids", id, "")
    }
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    edit: Option<Movement>,
    p: Posted,
    status: StatusCode,
) -> AppResult<Response> {
    let councils = managed_councils(app, ctx).await?;
    let documents = if edit.is_none() {
        app.store.list_documents(None, 200).await?
    } else {
        Vec::new()
    };
    render_status(
        status,
        &FormPage {
            l: L::new(ctx),
            m: M { lang: ctx.lang },
            edit,
            councils,
            documents,
            levels: Level::ALL.iter().map(|l| l.as_str()).collect(),
            kinds: Kind::ALL.iter().map(|l| l.as_str()).collect(),
            p,
        },
    )
}

pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if managed_councils(&app, &ctx).await?.is_empty() {
        ctx.user()?;
        return Err(AppError::Forbidden);
    }
    form_page(&app, &ctx, None, Posted::default(), StatusCode::OK).await
}

fn input_of(f: &Fields) -> MovementInput {
    MovementInput {
        name: field(f, "name"),
        theme: opt_field(f, "theme"),
        level: field(f, "level"),
        kind: field(f, "kind"),
        period_from: opt_field(f, "period_from"),
        period_to: opt_field(f, "period_to"),
    }
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let council_id = field(&f, "council_id");
    let docs: Vec<String> = f
        .iter()
        .filter(|(k, v)| k == "document_ids" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let res = async {
        rules::may_manage(&app, &ctx, &council_id).await?;
        let d = input_of(&f).validate()?;
        Ok::<_, AppError>(
            app.store
                .create_movement(&ctx.audit(), &council_id, &d, &docs)
                .await?,
        )
    }
    .await;
    match res {
        Ok(m) => Ok(Redirect::to(&format!("/movements/{}?done=created", m.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            form_page(&app, &ctx, None, posted("mov", f, errors), status).await
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    form_page(&app, &ctx, Some(m), Posted::default(), StatusCode::OK).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    let council_id = opt_field(&f, "council_id").unwrap_or_else(|| m.council.id.clone());
    let version = field(&f, "version").parse::<i64>().unwrap_or(-1);
    let res = async {
        if council_id != m.council.id {
            rules::may_manage(&app, &ctx, &council_id).await?;
        }
        let d = input_of(&f).validate()?;
        Ok::<_, AppError>(
            app.store
                .update_movement(&ctx.audit(), &id, &council_id, &d, version)
                .await?,
        )
    }
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/movements/{id}?done=saved")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            // After a conflict the form shows the stored version, so saving again is a
            // deliberate overwrite of what the other person saved.
            let current = app.store.get_movement(&id).await?;
            let mut f = f;
            if status == StatusCode::CONFLICT {
                f.retain(|(k, _)| k != "version");
                f.push(("version".into(), current.version.to_string()));
            }
            form_page(&app, &ctx, Some(current), posted("mov", f, errors), status).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// /movements/{id}: the movement, its basis and who joined
// ---------------------------------------------------------------------------------------

/// The participants of one year.
pub struct YearRows {
    pub year: i64,
    pub groups: Vec<MovementParticipant>,
    pub units: Vec<MovementParticipant>,
}

#[derive(Template)]
#[template(path = "movements/show.html")]
struct ShowPage {
    l: L,
    m: M,
    mv: Movement,
    years: Vec<YearRows>,
    can_manage: bool,
    /// Participant ids the user may remove.
    removable: Vec<String>,
    /// Join form options (empty when the user may join nothing or the movement is not active).
    join_groups: Vec<GroupRef>,
    join_units: Vec<UnitBrief>,
    join_years: Vec<i64>,
    /// The statuses the movement may move to (for managers).
    next_statuses: Vec<&'static str>,
    documents: Vec<LegalDocument>,
    p: Posted,
}

impl ShowPage {
    fn can_join(&self) -> bool {
        !self.join_groups.is_empty() || !self.join_units.is_empty()
    }
    fn removable(&self, id: &str) -> bool {
        self.removable.iter().any(|r| r == id)
    }
    fn status_button(&self, s: &str) -> String {
        t(self.l.lang, &format!("mov-to-{s}-{}", self.mv.status))
    }
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(done): Query<DoneParams>,
) -> AppResult<Response> {
    rules::may_view(&ctx)?;
    show_page(
        &app,
        &ctx,
        &id,
        Posted::default(),
        StatusCode::OK,
        Some(done),
    )
    .await
}

/// The units the user may make join: every unit for the movement's managers, else the
/// units of the user's own grants that the rules accept.
async fn joinable_units(
    app: &AppState,
    ctx: &Ctx,
    mv: &Movement,
    can_manage: bool,
) -> AppResult<Vec<UnitBrief>> {
    let brief = |u: thidua_store::Unit| UnitBrief {
        id: u.id,
        code: u.code,
        name: u.name,
        short_name: u.short_name,
    };
    if can_manage {
        return Ok(app
            .store
            .all_units()
            .await?
            .into_iter()
            .map(brief)
            .collect());
    }
    let p = ctx.user()?;
    let mut out: Vec<UnitBrief> = Vec::new();
    for g in &p.actor.grants {
        let Some(scope) = &g.scope_unit else { continue };
        if out.iter().any(|u| &u.id == scope) {
            continue;
        }
        if rules::may_join_unit(app, ctx, mv, scope).await.is_ok() {
            if let Ok(u) = app.store.get_unit(scope).await {
                out.push(brief(u));
            }
        }
    }
    Ok(out)
}

async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
    status: StatusCode,
    done: Option<DoneParams>,
) -> AppResult<Response> {
    let mv = app.store.get_movement(id).await?;
    let can_manage = rules::may_manage_movement(app, ctx, &mv).await.is_ok();
    let participants = app.store.movement_participants(id, None).await?;
    let mut removable = Vec::new();
    let active = mv.status == Status::Active.as_str();
    if active {
        for pt in &participants {
            let who = match (&pt.group, &pt.unit) {
                (Some(g), _) => thidua_store::Joiner::Group(g.id.clone()),
                (_, Some(u)) => thidua_store::Joiner::Unit(u.id.clone()),
                _ => continue,
            };
            if rules::may_join(app, ctx, &mv, &who).await.is_ok() {
                removable.push(pt.id.clone());
            }
        }
    }
    let mut years: Vec<YearRows> = Vec::new();
    for pt in participants {
        if years.last().is_none_or(|y| y.year != pt.year) {
            years.push(YearRows {
                year: pt.year,
                groups: Vec::new(),
                units: Vec::new(),
            });
        }
        if let Some(y) = years.last_mut() {
            if pt.group.is_some() {
                y.groups.push(pt);
            } else {
                y.units.push(pt);
            }
        }
    }
    let last = mv
        .period_to
        .unwrap_or_else(|| {
            chrono::Utc::now()
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(mv.period_from)
                + 1
        })
        .max(mv.period_from);
    let (mut join_groups, mut join_units, mut join_years) = (Vec::new(), Vec::new(), Vec::new());
    if active {
        for g in app.store.groups_in_years(mv.period_from, last).await? {
            if let Ok(full) = app.store.get_group(&g.id).await {
                if rules::may_join_group(app, ctx, &mv, &full).await.is_ok() {
                    join_groups.push(g);
                }
            }
        }
        join_units = joinable_units(app, ctx, &mv, can_manage).await?;
        join_years = (mv.period_from..=last).rev().collect();
    }
    let next_statuses = Status::parse(&mv.status)
        .map(|s| s.next().iter().map(|n| n.as_str()).collect())
        .unwrap_or_default();
    let documents = if can_manage {
        app.store.list_documents(None, 200).await?
    } else {
        Vec::new()
    };
    let l = match done {
        Some(d) => flash(ctx, &d),
        None => L::new(ctx),
    };
    render_status(
        status,
        &ShowPage {
            l,
            m: M { lang: ctx.lang },
            mv,
            years,
            can_manage,
            removable,
            join_groups,
            join_units,
            join_years,
            next_statuses,
            documents,
            p,
        },
    )
}

async fn failed(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &str,
    f: Fields,
    e: AppError,
) -> AppResult<Response> {
    let (errors, status) = form_errors(ctx.lang, e)?;
    show_page(app, ctx, id, posted(form, f, errors), status, None).await
}

fn done(id: &str, what: &str) -> Response {
    Redirect::to(&format!("/movements/{id}?done={what}")).into_response()
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    match app
        .store
        .set_movement_status(&ctx.audit(), &id, &field(&f, "status"))
        .await
    {
        Ok(_) => Ok(done(&id, "status")),
        Err(e) => failed(&app, &ctx, &id, "status", f, e.into()).await,
    }
}

pub async fn add_basis(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    match app
        .store
        .add_movement_basis(&ctx.audit(), &id, &field(&f, "document_id"))
        .await
    {
        Ok(_) => Ok(done(&id, "saved")),
        Err(e) => failed(&app, &ctx, &id, "basis", f, e.into()).await,
    }
}

pub async fn remove_basis(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    rules::may_manage_movement(&app, &ctx, &m).await?;
    app.store
        .remove_movement_basis(&ctx.audit(), &id, &document_id)
        .await?;
    Ok(done(&id, "saved"))
}

pub async fn join(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    let res = async {
        let who = rules::joiner(opt_field(&f, "group_id"), opt_field(&f, "unit_id"))?;
        rules::may_join(&app, &ctx, &m, &who).await?;
        let year = match &who {
            thidua_store::Joiner::Group(_) => None,
            thidua_store::Joiner::Unit(_) => match opt_field(&f, "year") {
                None => None,
                Some(y) => Some(y.parse::<i64>().map_err(|_| {
                    AppError::Invalid(vec![thidua_domain::FieldError::new(
                        "year",
                        "err-mov-bad-year",
                    )])
                })?),
            },
        };
        Ok::<_, AppError>(
            app.store
                .join_movement(&ctx.audit(), &id, &who, year)
                .await?,
        )
    }
    .await;
    match res {
        Ok(_) => Ok(done(&id, "joined")),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => failed(&app, &ctx, &id, "join", f, e).await,
    }
}

pub async fn leave(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, participant_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let m = app.store.get_movement(&id).await?;
    let p = app.store.get_movement_participant(&participant_id).await?;
    if p.movement_id != id {
        return Err(AppError::NotFound);
    }
    let who = match (&p.group, &p.unit) {
        (Some(g), _) => thidua_store::Joiner::Group(g.id.clone()),
        (_, Some(u)) => thidua_store::Joiner::Unit(u.id.clone()),
        _ => return Err(AppError::NotFound),
    };
    rules::may_join(&app, &ctx, &m, &who).await?;
    app.store
        .leave_movement(&ctx.audit(), &id, &participant_id)
        .await?;
    Ok(done(&id, "left"))
}

#[cfg(test)]
mod tests {
    /// The movements' translations live in their own files; both languages have each key.
    #[test]
    fn both_languages_have_the_same_movement_keys() {
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .collect();
            k.sort();
            k
        };
        let vi = keys(include_str!("../../locales/vi/movements.ftl"));
        assert_eq!(vi, keys(include_str!("../../locales/en/movements.ftl")));
        // No key may shadow one of the main files.
        let main = keys(include_str!("../../locales/vi/main.ftl"));
        assert!(vi.iter().all(|k| !main.contains(k)));
    }

    #[test]
    fn labels_are_translated() {
        use crate::i18n::{t, Lang};
        assert_eq!(t(Lang::Vi, "mov-level-government"), "Chính phủ");
        assert_eq!(t(Lang::En, "mov-kind-regular"), "Regular (yearly)");
    }
}
