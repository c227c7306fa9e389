//! 行政处罚案件: a case from 立案 to 归档, as states and the rules that let it move between them.
//!
//! 普通程序 (《中华人民共和国行政处罚法》第五章第三节; 《消防救援机构办理行政案件程序规定》):
//! 立案 (approved by the head) → 调查取证 → 处罚告知 with 陈述、申辩 and, where it applies, 听证 → 法制审核
//! (第五十八条, by a reviewer who did not handle the case) → 集体议案 where the case is complex or serious or the
//! fine leaves the discretion baseline (第五十七条第二款) → 决定 (机构负责人) → 送达 (第六十一条) → 缴款
//! (第六十七条, 加处罚款 第七十二条) → 强制执行 (《行政强制法》第五十三条、第五十四条) → 结案 → 归档.
//! 简易程序 (第五十一条、第五十二条) decides on the spot. Everything here is pure: the service reads the
//! case, asks these functions whether a step is lawful, and commits the next state with its documents.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Yuan;
use super::discretion::{Assessment, Recommendation, Severity};
use super::procedure::Procedure;
use super::violation::Subject;
use crate::calendar::WorkCalendar;
use crate::deadline;
use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 立案审批中: the handler asked to open the case; the head has not approved yet.
    Filing,
    /// 调查取证.
    Investigating,
    /// 拟处罚意见待承办部门负责人审核.
    ProposalReview,
    /// 已告知，陈述申辩（听证申请）期内.
    Notified,
    /// 听证.
    Hearing,
    /// 法制审核.
    LegalReview,
    /// 集体议案.
    Deliberation,
    /// 待机构负责人审批决定.
    Approval,
    /// 已作出决定，待送达.
    Decided,
    /// 已送达，待履行（缴纳罚款）.
    Executing,
    /// 申请法院强制执行中.
    Enforcement,
    /// 已履行（或不予处罚已送达），待结案.
    Performed,
    /// 已结案，待归档.
    Closed,
    /// 已归档.
    Archived,
    /// 已移送（拘留、涉嫌犯罪、非本机关管辖）.
    Transferred,
    /// 不予立案.
    Rejected,
}

impl CaseStatus {
    /// All, in the order of the procedure.
    pub const ALL: [CaseStatus; 16] = [
        CaseStatus::Filing,
        CaseStatus::Investigating,
        CaseStatus::ProposalReview,
        CaseStatus::Notified,
        CaseStatus::Hearing,
        CaseStatus::LegalReview,
        CaseStatus::Deliberation,
        CaseStatus::Approval,
        CaseStatus::Decided,
        CaseStatus::Executing,
        CaseStatus::Enforcement,
        CaseStatus::Performed,
        CaseStatus::Closed,
        CaseStatus::Archived,
        CaseStatus::Transferred,
        CaseStatus::Rejected,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Filing => "filing",
            CaseStatus::Investigating => "investigating",
            CaseStatus::ProposalReview => "proposal_review",
            CaseStatus::Notified => "notified",
            CaseStatus::Hearing => "hearing",
            CaseStatus::LegalReview => "legal_review",
            CaseStatus::Deliberation => "deliberation",
            CaseStatus::Approval => "approval",
            CaseStatus::Decided => "decided",
            CaseStatus::Executing => "executing",
            CaseStatus::Enforcement => "enforcement",
            CaseStatus::Performed => "performed",
            CaseStatus::Closed => "closed",
            CaseStatus::Archived => "archived",
            CaseStatus::Transferred => "transferred",
            CaseStatus::Rejected => "rejected",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<CaseStatus> {
        CaseStatus::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("案件状态“{s}”无效")))
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Filing => "立案审批中",
            CaseStatus::Investigating => "调查取证",
            CaseStatus::ProposalReview => "拟处罚意见审核",
            CaseStatus::Notified => "已告知（陈述申辩期）",
            CaseStatus::Hearing => "听证",
            CaseStatus::LegalReview => "法制审核",
            CaseStatus::Deliberation => "集体议案",
            CaseStatus::Approval => "待负责人决定",
            CaseStatus::Decided => "已决定待送达",
            CaseStatus::Executing => "待履行",
            CaseStatus::Enforcement => "申请强制执行",
            CaseStatus::Performed => "已履行待结案",
            CaseStatus::Closed => "已结案待归档",
            CaseStatus::Archived => "已归档",
            CaseStatus::Transferred => "已移送",
            CaseStatus::Rejected => "不予立案",
        }
    }

    /// Whether the case is still before a decision (the 90-day clock runs).
    pub fn before_decision(self) -> bool {
        matches!(
            self,
            CaseStatus::Investigating
                | CaseStatus::ProposalReview
                | CaseStatus::Notified
                | CaseStatus::Hearing
                | CaseStatus::LegalReview
                | CaseStatus::Deliberation
                | CaseStatus::Approval
        )
    }
}

