//! USB transports: the printer through a usblp-style device file (here the slave side of a pty,
//! with the printer simulator on the master side), and the ID card reader as a CDC-ACM tty.

use std::sync::PoisonError;
use std::time::{Duration, Instant};

use crate::common::hall_ticket;
use drivers::idcard::sim::Simulator;
use drivers::idcard::{IdCardReader, ReaderError, UsbReader, open_usb};
use drivers::printer::driver::{PrinterError, TicketPrinter, Timeouts};
use drivers::printer::sim::{PrinterSim, SimFault};
use drivers::printer::status::{Fault, PaperState};
use drivers::printer::usb::{UsbLpTransport, is_usblp_path};
use drivers::printer::{PrinterConnection, connect};
use serialport::{SerialPort, TTYPort};

const TIMEOUTS: Timeouts = Timeouts {
    status: Duration::from_millis(500),
    write: Duration::from_secs(2),
    confirm: Duration::from_secs(2),
};

/// Every call must end by its deadlines plus scheduling slack.
const SLACK: Duration = Duration::from_millis(1500);

/// The simulator on a pty; the slave is kept open (its termios stays raw) while the transport
/// opens the slave's path as a plain device file, as it would open `/dev/usb/lp0`.
fn rig() -> (PrinterSim, TTYPort, String) {
    let (sim, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        PrinterSim::pty().expect("printer pty")
    };
    let path = slave.name().expect("pty name");
    (sim, slave, path)
}

fn usb_printer(path: &str) -> TicketPrinter<UsbLpTransport> {
    TicketPrinter::with_timeouts(UsbLpTransport::open(path).expect("open device file"), TIMEOUTS)
}

#[test]
fn status_and_a_confirmed_ticket_through_the_device_file() {
    let (sim, _slave, path) = rig();
    let mut printer = usb_printer(&path);
    assert_eq!(printer.transport().path(), path);
    let s = printer.status().expect("status");
    assert!(s.online && s.paper == PaperState::Ok && !s.cover_open, "{s:?}");
    let printed = printer.print(&hall_ticket()).expect("printed");
    assert_eq!(printed.number, "A023");
    let rec = sim.record();
    assert!(rec.text().contains("市民服务中心"), "{}", rec.text());
    assert_eq!(rec.qr_payloads, vec![b"T7Q2-9XKD".to_vec()]);
    assert_eq!(rec.cuts.len(), 1);
}

#[test]
fn configured_usb_lp_connection_opens_the_device() {
    let (_sim, _slave, path) = rig();
    let transport = connect(&PrinterConnection::UsbLp { path: path.clone() }, Duration::from_secs(1)).expect("connect");
    let mut printer = TicketPrinter::with_timeouts(transport, TIMEOUTS);
    assert!(printer.status().expect("status").online);
    let json = serde_json::to_string(&PrinterConnection::UsbLp {
        path: "/dev/usb/lp0".into(),
    })
    .unwrap();
    assert_eq!(json, r#"{"kind":"usb_lp","path":"/dev/usb/lp0"}"#);
}

#[test]
fn faults_reach_the_app_through_usb() {
    let (sim, _slave, path) = rig();
    let mut printer = usb_printer(&path);
    sim.set_fault(SimFault::CoverOpen);
    let r = printer.print(&hall_ticket());
    assert!(matches!(r, Err(PrinterError::NotReady(Fault::CoverOpen))), "{r:?}");
    sim.set_fault(SimFault::PaperOutAfterLines(3));
    let r = printer.print(&hall_ticket());
    assert!(
        matches!(r, Err(PrinterError::StoppedMidPrint(Fault::PaperOut))),
        "{r:?}"
    );
}

#[test]
fn a_silent_usb_printer_times_out() {
    let (sim, _slave, path) = rig();
    let mut printer = usb_printer(&path);
    sim.set_fault(SimFault::Silent);
    let t = Instant::now();
    let r = printer.status();
    assert!(matches!(r, Err(PrinterError::Timeout { .. })), "{r:?}");
    assert!(t.elapsed() < TIMEOUTS.status + SLACK, "{:?}", t.elapsed());
    // It answers again once it wakes up; the late bytes of nothing do not confuse it.
    sim.set_fault(SimFault::None);
    assert!(printer.status().expect("status after waking").online);
}

#[test]
fn an_unplugged_usb_printer_is_a_lost_connection_within_the_deadline() {
    let (mut sim, _slave, path) = rig();
    let mut printer = usb_printer(&path);
    printer.status().expect("status while present");
    sim.vanish();
    let t = Instant::now();
    let r = printer.status();
    assert!(matches!(r, Err(PrinterError::Disconnected(_))), "{r:?}");
    assert!(t.elapsed() < TIMEOUTS.status + SLACK, "{:?}", t.elapsed());
    // And stays so, also for printing.
    let r = printer.print(&hall_ticket());
    assert!(matches!(r, Err(PrinterError::Disconnected(_))), "{r:?}");
}

#[test]
fn missing_device_and_vid_pid_are_clear_errors() {
    let r = connect(
        &PrinterConnection::UsbLp {
            path: "/dev/usb/lp-does-not-exist".into(),
        },
        Duration::from_secs(1),
    );
    assert!(matches!(r, Err(PrinterError::Open(_))));
    let r = connect(
        &PrinterConnection::Usb {
            vendor_id: 0x0416,
            product_id: 0x5011,
        },
        Duration::from_secs(1),
    );
    match r {
        Err(PrinterError::Unsupported(msg)) => assert!(msg.contains("/dev/usb/lp0"), "{msg}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("VID:PID must not pretend to work"),
    }
}

#[test]
fn usblp_paths_are_recognised() {
    assert!(is_usblp_path("/dev/usb/lp0"));
    assert!(is_usblp_path("/dev/usb/lp12"));
    assert!(!is_usblp_path("/dev/ttyUSB0"));
    assert!(!is_usblp_path("/dev/null"));
    let (_sim, _slave, path) = rig();
    assert!(!is_usblp_path(&path), "a pty is not usblp");
}

#[test]
fn a_cdc_acm_id_reader_needs_only_its_tty_path() {
    // A CDC-ACM reader is a tty like the pty slave here: the path is all the transport needs.
    let (master, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        TTYPort::pair().expect("pty pair")
    };
    let path = slave.name().expect("pty name");
    let sim = Simulator::new(Some(crate::common::resident())).unwrap().spawn(master);
    let transport = open_usb(&UsbReader::Serial { path }).expect("open tty");
    let mut reader = IdCardReader::new(transport);
    let card = reader.read_card().expect("read").expect("a card");
    assert_eq!(card.id_number, "230102199001011234");
    sim.stop().unwrap();
    drop(slave);
}

#[test]
fn a_hid_class_id_reader_is_refused_with_advice() {
    let err = open_usb(&UsbReader::Hid {
        vendor_id: 0x0400,
        product_id: 0xC35A,
    })
    .err()
    .expect("HID readers are not supported");
    assert!(matches!(err, ReaderError::Unsupported(_)));
    let msg = err.to_string();
    assert!(msg.starts_with("不支持 HID 模式的读卡器"), "{msg}");
    assert!(msg.contains("serial/CDC mode"), "{msg}");
}
