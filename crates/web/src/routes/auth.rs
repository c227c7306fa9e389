//! Logging in and out, changing one's password, the first-start set-up, and API tokens by password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::services::bootstrap::BootstrapInput;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Req, clear_cookie, htmx_aware_redirect, session_cookie};
use crate::views::{self, Layout};

/// Login, logout, password, bootstrap pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(change_password))
        .route("/bootstrap", get(bootstrap_page).post(bootstrap))
}

/// `/api/v1/auth/token`, `/api/v1/me`.
pub fn api() -> Router<AppState> {
    Router::new().route("/api/v1/auth/token", post(api_token)).route("/api/v1/me", get(api_me))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    error: Option<String>,
    username: String,
    bootstrap: bool,
}

async fn login_page(State(app): State<AppState>, r: Req) -> PageResult<Response> {
    if r.auth.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let bootstrap = app.services.needs_bootstrap().await?;
    Ok(LoginPage { l: Layout::new(None, "登录", ""), error: None, username: String::new(), bootstrap }.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(app): State<AppState>,
    r: Req,
    headers: axum::http::HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    match app.services.login(&r.ctx, &f.username, &f.password, ua).await {
        Ok(out) => {
            let to = if out.must_change_password { "/password" } else { "/" };
            let mut resp = htmx_aware_redirect(&headers, to);
            if let Ok(v) = HeaderValue::from_str(&session_cookie(app.config.cookie_secure, &out.session_token)) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            if r.htmx {
                let mut resp = (status, views::alert_fragment("error", &e.to_string())).into_response();
                resp.headers_mut().insert("hx-retarget", HeaderValue::from_static("#flash"));
                resp.headers_mut().insert("hx-reswap", HeaderValue::from_static("innerHTML"));
                resp
            } else {
                let page = LoginPage {
                    l: Layout::new(None, "登录", ""),
                    error: Some(e.to_string()),
                    username: f.username,
                    bootstrap: false,
                };
                (status, page).into_response()
            }
        }
    }
}

async fn logout(State(app): State<AppState>, r: Req) -> Response {
    if let Some(token) = r.auth.as_ref().and_then(|a| a.session_token.clone())
        && let Err(e) = app.services.logout(&r.ctx, &token).await
    {
        tracing::warn!(error = %e, "logout failed");
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie(app.config.cookie_secure)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    l: Layout,
    forced: bool,
    min_length: u32,
    min_classes: u32,
    history: u32,
}

async fn password_page(State(app): State<AppState>, a: Authed) -> PageResult<PasswordPage> {
    let (policy, _) = app.services.security_policy().await?;
    Ok(PasswordPage {
        l: Layout::new(Some(a.auth()), "修改密码", ""),
        forced: a.auth().must_change_password,
        min_length: policy.password.min_length,
        min_classes: policy.password.min_classes,
        history: policy.password.history,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm_password: String,
}

async fn change_password(
    State(app): State<AppState>,
    a: Authed,
    headers: axum::http::HeaderMap,
    PageForm(f): PageForm<PasswordForm>,
) -> PageResult<Response> {
    let session = a.auth().session_token.clone();
    app.services
        .change_password(a.ctx(), session.as_deref(), &f.old_password, &f.new_password, &f.confirm_password)
        .await?;
    Ok(htmx_aware_redirect(&headers, "/?changed=1"))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/bootstrap.html")]
struct BootstrapPage {
    l: Layout,
    secret_hours: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/bootstrap_done.html")]
struct BootstrapDone {
    l: Layout,
    org: String,
    sys_username: String,
    sec_username: String,
    sec_password: String,
    audit_username: String,
    audit_password: String,
    secret_hours: i64,
}

async fn bootstrap_page(State(app): State<AppState>) -> PageResult<Response> {
    if !app.services.needs_bootstrap().await? {
        return Ok(Redirect::to("/login").into_response());
    }
    let secret_hours = domain::policy::ONE_TIME_SECRET_HOURS;
    Ok(BootstrapPage { l: Layout::new(None, "系统初始化", ""), secret_hours }.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BootstrapForm {
    secret: String,
    org_name: String,
    #[serde(default)]
    org_short_name: Option<String>,
    org_level: String,
    sys_username: String,
    sys_display_name: String,
    sys_password: String,
    sys_password_confirm: String,
    sec_username: String,
    audit_username: String,
}

async fn bootstrap(State(app): State<AppState>, r: Req, PageForm(f): PageForm<BootstrapForm>) -> PageResult<Response> {
    let input = BootstrapInput {
        secret: f.secret,
        org_name: f.org_name,
        org_short_name: f.org_short_name,
        org_level: f.org_level,
        sys_username: f.sys_username,
        sys_display_name: f.sys_display_name,
        sys_password: f.sys_password,
        sys_password_confirm: f.sys_password_confirm,
        sec_username: f.sec_username,
        audit_username: f.audit_username,
    };
    let (sys, sec, aud) = app.services.bootstrap(&r.ctx, input).await?;
    let page = BootstrapDone {
        l: Layout::new(None, "初始化完成", ""),
        org: sys.org_name.clone(),
        sys_username: sys.username.as_str().into(),
        sec_username: sec.account.username.as_str().into(),
        sec_password: sec.password,
        audit_username: aud.account.username.as_str().into(),
        audit_password: aud.password,
        secret_hours: domain::policy::ONE_TIME_SECRET_HOURS,
    };
    // htmx swaps this whole page in: it carries one-time passwords and must not be a redirect.
    let mut resp = page.into_response();
    resp.headers_mut().insert("hx-retarget", HeaderValue::from_static("body"));
    resp.headers_mut().insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    Ok(resp)
}

/// Request for an API token by user name and password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// What the token is for.
    pub name: String,
    /// Validity in days (1–365), 30 if omitted.
    #[serde(default)]
    pub days: Option<u32>,
}

/// A new API token, shown once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Token id.
    pub id: String,
    /// The bearer token: send as `Authorization: Bearer …`.
    pub token: String,
    /// Expiry (RFC 3339, +08:00).
    pub expires_at: String,
}

/// Issues a bearer token to an API client that logs in with a password. Failures count towards lockout.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "认证", request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 401, body = crate::error::ErrorBody), (status = 423, body = crate::error::ErrorBody)))]
pub async fn api_token(
    State(app): State<AppState>,
    r: Req,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    let (token, secret) = app
        .services
        .token_by_password(&r.ctx, &body.username, &body.password, &body.name, body.days.unwrap_or(30))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse { id: token.id, token: secret, expires_at: token.expires_at.to_rfc3339() }),
    )
        .into_response())
}

/// The current user.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Account id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Own org id.
    pub org_id: String,
    /// Roles over subtrees.
    pub grants: Vec<GrantView>,
}

/// A role over a subtree.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// Grant id.
    pub id: String,
    /// Role code.
    pub role: String,
    /// Role name.
    pub role_label: String,
    /// Subtree root.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
}

impl From<&domain::authz::Grant> for GrantView {
    fn from(g: &domain::authz::Grant) -> Self {
        GrantView {
            id: g.id.clone(),
            role: g.role.code().into(),
            role_label: g.role.label().into(),
            org_id: g.org_id.0.clone(),
            org_name: g.org_name.clone(),
        }
    }
}

/// Who the token or session belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "认证", responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_me(a: Authed) -> Json<Me> {
    let actor = &a.auth().actor;
    Json(Me {
        id: actor.user_id.clone(),
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        org_id: actor.org_id.0.clone(),
        grants: actor.grants.iter().map(GrantView::from).collect(),
    })
}
