//! 委托执法: a brigade entrusts a town (镇 / 街道) with part of its fire enforcement by a written agreement
//! (《中华人民共和国行政处罚法》第二十条). The town acts in the brigade's name, only within the enumerated
//! powers, the territory and the term of the agreement, never entrusts them on, and only through certified
//! officers trained and assessed by the brigade (第二十一条). Everything else is handed over (移交) to the
//! brigade. The county plan this follows (呼政办规〔2023〕3号) entrusts 监督检查 of units that are not
//! 消防安全重点单位 and 责令改正, for one year, filed (备案) within 5 working days, every act on video.
//!
//! [`check_act`] is the scope guard: the services of every act a town officer may attempt call it, so the
//! web pages and the API refuse the same things for the same reasons.

pub mod handover;
pub mod oversight;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// A power a town may be entrusted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrustedPower {
    /// 监督检查 of units that are not 消防安全重点单位.
    InspectNonKeyUnits,
    /// 责令改正 (立即改正 or 限期改正) of what an inspection found.
    OrderCorrection,
}

impl EntrustedPower {
    /// All powers an agreement may list.
    pub const ALL: [EntrustedPower; 2] = [EntrustedPower::InspectNonKeyUnits, EntrustedPower::OrderCorrection];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            EntrustedPower::InspectNonKeyUnits => "inspect_non_key_units",
            EntrustedPower::OrderCorrection => "order_correction",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<EntrustedPower> {
        EntrustedPower::ALL
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or_else(|| DomainError::invalid("powers", format!("委托事项“{s}”无效")))
    }

    /// As the agreement names it.
    pub fn label(self) -> &'static str {
        match self {
            EntrustedPower::InspectNonKeyUnits => "对消防安全重点单位以外的单位和个人实施消防监督检查",
            EntrustedPower::OrderCorrection => "对检查发现的消防安全违法行为责令立即改正或者限期改正",
        }
    }
}

/// What a town officer attempts; everything a town could try is named here, so that nothing is allowed by
/// omission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// Record an inspection.
    Inspect,
    /// Issue a 责令（限期）改正通知书.
    OrderCorrection,
    /// Open a penalty case.
    OpenCase,
    /// 临时查封.
    Seal,
    /// 三停.
    StopOrder,
    /// A fine or any other penalty.
    Penalty,
    /// 重大火灾隐患 determination.
    MajorHazard,
}

impl Act {
    /// Chinese name, for refusals.
    pub fn label(self) -> &'static str {
        match self {
            Act::Inspect => "消防监督检查",
            Act::OrderCorrection => "责令改正",
            Act::OpenCase => "行政处罚立案",
            Act::Seal => "临时查封",
            Act::StopOrder => "责令停产停业、停止使用",
            Act::Penalty => "行政处罚",
            Act::MajorHazard => "重大火灾隐患判定",
        }
    }

    /// The power it needs, if any power can allow it.
    fn power(self) -> Option<EntrustedPower> {
        match self {
            Act::Inspect => Some(EntrustedPower::InspectNonKeyUnits),
            Act::OrderCorrection => Some(EntrustedPower::OrderCorrection),
            Act::OpenCase | Act::Seal | Act::StopOrder | Act::Penalty | Act::MajorHazard => None,
        }
    }
}

/// Where an agreement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrustmentStatus {
    /// Signed and in force (inside its term).
    InForce,
    /// Revoked by the brigade.
    Revoked,
}

/// The default term of an agreement [M: the plan says 暂定1年].
pub const DEFAULT_TERM_MONTHS: u32 = 12;

/// Fewest certified officers a town must have [M: the plan asks for 1 or more; 耒阳 2024 asks for 3].
pub const MIN_TOWN_OFFICERS: usize = 1;

/// Days of training the brigade gives a town's officers each year (the plan: 不少于7天).
pub const TRAINING_DAYS_PER_YEAR: u32 = 7;

/// On-site guidance visits per quarter (the plan: 每季度不得少于1次).
pub const GUIDANCE_PER_QUARTER: u32 = 1;

/// A 行政执法委托协议.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntrustmentAgreement {
    /// Id.
    pub id: String,
    /// The entrusting brigade.
    pub brigade_id: OrgId,
    /// Its path.
    pub brigade_path: OrgPath,
    /// Its name (acts are done in it).
    pub brigade_name: String,
    /// The entrusted town.
    pub town_id: OrgId,
    /// Its path: the territory.
    pub town_path: OrgPath,
    /// Its name.
    pub town_name: String,
    /// Entrusted powers.
    pub powers: Vec<EntrustedPower>,
    /// Signed on.
    pub signed_on: NaiveDate,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// Last day in force.
    pub ends_on: NaiveDate,
    /// Status.
    pub status: EntrustmentStatus,
    /// Filed (备案) with the government and the brigade on.
    pub filed_on: Option<NaiveDate>,
    /// Filed with (the county government and the brigade).
    #[serde(default)]
    pub filed_with: String,
    /// Who signed for the town.
    #[serde(default)]
    pub town_signatory: String,
    /// Who signed for the brigade.
    #[serde(default)]
    pub signed_by_name: String,
    /// Published on the portal at (行政处罚法第二十条第二款: 委托书应当向社会公布).
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    /// The 行政执法委托协议书.
    #[serde(default)]
    pub doc_id: Option<String>,
    /// The agreement it renews, if any (a renewal is a new agreement).
    #[serde(default)]
    pub renews: Option<String>,
    /// Revoked at, with reasons.
    pub revoked_at: Option<Timestamp>,
    /// Why.
    pub revoke_reason: String,
    /// Version.
    #[serde(default)]
    pub version: i64,
}

