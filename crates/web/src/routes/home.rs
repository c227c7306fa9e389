//! The workbench (工作台): who I am, what I may do, and my worklist.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use domain::authz::Perm;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageResult;
use crate::request::{Authed, Query};
use crate::views::Layout;

/// `/`.
pub fn pages() -> Router<AppState> {
    Router::new().route("/", get(home))
}

struct GrantRow {
    role: &'static str,
    org: String,
    admin: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    name: String,
    username: String,
    org: String,
    grants: Vec<GrantRow>,
    certificate: Option<(String, String, &'static str, &'static str)>,
    admin_only: bool,
    missing_years: Vec<i32>,
    changed: bool,
    tasks: Vec<TaskItem>,
    work: Vec<domain::services::inspections::WorkItem>,
    overdue: usize,
    alerts: Vec<domain::ports::inspection::Alert>,
}

/// A random-check task waiting for its result.
struct TaskItem {
    id: String,
    unit_id: String,
    recorded: bool,
    plan_id: String,
    seq: i64,
    unit: String,
    address: String,
    plan: String,
    due: String,
}

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    changed: Option<String>,
}

async fn home(State(app): State<AppState>, a: Authed, Query(q): Query<HomeQuery>) -> PageResult<HomePage> {
    let actor = &a.auth().actor;
    let account = app.services.store.account(&actor.user_id).await?.ok_or(domain::DomainError::Unauthenticated)?;
    let today = a.ctx().now.local_date();
    let certificate = account.certificate.as_ref().map(|c| {
        let (label, class) = if !c.valid_on(today) {
            ("已过期：不能实施执法行为", "bad")
        } else if c.expires_on <= today + chrono::Days::new(60) {
            ("即将到期，请及时办理换证", "warn")
        } else {
            ("有效", "ok")
        };
        (c.number.clone(), c.expires_on.to_string(), label, class)
    });
    let missing_years = if actor.has_anywhere(Perm::CalendarManage) {
        app.services.missing_calendar_years().await?
    } else {
        Vec::new()
    };
    let tasks = if actor.has_anywhere(Perm::EnforcementAct) {
        app.services
            .my_tasks(a.ctx())
            .await?
            .into_iter()
            .map(|(t, p)| TaskItem {
                id: t.id.clone(),
                unit_id: t.unit_id.clone(),
                recorded: t.result.is_some(),
                plan_id: p.id.clone(),
                seq: t.seq,
                unit: t.unit_name.clone(),
                address: t.unit_address.clone(),
                plan: p.title.clone(),
                due: p.period_end.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (work, alerts) = if actor.has_anywhere(Perm::RecordRead) {
        (app.services.worklist(a.ctx(), true, 50).await?, app.services.alerts(a.ctx(), true).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let overdue = work.iter().filter(|w| w.urgency == domain::deadline::Urgency::Overdue).count();
    Ok(HomePage {
        tasks,
        work: work.into_iter().take(10).collect(),
        overdue,
        alerts: alerts.into_iter().take(5).collect(),
        l: Layout::new(Some(a.auth()), "工作台", "/"),
        name: actor.display_name.clone(),
        username: actor.username.clone(),
        org: account.org_name.clone(),
        grants: actor
            .grants
            .iter()
            .map(|g| GrantRow { role: g.role.label(), org: g.org_name.clone(), admin: g.role.is_admin() })
            .collect(),
        certificate,
        admin_only: !actor.grants.is_empty() && actor.grants.iter().all(|g| g.role.is_admin()),
        missing_years,
        changed: q.changed.is_some(),
    })
}
