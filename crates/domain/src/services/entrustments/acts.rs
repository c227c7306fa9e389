//! Town acts and handovers: what a town does under its agreement (recorded with its video, reviewed by the
//! brigade, archived within 30 days) and what it hands to the brigade (taken up within 3 working days,
//! tracked to its outcome).

use serde::{Deserialize, Serialize};

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::deadline::{self, Due};
use crate::document::{self, DocType, Document, Notice, NoticeTable};
use crate::entrustment::EntrustmentAgreement;
use crate::entrustment::handover::{self, Handover, HandoverOutcome, HandoverReason, HandoverStatus};
use crate::entrustment::oversight::{ReviewStatus, TownAct};
use crate::error::{DomainError, Result};
use crate::evidence::Evidence;
use crate::inspection::hazard::Hazard;
use crate::inspection::record::Inspection;
use crate::ports::entrustment::EntrustmentChange;
use crate::ports::inspection::{Deadline, InspectionChange};
use crate::ports::{Change, UnitOfWork};
use crate::time::Timestamp;

use super::Services;

/// A handover as the town submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HandoverInput {
    /// Unit.
    pub unit_id: String,
    /// `key_unit`, `beyond_powers`, `uncorrected_hazard`.
    pub reason: String,
    /// What was found.
    pub matter: String,
    /// The town's inspection it came from.
    #[serde(default)]
    pub inspection_id: Option<String>,
    /// Evidence uploaded for it.
    #[serde(default)]
    pub evidence_ids: Vec<String>,
}

/// A handover with its evidence and document.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverView {
    /// The handover.
    pub handover: Handover,
    /// Evidence sent with it.
    pub evidence: Vec<Evidence>,
    /// The 移交书.
    pub document: Option<Document>,
    /// The actor may take it up and conclude it (the brigade).
    pub can_handle: bool,
}

/// The brigade's 承办部门负责人 or 机构负责人 reviews a town act; the town's own officers never do.
pub(crate) fn may_review(actor: &crate::authz::Actor, t: &TownAct) -> bool {
    let p = &t.town_path;
    !actor.can(Perm::EntrustedAct, p) && (actor.can(Perm::DeptApprove, p) || actor.can(Perm::AgencyApprove, p))
}

/// The changes that make an inspection a town act: the act under review and its archive due date.
pub(crate) fn town_act_changes(
    a: &EntrustmentAgreement,
    i: &Inspection,
    videos: u32,
    cal: &crate::calendar::WorkCalendar,
    now: Timestamp,
) -> Result<Vec<Change>> {
    let act = TownAct {
        id: i.id.clone(),
        agreement_id: a.id.clone(),
        town_id: a.town_id.clone(),
        town_path: a.town_path.clone(),
        town_name: a.town_name.clone(),
        brigade_id: a.brigade_id.clone(),
        unit_id: i.unit_id.clone(),
        unit_name: i.unit_name.clone(),
        what: i.kind.label().into(),
        officer_names: i.officers.iter().map(|o| o.name.clone()).collect(),
        done_at: now,
        hazards: i.hazard_count,
        videos,
        review: ReviewStatus::Pending,
        returns: vec![],
        reviewed_by_name: String::new(),
        reviewed_at: None,
        archived_at: None,
        archived_by_name: String::new(),
        version: 1,
    };
    let due = deadline::TOWN_ARCHIVE.due_from_date(cal, now.local_date(), None)?;
    let row = super::super::measures::deadline_row(
        &a.town_id.0,
        "town_act",
        &i.id,
        (&i.unit_id, &i.unit_name),
        i.officers.first().map(|o| o.id.clone()),
        due,
        now,
    );
    Ok(vec![
        Change::Entrustment(EntrustmentChange::InsertTownAct(Box::new(act))),
        Change::Inspection(InspectionChange::InsertDeadlines(vec![row])),
    ])
}

