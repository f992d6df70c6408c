//! Migrations, applied in order and only ever appended to: a released database is upgraded by running
//! the ones after its `user_version`. The node's own are here; a feature brings its own with their
//! numbers (the lawyer platform has 6–9), and [`ordered`] joins them into the one list of the file:
//! every number from 1 up exactly once, so two features can never claim the same one.

/// One schema step: its number (the `user_version` after it) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub sql: &'static str,
}

/// The node's own migrations.
pub const MIGRATIONS: &[Migration] = &[
    // 1: event log with audit chain, projections, security records.
    Migration {
        version: 1,
        sql: "
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        hall_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        ticket_id TEXT,
        body TEXT NOT NULL,
        sealed TEXT,
        -- What the live feed shows of this event (derived, no personal data).
        public TEXT,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL
    );
    CREATE INDEX events_hall ON events(hall_id, seq);
    CREATE INDEX events_ticket ON events(ticket_id) WHERE ticket_id IS NOT NULL;
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        hall_id TEXT NOT NULL,
        queue_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        display TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
    );
    CREATE INDEX tickets_hall_day ON tickets(hall_id, day, status);
    CREATE TABLE window_states (
        window_id TEXT PRIMARY KEY,
        hall_id TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
    );
    CREATE TABLE appointments (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        hall_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
    );
    CREATE TABLE daily_counters (
        hall_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        queue_id TEXT NOT NULL,
        issued INTEGER NOT NULL DEFAULT 0,
        called INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        no_show INTEGER NOT NULL DEFAULT 0,
        voided INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hall_id, day, queue_id)
    );
    CREATE TABLE config_versions (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE snapshots (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    );
    CREATE TABLE staff_credentials (
        staff_id TEXT PRIMARY KEY,
        login TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        device_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        hall_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        letter TEXT NOT NULL,
        key_sealed TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX devices_letter ON devices(hall_id, letter) WHERE letter <> '';
    CREATE TABLE enrollment_codes (
        code_hash TEXT PRIMARY KEY,
        hall_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
    );
    ",
    },
    // 2: sync. Per-producer settled sequence and the stored result of every settled event (answered
    // again for duplicates); device health; blobs attached to tickets. The ticket index of 1 was never
    // read and cost every issue an extra random index write.
    Migration {
        version: 2,
        sql: "
    DROP INDEX IF EXISTS tickets_hall_day;
    CREATE TABLE producers (
        producer_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
    );
    CREATE TABLE sync_ops (
        producer_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        result TEXT NOT NULL,
        settled_at INTEGER NOT NULL,
        PRIMARY KEY (producer_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE device_status (
        device_id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE attachments (
        ticket_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        media TEXT NOT NULL,
        size INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, digest)
    );
    ",
    },
    // 3: evidence holds (tender 13(9): a 差评 has the whole service's recording uploaded) and the blobs
    // linked to them; transfers by actor for the counter panel's day figures (a partial index: only
    // transfer rows pay for it).
    Migration {
        version: 3,
        sql: "
    CREATE TABLE evidence_holds (
        ticket_id TEXT PRIMARY KEY,
        hall_id TEXT NOT NULL,
        window_id TEXT,
        staff_id TEXT,
        service_started_at INTEGER,
        service_finished_at INTEGER,
        level INTEGER NOT NULL,
        photo TEXT,
        status TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        seq INTEGER NOT NULL
    );
    CREATE TABLE evidence_blobs (
        ticket_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        media TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, digest)
    ) WITHOUT ROWID;
    CREATE INDEX events_transfers ON events(hall_id, actor, at) WHERE kind = 'ticket_transferred';
    ",
    },
    // 4: cases (办件, tender 21(1)/(2) "办件进度…办件查询"): one row per case with its receipt number and
    // the keyed digest of the citizen's ID number (never the number), and every stage it went through.
    Migration {
        version: 4,
        sql: "
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        hall_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        receipt TEXT NOT NULL UNIQUE,
        citizen_key TEXT NOT NULL,
        ticket_id TEXT,
        opened_at INTEGER NOT NULL,
        stage TEXT NOT NULL
    );
    CREATE INDEX cases_citizen ON cases(hall_id, citizen_key, opened_at);
    CREATE TABLE case_stages (
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        stage TEXT NOT NULL,
        at INTEGER NOT NULL,
        note TEXT,
        actor TEXT NOT NULL,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID;
    ",
    },
    // 5: one-code-service citizen codes (一码通办, tender 2844–2862 "扫码登录…替代身份证读取登录"): the SM3 of
    // the code (never the code), the keyed digest of the ID number (as appointments and cases keep it),
    // the sealed number and name (as tickets seal them), and the birth date for the age priority.
    Migration {
        version: 5,
        sql: "
    CREATE TABLE citizen_codes (
        code_hash TEXT PRIMARY KEY,
        citizen_key TEXT NOT NULL,
        sealed TEXT NOT NULL,
        birth TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    ",
    },
];

/// The node's migrations and each feature's, in order; the error names the first number that is missing or
/// claimed twice (a programming error: the store refuses to open).
pub fn ordered(features: &[&[Migration]]) -> Result<Vec<Migration>, u32> {
    let mut all: Vec<Migration> = MIGRATIONS
        .iter()
        .chain(features.iter().flat_map(|f| f.iter()))
        .copied()
        .collect();
    all.sort_by_key(|m| m.version);
    for (i, m) in all.iter().enumerate() {
        let want = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if m.version != want {
            return Err(want.min(m.version));
        }
    }
    Ok(all)
}
