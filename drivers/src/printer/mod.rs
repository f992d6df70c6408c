//! Ticket printer (ESC/POS): byte builders, the hall ticket layout, real-time status, a driver
//! over serial, USB (the Linux usblp device, [`usb`]) or TCP 9100, and a simulator of the printer
//! for tests.
//!
//! ```
//! use drivers::printer::{HallTicket, PrinterSim, SerialTransport, SimFault, TicketPrinter};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The simulator stands in for the printer at the far end of a pty pair.
//! let (sim, port) = PrinterSim::pty()?;
//! let mut printer = TicketPrinter::new(SerialTransport::from_port(Box::new(port)));
//! let ticket = HallTicket {
//!     hall_name: "市民服务中心".into(),
//!     number: "A023".into(),
//!     queue: "社保业务".into(),
//!     people_ahead: 5,
//!     estimated_wait_minutes: 15,
//!     qr_token: "T7Q2-9XKD".into(),
//!     issued_at: "2026-11-23 09:30".into(),
//!     notice: "请留意叫号".into(),
//! };
//! let printed = printer.print(&ticket)?; // only Ok once the printer confirmed the whole ticket
//! assert_eq!(printed.number, "A023");
//! assert!(sim.record().text().contains("市民服务中心"));
//!
//! sim.set_fault(SimFault::CoverOpen);
//! assert!(printer.print(&ticket).is_err()); // refused up front: "cannot print: printer cover is open"
//! for event in printer.take_events() {
//!     println!("raise device alarm: {event:?}"); // CoverOpen, Offline
//! }
//! # Ok(())
//! # }
//! ```

pub mod commands;
pub mod driver;
pub mod sim;
pub mod status;
pub mod ticket;
pub mod usb;

pub use driver::{
    Printed, PrinterConnection, PrinterError, SerialTransport, TcpTransport, TicketPrinter, Timeouts, Transport,
    connect,
};
pub use sim::{PrinterSim, SimFault, SimRecord};
pub use status::{Fault, PaperState, PrinterEvent, PrinterStatus, StatusWatcher, status_events};
pub use ticket::{Document, HallTicket, TicketError, render, render_document};
pub use usb::UsbLpTransport;
