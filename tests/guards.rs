//! Checks made before a run starts, end to end through the binary: outputs that would destroy an
//! input or cannot be written, runs that would not fit in memory, numbers on the command line.

mod common;

use common::{SEED_SAMPLE, arg, exits, scratch_dir, text};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    scratch_dir("guards").join(name)
}

/// `run s.ron --json s.ron` overwrote the scenario with the results.
#[test]
fn an_output_that_is_the_input_is_refused_before_the_run() {
    let copy = scratch("own.ron");
    std::fs::copy(SEED_SAMPLE, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    for flag in ["--json", "--report"] {
        let (_, stderr) = exits(&["run", arg(&copy), flag, arg(&copy), "-q"], 2);
        assert!(
            stderr.starts_with("error: ") && stderr.contains("is the input file"),
            "{stderr}"
        );
        assert!(stderr.contains("own.ron"), "{stderr}");
    }
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the scenario is untouched"
    );
    // The CSV list a scenario reads is an input too.
    let (_, stderr) = exits(
        &[
            "run",
            "scenarios/csv-list.ron",
            "--json",
            "scenarios/customers-sample.csv",
            "-q",
        ],
        2,
    );
    assert!(stderr.contains("customers-sample.csv"), "{stderr}");
}

/// An output path that could not be written was found only after the whole simulation.
#[test]
fn an_unwritable_output_is_refused_before_the_run() {
    let missing = scratch("no/such/folder/out.json");
    let (_, stderr) = exits(&["run", SEED_SAMPLE, "--json", arg(&missing), "-q"], 2);
    assert!(
        stderr.contains("does not exist: create it first"),
        "{stderr}"
    );
    assert!(
        !missing.parent().unwrap().exists(),
        "the check creates nothing"
    );
    let folder = scratch("a-folder");
    std::fs::create_dir_all(&folder).unwrap();
    let (_, stderr) = exits(&["run", SEED_SAMPLE, "--json", arg(&folder), "-q"], 2);
    assert!(stderr.contains("it is a folder"), "{stderr}");
}

/// `--seed -1` was answered with clap's tip `use '-- -1'`, which does not work there.
#[test]
fn a_negative_seed_gets_a_message_that_works() {
    let (_, stderr) = exits(&["run", SEED_SAMPLE, "--seed", "-1", "-q"], 2);
    assert!(stderr.contains("seeds are not negative"), "{stderr}");
    assert!(!stderr.contains("-- -1"), "{stderr}");
}

/// `--replications 4294967295` (the flag's own maximum) reserved terabytes before the first
/// replication and died with exit 134.
#[test]
fn replications_beyond_the_limit_are_refused() {
    let (_, stderr) = exits(
        &["run", SEED_SAMPLE, "--replications", "4294967295", "-q"],
        2,
    );
    assert!(stderr.contains("from 1 to 100000"), "{stderr}");
}

/// A run that cannot fit in the memory the process may use is refused with the estimate and the
/// limit, rather than dying with "memory allocation failed" (exit 134) hours in.
#[test]
fn a_run_that_would_not_fit_in_memory_is_refused_with_the_estimate() {
    let limit: u64 = 1 << 30; // 1 GiB of address space for the child
    let mut command = Command::new(env!("CARGO_BIN_EXE_dialsim"));
    command
        .args([
            "run",
            SEED_SAMPLE,
            "--replications",
            "20000",
            "--jobs",
            "1",
            "-q",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        command.pre_exec(move || {
            let rl = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &rl) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().expect("dialsim runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: scenarios/seed-sample.ron: this run needs about")
            && stderr.contains("20000 replications × 2 strategies")
            && stderr.contains("--replications"),
        "{stderr}"
    );
}

/// `dialsim run /dev/zero` (a wrong path to a device) read for ever; every file dialsim reads is
/// now read with a bound on its size.
#[test]
fn an_endless_input_is_refused_at_its_size_limit() {
    for args in [
        vec!["run", "/dev/zero", "-q"],
        vec!["sweep", "/dev/zero", "-q"],
        vec!["check", "/dev/zero", "-q"],
    ] {
        let (_, stderr) = exits(&args, 2);
        assert!(
            stderr.starts_with("error: ")
                && stderr.contains("/dev/zero")
                && stderr.contains("larger than 64 MiB"),
            "{args:?}: {stderr}"
        );
    }
}

/// Found from outside: `check --junit` and `--write-baseline` could overwrite the scenario or the
/// baseline, `merge --out` a part, and a report folder the files in it that a run read.
#[test]
fn no_command_writes_over_its_inputs() {
    let dir = scratch("inputs");
    std::fs::create_dir_all(dir.join("rep")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let scenario = dir.join("rep/results.json");
    std::fs::copy("scenarios/ci/sample-agents-available.ron", &scenario).unwrap();
    let before = std::fs::read(&scenario).unwrap();
    let s = arg(&scenario);
    let junit = dir.join("j.xml");
    for (args, wanted) in [
        (vec!["check", s, "--junit", s, "-q"], "is the input file"),
        (
            vec!["check", s, "--write-baseline", s, "-q"],
            "is the input file",
        ),
        (
            vec![
                "check",
                s,
                "--junit",
                arg(&junit),
                "--write-baseline",
                arg(&junit),
                "-q",
            ],
            "both name",
        ),
        (
            vec!["run", s, "--report", arg(&dir.join("rep")), "-q"],
            "holds the input file",
        ),
        (
            vec!["report", s, "--out", arg(&dir.join("rep"))],
            "holds the input file",
        ),
        (
            vec![
                "run",
                s,
                "--json",
                arg(&dir.join("out/index.html")),
                "--report",
                arg(&dir.join("out")),
                "-q",
            ],
            "is inside the --report folder",
        ),
    ] {
        let (_, stderr) = exits(&args, 2);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(wanted),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(
        std::fs::read(&scenario).unwrap(),
        before,
        "the input is untouched"
    );
}

/// Found from outside: `check DIR` skipped a broken link named `x.ron`, so the gate passed
/// without that scenario.
#[test]
fn check_of_a_folder_fails_on_a_broken_scenario_link() {
    let dir = scratch("broken-link");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(SEED_SAMPLE, dir.join("a.ron")).unwrap();
    let link = dir.join("x.ron");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(dir.join("missing.ron"), &link).unwrap();
    let (_, stderr) = exits(&["check", arg(&dir), "-q"], 2);
    assert!(stderr.contains("x.ron"), "{stderr}");
}
