//! What every run must satisfy, whatever its input: exit 0 or 2 (and 1 for `check`, a failed
//! gate), never a signal or the timeout, no panic, and on exit 2 a first line `error: ...` that
//! names the input file. Two promises about meaning too: `check --baseline` with a mutated
//! baseline must not pass while comparing nothing, and what `calibrate` writes when it exits 0
//! (it found something usable) is a scenario that runs.

use crate::corpus::Case;
use crate::exec::{Finished, Outcome, signal_name};
use crate::mutate;

/// A broken promise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// A short name for folder names: `timeout`, `sigabrt`, `panic`, `exit-101`, ...
    pub slug: String,
    /// What groups failures of one kind in the summary: the command, the kind, and a normalized
    /// message (numbers and the input's name replaced), or the field mutated for a hang or crash.
    pub signature: String,
}

/// Judges one finished run of `case`. `None`: every promise held.
pub fn judge(case: &Case, done: &Finished) -> Option<Failure> {
    let stderr = String::from_utf8_lossy(&done.stderr);
    let first = stderr.lines().next().unwrap_or("");
    let cmd = case.command;
    // What was mutated, for a hang or a crash without a backtrace: every field touched.
    let mut touched: Vec<String> = case
        .mutations
        .iter()
        .map(|m| match &m.field {
            Some(f) => format!("{} in {f}", m.op.name()),
            None => m.op.name().to_string(),
        })
        .collect();
    touched.sort();
    touched.dedup();
    let mutated = format!("mutated: {}", touched.join(", "));
    let fail = |slug: &str, signature: String| {
        Some(Failure {
            slug: slug.to_string(),
            signature: format!("{cmd}: {signature}"),
        })
    };
    match done.outcome {
        Outcome::TimedOut => return fail("timeout", format!("timeout ({mutated})")),
        Outcome::Signaled(sig) => {
            let oom = stderr.contains("memory allocation of");
            let what = if oom { " (out of memory)" } else { "" };
            let place = first_own_frame(&stderr).unwrap_or(mutated);
            return fail(
                &signal_name(sig).to_ascii_lowercase(),
                format!("killed by {}{what} in {place}", signal_name(sig)),
            );
        }
        Outcome::Exited(_) => {}
    }
    if let Some(at) = stderr.find("panicked") {
        // `panicked at sim/src/x.rs:12:5:` and the message on the next line.
        let line = stderr[at..].lines().next().unwrap_or("");
        let next = stderr[at..].lines().nth(1).unwrap_or("");
        return fail("panic", format!("{line} {}", normalize(next, case)));
    }
    let Outcome::Exited(code) = done.outcome else {
        unreachable!("signals and timeouts returned above")
    };
    let stdout = String::from_utf8_lossy(&done.stdout);
    match code {
        0 if case.expect_comparison && stdout.contains("(0 metrics compared)") => fail(
            "compared-nothing",
            "exit 0 with a baseline that compared 0 metrics (a baseline without the scenario passes)".to_string(),
        ),
        0 => done.then.as_deref().and_then(|then| read_back(case, then)),
        1 if case.allow_exit_1 => None,
        2 if !first.starts_with("error:") => fail(
            "unlabelled",
            format!(
                "exit 2, first line not `error:`: {}",
                normalize(first, case)
            ),
        ),
        2 if !case.names.iter().any(|n| stderr.contains(n.as_str())) => fail(
            "unnamed",
            format!("exit 2 not naming the input: {}", normalize(first, case)),
        ),
        2 => None,
        c => fail(
            &format!("exit-{c}"),
            format!("exit {c}: {}", normalize(first, case)),
        ),
    }
}

/// Judges the [read-back](Case::read_back) of a command that exited 0: it must exit 0 as well.
fn read_back(case: &Case, then: &Finished) -> Option<Failure> {
    let stderr = String::from_utf8_lossy(&then.stderr);
    let what = match then.outcome {
        Outcome::Exited(0) => return None,
        Outcome::Exited(_) if stderr.contains("panicked") => {
            let at = stderr.find("panicked").expect("just found");
            let line = stderr[at..].lines().next().unwrap_or("");
            let next = stderr[at..].lines().nth(1).unwrap_or("");
            format!("{line} {}", normalize(next, case))
        }
        Outcome::Exited(c) => format!(
            "exit {c}: {}",
            normalize(stderr.lines().next().unwrap_or(""), case)
        ),
        other => other.to_string(),
    };
    Some(Failure {
        slug: "unusable-output".to_string(),
        signature: format!(
            "{}: exit 0, but `{}` of what it wrote failed: {what}",
            case.command,
            case.read_back.first().map_or("", String::as_str)
        ),
    })
}

