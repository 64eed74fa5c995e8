//! `dialsim sweep` and `dialsim merge`: a grid of scenario variants, on one machine or cut into
//! shards for a cluster (docs/cluster.md), merged back into the file one machine would write.

use super::Setup;
use super::table;
use anyhow::Context;
use lab::catalogue::Metric;
use lab::sweep::{self, Part, Sweep, SweepResults};
use reports::tables::Decimals;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The sweep file (RON): a base scenario and the axes to vary; see scenarios/README.md.
    pub file: PathBuf,
    /// Where to write the results (or, with a shard, the part file).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (numbered from 0): the work units i with i mod N = K. Write the
    /// part with --out and combine the parts with `dialsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The number of shards when the index comes from the job-array engine's environment:
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Job), AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or
    /// SLURM_ARRAY_TASK_ID (Slurm, with --array=0-(N-1)).
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    pub shards: Option<usize>,
    /// Replications per strategy and point (overrides the sweep file and the scenario), 1 to
    /// 100,000.
    #[arg(long, value_parser = super::replications_flag)]
    pub replications: Option<u32>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The part files of every shard of one sweep.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Where to write the merged results.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

fn shard_of(args: &SweepArgs) -> anyhow::Result<(usize, usize)> {
    if let Some(spec) = &args.shard {
        return Ok(sweep::parse_shard(spec)?);
    }
    let Some(n) = args.shards else {
        return Ok((0, 1));
    };
    for var in sweep::INDEX_VARIABLES {
        if let Ok(k) = std::env::var(var) {
            return sweep::parse_shard(&format!("{}/{n}", k.trim()))
                .with_context(|| format!("shard index from {var}={k}"));
        }
    }
    anyhow::bail!(
        "--shards {n}: no shard index in the environment ({}): give --shard K/{n} instead",
        sweep::INDEX_VARIABLES.join(", ")
    )
}

fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("serializable");
    text.push('\n');
    text
}

/// What `dialsim sweep` prints: the title, the verdict, the pick at each point, then every point
/// (a strategy an axis does not set once along it), grouped by point, fitted to 100 columns.
pub fn render(results: &SweepResults) -> String {
    let mut out = format!(
        "sweep of {} — seed {}, {} replications per point, {} points, mean [95% CI]\n\n",
        results.sweep.scenario,
        results.sweep.seed,
        results.sweep.replications,
        results.sweep.points.len()
    );
    out.push_str(&table::verdict_block(reports::sweep::verdict_lines(
        results,
    )));
    // The pick at each point, a line each (the picks table is too wide for a terminal).
    let picks = reports::sweep::picks_table(results, Decimals::Terminal);
    let scenario = results.scenario_axes();
    let axes = scenario.len();
    if axes > 0 && picks.rows.iter().any(|row| row[axes + 1] != "—") {
        let _ = writeln!(out, "{}:", picks.title.to_lowercase());
        for row in &picks.rows {
            let point: Vec<String> = scenario
                .iter()
                .zip(&row[..axes])
                .map(|(&a, v)| format!("{} = {v}", results.sweep.axes[a].field))
                .collect();
            let (pick, talk, rate, over) =
                (&row[axes], &row[axes + 1], &row[axes + 2], &row[axes + 3]);
            let text = if talk == "—" {
                format!("  {}: {pick}; {over} over it", point.join(", "))
            } else {
                format!(
                    "  {}: {pick} — {talk} talk min per agent-hour, regulatory abandon rate \
                     {rate} %; {over} over the cap",
                    point.join(", ")
                )
            };
            out.push_str(&table::paragraph(&text, "    "));
        }
        if picks.note.contains("The first") {
            let _ = writeln!(
                out,
                "  (the first {} settings; every point is below)",
                picks.rows.len()
            );
        }
        out.push('\n');
    }
    // Every point: a heading line per setting of the scenario axes, a row per strategy at
    // each value of the strategy axes (its label shows them).
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("every point, strategy".to_string())
            .chain(Metric::SWEPT.iter().map(|m| m.label()))
            .collect(),
    ];
    let all = reports::sweep::point_rows(results, Decimals::Terminal);
    let shown = (0..results.rows.len()).filter(|&k| results.shown_once(k));
    let mut last: Option<Vec<String>> = None;
    for (k, cells) in shown.zip(all) {
        let (values, rest) = cells.split_at(results.sweep.axes.len());
        let setting: Vec<String> = scenario
            .iter()
            .map(|&a| format!("{} = {}", results.sweep.axes[a].field, values[a]))
            .collect();
        if !setting.is_empty() && last.as_ref() != Some(&setting) {
            rows.push(vec![setting.join(", ")]);
            last = Some(setting);
        }
        let mut key = format!("  {}", rest[0]);
        // A file of an earlier version has no labels that follow the strategy axes: their
        // values are said after the label.
        if results.sweep.specs.is_empty() {
            let s = k % results.sweep.strategies.len().max(1);
            for (a, axis) in results.sweep.axes.iter().enumerate() {
                if axis.sets.is_some() && axis.applies_to(s) {
                    let _ = write!(key, " ({} = {})", axis.field, values[a]);
                }
            }
        }
        let mut row = vec![key];
        row.extend(rest[1..].iter().cloned());
        rows.push(row);
    }
    out.push_str(&table::layout_fitted(&rows));
    out
}

