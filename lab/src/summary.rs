//! The results file (`--json`): every metric of the [catalogue](crate::catalogue) estimated over
//! a strategy's replications, the customers per result code, the series and the wait
//! distribution. `docs/results.md` documents the file.

use crate::catalogue::Metric;
use crate::stats::{Estimate, mean_ci, share_ci};
use hdrhistogram::Histogram;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim::metrics::{Code, RepMetrics};
use std::fmt;
use strategies::StrategySpec;

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

/// Values by metric, in the order they were made or read (tables and files read top-down). In
/// a file it is a map from [`Metric::key`]s. A map read from a file keeps a key this version does
/// not know, for the validator to name ([`Metrics::written`]); nothing else sees it, and a file
/// the validator accepts has none.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics<V>(Vec<(Key, V)>);

/// A key of a [`Metrics`] map.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Known(Metric),
    /// Read from a file, and not a key of this version.
    Unknown(String),
}

impl Key {
    fn as_str(&self) -> &str {
        match self {
            Key::Known(m) => m.key(),
            Key::Unknown(k) => k,
        }
    }
}

impl<V> Metrics<V> {
    pub fn get(&self, metric: Metric) -> Option<&V> {
        self.0
            .iter()
            .find(|(k, _)| *k == Key::Known(metric))
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, metric: Metric) -> Option<&mut V> {
        self.0
            .iter_mut()
            .find(|(k, _)| *k == Key::Known(metric))
            .map(|(_, v)| v)
    }

    /// The metrics and their values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, &V)> {
        self.0.iter().filter_map(|(k, v)| match k {
            Key::Known(m) => Some((*m, v)),
            Key::Unknown(_) => None,
        })
    }

    /// Every key as the file writes it, with its value, in order: what the validator checks.
    pub fn written(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V> FromIterator<(Metric, V)> for Metrics<V> {
    fn from_iter<I: IntoIterator<Item = (Metric, V)>>(entries: I) -> Self {
        Metrics(
            entries
                .into_iter()
                .map(|(m, v)| (Key::Known(m), v))
                .collect(),
        )
    }
}

impl<V: Serialize> Serialize for Metrics<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.written() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Metrics<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Ordered(entries) = Ordered::<V>::deserialize(d)?;
        Ok(Metrics(
            entries
                .into_iter()
                .map(|(k, v)| match Metric::from_key(&k) {
                    Some(m) => (Key::Known(m), v),
                    None => (Key::Unknown(k), v),
                })
                .collect(),
        ))
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
    /// The scenario's cap on a day's regulatory abandon rate, which the day metrics count
    /// against.
    #[serde(default = "default_cap")]
    pub abandon_cap: f64,
    /// The scenario's measurement window; absent when the metrics cover the whole campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Window>,
    pub strategies: Vec<StrategyResult>,
    /// When the campaign starts and where its customers live, so that charts over the day can
    /// be drawn on the customers' clock; absent from files written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// Paired differences against a baseline strategy (`dialsim compare`); absent from `run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

fn default_cap() -> f64 {
    rules::abandonment::DEFAULT_ABANDON_CAP
}

/// The measurement window a file's metrics were measured over, in hours after the campaign's
/// start, as the scenario's `measure` wrote it: calls dialed in `[from_h, to_h)`, times over it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub from_h: f64,
    /// `None` (`null` in the file): to the end of the campaign.
    pub to_h: Option<f64>,
}

impl Window {
    /// The file's window of a scenario's `measure`.
    pub fn of(measure: Option<sim::scenario::Measure>) -> Option<Window> {
        measure.map(|m| Window {
            from_h: m.from_h,
            to_h: m.to_h,
        })
    }

    /// "from 1 h to 7 h after the start", "from 2 h after the start to the end".
    pub fn describe(&self) -> String {
        let h = |v: f64| format!("{} h", rules::param::show(v));
        match self.to_h {
            Some(to) => format!("from {} to {} after the start", h(self.from_h), h(to)),
            None => format!("from {} after the start to the end", h(self.from_h)),
        }
    }
}

/// The campaign's start on the UTC clock and its list's time zones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// UTC time of day the campaign starts at, in hours (0 to 24).
    pub start_utc_h: f64,
    /// Each time zone of the list with its share of the customers, most customers first.
    pub zones: Vec<Zone>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Hours east of UTC at the campaign's start.
    pub utc_offset_h: f64,
    /// Share of the list's customers living there.
    pub share: f64,
}

