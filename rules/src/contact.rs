//! A contact row's fields, checked the same way wherever a list comes from (a CSV file of the
//! simulator's or live's, the sample's DynamoDB table): E.164 numbers, time zones (a UTC
//! offset or an IANA name, [`crate::zone::Zone`]), do-not-call flags, and the header that says
//! which column is which.

use crate::zone::Zone;

/// Whether `phone` is an E.164 number: `+`, a non-zero digit, 7 to 14 more digits.
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Parses a `do_not_call` cell: empty, `false`, `no`, `0` or `true`, `yes`, `1`.
pub fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Some(false),
        "true" | "yes" | "1" => Some(true),
        _ => None,
    }
}

/// Where a contact list's columns are, found by name in its header (any order, any case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub phone: usize,
    /// The time zone column: `utc_offset` or `time_zone` (either holds an offset or an IANA
    /// name).
    pub zone: usize,
    pub name: Option<usize>,
    pub do_not_call: Option<usize>,
}

/// Why a contact list's header cannot be used; each says which column to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A do-not-call column spelt otherwise than `do_not_call`: it would be ignored.
    #[error(
        "the header has a column {found:?}: write it `do_not_call`, or it would be ignored and its customers called"
    )]
    MisspeltDoNotCall { found: String },
    /// A column named more than once, at these (1-based) positions.
    #[error(
        "the header names a `{name}` column {} times (columns {}): keep one, so that it is clear which one is meant",
        at.len(),
        at.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" and ")
    )]
    Repeated { name: &'static str, at: Vec<usize> },
    /// Both `utc_offset` and `time_zone` columns, at these (1-based) positions.
    #[error(
        "the header names both a `utc_offset` and a `time_zone` column (columns {} and {}): keep one, so that each customer has one time zone",
        at[0], at[1]
    )]
    TwoZoneColumns { at: [usize; 2] },
    /// A required column is not there; `holds` says what it holds.
    #[error("no `{name}` column: the header line must name a `{name}` column ({holds})")]
    Missing {
        name: &'static str,
        holds: &'static str,
    },
}

impl Columns {
    /// Finds the columns by name in a header line (any order, any case). Refuses a header
    /// without `phone` or a time zone column (`utc_offset` or `time_zone`, one of them), one
    /// that names a column twice, and a misspelt do-not-call column (which would be ignored,
    /// and its customers called).
    pub fn find(headers: &[&str]) -> Result<Columns, HeaderError> {
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        if let Some(h) = headers.iter().find(|h| {
            let squashed: String = h
                .trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            ["donotcall", "dnc", "nocall", "dontcall"].contains(&squashed.as_str())
                && !h.trim().eq_ignore_ascii_case("do_not_call")
        }) {
            return Err(HeaderError::MisspeltDoNotCall {
                found: h.to_string(),
            });
        }
        for name in ["phone", "utc_offset", "time_zone", "name", "do_not_call"] {
            let at: Vec<usize> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| h.trim().eq_ignore_ascii_case(name))
                .map(|(i, _)| i + 1)
                .collect();
            if at.len() > 1 {
                return Err(HeaderError::Repeated { name, at });
            }
        }
        let required = |name: &'static str, holds: &'static str| {
            column(name).ok_or(HeaderError::Missing { name, holds })
        };
        let zone = match (column("utc_offset"), column("time_zone")) {
            (Some(a), Some(b)) => {
                return Err(HeaderError::TwoZoneColumns {
                    at: [a.min(b) + 1, a.max(b) + 1],
                });
            }
            (Some(z), None) | (None, Some(z)) => z,
            (None, None) => required(
                "utc_offset",
                "e.g. -05:00, or a `time_zone` column of names such as America/New_York",
            )?,
        };
        Ok(Columns {
            phone: required("phone", "E.164 numbers")?,
            zone,
            name: column("name"),
            do_not_call: column("do_not_call"),
        })
    }
}

/// One line of a contact list, read through [`Columns`] and checked by [`RowChecker`]: what
/// every reader of a list keeps of it, whether it refuses a bad line (the simulator) or keeps it
/// as never to be dialed (live).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The phone cell, trimmed.
    pub phone: String,
    /// The name cell, trimmed (empty without a `name` column).
    pub name: String,
    /// The customer's time zone; `None` when the cell is not one.
    pub zone: Option<Zone>,
    /// The list's own do-not-call flag (`false` when the cell is not a flag).
    pub do_not_call: bool,
    /// The first thing wrong with the line, checked in this order: the phone, a phone listed
    /// before, the time zone, the flag.
    pub problem: Option<RowProblem>,
}

/// What is wrong with a contact line. The cells are as written, so that each reader words its
/// message (live masks phone numbers in what it logs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowProblem {
    /// The phone ([`Row::phone`]) is not an E.164 number.
    NotE164,
    /// The phone is already on an earlier, valid line.
    RepeatedPhone { first_line: u64 },
    /// The time zone cell is not an offset nor an IANA name ([`crate::zone::ZONE_FORMS`]).
    Zone { text: String },
    /// The `do_not_call` cell is not true or false.
    DoNotCall { text: String },
}

/// Checks a list's lines in order, remembering the phones of valid lines so that a number listed
/// twice is caught.
#[derive(Clone, Debug)]
pub struct RowChecker {
    columns: Columns,
    seen: std::collections::HashMap<String, u64>,
}

