//! Frame codecs for window LED screens: the [`FrameCodec`] trait, text encodings, and the
//! documented IMM90022 strip-screen frame ([`Imm90022Codec`]).
//!
//! IMM90022 frame (from the queue-system adapter that drives these screens):
//!
//! ```text
//! AA addr BB 51 54 chk 01 00 99 00 63 <text> FF
//!  0   1   2  3  4   5  6  7  8  9 10  11..   last
//! ```
//!
//! `chk` is the plain byte sum of everything from offset 6 up to and including the trailing `FF`,
//! mod 256 (the adapter calls it a "CRC", but it is a sum). The text is copied with `strlen`, so it
//! can hold no NUL byte; GB2312 and GB18030 never produce `FF`, which is why the trailing `FF`
//! unambiguously ends a frame.

use encoding_rs::{EncoderResult, Encoding, GB18030, GBK};
use thiserror::Error;

/// How screen text is turned into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// GB2312 only (ASCII plus the GB2312 rows): what the cheap strip screens' fonts hold. A
    /// character outside it (e.g. 镕, only in GBK) is refused rather than shown as garbage.
    #[default]
    Gb2312,
    /// GBK (GB2312 plus the GBK extension, two bytes a character).
    Gbk,
    /// GB18030 (all of Unicode; four-byte sequences for what GBK lacks).
    Gb18030,
    /// UTF-8, for newer screens.
    Utf8,
    /// Printable ASCII only.
    Ascii,
}

impl TextEncoding {
    /// Parses a config name: `gb2312`, `gbk`, `gb18030`, `utf8`/`utf-8`, `ascii` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "gb2312" => Some(Self::Gb2312),
            "gbk" | "cp936" => Some(Self::Gbk),
            "gb18030" => Some(Self::Gb18030),
            "utf8" | "utf-8" => Some(Self::Utf8),
            "ascii" => Some(Self::Ascii),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Gb2312 => "gb2312",
            Self::Gbk => "gbk",
            Self::Gb18030 => "gb18030",
            Self::Utf8 => "utf8",
            Self::Ascii => "ascii",
        }
    }

    fn encoding_rs(self) -> Option<&'static Encoding> {
        match self {
            Self::Gb2312 | Self::Gbk => Some(GBK),
            Self::Gb18030 => Some(GB18030),
            Self::Utf8 | Self::Ascii => None,
        }
    }

    /// Encodes `text`; `field` names the config or API field in the error. NUL is refused in every
    /// encoding because vendor firmware (and the reference adapter) treat text as a C string.
    pub fn encode(self, field: &'static str, text: &str) -> Result<Vec<u8>, CodecError> {
        let unencodable = |index: usize, ch: char| CodecError::Unencodable {
            field,
            ch,
            index,
            encoding: self.name(),
        };
        let mut out = Vec::with_capacity(text.len() * 2);
        let mut encoder = self.encoding_rs().map(Encoding::new_encoder);
        for (index, ch) in text.chars().enumerate() {
            if ch == '\0' {
                return Err(unencodable(index, ch));
            }
            let Some(encoder) = encoder.as_mut() else {
                if self == Self::Ascii && !ch.is_ascii() {
                    return Err(unencodable(index, ch));
                }
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                continue;
            };
            let mut src = [0u8; 4];
            let mut dst = [0u8; 8];
            let (result, _read, written) =
                encoder.encode_from_utf8_without_replacement(ch.encode_utf8(&mut src), &mut dst, false);
            let bytes = dst.get(..written).unwrap_or_default();
            let fits = match result {
                EncoderResult::InputEmpty => self != Self::Gb2312 || is_gb2312(bytes),
                EncoderResult::Unmappable(_) | EncoderResult::OutputFull => false,
            };
            if !fits {
                return Err(unencodable(index, ch));
            }
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    /// Decodes screen bytes; `None` when they are not valid in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Self::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_owned),
            Self::Ascii => bytes.is_ascii().then(|| String::from_utf8_lossy(bytes).into_owned()),
            Self::Gb2312 | Self::Gbk | Self::Gb18030 => {
                let enc = self.encoding_rs()?;
                enc.decode_without_bom_handling_and_without_replacement(bytes)
                    .map(std::borrow::Cow::into_owned)
            }
        }
    }
}

