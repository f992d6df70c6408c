//! `devicectl`: field checks of hall peripherals (ID card reader, ticket printer, serial/HID/camera
//! devices). Runbooks and acceptance tests rely on the command surface; keep it stable.
//!
//! Exit codes: 0 success, 1 other failure, 2 usage error (clap), 3 cannot open the port,
//! 4 device did not answer (timeout / unplugged), 5 nothing presented (no card on the reader, no document under the camera), 6 device reports a fault.

mod camera;
mod evaluator;
mod idcard;
mod led;
mod list;
mod printer;
mod scanner;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "devicectl",
    version,
    about = "大厅外设检测工具 / hall peripheral check tool (ID card reader, ticket printer, devices)"
)]
struct Cli {
    /// 使用内置模拟器（伪终端）检测工具本身 / run against the built-in simulator on an in-process pty pair
    #[arg(long, global = true)]
    sim: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 身份证阅读器 / ID card reader
    Idcard {
        #[command(subcommand)]
        command: IdcardCommand,
    },
    /// 票据打印机 / ticket printer
    Printer {
        #[command(subcommand)]
        command: PrinterCommand,
    },
    /// 窗口屏（LED）/ window LED display
    Led {
        #[command(subcommand)]
        command: led::Cmd,
    },
    /// 评价器 / evaluator (USB keypad or network pad)
    Evaluator {
        #[command(subcommand)]
        command: evaluator::Cmd,
    },
    /// 扫码枪 / QR and barcode scanner
    Scanner {
        #[command(subcommand)]
        command: scanner::Cmd,
    },
    /// 高拍仪 / document camera
    Camera {
        #[command(subcommand)]
        command: camera::Cmd,
    },
    /// 列出串口、HID 与摄像头设备 / list serial ports, HID and camera devices
    List {
        /// JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum IdcardCommand {
    /// 读取一张身份证 / read one card (find → select → read)
    Read(IdcardReadArgs),
}

#[derive(Debug, Args)]
pub struct IdcardReadArgs {
    /// 串口路径 / serial port path (any tty, e.g. /dev/ttyUSB0 or a pty)
    #[arg(long)]
    pub port: Option<String>,
    /// 波特率 / baud rate
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
    /// 显示完整个人信息 / show personal fields unmasked
    #[arg(long)]
    pub reveal: bool,
    #[arg(from_global)]
    pub sim: bool,
}

#[derive(Debug, Subcommand)]
enum PrinterCommand {
    /// 查询打印机状态 / query real-time status
    Status(PrinterArgs),
    /// 打印测试票 / print a sample hall ticket and wait for the confirmation
    Test(PrinterArgs),
}

#[derive(Debug, Args)]
pub struct PrinterArgs {
    /// 串口路径 / serial port path (any tty, e.g. /dev/ttyUSB0 or a pty)
    #[arg(long)]
    pub port: Option<String>,
    /// 波特率 / baud rate
    #[arg(long, default_value_t = 9_600)]
    pub baud: u32,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
    #[arg(from_global)]
    pub sim: bool,
}

/// A failure with its exit code and a Chinese-first message.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub const OTHER: u8 = 1;
    pub const OPEN: u8 = 3;
    pub const NO_ANSWER: u8 = 4;
    pub const NO_CARD: u8 = 5;
    pub const DEVICE_FAULT: u8 = 6;
    pub const USAGE: u8 = 2;

    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// `--port`, required unless `--sim` (clap cannot express that for a global flag).
pub fn port(port: Option<&str>) -> Result<&str, Failure> {
    port.ok_or_else(|| {
        Failure::new(
            Failure::USAGE,
            "需要 --port PATH（或使用 --sim 运行模拟器）/ --port PATH is required (or --sim for the simulator)",
        )
    })
}

/// `label` padded to a fixed display width (CJK characters take two columns), then `value`.
pub fn field_line(out: &mut String, label: &str, value: &str) {
    const WIDTH: usize = 34;
    let width: usize = label.chars().map(|c| if c >= '\u{2E80}' { 2 } else { 1 }).sum();
    out.push_str(label);
    out.push_str(&" ".repeat(WIDTH.saturating_sub(width).max(1)));
    out.push_str(value);
    out.push('\n');
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Idcard {
            command: IdcardCommand::Read(args),
        } => idcard::read(&args),
        Command::Printer {
            command: PrinterCommand::Status(args),
        } => printer::status(&args),
        Command::Printer {
            command: PrinterCommand::Test(args),
        } => printer::test(&args),
        Command::Led { command } => led::run(&command, cli.sim),
        Command::Evaluator { command } => evaluator::run(&command, cli.sim),
        Command::Scanner { command } => scanner::run(&command, cli.sim),
        Command::Camera { command } => camera::run(&command, cli.sim),
        Command::List { json } => list::run(json, cli.sim),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("错误 / error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
