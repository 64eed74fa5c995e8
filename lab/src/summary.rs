//! The numbers users see, each defined once, and the results file (`--json`) that carries them.
//! `docs/results.md` documents the same definitions; keep the two together.

use crate::stats::{Estimate, mean_ci, ratio_ci};
use hdrhistogram::Histogram;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim::metrics::{Code, RepMetrics};
use std::fmt;
use strategies::StrategySpec;

const HOUR_MS: f64 = 3_600_000.0;

/// A map that keeps its keys in the order they were defined (tables and files read top-down).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Ordered<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V_(std::marker::PhantomData))
    }
}

/// The results file: the public contract documented in `docs/results.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`FORMAT`]: which version of this contract the file follows.
    pub format: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    /// The scenario's compliance threshold (seconds), for charts of waits.
    pub compliance_threshold_s: f64,
    pub strategies: Vec<StrategyResult>,
    /// Paired differences against a baseline strategy (`dialsim compare`); absent from `run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

/// The `format` of results files this version writes and reads.
pub const FORMAT: &str = "dialsim-results/1";

impl Results {
    /// Results of `plan`'s scenario (no comparison block).
    pub fn new(plan: &crate::plan::Plan, strategies: Vec<StrategyResult>) -> Results {
        Results {
            format: FORMAT.to_string(),
            scenario: plan.name.clone(),
            seed: plan.seed,
            replications: plan.replications,
            compliance_threshold_s: plan.world.compliance_threshold.as_secs_f64(),
            strategies,
            comparison: None,
        }
    }
}

/// `dialsim compare`'s paired differences: each strategy minus the baseline, replication by
/// replication (the same random streams), with a 95% interval from those differences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline strategy's `name`.
    pub baseline: String,
    /// One entry per strategy other than the baseline, in the scenario's order.
    pub differences: Vec<Difference>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The strategy's `name`.
    pub name: String,
    /// Strategy − baseline for each compared metric, by key.
    pub metrics: Ordered<Estimate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyResult {
    pub name: String,
    pub strategy: StrategySpec,
    pub metrics: Ordered<Estimate>,
    /// Customers per final result code: "1", "2", "3", "0", "-2", "-1", "abandoned".
    pub outcomes: Ordered<Estimate>,
    pub series: Series,
    /// Wait to agent of connected callers, pooled over replications: points (seconds, share of
    /// callers who waited at most that long) at every percentile, with 99.5 and 99.9, in order.
    pub wait_cdf: Vec<[f64; 2]>,
}

/// Per-interval means over replications (interval i covers [i·interval_s, (i+1)·interval_s)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub interval_s: f64,
    pub values: Ordered<Vec<Option<f64>>>,
}

/// How a metric is computed from replications.
enum Kind {
    /// Σ numerator ÷ Σ denominator over replications.
    Ratio(fn(&RepMetrics) -> (f64, f64)),
    /// One value per replication (`None`: that replication does not count), then the mean.
    PerRep(fn(&RepMetrics) -> Option<f64>),
}

fn percentile_s(r: &RepMetrics, q: f64) -> Option<f64> {
    (r.counters.connected > 0).then(|| r.waits.value_at_quantile(q) as f64 / 1_000.0)
}

