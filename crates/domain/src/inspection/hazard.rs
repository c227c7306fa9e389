//! 火灾隐患 and their life: found at an inspection, corrected on the spot or ordered corrected by a
//! deadline (《消防监督检查规定》第十七条、第十八条), re-inspected (第十九条), and then either rectified or
//! escalated.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// How the hazard is to be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// 当场改正: removed during the inspection (第十七条).
    OnSite,
    /// 限期改正: by a deadline set by difficulty (第十八条).
    Deadline,
}

impl Disposition {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<Disposition> {
        match s {
            "on_site" => Ok(Disposition::OnSite),
            "deadline" => Ok(Disposition::Deadline),
            _ => Err(DomainError::invalid("disposition", format!("整改方式“{s}”无效"))),
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Disposition::OnSite => "当场改正",
            Disposition::Deadline => "限期改正",
        }
    }
}

/// How hard the correction is: the officer's basis for the deadline (第十八条 "根据整改难易程度").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// 容易整改 (clear a corridor, replace an extinguisher).
    Easy,
    /// 一般.
    Moderate,
    /// 较难 (works, equipment, design changes).
    Hard,
}

impl Difficulty {
    /// All, in order.
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Moderate, Difficulty::Hard];

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Difficulty> {
        Difficulty::ALL
            .into_iter()
            .find(|d| d.code() == s)
            .ok_or_else(|| DomainError::invalid("difficulty", format!("整改难度“{s}”无效")))
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Moderate => "moderate",
            Difficulty::Hard => "hard",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "容易",
            Difficulty::Moderate => "一般",
            Difficulty::Hard => "较难",
        }
    }

    /// Days suggested for the deadline [M: local practice; the officer may set another date].
    pub fn suggested_days(self) -> u32 {
        match self {
            Difficulty::Easy => 7,
            Difficulty::Moderate => 15,
            Difficulty::Hard => 30,
        }
    }
}

/// Longest rectification deadline accepted without a major-hazard procedure [M]: beyond it the hazard
/// belongs in the 重大火灾隐患 procedure, which has its own 挂牌督办 timetable.
pub const MAX_DEADLINE_DAYS: i64 = 90;

/// Where a hazard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// 当场改正.
    CorrectedOnSite,
    /// 限期整改中.
    Open,
    /// 复查合格，已整改.
    Rectified,
    /// 逾期未改，已移送处理 (penalty, seal, 三停 or major-hazard procedure).
    Escalated,
}

impl HazardStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            HazardStatus::CorrectedOnSite => "corrected_on_site",
            HazardStatus::Open => "open",
            HazardStatus::Rectified => "rectified",
            HazardStatus::Escalated => "escalated",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<HazardStatus> {
        [HazardStatus::CorrectedOnSite, HazardStatus::Open, HazardStatus::Rectified, HazardStatus::Escalated]
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("隐患状态“{s}”无效")))
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            HazardStatus::CorrectedOnSite => "当场改正",
            HazardStatus::Open => "限期整改中",
            HazardStatus::Rectified => "已整改",
            HazardStatus::Escalated => "已移送处理",
        }
    }
}

/// Where a hazard that was not rectified goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// 立案调查 (消防法第六十条第一款第七项: 不及时消除隐患).
    Penalty,
    /// 临时查封 (消防法第五十四条).
    Seal,
    /// 责令停产停业、停止使用 (三停).
    Stop,
    /// 重大火灾隐患 procedure (消防法第五十五条).
    Major,
    /// 移交消防救援大队: a town under entrustment cannot escalate itself (呼政办规〔2023〕3号 二（三）: 对未进行改正的
    /// 移交区消防救援大队).
    Handover,
}

impl Escalation {
    /// All.
    pub const ALL: [Escalation; 5] =
        [Escalation::Penalty, Escalation::Seal, Escalation::Stop, Escalation::Major, Escalation::Handover];

