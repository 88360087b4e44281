//! Unit registry pages: table and tree, search, view, create, edit, lineage, import, export.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use thidua_domain::auth::{Action, Resource};
use thidua_domain::unit::{parse_date, LineageDraft, LineageKind, UnitDraft, UnitInput, UnitKind};
use thidua_domain::FieldError;
use thidua_store::{LineageEvent, Page, Person, PersonQuery, Unit, UnitQuery};

use super::{form_errors, render, render_status, FormErrors, L};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent: Option<String>,
    pub valid_on: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListParams {
    /// Validate the filters; bad values are errors, not silently ignored.
    pub fn to_query(&self) -> AppResult<UnitQuery> {
        let mut errs = Vec::new();
        let num = |s: &Option<String>, field: &str, errs: &mut Vec<FieldError>| -> Option<i64> {
            let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.push(FieldError::new(field, "err-bad-request"));
                    None
                }
            }
        };
        let page = num(&self.page, "page", &mut errs);
        let per_page = num(&self.per_page, "per_page", &mut errs);
        let kind = self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(k) = kind {
            if UnitKind::parse(k).is_none() {
                errs.push(FieldError::new("kind", "err-bad-kind"));
            }
        }
        let valid_on = match self
            .valid_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => match parse_date(s) {
                Some(d) => Some(d),
                None => {
                    errs.push(FieldError::new("valid_on", "err-bad-date"));
                    None
                }
            },
            None => None,
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let (page, per_page) = thidua_store::paging(page, per_page);
        Ok(UnitQuery {
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            kind: kind.map(str::to_owned),
            parent_id: self.parent.clone().filter(|s| !s.trim().is_empty()),
            valid_on,
            page,
            per_page,
        })
    }

    fn link(&self, page: i64) -> String {
        let mut s = format!("/units?page={page}");
        for (k, v) in [
            ("q", &self.q),
            ("kind", &self.kind),
            ("parent", &self.parent),
            ("valid_on", &self.valid_on),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("&{k}={}", crate::ctx::urlencode(v)));
            }
        }
        s
    }
}

#[derive(Template)]
#[template(path = "units/list.html")]
struct ListPage {
    l: L,
    p: ListParams,
    kinds: Vec<&'static str>,
    results: Results,
    can_create: bool,
}

#[derive(Template)]
#[template(path = "units/_results.html")]
struct Results {
    l: L,
    page: Page<Unit>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let q = p.to_query()?;
    let page = app.store.list_units(&q).await?;
    let l = L::new(&ctx);
    let results = Results {
        prev: (page.page > 1).then(|| p.link(page.page - 1)),
        next: (page.page < page.pages()).then(|| p.link(page.page + 1)),
        l: l.clone(),
        page,
    };
    // htmx asks for the results only as the user types.
    if headers.get("hx-request").is_some()
        && headers.get("hx-target").is_some_and(|v| v == "results")
    {
        return render(&results);
    }
    render(&ListPage {
        can_create: ctx.can(Action::CreateUnit, &Resource::SYSTEM)
            || ctx.has_role(thidua_domain::auth::Role::CouncilSecretary),
        l,
        p,
        kinds: UnitKind::ALL.iter().map(|k| k.as_str()).collect(),
        results,
    })
}

/// One line of the tree: the unit and its depth.
pub struct TreeRow {
    pub unit: Unit,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "units/tree.html")]
struct TreePage {
    l: L,
    rows: Vec<TreeRow>,
    valid_on: String,
}

#[derive(Deserialize)]
pub struct TreeParams {
    valid_on: Option<String>,
}

/// Order units depth-first, children in Vietnamese order (the store returns them sorted).
pub fn tree_rows(units: Vec<Unit>) -> Vec<TreeRow> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<String> = units.iter().map(|u| u.id.clone()).collect();
    let mut children: HashMap<Option<String>, Vec<Unit>> = HashMap::new();
    for u in units {
        // A unit whose parent is filtered out shows at the top level.
        let key = u.parent_id.clone().filter(|p| ids.contains(p));
        children.entry(key).or_default().push(u);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Unit, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|u| (u, 0))
        .collect();
    while let Some((u, d)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(u.id.clone())) {
            for k in kids.into_iter().rev() {
                stack.push((k, d + 1));
            }
        }
        out.push(TreeRow {
            unit: u,
            depth: d.min(6),
        });
    }
    out
}

