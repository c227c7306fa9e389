//! Every time limit of the inspection procedures, defined once with its source, and computed by the one
//! working-day calendar. A computed due date is stored with its rule (code, name, article) beside it, so
//! a worklist, an alert and a document all say the same thing about where a date comes from.
//!
//! Sources: 《消防监督检查规定》(公安部令第107号, 第120号修订; applied by the 消防救援机构 since 2019) and
//! 《中华人民共和国行政强制法》. Periods written 工作日 are working days; "24小时" runs through rest days.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::{CalendarWarning, RestDayRule, WorkCalendar};
use crate::error::{DomainError, Result};
use crate::time::Timestamp;

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Span {
    /// Working days (工作日), the start day not counted.
    WorkingDays(u32),
    /// Calendar days (日), the start day not counted; a last day on a rest day moves to the next working day.
    CalendarDays(u32),
    /// Hours from the start instant, through rest days.
    Hours(u32),
}

impl Span {
    /// Chinese description, e.g. "3个工作日".
    pub fn describe(self) -> String {
        match self {
            Span::WorkingDays(n) => format!("{n}个工作日"),
            Span::CalendarDays(n) => format!("{n}日"),
            Span::Hours(n) => format!("{n}小时"),
        }
    }
}

/// A time limit and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable code, stored with every due date.
    pub code: &'static str,
    /// What must be done by the due date.
    pub name: &'static str,
    /// Its legal source.
    pub article: &'static str,
    /// The period.
    pub span: Span,
}

/// Complaints about blocked or locked exits, other obstruction of evacuation, or fire facilities switched
/// off without approval: verify within 24 hours of receipt.
pub const COMPLAINT_URGENT: Rule = Rule {
    code: "complaint_urgent",
    name: "举报投诉核查（堵塞疏散通道、擅自停用消防设施）",
    article: "《消防监督检查规定》第十四条",
    span: Span::Hours(24),
};

/// Other complaints: verify within 3 working days of receipt.
pub const COMPLAINT: Rule = Rule {
    code: "complaint",
    name: "举报投诉核查",
    article: "《消防监督检查规定》第十四条",
    span: Span::WorkingDays(3),
};

/// Pre-opening inspection of a 公众聚集场所 without 告知承诺: inspect within 10 working days of acceptance.
pub const PRE_OPENING_INSPECT: Rule = Rule {
    code: "pre_opening_inspect",
    name: "投入使用、营业前消防安全检查",
    article: "《中华人民共和国消防法》第十五条、《消防监督检查规定》第九条",
    span: Span::WorkingDays(10),
};

/// Pre-opening inspection: decide within 3 working days of the inspection.
pub const PRE_OPENING_DECIDE: Rule = Rule {
    code: "pre_opening_decide",
    name: "作出是否同意投入使用、营业的决定",
    article: "《消防监督检查规定》第九条",
    span: Span::WorkingDays(3),
};

/// The 责令（限期）改正通知书 is served within 3 working days of the inspection.
pub const ORDER_SERVICE: Rule = Rule {
    code: "order_service",
    name: "制作、送达责令（限期）改正通知书",
    article: "《消防监督检查规定》第十七条、第十八条",
    span: Span::WorkingDays(3),
};

/// 复查 within 3 working days after the deadline expires or after the party applies.
pub const REINSPECTION: Rule =
    Rule {
        code: "reinspection", name: "复查", article: "《消防监督检查规定》第十九条", span: Span::WorkingDays(3)
    };

/// 临时查封: the collective decision and the 决定书 within 3 working days of the inspection.
pub const SEAL_DECISION: Rule = Rule {
    code: "seal_decision",
    name: "集体研究并送达临时查封决定书",
    article: "《消防监督检查规定》第二十三条第一款",
    span: Span::WorkingDays(3),
};

/// Emergency 临时查封 on the spot: collective decision and 决定书 within 24 hours.
pub const SEAL_EMERGENCY: Rule = Rule {
    code: "seal_emergency",
    name: "当场查封后集体研究并制作临时查封决定书",
    article: "《消防监督检查规定》第二十三条第二款",
    span: Span::Hours(24),
};

