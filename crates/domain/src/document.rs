//! 执法文书: enforcement documents, their numbers (文号) and their content.
//!
//! A number is `{机构简称}消{类别字}字〔{年}〕第{序号}号`, e.g. 渝北消限字〔2026〕第0012号: one series per agency,
//! document type and year, assigned in the same transaction as the document, never reused or skipped
//! (the store refuses a number that is not the next one, and the service takes the next and tries again).
//! Content is a [`Notice`]: the domain writes the legal wording; the `documents` crate lays it out as PDF
//! and DOCX in 公文 layout.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::time::Timestamp;

/// Types of document this system issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// 消防监督检查记录.
    InspectionRecord,
    /// 责令改正通知书 / 责令限期改正通知书.
    CorrectionOrder,
    /// 复查意见书.
    ReinspectionOpinion,
    /// 临时查封决定书.
    SealDecision,
    /// 解除临时查封决定书.
    SealLift,
    /// 责令停产停业（停止使用、停止施工）决定书.
    StopDecision,
    /// 重大火灾隐患整改通知书.
    MajorHazardNotice,
    /// 立案审批表.
    CaseFiling,
    /// 询问笔录.
    InterviewRecord,
    /// 现场笔录.
    SiteRecord,
    /// 证据先行登记保存通知书.
    Preservation,
    /// 行政处罚告知书（陈述、申辩）.
    PenaltyNotice,
    /// 行政处罚听证告知书.
    HearingRights,
    /// 举行听证通知书.
    HearingNotice,
    /// 听证笔录.
    HearingRecord,
    /// 法制审核意见书.
    LegalReview,
    /// 集体议案记录.
    Deliberation,
    /// 行政处罚决定书.
    PenaltyDecision,
    /// 当场处罚决定书（简易程序）.
    OnSpotDecision,
    /// 不予行政处罚决定书.
    NoPenaltyDecision,
    /// 送达回证.
    ServiceReceipt,
    /// 催告书.
    Demand,
    /// 强制执行申请书.
    EnforcementApplication,
    /// 案件移送通知书.
    TransferNotice,
    /// 结案报告.
    ClosingReport,
    /// 行政执法委托协议书.
    EntrustmentAgreement,
    /// 镇（街道）消防安全检查记录 (an inspection under entrustment, in the brigade's name).
    TownInspectionRecord,
    /// 移交书: a town hands a matter beyond its entrustment to the brigade.
    Handover,
}

