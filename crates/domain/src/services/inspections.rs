//! 消防监督检查 as a service: recording an inspection with its findings, hazards, evidence and signatures;
//! the 复查 that closes or escalates the hazards; and the due dates each act starts.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::WorkCalendar;
use crate::deadline::{self, Due, Rule, Urgency};
use crate::entrustment::Act;
use crate::error::{DomainError, Result};
use crate::evidence::{self, Evidence, EvidenceKind};
use crate::inspection::checklist::{self, Checklist, ChecklistItem};
use crate::inspection::hazard::{self, Disposition, Escalation, Hazard, HazardDraft, HazardStatus};
use crate::inspection::kind::{self, InspectionKind};
use crate::inspection::record::{self, Finding, FindingResult, Inspection, Signature, SignerRole};
use crate::org::{Org, OrgId, OrgPath};
use crate::ports::inspection::{Deadline, HazardOutcome, InspectionChange, InspectionQuery};
use crate::ports::random_check::CheckChange;
use crate::ports::{Change, UnitOfWork};
use crate::random_check::plan::TaskResult;
use crate::time::Timestamp;

use super::Services;

/// An inspection as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InspectionInput {
    /// Unit.
    pub unit_id: String,
    /// Kind code.
    pub kind: String,
    /// Random-check task carried out.
    #[serde(default)]
    pub task_id: Option<String>,
    /// Inspection re-inspected.
    #[serde(default)]
    pub reinspection_of: Option<String>,
    /// Joint departments.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Campaign tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Start (RFC 3339 or `YYYY-MM-DDTHH:MM` local).
    pub started_at: String,
    /// End.
    pub ended_at: String,
    /// Officer account ids (at least two).
    pub officer_ids: Vec<String>,
    /// Unit's representative.
    #[serde(default)]
    pub representative: String,
    /// The unit refused to sign.
    #[serde(default)]
    pub refused_to_sign: bool,
    /// Witness.
    #[serde(default)]
    pub witness: String,
    /// Findings: checklist code → `pass` / `fail` / `not_applicable`, with notes.
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    /// Summary.
    #[serde(default)]
    pub summary: String,
    /// New hazards.
    #[serde(default)]
    pub hazards: Vec<HazardDraft>,
    /// For a 复查: what became of each due hazard.
    #[serde(default)]
    pub outcomes: Vec<OutcomeInput>,
    /// Evidence files uploaded for this record (photos, video, audio).
    #[serde(default)]
    pub evidence_ids: Vec<String>,
    /// Drawn signatures.
    #[serde(default)]
    pub signatures: Vec<SignatureInput>,
}

/// One finding as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FindingInput {
    /// Checklist code.
    pub code: String,
    /// `pass`, `fail`, `not_applicable`.
    pub result: String,
    /// Note.
    #[serde(default)]
    pub note: String,
}

/// A hazard's outcome at a 复查.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutcomeInput {
    /// Hazard.
    pub hazard_id: String,
    /// Rectified.
    pub rectified: bool,
    /// When not: `penalty`, `seal`, `stop`, `major`.
    #[serde(default)]
    pub escalation: String,
}

/// A signature as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignatureInput {
    /// `officer`, `representative`, `witness`.
    pub role: String,
    /// Name.
    pub name: String,
    /// Evidence file (PNG drawn on the screen).
    pub evidence_id: String,
}

/// What the record form needs.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionForm {
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Unit address.
    pub unit_address: String,
    /// The agency that inspects.
    pub agency: Org,
    /// Checklist items for the unit's venue kinds.
    pub items: Vec<ChecklistItem>,
    /// Officers who may inspect (certified, of the agency).
    pub officers: Vec<(String, String)>,
    /// Open hazards of the unit (a 复查 decides the due ones).
    pub open_hazards: Vec<Hazard>,
    /// The agreement a town officer acts under (the form becomes the 镇消防安全检查记录).
    pub entrusted: Option<crate::entrustment::EntrustmentAgreement>,
}

/// An inspection with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionDetail {
    /// The record.
    pub inspection: Inspection,
    /// Hazards found.
    pub hazards: Vec<Hazard>,
    /// Evidence files.
    pub evidence: Vec<Evidence>,
    /// Documents issued.
    pub documents: Vec<crate::document::Document>,
    /// Due dates.
    pub deadlines: Vec<WorkItem>,
    /// Hazards that still need a 责令限期改正通知书.
    pub unordered: usize,
    /// The actor may act on it.
    pub can_act: bool,
    /// The town act, when it was done under an entrustment.
    pub town_act: Option<crate::entrustment::oversight::TownAct>,
    /// The actor may review the town act (the brigade).
    pub can_review: bool,
    /// The actor is an officer of the town that did it.
    pub is_town: bool,
}

