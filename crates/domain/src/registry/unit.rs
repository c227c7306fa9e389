//! A unit (社会单位) and its facts.

use serde::Serialize;

use crate::error::{DomainError, Result};
use crate::identity::{CreditCode, IdCardNo, Phone};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

use super::key_unit::KeyDesignation;
use super::risk::RiskGrade;
use super::venue::VenueKinds;

/// Whether the unit is operating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// 正常经营.
    Operating,
    /// 停业 (temporarily closed, e.g. under renovation or 三停).
    Suspended,
    /// 注销/关闭: kept for the record, never drawn.
    Closed,
}

impl UnitStatus {
    /// All statuses.
    pub const ALL: [UnitStatus; 3] = [UnitStatus::Operating, UnitStatus::Suspended, UnitStatus::Closed];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            UnitStatus::Operating => "operating",
            UnitStatus::Suspended => "suspended",
            UnitStatus::Closed => "closed",
        }
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            UnitStatus::Operating => "正常经营",
            UnitStatus::Suspended => "停业",
            UnitStatus::Closed => "已注销",
        }
    }

    /// Parses a code or a Chinese name.
    pub fn parse(field: &str, s: &str) -> Result<UnitStatus> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(UnitStatus::Operating);
        }
        UnitStatus::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
            .ok_or_else(|| DomainError::invalid(field, format!("经营状态“{s}”无效，应为正常经营、停业或已注销")))
    }
}

/// Size facts, as the key-unit criteria measure them. All optional: unknown is not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SizeFacts {
    /// 建筑面积, m².
    pub floor_area: Option<i64>,
    /// 层数 above ground.
    pub floors: Option<i64>,
    /// 床位 (hospitals, elderly homes, boarding schools, kindergartens).
    pub beds: Option<i64>,
    /// 客房 (hotels).
    pub rooms: Option<i64>,
    /// 从业人员.
    pub staff: Option<i64>,
}

/// Parses an optional non-negative whole number from a form or an import cell ("1,200", "1200.0" accepted).
pub fn parse_count(field: &str, label: &str, s: &str) -> Result<Option<i64>> {
    let t: String = s.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.strip_suffix(".0").unwrap_or(&t);
    match t.parse::<i64>() {
        Ok(n) if (0..=100_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(DomainError::invalid(field, format!("{label}应为不小于0的整数"))),
    }
}

/// A unit's name: 2–100 characters.
pub fn parse_unit_name(s: &str) -> Result<String> {
    let s = s.trim();
    let n = s.chars().count();
    if !(2..=100).contains(&n) {
        return Err(DomainError::invalid("name", "单位名称应为2至100个字"));
    }
    Ok(s.to_string())
}

/// An address: 4–200 characters.
pub fn parse_address(s: &str) -> Result<String> {
    let s = s.trim();
    let n = s.chars().count();
    if !(4..=200).contains(&n) {
        return Err(DomainError::invalid("address", "地址应为4至200个字"));
    }
    Ok(s.to_string())
}

/// A person's name: up to 30 characters, optional.
pub fn parse_person_name(field: &str, s: &str) -> Result<Option<String>> {
    let s = s.trim();
    match s.chars().count() {
        0 => Ok(None),
        1..=30 => Ok(Some(s.to_string())),
        _ => Err(DomainError::invalid(field, "姓名不超过30个字")),
    }
}

/// A personal number stored encrypted (SM4-GCM under the field key) with its masked form for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sealed {
    /// The ciphertext, base64 (never shown).
    #[serde(skip)]
    pub sealed: String,
    /// The masked form, e.g. `138****5678`.
    pub masked: String,
}

/// 消防安全责任人 or 消防安全管理人. `S` is the plaintext (`String`, already parsed) on the way in, and
/// [`Sealed`] as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Contact<S> {
    /// Name.
    pub name: Option<String>,
    /// Mobile number.
    pub phone: Option<S>,
    /// 公民身份号码 (kept for 个体工商户 and natural-person responsibility).
    pub id_card: Option<S>,
}

impl Contact<String> {
    /// Parses the three fields; `prefix` names them (`responsible`, `manager`).
    pub fn parse(prefix: &str, name: &str, phone: &str, id_card: &str) -> Result<Contact<String>> {
        let name = parse_person_name(&format!("{prefix}_name"), name)?;
        let phone = match phone.trim() {
            "" => None,
            p => Some(
                Phone::parse(p)
                    .map_err(|e| DomainError::invalid(&format!("{prefix}_phone"), e.to_string()))?
                    .expose()
                    .to_string(),
            ),
        };
        let id_card = match id_card.trim() {
            "" => None,
            p => Some(
                IdCardNo::parse(p)
                    .map_err(|e| DomainError::invalid(&format!("{prefix}_id_card"), e.to_string()))?
                    .expose()
                    .to_string(),
            ),
        };
        if name.is_none() && (phone.is_some() || id_card.is_some()) {
            return Err(DomainError::invalid(&format!("{prefix}_name"), "填写了电话或身份证号，请同时填写姓名"));
        }
        Ok(Contact { name, phone, id_card })
    }
}

impl<S> Contact<S> {
    /// The same contact with its numbers transformed (sealed or opened).
    pub fn try_map<T>(self, mut f: impl FnMut(&str, S) -> Result<T>) -> Result<Contact<T>> {
        Ok(Contact {
            name: self.name,
            phone: self.phone.map(|p| f("phone", p)).transpose()?,
            id_card: self.id_card.map(|p| f("id_card", p)).transpose()?,
        })
    }
}

