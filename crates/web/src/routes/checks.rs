//! 双随机、一公开: item list, plans, draws, tasks and the officer pool (`/checks…`, `/api/v1/check-…`),
//! and the public portal (`/public/checks…`, `/api/v1/public/…`), which needs no login.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use domain::DomainError;
use domain::authz::Perm;
use domain::calendar::parse_date;
use domain::random_check::item::{CheckItem, Frequency, ItemDraft, Quantity, Scope};
use domain::random_check::officers::{AbsenceKind, ConflictKind};
use domain::random_check::plan::{Plan, PlanStatus, StrataWeights, Task, TaskResult, stratum_label};
use domain::random_check::record::DrawRecord;
use domain::registry::risk::RiskGrade;
use domain::registry::venue::VenueKind;
use domain::services::random_checks::{PlanInput, PoolPreview};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, Req, htmx_aware_redirect};
use crate::views::{Layout, OrgOption, alert_fragment, org_options, when};

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/checks", get(plans_page).post(create_plan_form))
        .route("/checks/items", get(items_page).post(create_item_form))
        .route("/checks/items/defaults", post(defaults_form))
        .route("/checks/items/{id}", get(item_page).post(update_item_form))
        .route("/checks/plans/{id}", get(plan_page))
        .route("/checks/plans/{id}/announce", post(announce_form))
        .route("/checks/plans/{id}/draw", post(draw_form))
        .route("/checks/plans/{id}/cancel", post(cancel_form))
        .route("/checks/plans/{id}/publish", post(publish_form))
        .route("/checks/tasks/{id}/result", post(result_form))
        .route("/checks/officers", get(officers_page))
        .route("/checks/officers/absences", post(absence_form))
        .route("/checks/officers/absences/{id}/delete", post(absence_delete_form))
        .route("/checks/officers/conflicts", post(conflict_form))
        .route("/checks/officers/conflicts/{id}/withdraw", post(conflict_withdraw_form))
        .route("/public/checks", get(public_list))
        .route("/public/checks/{id}", get(public_plan))
        .route("/public/checks/{id}/record.json", get(public_record))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/check-items", get(api_items).post(api_create_item))
        .route("/api/v1/check-items/defaults", post(api_defaults))
        .route("/api/v1/check-items/{id}", put(api_update_item))
        .route("/api/v1/check-plans", get(api_plans).post(api_create_plan))
        .route("/api/v1/check-plans/{id}", get(api_plan))
        .route("/api/v1/check-plans/{id}/pool", get(api_pool))
        .route("/api/v1/check-plans/{id}/announce", post(api_announce))
        .route("/api/v1/check-plans/{id}/draw", post(api_draw))
        .route("/api/v1/check-plans/{id}/cancel", post(api_cancel))
        .route("/api/v1/check-plans/{id}/publish", post(api_publish))
        .route("/api/v1/check-tasks/{id}/result", post(api_result))
        .route("/api/v1/officer-pool", get(api_officer_pool))
        .route("/api/v1/officer-absences", post(api_add_absence))
        .route("/api/v1/officer-absences/{id}", delete(api_delete_absence))
        .route("/api/v1/officer-conflicts", get(api_conflicts).post(api_declare_conflict))
        .route("/api/v1/officer-conflicts/{id}", delete(api_withdraw_conflict))
        .route("/api/v1/public/check-plans", get(api_public_plans))
        .route("/api/v1/public/check-plans/{id}", get(api_public_plan))
        .route("/api/v1/public/check-plans/{id}/record", get(api_public_record))
}

// ---- views ----

/// An item as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// Id.
    pub id: String,
    /// Org that set it.
    pub org_id: String,
    /// 抽查事项.
    pub name: String,
    /// 依据.
    pub basis: String,
    /// 对象范围.
    #[schema(value_type = Object)]
    pub scope: Scope,
    /// 对象范围 in words.
    pub scope_text: String,
    /// 比例 (e.g. `10%` or `20家`).
    pub quantity: String,
    /// 频次 code.
    pub frequency: String,
    /// 方式.
    pub method: String,
    /// 检查人员要求.
    pub qualification: String,
    /// Officers per unit.
    pub officers_per_unit: u32,
    /// In use.
    pub active: bool,
    /// Version.
    pub version: i64,
}

impl From<&CheckItem> for ItemView {
    fn from(i: &CheckItem) -> Self {
        ItemView {
            id: i.id.clone(),
            org_id: i.org_id.0.clone(),
            name: i.name.clone(),
            basis: i.basis.clone(),
            scope: i.scope.clone(),
            scope_text: i.scope.describe(),
            quantity: i.quantity.describe(),
            frequency: i.frequency.code().into(),
            method: i.method.clone(),
            qualification: i.qualification.clone(),
            officers_per_unit: i.officers_per_unit,
            active: i.active,
            version: i.version,
        }
    }
}

