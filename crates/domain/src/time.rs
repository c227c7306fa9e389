//! Time: stored as UTC milliseconds, shown in China Standard Time.
//!
//! Mainland China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and no
//! time-zone database is needed.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Offset of Asia/Shanghai from UTC, in seconds.
const CST_OFFSET_SECONDS: i32 = 8 * 3600;

/// The Asia/Shanghai offset.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(CST_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// An instant, as milliseconds since the Unix epoch (UTC). This is what the database stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }
    /// This instant plus `minutes` minutes.
    pub fn plus_minutes(self, minutes: i64) -> Timestamp {
        Timestamp(self.0 + minutes * 60_000)
    }
    /// This instant plus `hours` hours.
    pub fn plus_hours(self, hours: i64) -> Timestamp {
        self.plus_minutes(hours * 60)
    }
    /// This instant plus `days` calendar days of 24 hours.
    pub fn plus_days(self, days: i64) -> Timestamp {
        self.plus_hours(days * 24)
    }
    /// As a chrono UTC time.
    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0).single().unwrap_or_default()
    }
    /// As a time in Asia/Shanghai.
    pub fn to_local(self) -> DateTime<FixedOffset> {
        self.to_utc().with_timezone(&china_offset())
    }
    /// The calendar date in Asia/Shanghai: legal deadlines count local days.
    pub fn local_date(self) -> NaiveDate {
        self.to_local().date_naive()
    }
    /// `2026-02-12 09:30:00` in Asia/Shanghai, for display.
    pub fn to_local_string(self) -> String {
        self.to_local().format("%Y-%m-%d %H:%M:%S").to_string()
    }
    /// RFC 3339 with the +08:00 offset, for JSON.
    pub fn to_rfc3339(self) -> String {
        self.to_local().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    }
    /// Midnight starting `date` in Asia/Shanghai.
    pub fn start_of_local_day(date: NaiveDate) -> Timestamp {
        Timestamp::from_local(date.and_hms_opt(0, 0, 0).unwrap_or_default())
    }
    /// A wall-clock time in Asia/Shanghai (what a form's datetime field or a record says).
    pub fn from_local(naive: chrono::NaiveDateTime) -> Timestamp {
        let local = china_offset().from_local_datetime(&naive).single().unwrap_or_default();
        Timestamp(local.timestamp_millis())
    }
}

/// Where "now" comes from. Tests inject a clock they can move (lockout and session expiry are tested by
/// moving it, not by sleeping).
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(Utc::now().timestamp_millis())
    }
}

/// A clock a test can move forward: real time plus an offset.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl OffsetClock {
    /// Moves the clock forward by `minutes`.
    pub fn advance_minutes(&self, minutes: i64) {
        self.offset_ms.fetch_add(minutes * 60_000, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp(SystemClock.now().0 + self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_date_is_china_time() {
        // 2026-02-11T16:30Z is 00:30 on the 12th in Beijing.
        let t = Timestamp(Utc.with_ymd_and_hms(2026, 2, 11, 16, 30, 0).unwrap().timestamp_millis());
        assert_eq!(t.local_date(), NaiveDate::from_ymd_opt(2026, 2, 12).unwrap());
        assert_eq!(t.to_local_string(), "2026-02-12 00:30:00");
        let midnight = Timestamp::start_of_local_day(NaiveDate::from_ymd_opt(2026, 2, 12).unwrap());
        assert_eq!(midnight.to_utc().to_rfc3339(), "2026-02-11T16:00:00+00:00");
    }
}
