//! 临时查封 (消防法第五十四条, 《消防监督检查规定》第二十二条至第二十五条) and 责令停产停业、停止使用
//! (三停, 消防法第五十八条、第六十一条、第七十条).
//!
//! The term of a 临时查封 is a setting because the sources disagree: 《消防监督检查规定》第二十二条 allows
//! one month and lets it run on while the hazard is not removed; 行政强制法第二十五条 caps 查封 at 30 days
//! plus one extension of 30 days. The default is the stricter 行政强制法 rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Which measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 临时查封.
    TemporarySeal,
    /// 责令停产停业.
    StopBusiness,
    /// 责令停止使用.
    StopUse,
    /// 责令停止施工.
    StopConstruction,
}

impl MeasureKind {
    /// All.
    pub const ALL: [MeasureKind; 4] =
        [MeasureKind::TemporarySeal, MeasureKind::StopBusiness, MeasureKind::StopUse, MeasureKind::StopConstruction];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            MeasureKind::TemporarySeal => "temporary_seal",
            MeasureKind::StopBusiness => "stop_business",
            MeasureKind::StopUse => "stop_use",
            MeasureKind::StopConstruction => "stop_construction",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<MeasureKind> {
        MeasureKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("措施类型“{s}”无效")))
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::TemporarySeal => "临时查封",
            MeasureKind::StopBusiness => "责令停产停业",
            MeasureKind::StopUse => "责令停止使用",
            MeasureKind::StopConstruction => "责令停止施工",
        }
    }

    /// Whether this is one of the 三停 (resumed only after a passed inspection, 消防法第七十条第二款).
    pub fn is_stop(self) -> bool {
        self != MeasureKind::TemporarySeal
    }
}

/// Grounds for a 临时查封 (《消防监督检查规定》第二十二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealGround {
    /// (一) 疏散通道、安全出口数量不足或者严重堵塞，已不具备安全疏散条件.
    ExitsInsufficient,
    /// (二) 建筑消防设施严重损坏，不再具备防火灭火功能.
    FacilitiesDisabled,
    /// (三) 人员密集场所违反消防安全规定，使用、储存易燃易爆危险品.
    HazmatInCrowdedPlace,
    /// (四) 公众聚集场所违反消防技术标准，采用易燃、可燃材料装修，可能导致重大人员伤亡.
    CombustibleDecoration,
    /// (五) 其他可能严重威胁公共安全的火灾隐患.
    Other,
}

impl SealGround {
    /// All.
    pub const ALL: [SealGround; 5] = [
        SealGround::ExitsInsufficient,
        SealGround::FacilitiesDisabled,
        SealGround::HazmatInCrowdedPlace,
        SealGround::CombustibleDecoration,
        SealGround::Other,
    ];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            SealGround::ExitsInsufficient => "exits_insufficient",
            SealGround::FacilitiesDisabled => "facilities_disabled",
            SealGround::HazmatInCrowdedPlace => "hazmat_in_crowded_place",
            SealGround::CombustibleDecoration => "combustible_decoration",
            SealGround::Other => "other",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<SealGround> {
        SealGround::ALL
            .into_iter()
            .find(|g| g.code() == s)
            .ok_or_else(|| DomainError::invalid("grounds", format!("查封情形“{s}”无效")))
    }

    /// The text of the ground, as documents quote it.
    pub fn label(self) -> &'static str {
        match self {
            SealGround::ExitsInsufficient => "疏散通道、安全出口数量不足或者严重堵塞，已不具备安全疏散条件",
            SealGround::FacilitiesDisabled => "建筑消防设施严重损坏，不再具备防火灭火功能",
            SealGround::HazmatInCrowdedPlace => "人员密集场所违反消防安全规定，使用、储存易燃易爆危险品",
            SealGround::CombustibleDecoration => {
                "公众聚集场所违反消防技术标准，采用易燃、可燃材料装修，可能导致重大人员伤亡"
            }
            SealGround::Other => "其他可能严重威胁公共安全的火灾隐患",
        }
    }
}

/// Which source fixes the term of a 临时查封.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealTermRule {
    /// 行政强制法第二十五条: 30 days, one extension of at most 30 days (default: the stricter).
    CoercionLaw,
    /// 《消防监督检查规定》第二十二条: one month, continuing while the hazard is not removed.
    InspectionRules,
}

impl SealTermRule {
    /// Longest first term in days.
    pub fn max_term_days(self) -> u32 {
        crate::deadline::SEAL_TERM_DAYS
    }

    /// Longest extension in days, and how many are allowed (`None`: no limit).
    pub fn extension(self) -> (u32, Option<u32>) {
        match self {
            SealTermRule::CoercionLaw => (crate::deadline::SEAL_TERM_DAYS, Some(1)),
            SealTermRule::InspectionRules => (crate::deadline::SEAL_TERM_DAYS, None),
        }
    }