/// Lifting: inspect within 3 working days of the party's application.
pub const SEAL_LIFT_INSPECT: Rule = Rule {
    code: "seal_lift_inspect",
    name: "对解除临时查封申请进行检查",
    article: "《消防监督检查规定》第二十五条",
    span: Span::WorkingDays(3),
};

/// Lifting: decide within 3 working days of that inspection.
pub const SEAL_LIFT_DECIDE: Rule = Rule {
    code: "seal_lift_decide",
    name: "作出是否解除临时查封的决定",
    article: "《消防监督检查规定》第二十五条",
    span: Span::WorkingDays(3),
};

/// 重大火灾隐患: handling proposal within 7 working days of the inspection, reported to the government.
pub const MAJOR_REPORT: Rule = Rule {
    code: "major_report",
    name: "重大火灾隐患集体讨论并提出处理意见、报告本级人民政府",
    article: "《消防监督检查规定》第二十条、《中华人民共和国消防法》第五十五条",
    span: Span::WorkingDays(7),
};

/// Expert review of a complex case adds up to 10 working days.
pub const MAJOR_EXPERT: Rule = Rule {
    code: "major_expert",
    name: "重大火灾隐患专家论证（延长）",
    article: "《消防监督检查规定》第二十条",
    span: Span::WorkingDays(10),
};

/// The report period of a 重大火灾隐患, extended by the expert review when there is one (7 + 10 working
/// days, 《消防监督检查规定》第二十条).
pub fn major_report(expert_review: bool) -> Rule {
    match (MAJOR_REPORT.span, MAJOR_EXPERT.span) {
        (Span::WorkingDays(a), Span::WorkingDays(b)) if expert_review => {
            MAJOR_REPORT.with_span(Span::WorkingDays(a + b))
        }
        _ => MAJOR_REPORT,
    }
}

/// 重大火灾隐患整改通知书 within 3 working days of the determination.
pub const MAJOR_NOTICE: Rule = Rule {
    code: "major_notice",
    name: "制作、送达重大火灾隐患整改通知书",
    article: "《消防监督检查规定》第二十一条",
    span: Span::WorkingDays(3),
};

/// 三停 not complied with: enforcement decision within 3 working days after 催告 and the party's statement.
pub const ENFORCEMENT_DECISION: Rule = Rule {
    code: "enforcement_decision",
    name: "作出强制执行决定",
    article: "《消防监督检查规定》第二十六条、《中华人民共和国行政强制法》第三十七条",
    span: Span::WorkingDays(3),
};

/// The rectification deadline the officer set, tracked so that the 复查 can follow it.
pub const RECTIFY_BY: Rule = Rule {
    code: "rectify_by",
    name: "单位限期整改",
    article: "《消防监督检查规定》第十八条",
    span: Span::CalendarDays(0),
};

/// Longest 临时查封 term, and longest extension: 30 days each (行政强制法第二十五条; 《消防监督检查规定》
/// 第二十二条 says one month).
pub const SEAL_TERM_DAYS: u32 = 30;

/// End of a 临时查封 term (the term itself is a setting, see [`crate::inspection::sealing::SealTermRule`]).
pub const SEAL_TERM_END: Rule = Rule {
    code: "seal_term_end",
    name: "临时查封期限届满",
    article: "《中华人民共和国行政强制法》第二十五条",
    span: Span::CalendarDays(SEAL_TERM_DAYS),
};

/// Days from 立案 to the decision (《中华人民共和国行政处罚法》第六十条).
pub const CASE_DECISION_DAYS: u32 = 90;

/// 行政处罚案件 (普通程序): the decision within 90 days of 立案 (《中华人民共和国行政处罚法》第六十条);
/// extensions are added to the span case by case (see [`crate::penalty::case::decide_by`]).
pub const CASE_DECISION: Rule = Rule {
    code: "case_decision",
    name: "作出行政处罚决定",
    article: "《中华人民共和国行政处罚法》第六十条",
    span: Span::CalendarDays(CASE_DECISION_DAYS),
};

