//! Accounts, kept by the system administrator; unlocking belongs to the security administrator.

use crate::account::{Account, AccountStatus, Certificate, DisplayName, Username};
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::error::{DomainError, Result};
use crate::org::OrgId;
use crate::ports::{Change, UnitOfWork};

use super::Services;

/// A request to create an account.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Own org id.
    pub org_id: String,
    /// Certificate number (empty: none).
    pub certificate_no: Option<String>,
    /// Certificate expiry `YYYY-MM-DD`.
    pub certificate_expires_on: Option<String>,
}

/// A request to change an account.
#[derive(Debug, Clone)]
pub struct AccountUpdate {
    /// Name shown.
    pub display_name: String,
    /// Own org id.
    pub org_id: String,
    /// Status code.
    pub status: String,
    /// Certificate number (empty: none).
    pub certificate_no: Option<String>,
    /// Certificate expiry.
    pub certificate_expires_on: Option<String>,
    /// Version the user edited.
    pub version: i64,
}

/// Parses the optional certificate pair: both or neither.
pub fn parse_certificate(no: Option<&str>, expires: Option<&str>) -> Result<Option<Certificate>> {
    let no = no.map(str::trim).filter(|s| !s.is_empty());
    let expires = expires.map(str::trim).filter(|s| !s.is_empty());
    match (no, expires) {
        (None, None) => Ok(None),
        (Some(n), Some(e)) => Certificate::parse(n, e).map(Some),
        (Some(_), None) => Err(DomainError::invalid("certificate_expires_on", "填写执法证号时须填写有效期")),
        (None, Some(_)) => Err(DomainError::invalid("certificate_no", "填写有效期时须填写执法证号")),
    }
}

impl Services {
    /// Accounts the actor may see, optionally filtered by a name fragment.
    pub async fn list_accounts(&self, ctx: &Ctx, search: Option<&str>) -> Result<Vec<Account>> {
        let scopes = ctx.actor()?.scopes(Perm::AccountRead);
        if scopes.is_empty() {
            return Err(DomainError::Forbidden);
        }
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        self.store.accounts_in(&scopes, search).await
    }

    /// One account inside the actor's jurisdiction.
    pub async fn get_account(&self, ctx: &Ctx, id: &str) -> Result<Account> {
        let actor = ctx.actor()?;
        let account = self.store.account(id).await?.ok_or(DomainError::NotFound("账户"))?;
        if !actor.can(Perm::AccountRead, &account.org_path) {
            return Err(DomainError::NotFound("账户"));
        }
        Ok(account)
    }

    /// A random initial password that satisfies the policy in force.
    pub(crate) async fn initial_password(&self) -> Result<String> {
        let (policy, _) = self.security_policy().await?;
        for _ in 0..64 {
            let candidate = format!("{}-{}", self.crypto.random_token(9), self.crypto.random_token(6));
            if policy.check_password(&candidate, "").is_ok() {
                return Ok(candidate);
            }
        }
        Err(DomainError::internal("could not generate a policy-conforming initial password"))
    }

