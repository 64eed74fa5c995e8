//! Opening a contact list (CSV): the file, read with the bound on data files, and its header
//! line, whose columns are found by [`Columns::find`] (header required, any order: `phone`,
//! `utc_offset`, optional `name` and `do_not_call`; other columns are ignored).
//!
//! Only the opening is shared: the simulator refuses a list with a bad line, `live` keeps the
//! line as never to be dialed, so each reads the rows itself.

use rules::contact::{Columns, HeaderError};
use std::path::{Path, PathBuf};

/// Why a contact list cannot be opened: the file, and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot read contact list {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}:1: cannot read the header line: {error}", path.display())]
    HeaderLine { path: PathBuf, error: csv::Error },
    #[error("{}:1: {error}", path.display())]
    Header { path: PathBuf, error: HeaderError },
}

/// Opens the contact list at `path` and finds its columns; `flexible` accepts rows whose length
/// differs from the header's.
pub fn open(
    path: &Path,
    flexible: bool,
) -> Result<(csv::Reader<crate::Bounded>, Columns), OpenError> {
    let file = crate::open(path, crate::MAX_DATA_BYTES).map_err(|error| OpenError::Unreadable {
        path: path.to_path_buf(),
        error,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(flexible)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|error| OpenError::HeaderLine {
            path: path.to_path_buf(),
            error,
        })?
        .clone();
    let headers: Vec<&str> = headers.iter().collect();
    let columns = Columns::find(&headers).map_err(|error| OpenError::Header {
        path: path.to_path_buf(),
        error,
    })?;
    Ok((reader, columns))
}
