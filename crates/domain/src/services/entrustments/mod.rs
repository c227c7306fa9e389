//! 委托执法 as a service: the brigade signs, files, publishes and revokes agreements, records the training,
//! assessments and guidance it gives each town and the faults it finds; and every act a town officer
//! attempts passes [`Services::act_authority`], the scope guard shared by the web pages and the API.

mod acts;

pub use acts::{HandoverInput, HandoverView};
pub(crate) use acts::{may_review, town_act_changes, uncorrected_handover};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::audit::{Ctx, actions};
use crate::authz::{Perm, Role};
use crate::deadline::{self, Due};
use crate::document::{self, DocType, Document, Notice, NoticeTable};
use crate::entrustment::handover::Handover;
use crate::entrustment::oversight::{self, EntrustmentRecord, Progress, RecordKind, TownAct};
use crate::entrustment::{self, Act, EntrustedPower, EntrustmentAgreement, EntrustmentStatus, Target};
use crate::error::{DomainError, Result};
use crate::org::{Org, OrgId, OrgLevel, OrgPath};
use crate::ports::entrustment::EntrustmentChange;
use crate::ports::inspection::{Deadline, InspectionChange};
use crate::ports::{Change, UnitOfWork};
use crate::registry::unit::Unit;

use super::Services;

/// Under what authority an act is done.
#[derive(Debug, Clone)]
pub enum Authority {
    /// The brigade's own officers.
    Own,
    /// A town officer under this agreement, in the brigade's name.
    Entrusted(Box<EntrustmentAgreement>),
}

impl Authority {
    /// The agreement, when entrusted.
    pub fn agreement(&self) -> Option<&EntrustmentAgreement> {
        match self {
            Authority::Own => None,
            Authority::Entrusted(a) => Some(a),
        }
    }
}

/// A new agreement as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgreementInput {
    /// The town (an org of level 镇/街道 under the brigade).
    pub town_id: String,
    /// Power codes ([`EntrustedPower::code`]); empty = both.
    #[serde(default)]
    pub powers: Vec<String>,
    /// Signed on (`YYYY-MM-DD`).
    pub signed_on: String,
    /// First day in force (default: the signing day).
    #[serde(default)]
    pub starts_on: String,
    /// Term in months (default 12).
    #[serde(default)]
    pub months: Option<u32>,
    /// Who signed for the town.
    pub town_signatory: String,
    /// The agreement this renews.
    #[serde(default)]
    pub renews: Option<String>,
}

/// A training, guidance visit, assessment or fault as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordInput {
    /// `training`, `guidance`, `assessment`, `fault`.
    pub kind: String,
    /// On (`YYYY-MM-DD`).
    pub on: String,
    /// Days (training).
    #[serde(default)]
    pub days: u32,
    /// Topic, or what went wrong.
    pub topic: String,
    /// Officers concerned.
    #[serde(default)]
    pub officer_ids: Vec<String>,
    /// Score (assessment).
    #[serde(default)]
    pub score: Option<u32>,
    /// The town act (fault).
    #[serde(default)]
    pub act_id: Option<String>,
    /// Serious (fault).
    #[serde(default)]
    pub serious: bool,
}

/// A town officer as the brigade sees them.
#[derive(Debug, Clone, Serialize)]
pub struct TownOfficer {
    /// Account id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Certificate number.
    pub certificate: String,
    /// Certificate valid today.
    pub certified: bool,
    /// Training days attended under the agreement.
    pub training_days: u32,
    /// Best assessment score.
    pub score: Option<u32>,
    /// Certified and passed: may act.
    pub qualified: bool,
}

/// Counts of a town's acts (the yearly statistics count them apart from the brigade's own).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActCounts {
    /// Inspections.
    pub inspections: u32,
    /// Hazards found.
    pub hazards: u32,
    /// Returned for correction.
    pub returned: u32,
    /// Waiting for review.
    pub pending: u32,
    /// Archived.
    pub archived: u32,
    /// Handovers.
    pub handovers: u32,
    /// Faults.
    pub faults: u32,
    /// Serious faults.
    pub serious_faults: u32,
}