/// One character's GBK bytes lie in GB2312 (EUC-CN): ASCII, or lead A1–F7 with trail A1–FE.
fn is_gb2312(bytes: &[u8]) -> bool {
    match bytes {
        [b] => b.is_ascii(),
        [lead, trail] => (0xA1..=0xF7).contains(lead) && (0xA1..=0xFE).contains(trail),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    #[error(
        "{field}: 第 {index} 个字符 {ch:?} 无法用 {encoding} 编码 / character {index} ({ch:?}) cannot be encoded in {encoding}"
    )]
    Unencodable {
        field: &'static str,
        ch: char,
        index: usize,
        encoding: &'static str,
    },
    #[error("{field}: 内容过长（{len} 字节，最多 {max}）/ too long: {len} bytes, at most {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
}

/// Why bytes are not (yet) a frame.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("帧不完整 / incomplete frame (need more bytes)")]
    Incomplete,
    #[error("帧格式错误 / malformed frame: {0}")]
    Malformed(String),
    #[error("校验错误 / checksum mismatch: frame says {expected:#04x}, bytes give {actual:#04x}")]
    Checksum { expected: u32, actual: u32 },
}

/// A decoded frame: what a screen at `address` is told to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenFrame {
    pub address: u8,
    pub text: String,
}

/// Encodes screen text into a vendor's frame and decodes it back (the simulator's side).
pub trait FrameCodec: Send + Sync + std::fmt::Debug {
    /// The frame telling the screen at `address` to show `text` (empty text: blank screen).
    fn encode(&self, address: u8, text: &str) -> Result<Vec<u8>, CodecError>;
    /// Decodes the frame at the start of `bytes`: the frame and how many bytes it took, or why not.
    /// Must never panic, whatever the bytes.
    fn decode(&self, bytes: &[u8]) -> Result<(ScreenFrame, usize), FrameError>;
    /// Whether a frame can start at `bytes[0]`; a stream decoder skips other bytes to resync.
    fn may_start(&self, byte: u8) -> bool;
}

/// Fixed bytes before the text; `chk` (offset 5) is filled in.
const IMM_HEADER: [u8; 11] = [0xAA, 0x00, 0xBB, 0x51, 0x54, 0x00, 0x01, 0x00, 0x99, 0x00, 0x63];
const IMM_END: u8 = 0xFF;
/// Offset of the first byte the checksum covers.
const IMM_SUM_FROM: usize = 6;

/// The IMM90022 strip-screen frame codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imm90022Codec {
    pub encoding: TextEncoding,
    /// Longest text in bytes. The reference adapter builds frames in a 1 KiB buffer; screens hold
    /// far less, so the default (255) keeps a runaway string from flooding the bus.
    pub max_text_bytes: usize,
}

impl Default for Imm90022Codec {
    fn default() -> Self {
        Self {
            encoding: TextEncoding::Gb2312,
            max_text_bytes: 255,
        }
    }
}

/// The IMM90022 checksum: byte sum mod 256.
pub fn sum8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |acc, b| acc.wrapping_add(*b))
}

impl FrameCodec for Imm90022Codec {
    fn encode(&self, address: u8, text: &str) -> Result<Vec<u8>, CodecError> {
        let body = self.encoding.encode("text", text)?;
        if body.len() > self.max_text_bytes {
            return Err(CodecError::TooLong {
                field: "text",
                len: body.len(),
                max: self.max_text_bytes,
            });
        }
        let mut frame = Vec::with_capacity(IMM_HEADER.len() + body.len() + 1);
        frame.extend_from_slice(&IMM_HEADER);
        frame[1] = address;
        frame.extend_from_slice(&body);
        frame.push(IMM_END);
        frame[5] = sum8(&frame[IMM_SUM_FROM..]);
        Ok(frame)
    }

