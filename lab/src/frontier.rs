//! The most productive setting of each strategy under an abandon-rate cap (`dialsim frontier`).
//!
//! A strategy with a knob ([`StrategySpec::knob`]: raising it dials harder) is searched between
//! the knob's low and high ends. A setting **passes** when the upper end of the 95% interval of
//! its abandon rate is strictly below the target (the mean-based rule: the campaign's rate over
//! all days); with a risk ([`Target::risk`]) when the upper end of the exact binomial interval of
//! the share of days (replications) whose rate is over the target is strictly below the risk
//! (the risk-based rule: days judged one by one). The search ([`search`]):
//!
//! 1. evaluates `low`; if it fails, the strategy is infeasible and the search stops;
//! 2. evaluates `high`; if it passes, the search stops;
//! 3. otherwise bisects (at the geometric midpoint when the range is positive, as every knob's
//!    is) between the highest passing and the lowest failing value, at most
//!    [`BISECTION_STEPS`] times, stopping early when that interval is narrower than
//!    [`MIN_WIDTH_SHARE`] of the range. Midpoints are rounded to 3 significant digits so that
//!    settings read cleanly; a midpoint that rounds onto an end also stops the search;
//! 4. chooses, among every passing setting tried, the one with the most talk minutes per
//!    agent-hour (on a tie, the lowest knob value: as productive and less aggressive).
//!
//! So a knob strategy costs at most 2 + [`BISECTION_STEPS`] = 9 evaluations, each of them every
//! replication of the scenario, run in parallel. A strategy without a knob is evaluated once and
//! passes or fails. `Progressive()` with its default poll is always evaluated as the reference:
//! each setting's **gain** is its talk minutes per agent-hour minus the reference's, a paired
//! difference over the same replications (see [`crate::compare`]).

use crate::catalogue::Metric;
use crate::compare::paired_difference;
use crate::plan::Plan;
use crate::run;
use crate::stats::{Estimate, share_ci};
use crate::summary::{Metrics, summarise};
use rayon::prelude::*;
use rules::words::AbandonDefinition;
use serde::{Deserialize, Serialize};
use std::fmt;
use strategies::StrategySpec;

/// Bisection steps after the two ends.
pub const BISECTION_STEPS: u32 = 7;
/// The bisection stops once the interval between passing and failing values is narrower than
/// this share of the knob's range.
pub const MIN_WIDTH_SHARE: f64 = 0.01;

/// What the search maximises, and the gain measures.
const TALK: Metric = Metric::TalkMinPerAgentHour;

/// Which abandon rate the target caps.
/// The frontier file writes the definition in lower case (`"regulatory"`, `"queue"`), as the
/// command line's `--definition` takes it.
mod lowercase {
    use rules::words::AbandonDefinition;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &AbandonDefinition, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match d {
            AbandonDefinition::Regulatory => "regulatory",
            AbandonDefinition::Queue => "queue",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AbandonDefinition, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Written {
            Regulatory,
            Queue,
        }
        Ok(match Written::deserialize(d)? {
            Written::Regulatory => AbandonDefinition::Regulatory,
            Written::Queue => AbandonDefinition::Queue,
        })
    }
}

/// What the search needs to know of one evaluated setting, and whatever the caller keeps with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe<T> {
    /// Upper end of the abandon rate's 95% interval (with a risk: of the share of days over the
    /// target); `None` when it has none (fails). It passes strictly below the search's limit.
    pub abandon_upper: Option<f64>,
    /// Talk minutes per agent-hour (`None`: undefined, ranks below any number).
    pub talk: Option<f64>,
    pub detail: T,
}

/// One setting the search tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Tried<T> {
    pub value: f64,
    pub passes: bool,
    pub probe: Probe<T>,
}

/// The settings tried, in the order tried, and the chosen one (an index into `tried`; `None`
/// when none passes: the strategy is infeasible).
#[derive(Clone, Debug, PartialEq)]
pub struct Searched<T> {
    pub tried: Vec<Tried<T>>,
    pub chosen: Option<usize>,
}

