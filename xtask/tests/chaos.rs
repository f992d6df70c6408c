//! The short chaos run CI does: real node and device processes, fault proxies, `kill -9` of each of
//! hall, city and a device, then every invariant checked against the files. The long one is
//! `cargo xtask chaos --cycles 100 --devices 20`, on demand.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use xtask::chaos::{ChaosArgs, build_server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_chaos_run_keeps_every_invariant() {
    // `CHAOS_SERVER_BIN` skips the build (e.g. to test another server binary).
    let server_bin = match std::env::var_os("CHAOS_SERVER_BIN") {
        Some(p) => p.into(),
        // A no-op when `cargo test --workspace` built the server already (it does, for its tests).
        None => tokio::task::spawn_blocking(build_server).await.unwrap().unwrap(),
    };
    let mut args = ChaosArgs::new(3, 3);
    args.server_bin = Some(server_bin);
    args.device_bin = Some(env!("CARGO_BIN_EXE_xtask").into());
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
}
