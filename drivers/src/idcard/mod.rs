//! ID card reader (SAM serial protocol, GA/T 467).
//!
//! - [`frame`]: request/response framing and a resyncing stream decoder.
//! - [`status`]: SW3 status codes as errors.
//! - [`text`]: the 256-byte text block of the four card types, masked display, WLT photo hook.
//! - [`reader`]: [`IdCardReader`] over a [`Transport`] (serial port or anything else).
//! - [`sim`]: a simulated SAM reader for tests and demos, with fault modes.
//!
//! # USB readers
//!
//! Readers on USB come in two kinds, told apart by what the OS shows when one is plugged in:
//!
//! - **CDC-ACM / USB-serial** (`/dev/ttyACM0`, `/dev/ttyUSB0`, `COM5`): the SAM protocol runs
//!   unchanged over the virtual serial port, so [`SerialTransport::open`] with that path is all
//!   it takes; the baud rate is ignored by CDC-ACM devices.
//! - **HID class** (a `/dev/hidrawN` node, no tty): vendors wrap the SAM frames in HID reports of
//!   their own, and no public description of that wrapping was found (the research notes only
//!   bulk pipes 0x02/0x06 out and 0x81/0x85 in for "USB mode"). Rather than guess, [`open_usb`]
//!   refuses HID-class readers with [`ReaderError::Unsupported`]: most readers can be switched to
//!   serial/CDC mode with the vendor's configuration tool.
//!
//! ```
//! # #[cfg(unix)]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use drivers::idcard::{CardInfo, CardType, IdCardReader, SerialTransport, sim::Simulator};
//!
//! // A simulated reader on one end of a pseudo-terminal, the driver on the other.
//! let (master, slave) = serialport::TTYPort::pair()?;
//! let mut card = CardInfo::empty(CardType::Resident);
//! card.name = "张三".into();
//! card.sex = "男".into();
//! card.id_number = "230102199001011234".into();
//! let sim = Simulator::new(Some(card))?.spawn(master);
//!
//! let mut reader = IdCardReader::new(SerialTransport::from_port(Box::new(slave)));
//! let read = reader.read_card()?.ok_or("no card")?;
//! assert_eq!(read.to_string(), "居民身份证 张* 男 230***********1234");
//! // Still on the reader: not reported twice.
//! assert!(reader.read_card()?.is_none());
//! sim.stop()?;
//! # Ok(())
//! # }
//! # #[cfg(not(unix))]
//! # fn main() {}
//! ```

pub mod frame;
pub mod reader;
pub mod sim;
pub mod status;
pub mod text;

pub use reader::{IdCardReader, ReaderConfig, ReaderError, SamId, SerialTransport, Transport, UsbReader, open_usb};
pub use status::SamError;
pub use text::{CardInfo, CardType, Photo, TextError, WltDecoder};
