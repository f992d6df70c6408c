//! The three phases of a round: blob uploads, outbox push, pull.

use protocol::sync::{BLOB_CHUNK, BlobStatus, OutboxEvent, PushRequest};

use super::{Inner, SyncError, SyncReport};
use crate::client::ClientError;
use crate::store::BlobRecord;

/// Offset disagreements tolerated per blob and round (each one is answered by asking the status).
const MAX_OFFSET_MISMATCHES: u32 = 3;
/// Gap heals per push phase. One is what a restored upstream needs; a second covers a restore racing
/// the first heal. More means upstream and we disagree in a way re-sending does not fix.
const MAX_HEALS: u32 = 2;
/// Upstream takes request bodies up to 1 MiB; a batch's events stay under this, leaving room for the
/// envelope. (Single events are at most `MAX_PAYLOAD_BYTES`, so every event fits in some batch.)
pub(super) const MAX_PUSH_BYTES: usize = 900 * 1024;

/// The longest prefix of `events` whose JSON stays under [`MAX_PUSH_BYTES`] (at least one event).
pub(super) fn fit_batch(mut events: Vec<OutboxEvent>) -> Vec<OutboxEvent> {
    let mut total = 0usize;
    let mut keep = 0;
    for e in &events {
        let size = serde_json::to_vec(e).map_or(usize::MAX, |v| v.len());
        if keep > 0 && total.saturating_add(size) > MAX_PUSH_BYTES {
            break;
        }
        total = total.saturating_add(size);
        keep += 1;
    }
    events.truncate(keep);
    events
}

