//! A customer's time zone, the one type the simulator and live read, store and judge calling
//! hours by: a fixed offset from UTC (`-05:00`), or an IANA zone (`America/New_York`) whose
//! offset follows daylight saving and is taken at the instant it is asked about, from the time
//! zone database compiled into `chrono-tz`.
//!
//! A calling window is judged on the customer's clock at the dial instant
//! ([`crate::rulebook::CallingWindow::is_open`]); a campaign that runs across a change of
//! offset keeps judging correctly on each side of it.

use crate::time::UnixMillis;
use chrono::{Offset, TimeZone};
use std::fmt;

/// The forms [`parse_utc_offset`] accepts, for messages.
pub const UTC_OFFSET_FORMS: &str = "write ±HH:MM, ±HHMM or ±H (e.g. -05:00, +0530, +9), optionally after UTC or GMT (UTC+1), or UTC, GMT or Z for zero; offsets run from -12:00 to +14:00";

/// The westernmost and easternmost offsets in use, in milliseconds east of UTC.
pub const UTC_OFFSET_RANGE_MS: (i64, i64) = (-12 * 3_600_000, 14 * 3_600_000);

/// Parses a UTC offset into milliseconds east of UTC, accepting exactly the forms of
/// [`UTC_OFFSET_FORMS`]: one sign, one or two hour digits, then optionally two minute digits
/// (after a colon, or directly after two hour digits), within [`UTC_OFFSET_RANGE_MS`].
/// Anything else (`--05:00`, `+-5`, `+5:3`, `EST`) is `None`.
pub fn parse_utc_offset(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("gmt") || t.eq_ignore_ascii_case("z")
    {
        return Some(0);
    }
    let prefixed = |p: &str| {
        t.get(..p.len())
            .filter(|head| head.eq_ignore_ascii_case(p))
            .map(|_| &t[p.len()..])
    };
    let t = prefixed("UTC").or_else(|| prefixed("GMT")).unwrap_or(t);
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits = |s: &str, lengths: &[usize]| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) if digits(h, &[1, 2]) && digits(m, &[2]) => (h, m),
        Some(_) => return None,
        None if digits(rest, &[4]) => rest.split_at(2),
        None if digits(rest, &[1, 2]) => (rest, "0"),
        None => return None,
    };
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let ms = sign * (h * 3_600_000 + m * 60_000);
    (m < 60 && (UTC_OFFSET_RANGE_MS.0..=UTC_OFFSET_RANGE_MS.1).contains(&ms)).then_some(ms)
}

/// An offset in milliseconds east of UTC written as `±HH:MM` (`-05:00`, `+05:30`): a form
/// [`parse_utc_offset`] reads back to the same value.
pub fn format_utc_offset(ms: i64) -> String {
    let minutes = ms / 60_000;
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// A time zone: a fixed offset, or an IANA zone whose offset depends on the date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Zone {
    /// Milliseconds east of UTC, all year.
    Fixed(i64),
    /// An IANA zone of the time zone database.
    Named(chrono_tz::Tz),
}

/// The forms [`Zone::parse`] accepts, for messages.
pub const ZONE_FORMS: &str = "write an IANA time zone name, Area/Location (America/New_York, Europe/London; not an abbreviation such as EST, which does not say whether daylight saving applies), or a fixed offset: ±HH:MM, ±HHMM or ±H (e.g. -05:00, +0530, +9), optionally after UTC or GMT (UTC+1), or UTC, GMT or Z for zero; offsets run from -12:00 to +14:00";

/// The longest span over which [`Zone::next_change`] looks for one change of offset: no zone
/// in the database changes its offset twice within it.
pub const CHANGE_SEARCH_MS: i64 = 7 * crate::time::DAY_MS;

