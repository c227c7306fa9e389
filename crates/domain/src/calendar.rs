//! The working-day calendar that every legal deadline goes through.
//!
//! Weekends are computed; the exceptions (statutory holidays, including those that fall on a weekend, and
//! 调休 make-up working days) are data, tabulated from the State Council's yearly notices
//! (国务院办公厅关于{年}年部分节假日安排的通知) and editable by the system administrator. A year whose notice
//! has not been entered is *unpublished*: a deadline that reaches into it is still computed from weekends
//! alone, but carries a warning so that nobody relies on it silently.
//!
//! Counting follows 行政处罚法 (2021) Art. 85 and the general rule on periods: the day on which a period
//! starts is not counted (期间开始之日不计算在内).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::time::Timestamp;

/// What an exception day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 法定节假日: no work, even on a weekday.
    Holiday,
    /// 调休上班: a weekend day that is a working day.
    MakeupWorkday,
}

impl DayKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }
    /// Parses the stored code.
    pub fn parse(s: &str) -> Result<DayKind> {
        match s {
            "holiday" => Ok(DayKind::Holiday),
            "makeup_workday" => Ok(DayKind::MakeupWorkday),
            _ => Err(DomainError::invalid("kind", "日期类型必须是“法定节假日”或“调休上班日”")),
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "法定节假日",
            DayKind::MakeupWorkday => "调休上班日",
        }
    }
}

/// One exception to the Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The date.
    pub date: NaiveDate,
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// The festival it belongs to (春节, 国庆节 …).
    pub name: String,
}

impl CalendarDay {
    /// Parses an exception from form or JSON fields.
    pub fn parse(date: &str, kind: &str, name: &str) -> Result<CalendarDay> {
        let date = parse_date("date", date)?;
        let kind = DayKind::parse(kind)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err(DomainError::invalid("name", "节日名称不能为空，且不超过20个字"));
        }
        let weekend = is_weekend(date);
        match kind {
            DayKind::MakeupWorkday if !weekend => {
                Err(DomainError::invalid("kind", format!("{date} 不是周末，不能设为调休上班日")))
            }
            _ => Ok(CalendarDay { date, kind, name: name.to_string() }),
        }
    }
}

/// Parses `YYYY-MM-DD`, naming `field` in the error.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(field, format!("{field}：日期格式应为 YYYY-MM-DD，例如 2026-02-12")))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Why a computed deadline should not be trusted blindly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarWarning {
    /// The year without a published holiday schedule.
    pub year: i32,
    /// Chinese explanation for the user.
    pub message: String,
}

/// A computed due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The last day of the period.
    pub due: NaiveDate,
    /// Years crossed whose holiday schedule is not published.
    pub warnings: Vec<CalendarWarning>,
}

/// Whether a period in calendar days ends early when its last day is a rest day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestDayRule {
    /// 期间届满的最后一日是节假日的，以节假日后的第一个工作日为届满日 (the usual rule of procedure law).
    ExtendToNextWorkingDay,
    /// The period ends on its last calendar day whatever it is.
    Exact,
}

/// Years in which the calendar must have data, by default. Older dates are accepted (cases are old), but
/// counted from weekends alone with a warning.
pub const FIRST_CALENDAR_YEAR: i32 = 2020;

/// Safety stop: no legal period in this system runs longer than this many days. It bounds the loops.
const MAX_PERIOD_DAYS: u32 = 3660;

/// The calendar: exceptions plus the set of years whose notice has been entered.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    exceptions: BTreeMap<NaiveDate, DayKind>,
    published_years: BTreeSet<i32>,
}

impl WorkCalendar {
    /// Builds a calendar. A year counts as published when it is in `published_years`.
    pub fn new(
        days: impl IntoIterator<Item = (NaiveDate, DayKind)>,
        published_years: impl IntoIterator<Item = i32>,
    ) -> Self {
        WorkCalendar { exceptions: days.into_iter().collect(), published_years: published_years.into_iter().collect() }
    }

    /// Whether `year`'s holiday notice has been entered.
    pub fn is_published(&self, year: i32) -> bool {
        self.published_years.contains(&year)
    }

