//! Pages for councils, emulation years, legal documents, groups (clusters and blocks),
//! conferences and elections. They call the same store methods and permission rules
//! (`crate::groups`) as the JSON API in `crate::api::groups`.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::election::{self, Choice, Outcome, Tally};
use thidua_domain::FieldError;
use thidua_store::{
    BridgePoint, Conference, ConferenceDraft, Council, DocumentDraft, Election, ElectionDraft,
    EmulationYear, Group, GroupDraft, GroupRef, LegalDocument, Participant, PublishedBallot,
    StoreError, UnitBrief, YearDraft, CONFERENCE_KINDS, DOC_KINDS, MODES,
};

use super::{form_errors, render, render_status, FormErrors, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::groups as rules;
use crate::i18n::{t, t_args, Lang};
use crate::AppState;

// ---------------------------------------------------------------------------------------
// Form plumbing shared by the pages of this area
// ---------------------------------------------------------------------------------------

/// A posted form as name/value pairs: checkboxes repeat their name.
pub type Fields = Vec<(String, String)>;

pub(crate) fn field(f: &Fields, name: &str) -> String {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

pub(crate) fn opt_field(f: &Fields, name: &str) -> Option<String> {
    Some(field(f, name)).filter(|v| !v.is_empty())
}

fn all_fields(f: &Fields, name: &str) -> Vec<String> {
    f.iter()
        .filter(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form a page was re-rendered for (several forms share a page), what was typed in it
/// and its errors, so the errors show beside the right fields and nothing typed is lost.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    pub form: String,
    pub fields: Fields,
    pub errors: FormErrors,
}

impl Posted {
    pub(crate) fn new(form: impl Into<String>, fields: Fields, errors: FormErrors) -> Self {
        Posted {
            form: form.into(),
            fields,
            errors,
        }
    }
    pub fn on(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }
    pub fn has(&self, form: &str, name: &str) -> bool {
        self.on(form) && self.errors.has(name)
    }
    pub fn get(&self, form: &str, name: &str) -> String {
        if self.on(form) {
            self.errors.get(name)
        } else {
            String::new()
        }
    }
    /// `aria-invalid` and `aria-describedby` for a field with an error. The form and field
    /// names are fixed identifiers of ours, so the result is safe to emit unescaped.
    pub fn aria(&self, form: &str, name: &str) -> String {
        if self.has(form, name) {
            format!(r#"aria-invalid="true" aria-describedby="{form}-{name}-err""#)
        } else {
            String::new()
        }
    }
    /// Errors of the form not about one of the listed fields (comma-separated).
    pub fn general(&self, form: &str, shown: &str) -> Vec<String> {
        if !self.on(form) {
            return Vec::new();
        }
        let shown: Vec<&str> = shown.split(',').map(str::trim).collect();
        self.errors.general(&shown)
    }
    /// What was typed in the field, or `default` when the form was not posted.
    pub fn val(&self, form: &str, name: &str, default: &str) -> String {
        if self.on(form) {
            self.fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        } else {
            default.to_owned()
        }
    }
    /// Is `value` chosen for `name`: as posted, or `value == default` on a fresh form.
    pub fn is(&self, form: &str, name: &str, value: &str, default: &str) -> bool {
        if self.on(form) {
            self.fields.iter().any(|(k, v)| k == name && v == value)
        } else {
            value == default
        }
    }
}

/// A flash message after a redirect.
#[derive(Debug, Default, Deserialize)]
pub struct DoneParams {
    pub done: Option<String>,
    pub carried: Option<String>,
    pub receipt: Option<String>,
}

impl DoneParams {
    fn flash(&self, lang: Lang) -> Option<String> {
        if let Some(n) = self
            .carried
            .as_deref()
            .and_then(|n| n.parse::<usize>().ok())
        {
            return Some(t_args(lang, "year-carried", &[("count", n.to_string())]));
        }
        let key = match self.done.as_deref()? {
            "saved" => "grp-saved",
            "archived" => "grp-archived-done",
            "closed" => "elec-closed-done",
            "opened" => "elec-opened-done",
            "counted" => "elec-counted-done",
            _ => return None,
        };
        Some(t(lang, key))
    }
}

fn with_flash(ctx: &Ctx, flash: Option<String>) -> L {
    let mut l = L::new(ctx);
    l.flash = flash;
    l
}

/// Labels and formats the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct G {
    lang: Lang,
}

impl G {
    fn new(lang: Lang) -> Self {
        G { lang }
    }
    fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
    /// "yyyy-mm-ddThh:mm" as dd/mm/yyyy hh:mm.
    pub fn dt(&self, s: &str) -> String {
        fmt_datetime(s)
    }
    pub fn kind(&self, kind: &str) -> String {
        self.t(&format!("grp-kind-{kind}"))
    }
    /// "Cụm thi đua số 13"
    pub fn kind_number(&self, kind: &str, number: &i64) -> String {
        t_args(
            self.lang,
            "grp-kind-number",
            &[("kind", self.kind(kind)), ("number", number.to_string())],
        )
    }
    /// The group's part of a document symbol, e.g. "KTĐ" in "02/KH-KTĐ4".
    pub fn kind_abbrev(&self, kind: &str) -> &'static str {
        if kind == "block" {
            "KTĐ"
        } else {
            "CTĐ"
        }
    }
    /// Cụm trưởng / Khối phó …
    pub fn office(&self, kind: &str, office: &str) -> String {
        let kind = if kind == "block" { "block" } else { "cluster" };
        let office = if office == "deputy" { "deputy" } else { "head" };
        self.t(&format!("grp-{office}-{kind}"))
    }
    pub fn status(&self, s: &str) -> String {
        self.t(&format!("grp-status-{s}"))
    }
    pub fn basis(&self, b: &Option<String>) -> String {
        match b.as_deref() {
            Some("election") => self.t("grp-basis-election"),
            Some(s) => s.to_owned(),
            None => String::new(),
        }
    }
    pub fn unit(&self, u: &Option<UnitBrief>) -> String {
        u.as_ref().map(|u| u.name.clone()).unwrap_or_default()
    }
    pub fn method(&self, m: &str) -> String {
        self.t(&format!("elec-method-{m}"))
    }
    pub fn estatus(&self, s: &str) -> String {
        self.t(&format!("elec-status-{s}"))
    }
    pub fn conf_kind(&self, k: &str) -> String {
        self.t(&format!("conf-kind-{k}"))
    }
    pub fn mode(&self, m: &str) -> String {
        self.t(&format!("conf-mode-{m}"))
    }
    pub fn conf_status(&self, s: &str) -> String {
        self.t(&format!("conf-status-{s}"))
    }
    pub fn doc_kind(&self, k: &str) -> String {
        self.t(&format!("doc-kind-{k}"))
    }
}

pub fn fmt_datetime(s: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        Ok(d) => d.format("%d/%m/%Y %H:%M").to_string(),
        Err(_) => super::fmt_date(s),
    }
}

/// "08 giờ 00, ngày 19 tháng 3 năm 2024" as administrative documents write it: days below
/// 10 and the months January and February take a leading zero (Decree 30/2020).
pub fn fmt_admin_datetime(s: &str) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        Ok(d) => {
            let month = if d.month() <= 2 {
                format!("{:02}", d.month())
            } else {
                d.month().to_string()
            };
            format!(
                "{:02} giờ {:02}, ngày {:02} tháng {} năm {}",
                d.hour(),
                d.minute(),
                d.day(),
                month,
                d.year()
            )
        }
        Err(_) => s.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Elections: results in words
// ---------------------------------------------------------------------------------------

fn tally_of(e: &Election) -> Option<Tally> {
    e.result
        .clone()
        .and_then(|v| serde_json::from_value::<Tally>(v).ok())
}

fn candidate_name(e: &Election, id: &str) -> String {
    e.candidates
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

fn names(e: &Election, ids: &[String]) -> String {
    ids.iter()
        .map(|i| candidate_name(e, i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The outcome of a closed election in words; empty while it is open.
pub fn outcome_text(lang: Lang, e: &Election) -> String {
    let Some(tl) = tally_of(e) else {
        return String::new();
    };
    match &tl.outcome {
        Outcome::Elected { candidate, votes } => t_args(
            lang,
            "elec-outcome-elected",
            &[
                ("name", candidate_name(e, candidate)),
                ("votes", votes.to_string()),
                ("members", tl.members.to_string()),
            ],
        ),
        Outcome::BelowQuorum { needed, .. } => t_args(
            lang,
            "elec-outcome-below-quorum",
            &[("needed", needed.to_string())],
        ),
        Outcome::Tie { candidates } => {
            t_args(lang, "elec-outcome-tie", &[("names", names(e, candidates))])
        }
        Outcome::NoMajority { runoff } => t_args(
            lang,
            "elec-outcome-no-majority",
            &[("names", names(e, runoff))],
        ),
    }
}

fn with_outcomes(lang: Lang, es: Vec<Election>) -> Vec<(Election, String)> {
    es.into_iter()
        .map(|e| {
            let o = outcome_text(lang, &e);
            (e, o)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// /groups: councils and their years
// ---------------------------------------------------------------------------------------

pub struct CouncilView {
    pub c: Council,
    pub years: Vec<(String, i64)>,
    pub can_manage: bool,
    /// The name of its "open a year" form.
    pub form: String,
}

#[derive(Template)]
#[template(path = "groups/index.html")]
struct IndexPage {
    l: L,
    councils: Vec<CouncilView>,
    is_admin: bool,
    units: Vec<thidua_store::Unit>,
    documents: Vec<LegalDocument>,
    p: Posted,
}

pub async fn index(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    index_page(
        &app,
        &ctx,
        Posted::default(),
        StatusCode::OK,
        q.flash(ctx.lang),
    )
    .await
}

async fn index_page(
    app: &AppState,
    ctx: &Ctx,
    p: Posted,
    status: StatusCode,
    flash: Option<String>,
) -> AppResult<Response> {
    let mut councils = Vec::new();
    let mut any_manager = false;
    for c in app.store.list_councils().await? {
        let years = app.store.years_of(&c.id).await?;
        let can_manage = rules::may_manage(app, ctx, &c.unit_id).await.is_ok();
        any_manager |= can_manage;
        councils.push(CouncilView {
            form: format!("year-{}", c.id),
            c,
            years,
            can_manage,
        });
    }
    let is_admin = ctx.can(Action::ManageUsers, &Resource::SYSTEM);
    let units = if is_admin {
        app.store.all_units().await?
    } else {
        Vec::new()
    };
    let documents = if any_manager {
        app.store.list_documents(None, 200).await?
    } else {
        Vec::new()
    };
    render_status(
        status,
        &IndexPage {
            l: with_flash(ctx, flash),
            councils,
            is_admin,
            units,
            documents,
            p,
        },
    )
}

pub async fn create_council(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    let res = app
        .store
        .create_council(&ctx.audit(), &field(&f, "unit_id"), &field(&f, "name"))
        .await;
    match res {
        Ok(_) => Ok(Redirect::to("/groups?done=saved").into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            index_page(&app, &ctx, Posted::new("council", f, errors), status, None).await
        }
    }
}

pub async fn create_year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let c = app.store.get_council(&id).await?;
    rules::may_manage(&app, &ctx, &c.unit_id).await?;
    let res = match field(&f, "year").parse::<i64>() {
        Ok(year) => app
            .store
            .create_year(
                &ctx.audit(),
                &id,
                &YearDraft {
                    year,
                    theme: field(&f, "theme"),
                    motto: field(&f, "motto"),
                    registration_deadline: opt_field(&f, "registration_deadline"),
                    self_assessment_deadline: opt_field(&f, "self_assessment_deadline"),
                    review_deadline: opt_field(&f, "review_deadline"),
                    document_ids: all_fields(&f, "document_ids"),
                },
            )
            .await
            .map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(vec![FieldError::new(
            "year",
            "err-bad-number",
        )])),
    };
    match res {
        Ok(y) => Ok(Redirect::to(&format!("/years/{}?done=saved", y.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            index_page(
                &app,
                &ctx,
                Posted::new(format!("year-{id}"), f, errors),
                status,
                None,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// /years/{id}: the year and its groups
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "groups/year.html")]
struct YearPage {
    l: L,
    h: G,
    y: EmulationYear,
    council: Council,
    groups: Vec<Group>,
    unassigned: Vec<UnitBrief>,
    other_years: Vec<(String, i64)>,
    /// Last year's groups, to link a new group to its predecessor.
    previous: Vec<Group>,
    can_manage: bool,
    p: Posted,
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    year_page(
        &app,
        &ctx,
        &id,
        Posted::default(),
        StatusCode::OK,
        q.flash(ctx.lang),
    )
    .await
}

async fn year_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
    status: StatusCode,
    flash: Option<String>,
) -> AppResult<Response> {
    let y = app.store.get_year(id).await?;
    let council = app.store.get_council(&y.council_id).await?;
    let can_manage = rules::may_manage(app, ctx, &council.unit_id).await.is_ok();
    let groups = app.store.groups_of_year(id).await?;
    let unassigned = app.store.unassigned_units(id).await?;
    let other_years: Vec<(String, i64)> = app
        .store
        .years_of(&council.id)
        .await?
        .into_iter()
        .filter(|(yid, _)| yid != id)
        .collect();
    let previous = match other_years.iter().find(|(_, n)| *n == y.year - 1) {
        Some((pid, _)) if can_manage => app.store.groups_of_year(pid).await?,
        _ => Vec::new(),
    };
    render_status(
        status,
        &YearPage {
            l: with_flash(ctx, flash),
            h: G::new(ctx.lang),
            y,
            council,
            groups,
            unassigned,
            other_years,
            previous,
            can_manage,
            p,
        },
    )
}

async fn year_manager(app: &AppState, ctx: &Ctx, year_id: &str) -> AppResult<EmulationYear> {
    let y = app.store.get_year(year_id).await?;
    let c = app.store.get_council(&y.council_id).await?;
    rules::may_manage(app, ctx, &c.unit_id).await?;
    Ok(y)
}

pub async fn create_group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    year_manager(&app, &ctx, &id).await?;
    let res = match field(&f, "number").parse::<i64>() {
        Ok(number) => app
            .store
            .create_group(
                &ctx.audit(),
                &id,
                &GroupDraft {
                    kind: field(&f, "kind"),
                    number,
                    name: opt_field(&f, "name"),
                    follower: opt_field(&f, "follower"),
                    member_ids: all_fields(&f, "member_ids"),
                    predecessor_ids: all_fields(&f, "predecessor_id"),
                },
                "active",
            )
            .await
            .map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(vec![FieldError::new(
            "number",
            "err-bad-number",
        )])),
    };
    match res {
        Ok(g) => Ok(Redirect::to(&format!("/groups/{}?done=saved", g.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            year_page(
                &app,
                &ctx,
                &id,
                Posted::new("group", f, errors),
                status,
                None,
            )
            .await
        }
    }
}

pub async fn carry_over(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let y = year_manager(&app, &ctx, &id).await?;
    let from_id = field(&f, "from_year_id");
    let res = match app.store.get_year(&from_id).await {
        Ok(from) if from.council_id == y.council_id && from.id != y.id => app
            .store
            .carry_over(&ctx.audit(), &from.id, &id)
            .await
            .map_err(AppError::from),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::Invalid(vec![FieldError::new(
            "from_year_id",
            "err-bad-request",
        )])),
        Err(e) => return Err(e.into()),
    };
    match res {
        Ok(n) => Ok(Redirect::to(&format!("/years/{id}?carried={n}")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            year_page(
                &app,
                &ctx,
                &id,
                Posted::new("carry", f, errors),
                status,
                None,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// /groups/{id}: one cluster or block
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "groups/group.html")]
struct GroupPage {
    l: L,
    h: G,
    g: Group,
    council: Council,
    can_manage: bool,
    can_plan: bool,
    unassigned: Vec<UnitBrief>,
    conferences: Vec<Conference>,
    elections: Vec<(Election, String)>,
    /// May open an election without a conference.
    elect_free: bool,
    /// The conferences the user may tie an election to.
    elect_confs: Vec<Conference>,
    /// Last year's deputy (a member now) and that year: proposed as head, as practice has it.
    proposed: Option<(UnitBrief, i64)>,
    timeline: Vec<GroupRef>,
    documents: Vec<thidua_store::GroupDocument>,
    /// Kinds not started yet that the user may start (head, deputy, secretariat).
    startable: Vec<String>,
    /// The emulation movements the group joined.
    movements: Vec<thidua_store::JoinedMovement>,
    p: Posted,
}

impl GroupPage {
    pub fn doc_kind_label(&self, k: &str) -> String {
        t(self.l.lang, &format!("gdoc-kind-{k}"))
    }
    pub fn doc_status(&self, d: &thidua_store::GroupDocument) -> String {
        let key = if d.adopted_version.is_some() {
            "docv-status-adopted"
        } else {
            "docv-status-draft"
        };
        t(self.l.lang, key)
    }
    pub fn can_elect(&self) -> bool {
        self.elect_free || !self.elect_confs.is_empty()
    }
    /// Candidates pre-checked on a fresh form: last year's deputy.
    pub fn candidate_checked(&self, unit_id: &str) -> bool {
        if self.p.on("elect") {
            return self.p.is("elect", "candidate_ids", unit_id, "");
        }
        self.proposed.as_ref().is_some_and(|(u, _)| u.id == unit_id)
    }
    pub fn proposal(&self) -> String {
        match &self.proposed {
            Some((u, year)) => t_args(
                self.l.lang,
                "elec-proposed",
                &[
                    ("unit", u.name.clone()),
                    ("deputy", self.h.office(&self.g.kind, "deputy")),
                    ("year", year.to_string()),
                    ("head", self.h.office(&self.g.kind, "head")),
                ],
            ),
            None => String::new(),
        }
    }
    pub fn is_current(&self, r: &GroupRef) -> bool {
        r.id == self.g.id
    }
}

pub async fn group(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    group_page(
        &app,
        &ctx,
        &id,
        Posted::default(),
        StatusCode::OK,
        q.flash(ctx.lang),
    )
    .await
}

/// The member units the user may host a conference for (all of them for a manager).
async fn host_options(
    app: &AppState,
    ctx: &Ctx,
    g: &Group,
    can_manage: bool,
) -> AppResult<Vec<UnitBrief>> {
    if can_manage {
        return Ok(g.members.clone());
    }
    let mut out = Vec::new();
    for m in &g.members {
        let chain = app.store.unit_chain(&m.id).await?;
        if ctx.can(Action::HostConference, &Resource::unit(&chain)) {
            out.push(m.clone());
        }
    }
    Ok(out)
}

async fn group_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
    status: StatusCode,
    flash: Option<String>,
) -> AppResult<Response> {
    let g = app.store.get_group(id).await?;
    let council = app.store.get_council(&g.council_id).await?;
    let can_manage = rules::may_manage(app, ctx, &council.unit_id).await.is_ok();
    let conferences = app.store.conferences_of(id).await?;
    let elections = with_outcomes(ctx.lang, app.store.elections_of(id).await?);
    let can_plan = !host_options(app, ctx, &g, can_manage).await?.is_empty();
    let elect_free = rules::may_run_election(app, ctx, id, None).await.is_ok();
    let mut elect_confs = Vec::new();
    for c in &conferences {
        if rules::may_run_election(app, ctx, id, Some(&c.id))
            .await
            .is_ok()
        {
            elect_confs.push(c.clone());
        }
    }
    let mut proposed = None;
    for pr in &g.predecessors {
        if let Ok(pg) = app.store.get_group(&pr.id).await {
            if let Some(d) = pg.deputy {
                if g.members.iter().any(|m| m.id == d.id) {
                    proposed = Some((d, pr.year));
                    break;
                }
            }
        }
    }
    let unassigned = if can_manage {
        app.store.unassigned_units(&g.year_id).await?
    } else {
        Vec::new()
    };
    let timeline = app.store.group_timeline(id).await?;
    let documents = app.store.documents_of_group(id).await?;
    let startable = if crate::documents::may_edit(app, ctx, id).await.is_ok() {
        super::documents::startable_kinds()
            .iter()
            .map(|k| k.as_str().to_owned())
            .filter(|k| !documents.iter().any(|d| &d.kind == k))
            .collect()
    } else {
        Vec::new()
    };
    let movements = app.store.movements_of_group(id).await?;
    render_status(
        status,
        &GroupPage {
            l: with_flash(ctx, flash),
            h: G::new(ctx.lang),
            g,
            council,
            can_manage,
            can_plan,
            unassigned,
            conferences,
            elections,
            elect_free,
            elect_confs,
            proposed,
            timeline,
            documents,
            startable,
            movements,
            p,
        },
    )
}

/// Re-render the group page for a failed form, or pass the error on.
async fn group_form_failed(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &str,
    f: Fields,
    e: AppError,
) -> AppResult<Response> {
    let (errors, status) = form_errors(ctx.lang, e)?;
    group_page(app, ctx, id, Posted::new(form, f, errors), status, None).await
}

pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    let unit = field(&f, "unit_id");
    if unit.is_empty() {
        let e = AppError::Invalid(vec![FieldError::new("unit_id", "err-required")]);
        return group_form_failed(&app, &ctx, &id, "member", f, e).await;
    }
    match app.store.add_member(&ctx.audit(), &id, &unit).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}?done=saved")).into_response()),
        Err(e) => group_form_failed(&app, &ctx, &id, "member", f, e.into()).await,
    }
}

pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, unit_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    match app.store.remove_member(&ctx.audit(), &id, &unit_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}?done=saved")).into_response()),
        Err(e) => group_form_failed(&app, &ctx, &id, "members", Vec::new(), e.into()).await,
    }
}

pub async fn appoint(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    let res = app
        .store
        .appoint(
            &ctx.audit(),
            &id,
            &field(&f, "office"),
            &field(&f, "unit_id"),
            &field(&f, "basis"),
        )
        .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}?done=saved")).into_response()),
        Err(e) => group_form_failed(&app, &ctx, &id, "appoint", f, e.into()).await,
    }
}

/// Turn the group's cross-check on or off (secretariat, head or deputy).
pub async fn set_cross_check(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    rules::may_run_election(&app, &ctx, &id, None).await?;
    let on = field(&f, "cross_check") == "1";
    let version = field(&f, "version").parse::<i64>().ok();
    app.store
        .set_cross_check(&ctx.audit(), &id, on, version)
        .await?;
    Ok(Redirect::to(&format!("/groups/{id}?done=saved#cross-check")).into_response())
}

pub async fn archive(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    rules::may_manage_group(&app, &ctx, &id).await?;
    app.store
        .set_group_status(&ctx.audit(), &id, "archived")
        .await?;
    Ok(Redirect::to(&format!("/groups/{id}?done=archived")).into_response())
}

pub async fn open_election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let conference_id = opt_field(&f, "conference_id");
    rules::may_run_election(&app, &ctx, &id, conference_id.as_deref()).await?;
    let p = ctx.user()?;
    let d = ElectionDraft {
        office: field(&f, "office"),
        method: field(&f, "method"),
        candidate_ids: all_fields(&f, "candidate_ids"),
        conference_id,
        rule: None,
    };
    match app
        .store
        .open_election(&ctx.audit(), &id, &d, &p.user.username)
        .await
    {
        Ok(e) => Ok(Redirect::to(&format!("/elections/{}?done=opened", e.id)).into_response()),
        Err(e) => group_form_failed(&app, &ctx, &id, "elect", f, e.into()).await,
    }
}

// ---------------------------------------------------------------------------------------
// Conferences
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "groups/conference_form.html")]
struct ConferenceFormPage {
    l: L,
    h: G,
    g: Group,
    hosts: Vec<UnitBrief>,
    default_host: String,
    kinds: Vec<&'static str>,
    modes: Vec<&'static str>,
    p: Posted,
}