/// An agreement with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    /// The agreement.
    pub agreement: EntrustmentAgreement,
    /// In words, today.
    pub state: &'static str,
    /// Training and guidance against what is owed.
    pub progress: Progress,
    /// The town's officers.
    pub officers: Vec<TownOfficer>,
    /// Records, newest first.
    pub records: Vec<EntrustmentRecord>,
    /// Town acts, newest first.
    pub acts: Vec<TownAct>,
    /// Handovers, newest first.
    pub handovers: Vec<Handover>,
    /// Counts.
    pub counts: ActCounts,
    /// The agreement document.
    pub document: Option<Document>,
    /// The filing due date, while open.
    pub filing_due: Option<NaiveDate>,
    /// The actor may file, record and review (brigade).
    pub can_oversee: bool,
    /// The actor may revoke (机构负责人).
    pub can_revoke: bool,
    /// The actor is one of the town's officers.
    pub is_town: bool,
}

/// An agreement as the portal shows it (no personal data beyond the signatory's office).
#[derive(Debug, Clone, Serialize)]
pub struct PublicAgreement {
    /// Id.
    pub id: String,
    /// 委托机关.
    pub brigade: String,
    /// 受委托组织.
    pub town: String,
    /// 委托事项.
    pub powers: Vec<&'static str>,
    /// Term.
    pub starts_on: NaiveDate,
    /// Term end.
    pub ends_on: NaiveDate,
    /// State.
    pub state: &'static str,
    /// Revocation reason, when revoked.
    pub revoke_reason: String,
    /// The document's number.
    pub number: String,
}

impl Services {
    // ---- the scope guard ----

    /// Under what authority the actor may do `act` on `unit` today: the brigade's own, or a town's
    /// agreement after [`entrustment::check_act`] and the officer's qualification. Anyone else is refused.
    pub async fn act_authority(&self, ctx: &Ctx, act: Act, unit: &Unit) -> Result<Authority> {
        let target = Target { org_path: unit.org_path.clone(), key_unit: unit.key_unit.is_some() };
        self.act_authority_on(ctx, act, &target).await
    }

    /// [`Services::act_authority`] for a target known by its path and key-unit status.
    pub async fn act_authority_on(&self, ctx: &Ctx, act: Act, target: &Target) -> Result<Authority> {
        let actor = ctx.actor()?;
        if actor.can(Perm::EnforcementAct, &target.org_path) {
            return Ok(Authority::Own);
        }
        let Some(town) = self.town_of_actor(ctx, Some(&target.org_path)).await? else {
            tracing::info!(user = %actor.username, ?act, "no enforcement or entrusted permission");
            return Err(DomainError::Forbidden);
        };
        let today = ctx.now.local_date();
        let agreement = self.current_agreement(&town.id, today).await?;
        entrustment::check_act(agreement.as_ref(), act, target, today)?;
        let agreement = agreement.ok_or_else(|| DomainError::internal("checked agreement"))?;
        let me = self.store.account(&actor.user_id).await?.ok_or(DomainError::Unauthenticated)?;
        self.check_qualified(&agreement, &[me], today).await?;
        Ok(Authority::Entrusted(Box::new(agreement)))
    }

    /// Refuses a town officer an act that needs the brigade's own powers (a case, a seal, 三停, a major
    /// hazard), with the reason and where to hand it over; everyone else goes on to their usual checks.
    pub(crate) async fn refuse_beyond_entrustment(&self, ctx: &Ctx, act: Act, path: &OrgPath) -> Result<()> {
        let actor = ctx.actor()?;
        if actor.can(Perm::EnforcementAct, path)
            || actor.can(Perm::AgencyApprove, path)
            || !actor.has_role(Role::TownOfficer)
        {
            return Ok(());
        }
        self.act_authority_on(ctx, act, &Target { org_path: path.clone(), key_unit: false }).await.map(|_| ())
    }

