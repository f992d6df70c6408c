//! `EdgeStore`: everything a device must not lose, in one SQLite file (WAL, `synchronous=FULL`, so a
//! commit is on disk when it returns) plus a directory of blob files.
//!
//! Every operation that changes more than one row runs in one `IMMEDIATE` transaction, and nothing the
//! sync relies on lives only in memory: a `kill -9` at any point leaves either the old or the new state.

mod blobs;
mod outbox;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use protocol::sync::{Change, PullResponse};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use tokio::sync::Notify;

pub use blobs::BlobRecord;
pub(crate) use outbox::append_in;
pub use outbox::{MAX_PAYLOAD_BYTES, OutboxEntry, SettleCounts, Settlement};

/// How long settled outbox rows are kept, so that an upstream restored from a backup can be re-sent
/// what it lost.
pub const DEFAULT_OUTBOX_RETENTION_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How many pulled changes are kept (the most recent ones).
pub const DEFAULT_CHANGES_KEPT: u32 = 50_000;

const DB_FILE: &str = "edge.sqlite3";
const BLOB_DIR: &str = "blobs";

// Keys of `sync_state`.
const KEY_CURSOR: &str = "pull_cursor";
const KEY_PRODUCER_LAST_SEQ: &str = "producer_last_seq";
/// The highest outbox sequence ever assigned. Kept apart from the rows because pruning may delete
/// every row, and a sequence must never be handed out twice (upstream would answer `duplicate` with
/// another event's result).
const KEY_OUTBOX_LAST_SEQ: &str = "outbox_last_seq";
const KEY_DEVICE_ID: &str = "device_id";
const KEY_HALL_ID: &str = "hall_id";
const KEY_DEVICE_KEY: &str = "device_key";
const KEY_DEVICE_KIND: &str = "device_kind";
const KEY_LETTER: &str = "letter";
const KEY_UPSTREAM: &str = "upstream";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("local file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("stored JSON in {what}: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("local database schema version {found} is newer than this build knows ({known}); upgrade the software")]
    TooNew { found: i64, known: i64 },
    /// Upstream lost events it had settled (restored from a backup) and some of them are no longer
    /// here either (pruned after the retention period). Re-sending cannot fix it; people must.
    #[error(
        "gap that cannot heal: upstream expects event {expected} again, but this device only keeps events \
         from {oldest_kept} (older ones were pruned after the retention period)"
    )]
    GapCannotHeal { expected: i64, oldest_kept: i64 },
    /// Upstream knows more of this producer's events than this store ever made: the store was replaced
    /// (reinstalled, restored, or the identity copied to another device). Pushing on would collide.
    #[error(
        "upstream has settled events up to {upstream} from this device, but this store has only made {local}: \
         the local store was replaced; re-enroll the device"
    )]
    StoreReplaced { upstream: i64, local: i64 },
    /// Upstream's result for a sequence names another event than ours.
    #[error("upstream's result for event {seq} is for event {theirs}, not {ours}: the local store was replaced")]
    IdMismatch { seq: i64, ours: String, theirs: String },
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Tunables; the defaults are what production uses.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub outbox_retention_ms: i64,
    pub changes_kept: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            outbox_retention_ms: DEFAULT_OUTBOX_RETENTION_MS,
            changes_kept: DEFAULT_CHANGES_KEPT,
        }
    }
}

/// Who this device is, saved at enrollment.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    pub device_id: String,
    pub hall_id: String,
    /// Hex of the 32-byte signing key.
    pub key_hex: String,
    /// `kiosk`, `window`, `evaluator`, `hall_node` … as the enrollment answered.
    pub kind: String,
    /// The kiosk's own ticket letter, when it has one.
    pub letter: Option<char>,
    /// Base URL of the node this device syncs with, e.g. `http://10.0.0.2:8080`.
    pub upstream: String,
}

impl std::fmt::Debug for Identity {
    // The key never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("device_id", &self.device_id)
            .field("hall_id", &self.hall_id)
            .field("key_hex", &"<redacted>")
            .field("kind", &self.kind)
            .field("letter", &self.letter)
            .field("upstream", &self.upstream)
            .finish()
    }
}