/// Every metric in the results file, in order, with its definition.
const METRICS: &[(&str, Kind)] = &[
    // abandoned ÷ callers who chose 1 and entered the queue.
    (
        "abandon_rate",
        Kind::Ratio(|r| (r.counters.abandoned as f64, r.counters.queue_entries as f64)),
    ),
    // live answers not bridged to an agent within the compliance threshold ÷ live answers.
    (
        "abandon_rate_regulatory",
        Kind::Ratio(|r| {
            (
                r.counters.regulatory_abandons() as f64,
                r.counters.live_answers as f64,
            )
        }),
    ),
    // agent time in talk + after-call work ÷ agent time logged in.
    (
        "occupancy",
        Kind::Ratio(|r| (r.busy_ms as f64, r.staffed_ms as f64)),
    ),
    (
        "talk_min_per_agent_hour",
        Kind::Ratio(|r| (r.talk_ms as f64 / 60_000.0, r.staffed_ms as f64 / HOUR_MS)),
    ),
    ("wait_p50_s", Kind::PerRep(|r| percentile_s(r, 0.50))),
    ("wait_p90_s", Kind::PerRep(|r| percentile_s(r, 0.90))),
    ("wait_p99_s", Kind::PerRep(|r| percentile_s(r, 0.99))),
    ("wait_max_s", Kind::PerRep(|r| percentile_s(r, 1.0))),
    (
        "dials_per_hour",
        Kind::Ratio(|r| (r.counters.dials as f64, r.end.0 as f64 / HOUR_MS)),
    ),
    (
        "agent_connects_per_agent_hour",
        Kind::Ratio(|r| (r.counters.connected as f64, r.staffed_ms as f64 / HOUR_MS)),
    ),
    (
        "list_exhausted_after_s",
        Kind::PerRep(|r| r.list_exhausted_at.map(|t| t.as_secs_f64())),
    ),
    (
        "list_exhausted_share",
        Kind::PerRep(|r| {
            Some(if r.list_exhausted_at.is_some() {
                1.0
            } else {
                0.0
            })
        }),
    ),
    (
        "list_penetration",
        Kind::PerRep(|r| {
            Some(r.attempted as f64 / (r.outcomes.iter().sum::<u64>() as f64).max(1.0))
        }),
    ),
    (
        "campaign_duration_s",
        Kind::PerRep(|r| Some(r.end.as_secs_f64())),
    ),
    // queue entrants who found no free agent ÷ queue entrants.
    (
        "p_wait",
        Kind::Ratio(|r| (r.counters.waited as f64, r.counters.queue_entries as f64)),
    ),
    // mean time in queue of every entrant, served or abandoned.
    (
        "mean_queue_time_s",
        Kind::Ratio(|r| {
            (
                r.counters.queue_time_ms as f64 / 1_000.0,
                r.counters.queue_entries as f64,
            )
        }),
    ),
    // The worst rate over any window of 24 h (the UK rule) or 30 days (the US rule), one value
    // per replication; the whole campaign when it is shorter than the window.
    (
        "abandon_rate_worst_24h",
        Kind::PerRep(|r| worst_rate(r, DAY, queue_pair)),
    ),
    (
        "abandon_rate_worst_30d",
        Kind::PerRep(|r| worst_rate(r, 30 * DAY, queue_pair)),
    ),
    (
        "abandon_rate_regulatory_worst_24h",
        Kind::PerRep(|r| worst_rate(r, DAY, regulatory_pair)),
    ),
    (
        "abandon_rate_regulatory_worst_30d",
        Kind::PerRep(|r| worst_rate(r, 30 * DAY, regulatory_pair)),
    ),
    // Compliance breaches per replication; each must be zero.
    (
        "calls_outside_window",
        Kind::PerRep(|r| Some(r.counters.calls_outside_window as f64)),
    ),
    (
        "short_rings",
        Kind::PerRep(|r| Some(r.counters.short_rings as f64)),
    ),
    (
        "redials_after_abandon",
        Kind::PerRep(|r| Some(r.counters.redials_after_abandon as f64)),
    ),
    (
        "calls_to_do_not_call",
        Kind::PerRep(|r| Some(r.counters.calls_to_do_not_call as f64)),
    ),
    ("dials", Kind::PerRep(|r| Some(r.counters.dials as f64))),
    (
        "rejected_dials",
        Kind::PerRep(|r| Some(r.counters.rejected as f64)),
    ),
    (
        "live_answers",
        Kind::PerRep(|r| Some(r.counters.live_answers as f64)),
    ),
    (
        "queue_entries",
        Kind::PerRep(|r| Some(r.counters.queue_entries as f64)),
    ),
    (
        "abandoned",
        Kind::PerRep(|r| Some(r.counters.abandoned as f64)),
    ),
    (
        "connected",
        Kind::PerRep(|r| Some(r.counters.connected as f64)),
    ),
];

/// The value of metric `key` in one replication: the ratio numerator ÷ denominator for a ratio
/// metric (`None` when the denominator is 0), the replication's own value for a per-rep metric.
/// `None` also for an unknown key. Paired comparisons are built from these.
pub fn per_replication(key: &str, rep: &RepMetrics) -> Option<f64> {
    let (_, kind) = METRICS.iter().find(|(k, _)| *k == key)?;
    match kind {
        Kind::Ratio(f) => {
            let (num, den) = f(rep);
            (den > 0.0).then(|| num / den)
        }
        Kind::PerRep(f) => f(rep),
    }
}

const DAY: u64 = 86_400_000;

fn queue_pair(b: &sim::metrics::BucketCounts) -> (u64, u64) {
    (b.abandoned, b.queue_entries)
}

fn regulatory_pair(b: &sim::metrics::BucketCounts) -> (u64, u64) {
    (b.regulatory_abandons, b.live_answers)
}

fn worst_rate(
    r: &RepMetrics,
    window_ms: u64,
    pair: fn(&sim::metrics::BucketCounts) -> (u64, u64),
) -> Option<f64> {
    let counts: Vec<(u64, u64)> = r.buckets.iter().map(pair).collect();
    let intervals = window_ms.div_ceil(r.interval.0.max(1)) as usize;
    worst_window(&counts, intervals)
}

