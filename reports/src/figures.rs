//! Which charts a report holds, built from a results file: one function per chart, each saying
//! what it plots and in which unit, on which part of the plane (the region that decides, with
//! values outside marked at the edge), and on whose clock.

use crate::chart::{
    Figure, Guide, Panel, Plot, Series, Strip, View, Whiskered, XAxis, strategy_colours,
};
use lab::Results;
use lab::catalogue::Metric;
use lab::summary::StrategyResult;
use rules::words::AbandonDefinition as Definition;

/// Settings a results file does not carry.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Options {
    /// The abandon-rate cap drawn on the abandon charts (a share, 0.03 = 3%); `None`: the
    /// file's own cap (the scenario's).
    pub target_abandon: Option<f64>,
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

/// Each strategy's colour, the same on every chart of every report of the scenario.
pub(crate) fn colours(results: &Results) -> Vec<usize> {
    let names: Vec<String> = results.strategies.iter().map(|s| s.name.clone()).collect();
    strategy_colours(&names)
}

fn series_of<'a>(s: &'a StrategyResult, key: &str) -> &'a [Option<f64>] {
    s.series.values.get(key).map_or(&[], Vec::as_slice)
}

/// Points (hours at the interval's start, value) for the intervals where the value is defined:
/// drawn as steps across their interval.
fn over_time(s: &StrategyResult, values: &[Option<f64>], scale: f64) -> Vec<(f64, f64)> {
    let width_h = s.series.interval_s / 3_600.0;
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64 * width_h, v * scale)))
        .collect()
}

/// The x axis of charts over the day: the clock of the zone most customers live in, the other
/// zones' difference named in the label; hours since the start for a file without a clock.
fn time_axis(results: &Results) -> (XAxis, String) {
    let Some(zone) = results
        .clock
        .as_ref()
        .and_then(|c| c.main_zone().map(|z| (c, z)))
    else {
        return (XAxis::Number, "hours since the campaign started".into());
    };
    let (clock, main) = zone;
    let offset = |h: f64| {
        let m = (h.abs() * 60.0).round() as i64;
        let sign = if h < 0.0 { '−' } else { '+' };
        format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
    };
    let mut label = format!("customers' local time, {}", offset(main.utc_offset_h));
    let others: Vec<f64> = clock.zones[1..]
        .iter()
        .map(|z| z.utc_offset_h - main.utc_offset_h)
        .collect();
    if let (Some(lo), Some(hi)) = (
        others.iter().copied().reduce(f64::min),
        others.iter().copied().reduce(f64::max),
    ) {
        let h = |d: f64| rules::param::show(d.abs());
        let side = |d: f64| if d < 0.0 { "behind" } else { "ahead" };
        let span = if lo == hi {
            format!("{} h {}", h(lo), side(lo))
        } else if lo.signum() == hi.signum() {
            let (near, far) = if lo < 0.0 { (hi, lo) } else { (lo, hi) };
            format!("{}–{} h {}", h(near), h(far), side(lo))
        } else {
            format!("{} h behind to {} h ahead", h(lo), h(hi))
        };
        label.push_str(&format!(
            " ({:.0}% of customers; the others {span})",
            main.share * 100.0
        ));
    }
    (
        XAxis::Clock {
            shift_h: clock.start_utc_h + main.utc_offset_h,
        },
        label,
    )
}

/// The top of a chart over the day set by the bulk of its values, not by a start-up spike: the
/// 90th percentile of the values with room above (and at least 1.5 × a guide's level, so that
/// the cap sits inside); values over it are drawn at the top and marked. `None` when nothing
/// sticks out that far.
fn bulk_top(values: &[f64], guide: Option<f64>) -> Option<f64> {
    let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let bulk = lab::stats::quantile(&values, 0.9)?;
    let top = values.iter().copied().reduce(f64::max)?;
    let hi = (bulk * 1.5).max(guide.map_or(0.0, |g| g * 1.5));
    (hi > 0.0 && top > hi * 1.05).then_some(hi)
}

/// [`bulk_top`] of line series, as a view from 0.
fn bulk_view(series: &[Series], guide: Option<f64>) -> View {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    View {
        x: None,
        y: bulk_top(&values, guide).map(|hi| (0.0, hi)),
    }
}

