//! The files a scenario names — its contact list, the CSV columns of empirical distributions —
//! read from disk relative to the scenario's folder and handed to the engine, which reads none.

use crate::{contacts, files};
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

impl Inputs for Files {
    fn contact_list(&self, path: &Path) -> Result<(Vec<Customer>, Vec<i64>), String> {
        contacts::read(&self.base.join(path))
    }

    fn durations(&self, path: &Path, column: &str) -> Result<Vec<Millis>, String> {
        read_durations(&self.base.join(path), column)
    }
}

fn read_durations(path: &Path, column: &str) -> Result<Vec<Millis>, String> {
    let shown = path.display();
    let file = files::open(path, files::MAX_DATA_BYTES)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut reader = csv::Reader::from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| format!("{shown}: cannot read the header line: {e}"))?
        .clone();
    if headers.iter().filter(|h| h.trim() == column).count() > 1 {
        return Err(format!(
            "{shown}:1: the header names the column {column:?} more than once: keep one, so that it is clear which one is meant"
        ));
    }
    let index = headers
        .iter()
        .position(|h| h.trim() == column)
        .ok_or_else(|| {
            format!(
                "{shown}: no column named {column:?} (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?;
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| format!("{shown}:{line}: {e}"))?;
        let cell = record.get(index).unwrap_or("").trim();
        let secs: f64 = cell.parse().map_err(|_| {
            format!("{shown}:{line}: {column} is {cell:?}, expected a number of seconds")
        })?;
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(format!(
                "{shown}:{line}: {column} is {secs}, durations cannot be negative"
            ));
        }
        if secs > MAX_DURATION_S {
            return Err(format!(
                "{shown}:{line}: {column} is {secs} s, above 744 h ({MAX_DURATION_S} s), the longest campaign: durations run from 0 to {MAX_DURATION_S} s"
            ));
        }
        out.push(Millis::from_secs_f64(secs));
    }
    if out.is_empty() {
        return Err(format!("{shown}: column {column:?} has no rows"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::dist::{Distribution, Sampler};

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
            err.contains("bad.csv:3") && err.contains("cannot be negative"),
            "{err}"
        );
        let missing = parse(r#"EmpiricalCsv(path: "talk.csv", column: "wrap_s")"#);
        assert!(
            missing
                .sampler(&Files::new(&dir))
                .unwrap_err()
                .contains("no column named \"wrap_s\"")
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
        assert!(err.contains("more than once"), "{err}");
    }
}
