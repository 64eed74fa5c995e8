//! Baselines for `dialsim check`: the per-replication values of the compared metrics, stored once
//! (`--write-baseline`) and compared later (`--baseline`) on the same seed and replications.
//!
//! Replication r of a later run draws from the same random streams as replication r of the
//! baseline (common random numbers), so the comparison is paired: the difference current −
//! baseline is taken replication by replication and its 95% interval comes from those differences
//! ([`paired_difference`]). A metric **regresses** when both hold:
//!
//! 1. its mean difference is worse than the metric's tolerance ([`Metric::tolerance`]), so that a
//!    change too small to matter does not fail a build however certain it is, and
//! 2. its 95% interval excludes 0 on the worse side, so that noise does not fail a build however
//!    large it looks.
//!
//! A strategy is matched with the baseline by its kind and its rank among the scenario's
//! strategies of that kind (the first `FixedRatio`, the second `FixedRatio`, …), not by its
//! settings: changing a strategy's settings is exactly what a baseline is there to judge. A check
//! against a baseline needs an entry for every scenario and strategy it checks
//! ([`Baseline::covering`]), and a baseline must hold something that could regress: a file read
//! back is validated ([`Baseline::validate`]), and an empty one is never written.

use crate::catalogue::{Metric, Tolerance, Worse};
use crate::check::ScenarioCheck;
use crate::compare::paired_difference;
use crate::stats::Estimate;
use crate::summary::Metrics;
use crate::validate::{
    At, Invalid, Problem, keys as catalogue_keys, length, non_empty, non_negative,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use strategies::StrategySpec;

/// The `format` of baseline files this version writes and reads.
pub const FORMAT: &str = "dialsim-baseline/1";

/// A baseline file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`FORMAT`].
    pub format: String,
    /// One entry per scenario, keyed by the scenario's `name`.
    pub scenarios: Vec<ScenarioEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEntry {
    /// The scenario's `name`.
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub strategies: Vec<StrategyEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyEntry {
    /// The strategy's kind, e.g. `FixedRatio`.
    pub kind: String,
    /// Its rank among the scenario's strategies of that kind, from 1.
    pub rank: u32,
    /// Its label when the baseline was written, e.g. `FixedRatio(2, poll 1s)`.
    pub name: String,
    /// Per-replication values of every compared metric (`null`: undefined there).
    pub metrics: Metrics<Vec<Option<f64>>>,
}

/// Why a baseline cannot be used. Every variant is the user's to fix; the command line adds the
/// file's name.
#[derive(Clone, Debug, PartialEq)]
pub enum BaselineError {
    /// Not JSON, or not a baseline's shape.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// A JSON file with another `format`.
    Format { found: String },
    /// A baseline's value that `--write-baseline` cannot have written (a number out of range, a
    /// metric missing, a scenario without strategies, …), named by its JSON path.
    Invalid(Invalid),
    /// No compared metric has two defined values in any strategy: no paired difference can have
    /// an interval, so nothing could ever regress against the baseline.
    NothingToCompare,
    /// The scenario's entry was written with another seed or replication count.
    Mismatch {
        scenario: String,
        baseline: (u64, u32),
        now: (u64, u32),
    },
    /// A checked scenario has no entry (the baseline is another scenario's, or older).
    MissingScenario {
        scenario: String,
        /// The scenarios the baseline holds.
        held: Vec<String>,
    },
    /// A checked strategy has no entry of its kind and rank.
    MissingStrategy {
        scenario: String,
        /// The strategy's label.
        strategy: String,
        kind: String,
        rank: u32,
        /// The labels of the scenario's entries in the baseline.
        held: Vec<String>,
    },
    /// Two checked scenarios share a name, so their entries could not be told apart.
    Duplicate { scenario: String },
}

/// How to write a baseline again, said after every problem that needs it.
const REWRITE: &str = "re-write the baseline with `dialsim check ... --write-baseline FILE`";

/// Up to five names, quoted: `"a", "b" and 3 more`.
fn listed(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().take(5).map(|n| format!("{n:?}")).collect();
    match names.len() {
        n if n > 5 => format!("{} and {} more", quoted.join(", "), n - 5),
        _ => quoted.join(", "),
    }
}

fn ordinal(rank: u32) -> String {
    match rank {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaselineError::Json {
                line,
                column,
                message,
            } => write!(
                f,
                "{line}:{column}: {message}: not a baseline written by `dialsim check --write-baseline`"
            ),
            BaselineError::Format { found } => write!(
                f,
                "format is {found:?}, not {FORMAT:?}: re-write the baseline with `dialsim check --write-baseline`"
            ),
            BaselineError::Invalid(invalid) => {
                write!(f, "{invalid}: the file was edited or damaged; {REWRITE}")
            }
            BaselineError::NothingToCompare => write!(
                f,
                "no compared metric has two defined values in any strategy, so no difference can \
                 have a 95% interval and nothing could ever regress against this baseline; record \
                 it with 2 replications or more: `dialsim check ... --replications 2 --write-baseline FILE`"
            ),
            BaselineError::Mismatch {
                scenario,
                baseline,
                now,
            } => write!(
                f,
                "scenario {scenario:?} was recorded with seed {} and {} replications, but is checked with seed {} and {} replications: \
                 a paired comparison needs the same ones; check with `--seed {} --replications {}`, or re-write the baseline with \
                 `dialsim check ... --write-baseline FILE`",
                baseline.0, baseline.1, now.0, now.1, baseline.0, baseline.1
            ),
            BaselineError::MissingScenario { scenario, held } => write!(
                f,
                "scenario {scenario:?} is not in the baseline, which holds {}: it cannot be \
                 compared; give the baseline of the scenarios checked, or {REWRITE} to include it",
                listed(held)
            ),
            BaselineError::MissingStrategy {
                scenario,
                strategy,
                kind,
                rank,
                held,
            } => write!(
                f,
                "scenario {scenario:?}: {strategy} (its {} {kind}) is not in the baseline, which \
                 holds {} for this scenario: it cannot be compared; {REWRITE} to include it",
                ordinal(*rank),
                listed(held)
            ),
            BaselineError::Duplicate { scenario } => write!(
                f,
                "two scenarios are named {scenario:?}: a baseline keys scenarios by name; rename one"
            ),
        }
    }
}

impl From<Invalid> for BaselineError {
    fn from(invalid: Invalid) -> Self {
        BaselineError::Invalid(invalid)
    }
}

impl std::error::Error for BaselineError {}

/// A strategy's kind, the name its scenario file gives it (`FixedRatio`).
pub fn kind(spec: &StrategySpec) -> String {
    let label = spec.label();
    match serde_json::to_value(spec) {
        Ok(serde_json::Value::Object(map)) if map.len() == 1 => {
            map.keys().next().cloned().unwrap_or(label)
        }
        Ok(serde_json::Value::String(s)) => s,
        _ => label.split('(').next().unwrap_or_default().to_string(),
    }
}

/// Each strategy's (kind, rank among the strategies of that kind, from 1), in order.
pub fn keys(specs: &[StrategySpec]) -> Vec<(String, u32)> {
    let mut seen: Vec<(String, u32)> = Vec::new();
    specs
        .iter()
        .map(|spec| {
            let k = kind(spec);
            let rank = seen.iter().filter(|(s, _)| *s == k).count() as u32 + 1;
            seen.push((k.clone(), rank));
            (k, rank)
        })
        .collect()
}

impl Baseline {
    /// The baseline of the given checks.
    pub fn from_checks<'a>(
        checks: impl IntoIterator<Item = (&'a ScenarioCheck, &'a [StrategySpec])>,
    ) -> Result<Baseline, BaselineError> {
        let mut scenarios: Vec<ScenarioEntry> = Vec::new();
        for (check, specs) in checks {
            if scenarios.iter().any(|s| s.scenario == check.scenario) {
                return Err(BaselineError::Duplicate {
                    scenario: check.scenario.clone(),
                });
            }
            let strategies = check
                .strategies
                .iter()
                .zip(keys(specs))
                .map(|(s, (kind, rank))| StrategyEntry {
                    kind,
                    rank,
                    name: s.result.name.clone(),
                    metrics: s.per_replication.clone(),
                })
                .collect();
            scenarios.push(ScenarioEntry {
                scenario: check.scenario.clone(),
                seed: check.seed,
                replications: check.replications,
                strategies,
            });
        }
        if scenarios.is_empty() {
            return Err(BaselineError::NothingToCompare);
        }
        let baseline = Baseline {
            format: FORMAT.to_string(),
            scenarios,
        };
        // What is written must read back: a baseline against which nothing could regress is
        // refused here as it would be there.
        baseline.validate()?;
        Ok(baseline)
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
        let json = |e: serde_json::Error| {
            let message = e.to_string();
            let message = match message.rsplit_once(" at line ") {
                Some((m, _)) => m.to_string(),
                None => message,
            };
            BaselineError::Json {
                line: e.line(),
                column: e.column(),
                message,
            }
        };
        // The tag first, so that another kind of file is named as such, not by its first odd key.
        #[derive(Deserialize)]
        struct Tag {
            format: Option<String>,
        }
        let tag: Tag = serde_json::from_str(text).map_err(json)?;
        match tag.format {
            Some(f) if f == FORMAT => {}
            found => {
                return Err(BaselineError::Format {
                    found: found.unwrap_or_else(|| "missing".into()),
                });
            }
        }
        let baseline: Baseline = serde_json::from_str(text).map_err(json)?;
        baseline.validate()?;
        Ok(baseline)
    }

    /// Checks a baseline read back (or about to be written): at least one scenario, each name
    /// once, at least one replication and one strategy; per strategy a rank that counts the
    /// strategies of its kind in order (1, 2, …), exactly the [`Metric::COMPARED`] ones, one
    /// value per replication, each `null` or a number not negative; and some metric with two
    /// defined values, for a comparison to have an interval.
    pub fn validate(&self) -> Result<(), BaselineError> {
        let root = At::ROOT;
        let scenarios = root.key("scenarios");
        non_empty(
            &scenarios,
            &self.scenarios,
            "a baseline holds at least one scenario",
        )?;
        let compared = Metric::COMPARED.map(Metric::key);
        let mut comparable = false;
        for (i, s) in self.scenarios.iter().enumerate() {
            let at = scenarios.index(i);
            if let Some(first) = self.scenarios[..i]
                .iter()
                .position(|o| o.scenario == s.scenario)
            {
                return Err(at.key("scenario").invalid(Problem::Invalid {
                    value: format!("{:?}", s.scenario),
                    why: format!(
                        "the name of scenarios[{first}] too, and a baseline keys scenarios by name"
                    ),
                }).into());
            }
            crate::validate::replications(&at.key("replications"), s.replications, 1)?;
            let strategies = at.key("strategies");
            non_empty(
                &strategies,
                &s.strategies,
                "every scenario has at least one strategy",
            )?;
            for (j, e) in s.strategies.iter().enumerate() {
                let at = strategies.index(j);
                let rank = 1 + s.strategies[..j]
                    .iter()
                    .filter(|o| o.kind == e.kind)
                    .count();
                if e.rank as usize != rank {
                    return Err(at
                        .key("rank")
                        .invalid(Problem::Mismatch {
                            found: e.rank.to_string(),
                            expected: rank.to_string(),
                            why: format!(
                                "it is the {} {} of its scenario, and the strategies of a kind are \
                             ranked 1, 2, … in order",
                                ordinal(rank as u32),
                                e.kind
                            ),
                        })
                        .into());
                }
                let metrics = at.key("metrics");
                let written: Vec<&str> = e.metrics.written().map(|(k, _)| k).collect();
                catalogue_keys(&metrics, &written, &compared, "compared metric")?;
                for (k, values) in e.metrics.written() {
                    let at = metrics.key(k);
                    length(&at, values.len(), s.replications as usize, || {
                        format!(
                            "one value per replication, and the scenario has {}",
                            s.replications
                        )
                    })?;
                    let mut defined = 0;
                    for (r, v) in values.iter().enumerate() {
                        if let Some(v) = v {
                            non_negative(&at.index(r), *v)?;
                            defined += 1;
                        }
                    }
                    comparable |= defined >= 2;
                }
            }
        }
        if !comparable {
            return Err(BaselineError::NothingToCompare);
        }
        Ok(())
    }

    /// Pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a baseline encodes") + "\n"
    }

    /// The entry of scenario `name`, checked against the seed and replications it is run with.
    /// `Ok(None)`: the baseline has no such scenario.
    pub fn entry(
        &self,
        name: &str,
        seed: u64,
        replications: u32,
    ) -> Result<Option<&ScenarioEntry>, BaselineError> {
        let Some(entry) = self.scenarios.iter().find(|s| s.scenario == name) else {
            return Ok(None);
        };
        if (entry.seed, entry.replications) != (seed, replications) {
            return Err(BaselineError::Mismatch {
                scenario: name.to_string(),
                baseline: (entry.seed, entry.replications),
                now: (seed, replications),
            });
        }
        Ok(Some(entry))
    }

    /// The entry of every strategy of scenario `name` (checked with `seed` and `replications`,
    /// listing `specs`), in the scenario's order. A check against the baseline needs them all:
    /// a scenario or a strategy the baseline does not hold is an error naming it.
    pub fn covering(
        &self,
        name: &str,
        seed: u64,
        replications: u32,
        specs: &[StrategySpec],
    ) -> Result<Vec<&StrategyEntry>, BaselineError> {
        let entry = self.entry(name, seed, replications)?.ok_or_else(|| {
            BaselineError::MissingScenario {
                scenario: name.to_string(),
                held: self.scenarios.iter().map(|s| s.scenario.clone()).collect(),
            }
        })?;
        keys(specs)
            .into_iter()
            .zip(specs)
            .map(|((kind, rank), spec)| {
                entry
                    .strategies
                    .iter()
                    .find(|b| b.kind == kind && b.rank == rank)
                    .ok_or_else(|| BaselineError::MissingStrategy {
                        scenario: name.to_string(),
                        strategy: spec.label(),
                        kind,
                        rank,
                        held: entry.strategies.iter().map(|b| b.name.clone()).collect(),
                    })
            })
            .collect()
    }
}