/// One line per strategy, in its colour and under its short name; `steps`: each value drawn
/// across its interval.
fn solid_lines(
    results: &Results,
    steps: bool,
    points: impl Fn(&StrategyResult) -> Vec<(f64, f64)>,
) -> Vec<Series> {
    let names = short_names(results);
    let colours = colours(results);
    results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| Series {
            name: names[i].clone(),
            points: points(s),
            dashed: false,
            colour: colours[i],
            step: steps.then(|| s.series.interval_s / 3_600.0),
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

/// A chart over the day of `series` with an optional level line.
fn over_the_day(
    results: &Results,
    id: &str,
    title: &str,
    y_label: &str,
    series: Vec<Series>,
    horizontal: Option<Guide>,
) -> Figure {
    let (x_axis, x_label) = time_axis(results);
    let view = bulk_view(&series, horizontal.as_ref().map(|g| g.at));
    Figure {
        x_axis,
        view,
        ..Figure::new(
            id,
            title,
            &x_label,
            y_label,
            Plot::Lines {
                series,
                markers: false,
                highlight: vec![],
                horizontal,
                vertical: window_guides(results),
            },
        )
    }
}

fn line_chart(
    results: &Results,
    id: &str,
    title: &str,
    y_label: &str,
    key: &str,
    scale: f64,
) -> Figure {
    let series = solid_lines(results, true, |s| over_time(s, series_of(s, key), scale));
    over_the_day(results, id, title, y_label, series, None)
}

fn cap(results: &Results, o: &Options) -> f64 {
    o.target_abandon.unwrap_or(results.abandon_cap)
}

/// 1. Each interval's regulatory abandon rate (its abandons over its live answers, pooled over
///    the days) in a panel per strategy, with the spread of days (8 in 10) shaded and the cap.
pub fn abandon_rate(results: &Results, o: &Options) -> Figure {
    let names = short_names(results);
    let colours = colours(results);
    let panels: Vec<Panel> = results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // After the last dial an interval's few answers make no rate (the callers
            // abandoning then were answered in the intervals before): the drain is left out.
            let dials = series_of(s, "dials");
            let dialing = |k: usize| dials.get(k).copied().flatten().is_some_and(|d| d >= 0.5);
            let abandons = series_of(s, "regulatory_abandons");
            let answers = series_of(s, "live_answers");
            let pooled: Vec<Option<f64>> = (0..abandons.len().min(answers.len()))
                .map(|k| match (abandons[k], answers[k]) {
                    (Some(a), Some(n)) if n > 0.0 && dialing(k) => Some(a / n),
                    _ => None,
                })
                .collect();
            let (p10, p90) = (
                series_of(s, "abandon_rate_regulatory_p10"),
                series_of(s, "abandon_rate_regulatory_p90"),
            );
            let width_h = s.series.interval_s / 3_600.0;
            let band = (0..p10.len().min(p90.len()))
                .filter(|&k| dialing(k))
                .filter_map(|k| Some((k as f64 * width_h, p10[k]? * 100.0, p90[k]? * 100.0)))
                .collect();
            Panel {
                name: names[i].clone(),
                colour: colours[i],
                line: over_time(s, &pooled, 100.0),
                band,
            }
        })
        .collect();
    let minutes = results
        .strategies
        .first()
        .map_or(0.0, |s| s.series.interval_s / 60.0);
    let cap = cap(results, o) * 100.0;
    let values: Vec<f64> = panels
        .iter()
        .flat_map(|p| p.line.iter().map(|q| q.1).chain(p.band.iter().map(|q| q.2)))
        .collect();
    let (x_axis, x_label) = time_axis(results);
    Figure {
        x_axis,
        view: View {
            x: None,
            y: bulk_top(&values, Some(cap)).map(|hi| (0.0, hi)),
        },
        ..Figure::new(
            "abandon-rate",
            &format!("Regulatory abandon rate per {minutes:.0} min, by strategy"),
            &x_label,
            "regulatory abandon rate (%)",
            Plot::Panels {
                panels,
                step: results
                    .strategies
                    .first()
                    .map_or(1.0, |s| s.series.interval_s / 3_600.0),
                line_means: "all days pooled".into(),
                band_means: "8 days in 10 (10th–90th percentile)".into(),
                horizontal: Some(Guide {
                    at: cap,
                    label: format!("cap {}%", rules::param::show(cap)),
                }),
                vertical: window_guides(results),
            },
        )
    }
}