/// Where a case came from (案件来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    /// 逾期未改正的火灾隐患.
    Hazard,
    /// 监督检查发现.
    Inspection,
    /// 举报投诉.
    Complaint,
    /// 火灾事故调查.
    FireInvestigation,
    /// 其他机关移送.
    TransferIn,
    /// 其他.
    Other,
}

impl CaseSource {
    /// All.
    pub const ALL: [CaseSource; 6] = [
        CaseSource::Hazard,
        CaseSource::Inspection,
        CaseSource::Complaint,
        CaseSource::FireInvestigation,
        CaseSource::TransferIn,
        CaseSource::Other,
    ];

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            CaseSource::Hazard => "hazard",
            CaseSource::Inspection => "inspection",
            CaseSource::Complaint => "complaint",
            CaseSource::FireInvestigation => "fire_investigation",
            CaseSource::TransferIn => "transfer_in",
            CaseSource::Other => "other",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<CaseSource> {
        CaseSource::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| DomainError::invalid("source", "请选择案件来源"))
    }

    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            CaseSource::Hazard => "逾期未改正火灾隐患",
            CaseSource::Inspection => "监督检查发现",
            CaseSource::Complaint => "举报投诉",
            CaseSource::FireInvestigation => "火灾事故调查",
            CaseSource::TransferIn => "其他机关移送",
            CaseSource::Other => "其他",
        }
    }
}

/// The party (当事人). A natural person's ID number and phone are sealed by the service and kept out of
/// the body; only their masked forms are here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Unit, person, or other body.
    pub kind: PartyKind,
    /// The registry unit, when the party is one.
    pub unit_id: Option<String>,
    /// Name (unit name or the person's name).
    pub name: String,
    /// 统一社会信用代码 of a unit or body.
    pub credit_code: String,
    /// 法定代表人 (unit) or empty.
    pub legal_rep: String,
    /// Address (a unit's; a person's home address is never published).
    pub address: String,
    /// A person's ID number, masked.
    pub id_masked: String,
    /// A person's phone, masked.
    pub phone_masked: String,
}

/// Kind of party, as the violation catalogue names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 单位.
    #[default]
    Unit,
    /// 个人.
    Person,
}

impl PartyKind {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<PartyKind> {
        match s {
            "unit" => Ok(PartyKind::Unit),
            "person" => Ok(PartyKind::Person),
            _ => Err(DomainError::invalid("party_kind", "当事人类型应为单位或个人")),
        }
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            PartyKind::Unit => "unit",
            PartyKind::Person => "person",
        }
    }

    /// Whether a violation for `subject` may be charged against this party.
    pub fn fits(self, subject: Subject) -> bool {
        match self {
            PartyKind::Person => subject == Subject::Person,
            PartyKind::Unit => subject != Subject::Person,
        }
    }
}

/// The penalty the handler proposes and the decision takes over, with the discretion reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Violation code in the catalogue.
    pub violation_code: String,
    /// Its article.
    pub article: String,
    /// Its text.
    pub violation_text: String,
    /// Circumstance level.
    pub severity: Severity,
    /// A warning.
    pub warning: bool,
    /// The fine (0: none).
    pub fine: Yuan,
    /// 责令停产停业、停止使用 as part of the penalty.
    pub stop_business: bool,
    /// No penalty (不予处罚), with its legal basis.
    pub no_penalty_basis: Option<String>,
    /// Aggravating and mitigating factors considered.
    pub factors: Vec<String>,
    /// Written reasons (required when the fine leaves the recommended range).
    pub reasons: String,
    /// The recommended range and its rule.
    pub recommendation: Option<Recommendation>,
    /// Baseline version used (issuer and document number).
    pub baseline: String,
    /// Within or outside the recommendation.
    pub assessment: Option<Assessment>,
    /// The handler marks the case complex or major (集体议案 required).
    pub complex: bool,
}

impl Proposal {
    /// The penalty as printed: 警告，罚款人民币5,000元.
    pub fn penalty_text(&self) -> String {
        if let Some(b) = &self.no_penalty_basis {
            return format!("不予行政处罚（{b}）");
        }
        let mut parts = Vec::new();
        if self.warning {
            parts.push("警告".to_string());
        }
        if self.fine.0 > 0 {
            parts.push(format!("罚款人民币{}", self.fine));
        }
        if self.stop_business {
            parts.push("责令停产停业".to_string());
        }
        parts.join("，")
    }
}

/// An approval or review on the chain 承办人 → 承办部门负责人 → 法核人员 → 机构负责人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The step: `filing`, `proposal`, `legal_review`, `decision`, `closing`, `extension`, `transfer`.
    pub step: String,
    /// Who.
    pub by: String,
    /// Name as printed.
    pub by_name: String,
    /// Agreed.
    pub agree: bool,
    /// Opinion.
    pub opinion: String,
    /// When.
    pub at: Timestamp,
}

