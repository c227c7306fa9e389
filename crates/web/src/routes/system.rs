//! Health, metrics, the OpenAPI document and the 404 answer.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::DomainError;

use crate::AppState;
use crate::error::ApiError;

/// `/healthz`, `/metrics`, `/api/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
}

/// Liveness and database reachability.
async fn healthz(State(app): State<AppState>) -> Response {
    match app.services.store.org_count().await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response()
        }
    }
}

/// Prometheus text format, for a scraper on the same host only: request counts by route are not for the
/// world (scrape through a local agent or an SSH tunnel).
async fn metrics(State(app): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if !peer.is_some_and(|addr| addr.ip().is_loopback()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match &app.metrics {
        Some(h) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

/// 404 in the form the client expects.
pub async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        ApiError(DomainError::NotFound("接口")).into_response()
    } else {
        let auth = req.extensions().get::<crate::request::AuthState>().and_then(|a| a.0.clone());
        let message = DomainError::NotFound("页面").to_string();
        (StatusCode::NOT_FOUND, crate::views::error_page(auth.as_deref(), StatusCode::NOT_FOUND, &message))
            .into_response()
    }
}
