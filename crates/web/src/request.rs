//! Who is asking, and may they: session cookies and bearer tokens, CSRF protection of cookie-authenticated
//! writes, the forced password change, and typed request bodies that refuse what they do not know.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use domain::audit::Ctx;
use domain::authz::Actor;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{ApiError, PendingPageError};
use crate::views;

/// Largest form or JSON body accepted (uploads have their own limits later).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Session cookie (browser): writes need the CSRF token.
    Cookie,
    /// Bearer token (API client).
    Bearer,
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct AuthInfo {
    /// Who.
    pub actor: std::sync::Arc<Actor>,
    /// How.
    pub via: Via,
    /// The session cookie's token (for logout and password change).
    pub session_token: Option<String>,
    /// The session's CSRF token, for forms.
    pub csrf_token: String,
    /// The password must be changed before anything else.
    pub must_change_password: bool,
}

/// Set by [`authenticate`] on every request.
#[derive(Debug, Clone)]
pub struct AuthState(pub Option<std::sync::Arc<AuthInfo>>);

/// The name of the session cookie. `__Host-` binds it to this host, path `/`, and HTTPS.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-firelaw_session" } else { "firelaw_session" }
}

/// The Set-Cookie value for a new session.
pub fn session_cookie(secure: bool, token: &str) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}", cookie_name(secure))
}

/// The Set-Cookie value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}", cookie_name(secure))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

/// Constant-time string comparison.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses a request before it reaches a route: JSON for the API, a message for a page.
fn reject(api: bool, htmx: bool, e: DomainError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        let status = crate::error::status_of(&e);
        page_error(htmx, None, status, &e.to_string())
    }
}

/// A page error: a fragment for the message area when htmx asked, else a whole page.
fn page_error(htmx: bool, auth: Option<&AuthInfo>, status: StatusCode, message: &str) -> Response {
    if htmx {
        let mut r = (status, views::alert_fragment("error", message)).into_response();
        r.headers_mut().insert("hx-retarget", HeaderValue::from_static("#flash"));
        r.headers_mut().insert("hx-reswap", HeaderValue::from_static("innerHTML"));
        r
    } else {
        (status, views::error_page(auth, status, message)).into_response()
    }
}

/// Resolves the session or bearer token, enforces CSRF on cookie-authenticated writes and the forced
/// password change, and records the result in the request extensions.
pub async fn authenticate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);

    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::to_string);
    let session_cookie = cookie(headers, cookie_name(app.config.cookie_secure)).map(str::to_string);
    let htmx = is_htmx(headers);
    let form = is_form(headers);
    // Cross-site requests never write, whatever they carry (ASVS 4.2.2, 13.2.3).
    let cross_site = headers.get("sec-fetch-site").is_some_and(|v| v == "cross-site");
    let origin_mismatch = match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) if origin != "null" => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    };
    let header_csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut auth = None;
    if let Some(token) = bearer {
        match app.services.authenticate_bearer(&token).await {
            Ok(actor) => {
                auth = Some(AuthInfo {
                    actor: std::sync::Arc::new(actor),
                    via: Via::Bearer,
                    session_token: None,
                    csrf_token: String::new(),
                    must_change_password: false,
                })
            }
            Err(e) => return reject(api, htmx, e),
        }
    } else if let Some(token) = session_cookie {
        match app.services.authenticate_session(&token).await {
            Ok(s) => {
                auth = Some(AuthInfo {
                    actor: std::sync::Arc::new(s.actor),
                    via: Via::Cookie,
                    session_token: Some(token),
                    csrf_token: s.session.csrf_token,
                    must_change_password: s.must_change_password,
                })
            }
            Err(DomainError::Unauthenticated) => {}
            Err(e) => return reject(api, htmx, e),
        }
    }

    let mut req = req;
    if unsafe_method {
        if cross_site || origin_mismatch {
            return forbidden_csrf(api, htmx);
        }
        let cookie_auth = auth.as_ref().is_some_and(|a| a.via == Via::Cookie);
        if cookie_auth {
            let expected = auth.as_ref().map(|a| a.csrf_token.clone()).unwrap_or_default();
            let token = match header_csrf {
                Some(t) => Some(t),
                None if form => {
                    // Plain forms (no JavaScript) carry the token as a field: read the body, then put it back.
                    let (parts, body) = req.into_parts();
                    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
                        Ok(b) => b,
                        Err(_) => return reject(api, htmx, DomainError::invalid("body", "请求内容过大或不完整")),
                    };
                    let field = form_field(&bytes, "csrf_token");
                    req = Request::from_parts(parts, Body::from(bytes));
                    field
                }
                None => None,
            };
            if !token.is_some_and(|t| same(&t, &expected)) {
                tracing::warn!(path = %path, "CSRF token missing or wrong");
                return forbidden_csrf(api, htmx);
            }
        }
    }

    if let Some(a) = &auth {
        let allowed_while_forced = matches!(path.as_str(), "/password" | "/logout") || path.starts_with("/static/");
        if a.must_change_password && !allowed_while_forced {
            if api {
                return ApiError(DomainError::Rule("请先在网页上修改初始密码或已过期的密码".into())).into_response();
            }
            return redirect(htmx, "/password");
        }
    }
    req.extensions_mut().insert(AuthState(auth.map(std::sync::Arc::new)));
    next.run(req).await
}

