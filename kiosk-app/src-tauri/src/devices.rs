//! The kiosk's peripherals: ID card reader, ticket printer, QR scanner. `sim` runs each driver's
//! simulator of the far end on a pty pair (the real byte protocol); `none` = not installed.

use std::sync::{Arc, Mutex};

use app_types::{DeviceHealth, DeviceStatus};
use drivers::idcard::sim::{SimHandle, Simulator};
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, SerialTransport};
use drivers::printer::{HallTicket, PaperState, PrinterError, SimFault};
use drivers::scanner::Scan;
use drivers::station::{PrinterReading, PrinterStation, ScannerStation};

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("{0}未配置 / {1} is not installed on this kiosk")]
    Absent(&'static str, &'static str),
    #[error("读卡失败，请重新放置身份证 / card read failed, place the card again: {0}")]
    Reader(String),
    #[error("无法启动模拟设备 / cannot start a simulated device: {0}")]
    Sim(String),
}

/// Where scanned codes go; set once the kiosk exists.
pub type ScanSink = Arc<Mutex<Option<Box<dyn Fn(Scan) + Send + Sync>>>>;

struct Reader {
    reader: IdCardReader<SerialTransport>,
    sim: Option<SimHandle>,
}

pub struct Devices {
    idcard: Option<Mutex<Reader>>,
    idcard_fault: Mutex<Option<String>>,
    printer: Option<PrinterStation>,
    printer_open_fault: Option<String>,
    scanner: Option<ScannerStation>,
    scanner_open_fault: Option<String>,
    scan_sink: ScanSink,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Devices {
    pub fn open(idcard: &str, printer: &str, scanner: &str) -> Result<Devices, DeviceError> {
        let config = ReaderConfig {
            attempts: 1,
            ..ReaderConfig::default()
        };
        let idcard = match idcard {
            "none" => None,
            "sim" => {
                let (master, slave) = drivers::pty_pair().map_err(|e| DeviceError::Sim(e.to_string()))?;
                let sim = Simulator::new(None)
                    .map_err(|e| DeviceError::Sim(e.to_string()))?
                    .spawn(master);
                let reader = IdCardReader::with_config(SerialTransport::from_port(Box::new(slave)), config);
                Some(Mutex::new(Reader { reader, sim: Some(sim) }))
            }
            path => match SerialTransport::open(path) {
                Ok(t) => Some(Mutex::new(Reader {
                    reader: IdCardReader::with_config(t, config),
                    sim: None,
                })),
                Err(e) => {
                    tracing::warn!("ID card reader {path}: {e}");
                    None
                }
            },
        };
        let (printer, printer_open_fault) = match PrinterStation::open(printer) {
            Ok(p) => (p, None),
            Err(e) => (None, Some(e.to_string())),
        };
        let scan_sink: ScanSink = Arc::new(Mutex::new(None));
        let sink = Arc::clone(&scan_sink);
        let on_scan = Box::new(move |scan: Scan| {
            if let Some(f) = lock(&sink).as_ref() {
                f(scan);
            }
        });
        let (scanner, scanner_open_fault) = match ScannerStation::open(scanner, on_scan) {
            Ok(s) => (s, None),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(Devices {
            idcard,
            idcard_fault: Mutex::new(None),
            printer,
            printer_open_fault,
            scanner,
            scanner_open_fault,
            scan_sink,
        })
    }

    pub fn on_scan(&self, f: Box<dyn Fn(Scan) + Send + Sync>) {
        *lock(&self.scan_sink) = Some(f);
    }

    /// Looks for a card on the reader (blocking, about 100 ms without one). `Ok(None)`: no card.
    pub fn read_card(&self) -> Result<Option<CardInfo>, DeviceError> {
        let r = self
            .idcard
            .as_ref()
            .ok_or(DeviceError::Absent("身份证读卡器", "ID card reader"))?;
        let result = lock(r).reader.read_present();
        let mut fault = lock(&self.idcard_fault);
        match result {
            Ok(c) => {
                *fault = None;
                Ok(c)
            }
            Err(e) => {
                *fault = Some(e.to_string());
                Err(DeviceError::Reader(e.to_string()))
            }
        }
    }

    pub fn sim_present_card(&self, card: Option<CardInfo>) -> Result<(), DeviceError> {
        let r = self
            .idcard
            .as_ref()
            .ok_or(DeviceError::Absent("身份证读卡器", "ID card reader"))?;
        let g = lock(r);
        let sim = g
            .sim
            .as_ref()
            .ok_or(DeviceError::Sim("reader is not simulated".into()))?;
        sim.set_card(card).map_err(|e| DeviceError::Sim(e.to_string()))
    }

    /// Polls the printer (blocking); whether it can print now and, if not, why.
    pub fn printer_ready(&self) -> Result<(), String> {
        let Some(p) = &self.printer else {
            return Err("未配置打印机 / no printer".into());
        };
        match p.poll() {
            PrinterReading::Status(s) => match s.blocking_fault() {
                None => Ok(()),
                Some(f) => Err(fault_text(f)),
            },
            PrinterReading::Unreachable { error } => Err(format!("打印机无应答 / printer does not answer: {error}")),
            PrinterReading::Unknown => Ok(()),
        }
    }

    pub fn poll_printer(&self) {
        if let Some(p) = &self.printer {
            p.poll();
        }
    }

    /// Prints and confirms a ticket (blocking).
    pub fn print(&self, ticket: &HallTicket) -> Result<(), String> {
        let p = self.printer.as_ref().ok_or("未配置打印机 / no printer")?;
        p.print(ticket).map(|_| ()).map_err(|e| match e {
            PrinterError::NotReady(f) | PrinterError::StoppedMidPrint(f) => fault_text(f),
            other => other.to_string(),
        })
    }

    /// Prints and confirms a text document (blocking).
    pub fn print_document(&self, doc: &drivers::printer::Document) -> Result<(), String> {
        let p = self.printer.as_ref().ok_or("未配置打印机 / no printer")?;
        p.print_document(doc).map(|_| ()).map_err(|e| match e {
            PrinterError::NotReady(f) | PrinterError::StoppedMidPrint(f) => fault_text(f),
            other => other.to_string(),
        })
    }

    /// What the simulated printer put on paper (test hook).
    pub fn sim_printed(&self) -> Option<String> {
        Some(self.printer.as_ref()?.sim()?.record().text())
    }

    pub fn sim_printer(&self, fault: &str) -> Result<(), DeviceError> {
        let sim = self
            .printer
            .as_ref()
            .and_then(PrinterStation::sim)
            .ok_or(DeviceError::Sim("printer is not simulated".into()))?;
        sim.set_fault(match fault {
            "ok" => SimFault::None,
            "paper_near_end" => SimFault::PaperNearEnd,
            "paper_out" => SimFault::PaperOutAfterLines(0),
            "cover_open" => SimFault::CoverOpen,
            "silent" => SimFault::Silent,
            other => return Err(DeviceError::Sim(format!("unknown printer fault {other:?}"))),
        });
        Ok(())
    }

    pub fn sim_scan(&self, code: &str) -> Result<(), DeviceError> {
        self.scanner
            .as_ref()
            .ok_or(DeviceError::Absent("扫码器", "scanner"))?
            .sim_scan(code)
            .map_err(|e| DeviceError::Sim(e.to_string()))
    }

    pub fn status(&self) -> Vec<DeviceStatus> {
        let chip = |device: &str, health: DeviceHealth, detail: Option<String>| DeviceStatus {
            device: device.into(),
            health,
            detail,
        };
        let present = |p: bool, fault: Option<String>| match (p, fault) {
            (false, _) => (DeviceHealth::Absent, None),
            (true, Some(f)) => (DeviceHealth::Fault, Some(f)),
            (true, None) => (DeviceHealth::Ok, None),
        };
        let (h, d) = present(self.idcard.is_some(), lock(&self.idcard_fault).clone());
        let idcard = chip("idcard", h, d);
        let printer = match (&self.printer, &self.printer_open_fault) {
            (None, Some(e)) => chip("printer", DeviceHealth::Fault, Some(e.clone())),
            (None, None) => chip("printer", DeviceHealth::Absent, None),
            (Some(p), _) => match p.last() {
                PrinterReading::Unknown => chip("printer", DeviceHealth::Ok, None),
                PrinterReading::Unreachable { error } => chip("printer", DeviceHealth::Fault, Some(error)),
                PrinterReading::Status(s) => match s.blocking_fault() {
                    Some(f) => chip("printer", DeviceHealth::Fault, Some(fault_text(f))),
                    None if s.paper == PaperState::NearEnd => chip(
                        "printer",
                        DeviceHealth::Warning,
                        Some("打印纸将用尽 / paper near end".into()),
                    ),
                    None => chip("printer", DeviceHealth::Ok, None),
                },
            },
        };
        let scanner = match (&self.scanner, &self.scanner_open_fault) {
            (Some(s), _) => {
                let (h, d) = present(true, s.fault());
                chip("scanner", h, d)
            }
            (None, Some(e)) => chip("scanner", DeviceHealth::Fault, Some(e.clone())),
            (None, None) => chip("scanner", DeviceHealth::Absent, None),
        };
        vec![idcard, printer, scanner]
    }
}

fn fault_text(f: drivers::printer::Fault) -> String {
    use drivers::printer::Fault;
    match f {
        Fault::PaperOut => "打印机缺纸 / printer out of paper",
        Fault::CoverOpen => "打印机盖未关 / printer cover open",
        Fault::Offline => "打印机离线 / printer offline",
        Fault::DeviceError => "打印机故障 / printer error",
    }
    .into()
}