/// The highest Σ numerator ÷ Σ denominator over any `window` consecutive intervals (the whole
/// series when it is shorter), among windows with a denominator; `None` when none has one.
pub fn worst_window(counts: &[(u64, u64)], window: usize) -> Option<f64> {
    let window = window.clamp(1, counts.len().max(1));
    let mut worst: Option<f64> = None;
    let (mut num, mut den) = (0u64, 0u64);
    for (i, &(n, d)) in counts.iter().enumerate() {
        num += n;
        den += d;
        if i >= window {
            num -= counts[i - window].0;
            den -= counts[i - window].1;
        }
        if i + 1 >= window && den > 0 {
            let rate = num as f64 / den as f64;
            worst = Some(worst.map_or(rate, |w| w.max(rate)));
        }
    }
    worst
}

/// The metric keys, in file order.
pub fn metric_keys() -> impl Iterator<Item = &'static str> {
    METRICS.iter().map(|(k, _)| *k)
}

fn estimate(kind: &Kind, reps: &[RepMetrics]) -> Estimate {
    match kind {
        Kind::Ratio(f) => ratio_ci(&reps.iter().map(f).collect::<Vec<_>>()),
        Kind::PerRep(f) => mean_ci(&reps.iter().filter_map(f).collect::<Vec<_>>()),
    }
}

/// The numbers of one replication that the metrics table and the result-code counts are made
/// of: per metric (in [`metric_keys`] order) `[numerator, denominator]` of a ratio metric or
/// `[value, 1]` of a per-replication one (`None`: the replication does not count), then the
/// customers per result code. What a sweep shard keeps of each replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepScalars {
    pub metrics: Vec<Option<[f64; 2]>>,
    pub outcomes: Vec<f64>,
}

/// The [`RepScalars`] of one replication.
pub fn scalars(rep: &RepMetrics) -> RepScalars {
    RepScalars {
        metrics: METRICS
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Ratio(f) => {
                    let (num, den) = f(rep);
                    Some([num, den])
                }
                Kind::PerRep(f) => f(rep).map(|v| [v, 1.0]),
            })
            .collect(),
        outcomes: Code::ALL
            .iter()
            .map(|c| rep.outcomes[c.index()] as f64)
            .collect(),
    }
}

/// The metrics table and result-code counts from replications' scalars: the same numbers as
/// [`summarise`] gives from the replications themselves.
pub fn summarise_scalars(reps: &[RepScalars]) -> (Ordered<Estimate>, Ordered<Estimate>) {
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(i, (k, kind))| {
            let cells = reps.iter().map(|r| r.metrics.get(i).copied().flatten());
            let estimate = match kind {
                Kind::Ratio(_) => ratio_ci(
                    &cells
                        .map(|c| c.map_or((0.0, 0.0), |[n, d]| (n, d)))
                        .collect::<Vec<_>>(),
                ),
                Kind::PerRep(_) => mean_ci(&cells.flatten().map(|[v, _]| v).collect::<Vec<_>>()),
            };
            (k.to_string(), estimate)
        })
        .collect();
    let outcomes = Code::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values: Vec<f64> = reps
                .iter()
                .map(|r| r.outcomes.get(i).copied().unwrap_or(0.0))
                .collect();
            (c.key().to_string(), mean_ci(&values))
        })
        .collect();
    (Ordered(metrics), Ordered(outcomes))
}

/// Summarises the replications of one strategy (replication order does not matter for the
/// numbers, but callers pass them in replication order so sums are reproducible bit for bit).
pub fn summarise(spec: &StrategySpec, reps: &[RepMetrics]) -> StrategyResult {
    let metrics = METRICS
        .iter()
        .map(|(k, kind)| (k.to_string(), estimate(kind, reps)))
        .collect();
    let outcomes = Code::ALL
        .iter()
        .map(|c| {
            let values: Vec<f64> = reps.iter().map(|r| r.outcomes[c.index()] as f64).collect();
            (c.key().to_string(), mean_ci(&values))
        })
        .collect();
    StrategyResult {
        name: spec.label(),
        strategy: spec.clone(),
        metrics: Ordered(metrics),
        outcomes: Ordered(outcomes),
        series: series(reps),
        wait_cdf: wait_cdf(reps),
    }
}

fn merged_waits<'a>(hists: impl Iterator<Item = &'a Histogram<u64>>) -> Option<Histogram<u64>> {
    let mut all: Option<Histogram<u64>> = None;
    for h in hists {
        match &mut all {
            None => all = Some(h.clone()),
            Some(a) => a.add(h).expect("auto-resizing histograms merge"),
        }
    }
    all.filter(|h| !h.is_empty())
}

