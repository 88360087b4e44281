//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::OpenApi;

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Thi Đua API",
        description = "Emulation and commendation of the People's Procuracy. Errors are application/problem+json (RFC 9457). Authenticate with `Authorization: Bearer <token>` (personal access tokens) or the session cookie plus `X-CSRF-Token`."
    ),
    paths(
        api::me,
        api::list_units,
        api::create_unit,
        api::get_unit,
        api::update_unit,
        api::unit_lineage,
        api::record_lineage,
        api::import_units,
        api::export_units,
        api::list_people,
        api::create_person,
        api::get_person,
        api::update_person,
        api::import_people,
        api::list_audit,
        api::verify_audit,
        api::list_tokens,
        api::create_token,
        api::revoke_token
    ),
    components(schemas(
        thidua_store::Unit,
        thidua_store::Person,
        thidua_store::LineageEvent,
        thidua_store::ApiToken
    ))
)]
pub struct ApiDoc;

pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    doc["openapi"] = serde_json::Value::String("3.1.0".into());
    doc
}
