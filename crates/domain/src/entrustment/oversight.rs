//! The brigade's side of an entrustment: the training, assessment and on-site guidance it owes the town
//! (呼政办规〔2023〕3号 三（二）), its review of each town act with the faults (执法过错) it finds (三（四）, 二（六）),
//! and the archive of every completed act within 30 days.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{EntrustmentAgreement, GUIDANCE_PER_QUARTER, TRAINING_DAYS_PER_YEAR};
use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// What a brigade records about a town.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 执法业务培训 (days, topic, attendees).
    Training,
    /// 实地指导 (a visit to the town).
    Guidance,
    /// 培训考核 of one officer (score, passed).
    Assessment,
    /// 执法过错 found in a town act.
    Fault,
}

impl RecordKind {
    /// All kinds.
    pub const ALL: [RecordKind; 4] =
        [RecordKind::Training, RecordKind::Guidance, RecordKind::Assessment, RecordKind::Fault];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Training => "training",
            RecordKind::Guidance => "guidance",
            RecordKind::Assessment => "assessment",
            RecordKind::Fault => "fault",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("记录类型“{s}”无效")))
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Training => "执法业务培训",
            RecordKind::Guidance => "实地指导",
            RecordKind::Assessment => "培训考核",
            RecordKind::Fault => "执法过错",
        }
    }
}

/// Lowest passing score of an assessment [M: the plan says 培训考核 without a mark; 60 of 100 is the usual].
pub const PASS_MARK: u32 = 60;

/// Most days one training session may count (a session is recorded per course).
pub const MAX_TRAINING_DAYS: u32 = 30;

/// A training, guidance visit, assessment or fault, as recorded by the brigade.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntrustmentRecord {
    /// Id.
    pub id: String,
    /// The agreement.
    pub agreement_id: String,
    /// The town.
    pub town_id: OrgId,
    /// What it is.
    pub kind: RecordKind,
    /// On.
    pub on: NaiveDate,
    /// Days (training).
    #[serde(default)]
    pub days: u32,
    /// Topic (training, guidance), or what went wrong (fault).
    pub topic: String,
    /// The officers concerned (attendees, the assessed officer, the officers at fault).
    #[serde(default)]
    pub officer_ids: Vec<String>,
    /// Their names.
    #[serde(default)]
    pub officer_names: Vec<String>,
    /// Score (assessment).
    #[serde(default)]
    pub score: Option<u32>,
    /// The town act concerned (fault).
    #[serde(default)]
    pub act_id: Option<String>,
    /// Serious (fault): grounds for revoking the agreement (二（六）: 存在过错、情节严重的).
    #[serde(default)]
    pub serious: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// Their name.
    pub recorded_by_name: String,
    /// When.
    pub created_at: Timestamp,
}

impl EntrustmentRecord {
    /// Whether an assessment was passed.
    pub fn passed(&self) -> bool {
        self.kind == RecordKind::Assessment && self.score.is_some_and(|s| s >= PASS_MARK)
    }
}

/// Checks a record's facts for its kind.
pub fn check_record(r: &EntrustmentRecord, agreement: &EntrustmentAgreement, today: NaiveDate) -> Result<()> {
    if r.on > today {
        return Err(DomainError::invalid("on", "日期不能晚于今天"));
    }
    if r.on < agreement.signed_on {
        return Err(DomainError::invalid("on", "日期不能早于委托协议签订日期"));
    }
    let topic = r.topic.chars().count();
    if topic == 0 || topic > 500 {
        return Err(DomainError::invalid("topic", format!("请填写{}内容（不超过500字）", r.kind.label())));
    }
    match r.kind {
        RecordKind::Training => {
            if r.days == 0 || r.days > MAX_TRAINING_DAYS {
                return Err(DomainError::invalid("days", format!("培训天数应为1至{MAX_TRAINING_DAYS}天")));
            }
            if r.officer_ids.is_empty() {
                return Err(DomainError::invalid("officer_ids", "请选择参训的镇（街道）执法人员"));
            }
        }
        RecordKind::Assessment => {
            if r.officer_ids.len() != 1 {
                return Err(DomainError::invalid("officer_ids", "每条考核记录对应一名执法人员"));
            }
            if r.score.is_none_or(|s| s > 100) {
                return Err(DomainError::invalid("score", "考核成绩应为0至100分"));
            }
        }
        RecordKind::Fault => {
            if r.act_id.is_none() {
                return Err(DomainError::invalid("act_id", "请选择存在过错的执法行为"));
            }
        }
        RecordKind::Guidance => {}
    }
    Ok(())
}