pub fn sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    let (shard, shards) = shard_of(args)?;
    let threads = args
        .jobs
        .map_or_else(rayon::current_num_threads, |j| j as usize);
    let budget = super::guard::memory_budget();
    let sweep = Sweep::load_within(&args.file, args.replications, threads, budget)?;
    let mut inputs = vec![args.file.clone()];
    inputs.extend(sweep.inputs.iter().cloned());
    if let Some(out) = &args.out {
        super::guard::outputs(
            &inputs,
            &[super::guard::Output {
                flag: "--out",
                path: out,
                kind: super::guard::OutputKind::File,
            }],
        )?;
    }
    let setup = Setup {
        replications: None,
        seed: None,
        jobs: args.jobs,
        quiet: args.quiet,
    };
    let units = sweep.header().unit_count();
    let mine = (0..units).filter(|i| i % shards == shard).count();
    let bar = setup.progress(
        mine as u64,
        "{bar:30} {pos}/{len} runs (points × strategies × replications)  {rate}  {eta} left",
    );
    let done = setup
        .thread_pool()?
        .install(|| sweep.run(shard, shards, &|| bar.inc(1)));
    bar.finish_and_clear();
    if args.shard.is_some() || args.shards.is_some() {
        let out = args
            .out
            .as_ref()
            .context("a shard writes a part file: give --out FILE (then `dialsim merge`)")?;
        let part = Part {
            format: sweep::PART_FORMAT.into(),
            shard,
            shards,
            sweep: sweep.header(),
            units: done,
        };
        std::fs::write(out, json(&part))
            .with_context(|| format!("cannot write {}", out.display()))?;
        if !args.quiet {
            eprintln!(
                "shard {shard}/{shards}: {mine} of {units} units written to {}",
                out.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut units_in_order = done;
    units_in_order.sort_by_key(|(i, _)| *i);
    let scalars: Vec<_> = units_in_order.into_iter().map(|(_, s)| s).collect();
    let results = sweep::assemble(sweep.header(), &scalars);
    print!("{}", render(&results));
    if let Some(out) = &args.out {
        std::fs::write(out, json(&results))
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    super::guard::outputs(
        &args.parts,
        &[super::guard::Output {
            flag: "--out",
            path: &args.out,
            kind: super::guard::OutputKind::File,
        }],
    )?;
    let mut parts: Vec<(String, Part)> = Vec::new();
    for path in &args.parts {
        let text = lab::files::read_to_string(path, lab::files::MAX_DATA_BYTES)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let part: Part = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not a sweep part file (written by `dialsim sweep --shard`)",
                path.display()
            )
        })?;
        // A part of another format is refused by `sweep::merge`, which names it as such.
        if part.format == sweep::PART_FORMAT {
            part.validate().map_err(|e| {
                anyhow::anyhow!(
                    "{}: {e}: the file was edited or damaged; run its shard again with \
                     `dialsim sweep SWEEP --shard K/N --out FILE`",
                    path.display()
                )
            })?;
        }
        parts.push((path.display().to_string(), part));
    }
    // Parts of one sweep carry the same header; `sweep::merge` keeps the first one's, so a part
    // whose header was changed under the same identity would be merged on the wrong grid.
    if let Some(((first_name, first), rest)) = parts.split_first() {
        for (name, p) in rest {
            let same_sweep = p.sweep.identity == first.sweep.identity && p.shards == first.shards;
            if same_sweep && p.sweep != first.sweep {
                anyhow::bail!(
                    "{name}: its sweep header differs from {first_name}'s although both carry the \
                     identity {}: one of them was edited or damaged; run its shard again with \
                     `dialsim sweep SWEEP --shard K/N --out FILE`",
                    p.sweep.identity
                );
            }
        }
    }
    let results = sweep::merge(parts)?;
    std::fs::write(&args.out, json(&results))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "merged {} parts: {} points × {} strategies into {}",
        args.parts.len(),
        results.sweep.points.len(),
        results.sweep.strategies.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
