//! The working-day calendar as a service: computing deadlines and keeping the holiday data.

use chrono::{Datelike, NaiveDate};

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::{CalendarDay, Deadline, RestDayRule, WorkCalendar, parse_date};
use crate::error::{DomainError, Result};
use crate::ports::{Change, UnitOfWork};

use super::Services;
use super::security::root_of;

/// What to add to a start date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Working days (工作日).
    WorkingDays(u32),
    /// Calendar days (日), extended past a final rest day.
    CalendarDays(u32),
    /// Calendar days ending exactly on the last day.
    CalendarDaysExact(u32),
}

impl Services {
    /// The calendar covering `from..=to` (and a margin, so that a period crossing New Year sees both years).
    pub async fn work_calendar(&self, from: NaiveDate, to: NaiveDate) -> Result<WorkCalendar> {
        let days = self.store.calendar_days(from, to).await?;
        let years = self.store.calendar_years().await?;
        Ok(WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)), years.into_iter().map(|(y, _)| y)))
    }

    /// Computes a deadline. Loads only the years the period can reach.
    pub async fn deadline(&self, from: &str, period: Period) -> Result<Deadline> {
        let from = parse_date("from", from)?;
        let span_days = match period {
            // A working day is never more than 12 calendar days away from the next (longest 春节 break).
            Period::WorkingDays(n) => i64::from(n) * 2 + 30,
            Period::CalendarDays(n) | Period::CalendarDaysExact(n) => i64::from(n) + 30,
        };
        let to = from
            .checked_add_signed(chrono::Duration::days(span_days.min(3660 * 2)))
            .ok_or_else(|| DomainError::invalid("from", "日期超出可计算范围"))?;
        let cal = self.work_calendar(from, to).await?;
        match period {
            Period::WorkingDays(n) => cal.add_working_days(from, n),
            Period::CalendarDays(n) => cal.add_calendar_days(from, n, RestDayRule::ExtendToNextWorkingDay),
            Period::CalendarDaysExact(n) => cal.add_calendar_days(from, n, RestDayRule::Exact),
        }
    }

    /// A year's exceptions and whether its notice is entered (anyone logged in may look).
    pub async fn calendar_year(&self, ctx: &Ctx, year: i32) -> Result<(Vec<CalendarDay>, Option<String>)> {
        ctx.actor()?;
        let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| DomainError::invalid("year", "年份无效"))?;
        let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| DomainError::invalid("year", "年份无效"))?;
        let days = self.store.calendar_days(from, to).await?;
        let source = self.store.calendar_years().await?.into_iter().find(|(y, _)| *y == year).map(|(_, s)| s);
        Ok((days, source))
    }

    fn require_calendar_admin(ctx: &Ctx) -> Result<()> {
        let actor = ctx.actor()?;
        actor.require(Perm::CalendarManage, &root_of(&actor.org_path))
    }

    /// Adds or replaces an exception day (系统管理员).
    pub async fn put_calendar_day(&self, ctx: &Ctx, date: &str, kind: &str, name: &str) -> Result<CalendarDay> {
        Self::require_calendar_admin(ctx)?;
        let day = CalendarDay::parse(date, kind, name)?;
        let audit = ctx
            .event(actions::CALENDAR_UPDATE, "calendar_day", day.date.to_string())
            .detail(serde_json::json!({ "op": "put", "kind": day.kind.code(), "name": day.name }));
        self.store.commit(UnitOfWork::one(Change::PutCalendarDay(day.clone()), audit)).await?;
        Ok(day)
    }

    /// Removes an exception day.
    pub async fn delete_calendar_day(&self, ctx: &Ctx, date: &str) -> Result<()> {
        Self::require_calendar_admin(ctx)?;
        let date = parse_date("date", date)?;
        let audit = ctx
            .event(actions::CALENDAR_UPDATE, "calendar_day", date.to_string())
            .detail(serde_json::json!({ "op": "delete" }));
        self.store.commit(UnitOfWork::one(Change::DeleteCalendarDay(date), audit)).await?;
        Ok(())
    }

    /// Marks a year's notice as entered (published) or withdraws that mark.
    pub async fn set_calendar_year(&self, ctx: &Ctx, year: i32, published: bool, source: &str) -> Result<()> {
        Self::require_calendar_admin(ctx)?;
        if !(2000..=2100).contains(&year) {
            return Err(DomainError::invalid("year", "年份应在2000至2100之间"));
        }
        let source = source.trim();
        if published && (source.is_empty() || source.chars().count() > 200) {
            return Err(DomainError::invalid("source", "请填写依据的通知名称及文号（不超过200字）"));
        }
        let audit = ctx
            .event(actions::CALENDAR_UPDATE, "calendar_year", year.to_string())
            .detail(serde_json::json!({ "op": if published { "publish" } else { "unpublish" }, "source": source }));
        let change = Change::SetYearPublished { year, published, source: source.to_string() };
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(())
    }

    /// Years that should have a calendar by now but do not: next year from December on (the State Council
    /// publishes in Oct–Nov), and the current year always.
    pub async fn missing_calendar_years(&self) -> Result<Vec<i32>> {
        let today = self.clock.now().local_date();
        let have: Vec<i32> = self.store.calendar_years().await?.into_iter().map(|(y, _)| y).collect();
        let mut want = vec![today.year()];
        if today.month() == 12 {
            want.push(today.year() + 1);
        }
        Ok(want.into_iter().filter(|y| !have.contains(y)).collect())
    }
}
