//! The request context: who is calling (session cookie or API token), in which language,
//! from which address; CSRF protection for every state-changing request; and the final
//! rendering of errors as a page or as problem+json.

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use thidua_domain::auth::{may, Action, Actor, Resource, Role};
use thidua_store::{AuditCtx, User};

use crate::auth::hash_token;
use crate::error::{AppError, AppResult, ErrorMarker};
use crate::i18n::{t, t_args, Lang};
use crate::AppState;

pub const SESSION_COOKIE: &str = "thidua_session";
pub const LANG_COOKIE: &str = "thidua_lang";
/// Largest form body the CSRF check reads to find `_csrf` (uploads use the header or query).
const MAX_FORM_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub actor: Actor,
    pub via_token: bool,
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Option<Principal>,
    pub lang: Lang,
    pub is_api: bool,
    pub address: Option<String>,
    pub session_hash: Option<String>,
    pub csrf: String,
    pub path: String,
}

impl Ctx {
    pub fn user(&self) -> AppResult<&Principal> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }

    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor: self.principal.as_ref().map(|p| p.user.username.clone()),
            address: self.address.clone(),
        }
    }

    pub fn may(&self, action: Action, res: &Resource<'_>) -> AppResult<()> {
        let p = self.user()?;
        if may(&p.actor, action, res) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, action: Action, res: &Resource<'_>) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| may(&p.actor, action, res))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| p.actor.grants.iter().any(|g| g.role == role))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("context middleware missing".into()))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuse requests that a browser marks as coming from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site == "cross-site" {
            return true;
        }
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let o = origin
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        if origin != "null" && o != host {
            return true;
        }
    }
    false
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.replace('+', " "))
}

/// The API paths anyone may read without signing in: the API's own description, document
/// verification, published news (drafts are refused by their handlers), and the public
/// consultation on proposed titles.
fn public_api(method: &Method, path: &str) -> bool {
    // Public consultation: anyone may read a nominee's summary and leave a comment.
    if path.starts_with("/api/v1/public/") {
        return *method == Method::GET || (*method == Method::POST && path.ends_with("/comments"));
    }
    // Anyone holding a signed PDF may have it checked.
    if *method == Method::POST && path == "/api/v1/verify/file" {
        return true;
    }
    if *method != Method::GET {
        return false;
    }
    path == "/api/v1/openapi.json"
        || path.starts_with("/api/v1/verify/")
        || path == "/api/v1/trust-anchors"
        || path == "/api/v1/news"
        || path
            .strip_prefix("/api/v1/news/")
            .is_some_and(|rest| !rest.ends_with("/versions"))
}