pub async fn tree(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<TreeParams>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let valid_on = p.valid_on.clone().unwrap_or_default();
    let date =
        match valid_on.trim() {
            "" => None,
            s => Some(parse_date(s).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("valid_on", "err-bad-date")])
            })?),
        };
    let mut units = app.store.all_units().await?;
    if let Some(d) = date {
        let ds = d.format("%Y-%m-%d").to_string();
        units.retain(|u| {
            u.valid_from.as_deref().is_none_or(|f| f <= ds.as_str())
                && u.valid_to.as_deref().is_none_or(|t| t >= ds.as_str())
        });
    }
    render(&TreePage {
        l: L::new(&ctx),
        rows: tree_rows(units),
        valid_on,
    })
}

#[derive(Template)]
#[template(path = "units/show.html")]
struct ShowPage {
    l: L,
    u: Unit,
    children: Vec<Unit>,
    people: Vec<Person>,
    lineage: Vec<LineageEvent>,
    can_edit: bool,
    can_people: bool,
    can_records: bool,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)?;
    let u = app.store.get_unit(&id).await?;
    let chain = app.store.unit_chain(&id).await?;
    let people = app
        .store
        .list_people(&PersonQuery {
            unit_id: Some(id.clone()),
            page: 1,
            per_page: thidua_store::MAX_PER_PAGE,
            ..Default::default()
        })
        .await?
        .items;
    render(&ShowPage {
        children: app.store.children(&id).await?,
        lineage: app.store.lineage_of(&id).await?,
        can_edit: ctx.can(Action::EditUnit, &Resource::unit(&chain)),
        can_people: ctx.can(Action::ManagePeople, &Resource::unit(&chain)),
        can_records: ctx.can(Action::ManageRecords, &Resource::unit(&chain)),
        l: L::new(&ctx),
        u,
        people,
    })
}

#[derive(Template)]
#[template(path = "units/form.html")]
struct FormPage {
    l: L,
    action: String,
    title: String,
    f: UnitForm,
    errors: FormErrors,
    kinds: Vec<&'static str>,
    parents: Vec<Unit>,
    current: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub version: Option<String>,
}

