//! JSON messages between the window terminal (server) and evaluator pads (clients).
//!
//! Every message is `{code, state, msg, data}`; `state` is 1 for success and 0 for failure in
//! replies. Documented codes: 40001 login, 40000 heartbeat, 50100 open a URL, 40002 malformed
//! packet, 50000 unknown command. Codes 60100–60102 are this project's extensions (see the module
//! docs of [`super`]).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use thiserror::Error;

pub const HEARTBEAT: i64 = 40000;
pub const LOGIN: i64 = 40001;
pub const MALFORMED: i64 = 40002;
pub const UNKNOWN: i64 = 50000;
pub const OPEN_URL: i64 = 50100;
/// Extension: server → pad, show an evaluation (ticket and staff card).
pub const SHOW_EVALUATION: i64 = 60100;
/// Extension: pad → server, the citizen's rating; the server answers with the same code.
pub const RATING_RESULT: i64 = 60101;
/// Extension: server → pad, the evaluation is over (no rating in time); return to idle.
pub const EVALUATION_CLOSED: i64 = 60102;

/// Longest message accepted from a pad; a pad has no reason to send more.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The common shape of every message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
}

impl Envelope {
    pub fn reply(code: i64, ok: bool, msg: &str, data: Value) -> Self {
        Self {
            code,
            state: Some(i64::from(ok)),
            msg: Some(msg.to_owned()),
            data,
        }
    }

    pub fn to_json(&self) -> String {
        // An Envelope is plain data; serialising it cannot fail, but never panic on it either.
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"code\":{}}}", self.code))
    }

    pub fn ok(&self) -> bool {
        self.state == Some(1)
    }
}

/// What a pad sent, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum PadMessage {
    Login {
        work_no: String,
        key: String,
    },
    Heartbeat {
        timestamp: Option<i64>,
    },
    Rating(RawRating),
    /// A well-formed message with a code the server does not handle.
    Unknown {
        code: i64,
    },
}

/// A rating as the pad sent it, before [`super::RatingResult::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct RawRating {
    pub evaluation_id: String,
    pub level: i64,
    pub reasons: Vec<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("数据包格式错误 / malformed packet: {0}")]
pub struct MessageError(pub String);

/// Parses the envelope of any message (fuzz target; never panics).
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, MessageError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError(format!(
            "{} bytes, at most {MAX_MESSAGE_BYTES}",
            bytes.len()
        )));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| MessageError(format!("not JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(MessageError("not a JSON object".into()));
    };
    let code = obj
        .get("code")
        .and_then(code_of)
        .ok_or_else(|| MessageError("no integer \"code\"".into()))?;
    Ok(Envelope {
        code,
        state: obj.get("state").and_then(code_of),
        msg: obj.get("msg").and_then(Value::as_str).map(str::to_owned),
        data: obj.get("data").cloned().unwrap_or(Value::Null),
    })
}

/// Pads send numbers as JSON numbers or as strings ("40001"); both are accepted.
fn code_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a message from a pad (fuzz target; never panics).
pub fn parse_pad_message(bytes: &[u8]) -> Result<PadMessage, MessageError> {
    let env = parse_envelope(bytes)?;
    let field = |name: &str| env.data.get(name);
    match env.code {
        LOGIN => {
            let work_no = field("work_no")
                .and_then(string_of)
                .ok_or_else(|| MessageError("login without data.work_no".into()))?;
            let key = field("key")
                .and_then(string_of)
                .ok_or_else(|| MessageError("login without data.key".into()))?;
            Ok(PadMessage::Login { work_no, key })
        }
        HEARTBEAT => Ok(PadMessage::Heartbeat {
            timestamp: env.data.as_i64(),
        }),
        RATING_RESULT => {
            let evaluation_id = field("evaluation_id")
                .and_then(string_of)
                .ok_or_else(|| MessageError("rating without data.evaluation_id".into()))?;
            let level = field("level")
                .and_then(code_of)
                .ok_or_else(|| MessageError("rating without an integer data.level".into()))?;
            let reasons = match field("reasons") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| string_of(v).ok_or_else(|| MessageError("data.reasons holds a non-string".into())))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(MessageError("data.reasons is not a list".into())),
            };
            let text = match field("text") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(MessageError("data.text is not a string".into())),
            };
            Ok(PadMessage::Rating(RawRating {
                evaluation_id,
                level,
                reasons,
                text,
            }))
        }
        code => Ok(PadMessage::Unknown { code }),
    }
}

/// The staff card shown next to the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StaffCard {
    pub department: String,
    pub staff_no: String,
    pub name: String,
    pub photo_url: String,
    pub motto: String,
}

/// What the pad shows when asked for a rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evaluation {
    /// Ticket number (e.g. "A023").
    pub ticket: String,
    /// Case number (办件编号), when the service produced one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    pub staff: StaffCard,
}

/// The extension push asking a pad to show `evaluation` under `evaluation_id`.
pub fn show_evaluation(evaluation_id: &str, evaluation: &Evaluation, timeout_secs: u64) -> Envelope {
    Envelope::reply(
        SHOW_EVALUATION,
        true,
        "请评价",
        json!({
            "evaluation_id": evaluation_id,
            "ticket": evaluation.ticket,
            "case_no": evaluation.case_no,
            "staff": evaluation.staff,
            "timeout": timeout_secs,
        }),
    )
}
