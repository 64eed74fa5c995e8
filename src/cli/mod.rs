//! Command-line arguments and the subcommands behind them.

mod calibrate;
mod check;
mod compare;
mod diff;
mod frontier;
mod guard;
mod report;
mod run;
mod sweep;
mod table;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rules::words::AbandonDefinition;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "dialsim",
    version,
    about = "Simulate outbound-dialing pacing strategies before dialing a single customer"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every strategy of a scenario file and print the metrics with 95% confidence intervals.
    Run(run::RunCommand),
    /// Run every strategy on the same replications and compare each with a baseline, with
    /// paired 95% confidence intervals of the differences.
    Compare(CompareArgs),
    /// Find each strategy's most productive setting whose abandon rate stays under a target,
    /// and its gain in talk time over a progressive dialer.
    Frontier(FrontierArgs),
    /// Check the gates of scenario files (or of every *.ron in a folder) on every strategy, and
    /// optionally compare with a baseline: exit 0 when all hold, 1 when one fails (for CI).
    Check(check::CheckArgs),
    /// Render a report directory (HTML page, charts, Markdown, CSV) from a results or frontier
    /// file written with --json, or a sweep file; the file is validated first.
    Report(ReportArgs),
    /// Run a base scenario over a grid of field values (a sweep file), on this machine or as one
    /// shard of many (docs/cluster.md).
    Sweep(sweep::SweepArgs),
    /// Compare two saved results files of one scenario, before (A) and after (B) a change:
    /// which strategy each picks, what crossed the cap, and B − A of every strategy's metrics,
    /// paired by day where both ran the same seed and replications.
    Diff(diff::DiffArgs),
    /// Combine the part files of a sharded sweep into its results file (the same bytes one
    /// machine would have written).
    Merge(sweep::MergeArgs),
    /// Write a scenario calibrated from Amazon Connect contact records: the dial outcomes
    /// (overall and per local hour), the IVR choices, the queue's patience, talk and after-call
    /// work, each with its sample size and fit.
    Calibrate(calibrate::CalibrateArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The scenario file (RON); see scenarios/README.md.
    pub scenario: PathBuf,
    /// Also write the results (docs/results.md) to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a report to this folder: index.html (charts and tables, self-contained),
    /// each chart as PNG and SVG, summary.md, metrics.csv, days.csv and series.csv (run and
    /// compare) and results.json.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Replications per strategy (overrides the scenario's `replications`), 1 to 100,000.
    #[arg(long, value_parser = replications_flag)]
    pub replications: Option<u32>,
    /// Seed of every random stream (overrides the scenario's `seed`): 0 to 18446744073709551615.
    #[arg(long, value_parser = seed_flag, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub common: RunArgs,
    /// The strategy the others are compared with: its number in the scenario's list (1 is the
    /// first) or the start of its label, e.g. "Predictive". Default: the first.
    #[arg(long, value_name = "NAME_OR_INDEX")]
    pub baseline: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct FrontierArgs {
    #[command(flatten)]
    pub common: RunArgs,
    /// The cap on the upper end of the abandon rate's 95% confidence interval, a fraction
    /// between 0 and 1, e.g. 0.03 for 3%.
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
    pub target_abandon: f64,
    /// Which abandon rate the target caps: regulatory (÷ live answers, the US rule's) or queue
    /// (÷ callers who entered the queue).
    #[arg(long, value_name = "DEFINITION", value_parser = definition_flag(), default_value = "regulatory")]
    pub definition: AbandonDefinition,
    /// Judge days, not their mean: a setting passes when the share of days (replications) whose
    /// abandon rate is over the target stays below this risk, by the upper end of its exact
    /// binomial interval (e.g. 0.05: at most 5% of days over). Without it, the mean-based rule:
    /// the upper end of the campaign rate's interval below the target.
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
    pub risk: Option<f64>,
    /// Run every setting tried on every replication. Without it a setting is looked at after a
    /// quarter of the replications, then twice as many, and one whose 99% interval is already
    /// clear of the target is settled there (docs/results.md, "Early looks"); the chosen
    /// setting always runs them all.
    #[arg(long)]
    pub every_replication: bool,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A results file (`run` or `compare` with --json), a frontier file (`frontier` with --json)
    /// or a sweep file (`sweep` or `merge` with --out).
    pub file: PathBuf,
    /// The folder to write the report to (created if missing; files of the same names are
    /// replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--definition regulatory|queue`: the rules' word for which abandon rate is meant.
fn definition_flag() -> impl clap::builder::TypedValueParser<Value = AbandonDefinition> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new([
        PossibleValue::new("regulatory").help(
            "abandon_rate_regulatory: live answers not bridged within the threshold ÷ live answers",
        ),
        PossibleValue::new("queue").help("abandon_rate: abandons ÷ queue entries"),
    ])
    .map(|flag| match flag.as_str() {
        "queue" => AbandonDefinition::Queue,
        _ => AbandonDefinition::Regulatory,
    })
}

/// `--replications`: 1 to [`sim::scenario::MAX_REPLICATIONS`].
pub fn replications_flag(text: &str) -> Result<u32, String> {
    let max = sim::scenario::MAX_REPLICATIONS;
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=u64::from(max)).contains(&n) => Ok(n as u32),
        _ => Err(format!(
            "expected a whole number of replications from 1 to {max}, found {text:?}: each replication is one simulated day, kept in memory until the summary"
        )),
    }
}

