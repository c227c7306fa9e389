//! 消防监督检查: inspections and what follows them, after 《消防监督检查规定》(公安部令第107号, 第120号修订).
//!
//! An [`record::Inspection`] is made by at least two certified officers, item by item against a
//! [`checklist`], and records [`hazard::Hazard`]s. Each hazard is corrected on the spot or given a deadline;
//! the 责令（限期）改正通知书 follows within 3 working days, the 复查 within 3 working days after the
//! deadline, and a hazard that is not rectified escalates: to a penalty case, to a [`sealing`] measure
//! (临时查封, 三停), or to the [`major_hazard`] procedure under GB 35181.

pub mod checklist;
pub mod exposure;
pub mod hazard;
pub mod kind;
pub mod major_hazard;
pub mod record;
pub mod sealing;
