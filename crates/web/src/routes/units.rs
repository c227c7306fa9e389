//! 检查对象名录库: the unit registry's pages and `/api/v1/units`.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::authz::Perm;
use domain::ports::registry::{COUNT_CAP, HistoryEntry, ImportJob};
use domain::registry::import::{COLUMNS, RowError, template_header};
use domain::registry::risk::RiskGrade;
use domain::registry::unit::{Sealed, Unit, UnitStatus};
use domain::registry::venue::VenueKind;
use domain::services::registry::{ImportMode, RowReader, UnitFilter, UnitInput};
use domain::{DomainError, Services};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, htmx_aware_redirect};
use crate::upload::{self, MAX_UPLOAD_BYTES, TempFile};
use crate::views::attachment;
use crate::views::{Layout, OrgOption, org_options, when};

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_page))
        .route("/units/new", get(new_page).post(create_form))
        .route("/units/template.xlsx", get(template))
        .route("/units/export", get(export))
        .route("/units/import", get(import_page).post(import_form).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/units/import/{id}", get(import_job_page))
        .route("/units/{id}", get(detail_page))
        .route("/units/{id}/edit", get(edit_page).post(update_form))
        .route("/units/{id}/reveal", post(reveal_form))
        .route("/units/{id}/key-unit", post(key_unit_form))
        .route("/units/{id}/risk", post(risk_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/units", get(api_search).post(api_create))
        .route("/api/v1/units/import", post(api_import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/api/v1/units/export", get(export))
        .route("/api/v1/import-jobs/{id}", get(api_import_job))
        .route("/api/v1/units/{id}", get(api_get).put(api_update))
        .route("/api/v1/units/{id}/history", get(api_history))
        .route("/api/v1/units/{id}/reveal", post(api_reveal))
        .route("/api/v1/units/{id}/key-unit", post(api_key_unit))
        .route("/api/v1/units/{id}/risk", post(api_risk))
}

/// A personal number as shown: masked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Name.
    pub name: Option<String>,
    /// Phone, masked.
    pub phone: Option<String>,
    /// ID number, masked.
    pub id_card: Option<String>,
}

/// A unit as the API shows it (personal numbers masked).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitView {
    /// Id.
    pub id: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Jurisdiction org id.
    pub org_id: String,
    /// Jurisdiction org name.
    pub org_name: String,
    /// Venue kind codes.
    pub venue_kinds: Vec<String>,
    /// Venue kinds in Chinese.
    pub venue_kind_labels: String,
    /// 建筑面积 m².
    pub floor_area: Option<i64>,
    /// 层数.
    pub floors: Option<i64>,
    /// 床位.
    pub beds: Option<i64>,
    /// 客房.
    pub rooms: Option<i64>,
    /// 从业人员.
    pub staff: Option<i64>,
    /// 消防安全责任人.
    pub responsible: ContactView,
    /// 消防安全管理人.
    pub manager: ContactView,
    /// Status code.
    pub status: String,
    /// Risk grade code.
    pub risk_grade: String,
    /// Why.
    pub risk_reason: String,
    /// 消防安全重点单位.
    pub key_unit: bool,
    /// Its category.
    pub key_category: Option<String>,
    /// Version, to send back when changing.
    pub version: i64,
}

fn contact_view(c: &domain::registry::unit::Contact<Sealed>) -> ContactView {
    ContactView {
        name: c.name.clone(),
        phone: c.phone.as_ref().map(|s| s.masked.clone()),
        id_card: c.id_card.as_ref().map(|s| s.masked.clone()),
    }
}

impl From<&Unit> for UnitView {
    fn from(u: &Unit) -> Self {
        let f = &u.facts;
        UnitView {
            id: u.id.clone(),
            credit_code: u.credit_code.as_str().into(),
            name: f.name.clone(),
            address: f.address.clone(),
            org_id: f.org_id.0.clone(),
            org_name: u.org_name.clone(),
            venue_kinds: f.venue_kinds.iter().map(|k| k.code().to_string()).collect(),
            venue_kind_labels: f.venue_kinds.labels(),
            floor_area: f.size.floor_area,
            floors: f.size.floors,
            beds: f.size.beds,
            rooms: f.size.rooms,
            staff: f.size.staff,
            responsible: contact_view(&f.responsible),
            manager: contact_view(&f.manager),
            status: f.status.code().into(),
            risk_grade: u.risk_grade.code().into(),
            risk_reason: u.risk_reason.clone(),
            key_unit: u.key_unit.is_some(),
            key_category: u.key_unit.as_ref().map(|k| k.category.clone()),
            version: u.version,
        }
    }
}

/// A unit to create or change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    /// 统一社会信用代码 (on update it must be the unit's own).
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Jurisdiction org id.
    pub org_id: String,
    /// Venue kind codes (or Chinese names).
    pub venue_kinds: Vec<String>,
    /// 建筑面积 m².
    #[serde(default)]
    pub floor_area: Option<i64>,
    /// 层数.
    #[serde(default)]
    pub floors: Option<i64>,
    /// 床位.
    #[serde(default)]
    pub beds: Option<i64>,
    /// 客房.
    #[serde(default)]
    pub rooms: Option<i64>,
    /// 从业人员.
    #[serde(default)]
    pub staff: Option<i64>,
    /// 责任人.
    #[serde(default)]
    pub responsible_name: Option<String>,
    /// 责任人电话.
    #[serde(default)]
    pub responsible_phone: Option<String>,
    /// 责任人身份证号.
    #[serde(default)]
    pub responsible_id_card: Option<String>,
    /// 管理人.
    #[serde(default)]
    pub manager_name: Option<String>,
    /// 管理人电话.
    #[serde(default)]
    pub manager_phone: Option<String>,
    /// Status code (default operating).
    #[serde(default)]
    pub status: Option<String>,
    /// The version read (updates only).
    #[serde(default)]
    pub version: Option<i64>,
}

fn n(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

impl From<UnitBody> for UnitInput {
    fn from(b: UnitBody) -> Self {
        UnitInput {
            credit_code: b.credit_code,
            name: b.name,
            address: b.address,
            org_id: b.org_id,
            venue_kinds: b.venue_kinds,
            floor_area: n(b.floor_area),
            floors: n(b.floors),
            beds: n(b.beds),
            rooms: n(b.rooms),
            staff: n(b.staff),
            responsible_name: b.responsible_name.unwrap_or_default(),
            responsible_phone: b.responsible_phone.unwrap_or_default(),
            responsible_id_card: b.responsible_id_card.unwrap_or_default(),
            manager_name: b.manager_name.unwrap_or_default(),
            manager_phone: b.manager_phone.unwrap_or_default(),
            status: b.status.unwrap_or_default(),
        }
    }
}

/// Search parameters.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Any part of the name or address.
    #[serde(default)]
    pub q: Option<String>,
    /// Org id (its subtree).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Venue kind code.
    #[serde(default)]
    pub venue_kind: Option<String>,
    /// `1` key units, `0` others.
    #[serde(default)]
    pub key_unit: Option<String>,
    /// Risk grade code.
    #[serde(default)]
    pub risk_grade: Option<String>,
    /// Status code.
    #[serde(default)]
    pub status: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Page size (≤ 200).
    #[serde(default)]
    pub per_page: Option<u32>,
}

impl SearchParams {
    fn filter(&self) -> UnitFilter {
        UnitFilter {
            q: self.q.clone(),
            org_id: self.org_id.clone(),
            venue_kind: self.venue_kind.clone(),
            key_unit: self.key_unit.clone(),
            risk_grade: self.risk_grade.clone(),
            status: self.status.clone(),
            page: self.page.unwrap_or(1).max(1),
            per_page: self.per_page.unwrap_or(50),
        }
    }
}

/// A page of units.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitPage {
    /// Units, newest first.
    pub units: Vec<UnitView>,
    /// Matches (exact up to the cap).
    pub total: u64,
    /// Whether there are more than `total`.
    pub more: bool,
}