/// 陈述、申辩: the period the 告知书 gives when no hearing applies [M: 3日 as local 告知书 forms print it;
/// the law fixes no number, 行政处罚法第四十四条、第四十五条 only require hearing the party first].
pub const STATEMENT: Rule = Rule {
    code: "statement",
    name: "当事人陈述、申辩",
    article: "《中华人民共和国行政处罚法》第四十四条、第四十五条",
    span: Span::WorkingDays(3),
};

/// 听证: the party asks for a hearing within 5 working days of the 告知 (行政处罚法第六十四条第一项;
/// 第八十五条: 日 below ten are working days).
pub const HEARING_REQUEST: Rule = Rule {
    code: "hearing_request",
    name: "当事人要求听证",
    article: "《中华人民共和国行政处罚法》第六十四条第一项",
    span: Span::WorkingDays(5),
};

/// The hearing notice is given at least 7 working days before the hearing (行政处罚法第六十四条第二项).
pub const HEARING_NOTICE_LEAD: Rule = Rule {
    code: "hearing_notice",
    name: "听证通知（举行听证七日前）",
    article: "《中华人民共和国行政处罚法》第六十四条第二项",
    span: Span::WorkingDays(7),
};

/// 先行登记保存: the decision on the items within 7 working days (行政处罚法第五十六条).
pub const PRESERVATION_DECIDE: Rule = Rule {
    code: "preservation_decide",
    name: "对先行登记保存的证据作出处理决定",
    article: "《中华人民共和国行政处罚法》第五十六条",
    span: Span::WorkingDays(7),
};

/// The 行政处罚决定书 is served within 7 working days when the party was not present (行政处罚法第六十一条).
pub const DECISION_SERVICE: Rule = Rule {
    code: "decision_service",
    name: "送达行政处罚决定书",
    article: "《中华人民共和国行政处罚法》第六十一条",
    span: Span::WorkingDays(7),
};

/// The fine is paid within 15 days of receiving the decision (行政处罚法第六十七条第三款).
pub const PAYMENT: Rule = Rule {
    code: "payment",
    name: "缴纳罚款",
    article: "《中华人民共和国行政处罚法》第六十七条第三款",
    span: Span::CalendarDays(15),
};

/// Days between the 催告书 and the application to the court (行政强制法第五十四条).
pub const DEMAND_LEAD_DAYS: u32 = 10;

/// The 催告书 is served at least [`DEMAND_LEAD_DAYS`] days before applying to the court (行政强制法第五十四条).
pub const DEMAND_LEAD: Rule = Rule {
    code: "demand_lead",
    name: "催告后申请强制执行（催告书送达十日后）",
    article: "《中华人民共和国行政强制法》第五十四条",
    span: Span::CalendarDays(DEMAND_LEAD_DAYS),
};

/// Months to bring a suit against a decision, from knowing of it (行政诉讼法第四十六条).
pub const LITIGATION_MONTHS: u32 = 6;

/// Months to apply to the court once the periods for 复议 and 诉讼 have run out (行政强制法第五十三条).
pub const ENFORCEMENT_APPLY_MONTHS: u32 = 3;

/// Apply to the court within 3 months after the periods for 复议 and 诉讼 have run out (行政强制法第五十三条);
/// the start date is computed by [`crate::penalty::case::enforcement_window`].
pub const ENFORCEMENT_APPLY: Rule = Rule {
    code: "enforcement_apply",
    name: "申请人民法院强制执行",
    article: "《中华人民共和国行政强制法》第五十三条",
    span: Span::CalendarDays(0),
};

/// A suspected crime: the case is handed to the police within 24 hours of the head's approval
/// (《行政执法机关移送涉嫌犯罪案件的规定》第八条).
pub const TRANSFER_CRIME: Rule = Rule {
    code: "transfer_crime",
    name: "向公安机关移送涉嫌犯罪案件",
    article: "《行政执法机关移送涉嫌犯罪案件的规定》第八条",
    span: Span::Hours(24),
};

/// A closed case is filed in the archive within 30 days of closing [M: the period is the product's default;
/// the 程序规定's chapter on 案件终结 governs closing].
pub const CASE_ARCHIVE: Rule = Rule {
    code: "case_archive",
    name: "案卷立卷归档",
    article: "《消防救援机构办理行政案件程序规定》第八章 案件终结（结案后30日内立卷归档为默认值）",
    span: Span::CalendarDays(30),
};