/// Every chart of a `run` or `compare` results file.
pub fn all(results: &Results, o: &Options) -> Vec<Figure> {
    vec![
        abandon_rate(results, o),
        risk(results, o),
        comparison(results, o),
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
        late_connections(results),
        wait_cdf(results),
        outcomes(results),
    ]
}

/// The share of each interval's connected callers who waited longer than the compliance
/// threshold (late connections, which the regulator counts as abandons): where the wait that a
/// 90th percentile hides (0 s for most strategies, whose callers mostly wait not at all) falls
/// over the day. A file without the series (an earlier version's) draws the 90th percentile.
pub fn late_connections(results: &Results) -> Figure {
    let has = results
        .strategies
        .iter()
        .any(|s| s.series.values.get("connected_late_share").is_some());
    if !has {
        return line_chart(
            results,
            "wait-p90",
            "Wait to agent, 90th percentile",
            "wait p90 (s)",
            "wait_p90_s",
            1.0,
        );
    }
    let threshold = crate::chart::tick(results.compliance_threshold_s);
    line_chart(
        results,
        "late-connections",
        &format!("Connected callers who waited over {threshold} s"),
        &format!("% of connected callers, waited > {threshold} s"),
        "connected_late_share",
        100.0,
    )
}

/// A wait CDF as points in percent, ordered by share (files of this format already are).
fn cdf_points(cdf: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = cdf.iter().map(|[x, q]| (*x, q * 100.0)).collect();
    points.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
    points
}

