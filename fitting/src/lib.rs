//! Distributions fitted to observed durations, censored or not.
//!
//! A dialsim scenario describes its callers with duration distributions (patience, talk time,
//! after-call work, answer time, time to key press). Calibrating a scenario from a contact
//! center's own Amazon Connect records means estimating those distributions, and saying how
//! well the data pin them down. This crate does the statistics, with no I/O:
//!
//! * [`survival`]: patience in the queue, where a caller who hung up is an event and a caller who
//!   was served is right-censored at the time they were served. Kaplan–Meier and Nelson–Aalen
//!   estimates with lifelines' default confidence bands, censored maximum likelihood for the
//!   exponential, Weibull, log-normal and gamma families, ranking by AIC, and the longest wait
//!   the data still say something about.
//! * [`durations`]: fully observed positive durations. Maximum likelihood (closed forms where
//!   they exist), Kolmogorov–Smirnov distance and AIC for each candidate, and equal-mass
//!   quantiles for an `Empirical` distribution.
//!
//! Every parametric fit reports its parameters, the mean and standard deviation of the duration
//! (what a scenario's `LogNormal(mean_s, sd_s)` takes), each with a 95% interval from the
//! observed information, as a [`ParametricFit`].
//!
//! Connect's timestamps are whole seconds, so its durations arrive rounded and zeros occur. With
//! [`Rounding::WholeSeconds`] a value v is read as "somewhere in [v − ½, v + ½]" (an interval-
//! censored likelihood), which keeps the estimates and their intervals honest for short
//! durations; [`Rounding::Exact`] is the plain likelihood (what lifelines and scipy compute).
//!
//! ```
//! use fitting::{Family, Rounding};
//! use fitting::survival::{Observation, fit_censored, kaplan_meier};
//!
//! // Waits in seconds: `event` is true for a caller who hung up, false for one who was served.
//! let waits = [(12.0, true), (30.0, false), (45.0, true), (60.0, true), (75.0, false), (90.0, true)];
//! let obs: Vec<Observation> = waits
//!     .iter()
//!     .map(|&(time_s, event)| Observation { time_s, event })
//!     .collect();
//!
//! let km = kaplan_meier(&obs)?;
//! // Six at risk at 12 s (one hangs up), four at 45 s (one hangs up): S(50) = 5/6 · 3/4.
//! assert!((km.survival_at(50.0) - 5.0 / 6.0 * 0.75).abs() < 1e-12);
//!
//! let fit = fit_censored(&obs, Family::Weibull, Rounding::Exact)?;
//! let shape = fit.parameter("shape").expect("Weibull has a shape");
//! assert!(shape.lower_95 < shape.value && shape.value < shape.upper_95);
//! assert!(fit.mean_s.value > 0.0);
//! # Ok::<(), fitting::FitError>(())
//! ```

#![warn(missing_docs)]

mod dual;
pub mod durations;
mod likelihood;
mod special;
pub mod survival;

use std::fmt;

/// Why a fit could not be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// The input was empty.
    #[error("no observations were given")]
    NoObservations,
    /// Fewer observations (or events) than the estimate needs.
    #[error("too few {what}: at least {needed} needed, got {got}")]
    TooFewObservations {
        /// What there are too few of, and for what.
        what: &'static str,
        /// The least number that works.
        needed: usize,
        /// The number given.
        got: usize,
    },
    /// Every observation is censored, so no event time says anything about the distribution.
    #[error("every observation is censored: there is no event to fit")]
    NoEvents,
    /// A duration that is negative, infinite or NaN.
    #[error("the value at index {index} is {value}: durations must be finite and not negative")]
    InvalidValue {
        /// Position of the value in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// An event at time zero under the exact likelihood, whose density there may be 0 or ∞.
    #[error(
        "the event at index {index} has duration 0: the exact likelihood needs positive \
         durations (whole-second data should be fitted with Rounding::WholeSeconds)"
    )]
    ZeroDuration {
        /// Position of the value in the input.
        index: usize,
    },
    /// All event times are equal (and nothing is censored beyond them): a two-parameter family
    /// would collapse onto a spike.
    #[error(
        "all {count} event times equal {value} s: {family} cannot be fitted to values with no spread"
    )]
    NoSpread {
        /// The family asked for.
        family: Family,
        /// The single observed value.
        value: f64,
        /// How many events share it.
        count: usize,
    },
    /// The likelihood has no maximum inside the parameter space for these data.
    #[error("{family} has no maximum-likelihood estimate for these data: {reason}")]
    Degenerate {
        /// The family asked for.
        family: Family,
        /// What went wrong, in words.
        reason: &'static str,
    },
    /// The optimiser stopped at its iteration cap without converging.
    #[error("{family}'s optimiser did not converge within {iterations} iterations")]
    DidNotConverge {
        /// The family asked for.
        family: Family,
        /// Iterations spent over all starting points.
        iterations: usize,
    },
    /// An argument other than the data is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
}

