//! Two saved results files of one scenario, before (A) and after (B) a change — a new version of
//! a strategy, different staffing — strategy by strategy: B − A of the headline metrics.
//!
//! Where both files ran the same seed and the same replications, replication `i` is the same day
//! in both (the same customers, the same draws until the change makes them part), so the rates
//! and talk kept day by day (`days`) are compared **paired**: the mean of the daily differences
//! with its 95% t interval, as `compare` pairs strategies. Otherwise, and for metrics not kept
//! day by day, the two files' intervals are independent and the difference's interval combines
//! their half-widths in quadrature (the normal approximation), which is wider.

use crate::catalogue::Metric;
use crate::compare::paired_difference;
use crate::stats::Estimate;
use crate::summary::{Results, StrategyResult};

/// The metrics a diff shows, in order.
pub const DIFFED: [Metric; 5] = [
    Metric::AbandonRateRegulatory,
    Metric::DaysOverCapRegulatory,
    Metric::AbandonRate,
    Metric::Occupancy,
    Metric::TalkMinPerAgentHour,
];

/// How a difference was estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// Day by day: the files share the seed and the replications, and both kept the days.
    ByDay,
    /// From the two files' intervals, as if independent.
    Independent,
}

/// One metric of one strategy in both files.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDiff {
    pub metric: Metric,
    pub a: Estimate,
    pub b: Estimate,
    /// B − A.
    pub difference: Estimate,
    pub pairing: Pairing,
}

/// A strategy both files ran (matched by its label).
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyDiff {
    pub name: String,
    pub metrics: Vec<MetricDiff>,
}

/// Two files compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    /// Whether the files share the seed and the replications (what pairing by day needs).
    pub same_days: bool,
    pub strategies: Vec<StrategyDiff>,
    /// Strategies of one file only.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

fn metric(s: &StrategyResult, m: Metric) -> Estimate {
    s.metrics.get(m).copied().unwrap_or(Estimate::UNDEFINED)
}

/// B − A from two independent intervals: the means' difference, the half-widths combined in
/// quadrature (each interval taken as symmetric about its mean).
pub fn independent_difference(a: &Estimate, b: &Estimate) -> Estimate {
    let (Some(ma), Some(mb)) = (a.mean, b.mean) else {
        return Estimate::UNDEFINED;
    };
    let half = |e: &Estimate| e.ci95.map(|[lo, hi]| (hi - lo) / 2.0);
    let d = mb - ma;
    Estimate {
        mean: Some(d),
        ci95: half(a)
            .zip(half(b))
            .map(|(x, y)| (x * x + y * y).sqrt())
            .map(|h| [d - h, d + h]),
    }
}

/// Each day's value of `m` kept in `s.days`, when the file keeps it: the rates and talk as they
/// are, days over the cap as 1 (over) or 0.
fn days_of(s: &StrategyResult, m: Metric, cap: f64) -> Option<Vec<Option<f64>>> {
    let days = &s.days;
    let values = match m {
        Metric::AbandonRateRegulatory => days.abandon_rate_regulatory.clone(),
        Metric::AbandonRate => days.abandon_rate.clone(),
        Metric::TalkMinPerAgentHour => days.talk_min_per_agent_hour.clone(),
        Metric::DaysOverCapRegulatory => days
            .abandon_rate_regulatory
            .iter()
            .map(|r| r.map(|r| if r > cap { 1.0 } else { 0.0 }))
            .collect(),
        _ => return None,
    };
    (!values.is_empty()).then_some(values)
}

/// A against B (see the module documentation).
pub fn diff(a: &Results, b: &Results) -> Diff {
    let same_days = a.seed == b.seed && a.replications == b.replications;
    let strategies = a
        .strategies
        .iter()
        .filter_map(|sa| {
            let sb = b.strategies.iter().find(|s| s.name == sa.name)?;
            let metrics = DIFFED
                .iter()
                .map(|&m| {
                    let (ea, eb) = (metric(sa, m), metric(sb, m));
                    let paired = same_days
                        .then(|| days_of(sa, m, a.abandon_cap).zip(days_of(sb, m, b.abandon_cap)))
                        .flatten()
                        .filter(|(x, y)| x.len() == y.len());
                    match paired {
                        Some((x, y)) => MetricDiff {
                            metric: m,
                            a: ea,
                            b: eb,
                            difference: paired_difference(&y, &x),
                            pairing: Pairing::ByDay,
                        },
                        None => MetricDiff {
                            metric: m,
                            a: ea,
                            b: eb,
                            difference: independent_difference(&ea, &eb),
                            pairing: Pairing::Independent,
                        },
                    }
                })
                .collect();
            Some(StrategyDiff {
                name: sa.name.clone(),
                metrics,
            })
        })
        .collect();
    let missing = |x: &Results, y: &Results| {
        x.strategies
            .iter()
            .filter(|s| !y.strategies.iter().any(|t| t.name == s.name))
            .map(|s| s.name.clone())
            .collect()
    };
    Diff {
        same_days,
        strategies,
        only_a: missing(a, b),
        only_b: missing(b, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_intervals_combine_in_quadrature() {
        let a = Estimate {
            mean: Some(10.0),
            ci95: Some([7.0, 13.0]),
        };
        let b = Estimate {
            mean: Some(14.0),
            ci95: Some([10.0, 18.0]),
        };
        let d = independent_difference(&a, &b);
        assert_eq!(d.mean, Some(4.0));
        let [lo, hi] = d.ci95.unwrap();
        assert!(
            (lo - -1.0).abs() < 1e-12 && (hi - 9.0).abs() < 1e-12,
            "{lo} {hi}"
        );
        assert_eq!(
            independent_difference(&Estimate::UNDEFINED, &b),
            Estimate::UNDEFINED
        );
    }
}
