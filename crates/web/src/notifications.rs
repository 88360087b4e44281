//! Reminders and notifications: the inbox (with the unread badge of the layout), each
//! person's e-mail choices, and the administrator's view of the e-mail outbox. Pages and
//! JSON API share the rules here. Sending happens in the background sender, never in a
//! request.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use thidua_domain::auth::{Action, Resource};
use thidua_domain::notification::Kind;
use thidua_domain::FieldError;
use thidua_store::{Notification, NotificationPref, OutboxMail};
use utoipa::{OpenApi, ToSchema};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, Lang};
use crate::pages::groups::{field, Fields};
use crate::pages::{render, render_status, FormErrors, L};
use crate::AppState;

/// How many notifications the inbox shows.
const INBOX_LIMIT: i64 = 200;
const OUTBOX_LIMIT: i64 = 500;

/// A notification's message in `lang`, from its key and arguments.
pub fn message(lang: Lang, key: &str, args: &serde_json::Value) -> String {
    let pairs: Vec<(&str, String)> = args
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    t_args(lang, key, &pairs)
}

/// The name of a kind of notification in `lang`.
pub fn kind_label(lang: Lang, kind: &str) -> String {
    Kind::parse(kind).map_or_else(|| kind.to_owned(), |k| t(lang, &k.label_key()))
}

/// Only the administrator sees the outbox (addresses and errors of everyone's mail).
fn may_see_outbox(ctx: &Ctx) -> AppResult<()> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)
}

/// A plausible address: something@domain, no spaces, not too long. Delivery is the proof.
fn check_email(e: &str) -> AppResult<()> {
    let e = e.trim();
    if e.is_empty() {
        return Ok(());
    }
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && e.split_once('@').is_some_and(|(a, d)| {
            !a.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![FieldError {
            field: "email".into(),
            key: "err-email-invalid".into(),
        }]))
    }
}

// ---- pages ----

/// Labels the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct N {
    lang: Lang,
}

impl N {
    pub fn message(&self, n: &Notification) -> String {
        message(self.lang, &n.message_key, &n.args)
    }
    pub fn mail_message(&self, m: &OutboxMail) -> String {
        message(self.lang, &m.message_key, &m.args)
    }
    pub fn kind(&self, k: &str) -> String {
        kind_label(self.lang, k)
    }
    pub fn status(&self, s: &str) -> String {
        t(self.lang, &format!("outbox-status-{s}"))
    }
}

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct InboxPage {
    l: L,
    n: N,
    items: Vec<Notification>,
    unread: i64,
}

pub async fn inbox_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    let items = app.store.inbox(&me, INBOX_LIMIT).await?;
    let unread = items.iter().filter(|n| n.read_at.is_none()).count() as i64;
    render(&InboxPage {
        l: L::new(&ctx),
        n: N { lang: ctx.lang },
        items,
        unread,
    })
}

/// The unread badge the layout loads into the navigation.
pub async fn badge(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    let n = app.store.unread_count(&me).await?;
    if n == 0 {
        return Ok(Html(String::new()).into_response());
    }
    let label = t_args(ctx.lang, "inbox-unread", &[("count", n.to_string())]);
    Ok(Html(format!(
        "<span class=\"badge\" title=\"{label}\" aria-label=\"{label}\">{n}</span>"
    ))
    .into_response())
}

