//! How a [`DomainError`] reaches the user: JSON for the API, an HTML page or an htmx fragment for the UI.
//! The message is always the error's Chinese text; an internal cause goes to the log with the request id
//! and never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use serde::Serialize;

/// The HTTP status of an error.
pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Validation { .. } | DomainError::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::Unauthenticated | DomainError::BadCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Locked { .. } => StatusCode::LOCKED,
        DomainError::Forbidden => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A machine-readable code for API clients.
pub fn code_of(e: &DomainError) -> &'static str {
    match e {
        DomainError::Validation { .. } => "validation",
        DomainError::Rule(_) => "rule",
        DomainError::Unauthenticated => "unauthenticated",
        DomainError::BadCredentials => "bad_credentials",
        DomainError::Locked { .. } => "locked",
        DomainError::Forbidden => "forbidden",
        DomainError::NotFound(_) => "not_found",
        DomainError::Conflict(_) => "conflict",
        DomainError::Unavailable => "unavailable",
        DomainError::Internal(_) => "internal",
    }
}

fn log(e: &DomainError) {
    if let DomainError::Internal(cause) = e {
        tracing::error!(%cause, "internal error");
    }
}

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code: validation, rule, unauthenticated, bad_credentials, locked, forbidden,
    /// not_found, conflict, unsupported_media_type, unavailable, internal.
    pub code: String,
    /// Chinese message for the user.
    pub message: String,
    /// The offending field, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log(&self.0);
        let field = match &self.0 {
            DomainError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let body =
            ErrorBody { error: ErrorDetail { code: code_of(&self.0).into(), message: self.0.to_string(), field } };
        (status_of(&self.0), Json(body)).into_response()
    }
}

/// An error shown in the UI. Rendering waits for [`crate::request::render_page_errors`], which knows
/// whether the request came from htmx (a fragment for the message area) or not (a whole page).
#[derive(Debug)]
pub struct PageError(pub DomainError);

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        PageError(e)
    }
}

/// The error carried to the page renderer in the response extensions.
#[derive(Debug, Clone)]
pub struct PendingPageError {
    /// Chinese message.
    pub message: String,
    /// Whether the user must log in.
    pub unauthenticated: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log(&self.0);
        let mut r = status_of(&self.0).into_response();
        r.extensions_mut().insert(PendingPageError {
            message: self.0.to_string(),
            unauthenticated: matches!(self.0, DomainError::Unauthenticated),
        });
        r
    }
}

/// `Result` for JSON handlers.
pub type ApiResult<T> = Result<T, ApiError>;
/// `Result` for page handlers.
pub type PageResult<T> = Result<T, PageError>;