/// A parametric family of positive durations.
///
/// The parameterisations are those of the scenario file and of lifelines, so that results can be
/// compared directly: `Exponential(mean_s)` is lifelines' ExponentialFitter `lambda_`; Weibull's
/// S(t) = exp(−(t/scale)^shape) has lifelines' `rho_` = shape and `lambda_` = scale; log-normal's
/// `mu` and `sigma` are those of ln t (lifelines' `mu_`, `sigma_`); Gamma(shape, scale_s) has mean
/// shape × scale (scipy's `a` and `scale`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// One parameter, `mean_s`.
    Exponential,
    /// `shape` and `scale_s`.
    Weibull,
    /// `mu` and `sigma` of ln t.
    LogNormal,
    /// `shape` and `scale_s`.
    Gamma,
}

impl Family {
    /// Every family, in a fixed order.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::Weibull,
        Family::LogNormal,
        Family::Gamma,
    ];

    /// The names of the fitted parameters, in the order of [`ParametricFit::parameters`] and
    /// [`ParametricFit::covariance`].
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            Family::Exponential => &["mean_s"],
            Family::Weibull | Family::Gamma => &["shape", "scale_s"],
            Family::LogNormal => &["mu", "sigma"],
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Exponential => "Exponential",
            Family::Weibull => "Weibull",
            Family::LogNormal => "LogNormal",
            Family::Gamma => "Gamma",
        })
    }
}

/// How precisely the durations were recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rounding {
    /// Durations are exact: an event at t contributes the density f(t). This is the likelihood
    /// lifelines and scipy use. Events at zero are rejected ([`FitError::ZeroDuration`]).
    #[default]
    Exact,
    /// Durations were rounded to whole seconds (as Connect's timestamps are). An event recorded
    /// at v contributes P(v − ½ ≤ T ≤ v + ½) (from 0 when v < ½, so zeros are fine); a censored
    /// value v contributes S(v), its midpoint, since the rounding moves a survival probability
    /// only to second order on average. The log-likelihood is then a log-probability, not a log
    /// density: compare AICs only between fits with the same rounding.
    ///
    /// A duration computed from two whole-second timestamps (as Connect's are) has an error
    /// spread over (−1, 1) s rather than (−½, ½); the mean error is zero in both cases, and for
    /// durations of a few seconds and up the interval likelihood absorbs either (the crate's
    /// coverage tests check both ways of rounding).
    WholeSeconds,
}

/// A point estimate with its uncertainty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The maximum-likelihood estimate.
    pub value: f64,
    /// Its standard error from the observed information, by the delta method for derived
    /// quantities (as lifelines' `standard_errors_`).
    pub std_error: f64,
    /// Lower end of the 95% Wald interval. For a positive quantity the interval is computed for
    /// its logarithm and exponentiated (ln q ± 1.96·se/q), so it stays positive and is less
    /// lopsided in small samples; for the log-normal's `mu` it is value ± 1.96·se.
    pub lower_95: f64,
    /// Upper end of the 95% Wald interval.
    pub upper_95: f64,
}

impl Estimate {
    /// Whether `x` lies in the 95% interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lower_95 <= x && x <= self.upper_95
    }
}

/// One fitted parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParameterEstimate {
    /// Its name, as in [`Family::parameter_names`].
    pub name: &'static str,
    /// Its estimate and interval.
    pub estimate: Estimate,
}

