//! Resident identity card numbers (GB 11643-1999): 17 digits + a check character. Parsed here so the
//! rules (age → priority group) can use the birth date without ever storing the number.

use crate::time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    pub birth: Date,
    /// The 17th digit: odd = male, even = female.
    pub male: bool,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// The check character of the first 17 digits.
pub fn check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

impl IdNumber {
    pub fn parse(s: &str) -> Result<IdNumber, String> {
        let b = s.trim().as_bytes();
        if b.len() != 18 {
            return Err(format!("expected 18 characters, got {}", b.len()));
        }
        let expected = check_char(&b[..17]).ok_or("the first 17 characters must be digits")?;
        if b[17].to_ascii_uppercase() != expected {
            return Err("check character does not match (GB 11643)".into());
        }
        let num =
            |r: std::ops::Range<usize>| -> u32 { b[r].iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')) };
        let birth = Date::new(
            i32::try_from(num(6..10)).unwrap_or(0),
            u8::try_from(num(10..12)).unwrap_or(0),
            u8::try_from(num(12..14)).unwrap_or(0),
        )
        .ok_or("birth date is not a real date")?;
        Ok(IdNumber {
            birth,
            male: (b[16] - b'0') % 2 == 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_example_number_validates() {
        // The worked example in GB 11643-1999 appendix: 11010519491231002X.
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(
            id.birth,
            Date {
                year: 1949,
                month: 12,
                day: 31
            }
        );
        assert!(!id.male);
        assert!(IdNumber::parse("110105194912310021").is_err(), "wrong check digit");
        let mut month13 = b"11010519491331002".to_vec();
        month13.push(check_char(&month13).expect("digits"));
        let month13 = String::from_utf8(month13).expect("ascii");
        assert_eq!(
            IdNumber::parse(&month13),
            Err("birth date is not a real date".to_string())
        );
        assert!(IdNumber::parse("1101051949").is_err());
    }
}
