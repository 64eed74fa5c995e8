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
                "expected a finite number of zero or more, found {v}"
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

/// The longest duration any file may give, in seconds: 744 hours (31 days), the longest campaign
/// dialsim simulates. A longer talk, ring or poll would outlast every campaign, and a model that
/// accepted one would keep time series (and memory) for it.
pub const MAX_DURATION_S: f64 = 744.0 * 3_600.0;

/// The valid range of one kind of number, and how a message about it reads.
pub trait Range: 'static {
    /// The lowest value; allowed itself only when [`Range::MIN_ALLOWED`].
    const MIN: f64;
    const MIN_ALLOWED: bool = true;
    /// The highest value allowed.
    const MAX: f64;
    /// What the number is: "a duration in seconds".
    const WHAT: &'static str;
    /// The unit written after a bound in messages: " s", " h", "".
    const UNIT: &'static str;
    /// Why the range is what it is, or how to fix a value outside it.
    const WHY: &'static str;
}

/// A finite number within the range `R`, checked while the file is parsed (so a bad value is
/// reported at its own line and column, with the range and the reason).
pub struct Bounded<R: Range>(f64, std::marker::PhantomData<fn() -> R>);

impl<R: Range> Bounded<R> {
    /// `None` unless `value` is finite and within `R`.
    pub fn new(value: f64) -> Option<Self> {
        let above_min = if R::MIN_ALLOWED {
            value >= R::MIN
        } else {
            value > R::MIN
        };
        (value.is_finite() && above_min && value <= R::MAX)
            .then_some(Bounded(value, std::marker::PhantomData))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The message for a value outside the range.
    pub fn out_of_range(value: f64) -> String {
        let open = if R::MIN_ALLOWED { "" } else { "above " };
        format!(
            "expected {} from {open}{}{} to {}{}, found {}: {}",
            R::WHAT,
            show(R::MIN),
            R::UNIT,
            show(R::MAX),
            R::UNIT,
            show_found(value),
            R::WHY
        )
    }
}

/// A value found in a file, exactly as far as it differs from a bound: `2678400.5`,
/// `744.0000001`, `1,000,000,000,000`, `1e308`.
pub fn show_found(v: f64) -> String {
    if v.is_finite() && v.fract() != 0.0 && (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        show(v)
    }
}

/// A number as people read it: `2,678,400`, `0.1`, `0.0166667`, `1e-9`, `1e308`.
pub fn show(v: f64) -> String {
    if !v.is_finite() {
        format!("{v}")
    } else if v != 0.0 && (v.abs() >= 1e15 || v.abs() < 1e-4) {
        format!("{v:e}")
    } else if v.fract() != 0.0 {
        // Six significant digits (a bound such as 1/60 reads 0.0166667), at least one decimal.
        let digits = (5 - v.abs().log10().floor() as i32).clamp(1, 20) as usize;
        let text = format!("{v:.digits$}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        let digits = format!("{}", v.abs() as u64);
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if v < 0.0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    } else {
        format!("{v}")
    }
}

impl<R: Range> Clone for Bounded<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R: Range> Copy for Bounded<R> {}
impl<R: Range> PartialEq for Bounded<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<R: Range> PartialOrd for Bounded<R> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(&other.0)
    }
}
impl<R: Range> fmt::Debug for Bounded<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl<R: Range> fmt::Display for Bounded<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl<R: Range> Serialize for Bounded<R> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}
impl<'de, R: Range> Deserialize<'de> for Bounded<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Bounded::new(v).ok_or_else(|| serde::de::Error::custom(Bounded::<R>::out_of_range(v)))
    }
}

