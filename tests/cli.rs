//! End-to-end runs of the `dialsim` binary: the commands the README promises, the results file's
//! shape and reproducibility, and exit code 2 with a located message for bad input.

mod common;

use common::{SEED_SAMPLE, arg, dialsim, scenario_with, scratch_dir, success, text};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    scratch_dir("cli").join(name)
}

fn bundled() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/validation", "scenarios/records"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&dir).expect("scenarios folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ron") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn run_prints_a_table_for_every_bundled_scenario() {
    let files = bundled();
    assert!(files.len() >= 6, "bundled scenarios: {files:?}");
    for file in files {
        let stdout = success(&["run", arg(&file), "--replications", "2", "-q"]);
        for row in [
            "queue abandon rate %",
            "agent occupancy %",
            " -1 never reached",
        ] {
            assert!(
                stdout.contains(row),
                "{}: no row {row:?} in\n{stdout}",
                file.display()
            );
        }
    }
}

#[test]
fn json_has_the_documented_shape() {
    let json = scratch("shape.json");
    success(&[
        "run",
        SEED_SAMPLE,
        "--json",
        arg(&json),
        "--replications",
        "5",
        "--seed",
        "7",
        "-q",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["scenario"], "seed-sample");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["replications"], 5);
    let strategies = v["strategies"].as_array().expect("strategies");
    assert_eq!(strategies.len(), 2);
    for s in strategies {
        assert!(s["name"].is_string());
        for key in [
            "abandon_rate",
            "abandon_rate_regulatory",
            "occupancy",
            "talk_min_per_agent_hour",
            "wait_p50_s",
            "wait_p90_s",
            "wait_p99_s",
            "dials_per_hour",
            "agent_connects_per_agent_hour",
            "list_exhausted_after_s",
        ] {
            let m = &s["metrics"][key];
            assert!(
                m.get("mean").is_some() && m.get("ci95").is_some(),
                "metric {key}: {m}"
            );
        }
        let mut total = 0.0;
        for code in ["1", "2", "3", "0", "-2", "-1", "abandoned"] {
            let o = &s["outcomes"][code];
            assert!(o["ci95"].is_array(), "outcome {code}: {o}");
            total += o["mean"].as_f64().expect("count");
        }
        assert!(
            (total - 2_000.0).abs() < 1e-9,
            "every customer has one code: {total}"
        );
        assert!(s["series"]["values"]["dials"].is_array());
    }
}

#[test]
fn same_seed_gives_byte_identical_json_whatever_the_threads() {
    let run = |jobs: &str, seed: &str| {
        let json = scratch(&format!("repro-{jobs}-{seed}.json"));
        success(&[
            "run",
            "scenarios/day-100-agents.ron",
            "--json",
            arg(&json),
            "--replications",
            "4",
            "--seed",
            seed,
            "--jobs",
            jobs,
            "-q",
        ]);
        std::fs::read(&json).unwrap()
    };
    let one = run("1", "7");
    assert_eq!(one, run("2", "7"), "results depend on the thread count");
    assert_eq!(one, run("1", "7"), "results are not reproducible");
    assert_ne!(one, run("1", "8"), "the seed changes nothing");
}

/// The sample scenario with one text replaced, written to the scratch folder.
fn bad_scenario(name: &str, from: &str, to: &str) -> PathBuf {
    scenario_with(&scratch_dir("cli"), name, SEED_SAMPLE, &[(from, to)])
}

#[track_caller]
fn assert_bad_input(path: &Path, expect: &str) {
    common::assert_exit_2(&["run", arg(path), "-q"], &[expect]);
}

#[test]
fn bad_input_exits_2_naming_file_and_line() {
    let cases = [
        (
            "malformed.ron",
            "seed: 2018,",
            "seed: 2018",
            ":11:5: Expected comma",
        ),
        (
            "strategy.ron",
            "AsWritten(poll_s: 5.0)",
            "Clairvoyant()",
            ":54:9: Unexpected variant named `Clairvoyant`",
        ),
        (
            "sum.ron",
            "human: 0.35,",
            "human: 0.30,",
            ":25:5: dial outcome probabilities sum to 0.95",
        ),
        (
            "negative.ron",
            "Fixed(s: 30.0)",
            "Fixed(s: -30.0)",
            ":19:35: expected a duration in seconds from 0 s",
        ),
        (
            "zero.ron",
            "ring_timeout_s: 60.0",
            "ring_timeout_s: 0",
            ":22:25: expected a ring timeout from 15 s to 60 s, found 0",
        ),
        (
            "sd.ron",
            "sd_s: 120.0",
            "sd_s: -1.0",
            ":18:46: expected a duration in seconds from above 0 s",
        ),
        (
            "shift.ron",
            "Count(10)",
            "Shifts([(start_h: 5.0, end_h: 1.0, agents: 2)])",
            ":17:63: shift ends at 1 h, not after it starts at 5 h",
        ),
    ];
    for (name, from, to, expect) in cases {
        assert_bad_input(&bad_scenario(name, from, to), &format!("{name}{expect}"));
    }
}

