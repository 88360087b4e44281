//! Pages for the year's activities — the calendar of a council, a group or a unit (a year
//! list by month, or one month as a grid; no script needed) with the year-end count, the
//! activity form, an activity with its report and photos — and the news: the public list
//! and article pages, the draft made from a conference, its editor and publication.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use thidua_domain::activity::{month_grid, ActivityInput, Kind, Status, MAX_PHOTO_BYTES};
use thidua_store::{
    Activity, ActivityQuery, Conference, Council, Group, NewsArticle, Owner, UnitBrief,
};

use super::groups::{Fields, Posted};
use super::{form_errors, render, render_status, L};
use crate::activities as rules;
use crate::api::activities::{tally_of, TallyRow};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, Lang};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/activities/{id}/photos", post(upload_activity_photo))
        .route("/news/{id}/photos", post(upload_article_photo))
        .layer(axum::extract::DefaultBodyLimit::max(
            MAX_PHOTO_BYTES + 64 * 1024,
        ));
    Router::new()
        .route("/activities", get(calendar).post(create))
        .route("/activities/new", get(new_form))
        .route("/activities/{id}", get(show).post(update))
        .route("/activities/{id}/edit", get(edit_form))
        .route("/activities/{id}/delete", post(delete))
        .route("/activities/{id}/photos/{file_id}", get(activity_photo))
        .route("/news", get(news_list))
        .route("/news/{id}", get(news_show).post(news_save))
        .route("/news/{id}/edit", get(news_edit))
        .route("/news/{id}/publish", post(news_publish))
        .route("/news/{id}/unpublish", post(news_unpublish))
        .route("/news/{id}/photos/{file_id}", get(article_photo))
        .route("/conferences/{id}/news", post(news_draft))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .merge(uploads)
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

/// Labels the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct A {
    lang: Lang,
}

