//! SQLite implementation: one file per node, WAL, `synchronous=FULL` (a commit is on disk when it
//! returns). One writer connection; readers get connections from a small pool.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, params};

use super::*;

fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Opens (creating if needed) and migrates the database: the node's migrations and the features'.
pub fn migrate(path: &Path, features: &[&[schema::Migration]]) -> Result<(), StoreError> {
    let migrations = schema::ordered(features)
        .map_err(|n| StoreError::Corrupt(format!("migration {n} is missing or given twice (a build mistake)")))?;
    let mut conn = open(path)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(StoreError::Corrupt(format!(
            "database schema version {version} is newer than this server knows ({known}); upgrade the server"
        )));
    }
    for m in migrations.iter().skip(usize::try_from(version).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
    }
    Ok(())
}

pub struct SqliteStore {
    conn: Connection,
    _checkpointer: Checkpointer,
}

impl SqliteStore {
    /// Opens the node's file, migrated with the node's migrations and those of the features it runs.
    pub fn open(path: &Path, features: &[&[schema::Migration]]) -> Result<SqliteStore, StoreError> {
        migrate(path, features)?;
        let conn = open(path)?;
        // The writer only checkpoints when the WAL has grown past ~160 MB (the checkpointer fell
        // behind); normally the background thread does it, off the commit path.
        conn.pragma_update(None, "wal_autocheckpoint", 40_000)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        Ok(SqliteStore {
            conn,
            _checkpointer: Checkpointer::start(path)?,
        })
    }
}

/// Copies committed WAL pages into the database file five times a second on its own connection
/// (PASSIVE: never blocks the writer or readers). Profiling showed in-line auto-checkpoints cost
/// the single writer about a tenth of its time. Stops and joins when the store is dropped.
struct Checkpointer {
    stop: std::sync::Arc<(Mutex<bool>, parking_lot::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = open(path)?;
        let stop = std::sync::Arc::new((Mutex::new(false), parking_lot::Condvar::new()));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let (lock, cv) = &*flag;
                let mut stopped = lock.lock();
                while !*stopped {
                    cv.wait_for(&mut stopped, std::time::Duration::from_millis(200));
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "background WAL checkpoint failed; the writer's fallback will do it");
                    }
                }
            })
            .map_err(StoreError::Thread)?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        *self.stop.0.lock() = true;
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    let blob32 = |v: Vec<u8>| -> [u8; 32] {
        let mut a = [0u8; 32];
        if v.len() == 32 {
            a.copy_from_slice(&v);
        }
        a
    };
    Ok(EventRow {
        seq: r.get(0)?,
        event_id: r.get(1)?,
        hall_id: r.get(2)?,
        kind: r.get(3)?,
        at: r.get(4)?,
        actor: r.get(5)?,
        ticket_id: r.get(6)?,
        body: r.get(7)?,
        sealed: r.get(8)?,
        public: r.get(9)?,
        prev_hash: blob32(r.get(10)?),
        hash: blob32(r.get(11)?),
    })
}

pub const EVENT_COLUMNS: &str =
    "seq, event_id, hall_id, kind, at, actor, ticket_id, body, sealed, public, prev_hash, hash";

