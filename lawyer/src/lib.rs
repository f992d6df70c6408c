//! Online-lawyer platform rules (团体标准《智慧法务在线律师平台运营服务规范》, kept at
//! `shared/specs/lawyer-platform-standard.zh.txt`). Pure Rust, no I/O, no clock: every rule takes the times and
//! dates it needs as arguments, so the server and the `lawyer-desk` app compute the same answers.
//!
//! Every rule names the clause it comes from (e.g. `6.2.2.3.4`). Where the standard is silent or garbled the
//! choice made here is documented next to the rule.

pub mod calendar;
pub mod ratio;
pub mod records;
pub mod reply;
pub mod report;
pub mod sla;
pub mod tiers;

pub use calendar::{CalendarConfig, CalendarError, WorkCalendar};
pub use ratio::{BasisPoints, Ratio};
pub use sla::{ServiceKind, SlaConfig};