    /// What a brigade's own 复查 may choose.
    pub const BRIGADE: [Escalation; 4] = [Escalation::Penalty, Escalation::Seal, Escalation::Stop, Escalation::Major];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Escalation::Penalty => "penalty",
            Escalation::Seal => "seal",
            Escalation::Stop => "stop",
            Escalation::Major => "major",
            Escalation::Handover => "handover",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Escalation> {
        Escalation::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| DomainError::invalid("escalation", format!("处理方式“{s}”无效")))
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Escalation::Penalty => "移送立案调查",
            Escalation::Seal => "临时查封",
            Escalation::Stop => "责令停产停业、停止使用",
            Escalation::Major => "重大火灾隐患判定",
            Escalation::Handover => "移交消防救援大队处理",
        }
    }
}

/// A hazard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hazard {
    /// Id.
    pub id: String,
    /// Inspection that found it.
    pub inspection_id: String,
    /// Jurisdiction.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Checklist item it fails (may be empty for a hazard outside the list).
    pub item_code: String,
    /// What was found, where.
    pub description: String,
    /// The provision it breaks.
    pub basis: String,
    /// Campaign tags.
    pub tags: Vec<String>,
    /// On the spot or by a deadline.
    pub disposition: Disposition,
    /// Difficulty (deadline hazards).
    pub difficulty: Option<Difficulty>,
    /// Rectification deadline (deadline hazards).
    pub deadline: Option<NaiveDate>,
    /// Found on.
    pub found_on: NaiveDate,
    /// Status.
    pub status: HazardStatus,
    /// The party applied for a 复查 on this date (before the deadline).
    pub applied_on: Option<NaiveDate>,
    /// The 责令（限期）改正通知书 that ordered it.
    pub order_doc_id: Option<String>,
    /// Re-inspection that closed it.
    pub closed_by: Option<String>,
    /// Closed at.
    pub closed_at: Option<Timestamp>,
    /// Where it went when not rectified.
    pub escalation: Option<Escalation>,
    /// Version.
    pub version: i64,
}

impl Hazard {
    /// Whether a 复查 is due: open, and the deadline has passed or the party has applied.
    pub fn reinspection_due(&self, on: NaiveDate) -> bool {
        self.status == HazardStatus::Open
            && (self.deadline.is_some_and(|d| d < on) || self.applied_on.is_some_and(|a| a <= on))
    }

    /// The date the 复查 period runs from: the party's application, else the deadline (第十九条).
    pub fn reinspection_start(&self) -> Option<NaiveDate> {
        match (self.applied_on, self.deadline) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        }
    }
}

/// A hazard as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HazardDraft {
    /// Checklist item.
    #[serde(default)]
    pub item_code: String,
    /// Description.
    pub description: String,
    /// Basis (default: the item's).
    #[serde(default)]
    pub basis: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `on_site` or `deadline`.
    pub disposition: String,
    /// `easy`, `moderate`, `hard`.
    #[serde(default)]
    pub difficulty: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub deadline: String,
}

/// The parsed parts of a [`HazardDraft`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardTerms {
    /// Description.
    pub description: String,
    /// Basis.
    pub basis: String,
    /// Disposition.
    pub disposition: Disposition,
    /// Difficulty.
    pub difficulty: Option<Difficulty>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
}