/// One quarter's guidance.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterGuidance {
    /// "2026年第1季度".
    pub label: String,
    /// First day (inside the term).
    pub from: NaiveDate,
    /// Last day (inside the term).
    pub to: NaiveDate,
    /// Visits recorded.
    pub visits: u32,
    /// The quarter is over, or under way.
    pub started: bool,
    /// Over without the visits owed.
    pub missed: bool,
}

/// Where the brigade stands with its duties to a town.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Training days given in the term.
    pub training_days: u32,
    /// Owed by the end of the term.
    pub training_required: u32,
    /// Owed by today, pro rata.
    pub training_due_by_now: u32,
    /// The quarters of the term.
    pub quarters: Vec<QuarterGuidance>,
    /// What is behind, in words; empty when on track.
    pub behind: Vec<String>,
}

/// The calendar quarters a term touches, each cut to the term: (label, first day, last day).
pub fn quarters(starts_on: NaiveDate, ends_on: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut day = starts_on;
    while day <= ends_on {
        let q = day.month0() / 3;
        let q_start = NaiveDate::from_ymd_opt(day.year(), q * 3 + 1, 1).unwrap_or(day);
        let next = q_start.checked_add_months(chrono::Months::new(3)).unwrap_or(ends_on);
        let q_end = next.pred_opt().unwrap_or(next).min(ends_on);
        out.push((format!("{}年第{}季度", day.year(), q + 1), day.max(q_start), q_end));
        day = next;
    }
    out
}

/// The brigade's training and guidance against what it owes, as of `today` (呼政办规〔2023〕3号 三（二）).
pub fn progress(a: &EntrustmentAgreement, records: &[EntrustmentRecord], today: NaiveDate) -> Progress {
    let in_term = |r: &&EntrustmentRecord| r.on >= a.starts_on && r.on <= a.ends_on;
    let training_days: u32 =
        records.iter().filter(in_term).filter(|r| r.kind == RecordKind::Training).map(|r| r.days).sum();
    let term_days = (a.ends_on - a.starts_on).num_days().max(1) + 1;
    let elapsed = ((today.min(a.ends_on) - a.starts_on).num_days() + 1).clamp(0, term_days);
    let training_due_by_now = (i64::from(TRAINING_DAYS_PER_YEAR) * elapsed / term_days) as u32;
    let quarters: Vec<QuarterGuidance> = quarters(a.starts_on, a.ends_on)
        .into_iter()
        .map(|(label, from, to)| {
            let visits =
                records.iter().filter(|r| r.kind == RecordKind::Guidance && r.on >= from && r.on <= to).count() as u32;
            QuarterGuidance {
                label,
                from,
                to,
                visits,
                started: from <= today,
                missed: to < today && visits < GUIDANCE_PER_QUARTER,
            }
        })
        .collect();
    let mut behind = Vec::new();
    if training_days < training_due_by_now {
        behind.push(format!(
            "业务培训已组织{training_days}天，按进度至今应不少于{training_due_by_now}天（全年不少于{TRAINING_DAYS_PER_YEAR}天）"
        ));
    }
    for q in quarters.iter().filter(|q| q.missed) {
        behind.push(format!("{}未开展实地指导（每季度不少于{GUIDANCE_PER_QUARTER}次）", q.label));
    }
    Progress { training_days, training_required: TRAINING_DAYS_PER_YEAR, training_due_by_now, quarters, behind }
}

/// Where the brigade's review of a town act stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Waiting for the brigade.
    Pending,
    /// Found in order.
    Accepted,
    /// Returned to the town with reasons, to be corrected.
    Returned,
}

impl ReviewStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Accepted => "accepted",
            ReviewStatus::Returned => "returned",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<ReviewStatus> {
        [ReviewStatus::Pending, ReviewStatus::Accepted, ReviewStatus::Returned]
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::internal(format!("review status {s}")))
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "待大队审查",
            ReviewStatus::Accepted => "审查合格",
            ReviewStatus::Returned => "退回补正",
        }
    }
}

/// A return and its correction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Return {
    /// Returned at.
    pub at: Timestamp,
    /// By.
    pub by_name: String,
    /// Reasons.
    pub reasons: String,
    /// The town's correction, once made.
    #[serde(default)]
    pub correction: String,
    /// Corrected at.
    #[serde(default)]
    pub corrected_at: Option<Timestamp>,
}