/// A plan as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Org.
    pub org_id: String,
    /// Org name.
    pub org_name: String,
    /// Item.
    pub item_id: String,
    /// Item name.
    pub item_name: String,
    /// First day.
    pub period_start: String,
    /// Last day.
    pub period_end: String,
    /// Ratio or count.
    pub quantity: String,
    /// Officers per unit.
    pub officers_per_unit: u32,
    /// `draft`, `announced`, `drawn`, `published`, `cancelled`.
    pub status: String,
    /// Units in the pool.
    pub pool_size: i64,
    /// Officers in the pool.
    pub officer_count: i64,
    /// Units per stratum.
    pub quota: BTreeMap<String, usize>,
    /// SM3 of the unit pool.
    pub pool_digest: String,
    /// SM3 of the officer pool.
    pub officer_digest: String,
    /// SM3 of the secret.
    pub commitment: String,
    /// Public beacon value.
    pub beacon: String,
    /// SM3 of the inputs.
    pub inputs_digest: String,
    /// The revealed secret (hex).
    pub secret: String,
    /// The seed (hex).
    pub seed: String,
    /// Announced (RFC 3339).
    pub announced_at: Option<String>,
    /// Drawn (RFC 3339).
    pub drawn_at: Option<String>,
    /// Results due for publication by.
    pub publish_due: Option<String>,
    /// Cancellation reason.
    pub cancel_reason: String,
    /// Version.
    pub version: i64,
}

impl From<&Plan> for PlanView {
    fn from(p: &Plan) -> Self {
        PlanView {
            id: p.id.clone(),
            title: p.title.clone(),
            org_id: p.org_id.0.clone(),
            org_name: p.org_name.clone(),
            item_id: p.item_id.clone(),
            item_name: p.item_name.clone(),
            period_start: p.period_start.to_string(),
            period_end: p.period_end.to_string(),
            quantity: p.quantity.describe(),
            officers_per_unit: p.officers_per_unit,
            status: p.status.code().into(),
            pool_size: p.pool_size,
            officer_count: p.officer_count,
            quota: p.quota.clone(),
            pool_digest: p.pool_digest.clone(),
            officer_digest: p.officer_digest.clone(),
            commitment: p.commitment.clone(),
            beacon: p.beacon.clone(),
            inputs_digest: p.inputs_digest.clone(),
            secret: p.secret_hex.clone(),
            seed: p.seed_hex.clone(),
            announced_at: p.announced_at.map(|t| t.to_rfc3339()),
            drawn_at: p.drawn_at.map(|t| t.to_rfc3339()),
            publish_due: p.publish_due.map(|d| d.to_string()),
            cancel_reason: p.cancel_reason.clone(),
            version: p.version,
        }
    }
}

/// A task as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskView {
    /// Id.
    pub id: String,
    /// Order in the draw.
    pub seq: i64,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Stratum code.
    pub stratum: String,
    /// Officers: id and name.
    pub officers: Vec<(String, String)>,
    /// Result code.
    pub result: Option<String>,
    /// Result note.
    pub result_note: String,
    /// Checked on.
    pub checked_on: Option<String>,
    /// Published.
    pub published: bool,
}

impl From<&Task> for TaskView {
    fn from(t: &Task) -> Self {
        TaskView {
            id: t.id.clone(),
            seq: t.seq,
            unit_id: t.unit_id.clone(),
            unit_name: t.unit_name.clone(),
            stratum: t.stratum.clone(),
            officers: t.officers.clone(),
            result: t.result.map(|r| r.code().to_string()),
            result_note: t.result_note.clone(),
            checked_on: t.checked_on.map(|d| d.to_string()),
            published: t.published_at.is_some(),
        }
    }
}

/// A plan with its tasks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanWithTasks {
    /// Plan.
    pub plan: PlanView,
    /// Tasks in draw order.
    pub tasks: Vec<TaskView>,
}

// ---- items ----

/// An item to create or change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Org (create only).
    #[serde(default)]
    pub org_id: Option<String>,
    /// 抽查事项.
    pub name: String,
    /// 依据.
    pub basis: String,
    /// 对象范围: `{"key_unit": true, "venue_kinds_any": ["crowded"], "venue_kinds_none": [], "risk_grades": []}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub scope: Scope,
    /// `10%`, `2.5%` or a count such as `20`.
    pub quantity: String,
    /// `monthly`, `quarterly`, `yearly`.
    pub frequency: String,
    /// 方式.
    #[serde(default)]
    pub method: String,
    /// 检查人员要求.
    #[serde(default)]
    pub qualification: String,
    /// Officers per unit (2–5, default 2).
    #[serde(default)]
    pub officers_per_unit: Option<u32>,
    /// In use (update only, default true).
    #[serde(default)]
    pub active: Option<bool>,
    /// Version (update only).
    #[serde(default)]
    pub version: Option<i64>,
}

impl ItemBody {
    fn draft(&self) -> domain::Result<ItemDraft> {
        Ok(ItemDraft {
            name: self.name.clone(),
            basis: self.basis.clone(),
            scope: self.scope.clone(),
            quantity: Quantity::parse("quantity", &self.quantity)?,
            frequency: Frequency::parse("frequency", &self.frequency)?,
            method: self.method.clone(),
            qualification: self.qualification.clone(),
            officers_per_unit: self.officers_per_unit.unwrap_or(domain::random_check::item::MIN_OFFICERS_PER_UNIT),
        })
    }
}

/// Which org.
#[derive(Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgParam {
    /// Org id.
    pub org_id: String,
}

/// Items a plan of the org may use (its own and those above).
#[utoipa::path(get, path = "/api/v1/check-items", tag = "双随机", params(OrgParam), responses((status = 200, body = [ItemView])))]
pub async fn api_items(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<OrgParam>,
) -> ApiResult<Json<Vec<ItemView>>> {
    Ok(Json(app.services.check_items(a.ctx(), &p.org_id).await?.iter().map(ItemView::from).collect()))
}

/// Adds an item.
#[utoipa::path(post, path = "/api/v1/check-items", tag = "双随机", request_body = ItemBody, responses((status = 201, body = ItemView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create_item(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<Response> {
    let org_id = b.org_id.clone().ok_or_else(|| DomainError::invalid("org_id", "缺少必填字段“org_id”"))?;
    let i = app.services.create_check_item(a.ctx(), &org_id, b.draft()?).await?;
    Ok((StatusCode::CREATED, Json(ItemView::from(&i))).into_response())
}