/// Searches the registry.
#[utoipa::path(get, path = "/api/v1/units", tag = "检查对象名录库", params(SearchParams), responses((status = 200, body = UnitPage)))]
pub async fn api_search(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<UnitPage>> {
    let (units, total) = app.services.search_units(a.ctx(), &p.filter()).await?;
    Ok(Json(UnitPage {
        units: units.iter().map(UnitView::from).collect(),
        total: total.min(COUNT_CAP),
        more: total > COUNT_CAP,
    }))
}

/// Adds a unit.
#[utoipa::path(post, path = "/api/v1/units", tag = "检查对象名录库", request_body = UnitBody,
    responses((status = 201, body = UnitView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(State(app): State<AppState>, a: Authed, ApiJson(b): ApiJson<UnitBody>) -> ApiResult<Response> {
    let u = app.services.create_unit(a.ctx(), b.into()).await?;
    Ok((StatusCode::CREATED, Json(UnitView::from(&u))).into_response())
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "检查对象名录库", params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, body = UnitView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<UnitView>> {
    Ok(Json(UnitView::from(&app.services.get_unit(a.ctx(), &id).await?)))
}

/// Changes a unit; every changed field goes into its history.
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "检查对象名录库", request_body = UnitBody, params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, body = UnitView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UnitBody>,
) -> ApiResult<Json<UnitView>> {
    let version = b.version.ok_or_else(|| DomainError::invalid("version", "缺少必填字段“version”"))?;
    let u = app.services.update_unit(a.ctx(), &id, b.into(), version).await?;
    Ok(Json(UnitView::from(&u)))
}

/// A unit's history, newest first.
#[utoipa::path(get, path = "/api/v1/units/{id}/history", tag = "检查对象名录库", params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, description = "变更记录")))]
pub async fn api_history(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(app.services.unit_detail(a.ctx(), &id).await?.history))
}

/// What to unmask and why.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    /// `responsible_phone`, `responsible_id_card`, `manager_phone` or `manager_id_card`.
    pub field: String,
    /// Why (4–200 characters, audited).
    pub reason: String,
}

/// The unmasked value.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Revealed {
    /// The value.
    pub value: String,
}

