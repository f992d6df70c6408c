//! Installing a configuration version (first start, the demo, an administrator's replacement, the
//! city's push to a hall).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use domain::{CityConfig, Config};

use crate::error::NodeError;
use crate::node::Node;
use crate::store::Record;

/// Validates and installs a configuration; returns its version. A configuration that fails validation
/// changes nothing. Every staff session ends (roles and halls may have changed).
pub async fn install_config(node: &Node, actor: domain::Actor, data: CityConfig) -> Result<(i64, Config), NodeError> {
    let cfg = Config::new(data).map_err(|e| NodeError::invalid(&e.field, e.message))?;
    let body = serde_json::to_string(&cfg.data).map_err(|e| NodeError::internal(e.to_string()))?;
    let shared = &node.engine.shared;
    let version = shared.cfg_version.load(Ordering::SeqCst) + 1;
    node.engine
        .record(
            "",
            crate::engine::actor_str(&actor),
            Record::ConfigReplaced { version, body },
        )
        .await?;
    shared.cfg_version.store(version, Ordering::SeqCst);
    *shared.cfg.write() = Arc::new(cfg.clone());
    node.auth.forget_all_sessions();
    Ok((version, cfg))
}
