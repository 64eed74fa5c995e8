//! A campaign on IANA time zones across a change of clocks, with an hour-of-day outcome mix,
//! through every command that runs scenarios: `run`, `compare`, `frontier`, `check` and
//! `sweep` each take it, and `check`'s compliance gates hold (no call outside the window on the
//! clock of its day).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dialsim(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dialsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("dialsim runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "dialsim {args:?}: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The bundled week, shortened to three days across the change (Saturday to Monday) with an
/// evening mix, a few replications and compliance gates.
fn week(dir: &Path) {
    let text = std::fs::read_to_string(root().join("scenarios/daylight-saving-week.ron"))
        .expect("bundled scenario");
    let edits = [
        ("start_date: \"2026-03-05\",", "start_date: \"2026-03-07\","),
        ("horizon_h: Some(120.0),", "horizon_h: Some(64.0),"),
        ("replications: 10,", "replications: 3,"),
        ("size: 18000,", "size: 8000,"),
        (
            "failed_after: Fixed(s: 1.5),",
            "failed_after: Fixed(s: 1.5),\n        by_local_hour: [(from: \"17:00\", to: \"20:00\", human: 0.45, machine: 0.2, busy: 0.05, no_answer: 0.25, failed: 0.05)],",
        ),
        (
            "            (start_h: 48.0, end_h: 64.0, agents: 5),\n            (start_h: 71.0, end_h: 87.0, agents: 5),\n            (start_h: 95.0, end_h: 111.0, agents: 5),",
            "            (start_h: 47.0, end_h: 63.0, agents: 5),",
        ),
        (
            "            (start_h: 24.0, end_h: 40.0, agents: 5),",
            "            (start_h: 23.0, end_h: 39.0, agents: 5),",
        ),
    ];
    let mut edited = text.clone();
    for (from, to) in edits {
        assert!(edited.contains(from), "the bundled week writes {from}");
        edited = edited.replacen(from, to, 1);
    }
    let last = edited.rfind(')').expect("the scenario's end");
    edited.insert_str(
        last,
        "    gates: [\n        Zero(counter: CallsOutsideWindow),\n        Zero(counter: ShortRings),\n        Zero(counter: CallsToDoNotCall),\n        AbandonRate(max: 0.05),\n    ],\n",
    );
    std::fs::write(dir.join("week.ron"), edited).unwrap();
    std::fs::write(
        dir.join("sweep.ron"),
        "Sweep(scenario: \"week.ron\", replications: Some(2), axes: [(field: \"dial.ring_timeout_s\", values: [20, 30])])",
    )
    .unwrap();
}

#[test]
fn every_command_takes_a_campaign_across_a_change_of_clocks() {
    let dir = tempfile::tempdir().unwrap();
    week(dir.path());
    let run = dialsim(
        dir.path(),
        &["run", "week.ron", "--json", "week.json", "-q"],
    );
    assert!(run.contains("regulatory abandon rate"), "{run}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("week.json")).unwrap())
            .unwrap();
    // The clock the charts use is the zones' at the start (Saturday: standard time).
    let zones = &results["clock"]["zones"];
    assert_eq!(zones[0]["utc_offset_h"], -5.0, "{zones}");
    dialsim(dir.path(), &["compare", "week.ron", "--replications", "2"]);
    dialsim(
        dir.path(),
        &[
            "frontier",
            "week.ron",
            "--target-abandon",
            "0.03",
            "--replications",
            "2",
        ],
    );
    let check = dialsim(dir.path(), &["check", "week.ron"]);
    assert!(check.contains("gates hold"), "{check}");
    dialsim(dir.path(), &["sweep", "sweep.ron", "--out", "sweep.json"]);
    assert!(dir.path().join("sweep.json").is_file());
}
