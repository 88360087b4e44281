//! Pages of the year's end: the public consultation (no sign-in: the nominees under
//! consultation, a nominee's summary and the comment form) and a proposal's page (every
//! rule met or failed, history, vote, dossier downloads).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::proposal::Step;
use thidua_domain::titles;
use thidua_store::{
    Comment, Council, DecisionDraft, Proposal, ProposalDraft, PublicNominee, UnitBrief,
};

use super::{form_errors, render, render_status, FormErrors, L};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::proposals as rules;
use crate::AppState;

#[derive(Template)]
#[template(path = "proposals/public_list.html")]
struct PublicListPage {
    l: L,
    items: Vec<PublicNominee>,
}

pub async fn public_list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let items = app.store.open_consultations().await?;
    render(&PublicListPage {
        l: L::new(&ctx),
        items,
    })
}

#[derive(Template)]
#[template(path = "proposals/public.html")]
struct PublicPage {
    l: L,
    n: PublicNominee,
    errors: FormErrors,
    author_name: String,
    body: String,
    sent: bool,
}

#[derive(Deserialize, Default)]
pub struct SentQuery {
    pub sent: Option<String>,
}

pub async fn public_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SentQuery>,
) -> AppResult<Response> {
    let n = app.store.public_nominee(&id).await?;
    render(&PublicPage {
        l: L::new(&ctx),
        n,
        errors: FormErrors::default(),
        author_name: String::new(),
        body: String::new(),
        sent: q.sent.is_some(),
    })
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub body: String,
}

pub async fn public_comment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let n = app.store.public_nominee(&id).await?;
    match app
        .store
        .add_comment(&ctx.audit(), &id, &f.author_name, &f.body)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/public/consultations/{id}?sent=1")).into_response()),
        Err(e) => {
            let (errors, status): (FormErrors, StatusCode) = form_errors(ctx.lang, e.into())?;
            render_status(
                status,
                &PublicPage {
                    l: L::new(&ctx),
                    n,
                    errors,
                    author_name: f.author_name,
                    body: f.body,
                    sent: false,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "proposals/proposal.html")]
struct ProposalPage {
    l: L,
    p: Proposal,
    en: bool,
    status: String,
    can_propose: bool,
    can_review: bool,
    is_member: bool,
    receipt: Option<String>,
    error: Option<String>,
    comments: Vec<Comment>,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct ProposalQuery {
    pub receipt: Option<String>,
}

async fn proposal_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    receipt: Option<String>,
    error: Option<(String, StatusCode)>,
) -> AppResult<Response> {
    let p = app.store.get_proposal(id).await?;
    rules::may_view(app, ctx, &p).await?;
    let status = rules::status_name(&p.status, ctx.lang);
    let user = ctx.user()?.user.id.clone();
    let can_review = rules::may_review(app, ctx, &p.council_id).await.is_ok();
    let comments = if can_review {
        app.store.comments(&p.id).await?
    } else {
        Vec::new()
    };
    let page = ProposalPage {
        comments,
        today: rules::today().format("%Y-%m-%d").to_string(),
        l: L::new(ctx),
        en: ctx.lang == Lang::En,
        status,
        can_propose: rules::may_propose(app, ctx, &p.unit_id).await.is_ok(),
        can_review,
        is_member: app.store.is_council_member(&p.council_id, &user).await?,
        receipt,
        error: error.as_ref().map(|e| e.0.clone()),
        p,
    };
    match error {
        Some((_, code)) => render_status(code, &page),
        None => render(&page),
    }
}

pub async fn proposal(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ProposalQuery>,
) -> AppResult<Response> {
    proposal_page(&app, &ctx, &id, q.receipt, None).await
}

/// The message of a refused form, or the error itself when it is not about the input.
fn refusal(lang: Lang, e: crate::error::AppError) -> AppResult<(String, StatusCode)> {
    let (errors, status) = form_errors(lang, e)?;
    Ok((
        errors
            .0
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join(" "),
        status,
    ))
}

#[derive(Deserialize)]
pub struct StepForm {
    pub step: String,
    #[serde(default)]
    pub reason: String,
}

/// One workflow step from the proposal's page; 303 back to it.
pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let r = match f.step.as_str() {
        "submit" => crate::api::proposals::step(&app, &ctx, &id, Step::Submit)
            .await
            .map(|_| ()),
        "accept" => crate::api::proposals::step(&app, &ctx, &id, Step::Accept)
            .await
            .map(|_| ()),
        "return" => crate::api::proposals::step(&app, &ctx, &id, Step::Return { reason: f.reason })
            .await
            .map(|_| ()),
        "reject" => crate::api::proposals::step(&app, &ctx, &id, Step::Reject { reason: f.reason })
            .await
            .map(|_| ()),
        "open_vote" | "close_vote" => {
            let p = app.store.get_proposal(&id).await?;
            rules::may_review(&app, &ctx, &p.council_id).await?;
            let who = ctx.user()?.user.username.clone();
            if f.step == "open_vote" {
                app.store.open_council_vote(&ctx.audit(), &id, &who).await
            } else {
                app.store.close_council_vote(&ctx.audit(), &id, &who).await
            }
            .map(|_| ())
            .map_err(Into::into)
        }
        _ => Err(crate::error::AppError::BadRequest("err-bad-request".into())),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e) => {
            let err = refusal(ctx.lang, e)?;
            proposal_page(&app, &ctx, &id, None, Some(err)).await
        }
    }
}

