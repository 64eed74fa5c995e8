//! `dialsim sweep` and `dialsim merge` end to end: merged shards give the unsharded file byte
//! for byte, a sweep point is the plain run of its scenario, `report` draws a sweep (one, two
//! and three axes) and refuses a part, and bad input exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dialsim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dialsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dialsim")
}

/// Runs one shard of the quick sweep into `out` (in `dir`), with `jobs` worker threads.
fn shard(dir: &Path, spec: &str, out: &str, jobs: &str) {
    let sweep = quick();
    ok(&dialsim(
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "--quiet",
            "--shard",
            spec,
            "--out",
            out,
            "--jobs",
            jobs,
        ],
        dir,
    ));
}

fn quick() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/quick.ron")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn err(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn merged_shards_equal_the_unsharded_sweep_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = quick();
    let sweep = sweep.to_str().unwrap();
    ok(&dialsim(
        &[
            "sweep",
            sweep,
            "--quiet",
            "--out",
            "whole.json",
            "--jobs",
            "2",
        ],
        dir.path(),
    ));
    let whole = std::fs::read(dir.path().join("whole.json")).unwrap();
    for n in [1, 2, 3, 7] {
        let mut parts = Vec::new();
        for k in 0..n {
            let part = format!("part-{n}-{k}.json");
            // Threads vary too: results may not depend on them.
            let jobs = if k % 2 == 0 { "1" } else { "2" };
            shard(dir.path(), &format!("{k}/{n}"), &part, jobs);
            parts.push(part);
        }
        // Parts in any order.
        parts.reverse();
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        args.extend(["--out", "merged.json"]);
        ok(&dialsim(&args, dir.path()));
        let merged = std::fs::read(dir.path().join("merged.json")).unwrap();
        assert!(
            merged == whole,
            "{n} shards merged differ from the unsharded sweep"
        );
    }
}

#[test]
fn the_shard_index_comes_from_a_job_array_engine() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = quick();
    let sweep = sweep.to_str().unwrap();
    for (k, var) in [
        (0, "JOB_COMPLETION_INDEX"),
        (1, "AWS_BATCH_JOB_ARRAY_INDEX"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dialsim"))
            .args([
                "sweep",
                sweep,
                "--quiet",
                "--shards",
                "2",
                "--out",
                &format!("env-{k}.json"),
            ])
            .current_dir(dir.path())
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env(var, k.to_string())
            .output()
            .unwrap();
        ok(&out);
    }
    shard(dir.path(), "0/2", "flag-0.json", "2");
    assert_eq!(
        std::fs::read(dir.path().join("env-0.json")).unwrap(),
        std::fs::read(dir.path().join("flag-0.json")).unwrap()
    );
    ok(&dialsim(
        &["merge", "env-0.json", "env-1.json", "--out", "m.json"],
        dir.path(),
    ));
}

/// A sweep point is the scenario with that value, run as usual: same seed, same streams.
#[test]
fn a_sweep_point_is_the_plain_run_of_its_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("scenarios/seed-sample.ron")).unwrap();
    assert!(base.contains("staffing: Count(10)"));
    let variant = base
        .replace("staffing: Count(10)", "staffing: Count(12)")
        .replace("ring_timeout_s: 60.0", "ring_timeout_s: 20.0");
    assert!(
        variant.contains("ring_timeout_s: 20.0"),
        "the base scenario changed"
    );
    std::fs::write(dir.path().join("point.ron"), variant).unwrap();
    ok(&dialsim(
        &[
            "run",
            "point.ron",
            "--replications",
            "4",
            "--quiet",
            "--json",
            "point.json",
        ],
        dir.path(),
    ));
    ok(&dialsim(
        &[
            "sweep",
            quick().to_str().unwrap(),
            "--quiet",
            "--out",
            "sweep.json",
        ],
        dir.path(),
    ));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("point.json")).unwrap()).unwrap();
    let sweep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sweep.json")).unwrap()).unwrap();
    let rows = sweep["rows"].as_array().unwrap();
    let mut compared = 0;
    for row in rows
        .iter()
        .filter(|r| r["values"] == serde_json::json!([12.0, 20.0]))
    {
        let s = run["strategies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == row["strategy"])
            .expect("the strategy in the plain run");
        assert_eq!(row["metrics"], s["metrics"], "{}", row["strategy"]);
        assert_eq!(row["outcomes"], s["outcomes"], "{}", row["strategy"]);
        compared += 1;
    }
    assert_eq!(compared, 2);
}