    /// Whether `d` is a working day: Monday–Friday unless a holiday, or a make-up working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.exceptions.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::MakeupWorkday) => true,
            None => !is_weekend(d),
        }
    }

    fn warnings(&self, from: NaiveDate, to: NaiveDate) -> Vec<CalendarWarning> {
        (from.year().min(to.year())..=from.year().max(to.year()))
            .filter(|y| !self.is_published(*y))
            .map(|year| CalendarWarning {
                year,
                message: format!(
                    "{year}年的节假日安排尚未录入（国务院办公厅通知未公布或未维护），该年按周一至周五为工作日推算，期限可能不准确，请核对"
                ),
            })
            .collect()
    }

    /// The day on which a period of `n` working days starting on `from` ends. `from` itself is not counted;
    /// `n = 0` gives `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<Deadline> {
        if n > MAX_PERIOD_DAYS {
            return Err(DomainError::invalid("working_days", format!("工作日数不能超过{MAX_PERIOD_DAYS}")));
        }
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = next_day(d)?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(Deadline { due: d, warnings: self.warnings(from, d) })
    }

    /// The day on which a period of `n` calendar days starting on `from` ends (`from` not counted), moved
    /// to the next working day when `rule` says so and the last day is a rest day.
    pub fn add_calendar_days(&self, from: NaiveDate, n: u32, rule: RestDayRule) -> Result<Deadline> {
        if n > MAX_PERIOD_DAYS {
            return Err(DomainError::invalid("calendar_days", format!("自然日数不能超过{MAX_PERIOD_DAYS}")));
        }
        let mut d = from.checked_add_days(Days::new(n.into())).ok_or_else(out_of_range)?;
        if rule == RestDayRule::ExtendToNextWorkingDay {
            while !self.is_working_day(d) {
                d = next_day(d)?;
            }
        }
        Ok(Deadline { due: d, warnings: self.warnings(from, d) })
    }

    /// A period counted in hours (e.g. complaints about blocked exits: verify within 24 h). Hours run
    /// continuously through rest days; the result is an instant, not a date.
    pub fn add_hours(&self, from: Timestamp, hours: u32) -> Result<(Timestamp, Vec<CalendarWarning>)> {
        if hours > MAX_PERIOD_DAYS * 24 {
            return Err(DomainError::invalid("hours", "小时数过大"));
        }
        let due = from.plus_hours(hours.into());
        Ok((due, self.warnings(from.local_date(), due.local_date())))
    }

    /// Working days in the half-open range `(from, to]`: how many working days have passed.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = match d.succ_opt() {
                Some(next) => next,
                None => break,
            };
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

fn next_day(d: NaiveDate) -> Result<NaiveDate> {
    d.succ_opt().ok_or_else(out_of_range)
}

fn out_of_range() -> DomainError {
    DomainError::invalid("from", "日期超出可计算范围")
}

