//! What inspections, hazards, measures, documents, evidence and deadlines need from the store.

use chrono::NaiveDate;
use serde::Serialize;

use crate::collective::CollectiveDecision;
use crate::document::Document;
use crate::error::Result;
use crate::evidence::Evidence;
use crate::inspection::exposure::Exposure;
use crate::inspection::hazard::{Escalation, Hazard, HazardStatus};
use crate::inspection::major_hazard::Determination;
use crate::inspection::record::Inspection;
use crate::inspection::sealing::Measure;
use crate::org::OrgPath;
use crate::time::Timestamp;

/// A due date to track, with its rule.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// Id.
    pub id: String,
    /// Jurisdiction.
    pub org_id: String,
    /// Its path (read back from the org).
    pub org_path: String,
    /// What it is about (`inspection`, `hazard`, `measure`, `major_hazard`, `document`).
    pub subject_type: String,
    /// Its id.
    pub subject_id: String,
    /// Unit, for the worklist.
    pub unit_id: String,
    /// Unit name.
    pub unit_name: String,
    /// The officer it is assigned to (`None`: the department or org).
    pub assignee_id: Option<String>,
    /// Rule code ([`crate::deadline::by_code`]).
    pub rule_code: String,
    /// Last day.
    pub due_on: NaiveDate,
    /// Exact instant, for periods in hours.
    pub due_at: Option<Timestamp>,
    /// Open, met or cancelled.
    pub status: String,
    /// When it was met.
    pub met_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

/// What the store says when a document number was taken meanwhile (the service retries on it).
pub const DOC_NUMBER_TAKEN: &str = "文号已被占用，请重试";

/// A hazard's outcome at a 复查 or an escalation.
#[derive(Debug, Clone)]
pub struct HazardOutcome {
    /// Hazard.
    pub hazard_id: String,
    /// Version the user saw.
    pub expected_version: i64,
    /// New status.
    pub status: HazardStatus,
    /// Where it went.
    pub escalation: Option<Escalation>,
    /// The inspection that decided it.
    pub closed_by: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// Changes to inspections and what follows them.
#[derive(Debug, Clone)]
pub enum InspectionChange {
    /// A recorded inspection with its hazards.
    InsertInspection {
        /// The inspection.
        inspection: Box<Inspection>,
        /// New hazards.
        hazards: Vec<Hazard>,
    },
    /// A hazard's status changes (rectified, escalated).
    HazardOutcome(HazardOutcome),
    /// The party applied for a 复查.
    HazardApplied {
        /// Hazard.
        hazard_id: String,
        /// On.
        on: NaiveDate,
    },
    /// Link hazards to the order that covers them.
    HazardsOrdered {
        /// Hazards.
        hazard_ids: Vec<String>,
        /// The order.
        doc_id: String,
    },
    /// Link evidence files (uploaded before the record) to the inspection.
    AttachEvidence {
        /// Evidence ids.
        evidence_ids: Vec<String>,
        /// Owner type.
        owner_type: String,
        /// Owner id.
        owner_id: String,
    },
    /// A new evidence file (its bytes are already stored under its key).
    InsertEvidence(Evidence),
    /// A collective decision.
    InsertDecision(CollectiveDecision),
    /// A hazard notice (隐患曝光).
    InsertExposure(Box<Exposure>),
    /// A notice changes (approved and published, withdrawn), if it still has its version.
    UpdateExposure(Box<Exposure>),
    /// A 重大火灾隐患 determination.
    InsertMajor(Box<Determination>),
    /// A determination changes (reported, supervised, lifted), if it still has its version.
    UpdateMajor(Box<Determination>),
    /// A new measure.
    InsertMeasure(Box<Measure>),
    /// A measure changes (decided, extended, lifted), if it still has its version.
    UpdateMeasure(Box<Measure>),
    /// An issued document, numbered `seq` in its series: the store refuses it unless `seq` is the next
    /// number (no number reused, none skipped).
    IssueDocument(Box<Document>),
    /// A document served.
    ServeDocument {
        /// Document.
        id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Served at.
        at: Timestamp,
        /// Method.
        method: String,
        /// Receiver.
        receiver: String,
    },
    /// New due dates.
    InsertDeadlines(Vec<Deadline>),
    /// Due dates of a subject met (by rule code; empty = all open ones of the subject).
    MeetDeadlines {
        /// Subject.
        subject_id: String,
        /// Rules.
        rule_codes: Vec<String>,
        /// When.
        at: Timestamp,
    },
    /// In-app alerts (idempotent: one per user, deadline and kind).
    InsertAlerts(Vec<Alert>),
    /// An alert read.
    ReadAlert {
        /// Alert.
        id: String,
        /// Its user.
        user_id: String,
        /// When.
        at: Timestamp,
    },
}

/// An in-app alert about a due date.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// Id.
    pub id: String,
    /// Recipient.
    pub user_id: String,
    /// Deadline.
    pub deadline_id: String,
    /// `due_soon` or `overdue`.
    pub kind: String,
    /// Message.
    pub message: String,
    /// Raised at.
    pub created_at: Timestamp,
    /// Read at.
    pub read_at: Option<Timestamp>,
}

