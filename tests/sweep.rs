//! `dialsim sweep` and `dialsim merge` end to end: merged shards give the unsharded file byte
//! for byte, a sweep point is the plain run of its scenario, `report` draws a sweep (one, two
//! and three axes) and refuses a part, and bad input exits 2.

mod common;

use common::within;
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
            "heat-abandon-rate-regulatory-s0-0.svg",
            "heat-abandon-rate-regulatory-s1-0.svg",
            "heat-occupancy-s0-0.svg",
            "heat-occupancy-s1-0.svg",
            "sweep-lines-abandon-rate-regulatory-s0.svg",
            "sweep-lines-abandon-rate-regulatory-s1.svg",
            "sweep-lines-occupancy-s0.svg",
            "sweep-lines-occupancy-s1.svg",
        ]
    );
    for svg in &charts {
        let text = std::fs::read_to_string(rep.join(svg)).unwrap();
        // Heat maps name both axes, in words; line charts the first (the second names the
        // lines).
        for axis in ["agents staffed", "ring timeout (s)"] {
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
    let heat = std::fs::read_to_string(rep.join("heat-abandon-rate-regulatory-s0-0.svg")).unwrap();
    let first = &results["strategies"][0];
    let mut cells = 0;
    for row in results["rows"].as_array().unwrap() {
        if row["strategy"] != *first {
            continue;
        }
        let mean = row["metrics"]["abandon_rate_regulatory"]["mean"]
            .as_f64()
            .unwrap()
            * 100.0;
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
        assert!(text.contains("agents staffed"), "{svg}");
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
    let sixth = std::fs::read_to_string(rep.join("heat-abandon-rate-regulatory-s0-5.svg")).unwrap();
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
    for bad in ["4/3", "0/0", "x/2", "3", "0/1000001"] {
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

/// A sweep of the seed sample over 8 and 12 agents, 2 replications, run in `dir` as
/// `small.json` and read back as JSON.
fn small_sweep(dir: &Path) -> serde_json::Value {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-sample.ron");
    let text = format!(
        "Sweep(scenario: {scenario:?}, replications: Some(2), axes: [(field: \"agents.staffing.Count\", values: [8, 12])])"
    );
    std::fs::write(dir.join("small.ron"), text).unwrap();
    ok(&dialsim(
        &["sweep", "small.ron", "--quiet", "--out", "small.json"],
        dir,
    ));
    serde_json::from_slice(&std::fs::read(dir.join("small.json")).unwrap()).unwrap()
}

fn write_json(dir: &Path, name: &str, value: &serde_json::Value) {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(value).unwrap()).unwrap();
}

// What broke: a sweep file with an interval bound near 1.7e308 hung `dialsim report` in the
// line chart's tick search.
#[test]
fn report_of_a_sweep_with_an_extreme_value_exits_2_instead_of_spinning() {
    let dir = tempfile::tempdir().unwrap();
    let mut sweep = small_sweep(dir.path());
    sweep["rows"][1]["metrics"]["occupancy"]["ci95"][1] = 1.7e308.into();
    write_json(dir.path(), "extreme.json", &sweep);
    let (code, stderr) = within(60, &["report", "extreme.json", "--out", "rep"], dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: extreme.json: rows[1].metrics.occupancy.ci95[1] is 1.7e308, above 1e15"
        ) && stderr.contains(
            "the file was edited or damaged; write it again with `dialsim sweep SWEEP --out FILE`"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("rep").exists());

    // Rows out of the grid's order would be looked up at the wrong points.
    let mut sweep = small_sweep(dir.path());
    sweep["rows"][2]["values"][0] = 8.into();
    write_json(dir.path(), "order.json", &sweep);
    let (code, stderr) = within(60, &["report", "order.json", "--out", "rep"], dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("rows[2].values is [8], not [12]: rows come point by point"),
        "{stderr}"
    );
}

// What broke: the chart routines looped without end on extreme finite numbers; an axis value
// is the user's to choose, so a sweep over one that extreme is drawn, and drawing ends.
#[test]
fn report_of_a_sweep_over_extreme_axis_values_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut sweep = small_sweep(dir.path());
    sweep["axes"][0]["values"][1] = 1.7e308.into();
    sweep["points"][1][0] = 1.7e308.into();
    for row in [2, 3] {
        sweep["rows"][row]["values"][0] = 1.7e308.into();
    }
    write_json(dir.path(), "far.json", &sweep);
    let (code, stderr) = within(60, &["report", "far.json", "--out", "rep"], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    png(&dir.path().join("rep/sweep-occupancy.png"));
}

/// Shards 0/2 and 1/2 of the small sweep, in `dir` as `p0.json` and `p1.json`, read back.
fn two_parts(dir: &Path) -> [serde_json::Value; 2] {
    small_sweep(dir);
    [0, 1].map(|k| {
        let name = format!("p{k}.json");
        ok(&dialsim(
            &[
                "sweep",
                "small.ron",
                "--quiet",
                "--shard",
                &format!("{k}/2"),
                "--out",
                &name,
            ],
            dir,
        ));
        serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap()
    })
}

// What broke: `dialsim merge` took a part's numbers as they came: a negative count (or one near
// 1.7e308) went into the merged file, to be refused, or drawn, later.
#[test]
fn merge_of_a_part_with_a_bad_value_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let [_, mut p1] = two_parts(dir.path());
    p1["units"][0][1]["metrics"][2][0] = (-1.0).into();
    write_json(dir.path(), "p1.json", &p1);
    let e = err(&dialsim(
        &["merge", "p0.json", "p1.json", "--out", "m.json"],
        dir.path(),
    ));
    assert!(
        e.starts_with("error: p1.json: units[0][1].metrics[2][0] is -1, but cannot be negative")
            && e.contains("run its shard again with `dialsim sweep SWEEP --shard K/N --out FILE`"),
        "{e}"
    );
    assert!(!dir.path().join("m.json").exists());
}

// What broke: a part whose header claimed billions of units made `dialsim merge` reserve a slot
// for each, and abort out of memory.
#[test]
fn merge_of_parts_claiming_billions_of_units_exits_2_instead_of_aborting() {
    let dir = tempfile::tempdir().unwrap();
    let parts = two_parts(dir.path());
    for (k, mut p) in parts.into_iter().enumerate() {
        p["sweep"]["replications"] = 4_000_000_000u32.into();
        write_json(dir.path(), &format!("p{k}.json"), &p);
    }
    let (code, stderr) = within(
        60,
        &["merge", "p0.json", "p1.json", "--out", "m.json"],
        dir.path(),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: p0.json: units has 4 entries, not 8000000000"),
        "{stderr}"
    );
}

// What broke: `dialsim merge` kept the first part's header, so a part whose strategies or grid
// had been changed under the same identity was merged onto the wrong rows, quietly.
#[test]
fn merge_of_parts_with_different_headers_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let [_, mut p1] = two_parts(dir.path());
    p1["sweep"]["strategies"][0] = "FixedRatio(9, poll 1s)".into();
    write_json(dir.path(), "p1.json", &p1);
    let e = err(&dialsim(
        &["merge", "p0.json", "p1.json", "--out", "m.json"],
        dir.path(),
    ));
    assert!(
        e.contains("p1.json: its sweep header differs from p0.json's"),
        "{e}"
    );
}

/// Found by the fuzzer: an axis with no finite value, an empty range or too many values said
/// `error: axis 1 (...): ...` without naming the sweep file.
#[test]
fn sweep_axis_errors_name_the_sweep_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file = dir.path().join("axes.ron");
    for axis in [
        "values: [1e999]",
        "range: (from: 2, to: 1, step: 0.25)",
        "range: (from: 1, to: 100000, step: 0.25)",
    ] {
        let text = format!(
            "Sweep(scenario: {:?}, axes: [(field: \"agents.staffing.Count\", {axis})])",
            root.join("seed-sample.ron")
        );
        std::fs::write(&file, text).unwrap();
        let e = err(&dialsim(
            &["sweep", file.to_str().unwrap(), "--quiet"],
            dir.path(),
        ));
        assert!(
            e.starts_with("error: ") && e.contains("axes.ron"),
            "{axis}: {e}"
        );
    }
}

