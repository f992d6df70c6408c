//! Which clips speak a call: 请 A023 号到 5 号窗口办理 / Number A 0 2 3, please go to window 5.

use std::fmt;
use std::str::FromStr;

use crate::error::VoiceError;

/// A language the wall can announce in. Each has its own clip directory (`assets/voice/<code>/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The directory name and configuration spelling.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = VoiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| VoiceError::Config(format!("未知语言 {s:?}（可用: zh, en）")))
    }
}

/// One part of a sentence; its clip file is `<lang>/<file_stem>.wav`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// 0–9.
    Digit(u8),
    /// `A`–`Z`.
    Letter(char),
    /// zh 请.
    Qing,
    /// zh 号到.
    HaoDao,
    /// zh 号窗口办理.
    HaoChuangkouBanli,
    /// zh 十 (window numbers 10–99).
    Shi,
    /// en "Number".
    Number,
    /// en "please go to window".
    GoToWindow,
    /// A kiosk prompt for the elderly mode (one whole sentence per clip).
    Prompt(Prompt),
}

/// The kiosk's spoken prompts (issue 6: "elderly mode … spoken prompts from local clips").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// 请将身份证放在读卡区 / Please place your ID card on the reader.
    PlaceCard,
    /// 请选择办理事项 / Please choose a service.
    ChooseItem,
    /// 请取走号票，留意叫号 / Please take your ticket.
    TakeTicket,
    /// 号票无法打印，请记下屏幕上的号码 / The ticket cannot be printed…
    NumberOnScreen,
    /// 请扫描二维码或刷身份证 / Please scan your code or place your ID card.
    ScanCode,
    /// 您的号码是 / Your number is (followed by the number, char by char).
    YourNumber,
}

impl Prompt {
    pub const ALL: [Prompt; 6] = [
        Prompt::PlaceCard,
        Prompt::ChooseItem,
        Prompt::TakeTicket,
        Prompt::NumberOnScreen,
        Prompt::ScanCode,
        Prompt::YourNumber,
    ];

    /// The name apps use (`place_card` …), also the clip's stem after `prompt_`.
    pub fn name(self) -> &'static str {
        match self {
            Prompt::PlaceCard => "place_card",
            Prompt::ChooseItem => "choose_item",
            Prompt::TakeTicket => "take_ticket",
            Prompt::NumberOnScreen => "number_on_screen",
            Prompt::ScanCode => "scan_code",
            Prompt::YourNumber => "your_number",
        }
    }
}

impl FromStr for Prompt {
    type Err = VoiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Prompt::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| VoiceError::Config(format!("未知提示语 {s:?} / unknown prompt")))
    }
}

impl Part {
    pub fn file_stem(self) -> String {
        match self {
            Part::Digit(d) => format!("digit_{d}"),
            Part::Letter(c) => format!("letter_{c}"),
            Part::Qing => "qing".into(),
            Part::HaoDao => "hao_dao".into(),
            Part::HaoChuangkouBanli => "hao_chuangkou_banli".into(),
            Part::Shi => "shi".into(),
            Part::Number => "number".into(),
            Part::GoToWindow => "go_to_window".into(),
            Part::Prompt(p) => format!("prompt_{}", p.name()),
        }
    }
}

/// A clip of one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClipId {
    pub lang: Lang,
    pub part: Part,
}

impl ClipId {
    pub fn new(lang: Lang, part: Part) -> Self {
        ClipId { lang, part }
    }

    /// Every clip a language needs to speak any call `clips` accepts; `Library::load` requires them all,
    /// so a missing file is found when the wall starts, not at the first call that needs it.
    pub fn required(lang: Lang) -> Vec<ClipId> {
        let mut parts: Vec<Part> = (0..=9).map(Part::Digit).collect();
        parts.extend(('A'..='Z').map(Part::Letter));
        match lang {
            Lang::Zh => parts.extend([Part::Qing, Part::HaoDao, Part::HaoChuangkouBanli, Part::Shi]),
            Lang::En => parts.extend([Part::Number, Part::GoToWindow]),
        }
        parts.extend(Prompt::ALL.map(Part::Prompt));
        parts.into_iter().map(|p| ClipId::new(lang, p)).collect()
    }

    /// `<lang>/<stem>.wav`, relative to the clip root.
    pub fn relative_path(self) -> String {
        format!("{}/{}.wav", self.lang.code(), self.part.file_stem())
    }
}

/// A call to announce: the ticket number as the wall shows it and the window's number or name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub display: String,
    pub window: String,
}

impl Call {
    pub fn new(display: impl Into<String>, window: impl Into<String>) -> Self {
        Call {
            display: display.into(),
            window: window.into(),
        }
    }
}

