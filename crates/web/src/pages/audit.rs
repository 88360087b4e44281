//! The audit trail, for administrators and auditors.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use thidua_domain::audit::AuditRecord;
use thidua_domain::auth::{Action, Resource};
use thidua_store::{AuditFilter, AuditReport, DeepReport, Page, PublishedHead};

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
    /// Run the verification (the whole chain; with `deep`, every audited entity's rows).
    pub verify: Option<String>,
    pub deep: Option<String>,
    /// A chain head published earlier, SEQ:HASH.
    pub head: Option<String>,
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
    /// The chain head to publish.
    head: PublishedHead,
    /// The verification asked for: the chain's report, the published head checked and the
    /// data's report.
    chain: Option<AuditReport>,
    published: Option<PublishedHead>,
    bad_head: bool,
    data: Option<DeepReport>,
}

impl AuditPage {
    fn break_text(&self) -> String {
        self.chain
            .as_ref()
            .and_then(|c| c.first_break.as_ref())
            .and_then(|b| serde_json::to_string(b).ok())
            .unwrap_or_default()
    }

    fn more_problems(&self) -> u64 {
        self.data
            .as_ref()
            .map_or(0, |d| d.problem_count - d.problems.len() as u64)
    }
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<Params>,
) -> AppResult<Response> {
    ctx.may(Action::ViewAudit, &Resource::SYSTEM)?;
    let f = p.filter()?;
    let page = app.store.list_audit(&f).await?;
    let on = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let head_text = p.head.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let published = head_text.and_then(|h| h.parse::<PublishedHead>().ok());
    let bad_head = head_text.is_some() && published.is_none();
    let (chain, data) = if on(&p.verify) && !bad_head {
        let chain = app.store.verify_audit_against(published.as_ref()).await?;
        let data = if on(&p.deep) {
            Some(app.store.verify_data().await?)
        } else {
            None
        };
        (Some(chain), data)
    } else {
        (None, None)
    };
    let head = app.store.chain_head().await?;
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
        head,
        chain,
        published,
        bad_head,
        data,
    })
}
