//! Document camera (高拍仪): a UVC camera looking down at the counter, and the pipeline that turns
//! one frame into an upright, cropped, size-capped JPEG of the document with its SM3 digest.
//!
//! - [`Camera`]: one frame as RGB plus what the device is.
//! - [`v4l2`] (Linux): the real backend over V4L2 (MJPEG preferred, YUYV otherwise, mmap streaming).
//! - [`sim`]: [`SimCamera`], synthetic photos of a page on a cluttered desk, with the true corners.
//! - [`pipeline`]: [`process`]: find the page, warp it upright, encode under a byte budget.
//!
//! ```
//! use drivers::camera::{Camera, PipelineConfig, SimCamera, SimConfig, process};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut camera = SimCamera::new(SimConfig { width: 640, height: 480, seed: 7, ..SimConfig::default() });
//! let frame = camera.capture()?;
//! let scan = process(&frame, &PipelineConfig::default())?;
//! assert!(scan.jpeg.len() <= PipelineConfig::default().max_bytes);
//! assert_eq!(scan.sm3.len(), 64);
//! # Ok(())
//! # }
//! ```

mod encode;
mod geometry;
pub mod pipeline;
pub mod sim;
#[cfg(target_os = "linux")]
pub mod v4l2;
mod yuyv;

use std::io;
use std::time::Duration;

use image::RgbImage;
use serde::Serialize;
use thiserror::Error;

pub use pipeline::{PipelineConfig, PipelineError, Scan, detect, process};
pub use sim::{Placement, SimCamera, SimConfig, SimFrame};
#[cfg(target_os = "linux")]
pub use v4l2::V4l2Camera;
pub use yuyv::yuyv_to_rgb;

/// What a camera is and what it delivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    /// Device path (`/dev/video0`) or `sim`.
    pub path: String,
    /// Card name as the driver reports it (e.g. "USB Camera: USB Camera").
    pub name: String,
    /// Kernel driver (`uvcvideo`) or `sim`.
    pub driver: String,
    /// Frame size in use.
    pub width: u32,
    pub height: u32,
    /// Pixel format in use (`MJPG`, `YUYV`, `RGB3` for the simulator).
    pub format: String,
}

/// A camera that delivers single frames.
pub trait Camera {
    fn info(&self) -> &DeviceInfo;
    /// Captures one frame. Never blocks for longer than the backend's frame timeout.
    fn capture(&mut self) -> Result<RgbImage, CameraError>;
}

/// Errors of the camera backends. Every variant names the device path, as the message is what a
/// field technician reads.
#[derive(Debug, Error)]
pub enum CameraError {
    #[error("无法打开摄像头 {path} / cannot open camera {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{path} 不是视频采集设备 / {path} is not a video capture device: {reason}")]
    NotCapture { path: String, reason: String },
    #[error("摄像头 {path} 不支持 MJPEG 或 YUYV / camera {path} offers neither MJPEG nor YUYV (offers: {offered})")]
    NoFormat { path: String, offered: String },
    #[error("摄像头 {path} {what}失败 / camera {path}: {what} failed: {source}")]
    Io {
        path: String,
        what: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("摄像头 {path} 在 {after:?} 内无画面 / no frame from camera {path} within {after:?}")]
    Timeout { path: String, after: Duration },
    #[error("摄像头 {path} 画面无法解码 / cannot decode a frame from camera {path}: {reason}")]
    Decode { path: String, reason: String },
    /// The V4L2 binding panicked (it does on a non-UTF-8 device name and on some failures to stop
    /// a stream); caught so the app gets an error instead of losing its thread.
    #[error("摄像头驱动内部错误 {path} / camera backend failed on {path}: {reason}")]
    Backend { path: String, reason: String },
}
