//! 风险等级: how risky a unit is, which decides its weight in random draws. Set by hand with a reason,
//! or derived from the last 12 months of hazards and penalties with configurable weights [M: the weights
//! are local practice, not law; each jurisdiction tunes them].

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// A risk grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskGrade {
    /// 高风险.
    High,
    /// 较高风险.
    Elevated,
    /// 一般风险.
    General,
    /// 低风险.
    Low,
}

impl RiskGrade {
    /// All grades, highest first.
    pub const ALL: [RiskGrade; 4] = [RiskGrade::High, RiskGrade::Elevated, RiskGrade::General, RiskGrade::Low];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            RiskGrade::High => "high",
            RiskGrade::Elevated => "elevated",
            RiskGrade::General => "general",
            RiskGrade::Low => "low",
        }
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            RiskGrade::High => "高风险",
            RiskGrade::Elevated => "较高风险",
            RiskGrade::General => "一般风险",
            RiskGrade::Low => "低风险",
        }
    }

    /// Parses a code or a Chinese name; empty means 一般风险.
    pub fn parse(field: &str, s: &str) -> Result<RiskGrade> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(RiskGrade::General);
        }
        RiskGrade::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s || k.label().trim_end_matches("风险") == s)
            .ok_or_else(|| DomainError::invalid(field, format!("风险等级“{s}”无效，应为高、较高、一般或低风险")))
    }
}

/// Weights and thresholds for deriving a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskWeights {
    /// Points per hazard found in the last 12 months.
    pub hazard: u32,
    /// Points per 重大火灾隐患 in the last 12 months.
    pub major_hazard: u32,
    /// Points per administrative penalty in the last 12 months.
    pub penalty: u32,
    /// Points for being a 消防安全重点单位.
    pub key_unit: u32,
    /// Score at or above which the unit is 高风险.
    pub high_at: u32,
    /// Score at or above which the unit is 较高风险.
    pub elevated_at: u32,
}

impl Default for RiskWeights {
    fn default() -> Self {
        RiskWeights { hazard: 1, major_hazard: 5, penalty: 3, key_unit: 2, high_at: 8, elevated_at: 4 }
    }
}

/// What the derivation counts over the last 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RiskFacts {
    /// Hazards found.
    pub hazards: u32,
    /// Of which 重大火灾隐患.
    pub major_hazards: u32,
    /// Penalty decisions.
    pub penalties: u32,
    /// Designated key unit.
    pub key_unit: bool,
}

impl RiskWeights {
    /// Checks the thresholds are ordered.
    pub fn validate(&self) -> Result<()> {
        if self.elevated_at == 0 || self.high_at <= self.elevated_at {
            return Err(DomainError::invalid("high_at", "高风险分值须大于较高风险分值，且均大于0"));
        }
        Ok(())
    }

    /// The derived grade and the reason, in words.
    pub fn derive(&self, f: &RiskFacts) -> (RiskGrade, String) {
        let score = f.hazards * self.hazard
            + f.major_hazards * self.major_hazard
            + f.penalties * self.penalty
            + if f.key_unit { self.key_unit } else { 0 };
        let grade = if score >= self.high_at {
            RiskGrade::High
        } else if score >= self.elevated_at {
            RiskGrade::Elevated
        } else if score == 0 {
            RiskGrade::Low
        } else {
            RiskGrade::General
        };
        let reason = format!(
            "近12个月隐患{}处（重大火灾隐患{}处）、行政处罚{}次{}，计{}分",
            f.hazards,
            f.major_hazards,
            f.penalties,
            if f.key_unit { "、重点单位" } else { "" },
            score
        );
        (grade, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_follows_the_weights() {
        let w = RiskWeights::default();
        assert_eq!(w.derive(&RiskFacts::default()).0, RiskGrade::Low);
        assert_eq!(w.derive(&RiskFacts { hazards: 1, ..Default::default() }).0, RiskGrade::General);
        assert_eq!(w.derive(&RiskFacts { penalties: 1, key_unit: true, ..Default::default() }).0, RiskGrade::Elevated);
        let (g, why) = w.derive(&RiskFacts { major_hazards: 1, penalties: 1, ..Default::default() });
        assert_eq!(g, RiskGrade::High);
        assert!(why.contains("计8分"), "{why}");
        assert!(RiskWeights { high_at: 3, elevated_at: 4, ..w }.validate().is_err());
    }

    #[test]
    fn grades_parse_from_names() {
        assert_eq!(RiskGrade::parse("r", "较高").unwrap(), RiskGrade::Elevated);
        assert_eq!(RiskGrade::parse("r", "高风险").unwrap(), RiskGrade::High);
        assert_eq!(RiskGrade::parse("r", "").unwrap(), RiskGrade::General);
        assert!(RiskGrade::parse("r", "极高").is_err());
    }
}
