//! Accounts (账户管理: 系统管理员) and their roles (授权: 安全管理员), as pages and `/api/v1/accounts`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use domain::account::Account;
use domain::authz::{Perm, Role};
use domain::services::accounts::{AccountUpdate, NewAccount};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, htmx_aware_redirect};
use crate::routes::auth::GrantView;
use crate::views::{self, Layout, OrgOption};

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list_page).post(create_form))
        .route("/admin/accounts/{id}", get(detail_page).post(update_form))
        .route("/admin/accounts/{id}/password-reset", post(reset_form))
        .route("/admin/accounts/{id}/unlock", post(unlock_form))
        .route("/admin/accounts/{id}/grants", post(grant_form))
        .route("/admin/grants/{id}/revoke", post(revoke_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", get(api_list).post(api_create))
        .route("/api/v1/accounts/{id}", get(api_get).put(api_update))
        .route("/api/v1/accounts/{id}/password-reset", post(api_reset))
        .route("/api/v1/accounts/{id}/unlock", post(api_unlock))
        .route("/api/v1/accounts/{id}/grants", get(api_grants).post(api_grant))
        .route("/api/v1/grants/{id}", delete(api_revoke))
}

/// An account as the API shows it. No password material ever leaves the server.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Own org.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Enforcement certificate number.
    pub certificate_no: Option<String>,
    /// Its last valid day.
    pub certificate_expires_on: Option<String>,
    /// Whether the certificate is valid today (Beijing time).
    pub certificate_valid: bool,
    /// Locked until (RFC 3339), if locked now.
    pub locked_until: Option<String>,
    /// Must change the password at next login.
    pub must_change_password: bool,
    /// Last login (RFC 3339).
    pub last_login_at: Option<String>,
    /// Version, to send back when changing.
    pub version: i64,
}

fn view(a: &Account, now: domain::time::Timestamp) -> AccountView {
    AccountView {
        id: a.id.clone(),
        username: a.username.as_str().into(),
        display_name: a.display_name.as_str().into(),
        org_id: a.org_id.0.clone(),
        org_name: a.org_name.clone(),
        status: a.status.code().into(),
        certificate_no: a.certificate.as_ref().map(|c| c.number.clone()),
        certificate_expires_on: a.certificate.as_ref().map(|c| c.expires_on.to_string()),
        certificate_valid: a.certificate.as_ref().is_some_and(|c| c.valid_on(now.local_date())),
        locked_until: a.locked_until.filter(|t| *t > now).map(|t| t.to_rfc3339()),
        must_change_password: a.must_change_password,
        last_login_at: a.last_login_at.map(|t| t.to_rfc3339()),
        version: a.version,
    }
}

/// A new account. The initial password is generated and returned once.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// Login name (3–32 of a-z 0-9 . _ -).
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Own org.
    pub org_id: String,
    /// Enforcement certificate number.
    #[serde(default)]
    pub certificate_no: Option<String>,
    /// Its last valid day, YYYY-MM-DD.
    #[serde(default)]
    pub certificate_expires_on: Option<String>,
}

/// A created account with its one-time password.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    /// The account.
    pub account: AccountView,
    /// One-time initial password: changed at first login, void after 72 hours unused.
    pub initial_password: String,
}

/// Changes to an account.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// Name.
    pub display_name: String,
    /// Own org.
    pub org_id: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Certificate number (empty: none).
    #[serde(default)]
    pub certificate_no: Option<String>,
    /// Certificate expiry.
    #[serde(default)]
    pub certificate_expires_on: Option<String>,
    /// The version read.
    pub version: i64,
}

/// A new one-time password.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetPassword {
    /// One-time password.
    pub initial_password: String,
}

/// A role to grant.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRole {
    /// Role code: officer, dept_head, legal_reviewer, agency_head, leader, town_officer, sys_admin,
    /// sec_admin, audit_admin.
    pub role: String,
    /// The org whose subtree the role covers.
    pub org_id: String,
}

/// Account search.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Fragment of user name, name or certificate number.
    #[serde(default)]
    pub q: Option<String>,
}