/// One compared metric of one strategy against its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricComparison {
    pub metric: Metric,
    pub worse: Worse,
    /// Current − baseline, paired by replication.
    pub difference: Estimate,
    /// The baseline's mean over the replications where both are defined.
    pub baseline_mean: Option<f64>,
    /// The tolerance in the metric's unit (a relative one applied to the baseline's mean).
    pub tolerance: f64,
    /// The mean difference is worse than the tolerance (a regression if also significant).
    pub beyond_tolerance: bool,
    pub regressed: bool,
    /// One line: the difference, its interval and the tolerance.
    pub reason: String,
}

/// One strategy against its baseline entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrategyComparison {
    /// The strategy's label now.
    pub name: String,
    /// The label its baseline entry was written with.
    pub baseline_name: String,
    /// One per compared metric present on both sides.
    pub metrics: Vec<MetricComparison>,
}

impl StrategyComparison {
    pub fn regressed(&self) -> bool {
        self.metrics.iter().any(|m| m.regressed)
    }
}

fn signed(value: f64, scale: f64) -> String {
    let v = value * scale;
    let v = if v == 0.0 { 0.0 } else { v }; // no "-0.000"
    format!("{v:+.3}")
}

/// Compares `current` with `baseline` (both indexed by replication) as values of `metric`, one
/// of the [`Metric::COMPARED`] ones.
fn judge(metric: Metric, current: &[Option<f64>], baseline: &[Option<f64>]) -> MetricComparison {
    let (Some(worse), Some(allowed)) = (metric.worse(), metric.tolerance()) else {
        panic!("{metric:?} is not compared: it has no direction or no tolerance")
    };
    let difference = paired_difference(current, baseline);
    let paired: Vec<f64> = current
        .iter()
        .zip(baseline)
        .filter_map(|(c, b)| c.and(*b))
        .collect();
    let baseline_mean =
        (!paired.is_empty()).then(|| paired.iter().sum::<f64>() / paired.len() as f64);
    let tolerance = match allowed {
        Tolerance::Absolute(t) => t,
        Tolerance::Relative(share) => share * baseline_mean.unwrap_or(0.0).abs(),
    };
    let sign = match worse {
        Worse::Higher => 1.0,
        Worse::Lower => -1.0,
    };
    let worse_by = difference.mean.map(|d| sign * d);
    let significant = difference.ci95.is_some_and(|[lo, hi]| match worse {
        Worse::Higher => lo > 0.0,
        Worse::Lower => hi < 0.0,
    });
    let beyond_tolerance = worse_by.is_some_and(|w| w > tolerance);
    let regressed = significant && beyond_tolerance;
    let (scale, unit) = (metric.scale(), metric.difference_unit());
    let shown = match (difference.mean, difference.ci95) {
        (Some(m), Some([lo, hi])) => format!(
            "{} {unit} [{}, {}]",
            signed(m, scale),
            signed(lo, scale),
            signed(hi, scale)
        ),
        (Some(m), None) => format!("{} {unit} (no interval)", signed(m, scale)),
        _ => "undefined".to_string(),
    };
    let tolerance_shown = match allowed {
        Tolerance::Absolute(_) => format!("{:.3} {unit}", tolerance * scale),
        Tolerance::Relative(share) => format!(
            "{}% of the baseline, {:.3} {unit}",
            share * 100.0,
            tolerance * scale
        ),
    };
    let direction = match worse {
        Worse::Higher => "higher",
        Worse::Lower => "lower",
    };
    let verdict = if regressed {
        "worse beyond the tolerance, and the interval excludes 0"
    } else if beyond_tolerance {
        "worse beyond the tolerance, but the interval includes 0 (noise)"
    } else {
        "within the tolerance"
    };
    MetricComparison {
        metric,
        worse,
        difference,
        baseline_mean,
        tolerance,
        beyond_tolerance,
        regressed,
        reason: format!(
            "{} {shown} against the baseline ({direction} is worse; tolerance {tolerance_shown}): {verdict}",
            metric.key()
        ),
    }
}