/// Working days within which a penalty decision is published, by default (国办发〔2018〕118号 and
/// 国办发〔2015〕51号 双公示) [M: a jurisdiction sets its own on the 业务设置 page].
pub const PUBLISH_DECISION_DAYS: u32 = 7;

/// A penalty decision is published within [`PUBLISH_DECISION_DAYS`] working days.
pub const PUBLISH_DECISION: Rule = Rule {
    code: "publish_decision",
    name: "公示行政处罚决定",
    article: "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）第二部分第（四）项（期限可在业务设置中调整）",
    span: Span::WorkingDays(PUBLISH_DECISION_DAYS),
};

/// A published decision that is revoked, changed or annulled is withdrawn within 3 working days
/// (行政处罚法第四十八条第二款).
pub const PUBLISH_WITHDRAW: Rule = Rule {
    code: "publish_withdraw",
    name: "撤回已公示的行政处罚决定",
    article: "《中华人民共和国行政处罚法》第四十八条第二款",
    span: Span::WorkingDays(3),
};

/// 行政复议: the review body decides within 60 days (复议法第六十二条), tracked so that the outcome is recorded.
pub const REVIEW_DECISION: Rule = Rule {
    code: "review_decision",
    name: "行政复议机关作出复议决定",
    article: "《中华人民共和国行政复议法》第六十二条",
    span: Span::CalendarDays(60),
};

/// 委托执法: the signed 行政执法委托协议书 is filed (备案) with the county government and the brigade within 5
/// working days of signing (呼政办规〔2023〕3号 二（四）).
pub const ENTRUST_FILING: Rule = Rule {
    code: "entrust_filing",
    name: "行政执法委托协议书报送备案",
    article: "《中华人民共和国行政处罚法》第二十条；《呼中区城镇消防委托执法工作实施方案》（呼政办规〔2023〕3号）二（四）",
    span: Span::WorkingDays(5),
};

/// 委托执法: a completed town act is archived within 30 days (呼政办规〔2023〕3号 三（四）: 案件办理完毕后30日内
/// 归档备查).
pub const TOWN_ARCHIVE: Rule = Rule {
    code: "town_archive",
    name: "镇（街道）委托执法案卷归档",
    article: "《呼中区城镇消防委托执法工作实施方案》（呼政办规〔2023〕3号）第三部分（四）",
    span: Span::CalendarDays(30),
};

/// 委托执法: a matter a town hands over is taken up by the brigade within 3 working days [M: the plan says
/// 移交区消防救援大队依法处理 without a period; 3 working days matches the 复查 and order periods].
pub const HANDOVER_ACCEPT: Rule = Rule {
    code: "handover_accept",
    name: "接收镇（街道）移交事项",
    article: "《呼中区城镇消防委托执法工作实施方案》（呼政办规〔2023〕3号）第二部分（三）、第三部分（三）（接收期限为默认值）",
    span: Span::WorkingDays(3),
};

/// 委托执法: at least 7 days of training for the town's officers in each year of the agreement (呼政办规〔2023〕
/// 3号 三（二）). Due on the last day of the term; the due date is set, not computed.
pub const TOWN_TRAINING: Rule = Rule {
    code: "town_training",
    name: "组织受委托镇执法人员业务培训（每年不少于7天）",
    article: "《呼中区城镇消防委托执法工作实施方案》（呼政办规〔2023〕3号）第三部分（二）",
    span: Span::CalendarDays(0),
};

/// 委托执法: at least one on-site guidance visit each quarter (呼政办规〔2023〕3号 三（二）). Due on the last day
/// of the quarter (or of the term); the due date is set, not computed.
pub const TOWN_GUIDANCE: Rule = Rule {
    code: "town_guidance",
    name: "深入受委托镇实地指导（每季度不少于1次）",
    article: "《呼中区城镇消防委托执法工作实施方案》（呼政办规〔2023〕3号）第三部分（二）",
    span: Span::CalendarDays(0),
};

