//! Server-rendered pages. Each handler: context → permission → store → template.

pub mod account;
pub mod activities;
pub mod audit;
pub mod documents;
pub mod groups;
pub mod movements;
pub mod people;
pub mod proposals;
pub mod records;
pub mod registrations;
pub mod registry;
pub mod scoring;
pub mod units;
pub mod users;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use thidua_domain::auth::{Action, Resource, Role};
use thidua_domain::FieldError;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, Lang};

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct L {
    pub lang: Lang,
    pub user: Option<String>,
    pub csrf: String,
    pub path: String,
    pub is_admin: bool,
    pub can_audit: bool,
    pub flash: Option<String>,
}

impl L {
    pub fn new(ctx: &Ctx) -> L {
        L {
            lang: ctx.lang,
            user: ctx.principal.as_ref().map(|p| p.user.display_name.clone()),
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            is_admin: ctx.has_role(Role::Admin),
            can_audit: ctx.can(Action::ViewAudit, &Resource::SYSTEM),
            flash: None,
        }
    }
    pub fn anonymous(lang: Lang) -> L {
        L {
            lang,
            user: None,
            csrf: String::new(),
            path: String::new(),
            is_admin: false,
            can_audit: false,
            flash: None,
        }
    }
    pub fn with_flash(mut self, key: Option<&str>) -> L {
        self.flash = key.map(|k| t(self.lang, k));
        self
    }
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
    pub fn ta(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        t_args(self.lang, key, &[(name, value.to_string())])
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }
    /// `aria-current` for the navigation entry of the current area.
    pub fn current(&self, prefix: &str) -> &'static str {
        if self.path == prefix || (prefix != "/" && self.path.starts_with(prefix)) {
            "page"
        } else {
            "false"
        }
    }
    /// dd/mm/yyyy from an ISO date.
    pub fn date(&self, iso: &Option<String>) -> String {
        iso.as_deref().map(fmt_date).unwrap_or_default()
    }
    pub fn opt(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    pub fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
    pub fn page_of(&self, page: &i64, pages: i64, total: &i64) -> String {
        t_args(
            self.lang,
            "page-of",
            &[
                ("page", page.to_string()),
                ("pages", pages.to_string()),
                ("total", total.to_string()),
            ],
        )
    }
    pub fn d(&self, iso: &str) -> String {
        fmt_date(iso)
    }
    pub fn kind(&self, k: &str) -> String {
        t(self.lang, &format!("kind-{k}"))
    }
    pub fn role(&self, r: &str) -> String {
        t(self.lang, &format!("role-{r}"))
    }
}

pub fn fmt_date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => iso.to_owned(),
    }
}

/// Show an instant (stored in UTC) in Vietnam's time (UTC+7, no daylight saving).
pub fn fmt_instant(ts: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(ts) {
        Ok(d) => {
            let vn = chrono::FixedOffset::east_opt(7 * 3600).map(|o| d.with_timezone(&o));
            vn.map(|d| d.format("%d/%m/%Y %H:%M:%S").to_string())
                .unwrap_or_else(|| ts.to_owned())
        }
        Err(_) => ts.to_owned(),
    }
}

/// Field errors of a form, by field name, translated.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<(String, String)>);

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn from_fields(lang: Lang, f: &[FieldError]) -> Self {
        FormErrors(
            f.iter()
                .map(|e| (e.field.clone(), t(lang, &e.key)))
                .collect(),
        )
    }
    pub fn one(field: &str, msg: String) -> Self {
        FormErrors(vec![(field.to_owned(), msg)])
    }
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// Errors that are not about one of the form's own fields.
    pub fn general(&self, fields: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.clone())
            .collect()
    }
}