/// `report` on a sweep file writes heat maps over the two axes, line charts, a table of every
/// point and a CSV row per point × strategy × metric; on a shard's part it says to merge first.
#[test]
fn report_draws_a_sweep_and_refuses_a_part() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = quick();
    let sweep = sweep.to_str().unwrap();
    ok(&dialsim(
        &["sweep", sweep, "--quiet", "--out", "sweep.json"],
        dir.path(),
    ));
    ok(&dialsim(
        &["report", "sweep.json", "--out", "rep"],
        dir.path(),
    ));
    let rep = dir.path().join("rep");
    let html = std::fs::read_to_string(rep.join("index.html")).unwrap();
    for text in [
        "dialsim sweep: seed-sample",
        "agents.staffing.Count",
        "dial.ring_timeout_s",
        "Every point",
    ] {
        assert!(html.contains(text), "index.html lacks {text:?}");
    }
    // Two strategies × (abandon-rate and occupancy heat maps + the same two metrics' line
    // charts), each as SVG (inline and on disk) and PNG.
    let mut charts: Vec<String> = std::fs::read_dir(&rep)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    charts.sort();
    assert_eq!(
        charts,
        [
            "heat-abandon-rate-s0-0.svg",
            "heat-abandon-rate-s1-0.svg",
            "heat-occupancy-s0-0.svg",
            "heat-occupancy-s1-0.svg",
            "sweep-lines-abandon-rate-s0.svg",
            "sweep-lines-abandon-rate-s1.svg",
            "sweep-lines-occupancy-s0.svg",
            "sweep-lines-occupancy-s1.svg",
        ]
    );
    for svg in &charts {
        let text = std::fs::read_to_string(rep.join(svg)).unwrap();
        // Heat maps name both axes; line charts the first (the second names the lines).
        for axis in ["agents.staffing.Count", "dial.ring_timeout_s"] {
            assert!(text.contains(axis), "{svg} does not name {axis}");
        }
        assert_eq!(
            text.contains("3% cap"),
            svg.contains("abandon"),
            "{svg}: the 3% cap is drawn on abandon rates only"
        );
        png(&rep.join(svg.replace(".svg", ".png")));
    }
    assert_eq!(html.matches("<figure").count(), charts.len());
    // The heat map's cells hold the file's numbers: 2 × 2 points, each value printed.
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sweep.json")).unwrap()).unwrap();
    let heat = std::fs::read_to_string(rep.join("heat-abandon-rate-s0-0.svg")).unwrap();
    let first = &results["strategies"][0];
    let mut cells = 0;
    for row in results["rows"].as_array().unwrap() {
        if row["strategy"] != *first {
            continue;
        }
        let mean = row["metrics"]["abandon_rate"]["mean"].as_f64().unwrap() * 100.0;
        let shown = format!("{mean:.2}");
        assert!(heat.contains(&shown), "the heat map lacks {shown}");
        cells += 1;
    }
    assert_eq!(cells, 4);
    let csv = std::fs::read_to_string(rep.join("metrics.csv")).unwrap();
    assert!(csv.starts_with(
        "agents.staffing.Count,dial.ring_timeout_s,strategy,metric,mean,ci95_low,ci95_high\n"
    ));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("12,20,") && l.contains(",abandon_rate,"))
    );

    shard(dir.path(), "0/2", "part.json", "2");
    let e = err(&dialsim(
        &["report", "part.json", "--out", "bad"],
        dir.path(),
    ));
    assert!(
        e.contains("part.json") && e.contains("dialsim merge"),
        "{e}"
    );
    assert!(
        !dir.path().join("bad").exists(),
        "a refused file writes nothing"
    );
}

/// A chart's PNG: decodes, at the charts' size.
fn png(path: &Path) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        (img.width(), img.height()),
        (960, 540),
        "{}",
        path.display()
    );
}

/// Writes a sweep of the seed sample over `axes` (RON) in `dir`, runs it and its report.
fn sweep_report(dir: &Path, name: &str, axes: &str) -> (PathBuf, String) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-sample.ron");
    let text = format!("Sweep(scenario: {scenario:?}, replications: Some(2), axes: [{axes}])");
    std::fs::write(dir.join(format!("{name}.ron")), text).unwrap();
    let json = format!("{name}.json");
    ok(&dialsim(
        &["sweep", &format!("{name}.ron"), "--quiet", "--out", &json],
        dir,
    ));
    ok(&dialsim(&["report", &json, "--out", name], dir));
    let rep = dir.join(name);
    let html = std::fs::read_to_string(rep.join("index.html")).unwrap();
    (rep, html)
}

fn svgs(rep: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(rep)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    names
}

