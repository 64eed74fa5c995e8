//! Patience in the queue: survival analysis of right-censored waits.
//!
//! A caller's patience is only seen when it runs out: a caller who hung up after waiting t
//! seconds is an *event* at t, while a caller who was served after t seconds was still willing to
//! wait at t and is *right-censored* there. Averaging the waits of those who hung up would
//! describe the impatient ones only; these estimators use both kinds of observation.
//!
//! * [`kaplan_meier`] and [`nelson_aalen`] are the non-parametric estimates of S(t) and of the
//!   cumulative hazard, with the confidence bands lifelines' `KaplanMeierFitter` and
//!   `NelsonAalenFitter` compute by default, so results can be checked against lifelines.
//! * [`fit_censored`] fits a parametric family by censored maximum likelihood (a scenario needs
//!   a distribution it can draw from); [`best_by_aic`] fits several and ranks them.
//! * [`last_informative_time`] tells how far the data reach: beyond it a fitted tail is
//!   extrapolation.
//!
//! Ties follow lifelines' convention: callers censored at the time of an event are still at risk
//! at that event (events happen first).

use crate::likelihood::{self, Sample};
use crate::special::Z_95;
use crate::{Family, FitError, ParametricFit, Ranking, Rounding};

/// One caller's wait in the queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    /// Seconds waited, until hanging up or being served.
    pub time_s: f64,
    /// True if the caller hung up (abandoned) at `time_s`; false if they were served then
    /// (right-censored: their patience was longer).
    pub event: bool,
}

impl Observation {
    /// A caller who hung up after `time_s` seconds.
    pub fn abandoned(time_s: f64) -> Self {
        Self {
            time_s,
            event: true,
        }
    }

    /// A caller who was served after waiting `time_s` seconds (right-censored).
    pub fn served(time_s: f64) -> Self {
        Self {
            time_s,
            event: false,
        }
    }
}

/// The Kaplan–Meier estimate at one distinct event time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KaplanMeierStep {
    /// The event time, in seconds.
    pub time_s: f64,
    /// Callers still waiting just before `time_s` (including those censored at `time_s`).
    pub at_risk: usize,
    /// Callers who hung up at `time_s`.
    pub events: usize,
    /// Callers censored from `time_s` (inclusive) up to the next step (exclusive), so that the
    /// next step's `at_risk` is `at_risk − events − censored`.
    pub censored: usize,
    /// Estimated S(t) = P(patience > t) from `time_s` up to the next step.
    pub survival: f64,
    /// Greenwood's variance estimate S(t)² Σ d / (n (n − d)); terms with n = d (everyone left
    /// hangs up) are left out, as lifelines does, so the variance is 0 where S drops to 0.
    pub greenwood_variance: f64,
    /// Lower end of the 95% band: the "exponential Greenwood" interval, computed for
    /// ln(−ln S) and transformed back (lifelines' default), so it stays within [0, 1].
    pub lower_95: f64,
    /// Upper end of the 95% band.
    pub upper_95: f64,
}

/// The Kaplan–Meier estimate of the survival function S(t) = P(patience > t).
#[derive(Clone, Debug, PartialEq)]
pub struct KaplanMeier {
    /// One step per distinct event time, in increasing time; empty when nobody hung up.
    pub steps: Vec<KaplanMeierStep>,
    /// Number of observations.
    pub n_observations: usize,
    /// Callers censored before the first event time (the first step's `at_risk` is
    /// `n_observations − censored_before_first_event`).
    pub censored_before_first_event: usize,
}

/// Index of the last step at or before `t` in steps sorted by time, if any.
fn last_at_or_before<T>(steps: &[T], time_of: impl Fn(&T) -> f64, t: f64) -> Option<usize> {
    steps
        .partition_point(|step| time_of(step) <= t)
        .checked_sub(1)
}

impl KaplanMeier {
    fn index_at(&self, t: f64) -> Option<usize> {
        last_at_or_before(&self.steps, |step| step.time_s, t)
    }