    /// The town the actor is an officer of (the one containing `near`, else the first).
    pub async fn town_of_actor(&self, ctx: &Ctx, near: Option<&OrgPath>) -> Result<Option<Org>> {
        let actor = ctx.actor()?;
        let grants: Vec<_> = actor.grants.iter().filter(|g| g.role == Role::TownOfficer).collect();
        let grant = near.and_then(|p| grants.iter().find(|g| g.org_path.contains(p))).or_else(|| grants.first());
        match grant {
            Some(g) => self.store.org(&g.org_id).await,
            None => Ok(None),
        }
    }

    /// The agreement of a town that governs `day`: the one in force, else the latest (so that a refusal
    /// says it expired or was revoked).
    pub async fn current_agreement(&self, town_id: &OrgId, day: NaiveDate) -> Result<Option<EntrustmentAgreement>> {
        let all = self.store.agreements_of_town(town_id).await?;
        let in_force = all.iter().find(|a| a.in_force_on(day)).cloned();
        Ok(in_force.or_else(|| all.into_iter().find(|a| a.starts_on <= day)))
    }

    /// Every town officer acting must hold a valid certificate and have passed the brigade's assessment
    /// (行政处罚法第二十一条; 呼政办规〔2023〕3号 二（二）: 须经区消防救援大队培训考核).
    pub(crate) async fn check_qualified(
        &self,
        a: &EntrustmentAgreement,
        officers: &[Account],
        day: NaiveDate,
    ) -> Result<()> {
        let records = self.store.town_records(&a.town_id).await?;
        for o in officers {
            if !a.town_path.contains(&o.org_path) {
                return Err(DomainError::Rule(format!(
                    "{}不是{}的执法人员，不能参与委托执法",
                    o.display_name.as_str(),
                    a.town_name
                )));
            }
            crate::account::require_valid_certificate(o, day)?;
            let passed = records.iter().any(|r| r.passed() && r.officer_ids.contains(&o.id) && r.on <= day);
            if !passed {
                return Err(DomainError::Rule(format!(
                    "{}尚未通过{}组织的培训考核，不能实施委托执法（呼政办规〔2023〕3号 二（二））",
                    o.display_name.as_str(),
                    a.brigade_name
                )));
            }
        }
        Ok(())
    }

    /// The town officers of a town.
    pub async fn town_officer_accounts(&self, town_path: &OrgPath) -> Result<Vec<Account>> {
        let mut out = Vec::new();
        for a in self.store.accounts_in(std::slice::from_ref(town_path), None).await? {
            if self.store.grants_of(&a.id).await?.iter().any(|g| g.role == Role::TownOfficer) {
                out.push(a);
            }
        }
        Ok(out)
    }

    // ---- agreements ----

