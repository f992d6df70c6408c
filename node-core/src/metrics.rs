//! Prometheus metrics (text exposition at `/metrics`), one registry per server instance.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    pub commands: Family<CommandLabels, Counter>,
    pub events: Counter,
    pub batch_size: Histogram,
    pub commit_seconds: Histogram,
    pub http_requests: Family<HttpLabels, Counter>,
    pub feed_subscribers: Gauge,
    pub sync_pushed: Counter,
    pub sync_pulls: Counter,
    pub sync_blobs: Counter,
    /// Events of this hall node's log the city node has settled (hall role with an upstream).
    pub upstream_settled: Gauge,
    /// Events of this hall node's log still waiting to reach the city node.
    pub upstream_waiting: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("hall");
        let commands = Family::<CommandLabels, Counter>::default();
        let events = Counter::default();
        let batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        let commit_seconds = Histogram::new(exponential_buckets(0.0001, 2.0, 14));
        let http_requests = Family::<HttpLabels, Counter>::default();
        let feed_subscribers = Gauge::default();
        registry.register("commands", "Commands decided, by outcome", commands.clone());
        registry.register("events_appended", "Events appended to the log", events.clone());
        registry.register("commit_batch_size", "Commands per group commit", batch_size.clone());
        registry.register(
            "commit_seconds",
            "Time to commit one batch (incl. fsync)",
            commit_seconds.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by method and status",
            http_requests.clone(),
        );
        registry.register(
            "feed_subscribers",
            "Open live-feed connections",
            feed_subscribers.clone(),
        );
        let sync_pushed = Counter::default();
        let sync_pulls = Counter::default();
        let sync_blobs = Counter::default();
        let upstream_settled = Gauge::default();
        let upstream_waiting = Gauge::default();
        registry.register(
            "sync_pushed_events",
            "Events received in sync pushes",
            sync_pushed.clone(),
        );
        registry.register("sync_pulls", "Sync pull requests served", sync_pulls.clone());
        registry.register(
            "sync_blobs_completed",
            "Blobs fully uploaded and verified",
            sync_blobs.clone(),
        );
        registry.register(
            "upstream_settled_seq",
            "Highest log sequence the city node has settled",
            upstream_settled.clone(),
        );
        registry.register(
            "upstream_waiting_events",
            "Log events not yet settled by the city node",
            upstream_waiting.clone(),
        );
        Metrics {
            sync_pushed,
            sync_pulls,
            sync_blobs,
            upstream_settled,
            upstream_waiting,
            registry,
            commands,
            events,
            batch_size,
            commit_seconds,
            http_requests,
            feed_subscribers,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
