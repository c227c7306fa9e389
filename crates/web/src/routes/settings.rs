//! Business settings kept by the 系统管理员: the province whose key-unit thresholds apply, the risk
//! weights, the publication period of random-check results (`/admin/settings`, `/api/v1/settings/registry`),
//! the inspection settings, and the penalty settings (discretion baseline, hearing thresholds).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::registry::key_unit;
use domain::registry::risk::RiskWeights;
use domain::services::cases::{PenaltySettings, PenaltySettingsInput};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/settings", get(page).post(form))
        .route("/admin/settings/inspections", post(inspection_form))
        .route("/admin/settings/penalty", post(penalty_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/settings/registry", get(api_get).put(api_put))
        .route("/api/v1/settings/inspections", get(api_get_inspections).put(api_put_inspections))
        .route("/api/v1/settings/penalty", get(api_get_penalty).put(api_put_penalty))
}

/// The inspection settings.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionSettingsBody {
    /// The checklist as CSV: `code,applies_to,item,basis` (applies_to `*` or venue-kind codes joined by `|`).
    pub checklist_csv: String,
    /// `coercion_law` (行政强制法第二十五条: 30 days, one extension; the default) or `inspection_rules`
    /// (《消防监督检查规定》第二十二条).
    pub seal_term_rule: String,
    /// Versions read (0 = never saved).
    pub versions: [i64; 2],
}

impl From<domain::services::inspections::InspectionSettings> for InspectionSettingsBody {
    fn from(s: domain::services::inspections::InspectionSettings) -> Self {
        InspectionSettingsBody {
            checklist_csv: s.checklist_csv,
            seal_term_rule: serde_json::to_value(s.seal_term_rule)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            versions: s.versions,
        }
    }
}

/// The inspection settings: checklist and seal term rule.
#[utoipa::path(get, path = "/api/v1/settings/inspections", tag = "设置", responses((status = 200, body = InspectionSettingsBody)))]
pub async fn api_get_inspections(State(app): State<AppState>, a: Authed) -> ApiResult<Json<InspectionSettingsBody>> {
    a.ctx().actor()?;
    Ok(Json(app.services.inspection_settings().await?.into()))
}

