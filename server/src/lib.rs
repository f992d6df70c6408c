//! The hall/city node: one binary, roles hall / city / all. See ARCHITECTURE.md for the map. This crate
//! is the assembly (configuration, start-up, the upstream link, the demo); the node is `node-core`,
//! the lawyer platform `lawyer-platform`, the HTTP API `node-http`, re-exported here under the names
//! the tests and tools use.

pub mod app;
pub mod bootstrap;
pub mod demo;
pub mod upstream;

pub use lawyer_platform as lawyer;
pub use node_core::{auth, blobs, crypto, engine, feed, metrics, node, projection, service, store};
pub use node_http as api;
pub use node_http::error;

pub use app::{Running, ServerConfig, start};
