//! A configurable frame codec for screen vendors without a built-in codec.
//!
//! A template is config text: items separated by white space (commas allowed), `#` starts a comment
//! to the end of the line.
//!
//! | item | bytes |
//! | --- | --- |
//! | `AA`, `0xAA` | that byte |
//! | `{addr}` | the screen address, one byte |
//! | `{text}`, `{text:gbk}` | the text in an encoding (`gb2312` default, `gbk`, `gb18030`, `utf8`, `ascii`) |
//! | `{len}` / `{len16be}` / `{len16le}` | the text's byte length, one byte / two bytes |
//! | `[` … `]` | marks the range the checksums cover (one range) |
//! | `{sum8}` | byte sum of the range, mod 256 |
//! | `{xor8}` | XOR of the range |
//! | `{crc16_modbus}` | CRC-16/MODBUS of the range, low byte first (as Modbus sends it) |
//!
//! A checksum may stand before or after its range but not inside it. So that a receiver (and the
//! simulator) can find where the text ends, `{text}` needs a length item before it or a literal
//! byte right after it (the text then must not contain that byte).
//!
//! The IMM90022 frame as a template ([`IMM90022_TEMPLATE`]):
//! `AA {addr} BB 51 54 {sum8} [01 00 99 00 63 {text:gb2312} FF]`.

use thiserror::Error;

use super::codec::{CodecError, FrameCodec, FrameError, ScreenFrame, TextEncoding, sum8};

/// The IMM90022 strip-screen frame written as a template.
pub const IMM90022_TEMPLATE: &str = "AA {addr} BB 51 54 {sum8} [01 00 99 00 63 {text:gb2312} FF]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Sum8,
    Xor8,
    Crc16Modbus,
}

impl Check {
    fn width(self) -> usize {
        match self {
            Self::Sum8 | Self::Xor8 => 1,
            Self::Crc16Modbus => 2,
        }
    }

    fn compute(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sum8 => vec![sum8(bytes)],
            Self::Xor8 => vec![bytes.iter().fold(0u8, |a, b| a ^ b)],
            Self::Crc16Modbus => crc16_modbus(bytes).to_le_bytes().to_vec(),
        }
    }
}

/// CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF.
pub fn crc16_modbus(bytes: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for b in bytes {
        crc ^= u16::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xA001 } else { crc >> 1 };
        }
    }
    crc
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LenWidth {
    U8,
    U16Be,
    U16Le,
}

