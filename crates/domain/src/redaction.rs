//! What must not reach the public portal (rules §5; 《消防执法公示公开办法》 Art 8 ¶2; 行政处罚法 Art 48):
//! identity-card numbers, telephone numbers, bank-card numbers, and the given names of natural persons.
//! Everything published (hazard notices, penalty decisions) passes [`redact`] for the reviewer's preview
//! and [`scan`] as the last gate before release.
//!
//! The scanner reads digits the way a person would: full-width digits (`１３８…`) count, and spaces,
//! hyphens and dots inside a number do not break it (`138 1234 5678`, `0591-8765 4321`), so a number typed
//! in any of these forms is still found. It errs towards masking: any run of 15 or more digits goes.

use crate::error::{DomainError, Result};

/// A character as a digit: ASCII and full-width (`０`–`９`) digits.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// The check character of an 18-digit ID number may be X (GB 11643-1999).
fn check_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// Characters that may sit inside a written number without ending it.
fn joiner(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{a0}' | '-' | '－' | '‐' | '–' | '—' | '.' | '．' | '·')
}

/// A number found in a text, by what it looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// 11 digits starting with 1.
    Mobile,
    /// 10 to 12 digits starting with 0 (area code and number).
    Landline,
    /// 15 digits, or 17 digits and a check character.
    IdNumber,
    /// 16 to 19 digits.
    BankCard,
    /// Any other run of 15 or more digits.
    LongNumber,
}

impl Found {
    /// The name shown to the reviewer.
    pub fn label(self) -> &'static str {
        match self {
            Found::Mobile => "手机号码",
            Found::Landline => "固定电话",
            Found::IdNumber => "身份证件号码",
            Found::BankCard => "银行卡号",
            Found::LongNumber => "长数字串",
        }
    }
}

/// A masked number: what it was taken for, and the text as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Its kind.
    pub kind: Found,
    /// The text as written.
    pub text: String,
}

/// Classifies a run of ASCII `digits`, followed by a check X when `ends_with_x`.
fn classify(digits: &str, ends_with_x: bool) -> Option<Found> {
    let n = digits.len();
    let first = digits.chars().next()?;
    if ends_with_x {
        return Some(if n == 17 { Found::IdNumber } else { Found::LongNumber }).filter(|_| n >= 14);
    }
    match n {
        11 if first == '1' => Some(Found::Mobile),
        10..=12 if first == '0' => Some(Found::Landline),
        15 | 18 => Some(Found::IdNumber),
        16 | 17 | 19 => Some(Found::BankCard),
        n if n >= 15 => Some(Found::LongNumber),
        _ => None,
    }
}

/// Masks every number that must not be published, except the texts in `keep` (a unit's credit code or a
/// document number may be all digits and must stay). Returns the masked text and what was masked.
pub fn redact(text: &str, keep: &[&str]) -> (String, Vec<Hit>) {
    let chars: Vec<char> = text.chars().collect();
    let kept: Vec<String> = keep.iter().map(|k| ascii_digits(k)).filter(|k| !k.is_empty()).collect();
    let mut out = String::with_capacity(text.len());
    let mut hits = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with joiners allowed only between digits, and a check X at its end.
        let mut j = i;
        let mut digits = String::new();
        let mut ends_with_x = false;
        while j < chars.len() {
            if let Some(d) = digit(chars[j]) {
                digits.push(d);
                j += 1;
            } else if joiner(chars[j]) && chars.get(j + 1).and_then(|c| digit(*c)).is_some() {
                j += 1;
            } else {
                if check_x(chars[j]) && digits.len() == 17 {
                    digits.push('X');
                    ends_with_x = true;
                    j += 1;
                }
                break;
            }
        }
        let run: String = chars[i..j].iter().collect();
        let plain = digits.trim_end_matches('X');
        match classify(plain, ends_with_x).filter(|_| !kept.iter().any(|k| k == &digits)) {
            Some(kind) => {
                out.extend(std::iter::repeat_n('*', j - i));
                hits.push(Hit { kind, text: run });
            }
            None => out.push_str(&run),
        }
        i = j;
    }
    (out, hits)
}

/// The digits of a text, full-width ones as ASCII, a check X kept.
fn ascii_digits(text: &str) -> String {
    text.chars().filter_map(|c| digit(c).or(check_x(c).then_some('X'))).collect()
}

/// The last gate before anything is published: refuses a text that still holds a number [`redact`]
/// would mask.
pub fn scan(field: &'static str, text: &str, keep: &[&str]) -> Result<()> {
    let (_, hits) = redact(text, keep);
    if hits.is_empty() {
        return Ok(());
    }
    let what: Vec<String> = hits.iter().map(|h| format!("{}“{}”", h.kind.label(), h.text)).collect();
    Err(DomainError::invalid(field, format!("公开内容含有不得公开的个人信息：{}，请删除或遮蔽", what.join("、"))))
}

/// Compound surnames, so that 欧阳修 becomes 欧阳某 and not 欧某.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "端木", "西门", "南宫", "独孤", "呼延", "申屠", "澹台", "太史", "闻人",
];

