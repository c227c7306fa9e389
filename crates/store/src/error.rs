//! Mapping database errors to domain errors: the user gets a Chinese message, the log gets the cause.

use domain::DomainError;

/// The Chinese message for a unique violation, by what the database named.
fn unique_message(text: &str) -> &'static str {
    if text.contains("role_grants_one_admin_role")
        || (text.contains("role_grants.account_id") && !text.contains("role_grants.role"))
    {
        "三员分立：同一账户不能同时担任两个管理员角色"
    } else if text.contains("role_grants") {
        "该账户已在此范围持有该角色"
    } else if text.contains("username") {
        "用户名已被使用"
    } else if text.contains("settings") {
        "设置已被他人修改，请刷新后重试"
    } else if text.contains("credit_code") {
        "统一社会信用代码已存在，该单位已在名录库中"
    } else if text.contains("orgs") {
        "机构已存在"
    } else {
        "记录已存在"
    }
}

/// Converts a SQLite error. A full disk or an I/O failure becomes [`DomainError::Unavailable`]: nothing
/// was written.
pub fn sqlite(e: rusqlite::Error) -> DomainError {
    use rusqlite::ErrorCode;
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let text = msg.clone().unwrap_or_default();
        match f.code {
            ErrorCode::ConstraintViolation if f.extended_code == 2067 || f.extended_code == 1555 => {
                return DomainError::Conflict(unique_message(&text).into());
            }
            ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::DatabaseBusy => {
                tracing::error!(error = %e, "storage unavailable");
                return DomainError::Unavailable;
            }
            _ => {}
        }
    }
    tracing::error!(error = %e, "database error");
    DomainError::internal(e)
}

/// Converts a PostgreSQL error. Class 53 (insufficient resources: disk full, out of memory) and lost
/// connections become [`DomainError::Unavailable`].
pub fn postgres(e: sqlx::Error) -> DomainError {
    match &e {
        sqlx::Error::Database(db) => {
            let text = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
            if db.is_unique_violation() {
                return DomainError::Conflict(unique_message(&text).into());
            }
            if db.code().is_some_and(|c| c.starts_with("53")) {
                tracing::error!(error = %e, "storage unavailable");
                return DomainError::Unavailable;
            }
            tracing::error!(error = %e, "database error");
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