/// What one pull page did to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullApplied {
    /// Changes stored (those after the cursor).
    pub stored: u64,
    /// A newer configuration version that was stored.
    pub config_version: Option<i64>,
    /// The cursor after the page.
    pub cursor: i64,
    /// The page's `next` was behind our cursor (upstream went back in time); nothing moved back.
    pub regressed: bool,
}

/// What `prune` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub outbox: u64,
    pub changes: u64,
    pub blobs: u64,
}

struct Inner {
    conn: Mutex<Connection>,
    blob_dir: PathBuf,
    options: StoreOptions,
    /// Woken after anything the syncer should send (outbox event, blob) was committed.
    outbox_changed: Notify,
}

/// The device's durable state. Cheap to clone (shared); safe to use from several threads. Calls block
/// on SQLite (and on fsync), so async code should call them from `spawn_blocking`.
#[derive(Clone)]
pub struct EdgeStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EdgeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeStore")
            .field("blob_dir", &self.inner.blob_dir)
            .finish()
    }
}

impl EdgeStore {
    /// Opens (creating and migrating if needed) the store in directory `dir`: `dir/edge.sqlite3` and
    /// `dir/blobs/`.
    pub fn open(dir: &Path) -> Result<EdgeStore, StoreError> {
        EdgeStore::open_with(dir, StoreOptions::default())
    }

