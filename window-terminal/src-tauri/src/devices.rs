//! The counter's peripherals: ID card reader, document camera, window LED, receipt printer, scanner. A
//! device configured as
//! `sim` runs the drivers' simulator of the far end on a pty pair, so the real byte protocol runs
//! even in tests; `none` means not installed (shown as absent, its actions refuse clearly).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_types::{DeviceHealth, DeviceStatus};
use drivers::camera::{Camera, PipelineConfig, Scan, SimCamera, SimConfig, process};
use drivers::display::{BusConfig, BusStatus, FrameCodec, Imm90022Codec, LedBus, ScreenSim, SerialBus};
use drivers::idcard::sim::{SimHandle, Simulator};
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, SerialTransport};
use drivers::printer::{PaperState, SimFault};
use drivers::scanner::Scan as Code;
use drivers::station::{PrinterReading, PrinterStation, ScannerStation};

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("{0}未配置 / {1} is not configured on this terminal")]
    Absent(&'static str, &'static str),
    #[error("读卡器上没有身份证 / no ID card on the reader")]
    NoCard,
    #[error("读卡失败 / card read failed: {0}")]
    Reader(String),
    #[error("高拍仪故障 / camera failed: {0}")]
    Camera(String),
    #[error("未识别到文件，请把材料平放在高拍仪下重拍 / no document found, place it flat and retake: {0}")]
    NoDocument(String),
    #[error("窗口屏故障 / window LED failed: {0}")]
    Led(String),
    #[error("无法启动模拟设备 / cannot start a simulated device: {0}")]
    Sim(String),
}

/// Where scanned codes go; set by the terminal once it exists (scans before that are dropped).
pub type ScanSink = Arc<Mutex<Option<Box<dyn Fn(Code) + Send + Sync>>>>;

/// The device settings of one terminal (`--idcard`, `--camera`, … as strings).
pub struct DeviceSettings<'a> {
    pub idcard: &'a str,
    pub camera: &'a str,
    pub led: &'a str,
    pub led_addr: u8,
    pub evaluator: &'a str,
    pub printer: &'a str,
    pub scanner: &'a str,
}

struct IdCard {
    reader: IdCardReader<SerialTransport>,
    sim: Option<SimHandle>,
}

struct Led {
    bus: LedBus,
    addr: u8,
    sim: Option<ScreenSim>,
}

pub struct Devices {
    idcard: Option<Mutex<IdCard>>,
    camera: Option<Mutex<Box<dyn Camera + Send>>>,
    led: Option<Led>,
    idcard_fault: Mutex<Option<String>>,
    camera_fault: Mutex<Option<String>>,
    evaluator: String,
    printer: Option<PrinterStation>,
    /// Why a configured printer could not be opened at start.
    printer_open_fault: Option<String>,
    scanner: Option<ScannerStation>,
    scanner_open_fault: Option<String>,
    scan_sink: ScanSink,
}

fn pty() -> Result<(serialport::TTYPort, serialport::TTYPort), DeviceError> {
    drivers::pty_pair().map_err(|e| DeviceError::Sim(e.to_string()))
}

impl Devices {
    pub fn open(settings: &DeviceSettings<'_>) -> Result<Devices, DeviceError> {
        let DeviceSettings {
            idcard,
            camera,
            led,
            led_addr,
            evaluator,
            printer,
            scanner,
        } = *settings;
        let config = ReaderConfig {
            attempts: 2,
            ..ReaderConfig::default()
        };
        let idcard = match idcard {
            "none" => None,
            "sim" => {
                let (master, slave) = pty()?;
                let sim = Simulator::new(None)
                    .map_err(|e| DeviceError::Sim(e.to_string()))?
                    .spawn(master);
                let reader = IdCardReader::with_config(SerialTransport::from_port(Box::new(slave)), config);
                Some(Mutex::new(IdCard { reader, sim: Some(sim) }))
            }
            path => {
                // A reader that cannot be opened now is a fault the chips show, not a start failure.
                match SerialTransport::open(path) {
                    Ok(t) => Some(Mutex::new(IdCard {
                        reader: IdCardReader::with_config(t, config),
                        sim: None,
                    })),
                    Err(e) => {
                        tracing::warn!("ID card reader {path}: {e}");
                        None
                    }
                }
            }
        };
        let camera: Option<Mutex<Box<dyn Camera + Send>>> = match camera {
            "none" => None,
            "sim" => Some(Mutex::new(Box::new(SimCamera::new(SimConfig {
                width: 1600,
                height: 1200,
                seed: 7,
                ..SimConfig::default()
            })))),
            path => open_camera(path),
        };
        let led = match led {
            "none" => None,
            spec => {
                let codec: Arc<dyn FrameCodec> = Arc::new(Imm90022Codec::default());
                let (transport, sim) = if spec == "sim" {
                    let (master, slave) = pty()?;
                    let sim = ScreenSim::spawn_pty(Arc::clone(&codec), master)
                        .map_err(|e| DeviceError::Sim(e.to_string()))?;
                    (SerialBus::from_port(Box::new(slave)), Some(sim))
                } else {
                    (
                        SerialBus::open(spec, 9600).map_err(|e| DeviceError::Led(e.to_string()))?,
                        None,
                    )
                };
                Some(Led {
                    bus: LedBus::start(transport, codec, [], BusConfig::default()),
                    addr: led_addr,
                    sim,
                })
            }
        };
        // A printer or scanner that cannot be opened now is shown as a fault, not a start failure.
        let (printer, printer_open_fault) = match PrinterStation::open(printer) {
            Ok(p) => (p, None),
            Err(e) => {
                tracing::warn!("printer {printer}: {e}");
                (None, Some(e.to_string()))
            }
        };
        let scan_sink: ScanSink = Arc::new(Mutex::new(None));
        let sink = Arc::clone(&scan_sink);
        let on_scan = Box::new(move |scan: Code| {
            if let Some(f) = lock(&sink).as_ref() {
                f(scan);
            }
        });
        let (scanner, scanner_open_fault) = match ScannerStation::open(scanner, on_scan) {
            Ok(s) => (s, None),
            Err(e) => {
                tracing::warn!("scanner {scanner}: {e}");
                (None, Some(e.to_string()))
            }
        };
        Ok(Devices {
            idcard,
            camera,
            led,
            idcard_fault: Mutex::new(None),
            camera_fault: Mutex::new(None),
            evaluator: evaluator.to_owned(),
            printer,
            printer_open_fault,
            scanner,
            scanner_open_fault,
            scan_sink,
        })
    }

