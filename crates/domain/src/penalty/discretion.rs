//! 裁量基准: how far inside the statutory range an agency goes for a given circumstance level. A baseline
//! is versioned data (issuer, document number, effective date, region) with bands by violation and level;
//! a band is a percentage band of the statutory range (rules §13: 严重/一般/较轻 → 70–100% / 30–70% / 0–30%
//! in the 陕西 table; 国家消防救援局《消防行政处罚裁量权基准》消防〔2025〕39号 covers fines only). A
//! decision keeps the baseline and band it used; a fine outside the band needs written reasons and goes to
//! 集体议案 (行政处罚法 Art 57).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Yuan;
use super::violation::Violation;
use crate::error::{DomainError, Result};

/// The shipped default bands.
pub const DEFAULT_CSV: &str = include_str!("../../../../data/penalty/discretion/default-2025.csv");

/// Circumstance level (情节).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 较轻.
    Minor,
    /// 一般.
    Ordinary,
    /// 严重.
    Serious,
}

impl Severity {
    /// All, mildest first.
    pub const ALL: [Severity; 3] = [Severity::Minor, Severity::Ordinary, Severity::Serious];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Ordinary => "ordinary",
            Severity::Serious => "serious",
        }
    }

    /// From its Chinese name or code.
    pub fn parse(s: &str) -> Result<Severity> {
        match s.trim() {
            "较轻" | "minor" => Ok(Severity::Minor),
            "一般" | "ordinary" => Ok(Severity::Ordinary),
            "严重" | "serious" => Ok(Severity::Serious),
            _ => Err(DomainError::invalid("severity", "情节应为较轻、一般或严重")),
        }
    }

    /// Its Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Minor => "较轻",
            Severity::Ordinary => "一般",
            Severity::Serious => "严重",
        }
    }
}

/// One band: for a violation (or `*`, every violation without its own band) and a level, a percentage
/// band of the statutory range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// Violation code, or `*`.
    pub violation: String,
    /// Severity.
    pub level: Severity,
    /// Lower bound, percent of the range.
    pub pct_min: u8,
    /// Upper bound, percent of the range.
    pub pct_max: u8,
}

/// A baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscretionBaseline {
    /// Who issued it.
    pub issuer: String,
    /// Its document number.
    pub doc_no: String,
    /// In force from.
    pub effective: NaiveDate,
    /// Region it applies to (全国, 广东省 …).
    pub region: String,
    /// Bands.
    pub bands: Vec<Band>,
}

/// What the baseline recommends for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Lowest recommended fine.
    pub min: Yuan,
    /// Highest recommended fine.
    pub max: Yuan,
    /// The rule it came from, as shown on the case screen and kept with the decision.
    pub rule: String,
}

/// Where a chosen fine stands against the recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    /// Inside the band.
    Within,
    /// Inside the statutory range but outside the band: written reasons and 集体议案 are required.
    Deviates,
}

impl Assessment {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Assessment::Within => "within",
            Assessment::Deviates => "deviates",
        }
    }
}