/// Changes an item.
#[utoipa::path(put, path = "/api/v1/check-items/{id}", tag = "双随机", request_body = ItemBody, params(("id" = String, Path, description = "事项 id")), responses((status = 200, body = ItemView)))]
pub async fn api_update_item(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<Json<ItemView>> {
    let version = b.version.ok_or_else(|| DomainError::invalid("version", "缺少必填字段“version”"))?;
    let i = app.services.update_check_item(a.ctx(), &id, b.draft()?, b.active.unwrap_or(true), version).await?;
    Ok(Json(ItemView::from(&i)))
}

/// Gives an org the default item list.
#[utoipa::path(post, path = "/api/v1/check-items/defaults", tag = "双随机", request_body = OrgParam, responses((status = 201, body = [ItemView])))]
pub async fn api_defaults(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<OrgParam>,
) -> ApiResult<Response> {
    let items = app.services.load_default_items(a.ctx(), &b.org_id).await?;
    Ok((StatusCode::CREATED, Json(items.iter().map(ItemView::from).collect::<Vec<_>>())).into_response())
}

// ---- plans ----

/// A plan to create.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Org (支队 or 大队).
    pub org_id: String,
    /// Item.
    pub item_id: String,
    /// `2026-12`, `2026-Q4` or `2026`.
    pub period: String,
    /// Title (default from org, period and item).
    #[serde(default)]
    pub title: Option<String>,
    /// Ratio or count overriding the item's.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Leave out units with a task in the last N days.
    #[serde(default)]
    pub exclude_recent_days: Option<u32>,
    /// Units penalised last year are drawn with priority (default true).
    #[serde(default)]
    pub prioritize_penalised: Option<bool>,
    /// Officers are not sent to last period's units again (default true).
    #[serde(default)]
    pub rotation: Option<bool>,
    /// Strata weights, e.g. `{"priority": 4, "high": 3, "elevated": 2, "general": 1, "low": 1}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub weights: Option<StrataWeights>,
}

impl From<PlanBody> for PlanInput {
    fn from(b: PlanBody) -> Self {
        PlanInput {
            org_id: b.org_id,
            item_id: b.item_id,
            period: b.period,
            title: b.title.unwrap_or_default(),
            quantity: b.quantity.unwrap_or_default(),
            exclude_recent_days: b.exclude_recent_days.unwrap_or(0),
            prioritize_penalised: b.prioritize_penalised.unwrap_or(true),
            rotation: b.rotation.unwrap_or(true),
            weights: b.weights,
        }
    }
}

/// Plans in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/check-plans", tag = "双随机", responses((status = 200, body = [PlanView])))]
pub async fn api_plans(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<PlanView>>> {
    Ok(Json(app.services.plans(a.ctx()).await?.iter().map(PlanView::from).collect()))
}

/// Creates a draft plan.
#[utoipa::path(post, path = "/api/v1/check-plans", tag = "双随机", request_body = PlanBody, responses((status = 201, body = PlanView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create_plan(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Response> {
    let p = app.services.create_plan(a.ctx(), b.into()).await?;
    Ok((StatusCode::CREATED, Json(PlanView::from(&p))).into_response())
}

/// A plan with its tasks.
#[utoipa::path(get, path = "/api/v1/check-plans/{id}", tag = "双随机", params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = PlanWithTasks)))]
pub async fn api_plan(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanWithTasks>> {
    let d = app.services.plan_detail(a.ctx(), &id).await?;
    Ok(Json(PlanWithTasks { plan: PlanView::from(&d.plan), tasks: d.tasks.iter().map(TaskView::from).collect() }))
}

/// What a plan would draw from, now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PoolView {
    /// Units in the pool.
    pub units: usize,
    /// Units left out as recently checked.
    pub excluded_recent: usize,
    /// Stratum → [size, weight].
    pub strata: BTreeMap<String, (usize, u32)>,
    /// Stratum → units to draw.
    pub quota: Option<BTreeMap<String, usize>>,
    /// Why the quota cannot be met.
    pub quota_problem: Option<String>,
    /// Eligible officers.
    pub officers: usize,
    /// Officers left out, with why.
    pub ineligible: Vec<(String, String)>,
    /// Units without enough officers after recusal.
    pub understaffed: Vec<String>,
}

impl From<&PoolPreview> for PoolView {
    fn from(p: &PoolPreview) -> Self {
        PoolView {
            units: p.units.len(),
            excluded_recent: p.excluded_recent,
            strata: p.strata.clone(),
            quota: p.quota.clone().ok(),
            quota_problem: p.quota.clone().err(),
            officers: p.officers.len(),
            ineligible: p.ineligible.clone(),
            understaffed: p.understaffed.clone(),
        }
    }
}

/// Previews the pools of a plan.
#[utoipa::path(get, path = "/api/v1/check-plans/{id}/pool", tag = "双随机", params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = PoolView)))]
pub async fn api_pool(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<PoolView>> {
    Ok(Json(PoolView::from(&app.services.plan_pools(a.ctx(), &id).await?)))
}

/// A version.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The version read.
    pub version: i64,
}

/// Announces a plan: pools fixed, digests and commitment published.
#[utoipa::path(post, path = "/api/v1/check-plans/{id}/announce", tag = "双随机", request_body = VersionBody, params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = PlanView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_announce(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(PlanView::from(&app.services.announce_plan(a.ctx(), &id, b.version).await?)))
}