/// A worklist query.
#[derive(Debug, Clone, Default)]
pub struct DeadlineQuery {
    /// Subtrees.
    pub scopes: Vec<OrgPath>,
    /// All orgs (the system's daily job; `scopes` ignored).
    pub everywhere: bool,
    /// Only those assigned to this user.
    pub assignee: Option<String>,
    /// Only open ones.
    pub open_only: bool,
    /// Due on or before.
    pub due_by: Option<NaiveDate>,
    /// Page size.
    pub limit: u32,
}

/// A filter over inspections.
#[derive(Debug, Clone, Default)]
pub struct InspectionQuery {
    /// Subtrees.
    pub scopes: Vec<OrgPath>,
    /// One unit.
    pub unit_id: Option<String>,
    /// Made by this officer.
    pub officer_id: Option<String>,
    /// Page size.
    pub limit: u32,
}

/// The store's side of inspections.
#[async_trait::async_trait]
pub trait InspectionStore: Send + Sync {
    /// An inspection.
    async fn inspection(&self, id: &str) -> Result<Option<Inspection>>;
    /// Inspections, newest first.
    async fn inspections(&self, q: &InspectionQuery) -> Result<Vec<Inspection>>;
    /// A hazard.
    async fn hazard(&self, id: &str) -> Result<Option<Hazard>>;
    /// Hazards found at an inspection.
    async fn hazards_of_inspection(&self, inspection_id: &str) -> Result<Vec<Hazard>>;
    /// Hazards a 复查 decided (rectified or escalated).
    async fn hazards_closed_by(&self, inspection_id: &str) -> Result<Vec<Hazard>>;
    /// Open hazards of a unit.
    async fn open_hazards_of_unit(&self, unit_id: &str) -> Result<Vec<Hazard>>;
    /// Hazards inside the scopes, optionally only with a status, newest first.
    async fn hazards_in(&self, scopes: &[OrgPath], status: Option<HazardStatus>, limit: u32) -> Result<Vec<Hazard>>;
    /// Evidence files of an owner.
    async fn evidence_of(&self, owner_type: &str, owner_id: &str) -> Result<Vec<Evidence>>;
    /// An evidence file.
    async fn evidence(&self, id: &str) -> Result<Option<Evidence>>;
    /// A collective decision.
    async fn decision(&self, id: &str) -> Result<Option<CollectiveDecision>>;
    /// A measure.
    async fn measure(&self, id: &str) -> Result<Option<Measure>>;
    /// Measures inside the scopes, newest first.
    async fn measures_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Measure>>;
    /// Hazards found at a unit on or after `since`, and 重大火灾隐患 determined there since then.
    async fn unit_hazard_counts(&self, unit_id: &str, since: NaiveDate) -> Result<(u32, u32)>;
    /// A hazard notice.
    async fn exposure(&self, id: &str) -> Result<Option<Exposure>>;
    /// Notices inside the scopes, newest first.
    async fn exposures_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Exposure>>;
    /// Published notices, newest first.
    async fn public_exposures(&self, limit: u32) -> Result<Vec<Exposure>>;
    /// A 重大火灾隐患 determination.
    async fn major(&self, id: &str) -> Result<Option<Determination>>;
    /// Determinations inside the scopes, newest first.
    async fn majors_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Determination>>;
    /// A document.
    async fn document(&self, id: &str) -> Result<Option<Document>>;
    /// Documents of a subject, in order of issue.
    async fn documents_of(&self, subject_id: &str) -> Result<Vec<Document>>;
    /// The next number of a series (1 when none was issued).
    async fn next_doc_seq(&self, org_id: &str, doc_type: &str, year: i32) -> Result<i64>;
    /// Due dates matching a query, soonest first.
    async fn deadlines(&self, q: &DeadlineQuery) -> Result<Vec<Deadline>>;
    /// Due dates of a subject.
    async fn deadlines_of(&self, subject_id: &str) -> Result<Vec<Deadline>>;
    /// Alerts of a user, newest first.
    async fn alerts_of(&self, user_id: &str, unread_only: bool, limit: u32) -> Result<Vec<Alert>>;
}
