//! 双随机、一公开: random checks (国办发〔2015〕58号; 《关于深化消防执法改革的意见》 2019). Units are drawn at
//! random from the 检查对象名录库 and officers from the 执法检查人员名录库, recusal (回避) is respected,
//! and plans and results are published.
//!
//! "一单两库": the [`item`] list (随机抽查事项清单), the unit registry ([`crate::registry`]) and the officer
//! pool ([`officers`]). A [`plan`] announces its parameters and the digests of both pools with a commitment
//! to a secret, then draws ([`draw`]); the [`record`] of a draw is published and anyone can re-run it.

pub mod draw;
pub mod item;
pub mod officers;
pub mod plan;
pub mod record;
