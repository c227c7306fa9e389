//! A random-check plan (抽查计划): one item, one period, one jurisdiction.
//!
//! Life of a plan: 草稿 (parameters editable, pool previewed) → 已公布 (parameters, the SM3 digests of the
//! unit and officer pools and the commitment to the secret are public; nothing can change) → 已抽取 (the
//! secret is revealed, the draw is public, tasks exist) → 已公示结果. A plan may be cancelled before the
//! draw, with a reason that stays on the public record.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::registry::risk::RiskGrade;
use crate::time::Timestamp;

use super::item::Quantity;

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// 草稿.
    Draft,
    /// 已公布 (announced, awaiting the draw).
    Announced,
    /// 已抽取.
    Drawn,
    /// 已公示结果.
    Published,
    /// 已撤销.
    Cancelled,
}

impl PlanStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Announced => "announced",
            PlanStatus::Drawn => "drawn",
            PlanStatus::Published => "published",
            PlanStatus::Cancelled => "cancelled",
        }
    }
    /// Chinese.
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草稿",
            PlanStatus::Announced => "已公布待抽取",
            PlanStatus::Drawn => "已抽取",
            PlanStatus::Published => "已公示结果",
            PlanStatus::Cancelled => "已撤销",
        }
    }
    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<PlanStatus> {
        [PlanStatus::Draft, PlanStatus::Announced, PlanStatus::Drawn, PlanStatus::Published, PlanStatus::Cancelled]
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or_else(|| DomainError::internal(format!("unknown plan status {s}")))
    }
}

/// The stratum of units penalised in the previous year: drawn with priority (济宁高新区 2024 plan).
pub const PRIORITY: &str = "priority";

/// Chinese name of a stratum code.
pub fn stratum_label(code: &str) -> &'static str {
    match code {
        PRIORITY => "上年度受过处罚",
        "high" => "高风险",
        "elevated" => "较高风险",
        "general" => "一般风险",
        "low" => "低风险",
        _ => "其他",
    }
}

/// The stratum a unit is drawn in.
pub fn stratum_of(grade: RiskGrade, penalised_last_year: bool, prioritize: bool) -> &'static str {
    if prioritize && penalised_last_year { PRIORITY } else { grade.code() }
}

/// Relative weights of the strata: a unit in a stratum of weight 3 is three times as likely to be drawn
/// as one in a stratum of weight 1 [M: local practice].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StrataWeights(pub BTreeMap<String, u32>);

impl Default for StrataWeights {
    fn default() -> Self {
        StrataWeights(BTreeMap::from([
            (PRIORITY.to_string(), 4),
            ("high".to_string(), 3),
            ("elevated".to_string(), 2),
            ("general".to_string(), 1),
            ("low".to_string(), 1),
        ]))
    }
}

impl StrataWeights {
    /// The weight of a stratum (unknown strata weigh 1).
    pub fn of(&self, stratum: &str) -> u32 {
        self.0.get(stratum).copied().unwrap_or(1)
    }

    /// Checks the weights: known strata, 0–10.
    pub fn validate(&self) -> Result<()> {
        for (k, v) in &self.0 {
            if stratum_label(k) == "其他" {
                return Err(DomainError::invalid("weights", format!("未知的抽取分层“{k}”")));
            }
            if *v > 10 {
                return Err(DomainError::invalid("weights", "分层权重应为0至10的整数"));
            }
        }
        Ok(())
    }
}

/// Splits `total` draws over strata in proportion to size × weight, never more than a stratum holds
/// (largest-remainder rounding, ties to the stratum listed first). `strata`: code → (size, weight).
pub fn allocate(total: usize, strata: &BTreeMap<String, (usize, u32)>) -> Result<BTreeMap<String, usize>> {
    let available: usize = strata.values().filter(|(_, w)| *w > 0).map(|(n, _)| n).sum();
    if total == 0 {
        return Err(DomainError::Rule("按抽查比例计算应抽取0家，请检查名录库或调整比例".into()));
    }
    if total > available {
        return Err(DomainError::Rule(format!(
            "检查对象名录只有{available}家可抽取，少于计划抽取的{total}家，请调整比例或补充名录库"
        )));
    }
    let mut out: BTreeMap<String, usize> = strata.keys().map(|k| (k.clone(), 0)).collect();
    let mut open: Vec<&String> = strata.iter().filter(|(_, (n, w))| *n > 0 && *w > 0).map(|(k, _)| k).collect();
    let mut remaining = total;
    loop {
        let mass: u128 = open.iter().map(|k| (strata[*k].0 as u128) * (strata[*k].1 as u128)).sum();
        // A stratum whose share reaches its size takes everything it has; the rest is shared again.
        let full: Vec<&String> = open
            .iter()
            .copied()
            .filter(|k| {
                let (n, w) = strata[*k];
                (remaining as u128) * (n as u128) * (w as u128) >= (n as u128) * mass
            })
            .collect();
        if full.is_empty() {
            let mut shares: Vec<(&String, usize, u128)> = open
                .iter()
                .map(|k| {
                    let (n, w) = strata[*k];
                    let num = (remaining as u128) * (n as u128) * (w as u128);
                    (*k, (num / mass) as usize, num % mass)
                })
                .collect();
            let mut left = remaining - shares.iter().map(|s| s.1).sum::<usize>();
            let mut order: Vec<usize> = (0..shares.len()).collect();
            order.sort_by(|&a, &b| shares[b].2.cmp(&shares[a].2).then(a.cmp(&b)));
            for i in order {
                if left == 0 {
                    break;
                }
                shares[i].1 += 1;
                left -= 1;
            }
            for (k, n, _) in shares {
                out.insert(k.clone(), n);
            }
            break;
        }
        for k in full {
            let n = strata[k].0.min(remaining);
            out.insert(k.clone(), n);
            remaining -= n;
            open.retain(|x| *x != k);
        }
        if remaining == 0 || open.is_empty() {
            break;
        }
    }
    out.retain(|_, n| *n > 0);
    Ok(out)
}