impl Inner {
    pub(super) async fn upload_blobs(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let blobs = self.blocking(|s| s.pending_blobs()).await?;
        let mut first_error = None;
        for blob in blobs {
            match self.upload_blob(&blob).await {
                Ok(()) => report.blobs_uploaded += 1,
                Err(e) if e.ends_round() => return Err(e),
                // One bad blob must not hold back the others.
                Err(e) => {
                    tracing::warn!(digest = %blob.digest, error = %e, "blob upload failed");
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Uploads one blob from wherever upstream's copy ends (resumable across rounds and restarts).
    async fn upload_blob(&self, blob: &BlobRecord) -> Result<(), SyncError> {
        let digest = blob.digest.clone();
        let mut status = self.client.blob_status(&digest).await?;
        let mut restarted = false;
        let mut mismatches = 0;
        loop {
            if status.complete {
                let d = digest.clone();
                self.blocking(move |s| s.mark_blob_uploaded(&d)).await?;
                return Ok(());
            }
            let offset = status.received;
            if offset >= blob.size {
                return Err(ClientError::Protocol(format!(
                    "upstream holds all {} bytes of blob {digest} but does not call it complete",
                    blob.size
                ))
                .into());
            }
            let len = usize::try_from(blob.size - offset)
                .unwrap_or(usize::MAX)
                .min(BLOB_CHUNK);
            let d = digest.clone();
            let chunk = self.blocking(move |s| s.read_blob_chunk(&d, offset, len)).await?;
            if chunk.len() != len {
                return Err(crate::store::StoreError::Invalid(format!(
                    "local file of blob {digest} is shorter than its recorded {} bytes",
                    blob.size
                ))
                .into());
            }
            match self.client.put_blob_chunk(&digest, offset, blob.size, chunk).await {
                Ok(next) => {
                    if !next.complete && next.received <= offset {
                        return Err(ClientError::Protocol(format!(
                            "blob {digest}: upstream took the chunk at {offset} but reports {} bytes",
                            next.received
                        ))
                        .into());
                    }
                    status = next;
                }
                // Upstream has another offset than it told us (another upload raced, or it restarted):
                // ask again and go on from there.
                Err(e) if e.code() == Some("offset_mismatch") && mismatches < MAX_OFFSET_MISMATCHES => {
                    mismatches += 1;
                    status = self.client.blob_status(&digest).await?;
                }
                // Upstream discarded what it had: the bytes it got do not hash to the digest.
                Err(e) if e.code() == Some("digest_mismatch") => {
                    let d = digest.clone();
                    let intact = self.blocking(move |s| s.blob_intact(&d)).await?;
                    if !intact {
                        return Err(SyncError::BlobRejected {
                            digest,
                            detail: "the local copy is damaged",
                        });
                    }
                    if restarted {
                        return Err(SyncError::BlobRejected {
                            digest,
                            detail: "the local copy is intact; the transfer corrupts it",
                        });
                    }
                    tracing::warn!(%digest, "upstream discarded a blob with a wrong digest; sending it again from 0");
                    restarted = true;
                    status = BlobStatus {
                        digest: digest.clone(),
                        received: 0,
                        complete: false,
                    };
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Pushes every waiting event, in order, in batches, healing a gap upstream reports when the
    /// events it needs are still here.
    pub(super) async fn push_all(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let batch_size = self.config.push_batch;
        let mut heals = 0;
        loop {
            let events = fit_batch(self.blocking(move |s| s.pending(batch_size)).await?);
            let Some(head) = events.first().map(|e| e.seq) else {
                return Ok(());
            };
            let sent = events.len();
            let request = PushRequest {
                producer: self.client.device_id().to_owned(),
                events,
            };
            match self.client.push(&request).await {
                Ok(response) => {
                    let counts = self.blocking(move |s| s.settle(&response)).await?;
                    report.pushed += u64::try_from(sent).unwrap_or(0);
                    report.applied += counts.applied;
                    report.rejected += counts.rejected;
                    report.duplicates += counts.duplicates;
                    if counts.settled == 0 {
                        // Nothing moved: pushing the same batch again would loop forever.
                        return Err(ClientError::Protocol(format!(
                            "push from event {head} was answered without a result for any of its events"
                        ))
                        .into());
                    }
                }
                Err(ClientError::Gap { expected }) if heals < MAX_HEALS => {
                    heals += 1;
                    // Upstream lost events it had settled. Mark them waiting again (or learn that they
                    // were pruned: a gap that cannot heal) and push again from there.
                    let unsettled = self.blocking(move |s| s.unsettle_from(expected)).await?;
                    tracing::warn!(expected, head, unsettled, "upstream lost settled events; re-sending");
                    if unsettled == 0 {
                        return Err(ClientError::Protocol(format!(
                            "upstream expects event {expected}, yet every event from there was being sent"
                        ))
                        .into());
                    }
                    report.healed += unsettled;
                }
                Err(e) => {
                    let message = e.to_string();
                    // Diagnostics only; the rows stay waiting and the next round sends them again.
                    if let Err(store_err) = self.blocking(move |s| s.note_failure(&message, sent)).await {
                        tracing::warn!(error = %store_err, "could not note the push failure");
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// Pulls pages until upstream's head; returns the `producer_last_seq` of the last page.
    pub(super) async fn pull_all(&self, report: &mut SyncReport) -> Result<i64, SyncError> {
        let limit = self.config.pull_limit;
        loop {
            let (cursor, config_version) = self.blocking(|s| Ok((s.cursor()?, s.config_version()?))).await?;
            let page = self.client.pull(cursor, config_version, limit).await?;
            let (next, head, upstream_last_seq) = (page.next, page.head, page.producer_last_seq);
            let applied = self.blocking(move |s| s.apply_pull(&page)).await?;
            report.pulled += applied.stored;
            if applied.config_version.is_some() {
                report.config_version = applied.config_version;
            }
            if applied.regressed {
                tracing::warn!(cursor, next, head, "pull page ends behind our cursor; ignored");
                report.cursor_regressions += 1;
            }
            if next >= head {
                return Ok(upstream_last_seq);
            }
            if next <= cursor {
                // More is said to wait but the page did not move: stop rather than spin; the next
                // round asks again.
                tracing::warn!(cursor, next, head, "pull page made no progress");
                return Ok(upstream_last_seq);
            }
        }
    }
}
