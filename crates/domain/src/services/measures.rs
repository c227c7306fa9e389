//! 临时查封 and 三停 as a service: imposed after a collective decision (or sealed on the spot in an
//! emergency and decided within 24 hours), with the decision document numbered in the same transaction;
//! extended once under the stricter term rule by default; lifted after an inspection finds the hazard
//! removed (三停: resumed only after a passed inspection, 消防法第七十条第二款).

use chrono::NaiveDate;
use serde::Deserialize;

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::collective::{self, CollectiveDecision, Conclusion, DecisionDraft};
use crate::deadline::{self, Due, Span};
use crate::document::{self, DocType, Document, Notice};
use crate::entrustment::Act;
use crate::error::{DomainError, Result};
use crate::inspection::hazard::HazardStatus;
use crate::inspection::sealing::{self, Measure, MeasureKind, MeasureStatus, SealGround, SealTermRule};
use crate::org::Org;
use crate::ports::inspection::{Deadline, InspectionChange};
use crate::ports::{Change, UnitOfWork};

use super::Services;

/// Settings key of the seal term rule.
pub const SEAL_TERM_KEY: &str = "seal_term_rule";

/// A measure as requested.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeasureInput {
    /// `temporary_seal`, `stop_business`, `stop_use`, `stop_construction`.
    pub kind: String,
    /// The inspection that found the hazards.
    pub inspection_id: String,
    /// Hazards it addresses (of that inspection).
    #[serde(default)]
    pub hazard_ids: Vec<String>,
    /// Grounds (临时查封).
    #[serde(default)]
    pub grounds: Vec<String>,
    /// Facts and reasons.
    pub facts: String,
    /// What is sealed or stopped.
    pub scope: String,
    /// Sealed on the spot before the collective decision.
    #[serde(default)]
    pub emergency: bool,
    /// Head who approved an emergency seal orally.
    #[serde(default)]
    pub oral_approval_by: String,
    /// Term in days (临时查封; default the longest allowed).
    #[serde(default)]
    pub term_days: Option<u32>,
    /// The collective decision (required unless emergency).
    #[serde(default)]
    pub decision: Option<DecisionDraft>,
}

impl Services {
    /// The seal term rule in force (default: 行政强制法, the stricter).
    pub async fn seal_term_rule(&self) -> Result<SealTermRule> {
        Ok(match self.store.setting(SEAL_TERM_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => SealTermRule::CoercionLaw,
        })
    }

    /// A collective decision of `agency` on a subject, recorded by someone who may approve for it.
    pub(crate) fn collective_decision(
        &self,
        ctx: &Ctx,
        agency: &Org,
        subject: (&str, &str),
        draft: &DecisionDraft,
    ) -> Result<CollectiveDecision> {
        let actor = ctx.actor()?;
        actor
            .require(Perm::AgencyApprove, &agency.path)
            .map_err(|_| DomainError::Rule("集体研究结论应由机构负责人（具有审批权限的人员）登记".into()))?;
        let t = collective::parse(draft)?;
        Ok(CollectiveDecision {
            id: crate::new_id(),
            org_id: agency.id.clone(),
            org_path: agency.path.clone(),
            subject_type: subject.0.into(),
            subject_id: subject.1.into(),
            held_at: ctx.now,
            chair: t.chair,
            attendees: t.attendees,
            minutes: t.minutes,
            conclusion: t.conclusion,
            created_by: actor.user_id.clone(),
        })
    }

    /// A measure the actor may read.
    pub async fn get_measure(&self, ctx: &Ctx, id: &str) -> Result<Measure> {
        let actor = ctx.actor()?;
        self.store
            .measure(id)
            .await?
            .filter(|m| actor.can(Perm::RecordRead, &m.org_path))
            .ok_or(DomainError::NotFound("强制措施"))
    }

