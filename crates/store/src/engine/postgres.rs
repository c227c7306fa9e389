//! PostgreSQL through sqlx's async driver.

use domain::{DomainError, Result};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Column, Executor, PgConnection, Row as _, TypeInfo};

use super::{Conn, Rows, Value};

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    params: Vec<Value>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for p in params {
        q = match p {
            Value::Null => q.bind(None::<String>),
            Value::NullInt => q.bind(None::<i64>),
            Value::Int(i) => q.bind(i),
            Value::Text(t) => q.bind(t),
        };
    }
    q
}

fn convert(found: Vec<PgRow>) -> Result<Rows> {
    let Some(first) = found.first() else { return Ok(Rows::default()) };
    let columns: Vec<String> = first.columns().iter().map(|c| c.name().to_string()).collect();
    let kinds: Vec<String> = first.columns().iter().map(|c| c.type_info().name().to_string()).collect();
    let mut out = Vec::with_capacity(found.len());
    for row in &found {
        let mut vals = Vec::with_capacity(columns.len());
        for (i, kind) in kinds.iter().enumerate() {
            let v = match kind.as_str() {
                "INT8" => row.try_get::<Option<i64>, _>(i).map(|v| v.map_or(Value::Null, Value::Int)),
                "INT4" => row.try_get::<Option<i32>, _>(i).map(|v| v.map_or(Value::Null, |x| Value::Int(x.into()))),
                "INT2" => row.try_get::<Option<i16>, _>(i).map(|v| v.map_or(Value::Null, |x| Value::Int(x.into()))),
                "BOOL" => row.try_get::<Option<bool>, _>(i).map(|v| v.map_or(Value::Null, |x| Value::Int(x.into()))),
                _ => row.try_get::<Option<String>, _>(i).map(|v| v.map_or(Value::Null, Value::Text)),
            }
            .map_err(|e| DomainError::internal(format!("column {}: {e}", columns[i])))?;
            vals.push(v);
        }
        out.push(vals);
    }
    Ok(Rows::new(columns, out))
}

/// Runs a query.
pub async fn query<'c, E: Executor<'c, Database = sqlx::Postgres>>(
    ex: E,
    sql: &str,
    params: Vec<Value>,
) -> Result<Rows> {
    let found = bind(sqlx::query(AssertSqlSafe(sql.to_string())), params)
        .fetch_all(ex)
        .await
        .map_err(crate::error::postgres)?;
    convert(found)
}

/// Runs a statement.
pub async fn exec<'c, E: Executor<'c, Database = sqlx::Postgres>>(ex: E, sql: &str, params: Vec<Value>) -> Result<u64> {
    let r =
        bind(sqlx::query(AssertSqlSafe(sql.to_string())), params).execute(ex).await.map_err(crate::error::postgres)?;
    Ok(r.rows_affected())
}

/// A PostgreSQL connection as a [`Conn`].
pub struct PgConn<'a>(pub &'a mut PgConnection);

impl Conn for PgConn<'_> {
    async fn exec(&mut self, sql: &str, params: Vec<Value>) -> Result<u64> {
        exec(&mut *self.0, sql, params).await
    }
    async fn query(&mut self, sql: &str, params: Vec<Value>) -> Result<Rows> {
        query(&mut *self.0, sql, params).await
    }
    async fn batch(&mut self, sql: &str) -> Result<()> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut *self.0).await.map_err(crate::error::postgres)?;
        Ok(())
    }
}
