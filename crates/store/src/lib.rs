//! firelaw's storage: one code path for SQLite (embedded, the default) and PostgreSQL.
//!
//! SQL is written once in the subset both engines share (`$n` placeholders in ascending order, BIGINT
//! millisecond timestamps, TEXT ids, `ON CONFLICT … DO UPDATE`), executed through sqlx's `Any` driver.
//! Reads go to a small pool; every write goes through the [`writer`] (group commit, audit chain).

mod case;
pub mod engine;
mod entrustment;
pub mod error;
mod inspection;
pub mod migrate;
mod random_check;
mod registry;
pub mod rows;
pub mod writer;

use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use domain::account::Account;
use domain::audit::AuditRecord;
use domain::authz::Grant;
use domain::calendar::CalendarDay;
use domain::org::{Org, OrgId, OrgPath};
use domain::ports::{ApiToken, AuditQuery, Committed, Credentials, CryptoProvider, SessionRecord, Store, UnitOfWork};
use domain::{DomainError, Result};
use engine::{Conn, Rows, Value};
pub use writer::Writer;

/// Which engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite, WAL mode, synchronous=FULL.
    Sqlite,
    /// PostgreSQL with synchronous_commit on.
    Postgres,
}

impl Backend {
    /// The engine of a database URL.
    pub fn of(url: &str) -> std::result::Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config("数据库地址须以 sqlite: 或 postgres:// 开头".into()))
        }
    }
}

/// Why the store could not start.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A bad setting.
    #[error("{0}")]
    Config(String),
    /// The engine is not durable enough for enforcement records.
    #[error("{0}")]
    NotDurable(String),
    /// SQLite said no.
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[error("数据库错误：{0}")]
    Postgres(#[from] sqlx::Error),
    /// A query failed.
    #[error("数据库错误：{0}")]
    Domain(#[from] DomainError),
}

/// How reads reach the engine.
enum Reads {
    Sqlite(engine::sqlite::Readers),
    Postgres(sqlx::PgPool),
}

/// The database: reads, and the writer.
#[derive(Clone)]
pub struct Db {
    reads: Arc<Reads>,
    backend: Backend,
    writer: Writer,
}

/// Read connections for SQLite. Reads run on the calling thread; a few connections are enough for the
/// runtime's worker threads.
const SQLITE_READERS: usize = 4;

impl Db {
    /// Connects, checks durability settings, applies migrations and starts the writer.
    pub async fn connect(
        url: &str,
        crypto: Arc<dyn CryptoProvider>,
        now_ms: i64,
    ) -> std::result::Result<Db, StoreError> {
        let backend = Backend::of(url)?;
        match backend {
            Backend::Sqlite => {
                let path = engine::sqlite::path_of(url);
                {
                    let conn = engine::sqlite::open(&path)?;
                    check_sqlite_durability(&conn)?;
                    let mut c = engine::sqlite::WriteConn(&conn);
                    migrate::run(&mut c, backend, now_ms).await?;
                }
                let reads = engine::sqlite::Readers::open(&path, SQLITE_READERS)?;
                let writer = Writer::start_sqlite(path, crypto)?;
                Ok(Db { reads: Arc::new(Reads::Sqlite(reads)), backend, writer })
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(std::time::Duration::from_secs(30))
                    .connect(url)
                    .await?;
                {
                    let mut conn = pool.acquire().await?;
                    let mut c = engine::postgres::PgConn(&mut conn);
                    check_postgres_durability(&mut c).await?;
                    migrate::run(&mut c, backend, now_ms).await?;
                }
                let writer = Writer::start_postgres(url, crypto).await?;
                Ok(Db { reads: Arc::new(Reads::Postgres(pool)), backend, writer })
            }
        }
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs a query on a read connection.
    pub async fn query(&self, sql: &str, params: Vec<Value>) -> Result<Rows> {
        match self.reads.as_ref() {
            Reads::Sqlite(r) => r.with(|c| engine::sqlite::query(c, sql, &params)),
            Reads::Postgres(p) => engine::postgres::query(p, sql, params).await,
        }
    }

    /// Runs raw statements outside the writer: for maintenance commands and for tests that must reach past
    /// the application (as someone with database access could).
    pub async fn exec_raw(&self, sql: &str) -> Result<()> {
        match self.reads.as_ref() {
            Reads::Sqlite(r) => r.with(|c| c.execute_batch(sql).map_err(error::sqlite)),
            Reads::Postgres(p) => {
                let mut conn = p.acquire().await.map_err(error::postgres)?;
                engine::postgres::PgConn(&mut conn).batch(sql).await
            }
        }
    }

    /// The single integer a query returns.
    pub async fn scalar(&self, sql: &str) -> Result<i64> {
        let rows = self.query(sql, vec![]).await?;
        let row = rows.first().ok_or_else(|| DomainError::internal("no row"))?;
        let v: Option<i64> = row.get_first()?;
        Ok(v.unwrap_or(0))
    }
}

/// Refuses an engine configured so that an acknowledged commit could be lost (invariant 1 of the
/// reliability checklist).
fn check_sqlite_durability(conn: &rusqlite::Connection) -> std::result::Result<(), StoreError> {
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if sync != 2 || !journal.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NotDurable(format!(
            "SQLite 须为 WAL 模式且 synchronous=FULL（当前 journal_mode={journal}，synchronous={sync}），拒绝启动"
        )));
    }
    Ok(())
}