async fn conference_form(
    app: &AppState,
    ctx: &Ctx,
    g: Group,
    p: Posted,
    status: StatusCode,
) -> AppResult<Response> {
    let can_manage = rules::may_manage_group(app, ctx, &g.id).await.is_ok();
    let hosts = host_options(app, ctx, &g, can_manage).await?;
    if hosts.is_empty() {
        return Err(AppError::Forbidden);
    }
    // The head hosts, or in the new year's first conference last year's deputy.
    let default_host = g
        .head
        .as_ref()
        .filter(|h| hosts.iter().any(|x| x.id == h.id))
        .or_else(|| hosts.first())
        .map(|u| u.id.clone())
        .unwrap_or_default();
    render_status(
        status,
        &ConferenceFormPage {
            l: L::new(ctx),
            h: G::new(ctx.lang),
            g,
            hosts,
            default_host,
            kinds: CONFERENCE_KINDS.to_vec(),
            modes: MODES.to_vec(),
            p,
        },
    )
}

pub async fn new_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let g = app.store.get_group(&id).await?;
    conference_form(&app, &ctx, g, Posted::default(), StatusCode::OK).await
}

/// Bridge points typed one per line as "unit code | place" (the place defaults to the
/// unit's name); errors name the line.
async fn parse_bridge_points(
    app: &AppState,
    lang: Lang,
    s: &str,
) -> AppResult<Result<Vec<BridgePoint>, String>> {
    let mut out = Vec::new();
    for line in lines(s) {
        let (code, place) = match line.split_once('|') {
            Some((c, p)) => (c.trim().to_owned(), p.trim().to_owned()),
            None => (line.clone(), String::new()),
        };
        let Some(u) = app.store.unit_by_code(&code).await? else {
            return Ok(Err(format!("{line}: {}", t(lang, "err-unknown-unit"))));
        };
        out.push(BridgePoint {
            unit_id: u.id,
            unit_name: String::new(),
            place: if place.is_empty() { u.name } else { place },
        });
    }
    Ok(Ok(out))
}

