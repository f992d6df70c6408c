//! The 256-byte text block (UCS-2LE, space padded) and the card data it holds.
//!
//! Layouts per card type come from `peripherals.md` §1. The 2023 foreign permanent-residence layout
//! (`Y`) has a single source; check it against the National Immigration Administration's
//! 《新版外国人永久居留身份证适配性改造要点》 before relying on it for anything but display.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// Size of the text block in a read reply.
pub const TEXT_LEN: usize = 256;
/// Byte offset of the UCS-2 card-type character.
const TYPE_OFFSET: usize = 248;

/// Which document was read, from the character at offset 248.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    /// 居民身份证 (type character is a space).
    Resident,
    /// 港澳台居民居住证 (`J`).
    HkMacauTaiwan,
    /// 外国人永久居留身份证, 2017 edition (`I`).
    ForeignPermanent2017,
    /// 外国人永久居留身份证, 2023 edition (`Y`).
    ForeignPermanent2023,
}

impl CardType {
    fn from_marker(unit: u16) -> Result<Self, TextError> {
        match unit {
            // Some older resident cards leave the slot zeroed instead of space padded.
            0x0020 | 0x0000 => Ok(Self::Resident),
            0x004A => Ok(Self::HkMacauTaiwan),
            0x0049 => Ok(Self::ForeignPermanent2017),
            0x0059 => Ok(Self::ForeignPermanent2023),
            other => Err(TextError::UnknownCardType(other)),
        }
    }

    fn marker(self) -> u16 {
        match self {
            Self::Resident => 0x0020,
            Self::HkMacauTaiwan => 0x004A,
            Self::ForeignPermanent2017 => 0x0049,
            Self::ForeignPermanent2023 => 0x0059,
        }
    }

    /// Chinese name of the document.
    pub fn label(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::HkMacauTaiwan => "港澳台居民居住证",
            Self::ForeignPermanent2017 => "外国人永久居留身份证(2017)",
            Self::ForeignPermanent2023 => "外国人永久居留身份证(2023)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("文字信息长度错误 / text block is {0} bytes, expected 256")]
    BadSize(usize),
    #[error("未知证件类型 / unknown card type marker U+{0:04X}")]
    UnknownCardType(u16),
    #[error("字段过长 / field {field} holds at most {max_chars} characters")]
    FieldTooLong { field: &'static str, max_chars: usize },
}

/// Card data. `Display` and `Debug` mask personal data (`张*`, `230***********1234`); use
/// [`CardInfo::unmasked`] or serde when the full data is really needed.
///
/// Fields a card type does not carry are empty strings / `None`. For foreign cards `name` is the
/// Chinese name and `id_number` the permanent-residence number; `nation` stays empty (their
/// nationality is an ISO 3166 alpha-3 code in `nationality`).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct CardInfo {
    pub card_type: CardType,
    pub name: String,
    /// Decoded (男/女/未知/未说明); an undefined code is kept as is.
    pub sex: String,
    /// Decoded ethnic group (汉, 蒙古, …); an undefined code is kept as is.
    pub nation: String,
    /// YYYYMMDD.
    pub birth: String,
    pub address: String,
    pub id_number: String,
    /// Issuing authority; on 2017 foreign cards this is the authority code.
    pub authority: String,
    /// YYYYMMDD.
    pub valid_from: String,
    /// YYYYMMDD or 长期 (no expiry).
    pub valid_to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub english_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// HK/Macau/Taiwan permit: the 通行证 number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_number: Option<String>,
    /// HK/Macau/Taiwan permit: 签发次数.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_count: Option<String>,
    /// 2017 foreign card: card version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_version: Option<String>,
    /// 2023 foreign card: 换证次数.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_count: Option<String>,
    /// 2023 foreign card: link to the old card number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_card_link: Option<String>,
    /// Photo in the proprietary WLT format, kept opaque: no decoder is shipped (decoding needs a
    /// licensed vendor library); plug one in through [`WltDecoder`]. Not serialised.
    #[serde(skip)]
    pub photo_wlt: Vec<u8>,
    /// Fingerprint template (only from `read_with_fingerprint`), opaque. Not serialised.
    #[serde(skip)]
    pub fingerprint: Vec<u8>,
}

impl CardInfo {
    /// An empty record of the given type, handy for building test cards.
    pub fn empty(card_type: CardType) -> Self {
        Self {
            card_type,
            name: String::new(),
            sex: String::new(),
            nation: String::new(),
            birth: String::new(),
            address: String::new(),
            id_number: String::new(),
            authority: String::new(),
            valid_from: String::new(),
            valid_to: String::new(),
            english_name: None,
            nationality: None,
            pass_number: None,
            issue_count: None,
            card_version: None,
            renewal_count: None,
            previous_card_link: None,
            photo_wlt: Vec::new(),
            fingerprint: Vec::new(),
        }
    }

