//! 行政处罚决定公示 (三项制度; 行政处罚法第四十八条): what the public portal shows of a decision, built from
//! the case's structured fields, never from the decision's full text. A natural person appears as 张某; ID
//! numbers, phone numbers, bank accounts and home addresses never appear; a unit keeps its name and credit
//! code (rules §5, security.md §4). The built text passes the scanner before release, and a person approves
//! it after seeing the preview.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::case::{Case, PartyKind};
use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::redaction::{self, Hit};
use crate::time::Timestamp;

/// What the portal shows of one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDecision {
    /// 行政处罚决定书文号.
    pub number: String,
    /// 案件名称 (案由).
    pub title: String,
    /// 行政相对人: the unit's name, or a person as 张某.
    pub party: String,
    /// 统一社会信用代码 (units only).
    pub credit_code: String,
    /// 法定代表人 (units only; a legal representative acts in that public capacity).
    pub legal_rep: String,
    /// 主要违法事实, masked.
    pub facts: String,
    /// 处罚依据.
    pub basis: String,
    /// 处罚内容.
    pub penalty: String,
    /// 处罚机关.
    pub agency: String,
    /// 处罚决定日期.
    pub decided_on: NaiveDate,
}

impl PublicDecision {
    /// Every published text with its field name, for the scanner.
    fn fields(&self) -> [(&'static str, &str); 9] {
        [
            ("number", &self.number),
            ("title", &self.title),
            ("party", &self.party),
            ("credit_code", &self.credit_code),
            ("legal_rep", &self.legal_rep),
            ("facts", &self.facts),
            ("basis", &self.basis),
            ("penalty", &self.penalty),
            ("agency", &self.agency),
        ]
    }

    /// Texts that may be all digits and must stay: the credit code and the decision number.
    fn keep(&self) -> Vec<&str> {
        vec![self.credit_code.as_str(), self.number.as_str()]
    }
}

/// Builds what is published of a decided case, and lists what was masked (for the reviewer's preview).
/// Fails when the case has no decision.
pub fn build(case: &Case, agency: &str, decided_on: NaiveDate) -> Result<(PublicDecision, Vec<Hit>)> {
    let p = case.proposal.as_ref().ok_or_else(|| DomainError::Rule("案件尚无处罚决定".into()))?;
    let number = case.decision.as_ref().map(|d| d.number.clone()).unwrap_or_default();
    let person = case.party.kind == PartyKind::Person;
    let party = if person { redaction::pseudonym(&case.party.name) } else { case.party.name.clone() };
    // A person's name is replaced wherever the facts mention it; then every number that must not be
    // published is masked.
    let mut facts = case.facts.clone();
    let mut title = case.title.clone();
    if person && !case.party.name.trim().is_empty() {
        facts = facts.replace(case.party.name.trim(), &party);
        title = title.replace(case.party.name.trim(), &party);
    }
    if person && !case.party.address.trim().is_empty() {
        facts = facts.replace(case.party.address.trim(), "（住址已隐去）");
    }
    let credit_code = if person { String::new() } else { case.party.credit_code.clone() };
    let keep = [credit_code.as_str(), number.as_str()];
    let mut hits = Vec::new();
    let mut masked = |t: &str| {
        let (m, h) = redaction::redact(t, &keep);
        hits.extend(h);
        m
    };
    let d = PublicDecision {
        number: number.clone(),
        title: masked(&title),
        party: masked(&party),
        credit_code: credit_code.clone(),
        legal_rep: if person { String::new() } else { masked(&case.party.legal_rep) },
        facts: masked(&facts),
        basis: masked(&super::notices::quote_article(&p.article)),
        penalty: p.penalty_text(),
        agency: agency.into(),
        decided_on,
    };
    Ok((d, hits))
}

/// The last gate: refuses a publication in which any field still holds an ID number, phone number or bank
/// card number, in whatever form it is written.
pub fn check(d: &PublicDecision) -> Result<()> {
    let keep = d.keep();
    for (field, text) in d.fields() {
        redaction::scan(field, text, &keep)?;
    }
    Ok(())
}

/// Where a publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationStatus {
    /// 待审核发布.
    Draft,
    /// 已公示.
    Published,
    /// 已撤回.
    Withdrawn,
}

impl PublicationStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            PublicationStatus::Draft => "draft",
            PublicationStatus::Published => "published",
            PublicationStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<PublicationStatus> {
        match s {
            "draft" => Ok(PublicationStatus::Draft),
            "published" => Ok(PublicationStatus::Published),
            "withdrawn" => Ok(PublicationStatus::Withdrawn),
            _ => Err(DomainError::invalid("status", "公示状态无效")),
        }
    }

    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            PublicationStatus::Draft => "待审核发布",
            PublicationStatus::Published => "已公示",
            PublicationStatus::Withdrawn => "已撤回",
        }
    }
}

/// A decision's publication.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publication {
    /// Id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Agency.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// What is shown.
    pub content: PublicDecision,
    /// What the redaction masked (kinds and counts, for the preview; the original texts are not kept).
    pub masked: Vec<String>,
    /// Status.
    pub status: PublicationStatus,
    /// Drafted at.
    pub created_at: Timestamp,
    /// Approved and published by.
    pub approved_by: Option<String>,
    /// Published at.
    pub published_at: Option<Timestamp>,
    /// Withdrawn at.
    pub withdrawn_at: Option<Timestamp>,
    /// Why it was withdrawn (shown on the portal: 行政处罚法第四十八条第二款 asks for an explanation).
    pub withdraw_reason: String,
    /// Version.
    #[serde(default)]
    pub version: i64,
}

