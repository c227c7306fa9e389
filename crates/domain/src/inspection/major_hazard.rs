//! 重大火灾隐患判定 under GB 35181 (消防法第五十五条; 《消防监督检查规定》第二十条、第二十一条).
//!
//! The standard is versioned data: GB 35181-2017 (判定方法) for facts before 2025-11-01 and GB 35181-2025
//! (判定规则) from then on, each a file in `data/gb35181/` with exclusions, direct elements (any one
//! suffices), composite elements and the counting rules over them. [`judge`] applies a standard to what the
//! officers found; a person still decides, collectively, and the determination records which rule fired.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{DomainError, Result};
use crate::registry::venue::{VenueKind, VenueKinds};

/// The shipped versions, oldest first.
const SHIPPED: [&str; 2] =
    [include_str!("../../../../data/gb35181/2017.csv"), include_str!("../../../../data/gb35181/2025.csv")];

/// What kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// 直接判定要素: one suffices.
    Direct,
    /// 综合判定要素: counted by the rules.
    Composite,
}

/// An element of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    /// Id within the version (`D3`, `C12`).
    pub id: String,
    /// Direct or composite.
    pub kind: ElementKind,
    /// Group (总平面布置, 防火分隔 …).
    pub group: String,
    /// Place classes it applies to (empty: any).
    pub applies_to: Vec<String>,
    /// Summary of the clause.
    pub text: String,
}

/// A counting rule over composite elements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeRule {
    /// Id.
    pub id: String,
    /// Place classes (empty: any).
    pub applies_to: Vec<String>,
    /// Elements counted (empty: any composite element).
    pub elements: Vec<String>,
    /// How many make a major hazard.
    pub min_count: usize,
    /// The rule in words.
    pub text: String,
}

/// A circumstance in which a hazard is not to be judged major.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// Id.
    pub id: String,
    /// Text.
    pub text: String,
}

/// One version of the standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standard {
    /// `GB 35181-2025`.
    pub code: String,
    /// Title.
    pub title: String,
    /// In force from.
    pub effective_from: NaiveDate,
    /// Replaced after.
    pub effective_to: Option<NaiveDate>,
    /// Exclusions.
    pub exclusions: Vec<Exclusion>,
    /// Elements.
    pub elements: Vec<Element>,
    /// Counting rules, tried in order.
    pub rules: Vec<CompositeRule>,
}

fn split_list(s: &str) -> Vec<String> {
    match s.trim() {
        "" | "*" => Vec::new(),
        l => l.split('|').map(|p| p.trim().to_string()).collect(),
    }
}

impl Standard {
    /// Parses a version file. Errors name the line.
    pub fn parse(text: &str) -> Result<Standard> {
        let mut std: Option<Standard> = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("kind,") {
                continue;
            }
            let bad = |m: &str| DomainError::invalid("standard", format!("判定标准第{}行：{m}", n + 1));
            let cols: Vec<&str> = line.splitn(7, ',').collect();
            if cols[0] == "standard" {
                let date = |s: &str| crate::calendar::parse_date("standard", s).map_err(|_| bad("日期无效"));
                if cols.len() < 5 {
                    return Err(bad("standard 行应为 代号,名称,实施日期,废止日期"));
                }
                std = Some(Standard {
                    code: cols[1].trim().into(),
                    title: cols[2].trim().into(),
                    effective_from: date(cols[3].trim())?,
                    effective_to: if cols[4].trim().is_empty() { None } else { Some(date(cols[4].trim())?) },
                    exclusions: Vec::new(),
                    elements: Vec::new(),
                    rules: Vec::new(),
                });
                continue;
            }
            let s = std.as_mut().ok_or_else(|| bad("缺少 standard 行"))?;
            if cols.len() != 7 {
                return Err(bad("应有7列"));
            }
            let (id, group, applies, min, elements, text) =
                (cols[1].trim(), cols[2].trim(), cols[3], cols[4], cols[5], cols[6].trim());
            if id.is_empty() || text.is_empty() {
                return Err(bad("编号和内容不能为空"));
            }
            let taken = s.exclusions.iter().any(|x| x.id == id)
                || s.elements.iter().any(|x| x.id == id)
                || s.rules.iter().any(|x| x.id == id);
            if taken {
                return Err(bad(&format!("编号{id}重复")));
            }
            match cols[0] {
                "exclusion" => s.exclusions.push(Exclusion { id: id.into(), text: text.into() }),
                "direct" | "composite" => s.elements.push(Element {
                    id: id.into(),
                    kind: if cols[0] == "direct" { ElementKind::Direct } else { ElementKind::Composite },
                    group: group.into(),
                    applies_to: split_list(applies),
                    text: text.into(),
                }),
                "rule" => {
                    let min_count = min.trim().parse::<usize>().map_err(|_| bad("判定项数应为正整数"))?;
                    let elements = split_list(elements);
                    for e in &elements {
                        if !s.elements.iter().any(|x| &x.id == e && x.kind == ElementKind::Composite) {
                            return Err(bad(&format!("规则引用的综合判定要素{e}不存在")));
                        }
                    }
                    s.rules.push(CompositeRule {
                        id: id.into(),
                        applies_to: split_list(applies),
                        elements,
                        min_count,
                        text: text.into(),
                    });
                }
                other => return Err(bad(&format!("未知类型“{other}”"))),
            }
        }
        std.ok_or_else(|| DomainError::invalid("standard", "判定标准文件缺少 standard 行"))
    }

    /// An element by id.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// Whether the version was in force on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day >= self.effective_from && self.effective_to.is_none_or(|t| day <= t)
    }
}