/// A plan's period, from `2026-12` (a month), `2026-Q4` (a quarter) or `2026` (a year).
pub fn parse_period(s: &str) -> Result<(NaiveDate, NaiveDate)> {
    let s = s.trim();
    let bad = || DomainError::invalid("period", "计划期应写作 2026-12（月）、2026-Q4（季度）或 2026（年）");
    let last_of = |y: i32, m: u32| -> Option<NaiveDate> {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
    };
    let (start, end) = if let Some((y, q)) = s.split_once(['-', '－']).filter(|(_, q)| q.starts_with(['Q', 'q'])) {
        let y: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q[1..].parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) {
            return Err(bad());
        }
        (NaiveDate::from_ymd_opt(y, q * 3 - 2, 1).ok_or_else(bad)?, last_of(y, q * 3).ok_or_else(bad)?)
    } else if let Some((y, m)) = s.split_once('-') {
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        (NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?, last_of(y, m).ok_or_else(bad)?)
    } else {
        let y: i32 = s.parse().map_err(|_| bad())?;
        (NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad)?, NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(bad)?)
    };
    if !(2000..=2100).contains(&start.year()) {
        return Err(bad());
    }
    Ok((start, end))
}

/// A plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// Jurisdiction.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Its name.
    pub org_name: String,
    /// Item.
    pub item_id: String,
    /// Item name.
    pub item_name: String,
    /// Title.
    pub title: String,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// How many.
    pub quantity: Quantity,
    /// Officers per unit.
    pub officers_per_unit: u32,
    /// Strata weights.
    pub weights: StrataWeights,
    /// Units with a task in the last N days are left out.
    pub exclude_recent_days: u32,
    /// Units penalised last year form the priority stratum.
    pub prioritize_penalised: bool,
    /// An officer is not sent to a unit they were sent to in the previous plan of the item.
    pub rotation: bool,
    /// Status.
    pub status: PlanStatus,
    /// Units in the pool snapshot (after announcement).
    pub pool_size: i64,
    /// Officers in the pool snapshot.
    pub officer_count: i64,
    /// Units per stratum to draw.
    pub quota: BTreeMap<String, usize>,
    /// SM3 of the unit pool.
    pub pool_digest: String,
    /// SM3 of the officer pool.
    pub officer_digest: String,
    /// SM3 of the secret.
    pub commitment: String,
    /// Announced.
    pub announced_at: Option<Timestamp>,
    /// The public value entered at the draw.
    pub beacon: String,
    /// SM3 of the published inputs.
    pub inputs_digest: String,
    /// The revealed secret (hex), after the draw.
    pub secret_hex: String,
    /// The seed (hex).
    pub seed_hex: String,
    /// Drawn.
    pub drawn_at: Option<Timestamp>,
    /// Results must be public by this day.
    pub publish_due: Option<NaiveDate>,
    /// Results published.
    pub published_at: Option<Timestamp>,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// Creator's name.
    pub created_by: String,
    /// Created.
    pub created_at: Timestamp,
    /// Version.
    pub version: i64,
}

impl Plan {
    /// Whether the public portal shows the plan: from its announcement on, also when later cancelled.
    /// A draft cancelled before announcement was never public.
    pub fn is_public(&self) -> bool {
        self.announced_at.is_some()
    }
}

/// What a random-check task found (抽查结果), as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskResult {
    /// 未发现问题.
    NoProblem,
    /// 发现问题已责令改正.
    OrderedToCorrect,
    /// 发现问题已立案查处.
    CaseOpened,
    /// 未找到检查对象 (moved, closed).
    NotFound,
    /// 检查对象已停业或注销.
    Closed,
}

