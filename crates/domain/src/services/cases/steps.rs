//! The steps of 普通程序, grouped by phase. Each reads the case as it was (`st.c`), refuses what the law
//! refuses, and writes what changes into `st`: the next state, the due dates met and created, the document to
//! issue and the audit detail. [`Services::case_step`] commits them together.

use chrono::NaiveDate;

use super::{StepInput, case_due, meet, text};
use crate::audit::Ctx;
use crate::authz::Perm;
use crate::calendar::{WorkCalendar, parse_date};
use crate::collective::{Conclusion, DecisionDraft};
use crate::deadline::{self, Due};
use crate::document::{DocType, Notice};
use crate::error::{DomainError, Result};
use crate::org::Org;
use crate::penalty::Yuan;
use crate::penalty::case::{
    self, Approval, Case, CaseStatus, Enforcement, Extension, Hearing, Payment, REMEDY_OUTCOMES, Remedy, Service,
    Statement, Transfer, TransferKind,
};
use crate::penalty::notices;
use crate::penalty::procedure::{self, Circumstances, Procedure, Sanction};
use crate::penalty::publication::PublicationStatus;
use crate::ports::Change;
use crate::ports::inspection::InspectionChange;
use crate::time::Timestamp;

use super::super::Services;

/// A step being taken: the case as read and as it will be, with what goes into the commit.
pub(super) struct Step<'a> {
    /// The request.
    pub ctx: &'a Ctx,
    /// The case as read (at the version the user saw).
    pub c: Case,
    /// The case as it will be.
    pub next: Case,
    /// Due dates and other changes committed with it.
    pub changes: Vec<Change>,
    /// The document the step issues.
    pub doc: Option<(DocType, Notice)>,
    /// The audit record's detail.
    pub detail: serde_json::Value,
    /// The working-day calendar around today.
    pub cal: WorkCalendar,
    /// Today (local).
    pub today: NaiveDate,
    /// The actor: id and name.
    pub me: (String, String),
    /// The 承办人, whose worklist gets the due dates.
    pub lead: Option<String>,
    /// The handling agency.
    pub agency: Org,
}

impl Step<'_> {
    /// The actor's approval or review of a step.
    fn approval(&self, step: &str, agree: bool, opinion: &str) -> Approval {
        Approval {
            step: step.into(),
            by: self.me.0.clone(),
            by_name: self.me.1.clone(),
            agree,
            opinion: opinion.into(),
            at: self.ctx.now,
        }
    }
}