/// Compares every strategy of `check` with its baseline entry, `matched` being
/// [`Baseline::covering`]'s answer for the scenario.
pub fn compare(matched: &[&StrategyEntry], check: &ScenarioCheck) -> Vec<StrategyComparison> {
    check
        .strategies
        .iter()
        .zip(matched)
        .map(|(s, base)| {
            let metrics = Metric::COMPARED
                .into_iter()
                .filter_map(|metric| {
                    let current = s.per_replication.get(metric)?;
                    let baseline = base.metrics.get(metric)?;
                    Some(judge(metric, current, baseline))
                })
                .collect();
            StrategyComparison {
                name: s.result.name.clone(),
                baseline_name: base.name.clone(),
                metrics,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    #[test]
    fn identical_values_never_regress() {
        let v = some(&[0.02, 0.03, 0.025, 0.028]);
        for metric in Metric::COMPARED {
            let m = judge(metric, &v, &v);
            assert!(!m.regressed, "{}", m.reason);
            assert_eq!(m.difference.ci95, Some([0.0, 0.0]));
        }
    }

    #[test]
    fn a_significant_rise_beyond_the_tolerance_regresses() {
        // Differences 0.010, 0.012, 0.008, 0.010: mean 0.010, s = 0.001633,
        // half-width t(3) · s / 2 = 3.182446 · 0.000816 = 0.002598 → [0.0074, 0.0126].
        let base = some(&[0.020, 0.030, 0.025, 0.028]);
        let now = some(&[0.030, 0.042, 0.033, 0.038]);
        let m = judge(Metric::AbandonRateRegulatory, &now, &base);
        assert!(m.regressed, "{}", m.reason);
        let [lo, hi] = m.difference.ci95.unwrap();
        assert!((lo - 0.007402).abs() < 1e-5 && (hi - 0.012598).abs() < 1e-5);
        assert_eq!(m.tolerance, 0.002);
        assert!(
            m.reason.contains("+1.000 pp [+0.740, +1.260]"),
            "{}",
            m.reason
        );
        // The same change the other way is an improvement.
        let m = judge(Metric::AbandonRateRegulatory, &base, &now);
        assert!(!m.regressed, "{}", m.reason);
    }

    #[test]
    fn a_significant_change_within_the_tolerance_passes() {
        // +0.1 pp in every replication: certain, but smaller than 0.2 pp.
        let base = some(&[0.020, 0.030, 0.025, 0.028]);
        let now: Vec<_> = base.iter().map(|v| v.map(|v| v + 0.001)).collect();
        let m = judge(Metric::AbandonRate, &now, &base);
        assert!(m.difference.ci95.unwrap()[0] > 0.0);
        assert!(!m.regressed, "{}", m.reason);
        assert!(m.reason.ends_with("within the tolerance"), "{}", m.reason);
    }

    #[test]
    fn a_large_change_that_is_noise_passes() {
        // Differences +0.05, −0.03, +0.06, −0.02: mean +0.015, well beyond 0.2 pp, but the
        // interval spans 0.
        let base = some(&[0.10, 0.10, 0.10, 0.10]);
        let now = some(&[0.15, 0.07, 0.16, 0.08]);
        let m = judge(Metric::AbandonRate, &now, &base);
        let [lo, hi] = m.difference.ci95.unwrap();
        assert!(lo < 0.0 && hi > 0.0);
        assert!(!m.regressed);
        assert!(m.reason.ends_with("(noise)"), "{}", m.reason);
    }

    #[test]
    fn lower_is_worse_for_occupancy_and_talk() {
        let base = some(&[0.90, 0.91, 0.92, 0.90]);
        let now = some(&[0.85, 0.87, 0.86, 0.86]);
        assert!(judge(Metric::Occupancy, &now, &base).regressed);
        assert!(!judge(Metric::Occupancy, &base, &now).regressed);
        let base = some(&[48.0, 49.0, 48.5, 49.5]);
        let small = some(&[47.7, 48.7, 48.2, 49.2]); // −0.3: within 0.5 min
        let large = some(&[47.0, 48.1, 47.4, 48.6]); // about −1
        assert!(!judge(Metric::TalkMinPerAgentHour, &small, &base).regressed);
        assert!(judge(Metric::TalkMinPerAgentHour, &large, &base).regressed);
    }

    #[test]
    fn relative_tolerances_scale_with_the_baseline() {
        // Dials per hour 1,000: 2% is 20 dials/h.
        let base = some(&[990.0, 1_000.0, 1_010.0, 1_000.0]);
        let minus_15: Vec<_> = base.iter().map(|v| v.map(|v| v - 15.0)).collect();
        let minus_30: Vec<_> = base.iter().map(|v| v.map(|v| v - 30.0)).collect();
        let m = judge(Metric::DialsPerHour, &minus_15, &base);
        assert!((m.tolerance - 20.0).abs() < 1e-9);
        assert!(!m.regressed);
        assert!(judge(Metric::DialsPerHour, &minus_30, &base).regressed);
        // The list exhausted 2 h later than in 5 h: beyond 2% (6 min).
        let base = some(&[18_000.0, 18_100.0, 17_900.0]);
        let later: Vec<_> = base.iter().map(|v| v.map(|v| v + 7_200.0)).collect();
        let m = judge(Metric::ListExhaustedAfter, &later, &base);
        assert!(m.regressed, "{}", m.reason);
        assert!(m.reason.contains("+2.000 h"), "{}", m.reason);
    }

    #[test]
    fn undefined_replications_are_left_out_and_one_pair_proves_nothing() {
        let base = vec![Some(1.0), None, Some(1.0)];
        let now = vec![Some(9.0), Some(9.0), None];
        let m = judge(Metric::WaitP90, &now, &base);
        assert_eq!(m.difference.mean, Some(8.0));
        assert_eq!(m.difference.ci95, None);
        assert!(!m.regressed);
        let m = judge(Metric::WaitP90, &[None], &[None]);
        assert_eq!(m.difference, Estimate::UNDEFINED);
        assert!(!m.regressed);
    }

    #[test]
    fn strategies_are_matched_by_kind_and_rank() {
        let specs: Vec<StrategySpec> = [
            "FixedRatio(ratio: 2.0)",
            "Progressive()",
            "FixedRatio(ratio: 3.0)",
        ]
        .iter()
        .map(|t| ron::from_str(t).unwrap())
        .collect();
        assert_eq!(
            keys(&specs),
            [
                ("FixedRatio".to_string(), 1),
                ("Progressive".to_string(), 1),
                ("FixedRatio".to_string(), 2)
            ]
        );
    }

    /// A scenario of two replications whose one strategy holds every compared metric.
    fn sample() -> Baseline {
        let mut metrics: Metrics<_> = Metric::COMPARED
            .iter()
            .map(|m| (*m, vec![Some(0.1), Some(0.2)]))
            .collect();
        *metrics.get_mut(Metric::WaitP90).unwrap() = vec![Some(0.1), None];
        Baseline {
            format: FORMAT.into(),
            scenarios: vec![ScenarioEntry {
                scenario: "s".into(),
                seed: 3,
                replications: 2,
                strategies: vec![StrategyEntry {
                    kind: "Progressive".into(),
                    rank: 1,
                    name: "Progressive(poll 1s)".into(),
                    metrics,
                }],
            }],
        }
    }

    #[test]
    fn the_file_round_trips_exactly() {
        let b = sample();
        let text = b.to_json();
        assert!(text.contains("\"format\": \"dialsim-baseline/1\""));
        assert_eq!(Baseline::parse(&text).unwrap(), b);
    }

    #[test]
    fn bad_files_say_where_and_how_to_fix() {
        let e = Baseline::parse("{\n  \"format\": \"dialsim-baseline/1\",\n  \"scenarios\": [}")
            .unwrap_err();
        assert!(matches!(e, BaselineError::Json { line: 3, .. }), "{e:?}");
        let e = Baseline::parse("{\"format\": \"dialsim-results/1\"}").unwrap_err();
        assert!(e.to_string().contains("re-write the baseline"), "{e}");
        let e = Baseline::parse("[1, 2]").unwrap_err();
        assert!(matches!(e, BaselineError::Json { line: 1, .. }), "{e:?}");
        let text = sample().to_json().replace("null", "null, 0.5");
        let e = Baseline::parse(&text).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "scenarios[0].strategies[0].metrics.wait_p90_s has 3 entries, not 2: one value \
                 per replication"
            ) && e.ends_with("the file was edited or damaged; re-write the baseline with `dialsim check ... --write-baseline FILE`"),
            "{e}"
        );
    }

    /// The message of `baseline` after `edit`, as a file read back.
    fn invalid(edit: impl FnOnce(&mut Baseline)) -> String {
        let mut b = sample();
        edit(&mut b);
        Baseline::parse(&b.to_json()).unwrap_err().to_string()
    }

    type Edit = Box<dyn FnOnce(&mut Baseline)>;

    /// Rebuilds the metrics of `b`'s first strategy from each metric and its values.
    fn rebuild(
        b: &mut Baseline,
        f: impl Fn(Metric, &[Option<f64>]) -> Option<(Metric, Vec<Option<f64>>)>,
    ) {
        let metrics = &mut b.scenarios[0].strategies[0].metrics;
        *metrics = metrics.iter().filter_map(|(m, v)| f(m, v)).collect();
    }

    fn values(b: &mut Baseline, metric: Metric) -> &mut Vec<Option<f64>> {
        b.scenarios[0].strategies[0]
            .metrics
            .get_mut(metric)
            .unwrap()
    }

    #[test]
    fn an_edited_baseline_names_the_bad_value() {
        let cases: [(&str, Edit); 9] = [
            (
                "scenarios is empty, but a baseline holds at least one scenario",
                Box::new(|b| b.scenarios.clear()),
            ),
            (
                "scenarios[0].strategies is empty, but every scenario has at least one strategy",
                Box::new(|b| b.scenarios[0].strategies.clear()),
            ),
            (
                "scenarios[0].strategies[0].metrics lacks \"abandon_rate\": every compared metric must be there",
                Box::new(|b| {
                    rebuild(b, |m, v| {
                        (m != Metric::AbandonRate).then(|| (m, v.to_vec()))
                    });
                }),
            ),
            (
                "scenarios[0].strategies[0].metrics has \"dials\", which is not a compared metric of this version",
                Box::new(|b| {
                    rebuild(b, |m, v| {
                        let renamed = if m == Metric::AbandonRate {
                            Metric::Dials
                        } else {
                            m
                        };
                        Some((renamed, v.to_vec()))
                    });
                }),
            ),
            (
                "scenarios[0].strategies[0].metrics.occupancy[1] is -0.5, but cannot be negative",
                Box::new(|b| values(b, Metric::Occupancy)[1] = Some(-0.5)),
            ),
            (
                "scenarios[0].strategies[0].metrics.occupancy[0] is 1.7e308, above 1e15",
                Box::new(|b| values(b, Metric::Occupancy)[0] = Some(1.7e308)),
            ),
            (
                "scenarios[0].strategies[0].rank is 2, not 1: it is the first Progressive of its scenario",
                Box::new(|b| b.scenarios[0].strategies[0].rank = 2),
            ),
            (
                "scenarios[1].scenario is \"s\": the name of scenarios[0] too",
                Box::new(|b| b.scenarios.push(b.scenarios[0].clone())),
            ),
            (
                "scenarios[0].replications is 0: every run has at least 1",
                Box::new(|b| {
                    b.scenarios[0].replications = 0;
                    rebuild(b, |m, _| Some((m, Vec::new())));
                }),
            ),
        ];
        for (want, edit) in cases {
            let e = invalid(edit);
            assert!(e.starts_with(want), "want {want:?}, got {e}");
            assert!(e.contains("re-write the baseline"), "{e}");
        }
    }

    #[test]
    fn a_baseline_that_nothing_could_regress_against_is_refused() {
        // One replication: no paired difference has an interval.
        let e = invalid(|b| {
            b.scenarios[0].replications = 1;
            rebuild(b, |m, v| Some((m, v[..1].to_vec())));
        });
        assert!(
            e.contains("nothing could ever regress") && e.contains("2 replications or more"),
            "{e}"
        );
        let none: [(&ScenarioCheck, &[StrategySpec]); 0] = [];
        assert_eq!(
            Baseline::from_checks(none).unwrap_err(),
            BaselineError::NothingToCompare
        );
    }

    #[test]
    fn another_seed_or_replication_count_is_refused() {
        let b = sample();
        assert!(b.entry("s", 3, 2).unwrap().is_some());
        assert!(b.entry("other", 3, 2).unwrap().is_none());
        let e = b.entry("s", 4, 2).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("seed 3 and 2 replications")
                && text.contains("--seed 3 --replications 2")
                && text.contains("--write-baseline"),
            "{text}"
        );
    }

    #[test]
    fn a_check_needs_every_scenario_and_strategy_in_the_baseline() {
        let b = sample();
        let specs: Vec<StrategySpec> = ["Progressive()", "FixedRatio(ratio: 2.0)"]
            .iter()
            .map(|t| ron::from_str(t).unwrap())
            .collect();
        let matched = b.covering("s", 3, 2, &specs[..1]).unwrap();
        assert_eq!(matched[0].name, "Progressive(poll 1s)");
        let e = b.covering("other", 3, 2, &specs).unwrap_err().to_string();
        assert!(
            e.starts_with("scenario \"other\" is not in the baseline, which holds \"s\"")
                && e.contains("--write-baseline"),
            "{e}"
        );
        let e = b.covering("s", 3, 2, &specs).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "scenario \"s\": FixedRatio(2, poll 1s) (its first FixedRatio) is not in the \
                 baseline, which holds \"Progressive(poll 1s)\""
            ) && e.contains("--write-baseline"),
            "{e}"
        );
        assert!(matches!(
            b.covering("s", 4, 2, &specs),
            Err(BaselineError::Mismatch { .. })
        ));
    }
}
