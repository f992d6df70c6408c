//! The drivers' tests that run in this process, one module per area: codecs and golden bytes, the
//! drivers against their simulators over real pty pairs, loopback sockets and synthetic photos. One
//! test binary (one link) for all of them.
//!
//! The tests that run the `devicectl` binary are a test binary of their own (`tests/devicectl`):
//! serialport opens pty pairs without close-on-exec, so a child spawned by one test inherits the pty
//! ends another test holds open in the same process, and a simulated unplug here (the far end
//! closed) would not reach the driver while such a child lives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod camera;
mod display;
mod evaluator;
mod idcard;
#[cfg(unix)]
mod idcard_pty;
mod printer_commands;
mod printer_driver;
mod printer_props;
mod printer_sim;
mod printer_status;
#[cfg(unix)]
mod printer_usb;
mod scanner;
