//! A sweep's report (`dialsim-sweep/1`): how the headline metrics move across the grid.
//!
//! One axis gives line charts, metric against the axis with one line per strategy and its 95%
//! interval shaded. Two or more give heat maps of the first two axes (x the first, y the
//! second), one per strategy and metric, for each combination of the other axes' values up to
//! [`MAX_SLICES`]; and line charts of each strategy's abandon rate and occupancy against the
//! first axis, one line per value of the second. The table lists every point.

use crate::chart::{Band, Figure, Guide, Plot, strategy_colours, tick};
use crate::figures::short_labels;
use crate::tables::{self, Decimals, Table};
use lab::catalogue::Metric;
use lab::stats::Estimate;
use lab::sweep::{Row, SweepResults};
use std::collections::HashMap;

/// The metrics drawn as heat maps.
/// Mapped metrics: the regulatory rate, the one the cap is judged on (as the frontier's), and
/// occupancy.
const HEAT: [Metric; 2] = [Metric::AbandonRateRegulatory, Metric::Occupancy];

/// Combinations of the third and later axes drawn as heat maps; the rest are in the table.
pub const MAX_SLICES: usize = 6;

/// The cap on the regulatory rate drawn on abandon-rate charts, in percent: the file's.
fn cap(r: &SweepResults) -> f64 {
    lab::verdict::sweep_cap(r) * 100.0
}

fn cap_guide(r: &SweepResults, metric: Metric) -> Option<Guide> {
    let cap = cap(r);
    metric.capped().then(|| Guide {
        at: cap,
        label: format!("{cap}% cap"),
    })
}

/// The values of `axis` drawn for strategy `s`, each with its label: all of them, or the first
/// alone, labelled "any", when the axis does not set the strategy (it runs the same along it).
fn values_for(axis: &lab::sweep::Axis, s: usize) -> Vec<(f64, String)> {
    if axis.applies_to(s) {
        axis.values.iter().map(|&v| (v, tick(v))).collect()
    } else {
        vec![(axis.values[0], "any".into())]
    }
}

/// Rows by (point values, strategy).
struct Lookup<'a> {
    rows: HashMap<(Vec<u64>, &'a str), &'a Row>,
}

impl<'a> Lookup<'a> {
    fn new(r: &'a SweepResults) -> Self {
        let rows = r
            .rows
            .iter()
            .map(|row| ((bits(&row.values), row.strategy.as_str()), row))
            .collect();
        Lookup { rows }
    }

    fn estimate(&self, values: &[f64], strategy: &str, metric: Metric) -> Option<&'a Estimate> {
        self.rows
            .get(&(bits(values), strategy))
            .and_then(|row| row.metrics.get(metric))
    }

    /// `metric` of `strategy` at the point (x, y, slice…) in display units: (mean, low, high).
    fn at(
        &self,
        (x, y, slice): (f64, f64, &[f64]),
        strategy: &str,
        metric: Metric,
    ) -> Option<(f64, f64, f64)> {
        let values: Vec<f64> = [x, y].iter().chain(slice).copied().collect();
        scaled(self.estimate(&values, strategy, metric), metric.scale())
    }
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The axes past the first two: their combinations of values slice a heat map's grid.
fn others(r: &SweepResults) -> &[lab::sweep::Axis] {
    &r.sweep.axes[2.min(r.sweep.axes.len())..]
}

/// How many combinations of the values of axes 2.. there are (1 for a sweep of two axes).
fn slice_count(r: &SweepResults) -> usize {
    others(r)
        .iter()
        .fold(1, |n: usize, a| n.saturating_mul(a.values.len()))
}

/// Combination `k` of the values of axes 2.., in grid order (the last axis fastest); `k` is below
/// [`slice_count`]. Made one at a time: the combinations can be far more than are drawn.
fn slice(r: &SweepResults, k: usize) -> Vec<f64> {
    let axes = others(r);
    let mut out = vec![0.0; axes.len()];
    let mut rest = k;
    for (i, a) in axes.iter().enumerate().rev() {
        out[i] = a.values[rest % a.values.len()];
        rest /= a.values.len();
    }
    out
}

