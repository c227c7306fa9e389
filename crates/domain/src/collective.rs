//! 集体研究 (集体讨论): decisions the head of an agency must take together with its leadership, recorded
//! with minutes: 临时查封 (《消防监督检查规定》第二十三条), 重大火灾隐患 (第二十条), and later the complex
//! penalty cases (行政处罚法第五十七条第二款).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Fewest people at a collective decision [M: local rules commonly ask for the head and two members].
pub const MIN_ATTENDEES: usize = 3;

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// 同意.
    Approve,
    /// 不同意.
    Reject,
}

impl Conclusion {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<Conclusion> {
        match s {
            "approve" => Ok(Conclusion::Approve),
            "reject" => Ok(Conclusion::Reject),
            _ => Err(DomainError::invalid("conclusion", "请选择集体研究的结论")),
        }
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Conclusion::Approve => "approve",
            Conclusion::Reject => "reject",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Conclusion::Approve => "同意",
            Conclusion::Reject => "不同意",
        }
    }
}

/// A recorded collective decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectiveDecision {
    /// Id.
    pub id: String,
    /// Agency.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// What it decided on (`measure`, `major_hazard`, later `case`).
    pub subject_type: String,
    /// Its id.
    pub subject_id: String,
    /// When it met.
    pub held_at: Timestamp,
    /// Chair (the agency head).
    pub chair: String,
    /// Attendees, chair included.
    pub attendees: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Conclusion.
    pub conclusion: Conclusion,
    /// Recorded by.
    pub created_by: String,
}

/// A decision as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionDraft {
    /// Chair.
    pub chair: String,
    /// Attendees, separated by 、 or commas.
    pub attendees: String,
    /// Minutes.
    pub minutes: String,
    /// `approve` or `reject`.
    pub conclusion: String,
}

/// The parsed parts of a draft.
#[derive(Debug)]
pub struct DecisionTerms {
    /// Chair.
    pub chair: String,
    /// Attendees, chair first.
    pub attendees: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Conclusion.
    pub conclusion: Conclusion,
}

/// Parses a draft: a chair, at least [`MIN_ATTENDEES`] people, minutes and a conclusion.
pub fn parse(d: &DecisionDraft) -> Result<DecisionTerms> {
    let chair = d.chair.trim();
    if chair.is_empty() || chair.chars().count() > 30 {
        return Err(DomainError::invalid("chair", "请填写主持集体研究的机构负责人"));
    }
    let mut attendees = vec![chair.to_string()];
    for a in d.attendees.split([',', '，', '、', ';', '；', ' ']).map(str::trim).filter(|a| !a.is_empty()) {
        if a.chars().count() > 30 {
            return Err(DomainError::invalid("attendees", "参加人员姓名不超过30个字"));
        }
        if !attendees.iter().any(|x| x == a) {
            attendees.push(a.to_string());
        }
    }
    if attendees.len() < MIN_ATTENDEES {
        return Err(DomainError::invalid(
            "attendees",
            format!("集体研究的参加人员（含主持人）不得少于{MIN_ATTENDEES}人"),
        ));
    }
    let minutes = d.minutes.trim();
    if !(10..=10_000).contains(&minutes.chars().count()) {
        return Err(DomainError::invalid("minutes", "请填写集体研究记录（10字以上）"));
    }
    Ok(DecisionTerms {
        chair: chair.into(),
        attendees,
        minutes: minutes.into(),
        conclusion: Conclusion::parse(d.conclusion.trim())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_needs_a_chair_three_people_and_minutes() {
        let mut d = DecisionDraft {
            chair: "王大队长".into(),
            attendees: "李教导员、张副大队长".into(),
            minutes: "经集体研究，该场所安全出口严重堵塞，同意临时查封。".into(),
            conclusion: "approve".into(),
        };
        let t = parse(&d).unwrap();
        assert_eq!(t.attendees, vec!["王大队长", "李教导员", "张副大队长"]);
        d.attendees = "王大队长、李教导员".into();
        assert!(parse(&d).unwrap_err().to_string().contains("不得少于3人"));
        d.attendees = "李教导员、张副大队长".into();
        d.minutes = "同意".into();
        assert!(parse(&d).is_err());
    }
}