/// A sweep value of 2^31 agents reserved 34 GB for the point's model and died (exit 134).
#[test]
fn a_sweep_point_out_of_range_is_refused_naming_the_point() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file = dir.path().join("big.ron");
    let text = format!(
        "Sweep(scenario: {:?}, axes: [(field: \"agents.staffing.Count\", values: [8, 2147483648])])",
        root.join("seed-sample.ron")
    );
    std::fs::write(&file, text).unwrap();
    let e = err(&dialsim(
        &["sweep", file.to_str().unwrap(), "--quiet"],
        dir.path(),
    ));
    assert!(
        e.contains("big.ron")
            && e.contains("agents.staffing.Count = 2147483648")
            && e.contains("agents from 1 to 20,000"),
        "{e}"
    );
}

/// Found from outside: an axis over `replications` was ignored (every point ran the same count),
/// and a field swept by two axes was labelled with both values but ran the last.
#[test]
fn axes_over_run_settings_or_the_same_field_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file = dir.path().join("axes.ron");
    for (axes, wanted) in [
        (
            r#"(field: "replications", values: [2, 3])"#,
            "a setting of the run",
        ),
        (
            r#"(field: "agents.staffing.Count", values: [4]), (field: "agents.staffing.Count", values: [5])"#,
            "axes 1 and 2 both sweep",
        ),
    ] {
        let text = format!(
            "Sweep(scenario: {:?}, axes: [{axes}])",
            root.join("seed-sample.ron")
        );
        std::fs::write(&file, text).unwrap();
        let e = err(&dialsim(
            &["sweep", file.to_str().unwrap(), "--quiet"],
            dir.path(),
        ));
        assert!(e.contains("axes.ron") && e.contains(wanted), "{axes}: {e}");
    }
}

