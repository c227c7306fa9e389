//! 移交: what a town finds beyond its entrustment goes to the brigade with the evidence (呼政办规〔2023〕3号
//! 二（三）: 对未进行改正的移交区消防救援大队; 三（三）: 对超出法定职权以及被委托权限的行为，移交区消防救援大队依法处理).
//! The brigade takes it up (a due date on its worklist) and records what became of it.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Why a matter is handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverReason {
    /// The unit is a 消防安全重点单位.
    KeyUnit,
    /// The matter needs a power the town does not hold (a fine, 临时查封, 三停, 重大火灾隐患).
    BeyondPowers,
    /// A hazard the town ordered corrected was not corrected by the deadline.
    UncorrectedHazard,
}

impl HandoverReason {
    /// All.
    pub const ALL: [HandoverReason; 3] =
        [HandoverReason::KeyUnit, HandoverReason::BeyondPowers, HandoverReason::UncorrectedHazard];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            HandoverReason::KeyUnit => "key_unit",
            HandoverReason::BeyondPowers => "beyond_powers",
            HandoverReason::UncorrectedHazard => "uncorrected_hazard",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<HandoverReason> {
        HandoverReason::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("reason", "请选择移交原因"))
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            HandoverReason::KeyUnit => "消防安全重点单位，不在委托范围内",
            HandoverReason::BeyondPowers => "超出委托权限（处罚、查封、三停、重大火灾隐患等）",
            HandoverReason::UncorrectedHazard => "责令改正后逾期未改正",
        }
    }
}

/// Where a handover stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverStatus {
    /// Sent, waiting for the brigade.
    Submitted,
    /// Taken up by the brigade.
    Accepted,
    /// Done, with its outcome.
    Concluded,
}

impl HandoverStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            HandoverStatus::Submitted => "submitted",
            HandoverStatus::Accepted => "accepted",
            HandoverStatus::Concluded => "concluded",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<HandoverStatus> {
        [HandoverStatus::Submitted, HandoverStatus::Accepted, HandoverStatus::Concluded]
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::internal(format!("handover status {s}")))
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            HandoverStatus::Submitted => "待大队接收",
            HandoverStatus::Accepted => "大队办理中",
            HandoverStatus::Concluded => "已办结",
        }
    }
}

/// What the brigade did with a handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverOutcome {
    /// 立案调查: a penalty case (its id is the reference).
    CaseOpened,
    /// The brigade inspected (the inspection is the reference).
    Inspected,
    /// 临时查封 or 三停 (the measure is the reference).
    Measure,
    /// Found no violation.
    NoViolation,
}

impl HandoverOutcome {
    /// All.
    pub const ALL: [HandoverOutcome; 4] = [
        HandoverOutcome::CaseOpened,
        HandoverOutcome::Inspected,
        HandoverOutcome::Measure,
        HandoverOutcome::NoViolation,
    ];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            HandoverOutcome::CaseOpened => "case_opened",
            HandoverOutcome::Inspected => "inspected",
            HandoverOutcome::Measure => "measure",
            HandoverOutcome::NoViolation => "no_violation",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<HandoverOutcome> {
        HandoverOutcome::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("outcome", "请选择办理结果"))
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            HandoverOutcome::CaseOpened => "已立案调查",
            HandoverOutcome::Inspected => "大队已检查处理",
            HandoverOutcome::Measure => "已采取临时查封或三停",
            HandoverOutcome::NoViolation => "经核查无违法行为",
        }
    }

    /// What record the outcome must point to ("case", "inspection", "measure"), if any.
    pub fn reference(self) -> Option<&'static str> {
        match self {
            HandoverOutcome::CaseOpened => Some("case"),
            HandoverOutcome::Inspected => Some("inspection"),
            HandoverOutcome::Measure => Some("measure"),
            HandoverOutcome::NoViolation => None,
        }
    }
}

/// A matter a town hands to the brigade.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Handover {
    /// Id.
    pub id: String,
    /// The agreement it came under.
    pub agreement_id: String,
    /// The brigade.
    pub brigade_id: OrgId,
    /// Its path.
    pub brigade_path: OrgPath,
    /// Its name.
    pub brigade_name: String,
    /// The town.
    pub town_id: OrgId,
    /// Its path.
    pub town_path: OrgPath,
    /// Its name.
    pub town_name: String,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Why.
    pub reason: HandoverReason,
    /// What was found.
    pub matter: String,
    /// The town's inspection it came from.
    #[serde(default)]
    pub inspection_id: Option<String>,
    /// The hazards handed over.
    #[serde(default)]
    pub hazard_ids: Vec<String>,
    /// Evidence files sent with it.
    #[serde(default)]
    pub evidence_ids: Vec<String>,
    /// Status.
    pub status: HandoverStatus,
    /// Sent by.
    pub submitted_by: String,
    /// Their name.
    pub submitted_by_name: String,
    /// Sent at.
    pub submitted_at: Timestamp,
    /// The brigade officer who handles it.
    #[serde(default)]
    pub handler_id: Option<String>,
    /// Their name.
    #[serde(default)]
    pub handler_name: String,
    /// Taken up at.
    #[serde(default)]
    pub accepted_at: Option<Timestamp>,
    /// Outcome.
    #[serde(default)]
    pub outcome: Option<HandoverOutcome>,
    /// The case, inspection or measure it led to.
    #[serde(default)]
    pub outcome_ref: Option<String>,
    /// Note on the outcome.
    #[serde(default)]
    pub outcome_note: String,
    /// Concluded at.
    #[serde(default)]
    pub concluded_at: Option<Timestamp>,
    /// The 移交书.
    #[serde(default)]
    pub doc_id: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: i64,
}

