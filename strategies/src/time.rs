//! Time as a value. Pacers and the simulator never read a clock: the caller says what time it is.
//!
//! One newtype serves for instants (milliseconds since the campaign started) and for spans; a
//! campaign lasts at most days, far inside `u64` milliseconds.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Milliseconds: an instant since the campaign started, or a span of time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    pub const ZERO: Millis = Millis(0);
    pub const MAX: Millis = Millis(u64::MAX);

    pub const fn from_secs(s: u64) -> Millis {
        Millis(s * 1_000)
    }

    /// Rounds to the nearest millisecond (halves away from zero); negative or NaN input gives
    /// zero.
    pub fn from_secs_f64(s: f64) -> Millis {
        let ms = s * 1_000.0;
        if s.is_nan() || s <= 0.0 {
            Millis(0)
        } else if ms < 4_503_599_627_370_496.0 {
            // Below 2^52 the fraction is exact after truncation, so this is `f64::round`
            // without its library call (the simulator rounds every duration it draws).
            let whole = ms as u64;
            Millis(whole + u64::from(ms - whole as f64 >= 0.5))
        } else {
            Millis(ms.round().min(u64::MAX as f64) as u64)
        }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    pub fn saturating_sub(self, other: Millis) -> Millis {
        Millis(self.0.saturating_sub(other.0))
    }
}

impl Add for Millis {
    type Output = Millis;
    fn add(self, rhs: Millis) -> Millis {
        Millis(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Millis {
    fn add_assign(&mut self, rhs: Millis) {
        *self = *self + rhs;
    }
}

impl Sub for Millis {
    type Output = Millis;
    /// Saturates at zero: a span is never negative.
    fn sub(self, rhs: Millis) -> Millis {
        self.saturating_sub(rhs)
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: `f64::round`, halves away from zero.
    fn reference(s: f64) -> Millis {
        if s.is_nan() || s <= 0.0 {
            Millis(0)
        } else {
            Millis((s * 1_000.0).round().min(u64::MAX as f64) as u64)
        }
    }

    #[test]
    fn rounding_matches_f64_round() {
        let mut cases = vec![
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            0.0005,
            0.000_499_999_999_999_999_9,
            0.0015,
            0.0025,
            2.5e-3,
            4_503_599_627_370.495,
            4_503_599_627_370.496,
            1e20,
        ];
        // Values just around every half millisecond up to a day, and a spread of magnitudes.
        let mut x = 1e-6_f64;
        while x < 1e9 {
            cases.push(x);
            x *= 1.013_7;
        }
        for half in (0..86_400_000u64).step_by(9_973) {
            let s = (half as f64 + 0.5) / 1_000.0;
            cases.extend([
                s,
                f64::from_bits(s.to_bits() - 1),
                f64::from_bits(s.to_bits() + 1),
            ]);
        }
        for s in cases {
            assert_eq!(Millis::from_secs_f64(s), reference(s), "{s:e}");
        }
    }
}
