//! The two engines behind one small interface: SQL text with `$n` parameters, [`Value`] parameters, and
//! rows of [`Value`]s read by column name. Everything above this module (queries, row mapping, the write
//! path, migrations) is written once.
//!
//! SQLite runs in-process through rusqlite: reads execute inline on the calling thread (a point read from
//! the page cache costs microseconds, less than handing it to another thread), and all writes go to one
//! writer thread that commits whole batches. PostgreSQL runs through sqlx's async driver.

pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use domain::{DomainError, Result};

/// A parameter or a column value. Both engines store exactly these: integers (ids of time, counts,
/// flags) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL in a text column.
    Null,
    /// SQL NULL in an integer column. PostgreSQL wants to know the type even of a NULL parameter.
    NullInt,
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { vec![$($crate::engine::Value::from($v)),*] };
}

/// A result set.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    columns: Arc<Vec<String>>,
    values: Vec<Vec<Value>>,
}

impl Rows {
    /// A result set from column names and row values.
    pub fn new(columns: Vec<String>, values: Vec<Vec<Value>>) -> Self {
        Rows { columns: Arc::new(columns), values }
    }
    /// The rows.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.values.iter().map(|v| Row { columns: &self.columns, values: v })
    }
    /// The first row.
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

/// A Rust type read from a column.
pub trait FromValue: Sized {
    /// Converts, or says why not.
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Text(t) => t.parse().map_err(|_| "not an integer"),
            Value::Null | Value::NullInt => Err("NULL"),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        i64::from_value(v).map(|i| i != 0)
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Text(t) => Ok(t.clone()),
            Value::Int(i) => Ok(i.to_string()),
            Value::Null | Value::NullInt => Err("NULL"),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Null | Value::NullInt => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl Row<'_> {
    /// The value of the first column.
    pub fn get_first<T: FromValue>(&self) -> Result<T> {
        let v = self.values.first().ok_or_else(|| DomainError::internal("no columns"))?;
        T::from_value(v).map_err(|why| DomainError::internal(format!("first column: {why}")))
    }

    /// The value of column `col`.
    pub fn get<T: FromValue>(&self, col: &str) -> Result<T> {
        let i = self
            .columns
            .iter()
            .position(|c| c == col)
            .ok_or_else(|| DomainError::internal(format!("no column {col}")))?;
        T::from_value(&self.values[i]).map_err(|why| DomainError::internal(format!("column {col}: {why}")))
    }
}

/// A connection inside a transaction (the writer's), or any connection for maintenance.
pub(crate) trait Conn {
    /// Runs a statement; returns the number of rows changed.
    async fn exec(&mut self, sql: &str, params: Vec<Value>) -> Result<u64>;
    /// Runs a query.
    async fn query(&mut self, sql: &str, params: Vec<Value>) -> Result<Rows>;
    /// Runs several statements without parameters (migrations).
    async fn batch(&mut self, sql: &str) -> Result<()>;
}