/// The shipped versions, parsed once.
pub fn shipped() -> &'static [Standard] {
    static ALL: OnceLock<Vec<Standard>> = OnceLock::new();
    ALL.get_or_init(|| SHIPPED.iter().map(|t| Standard::parse(t).expect("data/gb35181 parses")).collect())
}

/// The version in force on the day the facts were found (a 2025 inspection of facts found before
/// 2025-11-01 is judged by the 2017 method; the officer may choose another version with a reason).
pub fn standard_on(day: NaiveDate) -> Result<&'static Standard> {
    shipped()
        .iter()
        .find(|s| s.in_force_on(day))
        .ok_or_else(|| DomainError::Rule(format!("{day}没有施行中的重大火灾隐患判定标准")))
}

/// A version by code.
pub fn standard(code: &str) -> Result<&'static Standard> {
    shipped()
        .iter()
        .find(|s| s.code == code)
        .ok_or_else(|| DomainError::invalid("standard", format!("判定标准“{code}”不存在")))
}

/// The place classes the standards speak of, for a unit of these venue kinds.
pub fn place_classes(kinds: &VenueKinds) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |c: &'static str| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for k in kinds.iter() {
        match k {
            VenueKind::Crowded | VenueKind::School | VenueKind::Hospital | VenueKind::TransportHub => add("crowded"),
            VenueKind::PublicGathering
            | VenueKind::Shop
            | VenueKind::Hotel
            | VenueKind::Entertainment
            | VenueKind::Restaurant
            | VenueKind::CommercialComplex
            | VenueKind::LibraryExhibition => {
                add("crowded");
                add("public");
            }
            VenueKind::Kindergarten => {
                add("crowded");
                add("children");
            }
            VenueKind::ElderlyCare => {
                add("crowded");
                add("elderly");
            }
            VenueKind::Hazardous | VenueKind::FuelStation => add("hazmat"),
            VenueKind::LabourIntensive => add("labour"),
            VenueKind::MixedUse | VenueKind::NineSmall => add("mixed"),
            VenueKind::HighRise => add("high_rise"),
            VenueKind::Underground => add("underground"),
            VenueKind::StateOrgan
            | VenueKind::Communications
            | VenueKind::Power
            | VenueKind::Heritage
            | VenueKind::Research => add("important"),
            _ => {}
        }
    }
    if out.is_empty() {
        out.push("other");
    }
    out
}

/// Chinese name of a place class.
pub fn place_class_label(code: &str) -> &'static str {
    match code {
        "crowded" => "人员密集场所",
        "public" => "公众聚集场所",
        "hazmat" => "易燃易爆危险品场所",
        "important" => "重要场所",
        "high_rise" => "高层建筑",
        "underground" => "地下建筑",
        "children" => "儿童活动场所",
        "elderly" => "老年人照料设施",
        "labour" => "劳动密集型企业",
        "mixed" => "多业态混合生产经营场所",
        _ => "其他场所",
    }
}

/// What the standard says about the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Judgement {
    /// The findings make a major hazard.
    pub major: bool,
    /// The direct element or rule that decided it (`D3`, `R1`), or the exclusion that ruled it out.
    pub basis: Option<String>,
    /// Explanation in Chinese, for the record and the collective decision.
    pub reason: String,
    /// Composite elements counted.
    pub composite_count: usize,
}

