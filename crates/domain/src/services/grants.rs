//! Role grants, kept by the security administrator (安全管理员 grants; 系统管理员 creates accounts: 三员分立).

use crate::audit::{Ctx, actions};
use crate::authz::{Grant, Perm, Role, check_role_combination};
use crate::error::{DomainError, Result};
use crate::org::OrgId;
use crate::ports::{Change, UnitOfWork};

use super::Services;

impl Services {
    /// The grants an account holds, if the actor may see the account.
    pub async fn account_grants(&self, ctx: &Ctx, user_id: &str) -> Result<Vec<Grant>> {
        self.get_account(ctx, user_id).await?;
        self.store.grants_of(user_id).await
    }

    /// Grants `role` over the subtree of `org_id` to an account.
    pub async fn grant_role(&self, ctx: &Ctx, user_id: &str, role: &str, org_id: &str) -> Result<Grant> {
        let actor = ctx.actor()?;
        let role = Role::parse("role", role)?;
        let account = self.get_account(ctx, user_id).await?;
        actor.require(Perm::RoleGrant, &account.org_path)?;
        if account.id == actor.user_id {
            return Err(DomainError::Rule("不能给自己授予角色".into()));
        }
        let scope = self
            .store
            .org(&OrgId(org_id.to_string()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("org_id", "授权范围机构不存在"))?;
        actor.require(Perm::RoleGrant, &scope.path)?;
        // A role is held over the account's own line of the tree: its org, a unit below it, or a unit
        // above it (a leader seconded upward). Never over an unrelated branch.
        if !scope.path.contains(&account.org_path) && !account.org_path.contains(&scope.path) {
            return Err(DomainError::invalid("org_id", "授权范围须为该账户所属机构、其上级或下级机构"));
        }
        if role == Role::TownOfficer && scope.level != crate::org::OrgLevel::Town {
            return Err(DomainError::invalid("org_id", "镇街执法人员的授权范围须为镇（街道）"));
        }
        let existing = self.store.grants_of(user_id).await?;
        let held: Vec<Role> = existing.iter().map(|g| g.role).collect();
        if existing.iter().any(|g| g.role == role && g.org_id == scope.id) {
            return Err(DomainError::Conflict("该账户已在此范围持有该角色".into()));
        }
        check_role_combination(&held, role)?;
        let grant = Grant {
            id: crate::new_id(),
            role,
            org_id: scope.id.clone(),
            org_path: scope.path.clone(),
            org_name: scope.name.as_str().to_string(),
        };
        let audit = ctx.event(actions::ROLE_GRANT, "account", user_id).detail(serde_json::json!({
            "grant_id": grant.id, "role": role.code(), "org_id": scope.id.0,
        }));
        let change = Change::InsertGrant {
            id: grant.id.clone(),
            user_id: user_id.to_string(),
            role,
            org_id: scope.id.clone(),
            at: ctx.now,
            by: actor.user_id.clone(),
        };
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(grant)
    }

    /// Revokes a grant.
    pub async fn revoke_grant(&self, ctx: &Ctx, grant_id: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let (user_id, grant) = self.store.grant(grant_id).await?.ok_or(DomainError::NotFound("授权"))?;
        let account = self.get_account(ctx, &user_id).await.map_err(|_| DomainError::NotFound("授权"))?;
        actor.require(Perm::RoleGrant, &account.org_path)?;
        actor.require(Perm::RoleGrant, &grant.org_path)?;
        if user_id == actor.user_id {
            return Err(DomainError::Rule("不能撤销自己的角色".into()));
        }
        let audit = ctx.event(actions::ROLE_REVOKE, "account", user_id.clone()).detail(serde_json::json!({
            "grant_id": grant.id, "role": grant.role.code(), "org_id": grant.org_id.0,
        }));
        let work = UnitOfWork::one(Change::DeleteGrant { id: grant.id }, audit);
        self.store.commit(work).await?;
        Ok(())
    }
}
