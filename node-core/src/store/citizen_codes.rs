//! One-code-service citizen codes (一码通办, tender 2844–2862 "(1) 扫码登录…通过一码通办窗口扫码登录，替代身份证
//! 读取登录") as stored in `citizen_codes` (migration 5). Written only by the writer, through
//! [`super::Record::CitizenCodeIssued`], so each issue is also an audit row. The code itself is never
//! stored: only its SM3.

/// What is written when a code is issued.
#[derive(Debug, Clone)]
pub struct CitizenCode {
    /// Hex SM3 of the code as printed (upper case).
    pub code_hash: String,
    /// The keyed digest of the ID number (what appointments and cases keep).
    pub citizen_key: String,
    /// JSON of the sealed citizen (`SealedCitizen`: the SM4-sealed number and name).
    pub sealed: String,
    /// YYYY-MM-DD, from the ID number.
    pub birth: String,
    pub expires_at: i64,
}

/// A stored code, as the handlers read it: `citizen_key` and `sealed` are used inside the node and
/// never appear in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenCodeRow {
    pub citizen_key: String,
    pub sealed: String,
    pub birth: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}
