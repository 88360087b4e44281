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
    can_review: bool,
    /// The people of the unit chosen for a person's proposal: (id, name and position).
    people: Vec<(String, String)>,
    /// Individual titles valid in the year: (code, name).
    person_titles: Vec<(&'static str, &'static str)>,
    /// `_csrf=…` for the multipart decision form (its body is not read for the token).
    csrf_query: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ProposeForm {
    #[serde(default)]
    pub unit_id: String,
    /// Empty for the unit itself; a person of the unit otherwise.
    #[serde(default)]
    pub person_id: String,
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
    // A person is proposed from the people of one unit: the one chosen (or the only one).
    let person_unit = if !form.unit_id.is_empty() {
        units.iter().find(|u| u.id == form.unit_id)
    } else if units.len() == 1 {
        units.first()
    } else {
        None
    };
    let people = match person_unit {
        Some(u) => app
            .store
            .list_people(&thidua_store::PersonQuery {
                unit_id: Some(u.id.clone()),
                page: 1,
                per_page: thidua_store::MAX_PER_PAGE,
                ..thidua_store::PersonQuery::default()
            })
            .await?
            .items
            .into_iter()
            .map(|p| {
                let label = if p.position.is_empty() {
                    p.full_name
                } else {
                    format!("{} — {}", p.full_name, p.position)
                };
                (p.id, label)
            })
            .collect(),
        None => Vec::new(),
    };
    let mut form = form;
    if form.unit_id.is_empty() {
        if let Some(u) = person_unit {
            form.unit_id = u.id.clone();
        }
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
        person_titles: titles::CATALOGUE
            .iter()
            .filter(|t| t.kind == titles::TitleKind::Individual && t.valid_in(y.year as i32))
            .map(|t| (t.code, t.name(en)))
            .collect(),
        errors: errors.as_ref().map(|e| e.0.clone()).unwrap_or_default(),
        form,
        can_decide: rules::may_decide(app, ctx, &y.council_id).await.is_ok(),
        can_review: review,
        people,
        csrf_query: crate::ctx::urlencode(&ctx.csrf),
    };
    match errors {
        Some((_, code)) => render_status(code, &page),
        None => render(&page),
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    /// The unit whose people the person's proposal form lists.
    pub unit: Option<String>,
}

pub async fn year(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> AppResult<Response> {
    let form = ProposeForm {
        unit_id: q.unit.unwrap_or_default(),
        ..ProposeForm::default()
    };
    year_page(&app, &ctx, &id, form, None).await
}

/// Propose a title for a unit or, with `person_id`, for one of its people; 303 to the new
/// proposal, or the form again with what was refused.
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
        person_id: Some(f.person_id.trim().to_owned()).filter(|s| !s.is_empty()),
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

/// The decision form's fields and the attached PDF, from a multipart body (the page's
/// form) or a plain form (no file).
async fn decision_fields(
    req: axum::extract::Request,
) -> AppResult<(Vec<(String, String)>, Option<Vec<u8>>)> {
    use axum::extract::{FromRequest, Multipart};
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    if !multipart {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, &())
            .await
            .map_err(|_| crate::error::AppError::BadRequest("err-bad-request".into()))?;
        return Ok((pairs, None));
    }
    let bad = || crate::error::AppError::BadRequest("err-bad-file".into());
    let mut mp = Multipart::from_request(req, &()).await.map_err(|_| bad())?;
    let mut pairs = Vec::new();
    let mut pdf = None;
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "pdf" {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| crate::error::AppError::TooLarge)?;
            // An empty file input sends an empty part: no file.
            if !bytes.is_empty() {
                pdf = Some(bytes.to_vec());
            }
        } else {
            pairs.push((name, field.text().await.map_err(|_| bad())?));
        }
    }
    Ok((pairs, pdf))
}

