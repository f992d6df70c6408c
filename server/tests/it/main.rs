//! The node's integration tests: a real node on a real socket (HTTP, SSE, WebSockets) with a real
//! SQLite file and a clock the test controls, through the node's test kit (`node-testkit`). One module
//! per area, one test binary for them all: every test binary links the whole server, so one link
//! instead of seventeen. Run one area with e.g. `cargo test -p server --test it -- lawyer::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod appointments;
mod citizen_codes;
mod counter;
mod edge_sync;
mod enrollment_letters;
mod federation;
mod feed_ops;
mod kiosk_api;
mod kiosk_cases;
mod lawyer;
mod lifecycle;
mod node_roles;
mod privacy_audit;
mod routing;
mod security;
mod sync;
mod sync_model;
