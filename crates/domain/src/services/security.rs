//! The security administrator's policy (安全管理员: 口令、锁定与会话策略).

use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::error::{DomainError, Result};
use crate::org::OrgPath;
use crate::policy::SecurityPolicy;
use crate::ports::{Change, UnitOfWork};

use super::Services;

/// Settings key of the policy.
pub const POLICY_KEY: &str = "security_policy";

/// The tree's root path, derived from any path in it: the whole system has one root.
pub fn root_of(path: &OrgPath) -> OrgPath {
    match path.ids().next() {
        Some(id) => OrgPath::root(&id),
        None => path.clone(),
    }
}

impl Services {
    /// The policy in force and its version (0 = the built-in defaults, never saved).
    pub async fn security_policy(&self) -> Result<(SecurityPolicy, i64)> {
        match self.store.setting(POLICY_KEY).await? {
            None => Ok((SecurityPolicy::default(), 0)),
            Some((text, version)) => {
                let p = serde_json::from_str(&text).map_err(DomainError::internal)?;
                Ok((p, version))
            }
        }
    }

    /// Replaces the policy. Only a security administrator whose scope is the whole tree may do so.
    pub async fn update_security_policy(&self, ctx: &Ctx, policy: SecurityPolicy, expected_version: i64) -> Result<()> {
        let actor = ctx.actor()?;
        actor.require(Perm::PolicyManage, &root_of(&actor.org_path))?;
        policy.validate()?;
        let (old, _) = self.security_policy().await?;
        let value = serde_json::to_string(&policy).map_err(DomainError::internal)?;
        let audit = ctx
            .event(actions::POLICY_UPDATE, "setting", POLICY_KEY)
            .detail(serde_json::json!({ "before": old, "after": policy }));
        let change = Change::PutSetting {
            key: POLICY_KEY.into(),
            value,
            expected_version: (expected_version > 0).then_some(expected_version),
            at: ctx.now,
        };
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(())
    }
}
