//! Accounts: who may log in, their org, and the enforcement certificate (执法资格证) an officer carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// A login name: 3–32 characters of `a-z 0-9 . _ -`, compared case-insensitively (stored in lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Parses and normalises a login name.
    pub fn parse(s: &str) -> Result<Username> {
        let s = s.trim().to_lowercase();
        let n = s.chars().count();
        if !(3..=32).contains(&n) {
            return Err(DomainError::invalid("username", "用户名应为3至32个字符"));
        }
        if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
            return Err(DomainError::invalid("username", "用户名只能包含字母、数字、点、下划线和连字符"));
        }
        Ok(Username(s))
    }
    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown: 2–30 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a display name.
    pub fn parse(s: &str) -> Result<DisplayName> {
        let s = s.trim();
        let n = s.chars().count();
        if !(2..=30).contains(&n) || s.chars().any(char::is_control) {
            return Err(DomainError::invalid("display_name", "姓名应为2至30个字"));
        }
        Ok(DisplayName(s.to_string()))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An enforcement certificate (行政执法证 / 执法资格证). 《消防救援机构办理行政案件程序规定》 Art. 3: only
/// in-post staff holding enforcement qualification may act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Certificate number as printed.
    pub number: String,
    /// Last day of validity.
    pub expires_on: NaiveDate,
}

impl Certificate {
    /// Parses a certificate from its number and expiry (`YYYY-MM-DD`).
    pub fn parse(number: &str, expires_on: &str) -> Result<Certificate> {
        let number = number.trim();
        let n = number.chars().count();
        if !(4..=32).contains(&n) || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(DomainError::invalid("certificate_no", "执法证号应为4至32位字母、数字或连字符"));
        }
        let expires_on = crate::calendar::parse_date("certificate_expires_on", expires_on)
            .map_err(|_| DomainError::invalid("certificate_expires_on", "执法证有效期格式应为 YYYY-MM-DD"))?;
        Ok(Certificate { number: number.to_uppercase(), expires_on })
    }

    /// Whether the certificate is valid on `day` (its last day included).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        day <= self.expires_on
    }
}

/// Account status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// May log in.
    Active,
    /// Disabled by the system administrator (or for 90 days of disuse).
    Disabled,
}

impl AccountStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }
    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<AccountStatus> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "disabled" => Ok(AccountStatus::Disabled),
            _ => Err(DomainError::invalid("status", "账户状态无效")),
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Active => "启用",
            AccountStatus::Disabled => "停用",
        }
    }
}

/// An account as stored (without its password hash).
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: Username,
    /// Name shown.
    pub display_name: DisplayName,
    /// Own org.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Its name.
    pub org_name: String,
    /// Status.
    pub status: AccountStatus,
    /// Enforcement certificate, if the person holds one.
    pub certificate: Option<Certificate>,
    /// The password must be changed at next login (admin-issued or expired).
    pub must_change_password: bool,
    /// When the password was last set.
    pub password_changed_at: Option<Timestamp>,
    /// Locked until this instant after repeated failures.
    pub locked_until: Option<Timestamp>,
    /// Last successful login.
    pub last_login_at: Option<Timestamp>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
}

impl Account {
    /// A new active account of `org`, not yet stored, its password set at `now`.
    pub fn new(
        username: Username,
        display_name: DisplayName,
        org: &crate::org::Org,
        must_change_password: bool,
        now: Timestamp,
    ) -> Account {
        Account {
            id: crate::new_id(),
            username,
            display_name,
            org_id: org.id.clone(),
            org_path: org.path.clone(),
            org_name: org.name.as_str().to_string(),
            status: AccountStatus::Active,
            certificate: None,
            must_change_password,
            password_changed_at: Some(now),
            locked_until: None,
            last_login_at: None,
            version: 1,
            created_at: now,
        }
    }

    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// Fails unless `account` holds a certificate valid on `day`. Every enforcement act (inspection, order,
/// filing, signing a document) calls this first.
pub fn require_valid_certificate(account: &Account, day: NaiveDate) -> Result<&Certificate> {
    match &account.certificate {
        None => Err(DomainError::Rule(format!("{}未登记执法证，不能实施执法行为", account.display_name.as_str()))),
        Some(c) if !c.valid_on(day) => Err(DomainError::Rule(format!(
            "{}的执法证（{}）已于{}过期，不能实施执法行为",
            account.display_name.as_str(),
            c.number,
            c.expires_on
        ))),
        Some(c) => Ok(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(cert: Option<Certificate>) -> Account {
        Account {
            id: "1".into(),
            username: Username::parse("zhangsan").unwrap(),
            display_name: DisplayName::parse("张三").unwrap(),
            org_id: OrgId("o".into()),
            org_path: OrgPath::root(&OrgId("o".into())),
            org_name: "江城大队".into(),
            status: AccountStatus::Active,
            certificate: cert,
            must_change_password: false,
            password_changed_at: None,
            locked_until: None,
            last_login_at: None,
            version: 1,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn expired_certificate_cannot_be_used() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let valid = Certificate::parse("gd-123456", "2026-11-22").unwrap();
        assert_eq!(valid.number, "GD-123456");
        assert!(require_valid_certificate(&account(Some(valid)), day).is_ok(), "last day is still valid");
        let expired = Certificate::parse("GD123456", "2026-11-21").unwrap();
        let err = require_valid_certificate(&account(Some(expired)), day).unwrap_err();
        assert!(err.to_string().contains("已于2026-11-21过期"));
        assert!(require_valid_certificate(&account(None), day).is_err());
    }

    #[test]
    fn usernames_are_case_insensitive() {
        assert_eq!(Username::parse(" ZhangSan ").unwrap().as_str(), "zhangsan");
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("ab").is_err());
    }
}
