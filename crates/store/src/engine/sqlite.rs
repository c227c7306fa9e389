//! SQLite through rusqlite: inline reads on a few pooled connections, one writer connection.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use domain::{DomainError, Result};
use rusqlite::types::ValueRef;

use super::{Conn, Rows, Value};

/// Opens a connection with the settings every firelaw connection needs.
pub fn open(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    // WAL for concurrent readers; FULL so that a commit survives power loss (WAL with NORMAL may lose the
    // last commits); secure_delete so deleted personal data is overwritten (等保 §8.1.4.8).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
    )?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// The file of a `sqlite://path?…` URL.
pub fn path_of(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

impl rusqlite::ToSql for Value {
    // Borrowed: binding a parameter does not copy its text.
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match self {
            Value::Null | Value::NullInt => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// Runs a query on a connection.
pub fn query(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Rows> {
    let mut stmt = conn.prepare_cached(sql).map_err(crate::error::sqlite)?;
    let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
    let n = columns.len();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(crate::error::sqlite)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(crate::error::sqlite)? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(match row.get_ref(i).map_err(crate::error::sqlite)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(x) => Value::Int(x),
                ValueRef::Real(x) => Value::Int(x as i64),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(_) => return Err(DomainError::internal("unexpected BLOB column")),
            });
        }
        out.push(vals);
    }
    Ok(Rows::new(columns, out))
}

/// Runs a statement on a connection.
pub fn exec(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<u64> {
    let mut stmt = conn.prepare_cached(sql).map_err(crate::error::sqlite)?;
    let n = stmt.execute(rusqlite::params_from_iter(params.iter())).map_err(crate::error::sqlite)?;
    Ok(n as u64)
}

/// How often the checkpointer looks for WAL frames to copy back.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Starts the checkpointer: a thread with its own connection that runs a PASSIVE checkpoint every
/// [`CHECKPOINT_EVERY`]. A PASSIVE checkpoint never blocks the writer or the readers, and is a no-op
/// when the WAL has nothing new; the writer starts the log over once a checkpoint has caught up. Moving
/// this off the writer (SQLite would otherwise checkpoint inside a commit every 1,000 pages) keeps the
/// copying and its fsyncs out of every request's path. The thread runs until the returned sender is dropped.
pub fn start_checkpointer(path: &Path) -> rusqlite::Result<std::sync::mpsc::Sender<()>> {
    let conn = open(path)?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("firelaw-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint");
                }
            }
        })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(stop)
}

/// A few read connections. A read runs on the calling thread: no hand-off, no wake-up.
pub struct Readers {
    conns: Vec<Mutex<rusqlite::Connection>>,
    next: AtomicUsize,
}

impl Readers {
    /// Opens `n` read connections.
    pub fn open(path: &Path, n: usize) -> rusqlite::Result<Readers> {
        let conns = (0..n.max(1)).map(|_| open(path).map(Mutex::new)).collect::<rusqlite::Result<_>>()?;
        Ok(Readers { conns, next: AtomicUsize::new(0) })
    }

    /// Runs `f` on a free connection (or waits for one).
    pub fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        for c in &self.conns {
            if let Ok(conn) = c.try_lock() {
                return f(&conn);
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.conns.len();
        let conn = self.conns[i].lock().map_err(|_| DomainError::internal("reader lock poisoned"))?;
        f(&conn)
    }
}

/// The writer's connection as a [`Conn`]: every call completes at once (it runs on the writer thread).
pub struct WriteConn<'a>(pub &'a rusqlite::Connection);

impl Conn for WriteConn<'_> {
    async fn exec(&mut self, sql: &str, params: Vec<Value>) -> Result<u64> {
        exec(self.0, sql, &params)
    }
    async fn query(&mut self, sql: &str, params: Vec<Value>) -> Result<Rows> {
        query(self.0, sql, &params)
    }
    async fn batch(&mut self, sql: &str) -> Result<()> {
        self.0.execute_batch(sql).map_err(crate::error::sqlite)
    }
}
