//! 委托执法: the agreements (sign, file, revoke, the brigade's records of training, guidance, assessments and
//! faults), the town acts the brigade reviews and the town archives, the handovers, and the public list of
//! entrustments (`/public/entrustments`, no login). Pages and API call the same services; the scope guard is
//! in the services.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::entrustment::handover::{Handover, HandoverOutcome, HandoverReason, HandoverStatus};
use domain::entrustment::oversight::{EntrustmentRecord, RecordKind, ReviewStatus, TownAct};
use domain::entrustment::{EntrustedPower, EntrustmentAgreement};
use domain::org::Org;
use domain::services::entrustments::{
    AgreementInput, AgreementView, HandoverInput, HandoverView, PublicAgreement, RecordInput,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, Req, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/entrustments", get(list_page).post(sign_form))
        .route("/entrustments/new", get(new_page))
        .route("/entrustments/{id}", get(detail_page))
        .route("/entrustments/{id}/file", post(file_form))
        .route("/entrustments/{id}/records", post(record_form))
        .route("/entrustments/{id}/revoke", post(revoke_form))
        .route("/town-acts/{id}/review", post(review_form))
        .route("/town-acts/{id}/correct", post(correct_form))
        .route("/town-acts/{id}/archive", post(archive_form))
        .route("/handovers", get(handovers_page).post(handover_form))
        .route("/handovers/new", get(handover_new_page))
        .route("/handovers/{id}", get(handover_page))
        .route("/handovers/{id}/accept", post(accept_form))
        .route("/handovers/{id}/conclude", post(conclude_form))
        .route("/public/entrustments", get(public_page))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/entrustments", get(api_list).post(api_sign))
        .route("/api/v1/entrustments/{id}", get(api_get))
        .route("/api/v1/entrustments/{id}/file", post(api_file))
        .route("/api/v1/entrustments/{id}/records", post(api_record))
        .route("/api/v1/entrustments/{id}/revoke", post(api_revoke))
        .route("/api/v1/town-acts", get(api_acts))
        .route("/api/v1/town-acts/{id}", get(api_act))
        .route("/api/v1/town-acts/{id}/review", post(api_review))
        .route("/api/v1/town-acts/{id}/correct", post(api_correct))
        .route("/api/v1/town-acts/{id}/archive", post(api_archive))
        .route("/api/v1/handovers", get(api_handovers).post(api_submit_handover))
        .route("/api/v1/handovers/{id}", get(api_handover))
        .route("/api/v1/handovers/{id}/accept", post(api_accept))
        .route("/api/v1/handovers/{id}/conclude", post(api_conclude))
        .route("/api/v1/public/entrustments", get(api_public))
}

// ---- bodies, shared by the API and the forms ----

/// 备案.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBody {
    filed_on: String,
    filed_with: String,
    version: i64,
}

/// Revocation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    reason: String,
    version: i64,
}

/// A review: accept, or return with reasons.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    accept: bool,
    #[serde(default)]
    reasons: String,
    version: i64,
}

/// A correction.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectBody {
    correction: String,
    version: i64,
}

/// A version only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    version: i64,
}

/// An outcome.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcludeBody {
    outcome: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    note: String,
    version: i64,
}

/// Filter by status.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    #[serde(default)]
    status: Option<String>,
}

// ---- API ----

/// Agreements the caller may see.
#[utoipa::path(get, path = "/api/v1/entrustments", tag = "委托执法", responses((status = 200, body = Object)))]
pub async fn api_list(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<EntrustmentAgreement>>> {
    Ok(Json(app.services.agreements(a.ctx()).await?))
}

/// Signs a 行政执法委托协议 with a town (机构负责人): numbered document, portal publication and the brigade's
/// duties (filing in 5 working days, guidance each quarter, 7 training days) in one transaction.
#[utoipa::path(post, path = "/api/v1/entrustments", tag = "委托执法", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_sign(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<AgreementInput>,
) -> ApiResult<Json<EntrustmentAgreement>> {
    Ok(Json(app.services.sign_agreement(a.ctx(), b).await?))
}

