//! 附录 B data attributes: users (表 B.1), lawyers (表 B.2), certification files (表 B.3), other basic information
//! (表 B.4) and service orders (表 B.5), as records whose `validate()` lists every field that breaks its table row.
//!
//! Fields are kept as text, as they arrive from ingestion (8.1) or a form, so that a wrong type is reported
//! rather than made unrepresentable. Lengths count characters (a Chinese character is one), since the tables
//! describe Chinese text. "有则必备" (required if it exists) fields are optional, but when present must be valid.
//!
//! Where a table row contradicts its own field, the field's meaning wins, and the row is noted in [`tables`]:
//! - 20203 昵称 "数值型" — a nickname is text; checked as 字符型.
//! - 20208 常去法院 and 20209 擅长领域 "逻辑型" (boolean) — they name courts and fields; kept as lists of names.
//! - 20303 身份证号 "数值型" — an ID number may end in X; checked by GB 11643 (check character, birth date).
//! - 20205 支付宝账号 defined as "省市（地区编码）", 20401 精品案例名称 / 20501 订单标题 defined as "0 男 1 女",
//!   20402 描述 defined as "格式 2021-11-20": copy-paste slips in the definitions; the names are followed.
//! - 20502 下单时间 / 20512 支付时间 are "日期型, 格式 2021-11-20" yet are instants; a date with an optional
//!   `" HH:MM[:SS]"` is accepted.
//! - 20508 联系电话 / 20509 安全号码 "数值型": digits only, so landline separators must be removed by the caller.

pub mod tables;

use domain::idcard::IdNumber;
use domain::time::Date;
use serde::{Deserialize, Serialize};

/// 必备性.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// 必备
    Required,
    /// 有则必备: optional, valid when present.
    IfAvailable,
    /// 非必备项
    Optional,
}

/// The check a field's value must pass, from its 数据类型 and 定义.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 字符型 / 文本型: any text.
    Text,
    /// 数值型: ASCII digits.
    Digits,
    /// A decimal amount (价格): digits with at most two decimals.
    Amount,
    /// A mainland mobile number: 11 digits, 1[3-9]…
    Mobile,
    /// GB 11643 resident ID number.
    IdNumber,
    Email,
    /// 日期型 "2021-11-20".
    Date,
    /// `2021-11-20` or `2021-11-20 08:30[:00]`.
    DateTime,
    /// 20301 性别: "0" 男, "1" 女.
    Sex,
}

impl Format {
    pub fn expected_zh(self) -> &'static str {
        match self {
            Format::Text => "文本",
            Format::Digits => "数字",
            Format::Amount => "金额（如 12.50）",
            Format::Mobile => "11 位手机号码",
            Format::IdNumber => "18 位身份证号码",
            Format::Email => "电子邮箱地址",
            Format::Date => "日期，格式 2021-11-20",
            Format::DateTime => "日期，格式 2021-11-20 或 2021-11-20 08:30",
            Format::Sex => "0（男）或 1（女）",
        }
    }

    pub fn accepts(self, v: &str) -> bool {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match self {
            Format::Text => true,
            Format::Digits => digits(v),
            Format::Amount => match v.split_once('.') {
                Some((whole, frac)) => digits(whole) && digits(frac) && frac.len() <= 2,
                None => digits(v),
            },
            Format::Mobile => {
                let b = v.as_bytes();
                digits(v) && b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
            }
            Format::IdNumber => IdNumber::parse(v).is_ok() && v.trim() == v,
            Format::Email => v.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
                    && !v.chars().any(char::is_whitespace)
                    && !host.contains('@')
            }),
            Format::Date => parse_date(v).is_some(),
            Format::DateTime => match v.split_once(' ') {
                Some((date, time)) => parse_date(date).is_some() && valid_time(time),
                None => parse_date(v).is_some(),
            },
            Format::Sex => v == "0" || v == "1",
        }
    }
}

/// Parses "YYYY-MM-DD" (zero-padded) into a real date.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?.parse().ok();
    Date::new(
        num(0..4)?,
        u8::try_from(num(5..7)?).ok()?,
        u8::try_from(num(8..10)?).ok()?,
    )
}

fn valid_time(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let ok = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
    matches!(parts.len(), 2 | 3) && ok(parts[0], 23) && ok(parts[1], 59) && parts.get(2).is_none_or(|s| ok(s, 59))
}

