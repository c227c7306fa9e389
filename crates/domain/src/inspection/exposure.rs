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

/// Checks a notice text: 10 to 1000 characters, and nothing left to mask.
pub fn check_text(text: &str) -> Result<String> {
    let t = text.trim();
    if !(10..=1000).contains(&t.chars().count()) {
        return Err(DomainError::invalid("text", "曝光内容应为10至1000字"));
    }
    crate::redaction::scan("text", t, &[])?;
    Ok(t.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_with_a_phone_or_id_number_is_refused() {
        assert!(check_text("某商场三楼疏散通道被货物堵塞，安全出口上锁。").is_ok());
        assert!(check_text("联系电话13812345678，安全出口上锁").unwrap_err().to_string().contains("个人信息"));
        assert!(check_text("负责人身份证35010219800101123X，安全出口上锁").is_err());
    }
}
