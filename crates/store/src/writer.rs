//! The write path: one writer per process commits units of work in batches (group commit).
//!
//! Requests that arrive while a batch is being committed queue up and go into the next batch: one
//! transaction, one fsync, for all of them. A batch first runs as one plain transaction with the audit
//! rows written together at the end; units rarely fail (a stale version, a taken name), and when one does,
//! the batch is rolled back and run again with each unit in its own savepoint, so only that unit fails.
//! A caller hears back only after COMMIT has returned: a 2xx always means durable.
//!
//! The audit chain is appended inside the same transaction. Its head row is read with `FOR UPDATE` on
//! PostgreSQL, so the writers of several application servers take turns and the chain stays linear.
//!
//! On SQLite the writer is an OS thread that owns the one write connection and runs a whole batch without
//! yielding; on PostgreSQL it is a task with its own connection. The batch logic below is shared.

use std::path::PathBuf;
use std::sync::Arc;

use domain::audit::{AuditEvent, AuditRecord};
use domain::ports::{Change, Committed, CryptoProvider, UnitOfWork};
use domain::{DomainError, Result};
use sqlx::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::Backend;
use crate::engine::{Conn, Value};
use crate::params;

/// Most units in one transaction. Bounds the time a batch holds the write lock.
const MAX_BATCH: usize = 256;

/// A unit of work with the text it will store rendered beforehand, on the caller's thread: the writer is
/// the one serial stage of every request, so it only binds, inserts and seals.
pub(crate) struct Rendered {
    work: UnitOfWork,
    /// The JSON bodies of the changes that store one, in the order the changes write them.
    bodies: Vec<String>,
    /// Each audit event's detail as text.
    details: Vec<String>,
}

impl Rendered {
    fn new(work: UnitOfWork) -> Result<Rendered> {
        let mut bodies = Vec::new();
        for change in &work.changes {
            if let Change::Inspection(c) = change {
                crate::inspection::render(c, &mut bodies)?;
            }
        }
        let details = work.audit.iter().map(AuditEvent::detail_text).collect();
        Ok(Rendered { work, bodies, details })
    }
}

struct Job {
    work: Rendered,
    reply: oneshot::Sender<Result<Committed>>,
}

/// Handle to the writer.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

fn take_batch(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    metrics::histogram!("firelaw_write_batch_size").record(batch.len() as f64);
    batch
}

fn reply(batch: Vec<Job>, results: Result<Vec<Result<Committed>>>) {
    match results {
        Ok(results) => {
            for (job, r) in batch.into_iter().zip(results) {
                let _ = job.reply.send(r);
            }
        }
        Err(e) => {
            for job in batch {
                let _ = job.reply.send(Err(clone_err(&e)));
            }
        }
    }
}

impl Writer {
    /// Starts the SQLite writer thread on its own connection to `path`.
    pub fn start_sqlite(
        path: PathBuf,
        crypto: Arc<dyn CryptoProvider>,
    ) -> std::result::Result<Writer, rusqlite::Error> {
        let conn = crate::engine::sqlite::open(&path)?;
        // Checkpoints (copying the WAL back into the database file, with fsyncs of their own) run on a
        // thread of their own: a commit only appends to the WAL and syncs it.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
        let checkpointer = crate::engine::sqlite::start_checkpointer(&path)?;
        let (queue, mut rx) = mpsc::channel::<Job>(8192);
        std::thread::Builder::new()
            .name("firelaw-writer".into())
            .spawn(move || {
                // Dropped when the writer ends, which stops the checkpointer.
                let _checkpointer = checkpointer;
                while let Some(first) = rx.blocking_recv() {
                    let batch = take_batch(first, &mut rx);
                    let works: Vec<&Rendered> = batch.iter().map(|j| &j.work).collect();
                    let mut c = crate::engine::sqlite::WriteConn(&conn);
                    let results = pollster::block_on(run_batch(&mut c, Backend::Sqlite, crypto.as_ref(), &works));
                    if results.is_err() {
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                    reply(batch, results);
                }
            })
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(Writer { queue })
    }

    /// Starts the PostgreSQL writer task on its own connection.
    pub async fn start_postgres(
        url: &str,
        crypto: Arc<dyn CryptoProvider>,
    ) -> std::result::Result<Writer, sqlx::Error> {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let url = url.to_string();
        let (queue, mut rx) = mpsc::channel::<Job>(8192);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let batch = take_batch(first, &mut rx);
                let works: Vec<&Rendered> = batch.iter().map(|j| &j.work).collect();
                let results = {
                    let mut c = crate::engine::postgres::PgConn(&mut conn);
                    run_batch(&mut c, Backend::Postgres, crypto.as_ref(), &works).await
                };
                if results.is_err() {
                    let mut c = crate::engine::postgres::PgConn(&mut conn);
                    if c.batch("ROLLBACK").await.is_err() {
                        // The connection is gone: open a new one for the next batch.
                        if let Ok(fresh) = sqlx::PgConnection::connect(&url).await {
                            conn = fresh;
                        }
                    }
                }
                reply(batch, results);
            }
        });
        Ok(Writer { queue })
    }

    /// Commits a unit of work; returns after COMMIT.
    pub async fn commit(&self, work: UnitOfWork) -> Result<Committed> {
        let (reply, rx) = oneshot::channel();
        let work = Rendered::new(work)?;
        self.queue.send(Job { work, reply }).await.map_err(|_| DomainError::Unavailable)?;
        rx.await.map_err(|_| DomainError::Unavailable)?
    }
}

