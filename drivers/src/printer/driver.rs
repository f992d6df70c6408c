//! `TicketPrinter`: status queries and confirmed printing over a byte transport.
//!
//! Every read and write carries a deadline: a printer that was unplugged or went silent must turn
//! into a clear error for the app, never a kiosk frozen on a blocking read.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::commands::{self as cmd, StatusRequest};
use super::status::{Fault, PrinterEvent, PrinterStatus, RawStatus, StatusError, StatusWatcher, is_status_byte};
use super::ticket::{Document, HallTicket, TicketError, render, render_document};

/// Raw ESC/POS port. Implementations must return within `deadline` (an `io::ErrorKind::TimedOut`
/// error when nothing arrived in time).
pub trait Transport: Send {
    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()>;
    /// Reads at least one byte, or fails with `TimedOut` at the deadline.
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize>;
    /// Drops unread input (late answers to an earlier, timed-out query).
    fn discard_input(&mut self) -> io::Result<()>;
}

fn remaining(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"))
    } else {
        Ok(left)
    }
}

/// Serial port (USB-serial adapters included).
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialTransport {
    pub fn open(path: &str, baud: u32) -> io::Result<Self> {
        let port = serialport::new(path, baud).timeout(Duration::from_millis(500)).open()?;
        Ok(Self { port })
    }

    pub fn from_port(port: Box<dyn serialport::SerialPort>) -> Self {
        Self { port }
    }
}

/// serialport reports errno-level failures (EIO from an unplugged USB-serial adapter or a pty whose
/// far end closed) as kind `Other` with only the errno text, so on an open serial port every failure
/// other than a timeout is taken as the device being gone.
fn serial_err(e: impl Into<io::Error>) -> io::Error {
    let e = e.into();
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => e,
        _ => io::Error::new(io::ErrorKind::BrokenPipe, format!("serial port lost: {e}")),
    }
}

impl Transport for SerialTransport {
    fn send(&mut self, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
        while !bytes.is_empty() {
            self.port.set_timeout(remaining(deadline)?).map_err(serial_err)?;
            match self.port.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(serial_err(e)),
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        loop {
            self.port.set_timeout(remaining(deadline)?).map_err(serial_err)?;
            match self.port.read(buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(serial_err(e)),
            }
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.port.clear(serialport::ClearBuffer::Input).map_err(serial_err)
    }
}

/// Network printer (raw TCP, port 9100).
pub struct TcpTransport {
    stream: TcpStream,
}

pub const RAW_PRINT_PORT: u16 = 9100;

impl TcpTransport {
    pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        // Status queries are 3 bytes; Nagle would hold them back waiting for more.
        stream.set_nodelay(true)?;
        Ok(Self { stream })
    }

    /// `host` with or without a port (`10.0.0.7`, `10.0.0.7:9100`, `fe80::7`, `[fe80::7]:9100`,
    /// `printer.local`); 9100 when none is given.
    pub fn connect_host(host: &str, timeout: Duration) -> io::Result<Self> {
        let addr = resolve_printer_addr(host)?;
        Self::connect(addr, timeout)
    }
}

/// Resolves a configured printer address, defaulting to the raw print port. A bare IPv6 address
/// has colons of its own, so it is recognised before looking for a ":port" suffix.
pub fn resolve_printer_addr(host: &str) -> io::Result<SocketAddr> {
    if let Ok(addr) = host.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, RAW_PRINT_PORT));
    }
    let with_port = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:{RAW_PRINT_PORT}")
    };
    with_port
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no address for {host}")))
}