    /// Creates an account with a one-time initial password (returned once, changed at first login,
    /// void after [`crate::policy::ONE_TIME_SECRET_HOURS`]).
    pub async fn create_account(&self, ctx: &Ctx, new: NewAccount) -> Result<(Account, String)> {
        let actor = ctx.actor()?;
        let username = Username::parse(&new.username)?;
        let display_name = DisplayName::parse(&new.display_name)?;
        let certificate = parse_certificate(new.certificate_no.as_deref(), new.certificate_expires_on.as_deref())?;
        let org = self
            .store
            .org(&OrgId(new.org_id.clone()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("org_id", "所属机构不存在"))?;
        actor.require(Perm::AccountManage, &org.path)?;
        if self.store.credentials(username.as_str()).await?.is_some() {
            return Err(DomainError::invalid("username", "用户名已被使用"));
        }
        let password = self.initial_password().await?;
        let hash = self.crypto.hash_password(&password).await?;
        let mut account = Account::new(username, display_name, &org, true, ctx.now);
        account.certificate = certificate;
        let audit = ctx.event(actions::ACCOUNT_CREATE, "account", account.id.clone()).detail(serde_json::json!({
            "username": account.username.as_str(), "org_id": org.id.0,
            "has_certificate": account.certificate.is_some(),
        }));
        let work = UnitOfWork::one(Change::InsertAccount { account: account.clone(), password_hash: hash }, audit);
        self.store.commit(work).await?;
        Ok((account, password))
    }

    /// Changes an account's name, org, status or certificate. Disabling ends its sessions.
    pub async fn update_account(&self, ctx: &Ctx, id: &str, update: AccountUpdate) -> Result<Account> {
        let actor = ctx.actor()?;
        let account = self.get_account(ctx, id).await?;
        actor.require(Perm::AccountManage, &account.org_path)?;
        let display_name = DisplayName::parse(&update.display_name)?;
        let status = AccountStatus::parse(&update.status)?;
        let certificate =
            parse_certificate(update.certificate_no.as_deref(), update.certificate_expires_on.as_deref())?;
        let org = self
            .store
            .org(&OrgId(update.org_id.clone()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("org_id", "所属机构不存在"))?;
        actor.require(Perm::AccountManage, &org.path)?;
        if status == AccountStatus::Disabled && account.id == actor.user_id {
            return Err(DomainError::Rule("不能停用自己的账户".into()));
        }
        let audit = ctx.event(actions::ACCOUNT_UPDATE, "account", id).detail(serde_json::json!({
            "before": { "org_id": account.org_id.0, "status": account.status.code(),
                        "certificate": account.certificate },
            "after": { "org_id": org.id.0, "status": status.code(), "certificate": certificate },
        }));
        let mut work = UnitOfWork::one(
            Change::UpdateAccount {
                id: id.to_string(),
                expected_version: update.version,
                display_name: display_name.as_str().to_string(),
                org_id: org.id.clone(),
                status,
                certificate: certificate.clone(),
                at: ctx.now,
            },
            audit,
        );
        if status == AccountStatus::Disabled {
            work = work.change(Change::DeleteSessionsOfUser { user_id: id.to_string(), except: None });
        }
        self.store.commit(work).await?;
        Ok(Account {
            display_name,
            org_id: org.id,
            org_path: org.path,
            org_name: org.name.as_str().to_string(),
            status,
            certificate,
            version: update.version + 1,
            ..account
        })
    }

    /// Issues a new one-time password (the user forgot theirs: recovery goes through an administrator,
    /// ASVS 2.5.6). Ends the account's sessions.
    pub async fn reset_password(&self, ctx: &Ctx, id: &str) -> Result<String> {
        let actor = ctx.actor()?;
        let account = self.get_account(ctx, id).await?;
        actor.require(Perm::AccountManage, &account.org_path)?;
        let (policy, _) = self.security_policy().await?;
        let password = self.initial_password().await?;
        let hash = self.crypto.hash_password(&password).await?;
        let work = UnitOfWork::one(
            Change::SetPassword {
                user_id: id.to_string(),
                hash,
                must_change: true,
                at: ctx.now,
                keep_history: policy.password.history,
            },
            ctx.event(actions::PASSWORD_RESET, "account", id),
        )
        .change(Change::DeleteSessionsOfUser { user_id: id.to_string(), except: None });
        self.store.commit(work).await?;
        Ok(password)
    }

    /// Lifts a lockout before it runs out (安全管理员).
    pub async fn unlock_account(&self, ctx: &Ctx, id: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let account = self.store.account(id).await?.ok_or(DomainError::NotFound("账户"))?;
        if !actor.can(Perm::AccountRead, &account.org_path) {
            return Err(DomainError::NotFound("账户"));
        }
        actor.require(Perm::AccountUnlock, &account.org_path)?;
        let work = UnitOfWork::one(
            Change::Unlock { user_id: id.to_string() },
            ctx.event(actions::ACCOUNT_UNLOCK, "account", id),
        );
        self.store.commit(work).await?;
        Ok(())
    }
}
