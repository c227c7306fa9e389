//! The violations of the Fire Law (消防法, 2021 amendment, Arts 58–69) as data: article, who is punished,
//! the statutory range, the measures that go with the fine, and who decides. Shipped in
//! `data/penalty/violations.csv` (rules §1, F1–F16). The texts are summaries; the wording must be checked
//! against the official text before use.

use serde::{Deserialize, Serialize};

use super::Yuan;
use crate::error::{DomainError, Result};

/// The shipped catalogue.
pub const SHIPPED_CSV: &str = include_str!("../../../../data/penalty/violations.csv");

/// Who is punished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A unit (单位).
    Unit,
    /// A natural person, including the persons responsible in a unit.
    Person,
    /// A fire-technical-service body (消防技术服务机构).
    Body,
}

impl Subject {
    fn parse(s: &str) -> Option<Subject> {
        match s {
            "unit" => Some(Subject::Unit),
            "person" => Some(Subject::Person),
            "body" => Some(Subject::Body),
            _ => None,
        }
    }

    /// As named in documents.
    pub fn label(self) -> &'static str {
        match self {
            Subject::Unit => "单位",
            Subject::Person => "个人",
            Subject::Body => "消防技术服务机构",
        }
    }
}

/// Who has the power to decide (消防法 Art 70 ¶1, rules F17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// The fire-rescue agency.
    Fire,
    /// 住房和城乡建设主管部门: the case is transferred.
    Housing,
    /// 公安机关 (detention under 治安管理处罚法; the fire agency never decides detention): transferred.
    Police,
}

impl Decider {
    /// Who it is, as a sentence names them.
    pub fn label(self) -> &'static str {
        match self {
            Decider::Fire => "消防救援机构",
            Decider::Housing => "住房和城乡建设主管部门",
            Decider::Police => "公安机关",
        }
    }

    fn parse(s: &str) -> Option<Decider> {
        match s {
            "fire" => Some(Decider::Fire),
            "housing" => Some(Decider::Housing),
            "police" => Some(Decider::Police),
            _ => None,
        }
    }
}

/// One punishable act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Code (e.g. `F60-1-3`).
    pub code: String,
    /// The article that punishes it (消防法第六十条第一款第三项).
    pub article: String,
    /// What the act is.
    pub text: String,
    /// Who is punished.
    pub subject: Subject,
    /// Statutory minimum fine.
    pub min: Yuan,
    /// Statutory maximum fine (0 when the article sets no fine).
    pub max: Yuan,
    /// Whether a warning (警告) may be given instead of a fine.
    pub warning: bool,
    /// Measures that go with it (责令改正, 责令停产停业, a transfer for detention …).
    pub measures: String,
    /// Who decides.
    pub decider: Decider,
}

impl Violation {
    /// Whether `fine` lies in the statutory range (行政处罚法 Art 4: only within the law's range).
    pub fn allows(&self, fine: Yuan) -> bool {
        self.min <= fine && fine <= self.max
    }

    /// Refuses a fine outside the statutory range, naming it.
    pub fn check_fine(&self, fine: Yuan) -> Result<()> {
        if self.max == Yuan(0) {
            return Err(DomainError::Rule(format!("{}没有规定罚款", self.article)));
        }
        if !self.allows(fine) {
            return Err(DomainError::Rule(format!(
                "罚款{fine}超出{}规定的幅度（{}至{}）",
                self.article, self.min, self.max
            )));
        }
        Ok(())
    }
}

/// The catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    /// Violations in file order.
    pub violations: Vec<Violation>,
}

