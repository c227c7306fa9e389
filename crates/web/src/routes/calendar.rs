//! The working-day calendar (工作日历): the deadline calculator for everyone, the holiday data for the
//! system administrator, and `/api/v1/calendar`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Datelike;
use domain::DomainError;
use domain::authz::Perm;
use domain::calendar::Deadline;
use domain::services::calendar::Period;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, PageResult};
use crate::request::{ApiJson, Authed, PageForm, Query, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(page))
        .route("/calendar/deadline", get(deadline_fragment))
        .route("/calendar/days", post(put_day_form))
        .route("/calendar/days/{date}/delete", post(delete_day_form))
        .route("/calendar/years", post(year_form))
}

/// API.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/deadline", get(api_deadline))
        .route("/api/v1/calendar/years/{year}", get(api_year).put(api_put_year))
        .route("/api/v1/calendar/days/{date}", put(api_put_day).delete(api_delete_day))
}

/// What to add: exactly one of the three.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// Start day, YYYY-MM-DD (not counted).
    pub from: String,
    /// Working days (工作日).
    #[serde(default)]
    pub working_days: Option<u32>,
    /// Calendar days; a last day on a rest day moves to the next working day.
    #[serde(default)]
    pub calendar_days: Option<u32>,
    /// Calendar days ending exactly on the last day.
    #[serde(default)]
    pub calendar_days_exact: Option<u32>,
}

impl DeadlineQuery {
    fn period(&self) -> domain::Result<Period> {
        match (self.working_days, self.calendar_days, self.calendar_days_exact) {
            (Some(n), None, None) => Ok(Period::WorkingDays(n)),
            (None, Some(n), None) => Ok(Period::CalendarDays(n)),
            (None, None, Some(n)) => Ok(Period::CalendarDaysExact(n)),
            _ => Err(DomainError::invalid(
                "working_days",
                "请只填写 working_days、calendar_days、calendar_days_exact 中的一项",
            )),
        }
    }
}

/// A computed deadline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// Start day.
    pub from: String,
    /// Last day of the period.
    pub due: String,
    /// Day of the week of `due`, in Chinese.
    pub due_weekday: String,
    /// Warnings: years without a published holiday schedule.
    pub warnings: Vec<String>,
}

fn weekday(d: chrono::NaiveDate) -> &'static str {
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][d.weekday().num_days_from_monday() as usize]
}

fn deadline_view(from: &str, d: &Deadline) -> DeadlineView {
    DeadlineView {
        from: from.trim().to_string(),
        due: d.due.to_string(),
        due_weekday: weekday(d.due).into(),
        warnings: d.warnings.iter().map(|w| w.message.clone()).collect(),
    }
}

/// Computes a legal deadline with the working-day calendar (holidays and 调休 from the State Council
/// notices). Example: from 2026-02-12 plus 3 working days is 2026-02-24.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "工作日历", params(DeadlineQuery),
    responses((status = 200, body = DeadlineView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_deadline(
    State(app): State<AppState>,
    _a: Authed,
    Query(q): Query<DeadlineQuery>,
) -> ApiResult<Json<DeadlineView>> {
    let d = app.services.deadline(&q.from, q.period()?).await?;
    Ok(Json(deadline_view(&q.from, &d)))
}

/// One exception day.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayView {
    /// holiday or makeup_workday.
    pub kind: String,
    /// Festival name.
    pub name: String,
}

/// A year's calendar.
#[derive(Serialize, utoipa::ToSchema)]
pub struct YearView {
    /// Year.
    pub year: i32,
    /// Whether the State Council notice is entered.
    pub published: bool,
    /// The notice.
    pub source: Option<String>,
    /// Exceptions, by date.
    pub days: Vec<DatedDay>,
}

/// An exception with its date.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DatedDay {
    /// Date.
    pub date: String,
    /// holiday or makeup_workday.
    pub kind: String,
    /// Festival name.
    pub name: String,
}

/// Marks a year's notice as entered or not.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearUpdate {
    /// Entered.
    pub published: bool,
    /// Title and number of the notice.
    #[serde(default)]
    pub source: String,
}

fn parse_year(s: &str) -> domain::Result<i32> {
    s.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| DomainError::invalid("year", "年份应为2000至2100之间的数字"))
}

/// A year's holidays and make-up working days.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "工作日历", params(("year" = i32, Path, description = "年份")),
    responses((status = 200, body = YearView)))]
pub async fn api_year(State(app): State<AppState>, a: Authed, Path(year): Path<String>) -> ApiResult<Json<YearView>> {
    let year = parse_year(&year)?;
    let (days, source) = app.services.calendar_year(a.ctx(), year).await?;
    Ok(Json(YearView {
        year,
        published: source.is_some(),
        source,
        days: days
            .into_iter()
            .map(|d| DatedDay { date: d.date.to_string(), kind: d.kind.code().into(), name: d.name })
            .collect(),
    }))
}

