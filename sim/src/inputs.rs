//! What a scenario names outside itself — a contact list, the CSV columns of empirical
//! distributions — as the engine is handed it: the engine reads no file, so whoever compiles a
//! world implements [`Inputs`] (the experiments read from disk; a test or a stand-in from
//! memory).

use std::path::Path;
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
    /// The contact list at `path`: its customers, and the distinct UTC offsets (milliseconds
    /// east of UTC) their [`Customer::zone`] indexes.
    fn contact_list(&self, path: &Path) -> Result<(Vec<Customer>, Vec<i64>), String>;
    /// The durations in column `column` of the CSV file at `path`.
    fn durations(&self, path: &Path, column: &str) -> Result<Vec<Millis>, String>;
}

/// [`Inputs`] for a scenario that names no file: naming one is an error.
pub struct NoFiles;

impl Inputs for NoFiles {
    fn contact_list(&self, path: &Path) -> Result<(Vec<Customer>, Vec<i64>), String> {
        Err(format!(
            "the scenario names the contact list {}, and no files were given to read it from",
            path.display()
        ))
    }
    fn durations(&self, path: &Path, _column: &str) -> Result<Vec<Millis>, String> {
        Err(format!(
            "the scenario names the data file {}, and no files were given to read it from",
            path.display()
        ))
    }
}
