//! The files a scenario names — its contact list, the CSV columns of empirical distributions —
//! read from disk relative to the scenario's folder and handed to the engine, which reads none.

use crate::contacts::{self, ContactListError};
use crate::files;
use sim::Millis;
use sim::inputs::{Customer, Inputs};
use std::path::{Path, PathBuf};
use strategies::param::MAX_DURATION_S;

/// The files of a scenario in folder `base`.
pub struct Files {
    base: PathBuf,
}

impl Files {
    pub fn new(base: &Path) -> Files {
        Files {
            base: base.to_path_buf(),
        }
    }
}

/// Why a file a scenario names cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    ContactList(#[from] ContactListError),
    #[error(transparent)]
    Durations(#[from] DurationsError),
}

/// Why the column of durations an `EmpiricalCsv` names cannot be used: the file, the line where
/// there is one, and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum DurationsError {
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: cannot read the header line: {error}", path.display())]
    HeaderLine { path: PathBuf, error: csv::Error },
    #[error(
        "{}:1: the header names the column {column:?} more than once: keep one, so that it is clear which one is meant",
        path.display()
    )]
    RepeatedColumn { path: PathBuf, column: String },
    /// No column of that name; `columns` are the header's.
    #[error("{}: no column named {column:?} (columns: {})", path.display(), columns.join(", "))]
    NoColumn {
        path: PathBuf,
        column: String,
        columns: Vec<String>,
    },
    #[error("{}:{line}: {error}", path.display())]
    Row {
        path: PathBuf,
        line: usize,
        error: csv::Error,
    },
    #[error("{}:{line}: {column} is {cell:?}, expected a number of seconds", path.display())]
    NotANumber {
        path: PathBuf,
        line: usize,
        column: String,
        cell: String,
    },
    #[error("{}:{line}: {column} is {seconds}, durations cannot be negative", path.display())]
    Negative {
        path: PathBuf,
        line: usize,
        column: String,
        seconds: f64,
    },
    #[error(
        "{}:{line}: {column} is {seconds} s, above 744 h ({MAX_DURATION_S} s), the longest campaign: durations run from 0 to {MAX_DURATION_S} s",
        path.display()
    )]
    TooLong {
        path: PathBuf,
        line: usize,
        column: String,
        seconds: f64,
    },
    #[error("{}: column {column:?} has no rows", path.display())]
    NoRows { path: PathBuf, column: String },
}

impl Inputs for Files {
    type Error = InputError;

    fn contact_list(
        &self,
        path: &Path,
    ) -> Result<(Vec<Customer>, Vec<rules::zone::Zone>), InputError> {
        Ok(contacts::read(&self.base.join(path))?)
    }

    fn durations(&self, path: &Path, column: &str) -> Result<Vec<Millis>, InputError> {
        Ok(read_durations(&self.base.join(path), column)?)
    }
}

fn read_durations(path: &Path, column: &str) -> Result<Vec<Millis>, DurationsError> {
    let file = || path.to_path_buf();
    let named = || column.to_string();
    let data =
        files::open(path, files::MAX_DATA_BYTES).map_err(|error| DurationsError::Unreadable {
            path: file(),
            error,
        })?;
    let mut reader = csv::Reader::from_reader(data);
    let headers = reader
        .headers()
        .map_err(|error| DurationsError::HeaderLine {
            path: file(),
            error,
        })?
        .clone();
    if headers.iter().filter(|h| h.trim() == column).count() > 1 {
        return Err(DurationsError::RepeatedColumn {
            path: file(),
            column: named(),
        });
    }
    let index = headers
        .iter()
        .position(|h| h.trim() == column)
        .ok_or_else(|| DurationsError::NoColumn {
            path: file(),
            column: named(),
            columns: headers.iter().map(str::to_string).collect(),
        })?;
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|error| DurationsError::Row {
            path: file(),
            line,
            error,
        })?;
        let cell = record.get(index).unwrap_or("").trim();
        let seconds: f64 = cell.parse().map_err(|_| DurationsError::NotANumber {
            path: file(),
            line,
            column: named(),
            cell: cell.to_string(),
        })?;
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(DurationsError::Negative {
                path: file(),
                line,
                column: named(),
                seconds,
            });
        }
        if seconds > MAX_DURATION_S {
            return Err(DurationsError::TooLong {
                path: file(),
                line,
                column: named(),
                seconds,
            });
        }
        out.push(Millis::from_secs_f64(seconds));
    }
    if out.is_empty() {
        return Err(DurationsError::NoRows {
            path: file(),
            column: named(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::dist::{Distribution, DistributionError, Sampler};

    fn parse(text: &str) -> Distribution {
        ron::from_str(text).expect("valid distribution")
    }

    #[test]
    fn empirical_csv_reads_a_column_and_names_bad_lines() {
        let dir = std::env::temp_dir().join(format!("dialsim-dist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("talk.csv"), "agent,talk_s\na,30\nb,90.5\n").unwrap();
        std::fs::write(dir.join("bad.csv"), "talk_s\n30\n-4\n").unwrap();
        let good = parse(r#"EmpiricalCsv(path: "talk.csv", column: "talk_s")"#);
        match good.sampler(&Files::new(&dir)).unwrap() {
            Sampler::Empirical(v) => assert_eq!(v, vec![Millis(30_000), Millis(90_500)]),
            other => panic!("{other:?}"),
        }
        let bad = parse(r#"EmpiricalCsv(path: "bad.csv", column: "talk_s")"#);
        let err = bad.sampler(&Files::new(&dir)).unwrap_err();
        assert!(
            matches!(
                err,
                DistributionError::Input(InputError::Durations(DurationsError::Negative {
                    line: 3,
                    seconds: -4.0,
                    ..
                }))
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("{}:3: ", dir.join("bad.csv").display())),
            "{err}"
        );
        let missing = parse(r#"EmpiricalCsv(path: "talk.csv", column: "wrap_s")"#);
        assert_eq!(
            missing.sampler(&Files::new(&dir)).unwrap_err().to_string(),
            format!(
                "{}: no column named \"wrap_s\" (columns: agent, talk_s)",
                dir.join("talk.csv").display()
            )
        );
    }

    /// Found from outside: a header `seconds,seconds` silently used the first column.
    #[test]
    fn empirical_csv_refuses_a_column_named_twice() {
        let dir = std::env::temp_dir().join(format!("dialsim-dist2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("twice.csv"), "seconds,seconds\n1,2\n").unwrap();
        let d = parse(r#"EmpiricalCsv(path: "twice.csv", column: "seconds")"#);
        let err = d.sampler(&Files::new(&dir)).unwrap_err();
        assert!(
            matches!(
                &err,
                DistributionError::Input(InputError::Durations(
                    DurationsError::RepeatedColumn { column, .. }
                )) if column == "seconds"
            ),
            "{err}"
        );
    }
}