fn is_timeout(e: &io::Error) -> bool {
    // Sockets report an expired SO_RCVTIMEO as WouldBlock on Unix and TimedOut on Windows.
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

impl Transport for TcpTransport {
    fn send(&mut self, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
        while !bytes.is_empty() {
            self.stream.set_write_timeout(Some(remaining(deadline)?))?;
            match self.stream.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(io::ErrorKind::TimedOut.into()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        loop {
            self.stream.set_read_timeout(Some(remaining(deadline)?))?;
            match self.stream.read(buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(io::ErrorKind::TimedOut.into()),
                Err(e) => return Err(e),
            }
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.stream.set_nonblocking(true)?;
        let mut buf = [0u8; 256];
        let result = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.stream.set_nonblocking(false)?;
        result
    }
}

/// Where a printer is attached, as apps configure it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrinterConnection {
    Serial {
        path: String,
        baud: u32,
    },
    Tcp {
        host: String,
    },
    /// A USB printer-class printer by its usblp device node (`/dev/usb/lp0`, Linux).
    UsbLp {
        path: String,
    },
    /// A USB printer by vendor and product ID. Not resolved to a device node yet: configure
    /// [`PrinterConnection::UsbLp`] with the node udev created instead.
    Usb {
        vendor_id: u16,
        product_id: u16,
    },
}

/// Opens the transport for a configured connection.
pub fn connect(conn: &PrinterConnection, timeout: Duration) -> Result<Box<dyn Transport>, PrinterError> {
    match conn {
        PrinterConnection::Serial { path, baud } => Ok(Box::new(
            SerialTransport::open(path, *baud).map_err(PrinterError::Open)?,
        )),
        PrinterConnection::Tcp { host } => Ok(Box::new(
            TcpTransport::connect_host(host, timeout).map_err(PrinterError::Open)?,
        )),
        PrinterConnection::UsbLp { path } => Ok(Box::new(
            super::usb::UsbLpTransport::open(path).map_err(PrinterError::Open)?,
        )),
        PrinterConnection::Usb { .. } => Err(PrinterError::Unsupported(
            "opening a USB printer by VID:PID is not implemented; configure its usblp device path \
             (usb_lp, e.g. /dev/usb/lp0), or use the printer's serial (USB-serial) or network port",
        )),
    }
}

impl Transport for Box<dyn Transport> {
    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        (**self).send(bytes, deadline)
    }
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        (**self).recv(buf, deadline)
    }
    fn discard_input(&mut self) -> io::Result<()> {
        (**self).discard_input()
    }
}

#[derive(Debug, Error)]
pub enum PrinterError {
    #[error("could not open printer port: {0}")]
    Open(#[source] io::Error),
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("printer did not answer {what} within {after:?}")]
    Timeout { what: &'static str, after: Duration },
    #[error("printer connection lost: {0}")]
    Disconnected(#[source] io::Error),
    #[error("printer I/O error: {0}")]
    Io(#[source] io::Error),
    #[error("garbled status reply: {0}")]
    BadReply(#[from] StatusError),
    #[error("cannot print: {0}")]
    NotReady(Fault),
    #[error("ticket not printed: {0} during printing")]
    StoppedMidPrint(Fault),
    #[error("invalid ticket: {0}")]
    Ticket(#[from] TicketError),
}

/// Deadlines for each phase.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// One full status query (four `DLE EOT` round trips).
    pub status: Duration,
    /// Writing a ticket's bytes.
    pub write: Duration,
    /// From the end of writing until the printer confirms it worked through the ticket.
    pub confirm: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            status: Duration::from_secs(1),
            write: Duration::from_secs(5),
            confirm: Duration::from_secs(10),
        }
    }
}

/// Proof that the printer processed the whole ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Printed {
    /// The ticket number, for the app's log line.
    pub number: String,
    pub bytes: usize,
    /// Status right after printing (may carry a near-end warning for the next ticket).
    pub status: PrinterStatus,
}

pub struct TicketPrinter<T: Transport> {
    transport: T,
    timeouts: Timeouts,
    watcher: StatusWatcher,
    events: Vec<PrinterEvent>,
}

/// How often to ask for real-time status while waiting for a print to complete.
const POLL_SLICE: Duration = Duration::from_millis(250);

impl<T: Transport> TicketPrinter<T> {
    pub fn new(transport: T) -> Self {
        Self::with_timeouts(transport, Timeouts::default())
    }

    pub fn with_timeouts(transport: T, timeouts: Timeouts) -> Self {
        Self {
            transport,
            timeouts,
            watcher: StatusWatcher::new(),
            events: Vec::new(),
        }
    }

    /// The underlying transport (for tests and diagnostics).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Alarm events from every status seen since the last call.
    pub fn take_events(&mut self) -> Vec<PrinterEvent> {
        std::mem::take(&mut self.events)
    }

    fn io_err(what: &'static str, after: Duration, e: io::Error) -> PrinterError {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => PrinterError::Timeout { what, after },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected => PrinterError::Disconnected(e),
            // A pty whose far end closed, or an unplugged USB-serial adapter, reads as EIO.
            _ if e.raw_os_error() == Some(5) => PrinterError::Disconnected(e),
            _ => PrinterError::Io(e),
        }
    }

    /// One `DLE EOT n` round trip. Bytes that are not status-shaped are answers to `GS r` (bit 4
    /// clear); they are counted in `barrier` instead of being mistaken for status.
    fn query(&mut self, req: StatusRequest, deadline: Instant, barrier: &mut bool) -> Result<u8, PrinterError> {
        let after = self.timeouts.status;
        self.transport
            .send(&cmd::status_request(req), deadline)
            .map_err(|e| Self::io_err("a status request", after, e))?;
        loop {
            let mut b = [0u8; 1];
            self.transport
                .recv(&mut b, deadline)
                .map_err(|e| Self::io_err("a status request", after, e))?;
            if is_status_byte(b[0]) {
                return Ok(b[0]);
            }
            if b[0] & 0x10 == 0 {
                *barrier = true;
            } else {
                return Err(StatusError {
                    request: req as u8,
                    byte: b[0],
                }
                .into());
            }
        }
    }

    fn query_all(&mut self, barrier: &mut bool) -> Result<PrinterStatus, PrinterError> {
        let deadline = Instant::now() + self.timeouts.status;
        let raw = RawStatus {
            printer: self.query(StatusRequest::Printer, deadline, barrier)?,
            offline_cause: self.query(StatusRequest::OfflineCause, deadline, barrier)?,
            error_cause: self.query(StatusRequest::ErrorCause, deadline, barrier)?,
            roll_paper: self.query(StatusRequest::RollPaper, deadline, barrier)?,
        };
        let status = PrinterStatus::from_raw(raw)?;
        let events = self.watcher.observe(status);
        self.events.extend(events);
        Ok(status)
    }

    /// Real-time status; answers within `timeouts.status` or fails.
    pub fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        self.transport
            .discard_input()
            .map_err(|e| Self::io_err("a status request", self.timeouts.status, e))?;
        self.query_all(&mut false)
    }

    /// Prints a ticket and returns only once the printer has confirmed it.
    ///
    /// Real-time status is answered immediately, even before the data is printed, so it cannot
    /// confirm a print by itself. After the ticket we send `GS r 1`, which the printer answers in
    /// order, i.e. after it has worked through the ticket; while waiting for that answer we poll
    /// real-time status so paper running out or the cover opening mid-print ends the wait with the
    /// cause rather than a bare timeout.
    ///
    /// Worst case it returns after `status + write + confirm + status`.
    pub fn print(&mut self, ticket: &HallTicket) -> Result<Printed, PrinterError> {
        let bytes = render(ticket)?;
        self.print_rendered(bytes, &ticket.number)
    }

    /// Prints a text document (a service guide, a receipt) with the same confirmation as a ticket.
    pub fn print_document(&mut self, doc: &Document) -> Result<Printed, PrinterError> {
        let bytes = render_document(doc);
        self.print_rendered(bytes, &doc.title)
    }

    fn print_rendered(&mut self, mut bytes: Vec<u8>, label: &str) -> Result<Printed, PrinterError> {
        let before = self.status()?;
        if let Some(fault) = before.blocking_fault() {
            return Err(PrinterError::NotReady(fault));
        }
        let n = bytes.len();
        bytes.extend_from_slice(&cmd::transmit_paper_status());
        let write_deadline = Instant::now() + self.timeouts.write;
        self.transport
            .send(&bytes, write_deadline)
            .map_err(|e| Self::io_err("the ticket data", self.timeouts.write, e))?;

        let confirm_deadline = Instant::now() + self.timeouts.confirm;
        let mut barrier = false;
        loop {
            let slice_end = (Instant::now() + POLL_SLICE).min(confirm_deadline);
            let mut b = [0u8; 1];
            match self.transport.recv(&mut b, slice_end) {
                Ok(_) if !is_status_byte(b[0]) && b[0] & 0x10 == 0 => barrier = true,
                Ok(_) => {} // a late real-time answer; the status below supersedes it
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(e) => return Err(Self::io_err("print confirmation", self.timeouts.confirm, e)),
            }
            let status = self.query_all(&mut barrier)?;
            if barrier {
                return Ok(Printed {
                    number: label.to_owned(),
                    bytes: n,
                    status,
                });
            }
            if let Some(fault) = status.blocking_fault() {
                return Err(PrinterError::StoppedMidPrint(fault));
            }
            if Instant::now() >= confirm_deadline {
                return Err(PrinterError::Timeout {
                    what: "print confirmation",
                    after: self.timeouts.confirm,
                });
            }
        }
    }
}