/// Map an error from saving a form to field errors when it is about the input; other
/// errors stay errors.
pub fn form_errors(lang: Lang, e: AppError) -> Result<(FormErrors, StatusCode), AppError> {
    let status = e.status();
    match e {
        AppError::Invalid(f) => Ok((FormErrors::from_fields(lang, &f), status)),
        AppError::Duplicate { field, value } => Ok((
            FormErrors::one(
                &field,
                t_args(
                    lang,
                    if field == "code" {
                        "err-duplicate-code"
                    } else {
                        "err-duplicate"
                    },
                    &[("value", value)],
                ),
            ),
            status,
        )),
        AppError::Conflict(_) => Ok((FormErrors::one("_form", t(lang, "err-conflict")), status)),
        AppError::Rule(k) => Ok((FormErrors::one("_form", t(lang, &k)), status)),
        AppError::Refused { key, args } => {
            let a: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            Ok((FormErrors::one("_form", t_args(lang, &key, &a)), status))
        }
        other => Err(other),
    }
}

pub fn render<T: Template>(t: &T) -> AppResult<Response> {
    t.render()
        .map(|s| Html(s).into_response())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> AppResult<Response> {
    let mut r = render(t)?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: L,
    pub status: u16,
    pub title: String,
    pub details: Vec<String>,
}

impl ErrorPage {
    pub fn new(
        ctx: Option<&Ctx>,
        lang: Lang,
        status: StatusCode,
        title: String,
        err: &AppError,
    ) -> Self {
        let details = match err {
            AppError::Invalid(f) => f
                .iter()
                .map(|e| format!("{}: {}", e.field, t(lang, &e.key)))
                .collect(),
            AppError::Import(rows) => rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {}, {}: {}",
                        t(lang, "import-row"),
                        r.row,
                        r.column,
                        r.message(lang)
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        ErrorPage {
            l: ctx.map(L::new).unwrap_or_else(|| L::anonymous(lang)),
            status: status.as_u16(),
            title,
            details,
        }
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        match self.render() {
            Ok(s) => Html(s).into_response(),
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub l: L,
    pub name: String,
    pub areas: Vec<(&'static str, &'static str)>,
    /// Adopted documents the units this user leads have still to sign.
    pub pending: Vec<thidua_store::PendingSignature>,
}

pub async fn home(
    axum::extract::State(app): axum::extract::State<crate::AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let pending = crate::api::documents::pending_for(&app, &ctx).await?;
    render(&HomePage {
        pending,
        name: p.user.display_name.clone(),
        l: L::new(&ctx),
        areas: vec![
            ("nav-groups", "/groups"),
            ("nav-conferences", "/conferences"),
            ("nav-pacts", "/pacts"),
            ("nav-registration", "/registration"),
            ("nav-scoring", "/scoring"),
            ("nav-review", "/review"),
            ("nav-awards", "/awards"),
            ("nav-reports", "/reports"),
        ],
    })
}

#[derive(Template)]
#[template(path = "coming.html")]
pub struct ComingPage {
    pub l: L,
    pub title: String,
}

/// The areas of later stages of the cycle: shown in navigation, announced as coming.
pub async fn coming(ctx: Ctx, uri: axum::http::Uri) -> AppResult<Response> {
    ctx.user()?;
    let key = match uri.path().trim_start_matches('/') {
        "groups" => "nav-groups",
        "conferences" => "nav-conferences",
        "pacts" => "nav-pacts",
        "registration" => "nav-registration",
        "scoring" => "nav-scoring",
        "review" => "nav-review",
        "awards" => "nav-awards",
        _ => "nav-reports",
    };
    let l = L::new(&ctx);
    render(&ComingPage { title: l.t(key), l })
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub struct ApiDocsPage {
    pub l: L,
    pub ops: Vec<(String, String, String)>,
}

/// A page that renders the OpenAPI document as a table of operations (no JavaScript).
pub async fn api_docs(ctx: Ctx) -> AppResult<Response> {
    let doc = crate::openapi::document();
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            if let Some(item) = item.as_object() {
                for (method, op) in item {
                    let summary = op
                        .get("summary")
                        .and_then(|s| s.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    ops.push((method.to_uppercase(), path.clone(), summary));
                }
            }
        }
    }
    render(&ApiDocsPage {
        l: L::new(&ctx),
        ops,
    })
}
