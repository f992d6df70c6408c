//! A simulated serial scanner: plays a script of scans (and faults) into the far end of a pty.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::serial::Suffix;

/// One step of the simulated scanner's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimStep {
    /// A code scanned: its UTF-8 bytes and the suffix.
    Code(String),
    /// A code as raw bytes (e.g. GB18030 from a scanner on the Chinese code page), plus the suffix.
    Bytes(Vec<u8>),
    /// Line noise: control bytes and stray empty lines, no code.
    Noise,
    /// The first half of a code, without suffix (power or cable lost mid-code).
    Truncated(String),
    Pause(Duration),
    /// The port vanishes: the simulator closes its end (an unplugged USB scanner).
    Vanish,
}

/// Bytes of [`SimStep::Noise`]: glitch bytes a UART picks up, and suffixes with no code.
pub const NOISE: &[u8] = &[0x00, 0xFF, 0x00, 0x7F, 0x18, b'\r', b'\n', 0x1B, 0x00, b'\r'];

/// Pause after each code when the suffix is [`Suffix::None`], well over the default 50 ms gap.
const GAP_PAUSE: Duration = Duration::from_millis(150);

/// Handle to a running simulated scanner; stops it (closing its end) on drop.
pub struct ScannerSim {
    stop: Arc<AtomicBool>,
    steps_done: Arc<AtomicUsize>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl ScannerSim {
    /// Plays `steps` into `port` on a thread, each code followed by `suffix`. After the script the
    /// port stays open (an idle scanner) until the handle is dropped, unless a step vanished.
    pub fn spawn<P: Write + Send + 'static>(mut port: P, suffix: Suffix, steps: Vec<SimStep>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let steps_done = Arc::new(AtomicUsize::new(0));
        let (sp, done) = (stop.clone(), steps_done.clone());
        let thread = thread::spawn(move || -> io::Result<()> {
            for step in steps {
                if sp.load(Ordering::Relaxed) {
                    return Ok(());
                }
                let code = |bytes: &[u8]| [bytes, suffix.bytes()].concat();
                let bytes = match step {
                    SimStep::Code(text) => code(text.as_bytes()),
                    SimStep::Bytes(b) => code(&b),
                    SimStep::Noise => NOISE.to_vec(),
                    SimStep::Truncated(text) => {
                        let b = text.as_bytes();
                        b.get(..b.len() / 2).unwrap_or(b).to_vec()
                    }
                    SimStep::Pause(d) => {
                        thread::sleep(d);
                        Vec::new()
                    }
                    SimStep::Vanish => {
                        drop(port);
                        done.fetch_add(1, Ordering::Relaxed);
                        return Ok(());
                    }
                };
                if !bytes.is_empty() {
                    port.write_all(&bytes)?;
                    port.flush()?;
                    if suffix == Suffix::None {
                        thread::sleep(GAP_PAUSE);
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            while !sp.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        });
        Self {
            stop,
            steps_done,
            thread: Some(thread),
        }
    }

    /// A simulator on the master side of a fresh pty pair; returns the slave side, which behaves
    /// like the scanner's serial port (its path is `slave.name()`).
    #[cfg(unix)]
    pub fn pty(suffix: Suffix, steps: Vec<SimStep>) -> io::Result<(Self, serialport::TTYPort)> {
        let (master, slave) = crate::pty_pair()?;
        Ok((Self::spawn(master, suffix, steps), slave))
    }

    /// Script steps played so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done.load(Ordering::Relaxed)
    }

    /// Stops the simulator and closes its end; returns a write error the script met, if any.
    pub fn stop(mut self) -> io::Result<()> {
        self.halt()
    }

    fn halt(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("scanner simulator panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for ScannerSim {
    fn drop(&mut self) {
        let _ = self.halt();
    }
}
