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
//! So a knob strategy costs at most 2 + [`BISECTION_STEPS`] = 9 evaluations. A strategy without a
//! knob is evaluated once, on every replication, and passes or fails. `Progressive()` with its
//! default poll is always evaluated as the reference: each setting's **gain** is its talk
//! minutes per agent-hour minus the reference's, a paired difference over the same replications
//! (see [`crate::compare`]).
//!
//! **Early looks.** Replication r of every setting is the same day (common random numbers), so
//! a setting is run on replications 0, 1, … in stages ([`looks`]: a quarter of them, at least
//! [`FIRST_LOOK`], then doubling) and a look may settle it before the last:
//! - mean-based rule: it fails when the lower end of the 99% interval of its rate is at or above
//!   the target, and passes when the upper end is below it ([`EARLY_QUANTILE`]: a stricter
//!   interval than the 95% one that judges all replications, so that a setting settled early is
//!   one the full rule would almost surely judge the same way);
//! - risk-based rule: it fails when even no further day over the target would bring the
//!   interval's upper end below the risk, and passes when even every further day over would not
//!   lift it to the risk: both are certain, not estimated.
//!
//! A setting settled early is shown with the replications it ran (`replications` in the file).
//! The choice is made on every replication: the passing setting with the most talk so far is run
//! on all of them and judged again, and so is every other passing setting whose talk, paired
//! with the best one's on the replications both ran, is not shown to be lower (the upper end of
//! the paired 95% interval at or above 0); settings shown to be less productive are not
//! completed. On the 100-agent day this halves the replications a frontier runs and gives the
//! same choices.

use crate::catalogue::Metric;
use crate::compare::paired_difference;
use crate::plan::Plan;
use crate::run;
use crate::stats::{Estimate, ratio_interval, share_ci};
use crate::summary::{Metrics, summarise};
use rayon::prelude::*;
use rules::words::AbandonDefinition;
use serde::{Deserialize, Serialize};
use sim::RepMetrics;
use std::fmt;
use strategies::StrategySpec;

/// Bisection steps after the two ends.
pub const BISECTION_STEPS: u32 = 7;
/// The bisection stops once the interval between passing and failing values is narrower than
/// this share of the knob's range.
pub const MIN_WIDTH_SHARE: f64 = 0.01;

/// The fewest replications a setting is run on before its first early look.
pub const FIRST_LOOK: u32 = 5;
/// The t quantile of the early looks' intervals under the mean-based rule (two-sided 99%).
pub const EARLY_QUANTILE: f64 = 0.995;

