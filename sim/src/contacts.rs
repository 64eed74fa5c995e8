//! Reading a contact list from CSV, with errors that name the file, the line and the fix.
//!
//! Columns (header required, any order): `phone` (E.164, e.g. `+14155550100`), `utc_offset`
//! (`-05:00`, `+01:00`, `+0530`, `UTC`), optional `name`, optional `do_not_call` (`true`/`false`,
//! `yes`/`no`, `1`/`0`). Other columns are ignored.

use crate::model::Customer;
use std::collections::HashMap;
use std::path::Path;

/// Whether `phone` is an E.164 number: `+`, a non-zero digit, 7 to 14 more digits.
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Parses `-05:00`, `+0530`, `+1`, `UTC`, `Z` into milliseconds east of UTC.
pub fn parse_utc_offset(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t == "Z" || t == "GMT" {
        return Some(0);
    }
    let t = t.strip_prefix("UTC").unwrap_or(t);
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3_600_000 + m * 60_000))
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
    pub utc_offset: usize,
    pub name: Option<usize>,
    pub do_not_call: Option<usize>,
}

/// Opens the contact list at `path` and finds its columns; `flexible` accepts rows whose length
/// differs from the header's.
pub fn open(path: &Path, flexible: bool) -> Result<(csv::Reader<std::fs::File>, Columns), String> {
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(flexible)
        .from_path(path)
        .map_err(|e| format!("cannot read contact list {shown}: {e}"))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{shown}:1: cannot read the header line: {e}"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let required = |name: &str, what: &str| {
        column(name).ok_or_else(|| {
            format!("{shown}:1: no `{name}` column: the header line must name a `{name}` column ({what})")
        })
    };
    let columns = Columns {
        phone: required("phone", "E.164 numbers")?,
        utc_offset: required("utc_offset", "e.g. -05:00")?,
        name: column("name"),
        do_not_call: column("do_not_call"),
    };
    Ok((reader, columns))
}

/// Reads the list at `path`: the customers and the distinct UTC offsets they use.
pub fn read(path: &Path) -> Result<(Vec<Customer>, Vec<i64>), String> {
    let shown = path.display();
    let (mut reader, columns) = open(path, false)?;
    let (phone, offset, dnc) = (columns.phone, columns.utc_offset, columns.do_not_call);
    let mut zones: Vec<i64> = Vec::new();
    let mut zone_index: HashMap<i64, u16> = HashMap::new();
    let mut seen_phones: HashMap<String, usize> = HashMap::new();
    let mut customers = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| format!("{shown}:{line}: {e}"))?;
        let number = record.get(phone).unwrap_or("").trim();
        if !is_e164(number) {
            return Err(format!(
                "{shown}:{line}: phone {number:?} is not an E.164 number: write it as + country code and number, digits only (e.g. +14155550100)"
            ));
        }
        if let Some(first) = seen_phones.insert(number.to_string(), line) {
            return Err(format!(
                "{shown}:{line}: phone {number} is already on line {first}: a customer must appear once"
            ));
        }
        let text = record.get(offset).unwrap_or("");
        let ms = parse_utc_offset(text).ok_or_else(|| {
            format!("{shown}:{line}: utc_offset {text:?} is not an offset: write it like -05:00, +01:00 or UTC")
        })?;
        let zone = *zone_index.entry(ms).or_insert_with(|| {
            zones.push(ms);
            (zones.len() - 1) as u16
        });
        let do_not_call = match dnc {
            None => false,
            Some(i) => {
                let text = record.get(i).unwrap_or("");
                parse_flag(text).ok_or_else(|| {
                    format!("{shown}:{line}: do_not_call {text:?} is not true or false")
                })?
            }
        };
        customers.push(Customer { zone, do_not_call });
    }
    if customers.is_empty() {
        return Err(format!("{shown}: the contact list has no customers"));
    }
    Ok((customers, zones))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert!(is_e164("+14155550100"));
        assert!(!is_e164("14155550100"));
        assert!(!is_e164("+0415555"));
        assert!(!is_e164("+1 415 555 0100"));
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("-05:00"), Some(-5 * 3_600_000));
        assert_eq!(parse_utc_offset("+0530"), Some(5 * 3_600_000 + 30 * 60_000));
        assert_eq!(parse_utc_offset("UTC"), Some(0));
        assert_eq!(parse_utc_offset("UTC+1"), Some(3_600_000));
        assert_eq!(parse_utc_offset("EST"), None);
    }
}