/// The party's statement (陈述、申辩) and any hearing request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Received on.
    pub received_on: NaiveDate,
    /// What the party said (or that they waived it).
    pub text: String,
    /// The party waived 陈述、申辩 and the hearing in writing.
    pub waived: bool,
    /// The party asked for a hearing.
    pub hearing_requested: bool,
    /// Whether the facts or grounds the party raised were adopted.
    pub adopted: bool,
}

/// A hearing (听证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    /// Requested on.
    pub requested_on: NaiveDate,
    /// Notice given on.
    pub notified_on: Option<NaiveDate>,
    /// Held on.
    pub date: Option<NaiveDate>,
    /// Where.
    pub place: String,
    /// Presiding officer (user id), who did not investigate the case.
    pub presider_id: String,
    /// Presiding officer's name.
    pub presider_name: String,
    /// Summary of the record.
    pub record: String,
    /// Held.
    pub held: bool,
}

/// An extension of the 90-day period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Days added.
    pub days: u32,
    /// Reason.
    pub reason: String,
    /// Approved by (user id).
    pub by: String,
    /// Approver's name.
    pub by_name: String,
    /// The level: the agency itself or the level above.
    pub level: String,
    /// When.
    pub at: Timestamp,
}

/// The decision as made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionMade {
    /// Decided at.
    pub at: Timestamp,
    /// By (机构负责人).
    pub by: String,
    /// Name.
    pub by_name: String,
    /// The decision document.
    pub doc_id: String,
    /// Its number.
    pub number: String,
    /// Revoked or changed on review (复议、诉讼 outcome).
    pub revoked: bool,
}

/// Service of the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Served on.
    pub on: NaiveDate,
    /// Method.
    pub method: String,
    /// Receiver.
    pub receiver: String,
}

/// Payment of the fine (罚缴分离: paid at the bank; the receipt is recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Paid on.
    pub paid_on: NaiveDate,
    /// Fine paid.
    pub fine: Yuan,
    /// 加处罚款 paid.
    pub surcharge: Yuan,
    /// Bank receipt number.
    pub receipt: String,
}

/// 催告 and the application to the court.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforcement {
    /// The 催告书 served on.
    pub demanded_on: NaiveDate,
    /// Surcharge stated in the demand.
    pub surcharge_then: Yuan,
    /// Applied to the court on.
    pub applied_on: Option<NaiveDate>,
    /// Court.
    pub court: String,
    /// The court's result.
    pub result: String,
}

/// Kinds of transfer (案件移送).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// 行政拘留: decided by the police (消防法第六十一条至第六十四条; the fire agency never decides detention).
    Detention,
    /// 涉嫌犯罪 (《行政执法机关移送涉嫌犯罪案件的规定》).
    Crime,
    /// 非本机关管辖 (e.g. 住房和城乡建设主管部门 for 消防法第五十八条 design and acceptance cases).
    OtherAuthority,
}

impl TransferKind {
    /// Parses a code.
    pub fn parse(s: &str) -> Result<TransferKind> {
        match s {
            "detention" => Ok(TransferKind::Detention),
            "crime" => Ok(TransferKind::Crime),
            "other_authority" => Ok(TransferKind::OtherAuthority),
            _ => Err(DomainError::invalid("kind", "请选择移送类型")),
        }
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            TransferKind::Detention => "detention",
            TransferKind::Crime => "crime",
            TransferKind::OtherAuthority => "other_authority",
        }
    }

    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            TransferKind::Detention => "移送公安机关（行政拘留）",
            TransferKind::Crime => "移送公安机关（涉嫌犯罪）",
            TransferKind::OtherAuthority => "移送有管辖权的机关",
        }
    }
}

/// A transfer with its receiver's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Kind.
    pub kind: TransferKind,
    /// Receiving authority.
    pub receiver: String,
    /// Reason.
    pub reason: String,
    /// Sent at.
    pub at: Timestamp,
    /// Whether the fire agency's own case continues (detention transfers: the fine is still ours).
    pub case_continues: bool,
    /// The receiver's outcome (立案, 不予立案, 拘留X日 …).
    pub outcome: String,
}

/// 行政复议 or 行政诉讼 against the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedy {
    /// `reconsideration` or `litigation`.
    pub kind: String,
    /// Filed on.
    pub filed_on: NaiveDate,
    /// Review body or court.
    pub body: String,
    /// Outcome code: empty while pending, else one of [`REMEDY_OUTCOMES`].
    pub outcome: String,
    /// Decided on.
    pub decided_on: Option<NaiveDate>,
}

/// Outcomes of 复议 and 诉讼 (复议法第六十三条至第六十九条; 行政诉讼法第六十九条至第七十八条), with whether the
/// decision stops standing as published.
pub const REMEDY_OUTCOMES: [(&str, &str, bool); 6] = [
    ("upheld", "维持（驳回）", false),
    ("revoked", "撤销", true),
    ("changed", "变更", true),
    ("confirmed_illegal", "确认违法", true),
    ("withdrawn", "申请人撤回", false),
    ("mediated", "调解结案", false),
];

