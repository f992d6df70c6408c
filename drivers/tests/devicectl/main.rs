//! The `devicectl` binary run as a field technician runs it, one module per device: against its
//! built-in simulators (`--sim`), against the simulators on real pty pairs (the test runs the
//! simulator on one end and hands the other end's path to `--port`), and QR photos on disk. One test
//! binary for all of them, apart from the in-process tests (`tests/it`, which says why).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod camera;
mod evaluator;
#[cfg(unix)]
mod idcard_printer;
#[cfg(unix)]
mod led;
#[cfg(unix)]
mod scanner;
