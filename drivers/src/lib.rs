//! Hall peripherals. Each device sits behind a trait with a real backend that speaks the device's byte
//! protocol and a simulator that speaks the far end of the same protocol (over a pseudo-terminal pair
//! or a loopback socket), so everything above can be tested without hardware.

pub mod camera;
pub mod display;
pub mod evaluator;
pub mod idcard;
mod poll;
pub mod printer;
pub mod scanner;
pub mod station;

/// A fresh pseudo-terminal pair (master, slave) for a simulator. `TTYPort::pair` is not thread-safe
/// (see serialport's own tests) and simulators start in parallel, so every caller goes through one lock.
#[cfg(unix)]
pub fn pty_pair() -> std::io::Result<(serialport::TTYPort, serialport::TTYPort)> {
    static PAIR_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = PAIR_LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    serialport::TTYPort::pair().map_err(std::io::Error::from)
}
