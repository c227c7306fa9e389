//! 执法文书 as a service: numbering, rendering, storing and serving documents, and their public
//! verification (the QR code on every PDF leads there).

use chrono::Datelike;
use serde::Serialize;

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::deadline;
use crate::document::{self, DocNumber, DocStatus, DocType, Document, Notice, NoticeTable};
use crate::entrustment::{Act, EntrustmentAgreement};
use crate::error::{DomainError, Result};
use crate::inspection::hazard::{Disposition, HazardStatus};
use crate::inspection::record::Inspection;
use crate::org::Org;
use crate::ports::inspection::InspectionChange;
use crate::ports::{Change, UnitOfWork};

use super::Services;

/// Attempts at taking the next number when another document took it meanwhile.
const NUMBER_ATTEMPTS: usize = 8;

/// What the public verification page shows: enough to tell a genuine document from a forged one, no
/// personal data.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Issuing agency.
    pub agency: String,
    /// Issued on (local date).
    pub issued_on: String,
    /// Status.
    pub status: &'static str,
    /// SM3 of the PDF as issued.
    pub pdf_sm3: String,
}

impl Services {
    /// Numbers, renders and stores a document, and commits it with the changes `extra` makes for its id and
    /// with its audit record, in one transaction.
    /// The number is the next of its series; if another document took it meanwhile, the next one is taken
    /// and the document rendered again, so numbers are never reused or skipped.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn issue_document(
        &self,
        ctx: &Ctx,
        agency: &Org,
        doc_type: DocType,
        subject: (&str, &str),
        unit: (&str, &str),
        notice: Notice,
        extra: &(dyn Fn(&Document) -> Vec<Change> + Sync),
        audits: Vec<crate::audit::AuditEvent>,
    ) -> Result<Document> {
        let actor = ctx.actor()?;
        let year = ctx.now.to_local().year();
        let short = document::agency_short(agency.name.as_str(), agency.short_name.as_deref());
        // The photos of a 照片附页 are read once, before the number is taken.
        let mut photos = Vec::new();
        for p in &notice.photos {
            if let Some(e) = self.store.evidence(&p.id).await? {
                // The print copy made at upload, checked against its SM3; else the original, one at a time.
                let bytes = match &e.print_copy {
                    Some((key, sm3)) => {
                        let small = self.files.get(key).await?;
                        crate::evidence::verify(sm3, &self.crypto.digest(&small))?;
                        small
                    }
                    None => {
                        let bytes = self.files.get(&e.storage_key).await?;
                        crate::evidence::verify(&e.sm3, &self.crypto.digest(&bytes))?;
                        self.documents.photo_for_print(&bytes)
                    }
                };
                photos.push((p.id.clone(), bytes));
            }
        }
        let id = crate::new_id();
        for _ in 0..NUMBER_ATTEMPTS {
            let seq = self.store.next_doc_seq(&agency.id.0, doc_type.code(), year).await?;
            let number = DocNumber::format(&short, doc_type, year, seq);
            let notice = Notice {
                agency: agency.name.as_str().into(),
                title: doc_type.title().into(),
                number: number.as_str().into(),
                verify_url: format!("{}/verify/{id}", self.public_url.trim_end_matches('/')),
                ..notice.clone()
            };
            let pdf = self.documents.pdf(&notice, &photos)?;
            let pdf_sm3 = self.crypto.digest(&pdf);
            let pdf_size = pdf.len() as i64;
            let key = format!("documents/{year}/{id}-{seq}.pdf");
            self.files.put(&key, pdf).await?;
            let doc = Document {
                id: id.clone(),
                org_id: agency.id.clone(),
                org_path: agency.path.clone(),
                doc_type,
                year,
                seq,
                number: number.clone(),
                subject_type: subject.0.into(),
                subject_id: subject.1.into(),
                unit_id: unit.0.into(),
                unit_name: unit.1.into(),
                notice,
                pdf_sm3: pdf_sm3.clone(),
                pdf_size,
                pdf_key: key,
                status: DocStatus::Issued,
                issued_at: ctx.now,
                issued_by: actor.user_id.clone(),
                served_at: None,
                service_method: String::new(),
                receiver: String::new(),
                version: 1,
            };
            let mut work = UnitOfWork::default()
                .change(Change::Inspection(InspectionChange::IssueDocument(Box::new(doc.clone()))))
                .audit(ctx.event(actions::DOCUMENT_ISSUE, "document", id.clone()).detail(serde_json::json!({
                    "number": number.as_str(), "type": doc_type.code(), "subject": subject.1, "pdf_sm3": pdf_sm3,
                })));
            for c in extra(&doc) {
                work = work.change(c);
            }
            for a in &audits {
                work = work.audit(a.clone());
            }
            match self.store.commit(work).await {
                Ok(_) => return Ok(doc),
                Err(DomainError::Conflict(m)) if m == crate::ports::inspection::DOC_NUMBER_TAKEN => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::Conflict("文号分配繁忙，请稍后重试".into()))
    }

    /// Issues the 责令限期改正通知书 for the hazards of an inspection that have a deadline and no order yet
    /// (《消防监督检查规定》第十八条; due within 3 working days of the inspection).
    pub async fn issue_correction_order(&self, ctx: &Ctx, inspection_id: &str) -> Result<Document> {
        let i = self.get_inspection(ctx, inspection_id).await?;
        let entrusted = self.document_authority(ctx, Act::OrderCorrection, &i).await?;
        let hazards: Vec<_> = self
            .store
            .hazards_of_inspection(inspection_id)
            .await?
            .into_iter()
            .filter(|h| {
                h.disposition == Disposition::Deadline && h.status == HazardStatus::Open && h.order_doc_id.is_none()
            })
            .collect();
        if hazards.is_empty() {
            return Err(DomainError::Rule("本次检查没有需要责令限期改正的隐患，或通知书已经制作".into()));
        }
        let agency = self.agency_of(&i.org_path).await?;
        let rows = hazards
            .iter()
            .enumerate()
            .map(|(n, h)| {
                vec![
                    (n + 1).to_string(),
                    h.description.clone(),
                    h.basis.clone(),
                    h.deadline.map(document::chinese_date).unwrap_or_default(),
                ]
            })
            .collect();
        let notice = Notice {
            addressee: i.unit_name.clone(),
            paragraphs: vec![format!(
                "根据《中华人民共和国消防法》第五十三条的规定，{}于{}对你单位（场所）进行了消防监督检查，发现你单位（场所）存在下列消防安全违法行为：",
                agency.name.as_str(),
                document::chinese_date(i.date())
            )],
            table: Some(NoticeTable {
                headers: vec!["序号".into(), "违法行为".into(), "违反的规定".into(), "改正期限".into()],
                rows,
            }),
            closing: [
                vec![
                    "根据《中华人民共和国消防法》第六十条及《消防监督检查规定》第十八条的规定，责令你单位（场所）于上列期限届满前改正。改正期间，你单位（场所）应当采取措施，确保消防安全。".into(),
                    match &entrusted {
                        Some(_) => "你单位（场所）在期限届满前改正完毕的，可以申请复查；逾期不改正的，将移交消防救援机构依法处理。".into(),
                        None => "你单位（场所）在期限届满前改正完毕的，可以向我机构申请复查；逾期不改正的，将依法予以处罚。".to_string(),
                    },
                    document::review_rights("通知", "通知"),
                ],
                entrusted_line(entrusted.as_ref()),
            ]
            .concat(),
            date: document::chinese_date(ctx.now.local_date()),
            signatures: vec![document::receipt_line("被检查单位")],
            ..Default::default()
        };
        let ids: Vec<String> = hazards.iter().map(|h| h.id.clone()).collect();
        let link = |d: &Document| {
            vec![Change::Inspection(InspectionChange::HazardsOrdered { hazard_ids: ids.clone(), doc_id: d.id.clone() })]
        };
        self.issue_document(
            ctx,
            &agency,
            DocType::CorrectionOrder,
            ("inspection", &i.id),
            (&i.unit_id, &i.unit_name),
            notice,
            &link,
            vec![],
        )
        .await
    }

    /// Issues the 消防监督检查记录 of an inspection as a numbered document.
    pub async fn issue_inspection_record(&self, ctx: &Ctx, inspection_id: &str) -> Result<Document> {
        let i = self.get_inspection(ctx, inspection_id).await?;
        let entrusted = self.document_authority(ctx, Act::Inspect, &i).await?;
        // Under entrustment the record is the 镇（街道）消防安全检查记录, still in the brigade's name.
        let doc_type = if entrusted.is_some() { DocType::TownInspectionRecord } else { DocType::InspectionRecord };
        self.refuse_second(inspection_id, doc_type, "该检查记录已经制作").await?;
        let hazards = self.store.hazards_of_inspection(inspection_id).await?;
        let agency = self.agency_of(&i.org_path).await?;
        let mut notice = inspection_record_notice(&i, &hazards);
        notice.closing.extend(entrusted_line(entrusted.as_ref()));
        let signatures: Vec<&str> = i.signatures.iter().map(|s| s.evidence_id.as_str()).collect();
        notice.photos = self
            .store
            .evidence_of("inspection", inspection_id)
            .await?
            .into_iter()
            .filter(|e| !signatures.contains(&e.id.as_str()))
            .filter_map(|e| {
                let ext = match e.mime.as_str() {
                    "image/jpeg" => "jpg",
                    "image/png" => "png",
                    "image/webp" => "webp",
                    _ => return None,
                };
                let caption =
                    format!("{} · {} · SM3 {}…", e.name, e.created_at.to_local_string(), &e.sm3[..16.min(e.sm3.len())]);
                Some(crate::document::NoticePhoto { id: e.id, ext: ext.into(), caption })
            })
            .collect();
        self.issue_document(
            ctx,
            &agency,
            doc_type,
            ("inspection", &i.id),
            (&i.unit_id, &i.unit_name),
            notice,
            &|_| vec![],
            vec![],
        )
        .await
    }

    /// Issues the 复查意见书 of a 复查: each hazard decided, rectified or not, and what follows
    /// (《消防监督检查规定》第十九条).
    pub async fn issue_reinspection_opinion(&self, ctx: &Ctx, inspection_id: &str) -> Result<Document> {
        let i = self.get_inspection(ctx, inspection_id).await?;
        let entrusted = self.document_authority(ctx, Act::OrderCorrection, &i).await?;
        if i.kind != crate::inspection::kind::InspectionKind::Reinspection {
            return Err(DomainError::Rule("只有复查才能制作复查意见书".into()));
        }
        self.refuse_second(inspection_id, DocType::ReinspectionOpinion, "该复查的复查意见书已经制作").await?;
        let decided = self.store.hazards_closed_by(inspection_id).await?;
        let agency = self.agency_of(&i.org_path).await?;
        let rows: Vec<Vec<String>> = decided
            .iter()
            .enumerate()
            .map(|(n, h)| {
                let outcome = match (h.status, h.escalation) {
                    (HazardStatus::Rectified, _) => "已改正".to_string(),
                    (_, Some(e)) => format!("未改正，{}", e.label()),
                    _ => "未改正".to_string(),
                };
                vec![
                    (n + 1).to_string(),
                    h.description.clone(),
                    h.deadline.map(document::chinese_date).unwrap_or_default(),
                    outcome,
                ]
            })
            .collect();
        let all_done = decided.iter().all(|h| h.status == HazardStatus::Rectified);
        let notice = Notice {
            addressee: i.unit_name.clone(),
            paragraphs: vec![format!(
                "根据《消防监督检查规定》第十九条的规定，{}于{}对你单位（场所）责令改正的消防安全违法行为进行了复查，复查情况如下：",
                agency.name.as_str(),
                document::chinese_date(i.date())
            )],
            table: Some(NoticeTable {
                headers: vec!["序号".into(), "违法行为".into(), "改正期限".into(), "复查意见".into()],
                rows,
            }),
            closing: [
                vec![match (all_done, &entrusted) {
                    (true, _) => "上述消防安全违法行为已改正。".to_string(),
                    (false, Some(a)) => format!("对逾期未改正的消防安全违法行为，已移交{}依法处理。", a.brigade_name),
                    (false, None) => "对逾期未改正的消防安全违法行为，本机构将依法处理。".to_string(),
                }],
                entrusted_line(entrusted.as_ref()),
            ]
            .concat(),
            date: document::chinese_date(i.date()),
            signatures: vec![document::receipt_line("被检查单位")],
            ..Default::default()
        };
        self.issue_document(
            ctx,
            &agency,
            DocType::ReinspectionOpinion,
            ("inspection", &i.id),
            (&i.unit_id, &i.unit_name),
            notice,
            &|_| vec![],
            vec![],
        )
        .await
    }

    /// Who may make a document of an inspection: the brigade's officers, or the town's under its agreement
    /// for its own acts. Returns the agreement when entrusted.
    async fn document_authority(&self, ctx: &Ctx, act: Act, i: &Inspection) -> Result<Option<EntrustmentAgreement>> {
        let unit = self.get_unit(ctx, &i.unit_id).await?;
        let authority = self.act_authority(ctx, act, &unit).await?;
        let Some(a) = authority.agreement() else { return Ok(None) };
        if self.store.town_act(&i.id).await?.is_none_or(|t| t.agreement_id != a.id) {
            return Err(DomainError::Rule("受委托的镇（街道）只能为本镇（街道）委托执法中的检查制作文书".into()));
        }
        Ok(Some(a.clone()))
    }

    /// Refuses a second document of `doc_type` for `subject_id` while one is in force (a void one may be
    /// made again).
    async fn refuse_second(&self, subject_id: &str, doc_type: DocType, message: &str) -> Result<()> {
        let docs = self.store.documents_of(subject_id).await?;
        if docs.iter().any(|d| d.doc_type == doc_type && d.status != DocStatus::Void) {
            return Err(DomainError::Rule(message.into()));
        }
        Ok(())
    }

    /// A document the actor may read.
    pub async fn get_document(&self, ctx: &Ctx, id: &str) -> Result<Document> {
        let actor = ctx.actor()?;
        let doc = self.store.document(id).await?.ok_or(DomainError::NotFound("文书"))?;
        if actor.can(Perm::RecordRead, &doc.org_path) {
            return Ok(doc);
        }
        // A town reads the documents of its own acts, handovers and agreements, made in the brigade's name.
        let town_path = match doc.subject_type.as_str() {
            "inspection" => self.store.town_act(&doc.subject_id).await?.map(|t| t.town_path),
            "handover" => self.store.handover(&doc.subject_id).await?.map(|h| h.town_path),
            "entrustment" => self.store.agreement(&doc.subject_id).await?.map(|a| a.town_path),
            _ => None,
        };
        if town_path.is_some_and(|p| actor.can(Perm::RecordRead, &p)) {
            Ok(doc)
        } else {
            Err(DomainError::NotFound("文书"))
        }
    }

    /// The issued PDF, after checking the stored bytes against its recorded SM3 (read in pieces); the
    /// caller sends it with [`crate::ports::FileStore::read_at`].
    pub async fn document_pdf(&self, ctx: &Ctx, id: &str) -> Result<Document> {
        let d = self.get_document(ctx, id).await?;
        crate::evidence::verify(&d.pdf_sm3, &crate::evidence::stored_sm3(self.files.as_ref(), &d.pdf_key).await?)?;
        Ok(d)
    }

    /// The editable DOCX, rendered from the same notice.
    pub async fn document_docx(&self, ctx: &Ctx, id: &str) -> Result<(Document, Vec<u8>)> {
        let d = self.get_document(ctx, id).await?;
        let bytes = self.documents.docx(&d.notice)?;
        Ok((d, bytes))
    }

    /// Records service (送达): method, receiver, date. Meets the service due date of the subject.
    pub async fn serve_document(
        &self,
        ctx: &Ctx,
        id: &str,
        method: &str,
        receiver: &str,
        served_at: &str,
        version: i64,
    ) -> Result<Document> {
        let actor = ctx.actor()?;
        let d = self.get_document(ctx, id).await?;
        let town_act = self.store.town_act(&d.subject_id).await?;
        if !town_act.is_some_and(|t| actor.can(Perm::EntrustedAct, &t.town_path)) {
            actor.require(Perm::EnforcementAct, &d.org_path)?;
        }
        if d.status != DocStatus::Issued {
            return Err(DomainError::Rule(format!("该文书{}，不能再登记送达", d.status.label())));
        }
        let (method, receiver) = document::parse_service(method, receiver)?;
        let at = if served_at.trim().is_empty() {
            ctx.now
        } else {
            super::inspections::parse_instant("served_at", served_at)?
        };
        if at.0 < d.issued_at.0 - 60_000 || at.0 > ctx.now.plus_minutes(5).0 {
            return Err(DomainError::invalid("served_at", "送达时间应在文书制作之后、当前时间之前"));
        }
        let rule = match d.doc_type {
            DocType::CorrectionOrder => Some(deadline::ORDER_SERVICE.code),
            DocType::SealDecision => Some(deadline::SEAL_DECISION.code),
            DocType::MajorHazardNotice => Some(deadline::MAJOR_NOTICE.code),
            _ => None,
        };
        let mut work = UnitOfWork::default()
            .change(Change::Inspection(InspectionChange::ServeDocument {
                id: d.id.clone(),
                expected_version: version,
                at,
                method: method.clone(),
                receiver,
            }))
            .audit(ctx.event(actions::DOCUMENT_SERVE, "document", d.id.clone()).detail(serde_json::json!({
                "number": d.number.as_str(), "method": method, "served_at": at.to_rfc3339(),
            })));
        if let Some(r) = rule {
            work = work.change(Change::Inspection(InspectionChange::MeetDeadlines {
                subject_id: d.subject_id.clone(),
                rule_codes: vec![r.into()],
                at: ctx.now,
            }));
        }
        self.store.commit(work).await?;
        self.get_document(ctx, id).await
    }

    /// Public verification of a document by id (the QR code's address). No login.
    pub async fn verify_document(&self, id: &str) -> Result<Verification> {
        let d = self.store.document(id).await?.ok_or(DomainError::NotFound("文书"))?;
        Ok(Verification {
            number: d.number.as_str().into(),
            title: d.doc_type.title().into(),
            agency: d.notice.agency.clone(),
            issued_on: d.issued_at.local_date().to_string(),
            status: d.status.label(),
            pdf_sm3: d.pdf_sm3,
        })
    }
}