impl LenWidth {
    fn width(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16Be | Self::U16Le => 2,
        }
    }

    fn max(self) -> usize {
        match self {
            Self::U8 => usize::from(u8::MAX),
            Self::U16Be | Self::U16Le => usize::from(u16::MAX),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Byte(u8),
    Addr,
    Text(TextEncoding),
    Len(LenWidth),
    Check(Check),
    RangeStart,
    RangeEnd,
}

/// A parsed, validated template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("帧模板第 {line} 行第 {column} 列 / frame template line {line}, column {column}: {message}")]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses template config text (fuzz target; never panics).
pub fn parse_template(src: &[u8]) -> Result<Template, TemplateError> {
    let err = |line, column, message: String| TemplateError { line, column, message };
    let text = std::str::from_utf8(src).map_err(|e| err(1, 1, format!("not UTF-8 text: {e}")))?;
    let mut items: Vec<(Item, usize, usize)> = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line_no = line_no + 1;
        let line = line.split('#').next().unwrap_or_default();
        let mut rest = line;
        loop {
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            let column = line[..line.len() - trimmed.len()].chars().count() + 1;
            rest = trimmed;
            let Some(first) = rest.chars().next() else { break };
            let item = match first {
                '[' => {
                    rest = &rest[1..];
                    Item::RangeStart
                }
                ']' => {
                    rest = &rest[1..];
                    Item::RangeEnd
                }
                '{' => {
                    let Some(close) = rest.find('}') else {
                        return Err(err(line_no, column, "'{' without a closing '}'".into()));
                    };
                    let name = &rest[1..close];
                    rest = &rest[close + 1..];
                    placeholder(name).map_err(|m| err(line_no, column, m))?
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{'))
                        .unwrap_or(rest.len());
                    let word = &rest[..end];
                    rest = &rest[end..];
                    let digits = word
                        .strip_prefix("0x")
                        .or_else(|| word.strip_prefix("0X"))
                        .unwrap_or(word);
                    if digits.len() != 2 {
                        return Err(err(
                            line_no,
                            column,
                            format!("{word:?} is not a hex byte (two hex digits, e.g. AA or 0xAA)"),
                        ));
                    }
                    let byte = u8::from_str_radix(digits, 16)
                        .map_err(|_| err(line_no, column, format!("{word:?} is not a hex byte")))?;
                    Item::Byte(byte)
                }
            };
            items.push((item, line_no, column));
        }
    }
    validate(&items)?;
    Ok(Template {
        items: items.into_iter().map(|(item, _, _)| item).collect(),
    })
}

fn placeholder(name: &str) -> Result<Item, String> {
    let (key, arg) = match name.split_once(':') {
        Some((k, a)) => (k.trim(), Some(a.trim())),
        None => (name.trim(), None),
    };
    let no_arg = |item: Item| match arg {
        None => Ok(item),
        Some(a) => Err(format!("{{{key}}} takes no argument (got {a:?})")),
    };
    match key {
        "addr" => no_arg(Item::Addr),
        "len" => no_arg(Item::Len(LenWidth::U8)),
        "len16be" => no_arg(Item::Len(LenWidth::U16Be)),
        "len16le" => no_arg(Item::Len(LenWidth::U16Le)),
        "sum8" => no_arg(Item::Check(Check::Sum8)),
        "xor8" => no_arg(Item::Check(Check::Xor8)),
        "crc16_modbus" => no_arg(Item::Check(Check::Crc16Modbus)),
        "text" => match arg {
            None => Ok(Item::Text(TextEncoding::default())),
            Some(enc) => TextEncoding::from_name(enc)
                .map(Item::Text)
                .ok_or_else(|| format!("unknown text encoding {enc:?} (gb2312, gbk, gb18030, utf8, ascii)")),
        },
        _ => Err(format!(
            "unknown placeholder {{{key}}} (addr, text, len, len16be, len16le, sum8, xor8, crc16_modbus)"
        )),
    }
}

fn validate(items: &[(Item, usize, usize)]) -> Result<(), TemplateError> {
    let at = |i: usize, message: &str| {
        let (line, column) = items.get(i).map_or((1, 1), |(_, l, c)| (*l, *c));
        TemplateError {
            line,
            column,
            message: message.to_owned(),
        }
    };
    let texts: Vec<usize> = (0..items.len())
        .filter(|i| matches!(items[*i].0, Item::Text(_)))
        .collect();
    let text_at = match texts.as_slice() {
        [one] => *one,
        [] => return Err(at(items.len().saturating_sub(1), "the template has no {text}")),
        [_, second, ..] => return Err(at(*second, "only one {text} is allowed")),
    };
    let mut open: Option<usize> = None;
    let mut range: Option<(usize, usize)> = None;
    for (i, (item, _, _)) in items.iter().enumerate() {
        match item {
            Item::RangeStart if open.is_some() || range.is_some() => {
                return Err(at(i, "only one checksum range '[ … ]' is allowed"));
            }
            Item::RangeStart => open = Some(i),
            Item::RangeEnd => match open.take() {
                Some(start) => range = Some((start, i)),
                None => return Err(at(i, "']' without '['")),
            },
            Item::Check(_) if open.is_some() => {
                return Err(at(i, "a checksum cannot be inside the range it covers"));
            }
            Item::Len(_) if i > text_at => return Err(at(i, "a length item must come before {text}")),
            _ => {}
        }
    }
    if let Some(start) = open {
        return Err(at(start, "'[' without ']'"));
    }
    let has_check = items.iter().any(|(item, _, _)| matches!(item, Item::Check(_)));
    if has_check && range.is_none() {
        return Err(at(0, "checksums need a range marked with '[' and ']'"));
    }
    let has_len = items[..text_at].iter().any(|(item, _, _)| matches!(item, Item::Len(_)));
    let next_byte = items[text_at + 1..]
        .iter()
        .find(|(item, _, _)| !matches!(item, Item::RangeStart | Item::RangeEnd));
    if !has_len && !matches!(next_byte, Some((Item::Byte(_), _, _))) {
        return Err(at(
            text_at,
            "the end of {text} cannot be found: put {len} before it or a literal byte after it",
        ));
    }
    Ok(())
}

impl Template {
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    fn text_encoding(&self) -> TextEncoding {
        self.items
            .iter()
            .find_map(|i| if let Item::Text(e) = i { Some(*e) } else { None })
            .unwrap_or_default()
    }

    fn has_len(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Len(_)))
    }

    /// The literal byte right after `{text}` (ignoring range marks), when no length item exists.
    fn terminator(&self) -> Option<u8> {
        let at = self.items.iter().position(|i| matches!(i, Item::Text(_)))?;
        match self
            .items
            .get(at + 1..)?
            .iter()
            .find(|i| !matches!(i, Item::RangeStart | Item::RangeEnd))
        {
            Some(Item::Byte(b)) if !self.has_len() => Some(*b),
            _ => None,
        }
    }
}

/// A [`FrameCodec`] built from a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCodec {
    template: Template,
    /// Longest text in bytes (also bounded by the length field's width).
    pub max_text_bytes: usize,
}

impl TemplateCodec {
    pub fn new(template: Template) -> Self {
        Self {
            template,
            max_text_bytes: 255,
        }
    }

    /// Parses template text and builds the codec.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        parse_template(src.as_bytes()).map(Self::new)
    }

    pub fn template(&self) -> &Template {
        &self.template
    }
}

