//! First start: no default passwords (等保 L3-CES1-05/06). The server prints a random one-time secret;
//! whoever holds it creates the root org and the three separated administrators.

use serde::{Deserialize, Serialize};

use crate::account::{Account, DisplayName, Username};
use crate::audit::{Ctx, actions};
use crate::authz::Role;
use crate::error::{DomainError, Result};
use crate::org::{Org, OrgId, OrgLevel, OrgName, OrgPath, parse_short_name};
use crate::ports::{Change, UnitOfWork};
use crate::time::Timestamp;

use super::Services;

/// Settings key of the bootstrap secret's digest.
pub const BOOTSTRAP_KEY: &str = "bootstrap_secret";

#[derive(Serialize, Deserialize)]
struct StoredSecret {
    digest: String,
    expires_at: Timestamp,
}

/// What the person setting up the system types.
#[derive(Debug, Clone, Default)]
pub struct BootstrapInput {
    /// The secret printed by the server.
    pub secret: String,
    /// Root org name.
    pub org_name: String,
    /// Root org short name.
    pub org_short_name: Option<String>,
    /// Root org level code (总队, 支队 or 大队).
    pub org_level: String,
    /// System administrator's login name.
    pub sys_username: String,
    /// System administrator's name.
    pub sys_display_name: String,
    /// System administrator's password.
    pub sys_password: String,
    /// Repeated.
    pub sys_password_confirm: String,
    /// Security administrator's login name.
    pub sec_username: String,
    /// Audit administrator's login name.
    pub audit_username: String,
}

/// An account created with a one-time password.
#[derive(Debug, Clone)]
pub struct IssuedAccount {
    /// The account.
    pub account: Account,
    /// Its one-time password.
    pub password: String,
}

/// A grant change, made by the system itself.
pub(crate) fn system_grant(account: &Account, role: Role, org: &Org, now: Timestamp) -> Change {
    Change::InsertGrant {
        id: crate::new_id(),
        user_id: account.id.clone(),
        role,
        org_id: org.id.clone(),
        at: now,
        by: "system".into(),
    }
}

/// A root org.
pub(crate) fn root_org(name: OrgName, short_name: Option<String>, level: OrgLevel, now: Timestamp) -> Org {
    let id = OrgId(crate::new_id());
    Org {
        path: OrgPath::root(&id),
        id,
        parent_id: None,
        name,
        short_name,
        level,
        active: true,
        version: 1,
        created_at: now,
    }
}

impl Services {
    /// Whether the system has no account yet.
    pub async fn needs_bootstrap(&self) -> Result<bool> {
        Ok(self.store.account_count().await? == 0)
    }

    /// On a system without accounts, makes a new one-time secret (replacing any earlier one) and returns
    /// it for the console. `None` once the system is set up.
    pub async fn issue_bootstrap_secret(&self, ctx: &Ctx) -> Result<Option<String>> {
        if !self.needs_bootstrap().await? {
            return Ok(None);
        }
        let secret = self.crypto.random_token(24);
        let stored = StoredSecret {
            digest: self.crypto.digest(secret.as_bytes()),
            expires_at: ctx.now.plus_hours(crate::policy::ONE_TIME_SECRET_HOURS),
        };
        let version = self.store.setting(BOOTSTRAP_KEY).await?.map(|(_, v)| v);
        let change = Change::PutSetting {
            key: BOOTSTRAP_KEY.into(),
            value: serde_json::to_string(&stored).map_err(DomainError::internal)?,
            expected_version: version,
            at: ctx.now,
        };
        let audit = ctx
            .event(actions::BOOTSTRAP, "setting", BOOTSTRAP_KEY)
            .actor_name("system")
            .detail(serde_json::json!({ "op": "issue_secret" }));
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(Some(secret))
    }