/// What the redaction masked, as the preview lists it (kinds only: the texts themselves are not kept).
pub fn masked_summary(hits: &[Hit]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in hits {
        let label = h.kind.label().to_string();
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::penalty::Yuan;
    use crate::penalty::case::{DecisionMade, Party};
    use crate::redaction::samples::{planted, written};
    use proptest::prelude::*;

    fn case(party: Party, facts: &str) -> Case {
        let mut c = crate::penalty::case::sample();
        c.party = party;
        c.facts = facts.into();
        c.title = "占用疏散通道案".into();
        if let Some(p) = c.proposal.as_mut() {
            p.article = "《中华人民共和国消防法》第六十条第二款".into();
            p.warning = true;
            p.fine = Yuan(300);
        }
        c.decision = Some(DecisionMade {
            at: c.created_at,
            by: "a".into(),
            by_name: "王".into(),
            doc_id: "d".into(),
            number: "东湖消罚决字〔2026〕第0007号".into(),
            revoked: false,
        });
        c
    }

    fn person(name: &str) -> Party {
        Party {
            kind: PartyKind::Person,
            name: name.into(),
            address: "东湖区幸福路8号3单元201室".into(),
            ..Party::default()
        }
    }

    #[test]
    fn a_person_becomes_surname_mou_and_a_unit_keeps_name_and_credit_code() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let c = case(person("张三丰"), "张三丰（住东湖区幸福路8号3单元201室）在楼道堆放杂物，堵塞疏散通道。");
        let (d, _) = build(&c, "东湖区消防救援大队", on).unwrap();
        assert_eq!(d.party, "张某");
        assert!(!d.facts.contains("张三丰") && d.facts.contains("张某") && !d.facts.contains("幸福路"), "{}", d.facts);
        assert!(d.credit_code.is_empty());
        assert_eq!(d.penalty, "警告，罚款人民币300元");
        check(&d).unwrap();
        let unit = Party {
            kind: PartyKind::Unit,
            name: "东湖区好运来超市".into(),
            credit_code: "91350102MA2XYZ1234".into(),
            legal_rep: "李四".into(),
            ..Party::default()
        };
        let (d, _) = build(&case(unit, "安全出口上锁。"), "东湖区消防救援大队", on).unwrap();
        assert_eq!((d.party.as_str(), d.credit_code.as_str()), ("东湖区好运来超市", "91350102MA2XYZ1234"));
        check(&d).unwrap();
    }

    #[test]
    fn the_scanner_blocks_a_number_that_reaches_a_field() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (mut d, _) = build(&case(person("李四"), "堵塞通道。"), "东湖区消防救援大队", on).unwrap();
        d.facts.push_str("联系电话：138 1234 5678");
        assert!(check(&d).unwrap_err().to_string().contains("手机号码"));
    }

    fn filler() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[一-龥，。、（）：a-zA-Z ]{0,20}").unwrap()
    }

    proptest! {
        /// No generated public decision leaks a planted ID number, mobile number or bank-card number, in
        /// half-width or full-width digits, with or without spaces and hyphens, in the facts, the title, the
        /// name or the legal representative.
        #[test]
        fn no_public_decision_leaks_a_planted_number(
            before in filler(),
            after in filler(),
            which in 0u8..3,
            field in 0u8..4,
            unit in any::<bool>(),
            body in proptest::array::uniform17(0u8..10),
            card_len in 16usize..=19,
            full_width in proptest::collection::vec(any::<bool>(), 1..6),
            gaps in proptest::collection::vec(0u8..5, 1..7),
        ) {
            let number = planted(which, &body, card_len);
            let planted = format!("{before}{}{after}", written(&number, &full_width, &gaps));
            let mut party = if unit {
                Party { kind: PartyKind::Unit, name: "东湖区某某商贸有限公司".into(), credit_code: "91350102MA2XYZ1234".into(), legal_rep: "王五".into(), ..Party::default() }
            } else {
                person("赵六")
            };
            let mut facts = "经查，当事人占用疏散通道。".to_string();
            let mut c = case(party.clone(), &facts);
            match field {
                0 => { facts.push_str(&planted); c.facts = facts; }
                1 => c.title = format!("{}{planted}", c.title),
                2 => { party.name = format!("{}{planted}", party.name); c.party = party; }
                _ => { party.legal_rep = format!("{}{planted}", party.legal_rep); c.party = party; }
            }
            let (d, _) = build(&c, "东湖区消防救援大队", NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()).unwrap();
            prop_assert!(check(&d).is_ok(), "{d:?}");
            let shown: String = d.fields().iter().filter(|(f, _)| *f != "credit_code" && *f != "number").map(|(_, t)| *t).collect::<Vec<_>>().join("|");
            let digits: String = shown.chars().filter_map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
                _ => None,
            }).collect();
            prop_assert!(!digits.contains(&number[..number.len() - 1]), "{shown}");
        }
    }
}
