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
        api::revoke_token,
        api::groups::list_councils,
        api::groups::create_council,
        api::groups::council_years,
        api::groups::create_year,
        api::groups::get_year,
        api::groups::year_groups,
        api::groups::year_unassigned,
        api::groups::create_group,
        api::groups::carry_over,
        api::groups::get_group,
        api::groups::group_timeline,
        api::groups::add_member,
        api::groups::remove_member,
        api::groups::appoint,
        api::groups::archive_group,
        api::groups::set_cross_check,
        api::groups::delete_group,
        api::groups::group_conferences,
        api::groups::create_conference,
        api::groups::get_conference,
        api::groups::update_minutes,
        api::groups::delete_conference,
        api::groups::group_elections,
        api::groups::open_election,
        api::groups::get_election,
        api::groups::cast_ballot,
        api::groups::enter_count,
        api::groups::close_election,
        api::groups::published_ballots,
        api::groups::list_documents,
        api::groups::create_document,
        crate::files::api_attach_document,
        crate::files::api_attach_conference,
        crate::files::api_conference_files,
        api::documents::group_documents,
        api::documents::start_document,
        api::documents::get_document,
        api::documents::get_version,
        api::documents::save_version,
        api::documents::diff,
        api::documents::adopt,
        api::documents::signatures,
        api::documents::sign,
        api::documents::remind,
        api::documents::pending,
        api::documents::verify,
        api::documents::trust_anchors,
        api::documents::verify_file,
        api::documents::docx,
        api::documents::install_certificate,
        api::documents::pdf_to_sign,
        api::documents::signed_pdf,
        api::documents::my_certificate,
        api::documents::set_template,
        api::documents::get_template,
        api::documents::pdf,
        api::registrations::catalogue,
        api::registrations::list,
        api::registrations::create,
        api::registrations::get,
        api::registrations::withdraw,
        api::registrations::summary,
        api::registrations::group_list,
        api::registrations::export,
        api::registrations::window,
        api::registrations::set_deadline,
        api::registrations::reopen,
        api::registrations::record_award,
        api::registrations::record_fact,
        api::scoring::list,
        api::scoring::create,
        api::scoring::get,
        api::scoring::save,
        api::scoring::set_status,
        api::scoring::get_assessment,
        api::scoring::save_assessment,
        api::scoring::submit,
        api::scoring::adjust,
        api::scoring::import_values,
        api::scoring::group_ranking,
        api::scoring::council_ranking,
        api::scoring::export,
        api::scoring::import_scheme,
        api::scoring::indicator_template,
        api::scoring::import_values_file,
        api::scoring::group_ranking_export,
        api::scoring::council_ranking_export,
        api::scoring::add_evidence,
        api::scoring::evidence_download,
        api::scoring::evidence_remove,
        api::scoring::unit_scores
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
    let mut api = ApiDoc::openapi();
    api.merge(api::movements::MovementsDoc::openapi());
    api.merge(api::records::RecordsDoc::openapi());
    api.merge(api::activities::ActivitiesDoc::openapi());
    api.merge(api::proposals::ProposalsDoc::openapi());
    api.merge(api::registry::RegistryDoc::openapi());
    api.merge(crate::notifications::NotificationsDoc::openapi());
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    doc["openapi"] = serde_json::Value::String("3.1.0".into());
    document_errors(&mut doc);
    doc
}

/// The errors every operation can answer, whatever its handler: bad or oversized input, no
/// or refused credentials, an unknown id, a conflict, failed validation — all the same
/// problem+json shape. Declared once here so that each operation's list is complete.
fn document_errors(doc: &mut serde_json::Value) {
    use serde_json::json;
    const STATUSES: &[(&str, &str)] = &[
        ("400", "Malformed request"),
        ("401", "Not signed in, or the token is not valid"),
        ("403", "Not permitted for this user"),
        ("404", "No such resource, or not visible to this user"),
        (
            "409",
            "Conflicts with the current state (stale version, duplicate, wrong workflow step)",
        ),
        ("413", "Request body too large"),
        ("415", "Unsupported content type"),
        ("422", "Validation failed: the errors name each field"),
    ];
    doc["components"]["schemas"]["Problem"] = json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}}
        },
        "required": ["type", "title", "status"]
    });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let Some(responses) = op
                .as_object_mut()
                .and_then(|o| o.get_mut("responses"))
                .and_then(|r| r.as_object_mut())
            else {
                continue;
            };
            for (code, description) in STATUSES {
                responses.entry(*code).or_insert_with(|| {
                    json!({
                        "description": description,
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    })
                });
            }
        }
    }
}
