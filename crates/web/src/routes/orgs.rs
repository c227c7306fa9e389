//! The org tree (机构管理): pages for the system administrator, and `/api/v1/orgs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::authz::Perm;
use domain::org::{Org, OrgLevel};
use domain::services::orgs::{NewOrg, OrgUpdate};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/orgs", get(list_page).post(create_form))
        .route("/admin/orgs/{id}", get(edit_page).post(update_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orgs", get(api_list).post(api_create))
        .route("/api/v1/orgs/{id}", get(api_get).put(api_update))
}

/// An org as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgView {
    /// Id.
    pub id: String,
    /// Parent id, absent for the root.
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// Short name for document numbers.
    pub short_name: Option<String>,
    /// Level code: corps, detachment, brigade, station, town.
    pub level: String,
    /// Level name.
    pub level_label: String,
    /// In use.
    pub active: bool,
    /// Version, to send back when changing.
    pub version: i64,
    /// Depth in the tree (root = 1).
    pub depth: usize,
}

impl From<&Org> for OrgView {
    fn from(o: &Org) -> Self {
        OrgView {
            id: o.id.0.clone(),
            parent_id: o.parent_id.as_ref().map(|p| p.0.clone()),
            name: o.name.as_str().into(),
            short_name: o.short_name.clone(),
            level: o.level.code().into(),
            level_label: o.level.label().into(),
            active: o.active,
            version: o.version,
            depth: o.path.depth(),
        }
    }
}

/// A new org.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    /// Parent org id.
    pub parent_id: String,
    /// Name (2–60 characters).
    pub name: String,
    /// Short name (≤ 10 characters).
    #[serde(default)]
    pub short_name: Option<String>,
    /// Level code: detachment, brigade, station, town.
    pub level: String,
}

impl From<CreateOrg> for NewOrg {
    fn from(c: CreateOrg) -> Self {
        NewOrg { parent_id: c.parent_id, name: c.name, short_name: c.short_name, level: c.level }
    }
}

/// Changes to an org.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrg {
    /// Name.
    pub name: String,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// In use.
    pub active: bool,
    /// The version read.
    pub version: i64,
}

/// Orgs inside the caller's jurisdiction, as a tree in order.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "机构", responses((status = 200, body = [OrgView])))]
pub async fn api_list(State(app): State<AppState>, a: Authed) -> ApiResult<Json<Vec<OrgView>>> {
    Ok(Json(app.services.list_orgs(a.ctx()).await?.iter().map(OrgView::from).collect()))
}

/// One org.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "机构", params(("id" = String, Path, description = "机构 id")),
    responses((status = 200, body = OrgView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> ApiResult<Json<OrgView>> {
    Ok(Json(OrgView::from(&app.services.get_org(a.ctx(), &id).await?)))
}

/// Creates an org under a parent in the caller's jurisdiction (系统管理员).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "机构", request_body = CreateOrg,
    responses((status = 201, body = OrgView), (status = 403, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(app): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<CreateOrg>,
) -> ApiResult<Response> {
    let org = app.services.create_org(a.ctx(), body.into()).await?;
    Ok((StatusCode::CREATED, Json(OrgView::from(&org))).into_response())
}

/// Renames or (de)activates an org.
#[utoipa::path(put, path = "/api/v1/orgs/{id}", tag = "机构", request_body = UpdateOrg, params(("id" = String, Path, description = "机构 id")),
    responses((status = 200, body = OrgView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateOrg>,
) -> ApiResult<Json<OrgView>> {
    let update = OrgUpdate { name: b.name, short_name: b.short_name, active: b.active, version: b.version };
    Ok(Json(OrgView::from(&app.services.update_org(a.ctx(), &id, update).await?)))
}

struct TreeRow {
    id: String,
    name: String,
    short_name: String,
    level: &'static str,
    indent: usize,
    active: bool,
}

struct ParentOption {
    id: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/orgs.html")]
struct OrgsPage {
    l: Layout,
    rows: Vec<TreeRow>,
    parents: Vec<ParentOption>,
    levels: Vec<(&'static str, &'static str)>,
    can_manage: bool,
}

async fn list_page(State(app): State<AppState>, a: Authed) -> PageResult<OrgsPage> {
    let orgs = app.services.list_orgs(a.ctx()).await?;
    let actor = &a.auth().actor;
    let min_depth = orgs.iter().map(|o| o.path.depth()).min().unwrap_or(1);
    let rows = orgs
        .iter()
        .map(|o| TreeRow {
            id: o.id.0.clone(),
            name: o.name.as_str().into(),
            short_name: o.short_name.clone().unwrap_or_default(),
            level: o.level.label(),
            indent: o.path.depth() - min_depth,
            active: o.active,
        })
        .collect();
    let parents = orgs
        .iter()
        .filter(|o| {
            o.active && actor.can(Perm::OrgManage, &o.path) && o.level != OrgLevel::Town && o.level != OrgLevel::Station
        })
        .map(|o| ParentOption {
            id: o.id.0.clone(),
            label: format!("{}{}", "　".repeat(o.path.depth() - min_depth), o.name.as_str()),
        })
        .collect();
    Ok(OrgsPage {
        l: Layout::new(Some(a.auth()), "机构管理", "/admin/orgs"),
        rows,
        parents,
        levels: OrgLevel::ALL.iter().skip(1).map(|l| (l.code(), l.label())).collect(),
        can_manage: actor.has_anywhere(Perm::OrgManage),
    })
}

async fn create_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<CreateOrg>,
) -> PageResult<Response> {
    app.services.create_org(a.ctx(), f.into()).await?;
    Ok(htmx_aware_redirect(&headers, "/admin/orgs"))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/org_edit.html")]
struct OrgEditPage {
    l: Layout,
    org: OrgView,
    is_root: bool,
}

async fn edit_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<OrgEditPage> {
    let org = app.services.get_org(a.ctx(), &id).await?;
    Ok(OrgEditPage {
        l: Layout::new(Some(a.auth()), "修改机构", "/admin/orgs"),
        is_root: org.parent_id.is_none(),
        org: OrgView::from(&org),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgEditForm {
    name: String,
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    active: Option<String>,
    version: i64,
}

async fn update_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<OrgEditForm>,
) -> PageResult<Response> {
    let update = OrgUpdate { name: f.name, short_name: f.short_name, active: f.active.is_some(), version: f.version };
    app.services.update_org(a.ctx(), &id, update).await?;
    Ok(htmx_aware_redirect(&headers, "/admin/orgs"))
}