    pub fn open_with(dir: &Path, options: StoreOptions) -> Result<EdgeStore, StoreError> {
        let blob_dir = dir.join(BLOB_DIR);
        std::fs::create_dir_all(&blob_dir).map_err(|e| StoreError::io(&blob_dir, e))?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut conn)?;
        Ok(EdgeStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                blob_dir,
                options,
                outbox_changed: Notify::new(),
            }),
        })
    }

    pub fn blob_dir(&self) -> &Path {
        &self.inner.blob_dir
    }

    /// Runs `f` in one `IMMEDIATE` transaction (the write lock is taken up front, so two writers never
    /// deadlock upgrading read locks); commits only if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.inner.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = self.inner.conn.lock();
        f(&conn)
    }

    /// Wakes the syncer: something new waits to be sent. Call after the commit, never before, so the
    /// syncer cannot look before the row is there.
    pub(crate) fn wake_syncer(&self) {
        // `notify_one` keeps a permit when nobody waits yet, so a wake-up is never lost.
        self.inner.outbox_changed.notify_one();
    }

    /// Completes when an outbox event or blob was added since the last call returned.
    pub async fn outbox_changed(&self) {
        self.inner.outbox_changed.notified().await;
    }

    // ---- configuration replica -------------------------------------------------------------------

    /// Stores configuration `version` if it is newer than what is held (older or equal versions are
    /// ignored: configuration only moves forward). Returns whether it was stored.
    pub fn set_config(&self, version: i64, body: &serde_json::Value) -> Result<bool, StoreError> {
        self.write(|tx| set_config_in(tx, version, body))
    }

    /// The newest configuration held, if any.
    pub fn config(&self) -> Result<Option<(i64, serde_json::Value)>, StoreError> {
        self.read(|c| {
            let row: Option<(i64, String)> = c
                .query_row(
                    "SELECT version, body FROM config ORDER BY version DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            row.map(|(v, body)| Ok((v, parse_json("config.body", &body)?)))
                .transpose()
        })
    }

    /// The version of the configuration held, 0 when none.
    pub fn config_version(&self) -> Result<i64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT COALESCE(MAX(version), 0) FROM config", [], |r| r.get(0))?))
    }

    // ---- pull cursor and upstream knowledge ------------------------------------------------------

    /// The pull cursor: changes up to here are stored.
    pub fn cursor(&self) -> Result<i64, StoreError> {
        self.read(|c| get_i64(c, KEY_CURSOR).map(|v| v.unwrap_or(0)))
    }

    /// Moves the cursor to `n` if that is forward; a smaller `n` is ignored (and logged), because a
    /// cursor that moves back re-delivers changes and, worse, hides that upstream went back in time.
    /// Returns whether it moved.
    pub fn advance_cursor(&self, n: i64) -> Result<bool, StoreError> {
        self.write(|tx| advance_cursor_in(tx, n))
    }

    /// The highest sequence upstream said it settled for us (from the last pull).
    pub fn producer_last_seq(&self) -> Result<i64, StoreError> {
        self.read(|c| get_i64(c, KEY_PRODUCER_LAST_SEQ).map(|v| v.unwrap_or(0)))
    }

    pub fn set_producer_last_seq(&self, n: i64) -> Result<(), StoreError> {
        self.write(|tx| set_value(tx, KEY_PRODUCER_LAST_SEQ, &n))
    }

    /// Stores one pull page in one transaction: the configuration (if newer), the changes after the
    /// cursor, the cursor (forward only) and upstream's `producer_last_seq`. Then keeps only the most
    /// recent changes.
    pub fn apply_pull(&self, page: &PullResponse) -> Result<PullApplied, StoreError> {
        let kept = i64::from(self.inner.options.changes_kept);
        self.write(|tx| {
            let cursor = get_i64(tx, KEY_CURSOR)?.unwrap_or(0);
            let mut applied = PullApplied {
                cursor,
                ..PullApplied::default()
            };
            if let Some(doc) = &page.config
                && set_config_in(tx, doc.version, &doc.body)?
            {
                applied.config_version = Some(doc.version);
            }
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO changes (seq, hall_id, kind, at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            // Only what lies beyond both the old cursor and is covered by the page's own `next`: a
            // change at or before the cursor was stored already (or belongs to a timeline upstream
            // abandoned).
            for ch in page.changes.iter().filter(|ch| ch.seq > cursor && ch.seq <= page.next) {
                let data = serde_json::to_string(&ch.data).map_err(|e| StoreError::Json {
                    what: "changes.data",
                    source: e,
                })?;
                applied.stored +=
                    u64::try_from(insert.execute(params![ch.seq, ch.hall_id, ch.kind, ch.at, data])?).unwrap_or(0);
            }
            if page.next < cursor {
                applied.regressed = true;
            }
            advance_cursor_in(tx, page.next)?;
            applied.cursor = cursor.max(page.next);
            set_value(tx, KEY_PRODUCER_LAST_SEQ, &page.producer_last_seq)?;
            prune_changes_in(tx, kept)?;
            Ok(applied)
        })
    }

    /// Stored changes with `seq > after`, ascending, at most `limit`: what an app folds into its view
    /// of the hall.
    pub fn changes_after(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, hall_id, kind, at, data FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, hall_id, kind, at, data) = row?;
                out.push(Change {
                    seq,
                    hall_id,
                    kind,
                    at,
                    data: parse_json("changes.data", &data)?,
                });
            }
            Ok(out)
        })
    }

    // ---- identity --------------------------------------------------------------------------------

    /// Saves the identity received at enrollment (all fields in one transaction).
    pub fn save_identity(&self, id: &Identity) -> Result<(), StoreError> {
        self.write(|tx| {
            set_value(tx, KEY_DEVICE_ID, &id.device_id)?;
            set_value(tx, KEY_HALL_ID, &id.hall_id)?;
            set_value(tx, KEY_DEVICE_KEY, &id.key_hex)?;
            set_value(tx, KEY_DEVICE_KIND, &id.kind)?;
            set_value(tx, KEY_LETTER, &id.letter.map(String::from))?;
            set_value(tx, KEY_UPSTREAM, &id.upstream)?;
            Ok(())
        })
    }

    /// The saved identity, `None` before enrollment.
    pub fn identity(&self) -> Result<Option<Identity>, StoreError> {
        self.read(|c| {
            let Some(device_id) = get_text(c, KEY_DEVICE_ID)? else {
                return Ok(None);
            };
            Ok(Some(Identity {
                device_id,
                hall_id: get_text(c, KEY_HALL_ID)?.unwrap_or_default(),
                key_hex: get_text(c, KEY_DEVICE_KEY)?.unwrap_or_default(),
                kind: get_text(c, KEY_DEVICE_KIND)?.unwrap_or_default(),
                letter: get_text(c, KEY_LETTER)?.and_then(|s| s.chars().next()),
                upstream: get_text(c, KEY_UPSTREAM)?.unwrap_or_default(),
            }))
        })
    }

    // ---- offline ticket series -------------------------------------------------------------------

    /// The next number of this device's own series for `queue_id` on `day` (1, 2, 3 …), committed
    /// before it is returned so that a crash after printing can never hand the same number out again.
    pub fn next_offline_number(&self, queue_id: &str, day: &str) -> Result<u32, StoreError> {
        self.write(|tx| next_offline_number_in(tx, queue_id, day))
    }

    // ---- housekeeping ----------------------------------------------------------------------------

    /// Deletes settled outbox rows older than the retention period, changes beyond the most recent
    /// ones kept, and uploaded blob rows (with any file a crash left behind). Unsettled rows and
    /// blobs not yet uploaded are never touched.
    pub fn prune(&self, now_ms: i64) -> Result<Pruned, StoreError> {
        let before = now_ms.saturating_sub(self.inner.options.outbox_retention_ms);
        let kept = i64::from(self.inner.options.changes_kept);
        let (outbox, changes, files) = self.write(|tx| {
            let outbox = tx.execute(
                "DELETE FROM outbox WHERE status IS NOT NULL AND settled_at < ?1",
                params![before],
            )?;
            let changes = prune_changes_in(tx, kept)?;
            let files = blobs::prune_uploaded_in(tx, before)?;
            Ok((outbox, changes, files))
        })?;
        // Files go after the commit: a row must never point at a file that is gone.
        for name in &files {
            blobs::remove_file_quietly(&self.inner.blob_dir.join(name));
        }
        blobs::remove_stale_temps(&self.inner.blob_dir);
        Ok(Pruned {
            outbox: u64::try_from(outbox).unwrap_or(0),
            changes,
            blobs: u64::try_from(files.len()).unwrap_or(0),
        })
    }
}

