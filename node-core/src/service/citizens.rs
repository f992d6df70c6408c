//! The citizen's identity on the node: the ID card sealed (SM4) as tickets keep it, the keyed digest
//! that appointments and cases are found by, and one-code-service citizen codes (一码通办, tender
//! 2844–2862 "建设一码通办服务系统 … (1) 扫码登录 … 替代身份证读取登录"): a QR code from the city's app that
//! stands for the ID number (and name) for a few minutes. The store keeps only the SM3 of a code, the
//! keyed digest of the ID number, the sealed number and name, and the birth date.

use domain::time::Date;
use serde::{Deserialize, Serialize};

use crate::error::{Kind, NodeError};
use crate::node::Node;
use crate::store::Record;
use crate::store::citizen_codes::CitizenCode;

/// Every code this node issues starts with this (version 1 of the format).
pub const CODE_PREFIX: &str = "YM1-";
/// How long a code lives unless asked otherwise (the city app refreshes it on screen).
pub const DEFAULT_TTL_MINUTES: u32 = 5;
/// The longest a code may live (one day).
pub const MAX_TTL_MINUTES: u32 = 24 * 60;
/// Longest code accepted for resolving (codes are opaque; this only bounds the input).
const MAX_CODE_LEN: usize = 64;

/// Personal data as sealed in the event log (each field SM4-GCM sealed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SealedCitizen {
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// A valid code's citizen, for the use cases that take a code instead of an ID card.
#[derive(Debug, Clone)]
pub struct CodeCitizen {
    /// The keyed digest of the ID number (what appointments and cases are found by).
    pub citizen_key: String,
    /// The sealed number and name, exactly as a ticket issued with the ID card seals them.
    pub sealed: SealedCitizen,
    pub birth: Date,
    pub expires_at: i64,
}

/// A code just issued: shown once.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code: String,
    pub expires_at: i64,
}

/// The keyed digest (blind index) of a valid ID number; errors name `id_number`.
pub fn citizen_key(node: &Node, id_number: &str) -> Result<String, NodeError> {
    domain::idcard::IdNumber::parse(id_number).map_err(|m| NodeError::invalid("id_number", m))?;
    Ok(node.sealer.blind_index(id_number))
}

/// Checks an ID card's number and name and seals them into `sealed`; errors name `fields` (number,
/// name).
pub fn seal_id_card(
    node: &Node,
    number: &str,
    name: Option<&str>,
    fields: (&str, &str),
    sealed: &mut SealedCitizen,
) -> Result<domain::idcard::IdNumber, NodeError> {
    let parsed = domain::idcard::IdNumber::parse(number).map_err(|m| NodeError::invalid(fields.0, m))?;
    if let Some(name) = name {
        let n = name.trim().chars().count();
        if n == 0 || n > 64 {
            return Err(NodeError::invalid(fields.1, "expected 1–64 characters"));
        }
    }
    sealed.id_number = Some(node.sealer.seal(number.trim()));
    sealed.name = name.map(|n| node.sealer.seal(n.trim()));
    Ok(parsed)
}

/// Checks the input, seals the citizen and records a new code as a `citizen_code_issued` audit row (no
/// code, no citizen in it). Errors name `id_number`, `name` or `ttl_minutes`.
pub async fn issue_code(
    node: &Node,
    actor: &str,
    id_number: &str,
    name: Option<&str>,
    ttl_minutes: Option<u32>,
) -> Result<IssuedCode, NodeError> {
    let ttl = ttl_minutes.unwrap_or(DEFAULT_TTL_MINUTES);
    if ttl == 0 || ttl > MAX_TTL_MINUTES {
        return Err(NodeError::invalid(
            "ttl_minutes",
            format!("expected 1 … {MAX_TTL_MINUTES} minutes"),
        ));
    }
    let mut sealed = SealedCitizen::default();
    let parsed = seal_id_card(node, id_number, name, ("id_number", "name"), &mut sealed)?;
    let citizen_key = citizen_key(node, id_number)?;
    let sealed = serde_json::to_string(&sealed).map_err(|e| NodeError::internal(e.to_string()))?;
    let code = format!(
        "{CODE_PREFIX}{}",
        hex::encode_upper(crate::crypto::random_bytes::<12>())
    );
    let expires_at = node.now() + i64::from(ttl) * 60_000;
    let record = Record::CitizenCodeIssued(CitizenCode {
        code_hash: code_hash(&code),
        citizen_key,
        sealed,
        birth: parsed.birth.to_string(),
        expires_at,
    });
    node.engine.record("", actor, record).await?;
    Ok(IssuedCode { code, expires_at })
}

/// What is stored for a code: the SM3 of its trimmed, upper-case spelling.
fn code_hash(code: &str) -> String {
    crate::crypto::sm3_hex(code.trim().to_ascii_uppercase().as_bytes())
}

/// The citizen a code stands for. Errors name `field`: `invalid` (not a code at all), `not_found` (no
/// such code), `expired` of kind gone (expired or revoked).
pub async fn resolve_code(node: &Node, code: &str, field: &str) -> Result<CodeCitizen, NodeError> {
    let c = code.trim();
    if c.is_empty() || c.len() > MAX_CODE_LEN || !c.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(NodeError::invalid(
            field,
            "不是一码通办码 / not a citizen code: 1–64 printable characters",
        ));
    }
    let hash = code_hash(c);
    let row = node.query(move |r| r.citizen_code(&hash)).await?.ok_or_else(|| {
        NodeError::new(
            Kind::NotFound,
            "not_found",
            "未找到该一码通办码，请刷新后重新出示 / no such citizen code",
        )
        .field(field)
    })?;
    let gone = |message: &str| Err(NodeError::new(Kind::Gone, "expired", message).field(field));
    if row.revoked {
        return gone("该一码通办码已作废，请刷新后重新出示 / the citizen code was revoked");
    }
    if node.now() >= row.expires_at {
        return gone("该一码通办码已过期，请刷新后重新出示 / the citizen code has expired");
    }
    let sealed: SealedCitizen =
        serde_json::from_str(&row.sealed).map_err(|e| NodeError::internal(format!("stored citizen code: {e}")))?;
    let birth = parse_day(&row.birth)
        .ok_or_else(|| NodeError::internal("stored citizen code: birth date"))?
        .date();
    Ok(CodeCitizen {
        citizen_key: row.citizen_key,
        sealed,
        birth,
        expires_at: row.expires_at,
    })
}

/// The keyed digest of the citizen a lookup names: by `id_number` (the ID card) or by `citizen_code`
/// (一码通办), exactly one of them. Neither names `id_number`, both name `citizen_code`.
pub async fn citizen_key_of(
    node: &Node,
    id_number: Option<&str>,
    citizen_code: Option<&str>,
) -> Result<String, NodeError> {
    match (id_number, citizen_code) {
        (Some(_), Some(_)) => Err(NodeError::invalid(
            "citizen_code",
            "give either id_number or citizen_code, not both",
        )),
        (None, None) => Err(NodeError::invalid(
            "id_number",
            "give id_number (the ID card) or citizen_code (一码通办)",
        )),
        (Some(n), None) => citizen_key(node, n),
        (None, Some(c)) => Ok(resolve_code(node, c, "citizen_code").await?.citizen_key),
    }
}

/// A `YYYY-MM-DD` day.
pub fn parse_day(s: &str) -> Option<domain::BusinessDay> {
    let mut it = s.split('-');
    let (y, m, d) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    if it.next().is_some() {
        return None;
    }
    domain::time::Date::new(y, m, d).map(|d| domain::BusinessDay(d.days()))
}
