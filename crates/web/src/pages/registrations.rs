//! Pages for title registration: the years to register in, a unit's registration form
//! (its collective title and each person's title, with eligibility errors beside the field),
//! a group's compiled list for its head, the council's list of all groups with counts per
//! title, and the secretariat's deadline and reopening forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::titles::{self, Title, TitleKind};
use thidua_store::{
    Council, EmulationYear, Group, Person, PersonQuery, RegOutcome, RegQuery, Registration,
    RegistrationDraft, UnitBrief, Window,
};

use super::{form_errors, render, render_status, FormErrors, L};
use crate::api::registrations::{summary_of, GroupSummary, ListParams, TitleCount};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::{t, t_args, Lang};
use crate::registrations as rules;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

impl Done {
    fn flash(&self, l: L) -> L {
        let key = match self.done.as_deref() {
            Some("registered") => Some("reg-done-registered"),
            Some("withdrawn") => Some("reg-done-withdrawn"),
            Some("window") => Some("reg-done-window"),
            _ => None,
        };
        l.with_flash(key)
    }
}

/// Helpers the templates call.
pub struct H {
    pub lang: Lang,
}

impl H {
    pub fn title(&self, code: &str) -> String {
        rules::title_name(code, self.lang)
    }
    pub fn tname(&self, t: &&Title) -> &'static str {
        t.name(self.lang == Lang::En)
    }
    pub fn flags(&self, r: &Registration) -> Vec<String> {
        r.flags
            .iter()
            .map(|f| match self.lang {
                Lang::Vi => f.message_vi.clone(),
                Lang::En => f.message_en.clone(),
            })
            .collect()
    }
    pub fn instant(&self, s: &str) -> String {
        super::fmt_instant(s)
    }
    pub fn count(&self, counts: &[TitleCount], code: &str) -> usize {
        counts
            .iter()
            .find(|c| c.title_code == code)
            .map_or(0, |c| c.count)
    }
}

fn h(ctx: &Ctx) -> H {
    H { lang: ctx.lang }
}

// ---- index ----

#[derive(Template)]
#[template(path = "registrations/index.html")]
pub struct IndexPage {
    pub l: L,
    pub councils: Vec<(Council, Vec<(String, i64)>)>,
}

pub async fn index(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let mut councils = Vec::new();
    for c in app.store.list_councils().await? {
        let years = app.store.years_of(&c.id).await?;
        councils.push((c, years));
    }
    render(&IndexPage {
        l: L::new(&ctx),
        councils,
    })
}

// ---- year: the council's list and the secretariat's forms ----

/// A group on the year page: whether the user sees its compiled list, and the members
/// whose registration page the user may open.
pub struct GroupView {
    pub g: Group,
    pub sees: bool,
    pub members: Vec<UnitBrief>,
}

#[derive(Template)]
#[template(path = "registrations/year.html")]
pub struct YearPage {
    pub l: L,
    pub h: H,
    pub y: EmulationYear,
    pub council: Council,
    pub window: Window,
    pub open: bool,
    pub can_manage: bool,
    /// Groups with their members this user may register for or see.
    pub groups: Vec<GroupView>,
    pub summary: Vec<GroupSummary>,
    pub totals: Vec<TitleCount>,
    pub collective: Vec<&'static Title>,
    pub errors: FormErrors,
}

async fn year_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: FormErrors,
    status: StatusCode,
    l: L,
) -> AppResult<Response> {
    let y = app.store.get_year(id).await?;
    let council = app.store.get_council(&y.council_id).await?;
    let can_manage = rules::may_manage(app, ctx, id).await.is_ok();
    let window = app.store.registration_window(id).await?;
    let mut groups = Vec::new();
    for g in app.store.groups_of_year(id).await? {
        let sees = rules::may_view_group(app, ctx, &g).await.is_ok();
        let mut members = Vec::new();
        for m in &g.members {
            if sees || rules::may_register(app, ctx, &m.id).await.is_ok() {
                members.push(m.clone());
            }
        }
        if sees || !members.is_empty() {
            groups.push(GroupView { g, sees, members });
        }
    }
    let (summary, totals) = if can_manage {
        let s = summary_of(app, id, ctx.lang).await?;
        (s.groups, s.totals)
    } else {
        (Vec::new(), Vec::new())
    };
    render_status(
        status,
        &YearPage {
            l,
            h: h(ctx),
            open: window.open_on(rules::today()),
            y,
            council,
            window,
            can_manage,
            groups,
            summary,
            totals,
            collective: titles::CATALOGUE
                .iter()
                .filter(|t| t.kind == TitleKind::Collective)
                .collect(),
            errors,
        },
    )
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let l = d.flash(L::new(&ctx));
    year_page(&app, &ctx, &id, FormErrors::default(), StatusCode::OK, l).await
}

#[derive(Deserialize)]
pub struct DeadlineForm {
    pub deadline: String,
}

