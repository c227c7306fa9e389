//! Static files, compiled into the binary: one file to deploy, nothing fetched from a CDN (deployments sit
//! on isolated government networks).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// (path under /static/, content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../static/app.css")),
    ("inspection.js", "text/javascript; charset=utf-8", include_bytes!("../../static/inspection.js")),
    ("handover.js", "text/javascript; charset=utf-8", include_bytes!("../../static/handover.js")),
    (
        "vendor/htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/vendor/htmx-2.0.11.min.js"),
    ),
];

/// `/static/*`.
pub fn router() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ctype, bytes)) => {
            ([(header::CONTENT_TYPE, *ctype), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
