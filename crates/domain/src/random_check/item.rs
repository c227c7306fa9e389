//! 随机抽查事项清单: what is checked, on whom, how often and in what proportion. Columns follow the usual
//! 事项清单 (事项, 依据, 主体, 对象, 比例, 频次, 方式, 检查人员要求). Ratios are per-jurisdiction
//! configuration [M]: the defaults follow the 济宁高新区大队 2024 plan (key units that are crowded places
//! ≥ 10 % a month, other key units ≥ 5 % a month).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::registry::risk::RiskGrade;
use crate::registry::venue::VenueKind;
use crate::time::Timestamp;

/// How often the item is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// 每月.
    Monthly,
    /// 每季度.
    Quarterly,
    /// 每年.
    Yearly,
}

impl Frequency {
    /// All.
    pub const ALL: [Frequency; 3] = [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }
    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Monthly => "每月",
            Frequency::Quarterly => "每季度",
            Frequency::Yearly => "每年",
        }
    }
    /// Parses a code.
    pub fn parse(field: &str, s: &str) -> Result<Frequency> {
        Frequency::ALL
            .into_iter()
            .find(|f| f.code() == s || f.label() == s)
            .ok_or_else(|| DomainError::invalid(field, "频次应为每月、每季度或每年"))
    }
}

/// Which units of the registry an item reaches (检查对象范围). Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Key units only (`Some(true)`), non-key units only (`Some(false)`), or both.
    #[serde(default)]
    pub key_unit: Option<bool>,
    /// The unit has at least one of these kinds.
    #[serde(default)]
    pub venue_kinds_any: Vec<VenueKind>,
    /// The unit has none of these kinds.
    #[serde(default)]
    pub venue_kinds_none: Vec<VenueKind>,
    /// The unit has one of these risk grades.
    #[serde(default)]
    pub risk_grades: Vec<RiskGrade>,
}

impl Scope {
    /// The scope in words, for the list and the public page.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.key_unit {
            Some(true) => parts.push("消防安全重点单位".to_string()),
            Some(false) => parts.push("非重点单位".to_string()),
            None => {}
        }
        if !self.venue_kinds_any.is_empty() {
            parts.push(format!("属{}", self.venue_kinds_any.iter().map(|k| k.label()).collect::<Vec<_>>().join("或")));
        }
        if !self.venue_kinds_none.is_empty() {
            parts.push(format!(
                "不属{}",
                self.venue_kinds_none.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
            ));
        }
        if !self.risk_grades.is_empty() {
            parts.push(format!(
                "风险等级为{}",
                self.risk_grades.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
            ));
        }
        if parts.is_empty() {
            "名录库内全部正常经营单位".into()
        } else {
            format!("正常经营的{}", parts.join("，"))
        }
    }
}

/// How many units a plan of this item draws: a ratio of the pool, or a fixed count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Per mille of the pool, rounded up.
    RatioPermille(u32),
    /// A fixed number.
    Count(u32),
}

impl Quantity {
    /// The number to draw from a pool of `pool` units.
    pub fn of(self, pool: usize) -> usize {
        match self {
            Quantity::RatioPermille(p) => (pool * p as usize).div_ceil(1000),
            Quantity::Count(n) => n as usize,
        }
    }

    /// In words: `10%` or `20家`.
    pub fn describe(self) -> String {
        match self {
            Quantity::RatioPermille(p) if p % 10 == 0 => format!("{}%", p / 10),
            Quantity::RatioPermille(p) => format!("{}.{}%", p / 10, p % 10),
            Quantity::Count(n) => format!("{n}家"),
        }
    }

    /// Parses `10%`, `2.5%` or `20` (a count).
    pub fn parse(field: &str, s: &str) -> Result<Quantity> {
        let s = s.trim();
        let bad = || DomainError::invalid(field, "抽查比例应为百分比（如 10%）或家数（如 20）");
        if let Some(p) = s.strip_suffix('%').or_else(|| s.strip_suffix('％')) {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.1..=100.0).contains(&v) {
                return Err(DomainError::invalid(field, "抽查比例应在0.1%至100%之间"));
            }
            return Ok(Quantity::RatioPermille((v * 10.0).round() as u32));
        }
        match s.parse::<u32>() {
            Ok(n) if (1..=100_000).contains(&n) => Ok(Quantity::Count(n)),
            _ => Err(bad()),
        }
    }
}

/// One 事项.
#[derive(Debug, Clone, Serialize)]
pub struct CheckItem {
    /// Id.
    pub id: String,
    /// The jurisdiction that set it (plans of this org and below may use it).
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// 抽查事项.
    pub name: String,
    /// 抽查依据.
    pub basis: String,
    /// 抽查对象.
    pub scope: Scope,
    /// 抽查比例.
    pub quantity: Quantity,
    /// 抽查频次.
    pub frequency: Frequency,
    /// 抽查方式.
    pub method: String,
    /// 检查人员要求.
    pub qualification: String,
    /// Officers per drawn unit (≥ 2).
    pub officers_per_unit: u32,
    /// In use.
    pub active: bool,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
}