pub async fn context(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let is_api = path.starts_with("/api/");
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());

    let mut principal = None;
    let mut session_hash = None;
    let mut csrf = String::new();
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    if let Some(token) = bearer {
        match app.store.token_user(&hash_token(&token)).await {
            Ok(Some((user, grants))) => {
                principal = Some(Principal {
                    actor: Actor {
                        user_id: user.id.clone(),
                        grants,
                    },
                    user,
                    via_token: true,
                })
            }
            Ok(None) => {
                return finish(AppError::Unauthorized, Lang::Vi, is_api, &path, None);
            }
            Err(e) => return finish(e.into(), Lang::Vi, is_api, &path, None),
        }
    } else if let Some(sid) = cookie(&parts.headers, SESSION_COOKIE) {
        let h = hash_token(sid);
        match app.store.session(&h).await {
            Ok(Some(s)) => {
                csrf = s.csrf_token.clone();
                session_hash = Some(h);
                principal = Some(Principal {
                    actor: Actor {
                        user_id: s.user.id.clone(),
                        grants: s.grants,
                    },
                    user: s.user,
                    via_token: false,
                });
            }
            Ok(None) => {}
            Err(e) => return finish(e.into(), Lang::Vi, is_api, &path, None),
        }
    }
    // Deny by default: an API endpoint added tomorrow is private unless listed here.
    if principal.is_none() && path.starts_with("/api/v1/") && !public_api(&parts.method, &path) {
        return finish(AppError::Unauthorized, Lang::Vi, is_api, &path, None);
    }
    let lang = principal
        .as_ref()
        .map(|p| Lang::parse(&p.user.lang))
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).map(Lang::parse))
        .unwrap_or(Lang::Vi);

    // Control characters never reach a handler (or the database) through the path or query.
    if crate::control::in_percent_encoded(path.as_bytes())
        || parts
            .uri
            .query()
            .is_some_and(|q| crate::control::in_percent_encoded(q.as_bytes()))
    {
        return finish(control_char(), lang, is_api, &path, None);
    }

    let mut body = body;
    if is_unsafe(&parts.method) {
        if cross_site(&parts.headers) {
            return finish(AppError::Csrf, lang, is_api, &path, None);
        }
        // A session cookie is ambient authority: the request must also carry the session's
        // synchronizer token. API tokens are not sent by browsers on their own.
        if session_hash.is_some() {
            let mut sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| query_param(parts.uri.query(), "_csrf"));
            let is_form = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if sent.is_none() && is_form {
                let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
                    Ok(b) => b,
                    Err(_) => return finish(AppError::TooLarge, lang, is_api, &path, None),
                };
                sent = form_field(&bytes, "_csrf");
                body = Body::from(bytes);
            }
            let ok = sent.is_some_and(|s| {
                !csrf.is_empty()
                    && s.len() == csrf.len()
                    && s.bytes()
                        .zip(csrf.bytes())
                        .fold(0u8, |a, (x, y)| a | (x ^ y))
                        == 0
            });
            if !ok {
                return finish(AppError::Csrf, lang, is_api, &path, None);
            }
        }
    }

    // Nor through a form or JSON body (read here whole, within the largest body limit; the
    // route's own limit still applies when the handler reads it).
    let checked = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            let c = c.trim_start().to_ascii_lowercase();
            if c.starts_with("application/x-www-form-urlencoded") {
                Some(crate::control::in_percent_encoded as fn(&[u8]) -> bool)
            } else if c.starts_with("application/json")
                || c.split(';')
                    .next()
                    .is_some_and(|m| m.trim_end().ends_with("+json"))
            {
                Some(crate::control::in_json as fn(&[u8]) -> bool)
            } else {
                None
            }
        });
    if let Some(has_control) = checked {
        let bytes = match to_bytes(body, crate::UPLOAD_LIMIT).await {
            Ok(b) => b,
            Err(_) => return finish(AppError::TooLarge, lang, is_api, &path, None),
        };
        if has_control(&bytes) {
            return finish(control_char(), lang, is_api, &path, None);
        }
        body = Body::from(bytes);
    }

    // An account with a one-time password must change it before anything else.
    if let Some(p) = &principal {
        if p.user.must_change_password
            && !p.via_token
            && !is_api
            && !path.starts_with("/account/password")
            && !path.starts_with("/logout")
            && !path.starts_with("/static/")
        {
            return Redirect::to("/account/password").into_response();
        }
    }

    let ctx = Ctx {
        principal,
        lang,
        is_api,
        address,
        session_hash,
        csrf,
        path: path.clone(),
    };
    parts.extensions.insert(ctx.clone());
    let req = Request::from_parts(parts, body);
    let resp = thidua_store::with_request_scope(next.run(req)).await;
    if let Some(ErrorMarker(err)) = resp.extensions().get::<ErrorMarker>().cloned() {
        return finish(err, lang, is_api, &path, Some(&ctx));
    }
    // axum's own rejections (bad JSON, wrong content type, body too large) come back as
    // plain text; give them the same shape as ours.
    if is_api && resp.status().is_client_error() && !is_problem(&resp) && !is_json(&resp) {
        let err = match resp.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest("err-bad-request".into()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::UNPROCESSABLE_ENTITY
            | StatusCode::BAD_REQUEST => AppError::BadRequest("err-bad-json".into()),
            _ => return resp,
        };
        let status = resp.status();
        let mut r = finish(err, lang, is_api, &path, Some(&ctx));
        *r.status_mut() = status;
        return r;
    }
    if !is_api && resp.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&resp) {
        return finish(AppError::TooLarge, lang, is_api, &path, Some(&ctx));
    }
    resp
}

fn control_char() -> AppError {
    AppError::BadRequest("err-control-char".into())
}

fn is_problem(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/problem+json"))
}

fn is_json(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"))
}

/// Render an error for the caller.
pub fn finish(err: AppError, lang: Lang, is_api: bool, path: &str, ctx: Option<&Ctx>) -> Response {
    if let AppError::Internal(detail) = &err {
        tracing::error!(%detail, path, "internal error");
    }
    let status = err.status();
    let key = err.key();
    let title = match &err {
        AppError::Duplicate { value, .. } => t_args(lang, &key, &[("value", value.clone())]),
        AppError::Refused { args, .. } => {
            let a: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            t_args(lang, &key, &a)
        }
        _ => t(lang, &key),
    };
    if is_api {
        let mut body = serde_json::json!({
            "type": format!("/problems/{}", key),
            "title": title,
            "status": status.as_u16(),
        });
        match &err {
            AppError::Invalid(fields) => {
                body["errors"] = fields
                    .iter()
                    .map(|f| {
                        serde_json::json!({"field": f.field, "key": f.key, "message": t(lang, &f.key)})
                    })
                    .collect();
            }
            AppError::Conflict(current) => body["current"] = current.clone(),
            AppError::Duplicate { field, value } => {
                body["errors"] = serde_json::json!([{"field": field, "key": "err-duplicate", "message": title, "value": value}]);
            }
            AppError::Import(rows) => {
                body["rows"] = rows
                    .iter()
                    .map(|r| serde_json::json!({"row": r.row, "column": r.column, "key": r.key, "message": r.message(lang)}))
                    .collect();
            }
            _ => {}
        }
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        return r;
    }
    if matches!(err, AppError::Unauthorized) {
        let next = urlencode(path);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let page = crate::pages::ErrorPage::new(ctx, lang, status, title, &err);
    let mut r = page.into_response();
    *r.status_mut() = status;
    r
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