    /// Ŝ(t): 1 before the first event, constant between steps, and the last step's value after
    /// it (where the estimate says nothing beyond "at most this").
    pub fn survival_at(&self, t: f64) -> f64 {
        self.index_at(t).map_or(1.0, |i| self.steps[i].survival)
    }

    /// The 95% band (lower, upper) at t; (1, 1) before the first event, as lifelines reports.
    pub fn band_at(&self, t: f64) -> (f64, f64) {
        self.index_at(t).map_or((1.0, 1.0), |i| {
            (self.steps[i].lower_95, self.steps[i].upper_95)
        })
    }

    /// The median patience: the first event time at which Ŝ ≤ ½ (lifelines'
    /// `median_survival_time_`), or None if Ŝ never gets that low.
    pub fn median_s(&self) -> Option<f64> {
        self.steps
            .iter()
            .find(|step| step.survival <= 0.5)
            .map(|step| step.time_s)
    }

    /// The last event time at which at least `min_at_risk` callers were still waiting (see
    /// [`last_informative_time`] for the rule and why), or None if no event time had that many.
    pub fn last_informative_time(&self, min_at_risk: usize) -> Option<f64> {
        self.steps
            .iter()
            .rev()
            .find(|step| step.at_risk >= min_at_risk)
            .map(|step| step.time_s)
    }
}

/// The Nelson–Aalen estimate at one distinct event time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NelsonAalenStep {
    /// The event time, in seconds.
    pub time_s: f64,
    /// Callers still waiting just before `time_s`.
    pub at_risk: usize,
    /// Callers who hung up at `time_s`.
    pub events: usize,
    /// Estimated cumulative hazard H(t) from `time_s` up to the next step.
    pub cumulative_hazard: f64,
    /// Its variance estimate.
    pub variance: f64,
    /// Lower end of the 95% band, H·exp(−1.96·√var / H) (a log-scale interval, as lifelines).
    pub lower_95: f64,
    /// Upper end of the 95% band, H·exp(1.96·√var / H).
    pub upper_95: f64,
}

/// The Nelson–Aalen estimate of the cumulative hazard H(t) = −ln S(t).
///
/// Ties are handled as lifelines' `NelsonAalenFitter` does by default
/// (`nelson_aalen_smoothing=True`): d events among n at risk at one time add
/// 1/n + 1/(n − 1) + … + 1/(n − d + 1) to H, as if they had happened one after another, and
/// 1/n² + … + 1/(n − d + 1)² to its variance. Without ties this is the classic d/n and d/n².
#[derive(Clone, Debug, PartialEq)]
pub struct NelsonAalen {
    /// One step per distinct event time, in increasing time; empty when nobody hung up.
    pub steps: Vec<NelsonAalenStep>,
    /// Number of observations.
    pub n_observations: usize,
}

impl NelsonAalen {
    fn index_at(&self, t: f64) -> Option<usize> {
        last_at_or_before(&self.steps, |step| step.time_s, t)
    }

    /// Ĥ(t): 0 before the first event, constant between steps.
    pub fn cumulative_hazard_at(&self, t: f64) -> f64 {
        self.index_at(t)
            .map_or(0.0, |i| self.steps[i].cumulative_hazard)
    }

    /// The 95% band (lower, upper) at t; (0, 0) before the first event.
    pub fn band_at(&self, t: f64) -> (f64, f64) {
        self.index_at(t).map_or((0.0, 0.0), |i| {
            (self.steps[i].lower_95, self.steps[i].upper_95)
        })
    }
}

/// Callers leaving the queue at one distinct time.
struct RiskGroup {
    time_s: f64,
    at_risk: usize,
    events: usize,
    censored: usize,
}

/// Validates the observations and groups them by distinct time, with the number at risk.
fn risk_groups(obs: &[Observation]) -> Result<Vec<RiskGroup>, FitError> {
    crate::validate(obs.iter().map(|o| o.time_s))?;
    let mut sorted: Vec<Observation> = obs.to_vec();
    sorted.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    let mut groups: Vec<RiskGroup> = Vec::new();
    let mut at_risk = sorted.len();
    let mut i = 0;
    while i < sorted.len() {
        let time_s = sorted[i].time_s;
        let (mut events, mut censored) = (0, 0);
        while i < sorted.len() && sorted[i].time_s == time_s {
            if sorted[i].event {
                events += 1;
            } else {
                censored += 1;
            }
            i += 1;
        }
        groups.push(RiskGroup {
            time_s,
            at_risk,
            events,
            censored,
        });
        at_risk -= events + censored;
    }
    Ok(groups)
}

