//! Pages of the year's end: the public consultation (no sign-in: the nominees under
//! consultation, a nominee's summary and the comment form) and a proposal's page (every
//! rule met or failed, history, vote, dossier downloads).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_store::{Proposal, PublicNominee};

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
}

pub async fn proposal(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = app.store.get_proposal(&id).await?;
    rules::may_view(&app, &ctx, &p).await?;
    let status = rules::status_name(&p.status, ctx.lang);
    render(&ProposalPage {
        l: L::new(&ctx),
        en: ctx.lang == Lang::En,
        status,
        p,
    })
}