impl Store for SqliteStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }
    fn savepoint(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("SAVEPOINT cmd")?)
    }
    fn release(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("RELEASE cmd")?)
    }
    fn rollback_to(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("ROLLBACK TO cmd; RELEASE cmd")?)
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    fn head(&mut self) -> Result<(i64, [u8; 32]), StoreError> {
        let row = self
            .conn
            .query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        Ok(match row {
            Some((seq, h)) if h.len() == 32 => {
                let mut a = [0u8; 32];
                a.copy_from_slice(&h);
                (seq, a)
            }
            Some((seq, _)) => {
                return Err(StoreError::Corrupt(format!("event {seq} has a malformed hash")));
            }
            None => (0, [0u8; 32]),
        })
    }

    fn append(&mut self, e: &EventRow) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO events (seq, event_id, hall_id, kind, at, actor, ticket_id, body, sealed, public, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        st.execute(params![
            e.seq,
            e.event_id,
            e.hall_id,
            e.kind,
            e.at,
            e.actor,
            e.ticket_id,
            e.body,
            e.sealed,
            e.public,
            &e.prev_hash[..],
            &e.hash[..]
        ])?;
        Ok(())
    }

    fn upsert_ticket(&mut self, t: &TicketRow, seq: i64) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO tickets (id, token, hall_id, queue_id, day, display, status, body, updated_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET queue_id = excluded.queue_id, status = excluded.status,
                 body = excluded.body, updated_seq = excluded.updated_seq",
        )?;
        st.execute(params![
            t.id, t.token, t.hall_id, t.queue_id, t.day, t.display, t.status, t.body, seq
        ])?;
        Ok(())
    }

    fn upsert_window(
        &mut self,
        window_id: &str,
        hall_id: &str,
        status: &str,
        body: &str,
        seq: i64,
    ) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO window_states (window_id, hall_id, status, body, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(window_id) DO UPDATE SET status = excluded.status, body = excluded.body,
                 updated_seq = excluded.updated_seq",
        )?;
        st.execute(params![window_id, hall_id, status, body, seq])?;
        Ok(())
    }

    fn upsert_appointment(
        &mut self,
        id: &str,
        code: &str,
        hall_id: &str,
        day: i32,
        status: &str,
        body: &str,
        seq: i64,
    ) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO appointments (id, code, hall_id, day, status, body, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET day = excluded.day, status = excluded.status, body = excluded.body,
                 updated_seq = excluded.updated_seq",
        )?;
        st.execute(params![id, code, hall_id, day, status, body, seq])?;
        Ok(())
    }

    fn bump_counter(
        &mut self,
        hall_id: &str,
        day: i32,
        queue_id: &str,
        column: CounterColumn,
        by: i64,
    ) -> Result<(), StoreError> {
        // The column name comes from a closed enum, never from input.
        let col = match column {
            CounterColumn::Issued => "issued",
            CounterColumn::Called => "called",
            CounterColumn::Done => "done",
            CounterColumn::NoShow => "no_show",
            CounterColumn::Voided => "voided",
        };
        let sql = format!(
            "INSERT INTO daily_counters (hall_id, day, queue_id, {col}) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(hall_id, day, queue_id) DO UPDATE SET {col} = {col} + ?4"
        );
        self.conn
            .prepare_cached(&sql)?
            .execute(params![hall_id, day, queue_id, by])?;
        Ok(())
    }

    fn apply_record(&mut self, r: &Record, at: i64) -> Result<(), StoreError> {
        let c = &self.conn;
        match r {
            Record::EnrollmentCode {
                code_hash,
                hall_id,
                kind,
                expires_at,
            } => {
                c.execute(
                    "INSERT INTO enrollment_codes (code_hash, hall_id, kind, expires_at) VALUES (?1, ?2, ?3, ?4)",
                    params![code_hash, hall_id, kind, expires_at],
                )?;
            }
            Record::DeviceEnrolled {
                device_id,
                code_hash,
                hall_id,
                kind,
                name,
                letter,
                key_sealed,
            } => {
                let used = c.execute(
                    "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    params![code_hash, at],
                )?;
                if used != 1 {
                    return Err(StoreError::Conflict(
                        "the enrollment code is unknown, expired or already used".into(),
                    ));
                }
                c.execute(
                    "INSERT INTO devices (id, hall_id, kind, name, letter, key_sealed, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![device_id, hall_id, kind, name, letter, key_sealed, at],
                )?;
            }
            Record::SessionOpened {
                token_hash,
                staff_id,
                device_id,
                expires_at,
            } => {
                c.execute(
                    "INSERT INTO sessions (token_hash, staff_id, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![token_hash, staff_id, device_id, at, expires_at],
                )?;
            }
            Record::SessionClosed { token_hash } => {
                c.execute(
                    "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1",
                    params![token_hash],
                )?;
            }
            Record::LoginFailed { .. } => {}
            Record::Module(m) => m.apply_sqlite(c, at)?,
            Record::Password { staff_id, login, hash } => {
                // Logins are unique within a configuration, so another staff id holding this login
                // is left over from an older configuration (e.g. a hall's own first-start admin
                // before the city's staff list arrived): it goes.
                c.execute(
                    "DELETE FROM staff_credentials WHERE login = ?1 AND staff_id <> ?2",
                    params![login, staff_id],
                )?;
                c.execute(
                    "INSERT INTO staff_credentials (staff_id, login, password_hash) VALUES (?1, ?2, ?3)
                     ON CONFLICT(staff_id) DO UPDATE SET login = excluded.login, password_hash = excluded.password_hash",
                    params![staff_id, login, hash],
                )?;
            }
            Record::DeviceStatus { .. } | Record::BlobAttached { .. } => super::sqlite_sync::apply_record(c, r, at)?,
            Record::CaseOpened { .. } | Record::CaseStage { .. } => super::sqlite_cases::apply_record(c, r, at)?,
            Record::CitizenCodeIssued(code) => super::sqlite_citizen_codes::insert(c, code, at)?,
            // The audit row is the record.
            Record::Confirmation { .. } => {}
            Record::ConfigReplaced { version, body } => {
                c.execute(
                    "INSERT INTO config_versions (version, body, created_at) VALUES (?1, ?2, ?3)",
                    params![version, body, at],
                )?;
            }
        }
        Ok(())
    }

    fn hold_evidence(&mut self, hold: &EvidenceHold, seq: i64) -> Result<(), StoreError> {
        Ok(super::sqlite_sync::hold_evidence(&self.conn, hold, seq)?)
    }

    fn save_snapshot(&mut self, seq: i64, body: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO snapshots (seq, body) VALUES (?1, ?2)",
            params![seq, body],
        )?;
        self.conn
            .execute("DELETE FROM snapshots WHERE seq < ?1", params![seq])?;
        Ok(())
    }

    fn load_events_after(
        &mut self,
        seq: i64,
        f: &mut dyn FnMut(EventRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq"
        ))?;
        let rows = st.query_map(params![seq], row_to_event)?;
        for r in rows {
            f(r?)?;
        }
        Ok(())
    }

    fn latest_snapshot(&mut self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT seq, body FROM snapshots ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    fn latest_config(&mut self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(super::sqlite_sync::latest_config(&self.conn)?)
    }

    fn free_letter(&mut self, hall: &str) -> Result<Option<char>, StoreError> {
        Ok(super::sqlite_sync::free_letter(&self.conn, hall)?)
    }

    fn next_receipt(&mut self, prefix: &str) -> Result<String, StoreError> {
        Ok(super::sqlite_cases::next_receipt(&self.conn, prefix)?)
    }

    fn producers(&mut self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(super::sqlite_sync::producers(&self.conn)?)
    }

    fn settled(&mut self, producer: &str, seq: i64) -> Result<Option<(String, String)>, StoreError> {
        Ok(super::sqlite_sync::settled(&self.conn, producer, seq)?)
    }

    fn settle(&mut self, producer: &str, seq: i64, event_id: &str, result: &str, at: i64) -> Result<(), StoreError> {
        Ok(super::sqlite_sync::settle(
            &self.conn, producer, seq, event_id, result, at,
        )?)
    }
}

