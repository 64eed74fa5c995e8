//! Strategies against a baseline on common random numbers (`dialsim compare`).
//!
//! Every strategy runs the same replications: replication r of every strategy draws from the
//! streams of (seed, r, customer, attempt), so the same customers answer, press and talk the same
//! way. A difference is therefore measured replication by replication — strategy − baseline in
//! replication r — and its 95% interval comes from those paired differences, which is much
//! narrower than comparing two independent intervals, and is the honest basis for "A beats B".
//!
//! For a ratio metric (an abandon rate, occupancy, talk minutes per agent-hour, dials per hour)
//! the paired value is each replication's own ratio, numerator ÷ denominator. A replication in
//! which either side's ratio (or per-replication value) is undefined is left out of that
//! metric's differences.

use crate::catalogue::Metric;
use crate::plan::Plan;
use crate::run;
use crate::stats::{Estimate, mean_ci};
use crate::summary::{Comparison, Difference, Metrics, Results, summarise};
use rayon::prelude::*;
use sim::metrics::RepMetrics;
use std::fmt;
use strategies::StrategySpec;

/// Why a comparison cannot start. Every variant is the user's to fix.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareError {
    /// Fewer than two strategies to compare.
    TooFew { listed: usize },
    /// `--baseline` names no strategy. `labels` are the scenario's, in order.
    UnknownBaseline { asked: String, labels: Vec<String> },
    /// `--baseline` is the start of several labels.
    Ambiguous {
        asked: String,
        matches: Vec<(usize, String)>,
    },
}

fn numbered(labels: impl IntoIterator<Item = (usize, String)>) -> String {
    labels
        .into_iter()
        .map(|(i, l)| format!("{} = {l}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::TooFew { listed } => {
                let count = match listed {
                    0 => "none".to_string(),
                    1 => "one".to_string(),
                    n => n.to_string(),
                };
                write!(
                    f,
                    "compare needs at least two strategies; the scenario lists {count}: add another to `strategies: [...]`"
                )
            }
            CompareError::UnknownBaseline { asked, labels } => write!(
                f,
                "--baseline {asked:?} names no strategy of the scenario, which lists {}; give a number from 1 to {} or the start of a label",
                numbered(labels.iter().cloned().enumerate()),
                labels.len()
            ),
            CompareError::Ambiguous { asked, matches } => write!(
                f,
                "--baseline {asked:?} is the start of {} labels: {}; give the number or more of the label",
                matches.len(),
                numbered(matches.iter().cloned())
            ),
        }
    }
}

impl std::error::Error for CompareError {}

/// Finds the baseline among `strategies` (at least two are needed). `asked` is a 1-based index
/// or a label, or the start of one (case does not matter if no label matches exactly); `None`
/// picks the first strategy. Returns its 0-based index.
pub fn baseline(strategies: &[StrategySpec], asked: Option<&str>) -> Result<usize, CompareError> {
    if strategies.len() < 2 {
        return Err(CompareError::TooFew {
            listed: strategies.len(),
        });
    }
    let Some(asked) = asked else {
        return Ok(0);
    };
    let labels: Vec<String> = strategies.iter().map(StrategySpec::label).collect();
    let unknown = || CompareError::UnknownBaseline {
        asked: asked.to_string(),
        labels: labels.clone(),
    };
    let wanted = asked.trim();
    if let Ok(n) = wanted.parse::<usize>() {
        return (1..=labels.len())
            .contains(&n)
            .then(|| n - 1)
            .ok_or_else(unknown);
    }
    if let Some(i) = labels.iter().position(|l| l == wanted) {
        return Ok(i);
    }
    let lower = wanted.to_lowercase();
    let matches: Vec<(usize, String)> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| !lower.is_empty() && l.to_lowercase().starts_with(&lower))
        .map(|(i, l)| (i, l.clone()))
        .collect();
    match matches.len() {
        0 => Err(unknown()),
        1 => Ok(matches[0].0),
        _ => Err(CompareError::Ambiguous {
            asked: asked.to_string(),
            matches,
        }),
    }
}

/// Mean and 95% interval of `strategy[r] − baseline[r]` over the replications r where both are
/// defined (Student's t, as [`mean_ci`]). The slices are indexed by replication.
pub fn paired_difference(strategy: &[Option<f64>], baseline: &[Option<f64>]) -> Estimate {
    let differences: Vec<f64> = strategy
        .iter()
        .zip(baseline)
        .filter_map(|(s, b)| Some((*s)? - (*b)?))
        .collect();
    mean_ci(&differences)
}

/// The per-replication values of every [`Metric::COMPARED`] metric:
/// `values[metric][replication]`.
pub fn paired_values(reps: &[RepMetrics]) -> Vec<Vec<Option<f64>>> {
    Metric::COMPARED
        .iter()
        .map(|m| reps.iter().map(|r| m.per_replication(r)).collect())
        .collect()
}

/// Differences of every [`Metric::COMPARED`] metric, strategy − baseline.
pub fn differences(
    strategy: &[Vec<Option<f64>>],
    baseline: &[Vec<Option<f64>>],
) -> Metrics<Estimate> {
    Metric::COMPARED
        .iter()
        .zip(strategy.iter().zip(baseline))
        .map(|(m, (s, b))| (*m, paired_difference(s, b)))
        .collect()
}

