//! Following a hall's live feed (`text/event-stream`) and resuming after a drop: every reconnect sends
//! `Last-Event-ID`, so the server replays what was missed, and ids at or below the last one delivered
//! are dropped, so a replay never shows an event twice. The reconnect timer always re-arms; only the
//! shutdown future or the receiver going away ends it.

use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::backoff::{next_delay, random_jitter};
use crate::client::{ClientError, SyncClient};

/// One event of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// The server's log sequence (the SSE `id:`).
    pub id: i64,
    /// The event kind (the SSE `event:`), e.g. `ticket_called`.
    pub kind: String,
    /// The public JSON view of the event.
    pub data: serde_json::Value,
}

/// Whether the feed is connected, for the status chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedState {
    Connecting,
    Live,
    /// Dropped at `since_ms`; reconnecting.
    Dropped {
        since_ms: i64,
        error: String,
    },
}

/// Parses SSE blocks out of a byte stream (the server's `id:`/`event:`/`data:` lines; `:` comments are
/// keep-alives). Incomplete blocks wait for more bytes.
#[derive(Default)]
struct SseParser {
    buf: Vec<u8>,
}

impl SseParser {
    fn push(&mut self, bytes: &[u8]) -> Vec<FeedEvent> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(end) = find_block_end(&self.buf) {
            let block: Vec<u8> = self.buf.drain(..end.0 + end.1).collect();
            let text = String::from_utf8_lossy(&block[..end.0]);
            let (mut id, mut kind, mut data) = (None, String::new(), String::new());
            for line in text.lines() {
                if let Some(v) = field(line, "id") {
                    id = v.trim().parse::<i64>().ok();
                } else if let Some(v) = field(line, "event") {
                    kind = v.to_owned();
                } else if let Some(v) = field(line, "data") {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(v);
                }
            }
            if let Some(id) = id {
                let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data));
                out.push(FeedEvent { id, kind, data });
            }
        }
        out
    }
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?.strip_prefix(':')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The end of the first complete block: (its length, the separator's length).
fn find_block_end(buf: &[u8]) -> Option<(usize, usize)> {
    (0..buf.len()).find_map(|i| {
        if buf[i..].starts_with(b"\n\n") {
            Some((i, 2))
        } else if buf[i..].starts_with(b"\r\n\r\n") {
            Some((i, 4))
        } else {
            None
        }
    })
}

/// Follows `/api/v1/halls/{hall}/events` from after `last_id`, sending every event once and in order
/// to `tx`, until `shutdown` completes or `tx` is closed. Returns the last id delivered.
pub async fn follow_hall(
    client: Arc<SyncClient>,
    hall_id: &str,
    mut last_id: Option<i64>,
    tx: mpsc::Sender<FeedEvent>,
    state: watch::Sender<FeedState>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Option<i64> {
    tokio::pin!(shutdown);
    let path = hall_api::paths::hall_events(hall_id);
    let mut failures: u32 = 0;
    loop {
        let round = async {
            let resp = client.open_stream(&path, last_id).await?;
            state.send_replace(FeedState::Live);
            let mut parser = SseParser::default();
            let mut body = resp.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| ClientError::Unreachable(e.to_string()))?;
                for ev in parser.push(&chunk) {
                    if last_id.is_some_and(|l| ev.id <= l) {
                        continue;
                    }
                    let id = ev.id;
                    if tx.send(ev).await.is_err() {
                        return Ok(true);
                    }
                    last_id = Some(id);
                    failures = 0;
                }
            }
            Err(ClientError::Unreachable("the feed ended".into()))
        };
        let outcome: Result<bool, ClientError> = tokio::select! {
            r = round => r,
            () = &mut shutdown => return last_id,
        };
        match outcome {
            Ok(_) => return last_id,
            Err(e) => {
                failures = failures.saturating_add(1);
                state.send_replace(FeedState::Dropped {
                    since_ms: crate::store::now_ms(),
                    error: e.to_string(),
                });
                if tx.is_closed() {
                    return last_id;
                }
                let wait = next_delay(failures, random_jitter());
                tracing::debug!(error = %e, retry_in_ms = wait.as_millis() as u64, "live feed dropped");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = &mut shutdown => return last_id,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_parsed_across_chunk_boundaries_and_keepalives_ignored() {
        let mut p = SseParser::default();
        assert!(p.push(b": keep-alive\n\nid: 7\nevent: ticket_called\nda").is_empty());
        let evs = p.push(b"ta: {\"display\":\"A001\"}\n\nid: 8\r\nevent: x\r\ndata: 1\r\n\r\n");
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].id, 7);
        assert_eq!(evs[0].kind, "ticket_called");
        assert_eq!(evs[0].data["display"], "A001");
        assert_eq!((evs[1].id, evs[1].data.clone()), (8, serde_json::json!(1)));
    }
}