impl DocType {
    /// All.
    pub const ALL: [DocType; 28] = [
        DocType::InspectionRecord,
        DocType::CorrectionOrder,
        DocType::ReinspectionOpinion,
        DocType::SealDecision,
        DocType::SealLift,
        DocType::StopDecision,
        DocType::MajorHazardNotice,
        DocType::CaseFiling,
        DocType::InterviewRecord,
        DocType::SiteRecord,
        DocType::Preservation,
        DocType::PenaltyNotice,
        DocType::HearingRights,
        DocType::HearingNotice,
        DocType::HearingRecord,
        DocType::LegalReview,
        DocType::Deliberation,
        DocType::PenaltyDecision,
        DocType::OnSpotDecision,
        DocType::NoPenaltyDecision,
        DocType::ServiceReceipt,
        DocType::Demand,
        DocType::EnforcementApplication,
        DocType::TransferNotice,
        DocType::ClosingReport,
        DocType::EntrustmentAgreement,
        DocType::TownInspectionRecord,
        DocType::Handover,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            DocType::InspectionRecord => "inspection_record",
            DocType::CorrectionOrder => "correction_order",
            DocType::ReinspectionOpinion => "reinspection_opinion",
            DocType::SealDecision => "seal_decision",
            DocType::SealLift => "seal_lift",
            DocType::StopDecision => "stop_decision",
            DocType::MajorHazardNotice => "major_hazard_notice",
            DocType::CaseFiling => "case_filing",
            DocType::InterviewRecord => "interview_record",
            DocType::SiteRecord => "site_record",
            DocType::Preservation => "preservation",
            DocType::PenaltyNotice => "penalty_notice",
            DocType::HearingRights => "hearing_rights",
            DocType::HearingNotice => "hearing_notice",
            DocType::HearingRecord => "hearing_record",
            DocType::LegalReview => "legal_review",
            DocType::Deliberation => "deliberation",
            DocType::PenaltyDecision => "penalty_decision",
            DocType::OnSpotDecision => "on_spot_decision",
            DocType::NoPenaltyDecision => "no_penalty_decision",
            DocType::ServiceReceipt => "service_receipt",
            DocType::Demand => "demand",
            DocType::EnforcementApplication => "enforcement_application",
            DocType::TransferNotice => "transfer_notice",
            DocType::ClosingReport => "closing_report",
            DocType::EntrustmentAgreement => "entrustment_agreement",
            DocType::TownInspectionRecord => "town_inspection_record",
            DocType::Handover => "handover",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<DocType> {
        DocType::ALL
            .into_iter()
            .find(|t| t.code() == s)
            .ok_or_else(|| DomainError::invalid("doc_type", format!("文书类型“{s}”无效")))
    }

    /// Title as printed.
    pub fn title(self) -> &'static str {
        match self {
            DocType::InspectionRecord => "消防监督检查记录",
            DocType::CorrectionOrder => "责令限期改正通知书",
            DocType::ReinspectionOpinion => "复查意见书",
            DocType::SealDecision => "临时查封决定书",
            DocType::SealLift => "解除临时查封决定书",
            DocType::StopDecision => "责令停产停业（停止使用）决定书",
            DocType::MajorHazardNotice => "重大火灾隐患整改通知书",
            DocType::CaseFiling => "立案审批表",
            DocType::InterviewRecord => "询问笔录",
            DocType::SiteRecord => "现场笔录",
            DocType::Preservation => "证据先行登记保存通知书",
            DocType::PenaltyNotice => "行政处罚告知书",
            DocType::HearingRights => "行政处罚听证告知书",
            DocType::HearingNotice => "举行听证通知书",
            DocType::HearingRecord => "听证笔录",
            DocType::LegalReview => "法制审核意见书",
            DocType::Deliberation => "集体议案记录",
            DocType::PenaltyDecision => "行政处罚决定书",
            DocType::OnSpotDecision => "当场处罚决定书",
            DocType::NoPenaltyDecision => "不予行政处罚决定书",
            DocType::ServiceReceipt => "送达回证",
            DocType::Demand => "催告书",
            DocType::EnforcementApplication => "强制执行申请书",
            DocType::TransferNotice => "案件移送通知书",
            DocType::ClosingReport => "结案报告",
            DocType::EntrustmentAgreement => "行政执法委托协议书",
            DocType::TownInspectionRecord => "镇（街道）消防安全检查记录",
            DocType::Handover => "移交书",
        }
    }

    /// Whether the document is served on the party (or sent to another authority); the others are the
    /// agency's internal records (审批表, 笔录, 审核意见, 议案记录, 回证, 结案报告).
    pub fn is_served(self) -> bool {
        !matches!(
            self,
            DocType::CaseFiling
                | DocType::InterviewRecord
                | DocType::SiteRecord
                | DocType::HearingRecord
                | DocType::LegalReview
                | DocType::Deliberation
                | DocType::ServiceReceipt
                | DocType::ClosingReport
                | DocType::EntrustmentAgreement
                | DocType::Handover
        )
    }

    /// The character of the number series (…消{字}字…).
    pub fn abbreviation(self) -> &'static str {
        match self {
            DocType::InspectionRecord => "检",
            DocType::CorrectionOrder => "限",
            DocType::ReinspectionOpinion => "复",
            DocType::SealDecision => "封",
            DocType::SealLift => "解",
            DocType::StopDecision => "停",
            DocType::MajorHazardNotice => "重改",
            DocType::CaseFiling => "立",
            DocType::InterviewRecord => "询",
            DocType::SiteRecord => "现",
            DocType::Preservation => "先保",
            DocType::PenaltyNotice => "罚告",
            DocType::HearingRights => "听告",
            DocType::HearingNotice => "听通",
            DocType::HearingRecord => "听笔",
            DocType::LegalReview => "法审",
            DocType::Deliberation => "议",
            DocType::PenaltyDecision => "罚决",
            DocType::OnSpotDecision => "当罚",
            DocType::NoPenaltyDecision => "不罚",
            DocType::ServiceReceipt => "送",
            DocType::Demand => "催",
            DocType::EnforcementApplication => "强申",
            DocType::TransferNotice => "移",
            DocType::ClosingReport => "结",
            DocType::EntrustmentAgreement => "委",
            DocType::TownInspectionRecord => "镇检",
            DocType::Handover => "镇移",
        }
    }
}