    /// Measures in the actor's jurisdiction.
    pub async fn measures(&self, ctx: &Ctx) -> Result<Vec<Measure>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.measures_in(&scopes, 200).await
    }

    /// Imposes a 临时查封 or 三停. Without an emergency, the collective decision is required and the
    /// decision document is issued with it; in an emergency the place is sealed at once on the head's oral
    /// approval and the collective decision falls due within 24 hours.
    pub async fn create_measure(&self, ctx: &Ctx, input: MeasureInput) -> Result<(Measure, Option<Document>)> {
        let actor = ctx.actor()?;
        let i = self.get_inspection(ctx, &input.inspection_id).await?;
        let kind = MeasureKind::parse(input.kind.trim())?;
        let act = if kind == MeasureKind::TemporarySeal { Act::Seal } else { Act::StopOrder };
        self.refuse_beyond_entrustment(ctx, act, &i.org_path).await?;
        if !actor.can(Perm::EnforcementAct, &i.org_path) && !actor.can(Perm::AgencyApprove, &i.org_path) {
            return Err(DomainError::Forbidden);
        }
        let grounds = input.grounds.iter().map(|g| SealGround::parse(g.trim())).collect::<Result<Vec<_>>>()?;
        sealing::check_new(kind, &grounds, &input.facts, &input.scope)?;
        let hazards = self.store.hazards_of_inspection(&i.id).await?;
        for h in &input.hazard_ids {
            if !hazards.iter().any(|x| &x.id == h) {
                return Err(DomainError::invalid("hazard_ids", "所列隐患不是该次检查发现的隐患"));
            }
        }
        if input.hazard_ids.is_empty() {
            return Err(DomainError::invalid("hazard_ids", "请选择采取措施所针对的火灾隐患"));
        }
        if input.emergency && kind != MeasureKind::TemporarySeal {
            return Err(DomainError::invalid("emergency", "只有临时查封可以先行当场实施"));
        }
        let agency = self.agency_of(&i.org_path).await?;
        let rule = self.seal_term_rule().await?;
        let term_days = if kind == MeasureKind::TemporarySeal {
            let t = input.term_days.unwrap_or(rule.max_term_days());
            rule.check_term(t)?;
            t
        } else {
            0
        };
        let id = crate::new_id();
        let start = ctx.now;
        let cal = self.calendar_around(start.local_date()).await?;
        let ends = if kind == MeasureKind::TemporarySeal {
            Some(deadline::SEAL_TERM_END.with_span(Span::CalendarDays(term_days)).due(&cal, start)?)
        } else {
            None
        };
        let mut m = Measure {
            id: id.clone(),
            kind,
            org_id: i.org_id.clone(),
            org_path: i.org_path.clone(),
            unit_id: i.unit_id.clone(),
            unit_name: i.unit_name.clone(),
            inspection_id: i.id.clone(),
            hazard_ids: input.hazard_ids.clone(),
            grounds,
            facts: input.facts.trim().into(),
            scope: input.scope.trim().into(),
            emergency: input.emergency,
            oral_approval_by: input.oral_approval_by.trim().into(),
            decision_id: None,
            started_at: start,
            term_days,
            ends_on: ends.as_ref().map(|d| d.due_on),
            extensions: 0,
            status: MeasureStatus::InForce,
            lift_applied_on: None,
            lift_inspection_id: None,
            lifted_at: None,
            lift_reason: String::new(),
            doc_id: None,
            version: 1,
        };
        let lead = Some(actor.user_id.clone());
        let audit_detail = serde_json::json!({
            "kind": kind.code(), "unit": i.unit_name, "emergency": input.emergency,
            "grounds": m.grounds.iter().map(|g| g.code()).collect::<Vec<_>>(), "term_days": term_days,
        });
        if input.emergency {
            if m.oral_approval_by.is_empty() {
                return Err(DomainError::invalid(
                    "oral_approval_by",
                    "当场实施临时查封应当经机构负责人口头批准，请填写批准人（《消防监督检查规定》第二十三条）",
                ));
            }
            m.status = MeasureStatus::AwaitingDecision;
            let due = deadline::SEAL_EMERGENCY.due(&cal, start)?;
            let work = UnitOfWork::default()
                .change(Change::Inspection(InspectionChange::InsertMeasure(Box::new(m.clone()))))
                .change(Change::Inspection(InspectionChange::InsertDeadlines(vec![measure_due(
                    &m,
                    lead.clone(),
                    due,
                    ctx.now,
                )])))
                .audit(ctx.event(actions::MEASURE_CREATE, "measure", id.clone()).detail(audit_detail));
            self.store.commit(work).await?;
            return Ok((m, None));
        }
        let draft = input.decision.as_ref().ok_or_else(|| {
            DomainError::Rule("实施临时查封、责令停产停业应当经机构负责人组织集体研究决定，请填写集体研究情况".into())
        })?;
        let decision = self.collective_decision(ctx, &agency, ("measure", &id), draft)?;
        if decision.conclusion != Conclusion::Approve {
            return Err(DomainError::Rule("集体研究结论为不同意，不能实施该措施".into()));
        }
        m.decision_id = Some(decision.id.clone());
        m.doc_id = None;
        let mut due = vec![measure_due(&m, lead.clone(), deadline::SEAL_DECISION.due(&cal, i.started_at)?, ctx.now)];
        if let Some(e) = ends {
            due.push(measure_due(&m, lead.clone(), e, ctx.now));
        }
        let doc_type = if kind == MeasureKind::TemporarySeal { DocType::SealDecision } else { DocType::StopDecision };
        let notice = measure_notice(&m, &agency);
        let (m2, d2) = (m.clone(), decision.clone());
        let extra = move |doc: &Document| {
            let doc_id = doc.id.as_str();
            let mut mm = m2.clone();
            mm.doc_id = Some(doc_id.into());
            vec![
                Change::Inspection(InspectionChange::InsertDecision(d2.clone())),
                Change::Inspection(InspectionChange::InsertMeasure(Box::new(mm))),
                Change::Inspection(InspectionChange::InsertDeadlines(due.clone())),
            ]
        };
        let audit = ctx.event(actions::MEASURE_CREATE, "measure", id.clone()).detail(audit_detail);
        let doc = self
            .issue_document(
                ctx,
                &agency,
                doc_type,
                ("measure", &id),
                (&m.unit_id, &m.unit_name),
                notice,
                &extra,
                vec![audit],
            )
            .await?;
        m.doc_id = Some(doc.id.clone());
        Ok((m, Some(doc)))
    }

    /// The collective decision after an emergency seal: approved, the decision document is issued;
    /// rejected, the seal is lifted at once (《消防监督检查规定》第二十三条第二款).
    pub async fn decide_measure(
        &self,
        ctx: &Ctx,
        id: &str,
        draft: &DecisionDraft,
        version: i64,
    ) -> Result<(Measure, Option<Document>)> {
        let m = self.get_measure(ctx, id).await?;
        if m.status != MeasureStatus::AwaitingDecision {
            return Err(DomainError::Rule("该措施不在待集体研究状态".into()));
        }
        let agency = self.agency_of(&m.org_path).await?;
        let decision = self.collective_decision(ctx, &agency, ("measure", id), draft)?;
        let mut next = Measure { decision_id: Some(decision.id.clone()), version, ..m.clone() };
        let meet = Change::Inspection(InspectionChange::MeetDeadlines {
            subject_id: id.into(),
            rule_codes: vec![deadline::SEAL_EMERGENCY.code.into()],
            at: ctx.now,
        });
        let audit = ctx.event(actions::MEASURE_DECIDE, "measure", id).detail(serde_json::json!({
            "conclusion": decision.conclusion.code(), "chair": decision.chair, "attendees": decision.attendees,
        }));
        if decision.conclusion == Conclusion::Reject {
            next.status = MeasureStatus::Revoked;
            next.lifted_at = Some(ctx.now);
            next.lift_reason = "集体研究决定不予查封，立即解除".into();
            let work = UnitOfWork::default()
                .change(Change::Inspection(InspectionChange::InsertDecision(decision)))
                .change(Change::Inspection(InspectionChange::UpdateMeasure(Box::new(next.clone()))))
                .change(Change::Inspection(InspectionChange::MeetDeadlines {
                    subject_id: id.into(),
                    rule_codes: vec![],
                    at: ctx.now,
                }))
                .audit(audit);
            self.store.commit(work).await?;
            return Ok((Measure { version: version + 1, ..next }, None));
        }
        next.status = MeasureStatus::InForce;
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        let end = deadline::SEAL_TERM_END.with_span(Span::CalendarDays(m.term_days)).due(&cal, m.started_at)?;
        let notice = measure_notice(&next, &agency);
        let (n2, d2) = (next.clone(), decision.clone());
        let row = measure_due(&m, Some(ctx.actor()?.user_id.clone()), end, ctx.now);
        let extra = move |doc: &Document| {
            let doc_id = doc.id.as_str();
            let mut mm = n2.clone();
            mm.doc_id = Some(doc_id.into());
            vec![
                Change::Inspection(InspectionChange::InsertDecision(d2.clone())),
                Change::Inspection(InspectionChange::UpdateMeasure(Box::new(mm))),
                meet.clone(),
                Change::Inspection(InspectionChange::InsertDeadlines(vec![row.clone()])),
            ]
        };
        let doc = self
            .issue_document(
                ctx,
                &agency,
                DocType::SealDecision,
                ("measure", id),
                (&m.unit_id, &m.unit_name),
                notice,
                &extra,
                vec![audit],
            )
            .await?;
        Ok((Measure { doc_id: Some(doc.id.clone()), version: version + 1, ..next }, Some(doc)))
    }

    /// Extends a seal's term, within the rule in force (行政强制法: once, by at most 30 days), on the
    /// agency head's approval.
    pub async fn extend_measure(&self, ctx: &Ctx, id: &str, days: u32, reason: &str, version: i64) -> Result<Measure> {
        let actor = ctx.actor()?;
        let m = self.get_measure(ctx, id).await?;
        actor
            .require(Perm::AgencyApprove, &m.org_path)
            .map_err(|_| DomainError::Rule("延长查封期限应当经机构负责人批准".into()))?;
        if m.kind != MeasureKind::TemporarySeal || m.status != MeasureStatus::InForce {
            return Err(DomainError::Rule("只有执行中的临时查封可以延长期限".into()));
        }
        let rule = self.seal_term_rule().await?;
        rule.check_extension(days, m.extensions)?;
        if reason.trim().chars().count() < 4 {
            return Err(DomainError::invalid("reason", "请写明延长查封期限的理由"));
        }
        let from = m.ends_on.ok_or_else(|| DomainError::internal("seal without end"))?;
        let cal = self.calendar_around(from).await?;
        let end = deadline::SEAL_TERM_END.with_span(Span::CalendarDays(days)).due_from_date(&cal, from, None)?;
        let next = Measure { ends_on: Some(end.due_on), extensions: m.extensions + 1, version, ..m.clone() };
        let row = measure_due(&m, Some(actor.user_id.clone()), end, ctx.now);
        let work = UnitOfWork::default()
            .change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: id.into(),
                rule_codes: vec![deadline::SEAL_TERM_END.code.into()],
                at: ctx.now,
            }))
            .change(Change::Inspection(InspectionChange::UpdateMeasure(Box::new(next.clone()))))
            .change(Change::Inspection(InspectionChange::InsertDeadlines(vec![row])))
            .audit(ctx.event(actions::MEASURE_EXTEND, "measure", id).detail(serde_json::json!({
                "days": days, "ends_on": next.ends_on, "reason": reason.trim(), "rule": rule.article(),
            })));
        self.store.commit(work).await?;
        Ok(Measure { version: version + 1, ..next })
    }

    /// The party applies to lift the seal or to resume: the inspection is due within 3 working days.
    pub async fn apply_lift(&self, ctx: &Ctx, id: &str, on: &str, version: i64) -> Result<Measure> {
        let actor = ctx.actor()?;
        let m = self.get_measure(ctx, id).await?;
        actor.require(Perm::EnforcementAct, &m.org_path)?;
        if m.status != MeasureStatus::InForce {
            return Err(DomainError::Rule("该措施不在执行中".into()));
        }
        let on: NaiveDate = crate::calendar::parse_date("applied_on", on)?;
        deadline::require_not_before("applied_on", on, m.started_at.local_date(), "申请日期")?;
        if on > ctx.now.local_date() {
            return Err(DomainError::invalid("applied_on", "申请日期不能晚于今天"));
        }
        let cal = self.calendar_around(on).await?;
        let due = deadline::SEAL_LIFT_INSPECT.due_from_date(&cal, on, None)?;
        let next = Measure { lift_applied_on: Some(on), version, ..m.clone() };
        let row = measure_due(&m, Some(actor.user_id.clone()), due, ctx.now);
        let work = UnitOfWork::default()
            .change(Change::Inspection(InspectionChange::UpdateMeasure(Box::new(next.clone()))))
            .change(Change::Inspection(InspectionChange::InsertDeadlines(vec![row])))
            .audit(ctx.event(actions::MEASURE_LIFT, "measure", id).detail(serde_json::json!({"applied_on": on})));
        self.store.commit(work).await?;
        Ok(Measure { version: version + 1, ..next })
    }

    /// Lifts a seal, or lets a 三停 unit resume, after an inspection of the unit made since the measure
    /// began found no hazard left open (消防法第七十条第二款; 《消防监督检查规定》第二十五条).
    pub async fn lift_measure(
        &self,
        ctx: &Ctx,
        id: &str,
        inspection_id: &str,
        reason: &str,
        version: i64,
    ) -> Result<(Measure, Option<Document>)> {
        let actor = ctx.actor()?;
        let m = self.get_measure(ctx, id).await?;
        if !actor.can(Perm::EnforcementAct, &m.org_path) && !actor.can(Perm::AgencyApprove, &m.org_path) {
            return Err(DomainError::Forbidden);
        }
        if m.status != MeasureStatus::InForce {
            return Err(DomainError::Rule("该措施不在执行中".into()));
        }
        let i = self.get_inspection(ctx, inspection_id).await?;
        if i.unit_id != m.unit_id || i.started_at.0 < m.started_at.0 {
            return Err(DomainError::invalid("inspection_id", "请选择措施实施后对该单位进行的检查"));
        }
        let left = self
            .store
            .hazards_of_inspection(&i.id)
            .await?
            .into_iter()
            .filter(|h| h.status == HazardStatus::Open)
            .count();
        let still: Vec<_> = self
            .store
            .open_hazards_of_unit(&m.unit_id)
            .await?
            .into_iter()
            .filter(|h| m.hazard_ids.contains(&h.id))
            .collect();
        if left > 0 || !still.is_empty() {
            return Err(DomainError::Rule(format!(
                "检查仍发现未消除的火灾隐患，不能{}",
                if m.kind.is_stop() { "恢复生产经营、使用" } else { "解除临时查封" }
            )));
        }
        let reason = if reason.trim().is_empty() { "经检查，火灾隐患已消除" } else { reason.trim() };
        let next = Measure {
            status: MeasureStatus::Lifted,
            lift_inspection_id: Some(i.id.clone()),
            lifted_at: Some(ctx.now),
            lift_reason: reason.into(),
            version,
            ..m.clone()
        };
        let audit = ctx.event(actions::MEASURE_LIFT, "measure", id).detail(serde_json::json!({
            "inspection_id": i.id, "reason": reason, "kind": m.kind.code(),
        }));
        let changes = vec![
            Change::Inspection(InspectionChange::UpdateMeasure(Box::new(next.clone()))),
            Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: id.into(),
                rule_codes: vec![],
                at: ctx.now,
            }),
        ];
        if m.kind.is_stop() {
            let mut work = UnitOfWork::default().audit(audit);
            for c in changes {
                work = work.change(c);
            }
            self.store.commit(work).await?;
            return Ok((Measure { version: version + 1, ..next }, None));
        }
        let agency = self.agency_of(&m.org_path).await?;
        let notice = Notice {
            addressee: m.unit_name.clone(),
            paragraphs: vec![format!(
                "本机构于{}对你单位（场所）的{}实施临时查封。{}经{}检查，{}。根据《消防监督检查规定》第二十五条的规定，决定自{}起解除临时查封。",
                document::chinese_date(m.started_at.local_date()),
                m.scope,
                m.lift_applied_on
                    .map(|d| format!("你单位（场所）于{}申请解除临时查封，", document::chinese_date(d)))
                    .unwrap_or_default(),
                document::chinese_date(i.date()),
                reason,
                document::chinese_date(ctx.now.local_date())
            )],
            date: document::chinese_date(ctx.now.local_date()),
            signatures: vec![document::receipt_line("被检查单位")],
            ..Default::default()
        };
        let extra = move |_: &Document| changes.clone();
        let doc = self
            .issue_document(
                ctx,
                &agency,
                DocType::SealLift,
                ("measure", id),
                (&m.unit_id, &m.unit_name),
                notice,
                &extra,
                vec![audit],
            )
            .await?;
        Ok((Measure { version: version + 1, ..next }, Some(doc)))
    }

    /// Documents of a measure.
    pub async fn measure_documents(&self, ctx: &Ctx, id: &str) -> Result<Vec<Document>> {
        self.get_measure(ctx, id).await?;
        self.store.documents_of(id).await
    }
}

