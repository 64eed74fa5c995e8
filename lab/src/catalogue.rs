//! Every metric users see, defined once: its key in the files, how it is computed from the
//! replications, how it is shown, which way it gets worse and how far a baseline lets it, and
//! which tables, comparisons and charts carry it.
//!
//! Code names a metric by its [`Metric`]; only the files name it by its key ([`Metric::key`]),
//! and reading a file maps each key back ([`Metric::from_key`]): a key this version does not
//! know is refused by the validator ([`crate::validate`]). `docs/results.md` documents every
//! metric and `docs/ci.md` the baseline tolerances; the tests below hold both to this table.

use crate::stats::{Estimate, mean_ci, quantile, ratio_ci, share_ci};
use rules::words::AbandonDefinition;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim::metrics::{BucketCounts, RepMetrics};

/// A metric of the results file, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    AbandonRate,
    AbandonRateRegulatory,
    Occupancy,
    TalkMinPerAgentHour,
    WaitP50,
    WaitP90,
    WaitP99,
    WaitMax,
    DialsPerHour,
    AgentConnectsPerAgentHour,
    ListExhaustedAfter,
    ListExhaustedShare,
    ListPenetration,
    CampaignDuration,
    PWait,
    MeanQueueTime,
    AbandonRateWorst24h,
    AbandonRateWorst30d,
    AbandonRateRegulatoryWorst24h,
    AbandonRateRegulatoryWorst30d,
    AbandonRateRegulatoryWorst15min,
    AbandonRateRegulatoryWorstHour,
    DaysOverCapRegulatory,
    AbandonRateRegulatoryP95Day,
    AbandonRateRegulatoryWorstDay,
    DaysOverCap,
    AbandonRateP95Day,
    AbandonRateWorstDay,
    CallsOutsideWindow,
    ShortRings,
    RedialsAfterAbandon,
    CallsToDoNotCall,
    Dials,
    RejectedDials,
    LiveAnswers,
    QueueEntries,
    Abandoned,
    Connected,
}

/// The unit of a metric's values in the files (the unit column of docs/results.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A rate or a share, between 0 and 1.
    Fraction,
    Seconds,
    MinutesPerAgentHour,
    DialsPerHour,
    ConnectionsPerAgentHour,
    Calls,
    Requests,
    Callers,
}

impl Unit {
    /// How docs/results.md writes the unit, and how a baseline's differences are labelled when
    /// the metric is shown as it is ([`Shown::AsIs`]).
    pub fn text(self) -> &'static str {
        match self {
            Unit::Fraction => "fraction",
            Unit::Seconds => "s",
            Unit::MinutesPerAgentHour => "min/agent-h",
            Unit::DialsPerHour => "dials/h",
            Unit::ConnectionsPerAgentHour => "connections/agent-h",
            Unit::Calls => "calls",
            Unit::Requests => "requests",
            Unit::Callers => "callers",
        }
    }
}

/// How a metric's values are shown in tables, charts and verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// A fraction in percent; its differences in percentage points.
    Percent,
    /// Seconds, as they are.
    Seconds,
    /// Seconds, in hours.
    Hours,
    /// The file's number, without a unit after the label (the label says what it counts).
    AsIs,
}

/// Which way a metric gets worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Worse {
    Higher,
    Lower,
}

/// How far a metric may get worse against a baseline before it counts as a regression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// In the metric's own unit (a fraction for rates).
    Absolute(f64),
    /// A share of the baseline's mean.
    Relative(f64),
}

/// What a scenario's measurement window (`measure`) makes of a metric: the window column of
/// docs/results.md. Without a window each reads the whole campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measured {
    /// Counts of the calls dialed in the window, each counted whole wherever it ends, and rates
    /// whose numerator and denominator are both such counts.
    Calls,
    /// Over the window's time alone: agent time integrated over it, or calls per hour of it.
    Time,
    /// The worst run of series intervals, from the one holding the window's start, counting the
    /// calls dialed in the window.
    Worst,
    /// The whole campaign's, whatever the window.
    Campaign,
}

impl Measured {
    /// How docs/results.md writes it.
    pub fn text(self) -> &'static str {
        match self {
            Measured::Calls => "calls",
            Measured::Time => "time",
            Measured::Worst => "worst",
            Measured::Campaign => "campaign",
        }
    }
}

