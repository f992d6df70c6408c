//! The hall/city node: one binary, roles hall / city / all. See ARCHITECTURE.md for the map.

pub mod api;
pub mod app;
pub mod auth;
pub mod blobs;
pub mod bootstrap;
pub mod crypto;
pub mod demo;
pub mod engine;
pub mod error;
pub mod fault;
pub mod feed;
pub mod lawyer;
pub mod metrics;
pub mod node;
pub mod projection;
pub mod service;
pub mod store;
pub mod upstream;

pub use app::{Running, ServerConfig, start};
