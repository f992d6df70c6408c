//! The narrow handle every service and feature takes: the single writer, the reader, the sealer of
//! personal data, the blob store, the clock, and the stop signal. No HTTP, no configuration file.

use std::sync::Arc;

use crate::auth::AuthCache;
use crate::blobs::Blobs;
use crate::crypto::Sealer;
use crate::engine::{Clock, Engine};
use crate::error::NodeError;
use crate::store::{Reader, StoreError};

pub struct Node {
    /// The single writer (and the live state it keeps).
    pub engine: Engine,
    /// The node's queries; any number at once, beside the writer.
    pub reader: Arc<dyn Reader>,
    /// Seals and opens personal data (SM4-GCM).
    pub sealer: Sealer,
    pub blobs: Blobs,
    /// Sessions and devices already checked (forgotten when the configuration changes).
    pub auth: AuthCache,
    pub clock: Clock,
    /// When the process started (ms): device requests signed before it are refused as replays.
    pub started_at_ms: i64,
    /// Flips to true when the node stops, ending live streams and loops so shutdown is not held up.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl Node {
    /// Runs a blocking store call on a blocking thread, off the async threads.
    pub async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Reader) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, NodeError> {
        let reader = self.reader.clone();
        let joined = tokio::task::spawn_blocking(move || f(&*reader)).await;
        Ok(joined.map_err(|e| NodeError::internal(format!("query stopped: {e}")))??)
    }

    /// The node's time now (ms).
    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}
