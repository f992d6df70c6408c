//! The driver against the simulated printer over a real pty pair and a loopback TCP socket,
//! including every fault mode.

use crate::common::hall_ticket;
use std::time::{Duration, Instant};

use drivers::printer::commands::Cut;
use drivers::printer::driver::{PrinterError, SerialTransport, TcpTransport, TicketPrinter, Timeouts};
use drivers::printer::sim::{PrinterSim, SimFault};
use drivers::printer::status::{Fault, PaperState, PrinterEvent};

const TIMEOUTS: Timeouts = Timeouts {
    status: Duration::from_millis(500),
    write: Duration::from_secs(2),
    confirm: Duration::from_secs(2),
};

/// Every call must end by its deadlines plus scheduling slack.
const SLACK: Duration = Duration::from_millis(1500);

fn pty_printer() -> (PrinterSim, TicketPrinter<SerialTransport>) {
    let (sim, port) = {
        let _g = crate::common::PTY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        PrinterSim::pty().expect("pty pair")
    };
    let printer = TicketPrinter::with_timeouts(SerialTransport::from_port(Box::new(port)), TIMEOUTS);
    (sim, printer)
}

#[test]
fn prints_a_ticket_over_a_pty() {
    let (sim, mut printer) = pty_printer();
    let receipt = printer.print(&hall_ticket()).expect("printed");
    assert_eq!(receipt.status.paper, PaperState::Ok);
    let rec = sim.record();
    let text = rec.text();
    assert!(text.contains("市民服务中心"), "{text}");
    assert!(rec.lines.iter().any(|l| l == "A023"), "{text}");
    assert!(text.contains("前面等候：5 人"), "{text}");
    assert_eq!(rec.qr_payloads, vec![b"T7Q2-9XKD".to_vec()]);
    assert_eq!(rec.qr_printed, 1);
    assert_eq!(rec.cuts, vec![Cut::Partial]);
    assert!(printer.take_events().is_empty());
}

#[test]
fn status_over_tcp_9100() {
    // Port 9100 itself when free (the printer's raw port), any loopback port otherwise.
    let (sim, addr) = PrinterSim::tcp("127.0.0.1:9100")
        .or_else(|_| PrinterSim::tcp("127.0.0.1:0"))
        .expect("listen");
    let transport = TcpTransport::connect(addr, Duration::from_secs(1)).expect("connect");
    let mut printer = TicketPrinter::with_timeouts(transport, TIMEOUTS);
    let s = printer.status().expect("status");
    assert!(s.online && s.paper == PaperState::Ok && !s.cover_open);
    sim.set_fault(SimFault::PaperNearEnd);
    let s = printer.status().expect("status");
    assert_eq!(s.paper, PaperState::NearEnd);
    assert_eq!(printer.take_events(), vec![PrinterEvent::PaperNearEnd]);
    printer.print(&hall_ticket()).expect("near end still prints");
    assert_eq!(sim.record().cuts.len(), 1);
    sim.set_fault(SimFault::None);
    printer.status().expect("status");
    assert_eq!(printer.take_events(), vec![PrinterEvent::Recovered]);
}

fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

#[test]
fn paper_near_end_prints_with_warning() {
    let (sim, mut printer) = pty_printer();
    sim.set_fault(SimFault::PaperNearEnd);
    let receipt = printer.print(&hall_ticket()).expect("printed");
    assert_eq!(receipt.status.paper, PaperState::NearEnd);
    assert_eq!(printer.take_events(), vec![PrinterEvent::PaperNearEnd]);
    assert_eq!(sim.record().cuts.len(), 1);
}

#[test]
fn paper_out_mid_print() {
    let (sim, mut printer) = pty_printer();
    sim.set_fault(SimFault::PaperOutAfterLines(2));
    let (r, took) = timed(|| printer.print(&hall_ticket()));
    assert!(
        matches!(r, Err(PrinterError::StoppedMidPrint(Fault::PaperOut))),
        "{r:?}"
    );
    assert!(took < TIMEOUTS.confirm + SLACK, "{took:?}");
    assert!(sim.record().cuts.is_empty(), "the ticket never finished");
    let events = printer.take_events();
    assert!(events.contains(&PrinterEvent::PaperOut), "{events:?}");
    // The next ticket is refused up front.
    let r = printer.print(&hall_ticket());
    assert!(matches!(r, Err(PrinterError::NotReady(Fault::PaperOut))), "{r:?}");
}

