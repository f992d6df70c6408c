//! `devicectl led test`: sends one text to one window screen and waits until it left the port.

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use drivers::display::{
    BusConfig, DisplayError, FrameCodec, Imm90022Codec, LedBus, ScreenSim, SerialBus, TemplateCodec,
};
use serde_json::json;

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// 向一块窗口屏发送测试文字 / send a test text to one window screen
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// 串口路径（RS-485 转换器）/ serial port path of the RS-485 adapter (or a pty)
    #[arg(long)]
    pub port: Option<String>,
    /// 屏地址 / screen address on the bus
    #[arg(long, default_value_t = 1)]
    pub address: u8,
    /// 显示文字 / text to show
    #[arg(long, default_value = "测试 A023")]
    pub text: String,
    /// 波特率 / baud rate
    #[arg(long, default_value_t = 9_600)]
    pub baud: u32,
    /// 帧模板（默认 IMM90022 条屏协议）/ frame template (default: the IMM90022 strip-screen frame)
    #[arg(long)]
    pub template: Option<String>,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
}

/// How long the frame may take to leave the port.
const SEND_WAIT: Duration = Duration::from_secs(5);

pub fn run(cmd: &Cmd, sim: bool) -> Result<(), Failure> {
    match cmd {
        Cmd::Test(args) => test(args, sim),
    }
}

fn codec(args: &TestArgs) -> Result<Arc<dyn FrameCodec>, Failure> {
    match &args.template {
        None => Ok(Arc::new(Imm90022Codec::default())),
        Some(t) => TemplateCodec::parse(t)
            .map(|c| Arc::new(c) as Arc<dyn FrameCodec>)
            .map_err(|e| Failure::new(Failure::USAGE, e.to_string())),
    }
}

fn test(args: &TestArgs, sim: bool) -> Result<(), Failure> {
    let codec = codec(args)?;
    let frame = codec
        .encode(args.address, &args.text)
        .map_err(|e| Failure::new(Failure::USAGE, e.to_string()))?;
    let (transport, screens) = if sim {
        let (master, slave) = serialport::TTYPort::pair()
            .map_err(|e| Failure::new(Failure::OTHER, format!("无法创建伪终端 / cannot create pty pair: {e}")))?;
        let screens = ScreenSim::spawn_pty(Arc::clone(&codec), master)
            .map_err(|e| Failure::new(Failure::OTHER, format!("模拟器启动失败 / simulator failed: {e}")))?;
        (SerialBus::from_port(Box::new(slave)), Some(screens))
    } else {
        let path = crate::port(args.port.as_deref())?;
        let bus = SerialBus::open(path, args.baud).map_err(|e| Failure::new(Failure::OPEN, e.to_string()))?;
        (bus, None)
    };
    let bus = LedBus::start(transport, codec, [], BusConfig::default());
    let sent = bus
        .show_address(args.address, &args.text)
        .and_then(|()| bus.flush(SEND_WAIT));
    if let Err(e) = sent {
        let code = match e {
            DisplayError::Codec(_) | DisplayError::UnknownWindow(_) => Failure::USAGE,
            _ => Failure::NO_ANSWER,
        };
        return Err(Failure::new(code, format!("发送失败 / sending failed: {e}")));
    }
    // The screens never answer; only the simulator can confirm what arrived.
    let shown = screens.as_ref().map(|s| {
        s.wait_for(Duration::from_secs(2), |f| {
            f.iter().any(|x| x.address == args.address && x.text == args.text)
        })
    });
    let hex: Vec<String> = frame.iter().map(|b| format!("{b:02X}")).collect();
    if args.json {
        let out = json!({
            "address": args.address,
            "text": args.text,
            "frame": hex.join(" "),
            "bytes": frame.len(),
            "shown_by_simulator": shown,
        });
        println!("{out}");
    } else {
        let mut out = String::new();
        crate::field_line(&mut out, "屏地址 / address:", &args.address.to_string());
        crate::field_line(&mut out, "文字 / text:", &args.text);
        crate::field_line(&mut out, "帧 / frame:", &hex.join(" "));
        if let Some(shown) = shown {
            let v = if shown { "是 / yes" } else { "否 / no" };
            crate::field_line(&mut out, "模拟屏已显示 / simulator shows it:", v);
        }
        print!("{out}");
        println!("已发送；请目视确认屏幕 / sent; check the screen by eye");
    }
    if shown == Some(false) {
        return Err(Failure::new(
            Failure::DEVICE_FAULT,
            "模拟屏未收到 / the simulated screen did not get the frame",
        ));
    }
    Ok(())
}
