//! 行政处罚案件: the case pages (list, opening a case, the case screen with the step its state allows), the
//! JSON API (steps guarded by `If-Match`, answered with the case's `ETag`), and the public list of
//! published decisions (`/public/decisions`, no login). Every action calls the cases service.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::DomainError;
use domain::authz::Perm;
use domain::document::SERVICE_METHODS;
use domain::penalty::case::{Case, CaseSource, CaseStatus, REMEDY_OUTCOMES};
use domain::penalty::discretion::Severity;
use domain::penalty::publication::Publication;
use domain::penalty::violation::Violation;
use domain::services::cases::{Advice, CaseInput, CaseView, StepInput};
use domain::services::inspections::WorkItem;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, Req, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list_page).post(open_form))
        .route("/cases/new", get(new_page))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/step/{step}", post(step_form))
        .route("/cases/{id}/reveal", post(reveal_form))
        .route("/case-publications/{id}/publish", post(publish_form))
        .route("/case-publications/{id}/withdraw", post(withdraw_form))
        .route("/public/decisions", get(public_list_page))
        .route("/public/decisions/{id}", get(public_page))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(api_list).post(api_open))
        .route("/api/v1/cases/{id}", get(api_get))
        .route("/api/v1/cases/{id}/steps/{step}", post(api_step))
        .route("/api/v1/cases/{id}/reveal", post(api_reveal))
        .route("/api/v1/violations", get(api_violations))
        .route("/api/v1/discretion", get(api_discretion))
        .route("/api/v1/case-publications", get(api_publications))
        .route("/api/v1/case-publications/{id}/publish", post(api_publish))
        .route("/api/v1/case-publications/{id}/withdraw", post(api_withdraw))
        .route("/api/v1/public/decisions", get(api_public_list))
        .route("/api/v1/public/decisions/{id}", get(api_public_get))
}

/// The ETag of a version.
fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version in `If-Match` (`"7"` or `W/"7"`), else the one in the body; one of them is required so
/// that two people approving the same step cannot both succeed.
fn expected_version(headers: &HeaderMap, body: Option<i64>) -> Result<i64, DomainError> {
    if let Some(v) = headers.get(header::IF_MATCH) {
        let s = v.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
        return s.parse().map_err(|_| DomainError::invalid("If-Match", "If-Match 应为案件的 ETag，例如 \"3\""));
    }
    body.ok_or_else(|| {
        DomainError::invalid("If-Match", "请在 If-Match 头中提供案件的 ETag（版本），以免覆盖他人的办理")
    })
}

/// Filters of the case list.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    mine: Option<bool>,
    #[serde(default)]
    unit_id: Option<String>,
}

fn statuses_of(q: &ListQuery) -> Result<Vec<CaseStatus>, DomainError> {
    match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(vec![]),
        Some("open") => Ok(CaseStatus::ALL
            .into_iter()
            .filter(|s| !matches!(s, CaseStatus::Archived | CaseStatus::Rejected | CaseStatus::Closed))
            .collect()),
        Some(s) => Ok(vec![CaseStatus::parse(s)?]),
    }
}

/// Cases in the caller's jurisdiction (`status`: a status code or `open`; `mine`: only the caller's).
#[utoipa::path(get, path = "/api/v1/cases", tag = "行政处罚", params(("status" = Option<String>, Query, description = "状态"), ("mine" = Option<bool>, Query, description = "只看本人承办"), ("unit_id" = Option<String>, Query, description = "单位")), responses((status = 200, body = Object)))]
pub async fn api_list(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Case>>> {
    let statuses = statuses_of(&q)?;
    Ok(Json(app.services.cases(a.ctx(), statuses, q.mine.unwrap_or(false), q.unit_id.clone()).await?))
}

/// A case with the document issued when it was opened (简易程序: the 当场处罚决定书).
#[derive(Serialize)]
pub struct Opened {
    /// The case.
    pub case: Case,
    /// Its decision, under 简易程序.
    pub document: Option<domain::document::Document>,
}

/// Opens a case: 普通程序 / 快速办理 as a filing request; 简易程序 decided on the spot.
#[utoipa::path(post, path = "/api/v1/cases", tag = "行政处罚", request_body = Object, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_open(State(app): State<AppState>, a: Authed, ApiJson(b): ApiJson<CaseInput>) -> ApiResult<Response> {
    let (case, document) = app.services.open_case(a.ctx(), b).await?;
    let tag = etag(case.version);
    Ok(([(header::ETAG, tag)], Json(Opened { case, document })).into_response())
}