/// Every rule, for lookups by code.
pub const ALL: [Rule; 36] = [
    COMPLAINT_URGENT,
    COMPLAINT,
    PRE_OPENING_INSPECT,
    PRE_OPENING_DECIDE,
    ORDER_SERVICE,
    REINSPECTION,
    SEAL_DECISION,
    SEAL_EMERGENCY,
    SEAL_LIFT_INSPECT,
    SEAL_LIFT_DECIDE,
    MAJOR_REPORT,
    MAJOR_EXPERT,
    MAJOR_NOTICE,
    ENFORCEMENT_DECISION,
    RECTIFY_BY,
    SEAL_TERM_END,
    crate::deadline::PUBLISH_RESULTS,
    CASE_DECISION,
    STATEMENT,
    HEARING_REQUEST,
    HEARING_NOTICE_LEAD,
    PRESERVATION_DECIDE,
    DECISION_SERVICE,
    PAYMENT,
    DEMAND_LEAD,
    ENFORCEMENT_APPLY,
    TRANSFER_CRIME,
    CASE_ARCHIVE,
    PUBLISH_DECISION,
    PUBLISH_WITHDRAW,
    REVIEW_DECISION,
    ENTRUST_FILING,
    TOWN_ARCHIVE,
    HANDOVER_ACCEPT,
    TOWN_TRAINING,
    TOWN_GUIDANCE,
];

/// Working days within which random-check results are published, by default [M: 企业信息公示暂行条例
/// 第七条; a jurisdiction sets its own on the 业务设置 page].
pub const PUBLISH_RESULTS_DAYS: u32 = 20;

/// Results of a random check published within 20 working days [M: 企业信息公示暂行条例; configurable].
pub const PUBLISH_RESULTS: Rule = Rule {
    code: "publish_results",
    name: "公示抽查检查结果",
    article: "《企业信息公示暂行条例》第七条（期限可在业务设置中调整）",
    span: Span::WorkingDays(PUBLISH_RESULTS_DAYS),
};

/// A rule by its stored code.
pub fn by_code(code: &str) -> Option<Rule> {
    ALL.iter().copied().find(|r| r.code == code)
}

/// A computed due date with its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The rule.
    pub rule: Rule,
    /// The last day (local date).
    pub due_on: NaiveDate,
    /// The exact instant, for periods in hours.
    pub due_at: Option<Timestamp>,
    /// Years crossed without a published holiday schedule.
    pub warnings: Vec<CalendarWarning>,
}

impl Rule {
    /// The same rule with another period (for periods a jurisdiction may set, such as a seal term).
    pub fn with_span(self, span: Span) -> Rule {
        Rule { span, ..self }
    }

    /// When the period started at `start` ends.
    pub fn due(&self, cal: &WorkCalendar, start: Timestamp) -> Result<Due> {
        self.due_from_date(cal, start.local_date(), Some(start))
    }

    /// When the period started on the day `start` ends (for periods that run from a date, such as a
    /// rectification deadline). A period in hours needs an instant: it runs from the start of that day.
    pub fn due_from_date(&self, cal: &WorkCalendar, start: NaiveDate, at: Option<Timestamp>) -> Result<Due> {
        let rule = *self;
        match self.span {
            Span::WorkingDays(n) => {
                let d = cal.add_working_days(start, n)?;
                Ok(Due { rule, due_on: d.due, due_at: None, warnings: d.warnings })
            }
            Span::CalendarDays(n) => {
                let d = cal.add_calendar_days(start, n, RestDayRule::ExtendToNextWorkingDay)?;
                Ok(Due { rule, due_on: d.due, due_at: None, warnings: d.warnings })
            }
            Span::Hours(h) => {
                let from = at.unwrap_or_else(|| Timestamp::start_of_local_day(start));
                let (due, warnings) = cal.add_hours(from, h)?;
                Ok(Due { rule, due_on: due.local_date(), due_at: Some(due), warnings })
            }
        }
    }
}

/// How close a due date is, for worklists and alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Urgency {
    /// Past its due date (or instant).
    Overdue,
    /// Due today or within [`DUE_SOON_WORKING_DAYS`] working days.
    DueSoon,
    /// Later.
    Later,
}

/// Working days ahead at which a due date is marked 即将到期.
pub const DUE_SOON_WORKING_DAYS: u32 = 1;

