//! 检查对象名录库: the registry of the units (社会单位) a fire-rescue agency supervises.
//!
//! A unit is identified by its 统一社会信用代码. Its facts (venue kinds, size, responsible people) decide
//! whether it is a 消防安全重点单位 ([`key_unit`]) and which random-check items reach it; its risk grade
//! ([`risk`]) decides how often it is drawn. Every change of a fact is kept in the unit's history.

pub mod import;
pub mod key_unit;
pub mod risk;
pub mod search;
pub mod unit;
pub mod venue;

pub use unit::{Unit, UnitFacts, UnitStatus};
pub use venue::{VenueKind, VenueKinds};