async fn check_postgres_durability<C: Conn>(c: &mut C) -> std::result::Result<(), StoreError> {
    let rows =
        c.query("SELECT current_setting('synchronous_commit') AS s, current_setting('fsync') AS f", vec![]).await?;
    let row = rows.first().ok_or_else(|| StoreError::Config("无法读取 PostgreSQL 设置".into()))?;
    let (s, f): (String, String) = (row.get("s")?, row.get("f")?);
    if s == "off" || f == "off" {
        return Err(StoreError::NotDurable(format!(
            "PostgreSQL 的 synchronous_commit（{s}）或 fsync（{f}）已关闭，已确认的写入可能丢失，拒绝启动"
        )));
    }
    Ok(())
}

/// `(o.path LIKE $k OR …)` for the scopes, numbering placeholders from `first`.
fn scope_clause(column: &str, scopes: &[OrgPath], first: usize) -> String {
    let parts: Vec<String> = (0..scopes.len()).map(|i| format!("{column} LIKE ${}", first + i)).collect();
    format!("({})", parts.join(" OR "))
}

fn scope_params(scopes: &[OrgPath]) -> Vec<Value> {
    scopes.iter().map(|s| Value::Text(format!("{}%", s.as_str()))).collect()
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

// Joined lookups compare the key as `CAST($1 AS TEXT)`: with a bare parameter, SQLite's planner marks the
// statement to be re-prepared at every new binding (the value might change the plan), so the statement
// cache would not help and every request would parse and plan the query again. The cast changes nothing
// on PostgreSQL.

pub(crate) fn one<T>(rows: &Rows, f: impl FnOnce(&engine::Row<'_>) -> Result<T>) -> Result<Option<T>> {
    rows.first().map(|r| f(&r)).transpose()
}

pub(crate) fn all<T>(rows: &Rows, f: impl Fn(&engine::Row<'_>) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(|r| f(&r)).collect()
}

#[async_trait::async_trait]
impl Store for Db {
    async fn commit(&self, work: UnitOfWork) -> Result<Committed> {
        self.writer.commit(work).await
    }

    async fn org(&self, id: &OrgId) -> Result<Option<Org>> {
        static SQL: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {} FROM orgs o WHERE o.id = $1", rows::ORG_COLUMNS));
        one(&self.query(&SQL, params![&id.0]).await?, rows::org)
    }

    async fn orgs_in(&self, scopes: &[OrgPath]) -> Result<Vec<Org>> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM orgs o WHERE {} ORDER BY o.path",
            rows::ORG_COLUMNS,
            scope_clause("o.path", scopes, 1)
        );
        let mut orgs = all(&self.query(&sql, scope_params(scopes)).await?, rows::org)?;
        sort_tree(&mut orgs);
        Ok(orgs)
    }

    async fn org_count(&self) -> Result<u64> {
        Ok(self.scalar("SELECT COUNT(*) FROM orgs").await? as u64)
    }

    async fn account(&self, id: &str) -> Result<Option<Account>> {
        let sql = format!(
            "SELECT {} FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.id = CAST($1 AS TEXT)",
            rows::ACCOUNT_COLUMNS
        );
        one(&self.query(&sql, params![id]).await?, rows::account)
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let sql = format!(
            "SELECT {}, a.password_hash FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.username = CAST($1 AS TEXT)",
            rows::ACCOUNT_COLUMNS
        );
        one(&self.query(&sql, params![username]).await?, |r| {
            Ok(Credentials { account: rows::account(r)?, password_hash: r.get("password_hash")? })
        })
    }

    async fn accounts_in(&self, scopes: &[OrgPath], search: Option<&str>) -> Result<Vec<Account>> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT {} FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE {}",
            rows::ACCOUNT_COLUMNS,
            scope_clause("o.path", scopes, 1)
        );
        let mut p = scope_params(scopes);
        if let Some(s) = search {
            let n = scopes.len() + 1;
            sql.push_str(&format!(
                " AND (LOWER(a.username) LIKE ${n} ESCAPE '\\' OR a.display_name LIKE ${n} ESCAPE '\\' OR a.certificate_no LIKE ${n} ESCAPE '\\')"
            ));
            p.push(Value::Text(format!("%{}%", like_escape(&s.to_lowercase()))));
        }
        sql.push_str(" ORDER BY o.path, a.username LIMIT 1000");
        all(&self.query(&sql, p).await?, rows::account)
    }

    async fn account_count(&self) -> Result<u64> {
        Ok(self.scalar("SELECT COUNT(*) FROM accounts").await? as u64)
    }

    async fn password_history(&self, user_id: &str, n: u32) -> Result<Vec<String>> {
        let found = self
            .query(
                "SELECT hash FROM password_history WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2",
                params![user_id, i64::from(n)],
            )
            .await?;
        all(&found, |r| r.get("hash"))
    }

    async fn grants_of(&self, user_id: &str) -> Result<Vec<Grant>> {
        let found = self
            .query(
                "SELECT g.id, g.role, g.org_id, o.path AS org_path, o.name AS org_name FROM role_grants g \
                 JOIN orgs o ON o.id = g.org_id WHERE g.account_id = CAST($1 AS TEXT) ORDER BY g.role, o.path",
                params![user_id],
            )
            .await?;
        all(&found, rows::grant)
    }

    async fn grant(&self, id: &str) -> Result<Option<(String, Grant)>> {
        let found = self
            .query(
                "SELECT g.id, g.account_id, g.role, g.org_id, o.path AS org_path, o.name AS org_name FROM role_grants g \
                 JOIN orgs o ON o.id = g.org_id WHERE g.id = CAST($1 AS TEXT)",
                params![id],
            )
            .await?;
        one(&found, |r| Ok((r.get("account_id")?, rows::grant(r)?)))
    }

    async fn session_actor(&self, id_hash: &str) -> Result<Option<(SessionRecord, Account, Vec<Grant>)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT s.id_hash, s.account_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.ip, s.user_agent, \
             {}, {} FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN orgs o ON o.id = a.org_id {} WHERE s.id_hash = CAST($1 AS TEXT)",
                rows::ACCOUNT_COLUMNS,
                rows::JOINED_GRANT_COLUMNS,
                rows::JOINED_GRANTS
            )
        });
        let found = self.query(&SQL, params![id_hash]).await?;
        let Some(first) = found.first() else { return Ok(None) };
        Ok(Some((rows::session(&first)?, rows::account(&first)?, rows::joined_grants(&found)?)))
    }

    async fn token_actor(&self, token_hash: &str) -> Result<Option<(ApiToken, Account, Vec<Grant>)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT t.id AS t_id, t.account_id, t.name AS t_name, t.token_hash, t.created_at AS t_created_at, t.expires_at, \
             t.revoked_at, {}, {} FROM api_tokens t JOIN accounts a ON a.id = t.account_id JOIN orgs o ON o.id = a.org_id {} \
             WHERE t.token_hash = CAST($1 AS TEXT)",
                rows::ACCOUNT_COLUMNS,
                rows::JOINED_GRANT_COLUMNS,
                rows::JOINED_GRANTS
            )
        });
        let found = self.query(&SQL, params![token_hash]).await?;
        let Some(first) = found.first() else { return Ok(None) };
        Ok(Some((rows::joined_token(&first)?, rows::account(&first)?, rows::joined_grants(&found)?)))
    }

    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        let found = self
            .query(
                "SELECT id, account_id, name, token_hash, created_at, expires_at, revoked_at FROM api_tokens \
                 WHERE account_id = $1 ORDER BY created_at DESC",
                params![user_id],
            )
            .await?;
        all(&found, rows::api_token)
    }

    async fn setting(&self, key: &str) -> Result<Option<(String, i64)>> {
        let found = self.query("SELECT value, version FROM settings WHERE key = $1", params![key]).await?;
        one(&found, |r| Ok((r.get("value")?, r.get("version")?)))
    }

    async fn calendar_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CalendarDay>> {
        let found = self
            .query(
                "SELECT day, kind, name FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
                params![from.to_string(), to.to_string()],
            )
            .await?;
        all(&found, rows::calendar_day)
    }

    async fn calendar_years(&self) -> Result<Vec<(i32, String)>> {
        let found = self.query("SELECT year, source FROM calendar_years ORDER BY year", vec![]).await?;
        all(&found, |r| Ok((r.get::<i64>("year")? as i32, r.get("source")?)))
    }

    async fn audit_search(&self, q: &AuditQuery) -> Result<(Vec<AuditRecord>, u64)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut p: Vec<Value> = Vec::new();
        if let Some(f) = q.from {
            p.push(Value::Int(f.0));
            clauses.push(format!("at >= ${}", p.len()));
        }
        if let Some(t) = q.to {
            p.push(Value::Int(t.0));
            clauses.push(format!("at < ${}", p.len()));
        }
        let text_filters = [
            ("actor_name", &q.actor_name),
            ("action", &q.action),
            ("outcome", &q.outcome),
            ("object_id", &q.object_id),
        ];
        for (col, value) in text_filters {
            if let Some(v) = value {
                p.push(Value::Text(v.clone()));
                clauses.push(format!("{col} = ${}", p.len()));
            }
        }
        let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let total = self.query(&format!("SELECT COUNT(*) AS n FROM audit_log{filter}"), p.clone()).await?;
        let total: i64 = total.first().map(|r| r.get("n")).transpose()?.unwrap_or(0);
        let list_sql = format!(
            "SELECT {} FROM audit_log{filter} ORDER BY seq DESC LIMIT {} OFFSET {}",
            rows::AUDIT_COLUMNS,
            q.limit.max(1),
            q.offset
        );
        let found = self.query(&list_sql, p).await?;
        Ok((all(&found, rows::audit_record)?, total as u64))
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let sql = format!("SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", rows::AUDIT_COLUMNS);
        all(&self.query(&sql, params![after, i64::from(limit)]).await?, rows::audit_record)
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let found = self.query("SELECT seq, mac FROM audit_head WHERE id = 1", vec![]).await?;
        one(&found, |r| Ok((r.get("seq")?, r.get("mac")?)))
    }
}

/// Orders orgs as a tree (parents before children, siblings by name) rather than by id text.
fn sort_tree(orgs: &mut [Org]) {
    let by_id: std::collections::HashMap<String, (String, String)> =
        orgs.iter().map(|o| (o.id.0.clone(), (o.level.code().to_string(), o.name.as_str().to_string()))).collect();
    let key = |o: &Org| -> Vec<(u8, String)> {
        o.path
            .ids()
            .map(|id| match by_id.get(&id.0) {
                Some((level, name)) => (level_rank(level), name.clone()),
                None => (0, id.0),
            })
            .collect()
    };
    orgs.sort_by_cached_key(key);
}

fn level_rank(code: &str) -> u8 {
    match code {
        "corps" => 0,
        "detachment" => 1,
        "brigade" => 2,
        "station" => 3,
        _ => 4,
    }
}
