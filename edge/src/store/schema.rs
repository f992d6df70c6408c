//! Migrations, applied in order and only ever appended to: a store written by an older build is
//! upgraded by running the ones after its `user_version`; a store written by a newer build is refused.

use rusqlite::Connection;

use super::StoreError;

pub const MIGRATIONS: &[&str] = &[
    // 1: configuration replica, outbox, offline series, blobs, sync state, pulled changes.
    "
    CREATE TABLE config (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        v INTEGER NOT NULL,
        at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        -- NULL while waiting; set only from upstream's answer.
        status TEXT CHECK (status IN ('applied', 'rejected')),
        server_seq INTEGER,
        reject_code TEXT,
        reject_reason TEXT,
        settled_at INTEGER
    );
    CREATE INDEX outbox_waiting ON outbox(seq) WHERE status IS NULL;
    CREATE INDEX outbox_settled ON outbox(settled_at) WHERE status IS NOT NULL;
    CREATE TABLE series (
        queue_id TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (queue_id, day)
    );
    CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        -- File name inside the store's blob directory (relative, so the directory can move).
        path TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        uploaded_at INTEGER
    );
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value
    );
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        hall_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    ",
];

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        // Each migration and its version bump commit together, so a crash mid-upgrade re-runs it whole.
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
