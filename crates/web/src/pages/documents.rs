//! Pages for group documents: the document with its versions and signatures, the editor,
//! differences between versions, adoption, signing, reminders, and the public verification
//! page. They call the same store methods and rules as `crate::api::documents`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::document::{self, DiffLine, DocumentKind};
use thidua_domain::editable;
use thidua_store::{
    Conference, DocumentVersion, GroupDocument, PendingSignature, StoreError, UnitBrief,
};

use super::groups::{field, opt_field, Fields, Posted};
use super::{form_errors, render, render_status, FormErrors, L};
use crate::api::documents::{pending_for, signing_status, SigningStatus};
use crate::ctx::Ctx;
use crate::documents::{self as docs, DocumentBody, SectionBody};
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, Lang};
use crate::signing::{self, Verification};
use crate::AppState;

/// An RFC 3339 instant as Vietnam's local time, dd/mm/yyyy hh:mm.
pub fn fmt_ts(s: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(d) => {
            let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap_or(*d.offset());
            d.with_timezone(&vn).format("%d/%m/%Y %H:%M").to_string()
        }
        Err(_) => s.to_owned(),
    }
}

/// Labels for the templates of this area.
#[derive(Debug, Clone, Copy)]
pub struct D {
    lang: Lang,
}

impl D {
    pub fn kind(&self, k: &str) -> String {
        t(self.lang, &format!("gdoc-kind-{k}"))
    }
    pub fn status(&self, s: &str) -> String {
        t(self.lang, &format!("docv-status-{s}"))
    }
    pub fn ts(&self, s: &str) -> String {
        fmt_ts(s)
    }
    pub fn ots(&self, s: &Option<String>) -> String {
        s.as_deref().map(fmt_ts).unwrap_or_default()
    }
    pub fn date(&self, v: &DocumentVersion) -> String {
        let place = v.content.place.clone().unwrap_or_default();
        match v.content.date {
            Some(d) if place.is_empty() => document::vietnamese_date(d),
            Some(d) => format!("{place}, {}", document::vietnamese_date(d)),
            None => place,
        }
    }
    /// The stored body, sanitised once more on the way out (it was sanitised on the way in;
    /// this guards against rows written by other means).
    pub fn body(&self, html: &str) -> String {
        document::sanitize_html(html)
    }
    pub fn problem(&self, p: &signing::Problem) -> String {
        let args: Vec<(&str, String)> = p
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        t_args(self.lang, &p.key, &args)
    }
    pub fn sig_status(&self, s: &str) -> String {
        t(self.lang, &format!("verify-sig-{s}"))
    }
}

fn d(ctx: &Ctx) -> D {
    D { lang: ctx.lang }
}

#[derive(Deserialize)]
pub struct ViewParams {
    pub v: Option<i64>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "documents/document.html")]
struct DocumentPage {
    l: L,
    h: D,
    doc: GroupDocument,
    v: DocumentVersion,
    status: SigningStatus,
    can_edit: bool,
    /// Member units this user leads that have not signed the shown (adopted) version.
    can_sign_for: Vec<UnitBrief>,
    conferences: Vec<Conference>,
    p: Posted,
}

impl DocumentPage {
    pub fn is_latest(&self) -> bool {
        self.v.version == self.doc.current_version
    }
}

async fn document_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    version: Option<i64>,
    p: Posted,
    code: StatusCode,
    flash: Option<String>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let doc = app.store.get_group_document(id).await?;
    let version = version
        .or(doc.adopted_version)
        .unwrap_or(doc.current_version);
    let v = app.store.get_document_version(id, version).await?;
    let status = signing_status(app, &doc, version).await?;
    let can_edit = docs::may_edit(app, ctx, &doc.group_id).await.is_ok();
    let mine = signing::leader_units(app, ctx, &doc.group_id).await?;
    let can_sign_for = if status.adopted {
        status
            .unsigned
            .iter()
            .filter(|u| mine.contains(&u.id))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let conferences = if can_edit {
        app.store.conferences_of(&doc.group_id).await?
    } else {
        Vec::new()
    };
    let mut l = L::new(ctx);
    l.flash = flash;
    render_status(
        code,
        &DocumentPage {
            l,
            h: d(ctx),
            doc,
            v,
            status,
            can_edit,
            can_sign_for,
            conferences,
            p,
        },
    )
}

fn done_flash(lang: Lang, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "saved" => "docv-saved",
        "adopted" => "docv-adopted-done",
        "signed" => "docv-signed-done",
        "reminded" => "docv-reminded-done",
        "unchanged" => "docv-unchanged",
        _ => return None,
    };
    Some(t(lang, key))
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ViewParams>,
) -> AppResult<Response> {
    let flash = done_flash(ctx.lang, q.done.as_deref());
    document_page(
        &app,
        &ctx,
        &id,
        q.v,
        Posted::default(),
        StatusCode::OK,
        flash,
    )
    .await
}

