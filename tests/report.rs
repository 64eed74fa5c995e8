//! Reports end to end: `--report` on `run`, `compare` and `frontier`, `dialsim report` on a saved
//! file, the agreement of `metrics.csv` and `summary.md` with `results.json`, bad input, and the
//! page in a real browser (headless Chromium).

mod common;

use common::{arg, assert_exit_2, success, text};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch path (removed if it exists).
fn scratch(name: &str) -> PathBuf {
    let path = common::scratch_dir("report").join(name);
    common::remove(&path);
    path
}

fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("the report folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file a report folder must hold, and that each chart is there as a PNG that decodes at
/// the chart size and as an SVG.
#[track_caller]
fn assert_complete(dir: &Path, charts: usize) {
    let names = files(dir);
    for name in ["index.html", "summary.md", "metrics.csv", "results.json"] {
        assert!(
            names.contains(name),
            "{} lacks {name}: {names:?}",
            dir.display()
        );
    }
    let pngs: Vec<&String> = names.iter().filter(|n| n.ends_with(".png")).collect();
    assert_eq!(pngs.len(), charts, "{names:?}");
    for png in pngs {
        let svg = png.replace(".png", ".svg");
        assert!(names.contains(&svg), "{png} has no {svg}");
        let img = image::open(dir.join(png)).expect("the PNG decodes");
        assert_eq!((img.width(), img.height()), reports::chart::SIZE, "{png}");
        let svg = String::from_utf8(read(&dir.join(&svg))).unwrap();
        assert!(svg.starts_with("<svg"), "{svg:.80}");
    }
    // A results file's report also keeps its days; a frontier's has none.
    let results =
        serde_json::from_slice::<Value>(&read(&dir.join("results.json"))).unwrap()["format"]
            .as_str()
            .is_some_and(|f| f.starts_with("dialsim-results/"));
    assert_eq!(names.contains("days.csv"), results, "{names:?}");
    assert_eq!(names.contains("series.csv"), results, "{names:?}");
    assert_eq!(
        names.len(),
        4 + 2 * usize::from(results) + 2 * charts,
        "no other files: {names:?} in {}",
        dir.display()
    );
    let html = String::from_utf8(read(&dir.join("index.html"))).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        charts,
        "one inline SVG per chart"
    );
}

#[test]
fn run_compare_and_frontier_write_a_report_and_report_renders_it_again() {
    let cases: [(&str, Vec<&str>, usize); 3] = [
        (
            "run",
            vec!["run", "scenarios/seed-sample.ron", "--replications", "3"],
            11,
        ),
        (
            "compare",
            vec![
                "compare",
                "scenarios/seed-sample.ron",
                "--replications",
                "3",
            ],
            11,
        ),
        (
            "frontier",
            vec![
                "frontier",
                "scenarios/frontier-quick.ron",
                "--target-abandon",
                "0.03",
                "--replications",
                "3",
            ],
            1,
        ),
    ];
    for (name, args, charts) in cases {
        let dir = scratch(&format!("{name}-report"));
        let json = scratch(&format!("{name}.json"));
        let mut args = args.clone();
        args.extend(["--json", arg(&json), "--report", arg(&dir), "-q"]);
        success(&args);
        assert_complete(&dir, charts);
        assert_eq!(
            read(&dir.join("results.json")),
            read(&json),
            "{name}: results.json is not what --json writes"
        );

        // The saved file renders the same report.
        let again = scratch(&format!("{name}-again"));
        let stdout = success(&["report", arg(&json), "--out", arg(&again)]);
        assert!(stdout.contains("index.html"), "{stdout}");
        assert_eq!(files(&dir), files(&again), "{name}: another set of files");
        for file in files(&dir) {
            if file.ends_with(".png") {
                continue;
            }
            assert!(
                read(&dir.join(&file)) == read(&again.join(&file)),
                "{name}: {file} differs when rendered from the saved file"
            );
        }
    }
}