/// Only paths of this site: a posted `next` never sends anyone elsewhere.
fn local(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

pub async fn read_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    let n = app.store.mark_read(&ctx.audit(), &me, &id).await?;
    let next = field(&f, "next");
    let to = if next == "subject" {
        local(&n.link).unwrap_or("/inbox").to_owned()
    } else {
        "/inbox".to_owned()
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    app.store.mark_all_read(&ctx.audit(), &me).await?;
    Ok(Redirect::to("/inbox").into_response())
}

#[derive(Template)]
#[template(path = "notifications/prefs.html")]
struct PrefsPage {
    l: L,
    n: N,
    email: String,
    prefs: Vec<NotificationPref>,
    errors: FormErrors,
}

async fn prefs_page(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    posted: Option<(String, Vec<NotificationPref>)>,
    errors: FormErrors,
    done: bool,
) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    let (email, prefs) = match posted {
        Some(p) => p,
        None => {
            let (e, p) = app.store.notification_prefs(&me).await?;
            (e.unwrap_or_default(), p)
        }
    };
    let l = L::new(ctx).with_flash(done.then_some("notify-prefs-saved"));
    render_status(
        status,
        &PrefsPage {
            l,
            n: N { lang: ctx.lang },
            email,
            prefs,
            errors,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneParam {
    pub done: Option<String>,
}

pub async fn prefs_form(
    State(app): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<DoneParam>,
) -> AppResult<Response> {
    prefs_page(
        &app,
        &ctx,
        StatusCode::OK,
        None,
        FormErrors::default(),
        q.done.is_some(),
    )
    .await
}

pub async fn prefs_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let me = ctx.user()?.user.id.clone();
    let email = field(&f, "email");
    // A checkbox is posted only when ticked.
    let chosen: Vec<(Kind, bool)> = Kind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                f.iter().any(|(n, _)| n == &format!("email_{}", k.as_str())),
            )
        })
        .collect();
    if let Err(e) = check_email(&email) {
        let (errors, status) = crate::pages::form_errors(ctx.lang, e)?;
        let prefs = chosen
            .iter()
            .map(|(k, on)| NotificationPref {
                kind: k.as_str().to_owned(),
                email: *on,
                default_email: k.email_by_default(),
            })
            .collect();
        return prefs_page(&app, &ctx, status, Some((email, prefs)), errors, false).await;
    }
    app.store
        .set_notification_prefs(&ctx.audit(), &me, Some(&email), &chosen)
        .await?;
    Ok(Redirect::to("/account/notifications?done=1").into_response())
}

#[derive(Template)]
#[template(path = "notifications/outbox.html")]
struct OutboxPage {
    l: L,
    n: N,
    mails: Vec<OutboxMail>,
}

pub async fn outbox_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    may_see_outbox(&ctx)?;
    let mails = app.store.outbox(OUTBOX_LIMIT).await?;
    render(&OutboxPage {
        l: L::new(&ctx),
        n: N { lang: ctx.lang },
        mails,
    })
}

pub async fn outbox_retry_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    may_see_outbox(&ctx)?;
    app.store.outbox_retry(&ctx.audit(), &id).await?;
    Ok(Redirect::to("/admin/outbox").into_response())
}

// ---- API ----

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    pub unread: i64,
    /// Newest first, with the message in the caller's language
    pub items: Vec<InboxItem>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    #[serde(flatten)]
    pub notification: Notification,
    /// The message in the caller's language
    pub text: String,
}

#[utoipa::path(get, path = "/api/v1/inbox", summary = "The caller's notifications, newest first, with the unread count", tag = "notifications",
    responses((status = 200, body = Inbox), (status = 401)))]
