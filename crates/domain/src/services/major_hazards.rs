//! 重大火灾隐患 as a service: the determination under the GB 35181 version in force when the facts were
//! found, decided collectively; the 整改通知书 within 3 working days; the report to the government within 7
//! (17 with expert review); 挂牌督办 until the hazard is rectified and the supervision lifted. And
//! 隐患曝光: a redacted public notice approved by the agency head.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::collective::{Conclusion, DecisionDraft};
use crate::deadline;
use crate::document::{self, DocType, Document, Notice, NoticeTable};
use crate::error::{DomainError, Result};
use crate::inspection::exposure::{self, Exposure, ExposureStatus};
use crate::inspection::hazard::HazardStatus;
use crate::inspection::major_hazard::{self, Determination, MajorStatus};
use crate::ports::inspection::InspectionChange;
use crate::ports::{Change, UnitOfWork};

use super::Services;
use super::measures::deadline_row;

/// A determination as requested.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MajorInput {
    /// The inspection that found the facts.
    pub inspection_id: String,
    /// Standard version (default: the one in force on the inspection day).
    #[serde(default)]
    pub standard: String,
    /// Elements found: id and evidence note.
    pub elements: Vec<ElementFound>,
    /// Exclusions that apply.
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// Complex case sent to expert review.
    #[serde(default)]
    pub expert_review: bool,
    /// The collective decision.
    pub decision: DecisionDraft,
}

/// An element found, with where and how.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ElementFound {
    /// Element id (`D3`, `C12`).
    pub id: String,
    /// Evidence note.
    #[serde(default)]
    pub note: String,
}

impl Services {
    /// A determination the actor may read.
    pub async fn get_major(&self, ctx: &Ctx, id: &str) -> Result<Determination> {
        let actor = ctx.actor()?;
        self.store
            .major(id)
            .await?
            .filter(|m| actor.can(Perm::RecordRead, &m.org_path))
            .ok_or(DomainError::NotFound("重大火灾隐患"))
    }

