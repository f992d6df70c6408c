//! Driver logic against a scripted in-memory transport: reply attribution, garbled replies, and
//! stale input.

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use drivers::printer::driver::{PrinterError, TicketPrinter, Timeouts, Transport};
use drivers::printer::status::PaperState;
use drivers::printer::ticket::HallTicket;

/// Answers each `DLE EOT n` with `status[n-1]` and `GS r 1` with `barrier` (if any), optionally
/// with extra bytes injected before the first status answer.
struct Scripted {
    status: [u8; 4],
    barrier: Option<u8>,
    inject: Vec<u8>,
    input: VecDeque<u8>,
    stale: Vec<u8>,
    sent: Vec<u8>,
    /// Answer `GS r 1` only in front of the next status reply.
    late_barrier: bool,
}

impl Scripted {
    fn new(status: [u8; 4]) -> Self {
        Scripted {
            status,
            barrier: Some(0x00),
            inject: Vec::new(),
            input: VecDeque::new(),
            stale: Vec::new(),
            sent: Vec::new(),
            late_barrier: false,
        }
    }
}

impl Transport for Scripted {
    fn send(&mut self, bytes: &[u8], _deadline: Instant) -> io::Result<()> {
        self.sent.extend_from_slice(bytes);
        for w in bytes.windows(3) {
            match w {
                [0x10, 0x04, n @ 1..=4] => {
                    self.input.extend(self.inject.drain(..));
                    self.input.push_back(self.status[usize::from(*n) - 1]);
                }
                [0x1D, 0x72, 0x01] if self.late_barrier => self.inject.push(0x00),
                [0x1D, 0x72, 0x01] => self.input.extend(self.barrier),
                _ => {}
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        if let Some(b) = self.stale.pop().or_else(|| self.input.pop_front()) {
            buf[0] = b;
            return Ok(1);
        }
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        Err(io::ErrorKind::TimedOut.into())
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.stale.clear();
        self.input.clear();
        Ok(())
    }
}

const OK: [u8; 4] = [0x12, 0x12, 0x12, 0x12];

fn timeouts() -> Timeouts {
    Timeouts {
        status: Duration::from_millis(200),
        write: Duration::from_millis(200),
        confirm: Duration::from_millis(600),
    }
}

fn ticket() -> HallTicket {
    HallTicket {
        hall_name: "政务大厅".into(),
        number: "B001".into(),
        queue: "户籍".into(),
        people_ahead: 0,
        estimated_wait_minutes: 0,
        qr_token: "tok".into(),
        issued_at: "2026-11-23 10:00".into(),
        notice: String::new(),
    }
}

#[test]
fn stale_input_is_discarded_before_a_status_query() {
    let mut t = Scripted::new([0x12, 0x12, 0x12, 0x1E]);
    t.stale = vec![0x7E, 0x1A];
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let s = p.status().expect("status");
    assert_eq!(s.paper, PaperState::NearEnd);
    assert!(s.online);
}

#[test]
fn garbled_reply_is_a_clear_error() {
    let mut t = Scripted::new(OK);
    t.status[1] = 0xFF;
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let r = p.status();
    assert!(
        matches!(r, Err(PrinterError::BadReply(ref e)) if e.request == 2 && e.byte == 0xFF),
        "{r:?}"
    );
}

#[test]
fn no_in_order_answer_is_a_timeout_not_success() {
    let mut t = Scripted::new(OK);
    t.barrier = None;
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let start = Instant::now();
    let r = p.print(&ticket());
    assert!(
        matches!(
            r,
            Err(PrinterError::Timeout {
                what: "print confirmation",
                ..
            })
        ),
        "{r:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn in_order_answer_arriving_amid_status_replies_confirms_the_print() {
    let mut t = Scripted::new(OK);
    t.barrier = None;
    t.late_barrier = true;
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let r = p.print(&ticket()).expect("printed");
    assert_eq!(r.status.paper, PaperState::Ok);
}

#[test]
fn printed_only_after_in_order_answer() {
    let t = Scripted::new(OK);
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let r = p.print(&ticket()).expect("printed");
    assert_eq!(r.number, "B001");
    assert!(r.bytes > 0);
    let sent = &p.transport().sent;
    // Status first, then the ticket, then the in-order GS r 1 barrier right after it.
    assert!(sent.starts_with(&[0x10, 0x04, 1]));
    let at = sent
        .windows(3)
        .position(|w| w == [0x1D, 0x72, 0x01])
        .expect("GS r 1 sent");
    assert!(sent[..at].ends_with(&[0x1D, 0x56, 0x01]), "barrier follows the cut");
}

#[test]
fn late_barrier_between_status_bytes_is_attributed() {
    let mut t = Scripted::new(OK);
    t.barrier = None;
    // Every status answer is preceded by a 0x00 (what a GS r 1 answer looks like); it must be
    // taken as the in-order answer, not as status.
    t.inject = vec![0x00];
    let mut p = TicketPrinter::with_timeouts(t, timeouts());
    let r = p.status().expect("0x00 before a status byte is skipped");
    assert!(r.online);
}