pub async fn set_deadline(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeadlineForm>,
) -> AppResult<Response> {
    app.store.get_year(&id).await?;
    rules::may_manage(&app, &ctx, &id).await?;
    match app
        .store
        .set_registration_deadline(&ctx.audit(), &id, &f.deadline)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/years/{id}/registration?done=window")).into_response()),
        Err(e) => {
            let (errs, status) = form_errors(ctx.lang, e.into())?;
            year_page(&app, &ctx, &id, errs, status, L::new(&ctx)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReopenForm {
    pub until: String,
    pub reason: String,
}

pub async fn reopen(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReopenForm>,
) -> AppResult<Response> {
    app.store.get_year(&id).await?;
    rules::may_manage(&app, &ctx, &id).await?;
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .reopen_registration(&ctx.audit(), &id, &f.until, &f.reason, &by)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/years/{id}/registration?done=window")).into_response()),
        Err(e) => {
            let (errs, status) = form_errors(ctx.lang, e.into())?;
            year_page(&app, &ctx, &id, errs, status, L::new(&ctx)).await
        }
    }
}

pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    crate::api::registrations::export_response(&app, &ctx, &id, &p).await
}

// ---- a group's compiled list ----

#[derive(Template)]
#[template(path = "registrations/group.html")]
pub struct GroupPage {
    pub l: L,
    pub h: H,
    pub g: Group,
    pub regs: Vec<Registration>,
    pub counts: Vec<TitleCount>,
    pub window: Window,
    /// Member units, whether they registered a collective title.
    pub members: Vec<(UnitBrief, Option<String>)>,
}

pub async fn group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let g = app.store.get_group(&id).await?;
    rules::may_view_group(&app, &ctx, &g).await?;
    let regs = app
        .store
        .registrations(&RegQuery {
            year_id: g.year_id.clone(),
            group_id: Some(g.id.clone()),
            ..RegQuery::default()
        })
        .await?;
    let members = g
        .members
        .iter()
        .map(|m| {
            let t = regs
                .iter()
                .find(|r| r.unit_id == m.id && r.person_id.is_none())
                .map(|r| rules::title_name(&r.title_code, ctx.lang));
            (m.clone(), t)
        })
        .collect();
    render(&GroupPage {
        l: L::new(&ctx),
        h: h(&ctx),
        counts: crate::api::registrations::title_counts(&regs, ctx.lang),
        window: app.store.registration_window(&g.year_id).await?,
        members,
        regs,
        g,
    })
}

// ---- a unit's registration page ----

#[derive(Template)]
#[template(path = "registrations/unit.html")]
pub struct UnitPage {
    pub l: L,
    pub h: H,
    pub y: EmulationYear,
    pub unit: thidua_store::Unit,
    pub group: Option<Group>,
    pub window: Window,
    pub open: bool,
    pub can_register: bool,
    pub collective_reg: Option<Registration>,
    /// Each person with their live registration, if any, and their awards (for eligibility).
    pub people: Vec<(Person, Option<Registration>, String)>,
    /// The unit's collective awards: "title year".
    pub unit_awards: String,
    pub collective: Vec<&'static Title>,
    pub individual: Vec<&'static Title>,
    pub withdrawn: Vec<Registration>,
    /// Errors by field: "unit" or a person's id.
    pub errors: FormErrors,
    /// The title last chosen for a field (kept after an error).
    pub chosen: Vec<(String, String)>,
}

impl UnitPage {
    pub fn is_chosen(&self, field: &str, code: &str) -> bool {
        self.chosen.iter().any(|(f, c)| f == field && c == code)
    }
}

async fn unit_page(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    unit_id: &str,
    (errors, chosen): (FormErrors, Vec<(String, String)>),
    status: StatusCode,
    l: L,
) -> AppResult<Response> {
    let y = app.store.get_year(year_id).await?;
    let unit = app.store.get_unit(unit_id).await?;
    rules::may_view_unit(app, ctx, year_id, unit_id).await?;
    let can_register = rules::may_register(app, ctx, unit_id).await.is_ok();
    let group = app
        .store
        .groups_of_year(year_id)
        .await?
        .into_iter()
        .find(|g| g.members.iter().any(|m| m.id == unit_id));
    let window = app.store.registration_window(year_id).await?;
    let all = app
        .store
        .registrations(&RegQuery {
            year_id: year_id.to_owned(),
            unit_id: Some(unit_id.to_owned()),
            include_withdrawn: true,
            ..RegQuery::default()
        })
        .await?;
    let live: Vec<&Registration> = all.iter().filter(|r| r.status == "registered").collect();
    let people = app
        .store
        .list_people(&PersonQuery {
            unit_id: Some(unit_id.to_owned()),
            page: 1,
            per_page: thidua_store::MAX_PER_PAGE,
            ..PersonQuery::default()
        })
        .await?
        .items;
    let mut rows = Vec::with_capacity(people.len());
    for p in people {
        let r = live
            .iter()
            .find(|r| r.person_id.as_deref() == Some(p.id.as_str()))
            .map(|r| (*r).clone());
        let awards = awards_text(&app.store.awards_of_person(&p.id).await?, ctx.lang);
        rows.push((p, r, awards));
    }
    let unit_awards = awards_text(&app.store.awards_of_unit(unit_id).await?, ctx.lang);
    render_status(
        status,
        &UnitPage {
            l,
            h: h(ctx),
            open: window.open_on(rules::today()),
            collective_reg: live
                .iter()
                .find(|r| r.person_id.is_none())
                .map(|r| (*r).clone()),
            withdrawn: all
                .iter()
                .filter(|r| r.status != "registered")
                .cloned()
                .collect(),
            y,
            unit,
            group,
            window,
            can_register,
            people: rows,
            unit_awards,
            collective: titles::CATALOGUE
                .iter()
                .filter(|t| t.kind == TitleKind::Collective)
                .collect(),
            individual: titles::CATALOGUE
                .iter()
                .filter(|t| t.kind == TitleKind::Individual)
                .collect(),
            errors,
            chosen,
        },
    )
}