fn applies(list: &[String], classes: &[&str]) -> bool {
    list.is_empty() || list.iter().any(|c| classes.contains(&c.as_str()))
}

/// Applies `std` to the elements found at a place of `classes`, with the exclusions the officers checked.
pub fn judge(std: &Standard, classes: &[&str], found: &[String], exclusions: &[String]) -> Result<Judgement> {
    for f in found {
        if std.element(f).is_none() {
            return Err(DomainError::invalid("elements", format!("{}没有判定要素{f}", std.code)));
        }
    }
    if let Some(x) = exclusions.first() {
        let e = std
            .exclusions
            .iter()
            .find(|e| &e.id == x)
            .ok_or_else(|| DomainError::invalid("exclusions", format!("{}没有排除情形{x}", std.code)))?;
        return Ok(Judgement {
            major: false,
            basis: Some(e.id.clone()),
            reason: format!("属于不判定为重大火灾隐患的情形：{}（{}）", e.text, std.code),
            composite_count: 0,
        });
    }
    let applicable: Vec<&Element> =
        found.iter().filter_map(|f| std.element(f)).filter(|e| applies(&e.applies_to, classes)).collect();
    if let Some(d) = applicable.iter().find(|e| e.kind == ElementKind::Direct) {
        return Ok(Judgement {
            major: true,
            basis: Some(d.id.clone()),
            reason: format!("符合直接判定要素{}：{}（{}）", d.id, d.text, std.code),
            composite_count: 0,
        });
    }
    let composite: Vec<&&Element> = applicable.iter().filter(|e| e.kind == ElementKind::Composite).collect();
    for r in std.rules.iter().filter(|r| applies(&r.applies_to, classes)) {
        let n = composite.iter().filter(|e| r.elements.is_empty() || r.elements.contains(&e.id)).count();
        if n >= r.min_count {
            return Ok(Judgement {
                major: true,
                basis: Some(r.id.clone()),
                reason: format!("{}（存在{n}项，{}）", r.text, std.code),
                composite_count: composite.len(),
            });
        }
    }
    Ok(Judgement {
        major: false,
        basis: None,
        reason: format!("存在综合判定要素{}项，未达到{}的判定条件", composite.len(), std.code),
        composite_count: composite.len(),
    })
}

/// Where a determined 重大火灾隐患 stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorStatus {
    /// 集体讨论认定为重大火灾隐患, to be reported to the government.
    Determined,
    /// The collective found it is not a major hazard (the ordinary correction procedure continues).
    NotMajor,
    /// Reported to the 本级人民政府 (消防法第五十五条).
    Reported,
    /// 挂牌督办 by the government or the agency.
    Supervised,
    /// Rectified and the supervision lifted (销案/摘牌).
    Lifted,
}

impl MajorStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            MajorStatus::Determined => "determined",
            MajorStatus::NotMajor => "not_major",
            MajorStatus::Reported => "reported",
            MajorStatus::Supervised => "supervised",
            MajorStatus::Lifted => "lifted",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            MajorStatus::Determined => "已认定，待报告政府",
            MajorStatus::NotMajor => "不构成重大火灾隐患",
            MajorStatus::Reported => "已报告政府",
            MajorStatus::Supervised => "挂牌督办中",
            MajorStatus::Lifted => "已整改销案",
        }
    }
}

