//! Authentication (等保 L3-CES1-01/02, ASVS V2/V3): login with lockout, server-side sessions with idle and
//! absolute expiry, password changes with history, and bearer tokens for API clients.

use crate::account::{Account, AccountStatus, Username};
use crate::audit::{Ctx, Outcome, actions};
use crate::authz::Actor;
use crate::error::{DomainError, Result};
use crate::policy::{ONE_TIME_SECRET_HOURS, SecurityPolicy};
use crate::ports::{ApiToken, Change, SessionRecord, UnitOfWork};
use crate::time::Timestamp;

use super::Services;

/// Sessions are touched at most this often, so that reading pages does not write on every request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Prefix of API tokens, so that a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "flw_";

/// A hash that never matches, verified against when the user name is unknown so that the response time
/// does not reveal which names exist.
const DUMMY_HASH: &str = "$pbkdf2-sm3$i=120000$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

/// A new session.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The cookie value (shown once; only its digest is stored).
    pub session_token: String,
    /// The CSRF synchronizer token of the session.
    pub csrf_token: String,
    /// The user must change the password before anything else.
    pub must_change_password: bool,
}

/// An authenticated session.
#[derive(Debug, Clone)]
pub struct SessionAuth {
    /// Who.
    pub actor: Actor,
    /// The account.
    pub account: Account,
    /// The session.
    pub session: SessionRecord,
    /// The password must be changed now (first login, reset, or expired).
    pub must_change_password: bool,
}

fn actor_of(account: &Account, grants: Vec<crate::authz::Grant>) -> Actor {
    Actor {
        user_id: account.id.clone(),
        username: account.username.as_str().to_string(),
        display_name: account.display_name.as_str().to_string(),
        org_id: account.org_id.clone(),
        org_name: account.org_name.clone(),
        org_path: account.org_path.clone(),
        grants,
    }
}

/// Whether the policy's maximum password age has passed (等保: change every 90 days).
fn password_expired(policy: &SecurityPolicy, account: &Account, now: Timestamp) -> bool {
    let days = i64::from(policy.password.max_age_days);
    days > 0 && account.password_changed_at.is_none_or(|t| t.plus_days(days) <= now)
}

impl Services {
    /// The actor for an account: the account with its grants.
    pub async fn actor_for(&self, account: &Account) -> Result<Actor> {
        Ok(actor_of(account, self.store.grants_of(&account.id).await?))
    }

    /// Checks a user name and password. Wrong name and wrong password get the same answer; the account locks
    /// after the policy's number of failures in its window. Every failure is audited. Returns the account
    /// and whether its password must be changed now.
    async fn check_credentials(&self, ctx: &Ctx, username: &str, password: &str) -> Result<(Account, bool)> {
        let now = ctx.now;
        // Only a well-formed user name goes into the audit record: people type passwords into the wrong box.
        let tried =
            Username::parse(username).map(|u| u.as_str().to_string()).unwrap_or_else(|_| "（无效用户名）".into());
        let failed = |reason: &str, account_id: &str| {
            ctx.event(actions::LOGIN_FAILED, "account", account_id)
                .actor_name(tried.clone())
                .outcome(Outcome::Failure, reason)
        };
        let creds = match Username::parse(username) {
            Ok(name) => self.store.credentials(name.as_str()).await?,
            Err(_) => None,
        };
        let Some(creds) = creds else {
            // Spend the same time as a real check.
            let _ = self.crypto.verify_password(password, DUMMY_HASH).await;
            self.store.commit(UnitOfWork { changes: vec![], audit: vec![failed("用户名不存在", "")] }).await?;
            return Err(DomainError::BadCredentials);
        };
        let account = creds.account;
        let uid = account.id.clone();
        if let Some(until) = account.locked_until.filter(|t| *t > now) {
            let ev = failed("账户锁定期间尝试登录", &uid).actor_id(uid);
            self.store.commit(UnitOfWork { changes: vec![], audit: vec![ev] }).await?;
            return Err(DomainError::Locked { until });
        }
        if !self.crypto.verify_password(password, &creds.password_hash).await? {
            let (policy, _) = self.security_policy().await?;
            let lock_until = now.plus_minutes(policy.lockout.lock_minutes.into());
            let lock_audit =
                ctx.event(actions::ACCOUNT_LOCKED, "account", uid.clone()).actor_name(tried.clone()).outcome(
                    Outcome::Failure,
                    format!("{}分钟内连续登录失败{}次", policy.lockout.window_minutes, policy.lockout.max_failures),
                );
            let change = Change::LoginFailed {
                user_id: uid.clone(),
                at: now,
                window_start: now.plus_minutes(-i64::from(policy.lockout.window_minutes)),
                max_failures: policy.lockout.max_failures,
                lock_until,
                lock_audit: Box::new(lock_audit),
            };
            let ev = failed("密码错误", &uid).actor_id(uid.clone());
            let done = self.store.commit(UnitOfWork::one(change, ev)).await?;
            return match done.locked_until {
                Some(until) => Err(DomainError::Locked { until }),
                None => Err(DomainError::BadCredentials),
            };
        }
        if account.status != AccountStatus::Active {
            self.store
                .commit(UnitOfWork {
                    changes: vec![], audit: vec![failed("账户已停用", &uid).actor_id(uid.clone())]
                })
                .await?;
            return Err(DomainError::Rule("账户已停用，请联系系统管理员".into()));
        }
        if account.must_change_password
            && account.password_changed_at.is_some_and(|t| t.plus_hours(ONE_TIME_SECRET_HOURS) <= now)
        {
            self.store
                .commit(UnitOfWork {
                    changes: vec![],
                    audit: vec![failed("初始密码已过期", &uid).actor_id(uid.clone())],
                })
                .await?;
            return Err(DomainError::Rule(format!(
                "初始密码已超过{ONE_TIME_SECRET_HOURS}小时未使用而失效，请联系系统管理员重置"
            )));
        }
        let (policy, _) = self.security_policy().await?;
        let must_change = account.must_change_password || password_expired(&policy, &account, now);
        Ok((account, must_change))
    }