    /// Parses a 256-byte text block.
    pub fn parse(block: &[u8]) -> Result<Self, TextError> {
        if block.len() != TEXT_LEN {
            return Err(TextError::BadSize(block.len()));
        }
        let marker = u16::from_le_bytes([block[TYPE_OFFSET], block[TYPE_OFFSET + 1]]);
        let card_type = CardType::from_marker(marker)?;
        let mut info = Self::empty(card_type);
        let mut english_raw = String::new();
        for &(field, off, len) in layout(card_type) {
            let raw = decode_utf16le(&block[off..off + len]);
            let value = trim(&raw).to_owned();
            match field {
                Field::Name => info.name = value,
                Field::Sex => info.sex = sex_name(&value),
                Field::Nation => info.nation = nation_name(&value),
                Field::Birth => info.birth = value,
                Field::Address => info.address = value,
                Field::IdNumber => info.id_number = value,
                Field::Authority => info.authority = value,
                Field::ValidFrom => info.valid_from = value,
                Field::ValidTo => info.valid_to = value,
                // The 2023 card splits the English name over two slots; the first is used to its
                // full width before the second starts, so join the raw (untrimmed) halves.
                Field::EnglishName | Field::EnglishName2 => english_raw.push_str(&raw),
                Field::Nationality => info.nationality = Some(value),
                Field::PassNumber => info.pass_number = Some(value),
                Field::IssueCount => info.issue_count = Some(value),
                Field::CardVersion => info.card_version = Some(value),
                Field::RenewalCount => info.renewal_count = Some(value),
                Field::PreviousCardLink => info.previous_card_link = Some(value),
            }
        }
        if matches!(
            card_type,
            CardType::ForeignPermanent2017 | CardType::ForeignPermanent2023
        ) {
            info.english_name = Some(trim(&english_raw).to_owned());
        }
        Ok(info)
    }

    /// Builds the 256-byte text block for this card (the simulator's card, test fixtures).
    pub fn to_block(&self) -> Result<[u8; TEXT_LEN], TextError> {
        let mut block = [0u8; TEXT_LEN];
        for pair in block.chunks_exact_mut(2) {
            pair[0] = b' ';
        }
        let english = self.english_name.clone().unwrap_or_default();
        let english: Vec<u16> = english.encode_utf16().collect();
        // Where the first English-name slot ends, in UTF-16 units, for the 2023 split.
        let first_slot = layout(self.card_type)
            .iter()
            .find(|(f, _, _)| *f == Field::EnglishName)
            .map_or(0, |&(_, _, len)| len / 2);
        for &(field, off, len) in layout(self.card_type) {
            let value: Vec<u16> = match field {
                Field::Name => self.name.encode_utf16().collect(),
                Field::Sex => sex_code(&self.sex).encode_utf16().collect(),
                Field::Nation => nation_code(&self.nation).encode_utf16().collect(),
                Field::Birth => self.birth.encode_utf16().collect(),
                Field::Address => self.address.encode_utf16().collect(),
                Field::IdNumber => self.id_number.encode_utf16().collect(),
                Field::Authority => self.authority.encode_utf16().collect(),
                Field::ValidFrom => self.valid_from.encode_utf16().collect(),
                Field::ValidTo => self.valid_to.encode_utf16().collect(),
                Field::EnglishName => english.iter().take(first_slot).copied().collect(),
                Field::EnglishName2 => english.iter().skip(first_slot).copied().collect(),
                Field::Nationality => opt_units(&self.nationality),
                Field::PassNumber => opt_units(&self.pass_number),
                Field::IssueCount => opt_units(&self.issue_count),
                Field::CardVersion => opt_units(&self.card_version),
                Field::RenewalCount => opt_units(&self.renewal_count),
                Field::PreviousCardLink => opt_units(&self.previous_card_link),
            };
            if value.len() * 2 > len {
                // The 2023 English name spans both slots, so report their combined room.
                let spill = if field == Field::EnglishName2 { first_slot } else { 0 };
                return Err(TextError::FieldTooLong {
                    field: field.name(),
                    max_chars: spill + len / 2,
                });
            }
            for (i, unit) in value.iter().enumerate() {
                block[off + 2 * i..off + 2 * i + 2].copy_from_slice(&unit.to_le_bytes());
            }
        }
        block[TYPE_OFFSET..TYPE_OFFSET + 2].copy_from_slice(&self.card_type.marker().to_le_bytes());
        Ok(block)
    }