/// A determination (判定) of a possible 重大火灾隐患: the standard version applied, the elements found, the
/// exclusions checked, what the standard says, the collective decision, and what followed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Determination {
    /// Id.
    pub id: String,
    /// Jurisdiction.
    pub org_id: crate::org::OrgId,
    /// Its path.
    pub org_path: crate::org::OrgPath,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// The inspection that found the facts.
    pub inspection_id: String,
    /// Standard version (`GB 35181-2025`).
    pub standard: String,
    /// Place classes of the unit.
    pub place_classes: Vec<String>,
    /// Elements found, with the officers' evidence notes.
    pub elements: Vec<(String, String)>,
    /// Exclusions that apply.
    pub exclusions: Vec<String>,
    /// What the standard says.
    pub judgement: Judgement,
    /// Complex case reviewed by experts (adds 10 working days).
    pub expert_review: bool,
    /// The collective decision.
    pub decision_id: String,
    /// Status.
    pub status: MajorStatus,
    /// Reported to (government) and when.
    pub reported_to: String,
    /// Reported on.
    pub reported_on: Option<NaiveDate>,
    /// Supervised by (挂牌督办单位).
    pub supervised_by: String,
    /// Supervision from.
    pub supervised_on: Option<NaiveDate>,
    /// Lifted on.
    pub lifted_on: Option<NaiveDate>,
    /// The inspection that found it rectified.
    pub lift_inspection_id: Option<String>,
    /// 重大火灾隐患整改通知书.
    pub notice_doc_id: Option<String>,
    /// Determined at.
    pub created_at: crate::time::Timestamp,
    /// Version.
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn both_versions_load_and_meet_at_the_changeover() {
        let all = shipped();
        assert_eq!(all.len(), 2);
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(standard_on(d("2025-10-31")).unwrap().code, "GB 35181-2017");
        assert_eq!(standard_on(d("2025-11-01")).unwrap().code, "GB 35181-2025");
        assert!(standard_on(d("2018-01-01")).is_err());
        // 重要场所 is gone in 2025; 儿童活动场所 arrives.
        let old = standard("GB 35181-2017").unwrap();
        let new = standard("GB 35181-2025").unwrap();
        assert!(old.rules.iter().any(|r| r.applies_to.contains(&"important".to_string())));
        assert!(!new.rules.iter().any(|r| r.applies_to.contains(&"important".to_string())));
        assert!(new.elements.iter().any(|e| e.applies_to.contains(&"children".to_string())));
        for s in all {
            assert!(s.elements.iter().any(|e| e.kind == ElementKind::Direct));
            assert!(s.rules.iter().any(|r| r.elements.is_empty()));
        }
    }

    #[test]
    fn a_direct_element_suffices_where_it_applies() {
        let s = standard("GB 35181-2025").unwrap();
        let j = judge(s, &["crowded", "public"], &ids(&["D3"]), &[]).unwrap();
        assert!(j.major);
        assert_eq!(j.basis.as_deref(), Some("D3"));
        // D3 speaks of public places; a factory with the same finding is not decided by it.
        let j = judge(s, &["other"], &ids(&["D3"]), &[]).unwrap();
        assert!(!j.major);
    }

    #[test]
    fn composite_elements_are_counted_by_place_class() {
        let s = standard("GB 35181-2025").unwrap();
        // Three evacuation elements at a crowded place: R1.
        let j = judge(s, &["crowded"], &ids(&["C9", "C11", "C12"]), &[]).unwrap();
        assert_eq!((j.major, j.basis.as_deref()), (true, Some("R1")));
        // The same three at an ordinary warehouse: not enough (needs 6).
        let j = judge(s, &["other"], &ids(&["C9", "C11", "C12"]), &[]).unwrap();
        assert!(!j.major);
        assert_eq!(j.composite_count, 3);
        // Any four at a labour-intensive enterprise (new in 2025): R3.
        let j = judge(s, &["labour"], &ids(&["C1", "C5", "C19", "C25"]), &[]).unwrap();
        assert_eq!(j.basis.as_deref(), Some("R3"));
        // Six anywhere: R4.
        let j = judge(s, &["other"], &ids(&["C1", "C5", "C19", "C25", "C23", "C24"]), &[]).unwrap();
        assert_eq!(j.basis.as_deref(), Some("R4"));
        // 2017: an 重要场所 with four elements.
        let old = standard("GB 35181-2017").unwrap();
        let j = judge(old, &["important"], &ids(&["C1", "C5", "C26", "C27"]), &[]).unwrap();
        assert_eq!(j.basis.as_deref(), Some("R3"));
    }

    #[test]
    fn an_exclusion_rules_out_a_major_hazard_and_unknown_ids_are_refused() {
        let s = standard("GB 35181-2025").unwrap();
        let j = judge(s, &["crowded"], &ids(&["D3"]), &ids(&["X2"])).unwrap();
        assert!(!j.major);
        assert!(j.reason.contains("停产停业"));
        assert!(judge(s, &["crowded"], &ids(&["C99"]), &[]).is_err());
        assert!(judge(s, &["crowded"], &[], &ids(&["X9"])).is_err());
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let e = Standard::parse("standard,GB 1,t,2020-01-01,\nrule,R1,,*,3,C1,x").unwrap_err();
        assert!(e.to_string().contains("第2行"), "{e}");
        assert!(Standard::parse("direct,D1,g,*,,,x").is_err());
    }

    #[test]
    fn venue_kinds_map_to_place_classes() {
        let k = VenueKinds::parse("k", "kindergarten").unwrap();
        assert_eq!(place_classes(&k), vec!["crowded", "children"]);
        let k = VenueKinds::parse("k", "residential").unwrap();
        assert_eq!(place_classes(&k), vec!["other"]);
    }
}