    /// Logs in with a new session (a new id every time: ASVS 3.2.1).
    pub async fn login(&self, ctx: &Ctx, username: &str, password: &str, user_agent: &str) -> Result<LoginOutcome> {
        let (account, must_change) = self.check_credentials(ctx, username, password).await?;
        let uid = account.id.clone();
        let token = self.crypto.random_token(32);
        let session = SessionRecord {
            id_hash: self.crypto.digest(token.as_bytes()),
            user_id: uid.clone(),
            csrf_token: self.crypto.random_token(32),
            created_at: ctx.now,
            last_seen_at: ctx.now,
            ip: ctx.ip.clone(),
            user_agent: user_agent.chars().take(200).collect(),
        };
        let ev = ctx
            .event(actions::LOGIN, "account", uid.clone())
            .actor_id(uid.clone())
            .actor_name(account.username.as_str());
        let work = UnitOfWork::one(Change::LoginSucceeded { user_id: uid, at: ctx.now }, ev)
            .change(Change::InsertSession(session.clone()));
        self.store.commit(work).await?;
        Ok(LoginOutcome { session_token: token, csrf_token: session.csrf_token, must_change_password: must_change })
    }

    /// An API client exchanges a user name and password for a bearer token (same checks and lockout as a
    /// login; an account whose password must be changed gets none).
    pub async fn token_by_password(
        &self,
        ctx: &Ctx,
        username: &str,
        password: &str,
        name: &str,
        days: u32,
    ) -> Result<(ApiToken, String)> {
        let (account, must_change) = self.check_credentials(ctx, username, password).await?;
        if must_change {
            return Err(DomainError::Rule("请先在网页上修改初始密码或已过期的密码".into()));
        }
        let mut ctx = ctx.clone();
        ctx.actor = Some(std::sync::Arc::new(self.actor_for(&account).await?));
        self.store
            .commit(UnitOfWork {
                changes: vec![Change::LoginSucceeded { user_id: account.id.clone(), at: ctx.now }],
                audit: vec![],
            })
            .await?;
        self.create_api_token(&ctx, name, days).await
    }

    /// Resolves a session cookie: expired after the policy's idle minutes or absolute hours.
    pub async fn authenticate_session(&self, token: &str) -> Result<SessionAuth> {
        let now = self.clock.now();
        let id_hash = self.crypto.digest(token.as_bytes());
        let (session, account, grants) =
            self.store.session_actor(&id_hash).await?.ok_or(DomainError::Unauthenticated)?;
        let (policy, _) = self.security_policy().await?;
        let idle = now.millis() - session.last_seen_at.millis() > i64::from(policy.session.idle_minutes) * 60_000;
        let too_old = now.millis() - session.created_at.millis() > i64::from(policy.session.absolute_hours) * 3_600_000;
        if idle || too_old {
            self.store.commit(UnitOfWork { changes: vec![Change::DeleteSession { id_hash }], audit: vec![] }).await?;
            return Err(DomainError::Unauthenticated);
        }
        if account.status != AccountStatus::Active {
            return Err(DomainError::Unauthenticated);
        }
        if now.millis() - session.last_seen_at.millis() > TOUCH_EVERY_MS {
            let touch = Change::TouchSession { id_hash: id_hash.clone(), at: now };
            self.store.commit(UnitOfWork { changes: vec![touch], audit: vec![] }).await?;
        }
        let must_change_password = account.must_change_password || password_expired(&policy, &account, now);
        let actor = actor_of(&account, grants);
        Ok(SessionAuth { actor, account, session, must_change_password })
    }

