//! Pages of the awards registry: the search, a unit's and a person's history, the import,
//! certificates and a council's year report with its exports. Same rules as the API.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use thidua_store::{Council, Page, Person, RegistryEntry, Unit, AWARD_KINDS};

use super::{render, render_status, L};
use crate::api::registry::{query, SearchParams};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::registry as rules;
use crate::registry::YearReport;
use crate::AppState;

/// Labels the templates of this area use.
#[derive(Debug, Clone, Copy)]
pub struct G {
    lang: Lang,
}

impl G {
    pub fn kind(&self, k: &str) -> String {
        rules::kind_label(self.lang, k)
    }
    pub fn title(&self, code: &str) -> String {
        thidua_store::award_name(code, self.lang == Lang::En)
            .unwrap_or(code)
            .to_owned()
    }
    pub fn awardee(&self, k: &str) -> String {
        crate::i18n::t(self.lang, &format!("regy-awardee-{k}"))
    }
    pub fn money(&self, v: &i64) -> String {
        rules::money(*v)
    }
    pub fn decision(&self, e: &RegistryEntry) -> String {
        let date = e
            .decision_date
            .as_deref()
            .map(super::fmt_date)
            .unwrap_or_default();
        match &e.decision_number {
            Some(n) if date.is_empty() => n.clone(),
            Some(n) => format!("{n} ({date})"),
            None => date,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/search.html")]
struct SearchPage {
    l: L,
    g: G,
    p: SearchParams,
    page: Page<RegistryEntry>,
    councils: Vec<Council>,
    codes: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    prev: Option<String>,
    next: Option<String>,
    can_import: bool,
}

impl SearchPage {
    fn v(&self, s: &Option<String>) -> String {
        s.clone().unwrap_or_default()
    }
    fn year_v(&self) -> String {
        self.p.year.map(|y| y.to_string()).unwrap_or_default()
    }
    fn sel(&self, s: &Option<String>, want: &str) -> bool {
        s.as_deref() == Some(want)
    }
}

fn link(p: &SearchParams, page: i64) -> String {
    let enc = |s: &Option<String>| crate::ctx::urlencode(s.as_deref().unwrap_or(""));
    format!(
        "/registry?year={}&council={}&unit={}&person={}&title={}&kind={}&awardee={}&sort={}&page={page}",
        p.year.map(|y| y.to_string()).unwrap_or_default(),
        enc(&p.council),
        enc(&p.unit),
        enc(&p.person),
        enc(&p.title),
        enc(&p.kind),
        enc(&p.awardee),
        enc(&p.sort),
    )
}

fn codes(lang: Lang) -> Vec<(&'static str, String)> {
    thidua_store::award_codes()
        .into_iter()
        .map(|c| {
            (
                c,
                thidua_store::award_name(c, lang == Lang::En)
                    .unwrap_or(c)
                    .to_owned(),
            )
        })
        .collect()
}

pub async fn search(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> AppResult<Response> {
    let q = query(&app, &ctx, &p).await?;
    let page = app.store.search_registry(&q).await?;
    let l = L::new(&ctx);
    render(&SearchPage {
        g: G { lang: l.lang },
        prev: (page.page > 1).then(|| link(&p, page.page - 1)),
        next: (page.page < page.pages()).then(|| link(&p, page.page + 1)),
        councils: app.store.list_councils().await?,
        codes: codes(l.lang),
        kinds: AWARD_KINDS
            .iter()
            .map(|k| (*k, rules::kind_label(l.lang, k)))
            .collect(),
        can_import: rules::import_scope(&ctx).is_ok(),
        l,
        p,
        page,
    })
}

#[derive(Template)]
#[template(path = "registry/history.html")]
struct HistoryPage {
    l: L,
    g: G,
    heading: String,
    back: String,
    collective: Vec<RegistryEntry>,
    individual: Vec<RegistryEntry>,
}

pub async fn unit_history(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    rules::may_read_unit(&app, &ctx, &id).await?;
    let u: Unit = app.store.get_unit(&id).await?;
    let (individual, collective): (Vec<_>, Vec<_>) = app
        .store
        .unit_award_history(&id)
        .await?
        .into_iter()
        .partition(|e| e.person_id.is_some());
    let l = L::new(&ctx);
    render(&HistoryPage {
        g: G { lang: l.lang },
        heading: u.name,
        back: format!("/units/{id}"),
        collective,
        individual,
        l,
    })
}

pub async fn person_history(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let p: Person = app.store.get_person(&id).await?;
    rules::may_read_unit(&app, &ctx, &p.unit_id).await?;
    let l = L::new(&ctx);
    render(&HistoryPage {
        g: G { lang: l.lang },
        heading: p.full_name,
        back: format!("/people/{id}"),
        collective: Vec::new(),
        individual: app.store.person_award_history(&id).await?,
        l,
    })
}

pub async fn certificate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (name, bytes) = rules::certificate(&app, &ctx, &id).await?;
    Ok(crate::pdf::response(&name, bytes))
}

pub async fn template(ctx: Ctx) -> AppResult<Response> {
    rules::import_scope(&ctx)?;
    let bytes = thidua_docs::registry_template().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                thidua_docs::Format::Xlsx.content_type().to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mau-so-khen-thuong.xlsx\"".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    l: L,
    rows: Vec<(usize, String, String)>,
    imported: Option<usize>,
}

pub async fn import_form(ctx: Ctx) -> AppResult<Response> {
    rules::import_scope(&ctx)?;
    render(&ImportPage {
        l: L::new(&ctx),
        rows: Vec::new(),
        imported: None,
    })
}

pub async fn import(State(app): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    rules::import_scope(&ctx)?;
    let bytes = super::units::read_upload(mp).await?;
    let res = rules::import(&app, &ctx, &bytes).await;
    let mut page = ImportPage {
        l: L::new(&ctx),
        rows: Vec::new(),
        imported: None,
    };
    match res {
        Ok(n) => {
            page.imported = Some(n);
            render(&page)
        }
        Err(AppError::Import(rows)) => {
            page.rows = rows
                .iter()
                .map(|r| (r.row, r.column.clone(), r.message(ctx.lang).to_owned()))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    pub council: Option<String>,
    pub year: Option<i64>,
    /// xlsx or pdf (exports)
    pub format: Option<String>,
}

#[derive(Template)]
#[template(path = "registry/report.html")]
struct ReportPage {
    l: L,
    g: G,
    councils: Vec<Council>,
    r: YearReport,
    stats_cols: Vec<String>,
    stats: Vec<Vec<String>>,
    chart: String,
}

fn this_year() -> i64 {
    use chrono::Datelike;
    i64::from(crate::registrations::today().year())
}

/// The council and year asked for, or the first council the caller reports on and last
/// year. Permission is checked by the report itself.
pub(crate) async fn pick(
    app: &AppState,
    ctx: &Ctx,
    council: Option<String>,
    year: Option<i64>,
) -> AppResult<(String, i64)> {
    ctx.user()?;
    let id = match council.filter(|c| !c.is_empty()) {
        Some(c) => c,
        None => rules::report_councils(app, ctx)
            .await?
            .first()
            .map(|c| c.id.clone())
            .ok_or(AppError::Forbidden)?,
    };
    Ok((id, year.unwrap_or_else(|| this_year() - 1)))
}

pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ReportParams>,
) -> AppResult<Response> {
    let (id, year) = pick(&app, &ctx, p.council.clone(), p.year).await?;
    let r = rules::year_report(&app, &ctx, &id, year).await?;
    let councils = rules::report_councils(&app, &ctx).await?;
    let (stats_cols, stats) = rules::statistics_table(&r);
    let l = L::new(&ctx);
    render(&ReportPage {
        g: G { lang: l.lang },
        chart: rules::trend_svg(&r),
        councils,
        stats_cols,
        stats,
        r,
        l,
    })
}

/// The statistics report as XLSX (default) or PDF.
pub async fn report_export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ReportParams>,
) -> AppResult<Response> {
    let (id, year) = pick(&app, &ctx, p.council.clone(), p.year).await?;
    let r = rules::year_report(&app, &ctx, &id, year).await?;
    let (cols, rows) = rules::statistics_table(&r);
    let title = format!("THỐNG KÊ KẾT QUẢ THI ĐUA, KHEN THƯỞNG NĂM {year}");
    match p.format.as_deref().unwrap_or("xlsx") {
        "pdf" => {
            let council = app.store.get_council(&id).await?;
            let unit = app.store.get_unit(&council.unit_id).await?;
            let head = thidua_pdf::Letterhead {
                parent_body: Some(unit.name.to_uppercase()),
                issuer: council.name.to_uppercase(),
                place: None,
            };
            let columns: Vec<thidua_pdf::Column> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| thidua_pdf::Column {
                    title: c.clone(),
                    width: match i {
                        0 => 0.4,
                        1 => 2.2,
                        _ => 0.8,
                    },
                })
                .collect();
            let subtitle = format!(
                "{} – {}: {}",
                council.name,
                crate::i18n::t(ctx.lang, "regy-registered-total"),
                r.total_registered
            );
            let today = chrono::Utc::now().date_naive();
            let bytes = tokio::task::spawn_blocking(move || {
                thidua_pdf::render_table(
                    &head,
                    None,
                    Some(today),
                    &title,
                    Some(&subtitle),
                    &columns,
                    &rows,
                    None,
                    None,
                )
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(crate::pdf::response(
                &format!("thong-ke-khen-thuong-{year}.pdf"),
                bytes,
            ))
        }
        "xlsx" => {
            let bytes =
                thidua_docs::export_table("Thống kê", &cols, &rows, thidua_docs::Format::Xlsx)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        thidua_docs::Format::Xlsx.content_type().to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"thong-ke-khen-thuong-{year}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::BadRequest("format".into())),
    }
}