/// A handover of hazards a town's 复查 found uncorrected, with the brigade's due date to take it up.
pub(crate) fn uncorrected_handover(
    a: &EntrustmentAgreement,
    i: &Inspection,
    hazards: &[&Hazard],
    by: (&str, &str),
    cal: &crate::calendar::WorkCalendar,
    now: Timestamp,
) -> Result<Vec<Change>> {
    let matter = hazards
        .iter()
        .enumerate()
        .map(|(n, h)| {
            format!("{}. {}（改正期限{}）", n + 1, h.description, h.deadline.map(|d| d.to_string()).unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("；");
    let mut h = Handover::submitted(
        a,
        (&i.unit_id, &i.unit_name),
        HandoverReason::UncorrectedHazard,
        format!("复查发现责令改正的隐患逾期未改正：{matter}"),
        by,
        now,
    );
    h.inspection_id = Some(i.id.clone());
    h.hazard_ids = hazards.iter().map(|h| h.id.clone()).collect();
    let due = accept_due(&h, cal, now)?;
    Ok(vec![
        Change::Entrustment(EntrustmentChange::InsertHandover(Box::new(h))),
        Change::Inspection(InspectionChange::InsertDeadlines(vec![due])),
    ])
}

/// The brigade's due date to take a handover up (on its worklist, not assigned to one officer).
fn accept_due(h: &Handover, cal: &crate::calendar::WorkCalendar, now: Timestamp) -> Result<Deadline> {
    let due: Due = deadline::HANDOVER_ACCEPT.due_from_date(cal, now.local_date(), None)?;
    Ok(super::super::measures::deadline_row(
        &h.brigade_id.0,
        "handover",
        &h.id,
        (&h.unit_id, &h.unit_name),
        None,
        due,
        now,
    ))
}

impl Services {
    /// Town acts the actor may see, newest first.
    pub async fn town_acts(&self, ctx: &Ctx, review: Option<ReviewStatus>) -> Result<Vec<TownAct>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.town_acts(&scopes, review, None, 500).await
    }

    /// A town act the actor may see.
    pub async fn get_town_act(&self, ctx: &Ctx, id: &str) -> Result<TownAct> {
        let actor = ctx.actor()?;
        self.store
            .town_act(id)
            .await?
            .filter(|t| actor.can(Perm::RecordRead, &t.town_path))
            .ok_or(DomainError::NotFound("镇（街道）执法行为"))
    }

    /// The brigade accepts a town act or returns it with reasons (承办部门负责人 or 机构负责人 of the brigade).
    pub async fn review_town_act(
        &self,
        ctx: &Ctx,
        id: &str,
        accept: bool,
        reasons: &str,
        version: i64,
    ) -> Result<TownAct> {
        let actor = ctx.actor()?;
        let mut t = self.get_town_act(ctx, id).await?;
        if !may_review(actor, &t) {
            return Err(DomainError::Rule("镇（街道）执法行为由大队承办部门负责人或机构负责人审查".into()));
        }
        t.review(accept, reasons, &actor.display_name, ctx.now)?;
        t.version = version;
        self.commit_act(
            ctx,
            &t,
            actions::TOWN_ACT_REVIEW,
            serde_json::json!({"accept": accept, "reasons": reasons.trim()}),
        )
        .await
    }

    /// The town answers a return with what it corrected.
    pub async fn correct_town_act(&self, ctx: &Ctx, id: &str, text: &str, version: i64) -> Result<TownAct> {
        let actor = ctx.actor()?;
        let mut t = self.get_town_act(ctx, id).await?;
        actor.require(Perm::EntrustedAct, &t.town_path)?;
        t.correct(text, ctx.now)?;
        t.version = version;
        self.commit_act(ctx, &t, actions::TOWN_ACT_CORRECT, serde_json::json!({"correction": text.trim()})).await
    }

    /// The town archives a completed act: the 镇消防安全检查记录 must be made; not while returned. Meets the
    /// 30-day archive due date.
    pub async fn archive_town_act(&self, ctx: &Ctx, id: &str, version: i64) -> Result<TownAct> {
        let actor = ctx.actor()?;
        let mut t = self.get_town_act(ctx, id).await?;
        actor.require(Perm::EntrustedAct, &t.town_path)?;
        let docs = self.store.documents_of(&t.id).await?;
        if !docs.iter().any(|d| d.doc_type == DocType::TownInspectionRecord) {
            return Err(DomainError::Rule("归档前请先制作镇（街道）消防安全检查记录".into()));
        }
        t.archive(&actor.display_name, ctx.now)?;
        t.version = version;
        self.commit_act(ctx, &t, actions::TOWN_ACT_ARCHIVE, serde_json::json!({})).await
    }

    async fn commit_act(
        &self,
        ctx: &Ctx,
        t: &TownAct,
        action: &'static str,
        detail: serde_json::Value,
    ) -> Result<TownAct> {
        let mut work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::UpdateTownAct(Box::new(t.clone()))))
            .audit(ctx.event(action, "town_act", t.id.clone()).detail(detail));
        if action == actions::TOWN_ACT_ARCHIVE {
            work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: t.id.clone(),
                rule_codes: vec![deadline::TOWN_ARCHIVE.code.into()],
                at: ctx.now,
            }));
        }
        self.store.commit(work).await?;
        self.get_town_act(ctx, &t.id).await
    }

    /// A town officer hands a matter to the brigade with its evidence: a key unit, a power the town does
    /// not hold, or a hazard not corrected. The 移交书 is issued in the brigade's series; the brigade's
    /// due date to take it up goes on its worklist.
    pub async fn submit_handover(&self, ctx: &Ctx, input: HandoverInput) -> Result<Handover> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, &input.unit_id).await?;
        actor.require(Perm::EntrustedAct, &unit.org_path)?;
        let town = self.town_of_actor(ctx, Some(&unit.org_path)).await?.ok_or(DomainError::Forbidden)?;
        let a = self
            .current_agreement(&town.id, ctx.now.local_date())
            .await?
            .ok_or_else(|| DomainError::Rule("本镇（街道）没有行政执法委托协议，请直接向消防救援大队报告".into()))?;
        let reason = HandoverReason::parse(input.reason.trim())?;
        let matter = handover::check_matter(&input.matter)?;
        let inspection_id = match input.inspection_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(iid) => {
                let i = self.get_inspection(ctx, iid).await?;
                if i.unit_id != unit.id {
                    return Err(DomainError::invalid("inspection_id", "所选检查记录不是该单位的检查记录"));
                }
                Some(i.id)
            }
            None => None,
        };
        let mut evidence_ids = input.evidence_ids.clone();
        evidence_ids.retain(|e| !e.trim().is_empty());
        evidence_ids.sort();
        evidence_ids.dedup();
        for id in &evidence_ids {
            let e =
                self.store.evidence(id).await?.ok_or_else(|| DomainError::invalid("evidence_ids", "证据文件不存在"))?;
            if e.owner_type != super::super::inspections::PENDING || e.created_by != actor.user_id {
                return Err(DomainError::invalid("evidence_ids", format!("证据文件“{}”已归入其他记录", e.name)));
            }
        }
        let mut h = Handover::submitted(
            &a,
            (&unit.id, &unit.facts.name),
            reason,
            matter,
            (&actor.user_id, &actor.display_name),
            ctx.now,
        );
        h.inspection_id = inspection_id;
        h.evidence_ids = evidence_ids.clone();
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        let due = accept_due(&h, &cal, ctx.now)?;
        let brigade = self.store.org(&a.brigade_id).await?.ok_or_else(|| DomainError::internal("brigade"))?;
        let mut evidence_rows = Vec::new();
        for id in &evidence_ids {
            if let Some(e) = self.store.evidence(id).await? {
                evidence_rows.push(vec![
                    (evidence_rows.len() + 1).to_string(),
                    e.kind.label().into(),
                    e.name.clone(),
                    e.sm3.chars().take(16).collect(),
                ]);
            }
        }
        let notice = Notice {
            addressee: a.brigade_name.clone(),
            paragraphs: vec![
                format!(
                    "{}在委托执法中发现{}（{}）存在下列事项，因{}，根据《行政执法委托协议书》和《中华人民共和国行政处罚法》第二十条的规定，现移交你队依法处理：",
                    a.town_name,
                    unit.facts.name,
                    unit.facts.address,
                    reason.label()
                ),
                h.matter.clone(),
                "随附证据：".into(),
            ],
            table: Some(NoticeTable {
                headers: vec!["序号".into(), "类型".into(), "文件名".into(), "SM3（前16位）".into()],
                rows: evidence_rows,
            }),
            closing: vec![format!(
                "请于{}内接收办理，并将处理结果告知我单位。",
                deadline::HANDOVER_ACCEPT.span.describe()
            )],
            date: document::chinese_date(ctx.now.local_date()),
            signatures: vec![
                format!("移交单位：{}　　移交人：{}", a.town_name, actor.display_name),
                document::receipt_line("接收单位"),
            ],
            ..Default::default()
        };
        let audit = ctx.event(actions::HANDOVER_SUBMIT, "handover", h.id.clone()).detail(serde_json::json!({
            "unit": h.unit_name, "reason": reason.code(), "evidence": evidence_ids.len(),
        }));
        let base = h.clone();
        let extra = move |d: &Document| {
            let mut h = base.clone();
            h.doc_id = Some(d.id.clone());
            let mut out = vec![
                Change::Entrustment(EntrustmentChange::InsertHandover(Box::new(h.clone()))),
                Change::Inspection(InspectionChange::InsertDeadlines(vec![due.clone()])),
            ];
            if !h.evidence_ids.is_empty() {
                out.push(Change::Inspection(InspectionChange::AttachEvidence {
                    evidence_ids: h.evidence_ids.clone(),
                    owner_type: "handover".into(),
                    owner_id: h.id.clone(),
                }));
            }
            out
        };
        self.issue_document(
            ctx,
            &brigade,
            DocType::Handover,
            ("handover", &h.id),
            (&unit.id, &unit.facts.name),
            notice,
            &extra,
            vec![audit],
        )
        .await?;
        self.get_handover(ctx, &h.id).await
    }

    /// Handovers the actor may see (the town its own, the brigade its towns'), newest first.
    pub async fn handovers(&self, ctx: &Ctx, status: Option<HandoverStatus>) -> Result<Vec<Handover>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.handovers(&scopes, status, 500).await
    }

    /// A handover the actor may see.
    pub async fn get_handover(&self, ctx: &Ctx, id: &str) -> Result<Handover> {
        let actor = ctx.actor()?;
        self.store
            .handover(id)
            .await?
            .filter(|h| actor.can(Perm::RecordRead, &h.town_path))
            .ok_or(DomainError::NotFound("移交事项"))
    }

    /// A handover with its evidence and 移交书.
    pub async fn handover_view(&self, ctx: &Ctx, id: &str) -> Result<HandoverView> {
        let h = self.get_handover(ctx, id).await?;
        let document = match &h.doc_id {
            Some(d) => self.store.document(d).await?,
            None => None,
        };
        Ok(HandoverView {
            evidence: self.store.evidence_of("handover", id).await?,
            can_handle: self.can_handle_handover(ctx, &h),
            document,
            handover: h,
        })
    }

    fn can_handle_handover(&self, ctx: &Ctx, h: &Handover) -> bool {
        ctx.actor().is_ok_and(|a| super::brigade_staff(a, &h.brigade_path))
    }

    /// The brigade takes a handover up; the actor becomes its handler.
    pub async fn accept_handover(&self, ctx: &Ctx, id: &str, version: i64) -> Result<Handover> {
        let actor = ctx.actor()?;
        let mut h = self.get_handover(ctx, id).await?;
        if !self.can_handle_handover(ctx, &h) {
            return Err(DomainError::Rule(format!("移交事项由{}接收办理", h.brigade_name)));
        }
        h.accept((&actor.user_id, &actor.display_name), ctx.now)?;
        h.version = version;
        let work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::UpdateHandover(Box::new(h.clone()))))
            .change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: h.id.clone(),
                rule_codes: vec![deadline::HANDOVER_ACCEPT.code.into()],
                at: ctx.now,
            }))
            .audit(
                ctx.event(actions::HANDOVER_UPDATE, "handover", h.id.clone())
                    .detail(serde_json::json!({"step": "accept"})),
            );
        self.store.commit(work).await?;
        self.get_handover(ctx, id).await
    }

    /// The brigade records what a handover led to: a case, an inspection or a measure of the same unit, or
    /// no violation with the reasons.
    pub async fn conclude_handover(
        &self,
        ctx: &Ctx,
        id: &str,
        outcome: &str,
        reference: &str,
        note: &str,
        version: i64,
    ) -> Result<Handover> {
        let mut h = self.get_handover(ctx, id).await?;
        if !self.can_handle_handover(ctx, &h) {
            return Err(DomainError::Rule(format!("移交事项由{}接收办理", h.brigade_name)));
        }
        let outcome = HandoverOutcome::parse(outcome.trim())?;
        let reference = reference.trim();
        let reference = if reference.is_empty() { None } else { Some(reference.to_string()) };
        if let (Some(kind), Some(r)) = (outcome.reference(), reference.as_deref()) {
            let unit = match kind {
                "case" => self.store.case(r).await?.and_then(|c| c.party.unit_id),
                "inspection" => self.store.inspection(r).await?.map(|i| i.unit_id),
                _ => self.store.measure(r).await?.map(|m| m.unit_id),
            };
            if unit.as_deref() != Some(h.unit_id.as_str()) {
                return Err(DomainError::invalid("reference", "所选案件、检查记录或强制措施不是该单位的"));
            }
        }
        h.conclude(outcome, reference, note, ctx.now)?;
        h.version = version;
        let work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::UpdateHandover(Box::new(h.clone()))))
            .audit(ctx.event(actions::HANDOVER_UPDATE, "handover", h.id.clone()).detail(serde_json::json!({
                "step": "conclude", "outcome": outcome.code(), "reference": h.outcome_ref,
            })));
        self.store.commit(work).await?;
        self.get_handover(ctx, id).await
    }
}
