//! The penalty settings a jurisdiction keeps: the discretion baseline in force (its province's published
//! table, else the national framework), the hearing thresholds (较大数额罚款) and the publication period;
//! and what they say about a violation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text;
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::parse_date;
use crate::deadline;
use crate::error::{DomainError, Result};
use crate::penalty::Yuan;
use crate::penalty::discretion::{DiscretionBaseline, Severity};
use crate::penalty::leniency::LeniencyList;
use crate::penalty::procedure::HearingThresholds;
use crate::penalty::violation::Catalogue;
use crate::ports::{Change, UnitOfWork};

use super::super::Services;

/// Settings key of the hearing thresholds (较大数额罚款, rules P9).
pub const HEARING_THRESHOLDS_KEY: &str = "hearing_thresholds";

/// Settings key of the discretion baseline loaded by the jurisdiction.
pub const BASELINE_KEY: &str = "discretion_baseline";

/// Settings key of the publication period of penalty decisions (working days).
pub const PUBLISH_DAYS_KEY: &str = "publish_decision_days";

/// A baseline as stored: its identity and its bands as CSV.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BaselineText {
    issuer: String,
    doc_no: String,
    effective: NaiveDate,
    region: String,
    csv: String,
}

impl BaselineText {
    fn parse(&self) -> Result<DiscretionBaseline> {
        DiscretionBaseline::parse(&self.issuer, &self.doc_no, self.effective, &self.region, &self.csv)
    }
}

/// The bands of a baseline as the CSV the settings page edits.
fn baseline_csv(b: &DiscretionBaseline) -> String {
    let mut out = String::from("violation_code,level,pct_min,pct_max\n");
    for band in &b.bands {
        out.push_str(&format!("{},{},{},{}\n", band.violation, band.level.label(), band.pct_min, band.pct_max));
    }
    out
}

/// The penalty settings.
#[derive(Debug, Clone, Serialize)]
pub struct PenaltySettings {
    /// The discretion baseline in force.
    pub baseline: DiscretionBaseline,
    /// Its bands as CSV.
    pub baseline_csv: String,
    /// Hearing thresholds.
    pub hearing: HearingThresholds,
    /// Publication period (working days).
    pub publish_days: u32,
    /// Versions read: [baseline, hearing thresholds, publication period] (0 = never saved).
    pub versions: [i64; 3],
}

/// The penalty settings as entered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PenaltySettingsInput {
    /// Issuing body of the baseline (e.g. 广东省消防救援总队).
    pub issuer: String,
    /// Its document number.
    pub doc_no: String,
    /// In force from (`YYYY-MM-DD`).
    pub effective: String,
    /// Region (全国, 广东省 …).
    pub region: String,
    /// Bands: `violation_code,level,pct_min,pct_max` (`*` for every violation without its own row).
    pub baseline_csv: String,
    /// 较大数额罚款 for a person.
    pub hearing_person: String,
    /// 较大数额罚款 for a unit.
    pub hearing_unit: String,
    /// Publication period (working days).
    pub publish_days: u32,
    /// Versions read.
    pub versions: [i64; 3],
}

/// The recommendation for a violation and level, for the case screen.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// Statutory range text.
    pub statutory: String,
    /// Recommended range.
    pub recommendation: Option<crate::penalty::discretion::Recommendation>,
    /// The leniency entry, if listed.
    pub leniency: Option<crate::penalty::leniency::Leniency>,
    /// Whether the violation is decided by the fire agency.
    pub fire_decides: bool,
    /// What else the article provides (拘留 etc.).
    pub measures: String,
}

impl Services {
    /// The violation catalogue in force.
    pub fn violations(&self) -> std::sync::Arc<Catalogue> {
        Catalogue::shipped()
    }

    /// The discretion baseline in force: the table a jurisdiction loaded (its province's published
    /// 裁量基准), else the shipped national framework.
    pub async fn baseline(&self) -> Result<DiscretionBaseline> {
        Ok(self.baseline_versioned().await?.0)
    }

    async fn baseline_versioned(&self) -> Result<(DiscretionBaseline, i64)> {
        Ok(match self.store.setting(BASELINE_KEY).await? {
            Some((text, v)) => {
                let t: BaselineText = serde_json::from_str(&text).map_err(DomainError::internal)?;
                (t.parse()?, v)
            }
            None => (DiscretionBaseline::shipped(), 0),
        })
    }