// ---- helpers shared by the submodules ------------------------------------------------------------

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn parse_json(what: &'static str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { what, source })
}

fn get_i64(c: &Connection, key: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?,
    )
}

fn get_text(c: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?
            .flatten(),
    )
}

fn set_value(tx: &Transaction<'_>, key: &str, value: &dyn rusqlite::ToSql) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn set_config_in(tx: &Transaction<'_>, version: i64, body: &serde_json::Value) -> Result<bool, StoreError> {
    let held: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) FROM config", [], |r| r.get(0))?;
    if version <= held {
        return Ok(false);
    }
    let text = serde_json::to_string(body).map_err(|source| StoreError::Json {
        what: "config.body",
        source,
    })?;
    tx.execute(
        "INSERT INTO config (version, body) VALUES (?1, ?2)",
        params![version, text],
    )?;
    // A replica needs only the newest version; older bodies (~1 MB each) would only fill the disk.
    tx.execute("DELETE FROM config WHERE version < ?1", [version])?;
    Ok(true)
}

fn advance_cursor_in(tx: &Transaction<'_>, n: i64) -> Result<bool, StoreError> {
    let cursor = get_i64(tx, KEY_CURSOR)?.unwrap_or(0);
    if n < cursor {
        tracing::warn!(
            cursor,
            asked = n,
            "pull cursor not moved back (upstream answered behind our cursor)"
        );
        return Ok(false);
    }
    if n == cursor {
        return Ok(false);
    }
    set_value(tx, KEY_CURSOR, &n)?;
    Ok(true)
}

pub(crate) fn next_offline_number_in(tx: &Transaction<'_>, queue_id: &str, day: &str) -> Result<u32, StoreError> {
    let last: i64 = tx.query_row(
        "INSERT INTO series (queue_id, day, last) VALUES (?1, ?2, 1)
         ON CONFLICT(queue_id, day) DO UPDATE SET last = last + 1
         RETURNING last",
        params![queue_id, day],
        |r| r.get(0),
    )?;
    u32::try_from(last).map_err(|_| StoreError::Invalid(format!("offline series for {queue_id} on {day} is exhausted")))
}

/// Keeps the `kept` most recent changes.
fn prune_changes_in(tx: &Transaction<'_>, kept: i64) -> Result<u64, StoreError> {
    // The subquery is NULL while fewer than `kept` rows exist, and `seq < NULL` deletes nothing.
    let n = tx.execute(
        "DELETE FROM changes WHERE seq < (SELECT seq FROM changes ORDER BY seq DESC LIMIT 1 OFFSET ?1)",
        [kept.saturating_sub(1).max(0)],
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests;
