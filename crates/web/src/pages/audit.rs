//! The audit trail, for administrators and auditors.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use thidua_domain::audit::AuditRecord;
use thidua_domain::auth::{Action, Resource};
use thidua_store::{AuditFilter, Page};

use super::{render, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl Params {
    pub fn filter(&self) -> AppResult<AuditFilter> {
        let num = |s: &Option<String>| -> AppResult<Option<i64>> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::BadRequest("err-bad-request".into())),
            }
        };
        let (page, per_page) = thidua_store::paging(num(&self.page)?, num(&self.per_page)?);
        let f = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        Ok(AuditFilter {
            entity: f(&self.entity),
            entity_id: f(&self.entity_id),
            actor: f(&self.actor),
            action: f(&self.action),
            page,
            per_page,
        })
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: L,
    p: Params,
    page: Page<AuditRecord>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<Params>,
) -> AppResult<Response> {
    ctx.may(Action::ViewAudit, &Resource::SYSTEM)?;
    let f = p.filter()?;
    let page = app.store.list_audit(&f).await?;
    let link = |n: i64| {
        let mut s = format!("/audit?page={n}");
        for (k, v) in [
            ("entity", &p.entity),
            ("entity_id", &p.entity_id),
            ("actor", &p.actor),
            ("action", &p.action),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("&{k}={}", crate::ctx::urlencode(v)));
            }
        }
        s
    };
    render(&AuditPage {
        l: L::new(&ctx),
        prev: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < page.pages()).then(|| link(page.page + 1)),
        p,
        page,
    })
}