    /// Agreements the actor may see (brigade: its towns; town officer: their own).
    pub async fn agreements(&self, ctx: &Ctx) -> Result<Vec<EntrustmentAgreement>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.agreements_in(&scopes).await
    }

    /// An agreement the actor may see.
    pub async fn get_agreement(&self, ctx: &Ctx, id: &str) -> Result<EntrustmentAgreement> {
        let actor = ctx.actor()?;
        self.store
            .agreement(id)
            .await?
            .filter(|a| actor.can(Perm::RecordRead, &a.town_path))
            .ok_or(DomainError::NotFound("委托协议"))
    }

    /// The brigade signs an agreement with a town (机构负责人). The 行政执法委托协议书 is issued and numbered,
    /// the agreement is published on the portal, and the filing (5 working days), each quarter's guidance
    /// and the year's training go on the brigade's worklist, all in one transaction.
    pub async fn sign_agreement(&self, ctx: &Ctx, input: AgreementInput) -> Result<EntrustmentAgreement> {
        let actor = ctx.actor()?;
        let town = self
            .store
            .org(&OrgId(input.town_id.trim().into()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("town_id", "请选择受委托的镇（街道）"))?;
        if town.level != OrgLevel::Town {
            return Err(DomainError::invalid("town_id", "受委托组织应为镇人民政府或街道办事处"));
        }
        let brigade = self.agency_of(&town.path).await?;
        actor
            .require(Perm::AgencyApprove, &brigade.path)
            .map_err(|_| DomainError::Rule("行政执法委托协议应由委托机关的负责人签订".into()))?;
        let powers = if input.powers.is_empty() {
            EntrustedPower::ALL.to_vec()
        } else {
            let mut p = input.powers.iter().map(|c| EntrustedPower::parse(c.trim())).collect::<Result<Vec<_>>>()?;
            p.sort_by_key(|x| x.code());
            p.dedup();
            p
        };
        let today = ctx.now.local_date();
        let signed_on = crate::calendar::parse_date("signed_on", &input.signed_on)?;
        let starts_on = if input.starts_on.trim().is_empty() {
            signed_on
        } else {
            crate::calendar::parse_date("starts_on", &input.starts_on)?
        };
        let months = input.months.unwrap_or(entrustment::DEFAULT_TERM_MONTHS);
        entrustment::check_terms(&powers, signed_on, starts_on, months, today)?;
        let signatory = input.town_signatory.trim();
        if signatory.is_empty() || signatory.chars().count() > 50 {
            return Err(DomainError::invalid("town_signatory", "请填写受委托镇（街道）的签订人"));
        }
        let ends_on = entrustment::term_end(starts_on, months);
        // One agreement in force at a time: a renewal starts after the last one ends.
        for other in self.store.agreements_of_town(&town.id).await? {
            if other.status == EntrustmentStatus::InForce && other.starts_on <= ends_on && starts_on <= other.ends_on {
                return Err(DomainError::Rule(format!(
                    "{}已有{}至{}的委托协议；续签应在原协议期满后开始，或先解除原协议",
                    town.name.as_str(),
                    other.starts_on,
                    other.ends_on
                )));
            }
        }
        let renews = match input.renews.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => {
                let prev = self.get_agreement(ctx, id).await?;
                if prev.town_id != town.id {
                    return Err(DomainError::invalid("renews", "续签的原协议不是该镇（街道）的协议"));
                }
                Some(prev.id)
            }
            None => None,
        };
        let a = EntrustmentAgreement {
            id: crate::new_id(),
            brigade_id: brigade.id.clone(),
            brigade_path: brigade.path.clone(),
            brigade_name: brigade.name.as_str().into(),
            town_id: town.id.clone(),
            town_path: town.path.clone(),
            town_name: town.name.as_str().into(),
            powers,
            signed_on,
            starts_on,
            ends_on,
            status: EntrustmentStatus::InForce,
            filed_on: None,
            filed_with: String::new(),
            town_signatory: signatory.into(),
            signed_by_name: actor.display_name.clone(),
            published_at: Some(ctx.now),
            doc_id: None,
            renews,
            revoked_at: None,
            revoke_reason: String::new(),
            version: 1,
        };
        let cal = self.calendar_around(signed_on).await?;
        let town_ref = (a.town_id.0.as_str(), a.town_name.as_str());
        let row = |subject: String, d: Due| {
            super::measures::deadline_row(&brigade.id.0, "entrustment", &subject, town_ref, None, d, ctx.now)
        };
        let mut due: Vec<Deadline> =
            vec![row(a.id.clone(), deadline::ENTRUST_FILING.due_from_date(&cal, signed_on, None)?)];
        for (_, _, to) in oversight::quarters(a.starts_on, a.ends_on) {
            // One subject per quarter, so a visit meets its own quarter only; the page anchor follows `#`.
            let d = Due { rule: deadline::TOWN_GUIDANCE, due_on: to, due_at: None, warnings: vec![] };
            due.push(row(format!("{}#{}", a.id, to), d));
        }
        due.push(row(
            format!("{}#training", a.id),
            Due { rule: deadline::TOWN_TRAINING, due_on: a.ends_on, due_at: None, warnings: vec![] },
        ));
        let notice = agreement_notice(&a);
        let audit = ctx.event(actions::ENTRUSTMENT_SIGN, "entrustment", a.id.clone()).detail(serde_json::json!({
            "town": a.town_name, "powers": a.powers.iter().map(|p| p.code()).collect::<Vec<_>>(),
            "starts_on": a.starts_on, "ends_on": a.ends_on, "renews": a.renews,
        }));
        let agreement = a.clone();
        let extra = move |d: &Document| {
            let mut a = agreement.clone();
            a.doc_id = Some(d.id.clone());
            vec![
                Change::Entrustment(EntrustmentChange::InsertAgreement(Box::new(a))),
                Change::Inspection(InspectionChange::InsertDeadlines(due.clone())),
            ]
        };
        self.issue_document(
            ctx,
            &brigade,
            DocType::EntrustmentAgreement,
            ("entrustment", &a.id),
            (&a.town_id.0, &a.town_name),
            notice,
            &extra,
            vec![audit],
        )
        .await?;
        self.get_agreement(ctx, &a.id).await
    }

    /// Records the 备案 with the government and the brigade (due within 5 working days of signing).
    pub async fn file_agreement(
        &self,
        ctx: &Ctx,
        id: &str,
        on: &str,
        with: &str,
        version: i64,
    ) -> Result<EntrustmentAgreement> {
        let mut a = self.get_agreement(ctx, id).await?;
        self.require_oversight(ctx, &a)?;
        let on = crate::calendar::parse_date("filed_on", on)?;
        a.file(on, with, ctx.now.local_date())?;
        a.version = version;
        let work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::UpdateAgreement(Box::new(a.clone()))))
            .change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: a.id.clone(),
                rule_codes: vec![deadline::ENTRUST_FILING.code.into()],
                at: ctx.now,
            }))
            .audit(
                ctx.event(actions::ENTRUSTMENT_FILE, "entrustment", a.id.clone())
                    .detail(serde_json::json!({"filed_on": on, "filed_with": a.filed_with})),
            );
        self.store.commit(work).await?;
        self.get_agreement(ctx, id).await
    }

    /// The brigade revokes an agreement with reasons (机构负责人). From that moment the town can do nothing
    /// under it; the portal shows the revocation; the open duties of the agreement are closed.
    pub async fn revoke_agreement(
        &self,
        ctx: &Ctx,
        id: &str,
        reason: &str,
        version: i64,
    ) -> Result<EntrustmentAgreement> {
        let actor = ctx.actor()?;
        let mut a = self.get_agreement(ctx, id).await?;
        actor
            .require(Perm::AgencyApprove, &a.brigade_path)
            .map_err(|_| DomainError::Rule("解除委托协议应由委托机关的负责人决定".into()))?;
        a.revoke(reason, ctx.now)?;
        a.version = version;
        let mut work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::UpdateAgreement(Box::new(a.clone()))))
            .audit(
                ctx.event(actions::ENTRUSTMENT_REVOKE, "entrustment", a.id.clone())
                    .detail(serde_json::json!({"reason": a.revoke_reason})),
            );
        let mut subjects = vec![a.id.clone(), format!("{}#training", a.id)];
        subjects.extend(
            oversight::quarters(a.starts_on, a.ends_on).into_iter().map(|(_, _, to)| format!("{}#{}", a.id, to)),
        );
        for s in subjects {
            work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: s,
                rule_codes: vec![
                    deadline::ENTRUST_FILING.code.into(),
                    deadline::TOWN_GUIDANCE.code.into(),
                    deadline::TOWN_TRAINING.code.into(),
                ],
                at: ctx.now,
            }));
        }
        self.store.commit(work).await?;
        self.get_agreement(ctx, id).await
    }

    /// The brigade's officers and heads oversee its towns; the town's own officers do not.
    fn require_oversight(&self, ctx: &Ctx, a: &EntrustmentAgreement) -> Result<()> {
        if brigade_staff(ctx.actor()?, &a.brigade_path) { Ok(()) } else { Err(DomainError::Forbidden) }
    }

    /// Records a training, guidance visit, assessment or fault. A training that brings the term's days to
    /// [`entrustment::TRAINING_DAYS_PER_YEAR`] meets the year's duty; a visit meets its quarter's. Faults are recorded by the heads.
    pub async fn add_entrustment_record(
        &self,
        ctx: &Ctx,
        agreement_id: &str,
        input: RecordInput,
    ) -> Result<EntrustmentRecord> {
        let actor = ctx.actor()?;
        let a = self.get_agreement(ctx, agreement_id).await?;
        self.require_oversight(ctx, &a)?;
        let kind = RecordKind::parse(input.kind.trim())?;
        if kind == RecordKind::Fault
            && !actor.can(Perm::DeptApprove, &a.brigade_path)
            && !actor.can(Perm::AgencyApprove, &a.brigade_path)
        {
            return Err(DomainError::Rule("执法过错由大队承办部门负责人或机构负责人认定".into()));
        }
        let on = crate::calendar::parse_date("on", &input.on)?;
        let officers = self.town_officer_accounts(&a.town_path).await?;
        let mut ids = input.officer_ids.clone();
        ids.retain(|s| !s.trim().is_empty());
        ids.sort();
        ids.dedup();
        let mut names = Vec::new();
        for id in &ids {
            let o = officers
                .iter()
                .find(|o| &o.id == id)
                .ok_or_else(|| DomainError::invalid("officer_ids", format!("所选人员不是{}的执法人员", a.town_name)))?;
            names.push(o.display_name.as_str().to_string());
        }
        if let Some(act_id) = input.act_id.as_deref().filter(|s| !s.is_empty()) {
            let act = self.store.town_act(act_id).await?.filter(|t| t.agreement_id == a.id);
            if act.is_none() {
                return Err(DomainError::invalid("act_id", "所选执法行为不是该委托协议下的执法行为"));
            }
        }
        let r = EntrustmentRecord {
            id: crate::new_id(),
            agreement_id: a.id.clone(),
            town_id: a.town_id.clone(),
            kind,
            on,
            days: if kind == RecordKind::Training { input.days } else { 0 },
            topic: input.topic.trim().into(),
            officer_ids: ids,
            officer_names: names,
            score: input.score.filter(|_| kind == RecordKind::Assessment),
            act_id: input.act_id.filter(|s| kind == RecordKind::Fault && !s.is_empty()),
            serious: kind == RecordKind::Fault && input.serious,
            recorded_by: actor.user_id.clone(),
            recorded_by_name: actor.display_name.clone(),
            created_at: ctx.now,
        };
        oversight::check_record(&r, &a, ctx.now.local_date())?;
        let mut work = UnitOfWork::default()
            .change(Change::Entrustment(EntrustmentChange::InsertRecord(Box::new(r.clone()))))
            .audit(ctx.event(actions::ENTRUSTMENT_RECORD, "entrustment", a.id.clone()).detail(serde_json::json!({
                "kind": kind.code(), "on": on, "days": r.days, "officers": r.officer_names, "score": r.score, "serious": r.serious,
            })));
        match kind {
            RecordKind::Guidance => {
                if let Some((_, _, to)) =
                    oversight::quarters(a.starts_on, a.ends_on).into_iter().find(|(_, f, t)| *f <= on && on <= *t)
                {
                    work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                        subject_id: format!("{}#{}", a.id, to),
                        rule_codes: vec![deadline::TOWN_GUIDANCE.code.into()],
                        at: ctx.now,
                    }));
                }
            }
            RecordKind::Training => {
                let mut all = self.store.entrustment_records(&a.id).await?;
                all.push(r.clone());
                if oversight::progress(&a, &all, ctx.now.local_date()).training_days
                    >= entrustment::TRAINING_DAYS_PER_YEAR
                {
                    work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                        subject_id: format!("{}#training", a.id),
                        rule_codes: vec![deadline::TOWN_TRAINING.code.into()],
                        at: ctx.now,
                    }));
                }
            }
            RecordKind::Assessment | RecordKind::Fault => {}
        }
        self.store.commit(work).await?;
        Ok(r)
    }

    /// An agreement with its progress, officers, records, acts, handovers and counts.
    pub async fn agreement_view(&self, ctx: &Ctx, id: &str) -> Result<AgreementView> {
        let actor = ctx.actor()?;
        let a = self.get_agreement(ctx, id).await?;
        let today = ctx.now.local_date();
        // Assessments under earlier agreements still qualify an officer; the rest is this agreement's.
        let town_records = self.store.town_records(&a.town_id).await?;
        let records: Vec<EntrustmentRecord> = town_records.iter().filter(|r| r.agreement_id == a.id).cloned().collect();
        let officers = self
            .town_officer_accounts(&a.town_path)
            .await?
            .into_iter()
            .map(|o| {
                let certified = o.certificate.as_ref().is_some_and(|c| c.valid_on(today));
                let training_days = records
                    .iter()
                    .filter(|r| r.kind == RecordKind::Training && r.officer_ids.contains(&o.id))
                    .map(|r| r.days)
                    .sum();
                let mine = || {
                    town_records.iter().filter(|r| r.kind == RecordKind::Assessment && r.officer_ids.contains(&o.id))
                };
                let score = mine().filter_map(|r| r.score).max();
                TownOfficer {
                    qualified: certified && mine().any(|r| r.passed()),
                    id: o.id.clone(),
                    name: o.display_name.as_str().into(),
                    certificate: o.certificate.as_ref().map(|c| c.number.clone()).unwrap_or_default(),
                    certified,
                    training_days,
                    score,
                }
            })
            .collect();
        let scopes = vec![a.town_path.clone()];
        let acts = self.store.town_acts(&scopes, None, Some(&a.id), 1000).await?;
        let handovers: Vec<Handover> =
            self.store.handovers(&scopes, None, 1000).await?.into_iter().filter(|h| h.agreement_id == a.id).collect();
        let counts = act_counts(&acts, &handovers, &records);
        let document = match &a.doc_id {
            Some(d) => self.store.document(d).await?,
            None => None,
        };
        let filing_due = if a.filed_on.is_none() {
            self.store.deadlines_of(&a.id).await?.into_iter().find(|d| d.status == "open").map(|d| d.due_on)
        } else {
            None
        };
        let mut records_desc = records.clone();
        records_desc.reverse();
        Ok(AgreementView {
            state: a.state_label(today),
            progress: oversight::progress(&a, &records, today),
            can_oversee: self.require_oversight(ctx, &a).is_ok(),
            can_revoke: a.status == EntrustmentStatus::InForce && actor.can(Perm::AgencyApprove, &a.brigade_path),
            is_town: actor.grants.iter().any(|g| g.role == Role::TownOfficer && g.org_path.contains(&a.town_path)),
            officers,
            records: records_desc,
            acts,
            handovers,
            counts,
            document,
            filing_due,
            agreement: a,
        })
    }

    /// Published agreements for the portal (no login).
    pub async fn public_agreements(&self, today: NaiveDate) -> Result<Vec<PublicAgreement>> {
        let mut out = Vec::new();
        for a in self.store.published_agreements().await? {
            let number = match &a.doc_id {
                Some(d) => self.store.document(d).await?.map(|d| d.number.as_str().to_string()).unwrap_or_default(),
                None => String::new(),
            };
            out.push(PublicAgreement {
                id: a.id.clone(),
                brigade: a.brigade_name.clone(),
                town: a.town_name.clone(),
                powers: a.powers.iter().map(|p| p.label()).collect(),
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                state: a.state_label(today),
                revoke_reason: a.revoke_reason.clone(),
                number,
            });
        }
        Ok(out)
    }

    /// Towns the actor may sign an agreement with (机构负责人 of their brigade).
    pub async fn towns_to_entrust(&self, ctx: &Ctx) -> Result<Vec<Org>> {
        let actor = ctx.actor()?;
        let scopes = actor.scopes(Perm::AgencyApprove);
        Ok(self.store.orgs_in(&scopes).await?.into_iter().filter(|o| o.level == OrgLevel::Town && o.active).collect())
    }
}