impl DiscretionBaseline {
    /// Parses the bands CSV (`violation_code,level,pct_min,pct_max`, one header line). Errors name the line.
    pub fn parse(
        issuer: &str,
        doc_no: &str,
        effective: NaiveDate,
        region: &str,
        text: &str,
    ) -> Result<DiscretionBaseline> {
        let mut bands: Vec<Band> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("violation_code,") {
                continue;
            }
            let bad = |m: &str| DomainError::invalid("baseline", format!("裁量基准第{}行：{m}", n + 1));
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let [violation, level, lo, hi] = f[..] else { return Err(bad("应有四列")) };
            let level = Severity::parse(level).map_err(|_| bad("情节应为较轻、一般或严重"))?;
            let pct = |s: &str| s.parse::<u8>().ok().filter(|p| *p <= 100).ok_or_else(|| bad("百分比应为0至100"));
            let (pct_min, pct_max) = (pct(lo)?, pct(hi)?);
            if pct_min > pct_max {
                return Err(bad("下限高于上限"));
            }
            if violation.is_empty() || bands.iter().any(|b| b.violation == violation && b.level == level) {
                return Err(bad("违法行为编号为空或同一情节重复"));
            }
            bands.push(Band { violation: violation.into(), level, pct_min, pct_max });
        }
        Ok(DiscretionBaseline { issuer: issuer.into(), doc_no: doc_no.into(), effective, region: region.into(), bands })
    }

    /// The shipped default: the 较轻/一般/严重 bands of 0–30%, 30–70% and 70–100% for every violation,
    /// until a province's table is loaded.
    pub fn shipped() -> DiscretionBaseline {
        let effective = NaiveDate::from_ymd_opt(2025, 9, 10).expect("a valid date");
        // Tested below; failing here is a build defect.
        DiscretionBaseline::parse(
            "消防行政处罚裁量分档（参照消防〔2025〕39号）",
            "系统默认",
            effective,
            "全国",
            DEFAULT_CSV,
        )
        .expect("data/penalty/discretion/default-2025.csv parses")
    }

    /// The band for a violation and level: its own, else the `*` one.
    pub fn band(&self, violation: &str, level: Severity) -> Option<&Band> {
        let own = self.bands.iter().find(|b| b.violation == violation && b.level == level);
        own.or_else(|| self.bands.iter().find(|b| b.violation == "*" && b.level == level))
    }

    /// The recommended range: the band's share of the statutory range, in whole 元 (the lower bound
    /// rounded up and the upper bound down, so the range never leaves the band).
    pub fn recommend(&self, v: &Violation, level: Severity) -> Result<Recommendation> {
        if v.max == Yuan(0) {
            return Err(DomainError::Rule(format!("{}没有规定罚款，不适用罚款裁量基准", v.article)));
        }
        let band = self
            .band(&v.code, level)
            .ok_or_else(|| DomainError::Rule(format!("裁量基准没有{}情节{}的规定", v.code, level.label())))?;
        let span = v.max.0 - v.min.0;
        let lo = v.min.0 + (span * i64::from(band.pct_min) + 99) / 100;
        let hi = v.min.0 + span * i64::from(band.pct_max) / 100;
        Ok(Recommendation {
            min: Yuan(lo),
            max: Yuan(hi.max(lo)),
            rule: format!(
                "{}（{}）{}情节：{}规定幅度的{}%至{}%",
                self.issuer,
                self.doc_no,
                level.label(),
                v.article,
                band.pct_min,
                band.pct_max
            ),
        })
    }

    /// Checks a chosen fine: outside the statutory range it is refused; outside the band it needs reasons
    /// and 集体议案.
    pub fn assess(&self, v: &Violation, level: Severity, fine: Yuan) -> Result<Assessment> {
        v.check_fine(fine)?;
        let r = self.recommend(v, level)?;
        Ok(if r.min <= fine && fine <= r.max { Assessment::Within } else { Assessment::Deviates })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::penalty::violation::Catalogue;

    #[test]
    fn the_bands_divide_the_statutory_range() {
        let (c, b) = (Catalogue::shipped(), DiscretionBaseline::shipped());
        let v = c.get("F60-1-3").unwrap(); // 5,000–50,000
        let r = |l| b.recommend(v, l).unwrap();
        assert_eq!((r(Severity::Minor).min, r(Severity::Minor).max), (Yuan(5000), Yuan(18500)));
        assert_eq!((r(Severity::Ordinary).min, r(Severity::Ordinary).max), (Yuan(18500), Yuan(36500)));
        assert_eq!((r(Severity::Serious).min, r(Severity::Serious).max), (Yuan(36500), Yuan(50000)));
        assert!(r(Severity::Ordinary).rule.contains("一般情节") && r(Severity::Ordinary).rule.contains("30%至70%"));
    }

    #[test]
    fn a_fine_outside_the_band_needs_reasons_and_one_outside_the_law_is_refused() {
        let (c, b) = (Catalogue::shipped(), DiscretionBaseline::shipped());
        let v = c.get("F60-1-3").unwrap();
        assert_eq!(b.assess(v, Severity::Minor, Yuan(10000)).unwrap(), Assessment::Within);
        assert_eq!(b.assess(v, Severity::Minor, Yuan(40000)).unwrap(), Assessment::Deviates);
        assert!(b.assess(v, Severity::Serious, Yuan(60000)).is_err());
        assert!(b.recommend(c.get("F67").unwrap(), Severity::Minor).is_err(), "no fine, no fine baseline");
    }

    #[test]
    fn a_violation_s_own_band_comes_before_the_default() {
        let text = "violation_code,level,pct_min,pct_max\n*,较轻,0,30\nF60-1-3,较轻,0,10\n";
        let b =
            DiscretionBaseline::parse("广东省消防救援总队", "粤消〔2025〕1号", NaiveDate::default(), "广东省", text)
                .unwrap();
        let c = Catalogue::shipped();
        assert_eq!(b.recommend(c.get("F60-1-3").unwrap(), Severity::Minor).unwrap().max, Yuan(9500));
        assert_eq!(b.recommend(c.get("F60-1-5").unwrap(), Severity::Minor).unwrap().max, Yuan(18500));
        assert!(b.recommend(c.get("F60-1-5").unwrap(), Severity::Serious).is_err(), "no band for the level");
        let e = DiscretionBaseline::parse("x", "x", NaiveDate::default(), "x", "*,较轻,40,30").unwrap_err().to_string();
        assert!(e.contains("第1行") && e.contains("下限高于上限"), "{e}");
    }
}