/// An agreement with its progress, officers, records, acts, handovers and counts.
#[utoipa::path(get, path = "/api/v1/entrustments/{id}", tag = "委托执法", params(("id" = String, Path, description = "协议 id")), responses((status = 200, body = Object)))]
pub async fn api_get(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<AgreementView>> {
    Ok(Json(app.services.agreement_view(a.ctx(), &id).await?))
}

/// Records the 备案.
#[utoipa::path(post, path = "/api/v1/entrustments/{id}/file", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "协议 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_file(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FileBody>,
) -> ApiResult<Json<EntrustmentAgreement>> {
    Ok(Json(app.services.file_agreement(a.ctx(), &id, &b.filed_on, &b.filed_with, b.version).await?))
}

/// Records a training, guidance visit, assessment or fault.
#[utoipa::path(post, path = "/api/v1/entrustments/{id}/records", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "协议 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_record(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RecordInput>,
) -> ApiResult<Json<EntrustmentRecord>> {
    Ok(Json(app.services.add_entrustment_record(a.ctx(), &id, b).await?))
}

/// Revokes an agreement with reasons (机构负责人).
#[utoipa::path(post, path = "/api/v1/entrustments/{id}/revoke", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "协议 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_revoke(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RevokeBody>,
) -> ApiResult<Json<EntrustmentAgreement>> {
    Ok(Json(app.services.revoke_agreement(a.ctx(), &id, &b.reason, b.version).await?))
}

fn review_of(q: &StatusQuery) -> domain::Result<Option<ReviewStatus>> {
    q.status.as_deref().filter(|s| !s.is_empty()).map(ReviewStatus::parse).transpose()
}

/// Town acts the caller may see (`status`: pending, accepted, returned).
#[utoipa::path(get, path = "/api/v1/town-acts", tag = "委托执法", params(("status" = Option<String>, Query, description = "审查状态")), responses((status = 200, body = Object)))]
pub async fn api_acts(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<StatusQuery>,
) -> ApiResult<Json<Vec<TownAct>>> {
    Ok(Json(app.services.town_acts(a.ctx(), review_of(&q)?).await?))
}

/// A town act.
#[utoipa::path(get, path = "/api/v1/town-acts/{id}", tag = "委托执法", params(("id" = String, Path, description = "检查记录 id")), responses((status = 200, body = Object)))]
pub async fn api_act(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<TownAct>> {
    Ok(Json(app.services.get_town_act(a.ctx(), &id).await?))
}

/// The brigade accepts a town act or returns it with reasons.
#[utoipa::path(post, path = "/api/v1/town-acts/{id}/review", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "检查记录 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_review(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<Json<TownAct>> {
    Ok(Json(app.services.review_town_act(a.ctx(), &id, b.accept, &b.reasons, b.version).await?))
}

/// The town answers a return.
#[utoipa::path(post, path = "/api/v1/town-acts/{id}/correct", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "检查记录 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_correct(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CorrectBody>,
) -> ApiResult<Json<TownAct>> {
    Ok(Json(app.services.correct_town_act(a.ctx(), &id, &b.correction, b.version).await?))
}

/// The town archives an act (within 30 days).
#[utoipa::path(post, path = "/api/v1/town-acts/{id}/archive", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "检查记录 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_archive(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Json<TownAct>> {
    Ok(Json(app.services.archive_town_act(a.ctx(), &id, b.version).await?))
}

fn handover_status(q: &StatusQuery) -> domain::Result<Option<HandoverStatus>> {
    q.status.as_deref().filter(|s| !s.is_empty()).map(HandoverStatus::parse).transpose()
}

/// Handovers the caller may see (`status`: submitted, accepted, concluded).
#[utoipa::path(get, path = "/api/v1/handovers", tag = "委托执法", params(("status" = Option<String>, Query, description = "状态")), responses((status = 200, body = Object)))]
pub async fn api_handovers(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<StatusQuery>,
) -> ApiResult<Json<Vec<Handover>>> {
    Ok(Json(app.services.handovers(a.ctx(), handover_status(&q)?).await?))
}

