//! Group documents shared by pages and API: who may edit, the starting text, and the body of
//! a version as people send it.

use serde::Deserialize;
use thidua_domain::document::{self, DocumentContent, DocumentKind, Section};
use thidua_domain::editable;
use thidua_store::{Group, GroupDocument};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::groups as rules;
use crate::AppState;

/// The head (or the deputy, or last year's deputy before a head is chosen) and the council's
/// secretariat draft, amend and adopt the group's documents.
pub async fn may_edit(app: &AppState, ctx: &Ctx, group_id: &str) -> AppResult<()> {
    rules::may_run_election(app, ctx, group_id, None).await
}

/// One section as sent: the body as HTML (sanitised on arrival) or as the editable text.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SectionBody {
    #[serde(default)]
    pub heading: String,
    /// Rich text; only p, strong, em, ul, ol, li, table, thead, tbody, tr, th, td, br, h3, h4
    /// are kept, without attributes.
    pub body_html: Option<String>,
    /// The same as a Markdown subset ("- " lists, "1. " lists, "| a | b |" tables, **bold**).
    pub body_text: Option<String>,
}

/// The content of a version as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DocumentBody {
    pub title: String,
    pub number: Option<String>,
    pub place: Option<String>,
    /// yyyy-mm-dd
    #[schema(value_type = Option<String>)]
    pub date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub bases: Vec<String>,
    #[serde(default)]
    pub sections: Vec<SectionBody>,
    #[serde(default)]
    pub recipients: Vec<String>,
}

impl DocumentBody {
    /// Validated content (sanitised, NFC, within limits) or the field errors.
    pub fn content(&self, kind: DocumentKind) -> AppResult<DocumentContent> {
        let sections = self
            .sections
            .iter()
            .map(|s| Section {
                heading: s.heading.clone(),
                body_html: match (&s.body_html, &s.body_text) {
                    (Some(h), _) => h.clone(),
                    // Too long to be accepted: left as it is for validation to refuse
                    // unconverted.
                    (None, Some(t)) if t.len() > document::BODY_RAW_MAX_BYTES => t.clone(),
                    (None, Some(t)) => editable::markdown_to_html(t),
                    (None, None) => String::new(),
                },
            })
            .filter(|s| !(s.heading.trim().is_empty() && s.body_html.trim().is_empty()))
            .collect();
        let raw = DocumentContent {
            kind,
            title: self.title.clone(),
            number: self.number.clone().filter(|s| !s.trim().is_empty()),
            place: self.place.clone().filter(|s| !s.trim().is_empty()),
            date: self.date,
            bases: self.bases.clone(),
            sections,
            recipients: self.recipients.clone(),
        };
        Ok(document::validate(&raw)?)
    }
}

pub fn parse_kind(kind: &str) -> AppResult<DocumentKind> {
    DocumentKind::parse(kind).ok_or_else(|| {
        AppError::Invalid(vec![thidua_domain::FieldError::new(
            "kind",
            "err-bad-request",
        )])
    })
}

fn fill(s: &str, vars: &[(&str, String)]) -> String {
    let mut out = s.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The starting text of a group's document: the council's own template with {year},
/// {group}, {theme}, {motto} filled in, or else the built-in one citing the year's theme,
/// motto and governing documents.
pub async fn starting_text(
    app: &AppState,
    g: &Group,
    kind: DocumentKind,
) -> AppResult<DocumentContent> {
    let year = app.store.get_year(&g.year_id).await?;
    if let Some(t) = app.store.council_template(&g.council_id, kind).await? {
        let vars = [
            ("year", g.year.to_string()),
            ("group", g.name.clone()),
            ("theme", year.theme.clone()),
            ("motto", year.motto.clone()),
        ];
        let filled = DocumentContent {
            kind,
            title: fill(&t.title, &vars),
            number: t.number.as_deref().map(|s| fill(s, &vars)),
            place: t.place.as_deref().map(|s| fill(s, &vars)),
            date: t.date,
            bases: t.bases.iter().map(|s| fill(s, &vars)).collect(),
            sections: t
                .sections
                .iter()
                .map(|s| Section {
                    heading: fill(&s.heading, &vars),
                    body_html: fill(&s.body_html, &vars),
                })
                .collect(),
            recipients: t.recipients.iter().map(|s| fill(s, &vars)).collect(),
        };
        return Ok(document::validate(&filled)?);
    }
    let docs: Vec<(String, String, String, String)> = year
        .documents
        .iter()
        .map(|d| {
            (
                d.number.clone(),
                d.date.as_deref().map(dmy).unwrap_or_default(),
                d.issuer.clone(),
                d.title.clone(),
            )
        })
        .collect();
    let t = document::template(
        kind,
        i32::try_from(g.year).unwrap_or(2024),
        &g.name,
        &year.theme,
        &year.motto,
        &docs,
    );
    Ok(document::validate(&t)?)
}

/// yyyy-mm-dd as dd/mm/yyyy.
fn dmy(s: &str) -> String {
    let p: Vec<&str> = s.split('-').collect();
    if p.len() == 3 {
        format!("{}/{}/{}", p[2], p[1], p[0])
    } else {
        s.to_owned()
    }
}

/// Start a group's document from its starting text (or the given body).
pub async fn start(
    app: &AppState,
    ctx: &Ctx,
    group_id: &str,
    kind: DocumentKind,
    conference_id: Option<&str>,
    body: Option<&DocumentBody>,
    note: &str,
) -> AppResult<GroupDocument> {
    let p = ctx.user()?.clone();
    let g = app.store.get_group(group_id).await?;
    may_edit(app, ctx, group_id).await?;
    let content = match body {
        Some(b) => b.content(kind)?,
        None => starting_text(app, &g, kind).await?,
    };
    Ok(app
        .store
        .create_group_document(
            &ctx.audit(),
            group_id,
            conference_id,
            &content,
            note,
            &p.user.id,
        )
        .await?)
}