/// The last day of a term of `months` starting on `starts_on`.
pub fn term_end(starts_on: NaiveDate, months: u32) -> NaiveDate {
    starts_on.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(starts_on)
}

impl EntrustmentStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            EntrustmentStatus::InForce => "in_force",
            EntrustmentStatus::Revoked => "revoked",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<EntrustmentStatus> {
        match s {
            "in_force" => Ok(EntrustmentStatus::InForce),
            "revoked" => Ok(EntrustmentStatus::Revoked),
            _ => Err(DomainError::internal(format!("entrustment status {s}"))),
        }
    }
}

/// Longest term the system accepts, in months (a renewal is a new agreement).
pub const MAX_TERM_MONTHS: u32 = 36;

impl EntrustmentAgreement {
    /// Whether it allows acting on `day`: in force, not revoked, inside the term.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.status == EntrustmentStatus::InForce && self.starts_on <= day && day <= self.ends_on
    }

    /// Where it stands on `day`, in words.
    pub fn state_label(&self, day: NaiveDate) -> &'static str {
        match self.status {
            EntrustmentStatus::Revoked => "已解除",
            EntrustmentStatus::InForce if day < self.starts_on => "未生效",
            EntrustmentStatus::InForce if day > self.ends_on => "已期满",
            EntrustmentStatus::InForce => "生效中",
        }
    }

    /// The brigade revokes it, with reasons (呼政办规〔2023〕3号 二（六）: 过错、情节严重的，可以解除).
    pub fn revoke(&mut self, reason: &str, at: Timestamp) -> Result<()> {
        if self.status == EntrustmentStatus::Revoked {
            return Err(DomainError::Rule("该委托协议已经解除".into()));
        }
        let reason = reason.trim();
        if !(4..=1000).contains(&reason.chars().count()) {
            return Err(DomainError::invalid("reason", "解除委托协议应写明理由（4至1000字）"));
        }
        self.status = EntrustmentStatus::Revoked;
        self.revoked_at = Some(at);
        self.revoke_reason = reason.into();
        Ok(())
    }

    /// Records the 备案: on a day not before signing and not after today.
    pub fn file(&mut self, on: NaiveDate, with: &str, today: NaiveDate) -> Result<()> {
        if self.filed_on.is_some() {
            return Err(DomainError::Rule("该委托协议已经备案".into()));
        }
        if on < self.signed_on || on > today {
            return Err(DomainError::invalid("filed_on", "备案日期应在签订日期之后、今天之前"));
        }
        let with = with.trim();
        if with.is_empty() || with.chars().count() > 200 {
            return Err(DomainError::invalid("filed_with", "请填写报送备案的机关"));
        }
        self.filed_on = Some(on);
        self.filed_with = with.into();
        Ok(())
    }
}

/// Checks the terms of a new agreement: powers listed, the term starting on or after signing, a signing
/// date not in the future, a term of 1 to [`MAX_TERM_MONTHS`] months.
pub fn check_terms(
    powers: &[EntrustedPower],
    signed_on: NaiveDate,
    starts_on: NaiveDate,
    months: u32,
    today: NaiveDate,
) -> Result<()> {
    if powers.is_empty() {
        return Err(DomainError::invalid("powers", "请列明委托的执法事项"));
    }
    if signed_on > today {
        return Err(DomainError::invalid("signed_on", "签订日期不能晚于今天"));
    }
    if starts_on < signed_on {
        return Err(DomainError::invalid("starts_on", "委托期限不能早于签订日期开始"));
    }
    if months == 0 || months > MAX_TERM_MONTHS {
        return Err(DomainError::invalid(
            "months",
            format!("委托期限应为1至{MAX_TERM_MONTHS}个月（默认{DEFAULT_TERM_MONTHS}个月）"),
        ));
    }
    Ok(())
}

/// What the guard needs to know of the unit acted on.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its org path (territory).
    pub org_path: OrgPath,
    /// A 消防安全重点单位.
    pub key_unit: bool,
}

