//! What every page shares: the layout (title, navigation, the user bar, the CSRF token), and small
//! rendering helpers. Navigation shows only what the user's roles can reach; it is a convenience, not a
//! check: the services decide access.

use askama::Template;
use axum::body::Body;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{Html, Response};
use domain::authz::{Actor, Perm};
use domain::time::Timestamp;

use crate::request::AuthInfo;

/// One navigation entry.
pub struct NavItem {
    /// Target.
    pub href: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// The current section.
    pub active: bool,
}

/// The user bar.
pub struct UserBar {
    /// Name.
    pub name: String,
    /// Login name.
    pub username: String,
    /// Own org.
    pub org: String,
}

/// Everything the base template needs.
pub struct Layout {
    /// Page title.
    pub title: String,
    /// CSRF token for forms and htmx.
    pub csrf: String,
    /// The user, when logged in.
    pub user: Option<UserBar>,
    /// Navigation.
    pub nav: Vec<NavItem>,
}

impl Layout {
    /// The layout for a page in section `active` (an href of the navigation).
    pub fn new(auth: Option<&AuthInfo>, title: impl Into<String>, active: &str) -> Layout {
        let (user, nav) = match auth {
            None => (None, Vec::new()),
            Some(a) => (
                Some(UserBar {
                    name: a.actor.display_name.clone(),
                    username: a.actor.username.clone(),
                    org: a.actor.org_name.clone(),
                }),
                nav_for(&a.actor, active),
            ),
        };
        Layout { title: title.into(), csrf: auth.map(|a| a.csrf_token.clone()).unwrap_or_default(), user, nav }
    }
}

fn nav_for(actor: &Actor, active: &str) -> Vec<NavItem> {
    let items: [(&'static str, &'static str, Option<Perm>); 13] = [
        ("/", "工作台", None),
        ("/units", "检查对象", Some(Perm::RecordRead)),
        ("/checks", "双随机抽查", Some(Perm::RecordRead)),
        ("/inspections", "监督检查", Some(Perm::RecordRead)),
        ("/cases", "行政处罚", Some(Perm::RecordRead)),
        ("/entrustments", "委托执法", Some(Perm::RecordRead)),
        ("/admin/orgs", "机构管理", Some(Perm::OrgManage)),
        ("/admin/accounts", "账户管理", Some(Perm::AccountRead)),
        ("/admin/settings", "业务设置", Some(Perm::SettingsManage)),
        ("/security/policy", "安全策略", Some(Perm::PolicyManage)),
        ("/audit", "审计日志", Some(Perm::AuditRead)),
        ("/calendar", "工作日历", None),
        ("/tokens", "接口令牌", None),
    ];
    items
        .into_iter()
        .filter(|(_, _, perm)| perm.is_none_or(|p| actor.has_anywhere(p)))
        .map(|(href, label, _)| NavItem { href, label, active: href == active })
        .collect()
}

/// An org in a form's select, indented by its depth in the tree.
pub struct OrgOption {
    /// Id.
    pub id: String,
    /// Name with full-width spaces for its depth.
    pub label: String,
}

/// The active orgs where the actor holds `perm`, as select options in tree order; only 支队 and 大队 when
/// `agencies_only`.
pub async fn org_options(
    app: &crate::AppState,
    a: &crate::request::Authed,
    perm: Perm,
    agencies_only: bool,
) -> domain::Result<Vec<OrgOption>> {
    let actor = &a.auth().actor;
    let orgs = app.services.list_orgs(a.ctx()).await?;
    let min_depth = orgs.iter().map(|o| o.path.depth()).min().unwrap_or(1);
    Ok(orgs
        .iter()
        .filter(|o| o.active && (!agencies_only || o.level.is_agency()) && actor.can(perm, &o.path))
        .map(|o| OrgOption {
            id: o.id.0.clone(),
            label: format!("{}{}", "　".repeat(o.path.depth() - min_depth), o.name.as_str()),
        })
        .collect())
}

/// `2026-02-12 09:30:00` (Beijing time), or `—`.
pub fn when(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_local_string()).unwrap_or_else(|| "—".into())
}

#[derive(Template)]
#[template(path = "_alert.html")]
struct Alert<'a> {
    kind: &'a str,
    message: &'a str,
    detail: Option<&'a str>,
}

/// A message box for the page's message area (htmx swaps it into `#flash`).
pub fn alert_fragment(kind: &str, message: &str) -> Html<String> {
    Html(Alert { kind, message, detail: None }.render().unwrap_or_default())
}

/// A message box with a secret shown once (initial passwords, API tokens).
pub fn secret_fragment(message: &str, secret: &str) -> Html<String> {
    Html(Alert { kind: "secret", message, detail: Some(secret) }.render().unwrap_or_default())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout,
    status: u16,
    message: &'a str,
}

/// A whole page for an error outside htmx.
pub fn error_page(auth: Option<&AuthInfo>, status: StatusCode, message: &str) -> Html<String> {
    let page = ErrorPage { l: Layout::new(auth, "出错了", ""), status: status.as_u16(), message };
    Html(page.render().unwrap_or_else(|_| message.to_string()))
}

/// A download: the bytes with their type and a Chinese file name.
pub fn attachment(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    // RFC 6266 / 5987: the Chinese file name percent-encoded, with an ASCII fallback.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"download.{}\"; filename*=UTF-8''{encoded}",
        name.rsplit('.').next().unwrap_or("bin")
    )) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The page a due date is about, for worklists. An entrustment's quarterly and yearly duties carry their
/// agreement's id before a `#`, which the page address takes as its anchor.
pub fn deadline_href(d: &domain::ports::inspection::Deadline) -> String {
    let id = &d.subject_id;
    match d.subject_type.as_str() {
        "measure" => format!("/measures/{id}"),
        "major_hazard" => format!("/major-hazards/{id}"),
        "hazard" => format!("/hazards/{id}"),
        "case" => format!("/cases/{id}"),
        "entrustment" => format!("/entrustments/{id}"),
        "handover" => format!("/handovers/{id}"),
        _ => format!("/inspections/{id}"),
    }
}