/// Shows one personal number unmasked; the reason is audited.
#[utoipa::path(post, path = "/api/v1/units/{id}/reveal", tag = "检查对象名录库", request_body = RevealBody, params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, body = Revealed), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_reveal(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RevealBody>,
) -> ApiResult<Json<Revealed>> {
    Ok(Json(Revealed { value: app.services.reveal_contact(a.ctx(), &id, &b.field, &b.reason).await? }))
}

/// Confirm or lift a key-unit designation.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyUnitBody {
    /// `true` confirms the proposal; `false` lifts the designation.
    pub confirm: bool,
    /// Reason (required to lift).
    #[serde(default)]
    pub reason: Option<String>,
    /// Version read.
    pub version: i64,
}

/// Confirms the proposed 消防安全重点单位 designation or lifts it.
#[utoipa::path(post, path = "/api/v1/units/{id}/key-unit", tag = "检查对象名录库", request_body = KeyUnitBody, params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, body = UnitView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_key_unit(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<KeyUnitBody>,
) -> ApiResult<Json<UnitView>> {
    let u = app.services.set_key_unit(a.ctx(), &id, b.confirm, b.reason.as_deref().unwrap_or(""), b.version).await?;
    Ok(Json(UnitView::from(&u)))
}

/// Set the risk grade.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskBody {
    /// A grade code, or `derived` for the grade the weights give.
    pub risk_grade: String,
    /// Reason (required when set by hand).
    #[serde(default)]
    pub reason: Option<String>,
    /// Version read.
    pub version: i64,
}