/// The scope guard: may a town officer do `act` on `target` on `day` under `agreement`? The refusal says why
/// and, where the matter must go to the brigade, says so (行政处罚法第二十条; the county plan's 委托执法权限).
pub fn check_act(agreement: Option<&EntrustmentAgreement>, act: Act, target: &Target, day: NaiveDate) -> Result<()> {
    let a = agreement
        .ok_or_else(|| DomainError::Rule("本镇（街道）没有有效的行政执法委托协议，不能实施执法行为".into()))?;
    if a.status == EntrustmentStatus::Revoked {
        return Err(DomainError::Rule(format!("行政执法委托协议已被{}解除，不能再实施执法行为", a.brigade_name)));
    }
    if day < a.starts_on || day > a.ends_on {
        return Err(DomainError::Rule(format!(
            "行政执法委托协议的期限为{}至{}，期限外不能实施执法行为",
            a.starts_on, a.ends_on
        )));
    }
    let Some(power) = act.power().filter(|p| a.powers.contains(p)) else {
        return Err(DomainError::Rule(format!("{}不在委托权限范围内，请移交{}处理", act.label(), a.brigade_name)));
    };
    if !a.town_path.contains(&target.org_path) {
        return Err(DomainError::Rule(format!("该单位不在{}辖区内，不能实施执法行为", a.town_name)));
    }
    if power == EntrustedPower::InspectNonKeyUnits && target.key_unit {
        return Err(DomainError::Rule(format!(
            "该单位是消防安全重点单位，不在委托权限范围内，请移交{}处理",
            a.brigade_name
        )));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    pub(crate) fn agreement() -> EntrustmentAgreement {
        EntrustmentAgreement {
            id: "a".into(),
            brigade_id: OrgId("b".into()),
            brigade_path: OrgPath::parse("/s/b/").unwrap(),
            brigade_name: "东湖区消防救援大队".into(),
            town_id: OrgId("t".into()),
            town_path: OrgPath::parse("/s/b/t/").unwrap(),
            town_name: "长青街道".into(),
            powers: EntrustedPower::ALL.to_vec(),
            signed_on: d("2026-01-05"),
            starts_on: d("2026-01-05"),
            ends_on: term_end(d("2026-01-05"), DEFAULT_TERM_MONTHS),
            status: EntrustmentStatus::InForce,
            filed_on: None,
            filed_with: String::new(),
            town_signatory: String::new(),
            signed_by_name: String::new(),
            published_at: None,
            doc_id: None,
            renews: None,
            revoked_at: None,
            revoke_reason: String::new(),
            version: 1,
        }
    }

    fn unit(path: &str, key_unit: bool) -> Target {
        Target { org_path: OrgPath::parse(path).unwrap(), key_unit }
    }

    #[test]
    fn a_town_inspects_and_orders_correction_of_non_key_units_in_its_territory_only() {
        // 行政处罚法第二十条; 呼政办规〔2023〕3号 二（三）.
        let a = agreement();
        let day = d("2026-06-01");
        let inside = unit("/s/b/t/", false);
        assert!(check_act(Some(&a), Act::Inspect, &inside, day).is_ok());
        assert!(check_act(Some(&a), Act::OrderCorrection, &inside, day).is_ok());
        let e = check_act(Some(&a), Act::Inspect, &unit("/s/b/t/", true), day).unwrap_err().to_string();
        assert!(e.contains("重点单位") && e.contains("移交东湖区消防救援大队"), "{e}");
        let e = check_act(Some(&a), Act::Inspect, &unit("/s/b/", false), day).unwrap_err().to_string();
        assert!(e.contains("不在长青街道辖区内"), "{e}");
        for act in [Act::OpenCase, Act::Seal, Act::StopOrder, Act::Penalty, Act::MajorHazard] {
            let e = check_act(Some(&a), act, &inside, day).unwrap_err().to_string();
            assert!(e.contains("不在委托权限范围内") && e.contains("移交"), "{e}");
        }
        // An agreement listing only inspection does not allow orders.
        let mut only = a.clone();
        only.powers = vec![EntrustedPower::InspectNonKeyUnits];
        assert!(check_act(Some(&only), Act::OrderCorrection, &inside, day).is_err());
    }

    #[test]
    fn nothing_outside_the_term_after_revocation_or_without_an_agreement() {
        let a = agreement();
        let inside = unit("/s/b/t/", false);
        // One year: 2026-01-05 .. 2027-01-04.
        assert_eq!(a.ends_on, d("2027-01-04"));
        assert!(check_act(Some(&a), Act::Inspect, &inside, d("2027-01-04")).is_ok());
        assert!(check_act(Some(&a), Act::Inspect, &inside, d("2027-01-05")).unwrap_err().to_string().contains("期限"));
        assert!(check_act(Some(&a), Act::Inspect, &inside, d("2026-01-04")).is_err());
        let mut r = a.clone();
        r.status = EntrustmentStatus::Revoked;
        assert!(check_act(Some(&r), Act::Inspect, &inside, d("2026-06-01")).unwrap_err().to_string().contains("解除"));
        assert!(!r.in_force_on(d("2026-06-01")) && a.in_force_on(d("2026-06-01")));
        assert!(check_act(None, Act::Inspect, &inside, d("2026-06-01")).unwrap_err().to_string().contains("委托协议"));
        for p in EntrustedPower::ALL {
            assert_eq!(EntrustedPower::parse(p.code()).unwrap(), p);
        }
    }
}