pub async fn unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((year_id, unit_id)): Path<(String, String)>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let l = d.flash(L::new(&ctx));
    unit_page(
        &app,
        &ctx,
        &year_id,
        &unit_id,
        (FormErrors::default(), Vec::new()),
        StatusCode::OK,
        l,
    )
    .await
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub title_code: String,
}

pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((year_id, unit_id)): Path<(String, String)>,
    Form(f): Form<RegisterForm>,
) -> AppResult<Response> {
    app.store.get_year(&year_id).await?;
    app.store.get_unit(&unit_id).await?;
    rules::may_register(&app, &ctx, &unit_id).await?;
    let field = if f.person_id.is_empty() {
        "unit".to_owned()
    } else {
        f.person_id.clone()
    };
    let chosen = vec![(field.clone(), f.title_code.clone())];
    let again = |errors: FormErrors, status: StatusCode| {
        let (app, ctx, year_id, unit_id, chosen) = (&app, &ctx, &year_id, &unit_id, chosen.clone());
        async move {
            unit_page(
                app,
                ctx,
                year_id,
                unit_id,
                (errors, chosen),
                status,
                L::new(ctx),
            )
            .await
        }
    };
    if f.title_code.is_empty() {
        return again(
            FormErrors::one(&field, t(ctx.lang, "err-required")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let by = ctx.user()?.user.username.clone();
    let draft = RegistrationDraft {
        unit_id: unit_id.clone(),
        person_id: Some(f.person_id.clone()).filter(|p| !p.is_empty()),
        title_code: f.title_code.clone(),
    };
    match app
        .store
        .register_title(&ctx.audit(), &year_id, &draft, &by, rules::today())
        .await
    {
        Ok(RegOutcome::Registered(_)) => Ok(Redirect::to(&format!(
            "/years/{year_id}/registration/units/{unit_id}?done=registered"
        ))
        .into_response()),
        Ok(RegOutcome::Ineligible(fails)) => {
            let msgs = fails
                .iter()
                .map(|r| {
                    let m = match ctx.lang {
                        Lang::Vi => &r.message_vi,
                        Lang::En => &r.message_en,
                    };
                    (field.clone(), format!("{m} [{}]", r.rule))
                })
                .collect();
            again(FormErrors(msgs), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => {
            let (mut errs, status) = form_errors(ctx.lang, e.into())?;
            // Errors about the request as a whole belong beside the field that was sent.
            for (f, _) in errs.0.iter_mut() {
                if f == "_form" || f == "title_code" || f == "person_id" {
                    *f = field.clone();
                }
            }
            again(errs, status).await
        }
    }
}

pub async fn withdraw(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let r = app.store.get_registration(&id).await?;
    rules::may_register(&app, &ctx, &r.unit_id).await?;
    let by = ctx.user()?.user.username.clone();
    match app
        .store
        .withdraw_registration(&ctx.audit(), &id, &by, rules::today())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/years/{}/registration/units/{}?done=withdrawn",
            r.year_id, r.unit_id
        ))
        .into_response()),
        Err(e) => {
            let field = r.person_id.clone().unwrap_or_else(|| "unit".into());
            let (mut errs, status) = form_errors(ctx.lang, e.into())?;
            for (f, _) in errs.0.iter_mut() {
                *f = field.clone();
            }
            unit_page(
                &app,
                &ctx,
                &r.year_id,
                &r.unit_id,
                (errs, Vec::new()),
                status,
                L::new(&ctx),
            )
            .await
        }
    }
}

/// Awards from the registry as one line, newest first: "Chiến sĩ thi đua cơ sở 2023; ...".
fn awards_text(awards: &[thidua_store::Award], lang: Lang) -> String {
    awards
        .iter()
        .map(|a| format!("{} {}", rules::title_name(&a.title_code, lang), a.year))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Hạn đăng ký: dd/mm/yyyy (mở lại đến ...)" for the templates.
pub fn window_text(l: &L, w: &Window) -> String {
    let mut s = match &w.deadline {
        Some(d) => l.d(d),
        None => l.t("reg-no-deadline"),
    };
    if let Some(r) = &w.reopened_until {
        s.push_str(" – ");
        s.push_str(&t_args(l.lang, "reg-reopened-until", &[("date", l.d(r))]));
    }
    s
}

impl L {
    pub fn reg_window(&self, w: &Window) -> String {
        window_text(self, w)
    }
}