    /// Full, unmasked rendering. Only for screens the card holder is looking at.
    pub fn unmasked(&self) -> Unmasked<'_> {
        Unmasked(self)
    }

    /// Decodes the photo with a caller-supplied WLT decoder.
    pub fn decode_photo<D: WltDecoder>(&self, decoder: &D) -> Result<Photo, D::Error> {
        decoder.decode(&self.photo_wlt)
    }
}

fn opt_units(value: &Option<String>) -> Vec<u16> {
    value.as_deref().unwrap_or("").encode_utf16().collect()
}

/// `张三` → `张*`: the first character only, so staff can still tell cards apart on screen.
pub fn mask_name(name: &str) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c } else { '*' })
        .collect()
}

/// `230102199001011234` → `230***********1234`: region prefix and last four are what people check.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= chars.len() - 4 { *c } else { '*' })
        .collect()
}

impl fmt::Display for CardInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Foreign cards may carry no Chinese name; show the English one then.
        let name = match (&self.name, &self.english_name) {
            (n, Some(en)) if n.is_empty() => en,
            (n, _) => n,
        };
        write!(
            f,
            "{} {} {} {}",
            self.card_type.label(),
            mask_name(name),
            self.sex,
            mask_id(&self.id_number)
        )
    }
}

/// Masked like `Display`, so a stray `{:?}` in a log line does not leak personal data.
impl fmt::Debug for CardInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInfo")
            .field("card_type", &self.card_type)
            .field("name", &mask_name(&self.name))
            .field("id_number", &mask_id(&self.id_number))
            .field("photo_wlt_len", &self.photo_wlt.len())
            .field("fingerprint_len", &self.fingerprint.len())
            .finish_non_exhaustive()
    }
}

/// See [`CardInfo::unmasked`].
pub struct Unmasked<'a>(&'a CardInfo);

impl fmt::Display for Unmasked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        write!(
            f,
            "{} {} {} {} {} {} {} {} {}-{}",
            c.card_type.label(),
            c.name,
            c.sex,
            c.nation,
            c.birth,
            c.address,
            c.id_number,
            c.authority,
            c.valid_from,
            c.valid_to
        )
    }
}

/// A decoded photo: 24-bit BGR rows, top to bottom (vendor libraries give 102×126).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub width: u32,
    pub height: u32,
    pub bgr: Vec<u8>,
}

/// Hook for a WLT photo decoder. None ships with this crate: the format is proprietary and the only
/// known decoders are licensed vendor libraries (`libwlt2bmp`, `WltRS.dll`) to be wrapped by FFI.
pub trait WltDecoder {
    type Error: std::error::Error;
    fn decode(&self, wlt: &[u8]) -> Result<Photo, Self::Error>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Sex,
    Nation,
    Birth,
    Address,
    IdNumber,
    Authority,
    ValidFrom,
    ValidTo,
    EnglishName,
    EnglishName2,
    Nationality,
    PassNumber,
    IssueCount,
    CardVersion,
    RenewalCount,
    PreviousCardLink,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Sex => "sex",
            Self::Nation => "nation",
            Self::Birth => "birth",
            Self::Address => "address",
            Self::IdNumber => "id_number",
            Self::Authority => "authority",
            Self::ValidFrom => "valid_from",
            Self::ValidTo => "valid_to",
            Self::EnglishName | Self::EnglishName2 => "english_name",
            Self::Nationality => "nationality",
            Self::PassNumber => "pass_number",
            Self::IssueCount => "issue_count",
            Self::CardVersion => "card_version",
            Self::RenewalCount => "renewal_count",
            Self::PreviousCardLink => "previous_card_link",
        }
    }
}

