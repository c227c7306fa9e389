//! 临时查封, 三停, 重大火灾隐患 and 隐患曝光 through the API, and the public list of hazard notices
//! (`/public/exposures`, no login).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::collective::DecisionDraft;
use domain::document::Document;
use domain::inspection::exposure::Exposure;
use domain::inspection::major_hazard::{self, Determination, Standard};
use domain::inspection::sealing::Measure;
use domain::services::major_hazards::MajorInput;
use domain::services::measures::MeasureInput;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, Req};
use crate::views::Layout;

/// Pages that need no login.
pub fn pages() -> Router<AppState> {
    Router::new().route("/public/exposures", get(public_exposures))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/measures", get(api_measures).post(api_create_measure))
        .route("/api/v1/measures/{id}", get(api_measure))
        .route("/api/v1/measures/{id}/decide", post(api_decide_measure))
        .route("/api/v1/measures/{id}/extend", post(api_extend_measure))
        .route("/api/v1/measures/{id}/apply-lift", post(api_apply_lift))
        .route("/api/v1/measures/{id}/lift", post(api_lift_measure))
        .route("/api/v1/major-hazard-standards", get(api_standards))
        .route("/api/v1/major-hazards", get(api_majors).post(api_determine))
        .route("/api/v1/major-hazards/{id}", get(api_major))
        .route("/api/v1/major-hazards/{id}/report", post(api_report_major))
        .route("/api/v1/major-hazards/{id}/supervise", post(api_supervise_major))
        .route("/api/v1/major-hazards/{id}/lift", post(api_lift_major))
        .route("/api/v1/exposures", get(api_exposures).post(api_draft_exposure))
        .route("/api/v1/exposures/{id}/decide", post(api_decide_exposure))
        .route("/api/v1/public/exposures", get(api_public_exposures))
}

/// A measure with the document issued with it, if any.
#[derive(Serialize)]
pub struct MeasureResult {
    /// The measure.
    pub measure: Measure,
    /// Its decision document.
    pub document: Option<Document>,
}

/// Measures (临时查封, 三停) in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/measures", tag = "强制措施", responses((status = 200, body = Object)))]
pub async fn api_measures(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<Measure>>> {
    Ok(Json(app.services.measures(a.ctx()).await?))
}

/// Imposes a 临时查封 or 三停: with a collective decision (the decision document is issued with it), or
/// as an emergency seal on the head's oral approval.
#[utoipa::path(post, path = "/api/v1/measures", tag = "强制措施", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create_measure(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<MeasureInput>,
) -> ApiResult<Json<MeasureResult>> {
    let (measure, document) = app.services.create_measure(a.ctx(), b).await?;
    Ok(Json(MeasureResult { measure, document }))
}

/// A measure.
#[utoipa::path(get, path = "/api/v1/measures/{id}", tag = "强制措施", params(("id" = String, Path, description = "措施 id")), responses((status = 200, body = Object)))]
pub async fn api_measure(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MeasureResult>> {
    let measure = app.services.get_measure(a.ctx(), &id).await?;
    let document = app.services.measure_documents(a.ctx(), &id).await?.into_iter().next();
    Ok(Json(MeasureResult { measure, document }))
}

/// A collective decision with the version read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    decision: DecisionDraft,
    version: i64,
}

/// The collective decision after an emergency seal.
#[utoipa::path(post, path = "/api/v1/measures/{id}/decide", tag = "强制措施", request_body = Object, params(("id" = String, Path, description = "措施 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_decide_measure(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<Json<MeasureResult>> {
    let (measure, document) = app.services.decide_measure(a.ctx(), &id, &b.decision, b.version).await?;
    Ok(Json(MeasureResult { measure, document }))
}

/// An extension.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    days: u32,
    reason: String,
    version: i64,
}

/// Extends a seal's term within the rule in force.
#[utoipa::path(post, path = "/api/v1/measures/{id}/extend", tag = "强制措施", request_body = Object, params(("id" = String, Path, description = "措施 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_extend_measure(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExtendBody>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(app.services.extend_measure(a.ctx(), &id, b.days, &b.reason, b.version).await?))
}

/// An application date.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyLiftBody {
    applied_on: String,
    version: i64,
}

/// The party's application to lift the seal or resume.
#[utoipa::path(post, path = "/api/v1/measures/{id}/apply-lift", tag = "强制措施", request_body = Object, params(("id" = String, Path, description = "措施 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_apply_lift(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApplyLiftBody>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(app.services.apply_lift(a.ctx(), &id, &b.applied_on, b.version).await?))
}

/// Lifting after a passed inspection.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftBody {
    inspection_id: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

/// Lifts a seal, or lets a 三停 unit resume, after an inspection found no hazard left.
#[utoipa::path(post, path = "/api/v1/measures/{id}/lift", tag = "强制措施", request_body = Object, params(("id" = String, Path, description = "措施 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_lift_measure(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LiftBody>,
) -> ApiResult<Json<MeasureResult>> {
    let (measure, document) = app.services.lift_measure(a.ctx(), &id, &b.inspection_id, &b.reason, b.version).await?;
    Ok(Json(MeasureResult { measure, document }))
}

