//! Rates as exact fractions. The standard states its targets as percentages (表 1: 满意率 ≥95%, 致命错误率
//! ≤2% …); comparing counts against them in integer arithmetic keeps a boundary such as exactly 95% from being
//! lost to floating point, so the same counts always raise the same alerts.

use serde::{Deserialize, Serialize};

/// A percentage threshold in basis points (hundredths of a percent): 95% = `BasisPoints(9500)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BasisPoints(pub u32);

impl BasisPoints {
    pub const fn percent(p: u32) -> BasisPoints {
        BasisPoints(p * 100)
    }
}

impl std::fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            write!(f, "{whole}.{frac:02}%")
        }
    }
}

/// `num / den`, e.g. good ratings over rated orders. A zero denominator means "no data": every comparison
/// answers `None`, and callers decide (an alert is never raised on no data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

impl Ratio {
    pub const fn new(num: u64, den: u64) -> Ratio {
        Ratio { num, den }
    }

    pub fn is_empty(self) -> bool {
        self.den == 0
    }

    /// The rate in basis points, rounded down; `None` without data.
    pub fn basis_points(self) -> Option<u32> {
        let bp = u128::from(self.num) * 10_000 / u128::from(self.den.max(1));
        (self.den > 0).then(|| u32::try_from(bp).unwrap_or(u32::MAX))
    }

    /// The rate as a percentage, for display only (never compare with it).
    pub fn percent(self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 * 100.0 / self.den as f64)
    }

    /// `num/den ≥ threshold`, exactly.
    pub fn at_least(self, threshold: BasisPoints) -> Option<bool> {
        (self.den > 0).then(|| self.scaled() >= self.threshold(threshold))
    }

    /// `num/den > threshold`, exactly.
    pub fn above(self, threshold: BasisPoints) -> Option<bool> {
        (self.den > 0).then(|| self.scaled() > self.threshold(threshold))
    }

    /// `num/den ≤ threshold`, exactly.
    pub fn at_most(self, threshold: BasisPoints) -> Option<bool> {
        (self.den > 0).then(|| self.scaled() <= self.threshold(threshold))
    }

    /// Compares two rates exactly (`None` if either has no data).
    pub fn cmp_rate(self, other: Ratio) -> Option<std::cmp::Ordering> {
        (self.den > 0 && other.den > 0).then(|| {
            (u128::from(self.num) * u128::from(other.den)).cmp(&(u128::from(other.num) * u128::from(self.den)))
        })
    }

    fn scaled(self) -> u128 {
        u128::from(self.num) * 10_000
    }

    fn threshold(self, t: BasisPoints) -> u128 {
        u128::from(t.0) * u128::from(self.den)
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.percent() {
            Some(p) => write!(f, "{p:.2}% ({}/{})", self.num, self.den),
            None => f.write_str("无数据 (no data)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_boundaries() {
        let r = Ratio::new(95, 100);
        assert_eq!(r.at_least(BasisPoints::percent(95)), Some(true));
        assert_eq!(r.above(BasisPoints::percent(95)), Some(false));
        assert_eq!(Ratio::new(2, 100).at_most(BasisPoints::percent(2)), Some(true));
        assert_eq!(Ratio::new(19, 20).basis_points(), Some(9500));
        assert_eq!(Ratio::new(0, 0).at_least(BasisPoints(0)), None);
        assert_eq!(BasisPoints(9550).to_string(), "95.50%");
        assert_eq!(BasisPoints::percent(40).to_string(), "40%");
    }
}