fn clone_err(e: &DomainError) -> DomainError {
    match e {
        DomainError::Unavailable => DomainError::Unavailable,
        DomainError::Conflict(m) => DomainError::Conflict(m.clone()),
        other => DomainError::Internal(other.to_string()),
    }
}

/// The audit chain's head during a batch, and the sealed records not yet written.
#[derive(Clone)]
struct Chain {
    seq: i64,
    mac: String,
    pending: Vec<AuditRecord>,
}

impl Chain {
    fn seal(&mut self, crypto: &dyn CryptoProvider, event: &AuditEvent, detail: &str) {
        let r = AuditRecord::seal(event, detail.to_string(), self.seq, &self.mac, &|d| crypto.audit_mac(d));
        self.seq = r.seq;
        self.mac = r.mac.clone();
        self.pending.push(r);
    }

    /// Writes the pending records, many rows per statement.
    async fn flush<C: Conn>(&mut self, conn: &mut C) -> Result<()> {
        const COLUMNS: usize = 16;
        // 16 columns × 50 rows stays under every SQLite build's limit of 999 bound variables.
        for chunk in self.pending.chunks(50) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", i * COLUMNS + c)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_roles, org_id, ip, request_id, action, \
                 object_type, object_id, outcome, reason, detail, prev_mac, mac) VALUES {}",
                rows.join(", ")
            );
            let mut p: Vec<Value> = Vec::with_capacity(chunk.len() * COLUMNS);
            for r in chunk {
                p.extend(params![
                    r.seq,
                    r.at,
                    r.actor_id.clone(),
                    &r.actor_name,
                    &r.actor_roles,
                    r.org_id.clone(),
                    &r.ip,
                    &r.request_id,
                    &r.action,
                    &r.object_type,
                    &r.object_id,
                    &r.outcome,
                    &r.reason,
                    &r.detail,
                    &r.prev_mac,
                    &r.mac,
                ]);
            }
            conn.exec(&sql, p).await?;
        }
        self.pending.clear();
        Ok(())
    }
}

/// Why a batch attempt stopped.
enum Abort {
    /// A unit failed: retry the batch with each unit isolated in a savepoint.
    Unit(DomainError),
    /// The transaction itself failed (BEGIN, COMMIT, the chain head): every unit fails.
    Batch(DomainError),
}

async fn run_batch<C: Conn>(
    conn: &mut C,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    works: &[&Rendered],
) -> Result<Vec<Result<Committed>>> {
    match attempt_fast(conn, backend, crypto, works).await {
        Ok(results) => Ok(results),
        Err(Abort::Batch(e)) => Err(e),
        Err(Abort::Unit(e)) => {
            conn.batch("ROLLBACK").await?;
            if works.len() == 1 {
                return Ok(vec![Err(e)]);
            }
            run_isolated(conn, backend, crypto, works).await
        }
    }
}