/// A document number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocNumber(String);

/// Widest sequence printed with leading zeros.
const SEQ_DIGITS: usize = 4;

impl DocNumber {
    /// Formats a number: agency short name, type, year, sequence.
    pub fn format(agency_short: &str, t: DocType, year: i32, seq: i64) -> DocNumber {
        DocNumber(format!("{agency_short}消{}字〔{year}〕第{seq:0width$}号", t.abbreviation(), width = SEQ_DIGITS))
    }

    /// Parses a number as printed (for the verification page's search).
    pub fn parse(s: &str) -> Result<DocNumber> {
        let s = s.trim();
        let ok = s.contains("消")
            && s.contains("字〔")
            && s.contains("〕第")
            && s.ends_with('号')
            && s.chars().count() <= 40;
        if !ok {
            return Err(DomainError::invalid("number", "文号格式应如“渝北消限字〔2026〕第0012号”"));
        }
        Ok(DocNumber(s.into()))
    }

    /// As text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Short name of an agency for numbers: the org's short name, else its name without the usual suffixes
/// (东湖区消防救援大队 → 东湖).
pub fn agency_short(name: &str, short_name: Option<&str>) -> String {
    if let Some(s) = short_name.filter(|s| !s.trim().is_empty()) {
        return s.trim().into();
    }
    let mut s = name.trim();
    for suffix in ["消防救援大队", "消防救援支队", "消防救援总队", "消防救援局", "大队", "支队"]
    {
        if let Some(x) = s.strip_suffix(suffix) {
            s = x;
            break;
        }
    }
    for suffix in ["新区", "区", "县", "市"] {
        if let Some(x) = s.strip_suffix(suffix).filter(|x| x.chars().count() >= 2) {
            s = x;
            break;
        }
    }
    s.into()
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    /// 已制作，待送达.
    Issued,
    /// 已送达.
    Served,
    /// 已作废 (the number stays used).
    Void,
}

impl DocStatus {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            DocStatus::Issued => "issued",
            DocStatus::Served => "served",
            DocStatus::Void => "void",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<DocStatus> {
        match s {
            "issued" => Ok(DocStatus::Issued),
            "served" => Ok(DocStatus::Served),
            "void" => Ok(DocStatus::Void),
            _ => Err(DomainError::invalid("status", format!("文书状态“{s}”无效"))),
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            DocStatus::Issued => "已制作，待送达",
            DocStatus::Served => "已送达",
            DocStatus::Void => "已作废",
        }
    }
}

/// How a document was served (送达方式).
pub const SERVICE_METHODS: [&str; 5] = ["直接送达", "留置送达", "邮寄送达", "电子送达", "公告送达"];

/// Parses how and to whom a document was served: one of [`SERVICE_METHODS`] and the person who signed.
pub fn parse_service(method: &str, receiver: &str) -> Result<(String, String)> {
    let method = method.trim();
    if !SERVICE_METHODS.contains(&method) {
        return Err(DomainError::invalid("method", "请选择送达方式"));
    }
    let receiver = receiver.trim();
    if receiver.is_empty() || receiver.chars().count() > 50 {
        return Err(DomainError::invalid("receiver", "请填写受送达人（签收人）"));
    }
    Ok((method.into(), receiver.into()))
}

/// A table in a notice (hazards with their deadlines, findings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTable {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// The content of one document, independent of layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Issuing agency (full name), printed above the title.
    pub agency: String,
    /// Title.
    pub title: String,
    /// Number.
    pub number: String,
    /// Addressee (the unit), printed before the body with a colon.
    pub addressee: String,
    /// Body paragraphs.
    pub paragraphs: Vec<String>,
    /// Optional table after the first paragraph.
    pub table: Option<NoticeTable>,
    /// Paragraphs after the table.
    pub closing: Vec<String>,
    /// Date line (e.g. 2026年11月20日).
    pub date: String,
    /// Signature lines at the foot (被检查单位签名、送达回执 …).
    pub signatures: Vec<String>,
    /// Verification address printed under the QR code.
    pub verify_url: String,
    /// Photos appended as 照片附页 (evidence ids and captions); their bytes are passed to the renderer.
    #[serde(default)]
    pub photos: Vec<NoticePhoto>,
}