/// A due date as a worklist shows it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// The stored due date.
    pub deadline: Deadline,
    /// Its rule's name.
    pub rule_name: &'static str,
    /// Its rule's source.
    pub article: &'static str,
    /// How close.
    pub urgency: Urgency,
}

/// Parses a submitted instant: RFC 3339, or local `YYYY-MM-DDTHH:MM` (a browser's datetime-local field).
pub fn parse_instant(field: &str, s: &str) -> Result<Timestamp> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Timestamp(t.timestamp_millis()));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(Timestamp::from_local(n));
        }
    }
    Err(DomainError::invalid(field, "时间格式应为 年-月-日T时:分"))
}

/// The inspection settings: the checklist (CSV text) and the seal term rule, with the versions read.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionSettings {
    /// The checklist as CSV (`code,applies_to,item,basis`).
    pub checklist_csv: String,
    /// The seal term rule.
    pub seal_term_rule: crate::inspection::sealing::SealTermRule,
    /// Versions of [checklist, seal term rule] (0 = never saved: the shipped defaults).
    pub versions: [i64; 2],
}

impl Services {
    /// The inspection settings in force.
    pub async fn inspection_settings(&self) -> Result<InspectionSettings> {
        let (checklist_csv, v0) = match self.store.setting(checklist::SETTINGS_KEY).await? {
            Some((text, v)) => (serde_json::from_str(&text).map_err(DomainError::internal)?, v),
            None => (checklist::SHIPPED_CSV.to_string(), 0),
        };
        let v1 = self.store.setting(super::measures::SEAL_TERM_KEY).await?.map(|(_, v)| v).unwrap_or(0);
        Ok(InspectionSettings { checklist_csv, seal_term_rule: self.seal_term_rule().await?, versions: [v0, v1] })
    }

    /// Changes the checklist and the seal term rule (系统管理员 of the whole tree). The checklist is parsed
    /// first: a bad line is refused with its number and nothing is saved.
    pub async fn update_inspection_settings(
        &self,
        ctx: &Ctx,
        checklist_csv: &str,
        rule: &str,
        versions: [i64; 2],
    ) -> Result<InspectionSettings> {
        let actor = ctx.actor()?;
        actor.require(Perm::SettingsManage, &super::security::root_of(&actor.org_path))?;
        let list = Checklist::parse(checklist_csv)?;
        let rule: crate::inspection::sealing::SealTermRule = serde_json::from_value(serde_json::json!(rule))
            .map_err(|_| DomainError::invalid("seal_term_rule", "请选择临时查封期限的适用规定"))?;
        let before = self.inspection_settings().await?;
        let put = |key: &str, value: String, version: i64| Change::PutSetting {
            key: key.into(),
            value,
            expected_version: (version > 0).then_some(version),
            at: ctx.now,
        };
        let work = UnitOfWork::default()
            .change(put(checklist::SETTINGS_KEY, serde_json::json!(checklist_csv).to_string(), versions[0]))
            .change(put(super::measures::SEAL_TERM_KEY, serde_json::json!(rule).to_string(), versions[1]))
            .audit(ctx.event(actions::SETTINGS_UPDATE, "setting", "inspection").detail(serde_json::json!({
                "checklist_items": list.items.len(),
                "before": { "seal_term_rule": before.seal_term_rule, "checklist_items": Checklist::parse(&before.checklist_csv).map(|c| c.items.len()).unwrap_or(0) },
                "after": { "seal_term_rule": rule },
            })));
        self.store.commit(work).await?;
        self.inspection_settings().await
    }

    /// The jurisdiction's checklist: its own copy from the settings, else the shipped list. The stored text
    /// is read every time (another server may have changed it); it is parsed again only when it changed.
    pub async fn checklist(&self) -> Result<Arc<Checklist>> {
        match self.store.setting(checklist::SETTINGS_KEY).await? {
            Some((text, _)) => self.checklist_parsed.get(&text, |text| {
                let csv: String = serde_json::from_str(text).map_err(DomainError::internal)?;
                Checklist::parse(&csv)
            }),
            None => Ok(Checklist::shipped()),
        }
    }

    /// The agency (大队 or above) whose jurisdiction `path` lies in: it inspects, numbers documents and
    /// decides.
    pub async fn agency_of(&self, path: &OrgPath) -> Result<Org> {
        let ids: Vec<OrgId> = path.ids().collect();
        for id in ids.iter().rev() {
            if let Some(o) = self.store.org(id).await?
                && o.level.is_agency()
            {
                return Ok(o);
            }
        }
        Err(DomainError::Rule("该单位不在任何消防救援机构的辖区内".into()))
    }

    /// A calendar wide enough for the due dates of acts around `day`.
    pub async fn calendar_around(&self, day: NaiveDate) -> Result<WorkCalendar> {
        let from = day.checked_sub_days(chrono::Days::new(30)).unwrap_or(day);
        let to = day.checked_add_days(chrono::Days::new(240)).unwrap_or(day);
        self.work_calendar(from, to).await
    }