/// Read connections, opened on demand and kept for reuse.
pub struct SqliteReader {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
}

impl SqliteReader {
    pub fn new(path: &Path) -> SqliteReader {
        SqliteReader {
            path: path.to_owned(),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a read-only connection: the node's queries, and a feature's through its own store
    /// trait (the extension point for feature queries; blocking, so call it off the async threads).
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = match self.pool.lock().pop() {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c
            }
        };
        let out = f(&conn);
        let mut pool = self.pool.lock();
        if pool.len() < 16 {
            pool.push(conn);
        }
        Ok(out?)
    }
}

fn ticket_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: r.get(0)?,
        token: r.get(1)?,
        hall_id: r.get(2)?,
        queue_id: r.get(3)?,
        day: r.get(4)?,
        display: r.get(5)?,
        status: r.get(6)?,
        body: r.get(7)?,
    })
}

const TICKET_COLUMNS: &str = "id, token, hall_id, queue_id, day, display, status, body";

impl Reader for SqliteReader {
    fn ticket_by_token(&self, token: &str) -> Result<Option<TicketRow>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE token = ?1"))?
                .query_row(params![token], ticket_row)
                .optional()
        })
    }

    fn ticket(&self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))?
                .query_row(params![id], ticket_row)
                .optional()
        })
    }

    fn sealed_of_ticket(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            // The latest personal data of the ticket: from its issue, or from a card read later.
            c.prepare_cached(
                "SELECT sealed FROM events WHERE ticket_id = ?1 AND kind IN ('ticket_issued', 'ticket_identified')
                 AND sealed IS NOT NULL ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![id], |r| r.get::<_, Option<String>>(0))
            .optional()
            .map(Option::flatten)
        })
    }

    fn events_after(&self, seq: i64, hall: Option<&str>, limit: usize) -> Result<Vec<EventRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|c| match hall {
            Some(h) => c
                .prepare_cached(&format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE hall_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
                ))?
                .query_map(params![h, seq, limit], row_to_event)?
                .collect(),
            None => c
                .prepare_cached(&format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                ))?
                .query_map(params![seq, limit], row_to_event)?
                .collect(),
        })
    }

    fn device(&self, id: &str) -> Result<Option<DeviceRow>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT id, hall_id, kind, name, letter, key_sealed, revoked FROM devices WHERE id = ?1")?
                .query_row(params![id], |r| {
                    Ok(DeviceRow {
                        id: r.get(0)?,
                        hall_id: r.get(1)?,
                        kind: r.get(2)?,
                        name: r.get(3)?,
                        letter: r.get(4)?,
                        key_sealed: r.get(5)?,
                        revoked: r.get::<_, i64>(6)? != 0,
                    })
                })
                .optional()
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT staff_id, device_id, expires_at, revoked FROM sessions WHERE token_hash = ?1")?
                .query_row(params![token_hash], |r| {
                    Ok(SessionRow {
                        staff_id: r.get(0)?,
                        device_id: r.get(1)?,
                        expires_at: r.get(2)?,
                        revoked: r.get::<_, i64>(3)? != 0,
                    })
                })
                .optional()
        })
    }

    fn enrollment_code(&self, code_hash: &str) -> Result<Option<(String, String, i64, bool)>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT hall_id, kind, expires_at, used_at IS NOT NULL FROM enrollment_codes WHERE code_hash = ?1",
            )?
            .query_row(params![code_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()
        })
    }

    fn credentials(&self, login: &str) -> Result<Option<(String, String)>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT staff_id, password_hash FROM staff_credentials WHERE login = ?1")?
                .query_row(params![login], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }

    fn counters(&self, hall: &str, day: i32) -> Result<Vec<(String, Counters)>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT queue_id, issued, called, done, no_show, voided FROM daily_counters WHERE hall_id = ?1 AND day = ?2 ORDER BY queue_id",
            )?
            .query_map(params![hall, day], |r| {
                Ok((
                    r.get(0)?,
                    Counters { issued: r.get(1)?, called: r.get(2)?, done: r.get(3)?, no_show: r.get(4)?, voided: r.get(5)? },
                ))
            })?
            .collect()
        })
    }

    fn producer_last_seq(&self, producer: &str) -> Result<i64, StoreError> {
        self.with(|c| super::sqlite_sync::producer_last_seq(c, producer))
    }

    fn config_version(&self) -> Result<Option<(i64, String)>, StoreError> {
        self.with(super::sqlite_sync::latest_config)
    }

    fn attachments(&self, ticket: &str) -> Result<Vec<Attachment>, StoreError> {
        self.with(|c| super::sqlite_sync::attachments(c, ticket))
    }

    fn evidence(&self, ticket: &str) -> Result<Option<EvidenceHold>, StoreError> {
        self.with(|c| super::sqlite_sync::evidence(c, ticket))
    }

    fn confirmations(&self, ticket: &str) -> Result<Vec<ConfirmationRow>, StoreError> {
        self.with(|c| super::sqlite_sync::confirmations(c, ticket))
    }

    fn transfers_by(&self, hall: &str, actor: &str, since: i64) -> Result<u32, StoreError> {
        self.with(|c| super::sqlite_sync::transfers_by(c, hall, actor, since))
    }

    fn hall_devices(&self, hall: &str) -> Result<Vec<DeviceHealthRow>, StoreError> {
        self.with(|c| super::sqlite_sync::hall_devices(c, hall))
    }

    fn case(&self, id: &str) -> Result<Option<cases::CaseRow>, StoreError> {
        self.with(|c| super::sqlite_cases::case_by(c, super::sqlite_cases::CaseKey::Id, id))
    }

    fn case_by_receipt(&self, receipt: &str) -> Result<Option<cases::CaseRow>, StoreError> {
        self.with(|c| super::sqlite_cases::case_by(c, super::sqlite_cases::CaseKey::Receipt, receipt))
    }

    fn cases_of_citizen(&self, hall: &str, citizen_key: &str, limit: usize) -> Result<Vec<cases::CaseRow>, StoreError> {
        self.with(|c| super::sqlite_cases::cases_of_citizen(c, hall, citizen_key, limit))
    }

    fn citizen_code(&self, code_hash: &str) -> Result<Option<super::citizen_codes::CitizenCodeRow>, StoreError> {
        self.with(|c| super::sqlite_citizen_codes::by_hash(c, code_hash))
    }
}

/// Walks the whole event log and checks the SM3 chain. `Err` names the first broken link.
pub fn verify_chain(path: &Path) -> Result<i64, String> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut st = conn
        .prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))
        .map_err(|e| format!("cannot read the event log: {e}"))?;
    let rows = st
        .query_map([], row_to_event)
        .map_err(|e| format!("cannot read the event log: {e}"))?;
    let (mut expected_seq, mut prev) = (1i64, [0u8; 32]);
    for r in rows {
        let r = r.map_err(|e| format!("event {expected_seq}: unreadable row: {e}"))?;
        if r.seq != expected_seq {
            return Err(format!(
                "event {expected_seq}: missing (the next row is {}); the chain is broken there",
                r.seq
            ));
        }
        if r.prev_hash != prev {
            return Err(format!(
                "event {}: its prev_hash does not match the hash of event {}",
                r.seq,
                r.seq - 1
            ));
        }
        if r.compute_hash() != r.hash {
            return Err(format!(
                "event {} ({}): its contents do not match its hash (altered)",
                r.seq, r.kind
            ));
        }
        prev = r.hash;
        expected_seq += 1;
    }
    Ok(expected_seq - 1)
}