/// Parses a hazard against the inspection date: a description, a basis, and for 限期改正 a deadline after
/// the inspection and within [`MAX_DEADLINE_DAYS`].
pub fn parse_terms(d: &HazardDraft, default_basis: &str, found_on: NaiveDate) -> Result<HazardTerms> {
    let description = d.description.trim();
    if description.chars().count() < 4 || description.chars().count() > 500 {
        return Err(DomainError::invalid("description", "隐患描述应为4至500个字，写明部位和情形"));
    }
    let basis = if d.basis.trim().is_empty() { default_basis.trim() } else { d.basis.trim() };
    if basis.is_empty() {
        return Err(DomainError::invalid("basis", "请写明隐患违反的法律依据"));
    }
    if basis.chars().count() > 200 {
        return Err(DomainError::invalid("basis", "法律依据不超过200个字"));
    }
    let disposition = Disposition::parse(d.disposition.trim())?;
    let (difficulty, deadline) = match disposition {
        Disposition::OnSite => (None, None),
        Disposition::Deadline => {
            let difficulty = Difficulty::parse(if d.difficulty.is_empty() { "moderate" } else { d.difficulty.trim() })?;
            let deadline = crate::calendar::parse_date("deadline", d.deadline.trim())
                .map_err(|_| DomainError::invalid("deadline", "限期改正的隐患应填写整改期限（年-月-日）"))?;
            if deadline <= found_on {
                return Err(DomainError::invalid(
                    "deadline",
                    format!("整改期限（{deadline}）应晚于检查日期（{found_on}）"),
                ));
            }
            if (deadline - found_on).num_days() > MAX_DEADLINE_DAYS {
                return Err(DomainError::invalid(
                    "deadline",
                    format!("整改期限不能超过检查之日起{MAX_DEADLINE_DAYS}日；整改难度大的，应按重大火灾隐患程序处理"),
                ));
            }
            (Some(difficulty), Some(deadline))
        }
    };
    Ok(HazardTerms { description: description.into(), basis: basis.into(), disposition, difficulty, deadline })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn draft(disposition: &str, deadline: &str) -> HazardDraft {
        HazardDraft {
            description: "三楼东侧疏散通道堆放纸箱".into(),
            disposition: disposition.into(),
            deadline: deadline.into(),
            ..Default::default()
        }
    }

    #[test]
    fn deadlines_must_follow_the_inspection() {
        let found = d("2026-11-20");
        let t = parse_terms(&draft("deadline", "2026-12-05"), "《消防法》第六十条", found).unwrap();
        assert_eq!(t.deadline, Some(d("2026-12-05")));
        assert_eq!(t.difficulty, Some(Difficulty::Moderate));
        let e = parse_terms(&draft("deadline", "2026-11-19"), "《消防法》第六十条", found).unwrap_err();
        assert!(e.to_string().contains("应晚于检查日期"), "{e}");
        assert!(parse_terms(&draft("deadline", "2026-11-20"), "b", found).is_err());
        assert!(parse_terms(&draft("deadline", ""), "b", found).unwrap_err().to_string().contains("整改期限"));
        assert!(parse_terms(&draft("deadline", "2027-03-01"), "b", found).unwrap_err().to_string().contains("90"));
        let on_site = parse_terms(&draft("on_site", ""), "b", found).unwrap();
        assert_eq!((on_site.deadline, on_site.difficulty), (None, None));
        assert!(parse_terms(&draft("on_site", ""), "", found).is_err());
    }

    #[test]
    fn reinspection_is_due_after_the_deadline_or_on_application() {
        let mut h = Hazard {
            id: "h".into(),
            inspection_id: "i".into(),
            org_id: OrgId("o".into()),
            org_path: OrgPath::parse("/o/").unwrap(),
            unit_id: "u".into(),
            unit_name: "某超市".into(),
            item_code: "G07".into(),
            description: "x".into(),
            basis: "b".into(),
            tags: vec![],
            disposition: Disposition::Deadline,
            difficulty: Some(Difficulty::Easy),
            deadline: Some(d("2026-11-27")),
            found_on: d("2026-11-20"),
            status: HazardStatus::Open,
            applied_on: None,
            order_doc_id: None,
            closed_by: None,
            closed_at: None,
            escalation: None,
            version: 1,
        };
        assert!(!h.reinspection_due(d("2026-11-27")));
        assert!(h.reinspection_due(d("2026-11-28")));
        assert_eq!(h.reinspection_start(), Some(d("2026-11-27")));
        h.applied_on = Some(d("2026-11-24"));
        assert!(h.reinspection_due(d("2026-11-24")));
        assert_eq!(h.reinspection_start(), Some(d("2026-11-24")));
        h.status = HazardStatus::Rectified;
        assert!(!h.reinspection_due(d("2026-12-24")));
    }
}