/// Sets the risk grade by hand with a reason, or to the derived grade.
#[utoipa::path(post, path = "/api/v1/units/{id}/risk", tag = "检查对象名录库", request_body = RiskBody, params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, body = UnitView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_risk(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RiskBody>,
) -> ApiResult<Json<UnitView>> {
    let u = app.services.set_risk(a.ctx(), &id, &b.risk_grade, b.reason.as_deref().unwrap_or(""), b.version).await?;
    Ok(Json(UnitView::from(&u)))
}

/// Import options.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Org for rows whose 管辖机构 is empty.
    pub org_id: String,
    /// `all_or_nothing` (default) or `good_rows`.
    #[serde(default)]
    pub mode: Option<String>,
    /// The file's name, for the record.
    #[serde(default)]
    pub file_name: Option<String>,
    /// `true`: answer when the import is finished instead of at once.
    #[serde(default)]
    pub wait: Option<bool>,
}

/// An import job.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportJobView {
    /// Id.
    pub id: String,
    /// File name.
    pub file_name: String,
    /// Mode.
    pub mode: String,
    /// `validating`, `importing`, `done`, `rejected` or `failed`.
    pub status: String,
    /// Data rows.
    pub total: i64,
    /// Rows processed.
    pub done: i64,
    /// New units.
    pub inserted: i64,
    /// Changed units.
    pub updated: i64,
    /// Units already identical.
    pub unchanged: i64,
    /// Rows with problems.
    pub failed: i64,
    /// Problems: row, column, message (the first 1,000).
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
    /// Summary in Chinese.
    pub message: String,
    /// Finished.
    pub finished: bool,
}

impl From<&ImportJob> for ImportJobView {
    fn from(j: &ImportJob) -> Self {
        ImportJobView {
            id: j.id.clone(),
            file_name: j.file_name.clone(),
            mode: j.mode.clone(),
            status: j.status.clone(),
            total: j.total,
            done: j.done,
            inserted: j.inserted,
            updated: j.updated,
            unchanged: j.unchanged,
            failed: j.failed,
            errors: serde_json::from_str(&j.errors).unwrap_or_default(),
            message: j.message.clone(),
            finished: j.finished_at.is_some(),
        }
    }
}

/// Starts an import and runs it in the background (or to the end with `wait=true`).
async fn start_import(
    app: &AppState,
    a: &Authed,
    tmp: TempFile,
    file_name: &str,
    mode: &str,
    org_id: &str,
    wait: bool,
) -> domain::Result<ImportJob> {
    let mode = ImportMode::parse(mode)?;
    let services: Services = app.services.clone();
    let job = services.start_import(a.ctx(), file_name, mode, org_id).await?;
    let ctx = a.ctx().clone();
    let org_id = org_id.to_string();
    let first = job.clone();
    let run = async move {
        let path = tmp.path().to_path_buf();
        let open = move || -> domain::Result<RowReader> { sheets::read_rows(&path) };
        let result = services.run_import(&ctx, first, mode, &org_id, &open).await;
        drop(tmp);
        result
    };
    if wait {
        run.await
    } else {
        tokio::spawn(async move {
            if let Err(e) = run.await {
                tracing::error!(error = %e, "import job could not record its end");
            }
        });
        Ok(job)
    }
}

/// Imports units from the request body (an XLSX or CSV file following the template).
#[utoipa::path(post, path = "/api/v1/units/import", tag = "检查对象名录库", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "XLSX 或 CSV 文件（UTF-8 或 GB18030）"),
    responses((status = 202, body = ImportJobView), (status = 200, body = ImportJobView, description = "wait=true 时，导入完成后返回")))]
