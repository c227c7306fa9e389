//! 消防安全重点单位: which units are key units (消防法 Art 17; 公安部令第61号 Art 13; 界定标准
//! 公通字〔2001〕97号). The national baseline and the provinces' own thresholds are versioned data
//! (`data/key-unit-criteria.csv`): a province's row replaces the national row of the same category and
//! venue kind. The system proposes a designation from the unit's facts with the reason; a person confirms.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{DomainError, Result};
use crate::time::Timestamp;

use super::unit::SizeFacts;
use super::venue::{VenueKind, VenueKinds};

/// The criteria shipped with firelaw.
pub const CRITERIA_CSV: &str = include_str!("../../../../data/key-unit-criteria.csv");

/// The baseline's province name.
pub const NATIONAL: &str = "全国";

/// What a criterion measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Every unit of the kind.
    Any,
    /// 建筑面积 m².
    FloorArea,
    /// 床位.
    Beds,
    /// 客房.
    Rooms,
    /// 从业人员.
    Staff,
}

impl Metric {
    fn parse(s: &str) -> Option<Metric> {
        Some(match s {
            "any" => Metric::Any,
            "floor_area" => Metric::FloorArea,
            "beds" => Metric::Beds,
            "rooms" => Metric::Rooms,
            "staff" => Metric::Staff,
            _ => return None,
        })
    }

    fn of(self, s: &SizeFacts) -> Option<i64> {
        match self {
            Metric::Any => Some(0),
            Metric::FloorArea => s.floor_area,
            Metric::Beds => s.beds,
            Metric::Rooms => s.rooms,
            Metric::Staff => s.staff,
        }
    }

    fn describe(self, value: i64, threshold: i64) -> String {
        let (name, unit) = match self {
            Metric::Any => return String::new(),
            Metric::FloorArea => ("建筑面积", "平方米"),
            Metric::Beds => ("床位", "张"),
            Metric::Rooms => ("客房", "间"),
            Metric::Staff => ("从业人员", "人"),
        };
        format!("，{name}{value}{unit}，达到{threshold}{unit}的标准")
    }
}

/// One line of the criteria: `KeyUnitCriterion{province, category, metric, threshold, effective}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyUnitCriterion {
    /// 全国 or a province.
    pub province: String,
    /// Category number of the national standard (1–11).
    pub category: u8,
    /// What the category is called.
    pub label: String,
    /// The venue kind it applies to.
    pub venue_kind: VenueKind,
    /// What it measures.
    pub metric: Metric,
    /// At or above this, the unit is a key unit.
    pub threshold: i64,
    /// In force from.
    pub effective_from: NaiveDate,
    /// Where it comes from.
    pub source: String,
}

/// Parses the criteria file.
pub fn parse_criteria(csv_text: &str) -> Result<Vec<KeyUnitCriterion>> {
    let mut out = Vec::new();
    for (i, line) in csv_text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || DomainError::invalid("criteria", format!("重点单位界定标准第{}行格式错误", i + 1));
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 8 {
            return Err(bad());
        }
        out.push(KeyUnitCriterion {
            province: f[0].to_string(),
            category: f[1].parse().map_err(|_| bad())?,
            label: f[2].to_string(),
            venue_kind: VenueKind::parse("venue_kind", f[3]).map_err(|_| bad())?,
            metric: Metric::parse(f[4]).ok_or_else(bad)?,
            threshold: f[5].parse().map_err(|_| bad())?,
            effective_from: NaiveDate::parse_from_str(f[6], "%Y-%m-%d").map_err(|_| bad())?,
            source: f[7].to_string(),
        });
    }
    Ok(out)
}

/// The shipped criteria, parsed once.
pub fn shipped_criteria() -> &'static [KeyUnitCriterion] {
    static CRITERIA: std::sync::LazyLock<Vec<KeyUnitCriterion>> =
        std::sync::LazyLock::new(|| parse_criteria(CRITERIA_CSV).expect("the shipped criteria parse"));
    &CRITERIA
}

/// The provinces that have their own thresholds, and 全国.
pub fn provinces(criteria: &[KeyUnitCriterion]) -> Vec<String> {
    let mut p: Vec<String> = criteria.iter().map(|c| c.province.clone()).collect();
    p.sort();
    p.dedup();
    p.retain(|x| x != NATIONAL);
    p.insert(0, NATIONAL.to_string());
    p
}

