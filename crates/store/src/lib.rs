//! firelaw's storage: one code path for SQLite (embedded, the default) and PostgreSQL.
//!
//! SQL is written once in the subset both engines share (`$n` placeholders in ascending order, BIGINT
//! millisecond timestamps, TEXT ids, `ON CONFLICT … DO UPDATE`), executed through sqlx's `Any` driver.
//! Reads go to a small pool; every write goes through the [`writer`] (group commit, audit chain).

pub mod error;
pub mod migrate;
pub mod rows;
pub mod writer;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use domain::account::Account;
use domain::audit::AuditRecord;
use domain::authz::Grant;
use domain::calendar::CalendarDay;
use domain::org::{Org, OrgId, OrgPath};
use domain::ports::{ApiToken, AuditQuery, Committed, Credentials, CryptoProvider, SessionRecord, Store, UnitOfWork};
use domain::{DomainError, Result};
use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, AssertSqlSafe, Executor};

use error::DbResult;
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
    /// The database said no.
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
}

/// Pool options with the per-connection settings each engine needs.
pub(crate) fn pool_options(backend: Backend, options: AnyPoolOptions) -> AnyPoolOptions {
    options.acquire_timeout(Duration::from_secs(30)).after_connect(move |conn, _| {
        Box::pin(async move {
            if backend == Backend::Sqlite {
                // WAL for concurrent readers; FULL so that a commit survives power loss (WAL with NORMAL may
                // lose the last commits); secure_delete so deleted personal data is overwritten (等保 §8.1.4.8).
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
                )
                .await?;
            }
            Ok(())
        })
    })
}

/// The database: a read pool and the writer.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    writer: Writer,
}

impl Db {
    /// Connects, checks durability settings, applies migrations and starts the writer.
    pub async fn connect(
        url: &str,
        crypto: Arc<dyn CryptoProvider>,
        now_ms: i64,
    ) -> std::result::Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        };
        let pool = pool_options(backend, AnyPoolOptions::new().max_connections(max)).connect(url).await?;
        {
            let mut conn = pool.acquire().await?;
            check_durability(&mut conn, backend).await?;
            migrate::run(&mut conn, backend, now_ms).await?;
        }
        let writer = Writer::start(url, backend, crypto).await?;
        Ok(Db { pool, backend, writer })
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The read pool, for maintenance commands and tests that must reach past the application.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Refuses an engine configured so that an acknowledged commit could be lost (invariant 1 of the
/// reliability checklist).
async fn check_durability(conn: &mut sqlx::AnyConnection, backend: Backend) -> std::result::Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await?;
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
            if sync != 2 || !journal.eq_ignore_ascii_case("wal") {
                return Err(StoreError::NotDurable(format!(
                    "SQLite 须为 WAL 模式且 synchronous=FULL（当前 journal_mode={journal}，synchronous={sync}），拒绝启动"
                )));
            }
        }
        Backend::Postgres => {
            let v: String =
                sqlx::query_scalar("SELECT current_setting('synchronous_commit')").fetch_one(&mut *conn).await?;
            let fsync: String = sqlx::query_scalar("SELECT current_setting('fsync')").fetch_one(&mut *conn).await?;
            if v == "off" || fsync == "off" {
                return Err(StoreError::NotDurable(format!(
                    "PostgreSQL 的 synchronous_commit（{v}）或 fsync（{fsync}）已关闭，已确认的写入可能丢失，拒绝启动"
                )));
            }
        }
    }
    Ok(())
}

/// `(o.path LIKE $k OR …)` for the scopes, numbering placeholders from `first`.
fn scope_clause(column: &str, scopes: &[OrgPath], first: usize) -> String {
    let parts: Vec<String> = (0..scopes.len()).map(|i| format!("{column} LIKE ${}", first + i)).collect();
    format!("({})", parts.join(" OR "))
}

fn bind_scopes<'q>(mut q: Query<'q, Any, AnyArguments>, scopes: &[OrgPath]) -> Query<'q, Any, AnyArguments> {
    for s in scopes {
        q = q.bind(format!("{}%", s.as_str()));
    }
    q
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[async_trait::async_trait]
impl Store for Db {
    async fn commit(&self, work: UnitOfWork) -> Result<Committed> {
        self.writer.commit(work).await
    }

    async fn org(&self, id: &OrgId) -> Result<Option<Org>> {
        let sql = format!("SELECT {} FROM orgs o WHERE o.id = $1", rows::ORG_COLUMNS);
        let row = sqlx::query(AssertSqlSafe(sql)).bind(&id.0).fetch_optional(&self.pool).await.db()?;
        row.as_ref().map(rows::org).transpose()
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
        let found = bind_scopes(sqlx::query(AssertSqlSafe(sql)), scopes).fetch_all(&self.pool).await.db()?;
        let mut orgs: Vec<Org> = found.iter().map(rows::org).collect::<Result<_>>()?;
        sort_tree(&mut orgs);
        Ok(orgs)
    }