/// One row of a 附录 B table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// 数据元格式, e.g. 20101.
    pub code: u32,
    /// The record's field name.
    pub field: &'static str,
    /// 中文名称.
    pub name_zh: &'static str,
    pub need: Need,
    pub format: Format,
    /// 长度限制 in characters; `None` where the table gives none.
    pub max_chars: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FieldProblem {
    Required,
    TooLong { max: usize, actual: usize },
    Format { expected: &'static str },
}

/// A field that breaks its table row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: u32,
    pub field: &'static str,
    pub name_zh: &'static str,
    pub problem: FieldProblem,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            FieldProblem::Required => write!(
                f,
                "{}（{}）为必填项 ({} is required)",
                self.name_zh, self.code, self.field
            ),
            FieldProblem::TooLong { max, actual } => write!(
                f,
                "{}（{}）最多 {max} 字，实际 {actual} 字 ({} is longer than {max} characters)",
                self.name_zh, self.code, self.field
            ),
            FieldProblem::Format { expected } => {
                write!(
                    f,
                    "{}（{}）应为{expected} ({} has the wrong format)",
                    self.name_zh, self.code, self.field
                )
            }
        }
    }
}

impl FieldSpec {
    /// Checks one value; an empty or blank value counts as absent.
    pub fn check(&self, value: Option<&str>) -> Option<FieldError> {
        let error = |problem| {
            Some(FieldError {
                code: self.code,
                field: self.field,
                name_zh: self.name_zh,
                problem,
            })
        };
        let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
            return if self.need == Need::Required {
                error(FieldProblem::Required)
            } else {
                None
            };
        };
        let actual = v.chars().count();
        if let Some(max) = self.max_chars.filter(|&max| actual > max) {
            return error(FieldProblem::TooLong { max, actual });
        }
        if !self.format.accepts(v) {
            return error(FieldProblem::Format {
                expected: self.format.expected_zh(),
            });
        }
        None
    }

    /// Checks a list-valued field (20208, 20209): required means non-empty; each item is checked alone.
    pub fn check_list(&self, values: &[String]) -> Vec<FieldError> {
        let items: Vec<&String> = values.iter().filter(|v| !v.trim().is_empty()).collect();
        if items.is_empty() {
            return self.check(None).into_iter().collect();
        }
        items.into_iter().filter_map(|v| self.check(Some(v))).collect()
    }
}

/// Runs `check` over (row, value) pairs and collects the errors.
pub(crate) fn check_all(pairs: &[(&FieldSpec, Option<&str>)]) -> Vec<FieldError> {
    pairs.iter().filter_map(|(spec, value)| spec.check(*value)).collect()
}

pub(crate) fn into_result(errors: Vec<FieldError>) -> Result<(), Vec<FieldError>> {
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(Format::Mobile.accepts("13800138000"));
        assert!(!Format::Mobile.accepts("12800138000"));
        assert!(!Format::Mobile.accepts("1380013800"));
        assert!(Format::IdNumber.accepts("11010519491231002X"));
        assert!(!Format::IdNumber.accepts("110105194912310021"));
        assert!(Format::Email.accepts("a.b@example.cn"));
        assert!(!Format::Email.accepts("a@b"));
        assert!(!Format::Email.accepts("a b@example.cn"));
        assert!(Format::Date.accepts("2021-11-20"));
        assert!(!Format::Date.accepts("2021-2-3"));
        assert!(!Format::Date.accepts("2021-02-30"));
        assert!(Format::DateTime.accepts("2021-11-20 08:30"));
        assert!(Format::DateTime.accepts("2021-11-20 23:59:59"));
        assert!(!Format::DateTime.accepts("2021-11-20 24:00"));
        assert!(Format::Amount.accepts("12.50") && Format::Amount.accepts("0") && !Format::Amount.accepts("1.234"));
        assert!(Format::Sex.accepts("0") && !Format::Sex.accepts("男"));
        assert!(Format::Digits.accepts("0451") && !Format::Digits.accepts("0451-1234"));
    }

    #[test]
    fn field_check_order_required_length_format() {
        let spec = FieldSpec {
            code: 1,
            field: "f",
            name_zh: "字段",
            need: Need::Required,
            format: Format::Digits,
            max_chars: Some(3),
        };
        assert_eq!(spec.check(Some(" ")).map(|e| e.problem), Some(FieldProblem::Required));
        assert_eq!(
            spec.check(Some("1234")).map(|e| e.problem),
            Some(FieldProblem::TooLong { max: 3, actual: 4 })
        );
        assert!(matches!(
            spec.check(Some("1a")).map(|e| e.problem),
            Some(FieldProblem::Format { .. })
        ));
        assert_eq!(spec.check(Some("123")), None);
        let optional = FieldSpec {
            need: Need::IfAvailable,
            ..spec
        };
        assert_eq!(optional.check(None), None);
        assert!(
            spec.check(None)
                .is_some_and(|e| e.to_string().starts_with("字段（1）为必填项"))
        );
    }
}
