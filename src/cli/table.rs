//! The terminal table: one column per strategy, one row per metric, mean and 95% interval; and
//! the column layout every command's tables use. Labels and display scales come from the
//! catalogue ([`Metric::label`], [`Metric::scale`]), so a number reads the same on the terminal
//! and in a report.

use lab::Results;
use lab::catalogue::Metric;
use lab::stats::Estimate;
use reports::tables::Decimals;
use std::fmt::Write;

/// `mean [lo, hi]` scaled for display with the terminal's decimals; "—" when undefined.
pub fn cell(e: Option<&Estimate>, scale: f64) -> String {
    Decimals::Terminal.cell(e, scale)
}

/// The first line of `run`'s and `compare`'s output, and with a measurement window a second
/// saying what it counted.
pub fn title(results: &Results) -> String {
    let mut out = format!(
        "scenario {} — seed {}, {} replications, mean [95% CI]\n",
        results.scenario, results.seed, results.replications
    );
    if let Some(w) = &results.measure {
        let _ = writeln!(out, "{}", measured(w));
    }
    out
}

/// What a measurement window counted, in one line.
pub fn measured(w: &lab::summary::Window) -> String {
    format!(
        "measured {}: calls dialed in it, agent time over it (list and result codes: the whole campaign)",
        w.describe()
    )
}

/// A header row of the strategies' names, then a row per metric of `metrics`: its label and one
/// cell per strategy.
pub fn metric_rows(results: &Results, metrics: &[Metric]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![String::new()];
    header.extend(results.strategies.iter().map(|s| s.name.clone()));
    rows.push(header);
    for &metric in metrics {
        let mut row = vec![metric.label()];
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| cell(s.metrics.get(metric), metric.scale())),
        );
        rows.push(row);
    }
    rows
}

pub fn render(results: &Results) -> String {
    let mut out = title(results);
    let mut rows = metric_rows(results, &Metric::TERMINAL);
    rows.push(vec!["customers per result code".into()]);
    for (code, label) in [
        ("1", "  1 talked to an agent"),
        ("2", "  2 call back later"),
        ("3", "  3 e-mail"),
        ("0", "  0 not interested"),
        ("-2", " -2 machine / no input"),
        ("-1", " -1 never reached"),
        ("abandoned", "    abandoned in queue"),
    ] {
        let mut row = vec![label.to_string()];
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| cell(s.outcomes.get(code), 1.0)),
        );
        rows.push(row);
    }
    if results
        .strategies
        .iter()
        .any(|s| s.days.periods_30d.is_some())
    {
        let mut row = vec!["30-day periods over the cap (÷ live answers) %".to_string()];
        row.extend(results.strategies.iter().map(|s| {
            s.days.periods_30d.as_ref().map_or("—".into(), |p| {
                format!(
                    "{} of {}, {}",
                    p.abandon_rate_regulatory
                        .iter()
                        .flatten()
                        .filter(|r| **r > results.abandon_cap)
                        .count(),
                    p.abandon_rate_regulatory.len(),
                    cell(Some(&p.over_cap), 100.0)
                )
            })
        }));
        rows.insert(rows.len() - 8, row);
        let mut row = vec!["worst 30-day period abandon rate (÷ live answers) %".to_string()];
        row.extend(results.strategies.iter().map(|s| {
            s.days
                .periods_30d
                .as_ref()
                .and_then(|p| p.worst)
                .map_or("—".into(), |w| format!("{:.2}", w * 100.0))
        }));
        rows.insert(rows.len() - 8, row);
    }
    out.push_str(&layout(&rows, "", 1));
    out
}

/// Lays out rows as columns two spaces apart, each line after `indent`: the first
/// `text_columns` left-aligned, the others (numbers) right-aligned. Trailing spaces are dropped.
pub fn layout(rows: &[Vec<String>], indent: &str, text_columns: usize) -> String {
    let mut out = String::new();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = indent.to_string();
        for (c, text) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c] - text.chars().count());
            if c < text_columns {
                let _ = write!(line, "{text}{pad}");
            } else {
                let _ = write!(line, "{pad}{text}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
