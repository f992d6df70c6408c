//! `devicectl printer status|test`, over a serial port or a USB printer-class device (`/dev/usb/lpN`).

use std::time::Duration;

use drivers::printer::usb::{UsbLpTransport, is_usblp_path};
use drivers::printer::{
    HallTicket, PaperState, PrinterError, PrinterSim, PrinterStatus, SerialTransport, TicketPrinter, Transport,
};
use serde_json::json;

use crate::{Failure, PrinterArgs};

/// Keeps the simulator (if any) alive while the printer talks to it.
struct Session {
    printer: TicketPrinter<Box<dyn Transport>>,
    _sim: Option<PrinterSim>,
}

fn open(args: &PrinterArgs) -> Result<Session, Failure> {
    if args.sim {
        let (sim, port) = PrinterSim::pty()
            .map_err(|e| Failure::new(Failure::OTHER, format!("模拟器启动失败 / simulator failed: {e}")))?;
        return Ok(Session {
            printer: TicketPrinter::new(Box::new(SerialTransport::from_port(Box::new(port)))),
            _sim: Some(sim),
        });
    }
    let path = crate::port(args.port.as_deref())?;
    Ok(Session {
        printer: TicketPrinter::new(open_port(path, args.baud)?),
        _sim: None,
    })
}

fn open_usb(path: &str) -> Result<Box<dyn Transport>, Failure> {
    UsbLpTransport::open(path)
        .map(|t| Box::new(t) as Box<dyn Transport>)
        .map_err(|e| {
            Failure::new(
                Failure::OPEN,
                format!("无法打开 USB 打印机 {path} / cannot open USB printer {path}: {e}"),
            )
        })
}

/// `--port` takes a serial port or a USB printer-class device (`/dev/usb/lp0`). A character device
/// that is not a tty (serialport cannot configure it) is also opened as a USB printer device.
fn open_port(path: &str, baud: u32) -> Result<Box<dyn Transport>, Failure> {
    if is_usblp_path(path) {
        return open_usb(path);
    }
    match serialport::new(path, baud).timeout(Duration::from_millis(500)).open() {
        Ok(port) => Ok(Box::new(SerialTransport::from_port(port))),
        Err(e) if is_char_device(path) => {
            tracing::debug!(path, error = %e, "not a serial port; opening as a USB printer device");
            open_usb(path)
        }
        Err(e) => Err(Failure::new(
            Failure::OPEN,
            format!("无法打开打印机串口 {path} / cannot open printer port {path}: {e}"),
        )),
    }
}

fn is_char_device(path: &str) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

fn printer_failure(e: &PrinterError) -> Failure {
    let (code, zh) = match e {
        PrinterError::Open(_) => (Failure::OPEN, "无法打开打印机端口"),
        PrinterError::Timeout { .. } => (Failure::NO_ANSWER, "打印机无应答（未连接、未开机或端口错误？）"),
        PrinterError::Disconnected(_) => (Failure::NO_ANSWER, "打印机连接断开"),
        PrinterError::NotReady(_) => (Failure::DEVICE_FAULT, "打印机未就绪"),
        PrinterError::StoppedMidPrint(_) => (Failure::DEVICE_FAULT, "打印中途停止，票据未完整打印"),
        _ => (Failure::OTHER, "打印机错误"),
    };
    Failure::new(code, format!("{zh} / {e}"))
}

fn paper_label(p: PaperState) -> &'static str {
    match p {
        PaperState::Ok => "正常 / ok",
        PaperState::NearEnd => "将尽 / near end",
        PaperState::Out => "缺纸 / out",
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "是 / yes" } else { "否 / no" }
}

fn human_status(s: &PrinterStatus) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        crate::field_line(&mut out, label, value);
    };
    line("在线 / online:", yes_no(s.online));
    line("纸张 / paper:", paper_label(s.paper));
    line("上盖打开 / cover open:", yes_no(s.cover_open));
    if s.feed_button {
        line("走纸键按下 / feed button:", yes_no(true));
    }
    if s.cutter_error {
        line("切刀故障 / cutter error:", yes_no(true));
    }
    if s.unrecoverable_error {
        line("不可恢复错误 / unrecoverable:", yes_no(true));
    }
    if s.auto_recoverable_error {
        line("可自动恢复错误 / auto-recoverable:", yes_no(true));
    }
    out
}

/// Status is reported with exit 0 whatever the printer says (it answered); only a printer that
/// does not answer is a failure.
pub fn status(args: &PrinterArgs) -> Result<(), Failure> {
    let mut session = open(args)?;
    let s = session.printer.status().map_err(|e| printer_failure(&e))?;
    if args.json {
        let v = serde_json::to_value(s)
            .map_err(|e| Failure::new(Failure::OTHER, format!("JSON 编码失败 / JSON encoding failed: {e}")))?;
        println!("{v}");
    } else {
        print!("{}", human_status(&s));
    }
    Ok(())
}

fn sample_ticket() -> HallTicket {
    HallTicket {
        hall_name: "设备检测 / DEVICE TEST".into(),
        number: "T001".into(),
        queue: "打印机测试 / printer test".into(),
        people_ahead: 0,
        estimated_wait_minutes: 0,
        qr_token: "DEVICECTL-TEST".into(),
        issued_at: "----".into(),
        notice: "测试票，无效 / test ticket, not valid".into(),
    }
}

pub fn test(args: &PrinterArgs) -> Result<(), Failure> {
    let mut session = open(args)?;
    let printed = session
        .printer
        .print(&sample_ticket())
        .map_err(|e| printer_failure(&e))?;
    if args.json {
        let out = json!({
            "confirmed": true,
            "number": printed.number,
            "bytes": printed.bytes,
            "status": printed.status,
        });
        println!("{out}");
    } else {
        println!(
            "测试票已打印并确认 / test ticket printed and confirmed: {} ({} bytes)",
            printed.number, printed.bytes
        );
        print!("{}", human_status(&printed.status));
    }
    Ok(())
}