/// A town hands a matter to the brigade with its evidence.
#[utoipa::path(post, path = "/api/v1/handovers", tag = "委托执法", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_submit_handover(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<HandoverInput>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(app.services.submit_handover(a.ctx(), b).await?))
}

/// A handover with its evidence and 移交书.
#[utoipa::path(get, path = "/api/v1/handovers/{id}", tag = "委托执法", params(("id" = String, Path, description = "移交 id")), responses((status = 200, body = Object)))]
pub async fn api_handover(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<HandoverView>> {
    Ok(Json(app.services.handover_view(a.ctx(), &id).await?))
}

/// The brigade takes a handover up.
#[utoipa::path(post, path = "/api/v1/handovers/{id}/accept", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "移交 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_accept(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(app.services.accept_handover(a.ctx(), &id, b.version).await?))
}

/// The brigade records the outcome (`case_opened`, `inspected`, `measure` with the reference; `no_violation`
/// with the reasons).
#[utoipa::path(post, path = "/api/v1/handovers/{id}/conclude", tag = "委托执法", request_body = Object, params(("id" = String, Path, description = "移交 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_conclude(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConcludeBody>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(app.services.conclude_handover(a.ctx(), &id, &b.outcome, &b.reference, &b.note, b.version).await?))
}

/// Published entrustments (no login): 委托机关, 受委托组织, 事项, 期限, state.
#[utoipa::path(get, path = "/api/v1/public/entrustments", tag = "公开", security(()), responses((status = 200, body = Object)))]
pub async fn api_public(State(app): State<AppState>) -> ApiResult<Json<Vec<PublicAgreement>>> {
    let today = app.services.clock.now().local_date();
    Ok(Json(app.services.public_agreements(today).await?))
}

// ---- pages ----

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<(EntrustmentAgreement, &'static str)>,
    pending: Vec<TownAct>,
    returned: Vec<TownAct>,
    handovers: Vec<Handover>,
    can_sign: bool,
}

