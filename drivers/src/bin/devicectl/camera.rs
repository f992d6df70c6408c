//! `devicectl camera capture`: one frame from the document camera (or the simulator), the page
//! found, straightened and saved as a JPEG under the size budget, with its SM3 digest.
//!
//! Exit codes: 3 the device cannot be opened or is not a V4L2 capture device, 4 no frame in time,
//! 5 no document in the frame (nothing on the device, as for a card reader without a card),
//! 2 bad options, 1 anything else.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use drivers::camera::{Camera, CameraError, PipelineConfig, PipelineError, SimCamera, SimConfig, process};
use image::RgbImage;
use serde_json::json;

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// 拍摄一页文件并保存为 JPEG / capture a frame, find the page, save it upright as a JPEG
    Capture(CaptureArgs),
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// 摄像头设备 / V4L2 device (e.g. /dev/video0)
    #[arg(long)]
    pub device: Option<String>,
    /// 输出文件 / output JPEG file
    #[arg(long)]
    pub out: PathBuf,
    /// 文件大小上限（KiB）/ size budget of the JPEG in KiB
    #[arg(long, default_value_t = 500)]
    pub max_kb: usize,
    /// 模拟器的随机种子 / simulator seed (with --sim)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: &Cmd, sim: bool) -> Result<(), Failure> {
    match cmd {
        Cmd::Capture(args) => capture(args, sim),
    }
}

fn camera_failure(e: &CameraError) -> Failure {
    let code = match e {
        CameraError::Open { .. } | CameraError::NotCapture { .. } | CameraError::NoFormat { .. } => Failure::OPEN,
        CameraError::Timeout { .. } => Failure::NO_ANSWER,
        CameraError::Io { .. } | CameraError::Decode { .. } | CameraError::Backend { .. } => Failure::OTHER,
    };
    Failure::new(code, e.to_string())
}

fn pipeline_failure(e: &PipelineError) -> Failure {
    let code = match e {
        PipelineError::NoDocument(_) => Failure::NO_CARD,
        PipelineError::Config(_) => Failure::USAGE,
        _ => Failure::OTHER,
    };
    Failure::new(code, e.to_string())
}

fn grab(args: &CaptureArgs, sim: bool) -> Result<RgbImage, Failure> {
    if sim {
        let mut camera = SimCamera::new(SimConfig {
            width: 1600,
            height: 1200,
            seed: args.seed,
            ..SimConfig::default()
        });
        return camera.capture().map_err(|e| camera_failure(&e));
    }
    let path = args.device.as_deref().ok_or_else(|| {
        Failure::new(
            Failure::USAGE,
            "需要 --device PATH（或使用 --sim 运行模拟器）/ --device PATH is required (or --sim for the simulator)",
        )
    })?;
    open_device(path)?.capture().map_err(|e| camera_failure(&e))
}

#[cfg(target_os = "linux")]
fn open_device(path: &str) -> Result<drivers::camera::V4l2Camera, Failure> {
    drivers::camera::V4l2Camera::open(path).map_err(|e| camera_failure(&e))
}

#[cfg(not(target_os = "linux"))]
fn open_device(path: &str) -> Result<SimCamera, Failure> {
    Err(Failure::new(
        Failure::OPEN,
        format!("此平台不支持摄像头 {path} / cameras are supported on Linux only (V4L2): {path}"),
    ))
}

fn capture(args: &CaptureArgs, sim: bool) -> Result<(), Failure> {
    let cfg = PipelineConfig {
        max_bytes: args.max_kb.saturating_mul(1024),
        ..PipelineConfig::default()
    };
    let frame = grab(args, sim)?;
    let scan = process(&frame, &cfg).map_err(|e| pipeline_failure(&e))?;
    let out = args.out.display().to_string();
    std::fs::write(&args.out, &scan.jpeg)
        .map_err(|e| Failure::new(Failure::OTHER, format!("无法写入 {out} / cannot write {out}: {e}")))?;
    let corners: Vec<[f32; 2]> = scan.corners.iter().map(|&(x, y)| [x, y]).collect();
    if args.json {
        let v = json!({
            "out": out,
            "width": scan.width,
            "height": scan.height,
            "bytes": scan.jpeg.len(),
            "quality": scan.quality,
            "sm3": scan.sm3,
            "corners": corners,
        });
        println!("{v}");
    } else {
        let mut s = String::new();
        crate::field_line(&mut s, "文件 / file:", &out);
        crate::field_line(&mut s, "尺寸 / size:", &format!("{}×{}", scan.width, scan.height));
        crate::field_line(
            &mut s,
            "大小 / bytes:",
            &format!("{} (≤ {} KiB, q{})", scan.jpeg.len(), args.max_kb, scan.quality),
        );
        crate::field_line(&mut s, "SM3:", &scan.sm3);
        let c: Vec<String> = corners.iter().map(|[x, y]| format!("({x:.0}, {y:.0})")).collect();
        crate::field_line(&mut s, "角点 / corners (TL TR BR BL):", &c.join(" "));
        print!("{s}");
    }
    Ok(())
}
