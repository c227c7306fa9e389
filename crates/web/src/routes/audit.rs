//! The audit log (审计日志: 审计管理员): search, export, and `/api/v1/audit`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::audit::{AuditRecord, Outcome, actions};
use domain::calendar::parse_date;
use domain::ports::AuditQuery;
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{Authed, PageForm, Query};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new().route("/audit", get(page)).route("/audit/export", post(export))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(api_search))
}

const PAGE_SIZE: u32 = 50;

/// Search filters, from a query string or a form.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// From this day (YYYY-MM-DD, Beijing time), inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// To this day, inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// User name.
    #[serde(default)]
    pub actor: Option<String>,
    /// Event type code.
    #[serde(default)]
    pub action: Option<String>,
    /// success, failure or denied.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Object id.
    #[serde(default)]
    pub object_id: Option<String>,
    /// Page number from 1.
    #[serde(default)]
    pub page: Option<u32>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

impl AuditFilter {
    fn query(&self) -> domain::Result<AuditQuery> {
        let from = nonempty(&self.from).map(|d| parse_date("from", &d)).transpose()?;
        let to = nonempty(&self.to).map(|d| parse_date("to", &d)).transpose()?;
        if nonempty(&self.action).is_some_and(|a| !actions::ALL.contains(&a.as_str())) {
            return Err(domain::DomainError::invalid("action", "事件类型无效"));
        }
        if nonempty(&self.outcome).is_some_and(|o| !["success", "failure", "denied"].contains(&o.as_str())) {
            return Err(domain::DomainError::invalid("outcome", "结果无效"));
        }
        let page = self.page.unwrap_or(1).clamp(1, 100_000);
        Ok(AuditQuery {
            from: from.map(Timestamp::start_of_local_day),
            to: to.and_then(|d| d.succ_opt()).map(Timestamp::start_of_local_day),
            actor_name: nonempty(&self.actor).map(|a| a.to_lowercase()),
            action: nonempty(&self.action),
            outcome: nonempty(&self.outcome),
            object_id: nonempty(&self.object_id),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
    }
}

/// An audit record as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditView {
    /// Chain position.
    pub seq: i64,
    /// When (RFC 3339, +08:00).
    pub at: String,
    /// User name.
    pub actor: String,
    /// Role codes.
    pub roles: String,
    /// Client address.
    pub ip: String,
    /// Request id.
    pub request_id: String,
    /// Event type.
    pub action: String,
    /// Event name.
    pub action_label: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// success, failure, denied.
    pub outcome: String,
    /// Reason.
    pub reason: String,
    /// Detail (JSON text).
    pub detail: String,
    /// HMAC-SM3 of the record in the chain.
    pub mac: String,
}

fn view(r: &AuditRecord) -> AuditView {
    AuditView {
        seq: r.seq,
        at: Timestamp(r.at).to_rfc3339(),
        actor: if r.actor_name.is_empty() { "（匿名）".into() } else { r.actor_name.clone() },
        roles: r.actor_roles.clone(),
        ip: r.ip.clone(),
        request_id: r.request_id.clone(),
        action: r.action.clone(),
        action_label: actions::label(&r.action).into(),
        object_type: r.object_type.clone(),
        object_id: r.object_id.clone(),
        outcome: r.outcome.clone(),
        reason: r.reason.clone(),
        detail: r.detail.clone(),
        mac: r.mac.clone(),
    }
}

/// A page of results.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Matching records in all pages.
    pub total: u64,
    /// This page, newest first.
    pub records: Vec<AuditView>,
}

/// Searches audit records (审计管理员).
#[utoipa::path(get, path = "/api/v1/audit", tag = "审计", params(AuditFilter),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_search(
    State(app): State<AppState>,
    a: Authed,
    Query(f): Query<AuditFilter>,
) -> ApiResult<Json<AuditPage>> {
    let (rows, total) = app.services.search_audit(a.ctx(), f.query()?).await?;
    Ok(Json(AuditPage { total, records: rows.iter().map(view).collect() }))
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    ip: String,
    action: &'static str,
    object: String,
    outcome: &'static str,
    outcome_code: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/search.html")]
struct SearchPage {
    l: Layout,
    f: AuditFilter,
    rows: Vec<Row>,
    total: u64,
    page: u32,
    pages: u64,
    actions: Vec<(&'static str, &'static str)>,
    prev_link: String,
    next_link: String,
    has_next: bool,
}

fn link(f: &AuditFilter, page: u32) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("from", &f.from),
        ("to", &f.to),
        ("actor", &f.actor),
        ("action", &f.action),
        ("outcome", &f.outcome),
        ("object_id", &f.object_id),
    ] {
        if let Some(v) = nonempty(v) {
            s.append_pair(k, &v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/audit?{}", s.finish())
}

async fn page(State(app): State<AppState>, a: Authed, Query(f): Query<AuditFilter>) -> PageResult<SearchPage> {
    let q = f.query()?;
    let page = f.page.unwrap_or(1).max(1);
    let (records, total) = app.services.search_audit(a.ctx(), q).await?;
    let rows = records
        .iter()
        .map(|r| Row {
            seq: r.seq,
            at: Timestamp(r.at).to_local_string(),
            actor: if r.actor_name.is_empty() { "（匿名）".into() } else { r.actor_name.clone() },
            ip: r.ip.clone(),
            action: actions::label(&r.action),
            object: if r.object_id.is_empty() {
                r.object_type.clone()
            } else {
                format!("{} {}", r.object_type, r.object_id)
            },
            outcome: Outcome::label(&r.outcome),
            outcome_code: r.outcome.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    Ok(SearchPage {
        l: Layout::new(Some(a.auth()), "审计日志", "/audit"),
        prev_link: link(&f, page.saturating_sub(1).max(1)),
        next_link: link(&f, page + 1),
        has_next: u64::from(page) < pages,
        f,
        rows,
        total,
        page,
        pages,
        actions: actions::ALL.iter().map(|c| (*c, actions::label(c))).collect(),
    })
}

/// CSV of the matching records, with a BOM so that Excel reads the Chinese correctly.
async fn export(State(app): State<AppState>, a: Authed, PageForm(f): PageForm<AuditFilter>) -> PageResult<Response> {
    let rows = app.services.export_audit(a.ctx(), f.query()?).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "序号",
        "时间（北京时间）",
        "用户",
        "角色",
        "IP",
        "请求编号",
        "事件",
        "事件代码",
        "对象类型",
        "对象",
        "结果",
        "原因",
        "详情",
        "校验码",
    ];
    let csv_err = |e: csv::Error| domain::DomainError::internal(e);
    w.write_record(header).map_err(csv_err)?;
    for r in &rows {
        w.write_record([
            r.seq.to_string(),
            Timestamp(r.at).to_local_string(),
            r.actor_name.clone(),
            r.actor_roles.clone(),
            r.ip.clone(),
            r.request_id.clone(),
            actions::label(&r.action).to_string(),
            r.action.clone(),
            r.object_type.clone(),
            r.object_id.clone(),
            Outcome::label(&r.outcome).to_string(),
            r.reason.clone(),
            r.detail.clone(),
            r.mac.clone(),
        ])
        .map_err(csv_err)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(w.into_inner().map_err(|e| domain::DomainError::internal(e.to_string()))?);
    let name = format!("attachment; filename=\"audit-{}.csv\"", a.ctx().now.local_date());
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], body)
        .into_response())
}
