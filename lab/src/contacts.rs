//! Reading a contact list from CSV, with errors that name the file, the line and the fix.
//!
//! Columns (header required, any order): `phone` (E.164, e.g. `+14155550100`), the time zone
//! as `utc_offset` or `time_zone` (a fixed offset `-05:00`, `+0530`, `UTC`, or an IANA name
//! `America/New_York`, either column), optional `name`, optional `do_not_call`
//! (`true`/`false`, `yes`/`no`, `1`/`0`). Other columns are ignored.

use rules::contact::{RowChecker, RowProblem};
use rules::zone::{ZONE_FORMS, Zone};
use sim::inputs::Customer;
use sim::scenario::MAX_CUSTOMERS;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
pub use user_files::contacts::{OpenError, open};

/// Why a contact list cannot be used: the file, the line where there is one, and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ContactListError {
    /// No file, no header line, or a header without the columns.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// A line the CSV reader cannot read (read strictly: a line of another length than the
    /// header's).
    #[error("{}:{line}: {error}", path.display())]
    Row {
        path: PathBuf,
        line: usize,
        error: csv::Error,
    },
    #[error(
        "{}:{line}: phone {number:?} is not an E.164 number: write it as + country code and number, digits only (e.g. +14155550100)",
        path.display()
    )]
    NotE164 {
        path: PathBuf,
        line: usize,
        number: String,
    },
    #[error(
        "{}:{line}: phone {number} is already on line {first}: a customer must appear once",
        path.display()
    )]
    RepeatedPhone {
        path: PathBuf,
        line: usize,
        number: String,
        first: usize,
    },
    #[error("{}:{line}: time zone {text:?} is not an offset nor a zone name: {ZONE_FORMS}", path.display())]
    Zone {
        path: PathBuf,
        line: usize,
        text: String,
    },
    #[error("{}:{line}: do_not_call {text:?} is not true or false", path.display())]
    DoNotCall {
        path: PathBuf,
        line: usize,
        text: String,
    },
    #[error(
        "{}:{line}: the contact list has more than {MAX_CUSTOMERS} customers, the most a campaign takes: split it into campaigns",
        path.display()
    )]
    TooManyCustomers { path: PathBuf, line: usize },
    #[error("{}: the contact list has no customers", path.display())]
    NoCustomers { path: PathBuf },
}

/// Reads the list at `path`: the customers and the distinct time zones they live in.
pub fn read(path: &Path) -> Result<(Vec<Customer>, Vec<Zone>), ContactListError> {
    let (mut reader, columns) = open(path, false)?;
    let mut checker = RowChecker::new(columns);
    let mut zones: Vec<Zone> = Vec::new();
    let mut zone_index: HashMap<Zone, u16> = HashMap::new();
    let mut customers = Vec::new();
    let file = || path.to_path_buf();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|error| ContactListError::Row {
            path: file(),
            line,
            error,
        })?;
        let checked = checker.check(line as u64, |i| record.get(i));
        if let Some(problem) = checked.problem {
            let number = checked.phone;
            return Err(match problem {
                RowProblem::NotE164 => ContactListError::NotE164 {
                    path: file(),
                    line,
                    number,
                },
                RowProblem::RepeatedPhone { first_line } => ContactListError::RepeatedPhone {
                    path: file(),
                    line,
                    number,
                    first: first_line as usize,
                },
                RowProblem::Zone { text } => ContactListError::Zone {
                    path: file(),
                    line,
                    text,
                },
                RowProblem::DoNotCall { text } => ContactListError::DoNotCall {
                    path: file(),
                    line,
                    text,
                },
            });
        }
        let z = checked.zone.expect("a valid line has a time zone");
        let zone = *zone_index.entry(z).or_insert_with(|| {
            zones.push(z);
            (zones.len() - 1) as u16
        });
        let do_not_call = checked.do_not_call;
        if customers.len() == MAX_CUSTOMERS as usize {
            return Err(ContactListError::TooManyCustomers { path: file(), line });
        }
        customers.push(Customer { zone, do_not_call });
    }
    if customers.is_empty() {
        return Err(ContactListError::NoCustomers { path: file() });
    }
    Ok((customers, zones))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::contact::HeaderError;

    /// Found from outside: a `do-not-call` column (a dash for the underscore) was ignored as
    /// unknown, and its customers were called.
    #[test]
    fn a_misspelt_do_not_call_column_is_refused() {
        let dir = std::env::temp_dir().join(format!("dialsim-dnc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for header in ["do-not-call", "DNC", "DoNotCall", "do not call"] {
            let path = dir.join("dnc.csv");
            std::fs::write(
                &path,
                format!("phone,utc_offset,{header}\n+14155550100,-05:00,true\n"),
            )
            .unwrap();
            let err = read(&path).unwrap_err();
            assert!(
                matches!(
                    &err,
                    ContactListError::Open(OpenError::Header {
                        error: HeaderError::MisspeltDoNotCall { found },
                        ..
                    }) if found == header
                ),
                "{header}: {err}"
            );
            assert!(
                err.to_string().contains("write it `do_not_call`"),
                "{header}: {err}"
            );
        }
        let path = dir.join("ok.csv");
        std::fs::write(
            &path,
            "phone,utc_offset,Do_Not_Call\n+14155550100,-05:00,true\n",
        )
        .unwrap();
        assert!(read(&path).unwrap().0[0].do_not_call);
    }

    /// A header naming a column twice silently used the first.
    #[test]
    fn a_column_named_twice_is_refused() {
        let dir = std::env::temp_dir().join(format!("dialsim-contacts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("twice.csv");
        std::fs::write(
            &path,
            "phone,utc_offset,Phone\n+14155550100,-05:00,+14155550101\n",
        )
        .unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("twice.csv:1") && err.contains("`phone` column 2 times (columns 1 and 3)"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_cell_names_its_line() {
        let dir = std::env::temp_dir().join(format!("dialsim-cells-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cells.csv");
        let read_with = |rows: &str| {
            std::fs::write(&path, format!("phone,utc_offset,do_not_call\n{rows}")).unwrap();
            read(&path).unwrap_err()
        };
        let ok = "+14155550100,-05:00,no\n";
        assert!(matches!(
            read_with(&format!("{ok}+14155550100,-05:00,no\n")),
            ContactListError::RepeatedPhone {
                line: 3,
                first: 2,
                ..
            }
        ));
        assert!(matches!(
            read_with(&format!("{ok}+14155550101,EST,no\n")),
            ContactListError::Zone { line: 3, text, .. } if text == "EST"
        ));
        assert!(matches!(
            read_with(&format!("{ok}+14155550101,UTC,maybe\n")),
            ContactListError::DoNotCall { line: 3, text, .. } if text == "maybe"
        ));
        assert!(matches!(
            read_with("415-555-0100,UTC,no\n"),
            ContactListError::NotE164 { line: 2, number, .. } if number == "415-555-0100"
        ));
        assert!(matches!(
            read_with(""),
            ContactListError::NoCustomers { .. }
        ));
    }
}