async fn begin<C: Conn>(conn: &mut C, backend: Backend) -> Result<Chain> {
    // IMMEDIATE takes SQLite's write lock now rather than at the first write, so a batch never fails half
    // way with SQLITE_BUSY because another process (a CLI command) started writing.
    conn.batch(match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    })
    .await?;
    let head_sql = match backend {
        Backend::Sqlite => "SELECT seq, mac FROM audit_head WHERE id = 1",
        Backend::Postgres => "SELECT seq, mac FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let rows = conn.query(head_sql, vec![]).await?;
    let row = rows.first().ok_or_else(|| DomainError::internal("audit_head row missing"))?;
    Ok(Chain { seq: row.get("seq")?, mac: row.get("mac")?, pending: Vec::new() })
}

async fn finish<C: Conn>(conn: &mut C, chain: &Chain, start_seq: i64) -> Result<()> {
    if chain.seq != start_seq {
        conn.exec("UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1", params![chain.seq, &chain.mac]).await?;
    }
    conn.batch("COMMIT").await
}

async fn attempt_fast<C: Conn>(
    conn: &mut C,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    works: &[&Rendered],
) -> std::result::Result<Vec<Result<Committed>>, Abort> {
    let mut chain = begin(conn, backend).await.map_err(Abort::Batch)?;
    let start_seq = chain.seq;
    let mut results = Vec::with_capacity(works.len());
    for work in works {
        results.push(Ok(apply(conn, backend, crypto, work, &mut chain).await.map_err(Abort::Unit)?));
    }
    chain.flush(conn).await.map_err(Abort::Unit)?;
    finish(conn, &chain, start_seq).await.map_err(Abort::Batch)?;
    Ok(results)
}

async fn run_isolated<C: Conn>(
    conn: &mut C,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    works: &[&Rendered],
) -> Result<Vec<Result<Committed>>> {
    let mut chain = begin(conn, backend).await?;
    let start_seq = chain.seq;
    let mut results = Vec::with_capacity(works.len());
    for work in works {
        conn.batch("SAVEPOINT uow").await?;
        let saved = chain.clone();
        let outcome = match apply(conn, backend, crypto, work, &mut chain).await {
            Ok(done) => chain.flush(conn).await.map(|()| done),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(done) => {
                conn.batch("RELEASE SAVEPOINT uow").await?;
                results.push(Ok(done));
            }
            Err(e) => {
                conn.batch("ROLLBACK TO SAVEPOINT uow").await?;
                conn.batch("RELEASE SAVEPOINT uow").await?;
                chain = saved;
                results.push(Err(e));
            }
        }
    }
    finish(conn, &chain, start_seq).await?;
    Ok(results)
}

/// Fails with a conflict unless exactly one row changed (optimistic concurrency).
pub(crate) fn expect_one(rows: u64, what: &str) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!("{what}已被他人修改或不存在，请刷新后重试")))
    }
}

