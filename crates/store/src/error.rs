//! Mapping database errors to domain errors: the user gets a Chinese message, the log gets the cause.

use domain::DomainError;

/// Converts a database error. Unique violations become conflicts with a message naming what clashed; a full
/// disk or a lost connection becomes [`DomainError::Unavailable`] (nothing was written); anything else is
/// internal.
pub fn map(e: sqlx::Error) -> DomainError {
    match &e {
        sqlx::Error::Database(db) => {
            let text = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            if db.is_unique_violation() {
                let message = if text.contains("role_grants_one_admin_role")
                    || (text.contains("role_grants.account_id") && !text.contains("role_grants.role"))
                {
                    "三员分立：同一账户不能同时担任两个管理员角色"
                } else if text.contains("role_grants") {
                    "该账户已在此范围持有该角色"
                } else if text.contains("username") {
                    "用户名已被使用"
                } else if text.contains("orgs") {
                    "机构已存在"
                } else if text.contains("audit") {
                    "审计记录序号冲突，请重试"
                } else {
                    "记录已存在"
                };
                return DomainError::Conflict(message.into());
            }
            // PostgreSQL codes have five characters; class 53 is "insufficient resources" (disk full, out of
            // memory). SQLite codes are numbers whose low byte is the primary code: SQLITE_IOERR (10) with
            // its extended codes, SQLITE_FULL (13).
            let unavailable = if code.len() == 5 {
                code.starts_with("53")
            } else {
                code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 10 | 13))
            };
            if unavailable {
                tracing::error!(error = %e, "storage unavailable");
                return DomainError::Unavailable;
            }
            tracing::error!(error = %e, code = %code, "database error");
            DomainError::internal(e)
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            tracing::error!(error = %e, "storage unavailable");
            DomainError::Unavailable
        }
        _ => {
            tracing::error!(error = %e, "database error");
            DomainError::internal(e)
        }
    }
}

/// Shorthand for `map_err(error::map)`.
pub trait DbResult<T> {
    /// Maps the error.
    fn db(self) -> domain::Result<T>;
}

impl<T> DbResult<T> for Result<T, sqlx::Error> {
    fn db(self) -> domain::Result<T> {
        self.map_err(map)
    }
}
