//! The write path: one writer task per process commits units of work in batches (group commit).
//!
//! Requests that arrive while a batch is being committed queue up and go into the next batch: one
//! transaction, one fsync, for all of them. Inside the batch each unit runs in its own savepoint, so a unit
//! that fails (a version conflict, a unique violation) is rolled back alone and the others still commit. A
//! caller hears back only after COMMIT has returned: a 2xx always means durable.
//!
//! The audit chain is appended inside the same transaction. Its head row is read with `FOR UPDATE` on
//! PostgreSQL, so writers of several application servers take turns and the chain stays linear.

use std::sync::Arc;

use domain::audit::{AuditEvent, AuditRecord};
use domain::ports::{Change, Committed, CryptoProvider, UnitOfWork};
use domain::{DomainError, Result};
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::Backend;
use crate::error::DbResult;

/// Most units in one transaction. Bounds the time a batch holds the write lock.
const MAX_BATCH: usize = 256;

struct Job {
    work: UnitOfWork,
    reply: oneshot::Sender<Result<Committed>>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on its own single connection.
    pub async fn start(
        url: &str,
        backend: Backend,
        crypto: Arc<dyn CryptoProvider>,
    ) -> std::result::Result<Writer, sqlx::Error> {
        let pool = crate::pool_options(backend, AnyPoolOptions::new().max_connections(1).min_connections(1))
            .connect(url)
            .await?;
        let (queue, rx) = mpsc::channel(8192);
        tokio::spawn(run(pool, backend, crypto, rx));
        Ok(Writer { queue })
    }

    /// Commits a unit of work; returns after COMMIT.
    pub async fn commit(&self, work: UnitOfWork) -> Result<Committed> {
        let (reply, rx) = oneshot::channel();
        self.queue.send(Job { work, reply }).await.map_err(|_| DomainError::Unavailable)?;
        rx.await.map_err(|_| DomainError::Unavailable)?
    }
}

async fn run(pool: AnyPool, backend: Backend, crypto: Arc<dyn CryptoProvider>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics::histogram!("firelaw_write_batch_size").record(batch.len() as f64);
        let works: Vec<&UnitOfWork> = batch.iter().map(|j| &j.work).collect();
        let results = commit_batch(&pool, backend, crypto.as_ref(), &works).await;
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Commits a batch; returns one result per unit.
async fn commit_batch(
    pool: &AnyPool,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    works: &[&UnitOfWork],
) -> Vec<Result<Committed>> {
    let fail_all = |e: DomainError| works.iter().map(|_| Err(clone_err(&e))).collect::<Vec<_>>();
    let mut conn = match pool.acquire().await.db() {
        Ok(c) => c,
        Err(e) => return fail_all(e),
    };
    match run_batch(&mut conn, backend, crypto, works).await {
        Ok(results) => results,
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            fail_all(e)
        }
    }
}

fn clone_err(e: &DomainError) -> DomainError {
    match e {
        DomainError::Unavailable => DomainError::Unavailable,
        DomainError::Conflict(m) => DomainError::Conflict(m.clone()),
        other => DomainError::Internal(other.to_string()),
    }
}

async fn run_batch(
    conn: &mut PoolConnection<Any>,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    works: &[&UnitOfWork],
) -> Result<Vec<Result<Committed>>> {
    // IMMEDIATE takes SQLite's write lock now rather than at the first write, so a batch never fails half
    // way with SQLITE_BUSY because another process (a CLI command) started writing.
    conn.execute(match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    })
    .await
    .db()?;
    let head_sql = match backend {
        Backend::Sqlite => "SELECT seq, mac FROM audit_head WHERE id = 1",
        Backend::Postgres => "SELECT seq, mac FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let row = sqlx::query(head_sql).fetch_one(&mut **conn).await.db()?;
    let (mut seq, mut mac): (i64, String) = (crate::rows::get(&row, "seq")?, crate::rows::get(&row, "mac")?);
    let start_seq = seq;
    let mut results = Vec::with_capacity(works.len());
    for work in works {
        conn.execute("SAVEPOINT uow").await.db()?;
        let saved = (seq, mac.clone());
        match apply(conn, crypto, work, &mut seq, &mut mac).await {
            Ok(done) => {
                conn.execute("RELEASE SAVEPOINT uow").await.db()?;
                results.push(Ok(done));
            }
            Err(e) => {
                conn.execute("ROLLBACK TO SAVEPOINT uow").await.db()?;
                conn.execute("RELEASE SAVEPOINT uow").await.db()?;
                (seq, mac) = saved;
                results.push(Err(e));
            }
        }
    }
    if seq != start_seq {
        sqlx::query("UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1")
            .bind(seq)
            .bind(&mac)
            .execute(&mut **conn)
            .await
            .db()?;
    }
    conn.execute("COMMIT").await.db()?;
    Ok(results)
}

