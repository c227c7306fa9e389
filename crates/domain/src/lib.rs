//! firelaw's domain: the law of fire-rescue enforcement written as plain Rust.
//!
//! Types parse their input ([`org::OrgName::parse`], [`account::Certificate::parse`] …), rules are pure
//! functions, and the [`services`] check permissions, build the changes and their audit records, and hand
//! them to a [`ports::Store`] that commits both in one transaction. Nothing here knows HTTP or SQL.

pub mod account;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod collective;
pub mod deadline;
pub mod document;
pub mod entrustment;
pub mod error;
pub mod evidence;
pub mod identity;
pub mod inspection;
pub mod org;
pub mod penalty;
pub mod policy;
pub mod ports;
pub mod random_check;
pub mod redaction;
pub mod registry;
pub mod services;
pub mod time;

pub use error::{DomainError, Result};
pub use services::Services;

/// A new sortable id (UUIDv7): ids made in different brigades never collide and sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