impl A {
    pub fn kind(&self, s: &str) -> String {
        Kind::parse(s).map_or_else(|| s.to_owned(), |k| t(self.lang, &k.key()))
    }
    pub fn status(&self, s: &str) -> String {
        Status::parse(s).map_or_else(|| s.to_owned(), |k| t(self.lang, &k.key()))
    }
    pub fn tally_kind(&self, k: &Option<String>) -> String {
        match k {
            Some(k) => self.kind(k),
            None => t(self.lang, "act-total"),
        }
    }
    pub fn month(&self, m: &u32) -> String {
        crate::i18n::t_args(self.lang, "act-month", &[("month", m.to_string())])
    }
    pub fn dates(&self, a: &Activity) -> String {
        if a.starts_on == a.ends_on {
            super::fmt_date(&a.starts_on)
        } else {
            format!(
                "{} – {}",
                super::fmt_date(&a.starts_on),
                super::fmt_date(&a.ends_on)
            )
        }
    }
    pub fn owner(&self, a: &Activity) -> String {
        match (&a.group, &a.unit) {
            (Some(g), _) => g.name.clone(),
            (_, Some(u)) => u.short_name.clone().unwrap_or_else(|| u.name.clone()),
            _ => t(self.lang, "act-owner-council"),
        }
    }
    pub fn unit_name(&self, u: &UnitBrief) -> String {
        u.short_name.clone().unwrap_or_else(|| u.name.clone())
    }
    pub fn months(&self) -> Vec<u32> {
        (1..=12).collect()
    }
    /// Monday first, as Vietnamese calendars are printed.
    pub fn weekdays(&self) -> Vec<String> {
        (2..=8)
            .map(|d| t(self.lang, &format!("act-weekday-{d}")))
            .collect()
    }
    /// dd/mm/yyyy of a conference's local start time.
    pub fn day_of(&self, starts_at: &str) -> String {
        super::fmt_date(starts_at.get(..10).unwrap_or(starts_at))
    }
    pub fn unit(&self, u: &Option<UnitBrief>) -> String {
        u.as_ref()
            .map(|u| u.short_name.clone().unwrap_or_else(|| u.name.clone()))
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------
// /activities: the calendar
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct CalendarParams {
    pub year: Option<String>,
    pub month: Option<String>,
    pub council_id: Option<String>,
    pub group_id: Option<String>,
    pub unit_id: Option<String>,
    pub done: Option<String>,
}

pub struct MonthRows {
    pub month: u32,
    pub items: Vec<Activity>,
}

pub struct Day {
    pub day: Option<u32>,
    pub items: Vec<Activity>,
}

#[derive(Template)]
#[template(path = "activities/calendar.html")]
struct CalendarPage {
    l: L,
    a: A,
    year: i64,
    month: Option<u32>,
    /// The filter as a query string (council_id=…, group_id=… or unit_id=…)
    filter: String,
    title: String,
    councils: Vec<Council>,
    groups: Vec<Group>,
    units: Vec<UnitBrief>,
    p: CalendarParams,
    months: Vec<MonthRows>,
    weeks: Vec<Vec<Day>>,
    tally: Vec<TallyRow>,
    can_add: bool,
    conferences: Vec<Conference>,
}

impl CalendarPage {
    fn is_month(&self, m: &u32) -> bool {
        self.month == Some(*m)
    }
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
}

fn parse_year(s: &Option<String>) -> i64 {
    s.as_deref()
        .and_then(|y| y.trim().parse::<i64>().ok())
        .filter(|y| (1945..=2100).contains(y))
        .unwrap_or_else(|| i64::from(chrono::Utc::now().year()))
}

pub async fn calendar(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(mut p): Query<CalendarParams>,
) -> AppResult<Response> {
    ctx.user()?;
    let year = parse_year(&p.year);
    let month = p
        .month
        .as_deref()
        .and_then(|m| m.trim().parse::<u32>().ok())
        .filter(|m| (1..=12).contains(m));
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    p.council_id = nonempty(&p.council_id);
    p.group_id = nonempty(&p.group_id);
    p.unit_id = nonempty(&p.unit_id);
    let councils = app.store.list_councils().await?;
    // Nothing chosen: the topmost council (the sector's) and all its groups' activities.
    if p.council_id.is_none() && p.group_id.is_none() && p.unit_id.is_none() {
        let mut best: Option<(usize, String)> = None;
        for c in &councils {
            let depth = app.store.unit_chain(&c.unit_id).await?.len();
            if best.as_ref().is_none_or(|(d, _)| depth < *d) {
                best = Some((depth, c.id.clone()));
            }
        }
        p.council_id = best.map(|(_, id)| id);
    }
    // The most specific filter wins: unit, then group, then council.
    let q = ActivityQuery {
        year: Some(year),
        council_id: p
            .council_id
            .clone()
            .filter(|_| p.group_id.is_none() && p.unit_id.is_none()),
        group_id: p.group_id.clone().filter(|_| p.unit_id.is_none()),
        unit_id: p.unit_id.clone(),
    };
    let list = rules::list(&app, &ctx, &q).await?;
    let owner = rules::owner(
        q.council_id.as_deref(),
        q.group_id.as_deref(),
        q.unit_id.as_deref(),
    )?;
    let (filter, title) = match &owner {
        Owner::Council(c) => (
            format!("council_id={}", crate::ctx::urlencode(c)),
            app.store.get_council(c).await?.name,
        ),
        Owner::Group(g) => (
            format!("group_id={}", crate::ctx::urlencode(g)),
            app.store.get_group(g).await?.name,
        ),
        Owner::Unit(u) => (
            format!("unit_id={}", crate::ctx::urlencode(u)),
            app.store.get_unit(u).await?.name,
        ),
    };
    // The filter's choices: groups of the year of the chosen (or first) council, their members.
    let council_for_groups = match &owner {
        Owner::Group(g) => Some(app.store.get_group(g).await?.council_id),
        _ => p.council_id.clone(),
    };
    let mut groups = Vec::new();
    if let Some(c) = &council_for_groups {
        if let Some(y) = app.store.year_of(c, year).await? {
            groups = app.store.groups_of_year(&y).await?;
        }
    }
    let mut units: Vec<UnitBrief> = Vec::new();
    for g in &groups {
        for m in &g.members {
            if !units.iter().any(|u| u.id == m.id) {
                units.push(m.clone());
            }
        }
    }
    let can_add = rules::may_manage(&app, &ctx, &owner).await.is_ok();
    let conferences = match &owner {
        Owner::Group(g) if can_add => app.store.conferences_of(g).await?,
        _ => Vec::new(),
    };
    let tally = tally_of(&list);
    let mut weeks = Vec::new();
    let mut months = Vec::new();
    match month {
        Some(m) => {
            for w in month_grid(year as i32, m) {
                weeks.push(
                    w.iter()
                        .map(|d| Day {
                            day: d.map(|d| d.day()),
                            items: d
                                .map(|d| list.iter().filter(|a| on_day(a, d)).cloned().collect())
                                .unwrap_or_default(),
                        })
                        .collect(),
                );
            }
        }
        None => {
            for m in 1..=12u32 {
                let items: Vec<Activity> = list
                    .iter()
                    .filter(|a| month_of(&a.starts_on) == Some(m))
                    .cloned()
                    .collect();
                months.push(MonthRows { month: m, items });
            }
        }
    }
    let l = L::new(&ctx).with_flash(match p.done.as_deref() {
        Some("deleted") => Some("act-deleted"),
        _ => None,
    });
    render(&CalendarPage {
        l,
        a: A { lang: ctx.lang },
        year,
        month,
        filter,
        title,
        councils,
        groups,
        units,
        p,
        months,
        weeks,
        tally,
        can_add,
        conferences,
    })
}

fn month_of(iso: &str) -> Option<u32> {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .map(|d| d.month())
}

fn on_day(a: &Activity, d: NaiveDate) -> bool {
    match (
        NaiveDate::parse_from_str(&a.starts_on, "%Y-%m-%d"),
        NaiveDate::parse_from_str(&a.ends_on, "%Y-%m-%d"),
    ) {
        (Ok(s), Ok(e)) => thidua_domain::activity::covers_day(s, e, d),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// The activity form
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "activities/form.html")]
struct FormPage {
    l: L,
    a: A,
    /// The activity being edited; `None` on the create form.
    edit: Option<Activity>,
    /// Hidden owner field on create: ("group_id", id)…
    owner_field: (String, String),
    owner_name: String,
    hosts: Vec<UnitBrief>,
    kinds: Vec<&'static str>,
    statuses: Vec<&'static str>,
    p: Posted,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.edit {
            Some(a) => format!("/activities/{}", a.id),
            None => "/activities".into(),
        }
    }
    fn v(&self, name: &str) -> String {
        let current = match &self.edit {
            Some(a) => match name {
                "title" => a.title.clone(),
                "kind" => a.kind.clone(),
                "starts_on" => a.starts_on.clone(),
                "ends_on" => a.ends_on.clone(),
                "host_unit_id" => a.host.as_ref().map(|h| h.id.clone()).unwrap_or_default(),
                "place" => a.place.clone(),
                "participants" => a.participants.clone(),
                "status" => a.status.clone(),
                "report" => thidua_domain::editable::html_to_markdown(&a.report_html),
                "note" => a.note.clone(),
                "version" => a.version.to_string(),
                _ => String::new(),
            },
            None => match name {
                "status" => "planned".into(),
                "kind" => "experience_exchange".into(),
                _ => String::new(),
            },
        };
        self.p.val("act", name, &current)
    }
    fn sel(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }
}

/// The owner's display name and the units that may host its activities.
async fn owner_info(app: &AppState, o: &Owner) -> AppResult<(String, Vec<UnitBrief>)> {
    Ok(match o {
        Owner::Council(c) => {
            let c = app.store.get_council(c).await?;
            let u = app.store.get_unit(&c.unit_id).await?;
            (
                c.name,
                vec![UnitBrief {
                    id: u.id,
                    code: u.code,
                    name: u.name,
                    short_name: u.short_name,
                }],
            )
        }
        Owner::Group(g) => {
            let g = app.store.get_group(g).await?;
            (format!("{} – {}", g.name, g.year), g.members)
        }
        Owner::Unit(u) => {
            let u = app.store.get_unit(u).await?;
            (
                u.name.clone(),
                vec![UnitBrief {
                    id: u.id,
                    code: u.code,
                    name: u.name,
                    short_name: u.short_name,
                }],
            )
        }
    })
}

fn owner_field(o: &Owner) -> (String, String) {
    match o {
        Owner::Council(c) => ("council_id".into(), c.clone()),
        Owner::Group(g) => ("group_id".into(), g.clone()),
        Owner::Unit(u) => ("unit_id".into(), u.clone()),
    }
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    o: &Owner,
    edit: Option<Activity>,
    p: Posted,
    status: StatusCode,
) -> AppResult<Response> {
    let (owner_name, hosts) = owner_info(app, o).await?;
    render_status(
        status,
        &FormPage {
            l: L::new(ctx),
            a: A { lang: ctx.lang },
            edit,
            owner_field: owner_field(o),
            owner_name,
            hosts,
            kinds: Kind::ALL.iter().map(|k| k.as_str()).collect(),
            statuses: Status::ALL.iter().map(|k| k.as_str()).collect(),
            p,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct OwnerParams {
    pub council_id: Option<String>,
    pub group_id: Option<String>,
    pub unit_id: Option<String>,
}

pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OwnerParams>,
) -> AppResult<Response> {
    ctx.user()?;
    let o = rules::owner(
        q.council_id.as_deref(),
        q.group_id.as_deref(),
        q.unit_id.as_deref(),
    )?;
    rules::may_manage(&app, &ctx, &o).await?;
    form_page(&app, &ctx, &o, None, Posted::default(), StatusCode::OK).await
}

fn input_of(f: &Fields) -> ActivityInput {
    ActivityInput {
        title: field(f, "title"),
        kind: field(f, "kind"),
        starts_on: field(f, "starts_on"),
        ends_on: opt_field(f, "ends_on"),
        host_unit_id: opt_field(f, "host_unit_id"),
        place: opt_field(f, "place"),
        participants: opt_field(f, "participants"),
        status: opt_field(f, "status"),
        report: opt_field(f, "report"),
        note: opt_field(f, "note"),
    }
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.user()?;
    let o = rules::owner(
        opt_field(&f, "council_id").as_deref(),
        opt_field(&f, "group_id").as_deref(),
        opt_field(&f, "unit_id").as_deref(),
    )?;
    rules::may_manage(&app, &ctx, &o).await?;
    let res = async {
        let d = input_of(&f).validate()?;
        Ok::<_, AppError>(app.store.create_activity(&ctx.audit(), &o, &d).await?)
    }
    .await;
    match res {
        Ok(a) => Ok(Redirect::to(&format!("/activities/{}?done=created", a.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            form_page(&app, &ctx, &o, None, Posted::new("act", f, errors), status).await
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let a = app.store.get_activity(&id).await?;
    let o = rules::owner_of(&a);
    rules::may_manage(&app, &ctx, &o).await?;
    form_page(&app, &ctx, &o, Some(a), Posted::default(), StatusCode::OK).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.user()?;
    let a = app.store.get_activity(&id).await?;
    let o = rules::owner_of(&a);
    rules::may_manage(&app, &ctx, &o).await?;
    let version = field(&f, "version").parse::<i64>().unwrap_or(-1);
    let res = async {
        let d = input_of(&f).validate()?;
        Ok::<_, AppError>(
            app.store
                .update_activity(&ctx.audit(), &id, &d, version)
                .await?,
        )
    }
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}?done=saved")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            let current = app.store.get_activity(&id).await?;
            let mut f = f;
            if status == StatusCode::CONFLICT {
                f.retain(|(k, _)| k != "version");
                f.push(("version".into(), current.version.to_string()));
            }
            form_page(
                &app,
                &ctx,
                &o,
                Some(current),
                Posted::new("act", f, errors),
                status,
            )
            .await
        }
    }
}

pub async fn delete(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let a = app.store.get_activity(&id).await?;
    let o = rules::owner_of(&a);
    rules::may_manage(&app, &ctx, &o).await?;
    app.store.delete_activity(&ctx.audit(), &id).await?;
    let (k, v) = owner_field(&o);
    Ok(Redirect::to(&format!(
        "/activities?year={}&{k}={}&done=deleted",
        a.year,
        crate::ctx::urlencode(&v)
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------
// /activities/{id}
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct DoneParams {
    pub done: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "activities/show.html")]
struct ShowPage {
    l: L,
    a: A,
    act: Activity,
    owner_link: String,
    can_edit: bool,
    upload_error: Option<String>,
}

fn flash(ctx: &Ctx, d: &DoneParams) -> L {
    L::new(ctx).with_flash(match d.done.as_deref() {
        Some("created") => Some("act-created"),
        Some("saved") => Some("act-saved"),
        Some("photo") => Some("act-photo-added"),
        Some("published") => Some("news-published-done"),
        Some("unpublished") => Some("news-unpublished-done"),
        Some("drafted") => Some("news-drafted"),
        _ => None,
    })
}

/// A refused upload, said in words on the page it came from.
fn upload_error(lang: Lang, d: &DoneParams) -> Option<String> {
    d.error.as_deref().map(|k| match k {
        "too-large" => t(lang, "err-photo-too-large"),
        "type" => t(lang, "err-photo-type"),
        _ => t(lang, "err-required"),
    })
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.user()?;
    let act = app.store.get_activity(&id).await?;
    let o = rules::owner_of(&act);
    rules::may_read(&app, &ctx, &o).await?;
    let can_edit = rules::may_manage(&app, &ctx, &o).await.is_ok();
    let (k, v) = owner_field(&o);
    render(&ShowPage {
        l: flash(&ctx, &d),
        a: A { lang: ctx.lang },
        owner_link: format!(
            "/activities?year={}&{k}={}",
            act.year,
            crate::ctx::urlencode(&v)
        ),
        act,
        can_edit,
        upload_error: upload_error(ctx.lang, &d),
    })
}

/// Read the photo and its caption from a multipart form.
async fn read_photo(mut mp: Multipart) -> AppResult<(String, Vec<u8>, Option<String>)> {
    let mut file = None;
    let mut cap = None;
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::TooLarge)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("anh").to_owned();
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                file = Some((name, bytes.to_vec()));
            }
            Some("caption") => cap = field.text().await.ok(),
            _ => {}
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    Ok((name, bytes, cap))
}

/// The page's answer to an upload: back to the page, with the refusal said there.
fn after_upload(base: &str, r: AppResult<()>) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("{base}?done=photo")).into_response()),
        Err(AppError::TooLarge) => {
            Ok(Redirect::to(&format!("{base}?error=too-large")).into_response())
        }
        Err(AppError::Invalid(f)) => {
            let k = if f.iter().any(|e| e.key == "err-photo-type") {
                "type"
            } else {
                "required"
            };
            Ok(Redirect::to(&format!("{base}?error={k}")).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn upload_activity_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let a = app.store.get_activity(&id).await?;
    rules::may_manage(&app, &ctx, &rules::owner_of(&a)).await?;
    let r = match read_photo(mp).await {
        Ok((name, bytes, cap)) => {
            rules::add_activity_photo(&app, &ctx, &id, &name, cap.as_deref(), &bytes)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    after_upload(&format!("/activities/{id}"), r)
}

pub async fn activity_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rules::activity_photo(&app, &ctx, &id, &file_id).await
}

// ---------------------------------------------------------------------------------------
// News
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct NewsParams {
    pub council_id: Option<String>,
}

#[derive(Template)]
#[template(path = "activities/news_list.html")]
struct NewsListPage {
    l: L,
    items: Vec<NewsArticle>,
}

/// The public news page: published articles, no sign-in needed.
pub async fn news_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewsParams>,
) -> AppResult<Response> {
    let council = q.council_id.as_deref().filter(|s| !s.trim().is_empty());
    let items = app.store.list_articles(council, true).await?;
    render(&NewsListPage {
        l: L::new(&ctx),
        items,
    })
}

#[derive(Template)]
#[template(path = "activities/news_show.html")]
struct NewsShowPage {
    l: L,
    n: NewsArticle,
    can_edit: bool,
    upload_error: Option<String>,
}

pub async fn news_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(d): Query<DoneParams>,
) -> AppResult<Response> {
    let n = rules::visible_article(&app, &ctx, &id).await?;
    let can_edit = rules::may_edit_article(&app, &ctx, &n).await;
    render(&NewsShowPage {
        l: flash(&ctx, &d),
        n,
        can_edit,
        upload_error: upload_error(ctx.lang, &d),
    })
}

#[derive(Template)]
#[template(path = "activities/news_edit.html")]
struct NewsEditPage {
    l: L,
    n: NewsArticle,
    p: Posted,
}

impl NewsEditPage {
    fn v(&self, name: &str) -> String {
        let current = match name {
            "title" => self.n.title.clone(),
            "place" => self.n.place.clone(),
            "body" => thidua_domain::editable::html_to_markdown(&self.n.body_html),
            "version" => self.n.version.to_string(),
            _ => String::new(),
        };
        self.p.val("news", name, &current)
    }
}

/// The article for an editor; to others a draft does not exist.
async fn editable_article(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<NewsArticle> {
    ctx.user()?;
    let n = app.store.get_article(id).await?;
    if rules::may_edit_article(app, ctx, &n).await {
        Ok(n)
    } else if n.status == "published" {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn news_edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = editable_article(&app, &ctx, &id).await?;
    render(&NewsEditPage {
        l: L::new(&ctx),
        n,
        p: Posted::default(),
    })
}

/// Save the edited article. The body is typed in the same Markdown subset as documents and
/// stored as sanitised HTML; raw HTML typed in it stays text.
pub async fn news_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let n = editable_article(&app, &ctx, &id).await?;
    let version = field(&f, "version").parse::<i64>().unwrap_or(-1);
    let by = ctx.user()?.user.username.clone();
    let res = async {
        let raw = field(&f, "body");
        // Too long to be accepted: refused by the check below without being converted.
        let body = if raw.len() > thidua_domain::news::MAX_BODY * 4 {
            raw
        } else {
            thidua_domain::editable::markdown_to_html(&raw)
        };
        let text =
            thidua_domain::news::check_article(&field(&f, "title"), &field(&f, "place"), &body)?;
        Ok::<_, AppError>(
            app.store
                .update_article(&ctx.audit(), &id, &text, version, &by)
                .await?,
        )
    }
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/news/{id}?done=saved")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            let mut f = f;
            let current = if status == StatusCode::CONFLICT {
                let c = app.store.get_article(&id).await?;
                f.retain(|(k, _)| k != "version");
                f.push(("version".into(), c.version.to_string()));
                c
            } else {
                n
            };
            render_status(
                status,
                &NewsEditPage {
                    l: L::new(&ctx),
                    n: current,
                    p: Posted::new("news", f, errors),
                },
            )
        }
    }
}

pub async fn news_publish(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    editable_article(&app, &ctx, &id).await?;
    app.store
        .set_article_published(&ctx.audit(), &id, true)
        .await?;
    Ok(Redirect::to(&format!("/news/{id}?done=published")).into_response())
}

pub async fn news_unpublish(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    editable_article(&app, &ctx, &id).await?;
    app.store
        .set_article_published(&ctx.audit(), &id, false)
        .await?;
    Ok(Redirect::to(&format!("/news/{id}?done=unpublished")).into_response())
}

pub async fn news_draft(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = rules::draft_from_conference(&app, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/news/{}?done=drafted", n.id)).into_response())
}

pub async fn upload_article_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    editable_article(&app, &ctx, &id).await?;
    let r = match read_photo(mp).await {
        Ok((name, bytes, cap)) => {
            rules::add_article_photo(&app, &ctx, &id, &name, cap.as_deref(), &bytes)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    after_upload(&format!("/news/{id}"), r)
}

pub async fn article_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rules::article_photo(&app, &ctx, &id, &file_id).await
}