/// `x` rounded to 3 significant digits (computed by one division or multiplication by a power of
/// ten, so that e.g. 0.0633 prints as 0.0633).
pub fn round3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let k = 2 - x.abs().log10().floor() as i32;
    if k >= 0 {
        let p = 10f64.powi(k);
        (x * p).round() / p
    } else {
        let p = 10f64.powi(-k);
        (x / p).round() * p
    }
}

/// Searches the knob range [`low`, `high`] for the most productive passing setting, calling
/// `evaluate` for each value tried (see the module documentation for the steps). The abandon
/// rate is assumed to grow with the knob; the choice among passing settings does not assume
/// anything about talk.
pub fn search<T>(
    low: f64,
    high: f64,
    target: f64,
    mut evaluate: impl FnMut(f64) -> Probe<T>,
) -> Searched<T> {
    let mut tried = Vec::new();
    let mut probe = |value: f64, tried: &mut Vec<Tried<T>>| {
        let probe = evaluate(value);
        let passes = probe.abandon_upper.is_some_and(|u| u < target);
        tried.push(Tried {
            value,
            passes,
            probe,
        });
        passes
    };
    if probe(low, &mut tried) && high > low && !probe(high, &mut tried) {
        let (mut lo, mut hi) = (low, high);
        // On a positive range the midpoint is geometric: knobs such as a target abandon rate
        // (0.001 to 0.25) matter by ratio, and a linear midpoint would spend the steps on the
        // wide top of the range. Both stop once the bracket is a small share of the range.
        let geometric = low > 0.0;
        for _ in 0..BISECTION_STEPS {
            let narrow = if geometric {
                (hi / lo).ln() < MIN_WIDTH_SHARE * (high / low).ln()
            } else {
                hi - lo < MIN_WIDTH_SHARE * (high - low)
            };
            if narrow {
                break;
            }
            let mid = round3(if geometric {
                (lo * hi).sqrt()
            } else {
                0.5 * (lo + hi)
            });
            if mid <= lo || mid >= hi {
                break;
            }
            if probe(mid, &mut tried) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    let talk = |t: &Tried<T>| t.probe.talk.unwrap_or(f64::NEG_INFINITY);
    let mut chosen: Option<usize> = None;
    for (i, t) in tried.iter().enumerate() {
        let better = chosen.is_none_or(|c| {
            let best = &tried[c];
            talk(t) > talk(best) || (talk(t) == talk(best) && t.value < best.value)
        });
        if t.passes && better {
            chosen = Some(i);
        }
    }
    Searched { tried, chosen }
}

/// Why a frontier cannot be computed. Every variant is the user's to fix.
#[derive(Clone, Debug, PartialEq)]
pub enum FrontierError {
    /// The target is not strictly between 0 and 1.
    Target(f64),
    /// One replication gives no confidence interval to compare with the target.
    Replications(u32),
    /// The risk is not strictly between 0 and 1.
    Risk(f64),
}

impl fmt::Display for FrontierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrontierError::Target(t) => write!(
                f,
                "the target abandon rate must be between 0 and 1 (exclusive), e.g. 0.03, not {t}"
            ),
            FrontierError::Replications(n) => write!(
                f,
                "frontier needs at least 2 replications to bound the abandon rate, not {n}: use --replications 10 or more"
            ),
            FrontierError::Risk(r) => write!(
                f,
                "the risk (the share of days over the target accepted) must be between 0 and 1 (exclusive), e.g. 0.05, not {r}"
            ),
        }
    }
}

impl std::error::Error for FrontierError {}

/// What the search is asked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    /// The cap on the upper end of the abandon rate's 95% interval, in (0, 1); with a risk, the
    /// cap each day is judged against.
    pub abandon: f64,
    pub definition: AbandonDefinition,
    /// The risk-based rule: the largest share of days over `abandon` accepted, in (0, 1);
    /// `None`: the mean-based rule.
    pub risk: Option<f64>,
}

