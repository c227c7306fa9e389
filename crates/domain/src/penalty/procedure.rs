//! Which procedure a penalty case may take: 简易程序 on the spot (行政处罚法 Arts 51–52), 快速办理 (rules
//! P2) or 普通程序; and when the party has the right to a hearing (行政处罚法 Art 63).

use serde::{Deserialize, Serialize};

use super::Yuan;
use super::violation::Subject;
use crate::error::{DomainError, Result};

/// 简易程序: the largest fine on the spot for a natural person (行政处罚法 Art 51).
pub const SIMPLE_MAX_PERSON: Yuan = Yuan(200);
/// 简易程序: the largest fine on the spot for a unit (行政处罚法 Art 51).
pub const SIMPLE_MAX_UNIT: Yuan = Yuan(3000);
/// 快速办理 is excluded from this fine for an individual (rules P2, a provincial 快速办理规定) [M].
pub const FAST_EXCLUDED_PERSON: Yuan = Yuan(2000);
/// 快速办理 is excluded from this fine for a unit (rules P2) [M].
pub const FAST_EXCLUDED_UNIT: Yuan = Yuan(10000);

/// The procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 简易程序: decided on the spot.
    Simple,
    /// 快速办理.
    Fast,
    /// 普通程序.
    General,
}

impl Procedure {
    /// All.
    pub const ALL: [Procedure; 3] = [Procedure::Simple, Procedure::Fast, Procedure::General];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Procedure::Simple => "simple",
            Procedure::Fast => "fast",
            Procedure::General => "general",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Procedure> {
        Procedure::ALL
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or_else(|| DomainError::invalid("procedure", "请选择办案程序"))
    }

    /// Its Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Procedure::Simple => "简易程序",
            Procedure::Fast => "快速办理",
            Procedure::General => "普通程序",
        }
    }
}

/// The sanction intended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sanction {
    /// A warning.
    pub warning: bool,
    /// The fine (0: none).
    pub fine: Yuan,
    /// 责令停产停业、停止使用 (三停).
    pub stop_business: bool,
    /// 吊销 a licence or qualification, or 没收 a large amount.
    pub revoke_or_confiscate: bool,
}

/// What else decides the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Circumstances {
    /// Facts certain and a legal basis (行政处罚法 Art 51).
    pub facts_certain: bool,
    /// The party admits the facts in writing and does not dispute them (快速办理).
    pub admitted_in_writing: bool,
    /// The party is a minor or a person with a disability (快速办理 excluded).
    pub vulnerable_party: bool,
}

/// The fines from which a hearing must be offered (较大数额罚款): not fixed for 消防 nationally, so they
/// are a setting per province (rules P9) [M]; the default is the 公安 analogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingThresholds {
    /// For a natural person.
    pub person: Yuan,
    /// For a unit or body.
    pub unit: Yuan,
}

impl Default for HearingThresholds {
    fn default() -> Self {
        HearingThresholds { person: Yuan(2000), unit: Yuan(10000) }
    }
}

/// Whether the party must be told of the right to a hearing (行政处罚法 Art 63: 较大数额罚款, 责令停产停业,
/// 吊销, 没收较大数额).
pub fn hearing_right(subject: Subject, s: &Sanction, t: &HearingThresholds) -> bool {
    let threshold = if subject == Subject::Person { t.person } else { t.unit };
    s.stop_business || s.revoke_or_confiscate || (s.fine.0 > 0 && s.fine >= threshold)
}

/// Whether 简易程序 is open: facts certain, only a warning or a fine within the on-the-spot limits.
pub fn simple_allowed(subject: Subject, s: &Sanction, c: &Circumstances) -> bool {
    let limit = if subject == Subject::Person { SIMPLE_MAX_PERSON } else { SIMPLE_MAX_UNIT };
    c.facts_certain && !s.stop_business && !s.revoke_or_confiscate && s.fine <= limit
}