/// An officer on a case, as certified when the case was opened.
pub type Handler = crate::inspection::record::InspectionOfficer;

/// A penalty case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Case {
    /// Id.
    pub id: String,
    /// Handling agency (大队 or 支队).
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// 案由 (short title: the violation in a few words).
    pub title: String,
    /// Procedure.
    pub procedure: Procedure,
    /// Source.
    pub source: CaseSource,
    /// The hazard, inspection, complaint … it came from.
    pub source_id: Option<String>,
    /// The party.
    pub party: Party,
    /// Facts as found (the body of the decision's 经查).
    pub facts: String,
    /// 承办人 first, then the other officers (行政处罚法第四十二条: at least two, checked by
    /// [`crate::inspection::record::check_officers`]).
    pub handlers: Vec<Handler>,
    /// Status.
    pub status: CaseStatus,
    /// Opened (the request).
    pub created_at: Timestamp,
    /// 立案 approved at.
    pub filed_at: Option<Timestamp>,
    /// The 立案审批表's number (the case number).
    pub number: String,
    /// Extensions of the 90-day period.
    pub extensions: Vec<Extension>,
    /// The proposed penalty.
    pub proposal: Option<Proposal>,
    /// Told of the intended penalty at.
    pub notified_at: Option<Timestamp>,
    /// The party has the right to a hearing.
    pub hearing_right: bool,
    /// The party's statement.
    pub statement: Option<Statement>,
    /// Hearing.
    pub hearing: Option<Hearing>,
    /// 集体议案 is required, and why.
    pub deliberation_reasons: Vec<String>,
    /// The collective decision, once held.
    pub deliberation_id: Option<String>,
    /// Approvals and reviews in order.
    pub approvals: Vec<Approval>,
    /// The decision.
    pub decision: Option<DecisionMade>,
    /// Its service.
    pub service: Option<Service>,
    /// Payment.
    pub payment: Option<Payment>,
    /// 催告 and 强制执行.
    pub enforcement: Option<Enforcement>,
    /// Transfer.
    pub transfer: Option<Transfer>,
    /// 复议 and 诉讼.
    pub remedies: Vec<Remedy>,
    /// Closed at.
    pub closed_at: Option<Timestamp>,
    /// Archived at.
    pub archived_at: Option<Timestamp>,
    /// Evidence under 先行登记保存 awaits its decision (7 working days).
    #[serde(default)]
    pub preservation_open: bool,
    /// Version (optimistic locking; the API's ETag).
    #[serde(default)]
    pub version: i64,
}

/// 加处罚款: 3% of the fine per day late (行政处罚法第七十二条第一项).
pub const LATE_SURCHARGE_PERCENT_PER_DAY: i64 = 3;

/// The fewest characters of written reasons for a fine that leaves the recommended range (a reason, not a
/// word).
pub const MIN_DEVIATION_REASONS: usize = 10;

impl Case {
    /// Whether the user handles this case.
    pub fn is_handler(&self, user_id: &str) -> bool {
        self.handlers.iter().any(|h| h.id == user_id)
    }

    /// The case's 承办人 (first handler).
    pub fn lead(&self) -> &Handler {
        &self.handlers[0]
    }

    /// Refuses a step unless the case is in one of `states`.
    pub fn require(&self, states: &[CaseStatus], what: &str) -> Result<()> {
        if states.contains(&self.status) {
            Ok(())
        } else {
            Err(DomainError::Rule(format!("案件当前为“{}”，不能{what}", self.status.label())))
        }
    }

    /// The last day to decide: 90 days from 立案, plus approved extensions.
    pub fn decide_by(&self, cal: &WorkCalendar) -> Result<Option<NaiveDate>> {
        let Some(filed) = self.filed_at else { return Ok(None) };
        decide_by(cal, filed.local_date(), &self.extensions).map(Some)
    }
}

/// The last day to decide: 90 days from 立案 plus extensions (行政处罚法第六十条; the extensions approved by
/// the head and then by the level above, P3).
pub fn decide_by(cal: &WorkCalendar, filed_on: NaiveDate, extensions: &[Extension]) -> Result<NaiveDate> {
    let extra: u32 = extensions.iter().map(|e| e.days).sum();
    let span = deadline::Span::CalendarDays(deadline::CASE_DECISION_DAYS + extra);
    Ok(deadline::CASE_DECISION.with_span(span).due_from_date(cal, filed_on, None)?.due_on)
}

/// Longest single extension of the decision period [M: P3 splits the period 30 + 30 + 30].
pub const EXTENSION_MAX_DAYS: u32 = 30;

/// Which level must approve the next extension: the agency's head for the first, the level above for the
/// second; no third (P3).
pub fn extension_level(done: usize) -> Result<&'static str> {
    match done {
        0 => Ok("本级机构负责人"),
        1 => Ok("上一级消防救援机构负责人"),
        _ => Err(DomainError::Rule("办案期限已延长两次，不能再延长".into())),
    }
}

