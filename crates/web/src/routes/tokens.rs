//! API tokens (接口令牌) for the user's own API clients: issue, list, revoke.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, htmx_aware_redirect};
use crate::routes::auth::TokenResponse;
use crate::views::{self, Layout};

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new().route("/tokens", get(page).post(create_form)).route("/tokens/{id}/revoke", post(revoke_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(api_list).post(api_create))
        .route("/api/v1/tokens/{id}", delete(api_revoke))
}

/// A new token.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What it is for.
    pub name: String,
    /// Validity in days (1–365).
    pub days: u32,
}

/// A token (never its secret).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Issued (RFC 3339).
    pub created_at: String,
    /// Expiry.
    pub expires_at: String,
    /// Revoked, if it was.
    pub revoked_at: Option<String>,
}

/// The caller's tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "认证", responses((status = 200, body = [TokenView])))]
pub async fn api_list(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<TokenView>>> {
    let tokens = app.services.list_api_tokens(a.ctx()).await?;
    Ok(Json(
        tokens
            .iter()
            .map(|t| TokenView {
                id: t.id.clone(),
                name: t.name.clone(),
                created_at: t.created_at.to_rfc3339(),
                expires_at: t.expires_at.to_rfc3339(),
                revoked_at: t.revoked_at.map(|x| x.to_rfc3339()),
            })
            .collect(),
    ))
}

/// Issues a token for the caller; the secret is returned once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "认证", request_body = CreateToken, responses((status = 201, body = TokenResponse)))]
pub async fn api_create(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(b): ApiJson<CreateToken>,
) -> ApiResult<Response> {
    let (t, secret) = app.services.create_api_token(a.ctx(), &b.name, b.days).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { id: t.id, token: secret, expires_at: t.expires_at.to_rfc3339() }))
        .into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "认证", params(("id" = String, Path, description = "令牌 id")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_revoke(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.services.revoke_api_token(a.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct Row {
    id: String,
    name: String,
    created: String,
    expires: String,
    state: &'static str,
    live: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    l: Layout,
    rows: Vec<Row>,
}

async fn page(State(app): State<AppState>, a: Authed) -> PageResult<TokensPage> {
    let now = a.ctx().now;
    let rows = app
        .services
        .list_api_tokens(a.ctx())
        .await?
        .iter()
        .map(|t| {
            let (state, live) = match t.revoked_at {
                Some(_) => ("已吊销", false),
                None if t.expires_at <= now => ("已过期", false),
                None => ("有效", true),
            };
            Row {
                id: t.id.clone(),
                name: t.name.clone(),
                created: t.created_at.to_local_string(),
                expires: t.expires_at.to_local_string(),
                state,
                live,
            }
        })
        .collect();
    Ok(TokensPage { l: Layout::new(Some(a.auth()), "接口令牌", "/tokens"), rows })
}

async fn create_form(
    State(app): State<AppState>,
    a: Authed,
    PageForm(f): PageForm<CreateToken>,
) -> PageResult<Response> {
    let (_, secret) = app.services.create_api_token(a.ctx(), &f.name, f.days).await?;
    Ok(views::secret_fragment("令牌已签发。请在请求头中使用 Authorization: Bearer 令牌：", &secret).into_response())
}

async fn revoke_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.revoke_api_token(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, "/tokens"))
}
