//! Reading a scenario file into a runnable [`Model`], with errors that name the file, the line and
//! the column, say what was expected, and how to fix it.

use crate::model::Model;
use crate::scenario::Scenario;
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

/// Hints for ron's terse messages.
fn explain(message: String) -> String {
    if message.contains("Unexpected variant named") || message.contains("unknown variant") {
        if message.contains("AgentsAvailable") || message.contains("OpenLoop") {
            return format!("{message}: unknown strategy; see scenarios/README.md for the list");
        }
        return format!("{message}: see scenarios/README.md for the accepted names");
    }
    if message.contains("Expected option") {
        return format!("{message}: write Some(value) or None");
    }
    if message.contains("Unexpected field named") || message.contains("unknown field") {
        return format!("{message}: check the spelling against scenarios/README.md");
    }
    message
}

/// Parses scenario text; `path` is used in messages only.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    // Editors on some systems start UTF-8 files with a byte-order mark; it is not RON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ron::Options::default()
        .from_str::<Scenario>(text)
        .map_err(|e| ScenarioError::Parse {
            path: path.to_path_buf(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: explain(e.code.to_string()),
        })
}

/// Reads, parses and compiles the scenario at `path` (CSV paths resolve next to it).
pub fn load(path: &Path) -> Result<(Scenario, Model), ScenarioError> {
    load_with(path, |_| {})
}

/// Like [`load`], letting the caller change the scenario (a command-line `--seed`) before it is
/// compiled, so that everything derived from it — a generated list too — follows the change.
pub fn load_with(
    path: &Path,
    adjust: impl FnOnce(&mut Scenario),
) -> Result<(Scenario, Model), ScenarioError> {
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
    let model = Model::compile(&scenario, base).map_err(|message| ScenarioError::Invalid {
        path: path.to_path_buf(),
        message,
    })?;
    Ok((scenario, model))
}
