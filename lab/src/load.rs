//! Reading a scenario file into a runnable [`Plan`], with errors that name the file, the line and
//! the column, say what was expected, and how to fix it.

use crate::inputs::{Files, InputError};
use crate::plan::{Plan, PlanError};
use sim::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Why a scenario could not be loaded. Every variant is the user's to fix. (An underlying error
/// is part of the message, not a `source`, so that a chain printed whole does not say it twice.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not valid RON for a scenario, or a value is out of range.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file parsed, but something it refers to (a CSV) or a cross-field rule is wrong.
    #[error("{}: {error}", path.display())]
    Invalid {
        path: PathBuf,
        error: PlanError<InputError>,
    },
}

/// Parses scenario text; `path` is used in messages only.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    sim::scenario::parse(text).map_err(|e| ScenarioError::Parse {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// Reads, parses and compiles the scenario at `path` (CSV paths resolve next to it).
pub fn load(path: &Path) -> Result<(Scenario, Plan), ScenarioError> {
    load_with(path, |_| {})
}

/// Like [`load`], letting the caller change the scenario (a command-line `--seed`) before it is
/// compiled, so that everything derived from it — a generated list too — follows the change.
pub fn load_with(
    path: &Path,
    adjust: impl FnOnce(&mut Scenario),
) -> Result<(Scenario, Plan), ScenarioError> {
    let text =
        crate::files::read_to_string(path, crate::files::MAX_RON_BYTES).map_err(|error| {
            ScenarioError::Read {
                path: path.to_path_buf(),
                error,
            }
        })?;
    let mut scenario = parse(&text, path)?;
    adjust(&mut scenario);
    let base = path.parent().unwrap_or(Path::new("."));
    let plan =
        Plan::compile(&scenario, &Files::new(base)).map_err(|error| ScenarioError::Invalid {
            path: path.to_path_buf(),
            error,
        })?;
    Ok((scenario, plan))
}