fn inspection_record_notice(i: &Inspection, hazards: &[crate::inspection::hazard::Hazard]) -> Notice {
    let officers: Vec<String> =
        i.officers.iter().map(|o| format!("{}（执法证号{}）", o.name, o.certificate_no)).collect();
    let mut paragraphs = vec![
        format!("检查时间：{} 至 {}", i.started_at.to_local_string(), i.ended_at.to_local_string()),
        format!("检查地点：{}", i.unit_address),
        format!("检查类型：{}", i.kind.label()),
        format!("检查人员：{}", officers.join("、")),
        format!("被检查单位随同人员：{}", if i.representative.is_empty() { "—" } else { &i.representative }),
    ];
    if !i.departments.is_empty() {
        paragraphs.push(format!("会同检查部门：{}", i.departments.join("、")));
    }
    if !i.summary.is_empty() {
        paragraphs.push(format!("检查情况：{}", i.summary));
    }
    let mut rows: Vec<Vec<String>> = i
        .findings
        .iter()
        .map(|f| vec![f.code.clone(), f.text.clone(), f.result.label().into(), f.note.clone()])
        .collect();
    for (n, h) in hazards.iter().enumerate() {
        rows.push(vec![
            format!("隐患{}", n + 1),
            h.description.clone(),
            h.disposition.label().into(),
            h.deadline.map(document::chinese_date).unwrap_or_default(),
        ]);
    }
    let mut signatures =
        vec![format!("检查人员签名：{}", i.officers.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join("　"))];
    if i.refused_to_sign {
        signatures.push(format!("被检查单位拒绝签名，见证人：{}", i.witness));
    } else {
        signatures.push(format!("被检查单位随同检查人员签名：{}", i.representative));
    }
    Notice {
        addressee: i.unit_name.clone(),
        paragraphs,
        table: Some(NoticeTable {
            headers: vec!["项目".into(), "检查内容".into(), "结果".into(), "说明／期限".into()],
            rows,
        }),
        closing: vec![],
        date: document::chinese_date(i.date()),
        signatures,
        ..Default::default()
    }
}

/// The line every document of a town act carries: done by the town, in the brigade's name
/// (《中华人民共和国行政处罚法》第二十条第三款).
fn entrusted_line(a: Option<&EntrustmentAgreement>) -> Vec<String> {
    a.map(|a| {
        vec![format!(
            "本文书由{}受{}委托（委托期限{}至{}），以{}名义制作。",
            a.town_name,
            a.brigade_name,
            document::chinese_date(a.starts_on),
            document::chinese_date(a.ends_on),
            a.brigade_name
        )]
    })
    .unwrap_or_default()
}