/// Draw parameters.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    /// The version read.
    pub version: i64,
    /// A public value nobody knew at announcement (e.g. a lottery result), mixed into the seed.
    #[serde(default)]
    pub beacon: String,
}

/// Draws units and officers and creates the tasks.
#[utoipa::path(post, path = "/api/v1/check-plans/{id}/draw", tag = "双随机", request_body = DrawBody, params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = PlanView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_draw(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DrawBody>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(PlanView::from(&app.services.draw_plan(a.ctx(), &id, b.version, &b.beacon).await?)))
}

/// Cancellation.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// The version read.
    pub version: i64,
    /// Why.
    pub reason: String,
}

/// Cancels a plan before its draw.
#[utoipa::path(post, path = "/api/v1/check-plans/{id}/cancel", tag = "双随机", request_body = CancelBody, params(("id" = String, Path, description = "计划 id")), responses((status = 204)))]
pub async fn api_cancel(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CancelBody>,
) -> ApiResult<StatusCode> {
    app.services.cancel_plan(a.ctx(), &id, b.version, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many results were published.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Published {
    /// Results published now.
    pub published: usize,
}

/// Publishes the recorded results of a plan.
#[utoipa::path(post, path = "/api/v1/check-plans/{id}/publish", tag = "双随机", params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = Published)))]
pub async fn api_publish(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<Published>> {
    Ok(Json(Published { published: app.services.publish_results(a.ctx(), &id).await? }))
}

/// A task's result.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// `no_problem`, `ordered_to_correct`, `case_opened`, `not_found`, `closed`.
    pub result: String,
    /// Summary to publish (no personal data).
    #[serde(default)]
    pub note: String,
    /// Date of the check.
    pub checked_on: String,
}

/// Records a task's result.
#[utoipa::path(post, path = "/api/v1/check-tasks/{id}/result", tag = "双随机", request_body = ResultBody, params(("id" = String, Path, description = "任务 id")), responses((status = 200, body = TaskView)))]
pub async fn api_result(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResultBody>,
) -> ApiResult<Json<TaskView>> {
    let t = app.services.record_task_result(a.ctx(), &id, &b.result, &b.note, &b.checked_on).await?;
    Ok(Json(TaskView::from(&t)))
}

// ---- officer pool ----

/// Pool query.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PoolParams {
    /// Org (default: the caller's own).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Period start (default: first day of next month).
    #[serde(default)]
    pub from: Option<String>,
    /// Period end (default: last day of next month).
    #[serde(default)]
    pub to: Option<String>,
}

/// One officer in the pool.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PoolMemberView {
    /// Account id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Org.
    pub org_name: String,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Certificate valid through.
    pub certificate_expires_on: Option<String>,
    /// Eligible for the period.
    pub eligible: bool,
    /// Why not.
    pub reason: Option<String>,
    /// Absences in the period: id, kind, from, to.
    pub absences: Vec<(String, String, String, String)>,
    /// Standing conflicts.
    pub conflicts: usize,
}

fn next_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day0(0).unwrap_or(today);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    let end = next.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(next);
    (next, end)
}

async fn pool_members(
    app: &AppState,
    a: &Authed,
    p: &PoolParams,
) -> domain::Result<(Vec<PoolMemberView>, NaiveDate, NaiveDate)> {
    let (df, dt) = next_month(a.ctx().now.local_date());
    let from = p.from.as_deref().filter(|s| !s.is_empty()).map(|s| parse_date("from", s)).transpose()?.unwrap_or(df);
    let to = p.to.as_deref().filter(|s| !s.is_empty()).map(|s| parse_date("to", s)).transpose()?.unwrap_or(dt);
    let members = app.services.officer_pool(a.ctx(), p.org_id.as_deref(), from, to).await?;
    Ok((
        members
            .into_iter()
            .map(|m| PoolMemberView {
                id: m.account.id.clone(),
                name: m.account.display_name.as_str().into(),
                org_name: m.account.org_name.clone(),
                certificate_no: m.account.certificate.as_ref().map(|c| c.number.clone()),
                certificate_expires_on: m.account.certificate.as_ref().map(|c| c.expires_on.to_string()),
                eligible: m.ineligible.is_none(),
                reason: m.ineligible,
                absences: m
                    .absences
                    .iter()
                    .map(|b| (b.id.clone(), b.kind.label().into(), b.from.to_string(), b.to.to_string()))
                    .collect(),
                conflicts: m.conflicts,
            })
            .collect(),
        from,
        to,
    ))
}

/// The officer pool for a period, with eligibility.
#[utoipa::path(get, path = "/api/v1/officer-pool", tag = "双随机", params(PoolParams), responses((status = 200, body = [PoolMemberView])))]
pub async fn api_officer_pool(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<PoolParams>,
) -> ApiResult<Json<Vec<PoolMemberView>>> {
    Ok(Json(pool_members(&app, &a, &p).await?.0))
}

/// An absence.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceBody {
    /// Officer.
    pub account_id: String,
    /// `leave`, `training`, `other`.
    pub kind: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Note.
    #[serde(default)]
    pub note: String,
}

/// Records an absence.
#[utoipa::path(post, path = "/api/v1/officer-absences", tag = "双随机", request_body = AbsenceBody, responses((status = 201, description = "已登记")))]
pub async fn api_add_absence(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<AbsenceBody>,
) -> ApiResult<Response> {
    let x = app.services.add_absence(a.ctx(), &b.account_id, &b.kind, &b.from, &b.to, &b.note).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": x.id }))).into_response())
}

