//! 行政处罚案件 as a service: opening a case (or deciding it on the spot under 简易程序), every step of
//! 普通程序 with its actor, document and due dates, and the publication of decisions. Each step reads the
//! case, asks [`crate::penalty::case`] whether it is lawful, and commits the next state, its documents, its
//! due dates and its audit record in one transaction, only if the case still has the version the user saw.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::{WorkCalendar, parse_date};
use crate::collective::{Conclusion, DecisionDraft};
use crate::deadline::{self, Due, Span};
use crate::document::{DocType, Document, SERVICE_METHODS};
use crate::error::{DomainError, Result};
use crate::identity::{IdCardNo, Phone};
use crate::inspection::record::check_officers;
use crate::penalty::Yuan;
use crate::penalty::case::{
    self, Approval, Case, CaseSource, CaseStatus, DecisionMade, Enforcement, Extension, Hearing, Party, PartyKind,
    Payment, Proposal, REMEDY_OUTCOMES, Remedy, Service, Statement, Transfer, TransferKind,
};
use crate::penalty::discretion::{Assessment, DiscretionBaseline, Severity};
use crate::penalty::leniency::LeniencyList;
use crate::penalty::notices;
use crate::penalty::procedure::{self, Circumstances, HearingThresholds, Procedure, Sanction};
use crate::penalty::publication::{self, Publication, PublicationStatus};
use crate::penalty::violation::Catalogue;
use crate::ports::case::{CaseChange, CaseQuery};
use crate::ports::inspection::InspectionChange;
use crate::ports::registry::{CreditRecord, RegistryChange};
use crate::ports::{Change, UnitOfWork};
use crate::time::Timestamp;

use super::Services;
use super::measures::deadline_row;

/// Settings key of the hearing thresholds (较大数额罚款, rules P9).
pub const HEARING_THRESHOLDS_KEY: &str = "hearing_thresholds";

/// Settings key of the discretion baseline loaded by the jurisdiction.
pub const BASELINE_KEY: &str = "discretion_baseline";

/// Settings key of the publication period of penalty decisions (working days).
pub const PUBLISH_DAYS_KEY: &str = "publish_decision_days";

/// A baseline as stored: its identity and its bands as CSV.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BaselineText {
    issuer: String,
    doc_no: String,
    effective: NaiveDate,
    region: String,
    csv: String,
}

impl BaselineText {
    fn parse(&self) -> Result<DiscretionBaseline> {
        DiscretionBaseline::parse(&self.issuer, &self.doc_no, self.effective, &self.region, &self.csv)
    }
}

/// The bands of a baseline as the CSV the settings page edits.
fn baseline_csv(b: &DiscretionBaseline) -> String {
    let mut out = String::from("violation_code,level,pct_min,pct_max\n");
    for band in &b.bands {
        out.push_str(&format!("{},{},{},{}\n", band.violation, band.level.label(), band.pct_min, band.pct_max));
    }
    out
}

/// The penalty settings.
#[derive(Debug, Clone, Serialize)]
pub struct PenaltySettings {
    /// The discretion baseline in force.
    pub baseline: DiscretionBaseline,
    /// Its bands as CSV.
    pub baseline_csv: String,
    /// Hearing thresholds.
    pub hearing: HearingThresholds,
    /// Publication period (working days).
    pub publish_days: u32,
    /// Versions read: [baseline, hearing thresholds, publication period] (0 = never saved).
    pub versions: [i64; 3],
}

/// The penalty settings as entered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PenaltySettingsInput {
    /// Issuing body of the baseline (e.g. 广东省消防救援总队).
    pub issuer: String,
    /// Its document number.
    pub doc_no: String,
    /// In force from (`YYYY-MM-DD`).
    pub effective: String,
    /// Region (全国, 广东省 …).
    pub region: String,
    /// Bands: `violation_code,level,pct_min,pct_max` (`*` for every violation without its own row).
    pub baseline_csv: String,
    /// 较大数额罚款 for a person.
    pub hearing_person: String,
    /// 较大数额罚款 for a unit.
    pub hearing_unit: String,
    /// Publication period (working days).
    pub publish_days: u32,
    /// Versions read.
    pub versions: [i64; 3],
}

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