    /// Resolves a bearer token.
    pub async fn authenticate_bearer(&self, token: &str) -> Result<Actor> {
        let now = self.clock.now();
        let token = token.trim();
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(DomainError::Unauthenticated);
        }
        let (t, account, grants) =
            self.store.token_actor(&self.crypto.digest(token.as_bytes())).await?.ok_or(DomainError::Unauthenticated)?;
        if t.revoked_at.is_some() || t.expires_at <= now {
            return Err(DomainError::Unauthenticated);
        }
        if account.status != AccountStatus::Active || account.is_locked(now) {
            return Err(DomainError::Unauthenticated);
        }
        Ok(actor_of(&account, grants))
    }

    /// Ends a session; the old cookie is dead afterwards (ASVS 3.3.1).
    pub async fn logout(&self, ctx: &Ctx, session_token: &str) -> Result<()> {
        let id_hash = self.crypto.digest(session_token.as_bytes());
        let uid = ctx.actor.as_ref().map(|a| a.user_id.clone()).unwrap_or_default();
        let work = UnitOfWork::one(Change::DeleteSession { id_hash }, ctx.event(actions::LOGOUT, "account", uid));
        self.store.commit(work).await?;
        Ok(())
    }

    /// The owner changes their password: the old one must be right, the new one must pass the policy and
    /// differ from the last N. Other sessions of the account end (ASVS 3.3.3).
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        current_session: Option<&str>,
        old: &str,
        new: &str,
        confirm: &str,
    ) -> Result<()> {
        let actor = ctx.actor()?;
        let creds = self.store.credentials(&actor.username).await?.ok_or(DomainError::Unauthenticated)?;
        if !self.crypto.verify_password(old, &creds.password_hash).await? {
            return Err(DomainError::invalid("old_password", "原密码不正确"));
        }
        if new != confirm {
            return Err(DomainError::invalid("confirm_password", "两次输入的新密码不一致"));
        }
        let (policy, _) = self.security_policy().await?;
        policy.check_password(new, &actor.username)?;
        if old == new {
            return Err(DomainError::invalid("new_password", "新密码不能与原密码相同"));
        }
        for previous in self.store.password_history(&actor.user_id, policy.password.history).await? {
            if self.crypto.verify_password(new, &previous).await? {
                return Err(DomainError::invalid(
                    "new_password",
                    format!("新密码不能与最近{}次使用过的密码相同", policy.password.history),
                ));
            }
        }
        let hash = self.crypto.hash_password(new).await?;
        let work = UnitOfWork::one(
            Change::SetPassword {
                user_id: actor.user_id.clone(),
                hash,
                must_change: false,
                at: ctx.now,
                keep_history: policy.password.history,
            },
            ctx.event(actions::PASSWORD_CHANGE, "account", actor.user_id.clone()),
        )
        .change(Change::DeleteSessionsOfUser {
            user_id: actor.user_id.clone(),
            except: current_session.map(|t| self.crypto.digest(t.as_bytes())),
        });
        self.store.commit(work).await?;
        Ok(())
    }

    /// Issues an API token for the actor, valid for `days` (1–365). The token is returned once.
    pub async fn create_api_token(&self, ctx: &Ctx, name: &str, days: u32) -> Result<(ApiToken, String)> {
        let actor = ctx.actor()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(DomainError::invalid("name", "令牌用途应为1至40个字"));
        }
        if !(1..=365).contains(&days) {
            return Err(DomainError::invalid("days", "有效期应为1至365天"));
        }
        let secret = format!("{TOKEN_PREFIX}{}", self.crypto.random_token(32));
        let token = ApiToken {
            id: crate::new_id(),
            user_id: actor.user_id.clone(),
            name: name.to_string(),
            token_hash: self.crypto.digest(secret.as_bytes()),
            created_at: ctx.now,
            expires_at: ctx.now.plus_days(days.into()),
            revoked_at: None,
        };
        let audit = ctx
            .event(actions::TOKEN_CREATE, "api_token", token.id.clone())
            .detail(serde_json::json!({ "name": name, "days": days }));
        self.store.commit(UnitOfWork::one(Change::InsertApiToken(token.clone()), audit)).await?;
        Ok((token, secret))
    }

    /// The actor's API tokens.
    pub async fn list_api_tokens(&self, ctx: &Ctx) -> Result<Vec<ApiToken>> {
        self.store.api_tokens_of(&ctx.actor()?.user_id).await
    }

    /// Revokes one of the actor's API tokens.
    pub async fn revoke_api_token(&self, ctx: &Ctx, id: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let owned = self.store.api_tokens_of(&actor.user_id).await?.into_iter().any(|t| t.id == id);
        if !owned {
            return Err(DomainError::NotFound("令牌"));
        }
        let change = Change::RevokeApiToken { id: id.to_string(), user_id: actor.user_id.clone(), at: ctx.now };
        self.store.commit(UnitOfWork::one(change, ctx.event(actions::TOKEN_REVOKE, "api_token", id))).await?;
        Ok(())
    }
}