/// The reasons a case goes to 集体议案 (行政处罚法第五十七条第二款; rules P6): the handler marked it complex
/// or major, the fine leaves the baseline, a hearing was held, or the penalty stops the business.
pub fn deliberation_reasons(p: &Proposal, hearing_held: bool) -> Vec<String> {
    let mut r = Vec::new();
    if p.complex {
        r.push("案情复杂或者有重大违法行为".to_string());
    }
    if p.assessment == Some(Assessment::Deviates) {
        r.push("罚款超出裁量基准推荐幅度".to_string());
    }
    if hearing_held {
        r.push("经过听证程序".to_string());
    }
    if p.stop_business {
        r.push("拟责令停产停业".to_string());
    }
    r
}

/// Whether the 告知 period has run out on `today` (no hearing: the statement period; hearing right: the
/// request period), or the party waived it.
pub fn statement_period_over(case: &Case, cal: &WorkCalendar, today: NaiveDate) -> Result<bool> {
    if case.statement.as_ref().is_some_and(|s| s.waived) {
        return Ok(true);
    }
    let Some(told) = case.notified_at else { return Ok(false) };
    let rule = if case.hearing_right { deadline::HEARING_REQUEST } else { deadline::STATEMENT };
    Ok(today > rule.due(cal, told)?.due_on)
}

/// A hearing request must come within 5 working days of the 告知, and only when the right applies.
pub fn check_hearing_request(case: &Case, cal: &WorkCalendar, on: NaiveDate) -> Result<()> {
    if !case.hearing_right {
        return Err(DomainError::Rule(
            "本案拟作出的处罚不属于应当告知听证权利的情形（《行政处罚法》第六十三条），不能受理听证申请".into(),
        ));
    }
    let told = case.notified_at.ok_or_else(|| DomainError::Rule("尚未告知拟作出的处罚".into()))?;
    let last = deadline::HEARING_REQUEST.due(cal, told)?.due_on;
    if on > last {
        return Err(DomainError::Rule(format!(
            "听证申请应在告知后{}内提出（截至{last}），已逾期（《行政处罚法》第六十四条第一项）",
            deadline::HEARING_REQUEST.span.describe()
        )));
    }
    Ok(())
}

/// The hearing: noticed at least 7 working days ahead, presided by someone who did not handle the case
/// (行政处罚法第六十四条第二项、第四项).
pub fn check_hearing_plan(
    case: &Case,
    cal: &WorkCalendar,
    notified_on: NaiveDate,
    date: NaiveDate,
    presider_id: &str,
) -> Result<()> {
    if case.is_handler(presider_id) {
        return Err(DomainError::invalid(
            "presider_id",
            "听证主持人应由非本案调查人员担任（《行政处罚法》第六十四条第四项）",
        ));
    }
    let earliest = deadline::HEARING_NOTICE_LEAD.due_from_date(cal, notified_on, None)?.due_on;
    if date < earliest {
        return Err(DomainError::invalid(
            "date",
            format!("应当在举行听证的七个工作日前通知当事人，最早可定于{earliest}（《行政处罚法》第六十四条第二项）"),
        ));
    }
    Ok(())
}

/// What must be true before the head decides (行政处罚法第四十四条、第六十二条、第五十八条、第五十七条、
/// 第六十条). `today` is the decision day.
pub fn check_decision(case: &Case, cal: &WorkCalendar, today: NaiveDate) -> Result<()> {
    let p = case.proposal.as_ref().ok_or_else(|| DomainError::Rule("尚无拟处罚意见".into()))?;
    if case.notified_at.is_none() {
        return Err(DomainError::Rule(
            "作出行政处罚决定之前，应当告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利（《行政处罚法》第四十四条、第六十二条）".into(),
        ));
    }
    if !statement_period_over(case, cal, today)? && case.hearing.as_ref().is_none_or(|h| !h.held) {
        return Err(DomainError::Rule("陈述、申辩（听证申请）期限尚未届满，不能作出决定".into()));
    }
    if case.statement.as_ref().is_some_and(|s| s.hearing_requested) && case.hearing.as_ref().is_none_or(|h| !h.held) {
        return Err(DomainError::Rule(
            "当事人已依法要求听证，未举行听证不能作出决定（《行政处罚法》第六十三条、第六十五条）".into(),
        ));
    }
    let reviewed = case.approvals.iter().rev().find(|a| a.step == "legal_review");
    if !reviewed.is_some_and(|a| a.agree) {
        return Err(DomainError::Rule("未经法制审核或者审核未通过的，不得作出决定（《行政处罚法》第五十八条）".into()));
    }
    if !case.deliberation_reasons.is_empty() && case.deliberation_id.is_none() {
        return Err(DomainError::Rule(format!(
            "本案应当集体讨论决定（{}；《行政处罚法》第五十七条第二款）",
            case.deliberation_reasons.join("、")
        )));
    }
    if let Some(last) = case.decide_by(cal)?
        && today > last
    {
        return Err(DomainError::Rule(format!("已超过办案期限（{last}），应先报批延长期限（《行政处罚法》第六十条）")));
    }
    if p.no_penalty_basis.is_none() && !p.warning && p.fine.0 == 0 && !p.stop_business {
        return Err(DomainError::Rule("拟处罚意见没有处罚内容".into()));
    }
    Ok(())
}