impl Catalogue {
    /// Parses the CSV (`code,article,text,subject,min,max,warning,measures,decider`, one header line).
    /// Errors name the line.
    pub fn parse(text: &str) -> Result<Catalogue> {
        let mut violations: Vec<Violation> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("code,") {
                continue;
            }
            let bad = |m: &str| DomainError::invalid("violations", format!("违法行为目录第{}行：{m}", n + 1));
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let [code, article, text, subject, min, max, warning, measures, decider] = f[..] else {
                return Err(bad("应有九列"));
            };
            if code.is_empty() || violations.iter().any(|v| v.code == code) {
                return Err(bad("编号为空或重复"));
            }
            let subject = Subject::parse(subject).ok_or_else(|| bad("处罚对象应为 unit、person 或 body"))?;
            let min = Yuan::parse("violations", min).map_err(|_| bad("最低罚款应为整数元"))?;
            let max = Yuan::parse("violations", max).map_err(|_| bad("最高罚款应为整数元"))?;
            if min > max {
                return Err(bad("最低罚款高于最高罚款"));
            }
            let warning = match warning {
                "true" => true,
                "false" => false,
                _ => return Err(bad("可否警告应为 true 或 false")),
            };
            let decider = Decider::parse(decider).ok_or_else(|| bad("决定机关应为 fire、housing 或 police"))?;
            if article.is_empty() || text.is_empty() {
                return Err(bad("条款和违法行为不能为空"));
            }
            violations.push(Violation {
                code: code.into(),
                article: article.into(),
                text: text.into(),
                subject,
                min,
                max,
                warning,
                measures: measures.into(),
                decider,
            });
        }
        if violations.is_empty() {
            return Err(DomainError::invalid("violations", "违法行为目录不能为空"));
        }
        Ok(Catalogue { violations })
    }

    /// The shipped catalogue, parsed once per process.
    pub fn shipped() -> std::sync::Arc<Catalogue> {
        static SHIPPED: std::sync::LazyLock<std::sync::Arc<Catalogue>> = std::sync::LazyLock::new(|| {
            // Tested below; failing here is a build defect.
            std::sync::Arc::new(Catalogue::parse(SHIPPED_CSV).expect("data/penalty/violations.csv parses"))
        });
        SHIPPED.clone()
    }

    /// A violation by code.
    pub fn get(&self, code: &str) -> Option<&Violation> {
        self.violations.iter().find(|v| v.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fire_law_ranges_are_those_of_the_articles() {
        let c = Catalogue::shipped();
        // 消防法第六十条第一款: 五千元以上五万元以下.
        let blocked = c.get("F60-1-3").unwrap();
        assert_eq!((blocked.min, blocked.max, blocked.subject), (Yuan(5000), Yuan(50000), Subject::Unit));
        // 第六十条第二款: 个人 警告或者五百元以下.
        let person = c.get("F60-2").unwrap();
        assert!(person.warning && person.max == Yuan(500) && person.subject == Subject::Person);
        // 第五十八条: 三万元以上三十万元以下; items 1–3 are 住建's, item 4 the fire agency's.
        assert_eq!(c.get("F58-1-4").unwrap().max, Yuan(300000));
        assert_eq!(c.get("F58-1-1").unwrap().decider, Decider::Housing);
        assert_eq!(c.get("F58-1-4").unwrap().decider, Decider::Fire);
        // 第六十八条: only detention, which the police decide.
        assert_eq!(c.get("F68").unwrap().decider, Decider::Police);
    }

    #[test]
    fn a_fine_outside_the_statutory_range_is_refused() {
        let c = Catalogue::shipped();
        let v = c.get("F60-1-3").unwrap();
        assert!(v.check_fine(Yuan(5000)).is_ok() && v.check_fine(Yuan(50000)).is_ok());
        let e = v.check_fine(Yuan(4999)).unwrap_err().to_string();
        assert!(e.contains("超出") && e.contains("5,000元") && e.contains("50,000元"), "{e}");
        assert!(v.check_fine(Yuan(50001)).is_err());
        assert!(c.get("F67").unwrap().check_fine(Yuan(100)).unwrap_err().to_string().contains("没有规定罚款"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Catalogue::parse("code,article\nX1,第一条,行为,unit,100,50,false,,fire").unwrap_err().to_string();
        assert!(e.contains("第2行") && e.contains("最低罚款高于最高罚款"), "{e}");
        let e = Catalogue::parse("X1,第一条,行为,company,1,5,false,,fire").unwrap_err().to_string();
        assert!(e.contains("处罚对象"), "{e}");
    }
}
