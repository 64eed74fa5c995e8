//! `dialsim diff`: two saved results files of one scenario, before (A) and after (B) a change,
//! verdict first, then B − A strategy by strategy (paired by day where the seeds match).

use super::table::{layout_fitted, paragraph, verdict_block};
use reports::diff::DiffReport;
use reports::tables::Decimals;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The results file before the change (`run` or `compare` with --json).
    pub a: PathBuf,
    /// The results file after it.
    pub b: PathBuf,
    /// Also write a report to this folder: index.html (verdict, chart, tables), diff.png and
    /// diff.svg, summary.md and metrics.csv.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

/// Reads a results file, refusing a frontier or sweep file with what to give instead.
fn results(path: &Path) -> anyhow::Result<lab::Results> {
    match reports::read(path)? {
        reports::Report::Results(r) => Ok(r),
        other => anyhow::bail!(
            "{} is a {}, not a results file: diff compares two results files of `dialsim run` or \
             `dialsim compare` written with --json",
            path.display(),
            match other.kind() {
                reports::report::Kind::Frontier => "frontier file",
                _ => "sweep file",
            }
        ),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.report {
        super::guard::outputs(
            &[args.a.clone(), args.b.clone()],
            &[super::guard::Output {
                flag: "--report",
                path: dir,
                kind: super::guard::OutputKind::Folder,
            }],
        )?;
    }
    let (mut a_name, mut b_name) = (file_name(&args.a), file_name(&args.b));
    if a_name == b_name {
        (a_name, b_name) = (args.a.display().to_string(), args.b.display().to_string());
    }
    let report = DiffReport {
        a: results(&args.a)?,
        b: results(&args.b)?,
        a_name,
        b_name,
    };
    print!("{}", render(&report));
    if let Some(dir) = &args.report {
        let written = reports::diff::write_diff_report(dir, &report)?;
        eprintln!(
            "report: {} ({} files)",
            written.index().display(),
            written.files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The terminal's view: the files, the verdict, then a block per strategy in both files — a row
/// per metric with A's and B's means and B − A with its interval (the report's tables have the
/// intervals of A and B too), so that a block fits 100 columns.
pub fn render(report: &DiffReport) -> String {
    let mut out = String::new();
    for line in report.about() {
        out.push_str(&paragraph(&line, "  "));
    }
    out.push('\n');
    out.push_str(&verdict_block(report.verdict(Decimals::Terminal)));
    let diff = report.diff();
    let independent: Vec<String> = diff
        .strategies
        .first()
        .map(|s| {
            s.metrics
                .iter()
                .filter(|m| m.pairing == lab::diff::Pairing::Independent)
                .map(|m| m.metric.label())
                .collect()
        })
        .unwrap_or_default();
    if !diff.same_days {
        out.push_str("rates in %, their differences in percentage points\n\n");
    } else if !independent.is_empty() {
        out.push_str(&paragraph(
            &format!(
                "rates in %, their differences in percentage points; not kept day by day, so B − A \
                 from the intervals as independent: {}",
                independent.join(", ")
            ),
            "  ",
        ));
        out.push('\n');
    }
    let d = Decimals::Terminal;
    for s in &diff.strategies {
        let title = if s.name == s.name_b {
            s.name.clone()
        } else {
            format!("{} → {}", s.name, s.name_b)
        };
        let mut rows = vec![vec![
            title,
            "A".to_string(),
            "B".to_string(),
            "B − A [95% CI]".to_string(),
        ]];
        for m in &s.metrics {
            let scale = m.metric.scale();
            let places = d.of_row([Some(&m.a), Some(&m.b)], scale);
            let mean = |e: &lab::stats::Estimate| {
                d.cell_at(
                    Some(&lab::stats::Estimate {
                        mean: e.mean,
                        ci95: None,
                    }),
                    scale,
                    places,
                )
            };
            rows.push(vec![
                format!("  {}", m.metric.label()),
                mean(&m.a),
                mean(&m.b),
                d.difference_cell(Some(&m.difference), scale, places),
            ]);
        }
        out.push_str(&layout_fitted(&rows));
        out.push('\n');
    }
    out
}
