//! The organisation tree: 总队 → 支队 → 大队 → 消防救援站 / 镇（街道）.
//!
//! Every record in firelaw belongs to an org, and every permission is granted over an org *subtree*
//! (辖区). The tree is stored as `parent_id` plus a materialised [`OrgPath`] (`/a/b/c/`), so "inside the
//! subtree of X" is a prefix test on both database engines.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::time::Timestamp;

/// An org's id (UUIDv7 text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub String);

/// The level of an org in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    /// 消防救援总队 (province).
    Corps,
    /// 消防救援支队 (city).
    Detachment,
    /// 消防救援大队 (county or district).
    Brigade,
    /// 消防救援站 (fire station).
    Station,
    /// 镇（街道）/ 镇街消防工作所: may be entrusted with limited powers.
    Town,
}

impl OrgLevel {
    /// All levels, top down.
    pub const ALL: [OrgLevel; 5] =
        [OrgLevel::Corps, OrgLevel::Detachment, OrgLevel::Brigade, OrgLevel::Station, OrgLevel::Town];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            OrgLevel::Corps => "corps",
            OrgLevel::Detachment => "detachment",
            OrgLevel::Brigade => "brigade",
            OrgLevel::Station => "station",
            OrgLevel::Town => "town",
        }
    }

    /// Chinese name of the level.
    pub fn label(self) -> &'static str {
        match self {
            OrgLevel::Corps => "总队",
            OrgLevel::Detachment => "支队",
            OrgLevel::Brigade => "大队",
            OrgLevel::Station => "消防救援站",
            OrgLevel::Town => "镇（街道）",
        }
    }

    /// Parses the stored code; `field` names the form field in the error.
    pub fn parse(field: &str, s: &str) -> Result<OrgLevel> {
        OrgLevel::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| DomainError::invalid(field, "机构层级无效，应为总队、支队、大队、消防救援站或镇（街道）"))
    }

    /// Which levels may sit directly under this one. A detachment may run stations directly
    /// (支队直属站), and towns sit under the brigade whose area they are in.
    pub fn may_contain(self, child: OrgLevel) -> bool {
        use OrgLevel::*;
        matches!(
            (self, child),
            (Corps, Detachment) | (Detachment, Brigade) | (Detachment, Station) | (Brigade, Station) | (Brigade, Town)
        )
    }

    /// Whether an org of this level is an enforcement agency (执法主体) in its own name.
    pub fn is_agency(self) -> bool {
        matches!(self, OrgLevel::Corps | OrgLevel::Detachment | OrgLevel::Brigade)
    }
}

/// A materialised path, `/id1/id2/…/idN/`, from the root to the org itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root org.
    pub fn root(id: &OrgId) -> OrgPath {
        OrgPath(format!("/{}/", id.0))
    }
    /// The path of a child of this org.
    pub fn child(&self, id: &OrgId) -> OrgPath {
        OrgPath(format!("{}{}/", self.0, id.0))
    }
    /// Parses a stored path.
    pub fn parse(s: &str) -> Result<OrgPath> {
        let ok = s.len() >= 3
            && s.starts_with('/')
            && s.ends_with('/')
            && s[1..s.len() - 1]
                .split('/')
                .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if ok { Ok(OrgPath(s.to_string())) } else { Err(DomainError::internal(format!("bad org path {s:?}"))) }
    }
    /// The path text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether `other` is this org or lies below it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }
    /// Depth in the tree, the root being 1.
    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }
    /// The ids from the root down to this org.
    pub fn ids(&self) -> impl Iterator<Item = OrgId> + '_ {
        self.0.split('/').filter(|s| !s.is_empty()).map(|s| OrgId(s.to_string()))
    }
}

/// An org as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Parent, `None` for the root.
    pub parent_id: Option<OrgId>,
    /// Materialised path.
    pub path: OrgPath,
    /// Full name, e.g. 江城市消防救援支队.
    pub name: OrgName,
    /// Short name used in document numbers, e.g. 江城 in 江城消限字〔2026〕第0001号.
    pub short_name: Option<String>,
    /// Level.
    pub level: OrgLevel,
    /// Whether the org is still in use. Orgs are never deleted: records keep pointing at them.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A validated org name: 2–60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OrgName(String);

impl OrgName {
    /// Parses a name.
    pub fn parse(s: &str) -> Result<OrgName> {
        let s = s.trim();
        let n = s.chars().count();
        if !(2..=60).contains(&n) {
            return Err(DomainError::invalid("name", "机构名称应为2至60个字"));
        }
        if s.chars().any(char::is_control) {
            return Err(DomainError::invalid("name", "机构名称不能包含控制字符"));
        }
        Ok(OrgName(s.to_string()))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses an optional short name (1–10 characters) for document numbers.
pub fn parse_short_name(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() <= 10 && !s.chars().any(char::is_control) => Ok(Some(s.to_string())),
        Some(_) => Err(DomainError::invalid("short_name", "机构简称不超过10个字")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_is_a_prefix_and_not_a_sibling_prefix() {
        let root = OrgPath::root(&OrgId("a".into()));
        let child = root.child(&OrgId("b".into()));
        let sibling_like = root.child(&OrgId("bc".into()));
        assert!(root.contains(&child));
        assert!(child.contains(&child));
        assert!(!child.contains(&root));
        // "/a/b/" must not contain "/a/bc/": the trailing slash matters.
        assert!(!child.contains(&sibling_like));
        assert_eq!(child.depth(), 2);
    }

    #[test]
    fn levels_nest_as_the_service_is_organised() {
        assert!(OrgLevel::Brigade.may_contain(OrgLevel::Town));
        assert!(!OrgLevel::Town.may_contain(OrgLevel::Station));
        assert!(!OrgLevel::Corps.may_contain(OrgLevel::Brigade));
        assert!(OrgLevel::parse("level", "team").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(OrgName::parse(" 江城大队 ").is_ok());
        assert!(OrgName::parse("江").is_err());
        assert!(OrgName::parse(&"江".repeat(61)).is_err());
    }
}