/// Marks a year as published or not (系统管理员).
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "工作日历", request_body = YearUpdate, params(("year" = i32, Path, description = "年份")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_put_year(
    State(app): State<AppState>,
    a: Authed,
    Path(year): Path<String>,
    ApiJson(b): ApiJson<YearUpdate>,
) -> ApiResult<StatusCode> {
    app.services.set_calendar_year(a.ctx(), parse_year(&year)?, b.published, &b.source).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds or replaces an exception day (系统管理员).
#[utoipa::path(put, path = "/api/v1/calendar/days/{date}", tag = "工作日历", request_body = DayView, params(("date" = String, Path, description = "日期 YYYY-MM-DD")),
    responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_put_day(
    State(app): State<AppState>,
    a: Authed,
    Path(date): Path<String>,
    ApiJson(b): ApiJson<DayView>,
) -> ApiResult<StatusCode> {
    app.services.put_calendar_day(a.ctx(), &date, &b.kind, &b.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an exception day (系统管理员).
#[utoipa::path(delete, path = "/api/v1/calendar/days/{date}", tag = "工作日历", params(("date" = String, Path, description = "日期 YYYY-MM-DD")),
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_delete_day(State(app): State<AppState>, a: Authed, Path(date): Path<String>) -> ApiResult<StatusCode> {
    app.services.delete_calendar_day(a.ctx(), &date).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct DayRow {
    date: String,
    weekday: &'static str,
    kind: &'static str,
    holiday: bool,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/year.html")]
struct YearPage {
    l: Layout,
    year: i32,
    source: Option<String>,
    days: Vec<DayRow>,
    can_manage: bool,
    today: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    #[serde(default)]
    year: Option<String>,
}

async fn page(State(app): State<AppState>, a: Authed, Query(q): Query<YearQuery>) -> PageResult<YearPage> {
    let today = a.ctx().now.local_date();
    let year = match q.year.as_deref().filter(|s| !s.is_empty()) {
        Some(y) => parse_year(y)?,
        None => today.year(),
    };
    let (days, source) = app.services.calendar_year(a.ctx(), year).await?;
    let actor = &a.auth().actor;
    Ok(YearPage {
        l: Layout::new(Some(a.auth()), "工作日历", "/calendar"),
        year,
        source,
        days: days
            .iter()
            .map(|d| DayRow {
                date: d.date.to_string(),
                weekday: weekday(d.date),
                kind: d.kind.label(),
                holiday: d.kind == domain::calendar::DayKind::Holiday,
                name: d.name.clone(),
            })
            .collect(),
        can_manage: actor.has_anywhere(Perm::CalendarManage),
        today: today.to_string(),
    })
}

#[derive(Template)]
#[template(path = "calendar/_deadline.html")]
struct DeadlineFragment {
    d: DeadlineView,
    amount: String,
}

async fn deadline_fragment(
    State(app): State<AppState>,
    _a: Authed,
    Query(q): Query<DeadlineQuery>,
) -> PageResult<Html<String>> {
    let period = q.period()?;
    let d = app.services.deadline(&q.from, period).await?;
    let amount = match period {
        Period::WorkingDays(n) => format!("{n} 个工作日"),
        Period::CalendarDays(n) => format!("{n} 日（末日遇节假日顺延）"),
        Period::CalendarDaysExact(n) => format!("{n} 日（不顺延）"),
    };
    let html = DeadlineFragment { d: deadline_view(&q.from, &d), amount }.render().map_err(DomainError::internal)?;
    Ok(Html(html))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayForm {
    date: String,
    kind: String,
    name: String,
}

async fn put_day_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<DayForm>,
) -> PageResult<Response> {
    let day = app.services.put_calendar_day(a.ctx(), &f.date, &f.kind, &f.name).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/calendar?year={}", day.date.year())))
}

async fn delete_day_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(date): Path<String>,
) -> PageResult<Response> {
    app.services.delete_calendar_day(a.ctx(), &date).await?;
    let year = date.get(..4).unwrap_or("");
    Ok(htmx_aware_redirect(&headers, &format!("/calendar?year={year}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearForm {
    year: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    source: String,
}

async fn year_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<YearForm>,
) -> PageResult<Response> {
    let year = parse_year(&f.year)?;
    app.services.set_calendar_year(a.ctx(), year, f.published.is_some(), &f.source).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/calendar?year={year}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn weekdays_are_chinese() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 2, 24).unwrap();
        assert_eq!(super::weekday(d), "星期二");
    }
}