#[test]
fn cover_open_refuses_to_print() {
    let (sim, mut printer) = pty_printer();
    sim.set_fault(SimFault::CoverOpen);
    let (r, took) = timed(|| printer.print(&hall_ticket()));
    assert!(matches!(r, Err(PrinterError::NotReady(Fault::CoverOpen))), "{r:?}");
    assert!(took < TIMEOUTS.status + SLACK);
    assert!(sim.record().lines.is_empty());
    let events = printer.take_events();
    assert!(events.contains(&PrinterEvent::CoverOpen), "{events:?}");
}

#[test]
fn offline_refuses_to_print() {
    let (sim, mut printer) = pty_printer();
    sim.set_fault(SimFault::Offline);
    let r = printer.print(&hall_ticket());
    assert!(matches!(r, Err(PrinterError::NotReady(Fault::Offline))), "{r:?}");
    assert_eq!(printer.take_events(), vec![PrinterEvent::Offline]);
}

#[test]
fn silent_printer_times_out() {
    let (sim, mut printer) = pty_printer();
    sim.set_fault(SimFault::Silent);
    let (r, took) = timed(|| printer.status());
    assert!(matches!(r, Err(PrinterError::Timeout { .. })), "{r:?}");
    assert!(took >= TIMEOUTS.status && took < TIMEOUTS.status + SLACK, "{took:?}");
    let (r, took) = timed(|| printer.print(&hall_ticket()));
    assert!(matches!(r, Err(PrinterError::Timeout { .. })), "{r:?}");
    assert!(took < TIMEOUTS.status + SLACK, "{took:?}");
}

#[test]
fn vanished_port_fails_within_deadline() {
    let (mut sim, mut printer) = pty_printer();
    printer.status().expect("status while present");
    sim.vanish();
    drop(sim);
    let (r, took) = timed(|| printer.print(&hall_ticket()));
    assert!(matches!(r, Err(PrinterError::Disconnected(_))), "{r:?}");
    assert!(took < TIMEOUTS.status + SLACK, "{took:?}");
}

#[test]
fn vanished_tcp_printer_fails_within_deadline() {
    let (mut sim, addr) = PrinterSim::tcp("127.0.0.1:0").expect("listen");
    let transport = TcpTransport::connect(addr, Duration::from_secs(1)).expect("connect");
    let mut printer = TicketPrinter::with_timeouts(transport, TIMEOUTS);
    printer.status().expect("status while present");
    sim.vanish();
    let (r, took) = timed(|| printer.status());
    assert!(matches!(r, Err(PrinterError::Disconnected(_))), "{r:?}");
    assert!(took < TIMEOUTS.status + SLACK, "{took:?}");
}

#[test]
fn usb_is_a_clear_not_implemented_error() {
    let conn = drivers::printer::PrinterConnection::Usb {
        vendor_id: 0x0416,
        product_id: 0x5011,
    };
    match drivers::printer::connect(&conn, Duration::from_secs(1)) {
        Err(PrinterError::Unsupported(msg)) => assert!(msg.contains("not implemented")),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("USB must not pretend to work"),
    }
}

#[test]
fn printer_addresses_default_to_9100() {
    use drivers::printer::driver::resolve_printer_addr;
    let a = resolve_printer_addr("127.0.0.1").expect("v4");
    assert_eq!(a.to_string(), "127.0.0.1:9100");
    assert_eq!(resolve_printer_addr("127.0.0.1:9101").expect("v4 port").port(), 9101);
    assert_eq!(resolve_printer_addr("::1").expect("v6").port(), 9100);
    assert_eq!(resolve_printer_addr("[::1]:9102").expect("v6 port").port(), 9102);
}
