//! The hall/city node without HTTP (see ARCHITECTURE.md, `node-core/`). [`node::Node`] is the narrow
//! handle the services and features take; [`error::NodeError`] what they return. Features plug in
//! through [`store::ModuleRecord`], [`store::schema::Migration`] and [`store::sqlite::SqliteReader::with`];
//! nothing here names one.

pub mod auth;
pub mod blobs;
pub mod crypto;
pub mod engine;
pub mod error;
pub mod feed;
pub mod metrics;
pub mod node;
pub mod projection;
pub mod service;
pub mod store;
