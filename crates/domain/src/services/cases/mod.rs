//! 行政处罚案件 as a service: opening a case (or deciding it on the spot under 简易程序), every step of
//! 普通程序 with its actor, document and due dates, and the publication of decisions. Each step reads the
//! case, asks [`crate::penalty::case`] whether it is lawful, and commits the next state, its documents, its
//! due dates and its audit record in one transaction, only if the case still has the version the user saw.

mod publications;
mod settings;
mod steps;

use chrono::NaiveDate;
use publications::decision_effects;
use serde::{Deserialize, Serialize};
pub use settings::{
    Advice, BASELINE_KEY, HEARING_THRESHOLDS_KEY, PUBLISH_DAYS_KEY, PenaltySettings, PenaltySettingsInput,
};
use steps::Step;

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::WorkCalendar;
use crate::deadline::{self, Due, Span};
use crate::document::{DocType, Document};
use crate::error::{DomainError, Result};
use crate::identity::{IdCardNo, Phone};
use crate::inspection::record::check_officers;
use crate::penalty::Yuan;
use crate::penalty::case::{
    self, Case, CaseSource, CaseStatus, DecisionMade, Party, PartyKind, Proposal, Service, Statement,
};
use crate::penalty::discretion::{Assessment, Severity};
use crate::penalty::leniency::LeniencyList;
use crate::penalty::notices;
use crate::penalty::procedure::{self, Circumstances, Procedure, Sanction};
use crate::penalty::publication::Publication;
use crate::ports::case::{CaseChange, CaseQuery};
use crate::ports::inspection::InspectionChange;
use crate::ports::{Change, UnitOfWork};
use crate::time::Timestamp;

use super::Services;
use super::measures::deadline_row;

/// A case as opened.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// `general`, `fast` or `simple`.
    pub procedure: String,
    /// Source code ([`CaseSource`]).
    pub source: String,
    /// The hazard, inspection … it came from.
    #[serde(default)]
    pub source_id: Option<String>,
    /// Registry unit (a unit party).
    #[serde(default)]
    pub unit_id: Option<String>,
    /// `unit` or `person`.
    pub party_kind: String,
    /// A person's name (a unit's comes from the registry).
    #[serde(default)]
    pub party_name: String,
    /// A person's ID number.
    #[serde(default)]
    pub id_number: String,
    /// A person's phone.
    #[serde(default)]
    pub phone: String,
    /// A person's address.
    #[serde(default)]
    pub address: String,
    /// 案由.
    pub title: String,
    /// Facts.
    pub facts: String,
    /// The other officers (the actor is the 承办人).
    #[serde(default)]
    pub co_handler_ids: Vec<String>,
    /// 简易程序: the violation.
    #[serde(default)]
    pub violation_code: String,
    /// 简易程序: a warning.
    #[serde(default)]
    pub warning: bool,
    /// 简易程序: the fine.
    #[serde(default)]
    pub fine: String,
    /// 简易程序: where.
    #[serde(default)]
    pub place: String,
    /// 简易程序: what the party said when told on the spot.
    #[serde(default)]
    pub statement: String,
    /// 简易程序: the officer confirms the facts are certain and the party was told and heard.
    #[serde(default)]
    pub facts_certain: bool,
}