/// One axis: each headline metric against it, a line per strategy; three axes: heat maps of
/// the first two for the first 6 combinations of the third, and the page says which are left
/// out.
#[test]
fn report_draws_one_axis_as_lines_and_slices_a_third_axis() {
    let dir = tempfile::tempdir().unwrap();
    let (rep, html) = sweep_report(
        dir.path(),
        "one",
        r#"(field: "agents.staffing.Count", values: [8, 10, 12])"#,
    );
    assert_eq!(
        svgs(&rep),
        [
            "sweep-abandon-rate-regulatory.svg",
            "sweep-abandon-rate.svg",
            "sweep-occupancy.svg",
            "sweep-talk-min-per-agent-hour.svg",
        ]
    );
    for svg in svgs(&rep) {
        let text = std::fs::read_to_string(rep.join(&svg)).unwrap();
        assert!(text.contains("agents.staffing.Count"), "{svg}");
        for strategy in ["AgentsAvailable", "AsWritten"] {
            assert!(text.contains(strategy), "{svg} has no line for {strategy}");
        }
        assert_eq!(text.contains("3% cap"), svg.contains("abandon"), "{svg}");
        png(&rep.join(svg.replace(".svg", ".png")));
    }
    assert!(html.contains("Every point") && !html.contains("left out"));

    let (rep, html) = sweep_report(
        dir.path(),
        "three",
        r#"(field: "agents.staffing.Count", values: [8, 12]),
           (field: "dial.ring_timeout_s", values: [20, 30]),
           (field: "dial.answer_after.LogNormal.mean_s", values: [5, 8, 10, 12, 15, 20, 25])"#,
    );
    let names = svgs(&rep);
    let heat: Vec<&String> = names.iter().filter(|n| n.starts_with("heat-")).collect();
    assert_eq!(heat.len(), 6 * 2 * 2, "{names:?}");
    assert!(names.contains(&"heat-occupancy-s1-5.svg".to_string()));
    assert!(!names.contains(&"heat-occupancy-s1-6.svg".to_string()));
    let sixth = std::fs::read_to_string(rep.join("heat-abandon-rate-s0-5.svg")).unwrap();
    assert!(
        sixth.contains("dial.answer_after.LogNormal.mean_s = 20"),
        "the slice is named in the title"
    );
    assert!(
        html.contains("first 6 of the 7 combinations")
            && html.contains("left out: dial.answer_after.LogNormal.mean_s = 25."),
        "the page does not say what is left out"
    );
    // Every point is still in the table and the CSV.
    let csv = std::fs::read_to_string(rep.join("metrics.csv")).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("12,30,25,") && l.contains(",occupancy,"))
    );
    assert!(
        std::fs::read_to_string(rep.join("summary.md"))
            .unwrap()
            .contains("| 12 | 30 | 25 | AsWritten")
    );
}

#[test]
fn bad_shards_missing_parts_and_unknown_fields_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = quick();
    let sweep = sweep.to_str().unwrap();
    for bad in ["4/3", "0/0", "x/2", "3"] {
        let e = err(&dialsim(
            &["sweep", sweep, "--quiet", "--shard", bad, "--out", "p.json"],
            dir.path(),
        ));
        assert!(e.contains("K/N"), "{bad}: {e}");
    }
    for k in 0..3 {
        shard(dir.path(), &format!("{k}/3"), &format!("p{k}.json"), "2");
    }
    let e = err(&dialsim(
        &["merge", "p0.json", "p2.json", "--out", "m.json"],
        dir.path(),
    ));
    assert!(e.contains("missing shard 1/3"), "{e}");
    let e = err(&dialsim(
        &[
            "merge", "p0.json", "p1.json", "p1.json", "p2.json", "--out", "m.json",
        ],
        dir.path(),
    ));
    assert!(e.contains("given twice"), "{e}");
    shard(dir.path(), "0/2", "other.json", "2");
    let e = err(&dialsim(
        &[
            "merge",
            "p0.json",
            "p1.json",
            "other.json",
            "--out",
            "m.json",
        ],
        dir.path(),
    ));
    assert!(e.contains("another sweep or shard count"), "{e}");

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file = dir.path().join("bad.ron");
    let text = format!(
        "Sweep(scenario: {:?}, axes: [(field: \"dial.p_human\", values: [0.3])])",
        root.join("seed-sample.ron")
    );
    std::fs::write(&file, text).unwrap();
    let e = err(&dialsim(
        &["sweep", file.to_str().unwrap(), "--quiet"],
        dir.path(),
    ));
    assert!(
        e.contains("p_human") && e.contains("human") && e.contains("axis 1"),
        "{e}"
    );
    let text = format!(
        "Sweep(scenario: {:?}, axes: [(field: \"dial.human\", values: [0.9])])",
        root.join("seed-sample.ron")
    );
    std::fs::write(&file, text).unwrap();
    let e = err(&dialsim(
        &["sweep", file.to_str().unwrap(), "--quiet"],
        dir.path(),
    ));
    assert!(e.contains("dial.human = 0.9"), "{e}");
}
