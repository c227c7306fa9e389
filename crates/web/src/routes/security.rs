//! The security policy (安全策略: 安全管理员), as a page and `/api/v1/security/policy`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use domain::authz::Perm;
use domain::policy::{LockoutPolicy, PasswordPolicy, SecurityPolicy, SessionPolicy};
use domain::services::security::root_of;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new().route("/security/policy", get(page).post(save_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new().route("/api/v1/security/policy", get(api_get).put(api_put))
}

/// The policy with its version.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// Minimum password length (8–64).
    pub password_min_length: u32,
    /// Character classes required (1–4).
    pub password_min_classes: u32,
    /// Days before a password must be changed (0 = never, else 30–180).
    pub password_max_age_days: u32,
    /// Previous passwords that may not be reused (0–24).
    pub password_history: u32,
    /// Failed logins that lock an account (3–10).
    pub lockout_max_failures: u32,
    /// Window for counting failures, minutes (1–60).
    pub lockout_window_minutes: u32,
    /// Lock duration, minutes (5–1440).
    pub lockout_lock_minutes: u32,
    /// Idle session timeout, minutes (5–120).
    pub session_idle_minutes: u32,
    /// Absolute session lifetime, hours (1–24).
    pub session_absolute_hours: u32,
    /// Version read (0 = defaults never saved).
    pub version: i64,
}

impl PolicyDoc {
    fn from_policy(p: &SecurityPolicy, version: i64) -> Self {
        PolicyDoc {
            password_min_length: p.password.min_length,
            password_min_classes: p.password.min_classes,
            password_max_age_days: p.password.max_age_days,
            password_history: p.password.history,
            lockout_max_failures: p.lockout.max_failures,
            lockout_window_minutes: p.lockout.window_minutes,
            lockout_lock_minutes: p.lockout.lock_minutes,
            session_idle_minutes: p.session.idle_minutes,
            session_absolute_hours: p.session.absolute_hours,
            version,
        }
    }
    fn policy(&self) -> SecurityPolicy {
        SecurityPolicy {
            password: PasswordPolicy {
                min_length: self.password_min_length,
                min_classes: self.password_min_classes,
                max_age_days: self.password_max_age_days,
                history: self.password_history,
            },
            lockout: LockoutPolicy {
                max_failures: self.lockout_max_failures,
                window_minutes: self.lockout_window_minutes,
                lock_minutes: self.lockout_lock_minutes,
            },
            session: SessionPolicy {
                idle_minutes: self.session_idle_minutes,
                absolute_hours: self.session_absolute_hours,
            },
        }
    }
}

async fn require_reader(a: &Authed) -> domain::Result<()> {
    let actor = &a.auth().actor;
    actor.require(Perm::PolicyManage, &root_of(&actor.org_path))
}

/// The policy in force (安全管理员).
#[utoipa::path(get, path = "/api/v1/security/policy", tag = "安全策略", responses((status = 200, body = PolicyDoc), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_get(State(app): State<AppState>, a: Authed) -> ApiResult<Json<PolicyDoc>> {
    require_reader(&a).await?;
    let (p, v) = app.services.security_policy().await?;
    Ok(Json(PolicyDoc::from_policy(&p, v)))
}

/// Replaces the policy (安全管理员).
#[utoipa::path(put, path = "/api/v1/security/policy", tag = "安全策略", request_body = PolicyDoc,
    responses((status = 200, body = PolicyDoc), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_put(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(doc): ApiJson<PolicyDoc>,
) -> ApiResult<Json<PolicyDoc>> {
    app.services.update_security_policy(a.ctx(), doc.policy(), doc.version).await?;
    let (p, v) = app.services.security_policy().await?;
    Ok(Json(PolicyDoc::from_policy(&p, v)))
}

#[derive(Template, WebTemplate)]
#[template(path = "security/policy.html")]
struct PolicyPage {
    l: Layout,
    p: PolicyDoc,
}

async fn page(State(app): State<AppState>, a: Authed) -> PageResult<PolicyPage> {
    require_reader(&a).await?;
    let (p, v) = app.services.security_policy().await?;
    Ok(PolicyPage {
        l: Layout::new(Some(a.auth()), "安全策略", "/security/policy"), p: PolicyDoc::from_policy(&p, v)
    })
}

async fn save_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(doc): PageForm<PolicyDoc>,
) -> PageResult<Response> {
    app.services.update_security_policy(a.ctx(), doc.policy(), doc.version).await?;
    Ok(htmx_aware_redirect(&headers, "/security/policy"))
}
