//! The audit administrator's console: search, export, verify (审计管理员).

use crate::audit::{AuditRecord, ChainBreak, ChainVerifier, Ctx, actions};
use crate::authz::Perm;
use crate::error::{DomainError, Result};
use crate::ports::{AuditQuery, UnitOfWork};

use super::Services;
use super::security::root_of;

/// Most records one export may hold; larger exports are split by time range.
pub const MAX_EXPORT_ROWS: u32 = 50_000;

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records that verified.
    pub checked: u64,
    /// The first break, if any.
    pub first_break: Option<ChainBreak>,
}

impl Services {
    /// Searches audit records. The audit administrator reads everyone's records, the other two
    /// administrators' included, so the permission is required over the whole tree.
    pub async fn search_audit(&self, ctx: &Ctx, mut q: AuditQuery) -> Result<(Vec<AuditRecord>, u64)> {
        let actor = ctx.actor()?;
        actor.require(Perm::AuditRead, &root_of(&actor.org_path))?;
        q.limit = q.limit.clamp(1, 200);
        self.store.audit_search(&q).await
    }

    /// Exports the records matching `q` (up to [`MAX_EXPORT_ROWS`]); the export itself is audited.
    pub async fn export_audit(&self, ctx: &Ctx, mut q: AuditQuery) -> Result<Vec<AuditRecord>> {
        let actor = ctx.actor()?;
        actor.require(Perm::AuditExport, &root_of(&actor.org_path))?;
        q.limit = MAX_EXPORT_ROWS;
        q.offset = 0;
        let (rows, total) = self.store.audit_search(&q).await?;
        if total > u64::from(MAX_EXPORT_ROWS) {
            return Err(DomainError::Rule(format!(
                "符合条件的记录有{total}条，单次最多导出{MAX_EXPORT_ROWS}条，请缩小时间范围"
            )));
        }
        let ev = ctx.event(actions::AUDIT_EXPORT, "audit_log", "").detail(serde_json::json!({
            "rows": rows.len(), "action": q.action, "actor": q.actor_name,
            "from": q.from, "to": q.to,
        }));
        self.store.commit(UnitOfWork { changes: vec![], audit: vec![ev] }).await?;
        Ok(rows)
    }

    /// Walks the whole chain and reports the first record that was edited, deleted or reordered.
    pub async fn verify_audit_chain(&self) -> Result<VerifyReport> {
        let crypto = self.crypto.clone();
        let mac = move |data: &[u8]| crypto.audit_mac(data);
        let mut verifier = ChainVerifier::new(&mac);
        let mut after = 0;
        loop {
            let page = self.store.audit_page(after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in &page {
                if let Err(b) = verifier.push(r) {
                    return Ok(VerifyReport { checked: verifier.checked, first_break: Some(b) });
                }
            }
        }
        let head = self.store.audit_head().await?;
        let first_break = verifier.finish(head).err();
        Ok(VerifyReport { checked: verifier.checked, first_break })
    }
}
