//! What entrustments (委托执法) need from the store: agreements, the brigade's records about each town,
//! the town acts under review and the handovers.

use crate::entrustment::EntrustmentAgreement;
use crate::entrustment::handover::{Handover, HandoverStatus};
use crate::entrustment::oversight::{EntrustmentRecord, ReviewStatus, TownAct};
use crate::error::Result;
use crate::org::{OrgId, OrgPath};

/// Changes to entrustments. Documents, deadlines and evidence links go through their own changes in the
/// same unit of work.
#[derive(Debug, Clone)]
pub enum EntrustmentChange {
    /// A new agreement.
    InsertAgreement(Box<EntrustmentAgreement>),
    /// An agreement filed or revoked, if it still has its version.
    UpdateAgreement(Box<EntrustmentAgreement>),
    /// A training, guidance visit, assessment or fault.
    InsertRecord(Box<EntrustmentRecord>),
    /// A town act, saved with its inspection.
    InsertTownAct(Box<TownAct>),
    /// A town act reviewed, corrected or archived, if it still has its version.
    UpdateTownAct(Box<TownAct>),
    /// A new handover.
    InsertHandover(Box<Handover>),
    /// A handover taken up or concluded, if it still has its version.
    UpdateHandover(Box<Handover>),
}

/// The store's side of entrustments.
#[async_trait::async_trait]
pub trait EntrustmentStore: Send + Sync {
    /// An agreement.
    async fn agreement(&self, id: &str) -> Result<Option<EntrustmentAgreement>>;
    /// Agreements of towns inside the scopes (or whose brigade is inside them), newest first.
    async fn agreements_in(&self, scopes: &[OrgPath]) -> Result<Vec<EntrustmentAgreement>>;
    /// A town's agreements, newest first.
    async fn agreements_of_town(&self, town_id: &OrgId) -> Result<Vec<EntrustmentAgreement>>;
    /// Published agreements, newest first (the portal).
    async fn published_agreements(&self) -> Result<Vec<EntrustmentAgreement>>;
    /// Records of an agreement, oldest first.
    async fn entrustment_records(&self, agreement_id: &str) -> Result<Vec<EntrustmentRecord>>;
    /// Records of a town (all its agreements), oldest first.
    async fn town_records(&self, town_id: &OrgId) -> Result<Vec<EntrustmentRecord>>;
    /// A town act.
    async fn town_act(&self, id: &str) -> Result<Option<TownAct>>;
    /// Town acts inside the scopes, newest first, optionally of one review status or one agreement.
    async fn town_acts(
        &self,
        scopes: &[OrgPath],
        review: Option<ReviewStatus>,
        agreement_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TownAct>>;
    /// A handover.
    async fn handover(&self, id: &str) -> Result<Option<Handover>>;
    /// Handovers whose town or brigade is inside the scopes, newest first.
    async fn handovers(&self, scopes: &[OrgPath], status: Option<HandoverStatus>, limit: u32) -> Result<Vec<Handover>>;
}
