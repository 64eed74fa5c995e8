//! `dialsim compare`: every strategy of one scenario on the same replications, each compared with
//! a baseline by paired differences; a table on the terminal, optionally a JSON file.

use super::CompareArgs;
use super::table;
use lab::Results;
use lab::catalogue::Metric;
use lab::compare::CompareError;
use reports::tables::Decimals;
use std::fmt::Write;
use std::process::ExitCode;

pub fn compare(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let plan = common.load_model()?;
    let baseline = lab::compare::baseline(&plan.strategies, args.baseline.as_deref()).map_err(
        |e| match e {
            CompareError::TooFew { .. } => anyhow::anyhow!("{}: {e}", common.scenario.display()),
            e => anyhow::Error::new(e),
        },
    )?;
    let setup = common.setup();
    let pool = setup.thread_pool()?;
    let bar = setup.progress(super::total_replications(&plan), super::REPLICATIONS_BAR);
    let results = pool.install(|| lab::compare::compare(&plan, baseline, &|| bar.inc(1)));
    bar.finish_and_clear();
    super::output(common, &render(&results), reports::Report::Results(results))
}

pub fn render(results: &Results) -> String {
    let mut out = table::title(results);
    out.push_str(&table::verdict(results));
    let mut rows = table::metric_rows(results, &Metric::COMPARED);
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
        for metric in Metric::COMPARED {
            let mut row = vec![format!("  {}", metric.difference_label())];
            let decimals = Decimals::Terminal.of_row(
                comparison.differences.iter().map(|d| d.metrics.get(metric)),
                metric.scale(),
            );
            let mut differences = comparison.differences.iter();
            for i in 0..names.len() {
                if Some(i) == baseline {
                    row.push("baseline".into());
                    continue;
                }
                let e = differences.next().and_then(|d| d.metrics.get(metric));
                row.push(Decimals::Terminal.difference_cell(e, metric.scale(), decimals));
            }
            rows.push(row);
        }
    }
    out.push_str(&table::layout_fitted(&rows));
    if let Some(comparison) = &results.comparison {
        out.push('\n');
        out.push_str(&table::paragraph(
            &format!("baseline: {}", comparison.baseline),
            "  ",
        ));
        let _ = writeln!(
            out,
            "Differences are strategy − baseline, measured replication by replication on the same\n\
             random numbers; rates in percentage points (pp). * marks a difference whose 95% CI\n\
             excludes 0. For a rate, each replication's own rate is differenced, leaving out\n\
             replications where either side's rate is undefined."
        );
    }
    out
}