async fn append_audit(
    conn: &mut PoolConnection<Any>,
    crypto: &dyn CryptoProvider,
    event: &AuditEvent,
    seq: &mut i64,
    mac: &mut String,
) -> Result<()> {
    let r = AuditRecord::seal(event, *seq, mac, &|d| crypto.audit_mac(d));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_roles, org_id, ip, request_id, action, object_type, \
         object_id, outcome, reason, detail, prev_mac, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(r.seq)
    .bind(r.at)
    .bind(&r.actor_id)
    .bind(&r.actor_name)
    .bind(&r.actor_roles)
    .bind(&r.org_id)
    .bind(&r.ip)
    .bind(&r.request_id)
    .bind(&r.action)
    .bind(&r.object_type)
    .bind(&r.object_id)
    .bind(&r.outcome)
    .bind(&r.reason)
    .bind(&r.detail)
    .bind(&r.prev_mac)
    .bind(&r.mac)
    .execute(&mut **conn)
    .await
    .db()?;
    *seq = r.seq;
    *mac = r.mac;
    Ok(())
}

fn expect_one(rows: u64, what: &str) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!("{what}已被他人修改或不存在，请刷新后重试")))
    }
}

/// Applies one unit: its changes, then its audit records.
async fn apply(
    conn: &mut PoolConnection<Any>,
    crypto: &dyn CryptoProvider,
    work: &UnitOfWork,
    seq: &mut i64,
    mac: &mut String,
) -> Result<Committed> {
    let mut done = Committed::default();
    for change in &work.changes {
        let c = &mut **conn;
        match change {
            Change::InsertOrg(o) => {
                sqlx::query(
                    "INSERT INTO orgs (id, parent_id, path, name, short_name, level, active, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&o.id.0)
                .bind(o.parent_id.as_ref().map(|p| p.0.clone()))
                .bind(o.path.as_str())
                .bind(o.name.as_str())
                .bind(&o.short_name)
                .bind(o.level.code())
                .bind(i64::from(o.active))
                .bind(o.version)
                .bind(o.created_at.0)
                .bind(o.created_at.0)
                .execute(c)
                .await
                .db()?;
            }
            Change::UpdateOrg { id, expected_version, name, short_name, active, at } => {
                let r = sqlx::query(
                    "UPDATE orgs SET name = $1, short_name = $2, active = $3, updated_at = $4, version = version + 1 \
                     WHERE id = $5 AND version = $6",
                )
                .bind(name)
                .bind(short_name)
                .bind(i64::from(*active))
                .bind(at.0)
                .bind(&id.0)
                .bind(*expected_version)
                .execute(c)
                .await
                .db()?;
                expect_one(r.rows_affected(), "机构")?;
            }
            Change::InsertAccount { account: a, password_hash } => {
                sqlx::query(
                    "INSERT INTO accounts (id, username, display_name, org_id, status, certificate_no, certificate_expires_on, \
                     password_hash, password_changed_at, must_change_password, locked_until, last_login_at, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(&a.id)
                .bind(a.username.as_str())
                .bind(a.display_name.as_str())
                .bind(&a.org_id.0)
                .bind(a.status.code())
                .bind(a.certificate.as_ref().map(|c| c.number.clone()))
                .bind(a.certificate.as_ref().map(|c| c.expires_on.to_string()))
                .bind(password_hash)
                .bind(a.password_changed_at.map(|t| t.0))
                .bind(i64::from(a.must_change_password))
                .bind(a.locked_until.map(|t| t.0))
                .bind(a.last_login_at.map(|t| t.0))
                .bind(a.version)
                .bind(a.created_at.0)
                .bind(a.created_at.0)
                .execute(&mut **conn)
                .await
                .db()?;
                sqlx::query("INSERT INTO password_history (account_id, hash, created_at) VALUES ($1, $2, $3)")
                    .bind(&a.id)
                    .bind(password_hash)
                    .bind(a.created_at.0)
                    .execute(&mut **conn)
                    .await
                    .db()?;
            }
            Change::UpdateAccount { id, expected_version, display_name, org_id, status, certificate, at } => {
                let r = sqlx::query(
                    "UPDATE accounts SET display_name = $1, org_id = $2, status = $3, certificate_no = $4, \
                     certificate_expires_on = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
                )
                .bind(display_name)
                .bind(&org_id.0)
                .bind(status.code())
                .bind(certificate.as_ref().map(|c| c.number.clone()))
                .bind(certificate.as_ref().map(|c| c.expires_on.to_string()))
                .bind(at.0)
                .bind(id)
                .bind(*expected_version)
                .execute(c)
                .await
                .db()?;
                expect_one(r.rows_affected(), "账户")?;
            }
            Change::SetPassword { user_id, hash, must_change, at, keep_history } => {
                let r = sqlx::query(
                    "UPDATE accounts SET password_hash = $1, password_changed_at = $2, must_change_password = $3, \
                     updated_at = $4, version = version + 1 WHERE id = $5",
                )
                .bind(hash)
                .bind(at.0)
                .bind(i64::from(*must_change))
                .bind(at.0)
                .bind(user_id)
                .execute(&mut **conn)
                .await
                .db()?;
                expect_one(r.rows_affected(), "账户")?;
                sqlx::query("INSERT INTO password_history (account_id, hash, created_at) VALUES ($1, $2, $3)")
                    .bind(user_id)
                    .bind(hash)
                    .bind(at.0)
                    .execute(&mut **conn)
                    .await
                    .db()?;
                // Keep the newest `keep_history` entries (at least the current one).
                sqlx::query(
                    "DELETE FROM password_history WHERE account_id = $1 AND created_at < \
                     (SELECT MIN(created_at) FROM (SELECT created_at FROM password_history WHERE account_id = $1 \
                      ORDER BY created_at DESC LIMIT $2) AS newest)",
                )
                .bind(user_id)
                .bind(i64::from((*keep_history).max(1)))
                .execute(&mut **conn)
                .await
                .db()?;
            }
            Change::LoginFailed { user_id, at, window_start, max_failures, lock_until, lock_audit } => {
                sqlx::query("INSERT INTO login_failures (account_id, at) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(at.0)
                    .execute(&mut **conn)
                    .await
                    .db()?;
                let failures: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE account_id = $1 AND at >= $2")
                        .bind(user_id)
                        .bind(window_start.0)
                        .fetch_one(&mut **conn)
                        .await
                        .db()?;
                if failures >= i64::from(*max_failures) {
                    sqlx::query("UPDATE accounts SET locked_until = $1 WHERE id = $2")
                        .bind(lock_until.0)
                        .bind(user_id)
                        .execute(&mut **conn)
                        .await
                        .db()?;
                    sqlx::query("DELETE FROM login_failures WHERE account_id = $1")
                        .bind(user_id)
                        .execute(&mut **conn)
                        .await
                        .db()?;
                    append_audit(conn, crypto, lock_audit, seq, mac).await?;
                    done.locked_until = Some(*lock_until);
                }
            }
            Change::LoginSucceeded { user_id, at } => {
                sqlx::query("UPDATE accounts SET last_login_at = $1, locked_until = NULL WHERE id = $2")
                    .bind(at.0)
                    .bind(user_id)
                    .execute(&mut **conn)
                    .await
                    .db()?;
                sqlx::query("DELETE FROM login_failures WHERE account_id = $1")
                    .bind(user_id)
                    .execute(&mut **conn)
                    .await
                    .db()?;
            }
            Change::Unlock { user_id } => {
                sqlx::query("UPDATE accounts SET locked_until = NULL WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut **conn)
                    .await
                    .db()?;
                sqlx::query("DELETE FROM login_failures WHERE account_id = $1")
                    .bind(user_id)
                    .execute(&mut **conn)
                    .await
                    .db()?;
            }
            Change::InsertGrant { id, user_id, role, org_id, at, by } => {
                sqlx::query(
                    "INSERT INTO role_grants (id, account_id, role, org_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(user_id)
                .bind(role.code())
                .bind(&org_id.0)
                .bind(at.0)
                .bind(by)
                .execute(c)
                .await
                .db()?;
            }
            Change::DeleteGrant { id } => {
                let r = sqlx::query("DELETE FROM role_grants WHERE id = $1").bind(id).execute(c).await.db()?;
                expect_one(r.rows_affected(), "授权")?;
            }
            Change::InsertSession(s) => {
                sqlx::query(
                    "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, ip, user_agent) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&s.id_hash)
                .bind(&s.user_id)
                .bind(&s.csrf_token)
                .bind(s.created_at.0)
                .bind(s.last_seen_at.0)
                .bind(&s.ip)
                .bind(&s.user_agent)
                .execute(c)
                .await
                .db()?;
            }
            Change::TouchSession { id_hash, at } => {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                    .bind(at.0)
                    .bind(id_hash)
                    .execute(c)
                    .await
                    .db()?;
            }
            Change::DeleteSession { id_hash } => {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(c).await.db()?;
            }
            Change::DeleteSessionsOfUser { user_id, except } => {
                sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
                    .bind(user_id)
                    .bind(except.clone().unwrap_or_default())
                    .execute(c)
                    .await
                    .db()?;
            }
            Change::InsertApiToken(t) => {
                sqlx::query(
                    "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at, expires_at, revoked_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&t.id)
                .bind(&t.user_id)
                .bind(&t.name)
                .bind(&t.token_hash)
                .bind(t.created_at.0)
                .bind(t.expires_at.0)
                .bind(t.revoked_at.map(|x| x.0))
                .execute(c)
                .await
                .db()?;
            }
            Change::RevokeApiToken { id, user_id, at } => {
                let r = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
                )
                .bind(at.0)
                .bind(id)
                .bind(user_id)
                .execute(c)
                .await
                .db()?;
                expect_one(r.rows_affected(), "令牌")?;
            }
            Change::PutSetting { key, value, expected_version, at } => match expected_version {
                None => {
                    sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3)")
                        .bind(key)
                        .bind(value)
                        .bind(at.0)
                        .execute(c)
                        .await
                        .map_err(|e| match crate::error::map(e) {
                            DomainError::Conflict(_) => DomainError::Conflict("设置已被他人修改，请刷新后重试".into()),
                            other => other,
                        })?;
                }
                Some(v) => {
                    let r = sqlx::query("UPDATE settings SET value = $1, version = version + 1, updated_at = $2 WHERE key = $3 AND version = $4")
                        .bind(value)
                        .bind(at.0)
                        .bind(key)
                        .bind(*v)
                        .execute(c)
                        .await
                        .db()?;
                    expect_one(r.rows_affected(), "设置")?;
                }
            },
            Change::PutCalendarDay(d) => {
                sqlx::query(
                    "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
                     ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
                )
                .bind(d.date.to_string())
                .bind(d.kind.code())
                .bind(&d.name)
                .execute(c)
                .await
                .db()?;
            }
            Change::DeleteCalendarDay(date) => {
                let r = sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                    .bind(date.to_string())
                    .execute(c)
                    .await
                    .db()?;
                expect_one(r.rows_affected(), "节假日记录")?;
            }
            Change::SetYearPublished { year, published, source } => {
                if *published {
                    sqlx::query(
                        "INSERT INTO calendar_years (year, source) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET source = excluded.source",
                    )
                    .bind(i64::from(*year))
                    .bind(source)
                    .execute(c)
                    .await
                    .db()?;
                } else {
                    sqlx::query("DELETE FROM calendar_years WHERE year = $1")
                        .bind(i64::from(*year))
                        .execute(c)
                        .await
                        .db()?;
                }
            }
        }
    }
    for event in &work.audit {
        append_audit(conn, crypto, event, seq, mac).await?;
    }
    Ok(done)
}
