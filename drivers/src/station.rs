//! Devices as the apps configure them: one setting string per device (`sim`, a device path,
//! `tcp:HOST:PORT`, `hid:VID:PID`, `none`) opened into a long-lived handle. The counter and the kiosk
//! share this, so both read a printer's paper state and a scanner's codes the same way; `sim` runs the
//! drivers' simulator of the far end over a pty pair, so the real byte protocol runs in demos and tests.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

use crate::printer::usb::{UsbLpTransport, is_usblp_path};
use crate::printer::{
    HallTicket, Printed, PrinterError, PrinterSim, PrinterStatus, SerialTransport, TcpTransport, TicketPrinter,
    Transport,
};
use crate::scanner::{
    HidPosScanner, HidSource, Scan, Scanner, ScannerError, SerialConfig, SerialScanner, SerialSource,
};

/// A poisoned lock only means a thread panicked mid-call; the device handle is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the last status poll of a printer found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PrinterReading {
    /// Not polled yet.
    Unknown,
    Status(PrinterStatus),
    /// No usable answer (unplugged, powered off, garbled): the text says why.
    Unreachable {
        error: String,
    },
}

/// A receipt/ticket printer opened from its setting.
pub struct PrinterStation {
    printer: Mutex<TicketPrinter<Box<dyn Transport>>>,
    sim: Option<PrinterSim>,
    last: Mutex<PrinterReading>,
}

impl PrinterStation {
    /// `none` → `Ok(None)`; `sim`; `tcp:HOST:PORT` (raw port 9100); a USB printer-class node
    /// (`/dev/usb/lp0`); otherwise a serial port path, optionally `PATH@BAUD` (default 9600).
    pub fn open(spec: &str) -> Result<Option<PrinterStation>, PrinterError> {
        let (transport, sim): (Box<dyn Transport>, _) = match spec {
            "none" => return Ok(None),
            "sim" => {
                let (sim, port) = PrinterSim::pty().map_err(PrinterError::Open)?;
                (Box::new(SerialTransport::from_port(Box::new(port))), Some(sim))
            }
            s if s.starts_with("tcp:") => {
                let host = &s["tcp:".len()..];
                let t = TcpTransport::connect_host(host, Duration::from_secs(2)).map_err(PrinterError::Open)?;
                (Box::new(t), None)
            }
            path if is_usblp_path(path) => (Box::new(UsbLpTransport::open(path).map_err(PrinterError::Open)?), None),
            s => {
                let (path, baud) = split_baud(s, 9600)?;
                (
                    Box::new(SerialTransport::open(path, baud).map_err(PrinterError::Open)?),
                    None,
                )
            }
        };
        Ok(Some(PrinterStation {
            printer: Mutex::new(TicketPrinter::new(transport)),
            sim,
            last: Mutex::new(PrinterReading::Unknown),
        }))
    }

    /// Asks the printer for its real-time status (blocking, bounded by the driver's deadline).
    pub fn poll(&self) -> PrinterReading {
        let reading = match lock(&self.printer).status() {
            Ok(s) => PrinterReading::Status(s),
            Err(e) => PrinterReading::Unreachable { error: e.to_string() },
        };
        *lock(&self.last) = reading.clone();
        reading
    }

    /// The reading of the last poll or print.
    pub fn last(&self) -> PrinterReading {
        lock(&self.last).clone()
    }

    /// Prints and confirms a ticket (blocking); the status seen on the way becomes the last reading.
    pub fn print(&self, ticket: &HallTicket) -> Result<Printed, PrinterError> {
        let mut p = lock(&self.printer);
        let result = p.print(ticket);
        drop(p);
        // A print that failed on a fault leaves the fault to be seen; poll once so the chip shows it.
        if result.is_err() {
            self.poll();
        }
        result
    }

    /// Prints and confirms a text document (blocking).
    pub fn print_document(&self, doc: &crate::printer::Document) -> Result<Printed, PrinterError> {
        let result = lock(&self.printer).print_document(doc);
        if result.is_err() {
            self.poll();
        }
        result
    }

    /// The simulated printer, with `sim`.
    pub fn sim(&self) -> Option<&PrinterSim> {
        self.sim.as_ref()
    }
}

fn split_baud(spec: &str, default: u32) -> Result<(&str, u32), PrinterError> {
    match spec.rsplit_once('@') {
        Some((path, baud)) => baud.parse().map(|b| (path, b)).map_err(|_| {
            PrinterError::Unsupported("串口设置应为 PATH 或 PATH@BAUD / a serial setting is PATH or PATH@BAUD")
        }),
        None => Ok((spec, default)),
    }
}

/// What a scanner station delivers to the app.
pub type OnScan = Box<dyn Fn(Scan) + Send + Sync>;

/// A barcode/QR scanner read on its own thread; every code goes to the app's callback.
pub struct ScannerStation {
    fault: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// The far end of the simulated scanner's pty: codes written here arrive as scans.
    sim: Option<Mutex<serialport::TTYPort>>,
}

/// How long a read waits before the thread looks at its stop flag again.
const READ_SLICE: Duration = Duration::from_millis(300);
/// Pause before reopening a scanner that went away (unplugged, powered off).
const REOPEN_AFTER: Duration = Duration::from_secs(2);

