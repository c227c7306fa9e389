//! firelaw's web layer: the Chinese UI (askama templates, htmx) and the JSON API under `/api/v1`, both
//! calling the same domain services.

pub mod error;
pub mod openapi;
pub mod request;
pub mod routes;
pub mod upload;
pub mod views;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use domain::Services;
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` and name it `__Host-…`. Off only for plain-HTTP test setups.
    pub cookie_secure: bool,
}

/// What every handler shares.
pub struct Shared {
    /// The domain services.
    pub services: Services,
    /// Web settings.
    pub config: WebConfig,
    /// Prometheus registry, if metrics are on.
    pub metrics: Option<PrometheusHandle>,
}

/// Shared by all handlers; one reference count to clone per extractor.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state for the router.
    pub fn new(services: Services, config: WebConfig, metrics: Option<PrometheusHandle>) -> Self {
        AppState(Arc::new(Shared { services, config, metrics }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole application: pages, API, static files, health and metrics, with the security layers.
pub fn app(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    routes::router(state.clone())
        .layer(middleware::from_fn_with_state(state.clone(), request::authenticate))
        .layer(middleware::from_fn_with_state(state, record_metrics))
        .layer(middleware::from_fn(security_headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    // Only method, path and id: query strings may hold search terms about people.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                // One access-log line per request, with status and latency, inside the request's span.
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// Security headers on every response (ASVS 14.4; 等保 L3-CES1-17).
async fn security_headers(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    set(h, HeaderName::from_static("permissions-policy"), "camera=(self), geolocation=(self), microphone=(self)");
    set(h, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) || api {
        // Pages and API answers carry personal and case data: never cached (ASVS 8.2.1).
        set(h, header::CACHE_CONTROL, "no-store");
    }
    r
}

/// Request counts and latencies by route, for `/metrics`.
async fn record_metrics(State(_): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let r = next.run(req).await;
    let status = r.status().as_u16().to_string();
    let elapsed: Duration = start.elapsed();
    metrics::counter!("firelaw_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("firelaw_http_request_seconds", "route" => route, "method" => method)
        .record(elapsed.as_secs_f64());
    r
}