/// Whether the actor is one of the brigade's officers or heads (who oversee its towns and take up what they
/// hand over).
pub(crate) fn brigade_staff(actor: &crate::authz::Actor, brigade_path: &OrgPath) -> bool {
    [Perm::EnforcementAct, Perm::DeptApprove, Perm::AgencyApprove].into_iter().any(|p| actor.can(p, brigade_path))
}

/// Counts of a town's acts, handovers and faults.
pub fn act_counts(acts: &[TownAct], handovers: &[Handover], records: &[EntrustmentRecord]) -> ActCounts {
    use crate::entrustment::oversight::ReviewStatus;
    let faults: Vec<_> = records.iter().filter(|r| r.kind == RecordKind::Fault).collect();
    ActCounts {
        inspections: acts.len() as u32,
        hazards: acts.iter().map(|a| a.hazards).sum(),
        returned: acts.iter().filter(|a| a.review == ReviewStatus::Returned).count() as u32,
        pending: acts.iter().filter(|a| a.review == ReviewStatus::Pending).count() as u32,
        archived: acts.iter().filter(|a| a.archived_at.is_some()).count() as u32,
        handovers: handovers.len() as u32,
        faults: faults.len() as u32,
        serious_faults: faults.iter().filter(|r| r.serious).count() as u32,
    }
}

