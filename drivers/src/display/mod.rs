//! Window LED screens (窗口屏).
//!
//! There is no standard protocol, so screens sit behind [`WindowDisplay`] and vendor frames behind
//! [`FrameCodec`]:
//!
//! - [`codec`]: the trait, text encodings (GB2312 by default) and the IMM90022 strip-screen frame
//!   `AA addr BB 51 54 chk 01 00 99 00 63 <text> FF` ([`Imm90022Codec`]).
//! - [`template`]: a configurable codec for other vendors ([`TemplateCodec`], [`parse_template`]).
//! - [`bus`]: [`LedBus`], many screens on one RS-485 line: rate-limited, coalescing, never blocking.
//! - [`sim`]: [`ScreenSim`], the screens at the far end of a pty, recording what they were told.
//!
//! ```
//! # #[cfg(unix)]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use drivers::display::{BusConfig, Imm90022Codec, LedBus, ScreenSim, SerialBus, WindowDisplay};
//!
//! let codec = Arc::new(Imm90022Codec::default());
//! let (master, slave) = serialport::TTYPort::pair()?;
//! let screens = ScreenSim::spawn_pty(codec.clone(), master)?;
//! let bus = LedBus::start(
//!     SerialBus::from_port(Box::new(slave)),
//!     codec,
//!     [("08".to_string(), 8)],
//!     BusConfig::default(),
//! );
//! bus.show("08", "请A023号到8号窗口")?; // returns at once
//! bus.flush(Duration::from_secs(2))?;
//! assert!(screens.wait_for(Duration::from_secs(2), |s| s.iter().any(|f| f.text == "请A023号到8号窗口")));
//! # Ok(())
//! # }
//! # #[cfg(not(unix))]
//! # fn main() {}
//! ```

pub mod bus;
pub mod codec;
pub mod sim;
pub mod template;

pub use bus::{BusConfig, BusStats, BusStatus, BusTransport, DisplayError, LedBus, SerialBus};
pub use codec::{
    CodecError, FrameCodec, FrameError, Imm90022Codec, ScreenFrame, StreamDecoder, StreamItem, TextEncoding,
    decode_imm90022,
};
pub use sim::{ScreenFault, ScreenSim, Shown};
pub use template::{IMM90022_TEMPLATE, Template, TemplateCodec, TemplateError, crc16_modbus, parse_template};

/// The screen above a service window.
pub trait WindowDisplay: Send + Sync {
    /// Shows `text` on the screen of `window`. Returns once the text is accepted (encoded and
    /// queued), not when it reached the screen; a bad text or a dead line is an error.
    fn show(&self, window: &str, text: &str) -> Result<(), DisplayError>;
    /// Blanks the screen of `window`.
    fn clear(&self, window: &str) -> Result<(), DisplayError>;
}