/// Start a document of a group from its starting text, then open the editor.
pub async fn start(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(group_id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let kind = docs::parse_kind(&field(&f, "kind"))?;
    let conference = opt_field(&f, "conference_id");
    if let Some(existing) = app
        .store
        .group_document_in_slot(&group_id, kind, conference.as_deref())
        .await?
    {
        return Ok(Redirect::to(&format!("/documents/{existing}")).into_response());
    }
    let note = t(ctx.lang, "docv-note-template");
    let d = docs::start(
        &app,
        &ctx,
        &group_id,
        kind,
        conference.as_deref(),
        None,
        &note,
    )
    .await?;
    Ok(Redirect::to(&format!("/documents/{}/edit", d.id)).into_response())
}

#[derive(Template)]
#[template(path = "documents/edit.html")]
struct EditPage {
    l: L,
    h: D,
    doc: GroupDocument,
    base_version: i64,
    title: String,
    number: String,
    place: String,
    date: String,
    bases: String,
    recipients: String,
    /// (heading, editable text); one empty pair at the end to add a section.
    sections: Vec<(String, String)>,
    note: String,
    errors: FormErrors,
    /// Someone saved a newer version meanwhile: its number.
    conflict: Option<i64>,
}

impl EditPage {
    pub fn general_errors(&self) -> Vec<String> {
        let own = [
            "title",
            "number",
            "place",
            "date",
            "bases",
            "recipients",
            "note",
        ];
        self.errors
            .0
            .iter()
            .filter(|(f, _)| !own.contains(&f.as_str()) && !f.starts_with("sections"))
            .map(|(_, m)| m.clone())
            .collect()
    }
    fn from_version(l: L, h: D, doc: GroupDocument, v: &DocumentVersion) -> Self {
        let mut sections: Vec<(String, String)> = v
            .content
            .sections
            .iter()
            .map(|s| (s.heading.clone(), editable::html_to_markdown(&s.body_html)))
            .collect();
        sections.push((String::new(), String::new()));
        EditPage {
            l,
            h,
            base_version: v.version,
            doc,
            title: v.content.title.clone(),
            number: v.content.number.clone().unwrap_or_default(),
            place: v.content.place.clone().unwrap_or_default(),
            date: v.content.date.map(|d| d.to_string()).unwrap_or_default(),
            bases: v.content.bases.join("\n"),
            recipients: v.content.recipients.join("\n"),
            sections,
            note: String::new(),
            errors: FormErrors::default(),
            conflict: None,
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let doc = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &doc.group_id).await?;
    let v = app
        .store
        .get_document_version(&id, doc.current_version)
        .await?;
    render(&EditPage::from_version(L::new(&ctx), d(&ctx), doc, &v))
}

fn body_from_form(f: &Fields) -> Result<DocumentBody, FormErrors> {
    let date = match opt_field(f, "date") {
        None => None,
        Some(s) => match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return Err(FormErrors(vec![("date".into(), "err-bad-date".into())])),
        },
    };
    let headings: Vec<&String> = f
        .iter()
        .filter(|(k, _)| k == "heading")
        .map(|(_, v)| v)
        .collect();
    let texts: Vec<&String> = f
        .iter()
        .filter(|(k, _)| k == "text")
        .map(|(_, v)| v)
        .collect();
    let sections = headings
        .iter()
        .zip(texts.iter())
        .map(|(h, t)| SectionBody {
            heading: (*h).clone(),
            body_html: None,
            body_text: Some((*t).clone()),
        })
        .collect();
    let lines = |name: &str| -> Vec<String> {
        field(f, name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(DocumentBody {
        title: field(f, "title"),
        number: opt_field(f, "number"),
        place: opt_field(f, "place"),
        date,
        bases: lines("bases"),
        sections,
        recipients: lines("recipients"),
    })
}

pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let doc = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &doc.group_id).await?;
    let base = field(&f, "base_version").parse::<i64>().unwrap_or(-1);
    let result: AppResult<DocumentVersion> = async {
        let body = body_from_form(&f).map_err(|e| {
            AppError::Invalid(
                e.0.iter()
                    .map(|(k, v)| thidua_domain::FieldError::new(k, v))
                    .collect(),
            )
        })?;
        let kind = docs::parse_kind(&doc.kind)?;
        let content = body.content(kind)?;
        Ok(app
            .store
            .save_document_version(
                &ctx.audit(),
                &id,
                base,
                &content,
                &field(&f, "note"),
                &p.user.id,
            )
            .await?)
    }
    .await;
    match result {
        Ok(v) => Ok(
            Redirect::to(&format!("/documents/{id}?v={}&done=saved", v.version)).into_response(),
        ),
        Err(AppError::Refused { key, .. }) if key == "err-document-unchanged" => {
            Ok(Redirect::to(&format!("/documents/{id}?done=unchanged")).into_response())
        }
        Err(e) => {
            let conflict = matches!(e, AppError::Conflict(_)).then_some(doc.current_version);
            let (errors, status) = form_errors(ctx.lang, e)?;
            // Re-show what was typed, with the errors beside the fields.
            let headings: Vec<String> = f
                .iter()
                .filter(|(k, _)| k == "heading")
                .map(|(_, v)| v.clone())
                .collect();
            let texts: Vec<String> = f
                .iter()
                .filter(|(k, _)| k == "text")
                .map(|(_, v)| v.clone())
                .collect();
            let mut sections: Vec<(String, String)> = headings.into_iter().zip(texts).collect();
            if sections
                .last()
                .is_none_or(|(h, t)| !h.is_empty() || !t.is_empty())
            {
                sections.push((String::new(), String::new()));
            }
            let page = EditPage {
                l: L::new(&ctx),
                h: d(&ctx),
                base_version: conflict.unwrap_or(base),
                doc,
                title: field(&f, "title"),
                number: field(&f, "number"),
                place: field(&f, "place"),
                date: field(&f, "date"),
                bases: field(&f, "bases"),
                recipients: field(&f, "recipients"),
                sections,
                note: field(&f, "note"),
                errors,
                conflict,
            };
            render_status(status, &page)
        }
    }
}

pub async fn adopt(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let doc = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &doc.group_id).await?;
    let conference = field(&f, "conference_id");
    let res = if conference.is_empty() {
        Err(StoreError::field("conference_id", "err-required"))
    } else {
        app.store
            .adopt_document_version(
                &ctx.audit(),
                &id,
                version,
                &conference,
                &field(&f, "note"),
                &p.user.id,
            )
            .await
    };
    match res {
        Ok(_) => {
            Ok(Redirect::to(&format!("/documents/{id}?v={version}&done=adopted")).into_response())
        }
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            document_page(
                &app,
                &ctx,
                &id,
                Some(version),
                Posted::new("adopt", f, errors),
                status,
                None,
            )
            .await
        }
    }
}

