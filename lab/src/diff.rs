//! Two saved results files of one scenario, before (A) and after (B) a change — a new version of
//! a strategy, different staffing — strategy by strategy: B − A of the headline metrics.
//!
//! Where both files ran the same seed and the same replications, replication `i` is the same day
//! in both (the same customers, the same draws until the change makes them part), so the rates
//! and talk kept day by day (`days`) are compared **paired**: the interval's width is that of
//! the mean of the daily differences (95% t), as `compare` pairs strategies, centred on the
//! difference of the two means the files show ([`centred`]). Otherwise, and for metrics not kept
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

/// A strategy both files ran: matched by its label, or — for one whose settings changed
/// ("a new version") — by its kind, the label up to its settings, among those left unmatched.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyDiff {
    /// Its label in A.
    pub name: String,
    /// Its label in B: the same unless its settings changed.
    pub name_b: String,
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

/// B − A of the two files' means, with the half-width of the daily differences' interval
/// `daily`. The files' rates and talk are pooled over the days (Σ numerator ÷ Σ denominator),
/// which the mean of the daily differences is not quite; centring the paired interval on the
/// difference of the means shown keeps A, B and B − A consistent, and the spread of the daily
/// differences is the spread of the pooled difference's linearisation when the days' volumes are
/// alike (as a campaign's days are).
fn centred(a: &Estimate, b: &Estimate, daily: &Estimate) -> Estimate {
    let (Some(ma), Some(mb)) = (a.mean, b.mean) else {
        return Estimate::UNDEFINED;
    };
    let d = mb - ma;
    Estimate {
        mean: Some(d),
        ci95: daily.ci95.map(|[lo, hi]| {
            let half = (hi - lo) / 2.0;
            [d - half, d + half]
        }),
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

/// A strategy's kind: its label up to its settings ("Predictive(target 3%)" → "Predictive").
fn kind(label: &str) -> &str {
    label.split('(').next().unwrap_or(label)
}

/// Pairs of (index in A, index in B): the same label first, then the same kind among those left,
/// in A's order.
fn matched(a: &Results, b: &Results) -> Vec<(usize, usize)> {
    let mut taken = vec![false; b.strategies.len()];
    let mut pairs: Vec<Option<usize>> = a
        .strategies
        .iter()
        .map(|sa| {
            let j = b.strategies.iter().position(|sb| sb.name == sa.name)?;
            taken[j] = true;
            Some(j)
        })
        .collect();
    for (i, sa) in a.strategies.iter().enumerate() {
        if pairs[i].is_some() {
            continue;
        }
        if let Some(j) = (0..b.strategies.len())
            .find(|&j| !taken[j] && kind(&b.strategies[j].name) == kind(&sa.name))
        {
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
    pairs
        .into_iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j)))
        .collect()
}

/// One metric of a matched strategy, paired by day where it can be.
fn metric_diff(
    m: Metric,
    (sa, cap_a): (&StrategyResult, f64),
    (sb, cap_b): (&StrategyResult, f64),
    same_days: bool,
) -> MetricDiff {
    let (a, b) = (metric(sa, m), metric(sb, m));
    let paired = same_days
        .then(|| days_of(sa, m, cap_a).zip(days_of(sb, m, cap_b)))
        .flatten()
        .filter(|(x, y)| x.len() == y.len());
    let (difference, pairing) = match paired {
        Some((x, y)) => (centred(&a, &b, &paired_difference(&y, &x)), Pairing::ByDay),
        None => (independent_difference(&a, &b), Pairing::Independent),
    };
    MetricDiff {
        metric: m,
        a,
        b,
        difference,
        pairing,
    }
}

/// A against B (see the module documentation).
pub fn diff(a: &Results, b: &Results) -> Diff {
    let same_days = a.seed == b.seed && a.replications == b.replications;
    let pairs = matched(a, b);
    let strategies = pairs
        .iter()
        .map(|&(i, j)| {
            let (sa, sb) = (&a.strategies[i], &b.strategies[j]);
            StrategyDiff {
                name: sa.name.clone(),
                name_b: sb.name.clone(),
                metrics: DIFFED
                    .iter()
                    .map(|&m| metric_diff(m, (sa, a.abandon_cap), (sb, b.abandon_cap), same_days))
                    .collect(),
            }
        })
        .collect();
    let only_a = (0..a.strategies.len())
        .filter(|i| !pairs.iter().any(|p| p.0 == *i))
        .map(|i| a.strategies[i].name.clone())
        .collect();
    let only_b = (0..b.strategies.len())
        .filter(|j| !pairs.iter().any(|p| p.1 == *j))
        .map(|j| b.strategies[j].name.clone())
        .collect();
    Diff {
        same_days,
        strategies,
        only_a,
        only_b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paired_interval_is_centred_on_the_difference_of_the_means() {
        let a = Estimate {
            mean: Some(10.0),
            ci95: Some([9.0, 11.0]),
        };
        let b = Estimate {
            mean: Some(12.5),
            ci95: Some([11.0, 14.0]),
        };
        let daily = Estimate {
            mean: Some(2.4),
            ci95: Some([2.1, 2.7]),
        };
        let d = centred(&a, &b, &daily);
        assert_eq!(d.mean, Some(2.5));
        let [lo, hi] = d.ci95.unwrap();
        assert!(
            (lo - 2.2).abs() < 1e-12 && (hi - 2.8).abs() < 1e-12,
            "{lo} {hi}"
        );
        assert_eq!(
            centred(&Estimate::UNDEFINED, &b, &daily),
            Estimate::UNDEFINED
        );
    }

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