/// How a metric is computed from replications.
#[derive(Clone, Copy)]
enum Kind {
    /// Σ numerator ÷ Σ denominator over replications.
    Ratio(fn(&RepMetrics) -> (f64, f64)),
    /// One value per replication (`None`: that replication does not count), then the mean.
    PerRep(fn(&RepMetrics) -> Option<f64>),
    /// Each replication is a day: its value (`None`: a day without a denominator), judged
    /// one by one against the scenario's cap ([`RepMetrics::abandon_cap`]).
    Day(fn(&RepMetrics) -> Option<f64>, DayStat),
}

/// What a [`Kind::Day`] metric says of the days.
#[derive(Clone, Copy)]
enum DayStat {
    /// The share of days over the cap, with its exact binomial interval.
    OverCap,
    /// The 95th-percentile day (no interval).
    P95,
    /// The worst day (no interval).
    Worst,
}

/// A day's regulatory abandon rate.
fn day_regulatory(r: &RepMetrics) -> Option<f64> {
    let live = r.counters.live_answers;
    (live > 0).then(|| r.counters.regulatory_abandons() as f64 / live as f64)
}

/// A day's queue abandon rate.
fn day_queue(r: &RepMetrics) -> Option<f64> {
    let queued = r.counters.queue_entries;
    (queued > 0).then(|| r.counters.abandoned as f64 / queued as f64)
}

/// [`DayStat`] over days given as `(value, cap)`.
fn day_estimate(stat: DayStat, days: &[(f64, f64)]) -> Estimate {
    let values: Vec<f64> = days.iter().map(|(v, _)| *v).collect();
    match stat {
        DayStat::OverCap => share_ci(
            days.iter().filter(|(v, cap)| v > cap).count() as u64,
            days.len() as u64,
        ),
        DayStat::P95 => Estimate {
            mean: quantile(&values, 0.95),
            ci95: None,
        },
        DayStat::Worst => Estimate {
            mean: values.iter().copied().reduce(f64::max),
            ci95: None,
        },
    }
}

/// What the catalogue holds of one metric.
struct Entry {
    metric: Metric,
    key: &'static str,
    /// The label without its unit, e.g. "queue abandon rate".
    name: &'static str,
    unit: Unit,
    shown: Shown,
    /// Decimals of a measured value in a gate's table: three for abandon rates, which are
    /// judged against caps of a few percent.
    decimals: usize,
    /// An abandon rate, which regulators cap: charts of it draw the cap.
    capped: bool,
    /// `None`: neither way is worse.
    worse: Option<Worse>,
    /// `Some` for the [`Metric::COMPARED`] metrics only.
    tolerance: Option<Tolerance>,
    measured: Measured,
    kind: Kind,
}

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: u64 = 86_400_000;

fn percentile_s(r: &RepMetrics, q: f64) -> Option<f64> {
    (r.counters.connected > 0).then(|| r.waits.value_at_quantile(q) as f64 / 1_000.0)
}

fn queue_pair(b: &BucketCounts) -> (u64, u64) {
    (b.abandoned, b.queue_entries)
}

fn regulatory_pair(b: &BucketCounts) -> (u64, u64) {
    (b.regulatory_abandons, b.live_answers)
}

/// Live answers a short window needs before its rate counts: a quarter of an hour with three
/// live answers and one abandon says little.
const SHORT_WINDOW_MIN_ANSWERS: u64 = 30;

/// The worst regulatory rate over `window_ms` within a replication, among windows with at least
/// [`SHORT_WINDOW_MIN_ANSWERS`] live answers (in whole series intervals, at least one).
fn worst_short(r: &RepMetrics, window_ms: u64) -> Option<f64> {
    let counts: Vec<(u64, u64)> = r.measured_buckets().iter().map(regulatory_pair).collect();
    let intervals = window_ms.div_ceil(r.interval.0.max(1)) as usize;
    worst_window_of(&counts, intervals, SHORT_WINDOW_MIN_ANSWERS)
}

fn worst_rate(
    r: &RepMetrics,
    window_ms: u64,
    pair: fn(&BucketCounts) -> (u64, u64),
) -> Option<f64> {
    let counts: Vec<(u64, u64)> = r.measured_buckets().iter().map(pair).collect();
    let intervals = window_ms.div_ceil(r.interval.0.max(1)) as usize;
    worst_window(&counts, intervals)
}