/// The facts of a unit that people edit and import, parsed. `S` as in [`Contact`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFacts<S> {
    /// 单位名称.
    pub name: String,
    /// 地址.
    pub address: String,
    /// The org whose jurisdiction the unit is in.
    pub org_id: OrgId,
    /// 场所类别.
    pub venue_kinds: VenueKinds,
    /// Size.
    pub size: SizeFacts,
    /// 消防安全责任人.
    pub responsible: Contact<S>,
    /// 消防安全管理人.
    pub manager: Contact<S>,
    /// 经营状态.
    pub status: UnitStatus,
}

/// A stored unit.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// Id.
    pub id: String,
    /// 统一社会信用代码: the key that imports match on.
    pub credit_code: CreditCode,
    /// The facts, with personal numbers sealed.
    pub facts: UnitFacts<Sealed>,
    /// Path of the jurisdiction org.
    pub org_path: OrgPath,
    /// Name of the jurisdiction org, for display.
    pub org_name: String,
    /// 风险等级.
    pub risk_grade: RiskGrade,
    /// Why it has that grade (who set it by hand, or how it was derived).
    pub risk_reason: String,
    /// 消防安全重点单位 designation, once a person confirmed it.
    pub key_unit: Option<KeyDesignation>,
    /// Optimistic-lock version.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// One field changed, for the unit's history (personal numbers appear masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// Field label in Chinese.
    pub field: String,
    /// Old value as shown.
    pub before: String,
    /// New value as shown.
    pub after: String,
}

fn show_count(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

fn mask_phone(p: &Option<String>) -> String {
    p.as_deref().and_then(|p| Phone::parse(p).ok()).map(|p| p.masked()).unwrap_or_default()
}

fn mask_id(p: &Option<String>) -> String {
    p.as_deref().and_then(|p| IdCardNo::parse(p).ok()).map(|p| p.masked()).unwrap_or_default()
}

impl UnitFacts<String> {
    /// The fields that differ from `before`, as the history shows them. `org_name` names an org id.
    pub fn diff(&self, before: &UnitFacts<String>, org_name: &dyn Fn(&OrgId) -> String) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let mut push = |field: &'static str, b: String, a: String| {
            if a != b {
                out.push(FieldChange { field: field.to_string(), before: b, after: a });
            }
        };
        push("单位名称", before.name.clone(), self.name.clone());
        push("地址", before.address.clone(), self.address.clone());
        push("管辖机构", org_name(&before.org_id), org_name(&self.org_id));
        push("场所类别", before.venue_kinds.labels(), self.venue_kinds.labels());
        push("建筑面积", show_count(before.size.floor_area), show_count(self.size.floor_area));
        push("层数", show_count(before.size.floors), show_count(self.size.floors));
        push("床位数", show_count(before.size.beds), show_count(self.size.beds));
        push("客房数", show_count(before.size.rooms), show_count(self.size.rooms));
        push("从业人员数", show_count(before.size.staff), show_count(self.size.staff));
        let people = [
            ("消防安全责任人", "责任人电话", "责任人身份证号", &before.responsible, &self.responsible),
            ("消防安全管理人", "管理人电话", "管理人身份证号", &before.manager, &self.manager),
        ];
        for (who, phone, id_card, b, a) in people {
            push(who, b.name.clone().unwrap_or_default(), a.name.clone().unwrap_or_default());
            push(phone, mask_phone(&b.phone), mask_phone(&a.phone));
            push(id_card, mask_id(&b.id_card), mask_id(&a.id_card));
        }
        push("经营状态", before.status.label().into(), self.status.label().into());
        out
    }
}

/// Masks a personal number for display: a phone as `138****5678`, an ID number as `110101********1234`.
pub fn mask(kind: &str, plain: &str) -> String {
    match kind {
        "phone" => mask_phone(&Some(plain.to_string())),
        _ => mask_id(&Some(plain.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::venue::VenueKinds;

    fn facts() -> UnitFacts<String> {
        UnitFacts {
            name: "华联商厦".into(),
            address: "南湖路88号".into(),
            org_id: OrgId("dh".into()),
            venue_kinds: VenueKinds::parse("k", "商场市场").unwrap(),
            size: SizeFacts { floor_area: Some(12000), ..Default::default() },
            responsible: Contact::parse("responsible", "王五", "13800138000", "").unwrap(),
            manager: Contact::default(),
            status: UnitStatus::Operating,
        }
    }

    #[test]
    fn diff_names_changed_fields_and_masks_numbers() {
        let before = facts();
        let mut after = facts();
        after.size.floor_area = Some(15000);
        after.responsible.phone = Some("13900139000".into());
        let d = after.diff(&before, &|o| o.0.clone());
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], FieldChange { field: "建筑面积".into(), before: "12000".into(), after: "15000".into() });
        assert_eq!(d[1].before, "138****8000");
        assert_eq!(d[1].after, "139****9000");
        assert!(facts().diff(&facts(), &|o| o.0.clone()).is_empty());
    }

    #[test]
    fn counts_and_contacts_parse_with_field_names() {
        assert_eq!(parse_count("floor_area", "建筑面积", "1,200").unwrap(), Some(1200));
        assert_eq!(parse_count("floor_area", "建筑面积", "").unwrap(), None);
        assert!(parse_count("floor_area", "建筑面积", "-3").is_err());
        let e = Contact::parse("manager", "李四", "12345", "").unwrap_err();
        assert!(matches!(e, DomainError::Validation { ref field, .. } if field == "manager_phone"));
        assert!(Contact::parse("manager", "", "13800138000", "").is_err());
    }
}