/// A reviewer or approver must not be one of the case's handlers (separation of duties).
pub fn check_not_handler(case: &Case, user_id: &str, role: &str) -> Result<()> {
    if case.is_handler(user_id) {
        return Err(DomainError::Rule(format!("{role}不能由本案承办人担任")));
    }
    Ok(())
}

/// 加处罚款 for a fine due on `due_on` and paid (or demanded) on `on`: 3% of the fine for each day after
/// the due day, never more than the fine itself (行政处罚法第七十二条第一项; 行政强制法第四十五条第二款).
pub fn late_surcharge(fine: Yuan, due_on: NaiveDate, on: NaiveDate) -> Yuan {
    let days = (on - due_on).num_days().max(0);
    let s = fine.0.saturating_mul(LATE_SURCHARGE_PERCENT_PER_DAY).saturating_mul(days) / 100;
    Yuan(s.min(fine.0))
}

/// The window to apply for court enforcement: it opens when the periods for 复议 (60 days) and 诉讼 (6
/// months) after service have run out, and closes 3 months later (行政强制法第五十三条; 行政复议法第二十条,
/// 行政诉讼法第四十六条). Returns (opens, closes).
pub fn enforcement_window(served_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let opens = served_on.checked_add_months(Months::new(deadline::LITIGATION_MONTHS)).unwrap_or(served_on);
    let closes = opens.checked_add_months(Months::new(deadline::ENFORCEMENT_APPLY_MONTHS)).unwrap_or(opens);
    (opens, closes)
}

/// Before applying to the court: the 催告书 served at least 10 days before, and no payment
/// (行政强制法第五十四条).
pub fn check_enforcement_application(e: &Enforcement, today: NaiveDate) -> Result<()> {
    let earliest = e.demanded_on + chrono::Days::new(u64::from(deadline::DEMAND_LEAD_DAYS));
    if today < earliest {
        return Err(DomainError::Rule(format!(
            "催告书送达{}日后当事人仍未履行的，方可申请强制执行，最早{earliest}（《行政强制法》第五十四条）",
            deadline::DEMAND_LEAD_DAYS
        )));
    }
    Ok(())
}

/// A case in 待负责人决定 (filed 2026-09-01, told 09-02, reviewed), for the tests of this module and of
/// the publication.
#[cfg(test)]
pub(crate) fn sample() -> Case {
    Case {
        id: "c".into(),
        org_id: OrgId("o".into()),
        org_path: OrgPath::parse("/o/").unwrap(),
        title: "占用疏散通道".into(),
        procedure: Procedure::General,
        source: CaseSource::Hazard,
        source_id: None,
        party: Party::default(),
        facts: "经查".into(),
        handlers: vec![
            Handler { id: "h1".into(), name: "甲".into(), certificate_no: "1".into() },
            Handler { id: "h2".into(), name: "乙".into(), certificate_no: "2".into() },
        ],
        status: CaseStatus::Approval,
        created_at: sample_at("2026-09-01 09:00"),
        filed_at: Some(sample_at("2026-09-01 10:00")),
        number: String::new(),
        extensions: vec![],
        proposal: Some(Proposal {
            violation_code: "F60-1-3".into(),
            article: "消防法第六十条第一款第三项".into(),
            violation_text: "占用疏散通道".into(),
            severity: Severity::Ordinary,
            warning: false,
            fine: Yuan(20000),
            stop_business: false,
            no_penalty_basis: None,
            factors: vec![],
            reasons: String::new(),
            recommendation: None,
            baseline: String::new(),
            assessment: Some(Assessment::Within),
            complex: false,
        }),
        notified_at: Some(sample_at("2026-09-02 10:00")),
        hearing_right: true,
        statement: None,
        hearing: None,
        deliberation_reasons: vec![],
        deliberation_id: None,
        approvals: vec![Approval {
            step: "legal_review".into(),
            by: "r".into(),
            by_name: "法".into(),
            agree: true,
            opinion: "同意".into(),
            at: sample_at("2026-09-15 10:00"),
        }],
        decision: None,
        service: None,
        payment: None,
        enforcement: None,
        transfer: None,
        remedies: vec![],
        closed_at: None,
        archived_at: None,
        preservation_open: false,
        version: 1,
    }
}