/// The fields of a step; each step reads the ones it needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// Agree (approvals, reviews).
    #[serde(default)]
    pub agree: Option<bool>,
    /// Opinion or reason.
    #[serde(default)]
    pub opinion: String,
    /// Kind: record kind (`interview`, `site`, `preservation`), transfer kind, remedy kind.
    #[serde(default)]
    pub kind: String,
    /// Text: record content, statement, hearing record, closing summary, transfer reason.
    #[serde(default)]
    pub text: String,
    /// Person interviewed, or the receiving authority, court, review body.
    #[serde(default)]
    pub person: String,
    /// Place.
    #[serde(default)]
    pub place: String,
    /// A date (`YYYY-MM-DD`): statement received, hearing date, service, payment, remedy filed.
    #[serde(default)]
    pub date: String,
    /// Violation code (proposal).
    #[serde(default)]
    pub violation_code: String,
    /// Circumstance level (`minor`, `ordinary`, `serious`).
    #[serde(default)]
    pub severity: String,
    /// A warning.
    #[serde(default)]
    pub warning: bool,
    /// The fine, or the amount paid.
    #[serde(default)]
    pub amount: String,
    /// 责令停产停业.
    #[serde(default)]
    pub stop_business: bool,
    /// The handler marks the case complex or major.
    #[serde(default)]
    pub complex: bool,
    /// No penalty under the leniency list.
    #[serde(default)]
    pub no_penalty: bool,
    /// Factors considered, one per line.
    #[serde(default)]
    pub factors: String,
    /// The party waived 陈述申辩 (and hearing).
    #[serde(default)]
    pub waived: bool,
    /// The party asks for a hearing.
    #[serde(default)]
    pub hearing_requested: bool,
    /// The party's points were adopted.
    #[serde(default)]
    pub adopted: bool,
    /// Hearing presider (user id).
    #[serde(default)]
    pub presider_id: String,
    /// Service method, or the bank receipt number.
    #[serde(default)]
    pub method: String,
    /// Receiver (service).
    #[serde(default)]
    pub receiver: String,
    /// Days (extension).
    #[serde(default)]
    pub days: Option<u32>,
    /// Outcome code (remedy, transfer).
    #[serde(default)]
    pub outcome: String,
    /// Evidence files uploaded for a record.
    #[serde(default)]
    pub evidence_ids: Vec<String>,
    /// 集体议案: chair.
    #[serde(default)]
    pub chair: String,
    /// 集体议案: attendees.
    #[serde(default)]
    pub attendees: String,
    /// 集体议案: minutes.
    #[serde(default)]
    pub minutes: String,
    /// 集体议案: `approve` or `reject`.
    #[serde(default)]
    pub conclusion: String,
    /// 快速办理: the party admitted the facts in writing and does not dispute them.
    #[serde(default)]
    pub admitted: bool,
    /// 快速办理: the party is a minor or a person with a disability (excluded).
    #[serde(default)]
    pub vulnerable: bool,
    /// The case version the user saw (forms; the API sends it as `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
}

/// The steps, as the API and the forms name them.
pub const STEPS: [&str; 24] = [
    "approve_filing",
    "record",
    "propose",
    "review_proposal",
    "statement",
    "schedule_hearing",
    "hold_hearing",
    "submit_review",
    "legal_review",
    "deliberate",
    "decide",
    "serve",
    "pay",
    "demand",
    "apply_enforcement",
    "enforcement_result",
    "extend",
    "transfer",
    "transfer_outcome",
    "remedy",
    "remedy_outcome",
    "close",
    "archive",
    "preservation_done",
];

/// What the case screen shows beside a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    /// The case.
    pub case: Case,
    /// Its documents.
    pub documents: Vec<Document>,
    /// Its publication.
    pub publication: Option<Publication>,
    /// Last day to decide.
    pub decide_by: Option<NaiveDate>,
    /// 加处罚款 as of today, when the fine is overdue.
    pub surcharge_today: Option<Yuan>,
    /// The payment due date.
    pub payment_due: Option<NaiveDate>,
    /// The steps the actor may take now.
    pub steps: Vec<&'static str>,
}

fn text(field: &'static str, s: &str, min: usize, max: usize, what: &str) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n < min || n > max {
        return Err(DomainError::invalid(field, format!("请填写{what}（{min}至{max}字）")));
    }
    Ok(t.into())
}

fn case_due(c: &Case, assignee: Option<String>, d: Due, now: Timestamp) -> Change {
    let unit = c.party.unit_id.clone().unwrap_or_default();
    Change::Inspection(InspectionChange::InsertDeadlines(vec![deadline_row(
        &c.org_id.0,
        "case",
        &c.id,
        (&unit, &c.party.name),
        assignee,
        d,
        now,
    )]))
}

fn meet(c: &Case, rules: &[&str], at: Timestamp) -> Change {
    Change::Inspection(InspectionChange::MeetDeadlines {
        subject_id: c.id.clone(),
        rule_codes: rules.iter().map(|r| r.to_string()).collect(),
        at,
    })
}