fn forbidden_csrf(api: bool, htmx: bool) -> Response {
    let e = DomainError::Rule("请求校验失败（跨站请求或页面已过期），请刷新页面后重试".into());
    let mut r = reject(api, htmx, e);
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(bytes: &Bytes, name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A redirect that htmx follows as a full navigation. When the target is the page already shown (it may
/// differ by its `#` anchor only), the browser would merely scroll, so htmx is told to reload it instead.
pub fn htmx_aware_redirect(headers: &HeaderMap, to: &str) -> Response {
    let htmx = is_htmx(headers);
    let current = headers.get("hx-current-url").and_then(|v| v.to_str().ok()).unwrap_or("");
    if htmx && same_page(current, to) {
        let mut r = StatusCode::OK.into_response();
        r.headers_mut().insert("hx-refresh", HeaderValue::from_static("true"));
        return r;
    }
    redirect(htmx, to)
}

/// Whether the absolute `current` address and the site path `to` name the same page, anchors aside.
fn same_page(current: &str, to: &str) -> bool {
    let without_anchor = |s: &str| s.split('#').next().unwrap_or("").to_string();
    let path = current.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
    !path.is_empty() && without_anchor(path) == without_anchor(to)
}

/// A redirect: `HX-Redirect` for htmx (a full navigation), 303 otherwise.
pub fn redirect(htmx: bool, to: &str) -> Response {
    if htmx {
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            r.headers_mut().insert("hx-redirect", v);
        }
        r
    } else {
        Redirect::to(to).into_response()
    }
}

/// Renders [`crate::error::PageError`]s: a message fragment for htmx (shown in the page's message area),
/// the login page for an expired session, or a whole error page.
pub async fn render_page_errors(req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let auth = req.extensions().get::<AuthState>().and_then(|a| a.0.clone());
    let response = next.run(req).await;
    let Some(pending) = response.extensions().get::<PendingPageError>().cloned() else {
        return response;
    };
    if pending.unauthenticated {
        return htmx_aware_redirect(&headers, "/login");
    }
    page_error(is_htmx(&headers), auth.as_deref(), response.status(), &pending.message)
}

/// The request as the services see it: the actor (if any), client address, request id and time.
pub struct Req {
    /// For the services.
    pub ctx: Ctx,
    /// Session facts.
    pub auth: Option<std::sync::Arc<AuthInfo>>,
    /// Sent by htmx.
    pub htmx: bool,
}

impl FromRequestParts<AppState> for Req {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<AuthState>().and_then(|a| a.0.clone());
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(64)
            .collect();
        Ok(Req {
            ctx: Ctx { actor: auth.as_ref().map(|a| a.actor.clone()), ip, request_id, now: app.services.clock.now() },
            auth,
            htmx: is_htmx(&parts.headers),
        })
    }
}

/// A request by an authenticated user; anyone else is sent to the login page (or gets 401 from the API).
pub struct Authed(pub Req);

impl FromRequestParts<AppState> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let req = Req::from_request_parts(parts, app).await?;
        if req.auth.is_some() {
            return Ok(Authed(req));
        }
        if is_api(parts.uri.path()) {
            Err(ApiError(DomainError::Unauthenticated).into_response())
        } else {
            Err(htmx_aware_redirect(&parts.headers, "/login"))
        }
    }
}

