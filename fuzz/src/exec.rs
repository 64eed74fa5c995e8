//! Running one `dialsim` child: in its own process group, with an address-space limit set before
//! `exec` and a wall-clock timeout after which the whole group is killed.

use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a child may use.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub timeout: Duration,
    /// RLIMIT_AS, in bytes.
    pub memory: u64,
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    Signaled(i32),
    /// Still running at the timeout, and killed.
    TimedOut,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Exited(c) => write!(f, "exit {c}"),
            Outcome::Signaled(s) => write!(f, "signal {} ({})", s, signal_name(*s)),
            Outcome::TimedOut => write!(f, "timeout"),
        }
    }
}

pub fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGPIPE => "SIGPIPE",
        _ => "other",
    }
}

/// A finished child.
#[derive(Debug)]
pub struct Finished {
    pub outcome: Outcome,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
    /// The read-back run after an exit 0, when the case has one
    /// ([`Case::read_back`](crate::corpus::Case::read_back)).
    pub then: Option<Box<Finished>>,
}

/// Runs `binary args` in `cwd` with `RAYON_NUM_THREADS=1` and `RUST_BACKTRACE=1`, standard output and error going to
/// `capture.out` and `capture.err` (files, so a chatty child never blocks on a full pipe), and
/// waits for it at most `limits.timeout`.
pub fn run(
    binary: &Path,
    cwd: &Path,
    args: &[String],
    limits: Limits,
    capture: &Path,
) -> std::io::Result<Finished> {
    let out_path = capture.with_extension("out");
    let err_path = capture.with_extension("err");
    let mut cmd = Command::new(binary);
    cmd.args(args)
        .current_dir(cwd)
        .env("RAYON_NUM_THREADS", "1")
        // A crash's backtrace names the place in dialsim's code: what the triage groups by.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .process_group(0);
    let memory = limits.memory;
    // SAFETY: the closure runs in the forked child before exec and only calls setrlimit and
    // prctl, which are async-signal-safe; it allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: memory as libc::rlim_t,
                rlim_max: memory as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Its own process group keeps a Ctrl-C at the terminal from reaching the child, so
            // tie it to the fuzzer instead: if the fuzzer dies, a hung child dies with it.
            #[cfg(target_os = "linux")]
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let mut pause = Duration::from_micros(200);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() >= limits.timeout {
            // The child leads its own group (process_group(0)): kill the group, by its id.
            let pgid = child.id() as libc::pid_t;
            // SAFETY: kill has no memory-safety preconditions.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            child.wait()?;
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let outcome = match status {
        None => Outcome::TimedOut,
        Some(s) => match (s.code(), s.signal()) {
            (Some(c), _) => Outcome::Exited(c),
            (None, Some(sig)) => Outcome::Signaled(sig),
            (None, None) => Outcome::Signaled(0),
        },
    };
    let stdout = read_head(&out_path, 8 << 20);
    let stderr = read_head(&err_path, 256 << 10);
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    Ok(Finished {
        outcome,
        stdout,
        stderr,
        elapsed,
        then: None,
    })
}

/// The first `max` bytes of a file (a runaway child may have written gigabytes).
fn read_head(path: &Path, max: u64) -> Vec<u8> {
    use std::io::Read;
    let mut buf = Vec::new();
    if let Ok(f) = File::open(path) {
        let _ = f.take(max).read_to_end(&mut buf);
    }
    buf
}