/// Runs every strategy of `plan` on the same replications and compares each with the strategy
/// at index `baseline` (see [`baseline`]). The result is `run`'s [`Results`] with its
/// `comparison` filled in. Replications run in parallel on the current rayon pool and the result
/// does not depend on the number of threads; `on_replication` is called after each one.
pub fn compare(plan: &Plan, baseline: usize, on_replication: &(dyn Fn() + Sync)) -> Results {
    assert!(
        baseline < plan.strategies.len(),
        "baseline index within the strategies"
    );
    // Summarise each strategy as soon as it has run and keep only the compact paired values, so
    // memory does not grow with strategies × replications × histogram size. Strategies run
    // side by side as well, so no thread waits for one strategy's last replication.
    let (strategies, values): (Vec<_>, Vec<_>) = plan
        .strategies
        .par_iter()
        .map(|spec| {
            let reps = run::replications(plan, spec, on_replication);
            (summarise(spec, &reps), paired_values(&reps))
        })
        .unzip();
    let differences = strategies
        .iter()
        .zip(&values)
        .enumerate()
        .filter(|(i, _)| *i != baseline)
        .map(|(_, (s, v))| Difference {
            name: s.name.clone(),
            metrics: differences(v, &values[baseline]),
        })
        .collect();
    let baseline = strategies[baseline].name.clone();
    Results {
        comparison: Some(Comparison {
            baseline,
            differences,
        }),
        ..Results::new(plan, strategies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> StrategySpec {
        ron::from_str(text).expect("a strategy")
    }

    #[test]
    fn paired_difference_by_hand() {
        // Differences 0.1, 0.3, 0.2 (the undefined replication 3 is left out): mean 0.2,
        // s = 0.1, half-width t(2) · 0.1 / √3 = 4.302653 · 0.057735 = 0.248414.
        let strategy = [Some(0.5), Some(0.7), Some(0.9), Some(0.6)];
        let baseline = [Some(0.4), Some(0.4), None, Some(0.4)];
        let e = paired_difference(&strategy, &baseline);
        let mean = e.mean.unwrap();
        assert!((mean - 0.2).abs() < 1e-12, "{mean}");
        let [lo, hi] = e.ci95.unwrap();
        assert!((hi - mean - 0.248414).abs() < 1e-5, "{hi}");
        assert!((mean - lo - 0.248414).abs() < 1e-5, "{lo}");
    }

    #[test]
    fn paired_difference_is_narrower_than_the_unpaired_one() {
        // Both sides swing together from replication to replication; their difference is 1 ± 0.1.
        let baseline = [Some(10.0), Some(20.0), Some(30.0), Some(40.0)];
        let strategy = [Some(11.1), Some(20.9), Some(31.0), Some(41.0)];
        let [lo, hi] = paired_difference(&strategy, &baseline).ci95.unwrap();
        assert!(lo > 0.0 && hi < 2.0, "[{lo}, {hi}]");
    }

    #[test]
    fn paired_difference_edge_cases() {
        assert_eq!(
            paired_difference(&[None], &[Some(1.0)]),
            Estimate::UNDEFINED
        );
        let one = paired_difference(&[Some(3.0), None], &[Some(1.0), Some(1.0)]);
        assert_eq!((one.mean, one.ci95), (Some(2.0), None));
        let same = paired_difference(&[Some(1.0), Some(2.0)], &[Some(1.0), Some(2.0)]);
        assert_eq!((same.mean, same.ci95), (Some(0.0), Some([0.0, 0.0])));
    }

    #[test]
    fn baseline_by_index_label_or_prefix() {
        let specs = [
            spec("AgentsAvailable()"),
            spec("FixedRatio(ratio: 2.0)"),
            spec("FixedRatio(ratio: 3.0)"),
            spec("Predictive()"),
        ];
        assert_eq!(baseline(&specs, None), Ok(0));
        assert_eq!(baseline(&specs, Some("2")), Ok(1));
        assert_eq!(baseline(&specs, Some("Predictive")), Ok(3));
        assert_eq!(baseline(&specs, Some("predictive")), Ok(3));
        assert_eq!(baseline(&specs, Some("FixedRatio(3")), Ok(2));
        assert_eq!(baseline(&specs, Some("FixedRatio(2, poll 1s)")), Ok(1));
        assert!(matches!(
            baseline(&specs, Some("FixedRatio")),
            Err(CompareError::Ambiguous { .. })
        ));
        for bad in ["0", "5", "Clairvoyant", ""] {
            let e = baseline(&specs, Some(bad)).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("1 = AgentsAvailable(poll 5s, step 0.5s)")
                    && text.contains("4 = Predictive("),
                "{text}"
            );
        }
    }

    #[test]
    fn one_strategy_is_not_a_comparison() {
        let e = baseline(&[spec("Progressive()")], None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "compare needs at least two strategies; the scenario lists one: add another to `strategies: [...]`"
        );
    }
}