    /// Its source, for documents and the settings page.
    pub fn article(self) -> &'static str {
        match self {
            SealTermRule::CoercionLaw => "《中华人民共和国行政强制法》第二十五条",
            SealTermRule::InspectionRules => "《消防监督检查规定》第二十二条",
        }
    }

    /// Checks a first term.
    pub fn check_term(self, days: u32) -> Result<()> {
        if days == 0 || days > self.max_term_days() {
            return Err(DomainError::invalid(
                "term_days",
                format!("临时查封期限应为1至{}日（{}）", self.max_term_days(), self.article()),
            ));
        }
        Ok(())
    }

    /// Checks an extension, given how many were granted before.
    pub fn check_extension(self, days: u32, granted: u32) -> Result<()> {
        let (max_days, max_count) = self.extension();
        if max_count.is_some_and(|m| granted >= m) {
            return Err(DomainError::Rule(format!("临时查封期限只能延长一次（{}）", self.article())));
        }
        if days == 0 || days > max_days {
            return Err(DomainError::invalid("days", format!("延长期限应为1至{max_days}日（{}）", self.article())));
        }
        Ok(())
    }
}

/// Where a measure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    /// Sealed on the spot in an emergency; the collective decision is due within 24 hours.
    AwaitingDecision,
    /// In force.
    InForce,
    /// Lifted (hazard removed; for 三停: resumed after a passed inspection).
    Lifted,
    /// The collective decided against it after an emergency seal: lifted at once (第二十三条第二款).
    Revoked,
}

impl MeasureStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            MeasureStatus::AwaitingDecision => "awaiting_decision",
            MeasureStatus::InForce => "in_force",
            MeasureStatus::Lifted => "lifted",
            MeasureStatus::Revoked => "revoked",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<MeasureStatus> {
        [MeasureStatus::AwaitingDecision, MeasureStatus::InForce, MeasureStatus::Lifted, MeasureStatus::Revoked]
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("措施状态“{s}”无效")))
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::AwaitingDecision => "已当场查封，待集体研究",
            MeasureStatus::InForce => "执行中",
            MeasureStatus::Lifted => "已解除",
            MeasureStatus::Revoked => "集体研究不予查封，已解除",
        }
    }
}

/// A 临时查封 or 三停 measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measure {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: MeasureKind,
    /// Jurisdiction.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// The inspection that found the hazards.
    pub inspection_id: String,
    /// Hazards it addresses.
    pub hazard_ids: Vec<String>,
    /// Grounds (临时查封).
    pub grounds: Vec<SealGround>,
    /// Facts and reasons, in the officer's words.
    pub facts: String,
    /// What is sealed or stopped (场所、部位、设施).
    pub scope: String,
    /// Sealed on the spot before the collective decision.
    pub emergency: bool,
    /// Head who approved the emergency seal orally.
    pub oral_approval_by: String,
    /// The collective decision.
    pub decision_id: Option<String>,
    /// In force from.
    pub started_at: Timestamp,
    /// Term in days (临时查封).
    pub term_days: u32,
    /// Last day (临时查封).
    pub ends_on: Option<NaiveDate>,
    /// Extensions granted.
    pub extensions: u32,
    /// Status.
    pub status: MeasureStatus,
    /// The party applied to lift or resume on.
    pub lift_applied_on: Option<NaiveDate>,
    /// The passed inspection that allowed lifting or resumption.
    pub lift_inspection_id: Option<String>,
    /// Lifted at.
    pub lifted_at: Option<Timestamp>,
    /// Why lifted.
    pub lift_reason: String,
    /// Decision document.
    pub doc_id: Option<String>,
    /// Version.
    pub version: i64,
}

/// Checks the grounds and texts of a new measure.
pub fn check_new(kind: MeasureKind, grounds: &[SealGround], facts: &str, scope: &str) -> Result<()> {
    if kind == MeasureKind::TemporarySeal && grounds.is_empty() {
        return Err(DomainError::invalid("grounds", "请选择临时查封的情形（《消防监督检查规定》第二十二条）"));
    }
    let n = facts.trim().chars().count();
    if !(10..=2000).contains(&n) {
        return Err(DomainError::invalid("facts", "请写明违法事实和理由（10至2000字）"));
    }
    let n = scope.trim().chars().count();
    if !(2..=200).contains(&n) {
        return Err(DomainError::invalid("scope", "请写明查封或停止的场所、部位、设施（2至200字）"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_term_rule_is_the_stricter_coercion_law() {
        let r = SealTermRule::CoercionLaw;
        assert!(r.check_term(30).is_ok());
        assert!(r.check_term(31).is_err());
        assert!(r.check_extension(30, 0).is_ok());
        assert!(r.check_extension(30, 1).unwrap_err().to_string().contains("只能延长一次"));
        assert!(SealTermRule::InspectionRules.check_extension(30, 3).is_ok());
    }

    #[test]
    fn a_seal_needs_grounds_facts_and_scope() {
        assert!(check_new(MeasureKind::TemporarySeal, &[], "安全出口全部锁闭，营业中约80人", "二楼KTV").is_err());
        assert!(
            check_new(
                MeasureKind::TemporarySeal,
                &[SealGround::ExitsInsufficient],
                "安全出口全部锁闭，营业中约80人",
                "二楼KTV"
            )
            .is_ok()
        );
        assert!(check_new(MeasureKind::StopUse, &[], "短", "二楼").is_err());
        assert!(MeasureKind::StopUse.is_stop() && !MeasureKind::TemporarySeal.is_stop());
    }
}
