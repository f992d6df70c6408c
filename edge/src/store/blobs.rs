//! Blobs (scans, photos, recordings) waiting for a resumable upload. The file is named by its hex SM3
//! digest and is written fully and fsync'd before its row exists; it is deleted only after upstream
//! confirmed the whole blob arrived with a matching digest.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction, params};

use super::{EdgeStore, StoreError, now_ms};

/// A temporary file older than this is left over from a crash while writing.
const STALE_TEMP: Duration = Duration::from_secs(3600);
const TEMP_SUFFIX: &str = ".tmp";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRecord {
    /// Hex SM3 digest of the whole blob.
    pub digest: String,
    pub size: u64,
    /// Where the bytes are.
    pub path: PathBuf,
    pub created_at: i64,
}

impl EdgeStore {
    /// Saves `bytes` as a blob to upload and returns its hex SM3 digest. Saving the same bytes twice
    /// stores them once.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let digest = protocol::sign::sm3_hex(bytes);
        let uploaded: Option<bool> = self.read(|c| {
            Ok(
                c.query_row("SELECT uploaded FROM blobs WHERE digest = ?1", [&digest], |r| r.get(0))
                    .optional()?,
            )
        })?;
        if uploaded == Some(true) {
            // Upstream has it already; nothing to keep locally.
            return Ok(digest);
        }
        // File first, row second: a crash in between leaves an orphan file (rewritten by the next put
        // of the same bytes), never a row without its bytes.
        write_durably(self.blob_dir(), &digest, bytes)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO blobs (digest, size, path, uploaded, created_at) VALUES (?1, ?2, ?1, 0, ?3)",
                params![digest, i64::try_from(size).unwrap_or(i64::MAX), now_ms()],
            )?;
            Ok(())
        })?;
        self.wake_syncer();
        Ok(digest)
    }

    /// Blobs not yet confirmed uploaded, oldest first.
    pub fn pending_blobs(&self) -> Result<Vec<BlobRecord>, StoreError> {
        let dir = self.blob_dir().to_path_buf();
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT digest, size, path, created_at FROM blobs WHERE uploaded = 0 ORDER BY created_at, digest",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(BlobRecord {
                    digest: r.get(0)?,
                    size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    path: dir.join(r.get::<_, String>(2)?),
                    created_at: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn waiting_blobs(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM blobs WHERE uploaded = 0", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Up to `len` bytes of a pending blob from `offset`.
    pub fn read_blob_chunk(&self, digest: &str, offset: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        let path = self.blob_path(digest)?;
        let mut file = std::fs::File::open(&path).map_err(|e| StoreError::io(&path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| StoreError::io(&path, e))?;
        let mut buf = Vec::with_capacity(len);
        file.take(u64::try_from(len).unwrap_or(u64::MAX))
            .read_to_end(&mut buf)
            .map_err(|e| StoreError::io(&path, e))?;
        Ok(buf)
    }

    /// Whether the local file still hashes to its digest (a disk can corrupt it; then re-sending it
    /// can never succeed and people must be told).
    pub fn blob_intact(&self, digest: &str) -> Result<bool, StoreError> {
        let path = self.blob_path(digest)?;
        let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
        Ok(protocol::sign::sm3_hex(&bytes) == digest)
    }

    /// Records that upstream confirmed the whole blob, then deletes the local file. Returns whether the
    /// blob was pending.
    pub fn mark_blob_uploaded(&self, digest: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let path: Option<String> = self.write(|tx| {
            let path: Option<String> = tx
                .query_row(
                    "SELECT path FROM blobs WHERE digest = ?1 AND uploaded = 0",
                    [digest],
                    |r| r.get(0),
                )
                .optional()?;
            if path.is_some() {
                tx.execute(
                    "UPDATE blobs SET uploaded = 1, uploaded_at = ?2 WHERE digest = ?1",
                    params![digest, now],
                )?;
            }
            Ok(path)
        })?;
        // After the commit: had we deleted first, a crash could leave a pending row without its file.
        // A crash right here leaves a file that `prune` removes.
        if let Some(name) = &path {
            remove_file_quietly(&self.blob_dir().join(name));
        }
        Ok(path.is_some())
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf, StoreError> {
        let name: Option<String> = self.read(|c| {
            Ok(
                c.query_row("SELECT path FROM blobs WHERE digest = ?1", [digest], |r| r.get(0))
                    .optional()?,
            )
        })?;
        name.map(|n| self.blob_dir().join(n))
            .ok_or_else(|| StoreError::Invalid(format!("no blob {digest} in the store")))
    }
}

/// Deletes rows of blobs uploaded before `before`, and returns the file names of every uploaded blob
/// (their files should be gone already; a crash may have left some) for the caller to remove after
/// the commit.
pub(crate) fn prune_uploaded_in(tx: &Transaction<'_>, before: i64) -> Result<Vec<String>, StoreError> {
    let names = {
        let mut stmt = tx.prepare_cached("SELECT path FROM blobs WHERE uploaded = 1")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?
    };
    tx.execute("DELETE FROM blobs WHERE uploaded = 1 AND uploaded_at < ?1", [before])?;
    Ok(names)
}

pub(crate) fn remove_file_quietly(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        // Leaving a file behind costs disk space, not correctness; the next prune tries again.
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not remove blob file"),
    }
}

/// Removes temporary files a crash left behind while writing a blob.
pub(crate) fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_temp = entry.file_name().to_string_lossy().ends_with(TEMP_SUFFIX);
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP);
        if is_temp && stale {
            remove_file_quietly(&entry.path());
        }
    }
}

/// Writes `bytes` to `dir/name` so that the file is either absent or complete: temporary file, fsync,
/// rename, fsync of the directory (so the rename itself survives a power cut).
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = dir.join(format!(
        ".{name}.{}{TEMP_SUFFIX}",
        hex::encode(rand::random::<[u8; 8]>())
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        remove_file_quietly(&tmp);
    }
    result.map_err(|e| StoreError::io(&dir.join(name), e))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a directory as a file; NTFS journals the rename itself.
    Ok(())
}
