//! Turning rows into domain values. Columns are read by name; a value the domain refuses to parse means
//! the database was edited outside the application, which is an internal error.

use chrono::NaiveDate;
use domain::account::{Account, AccountStatus, Certificate, DisplayName, Username};
use domain::audit::AuditRecord;
use domain::authz::{Grant, Role};
use domain::calendar::{CalendarDay, DayKind};
use domain::org::{Org, OrgId, OrgLevel, OrgName, OrgPath};
use domain::ports::{ApiToken, SessionRecord};
use domain::time::Timestamp;
use domain::{DomainError, Result};

use crate::engine::{FromValue, Row};

/// Reads a column.
pub fn get<T: FromValue>(row: &Row<'_>, col: &str) -> Result<T> {
    row.get(col)
}

fn ts(row: &Row<'_>, col: &str) -> Result<Timestamp> {
    Ok(Timestamp(get::<i64>(row, col)?))
}

fn opt_ts(row: &Row<'_>, col: &str) -> Result<Option<Timestamp>> {
    Ok(get::<Option<i64>>(row, col)?.map(Timestamp))
}

/// A flag stored as 0/1 (BIGINT on both engines: one type, one meaning).
fn flag(row: &Row<'_>, col: &str) -> Result<bool> {
    Ok(get::<i64>(row, col)? != 0)
}

/// A JSON column.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, col: &str) -> Result<T> {
    serde_json::from_str(&get::<String>(row, col)?).map_err(DomainError::internal)
}

/// A value as JSON text for a column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(DomainError::internal)
}

/// A stored `YYYY-MM-DD` date.
pub(crate) fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(DomainError::internal)
}

/// Columns of [`org`].
pub const ORG_COLUMNS: &str =
    "o.id, o.parent_id, o.path, o.name, o.short_name, o.level, o.active, o.version, o.created_at";

/// An org row.
pub fn org(row: &Row<'_>) -> Result<Org> {
    Ok(Org {
        id: OrgId(get(row, "id")?),
        parent_id: get::<Option<String>>(row, "parent_id")?.map(OrgId),
        path: OrgPath::parse(&get::<String>(row, "path")?)?,
        name: OrgName::parse(&get::<String>(row, "name")?)?,
        short_name: get(row, "short_name")?,
        level: OrgLevel::parse("level", &get::<String>(row, "level")?)?,
        active: flag(row, "active")?,
        version: get(row, "version")?,
        created_at: ts(row, "created_at")?,
    })
}

/// Columns of [`account`] (accounts `a` joined with their org `o`).
pub const ACCOUNT_COLUMNS: &str = "a.id, a.username, a.display_name, a.org_id, o.path AS org_path, o.name AS org_name, \
    a.status, a.certificate_no, a.certificate_expires_on, a.must_change_password, a.password_changed_at, \
    a.locked_until, a.last_login_at, a.version, a.created_at";

/// An account row.
pub fn account(row: &Row<'_>) -> Result<Account> {
    let certificate =
        match (get::<Option<String>>(row, "certificate_no")?, get::<Option<String>>(row, "certificate_expires_on")?) {
            (Some(number), Some(exp)) => Some(Certificate { number, expires_on: date(&exp)? }),
            _ => None,
        };
    Ok(Account {
        id: get(row, "id")?,
        username: Username::parse(&get::<String>(row, "username")?)?,
        display_name: DisplayName::parse(&get::<String>(row, "display_name")?)?,
        org_id: OrgId(get(row, "org_id")?),
        org_path: OrgPath::parse(&get::<String>(row, "org_path")?)?,
        org_name: get(row, "org_name")?,
        status: AccountStatus::parse(&get::<String>(row, "status")?)?,
        certificate,
        must_change_password: flag(row, "must_change_password")?,
        password_changed_at: opt_ts(row, "password_changed_at")?,
        locked_until: opt_ts(row, "locked_until")?,
        last_login_at: opt_ts(row, "last_login_at")?,
        version: get(row, "version")?,
        created_at: ts(row, "created_at")?,
    })
}

/// A grant row (grants `g` joined with their org `o`).
pub fn grant(row: &Row<'_>) -> Result<Grant> {
    Ok(Grant {
        id: get(row, "id")?,
        role: Role::parse("role", &get::<String>(row, "role")?)?,
        org_id: OrgId(get(row, "org_id")?),
        org_path: OrgPath::parse(&get::<String>(row, "org_path")?)?,
        org_name: get(row, "org_name")?,
    })
}

