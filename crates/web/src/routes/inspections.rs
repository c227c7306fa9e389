//! 消防监督检查 through the API: the record form's data, inspections with their hazards, evidence uploads,
//! numbered documents (PDF, DOCX, service), the worklist and alerts (`/api/v1/…`), and the public
//! verification of a document (`/verify/{id}`, no login).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::document::Document;
use domain::evidence::Evidence;
use domain::inspection::hazard::{Hazard, HazardStatus};
use domain::inspection::record::Inspection;
use domain::ports::inspection::Alert;
use domain::services::documents::Verification;
use domain::services::inspections::{InspectionDetail, InspectionForm, InspectionInput, WorkItem};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, Query, Req};
use crate::views::{Layout, attachment};

/// Largest evidence upload accepted by the server (the domain limits each kind further).
const MAX_EVIDENCE_BYTES: usize = crate::upload::MAX_UPLOAD_BYTES;

/// Pages that need no login.
pub fn pages() -> Router<AppState> {
    Router::new().route("/verify/{id}", get(verify_page))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/units/{id}/inspection-form", get(api_form))
        .route("/api/v1/inspections", get(api_list).post(api_record))
        .route("/api/v1/inspections/{id}", get(api_get))
        .route("/api/v1/inspections/{id}/correction-order", post(api_correction_order))
        .route("/api/v1/inspections/{id}/record-document", post(api_record_document))
        .route("/api/v1/inspections/{id}/reinspection-opinion", post(api_reinspection_opinion))
        .route("/api/v1/hazards", get(api_hazards))
        .route("/api/v1/hazards/{id}", get(api_hazard))
        .route("/api/v1/hazards/{id}/apply-reinspection", post(api_apply))
        .route("/api/v1/evidence", post(api_upload).layer(DefaultBodyLimit::max(MAX_EVIDENCE_BYTES)))
        .route("/api/v1/evidence/{id}/file", get(api_evidence_file))
        .route("/api/v1/documents/{id}", get(api_document))
        .route("/api/v1/documents/{id}/pdf", get(api_document_pdf))
        .route("/api/v1/documents/{id}/docx", get(api_document_docx))
        .route("/api/v1/documents/{id}/serve", post(api_serve))
        .route("/api/v1/worklist", get(api_worklist))
        .route("/api/v1/alerts", get(api_alerts))
        .route("/api/v1/public/documents/{id}", get(api_verify))
}

/// The record form's data for a unit: checklist items for its venue kinds, the officers who may inspect,
/// its open hazards.
#[utoipa::path(get, path = "/api/v1/units/{id}/inspection-form", tag = "监督检查", params(("id" = String, Path, description = "单位 id")), responses((status = 200, body = Object)))]
pub async fn api_form(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<InspectionForm>> {
    Ok(Json(app.services.inspection_form(a.ctx(), &id).await?))
}

/// Records an inspection (at least two certified officers; hazards with deadlines; for a 复查 the
/// outcome of every due hazard). Starts the due dates.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "监督检查", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_record(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<InspectionInput>,
) -> ApiResult<Json<Inspection>> {
    Ok(Json(app.services.record_inspection(a.ctx(), b).await?))
}

/// List filter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    mine: Option<bool>,
}

/// Inspections in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "监督检查", params(("unit_id" = Option<String>, Query, description = "单位 id")), responses((status = 200, body = Object)))]
pub async fn api_list(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Vec<Inspection>>> {
    Ok(Json(app.services.inspections(a.ctx(), p.unit_id.as_deref(), p.limit.unwrap_or(100)).await?))
}

/// An inspection with hazards, evidence, documents and due dates.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "监督检查", params(("id" = String, Path, description = "检查 id")), responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<InspectionDetail>> {
    Ok(Json(app.services.inspection_detail(a.ctx(), &id).await?))
}

