//! Which charts a report holds, built from a results file: one function per chart, each saying
//! what it plots and in which unit.

use crate::chart::{Figure, Guide, Plot, Series, Whiskered};
use lab::Results;
use lab::catalogue::Metric;
use lab::summary::StrategyResult;
use rules::words::AbandonDefinition as Definition;

/// Settings a results file does not carry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// The abandon-rate cap drawn on the abandon chart (a share, 0.03 = 3%).
    pub target_abandon: f64,
    /// Intervals in the rolling abandon-rate window.
    pub rolling_intervals: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target_abandon: 0.03,
            rolling_intervals: 4,
        }
    }
}

/// A strategy's name in legends: the label up to its settings when that is unique, else whole.
pub fn short_names(results: &Results) -> Vec<String> {
    let names: Vec<String> = results.strategies.iter().map(|s| s.name.clone()).collect();
    short_labels(&names)
}

/// Labels cut before their settings ("Adaptive(HardLimit, …)" → "Adaptive") when the cut ones
/// are still unique; else the labels whole.
pub fn short_labels(names: &[String]) -> Vec<String> {
    let short: Vec<String> = names
        .iter()
        .map(|n| n.split('(').next().unwrap_or(n).to_string())
        .collect();
    let unique = short
        .iter()
        .all(|n| short.iter().filter(|m| *m == n).count() == 1);
    if unique { short } else { names.to_vec() }
}

fn series_of<'a>(s: &'a StrategyResult, key: &str) -> &'a [Option<f64>] {
    s.series.values.get(key).map_or(&[], Vec::as_slice)
}

/// Points (hours at the interval's end, value) for the intervals where the value is defined.
fn over_time(s: &StrategyResult, values: &[Option<f64>], scale: f64) -> Vec<(f64, f64)> {
    let width_h = s.series.interval_s / 3_600.0;
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| ((i + 1) as f64 * width_h, v * scale)))
        .collect()
}

/// Σ numerator ÷ Σ denominator over the last `window` intervals, per interval.
fn rolling(num: &[Option<f64>], den: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    (0..num.len().min(den.len()))
        .map(|i| {
            let from = (i + 1).saturating_sub(window.max(1));
            let sum = |v: &[Option<f64>]| v[from..=i].iter().flatten().sum::<f64>();
            let d = sum(den);
            (d > 0.0).then(|| sum(num) / d)
        })
        .collect()
}

const HOURS: &str = "hours since the campaign started";

/// One solid line per strategy, in its colour and under its short name.
fn solid_lines(
    results: &Results,
    points: impl Fn(&StrategyResult) -> Vec<(f64, f64)>,
) -> Vec<Series> {
    let names = short_names(results);
    results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| Series {
            name: names[i].clone(),
            points: points(s),
            dashed: false,
            colour: i,
        })
        .collect()
}

/// Where the measurement window opens and closes, for charts over time: the series keep the whole
/// campaign, and these lines show which part of it the metrics counted. An edge past the last
/// interval is not drawn (it would stretch the axis over hours without data).
fn window_guides(results: &Results) -> Vec<Guide> {
    let Some(w) = &results.measure else {
        return vec![];
    };
    let end_h = results
        .strategies
        .iter()
        .map(|s| {
            let len = s.series.values.0.first().map_or(0, |(_, v)| v.len());
            len as f64 * s.series.interval_s / 3_600.0
        })
        .fold(0.0, f64::max);
    let mut guides = vec![Guide {
        at: w.from_h,
        label: format!("measured from {} h", rules::param::show(w.from_h)),
    }];
    if let Some(to) = w.to_h {
        guides.push(Guide {
            at: to,
            label: format!("measured to {} h", rules::param::show(to)),
        });
    }
    guides.retain(|g| g.at <= end_h);
    guides
}

fn line_chart(
    results: &Results,
    id: &str,
    title: &str,
    y_label: &str,
    key: &str,
    scale: f64,
) -> Figure {
    let series = solid_lines(results, |s| over_time(s, series_of(s, key), scale));
    Figure {
        id: id.into(),
        title: title.into(),
        x_label: HOURS.into(),
        y_label: y_label.into(),
        plot: Plot::Lines {
            series,
            markers: false,
            highlight: vec![],
            horizontal: None,
            vertical: window_guides(results),
        },
    }
}