/// An item as typed, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraft {
    /// 抽查事项.
    pub name: String,
    /// 抽查依据.
    pub basis: String,
    /// 抽查对象.
    pub scope: Scope,
    /// 抽查比例.
    pub quantity: Quantity,
    /// 抽查频次.
    pub frequency: Frequency,
    /// 抽查方式.
    pub method: String,
    /// 检查人员要求.
    pub qualification: String,
    /// Officers per drawn unit.
    pub officers_per_unit: u32,
}

/// Fewest officers sent to one unit: 执法人员不得少于两人 (行政处罚法 Art 42).
pub const MIN_OFFICERS_PER_UNIT: u32 = 2;
/// Most officers per unit an item may ask for [M: local practice].
pub const MAX_OFFICERS_PER_UNIT: u32 = 5;

/// Checks the texts and numbers of an item.
pub fn check_draft(d: &ItemDraft) -> Result<()> {
    let len = |s: &str| s.trim().chars().count();
    if !(2..=100).contains(&len(&d.name)) {
        return Err(DomainError::invalid("name", "抽查事项名称应为2至100个字"));
    }
    if !(2..=500).contains(&len(&d.basis)) {
        return Err(DomainError::invalid("basis", "请填写抽查依据（2至500个字）"));
    }
    if len(&d.method) > 200 || len(&d.qualification) > 200 {
        return Err(DomainError::invalid("method", "抽查方式和检查人员要求各不超过200个字"));
    }
    if !(MIN_OFFICERS_PER_UNIT..=MAX_OFFICERS_PER_UNIT).contains(&d.officers_per_unit) {
        return Err(DomainError::invalid(
            "officers_per_unit",
            format!("每个检查对象应派{MIN_OFFICERS_PER_UNIT}至{MAX_OFFICERS_PER_UNIT}名执法人员"),
        ));
    }
    Ok(())
}

const BASIS: &str = "《中华人民共和国消防法》第五十三条；《消防监督检查规定》（公安部令第120号）第六条、第七条；\
《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）";

/// The items a new jurisdiction starts with; all editable.
pub fn default_items() -> Vec<ItemDraft> {
    let method = "现场检查，使用消防监督检查记录，结果按规定公示".to_string();
    let qualification = "持有有效执法资格证的消防监督检查人员，每组不少于2人，与检查对象有利害关系的回避".to_string();
    vec![
        ItemDraft {
            name: "人员密集场所类消防安全重点单位消防监督抽查".into(),
            basis: BASIS.into(),
            scope: Scope { key_unit: Some(true), venue_kinds_any: vec![VenueKind::Crowded], ..Default::default() },
            quantity: Quantity::RatioPermille(100),
            frequency: Frequency::Monthly,
            method: method.clone(),
            qualification: qualification.clone(),
            officers_per_unit: MIN_OFFICERS_PER_UNIT,
        },
        ItemDraft {
            name: "其他消防安全重点单位消防监督抽查".into(),
            basis: BASIS.into(),
            scope: Scope { key_unit: Some(true), venue_kinds_none: vec![VenueKind::Crowded], ..Default::default() },
            quantity: Quantity::RatioPermille(50),
            frequency: Frequency::Monthly,
            method: method.clone(),
            qualification: qualification.clone(),
            officers_per_unit: MIN_OFFICERS_PER_UNIT,
        },
        ItemDraft {
            name: "一般单位消防监督抽查".into(),
            basis: BASIS.into(),
            scope: Scope { key_unit: Some(false), ..Default::default() },
            quantity: Quantity::RatioPermille(30),
            frequency: Frequency::Quarterly,
            method,
            qualification,
            officers_per_unit: MIN_OFFICERS_PER_UNIT,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_up_and_parse() {
        assert_eq!(Quantity::RatioPermille(100).of(95), 10);
        assert_eq!(Quantity::RatioPermille(50).of(1), 1);
        assert_eq!(Quantity::RatioPermille(50).of(0), 0);
        assert_eq!(Quantity::parse("q", "10%").unwrap(), Quantity::RatioPermille(100));
        assert_eq!(Quantity::parse("q", "2.5%").unwrap().describe(), "2.5%");
        assert_eq!(Quantity::parse("q", "20").unwrap(), Quantity::Count(20));
        assert!(Quantity::parse("q", "150%").is_err());
        assert!(Quantity::parse("q", "abc").is_err());
    }

    #[test]
    fn defaults_are_valid_and_described() {
        for d in default_items() {
            check_draft(&d).unwrap();
        }
        assert_eq!(default_items()[0].scope.describe(), "正常经营的消防安全重点单位，属人员密集场所");
        let lone = ItemDraft { officers_per_unit: 1, ..default_items()[0].clone() };
        assert!(check_draft(&lone).is_err(), "one officer alone is never sent");
    }
}
