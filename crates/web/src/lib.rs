//! HTTP for Thi Đua: pages, the JSON API and its OpenAPI document, sessions, CSRF,
//! operations endpoints. Handlers are thin: context → permission → domain → store.

pub mod activities;
pub mod api;
pub mod auth;
pub mod control;
pub mod ctx;
pub mod documents;
pub mod error;
pub mod files;
pub mod groups;
pub mod i18n;
pub mod imports;
pub mod movements;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod pdf;
pub mod proposals;
pub mod records;
pub mod registrations;
pub mod registry;
pub mod scoring;
pub mod signing;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use thidua_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies Secure and send HSTS (when served over TLS by a proxy).
    pub secure_cookies: bool,
    /// The address people reach the server at (e.g. https://thidua.example.vn), printed with
    /// the verification code on documents; without it the request's host is used.
    pub public_url: Option<String>,
    /// Trust the demo CA's PAdES signatures (a server started with --demo only).
    pub trust_demo_ca: bool,
    /// An RFC 3161 timestamp authority (http://…): the server's PAdES signatures are then
    /// baseline B-T, their time attested by it.
    pub tsa_url: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct Assets;

async fn asset(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(f) => {
            let mime = match path.rsplit('.').next() {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                _ => "text/plain; charset=utf-8",
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                f.data.into_owned(),
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi::document())
}

/// Uploads (imports) may be up to the importer's limit plus multipart overhead.
pub(crate) const UPLOAD_LIMIT: usize = thidua_docs::MAX_IMPORT_BYTES + 64 * 1024;
const BODY_LIMIT: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    let _ = ops::metrics_handle();
    let uploads = Router::new()
        .route(
            "/units/import",
            get(pages::units::import_form).post(pages::units::import),
        )
        .route(
            "/people/import",
            get(pages::people::import_form).post(pages::people::import),
        )
        .route("/api/v1/units/import", post(api::import_units))
        .route("/api/v1/people/import", post(api::import_people))
        .route(
            "/api/v1/years/{id}/schemes/import",
            post(api::scoring::import_scheme),
        )
        .route(
            "/api/v1/schemes/{id}/indicator-values/import",
            post(api::scoring::import_values_file),
        )
        .route(
            "/api/v1/schemes/{id}/assessments/{unit_id}/evidence",
            post(api::scoring::add_evidence),
        )
        .route(
            "/schemes/{id}/units/{unit_id}/evidence",
            post(pages::scoring::add_evidence),
        )
        .route(
            "/years/{id}/schemes/upload",
            post(pages::scoring::upload_scheme),
        )
        .route(
            "/years/{id}/schemes/copy",
            post(pages::scoring::copy_scheme),
        )
        .route(
            "/schemes/{id}/indicator-values/import",
            get(pages::scoring::indicator_import_form).post(pages::scoring::indicator_import),
        )
        .route(
            "/api/v1/documents/{id}/file",
            axum::routing::put(files::api_attach_document),
        )
        .route(
            "/api/v1/conferences/{id}/files",
            get(files::api_conference_files).post(files::api_attach_conference),
        )
        .route(
            "/documents/{id}/file",
            post(pages::groups::upload_document_file),
        )
        .route(
            "/conferences/{id}/files",
            post(pages::groups::upload_conference_file),
        )
        .route("/verify/file", post(pages::documents::verify_file))
        .route(
            "/documents/{id}/versions/{version}/signed-pdf",
            post(pages::documents::signed_pdf),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/signed-pdf",
            post(api::documents::signed_pdf),
        )
        .route(
            "/documents/{id}/versions/{version}/pdf-to-sign",
            get(api::documents::pdf_to_sign),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/pdf-to-sign",
            get(api::documents::pdf_to_sign),
        )
        .route(
            "/account/certificate",
            get(pages::account::certificate_page).post(pages::account::install_certificate),
        )
        .route(
            "/api/v1/me/certificate",
            get(api::documents::my_certificate).post(api::documents::install_certificate),
        )
        .route("/api/v1/verify/file", post(api::documents::verify_file))
        .merge(records::uploads())
        .merge(registry::uploads())
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));

    let app = Router::new()
        .route("/", get(pages::home))
        .route(
            "/login",
            get(pages::account::login_page).post(pages::account::login),
        )
        .route("/logout", post(pages::account::logout))
        .route("/set-lang/{lang}", get(pages::account::set_lang_anonymous))
        .route("/account/lang", post(pages::account::set_lang))
        .route(
            "/account/password",
            get(pages::account::password_page).post(pages::account::change_password),
        )
        .route(
            "/account/tokens",
            get(pages::account::tokens_page).post(pages::account::create_token),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(pages::account::revoke_token),
        )
        .route("/units", get(pages::units::list).post(pages::units::create))
        .route("/units/tree", get(pages::units::tree))
        .route("/units/new", get(pages::units::new_form))
        .route("/units/export", get(pages::units::export))
        .route(
            "/units/{id}",
            get(pages::units::show).post(pages::units::update),
        )
        .route("/units/{id}/edit", get(pages::units::edit_form))
        .route(
            "/units/{id}/lineage",
            get(pages::units::lineage_form).post(pages::units::lineage),
        )
        .route(
            "/people",
            get(pages::people::list).post(pages::people::create),
        )
        .route("/people/new", get(pages::people::new_form))
        .route("/people/export", get(pages::people::export))
        .route(
            "/people/{id}",
            get(pages::people::show).post(pages::people::update),
        )
        .route("/people/{id}/edit", get(pages::people::edit_form))
        .route("/audit", get(pages::audit::list))
        .route(
            "/admin/users",
            get(pages::users::list).post(pages::users::create),
        )
        .route("/admin/users/{id}/grant", post(pages::users::grant))
        .route("/admin/users/{id}/revoke", post(pages::users::revoke))
        .route("/groups", get(pages::groups::index))
        .route("/conferences", get(pages::groups::conferences))
        .route("/pacts", get(pages::documents::pacts))
        .route("/groups/{id}/documents", post(pages::documents::start))
        .route("/documents/{id}", get(pages::documents::show))
        .route(
            "/documents/{id}/edit",
            get(pages::documents::edit_form).post(pages::documents::save),
        )
        .route("/documents/{id}/diff", get(pages::documents::diff))
        .route("/documents/{id}/remind", post(pages::documents::remind))
        .route(
            "/documents/{id}/versions/{version}/adopt",
            post(pages::documents::adopt),
        )
        .route(
            "/documents/{id}/versions/{version}/sign",
            post(pages::documents::sign),
        )
        .route(
            "/documents/{id}/versions/{version}/pdf",
            get(api::documents::pdf),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/pdf",
            get(api::documents::pdf),
        )
        .route(
            "/documents/{id}/versions/{version}/docx",
            get(api::documents::docx),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/docx",
            get(api::documents::docx),
        )
        .route("/verify", get(pages::documents::verify))
        .route("/verify/{code}", get(pages::documents::verify_code))
        .route("/scoring", get(pages::coming))
        .route("/review", get(pages::proposals::index))
        .route("/awards", get(pages::coming))
        .route("/reports", get(pages::coming))
        .route("/api/docs", get(pages::api_docs))
        .route("/files/{id}", get(files::download))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/units", get(api::list_units).post(api::create_unit))
        .route("/api/v1/units/export", get(api::export_units))
        .route(
            "/api/v1/units/{id}",
            get(api::get_unit).put(api::update_unit),
        )
        .route("/api/v1/units/{id}/lineage", get(api::unit_lineage))
        .route("/api/v1/lineage", post(api::record_lineage))
        .route(
            "/api/v1/people",
            get(api::list_people).post(api::create_person),
        )
        .route(
            "/api/v1/people/{id}",
            get(api::get_person).put(api::update_person),
        )
        .route("/api/v1/audit", get(api::list_audit))
        .route("/api/v1/audit/verify", get(api::verify_audit))
        .route(
            "/api/v1/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route(
            "/api/v1/tokens/{id}",
            axum::routing::delete(api::revoke_token),
        )
        .route(
            "/api/v1/councils",
            get(api::groups::list_councils).post(api::groups::create_council),
        )
        .route(
            "/api/v1/councils/{id}/years",
            get(api::groups::council_years).post(api::groups::create_year),
        )
        .route("/api/v1/years/{id}", get(api::groups::get_year))
        .route(
            "/api/v1/years/{id}/groups",
            get(api::groups::year_groups).post(api::groups::create_group),
        )
        .route(
            "/api/v1/years/{id}/unassigned",
            get(api::groups::year_unassigned),
        )
        .route(
            "/api/v1/years/{id}/carry-over",
            post(api::groups::carry_over),
        )
        .route(
            "/api/v1/groups/{id}",
            get(api::groups::get_group).delete(api::groups::delete_group),
        )
        .route(
            "/api/v1/groups/{id}/timeline",
            get(api::groups::group_timeline),
        )
        .route("/api/v1/groups/{id}/members", post(api::groups::add_member))
        .route(
            "/api/v1/groups/{id}/members/{unit_id}",
            axum::routing::delete(api::groups::remove_member),
        )
        .route("/api/v1/groups/{id}/appoint", post(api::groups::appoint))
        .route(
            "/api/v1/groups/{id}/archive",
            post(api::groups::archive_group),
        )
        .route(
            "/api/v1/groups/{id}/cross-check",
            axum::routing::put(api::groups::set_cross_check),
        )
        .route(
            "/api/v1/groups/{id}/conferences",
            get(api::groups::group_conferences).post(api::groups::create_conference),
        )
        .route(
            "/api/v1/groups/{id}/elections",
            get(api::groups::group_elections).post(api::groups::open_election),
        )
        .route(
            "/api/v1/conferences/{id}",
            get(api::groups::get_conference).delete(api::groups::delete_conference),
        )
        .route(
            "/api/v1/conferences/{id}/minutes",
            axum::routing::put(api::groups::update_minutes),
        )
        .route(
            "/api/v1/groups/{id}/documents",
            get(api::documents::group_documents).post(api::documents::start_document),
        )
        .route("/api/v1/documents/{id}", get(api::documents::get_document))
        .route(
            "/api/v1/documents/{id}/versions",
            post(api::documents::save_version),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}",
            get(api::documents::get_version),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/adopt",
            post(api::documents::adopt),
        )
        .route(
            "/api/v1/documents/{id}/versions/{version}/signatures",
            get(api::documents::signatures).post(api::documents::sign),
        )
        .route("/api/v1/documents/{id}/diff", get(api::documents::diff))
        .route(
            "/api/v1/documents/{id}/remind",
            post(api::documents::remind),
        )
        .route(
            "/api/v1/me/pending-signatures",
            get(api::documents::pending),
        )
        .route("/api/v1/verify/{code}", get(api::documents::verify))
        .route("/api/v1/trust-anchors", get(api::documents::trust_anchors))
        .route("/trust-anchors.pem", get(api::documents::trust_anchors_pem))
        .route(
            "/api/v1/councils/{id}/templates/{kind}",
            get(api::documents::get_template).put(api::documents::set_template),
        )
        .route("/api/v1/elections/{id}", get(api::groups::get_election))
        .route(
            "/api/v1/elections/{id}/ballots",
            get(api::groups::published_ballots).post(api::groups::cast_ballot),
        )
        .route(
            "/api/v1/elections/{id}/count",
            post(api::groups::enter_count),
        )
        .route(
            "/api/v1/elections/{id}/close",
            post(api::groups::close_election),
        )
        .route(
            "/api/v1/documents",
            get(api::groups::list_documents).post(api::groups::create_document),
        )
        .route("/councils", post(pages::groups::create_council))
        .route("/councils/{id}/years", post(pages::groups::create_year))
        .route("/years/{id}", get(pages::groups::year))
        .route("/years/{id}/groups", post(pages::groups::create_group))
        .route("/years/{id}/carry-over", post(pages::groups::carry_over))
        .route("/groups/{id}", get(pages::groups::group))
        .route("/groups/{id}/members", post(pages::groups::add_member))
        .route(
            "/groups/{id}/members/{unit_id}/remove",
            post(pages::groups::remove_member),
        )
        .route("/groups/{id}/appoint", post(pages::groups::appoint))
        .route("/groups/{id}/archive", post(pages::groups::archive))
        .route(
            "/groups/{id}/cross-check",
            post(pages::groups::set_cross_check),
        )
        .route("/groups/{id}/elections", post(pages::groups::open_election))
        .route(
            "/groups/{id}/conferences",
            post(pages::groups::create_conference),
        )
        .route(
            "/groups/{id}/conferences/new",
            get(pages::groups::new_conference),
        )
        .route("/conferences/{id}", get(pages::groups::conference))
        .route(
            "/conferences/{id}/minutes",
            post(pages::groups::update_minutes),
        )
        .route(
            "/conferences/{id}/print",
            get(pages::groups::print_conference),
        )
        .route("/elections/{id}", get(pages::groups::election))
        .route("/elections/{id}/vote", post(pages::groups::vote))
        .route("/elections/{id}/close", post(pages::groups::close_election))
        .route("/elections/{id}/count", post(pages::groups::enter_count))
        .route(
            "/documents",
            get(pages::groups::documents).post(pages::groups::create_document),
        )
        .merge(registrations::routes())
        .merge(pages::scoring::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(uploads)
        .merge(pages::movements::routes())
        .merge(records::routes().layer(DefaultBodyLimit::max(BODY_LIMIT)))
        .merge(activities::routes())
        .merge(proposals::routes().layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .merge(registry::routes())
        .merge(notifications::routes().layer(DefaultBodyLimit::max(BODY_LIMIT)))
        .fallback(|| async { error::AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), ctx::context));

    let secure = state.config.secure_cookies;
    let mut r = Router::new()
        .merge(app)
        .route("/static/{*path}", get(asset))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics_page))
        .route_layer(middleware::from_fn(ops::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ));
    if secure {
        r = r.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    r.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(60),
    ))
    .layer(TraceLayer::new_for_http())
    .with_state(state)
}