/// Checks the town's description of the matter.
pub fn check_matter(matter: &str) -> Result<String> {
    let m = matter.trim();
    let n = m.chars().count();
    if !(4..=2000).contains(&n) {
        return Err(DomainError::invalid("matter", "请写明移交事项（4至2000字）"));
    }
    Ok(m.into())
}

impl Handover {
    /// A matter the town sends under `a` about `unit` (id, name), waiting for the brigade.
    pub fn submitted(
        a: &super::EntrustmentAgreement,
        unit: (&str, &str),
        reason: HandoverReason,
        matter: String,
        by: (&str, &str),
        at: Timestamp,
    ) -> Handover {
        Handover {
            id: crate::new_id(),
            agreement_id: a.id.clone(),
            brigade_id: a.brigade_id.clone(),
            brigade_path: a.brigade_path.clone(),
            brigade_name: a.brigade_name.clone(),
            town_id: a.town_id.clone(),
            town_path: a.town_path.clone(),
            town_name: a.town_name.clone(),
            unit_id: unit.0.into(),
            unit_name: unit.1.into(),
            reason,
            matter,
            inspection_id: None,
            hazard_ids: vec![],
            evidence_ids: vec![],
            status: HandoverStatus::Submitted,
            submitted_by: by.0.into(),
            submitted_by_name: by.1.into(),
            submitted_at: at,
            handler_id: None,
            handler_name: String::new(),
            accepted_at: None,
            outcome: None,
            outcome_ref: None,
            outcome_note: String::new(),
            concluded_at: None,
            doc_id: None,
            version: 1,
        }
    }

    /// The brigade takes it up and names its handler.
    pub fn accept(&mut self, handler: (&str, &str), at: Timestamp) -> Result<()> {
        if self.status != HandoverStatus::Submitted {
            return Err(DomainError::Rule("该移交事项已接收".into()));
        }
        self.status = HandoverStatus::Accepted;
        self.handler_id = Some(handler.0.into());
        self.handler_name = handler.1.into();
        self.accepted_at = Some(at);
        Ok(())
    }

    /// The brigade records the outcome (a reference is required when the outcome has one).
    pub fn conclude(
        &mut self,
        outcome: HandoverOutcome,
        reference: Option<String>,
        note: &str,
        at: Timestamp,
    ) -> Result<()> {
        if self.status != HandoverStatus::Accepted {
            return Err(DomainError::Rule("请先接收该移交事项，再登记办理结果".into()));
        }
        let note = note.trim();
        if note.chars().count() > 1000 {
            return Err(DomainError::invalid("note", "办理情况不超过1000字"));
        }
        match (outcome.reference(), &reference) {
            (Some(_), None) => {
                return Err(DomainError::invalid("reference", "请选择办理结果对应的案件、检查记录或强制措施"));
            }
            (None, _) if note.chars().count() < 4 => {
                return Err(DomainError::invalid("note", "经核查无违法行为的，请写明核查情况"));
            }
            _ => {}
        }
        self.status = HandoverStatus::Concluded;
        self.outcome = Some(outcome);
        self.outcome_ref = reference.filter(|_| outcome.reference().is_some());
        self.outcome_note = note.into();
        self.concluded_at = Some(at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handover() -> Handover {
        let a = crate::entrustment::tests::agreement();
        let by = ("t1", "徐丽");
        Handover::submitted(
            &a,
            ("u", "江城长青汽车客运站"),
            HandoverReason::KeyUnit,
            "疏散通道堵塞".into(),
            by,
            Timestamp(0),
        )
    }

    #[test]
    fn a_handover_is_accepted_then_concluded_with_what_it_led_to() {
        let mut h = handover();
        assert!(h.conclude(HandoverOutcome::NoViolation, None, "核查无违法", Timestamp(1)).is_err(), "not accepted");
        h.accept(("o", "李想"), Timestamp(1)).unwrap();
        assert!(h.accept(("o", "李想"), Timestamp(1)).is_err());
        assert!(h.conclude(HandoverOutcome::CaseOpened, None, "", Timestamp(2)).is_err(), "case id required");
        assert!(h.conclude(HandoverOutcome::NoViolation, None, "", Timestamp(2)).is_err(), "reasons required");
        h.conclude(HandoverOutcome::CaseOpened, Some("c1".into()), "", Timestamp(2)).unwrap();
        assert_eq!((h.status, h.outcome_ref.as_deref()), (HandoverStatus::Concluded, Some("c1")));
        assert!(check_matter("短").is_err() && check_matter("疏散通道被货物堵塞").is_ok());
    }
}