    /// What the record form needs for a unit.
    pub async fn inspection_form(&self, ctx: &Ctx, unit_id: &str) -> Result<InspectionForm> {
        let unit = self.get_unit(ctx, unit_id).await?;
        let entrusted = self.act_authority(ctx, Act::Inspect, &unit).await?.agreement().cloned();
        let agency = self.agency_of(&unit.org_path).await?;
        let today = ctx.now.local_date();
        let candidates = match &entrusted {
            Some(a) => self.town_officer_accounts(&a.town_path).await?,
            None => self.store.inspecting_officers(&agency.path).await?,
        };
        let officers = candidates
            .into_iter()
            .filter(|a| a.certificate.as_ref().is_some_and(|c| c.valid_on(today)))
            .map(|a| (a.id.clone(), a.display_name.as_str().to_string()))
            .collect();
        let items = self.checklist().await?.for_kinds(&unit.facts.venue_kinds).into_iter().cloned().collect();
        Ok(InspectionForm {
            unit_id: unit.id.clone(),
            unit_name: unit.facts.name.clone(),
            unit_address: unit.facts.address.clone(),
            agency,
            items,
            officers,
            open_hazards: self.store.open_hazards_of_unit(&unit.id).await?,
            entrusted,
        })
    }

    /// Records an inspection: checks the officers, times, signers, findings and hazards; for a 复查, decides
    /// every due hazard; attaches the evidence; and starts the due dates (order within 3 working days,
    /// rectification deadline, 复查 3 working days after it). One transaction with its audit record.
    pub async fn record_inspection(&self, ctx: &Ctx, input: InspectionInput) -> Result<Inspection> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, &input.unit_id).await?;
        let entrusted = self.act_authority(ctx, Act::Inspect, &unit).await?.agreement().cloned();
        let kind = InspectionKind::parse(input.kind.trim())?;
        if entrusted.is_some() && !matches!(kind, InspectionKind::Town | InspectionKind::Reinspection) {
            return Err(DomainError::invalid(
                "kind",
                "受委托的镇（街道）只能登记乡镇（街道）委托检查或复查，其他检查请移交消防救援大队",
            ));
        }
        let started_at = parse_instant("started_at", &input.started_at)?;
        let ended_at = parse_instant("ended_at", &input.ended_at)?;
        record::check_times(started_at, ended_at, ctx.now)?;
        let day = started_at.local_date();
        record::check_unit_side(&input.representative, input.refused_to_sign, &input.witness)?;
        let agency = self.agency_of(&unit.org_path).await?;
        let mut accounts: Vec<Account> = Vec::new();
        for id in &input.officer_ids {
            let a =
                self.store.account(id).await?.ok_or_else(|| DomainError::invalid("officer_ids", "检查人员不存在"))?;
            accounts.push(a);
        }
        let officers = match &entrusted {
            Some(a) => {
                self.check_qualified(a, &accounts, day).await?;
                record::check_officers(&accounts, day, &a.town_path)?
            }
            None => record::check_officers(&accounts, day, &agency.path)?,
        };
        let departments = kind::parse_departments(&input.departments)?;
        if kind == InspectionKind::Joint && departments.is_empty() {
            return Err(DomainError::invalid("departments", "联合检查应注明会同检查的部门"));
        }
        let tags = kind::parse_tags(&input.tags)?;
        let task = if kind == InspectionKind::RandomTask {
            let task_id = input.task_id.as_deref().unwrap_or("");
            let task = self
                .store
                .task(task_id)
                .await?
                .ok_or_else(|| DomainError::invalid("task_id", "双随机抽查应选择抽查任务"))?;
            if task.unit_id != unit.id {
                return Err(DomainError::invalid("task_id", "抽查任务的检查对象不是该单位"));
            }
            Some(task)
        } else {
            None
        };
        let list = self.checklist().await?;
        let findings = parse_findings(&list, &input.findings)?;
        let summary = input.summary.trim().to_string();
        if summary.chars().count() > 2000 {
            return Err(DomainError::invalid("summary", "检查情况不超过2000字"));
        }

        // 复查: every hazard due at this unit must be decided; hazards not due cannot be.
        let mut outcomes = Vec::new();
        let mut met: Vec<String> = Vec::new();
        let mut handed: Vec<Hazard> = Vec::new();
        if kind == InspectionKind::Reinspection {
            let open = self.store.open_hazards_of_unit(&unit.id).await?;
            let due: Vec<&Hazard> = open.iter().filter(|h| h.reinspection_due(day)).collect();
            if due.is_empty() {
                return Err(DomainError::Rule(
                    "该单位没有已到整改期限或已申请复查的隐患，不能登记复查（《消防监督检查规定》第十九条）".into(),
                ));
            }
            for o in &input.outcomes {
                if !due.iter().any(|h| h.id == o.hazard_id) {
                    return Err(DomainError::invalid("outcomes", "所列隐患不是本单位待复查的隐患"));
                }
            }
            for h in &due {
                let o = input.outcomes.iter().find(|o| o.hazard_id == h.id).ok_or_else(|| {
                    DomainError::invalid("outcomes", format!("请填写隐患“{}”的复查结果", short(&h.description)))
                })?;
                let (status, escalation) = if o.rectified {
                    (HazardStatus::Rectified, None)
                } else {
                    let e = Escalation::parse(o.escalation.trim()).map_err(|_| {
                        DomainError::invalid(
                            "outcomes",
                            format!("隐患“{}”逾期未改正，请选择处理方式", short(&h.description)),
                        )
                    })?;
                    // A town hands over what was not corrected; the brigade escalates itself.
                    if entrusted.is_some() != (e == Escalation::Handover) {
                        return Err(DomainError::invalid(
                            "outcomes",
                            if entrusted.is_some() {
                                "受委托的镇（街道）对逾期未改正的隐患只能移交消防救援大队处理"
                            } else {
                                "移交消防救援大队只适用于受委托的镇（街道）"
                            },
                        ));
                    }
                    if e == Escalation::Handover {
                        handed.push((*h).clone());
                    }
                    (HazardStatus::Escalated, Some(e))
                };
                outcomes.push(HazardOutcome {
                    hazard_id: h.id.clone(),
                    expected_version: h.version,
                    status,
                    escalation,
                    closed_by: None,
                    at: ctx.now,
                });
                met.push(h.id.clone());
            }
        } else if !input.outcomes.is_empty() {
            return Err(DomainError::invalid("outcomes", "只有复查才能登记原有隐患的整改结果"));
        }

        if input.hazards.len() > 100 {
            return Err(DomainError::invalid("hazards", "一次检查登记的隐患不超过100处"));
        }
        let inspection_id = crate::new_id();
        let mut hazards = Vec::new();
        for d in &input.hazards {
            let item = if d.item_code.trim().is_empty() {
                None
            } else {
                Some(list.item(d.item_code.trim()).ok_or_else(|| {
                    DomainError::invalid("hazards", format!("检查项目“{}”不存在", d.item_code.trim()))
                })?)
            };
            let terms = hazard::parse_terms(d, item.map(|i| i.basis.as_str()).unwrap_or(""), day)?;
            let tags = kind::parse_tags(&d.tags)?;
            hazards.push(Hazard {
                id: crate::new_id(),
                inspection_id: inspection_id.clone(),
                org_id: unit.facts.org_id.clone(),
                org_path: unit.org_path.clone(),
                unit_id: unit.id.clone(),
                unit_name: unit.facts.name.clone(),
                item_code: item.map(|i| i.code.clone()).unwrap_or_default(),
                description: terms.description,
                basis: terms.basis,
                tags,
                disposition: terms.disposition,
                difficulty: terms.difficulty,
                deadline: terms.deadline,
                found_on: day,
                status: match terms.disposition {
                    Disposition::OnSite => HazardStatus::CorrectedOnSite,
                    Disposition::Deadline => HazardStatus::Open,
                },
                applied_on: None,
                order_doc_id: None,
                closed_by: None,
                closed_at: None,
                escalation: None,
                version: 1,
            });
        }

        // Evidence uploaded for this record, and the signatures among it.
        let mut signatures = Vec::new();
        let mut evidence_ids: Vec<String> = input.evidence_ids.clone();
        for s in &input.signatures {
            let role = SignerRole::parse(s.role.trim())?;
            let name = s.name.trim();
            if name.is_empty() || name.chars().count() > 50 {
                return Err(DomainError::invalid("signatures", "请填写签名人姓名"));
            }
            signatures.push(Signature { role, name: name.into(), evidence_id: s.evidence_id.clone() });
            evidence_ids.push(s.evidence_id.clone());
        }
        evidence_ids.sort();
        evidence_ids.dedup();
        let mut videos = 0u32;
        for id in &evidence_ids {
            let e =
                self.store.evidence(id).await?.ok_or_else(|| DomainError::invalid("evidence_ids", "证据文件不存在"))?;
            if e.owner_type != PENDING || e.created_by != actor.user_id {
                return Err(DomainError::invalid("evidence_ids", format!("证据文件“{}”已归入其他记录", e.name)));
            }
            let is_sig = signatures.iter().any(|s| &s.evidence_id == id);
            if is_sig != (e.kind == EvidenceKind::Signature) {
                return Err(DomainError::invalid("signatures", "签名应为在屏幕上手写生成的签名图片"));
            }
            if e.kind == EvidenceKind::Video {
                videos += 1;
            }
        }
        // 呼政办规〔2023〕3号 三（四）: every act under entrustment is recorded on video from start to end.
        if entrusted.is_some() && videos == 0 {
            return Err(DomainError::invalid(
                "evidence_ids",
                "委托执法行为必须全程录像：请上传执法记录仪视频后再提交（呼政办规〔2023〕3号）",
            ));
        }

        let inspection = Inspection {
            id: inspection_id.clone(),
            org_id: unit.facts.org_id.clone(),
            org_path: unit.org_path.clone(),
            unit_id: unit.id.clone(),
            unit_name: unit.facts.name.clone(),
            unit_address: unit.facts.address.clone(),
            kind,
            task_id: input.task_id.clone().filter(|t| !t.is_empty() && kind == InspectionKind::RandomTask),
            reinspection_of: input.reinspection_of.clone().filter(|r| !r.is_empty()),
            departments,
            tags,
            started_at,
            ended_at,
            officers,
            representative: input.representative.trim().into(),
            refused_to_sign: input.refused_to_sign,
            witness: input.witness.trim().into(),
            findings,
            summary,
            signatures,
            hazard_count: hazards.len() as u32,
            created_by: actor.user_id.clone(),
            created_at: ctx.now,
            version: 1,
        };

        // Due dates: the order within 3 working days, then per hazard its deadline and the 复查 after it.
        let cal = self.calendar_around(day).await?;
        let lead = inspection.officers.first().map(|o| o.id.clone());
        let mut due: Vec<Deadline> = Vec::new();
        let unit_ref = (unit.id.as_str(), unit.facts.name.as_str());
        let mk = |subject_type: &str, subject_id: &str, d: Due| {
            super::measures::deadline_row(
                &unit.facts.org_id.0,
                subject_type,
                subject_id,
                unit_ref,
                lead.clone(),
                d,
                ctx.now,
            )
        };
        if hazards.iter().any(|h| h.disposition == Disposition::Deadline) {
            due.push(mk("inspection", &inspection_id, deadline::ORDER_SERVICE.due(&cal, started_at)?));
        }
        for h in hazards.iter().filter(|h| h.disposition == Disposition::Deadline) {
            let by = h.deadline.ok_or_else(|| DomainError::internal("deadline hazard without deadline"))?;
            due.push(mk("hazard", &h.id, rectify_due(by)));
            due.push(mk("hazard", &h.id, deadline::REINSPECTION.due_from_date(&cal, by, None)?));
        }

        let mut work = UnitOfWork::default();
        let outcome_detail: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| serde_json::json!({"hazard_id": o.hazard_id, "status": o.status.code(), "escalation": o.escalation.map(|e| e.code())}))
            .collect();
        work = work.audit(ctx.event(actions::INSPECTION_RECORD, "inspection", inspection_id.clone()).detail(
            serde_json::json!({
                "unit_id": unit.id, "unit_name": unit.facts.name, "kind": kind.code(),
                "officers": inspection.officers.iter().map(|o| &o.name).collect::<Vec<_>>(),
                "hazards": hazards.len(), "outcomes": outcome_detail,
            }),
        ));
        work = work.change(Change::Inspection(InspectionChange::InsertInspection {
            inspection: Box::new(inspection.clone()),
            hazards,
        }));
        for mut o in outcomes {
            o.closed_by = Some(inspection_id.clone());
            work = work.change(Change::Inspection(InspectionChange::HazardOutcome(o)));
        }
        for h in met {
            work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: h,
                rule_codes: vec![deadline::RECTIFY_BY.code.into(), deadline::REINSPECTION.code.into()],
                at: ctx.now,
            }));
        }
        // A random-check task gets its result from the record, unless one was already recorded or published.
        if let Some(task) = task.filter(|t| t.result.is_none() && t.published_at.is_none()) {
            let found = inspection.hazard_count;
            let (result, note) = if found == 0 {
                (TaskResult::NoProblem, "未发现火灾隐患".to_string())
            } else {
                (TaskResult::OrderedToCorrect, format!("发现火灾隐患{found}处，已责令改正"))
            };
            work = work
                .change(Change::Check(CheckChange::RecordResult {
                    task_id: task.id.clone(),
                    result,
                    note: note.clone(),
                    checked_on: day,
                    at: ctx.now,
                }))
                .audit(ctx.event(actions::TASK_RESULT, "check_task", task.id.clone()).detail(serde_json::json!({
                    "plan_id": task.plan_id, "result": result.code(), "checked_on": day.to_string(), "inspection_id": inspection_id,
                })));
        }
        if !evidence_ids.is_empty() {
            work = work.change(Change::Inspection(InspectionChange::AttachEvidence {
                evidence_ids,
                owner_type: "inspection".into(),
                owner_id: inspection_id.clone(),
            }));
        }
        if !due.is_empty() {
            work = work.change(Change::Inspection(InspectionChange::InsertDeadlines(due)));
        }
        if let Some(a) = &entrusted {
            for c in super::entrustments::town_act_changes(a, &inspection, videos, &cal, ctx.now)? {
                work = work.change(c);
            }
            if !handed.is_empty() {
                let refs: Vec<&Hazard> = handed.iter().collect();
                let by = (actor.user_id.as_str(), actor.display_name.as_str());
                for c in super::entrustments::uncorrected_handover(a, &inspection, &refs, by, &cal, ctx.now)? {
                    work = work.change(c);
                }
                work = work.audit(ctx.event(actions::HANDOVER_SUBMIT, "inspection", inspection_id.clone()).detail(
                    serde_json::json!({"unit": unit.facts.name, "reason": "uncorrected_hazard", "hazards": handed.len()}),
                ));
            }
        }
        self.store.commit(work).await?;
        Ok(inspection)
    }

    /// An inspection the actor may read.
    pub async fn get_inspection(&self, ctx: &Ctx, id: &str) -> Result<Inspection> {
        let actor = ctx.actor()?;
        self.store
            .inspection(id)
            .await?
            .filter(|i| actor.can(Perm::RecordRead, &i.org_path))
            .ok_or(DomainError::NotFound("监督检查记录"))
    }

    /// An inspection with its hazards, evidence, documents and due dates.
    pub async fn inspection_detail(&self, ctx: &Ctx, id: &str) -> Result<InspectionDetail> {
        let actor = ctx.actor()?;
        let inspection = self.get_inspection(ctx, id).await?;
        let hazards = self.store.hazards_of_inspection(id).await?;
        let mut deadlines = self.store.deadlines_of(id).await?;
        for h in &hazards {
            deadlines.extend(self.store.deadlines_of(&h.id).await?);
        }
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        let deadlines = deadlines.into_iter().map(|d| work_item(&cal, d, ctx.now)).collect();
        let unordered = hazards.iter().filter(|h| h.status == HazardStatus::Open && h.order_doc_id.is_none()).count();
        let town_act = self.store.town_act(id).await?;
        let town_can = town_act.as_ref().is_some_and(|t| actor.can(Perm::EntrustedAct, &t.town_path));
        Ok(InspectionDetail {
            can_act: actor.can(Perm::EnforcementAct, &inspection.org_path) || town_can,
            can_review: town_act.as_ref().is_some_and(|t| super::entrustments::may_review(actor, t)),
            is_town: town_can,
            town_act,
            evidence: self.store.evidence_of("inspection", id).await?,
            documents: self.store.documents_of(id).await?,
            inspection,
            hazards,
            deadlines,
            unordered,
        })
    }

    /// Inspections in the actor's jurisdiction, newest first (optionally of one unit).
    pub async fn inspections(&self, ctx: &Ctx, unit_id: Option<&str>, limit: u32) -> Result<Vec<Inspection>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store
            .inspections(&InspectionQuery { scopes, unit_id: unit_id.map(Into::into), officer_id: None, limit })
            .await
    }

    /// Hazards in the actor's jurisdiction.
    pub async fn hazards(&self, ctx: &Ctx, status: Option<HazardStatus>, limit: u32) -> Result<Vec<Hazard>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.hazards_in(&scopes, status, limit).await
    }

    /// A hazard the actor may read.
    pub async fn get_hazard(&self, ctx: &Ctx, id: &str) -> Result<Hazard> {
        let actor = ctx.actor()?;
        self.store
            .hazard(id)
            .await?
            .filter(|h| actor.can(Perm::RecordRead, &h.org_path))
            .ok_or(DomainError::NotFound("隐患"))
    }

    /// The party applies for a 复查 before the deadline: the 复查 is then due within 3 working days of the
    /// application (《消防监督检查规定》第十九条).
    pub async fn apply_for_reinspection(&self, ctx: &Ctx, hazard_id: &str, on: &str) -> Result<Hazard> {
        let actor = ctx.actor()?;
        let h = self.get_hazard(ctx, hazard_id).await?;
        let unit = self.get_unit(ctx, &h.unit_id).await?;
        self.act_authority(ctx, Act::OrderCorrection, &unit).await?;
        if h.status != HazardStatus::Open {
            return Err(DomainError::Rule("该隐患不在限期整改中，无需申请复查".into()));
        }
        let on = crate::calendar::parse_date("applied_on", on)?;
        deadline::require_not_before("applied_on", on, h.found_on, "申请复查日期")?;
        if on > ctx.now.local_date() {
            return Err(DomainError::invalid("applied_on", "申请复查日期不能晚于今天"));
        }
        let cal = self.calendar_around(on).await?;
        let due = deadline::REINSPECTION.due_from_date(&cal, on, None)?;
        let d = super::measures::deadline_row(
            &h.org_id.0,
            "hazard",
            &h.id,
            (&h.unit_id, &h.unit_name),
            Some(actor.user_id.clone()),
            due.clone(),
            ctx.now,
        );
        let work = UnitOfWork::default()
            .change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: h.id.clone(),
                rule_codes: vec![deadline::REINSPECTION.code.into()],
                at: ctx.now,
            }))
            .change(Change::Inspection(InspectionChange::HazardApplied { hazard_id: h.id.clone(), on }))
            .change(Change::Inspection(InspectionChange::InsertDeadlines(vec![d])))
            .audit(
                ctx.event(actions::HAZARD_APPLY, "hazard", h.id.clone())
                    .detail(serde_json::json!({"applied_on": on, "reinspect_by": due.due_on})),
            );
        self.store.commit(work).await?;
        self.get_hazard(ctx, hazard_id).await
    }

    /// Stores an evidence file uploaded before its record is saved (a phone uploads photos as they are
    /// taken). Checks size and type from the bytes, keeps the SM3 taken while it arrived, stores, records.
    pub async fn upload_evidence(
        &self,
        ctx: &Ctx,
        kind: &str,
        name: &str,
        caption: &str,
        file: evidence::IncomingFile,
    ) -> Result<Evidence> {
        let actor = ctx.actor()?;
        if !actor.has_anywhere(Perm::EnforcementAct) && !actor.has_anywhere(Perm::EntrustedAct) {
            return Err(DomainError::Forbidden);
        }
        let kind = EvidenceKind::parse(kind)?;
        let name = name.trim();
        let mime = evidence::check_upload(kind, name, file.size, &file.head)?;
        if caption.chars().count() > 200 {
            return Err(DomainError::invalid("caption", "说明不超过200字"));
        }
        let id = crate::new_id();
        let local = ctx.now.to_local();
        let key = format!("evidence/{}/{id}", local.format("%Y/%m"));
        self.files.put_file(&key, &file.path).await?;
        // A photo gets its print-sized copy now, while the officer is still on site, so that a document's
        // 照片附页 reads small files only.
        let print_copy = if kind == EvidenceKind::Photo && mime == "image/jpeg" {
            let original = self.files.get(&key).await?;
            let small = self.documents.photo_for_print(&original);
            let print_key = format!("{key}.print.jpg");
            let sm3 = self.crypto.digest(&small);
            self.files.put(&print_key, small).await?;
            Some((print_key, sm3))
        } else {
            None
        };
        let e = Evidence {
            print_copy,
            id: id.clone(),
            owner_type: PENDING.into(),
            owner_id: String::new(),
            kind,
            name: name.into(),
            mime: mime.into(),
            size: file.size as i64,
            sm3: file.sm3.clone(),
            storage_key: key.clone(),
            caption: caption.trim().into(),
            created_by: actor.user_id.clone(),
            created_at: ctx.now,
        };
        let audit = ctx
            .event(actions::EVIDENCE_UPLOAD, "evidence", id)
            .detail(serde_json::json!({"name": e.name, "kind": kind.code(), "size": e.size, "sm3": e.sm3}));
        self.store
            .commit(UnitOfWork::one(Change::Inspection(InspectionChange::InsertEvidence(e.clone())), audit))
            .await?;
        Ok(e)
    }

    /// An evidence file the actor may read, after checking that the stored bytes still hash to the SM3
    /// recorded at upload (read in pieces). The caller then sends it with [`crate::ports::FileStore::read_at`].
    pub async fn evidence_file(&self, ctx: &Ctx, id: &str) -> Result<Evidence> {
        let actor = ctx.actor()?;
        let e = self.store.evidence(id).await?.ok_or(DomainError::NotFound("证据文件"))?;
        let visible = if e.owner_type == PENDING {
            e.created_by == actor.user_id
        } else {
            self.evidence_owner_path(&e).await?.is_some_and(|p| actor.can(Perm::RecordRead, &p))
        };
        if !visible {
            return Err(DomainError::NotFound("证据文件"));
        }
        evidence::verify(&e.sm3, &evidence::stored_sm3(self.files.as_ref(), &e.storage_key).await?)?;
        Ok(e)
    }

    async fn evidence_owner_path(&self, e: &Evidence) -> Result<Option<OrgPath>> {
        Ok(match e.owner_type.as_str() {
            "inspection" => self.store.inspection(&e.owner_id).await?.map(|i| i.org_path),
            "measure" => self.store.measure(&e.owner_id).await?.map(|m| m.org_path),
            "handover" => self.store.handover(&e.owner_id).await?.map(|h| h.town_path),
            _ => None,
        })
    }

    /// The actor's worklist: open due dates assigned to them (`mine`), or all in their jurisdiction,
    /// soonest first, with overdue and due-soon marked.
    pub async fn worklist(&self, ctx: &Ctx, mine: bool, limit: u32) -> Result<Vec<WorkItem>> {
        let actor = ctx.actor()?;
        let scopes = actor.scopes(Perm::RecordRead);
        let q = crate::ports::inspection::DeadlineQuery {
            scopes,
            everywhere: false,
            assignee: mine.then(|| actor.user_id.clone()),
            open_only: true,
            due_by: None,
            limit,
        };
        let list = self.store.deadlines(&q).await?;
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        Ok(list.into_iter().map(|d| work_item(&cal, d, ctx.now)).collect())
    }

    /// The due dates of a subject the caller has already read (an inspection, a measure, a determination).
    pub async fn deadlines_of(&self, ctx: &Ctx, subject_id: &str) -> Result<Vec<WorkItem>> {
        ctx.actor()?;
        let cal = self.calendar_around(ctx.now.local_date()).await?;
        Ok(self.store.deadlines_of(subject_id).await?.into_iter().map(|d| work_item(&cal, d, ctx.now)).collect())
    }

    /// The daily job: an alert to the assignee of every open due date that is due soon or overdue (once
    /// per date and kind). Returns how many were raised.
    pub async fn raise_deadline_alerts(&self, ctx: &Ctx) -> Result<usize> {
        let today = ctx.now.local_date();
        let cal = self.calendar_around(today).await?;
        // Due within the due-soon window: at most a few calendar days ahead (a long holiday included).
        let horizon = today.checked_add_days(chrono::Days::new(12)).unwrap_or(today);
        let q = crate::ports::inspection::DeadlineQuery {
            scopes: vec![],
            everywhere: true,
            assignee: None,
            open_only: true,
            due_by: Some(horizon),
            limit: 2000,
        };
        let mut alerts = Vec::new();
        let mut known: std::collections::HashMap<String, Vec<(String, String)>> = std::collections::HashMap::new();
        for d in self.store.deadlines(&q).await? {
            let urgency = Urgency::of(&cal, d.due_on, d.due_at, ctx.now);
            let Some(user) = d.assignee_id.clone() else { continue };
            if urgency == Urgency::Later {
                continue;
            }
            if !known.contains_key(&user) {
                let mine = self.store.alerts_of(&user, false, 500).await?;
                known.insert(user.clone(), mine.into_iter().map(|a| (a.deadline_id, a.kind)).collect());
            }
            if known[&user].iter().any(|(id, k)| *id == d.id && k == urgency.code()) {
                continue;
            }
            let name = deadline::by_code(&d.rule_code).map(|r| r.name).unwrap_or("办理期限");
            alerts.push(crate::ports::inspection::Alert {
                id: crate::new_id(),
                user_id: user,
                deadline_id: d.id.clone(),
                kind: urgency.code().into(),
                message: format!("{}：{}，期限{}（{}）", d.unit_name, name, d.due_on, urgency.label()),
                created_at: ctx.now,
                read_at: None,
            });
        }
        let n = alerts.len();
        if n > 0 {
            let audit = ctx.event(actions::ALERTS_RAISE, "deadline", "daily").detail(serde_json::json!({"alerts": n}));
            self.store
                .commit(UnitOfWork::one(Change::Inspection(InspectionChange::InsertAlerts(alerts)), audit))
                .await?;
        }
        Ok(n)
    }

    /// The actor's alerts.
    pub async fn alerts(&self, ctx: &Ctx, unread_only: bool) -> Result<Vec<crate::ports::inspection::Alert>> {
        let actor = ctx.actor()?;
        self.store.alerts_of(&actor.user_id, unread_only, 100).await
    }
}

