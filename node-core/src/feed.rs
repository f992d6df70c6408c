//! The live feed: committed events as Server-Sent Events, per hall and city-wide, resumable with
//! `Last-Event-ID`. The writer only pushes into a bounded ring and a broadcast channel, so a slow
//! subscriber never slows it: a subscriber that falls behind catches up from the ring or the database.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::store::{EventRow, Reader};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeedItem {
    pub seq: i64,
    pub hall_id: String,
    pub kind: String,
    /// JSON with no personal data.
    pub data: String,
}

impl FeedItem {
    pub fn from_row(r: EventRow) -> Option<FeedItem> {
        Some(FeedItem {
            seq: r.seq,
            hall_id: r.hall_id,
            kind: r.kind,
            data: r.public?,
        })
    }
}

pub struct Feed {
    tx: broadcast::Sender<Arc<FeedItem>>,
    ring: Mutex<VecDeque<Arc<FeedItem>>>,
    capacity: usize,
}

impl Feed {
    pub fn new(capacity: usize) -> Feed {
        let (tx, _) = broadcast::channel(4096);
        Feed {
            tx,
            ring: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Called by the writer after a commit, in sequence order.
    pub fn publish(&self, items: Vec<FeedItem>) {
        if items.is_empty() {
            return;
        }
        let items: Vec<Arc<FeedItem>> = items.into_iter().map(Arc::new).collect();
        {
            let mut ring = self.ring.lock();
            for it in &items {
                if ring.len() == self.capacity {
                    ring.pop_front();
                }
                ring.push_back(it.clone());
            }
        }
        for it in items {
            // No subscribers is fine.
            let _ = self.tx.send(it);
        }
    }

    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Items after `after` from the ring, if the ring still holds everything after it.
    fn ring_after(&self, after: i64, hall: Option<&str>) -> Option<Vec<Arc<FeedItem>>> {
        let ring = self.ring.lock();
        let oldest = ring.front().map(|i| i.seq)?;
        if oldest > after + 1 {
            return None;
        }
        Some(
            ring.iter()
                .filter(|i| i.seq > after && hall.is_none_or(|h| i.hall_id == h))
                .cloned()
                .collect(),
        )
    }

    /// A stream of items after `after` (only new ones when `None`), filtered to one hall if given.
    pub fn subscribe(
        self: &Arc<Self>,
        after: Option<i64>,
        hall: Option<String>,
        reader: Arc<dyn Reader>,
    ) -> impl futures_util::Stream<Item = Arc<FeedItem>> + Send + use<> {
        // Subscribe before reading the backlog, so nothing committed in between is missed; duplicates
        // are dropped by sequence number.
        let sub = Subscription {
            feed: self.clone(),
            rx: self.tx.subscribe(),
            last: after,
            pending: VecDeque::new(),
            reader,
            hall,
            needs_backlog: after.is_some(),
        };
        futures_util::stream::unfold(sub, |mut s| async move {
            if s.needs_backlog {
                s.needs_backlog = false;
                let from = s.last.unwrap_or(0);
                let items = s.feed.history(from, i64::MAX, s.hall.as_deref(), &s.reader).await;
                s.pending.extend(items);
            }
            loop {
                if let Some(item) = s.pending.pop_front() {
                    if s.last.is_none_or(|l| item.seq > l) {
                        s.last = Some(item.seq);
                        return Some((item, s));
                    }
                    continue;
                }
                match s.rx.recv().await {
                    Ok(item) => {
                        match s.last {
                            Some(l) if item.seq <= l => continue,
                            Some(l) if item.seq > l + 1 => {
                                // Missed items (other halls' are skipped below): fill from history.
                                let items = s.feed.history(l, item.seq, s.hall.as_deref(), &s.reader).await;
                                s.pending.extend(items);
                            }
                            _ => {}
                        }
                        if s.hall.as_deref().is_none_or(|h| item.hall_id == h) {
                            s.pending.push_back(item);
                        } else if s.pending.is_empty() {
                            s.last = Some(item.seq);
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the channel: catch up from history, then continue live.
                        if let Some(l) = s.last {
                            let items = s.feed.history(l, i64::MAX, s.hall.as_deref(), &s.reader).await;
                            s.pending.extend(items);
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }

    /// Items with `after < seq < before` of one hall (or all): from the ring, else from the database.
    async fn history(
        &self,
        after: i64,
        before: i64,
        hall: Option<&str>,
        reader: &Arc<dyn Reader>,
    ) -> Vec<Arc<FeedItem>> {
        if let Some(items) = self.ring_after(after, hall) {
            return items.into_iter().filter(|i| i.seq < before).collect();
        }
        let reader = reader.clone();
        let hall = hall.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let mut cursor = after;
            loop {
                let Ok(rows) = reader.events_after(cursor, hall.as_deref(), 1000) else {
                    break;
                };
                let n = rows.len();
                for r in rows {
                    cursor = r.seq;
                    if r.seq >= before {
                        return out;
                    }
                    if let Some(it) = FeedItem::from_row(r) {
                        out.push(Arc::new(it));
                    }
                }
                if n < 1000 {
                    break;
                }
            }
            out
        })
        .await
        .unwrap_or_default()
    }
}

struct Subscription {
    feed: Arc<Feed>,
    rx: broadcast::Receiver<Arc<FeedItem>>,
    last: Option<i64>,
    pending: VecDeque<Arc<FeedItem>>,
    reader: Arc<dyn Reader>,
    hall: Option<String>,
    needs_backlog: bool,
}
