//! Checks made before a run starts, so that a long simulation is never thrown away at its end:
//! every output can be written and none of them is one of the run's inputs, and the run fits in
//! this machine's memory.

use anyhow::{Context, bail};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// What an output path is: a file the command writes, or a folder it fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    File,
    Folder,
}

/// One output of a command: the flag that named it, its path and kind.
pub struct Output<'a> {
    pub flag: &'static str,
    pub path: &'a Path,
    pub kind: OutputKind,
}

/// Refuses (exit 2) an output that is one of `inputs`, that two outputs share, or that cannot be
/// written: a file in a folder that does not exist or is read-only, a folder where a file is, a
/// file where a folder is. Creates nothing that is not there after a successful run.
pub fn outputs(inputs: &[PathBuf], outputs: &[Output<'_>]) -> anyhow::Result<()> {
    for (i, out) in outputs.iter().enumerate() {
        for input in inputs {
            if same_file::is_same_file(out.path, input).unwrap_or(false) {
                bail!(
                    "{} {} is the input file {}: writing it would destroy the input; give another path",
                    out.flag,
                    out.path.display(),
                    input.display()
                );
            }
            if out.kind == OutputKind::Folder && inside(input, out.path) {
                bail!(
                    "{} {} holds the input file {}: the files written there could replace it; give another folder",
                    out.flag,
                    out.path.display(),
                    input.display()
                );
            }
        }
        for other in &outputs[..i] {
            let nested = |file: &Output<'_>, folder: &Output<'_>| {
                folder.kind == OutputKind::Folder && inside(file.path, folder.path)
            };
            for (file, folder) in [(out, other), (other, out)] {
                if nested(file, folder) {
                    bail!(
                        "{} {} is inside the {} folder {}: a report's files could replace it; give it a path outside",
                        file.flag,
                        file.path.display(),
                        folder.flag,
                        folder.path.display()
                    );
                }
            }
            if out.path == other.path
                || same_file::is_same_file(out.path, other.path).unwrap_or(false)
            {
                bail!(
                    "{} and {} both name {}: give each its own path",
                    other.flag,
                    out.flag,
                    out.path.display()
                );
            }
        }
        writable(out)
            .with_context(|| format!("{} {} cannot be written", out.flag, out.path.display()))?;
    }
    Ok(())
}

/// Whether `file` lies somewhere inside `folder` (both resolved where they exist).
fn inside(file: &Path, folder: &Path) -> bool {
    let resolve = |p: &Path| {
        p.canonicalize().unwrap_or_else(|_| {
            // A file not made yet: its folder resolved, then its name.
            match (p.parent(), p.file_name()) {
                (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => parent
                    .canonicalize()
                    .map(|d| d.join(name))
                    .unwrap_or_else(|_| p.to_path_buf()),
                _ => std::env::current_dir()
                    .map(|d| d.join(p))
                    .unwrap_or_else(|_| p.to_path_buf()),
            }
        })
    };
    let (file, folder) = (resolve(file), resolve(folder));
    file != folder && file.starts_with(&folder)
}

fn writable(out: &Output<'_>) -> anyhow::Result<()> {
    let path = out.path;
    match out.kind {
        OutputKind::File => {
            if path.is_dir() {
                bail!("it is a folder: give a file name");
            }
            if path.exists() {
                // Opening for append changes nothing in the file.
                OpenOptions::new()
                    .append(true)
                    .open(path)
                    .context("the file exists and cannot be opened for writing")?;
                return Ok(());
            }
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if !parent.is_dir() {
                bail!(
                    "its folder {} does not exist: create it first",
                    parent.display()
                );
            }
            probe(parent)
        }
        OutputKind::Folder => {
            if path.exists() && !path.is_dir() {
                bail!("it is a file, not a folder: give a folder name");
            }
            if path.is_dir() {
                return probe(path);
            }
            // The command creates the folder (and missing parents); the first existing
            // ancestor must take it.
            let mut ancestor = path.parent();
            while let Some(a) = ancestor {
                if a.as_os_str().is_empty() {
                    return probe(Path::new("."));
                }
                if a.exists() {
                    if !a.is_dir() {
                        bail!("{} is a file, not a folder", a.display());
                    }
                    return probe(a);
                }
                ancestor = a.parent();
            }
            Ok(())
        }
    }
}

/// Whether a new file can be made in `folder` (made and removed at once).
fn probe(folder: &Path) -> anyhow::Result<()> {
    let name = folder.join(format!(".dialsim-write-test-{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&name)
        .with_context(|| format!("no new file can be made in {}", folder.display()))?;
    std::fs::remove_file(&name).ok();
    Ok(())
}

/// The memory this process may use: the machine's memory, or less where an address-space limit
/// (`ulimit -v`) is set. `None` where neither can be read.
pub fn memory_limit() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kb| kb * 1024)
        });
    let rlimit = address_space_limit();
    match (total, rlimit) {
        (Some(t), Some(r)) => Some(t.min(r)),
        (t, r) => t.or(r),
    }
}

#[cfg(unix)]
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    // rlim_t is u64 on Linux but not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn address_space_limit() -> Option<u64> {
    None
}

/// Bytes as people read them: "37.2 GB", "512 MB", "270 KB".
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.0} MB", n / 1e6)
    } else {
        format!("{:.0} KB", (n / 1e3).max(1.0))
    }
}

/// What a run may use: three quarters of [`memory_limit`], a quarter being left for the
/// allocator, the thread stacks and the rest of the system.
pub fn memory_budget() -> Option<u64> {
    memory_limit().map(|limit| limit / 4 * 3)
}

/// Refuses a run whose estimated memory (`estimate`, with `detail` saying what it is made of)
/// is above three quarters of what this process may use; a quarter is left for the allocator,
/// the thread stacks and the rest of the system.
pub fn memory(file: &Path, estimate: u64, detail: &str, fix: &str) -> anyhow::Result<()> {
    let (Some(limit), Some(budget)) = (memory_limit(), memory_budget()) else {
        return Ok(());
    };
    if estimate > budget {
        bail!(
            "{}: this run needs about {} of memory ({detail}), more than the {} it may use here (three quarters of {}): {fix}",
            file.display(),
            bytes(estimate),
            bytes(budget),
            bytes(limit)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_may_not_be_an_input_or_unwritable() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("s.ron");
        std::fs::write(&input, "x").unwrap();
        let out = |path, kind| Output {
            flag: "--json",
            path,
            kind,
        };
        let err = outputs(
            std::slice::from_ref(&input),
            &[out(&input, OutputKind::File)],
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("is the input file"), "{err:#}");
        let missing = dir.path().join("no/such/folder/out.json");
        let err = outputs(
            std::slice::from_ref(&input),
            &[out(&missing, OutputKind::File)],
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("does not exist"), "{err:#}");
        let err = outputs(&[], &[out(dir.path(), OutputKind::File)]).unwrap_err();
        assert!(format!("{err:#}").contains("it is a folder"), "{err:#}");
        let err = outputs(&[], &[out(&input, OutputKind::Folder)]).unwrap_err();
        assert!(format!("{err:#}").contains("not a folder"), "{err:#}");
        let fine = dir.path().join("report/deeper");
        outputs(
            std::slice::from_ref(&input),
            &[out(&fine, OutputKind::Folder)],
        )
        .unwrap();
        assert!(!fine.exists(), "the check creates nothing");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