impl TaskResult {
    /// All.
    pub const ALL: [TaskResult; 5] = [
        TaskResult::NoProblem,
        TaskResult::OrderedToCorrect,
        TaskResult::CaseOpened,
        TaskResult::NotFound,
        TaskResult::Closed,
    ];
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            TaskResult::NoProblem => "no_problem",
            TaskResult::OrderedToCorrect => "ordered_to_correct",
            TaskResult::CaseOpened => "case_opened",
            TaskResult::NotFound => "not_found",
            TaskResult::Closed => "closed",
        }
    }
    /// Chinese.
    pub fn label(self) -> &'static str {
        match self {
            TaskResult::NoProblem => "未发现问题",
            TaskResult::OrderedToCorrect => "发现问题，已责令改正",
            TaskResult::CaseOpened => "发现违法行为，已立案查处",
            TaskResult::NotFound => "未找到检查对象",
            TaskResult::Closed => "检查对象已停业或注销",
        }
    }
    /// Parses a code.
    pub fn parse(field: &str, s: &str) -> Result<TaskResult> {
        TaskResult::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| DomainError::invalid(field, "检查结果无效"))
    }
}

/// One drawn unit and its officers: a task for the inspections module.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Id.
    pub id: String,
    /// Plan.
    pub plan_id: String,
    /// Order in the draw.
    pub seq: i64,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Unit address.
    pub unit_address: String,
    /// Stratum.
    pub stratum: String,
    /// Officers (id, name).
    pub officers: Vec<(String, String)>,
    /// Result, once checked.
    pub result: Option<TaskResult>,
    /// Summary of the result for publication (no personal data).
    pub result_note: String,
    /// Checked on.
    pub checked_on: Option<NaiveDate>,
    /// Published.
    pub published_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strata(v: &[(&str, usize, u32)]) -> BTreeMap<String, (usize, u32)> {
        v.iter().map(|(k, n, w)| (k.to_string(), (*n, *w))).collect()
    }

    #[test]
    fn allocation_follows_size_times_weight() {
        let s = strata(&[("high", 100, 3), ("general", 300, 1)]);
        let q = allocate(60, &s).unwrap();
        assert_eq!(q["high"], 30);
        assert_eq!(q["general"], 30);
    }

    #[test]
    fn penalised_units_are_four_times_as_likely() {
        let s = strata(&[(PRIORITY, 100, 4), ("general", 1000, 1)]);
        let q = allocate(140, &s).unwrap();
        assert_eq!(q[PRIORITY], 40, "40 % of the penalised");
        assert_eq!(q["general"], 100, "10 % of the others");
    }

    #[test]
    fn a_stratum_whose_share_exceeds_it_is_taken_whole() {
        let s = strata(&[(PRIORITY, 3, 4), ("general", 10, 1)]);
        let q = allocate(8, &s).unwrap();
        assert_eq!(q[PRIORITY], 3);
        assert_eq!(q["general"], 5);
    }

    #[test]
    fn too_few_units_or_none_are_refused() {
        let s = strata(&[("general", 5, 1)]);
        assert!(allocate(6, &s).unwrap_err().to_string().contains("只有5家"));
        assert!(allocate(0, &s).is_err());
        assert!(allocate(1, &strata(&[])).is_err());
    }

    proptest! {
        #[test]
        fn allocation_sums_to_total_and_respects_sizes(
            sizes in proptest::collection::vec((0usize..500, 0u32..5), 1..6),
            frac in 0.0f64..1.0,
        ) {
            let s: BTreeMap<String, (usize, u32)> = sizes.iter().enumerate().map(|(i, v)| (format!("s{i}"), *v)).collect();
            let available: usize = s.values().filter(|(_, w)| *w > 0).map(|(n, _)| n).sum();
            let total = ((available as f64) * frac).ceil() as usize;
            prop_assume!(total > 0);
            let q = allocate(total, &s).unwrap();
            prop_assert_eq!(q.values().sum::<usize>(), total);
            for (k, n) in &q {
                prop_assert!(*n <= s[k].0);
                prop_assert!(s[k].1 > 0);
            }
        }
    }

    #[test]
    fn periods_parse() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_period("2026-12").unwrap(), (d("2026-12-01"), d("2026-12-31")));
        assert_eq!(parse_period("2027-02").unwrap(), (d("2027-02-01"), d("2027-02-28")));
        assert_eq!(parse_period("2026-Q4").unwrap(), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(parse_period("2026").unwrap(), (d("2026-01-01"), d("2026-12-31")));
        assert!(parse_period("2026-13").is_err());
        assert!(parse_period("Q4").is_err());
    }
}
