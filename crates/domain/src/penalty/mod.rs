//! Administrative penalties (行政处罚): what the law punishes and with what range ([`violation`]), how far
//! an agency may go inside that range ([`discretion`]), and which procedure a case may take
//! ([`procedure`]), which violations are not punished ([`leniency`]), how a case moves from 立案 to 归档
//! ([`case`]) and what of a decision the public sees ([`publication`]). Amounts are integer 元 ([`Yuan`]).

pub mod case;
pub mod discretion;
pub mod leniency;
pub mod notices;
pub mod procedure;
pub mod publication;
pub mod violation;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// An amount of money in whole 元 (fines are never set in 角 or 分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Yuan(pub i64);

impl Yuan {
    /// Parses an amount typed by a person: digits, optionally with 元 and thousands separators.
    pub fn parse(field: &'static str, text: &str) -> Result<Yuan> {
        let t: String = text.trim().trim_end_matches('元').chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
        if t.is_empty() || t.len() > 12 || !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::invalid(field, "金额应为整数元，例如 5000"));
        }
        t.parse().map(Yuan).map_err(|_| DomainError::invalid(field, "金额过大"))
    }
}

impl std::fmt::Display for Yuan {
    /// `12,500元`: as amounts are written in decisions.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::new();
        for (k, c) in digits.chars().enumerate() {
            if k > 0 && (digits.len() - k).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        write!(f, "{}{out}元", if self.0 < 0 { "-" } else { "" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_yuan() {
        assert_eq!(Yuan::parse("fine", "5000").unwrap(), Yuan(5000));
        assert_eq!(Yuan::parse("fine", "12,500元").unwrap(), Yuan(12500));
        assert!(Yuan::parse("fine", "500.5").is_err());
        assert!(Yuan::parse("fine", "-1").is_err());
        assert!(Yuan::parse("fine", "").is_err());
        assert_eq!(Yuan(300000).to_string(), "300,000元");
        assert_eq!(Yuan(500).to_string(), "500元");
    }
}