/// The GB 35181 versions with their elements and rules.
#[utoipa::path(get, path = "/api/v1/major-hazard-standards", tag = "重大火灾隐患", responses((status = 200, body = Object)))]
pub async fn api_standards(_: Authed) -> ApiResult<Json<&'static [Standard]>> {
    Ok(Json(major_hazard::shipped()))
}

/// Determinations in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/major-hazards", tag = "重大火灾隐患", responses((status = 200, body = Object)))]
pub async fn api_majors(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<Determination>>> {
    Ok(Json(app.services.majors(a.ctx()).await?))
}

/// A determination with its notice.
#[derive(Serialize)]
pub struct MajorResult {
    /// The determination.
    pub determination: Determination,
    /// The 重大火灾隐患整改通知书, when major.
    pub document: Option<Document>,
}

/// Determines a possible 重大火灾隐患 under GB 35181, with the collective decision.
#[utoipa::path(post, path = "/api/v1/major-hazards", tag = "重大火灾隐患", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_determine(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<MajorInput>,
) -> ApiResult<Json<MajorResult>> {
    let (determination, document) = app.services.determine_major(a.ctx(), b).await?;
    Ok(Json(MajorResult { determination, document }))
}

/// A determination.
#[utoipa::path(get, path = "/api/v1/major-hazards/{id}", tag = "重大火灾隐患", params(("id" = String, Path, description = "id")), responses((status = 200, body = Object)))]
pub async fn api_major(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Determination>> {
    Ok(Json(app.services.get_major(a.ctx(), &id).await?))
}

/// A step of the major-hazard procedure.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MajorStepBody {
    #[serde(default)]
    to: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    inspection_id: String,
    version: i64,
}

/// Records the report to the government.
#[utoipa::path(post, path = "/api/v1/major-hazards/{id}/report", tag = "重大火灾隐患", request_body = Object, params(("id" = String, Path, description = "id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_report_major(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MajorStepBody>,
) -> ApiResult<Json<Determination>> {
    Ok(Json(app.services.report_major(a.ctx(), &id, &b.to, &b.on, b.version).await?))
}

/// Records 挂牌督办.
#[utoipa::path(post, path = "/api/v1/major-hazards/{id}/supervise", tag = "重大火灾隐患", request_body = Object, params(("id" = String, Path, description = "id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_supervise_major(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MajorStepBody>,
) -> ApiResult<Json<Determination>> {
    Ok(Json(app.services.supervise_major(a.ctx(), &id, &b.to, &b.on, b.version).await?))
}

/// Lifts after a passed re-inspection.
#[utoipa::path(post, path = "/api/v1/major-hazards/{id}/lift", tag = "重大火灾隐患", request_body = Object, params(("id" = String, Path, description = "id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_lift_major(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MajorStepBody>,
) -> ApiResult<Json<Determination>> {
    Ok(Json(app.services.lift_major(a.ctx(), &id, &b.inspection_id, b.version).await?))
}

/// Hazard notices in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/exposures", tag = "隐患曝光", responses((status = 200, body = Object)))]
pub async fn api_exposures(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<Exposure>>> {
    Ok(Json(app.services.exposures(a.ctx()).await?))
}

/// A draft notice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureBody {
    hazard_id: String,
    text: String,
}

/// Drafts a hazard notice (checked for personal data).
#[utoipa::path(post, path = "/api/v1/exposures", tag = "隐患曝光", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_draft_exposure(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<ExposureBody>,
) -> ApiResult<Json<Exposure>> {
    Ok(Json(app.services.draft_exposure(a.ctx(), &b.hazard_id, &b.text).await?))
}

/// Approval or withdrawal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureDecision {
    publish: bool,
    #[serde(default)]
    reason: String,
    version: i64,
}

/// Publishes (agency head) or withdraws a notice.
#[utoipa::path(post, path = "/api/v1/exposures/{id}/decide", tag = "隐患曝光", request_body = Object, params(("id" = String, Path, description = "id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_decide_exposure(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExposureDecision>,
) -> ApiResult<Json<Exposure>> {
    Ok(Json(app.services.decide_exposure(a.ctx(), &id, b.publish, &b.reason, b.version).await?))
}

/// Published hazard notices (no login).
#[utoipa::path(get, path = "/api/v1/public/exposures", tag = "公开", security(()), responses((status = 200, body = Object)))]
pub async fn api_public_exposures(State(app): State<AppState>) -> ApiResult<Json<Vec<Exposure>>> {
    Ok(Json(app.services.public_exposures().await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/exposures.html")]
struct PublicExposures {
    l: Layout,
    rows: Vec<Exposure>,
}

async fn public_exposures(State(app): State<AppState>, r: Req) -> PageResult<PublicExposures> {
    Ok(PublicExposures {
        l: Layout::new(r.auth.as_deref(), "火灾隐患曝光", ""),
        rows: app.services.public_exposures().await?,
    })
}
