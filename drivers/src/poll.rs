//! Waiting on a simulator's recorded state from a test or tool.

use std::thread;
use std::time::{Duration, Instant};

/// Calls `f` every 5 ms until it returns `Some` or `timeout` passes (`f` runs at least once).
/// Simulators record what they saw under a mutex; polling keeps them free of condition variables.
pub(crate) fn poll_until<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}
