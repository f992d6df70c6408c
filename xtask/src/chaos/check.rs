//! The invariants, checked against the files themselves after the run: both nodes' `node.db`, every
//! device's `edge.sqlite3`, and the devices' side files. Every failure names the invariant and shows
//! evidence (the first few offending rows).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::replay::{EventRow, replay};
use crate::device::{ACKED_FILE, AckedCall, DeviceRole, DeviceStats};

/// Evidence lines kept per failure.
const EVIDENCE: usize = 5;

#[derive(Debug, Clone)]
pub struct Failure {
    pub invariant: &'static str,
    pub count: usize,
    pub evidence: Vec<String>,
}

/// What the checks found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Outbox events across devices, and how upstream settled them.
    pub produced: u64,
    pub applied: u64,
    pub rejected: u64,
    /// Acknowledged or produced things that are not where they must be (see `lost_*` in `notes`).
    pub lost: u64,
    pub double_calls: u64,
    pub failures: Vec<Failure>,
    pub notes: Vec<String>,
}

impl Findings {
    fn fail(&mut self, invariant: &'static str, evidence: Vec<String>) {
        if evidence.is_empty() {
            return;
        }
        self.failures.push(Failure {
            invariant,
            count: evidence.len(),
            evidence: evidence.into_iter().take(EVIDENCE).collect(),
        });
    }
}

pub struct DeviceDir {
    pub name: String,
    pub dir: PathBuf,
    pub role: DeviceRole,
}

pub struct Input<'a> {
    pub hall_data: &'a Path,
    pub city_data: &'a Path,
    pub devices: &'a [DeviceDir],
    pub server_bin: &'a Path,
}

struct NodeData {
    events: Vec<EventRow>,
    /// id → (hall, queue, day, display, status)
    tickets: HashMap<String, (String, String, i64, String, String)>,
    windows: Vec<(String, Value)>,
    /// producer → seq → (event id, stored result)
    sync_ops: HashMap<String, BTreeMap<i64, (String, Value)>>,
    producers: HashMap<String, i64>,
}

impl NodeData {
    fn event_ids(&self) -> HashSet<&str> {
        self.events.iter().map(|e| e.event_id.as_str()).collect()
    }
}

struct OutboxRow {
    seq: i64,
    event_id: String,
    kind: String,
    payload: Value,
    status: Option<String>,
    server_seq: Option<i64>,
    reject_code: Option<String>,
}

struct DeviceData {
    device_id: String,
    last_seq: i64,
    rows: Vec<OutboxRow>,
    cursor: i64,
    stats: DeviceStats,
    acked: Vec<AckedCall>,
}

/// Opens a database file another (maybe killed) process wrote. Read-write, because opening a WAL
/// database after a crash may have to recover it.
fn open(path: &Path) -> anyhow::Result<Connection> {
    let c = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(c)
}

