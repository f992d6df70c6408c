//! `devicectl scanner read|decode`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use drivers::scanner::sim::{ScannerSim, SimStep};
use drivers::scanner::{
    HidPosScanner, HidSource, Scan, Scanner, ScannerError, SerialConfig, SerialScanner, SerialSource, Suffix, decode_qr,
};
use serde_json::json;

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// 读取扫码枪的条码 / wait for codes from a serial/CDC or HID-POS scanner
    Read(ReadArgs),
    /// 识别图片中的二维码 / decode QR codes in a photo (JPEG or PNG)
    Decode(DecodeArgs),
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// 串口路径 / serial or CDC-ACM port (e.g. /dev/ttyACM0, COM5, a pty)
    #[arg(long, conflicts_with = "hid")]
    pub port: Option<String>,
    /// HID-POS 扫码枪 / HID-POS scanner: VID:PID in hex (1eab:0d10) or a hidraw path
    #[arg(long)]
    pub hid: Option<String>,
    /// 波特率 / baud rate (serial only; CDC-ACM ignores it)
    #[arg(long, default_value_t = 9_600)]
    pub baud: u32,
    /// 结束符 / code suffix: cr, lf, crlf or none (none: a pause ends the code)
    #[arg(long, default_value = "cr", value_parser = parse_suffix)]
    pub suffix: Suffix,
    /// 无结束符时的字符间隔（毫秒）/ with --suffix none: the pause that ends a code, in ms
    #[arg(long, default_value_t = 50)]
    pub gap_ms: u64,
    /// 等待时间（秒）/ seconds to wait for the codes
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// 读取条码数量 / number of codes to read before exiting
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// JSON 输出（每个条码一行）/ print one JSON object per code
    #[arg(long)]
    pub json: bool,
    /// 模拟器故障（配合 --sim）/ with --sim: make the simulated scanner misbehave
    #[arg(long, value_enum, requires = "sim")]
    pub sim_fault: Option<SimFault>,
    #[arg(from_global)]
    pub sim: bool,
}

/// Faults of the `--sim` scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimFault {
    /// 线路噪声 / line noise around the codes
    Noise,
    /// 条码被截断（无结束符）/ a code cut off without its suffix before the good ones
    Truncated,
    /// 扫码枪被拔出 / the scanner is unplugged after the first code
    Vanish,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// 图片文件 / image file (JPEG or PNG)
    #[arg(long)]
    pub image: PathBuf,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
}

fn parse_suffix(s: &str) -> Result<Suffix, String> {
    Suffix::parse(s)
        .ok_or_else(|| format!("结束符应为 cr、lf、crlf 或 none / suffix must be cr, lf, crlf or none, not {s:?}"))
}

/// The codes the `--sim` scanner scans: an appointment code and Chinese content.
pub const SIM_CODES: [&str; 2] = ["APPT:20261123-A023", "预约:市民服务中心 社保业务 A023"];

pub fn run(cmd: &Cmd, sim: bool) -> Result<(), Failure> {
    match cmd {
        Cmd::Read(args) => read(args, sim),
        Cmd::Decode(args) if sim => Err(Failure::new(
            Failure::USAGE,
            format!(
                "decode 不使用模拟器，请直接给出图片 / decode has no simulator; pass a photo with --image ({})",
                args.image.display()
            ),
        )),
        Cmd::Decode(args) => decode(args),
    }
}

/// Keeps the simulator (if any) alive while the scanner is read.
struct Session {
    scanner: Box<dyn Scanner>,
    _sim: Option<ScannerSim>,
}

fn open(args: &ReadArgs, sim: bool) -> Result<Session, Failure> {
    let config = SerialConfig {
        suffix: args.suffix,
        gap: Duration::from_millis(args.gap_ms.max(1)),
        ..SerialConfig::default()
    };
    if sim {
        let [first, second] = SIM_CODES.map(|c| SimStep::Code(c.into()));
        let steps = match args.sim_fault {
            None => vec![SimStep::Noise, first, second],
            Some(SimFault::Noise) => vec![SimStep::Noise, first, SimStep::Noise, SimStep::Noise, second],
            Some(SimFault::Truncated) => vec![
                SimStep::Truncated("APPT:99999999-Z999".into()),
                // Longer than the 500 ms after which a code without its suffix is dropped.
                SimStep::Pause(Duration::from_millis(700)),
                first,
                second,
            ],
            Some(SimFault::Vanish) => vec![first, SimStep::Pause(Duration::from_millis(500)), SimStep::Vanish],
        };
        let (sim, port) = ScannerSim::pty(args.suffix, steps)
            .map_err(|e| Failure::new(Failure::OTHER, format!("模拟器启动失败 / simulator failed: {e}")))?;
        return Ok(Session {
            scanner: Box::new(SerialScanner::new(SerialSource::from_port(Box::new(port)), config)),
            _sim: Some(sim),
        });
    }
    let scanner: Box<dyn Scanner> = match (&args.port, &args.hid) {
        (Some(path), _) => Box::new(SerialScanner::new(
            SerialSource::open(path, args.baud).map_err(|e| scanner_failure(&e))?,
            config,
        )),
        (None, Some(dev)) => Box::new(HidPosScanner::new(
            HidSource::open(dev).map_err(|e| scanner_failure(&e))?,
        )),
        (None, None) => {
            return Err(Failure::new(
                Failure::USAGE,
                "需要 --port PATH 或 --hid VID:PID|PATH（或使用 --sim 运行模拟器）/ --port PATH or --hid VID:PID|PATH \
                 is required (or --sim for the simulator)",
            ));
        }
    };
    Ok(Session { scanner, _sim: None })
}