/// The replication counts a setting is looked at after, the last being all `replications`:
/// a quarter of them (at least [`FIRST_LOOK`]), then doubling.
pub fn looks(replications: u32) -> Vec<u32> {
    let mut at = (replications / 4).max(FIRST_LOOK);
    let mut looks = Vec::new();
    while at < replications {
        looks.push(at);
        at = at.saturating_mul(2);
    }
    looks.push(replications);
    looks
}

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
    /// Whether the setting holds the target.
    pub passes: bool,
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
pub fn search<T>(low: f64, high: f64, mut evaluate: impl FnMut(f64) -> Probe<T>) -> Searched<T> {
    let mut tried = Vec::new();
    let mut probe = |value: f64, tried: &mut Vec<Tried<T>>| {
        let probe = evaluate(value);
        let passes = probe.passes;
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
    let chosen = most_productive(&tried, |_| true);
    Searched { tried, chosen }
}

/// Among the passing settings in `tried` that `eligible` admits, the one with the most talk (on
/// a tie, the lowest value: as productive and less aggressive).
fn most_productive<T>(tried: &[Tried<T>], eligible: impl Fn(&Tried<T>) -> bool) -> Option<usize> {
    let talk = |t: &Tried<T>| t.probe.talk.unwrap_or(f64::NEG_INFINITY);
    let mut chosen: Option<usize> = None;
    for (i, t) in tried.iter().enumerate() {
        let better = chosen.is_none_or(|c| {
            let best = &tried[c];
            talk(t) > talk(best) || (talk(t) == talk(best) && t.value < best.value)
        });
        if t.passes && eligible(t) && better {
            chosen = Some(i);
        }
    }
    chosen
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
    /// Whether a setting may be settled before its last replication (see the module
    /// documentation); `false` runs every setting tried on every replication.
    pub early_looks: bool,
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
pub const FORMAT: &str = "dialsim-frontier/2";

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
    /// of days over the target below the risk); for a setting settled early, what an early look
    /// settled (see the module documentation).
    pub passes: bool,
    /// The replications (days) it ran: all of them, or fewer when an early look settled it.
    /// Every number of the setting is over these.
    pub replications: u32,
    /// With a risk: the share of days whose abandon rate is over the target, with its exact
    /// binomial interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_over_target: Option<Estimate>,
    /// Every metric of the results file, same keys and estimators.
    pub metrics: Metrics<Estimate>,
    /// Talk minutes per agent-hour minus the reference's, paired by replication.
    pub gain: Estimate,
    /// Talk minutes per agent-hour day by day (replication 1 first): what pairs two strategies'
    /// chosen settings, which ran every day. Absent in files of earlier versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub talk_days: Vec<Option<f64>>,
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

/// What a look at a setting's replications so far says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Passes,
    Fails,
    /// Not settled: run more replications.
    Open,
}

/// One setting being evaluated: its replications so far, in replication order.
struct Trial {
    spec: StrategySpec,
    reps: Vec<RepMetrics>,
}

impl Trial {
    fn new(spec: StrategySpec) -> Self {
        Trial {
            spec,
            reps: Vec::new(),
        }
    }

    fn ran(&self) -> u32 {
        self.reps.len() as u32
    }

    /// Runs replications up to `count` (in parallel; collected in replication order).
    fn run_to(&mut self, plan: &Plan, count: u32, on_replication: &(dyn Fn() + Sync)) {
        let spec = &self.spec;
        let more: Vec<RepMetrics> = (self.ran()..count)
            .into_par_iter()
            .map(|r| {
                let m = run::replicate(plan, spec, r);
                on_replication();
                m
            })
            .collect();
        self.reps.extend(more);
    }

    /// The days (replications) so far whose rate is over the target, and the days with a rate.
    fn days_over(&self, target: Target) -> (u64, u64) {
        let rate = Metric::abandon_rate(target.definition);
        let days: Vec<f64> = self
            .reps
            .iter()
            .filter_map(|r| rate.per_replication(r))
            .collect();
        let over = days.iter().filter(|v| **v > target.abandon).count();
        (over as u64, days.len() as u64)
    }

    /// What must stay below [`Target::limit`]: the upper end of the 95% interval of the abandon
    /// rate or, with a risk, of the share of days over the target.
    fn measure(&self, target: Target) -> Option<f64> {
        let interval = match target.risk {
            Some(_) => {
                let (over, n) = self.days_over(target);
                share_ci(over, n).ci95
            }
            None => {
                Metric::abandon_rate(target.definition)
                    .estimate(&self.reps)
                    .ci95
            }
        };
        interval.map(|[_, hi]| hi)
    }

    /// What the replications so far say of the target, out of `all` (see the module
    /// documentation: on all of them, the 95% rule; before, only what is settled).
    fn verdict(&self, target: Target, all: u32) -> Verdict {
        let settled = |passes: bool| {
            if passes {
                Verdict::Passes
            } else {
                Verdict::Fails
            }
        };
        if self.ran() >= all {
            return settled(self.measure(target).is_some_and(|u| u < target.limit()));
        }
        let left = u64::from(all - self.ran());
        match target.risk {
            Some(risk) => {
                let (over, n) = self.days_over(target);
                let upper = |k: u64, n: u64| share_ci(k, n).ci95.map_or(1.0, |[_, hi]| hi);
                if upper(over, n + left) >= risk {
                    Verdict::Fails
                } else if upper(over + left, n + left) < risk {
                    Verdict::Passes
                } else {
                    Verdict::Open
                }
            }
            None => {
                let rate = Metric::abandon_rate(target.definition);
                let pairs: Vec<(f64, f64)> = self
                    .reps
                    .iter()
                    .map(|r| rate.scalar(r).map_or((0.0, 0.0), |[n, d]| (n, d)))
                    .collect();
                match ratio_interval(&pairs, EARLY_QUANTILE).ci95 {
                    Some([lo, _]) if lo >= target.abandon => Verdict::Fails,
                    Some([_, hi]) if hi < target.abandon => Verdict::Passes,
                    _ => Verdict::Open,
                }
            }
        }
    }

    /// Runs the looks ([`looks`]) until one settles the setting.
    fn settle(&mut self, plan: &Plan, target: Target, on_replication: &(dyn Fn() + Sync)) -> bool {
        let looks = if target.early_looks {
            looks(plan.replications)
        } else {
            vec![plan.replications]
        };
        for at in looks {
            if at <= self.ran() {
                continue;
            }
            self.run_to(plan, at, on_replication);
            match self.verdict(target, plan.replications) {
                Verdict::Passes => return true,
                Verdict::Fails => return false,
                Verdict::Open => {}
            }
        }
        unreachable!("the last look is every replication, and settles")
    }

    /// Talk minutes per agent-hour over the replications so far, as the results file gives it.
    fn talk_estimate(&self) -> Option<f64> {
        TALK.estimate(&self.reps).mean
    }

    /// Talk minutes per agent-hour, replication by replication.
    fn talk(&self) -> Vec<Option<f64>> {
        self.reps.iter().map(|r| TALK.per_replication(r)).collect()
    }

    /// The setting as the frontier file shows it.
    fn setting(
        &self,
        target: Target,
        passes: bool,
        reference_talk: Option<&[Option<f64>]>,
    ) -> Setting {
        let summary = summarise(&self.spec, &self.reps);
        let talk = self.talk();
        let days_over_target = target.risk.map(|_| {
            let (over, n) = self.days_over(target);
            share_ci(over, n)
        });
        Setting {
            value: self.spec.knob().map(|k| k.value),
            name: summary.name,
            strategy: self.spec.clone(),
            passes,
            replications: self.ran(),
            days_over_target,
            metrics: summary.metrics,
            gain: paired_difference(&talk, reference_talk.unwrap_or(&talk)),
            talk_days: talk,
        }
    }
}

/// A setting run on every replication, judged by the full rule.
fn evaluate_fully(
    plan: &Plan,
    spec: &StrategySpec,
    target: Target,
    reference_talk: Option<&[Option<f64>]>,
    on_replication: &(dyn Fn() + Sync),
) -> (Trial, Setting) {
    let mut trial = Trial::new(spec.clone());
    trial.run_to(plan, plan.replications, on_replication);
    let passes = trial.verdict(target, plan.replications) == Verdict::Passes;
    let setting = trial.setting(target, passes, reference_talk);
    (trial, setting)
}

fn one_strategy(
    plan: &Plan,
    spec: &StrategySpec,
    target: Target,
    reference_talk: &[Option<f64>],
    on_replication: &(dyn Fn() + Sync),
) -> FrontierStrategy {
    let knob = spec.knob();
    let all = plan.replications;
    let (tried, chosen) = match knob {
        Some(k) => {
            let searched = search(k.low, k.high, |v| {
                let mut trial = Trial::new(spec.with_knob(v));
                let passes = trial.settle(plan, target, on_replication);
                Probe {
                    passes,
                    talk: trial.talk_estimate(),
                    detail: trial,
                }
            });
            let mut tried = searched.tried;
            let chosen = complete_candidates(&mut tried, plan, target, on_replication);
            let settings = tried
                .iter()
                .map(|t| {
                    t.probe
                        .detail
                        .setting(target, t.passes, Some(reference_talk))
                })
                .collect();
            (settings, chosen)
        }
        None => {
            let (_, setting) =
                evaluate_fully(plan, spec, target, Some(reference_talk), on_replication);
            let chosen = setting.passes.then_some(0);
            (vec![setting], chosen)
        }
    };
    debug_assert!(chosen.is_none_or(|c| tried[c].replications == all));
    FrontierStrategy {
        name: spec.label(),
        strategy: spec.clone(),
        reference: false,
        knob: knob.map(|k| KnobRange {
            name: k.name.to_string(),
            low: k.low,
            high: k.high,
        }),
        feasible: chosen.is_some(),
        chosen,
        tried,
    }
}

/// Runs on every replication the passing settings that could be the most productive (see the
/// module documentation), judges each again on all of them, and returns the choice among those
/// run on every replication.
fn complete_candidates(
    tried: &mut [Tried<Trial>],
    plan: &Plan,
    target: Target,
    on_replication: &(dyn Fn() + Sync),
) -> Option<usize> {
    let all = plan.replications;
    let complete = |t: &mut Tried<Trial>| {
        let trial = &mut t.probe.detail;
        trial.run_to(plan, all, on_replication);
        t.passes = trial.verdict(target, all) == Verdict::Passes;
        t.probe.passes = t.passes;
        t.probe.talk = trial.talk_estimate();
    };
    loop {
        let best = most_productive(tried, |_| true)?;
        if tried[best].probe.detail.ran() < all {
            complete(&mut tried[best]);
            continue;
        }
        let best_talk = tried[best].probe.detail.talk();
        let contender = (0..tried.len()).find(|&i| {
            let t = &tried[i];
            t.passes
                && t.probe.detail.ran() < all
                && paired_difference(&t.probe.detail.talk(), &best_talk)
                    .ci95
                    .is_none_or(|[_, hi]| hi >= 0.0)
        });
        match contender {
            Some(i) => complete(&mut tried[i]),
            None => return most_productive(tried, |t| t.probe.detail.ran() == all),
        }
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
    let (reference, reference_setting) =
        evaluate_fully(plan, &reference_spec, target, None, on_replication);
    let reference_talk = reference.talk();
    let reference_entry = FrontierStrategy {
        name: reference_spec.label(),
        strategy: reference_spec.clone(),
        reference: true,
        knob: None,
        feasible: reference_setting.passes,
        chosen: reference_setting.passes.then_some(0),
        tried: vec![reference_setting],
    };
    let listed: Vec<FrontierStrategy> = plan
        .strategies
        .par_iter()
        .map(|spec| {
            if *spec == reference_spec {
                reference_entry.clone()
            } else {
                one_strategy(plan, spec, target, &reference_talk, on_replication)
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

    /// A synthetic strategy: abandon upper bound `slope · x` (passing below `target`), talk
    /// `10 + x`, both rising with x.
    fn monotone(slope: f64, target: f64, calls: &Cell<u32>) -> impl FnMut(f64) -> Probe<()> + '_ {
        move |x| {
            calls.set(calls.get() + 1);
            Probe {
                passes: slope * x < target,
                talk: Some(10.0 + x),
                detail: (),
            }
        }
    }

    #[test]
    fn bisection_finds_the_edge_of_the_feasible_range() {
        // Passes while 0.01 · x < 0.03, i.e. x < 3, on [1, 5].
        let calls = Cell::new(0);
        let s = search(1.0, 5.0, monotone(0.01, 0.03, &calls));
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
        let s = search(1.0, 5.0, monotone(0.01, 0.005, &calls));
        assert_eq!(calls.get(), 1);
        assert_eq!(s.chosen, None);
        assert_eq!(s.tried.len(), 1);
        assert!(!s.tried[0].passes);
    }

    #[test]
    fn all_feasible_takes_the_high_end() {
        let calls = Cell::new(0);
        let s = search(0.001, 0.25, monotone(0.1, 0.03, &calls));
        assert_eq!(calls.get(), 2);
        assert_eq!(s.tried[s.chosen.unwrap()].value, 0.25);
    }

    #[test]
    fn the_most_talk_wins_among_passing_settings() {
        // Talk peaks in the middle of the range; abandons rise with x; everything below 4 passes.
        let s = search(0.0, 8.0, |x| Probe {
            passes: 0.01 * x < 0.04,
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
        let s = search(1.0, 5.0, |_| Probe {
            passes: 0.1 < 0.5,
            talk: Some(30.0),
            detail: (),
        });
        assert_eq!(s.tried[s.chosen.unwrap()].value, 1.0);
    }

    #[test]
    fn looks_start_at_a_quarter_and_double() {
        assert_eq!(looks(20), [5, 10, 20]);
        assert_eq!(looks(10), [5, 10]);
        assert_eq!(looks(5), [5]);
        assert_eq!(looks(2), [2]);
        assert_eq!(looks(100), [25, 50, 100]);
        assert_eq!(looks(41), [10, 20, 40, 41]);
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