/// 5. Share of connected callers who waited at most x seconds, with the compliance threshold:
///    zoomed to where the curves differ (from the fewest callers taken at once to all, out to
///    the slowest strategy's 99th percentile).
pub fn wait_cdf(results: &Results) -> Figure {
    let series = solid_lines(results, false, |s| cdf_points(&s.wait_cdf));
    let threshold = results.compliance_threshold_s;
    let p99 = results
        .strategies
        .iter()
        .filter_map(|s| s.wait_cdf.iter().find(|p| p[1] >= 0.99).map(|p| p[0]))
        .fold(0.0, f64::max);
    let at_once = results
        .strategies
        .iter()
        .filter_map(|s| {
            s.wait_cdf
                .iter()
                .filter(|p| p[0] <= 0.0)
                .map(|p| p[1])
                .reduce(f64::max)
        })
        .fold(1.0, f64::min);
    let x_hi = (p99 * 1.1).max(threshold * 2.0).max(1.0);
    let y_lo = ((at_once * 100.0 - 5.0) / 10.0).floor() * 10.0;
    Figure {
        view: View {
            x: Some((0.0, x_hi)),
            y: Some((y_lo.clamp(0.0, 90.0), 100.5)),
        },
        ..Figure::new(
            "wait-cdf",
            "Wait to agent: share of connected callers within",
            "wait to agent (s)",
            "connected callers (%)",
            Plot::Lines {
                series,
                markers: false,
                highlight: vec![],
                horizontal: None,
                vertical: vec![Guide {
                    at: threshold,
                    label: format!("{} s compliance limit", rules::param::show(threshold)),
                }],
            },
        )
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
    Figure::new(
        "outcomes",
        "Customers per final result code",
        "strategy",
        "customers (mean per replication)",
        Plot::StackedBars {
            categories: short_names(results),
            segments,
        },
    )
}

/// A strategy's point on a productivity-against-abandonment chart: its regulatory abandon
/// rate (x) and talk minutes per agent-hour (y), each with its 95% interval.
pub(crate) fn decision_point(
    metrics: &lab::summary::Metrics<lab::stats::Estimate>,
    name: String,
    colour: usize,
    label: Option<String>,
    chosen: bool,
) -> Whiskered {
    let at = |m: Metric| triple(metrics.get(m).copied(), m);
    Whiskered {
        name,
        x: at(Metric::AbandonRateRegulatory),
        y: at(Metric::TalkMinPerAgentHour),
        colour,
        label,
        chosen,
    }
}

/// A metric's mean and 95% interval in the unit charts show it in.
pub(crate) fn triple(e: Option<lab::stats::Estimate>, metric: Metric) -> (f64, f64, f64) {
    let scale = metric.scale();
    let mean = e.and_then(|e| e.mean).unwrap_or(f64::NAN);
    let [lo, hi] = e.and_then(|e| e.ci95).unwrap_or([mean, mean]);
    (mean * scale, lo * scale, hi * scale)
}

/// The part of a productivity-against-abandonment plane that decides: x from 0 to a little past
/// the cap (or the last point within twice it), y over the points inside that. Points further
/// right are drawn at the edge with their rate.
pub(crate) fn decision_view(points: &[Whiskered], cap_pct: f64) -> View {
    let near: Vec<&Whiskered> = points
        .iter()
        .filter(|p| p.x.0.is_finite() && p.x.0 <= cap_pct * 2.0)
        .collect();
    let x_hi = near
        .iter()
        .map(|p| p.x.2.min(cap_pct * 2.0))
        .fold(cap_pct * 1.3, f64::max)
        * 1.04;
    let shown: Vec<&&Whiskered> = near.iter().filter(|p| p.x.0 <= x_hi).collect();
    let y_lo = shown.iter().map(|p| p.y.1).fold(f64::INFINITY, f64::min);
    let y_hi = shown
        .iter()
        .map(|p| p.y.2)
        .fold(f64::NEG_INFINITY, f64::max);
    let y = (y_lo.is_finite() && y_hi.is_finite()).then(|| {
        let pad = ((y_hi - y_lo) * 0.08).max(0.5);
        ((y_lo - pad).max(0.0), y_hi + pad)
    });
    View {
        x: Some((0.0, x_hi)),
        y,
    }
}

/// The frontier's region: abandon rates from 0 to a little past the cap (or the chosen settings'
/// upper ends), productivity from 85% of the best chosen setting's up: where the choice is made.
/// Settings below (a progressive dialer, slow settings) are marked at the bottom edge, the
/// chosen ones with their value.
fn frontier_view(points: &[Whiskered], cap_pct: f64) -> View {
    let chosen: Vec<&Whiskered> = points
        .iter()
        .filter(|p| p.chosen && p.x.0.is_finite() && p.y.0.is_finite())
        .collect();
    let Some(best) = chosen.iter().map(|p| p.y.0).reduce(f64::max) else {
        return decision_view(points, cap_pct);
    };
    let x_hi = chosen.iter().map(|p| p.x.2).fold(cap_pct * 1.3, f64::max) * 1.04;
    let y_lo = best * 0.85;
    let y_hi = points
        .iter()
        .filter(|p| p.x.0 <= x_hi && p.y.2.is_finite())
        .map(|p| p.y.2)
        .fold(best, f64::max);
    let pad = ((y_hi - y_lo) * 0.05).max(0.2);
    View {
        x: Some((0.0, x_hi)),
        y: Some((y_lo, y_hi + pad)),
    }
}

/// 7. Talk minutes per agent-hour against the regulatory abandon rate, with 95% CI whiskers on
///    both, each point named, the cap drawn.
pub fn comparison(results: &Results, o: &Options) -> Figure {
    let names = short_names(results);
    let colours = colours(results);
    let points: Vec<Whiskered> = results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            decision_point(
                &s.metrics,
                names[i].clone(),
                colours[i],
                Some(names[i].clone()),
                false,
            )
        })
        .collect();
    let cap = cap(results, o) * 100.0;
    let view = decision_view(&points, cap);
    Figure {
        view,
        ..Figure::new(
            "comparison",
            "Productivity against abandonment (95% CI)",
            "regulatory abandon rate (%)",
            "talk minutes per agent-hour",
            Plot::Whiskers {
                points,
                joined: false,
                vertical: vec![Guide {
                    at: cap,
                    label: format!("cap {}%", rules::param::show(cap)),
                }],
                ringed: String::new(),
            },
        )
    }
}

