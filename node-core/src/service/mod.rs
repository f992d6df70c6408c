//! The node's use cases, called by the HTTP handlers, the start-up, the upstream link and the demo
//! alike. Each takes the [`Node`](crate::node::Node) and returns [`NodeError`](crate::error::NodeError).

pub mod access;
pub mod citizens;
pub mod config;
