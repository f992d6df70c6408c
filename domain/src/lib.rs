//! The rules of the service hall, pure: no I/O, no clock (time is an argument), no randomness (ids and
//! tokens are passed in). Builds for wasm32 so the UIs share these types.
//!
//! The shape is event-sourced: [`decide::decide`] turns a command into events or refuses it;
//! [`hall::HallState::apply`] folds events into state. Replaying the log rebuilds the same state.

pub mod appointment;
pub mod case;
pub mod config;
pub mod decide;
pub mod error;
pub mod estimate;
pub mod event;
pub mod guide;
pub mod hall;
pub mod idcard;
pub mod ids;
pub mod routing;
pub mod ticket;
pub mod time;

pub use config::{CityConfig, Config};
pub use decide::{Command, decide};
pub use error::DomainError;
pub use event::{Actor, Event, EventBody};
pub use hall::{CityState, HallState};
pub use time::{BusinessDay, Millis};