pub async fn api_inbox(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Inbox>> {
    let me = ctx.user()?.user.id.clone();
    let items = app.store.inbox(&me, INBOX_LIMIT).await?;
    let unread = app.store.unread_count(&me).await?;
    Ok(Json(Inbox {
        unread,
        items: items
            .into_iter()
            .map(|n| InboxItem {
                text: message(ctx.lang, &n.message_key, &n.args),
                notification: n,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", summary = "Mark one of the caller's own notifications read (another person's: 404)", tag = "notifications",
    params(("id" = String, Path)), responses((status = 200, body = Notification), (status = 401), (status = 404)))]
pub async fn api_read(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Notification>> {
    let me = ctx.user()?.user.id.clone();
    Ok(Json(app.store.mark_read(&ctx.audit(), &me, &id).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Prefs {
    /// Where e-mail goes; empty or absent: no e-mail (the inbox only)
    pub email: Option<String>,
    pub prefs: Vec<PrefItem>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PrefItem {
    /// deadline_registration, deadline_assessment, pact_to_sign, vote_open,
    /// proposal_returned, result_published
    pub kind: String,
    pub email: bool,
    /// The kind's default (in answers only)
    #[serde(default)]
    pub default_email: bool,
}

async fn prefs_of(app: &AppState, user_id: &str) -> AppResult<Prefs> {
    let (email, prefs) = app.store.notification_prefs(user_id).await?;
    Ok(Prefs {
        email,
        prefs: prefs
            .into_iter()
            .map(|p| PrefItem {
                kind: p.kind,
                email: p.email,
                default_email: p.default_email,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/account/notification-prefs", summary = "The caller's e-mail address and e-mail on/off per kind of notification", tag = "notifications",
    responses((status = 200, body = Prefs), (status = 401)))]
pub async fn api_prefs(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Prefs>> {
    let me = ctx.user()?.user.id.clone();
    Ok(Json(prefs_of(&app, &me).await?))
}

#[utoipa::path(put, path = "/api/v1/account/notification-prefs", summary = "Set the caller's e-mail address (absent: unchanged, empty: removed) and e-mail on/off for the kinds listed", tag = "notifications",
    request_body = Prefs, responses((status = 200, body = Prefs), (status = 401), (status = 422, description = "Unknown kind or invalid address")))]
pub async fn api_set_prefs(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<Prefs>,
) -> AppResult<Json<Prefs>> {
    let me = ctx.user()?.user.id.clone();
    if let Some(e) = &b.email {
        check_email(e)?;
    }
    let mut chosen = Vec::new();
    for (i, p) in b.prefs.iter().enumerate() {
        let k = Kind::parse(&p.kind).ok_or_else(|| {
            AppError::Invalid(vec![FieldError {
                field: format!("prefs[{i}].kind"),
                key: "err-notify-unknown-kind".into(),
            }])
        })?;
        chosen.push((k, p.email));
    }
    app.store
        .set_notification_prefs(&ctx.audit(), &me, b.email.as_deref(), &chosen)
        .await?;
    Ok(Json(prefs_of(&app, &me).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/outbox", summary = "The e-mail outbox: queued and failed mails first (attempts, last error), then the latest sent (administrator)", tag = "notifications",
    responses((status = 200, body = [OutboxMail]), (status = 401), (status = 403)))]
pub async fn api_outbox(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<OutboxMail>>> {
    may_see_outbox(&ctx)?;
    Ok(Json(app.store.outbox(OUTBOX_LIMIT).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", summary = "Try a queued or failed mail again at the sender's next round (administrator)", tag = "notifications",
    params(("id" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422, description = "Already sent")))]
pub async fn api_outbox_retry(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    may_see_outbox(&ctx)?;
    app.store.outbox_retry(&ctx.audit(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api_inbox,
        api_read,
        api_prefs,
        api_set_prefs,
        api_outbox,
        api_outbox_retry
    ),
    components(schemas(Inbox, InboxItem, Notification, Prefs, PrefItem, OutboxMail))
)]
pub struct NotificationsDoc;

/// The routes of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/badge", get(badge))
        .route("/inbox/read-all", post(read_all_page))
        .route("/inbox/{id}/read", post(read_page))
        .route("/account/notifications", get(prefs_form).post(prefs_save))
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}/retry", post(outbox_retry_page))
        .route("/api/v1/inbox", get(api_inbox))
        .route("/api/v1/inbox/{id}/read", post(api_read))
        .route(
            "/api/v1/account/notification-prefs",
            get(api_prefs).put(api_set_prefs),
        )
        .route("/api/v1/admin/outbox", get(api_outbox))
        .route("/api/v1/admin/outbox/{id}/retry", post(api_outbox_retry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(check_email("").is_ok());
        assert!(check_email("vt@vks.travinh.gov.vn").is_ok());
        assert!(check_email("no-at-sign").is_err());
        assert!(check_email("a b@x.vn").is_err());
        assert!(check_email("a@localhost").is_err());
        assert!(check_email("@x.vn").is_err());
    }

    #[test]
    fn both_languages_have_the_same_keys_and_every_kind_a_name() {
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .collect();
            k.sort();
            k
        };
        let vi = include_str!("../locales/vi/notifications.ftl");
        let en = include_str!("../locales/en/notifications.ftl");
        assert_eq!(keys(vi), keys(en));
        for k in Kind::ALL {
            assert!(keys(vi).contains(&k.label_key()), "{}", k.as_str());
            let msg = format!("notify-msg-{}", k.as_str().replace('_', "-"));
            assert!(keys(vi).contains(&msg), "{msg}");
        }
        let args = serde_json::json!({ "year": "2024", "deadline": "10/12/2026", "days": "7" });
        assert_eq!(
            message(Lang::Vi, "notify-msg-deadline-registration", &args),
            "Còn 7 ngày đến hạn đăng ký danh hiệu thi đua năm 2024 (hạn cuối 10/12/2026)."
        );
    }

    #[test]
    fn next_stays_on_the_site() {
        assert_eq!(local("/documents/1"), Some("/documents/1"));
        assert_eq!(local("//evil.example"), None);
        assert_eq!(local("https://evil.example"), None);
    }
}
