//! 双随机、一公开: random checks. Units are drawn at random from the 检查对象名录库 and officers from the
//! 执法检查人员名录库, and the draw is published so that anyone can re-run it (国办发〔2015〕58号).
//!
//! This module holds the draw itself: a deterministic function of a published seed and a published pool.
//! The plans, the registry and the pages that use it come with the registry module.

pub mod draw;