/// 1. Rolling abandon rate, both definitions, with the target.
pub fn abandon_rate(results: &Results, o: &Options) -> Figure {
    let names = short_names(results);
    let mut series = Vec::new();
    for (i, s) in results.strategies.iter().enumerate() {
        let queue = rolling(
            series_of(s, "abandoned"),
            series_of(s, "queue_entries"),
            o.rolling_intervals,
        );
        let regulatory = rolling(
            series_of(s, "regulatory_abandons"),
            series_of(s, "live_answers"),
            o.rolling_intervals,
        );
        series.push(Series {
            name: format!("{} (÷ queued)", names[i]),
            points: over_time(s, &queue, 100.0),
            dashed: false,
            colour: i,
        });
        series.push(Series {
            name: format!("{} (÷ live answers)", names[i]),
            points: over_time(s, &regulatory, 100.0),
            dashed: true,
            colour: i,
        });
    }
    let minutes = results.strategies.first().map_or(0.0, |s| {
        s.series.interval_s * o.rolling_intervals as f64 / 60.0
    });
    Figure {
        id: "abandon-rate".into(),
        title: format!("Abandon rate, rolling {minutes:.0} min"),
        x_label: HOURS.into(),
        y_label: "abandon rate (%)".into(),
        plot: Plot::Lines {
            series,
            markers: false,
            highlight: vec![],
            horizontal: Some(Guide {
                at: o.target_abandon * 100.0,
                label: format!("target {:.1}%", o.target_abandon * 100.0),
            }),
            vertical: window_guides(results),
        },
    }
}

/// Every chart of a `run` or `compare` results file.
pub fn all(results: &Results, o: &Options) -> Vec<Figure> {
    vec![
        abandon_rate(results, o),
        line_chart(
            results,
            "occupancy",
            "Agent occupancy",
            "occupancy (%)",
            "occupancy",
            100.0,
        ),
        line_chart(
            results,
            "agents-available",
            "Agents available",
            "agents available (mean)",
            "agents_available",
            1.0,
        ),
        line_chart(
            results,
            "dials",
            "Dials per interval",
            "dials per interval",
            "dials",
            1.0,
        ),
        line_chart(
            results,
            "dial-level",
            "Dial level",
            "lines in use per staffed agent",
            "lines_per_agent",
            1.0,
        ),
        line_chart(
            results,
            "queue-length",
            "Callers waiting for an agent",
            "queue length (mean)",
            "queue_length",
            1.0,
        ),
        line_chart(
            results,
            "wait-p90",
            "Wait to agent, 90th percentile",
            "wait p90 (s)",
            "wait_p90_s",
            1.0,
        ),
        wait_cdf(results),
        outcomes(results),
        comparison(results),
    ]
}

/// A wait CDF as points in percent, ordered by share (files of this format already are).
fn cdf_points(cdf: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = cdf.iter().map(|[x, q]| (*x, q * 100.0)).collect();
    points.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
    points
}

/// 5. Share of connected callers who waited at most x seconds, with the compliance threshold.
pub fn wait_cdf(results: &Results) -> Figure {
    let series = solid_lines(results, |s| cdf_points(&s.wait_cdf));
    Figure {
        id: "wait-cdf".into(),
        title: "Wait to agent: share of connected callers within".into(),
        x_label: "wait to agent (s)".into(),
        y_label: "connected callers (%)".into(),
        plot: Plot::Lines {
            series,
            markers: false,
            highlight: vec![],
            horizontal: None,
            vertical: vec![Guide {
                at: results.compliance_threshold_s,
                label: format!("compliance threshold {} s", results.compliance_threshold_s),
            }],
        },
    }
}

/// The result codes in chart order, with their legend text.
pub const CODES: [(&str, &str); 7] = [
    ("1", "1 talked to an agent"),
    ("2", "2 call back"),
    ("3", "3 e-mail"),
    ("0", "0 not interested"),
    ("-2", "-2 machine / no input"),
    ("abandoned", "abandoned"),
    ("-1", "-1 never reached"),
];

/// 6. Customers per final result code, stacked per strategy.
pub fn outcomes(results: &Results) -> Figure {
    let segments = CODES
        .iter()
        .map(|(code, label)| {
            let values = results
                .strategies
                .iter()
                .map(|s| s.outcomes.get(code).and_then(|e| e.mean).unwrap_or(0.0))
                .collect();
            (label.to_string(), values)
        })
        .collect();
    Figure {
        id: "outcomes".into(),
        title: "Customers per final result code".into(),
        x_label: "strategy".into(),
        y_label: "customers (mean per replication)".into(),
        plot: Plot::StackedBars {
            categories: short_names(results),
            segments,
        },
    }
}