    /// Where scanned codes go from now on.
    pub fn on_scan(&self, f: Box<dyn Fn(Code) + Send + Sync>) {
        *lock(&self.scan_sink) = Some(f);
    }

    /// Asks the printer for its paper/cover state (blocking, bounded by the driver's deadline).
    pub fn poll_printer(&self) {
        if let Some(p) = &self.printer {
            p.poll();
        }
    }

    /// Puts the simulated printer in `fault` (`paper_near_end`, `paper_out`, `cover_open`, `ok`).
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
            "offline" => SimFault::Offline,
            "silent" => SimFault::Silent,
            other => return Err(DeviceError::Sim(format!("unknown printer fault {other:?}"))),
        });
        Ok(())
    }

    /// The simulated scanner reads `code`.
    pub fn sim_scan(&self, code: &str) -> Result<(), DeviceError> {
        self.scanner
            .as_ref()
            .ok_or(DeviceError::Absent("扫码器", "scanner"))?
            .sim_scan(code)
            .map_err(|e| DeviceError::Sim(e.to_string()))
    }

    /// Puts `card` on (or takes it off) the simulated reader. Only for `sim` readers.
    pub fn sim_present_card(&self, card: Option<CardInfo>) -> Result<(), DeviceError> {
        let ic = self
            .idcard
            .as_ref()
            .ok_or(DeviceError::Absent("身份证读卡器", "ID card reader"))?;
        let guard = lock(ic);
        let sim = guard
            .sim
            .as_ref()
            .ok_or(DeviceError::Sim("reader is not simulated".into()))?;
        sim.set_card(card).map_err(|e| DeviceError::Sim(e.to_string()))
    }

    /// Reads the card on the reader (blocking: call from a blocking thread).
    pub fn read_card(&self) -> Result<CardInfo, DeviceError> {
        let ic = self
            .idcard
            .as_ref()
            .ok_or(DeviceError::Absent("身份证读卡器", "ID card reader"))?;
        // Staff press 读身份证 on purpose, so a card still lying on the reader is read again.
        let result = lock(ic).reader.read_present();
        let mut fault = lock(&self.idcard_fault);
        match result {
            Ok(Some(card)) => {
                *fault = None;
                Ok(card)
            }
            Ok(None) => {
                *fault = None;
                Err(DeviceError::NoCard)
            }
            Err(e) => {
                *fault = Some(e.to_string());
                Err(DeviceError::Reader(e.to_string()))
            }
        }
    }

    /// One frame from the document camera through the crop pipeline (blocking).
    pub fn scan(&self) -> Result<Scan, DeviceError> {
        let cam = self
            .camera
            .as_ref()
            .ok_or(DeviceError::Absent("高拍仪", "document camera"))?;
        let frame = lock(cam).capture();
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                *lock(&self.camera_fault) = Some(e.to_string());
                return Err(DeviceError::Camera(e.to_string()));
            }
        };
        *lock(&self.camera_fault) = None;
        let cfg = PipelineConfig {
            max_bytes: 300 * 1024,
            max_long_side: 1400,
            ..PipelineConfig::default()
        };
        process(&frame, &cfg).map_err(|e| DeviceError::NoDocument(e.to_string()))
    }

    /// A JPEG photo of the citizen for the evaluation (the camera stands in for the evaluator's own
    /// camera here; the same pipeline output, uncropped content is not needed).
    pub fn photo(&self) -> Result<Vec<u8>, DeviceError> {
        Ok(self.scan()?.jpeg)
    }

    /// Shows `text` on this window's LED (never blocks on the line).
    pub fn led_show(&self, text: &str) -> Result<(), DeviceError> {
        match &self.led {
            None => Ok(()),
            Some(l) => l
                .bus
                .show_address(l.addr, text)
                .map_err(|e| DeviceError::Led(e.to_string())),
        }
    }

    /// Waits until the simulated LED shows `text`; how long it took from `since`.
    pub fn sim_led_wait(&self, text: &str, since: Instant, within: Duration) -> Option<Duration> {
        let l = self.led.as_ref()?;
        let sim = l.sim.as_ref()?;
        let addr = l.addr;
        if !sim.wait_for(within, |shown| {
            shown
                .iter()
                .any(|s| s.address == addr && s.text == text && s.at >= since)
        }) {
            return None;
        }
        sim.shown()
            .iter()
            .find(|s| s.address == addr && s.text == text && s.at >= since)
            .map(|s| s.at.saturating_duration_since(since))
    }

    pub fn sim_led_text(&self) -> Option<String> {
        let l = self.led.as_ref()?;
        l.sim.as_ref()?.text_of(l.addr)
    }

    /// The chips: one per device, with the fault text when there is one.
    pub fn status(&self) -> Vec<DeviceStatus> {
        let chip = |device: &str, present: bool, fault: Option<String>| DeviceStatus {
            device: device.into(),
            health: match (present, &fault) {
                (false, _) => DeviceHealth::Absent,
                (true, Some(_)) => DeviceHealth::Fault,
                (true, None) => DeviceHealth::Ok,
            },
            detail: fault,
        };
        let led_fault = self.led.as_ref().and_then(|l| match l.bus.status() {
            BusStatus::Running => None,
            other => Some(format!("{other:?}")),
        });
        vec![
            chip("idcard", self.idcard.is_some(), lock(&self.idcard_fault).clone()),
            chip("camera", self.camera.is_some(), lock(&self.camera_fault).clone()),
            chip("led", self.led.is_some(), led_fault),
            self.printer_chip(),
            match (&self.scanner, &self.scanner_open_fault) {
                (Some(s), _) => chip("scanner", true, s.fault()),
                (None, Some(e)) => chip("scanner", true, Some(e.clone())),
                (None, None) => chip("scanner", false, None),
            },
            chip("evaluator", self.evaluator != "none", None),
        ]
    }

    /// Paper near end is a warning (load paper soon); out of paper, cover open, offline or no answer
    /// are faults. Not polled yet counts as working: the first poll comes within seconds.
    fn printer_chip(&self) -> DeviceStatus {
        let status = |health, detail: Option<&str>| DeviceStatus {
            device: "printer".into(),
            health,
            detail: detail.map(str::to_owned),
        };
        let Some(p) = &self.printer else {
            return match &self.printer_open_fault {
                Some(e) => status(DeviceHealth::Fault, Some(e.as_str())),
                None => status(DeviceHealth::Absent, None),
            };
        };
        match p.last() {
            PrinterReading::Unknown => status(DeviceHealth::Ok, None),
            PrinterReading::Unreachable { error } => status(
                DeviceHealth::Fault,
                Some(&format!("打印机无应答 / printer does not answer: {error}")),
            ),
            PrinterReading::Status(s) if s.cover_open => {
                status(DeviceHealth::Fault, Some("打印机盖未关 / printer cover open"))
            }
            PrinterReading::Status(s) if s.paper == PaperState::Out => {
                status(DeviceHealth::Fault, Some("打印机缺纸 / printer out of paper"))
            }
            PrinterReading::Status(s) if s.blocking_fault().is_some() => status(
                DeviceHealth::Fault,
                Some("打印机离线或故障 / printer offline or in error"),
            ),
            PrinterReading::Status(s) if s.paper == PaperState::NearEnd => {
                status(DeviceHealth::Warning, Some("打印纸将用尽 / paper near end"))
            }
            PrinterReading::Status(_) => status(DeviceHealth::Ok, None),
        }
    }
}

#[cfg(target_os = "linux")]
fn open_camera(path: &str) -> Option<Mutex<Box<dyn Camera + Send>>> {
    match drivers::camera::V4l2Camera::open(path) {
        Ok(c) => Some(Mutex::new(Box::new(c))),
        Err(e) => {
            tracing::warn!("camera {path}: {e}");
            None
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn open_camera(path: &str) -> Option<Mutex<Box<dyn Camera + Send>>> {
    tracing::warn!("camera {path}: V4L2 cameras are supported on Linux only");
    None
}

/// A poisoned lock only means another command panicked mid-read; the device state is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