/// The clips that speak `call` in `lang`, in order.
///
/// zh: 请 + ticket char by char + 号到 + window + 号窗口办理; en: Number + ticket char by char +
/// please go to window + window digits. Letters are case-insensitive. A `-` in the ticket (the device
/// series `A-K001`) is a written separator and is not spoken — a deliberate rule, not a skip: every other
/// character without a clip is an `Unspeakable` error naming it.
pub fn clips(call: &Call, lang: Lang) -> Result<Vec<ClipId>, VoiceError> {
    let ticket = spell(&call.display, "票号", lang, true)?;
    let window = window_parts(&call.window, lang)?;
    let mut parts = Vec::with_capacity(ticket.len() + window.len() + 3);
    match lang {
        Lang::Zh => {
            parts.push(Part::Qing);
            parts.extend(ticket);
            parts.push(Part::HaoDao);
            parts.extend(window);
            parts.push(Part::HaoChuangkouBanli);
        }
        Lang::En => {
            parts.push(Part::Number);
            parts.extend(ticket);
            parts.push(Part::GoToWindow);
            parts.extend(window);
        }
    }
    Ok(parts.into_iter().map(|p| ClipId::new(lang, p)).collect())
}

/// The clips of a kiosk prompt; with `number`, the prompt is followed by the number char by char
/// ("您的号码是 A 0 2 3"; the `-` of a device series is not spoken).
pub fn prompt_clips(prompt: Prompt, number: Option<&str>, lang: Lang) -> Result<Vec<ClipId>, VoiceError> {
    let mut parts = vec![Part::Prompt(prompt)];
    if let Some(n) = number {
        parts.extend(spell(n, "票号", lang, true)?);
    }
    Ok(parts.into_iter().map(|p| ClipId::new(lang, p)).collect())
}

/// Character by character: digits (0 = 零 / zero) and letters.
fn spell(text: &str, field: &'static str, lang: Lang, allow_hyphen: bool) -> Result<Vec<Part>, VoiceError> {
    let mut parts = Vec::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '0'..='9' => parts.push(Part::Digit(ch as u8 - b'0')),
            'A'..='Z' => parts.push(Part::Letter(ch)),
            'a'..='z' => parts.push(Part::Letter(ch.to_ascii_uppercase())),
            '-' if allow_hyphen => {}
            _ => {
                return Err(VoiceError::Unspeakable {
                    field,
                    text: text.to_owned(),
                    ch,
                    lang,
                });
            }
        }
    }
    if parts.is_empty() {
        return Err(VoiceError::Empty { field });
    }
    Ok(parts)
}

/// zh reads windows 1–99 (written without a leading zero) as numbers: 5 五, 10 十, 12 十二, 20 二十,
/// 23 二十三. Anything else (0, 05, 100, B2) is read char by char, as is every window in English.
fn window_parts(window: &str, lang: Lang) -> Result<Vec<Part>, VoiceError> {
    let number = match window.parse::<u8>() {
        Ok(n @ 1..=99) if !window.starts_with(['0', '+']) => Some(n),
        _ => None,
    };
    match (lang, number) {
        (Lang::Zh, Some(n)) => {
            let (tens, ones) = (n / 10, n % 10);
            let mut parts = Vec::with_capacity(3);
            if tens >= 2 {
                parts.push(Part::Digit(tens));
            }
            if tens >= 1 {
                parts.push(Part::Shi);
            }
            if ones != 0 {
                parts.push(Part::Digit(ones));
            }
            Ok(parts)
        }
        _ => spell(window, "窗口", lang, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(call: &Call, lang: Lang) -> Vec<String> {
        clips(call, lang)
            .map(|c| c.into_iter().map(|c| c.part.file_stem()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn zh_window_numbers() {
        let w = |w: &str| {
            let all = stems(&Call::new("A1", w), Lang::Zh);
            all[4..all.len() - 1].join(" ")
        };
        assert_eq!(w("5"), "digit_5");
        assert_eq!(w("10"), "shi");
        assert_eq!(w("12"), "shi digit_2");
        assert_eq!(w("20"), "digit_2 shi");
        assert_eq!(w("23"), "digit_2 shi digit_3");
        assert_eq!(w("05"), "digit_0 digit_5");
        assert_eq!(w("100"), "digit_1 digit_0 digit_0");
        assert_eq!(w("b2"), "letter_B digit_2");
    }

    #[test]
    fn hyphen_is_a_separator_in_tickets_only() {
        assert_eq!(
            stems(&Call::new("A-K001", "1"), Lang::En)[1..5],
            ["letter_A", "letter_K", "digit_0", "digit_0"]
        );
        assert!(matches!(
            clips(&Call::new("A1", "1-2"), Lang::En),
            Err(VoiceError::Unspeakable { ch: '-', .. })
        ));
        assert!(matches!(
            clips(&Call::new("-", "1"), Lang::Zh),
            Err(VoiceError::Empty { .. })
        ));
    }
}
