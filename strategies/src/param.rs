//! Validated numbers for RON files: the check runs while the file is parsed, so a bad value is
//! reported with the line and column of the value itself, not somewhere after it.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A finite number greater than zero (a rate, a ratio, a mean duration, a poll interval).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Positive(f64);

impl Positive {
    /// `None` unless `value` is finite and greater than zero.
    pub fn new(value: f64) -> Option<Positive> {
        (value.is_finite() && value > 0.0).then_some(Positive(value))
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Positive::new(v).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a number greater than zero, found {v}: use a positive value"
            ))
        })
    }
}

/// A finite number that is zero or more (a delay that may be zero).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct NonNegative(f64);

impl NonNegative {
    pub fn new(value: f64) -> Option<NonNegative> {
        (value.is_finite() && value >= 0.0).then_some(NonNegative(value))
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for NonNegative {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        NonNegative::new(v).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a number of zero or more, found {v}: durations and delays cannot be negative"
            ))
        })
    }
}

/// A probability: a finite number in [0, 1].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Probability(f64);

impl Probability {
    pub fn new(value: f64) -> Option<Probability> {
        (value.is_finite() && (0.0..=1.0).contains(&value)).then_some(Probability(value))
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Probability::new(v).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a probability between 0 and 1, found {v}: write shares as fractions (0.3, not 30)"
            ))
        })
    }
}

impl fmt::Display for Positive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A share strictly between 0 and 1 (an abandon-rate target).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Share(f64);

impl Share {
    pub fn new(value: f64) -> Option<Share> {
        (value.is_finite() && value > 0.0 && value < 1.0).then_some(Share(value))
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Share::new(v).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a share strictly between 0 and 1, found {v}: write 3% as 0.03"
            ))
        })
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