/// The recommendation for a violation and level, for the case screen.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// Statutory range text.
    pub statutory: String,
    /// Recommended range.
    pub recommendation: Option<crate::penalty::discretion::Recommendation>,
    /// The leniency entry, if listed.
    pub leniency: Option<crate::penalty::leniency::Leniency>,
    /// Whether the violation is decided by the fire agency.
    pub fire_decides: bool,
    /// What else the article provides (拘留 etc.).
    pub measures: String,
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
    /// The violation catalogue in force.
    pub fn violations(&self) -> std::sync::Arc<Catalogue> {
        Catalogue::shipped()
    }

    /// The discretion baseline in force: the table a jurisdiction loaded (its province's published
    /// 裁量基准), else the shipped national framework.
    pub async fn baseline(&self) -> Result<DiscretionBaseline> {
        Ok(self.penalty_settings().await?.baseline)
    }

    /// The penalty settings in force, with the versions read.
    pub async fn penalty_settings(&self) -> Result<PenaltySettings> {
        let (baseline, v0) = match self.store.setting(BASELINE_KEY).await? {
            Some((text, v)) => {
                let t: BaselineText = serde_json::from_str(&text).map_err(DomainError::internal)?;
                (t.parse()?, v)
            }
            None => (DiscretionBaseline::shipped(), 0),
        };
        let v1 = self.store.setting(HEARING_THRESHOLDS_KEY).await?.map(|(_, v)| v).unwrap_or(0);
        let v2 = self.store.setting(PUBLISH_DAYS_KEY).await?.map(|(_, v)| v).unwrap_or(0);
        Ok(PenaltySettings {
            baseline_csv: baseline_csv(&baseline),
            baseline,
            hearing: self.hearing_thresholds().await?,
            publish_days: self.publication_days().await?,
            versions: [v0, v1, v2],
        })
    }

    /// Loads a discretion baseline, the hearing thresholds and the publication period (系统管理员 of the
    /// whole tree). The table is parsed first: a bad line is refused with its number and nothing is saved.
    /// Decisions keep the baseline they were made under.
    pub async fn update_penalty_settings(&self, ctx: &Ctx, input: PenaltySettingsInput) -> Result<PenaltySettings> {
        let actor = ctx.actor()?;
        actor.require(Perm::SettingsManage, &super::security::root_of(&actor.org_path))?;
        let text = BaselineText {
            issuer: text("issuer", &input.issuer, 2, 60, "裁量基准的制定机关")?,
            doc_no: text("doc_no", &input.doc_no, 2, 40, "裁量基准的文号")?,
            effective: parse_date("effective", &input.effective)?,
            region: text("region", &input.region, 2, 20, "适用地区")?,
            csv: input.baseline_csv.clone(),
        };
        let baseline = text.parse()?;
        let person = Yuan::parse("hearing_person", &input.hearing_person)?;
        let unit = Yuan::parse("hearing_unit", &input.hearing_unit)?;
        if person.0 == 0 || unit.0 == 0 {
            return Err(DomainError::invalid("hearing_unit", "听证的较大数额罚款标准应大于0"));
        }
        if !(1..=20).contains(&input.publish_days) {
            return Err(DomainError::invalid("publish_days", "公示期限应为1至20个工作日"));
        }
        let put = |key: &str, value: String, version: i64| Change::PutSetting {
            key: key.into(),
            value,
            expected_version: (version > 0).then_some(version),
            at: ctx.now,
        };
        let v = input.versions;
        let work = UnitOfWork::default()
            .change(put(BASELINE_KEY, serde_json::to_string(&text).map_err(DomainError::internal)?, v[0]))
            .change(put(HEARING_THRESHOLDS_KEY, serde_json::json!({"person": person, "unit": unit}).to_string(), v[1]))
            .change(put(PUBLISH_DAYS_KEY, input.publish_days.to_string(), v[2]))
            .audit(ctx.event(actions::SETTINGS_UPDATE, "setting", "penalty").detail(serde_json::json!({
                "baseline": format!("{}（{}）", baseline.issuer, baseline.doc_no), "bands": baseline.bands.len(),
                "hearing": {"person": person.0, "unit": unit.0}, "publish_days": input.publish_days,
            })));
        self.store.commit(work).await?;
        self.penalty_settings().await
    }

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

    /// The hearing thresholds (settings, default the 公安 analogue).
    pub async fn hearing_thresholds(&self) -> Result<HearingThresholds> {
        Ok(match self.store.setting(HEARING_THRESHOLDS_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => HearingThresholds::default(),
        })
    }

    /// What the baseline and lists say about a violation at a level.
    pub async fn advice(&self, violation_code: &str, severity: Severity) -> Result<Advice> {
        let cat = self.violations();
        let v = cat.get(violation_code).ok_or_else(|| DomainError::invalid("violation_code", "请选择违法行为"))?;
        Ok(Advice {
            statutory: if v.max.0 > 0 { format!("{}至{}", v.min, v.max) } else { "不处罚款".into() },
            recommendation: self.baseline().await?.recommend(v, severity).ok(),
            leniency: LeniencyList::shipped().find(violation_code).cloned(),
            fire_decides: v.decider == crate::penalty::violation::Decider::Fire,
            measures: v.measures.clone(),
        })
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
        for h in &input.co_handler_ids {
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
        let cal = self.calendar_around(today).await?;
        let me = (actor.user_id.clone(), actor.display_name.clone());
        let mut next = c.clone();
        let mut changes: Vec<Change> = Vec::new();
        let mut doc: Option<(DocType, crate::document::Notice)> = None;
        let mut detail = serde_json::json!({ "step": step, "from": c.status.code() });
        let approval = |step: &str, agree: bool, opinion: &str| Approval {
            step: step.into(),
            by: me.0.clone(),
            by_name: me.1.clone(),
            agree,
            opinion: opinion.into(),
            at: ctx.now,
        };
        let lead = Some(c.lead().id.clone());
        match step {
            "approve_filing" => {
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择是否同意立案"))?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审批意见")?;
                next.approvals.push(approval("filing", agree, &opinion));
                if agree {
                    next.status = CaseStatus::Investigating;
                    next.filed_at = Some(ctx.now);
                    let due = deadline::CASE_DECISION.due(&cal, ctx.now)?;
                    changes.push(case_due(&next, lead.clone(), due, ctx.now));
                    doc = Some((DocType::CaseFiling, notices::filing(&next, &me.1, &opinion, ctx.now)));
                } else {
                    next.status = CaseStatus::Rejected;
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
                    if c.preservation_open {
                        return Err(DomainError::Rule("已有先行登记保存的证据待处理，请先作出处理决定".into()));
                    }
                    next.preservation_open = true;
                    let due = deadline::PRESERVATION_DECIDE.due(&cal, ctx.now)?;
                    doc = Some((t, notices::preservation(&c, &body, &place, ctx.now, due.due_on)));
                    changes.push(case_due(&c, lead.clone(), due, ctx.now));
                } else {
                    let person = text("person", &input.person, 2, 60, what)?;
                    doc = Some((t, notices::record(&c, what, &person, &place, &body, ctx.now)));
                }
                if !input.evidence_ids.is_empty() {
                    changes.push(Change::Inspection(InspectionChange::AttachEvidence {
                        evidence_ids: input.evidence_ids.clone(),
                        owner_type: "case".into(),
                        owner_id: c.id.clone(),
                    }));
                }
                detail["kind"] = input.kind.clone().into();
            }
            "preservation_done" => {
                let body = text("text", &input.text, 4, 500, "对登记保存物品的处理决定")?;
                next.preservation_open = false;
                changes.push(meet(&c, &[deadline::PRESERVATION_DECIDE.code], ctx.now));
                detail["decision"] = body.into();
            }
            "propose" => {
                let p = self.proposal_of(&c, &input).await?;
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
                    .unwrap_or(crate::penalty::violation::Subject::Unit);
                next.hearing_right = p.no_penalty_basis.is_none()
                    && procedure::hearing_right(v_subject, &s, &self.hearing_thresholds().await?);
                if c.procedure == Procedure::Fast {
                    let circ = Circumstances {
                        facts_certain: true,
                        admitted_in_writing: input.admitted,
                        vulnerable_party: input.vulnerable,
                    };
                    procedure::check(Procedure::Fast, v_subject, &s, &circ, &self.hearing_thresholds().await?)?;
                }
                next.deliberation_reasons = case::deliberation_reasons(&p, false);
                detail["penalty"] = p.penalty_text().into();
                detail["assessment"] = serde_json::to_value(p.assessment).unwrap_or_default();
                next.proposal = Some(p);
                next.status = CaseStatus::ProposalReview;
            }
            "review_proposal" => {
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择是否同意"))?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审核意见")?;
                next.approvals.push(approval("proposal", agree, &opinion));
                if agree {
                    next.status = CaseStatus::Notified;
                    next.notified_at = Some(ctx.now);
                    let rule = if next.hearing_right { deadline::HEARING_REQUEST } else { deadline::STATEMENT };
                    let due = rule.due(&cal, ctx.now)?;
                    let t = if next.hearing_right { DocType::HearingRights } else { DocType::PenaltyNotice };
                    doc = Some((t, notices::intended_penalty(&next, ctx.now, due.due_on)));
                    changes.push(case_due(&next, lead.clone(), due, ctx.now));
                } else {
                    next.status = CaseStatus::Investigating;
                }
            }
            "statement" => {
                let on = parse_date("date", &input.date)?;
                if on > today || c.notified_at.is_some_and(|t| on < t.local_date()) {
                    return Err(DomainError::invalid("date", "收到陈述申辩的日期应在告知之后、今天之前"));
                }
                if input.hearing_requested {
                    case::check_hearing_request(&c, &cal, on)?;
                }
                if input.waived && input.hearing_requested {
                    return Err(DomainError::invalid("waived", "放弃陈述申辩和听证的，不能同时要求听证"));
                }
                let said = if input.waived {
                    text("text", &input.text, 0, 2000, "说明")?
                } else {
                    text("text", &input.text, 2, 4000, "陈述申辩内容")?
                };
                next.statement = Some(Statement {
                    received_on: on,
                    text: if said.is_empty() { "当事人书面放弃陈述、申辩和听证".into() } else { said },
                    waived: input.waived,
                    hearing_requested: input.hearing_requested,
                    adopted: input.adopted,
                });
                if input.hearing_requested {
                    next.status = CaseStatus::Hearing;
                    next.hearing = Some(Hearing {
                        requested_on: on,
                        notified_on: None,
                        date: None,
                        place: String::new(),
                        presider_id: String::new(),
                        presider_name: String::new(),
                        record: String::new(),
                        held: false,
                    });
                    changes.push(meet(&c, &[deadline::HEARING_REQUEST.code], ctx.now));
                }
                detail["hearing_requested"] = input.hearing_requested.into();
                detail["waived"] = input.waived.into();
            }
            "schedule_hearing" => {
                let date = parse_date("date", &input.date)?;
                let place = text("place", &input.place, 2, 100, "听证地点")?;
                let presider = self
                    .store
                    .account(input.presider_id.trim())
                    .await?
                    .filter(|a| a.org_path.contains(&agency.path) || agency.path.contains(&a.org_path))
                    .ok_or_else(|| DomainError::invalid("presider_id", "请选择本机构的听证主持人"))?;
                case::check_hearing_plan(&c, &cal, today, date, &presider.id)?;
                let h = next.hearing.get_or_insert_with(|| Hearing {
                    requested_on: today,
                    notified_on: None,
                    date: None,
                    place: String::new(),
                    presider_id: String::new(),
                    presider_name: String::new(),
                    record: String::new(),
                    held: false,
                });
                h.notified_on = Some(today);
                h.date = Some(date);
                h.place = place.clone();
                h.presider_id = presider.id.clone();
                h.presider_name = presider.display_name.as_str().into();
                doc = Some((
                    DocType::HearingNotice,
                    notices::hearing_notice(&c, date, &place, presider.display_name.as_str(), ctx.now),
                ));
            }
            "hold_hearing" => {
                let record = text("text", &input.text, 10, 10000, "听证笔录")?;
                let h = next.hearing.as_mut().ok_or_else(|| DomainError::Rule("尚未安排听证".into()))?;
                let date = h.date.ok_or_else(|| DomainError::Rule("尚未通知听证时间".into()))?;
                if today < date {
                    return Err(DomainError::Rule(format!("听证定于{date}举行，尚未到期")));
                }
                h.held = true;
                h.record = record.clone();
                let presider = h.presider_name.clone();
                if let Some(p) = &next.proposal {
                    next.deliberation_reasons = case::deliberation_reasons(p, true);
                }
                next.status = CaseStatus::LegalReview;
                doc = Some((DocType::HearingRecord, notices::hearing_record(&c, &presider, &record, date, ctx.now)));
            }
            "submit_review" => {
                if !case::statement_period_over(&c, &cal, today)? {
                    return Err(DomainError::Rule(format!(
                        "当事人陈述、申辩{}期限尚未届满，且未书面放弃",
                        if c.hearing_right { "和要求听证的" } else { "的" }
                    )));
                }
                changes.push(meet(&c, &[deadline::HEARING_REQUEST.code, deadline::STATEMENT.code], ctx.now));
                next.status = CaseStatus::LegalReview;
            }
            "legal_review" => {
                case::check_not_handler(&c, &me.0, "法制审核人员")?;
                let agree = input.agree.ok_or_else(|| DomainError::invalid("agree", "请选择审核结论"))?;
                let opinion = text("opinion", &input.opinion, 2, 2000, "审核意见")?;
                next.approvals.push(approval("legal_review", agree, &opinion));
                next.status = match (agree, next.deliberation_reasons.is_empty()) {
                    (false, _) => CaseStatus::Investigating,
                    (true, true) => CaseStatus::Approval,
                    (true, false) => CaseStatus::Deliberation,
                };
                doc = Some((DocType::LegalReview, notices::legal_review(&c, &me.1, agree, &opinion, ctx.now)));
            }
            "deliberate" => {
                let draft = DecisionDraft {
                    chair: input.chair.clone(),
                    attendees: input.attendees.clone(),
                    minutes: input.minutes.clone(),
                    conclusion: input.conclusion.clone(),
                };
                let d = self.collective_decision(ctx, &agency, ("case", id), &draft)?;
                let agree = d.conclusion == Conclusion::Approve;
                next.status = if agree { CaseStatus::Approval } else { CaseStatus::Investigating };
                next.deliberation_id = agree.then(|| d.id.clone());
                doc = Some((
                    DocType::Deliberation,
                    notices::deliberation(&c, &d.chair, &d.attendees, &d.minutes, agree, ctx.now),
                ));
                changes.push(Change::Inspection(InspectionChange::InsertDecision(d)));
            }
            "decide" => {
                case::check_not_handler(&c, &me.0, "作出决定的机构负责人")?;
                case::check_decision(&c, &cal, today)?;
                let opinion = text("opinion", &input.opinion, 2, 500, "审批意见")?;
                next.approvals.push(approval("decision", true, &opinion));
                next.status = CaseStatus::Decided;
                let no_penalty = c.proposal.as_ref().is_some_and(|p| p.no_penalty_basis.is_some());
                let t = if no_penalty { DocType::NoPenaltyDecision } else { DocType::PenaltyDecision };
                doc = Some((t, notices::decision(&c, ctx.now)));
                changes.push(meet(&c, &[deadline::CASE_DECISION.code], ctx.now));
                changes.push(case_due(&c, lead.clone(), deadline::DECISION_SERVICE.due(&cal, ctx.now)?, ctx.now));
            }
            "serve" => {
                let on = parse_date("date", &input.date)?;
                let decided = c.decision.as_ref().ok_or_else(|| DomainError::Rule("尚未作出决定".into()))?;
                if on > today || on < decided.at.local_date() {
                    return Err(DomainError::invalid("date", "送达日期应在决定之后、今天之前"));
                }
                let method = input.method.trim();
                if !SERVICE_METHODS.contains(&method) {
                    return Err(DomainError::invalid("method", "请选择送达方式"));
                }
                let receiver = text("receiver", &input.receiver, 2, 50, "受送达人（签收人）")?;
                next.service = Some(Service { on, method: method.into(), receiver: receiver.clone() });
                let fine =
                    c.proposal.as_ref().filter(|p| p.no_penalty_basis.is_none()).map(|p| p.fine).unwrap_or_default();
                next.status = if fine.0 > 0 { CaseStatus::Executing } else { CaseStatus::Performed };
                let d = self.store.document(&decided.doc_id).await?.ok_or(DomainError::NotFound("决定书"))?;
                changes.push(Change::Inspection(InspectionChange::ServeDocument {
                    id: d.id.clone(),
                    expected_version: d.version,
                    // Served today: now; on an earlier day: that morning, never before the decision.
                    at: if on == today {
                        ctx.now
                    } else {
                        Timestamp::start_of_local_day(on).plus_minutes(9 * 60).max(decided.at)
                    },
                    method: method.into(),
                    receiver: receiver.clone(),
                }));
                changes.push(meet(&c, &[deadline::DECISION_SERVICE.code], ctx.now));
                if fine.0 > 0 {
                    changes.push(case_due(&c, lead.clone(), deadline::PAYMENT.due_from_date(&cal, on, None)?, ctx.now));
                }
                doc = Some((
                    DocType::ServiceReceipt,
                    notices::service_receipt(&c, d.doc_type.title(), d.number.as_str(), method, &receiver, on),
                ));
            }
            "pay" => {
                let on = parse_date("date", &input.date)?;
                let p = c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due = self.payment_due(&c, &cal)?.ok_or_else(|| DomainError::Rule("本案没有应缴罚款".into()))?;
                if on > today || c.service.as_ref().is_some_and(|s| on < s.on) {
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
                next.payment = Some(Payment { paid_on: on, fine: p.fine, surcharge, receipt });
                next.status = CaseStatus::Performed;
                changes.push(meet(
                    &c,
                    &[deadline::PAYMENT.code, deadline::DEMAND_LEAD.code, deadline::ENFORCEMENT_APPLY.code],
                    ctx.now,
                ));
                detail["surcharge"] = surcharge.0.into();
            }
            "demand" => {
                let p = c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due = self.payment_due(&c, &cal)?.ok_or_else(|| DomainError::Rule("本案没有应缴罚款".into()))?;
                if today <= due {
                    return Err(DomainError::Rule(format!("缴款期限至{due}，尚未逾期，不能催告")));
                }
                if c.enforcement.is_some() {
                    return Err(DomainError::Rule("已经催告".into()));
                }
                let surcharge = case::late_surcharge(p.fine, due, today);
                next.enforcement = Some(Enforcement {
                    demanded_on: today,
                    surcharge_then: surcharge,
                    applied_on: None,
                    court: String::new(),
                    result: String::new(),
                });
                doc = Some((DocType::Demand, notices::demand(&c, surcharge, ctx.now)));
                changes.push(case_due(&c, lead.clone(), deadline::DEMAND_LEAD.due(&cal, ctx.now)?, ctx.now));
                if let Some(s) = &c.service {
                    let (_, closes) = case::enforcement_window(s.on);
                    let d = deadline::ENFORCEMENT_APPLY
                        .with_span(Span::CalendarDays(0))
                        .due_from_date(&cal, closes, None)?;
                    changes.push(case_due(&c, lead.clone(), d, ctx.now));
                }
            }
            "apply_enforcement" => {
                let e =
                    next.enforcement.as_mut().ok_or_else(|| DomainError::Rule("申请强制执行前应当先催告".into()))?;
                case::check_enforcement_application(e, today)?;
                let court = text("person", &input.person, 4, 60, "受理申请的人民法院")?;
                let p = c.proposal.as_ref().ok_or_else(|| DomainError::Rule("没有罚款".into()))?;
                let due = self.payment_due(&c, &cal)?.unwrap_or(today);
                let surcharge = case::late_surcharge(p.fine, due, today);
                e.applied_on = Some(today);
                e.court = court.clone();
                next.status = CaseStatus::Enforcement;
                changes.push(meet(&c, &[deadline::DEMAND_LEAD.code, deadline::ENFORCEMENT_APPLY.code], ctx.now));
                doc = Some((
                    DocType::EnforcementApplication,
                    notices::enforcement_application(&c, &court, surcharge, ctx.now),
                ));
            }
            "enforcement_result" => {
                let result = text("text", &input.text, 4, 500, "法院执行结果")?;
                if let Some(e) = next.enforcement.as_mut() {
                    e.result = result;
                }
                next.status = CaseStatus::Performed;
                changes.push(meet(&c, &[deadline::PAYMENT.code], ctx.now));
            }
            "extend" => {
                let days = input.days.filter(|d| (1..=case::EXTENSION_MAX_DAYS).contains(d)).ok_or_else(|| {
                    DomainError::invalid("days", format!("延长天数应为1至{}日", case::EXTENSION_MAX_DAYS))
                })?;
                let reason = text("text", &input.text, 4, 500, "延长理由")?;
                let level = case::extension_level(c.extensions.len())?;
                if c.extensions.len() == 1 {
                    // The second extension is approved by the level above the handling agency.
                    let parent =
                        agency.parent_id.as_ref().ok_or_else(|| DomainError::Rule("没有上一级消防救援机构".into()))?;
                    let parent = self.store.org(parent).await?.ok_or(DomainError::NotFound("上级机构"))?;
                    if !actor.can(Perm::AgencyApprove, &parent.path) {
                        return Err(DomainError::Rule("第二次延长办案期限应当报上一级消防救援机构负责人批准".into()));
                    }
                }
                next.extensions.push(Extension {
                    days,
                    reason,
                    by: me.0.clone(),
                    by_name: me.1.clone(),
                    level: level.into(),
                    at: ctx.now,
                });
                let filed = c.filed_at.ok_or_else(|| DomainError::Rule("尚未立案".into()))?;
                let until = case::decide_by(&cal, filed.local_date(), &next.extensions)?;
                changes.push(meet(&c, &[deadline::CASE_DECISION.code], ctx.now));
                changes.push(case_due(
                    &c,
                    lead.clone(),
                    Due { rule: deadline::CASE_DECISION, due_on: until, due_at: None, warnings: vec![] },
                    ctx.now,
                ));
                detail["until"] = until.to_string().into();
            }
            "transfer" => {
                let kind = TransferKind::parse(input.kind.trim())?;
                let receiver = text("person", &input.person, 4, 60, "接收移送的机关")?;
                let reason = text("text", &input.text, 10, 2000, "移送理由")?;
                // 拘留 is the police's; the fire agency's own penalty (the fine) goes on.
                let continues = kind == TransferKind::Detention;
                next.transfer = Some(Transfer {
                    kind,
                    receiver: receiver.clone(),
                    reason: reason.clone(),
                    at: ctx.now,
                    case_continues: continues,
                    outcome: String::new(),
                });
                if !continues {
                    next.status = CaseStatus::Transferred;
                    changes.push(meet(&c, &[], ctx.now));
                }
                if kind == TransferKind::Crime {
                    changes.push(case_due(&c, lead.clone(), deadline::TRANSFER_CRIME.due(&cal, ctx.now)?, ctx.now));
                }
                doc = Some((DocType::TransferNotice, notices::transfer(&c, kind, &receiver, &reason, ctx.now)));
                detail["kind"] = kind.code().into();
            }
            "transfer_outcome" => {
                let outcome = text("outcome", &input.outcome, 2, 500, "接收机关的处理结果")?;
                if let Some(t) = next.transfer.as_mut() {
                    t.outcome = outcome;
                }
                changes.push(meet(&c, &[deadline::TRANSFER_CRIME.code], ctx.now));
                if c.status == CaseStatus::Transferred {
                    next.status = CaseStatus::Closed;
                    next.closed_at = Some(ctx.now);
                    changes.push(case_due(&c, lead.clone(), deadline::CASE_ARCHIVE.due(&cal, ctx.now)?, ctx.now));
                }
            }
            "remedy" => {
                let kind = match input.kind.as_str() {
                    "reconsideration" | "litigation" => input.kind.clone(),
                    _ => return Err(DomainError::invalid("kind", "请选择行政复议或行政诉讼")),
                };
                let on = parse_date("date", &input.date)?;
                let body = text("person", &input.person, 2, 60, "复议机关或人民法院")?;
                next.remedies.push(Remedy {
                    kind: kind.clone(),
                    filed_on: on,
                    body,
                    outcome: String::new(),
                    decided_on: None,
                });
                if kind == "reconsideration" {
                    changes.push(case_due(
                        &c,
                        lead.clone(),
                        deadline::REVIEW_DECISION.due_from_date(&cal, on, None)?,
                        ctx.now,
                    ));
                }
            }
            "remedy_outcome" => {
                let (code, label, stops) = REMEDY_OUTCOMES
                    .iter()
                    .copied()
                    .find(|(c, _, _)| *c == input.outcome.trim())
                    .ok_or_else(|| DomainError::invalid("outcome", "请选择复议或诉讼结果"))?;
                let r = next
                    .remedies
                    .iter_mut()
                    .find(|r| r.outcome.is_empty())
                    .ok_or_else(|| DomainError::Rule("没有待结果的复议或诉讼".into()))?;
                r.outcome = code.into();
                r.decided_on = Some(today);
                changes.push(meet(&c, &[deadline::REVIEW_DECISION.code], ctx.now));
                if stops {
                    if let Some(d) = next.decision.as_mut() {
                        d.revoked = true;
                    }
                    // A published decision is withdrawn within 3 working days (行政处罚法第四十八条第二款).
                    if let Some(p) = self.store.publication_of_case(id).await?
                        && p.status == PublicationStatus::Published
                    {
                        changes.push(case_due(
                            &c,
                            lead.clone(),
                            deadline::PUBLISH_WITHDRAW.due(&cal, ctx.now)?,
                            ctx.now,
                        ));
                    }
                }
                detail["outcome"] = label.into();
            }
            "close" => {
                let summary = text("text", &input.text, 4, 2000, "结案理由")?;
                next.status = CaseStatus::Closed;
                next.closed_at = Some(ctx.now);
                next.approvals.push(approval("closing", true, &summary));
                doc = Some((DocType::ClosingReport, notices::closing_report(&c, &summary, ctx.now)));
                changes.push(case_due(&c, lead.clone(), deadline::CASE_ARCHIVE.due(&cal, ctx.now)?, ctx.now));
            }
            "archive" => {
                next.status = CaseStatus::Archived;
                next.archived_at = Some(ctx.now);
                changes.push(meet(&c, &[], ctx.now));
            }
            _ => return Err(DomainError::NotFound("办案环节")),
        }
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

    /// Working days within which penalty decisions are published (the 业务设置 value, default 7).
    pub async fn publication_days(&self) -> Result<u32> {
        Ok(match self.store.setting(PUBLISH_DAYS_KEY).await? {
            Some((v, _)) => v.trim().parse().map_err(DomainError::internal)?,
            None => match deadline::PUBLISH_DECISION.span {
                Span::WorkingDays(n) => n,
                _ => 7,
            },
        })
    }

    /// A publication the actor may read.
    pub async fn get_publication(&self, ctx: &Ctx, id: &str) -> Result<Publication> {
        let actor = ctx.actor()?;
        self.store
            .publication(id)
            .await?
            .filter(|p| actor.can(Perm::RecordRead, &p.org_path))
            .ok_or(DomainError::NotFound("处罚决定公示"))
    }

    /// Publications in the actor's jurisdiction.
    pub async fn publications(&self, ctx: &Ctx) -> Result<Vec<Publication>> {
        self.store.publications_in(&ctx.actor()?.scopes(Perm::RecordRead), 200).await
    }

    /// Approves and publishes a decision after the preview: by a legal reviewer or the head, never the
    /// handler, and only when the scanner finds nothing.
    pub async fn publish_decision(&self, ctx: &Ctx, id: &str, version: i64) -> Result<Publication> {
        let actor = ctx.actor()?;
        let p = self.get_publication(ctx, id).await?;
        if !actor.can(Perm::LegalReview, &p.org_path) && !actor.can(Perm::AgencyApprove, &p.org_path) {
            return Err(DomainError::Rule("公示内容应由法制审核人员或者机构负责人审核发布".into()));
        }
        if p.status != PublicationStatus::Draft {
            return Err(DomainError::Rule(format!("该公示{}", p.status.label())));
        }
        let c = self.store.case(&p.case_id).await?.ok_or(DomainError::NotFound("案件"))?;
        if c.is_handler(&actor.user_id) {
            return Err(DomainError::Rule("本案承办人不能审核发布本案的公示".into()));
        }
        if c.decision.as_ref().is_some_and(|d| d.revoked) {
            return Err(DomainError::Rule("该决定已被撤销或变更，不能公示".into()));
        }
        publication::check(&p.content)?;
        let next = Publication {
            status: PublicationStatus::Published,
            approved_by: Some(actor.display_name.clone()),
            published_at: Some(ctx.now),
            version,
            ..p.clone()
        };
        let work = UnitOfWork::default()
            .change(Change::Case(CaseChange::UpdatePublication(Box::new(next.clone()))))
            .change(meet(&c, &[deadline::PUBLISH_DECISION.code], ctx.now))
            .audit(ctx.event(actions::CASE_PUBLICATION, "case_publication", id).detail(serde_json::json!({
                "action": "publish", "case": c.id, "number": p.content.number,
            })));
        self.store.commit(work).await?;
        Ok(Publication { version: version + 1, ..next })
    }

    /// Withdraws a published decision, with the reason shown on the portal (行政处罚法第四十八条第二款).
    pub async fn withdraw_decision(&self, ctx: &Ctx, id: &str, reason: &str, version: i64) -> Result<Publication> {
        let actor = ctx.actor()?;
        let p = self.get_publication(ctx, id).await?;
        if !actor.can(Perm::LegalReview, &p.org_path) && !actor.can(Perm::AgencyApprove, &p.org_path) {
            return Err(DomainError::Forbidden);
        }
        if p.status != PublicationStatus::Published {
            return Err(DomainError::Rule("只有已公示的决定可以撤回".into()));
        }
        let reason = text("reason", reason, 4, 200, "撤回原因")?;
        let c = self.store.case(&p.case_id).await?.ok_or(DomainError::NotFound("案件"))?;
        let next = Publication {
            status: PublicationStatus::Withdrawn,
            withdrawn_at: Some(ctx.now),
            withdraw_reason: reason.clone(),
            version,
            ..p
        };
        let work = UnitOfWork::default()
            .change(Change::Case(CaseChange::UpdatePublication(Box::new(next.clone()))))
            .change(meet(&c, &[deadline::PUBLISH_WITHDRAW.code], ctx.now))
            .audit(ctx.event(actions::CASE_PUBLICATION, "case_publication", id).detail(serde_json::json!({
                "action": "withdraw", "case": c.id, "reason": reason,
            })));
        self.store.commit(work).await?;
        Ok(Publication { version: version + 1, ..next })
    }

    /// The public list of published decisions (no login).
    pub async fn public_decisions(&self, q: Option<&str>, page: u32) -> Result<(Vec<Publication>, u64)> {
        let q = q.map(|s| s.chars().take(40).collect::<String>());
        self.store.public_decisions(q.as_deref(), 20, page.saturating_sub(1) * 20).await
    }

    /// One published (or withdrawn, with its reason) decision, for the portal.
    pub async fn public_decision(&self, id: &str) -> Result<Publication> {
        self.store
            .publication(id)
            .await?
            .filter(|p| p.status != PublicationStatus::Draft)
            .ok_or(DomainError::NotFound("处罚决定公示"))
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

/// What a decision brings with it, in the same commit: the unit's credit record (registry) and, for a
/// penalty decided under 普通程序 or 快速办理, the publication draft with its due date. A 简易程序 decision
/// and a no-penalty decision are not published (行政处罚法第四十八条: decisions with 一定社会影响).
fn decision_effects(c: &Case, agency: &str, publish_due: Option<Due>, now: Timestamp) -> Vec<Change> {
    let (Some(d), Some(p)) = (&c.decision, &c.proposal) else { return Vec::new() };
    if p.no_penalty_basis.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(unit_id) = &c.party.unit_id {
        out.push(Change::Registry(RegistryChange::InsertCredit(CreditRecord {
            id: crate::new_id(),
            unit_id: unit_id.clone(),
            kind: "penalty".into(),
            decided_on: d.at.local_date(),
            doc_no: d.number.clone(),
            summary: format!("{}：{}", p.violation_text, p.penalty_text()),
            created_at: now,
        })));
    }
    if let (Some(due), Ok((content, hits))) = (publish_due, publication::build(c, agency, d.at.local_date())) {
        let publication = Publication {
            id: crate::new_id(),
            case_id: c.id.clone(),
            org_id: c.org_id.clone(),
            org_path: c.org_path.clone(),
            content,
            masked: publication::masked_summary(&hits),
            status: PublicationStatus::Draft,
            created_at: now,
            approved_by: None,
            published_at: None,
            withdrawn_at: None,
            withdraw_reason: String::new(),
            version: 1,
        };
        out.push(Change::Case(CaseChange::InsertPublication(Box::new(publication))));
        out.push(case_due(c, None, due, now));
    }
    out
}
