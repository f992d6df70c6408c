//! The counter's peripherals: ID card reader, document camera, window LED. A device configured as
//! `sim` runs the drivers' simulator of the far end on a pty pair, so the real byte protocol runs
//! even in tests; `none` means not installed (shown as absent, its actions refuse clearly).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_types::{DeviceHealth, DeviceStatus};
use drivers::camera::{Camera, PipelineConfig, Scan, SimCamera, SimConfig, process};
use drivers::display::{BusConfig, BusStatus, FrameCodec, Imm90022Codec, LedBus, ScreenSim, SerialBus};
use drivers::idcard::sim::{SimHandle, Simulator};
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, SerialTransport};

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
}

fn pty() -> Result<(serialport::TTYPort, serialport::TTYPort), DeviceError> {
    serialport::TTYPort::pair().map_err(|e| DeviceError::Sim(e.to_string()))
}

impl Devices {
    pub fn open(idcard: &str, camera: &str, led: &str, led_addr: u8, evaluator: &str) -> Result<Devices, DeviceError> {
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
        Ok(Devices {
            idcard,
            camera,
            led,
            idcard_fault: Mutex::new(None),
            camera_fault: Mutex::new(None),
            evaluator: evaluator.to_owned(),
        })
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
        let mut guard = lock(ic);
        // Staff press 读身份证 on purpose, so a card still lying on the reader is read again (the
        // driver's read_card reports each presentation once, which suits polling, not a button).
        let result = (|| -> Result<Option<CardInfo>, drivers::idcard::ReaderError> {
            if !guard.reader.find()? {
                return Ok(None);
            }
            guard.reader.select()?;
            guard.reader.read().map(Some)
        })();
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
            // No printer at a counter unless configured; shown so staff see it is intentionally absent.
            chip("printer", false, None),
            chip("evaluator", self.evaluator != "none", None),
        ]
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
