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

    /// Rounds to the nearest millisecond; negative or NaN input gives zero.
    pub fn from_secs_f64(s: f64) -> Millis {
        if s.is_nan() || s <= 0.0 {
            Millis(0)
        } else {
            Millis((s * 1_000.0).round().min(u64::MAX as f64) as u64)
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