impl Authed {
    /// The services' context.
    pub fn ctx(&self) -> &Ctx {
        &self.0.ctx
    }
    /// The session facts.
    pub fn auth(&self) -> &AuthInfo {
        self.0.auth.as_deref().expect("Authed always has auth")
    }
}

/// A JSON body: `application/json` only (else 415), unknown fields refused, and every error names the
/// field in Chinese.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            let body = crate::error::ErrorBody {
                error: crate::error::ErrorDetail {
                    code: "unsupported_media_type".into(),
                    message: "请求体须为 JSON（Content-Type: application/json）".into(),
                    field: None,
                },
            };
            return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, axum::Json(body)).into_response());
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| ApiError(DomainError::invalid("body", "请求体过大或不完整")).into_response())?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            ApiError(explain_serde(&path, &e.inner().to_string())).into_response()
        })
    }
}

/// A urlencoded form body with the same rules as [`ApiJson`].
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        if !is_form(req.headers()) {
            let htmx = is_htmx(req.headers());
            return Err(page_error(
                htmx,
                None,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请通过页面表单提交（Content-Type 须为表单）",
            ));
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| crate::error::PageError(DomainError::invalid("body", "表单内容过大")).into_response())?;
        // The CSRF token was checked by [`authenticate`]; it is not part of any form's data.
        let cleaned: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form_urlencoded::parse(&bytes).filter(|(k, _)| k != "csrf_token"))
            .finish();
        // serde_html_form, not serde_urlencoded: a group of checkboxes sends one key several times.
        let de = serde_html_form::Deserializer::from_bytes(cleaned.as_bytes());
        serde_path_to_error::deserialize(de).map(PageForm).map_err(|e| {
            let path = e.path().to_string();
            crate::error::PageError(explain_serde(&path, &e.inner().to_string())).into_response()
        })
    }
}

/// Query-string parameters, parsed with the same rules as [`ApiJson`]: unknown parameters are refused and
/// every error names the parameter in Chinese (JSON for the API, a message for pages).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(Query).map_err(|e| {
            let err = explain_serde(&e.path().to_string(), &e.inner().to_string());
            if is_api(parts.uri.path()) {
                ApiError(err).into_response()
            } else {
                let status = crate::error::status_of(&err);
                page_error(is_htmx(&parts.headers), None, status, &err.to_string())
            }
        })
    }
}

/// Turns serde's English into a Chinese message that names the field.
pub fn explain_serde(path: &str, msg: &str) -> DomainError {
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if msg.starts_with("unknown field") {
        let f = quoted(msg);
        DomainError::invalid(&f, format!("不接受字段“{f}”"))
    } else if msg.starts_with("missing field") {
        let f = quoted(msg);
        DomainError::invalid(&f, format!("缺少必填字段“{f}”"))
    } else if msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.starts_with("unknown variant")
        || msg.contains("invalid digit")
        || msg.contains("number too large")
    {
        let f = if path == "." { "body".to_string() } else { path.to_string() };
        DomainError::invalid(&f, format!("字段“{f}”的值或类型不正确"))
    } else if path == "." || path.is_empty() {
        DomainError::invalid("body", "请求体不是有效的 JSON 或表单")
    } else {
        DomainError::invalid(path, format!("字段“{path}”格式不正确"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_errors_become_chinese_and_name_the_field() {
        let e = explain_serde(".", "unknown field `nmae`, expected one of `name`, `level`");
        assert_eq!(e.to_string(), "不接受字段“nmae”");
        let e = explain_serde(".", "missing field `level`");
        assert!(e.to_string().contains("level"));
        let e = explain_serde("version", "invalid type: string \"x\", expected i64");
        assert!(matches!(e, DomainError::Validation { ref field, .. } if field == "version"));
    }

    #[test]
    fn a_redirect_to_the_page_shown_reloads_it() {
        let here = "http://127.0.0.1:8080/inspections/a#documents";
        assert!(same_page(here, "/inspections/a#documents"));
        assert!(same_page("http://h/inspections/a", "/inspections/a#documents"), "an anchor alone does not reload");
        assert!(!same_page("http://h/inspections/a?saved=1", "/inspections/a#documents"));
        assert!(!same_page("http://h/inspections/a", "/inspections/b"));
        assert!(!same_page("", "/inspections/a"));
    }
}
