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
        Metrics {
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