pub async fn sign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let unit = opt_field(&f, "unit_id");
    // The password is not trimmed: spaces may be part of it.
    let password = f
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match signing::sign(&app, &ctx, &id, version, unit.as_deref(), &password, None).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/documents/{id}?v={version}&done=signed")).into_response())
        }
        Err(e @ (AppError::Forbidden | AppError::NotFound | AppError::Unauthorized)) => Err(e),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            // Never send the password back.
            let kept: Fields = f.into_iter().filter(|(k, _)| k != "password").collect();
            document_page(
                &app,
                &ctx,
                &id,
                Some(version),
                Posted::new("sign", kept, errors),
                status,
                None,
            )
            .await
        }
    }
}

/// The signed PDF from the signer's own token, handed in on the document page.
pub async fn signed_pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, version)): Path<(String, i64)>,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    // Only a leader of a member may hand one in: decided before the upload is read.
    let d = app.store.get_group_document(&id).await?;
    if signing::leader_units(&app, &ctx, &d.group_id)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    let (mut pdf, mut password, mut unit) = (Vec::new(), String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::TooLarge)? {
        match field.name() {
            Some("file") => {
                pdf = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec()
            }
            Some("password") => password = field.text().await.unwrap_or_default(),
            Some("unit_id") => unit = field.text().await.ok().filter(|u| !u.is_empty()),
            _ => {}
        }
    }
    if pdf.is_empty() {
        let (errors, status) = form_errors(
            ctx.lang,
            AppError::Invalid(vec![thidua_domain::FieldError::new("file", "err-required")]),
        )?;
        return document_page(
            &app,
            &ctx,
            &id,
            Some(version),
            Posted::new("sign", Vec::new(), errors),
            status,
            None,
        )
        .await;
    }
    match signing::sign(
        &app,
        &ctx,
        &id,
        version,
        unit.as_deref(),
        &password,
        Some(pdf),
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/documents/{id}?v={version}&done=signed")).into_response())
        }
        Err(e @ (AppError::Forbidden | AppError::NotFound | AppError::Unauthorized)) => Err(e),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            let kept: Fields = unit
                .into_iter()
                .map(|u| ("unit_id".to_owned(), u))
                .collect();
            document_page(
                &app,
                &ctx,
                &id,
                Some(version),
                Posted::new("sign", kept, errors),
                status,
                None,
            )
            .await
        }
    }
}