    fn decode(&self, bytes: &[u8]) -> Result<(ScreenFrame, usize), FrameError> {
        decode_imm90022(bytes, self.encoding)
    }

    fn may_start(&self, byte: u8) -> bool {
        byte == IMM_HEADER[0]
    }
}

/// Decodes one IMM90022 frame at the start of `bytes` (fuzz target; never panics).
pub fn decode_imm90022(bytes: &[u8], encoding: TextEncoding) -> Result<(ScreenFrame, usize), FrameError> {
    // Check the fixed bytes as far as they have arrived, so garbage is refused early.
    for (i, (got, want)) in bytes.iter().zip(IMM_HEADER.iter()).enumerate() {
        if i != 1 && i != 5 && got != want {
            return Err(FrameError::Malformed(format!(
                "byte {i} is {got:#04x}, expected {want:#04x}"
            )));
        }
    }
    let Some(rest) = bytes.get(IMM_HEADER.len()..) else {
        return Err(FrameError::Incomplete);
    };
    let Some(text_len) = rest.iter().position(|b| *b == IMM_END) else {
        return Err(FrameError::Incomplete);
    };
    let len = IMM_HEADER.len() + text_len + 1;
    let frame = bytes.get(..len).ok_or(FrameError::Incomplete)?;
    let (address, stated) = (frame[1], frame[5]);
    let actual = sum8(frame.get(IMM_SUM_FROM..).unwrap_or_default());
    if stated != actual {
        return Err(FrameError::Checksum {
            expected: u32::from(stated),
            actual: u32::from(actual),
        });
    }
    let raw = &rest[..text_len];
    if raw.contains(&0) {
        return Err(FrameError::Malformed("NUL byte in the text".into()));
    }
    let text = encoding
        .decode(raw)
        .ok_or_else(|| FrameError::Malformed(format!("text is not valid {}", encoding.name())))?;
    Ok((ScreenFrame { address, text }, len))
}

/// What a stream decoder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    Frame(ScreenFrame),
    /// Bytes dropped while resyncing, with the reason the first of them was refused.
    Rejected {
        bytes: usize,
        reason: String,
    },
}

/// Splits a byte stream into frames, resyncing after garbage (a frame start byte inside garbage
/// costs one byte of progress, never a stall).
#[derive(Debug, Default)]
pub struct StreamDecoder {
    buf: Vec<u8>,
}

/// Bytes kept while waiting for the end of a frame; beyond this the partial frame is dropped.
const MAX_PENDING: usize = 4096;

impl StreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes and returns everything complete so far.
    pub fn push(&mut self, codec: &dyn FrameCodec, bytes: &[u8]) -> Vec<StreamItem> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut skipped = 0usize;
        let mut reason = String::new();
        loop {
            let start = self
                .buf
                .iter()
                .position(|b| codec.may_start(*b))
                .unwrap_or(self.buf.len());
            if start > 0 {
                if skipped == 0 {
                    reason = "bytes before a frame start".into();
                }
                skipped += start;
                self.buf.drain(..start);
            }
            if self.buf.is_empty() {
                break;
            }
            match codec.decode(&self.buf) {
                Ok((frame, used)) => {
                    if skipped > 0 {
                        out.push(StreamItem::Rejected {
                            bytes: skipped,
                            reason: std::mem::take(&mut reason),
                        });
                        skipped = 0;
                    }
                    self.buf.drain(..used.clamp(1, self.buf.len()));
                    out.push(StreamItem::Frame(frame));
                }
                Err(FrameError::Incomplete) if self.buf.len() <= MAX_PENDING => break,
                Err(e) => {
                    if skipped == 0 {
                        reason = e.to_string();
                    }
                    skipped += 1;
                    self.buf.drain(..1);
                }
            }
        }
        if skipped > 0 {
            out.push(StreamItem::Rejected { bytes: skipped, reason });
        }
        out
    }
}
