//! `dialsim diff` end to end: two saved runs of one scenario before and after a staffing change,
//! paired by day when the seeds match and independent when they do not; the report folder; and
//! the files it refuses.

mod common;

use common::{arg, assert_exit_2, scenario_with, scratch_dir, success};
use std::path::{Path, PathBuf};

/// `compare` of `scenario` with `seed` and 8 replications saved to `dir/name`.
fn saved(dir: &Path, scenario: &Path, seed: &str, name: &str) -> PathBuf {
    let json = dir.join(name);
    success(&[
        "compare",
        arg(scenario),
        "--replications",
        "8",
        "--seed",
        seed,
        "--json",
        arg(&json),
        "-q",
    ]);
    json
}

/// The rows of a diff's metrics.csv, as (strategy_b, metric) → its fields by header name.
fn rows(csv_text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a record");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn number(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}: {row:?}"))
}

#[test]
fn a_staffing_change_is_paired_by_day_and_its_report_agrees_with_the_files() {
    let dir = scratch_dir("diff-staffing");
    let before = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-team.ron");
    let after = scenario_with(
        &dir,
        "six-agents.ron",
        "scenarios/small-team.ron",
        &[("staffing: Count(5)", "staffing: Count(6)")],
    );
    let a = saved(&dir, &before, "7", "five.json");
    let b = saved(&dir, &after, "7", "six.json");
    let report = dir.join("report");
    common::remove(&report);
    let out = success(&["diff", arg(&a), arg(&b), "--report", arg(&report)]);
    assert!(
        out.contains("A = five.json") && out.contains("B = six.json"),
        "{out}"
    );
    assert!(
        out.contains("paired by day (both files ran seed 7 with 8 replications"),
        "{out}"
    );
    assert!(out.contains("pick "), "the verdict names the pick: {out}");
    for line in out.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line:?}"
        );
    }
    for name in [
        "index.html",
        "summary.md",
        "metrics.csv",
        "diff.png",
        "diff.svg",
    ] {
        assert!(report.join(name).is_file(), "no {name} in the report");
    }
    let img = image::open(report.join("diff.png")).expect("the PNG decodes");
    assert_eq!((img.width(), img.height()), reports::chart::SIZE);
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    let verdict = html.find("id=\"verdict\"").expect("a verdict");
    assert!(
        verdict < html.find("<svg").expect("the chart"),
        "the verdict comes first"
    );

    // B − A is the difference of the two files' means, whichever way its interval was made.
    let csv = std::fs::read_to_string(report.join("metrics.csv")).unwrap();
    let rows = rows(&csv);
    let results = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (ja, jb) = (results(&a), results(&b));
    let strategies = ja["strategies"].as_array().unwrap().len();
    assert_eq!(rows.len(), strategies * lab::diff::DIFFED.len(), "{csv}");
    for (i, s) in ja["strategies"].as_array().unwrap().iter().enumerate() {
        let name = s["name"].as_str().unwrap();
        let talk = rows
            .iter()
            .find(|r| r["strategy_a"] == name && r["metric"] == "talk_min_per_agent_hour")
            .unwrap_or_else(|| panic!("{name} in {csv}"));
        assert_eq!(talk["paired"], "by_day");
        let mean = |j: &serde_json::Value| {
            j["strategies"][i]["metrics"]["talk_min_per_agent_hour"]["mean"]
                .as_f64()
                .unwrap()
        };
        assert!((number(talk, "a_mean") - mean(&ja)).abs() < 1e-9);
        assert!((number(talk, "b_mean") - mean(&jb)).abs() < 1e-9);
        let d = number(talk, "difference_mean");
        assert!((d - (mean(&jb) - mean(&ja))).abs() < 1e-9, "{d}");
        assert!(
            number(talk, "difference_ci95_low") <= d && d <= number(talk, "difference_ci95_high")
        );
    }
    // A sixth agent on the same days: the team's talk per agent-hour cannot be the same to the
    // last digit for every strategy.
    assert!(
        rows.iter()
            .filter(|r| r["metric"] == "talk_min_per_agent_hour")
            .any(|r| number(r, "difference_mean") != 0.0),
        "{csv}"
    );
}

#[test]
fn a_file_against_itself_moves_nothing_and_other_seeds_are_independent() {
    let dir = scratch_dir("diff-seeds");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-team.ron");
    let a = saved(&dir, &scenario, "3", "a.json");
    let c = saved(&dir, &scenario, "4", "c.json");
    let same = success(&["diff", arg(&a), arg(&a)]);
    assert!(same.contains("pick unchanged"), "{same}");
    assert!(
        same.contains("no metric of any strategy moved beyond its noise"),
        "{same}"
    );
    assert!(!same.contains(" *"), "nothing is marked: {same}");
    let other = success(&["diff", arg(&a), arg(&c)]);
    let other = other.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        other.contains("from the two files' intervals as independent")
            && other.contains("A seed 3 × 8, B seed 4 × 8"),
        "{other}"
    );
}

#[test]
fn diff_refuses_what_is_not_two_results_files() {
    let dir = scratch_dir("diff-refused");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-team.ron");
    let a = saved(&dir, &scenario, "1", "a.json");
    let frontier = dir.join("frontier.json");
    success(&[
        "frontier",
        "scenarios/frontier-quick.ron",
        "--target-abandon",
        "0.03",
        "--replications",
        "2",
        "--json",
        arg(&frontier),
        "-q",
    ]);
    assert_exit_2(
        &["diff", arg(&a), arg(&frontier)],
        &["frontier.json is a frontier file, not a results file"],
    );
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"format\": \"dialsim-results/").unwrap();
    assert_exit_2(&["diff", arg(&broken), arg(&a)], &["broken.json:1:"]);
    assert_exit_2(
        &["diff", arg(&a), arg(&a), "--report", arg(&dir)],
        &["holds the input file"],
    );
}