/// A due date of a measure, on the worklist of `assignee`.
fn measure_due(m: &Measure, assignee: Option<String>, d: Due, now: crate::time::Timestamp) -> Deadline {
    deadline_row(&m.org_id.0, "measure", &m.id, (&m.unit_id, &m.unit_name), assignee, d, now)
}

/// A due date row for a subject.
pub(crate) fn deadline_row(
    org_id: &str,
    subject_type: &str,
    subject_id: &str,
    unit: (&str, &str),
    assignee: Option<String>,
    d: Due,
    now: crate::time::Timestamp,
) -> Deadline {
    Deadline {
        id: crate::new_id(),
        org_id: org_id.into(),
        org_path: String::new(),
        subject_type: subject_type.into(),
        subject_id: subject_id.into(),
        unit_id: unit.0.into(),
        unit_name: unit.1.into(),
        assignee_id: assignee,
        rule_code: d.rule.code.into(),
        due_on: d.due_on,
        due_at: d.due_at,
        status: "open".into(),
        met_at: None,
        created_at: now,
    }
}

fn measure_notice(m: &Measure, agency: &Org) -> Notice {
    // 行政复议法第四十二条、行政诉讼法第五十六条: review does not suspend the decision.
    let review = format!("{}复议、诉讼期间，本决定不停止执行。", document::review_rights("决定", "决定书"));
    if m.kind == MeasureKind::TemporarySeal {
        let grounds: Vec<String> = m
            .grounds
            .iter()
            .map(|g| {
                let n = SealGround::ALL.iter().position(|x| x == g).unwrap_or(4) + 1;
                format!("第二十二条第一款第（{}）项规定的“{}”", chinese_numeral(n), g.label())
            })
            .collect();
        Notice {
            addressee: m.unit_name.clone(),
            paragraphs: vec![
                format!("经查，{}", m.facts.trim_end_matches('。').to_string() + "。"),
                format!(
                    "上述情形属于《消防监督检查规定》{}的情形，不及时消除可能严重威胁公共安全。根据《中华人民共和国消防法》第五十四条和《消防监督检查规定》第二十二条、第二十三条的规定，经{}集体研究，决定对你单位（场所）的{}予以临时查封，查封期限自{}起至{}止。",
                    grounds.join("、"),
                    agency.name.as_str(),
                    m.scope,
                    document::chinese_date(m.started_at.local_date()),
                    m.ends_on.map(document::chinese_date).unwrap_or_default()
                ),
            ],
            closing: vec![
                "查封期间，你单位（场所）应当采取措施消除火灾隐患；隐患消除后，可以向本机构申请解除临时查封。未经本机构同意，不得擅自启封、使用被查封的场所、部位。".into(),
                review,
            ],
            date: document::chinese_date(m.started_at.local_date()),
            signatures: vec![document::receipt_line("被查封单位")],
            ..Default::default()
        }
    } else {
        Notice {
            addressee: m.unit_name.clone(),
            paragraphs: vec![
                format!("经查，{}", m.facts.trim_end_matches('。').to_string() + "。"),
                format!(
                    "根据《中华人民共和国消防法》第五十八条、第七十条的规定，经{}集体研究，决定责令你单位（场所）的{}{}。",
                    agency.name.as_str(),
                    m.scope,
                    m.kind.label().trim_start_matches("责令")
                ),
            ],
            closing: vec![
                "你单位（场所）应当立即执行本决定，并采取措施消除违法行为。改正后，应当向本机构报告，经本机构检查合格，方可恢复生产经营或者使用。拒不执行的，本机构将依法强制执行。".into(),
                review,
            ],
            date: document::chinese_date(m.started_at.local_date()),
            signatures: vec![document::receipt_line("被责令单位")],
            ..Default::default()
        }
    }
}

fn chinese_numeral(n: usize) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"].get(n).copied().unwrap_or("五")
}
