//! JSON API for the year's activities (plan, calendar, reports with photos, year-end counts)
//! and the news articles drafted from conferences (public once published).

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thidua_domain::activity::{self, ActivityInput, Kind, Status, MAX_PHOTO_BYTES};
use thidua_store::{Activity, ActivityQuery, NewsArticle, NewsVersion, Photo};
use utoipa::ToSchema;

use crate::activities as rules;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/v1/activities/{id}/photos", post(add_activity_photo))
        .route("/api/v1/news/{id}/photos", post(add_article_photo))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 64 * 1024));
    Router::new()
        .route(
            "/api/v1/activities",
            get(list_activities).post(create_activity),
        )
        .route("/api/v1/activities/summary", get(summary))
        .route(
            "/api/v1/activities/{id}",
            get(get_activity)
                .put(update_activity)
                .delete(delete_activity),
        )
        .route(
            "/api/v1/activities/{id}/photos/{file_id}",
            get(activity_photo),
        )
        .route("/api/v1/conferences/{id}/news", post(draft_from_conference))
        .route("/api/v1/news", get(list_news))
        .route("/api/v1/news/{id}", get(get_news).put(update_news))
        .route("/api/v1/news/{id}/publish", post(publish))
        .route("/api/v1/news/{id}/unpublish", post(unpublish))
        .route("/api/v1/news/{id}/versions", get(news_versions))
        .route("/api/v1/news/{id}/photos/{file_id}", get(article_photo))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .merge(uploads)
}

#[utoipa::path(get, path = "/api/v1/activities", summary = "Activities of a council, group or unit (at most one; none: all the caller may read), by first day", tag = "activities",
    params(ActivityQuery), responses((status = 200, body = [Activity]), (status = 403), (status = 422)))]
pub async fn list_activities(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Json<Vec<Activity>>> {
    Ok(Json(rules::list(&app, &ctx, &q).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    /// Exactly one of council_id, group_id, unit_id (on create; ignored on update)
    pub council_id: Option<String>,
    pub group_id: Option<String>,
    pub unit_id: Option<String>,
    pub title: String,
    /// experience_exchange, culture_sports, inspection, mid_year_review, conference, other
    pub kind: String,
    /// yyyy-mm-dd or dd/mm/yyyy
    pub starts_on: String,
    /// Empty: a one-day activity; never before starts_on
    pub ends_on: Option<String>,
    pub host_unit_id: Option<String>,
    pub place: Option<String>,
    pub participants: Option<String>,
    /// planned (default), held, cancelled
    pub status: Option<String>,
    /// The short report afterwards (Markdown subset; HTML is shown as text)
    pub report: Option<String>,
    pub note: Option<String>,
    /// On update: the version that was read
    pub version: Option<i64>,
}

impl ActivityBody {
    fn input(&self) -> ActivityInput {
        ActivityInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            host_unit_id: self.host_unit_id.clone(),
            place: self.place.clone(),
            participants: self.participants.clone(),
            status: self.status.clone(),
            report: self.report.clone(),
            note: self.note.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/activities", summary = "Plan an activity", tag = "activities",
    request_body = ActivityBody,
    responses((status = 201, body = Activity), (status = 403), (status = 422, description = "Invalid fields, e.g. ending before it starts")))]
pub async fn create_activity(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ActivityBody>,
) -> AppResult<Response> {
    let o = rules::owner(
        b.council_id.as_deref(),
        b.group_id.as_deref(),
        b.unit_id.as_deref(),
    )?;
    rules::may_manage(&app, &ctx, &o).await?;
    let d = b.input().validate()?;
    let a = app.store.create_activity(&ctx.audit(), &o, &d).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", summary = "An activity", tag = "activities",
    params(("id" = String, Path)), responses((status = 200, body = Activity), (status = 403), (status = 404)))]
pub async fn get_activity(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Activity>> {
    ctx.user()?;
    let a = app.store.get_activity(&id).await?;
    rules::may_read(&app, &ctx, &rules::owner_of(&a)).await?;
    Ok(Json(a))
}

#[utoipa::path(put, path = "/api/v1/activities/{id}", summary = "Edit an activity: dates, status (held, cancelled), the report", tag = "activities",
    params(("id" = String, Path)), request_body = ActivityBody,
    responses((status = 200, body = Activity), (status = 403), (status = 409, description = "Someone saved first"), (status = 422)))]
pub async fn update_activity(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<ActivityBody>,
) -> AppResult<Json<Activity>> {
    let a = app.store.get_activity(&id).await?;
    rules::may_manage(&app, &ctx, &rules::owner_of(&a)).await?;
    let d = b.input().validate()?;
    let version = b.version.unwrap_or(a.version);
    Ok(Json(
        app.store
            .update_activity(&ctx.audit(), &id, &d, version)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/activities/{id}", summary = "Remove an activity from the plan", tag = "activities",
    params(("id" = String, Path)), responses((status = 204), (status = 403)))]
pub async fn delete_activity(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let a = app.store.get_activity(&id).await?;
    rules::may_manage(&app, &ctx, &rules::owner_of(&a)).await?;
    app.store.delete_activity(&ctx.audit(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PhotoParams {
    /// The file's name, e.g. "giao-luu.jpg"
    pub name: String,
    pub caption: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", summary = "Add a photo to an activity's report (PNG, JPEG or WebP by content, at most 5 MB; raw body)", tag = "activities",
    params(("id" = String, Path), PhotoParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Photo), (status = 403), (status = 413), (status = 422, description = "Not an image")))]
pub async fn add_activity_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PhotoParams>,
    body: Body,
) -> AppResult<Response> {
    let a = app.store.get_activity(&id).await?;
    rules::may_manage(&app, &ctx, &rules::owner_of(&a)).await?;
    let body = crate::imports::read_body(body, MAX_PHOTO_BYTES).await?;
    let p =
        rules::add_activity_photo(&app, &ctx, &id, &q.name, q.caption.as_deref(), &body).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/photos/{file_id}", summary = "An activity's photo", tag = "activities",
    params(("id" = String, Path), ("file_id" = String, Path)), responses((status = 200, content_type = "image/*"), (status = 403), (status = 404)))]
pub async fn activity_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rules::activity_photo(&app, &ctx, &id, &file_id).await
}

