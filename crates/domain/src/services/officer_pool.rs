//! 执法检查人员名录库 as a service: who is in the pool for a period and why not, absences, and declared
//! conflicts (回避).

use chrono::NaiveDate;
use serde::Serialize;

use crate::account::Account;
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::parse_date;
use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};
use crate::ports::registry::RegistryChange;
use crate::ports::{Change, UnitOfWork};
use crate::random_check::officers::{self, Absence, AbsenceKind, Candidate, Conflict, ConflictKind};

use super::Services;

/// One officer as the pool page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct PoolMember {
    /// The account.
    pub account: Account,
    /// `None` when eligible, else why not.
    pub ineligible: Option<String>,
    /// Absences overlapping the period.
    pub absences: Vec<Absence>,
    /// Standing conflicts.
    pub conflicts: usize,
}

impl Services {
    /// The org subtree the pool page covers: `org_id`, or the actor's own org.
    pub(crate) async fn pool_scope(&self, ctx: &Ctx, org_id: Option<&str>) -> Result<OrgPath> {
        let actor = ctx.actor()?;
        let path = match org_id.filter(|s| !s.is_empty()) {
            Some(id) => {
                self.store
                    .org(&OrgId(id.to_string()))
                    .await?
                    .ok_or_else(|| DomainError::invalid("org_id", "机构不存在"))?
                    .path
            }
            None => actor.org_path.clone(),
        };
        actor.require(Perm::RecordRead, &path)?;
        Ok(path)
    }

