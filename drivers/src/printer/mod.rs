//! Ticket printer (ESC/POS): byte builders, the hall ticket layout, real-time status, a driver
//! over serial or TCP 9100, and a simulator of the printer for tests.

pub mod commands;
pub mod driver;
pub mod sim;
pub mod status;
pub mod ticket;

pub use driver::{
    Printed, PrinterConnection, PrinterError, SerialTransport, TcpTransport, TicketPrinter, Timeouts, Transport,
    connect,
};
pub use sim::{PrinterSim, SimFault, SimRecord};
pub use status::{Fault, PaperState, PrinterEvent, PrinterStatus, StatusWatcher, status_events};
pub use ticket::{HallTicket, TicketError, render};