impl Urgency {
    /// Where a due date stands at `now`.
    pub fn of(cal: &WorkCalendar, due_on: NaiveDate, due_at: Option<Timestamp>, now: Timestamp) -> Urgency {
        let today = now.local_date();
        let overdue = match due_at {
            Some(at) => now > at,
            None => today > due_on,
        };
        if overdue {
            Urgency::Overdue
        } else if cal.working_days_between(today, due_on) <= DUE_SOON_WORKING_DAYS {
            Urgency::DueSoon
        } else {
            Urgency::Later
        }
    }

    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::Later => "later",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Overdue => "已逾期",
            Urgency::DueSoon => "即将到期",
            Urgency::Later => "未到期",
        }
    }
}

/// Refuses a date the user typed that lies before `earliest` (e.g. a rectification deadline before the
/// inspection).
pub fn require_not_before(field: &str, date: NaiveDate, earliest: NaiveDate, what: &str) -> Result<()> {
    if date < earliest {
        return Err(DomainError::invalid(field, format!("{what}（{date}）不能早于{earliest}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DayKind, parse_exceptions_csv};

    /// The 2026 schedule from 国办发明电〔2025〕 (the shipped table).
    fn cal() -> WorkCalendar {
        let days = parse_exceptions_csv(include_str!("../../../data/calendar-cn-2020-2026.csv")).unwrap();
        WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)), 2020..=2026)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        // Local (UTC+8) wall time.
        Timestamp::from_local(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    #[test]
    fn every_rule_cites_its_source_and_codes_are_unique() {
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        for r in ALL {
            assert!(r.article.contains('《') && r.article.contains("第"), "{} lacks an article", r.code);
            assert_eq!(by_code(r.code), Some(r));
        }
    }

    /// 《消防监督检查规定》第十八条: order served within 3 working days. An inspection on Wednesday
    /// 2026-09-30 meets 国庆 (10/1–10/7 off) and the make-up Saturday 10/10.
    #[test]
    fn order_service_skips_national_day_and_counts_the_makeup_saturday() {
        let due = ORDER_SERVICE.due(&cal(), at("2026-09-30 10:00")).unwrap();
        assert_eq!(due.due_on, d("2026-10-10"));
        assert!(due.warnings.is_empty());
        // An ordinary week: Monday → Thursday.
        assert_eq!(ORDER_SERVICE.due(&cal(), at("2026-11-16 09:00")).unwrap().due_on, d("2026-11-19"));
        // Friday → Wednesday.
        assert_eq!(ORDER_SERVICE.due(&cal(), at("2026-11-20 16:00")).unwrap().due_on, d("2026-11-25"));
    }

    /// 第十九条: 复查 within 3 working days after the deadline expires.
    #[test]
    fn reinspection_runs_from_the_rectification_deadline() {
        let due = REINSPECTION.due_from_date(&cal(), d("2026-02-13"), None).unwrap();
        // 2/14 is a make-up Saturday, 2/15–2/23 春节, so 2/14, 2/24, 2/25.
        assert_eq!(due.due_on, d("2026-02-25"));
    }

    /// 第十四条: urgent complaints within 24 hours, through the weekend.
    #[test]
    fn urgent_complaint_counts_hours_through_rest_days() {
        let due = COMPLAINT_URGENT.due(&cal(), at("2026-10-01 20:30")).unwrap();
        assert_eq!(due.due_on, d("2026-10-02"));
        assert_eq!(due.due_at, Some(at("2026-10-02 20:30")));
        // Other complaints: 3 working days from a Saturday → Wed.
        assert_eq!(COMPLAINT.due(&cal(), at("2026-11-21 11:00")).unwrap().due_on, d("2026-11-25"));
    }

    /// 第二十三条: 3 working days for the seal decision; 24 h after an emergency seal.
    #[test]
    fn seal_decision_deadlines() {
        assert_eq!(SEAL_DECISION.due(&cal(), at("2026-04-30 15:00")).unwrap().due_on, d("2026-05-08"));
        let e = SEAL_EMERGENCY.due(&cal(), at("2026-04-30 15:00")).unwrap();
        assert_eq!(e.due_at, Some(at("2026-05-01 15:00")));
    }

    /// 第二十五条: lifting, 3 + 3 working days.
    #[test]
    fn lifting_a_seal_takes_three_plus_three_working_days() {
        let inspect = SEAL_LIFT_INSPECT.due(&cal(), at("2026-06-17 09:00")).unwrap();
        // 6/19–6/21 端午.
        assert_eq!(inspect.due_on, d("2026-06-23"));
        let decide = SEAL_LIFT_DECIDE.due_from_date(&cal(), inspect.due_on, None).unwrap();
        assert_eq!(decide.due_on, d("2026-06-26"));
    }

    /// 第二十条、第二十一条: 7 working days to report, 3 for the notice, 10 more for expert review.
    #[test]
    fn major_hazard_deadlines() {
        assert_eq!(MAJOR_REPORT.due(&cal(), at("2026-09-22 10:00")).unwrap().due_on, d("2026-10-09"));
        assert_eq!(MAJOR_NOTICE.due_from_date(&cal(), d("2026-11-20"), None).unwrap().due_on, d("2026-11-25"));
        assert_eq!(MAJOR_EXPERT.due_from_date(&cal(), d("2026-11-02"), None).unwrap().due_on, d("2026-11-16"));
        // With expert review: 17 working days from Monday 2026-11-02 → Wednesday 11-25.
        assert_eq!(major_report(true).due_from_date(&cal(), d("2026-11-02"), None).unwrap().due_on, d("2026-11-25"));
        assert_eq!(major_report(false), MAJOR_REPORT);
    }

    /// 消防法第十五条: 10 working days for the pre-opening inspection, then 3 to decide.
    #[test]
    fn pre_opening_deadlines() {
        assert_eq!(PRE_OPENING_INSPECT.due(&cal(), at("2026-12-01 10:00")).unwrap().due_on, d("2026-12-15"));
        assert_eq!(PRE_OPENING_DECIDE.due(&cal(), at("2026-12-15 10:00")).unwrap().due_on, d("2026-12-18"));
    }

    /// 行政强制法第二十五条: 30 days, extended past a final rest day; 第三十七条 3 working days to decide.
    #[test]
    fn seal_term_and_enforcement_decision() {
        // 2026-08-27 + 30 = 9/26 (Saturday, 中秋) → next working day 9/28.
        assert_eq!(SEAL_TERM_END.due(&cal(), at("2026-08-27 10:00")).unwrap().due_on, d("2026-09-28"));
        assert_eq!(ENFORCEMENT_DECISION.due(&cal(), at("2026-12-30 10:00")).unwrap().warnings.len(), 1);
    }

    #[test]
    fn a_deadline_into_an_unpublished_year_warns() {
        let c = WorkCalendar::new(vec![(d("2026-01-01"), DayKind::Holiday)], [2026]);
        let due = ORDER_SERVICE.due(&c, at("2026-12-30 10:00")).unwrap();
        assert_eq!(due.due_on, d("2027-01-04"));
        assert_eq!(due.warnings.len(), 1);
        assert_eq!(due.warnings[0].year, 2027);
    }

    #[test]
    fn urgency_marks_overdue_and_due_soon() {
        let c = cal();
        let now = at("2026-11-20 10:00");
        assert_eq!(Urgency::of(&c, d("2026-11-19"), None, now), Urgency::Overdue);
        assert_eq!(Urgency::of(&c, d("2026-11-20"), None, now), Urgency::DueSoon);
        // Friday → Monday is one working day.
        assert_eq!(Urgency::of(&c, d("2026-11-23"), None, now), Urgency::DueSoon);
        assert_eq!(Urgency::of(&c, d("2026-11-25"), None, now), Urgency::Later);
        assert_eq!(Urgency::of(&c, d("2026-11-20"), Some(at("2026-11-20 09:00")), now), Urgency::Overdue);
    }

    #[test]
    fn dates_before_the_inspection_are_refused() {
        let e = require_not_before("deadline", d("2026-11-01"), d("2026-11-02"), "整改期限").unwrap_err();
        assert!(e.to_string().contains("不能早于2026-11-02"));
        assert!(require_not_before("deadline", d("2026-11-02"), d("2026-11-02"), "整改期限").is_ok());
    }
}
