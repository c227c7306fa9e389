//! Kinds of inspection (《消防监督检查规定》第六条 forms, plus the ways brigades organise them).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Why an inspection is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 双随机抽查: a task from a drawn plan.
    RandomTask,
    /// 重点单位日常监督检查.
    KeyUnitRoutine,
    /// 公众聚集场所投入使用、营业前消防安全检查 (第六条第一项).
    PreOpening,
    /// 举报投诉核查 (第六条第三项).
    Complaint,
    /// 大型群众性活动举办前消防安全检查 (第六条第四项).
    LargeEvent,
    /// 复查: checks the hazards of an earlier inspection.
    Reinspection,
    /// 联合检查 with other departments.
    Joint,
    /// 专项整治检查 (tagged with its campaign).
    Campaign,
    /// 夜间（非工作时间）检查.
    Night,
    /// 乡镇（街道）委托检查.
    Town,
}

impl InspectionKind {
    /// All kinds, in the order forms list them.
    pub const ALL: [InspectionKind; 10] = [
        InspectionKind::RandomTask,
        InspectionKind::KeyUnitRoutine,
        InspectionKind::PreOpening,
        InspectionKind::Complaint,
        InspectionKind::LargeEvent,
        InspectionKind::Reinspection,
        InspectionKind::Joint,
        InspectionKind::Campaign,
        InspectionKind::Night,
        InspectionKind::Town,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            InspectionKind::RandomTask => "random_task",
            InspectionKind::KeyUnitRoutine => "key_unit_routine",
            InspectionKind::PreOpening => "pre_opening",
            InspectionKind::Complaint => "complaint",
            InspectionKind::LargeEvent => "large_event",
            InspectionKind::Reinspection => "reinspection",
            InspectionKind::Joint => "joint",
            InspectionKind::Campaign => "campaign",
            InspectionKind::Night => "night",
            InspectionKind::Town => "town",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::RandomTask => "双随机抽查",
            InspectionKind::KeyUnitRoutine => "重点单位检查",
            InspectionKind::PreOpening => "投入使用、营业前检查",
            InspectionKind::Complaint => "举报投诉核查",
            InspectionKind::LargeEvent => "大型活动前检查",
            InspectionKind::Reinspection => "复查",
            InspectionKind::Joint => "联合检查",
            InspectionKind::Campaign => "专项整治检查",
            InspectionKind::Night => "夜查",
            InspectionKind::Town => "乡镇（街道）检查",
        }
    }

    /// Parses a stored or submitted code.
    pub fn parse(s: &str) -> Result<InspectionKind> {
        InspectionKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("检查类型“{s}”无效")))
    }
}

/// Departments an inspection can be made with (联合执法).
pub const JOINT_DEPARTMENTS: [&str; 10] =
    ["公安", "市场监管", "应急管理", "住房城乡建设", "镇（街道）", "教育", "文化旅游", "卫生健康", "商务", "其他"];

/// Parses the departments of a joint inspection: known names, no repeats, at least one.
pub fn parse_departments(list: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for d in list.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        if !JOINT_DEPARTMENTS.contains(&d) {
            return Err(DomainError::invalid("departments", format!("联合检查部门“{d}”不在可选范围内")));
        }
        if !out.iter().any(|o| o == d) {
            out.push(d.to_string());
        }
    }
    Ok(out)
}

/// Parses campaign tags (专项整治): trimmed, at most 10, each at most 20 characters.
pub fn parse_tags(list: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in list.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if t.chars().count() > 20 {
            return Err(DomainError::invalid("tags", format!("标签“{t}”超过20个字")));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    if out.len() > 10 {
        return Err(DomainError::invalid("tags", "标签不能超过10个"));
    }
    Ok(out)
}

/// Campaign tags offered by default (national and provincial 专项整治 of recent years).
pub const SUGGESTED_TAGS: [&str; 8] = [
    "防盗铁栅栏",
    "电动自行车违规停放充电",
    "消防通道",
    "高层建筑",
    "人员密集场所",
    "九小场所",
    "老年人照料设施",
    "多业态混合经营场所",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in InspectionKind::ALL {
            assert_eq!(InspectionKind::parse(k.code()).unwrap(), k);
        }
        assert!(InspectionKind::parse("x").is_err());
    }

    #[test]
    fn departments_and_tags_are_parsed() {
        let d = parse_departments(&["公安".into(), " 公安 ".into(), "市场监管".into()]).unwrap();
        assert_eq!(d, vec!["公安", "市场监管"]);
        assert!(parse_departments(&["外星办".into()]).is_err());
        assert!(parse_tags(&["一二三四五六七八九十一二三四五六七八九十一".into()]).is_err());
        assert_eq!(parse_tags(&["消防通道".into(), "消防通道".into()]).unwrap().len(), 1);
    }
}