impl ScannerStation {
    /// `none` → `Ok(None)`; `sim`; `hid:VID:PID` or `hid:/dev/hidrawN` (HID-POS); otherwise a serial /
    /// CDC-ACM port path, optionally `PATH@BAUD` (default 9600), codes ending in CR.
    pub fn open(spec: &str, on_scan: OnScan) -> Result<Option<ScannerStation>, ScannerError> {
        let (first, sim): (Box<dyn Scanner>, _) = match spec {
            "none" => return Ok(None),
            "sim" => {
                let (master, slave) = crate::pty_pair().map_err(|e| ScannerError::Open {
                    device: "sim".into(),
                    source: e,
                })?;
                let s = SerialScanner::new(SerialSource::from_port(Box::new(slave)), SerialConfig::default());
                (Box::new(s), Some(Mutex::new(master)))
            }
            s => (open_scanner(s)?, None),
        };
        let fault = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let reopen = (spec != "sim").then(|| spec.to_owned());
        let (f, st) = (Arc::clone(&fault), Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("scanner".into())
            .spawn(move || read_loop(first, reopen, on_scan, &f, &st))
            .map_err(ScannerError::Io)?;
        Ok(Some(ScannerStation {
            fault,
            stop,
            thread: Some(thread),
            sim,
        }))
    }

    /// Why the scanner cannot be read now (unplugged…), `None` while it works.
    pub fn fault(&self) -> Option<String> {
        lock(&self.fault).clone()
    }

    /// With `sim`: the simulated scanner sends `code` (CR-terminated, as a real serial scanner).
    pub fn sim_scan(&self, code: &str) -> std::io::Result<()> {
        let sim = self
            .sim
            .as_ref()
            .ok_or_else(|| std::io::Error::other("scanner is not simulated"))?;
        let mut port = lock(sim);
        port.write_all(code.as_bytes())?;
        port.write_all(b"\r")?;
        port.flush()
    }
}

impl Drop for ScannerStation {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn open_scanner(spec: &str) -> Result<Box<dyn Scanner>, ScannerError> {
    if let Some(dev) = spec.strip_prefix("hid:") {
        return Ok(Box::new(HidPosScanner::new(HidSource::open(dev)?)));
    }
    let (path, baud) = match spec.rsplit_once('@') {
        Some((p, b)) => (
            p,
            b.parse().map_err(|_| ScannerError::Open {
                device: spec.to_owned(),
                source: std::io::Error::other("a serial setting is PATH or PATH@BAUD"),
            })?,
        ),
        None => (spec, 9600),
    };
    Ok(Box::new(SerialScanner::new(
        SerialSource::open(path, baud)?,
        SerialConfig::default(),
    )))
}

fn read_loop(
    first: Box<dyn Scanner>,
    reopen: Option<String>,
    on_scan: OnScan,
    fault: &Mutex<Option<String>>,
    stop: &AtomicBool,
) {
    let mut scanner = Some(first);
    while !stop.load(Ordering::Relaxed) {
        let Some(s) = scanner.as_mut() else {
            std::thread::sleep(REOPEN_AFTER);
            match reopen.as_deref().map(open_scanner) {
                Some(Ok(s)) => {
                    *lock(fault) = None;
                    scanner = Some(s);
                }
                Some(Err(e)) => *lock(fault) = Some(e.to_string()),
                None => {}
            }
            continue;
        };
        match s.next_scan(READ_SLICE) {
            Ok(Some(scan)) => on_scan(scan),
            Ok(None) => {}
            // One bad code: report it, keep reading.
            Err(e) if e.is_recoverable() => tracing::warn!("scanner: {e}"),
            Err(e) => {
                tracing::warn!("scanner: {e}");
                *lock(fault) = Some(e.to_string());
                scanner = None;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::printer::SimFault;
    use std::sync::mpsc;

    #[test]
    fn printer_paper_states_are_read_over_the_real_protocol() {
        let p = PrinterStation::open("sim").unwrap().unwrap();
        assert_eq!(p.last(), PrinterReading::Unknown);
        let PrinterReading::Status(s) = p.poll() else {
            panic!("no status")
        };
        assert!(s.online && s.paper == crate::printer::PaperState::Ok);
        p.sim().unwrap().set_fault(SimFault::PaperNearEnd);
        let PrinterReading::Status(s) = p.poll() else {
            panic!("no status")
        };
        assert_eq!(s.paper, crate::printer::PaperState::NearEnd);
        p.sim().unwrap().set_fault(SimFault::CoverOpen);
        let PrinterReading::Status(s) = p.poll() else {
            panic!("no status")
        };
        assert!(s.cover_open);
        p.sim().unwrap().set_fault(SimFault::Silent);
        assert!(matches!(p.poll(), PrinterReading::Unreachable { .. }));
        assert!(matches!(p.last(), PrinterReading::Unreachable { .. }));
    }

    #[test]
    fn none_is_no_device_and_a_bad_path_is_an_open_error() {
        assert!(PrinterStation::open("none").unwrap().is_none());
        assert!(matches!(
            PrinterStation::open("/dev/nonexistent-printer"),
            Err(PrinterError::Open(_))
        ));
        assert!(matches!(
            PrinterStation::open("/dev/ttyS0@fast"),
            Err(PrinterError::Unsupported(_))
        ));
        assert!(ScannerStation::open("none", Box::new(|_| {})).unwrap().is_none());
        assert!(ScannerStation::open("/dev/nonexistent-scanner", Box::new(|_| {})).is_err());
    }

    #[test]
    fn simulated_scans_reach_the_callback_in_order() {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let s = ScannerStation::open(
            "sim",
            Box::new(move |scan| {
                let _ = lock(&tx).send(scan.text);
            }),
        )
        .unwrap()
        .unwrap();
        s.sim_scan("YY20261124001").unwrap();
        s.sim_scan("办件回执 123").unwrap();
        let got: Vec<String> = (0..2)
            .map(|_| rx.recv_timeout(Duration::from_secs(3)).unwrap())
            .collect();
        assert_eq!(got, ["YY20261124001", "办件回执 123"]);
        assert_eq!(s.fault(), None);
    }
}