#[cfg(test)]
fn sample_at(s: &str) -> Timestamp {
    Timestamp::from_local(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn cal() -> WorkCalendar {
        let days =
            crate::calendar::parse_exceptions_csv(include_str!("../../../../data/calendar-cn-2020-2026.csv")).unwrap();
        WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)), 2020..=2026)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::from_local(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    fn case() -> Case {
        sample()
    }

    #[test]
    fn ninety_days_from_filing_then_the_extensions() {
        // 行政处罚法第六十条: 2026-09-01 + 90 days = 2026-11-30 (a Monday).
        let c = case();
        assert_eq!(c.decide_by(&cal()).unwrap(), Some(d("2026-11-30")));
        let mut c2 = c.clone();
        c2.extensions.push(Extension {
            days: 30,
            reason: "案情复杂".into(),
            by: "head".into(),
            by_name: "王".into(),
            level: "本级机构负责人".into(),
            at: c.created_at,
        });
        // +30 = 2026-12-30.
        assert_eq!(c2.decide_by(&cal()).unwrap(), Some(d("2026-12-30")));
        assert!(extension_level(0).is_ok() && extension_level(1).unwrap().contains("上一级"));
        assert!(extension_level(2).is_err());
        // Past the limit without extension: refused.
        let e = check_decision(&c, &cal(), d("2026-12-01")).unwrap_err().to_string();
        assert!(e.contains("办案期限") && e.contains("第六十条"), "{e}");
        assert!(check_decision(&c2, &cal(), d("2026-12-01")).is_ok());
    }

    #[test]
    fn no_decision_without_notice_review_hearing_or_deliberation() {
        let cal = cal();
        let today = d("2026-09-20");
        assert!(check_decision(&case(), &cal, today).is_ok());
        // 行政处罚法第四十四条: not told.
        let mut c = case();
        c.notified_at = None;
        assert!(check_decision(&c, &cal, today).unwrap_err().to_string().contains("第四十四条"));
        // 第六十三条: hearing requested, not held.
        let mut c = case();
        c.statement = Some(Statement {
            received_on: d("2026-09-03"),
            text: "要求听证".into(),
            waived: false,
            hearing_requested: true,
            adopted: false,
        });
        assert!(check_decision(&c, &cal, today).unwrap_err().to_string().contains("听证"));
        // 第五十八条: no legal review.
        let mut c = case();
        c.approvals.clear();
        assert!(check_decision(&c, &cal, today).unwrap_err().to_string().contains("第五十八条"));
        // 第五十七条: deliberation required, not held.
        let mut c = case();
        c.deliberation_reasons = vec!["罚款超出裁量基准推荐幅度".into()];
        assert!(check_decision(&c, &cal, today).unwrap_err().to_string().contains("第五十七条"));
        c.deliberation_id = Some("d".into());
        assert!(check_decision(&c, &cal, today).is_ok());
        // Still inside the 5-working-day request period (told 09-02, last day 09-09).
        assert!(check_decision(&case(), &cal, d("2026-09-09")).is_err());
        assert!(check_decision(&case(), &cal, d("2026-09-10")).is_ok());
    }

    #[test]
    fn hearing_requests_and_notices_count_working_days() {
        let cal = cal();
        let mut c = case();
        // Told on Wed 2026-09-30: 5 working days skip the National Day week: 10-09 (Fri), 10-10 (调休 Sat), …
        c.notified_at = Some(at("2026-09-30 10:00"));
        // Working days after 09-30: 10-08, 10-09, 10-10, 10-12, 10-13.
        assert!(check_hearing_request(&c, &cal, d("2026-10-13")).is_ok());
        let e = check_hearing_request(&c, &cal, d("2026-10-14")).unwrap_err().to_string();
        assert!(e.contains("2026-10-13") && e.contains("第六十四条"), "{e}");
        c.hearing_right = false;
        assert!(check_hearing_request(&c, &cal, d("2026-10-08")).unwrap_err().to_string().contains("第六十三条"));
        // Notice ≥ 7 working days ahead: noticed 10-12 (Mon) → earliest 10-21 (Wed).
        let c = case();
        assert!(check_hearing_plan(&c, &cal, d("2026-10-12"), d("2026-10-21"), "p").is_ok());
        assert!(
            check_hearing_plan(&c, &cal, d("2026-10-12"), d("2026-10-20"), "p")
                .unwrap_err()
                .to_string()
                .contains("七个工作日")
        );
        // The presider did not investigate.
        assert!(
            check_hearing_plan(&c, &cal, d("2026-10-12"), d("2026-10-21"), "h2")
                .unwrap_err()
                .to_string()
                .contains("主持人")
        );
    }

    #[test]
    fn the_case_time_limits_count_on_the_working_day_calendar() {
        let cal = cal();
        let due = |r: deadline::Rule, from: &str| r.due(&cal, at(from)).unwrap().due_on;
        // 行政处罚法第六十一条: a decision of Wed 09-30 is served by the 7th working day after it, across
        // 国庆 (10-01..07 off) and the make-up Saturday 10-10: 10-08, 09, 10, 12, 13, 14, 15.
        assert_eq!(due(deadline::DECISION_SERVICE, "2026-09-30 10:00"), d("2026-10-15"));
        // 第五十六条: 先行登记保存 decided within 7 working days, the same count.
        assert_eq!(due(deadline::PRESERVATION_DECIDE, "2026-09-30 10:00"), d("2026-10-15"));
        // 第六十七条: 15 days to pay from receipt (calendar days): served 10-08 → 10-23 (Fri).
        assert_eq!(deadline::PAYMENT.due_from_date(&cal, d("2026-10-08"), None).unwrap().due_on, d("2026-10-23"));
        // …and a last day on a rest day moves to the next working day: served 09-22 → 10-07 (holiday) → 10-08.
        assert_eq!(deadline::PAYMENT.due_from_date(&cal, d("2026-09-22"), None).unwrap().due_on, d("2026-10-08"));
        // 国办发〔2018〕118号: published within 7 working days; 第四十八条: withdrawn within 3.
        assert_eq!(due(deadline::PUBLISH_DECISION, "2026-11-20 10:00"), d("2026-12-01"));
        assert_eq!(due(deadline::PUBLISH_WITHDRAW, "2026-11-20 10:00"), d("2026-11-25"));
        // 结案后30日内归档.
        assert_eq!(due(deadline::CASE_ARCHIVE, "2026-11-02 10:00"), d("2026-12-02"));
        // 涉嫌犯罪: handed over within 24 hours of approval, through rest days.
        let t = deadline::TRANSFER_CRIME.due(&cal, at("2026-10-01 15:30")).unwrap();
        assert_eq!(t.due_at, Some(at("2026-10-02 15:30")));
        // 行政复议法第六十二条: the review decides within 60 days: 09-01 + 60 = Sat 10-31 → Mon 11-02.
        assert_eq!(
            deadline::REVIEW_DECISION.due_from_date(&cal, d("2026-09-01"), None).unwrap().due_on,
            d("2026-11-02")
        );
    }

    #[test]
    fn late_surcharge_is_three_percent_a_day_capped_at_the_fine() {
        // 行政处罚法第七十二条: 3% per day; 行政强制法第四十五条: never above the fine.
        let due = d("2026-10-16");
        assert_eq!(late_surcharge(Yuan(10000), due, due), Yuan(0));
        assert_eq!(late_surcharge(Yuan(10000), due, d("2026-10-15")), Yuan(0));
        assert_eq!(late_surcharge(Yuan(10000), due, d("2026-10-17")), Yuan(300));
        assert_eq!(late_surcharge(Yuan(10000), due, d("2026-10-26")), Yuan(3000));
        assert_eq!(late_surcharge(Yuan(10000), due, d("2026-11-18")), Yuan(9900)); // 33 days
        assert_eq!(late_surcharge(Yuan(10000), due, d("2026-11-19")), Yuan(10000)); // 34 days: capped
        assert_eq!(late_surcharge(Yuan(10000), due, d("2027-06-01")), Yuan(10000));
        assert_eq!(late_surcharge(Yuan(333), due, d("2026-10-17")), Yuan(9)); // 9.99 → 9 (whole 元, never more)
    }

    #[test]
    fn court_enforcement_waits_for_the_review_periods_and_the_demand() {
        // 行政强制法第五十三条: after 6 months (诉讼) the 3-month window opens.
        assert_eq!(enforcement_window(d("2026-03-31")), (d("2026-09-30"), d("2026-12-30")));
        // 第五十四条: 10 days after the 催告书.
        let e = Enforcement {
            demanded_on: d("2026-11-02"),
            surcharge_then: Yuan(0),
            applied_on: None,
            court: String::new(),
            result: String::new(),
        };
        assert!(check_enforcement_application(&e, d("2026-11-11")).unwrap_err().to_string().contains("第五十四条"));
        assert!(check_enforcement_application(&e, d("2026-11-12")).is_ok());
    }

    #[test]
    fn collective_deliberation_when_complex_deviating_heard_or_stopping() {
        // 行政处罚法第五十七条第二款.
        let mut p = case().proposal.unwrap();
        assert!(deliberation_reasons(&p, false).is_empty());
        assert_eq!(deliberation_reasons(&p, true), vec!["经过听证程序"]);
        p.assessment = Some(Assessment::Deviates);
        p.complex = true;
        assert_eq!(deliberation_reasons(&p, false).len(), 2);
    }

    #[test]
    fn reviewers_are_not_handlers_and_steps_follow_the_states() {
        let c = case();
        assert!(check_not_handler(&c, "h1", "法制审核人员").unwrap_err().to_string().contains("不能由本案承办人"));
        assert!(check_not_handler(&c, "r", "法制审核人员").is_ok());
        assert!(c.require(&[CaseStatus::Approval], "决定").is_ok());
        assert!(c.require(&[CaseStatus::Notified], "受理听证").unwrap_err().to_string().contains("待负责人决定"));
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.code()).unwrap(), s);
        }
        assert_eq!(c.proposal.unwrap().penalty_text(), "罚款人民币20,000元");
        assert!(PartyKind::Person.fits(Subject::Person) && !PartyKind::Person.fits(Subject::Unit));
    }
}