/// 7. Talk minutes per agent-hour against the regulatory abandon rate, with 95% CI whiskers.
pub fn comparison(results: &Results) -> Figure {
    let names = short_names(results);
    let triple = |s: &StrategyResult, metric: Metric| {
        let scale = metric.scale();
        let e = s.metrics.get(metric).copied();
        let mean = e.and_then(|e| e.mean).unwrap_or(0.0);
        let [lo, hi] = e.and_then(|e| e.ci95).unwrap_or([mean, mean]);
        (mean * scale, lo * scale, hi * scale)
    };
    let points = results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| Whiskered {
            name: names[i].clone(),
            x: triple(s, Metric::AbandonRateRegulatory),
            y: triple(s, Metric::TalkMinPerAgentHour),
            colour: i,
        })
        .collect();
    Figure {
        id: "comparison".into(),
        title: "Productivity against abandonment (95% CI)".into(),
        x_label: "abandon rate, ÷ live answers (%)".into(),
        y_label: "talk minutes per agent-hour".into(),
        plot: Plot::Whiskers { points },
    }
}

/// 8. The frontier: talk minutes per agent-hour against the abandon rate for every setting a
///    frontier search tried, a series per strategy, chosen settings circled, the target drawn.
pub fn frontier(f: &lab::frontier::Frontier) -> Figure {
    let mut series = Vec::new();
    let mut highlight = Vec::new();
    let point = |s: &lab::frontier::Setting| {
        let x = s.metric(Metric::abandon_rate(f.definition)).mean?;
        let y = s.metric(Metric::TalkMinPerAgentHour).mean?;
        Some((x * 100.0, y))
    };
    for (i, s) in f.strategies.iter().enumerate() {
        let name = s.name.split('(').next().unwrap_or(&s.name).to_string();
        let mut tried: Vec<_> = s.tried.iter().collect();
        tried.sort_by(|a, b| {
            a.value
                .partial_cmp(&b.value)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        series.push(Series {
            name: name.clone(),
            points: tried.iter().filter_map(|t| point(t)).collect(),
            dashed: false,
            colour: i,
        });
        if let Some(p) = s.chosen_setting().and_then(point) {
            highlight.push(Series {
                name: format!("{name}: chosen"),
                points: vec![p],
                dashed: false,
                colour: i,
            });
        }
    }
    let definition = match f.definition {
        Definition::Queue => "÷ queued",
        Definition::Regulatory => "÷ live answers",
    };
    Figure {
        id: "frontier".into(),
        // Under the risk-based rule a setting left of the line may still fail (too many bad
        // days): the title says which rule chose.
        title: match f.risk {
            None => format!(
                "Frontier under a {:.1}% abandon cap",
                f.target_abandon * 100.0
            ),
            Some(risk) => format!(
                "Frontier: under {:.0}% of days over a {:.1}% abandon cap",
                risk * 100.0,
                f.target_abandon * 100.0
            ),
        },
        x_label: format!("abandon rate, {definition} (%)"),
        y_label: "talk minutes per agent-hour".into(),
        plot: Plot::Lines {
            series,
            markers: true,
            highlight,
            horizontal: None,
            vertical: vec![Guide {
                at: f.target_abandon * 100.0,
                label: format!("target {:.1}%", f.target_abandon * 100.0),
            }],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_points_rise() {
        let cdf = [
            [0.0, 0.0],
            [1.0, 0.5],
            [9.0, 1.0],
            [5.0, 0.995],
            [8.0, 0.999],
        ];
        let points = cdf_points(&cdf);
        assert_eq!(points.first(), Some(&(0.0, 0.0)));
        assert_eq!(points.last(), Some(&(9.0, 100.0)));
        assert!(
            points
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        );
    }

    #[test]
    fn rolling_rate_pools_the_window() {
        let num = [Some(1.0), Some(0.0), Some(3.0), None];
        let den = [Some(10.0), Some(0.0), Some(10.0), Some(10.0)];
        let r = rolling(&num, &den, 2);
        assert_eq!(r, vec![Some(0.1), Some(0.1), Some(0.3), Some(0.15)]);
    }
}
