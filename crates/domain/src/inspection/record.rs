//! 消防监督检查记录: who inspected what, when, item by item, with whose signatures (《消防监督检查规定》
//! 第十六条; 行政处罚法第四十二条: at least two officers, with their certificates).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::account::{Account, require_valid_certificate};
use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::random_check::item::MIN_OFFICERS_PER_UNIT;
use crate::time::Timestamp;

use super::kind::InspectionKind;

/// How a checklist item came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingResult {
    /// 符合.
    Pass,
    /// 不符合 (a hazard should be recorded).
    Fail,
    /// 不涉及.
    NotApplicable,
}

impl FindingResult {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<FindingResult> {
        match s {
            "pass" => Ok(FindingResult::Pass),
            "fail" => Ok(FindingResult::Fail),
            "not_applicable" | "na" => Ok(FindingResult::NotApplicable),
            _ => Err(DomainError::invalid("findings", format!("检查结果“{s}”无效"))),
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            FindingResult::Pass => "符合",
            FindingResult::Fail => "不符合",
            FindingResult::NotApplicable => "不涉及",
        }
    }
}

/// One checklist item as found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Checklist code.
    pub code: String,
    /// What was checked (copied, so the record stays readable when the list changes).
    pub text: String,
    /// Result.
    pub result: FindingResult,
    /// Officer's note.
    #[serde(default)]
    pub note: String,
}

/// Who signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// 检查人员.
    Officer,
    /// 被检查单位随同检查人员.
    Representative,
    /// 见证人 (when the unit refuses to sign).
    Witness,
}

impl SignerRole {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<SignerRole> {
        match s {
            "officer" => Ok(SignerRole::Officer),
            "representative" => Ok(SignerRole::Representative),
            "witness" => Ok(SignerRole::Witness),
            _ => Err(DomainError::invalid("signatures", format!("签名人身份“{s}”无效"))),
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SignerRole::Officer => "检查人员",
            SignerRole::Representative => "被检查单位人员",
            SignerRole::Witness => "见证人",
        }
    }
}

/// A signature drawn on the screen, kept as an evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Role.
    pub role: SignerRole,
    /// Name.
    pub name: String,
    /// Evidence file holding the drawn image.
    pub evidence_id: String,
}

/// A recorded inspection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inspection {
    /// Id.
    pub id: String,
    /// Jurisdiction (the unit's org when recorded).
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Unit.
    pub unit_id: String,
    /// Unit name at the time.
    pub unit_name: String,
    /// Unit address at the time.
    pub unit_address: String,
    /// Kind.
    pub kind: InspectionKind,
    /// Random-check task it carries out.
    pub task_id: Option<String>,
    /// Inspection whose hazards this one re-inspects.
    pub reinspection_of: Option<String>,
    /// Departments of a joint inspection.
    pub departments: Vec<String>,
    /// Campaign tags.
    pub tags: Vec<String>,
    /// Start.
    pub started_at: Timestamp,
    /// End.
    pub ended_at: Timestamp,
    /// Officers (id, name, certificate number), at least two.
    pub officers: Vec<InspectionOfficer>,
    /// The unit's representative who accompanied the inspection.
    pub representative: String,
    /// The unit refused to sign.
    pub refused_to_sign: bool,
    /// Witness when the unit refused.
    pub witness: String,
    /// Item-by-item findings.
    pub findings: Vec<Finding>,
    /// Overall summary.
    pub summary: String,
    /// Drawn signatures.
    pub signatures: Vec<Signature>,
    /// Hazards found.
    pub hazard_count: u32,
    /// Recorded by.
    pub created_by: String,
    /// Recorded at.
    pub created_at: Timestamp,
    /// Version.
    pub version: i64,
}

/// An officer on an inspection, as certified that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionOfficer {
    /// Account.
    pub id: String,
    /// Name.
    pub name: String,
    /// 执法证号.
    pub certificate_no: String,
}

impl Inspection {
    /// The local date of the inspection (deadlines run from it).
    pub fn date(&self) -> NaiveDate {
        self.started_at.local_date()
    }
}

/// Longest an inspection may last (a record spanning days is a typing error).
pub const MAX_DURATION_HOURS: i64 = 24;

/// Checks the officers: at least two distinct people (行政处罚法第四十二条, 《消防监督检查规定》第十六条), each
/// with an enforcement certificate valid on the day, each belonging to the jurisdiction: inside the unit's
/// agency (its brigade, with the brigade's stations) or in an org above it. Returns them as recorded.
pub fn check_officers(officers: &[Account], day: NaiveDate, agency: &OrgPath) -> Result<Vec<InspectionOfficer>> {
    let mut out: Vec<InspectionOfficer> = Vec::new();
    for a in officers {
        if out.iter().any(|o| o.id == a.id) {
            continue;
        }
        let cert = require_valid_certificate(a, day)?;
        let inside = agency.contains(&a.org_path) || a.org_path.contains(agency);
        if !inside {
            return Err(DomainError::Rule(format!(
                "{}（{}）不属于该单位所在辖区的消防救援机构，不能参与办理",
                a.display_name.as_str(),
                a.org_name
            )));
        }
        out.push(InspectionOfficer {
            id: a.id.clone(),
            name: a.display_name.as_str().into(),
            certificate_no: cert.number.clone(),
        });
    }
    if out.len() < MIN_OFFICERS_PER_UNIT as usize {
        return Err(DomainError::Rule(format!(
            "执法人员不得少于{MIN_OFFICERS_PER_UNIT}人（《中华人民共和国行政处罚法》第四十二条、《消防监督检查规定》第十六条）"
        )));
    }
    Ok(out)
}