    /// Sets the system up: the root org, the system administrator with the password typed, and the
    /// security and audit administrators with one-time passwords.
    pub async fn bootstrap(&self, ctx: &Ctx, input: BootstrapInput) -> Result<(Account, IssuedAccount, IssuedAccount)> {
        if !self.needs_bootstrap().await? {
            return Err(DomainError::Rule("系统已完成初始化".into()));
        }
        let stored: Option<StoredSecret> = match self.store.setting(BOOTSTRAP_KEY).await? {
            Some((text, _)) => serde_json::from_str(&text).ok(),
            None => None,
        };
        let valid = stored
            .is_some_and(|s| s.expires_at > ctx.now && s.digest == self.crypto.digest(input.secret.trim().as_bytes()));
        if !valid {
            let ev = ctx
                .event(actions::BOOTSTRAP, "setting", BOOTSTRAP_KEY)
                .outcome(crate::audit::Outcome::Failure, "初始化口令错误或已过期");
            self.store.commit(UnitOfWork { changes: vec![], audit: vec![ev] }).await?;
            return Err(DomainError::invalid("secret", "初始化口令错误或已过期（重启服务可获得新口令）"));
        }
        let org_name = OrgName::parse(&input.org_name)?;
        let short = parse_short_name(input.org_short_name.as_deref())?;
        let level = OrgLevel::parse("org_level", &input.org_level)?;
        if !level.is_agency() {
            return Err(DomainError::invalid("org_level", "根机构须为总队、支队或大队"));
        }
        let sys_name = Username::parse(&input.sys_username)?;
        let sys_display = DisplayName::parse(&input.sys_display_name)?;
        let sec_name = Username::parse(&input.sec_username)
            .map_err(|_| DomainError::invalid("sec_username", "安全管理员用户名应为3至32位字母、数字或 . _ -"))?;
        let audit_name = Username::parse(&input.audit_username)
            .map_err(|_| DomainError::invalid("audit_username", "审计管理员用户名应为3至32位字母、数字或 . _ -"))?;
        let names = [sys_name.as_str(), sec_name.as_str(), audit_name.as_str()];
        if names[0] == names[1] || names[0] == names[2] || names[1] == names[2] {
            return Err(DomainError::invalid("sec_username", "三个管理员须使用不同的账户（三员分立）"));
        }
        if input.sys_password != input.sys_password_confirm {
            return Err(DomainError::invalid("sys_password_confirm", "两次输入的密码不一致"));
        }
        let (policy, _) = self.security_policy().await?;
        policy.check_password(&input.sys_password, sys_name.as_str())?;

        let now = ctx.now;
        let root = root_org(org_name, short, level, now);
        let sys = Account::new(sys_name, sys_display, &root, false, now);
        let sec_password = self.initial_password().await?;
        let audit_password = self.initial_password().await?;
        let sec = Account::new(sec_name, DisplayName::parse("安全管理员")?, &root, true, now);
        let aud = Account::new(audit_name, DisplayName::parse("审计管理员")?, &root, true, now);

        let mut work = UnitOfWork::default().change(Change::InsertOrg(root.clone()));
        for (account, password, role) in [
            (&sys, &input.sys_password, Role::SysAdmin),
            (&sec, &sec_password, Role::SecAdmin),
            (&aud, &audit_password, Role::AuditAdmin),
        ] {
            let hash = self.crypto.hash_password(password).await?;
            work = work
                .change(Change::InsertAccount { account: account.clone(), password_hash: hash })
                .change(system_grant(account, role, &root, now));
        }
        work = work.change(Change::PutSetting {
            key: BOOTSTRAP_KEY.into(),
            value: "{}".into(),
            expected_version: self.store.setting(BOOTSTRAP_KEY).await?.map(|(_, v)| v),
            at: now,
        });
        work = work.audit(ctx.event(actions::BOOTSTRAP, "org", root.id.0.clone()).detail(serde_json::json!({
            "org": root.name.as_str(), "sys_admin": sys.id, "sec_admin": sec.id, "audit_admin": aud.id,
        })));
        self.store.commit(work).await?;
        Ok((
            sys,
            IssuedAccount { account: sec, password: sec_password },
            IssuedAccount { account: aud, password: audit_password },
        ))
    }
}
