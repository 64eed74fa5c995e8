//! `dialsim compare`: every strategy of one scenario on the same replications, each compared with
//! a baseline by paired differences; a table on the terminal, optionally a JSON file.

use super::CompareArgs;
use super::table::{cell, layout};
use sim::Results;
use sim::compare::{COMPARED, CompareError};
use sim::stats::Estimate;
use std::fmt::Write;
use std::process::ExitCode;

pub fn compare(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let model = super::load_model(common)?;
    let baseline = sim::compare::baseline(&model.strategies, args.baseline.as_deref()).map_err(
        |e| match e {
            CompareError::TooFew { .. } => anyhow::anyhow!("{}: {e}", common.scenario.display()),
            e => anyhow::Error::new(e),
        },
    )?;
    let pool = super::thread_pool(common)?;
    let total = u64::from(model.replications) * model.strategies.len() as u64;
    let bar = super::progress(
        common,
        total,
        "{bar:30} {pos}/{len} replications  {per_sec}  eta {eta}",
    );
    let results = pool.install(|| sim::compare::compare(&model, baseline, &|| bar.inc(1)));
    bar.finish_and_clear();
    print!("{}", render(&results));
    if let Some(path) = &common.json {
        super::write_json(path, &results)?;
    }
    super::write_report(common, reports::Report::Results(results))?;
    Ok(ExitCode::SUCCESS)
}

/// The label of a compared metric, of its difference, and the display scale.
fn labels(key: &str) -> (&'static str, &'static str, f64) {
    match key {
        "abandon_rate" => (
            "abandon rate (÷ queued) %",
            "abandon rate (÷ queued) pp",
            100.0,
        ),
        "abandon_rate_regulatory" => (
            "abandon rate (÷ live answers) %",
            "abandon rate (÷ live answers) pp",
            100.0,
        ),
        "occupancy" => ("agent occupancy %", "agent occupancy pp", 100.0),
        "talk_min_per_agent_hour" => ("talk min per agent-hour", "talk min per agent-hour", 1.0),
        "dials_per_hour" => ("dials per hour", "dials per hour", 1.0),
        "wait_p90_s" => ("wait to agent p90 s", "wait to agent p90 s", 1.0),
        "wait_p99_s" => ("wait to agent p99 s", "wait to agent p99 s", 1.0),
        "list_exhausted_after_s" => (
            "list exhausted after h",
            "list exhausted after h",
            1.0 / 3_600.0,
        ),
        _ => ("?", "?", 1.0),
    }
}

/// Whether a difference's interval lies wholly on one side of 0.
pub fn excludes_zero(e: &Estimate) -> bool {
    e.ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0)
}

pub fn render(results: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {} — seed {}, {} replications, mean [95% CI]",
        results.scenario, results.seed, results.replications
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![String::new()];
    header.extend(results.strategies.iter().map(|s| s.name.clone()));
    rows.push(header);
    for key in COMPARED {
        let (label, _, scale) = labels(key);
        let mut row = vec![label.to_string()];
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| cell(s.metrics.get(key), scale)),
        );
        rows.push(row);
    }
    if let Some(comparison) = &results.comparison {
        // The differences are in the scenario's order without the baseline's column.
        let names: Vec<&str> = results.strategies.iter().map(|s| s.name.as_str()).collect();
        let baseline = (0..names.len()).find(|&b| {
            names[b] == comparison.baseline
                && names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != b)
                    .map(|(_, n)| *n)
                    .eq(comparison.differences.iter().map(|d| d.name.as_str()))
        });
        rows.push(vec!["difference from the baseline".into()]);
        for key in COMPARED {
            let (_, label, scale) = labels(key);
            let mut row = vec![format!("  {label}")];
            let mut differences = comparison.differences.iter();
            for i in 0..names.len() {
                if Some(i) == baseline {
                    row.push("baseline".into());
                    continue;
                }
                let e = differences.next().and_then(|d| d.metrics.get(key));
                let mark = if e.is_some_and(excludes_zero) {
                    " *"
                } else {
                    ""
                };
                row.push(format!("{}{mark}", cell(e, scale)));
            }
            rows.push(row);
        }
    }
    out.push_str(&layout(&rows));
    if let Some(comparison) = &results.comparison {
        let _ = writeln!(
            out,
            "\nbaseline: {}\n\
             Differences are strategy − baseline, measured replication by replication on the same\n\
             random numbers; rates in percentage points (pp). * marks a difference whose 95% CI\n\
             excludes 0. For a rate, each replication's own rate is differenced, leaving out\n\
             replications where either side's rate is undefined.",
            comparison.baseline
        );
    }
    out
}