impl Clock {
    /// The clock of `world`: its start and its customers counted per zone.
    pub fn of(world: &sim::World) -> Clock {
        let mut counts = vec![0u64; world.time_zones.len()];
        for c in world.customers.iter() {
            if let Some(n) = counts.get_mut(usize::from(c.zone)) {
                *n += 1;
            }
        }
        let total = counts.iter().sum::<u64>().max(1) as f64;
        let mut zones: Vec<Zone> = world
            .time_zones
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(z, (_, n))| Zone {
                utc_offset_h: world.offset_ms(z as u16, sim::Millis::ZERO) as f64 / 3_600_000.0,
                share: *n as f64 / total,
            })
            .collect();
        zones.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then(b.utc_offset_h.total_cmp(&a.utc_offset_h))
        });
        Clock {
            start_utc_h: world.start_utc.0 as f64 / 3_600_000.0,
            zones,
        }
    }

    /// The zone most customers live in; `None` for a list without zones.
    pub fn main_zone(&self) -> Option<Zone> {
        self.zones.first().copied()
    }
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
            abandon_cap: plan.world.abandon_cap,
            measure: Window::of(plan.measure),
            strategies,
            clock: Some(Clock::of(&plan.world)),
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
    /// Strategy − baseline for each compared metric.
    pub metrics: Metrics<Estimate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyResult {
    pub name: String,
    pub strategy: StrategySpec,
    pub metrics: Metrics<Estimate>,
    /// Customers per final result code: "1", "2", "3", "0", "-2", "-1", "abandoned".
    pub outcomes: Ordered<Estimate>,
    pub series: Series,
    /// Wait to agent of connected callers, pooled over replications: points (seconds, share of
    /// callers who waited at most that long) at every percentile, with 99.5 and 99.9, in order.
    pub wait_cdf: Vec<[f64; 2]>,
    /// Each replication's abandon rates, a replication being a day.
    #[serde(default)]
    pub days: Days,
}

/// Each replication (a simulated day) on its own, in replication order: what the day metrics
/// (`days_over_cap_regulatory`, …) are computed from, kept so that a reader can judge days by
/// another cap or form 30-day periods. `None`: no denominator that day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Days {
    pub abandon_rate_regulatory: Vec<Option<f64>>,
    pub abandon_rate: Vec<Option<f64>>,
    /// Each day's talk minutes per agent-hour, so that two strategies (or two files of the same
    /// scenario and seed) can be compared day by day; empty in a file written before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub talk_min_per_agent_hour: Vec<Option<f64>>,
    /// The US rule's 30-day periods formed from the days; absent with fewer than 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods_30d: Option<Periods>,
}

/// Days pooled into 30-day periods, the FCC's window: replications 1–30 are the first period,
/// 31–60 the second, and so on (the days are independent, so the periods are too, and the share
/// over the cap has an exact binomial interval); days past the last whole period are left out.
/// A period's regulatory rate pools its days: their regulatory abandons over their live answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Periods {
    /// Days in a period (30).
    pub days: u32,
    /// Each period's regulatory abandon rate, in order; `None` without a live answer.
    pub abandon_rate_regulatory: Vec<Option<f64>>,
    /// The share of periods whose rate is over the cap, with its exact binomial 95% interval.
    pub over_cap: Estimate,
    /// The worst period's rate.
    pub worst: Option<f64>,
}

/// Days in the FCC's abandonment window.
pub const PERIOD_DAYS: usize = 30;

/// The 30-day periods of `reps` (in replication order), `None` with fewer than 30 days.
pub fn periods_30d(reps: &[RepMetrics]) -> Option<Periods> {
    let rates: Vec<Option<f64>> = reps
        .chunks_exact(PERIOD_DAYS)
        .map(|days| {
            let (abandons, answers) = days.iter().fold((0u64, 0u64), |(a, n), r| {
                (
                    a + r.counters.regulatory_abandons(),
                    n + r.counters.live_answers,
                )
            });
            (answers > 0).then(|| abandons as f64 / answers as f64)
        })
        .collect();
    if rates.is_empty() {
        return None;
    }
    let cap = reps[0].abandon_cap;
    let counted: Vec<f64> = rates.iter().flatten().copied().collect();
    Some(Periods {
        days: PERIOD_DAYS as u32,
        over_cap: share_ci(
            counted.iter().filter(|r| **r > cap).count() as u64,
            counted.len() as u64,
        ),
        worst: counted.iter().copied().reduce(f64::max),
        abandon_rate_regulatory: rates,
    })
}

