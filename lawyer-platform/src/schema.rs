//! The lawyer platform's migrations (6–9 of the node's file; see `node_core::store::schema`).

use node_core::store::schema::Migration;

pub const MIGRATIONS: &[Migration] = &[
    // 6: the online-lawyer platform (issue 7): lawyers' online state and specialties (online hours
    // feed the tiers of 附录 A), consultations (the citizen's phone only sealed, plus its keyed digest;
    // the citizen's bearer token only as its SM3), their messages in order, ratings.
    Migration {
        version: 6,
        sql: "
    CREATE TABLE lawyer_profiles (
        staff_id TEXT PRIMARY KEY,
        specialties TEXT NOT NULL DEFAULT '[]',
        online INTEGER NOT NULL DEFAULT 0,
        online_since INTEGER,
        online_secs INTEGER NOT NULL DEFAULT 0,
        last_assigned_at INTEGER
    );
    CREATE TABLE consultations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        hall_id TEXT,
        device_id TEXT,
        token_hash TEXT NOT NULL,
        phone_key TEXT,
        phone_sealed TEXT,
        question TEXT NOT NULL,
        specialty TEXT NOT NULL,
        status TEXT NOT NULL,
        lawyer_id TEXT,
        created_at INTEGER NOT NULL,
        assigned_at INTEGER,
        picked_at INTEGER,
        converted_at INTEGER,
        answered_at INTEGER,
        closed_at INTEGER
    );
    CREATE INDEX consultations_live ON consultations(status, created_at);
    CREATE INDEX consultations_lawyer ON consultations(lawyer_id, status) WHERE lawyer_id IS NOT NULL;
    CREATE TABLE consultation_messages (
        consultation_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        author TEXT NOT NULL,
        staff_id TEXT,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (consultation_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE consultation_ratings (
        consultation_id TEXT PRIMARY KEY,
        lawyer_id TEXT,
        level INTEGER NOT NULL,
        comment TEXT,
        at INTEGER NOT NULL
    );
    ",
    },
    // 7: lawyer platform admin (issue 7, 10.3, 6.3, 7.1.1.4, 附录 B): sensitive-word hits (the text only
    // as its SM3) and the automatic actions with their review and appeal; lawyers' online sessions
    // (tiers count online hours); admissions with their probation; training records; 附录 B rows
    // (the record sealed, with keyed digests of the phone and ID number for lookups).
    Migration {
        version: 7,
        sql: "
    CREATE TABLE lw_word_hits (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        month TEXT NOT NULL,
        party TEXT NOT NULL,
        subject TEXT NOT NULL,
        consultation_id TEXT,
        place TEXT NOT NULL,
        word TEXT NOT NULL,
        category TEXT NOT NULL,
        action TEXT NOT NULL,
        text_sm3 TEXT NOT NULL,
        region TEXT NOT NULL,
        sex TEXT NOT NULL,
        action_id TEXT
    );
    CREATE INDEX lw_word_hits_month ON lw_word_hits(month);
    CREATE TABLE lw_word_actions (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        party TEXT NOT NULL,
        subject TEXT NOT NULL,
        consultation_id TEXT,
        word TEXT NOT NULL,
        category TEXT NOT NULL,
        kind TEXT NOT NULL,
        days INTEGER,
        ends_at INTEGER,
        status TEXT NOT NULL,
        reviewed_by TEXT,
        reviewed_at INTEGER,
        review_note TEXT,
        appeal_status TEXT,
        appeal_reason TEXT,
        appeal_at INTEGER,
        appeal_decided_by TEXT,
        appeal_decided_at INTEGER,
        appeal_note TEXT
    );
    CREATE INDEX lw_word_actions_subject ON lw_word_actions(subject, status);
    CREATE TABLE lw_sessions (
        staff_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        PRIMARY KEY (staff_id, started_at)
    ) WITHOUT ROWID;
    CREATE TABLE lw_admissions (
        staff_id TEXT PRIMARY KEY,
        applicant TEXT NOT NULL,
        admitted_at INTEGER NOT NULL,
        opened_on TEXT NOT NULL,
        probation TEXT NOT NULL DEFAULT 'running',
        probation_detail TEXT,
        decided_at INTEGER
    );
    CREATE TABLE lw_trainings (
        id TEXT PRIMARY KEY,
        held_on TEXT NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE lw_records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        batch TEXT NOT NULL,
        row_no INTEGER NOT NULL,
        staff_id TEXT,
        phone_key TEXT,
        id_key TEXT,
        region TEXT,
        sex TEXT,
        sealed TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX lw_records_phone ON lw_records(kind, phone_key) WHERE phone_key IS NOT NULL;
    CREATE INDEX lw_records_staff ON lw_records(kind, staff_id) WHERE staff_id IS NOT NULL;
    ",
    },
    // 8: remote mediation (issue 7, 6.2.4): a committee's booking with its working-day deadlines as
    // computed when it was made (verify within 1, lawyer within 3 working days, 6.2.4.1), the operator's
    // verification or rejection, the assigned lawyer and their acceptance, the join time (10 min early,
    // 6.2.4.2 a) and the committee's rating (6.2.4.2 e). Video requests (6.2.3): which consultations
    // were asked as video, kept when one falls back to a text chat, for the 6.2.3.1 figures.
    Migration {
        version: 8,
        sql: "
    CREATE TABLE lm_mediations (
        id TEXT PRIMARY KEY,
        committee TEXT NOT NULL,
        parties TEXT NOT NULL,
        matter TEXT NOT NULL,
        specialty TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        duration_minutes INTEGER NOT NULL,
        status TEXT NOT NULL,
        booked_by TEXT NOT NULL,
        booked_at INTEGER NOT NULL,
        verify_due INTEGER NOT NULL,
        assign_due INTEGER NOT NULL,
        verified_by TEXT,
        verified_at INTEGER,
        reject_reason TEXT,
        lawyer_id TEXT,
        assigned_by TEXT,
        assigned_at INTEGER,
        accepted_at INTEGER,
        joined_at INTEGER,
        join_late INTEGER,
        rating_level INTEGER,
        rating_comment TEXT,
        rated_at INTEGER
    );
    CREATE INDEX lm_mediations_open ON lm_mediations(status, starts_at);
    CREATE INDEX lm_mediations_lawyer ON lm_mediations(lawyer_id, starts_at) WHERE lawyer_id IS NOT NULL;
    CREATE TABLE lm_video_requests (
        consultation_id TEXT PRIMARY KEY,
        requested_at INTEGER NOT NULL,
        fallback_at INTEGER,
        fallback_side TEXT
    );
    CREATE INDEX lm_video_requests_at ON lm_video_requests(requested_at);
    ",
    },
    // 9: lawyer platform quality (issue 7; 7.1.2, 7.1.3.2, 7.2.4, 3.1/3.2): complaints (sensitive ones
    // listed for reporting), follow-up tasks with their deadlines (revisits, lawyers' call-backs,
    // complaint call-backs) and one QC result per consultation (automatic, sampling, reviewer verdict).
    Migration {
        version: 9,
        sql: "
    CREATE TABLE lq_complaints (
        id TEXT PRIMARY KEY,
        consultation_id TEXT,
        filed_by TEXT NOT NULL,
        text TEXT NOT NULL,
        sensitive INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX lq_complaints_sensitive ON lq_complaints(sensitive, created_at);
    CREATE TABLE lq_tasks (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        consultation_id TEXT,
        lawyer_id TEXT,
        complaint_id TEXT,
        created_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        done_at INTEGER,
        done_by TEXT,
        outcome TEXT,
        needs_legal_answer INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX lq_tasks_due ON lq_tasks(done_at, due_at);
    CREATE INDEX lq_tasks_consultation ON lq_tasks(consultation_id, kind);
    CREATE TABLE lq_qc (
        consultation_id TEXT PRIMARY KEY,
        lawyer_id TEXT NOT NULL,
        auto_result TEXT NOT NULL,
        findings TEXT NOT NULL,
        checked_at INTEGER NOT NULL,
        sampled INTEGER NOT NULL,
        review_result TEXT,
        review_reason TEXT,
        reviewer TEXT,
        reviewed_at INTEGER
    );
    CREATE INDEX lq_qc_lawyer ON lq_qc(lawyer_id, checked_at);
    ",
    },
];
