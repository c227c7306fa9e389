//! What the registry and the officer pool need from the store.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::org::OrgPath;
use crate::random_check::officers::{Absence, Conflict};
use crate::registry::key_unit::KeyDesignation;
use crate::registry::risk::RiskGrade;
use crate::registry::unit::{FieldChange, Sealed, Unit, UnitFacts, UnitStatus};
use crate::registry::venue::VenueKind;
use crate::time::Timestamp;

/// One line of a unit's history: who changed what, when.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Id.
    pub id: String,
    /// Unit.
    pub unit_id: String,
    /// When.
    pub at: Timestamp,
    /// Who (display name and login).
    pub actor: String,
    /// What kind of change, in Chinese (新建, 修改, 导入, 认定重点单位 …).
    pub action: String,
    /// The fields changed.
    pub changes: Vec<FieldChange>,
    /// The stated reason, when the act needs one.
    pub reason: String,
}

/// A 信用记录 attached to a unit (an administrative penalty decision, for now).
#[derive(Debug, Clone, Serialize)]
pub struct CreditRecord {
    /// Id.
    pub id: String,
    /// Unit.
    pub unit_id: String,
    /// Kind code: `penalty`.
    pub kind: String,
    /// Decision date.
    pub decided_on: NaiveDate,
    /// Document number.
    pub doc_no: String,
    /// Summary.
    pub summary: String,
    /// Recorded.
    pub created_at: Timestamp,
}

/// An import's progress and result, kept in the database so that any server can show it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportJob {
    /// Id.
    pub id: String,
    /// File name as uploaded.
    pub file_name: String,
    /// `all_or_nothing` or `good_rows`.
    pub mode: String,
    /// `validating`, `importing`, `done`, `rejected`, `failed`.
    pub status: String,
    /// Data rows in the file.
    pub total: i64,
    /// Rows processed so far.
    pub done: i64,
    /// New units.
    pub inserted: i64,
    /// Changed units.
    pub updated: i64,
    /// Units already identical.
    pub unchanged: i64,
    /// Rows refused.
    pub failed: i64,
    /// The first problems (row, column, message), as JSON.
    pub errors: String,
    /// Summary in Chinese.
    pub message: String,
    /// Who.
    pub created_by: String,
    /// Started.
    pub created_at: Timestamp,
    /// Finished.
    pub finished_at: Option<Timestamp>,
}

/// A unit to insert, with its first history line.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// The unit.
    pub unit: Unit,
    /// Its history line.
    pub history: HistoryEntry,
}

/// Changes to the registry and the officer pool.
#[derive(Debug, Clone)]
pub enum RegistryChange {
    /// New units (one from a form, many from an import).
    InsertUnits(Vec<NewUnit>),
    /// New facts of a unit, if it still has `expected_version`.
    UpdateUnit {
        /// Unit.
        id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Facts.
        facts: Box<UnitFacts<Sealed>>,
        /// Path of the (possibly new) jurisdiction.
        org_path: OrgPath,
        /// When.
        at: Timestamp,
        /// History line.
        history: HistoryEntry,
    },
    /// Set the risk grade by hand or by derivation.
    SetRisk {
        /// Unit.
        id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Grade.
        grade: RiskGrade,
        /// Why.
        reason: String,
        /// When.
        at: Timestamp,
        /// History line.
        history: HistoryEntry,
    },
    /// Confirm or lift a key-unit designation.
    SetKeyUnit {
        /// Unit.
        id: String,
        /// Version the user saw.
        expected_version: i64,
        /// The designation, or none.
        designation: Option<KeyDesignation>,
        /// When.
        at: Timestamp,
        /// History line.
        history: HistoryEntry,
    },
    /// A credit record.
    InsertCredit(CreditRecord),
    /// An officer's absence.
    InsertAbsence(Absence),
    /// Remove an absence.
    DeleteAbsence {
        /// Id.
        id: String,
    },
    /// A declared conflict.
    InsertConflict(Conflict),
    /// Withdraw a conflict.
    WithdrawConflict {
        /// Id.
        id: String,
        /// When.
        at: Timestamp,
    },
    /// Create or update an import job's progress (bookkeeping; the import's audit records are separate).
    PutImportJob(ImportJob),
}

/// A search over the registry.
#[derive(Debug, Clone, Default)]
pub struct UnitSearch {
    /// Subtrees the actor may read (at least one).
    pub scopes: Vec<OrgPath>,
    /// Narrow to this subtree.
    pub org: Option<OrgPath>,
    /// Text: any part of the name or address.
    pub text: Option<crate::registry::search::SearchQuery>,
    /// Venue kind.
    pub venue_kind: Option<VenueKind>,
    /// Key units only / non-key only.
    pub key_unit: Option<bool>,
    /// Risk grade.
    pub risk_grade: Option<RiskGrade>,
    /// Status.
    pub status: Option<UnitStatus>,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u32,
}

/// Counts are exact up to this; beyond it the UI says "more than".
pub const COUNT_CAP: u64 = 200;

/// The store's side of the registry.
#[async_trait::async_trait]
pub trait RegistryStore: Send + Sync {
    /// A unit by id.
    async fn unit(&self, id: &str) -> Result<Option<Unit>>;
    /// Units by credit code (any that exist).
    async fn units_by_credit_codes(&self, codes: &[String]) -> Result<Vec<Unit>>;
    /// Units matching a search, newest first, and the count of matches (at most [`COUNT_CAP`] + 1).
    async fn search_units(&self, q: &UnitSearch) -> Result<(Vec<Unit>, u64)>;
    /// Units inside `scope`, in creation order, after `after_key`, at most `limit` (for exports).
    async fn units_page(&self, scope: &OrgPath, after_key: i64, limit: u32) -> Result<Vec<(i64, Unit)>>;
    /// A unit's history, newest first.
    async fn unit_history(&self, unit_id: &str) -> Result<Vec<HistoryEntry>>;
    /// A unit's credit records, newest first.
    async fn credit_records(&self, unit_id: &str) -> Result<Vec<CreditRecord>>;
    /// An import job.
    async fn import_job(&self, id: &str) -> Result<Option<ImportJob>>;
    /// Absences of officers inside `scope` overlapping a period.
    async fn absences(&self, scope: &OrgPath, from: NaiveDate, to: NaiveDate) -> Result<Vec<Absence>>;
    /// An absence by id.
    async fn absence(&self, id: &str) -> Result<Option<Absence>>;
    /// Standing conflicts of officers inside `scope`.
    async fn conflicts(&self, scope: &OrgPath) -> Result<Vec<Conflict>>;
    /// A conflict by id (standing or withdrawn).
    async fn conflict(&self, id: &str) -> Result<Option<Conflict>>;
}
