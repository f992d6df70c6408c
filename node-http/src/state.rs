//! What the handlers share: the node, the lawyer platform, and the settings they need.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Hall node and city node in one process (the single-machine default).
    #[default]
    All,
    Hall,
    City,
}

/// The parts of the server's configuration that requests depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    pub role: Role,
    /// The data directory (reports are archived under it).
    pub data: PathBuf,
    /// What the city node calls this hall node.
    pub node_name: String,
    /// Hall role: the city node's base URL, if the hall is linked.
    pub upstream: Option<String>,
    /// Hall role, first start only: a `hall_node` enrollment code from the city admin.
    pub upstream_code: Option<String>,
}

pub struct AppState {
    pub node: Arc<node_core::node::Node>,
    pub config: Settings,
    /// The online-lawyer platform's live parts (word matcher, notifier, chat hub).
    pub lawyer: Arc<lawyer_platform::Lawyer>,
}

/// Handlers reach the node's parts (`app.engine`, `app.reader` …) directly.
impl std::ops::Deref for AppState {
    type Target = node_core::node::Node;
    fn deref(&self) -> &node_core::node::Node {
        &self.node
    }
}