pub async fn api_import(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<ImportParams>,
    body: Body,
) -> ApiResult<Response> {
    let tmp = upload::from_body(body).await?;
    let wait = p.wait.unwrap_or(false);
    let job = start_import(
        &app,
        &a,
        tmp,
        p.file_name.as_deref().unwrap_or("接口导入"),
        p.mode.as_deref().unwrap_or(""),
        &p.org_id,
        wait,
    )
    .await?;
    let status = if wait { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(ImportJobView::from(&job))).into_response())
}

/// An import job of the caller's.
#[utoipa::path(get, path = "/api/v1/import-jobs/{id}", tag = "检查对象名录库", params(("id" = String, Path, description = "导入任务 id")),
    responses((status = 200, body = ImportJobView)))]
pub async fn api_import_job(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportJobView>> {
    Ok(Json(ImportJobView::from(&app.services.import_job(a.ctx(), &id).await?)))
}

/// Export options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportParams {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    org_id: Option<String>,
}

/// Exports the registry (the caller's jurisdiction, or one org's subtree), personal numbers masked.
async fn export(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<ExportParams>,
) -> Result<Response, crate::error::ApiError> {
    let format = match p.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => sheets::Format::Xlsx,
        "csv" => sheets::Format::Csv,
        _ => return Err(DomainError::invalid("format", "导出格式应为 xlsx 或 csv").into()),
    };
    let tmp = TempFile::new(format.ext());
    let mut writer = sheets::Writer::create(tmp.path(), format)?;
    app.services.export_units(a.ctx(), p.org_id.as_deref(), &mut |row| writer.row(&row)).await?;
    writer.finish()?;
    let bytes = tokio::fs::read(tmp.path()).await.map_err(DomainError::internal)?;
    let name = format!("检查对象名录_{}.{}", a.ctx().now.local_date(), format.ext());
    Ok(attachment(bytes, format.mime(), &name))
}

async fn template(_: Authed) -> Result<Response, crate::error::PageError> {
    let example = [
        "91350100M000100Y43",
        "江城华联商厦有限公司",
        "江城市东湖区南湖路88号",
        "",
        "商场市场、人员密集场所",
        "12000",
        "6",
        "",
        "",
        "320",
        "王建华",
        "13800138000",
        "",
        "李强",
        "13900139000",
        "正常经营",
        "一般",
    ];
    let bytes = sheets::template_xlsx(&template_header(), &example, &COLUMNS)?;
    Ok(attachment(bytes, sheets::Format::Xlsx.mime(), "检查对象名录导入模板.xlsx"))
}

// ---- pages ----

struct Row {
    id: String,
    name: String,
    address: String,
    org: String,
    kinds: String,
    key_unit: bool,
    risk: &'static str,
    risk_code: &'static str,
    status: &'static str,
    operating: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "units/list.html")]
struct ListPage {
    l: Layout,
    p: SearchParams,
    rows: Vec<Row>,
    total: u64,
    more: bool,
    page: u32,
    pages: u32,
    orgs: Vec<OrgOption>,
    kinds: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    query_string: String,
}

#[derive(Template)]
#[template(path = "units/_rows.html")]
struct RowsFragment {
    rows: Vec<Row>,
    total: u64,
    more: bool,
    page: u32,
    pages: u32,
    query_string: String,
}

fn row_of(u: &Unit) -> Row {
    Row {
        id: u.id.clone(),
        name: u.facts.name.clone(),
        address: u.facts.address.clone(),
        org: u.org_name.clone(),
        kinds: u.facts.venue_kinds.labels(),
        key_unit: u.key_unit.is_some(),
        risk: u.risk_grade.label(),
        risk_code: u.risk_grade.code(),
        status: u.facts.status.label(),
        operating: u.facts.status == UnitStatus::Operating,
    }
}

fn query_string(p: &SearchParams) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &p.q),
        ("org_id", &p.org_id),
        ("venue_kind", &p.venue_kind),
        ("key_unit", &p.key_unit),
        ("risk_grade", &p.risk_grade),
        ("status", &p.status),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