/// A natural person's name as published: the surname and 某 (张三 → 张某; 欧阳修 → 欧阳某).
pub fn pseudonym(name: &str) -> String {
    let name = name.trim();
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(**s) && name.chars().count() > 2)
        .map(|s| s.to_string())
        .unwrap_or_else(|| name.chars().take(1).collect());
    format!("{surname}某")
}

/// Numbers written the way people write them, for the property tests of everything published.
#[cfg(test)]
pub(crate) mod samples {
    /// A valid 18-digit ID number from 17 digits (GB 11643-1999 check character).
    pub(crate) fn id_number(body: &[u8; 17]) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body.iter().zip(W).map(|(d, w)| u32::from(*d) * w).sum();
        let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
        body.iter().map(|d| char::from(b'0' + d)).chain(std::iter::once(check)).collect()
    }

    /// An ID number (`which` 0), a mobile number (1) or a bank-card number of `card_len` digits (2) made
    /// from the digits of `body`.
    pub(crate) fn planted(which: u8, body: &[u8; 17], card_len: usize) -> String {
        match which {
            0 => id_number(body),
            1 => format!("1{}", body[..10].iter().map(|d| char::from(b'0' + d)).collect::<String>()),
            _ => {
                let digits: String = body.iter().cycle().take(card_len - 1).map(|d| char::from(b'0' + d)).collect();
                format!("6{digits}")
            }
        }
    }

    /// Writes `number` as a person might: some digits full-width, spaces or hyphens between some.
    pub(crate) fn written(number: &str, full_width: &[bool], gaps: &[u8]) -> String {
        let mut out = String::new();
        for (k, c) in number.chars().enumerate() {
            if k > 0 {
                match gaps[k % gaps.len()] {
                    1 => out.push(' '),
                    2 => out.push('-'),
                    3 => out.push('\u{3000}'),
                    _ => {}
                }
            }
            let c = match c.to_digit(10) {
                Some(d) if full_width[k % full_width.len()] => char::from_u32(u32::from('０') + d).unwrap(),
                _ => c,
            };
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{planted, written};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_masked_in_any_form_but_dates_amounts_and_counts_stay() {
        let text = "负责人张某（13812345678，身份证35010219800101123X）于2026年11月20日检查发现3处隐患，\
                    罚款50000元，电话0591-87654321，备用１３９ ００００ １１１１，卡号6222 0212 3456 7890 123";
        let (t, hits) = redact(text, &[]);
        let kinds: Vec<Found> = hits.iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            vec![Found::Mobile, Found::IdNumber, Found::Landline, Found::Mobile, Found::BankCard],
            "{hits:?}"
        );
        assert!(t.contains("2026年11月20日") && t.contains("3处") && t.contains("50000元"), "{t}");
        assert!(!t.contains("1380") && !t.contains("8765") && !t.contains("１３９") && !t.contains("6222"), "{t}");
        assert!(scan("text", "某商场三楼疏散通道被货物堵塞，安全出口上锁。", &[]).is_ok());
        let e = scan("text", "联系电话13812345678", &[]).unwrap_err().to_string();
        assert!(e.contains("手机号码") && e.contains("13812345678"), "{e}");
    }

    #[test]
    fn a_credit_code_or_number_named_to_keep_stays() {
        let text = "统一社会信用代码913301001234567890，决定书文号东湖消罚决字〔2026〕第0012号";
        assert_eq!(redact(text, &["913301001234567890"]).1, vec![]);
        assert_eq!(redact(text, &[]).1.len(), 1, "an all-digit code looks like an ID number unless kept");
    }

    #[test]
    fn names_become_surname_and_mou() {
        assert_eq!(pseudonym("张三"), "张某");
        assert_eq!(pseudonym("王小明"), "王某");
        assert_eq!(pseudonym("欧阳修"), "欧阳某");
        assert_eq!(pseudonym("欧阳"), "欧某", "two characters: 欧 is the surname");
    }

    fn filler() -> impl Strategy<Value = String> {
        // Text around the number, with no digits of its own: what matters is the planted one.
        proptest::string::string_regex("[一-龥，。、（）：a-zA-Z ]{0,30}").unwrap()
    }

    proptest! {
        /// No planted ID number, mobile number or bank-card number survives, however it is written.
        #[test]
        fn planted_numbers_never_survive(
            before in filler(),
            after in filler(),
            which in 0u8..3,
            body in proptest::array::uniform17(0u8..10),
            card_len in 16usize..=19,
            full_width in proptest::collection::vec(any::<bool>(), 1..6),
            gaps in proptest::collection::vec(0u8..5, 1..7),
        ) {
            let number = planted(which, &body, card_len);
            let text = format!("{before}{}{after}", written(&number, &full_width, &gaps));
            let (masked, hits) = redact(&text, &[]);
            prop_assert!(!hits.is_empty(), "{text}");
            prop_assert!(scan("text", &text, &[]).is_err());
            let left = ascii_digits(&masked);
            prop_assert!(!left.contains(&number[..number.len() - 1]), "{text} -> {masked}");
        }
    }
}
