//! The files people hand dialsim — scenario, sweep and campaign files, contact lists, data
//! files — read with a bound on their size, so that a wrong path (a device such as `/dev/zero`,
//! a multi-gigabyte log given as a scenario) is refused with a message instead of filling memory
//! or reading for ever.
//!
//! A crate of its own because both sides read these files: the simulator's experiments (`lab`)
//! and `live`, which runs on Amazon Connect and must not carry the simulator to read a contact
//! list. [`contacts::open`] opens a contact list (CSV) and finds its columns by the rules'
//! header rules; what a line means is checked by each side.
//!
//! ```
//! let err = user_files::read_to_string("/dev/zero".as_ref(), 1 << 20).unwrap_err();
//! assert!(err.to_string().contains("larger than 1 MiB"));
//! ```

pub mod contacts;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest scenario, sweep or campaign file (RON): far beyond any written by hand, even one
/// listing thousands of empirical samples.
pub const MAX_RON_BYTES: u64 = 64 << 20;
/// The largest results, frontier, sweep, part or baseline file (JSON), contact list or data
/// file (CSV): 10,000,000 customers at 100 bytes a row.
pub const MAX_DATA_BYTES: u64 = 1 << 30;

/// Why a path that opens is not read, carried in the [`io::Error`] (of kind `Other`) that
/// [`open`] and [`Bounded`] return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it is a folder, not a file")]
    Folder,
    /// More than `limit` bytes.
    #[error(
        "it is larger than {} MiB, the most dialsim reads from a file of this kind: check the path",
        limit >> 20
    )]
    TooLarge { limit: u64 },
}

/// Opens `path` for reading at most `limit` bytes: a regular file larger than that is refused
/// before reading; anything else (a pipe, a device) is refused once it has given more.
pub fn open(path: &Path, limit: u64) -> io::Result<Bounded> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other(Refused::Folder));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large(limit));
    }
    Ok(Bounded {
        inner: file.take(limit + 1),
        limit,
        read: 0,
    })
}

/// Reads the whole of `path` as UTF-8 text, at most `limit` bytes.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    let mut text = String::new();
    open(path, limit)?.read_to_string(&mut text)?;
    Ok(text)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::other(Refused::TooLarge { limit })
}

/// A file being read, that fails once more than its limit has been read.
pub struct Bounded {
    inner: io::Take<File>,
    limit: u64,
    read: u64,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(too_large(self.limit));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(err: &io::Error) -> Option<Refused> {
        err.get_ref()?.downcast_ref::<Refused>().copied()
    }

    /// `dialsim run /dev/zero` read for ever (and would have filled memory).
    #[test]
    fn an_endless_file_is_refused_at_its_limit() {
        let err = read_to_string(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(refused(&err), Some(Refused::TooLarge { limit: 1 << 20 }));
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    }

    #[test]
    fn a_large_regular_file_is_refused_before_reading() {
        let dir = std::env::temp_dir().join(format!("dialsim-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.ron");
        std::fs::write(&path, vec![b'x'; (1 << 20) + 1]).unwrap();
        assert!(read_to_string(&path, 1 << 20).is_err());
        assert_eq!(read_to_string(&path, 2 << 20).unwrap().len(), (1 << 20) + 1);
        let err = read_to_string(&dir, 1 << 20).unwrap_err();
        assert_eq!(refused(&err), Some(Refused::Folder));
        assert!(err.to_string().contains("folder"), "{err}");
    }
}
