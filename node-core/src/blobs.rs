//! Content-addressed blobs (scans, evaluation photos, recordings): uploaded in chunks that resume where
//! the last one stopped, verified against their SM3 digest on arrival, kept sealed (SM4-GCM) on disk
//! because scans show ID cards. Files, not database rows: `DATA/blobs/partial/<digest>` while arriving,
//! `DATA/blobs/<first two hex>/<digest>.sm4` once complete. A write is fsynced before it is
//! acknowledged, so an acknowledged byte is never asked for again.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use protocol::sync::BlobStatus;

use crate::crypto::Sealer;

/// Largest blob accepted (a scan set or a short counter recording; held in memory to verify and seal).
pub const MAX_BLOB: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("digest: expected 64 lowercase hex characters (SM3)")]
    BadDigest,
    #[error("total: expected 1 to {MAX_BLOB} bytes")]
    BadTotal,
    #[error("offset {offset} is not where the upload stands ({received} bytes received); ask the status and resume")]
    OffsetMismatch { offset: u64, received: u64 },
    #[error("the chunk would go past the announced total of {total} bytes")]
    TooLong { total: u64 },
    #[error("the received bytes do not have SM3 digest {digest}; the partial upload was discarded")]
    DigestMismatch { digest: String },
    #[error("blob storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("blob {0} cannot be opened with this node's key")]
    Sealed(String),
}

pub struct Blobs {
    root: PathBuf,
    sealer: Sealer,
    /// One upload step at a time: chunks are small and disks are the limit, and it keeps two
    /// uploads of the same digest from interleaving their appends.
    lock: tokio::sync::Mutex<()>,
}

pub fn valid_digest(d: &str) -> bool {
    d.len() == 64 && d.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

impl Blobs {
    pub fn new(data: &Path, sealer: Sealer) -> Blobs {
        Blobs {
            root: data.join("blobs"),
            sealer,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    fn partial(&self, digest: &str) -> PathBuf {
        self.root.join("partial").join(digest)
    }

    fn complete(&self, digest: &str) -> PathBuf {
        self.root.join(&digest[..2]).join(format!("{digest}.sm4"))
    }

    pub async fn status(&self, digest: &str) -> Result<BlobStatus, BlobError> {
        if !valid_digest(digest) {
            return Err(BlobError::BadDigest);
        }
        let _g = self.lock.lock().await;
        self.status_locked(digest)
    }

    fn status_locked(&self, digest: &str) -> Result<BlobStatus, BlobError> {
        let complete = self.complete(digest).exists();
        let received = if complete {
            0
        } else {
            match std::fs::metadata(self.partial(digest)) {
                Ok(m) => m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
                Err(e) => return Err(e.into()),
            }
        };
        Ok(BlobStatus {
            digest: digest.to_owned(),
            received,
            complete,
        })
    }

    /// Appends `chunk` at `offset`; when `total` bytes have arrived, verifies and seals the blob.
    pub async fn put(&self, digest: &str, offset: u64, total: u64, chunk: &[u8]) -> Result<BlobStatus, BlobError> {
        if !valid_digest(digest) {
            return Err(BlobError::BadDigest);
        }
        if total == 0 || total > MAX_BLOB {
            return Err(BlobError::BadTotal);
        }
        let _g = self.lock.lock().await;
        let now = self.status_locked(digest)?;
        if now.complete {
            // Already here (another device, or a retry after a lost answer): nothing to do.
            return Ok(BlobStatus { received: total, ..now });
        }
        if offset != now.received {
            return Err(BlobError::OffsetMismatch {
                offset,
                received: now.received,
            });
        }
        let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        if offset.saturating_add(len) > total {
            return Err(BlobError::TooLong { total });
        }
        let partial = self.partial(digest);
        let digest_owned = digest.to_owned();
        let complete = self.complete(digest);
        let sealer = self.sealer.clone();
        let chunk = chunk.to_vec();
        tokio::task::spawn_blocking(move || -> Result<BlobStatus, BlobError> {
            if let Some(dir) = partial.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&partial)?;
            f.write_all(&chunk)?;
            f.sync_data()?;
            let received = f.metadata()?.len();
            if received < total {
                return Ok(BlobStatus {
                    digest: digest_owned,
                    received,
                    complete: false,
                });
            }
            let bytes = std::fs::read(&partial)?;
            if protocol::sign::sm3_hex(&bytes) != digest_owned {
                std::fs::remove_file(&partial)?;
                return Err(BlobError::DigestMismatch { digest: digest_owned });
            }
            let sealed = sealer.seal_bytes(&bytes);
            if let Some(dir) = complete.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = complete.with_extension("tmp");
            let mut out = std::fs::File::create(&tmp)?;
            out.write_all(&sealed)?;
            out.sync_all()?;
            std::fs::rename(&tmp, &complete)?;
            if let Some(dir) = complete.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            std::fs::remove_file(&partial)?;
            Ok(BlobStatus {
                digest: digest_owned,
                received,
                complete: true,
            })
        })
        .await
        .map_err(|e| BlobError::Io(std::io::Error::other(e.to_string())))?
    }

    /// The blob's bytes, opened; `None` when it has not (fully) arrived.
    pub async fn get(&self, digest: &str) -> Result<Option<Vec<u8>>, BlobError> {
        if !valid_digest(digest) {
            return Err(BlobError::BadDigest);
        }
        let path = self.complete(digest);
        let raw = match tokio::fs::read(&path).await {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        self.sealer
            .open_bytes(&raw)
            .map(Some)
            .map_err(|_| BlobError::Sealed(digest.to_owned()))
    }
}