/// Grant columns when grants are LEFT JOINed to an account (`g`, with their org `go`).
pub const JOINED_GRANT_COLUMNS: &str =
    "g.id AS g_id, g.role AS g_role, g.org_id AS g_org_id, go.path AS g_org_path, go.name AS g_org_name";

/// The join that brings an account's grants.
pub const JOINED_GRANTS: &str = "LEFT JOIN role_grants g ON g.account_id = a.id LEFT JOIN orgs go ON go.id = g.org_id";

/// The grants of rows produced with [`JOINED_GRANTS`] (one row per grant; none when `g_id` is null).
pub fn joined_grants(found: &crate::engine::Rows) -> Result<Vec<Grant>> {
    let mut grants = Vec::new();
    for row in found.iter() {
        let Some(id) = get::<Option<String>>(&row, "g_id")? else { continue };
        grants.push(Grant {
            id,
            role: Role::parse("role", &get::<String>(&row, "g_role")?)?,
            org_id: OrgId(get(&row, "g_org_id")?),
            org_path: OrgPath::parse(&get::<String>(&row, "g_org_path")?)?,
            org_name: get(&row, "g_org_name")?,
        });
    }
    grants.sort_by(|a, b| (a.role, a.org_path.as_str()).cmp(&(b.role, b.org_path.as_str())));
    Ok(grants)
}

/// A token joined with its account (token columns prefixed `t_`).
pub fn joined_token(row: &Row<'_>) -> Result<ApiToken> {
    Ok(ApiToken {
        id: get(row, "t_id")?,
        user_id: get(row, "account_id")?,
        name: get(row, "t_name")?,
        token_hash: get(row, "token_hash")?,
        created_at: ts(row, "t_created_at")?,
        expires_at: ts(row, "expires_at")?,
        revoked_at: opt_ts(row, "revoked_at")?,
    })
}

/// A session row joined with its account (`created_at` as `s_created_at`).
pub fn session(row: &Row<'_>) -> Result<SessionRecord> {
    Ok(SessionRecord {
        id_hash: get(row, "id_hash")?,
        user_id: get(row, "account_id")?,
        csrf_token: get(row, "csrf_token")?,
        created_at: ts(row, "s_created_at")?,
        last_seen_at: ts(row, "last_seen_at")?,
        ip: get(row, "ip")?,
        user_agent: get(row, "user_agent")?,
    })
}

/// An API token row.
pub fn api_token(row: &Row<'_>) -> Result<ApiToken> {
    Ok(ApiToken {
        id: get(row, "id")?,
        user_id: get(row, "account_id")?,
        name: get(row, "name")?,
        token_hash: get(row, "token_hash")?,
        created_at: ts(row, "created_at")?,
        expires_at: ts(row, "expires_at")?,
        revoked_at: opt_ts(row, "revoked_at")?,
    })
}

/// A calendar exception row.
pub fn calendar_day(row: &Row<'_>) -> Result<CalendarDay> {
    Ok(CalendarDay {
        date: date(&get::<String>(row, "day")?)?,
        kind: DayKind::parse(&get::<String>(row, "kind")?)?,
        name: get(row, "name")?,
    })
}

/// Columns of [`audit_record`], in MAC order.
pub const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_name, actor_roles, org_id, ip, request_id, action, object_type, \
    object_id, outcome, reason, detail, prev_mac, mac";

/// An audit row.
pub fn audit_record(row: &Row<'_>) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: get(row, "seq")?,
        at: get(row, "at")?,
        actor_id: get(row, "actor_id")?,
        actor_name: get(row, "actor_name")?,
        actor_roles: get(row, "actor_roles")?,
        org_id: get(row, "org_id")?,
        ip: get(row, "ip")?,
        request_id: get(row, "request_id")?,
        action: get(row, "action")?,
        object_type: get(row, "object_type")?,
        object_id: get(row, "object_id")?,
        outcome: get(row, "outcome")?,
        reason: get(row, "reason")?,
        detail: get(row, "detail")?,
        prev_mac: get(row, "prev_mac")?,
        mac: get(row, "mac")?,
    })
}