/// An act done under an entrustment (an inspection, with the orders and 复查 that follow it), as the
/// brigade oversees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TownAct {
    /// The inspection's id.
    pub id: String,
    /// The agreement it was done under.
    pub agreement_id: String,
    /// The town.
    pub town_id: OrgId,
    /// Its path.
    pub town_path: OrgPath,
    /// Its name.
    pub town_name: String,
    /// The brigade, in whose name it was done.
    pub brigade_id: OrgId,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// What was done (the inspection kind's label).
    pub what: String,
    /// Officers.
    pub officer_names: Vec<String>,
    /// Completed at (the record was saved with its video).
    pub done_at: Timestamp,
    /// Hazards found.
    pub hazards: u32,
    /// Video files attached.
    pub videos: u32,
    /// Review.
    pub review: ReviewStatus,
    /// Returns, oldest first.
    #[serde(default)]
    pub returns: Vec<Return>,
    /// Reviewed by.
    #[serde(default)]
    pub reviewed_by_name: String,
    /// Reviewed at.
    #[serde(default)]
    pub reviewed_at: Option<Timestamp>,
    /// Archived at.
    #[serde(default)]
    pub archived_at: Option<Timestamp>,
    /// Archived by.
    #[serde(default)]
    pub archived_by_name: String,
    /// Version.
    #[serde(default)]
    pub version: i64,
}

impl TownAct {
    /// The brigade accepts the act or returns it with reasons.
    pub fn review(&mut self, accept: bool, reasons: &str, by_name: &str, at: Timestamp) -> Result<()> {
        if self.review == ReviewStatus::Returned {
            return Err(DomainError::Rule("该执法行为已退回补正，待镇（街道）补正后再审查".into()));
        }
        if self.review == ReviewStatus::Accepted {
            return Err(DomainError::Rule("该执法行为已审查合格".into()));
        }
        if accept {
            self.review = ReviewStatus::Accepted;
        } else {
            let reasons = reasons.trim();
            if reasons.chars().count() < 4 || reasons.chars().count() > 1000 {
                return Err(DomainError::invalid("reasons", "退回补正应写明理由（4至1000字）"));
            }
            self.review = ReviewStatus::Returned;
            self.returns.push(Return {
                at,
                by_name: by_name.into(),
                reasons: reasons.into(),
                correction: String::new(),
                corrected_at: None,
            });
        }
        self.reviewed_by_name = by_name.into();
        self.reviewed_at = Some(at);
        Ok(())
    }

    /// The town answers a return: what it corrected. The act goes back to the brigade.
    pub fn correct(&mut self, text: &str, at: Timestamp) -> Result<()> {
        if self.review != ReviewStatus::Returned {
            return Err(DomainError::Rule("该执法行为未被退回，无需补正".into()));
        }
        let text = text.trim();
        if text.chars().count() < 4 || text.chars().count() > 1000 {
            return Err(DomainError::invalid("correction", "请写明补正情况（4至1000字）"));
        }
        if let Some(r) = self.returns.last_mut() {
            r.correction = text.into();
            r.corrected_at = Some(at);
        }
        self.review = ReviewStatus::Pending;
        Ok(())
    }