    /// The penalty settings in force, with the versions read.
    pub async fn penalty_settings(&self) -> Result<PenaltySettings> {
        let (baseline, v0) = self.baseline_versioned().await?;
        let (hearing, v1) = self.hearing_thresholds_versioned().await?;
        let (publish_days, v2) = self.publication_days_versioned().await?;
        Ok(PenaltySettings {
            baseline_csv: baseline_csv(&baseline),
            baseline,
            hearing,
            publish_days,
            versions: [v0, v1, v2],
        })
    }

    /// Loads a discretion baseline, the hearing thresholds and the publication period (系统管理员 of the
    /// whole tree). The table is parsed first: a bad line is refused with its number and nothing is saved.
    /// Decisions keep the baseline they were made under.
    pub async fn update_penalty_settings(&self, ctx: &Ctx, input: PenaltySettingsInput) -> Result<PenaltySettings> {
        let actor = ctx.actor()?;
        actor.require(Perm::SettingsManage, &crate::services::security::root_of(&actor.org_path))?;
        let text = BaselineText {
            issuer: text("issuer", &input.issuer, 2, 60, "裁量基准的制定机关")?,
            doc_no: text("doc_no", &input.doc_no, 2, 40, "裁量基准的文号")?,
            effective: parse_date("effective", &input.effective)?,
            region: text("region", &input.region, 2, 20, "适用地区")?,
            csv: input.baseline_csv.clone(),
        };
        let baseline = text.parse()?;
        let person = Yuan::parse("hearing_person", &input.hearing_person)?;
        let unit = Yuan::parse("hearing_unit", &input.hearing_unit)?;
        if person.0 == 0 || unit.0 == 0 {
            return Err(DomainError::invalid("hearing_unit", "听证的较大数额罚款标准应大于0"));
        }
        if !(1..=20).contains(&input.publish_days) {
            return Err(DomainError::invalid("publish_days", "公示期限应为1至20个工作日"));
        }
        let put = |key: &str, value: String, version: i64| Change::PutSetting {
            key: key.into(),
            value,
            expected_version: (version > 0).then_some(version),
            at: ctx.now,
        };
        let v = input.versions;
        let work = UnitOfWork::default()
            .change(put(BASELINE_KEY, serde_json::to_string(&text).map_err(DomainError::internal)?, v[0]))
            .change(put(HEARING_THRESHOLDS_KEY, serde_json::json!({"person": person, "unit": unit}).to_string(), v[1]))
            .change(put(PUBLISH_DAYS_KEY, input.publish_days.to_string(), v[2]))
            .audit(ctx.event(actions::SETTINGS_UPDATE, "setting", "penalty").detail(serde_json::json!({
                "baseline": format!("{}（{}）", baseline.issuer, baseline.doc_no), "bands": baseline.bands.len(),
                "hearing": {"person": person.0, "unit": unit.0}, "publish_days": input.publish_days,
            })));
        self.store.commit(work).await?;
        self.penalty_settings().await
    }

    /// The hearing thresholds (settings, default the 公安 analogue).
    pub async fn hearing_thresholds(&self) -> Result<HearingThresholds> {
        Ok(self.hearing_thresholds_versioned().await?.0)
    }

    async fn hearing_thresholds_versioned(&self) -> Result<(HearingThresholds, i64)> {
        Ok(match self.store.setting(HEARING_THRESHOLDS_KEY).await? {
            Some((v, version)) => (serde_json::from_str(&v).map_err(DomainError::internal)?, version),
            None => (HearingThresholds::default(), 0),
        })
    }

    /// What the baseline and lists say about a violation at a level.
    pub async fn advice(&self, violation_code: &str, severity: Severity) -> Result<Advice> {
        let cat = self.violations();
        let v = cat.get(violation_code).ok_or_else(|| DomainError::invalid("violation_code", "请选择违法行为"))?;
        Ok(Advice {
            statutory: if v.max.0 > 0 { format!("{}至{}", v.min, v.max) } else { "不处罚款".into() },
            recommendation: self.baseline().await?.recommend(v, severity).ok(),
            leniency: LeniencyList::shipped().find(violation_code).cloned(),
            fire_decides: v.decider == crate::penalty::violation::Decider::Fire,
            measures: v.measures.clone(),
        })
    }

    /// Working days within which penalty decisions are published (the 业务设置 value, default 7).
    pub async fn publication_days(&self) -> Result<u32> {
        Ok(self.publication_days_versioned().await?.0)
    }

    async fn publication_days_versioned(&self) -> Result<(u32, i64)> {
        Ok(match self.store.setting(PUBLISH_DAYS_KEY).await? {
            Some((v, version)) => (v.trim().parse().map_err(DomainError::internal)?, version),
            None => (deadline::PUBLISH_DECISION_DAYS, 0),
        })
    }
}
