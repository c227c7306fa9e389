//! The org tree, kept by the system administrator.

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::error::{DomainError, Result};
use crate::org::{Org, OrgId, OrgLevel, OrgName, parse_short_name};
use crate::ports::{Change, UnitOfWork};

use super::Services;

/// A request to create an org, as typed by the user.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Parent org id.
    pub parent_id: String,
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Level code.
    pub level: String,
}

/// A request to change an org.
#[derive(Debug, Clone)]
pub struct OrgUpdate {
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Still in use.
    pub active: bool,
    /// The version the user edited.
    pub version: i64,
}

impl Services {
    /// Orgs the actor may see.
    pub async fn list_orgs(&self, ctx: &Ctx) -> Result<Vec<Org>> {
        let scopes = ctx.actor()?.scopes(Perm::OrgRead);
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        self.store.orgs_in(&scopes).await
    }

    /// One org, if the actor may see it (else "不存在": ids outside the jurisdiction are not confirmed).
    pub async fn get_org(&self, ctx: &Ctx, id: &str) -> Result<Org> {
        let actor = ctx.actor()?;
        let org = self.store.org(&OrgId(id.to_string())).await?.ok_or(DomainError::NotFound("机构"))?;
        if !actor.can(Perm::OrgRead, &org.path) {
            return Err(DomainError::NotFound("机构"));
        }
        Ok(org)
    }

    /// Creates an org under a parent inside the actor's jurisdiction.
    pub async fn create_org(&self, ctx: &Ctx, new: NewOrg) -> Result<Org> {
        let actor = ctx.actor()?;
        let name = OrgName::parse(&new.name)?;
        let short_name = parse_short_name(new.short_name.as_deref())?;
        let level = OrgLevel::parse("level", &new.level)?;
        let parent = self
            .store
            .org(&OrgId(new.parent_id.clone()))
            .await?
            .filter(|p| actor.can(Perm::OrgRead, &p.path))
            .ok_or_else(|| DomainError::invalid("parent_id", "上级机构不存在"))?;
        actor.require(Perm::OrgManage, &parent.path)?;
        if !parent.active {
            return Err(DomainError::invalid("parent_id", "上级机构已停用，不能在其下新建机构"));
        }
        if !parent.level.may_contain(level) {
            return Err(DomainError::invalid("level", format!("{}下不能设立{}", parent.level.label(), level.label())));
        }
        let id = OrgId(crate::new_id());
        let org = Org {
            path: parent.path.child(&id),
            id,
            parent_id: Some(parent.id.clone()),
            name,
            short_name,
            level,
            active: true,
            version: 1,
            created_at: ctx.now,
        };
        let audit = ctx.event(actions::ORG_CREATE, "org", org.id.0.clone()).detail(serde_json::json!({
            "name": org.name.as_str(), "level": level.code(), "parent_id": parent.id.0,
        }));
        self.store.commit(UnitOfWork::one(Change::InsertOrg(org.clone()), audit)).await?;
        Ok(org)
    }

    /// Renames or (de)activates an org.
    pub async fn update_org(&self, ctx: &Ctx, id: &str, update: OrgUpdate) -> Result<Org> {
        let actor = ctx.actor()?;
        let org = self.get_org(ctx, id).await?;
        actor.require(Perm::OrgManage, &org.path)?;
        let name = OrgName::parse(&update.name)?;
        let short_name = parse_short_name(update.short_name.as_deref())?;
        if !update.active && org.parent_id.is_none() {
            return Err(DomainError::Rule("根机构不能停用".into()));
        }
        let audit = ctx.event(actions::ORG_UPDATE, "org", id).detail(serde_json::json!({
            "before": { "name": org.name.as_str(), "short_name": org.short_name, "active": org.active },
            "after": { "name": name.as_str(), "short_name": short_name, "active": update.active },
        }));
        let change = Change::UpdateOrg {
            id: org.id.clone(),
            expected_version: update.version,
            name: name.as_str().to_string(),
            short_name: short_name.clone(),
            active: update.active,
            at: ctx.now,
        };
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(Org { name, short_name, active: update.active, version: update.version + 1, ..org })
    }
}