async fn list_page(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> PageResult<Response> {
    let f = p.filter();
    let (units, total) = app.services.search_units(a.ctx(), &f).await?;
    let rows: Vec<Row> = units.iter().map(row_of).collect();
    let pages = (total.min(COUNT_CAP) as u32).div_ceil(f.per_page.max(1)).max(1);
    let qs = query_string(&p);
    // The search box asks htmx for the table only.
    if headers.get("hx-target").and_then(|v| v.to_str().ok()) == Some("unit-results") {
        let frag = RowsFragment {
            rows,
            total: total.min(COUNT_CAP),
            more: total > COUNT_CAP,
            page: f.page,
            pages,
            query_string: qs,
        };
        return Ok(Html(frag.render().map_err(DomainError::internal)?).into_response());
    }
    let actor = &a.auth().actor;
    Ok(ListPage {
        l: Layout::new(Some(a.auth()), "检查对象名录库", "/units"),
        orgs: org_options(&app, &a, Perm::RecordRead, false).await?,
        kinds: VenueKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        grades: RiskGrade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        statuses: UnitStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        can_manage: actor.has_anywhere(Perm::RegistryManage),
        rows,
        total: total.min(COUNT_CAP),
        more: total > COUNT_CAP,
        page: f.page,
        pages,
        query_string: qs,
        p,
    }
    .into_response())
}

/// The unit form's fields (new and edit).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UnitForm {
    #[serde(default)]
    credit_code: String,
    name: String,
    address: String,
    org_id: String,
    #[serde(default)]
    venue_kinds: Vec<String>,
    #[serde(default)]
    floor_area: String,
    #[serde(default)]
    floors: String,
    #[serde(default)]
    beds: String,
    #[serde(default)]
    rooms: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    responsible_name: String,
    #[serde(default)]
    responsible_phone: String,
    #[serde(default)]
    responsible_id_card: String,
    #[serde(default)]
    manager_name: String,
    #[serde(default)]
    manager_phone: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: Option<i64>,
}

impl From<UnitForm> for UnitInput {
    fn from(f: UnitForm) -> Self {
        UnitInput {
            credit_code: f.credit_code,
            name: f.name,
            address: f.address,
            org_id: f.org_id,
            venue_kinds: f.venue_kinds,
            floor_area: f.floor_area,
            floors: f.floors,
            beds: f.beds,
            rooms: f.rooms,
            staff: f.staff,
            responsible_name: f.responsible_name,
            responsible_phone: f.responsible_phone,
            responsible_id_card: f.responsible_id_card,
            manager_name: f.manager_name,
            manager_phone: f.manager_phone,
            status: f.status,
        }
    }
}

struct KindOption {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "units/form.html")]
struct FormPage {
    l: Layout,
    edit: Option<(String, i64)>,
    credit_code: String,
    name: String,
    address: String,
    org_id: String,
    kinds: Vec<KindOption>,
    floor_area: String,
    floors: String,
    beds: String,
    rooms: String,
    staff: String,
    responsible_name: String,
    manager_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    orgs: Vec<OrgOption>,
    phone_hint: String,
}

fn kind_options(selected: &[&str]) -> Vec<KindOption> {
    VenueKind::ALL
        .iter()
        .map(|k| KindOption { code: k.code(), label: k.label(), checked: selected.contains(&k.code()) })
        .collect()
}

async fn new_page(State(app): State<AppState>, a: Authed) -> PageResult<FormPage> {
    let orgs = org_options(&app, &a, Perm::RegistryManage, false).await?;
    if orgs.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    Ok(FormPage {
        l: Layout::new(Some(a.auth()), "新增单位", "/units"),
        edit: None,
        credit_code: String::new(),
        name: String::new(),
        address: String::new(),
        org_id: a.auth().actor.org_id.0.clone(),
        kinds: kind_options(&[]),
        floor_area: String::new(),
        floors: String::new(),
        beds: String::new(),
        rooms: String::new(),
        staff: String::new(),
        responsible_name: String::new(),
        manager_name: String::new(),
        status: "operating".into(),
        statuses: UnitStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        orgs,
        phone_hint: "填写后加密存储，页面上只显示脱敏号码".into(),
    })
}

