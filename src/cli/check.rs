//! `dialsim check`: the regression gate for CI. Runs every scenario given (a file, or every `*.ron`
//! directly in a folder), judges each scenario's `gates: [...]` on every strategy, optionally
//! compares with a baseline, and exits 0 when everything holds, 1 when a gate fails or a metric
//! regressed, 2 on bad input. Writes JUnit XML (`--junit`) and a Markdown summary
//! (`--format markdown`) for CI systems; docs/ci.md shows both in use.

use super::table::layout;
use anyhow::{Context, bail};
use lab::Plan;
use lab::baseline::{Baseline, StrategyComparison, StrategyEntry};
use lab::check::ScenarioCheck;
use lab::gates::{Judge, Verdict, fmt_estimate, number};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use sim::gate::Gate;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files, or folders: every *.ron file directly in a folder, in name order (not its
    /// subfolders).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also write a JUnit XML file: one test suite per scenario, one test case per strategy and
    /// gate (and per strategy and metric compared with --baseline).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Compare with a baseline written by --write-baseline: fail when a metric got worse beyond
    /// its tolerance and the paired difference's 95% interval excludes 0 (docs/ci.md).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the per-replication values of the compared metrics of every scenario and strategy
    /// checked to this file, as a baseline for later --baseline runs.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// What to print on standard output: a plain-text table, or a Markdown summary for a
    /// pull-request comment.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Replications per strategy (overrides every scenario's `replications`), 1 to 100,000.
    #[arg(long, value_parser = super::replications_flag)]
    pub replications: Option<u32>,
    /// Seed of every random stream (overrides every scenario's `seed`).
    #[arg(long, value_parser = super::seed_flag, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl CheckArgs {
    fn setup(&self) -> super::Setup {
        super::Setup {
            replications: self.replications,
            seed: self.seed,
            jobs: self.jobs,
            quiet: self.quiet,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Tables for a terminal or a CI log.
    Text,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// One scenario file, loaded.
struct Scenario {
    path: PathBuf,
    plan: Plan,
}

/// How a scenario fared against the baseline.
enum Against {
    /// No `--baseline`.
    NotAsked,
    /// Every strategy against its entry (a baseline must hold them all).
    Compared(Vec<StrategyComparison>),
}

/// One scenario, checked.
struct Checked {
    scenario: Scenario,
    /// `None`: not run (no gates, and no baseline asked for).
    check: Option<ScenarioCheck>,
    against: Against,
    elapsed: Duration,
}

impl Checked {
    fn name(&self) -> &str {
        &self.scenario.plan.name
    }

    fn title(&self) -> String {
        format!("{} ({})", self.name(), self.scenario.path.display())
    }

    /// (strategy, gate, verdict) in order.
    fn verdicts(&self) -> impl Iterator<Item = (&str, &Gate, &Verdict)> {
        self.check.iter().flat_map(move |c| {
            c.strategies.iter().flat_map(move |s| {
                self.scenario
                    .plan
                    .gates
                    .iter()
                    .zip(&s.verdicts)
                    .map(move |(g, v)| (s.result.name.as_str(), g, v))
            })
        })
    }

    fn comparisons(&self) -> &[StrategyComparison] {
        match &self.against {
            Against::Compared(c) => c,
            _ => &[],
        }
    }
}

pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    // Everything that can be wrong with the input is found before the first replication runs.
    let setup = args.setup();
    let mut scenarios = Vec::new();
    let mut inputs: Vec<PathBuf> = args.baseline.iter().cloned().collect();
    for path in scenario_files(&args.paths)? {
        let (scenario, plan) = setup.load_scenario(&path)?;
        inputs.push(path.clone());
        inputs.extend(scenario.input_files(path.parent().unwrap_or(Path::new("."))));
        scenarios.push(Scenario { path, plan });
    }
    let mut outputs = Vec::new();
    for (flag, path) in [
        ("--junit", &args.junit),
        ("--write-baseline", &args.write_baseline),
    ] {
        if let Some(path) = path {
            outputs.push(super::guard::Output {
                flag,
                path,
                kind: super::guard::OutputKind::File,
            });
        }
    }
    super::guard::outputs(&inputs, &outputs)?;
    if args.write_baseline.is_some() {
        for (i, s) in scenarios.iter().enumerate() {
            if let Some(other) = scenarios[..i].iter().find(|o| o.plan.name == s.plan.name) {
                bail!(
                    "{} and {} are both named {:?}: a baseline keys scenarios by name; rename one",
                    other.path.display(),
                    s.path.display(),
                    s.plan.name
                );
            }
        }
    }
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    if let (Some(baseline), Some(file)) = (&baseline, &args.baseline) {
        for s in &scenarios {
            covering(baseline, file, &s.plan)?;
        }
    }

    let wanted =
        |m: &Plan| !m.gates.is_empty() || baseline.is_some() || args.write_baseline.is_some();
    let pool = setup.thread_pool()?;
    let total: u64 = scenarios
        .iter()
        .filter(|s| wanted(&s.plan))
        .map(|s| super::total_replications(&s.plan))
        .sum();
    let bar = setup.progress(
        total,
        "{bar:30} {pos}/{len} runs (strategies × replications)  {rate}  {eta} left  {msg}",
    );
    let mut checked = Vec::new();
    for scenario in scenarios {
        let start = Instant::now();
        let check = wanted(&scenario.plan).then(|| {
            bar.set_message(scenario.plan.name.clone());
            pool.install(|| lab::check::check(&scenario.plan, &|| bar.inc(1)))
        });
        let against = match (&baseline, &args.baseline, &check) {
            (Some(baseline), Some(file), Some(check)) => {
                let matched = covering(baseline, file, &scenario.plan)?;
                Against::Compared(lab::baseline::compare(&matched, check))
            }
            _ => Against::NotAsked,
        };
        checked.push(Checked {
            scenario,
            check,
            against,
            elapsed: start.elapsed(),
        });
    }
    bar.finish_and_clear();
    if let Some(file) = &args.baseline {
        let comparable = checked
            .iter()
            .flat_map(|c| c.comparisons())
            .flat_map(|s| &s.metrics)
            .filter(|m| m.difference.ci95.is_some())
            .count();
        if comparable == 0 {
            bail!(
                "{}: nothing was compared: no metric had two replications defined in both this run \
                 and the baseline, so nothing could regress; check with 2 replications or more, or \
                 re-write the baseline with `dialsim check ... --write-baseline FILE`",
                file.display()
            );
        }
    }

    let failures = failure_lines(&checked);
    match args.format {
        Format::Text => {
            print!("{}", text(&checked, args.baseline.as_deref()));
            for line in &failures {
                println!("{line}");
            }
            println!("{}", summary(&checked, args.baseline.as_deref()));
        }
        Format::Markdown => {
            print!(
                "{}",
                markdown(&checked, &failures, args.baseline.as_deref())
            );
            for line in &failures {
                eprintln!("{line}");
            }
        }
    }
    if let Some(path) = &args.junit {
        let xml = junit(&checked).context("cannot encode the JUnit report")?;
        std::fs::write(path, xml)
            .with_context(|| format!("cannot write the JUnit report to {}", path.display()))?;
    }
    if let Some(path) = &args.write_baseline {
        let runs = checked.iter().filter_map(|c| {
            c.check
                .as_ref()
                .map(|check| (check, c.scenario.plan.strategies.as_slice()))
        });
        let baseline = Baseline::from_checks(runs)
            .map_err(|e| anyhow::anyhow!("{}: not written: {e}", path.display()))?;
        std::fs::write(path, baseline.to_json())
            .with_context(|| format!("cannot write the baseline to {}", path.display()))?;
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The scenario files `paths` name: files as given, folders as their `*.ron` files in name order.
fn scenario_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read folder {}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            // Not `is_file`: a broken link named *.ron must fail, not drop out of the gate.
            .filter(|p| !p.is_dir() && p.extension().is_some_and(|e| e == "ron"))
            .collect();
        if found.is_empty() {
            bail!(
                "{}: no scenario files (*.ron) in this folder; its subfolders are not searched",
                path.display()
            );
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// The baseline's entry of every strategy of `m`. A baseline that misses a scenario or a strategy
/// checked cannot judge it (the gate would pass whatever changed there): an error naming it.
fn covering<'b>(
    baseline: &'b Baseline,
    file: &Path,
    m: &Plan,
) -> anyhow::Result<Vec<&'b StrategyEntry>> {
    baseline
        .covering(&m.name, m.seed, m.replications, &m.strategies)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let text = lab::files::read_to_string(path, lab::files::MAX_DATA_BYTES)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    Baseline::parse(&text).map_err(|e| match e {
        lab::baseline::BaselineError::Json { .. } => {
            anyhow::anyhow!("{}:{e}", path.display())
        }
        e => anyhow::anyhow!("{}: {e}", path.display()),
    })
}

/// One line per failed gate and per regressed metric.
fn failure_lines(checked: &[Checked]) -> Vec<String> {
    let mut lines = Vec::new();
    for c in checked {
        for (strategy, _, v) in c.verdicts().filter(|(_, _, v)| !v.passed) {
            lines.push(format!(
                "FAIL {}: {strategy}: {}: {}",
                c.title(),
                v.gate,
                v.reason
            ));
        }
        for s in c.comparisons() {
            for m in s.metrics.iter().filter(|m| m.regressed) {
                lines.push(format!(
                    "FAIL {}: {}: baseline: {}",
                    c.title(),
                    s.name,
                    m.reason
                ));
            }
        }
    }
    lines
}

/// The measured value of a verdict, with its interval, in the gate's unit.
fn measured(gate: &Gate, v: &Verdict, replications: u32) -> String {
    match gate.display_unit() {
        Some((scale, unit)) => fmt_estimate(&v.measured, scale, unit, v.metric.decimals()),
        None => {
            let total = v.measured.mean.unwrap_or(0.0) * f64::from(replications);
            format!("{} in {replications} replications", total.round())
        }
    }
}

/// What the gate demands, in the gate's unit.
fn limit(gate: &Gate) -> String {
    match gate {
        Gate::AbandonRate { max, .. } => format!("upper < {}%", number(max.get() * 100.0)),
        Gate::Occupancy { min } => format!("lower ≥ {}%", number(min.get() * 100.0)),
        Gate::WaitP90 { max_s } => format!("upper ≤ {} s", number(max_s.get())),
        Gate::ListExhausted { within_h } => {
            format!("every replication, upper ≤ {} h", number(within_h.get()))
        }
        Gate::Zero { .. } => "0 in every replication".into(),
    }
}

fn tolerance(m: &lab::baseline::MetricComparison) -> String {
    let (scale, unit) = (m.metric.scale(), m.metric.difference_unit());
    format!("{:.3} {unit}", m.tolerance * scale)
}

fn difference(m: &lab::baseline::MetricComparison) -> String {
    let (scale, unit) = (m.metric.scale(), m.metric.difference_unit());
    let signed = |v: f64| {
        let v = v * scale;
        format!("{:+.3}", if v == 0.0 { 0.0 } else { v })
    };
    match (m.difference.mean, m.difference.ci95) {
        (Some(d), Some([lo, hi])) => {
            format!("{} {unit} [{}, {}]", signed(d), signed(lo), signed(hi))
        }
        (Some(d), None) => format!("{} {unit} (no interval)", signed(d)),
        _ => "undefined".into(),
    }
}

fn against_label(m: &lab::baseline::MetricComparison) -> &'static str {
    if m.regressed {
        "REGRESSED"
    } else if m.beyond_tolerance {
        "ok (noise)"
    } else {
        "ok"
    }
}

fn text(checked: &[Checked], baseline: Option<&Path>) -> String {
    let mut out = String::new();
    for c in checked {
        let m = &c.scenario.plan;
        let _ = writeln!(
            out,
            "scenario {} — seed {}, {} replications",
            c.title(),
            m.seed,
            m.replications
        );
        if let Some(w) = lab::summary::Window::of(m.measure) {
            let _ = writeln!(out, "  {}", super::table::measured(&w));
        }
        if m.gates.is_empty() {
            let _ = writeln!(out, "  no gates: nothing to check");
        } else {
            // A heading per strategy and its gates under it: the strategy's name (up to 70
            // characters) in a column of its own made the table 250 wide.
            let mut rows = vec![vec![
                "gate".to_string(),
                "measured [95% CI]".into(),
                "limit".into(),
                "result".into(),
            ]];
            let mut current: Option<&str> = None;
            for (strategy, gate, v) in c.verdicts() {
                if current != Some(strategy) {
                    current = Some(strategy);
                    rows.push(vec![strategy.to_string()]);
                }
                rows.push(vec![
                    format!("  {}", v.gate),
                    measured(gate, v, m.replications),
                    limit(gate),
                    if v.passed { "pass" } else { "FAIL" }.into(),
                ]);
            }
            out.push_str(&grouped(&rows));
        }
        if let Some(file) = baseline {
            match &c.against {
                Against::Compared(strategies) => {
                    let _ = writeln!(
                        out,
                        "  against the baseline {} (current − baseline, paired by replication):",
                        file.display()
                    );
                    let mut rows = vec![vec![
                        "strategy".to_string(),
                        "metric".into(),
                        "difference [95% CI]".into(),
                        "tolerance".into(),
                        "result".into(),
                    ]];
                    for s in strategies {
                        for metric in &s.metrics {
                            rows.push(vec![
                                s.name.clone(),
                                metric.metric.key().to_string(),
                                difference(metric),
                                tolerance(metric),
                                against_label(metric).into(),
                            ]);
                        }
                    }
                    out.push_str(&layout(&rows, "  ", usize::MAX));
                }
                Against::NotAsked => {}
            }
        }
        out.push('\n');
    }
    out
}

/// The closing line, e.g. "check: all 52 gates hold in 2 scenarios".
fn summary(checked: &[Checked], baseline: Option<&Path>) -> String {
    let gates = checked.iter().map(|c| c.verdicts().count()).sum::<usize>();
    let failed = checked
        .iter()
        .map(|c| c.verdicts().filter(|(_, _, v)| !v.passed).count())
        .sum::<usize>();
    let scenarios = match checked.len() {
        1 => "1 scenario".to_string(),
        n => format!("{n} scenarios"),
    };
    let mut line = if gates == 0 {
        format!("check: no gates in {scenarios}")
    } else if failed == 0 {
        format!("check: all {gates} gates hold in {scenarios}")
    } else {
        format!("check: {failed} of {gates} gates failed in {scenarios}")
    };
    let ungated = checked
        .iter()
        .filter(|c| c.scenario.plan.gates.is_empty())
        .count();
    if ungated > 0 && gates > 0 {
        let _ = write!(line, " ({ungated} without gates)");
    }
    if let Some(file) = baseline {
        let compared: usize = checked
            .iter()
            .flat_map(|c| c.comparisons())
            .map(|s| s.metrics.len())
            .sum();
        let regressed: usize = checked
            .iter()
            .flat_map(|c| c.comparisons())
            .map(|s| s.metrics.iter().filter(|m| m.regressed).count())
            .sum();
        let _ = match regressed {
            0 => write!(
                line,
                "; no regression against {} ({compared} metrics compared)",
                file.display()
            ),
            n => write!(
                line,
                "; {n} of {compared} metrics regressed against {}",
                file.display()
            ),
        };
    }
    line
}

/// A table cell: pipes escaped, so that a label cannot break the table.
fn md(text: &str) -> String {
    text.replace('|', "\\|")
}

fn markdown(checked: &[Checked], failures: &[String], baseline: Option<&Path>) -> String {
    let mut out = String::new();
    let icon = if failures.is_empty() { "✅" } else { "❌" };
    let line = summary(checked, baseline);
    let line = line.trim_start_matches("check: ");
    let mut chars = line.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    let _ = writeln!(
        out,
        "## dialsim check {icon}\n\n{}{}.\n",
        first.unwrap_or_default(),
        chars.as_str()
    );
    if !failures.is_empty() {
        let _ = writeln!(out, "**Failures**\n");
        for line in failures {
            let _ = writeln!(out, "- {}", line.trim_start_matches("FAIL "));
        }
        out.push('\n');
    }
    for c in checked {
        let m = &c.scenario.plan;
        let _ = writeln!(
            out,
            "### {} — `{}`, seed {}, {} replications\n",
            md(&m.name),
            c.scenario.path.display(),
            m.seed,
            m.replications
        );
        if let Some(w) = lab::summary::Window::of(m.measure) {
            let _ = writeln!(out, "{}.\n", super::table::measured(&w));
        }
        if m.gates.is_empty() {
            let _ = writeln!(out, "No gates: nothing to check.\n");
        } else {
            let _ = writeln!(
                out,
                "| strategy | gate | measured [95% CI] | limit | result |\n|---|---|---|---|---|"
            );
            for (strategy, gate, v) in c.verdicts() {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md(strategy),
                    md(&v.gate),
                    measured(gate, v, m.replications),
                    limit(gate),
                    if v.passed { "✅ pass" } else { "❌ **FAIL**" }
                );
            }
            out.push('\n');
        }
        match &c.against {
            Against::Compared(strategies) => {
                let regressed = strategies.iter().filter(|s| s.regressed()).count();
                let _ = writeln!(
                    out,
                    "<details{}><summary>Against the baseline: {}</summary>\n",
                    if regressed > 0 { " open" } else { "" },
                    if regressed > 0 {
                        format!("{regressed} strategies regressed")
                    } else {
                        "no regression".into()
                    }
                );
                let _ = writeln!(
                    out,
                    "| strategy | metric | difference [95% CI] | tolerance | result |\n|---|---|---|---|---|"
                );
                for s in strategies {
                    for metric in &s.metrics {
                        let _ = writeln!(
                            out,
                            "| {} | `{}` | {} | {} | {} |",
                            md(&s.name),
                            metric.metric.key(),
                            difference(metric),
                            tolerance(metric),
                            if metric.regressed {
                                "❌ **REGRESSED**"
                            } else {
                                against_label(metric)
                            }
                        );
                    }
                }
                let _ = writeln!(out, "\n</details>\n");
            }
            Against::NotAsked => {}
        }
    }
    out
}

fn junit(checked: &[Checked]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("dialsim check");
    for c in checked {
        let m = &c.scenario.plan;
        let mut suite = TestSuite::new(m.name.as_str());
        suite.add_property(("file", c.scenario.path.display().to_string().as_str()));
        suite.add_property(("seed", m.seed.to_string().as_str()));
        suite.add_property(("replications", m.replications.to_string().as_str()));
        suite.set_time(c.elapsed);
        if m.gates.is_empty() {
            let mut status = TestCaseStatus::skipped();
            status.set_message("the scenario has no gates: nothing to check");
            let mut case = TestCase::new("no gates", status);
            case.set_classname(m.name.as_str());
            suite.add_test_case(case);
        }
        for (strategy, gate, v) in c.verdicts() {
            let status = if v.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(v.reason.as_str()).set_type("gate");
                status
            };
            let mut case = TestCase::new(format!("{strategy}: {}", v.gate), status);
            case.set_classname(m.name.as_str());
            case.set_system_out(format!(
                "{}: measured {}, limit {}",
                v.metric.key(),
                measured(gate, v, m.replications),
                limit(gate)
            ));
            suite.add_test_case(case);
        }
        match &c.against {
            Against::Compared(strategies) => {
                for s in strategies {
                    for metric in &s.metrics {
                        let status = if metric.regressed {
                            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            status
                                .set_message(metric.reason.as_str())
                                .set_type("baseline regression");
                            status
                        } else {
                            TestCaseStatus::success()
                        };
                        let mut case = TestCase::new(
                            format!("{}: baseline {}", s.name, metric.metric.key()),
                            status,
                        );
                        case.set_classname(m.name.as_str());
                        case.set_system_out(metric.reason.as_str());
                        suite.add_test_case(case);
                    }
                }
            }
            Against::NotAsked => {}
        }
        report.add_test_suite(suite);
    }
    report.to_string()
}

/// [`layout`] under a two-space indent, all columns left-aligned, where a row of one cell (a
/// strategy's heading) is printed whole and does not widen the first column.
fn grouped(rows: &[Vec<String>]) -> String {
    let table: Vec<Vec<String>> = rows.iter().filter(|r| r.len() > 1).cloned().collect();
    let laid = layout(&table, "  ", usize::MAX);
    let mut lines = laid.lines();
    let mut out = String::new();
    for row in rows {
        if row.len() == 1 {
            let _ = writeln!(out, "  {}", row[0]);
        } else if let Some(line) = lines.next() {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