    /// Determinations in the actor's jurisdiction.
    pub async fn majors(&self, ctx: &Ctx) -> Result<Vec<Determination>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.majors_in(&scopes, 200).await
    }

    /// Determines whether the facts found at an inspection make a 重大火灾隐患: applies the standard,
    /// records the collective decision, and when it is major issues the 整改通知书 and starts the report
    /// deadline (《消防监督检查规定》第二十条、第二十一条).
    pub async fn determine_major(&self, ctx: &Ctx, input: MajorInput) -> Result<(Determination, Option<Document>)> {
        let i = self.get_inspection(ctx, &input.inspection_id).await?;
        self.refuse_beyond_entrustment(ctx, crate::entrustment::Act::MajorHazard, &i.org_path).await?;
        let unit = self.get_unit(ctx, &i.unit_id).await?;
        let agency = self.agency_of(&i.org_path).await?;
        let std = if input.standard.trim().is_empty() {
            major_hazard::standard_on(i.date())?
        } else {
            major_hazard::standard(input.standard.trim())?
        };
        let classes = major_hazard::place_classes(&unit.facts.venue_kinds);
        let ids: Vec<String> = input.elements.iter().map(|e| e.id.trim().to_string()).collect();
        if ids.is_empty() && input.exclusions.is_empty() {
            return Err(DomainError::invalid("elements", "请选择检查发现的判定要素"));
        }
        let judgement = major_hazard::judge(std, &classes, &ids, &input.exclusions)?;
        let id = crate::new_id();
        let decision = self.collective_decision(ctx, &agency, ("major_hazard", &id), &input.decision)?;
        // The collective agrees with the standard's result or not; a major hazard needs both.
        let major = judgement.major && decision.conclusion == Conclusion::Approve;
        let d = Determination {
            id: id.clone(),
            org_id: i.org_id.clone(),
            org_path: i.org_path.clone(),
            unit_id: i.unit_id.clone(),
            unit_name: i.unit_name.clone(),
            inspection_id: i.id.clone(),
            standard: std.code.clone(),
            place_classes: classes.iter().map(|c| c.to_string()).collect(),
            elements: input.elements.iter().map(|e| (e.id.trim().to_string(), e.note.trim().to_string())).collect(),
            exclusions: input.exclusions.clone(),
            judgement: judgement.clone(),
            expert_review: input.expert_review,
            decision_id: decision.id.clone(),
            status: if major { MajorStatus::Determined } else { MajorStatus::NotMajor },
            reported_to: String::new(),
            reported_on: None,
            supervised_by: String::new(),
            supervised_on: None,
            lifted_on: None,
            lift_inspection_id: None,
            notice_doc_id: None,
            created_at: ctx.now,
            version: 1,
        };
        let audit = ctx.event(actions::MAJOR_DETERMINE, "major_hazard", id.clone()).detail(serde_json::json!({
            "unit": i.unit_name, "standard": std.code, "elements": ids, "basis": judgement.basis,
            "major": major, "conclusion": decision.conclusion.code(),
        }));
        if !major {
            let work = UnitOfWork::default()
                .change(Change::Inspection(InspectionChange::InsertDecision(decision)))
                .change(Change::Inspection(InspectionChange::InsertMajor(Box::new(d.clone()))))
                .audit(audit);
            self.store.commit(work).await?;
            return Ok((d, None));
        }
        let cal = self.calendar_around(i.date()).await?;
        let report = deadline::major_report(input.expert_review).due(&cal, i.started_at)?;
        let lead = Some(ctx.actor()?.user_id.clone());
        let unit_ref = (i.unit_id.as_str(), i.unit_name.as_str());
        let rows = vec![
            deadline_row(&i.org_id.0, "major_hazard", &id, unit_ref, lead.clone(), report, ctx.now),
            deadline_row(
                &i.org_id.0,
                "major_hazard",
                &id,
                unit_ref,
                lead,
                deadline::MAJOR_NOTICE.due(&cal, ctx.now)?,
                ctx.now,
            ),
        ];
        let hazards = self.store.hazards_of_inspection(&i.id).await?;
        let table_rows: Vec<Vec<String>> = d
            .elements
            .iter()
            .enumerate()
            .map(|(n, (eid, note))| {
                let text = std.element(eid).map(|e| e.text.clone()).unwrap_or_default();
                vec![(n + 1).to_string(), format!("{eid} {text}"), note.clone()]
            })
            .collect();
        let notice = Notice {
            addressee: i.unit_name.clone(),
            paragraphs: vec![format!(
                "{}于{}对你单位（场所）进行消防监督检查，发现存在下列火灾隐患。依据{}《{}》，经集体讨论，认定你单位（场所）存在重大火灾隐患：{}",
                agency.name.as_str(),
                document::chinese_date(i.date()),
                std.code,
                std.title,
                judgement.reason
            )],
            table: Some(NoticeTable {
                headers: vec!["序号".into(), "判定要素".into(), "具体情形".into()],
                rows: table_rows,
            }),
            closing: vec![
                format!(
                    "根据《中华人民共和国消防法》第五十五条和《消防监督检查规定》第二十一条的规定，请你单位（场所）立即制定整改方案，落实整改资金、责任和期限，在整改期间采取确保消防安全的措施。本机构已将该重大火灾隐患书面报告本级人民政府。{}",
                    if hazards.iter().any(|h| h.status == HazardStatus::Open) {
                        "本次检查发现的其他隐患，按责令限期改正通知书的要求改正。"
                    } else {
                        ""
                    }
                ),
                document::review_rights("通知", "通知"),
            ],
            date: document::chinese_date(ctx.now.local_date()),
            signatures: vec![document::receipt_line("被检查单位")],
            ..Default::default()
        };
        let (d2, dec2) = (d.clone(), decision);
        let extra = move |doc: &Document| {
            let doc_id = doc.id.as_str();
            let mut dd = d2.clone();
            dd.notice_doc_id = Some(doc_id.into());
            vec![
                Change::Inspection(InspectionChange::InsertDecision(dec2.clone())),
                Change::Inspection(InspectionChange::InsertMajor(Box::new(dd))),
                Change::Inspection(InspectionChange::InsertDeadlines(rows.clone())),
            ]
        };
        let doc = self
            .issue_document(
                ctx,
                &agency,
                DocType::MajorHazardNotice,
                ("major_hazard", &id),
                (&i.unit_id, &i.unit_name),
                notice,
                &extra,
                vec![audit],
            )
            .await?;
        Ok((Determination { notice_doc_id: Some(doc.id.clone()), ..d }, Some(doc)))
    }

    /// Records the written report to the 本级人民政府 (消防法第五十五条), meeting the 7-working-day rule.
    pub async fn report_major(&self, ctx: &Ctx, id: &str, to: &str, on: &str, version: i64) -> Result<Determination> {
        self.advance_major(
            ctx,
            id,
            version,
            |d, on, text| {
                if d.status != MajorStatus::Determined {
                    return Err(DomainError::Rule("只有已认定的重大火灾隐患需要报告政府".into()));
                }
                d.status = MajorStatus::Reported;
                d.reported_to = text;
                d.reported_on = Some(on);
                Ok(vec![deadline::MAJOR_REPORT.code])
            },
            to,
            on,
            "报告对象（本级人民政府）",
        )
        .await
    }

    /// Records 挂牌督办 by the government (or the agency).
    pub async fn supervise_major(
        &self,
        ctx: &Ctx,
        id: &str,
        by: &str,
        on: &str,
        version: i64,
    ) -> Result<Determination> {
        self.advance_major(
            ctx,
            id,
            version,
            |d, on, text| {
                if !matches!(d.status, MajorStatus::Determined | MajorStatus::Reported) {
                    return Err(DomainError::Rule("该重大火灾隐患不能挂牌督办".into()));
                }
                d.status = MajorStatus::Supervised;
                d.supervised_by = text;
                d.supervised_on = Some(on);
                Ok(vec![])
            },
            by,
            on,
            "挂牌督办单位",
        )
        .await
    }

    /// Lifts a major hazard after an inspection found it rectified (销案/摘牌).
    pub async fn lift_major(&self, ctx: &Ctx, id: &str, inspection_id: &str, version: i64) -> Result<Determination> {
        let d = self.get_major(ctx, id).await?;
        let i = self.get_inspection(ctx, inspection_id).await?;
        if i.unit_id != d.unit_id || i.started_at.0 < d.created_at.0 {
            return Err(DomainError::invalid("inspection_id", "请选择认定之后对该单位进行的复查"));
        }
        if self.store.open_hazards_of_unit(&d.unit_id).await?.iter().any(|h| h.inspection_id == i.id) {
            return Err(DomainError::Rule("该次检查仍发现未整改的隐患，不能销案".into()));
        }
        let on = i.date().to_string();
        let inspection = i.id.clone();
        self.advance_major(
            ctx,
            id,
            version,
            move |d, on, _| {
                if !matches!(d.status, MajorStatus::Reported | MajorStatus::Supervised | MajorStatus::Determined) {
                    return Err(DomainError::Rule("该重大火灾隐患不在整改督办中".into()));
                }
                d.status = MajorStatus::Lifted;
                d.lifted_on = Some(on);
                d.lift_inspection_id = Some(inspection.clone());
                Ok(vec![])
            },
            "复查合格",
            &on,
            "",
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn advance_major(
        &self,
        ctx: &Ctx,
        id: &str,
        version: i64,
        step: impl FnOnce(&mut Determination, NaiveDate, String) -> Result<Vec<&'static str>>,
        text: &str,
        on: &str,
        what: &str,
    ) -> Result<Determination> {
        let actor = ctx.actor()?;
        let mut d = self.get_major(ctx, id).await?;
        if !actor.can(Perm::EnforcementAct, &d.org_path) && !actor.can(Perm::AgencyApprove, &d.org_path) {
            return Err(DomainError::Forbidden);
        }
        let text = text.trim();
        if !what.is_empty() && (text.is_empty() || text.chars().count() > 100) {
            return Err(DomainError::invalid("to", format!("请填写{what}")));
        }
        let on = crate::calendar::parse_date("on", on)?;
        deadline::require_not_before("on", on, d.created_at.local_date(), "日期")?;
        if on > ctx.now.local_date() {
            return Err(DomainError::invalid("on", "日期不能晚于今天"));
        }
        let met = step(&mut d, on, text.to_string())?;
        d.version = version;
        let mut work = UnitOfWork::default()
            .change(Change::Inspection(InspectionChange::UpdateMajor(Box::new(d.clone()))))
            .audit(ctx.event(actions::MAJOR_UPDATE, "major_hazard", id).detail(serde_json::json!({
                "status": d.status.code(), "on": on, "text": text,
            })));
        if !met.is_empty() || d.status == MajorStatus::Lifted {
            work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: id.into(),
                rule_codes: met.iter().map(|c| c.to_string()).collect(),
                at: ctx.now,
            }));
        }
        self.store.commit(work).await?;
        Ok(Determination { version: version + 1, ..d })
    }

    /// Drafts a 隐患曝光 notice for a hazard; the text is checked for personal data.
    pub async fn draft_exposure(&self, ctx: &Ctx, hazard_id: &str, text: &str) -> Result<Exposure> {
        let actor = ctx.actor()?;
        let h = self.get_hazard(ctx, hazard_id).await?;
        actor.require(Perm::EnforcementAct, &h.org_path)?;
        let text = exposure::check_text(text)?;
        let unit = self.get_unit(ctx, &h.unit_id).await?;
        let agency = self.agency_of(&h.org_path).await?;
        let e = Exposure {
            id: crate::new_id(),
            org_id: h.org_id.clone(),
            org_path: h.org_path.clone(),
            agency: agency.name.as_str().into(),
            unit_id: h.unit_id.clone(),
            unit_name: unit.facts.name.clone(),
            unit_address: unit.facts.address.clone(),
            hazard_id: h.id.clone(),
            text,
            status: ExposureStatus::Draft,
            drafted_by: actor.display_name.clone(),
            approved_by: String::new(),
            published_at: None,
            withdraw_reason: String::new(),
            created_at: ctx.now,
            version: 1,
        };
        let audit = ctx
            .event(actions::EXPOSURE_SET, "exposure", e.id.clone())
            .detail(serde_json::json!({"status": "draft", "unit": e.unit_name}));
        self.store
            .commit(UnitOfWork::one(Change::Inspection(InspectionChange::InsertExposure(Box::new(e.clone()))), audit))
            .await?;
        Ok(e)
    }

    /// Approves and publishes a notice (agency head), or withdraws a published one with a reason.
    pub async fn decide_exposure(
        &self,
        ctx: &Ctx,
        id: &str,
        publish: bool,
        reason: &str,
        version: i64,
    ) -> Result<Exposure> {
        let actor = ctx.actor()?;
        let mut e = self
            .store
            .exposure(id)
            .await?
            .filter(|e| actor.can(Perm::RecordRead, &e.org_path))
            .ok_or(DomainError::NotFound("隐患曝光"))?;
        actor
            .require(Perm::AgencyApprove, &e.org_path)
            .map_err(|_| DomainError::Rule("隐患曝光应当经机构负责人审批".into()))?;
        match (publish, e.status) {
            (true, ExposureStatus::Draft) => {
                e.status = ExposureStatus::Published;
                e.approved_by = actor.display_name.clone();
                e.published_at = Some(ctx.now);
            }
            (false, ExposureStatus::Draft | ExposureStatus::Published) => {
                if reason.trim().chars().count() < 2 {
                    return Err(DomainError::invalid("reason", "请写明撤回理由"));
                }
                e.status = ExposureStatus::Withdrawn;
                e.withdraw_reason = reason.trim().into();
            }
            _ => return Err(DomainError::Rule(format!("该曝光{}，不能再操作", e.status.label()))),
        }
        e.version = version;
        let audit = ctx
            .event(actions::EXPOSURE_SET, "exposure", id)
            .detail(serde_json::json!({"status": e.status.code(), "reason": reason.trim()}));
        self.store
            .commit(UnitOfWork::one(Change::Inspection(InspectionChange::UpdateExposure(Box::new(e.clone()))), audit))
            .await?;
        Ok(Exposure { version: version + 1, ..e })
    }

    /// Notices in the actor's jurisdiction.
    pub async fn exposures(&self, ctx: &Ctx) -> Result<Vec<Exposure>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.exposures_in(&scopes, 200).await
    }

    /// Published notices, for the public portal.
    pub async fn public_exposures(&self) -> Result<Vec<Exposure>> {
        self.store.public_exposures(100).await
    }
}