/// A photo in a document's 照片附页.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePhoto {
    /// Evidence id (the renderer's file name for it).
    pub id: String,
    /// `jpg`, `png` or `webp`.
    pub ext: String,
    /// Caption: file name, time, SM3.
    pub caption: String,
}

/// An issued document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// Id.
    pub id: String,
    /// Issuing agency.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Type.
    pub doc_type: DocType,
    /// Year of the series.
    pub year: i32,
    /// Sequence in the series.
    pub seq: i64,
    /// Number.
    pub number: DocNumber,
    /// What it belongs to (`inspection`, `measure`, `major_hazard`).
    pub subject_type: String,
    /// Its id.
    pub subject_id: String,
    /// Unit.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// Content.
    pub notice: Notice,
    /// SM3 of the issued PDF.
    pub pdf_sm3: String,
    /// Size of the PDF.
    pub pdf_size: i64,
    /// Storage key of the PDF.
    pub pdf_key: String,
    /// Status.
    pub status: DocStatus,
    /// Issued at.
    pub issued_at: Timestamp,
    /// Issued by.
    pub issued_by: String,
    /// Served at.
    pub served_at: Option<Timestamp>,
    /// Service method.
    pub service_method: String,
    /// Who received it.
    pub receiver: String,
    /// Version.
    pub version: i64,
}

/// The party's remedies, printed on every decision and notice: 行政复议 within 60 days of receipt
/// (《中华人民共和国行政复议法》第二十条) or 行政诉讼 within 6 months (《中华人民共和国行政诉讼法》第四十六条).
/// `what` names the act (通知, 决定) and `document` the paper received (通知, 决定书).
pub fn review_rights(what: &str, document: &str) -> String {
    format!(
        "如不服本{what}，可以在收到本{document}之日起六十日内依法向上一级消防救援机构或者本级人民政府申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
    )
}

/// The receipt line at the foot of a document, signed by `who` (被检查单位, 被查封单位 …).
pub fn receipt_line(who: &str) -> String {
    format!("{who}签收：＿＿＿＿＿＿＿＿　　　　年　　月　　日")
}

/// Formats a date as documents print it: 2026年11月20日.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_agency_type_year_pattern() {
        let n = DocNumber::format("渝北", DocType::CorrectionOrder, 2026, 12);
        assert_eq!(n.as_str(), "渝北消限字〔2026〕第0012号");
        assert_eq!(DocNumber::parse(n.as_str()).unwrap(), n);
        assert!(DocNumber::parse("第12号").is_err());
        assert_eq!(
            DocNumber::format("东湖", DocType::MajorHazardNotice, 2026, 12345).as_str(),
            "东湖消重改字〔2026〕第12345号"
        );
    }

    #[test]
    fn stored_codes_are_the_json_names() {
        for t in DocType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.code()));
            assert_eq!(DocType::parse(t.code()).unwrap(), t);
        }
    }

    #[test]
    fn agency_short_names() {
        assert_eq!(agency_short("东湖区消防救援大队", None), "东湖");
        assert_eq!(agency_short("渝北区消防救援支队", Some("渝北")), "渝北");
        assert_eq!(agency_short("滨江新区消防救援大队", None), "滨江");
        assert_eq!(agency_short("某县消防救援大队", None), "某县");
        assert_eq!(chinese_date("2026-01-05".parse().unwrap()), "2026年1月5日");
    }
}
