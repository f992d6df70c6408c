//! SW3 status codes of the SAM (see `peripherals.md` §1, "SW3 status codes").

use thiserror::Error;

/// Command succeeded.
pub const SW3_OK: u8 = 0x90;
/// "Find card" succeeded: a card is in the field.
pub const SW3_FOUND: u8 = 0x9F;

/// A SW3 code other than success. Messages put Chinese first because hall staff read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SamError {
    #[error("SAM 收到的命令校验和错误 / SAM saw a bad request checksum (SW3=10)")]
    RequestChecksum,
    #[error("SAM 收到的命令长度错误 / SAM saw a bad request length (SW3=11)")]
    RequestLength,
    #[error("命令错误 / command not recognised (SW3=21)")]
    Command,
    #[error("越权操作 / operation not authorised (SW3=23)")]
    NotAuthorised,
    #[error("未知错误 / unknown SAM error (SW3=24)")]
    Unknown,
    #[error("证/卡认证 SAM 失败 / card→SAM authentication failed (SW3=31)")]
    CardAuthFailed,
    #[error("SAM 认证证/卡失败 / SAM→card authentication failed (SW3=32)")]
    SamAuthFailed,
    #[error("信息验证错误 / verification failed (SW3=33)")]
    VerificationFailed,
    #[error("无法识别的卡类型 / unknown card type (SW3=40)")]
    UnknownCardType,
    #[error("读卡失败，请勿移动证件 / card read failed, keep the card still (SW3=41)")]
    ReadFailed,
    #[error("取随机数失败 / random-number request failed (SW3=47)")]
    RandomFailed,
    #[error("SAM 自检失败 / SAM self-test failed (SW3=60)")]
    SelfTestFailed,
    #[error("SAM 未经授权 / SAM not authorised (SW3=66)")]
    SamNotAuthorised,
    #[error("未找到卡 / no card found (SW3=80)")]
    NoCard,
    #[error("选卡失败 / select card failed (SW3=81)")]
    SelectFailed,
    #[error("该项无内容 / no content for this item (SW3=91)")]
    NoContent,
    #[error("未定义的状态码 / undefined status code SW3={0:02X}")]
    Other(u8),
}

impl SamError {
    /// `Ok(())` for 90/9F, the matching error otherwise.
    pub fn check(sw3: u8) -> Result<(), SamError> {
        match sw3 {
            SW3_OK | SW3_FOUND => Ok(()),
            code => Err(Self::from_code(code)),
        }
    }

    fn from_code(code: u8) -> Self {
        match code {
            0x10 => Self::RequestChecksum,
            0x11 => Self::RequestLength,
            0x21 => Self::Command,
            0x23 => Self::NotAuthorised,
            0x24 => Self::Unknown,
            0x31 => Self::CardAuthFailed,
            0x32 => Self::SamAuthFailed,
            0x33 => Self::VerificationFailed,
            0x40 => Self::UnknownCardType,
            0x41 => Self::ReadFailed,
            0x47 => Self::RandomFailed,
            0x60 => Self::SelfTestFailed,
            0x66 => Self::SamNotAuthorised,
            0x80 => Self::NoCard,
            0x81 => Self::SelectFailed,
            0x91 => Self::NoContent,
            other => Self::Other(other),
        }
    }

    /// The SW3 byte.
    pub fn code(self) -> u8 {
        match self {
            Self::RequestChecksum => 0x10,
            Self::RequestLength => 0x11,
            Self::Command => 0x21,
            Self::NotAuthorised => 0x23,
            Self::Unknown => 0x24,
            Self::CardAuthFailed => 0x31,
            Self::SamAuthFailed => 0x32,
            Self::VerificationFailed => 0x33,
            Self::UnknownCardType => 0x40,
            Self::ReadFailed => 0x41,
            Self::RandomFailed => 0x47,
            Self::SelfTestFailed => 0x60,
            Self::SamNotAuthorised => 0x66,
            Self::NoCard => 0x80,
            Self::SelectFailed => 0x81,
            Self::NoContent => 0x91,
            Self::Other(code) => code,
        }
    }

    /// Worth starting over from "find": the card moved or the radio link / serial line garbled one
    /// exchange. Everything else (unauthorised SAM, self-test failure, unknown card type) will fail
    /// the same way again, so retrying only delays the error.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::RequestChecksum
                | Self::RequestLength
                | Self::CardAuthFailed
                | Self::SamAuthFailed
                | Self::VerificationFailed
                | Self::ReadFailed
                | Self::RandomFailed
                | Self::NoCard
                | Self::SelectFailed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for code in 0..=u8::MAX {
            match SamError::check(code) {
                Ok(()) => assert!(code == SW3_OK || code == SW3_FOUND),
                Err(e) => {
                    assert_eq!(e.code(), code);
                    assert!(e.to_string().contains(&format!("{code:02X}")));
                }
            }
        }
    }
}