    /// The officers of a subtree with their eligibility for a period.
    pub async fn officer_pool(
        &self,
        ctx: &Ctx,
        org_id: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PoolMember>> {
        let scope = self.pool_scope(ctx, org_id).await?;
        if to < from {
            return Err(DomainError::invalid("to", "结束日期不能早于开始日期"));
        }
        let accounts = self.store.inspecting_officers(&scope).await?;
        let absences = self.store.absences(&scope, from, to).await?;
        let conflicts = self.store.conflicts(&scope).await?;
        Ok(accounts
            .into_iter()
            .map(|a| {
                let mine: Vec<Absence> = absences.iter().filter(|b| b.account_id == a.id).cloned().collect();
                let c = Candidate {
                    status: a.status,
                    certificate: a.certificate.clone(),
                    absences: mine.iter().map(|b| (b.from, b.to)).collect(),
                };
                PoolMember {
                    ineligible: officers::eligibility(&c, from, to).err(),
                    conflicts: conflicts.iter().filter(|x| x.account_id == a.id).count(),
                    absences: mine,
                    account: a,
                }
            })
            .collect())
    }

    /// The officer an absence or conflict is about: the actor themself, or someone the actor plans for.
    async fn pool_officer(&self, ctx: &Ctx, account_id: &str) -> Result<Account> {
        let actor = ctx.actor()?;
        let account = self.store.account(account_id).await?.ok_or(DomainError::NotFound("执法人员"))?;
        if account.id != actor.user_id {
            actor.require(Perm::CheckPlan, &account.org_path)?;
        } else {
            actor.require(Perm::RecordRead, &account.org_path)?;
        }
        Ok(account)
    }

    /// Records an absence.
    pub async fn add_absence(
        &self,
        ctx: &Ctx,
        account_id: &str,
        kind: &str,
        from: &str,
        to: &str,
        note: &str,
    ) -> Result<Absence> {
        let account = self.pool_officer(ctx, account_id).await?;
        let kind = AbsenceKind::parse("kind", kind)?;
        let from = parse_date("from", from)?;
        let to = parse_date("to", to)?;
        officers::check_absence(from, to)?;
        if note.chars().count() > 200 {
            return Err(DomainError::invalid("note", "备注不超过200个字"));
        }
        let a = Absence {
            id: crate::new_id(),
            account_id: account.id.clone(),
            kind,
            from,
            to,
            note: note.trim().to_string(),
            created_at: ctx.now,
        };
        let audit = ctx.event(actions::ABSENCE_SET, "absence", a.id.clone()).detail(serde_json::json!({
            "account_id": account.id, "kind": kind.code(), "from": from.to_string(), "to": to.to_string(),
        }));
        self.store.commit(UnitOfWork::one(Change::Registry(RegistryChange::InsertAbsence(a.clone())), audit)).await?;
        Ok(a)
    }

    /// Removes an absence.
    pub async fn delete_absence(&self, ctx: &Ctx, id: &str) -> Result<()> {
        let a = self.store.absence(id).await?.ok_or(DomainError::NotFound("不在岗记录"))?;
        self.pool_officer(ctx, &a.account_id).await?;
        let audit = ctx.event(actions::ABSENCE_SET, "absence", id).detail(serde_json::json!({ "deleted": true }));
        self.store
            .commit(UnitOfWork::one(Change::Registry(RegistryChange::DeleteAbsence { id: id.to_string() }), audit))
            .await?;
        Ok(())
    }

    /// Standing conflicts in a subtree.
    pub async fn conflicts(&self, ctx: &Ctx, org_id: Option<&str>) -> Result<Vec<Conflict>> {
        let scope = self.pool_scope(ctx, org_id).await?;
        self.store.conflicts(&scope).await
    }

    /// Declares a conflict: the officer will never be drawn for the unit.
    pub async fn declare_conflict(
        &self,
        ctx: &Ctx,
        account_id: &str,
        unit_id: &str,
        kind: &str,
        note: &str,
    ) -> Result<Conflict> {
        let account = self.pool_officer(ctx, account_id).await?;
        // The unit by id, or by its credit code (what a person has at hand).
        let unit_id = unit_id.trim();
        let unit = match crate::identity::CreditCode::parse(unit_id) {
            Ok(code) => {
                let actor = ctx.actor()?;
                self.store
                    .units_by_credit_codes(&[code.as_str().to_string()])
                    .await?
                    .into_iter()
                    .find(|u| actor.can(Perm::RecordRead, &u.org_path))
                    .ok_or(DomainError::NotFound("单位"))?
            }
            Err(_) => self.get_unit(ctx, unit_id).await?,
        };
        let kind = ConflictKind::parse("kind", kind)?;
        let note = note.trim();
        if note.chars().count() < 2 || note.chars().count() > 200 {
            return Err(DomainError::invalid("note", "请简要说明回避事由（2至200个字）"));
        }
        let c = Conflict {
            id: crate::new_id(),
            account_id: account.id.clone(),
            officer_name: account.display_name.as_str().to_string(),
            unit_id: unit.id.clone(),
            unit_name: unit.facts.name.clone(),
            kind,
            note: note.to_string(),
            declared_at: ctx.now,
        };
        // The reason text stays in the conflict record; the audit names only the pair and the kind.
        let audit = ctx.event(actions::CONFLICT_SET, "conflict", c.id.clone()).detail(serde_json::json!({
            "account_id": account.id, "unit_id": unit.id, "kind": kind.code(),
        }));
        self.store.commit(UnitOfWork::one(Change::Registry(RegistryChange::InsertConflict(c.clone())), audit)).await?;
        Ok(c)
    }

    /// Withdraws a conflict (a planner, not the officer alone: recusal is not self-service to undo).
    pub async fn withdraw_conflict(&self, ctx: &Ctx, id: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let c = self.store.conflict(id).await?.ok_or(DomainError::NotFound("回避登记"))?;
        let account = self.store.account(&c.account_id).await?.ok_or(DomainError::NotFound("执法人员"))?;
        actor.require(Perm::CheckPlan, &account.org_path)?;
        let audit = ctx.event(actions::CONFLICT_SET, "conflict", id).detail(serde_json::json!({ "withdrawn": true }));
        let change = Change::Registry(RegistryChange::WithdrawConflict { id: id.to_string(), at: ctx.now });
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(())
    }
}