/// The highest Σ numerator ÷ Σ denominator over any `window` consecutive intervals (the whole
/// series when it is shorter), among windows with a denominator; `None` when none has one.
pub fn worst_window(counts: &[(u64, u64)], window: usize) -> Option<f64> {
    worst_window_of(counts, window, 1)
}

/// [`worst_window`] among windows whose denominator is at least `min_den`.
pub fn worst_window_of(counts: &[(u64, u64)], window: usize, min_den: u64) -> Option<f64> {
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
        if i + 1 >= window && den >= min_den.max(1) {
            let rate = num as f64 / den as f64;
            worst = Some(worst.map_or(rate, |w| w.max(rate)));
        }
    }
    worst
}

/// Every metric, in file order (the order of [`Metric`]'s variants: checked below).
const TABLE: [Entry; 38] = [
    Entry {
        metric: Metric::AbandonRate,
        key: "abandon_rate",
        name: "queue abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: Some(Tolerance::Absolute(0.002)),
        measured: Measured::Calls,
        // abandoned ÷ callers who chose 1 and entered the queue.
        kind: Kind::Ratio(|r| (r.counters.abandoned as f64, r.counters.queue_entries as f64)),
    },
    Entry {
        metric: Metric::AbandonRateRegulatory,
        key: "abandon_rate_regulatory",
        name: "regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: Some(Tolerance::Absolute(0.002)),
        measured: Measured::Calls,
        // live answers not bridged to an agent within the compliance threshold ÷ live answers.
        kind: Kind::Ratio(|r| {
            (
                r.counters.regulatory_abandons() as f64,
                r.counters.live_answers as f64,
            )
        }),
    },
    Entry {
        metric: Metric::Occupancy,
        key: "occupancy",
        name: "agent occupancy",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Lower),
        tolerance: Some(Tolerance::Absolute(0.01)),
        measured: Measured::Time,
        // agent time in talk + after-call work ÷ agent time logged in.
        kind: Kind::Ratio(|r| (r.busy_ms as f64, r.staffed_ms as f64)),
    },
    Entry {
        metric: Metric::TalkMinPerAgentHour,
        key: "talk_min_per_agent_hour",
        name: "talk min per agent-hour",
        unit: Unit::MinutesPerAgentHour,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Lower),
        tolerance: Some(Tolerance::Absolute(0.5)),
        measured: Measured::Time,
        kind: Kind::Ratio(|r| (r.talk_ms as f64 / 60_000.0, r.staffed_ms as f64 / HOUR_MS)),
    },
    Entry {
        metric: Metric::WaitP50,
        key: "wait_p50_s",
        name: "wait to agent p50",
        unit: Unit::Seconds,
        shown: Shown::Seconds,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| percentile_s(r, 0.50)),
    },
    Entry {
        metric: Metric::WaitP90,
        key: "wait_p90_s",
        name: "wait to agent p90",
        unit: Unit::Seconds,
        shown: Shown::Seconds,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: Some(Tolerance::Absolute(1.0)),
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| percentile_s(r, 0.90)),
    },
    Entry {
        metric: Metric::WaitP99,
        key: "wait_p99_s",
        name: "wait to agent p99",
        unit: Unit::Seconds,
        shown: Shown::Seconds,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: Some(Tolerance::Absolute(1.0)),
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| percentile_s(r, 0.99)),
    },
    Entry {
        metric: Metric::WaitMax,
        key: "wait_max_s",
        name: "longest wait to agent",
        unit: Unit::Seconds,
        shown: Shown::Seconds,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| percentile_s(r, 1.0)),
    },
    Entry {
        metric: Metric::DialsPerHour,
        key: "dials_per_hour",
        name: "dials per hour",
        unit: Unit::DialsPerHour,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Lower),
        tolerance: Some(Tolerance::Relative(0.02)),
        measured: Measured::Time,
        // Over the window's part of the campaign: the whole campaign without one.
        kind: Kind::Ratio(|r| {
            (
                r.counters.dials as f64,
                r.window.within(r.end).0 as f64 / HOUR_MS,
            )
        }),
    },
    Entry {
        metric: Metric::AgentConnectsPerAgentHour,
        key: "agent_connects_per_agent_hour",
        name: "connects per agent-hour",
        unit: Unit::ConnectionsPerAgentHour,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Lower),
        tolerance: None,
        measured: Measured::Time,
        kind: Kind::Ratio(|r| (r.counters.connected as f64, r.staffed_ms as f64 / HOUR_MS)),
    },
    Entry {
        metric: Metric::ListExhaustedAfter,
        key: "list_exhausted_after_s",
        name: "list exhausted after",
        unit: Unit::Seconds,
        shown: Shown::Hours,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: Some(Tolerance::Relative(0.02)),
        measured: Measured::Campaign,
        kind: Kind::PerRep(|r| r.list_exhausted_at.map(|t| t.as_secs_f64())),
    },
    Entry {
        metric: Metric::ListExhaustedShare,
        key: "list_exhausted_share",
        name: "replications that exhausted the list",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Campaign,
        kind: Kind::PerRep(|r| {
            Some(if r.list_exhausted_at.is_some() {
                1.0
            } else {
                0.0
            })
        }),
    },
    Entry {
        metric: Metric::ListPenetration,
        key: "list_penetration",
        name: "list penetration",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Campaign,
        kind: Kind::PerRep(|r| {
            Some(r.attempted as f64 / (r.outcomes.iter().sum::<u64>() as f64).max(1.0))
        }),
    },
    Entry {
        metric: Metric::CampaignDuration,
        key: "campaign_duration_s",
        name: "campaign duration",
        unit: Unit::Seconds,
        shown: Shown::Hours,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Campaign,
        kind: Kind::PerRep(|r| Some(r.end.as_secs_f64())),
    },
    Entry {
        metric: Metric::PWait,
        key: "p_wait",
        name: "callers who had to wait",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        // queue entrants who found no free agent ÷ queue entrants.
        kind: Kind::Ratio(|r| (r.counters.waited as f64, r.counters.queue_entries as f64)),
    },
    Entry {
        metric: Metric::MeanQueueTime,
        key: "mean_queue_time_s",
        name: "mean time in queue",
        unit: Unit::Seconds,
        shown: Shown::Seconds,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        // mean time in queue of every entrant, served or abandoned.
        kind: Kind::Ratio(|r| {
            (
                r.counters.queue_time_ms as f64 / 1_000.0,
                r.counters.queue_entries as f64,
            )
        }),
    },
    // The worst rate over any window of 24 h (the UK rule) or 30 days (the US rule), one value
    // per replication; the whole campaign when it is shorter than the window.
    Entry {
        metric: Metric::AbandonRateWorst24h,
        key: "abandon_rate_worst_24h",
        name: "worst 24 h queue abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_rate(r, DAY_MS, queue_pair)),
    },
    Entry {
        metric: Metric::AbandonRateWorst30d,
        key: "abandon_rate_worst_30d",
        name: "worst 30 days queue abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_rate(r, 30 * DAY_MS, queue_pair)),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryWorst24h,
        key: "abandon_rate_regulatory_worst_24h",
        name: "worst 24 h regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_rate(r, DAY_MS, regulatory_pair)),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryWorst30d,
        key: "abandon_rate_regulatory_worst_30d",
        name: "worst 30 days regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_rate(r, 30 * DAY_MS, regulatory_pair)),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryWorst15min,
        key: "abandon_rate_regulatory_worst_15min",
        name: "worst 15 min regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_short(r, 15 * 60_000)),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryWorstHour,
        key: "abandon_rate_regulatory_worst_hour",
        name: "worst hour regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Worst,
        kind: Kind::PerRep(|r| worst_short(r, HOUR_MS as u64)),
    },
    Entry {
        metric: Metric::DaysOverCapRegulatory,
        key: "days_over_cap_regulatory",
        name: "days over the cap, regulatory rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_regulatory, DayStat::OverCap),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryP95Day,
        key: "abandon_rate_regulatory_p95_day",
        name: "95th-percentile day regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_regulatory, DayStat::P95),
    },
    Entry {
        metric: Metric::AbandonRateRegulatoryWorstDay,
        key: "abandon_rate_regulatory_worst_day",
        name: "worst day regulatory abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_regulatory, DayStat::Worst),
    },
    Entry {
        metric: Metric::DaysOverCap,
        key: "days_over_cap",
        name: "days over the cap, queue rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_queue, DayStat::OverCap),
    },
    Entry {
        metric: Metric::AbandonRateP95Day,
        key: "abandon_rate_p95_day",
        name: "95th-percentile day queue abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_queue, DayStat::P95),
    },
    Entry {
        metric: Metric::AbandonRateWorstDay,
        key: "abandon_rate_worst_day",
        name: "worst day queue abandon rate",
        unit: Unit::Fraction,
        shown: Shown::Percent,
        decimals: 3,
        capped: true,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::Day(day_queue, DayStat::Worst),
    },
    // Compliance breaches per replication; each must be zero.
    Entry {
        metric: Metric::CallsOutsideWindow,
        key: "calls_outside_window",
        name: "calls outside window",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.calls_outside_window as f64)),
    },
    Entry {
        metric: Metric::ShortRings,
        key: "short_rings",
        name: "short rings",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.short_rings as f64)),
    },
    Entry {
        metric: Metric::RedialsAfterAbandon,
        key: "redials_after_abandon",
        name: "redials after abandon",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.redials_after_abandon as f64)),
    },
    Entry {
        metric: Metric::CallsToDoNotCall,
        key: "calls_to_do_not_call",
        name: "calls to do not call",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.calls_to_do_not_call as f64)),
    },
    Entry {
        metric: Metric::Dials,
        key: "dials",
        name: "dials",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.dials as f64)),
    },
    Entry {
        metric: Metric::RejectedDials,
        key: "rejected_dials",
        name: "dials refused by Connect",
        unit: Unit::Requests,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.rejected as f64)),
    },
    Entry {
        metric: Metric::LiveAnswers,
        key: "live_answers",
        name: "live answers",
        unit: Unit::Calls,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.live_answers as f64)),
    },
    Entry {
        metric: Metric::QueueEntries,
        key: "queue_entries",
        name: "queue entries",
        unit: Unit::Callers,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.queue_entries as f64)),
    },
    Entry {
        metric: Metric::Abandoned,
        key: "abandoned",
        name: "abandons",
        unit: Unit::Callers,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: Some(Worse::Higher),
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.abandoned as f64)),
    },
    Entry {
        metric: Metric::Connected,
        key: "connected",
        name: "callers connected to an agent",
        unit: Unit::Callers,
        shown: Shown::AsIs,
        decimals: 2,
        capped: false,
        worse: None,
        tolerance: None,
        measured: Measured::Calls,
        kind: Kind::PerRep(|r| Some(r.counters.connected as f64)),
    },
];