/// The 行政执法委托协议书: the parties, the enumerated powers, territory and term, and the conditions of
/// 行政处罚法第二十条 and the county plan.
fn agreement_notice(a: &EntrustmentAgreement) -> Notice {
    let rows = a.powers.iter().enumerate().map(|(n, p)| vec![(n + 1).to_string(), p.label().into()]).collect();
    Notice {
        addressee: a.town_name.clone(),
        paragraphs: vec![format!(
            "根据《中华人民共和国行政处罚法》第二十条、第二十一条的规定，委托机关{}（甲方）与受委托组织{}（乙方）签订本协议。甲方委托乙方在{}辖区内，以甲方名义实施下列消防行政执法事项：",
            a.brigade_name, a.town_name, a.town_name
        )],
        table: Some(NoticeTable { headers: vec!["序号".into(), "委托事项".into()], rows }),
        closing: vec![
            format!(
                "一、委托期限自{}起至{}止。期限届满或者协议解除后，乙方不得再以甲方名义实施执法行为；续签的，另行签订协议。",
                document::chinese_date(a.starts_on),
                document::chinese_date(a.ends_on)
            ),
            "二、乙方不得对消防安全重点单位实施监督检查，不得作出行政处罚、临时查封、责令停产停业或者重大火灾隐患判定；发现上述事项及责令改正后逾期未改正的，应当连同证据移交甲方依法处理。".into(),
            "三、乙方不得将受委托的执法事项再委托其他组织或者个人实施；超越委托权限产生的法律后果由乙方承担。".into(),
            format!(
                "四、乙方执法人员应当取得行政执法证件并经甲方培训考核合格；所有执法行为必须全程录像，案卷在办理完毕后{}内归档备查。甲方每年组织乙方执法人员业务培训不少于{}天，每季度实地指导不少于{}次。",
                deadline::TOWN_ARCHIVE.span.describe(),
                entrustment::TRAINING_DAYS_PER_YEAR,
                entrustment::GUIDANCE_PER_QUARTER
            ),
            "五、甲方对乙方的执法行为进行监督；乙方执法行为存在过错、情节严重或者超越委托权限的，甲方可以解除本协议。".into(),
            format!(
                "六、本协议自签订之日起{}内报送本级人民政府和甲方备案，并向社会公布。",
                deadline::ENTRUST_FILING.span.describe()
            ),
        ],
        date: document::chinese_date(a.signed_on),
        signatures: vec![
            format!("甲方（盖章）：{}　　负责人：{}", a.brigade_name, a.signed_by_name),
            format!("乙方（盖章）：{}　　负责人：{}", a.town_name, a.town_signatory),
        ],
        ..Default::default()
    }
}