async fn create_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<UnitForm>,
) -> PageResult<Response> {
    let u = app.services.create_unit(a.ctx(), f.into()).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/units/{}", u.id)))
}

async fn edit_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<FormPage> {
    let u = app.services.get_unit(a.ctx(), &id).await?;
    if !a.auth().actor.can(Perm::RegistryManage, &u.org_path) {
        return Err(DomainError::Forbidden.into());
    }
    let f = &u.facts;
    let codes: Vec<&str> = f.venue_kinds.iter().map(|k| k.code()).collect();
    Ok(FormPage {
        l: Layout::new(Some(a.auth()), "修改单位信息", "/units"),
        edit: Some((u.id.clone(), u.version)),
        credit_code: u.credit_code.as_str().into(),
        name: f.name.clone(),
        address: f.address.clone(),
        org_id: f.org_id.0.clone(),
        kinds: kind_options(&codes),
        floor_area: n(f.size.floor_area),
        floors: n(f.size.floors),
        beds: n(f.size.beds),
        rooms: n(f.size.rooms),
        staff: n(f.size.staff),
        responsible_name: f.responsible.name.clone().unwrap_or_default(),
        manager_name: f.manager.name.clone().unwrap_or_default(),
        status: f.status.code().into(),
        statuses: UnitStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        orgs: org_options(&app, &a, Perm::RegistryManage, false).await?,
        phone_hint: "号码已加密存储；如需更改请重新完整填写，留空表示删除".into(),
    })
}

async fn update_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<UnitForm>,
) -> PageResult<Response> {
    let version = f.version.ok_or_else(|| DomainError::invalid("version", "页面已过期，请刷新后重试"))?;
    app.services.update_unit(a.ctx(), &id, f.into(), version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/units/{id}")))
}

struct HistoryRow {
    at: String,
    actor: String,
    action: String,
    changes: Vec<(String, String, String)>,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "units/detail.html")]
