//! SAM frames (GA/T 467 serial protocol, see `peripherals.md` §1).
//!
//! Request:  `AA AA AA 96 69 | LenHi LenLo | CMD PARA DATA… | CHK`
//! Response: `AA AA AA 96 69 | LenHi LenLo | SW1 SW2 SW3 DATA… | CHK`
//!
//! `Len` is big-endian and counts every byte after the length field, CHK included; CHK is the XOR of
//! every byte from LenHi through the last data byte.

use thiserror::Error;

/// Every frame, in both directions, starts with these five bytes.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// Bytes before the body: preamble plus the two length bytes.
const HEADER_LEN: usize = PREAMBLE.len() + 2;

/// Largest `Len` we accept. The longest documented reply is text + photo + 1024-byte fingerprint
/// (`Len` = 0x090A = 2314); anything larger is noise that happens to follow a preamble, and
/// refusing it early stops a bogus length from making us wait for bytes that never come.
pub const MAX_LEN: usize = 2314;

/// Smallest `Len` of a request: CMD PARA CHK.
pub const MIN_REQUEST_LEN: usize = 3;
/// Smallest `Len` of a response: SW1 SW2 SW3 CHK.
pub const MIN_RESPONSE_LEN: usize = 4;

/// XOR of `bytes`; callers pass LenHi through the last data byte.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Wraps `body` (everything between the length field and CHK) into a complete frame.
///
/// Fails only when the body is too long for the protocol.
pub fn encode(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len = body.len() + 1;
    if len > MAX_LEN {
        return Err(FrameError::BadLength(len));
    }
    let mut out = Vec::with_capacity(HEADER_LEN + len);
    out.extend_from_slice(&PREAMBLE);
    // `len <= MAX_LEN` fits in u16, so the casts below cannot truncate.
    out.push((len >> 8) as u8);
    out.push((len & 0xFF) as u8);
    out.extend_from_slice(body);
    let chk = checksum(&out[PREAMBLE.len()..]);
    out.push(chk);
    Ok(out)
}

/// Encodes a host → SAM request.
pub fn encode_request(cmd: u8, para: u8, data: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut body = Vec::with_capacity(2 + data.len());
    body.extend_from_slice(&[cmd, para]);
    body.extend_from_slice(data);
    encode(&body)
}

/// Encodes a SAM → host response (used by the simulator and tests).
pub fn encode_response(sw1: u8, sw2: u8, sw3: u8, data: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut body = Vec::with_capacity(3 + data.len());
    body.extend_from_slice(&[sw1, sw2, sw3]);
    body.extend_from_slice(data);
    encode(&body)
}

/// Why a frame was thrown away. The decoder has already skipped past it when it reports this, so the
/// caller may keep decoding.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("帧校验和错误 / frame checksum mismatch: computed {computed:02X}, frame says {received:02X}")]
    BadChecksum { computed: u8, received: u8 },
    #[error("帧长度不可能 / impossible frame length {0}")]
    BadLength(usize),
}

/// A host → SAM request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cmd: u8,
    pub para: u8,
    pub data: Vec<u8>,
}

/// A SAM → host response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub sw1: u8,
    pub sw2: u8,
    pub sw3: u8,
    pub data: Vec<u8>,
}

/// Streaming decoder: push bytes as they arrive, pull frame bodies out.
///
/// Bytes before a preamble are dropped (line noise, half a frame left over from a timed-out
/// exchange). A frame with a bad checksum or impossible length is reported once and then skipped by
/// a single byte, so a genuine frame that starts inside the rejected one is still found.
#[derive(Debug, Clone)]
pub struct Decoder {
    buf: Vec<u8>,
    min_len: usize,
    discarded: usize,
}

impl Decoder {
    /// Decoder for SAM → host responses.
    pub fn responses() -> Self {
        Self::with_min_len(MIN_RESPONSE_LEN)
    }

    /// Decoder for host → SAM requests (the simulator's side).
    pub fn requests() -> Self {
        Self::with_min_len(MIN_REQUEST_LEN)
    }

    fn with_min_len(min_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            min_len,
            discarded: 0,
        }
    }

    /// Appends freshly received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets everything buffered, e.g. before sending a new request so a late answer to an
    /// abandoned one cannot be taken for the new answer.
    pub fn clear(&mut self) {
        self.discarded += self.buf.len();
        self.buf.clear();
    }

    /// How many bytes were dropped as noise or as parts of rejected frames (for diagnostics).
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Bytes held while waiting for the rest of a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Next complete frame body (between the length field and CHK), `Ok(None)` if more bytes are
    /// needed, or an error for a frame that was rejected and skipped.
    pub fn next_body(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        self.resync();
        if self.buf.len() < HEADER_LEN {
            return Ok(None);
        }
        let len = usize::from(u16::from_be_bytes([self.buf[5], self.buf[6]]));
        if len < self.min_len || len > MAX_LEN {
            self.skip(1);
            return Err(FrameError::BadLength(len));
        }
        let total = HEADER_LEN + len;
        if self.buf.len() < total {
            return Ok(None);
        }
        let computed = checksum(&self.buf[PREAMBLE.len()..total - 1]);
        let received = self.buf[total - 1];
        if computed != received {
            self.skip(1);
            return Err(FrameError::BadChecksum { computed, received });
        }
        let body = self.buf[HEADER_LEN..total - 1].to_vec();
        self.buf.drain(..total);
        Ok(Some(body))
    }

    /// Next complete response frame; see [`Decoder::next_body`].
    pub fn next_response(&mut self) -> Result<Option<Response>, FrameError> {
        Ok(self.next_body()?.and_then(|body| match body.as_slice() {
            [sw1, sw2, sw3, data @ ..] => Some(Response {
                sw1: *sw1,
                sw2: *sw2,
                sw3: *sw3,
                data: data.to_vec(),
            }),
            // Unreachable with `responses()` (min length 4), but a short body is not worth a panic.
            _ => None,
        }))
    }

    /// Next complete request frame; see [`Decoder::next_body`].
    pub fn next_request(&mut self) -> Result<Option<Request>, FrameError> {
        Ok(self.next_body()?.and_then(|body| match body.as_slice() {
            [cmd, para, data @ ..] => Some(Request {
                cmd: *cmd,
                para: *para,
                data: data.to_vec(),
            }),
            _ => None,
        }))
    }

    /// Drops bytes until the buffer starts with the preamble, keeping a trailing partial preamble
    /// because its remaining bytes may still be on the wire.
    fn resync(&mut self) {
        if let Some(pos) = self.buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE) {
            self.skip(pos);
            return;
        }
        let keep = (1..PREAMBLE.len())
            .rev()
            .find(|&n| n <= self.buf.len() && self.buf[self.buf.len() - n..] == PREAMBLE[..n])
            .unwrap_or(0);
        let drop = self.buf.len() - keep;
        self.skip(drop);
    }

    fn skip(&mut self, n: usize) {
        self.discarded += n;
        self.buf.drain(..n);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn partial_preamble_kept_across_pushes() {
        let frame = encode_response(0, 0, 0x90, &[]).unwrap();
        let mut d = Decoder::responses();
        d.push(&[0x01, 0xAA, 0xAA]);
        assert_eq!(d.next_response().unwrap(), None);
        d.push(&frame[2..]);
        assert_eq!(d.next_response().unwrap().unwrap().sw3, 0x90);
        assert_eq!(d.discarded(), 1);
    }

    #[test]
    fn too_long_body_refused() {
        assert_eq!(encode(&[0; MAX_LEN]), Err(FrameError::BadLength(MAX_LEN + 1)));
    }
}