/// The Kaplan–Meier estimate of S(t) with Greenwood variance and lifelines' default
/// ("exponential Greenwood", log(−log)) 95% band.
///
/// At each distinct event time t with n at risk and d events, Ŝ is multiplied by 1 − d/n.
/// The band is exp(−exp(ln(−ln Ŝ) ± 1.96·√V / ln Ŝ)) with V = Σ d/(n(n − d)); where Ŝ reaches 0
/// both ends are 0. An empty `steps` (no events) means Ŝ = 1 throughout.
///
/// # Errors
/// [`FitError::NoObservations`] for an empty slice, [`FitError::InvalidValue`] for a negative or
/// non-finite time.
pub fn kaplan_meier(obs: &[Observation]) -> Result<KaplanMeier, FitError> {
    let groups = risk_groups(obs)?;
    let mut steps: Vec<KaplanMeierStep> = Vec::new();
    let mut censored_before_first_event = 0;
    let mut ln_survival = 0.0;
    let mut greenwood_sum = 0.0;
    for group in groups {
        if group.events == 0 {
            match steps.last_mut() {
                Some(step) => step.censored += group.censored,
                None => censored_before_first_event += group.censored,
            }
            continue;
        }
        let (n, d) = (group.at_risk as f64, group.events as f64);
        // Summing logs (as lifelines does) rather than multiplying keeps long products exact to
        // the last digits and matches lifelines bit for bit in most steps.
        ln_survival += (n - d).ln() - n.ln();
        if group.at_risk > group.events {
            greenwood_sum += d / (n * (n - d));
        }
        let survival = ln_survival.exp();
        let (lower_95, upper_95) = if survival > 0.0 {
            let log_log = (-ln_survival).ln();
            let half_width = Z_95 * greenwood_sum.sqrt() / ln_survival;
            (
                (-(log_log - half_width).exp()).exp(),
                (-(log_log + half_width).exp()).exp(),
            )
        } else {
            (0.0, 0.0)
        };
        steps.push(KaplanMeierStep {
            time_s: group.time_s,
            at_risk: group.at_risk,
            events: group.events,
            censored: group.censored,
            survival,
            greenwood_variance: survival * survival * greenwood_sum,
            lower_95,
            upper_95,
        });
    }
    Ok(KaplanMeier {
        steps,
        n_observations: obs.len(),
        censored_before_first_event,
    })
}

/// The Nelson–Aalen estimate of the cumulative hazard with lifelines' default tie handling,
/// variance and 95% band (see [`NelsonAalen`]).
///
/// # Errors
/// As [`kaplan_meier`].
pub fn nelson_aalen(obs: &[Observation]) -> Result<NelsonAalen, FitError> {
    let groups = risk_groups(obs)?;
    let mut steps = Vec::new();
    let mut hazard = 0.0;
    let mut variance = 0.0;
    for group in groups.iter().filter(|g| g.events > 0) {
        for leaving in 0..group.events {
            let remaining = (group.at_risk - leaving) as f64;
            hazard += 1.0 / remaining;
            variance += 1.0 / (remaining * remaining);
        }
        let spread = Z_95 * variance.sqrt() / hazard;
        steps.push(NelsonAalenStep {
            time_s: group.time_s,
            at_risk: group.at_risk,
            events: group.events,
            cumulative_hazard: hazard,
            variance,
            lower_95: hazard * (-spread).exp(),
            upper_95: hazard * spread.exp(),
        });
    }
    Ok(NelsonAalen {
        steps,
        n_observations: obs.len(),
    })
}

/// Validates observations and reduces them to likelihood terms.
fn censored_sample(obs: &[Observation], rounding: Rounding) -> Result<Sample, FitError> {
    crate::validate(obs.iter().map(|o| o.time_s))?;
    Sample::new(
        obs.iter().enumerate().map(|(i, o)| (i, o.time_s, o.event)),
        rounding,
    )
}