async fn list_page(State(app): State<AppState>, a: Authed) -> PageResult<ListPage> {
    let today = a.ctx().now.local_date();
    let rows = app.services.agreements(a.ctx()).await?.into_iter().map(|x| {
        let s = x.state_label(today);
        (x, s)
    });
    Ok(ListPage {
        l: Layout::new(Some(a.auth()), "委托执法", "/entrustments"),
        rows: rows.collect(),
        pending: app.services.town_acts(a.ctx(), Some(ReviewStatus::Pending)).await?,
        returned: app.services.town_acts(a.ctx(), Some(ReviewStatus::Returned)).await?,
        handovers: app
            .services
            .handovers(a.ctx(), None)
            .await?
            .into_iter()
            .filter(|h| h.status != HandoverStatus::Concluded)
            .collect(),
        can_sign: !app.services.towns_to_entrust(a.ctx()).await?.is_empty(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/new.html")]
struct NewPage {
    l: Layout,
    towns: Vec<Org>,
    powers: Vec<(&'static str, &'static str)>,
    today: String,
    months: u32,
}

async fn new_page(State(app): State<AppState>, a: Authed) -> PageResult<NewPage> {
    Ok(NewPage {
        l: Layout::new(Some(a.auth()), "签订行政执法委托协议", "/entrustments"),
        towns: app.services.towns_to_entrust(a.ctx()).await?,
        powers: EntrustedPower::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        today: a.ctx().now.local_date().to_string(),
        months: domain::entrustment::DEFAULT_TERM_MONTHS,
    })
}

async fn sign_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<AgreementInput>,
) -> PageResult<Response> {
    let x = app.services.sign_agreement(a.ctx(), f).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/entrustments/{}", x.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/detail.html")]
struct DetailPage {
    l: Layout,
    v: AgreementView,
    today: String,
    kinds: Vec<(&'static str, &'static str)>,
    pass_mark: u32,
}

async fn detail_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<DetailPage> {
    let v = app.services.agreement_view(a.ctx(), &id).await?;
    Ok(DetailPage {
        l: Layout::new(Some(a.auth()), "行政执法委托协议", "/entrustments"),
        v,
        today: a.ctx().now.local_date().to_string(),
        kinds: RecordKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        pass_mark: domain::entrustment::oversight::PASS_MARK,
    })
}

async fn file_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<FileBody>,
) -> PageResult<Response> {
    app.services.file_agreement(a.ctx(), &id, &f.filed_on, &f.filed_with, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/entrustments/{id}")))
}

async fn record_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<RecordInput>,
) -> PageResult<Response> {
    app.services.add_entrustment_record(a.ctx(), &id, f).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/entrustments/{id}#records")))
}

async fn revoke_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<RevokeBody>,
) -> PageResult<Response> {
    app.services.revoke_agreement(a.ctx(), &id, &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/entrustments/{id}")))
}

async fn review_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReviewBody>,
) -> PageResult<Response> {
    app.services.review_town_act(a.ctx(), &id, f.accept, &f.reasons, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#town-act")))
}

async fn correct_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<CorrectBody>,
) -> PageResult<Response> {
    app.services.correct_town_act(a.ctx(), &id, &f.correction, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#town-act")))
}

async fn archive_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionBody>,
) -> PageResult<Response> {
    app.services.archive_town_act(a.ctx(), &id, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#town-act")))
}

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/handovers.html")]
struct HandoversPage {
    l: Layout,
    rows: Vec<Handover>,
}

async fn handovers_page(State(app): State<AppState>, a: Authed) -> PageResult<HandoversPage> {
    Ok(HandoversPage {
        l: Layout::new(Some(a.auth()), "移交事项", "/entrustments"),
        rows: app.services.handovers(a.ctx(), None).await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewHandoverQuery {
    unit_id: String,
    #[serde(default)]
    inspection_id: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/handover_new.html")]
struct HandoverNewPage {
    l: Layout,
    unit_id: String,
    unit_name: String,
    key_unit: bool,
    inspection_id: String,
    reason: String,
    reasons: Vec<(&'static str, &'static str)>,
}

async fn handover_new_page(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<NewHandoverQuery>,
) -> PageResult<HandoverNewPage> {
    let u = app.services.get_unit(a.ctx(), &q.unit_id).await?;
    let key_unit = u.key_unit.is_some();
    Ok(HandoverNewPage {
        l: Layout::new(Some(a.auth()), "移交消防救援大队", "/entrustments"),
        unit_id: u.id,
        unit_name: u.facts.name,
        key_unit,
        inspection_id: q.inspection_id.unwrap_or_default(),
        reason: q.reason.unwrap_or_else(|| if key_unit { "key_unit".into() } else { "beyond_powers".into() }),
        reasons: HandoverReason::ALL.iter().map(|r| (r.code(), r.label())).collect(),
    })
}

async fn handover_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<HandoverInput>,
) -> PageResult<Response> {
    let h = app.services.submit_handover(a.ctx(), f).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/handovers/{}", h.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "entrustments/handover.html")]
struct HandoverPage {
    l: Layout,
    v: HandoverView,
    outcomes: Vec<(&'static str, &'static str)>,
}

async fn handover_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<HandoverPage> {
    Ok(HandoverPage {
        l: Layout::new(Some(a.auth()), "移交事项", "/entrustments"),
        v: app.services.handover_view(a.ctx(), &id).await?,
        outcomes: HandoverOutcome::ALL.iter().map(|o| (o.code(), o.label())).collect(),
    })
}

async fn accept_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionBody>,
) -> PageResult<Response> {
    app.services.accept_handover(a.ctx(), &id, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/handovers/{id}")))
}

async fn conclude_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ConcludeBody>,
) -> PageResult<Response> {
    app.services.conclude_handover(a.ctx(), &id, &f.outcome, &f.reference, &f.note, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/handovers/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/entrustments.html")]
struct PublicPage {
    l: Layout,
    rows: Vec<PublicAgreement>,
}

async fn public_page(State(app): State<AppState>, r: Req) -> PageResult<PublicPage> {
    let today = app.services.clock.now().local_date();
    Ok(PublicPage {
        l: Layout::new(r.auth.as_deref(), "行政执法委托公示", ""),
        rows: app.services.public_agreements(today).await?,
    })
}