/// The mean shown in a table cell `mean [lo, hi]` (with a trailing ` *` for a marked
/// difference), and its number of decimals.
/// Digit groups (a narrow no-break space every three digits from 10,000 up) are checked and
/// removed, so the mean compares with a plain `format!` of the JSON number.
fn shown_mean(cell: &str) -> (String, usize) {
    let mean = cell.trim_end_matches(" *");
    let mean = mean.split(" [").next().unwrap_or(mean);
    let decimals = mean.split_once('.').map_or(0, |(_, d)| d.len());
    let whole = mean.split('.').next().unwrap_or(mean);
    let digits = |g: &str| g.chars().filter(char::is_ascii_digit).count();
    let groups: Vec<&str> = whole.split('\u{202f}').collect();
    if groups.len() > 1 {
        assert!(
            (1..=3).contains(&digits(groups[0]))
                && groups[1..].iter().all(|g| g.len() == 3 && digits(g) == 3)
                && groups.iter().map(|g| digits(g)).sum::<usize>() >= 5,
            "digit groups in {cell:?} are not thousands from 10,000 up"
        );
    } else {
        assert!(
            digits(groups[0]) < 5,
            "{cell:?} has five digits or more without groups"
        );
    }
    (mean.replace('\u{202f}', ""), decimals)
}

/// The Markdown table under `## title`: its header and rows, cells trimmed, backticks removed.
fn markdown_table(md: &str, title: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = md
        .find(&format!("## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title:?} in\n{md}"));
    let lines: Vec<&str> = md[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect()
    };
    assert!(lines.len() > 2, "{title}: {lines:?}");
    (
        cells(lines[0]),
        lines[2..].iter().map(|l| cells(l)).collect(),
    )
}