/// Removes an absence.
#[utoipa::path(delete, path = "/api/v1/officer-absences/{id}", tag = "双随机", params(("id" = String, Path, description = "记录 id")), responses((status = 204)))]
pub async fn api_delete_absence(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.services.delete_absence(a.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A conflict as shown.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    /// Id.
    pub id: String,
    /// Officer.
    pub account_id: String,
    /// Officer's name.
    pub officer_name: String,
    /// Unit.
    pub unit_id: String,
    /// Unit's name.
    pub unit_name: String,
    /// Kind code.
    pub kind: String,
    /// Details.
    pub note: String,
}

/// Standing conflicts.
#[utoipa::path(get, path = "/api/v1/officer-conflicts", tag = "双随机", params(PoolParams), responses((status = 200, body = [ConflictView])))]
pub async fn api_conflicts(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<PoolParams>,
) -> ApiResult<Json<Vec<ConflictView>>> {
    let list = app.services.conflicts(a.ctx(), p.org_id.as_deref()).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| ConflictView {
                id: c.id,
                account_id: c.account_id,
                officer_name: c.officer_name,
                unit_id: c.unit_id,
                unit_name: c.unit_name,
                kind: c.kind.code().into(),
                note: c.note,
            })
            .collect(),
    ))
}

/// A conflict to declare.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictBody {
    /// Officer.
    pub account_id: String,
    /// Unit id or its 统一社会信用代码.
    pub unit: String,
    /// `relative`, `former_employment`, `other_interest`.
    pub kind: String,
    /// Details.
    pub note: String,
}

/// Declares a conflict (回避).
#[utoipa::path(post, path = "/api/v1/officer-conflicts", tag = "双随机", request_body = ConflictBody, responses((status = 201, description = "已登记"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_declare_conflict(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<ConflictBody>,
) -> ApiResult<Response> {
    let c = app.services.declare_conflict(a.ctx(), &b.account_id, &b.unit, &b.kind, &b.note).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": c.id }))).into_response())
}

