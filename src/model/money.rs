use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Sub};

/// An amount of money in 分 (1/100 元), exact, so sums reconcile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_yuan(yuan: i64) -> Money {
        Money(yuan.saturating_mul(100))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Whole 元, rounded half away from zero.
    pub fn round_yuan(self) -> i64 {
        let q = self.0 / 100;
        let r = self.0 % 100;
        if r >= 50 {
            q + 1
        } else if r <= -50 {
            q - 1
        } else {
            q
        }
    }

    /// Divide by a head count, rounding half away from zero to the 分.
    pub fn div_round(self, n: u32) -> Money {
        if n == 0 {
            return Money(0);
        }
        // i128 so a huge (invalid but parseable) amount cannot overflow.
        let n = i128::from(n);
        let doubled = i128::from(self.0) * 2;
        let q = if doubled >= 0 {
            (doubled + n) / (2 * n)
        } else {
            (doubled - n) / (2 * n)
        };
        Money(q as i64)
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// `1234.50` style, no thousands separator.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// As f64 元 (for spreadsheets only; never for sums).
    pub fn as_yuan_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.yuan_string())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(Money(1000).div_round(3), Money(333));
        assert_eq!(Money(1001).div_round(2), Money(501));
        assert_eq!(Money(-1001).div_round(2), Money(-501));
        assert_eq!(Money(12345).to_string(), "123.45");
        assert_eq!(Money(-5).to_string(), "-0.05");
        assert_eq!(Money(150).round_yuan(), 2);
        assert_eq!(Money(149).round_yuan(), 1);
    }
}