impl UnitForm {
    fn input(&self) -> UnitInput {
        UnitInput {
            code: self.code.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            parent_id: self.parent_id.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
    fn from_unit(u: &Unit) -> Self {
        UnitForm {
            code: u.code.clone(),
            kind: u.kind.clone(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            parent_id: u.parent_id.clone(),
            valid_from: u.valid_from.clone(),
            valid_to: u.valid_to.clone(),
            version: Some(u.version.to_string()),
        }
    }
    pub fn sel(&self, v: &str) -> bool {
        self.parent_id.as_deref() == Some(v)
    }
    pub fn opt(v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

/// May the actor place a unit under `parent` (None: at the top)?
pub async fn check_create(app: &AppState, ctx: &Ctx, parent: Option<&str>) -> AppResult<()> {
    match parent {
        Some(p) => {
            let chain = app.store.unit_chain(p).await?;
            ctx.may(Action::CreateUnit, &Resource::unit(&chain))
        }
        None => ctx.may(Action::CreateUnit, &Resource::SYSTEM),
    }
}

// A private render helper: its arguments are the form's parts, a struct would only rename them.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    action: String,
    title_key: &str,
    f: UnitForm,
    errors: FormErrors,
    current: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let l = L::new(ctx);
    render_status(
        status,
        &FormPage {
            title: l.t(title_key),
            l,
            action,
            f,
            errors,
            kinds: UnitKind::ALL.iter().map(|k| k.as_str()).collect(),
            parents: app.store.all_units().await?,
            current,
        },
    )
}

#[derive(Deserialize)]
pub struct NewParams {
    parent: Option<String>,
}

pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<NewParams>,
) -> AppResult<Response> {
    ctx.user()?;
    if !ctx.has_role(thidua_domain::auth::Role::CouncilSecretary) {
        check_create(&app, &ctx, p.parent.as_deref()).await?;
    }
    let f = UnitForm {
        parent_id: p.parent,
        kind: "district".into(),
        ..Default::default()
    };
    form_page(
        &app,
        &ctx,
        "/units".into(),
        "units-new",
        f,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    ctx.user()?;
    let draft = match f.input().validate() {
        Ok(d) => d,
        Err(e) => {
            check_create(&app, &ctx, f.parent_id.as_deref().filter(|s| !s.is_empty())).await?;
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            return form_page(
                &app,
                &ctx,
                "/units".into(),
                "units-new",
                f,
                errors,
                None,
                status,
            )
            .await;
        }
    };
    check_create(&app, &ctx, draft.parent_id.as_deref()).await?;
    match app.store.create_unit(&ctx.audit(), &draft).await {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}?saved=1", u.id)).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e.into())?;
            form_page(
                &app,
                &ctx,
                "/units".into(),
                "units-new",
                f,
                errors,
                None,
                status,
            )
            .await
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let u = app.store.get_unit(&id).await?;
    let chain = app.store.unit_chain(&id).await?;
    ctx.may(Action::EditUnit, &Resource::unit(&chain))?;
    form_page(
        &app,
        &ctx,
        format!("/units/{id}"),
        "units-edit",
        UnitForm::from_unit(&u),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// Save an edit (shared by page and API): permission on the unit and, if it moves, on the
/// new parent; optimistic concurrency on `version`.
pub async fn save_edit(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    draft: &UnitDraft,
    version: i64,
) -> AppResult<Unit> {
    let before = app.store.get_unit(id).await?;
    let chain = app.store.unit_chain(id).await?;
    ctx.may(Action::EditUnit, &Resource::unit(&chain))?;
    if draft.parent_id != before.parent_id {
        check_create(app, ctx, draft.parent_id.as_deref()).await?;
    }
    Ok(app
        .store
        .update_unit(&ctx.audit(), id, draft, version)
        .await?)
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let chain = app.store.unit_chain(&id).await?;
    app.store.get_unit(&id).await?;
    ctx.may(Action::EditUnit, &Resource::unit(&chain))?;
    let version = f
        .version
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let res = match f.input().validate() {
        Ok(d) => save_edit(&app, &ctx, &id, &d, version).await,
        Err(e) => Err(e.into()),
    };
    match res {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}?saved=1", u.id)).into_response()),
        Err(e) => {
            let conflict = matches!(e, AppError::Conflict(_));
            let (errors, status) = form_errors(ctx.lang, e)?;
            // On a stale edit, show what is stored now next to what the user typed.
            let current = if conflict {
                let u = app.store.get_unit(&id).await?;
                let mut f2 = f.clone();
                f2.version = Some(u.version.to_string());
                let cur = format!(
                    "{} · {} · {}",
                    u.code,
                    u.name,
                    u.short_name.clone().unwrap_or_default()
                );
                return form_page(
                    &app,
                    &ctx,
                    format!("/units/{id}"),
                    "units-edit",
                    f2,
                    errors,
                    Some(cur),
                    status,
                )
                .await;
            } else {
                None
            };
            form_page(
                &app,
                &ctx,
                format!("/units/{id}"),
                "units-edit",
                f,
                errors,
                current,
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "units/lineage.html")]
struct LineagePage {
    l: L,
    u: Unit,
    f: LineageForm,
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineageForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub document: String,
    pub note: Option<String>,
    #[serde(default)]
    pub from_codes: String,
    #[serde(default)]
    pub to_codes: String,
}

pub async fn lineage_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let u = app.store.get_unit(&id).await?;
    let chain = app.store.unit_chain(&id).await?;
    ctx.may(Action::RecordLineage, &Resource::unit(&chain))?;
    render(&LineagePage {
        l: L::new(&ctx),
        f: LineageForm {
            kind: "merge".into(),
            from_codes: u.code.clone(),
            ..Default::default()
        },
        u,
        errors: FormErrors::default(),
    })
}

/// Resolve codes or ids to unit ids, checking the actor may record lineage on each.
pub async fn resolve_units(
    app: &AppState,
    ctx: &Ctx,
    field: &str,
    refs: &[String],
) -> AppResult<Vec<String>> {
    let mut ids = Vec::new();
    for r in refs {
        let u = match app.store.unit_by_code(r).await? {
            Some(u) => u,
            None => match app.store.get_unit(r).await {
                Ok(u) => u,
                Err(thidua_store::StoreError::NotFound) => {
                    return Err(AppError::Invalid(vec![FieldError::new(
                        field,
                        "err-unknown-unit",
                    )]))
                }
                Err(e) => return Err(e.into()),
            },
        };
        let chain = app.store.unit_chain(&u.id).await?;
        ctx.may(Action::RecordLineage, &Resource::unit(&chain))?;
        ids.push(u.id);
    }
    Ok(ids)
}

pub fn split_codes(s: &str) -> Vec<String> {
    s.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A lineage event as the page and the API submit it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct LineageRequest {
    /// merge, split, rename
    pub kind: String,
    /// yyyy-mm-dd: the first day of the successors; the sources end the day before
    pub date: String,
    /// The legal document that ordered it, e.g. "Nghị quyết 84/2025/UBTVQH15"
    pub document: String,
    pub note: Option<String>,
    /// Unit codes or ids before
    pub from: Vec<String>,
    /// Unit codes or ids after
    pub to: Vec<String>,
}

/// Build and record a lineage event (shared by page and API).
pub async fn record_lineage(
    app: &AppState,
    ctx: &Ctx,
    req: &LineageRequest,
) -> AppResult<LineageEvent> {
    let LineageRequest {
        kind,
        date,
        document,
        note,
        from,
        to,
    } = req;
    let note = note.clone();
    let mut errs = Vec::new();
    let kind = LineageKind::parse(kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new("kind", "err-bad-request"));
    }
    let date = parse_date(date);
    if date.is_none() {
        errs.push(FieldError::new("date", "err-bad-date"));
    }
    let document = thidua_domain::text::clean(document);
    if document.is_empty() {
        errs.push(FieldError::new("document", "err-required"));
    }
    let (Some(kind), Some(date)) = (kind, date) else {
        return Err(AppError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let from = resolve_units(app, ctx, "from", from).await?;
    let to = resolve_units(app, ctx, "to", to).await?;
    let ev = LineageDraft {
        kind,
        date,
        document,
        note: note
            .map(|n| thidua_domain::text::clean(&n))
            .filter(|n| !n.is_empty()),
        from,
        to,
    };
    Ok(app.store.record_lineage(&ctx.audit(), &ev).await?)
}

pub async fn lineage(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<LineageForm>,
) -> AppResult<Response> {
    let u = app.store.get_unit(&id).await?;
    let chain = app.store.unit_chain(&id).await?;
    ctx.may(Action::RecordLineage, &Resource::unit(&chain))?;
    let res = record_lineage(
        &app,
        &ctx,
        &LineageRequest {
            kind: f.kind.clone(),
            date: f.date.clone(),
            document: f.document.clone(),
            note: f.note.clone(),
            from: split_codes(&f.from_codes),
            to: split_codes(&f.to_codes),
        },
    )
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response()),
        Err(e) => {
            let (errors, status) = form_errors(ctx.lang, e)?;
            render_status(
                status,
                &LineagePage {
                    l: L::new(&ctx),
                    u,
                    f,
                    errors,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub l: L,
    pub title: String,
    pub action: String,
    pub columns: String,
    pub done: Option<usize>,
    pub error: Option<String>,
    pub rows: Vec<(usize, String, String)>,
    pub csrf_query: String,
}

pub const UNIT_COLUMNS: &str =
    "Mã, Loại, Tên đầy đủ, Tên viết tắt, Mã đơn vị cha, Hiệu lực từ, Hiệu lực đến";

pub async fn import_form(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let l = L::new(&ctx);
    render(&ImportPage {
        title: l.t("units-import"),
        action: "/units/import".into(),
        columns: UNIT_COLUMNS.into(),
        done: None,
        error: None,
        rows: Vec::new(),
        csrf_query: crate::ctx::urlencode(&ctx.csrf),
        l,
    })
}

/// Read the uploaded file from a multipart form, refusing anything too large.
pub async fn read_upload(mut mp: Multipart) -> AppResult<Vec<u8>> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err-bad-file".into()))?
    {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if bytes.len() > thidua_docs::MAX_IMPORT_BYTES {
                return Err(AppError::TooLarge);
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(AppError::Invalid(vec![FieldError::new(
        "file",
        "err-required",
    )]))
}

/// Read the uploaded file and its name from a multipart form.
pub async fn read_upload_named(mut mp: Multipart) -> AppResult<(String, Vec<u8>)> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err-bad-file".into()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("tep").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if bytes.len() > thidua_docs::MAX_IMPORT_BYTES {
                return Err(AppError::TooLarge);
            }
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::Invalid(vec![FieldError::new(
        "file",
        "err-required",
    )]))
}

pub async fn import(State(app): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    crate::imports::may_import_units(&ctx)?;
    let l = L::new(&ctx);
    let mut page = ImportPage {
        title: l.t("units-import"),
        action: "/units/import".into(),
        columns: UNIT_COLUMNS.into(),
        done: None,
        error: None,
        rows: Vec::new(),
        csrf_query: crate::ctx::urlencode(&ctx.csrf),
        l,
    };
    let bytes = read_upload(mp).await?;
    match crate::imports::import_units(&app, &ctx, &bytes).await {
        Ok(n) => {
            page.done = Some(n);
            render(&page)
        }
        Err(AppError::Import(rows)) => {
            page.error = Some(page.l.t("import-failed"));
            page.rows = rows
                .iter()
                .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let key = e.key();
            page.error = Some(format!("{} {}", page.l.t("import-failed"), page.l.t(&key)));
            render_status(e.status(), &page)
        }
    }
}

#[derive(Deserialize)]
pub struct ExportParams {
    format: Option<String>,
}

pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ExportParams>,
) -> AppResult<Response> {
    ctx.may(Action::ExportUnits, &Resource::SYSTEM)?;
    crate::imports::export_units(&app, p.format.as_deref()).await
}