fn slice_label(r: &SweepResults, slice: &[f64]) -> String {
    r.sweep.axes[2..]
        .iter()
        .zip(slice)
        .map(|(a, v)| format!("{} = {}", a.field, tick(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// " (axis2 = v, …)" after a title of strategy `s`'s chart, an axis that does not set it being
/// "any", or nothing for a sweep of two axes.
fn slice_suffix(r: &SweepResults, slice: &[f64], s: usize) -> String {
    if slice.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = r.sweep.axes[2..]
        .iter()
        .zip(slice)
        .map(|(a, v)| {
            let v = if a.applies_to(s) {
                tick(*v)
            } else {
                "any".into()
            };
            format!("{} = {v}", a.field)
        })
        .collect();
    format!(" ({})", parts.join(", "))
}

/// (mean, low, high) of an estimate in display units; the interval collapses onto the mean
/// when there is none.
fn scaled(e: Option<&Estimate>, scale: f64) -> Option<(f64, f64, f64)> {
    let e = e?;
    let mean = e.mean? * scale;
    let (lo, hi) = e.ci95.map_or((mean, mean), |[l, h]| (l * scale, h * scale));
    Some((mean, lo, hi))
}

/// What the figures leave out, if anything (said on the page, with the combinations left out).
pub fn left_out(r: &SweepResults) -> Option<String> {
    let count = slice_count(r);
    if r.sweep.axes.len() <= 2 || count <= MAX_SLICES {
        return None;
    }
    let omitted = count - MAX_SLICES;
    let label = |k: usize| slice_label(r, &slice(r, k));
    let listed = if omitted <= 4 {
        (MAX_SLICES..count)
            .map(label)
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        format!(
            "{} … and {} more",
            (MAX_SLICES..MAX_SLICES + 3)
                .map(label)
                .collect::<Vec<_>>()
                .join("; "),
            omitted - 3
        )
    };
    Some(format!(
        "Heat maps are drawn for the first {MAX_SLICES} of the {} combinations of {}; left out: \
         {listed}. Every point is in the table of every point and in metrics.csv.",
        count,
        r.sweep.axes[2..]
            .iter()
            .map(|a| a.field.as_str())
            .collect::<Vec<_>>()
            .join(" × ")
    ))
}

/// The charts, in page order.
pub fn figures(r: &SweepResults) -> Vec<Figure> {
    let axes = &r.sweep.axes;
    let lookup = Lookup::new(r);
    let short = short_labels(&r.sweep.strategies);
    let colours = strategy_colours(&r.sweep.strategies);
    let mut out = Vec::new();
    match axes.len() {
        0 => {}
        1 => {
            for metric in Metric::SWEPT {
                let (label, scale) = (metric.label(), metric.scale());
                let series = r
                    .sweep
                    .strategies
                    .iter()
                    .enumerate()
                    .map(|(s, name)| Band {
                        name: if axes[0].applies_to(s) {
                            short[s].clone()
                        } else {
                            format!("{}, not set by this axis", short[s])
                        },
                        points: axes[0]
                            .values
                            .iter()
                            .filter_map(|&x| {
                                let (m, lo, hi) =
                                    scaled(lookup.estimate(&[x], name, metric), scale)?;
                                Some((x, m, lo, hi))
                            })
                            .collect(),
                        colour: colours[s],
                    })
                    .collect();
                out.push(Figure::new(
                    &format!("sweep-{}", metric.key().replace('_', "-")),
                    &format!("{} by {}", sentence(&label), axis_words(&axes[0].field)),
                    &axis_words(&axes[0].field),
                    &label,
                    Plot::Bands {
                        series,
                        horizontal: cap_guide(r, metric),
                        discrete: discrete(&axes[0].values),
                    },
                ));
            }
        }
        _ => {
            let count = slice_count(r);
            // The strategies the second axis does not set (and the first does) share one map,
            // a row each, and one line chart, instead of a map of one row each.
            let unset: Vec<usize> = (0..r.sweep.strategies.len())
                .filter(|&s| !axes[1].applies_to(s) && axes[0].applies_to(s))
                .collect();
            let mut maps: Vec<(Metric, Figure)> = Vec::new();
            for k in 0..count.min(MAX_SLICES) {
                let slice = slice(r, k);
                // A strategy the later axes do not set has one map, not one per slice.
                let first = |s: usize| {
                    others(r)
                        .iter()
                        .zip(&slice)
                        .all(|(a, v)| a.applies_to(s) || v.to_bits() == a.values[0].to_bits())
                };
                for (s, name) in r.sweep.strategies.iter().enumerate() {
                    if !first(s) || unset.contains(&s) {
                        continue;
                    }
                    for metric in HEAT {
                        maps.push((
                            metric,
                            heat_map(r, &lookup, &slice, k, (s, name, &short[s]), metric),
                        ));
                    }
                }
                let members: Vec<usize> = unset.iter().copied().filter(|&s| first(s)).collect();
                if !members.is_empty() {
                    for metric in HEAT {
                        maps.push((
                            metric,
                            unset_heat_map(r, &lookup, &slice, k, &members, metric),
                        ));
                    }
                }
            }
            share_scales(&mut maps);
            out.extend(maps.into_iter().map(|(_, f)| f));
            // An axis without values (in no file dialsim reads) has no combination to draw.
            if count > 0 {
                let first = slice(r, 0);
                for (s, name) in r.sweep.strategies.iter().enumerate() {
                    if unset.contains(&s) {
                        continue;
                    }
                    for metric in HEAT {
                        out.push(lines_by_second_axis(
                            r,
                            &lookup,
                            &first,
                            (s, name, &short[s]),
                            metric,
                        ));
                    }
                }
                if !unset.is_empty() {
                    for metric in HEAT {
                        out.push(unset_lines(r, &lookup, &first, &unset, metric));
                    }
                }
            }
        }
    }
    out
}

/// What the strategies the second axis does not set are called in a title: "the strategies
/// without a dial ratio (lines per agent)".
fn unset_title(r: &SweepResults) -> String {
    format!(
        "the strategies without a {}",
        axis_words(&r.sweep.axes[1].field)
    )
}

/// `metric` of the strategies `members` (which the second axis does not set) against the first
/// axis: one map, a row per strategy, on the scale every map of the metric shares.
fn unset_heat_map(
    r: &SweepResults,
    lookup: &Lookup<'_>,
    slice: &[f64],
    k: usize,
    members: &[usize],
    metric: Metric,
) -> Figure {
    let axes = &r.sweep.axes;
    let short = short_labels(&r.sweep.strategies);
    let y = axes[1].values[0];
    let cells = members
        .iter()
        .map(|&s| {
            axes[0]
                .values
                .iter()
                .map(|&x| {
                    lookup
                        .at((x, y, slice), &r.sweep.strategies[s], metric)
                        .map(|(m, _, _)| m)
                })
                .collect()
        })
        .collect();
    let at = slice_suffix(r, slice, members[0]);
    let cap = cap(r);
    Figure::new(
        &format!("heat-{}-unset-{k}", metric.key().replace('_', "-")),
        &format!("{}, {}{at}", sentence(&metric.label()), unset_title(r)),
        &axis_words(&axes[0].field),
        "strategy",
        Plot::HeatMap {
            x_labels: axes[0].values.iter().map(|&v| tick(v)).collect(),
            y_labels: members.iter().map(|&s| short[s].clone()).collect(),
            cells,
            decimals: metric.decimals() - 1,
            threshold: metric.capped().then(|| Guide {
                at: cap,
                label: format!("regulatory rate above the {cap}% cap"),
            }),
            scale: None,
        },
    )
}

/// `metric` against the first axis for the strategies the second axis does not set, a line
/// each in its strategy's colour (at the combination `slice` of the other axes' values).
fn unset_lines(
    r: &SweepResults,
    lookup: &Lookup<'_>,
    slice: &[f64],
    members: &[usize],
    metric: Metric,
) -> Figure {
    let axes = &r.sweep.axes;
    let short = short_labels(&r.sweep.strategies);
    let colours = strategy_colours(&r.sweep.strategies);
    let y = axes[1].values[0];
    let series = members
        .iter()
        .map(|&s| Band {
            name: short[s].clone(),
            points: axes[0]
                .values
                .iter()
                .filter_map(|&x| {
                    let (m, lo, hi) = lookup.at((x, y, slice), &r.sweep.strategies[s], metric)?;
                    Some((x, m, lo, hi))
                })
                .collect(),
            colour: colours[s],
        })
        .collect();
    let label = metric.label();
    Figure::new(
        &format!("sweep-lines-{}-unset", metric.key().replace('_', "-")),
        &format!(
            "{}, {}{}",
            sentence(&label),
            unset_title(r),
            slice_suffix(r, slice, members[0])
        ),
        &axis_words(&axes[0].field),
        &label,
        Plot::Bands {
            series,
            horizontal: cap_guide(r, metric),
            discrete: discrete(&axes[0].values),
        },
    )
}

/// A swept field's name for a chart's axis, in words with its unit: `agents.staffing.Count` →
/// "agents staffed", `dial.ring_timeout_s` → "ring timeout (s)"; the field path stays in the
/// tables and the CSV, where it is what a sweep file writes.
pub fn axis_words(field: &str) -> String {
    match field {
        "agents.staffing.Count" => return "agents staffed".into(),
        "strategy.ratio" => return "dial ratio (lines per agent)".into(),
        "strategy.target_abandon" | "strategy.target" => {
            return "the strategy's abandon target (share)".into();
        }
        "list.size" => return "customers on the list".into(),
        _ => {}
    }
    // Variant names (`Count`, `LogNormal`) and the `strategy` prefix say nothing to a reader.
    let words: Vec<&str> = field
        .split('.')
        .filter(|s| s != &"strategy" && !s.starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    let Some(last) = words.last() else {
        return field.to_string();
    };
    let units = [("_s", "s"), ("_h", "h"), ("_min", "min"), ("_ms", "ms")];
    let (stem, unit) = units
        .iter()
        .find_map(|(suffix, unit)| last.strip_suffix(suffix).map(|stem| (stem, Some(*unit))))
        .unwrap_or((last, None));
    let mut text = stem.replace('_', " ");
    // A bare `mean` or `sd` is read with what it is the mean of.
    if matches!(stem, "mean" | "sd" | "median" | "share" | "rate") && words.len() > 1 {
        text = format!("{} {text}", words[words.len() - 2].replace('_', " "));
    }
    match unit {
        Some(u) => format!("{text} ({u})"),
        None => text,
    }
}

/// Gives every heat map of one metric (every strategy, every combination of the later axes) the
/// same colour scale, from the lowest to the highest value any of them holds: a colour means
/// one value across the page.
fn share_scales(maps: &mut [(Metric, Figure)]) {
    let cells = |f: &Figure| match &f.plot {
        Plot::HeatMap { cells, .. } => cells.iter().flatten().flatten().copied().collect(),
        _ => Vec::new(),
    };
    let range = |metric: Metric, maps: &[(Metric, Figure)]| {
        let values: Vec<f64> = maps
            .iter()
            .filter(|(m, _)| *m == metric)
            .flat_map(|(_, f)| cells(f))
            .filter(|v: &f64| v.is_finite())
            .collect();
        let lo = values.iter().copied().reduce(f64::min)?;
        let hi = values.iter().copied().reduce(f64::max)?;
        Some((lo, hi))
    };
    let ranges: Vec<(Metric, Option<(f64, f64)>)> =
        HEAT.iter().map(|&m| (m, range(m, maps))).collect();
    for (metric, f) in maps.iter_mut() {
        if let Plot::HeatMap { scale, .. } = &mut f.plot {
            *scale = ranges.iter().find(|r| r.0 == *metric).and_then(|r| r.1);
        }
    }
}

/// `metric` against the first axis, one line per value of the second (at the combination `slice`
/// of the other axes' values), for one strategy.
fn lines_by_second_axis(
    r: &SweepResults,
    lookup: &Lookup<'_>,
    slice: &[f64],
    (s, strategy, shown): (usize, &str, &str),
    metric: Metric,
) -> Figure {
    let axes = &r.sweep.axes;
    let label = metric.label();
    let series = values_for(&axes[1], s)
        .into_iter()
        .enumerate()
        .map(|(c, (y, shown))| Band {
            name: format!("{} = {shown}", axis_words(&axes[1].field)),
            points: axes[0]
                .values
                .iter()
                .filter_map(|&x| {
                    let (m, lo, hi) = lookup.at((x, y, slice), strategy, metric)?;
                    Some((x, m, lo, hi))
                })
                .collect(),
            colour: c,
        })
        .collect();
    let at = slice_suffix(r, slice, s);
    Figure::new(
        &format!("sweep-lines-{}-s{s}", metric.key().replace('_', "-")),
        &format!("{}, {shown}{at}", sentence(&label)),
        &axis_words(&axes[0].field),
        &label,
        Plot::Bands {
            series,
            horizontal: cap_guide(r, metric),
            discrete: discrete(&axes[0].values),
        },
    )
}

/// Whether an axis's values are all there is to draw: whole numbers (a count of agents) or at
/// most three values. Its points get whiskers and no line through values never simulated.
fn discrete(values: &[f64]) -> bool {
    values.len() <= 3 || values.iter().all(|v| v.fract() == 0.0)
}

fn heat_map(
    r: &SweepResults,
    lookup: &Lookup<'_>,
    slice: &[f64],
    k: usize,
    (s, strategy, shown): (usize, &str, &str),
    metric: Metric,
) -> Figure {
    let axes = &r.sweep.axes;
    let label = metric.label();
    // An axis that does not set the strategy is one column (or row), "any".
    let (xs, ys) = (values_for(&axes[0], s), values_for(&axes[1], s));
    let cells = ys
        .iter()
        .map(|&(y, _)| {
            xs.iter()
                .map(|&(x, _)| {
                    lookup
                        .at((x, y, slice), strategy, metric)
                        .map(|(m, _, _)| m)
                })
                .collect()
        })
        .collect();
    let at = slice_suffix(r, slice, s);
    let cap = cap(r);
    Figure::new(
        &format!("heat-{}-s{s}-{k}", metric.key().replace('_', "-")),
        &format!("{}, {shown}{at}", sentence(&label)),
        &axis_words(&axes[0].field),
        &axis_words(&axes[1].field),
        Plot::HeatMap {
            x_labels: xs.into_iter().map(|(_, l)| l).collect(),
            y_labels: ys.into_iter().map(|(_, l)| l).collect(),
            cells,
            // A cell has room for a decimal less than a gate's table gives the metric.
            decimals: metric.decimals() - 1,
            threshold: metric.capped().then(|| Guide {
                at: cap,
                label: format!("regulatory rate above the {cap}% cap"),
            }),
            // Set once every map of the metric is made: one scale for all of them.
            scale: None,
        },
    )
}

/// A metric's label to start a title: "queue abandon rate %" → "Queue abandon rate %".
fn sentence(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A row per point and strategy (shown once along an axis that does not set it, see
/// [`SweepResults::shown_once`]): the axes' values ("any" where the axis does not set the strategy), the
/// strategy's label at the point, then [`Metric::SWEPT`], each column at one precision.
pub fn point_rows(r: &SweepResults, decimals: Decimals) -> Vec<Vec<String>> {
    let n = r.sweep.strategies.len().max(1);
    let shown: Vec<&Row> = r
        .rows
        .iter()
        .enumerate()
        .filter(|(k, _)| r.shown_once(*k))
        .map(|(_, row)| row)
        .collect();
    let places: Vec<usize> = Metric::SWEPT
        .iter()
        .map(|m| decimals.of_row(shown.iter().map(|row| row.metrics.get(*m)), m.scale()))
        .collect();
    r.rows
        .iter()
        .enumerate()
        .filter(|(k, _)| r.shown_once(*k))
        .map(|(k, row)| {
            let mut cells: Vec<String> = r
                .sweep
                .axes
                .iter()
                .zip(&row.values)
                .map(|(a, v)| {
                    if a.applies_to(k % n) {
                        tick(*v)
                    } else {
                        "any".into()
                    }
                })
                .collect();
            cells.push(row.shown().to_string());
            cells.extend(
                Metric::SWEPT
                    .iter()
                    .zip(&places)
                    .map(|(m, &d)| decimals.cell_at(row.metrics.get(*m), m.scale(), d)),
            );
            cells
        })
        .collect()
}

/// The table of every point and strategy.
pub fn tables(r: &SweepResults) -> Vec<Table> {
    let axes = &r.sweep.axes;
    let mut header: Vec<String> = axes.iter().map(|a| a.field.clone()).collect();
    header.push("strategy".into());
    header.extend(Metric::SWEPT.map(Metric::label));
    let rows = point_rows(r, Decimals::Report);
    let mut note = format!(
        "Mean and 95% interval over {} replications per point and strategy; every metric is \
         defined in docs/results.md, and all of them are in metrics.csv. A strategy an axis \
         does not set runs the same along it: its row is shown once, the axis \"any\".",
        r.sweep.replications
    );
    if let Some(more) = left_out(r) {
        note = format!("{note} {more}");
    }
    vec![
        picks_table(r, Decimals::Report),
        Table {
            id: "points".into(),
            title: "Every point".into(),
            note,
            header,
            rows,
            text_columns: axes.len() + 1,
            key_column: None,
        },
    ]
}

/// A setting of the scenario axes in words: "agents staffed 8, ring timeout (s) 20" (values in
/// the order of [`SweepResults::scenario_axes`]).
fn setting_words(r: &SweepResults, values: &[f64]) -> String {
    r.scenario_axes()
        .iter()
        .zip(values)
        .map(|(&a, v)| format!("{} {}", axis_words(&r.sweep.axes[a].field), tick(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the sweep's picks are chosen among, for a heading: "at each value of agents staffed,
/// every strategy at every dial ratio (lines per agent)".
fn pick_scope(r: &SweepResults) -> String {
    let scenario = r.scenario_axes();
    let over: Vec<String> = scenario
        .iter()
        .map(|&a| axis_words(&r.sweep.axes[a].field))
        .collect();
    let within: Vec<String> = (0..r.sweep.axes.len())
        .filter(|a| !scenario.contains(a))
        .map(|a| axis_words(&r.sweep.axes[a].field))
        .collect();
    let at = if over.is_empty() {
        "over the sweep".to_string()
    } else {
        format!("at each {}", over.join(" × "))
    };
    if within.is_empty() {
        format!("{at}, among the strategies")
    } else {
        format!("{at}, among the strategies at every {}", within.join(" × "))
    }
}

/// The verdict of a sweep ([`lab::verdict::sweep_verdicts`]): a heading, then short items —
/// at how many settings some strategy holds the cap and which is picked how often, and the
/// settings where none does.
pub fn verdict_lines(r: &SweepResults) -> (String, Vec<String>) {
    let verdicts = lab::verdict::sweep_verdicts(r);
    let cap = cap(r);
    let heading = format!(
        "Verdict (mean-based: a strategy holds the {cap}% cap when the upper end of its \
         regulatory abandon rate's 95% CI is under it; the pick, {}, is the one of those with the \
         most talk per agent-hour, by the mean: a sweep keeps no days to pair):",
        pick_scope(r)
    );
    let short = short_labels(&r.sweep.strategies);
    let mut counts = vec![0usize; r.sweep.strategies.len()];
    for pick in verdicts.iter().filter_map(|v| v.best.as_ref()) {
        counts[pick.strategy] += 1;
    }
    let held: usize = counts.iter().sum();
    let mut items = Vec::new();
    if verdicts.len() == 1 {
        items.push(match &verdicts[0].best {
            Some(b) => format!(
                "pick: {} — {} talk min per agent-hour, regulatory abandon rate {} %",
                b.name,
                tables::cell(Some(&b.talk), 1.0),
                tables::cell(Some(&b.abandon_regulatory), 100.0)
            ),
            None => "pick: none — no strategy holds the cap at any value swept".into(),
        });
        return (heading, items);
    }
    let mut order: Vec<usize> = (0..counts.len()).filter(|&s| counts[s] > 0).collect();
    order.sort_by_key(|&s| std::cmp::Reverse(counts[s]));
    let picks: Vec<String> = order
        .iter()
        .map(|&s| format!("{} at {}", short[s], counts[s]))
        .collect();
    items.push(if held == 0 {
        format!(
            "no strategy holds the cap at any of the {} settings",
            verdicts.len()
        )
    } else {
        format!(
            "a strategy holds the cap at {held} of {} settings; the pick: {}",
            verdicts.len(),
            picks.join(", ")
        )
    });
    let none: Vec<String> = verdicts
        .iter()
        .filter(|v| v.best.is_none())
        .map(|v| setting_words(r, &v.values))
        .collect();
    if !none.is_empty() && held > 0 {
        let listed = if none.len() <= 4 {
            none.join("; ")
        } else {
            format!("{} … and {} more", none[..3].join("; "), none.len() - 3)
        };
        items.push(format!("none holds it at: {listed}"));
    }
    (heading, items)
}

/// The most settings the table of picks lists; the rest are in the table of every point.
pub const MAX_PICK_ROWS: usize = 40;

/// The pick at each setting of the scenario axes (the first [`MAX_PICK_ROWS`]): the axes'
/// values, the pick's label there, its talk minutes per agent-hour and regulatory rate, and how
/// many of the strategy settings run there are shown over the cap.
pub fn picks_table(r: &SweepResults, decimals: Decimals) -> Table {
    let verdicts = lab::verdict::sweep_verdicts(r);
    let scenario = r.scenario_axes();
    let mut header: Vec<String> = scenario
        .iter()
        .map(|&a| r.sweep.axes[a].field.clone())
        .collect();
    header.extend([
        "pick".to_string(),
        Metric::TalkMinPerAgentHour.label(),
        Metric::AbandonRateRegulatory.label(),
        "over the cap".to_string(),
    ]);
    let shown = &verdicts[..verdicts.len().min(MAX_PICK_ROWS)];
    let picked = || shown.iter().filter_map(|v| v.best.as_ref());
    let talk_d = decimals.of_row(picked().map(|b| Some(&b.talk)), 1.0);
    let rate_d = decimals.of_row(picked().map(|b| Some(&b.abandon_regulatory)), 100.0);
    let rows = shown
        .iter()
        .map(|v| {
            let mut cells: Vec<String> = v.values.iter().map(|x| tick(*x)).collect();
            match &v.best {
                Some(b) => cells.extend([
                    b.name.clone(),
                    decimals.cell_at(Some(&b.talk), 1.0, talk_d),
                    decimals.cell_at(Some(&b.abandon_regulatory), 100.0, rate_d),
                ]),
                None => cells.extend(["none holds the cap".into(), "—".into(), "—".into()]),
            }
            cells.push(format!("{} of {}", v.breaching.len(), v.candidates));
            cells
        })
        .collect();
    let mut note = format!(
        "The pick {}: the most productive whose regulatory abandon rate's 95% CI is under the \
         cap; \"over the cap\": of the strategy settings run there, those whose CI is wholly \
         above it.",
        pick_scope(r)
    );
    if verdicts.len() > MAX_PICK_ROWS {
        note = format!(
            "{note} The first {MAX_PICK_ROWS} of {} settings; every point is in the table of \
             every point.",
            verdicts.len()
        );
    }
    Table {
        id: "picks".into(),
        title: "Pick at each setting".into(),
        note,
        header,
        rows,
        text_columns: scenario.len() + 1,
        key_column: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab::summary::Ordered;
    use lab::sweep::{Axis, Header};

    fn estimate(mean: f64) -> Estimate {
        Estimate {
            mean: Some(mean),
            ci95: Some([mean * 0.9, mean * 1.1]),
        }
    }

    /// A grid over `axes` where a point's abandon rates (both) are the sum of its values / 100.
    fn results(axes: Vec<Vec<f64>>, strategies: &[&str]) -> SweepResults {
        let axes: Vec<Axis> = axes
            .into_iter()
            .enumerate()
            .map(|(i, values)| Axis {
                field: format!("axis{i}"),
                values,
                sets: None,
            })
            .collect();
        let points = axes.iter().fold(vec![Vec::new()], |acc, a| {
            acc.iter()
                .flat_map(|p: &Vec<f64>| {
                    a.values.iter().map(move |&v| {
                        let mut q = p.clone();
                        q.push(v);
                        q
                    })
                })
                .collect()
        });
        let rows = points
            .iter()
            .flat_map(|p| {
                strategies.iter().map(move |s| {
                    let sum: f64 = p.iter().sum();
                    Row {
                        values: p.clone(),
                        strategy: s.to_string(),
                        label: None,
                        metrics: [
                            (Metric::AbandonRate, estimate(sum / 100.0)),
                            (Metric::AbandonRateRegulatory, estimate(sum / 100.0)),
                            (Metric::Occupancy, estimate(0.5)),
                        ]
                        .into_iter()
                        .collect(),
                        outcomes: Ordered(vec![]),
                    }
                })
            })
            .collect();
        SweepResults {
            format: lab::sweep::FORMAT.into(),
            sweep: Header {
                scenario: "test".into(),
                seed: 1,
                replications: 4,
                identity: "x".into(),
                axes,
                points,
                strategies: strategies.iter().map(|s| s.to_string()).collect(),
                specs: Vec::new(),
                abandon_cap: Some(0.03),
            },
            rows,
        }
    }

    fn figures_of(r: &SweepResults) -> Vec<String> {
        figures(r).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn one_axis_gives_a_line_per_strategy_with_its_interval() {
        let r = results(vec![vec![1.0, 2.0, 3.0]], &["A", "B"]);
        let figures = figures(&r);
        assert_eq!(figures.len(), Metric::SWEPT.len());
        let Plot::Bands {
            series, horizontal, ..
        } = &figures[0].plot
        else {
            panic!("bands: {:?}", figures[0].plot)
        };
        assert_eq!(series.len(), 2);
        // Abandon rate in percent: the sum of the values.
        let (x, mean, lo, hi) = series[0].points[1];
        assert_eq!((x, mean), (2.0, 2.0));
        assert!(
            (lo - 1.8).abs() < 1e-9 && (hi - 2.2).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(horizontal.as_ref().map(|g| g.at), Some(3.0));
        // Metrics the file lacks give empty lines, not invented points.
        let talk = figures.iter().find(|f| f.id.contains("talk")).unwrap();
        let Plot::Bands { series, .. } = &talk.plot else {
            panic!()
        };
        assert!(series.iter().all(|s| s.points.is_empty()));
    }

    #[test]
    fn two_axes_give_heat_maps_laid_out_x_first_axis_y_second() {
        let r = results(vec![vec![1.0, 2.0, 3.0], vec![10.0, 20.0]], &["A"]);
        let figures = figures(&r);
        let heat = figures
            .iter()
            .find(|f| f.id == "heat-abandon-rate-regulatory-s0-0")
            .expect("the abandon-rate heat map");
        assert_eq!(
            (heat.x_label.as_str(), heat.y_label.as_str()),
            ("axis0", "axis1")
        );
        let Plot::HeatMap { cells, .. } = &heat.plot else {
            panic!()
        };
        assert_eq!(cells.len(), 2, "a row per value of the second axis");
        assert_eq!(cells[1], vec![Some(21.0), Some(22.0), Some(23.0)]);
        let Plot::HeatMap {
            x_labels, y_labels, ..
        } = &heat.plot
        else {
            panic!()
        };
        assert_eq!(x_labels, &["1", "2", "3"]);
        assert_eq!(y_labels, &["10", "20"]);
        // Two heat maps and two line charts (abandon rate, occupancy) per strategy.
        let ids: Vec<&str> = figures.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "heat-abandon-rate-regulatory-s0-0",
                "heat-occupancy-s0-0",
                "sweep-lines-abandon-rate-regulatory-s0",
                "sweep-lines-occupancy-s0"
            ]
        );
        // A line per value of the second axis, against the first, with the cap on abandon
        // rates only.
        let Plot::Bands {
            series, horizontal, ..
        } = &figures[2].plot
        else {
            panic!()
        };
        assert_eq!(figures[2].x_label, "axis0");
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["axis1 = 10", "axis1 = 20"]);
        let xs: Vec<(f64, f64)> = series[1].points.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(xs, [(1.0, 21.0), (2.0, 22.0), (3.0, 23.0)]);
        assert_eq!(horizontal.as_ref().map(|g| g.at), Some(3.0));
        let Plot::Bands {
            series, horizontal, ..
        } = &figures[3].plot
        else {
            panic!()
        };
        assert!(horizontal.is_none(), "no cap on occupancy");
        let (x, mean, lo, hi) = series[0].points[0];
        assert_eq!((x, mean), (1.0, 50.0));
        assert!((lo - 45.0).abs() < 1e-9 && (hi - 55.0).abs() < 1e-9);
    }

    #[test]
    fn more_axes_are_sliced_and_what_is_left_out_is_said() {
        let r = results(
            vec![
                vec![1.0, 2.0],
                vec![10.0, 20.0],
                (0..4).map(f64::from).collect(),
                vec![100.0, 200.0],
            ],
            &["A", "B"],
        );
        let figures = figures(&r);
        let heat = figures.iter().filter(|f| f.id.starts_with("heat-")).count();
        assert_eq!(heat, MAX_SLICES * 2 * HEAT.len());
        let second = figures
            .iter()
            .find(|f| f.id == "heat-abandon-rate-regulatory-s1-1")
            .unwrap();
        assert!(
            second.title.contains("axis2 = 0, axis3 = 200"),
            "{}",
            second.title
        );
        let Plot::HeatMap { cells, .. } = &second.plot else {
            panic!()
        };
        assert_eq!(cells[0][0], Some(1.0 + 10.0 + 0.0 + 200.0));
        let note = left_out(&r).expect("8 combinations, 6 drawn");
        assert!(
            note.contains("6 of the 8")
                && note.contains("axis2 × axis3")
                && note.contains("left out: axis2 = 3, axis3 = 100; axis2 = 3, axis3 = 200."),
            "{note}"
        );
        // Line charts at the first combination of the other axes.
        let lines = figures
            .iter()
            .find(|f| f.id == "sweep-lines-occupancy-s1")
            .unwrap();
        assert!(
            lines.title.contains("(axis2 = 0, axis3 = 100)"),
            "{}",
            lines.title
        );
        // Within the cap, nothing is said.
        let small = results(vec![vec![1.0], vec![2.0], vec![3.0, 4.0]], &["A"]);
        assert_eq!(left_out(&small), None);
        assert_eq!(
            figures_of(&small),
            [
                "heat-abandon-rate-regulatory-s0-0",
                "heat-occupancy-s0-0",
                "heat-abandon-rate-regulatory-s0-1",
                "heat-occupancy-s0-1",
                "sweep-lines-abandon-rate-regulatory-s0",
                "sweep-lines-occupancy-s0"
            ]
        );
        let many = results(
            vec![vec![1.0], vec![2.0], (0..20).map(f64::from).collect()],
            &["A"],
        );
        let note = left_out(&many).unwrap();
        assert!(
            note.contains("left out: axis2 = 6; axis2 = 7; axis2 = 8 … and 11 more."),
            "{note}"
        );
        let all = tables(&r);
        assert_eq!(all[0].id, "picks", "the pick at each setting first");
        let table = &all[1];
        assert_eq!(table.rows.len(), 2 * 2 * 4 * 2 * 2);
        assert!(table.note.contains("6 of the 8"));
    }

    /// A sweep's charts, bands and heat maps alike, keep their legends off the data; the heat
    /// maps of one metric share one colour scale.
    #[test]
    fn sweep_charts_keep_legends_off_the_data_and_share_scales() {
        let one = results(vec![vec![1.0, 2.0, 3.0]], &["Progressive", "FixedRatio(2)"]);
        let two = results(
            vec![vec![1.0, 2.0, 3.0], vec![0.5, 1.5]],
            &["Progressive", "FixedRatio(2)"],
        );
        for r in [&one, &two] {
            for f in figures(r) {
                let svg = crate::chart::render_svg(&f, crate::chart::SIZE).unwrap();
                crate::chart::legend_clear_of_data(&svg, f.legend().len())
                    .unwrap_or_else(|e| panic!("{}: {e}", f.id));
            }
        }
        let scales: Vec<(String, Option<(f64, f64)>)> = figures(&two)
            .into_iter()
            .filter_map(|f| match f.plot {
                Plot::HeatMap { scale, .. } => Some((f.id.clone(), scale)),
                _ => None,
            })
            .collect();
        let abandon: Vec<_> = scales
            .iter()
            .filter(|(id, _)| id.starts_with("heat-abandon-rate-regulatory-"))
            .collect();
        assert_eq!(abandon.len(), 2, "{scales:?}");
        assert!(
            abandon[0].1.is_some() && abandon[0].1 == abandon[1].1,
            "{abandon:?}"
        );
    }

    #[test]
    fn axes_are_named_in_words_with_units() {
        assert_eq!(axis_words("agents.staffing.Count"), "agents staffed");
        assert_eq!(axis_words("dial.ring_timeout_s"), "ring timeout (s)");
        assert_eq!(
            axis_words("queue.patience.LogNormal.mean_s"),
            "patience mean (s)"
        );
        assert_eq!(axis_words("strategy.poll_s"), "poll (s)");
        assert_eq!(axis_words("horizon_h"), "horizon (h)");
        assert_eq!(axis_words("strategy.ratio"), "dial ratio (lines per agent)");
    }

    /// A count or a two-value axis is drawn as points with whiskers; a fine grid of settings as
    /// a line with its band.
    #[test]
    fn discrete_axes_are_drawn_as_points() {
        assert!(discrete(&[4.0, 5.0, 6.0, 7.0]));
        assert!(discrete(&[20.0, 30.5]));
        assert!(!discrete(&[1.0, 1.25, 1.5, 1.75, 2.0]));
        let is_discrete = |axis: Vec<f64>| {
            let f = figures(&results(vec![axis], &["Progressive"]));
            matches!(f[0].plot, Plot::Bands { discrete: true, .. })
        };
        assert!(is_discrete(vec![8.0, 12.0]));
        assert!(!is_discrete(vec![0.5, 0.75, 1.0, 1.25]));
    }
}