impl Zone {
    /// Reads a zone: an offset in one of the forms of [`UTC_OFFSET_FORMS`], or
    /// an IANA name of the form Area/Location exactly as the database spells it
    /// (`America/New_York`). `None` for anything else — also for the database's legacy names
    /// without an area (`EST`, `CET`, `EST5EDT`, `Japan`): `EST` is fixed at -05:00 all year,
    /// and a list that writes it most likely means New York's clock, an hour off all summer.
    pub fn parse(text: &str) -> Option<Zone> {
        if let Some(ms) = parse_utc_offset(text) {
            return Some(Zone::Fixed(ms));
        }
        let name = text.trim();
        if !name.contains('/') {
            return None;
        }
        name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
    }

    /// The zone's offset in milliseconds east of UTC at the instant `at`.
    pub fn offset_ms_at(&self, at: UnixMillis) -> i64 {
        match *self {
            Zone::Fixed(ms) => ms,
            Zone::Named(tz) => match chrono::DateTime::from_timestamp_millis(at.0) {
                Some(utc) => {
                    i64::from(
                        tz.offset_from_utc_datetime(&utc.naive_utc())
                            .fix()
                            .local_minus_utc(),
                    ) * 1_000
                }
                // Beyond chrono's calendar (±262,000 years): the zone's offset today.
                None => Zone::Named(tz).offset_ms_at(UnixMillis(0)),
            },
        }
    }

    /// Whether the zone's offset depends on the date (an IANA zone): such a zone needs a date
    /// to be placed on a campaign's clock.
    pub fn needs_date(&self) -> bool {
        matches!(self, Zone::Named(_))
    }