/// Applies one unit: its changes, then its audit records.
async fn apply<C: Conn>(
    conn: &mut C,
    backend: Backend,
    crypto: &dyn CryptoProvider,
    rendered: &Rendered,
    chain: &mut Chain,
) -> Result<Committed> {
    let work = &rendered.work;
    let mut bodies = rendered.bodies.iter();
    let mut done = Committed::default();
    for change in &work.changes {
        match change {
            Change::InsertOrg(o) => {
                conn.exec(
                    "INSERT INTO orgs (id, parent_id, path, name, short_name, level, active, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    params![
                        &o.id.0,
                        o.parent_id.as_ref().map(|p| p.0.clone()),
                        o.path.as_str(),
                        o.name.as_str(),
                        o.short_name.clone(),
                        o.level.code(),
                        o.active,
                        o.version,
                        o.created_at.0,
                        o.created_at.0,
                    ],
                )
                .await?;
            }
            Change::UpdateOrg { id, expected_version, name, short_name, active, at } => {
                let n = conn
                    .exec(
                        "UPDATE orgs SET name = $1, short_name = $2, active = $3, updated_at = $4, version = version + 1 \
                         WHERE id = $5 AND version = $6",
                        params![name, short_name.clone(), *active, at.0, &id.0, *expected_version],
                    )
                    .await?;
                expect_one(n, "机构")?;
            }
            Change::InsertAccount { account: a, password_hash } => {
                conn.exec(
                    "INSERT INTO accounts (id, username, display_name, org_id, status, certificate_no, certificate_expires_on, \
                     password_hash, password_changed_at, must_change_password, locked_until, last_login_at, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    params![
                        &a.id,
                        a.username.as_str(),
                        a.display_name.as_str(),
                        &a.org_id.0,
                        a.status.code(),
                        a.certificate.as_ref().map(|c| c.number.clone()),
                        a.certificate.as_ref().map(|c| c.expires_on.to_string()),
                        password_hash,
                        a.password_changed_at.map(|t| t.0),
                        a.must_change_password,
                        a.locked_until.map(|t| t.0),
                        a.last_login_at.map(|t| t.0),
                        a.version,
                        a.created_at.0,
                        a.created_at.0,
                    ],
                )
                .await?;
                conn.exec(
                    "INSERT INTO password_history (account_id, hash, created_at) VALUES ($1, $2, $3)",
                    params![&a.id, password_hash, a.created_at.0],
                )
                .await?;
            }
            Change::UpdateAccount { id, expected_version, display_name, org_id, status, certificate, at } => {
                let n = conn
                    .exec(
                        "UPDATE accounts SET display_name = $1, org_id = $2, status = $3, certificate_no = $4, \
                         certificate_expires_on = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
                        params![
                            display_name,
                            &org_id.0,
                            status.code(),
                            certificate.as_ref().map(|c| c.number.clone()),
                            certificate.as_ref().map(|c| c.expires_on.to_string()),
                            at.0,
                            id,
                            *expected_version,
                        ],
                    )
                    .await?;
                expect_one(n, "账户")?;
            }
            Change::SetPassword { user_id, hash, must_change, at, keep_history } => {
                let n = conn
                    .exec(
                        "UPDATE accounts SET password_hash = $1, password_changed_at = $2, must_change_password = $3, \
                         updated_at = $4, version = version + 1 WHERE id = $5",
                        params![hash, at.0, *must_change, at.0, user_id],
                    )
                    .await?;
                expect_one(n, "账户")?;
                conn.exec(
                    "INSERT INTO password_history (account_id, hash, created_at) VALUES ($1, $2, $3)",
                    params![user_id, hash, at.0],
                )
                .await?;
                // Keep the newest `keep_history` entries (at least the current one).
                conn.exec(
                    "DELETE FROM password_history WHERE account_id = $1 AND created_at < \
                     (SELECT MIN(created_at) FROM (SELECT created_at FROM password_history WHERE account_id = $1 \
                      ORDER BY created_at DESC LIMIT $2) AS newest)",
                    params![user_id, i64::from((*keep_history).max(1))],
                )
                .await?;
            }
            Change::LoginFailed { user_id, at, window_start, max_failures, lock_until, lock_audit } => {
                conn.exec("INSERT INTO login_failures (account_id, at) VALUES ($1, $2)", params![user_id, at.0])
                    .await?;
                let rows = conn
                    .query(
                        "SELECT COUNT(*) AS n FROM login_failures WHERE account_id = $1 AND at >= $2",
                        params![user_id, window_start.0],
                    )
                    .await?;
                let failures: i64 = rows.first().map(|r| r.get("n")).transpose()?.unwrap_or(0);
                if failures >= i64::from(*max_failures) {
                    conn.exec("UPDATE accounts SET locked_until = $1 WHERE id = $2", params![lock_until.0, user_id])
                        .await?;
                    conn.exec("DELETE FROM login_failures WHERE account_id = $1", params![user_id]).await?;
                    chain.seal(crypto, lock_audit, &lock_audit.detail_text());
                    done.locked_until = Some(*lock_until);
                }
            }
            Change::LoginSucceeded { user_id, at } => {
                conn.exec(
                    "UPDATE accounts SET last_login_at = $1, locked_until = NULL WHERE id = $2",
                    params![at.0, user_id],
                )
                .await?;
                conn.exec("DELETE FROM login_failures WHERE account_id = $1", params![user_id]).await?;
            }
            Change::Unlock { user_id } => {
                conn.exec("UPDATE accounts SET locked_until = NULL WHERE id = $1", params![user_id]).await?;
                conn.exec("DELETE FROM login_failures WHERE account_id = $1", params![user_id]).await?;
            }
            Change::InsertGrant { id, user_id, role, org_id, at, by } => {
                conn.exec(
                    "INSERT INTO role_grants (id, account_id, role, org_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6)",
                    params![id, user_id, role.code(), &org_id.0, at.0, by],
                )
                .await?;
            }
            Change::DeleteGrant { id } => {
                let n = conn.exec("DELETE FROM role_grants WHERE id = $1", params![id]).await?;
                expect_one(n, "授权")?;
            }
            Change::InsertSession(s) => {
                conn.exec(
                    "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, ip, user_agent) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    params![
                        &s.id_hash,
                        &s.user_id,
                        &s.csrf_token,
                        s.created_at.0,
                        s.last_seen_at.0,
                        &s.ip,
                        &s.user_agent
                    ],
                )
                .await?;
            }
            Change::TouchSession { id_hash, at } => {
                conn.exec("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", params![at.0, id_hash]).await?;
            }
            Change::DeleteSession { id_hash } => {
                conn.exec("DELETE FROM sessions WHERE id_hash = $1", params![id_hash]).await?;
            }
            Change::DeleteSessionsOfUser { user_id, except } => {
                conn.exec(
                    "DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2",
                    params![user_id, except.clone().unwrap_or_default()],
                )
                .await?;
            }
            Change::InsertApiToken(t) => {
                conn.exec(
                    "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at, expires_at, revoked_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    params![
                        &t.id,
                        &t.user_id,
                        &t.name,
                        &t.token_hash,
                        t.created_at.0,
                        t.expires_at.0,
                        t.revoked_at.map(|x| x.0)
                    ],
                )
                .await?;
            }
            Change::RevokeApiToken { id, user_id, at } => {
                let n = conn
                    .exec(
                        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
                        params![at.0, id, user_id],
                    )
                    .await?;
                expect_one(n, "令牌")?;
            }
            Change::PutSetting { key, value, expected_version, at } => match expected_version {
                None => {
                    conn.exec(
                        "INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3)",
                        params![key, value, at.0],
                    )
                    .await?;
                }
                Some(v) => {
                    let n = conn
                        .exec(
                            "UPDATE settings SET value = $1, version = version + 1, updated_at = $2 WHERE key = $3 AND version = $4",
                            params![value, at.0, key, *v],
                        )
                        .await?;
                    expect_one(n, "设置")?;
                }
            },
            Change::PutCalendarDay(d) => {
                conn.exec(
                    "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
                     ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
                    params![d.date.to_string(), d.kind.code(), &d.name],
                )
                .await?;
            }
            Change::DeleteCalendarDay(date) => {
                let n = conn.exec("DELETE FROM calendar_days WHERE day = $1", params![date.to_string()]).await?;
                expect_one(n, "节假日记录")?;
            }
            Change::Registry(c) => crate::registry::apply(conn, backend, c).await?,
            Change::Check(c) => crate::random_check::apply(conn, c).await?,
            Change::Inspection(c) => crate::inspection::apply(conn, c, &mut bodies).await?,
            Change::Case(c) => crate::case::apply(conn, c).await?,
            Change::Entrustment(c) => crate::entrustment::apply(conn, c).await?,
            Change::SetYearPublished { year, published, source } => {
                if *published {
                    conn.exec(
                        "INSERT INTO calendar_years (year, source) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET source = excluded.source",
                        params![i64::from(*year), source],
                    )
                    .await?;
                } else {
                    conn.exec("DELETE FROM calendar_years WHERE year = $1", params![i64::from(*year)]).await?;
                }
            }
        }
    }
    for (event, detail) in work.audit.iter().zip(&rendered.details) {
        chain.seal(crypto, event, detail);
    }
    Ok(done)
}