/// A case with its documents, publication, time limits and the steps the caller may take; `ETag` is its
/// version.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "行政处罚", params(("id" = String, Path, description = "案件 id")), responses((status = 200, body = Object)))]
pub async fn api_get(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Response> {
    let v: CaseView = app.services.case_view(a.ctx(), &id).await?;
    Ok(([(header::ETAG, etag(v.case.version))], Json(v)).into_response())
}

/// Takes a step (`approve_filing`, `record`, `propose`, `review_proposal`, `statement`, `schedule_hearing`,
/// `hold_hearing`, `submit_review`, `legal_review`, `deliberate`, `decide`, `serve`, `pay`, `demand`,
/// `apply_enforcement`, `enforcement_result`, `extend`, `transfer`, `transfer_outcome`, `remedy`,
/// `remedy_outcome`, `close`, `archive`, `preservation_done`). `If-Match` must carry the case's ETag: of
/// two concurrent approvals one succeeds and the other gets 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps/{step}", tag = "行政处罚", request_body = Object, params(("id" = String, Path, description = "案件 id"), ("step" = String, Path, description = "环节"), ("If-Match" = String, Header, description = "案件 ETag")), responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_step(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    ApiJson(b): ApiJson<StepInput>,
) -> ApiResult<Response> {
    let version = expected_version(&headers, b.version)?;
    let case = app.services.case_step(a.ctx(), &id, &step, b, version).await?;
    Ok(([(header::ETAG, etag(case.version))], Json(case)).into_response())
}

/// What to reveal and why.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    /// `id_number` or `phone`.
    pub field: String,
    /// Why (4–200 characters, audited).
    pub reason: String,
}

/// A person party's ID number or phone, unmasked; the reason is audited.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reveal", tag = "行政处罚", request_body = Object, params(("id" = String, Path, description = "案件 id")), responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_reveal(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RevealBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let value = app.services.reveal_case_party(a.ctx(), &id, &b.field, &b.reason).await?;
    Ok(Json(serde_json::json!({ "value": value })))
}

async fn reveal_form(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    PageForm(f): PageForm<RevealBody>,
) -> PageResult<axum::response::Html<String>> {
    let v = app.services.reveal_case_party(a.ctx(), &id, &f.field, &f.reason).await?;
    Ok(crate::views::secret_fragment("已记录查看理由。号码如下（请勿转发或截图外传）：", &v))
}

/// The violations of the Fire Law with their statutory ranges.
#[utoipa::path(get, path = "/api/v1/violations", tag = "行政处罚", responses((status = 200, body = Object)))]
pub async fn api_violations(State(app): State<AppState>, _a: Authed) -> ApiResult<Json<Vec<Violation>>> {
    Ok(Json(app.services.violations().violations.clone()))
}

/// A violation and a level.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdviceQuery {
    violation_code: String,
    severity: String,
}

/// The recommended range for a violation and circumstance level, with the rule it came from.
#[utoipa::path(get, path = "/api/v1/discretion", tag = "行政处罚", params(("violation_code" = String, Query, description = "违法行为编号"), ("severity" = String, Query, description = "minor / ordinary / serious")), responses((status = 200, body = Object)))]
pub async fn api_discretion(
    State(app): State<AppState>,
    _a: Authed,
    Query(q): Query<AdviceQuery>,
) -> ApiResult<Json<Advice>> {
    Ok(Json(app.services.advice(&q.violation_code, Severity::parse(&q.severity)?).await?))
}

/// Publications of decisions in the caller's jurisdiction (drafts awaiting review, published, withdrawn).
#[utoipa::path(get, path = "/api/v1/case-publications", tag = "行政处罚", responses((status = 200, body = Object)))]
pub async fn api_publications(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<Publication>>> {
    Ok(Json(app.services.publications(a.ctx()).await?))
}

/// A publication's version (or `If-Match`) and, to withdraw, the reason.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    reason: String,
}

/// Approves and publishes a decision after the scanner passes it.
#[utoipa::path(post, path = "/api/v1/case-publications/{id}/publish", tag = "行政处罚", request_body = Object, params(("id" = String, Path, description = "公示 id")), responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_publish(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PublishBody>,
) -> ApiResult<Json<Publication>> {
    let version = expected_version(&headers, b.version)?;
    Ok(Json(app.services.publish_decision(a.ctx(), &id, version).await?))
}

/// Withdraws a published decision, with the reason shown on the portal.
#[utoipa::path(post, path = "/api/v1/case-publications/{id}/withdraw", tag = "行政处罚", request_body = Object, params(("id" = String, Path, description = "公示 id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_withdraw(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PublishBody>,
) -> ApiResult<Json<Publication>> {
    let version = expected_version(&headers, b.version)?;
    Ok(Json(app.services.withdraw_decision(a.ctx(), &id, &b.reason, version).await?))
}