#[test]
fn a_bad_phone_number_names_the_csv_line() {
    let csv = scratch("bad-phone.csv");
    std::fs::write(
        &csv,
        "phone,utc_offset\n+14155550100,-05:00\n415-555-0101,-05:00\n",
    )
    .unwrap();
    let ron = bad_scenario(
        "bad-phone.ron",
        "Generated(size: 2000, time_zones: [(utc_offset_h: 9.0, share: 1.0)])",
        "Csv(path: \"bad-phone.csv\")",
    );
    assert_bad_input(
        &ron,
        "bad-phone.csv:3: phone \"415-555-0101\" is not an E.164 number",
    );
}

#[test]
fn missing_file_and_bad_flags_exit_2() {
    let out = dialsim(&["run", "scenarios/no-such-file.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read scenario scenarios/no-such-file.ron"));
    let out = dialsim(&["run", "scenarios/seed-sample.ron", "--replications", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = dialsim(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A measurement window: a bad bound exits 2 with the file, line and column, the field, its
/// range and the fix; a window opening at the horizon names both hours.
#[test]
fn a_bad_measurement_window_exits_2_naming_the_field() {
    let horizon = "horizon_h: Some(8.0),";
    let with = |m: &str| format!("{horizon}\n    measure: {m},");
    for (name, measure, expect) in [
        (
            "measure-negative.ron",
            "(from_h: -0.5, to_h: 7.0)",
            ":13:23: expected measure.from_h, in hours after the campaign's start, from 0 h to 744 h, found -0.5",
        ),
        (
            "measure-reversed.ron",
            "(from_h: 7.0, to_h: 1.0)",
            ":13:37: measure runs from_h 7 h to to_h 1 h, an empty window",
        ),
        (
            "measure-horizon.ron",
            "(from_h: 8.0)",
            ": measure.from_h is 8 h, not before the horizon (horizon_h 8 h)",
        ),
    ] {
        let path = bad_scenario(name, horizon, &with(measure));
        assert_bad_input(&path, &format!("{name}{expect}"));
    }
}

/// The results file records the window it was measured over, and only a scenario with one has
/// the key; the terminal says what was counted.
#[test]
fn the_results_file_records_the_measurement_window() {
    let run = |name: &str, changes: &[(&str, &str)]| {
        let path = scenario_with(&scratch_dir("cli"), name, SEED_SAMPLE, changes);
        let json = scratch(&format!("{name}.json"));
        let stdout = success(&[
            "run",
            arg(&path),
            "--json",
            arg(&json),
            "--replications",
            "2",
            "-q",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        (stdout, v)
    };
    let (stdout, v) = run("no-window.ron", &[]);
    assert!(v.get("measure").is_none(), "{}", v["measure"]);
    assert!(!stdout.contains("measured"), "{stdout}");
    let horizon = "horizon_h: Some(8.0),";
    let (stdout, v) = run(
        "window.ron",
        &[(
            horizon,
            "horizon_h: Some(8.0),\n    measure: (from_h: 0.25, to_h: 0.5),",
        )],
    );
    assert_eq!(
        v["measure"],
        serde_json::json!({"from_h": 0.25, "to_h": 0.5})
    );
    // After the scenario's settings, before the strategies.
    let text = std::fs::read_to_string(scratch("window.ron.json")).unwrap();
    let at = |key: &str| text.find(&format!("\n  \"{key}\"")).expect(key);
    assert!(at("abandon_cap") < at("measure") && at("measure") < at("strategies"));
    assert!(
        stdout.contains("measured from 0.25 h to 0.5 h after the start: calls dialed in it"),
        "{stdout}"
    );
    let (_, v) = run(
        "window-to-end.ron",
        &[(
            horizon,
            "horizon_h: Some(8.0),\n    measure: (from_h: 0.25),",
        )],
    );
    assert_eq!(
        v["measure"],
        serde_json::json!({"from_h": 0.25, "to_h": null})
    );
}

/// Output piped into a reader that stops early (`dialsim run … | head -1`) ends the process
/// quietly; it used to panic with "failed printing to stdout: Broken pipe".
#[test]
fn a_closed_output_pipe_ends_quietly_without_a_panic() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dialsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", SEED_SAMPLE, "--replications", "2", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dialsim starts");
    // Read nothing and close the pipe before the table is printed.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr reads");
    let status = child.wait().expect("dialsim ends");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
}
