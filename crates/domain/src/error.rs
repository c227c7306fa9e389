//! The one error type of firelaw. Every variant carries, or maps to, a message in Simplified Chinese that
//! may be shown to the user; internal causes go to the log only.

use crate::time::Timestamp;

/// Result with [`DomainError`] as the default error.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// What went wrong, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A field failed to parse. `field` is the name the client sent (or the form's field name).
    #[error("{message}")]
    Validation {
        /// The field name as the client knows it.
        field: String,
        /// Chinese message naming the field and the problem.
        message: String,
    },
    /// Not logged in, or the session or token is no longer valid.
    #[error("请先登录")]
    Unauthenticated,
    /// Wrong user name or password. Deliberately does not say which (no user enumeration).
    #[error("用户名或密码错误")]
    BadCredentials,
    /// The account is locked after repeated failures.
    #[error("登录失败次数过多，账户已锁定至 {}", until.to_local_string())]
    Locked {
        /// When the lock ends.
        until: Timestamp,
    },
    /// The actor lacks the permission, or the object lies outside the actor's jurisdiction.
    #[error("无权执行此操作")]
    Forbidden,
    /// The object does not exist or is outside the actor's jurisdiction (IDOR answers 404, not 403).
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// The object changed since the client read it, or a uniqueness rule was hit.
    #[error("{0}")]
    Conflict(String),
    /// A rule of the procedure forbids the act.
    #[error("{0}")]
    Rule(String),
    /// The storage is full or unavailable; nothing was written.
    #[error("存储空间不足或暂不可用，操作未保存，请稍后重试")]
    Unavailable,
    /// A bug or an infrastructure failure. The cause is logged; the user sees a generic message.
    #[error("系统内部错误，请联系管理员")]
    Internal(String),
}

impl DomainError {
    /// A validation error on `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Validation { field: field.to_string(), message: message.into() }
    }

    /// An internal error; `cause` is for the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        DomainError::Internal(cause.to_string())
    }
}
