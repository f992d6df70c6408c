//! Online-lawyer platform rules (团体标准《智慧法务在线律师平台运营服务规范》, kept at
//! `shared/specs/lawyer-platform-standard.zh.txt`). Pure Rust, no I/O, no clock: every rule takes the times and
//! dates it needs as arguments, so the server and the `lawyer-desk` app compute the same answers. Dates and
//! instants are `domain`'s ([`domain::time::Date`], [`domain::time::Millis`]).
//!
//! | module | clauses |
//! |---|---|
//! | [`calendar`] | working days with configured holidays and 调休 (for 6.2.4.1, 7.1.2.2, 7.1.3.2) |
//! | [`sla`] | 6.2 response limits: chat violations and next actions, pickup averages, task deadlines |
//! | [`reply`] | 6.2.1.2 留言 reply format; automatic QC (3.1, 3.2, 6.2.2.3.2 a) |
//! | [`tiers`] | 7.1.1.4, 附录 A grades |
//! | [`report`] | 7.1.4 rates and 表 1 alerts; 7.3 report periods, deadlines and figures |
//! | [`records`] | 附录 B data attributes and validation |
//! | [`admission`] | 6.3.1 admission and probation; 6.3.2 training |
//!
//! Where the standard is silent or garbled the choice made is documented next to the rule.

pub mod admission;
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