impl RowChecker {
    pub fn new(columns: Columns) -> RowChecker {
        RowChecker {
            columns,
            seen: Default::default(),
        }
    }

    /// Reads and checks line number `line`, whose cell in column `i` is `cell(i)` (`None` past
    /// the end of a short line).
    pub fn check<'a>(&mut self, line: u64, cell: impl Fn(usize) -> Option<&'a str>) -> Row {
        let raw = |i: Option<usize>| i.and_then(&cell).unwrap_or("");
        let phone = raw(Some(self.columns.phone)).trim().to_string();
        let zone_text = raw(Some(self.columns.zone));
        let zone = Zone::parse(zone_text);
        let flag_text = raw(self.columns.do_not_call);
        let flag = parse_flag(flag_text);
        let problem = if !is_e164(&phone) {
            Some(RowProblem::NotE164)
        } else if let Some(&first_line) = self.seen.get(&phone) {
            Some(RowProblem::RepeatedPhone { first_line })
        } else if zone.is_none() {
            Some(RowProblem::Zone {
                text: zone_text.to_string(),
            })
        } else if flag.is_none() {
            Some(RowProblem::DoNotCall {
                text: flag_text.to_string(),
            })
        } else {
            None
        };
        if problem.is_none() {
            self.seen.insert(phone.clone(), line);
        }
        Row {
            phone,
            name: raw(self.columns.name).trim().to_string(),
            zone,
            do_not_call: flag.unwrap_or(false),
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each line gets the first of its problems; a number is "listed before" only when the
    /// earlier line was valid, so one bad line does not make its fixed copy a duplicate.
    #[test]
    fn rows_are_checked_in_order_and_repeats_only_after_valid_lines() {
        let columns = Columns::find(&["name", "phone", "utc_offset", "do_not_call"]).unwrap();
        let mut checker = RowChecker::new(columns);
        let mut check = |line: u64, cells: &[&str]| {
            let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            checker.check(line, |i| cells.get(i).map(String::as_str))
        };
        let ok = check(2, &[" Ann ", " +14155550100 ", "-05:00", "yes"]);
        assert_eq!(
            ok,
            Row {
                phone: "+14155550100".into(),
                name: "Ann".into(),
                zone: Some(Zone::Fixed(-5 * 3_600_000)),
                do_not_call: true,
                problem: None,
            }
        );
        let repeated = check(3, &["Bob", "+14155550100", "EST", "maybe"]);
        assert_eq!(
            repeated.problem,
            Some(RowProblem::RepeatedPhone { first_line: 2 })
        );
        let bad_phone = check(4, &["Cy", "4155550101", "EST", "maybe"]);
        assert_eq!(bad_phone.problem, Some(RowProblem::NotE164));
        let bad_offset = check(5, &["Di", "+14155550102", " EST", "maybe"]);
        assert_eq!(
            bad_offset.problem,
            Some(RowProblem::Zone {
                text: " EST".into()
            })
        );
        let bad_flag = check(6, &["Di", "+14155550102", "UTC", "maybe"]);
        assert_eq!(
            bad_flag.problem,
            Some(RowProblem::DoNotCall {
                text: "maybe".into()
            })
        );
        assert!(!bad_flag.do_not_call);
        // The number of the lines above that were not valid is still free; a short line reads
        // its missing cells as empty (no flag is false).
        let short = check(7, &["Ed", "+14155550102", "+9"]);
        assert_eq!(short.problem, None);
        assert_eq!(short.zone, Some(Zone::Fixed(9 * 3_600_000)));
        let named = check(8, &["Flo", "+14155550103", "America/Chicago"]);
        assert_eq!(named.problem, None);
        assert_eq!(named.zone, Zone::parse("America/Chicago"));
        assert!(!short.do_not_call);
    }

    #[test]
    fn e164() {
        assert!(is_e164("+14155550100"));
        assert!(!is_e164("14155550100"));
        assert!(!is_e164("+0415555"));
        assert!(!is_e164("+1 415 555 0100"));
    }

    #[test]
    fn headers_name_the_column_to_fix() {
        assert_eq!(
            Columns::find(&["Phone", "name", "utc_offset", "do_not_call"]),
            Ok(Columns {
                phone: 0,
                zone: 2,
                name: Some(1),
                do_not_call: Some(3),
            })
        );
        assert_eq!(
            Columns::find(&["phone", "utc_offset", "DNC"]),
            Err(HeaderError::MisspeltDoNotCall {
                found: "DNC".into()
            })
        );
        assert_eq!(
            Columns::find(&["phone", "utc_offset", "PHONE"]),
            Err(HeaderError::Repeated {
                name: "phone",
                at: vec![1, 3]
            })
        );
        assert_eq!(
            Columns::find(&["time_zone", "phone"]).map(|c| c.zone),
            Ok(0)
        );
        assert_eq!(
            Columns::find(&["utc_offset", "phone", "Time_Zone"]),
            Err(HeaderError::TwoZoneColumns { at: [1, 3] })
        );
        assert!(matches!(
            Columns::find(&["phone", "tz"]),
            Err(HeaderError::Missing {
                name: "utc_offset",
                ..
            })
        ));
        let missing = Columns::find(&["number", "utc_offset"]).unwrap_err();
        assert!(matches!(
            missing,
            HeaderError::Missing { name: "phone", .. }
        ));
        assert_eq!(
            missing.to_string(),
            "no `phone` column: the header line must name a `phone` column (E.164 numbers)"
        );
    }
}
