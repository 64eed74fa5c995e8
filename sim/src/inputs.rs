//! What a scenario names outside itself — a contact list, the CSV columns of empirical
//! distributions — as the engine is handed it: the engine reads no file, so whoever compiles a
//! world implements [`Inputs`] (the experiments read from disk; a test or a stand-in from
//! memory).

use rules::zone::Zone;
use std::path::{Path, PathBuf};
use strategies::Millis;

/// One customer of the list, as the world needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Index into the list's time zones ([`crate::World::time_zones`]).
    pub zone: u16,
    pub do_not_call: bool,
}

/// The data a scenario names outside itself, by the path written in the scenario. The
/// experiments read them from disk (relative to the scenario's folder); a test or a stand-in
/// can hand them over from memory.
pub trait Inputs {
    /// Why a file could not be handed over: it names the file and, where it can, the line and
    /// the fix.
    type Error: std::error::Error + Send + Sync + 'static;
    /// The contact list at `path`: its customers, and the distinct time zones their
    /// [`Customer::zone`] indexes.
    fn contact_list(&self, path: &Path) -> Result<(Vec<Customer>, Vec<Zone>), Self::Error>;
    /// The durations in column `column` of the CSV file at `path`.
    fn durations(&self, path: &Path, column: &str) -> Result<Vec<Millis>, Self::Error>;
}

/// [`Inputs`] for a scenario that names no file: naming one is an error.
pub struct NoFiles;

/// A scenario compiled with [`NoFiles`] names a file.
#[derive(Debug, thiserror::Error)]
pub enum NoFilesError {
    #[error(
        "the scenario names the contact list {}, and no files were given to read it from",
        path.display()
    )]
    ContactList { path: PathBuf },
    #[error(
        "the scenario names the data file {}, and no files were given to read it from",
        path.display()
    )]
    DataFile { path: PathBuf },
}

impl Inputs for NoFiles {
    type Error = NoFilesError;
    fn contact_list(&self, path: &Path) -> Result<(Vec<Customer>, Vec<Zone>), NoFilesError> {
        Err(NoFilesError::ContactList {
            path: path.to_path_buf(),
        })
    }
    fn durations(&self, path: &Path, _column: &str) -> Result<Vec<Millis>, NoFilesError> {
        Err(NoFilesError::DataFile {
            path: path.to_path_buf(),
        })
    }
}
