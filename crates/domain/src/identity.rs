//! Identity numbers of units and people, parsed with their check digits: 统一社会信用代码 (GB 32100-2015),
//! 公民身份号码 (GB 11643-1999) and mobile numbers. Each also knows how to show itself masked (security
//! checklist §4: ID numbers as first 6 + last 4, phones as 138****5678).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{DomainError, Result};

/// The 31 characters a credit code may use (GB 32100-2015 Table 1: digits and capitals without I, O, S, V, Z).
const CREDIT_CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^(i−1) mod 31 (GB 32100-2015 §5).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A 统一社会信用代码: 18 characters, the last a check character over the first 17.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code (spaces dropped, letters upper-cased) and checks its check character.
    pub fn parse(s: &str) -> Result<CreditCode> {
        let field = "credit_code";
        let code: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if code.chars().count() != 18 {
            return Err(DomainError::invalid(field, "统一社会信用代码应为18位"));
        }
        let values: Vec<u32> =
            code.chars().map(|c| CREDIT_CODE_CHARS.find(c).map(|i| i as u32)).collect::<Option<_>>().ok_or_else(
                || DomainError::invalid(field, "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）"),
            )?;
        if !code[2..8].chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::invalid(field, "统一社会信用代码第3至8位应为行政区划码（数字）"));
        }
        let sum: u32 = values[..17].iter().zip(CREDIT_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(DomainError::invalid(field, "统一社会信用代码校验位不正确，请核对"));
        }
        Ok(CreditCode(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 17 characters with their check character (demo data, benchmarks, test fixtures).
    pub fn complete(first17: &str) -> Result<CreditCode> {
        let values: Vec<u32> = first17
            .chars()
            .map(|c| CREDIT_CODE_CHARS.find(c).map(|i| i as u32))
            .collect::<Option<_>>()
            .filter(|v: &Vec<u32>| v.len() == 17)
            .ok_or_else(|| DomainError::invalid("credit_code", "统一社会信用代码前17位格式不正确"))?;
        let sum: u32 = values.iter().zip(CREDIT_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        CreditCode::parse(&format!("{first17}{}", CREDIT_CODE_CHARS.as_bytes()[check as usize] as char))
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Weights of the 17 digits of a citizen ID number (GB 11643-1999 §7.2).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by the weighted sum mod 11.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A 公民身份号码: 18 characters, a valid birth date, and the ISO 7064 MOD 11-2 check character.
/// Personal data: stored encrypted, shown masked, never logged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNo(String);

impl IdCardNo {
    /// Parses a number (a lower-case x accepted).
    pub fn parse(s: &str) -> Result<IdCardNo> {
        let field = "id_card_no";
        let no = s.trim().to_uppercase();
        let chars: Vec<char> = no.chars().collect();
        if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
            return Err(DomainError::invalid(field, "公民身份号码应为18位，前17位为数字"));
        }
        NaiveDate::parse_from_str(&no[6..14], "%Y%m%d")
            .map_err(|_| DomainError::invalid(field, "公民身份号码中的出生日期无效"))?;
        let sum: u32 = chars[..17].iter().zip(ID_WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
        if chars[17] != ID_CHECK[(sum % 11) as usize] {
            return Err(DomainError::invalid(field, "公民身份号码校验位不正确，请核对"));
        }
        Ok(IdCardNo(no))
    }

    /// The full number: only for encryption and an audited, permitted unmasking.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `110101********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Debug for IdCardNo {
    // Never print the number, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdCardNo({})", self.masked())
    }
}

/// A mainland mobile number, `1[3-9]` and nine more digits. Personal data: stored encrypted, shown masked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses a number (spaces and dashes dropped, a +86 prefix accepted).
    pub fn parse(s: &str) -> Result<Phone> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits).to_string();
        let ok = digits.len() == 11
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if ok {
            Ok(Phone(digits))
        } else {
            Err(DomainError::invalid("phone", "手机号码应为11位，以13至19开头"))
        }
    }

    /// The full number: only for encryption and an audited, permitted unmasking.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Completes 17 characters with their check character.
    fn with_check(first17: &str) -> String {
        let sum: u32 =
            first17.chars().zip(CREDIT_CODE_WEIGHTS).map(|(c, w)| CREDIT_CODE_CHARS.find(c).unwrap() as u32 * w).sum();
        let check = (31 - sum % 31) % 31;
        format!("{first17}{}", CREDIT_CODE_CHARS.as_bytes()[check as usize] as char)
    }

    #[test]
    fn credit_codes_from_the_standard_and_the_register() {
        // The sample code printed in the standard's explanatory material.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(), "91350100M000100Y43");
        let e = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert!(e.to_string().contains("校验位"));
        assert!(CreditCode::parse("91350100M00010OY43").is_err(), "letter O is not allowed");
        assert!(CreditCode::parse("9135010").is_err());
    }

    #[test]
    fn id_numbers_from_the_standard() {
        // GB 11643-1999's own example.
        let id = IdCardNo::parse("11010519491231002x").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(!format!("{id:?}").contains("19491231"), "debug output is masked");
        assert!(IdCardNo::parse("110105194912310021").is_err(), "wrong check character");
        assert!(IdCardNo::parse("110105194902300027").is_err(), "30 February");
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("+86 138-1234-5678").unwrap().masked(), "138****5678");
        assert!(Phone::parse("12812345678").is_err());
        assert!(Phone::parse("1381234567").is_err());
    }

    proptest! {
        #[test]
        fn any_code_with_its_check_character_parses_and_any_other_last_character_does_not(
            body in "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}",
            other in 0usize..31,
        ) {
            let code = with_check(&body);
            prop_assert!(CreditCode::parse(&code).is_ok());
            let wrong = format!("{body}{}", CREDIT_CODE_CHARS.as_bytes()[other] as char);
            prop_assert_eq!(CreditCode::parse(&wrong).is_ok(), wrong == code);
        }
    }
}