// The table is indexed by variant: a row out of place does not compile.
const _: () = {
    let mut i = 0;
    while i < TABLE.len() {
        assert!(
            TABLE[i].metric as usize == i,
            "TABLE follows Metric's order"
        );
        i += 1;
    }
};

impl Metric {
    /// Every metric, in file order.
    pub const ALL: [Metric; TABLE.len()] = {
        let mut all = [Metric::AbandonRate; TABLE.len()];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].metric;
            i += 1;
        }
        all
    };

    /// The campaign's abandon rate under `definition` (what a frontier's target caps).
    pub fn abandon_rate(definition: AbandonDefinition) -> Metric {
        match definition {
            AbandonDefinition::Regulatory => Metric::AbandonRateRegulatory,
            AbandonDefinition::Queue => Metric::AbandonRate,
        }
    }

    // The selections below keep orders of their own, not the file's.

    /// The metrics `dialsim compare` shows and differences, a report's key numbers, and what a
    /// baseline judges, in the order they are shown and written (each has a
    /// [`Metric::tolerance`]).
    pub const COMPARED: [Metric; 8] = [
        Metric::AbandonRate,
        Metric::AbandonRateRegulatory,
        Metric::Occupancy,
        Metric::TalkMinPerAgentHour,
        Metric::DialsPerHour,
        Metric::WaitP90,
        Metric::WaitP99,
        Metric::ListExhaustedAfter,
    ];

    /// The rows of `dialsim run`'s table on the terminal, in order.
    pub const TERMINAL: [Metric; 14] = [
        Metric::AbandonRate,
        Metric::AbandonRateRegulatory,
        Metric::DaysOverCapRegulatory,
        Metric::AbandonRateRegulatoryWorstDay,
        Metric::Occupancy,
        Metric::TalkMinPerAgentHour,
        Metric::WaitP50,
        Metric::WaitP90,
        Metric::WaitP99,
        Metric::DialsPerHour,
        Metric::AgentConnectsPerAgentHour,
        Metric::ListPenetration,
        Metric::ListExhaustedAfter,
        Metric::RejectedDials,
    ];

    /// The metrics a sweep's report charts against its axis and tables for every point, in order.
    pub const SWEPT: [Metric; 4] = [
        Metric::AbandonRate,
        Metric::AbandonRateRegulatory,
        Metric::Occupancy,
        Metric::TalkMinPerAgentHour,
    ];

    fn entry(self) -> &'static Entry {
        &TABLE[self as usize]
    }

    /// The key of the results file, e.g. `abandon_rate`.
    pub fn key(self) -> &'static str {
        self.entry().key
    }

    /// The metric a results file names `key`; `None` for a key this version does not know.
    pub fn from_key(key: &str) -> Option<Metric> {
        TABLE.iter().find(|e| e.key == key).map(|e| e.metric)
    }

    /// What tables and charts call it, ending in the unit it is shown in: "queue abandon rate
    /// %", "wait to agent p90 s", "dials per hour".
    pub fn label(self) -> String {
        let e = self.entry();
        match e.shown {
            Shown::Percent => format!("{} %", e.name),
            Shown::Seconds => format!("{} s", e.name),
            Shown::Hours => format!("{} h", e.name),
            Shown::AsIs => e.name.to_string(),
        }
    }

    /// The label of a difference of it: rates move in percentage points.
    pub fn difference_label(self) -> String {
        let e = self.entry();
        match e.shown {
            Shown::Percent => format!("{} pp", e.name),
            _ => self.label(),
        }
    }

    pub fn unit(self) -> Unit {
        self.entry().unit
    }

    /// What a measurement window makes of it.
    pub fn measured(self) -> Measured {
        self.entry().measured
    }

    pub fn shown(self) -> Shown {
        self.entry().shown
    }

    /// The factor from the file's unit to the one it is shown in (100 for a fraction shown in
    /// percent).
    pub fn scale(self) -> f64 {
        match self.shown() {
            Shown::Percent => 100.0,
            Shown::Seconds | Shown::AsIs => 1.0,
            Shown::Hours => 1.0 / 3_600.0,
        }
    }

    /// What follows a measured value, scaled: `21.753%`, `4.20 s`, `7.5 h`; `None` for a number
    /// that says what it counts (a count is shown as a total).
    pub fn value_unit(self) -> Option<&'static str> {
        match self.shown() {
            Shown::Percent => Some("%"),
            Shown::Seconds => Some(" s"),
            Shown::Hours => Some(" h"),
            Shown::AsIs => None,
        }
    }

    /// The unit of a scaled difference of it, written after a space: `+1.000 pp`, `-0.300
    /// min/agent-h`.
    pub fn difference_unit(self) -> &'static str {
        match self.shown() {
            Shown::Percent => "pp",
            Shown::Seconds => "s",
            Shown::Hours => "h",
            Shown::AsIs => self.unit().text(),
        }
    }

    /// Decimals of a measured value in a gate's table (three for an abandon rate).
    pub fn decimals(self) -> usize {
        self.entry().decimals
    }

    /// Whether it is an abandon rate, which regulators cap.
    pub fn capped(self) -> bool {
        self.entry().capped
    }

    /// Which way it gets worse; `None` when neither way is.
    pub fn worse(self) -> Option<Worse> {
        self.entry().worse
    }

    /// How far a baseline lets it get worse; `Some` exactly for the [`Metric::COMPARED`] ones.
    pub fn tolerance(self) -> Option<Tolerance> {
        self.entry().tolerance
    }

    /// Its value in one replication: numerator ÷ denominator for a ratio metric (`None` when
    /// the denominator is 0), the replication's own value for a per-replication one, for a day
    /// metric the day's rate (1 or 0 for whether it was over the cap). Paired
    /// comparisons are built from these.
    pub fn per_replication(self, rep: &RepMetrics) -> Option<f64> {
        match self.entry().kind {
            Kind::Ratio(f) => {
                let (num, den) = f(rep);
                (den > 0.0).then(|| num / den)
            }
            Kind::PerRep(f) => f(rep),
            // A day is over the cap or not; the day's own rate otherwise.
            Kind::Day(f, DayStat::OverCap) => {
                f(rep).map(|v| if v > rep.abandon_cap { 1.0 } else { 0.0 })
            }
            Kind::Day(f, _) => f(rep),
        }
    }

    /// Its mean and 95% interval over replications.
    pub fn estimate(self, reps: &[RepMetrics]) -> Estimate {
        match self.entry().kind {
            Kind::Ratio(f) => ratio_ci(&reps.iter().map(f).collect::<Vec<_>>()),
            Kind::PerRep(f) => mean_ci(&reps.iter().filter_map(f).collect::<Vec<_>>()),
            Kind::Day(f, stat) => day_estimate(
                stat,
                &reps
                    .iter()
                    .filter_map(|r| f(r).map(|v| (v, r.abandon_cap)))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// What [`Metric::estimate`] needs of one replication: `[numerator, denominator]` of a ratio
    /// metric, `[value, 1]` of a per-replication one, `[value, cap]` of a day one (`None`: the
    /// replication does not count).
    pub fn scalar(self, rep: &RepMetrics) -> Option<[f64; 2]> {
        match self.entry().kind {
            Kind::Ratio(f) => {
                let (num, den) = f(rep);
                Some([num, den])
            }
            Kind::PerRep(f) => f(rep).map(|v| [v, 1.0]),
            Kind::Day(f, _) => f(rep).map(|v| [v, rep.abandon_cap]),
        }
    }

    /// [`Metric::estimate`] from the replications' [`Metric::scalar`]s: the same numbers.
    pub fn estimate_scalars(self, cells: impl Iterator<Item = Option<[f64; 2]>>) -> Estimate {
        match self.entry().kind {
            Kind::Ratio(_) => ratio_ci(
                &cells
                    .map(|c| c.map_or((0.0, 0.0), |[n, d]| (n, d)))
                    .collect::<Vec<_>>(),
            ),
            Kind::PerRep(_) => mean_ci(&cells.flatten().map(|[v, _]| v).collect::<Vec<_>>()),
            Kind::Day(_, stat) => day_estimate(
                stat,
                &cells.flatten().map(|[v, cap]| (v, cap)).collect::<Vec<_>>(),
            ),
        }
    }
}

/// A metric is written as its key.
impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        Metric::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("{key:?} is not a metric")))
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
        // A short window counts only with enough of a denominator: one abandon in three live
        // answers is not the worst quarter of an hour next to 2 in 40.
        let counts = [(1, 3), (2, 40), (0, 35)];
        assert_eq!(worst_window_of(&counts, 1, 30), Some(0.05));
        assert_eq!(worst_window_of(&counts, 1, 1), Some(1.0 / 3.0));
        assert_eq!(worst_window_of(&counts, 1, 100), None);
    }

    #[test]
    fn keys_and_labels_name_one_metric_each() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(Metric::from_key(m.key()), Some(*m));
            for other in &Metric::ALL[..i] {
                assert_ne!(m.key(), other.key());
                assert_ne!(m.label(), other.label(), "{m:?} and {other:?}");
            }
        }
        assert_eq!(Metric::from_key("abandon_rat"), None);
        assert_eq!(
            Metric::CallsOutsideWindow.label(),
            "calls outside window",
            "a count's label is its name"
        );
        assert_eq!(Metric::Occupancy.difference_label(), "agent occupancy pp");
        assert_eq!(Metric::WaitP90.difference_label(), "wait to agent p90 s");
    }

    #[test]
    fn what_is_shown_fits_the_unit() {
        for m in Metric::ALL {
            match m.shown() {
                Shown::Percent => assert_eq!(m.unit(), Unit::Fraction, "{m:?}"),
                Shown::Seconds | Shown::Hours => assert_eq!(m.unit(), Unit::Seconds, "{m:?}"),
                Shown::AsIs => assert!(
                    !matches!(m.unit(), Unit::Fraction | Unit::Seconds),
                    "{m:?}: a fraction or a time needs its unit shown"
                ),
            }
        }
    }

    #[test]
    fn every_compared_metric_has_a_direction_and_a_tolerance_and_no_other_has_one() {
        for m in Metric::ALL {
            let compared = Metric::COMPARED.contains(&m);
            assert_eq!(m.tolerance().is_some(), compared, "{m:?}");
            if compared {
                assert!(m.worse().is_some(), "{m:?}");
            }
        }
        for list in [&Metric::COMPARED[..], &Metric::TERMINAL, &Metric::SWEPT] {
            for (i, m) in list.iter().enumerate() {
                assert!(!list[..i].contains(m), "{m:?} twice");
            }
        }
    }

    /// The cells of the first Markdown table after the line `heading` in `doc`, header row first,
    /// each row's cells trimmed.
    fn table(doc: &str, heading: &str) -> Vec<Vec<String>> {
        let after = doc
            .split_once(&format!("\n{heading}\n"))
            .unwrap_or_else(|| panic!("no {heading:?}"))
            .1;
        let rows: Vec<Vec<String>> = after
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let inner = l.trim().trim_start_matches('|').trim_end_matches('|');
                inner.split('|').map(|c| c.trim().to_string()).collect()
            })
            .collect();
        let width = rows[0].len();
        assert!(
            rows.iter().all(|r| r.len() == width),
            "a row of the table under {heading:?} has another number of cells (a `|` in a cell?)"
        );
        // The header, then the body without the `|---|` line.
        rows.into_iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, r)| r)
            .collect()
    }

    /// The `key` of a cell written as code.
    fn code(cell: &str) -> &str {
        cell.strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .unwrap_or_else(|| panic!("{cell:?} is not a key in backticks"))
    }

    /// The keys written as code in `doc` between `start` and the next `end` after it.
    fn keys_between<'a>(doc: &'a str, start: &str, end: &str) -> Vec<&'a str> {
        let from = doc.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
        let to = from
            + doc[from..]
                .find(end)
                .unwrap_or_else(|| panic!("no {end:?}"));
        doc[from..to].split('`').skip(1).step_by(2).collect()
    }

    const RESULTS: &str = include_str!("../../docs/results.md");

    #[test]
    fn docs_results_documents_every_metric_as_the_catalogue_defines_it() {
        let table = table(RESULTS, "## Metrics");
        assert_eq!(
            table[0],
            [
                "key",
                "estimator",
                "numerator",
                "denominator",
                "unit",
                "window",
                "definition"
            ]
        );
        let documented: Vec<&str> = table[1..].iter().map(|r| code(&r[0])).collect();
        let keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        assert_eq!(
            documented, keys,
            "docs/results.md lists the metrics in file order"
        );
        for (m, row) in Metric::ALL.iter().zip(&table[1..]) {
            let [
                _,
                estimator,
                numerator,
                denominator,
                unit,
                window,
                definition,
            ] = &row[..]
            else {
                unreachable!("seven cells")
            };
            let ratio = matches!(m.entry().kind, Kind::Ratio(_));
            let expected = match m.entry().kind {
                Kind::Ratio(_) => "ratio",
                Kind::PerRep(_) => "per-rep",
                Kind::Day(..) => "per-day",
            };
            assert_eq!(estimator, expected, "{m:?}");
            assert_eq!(unit, m.unit().text(), "{m:?}");
            assert_eq!(window, m.measured().text(), "{m:?}");
            assert_eq!(
                numerator == "—",
                denominator == "—",
                "{m:?}: a numerator goes with a denominator"
            );
            assert!(!ratio || numerator != "—", "{m:?}: a ratio has a numerator");
            assert!(!definition.is_empty(), "{m:?} has a definition");
        }
        assert_eq!(
            keys_between(RESULTS, "`metrics` holds, in this order,", "in the units"),
            Metric::COMPARED.map(Metric::key),
            "the comparison block's metrics"
        );
        let hours: Vec<&str> = Metric::ALL
            .iter()
            .filter(|m| m.shown() == Shown::Hours)
            .map(|m| m.key())
            .collect();
        assert_eq!(
            keys_between(
                RESULTS,
                "differences of rates in percentage points,",
                "in hours"
            ),
            hours,
            "the metrics a report shows in hours"
        );
    }

    #[test]
    fn docs_ci_documents_every_tolerance() {
        let table = table(include_str!("../../docs/ci.md"), "## Baselines");
        assert_eq!(table[0], ["metric", "worse when", "tolerance"]);
        let documented: Vec<&str> = table[1..].iter().map(|r| code(&r[0])).collect();
        assert_eq!(documented, Metric::COMPARED.map(Metric::key));
        for (m, row) in Metric::COMPARED.iter().zip(&table[1..]) {
            let worse = match m.worse() {
                Some(Worse::Higher) => "higher",
                Some(Worse::Lower) => "lower",
                None => unreachable!("a compared metric has a direction"),
            };
            assert_eq!(row[1], worse, "{m:?}");
            let first = row[2].split(' ').next().unwrap_or_default();
            match m.tolerance() {
                Some(Tolerance::Absolute(t)) => {
                    assert_eq!(first.parse::<f64>(), Ok(t), "{m:?}: {}", row[2]);
                }
                Some(Tolerance::Relative(share)) => {
                    assert_eq!(row[2], format!("{}% of the baseline's mean", share * 100.0));
                }
                None => unreachable!("a compared metric has a tolerance"),
            }
        }
    }
}