    async fn org_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs").fetch_one(&self.pool).await.db()?;
        Ok(n as u64)
    }

    async fn account(&self, id: &str) -> Result<Option<Account>> {
        let sql =
            format!("SELECT {} FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.id = $1", rows::ACCOUNT_COLUMNS);
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.db()?;
        row.as_ref().map(rows::account).transpose()
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let sql = format!(
            "SELECT {}, a.password_hash FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.username = $1",
            rows::ACCOUNT_COLUMNS
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(username).fetch_optional(&self.pool).await.db()?;
        match row {
            None => Ok(None),
            Some(r) => {
                Ok(Some(Credentials { account: rows::account(&r)?, password_hash: rows::get(&r, "password_hash")? }))
            }
        }
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
        let n = scopes.len() + 1;
        if search.is_some() {
            sql.push_str(&format!(
                " AND (LOWER(a.username) LIKE ${n} ESCAPE '\\' OR a.display_name LIKE ${n} ESCAPE '\\' OR a.certificate_no LIKE ${n} ESCAPE '\\')"
            ));
        }
        sql.push_str(" ORDER BY o.path, a.username LIMIT 1000");
        let mut q = bind_scopes(sqlx::query(AssertSqlSafe(sql)), scopes);
        if let Some(s) = search {
            q = q.bind(format!("%{}%", like_escape(&s.to_lowercase())));
        }
        let found = q.fetch_all(&self.pool).await.db()?;
        found.iter().map(rows::account).collect()
    }

    async fn account_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&self.pool).await.db()?;
        Ok(n as u64)
    }

    async fn password_history(&self, user_id: &str, n: u32) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT hash FROM password_history WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2")
            .bind(user_id)
            .bind(i64::from(n))
            .fetch_all(&self.pool)
            .await
            .db()
    }

    async fn grants_of(&self, user_id: &str) -> Result<Vec<Grant>> {
        let found = sqlx::query(
            "SELECT g.id, g.role, g.org_id, o.path AS org_path, o.name AS org_name FROM role_grants g \
             JOIN orgs o ON o.id = g.org_id WHERE g.account_id = $1 ORDER BY g.role, o.path",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        found.iter().map(rows::grant).collect()
    }

    async fn grant(&self, id: &str) -> Result<Option<(String, Grant)>> {
        let row = sqlx::query(
            "SELECT g.id, g.account_id, g.role, g.org_id, o.path AS org_path, o.name AS org_name FROM role_grants g \
             JOIN orgs o ON o.id = g.org_id WHERE g.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::get(&r, "account_id")?, rows::grant(&r)?))),
        }
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT id_hash, account_id, csrf_token, created_at, last_seen_at, ip, user_agent FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(rows::session).transpose()
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, account_id, name, token_hash, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(rows::api_token).transpose()
    }

    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        let found = sqlx::query(
            "SELECT id, account_id, name, token_hash, created_at, expires_at, revoked_at FROM api_tokens \
             WHERE account_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        found.iter().map(rows::api_token).collect()
    }

    async fn setting(&self, key: &str) -> Result<Option<(String, i64)>> {
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::get(&r, "value")?, rows::get(&r, "version")?))),
        }
    }

    async fn calendar_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CalendarDay>> {
        let found = sqlx::query("SELECT day, kind, name FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day")
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&self.pool)
            .await
            .db()?;
        found.iter().map(rows::calendar_day).collect()
    }

    async fn calendar_years(&self) -> Result<Vec<(i32, String)>> {
        let found =
            sqlx::query("SELECT year, source FROM calendar_years ORDER BY year").fetch_all(&self.pool).await.db()?;
        found.iter().map(|r| Ok((rows::get::<i64>(r, "year")? as i32, rows::get(r, "source")?))).collect()
    }

    async fn audit_search(&self, q: &AuditQuery) -> Result<(Vec<AuditRecord>, u64)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        // Integers first, then texts: placeholders must appear in ascending order for SQLite.
        if let Some(f) = q.from {
            ints.push(f.0);
            clauses.push(format!("at >= ${}", ints.len()));
        }
        if let Some(t) = q.to {
            ints.push(t.0);
            clauses.push(format!("at < ${}", ints.len()));
        }
        let text_filters = [
            ("actor_name", &q.actor_name),
            ("action", &q.action),
            ("outcome", &q.outcome),
            ("object_id", &q.object_id),
        ];
        for (col, value) in text_filters {
            if let Some(v) = value {
                texts.push(v.clone());
                clauses.push(format!("{col} = ${}", ints.len() + texts.len()));
            }
        }
        let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let count_sql = format!("SELECT COUNT(*) FROM audit_log{filter}");
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
        for i in &ints {
            count = count.bind(*i);
        }
        for t in &texts {
            count = count.bind(t.clone());
        }
        let total = count.fetch_one(&self.pool).await.db()?;
        let list_sql = format!(
            "SELECT {} FROM audit_log{filter} ORDER BY seq DESC LIMIT {} OFFSET {}",
            rows::AUDIT_COLUMNS,
            q.limit.max(1),
            q.offset
        );
        let mut list = sqlx::query(AssertSqlSafe(list_sql));
        for i in &ints {
            list = list.bind(*i);
        }
        for t in &texts {
            list = list.bind(t.clone());
        }
        let found = list.fetch_all(&self.pool).await.db()?;
        Ok((found.iter().map(rows::audit_record).collect::<Result<_>>()?, total as u64))
    }

    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let sql = format!("SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", rows::AUDIT_COLUMNS);
        let found =
            sqlx::query(AssertSqlSafe(sql)).bind(after).bind(i64::from(limit)).fetch_all(&self.pool).await.db()?;
        found.iter().map(rows::audit_record).collect()
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT seq, mac FROM audit_head WHERE id = 1").fetch_optional(&self.pool).await.db()?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::get(&r, "seq")?, rows::get(&r, "mac")?))),
        }
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

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        DomainError::internal(e)
    }
}