/// `--seed`: a whole number from 0 to 2^64 - 1 (a negative one is named as such, since clap's
/// own hint for it does not apply here).
pub fn seed_flag(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, found {text:?}: seeds are not negative",
            u64::MAX
        )
    })
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Frontier(args) => frontier::frontier(&args),
        Command::Check(args) => check::check(&args),
        Command::Report(args) => report::report(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => sweep::merge(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
    }
}

/// What `--replications`, `--seed`, `--jobs` and `--quiet` ask for: the flags every command that
/// simulates shares.
#[derive(Clone, Copy, Debug)]
struct Setup {
    replications: Option<u32>,
    seed: Option<u64>,
    jobs: Option<u32>,
    quiet: bool,
}

impl Setup {
    /// Loads a scenario with `--replications` and `--seed` applied, and refuses it if it would
    /// not fit in memory; the scenario is returned too (for its input files).
    fn load_scenario(&self, path: &Path) -> anyhow::Result<(sim::scenario::Scenario, lab::Plan)> {
        let (scenario, plan) = lab::load::load_with(path, |scenario| {
            if let Some(r) = self.replications {
                scenario.replications = r;
            }
            if let Some(s) = self.seed {
                scenario.seed = s;
            }
        })?;
        let threads = self
            .jobs
            .map_or_else(rayon::current_num_threads, |j| j as usize);
        guard::memory(
            path,
            plan.memory_estimate(threads),
            &format!(
                "{} replications × {} strategies × {} kept until the summary, at most; {} customers and {} agents on {threads} threads",
                plan.replications,
                plan.strategies.len(),
                guard::bytes(plan.world.replication_bytes()),
                plan.world.customers.len(),
                plan.world.agents.len()
            ),
            "run fewer replications (--replications), fewer strategies, fewer threads (--jobs), a wider series_interval_min, a shorter horizon_h or a shorter list",
        )?;
        Ok((scenario, plan))
    }

    /// The worker threads `--jobs` asks for (0: rayon's default, all cores).
    fn thread_pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.map_or(0, |j| j as usize))
            .build()
            .context("cannot start worker threads")
    }

    /// A progress bar on stderr counting replications, hidden with `--quiet`.
    fn progress(&self, total: u64, template: &str) -> ProgressBar {
        let bar = if self.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        // indicatif's own {per_sec} prints four decimals ("14.2141/s").
        let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1}/s", state.per_sec());
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid template")
                .with_key("rate", rate),
        );
        bar
    }
}

impl RunArgs {
    fn setup(&self) -> Setup {
        Setup {
            replications: self.replications,
            seed: self.seed,
            jobs: self.jobs,
            quiet: self.quiet,
        }
    }

    /// The scenario with `--replications` and `--seed` applied, once its outputs (`--json`,
    /// `--report`) are known to be writable and none of them is an input.
    fn load_model(&self) -> anyhow::Result<lab::Plan> {
        let (scenario, plan) = self.setup().load_scenario(&self.scenario)?;
        let base = self.scenario.parent().unwrap_or(Path::new("."));
        let mut inputs = vec![self.scenario.clone()];
        inputs.extend(scenario.input_files(base));
        let mut outputs = Vec::new();
        if let Some(path) = &self.json {
            outputs.push(guard::Output {
                flag: "--json",
                path,
                kind: guard::OutputKind::File,
            });
        }
        if let Some(path) = &self.report {
            outputs.push(guard::Output {
                flag: "--report",
                path,
                kind: guard::OutputKind::Folder,
            });
        }
        guard::outputs(&inputs, &outputs)?;
        Ok(plan)
    }
}

/// The progress bar's template of `run` and `compare`.
/// Counts replications of every strategy: `run` of 2 strategies × 70 replications shows 140.
const REPLICATIONS_BAR: &str =
    "{bar:30} {pos}/{len} runs (strategies × replications)  {rate}  {eta} left";

/// The replications of every strategy of `plan`: what running it once takes.
fn total_replications(plan: &lab::Plan) -> u64 {
    u64::from(plan.replications) * plan.strategies.len() as u64
}

/// Prints a command's table, then writes what `--json` and `--report` ask for: the results as
/// pretty-printed JSON with a final newline (the same text as a report's `results.json`), and the
/// report directory.
fn output(args: &RunArgs, table: &str, report: reports::Report) -> anyhow::Result<ExitCode> {
    print!("{table}");
    if let Some(path) = &args.json {
        std::fs::write(path, report.json())
            .with_context(|| format!("cannot write results to {}", path.display()))?;
    }
    write_report(args, report)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the report directory `--report` asks for, and says where it is unless `--quiet`.
fn write_report(args: &RunArgs, report: reports::Report) -> anyhow::Result<()> {
    let Some(dir) = &args.report else {
        return Ok(());
    };
    let written = reports::write_report(dir, &report)?;
    if !args.quiet {
        eprintln!(
            "report: {} ({} files)",
            written.index().display(),
            written.files.len()
        );
    }
    Ok(())
}