fn wait_cdf(reps: &[RepMetrics]) -> Vec<[f64; 2]> {
    let Some(all) = merged_waits(reps.iter().map(|r| &r.waits)) else {
        return Vec::new();
    };
    (0..100)
        .map(|p| f64::from(p) / 100.0)
        .chain([0.995, 0.999, 1.0])
        .map(|q| [all.value_at_quantile(q) as f64 / 1_000.0, q])
        .collect()
}

fn series(reps: &[RepMetrics]) -> Series {
    let interval = reps.first().map_or(1, |r| r.interval.0.max(1));
    let len = reps.iter().map(|r| r.buckets.len()).max().unwrap_or(0);
    let n = reps.len().max(1) as f64;
    let count = |f: fn(&sim::metrics::BucketCounts) -> u64| -> Vec<Option<f64>> {
        (0..len)
            .map(|i| {
                Some(
                    reps.iter()
                        .map(|r| r.buckets.get(i).map_or(0, f) as f64)
                        .sum::<f64>()
                        / n,
                )
            })
            .collect()
    };
    let area = |v: &Vec<u128>, i: usize| v.get(i).copied().unwrap_or(0) as f64;
    // Levels are averaged over the time campaigns were running in the interval: a replication
    // that ended earlier, or ended part-way through, does not dilute the average.
    let running = |r: &RepMetrics, i: usize| {
        let start = i as u64 * interval;
        r.end.0.clamp(start, start + interval) - start
    };
    let level = |f: fn(&RepMetrics) -> &Vec<u128>| -> Vec<Option<f64>> {
        (0..len)
            .map(|i| {
                let time: u64 = reps.iter().map(|r| running(r, i)).sum();
                (time > 0).then(|| reps.iter().map(|r| area(f(r), i)).sum::<f64>() / time as f64)
            })
            .collect()
    };
    let lines_per_agent: Vec<Option<f64>> = (0..len)
        .map(|i| {
            let lines: f64 = reps.iter().map(|r| area(&r.lines_area, i)).sum();
            let staffed: f64 = reps.iter().map(|r| area(&r.staffed_area, i)).sum();
            (staffed > 0.0).then(|| lines / staffed)
        })
        .collect();
    let wait_p90: Vec<Option<f64>> = (0..len)
        .map(|i| {
            merged_waits(reps.iter().filter_map(|r| r.wait_buckets.get(i)))
                .map(|h| h.value_at_quantile(0.9) as f64 / 1_000.0)
        })
        .collect();
    let occupancy: Vec<Option<f64>> = (0..len)
        .map(|i| {
            let busy: f64 = reps.iter().map(|r| area(&r.busy_area, i)).sum();
            let staffed: f64 = reps.iter().map(|r| area(&r.staffed_area, i)).sum();
            (staffed > 0.0).then(|| busy / staffed)
        })
        .collect();
    Series {
        interval_s: interval as f64 / 1_000.0,
        values: Ordered(vec![
            ("dials".into(), count(|b| b.dials)),
            ("live_answers".into(), count(|b| b.live_answers)),
            ("queue_entries".into(), count(|b| b.queue_entries)),
            ("abandoned".into(), count(|b| b.abandoned)),
            (
                "regulatory_abandons".into(),
                count(|b| b.regulatory_abandons),
            ),
            ("occupancy".into(), occupancy),
            ("queue_length".into(), level(|r| &r.queue_area)),
            ("agents_available".into(), level(|r| &r.available_area)),
            ("agents_staffed".into(), level(|r| &r.staffed_area)),
            ("lines_per_agent".into(), lines_per_agent),
            ("wait_p90_s".into(), wait_p90),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_window_differs_from_the_average() {
        // Six 8-hour intervals: 3.3% abandons overall, 6% in the worst 24 hours (3 intervals).
        let counts = [(1, 100), (1, 100), (5, 100), (6, 100), (7, 100), (0, 100)];
        let overall = 20.0 / 600.0;
        let worst = worst_window(&counts, 3).unwrap();
        assert!((worst - 18.0 / 300.0).abs() < 1e-12, "worst {worst}");
        assert!(worst > 1.5 * overall);
        // A window longer than the series is the whole series.
        assert!((worst_window(&counts, 10).unwrap() - overall).abs() < 1e-12);
        // Windows without a denominator do not count; no denominator at all is undefined.
        assert_eq!(worst_window(&[(0, 0), (1, 2)], 1), Some(0.5));
        assert_eq!(worst_window(&[(0, 0)], 1), None);
    }
}