/// Changes them (系统管理员 of the whole tree).
#[utoipa::path(put, path = "/api/v1/settings/inspections", tag = "设置", request_body = InspectionSettingsBody,
    responses((status = 200, body = InspectionSettingsBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_put_inspections(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<InspectionSettingsBody>,
) -> ApiResult<Json<InspectionSettingsBody>> {
    Ok(Json(
        app.services.update_inspection_settings(a.ctx(), &b.checklist_csv, &b.seal_term_rule, b.versions).await?.into(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectionSettingsForm {
    checklist_csv: String,
    seal_term_rule: String,
    v0: i64,
    v1: i64,
}

async fn inspection_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<InspectionSettingsForm>,
) -> PageResult<Response> {
    app.services.update_inspection_settings(a.ctx(), &f.checklist_csv, &f.seal_term_rule, [f.v0, f.v1]).await?;
    Ok(htmx_aware_redirect(&headers, "/admin/settings?saved=1"))
}

/// The penalty settings: the discretion baseline in force (a province's table replaces the national
/// framework), the hearing thresholds (较大数额罚款) and the publication period of decisions.
#[utoipa::path(get, path = "/api/v1/settings/penalty", tag = "设置", responses((status = 200, body = Object)))]
pub async fn api_get_penalty(State(app): State<AppState>, a: Authed) -> ApiResult<Json<PenaltySettings>> {
    a.ctx().actor()?;
    Ok(Json(app.services.penalty_settings().await?))
}

/// Changes them (系统管理员 of the whole tree); a bad line of the table is refused with its number.
#[utoipa::path(put, path = "/api/v1/settings/penalty", tag = "设置", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_put_penalty(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<PenaltySettingsInput>,
) -> ApiResult<Json<PenaltySettings>> {
    Ok(Json(app.services.update_penalty_settings(a.ctx(), b).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PenaltyForm {
    issuer: String,
    doc_no: String,
    effective: String,
    region: String,
    baseline_csv: String,
    hearing_person: String,
    hearing_unit: String,
    publish_days: u32,
    v0: i64,
    v1: i64,
    v2: i64,
}

async fn penalty_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<PenaltyForm>,
) -> PageResult<Response> {
    let input = PenaltySettingsInput {
        issuer: f.issuer,
        doc_no: f.doc_no,
        effective: f.effective,
        region: f.region,
        baseline_csv: f.baseline_csv,
        hearing_person: f.hearing_person,
        hearing_unit: f.hearing_unit,
        publish_days: f.publish_days,
        versions: [f.v0, f.v1, f.v2],
    };
    app.services.update_penalty_settings(a.ctx(), input).await?;
    Ok(htmx_aware_redirect(&headers, "/admin/settings?saved=1"))
}

/// The settings.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// `全国` or a province with its own thresholds.
    pub province: String,
    /// Risk weights: hazard, major_hazard, penalty, key_unit, high_at, elevated_at.
    #[schema(value_type = Object)]
    pub risk_weights: RiskWeights,
    /// Working days within which results are published (default 20).
    pub publish_days: u32,
    /// Versions read: [province, risk weights, publication days] (0 = never saved).
    pub versions: [i64; 3],
}

/// The registry and random-check settings.
#[utoipa::path(get, path = "/api/v1/settings/registry", tag = "设置", responses((status = 200, body = SettingsBody)))]
pub async fn api_get(State(app): State<AppState>, a: Authed) -> ApiResult<Json<SettingsBody>> {
    a.ctx().actor()?;
    let s = app.services.registry_settings().await?;
    Ok(Json(SettingsBody {
        province: s.province,
        risk_weights: s.risk_weights,
        publish_days: s.publish_days,
        versions: s.versions,
    }))
}

/// Changes them (系统管理员 of the whole tree).
#[utoipa::path(put, path = "/api/v1/settings/registry", tag = "设置", request_body = SettingsBody,
    responses((status = 200, body = SettingsBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_put(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<SettingsBody>,
) -> ApiResult<Json<SettingsBody>> {
    let s =
        app.services.update_registry_settings(a.ctx(), &b.province, b.risk_weights, b.publish_days, b.versions).await?;
    Ok(Json(SettingsBody {
        province: s.province,
        risk_weights: s.risk_weights,
        publish_days: s.publish_days,
        versions: s.versions,
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    l: Layout,
    s: SettingsBody,
    provinces: Vec<String>,
    i: InspectionSettingsBody,
    p: PenaltySettings,
}

async fn page(State(app): State<AppState>, a: Authed) -> PageResult<SettingsPage> {
    let s = app.services.registry_settings().await?;
    Ok(SettingsPage {
        l: Layout::new(Some(a.auth()), "业务设置", "/admin/settings"),
        s: SettingsBody {
            province: s.province,
            risk_weights: s.risk_weights,
            publish_days: s.publish_days,
            versions: s.versions,
        },
        provinces: key_unit::provinces(key_unit::shipped_criteria()),
        i: app.services.inspection_settings().await?.into(),
        p: app.services.penalty_settings().await?,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsForm {
    province: String,
    hazard: u32,
    major_hazard: u32,
    penalty: u32,
    key_unit: u32,
    high_at: u32,
    elevated_at: u32,
    publish_days: u32,
    v0: i64,
    v1: i64,
    v2: i64,
}

async fn form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<SettingsForm>,
) -> PageResult<Response> {
    let w = RiskWeights {
        hazard: f.hazard,
        major_hazard: f.major_hazard,
        penalty: f.penalty,
        key_unit: f.key_unit,
        high_at: f.high_at,
        elevated_at: f.elevated_at,
    };
    app.services.update_registry_settings(a.ctx(), &f.province, w, f.publish_days, [f.v0, f.v1, f.v2]).await?;
    Ok(htmx_aware_redirect(&headers, "/admin/settings?saved=1"))
}