/// A `strategy.F` axis sets only the strategies that have field F: the file says which, each
/// row's label follows the value swept, and the report draws the other strategies once (one
/// map with a row each, one line chart, "any" in the table) and picks per agents staffed among
/// every strategy at every ratio.
#[test]
fn a_strategy_axis_is_drawn_once_for_the_strategies_it_does_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-team.ron");
    std::fs::write(
        dir.path().join("ratio.ron"),
        format!(
            "Sweep(scenario: {scenario:?}, replications: Some(3), axes: [\
             (field: \"agents.staffing.Count\", values: [4, 6]),\
             (field: \"strategy.ratio\", values: [1, 2])])"
        ),
    )
    .unwrap();
    let out = dialsim(
        &["sweep", "ratio.ron", "--quiet", "--out", "ratio.json"],
        dir.path(),
    );
    ok(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("sweep of small-team"), "{stdout}");
    assert!(stdout.contains("Verdict (mean-based"), "{stdout}");
    assert!(stdout.contains("agents.staffing.Count = 6"), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ratio.json")).unwrap()).unwrap();
    // FixedRatio is the second strategy of small-team.ron, the only one with a ratio.
    assert_eq!(json["axes"][0].get("sets"), None);
    assert_eq!(json["axes"][1]["sets"], serde_json::json!([1]));
    assert_eq!(json["abandon_cap"], 0.03);
    let rows = json["rows"].as_array().unwrap();
    let at_ratio_2 = rows
        .iter()
        .find(|r| {
            r["values"] == serde_json::json!([4.0, 2.0]) && r["strategy"] == json["strategies"][1]
        })
        .unwrap();
    assert_eq!(at_ratio_2["label"], "FixedRatio(2, poll 1s)");
    // Progressive runs the same at both ratios: the same numbers.
    let progressive = |ratio: f64| {
        rows.iter()
            .find(|r| {
                r["values"] == serde_json::json!([4.0, ratio])
                    && r["strategy"] == json["strategies"][0]
            })
            .unwrap()["metrics"]
            .clone()
    };
    assert_eq!(progressive(1.0), progressive(2.0));

    ok(&dialsim(
        &["report", "ratio.json", "--out", "rep"],
        dir.path(),
    ));
    let rep = dir.path().join("rep");
    let names = svgs(&rep);
    assert!(
        names.contains(&"heat-abandon-rate-regulatory-s1-0.svg".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"heat-abandon-rate-regulatory-unset-0.svg".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"sweep-lines-occupancy-unset.svg".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("-s0") || n.contains("-s2")),
        "a strategy the ratio does not set has no map of its own: {names:?}"
    );
    let unset =
        std::fs::read_to_string(rep.join("heat-abandon-rate-regulatory-unset-0.svg")).unwrap();
    for name in ["Progressive", "Adaptive", "PiController", "Predictive"] {
        assert!(
            unset.contains(name),
            "the shared map lacks a row for {name}"
        );
    }
    assert!(!unset.contains("FixedRatio"));
    let html = std::fs::read_to_string(rep.join("index.html")).unwrap();
    assert!(html.contains("Pick at each setting") && html.contains("id=\"verdict\""));
    assert!(
        html.contains("FixedRatio(2, poll 1s)"),
        "labels follow the ratio"
    );
    assert!(
        html.contains(">any<"),
        "the ratio cell of a strategy it does not set"
    );
    // The table shows Progressive once per agents staffed, not once per ratio.
    let every_point = &html[html.find("id=\"points\"").unwrap()..];
    assert_eq!(every_point.matches(">Progressive(poll 1s)<").count(), 2);
}
