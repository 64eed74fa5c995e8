//! Reading a scenario file into a runnable [`Plan`], with errors that name the file, the line and
//! the column, say what was expected, and how to fix it.

use crate::inputs::Files;
use crate::plan::Plan;
use sim::scenario::Scenario;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a scenario could not be loaded. Every variant is the user's to fix.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid RON for a scenario, or a value is out of range.
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file parsed, but something it refers to (a CSV) or a cross-field rule is wrong.
    Invalid { path: PathBuf, message: String },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { path, source } => {
                write!(f, "cannot read scenario {}: {source}", path.display())
            }
            ScenarioError::Parse {
                path,
                line,
                column,
                message,
            } => write!(f, "{}:{line}:{column}: {message}", path.display()),
            ScenarioError::Invalid { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

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
        crate::files::read_to_string(path, crate::files::MAX_RON_BYTES).map_err(|source| {
            ScenarioError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let mut scenario = parse(&text, path)?;
    adjust(&mut scenario);
    let base = path.parent().unwrap_or(Path::new("."));
    let plan =
        Plan::compile(&scenario, &Files::new(base)).map_err(|message| ScenarioError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
    Ok((scenario, plan))
}
