//! 不予处罚 and 首违不罚 (《中华人民共和国行政处罚法》第三十三条): the violations a province lists as not to
//! be punished when minor, harmless and corrected, or when a first offence is slight and corrected. The
//! list is data; a matching case is steered to no penalty with its legal basis, and the officer confirms
//! that the conditions hold.

use serde::Serialize;

use crate::error::{DomainError, Result};

/// The shipped list (`data/penalty/leniency.csv`).
pub const SHIPPED_CSV: &str = include_str!("../../../../data/penalty/leniency.csv");

/// Kind of leniency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeniencyKind {
    /// 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚 (第三十三条第一款前段).
    NoPenalty,
    /// 初次违法且危害后果轻微并及时改正的，可以不予行政处罚 (第三十三条第一款后段).
    FirstOffence,
}

impl LeniencyKind {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            LeniencyKind::NoPenalty => "轻微不罚",
            LeniencyKind::FirstOffence => "首违不罚",
        }
    }
}

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leniency {
    /// The violation.
    pub violation_code: String,
    /// Kind.
    pub kind: LeniencyKind,
    /// Conditions the officer confirms.
    pub conditions: String,
    /// Legal basis printed in the decision.
    pub basis: String,
}

/// The list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeniencyList {
    /// Entries.
    pub entries: Vec<Leniency>,
}

impl LeniencyList {
    /// Parses `violation_code,kind,conditions,basis` (one header line; `#` comments). Errors name the line.
    pub fn parse(text: &str) -> Result<LeniencyList> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("violation_code,") {
                continue;
            }
            let bad = |m: &str| DomainError::invalid("leniency", format!("不予处罚清单第{}行：{m}", n + 1));
            let f: Vec<&str> = line.splitn(4, ',').map(str::trim).collect();
            let [code, kind, conditions, basis] = f[..] else { return Err(bad("应有四列")) };
            let kind = match kind {
                "no_penalty" => LeniencyKind::NoPenalty,
                "first_offence" => LeniencyKind::FirstOffence,
                _ => return Err(bad("类型应为 no_penalty 或 first_offence")),
            };
            if code.is_empty() || conditions.is_empty() || basis.is_empty() {
                return Err(bad("违法行为、适用条件和依据都不能为空"));
            }
            entries.push(Leniency {
                violation_code: code.into(),
                kind,
                conditions: conditions.into(),
                basis: basis.into(),
            });
        }
        Ok(LeniencyList { entries })
    }

    /// The shipped list.
    pub fn shipped() -> &'static LeniencyList {
        static SHIPPED: std::sync::LazyLock<LeniencyList> = std::sync::LazyLock::new(|| {
            // Tested below; failing here is a build defect.
            LeniencyList::parse(SHIPPED_CSV).expect("data/penalty/leniency.csv parses")
        });
        &SHIPPED
    }

    /// The entry for a violation, if listed.
    pub fn find(&self, violation_code: &str) -> Option<&Leniency> {
        self.entries.iter().find(|e| e.violation_code == violation_code)
    }

    /// The legal basis for no penalty, when the officer confirms the conditions of a listed violation; a
    /// first offence also needs that the party has no earlier penalty for it.
    pub fn no_penalty_basis(&self, violation_code: &str, earlier_penalties: usize) -> Result<String> {
        let e = self.find(violation_code).ok_or_else(|| {
            DomainError::Rule("该违法行为不在不予处罚（首违不罚）清单内（《行政处罚法》第三十三条）".into())
        })?;
        if e.kind == LeniencyKind::FirstOffence && earlier_penalties > 0 {
            return Err(DomainError::Rule("当事人此前已因违法行为受过行政处罚，不属于首次违法，不适用首违不罚".into()));
        }
        Ok(format!("{}（{}：{}）", e.basis, e.kind.label(), e.conditions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_steers_listed_first_offences_to_no_penalty() {
        // 行政处罚法第三十三条第一款.
        let l = LeniencyList::shipped();
        assert!(l.entries.len() >= 5);
        let b = l.no_penalty_basis("F60-1-3", 0).unwrap();
        assert!(b.contains("第三十三条") && b.contains("首违不罚"), "{b}");
        assert!(l.no_penalty_basis("F60-1-3", 1).unwrap_err().to_string().contains("不属于首次违法"));
        assert!(l.no_penalty_basis("F60-1-4", 3).is_ok(), "a minor, harmless, corrected act is never punished");
        assert!(l.no_penalty_basis("F58-1-1", 0).is_err());
        assert!(LeniencyList::parse("F1,maybe,x,y").unwrap_err().to_string().contains("第1行"));
    }
}