fn load_node(path: &Path) -> anyhow::Result<NodeData> {
    let c = open(path)?;
    let mut stmt = c.prepare("SELECT seq, event_id, kind, actor, ticket_id, body FROM events ORDER BY seq")?;
    let events = stmt
        .query_map([], |r| {
            Ok(EventRow {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                actor: r.get(3)?,
                ticket_id: r.get(4)?,
                body: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = c.prepare("SELECT id, hall_id, queue_id, day, display, status FROM tickets")?;
    let tickets = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        })?
        .collect::<Result<HashMap<_, _>, _>>()?;
    let mut stmt = c.prepare("SELECT window_id, body FROM window_states")?;
    let windows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .map(|row| {
            let (w, body) = row?;
            Ok((w, serde_json::from_str(&body).unwrap_or(Value::Null)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut sync_ops: HashMap<String, BTreeMap<i64, (String, Value)>> = HashMap::new();
    let mut stmt = c.prepare("SELECT producer_id, seq, event_id, result FROM sync_ops")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (producer, seq, event_id, result) = row?;
        let result = serde_json::from_str(&result).unwrap_or(Value::Null);
        sync_ops.entry(producer).or_default().insert(seq, (event_id, result));
    }
    let mut stmt = c.prepare("SELECT producer_id, last_seq FROM producers")?;
    let producers = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(NodeData {
        events,
        tickets,
        windows,
        sync_ops,
        producers,
    })
}

fn sync_value<T: rusqlite::types::FromSql>(c: &Connection, key: &str) -> anyhow::Result<Option<T>> {
    Ok(
        c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?,
    )
}

fn load_device(dir: &Path) -> anyhow::Result<DeviceData> {
    let c = open(&dir.join("edge.sqlite3"))?;
    let device_id: String = sync_value(&c, "device_id")?.context("the device never enrolled")?;
    let mut stmt =
        c.prepare("SELECT seq, event_id, kind, payload, status, server_seq, reject_code FROM outbox ORDER BY seq")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                payload: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or(Value::Null),
                status: r.get(4)?,
                server_seq: r.get(5)?,
                reject_code: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mark: i64 = sync_value(&c, "outbox_last_seq")?.unwrap_or(0);
    let last_seq = rows.last().map_or(0, |r| r.seq).max(mark);
    let cursor = sync_value(&c, "pull_cursor")?.unwrap_or(0);
    let acked = match std::fs::read_to_string(dir.join(ACKED_FILE)) {
        // A kill in the middle of a line leaves a torn last line; the call it records was answered but
        // not yet fully noted, so it is skipped rather than failed.
        Ok(text) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
        Err(_) => Vec::new(),
    };
    Ok(DeviceData {
        device_id,
        last_seq,
        rows,
        cursor,
        stats: DeviceStats::read(dir)?,
        acked,
    })
}

/// Runs every check. `Err` means the files could not be read at all (a harness problem).
pub fn check(input: &Input<'_>) -> anyhow::Result<Findings> {
    let hall = load_node(&input.hall_data.join("node.db")).context("the hall node's database")?;
    let city = load_node(&input.city_data.join("node.db")).context("the city node's database")?;
    let mut f = Findings::default();
    for (name, node) in [("hall", &hall), ("city", &city)] {
        check_log(&mut f, name, node);
    }
    check_city_mirrors_hall(&mut f, &hall, &city, input.hall_data)?;
    let city_ids = city.event_ids();
    let hall_by_seq: HashMap<i64, &EventRow> = hall.events.iter().map(|e| (e.seq, e)).collect();
    let mut lost_unsettled = 0u64;
    let mut lost_at_hall = 0u64;
    let mut lost_at_city = 0u64;
    for d in input.devices {
        let data = load_device(&d.dir).with_context(|| format!("device {}", d.name))?;
        let (u, h, c) = check_device(&mut f, d, &data, &hall, &hall_by_seq, &city_ids);
        lost_unsettled += u;
        lost_at_hall += h;
        lost_at_city += c;
    }
    let missing_at_city: Vec<String> = hall
        .events
        .iter()
        .filter(|e| !city_ids.contains(e.event_id.as_str()))
        .map(|e| {
            format!(
                "hall seq {} {} ({}) is not in the city's log",
                e.seq, e.event_id, e.kind
            )
        })
        .collect();
    let hall_not_forwarded = missing_at_city.len() as u64;
    f.fail("the city's log holds every event of the hall's log", missing_at_city);
    f.lost += lost_unsettled + lost_at_hall + lost_at_city + hall_not_forwarded;
    f.notes.push(format!(
        "lost: {lost_unsettled} outbox events never settled, {lost_at_hall} acknowledged events missing at the hall, \
         {lost_at_city} missing at the city, {hall_not_forwarded} hall events not forwarded"
    ));
    for (name, dir) in [("hall", input.hall_data), ("city", input.city_data)] {
        verify_audit(&mut f, name, dir, input.server_bin);
    }
    Ok(f)
}

/// Checks that hold for any node's log and projections.
fn check_log(f: &mut Findings, name: &str, node: &NodeData) {
    let r = replay(&node.events);
    f.double_calls = f.double_calls.max(r.double_calls.len() as u64);
    f.notes.push(format!(
        "{name}: {} events, {} tickets, {} calls replayed",
        node.events.len(),
        r.tickets,
        r.calls
    ));
    let invariant = if name == "hall" {
        "at most one active call per ticket (hall log)"
    } else {
        "at most one active call per ticket (city log)"
    };
    f.fail(invariant, r.double_calls);
    f.fail("no call of a closed ticket", r.calls_after_close);
    f.fail("a window calls only when it has no current ticket", r.window_busy_calls);
    f.fail("every ticket is issued once", r.issued_twice);
    f.fail("every logged event is readable", r.unreadable);

    let mut numbers: HashMap<(&str, &str, i64, &str), Vec<&str>> = HashMap::new();
    for (id, (hall, queue, day, display, _)) in &node.tickets {
        numbers.entry((hall, queue, *day, display)).or_default().push(id);
    }
    let dup_numbers = numbers
        .iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|((hall, queue, day, display), ids)| {
            format!("{name}: {display} in {hall}/{queue} on day {day} for tickets {ids:?}")
        })
        .collect();
    f.fail("display numbers unique per queue per day", dup_numbers);

    let mut current: HashMap<&str, Vec<&str>> = HashMap::new();
    for (w, body) in &node.windows {
        if let Some(t) = body["current"].as_str() {
            current.entry(t).or_default().push(w);
        }
    }
    let shared = current
        .iter()
        .filter(|(_, ws)| ws.len() > 1)
        .map(|(t, ws)| format!("{name}: ticket {t} is the current ticket of windows {ws:?}"))
        .collect();
    f.fail("no two windows have the same current ticket", shared);

    let mut seen = HashSet::new();
    let dup_ids = node
        .events
        .iter()
        .filter(|e| !seen.insert(e.event_id.as_str()))
        .map(|e| format!("{name}: event id {} twice (seq {})", e.event_id, e.seq))
        .collect();
    f.fail("no duplicate event id", dup_ids);
}

/// The city settled the hall's whole log exactly once, applied every event, and shows the hall's
/// tickets as the hall does.
fn check_city_mirrors_hall(f: &mut Findings, hall: &NodeData, city: &NodeData, hall_data: &Path) -> anyhow::Result<()> {
    let creds_path = hall_data.join("keys").join("upstream.json");
    let creds: Value = serde_json::from_slice(
        &std::fs::read(&creds_path).with_context(|| format!("reading {}", creds_path.display()))?,
    )?;
    let hall_node = creds["device_id"].as_str().context("no device_id in upstream.json")?;
    let head = hall.events.last().map_or(0, |e| e.seq);
    let settled = city.producers.get(hall_node).copied().unwrap_or(0);
    let ops = city.sync_ops.get(hall_node);
    let mut evidence = Vec::new();
    if settled != head {
        evidence.push(format!(
            "the city settled the hall's log up to {settled}, the hall's head is {head}"
        ));
    }
    let op_seqs: Vec<i64> = ops.map(|o| o.keys().copied().collect()).unwrap_or_default();
    if op_seqs != (1..=settled).collect::<Vec<_>>() {
        evidence.push(format!(
            "the city's sync_ops for the hall hold {} rows for 1..={settled}",
            op_seqs.len()
        ));
    }
    f.fail("the city settled the hall's log exactly once, in full", evidence);
    let rejected = ops
        .into_iter()
        .flatten()
        .filter(|(_, (_, r))| r["status"] != "applied")
        .map(|(seq, (id, r))| format!("hall event {seq} ({id}): {r}"))
        .collect();
    f.fail("the city applies every hall event", rejected);

    let differs = hall
        .tickets
        .iter()
        .filter(|(id, t)| city.tickets.get(*id) != Some(t))
        .map(|(id, t)| format!("ticket {id}: hall {t:?}, city {:?}", city.tickets.get(id)))
        .collect();
    f.fail("the city's tickets are the hall's tickets", differs);
    Ok(())
}

/// One device: its outbox fully settled, each event settled once at the hall and the same way on both
/// sides, nothing acknowledged missing, cursors forward only. Returns (unsettled, acknowledged but not
/// at the hall, not at the city).
fn check_device(
    f: &mut Findings,
    d: &DeviceDir,
    data: &DeviceData,
    hall: &NodeData,
    hall_by_seq: &HashMap<i64, &EventRow>,
    city_ids: &HashSet<&str>,
) -> (u64, u64, u64) {
    let id = &data.device_id;
    let n = &d.name;
    f.produced += data.rows.len() as u64;
    let mut unsettled = Vec::new();
    let mut at_hall = Vec::new();
    let mut at_city = Vec::new();
    let mut mismatched = Vec::new();
    let mut rejected_codes: BTreeMap<String, u64> = BTreeMap::new();
    let ops = hall.sync_ops.get(id);
    for row in &data.rows {
        match row.status.as_deref() {
            None => {
                unsettled.push(format!("{n} seq {} ({}) still waiting", row.seq, row.kind));
                continue;
            }
            Some("applied") => f.applied += 1,
            Some(_) => {
                f.rejected += 1;
                *rejected_codes
                    .entry(row.reject_code.clone().unwrap_or_default())
                    .or_default() += 1;
            }
        }
        let theirs = ops.and_then(|o| o.get(&row.seq));
        match theirs {
            None => mismatched.push(format!("{n} seq {} is settled here but not at the hall", row.seq)),
            Some((event_id, result)) => {
                if event_id != &row.event_id || result["status"].as_str() != row.status.as_deref() {
                    mismatched.push(format!(
                        "{n} seq {}: here {} {:?}, at the hall {event_id} {}",
                        row.seq, row.event_id, row.status, result["status"]
                    ));
                }
            }
        }
        if row.status.as_deref() != Some("applied") {
            continue;
        }
        let Some(server_seq) = row.server_seq else {
            at_hall.push(format!("{n} seq {} applied without a log position", row.seq));
            continue;
        };
        let expected_kind = match row.kind.as_str() {
            protocol::sync::kinds::TICKET_ISSUE => "ticket_issued",
            protocol::sync::kinds::DEVICE_HEARTBEAT => "device_status",
            other => other,
        };
        match hall_by_seq.get(&server_seq) {
            None => at_hall.push(format!(
                "{n} seq {} acknowledged as hall seq {server_seq}, which is not in the hall's log",
                row.seq
            )),
            Some(e) => {
                let ticket_ok = row.kind != protocol::sync::kinds::TICKET_ISSUE
                    || e.ticket_id.as_deref() == row.payload["ticket_id"].as_str();
                if e.kind != expected_kind || !ticket_ok {
                    at_hall.push(format!(
                        "{n} seq {} acknowledged as hall seq {server_seq}, which is a {} for {:?}",
                        row.seq, e.kind, e.ticket_id
                    ));
                } else if !city_ids.contains(e.event_id.as_str()) {
                    at_city.push(format!(
                        "{n} seq {} (hall seq {server_seq}) is not in the city's log",
                        row.seq
                    ));
                }
            }
        }
    }
    // The hall settled each of the device's sequences once: exactly 1..=last, no more, no fewer.
    let settled_seqs: Vec<i64> = ops.map(|o| o.keys().copied().collect()).unwrap_or_default();
    let last_at_hall = hall.producers.get(id).copied().unwrap_or(0);
    if settled_seqs != (1..=data.last_seq).collect::<Vec<_>>() || last_at_hall != data.last_seq {
        mismatched.push(format!(
            "{n}: made events 1..={}, the hall settled {} sequences (last_seq {last_at_hall})",
            data.last_seq,
            settled_seqs.len()
        ));
    }
    // Tickets the hall issued for this kiosk = its applied ticket.issue events.
    let actor = format!("device:{id}");
    let issued_at_hall = hall
        .events
        .iter()
        .filter(|e| e.kind == "ticket_issued" && e.actor == actor)
        .count();
    let applied_issues = data
        .rows
        .iter()
        .filter(|r| r.kind == protocol::sync::kinds::TICKET_ISSUE && r.status.as_deref() == Some("applied"))
        .count();
    if issued_at_hall != applied_issues {
        mismatched.push(format!(
            "{n}: {applied_issues} ticket.issue events applied, the hall logged {issued_at_hall} tickets by {actor}"
        ));
    }
    if d.role == DeviceRole::Terminal {
        let calls: HashSet<(String, String)> = hall
            .events
            .iter()
            .filter(|e| e.kind == "ticket_called")
            .filter_map(|e| {
                let v: Value = serde_json::from_str(&e.body).ok()?;
                Some((e.ticket_id.clone()?, v["body"]["window"].as_str()?.to_owned()))
            })
            .collect();
        for call in &data.acked {
            if !calls.contains(&(call.ticket.clone(), call.window.clone())) {
                at_hall.push(format!(
                    "{n}: the call of {} ({}) at {} was answered but is not in the hall's log",
                    call.display, call.ticket, call.window
                ));
            }
        }
        f.notes.push(format!(
            "{n}: {} calls acknowledged, {} finishes, {} lost answers found again (window busy), {} unreachable attempts",
            data.stats.calls, data.stats.finishes, data.stats.busy_recovered, data.stats.unreachable
        ));
    }
    let mut cursor = Vec::new();
    if data.stats.cursor_back > 0 {
        cursor.push(format!(
            "{n}: the stored cursor was seen moving back {} times",
            data.stats.cursor_back
        ));
    }
    if data.stats.cursor_regressions > 0 {
        cursor.push(format!(
            "{n}: {} pull pages ended behind the cursor (upstream went back)",
            data.stats.cursor_regressions
        ));
    }
    if data.cursor < data.stats.cursor_high {
        cursor.push(format!(
            "{n}: cursor {} is below {} seen before",
            data.cursor, data.stats.cursor_high
        ));
    }
    f.fail("cursors never move back", cursor);
    if !rejected_codes.is_empty() {
        f.notes.push(format!("{n}: rejected by the hall: {rejected_codes:?}"));
    }
    let counts = (unsettled.len() as u64, at_hall.len() as u64, at_city.len() as u64);
    f.fail("every outbox event is settled", unsettled);
    f.fail(
        "every outbox event applied exactly once, the same way on both sides",
        mismatched,
    );
    f.fail("nothing acknowledged is lost (hall)", at_hall);
    f.fail("nothing acknowledged is lost (city)", at_city);
    counts
}

fn verify_audit(f: &mut Findings, name: &str, dir: &Path, server_bin: &Path) {
    let out = Command::new(server_bin)
        .arg("verify-audit")
        .arg("--data")
        .arg(dir)
        .output();
    let evidence = match out {
        Ok(o) if o.status.success() => {
            f.notes
                .push(format!("{name}: {}", String::from_utf8_lossy(&o.stdout).trim()));
            Vec::new()
        }
        Ok(o) => vec![format!(
            "{name}: verify-audit {}: {}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout).trim(),
            String::from_utf8_lossy(&o.stderr).trim()
        )],
        Err(e) => vec![format!("{name}: cannot run {}: {e}", server_bin.display())],
    };
    f.fail("server verify-audit passes", evidence);
}
