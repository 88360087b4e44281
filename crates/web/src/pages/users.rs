//! Account administration: list accounts, create one with a one-time password, grant and
//! revoke roles.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Grant, Resource, Role};
use thidua_store::{NewUser, Unit, User};

use super::{render_status, FormErrors, L};
use crate::auth;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: L,
    users: Vec<(User, Vec<Grant>)>,
    units: Vec<Unit>,
    roles: Vec<&'static str>,
    created: Option<(String, String)>,
    errors: FormErrors,
}

impl UsersPage {
    fn unit_name(&self, id: &Option<String>) -> String {
        match id {
            None => "*".into(),
            Some(id) => self
                .units
                .iter()
                .find(|u| &u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.clone()),
        }
    }
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    created: Option<(String, String)>,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let mut users = Vec::new();
    for u in app.store.list_users().await? {
        let g = app.store.grants_of(&u.id).await?;
        users.push((u, g));
    }
    render_status(
        status,
        &UsersPage {
            l: L::new(ctx),
            users,
            units: app.store.all_units().await?,
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
            created,
            errors,
        },
    )
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    page(&app, &ctx, None, FormErrors::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewUserForm>,
) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    let username = f.username.trim().to_lowercase();
    let display = thidua_domain::text::clean(&f.display_name);
    let l = L::new(&ctx);
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        || username.len() > 64
    {
        return page(
            &app,
            &ctx,
            None,
            FormErrors::one("username", l.t("err-bad-code")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if display.is_empty() {
        return page(
            &app,
            &ctx,
            None,
            FormErrors::one("display_name", l.t("err-required")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let otp = auth::one_time_password();
    let hash = auth::hash_password(otp.clone()).await?;
    let res = app
        .store
        .create_user(
            &ctx.audit(),
            &NewUser {
                username: username.clone(),
                display_name: display,
                password_hash: hash,
                must_change_password: true,
                lang: "vi".into(),
                unit_id: None,
            },
        )
        .await;
    match res {
        Ok(_) => {
            page(
                &app,
                &ctx,
                Some((username, otp)),
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(thidua_store::StoreError::Duplicate { key, .. }) => {
            let msg = l.ta("err-duplicate", "value", &key);
            page(
                &app,
                &ctx,
                None,
                FormErrors::one("username", msg),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    scope: Option<String>,
}

fn parse_grant(f: &GrantForm) -> AppResult<(Role, Option<String>)> {
    let role = Role::parse(f.role.trim()).ok_or(AppError::BadRequest("err-bad-role".into()))?;
    let scope = f.scope.clone().filter(|s| !s.trim().is_empty());
    if role.needs_scope() && scope.is_none() {
        return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "scope",
            "err-required",
        )]));
    }
    Ok((role, scope))
}

pub async fn grant(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    app.store.get_user(&id).await?;
    let (role, scope) = parse_grant(&f)?;
    app.store
        .grant(&ctx.audit(), &id, role, scope.as_deref())
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn revoke(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    ctx.may(Action::ManageUsers, &Resource::SYSTEM)?;
    let role = Role::parse(f.role.trim()).ok_or(AppError::BadRequest("err-bad-role".into()))?;
    let scope = f.scope.clone().filter(|s| !s.trim().is_empty());
    app.store
        .revoke(&ctx.audit(), &id, role, scope.as_deref())
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}
