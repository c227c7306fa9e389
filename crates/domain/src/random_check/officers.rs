//! 执法检查人员名录库: who may be drawn. An officer is in the pool for a plan when the account is active,
//! holds an enforcement role in the plan's jurisdiction, has an 执法证 valid through the plan period, and
//! is not away (leave, training) for most of it. Declared conflicts (回避: relatives, former employment,
//! other interests) keep an officer from a unit for good; under rotation, so does having been sent there
//! in the previous plan of the same item.

use chrono::NaiveDate;
use serde::Serialize;

use crate::account::{AccountStatus, Certificate};
use crate::error::{DomainError, Result};
use crate::time::Timestamp;

/// Why an officer is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceKind {
    /// 休假.
    Leave,
    /// 培训.
    Training,
    /// 其他公务.
    Other,
}

impl AbsenceKind {
    /// All.
    pub const ALL: [AbsenceKind; 3] = [AbsenceKind::Leave, AbsenceKind::Training, AbsenceKind::Other];
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            AbsenceKind::Leave => "leave",
            AbsenceKind::Training => "training",
            AbsenceKind::Other => "other",
        }
    }
    /// Chinese.
    pub fn label(self) -> &'static str {
        match self {
            AbsenceKind::Leave => "休假",
            AbsenceKind::Training => "培训",
            AbsenceKind::Other => "其他公务",
        }
    }
    /// Parses a code.
    pub fn parse(field: &str, s: &str) -> Result<AbsenceKind> {
        AbsenceKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid(field, "不在岗类型无效"))
    }
}

/// A period an officer is away.
#[derive(Debug, Clone, Serialize)]
pub struct Absence {
    /// Id.
    pub id: String,
    /// Officer.
    pub account_id: String,
    /// Kind.
    pub kind: AbsenceKind,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Note.
    pub note: String,
    /// Recorded.
    pub created_at: Timestamp,
}

/// Checks an absence's dates.
pub fn check_absence(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(DomainError::invalid("to", "结束日期不能早于开始日期"));
    }
    if (to - from).num_days() > 366 {
        return Err(DomainError::invalid("to", "不在岗期间不能超过一年"));
    }
    Ok(())
}

/// Why an officer must not inspect a unit (回避事由).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// 近亲属在该单位任职或为其负责人.
    Relative,
    /// 曾在该单位任职.
    FormerEmployment,
    /// 其他利害关系.
    OtherInterest,
}

impl ConflictKind {
    /// All.
    pub const ALL: [ConflictKind; 3] =
        [ConflictKind::Relative, ConflictKind::FormerEmployment, ConflictKind::OtherInterest];
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            ConflictKind::Relative => "relative",
            ConflictKind::FormerEmployment => "former_employment",
            ConflictKind::OtherInterest => "other_interest",
        }
    }
    /// Chinese.
    pub fn label(self) -> &'static str {
        match self {
            ConflictKind::Relative => "近亲属关系",
            ConflictKind::FormerEmployment => "曾在该单位任职",
            ConflictKind::OtherInterest => "其他利害关系",
        }
    }
    /// Parses a code.
    pub fn parse(field: &str, s: &str) -> Result<ConflictKind> {
        ConflictKind::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| DomainError::invalid(field, "回避事由无效"))
    }
}

/// A declared conflict.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Id.
    pub id: String,
    /// Officer.
    pub account_id: String,
    /// Officer's name.
    pub officer_name: String,
    /// Unit.
    pub unit_id: String,
    /// Unit's name.
    pub unit_name: String,
    /// Why.
    pub kind: ConflictKind,
    /// Details (only the officer, their superiors and auditors see them; the public record shows none).
    pub note: String,
    /// Declared.
    pub declared_at: Timestamp,
}

/// What decides whether an officer is in the pool.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Account status.
    pub status: AccountStatus,
    /// 执法证.
    pub certificate: Option<Certificate>,
    /// Absences overlapping the period.
    pub absences: Vec<(NaiveDate, NaiveDate)>,
}

/// Whether an officer may be drawn for a plan running from `start` to `end`; `Err` says why not.
pub fn eligibility(c: &Candidate, start: NaiveDate, end: NaiveDate) -> std::result::Result<(), String> {
    if c.status != AccountStatus::Active {
        return Err("账户已停用".into());
    }
    match &c.certificate {
        None => return Err("未登记执法资格证".into()),
        Some(cert) if !cert.valid_on(end) => {
            return Err(format!("执法资格证{}到期，未覆盖计划期", cert.expires_on));
        }
        Some(_) => {}
    }
    let period = (end - start).num_days() + 1;
    let away: i64 = (0..period)
        .map(|d| start + chrono::Days::new(d as u64))
        .filter(|day| c.absences.iter().any(|(f, t)| f <= day && day <= t))
        .count() as i64;
    // Away for more than half the period: the officer could not carry out the tasks in time.
    if away * 2 > period {
        return Err(format!("计划期内{away}天不在岗（休假、培训等）"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cand(expires: &str, absences: &[(&str, &str)]) -> Candidate {
        Candidate {
            status: AccountStatus::Active,
            certificate: Some(Certificate::parse("JC-1", expires).unwrap()),
            absences: absences.iter().map(|(a, b)| (d(a), d(b))).collect(),
        }
    }

    #[test]
    fn certificate_must_cover_the_period() {
        assert!(eligibility(&cand("2026-12-31", &[]), d("2026-12-01"), d("2026-12-31")).is_ok());
        let e = eligibility(&cand("2026-12-15", &[]), d("2026-12-01"), d("2026-12-31")).unwrap_err();
        assert!(e.contains("2026-12-15"), "{e}");
        let none = Candidate { certificate: None, ..cand("2026-12-31", &[]) };
        assert!(eligibility(&none, d("2026-12-01"), d("2026-12-31")).is_err());
    }

    #[test]
    fn away_for_most_of_the_period_is_out() {
        let week = cand("2027-12-31", &[("2026-12-07", "2026-12-13")]);
        assert!(eligibility(&week, d("2026-12-01"), d("2026-12-31")).is_ok());
        let long = cand("2027-12-31", &[("2026-11-20", "2026-12-20")]);
        assert!(eligibility(&long, d("2026-12-01"), d("2026-12-31")).unwrap_err().contains("20天"));
    }
}
