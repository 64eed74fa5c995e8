//! The terminal table: one column per strategy, one row per metric, mean and 95% interval.

use sim::Results;
use sim::stats::Estimate;
use std::fmt::Write;

/// Metrics shown on the terminal (all of them are in the JSON file), with their display scale.
const ROWS: &[(&str, &str, f64)] = &[
    ("abandon_rate", "abandon rate (÷ queued) %", 100.0),
    (
        "abandon_rate_regulatory",
        "abandon rate (÷ live answers) %",
        100.0,
    ),
    ("occupancy", "agent occupancy %", 100.0),
    ("talk_min_per_agent_hour", "talk min per agent-hour", 1.0),
    ("wait_p50_s", "wait to agent p50 s", 1.0),
    ("wait_p90_s", "wait to agent p90 s", 1.0),
    ("wait_p99_s", "wait to agent p99 s", 1.0),
    ("dials_per_hour", "dials per hour", 1.0),
    (
        "agent_connects_per_agent_hour",
        "connects per agent-hour",
        1.0,
    ),
    ("list_penetration", "list penetration %", 100.0),
    (
        "list_exhausted_after_s",
        "list exhausted after h",
        1.0 / 3_600.0,
    ),
    ("rejected_dials", "dials refused by Connect", 1.0),
];

/// `mean [lo, hi]` scaled for display; "—" when undefined.
pub fn cell(e: Option<&Estimate>, scale: f64) -> String {
    let Some(Estimate {
        mean: Some(m),
        ci95,
    }) = e
    else {
        return "—".into();
    };
    let digits = |v: f64| if (v * scale).abs() >= 100.0 { 0 } else { 2 };
    let d = digits(*m);
    match ci95 {
        Some([lo, hi]) => format!("{:.d$} [{:.d$}, {:.d$}]", m * scale, lo * scale, hi * scale),
        None => format!("{:.d$}", m * scale),
    }
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
    for (key, label, scale) in ROWS {
        let mut row = vec![label.to_string()];
        row.extend(
            results
                .strategies
                .iter()
                .map(|s| cell(s.metrics.get(key), *scale)),
        );
        rows.push(row);
    }
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
    out.push_str(&layout(&rows));
    out
}

/// Lays out rows as columns: the first left-aligned, the others right-aligned, two spaces apart.
pub fn layout(rows: &[Vec<String>]) -> String {
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
        let mut line = String::new();
        for (c, text) in row.iter().enumerate() {
            let pad = widths[c] - text.chars().count();
            if c == 0 {
                let _ = write!(line, "{text}{}", " ".repeat(pad));
            } else {
                let _ = write!(line, "  {}{text}", " ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