/// Whether 快速办理 is open (rules P2): facts admitted in writing, no vulnerable party, no hearing right,
/// nothing confiscated, and the fine under the exclusion amounts.
pub fn fast_allowed(subject: Subject, s: &Sanction, c: &Circumstances, t: &HearingThresholds) -> bool {
    let excluded_from = if subject == Subject::Person { FAST_EXCLUDED_PERSON } else { FAST_EXCLUDED_UNIT };
    c.admitted_in_writing
        && !c.vulnerable_party
        && !s.revoke_or_confiscate
        && !hearing_right(subject, s, t)
        && s.fine < excluded_from
}

/// Refuses a procedure the case may not take, saying why.
pub fn check(p: Procedure, subject: Subject, s: &Sanction, c: &Circumstances, t: &HearingThresholds) -> Result<()> {
    match p {
        Procedure::Simple if !simple_allowed(subject, s, c) => Err(DomainError::Rule(format!(
            "不能适用简易程序：当场处罚仅限事实确凿、有法定依据，对公民处{}以下、对单位处{}以下罚款或者警告（《行政处罚法》第五十一条）",
            SIMPLE_MAX_PERSON, SIMPLE_MAX_UNIT
        ))),
        Procedure::Fast if !fast_allowed(subject, s, c, t) => Err(DomainError::Rule(
            "不能快速办理：须当事人书面认可违法事实且无异议，不涉及未成年人或残疾人、听证和没收，罚款低于快速办理上限"
                .into(),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fine(y: i64) -> Sanction {
        Sanction { warning: false, fine: Yuan(y), stop_business: false, revoke_or_confiscate: false }
    }

    #[test]
    fn simple_procedure_is_limited_to_200_for_a_person_and_3000_for_a_unit() {
        // 行政处罚法第五十一条.
        let c = Circumstances { facts_certain: true, ..Default::default() };
        assert!(simple_allowed(Subject::Person, &fine(200), &c));
        assert!(!simple_allowed(Subject::Person, &fine(201), &c));
        assert!(simple_allowed(Subject::Unit, &fine(3000), &c));
        assert!(!simple_allowed(Subject::Unit, &fine(3001), &c));
        assert!(!simple_allowed(Subject::Unit, &fine(100), &Circumstances::default()), "facts not certain");
        let stop = Sanction { stop_business: true, ..fine(0) };
        assert!(!simple_allowed(Subject::Unit, &stop, &c));
        let t = HearingThresholds::default();
        let e = check(Procedure::Simple, Subject::Unit, &fine(5000), &c, &t).unwrap_err().to_string();
        assert!(e.contains("第五十一条") && e.contains("3,000元"), "{e}");
    }

    #[test]
    fn a_hearing_is_offered_for_large_fines_and_stopping_business() {
        // 行政处罚法第六十三条; amounts as configured.
        let t = HearingThresholds::default();
        assert!(!hearing_right(Subject::Unit, &fine(9999), &t));
        assert!(hearing_right(Subject::Unit, &fine(10000), &t));
        assert!(hearing_right(Subject::Person, &fine(2000), &t));
        assert!(hearing_right(Subject::Unit, &Sanction { stop_business: true, ..fine(0) }, &t));
        let strict = HearingThresholds { person: Yuan(1000), unit: Yuan(5000) };
        assert!(hearing_right(Subject::Unit, &fine(5000), &strict));
    }

    #[test]
    fn fast_handling_excludes_large_fines_vulnerable_parties_and_hearings() {
        let t = HearingThresholds::default();
        let c = Circumstances { admitted_in_writing: true, ..Default::default() };
        assert!(fast_allowed(Subject::Unit, &fine(9999), &c, &t));
        assert!(!fast_allowed(Subject::Unit, &fine(10000), &c, &t));
        assert!(!fast_allowed(Subject::Person, &fine(2000), &c, &t));
        assert!(!fast_allowed(Subject::Unit, &fine(500), &Circumstances { vulnerable_party: true, ..c }, &t));
        assert!(!fast_allowed(Subject::Unit, &fine(500), &Circumstances::default(), &t), "not admitted");
        assert!(check(Procedure::General, Subject::Unit, &fine(300000), &c, &t).is_ok());
    }
}