/// Issues the 责令限期改正通知书 for the inspection's hazards with deadlines.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/correction-order", tag = "执法文书", params(("id" = String, Path, description = "检查 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_correction_order(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Document>> {
    Ok(Json(app.services.issue_correction_order(a.ctx(), &id).await?))
}

/// Issues the 消防监督检查记录 as a numbered document.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/record-document", tag = "执法文书", params(("id" = String, Path, description = "检查 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_record_document(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Document>> {
    Ok(Json(app.services.issue_inspection_record(a.ctx(), &id).await?))
}

/// Issues the 复查意见书 of a 复查.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/reinspection-opinion", tag = "执法文书", params(("id" = String, Path, description = "复查 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_reinspection_opinion(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Document>> {
    Ok(Json(app.services.issue_reinspection_opinion(a.ctx(), &id).await?))
}

/// Hazards in the caller's jurisdiction (`status`: open, rectified, escalated, corrected_on_site).
#[utoipa::path(get, path = "/api/v1/hazards", tag = "监督检查", params(("status" = Option<String>, Query, description = "状态")), responses((status = 200, body = Object)))]
pub async fn api_hazards(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Vec<Hazard>>> {
    let status = p.status.as_deref().filter(|s| !s.is_empty()).map(HazardStatus::parse).transpose()?;
    Ok(Json(app.services.hazards(a.ctx(), status, p.limit.unwrap_or(200)).await?))
}

/// A hazard.
#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "监督检查", params(("id" = String, Path, description = "隐患 id")), responses((status = 200, body = Object)))]
pub async fn api_hazard(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<Hazard>> {
    Ok(Json(app.services.get_hazard(a.ctx(), &id).await?))
}

/// The party's application for a 复查.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    /// Applied on (`YYYY-MM-DD`).
    pub applied_on: String,
}

/// Records the party's application for a 复查: the 复查 is then due within 3 working days.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/apply-reinspection", tag = "监督检查", request_body = ApplyBody, params(("id" = String, Path, description = "隐患 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_apply(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApplyBody>,
) -> ApiResult<Json<Hazard>> {
    Ok(Json(app.services.apply_for_reinspection(a.ctx(), &id, &b.applied_on).await?))
}

/// Uploads an evidence file (multipart: `kind` photo/audio/video/signature, optional `caption`, `file`).
/// The file is attached to a record when the record is saved with its id.
#[utoipa::path(post, path = "/api/v1/evidence", tag = "监督检查", request_body(content_type = "multipart/form-data", content = Object), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_upload(State(app): State<AppState>, a: Authed, m: Multipart) -> ApiResult<Json<Evidence>> {
    let (tmp, name, fields) = crate::upload::from_multipart(m).await?;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let file = crate::upload::incoming(&tmp).await?;
    Ok(Json(app.services.upload_evidence(a.ctx(), field("kind"), &name, field("caption"), file).await?))
}

/// An evidence file, after its SM3 is checked against the one recorded at upload; sent in pieces.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/file", tag = "监督检查", params(("id" = String, Path, description = "证据 id")), responses((status = 200, description = "文件"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_evidence_file(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Response> {
    let e = app.services.evidence_file(a.ctx(), &id).await?;
    Ok(stream_file(&app, e.storage_key.clone(), e.size as u64, static_mime(&e.mime), &e.name))
}

/// A stored file sent in pieces of [`domain::evidence::CHUNK`]: memory stays bounded whatever its size.
fn stream_file(app: &AppState, key: String, size: u64, mime: &'static str, name: &str) -> Response {
    let files = app.services.files.clone();
    let stream = futures_util::stream::unfold(0u64, move |offset| {
        let (files, key) = (files.clone(), key.clone());
        async move {
            if offset >= size {
                return None;
            }
            match files.read_at(&key, offset, domain::evidence::CHUNK).await {
                Ok(chunk) if !chunk.is_empty() => {
                    let next = offset + chunk.len() as u64;
                    Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(chunk)), next))
                }
                Ok(_) => None,
                Err(err) => Some((Err(std::io::Error::other(err.to_string())), size)),
            }
        }
    });
    let mut r = attachment(Vec::new(), mime, name);
    *r.body_mut() = axum::body::Body::from_stream(stream);
    if let Ok(v) = axum::http::HeaderValue::from_str(&size.to_string()) {
        r.headers_mut().insert(axum::http::header::CONTENT_LENGTH, v);
    }
    r
}