/// Fits `family` to waits by censored maximum likelihood: an abandonment at t contributes the
/// density f(t) (or, with [`Rounding::WholeSeconds`], the probability of its one-second
/// interval), a served caller at t the survival S(t).
///
/// The parameters match lifelines' `ExponentialFitter` (`lambda_` = mean), `WeibullFitter`
/// (`lambda_` = scale, `rho_` = shape) and `LogNormalFitter` (`mu_`, `sigma_`); gamma has no
/// lifelines counterpart. The search runs Newton's method with exact derivatives in
/// log-parameters from moment-based starting values (with a Nelder–Mead fallback); the 95%
/// intervals come from the observed information at the maximum.
///
/// # Errors
/// [`FitError::InvalidValue`], [`FitError::NoObservations`], [`FitError::NoEvents`] (all
/// censored), [`FitError::ZeroDuration`] (an abandonment at 0 s with [`Rounding::Exact`]),
/// [`FitError::NoSpread`], [`FitError::Degenerate`] or [`FitError::DidNotConverge`].
pub fn fit_censored(
    obs: &[Observation],
    family: Family,
    rounding: Rounding,
) -> Result<ParametricFit, FitError> {
    let sample = censored_sample(obs, rounding)?;
    likelihood::fit(&sample, family, None)
}

/// The usual candidates for patience: the three families lifelines fits too.
pub const PATIENCE_FAMILIES: [Family; 3] =
    [Family::Exponential, Family::Weibull, Family::LogNormal];

/// Fits each of `families` by [`fit_censored`] and ranks the fits by AIC, lowest (best) first.
///
/// For patience the usual candidates are [`PATIENCE_FAMILIES`]; pass [`Family::ALL`] to
/// include Gamma. A family that cannot be fitted is listed in
/// [`Ranking::failed`] with its error.
///
/// # Errors
/// An error of the data themselves (invalid value, no observations, no events), or, when no
/// family could be fitted, the first family's error.
pub fn best_by_aic(
    obs: &[Observation],
    families: &[Family],
    rounding: Rounding,
) -> Result<Ranking<ParametricFit>, FitError> {
    if families.is_empty() {
        return Err(FitError::InvalidArgument("no family to fit"));
    }
    let sample = censored_sample(obs, rounding)?;
    let mut ranked = Vec::new();
    let mut failed = Vec::new();
    for &family in families {
        match likelihood::fit(&sample, family, None) {
            Ok(fit) => ranked.push(fit),
            Err(error) => failed.push((family, error)),
        }
    }
    if ranked.is_empty() {
        return Err(failed.swap_remove(0).1);
    }
    ranked.sort_by(|a: &ParametricFit, b| a.aic.total_cmp(&b.aic));
    Ok(Ranking { ranked, failed })
}

/// The default risk-set size below which the data are taken to say nothing more.
pub const DEFAULT_MIN_AT_RISK: usize = 10;

/// The longest wait about which the data still say something: the last abandonment time at
/// which at least `min_at_risk` callers were still waiting (e.g. [`DEFAULT_MIN_AT_RISK`]).
///
/// Why this rule: beyond the last event the Kaplan–Meier estimate is flat by construction, not
/// by evidence, and near the end of the data each step rests on a handful of callers: with n at
/// risk one abandonment moves Ŝ by a factor 1 − 1/n, so with fewer than 10 at risk single
/// callers change the estimate by more than 10% and its band spans most of [0, 1]. A parametric
/// fit's tail past this time is extrapolation, whatever its interval says; a scenario that
/// relies on patience beyond it (e.g. long waits in a new staffing plan) is outside what these
/// records can confirm.
///
/// Returns Ok(None) when no abandonment had that many callers at risk.
///
/// # Errors
/// As [`kaplan_meier`].
pub fn last_informative_time(
    obs: &[Observation],
    min_at_risk: usize,
) -> Result<Option<f64>, FitError> {
    Ok(kaplan_meier(obs)?.last_informative_time(min_at_risk))
}