fn scanner_failure(e: &ScannerError) -> Failure {
    let code = match e {
        ScannerError::Open { .. } => Failure::OPEN,
        ScannerError::Disconnected(_) | ScannerError::Io(_) => Failure::NO_ANSWER,
        ScannerError::TooLong { .. } | ScannerError::Report(_) => Failure::DEVICE_FAULT,
    };
    Failure::new(code, e.to_string())
}

fn print_scan(scan: &Scan, as_json: bool) -> Result<(), Failure> {
    if as_json {
        let v = serde_json::to_value(scan)
            .map_err(|e| Failure::new(Failure::OTHER, format!("JSON 编码失败 / JSON encoding failed: {e}")))?;
        println!("{v}");
    } else {
        let mut out = String::new();
        crate::field_line(&mut out, "条码 / code:", &scan.text);
        let source = match scan.source {
            drivers::scanner::ScanSource::Serial => "串口 / serial",
            drivers::scanner::ScanSource::HidPos => "HID-POS",
            drivers::scanner::ScanSource::KeyboardWedge => "键盘模式 / keyboard wedge",
            drivers::scanner::ScanSource::Camera => "摄像头 / camera",
        };
        crate::field_line(&mut out, "来源 / source:", source);
        if let Some(sym) = scan.symbology {
            crate::field_line(&mut out, "码制 / symbology:", &sym.to_string());
        }
        print!("{out}");
    }
    Ok(())
}

fn read(args: &ReadArgs, sim: bool) -> Result<(), Failure> {
    if !args.timeout.is_finite() || args.timeout < 0.0 {
        return Err(Failure::new(
            Failure::USAGE,
            "--timeout 应为非负秒数 / --timeout must be a non-negative number of seconds",
        ));
    }
    let wait = Duration::from_secs_f64(args.timeout.min(86_400.0));
    let mut session = open(args, sim)?;
    let deadline = Instant::now() + wait;
    let mut got = 0;
    while got < args.count.max(1) {
        let left = deadline.saturating_duration_since(Instant::now());
        match session.scanner.next_scan(left) {
            Ok(Some(scan)) => {
                print_scan(&scan, args.json)?;
                got += 1;
            }
            Ok(None) => {
                return Err(Failure::new(
                    Failure::NO_ANSWER,
                    format!(
                        "{} 秒内未扫到条码（已读 {got} 个）/ no code scanned within {} s ({got} read): scanner unplugged, \
                         wrong port or suffix, or nothing scanned",
                        args.timeout, args.timeout
                    ),
                ));
            }
            // One bad code: say so and keep listening.
            Err(e) if e.is_recoverable() => eprintln!("警告 / warning: {e}"),
            Err(e) => return Err(scanner_failure(&e)),
        }
    }
    Ok(())
}

fn decode(args: &DecodeArgs) -> Result<(), Failure> {
    let path = args.image.display().to_string();
    let img = image::open(&args.image)
        .map_err(|e| {
            Failure::new(
                Failure::OPEN,
                format!("无法读取图片 {path} / cannot read image {path}: {e}"),
            )
        })?
        .to_luma8();
    let codes = decode_qr(&img);
    if args.json {
        println!("{}", json!({ "image": path, "codes": codes }));
    } else {
        for c in &codes {
            let mut out = String::new();
            crate::field_line(&mut out, "二维码 / QR code:", c);
            print!("{out}");
        }
    }
    if codes.is_empty() {
        return Err(Failure::new(
            Failure::OTHER,
            format!("图片中未找到二维码 / no QR code found in {path}"),
        ));
    }
    Ok(())
}