/// A proposed designation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// Category, e.g. `第1类 商场（市场）`.
    pub category: String,
    /// Why, in words, with the source.
    pub reason: String,
}

/// A confirmed designation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyDesignation {
    /// Category.
    pub category: String,
    /// Reason.
    pub reason: String,
    /// Who confirmed (display name).
    pub confirmed_by: String,
    /// When.
    pub confirmed_at: Timestamp,
}

/// The criteria in force in `province` on `on`: for each (category, kind), the province's latest row if it
/// has one, else the national one.
pub fn in_force<'a>(criteria: &'a [KeyUnitCriterion], province: &str, on: NaiveDate) -> Vec<&'a KeyUnitCriterion> {
    let mut chosen: Vec<&KeyUnitCriterion> = Vec::new();
    let mut rows: Vec<&KeyUnitCriterion> = criteria
        .iter()
        .filter(|c| c.effective_from <= on && (c.province == province || c.province == NATIONAL))
        .collect();
    // Latest first, province before national, so the first row per key wins.
    rows.sort_by(|a, b| {
        (a.category, a.venue_kind)
            .cmp(&(b.category, b.venue_kind))
            .then((b.province != NATIONAL).cmp(&(a.province != NATIONAL)))
            .then(b.effective_from.cmp(&a.effective_from))
    });
    for r in rows {
        if !chosen.iter().any(|c| c.category == r.category && c.venue_kind == r.venue_kind) {
            chosen.push(r);
        }
    }
    chosen
}

/// Proposes a designation from a unit's kinds and size, or `None` when no criterion is met.
pub fn propose(
    criteria: &[KeyUnitCriterion],
    province: &str,
    on: NaiveDate,
    kinds: &VenueKinds,
    size: &SizeFacts,
) -> Option<Proposal> {
    in_force(criteria, province, on).into_iter().find_map(|c| {
        if !kinds.has(c.venue_kind) {
            return None;
        }
        let value = c.metric.of(size)?;
        (value >= c.threshold).then(|| Proposal {
            category: format!("第{}类 {}", c.category, c.label),
            reason: format!(
                "场所类别为{}{}（{}{}）",
                c.venue_kind.label(),
                c.metric.describe(value, c.threshold),
                if c.province == NATIONAL { String::new() } else { format!("{}：", c.province) },
                c.source
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    }

    #[test]
    fn national_baseline_proposes_with_reason() {
        let c = shipped_criteria();
        let kinds = VenueKinds::parse("k", "商场市场,人员密集场所").unwrap();
        let p =
            propose(c, NATIONAL, on(), &kinds, &SizeFacts { floor_area: Some(1200), ..Default::default() }).unwrap();
        assert_eq!(p.category, "第1类 商场（市场）");
        assert!(p.reason.contains("建筑面积1200平方米，达到1000平方米的标准"), "{}", p.reason);
        let small = SizeFacts { floor_area: Some(800), ..Default::default() };
        assert_eq!(propose(c, NATIONAL, on(), &kinds, &small), None);
        let unknown = SizeFacts::default();
        assert_eq!(propose(c, NATIONAL, on(), &kinds, &unknown), None, "unknown size is not proposed");
    }

    #[test]
    fn provinces_override_thresholds() {
        let c = shipped_criteria();
        let kinds = VenueKinds::parse("k", "商场市场").unwrap();
        let size = SizeFacts { floor_area: Some(1200), ..Default::default() };
        assert_eq!(propose(c, "北京", on(), &kinds, &size), None, "北京 needs 3,000 m²");
        let small = SizeFacts { floor_area: Some(400), ..Default::default() };
        assert!(propose(c, "山东", on(), &kinds, &small).unwrap().reason.contains("山东"));
        assert_eq!(provinces(c), ["全国", "北京", "山东", "福建"]);
    }

    #[test]
    fn kinds_without_threshold_are_always_key() {
        let c = shipped_criteria();
        let kinds = VenueKinds::parse("k", "加油加气站").unwrap();
        let p = propose(c, NATIONAL, on(), &kinds, &SizeFacts::default()).unwrap();
        assert_eq!(p.category, "第8类 加油加气站");
    }
}
