//! Evaluators (好差评): the citizen rates the service at the window.
//!
//! Ratings are five levels, numbered as the domain numbers them ([`Rating`]): 1 = 非常不满意,
//! 2 = 不满意, 3 = 基本满意, 4 = 满意, 5 = 非常满意. The two negative levels need a reason (a choice or
//! written text, [`RatingResult::validate`]). No rating in time is [`Outcome::NoRating`], never a
//! default rating.
//!
//! - [`keypad`]: USB keypads that enumerate as HID keyboards: boot reports → key-down edges →
//!   rating through a configurable [`KeyMap`].
//! - [`server`] / [`message`]: network pads (Android, WebView) that connect to a WebSocket server on
//!   the window terminal and exchange JSON `{code, state, msg, data}`.
//! - [`padsim`]: a simulated pad for tests and `devicectl --sim`.
//!
//! # Pad protocol
//!
//! Documented codes (one vendor's published protocol):
//!
//! | code | direction | meaning |
//! | --- | --- | --- |
//! | 40001 | server → pad | on connect: `state 0, msg "请发送工号"` |
//! | 40001 | pad → server | login, `data: {work_no, key}`; reply `state 1 "登录成功"` or `state 0 "通讯密钥错误"` |
//! | 40000 | pad → server | heartbeat every 60 s, `data`: timestamp (ms); reply `state 1 "收到"` |
//! | 50100 | server → pad | open the URL in `data` in the pad's WebView |
//! | 40002 | server → pad | reply to a malformed packet |
//! | 50000 | server → pad | reply to an unknown command |
//!
//! **Our extensions** (not in the published protocol; a stock pad that only knows the codes above
//! is driven with 50100 and a rating page instead):
//!
//! | code | direction | meaning |
//! | --- | --- | --- |
//! | 60100 | server → pad | show evaluation: `data: {evaluation_id, ticket, case_no, staff: {department, staff_no, name, photo_url, motto}, timeout}` |
//! | 60101 | pad → server | rating result: `data: {evaluation_id, level (1–5), reasons: [..], text}` |
//! | 60101 | server → pad | `state 1 "评价成功"`, or `state 0` with the reason it was refused (bad level, negative level without a reason, no open evaluation); the evaluation stays open for a corrected rating |
//! | 60102 | server → pad | evaluation closed (timed out): back to idle |
//!
//! A pad silent for two heartbeat intervals is taken as offline and its connection closed.

pub mod keypad;
pub mod message;
pub mod padsim;
pub mod rating;
pub mod server;

pub use keypad::{
    BootReport, DeviceSpec, HidReportSource, KeyEdges, KeyMap, Keypad, KeypadError, ReportError, ReportSource,
    decode_boot_report,
};
pub use message::{Envelope, Evaluation, MessageError, PadMessage, StaffCard, parse_envelope, parse_pad_message};
pub use padsim::{PadAnswer, PadSim, PadSimConfig};
pub use rating::{Rating, RatingError, RatingResult};
pub use server::{Outcome, PadError, PadEvent, PadServer, PadServerConfig};
