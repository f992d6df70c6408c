//! The short chaos run CI does: real node and device processes, fault proxies, `kill -9` of each of
//! hall, city and a device, then every invariant checked against the files. The long one is
//! `cargo xtask chaos --cycles 100 --devices 20`, on demand.
//!
//! Then the same files are tampered with the way the bugs the run looks for would leave them, and the
//! checks must say so: a run that passes proves something only if the checks can fail.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

use rusqlite::Connection;
use xtask::chaos::check::{self, DeviceDir};
use xtask::chaos::{ChaosArgs, build_server};
use xtask::device::DeviceRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_chaos_run_keeps_every_invariant_and_the_checks_see_broken_ones() {
    // `CHAOS_SERVER_BIN` skips the build (e.g. to test another server binary).
    let server_bin = match std::env::var_os("CHAOS_SERVER_BIN") {
        Some(p) => p.into(),
        // A no-op when `cargo test --workspace` built the server already (it does, for its tests).
        None => tokio::task::spawn_blocking(build_server).await.unwrap().unwrap(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut args = ChaosArgs::new(3, 3);
    args.server_bin = Some(server_bin.clone());
    args.device_bin = Some(env!("CARGO_BIN_EXE_xtask").into());
    args.keep = Some(dir.clone());
    args.cycle_min_ms = 1500;
    args.cycle_max_ms = 2500;
    args.converge_timeout_secs = 90;
    let started = Instant::now();
    let summary = xtask::chaos::main(args).await.unwrap();
    let report = summary.report().join("\n");
    assert!(summary.passed(), "{report}\n{}", summary.last_line());
    assert!(summary.produced > 0, "the devices produced nothing: {report}");
    assert_eq!(summary.applied + summary.rejected, summary.produced, "{report}");
    assert_eq!((summary.lost, summary.double_calls), (0, 0));
    println!("short chaos run took {} ms", started.elapsed().as_millis());

    // 3 devices: one terminal, two kiosks.
    let devices = vec![
        device(&dir, "terminal1", DeviceRole::Terminal),
        device(&dir, "kiosk1", DeviceRole::Kiosk),
        device(&dir, "kiosk2", DeviceRole::Kiosk),
    ];
    let input = check::Input {
        hall_data: &dir.join("hall"),
        city_data: &dir.join("city"),
        devices: &devices,
        server_bin: &server_bin,
    };
    assert!(check::check(&input).unwrap().failures.is_empty());

    // An acknowledged offline ticket vanishes from the hall's log; another waits forever on its kiosk;
    // at the city, the event after a call becomes a second call of the same ticket.
    let kiosk = Connection::open(dir.join("devices/kiosk1/edge.sqlite3")).unwrap();
    let acked: i64 = kiosk
        .query_row(
            "SELECT server_seq FROM outbox WHERE kind = 'ticket.issue' AND status = 'applied' ORDER BY seq LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    kiosk
        .execute(
            "UPDATE outbox SET status = NULL WHERE seq = (SELECT MAX(seq) FROM outbox)",
            [],
        )
        .unwrap();
    let hall = Connection::open(dir.join("hall/node.db")).unwrap();
    hall.execute("DELETE FROM events WHERE seq = ?1", [acked]).unwrap();
    let city = Connection::open(dir.join("city/node.db")).unwrap();
    let (seq, ticket, body): (i64, String, String) = city
        .query_row(
            "SELECT c.seq, c.ticket_id, c.body FROM events c
             WHERE c.kind = 'ticket_called'
               AND EXISTS (SELECT 1 FROM events n WHERE n.ticket_id = c.ticket_id AND n.seq > c.seq)
             ORDER BY c.seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    city.execute(
        "UPDATE events SET kind = 'ticket_called', body = ?2
         WHERE seq = (SELECT MIN(seq) FROM events WHERE ticket_id = ?1 AND seq > ?3)",
        rusqlite::params![ticket, body.replace("\"window\":\"W1\"", "\"window\":\"W9\""), seq],
    )
    .unwrap();

    let found = check::check(&input).unwrap();
    let failed: Vec<&str> = found.failures.iter().map(|f| f.invariant).collect();
    assert!(found.lost >= 2, "{failed:?}");
    assert_eq!(found.double_calls, 1, "{failed:?}");
    for invariant in [
        "every outbox event is settled",
        "nothing acknowledged is lost (hall)",
        "at most one active call per ticket (city log)",
        "server verify-audit passes",
    ] {
        assert!(failed.contains(&invariant), "{invariant} not reported: {failed:?}");
    }
}

fn device(dir: &Path, name: &str, role: DeviceRole) -> DeviceDir {
    DeviceDir {
        name: name.to_owned(),
        dir: dir.join("devices").join(name),
        role,
    }
}
