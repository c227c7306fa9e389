//! The security policy set by the security administrator: passwords, lockout, sessions.
//!
//! Defaults satisfy both a 等保2.0 三级 evaluator (GB/T 28448-2019 L3-CES1-01/02) and OWASP ASVS 4.0.3 L2 where
//! they agree; where they conflict (composition and rotation rules, which ASVS 2.1.9/2.1.10 forbid and 等保
//! evaluators test for) the 等保 side is on by default and each rule can be switched off.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Password rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Minimum length in characters. 等保 L3-CES1-01 and ASVS 2.1.1: 12.
    pub min_length: u32,
    /// How many of the four classes (lower, upper, digit, symbol) a password must mix. 等保: 3.
    pub min_classes: u32,
    /// Days after which a password must be changed; 0 = never. 等保: 90.
    pub max_age_days: u32,
    /// How many previous passwords may not be reused. 等保: 5.
    pub history: u32,
}

/// Lockout after failed logins (等保 L3-CES1-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutPolicy {
    /// Failures that lock the account: 5.
    pub max_failures: u32,
    /// Within this many minutes: 15.
    pub window_minutes: u32,
    /// Lock duration in minutes: 30.
    pub lock_minutes: u32,
}

/// Session lifetime (等保 L3-CES1-02, ASVS 3.3.2 L2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// Idle minutes before a session ends: 30.
    pub idle_minutes: u32,
    /// Absolute lifetime in hours: 12.
    pub absolute_hours: u32,
}

/// The whole policy, stored as one settings row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Password rules.
    pub password: PasswordPolicy,
    /// Lockout rules.
    pub lockout: LockoutPolicy,
    /// Session rules.
    pub session: SessionPolicy,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            password: PasswordPolicy { min_length: 12, min_classes: 3, max_age_days: 90, history: 5 },
            lockout: LockoutPolicy { max_failures: 5, window_minutes: 15, lock_minutes: 30 },
            session: SessionPolicy { idle_minutes: 30, absolute_hours: 12 },
        }
    }
}

/// A one-time secret (an administrator-issued initial password, the bootstrap secret) is void after this
/// many hours unused (ASVS 4.0.3 2.3.1: initial secrets expire after a short time, 72 h).
pub const ONE_TIME_SECRET_HOURS: i64 = 72;

/// Longest password accepted (ASVS 2.1.2: at least 64 allowed, more than 128 may be refused).
pub const MAX_PASSWORD_CHARS: usize = 128;

fn in_range(field: &str, label: &str, v: u32, lo: u32, hi: u32) -> Result<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(DomainError::invalid(field, format!("{label}应在{lo}至{hi}之间")))
    }
}

impl SecurityPolicy {
    /// Checks that a policy an administrator submits stays within what the evaluators accept.
    pub fn validate(&self) -> Result<()> {
        let p = &self.password;
        in_range("password.min_length", "密码最小长度", p.min_length, 8, 64)?;
        in_range("password.min_classes", "密码字符类别数", p.min_classes, 1, 4)?;
        if p.max_age_days != 0 {
            in_range("password.max_age_days", "密码有效期（天）", p.max_age_days, 30, 180)?;
        }
        in_range("password.history", "不得重复使用的历史密码数", p.history, 0, 24)?;
        let l = &self.lockout;
        in_range("lockout.max_failures", "锁定前允许失败次数", l.max_failures, 3, 10)?;
        in_range("lockout.window_minutes", "失败计数时间窗（分钟）", l.window_minutes, 1, 60)?;
        in_range("lockout.lock_minutes", "锁定时长（分钟）", l.lock_minutes, 5, 1440)?;
        let s = &self.session;
        in_range("session.idle_minutes", "会话空闲超时（分钟）", s.idle_minutes, 5, 120)?;
        in_range("session.absolute_hours", "会话最长时长（小时）", s.absolute_hours, 1, 24)?;
        Ok(())
    }

    /// Checks a new password against the rules. `username` and `display_name` may not appear in it.
    pub fn check_password(&self, password: &str, username: &str) -> Result<()> {
        let field = "new_password";
        let n = password.chars().count();
        let min = self.password.min_length as usize;
        if n < min {
            return Err(DomainError::invalid(field, format!("密码长度至少{min}个字符")));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(DomainError::invalid(field, format!("密码长度不能超过{MAX_PASSWORD_CHARS}个字符")));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .into_iter()
        .filter(|x| *x)
        .count() as u32;
        if classes < self.password.min_classes {
            return Err(DomainError::invalid(
                field,
                format!("密码须包含小写字母、大写字母、数字、符号中的至少{}类", self.password.min_classes),
            ));
        }
        let lower = password.to_lowercase();
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err(DomainError::invalid(field, "密码不能包含用户名"));
        }
        if is_common(&lower) {
            return Err(DomainError::invalid(field, "密码过于常见，请换一个"));
        }
        Ok(())
    }
}

/// Passwords that pass the composition rules yet are among the first an attacker tries. The list is short
/// and local: a full 10,000-entry list is left to a data file a deployment can supply.
fn is_common(lower: &str) -> bool {
    const COMMON: [&str; 16] = [
        "password", "p@ssw0rd", "passw0rd", "qwerty", "admin", "abc123", "123456", "woaini", "iloveyou", "welcome",
        "letmein", "1qaz2wsx", "1q2w3e4r", "qazwsx", "zaq12wsx", "huawei",
    ];
    let stripped: String = lower.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '@').collect();
    COMMON.iter().any(|c| stripped.starts_with(c) && stripped.len() <= c.len() + 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_dengbao_values() {
        let p = SecurityPolicy::default();
        assert_eq!((p.password.min_length, p.password.min_classes, p.password.max_age_days), (12, 3, 90));
        assert_eq!((p.lockout.max_failures, p.lockout.window_minutes, p.lockout.lock_minutes), (5, 15, 30));
        assert_eq!((p.session.idle_minutes, p.session.absolute_hours), (30, 12));
        p.validate().unwrap();
    }

    #[test]
    fn password_rules() {
        let p = SecurityPolicy::default();
        assert!(p.check_password("Short1!", "x").is_err());
        assert!(p.check_password("alllowercaseletters", "x").is_err(), "one class");
        assert!(p.check_password("lowerUPPERonly", "x").is_err(), "two classes");
        assert!(p.check_password("Fire-Station-2026", "x").is_ok());
        assert!(p.check_password("zhangsan-Fire-2026", "zhangsan").is_err(), "contains user name");
        assert!(p.check_password("Password123!", "x").is_err(), "common");
        assert!(p.check_password(&format!("Aa1!{}", "x".repeat(60)), "u").is_ok(), "64 chars accepted");
        assert!(p.check_password(&format!("Aa1!{}", "x".repeat(125)), "u").is_err(), "over 128 refused");
    }

    #[test]
    fn policy_ranges() {
        let mut p = SecurityPolicy::default();
        p.password.min_length = 4;
        assert!(p.validate().is_err());
        let mut p = SecurityPolicy::default();
        p.password.max_age_days = 0; // rotation switched off (ASVS)
        p.validate().unwrap();
        p.lockout.max_failures = 50;
        let e = p.validate().unwrap_err();
        assert!(e.to_string().contains("锁定前允许失败次数"));
    }
}