/// The metric a results file names `key`.
fn metric(key: &str) -> lab::catalogue::Metric {
    lab::catalogue::Metric::from_key(key).unwrap_or_else(|| panic!("{key:?} is not a metric"))
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// `run SCENARIO --replications N --report DIR`: the folder and what the terminal printed.
fn run_report(name: &str, scenario: &str, replications: &str) -> (PathBuf, String) {
    let dir = scratch(name);
    let stdout = success(&[
        "run",
        scenario,
        "--replications",
        replications,
        "--report",
        arg(&dir),
        "-q",
    ]);
    (dir, stdout)
}

/// A CSV cell as a number; `None` for an empty one.
fn csv_cell(c: &str) -> Option<f64> {
    (!c.is_empty()).then(|| c.parse::<f64>().expect("a number"))
}

/// A results report opens with the verdict, on the page and in the Markdown summary, as the
/// terminal does.
#[test]
fn a_results_report_opens_with_the_verdict() {
    let (dir, stdout) = run_report("verdict", "scenarios/small-team.ron", "4");
    let html = String::from_utf8(read(&dir.join("index.html"))).unwrap();
    let md = String::from_utf8(read(&dir.join("summary.md"))).unwrap();
    let verdict = html
        .find("<section id=\"verdict\"")
        .expect("a verdict on the page");
    assert!(
        verdict < html.find("<nav>").unwrap(),
        "the verdict comes first"
    );
    assert!(
        md.contains("Verdict (mean-based") && md.contains("\n- pick: "),
        "{md}"
    );
    // The pick the terminal names is the page's.
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let pick = &flat[flat.find("pick: ").unwrap()..];
    let name = &pick[6..pick.find(" —").unwrap()];
    assert!(
        md.contains(&format!("- pick: {name} —")),
        "{name} not in {md}"
    );
}

/// `days.csv` keeps every day (replication) of every strategy, as the results file's `days`.
#[test]
fn days_csv_keeps_each_day_of_the_results_file() {
    let (dir, _) = run_report("days", "scenarios/seed-sample.ron", "5");
    let json: Value = serde_json::from_slice(&read(&dir.join("results.json"))).unwrap();
    let mut reader = csv::Reader::from_path(dir.join("days.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "strategy",
            "day",
            "abandon_rate_regulatory",
            "abandon_rate",
            "talk_min_per_agent_hour"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let strategies = json["strategies"].as_array().unwrap();
    assert_eq!(records.len(), strategies.len() * 5);
    for (i, s) in strategies.iter().enumerate() {
        for day in 0..5 {
            let r = &records[i * 5 + day];
            assert_eq!(&r[0], s["name"].as_str().unwrap());
            assert_eq!(&r[1], (day + 1).to_string());
            for (column, key) in [
                (2, "abandon_rate_regulatory"),
                (3, "abandon_rate"),
                (4, "talk_min_per_agent_hour"),
            ] {
                assert_eq!(
                    csv_cell(&r[column]),
                    number(&s["days"][key][day]),
                    "{key} day {day}"
                );
            }
        }
    }
}

/// `series.csv` holds every series of the results file, interval by interval.
#[test]
fn series_csv_holds_every_interval_of_every_series() {
    let (dir, _) = run_report("series", "scenarios/seed-sample.ron", "3");
    let json: Value = serde_json::from_slice(&read(&dir.join("results.json"))).unwrap();
    let mut reader = csv::Reader::from_path(dir.join("series.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["strategy", "from_h", "to_h"]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut row = 0;
    for s in json["strategies"].as_array().unwrap() {
        let series = &s["series"];
        let hours = series["interval_s"].as_f64().unwrap() / 3600.0;
        let values = series["values"].as_object().unwrap();
        assert_eq!(header[3..].len(), values.len(), "one column per series");
        let n = values.values().next().unwrap().as_array().unwrap().len();
        for i in 0..n {
            let r = &records[row];
            assert_eq!(&r[0], s["name"].as_str().unwrap());
            assert!((csv_cell(&r[1]).unwrap() - i as f64 * hours).abs() < 1e-12);
            assert!((csv_cell(&r[2]).unwrap() - (i + 1) as f64 * hours).abs() < 1e-12);
            for (c, key) in header[3..].iter().enumerate() {
                assert_eq!(csv_cell(&r[3 + c]), number(&values[key][i]), "{key} at {i}");
            }
            row += 1;
        }
    }
    assert_eq!(records.len(), row);
}

#[test]
fn metrics_csv_and_summary_md_agree_with_results_json() {
    let dir = scratch("agree");
    success(&[
        "compare",
        "scenarios/seed-sample.ron",
        "--replications",
        "4",
        "--report",
        arg(&dir),
        "-q",
    ]);
    let json: Value = serde_json::from_slice(&read(&dir.join("results.json"))).unwrap();
    let md = String::from_utf8(read(&dir.join("summary.md"))).unwrap();
    let mut csv_rows = std::collections::HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("metrics.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["strategy", "metric", "mean", "ci95_low", "ci95_high"]
    );
    for record in reader.records() {
        let r = record.unwrap();
        let key = (r[0].to_string(), r[1].to_string());
        let cells = [r[2].to_string(), r[3].to_string(), r[4].to_string()];
        assert!(
            csv_rows.insert(key.clone(), cells).is_none(),
            "{key:?} twice"
        );
    }
    let csv_number = |cell: &str| -> Option<f64> {
        (!cell.is_empty()).then(|| cell.parse().expect("a number or nothing"))
    };

    // Checks one estimate of the JSON against its CSV row and its Markdown cell.
    let mut checked = 0;
    let mut check = |strategy: &str, csv_metric: &str, e: &Value, md_cell: &str, scale: f64| {
        let row = csv_rows
            .get(&(strategy.to_string(), csv_metric.to_string()))
            .unwrap_or_else(|| panic!("no CSV row {strategy} × {csv_metric}"));
        let mean = number(&e["mean"]);
        assert_eq!(csv_number(&row[0]), mean, "{strategy} {csv_metric} mean");
        let ci = e["ci95"].as_array();
        assert_eq!(
            csv_number(&row[1]),
            ci.and_then(|c| number(&c[0])),
            "{strategy} {csv_metric} low"
        );
        assert_eq!(
            csv_number(&row[2]),
            ci.and_then(|c| number(&c[1])),
            "{strategy} {csv_metric} high"
        );
        let (shown, decimals) = shown_mean(md_cell);
        match mean {
            None => assert_eq!(shown, "—", "{strategy} {csv_metric}"),
            Some(m) => assert_eq!(
                shown,
                format!("{:.decimals$}", m * scale),
                "{strategy} {csv_metric}: Markdown shows {md_cell:?} for {m}"
            ),
        }
        checked += 1;
    };

    let (header, rows) = markdown_table(&md, "Every metric");
    let (outcome_header, outcome_rows) = markdown_table(&md, "Customers per final result code");
    let (difference_header, difference_rows) = markdown_table(&md, "Differences from the baseline");
    let column = |header: &[String], name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
    };
    let row = |rows: &[Vec<String>], key: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r[1] == key)
            .unwrap_or_else(|| panic!("no Markdown row for {key}"))
            .clone()
    };
    let strategies = json["strategies"].as_array().unwrap();
    let mut metric_count = 0;
    for strategy in strategies {
        let name = strategy["name"].as_str().unwrap();
        let metrics = strategy["metrics"].as_object().unwrap();
        metric_count += metrics.len();
        for (key, e) in metrics {
            let scale = metric(key).scale();
            let cell = &row(&rows, key)[column(&header, name)];
            check(name, key, e, cell, scale);
        }
        for (code, e) in strategy["outcomes"].as_object().unwrap() {
            let cell = &row(&outcome_rows, code)[column(&outcome_header, name)];
            check(name, &format!("outcomes.{code}"), e, cell, 1.0);
        }
    }
    for d in json["comparison"]["differences"].as_array().unwrap() {
        let name = d["name"].as_str().unwrap();
        for (key, e) in d["metrics"].as_object().unwrap() {
            let scale = metric(key).scale();
            let cell = &row(&difference_rows, key)[column(&difference_header, name)];
            check(name, &format!("difference.{key}"), e, cell, scale);
        }
    }
    assert!(metric_count >= 2 * 22, "{metric_count} metrics");
    assert_eq!(checked, csv_rows.len(), "the CSV has rows the JSON has not");
}

#[test]
fn frontier_csv_has_a_row_per_setting_and_metric() {
    let dir = scratch("frontier-csv");
    success(&[
        "frontier",
        "scenarios/frontier-quick.ron",
        "--target-abandon",
        "0.03",
        "--replications",
        "3",
        "--report",
        arg(&dir),
        "-q",
    ]);
    let json: Value = serde_json::from_slice(&read(&dir.join("results.json"))).unwrap();
    assert_eq!(json["format"], "dialsim-frontier/2");
    let mut reader = csv::Reader::from_path(dir.join("metrics.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "strategy",
            "setting",
            "knob",
            "value",
            "passes",
            "chosen",
            "replications",
            "metric",
            "mean",
            "ci95_low",
            "ci95_high"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut expected = 0;
    for strategy in json["strategies"].as_array().unwrap() {
        let name = strategy["name"].as_str().unwrap();
        for (i, t) in strategy["tried"].as_array().unwrap().iter().enumerate() {
            let setting = t["name"].as_str().unwrap();
            let rows: Vec<&csv::StringRecord> = records
                .iter()
                .filter(|r| &r[0] == name && &r[1] == setting)
                .collect();
            let metrics = t["metrics"].as_object().unwrap();
            assert_eq!(rows.len(), metrics.len() + 1, "{setting}: metrics and gain");
            expected += rows.len();
            for r in rows {
                let value = t["value"].as_f64();
                assert_eq!(r[3].parse::<f64>().ok(), value, "{setting}");
                assert_eq!(r[2].is_empty(), value.is_none(), "{setting}: knob");
                assert_eq!(&r[4], t["passes"].to_string());
                let chosen = strategy["chosen"].as_u64() == Some(i as u64);
                assert_eq!(&r[5], chosen.to_string());
                assert_eq!(&r[6], t["replications"].to_string());
                let e = if &r[7] == "gain" {
                    &t["gain"]
                } else {
                    &metrics[&r[7]]
                };
                assert_eq!(r[8].parse::<f64>().ok(), e["mean"].as_f64(), "{setting}");
            }
        }
    }
    assert_eq!(records.len(), expected);
    let md = String::from_utf8(read(&dir.join("summary.md"))).unwrap();
    for section in [
        "## Most productive setting under the target",
        "## Settings tried",
        "## Every metric of the settings shown",
    ] {
        assert!(md.contains(section), "{md}");
    }
}

#[test]
fn bad_files_exit_2_with_what_to_do() {
    let results = scratch("bad-results.json");
    let frontier = scratch("bad-frontier.json");
    success(&[
        "run",
        "scenarios/seed-sample.ron",
        "--replications",
        "2",
        "--json",
        arg(&results),
        "-q",
    ]);
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
    let good = String::from_utf8(read(&results)).unwrap();
    let tag = "\"format\": \"dialsim-results/1\"";
    assert!(good.contains(tag), "{good:.200}");
    let write = |name: &str, content: &[u8]| {
        let path = scratch(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let out = |name: &str| scratch(&format!("{name}-out"));

    let other = write(
        "other-version.json",
        good.replacen(tag, "\"format\": \"dialsim-results/0\"", 1)
            .as_bytes(),
    );
    assert_exit_2(
        &["report", arg(&other), "--out", arg(&out("other"))],
        &[
            &format!(
                "results file {} was written by another version of dialsim (format \"dialsim-results/0\"",
                other.display()
            ),
            "re-run `dialsim run",
        ],
    );
    let untagged = write(
        "untagged.json",
        good.replacen(&format!("{tag},\n  "), "", 1).as_bytes(),
    );
    assert_exit_2(
        &["report", arg(&untagged), "--out", arg(&out("untagged"))],
        &["untagged.json was written by another version of dialsim (format missing"],
    );
    let frontier_text = String::from_utf8(read(&frontier)).unwrap();
    let old_frontier = write(
        "old-frontier.json",
        frontier_text
            .replacen("dialsim-frontier/2", "dialsim-frontier/1", 1)
            .as_bytes(),
    );
    assert_exit_2(
        &[
            "report",
            arg(&old_frontier),
            "--out",
            arg(&out("old-frontier")),
        ],
        &[
            "frontier file ",
            "old-frontier.json was written by another version of dialsim",
            "re-run `dialsim frontier",
        ],
    );
    let truncated = write("truncated.json", &good.as_bytes()[..good.len() / 2]);
    assert_exit_2(
        &["report", arg(&truncated), "--out", arg(&out("truncated"))],
        &[
            &format!("{}:", truncated.display()),
            "EOF while parsing",
            "not a complete dialsim results, frontier or sweep file (was it cut short?)",
        ],
    );
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-sample.ron");
    assert_exit_2(
        &["report", arg(&scenario), "--out", arg(&out("ron"))],
        &["seed-sample.ron:1:1: expected value at line 1 column 1"],
    );
    let missing = scratch("no-such-file.json");
    assert_exit_2(
        &["report", arg(&missing), "--out", arg(&out("missing"))],
        &[&format!("cannot read {}", missing.display())],
    );
    // A folder that cannot be made: a file is in the way.
    let blocked = write("blocked", b"a file");
    assert_exit_2(
        &["report", arg(&results), "--out", arg(&blocked)],
        &["it is a file, not a folder", "blocked"],
    );
    for name in [
        "other",
        "untagged",
        "old-frontier",
        "truncated",
        "ron",
        "missing",
    ] {
        assert!(!out(name).exists(), "{name}: a report was written");
    }
}

/// The browser to use: `$CHROMIUM`, or `chromium` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
}

/// Opens `page` in headless Chromium and returns the screenshot's path and the URLs the page
/// itself requested from the network (from Chromium's network log: requests made for a
/// `file://` page carry its origin; the browser's own background requests do not). Host names
/// resolve to nothing, so no request can leave the machine.
fn open_in_chromium(browser: &Path, page: &Path, work: &Path) -> (PathBuf, Vec<String>) {
    std::fs::create_dir_all(work).unwrap();
    let shot = work.join("screenshot.png");
    let net_log = work.join("net-log.json");
    let page = page.canonicalize().expect("the page exists");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1280,2000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        text(&out.stderr)
    );
    let log: Value = serde_json::from_slice(&read(&net_log)).expect("Chromium's network log");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("the network log names its event types");
    let requested = log["events"]
        .as_array()
        .expect("network log events")
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .map(|e| &e["params"])
        .filter(|p| {
            p["initiator"] == "null"
                || p["network_isolation_key"]
                    .as_str()
                    .is_some_and(|k| k.contains("file://"))
        })
        .filter_map(|p| p["url"].as_str().map(String::from))
        .collect();
    (shot, requested)
}

#[test]
fn the_page_renders_in_headless_chromium_without_the_network() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (CI must run this test: .ci/run installs it; or set CHROMIUM)"
        );
        eprintln!(
            "note: skipping the headless Chromium test: no `chromium` on the PATH and no CHROMIUM"
        );
        return;
    };
    let dir = scratch("browser");
    success(&[
        "compare",
        "scenarios/day-100-agents.ron",
        "--replications",
        "3",
        "--report",
        arg(&dir),
        "-q",
    ]);
    let html = String::from_utf8(read(&dir.join("index.html"))).unwrap();
    let lower = html.to_lowercase();
    for forbidden in [
        "http://", "https://", "<script", "<link", " src=", "url(", "@import", "<iframe",
        "<object", "<embed",
    ] {
        assert!(
            !lower.contains(forbidden),
            "index.html contains {forbidden:?}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 11, "every chart inline");
    assert!(html.contains("<style>") && html.contains("<table>"));

    // The detector sees a page that does reach for the network: a control page.
    let control = scratch("browser-control");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::write(
        control.join("index.html"),
        "<!DOCTYPE html><html><body><p>control</p>\
         <img src=\"http://example.invalid/x.png\" alt=\"\"></body></html>",
    )
    .unwrap();
    let (_, requested) = open_in_chromium(&browser, &control.join("index.html"), &control);
    assert!(
        requested.iter().any(|u| u.contains("example.invalid")),
        "the network log shows no request of the control page: {requested:?}"
    );

    let (shot, requested) =
        open_in_chromium(&browser, &dir.join("index.html"), &scratch("browser-run"));
    assert!(requested.is_empty(), "the page requested {requested:?}");
    let img = image::open(&shot)
        .expect("the screenshot decodes")
        .to_rgb8();
    assert_eq!(img.dimensions(), (1280, 2000));
    let pixels = img.pixels().count();
    let non_white = img
        .pixels()
        .filter(|p| p.0.iter().any(|&c| c < 235))
        .count();
    let dark = img
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c < 100))
        .count();
    // Chart lines: saturated colours, far from grey.
    let colourful = img
        .pixels()
        .filter(|p| {
            let [r, g, b] = p.0.map(i32::from);
            r.max(g).max(b) - r.min(g).min(b) > 80
        })
        .count();
    let distinct: BTreeSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    eprintln!(
        "screenshot {}: {non_white} non-white, {dark} dark, {colourful} colourful pixels of \
         {pixels}, {} colours",
        shot.display(),
        distinct.len()
    );
    assert!(
        non_white > pixels / 50,
        "a blank page: {non_white} non-white pixels"
    );
    assert!(dark > 5_000, "hardly any text: {dark} dark pixels");
    assert!(
        colourful > 2_000,
        "no chart in view: {colourful} colourful pixels"
    );
    assert!(distinct.len() > 200, "{} colours", distinct.len());
}

/// Runs `dialsim args` and waits at most `seconds` for it: a regression that spins fails here
/// (the process is killed) instead of hanging the suite. Returns standard error, after checking
/// the exit code and that nothing panicked.
#[track_caller]
fn exits_within(seconds: u64, args: &[&str], code: i32) -> String {
    let (status, stderr) = common::within(seconds, args, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(status, Some(code), "{args:?}\n{stderr}");
    stderr
}

/// A results file of `dialsim run` (2 replications of the seed sample), written once per test
/// binary, as JSON to edit.
fn saved_results() -> &'static Value {
    static SAVED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SAVED.get_or_init(|| {
        let path = scratch("edited-source.json");
        success(&[
            "run",
            "scenarios/seed-sample.ron",
            "--replications",
            "2",
            "--json",
            arg(&path),
            "-q",
        ]);
        serde_json::from_slice(&read(&path)).expect("a results file")
    })
}

/// `dialsim report` of the saved results after `edit`: exits 2 within a minute, writes no
/// report, and says `expect` after naming the file; returns standard error.
#[track_caller]
fn report_refuses(name: &str, edit: impl FnOnce(&mut Value), expect: &str) -> String {
    let mut value = saved_results().clone();
    edit(&mut value);
    let file = scratch(&format!("{name}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let out = scratch(&format!("{name}-out"));
    let stderr = exits_within(60, &["report", arg(&file), "--out", arg(&out)], 2);
    let want = format!("error: {}: {expect}", file.display());
    assert!(stderr.starts_with(&want), "want {want:?}\n got {stderr}");
    assert!(!out.exists(), "a refused file writes no report");
    stderr
}

const REWRITE_RESULTS: &str =
    "the file was edited or damaged; write it again with `dialsim run SCENARIO --json FILE`";

// What broke: an interval bound near 1.7e308 sent the chart's tick search into an endless loop
// (`dialsim report` at 100% CPU forever) instead of refusing the file.
#[test]
fn report_of_an_extreme_interval_exits_2_instead_of_spinning() {
    let stderr = report_refuses(
        "extreme-ci",
        |v| v["strategies"][0]["metrics"]["occupancy"]["ci95"][0] = (-1.7e308).into(),
        "strategies[0].metrics.occupancy.ci95[0] is -1.7e308, below -1e15, the largest \
         magnitude of any number dialsim writes",
    );
    assert!(stderr.contains(REWRITE_RESULTS), "{stderr}");
}

// What broke: a wait-distribution point near 1.7e308 hung the wait chart's axis the same way.
#[test]
fn report_of_an_extreme_wait_exits_2_instead_of_spinning() {
    let stderr = report_refuses(
        "extreme-wait",
        |v| v["strategies"][1]["wait_cdf"][50][0] = 1.7e308.into(),
        "strategies[1].wait_cdf[50][0] is 1.7e308, above 1e15",
    );
    assert!(stderr.contains(REWRITE_RESULTS), "{stderr}");
}

// What broke: an interval with its ends swapped (lo > hi) was drawn and tabled as if it were
// one, quietly.
#[test]
fn report_of_a_reversed_interval_exits_2() {
    report_refuses(
        "reversed",
        |v| {
            let e = &mut v["strategies"][0]["metrics"]["talk_min_per_agent_hour"];
            let [lo, hi] = [e["ci95"][0].clone(), e["ci95"][1].clone()];
            e["ci95"] = serde_json::json!([hi, lo]);
        },
        "strategies[0].metrics.talk_min_per_agent_hour.ci95 is [",
    );
    // A mean outside its own interval is as wrong.
    report_refuses(
        "mean-outside",
        |v| v["strategies"][0]["metrics"]["occupancy"]["mean"] = 2.0.into(),
        "strategies[0].metrics.occupancy.mean is 2, outside its interval [",
    );
}

// What broke: a metric this version does not know (a typo, another tool's key) was rendered
// under its own name as if it were one of dialsim's.
#[test]
fn report_of_an_unknown_metric_exits_2() {
    report_refuses(
        "unknown-metric",
        |v| {
            let metrics = v["strategies"][0]["metrics"].as_object_mut().unwrap();
            let occupancy = metrics.remove("occupancy").unwrap();
            metrics.insert("occupation".into(), occupancy);
        },
        "strategies[0].metrics has \"occupation\", which is not a metric of this version",
    );
}

// What broke: a results file missing a metric rendered with a hole where the metric was, and
// no word that anything was missing.
#[test]
fn report_of_a_missing_metric_exits_2() {
    report_refuses(
        "missing-metric",
        |v| {
            let metrics = v["strategies"][1]["metrics"].as_object_mut().unwrap();
            metrics.remove("wait_p90_s");
        },
        "strategies[1].metrics lacks \"wait_p90_s\": every metric must be there",
    );
    // So is a series shorter than the others.
    report_refuses(
        "short-series",
        |v| {
            let dials = v["strategies"][0]["series"]["values"]["dials"]
                .as_array_mut()
                .unwrap();
            dials.pop();
        },
        "strategies[0].series.values.dials has ",
    );
}

// What broke: a frontier file with an extreme number hung its chart as a results file did.
#[test]
fn report_of_an_extreme_frontier_exits_2_instead_of_spinning() {
    let path = scratch("extreme-frontier-source.json");
    success(&[
        "frontier",
        "scenarios/frontier-quick.ron",
        "--target-abandon",
        "0.03",
        "--replications",
        "2",
        "--json",
        arg(&path),
        "-q",
    ]);
    let mut value: Value = serde_json::from_slice(&read(&path)).unwrap();
    value["strategies"][1]["tried"][0]["gain"]["ci95"][1] = 1.7e308.into();
    let file = scratch("extreme-frontier.json");
    std::fs::write(&file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let out = scratch("extreme-frontier-out");
    let stderr = exits_within(60, &["report", arg(&file), "--out", arg(&out)], 2);
    assert!(
        stderr.contains("strategies[1].tried[0].gain.ci95[1] is 1.7e308, above 1e15")
            && stderr.contains("write it again with `dialsim frontier"),
        "{stderr}"
    );
    assert!(!out.exists());
}

// A window that closes before it opens cannot have been written by `dialsim run`.
#[test]
fn report_of_a_reversed_measurement_window_exits_2() {
    let stderr = report_refuses(
        "reversed-window",
        |v| {
            v.as_object_mut().unwrap().insert(
                "measure".into(),
                serde_json::json!({"from_h": 7.0, "to_h": 1.0}),
            );
        },
        "measure.to_h is 1: the window closes after it opens, at from_h 7",
    );
    assert!(stderr.contains(REWRITE_RESULTS), "{stderr}");
    report_refuses(
        "negative-window",
        |v| {
            v.as_object_mut().unwrap().insert(
                "measure".into(),
                serde_json::json!({"from_h": -1.0, "to_h": null}),
            );
        },
        "measure.from_h is -1, but cannot be negative",
    );
}