pub async fn remind(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let doc = app.store.get_group_document(&id).await?;
    docs::may_edit(&app, &ctx, &doc.group_id).await?;
    match app
        .store
        .remind_signers(&ctx.audit(), &id, &p.user.id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?done=reminded")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            document_page(
                &app,
                &ctx,
                &id,
                None,
                Posted::new("remind", Vec::new(), errors),
                status,
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct DiffParams {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Template)]
#[template(path = "documents/diff.html")]
struct DiffPage {
    l: L,
    h: D,
    doc: GroupDocument,
    from: DocumentVersion,
    to: DocumentVersion,
    lines: Vec<DiffLine>,
}

pub async fn diff(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DiffParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let doc = app.store.get_group_document(&id).await?;
    let to = q.to.unwrap_or(doc.current_version);
    let from = q.from.unwrap_or(to - 1).max(1);
    let a = app.store.get_document_version(&id, from).await?;
    let b = app.store.get_document_version(&id, to).await?;
    let lines = document::diff(&a.content, &b.content);
    render(&DiffPage {
        l: L::new(&ctx),
        h: d(&ctx),
        doc,
        from: a,
        to: b,
        lines,
    })
}

#[derive(Deserialize)]
pub struct VerifyParams {
    pub code: Option<String>,
}

#[derive(Template)]
#[template(path = "documents/verify.html")]
struct VerifyPage {
    l: L,
    h: D,
    code: String,
    result: Option<Verification>,
    not_found: bool,
    /// A file the visitor uploaded, checked.
    file: Option<signing::PdfCheck>,
    /// Why an uploaded file could not be checked (a translation key).
    file_error: Option<&'static str>,
    /// The signed text of the version, to read against the paper.
    text: Option<thidua_domain::document::DocumentContent>,
}

/// A signed PDF uploaded to the public verification page.
pub async fn verify_file(
    State(app): State<AppState>,
    ctx: Ctx,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let mut l = L::new(&ctx);
    if ctx.principal.is_none() {
        l = L::anonymous(ctx.lang);
    }
    let h = d(&ctx);
    let mut bytes = Vec::new();
    let mut too_large = false;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => bytes = b.to_vec(),
                Err(_) => too_large = true,
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                too_large = true;
                break;
            }
        }
    }
    let page = |file, file_error, result, text| VerifyPage {
        l: l.clone(),
        h,
        code: String::new(),
        result,
        not_found: false,
        file,
        file_error,
        text,
    };
    if too_large {
        return render_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            &page(None, Some("verify-file-too-large"), None, None),
        );
    }
    if bytes.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(None, Some("verify-file-missing"), None, None),
        );
    }
    match signing::check_file(&app, bytes).await {
        Ok(f) => render(&page(Some(f.file), None, f.version, f.text)),
        Err(AppError::Refused { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(None, Some("verify-file-not-pdf"), None, None),
        ),
        Err(e) => Err(e),
    }
}

/// The public verification page: anybody with the code on a printout may check it.
pub async fn verify(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VerifyParams>,
) -> AppResult<Response> {
    verify_page(&app, &ctx, q.code.unwrap_or_default()).await
}

pub async fn verify_code(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    verify_page(&app, &ctx, code).await
}

async fn verify_page(app: &AppState, ctx: &Ctx, code: String) -> AppResult<Response> {
    let mut l = L::new(ctx);
    if ctx.principal.is_none() {
        l = L::anonymous(ctx.lang);
    }
    let h = d(ctx);
    if code.trim().is_empty() {
        return render(&VerifyPage {
            l,
            h,
            code,
            result: None,
            not_found: false,
            file: None,
            file_error: None,
            text: None,
        });
    }
    let found = match thidua_domain::signature::normalize_verification_code(&code) {
        Some(c) => match app.store.version_by_code(&c).await {
            Ok(x) => Some(x),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    match found {
        Some((id, version)) => {
            let (result, _, v, _) = signing::verify(app, &id, version).await?;
            render(&VerifyPage {
                l,
                h,
                code,
                result: Some(result),
                not_found: false,
                file: None,
                file_error: None,
                text: Some(v.content),
            })
        }
        None => render_status(
            StatusCode::NOT_FOUND,
            &VerifyPage {
                l,
                h,
                code,
                result: None,
                not_found: true,
                file: None,
                file_error: None,
                text: None,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "documents/pacts.html")]
struct PactsPage {
    l: L,
    h: D,
    pending: Vec<PendingSignature>,
}

/// "Giao ước & ký kết": what the units I lead have still to sign, and verification.
pub async fn pacts(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let pending = pending_for(&app, &ctx).await?;
    render(&PactsPage {
        l: L::new(&ctx),
        h: d(&ctx),
        pending,
    })
}

/// The kinds a group may start, in the order they come in the year.
pub fn startable_kinds() -> [DocumentKind; 3] {
    [
        DocumentKind::Plan,
        DocumentKind::Pact,
        DocumentKind::Regulations,
    ]
}
