//! The OpenAPI document at `/api/openapi.json`, assembled from the `#[utoipa::path]` annotations beside
//! each handler.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::routes::{
    accounts, audit, auth, calendar, cases, checks, inspections, measures, orgs, security, settings, tokens, units,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "firelaw 消防监督执法管理系统 API", description = "所有接口使用 Bearer 令牌（Authorization: Bearer flw_…）。错误响应体为 {\"error\": {\"code\", \"message\", \"field\"}}，message 为中文。"),
    paths(
        auth::api_token, auth::api_me,
        tokens::api_list, tokens::api_create, tokens::api_revoke,
        orgs::api_list, orgs::api_get, orgs::api_create, orgs::api_update,
        accounts::api_list, accounts::api_create, accounts::api_get, accounts::api_update,
        accounts::api_reset, accounts::api_unlock, accounts::api_grants, accounts::api_grant, accounts::api_revoke,
        security::api_get, security::api_put,
        audit::api_search,
        calendar::api_deadline, calendar::api_year, calendar::api_put_year, calendar::api_put_day, calendar::api_delete_day,
        units::api_search, units::api_create, units::api_get, units::api_update, units::api_history, units::api_reveal,
        units::api_key_unit, units::api_risk, units::api_import, units::api_import_job,
        checks::api_items, checks::api_create_item, checks::api_update_item, checks::api_defaults,
        checks::api_plans, checks::api_create_plan, checks::api_plan, checks::api_pool, checks::api_announce, checks::api_draw,
        checks::api_cancel, checks::api_publish, checks::api_result,
        checks::api_officer_pool, checks::api_add_absence, checks::api_delete_absence, checks::api_conflicts,
        checks::api_declare_conflict, checks::api_withdraw_conflict,
        checks::api_public_plans, checks::api_public_plan, checks::api_public_record,
        settings::api_get, settings::api_put, settings::api_get_inspections, settings::api_put_inspections, settings::api_get_penalty, settings::api_put_penalty,
        inspections::api_form, inspections::api_record, inspections::api_list, inspections::api_get,
        inspections::api_correction_order, inspections::api_record_document, inspections::api_reinspection_opinion, inspections::api_hazards,
        inspections::api_hazard, inspections::api_apply, inspections::api_upload, inspections::api_evidence_file,
        inspections::api_document, inspections::api_document_pdf, inspections::api_document_docx, inspections::api_serve,
        inspections::api_worklist, inspections::api_alerts, inspections::api_verify,
        measures::api_measures, measures::api_create_measure, measures::api_measure, measures::api_decide_measure,
        measures::api_extend_measure, measures::api_apply_lift, measures::api_lift_measure, measures::api_standards,
        measures::api_majors, measures::api_determine, measures::api_major, measures::api_report_major,
        measures::api_supervise_major, measures::api_lift_major, measures::api_exposures, measures::api_draft_exposure,
        measures::api_decide_exposure, measures::api_public_exposures,
        cases::api_list, cases::api_open, cases::api_get, cases::api_step, cases::api_reveal, cases::api_violations, cases::api_discretion,
        cases::api_publications, cases::api_publish, cases::api_withdraw, cases::api_public_list, cases::api_public_get,
    ),
    security(("bearer" = []))
)]
struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    doc
}