impl Target {
    /// What a setting's `measure` (see [`Probe::abandon_upper`]) must stay strictly below.
    fn limit(&self) -> f64 {
        self.risk.unwrap_or(self.abandon)
    }
}

/// The frontier file (`dialsim frontier --json`), documented in `docs/results.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frontier {
    /// [`FORMAT`]: which version of this contract the file follows.
    pub format: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub target_abandon: f64,
    #[serde(with = "lowercase")]
    pub definition: AbandonDefinition,
    /// The risk-based rule's risk ([`Target::risk`]); absent under the mean-based rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<f64>,
    /// The key of the metric the target caps ([`Metric::abandon_rate`]).
    pub abandon_key: String,
    /// The reference's `name`: `Progressive()` with its default poll.
    pub reference: String,
    /// The scenario's measurement window, as in a results file; absent: the whole campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<crate::summary::Window>,
    /// The reference first unless the scenario lists it, then the scenario's strategies in order.
    pub strategies: Vec<FrontierStrategy>,
}

/// The `format` of frontier files this version writes and reads.
pub const FORMAT: &str = "dialsim-frontier/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierStrategy {
    /// The label of the strategy as the scenario lists it.
    pub name: String,
    pub strategy: StrategySpec,
    /// Whether this entry is the reference the gains are measured against.
    pub reference: bool,
    /// The setting searched; `None` for a strategy without one (evaluated once).
    pub knob: Option<KnobRange>,
    /// Whether some setting tried passes.
    pub feasible: bool,
    /// Index into `tried` of the chosen setting; `None` when infeasible.
    pub chosen: Option<usize>,
    /// Every setting evaluated, in the order tried.
    pub tried: Vec<Setting>,
}