/// One row of the year-end count.
#[derive(Serialize, ToSchema)]
pub struct TallyRow {
    /// The kind, or null for the total
    pub kind: Option<String>,
    /// Everything put in the plan
    pub planned: i64,
    pub held: i64,
    pub cancelled: i64,
    /// Still planned
    pub pending: i64,
}

/// Count a list of activities by kind and in total.
pub fn tally_of(list: &[Activity]) -> Vec<TallyRow> {
    let items: Vec<(Kind, Status)> = list
        .iter()
        .filter_map(|a| Some((Kind::parse(&a.kind)?, Status::parse(&a.status)?)))
        .collect();
    activity::tally(&items)
        .into_iter()
        .map(|t| TallyRow {
            kind: t.kind.map(|k| k.as_str().to_owned()),
            planned: t.planned,
            held: t.held,
            cancelled: t.cancelled,
            pending: t.pending,
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/activities/summary", summary = "Year-end count (give the year): what was planned, held, cancelled, still pending", tag = "activities",
    params(ActivityQuery), responses((status = 200, body = [TallyRow]), (status = 403), (status = 422)))]
pub async fn summary(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Json<Vec<TallyRow>>> {
    let list = rules::list(&app, &ctx, &q).await?;
    Ok(Json(tally_of(&list)))
}

// ---- news ----

#[utoipa::path(post, path = "/api/v1/conferences/{id}/news", summary = "Draft a news article from a conference's record (a private draft)", tag = "news",
    params(("id" = String, Path)), responses((status = 201, body = NewsArticle), (status = 403), (status = 404)))]
pub async fn draft_from_conference(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let a = rules::draft_from_conference(&app, &ctx, &id).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct NewsParams {
    pub council_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/news", summary = "Published news (no sign-in needed), newest first", tag = "news",
    params(NewsParams), responses((status = 200, body = [NewsArticle])))]