/// Participants typed one per line as "name | role".
fn parse_participants(s: &str) -> Vec<Participant> {
    lines(s)
        .into_iter()
        .map(|l| {
            let (name, role) = match l.split_once('|') {
                Some((n, r)) => (n.trim().to_owned(), r.trim().to_owned()),
                None => (l, String::new()),
            };
            Participant {
                name,
                person_id: None,
                unit_id: None,
                unit_name: None,
                role,
            }
        })
        .collect()
}

/// Store errors name their own fields; point them at the form's fields.
fn rename_fields(mut e: FormErrors) -> FormErrors {
    for (f, _) in e.0.iter_mut() {
        let to = match f.as_str() {
            "unit_id" => "host_unit_id",
            "place" => "bridge_points",
            _ => continue,
        };
        *f = to.to_owned();
    }
    e
}

pub async fn create_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.user()?;
    let g = app.store.get_group(&id).await?;
    let host = field(&f, "host_unit_id");
    if host.is_empty() {
        let errors = FormErrors::one("host_unit_id", t(ctx.lang, "err-required"));
        return conference_form(
            &app,
            &ctx,
            g,
            Posted::new("conf", f, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    rules::may_host(&app, &ctx, &id, &host).await?;
    let bridge_points =
        match parse_bridge_points(&app, ctx.lang, &field(&f, "bridge_points")).await? {
            Ok(b) => b,
            Err(msg) => {
                let errors = FormErrors::one("bridge_points", msg);
                return conference_form(
                    &app,
                    &ctx,
                    g,
                    Posted::new("conf", f, errors),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        };
    let d = ConferenceDraft {
        kind: field(&f, "kind"),
        title: opt_field(&f, "title"),
        starts_at: field(&f, "starts_at"),
        host_unit_id: host,
        venue: field(&f, "venue"),
        mode: field(&f, "mode"),
        agenda: lines(&field(&f, "agenda")),
        bridge_points,
        participants: parse_participants(&field(&f, "participants")),
    };
    match app.store.create_conference(&ctx.audit(), &id, &d).await {
        Ok(c) => Ok(Redirect::to(&format!("/conferences/{}?done=saved", c.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            conference_form(
                &app,
                &ctx,
                g,
                Posted::new("conf", f, rename_fields(errors)),
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "groups/conference.html")]
struct ConferencePage {
    l: L,
    h: G,
    c: Conference,
    g: Group,
    can_edit: bool,
    elections: Vec<(Election, String)>,
    files: Vec<thidua_store::FileRef>,
    /// On a stale edit: what is stored now.
    current: Option<String>,
    p: Posted,
}

pub async fn conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    conference_page(
        &app,
        &ctx,
        &id,
        Posted::default(),
        StatusCode::OK,
        q.flash(ctx.lang),
        None,
    )
    .await
}

async fn conference_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
    status: StatusCode,
    flash: Option<String>,
    current: Option<String>,
) -> AppResult<Response> {
    let c = app.store.get_conference(id).await?;
    let g = app.store.get_group(&c.group_id).await?;
    let can_edit = rules::may_host(app, ctx, &c.group_id, &c.host.id)
        .await
        .is_ok();
    let elections = with_outcomes(
        ctx.lang,
        app.store
            .elections_of(&c.group_id)
            .await?
            .into_iter()
            .filter(|e| e.conference_id.as_deref() == Some(id))
            .collect(),
    );
    render_status(
        status,
        &ConferencePage {
            l: with_flash(ctx, flash),
            h: G::new(ctx.lang),
            files: app.store.conference_files(&c.id).await?,
            c,
            g,
            can_edit,
            elections,
            current,
            p,
        },
    )
}

pub async fn update_minutes(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let c = app.store.get_conference(&id).await?;
    rules::may_host(&app, &ctx, &c.group_id, &c.host.id).await?;
    let version = field(&f, "version").parse::<i64>().unwrap_or(-1);
    let res = app
        .store
        .update_minutes(
            &ctx.audit(),
            &id,
            &field(&f, "minutes"),
            &field(&f, "outcome"),
            opt_field(&f, "status").as_deref(),
            version,
        )
        .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/conferences/{id}?done=saved")).into_response()),
        Err(e) => {
            let conflict = matches!(e, StoreError::Conflict { .. });
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            // Show what is stored now; the form keeps what was typed and takes the current
            // version, so saving again is a deliberate choice.
            let current = if conflict {
                let now = app.store.get_conference(&id).await?;
                Some(format!("{}\n{}", now.minutes, now.outcome))
            } else {
                None
            };
            conference_page(
                &app,
                &ctx,
                &id,
                Posted::new("minutes", f, errors),
                status,
                None,
                current,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "groups/print.html")]
struct PrintPage {
    l: L,
    h: G,
    c: Conference,
    g: Group,
    /// The body over the issuer, upper case (the council's unit).
    parent: String,
    /// The issuing body, upper case (the group).
    issuer: String,
    when: String,
    /// The mode in Vietnamese, as the document is.
    mode: String,
    /// The participant who chairs, if the list says so.
    chair: String,
}

pub async fn print_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let c = app.store.get_conference(&id).await?;
    let g = app.store.get_group(&c.group_id).await?;
    let council = app.store.get_council(&g.council_id).await?;
    let chair = c
        .participants
        .iter()
        .find(|p| {
            let r = thidua_domain::text::fold(&p.role);
            r.contains("chu tri") || r.contains("chu toa")
        })
        .map(|p| p.name.clone())
        .unwrap_or_default();
    render(&PrintPage {
        l: L::new(&ctx),
        h: G::new(ctx.lang),
        parent: council.unit_name.to_uppercase(),
        issuer: g.name.to_uppercase(),
        when: fmt_admin_datetime(&c.starts_at),
        mode: t(Lang::Vi, &format!("conf-mode-{}", c.mode)).to_lowercase(),
        chair,
        c,
        g,
    })
}

#[derive(Template)]
#[template(path = "groups/conferences.html")]
struct ConferencesPage {
    l: L,
    h: G,
    items: Vec<Conference>,
}

/// Every group's conferences, the most recent first.
pub async fn conferences(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let items = app.store.recent_conferences(500).await?;
    render(&ConferencesPage {
        l: L::new(&ctx),
        h: G::new(ctx.lang),
        items,
    })
}

// ---------------------------------------------------------------------------------------
// Elections
// ---------------------------------------------------------------------------------------

/// One line of the result: a candidate (or the blank ballots), the official count and the
/// count recomputed from the published list.
pub struct ResultRow {
    pub name: String,
    pub official: u32,
    pub recount: u32,
}

pub struct ResultView {
    pub members: u32,
    pub cast: u32,
    pub required_for_quorum: u32,
    pub votes_needed_to_win: u32,
    pub rows: Vec<ResultRow>,
    pub blank: ResultRow,
    pub outcome: String,
    /// The recount agrees with the official counts and no receipt repeats.
    pub verified: bool,
    pub duplicates: Vec<String>,
}

#[derive(Template)]
#[template(path = "groups/election.html")]
struct ElectionPage {
    l: L,
    h: G,
    e: Election,
    g: Group,
    conference: Option<Conference>,
    /// Member units the user leads that have not voted yet.
    my_units: Vec<UnitBrief>,
    /// Member units the user leads that have voted.
    my_voted: Vec<UnitBrief>,
    receipt: Option<String>,
    can_run: bool,
    /// A counted election whose count has been entered (waiting to be closed).
    count_entered: bool,
    result: Option<ResultView>,
    published: Vec<PublishedBallot>,
    lookup: String,
    next_round: Option<String>,
    previous_round: Option<String>,
    p: Posted,
}

impl ElectionPage {
    pub fn open(&self) -> bool {
        self.e.status == "open"
    }
    pub fn can_vote(&self) -> bool {
        self.open() && self.e.method != "counted" && !self.my_units.is_empty()
    }
    pub fn is_mine(&self, receipt: &str) -> bool {
        !self.lookup.is_empty() && self.lookup == receipt
    }
    pub fn found(&self) -> bool {
        self.published.iter().any(|b| self.is_mine(&b.receipt))
    }
    pub fn office(&self) -> String {
        self.h.office(&self.g.kind, &self.e.office)
    }
    pub fn voted_count(&self) -> String {
        t_args(
            self.l.lang,
            "elec-voted-count",
            &[
                ("voted", self.e.voted.len().to_string()),
                ("members", self.e.members.to_string()),
            ],
        )
    }
}

fn result_view(lang: Lang, e: &Election, published: &[PublishedBallot]) -> Option<ResultView> {
    let tl = tally_of(e)?;
    let pairs: Vec<(String, Choice)> = published
        .iter()
        .map(|b| {
            (
                b.receipt.clone(),
                b.choice.clone().map_or(Choice::Blank, Choice::For),
            )
        })
        .collect();
    let recount: HashMap<String, u32> = election::recount(&pairs)
        .into_iter()
        .map(|c| (c.candidate, c.votes))
        .collect();
    let recount_blank = pairs.iter().filter(|(_, c)| *c == Choice::Blank).count() as u32;
    let duplicates = election::duplicate_receipts(&pairs);
    let rows: Vec<ResultRow> = tl
        .counts
        .iter()
        .map(|c| ResultRow {
            name: candidate_name(e, &c.candidate),
            official: c.votes,
            recount: recount.get(&c.candidate).copied().unwrap_or(0),
        })
        .collect();
    let unknown = recount
        .keys()
        .any(|k| !tl.counts.iter().any(|c| &c.candidate == k));
    let verified = duplicates.is_empty()
        && !unknown
        && recount_blank == tl.blank
        && rows.iter().all(|r| r.official == r.recount);
    Some(ResultView {
        members: tl.members,
        cast: tl.cast,
        required_for_quorum: tl.required_for_quorum,
        votes_needed_to_win: tl.votes_needed_to_win,
        rows,
        blank: ResultRow {
            name: t(lang, "elec-blank"),
            official: tl.blank,
            recount: recount_blank,
        },
        outcome: outcome_text(lang, e),
        verified,
        duplicates,
    })
}

fn normalize_receipt(s: &str) -> String {
    s.trim().to_uppercase()
}

/// What the election page shows besides the election: a flash, the receipt just issued,
/// the receipt looked up in the published list.
#[derive(Debug, Default)]
struct Shown {
    flash: Option<String>,
    receipt: Option<String>,
    lookup: Option<String>,
}

async fn election_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    p: Posted,
    status: StatusCode,
    shown: Shown,
) -> AppResult<Response> {
    let Shown {
        flash,
        receipt,
        lookup,
    } = shown;
    let e = app.store.get_election(id).await?;
    let g = app.store.get_group(&e.group_id).await?;
    let conference = match &e.conference_id {
        Some(c) => Some(app.store.get_conference(c).await?),
        None => None,
    };
    let can_run = rules::may_run_election(app, ctx, &e.group_id, e.conference_id.as_deref())
        .await
        .is_ok();
    let mine: HashSet<String> = rules::voting_units(app, ctx, &e.group_id)
        .await?
        .into_iter()
        .collect();
    let voted: HashSet<&str> = e.voted.iter().map(|u| u.id.as_str()).collect();
    let (my_voted, my_units): (Vec<UnitBrief>, Vec<UnitBrief>) = g
        .members
        .iter()
        .filter(|m| mine.contains(&m.id))
        .cloned()
        .partition(|m| voted.contains(m.id.as_str()));
    let open = e.status == "open";
    // Ballots are published only once the election is closed.
    let published = if open {
        Vec::new()
    } else {
        app.store.published_ballots(id).await?
    };
    let count_entered = open
        && e.method == "counted"
        && can_run
        && !app.store.published_ballots(id).await?.is_empty();
    let result = if open {
        None
    } else {
        result_view(ctx.lang, &e, &published)
    };
    let next_round = if open {
        None
    } else {
        app.store
            .elections_of(&e.group_id)
            .await?
            .into_iter()
            .find(|x| x.previous_id.as_deref() == Some(id))
            .map(|x| x.id)
    };
    render_status(
        status,
        &ElectionPage {
            l: with_flash(ctx, flash),
            h: G::new(ctx.lang),
            previous_round: e.previous_id.clone(),
            e,
            g,
            conference,
            my_units,
            my_voted,
            receipt,
            can_run,
            count_entered,
            result,
            published,
            lookup: lookup.map(|r| normalize_receipt(&r)).unwrap_or_default(),
            next_round,
            p,
        },
    )
}

pub async fn election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    election_page(
        &app,
        &ctx,
        &id,
        Posted::default(),
        StatusCode::OK,
        Shown {
            flash: q.flash(ctx.lang),
            receipt: None,
            lookup: q.receipt.clone().filter(|r| !r.trim().is_empty()),
        },
    )
    .await
}

async fn election_form_failed(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &str,
    f: Fields,
    e: AppError,
) -> AppResult<Response> {
    let (errors, status) = form_errors(ctx.lang, e)?;
    election_page(
        app,
        ctx,
        id,
        Posted::new(form, f, errors),
        status,
        Shown::default(),
    )
    .await
}

/// Cast the ballot of the leader's member unit; the page then shows the receipt.
pub async fn vote(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.user()?;
    let e = app.store.get_election(&id).await?;
    // Who may not vote gets 403 whatever the form says.
    if rules::voting_units(&app, &ctx, &e.group_id)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    let choice = match opt_field(&f, "choice") {
        Some(c) if c == "blank" => None,
        Some(c) => Some(c),
        None => {
            let err = AppError::Invalid(vec![FieldError::new("choice", "elec-choose")]);
            return election_form_failed(&app, &ctx, &id, "vote", f, err).await;
        }
    };
    let unit = opt_field(&f, "unit_id");
    match rules::cast(&app, &ctx, &id, unit.as_deref(), choice.as_deref()).await {
        Ok(receipt) => {
            election_page(
                &app,
                &ctx,
                &id,
                Posted::default(),
                StatusCode::OK,
                Shown {
                    receipt: Some(receipt),
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => election_form_failed(&app, &ctx, &id, "vote", f, e).await,
    }
}

pub async fn close_election(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let e = app.store.get_election(&id).await?;
    rules::may_run_election(&app, &ctx, &e.group_id, e.conference_id.as_deref()).await?;
    let p = ctx.user()?;
    let accept_invalid = !field(&f, "accept_invalid").is_empty();
    match app
        .store
        .close_election(&ctx.audit(), &id, accept_invalid, &p.user.username)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/elections/{id}?done=closed")).into_response()),
        Err(err) => election_form_failed(&app, &ctx, &id, "close", f, err.into()).await,
    }
}

/// Enter the count from the room: votes per candidate and blank ballots.
pub async fn enter_count(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let e = app.store.get_election(&id).await?;
    rules::may_run_election(&app, &ctx, &e.group_id, e.conference_id.as_deref()).await?;
    let num = |name: &str| -> Option<i64> {
        let v = field(&f, name);
        if v.is_empty() {
            Some(0)
        } else {
            v.parse::<i64>().ok()
        }
    };
    let mut counts = Vec::new();
    let mut bad = Vec::new();
    for c in &e.candidates {
        let name = format!("votes-{}", c.id);
        match num(&name) {
            Some(n) => counts.push((c.id.clone(), n)),
            None => bad.push(FieldError::new(&name, "err-bad-number")),
        }
    }
    let blank = match num("blank") {
        Some(n) => n,
        None => {
            bad.push(FieldError::new("blank", "err-bad-number"));
            0
        }
    };
    if !bad.is_empty() {
        return election_form_failed(&app, &ctx, &id, "count", f, AppError::Invalid(bad)).await;
    }
    match app
        .store
        .enter_count(&ctx.audit(), &id, &counts, blank, &mut rules::new_receipt)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/elections/{id}?done=counted")).into_response()),
        Err(err) => election_form_failed(&app, &ctx, &id, "count", f, err.into()).await,
    }
}

// ---------------------------------------------------------------------------------------
// /documents: the registry of legal documents
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "groups/documents.html")]
struct DocumentsPage {
    l: L,
    h: G,
    q: String,
    docs: Vec<LegalDocument>,
    can_add: bool,
    kinds: Vec<&'static str>,
    p: Posted,
}

#[derive(Debug, Default, Deserialize)]
pub struct DocParams {
    pub q: Option<String>,
    pub done: Option<String>,
}

pub async fn documents(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DocParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let flash = DoneParams {
        done: q.done.clone(),
        ..Default::default()
    }
    .flash(ctx.lang);
    documents_page(
        &app,
        &ctx,
        q.q.unwrap_or_default(),
        Posted::default(),
        StatusCode::OK,
        flash,
    )
    .await
}

async fn documents_page(
    app: &AppState,
    ctx: &Ctx,
    q: String,
    p: Posted,
    status: StatusCode,
    flash: Option<String>,
) -> AppResult<Response> {
    let docs = app
        .store
        .list_documents(Some(q.as_str()).filter(|s| !s.trim().is_empty()), 200)
        .await?;
    render_status(
        status,
        &DocumentsPage {
            l: with_flash(ctx, flash),
            h: G::new(ctx.lang),
            q,
            docs,
            can_add: ctx.can(Action::ManageDocuments, &Resource::SYSTEM),
            kinds: DOC_KINDS.to_vec(),
            p,
        },
    )
}

pub async fn create_document(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    ctx.may(Action::ManageDocuments, &Resource::SYSTEM)?;
    let d = DocumentDraft {
        kind: field(&f, "kind"),
        number: field(&f, "number"),
        date: opt_field(&f, "date"),
        issuer: field(&f, "issuer"),
        title: field(&f, "title"),
    };
    match app.store.create_document(&ctx.audit(), &d, None).await {
        Ok(doc) => Ok(Redirect::to(&format!(
            "/documents?done=saved&q={}",
            crate::ctx::urlencode(&doc.number)
        ))
        .into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            documents_page(
                &app,
                &ctx,
                String::new(),
                Posted::new("doc", f, errors),
                status,
                None,
            )
            .await
        }
    }
}

/// Upload a legal document's file from the documents page.
pub async fn upload_document_file(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    ctx.may(Action::ManageDocuments, &Resource::SYSTEM)?;
    let (name, bytes) = super::units::read_upload_named(mp).await?;
    crate::files::attach_document(&app, &ctx, &id, &name, &bytes).await?;
    Ok(axum::response::Redirect::to("/documents").into_response())
}

/// Attach a file to a conference from its page.
pub async fn upload_conference_file(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let c = app.store.get_conference(&id).await?;
    rules::may_host(&app, &ctx, &c.group_id, &c.host.id).await?;
    let (name, bytes) = super::units::read_upload_named(mp).await?;
    crate::files::attach_conference(&app, &ctx, &id, &name, &bytes).await?;
    Ok(axum::response::Redirect::to(&format!("/conferences/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_the_administrative_way() {
        assert_eq!(fmt_datetime("2024-03-19T08:00"), "19/03/2024 08:00");
        assert_eq!(
            fmt_admin_datetime("2024-03-19T08:00"),
            "08 giờ 00, ngày 19 tháng 3 năm 2024"
        );
        assert_eq!(
            fmt_admin_datetime("2022-02-02T14:30"),
            "14 giờ 30, ngày 02 tháng 02 năm 2022"
        );
    }

    #[test]
    fn posted_forms_keep_their_values_and_errors_apart() {
        let p = Posted::new(
            "elect",
            vec![
                ("candidate_ids".into(), "a".into()),
                ("candidate_ids".into(), "b".into()),
                ("office".into(), "deputy".into()),
            ],
            FormErrors::one("office", "bad".into()),
        );
        assert!(p.is("elect", "candidate_ids", "b", ""));
        assert!(!p.is("elect", "candidate_ids", "c", "c"));
        assert!(p.is("other", "x", "c", "c"));
        assert_eq!(p.val("elect", "office", "head"), "deputy");
        assert_eq!(p.val("appoint", "office", "head"), "head");
        assert!(p.has("elect", "office"));
        assert!(!p.has("appoint", "office"));
        assert!(p.aria("elect", "office").contains("elect-office-err"));
        assert_eq!(p.general("elect", "office"), Vec::<String>::new());
        assert_eq!(p.general("elect", "method"), vec!["bad".to_string()]);
    }
}