impl FrontierStrategy {
    /// The chosen setting, if any passes.
    pub fn chosen_setting(&self) -> Option<&Setting> {
        self.chosen.and_then(|i| self.tried.get(i))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnobRange {
    pub name: String,
    pub low: f64,
    pub high: f64,
}

/// One evaluated setting: every replication of the scenario with the knob at `value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    /// The knob's value; `None` for a strategy without a knob.
    pub value: Option<f64>,
    /// The label of this setting.
    pub name: String,
    pub strategy: StrategySpec,
    /// Upper end of the abandon rate's 95% interval below the target (with a risk: of the share
    /// of days over the target below the risk).
    pub passes: bool,
    /// With a risk: the share of days whose abandon rate is over the target, with its exact
    /// binomial interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_over_target: Option<Estimate>,
    /// Every metric of the results file, same keys and estimators.
    pub metrics: Metrics<Estimate>,
    /// Talk minutes per agent-hour minus the reference's, paired by replication.
    pub gain: Estimate,
}

impl Setting {
    pub fn metric(&self, metric: Metric) -> Estimate {
        self.metrics
            .get(metric)
            .copied()
            .unwrap_or(Estimate::UNDEFINED)
    }
}

/// `Progressive()` with its default settings: the reference every gain is measured against.
pub fn reference() -> StrategySpec {
    ron::from_str("Progressive()").expect("Progressive() is a valid strategy")
}

/// One evaluation: its setting and its talk minutes per agent-hour replication by replication.
struct Evaluated {
    setting: Setting,
    talk: Vec<Option<f64>>,
    /// What must stay below [`Target::limit`].
    measure: Option<f64>,
}

fn evaluate(
    plan: &Plan,
    spec: &StrategySpec,
    target: Target,
    reference_talk: Option<&[Option<f64>]>,
    on_replication: &(dyn Fn() + Sync),
) -> Evaluated {
    let reps = run::replications(plan, spec, on_replication);
    let summary = summarise(spec, &reps);
    let talk: Vec<Option<f64>> = reps.iter().map(|r| TALK.per_replication(r)).collect();
    let rate = Metric::abandon_rate(target.definition);
    let days_over_target = target.risk.map(|_| {
        let days: Vec<f64> = reps
            .iter()
            .filter_map(|r| rate.per_replication(r))
            .collect();
        let over = days.iter().filter(|v| **v > target.abandon).count();
        share_ci(over as u64, days.len() as u64)
    });
    let measure = match days_over_target {
        Some(d) => d.ci95,
        None => summary.metrics.get(rate).and_then(|e| e.ci95),
    }
    .map(|[_, hi]| hi);
    Evaluated {
        setting: Setting {
            value: spec.knob().map(|k| k.value),
            name: summary.name,
            strategy: spec.clone(),
            passes: measure.is_some_and(|u| u < target.limit()),
            days_over_target,
            metrics: summary.metrics,
            gain: paired_difference(&talk, reference_talk.unwrap_or(&talk)),
        },
        talk,
        measure,
    }
}

fn probe_of(e: Evaluated) -> Probe<Setting> {
    Probe {
        abandon_upper: e.measure,
        talk: e.setting.metric(TALK).mean,
        detail: e.setting,
    }
}

fn one_strategy(
    plan: &Plan,
    spec: &StrategySpec,
    target: Target,
    reference_talk: &[Option<f64>],
    on_replication: &(dyn Fn() + Sync),
) -> FrontierStrategy {
    let knob = spec.knob();
    let searched = match knob {
        Some(k) => search(k.low, k.high, target.limit(), |v| {
            let setting = spec.with_knob(v);
            probe_of(evaluate(
                plan,
                &setting,
                target,
                Some(reference_talk),
                on_replication,
            ))
        }),
        None => {
            let e = evaluate(plan, spec, target, Some(reference_talk), on_replication);
            let passes = e.setting.passes;
            Searched {
                chosen: passes.then_some(0),
                tried: vec![Tried {
                    value: f64::NAN,
                    passes,
                    probe: probe_of(e),
                }],
            }
        }
    };
    FrontierStrategy {
        name: spec.label(),
        strategy: spec.clone(),
        reference: false,
        knob: knob.map(|k| KnobRange {
            name: k.name.to_string(),
            low: k.low,
            high: k.high,
        }),
        feasible: searched.chosen.is_some(),
        chosen: searched.chosen,
        tried: searched.tried.into_iter().map(|t| t.probe.detail).collect(),
    }
}

/// Searches every strategy of `plan` (see the module documentation). Strategies are searched
/// in parallel and each evaluation runs its replications in parallel, on the current rayon pool;
/// the result does not depend on the number of threads. `on_replication` is called after each
/// replication.
pub fn frontier(
    plan: &Plan,
    target: Target,
    on_replication: &(dyn Fn() + Sync),
) -> Result<Frontier, FrontierError> {
    if !(target.abandon > 0.0 && target.abandon < 1.0) {
        return Err(FrontierError::Target(target.abandon));
    }
    if plan.replications < 2 {
        return Err(FrontierError::Replications(plan.replications));
    }
    if let Some(r) = target.risk
        && !(r > 0.0 && r < 1.0)
    {
        return Err(FrontierError::Risk(r));
    }
    let reference_spec = reference();
    let reference = evaluate(plan, &reference_spec, target, None, on_replication);
    let reference_entry = FrontierStrategy {
        name: reference_spec.label(),
        strategy: reference_spec.clone(),
        reference: true,
        knob: None,
        feasible: reference.setting.passes,
        chosen: reference.setting.passes.then_some(0),
        tried: vec![reference.setting.clone()],
    };
    let listed: Vec<FrontierStrategy> = plan
        .strategies
        .par_iter()
        .map(|spec| {
            if *spec == reference_spec {
                reference_entry.clone()
            } else {
                one_strategy(plan, spec, target, &reference.talk, on_replication)
            }
        })
        .collect();
    let mut strategies = Vec::with_capacity(listed.len() + 1);
    if !plan.strategies.contains(&reference_spec) {
        strategies.push(reference_entry);
    }
    strategies.extend(listed);
    Ok(Frontier {
        format: FORMAT.to_string(),
        scenario: plan.name.clone(),
        seed: plan.seed,
        replications: plan.replications,
        target_abandon: target.abandon,
        definition: target.definition,
        risk: target.risk,
        abandon_key: Metric::abandon_rate(target.definition).key().to_string(),
        reference: reference_spec.label(),
        measure: crate::summary::Window::of(plan.measure),
        strategies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A synthetic strategy: abandon upper bound `slope · x`, talk `10 + x`, both rising with x.
    fn monotone(slope: f64, calls: &Cell<u32>) -> impl FnMut(f64) -> Probe<()> + '_ {
        move |x| {
            calls.set(calls.get() + 1);
            Probe {
                abandon_upper: Some(slope * x),
                talk: Some(10.0 + x),
                detail: (),
            }
        }
    }

    #[test]
    fn bisection_finds_the_edge_of_the_feasible_range() {
        // Passes while 0.01 · x < 0.03, i.e. x < 3, on [1, 5].
        let calls = Cell::new(0);
        let s = search(1.0, 5.0, 0.03, monotone(0.01, &calls));
        let values: Vec<f64> = s.tried.iter().map(|t| t.value).collect();
        assert_eq!(
            values,
            [1.0, 5.0, 2.24, 3.35, 2.74, 3.03, 2.88, 2.95, 2.99],
            "low, high, then 7 geometric bisections rounded to 3 digits"
        );
        assert!(calls.get() <= 9);
        let chosen = &s.tried[s.chosen.unwrap()];
        assert_eq!(chosen.value, 2.99);
        assert!(chosen.passes);
        assert!(s.tried.iter().filter(|t| t.value >= 3.0).all(|t| !t.passes));
    }

    #[test]
    fn infeasible_when_the_low_end_fails() {
        let calls = Cell::new(0);
        let s = search(1.0, 5.0, 0.005, monotone(0.01, &calls));
        assert_eq!(calls.get(), 1);
        assert_eq!(s.chosen, None);
        assert_eq!(s.tried.len(), 1);
        assert!(!s.tried[0].passes);
    }

    #[test]
    fn all_feasible_takes_the_high_end() {
        let calls = Cell::new(0);
        let s = search(0.001, 0.25, 0.03, monotone(0.1, &calls));
        assert_eq!(calls.get(), 2);
        assert_eq!(s.tried[s.chosen.unwrap()].value, 0.25);
    }

    #[test]
    fn the_most_talk_wins_among_passing_settings() {
        // Talk peaks in the middle of the range; abandons rise with x; everything below 4 passes.
        let s = search(0.0, 8.0, 0.04, |x| Probe {
            abandon_upper: Some(0.01 * x),
            talk: Some(-(x - 2.0).powi(2)),
            detail: x,
        });
        let chosen = &s.tried[s.chosen.unwrap()];
        assert_eq!(chosen.probe.detail, 2.0, "{:?}", s.tried);
        assert!(s.tried.iter().any(|t| t.passes && t.value > 2.0));
    }

    #[test]
    fn a_tie_goes_to_the_lower_setting() {
        // Talk is flat on [1, 5] (like a ratio rounded to whole calls); everything passes.
        let s = search(1.0, 5.0, 0.5, |_| Probe {
            abandon_upper: Some(0.1),
            talk: Some(30.0),
            detail: (),
        });
        assert_eq!(s.tried[s.chosen.unwrap()].value, 1.0);
    }

    #[test]
    fn an_undefined_bound_fails() {
        let s = search(1.0, 2.0, 0.5, |_| Probe {
            abandon_upper: None,
            talk: Some(1.0),
            detail: (),
        });
        assert_eq!((s.chosen, s.tried.len()), (None, 1));
    }

    #[test]
    fn rounding_to_three_digits() {
        assert_eq!(round3(0.063_257_812_5), 0.0633);
        assert_eq!(round3(2.875), 2.88);
        assert_eq!(round3(1234.5), 1230.0);
        assert_eq!(round3(-0.012_345), -0.0123);
        assert_eq!(round3(0.0), 0.0);
        assert_eq!(format!("{}", round3(0.1255)), "0.126");
    }
}
