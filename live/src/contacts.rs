//! The contact list (CSV) and the do-not-call file, read with the simulator's header rules
//! ([`user_files::contacts::open`]) and each line checked by the same [`RowChecker`]: a header
//! line; `phone` (E.164), the time zone as `utc_offset` or `time_zone` (a fixed offset `-05:00`,
//! `+0530`, `UTC`, or an IANA name `America/New_York` whose offset follows daylight saving),
//! optional `name`, optional `do_not_call` (`true`/`false`, `yes`/`no`, `1`/`0`); other columns
//! are ignored.
//!
//! Unlike the simulator, a bad line is not fatal: it is reported with its line number and kept as
//! an *invalid* entry, never dialed, that `status` and `export` still show. Only a list that
//! cannot be read at all (no file, no `phone` or time zone column) is an error.

use rules::contact::{RowChecker, RowProblem, is_e164};
use rules::zone::Zone;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use user_files::contacts::{self, OpenError};

/// Why a contact list cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// No file, or no `phone` or time zone column.
    #[error(transparent)]
    List(#[from] OpenError),
    /// A line that is not CSV.
    #[error("{}: {error}", path.display())]
    Row { path: PathBuf, error: csv::Error },
}

/// Why a do-not-call file cannot be used: a broken list must not let anyone through.
#[derive(Debug, thiserror::Error)]
pub enum DoNotCallError {
    #[error("cannot read do-not-call file {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A line that is not an E.164 number, shown whole so it can be found and fixed.
    #[error(
        "{}:{line}: {text:?} is not an E.164 number: write one number a line, like +14155550100 (# starts a comment)",
        path.display()
    )]
    NotE164 {
        path: PathBuf,
        line: usize,
        text: String,
    },
}

/// One line of the contact list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// The phone cell as written (trimmed).
    pub phone: String,
    pub name: String,
    /// The customer's time zone; `None` on an invalid line whose zone could not be read.
    pub zone: Option<Zone>,
    /// The list's own do-not-call flag.
    pub do_not_call: bool,
    /// Why the line cannot be dialed; `None` for a valid customer.
    pub invalid: Option<String>,
}

impl Entry {
    pub fn is_valid(&self) -> bool {
        self.invalid.is_none()
    }
}

/// Reads the list at `path`. Each entry is valid or carries the reason it is not.
pub fn read(path: &Path) -> Result<Vec<Entry>, ContactsError> {
    let (mut reader, columns) = contacts::open(path, true)?;
    let mut checker = RowChecker::new(columns);
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| ContactsError::Row {
            path: path.to_path_buf(),
            error,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row = checker.check(line, |i| record.get(i));
        let invalid = row.problem.map(|problem| match problem {
            RowProblem::NotE164 => format!(
                // Shown whole: it is not a number anyone can be called on, and the user must
                // find it to fix it.
                "phone {:?} is not an E.164 number (+ country code and number, digits only, e.g. +14155550100)",
                row.phone
            ),
            RowProblem::RepeatedPhone { first_line } => format!(
                "phone {} is already on line {first_line}: a customer appears once",
                crate::mask::mask_phone(&row.phone)
            ),
            RowProblem::Zone { text } => format!(
                "time zone {:?} is not an offset nor a zone name: write it like -05:00, +01:00, UTC or America/New_York",
                text.trim()
            ),
            RowProblem::DoNotCall { text } => {
                format!("do_not_call {:?} is not true or false", text.trim())
            }
        });
        entries.push(Entry {
            line,
            phone: row.phone,
            name: row.name,
            zone: row.zone,
            do_not_call: row.do_not_call,
            invalid,
        });
    }
    Ok(entries)
}

/// Reads a do-not-call file: one E.164 number a line; blank lines and `#` comments are skipped.
/// A line that is not a number is an error (a broken list must not let anyone through).
pub fn read_do_not_call(path: &Path) -> Result<HashSet<String>, DoNotCallError> {
    let text = user_files::read_to_string(path, user_files::MAX_DATA_BYTES).map_err(|error| {
        DoNotCallError::Unreadable {
            path: path.to_path_buf(),
            error,
        }
    })?;
    let mut numbers = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        if !is_e164(entry) {
            return Err(DoNotCallError::NotE164 {
                path: path.to_path_buf(),
                line: i + 1,
                text: entry.to_string(),
            });
        }
        numbers.insert(entry.to_string());
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_kept_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(
            &path,
            "phone,name,utc_offset,do_not_call\n\
             +14155550100,Ann,-08:00,\n\
             415-555-0101,Bob,-08:00,no\n\
             +14155550100,Ann again,-08:00,\n\
             +442071234567,Cy,Mars,\n\
             +442071234568,Di,+00:00,maybe\n\
             +815012341111,Eve,+09:00,yes\n",
        )
        .unwrap();
        let e = read(&path).unwrap();
        assert_eq!(e.len(), 6);
        assert!(
            e[0].is_valid() && e[0].line == 2 && e[0].zone == Some(Zone::Fixed(-8 * 3_600_000))
        );
        assert_eq!(e[1].line, 3);
        assert!(e[1].invalid.as_deref().unwrap().contains("E.164"));
        assert!(
            e[2].invalid
                .as_deref()
                .unwrap()
                .contains("already on line 2")
        );
        assert!(
            e[3].invalid
                .as_deref()
                .unwrap()
                .contains("time zone \"Mars\"")
        );
        assert!(e[4].invalid.as_deref().unwrap().contains("do_not_call"));
        assert!(e[5].is_valid() && e[5].do_not_call && e[5].name == "Eve");
    }

    #[test]
    fn missing_columns_are_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, "number,utc_offset\n+14155550100,UTC\n").unwrap();
        assert!(matches!(
            read(&path).unwrap_err(),
            ContactsError::List(OpenError::Header {
                error: rules::contact::HeaderError::Missing { name: "phone", .. },
                ..
            })
        ));
    }

    #[test]
    fn do_not_call_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dnc.txt");
        std::fs::write(
            &path,
            "# opted out\n+14155550100\n\n+442071234567  # by letter\n",
        )
        .unwrap();
        let set = read_do_not_call(&path).unwrap();
        assert!(set.contains("+14155550100") && set.contains("+442071234567"));
        std::fs::write(&path, "+14155550100\n555-0101\n").unwrap();
        let err = read_do_not_call(&path).unwrap_err();
        assert!(
            matches!(err, DoNotCallError::NotE164 { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("dnc.txt:2:"), "{err}");
    }
}
