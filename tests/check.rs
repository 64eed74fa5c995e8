//! End-to-end runs of `dialsim check`: every exit code, the failure line, the JUnit file (parsed
//! as XML, counts checked), the Markdown summary, baselines (the same run passes, noise passes, a
//! real regression fails; a baseline that is empty, damaged or another scenario's exits 2) and bad
//! input (exit 2 naming the file and the line).

mod common;

use common::{arg, exits, scenario_with};
use std::path::{Path, PathBuf};

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = common::scratch_dir("check").join(test);
    common::remove(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

const AS_WRITTEN: &str = "scenarios/ci/expected-failures/as-written.ron";
const SAMPLE_CI: &str = "scenarios/ci/sample-agents-available.ron";

#[test]
fn the_ci_folder_passes_and_skips_its_expected_failures() {
    let dir = scratch("ci-folder");
    let junit = dir.join("junit.xml");
    let (stdout, _) = exits(&["check", "scenarios/ci/", "--junit", arg(&junit), "-q"], 0);
    assert!(
        stdout.contains("ci-sample-agents-available") && stdout.contains("ci-day-100-agents"),
        "{stdout}"
    );
    assert!(!stdout.contains("ci-as-written"), "not recursive: {stdout}");
    // 6 gates × 1 strategy + 7 gates × 6 strategies.
    assert!(
        stdout.contains("check: all 48 gates hold in 2 scenarios"),
        "{stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("the JUnit file is XML");
    assert_eq!(count(&doc, "testsuite"), 2);
    assert_eq!(count(&doc, "testcase"), 48);
    assert_eq!(count(&doc, "failure"), 0);
}

fn count(doc: &roxmltree::Document, tag: &str) -> usize {
    doc.descendants().filter(|n| n.has_tag_name(tag)).count()
}

#[test]
fn as_written_fails_its_gate_with_one_line() {
    let (stdout, _) = exits(&["check", AS_WRITTEN, "-q"], 1);
    let fails: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(fails.len(), 1, "{stdout}");
    let line = fails[0];
    for part in [
        "ci-as-written",
        "as-written.ron",
        "AsWritten(poll 5s)",
        "AbandonRate(max 0.03, Regulatory, Campaign)",
        "abandon_rate_regulatory",
        "upper bound must be below 3%",
    ] {
        assert!(line.contains(part), "{part:?} missing from {line}");
    }
    // The measured value with its interval: "21.753% [21.220, 22.285]" or similar.
    let measured = line
        .split("abandon_rate_regulatory ")
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .and_then(|m| m.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no measured rate in {line}"));
    assert!(measured > 10.0, "{line}");
    assert!(line.contains("% ["), "{line}");
    assert!(
        stdout.contains("check: 1 of 1 gates failed in 1 scenario"),
        "{stdout}"
    );
}

#[test]
fn junit_counts_match_passes_and_failures() {
    let dir = scratch("junit");
    let junit = dir.join("report.xml");
    exits(
        &[
            "check",
            AS_WRITTEN,
            SAMPLE_CI,
            "--junit",
            arg(&junit),
            "--replications",
            "4",
            "-q",
        ],
        1,
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("the JUnit file is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("7"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<_> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(names, ["ci-as-written", "ci-sample-agents-available"]);
    assert_eq!(suites[0].attribute("tests"), Some("1"));
    assert_eq!(suites[0].attribute("failures"), Some("1"));
    assert_eq!(suites[1].attribute("tests"), Some("6"));
    assert_eq!(suites[1].attribute("failures"), Some("0"));
    assert_eq!(count(&doc, "testcase"), 7);
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    let message = failures[0].attribute("message").unwrap();
    assert!(
        message.contains("upper bound must be below 3%"),
        "{message}"
    );
    let case = failures[0].parent().unwrap();
    assert_eq!(
        case.attribute("name"),
        Some("AsWritten(poll 5s): AbandonRate(max 0.03, Regulatory, Campaign)")
    );
    assert_eq!(case.attribute("classname"), Some("ci-as-written"));
}

#[test]
fn markdown_summary_has_a_table_per_scenario() {
    let (stdout, stderr) = exits(
        &[
            "check",
            AS_WRITTEN,
            SAMPLE_CI,
            "--format",
            "markdown",
            "--replications",
            "4",
            "-q",
        ],
        1,
    );
    assert!(stdout.starts_with("## dialsim check ❌\n"), "{stdout}");
    assert!(
        stdout.contains("1 of 7 gates failed in 2 scenarios."),
        "{stdout}"
    );
    assert!(
        stdout.contains("### ci-as-written — `scenarios/ci/expected-failures/as-written.ron`"),
        "{stdout}"
    );
    let header = "| strategy | gate | measured [95% CI] | limit | result |";
    assert_eq!(stdout.matches(header).count(), 2, "{stdout}");
    let fail_row = stdout
        .lines()
        .find(|l| l.starts_with("| AsWritten(poll 5s) | AbandonRate"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        fail_row.contains("| upper < 3% | ❌ **FAIL** |"),
        "{fail_row}"
    );
    let rows = stdout.lines().filter(|l| l.ends_with("✅ pass |")).count();
    assert_eq!(rows, 6, "{stdout}");
    // The plain failure line still reaches the log.
    assert!(stderr.contains("FAIL ci-as-written"), "{stderr}");
    assert!(!stdout.contains("\nFAIL "), "{stdout}");
}

#[test]
fn a_scenario_without_gates_is_reported_not_failed() {
    let dir = scratch("no-gates");
    let junit = dir.join("junit.xml");
    let (stdout, _) = exits(
        &[
            "check",
            "scenarios/frontier-quick.ron",
            "--junit",
            arg(&junit),
            "-q",
        ],
        0,
    );
    assert!(stdout.contains("no gates: nothing to check"), "{stdout}");
    assert!(stdout.contains("check: no gates in 1 scenario"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(count(&doc, "skipped"), 1);
    assert_eq!(count(&doc, "failure"), 0);
}

/// frontier-quick with only FixedRatio(2) and no gates: a quick scenario where raising the ratio
/// raises abandonment.
fn fixed_ratio(dir: &Path, name: &str, strategy: &str) -> PathBuf {
    scenario_with(
        dir,
        name,
        "scenarios/frontier-quick.ron",
        &[(
            "        AgentsAvailable(poll_s: 5.0),\n        AsWritten(poll_s: 5.0),\n        FixedRatio(ratio: 2.0),\n        Predictive(target_abandon: 0.03),\n",
            &format!("        {strategy},\n"),
        )],
    )
}

#[test]
fn baselines_pass_the_same_run_and_noise_and_fail_a_regression() {
    let dir = scratch("baseline");
    let base = dir.join("baseline.json");
    let original = fixed_ratio(&dir, "original.ron", "FixedRatio(ratio: 2.0)");
    exits(
        &[
            "check",
            arg(&original),
            "--write-baseline",
            arg(&base),
            "-q",
        ],
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    assert_eq!(json["format"], "dialsim-baseline/1");
    let entry = &json["scenarios"][0];
    assert_eq!(entry["scenario"], "frontier-quick");
    assert_eq!(entry["replications"], 8);
    assert_eq!(entry["strategies"][0]["kind"], "FixedRatio");
    assert_eq!(
        entry["strategies"][0]["metrics"]["abandon_rate"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );

    // The same scenario: every difference is exactly zero.
    let (stdout, _) = exits(
        &["check", arg(&original), "--baseline", arg(&base), "-q"],
        0,
    );
    assert!(
        stdout.contains("no regression against") && stdout.contains("(8 metrics compared)"),
        "{stdout}"
    );
    assert!(stdout.contains("+0.000 pp [+0.000, +0.000]"), "{stdout}");

    // Pure noise: a poll 1 ms longer moves every dial a little, and some differences are even
    // significant, but none beyond its tolerance.
    let noise = fixed_ratio(&dir, "noise.ron", "FixedRatio(ratio: 2.0, poll_s: 1.001)");
    let (stdout, _) = exits(&["check", arg(&noise), "--baseline", arg(&base), "-q"], 0);
    assert!(stdout.contains("FixedRatio(2, poll 1.001s)"), "{stdout}");
    assert!(
        !stdout.contains("+0.000 min/agent-h [+0.000, +0.000]"),
        "the noise changed nothing: {stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");

    // A real regression: ratio 5 overdials 10 agents and abandons more callers.
    let worse = fixed_ratio(&dir, "worse.ron", "FixedRatio(ratio: 5.0)");
    let junit = dir.join("junit.xml");
    let (stdout, _) = exits(
        &[
            "check",
            arg(&worse),
            "--baseline",
            arg(&base),
            "--junit",
            arg(&junit),
            "-q",
        ],
        1,
    );
    let fails: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    let abandon = fails
        .iter()
        .find(|l| l.contains("baseline: abandon_rate_regulatory +"))
        .unwrap_or_else(|| panic!("no regulatory abandon regression in {stdout}"));
    assert!(
        abandon.contains("FixedRatio(5, poll 1s)")
            && abandon.contains("higher is worse; tolerance 0.200 pp")
            && abandon.contains("the interval excludes 0"),
        "{abandon}"
    );
    assert!(stdout.contains("metrics regressed against"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // One per compared metric, and the scenario's "no gates".
    assert_eq!(count(&doc, "testcase"), 9);
    assert_eq!(count(&doc, "skipped"), 1);
    assert_eq!(count(&doc, "failure"), fails.len());
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .all(|n| n.attribute("type") == Some("baseline regression"))
    );
}

#[test]
fn baseline_problems_exit_2_with_the_fix() {
    let dir = scratch("baseline-errors");
    let scenario = fixed_ratio(&dir, "s.ron", "FixedRatio(ratio: 2.0)");
    let missing = dir.join("no-such-baseline.json");
    let (_, stderr) = exits(&["check", arg(&scenario), "--baseline", arg(&missing)], 2);
    assert!(
        stderr.contains("cannot read baseline") && stderr.contains("no-such-baseline.json"),
        "{stderr}"
    );

    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"format\": \"dialsim-baseline/1\",\n  \"scenarios\": [,]\n}\n",
    )
    .unwrap();
    let (_, stderr) = exits(&["check", arg(&scenario), "--baseline", arg(&broken)], 2);
    assert!(stderr.contains("broken.json:3:"), "{stderr}");

    let results = dir.join("results.json");
    std::fs::write(&results, "{\"format\": \"dialsim-results/1\"}").unwrap();
    let (_, stderr) = exits(&["check", arg(&scenario), "--baseline", arg(&results)], 2);
    assert!(
        stderr.contains("results.json") && stderr.contains("not \"dialsim-baseline/1\""),
        "{stderr}"
    );

    let base = dir.join("baseline.json");
    exits(
        &[
            "check",
            arg(&scenario),
            "--write-baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        0,
    );
    // Another replication count, then another seed: not paired, so not comparable.
    let (_, stderr) = exits(&["check", arg(&scenario), "--baseline", arg(&base)], 2);
    assert!(
        stderr.contains("seed 11 and 3 replications")
            && stderr.contains("seed 11 and 8 replications")
            && stderr.contains("--seed 11 --replications 3")
            && stderr.contains("--write-baseline"),
        "{stderr}"
    );
    let (_, stderr) = exits(
        &[
            "check",
            arg(&scenario),
            "--baseline",
            arg(&base),
            "--replications",
            "3",
            "--seed",
            "5",
        ],
        2,
    );
    assert!(stderr.contains("seed 5 and 3 replications"), "{stderr}");
}

// What broke: `check --baseline` of a scenario the baseline does not hold (a baseline written
// for another scenario) exited 0 with "0 metrics compared": a gate that passed on the wrong file.
#[test]
fn a_baseline_for_another_scenario_exits_2() {
    let dir = scratch("baseline-other-scenario");
    let base = dir.join("baseline.json");
    let scenario = fixed_ratio(&dir, "s.ron", "FixedRatio(ratio: 2.0)");
    exits(
        &[
            "check",
            arg(&scenario),
            "--write-baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        0,
    );
    let other = scenario_with(
        &dir,
        "other.ron",
        "scenarios/ci/sample-agents-available.ron",
        &[],
    );
    let (stdout, stderr) = exits(
        &[
            "check",
            arg(&other),
            "--baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        2,
    );
    assert!(
        stderr.contains(&format!(
            "error: {}: scenario \"ci-sample-agents-available\" is not in the baseline, which \
             holds \"frontier-quick\"",
            base.display()
        )) && stderr.contains("--write-baseline"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "refused before running: {stdout}");
    // The same when it is one of several scenarios checked.
    let (_, stderr) = exits(
        &[
            "check",
            arg(&scenario),
            arg(&other),
            "--baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        2,
    );
    assert!(
        stderr.contains("scenario \"ci-sample-agents-available\" is not in the baseline"),
        "{stderr}"
    );
}

// What broke: a strategy the baseline does not hold was left out of the comparison with a note,
// and the check passed without judging it.
#[test]
fn a_strategy_missing_from_the_baseline_exits_2() {
    let dir = scratch("baseline-missing-strategy");
    let base = dir.join("baseline.json");
    let one = fixed_ratio(&dir, "one.ron", "FixedRatio(ratio: 2.0)");
    exits(
        &[
            "check",
            arg(&one),
            "--write-baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        0,
    );
    let two = fixed_ratio(
        &dir,
        "two.ron",
        "FixedRatio(ratio: 2.0),\n        Progressive()",
    );
    let (stdout, stderr) = exits(
        &[
            "check",
            arg(&two),
            "--baseline",
            arg(&base),
            "--replications",
            "3",
            "-q",
        ],
        2,
    );
    assert!(
        stderr.contains(&format!(
            "error: {}: scenario \"frontier-quick\": Progressive(poll 1s) (its first \
             Progressive) is not in the baseline, which holds \"FixedRatio(2, poll 1s)\" for \
             this scenario",
            base.display()
        )) && stderr.contains("--write-baseline"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "refused before running: {stdout}");
}

// What broke: an empty baseline (no scenario, a scenario without strategies, a strategy without
// metrics) passed every check with "0 metrics compared".
#[test]
fn an_empty_baseline_exits_2() {
    let dir = scratch("baseline-empty");
    let scenario = fixed_ratio(&dir, "s.ron", "FixedRatio(ratio: 2.0)");
    let cases = [
        (
            "no-scenarios.json",
            r#"{"format": "dialsim-baseline/1", "scenarios": []}"#,
            "scenarios is empty, but a baseline holds at least one scenario",
        ),
        (
            "no-strategies.json",
            r#"{"format": "dialsim-baseline/1", "scenarios": [
                {"scenario": "frontier-quick", "seed": 11, "replications": 8, "strategies": []}]}"#,
            "scenarios[0].strategies is empty, but every scenario has at least one strategy",
        ),
        (
            "no-metrics.json",
            r#"{"format": "dialsim-baseline/1", "scenarios": [
                {"scenario": "frontier-quick", "seed": 11, "replications": 8, "strategies": [
                    {"kind": "FixedRatio", "rank": 1, "name": "FixedRatio(2, poll 1s)", "metrics": {}}]}]}"#,
            "scenarios[0].strategies[0].metrics lacks \"abandon_rate\": every compared metric \
             must be there",
        ),
    ];
    for (name, text, expect) in cases {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let (stdout, stderr) = exits(&["check", arg(&scenario), "--baseline", arg(&file)], 2);
        let want = format!("error: {}: {expect}", file.display());
        assert!(
            stderr.starts_with(&want) && stderr.contains("re-write the baseline"),
            "want {want:?}\n got {stderr}"
        );
        assert!(stdout.is_empty(), "{stdout}");
    }
}

// What broke: `--write-baseline` wrote a baseline nothing could regress against (one replication:
// no difference has an interval), and every later check against it passed.
#[test]
fn write_baseline_of_nothing_exits_2() {
    let dir = scratch("baseline-nothing");
    let base = dir.join("baseline.json");
    let scenario = fixed_ratio(&dir, "s.ron", "FixedRatio(ratio: 2.0)");
    let (_, stderr) = exits(
        &[
            "check",
            arg(&scenario),
            "--write-baseline",
            arg(&base),
            "--replications",
            "1",
            "-q",
        ],
        2,
    );
    assert!(
        stderr.contains(&format!("error: {}: not written: ", base.display()))
            && stderr.contains("nothing could ever regress against this baseline")
            && stderr.contains("2 replications or more"),
        "{stderr}"
    );
    assert!(!base.exists(), "an empty baseline was written");
}

#[test]
fn bad_gates_exit_2_naming_the_file_and_line() {
    let dir = scratch("bad-gates");
    // The gate sits on line 45 of as-written.ron.
    let cases = [
        (
            "AbandonRat(max: 0.03)",
            ":55:9: Unexpected variant named `AbandonRat` in enum `Gate`",
        ),
        (
            "Zero(counter: ShortRing)",
            ":55:23: Unexpected variant named `ShortRing` in enum `Counter`",
        ),
        (
            "AbandonRate(max: 1.5)",
            ":55:26: expected a share strictly between 0 and 1, found 1.5",
        ),
        (
            "Occupancy(min: -0.1)",
            ":55:24: expected a probability between 0 and 1, found -0.1",
        ),
        (
            "WaitP90(max_s: 0.0)",
            ":55:24: expected a number greater than zero, found 0",
        ),
        (
            "AbandonRate(max: 0.03, window: Worst7d)",
            ":55:40: Unexpected variant named `Worst7d` in enum `Window`",
        ),
    ];
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(AS_WRITTEN)).unwrap();
    assert_eq!(
        text.lines().nth(54).map(str::trim),
        Some("AbandonRate(max: 0.03),"),
        "the gate moved: update the line numbers"
    );
    for (i, (gate, expect)) in cases.iter().enumerate() {
        let bad = scenario_with(
            &dir,
            &format!("bad-{i}.ron"),
            AS_WRITTEN,
            &[("AbandonRate(max: 0.03),", &format!("{gate},"))],
        );
        let (_, stderr) = exits(&["check", arg(&bad)], 2);
        let want = format!("{}{expect}", bad.display());
        assert!(stderr.contains(&want), "{gate}: want {want:?}\n{stderr}");
    }
}

#[test]
fn other_bad_input_exits_2() {
    let dir = scratch("bad-input");
    let (_, stderr) = exits(&["check", "scenarios/ci/no-such.ron"], 2);
    assert!(stderr.contains("scenarios/ci/no-such.ron"), "{stderr}");
    let (_, stderr) = exits(&["check", arg(&dir)], 2);
    assert!(stderr.contains("no scenario files (*.ron)"), "{stderr}");
    let (_, stderr) = exits(&["check"], 2);
    assert!(stderr.contains("PATH"), "{stderr}");
    let (_, stderr) = exits(&["check", AS_WRITTEN, "--format", "html"], 2);
    assert!(stderr.contains("markdown"), "{stderr}");
    // A bad scenario stops the run before any other is simulated.
    let bad = scenario_with(
        &dir,
        "z-bad.ron",
        AS_WRITTEN,
        &[("Scenario(", "Scenario(( ")],
    );
    let (stdout, _) = exits(&["check", SAMPLE_CI, arg(&bad)], 2);
    assert!(stdout.is_empty(), "{stdout}");
}

/// The verdicts, the table and the baseline's per-replication values do not depend on the
/// number of worker threads (strategies and replications run side by side).
#[test]
fn check_does_not_depend_on_threads() {
    let dir = scratch("threads");
    let run = |jobs: &str| {
        let baseline = dir.join(format!("baseline-{jobs}.json"));
        let (stdout, _) = exits(
            &[
                "check",
                SAMPLE_CI,
                "scenarios/ci/day-100-agents.ron",
                "--jobs",
                jobs,
                "--write-baseline",
                arg(&baseline),
                "-q",
            ],
            0,
        );
        (stdout, std::fs::read(&baseline).expect("baseline written"))
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.0, two.0, "the table depends on --jobs");
    assert!(one.1 == two.1, "the baseline depends on --jobs");
}
