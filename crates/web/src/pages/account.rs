//! Sign in and out, password, language, personal API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{render, render_status, FormErrors, L};
use crate::auth::{self, hash_token, random_token};
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_HOURS: i64 = 12;
const LOCK_AFTER: i64 = 5;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: L,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in.
fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn login_page(
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.principal.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    render(&LoginPage {
        l: L::new(&ctx),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub enum LoginOutcome {
    Ok {
        cookie: String,
    },
    Failed,
    Locked,
    /// Too many failures from this address in the current window.
    Throttled,
}

/// Failed sign-ins allowed from one address per window before it must wait.
pub const ADDRESS_FAILURES: i64 = 30;
const WINDOW_MINUTES: i64 = 15;

/// The start of the throttling window `t` falls in (fixed windows, so every server agrees).
fn throttle_window(t: chrono::DateTime<chrono::Utc>) -> String {
    let secs = t.timestamp() - t.timestamp().rem_euclid(WINDOW_MINUTES * 60);
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or(t)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Check the password and open a session. Shared by the page and the API.
pub async fn sign_in(
    app: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> AppResult<LoginOutcome> {
    let username = username.trim();
    // Per address as well as per account: one address guessing many names is stopped too.
    let window = throttle_window(chrono::Utc::now());
    let address = ctx.address.clone().unwrap_or_default();
    if app.store.address_failures(&address, &window).await? >= ADDRESS_FAILURES {
        return Ok(LoginOutcome::Throttled);
    }
    let Some(rec) = app.store.login_record(username).await? else {
        // Same work as for a real account, so timing does not reveal which names exist.
        auth::verify_password(password.to_owned(), auth::DUMMY_HASH.clone()).await?;
        app.store.address_failed(&address, &window).await?;
        return Ok(LoginOutcome::Failed);
    };
    if rec.locked_until.is_some_and(|t| t > chrono::Utc::now()) {
        return Ok(LoginOutcome::Locked);
    }
    let ok = auth::verify_password(password.to_owned(), rec.password_hash.clone()).await?;
    let mut audit = ctx.audit();
    audit.actor = Some(rec.user.username.clone());
    if !ok || rec.user.disabled {
        app.store
            .login_failed(
                &audit,
                &rec.user.id,
                LOCK_AFTER,
                chrono::Duration::minutes(1),
            )
            .await?;
        app.store.address_failed(&address, &window).await?;
        return Ok(LoginOutcome::Failed);
    }
    // A fresh session id at every sign-in (no fixation); the old one ends.
    if let Some(old) = &ctx.session_hash {
        app.store.logout(&audit, old).await?;
    }
    let token = random_token();
    app.store
        .login_succeeded(
            &audit,
            &rec.user.id,
            &hash_token(&token),
            &random_token(),
            chrono::Duration::hours(SESSION_HOURS),
        )
        .await?;
    Ok(LoginOutcome::Ok {
        cookie: session_cookie(app, &token, SESSION_HOURS * 3600),
    })
}

pub fn session_cookie(app: &AppState, token: &str, max_age: i64) -> String {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub async fn login(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(f.next.as_deref());
    let outcome = sign_in(&app, &ctx, &f.username, &f.password).await?;
    let key = match outcome {
        LoginOutcome::Ok { cookie } => {
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            return Ok(r);
        }
        LoginOutcome::Failed => "login-failed",
        LoginOutcome::Locked => "login-locked",
        LoginOutcome::Throttled => "login-throttled",
    };
    let status = if key == "login-throttled" {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNAUTHORIZED
    };
    let l = L::new(&ctx);
    render_status(
        status,
        &LoginPage {
            error: Some(l.t(key)),
            l,
            next,
            username: f.username,
        },
    )
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(h) = &ctx.session_hash {
        app.store.logout(&ctx.audit(), h).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&app, "", 0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: L,
    must_change: bool,
    errors: FormErrors,
}

pub async fn password_page(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    render(&PasswordPage {
        must_change: p.user.must_change_password,
        l: L::new(&ctx),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub const MIN_PASSWORD: usize = 8;

pub async fn change_password(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let l = L::new(&ctx);
    let mut errors = Vec::new();
    let rec = app
        .store
        .login_record(&p.user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    if !auth::verify_password(f.current.clone(), rec.password_hash).await? {
        errors.push(("current".to_owned(), l.t("password-wrong")));
    }
    if f.new.chars().count() < MIN_PASSWORD {
        errors.push(("new".to_owned(), l.t("password-too-short")));
    }
    if f.new != f.confirm {
        errors.push(("confirm".to_owned(), l.t("password-mismatch")));
    }
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                must_change: p.user.must_change_password,
                l,
                errors: FormErrors(errors),
            },
        );
    }
    let key = crate::signing::reseal_key(&app, &p.user.id, &f.current, &f.new).await?;
    let cert = crate::signing::reseal_certificate(&app, &p.user.id, &f.current, &f.new).await?;
    let hash = auth::hash_password(f.new).await?;
    app.store
        .set_password(
            &ctx.audit(),
            &p.user.id,
            &hash,
            false,
            ctx.session_hash.as_deref(),
            (&key, &cert),
        )
        .await?;
    let mut page_ctx = ctx.clone();
    if let Some(pr) = page_ctx.principal.as_mut() {
        pr.user.must_change_password = false;
    }
    render(&PasswordPage {
        must_change: false,
        l: L::new(&page_ctx).with_flash(Some("password-changed")),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

fn lang_cookie(lang: Lang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    )
}

/// Switch language: remembered on the account (and in a cookie for the sign-in page).
pub async fn set_lang(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LangForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&f.lang);
    if let Some(p) = &ctx.principal {
        app.store
            .set_lang(&ctx.audit(), &p.user.id, lang.code())
            .await?;
    }
    let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&lang_cookie(lang)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// Language switch before sign-in (a link, so it needs no form token).
pub async fn set_lang_anonymous(Path(lang): Path<String>) -> Response {
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&lang_cookie(Lang::parse(&lang))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    l: L,
    tokens: Vec<thidua_store::ApiToken>,
    created: Option<String>,
    errors: FormErrors,
}

pub async fn tokens_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    render(&TokensPage {
        tokens: app.store.list_tokens(&p.user.id).await?,
        l: L::new(&ctx),
        created: None,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Create a token; returns (token shown once, record).
pub async fn make_token(
    app: &AppState,
    ctx: &Ctx,
    name: &str,
) -> AppResult<(String, thidua_store::ApiToken)> {
    let p = ctx.user()?;
    let name = thidua_domain::text::clean(name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "name",
            if name.is_empty() {
                "err-required"
            } else {
                "err-too-long"
            },
        )]));
    }
    let token = format!("tdp_{}", random_token());
    let rec = app
        .store
        .create_token(
            &ctx.audit(),
            &p.user.id,
            &name,
            &hash_token(&token),
            &token[..12],
        )
        .await?;
    Ok((token, rec))
}

pub async fn create_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    match make_token(&app, &ctx, &f.name).await {
        Ok((token, _)) => render(&TokensPage {
            tokens: app.store.list_tokens(&p.user.id).await?,
            l: L::new(&ctx),
            created: Some(token),
            errors: FormErrors::default(),
        }),
        Err(AppError::Invalid(fields)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &TokensPage {
                tokens: app.store.list_tokens(&p.user.id).await?,
                errors: FormErrors::from_fields(ctx.lang, &fields),
                l: L::new(&ctx),
                created: None,
            },
        ),
        Err(e) => Err(e),
    }
}

pub async fn revoke_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    app.store
        .revoke_token(&ctx.audit(), &p.user.id, &id)
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    l: L,
    subject: Option<String>,
    leader: bool,
    saved: bool,
    errors: FormErrors,
}

async fn certificate_page_with(
    app: &AppState,
    ctx: &Ctx,
    saved: bool,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let subject = app
        .store
        .signing_certificate(&p.user.id)
        .await?
        .map(|c| c.subject);
    let leader = p
        .actor
        .grants
        .iter()
        .any(|g| g.role == thidua_domain::auth::Role::UnitLeader);
    render_status(
        status,
        &CertificatePage {
            l: L::new(ctx),
            subject,
            leader,
            saved,
            errors,
        },
    )
}

/// "Chứng thư số": the certificate a leader signs PDFs with, and installing their own.
pub async fn certificate_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    certificate_page_with(&app, &ctx, false, FormErrors::default(), StatusCode::OK).await
}

pub async fn install_certificate(
    State(app): State<AppState>,
    ctx: Ctx,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    crate::signing::may_install_certificate(&ctx)?;
    let (mut file, mut p12_password, mut password) = (Vec::new(), String::new(), String::new());
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::TooLarge)? {
        match field.name() {
            Some("file") => {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec()
            }
            Some("p12_password") => p12_password = field.text().await.unwrap_or_default(),
            Some("password") => password = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    match crate::signing::install_certificate(&app, &ctx, file, &p12_password, &password).await {
        Ok(_) => {
            certificate_page_with(&app, &ctx, true, FormErrors::default(), StatusCode::OK).await
        }
        Err(AppError::Invalid(f)) => {
            certificate_page_with(
                &app,
                &ctx,
                false,
                FormErrors::from_fields(ctx.lang, &f),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
