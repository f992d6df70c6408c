//! The real document camera over V4L2: nearly every 高拍仪 is a UVC camera (`uvcvideo`).
//!
//! Opens the device non-blocking, takes the largest MJPEG size (YUYV only if there is no MJPEG:
//! at full resolution USB 2.0 carries uncompressed YUYV at a frame or two per second), captures
//! through an mmap stream with a poll timeout, and drops the first frames while auto exposure
//! settles.

use std::io;
use std::path::Path;
use std::time::Duration;

use image::{ImageFormat, RgbImage};
use v4l::buffer::Type;
use v4l::capability::Flags;
use v4l::framesize::FrameSizeEnum;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;
use v4l::video::Capture;
use v4l::{Device, Format, FourCC};

use super::{Camera, CameraError, DeviceInfo, yuyv_to_rgb};

const MJPG: FourCC = FourCC { repr: *b"MJPG" };
const YUYV: FourCC = FourCC { repr: *b"YUYV" };

/// A UVC document camera.
pub struct V4l2Camera {
    device: Device,
    info: DeviceInfo,
    fourcc: FourCC,
    stride: u32,
    timeout: Duration,
    warmup: u32,
}

impl std::fmt::Debug for V4l2Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4l2Camera")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl V4l2Camera {
    /// Opens `path` (e.g. `/dev/video0`) and selects the largest MJPEG (else YUYV) frame size.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CameraError> {
        let path_ref = path.as_ref();
        guard(&path_ref.display().to_string(), || Self::open_inner(path_ref))
    }

    fn open_inner(path_ref: &Path) -> Result<Self, CameraError> {
        let p = path_ref.display().to_string();
        // Non-blocking open: a wedged device cannot hang us here, and `poll` bounds every wait.
        let device = Device::with_path(path_ref).map_err(|source| CameraError::Open {
            path: p.clone(),
            source,
        })?;
        // Any non-V4L2 file (a regular file, /dev/null, a tty) fails this ioctl with ENOTTY.
        let caps = device.query_caps().map_err(|e| CameraError::NotCapture {
            path: p.clone(),
            reason: format!("VIDIOC_QUERYCAP: {e}"),
        })?;
        if !caps.capabilities.contains(Flags::VIDEO_CAPTURE) || !caps.capabilities.contains(Flags::STREAMING) {
            return Err(CameraError::NotCapture {
                path: p,
                reason: format!("capabilities {:?} lack video capture with streaming", caps.capabilities),
            });
        }
        let io_err = |what: &'static str| {
            let path = p.clone();
            move |source: io::Error| CameraError::Io { path, what, source }
        };
        let formats = device
            .enum_formats()
            .map_err(io_err("枚举格式 / enumerating formats"))?;
        let has = |f: FourCC| formats.iter().any(|d| d.fourcc == f);
        let fourcc = if has(MJPG) {
            MJPG
        } else if has(YUYV) {
            YUYV
        } else {
            let offered: Vec<String> = formats.iter().map(|d| d.fourcc.to_string()).collect();
            return Err(CameraError::NoFormat {
                path: p,
                offered: offered.join(", "),
            });
        };
        let (w, h) = largest_size(&device, fourcc)
            .or_else(|| device.format().ok().map(|f| (f.width, f.height)))
            .unwrap_or((640, 480));
        let fmt = device
            .set_format(&Format::new(w, h, fourcc))
            .map_err(io_err("设置格式 / setting the format"))?;
        if fmt.fourcc != fourcc {
            return Err(CameraError::NoFormat {
                path: p,
                offered: format!("driver switched {fourcc} to {}", fmt.fourcc),
            });
        }
        let info = DeviceInfo {
            path: p,
            name: caps.card,
            driver: caps.driver,
            width: fmt.width,
            height: fmt.height,
            format: fourcc.to_string(),
        };
        Ok(Self {
            device,
            info,
            fourcc,
            stride: fmt.stride,
            timeout: Duration::from_secs(3),
            warmup: 4,
        })
    }

    /// Longest wait for any one frame (default 3 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Frames dropped before the one returned, for auto exposure and focus (default 4).
    pub fn with_warmup(mut self, frames: u32) -> Self {
        self.warmup = frames;
        self
    }

    fn decode(&self, data: &[u8]) -> Result<RgbImage, CameraError> {
        let fail = |reason: String| CameraError::Decode {
            path: self.info.path.clone(),
            reason,
        };
        if self.fourcc == MJPG {
            // zune-jpeg fills in the default Huffman tables that UVC MJPEG frames leave out.
            image::load_from_memory_with_format(data, ImageFormat::Jpeg)
                .map(|i| i.to_rgb8())
                .map_err(|e| fail(e.to_string()))
        } else {
            let stride = (self.stride as usize).max(self.info.width as usize * 2);
            yuyv_to_rgb(data, self.info.width, self.info.height, stride)
                .ok_or_else(|| fail(format!("YUYV frame of {} bytes is short", data.len())))
        }
    }
}

/// Largest frame size offered for `fourcc`. Stepwise ranges give their maximum (expanding them
/// into discrete sizes can mean millions of entries).
fn largest_size(device: &Device, fourcc: FourCC) -> Option<(u32, u32)> {
    device
        .enum_framesizes(fourcc)
        .ok()?
        .into_iter()
        .map(|s| match s.size {
            FrameSizeEnum::Discrete(d) => (d.width, d.height),
            FrameSizeEnum::Stepwise(s) => (s.max_width, s.max_height),
        })
        .max_by_key(|&(w, h)| u64::from(w) * u64::from(h))
}

impl Camera for V4l2Camera {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn capture(&mut self) -> Result<RgbImage, CameraError> {
        let path = self.info.path.clone();
        guard(&path, || self.capture_inner())
    }
}

/// Runs `f`, turning a panic inside the `v4l` crate into [`CameraError::Backend`].
fn guard<T>(path: &str, f: impl FnOnce() -> Result<T, CameraError>) -> Result<T, CameraError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        Err(CameraError::Backend {
            path: path.to_owned(),
            reason,
        })
    })
}

impl V4l2Camera {
    fn capture_inner(&mut self) -> Result<RgbImage, CameraError> {
        let path = self.info.path.clone();
        let mut stream =
            Stream::with_buffers(&self.device, Type::VideoCapture, 4).map_err(|source| CameraError::Io {
                path: path.clone(),
                what: "申请缓冲区 / requesting buffers",
                source,
            })?;
        stream.set_timeout(self.timeout);
        let mut last_error = None;
        // Warm-up frames, then up to three tries at a frame that decodes (a USB hiccup can
        // deliver a truncated MJPEG).
        for i in 0..self.warmup + 3 {
            let (data, meta) = stream.next().map_err(|source| {
                if source.kind() == io::ErrorKind::TimedOut {
                    CameraError::Timeout {
                        path: path.clone(),
                        after: self.timeout,
                    }
                } else {
                    CameraError::Io {
                        path: path.clone(),
                        what: "读取画面 / reading a frame",
                        source,
                    }
                }
            })?;
            if i < self.warmup {
                continue;
            }
            let used = (meta.bytesused as usize).min(data.len());
            match self.decode(&data[..used]) {
                Ok(img) => return Ok(img),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or(CameraError::Timeout {
            path,
            after: self.timeout,
        }))
    }
}