pub async fn list_news(
    State(app): State<AppState>,
    Query(q): Query<NewsParams>,
) -> AppResult<Json<Vec<NewsArticle>>> {
    Ok(Json(
        app.store
            .list_articles(q.council_id.as_deref(), true)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/news/{id}", summary = "An article: published ones for anyone, drafts only for their editors", tag = "news",
    params(("id" = String, Path)), responses((status = 200, body = NewsArticle), (status = 404)))]
pub async fn get_news(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<NewsArticle>> {
    Ok(Json(rules::visible_article(&app, &ctx, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewsBody {
    pub title: String,
    pub place: Option<String>,
    /// HTML; anything but plain structure (paragraphs, lists, emphasis, tables) is removed
    pub body_html: String,
    /// The version that was read
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/news/{id}", summary = "Edit an article (each save is kept as a version)", tag = "news",
    params(("id" = String, Path)), request_body = NewsBody,
    responses((status = 200, body = NewsArticle), (status = 403), (status = 409), (status = 422)))]
pub async fn update_news(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(b): Json<NewsBody>,
) -> AppResult<Json<NewsArticle>> {
    let a = app.store.get_article(&id).await?;
    editor(&app, &ctx, &a).await?;
    let text = thidua_domain::news::check_article(
        &b.title,
        b.place.as_deref().unwrap_or(""),
        &b.body_html,
    )?;
    let by = ctx.user()?.user.username.clone();
    Ok(Json(
        app.store
            .update_article(&ctx.audit(), &id, &text, b.version, &by)
            .await?,
    ))
}

/// Editors only; to everyone else a draft does not exist and a published article is not theirs.
async fn editor(app: &AppState, ctx: &Ctx, a: &NewsArticle) -> AppResult<()> {
    ctx.user()?;
    if rules::may_edit_article(app, ctx, a).await {
        Ok(())
    } else if a.status == "published" {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}

#[utoipa::path(post, path = "/api/v1/news/{id}/publish", summary = "Publish an article on the council's public news page", tag = "news",
    params(("id" = String, Path)), responses((status = 200, body = NewsArticle), (status = 403), (status = 404)))]
pub async fn publish(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<NewsArticle>> {
    let a = app.store.get_article(&id).await?;
    editor(&app, &ctx, &a).await?;
    Ok(Json(
        app.store
            .set_article_published(&ctx.audit(), &id, true)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/news/{id}/unpublish", summary = "Take an article back to draft", tag = "news",
    params(("id" = String, Path)), responses((status = 200, body = NewsArticle), (status = 403), (status = 404)))]
pub async fn unpublish(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<NewsArticle>> {
    let a = app.store.get_article(&id).await?;
    editor(&app, &ctx, &a).await?;
    Ok(Json(
        app.store
            .set_article_published(&ctx.audit(), &id, false)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/news/{id}/versions", summary = "Every saved text of an article, newest first (editors)", tag = "news",
    params(("id" = String, Path)), responses((status = 200, body = [NewsVersion]), (status = 403), (status = 404)))]
pub async fn news_versions(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<NewsVersion>>> {
    let a = app.store.get_article(&id).await?;
    editor(&app, &ctx, &a).await?;
    Ok(Json(app.store.article_versions(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/news/{id}/photos", summary = "Add a photo to an article (PNG, JPEG or WebP by content, at most 5 MB; raw body)", tag = "news",
    params(("id" = String, Path), PhotoParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Photo), (status = 403), (status = 413), (status = 422, description = "Not an image")))]
pub async fn add_article_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PhotoParams>,
    body: Body,
) -> AppResult<Response> {
    let a = app.store.get_article(&id).await?;
    rules::may_manage(&app, &ctx, &rules::article_owner(&a)).await?;
    let body = crate::imports::read_body(body, MAX_PHOTO_BYTES).await?;
    let p = rules::add_article_photo(&app, &ctx, &id, &q.name, q.caption.as_deref(), &body).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[utoipa::path(get, path = "/api/v1/news/{id}/photos/{file_id}", summary = "An article's photo (public once published)", tag = "news",
    params(("id" = String, Path), ("file_id" = String, Path)), responses((status = 200, content_type = "image/*"), (status = 404)))]
pub async fn article_photo(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rules::article_photo(&app, &ctx, &id, &file_id).await
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_activities,
    create_activity,
    get_activity,
    update_activity,
    delete_activity,
    add_activity_photo,
    activity_photo,
    summary,
    draft_from_conference,
    list_news,
    get_news,
    update_news,
    publish,
    unpublish,
    news_versions,
    add_article_photo,
    article_photo
))]
pub struct ActivitiesDoc;