    /// The first instant after `after`, and at most `until`, at which the offset differs from
    /// the offset at `after`; `None` if it is the same all along. Exact to the millisecond for
    /// spans up to [`CHANGE_SEARCH_MS`] (longer spans are searched in pieces of that length).
    pub fn next_change(&self, after: UnixMillis, until: UnixMillis) -> Option<UnixMillis> {
        let Zone::Named(_) = self else {
            return None;
        };
        let before = self.offset_ms_at(after);
        let mut from = after;
        while from < until {
            let to = UnixMillis(from.0.saturating_add(CHANGE_SEARCH_MS).min(until.0));
            if self.offset_ms_at(to) != before {
                // The offset is `before` at `lo` and differs at `hi`: halve to the instant.
                let (mut lo, mut hi) = (from.0, to.0);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if self.offset_ms_at(UnixMillis(mid)) == before {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                return Some(UnixMillis(hi));
            }
            from = to;
        }
        None
    }

    /// The zone in words, for reports: the IANA name, `UTC`, or `UTC-05:00`.
    pub fn label(&self) -> String {
        match *self {
            Zone::Fixed(0) => "UTC".into(),
            Zone::Fixed(ms) => format!("UTC{}", format_utc_offset(ms)),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }

    /// The zone as [`Zone::parse`] reads it back: the IANA name, or `±HH:MM`.
    pub fn text(&self) -> String {
        match *self {
            Zone::Fixed(ms) => format_utc_offset(ms),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A zone that [`Zone::parse`] does not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a time zone: {ZONE_FORMS}")]
pub struct BadZone {
    pub text: String,
}

impl std::str::FromStr for Zone {
    type Err = BadZone;
    fn from_str(text: &str) -> Result<Zone, BadZone> {
        Zone::parse(text).ok_or_else(|| BadZone { text: text.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR_MS;

    /// 2026-03-08 07:00 UTC: 02:00 in New York, when its clocks go forward to 03:00.
    const NY_SPRING_2026: i64 = 1_772_953_200_000;

    #[test]
    fn a_formatted_offset_reads_back() {
        for ms in [
            -12 * 3_600_000,
            -5 * 3_600_000,
            -(3 * 3_600_000 + 30 * 60_000),
            0,
            5 * 3_600_000 + 45 * 60_000,
            14 * 3_600_000,
        ] {
            assert_eq!(parse_utc_offset(&format_utc_offset(ms)), Some(ms), "{ms}");
        }
        assert_eq!(format_utc_offset(-5 * 3_600_000), "-05:00");
        assert_eq!(format_utc_offset(0), "+00:00");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("-05:00"), Some(-5 * 3_600_000));
        assert_eq!(parse_utc_offset("+0530"), Some(5 * 3_600_000 + 30 * 60_000));
        assert_eq!(parse_utc_offset("UTC"), Some(0));
        assert_eq!(parse_utc_offset("UTC+1"), Some(3_600_000));
        assert_eq!(parse_utc_offset("EST"), None);
    }

    /// `--05:00` was read as +05:00 and `+-5` as -5: the field that decides calling hours.
    #[test]
    fn utc_offsets_follow_a_strict_grammar() {
        let h = 3_600_000;
        for (text, ms) in [
            ("+9", 9 * h),
            ("-5", -5 * h),
            ("+09:30", 9 * h + 1_800_000),
            ("+5:45", 5 * h + 45 * 60_000),
            ("UTC-3", -3 * h),
            ("gmt+01:00", h),
            ("z", 0),
            (" -12:00 ", -12 * h),
            ("+14:00", 14 * h),
            ("-00:00", 0),
        ] {
            assert_eq!(parse_utc_offset(text), Some(ms), "{text}");
        }
        for text in [
            "--05:00",
            "+-5",
            "-+5",
            "++1",
            "+5:3",
            "+5:300",
            "+123",
            "+12345",
            "+1:",
            ":30",
            "+05:60",
            "-12:30",
            "+14:01",
            "+15",
            "+ 5",
            "5",
            "UTC++1",
            "UTCZ",
            "",
            "+",
            "+٣",
            "EST",
            "+05:00:00",
            "+0x5",
        ] {
            assert_eq!(parse_utc_offset(text), None, "{text:?}");
        }
    }

    #[test]
    fn reads_names_and_offsets() {
        assert_eq!(Zone::parse("-05:00"), Some(Zone::Fixed(-5 * HOUR_MS)));
        assert_eq!(Zone::parse("UTC"), Some(Zone::Fixed(0)));
        assert_eq!(
            Zone::parse(" America/New_York "),
            Some(Zone::Named(chrono_tz::America::New_York))
        );
        assert_eq!(Zone::parse("America/Gotham"), None);
        for legacy in ["EST", "EST5EDT", "CET", "Japan", "EST5"] {
            assert_eq!(Zone::parse(legacy), None, "{legacy}");
        }
        assert_eq!(Zone::parse(""), None);
        for text in ["America/New_York", "Asia/Kolkata", "-03:30", "+14:00"] {
            let z = Zone::parse(text).unwrap();
            assert_eq!(Zone::parse(&z.text()), Some(z), "{text}");
        }
        assert_eq!(
            "Mars/Olympus".parse::<Zone>().unwrap_err().text,
            "Mars/Olympus"
        );
    }

    #[test]
    fn a_named_zone_follows_daylight_saving() {
        let ny = Zone::parse("America/New_York").unwrap();
        let at = |ms: i64| ny.offset_ms_at(UnixMillis(ms));
        assert_eq!(at(NY_SPRING_2026 - 1), -5 * HOUR_MS);
        assert_eq!(at(NY_SPRING_2026), -4 * HOUR_MS);
        let day = crate::time::DAY_MS;
        assert_eq!(
            ny.next_change(
                UnixMillis(NY_SPRING_2026 - 3 * day),
                UnixMillis(NY_SPRING_2026 + day)
            ),
            Some(UnixMillis(NY_SPRING_2026))
        );
        assert_eq!(
            ny.next_change(
                UnixMillis(NY_SPRING_2026),
                UnixMillis(NY_SPRING_2026 + 30 * day)
            ),
            None
        );
        // A long span is searched piece by piece: the autumn change, 34 weeks on.
        let autumn = ny
            .next_change(
                UnixMillis(NY_SPRING_2026),
                UnixMillis(NY_SPRING_2026 + 300 * day),
            )
            .expect("November's change");
        assert_eq!(UnixMillis(autumn.0).rfc3339(), "2026-11-01T06:00:00Z");
        assert_eq!(
            Zone::Fixed(3_600_000).next_change(UnixMillis(0), UnixMillis(400 * day)),
            None
        );
    }
}
