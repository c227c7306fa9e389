//! 检查项目: what an officer checks, by venue kind, each with the provision a failure points to. Data, not
//! code: the shipped list is `data/checklists.csv` and a jurisdiction edits its own copy on the 业务设置
//! page (stored as the same CSV text).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::registry::venue::{VenueKind, VenueKinds};

/// The shipped default list.
pub const SHIPPED_CSV: &str = include_str!("../../../../data/checklists.csv");

/// Settings key under which a jurisdiction's own list is kept.
pub const SETTINGS_KEY: &str = "inspection_checklist";

/// One item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Code, unique in its list (e.g. `G07`).
    pub code: String,
    /// Venue kinds it applies to; empty = every unit.
    pub applies_to: Vec<VenueKind>,
    /// What is checked.
    pub text: String,
    /// The provision a failed item points to.
    pub basis: String,
}

impl ChecklistItem {
    /// Whether the item applies to a unit of these kinds.
    pub fn applies(&self, kinds: &VenueKinds) -> bool {
        self.applies_to.is_empty() || self.applies_to.iter().any(|k| kinds.has(*k))
    }
}

/// A parsed list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// Items in file order.
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
    /// Parses the CSV text (`code,applies_to,item,basis`, `#` comments, one header line). Errors name the line.
    pub fn parse(text: &str) -> Result<Checklist> {
        let mut items: Vec<ChecklistItem> = Vec::new();
        let mut header_seen = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if line.starts_with("code,") {
                    continue;
                }
            }
            let bad = |m: &str| DomainError::invalid("checklist", format!("检查项目第{}行：{m}", n + 1));
            let mut parts = line.splitn(4, ',');
            let (Some(code), Some(applies), Some(item), Some(basis)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("应有编号、适用场所、检查内容、依据四列"));
            };
            let code = code.trim();
            if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(bad("编号应为不超过16位的字母数字"));
            }
            if items.iter().any(|i| i.code == code) {
                return Err(bad(&format!("编号{code}重复")));
            }
            let applies_to = match applies.trim() {
                "*" | "" => Vec::new(),
                list => list
                    .split('|')
                    .map(|k| VenueKind::parse("checklist", k.trim()).map_err(|_| bad(&format!("场所类型“{k}”无效"))))
                    .collect::<Result<Vec<_>>>()?,
            };
            let (item, basis) = (item.trim(), basis.trim());
            if item.is_empty() || item.chars().count() > 200 {
                return Err(bad("检查内容不能为空且不超过200个字"));
            }
            if basis.is_empty() || basis.chars().count() > 200 {
                return Err(bad("依据不能为空且不超过200个字"));
            }
            items.push(ChecklistItem { code: code.into(), applies_to, text: item.into(), basis: basis.into() });
        }
        if items.is_empty() {
            return Err(DomainError::invalid("checklist", "检查项目清单不能为空"));
        }
        Ok(Checklist { items })
    }

    /// The shipped list, parsed once per process (it is compiled in).
    pub fn shipped() -> std::sync::Arc<Checklist> {
        static SHIPPED: std::sync::LazyLock<std::sync::Arc<Checklist>> = std::sync::LazyLock::new(|| {
            // The shipped file is tested below; failing here is a build defect.
            std::sync::Arc::new(Checklist::parse(SHIPPED_CSV).expect("data/checklists.csv parses"))
        });
        SHIPPED.clone()
    }

    /// The items for a unit of these kinds.
    pub fn for_kinds(&self, kinds: &VenueKinds) -> Vec<&ChecklistItem> {
        self.items.iter().filter(|i| i.applies(kinds)).collect()
    }

    /// An item by code.
    pub fn item(&self, code: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|i| i.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_parses_and_every_item_cites_a_law() {
        let c = Checklist::shipped();
        assert!(c.items.len() >= 20);
        for i in &c.items {
            assert!(i.basis.contains('《') && i.basis.contains('第'), "{} lacks a basis", i.code);
        }
        assert_eq!(c.item("G07").unwrap().basis, "《中华人民共和国消防法》第六十条第一款第三项");
    }

    #[test]
    fn items_are_chosen_by_venue_kind() {
        let c = Checklist::shipped();
        let ktv = VenueKinds::parse("k", "entertainment").unwrap();
        let office = VenueKinds::parse("k", "state_organ").unwrap();
        let k: Vec<&str> = c.for_kinds(&ktv).iter().map(|i| i.code.as_str()).collect();
        let o: Vec<&str> = c.for_kinds(&office).iter().map(|i| i.code.as_str()).collect();
        assert!(k.contains(&"C01") && k.contains(&"G07"));
        assert!(!o.contains(&"C01") && o.contains(&"G07"));
    }

    #[test]
    fn bad_lists_name_the_line() {
        let e = Checklist::parse("code,applies_to,item,basis\nA1,ktv,x,《法》第一条").unwrap_err();
        assert!(e.to_string().contains("第2行") && e.to_string().contains("ktv"));
        assert!(Checklist::parse("A1,*,x,《法》第一条\nA1,*,y,《法》第二条").unwrap_err().to_string().contains("重复"));
        assert!(Checklist::parse("# only a comment").is_err());
    }
}