/// A fully specified distribution of durations in seconds (the point estimate of a fit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Exponential with the given mean.
    Exponential {
        /// Mean duration (1 / rate).
        mean_s: f64,
    },
    /// Weibull with S(t) = exp(−(t/scale)^shape).
    Weibull {
        /// Shape k (1 is the exponential; above 1 the hazard rises with time).
        shape: f64,
        /// Scale λ in seconds.
        scale_s: f64,
    },
    /// Log-normal: ln T is normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of ln t (t in seconds).
        mu: f64,
        /// Standard deviation of ln t.
        sigma: f64,
    },
    /// Gamma with density ∝ t^(shape−1) e^(−t/scale).
    Gamma {
        /// Shape a.
        shape: f64,
        /// Scale θ in seconds (mean = shape × scale).
        scale_s: f64,
    },
}

impl Distribution {
    /// The family of this distribution.
    pub fn family(&self) -> Family {
        match self {
            Distribution::Exponential { .. } => Family::Exponential,
            Distribution::Weibull { .. } => Family::Weibull,
            Distribution::LogNormal { .. } => Family::LogNormal,
            Distribution::Gamma { .. } => Family::Gamma,
        }
    }

    /// P(T ≤ t).
    pub fn cdf(&self, t: f64) -> f64 {
        likelihood::point_ln_cdf_sf(self, t).0.exp()
    }

    /// P(T > t), accurate far into the tail.
    pub fn survival(&self, t: f64) -> f64 {
        likelihood::point_ln_cdf_sf(self, t).1.exp()
    }

    /// The density at t (0 for t ≤ 0).
    pub fn pdf(&self, t: f64) -> f64 {
        likelihood::point_ln_pdf(self, t).exp()
    }

    /// Mean duration in seconds.
    pub fn mean_s(&self) -> f64 {
        likelihood::point_mean_and_sd(self).0
    }

    /// Standard deviation of the duration in seconds (of the duration itself, not its log).
    pub fn sd_s(&self) -> f64 {
        likelihood::point_mean_and_sd(self).1
    }
}

/// A maximum-likelihood fit of one family.
#[derive(Clone, Debug, PartialEq)]
pub struct ParametricFit {
    /// The fitted distribution (point estimates).
    pub distribution: Distribution,
    /// Each parameter with its standard error and 95% interval, in the order of
    /// [`Family::parameter_names`].
    pub parameters: Vec<ParameterEstimate>,
    /// Covariance matrix of the parameters (inverse observed information), in the same order;
    /// lifelines calls it `variance_matrix_`.
    pub covariance: Vec<Vec<f64>>,
    /// Mean duration, with its delta-method interval.
    pub mean_s: Estimate,
    /// Standard deviation of the duration, with its delta-method interval.
    pub sd_s: Estimate,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// Akaike's information criterion, 2k − 2 ln L (k = number of parameters); lower is better.
    pub aic: f64,
    /// Number of observations, censored ones included.
    pub n_observations: usize,
    /// Number of events (uncensored observations).
    pub n_events: usize,
    /// The likelihood used.
    pub rounding: Rounding,
    /// Newton iterations spent, over all starting points.
    pub iterations: usize,
}

impl ParametricFit {
    /// The fitted family.
    pub fn family(&self) -> Family {
        self.distribution.family()
    }

    /// The estimate of the parameter called `name` (see [`Family::parameter_names`]).
    pub fn parameter(&self, name: &str) -> Option<&Estimate> {
        self.parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.estimate)
    }
}

/// Fits of several families, best first, and the families that could not be fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking<T> {
    /// The successful fits, best first; never empty.
    pub ranked: Vec<T>,
    /// The families that failed, with why.
    pub failed: Vec<(Family, FitError)>,
}

impl<T> Ranking<T> {
    /// The best fit.
    pub fn best(&self) -> &T {
        &self.ranked[0]
    }
}

/// Checks that every value is a finite, non-negative duration.
fn validate(values: impl Iterator<Item = f64>) -> Result<usize, FitError> {
    let mut n = 0;
    for (index, value) in values.enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(FitError::InvalidValue { index, value });
        }
        n += 1;
    }
    if n == 0 {
        return Err(FitError::NoObservations);
    }
    Ok(n)
}