    /// 归档: not while returned, once only.
    pub fn archive(&mut self, by_name: &str, at: Timestamp) -> Result<()> {
        if self.archived_at.is_some() {
            return Err(DomainError::Rule("该执法行为已归档".into()));
        }
        if self.review == ReviewStatus::Returned {
            return Err(DomainError::Rule("该执法行为已被退回补正，补正后才能归档".into()));
        }
        self.archived_at = Some(at);
        self.archived_by_name = by_name.into();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entrustment::tests::agreement;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rec(kind: RecordKind, on: &str, days: u32) -> EntrustmentRecord {
        EntrustmentRecord {
            id: "r".into(),
            agreement_id: "a".into(),
            town_id: OrgId("t".into()),
            kind,
            on: d(on),
            days,
            topic: "消防监督检查程序".into(),
            officer_ids: vec!["o".into()],
            officer_names: vec!["徐丽".into()],
            score: None,
            act_id: None,
            serious: false,
            recorded_by: "u".into(),
            recorded_by_name: "李明".into(),
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn a_term_has_the_calendar_quarters_it_touches() {
        let q = quarters(d("2026-01-05"), d("2027-01-04"));
        assert_eq!(q.len(), 5);
        assert_eq!(q[0], ("2026年第1季度".to_string(), d("2026-01-05"), d("2026-03-31")));
        assert_eq!(q[3].2, d("2026-12-31"));
        assert_eq!(q[4], ("2027年第1季度".to_string(), d("2027-01-01"), d("2027-01-04")));
    }

    #[test]
    fn seven_training_days_a_year_and_one_visit_a_quarter() {
        // 呼政办规〔2023〕3号 三（二）: 每年不少于7天的执法业务培训，每季度深入镇实地指导不得少于1次.
        let a = agreement();
        let mut records = vec![rec(RecordKind::Training, "2026-03-10", 2), rec(RecordKind::Guidance, "2026-02-20", 0)];
        // Mid-year: 3 days owed by now, 2 given; Q2 not over yet.
        let p = progress(&a, &records, d("2026-06-30"));
        assert_eq!((p.training_days, p.training_due_by_now), (2, 3));
        assert_eq!(p.behind.len(), 1, "{:?}", p.behind);
        assert!(p.behind[0].contains("按进度至今应不少于3天"));
        // After Q2 without a visit: that quarter is missed.
        let p = progress(&a, &records, d("2026-07-02"));
        assert!(p.behind.iter().any(|b| b.contains("2026年第2季度未开展实地指导")), "{:?}", p.behind);
        records.push(rec(RecordKind::Guidance, "2026-05-12", 0));
        records.push(rec(RecordKind::Training, "2026-06-01", 5));
        let p = progress(&a, &records, d("2026-07-02"));
        assert!(p.behind.is_empty(), "{:?}", p.behind);
        assert_eq!(p.training_days, 7);
        // A visit outside the term does not count.
        let p = progress(&a, &records, d("2027-01-04"));
        assert!(p.behind.iter().any(|b| b.contains("2026年第3季度")));
    }

    #[test]
    fn records_are_checked_for_their_kind() {
        let a = agreement();
        let today = d("2026-06-01");
        assert!(check_record(&rec(RecordKind::Training, "2026-03-10", 2), &a, today).is_ok());
        assert!(check_record(&rec(RecordKind::Training, "2026-03-10", 0), &a, today).is_err());
        assert!(check_record(&rec(RecordKind::Training, "2026-07-10", 1), &a, today).is_err(), "future");
        assert!(check_record(&rec(RecordKind::Training, "2025-07-10", 1), &a, today).is_err(), "before signing");
        let mut s = rec(RecordKind::Assessment, "2026-03-12", 0);
        assert!(check_record(&s, &a, today).is_err(), "no score");
        s.score = Some(59);
        assert!(check_record(&s, &a, today).is_ok() && !s.passed());
        s.score = Some(PASS_MARK);
        assert!(s.passed());
        let f = rec(RecordKind::Fault, "2026-03-12", 0);
        assert!(check_record(&f, &a, today).is_err(), "a fault names its act");
    }

    #[test]
    fn a_returned_act_is_corrected_before_it_is_accepted_or_archived() {
        let mut act = TownAct {
            id: "i".into(),
            agreement_id: "a".into(),
            town_id: OrgId("t".into()),
            town_path: OrgPath::parse("/s/b/t/").unwrap(),
            town_name: "长青街道".into(),
            brigade_id: OrgId("b".into()),
            unit_id: "u".into(),
            unit_name: "江城长青小吃店".into(),
            what: "乡镇（街道）委托检查".into(),
            officer_names: vec![],
            done_at: Timestamp(0),
            hazards: 1,
            videos: 1,
            review: ReviewStatus::Pending,
            returns: vec![],
            reviewed_by_name: String::new(),
            reviewed_at: None,
            archived_at: None,
            archived_by_name: String::new(),
            version: 1,
        };
        assert!(act.review(false, "短", "李明", Timestamp(1)).is_err(), "reasons required");
        act.review(false, "整改期限未写明具体日期", "李明", Timestamp(1)).unwrap();
        assert!(act.archive("徐丽", Timestamp(2)).is_err());
        assert!(act.review(true, "", "李明", Timestamp(2)).is_err());
        act.correct("已补充整改期限为2026年7月1日", Timestamp(3)).unwrap();
        assert_eq!(act.review, ReviewStatus::Pending);
        act.review(true, "", "李明", Timestamp(4)).unwrap();
        act.archive("徐丽", Timestamp(5)).unwrap();
        assert!(act.archive("徐丽", Timestamp(6)).is_err());
        assert_eq!(act.returns[0].corrected_at, Some(Timestamp(3)));
    }
}
