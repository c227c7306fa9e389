//! 隐患曝光: a public notice of a unit's hazard, published on the portal after the agency head approves a
//! redacted text (the unit and the hazard are named; people's names, phones and ID numbers are not;
//! rules §5).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureStatus {
    /// 待审批.
    Draft,
    /// 已公开.
    Published,
    /// 已撤回.
    Withdrawn,
}

impl ExposureStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            ExposureStatus::Draft => "draft",
            ExposureStatus::Published => "published",
            ExposureStatus::Withdrawn => "withdrawn",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ExposureStatus::Draft => "待审批",
            ExposureStatus::Published => "已公开",
            ExposureStatus::Withdrawn => "已撤回",
        }
    }
}

/// A public notice of a hazard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exposure {
    /// Id.
    pub id: String,
    /// Jurisdiction.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Issuing agency name.
    pub agency: String,
    /// Unit.
    pub unit_id: String,
    /// Unit name (published).
    pub unit_name: String,
    /// Unit address (published: the place, not a person's home).
    pub unit_address: String,
    /// Hazard.
    pub hazard_id: String,
    /// The redacted text.
    pub text: String,
    /// Status.
    pub status: ExposureStatus,
    /// Drafted by.
    pub drafted_by: String,
    /// Approved by.
    pub approved_by: String,
    /// Published at.
    pub published_at: Option<Timestamp>,
    /// Why withdrawn.
    pub withdraw_reason: String,
    /// Created.
    pub created_at: Timestamp,
    /// Version.
    pub version: i64,
}

/// Masks what must not be published: mobile numbers, landlines with area code, ID card numbers, and
/// bank-card-like digit runs. Returns the text and what was masked, for the reviewer's preview.
pub fn redact(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut masked = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let is_digitish = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x' || c == '-';
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && is_digitish(chars[j]) {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let digits = run.chars().filter(|c| c.is_ascii_digit()).count();
            let phone = digits == 11 && run.starts_with('1');
            let landline = run.contains('-') && (10..=12).contains(&digits);
            let long = digits >= 15;
            if phone || landline || long {
                masked.push(run.clone());
                out.push_str(&"*".repeat(run.chars().count()));
            } else {
                out.push_str(&run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    (out, masked)
}

/// Checks a notice text: 10 to 1000 characters, and nothing left to mask.
pub fn check_text(text: &str) -> Result<String> {
    let t = text.trim();
    if !(10..=1000).contains(&t.chars().count()) {
        return Err(DomainError::invalid("text", "曝光内容应为10至1000字"));
    }
    let (_, found) = redact(t);
    if !found.is_empty() {
        return Err(DomainError::invalid(
            "text",
            format!("曝光内容含有电话、身份证号等个人信息（{}），请删除", found.join("、")),
        ));
    }
    Ok(t.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_id_numbers_are_masked_but_dates_and_counts_stay() {
        let (t, m) = redact(
            "负责人张某（13812345678，身份证35010219800101123X）于2026年11月20日检查发现3处隐患，电话0591-87654321",
        );
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(!t.contains("13812345678") && !t.contains("1980") && !t.contains("87654321"));
        assert!(t.contains("2026年11月20日") && t.contains("3处"));
        assert!(check_text("某商场三楼疏散通道被货物堵塞，安全出口上锁。").is_ok());
        assert!(check_text("联系电话13812345678，安全出口上锁").unwrap_err().to_string().contains("个人信息"));
    }
}