/// Parses the shipped table of exceptions (`date,kind,name` lines, `#` comments, one header line).
pub fn parse_exceptions_csv(text: &str) -> Result<Vec<CalendarDay>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("date,"))
        .map(|line| {
            let mut parts = line.splitn(3, ',');
            let (date, kind, name) = (parts.next(), parts.next(), parts.next());
            match (date, kind, name) {
                (Some(date), Some(kind), Some(name)) => CalendarDay::parse(date, kind, name),
                _ => Err(DomainError::invalid("csv", format!("节假日数据行格式错误：{line}"))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHIPPED: &str = include_str!("../../../data/calendar-cn-2020-2026.csv");

    fn shipped() -> WorkCalendar {
        let days = parse_exceptions_csv(SHIPPED).unwrap();
        WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)), 2020..=2026)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn table_from_the_notices() {
        let cal = shipped();
        // (from, working days, due): each row checked by hand against the State Council notice of that year.
        let rows = [
            // 2026 春节: Sat 2/14 is a make-up working day, 2/15–2/23 off.
            ("2026-02-12", 3, "2026-02-24"),
            ("2026-02-13", 1, "2026-02-14"),
            ("2026-02-13", 2, "2026-02-24"),
            // 2026 元旦: 1/1–1/3 off, Sun 1/4 worked.
            ("2025-12-31", 1, "2026-01-04"),
            ("2025-12-31", 2, "2026-01-05"),
            // 2025 国庆+中秋: 10/1–10/8 off, Sun 9/28 and Sat 10/11 worked.
            ("2025-09-26", 1, "2025-09-28"),
            ("2025-09-30", 1, "2025-10-09"),
            ("2025-10-09", 2, "2025-10-11"),
            // 2024 国庆: 10/1–10/7 off, Sun 9/29 and Sat 10/12 worked.
            ("2024-09-27", 1, "2024-09-29"),
            ("2024-09-30", 5, "2024-10-12"),
            // 2020 春节 (extended by the epidemic notice to 2/2).
            ("2020-01-23", 1, "2020-02-03"),
            // Ordinary week: Friday + 1 = Monday.
            ("2026-11-20", 1, "2026-11-23"),
            ("2026-11-20", 0, "2026-11-20"),
        ];
        for (from, n, due) in rows {
            let got = cal.add_working_days(d(from), n).unwrap();
            assert_eq!(got.due, d(due), "{from} + {n} working days");
            assert!(got.warnings.is_empty());
        }
    }

    #[test]
    fn calendar_days_extend_past_holidays_only_when_asked() {
        let cal = shipped();
        // 2026-09-30 + 1 calendar day = 10/1, inside 国庆 (10/1–10/7) → 10/8.
        let ext = cal.add_calendar_days(d("2026-09-30"), 1, RestDayRule::ExtendToNextWorkingDay).unwrap();
        assert_eq!(ext.due, d("2026-10-08"));
        let exact = cal.add_calendar_days(d("2026-09-30"), 1, RestDayRule::Exact).unwrap();
        assert_eq!(exact.due, d("2026-10-01"));
    }

    #[test]
    fn unpublished_year_warns_instead_of_answering_silently() {
        let cal = shipped();
        let got = cal.add_working_days(d("2026-12-25"), 10).unwrap();
        assert_eq!(got.warnings.len(), 1);
        assert_eq!(got.warnings[0].year, 2027);
        assert!(got.warnings[0].message.contains("2027年"));
        // Inside 2026 there is no warning.
        assert!(cal.add_working_days(d("2026-12-01"), 5).unwrap().warnings.is_empty());
    }

    #[test]
    fn hours_run_through_rest_days() {
        let cal = shipped();
        let from = Timestamp::start_of_local_day(d("2026-02-14"));
        let (due, warnings) = cal.add_hours(from, 24).unwrap();
        assert_eq!(due.local_date(), d("2026-02-15"));
        assert!(warnings.is_empty());
    }

    #[test]
    fn makeup_day_must_be_a_weekend() {
        assert!(CalendarDay::parse("2026-02-13", "makeup_workday", "春节").is_err());
        assert!(CalendarDay::parse("2026-02-14", "makeup_workday", "春节").is_ok());
        assert!(CalendarDay::parse("2026-13-01", "holiday", "春节").is_err());
    }

    #[test]
    fn shipped_table_is_complete_for_each_year() {
        let days = parse_exceptions_csv(SHIPPED).unwrap();
        for year in 2020..=2026 {
            let holidays = days.iter().filter(|x| x.date.year() == year && x.kind == DayKind::Holiday).count();
            // At least 元旦 1 + 春节 3 + 清明 1 + 劳动 1 + 端午 1 + 中秋 1 + 国庆 3 statutory days.
            assert!(holidays >= 11, "{year} has only {holidays} holidays");
        }
    }

    proptest! {
        #[test]
        fn working_day_arithmetic(days_since in 0u32..2600, n in 0u32..60) {
            let cal = shipped();
            let from = d("2020-01-01") + Days::new(days_since.into());
            let got = cal.add_working_days(from, n).unwrap();
            // Exactly n working days lie in (from, due] and, for n > 0, due itself is one.
            prop_assert_eq!(cal.working_days_between(from, got.due), n);
            if n > 0 {
                prop_assert!(cal.is_working_day(got.due));
                prop_assert!(got.due > from);
            } else {
                prop_assert_eq!(got.due, from);
            }
            // One more working day never ends earlier.
            let next = cal.add_working_days(from, n + 1).unwrap();
            prop_assert!(next.due > got.due);
        }

        #[test]
        fn extended_calendar_days_land_on_a_working_day(days_since in 0u32..2500, n in 0u32..400) {
            let cal = shipped();
            let from = d("2020-01-01") + Days::new(days_since.into());
            let got = cal.add_calendar_days(from, n, RestDayRule::ExtendToNextWorkingDay).unwrap();
            prop_assert!(cal.is_working_day(got.due));
            prop_assert!(got.due >= from + Days::new(n.into()));
        }
    }
}
