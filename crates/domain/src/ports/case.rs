//! What penalty cases and the publication of their decisions need from the store.

use crate::error::Result;
use crate::org::OrgPath;
use crate::penalty::case::{Case, CaseStatus};
use crate::penalty::publication::Publication;

/// Changes to cases and publications. Documents, deadlines, collective decisions, evidence links and credit
/// records go through the changes of their own modules, in the same unit of work.
#[derive(Debug, Clone)]
pub enum CaseChange {
    /// A new case, with the party's sealed ID number and phone (JSON text, never in the body).
    InsertCase {
        /// The case.
        case: Box<Case>,
        /// Sealed personal fields.
        party_sealed: String,
    },
    /// A case moves on, if it still has the version in `case.version` (the one the user saw).
    UpdateCase(Box<Case>),
    /// A decision's publication drafted.
    InsertPublication(Box<Publication>),
    /// A publication approved, published or withdrawn, if it still has its version.
    UpdatePublication(Box<Publication>),
}

/// A filter over cases.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// Subtrees.
    pub scopes: Vec<OrgPath>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<CaseStatus>,
    /// Only this unit.
    pub unit_id: Option<String>,
    /// Only cases this officer handles.
    pub handler_id: Option<String>,
    /// Page size.
    pub limit: u32,
}

/// The store's side of cases.
#[async_trait::async_trait]
pub trait CaseStore: Send + Sync {
    /// A case.
    async fn case(&self, id: &str) -> Result<Option<Case>>;
    /// The sealed personal fields of a case's party.
    async fn case_party_sealed(&self, id: &str) -> Result<Option<String>>;
    /// Cases matching a query, newest first.
    async fn cases(&self, q: &CaseQuery) -> Result<Vec<Case>>;
    /// Case counts by status inside the scopes.
    async fn case_counts(&self, scopes: &[OrgPath]) -> Result<Vec<(CaseStatus, u64)>>;
    /// A publication.
    async fn publication(&self, id: &str) -> Result<Option<Publication>>;
    /// The publication of a case.
    async fn publication_of_case(&self, case_id: &str) -> Result<Option<Publication>>;
    /// Publications inside the scopes, newest first.
    async fn publications_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Publication>>;
    /// Published decisions, newest first, optionally matching a text (party, number, violation), with the
    /// total count.
    async fn public_decisions(&self, text: Option<&str>, limit: u32, offset: u32) -> Result<(Vec<Publication>, u64)>;
}