/// The first frame of a backtrace (the child runs with RUST_BACKTRACE=1) that is dialsim's own
/// code, not the standard library's or a dependency's: `load_list (sim/src/model.rs:314:18)`.
fn first_own_frame(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).find_map(|w| {
        let (frame, at) = (w[0].trim(), w[1].trim());
        let path = at.strip_prefix("at ")?;
        let function = frame.split_once(": ")?.1;
        let foreign = [
            "/rustc/",
            "/.cargo/registry/",
            "/library/std/",
            "/library/core/",
            "/library/alloc/",
        ];
        if foreign.iter().any(|f| path.contains(f)) || !frame.contains(": ") {
            return None;
        }
        let tail: Vec<&str> = path.rsplit('/').take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Some(format!("{function} ({})", tail.join("/")))
    })
}

/// A message with the input's names and output folder, quoted values and numbers (`12`, `-0.5`, `1e12`, `inf`,
/// `NaN`) replaced, cut to 140 characters, so that the same mistake on different inputs groups
/// together.
fn normalize(line: &str, case: &Case) -> String {
    let mut s = line.to_string();
    let scratch = case.scratch.display().to_string();
    if !scratch.is_empty() {
        s = s.replace(&scratch, "OUT");
    }
    for n in &case.names {
        s = s.replace(n.as_str(), "FILE");
    }
    let bytes = s.as_bytes();
    // Byte by byte: a token may be one byte of a character that is not ASCII.
    let mut kept: Vec<u8> = Vec::with_capacity(bytes.len());
    for t in mutate::tokenize(bytes) {
        let text = &bytes[t.start..t.end];
        match t.kind {
            mutate::Kind::Number => kept.push(b'#'),
            mutate::Kind::Ident if [&b"inf"[..], b"NaN", b"infinity"].contains(&text) => {
                kept.push(b'#')
            }
            // A quoted value (a field path, a strategy's name) is the input's, not the message's.
            mutate::Kind::Str => kept.extend_from_slice("\"…\"".as_bytes()),
            _ => kept.extend_from_slice(text),
        }
    }
    let mut out = String::from_utf8_lossy(&kept).into_owned();
    if out.chars().count() > 140 {
        out = out.chars().take(140).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    fn case(command: &'static str) -> Case {
        Case {
            iteration: 7,
            command,
            args: vec![],
            files: vec![],
            companions: vec![],
            names: vec!["m7-seed-sample.ron".into()],
            allow_exit_1: command == "check",
            expect_comparison: false,
            seed: PathBuf::from("scenarios/seed-sample.ron"),
            mutations: vec![],
            scratch: PathBuf::from("out/m7"),
            read_back: vec![],
        }
    }

    fn done(outcome: Outcome, stderr: &str) -> Finished {
        Finished {
            outcome,
            stdout: vec![],
            stderr: stderr.as_bytes().to_vec(),
            elapsed: Duration::ZERO,
            then: None,
        }
    }

    #[test]
    fn clean_exits_pass_and_broken_promises_fail() {
        let ok = "error: scenarios/m7-seed-sample.ron:3:5: Expected comma\n";
        assert_eq!(judge(&case("run"), &done(Outcome::Exited(2), ok)), None);
        assert_eq!(judge(&case("run"), &done(Outcome::Exited(0), "")), None);
        assert_eq!(judge(&case("check"), &done(Outcome::Exited(1), "")), None);
        let slug = |c: &'static str, o, e: &str| judge(&case(c), &done(o, e)).map(|f| f.slug);
        assert_eq!(
            slug("run", Outcome::Exited(1), "").as_deref(),
            Some("exit-1")
        );
        assert_eq!(
            slug("run", Outcome::TimedOut, "").as_deref(),
            Some("timeout")
        );
        assert_eq!(
            slug("run", Outcome::Signaled(libc::SIGABRT), "").as_deref(),
            Some("sigabrt")
        );
        assert_eq!(
            slug("run", Outcome::Exited(2), "error: horizon_h is 800 h\n").as_deref(),
            Some("unnamed")
        );
        assert_eq!(
            slug(
                "run",
                Outcome::Exited(2),
                "warning: x\nerror: m7-seed-sample.ron\n"
            )
            .as_deref(),
            Some("unlabelled")
        );
        let panic = "thread 'main' panicked at sim/src/x.rs:12:5:\nattempt to add with overflow\n";
        assert_eq!(
            slug("report", Outcome::Exited(101), panic).as_deref(),
            Some("panic")
        );
    }

    /// `calibrate`: exit 0 with a scenario that runs, or exit 2 naming the records; a panic, an
    /// exit 101 or a scenario that does not run is a failure.
    #[test]
    fn calibrate_must_exit_0_with_a_scenario_that_runs_or_2_naming_the_records() {
        let mut c = case("calibrate");
        c.names = vec!["m7-records.jsonl".into()];
        c.read_back = ["run", "out/m7/calibrated.ron", "--replications", "1", "-q"]
            .map(String::from)
            .to_vec();
        let then = |outcome, stderr: &str| {
            let mut d = done(Outcome::Exited(0), "");
            d.then = Some(Box::new(done(outcome, stderr)));
            d
        };
        assert_eq!(judge(&c, &then(Outcome::Exited(0), "")), None);
        let none = "error: gen/m7-records.jsonl: none of the 12 records is a usable contact of the campaign\n";
        assert_eq!(judge(&c, &done(Outcome::Exited(2), none)), None);
        let slug = |d: &Finished| judge(&c, d).map(|f| f.slug);
        assert_eq!(
            slug(&done(Outcome::Exited(2), "error: no contact is usable\n")).as_deref(),
            Some("unnamed")
        );
        let panic = "thread 'main' panicked at fitting/src/survival.rs:9:5:\nindex out of bounds\n";
        assert_eq!(
            slug(&done(Outcome::Exited(101), panic)).as_deref(),
            Some("panic")
        );
        assert_eq!(
            slug(&done(Outcome::Exited(101), "")).as_deref(),
            Some("exit-101")
        );
        let unreadable = "error: out/m7/calibrated.ron: ring_timeout_s 0 is out of range\n";
        let f = judge(&c, &then(Outcome::Exited(2), unreadable)).unwrap();
        assert_eq!(f.slug, "unusable-output");
        assert_eq!(
            f.signature,
            "calibrate: exit 0, but `run` of what it wrote failed: exit 2: error: OUT/calibrated.ron: ring_timeout_s # is out of range"
        );
        assert_eq!(
            slug(&then(Outcome::TimedOut, "")).as_deref(),
            Some("unusable-output")
        );
    }

    #[test]
    fn a_crash_is_placed_at_the_first_frame_of_dialsims_own_code() {
        let stderr = "memory allocation of 8589934592 bytes failed\nstack backtrace:\n   \
            4: alloc::raw_vec::handle_error\n             at /rustc/abc/library/alloc/src/raw_vec/mod.rs:888:38\n   \
            13: load_list\n             at /home/ci/dialsim/sim/src/model.rs:314:18\n   \
            14: compile\n             at /home/ci/dialsim/sim/src/model.rs:111:39\n";
        let f = judge(
            &case("run"),
            &done(Outcome::Signaled(libc::SIGABRT), stderr),
        )
        .unwrap();
        assert_eq!(
            f.signature,
            "run: killed by SIGABRT (out of memory) in load_list (sim/src/model.rs:314:18)"
        );
    }

    /// Two messages that differ only in numbers and the mutant's name are one kind.
    #[test]
    fn signatures_ignore_numbers_and_the_mutants_name() {
        let a = judge(
            &case("run"),
            &done(
                Outcome::Exited(2),
                "error: replications 4294967295 too many\n",
            ),
        );
        let mut other = case("run");
        other.names = vec!["m99-small-team.ron".into()];
        let b = judge(
            &other,
            &done(Outcome::Exited(2), "error: replications 12 too many\n"),
        );
        assert_eq!(a.unwrap().signature, b.unwrap().signature);
        let range = |r: &str| {
            let e = format!("error: axis 2 (\"{r}\"): range(from: {r}) is empty\n");
            judge(&case("sweep"), &done(Outcome::Exited(2), &e))
                .unwrap()
                .signature
        };
        assert_eq!(range("1.5, to: -2"), range("inf, to: 1e12"));
        let e = "error: occupancy 55.7% — lower bound ≥ 50%\n";
        let f = judge(&case("run"), &done(Outcome::Exited(2), e)).unwrap();
        assert_eq!(
            f.signature,
            "run: exit 2 not naming the input: error: occupancy #% — lower bound ≥ #%"
        );
        assert_eq!(
            range("1.5, to: -2"),
            "sweep: exit 2 not naming the input: error: axis # (\"…\"): range(from: #, to: #) is empty"
        );
    }
}