struct DetailPage {
    l: Layout,
    u: UnitView,
    status_label: &'static str,
    risk_label: &'static str,
    key_reason: String,
    key_by: String,
    proposal: Option<(String, String)>,
    derived: (&'static str, String),
    history: Vec<HistoryRow>,
    credits: Vec<(String, String, String)>,
    can_edit: bool,
    can_reveal: bool,
    can_inspect: bool,
    town_officer: bool,
    contacts: Vec<(&'static str, &'static str, String)>,
    grades: Vec<(&'static str, &'static str)>,
    created: String,
    updated: String,
}

async fn detail_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<DetailPage> {
    let d = app.services.unit_detail(a.ctx(), &id).await?;
    let u = &d.unit;
    let f = &u.facts;
    let mut contacts = Vec::new();
    for (field, label, v) in [
        ("responsible_phone", "责任人电话", &f.responsible.phone),
        ("responsible_id_card", "责任人身份证号", &f.responsible.id_card),
        ("manager_phone", "管理人电话", &f.manager.phone),
        ("manager_id_card", "管理人身份证号", &f.manager.id_card),
    ] {
        if let Some(s) = v {
            contacts.push((field, label, s.masked.clone()));
        }
    }
    let actor = &a.auth().actor;
    let can_inspect = actor.can(domain::authz::Perm::EnforcementAct, &u.org_path);
    let town_officer = !can_inspect && actor.can(domain::authz::Perm::EntrustedAct, &u.org_path);
    Ok(DetailPage {
        can_inspect,
        town_officer,
        l: Layout::new(Some(a.auth()), f.name.clone(), "/units"),
        status_label: f.status.label(),
        risk_label: u.risk_grade.label(),
        key_reason: u.key_unit.as_ref().map(|k| k.reason.clone()).unwrap_or_default(),
        key_by: u
            .key_unit
            .as_ref()
            .map(|k| format!("{}于{}确认", k.confirmed_by, k.confirmed_at.to_local_string()))
            .unwrap_or_default(),
        proposal: d.proposal.as_ref().map(|p| (p.category.clone(), p.reason.clone())),
        derived: (d.derived_risk.0.label(), d.derived_risk.1.clone()),
        history: d
            .history
            .iter()
            .map(|h| HistoryRow {
                at: h.at.to_local_string(),
                actor: h.actor.clone(),
                action: h.action.clone(),
                changes: h.changes.iter().map(|c| (c.field.clone(), c.before.clone(), c.after.clone())).collect(),
                reason: h.reason.clone(),
            })
            .collect(),
        credits: d.credits.iter().map(|c| (c.decided_on.to_string(), c.doc_no.clone(), c.summary.clone())).collect(),
        can_edit: d.can_edit,
        can_reveal: d.can_reveal,
        contacts,
        grades: RiskGrade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        created: when(Some(u.created_at)),
        updated: when(Some(u.updated_at)),
        u: UnitView::from(u),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealForm {
    field: String,
    reason: String,
}

async fn reveal_form(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    PageForm(f): PageForm<RevealForm>,
) -> PageResult<Html<String>> {
    let v = app.services.reveal_contact(a.ctx(), &id, &f.field, &f.reason).await?;
    Ok(crate::views::secret_fragment("已记录查看理由。号码如下（请勿转发或截图外传）：", &v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyUnitForm {
    confirm: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

async fn key_unit_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<KeyUnitForm>,
) -> PageResult<Response> {
    app.services.set_key_unit(a.ctx(), &id, f.confirm == "1", &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/units/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RiskForm {
    risk_grade: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

async fn risk_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<RiskForm>,
) -> PageResult<Response> {
    app.services.set_risk(a.ctx(), &id, &f.risk_grade, &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/units/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "units/import.html")]
struct ImportPage {
    l: Layout,
    orgs: Vec<OrgOption>,
    columns: Vec<(&'static str, bool, &'static str)>,
}

async fn import_page(State(app): State<AppState>, a: Authed) -> PageResult<ImportPage> {
    let orgs = org_options(&app, &a, Perm::RegistryManage, false).await?;
    if orgs.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    Ok(ImportPage { l: Layout::new(Some(a.auth()), "导入单位", "/units"), orgs, columns: COLUMNS.to_vec() })
}

async fn import_form(State(app): State<AppState>, a: Authed, headers: HeaderMap, m: Multipart) -> PageResult<Response> {
    let (tmp, file_name, fields) = upload::from_multipart(m).await?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let job = start_import(&app, &a, tmp, &file_name, &get("mode"), &get("org_id"), false).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/units/import/{}", job.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "units/import_job.html")]
struct ImportJobPage {
    l: Layout,
    j: ImportJobView,
    percent: i64,
    all_or_nothing: bool,
}

#[derive(Template)]
#[template(path = "units/_import_progress.html")]
struct ImportProgress {
    j: ImportJobView,
    percent: i64,
    all_or_nothing: bool,
}

async fn import_job_page(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let job = app.services.import_job(a.ctx(), &id).await?;
    let percent = if job.total > 0 && job.status == "importing" {
        job.done * 100 / job.total
    } else if job.finished_at.is_some() {
        100
    } else {
        0
    };
    let j = ImportJobView::from(&job);
    let all_or_nothing = j.mode == "all_or_nothing";
    if headers.contains_key("hx-request") {
        let frag = ImportProgress { j, percent, all_or_nothing };
        return Ok(Html(frag.render().map_err(DomainError::internal)?).into_response());
    }
    Ok(ImportJobPage { l: Layout::new(Some(a.auth()), "导入进度", "/units"), j, percent, all_or_nothing }
        .into_response())
}