/// Withdraws a conflict.
#[utoipa::path(delete, path = "/api/v1/officer-conflicts/{id}", tag = "双随机", params(("id" = String, Path, description = "登记 id")), responses((status = 204)))]
pub async fn api_withdraw_conflict(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.services.withdraw_conflict(a.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- public ----

/// Announced and drawn plans (no login).
#[utoipa::path(get, path = "/api/v1/public/check-plans", tag = "公开", security(()), responses((status = 200, body = [PlanView])))]
pub async fn api_public_plans(State(app): State<AppState>) -> ApiResult<Json<Vec<PlanView>>> {
    Ok(Json(app.services.public_plans().await?.iter().map(PlanView::from).collect()))
}

/// A public plan with its tasks (results once published).
#[utoipa::path(get, path = "/api/v1/public/check-plans/{id}", tag = "公开", security(()), params(("id" = String, Path, description = "计划 id")), responses((status = 200, body = PlanWithTasks)))]
pub async fn api_public_plan(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<PlanWithTasks>> {
    let (p, tasks) = app.services.public_plan(&id).await?;
    Ok(Json(PlanWithTasks { plan: PlanView::from(&p), tasks: tasks.iter().map(TaskView::from).collect() }))
}

/// The full record of a draw, for `firelaw draw verify`.
#[utoipa::path(get, path = "/api/v1/public/check-plans/{id}/record", tag = "公开", security(()), params(("id" = String, Path, description = "计划 id")), responses((status = 200, description = "抽取记录（firelaw-draw/1）")))]
pub async fn api_public_record(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<DrawRecord>> {
    Ok(Json(app.services.draw_record(&id).await?))
}

// ---- pages ----

struct PlanRow {
    id: String,
    title: String,
    org: String,
    period: String,
    status: &'static str,
    status_code: &'static str,
    tasks: String,
}

impl PlanRow {
    fn of(p: &Plan) -> PlanRow {
        PlanRow {
            id: p.id.clone(),
            title: p.title.clone(),
            org: p.org_name.clone(),
            period: format!("{} 至 {}", p.period_start, p.period_end),
            status: p.status.label(),
            status_code: p.status.code(),
            tasks: if p.quota.is_empty() { String::new() } else { format!("{}家", p.quota.values().sum::<usize>()) },
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "checks/plans.html")]
struct PlansPage {
    l: Layout,
    rows: Vec<PlanRow>,
    orgs: Vec<OrgOption>,
    items: Vec<(String, String, String)>,
    default_period: String,
    can_plan: bool,
}

async fn plans_page(State(app): State<AppState>, a: Authed) -> PageResult<PlansPage> {
    let plans = app.services.plans(a.ctx()).await?;
    let orgs = org_options(&app, &a, Perm::CheckPlan, true).await?;
    let mut items = Vec::new();
    if let Some(first) = orgs.first() {
        for i in app.services.check_items(a.ctx(), &first.id).await?.into_iter().filter(|i| i.active) {
            items.push((
                i.id.clone(),
                i.name.clone(),
                format!("{}，{}{}", i.scope.describe(), i.frequency.label(), i.quantity.describe()),
            ));
        }
    }
    let (next, _) = next_month(a.ctx().now.local_date());
    Ok(PlansPage {
        l: Layout::new(Some(a.auth()), "双随机抽查", "/checks"),
        rows: plans.iter().map(PlanRow::of).collect(),
        can_plan: !orgs.is_empty(),
        orgs,
        items,
        default_period: format!("{}-{:02}", next.year(), next.month()),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanForm {
    org_id: String,
    item_id: String,
    period: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    exclude_recent_days: Option<u32>,
    #[serde(default)]
    prioritize_penalised: Option<String>,
    #[serde(default)]
    rotation: Option<String>,
}

async fn create_plan_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<PlanForm>,
) -> PageResult<Response> {
    let p = app
        .services
        .create_plan(
            a.ctx(),
            PlanInput {
                org_id: f.org_id,
                item_id: f.item_id,
                period: f.period,
                title: f.title,
                quantity: f.quantity,
                exclude_recent_days: f.exclude_recent_days.unwrap_or(0),
                prioritize_penalised: f.prioritize_penalised.is_some(),
                rotation: f.rotation.is_some(),
                weights: None,
            },
        )
        .await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{}", p.id)))
}

struct TaskRow {
    id: String,
    seq: i64,
    unit_id: String,
    unit_name: String,
    address: String,
    stratum: &'static str,
    officers: String,
    result: String,
    note: String,
    checked_on: String,
    published: bool,
    mine: bool,
}

impl TaskRow {
    /// A task as a row; `me` marks the viewer's own tasks (none on the public page).
    fn of(t: &Task, me: Option<&String>) -> TaskRow {
        TaskRow {
            id: t.id.clone(),
            seq: t.seq,
            unit_id: t.unit_id.clone(),
            unit_name: t.unit_name.clone(),
            address: t.unit_address.clone(),
            stratum: stratum_label(&t.stratum),
            officers: t.officers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"),
            result: t.result.map(|r| r.label().to_string()).unwrap_or_default(),
            note: t.result_note.clone(),
            checked_on: t.checked_on.map(|d| d.to_string()).unwrap_or_default(),
            published: t.published_at.is_some(),
            mine: me.is_some_and(|me| t.officers.iter().any(|(id, _)| id == me)),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "checks/plan.html")]
struct PlanPage {
    l: Layout,
    p: PlanView,
    status_label: &'static str,
    item: ItemView,
    quota: Vec<(&'static str, usize)>,
    pool: Option<PoolView>,
    pool_strata: Vec<(&'static str, usize, u32, usize)>,
    tasks: Vec<TaskRow>,
    can_plan: bool,
    results: Vec<(&'static str, &'static str)>,
    today: String,
    announced: String,
    drawn: String,
    unpublished: usize,
}

async fn plan_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<PlanPage> {
    let d = app.services.plan_detail(a.ctx(), &id).await?;
    let pool = if matches!(d.plan.status, PlanStatus::Draft) {
        Some(PoolView::from(&app.services.plan_pools(a.ctx(), &id).await?))
    } else {
        None
    };
    let pool_strata = pool
        .as_ref()
        .map(|p| {
            p.strata
                .iter()
                .map(|(k, (n, w))| {
                    (stratum_label(k), *n, *w, p.quota.as_ref().and_then(|q| q.get(k).copied()).unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default();
    let me = &a.auth().actor.user_id;
    Ok(PlanPage {
        l: Layout::new(Some(a.auth()), d.plan.title.clone(), "/checks"),
        status_label: d.plan.status.label(),
        item: ItemView::from(&d.item),
        quota: d.plan.quota.iter().map(|(k, v)| (stratum_label(k), *v)).collect(),
        pool,
        pool_strata,
        unpublished: d.tasks.iter().filter(|t| t.result.is_some() && t.published_at.is_none()).count(),
        tasks: d.tasks.iter().map(|t| TaskRow::of(t, Some(me))).collect(),
        can_plan: d.can_plan,
        results: TaskResult::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        today: a.ctx().now.local_date().to_string(),
        announced: when(d.plan.announced_at),
        drawn: when(d.plan.drawn_at),
        p: PlanView::from(&d.plan),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionForm {
    version: i64,
}

async fn announce_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> PageResult<Response> {
    app.services.announce_plan(a.ctx(), &id, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawForm {
    version: i64,
    #[serde(default)]
    beacon: String,
}

async fn draw_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<DrawForm>,
) -> PageResult<Response> {
    app.services.draw_plan(a.ctx(), &id, f.version, &f.beacon).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelForm {
    version: i64,
    reason: String,
}

async fn cancel_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<CancelForm>,
) -> PageResult<Response> {
    app.services.cancel_plan(a.ctx(), &id, f.version, &f.reason).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{id}")))
}

async fn publish_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.publish_results(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultForm {
    result: String,
    #[serde(default)]
    note: String,
    checked_on: String,
}

async fn result_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ResultForm>,
) -> PageResult<Response> {
    let t = app.services.record_task_result(a.ctx(), &id, &f.result, &f.note, &f.checked_on).await?;
    // A query string makes the browser load the page again (a changed fragment alone would not).
    Ok(htmx_aware_redirect(&headers, &format!("/checks/plans/{}?saved={}#task-{}", t.plan_id, t.seq, t.seq)))
}

// ---- items pages ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ItemsQuery {
    #[serde(default)]
    org_id: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "checks/items.html")]
struct ItemsPage {
    l: Layout,
    org_id: String,
    orgs: Vec<OrgOption>,
    items: Vec<ItemView>,
    own: bool,
    can_plan: bool,
    form: ItemFormView,
    defaults: String,
}

/// Values for the item form.
struct ItemFormView {
    action: String,
    name: String,
    basis: String,
    key_unit: String,
    any: Vec<(&'static str, &'static str, bool)>,
    none: Vec<(&'static str, &'static str, bool)>,
    grades: Vec<(&'static str, &'static str, bool)>,
    quantity: String,
    frequency: String,
    frequencies: Vec<(&'static str, &'static str)>,
    method: String,
    qualification: String,
    officers_per_unit: u32,
    active: bool,
    version: Option<i64>,
}

fn item_form(action: String, i: Option<&CheckItem>) -> ItemFormView {
    let d = domain::random_check::item::default_items().remove(0);
    let scope = i.map(|i| i.scope.clone()).unwrap_or_default();
    ItemFormView {
        action,
        name: i.map(|i| i.name.clone()).unwrap_or_default(),
        basis: i.map(|i| i.basis.clone()).unwrap_or(d.basis),
        key_unit: match scope.key_unit {
            Some(true) => "1".into(),
            Some(false) => "0".into(),
            None => String::new(),
        },
        any: VenueKind::ALL.iter().map(|k| (k.code(), k.label(), scope.venue_kinds_any.contains(k))).collect(),
        none: VenueKind::ALL.iter().map(|k| (k.code(), k.label(), scope.venue_kinds_none.contains(k))).collect(),
        grades: RiskGrade::ALL.iter().map(|g| (g.code(), g.label(), scope.risk_grades.contains(g))).collect(),
        quantity: i.map(|i| i.quantity.describe().trim_end_matches('家').to_string()).unwrap_or_else(|| "5%".into()),
        frequency: i.map(|i| i.frequency.code().to_string()).unwrap_or_else(|| "monthly".into()),
        frequencies: Frequency::ALL.iter().map(|f| (f.code(), f.label())).collect(),
        method: i.map(|i| i.method.clone()).unwrap_or(d.method),
        qualification: i.map(|i| i.qualification.clone()).unwrap_or(d.qualification),
        officers_per_unit: i.map_or(domain::random_check::item::MIN_OFFICERS_PER_UNIT, |i| i.officers_per_unit),
        active: i.is_none_or(|i| i.active),
        version: i.map(|i| i.version),
    }
}

async fn items_page(State(app): State<AppState>, a: Authed, Query(q): Query<ItemsQuery>) -> PageResult<ItemsPage> {
    let orgs = org_options(&app, &a, Perm::RecordRead, true).await?;
    let org_id = q
        .org_id
        .filter(|s| !s.is_empty())
        .or_else(|| orgs.iter().find(|o| o.id == a.auth().actor.org_id.0).or(orgs.first()).map(|o| o.id.clone()))
        .unwrap_or_default();
    let items = if org_id.is_empty() { Vec::new() } else { app.services.check_items(a.ctx(), &org_id).await? };
    let own = items.iter().any(|i| i.org_id.0 == org_id);
    let can_plan = org_options(&app, &a, Perm::CheckPlan, true).await?.iter().any(|o| o.id == org_id);
    Ok(ItemsPage {
        l: Layout::new(Some(a.auth()), "随机抽查事项清单", "/checks"),
        form: item_form(format!("/checks/items?org_id={org_id}"), None),
        items: items.iter().map(ItemView::from).collect(),
        defaults: domain::random_check::item::default_items()
            .iter()
            .map(|d| format!("{}：{}{}", d.name, d.frequency.label(), d.quantity.describe()))
            .collect::<Vec<_>>()
            .join("；"),
        own,
        can_plan,
        orgs,
        org_id,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemForm {
    name: String,
    basis: String,
    #[serde(default)]
    key_unit: String,
    #[serde(default)]
    venue_kinds_any: Vec<String>,
    #[serde(default)]
    venue_kinds_none: Vec<String>,
    #[serde(default)]
    risk_grades: Vec<String>,
    quantity: String,
    frequency: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    qualification: String,
    officers_per_unit: u32,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

impl ItemForm {
    fn draft(&self) -> domain::Result<ItemDraft> {
        let kinds =
            |v: &[String]| v.iter().map(|k| VenueKind::parse("venue_kinds", k)).collect::<domain::Result<Vec<_>>>();
        Ok(ItemDraft {
            name: self.name.clone(),
            basis: self.basis.clone(),
            scope: Scope {
                key_unit: match self.key_unit.as_str() {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                },
                venue_kinds_any: kinds(&self.venue_kinds_any)?,
                venue_kinds_none: kinds(&self.venue_kinds_none)?,
                risk_grades: self
                    .risk_grades
                    .iter()
                    .map(|g| RiskGrade::parse("risk_grades", g))
                    .collect::<domain::Result<_>>()?,
            },
            quantity: Quantity::parse("quantity", &self.quantity)?,
            frequency: Frequency::parse("frequency", &self.frequency)?,
            method: self.method.clone(),
            qualification: self.qualification.clone(),
            officers_per_unit: self.officers_per_unit,
        })
    }
}

async fn create_item_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Query(q): Query<ItemsQuery>,
    PageForm(f): PageForm<ItemForm>,
) -> PageResult<Response> {
    let org_id = q.org_id.unwrap_or_default();
    app.services.create_check_item(a.ctx(), &org_id, f.draft()?).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/items?org_id={org_id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgForm {
    org_id: String,
}

async fn defaults_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<OrgForm>,
) -> PageResult<Response> {
    app.services.load_default_items(a.ctx(), &f.org_id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/items?org_id={}", f.org_id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "checks/item.html")]
struct ItemPage {
    l: Layout,
    item: ItemView,
    form: ItemFormView,
    can_plan: bool,
}

async fn item_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<ItemPage> {
    let i = app.services.check_item(a.ctx(), &id).await?;
    Ok(ItemPage {
        l: Layout::new(Some(a.auth()), i.name.clone(), "/checks"),
        can_plan: a.auth().actor.can(Perm::CheckPlan, &i.org_path),
        form: item_form(format!("/checks/items/{id}"), Some(&i)),
        item: ItemView::from(&i),
    })
}

async fn update_item_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ItemForm>,
) -> PageResult<Response> {
    let version = f.version.ok_or_else(|| DomainError::invalid("version", "页面已过期，请刷新后重试"))?;
    let i = app.services.update_check_item(a.ctx(), &id, f.draft()?, f.active.is_some(), version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/checks/items?org_id={}", i.org_id.0)))
}

// ---- officer pool pages ----

#[derive(Template, WebTemplate)]
#[template(path = "checks/officers.html")]
struct OfficersPage {
    l: Layout,
    org_id: String,
    orgs: Vec<OrgOption>,
    from: String,
    to: String,
    members: Vec<PoolMemberView>,
    conflicts: Vec<ConflictView>,
    kinds: Vec<(&'static str, &'static str)>,
    conflict_kinds: Vec<(&'static str, &'static str)>,
    can_plan: bool,
    me: String,
}

async fn officers_page(
    State(app): State<AppState>,
    a: Authed,
    Query(p): Query<PoolParams>,
) -> PageResult<OfficersPage> {
    let (members, from, to) = pool_members(&app, &a, &p).await?;
    let org_id = p.org_id.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| a.auth().actor.org_id.0.clone());
    let conflicts = app.services.conflicts(a.ctx(), Some(&org_id)).await?;
    let can_plan = org_options(&app, &a, Perm::CheckPlan, true).await?.iter().any(|o| o.id == org_id);
    Ok(OfficersPage {
        l: Layout::new(Some(a.auth()), "执法检查人员名录库", "/checks"),
        orgs: org_options(&app, &a, Perm::RecordRead, true).await?,
        from: from.to_string(),
        to: to.to_string(),
        members,
        conflicts: conflicts
            .into_iter()
            .map(|c| ConflictView {
                id: c.id,
                account_id: c.account_id,
                officer_name: c.officer_name,
                unit_id: c.unit_id,
                unit_name: c.unit_name,
                kind: c.kind.label().into(),
                note: c.note,
            })
            .collect(),
        kinds: AbsenceKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        conflict_kinds: ConflictKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        can_plan,
        me: a.auth().actor.user_id.clone(),
        org_id,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AbsenceForm {
    account_id: String,
    kind: String,
    from: String,
    to: String,
    #[serde(default)]
    note: String,
}

async fn absence_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<AbsenceForm>,
) -> PageResult<Response> {
    app.services.add_absence(a.ctx(), &f.account_id, &f.kind, &f.from, &f.to, &f.note).await?;
    Ok(htmx_aware_redirect(&headers, "/checks/officers"))
}

async fn absence_delete_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.delete_absence(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, "/checks/officers"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConflictForm {
    account_id: String,
    unit: String,
    kind: String,
    note: String,
}

async fn conflict_form(
    State(app): State<AppState>,
    a: Authed,
    PageForm(f): PageForm<ConflictForm>,
) -> PageResult<Html<String>> {
    let c = app.services.declare_conflict(a.ctx(), &f.account_id, &f.unit, &f.kind, &f.note).await?;
    Ok(alert_fragment(
        "ok",
        &format!(
            "已登记：{}与{}回避（{}）。此后抽取不会派该人员检查该单位。",
            c.officer_name,
            c.unit_name,
            c.kind.label()
        ),
    ))
}

async fn conflict_withdraw_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.withdraw_conflict(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, "/checks/officers"))
}

// ---- public pages ----

#[derive(Template, WebTemplate)]
#[template(path = "public/checks.html")]
struct PublicList {
    l: Layout,
    rows: Vec<PlanRow>,
}

async fn public_list(State(app): State<AppState>, r: Req) -> PageResult<PublicList> {
    let plans = app.services.public_plans().await?;
    Ok(PublicList {
        l: Layout::new(r.auth.as_deref(), "双随机抽查公示", ""),
        rows: plans.iter().map(PlanRow::of).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/check.html")]
struct PublicPlan {
    l: Layout,
    p: PlanView,
    status_label: &'static str,
    quota: Vec<(&'static str, usize)>,
    tasks: Vec<TaskRow>,
    announced: String,
    drawn: String,
    cancelled: bool,
    drawn_yet: bool,
}

async fn public_plan(State(app): State<AppState>, r: Req, Path(id): Path<String>) -> PageResult<PublicPlan> {
    let (p, tasks) = app.services.public_plan(&id).await?;
    Ok(PublicPlan {
        l: Layout::new(r.auth.as_deref(), p.title.clone(), ""),
        status_label: p.status.label(),
        quota: p.quota.iter().map(|(k, v)| (stratum_label(k), *v)).collect(),
        tasks: tasks.iter().map(|t| TaskRow::of(t, None)).collect(),
        announced: when(p.announced_at),
        drawn: when(p.drawn_at),
        cancelled: p.status == PlanStatus::Cancelled,
        drawn_yet: matches!(p.status, PlanStatus::Drawn | PlanStatus::Published),
        p: PlanView::from(&p),
    })
}

async fn public_record(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let record = app.services.draw_record(&id).await?;
    let body = serde_json::to_vec_pretty(&record).map_err(DomainError::internal)?;
    let mut r = Response::new(axum::body::Body::from(body));
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"draw-{id}.json\"")) {
        r.headers_mut().insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