fn static_mime(m: &str) -> &'static str {
    [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "video/mp4",
        "video/webm",
        "audio/mp4",
        "audio/wav",
        "audio/mpeg",
        "audio/amr",
        "audio/ogg",
    ]
    .into_iter()
    .find(|x| *x == m)
    .unwrap_or("application/octet-stream")
}

/// A document.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "执法文书", params(("id" = String, Path, description = "文书 id")), responses((status = 200, body = Object)))]
pub async fn api_document(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<Document>> {
    Ok(Json(app.services.get_document(a.ctx(), &id).await?))
}

/// The PDF as issued (checked against its SM3).
#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", tag = "执法文书", params(("id" = String, Path, description = "文书 id")), responses((status = 200, description = "PDF")))]
pub async fn api_document_pdf(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Response> {
    let d = app.services.document_pdf(a.ctx(), &id).await?;
    Ok(stream_file(
        &app,
        d.pdf_key.clone(),
        d.pdf_size as u64,
        "application/pdf",
        &format!("{}.pdf", d.number.as_str()),
    ))
}

/// The editable DOCX.
#[utoipa::path(get, path = "/api/v1/documents/{id}/docx", tag = "执法文书", params(("id" = String, Path, description = "文书 id")), responses((status = 200, description = "DOCX")))]
pub async fn api_document_docx(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Response> {
    let (d, bytes) = app.services.document_docx(a.ctx(), &id).await?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{}.docx", d.number.as_str()),
    ))
}

/// Service of a document.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServeBody {
    /// 直接送达, 留置送达, 邮寄送达, 电子送达, 公告送达.
    pub method: String,
    /// Who received it.
    pub receiver: String,
    /// When (default now).
    #[serde(default)]
    pub served_at: String,
    /// Version read.
    pub version: i64,
}

/// Records service of a document.
#[utoipa::path(post, path = "/api/v1/documents/{id}/serve", tag = "执法文书", request_body = ServeBody, params(("id" = String, Path, description = "文书 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_serve(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ServeBody>,
) -> ApiResult<Json<Document>> {
    Ok(Json(app.services.serve_document(a.ctx(), &id, &b.method, &b.receiver, &b.served_at, b.version).await?))
}

/// Open due dates, soonest first (`mine=true`: assigned to the caller).
#[utoipa::path(get, path = "/api/v1/worklist", tag = "监督检查", params(("mine" = Option<bool>, Query, description = "只看本人")), responses((status = 200, body = Object)))]
pub async fn api_worklist(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Vec<WorkItem>>> {
    Ok(Json(app.services.worklist(a.ctx(), p.mine.unwrap_or(false), p.limit.unwrap_or(200)).await?))
}

/// The caller's alerts, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "监督检查", responses((status = 200, body = Object)))]
pub async fn api_alerts(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(app.services.alerts(a.ctx(), false).await?))
}

/// Public verification of a document (what its QR code shows).
#[utoipa::path(get, path = "/api/v1/public/documents/{id}", tag = "执法文书", security(()), params(("id" = String, Path, description = "文书 id")), responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_verify(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Verification>> {
    Ok(Json(app.services.verify_document(&id).await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/verify.html")]
struct VerifyPage {
    l: Layout,
    v: Verification,
}

async fn verify_page(State(app): State<AppState>, r: Req, Path(id): Path<String>) -> PageResult<VerifyPage> {
    Ok(VerifyPage {
        l: Layout::new(r.auth.as_deref(), "执法文书核验", ""),
        v: app.services.verify_document(&id).await?,
    })
}