impl Services {
    /// Shows a person party's ID number or phone unmasked; the reason is audited with the act, the number
    /// never is.
    pub async fn reveal_case_party(&self, ctx: &Ctx, id: &str, field: &str, reason: &str) -> Result<String> {
        let actor = ctx.actor()?;
        let c = self.get_case(ctx, id).await?;
        actor.require(Perm::PersonalInfoReveal, &c.org_path)?;
        let reason = text("reason", reason, 4, 200, "查看理由（将记入审计日志）")?;
        let masked = match field {
            "id_number" => &c.party.id_masked,
            "phone" => &c.party.phone_masked,
            _ => return Err(DomainError::invalid("field", "字段无效")),
        };
        let text = self.store.case_party_sealed(id).await?.unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).map_err(DomainError::internal)?;
        let sealed =
            v[field].as_str().filter(|s| !s.is_empty()).ok_or_else(|| DomainError::invalid("field", "该项未登记"))?;
        let plain = self.crypto.open_field(&format!("cases|{field}|{id}"), sealed)?;
        let audit = ctx
            .event(actions::PII_REVEAL, "case", id)
            .outcome(crate::audit::Outcome::Success, &reason)
            .detail(serde_json::json!({ "field": field, "masked": masked }));
        self.store.commit(UnitOfWork { changes: vec![], audit: vec![audit] }).await?;
        Ok(plain)
    }

    /// Officers of the actor's agency with a valid certificate today (co-handlers, hearing presiders).
    pub async fn case_officers(&self, ctx: &Ctx) -> Result<Vec<(String, String)>> {
        let actor = ctx.actor()?;
        let agency = self.agency_of(&actor.org_path).await?;
        let today = ctx.now.local_date();
        Ok(self
            .store
            .inspecting_officers(&agency.path)
            .await?
            .into_iter()
            .filter(|a| a.certificate.as_ref().is_some_and(|c| c.valid_on(today)))
            .map(|a| (a.id.clone(), a.display_name.as_str().to_string()))
            .collect())
    }

    /// A case the actor may read.
    pub async fn get_case(&self, ctx: &Ctx, id: &str) -> Result<Case> {
        let actor = ctx.actor()?;
        self.store
            .case(id)
            .await?
            .filter(|c| actor.can(Perm::RecordRead, &c.org_path))
            .ok_or(DomainError::NotFound("案件"))
    }

    /// Cases in the actor's jurisdiction, optionally only some statuses or only the actor's own.
    pub async fn cases(
        &self,
        ctx: &Ctx,
        statuses: Vec<CaseStatus>,
        mine: bool,
        unit_id: Option<String>,
    ) -> Result<Vec<Case>> {
        let actor = ctx.actor()?;
        let q = CaseQuery {
            scopes: actor.scopes(Perm::RecordRead),
            statuses,
            unit_id,
            handler_id: mine.then(|| actor.user_id.clone()),
            limit: 200,
        };
        self.store.cases(&q).await
    }

    /// Case counts by status in the actor's jurisdiction.
    pub async fn case_counts(&self, ctx: &Ctx) -> Result<Vec<(CaseStatus, u64)>> {
        let mut counts = self.store.case_counts(&ctx.actor()?.scopes(Perm::RecordRead)).await?;
        counts.sort_by_key(|(s, _)| CaseStatus::ALL.iter().position(|x| x == s));
        Ok(counts)
    }

    /// The case with what its screen needs.
    pub async fn case_view(&self, ctx: &Ctx, id: &str) -> Result<CaseView> {
        let c = self.get_case(ctx, id).await?;
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        let today = ctx.now.local_date();
        let payment_due = self.payment_due(&c, &cal)?;
        let surcharge_today = match (&c.proposal, payment_due, c.status) {
            (Some(p), Some(due), CaseStatus::Executing | CaseStatus::Enforcement) if today > due => {
                Some(case::late_surcharge(p.fine, due, today))
            }
            _ => None,
        };
        Ok(CaseView {
            documents: self.store.documents_of(id).await?,
            publication: self.store.publication_of_case(id).await?,
            decide_by: c.decide_by(&cal)?,
            surcharge_today,
            payment_due,
            steps: self.available_steps(ctx, &c)?,
            case: c,
        })
    }

    /// The payment due date: 15 days from service.
    fn payment_due(&self, c: &Case, cal: &WorkCalendar) -> Result<Option<NaiveDate>> {
        match (&c.service, &c.proposal) {
            (Some(s), Some(p)) if p.fine.0 > 0 && p.no_penalty_basis.is_none() => {
                Ok(Some(deadline::PAYMENT.due_from_date(cal, s.on, None)?.due_on))
            }
            _ => Ok(None),
        }
    }

    /// The steps the actor may take on the case in its state (what the screen offers; each step checks
    /// again when taken).
    pub fn available_steps(&self, ctx: &Ctx, c: &Case) -> Result<Vec<&'static str>> {
        let a = ctx.actor()?;
        let p = &c.org_path;
        let handler = c.is_handler(&a.user_id) && a.can(Perm::EnforcementAct, p);
        let head = a.can(Perm::AgencyApprove, p) && !c.is_handler(&a.user_id);
        let dept = a.can(Perm::DeptApprove, p) && !c.is_handler(&a.user_id);
        let legal = a.can(Perm::LegalReview, p) && !c.is_handler(&a.user_id);
        let mut s = Vec::new();
        use CaseStatus::*;
        let revoked = c.decision.as_ref().is_some_and(|d| d.revoked);
        match c.status {
            // A decision revoked on 复议 or 诉讼 is no longer executed: the case is closed.
            Decided | Executing | Enforcement | Performed if revoked && head => s.push("close"),
            Decided | Executing | Enforcement | Performed if revoked => {}
            Filing if head => s.push("approve_filing"),
            Investigating => {
                if handler {
                    s.extend(["record", "propose"]);
                    if c.preservation_open {
                        s.push("preservation_done");
                    }
                }
                if head {
                    s.push("transfer");
                }
            }
            ProposalReview if dept => s.push("review_proposal"),
            Notified if handler => s.extend(["statement", "submit_review"]),
            Hearing if handler => {
                s.push("schedule_hearing");
                if c.hearing.as_ref().is_some_and(|h| h.date.is_some()) {
                    s.push("hold_hearing");
                }
            }
            LegalReview if legal => s.push("legal_review"),
            Deliberation if a.can(Perm::AgencyApprove, p) => s.push("deliberate"),
            Approval if head => s.push("decide"),
            Decided if handler => s.push("serve"),
            Executing => {
                if handler {
                    s.extend(["pay", "demand"]);
                }
                if head && c.enforcement.is_some() {
                    s.push("apply_enforcement");
                }
            }
            Enforcement if handler => s.extend(["pay", "enforcement_result"]),
            Performed if head => s.push("close"),
            Closed if handler => s.push("archive"),
            Transferred if handler => s.push("transfer_outcome"),
            _ => {}
        }
        if c.status.before_decision() && a.can(Perm::AgencyApprove, &c.org_path) && c.filed_at.is_some() {
            s.push("extend");
        }
        if c.decision.is_some() && !c.decision.as_ref().is_some_and(|d| d.revoked) && (handler || legal) {
            s.push("remedy");
            if c.remedies.iter().any(|r| r.outcome.is_empty()) {
                s.push("remedy_outcome");
            }
        }
        if c.transfer.as_ref().is_some_and(|t| t.case_continues && t.outcome.is_empty())
            && handler
            && !s.contains(&"transfer_outcome")
        {
            s.push("transfer_outcome");
        }
        Ok(s)
    }

    /// Opens a case. 普通程序 and 快速办理 start as a filing request for the head's approval; 简易程序 is
    /// decided on the spot: the 当场处罚决定书 is issued, handed over and the case awaits payment.
    pub async fn open_case(&self, ctx: &Ctx, input: CaseInput) -> Result<(Case, Option<Document>)> {
        let actor = ctx.actor()?;
        let procedure = Procedure::parse(input.procedure.trim())?;
        let source = CaseSource::parse(input.source.trim())?;
        let kind = PartyKind::parse(input.party_kind.trim())?;
        let title = text("title", &input.title, 2, 60, "案由")?;
        let facts = text("facts", &input.facts, 10, 4000, "违法事实")?;
        let id = crate::new_id();
        let (party, sealed, org_path) = match kind {
            PartyKind::Unit => {
                let uid = input
                    .unit_id
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .ok_or_else(|| DomainError::invalid("unit_id", "当事人为单位的，请从单位库选择单位"))?;
                let u = self.get_unit(ctx, uid).await?;
                let party = Party {
                    kind,
                    unit_id: Some(u.id.clone()),
                    name: u.facts.name.as_str().into(),
                    credit_code: u.credit_code.as_str().into(),
                    legal_rep: u.facts.responsible.name.clone().unwrap_or_default(),
                    address: u.facts.address.clone(),
                    ..Party::default()
                };
                (party, "{}".to_string(), u.org_path.clone())
            }
            PartyKind::Person => {
                let name = text("party_name", &input.party_name, 2, 30, "当事人姓名")?;
                let idn = IdCardNo::parse(&input.id_number)?;
                let phone = if input.phone.trim().is_empty() { None } else { Some(Phone::parse(&input.phone)?) };
                let sealed = serde_json::json!({
                    "id_number": self.crypto.seal_field(&format!("cases|id_number|{id}"), idn.expose())?,
                    "phone": match &phone { Some(p) => self.crypto.seal_field(&format!("cases|phone|{id}"), p.expose())?, None => String::new() },
                })
                .to_string();
                let party = Party {
                    kind,
                    unit_id: None,
                    name,
                    address: input.address.trim().chars().take(100).collect(),
                    id_masked: idn.masked(),
                    phone_masked: phone.map(|p| p.masked()).unwrap_or_default(),
                    ..Party::default()
                };
                (party, sealed, actor.org_path.clone())
            }
        };
        self.refuse_beyond_entrustment(ctx, crate::entrustment::Act::OpenCase, &org_path).await?;
        actor.require(Perm::EnforcementAct, &org_path)?;
        if let (CaseSource::Hazard, Some(hid)) = (source, input.source_id.as_deref().filter(|s| !s.trim().is_empty())) {
            let h = self.get_hazard(ctx, hid).await?;
            if party.unit_id.as_deref() != Some(h.unit_id.as_str()) {
                return Err(DomainError::invalid("source_id", "所选火灾隐患不是该当事人的隐患"));
            }
        }
        let agency = self.agency_of(&org_path).await?;
        let today = ctx.now.local_date();
        let mut accounts = vec![self.store.account(&actor.user_id).await?.ok_or(DomainError::Unauthenticated)?];
        for h in input.co_handler_ids.iter().filter(|h| !h.trim().is_empty()) {
            accounts.push(
                self.store.account(h).await?.ok_or_else(|| DomainError::invalid("co_handler_ids", "办案人员不存在"))?,
            );
        }
        let handlers = check_officers(&accounts, today, &agency.path)?;
        let mut c = Case {
            id: id.clone(),
            org_id: agency.id.clone(),
            org_path: agency.path.clone(),
            title,
            procedure,
            source,
            source_id: input.source_id.clone().filter(|s| !s.trim().is_empty()),
            party,
            facts,
            handlers,
            status: CaseStatus::Filing,
            created_at: ctx.now,
            filed_at: None,
            number: String::new(),
            extensions: vec![],
            proposal: None,
            notified_at: None,
            hearing_right: false,
            statement: None,
            hearing: None,
            deliberation_reasons: vec![],
            deliberation_id: None,
            approvals: vec![],
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
        };
        let audit = ctx.event(actions::CASE_OPEN, "case", id.clone()).detail(serde_json::json!({
            "procedure": procedure.code(), "source": source.code(), "party": c.party.name, "title": c.title,
        }));
        if procedure != Procedure::Simple {
            let work = UnitOfWork::default()
                .change(Change::Case(CaseChange::InsertCase { case: Box::new(c.clone()), party_sealed: sealed }))
                .audit(audit);
            self.store.commit(work).await?;
            return Ok((c, None));
        }
        // 简易程序: the penalty is decided now.
        let cat = self.violations();
        let v = cat
            .get(input.violation_code.trim())
            .ok_or_else(|| DomainError::invalid("violation_code", "请选择违法行为"))?;
        if !kind.fits(v.subject) {
            return Err(DomainError::invalid("violation_code", format!("该违法行为的处罚对象是{}", v.subject.label())));
        }
        let fine = if input.fine.trim().is_empty() { Yuan(0) } else { Yuan::parse("fine", &input.fine)? };
        if fine.0 > 0 {
            v.check_fine(fine)?;
        }
        if input.warning && !v.warning {
            return Err(DomainError::invalid("warning", format!("{}没有规定警告", v.article)));
        }
        if !input.warning && fine.0 == 0 {
            return Err(DomainError::invalid("fine", "请填写罚款金额或者选择警告"));
        }
        let sanction = Sanction { warning: input.warning, fine, stop_business: false, revoke_or_confiscate: false };
        let circ = Circumstances { facts_certain: input.facts_certain, ..Default::default() };
        procedure::check(Procedure::Simple, v.subject, &sanction, &circ, &self.hearing_thresholds().await?)?;
        let place = text("place", &input.place, 2, 100, "违法地点")?;
        let statement = input.statement.trim().to_string();
        c.proposal = Some(Proposal {
            violation_code: v.code.clone(),
            article: v.article.clone(),
            violation_text: v.text.clone(),
            severity: Severity::Ordinary,
            warning: input.warning,
            fine,
            stop_business: false,
            no_penalty_basis: None,
            factors: vec![],
            reasons: String::new(),
            recommendation: None,
            baseline: String::new(),
            assessment: None,
            complex: false,
        });
        c.notified_at = Some(ctx.now);
        c.filed_at = Some(ctx.now);
        c.statement = Some(Statement {
            received_on: today,
            text: if statement.is_empty() { "当事人当场未提出陈述、申辩".into() } else { statement },
            waived: false,
            hearing_requested: false,
            adopted: false,
        });
        c.service = Some(Service { on: today, method: "直接送达".into(), receiver: c.party.name.clone() });
        c.status = if fine.0 > 0 { CaseStatus::Executing } else { CaseStatus::Performed };
        let notice = notices::on_spot(&c, &place, ctx.now);
        let cal = self.calendar_around(today).await?;
        let pay = deadline::PAYMENT.due_from_date(&cal, today, None)?;
        let lead = Some(actor.user_id.clone());
        let decide_audit = ctx.event(actions::CASE_DECIDE, "case", id.clone()).detail(serde_json::json!({
            "procedure": "simple", "penalty": c.proposal.as_ref().map(|p| p.penalty_text()),
        }));
        let c2 = c.clone();
        let agency_name = agency.name.as_str().to_string();
        let extra = move |d: &Document| {
            let mut cc = c2.clone();
            let lead_officer = cc.handlers[0].clone();
            decided(&mut cc, d, (&lead_officer.id, &lead_officer.name));
            let mut out = vec![
                Change::Case(CaseChange::InsertCase { case: Box::new(cc.clone()), party_sealed: sealed.clone() }),
                // Handed over on the spot (行政处罚法第五十二条).
                Change::Inspection(InspectionChange::ServeDocument {
                    id: d.id.clone(),
                    expected_version: 1,
                    at: cc.created_at,
                    method: "直接送达".into(),
                    receiver: cc.party.name.clone(),
                }),
            ];
            if fine.0 > 0 {
                out.push(case_due(&cc, lead.clone(), pay.clone(), cc.created_at));
            }
            out.extend(decision_effects(&cc, &agency_name, None, cc.created_at));
            out
        };
        let doc = self
            .issue_document(
                ctx,
                &agency,
                DocType::OnSpotDecision,
                ("case", &id),
                (c.party.unit_id.as_deref().unwrap_or(""), &c.party.name),
                notice,
                &extra,
                vec![audit, decide_audit],
            )
            .await?;
        let lead_officer = (c.handlers[0].id.clone(), c.handlers[0].name.clone());
        decided(&mut c, &doc, (&lead_officer.0, &lead_officer.1));
        Ok((c, Some(doc)))
    }

    /// Takes a step of a case (see [`STEPS`]) if the case still has `version`.
    pub async fn case_step(&self, ctx: &Ctx, id: &str, step: &str, input: StepInput, version: i64) -> Result<Case> {
        let c = self.get_case(ctx, id).await?;
        if c.version != version {
            return Err(DomainError::Conflict("案件已被他人更新，请刷新后重试".into()));
        }
        let actor = ctx.actor()?;
        let allowed = self.available_steps(ctx, &c)?;
        if !STEPS.contains(&step) {
            return Err(DomainError::NotFound("办案环节"));
        }
        if !allowed.contains(&step) {
            // Say why: the state, or who may take it.
            return Err(self.why_not(&c, step, &actor.user_id));
        }
        let agency = self.agency_of(&c.org_path).await?;
        let today = ctx.now.local_date();
        // Every step is an act of enforcement: only by someone whose 执法证 is valid today (程序规定第三条).
        let account = self.store.account(&actor.user_id).await?.ok_or(DomainError::Unauthenticated)?;
        crate::account::require_valid_certificate(&account, today)?;
        let mut st = Step {
            ctx,
            next: c.clone(),
            changes: Vec::new(),
            doc: None,
            detail: serde_json::json!({ "step": step, "from": c.status.code() }),
            cal: self.calendar_around(today).await?,
            today,
            me: (actor.user_id.clone(), actor.display_name.clone()),
            lead: Some(c.lead().id.clone()),
            agency,
            c,
        };
        match step {
            "approve_filing" | "record" | "preservation_done" | "propose" => {
                self.investigation_step(&mut st, step, &input).await?
            }
            "review_proposal" | "statement" | "schedule_hearing" | "hold_hearing" | "submit_review" => {
                self.hearing_step(&mut st, step, &input).await?
            }
            "legal_review" | "deliberate" | "decide" => self.decision_step(&mut st, step, &input).await?,
            "serve" | "pay" | "demand" | "apply_enforcement" | "enforcement_result" => {
                self.execution_step(&mut st, step, &input).await?
            }
            _ => self.course_step(&mut st, step, &input).await?,
        }
        let Step { c, mut next, changes, doc, mut detail, cal, me, agency, .. } = st;
        detail["to"] = next.status.code().into();
        let audit_action = if step == "decide" { actions::CASE_DECIDE } else { actions::CASE_STEP };
        let audit = ctx.event(audit_action, "case", id).detail(detail);
        let Some((doc_type, notice)) = doc else {
            let mut work =
                UnitOfWork::default().change(Change::Case(CaseChange::UpdateCase(Box::new(next.clone())))).audit(audit);
            for ch in changes {
                work = work.change(ch);
            }
            self.store.commit(work).await?;
            next.version += 1;
            return Ok(next);
        };
        // The number the store assigns is part of the case for the filing (the case number) and for the
        // decision, which also drafts its publication and the unit's credit record: all in one commit.
        let step_name = step.to_string();
        let base = next.clone();
        let agency_name = agency.name.as_str().to_string();
        let pub_due = if step == "decide" {
            let days = self.publication_days().await?;
            Some(deadline::PUBLISH_DECISION.with_span(Span::WorkingDays(days)).due(&cal, ctx.now)?)
        } else {
            None
        };
        let now = ctx.now;
        let who = me.clone();
        let extra = move |d: &Document| -> Vec<Change> {
            let mut cc = base.clone();
            let mut effects = Vec::new();
            match step_name.as_str() {
                "approve_filing" => cc.number = d.number.as_str().into(),
                "decide" => {
                    decided(&mut cc, d, (&who.0, &who.1));
                    effects = decision_effects(&cc, &agency_name, pub_due.clone(), now);
                }
                _ => {}
            }
            let mut out = vec![Change::Case(CaseChange::UpdateCase(Box::new(cc)))];
            out.extend(changes.clone());
            out.extend(effects);
            out
        };
        let issued = self
            .issue_document(
                ctx,
                &agency,
                doc_type,
                ("case", id),
                (c.party.unit_id.as_deref().unwrap_or(""), &c.party.name),
                notice,
                &extra,
                vec![audit],
            )
            .await?;
        match step {
            "approve_filing" => next.number = issued.number.as_str().into(),
            "decide" => decided(&mut next, &issued, (&me.0, &me.1)),
            _ => {}
        }
        next.version += 1;
        Ok(next)
    }

    /// Why a step is refused: the state, or the role.
    fn why_not(&self, c: &Case, step: &str, user_id: &str) -> DomainError {
        let needs = match step {
            "approve_filing" | "decide" | "close" | "apply_enforcement" | "transfer" | "extend" | "deliberate" => {
                "机构负责人"
            }
            "review_proposal" => "承办部门负责人",
            "legal_review" => "法制审核人员",
            _ => "本案承办人",
        };
        if c.is_handler(user_id) && matches!(needs, "机构负责人" | "承办部门负责人" | "法制审核人员")
        {
            return DomainError::Rule(format!("本案承办人不能担任本案的{needs}（审批、审核与承办相分离）"));
        }
        DomainError::Rule(format!("案件当前为“{}”，该环节须由{needs}办理或者当前不能办理", c.status.label()))
    }

    /// Builds the proposal from a step's fields: violation, level, amount, the recommendation and the
    /// checks of the statutory range, the baseline and the leniency list.
    async fn proposal_of(&self, c: &Case, input: &StepInput) -> Result<Proposal> {
        let cat = self.violations();
        let v = cat
            .get(input.violation_code.trim())
            .ok_or_else(|| DomainError::invalid("violation_code", "请选择违法行为"))?;
        if !c.party.kind.fits(v.subject) {
            return Err(DomainError::invalid("violation_code", format!("该违法行为的处罚对象是{}", v.subject.label())));
        }
        if v.decider != crate::penalty::violation::Decider::Fire {
            return Err(DomainError::Rule(format!(
                "{}由{}决定，消防救援机构应当移送（《中华人民共和国消防法》第七十条）",
                v.article,
                v.decider.label()
            )));
        }
        let severity = Severity::parse(input.severity.trim())?;
        let factors: Vec<String> =
            input.factors.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        let reasons = input.opinion.trim().to_string();
        let baseline = self.baseline().await?;
        let base = format!("{}（{}）", baseline.issuer, baseline.doc_no);
        if input.no_penalty {
            let earlier = match &c.party.unit_id {
                Some(u) => self.store.credit_records(u).await?.len(),
                None => 0,
            };
            let basis = LeniencyList::shipped().no_penalty_basis(&v.code, earlier)?;
            return Ok(Proposal {
                violation_code: v.code.clone(),
                article: v.article.clone(),
                violation_text: v.text.clone(),
                severity,
                warning: false,
                fine: Yuan(0),
                stop_business: false,
                no_penalty_basis: Some(basis),
                factors,
                reasons,
                recommendation: None,
                baseline: base,
                assessment: None,
                complex: input.complex,
            });
        }
        let fine = if input.amount.trim().is_empty() { Yuan(0) } else { Yuan::parse("amount", &input.amount)? };
        if input.warning && !v.warning {
            return Err(DomainError::invalid("warning", format!("{}没有规定警告", v.article)));
        }
        let (recommendation, assessment) = if fine.0 > 0 || v.min.0 > 0 {
            let a = baseline.assess(v, severity, fine)?;
            (Some(baseline.recommend(v, severity)?), Some(a))
        } else {
            (None, None)
        };
        if !input.warning && fine.0 == 0 && !input.stop_business {
            return Err(DomainError::invalid("amount", "请填写罚款金额或者选择其他处罚"));
        }
        if assessment == Some(Assessment::Deviates) && reasons.chars().count() < case::MIN_DEVIATION_REASONS {
            let r = recommendation.as_ref().map(|r| format!("{}至{}", r.min, r.max)).unwrap_or_default();
            return Err(DomainError::invalid(
                "opinion",
                format!(
                    "罚款超出裁量基准推荐幅度（{r}），应当书面说明理由（不少于{}字），并提交集体议案",
                    case::MIN_DEVIATION_REASONS
                ),
            ));
        }
        Ok(Proposal {
            violation_code: v.code.clone(),
            article: v.article.clone(),
            violation_text: v.text.clone(),
            severity,
            warning: input.warning,
            fine,
            stop_business: input.stop_business,
            no_penalty_basis: None,
            factors,
            reasons,
            recommendation,
            baseline: base,
            assessment,
            complex: input.complex,
        })
    }
}

/// Records the decision document on the case: its id, number and the approver. The case number of a
/// 简易程序 case is its decision's number.
fn decided(c: &mut Case, d: &Document, by: (&str, &str)) {
    c.decision = Some(DecisionMade {
        at: d.issued_at,
        by: by.0.into(),
        by_name: by.1.into(),
        doc_id: d.id.clone(),
        number: d.number.as_str().into(),
        revoked: false,
    });
    if c.number.is_empty() {
        c.number = d.number.as_str().into();
    }
}