impl Services {
    /// 立案审批 and 调查取证: the head's approval, records and 先行登记保存, the proposal.
    pub(super) async fn investigation_step(&self, st: &mut Step<'_>, step: &str, input: &StepInput) -> Result<()> {
        match step {
            "approve_filing" => {
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择是否同意立案"))?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审批意见")?;
                st.next.approvals.push(st.approval("filing", agree, &opinion));
                if agree {
                    st.next.status = CaseStatus::Investigating;
                    st.next.filed_at = Some(st.ctx.now);
                    let due = deadline::CASE_DECISION.due(&st.cal, st.ctx.now)?;
                    st.changes.push(case_due(&st.next, st.lead.clone(), due, st.ctx.now));
                    st.doc = Some((DocType::CaseFiling, notices::filing(&st.next, &st.me.1, &opinion, st.ctx.now)));
                } else {
                    st.next.status = CaseStatus::Rejected;
                }
            }
            "record" => {
                let (t, what) = match input.kind.as_str() {
                    "interview" => (DocType::InterviewRecord, "被询问人"),
                    "site" => (DocType::SiteRecord, "当事人（见证人）"),
                    "preservation" => (DocType::Preservation, ""),
                    _ => return Err(DomainError::invalid("kind", "请选择询问笔录、现场笔录或先行登记保存")),
                };
                let body = text("text", &input.text, 10, 10000, "笔录内容")?;
                let place = text("place", &input.place, 2, 100, "地点")?;
                if t == DocType::Preservation {
                    if st.c.preservation_open {
                        return Err(DomainError::Rule("已有先行登记保存的证据待处理，请先作出处理决定".into()));
                    }
                    st.next.preservation_open = true;
                    let due = deadline::PRESERVATION_DECIDE.due(&st.cal, st.ctx.now)?;
                    st.doc = Some((t, notices::preservation(&st.c, &body, &place, st.ctx.now, due.due_on)));
                    st.changes.push(case_due(&st.c, st.lead.clone(), due, st.ctx.now));
                } else {
                    let person = text("person", &input.person, 2, 60, what)?;
                    st.doc = Some((t, notices::record(&st.c, what, &person, &place, &body, st.ctx.now)));
                }
                if !input.evidence_ids.is_empty() {
                    st.changes.push(Change::Inspection(InspectionChange::AttachEvidence {
                        evidence_ids: input.evidence_ids.clone(),
                        owner_type: "case".into(),
                        owner_id: st.c.id.clone(),
                    }));
                }
                st.detail["kind"] = input.kind.clone().into();
            }
            "preservation_done" => {
                let body = text("text", &input.text, 4, 500, "对登记保存物品的处理决定")?;
                st.next.preservation_open = false;
                st.changes.push(meet(&st.c, &[deadline::PRESERVATION_DECIDE.code], st.ctx.now));
                st.detail["decision"] = body.into();
            }
            "propose" => {
                let p = self.proposal_of(&st.c, input).await?;
                let s = Sanction {
                    warning: p.warning,
                    fine: p.fine,
                    stop_business: p.stop_business,
                    revoke_or_confiscate: false,
                };
                let v_subject = self
                    .violations()
                    .get(&p.violation_code)
                    .map(|v| v.subject)
                    .ok_or_else(|| DomainError::internal("proposal of an unknown violation"))?;
                let thresholds = self.hearing_thresholds().await?;
                st.next.hearing_right =
                    p.no_penalty_basis.is_none() && procedure::hearing_right(v_subject, &s, &thresholds);
                if st.c.procedure == Procedure::Fast {
                    let circ = Circumstances {
                        facts_certain: true,
                        admitted_in_writing: input.admitted,
                        vulnerable_party: input.vulnerable,
                    };
                    procedure::check(Procedure::Fast, v_subject, &s, &circ, &thresholds)?;
                }
                st.next.deliberation_reasons = case::deliberation_reasons(&p, false);
                st.detail["penalty"] = p.penalty_text().into();
                st.detail["assessment"] = serde_json::to_value(p.assessment).unwrap_or_default();
                st.next.proposal = Some(p);
                st.next.status = CaseStatus::ProposalReview;
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
        Ok(())
    }

    /// 告知, 陈述申辩 and 听证.
    pub(super) async fn hearing_step(&self, st: &mut Step<'_>, step: &str, input: &StepInput) -> Result<()> {
        match step {
            "review_proposal" => {
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择是否同意"))?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审核意见")?;
                st.next.approvals.push(st.approval("proposal", agree, &opinion));
                if agree {
                    st.next.status = CaseStatus::Notified;
                    st.next.notified_at = Some(st.ctx.now);
                    let rule = if st.next.hearing_right { deadline::HEARING_REQUEST } else { deadline::STATEMENT };
                    let due = rule.due(&st.cal, st.ctx.now)?;
                    let t = if st.next.hearing_right { DocType::HearingRights } else { DocType::PenaltyNotice };
                    st.doc = Some((t, notices::intended_penalty(&st.next, st.ctx.now, due.due_on)));
                    st.changes.push(case_due(&st.next, st.lead.clone(), due, st.ctx.now));
                } else {
                    st.next.status = CaseStatus::Investigating;
                }
            }
            "statement" => {
                let on = parse_date("date", &input.date)?;
                if on > st.today || st.c.notified_at.is_some_and(|t| on < t.local_date()) {
                    return Err(DomainError::invalid("date", "收到陈述申辩的日期应在告知之后、今天之前"));
                }
                if input.hearing_requested {
                    case::check_hearing_request(&st.c, &st.cal, on)?;
                }
                if input.waived && input.hearing_requested {
                    return Err(DomainError::invalid("waived", "放弃陈述申辩和听证的，不能同时要求听证"));
                }
                let said = if input.waived {
                    text("text", &input.text, 0, 2000, "说明")?
                } else {
                    text("text", &input.text, 2, 4000, "陈述申辩内容")?
                };
                st.next.statement = Some(Statement {
                    received_on: on,
                    text: if said.is_empty() { "当事人书面放弃陈述、申辩和听证".into() } else { said },
                    waived: input.waived,
                    hearing_requested: input.hearing_requested,
                    adopted: input.adopted,
                });
                if input.hearing_requested {
                    st.next.status = CaseStatus::Hearing;
                    st.next.hearing = Some(Hearing {
                        requested_on: on,
                        notified_on: None,
                        date: None,
                        place: String::new(),
                        presider_id: String::new(),
                        presider_name: String::new(),
                        record: String::new(),
                        held: false,
                    });
                    st.changes.push(meet(&st.c, &[deadline::HEARING_REQUEST.code], st.ctx.now));
                }
                st.detail["hearing_requested"] = input.hearing_requested.into();
                st.detail["waived"] = input.waived.into();
            }
            "schedule_hearing" => {
                let date = parse_date("date", &input.date)?;
                let place = text("place", &input.place, 2, 100, "听证地点")?;
                let presider = self
                    .store
                    .account(input.presider_id.trim())
                    .await?
                    .filter(|a| a.org_path.contains(&st.agency.path) || st.agency.path.contains(&a.org_path))
                    .ok_or_else(|| DomainError::invalid("presider_id", "请选择本机构的听证主持人"))?;
                case::check_hearing_plan(&st.c, &st.cal, st.today, date, &presider.id)?;
                let h = st.next.hearing.get_or_insert_with(|| Hearing {
                    requested_on: st.today,
                    notified_on: None,
                    date: None,
                    place: String::new(),
                    presider_id: String::new(),
                    presider_name: String::new(),
                    record: String::new(),
                    held: false,
                });
                h.notified_on = Some(st.today);
                h.date = Some(date);
                h.place = place.clone();
                h.presider_id = presider.id.clone();
                h.presider_name = presider.display_name.as_str().into();
                st.doc = Some((
                    DocType::HearingNotice,
                    notices::hearing_notice(&st.c, date, &place, presider.display_name.as_str(), st.ctx.now),
                ));
            }
            "hold_hearing" => {
                let record = text("text", &input.text, 10, 10000, "听证笔录")?;
                let h = st.next.hearing.as_mut().ok_or_else(|| DomainError::Rule("尚未安排听证".into()))?;
                let date = h.date.ok_or_else(|| DomainError::Rule("尚未通知听证时间".into()))?;
                if st.today < date {
                    return Err(DomainError::Rule(format!("听证定于{date}举行，尚未到期")));
                }
                h.held = true;
                h.record = record.clone();
                let presider = h.presider_name.clone();
                if let Some(p) = &st.next.proposal {
                    st.next.deliberation_reasons = case::deliberation_reasons(p, true);
                }
                st.next.status = CaseStatus::LegalReview;
                st.doc = Some((
                    DocType::HearingRecord,
                    notices::hearing_record(&st.c, &presider, &record, date, st.ctx.now),
                ));
            }
            "submit_review" => {
                if !case::statement_period_over(&st.c, &st.cal, st.today)? {
                    return Err(DomainError::Rule(format!(
                        "当事人陈述、申辩{}期限尚未届满，且未书面放弃",
                        if st.c.hearing_right { "和要求听证的" } else { "的" }
                    )));
                }
                st.changes.push(meet(&st.c, &[deadline::HEARING_REQUEST.code, deadline::STATEMENT.code], st.ctx.now));
                st.next.status = CaseStatus::LegalReview;
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
        Ok(())
    }

    /// 法制审核, 集体议案 and the decision.
    pub(super) async fn decision_step(&self, st: &mut Step<'_>, step: &str, input: &StepInput) -> Result<()> {
        match step {
            "legal_review" => {
                case::check_not_handler(&st.c, &st.me.0, "法制审核人员")?;
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择审核结论"))?;
                let opinion = text("opinion", &input.opinion, 2, 2000, "审核意见")?;
                st.next.approvals.push(st.approval("legal_review", agree, &opinion));
                st.next.status = match (agree, st.next.deliberation_reasons.is_empty()) {
                    (false, _) => CaseStatus::Investigating,
                    (true, true) => CaseStatus::Approval,
                    (true, false) => CaseStatus::Deliberation,
                };
                st.doc =
                    Some((DocType::LegalReview, notices::legal_review(&st.c, &st.me.1, agree, &opinion, st.ctx.now)));
            }
            "deliberate" => {
                let draft = DecisionDraft {
                    chair: input.chair.clone(),
                    attendees: input.attendees.clone(),
                    minutes: input.minutes.clone(),
                    conclusion: input.conclusion.clone(),
                };
                let d = self.collective_decision(st.ctx, &st.agency, ("case", &st.c.id), &draft)?;
                let agree = d.conclusion == Conclusion::Approve;
                st.next.status = if agree { CaseStatus::Approval } else { CaseStatus::Investigating };
                st.next.deliberation_id = agree.then(|| d.id.clone());
                st.doc = Some((
                    DocType::Deliberation,
                    notices::deliberation(&st.c, &d.chair, &d.attendees, &d.minutes, agree, st.ctx.now),
                ));
                st.changes.push(Change::Inspection(InspectionChange::InsertDecision(d)));
            }
            "decide" => {
                case::check_not_handler(&st.c, &st.me.0, "作出决定的机构负责人")?;
                case::check_decision(&st.c, &st.cal, st.today)?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审批意见")?;
                st.next.approvals.push(st.approval("decision", true, &opinion));
                st.next.status = CaseStatus::Decided;
                let no_penalty = st.c.proposal.as_ref().is_some_and(|p| p.no_penalty_basis.is_some());
                let t = if no_penalty { DocType::NoPenaltyDecision } else { DocType::PenaltyDecision };
                st.doc = Some((t, notices::decision(&st.c, st.ctx.now)));
                st.changes.push(meet(&st.c, &[deadline::CASE_DECISION.code], st.ctx.now));
                st.changes.push(case_due(
                    &st.c,
                    st.lead.clone(),
                    deadline::DECISION_SERVICE.due(&st.cal, st.ctx.now)?,
                    st.ctx.now,
                ));
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
        Ok(())
    }

    /// 送达, payment, 催告 and court enforcement.
    pub(super) async fn execution_step(&self, st: &mut Step<'_>, step: &str, input: &StepInput) -> Result<()> {
        match step {
            "serve" => {
                let on = parse_date("date", &input.date)?;
                let decided = st.c.decision.as_ref().ok_or_else(|| DomainError::Rule("尚未作出决定".into()))?;
                if on > st.today || on < decided.at.local_date() {
                    return Err(DomainError::invalid("date", "送达日期应在决定之后、今天之前"));
                }
                let (method, receiver) = crate::document::parse_service(&input.method, &input.receiver)?;
                st.next.service = Some(Service { on, method: method.clone(), receiver: receiver.clone() });
                let fine =
                    st.c.proposal.as_ref().filter(|p| p.no_penalty_basis.is_none()).map(|p| p.fine).unwrap_or_default();
                st.next.status = if fine.0 > 0 { CaseStatus::Executing } else { CaseStatus::Performed };
                let d = self.store.document(&decided.doc_id).await?.ok_or(DomainError::NotFound("决定书"))?;
                st.changes.push(Change::Inspection(InspectionChange::ServeDocument {
                    id: d.id.clone(),
                    expected_version: d.version,
                    // Served st.today: now; on an earlier day: that morning, never before the decision.
                    at: if on == st.today {
                        st.ctx.now
                    } else {
                        Timestamp::start_of_local_day(on).plus_minutes(9 * 60).max(decided.at)
                    },
                    method: method.clone(),
                    receiver: receiver.clone(),
                }));
                st.changes.push(meet(&st.c, &[deadline::DECISION_SERVICE.code], st.ctx.now));
                if fine.0 > 0 {
                    st.changes.push(case_due(
                        &st.c,
                        st.lead.clone(),
                        deadline::PAYMENT.due_from_date(&st.cal, on, None)?,
                        st.ctx.now,
                    ));
                }
                st.doc = Some((
                    DocType::ServiceReceipt,
                    notices::service_receipt(&st.c, d.doc_type.title(), d.number.as_str(), &method, &receiver, on),
                ));
            }
            "pay" => {
                let on = parse_date("date", &input.date)?;
                let p = st.c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due =
                    self.payment_due(&st.c, &st.cal)?.ok_or_else(|| DomainError::Rule("本案没有应缴罚款".into()))?;
                if on > st.today || st.c.service.as_ref().is_some_and(|s| on < s.on) {
                    return Err(DomainError::invalid("date", "缴款日期应在送达之后、今天之前"));
                }
                let surcharge = case::late_surcharge(p.fine, due, on);
                let paid = Yuan::parse("amount", &input.amount)?;
                let owed = Yuan(p.fine.0 + surcharge.0);
                if paid != owed {
                    return Err(DomainError::invalid(
                        "amount",
                        format!("应缴金额为{owed}（罚款{}，加处罚款{surcharge}），与登记的{paid}不符", p.fine),
                    ));
                }
                let receipt = text("method", &input.method, 4, 40, "缴款凭证号")?;
                st.next.payment = Some(Payment { paid_on: on, fine: p.fine, surcharge, receipt });
                st.next.status = CaseStatus::Performed;
                st.changes.push(meet(
                    &st.c,
                    &[deadline::PAYMENT.code, deadline::DEMAND_LEAD.code, deadline::ENFORCEMENT_APPLY.code],
                    st.ctx.now,
                ));
                st.detail["surcharge"] = surcharge.0.into();
            }
            "demand" => {
                let p = st.c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due =
                    self.payment_due(&st.c, &st.cal)?.ok_or_else(|| DomainError::Rule("本案没有应缴罚款".into()))?;
                if st.today <= due {
                    return Err(DomainError::Rule(format!("缴款期限至{due}，尚未逾期，不能催告")));
                }
                if st.c.enforcement.is_some() {
                    return Err(DomainError::Rule("已经催告".into()));
                }
                let surcharge = case::late_surcharge(p.fine, due, st.today);
                st.next.enforcement = Some(Enforcement {
                    demanded_on: st.today,
                    surcharge_then: surcharge,
                    applied_on: None,
                    court: String::new(),
                    result: String::new(),
                });
                st.doc = Some((DocType::Demand, notices::demand(&st.c, surcharge, st.ctx.now)));
                st.changes.push(case_due(
                    &st.c,
                    st.lead.clone(),
                    deadline::DEMAND_LEAD.due(&st.cal, st.ctx.now)?,
                    st.ctx.now,
                ));
                if let Some(s) = &st.c.service {
                    let (_, closes) = case::enforcement_window(s.on);
                    let d = deadline::ENFORCEMENT_APPLY.due_from_date(&st.cal, closes, None)?;
                    st.changes.push(case_due(&st.c, st.lead.clone(), d, st.ctx.now));
                }
            }
            "apply_enforcement" => {
                let e =
                    st.next.enforcement.as_mut().ok_or_else(|| DomainError::Rule("申请强制执行前应当先催告".into()))?;
                case::check_enforcement_application(e, st.today)?;
                let court = text("person", &input.person, 4, 60, "受理申请的人民法院")?;
                let p = st.c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due = self.payment_due(&st.c, &st.cal)?.unwrap_or(st.today);
                let surcharge = case::late_surcharge(p.fine, due, st.today);
                e.applied_on = Some(st.today);
                e.court = court.clone();
                st.next.status = CaseStatus::Enforcement;
                st.changes.push(meet(
                    &st.c,
                    &[deadline::DEMAND_LEAD.code, deadline::ENFORCEMENT_APPLY.code],
                    st.ctx.now,
                ));
                st.doc = Some((
                    DocType::EnforcementApplication,
                    notices::enforcement_application(&st.c, &court, surcharge, st.ctx.now),
                ));
            }
            "enforcement_result" => {
                let result = text("text", &input.text, 4, 500, "法院执行结果")?;
                if let Some(e) = st.next.enforcement.as_mut() {
                    e.result = result;
                }
                st.next.status = CaseStatus::Performed;
                st.changes.push(meet(&st.c, &[deadline::PAYMENT.code], st.ctx.now));
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
        Ok(())
    }

    /// What may happen along the way and at the end: extension, transfer, 复议/诉讼, 结案, 归档.
    pub(super) async fn course_step(&self, st: &mut Step<'_>, step: &str, input: &StepInput) -> Result<()> {
        match step {
            "extend" => {
                let days = input.days.filter(|d| (1..=case::EXTENSION_MAX_DAYS).contains(d)).ok_or_else(|| {
                    DomainError::invalid("days", format!("延长天数应为1至{}日", case::EXTENSION_MAX_DAYS))
                })?;
                let reason = text("text", &input.text, 4, 500, "延长理由")?;
                let level = case::extension_level(st.c.extensions.len())?;
                if st.c.extensions.len() == 1 {
                    // The second extension is approved by the level above the handling st.agency.
                    let parent = st
                        .agency
                        .parent_id
                        .as_ref()
                        .ok_or_else(|| DomainError::Rule("没有上一级消防救援机构".into()))?;
                    let parent = self.store.org(parent).await?.ok_or(DomainError::NotFound("上级机构"))?;
                    if !st.ctx.actor()?.can(Perm::AgencyApprove, &parent.path) {
                        return Err(DomainError::Rule("第二次延长办案期限应当报上一级消防救援机构负责人批准".into()));
                    }
                }
                st.next.extensions.push(Extension {
                    days,
                    reason,
                    by: st.me.0.clone(),
                    by_name: st.me.1.clone(),
                    level: level.into(),
                    at: st.ctx.now,
                });
                let filed = st.c.filed_at.ok_or_else(|| DomainError::Rule("尚未立案".into()))?;
                let until = case::decide_by(&st.cal, filed.local_date(), &st.next.extensions)?;
                st.changes.push(meet(&st.c, &[deadline::CASE_DECISION.code], st.ctx.now));
                st.changes.push(case_due(
                    &st.c,
                    st.lead.clone(),
                    Due { rule: deadline::CASE_DECISION, due_on: until, due_at: None, warnings: vec![] },
                    st.ctx.now,
                ));
                st.detail["until"] = until.to_string().into();
            }
            "transfer" => {
                let kind = TransferKind::parse(input.kind.trim())?;
                let receiver = text("person", &input.person, 4, 60, "接收移送的机关")?;
                let reason = text("text", &input.text, 10, 2000, "移送理由")?;
                // 拘留 is the police's; the fire agency's own penalty (the fine) goes on.
                let continues = kind == TransferKind::Detention;
                st.next.transfer = Some(Transfer {
                    kind,
                    receiver: receiver.clone(),
                    reason: reason.clone(),
                    at: st.ctx.now,
                    case_continues: continues,
                    outcome: String::new(),
                });
                if !continues {
                    st.next.status = CaseStatus::Transferred;
                    st.changes.push(meet(&st.c, &[], st.ctx.now));
                }
                if kind == TransferKind::Crime {
                    st.changes.push(case_due(
                        &st.c,
                        st.lead.clone(),
                        deadline::TRANSFER_CRIME.due(&st.cal, st.ctx.now)?,
                        st.ctx.now,
                    ));
                }
                st.doc =
                    Some((DocType::TransferNotice, notices::transfer(&st.c, kind, &receiver, &reason, st.ctx.now)));
                st.detail["kind"] = kind.code().into();
            }
            "transfer_outcome" => {
                let outcome = text("outcome", &input.outcome, 2, 500, "接收机关的处理结果")?;
                if let Some(t) = st.next.transfer.as_mut() {
                    t.outcome = outcome;
                }
                st.changes.push(meet(&st.c, &[deadline::TRANSFER_CRIME.code], st.ctx.now));
                if st.c.status == CaseStatus::Transferred {
                    st.next.status = CaseStatus::Closed;
                    st.next.closed_at = Some(st.ctx.now);
                    st.changes.push(case_due(
                        &st.c,
                        st.lead.clone(),
                        deadline::CASE_ARCHIVE.due(&st.cal, st.ctx.now)?,
                        st.ctx.now,
                    ));
                }
            }
            "remedy" => {
                let kind = match input.kind.as_str() {
                    "reconsideration" | "litigation" => input.kind.clone(),
                    _ => return Err(DomainError::invalid("kind", "请选择行政复议或行政诉讼")),
                };
                let on = parse_date("date", &input.date)?;
                let body = text("person", &input.person, 2, 60, "复议机关或人民法院")?;
                st.next.remedies.push(Remedy {
                    kind: kind.clone(),
                    filed_on: on,
                    body,
                    outcome: String::new(),
                    decided_on: None,
                });
                if kind == "reconsideration" {
                    st.changes.push(case_due(
                        &st.c,
                        st.lead.clone(),
                        deadline::REVIEW_DECISION.due_from_date(&st.cal, on, None)?,
                        st.ctx.now,
                    ));
                }
            }
            "remedy_outcome" => {
                let (code, label, stops) = REMEDY_OUTCOMES
                    .iter()
                    .copied()
                    .find(|(c, _, _)| *c == input.outcome.trim())
                    .ok_or_else(|| DomainError::invalid("outcome", "请选择复议或诉讼结果"))?;
                let r = st
                    .next
                    .remedies
                    .iter_mut()
                    .find(|r| r.outcome.is_empty())
                    .ok_or_else(|| DomainError::Rule("没有待结果的复议或诉讼".into()))?;
                r.outcome = code.into();
                r.decided_on = Some(st.today);
                st.changes.push(meet(&st.c, &[deadline::REVIEW_DECISION.code], st.ctx.now));
                if stops {
                    if let Some(d) = st.next.decision.as_mut() {
                        d.revoked = true;
                    }
                    // A published decision is withdrawn within 3 working days (行政处罚法第四十八条第二款).
                    if let Some(p) = self.store.publication_of_case(&st.c.id).await?
                        && p.status == PublicationStatus::Published
                    {
                        st.changes.push(case_due(
                            &st.c,
                            st.lead.clone(),
                            deadline::PUBLISH_WITHDRAW.due(&st.cal, st.ctx.now)?,
                            st.ctx.now,
                        ));
                    }
                }
                st.detail["outcome"] = label.into();
            }
            "close" => {
                let summary = text("text", &input.text, 4, 2000, "结案理由")?;
                st.next.status = CaseStatus::Closed;
                st.next.closed_at = Some(st.ctx.now);
                st.next.approvals.push(st.approval("closing", true, &summary));
                st.doc = Some((DocType::ClosingReport, notices::closing_report(&st.c, &summary, st.ctx.now)));
                st.changes.push(case_due(
                    &st.c,
                    st.lead.clone(),
                    deadline::CASE_ARCHIVE.due(&st.cal, st.ctx.now)?,
                    st.ctx.now,
                ));
            }
            "archive" => {
                st.next.status = CaseStatus::Archived;
                st.next.archived_at = Some(st.ctx.now);
                st.changes.push(meet(&st.c, &[], st.ctx.now));
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
        Ok(())
    }
}