/// Per-interval means over replications (interval i covers [i·interval_s, (i+1)·interval_s)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub interval_s: f64,
    pub values: Ordered<Vec<Option<f64>>>,
}

/// The numbers of one replication that the metrics table and the result-code counts are made
/// of: per metric (in [`Metric::ALL`] order) its [`Metric::scalar`], then the customers per
/// result code. What a sweep shard keeps of each replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepScalars {
    pub metrics: Vec<Option<[f64; 2]>>,
    pub outcomes: Vec<f64>,
}

/// The [`RepScalars`] of one replication.
pub fn scalars(rep: &RepMetrics) -> RepScalars {
    RepScalars {
        metrics: Metric::ALL.iter().map(|m| m.scalar(rep)).collect(),
        outcomes: Code::ALL
            .iter()
            .map(|c| rep.outcomes[c.index()] as f64)
            .collect(),
    }
}

/// The metrics table and result-code counts from replications' scalars: the same numbers as
/// [`summarise`] gives from the replications themselves.
pub fn summarise_scalars(reps: &[RepScalars]) -> (Metrics<Estimate>, Ordered<Estimate>) {
    let metrics = Metric::ALL
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let cells = reps.iter().map(|r| r.metrics.get(i).copied().flatten());
            (*m, m.estimate_scalars(cells))
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
    (metrics, Ordered(outcomes))
}

/// Summarises the replications of one strategy (replication order does not matter for the
/// numbers, but callers pass them in replication order so sums are reproducible bit for bit).
pub fn summarise(spec: &StrategySpec, reps: &[RepMetrics]) -> StrategyResult {
    let metrics = Metric::ALL.iter().map(|m| (*m, m.estimate(reps))).collect();
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
        metrics,
        outcomes: Ordered(outcomes),
        series: series(reps),
        wait_cdf: wait_cdf(reps),
        days: Days {
            abandon_rate_regulatory: reps
                .iter()
                .map(|r| Metric::AbandonRateRegulatory.per_replication(r))
                .collect(),
            abandon_rate: reps
                .iter()
                .map(|r| Metric::AbandonRate.per_replication(r))
                .collect(),
            talk_min_per_agent_hour: reps
                .iter()
                .map(|r| Metric::TalkMinPerAgentHour.per_replication(r))
                .collect(),
            periods_30d: periods_30d(reps),
        },
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
    // Pooled over the days: the interval's late connections ÷ its connections.
    let connected_late_share: Vec<Option<f64>> = (0..len)
        .map(|i| {
            let of = |f: fn(&sim::metrics::BucketCounts) -> u64| -> u64 {
                reps.iter().filter_map(|r| r.buckets.get(i)).map(f).sum()
            };
            let connected = of(|b| b.connected);
            (connected > 0).then(|| of(|b| b.connected_late) as f64 / connected as f64)
        })
        .collect();
    let occupancy: Vec<Option<f64>> = (0..len)
        .map(|i| {
            let busy: f64 = reps.iter().map(|r| area(&r.busy_area, i)).sum();
            let staffed: f64 = reps.iter().map(|r| area(&r.staffed_area, i)).sum();
            (staffed > 0.0).then(|| busy / staffed)
        })
        .collect();
    // Each interval's regulatory rate day by day (days with a live answer in it): the spread
    // of days, where the pooled rate is their mean.
    let day_rates = |i: usize| -> Vec<f64> {
        reps.iter()
            .filter_map(|r| {
                let b = r.buckets.get(i)?;
                (b.live_answers > 0).then(|| b.regulatory_abandons as f64 / b.live_answers as f64)
            })
            .collect()
    };
    let regulatory_rate = |q: f64| -> Vec<Option<f64>> {
        (0..len)
            .map(|i| crate::stats::quantile(&day_rates(i), q))
            .collect()
    };
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
            ("abandon_rate_regulatory_p10".into(), regulatory_rate(0.1)),
            ("abandon_rate_regulatory_p90".into(), regulatory_rate(0.9)),
            ("connected_late_share".into(), connected_late_share),
        ]),
    }
}