impl FrameCodec for TemplateCodec {
    fn encode(&self, address: u8, text: &str) -> Result<Vec<u8>, CodecError> {
        let body = self.template.text_encoding().encode("text", text)?;
        let mut max = self.max_text_bytes;
        for item in &self.template.items {
            if let Item::Len(w) = item {
                max = max.min(w.max());
            }
        }
        if body.len() > max {
            return Err(CodecError::TooLong {
                field: "text",
                len: body.len(),
                max,
            });
        }
        if let Some(term) = self.template.terminator()
            && let Some(index) = body.iter().position(|b| *b == term)
        {
            // The receiver would take that byte for the end of the text.
            let ch = char::from(body[index]);
            return Err(CodecError::Unencodable {
                field: "text",
                ch,
                index,
                encoding: "template (byte equals the frame terminator)",
            });
        }
        let mut out = Vec::with_capacity(body.len() + self.template.items.len() + 2);
        let (mut range_start, mut range_end) = (0, 0);
        let mut slots = Vec::new();
        for item in &self.template.items {
            match item {
                Item::Byte(b) => out.push(*b),
                Item::Addr => out.push(address),
                Item::Text(_) => out.extend_from_slice(&body),
                Item::Len(w) => {
                    let n = u16::try_from(body.len()).unwrap_or(u16::MAX);
                    match w {
                        LenWidth::U8 => out.push(u8::try_from(n).unwrap_or(u8::MAX)),
                        LenWidth::U16Be => out.extend_from_slice(&n.to_be_bytes()),
                        LenWidth::U16Le => out.extend_from_slice(&n.to_le_bytes()),
                    }
                }
                Item::Check(c) => {
                    slots.push((out.len(), *c));
                    out.extend(std::iter::repeat_n(0, c.width()));
                }
                Item::RangeStart => range_start = out.len(),
                Item::RangeEnd => range_end = out.len(),
            }
        }
        for (at, check) in slots {
            let value = check.compute(out.get(range_start..range_end).unwrap_or_default());
            if let Some(slot) = out.get_mut(at..at + value.len()) {
                slot.copy_from_slice(&value);
            }
        }
        Ok(out)
    }

    fn decode(&self, bytes: &[u8]) -> Result<(ScreenFrame, usize), FrameError> {
        let mut pos = 0usize;
        let mut address = 0u8;
        let mut text_len: Option<usize> = None;
        let mut text = String::new();
        let (mut range_start, mut range_end) = (0, 0);
        let mut checks = Vec::new();
        let take = |pos: usize, n: usize| bytes.get(pos..pos + n).ok_or(FrameError::Incomplete);
        for (index, item) in self.template.items.iter().enumerate() {
            match item {
                Item::Byte(want) => {
                    let got = take(pos, 1)?[0];
                    if got != *want {
                        return Err(FrameError::Malformed(format!(
                            "byte {pos} is {got:#04x}, expected {want:#04x}"
                        )));
                    }
                    pos += 1;
                }
                Item::Addr => {
                    address = take(pos, 1)?[0];
                    pos += 1;
                }
                Item::Len(w) => {
                    let b = take(pos, w.width())?;
                    text_len = Some(match (w, b) {
                        (LenWidth::U8, [n]) => usize::from(*n),
                        (LenWidth::U16Be, [hi, lo]) | (LenWidth::U16Le, [lo, hi]) => {
                            usize::from(u16::from_be_bytes([*hi, *lo]))
                        }
                        _ => return Err(FrameError::Malformed("length field".into())),
                    });
                    pos += w.width();
                }
                Item::Text(enc) => {
                    let n = match text_len {
                        Some(n) => n,
                        None => {
                            let term = self
                                .template
                                .items
                                .get(index + 1..)
                                .unwrap_or_default()
                                .iter()
                                .find_map(|i| if let Item::Byte(b) = i { Some(*b) } else { None })
                                .ok_or_else(|| FrameError::Malformed("template has no text end".into()))?;
                            bytes
                                .get(pos..)
                                .unwrap_or_default()
                                .iter()
                                .position(|b| *b == term)
                                .ok_or(FrameError::Incomplete)?
                        }
                    };
                    if n > self.max_text_bytes.max(usize::from(u16::MAX)) {
                        return Err(FrameError::Malformed(format!("text length {n} too large")));
                    }
                    let raw = take(pos, n)?;
                    text = enc
                        .decode(raw)
                        .ok_or_else(|| FrameError::Malformed(format!("text is not valid {}", enc.name())))?;
                    pos += n;
                }
                Item::Check(c) => {
                    checks.push((pos, *c));
                    take(pos, c.width())?;
                    pos += c.width();
                }
                Item::RangeStart => range_start = pos,
                Item::RangeEnd => range_end = pos,
            }
        }
        let range = bytes.get(range_start..range_end).unwrap_or_default();
        for (at, check) in checks {
            let want = check.compute(range);
            let got = bytes.get(at..at + want.len()).unwrap_or_default();
            if got != want.as_slice() {
                let as_u32 = |b: &[u8]| b.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x));
                return Err(FrameError::Checksum {
                    expected: as_u32(got),
                    actual: as_u32(&want),
                });
            }
        }
        Ok((ScreenFrame { address, text }, pos))
    }

    fn may_start(&self, byte: u8) -> bool {
        match self
            .template
            .items
            .iter()
            .find(|i| !matches!(i, Item::RangeStart | Item::RangeEnd))
        {
            Some(Item::Byte(b)) => *b == byte,
            _ => true,
        }
    }
}