/// Accounts in the caller's jurisdiction (系统管理员, 安全管理员).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "账户", params(("q" = Option<String>, Query, description = "按用户名、姓名、执法证号查找")),
    responses((status = 200, body = [AccountView]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<AccountView>>> {
    let now = a.ctx().now;
    Ok(Json(app.services.list_accounts(a.ctx(), q.q.as_deref()).await?.iter().map(|x| view(x, now)).collect()))
}

/// Creates an account with a one-time password (系统管理员).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "账户", request_body = CreateAccount,
    responses((status = 201, body = CreatedAccount), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<CreateAccount>,
) -> ApiResult<Response> {
    let new = NewAccount {
        username: b.username,
        display_name: b.display_name,
        org_id: b.org_id,
        certificate_no: b.certificate_no,
        certificate_expires_on: b.certificate_expires_on,
    };
    let (account, password) = app.services.create_account(a.ctx(), new).await?;
    let body = CreatedAccount { account: view(&account, a.ctx().now), initial_password: password };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// One account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "账户", params(("id" = String, Path, description = "账户 id")),
    responses((status = 200, body = AccountView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<AccountView>> {
    Ok(Json(view(&app.services.get_account(a.ctx(), &id).await?, a.ctx().now)))
}

/// Changes an account (系统管理员).
#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "账户", request_body = UpdateAccount, params(("id" = String, Path, description = "账户 id")),
    responses((status = 200, body = AccountView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateAccount>,
) -> ApiResult<Json<AccountView>> {
    let update = AccountUpdate {
        display_name: b.display_name,
        org_id: b.org_id,
        status: b.status,
        certificate_no: b.certificate_no,
        certificate_expires_on: b.certificate_expires_on,
        version: b.version,
    };
    Ok(Json(view(&app.services.update_account(a.ctx(), &id, update).await?, a.ctx().now)))
}

/// Issues a new one-time password (系统管理员).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-reset", tag = "账户", params(("id" = String, Path, description = "账户 id")),
    responses((status = 200, body = ResetPassword), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_reset(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ResetPassword>> {
    Ok(Json(ResetPassword { initial_password: app.services.reset_password(a.ctx(), &id).await? }))
}

/// Lifts a lockout (安全管理员).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unlock", tag = "账户", params(("id" = String, Path, description = "账户 id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_unlock(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.services.unlock_account(a.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's roles.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/grants", tag = "授权", params(("id" = String, Path, description = "账户 id")),
    responses((status = 200, body = [GrantView])))]
pub async fn api_grants(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<GrantView>>> {
    Ok(Json(app.services.account_grants(a.ctx(), &id).await?.iter().map(GrantView::from).collect()))
}

/// Grants a role over an org subtree (安全管理员).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/grants", tag = "授权", request_body = GrantRole, params(("id" = String, Path, description = "账户 id")),
    responses((status = 201, body = GrantView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_grant(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<GrantRole>,
) -> ApiResult<Response> {
    let g = app.services.grant_role(a.ctx(), &id, &b.role, &b.org_id).await?;
    Ok((StatusCode::CREATED, Json(GrantView::from(&g))).into_response())
}

/// Revokes a role (安全管理员).
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "授权", params(("id" = String, Path, description = "授权 id")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_revoke(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.services.revoke_grant(a.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct Row {
    id: String,
    username: String,
    name: String,
    org: String,
    status: &'static str,
    disabled: bool,
    locked: bool,
    certificate: String,
    cert_class: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    l: Layout,
    q: String,
    rows: Vec<Row>,
    orgs: Vec<OrgOption>,
    can_manage: bool,
    secret_hours: i64,
}

fn cert_text(a: &Account, now: domain::time::Timestamp) -> (String, &'static str) {
    match &a.certificate {
        None => ("—".into(), ""),
        Some(c) if !c.valid_on(now.local_date()) => (format!("{}（{}已过期）", c.number, c.expires_on), "bad"),
        Some(c) => (format!("{}（至{}）", c.number, c.expires_on), "ok"),
    }
}

async fn list_page(State(app): State<AppState>, a: Authed, Query(q): Query<ListQuery>) -> PageResult<AccountsPage> {
    let now = a.ctx().now;
    let accounts = app.services.list_accounts(a.ctx(), q.q.as_deref()).await?;
    let rows = accounts
        .iter()
        .map(|x| {
            let (certificate, cert_class) = cert_text(x, now);
            Row {
                id: x.id.clone(),
                username: x.username.as_str().into(),
                name: x.display_name.as_str().into(),
                org: x.org_name.clone(),
                status: x.status.label(),
                disabled: x.status != domain::account::AccountStatus::Active,
                locked: x.is_locked(now),
                certificate,
                cert_class,
            }
        })
        .collect();
    Ok(AccountsPage {
        l: Layout::new(Some(a.auth()), "账户管理", "/admin/accounts"),
        q: q.q.unwrap_or_default(),
        rows,
        orgs: views::org_options(&app, &a, Perm::AccountManage, false).await?,
        can_manage: a.auth().actor.has_anywhere(Perm::AccountManage),
        secret_hours: domain::policy::ONE_TIME_SECRET_HOURS,
    })
}

async fn create_form(
    State(app): State<AppState>,
    a: Authed,
    PageForm(f): PageForm<CreateAccount>,
) -> PageResult<Response> {
    let new = NewAccount {
        username: f.username,
        display_name: f.display_name,
        org_id: f.org_id,
        certificate_no: f.certificate_no,
        certificate_expires_on: f.certificate_expires_on,
    };
    let (account, password) = app.services.create_account(a.ctx(), new).await?;
    let msg = format!("账户 {}（{}）已创建。初始密码：", account.username.as_str(), account.display_name.as_str());
    Ok(views::secret_fragment(&msg, &password).into_response())
}

struct GrantRow {
    id: String,
    role: &'static str,
    org: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/account.html")]
struct AccountPage {
    l: Layout,
    a: AccountView,
    locked_text: String,
    last_login: String,
    grants: Vec<GrantRow>,
    orgs: Vec<OrgOption>,
    grant_orgs: Vec<OrgOption>,
    roles: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    can_grant: bool,
    can_unlock: bool,
}

async fn detail_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<AccountPage> {
    let now = a.ctx().now;
    let account = app.services.get_account(a.ctx(), &id).await?;
    let grants = app.services.account_grants(a.ctx(), &id).await?;
    let actor = &a.auth().actor;
    Ok(AccountPage {
        l: Layout::new(Some(a.auth()), "账户详情", "/admin/accounts"),
        locked_text: account.locked_until.filter(|t| *t > now).map(|t| t.to_local_string()).unwrap_or_default(),
        last_login: views::when(account.last_login_at),
        grants: grants
            .iter()
            .map(|g| GrantRow { id: g.id.clone(), role: g.role.label(), org: g.org_name.clone() })
            .collect(),
        orgs: views::org_options(&app, &a, Perm::AccountManage, false).await?,
        grant_orgs: views::org_options(&app, &a, Perm::RoleGrant, false).await?,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        can_manage: actor.can(Perm::AccountManage, &account.org_path),
        can_grant: actor.can(Perm::RoleGrant, &account.org_path) && account.id != actor.user_id,
        can_unlock: actor.can(Perm::AccountUnlock, &account.org_path),
        a: view(&account, now),
    })
}

async fn update_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<UpdateAccount>,
) -> PageResult<Response> {
    let update = AccountUpdate {
        display_name: f.display_name,
        org_id: f.org_id,
        status: f.status,
        certificate_no: f.certificate_no,
        certificate_expires_on: f.certificate_expires_on,
        version: f.version,
    };
    app.services.update_account(a.ctx(), &id, update).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/admin/accounts/{id}")))
}

async fn reset_form(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<Response> {
    let password = app.services.reset_password(a.ctx(), &id).await?;
    Ok(views::secret_fragment("密码已重置，该账户的登录均已失效。新的一次性密码：", &password).into_response())
}

async fn unlock_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.unlock_account(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/admin/accounts/{id}")))
}

async fn grant_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<GrantRole>,
) -> PageResult<Response> {
    app.services.grant_role(a.ctx(), &id, &f.role, &f.org_id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/admin/accounts/{id}")))
}

async fn revoke_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let back = match app.services.store.grant(&id).await? {
        Some((user_id, _)) => format!("/admin/accounts/{user_id}"),
        None => "/admin/accounts".into(),
    };
    app.services.revoke_grant(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &back))
}
