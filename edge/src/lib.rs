//! The device side of offline-first sync, shared by every app's shell (kiosk, window terminal,
//! evaluator) and by a hall node forwarding to its city node:
//!
//! - [`store::EdgeStore`] — the durable local state: outbox, configuration replica, pulled changes,
//!   offline ticket series, blobs, cursors and identity (one SQLite file, crash-safe);
//! - [`client::SyncClient`] — the signed HTTP client of the sync API;
//! - [`syncer::Syncer`] — the retry loop and the status people see;
//! - [`offline::issue_ticket`] — a kiosk's ticket while the hall node is unreachable.
//!
//! The protocol itself (push rules, message shapes, signatures) lives in the `protocol` crate.

pub mod backoff;
pub mod client;
pub mod feed;
pub mod health;
pub mod offline;
pub mod status;
pub mod store;
pub mod syncer;

pub use client::{ClientConfig, ClientError, Enrollment, SyncClient};
pub use offline::{OfflineIssue, OfflineTarget, OfflineTicketIssued, issue_ticket};
pub use status::{SyncState, SyncStatus, Upstream};
pub use store::{EdgeStore, Identity, StoreError, StoreOptions};
pub use syncer::{SyncError, SyncReport, Syncer, SyncerConfig};
