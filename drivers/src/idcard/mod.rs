//! ID card reader (SAM serial protocol, GA/T 467).
//!
//! - [`frame`]: request/response framing and a resyncing stream decoder.
//! - [`status`]: SW3 status codes as errors.
//! - [`text`]: the 256-byte text block of the four card types, masked display, WLT photo hook.
//! - [`reader`]: [`IdCardReader`] over a [`Transport`] (serial port or anything else).
//! - [`sim`]: a simulated SAM reader for tests and demos, with fault modes.

pub mod frame;
pub mod reader;
pub mod sim;
pub mod status;
pub mod text;

pub use reader::{IdCardReader, ReaderConfig, ReaderError, SamId, SerialTransport, Transport};
pub use status::SamError;
pub use text::{CardInfo, CardType, Photo, TextError, WltDecoder};