/// Owner type of evidence uploaded before its record is saved.
pub const PENDING: &str = "pending";

fn short(s: &str) -> String {
    s.chars().take(20).collect()
}

fn rectify_due(by: NaiveDate) -> Due {
    Due { rule: deadline::RECTIFY_BY, due_on: by, due_at: None, warnings: vec![] }
}

fn work_item(cal: &WorkCalendar, d: Deadline, now: Timestamp) -> WorkItem {
    let rule: Option<Rule> = deadline::by_code(&d.rule_code);
    WorkItem {
        urgency: if d.status == "open" { Urgency::of(cal, d.due_on, d.due_at, now) } else { Urgency::Later },
        rule_name: rule.map(|r| r.name).unwrap_or("办理期限"),
        article: rule.map(|r| r.article).unwrap_or(""),
        deadline: d,
    }
}

fn parse_findings(list: &Checklist, input: &[FindingInput]) -> Result<Vec<Finding>> {
    let mut out: Vec<Finding> = Vec::new();
    for f in input {
        let code = f.code.trim();
        let item =
            list.item(code).ok_or_else(|| DomainError::invalid("findings", format!("检查项目“{code}”不存在")))?;
        if out.iter().any(|o| o.code == code) {
            return Err(DomainError::invalid("findings", format!("检查项目{code}重复")));
        }
        if f.note.chars().count() > 500 {
            return Err(DomainError::invalid("findings", "检查项目说明不超过500字"));
        }
        out.push(Finding {
            code: code.into(),
            text: item.text.clone(),
            result: FindingResult::parse(f.result.trim())?,
            note: f.note.trim().into(),
        });
    }
    Ok(out)
}