/// (field, byte offset, byte length) per card type, from the tables in `peripherals.md` §1.
fn layout(card_type: CardType) -> &'static [(Field, usize, usize)] {
    use Field::*;
    const RESIDENT: &[(Field, usize, usize)] = &[
        (Name, 0, 30),
        (Sex, 30, 2),
        (Nation, 32, 4),
        (Birth, 36, 16),
        (Address, 52, 70),
        (IdNumber, 122, 36),
        (Authority, 158, 30),
        (ValidFrom, 188, 16),
        (ValidTo, 204, 16),
    ];
    // Same as resident up to 220 with the nation left blank, so the nation slot is not read.
    const HK_MACAU_TAIWAN: &[(Field, usize, usize)] = &[
        (Name, 0, 30),
        (Sex, 30, 2),
        (Birth, 36, 16),
        (Address, 52, 70),
        (IdNumber, 122, 36),
        (Authority, 158, 30),
        (ValidFrom, 188, 16),
        (ValidTo, 204, 16),
        (PassNumber, 220, 18),
        (IssueCount, 238, 4),
    ];
    const FOREIGN_2017: &[(Field, usize, usize)] = &[
        (EnglishName, 0, 120),
        (Sex, 120, 2),
        (IdNumber, 122, 30),
        (Nationality, 152, 6),
        (Name, 158, 30),
        (ValidFrom, 188, 16),
        (ValidTo, 204, 16),
        (Birth, 220, 16),
        (CardVersion, 236, 4),
        (Authority, 240, 8),
    ];
    const FOREIGN_2023: &[(Field, usize, usize)] = &[
        (Name, 0, 30),
        (Sex, 30, 2),
        (RenewalCount, 32, 4),
        (Birth, 36, 16),
        (EnglishName, 52, 70),
        (IdNumber, 122, 36),
        (ValidFrom, 188, 16),
        (ValidTo, 204, 16),
        (EnglishName2, 220, 22),
        (Nationality, 242, 6),
        (PreviousCardLink, 250, 6),
    ];
    match card_type {
        CardType::Resident => RESIDENT,
        CardType::HkMacauTaiwan => HK_MACAU_TAIWAN,
        CardType::ForeignPermanent2017 => FOREIGN_2017,
        CardType::ForeignPermanent2023 => FOREIGN_2023,
    }
}

/// UCS-2LE → String; invalid units become U+FFFD rather than failing the whole card.
fn decode_utf16le(bytes: &[u8]) -> String {
    let units = bytes.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Padding is spaces, but some writers leave NULs; drop both.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '\0')
}

/// GB/T 2261.1 sex codes.
const SEXES: &[(&str, &str)] = &[("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明")];

/// GB 3304 nation codes (46 is 德昂; one widely copied table misspells it 德昴).
const NATIONS: &[(&str, &str)] = &[
    ("01", "汉"),
    ("02", "蒙古"),
    ("03", "回"),
    ("04", "藏"),
    ("05", "维吾尔"),
    ("06", "苗"),
    ("07", "彝"),
    ("08", "壮"),
    ("09", "布依"),
    ("10", "朝鲜"),
    ("11", "满"),
    ("12", "侗"),
    ("13", "瑶"),
    ("14", "白"),
    ("15", "土家"),
    ("16", "哈尼"),
    ("17", "哈萨克"),
    ("18", "傣"),
    ("19", "黎"),
    ("20", "傈僳"),
    ("21", "佤"),
    ("22", "畲"),
    ("23", "高山"),
    ("24", "拉祜"),
    ("25", "水"),
    ("26", "东乡"),
    ("27", "纳西"),
    ("28", "景颇"),
    ("29", "柯尔克孜"),
    ("30", "土"),
    ("31", "达斡尔"),
    ("32", "仫佬"),
    ("33", "羌"),
    ("34", "布朗"),
    ("35", "撒拉"),
    ("36", "毛南"),
    ("37", "仡佬"),
    ("38", "锡伯"),
    ("39", "阿昌"),
    ("40", "普米"),
    ("41", "塔吉克"),
    ("42", "怒"),
    ("43", "乌孜别克"),
    ("44", "俄罗斯"),
    ("45", "鄂温克"),
    ("46", "德昂"),
    ("47", "保安"),
    ("48", "裕固"),
    ("49", "京"),
    ("50", "塔塔尔"),
    ("51", "独龙"),
    ("52", "鄂伦春"),
    ("53", "赫哲"),
    ("54", "门巴"),
    ("55", "珞巴"),
    ("56", "基诺"),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
];

/// Looks `key` up in one column of a code table and returns the other column.
fn lookup(table: &'static [(&'static str, &'static str)], key: &str, by_code: bool) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, n)| if by_code { *c == key } else { *n == key })
        .map(|&(c, n)| if by_code { n } else { c })
}

/// Sex name for a code; an undefined code is returned unchanged.
pub fn sex_name(code: &str) -> String {
    lookup(SEXES, code, true).map_or_else(|| code.to_owned(), str::to_owned)
}

/// Sex code for a name; anything not in the table is passed through (it may already be a code).
pub fn sex_code(name: &str) -> String {
    lookup(SEXES, name, false).map_or_else(|| name.to_owned(), str::to_owned)
}

/// Nation name for a GB 3304 code; an undefined code is returned unchanged.
pub fn nation_name(code: &str) -> String {
    lookup(NATIONS, code, true).map_or_else(|| code.to_owned(), str::to_owned)
}

/// GB 3304 code for a nation name; anything not in the table is passed through.
pub fn nation_code(name: &str) -> String {
    lookup(NATIONS, name, false).map_or_else(|| name.to_owned(), str::to_owned)
}