#[derive(Deserialize)]
pub struct BallotForm {
    pub choice: String,
}

/// A council member's secret ballot from the page; the receipt is shown once.
pub async fn ballot(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<BallotForm>,
) -> AppResult<Response> {
    let p = app.store.get_proposal(&id).await?;
    let r = match rules::may_vote(&app, &ctx, &p).await {
        Ok(()) => {
            let user = ctx.user()?.user.id.clone();
            app.store
                .cast_council_ballot(
                    &ctx.audit(),
                    &id,
                    &user,
                    &f.choice,
                    &crate::groups::new_receipt(),
                )
                .await
                .map_err(Into::into)
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(receipt) => {
            Ok(Redirect::to(&format!("/proposals/{id}?receipt={receipt}")).into_response())
        }
        Err(e) => {
            let err = refusal(ctx.lang, e)?;
            proposal_page(&app, &ctx, &id, None, Some(err)).await
        }
    }
}

// ---- the year-end area: councils' years, a year's proposals, the form to propose ----

#[derive(Template)]
#[template(path = "proposals/index.html")]
struct IndexPage {
    l: L,
    councils: Vec<(Council, Vec<(String, i64)>)>,
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

#[derive(Template)]
#[template(path = "proposals/year.html")]
struct YearPage {
    l: L,
    year_id: String,
    year: i64,
    council: Council,
    items: Vec<(Proposal, String)>,
    units: Vec<UnitBrief>,
    titles: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, String)>,
    errors: FormErrors,
    form: ProposeForm,
    can_decide: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct ProposeForm {
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub title_code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub acclaim_election_id: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub achievements: String,
}

async fn year_page(
    app: &AppState,
    ctx: &Ctx,
    year_id: &str,
    form: ProposeForm,
    errors: Option<(FormErrors, StatusCode)>,
) -> AppResult<Response> {
    ctx.user()?;
    let y = app.store.get_year(year_id).await?;
    let council = app.store.get_council(&y.council_id).await?;
    let review = rules::may_review(app, ctx, &y.council_id).await.is_ok();
    // The units the caller may propose: members of the year's groups it covers.
    let mut units = Vec::new();
    for g in app.store.groups_of_year(year_id).await? {
        for m in g.members {
            if rules::may_propose(app, ctx, &m.id).await.is_ok()
                && !units.iter().any(|u: &UnitBrief| u.id == m.id)
            {
                units.push(m);
            }
        }
    }
    if !review && units.is_empty() {
        return Err(crate::error::AppError::Forbidden);
    }
    let mut items = Vec::new();
    for p in app.store.proposals(year_id, None).await? {
        if review || units.iter().any(|u| u.id == p.unit_id) {
            let s = rules::status_name(&p.status, ctx.lang);
            items.push((p, s));
        }
    }
    let en = ctx.lang == Lang::En;
    let page = YearPage {
        l: L::new(ctx),
        year_id: year_id.to_owned(),
        year: y.year,
        council,
        items,
        units,
        titles: titles::CATALOGUE
            .iter()
            .filter(|t| t.kind == titles::TitleKind::Collective && t.valid_in(y.year as i32))
            .map(|t| (t.code, t.name(en)))
            .collect(),
        kinds: thidua_domain::proposal::KINDS
            .iter()
            .map(|k| (*k, crate::i18n::t(ctx.lang, &format!("prop-kind-{k}"))))
            .collect(),
        errors: errors.as_ref().map(|e| e.0.clone()).unwrap_or_default(),
        form,
        can_decide: rules::may_decide(app, ctx, &y.council_id).await.is_ok(),
    };
    match errors {
        Some((_, code)) => render_status(code, &page),
        None => render(&page),
    }
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    year_page(&app, &ctx, &id, ProposeForm::default(), None).await
}

/// Propose a collective title for a unit (people are proposed through the API); 303 to the
/// new proposal, or the form again with what was refused.
pub async fn propose(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ProposeForm>,
) -> AppResult<Response> {
    app.store.get_year(&id).await?;
    let draft = ProposalDraft {
        year_id: id.clone(),
        unit_id: f.unit_id.clone(),
        person_id: None,
        title_code: f.title_code.clone(),
        kind: f.kind.clone(),
        acclaim_election_id: Some(f.acclaim_election_id.trim().to_owned())
            .filter(|s| !s.is_empty()),
        summary: f.summary.clone(),
        achievements: f.achievements.clone(),
    };
    let r = match rules::may_propose(&app, &ctx, &f.unit_id).await {
        Ok(()) => {
            let who = ctx.user()?.user.username.clone();
            app.store
                .create_proposal(&ctx.audit(), &draft, &who)
                .await
                .map_err(Into::into)
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(p) => Ok(Redirect::to(&format!("/proposals/{}", p.id)).into_response()),
        Err(e) => {
            let errs = form_errors(ctx.lang, e)?;
            year_page(&app, &ctx, &id, f, Some(errs)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ConsultationForm {
    pub opens_on: String,
    pub closes_on: String,
    pub public_summary: String,
}

/// Open the public consultation from the proposal's page (secretariat).
pub async fn consultation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ConsultationForm>,
) -> AppResult<Response> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_review(&app, &ctx, &p.council_id).await?;
    let who = ctx.user()?.user.username.clone();
    match app
        .store
        .open_consultation(
            &ctx.audit(),
            &id,
            &f.opens_on,
            &f.closes_on,
            &f.public_summary,
            &who,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e) => {
            let err = refusal(ctx.lang, e.into())?;
            proposal_page(&app, &ctx, &id, None, Some(err)).await
        }
    }
}

/// Record a decision from a year's page: the ticked voted proposals (secretariat).
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let y = app.store.get_year(&id).await?;
    rules::may_decide(&app, &ctx, &y.council_id).await?;
    let mut d = DecisionDraft {
        council_id: y.council_id.clone(),
        issuer: String::new(),
        number: String::new(),
        date: String::new(),
        signer: String::new(),
        title: String::new(),
        proposal_ids: Vec::new(),
    };
    // Repeated checkboxes (proposal_ids) do not fit a struct form: read the pairs.
    for (k, v) in pairs {
        match k.as_str() {
            "issuer" => d.issuer = v,
            "number" => d.number = v,
            "date" => d.date = v,
            "signer" => d.signer = v,
            "title" => d.title = v,
            "proposal_ids" => d.proposal_ids.push(v),
            _ => {}
        }
    }
    let who = ctx.user()?.user.username.clone();
    match app
        .store
        .record_decision(&ctx.audit(), &d, None, &who)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/years/{id}/proposals")).into_response()),
        Err(e) => {
            let errs = form_errors(ctx.lang, e.into())?;
            year_page(&app, &ctx, &id, ProposeForm::default(), Some(errs)).await
        }
    }
}