/// The portal's search and page.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    page: Option<u32>,
}

/// A page of published decisions.
#[derive(Serialize)]
pub struct PublicPage {
    /// Decisions.
    pub rows: Vec<Publication>,
    /// How many match.
    pub total: u64,
}

/// Published penalty decisions (no login): search by party, number or violation.
#[utoipa::path(get, path = "/api/v1/public/decisions", tag = "行政处罚", security(()), params(("q" = Option<String>, Query, description = "检索词"), ("page" = Option<u32>, Query, description = "页码")), responses((status = 200, body = Object)))]
pub async fn api_public_list(State(app): State<AppState>, Query(q): Query<PublicQuery>) -> ApiResult<Json<PublicPage>> {
    let (rows, total) = app.services.public_decisions(q.q.as_deref(), q.page.unwrap_or(1)).await?;
    Ok(Json(PublicPage { rows, total }))
}

/// One published (or withdrawn) decision.
#[utoipa::path(get, path = "/api/v1/public/decisions/{id}", tag = "行政处罚", security(()), params(("id" = String, Path, description = "公示 id")), responses((status = 200, body = Object)))]
pub async fn api_public_get(State(app): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Publication>> {
    Ok(Json(app.services.public_decision(&id).await?))
}

// ---- pages ----

#[derive(Template, WebTemplate)]
#[template(path = "cases/list.html")]
struct ListPage {
    l: Layout,
    cases: Vec<Case>,
    counts: Vec<(CaseStatus, u64)>,
    status: String,
    mine: bool,
    can_open: bool,
    publications: Vec<Publication>,
    publish_days: u32,
}

async fn list_page(State(app): State<AppState>, a: Authed, Query(q): Query<ListQuery>) -> PageResult<ListPage> {
    let s = &app.services;
    let statuses = statuses_of(&q)?;
    let mine = q.mine.unwrap_or(false);
    let actor = &a.auth().actor;
    let drafts = s.publications(a.ctx()).await?.into_iter().filter(|p| p.status.code() == "draft").collect();
    Ok(ListPage {
        l: Layout::new(Some(a.auth()), "行政处罚案件", "/cases"),
        cases: s.cases(a.ctx(), statuses, mine, q.unit_id.clone()).await?,
        counts: s.case_counts(a.ctx()).await?,
        status: q.status.clone().unwrap_or_default(),
        mine,
        can_open: actor.has_anywhere(Perm::EnforcementAct),
        publish_days: s.publication_days().await?,
        publications: drafts,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewQuery {
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    party: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    procedure: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    source_id: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cases/new.html")]
struct NewPage {
    l: Layout,
    q: String,
    units: Vec<(String, String, String)>,
    unit: Option<(String, String, String)>,
    person: bool,
    procedure: String,
    source: String,
    source_id: String,
    sources: Vec<(&'static str, &'static str)>,
    violations: Vec<Violation>,
    officers: Vec<(String, String)>,
    me: String,
}

async fn new_page(State(app): State<AppState>, a: Authed, Query(q): Query<NewQuery>) -> PageResult<NewPage> {
    let s = &app.services;
    let text = q.q.clone().unwrap_or_default();
    let units = if text.trim().is_empty() {
        vec![]
    } else {
        let filter =
            domain::services::registry::UnitFilter { q: Some(text.clone()), per_page: 30, ..Default::default() };
        s.search_units(a.ctx(), &filter)
            .await?
            .0
            .into_iter()
            .map(|u| (u.id.clone(), u.facts.name.clone(), u.facts.address.clone()))
            .collect()
    };
    let unit = match q.unit_id.as_deref().filter(|u| !u.is_empty()) {
        Some(id) => {
            let u = s.get_unit(a.ctx(), id).await?;
            Some((u.id.clone(), u.facts.name.as_str().to_string(), u.credit_code.as_str().to_string()))
        }
        None => None,
    };
    let actor = &a.auth().actor;
    let officers = s.case_officers(a.ctx()).await?.into_iter().filter(|(id, _)| *id != actor.user_id).collect();
    Ok(NewPage {
        l: Layout::new(Some(a.auth()), "行政处罚立案", "/cases"),
        q: text,
        units,
        unit,
        person: q.party.as_deref() == Some("person"),
        procedure: q.procedure.unwrap_or_else(|| "general".into()),
        source: q.source.unwrap_or_else(|| "inspection".into()),
        source_id: q.source_id.unwrap_or_default(),
        sources: CaseSource::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        violations: s.violations().violations.clone(),
        officers,
        me: actor.display_name.clone(),
    })
}

/// The form sends the same fields as the API (empty selects as empty strings, which the service ignores).
async fn open_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(input): PageForm<CaseInput>,
) -> PageResult<Response> {
    let (c, _) = app.services.open_case(a.ctx(), input).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/cases/{}", c.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "cases/detail.html")]
struct CasePage {
    l: Layout,
    v: CaseView,
    deadlines: Vec<WorkItem>,
    violations: Vec<Violation>,
    severities: Vec<(&'static str, &'static str)>,
    methods: &'static [&'static str],
    outcomes: Vec<(&'static str, &'static str)>,
    officers: Vec<(String, String)>,
    today: String,
    me: String,
    can_publish: bool,
    can_reveal: bool,
    advice: Option<Advice>,
}

impl CasePage {
    fn has(&self, step: &str) -> bool {
        self.v.steps.contains(&step)
    }

    /// Whether the actor takes part in the case now (may serve its notices).
    fn has_any_step(&self) -> bool {
        !self.v.steps.is_empty()
    }

    /// The decision is served through the case's own step (which makes the 送达回证 and starts the
    /// payment period), never through the generic form.
    fn is_decision(&self, d: &domain::document::Document) -> bool {
        self.v.case.decision.as_ref().is_some_and(|x| x.doc_id == d.id)
    }
}

async fn case_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<CasePage> {
    let s = &app.services;
    let v = s.case_view(a.ctx(), &id).await?;
    let actor = &a.auth().actor;
    let advice = match &v.case.proposal {
        Some(p) => s.advice(&p.violation_code, p.severity).await.ok(),
        None => None,
    };
    let officers = s.case_officers(a.ctx()).await?.into_iter().filter(|(id, _)| !v.case.is_handler(id)).collect();
    let can_publish = (actor.can(Perm::LegalReview, &v.case.org_path)
        || actor.can(Perm::AgencyApprove, &v.case.org_path))
        && !v.case.is_handler(&actor.user_id);
    Ok(CasePage {
        l: Layout::new(Some(a.auth()), format!("案件：{}", v.case.title), "/cases"),
        deadlines: s.deadlines_of(a.ctx(), &id).await?,
        violations: s.violations().violations.clone(),
        severities: Severity::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        methods: &SERVICE_METHODS,
        outcomes: REMEDY_OUTCOMES.iter().map(|(c, l, _)| (*c, *l)).collect(),
        officers,
        today: a.ctx().now.local_date().to_string(),
        me: actor.display_name.clone(),
        can_publish,
        can_reveal: actor.can(Perm::PersonalInfoReveal, &v.case.org_path),
        advice,
        v,
    })
}

async fn step_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    PageForm(f): PageForm<StepInput>,
) -> PageResult<Response> {
    let version = f.version.ok_or_else(|| DomainError::invalid("version", "页面已过期，请刷新后重试"))?;
    app.services.case_step(a.ctx(), &id, &step, f, version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/cases/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishForm {
    version: i64,
    #[serde(default)]
    reason: String,
    case_id: String,
}

async fn publish_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<PublishForm>,
) -> PageResult<Response> {
    app.services.publish_decision(a.ctx(), &id, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/cases/{}", f.case_id)))
}

async fn withdraw_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<PublishForm>,
) -> PageResult<Response> {
    app.services.withdraw_decision(a.ctx(), &id, &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/cases/{}", f.case_id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/decisions.html")]
struct PublicListPage {
    l: Layout,
    rows: Vec<Publication>,
    total: u64,
    q: String,
    page: u32,
    pages: u32,
}

async fn public_list_page(
    State(app): State<AppState>,
    r: Req,
    Query(q): Query<PublicQuery>,
) -> PageResult<PublicListPage> {
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = app.services.public_decisions(q.q.as_deref(), page).await?;
    Ok(PublicListPage {
        l: Layout::new(r.auth.as_deref(), "行政处罚决定公示", ""),
        rows,
        total,
        q: q.q.unwrap_or_default(),
        page,
        pages: (total.div_ceil(20)).max(1) as u32,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/decision.html")]
struct PublicDecisionPage {
    l: Layout,
    p: Publication,
}

async fn public_page(State(app): State<AppState>, r: Req, Path(id): Path<String>) -> PageResult<PublicDecisionPage> {
    let p = app.services.public_decision(&id).await?;
    Ok(PublicDecisionPage { l: Layout::new(r.auth.as_deref(), "行政处罚决定公示", ""), p })
}
