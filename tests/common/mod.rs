//! Helpers the end-to-end tests share: running the `dialsim` binary, scratch paths, and scenario
//! files with a text replaced. Each test file uses some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The sample scenario most tests start from.
pub const SEED_SAMPLE: &str = "scenarios/seed-sample.ron";

/// Runs the binary from the workspace root, so that paths like `scenarios/...` resolve.
pub fn dialsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dialsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the dialsim binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A path as a command-line argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Runs `args`, asserts that they succeed, and returns standard output.
#[track_caller]
pub fn success(args: &[&str]) -> String {
    let out = dialsim(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Runs `args`, asserts the exit code and that nothing panicked, and returns standard output
/// and standard error.
#[track_caller]
pub fn exits(args: &[&str], code: i32) -> (String, String) {
    let out = dialsim(args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

/// Runs `args`, asserts exit code 2 (bad input) without a panic, and that standard error says
/// each of `expect`.
#[track_caller]
pub fn assert_exit_2(args: &[&str], expect: &[&str]) {
    let (_, stderr) = exits(args, 2);
    for e in expect {
        assert!(stderr.contains(e), "{args:?} should say {e:?}: {stderr}");
    }
}

/// The scratch folder `group` (one per test file, or per test) under Cargo's temporary folder,
/// created if missing.
pub fn scratch_dir(group: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(group);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Removes the file or folder at `path` if there is one.
pub fn remove(path: &Path) {
    if path.is_dir() {
        std::fs::remove_dir_all(path).expect("old scratch folder");
    } else if path.exists() {
        std::fs::remove_file(path).expect("old scratch file");
    }
}

/// A bundled scenario with texts replaced (each must occur), written to `dir/name`.
pub fn scenario_with(dir: &Path, name: &str, from: &str, changes: &[(&str, &str)]) -> PathBuf {
    let mut body = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(from))
        .expect("a bundled scenario");
    for (a, b) in changes {
        assert!(body.contains(a), "{a:?} not in {from}");
        body = body.replacen(a, b, 1);
    }
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// Runs `dialsim args` in `dir` and waits at most `seconds`: a regression that spins fails there
/// (the process is killed) instead of hanging the suite. Returns the exit code and standard
/// error, after checking that nothing panicked.
#[track_caller]
pub fn within(seconds: u64, args: &[&str], dir: &Path) -> (Option<i32>, String) {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialsim"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dialsim binary runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for dialsim") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(seconds) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not finish within {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().expect("piped"), &mut stderr)
        .expect("stderr is text");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (status.code(), stderr)
}