/// Generates a newtype whose value is checked while the file is parsed (so errors point at it).
/// The crate using it needs `serde`.
#[macro_export]
macro_rules! checked {
    ($(#[$doc:meta])* $name:ident($inner:ty), $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($inner);

        impl $name {
            /// The value, if it passes the check (the error says why not).
            pub fn new(value: $inner) -> Result<$name, String> {
                let check: fn(&$inner) -> Result<(), String> = $check;
                check(&value).map(|()| $name(value))
            }
            pub fn get(&self) -> &$inner {
                &self.0
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::new(<$inner as ::serde::Deserialize>::deserialize(d)?)
                    .map_err(::serde::de::Error::custom)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

/// Declares a [`Range`] and its [`Bounded`] alias.
#[macro_export]
macro_rules! range {
    ($(#[$doc:meta])* $alias:ident, $range:ident, $min:expr, $min_allowed:expr, $max:expr,
     $what:literal, $unit:literal, $why:literal) => {
        $(#[$doc])*
        pub type $alias = $crate::param::Bounded<$range>;
        #[doc = concat!("The range of [`", stringify!($alias), "`].")]
        pub enum $range {}
        impl $crate::param::Range for $range {
            const MIN: f64 = $min;
            const MIN_ALLOWED: bool = $min_allowed;
            const MAX: f64 = $max;
            const WHAT: &'static str = $what;
            const UNIT: &'static str = $unit;
            const WHY: &'static str = $why;
        }
    };
}

range!(
    /// A duration that may be zero: 0 to [`MAX_DURATION_S`] seconds.
    Seconds, SecondsRange, 0.0, true, MAX_DURATION_S, "a duration in seconds", " s",
    "durations are zero or more and at most 744 h, the longest campaign"
);
range!(
    /// A duration greater than zero, at most [`MAX_DURATION_S`] seconds (a mean, a timeout).
    PositiveSeconds, PositiveSecondsRange, 0.0, false, MAX_DURATION_S,
    "a duration in seconds", " s",
    "use a positive duration of at most 744 h, the longest campaign"
);
range!(
    /// How often a pacer looks again: 0.1 s to [`MAX_DURATION_S`].
    PollSeconds, PollSecondsRange, 0.1, true, MAX_DURATION_S, "an interval in seconds", " s",
    "Connect's metrics API answers at most 5 requests a second, so a pacer looks at most every 0.1 s, and at least once in 744 h"
);
range!(
    /// Hours after the campaign's start, above 0 and at most 744.
    CampaignHours, CampaignHoursRange, 0.0, false, 744.0, "a number of hours", " h",
    "use a positive number of hours of at most 744, the longest campaign"
);
range!(
    /// Lines (calls) per agent: 1 to 100.
    LinesPerAgent, LinesPerAgentRange, 1.0, true, 100.0, "a number of lines per agent", "",
    "below 1 dials less than a progressive dialer, which the strategy never does; above 100 no dialer goes"
);
range!(
    /// A dialing ratio (calls per available agent): above 0, at most 100.
    DialRatio, DialRatioRange, 0.0, false, 100.0, "a ratio of calls per available agent", "",
    "use a positive ratio of at most 100 (power dialers run 1.5 to 4)"
);
range!(
    /// Calls per hour of an open-loop dialer: above 0, at most 360,000 (100 a second).
    CallsPerHour, CallsPerHourRange, 0.0, false, 360_000.0, "a number of calls per hour", "",
    "use a positive rate of at most 360,000 calls an hour (100 a second)"
);
range!(
    /// A controller gain: above 0, at most 1,000.
    Gain, GainRange, 0.0, false, 1_000.0, "a controller gain", "",
    "a gain of zero or less would switch the loop off or turn it round; use a positive value of at most 1000"
);
range!(
    /// Calls per busy agent that a blended dialer starts from: 0.01 to 1.5.
    CallsPerBusyAgent, CallsPerBusyAgentRange, 0.01, true, 1.5,
    "a number of calls per busy agent", "",
    "the strategy keeps r between 0.01 and 1.5 as it learns, so it starts there too"
);

range!(
    /// The width of a time-series interval in minutes: 1 s (1/60 min) to 744 h.
    IntervalMinutes, IntervalMinutesRange, 1.0 / 60.0, true, MAX_DURATION_S / 60.0,
    "an interval in minutes", " min",
    "intervals are at least a second (0.0166667 min) and at most 744 h"
);
range!(
    /// A delay in minutes above 0, at most 744 h (a retry's wait).
    DelayMinutes, DelayMinutesRange, 0.0, false, MAX_DURATION_S / 60.0,
    "a delay in minutes", " min",
    "use a positive delay of at most 44,640 min (744 h, the longest campaign)"
);
range!(
    /// Hours after the campaign's start, 0 to 744 (a shift's start).
    CampaignHoursFromZero, CampaignHoursFromZeroRange, 0.0, true, 744.0, "a number of hours",
    " h", "use 0 to 744 hours after the campaign's start (744 h is the longest campaign)"
);
range!(
    /// A distribution's shape parameter (Gamma's k, Weibull's k): 0.01 to 1,000.
    ShapeParameter, ShapeParameterRange, 0.01, true, 1_000.0, "a shape parameter", "",
    "shapes below 0.01 put almost every draw at zero or past 744 h; above 1,000 the duration is fixed in all but name (use Fixed)"
);

/// A number as the file writes it, before its range is checked: any integer or decimal, so that a
/// value out of range gets a message naming the field's range (rather than the parser's "Integer
/// is out of bounds"), and a decimal where a whole number belongs is named as such.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Written {
    Int(i128),
    Float(f64),
}

impl<'de> Deserialize<'de> for Written {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Written;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Written, E> {
                Ok(Written::Int(i128::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Written, E> {
                Ok(Written::Int(i128::from(v)))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Written, E> {
                Ok(Written::Int(v))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Written, E> {
                Ok(Written::Int(i128::try_from(v).unwrap_or(i128::MAX)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Written, E> {
                Ok(Written::Float(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a whole number and checks it lies in `min..=max`; `what` names what it counts
/// ("agents") for the message.
pub fn whole<'de, D: Deserializer<'de>>(
    d: D,
    min: i64,
    max: i64,
    what: &str,
) -> Result<i64, D::Error> {
    let written = Written::deserialize(d)?;
    whole_in(written, min, max, what).map_err(serde::de::Error::custom)
}

/// A whole number from 0 to 2^64 - 1 (a seed).
pub fn whole_u64<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<u64, D::Error> {
    let fail = |found: String| {
        serde::de::Error::custom(format!(
            "expected a {what}: a whole number from 0 to {}, found {found}",
            u64::MAX
        ))
    };
    match Written::deserialize(d)? {
        Written::Int(n) => u64::try_from(n).map_err(|_| fail(n.to_string())),
        Written::Float(v) => Err(fail(show_found(v))),
    }
}

/// Like [`whole`] for an optional number (`Some(n)` or `None`).
pub fn whole_opt<'de, D: Deserializer<'de>>(
    d: D,
    min: i64,
    max: i64,
    what: &str,
) -> Result<Option<i64>, D::Error> {
    match Option::<Written>::deserialize(d)? {
        None => Ok(None),
        Some(w) => whole_in(w, min, max, what)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

fn whole_in(written: Written, min: i64, max: i64, what: &str) -> Result<i64, String> {
    let range = format!("{} to {}", show(min as f64), show(max as f64));
    match written {
        Written::Int(n) if (i128::from(min)..=i128::from(max)).contains(&n) => Ok(n as i64),
        Written::Int(n) => Err(format!(
            "expected a whole number of {what} from {range}, found {n}: use a value in that range"
        )),
        Written::Float(v) if v.fract() == 0.0 && (min as f64..=max as f64).contains(&v) => {
            Err(format!(
                "expected a whole number of {what}, found {v}: write it without the decimal point ({})",
                v as i64
            ))
        }
        Written::Float(v) => Err(format!(
            "expected a whole number of {what} from {range}, found {v}: counts are written without a decimal point"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_checks_both_ends_and_says_the_range() {
        assert!(Seconds::new(0.0).is_some());
        assert!(PositiveSeconds::new(0.0).is_none());
        assert!(Seconds::new(MAX_DURATION_S).is_some());
        assert!(Seconds::new(MAX_DURATION_S + 0.001).is_none());
        assert!(Seconds::new(f64::NAN).is_none());
        let err = ron::from_str::<Seconds>("1e12").unwrap_err().to_string();
        assert!(
            err.contains("from 0 s to 2,678,400 s") && err.contains("found 1,000,000,000,000"),
            "{err}"
        );
        let err = ron::from_str::<PositiveSeconds>("0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("from above 0 s"), "{err}");
    }

    /// A fractional value of a million or more lost its trailing digits ("found 26784" for
    /// 2678400.5), and one just past a bound was rounded onto it ("found 744").
    #[test]
    fn numbers_in_messages_read_as_written() {
        for (v, shown) in [
            (1e308, "1e308"),
            (1e-9, "1e-9"),
            (1.0 / 60.0, "0.0166667"),
            (2.5, "2.5"),
            (123.456, "123.456"),
            (2_678_400.0, "2,678,400"),
            (-40.0, "-40"),
            (2_678_400.5, "2678400.5"),
        ] {
            assert_eq!(show(v), shown);
        }
        assert_eq!(show_found(744.0000001), "744.0000001");
        assert_eq!(show_found(2_678_400.5), "2678400.5");
        assert_eq!(show_found(1e308), "1e308");
        let err = ron::from_str::<Seconds>("2678400.5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("found 2678400.5"), "{err}");
    }

    #[derive(Debug, Deserialize)]
    struct Agents {
        #[serde(deserialize_with = "agents")]
        n: i64,
    }
    fn agents<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        whole(d, 1, 100_000, "agents")
    }

    #[test]
    fn whole_numbers_name_what_they_count_and_their_range() {
        assert_eq!(ron::from_str::<Agents>("(n: 5)").unwrap().n, 5);
        for (text, wanted) in [
            ("(n: 4294967296)", "from 1 to 100,000, found 4294967296"),
            ("(n: -1)", "found -1"),
            ("(n: 0)", "found 0"),
            ("(n: 10.0)", "without the decimal point (10)"),
            ("(n: 2.5)", "found 2.5"),
            (
                "(n: 340282366920938463463374607431768211455)",
                "from 1 to 100,000",
            ),
        ] {
            let err = ron::from_str::<Agents>(text).unwrap_err().to_string();
            assert!(err.contains(wanted), "{text}: {err}");
        }
        let json: Result<Agents, _> = serde_json::from_str(r#"{"n": 100001}"#);
        assert!(json.unwrap_err().to_string().contains("from 1 to 100,000"));
    }
}
