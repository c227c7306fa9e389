//! 行政处罚决定公示 as a service: the draft made with the decision, approved after the preview by someone
//! who did not handle the case and passed by the scanner, withdrawn with its reason, and the public list.

use super::{case_due, meet, text};
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::deadline::{self, Due};
use crate::error::{DomainError, Result};
use crate::penalty::case::Case;
use crate::penalty::publication::{self, Publication, PublicationStatus};
use crate::ports::case::CaseChange;
use crate::ports::registry::{CreditRecord, RegistryChange};
use crate::ports::{Change, UnitOfWork};
use crate::time::Timestamp;

use super::super::Services;

impl Services {
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

/// What a decision brings with it, in the same commit: the unit's credit record (registry) and, for a
/// penalty decided under 普通程序 or 快速办理, the publication draft with its due date. A 简易程序 decision
/// and a no-penalty decision are not published (行政处罚法第四十八条: decisions with 一定社会影响).
pub(super) fn decision_effects(c: &Case, agency: &str, publish_due: Option<Due>, now: Timestamp) -> Vec<Change> {
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