/// 8. The risk of a bad day: every day's regulatory abandon rate per strategy, over the box of
///    its middle half, with the cap; each row says how many days went over it.
pub fn risk(results: &Results, o: &Options) -> Figure {
    let names = short_names(results);
    let colours = colours(results);
    let cap = cap(results, o);
    let rows: Vec<Strip> = results
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let days: Vec<f64> = s
                .days
                .abandon_rate_regulatory
                .iter()
                .flatten()
                .copied()
                .collect();
            let over = days.iter().filter(|d| **d > cap).count();
            Strip {
                name: format!("{} · {over}/{} over", names[i], days.len()),
                values: days.iter().map(|d| d * 100.0).collect(),
                colour: colours[i],
            }
        })
        .collect();
    let all: Vec<f64> = rows.iter().flat_map(|r| r.values.iter().copied()).collect();
    let view = lab::stats::quantile(&all, 0.98).map(|bulk| {
        let hi = (bulk * 1.15).max(cap * 100.0 * 1.5);
        View {
            x: Some((0.0, hi)),
            y: None,
        }
    });
    let top = all.iter().copied().reduce(f64::max).unwrap_or(0.0);
    Figure {
        view: view
            .filter(|v| v.x.is_some_and(|x| top > x.1))
            .unwrap_or_default(),
        ..Figure::new(
            "days",
            &format!(
                "Each day's regulatory abandon rate ({} days per strategy)",
                results.replications
            ),
            "regulatory abandon rate of the day (%)",
            "",
            Plot::Strips {
                rows,
                vertical: Some(Guide {
                    at: cap * 100.0,
                    label: format!("cap {}%", rules::param::show(cap * 100.0)),
                }),
            },
        )
    }
}

/// 9. The frontier: talk minutes per agent-hour against the abandon rate for every setting a
///    frontier search tried, with 95% whiskers on both, a strategy's settings joined in order of
///    abandon rate, each chosen setting ringed and labelled with its value; zoomed to the cap and
///    the best productivity, settings far over the cap marked at the edge.
pub fn frontier(f: &lab::frontier::Frontier) -> Figure {
    let names: Vec<String> = f.strategies.iter().map(|s| s.name.clone()).collect();
    let short = short_labels(&names);
    let colours = strategy_colours(&names);
    let x_metric = Metric::abandon_rate(f.definition);
    let mut points = Vec::new();
    for (i, s) in f.strategies.iter().enumerate() {
        let chosen = s.chosen_setting().map(|c| c.value);
        for t in &s.tried {
            let is_chosen = chosen == Some(t.value);
            points.push(Whiskered {
                name: short[i].clone(),
                x: triple(Some(t.metric(x_metric)), x_metric),
                y: triple(
                    Some(t.metric(Metric::TalkMinPerAgentHour)),
                    Metric::TalkMinPerAgentHour,
                ),
                colour: colours[i],
                label: is_chosen.then(|| match t.value {
                    Some(v) => format!("{} {}", short[i], setting(v)),
                    None => short[i].clone(),
                }),
                chosen: is_chosen,
            });
        }
    }
    let definition = match f.definition {
        Definition::Queue => "queue abandon rate, ÷ queued",
        Definition::Regulatory => "regulatory abandon rate",
    };
    let cap = f.target_abandon * 100.0;
    let view = frontier_view(&points, cap);
    Figure {
        view,
        ..Figure::new(
            "frontier",
            // Under the risk-based rule a setting left of the line may still fail (too many bad
            // days): the title says which rule chose.
            &match f.risk {
                None => format!("Frontier under a {}% abandon cap", rules::param::show(cap)),
                Some(risk) => format!(
                    "Frontier: under {:.0}% of days over a {}% abandon cap",
                    risk * 100.0,
                    rules::param::show(cap)
                ),
            },
            &format!("{definition} (%)"),
            "talk minutes per agent-hour",
            Plot::Whiskers {
                points,
                joined: true,
                vertical: vec![Guide {
                    at: cap,
                    label: format!("cap {}%", rules::param::show(cap)),
                }],
                ringed: "chosen setting".into(),
            },
        )
    }
}

/// A setting's value as a label: three significant digits.
fn setting(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
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
}