/// Checks times: the end after the start, not longer than a day, not in the future.
pub fn check_times(started_at: Timestamp, ended_at: Timestamp, now: Timestamp) -> Result<()> {
    if ended_at.0 < started_at.0 {
        return Err(DomainError::invalid("ended_at", "检查结束时间不能早于开始时间"));
    }
    if ended_at.0 - started_at.0 > MAX_DURATION_HOURS * 3_600_000 {
        return Err(DomainError::invalid("ended_at", "一次检查不能超过24小时，请核对时间"));
    }
    // Five minutes of slack for a phone clock that runs ahead.
    if started_at.0 > now.plus_minutes(5).0 {
        return Err(DomainError::invalid("started_at", "检查开始时间不能晚于当前时间"));
    }
    Ok(())
}

/// Checks who signs for the unit: the representative, or, when the unit refuses, a witness.
pub fn check_unit_side(representative: &str, refused: bool, witness: &str) -> Result<()> {
    let len = |s: &str| s.trim().chars().count();
    if len(representative) > 50 || len(witness) > 50 {
        return Err(DomainError::invalid("representative", "姓名不超过50个字"));
    }
    if refused {
        if len(witness) == 0 {
            return Err(DomainError::invalid("witness", "被检查单位拒绝签名的，应当由见证人签名并注明"));
        }
    } else if len(representative) == 0 {
        return Err(DomainError::invalid("representative", "请填写被检查单位随同检查人员的姓名"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountStatus, Certificate, DisplayName, Username};

    fn officer(id: &str, path: &str, cert_until: Option<&str>) -> Account {
        Account {
            id: id.into(),
            username: Username::parse(&format!("user{id}")).unwrap(),
            display_name: DisplayName::parse(&format!("民警{id}")).unwrap(),
            org_id: OrgId("b".into()),
            org_path: OrgPath::parse(path).unwrap(),
            org_name: "东湖大队".into(),
            status: AccountStatus::Active,
            certificate: cert_until.map(|d| Certificate { number: format!("C{id}"), expires_on: d.parse().unwrap() }),
            must_change_password: false,
            password_changed_at: None,
            locked_until: None,
            last_login_at: None,
            version: 1,
            created_at: Timestamp(0),
        }
    }

    fn day() -> NaiveDate {
        "2026-11-20".parse().unwrap()
    }

    #[test]
    fn two_certified_officers_of_the_jurisdiction_are_required() {
        // The unit's agency is brigade b of detachment d.
        let unit = OrgPath::parse("/d/b/").unwrap();
        let a = officer("a1", "/d/b/", Some("2027-01-01"));
        let b = officer("b1", "/d/b/s/", Some("2027-01-01"));
        let got = check_officers(&[a.clone(), b.clone()], day(), &unit).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].certificate_no, "Ca1");

        let e = check_officers(&[a.clone(), a.clone()], day(), &unit).unwrap_err();
        assert!(e.to_string().contains("不得少于2人"), "{e}");

        let expired = officer("c1", "/d/b/", Some("2026-11-19"));
        assert!(check_officers(&[a.clone(), expired], day(), &unit).unwrap_err().to_string().contains("过期"));

        let outsider = officer("d1", "/d/x/", Some("2027-01-01"));
        assert!(check_officers(&[a.clone(), outsider], day(), &unit).unwrap_err().to_string().contains("不属于"));

        // A station officer of the same brigade, for a unit of another station.
        let other_station = officer("e1", "/d/b/t/", Some("2027-01-01"));
        assert!(check_officers(&[a, other_station], day(), &unit).is_ok());
    }

    #[test]
    fn times_and_signers_are_checked() {
        let now = Timestamp(1_000_000_000_000);
        assert!(check_times(now.plus_hours(-2), now.plus_hours(-1), now).is_ok());
        assert!(check_times(now.plus_hours(-1), now.plus_hours(-2), now).is_err());
        assert!(check_times(now.plus_hours(-30), now, now).is_err());
        assert!(check_times(now.plus_hours(1), now.plus_hours(2), now).is_err());
        assert!(check_unit_side("张经理", false, "").is_ok());
        assert!(check_unit_side("", false, "").is_err());
        assert!(check_unit_side("", true, "").unwrap_err().to_string().contains("见证人"));
        assert!(check_unit_side("", true, "李社区").is_ok());
    }
}