/// Record a decision from a year's page: the ticked voted proposals and, when attached, the
/// signed decision as PDF (checked by its first bytes, at most 10 MB) (secretariat).
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let y = app.store.get_year(&id).await?;
    rules::may_decide(&app, &ctx, &y.council_id).await?;
    let (pairs, pdf) = decision_fields(req).await?;
    if let Some(bytes) = &pdf {
        let ok = match crate::files::check_upload("quyet-dinh.pdf", bytes) {
            Ok(t) => t == "application/pdf",
            Err(crate::error::AppError::TooLarge) => {
                return year_page(
                    &app,
                    &ctx,
                    &id,
                    ProposeForm::default(),
                    Some((
                        FormErrors::one(
                            "pdf",
                            crate::i18n::t(ctx.lang, "prop-decision-pdf-too-large"),
                        ),
                        StatusCode::PAYLOAD_TOO_LARGE,
                    )),
                )
                .await
            }
            Err(_) => false,
        };
        if !ok {
            return year_page(
                &app,
                &ctx,
                &id,
                ProposeForm::default(),
                Some((
                    FormErrors::one("pdf", crate::i18n::t(ctx.lang, "prop-decision-pdf-not-pdf")),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )),
            )
            .await;
        }
    }
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
    let upload = pdf.as_deref().map(|bytes| thidua_store::Upload {
        name: "quyet-dinh.pdf",
        content_type: "application/pdf",
        bytes,
    });
    match app
        .store
        .record_decision(&ctx.audit(), &d, upload.as_ref(), &who)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/years/{id}/proposals")).into_response()),
        Err(e) => {
            let errs = form_errors(ctx.lang, e.into())?;
            year_page(&app, &ctx, &id, ProposeForm::default(), Some(errs)).await
        }
    }
}

// ---- the council's members (secretariat) ----

#[derive(Template)]
#[template(path = "proposals/council.html")]
struct CouncilPage {
    l: L,
    council: Council,
    members: Vec<thidua_store::CouncilMember>,
    errors: FormErrors,
    username: String,
    position: String,
    /// The year's proposals page this was reached from, if any.
    back: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CouncilQuery {
    pub year: Option<String>,
}

async fn council_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    back: Option<String>,
    form: (String, String),
    errors: Option<(FormErrors, StatusCode)>,
) -> AppResult<Response> {
    let council = app.store.get_council(id).await?;
    rules::may_review(app, ctx, id).await?;
    let page = CouncilPage {
        l: L::new(ctx),
        members: app.store.council_members(id).await?,
        council,
        errors: errors.as_ref().map(|e| e.0.clone()).unwrap_or_default(),
        username: form.0,
        position: form.1,
        // Only a year id goes back into a link.
        back: back.filter(|y| y.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
    };
    match errors {
        Some((_, code)) => render_status(code, &page),
        None => render(&page),
    }
}

/// The council's members: who votes on the proposals; the secretariat seats and removes them.
pub async fn council(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<CouncilQuery>,
) -> AppResult<Response> {
    council_page(
        &app,
        &ctx,
        &id,
        q.year,
        (String::new(), String::new()),
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub year: String,
}

fn back_query(year: &str) -> String {
    if year.is_empty() {
        String::new()
    } else {
        format!("?year={}", crate::ctx::urlencode(year))
    }
}

pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    app.store.get_council(&id).await?;
    rules::may_review(&app, &ctx, &id).await?;
    let r = match app.store.user_by_name(f.username.trim()).await? {
        None => Err(crate::error::AppError::Invalid(vec![
            thidua_domain::FieldError::new("username", "err-not-found"),
        ])),
        Some(u) => {
            let who = ctx.user()?.user.username.clone();
            app.store
                .add_council_member(&ctx.audit(), &id, &u.id, &f.position, &who)
                .await
                .map_err(Into::into)
        }
    };
    match r {
        Ok(()) => Ok(
            Redirect::to(&format!("/councils/{id}/members{}", back_query(&f.year))).into_response(),
        ),
        Err(e) => {
            let errs = form_errors(ctx.lang, e)?;
            let back = Some(f.year).filter(|y| !y.is_empty());
            council_page(&app, &ctx, &id, back, (f.username, f.position), Some(errs)).await
        }
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    pub year: String,
}

pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(String, String)>,
    Form(f): Form<RemoveForm>,
) -> AppResult<Response> {
    app.store.get_council(&id).await?;
    rules::may_review(&app, &ctx, &id).await?;
    match app
        .store
        .remove_council_member(&ctx.audit(), &id, &user_id)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/councils/{id}/members{}", back_query(&f.year))).into_response(),
        ),
        Err(e) => {
            let errs = form_errors(ctx.lang, e.into())?;
            let back = Some(f.year).filter(|y| !y.is_empty());
            council_page(
                &app,
                &ctx,
                &id,
                back,
                (String::new(), String::new()),
                Some(errs),
            )
            .await
        }
    }
}
