//! The parametric likelihood shared by censored (patience) and fully observed fits.
//!
//! Both kinds of data reduce to a list of likelihood terms: an exact event contributes ln f(t),
//! a right-censored observation ln S(t), and a value known only to an interval (whole-second
//! rounding) ln(F(b) − F(a)). Each family writes ln f, ln F and ln S once over [`Dual2`] in its
//! log-parameters θ, so one Newton optimiser with exact derivatives serves every family and
//! every kind of data, and the observed information at the optimum is exact.

use crate::dual::Dual2;
use crate::special::{LN_SQRT_2PI, Z_95, ln_gamma_dual, ln_normal_sf_dual, ln_regularized_gamma};
use crate::{Distribution, Estimate, Family, FitError, ParameterEstimate, ParametricFit, Rounding};

/// One distinct contribution to the log-likelihood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Term {
    /// An event observed at this exact time: ln f(t).
    Density(f64),
    /// Still waiting at this time (right-censored): ln S(t).
    Survival(f64),
    /// An event known to lie in [lower, upper]: ln(F(upper) − F(lower)).
    Mass { lower: f64, upper: f64 },
}

/// A sample reduced to its distinct terms with multiplicities, plus what starting values need.
#[derive(Clone, Debug)]
pub(crate) struct Sample {
    terms: Vec<(Term, f64)>,
    pub(crate) n_observations: usize,
    pub(crate) n_events: usize,
    pub(crate) rounding: Rounding,
    /// A representative time for each event (the interval's midpoint, kept positive).
    event_times: Vec<f64>,
    /// The event times as recorded.
    recorded_event_times: Vec<f64>,
    /// Total time observed (events and censorings), as in the exponential MLE Σt / d.
    total_time: f64,
    /// The largest censored time, which alone can make a sample of equal event times fittable.
    max_censored_time: f64,
    /// Events are only seen up to this time (right truncation): each event's likelihood is
    /// divided by F(truncated_at).
    truncated_at: Option<f64>,
}

/// Half the width of the rounding grid: Connect timestamps are whole seconds.
const HALF_SECOND: f64 = 0.5;

impl Sample {
    /// Builds the terms for (time, event) pairs that the caller has already validated
    /// (finite, non-negative). Censored observations at time zero carry no information and are
    /// dropped from the likelihood (S(0) = 1) but still counted as observations.
    pub(crate) fn new(
        observations: impl Iterator<Item = (usize, f64, bool)>,
        rounding: Rounding,
    ) -> Result<Self, FitError> {
        let mut raw: Vec<Term> = Vec::new();
        let mut n_observations = 0;
        let mut n_events = 0;
        let mut event_times = Vec::new();
        let mut recorded_event_times = Vec::new();
        let mut total_time = 0.0;
        let mut max_censored_time: f64 = 0.0;
        for (index, t, event) in observations {
            n_observations += 1;
            total_time += t;
            if !event {
                max_censored_time = max_censored_time.max(t);
                if t > 0.0 {
                    raw.push(Term::Survival(t));
                }
                continue;
            }
            n_events += 1;
            recorded_event_times.push(t);
            match rounding {
                Rounding::Exact => {
                    if t <= 0.0 {
                        return Err(FitError::ZeroDuration { index });
                    }
                    raw.push(Term::Density(t));
                    event_times.push(t);
                }
                Rounding::WholeSeconds => {
                    let lower = (t - HALF_SECOND).max(0.0);
                    let upper = t + HALF_SECOND;
                    raw.push(Term::Mass { lower, upper });
                    event_times.push(0.5 * (lower + upper));
                }
            }
        }
        if n_observations == 0 {
            return Err(FitError::NoObservations);
        }
        if n_events == 0 {
            return Err(FitError::NoEvents);
        }
        // Grouping ties makes whole-second data (many repeats) much cheaper to evaluate.
        raw.sort_by(|a, b| {
            let (ka, kb) = (term_key(a), term_key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(ka.2.total_cmp(&kb.2))
        });
        let mut terms: Vec<(Term, f64)> = Vec::new();
        for term in raw {
            match terms.last_mut() {
                Some((last, count)) if *last == term => *count += 1.0,
                _ => terms.push((term, 1.0)),
            }
        }
        Ok(Self {
            terms,
            n_observations,
            n_events,
            rounding,
            event_times,
            recorded_event_times,
            total_time,
            max_censored_time,
            truncated_at: None,
        })
    }

    /// The same events seen only up to `at` (an event after it is never recorded): each
    /// event's term is divided by F(at), and a whole-second interval ends at `at` at the
    /// latest. Events must not lie beyond `at`.
    pub(crate) fn truncated(mut self, at: f64) -> Self {
        for (term, _) in &mut self.terms {
            if let Term::Mass { lower, upper } = term {
                *upper = upper.min(at);
                *lower = lower.min(*upper);
            }
        }
        self.truncated_at = Some(at);
        self
    }

    /// The log-likelihood and its exact derivatives in θ.
    pub(crate) fn log_likelihood(&self, family: Family, theta: [f64; 2]) -> Dual2 {
        let theta = [Dual2::variable(theta[0], 0), Dual2::variable(theta[1], 1)];
        let mut total = Dual2::constant(0.0);
        for &(term, count) in &self.terms {
            let contribution = match term {
                Term::Density(t) => ln_pdf(family, theta, t),
                Term::Survival(t) => ln_sf(family, theta, t),
                Term::Mass { lower, upper } => ln_mass(family, theta, lower, upper),
            };
            total += contribution * count;
        }
        if let Some(at) = self.truncated_at {
            total += ln_cdf(family, theta, at) * -(self.n_events as f64);
        }
        total
    }

    /// All event times equal and nothing censored beyond them: a two-parameter family's
    /// likelihood then grows without bound as its spread shrinks.
    fn no_spread(&self) -> Option<f64> {
        let first = self.recorded_event_times[0];
        let all_equal = self.recorded_event_times.iter().all(|&t| t == first);
        (all_equal && self.max_censored_time <= first).then_some(first)
    }
}

fn term_key(term: &Term) -> (u8, f64, f64) {
    match *term {
        Term::Density(t) => (0, t, 0.0),
        Term::Survival(t) => (1, t, 0.0),
        Term::Mass { lower, upper } => (2, lower, upper),
    }
}

// ---------------------------------------------------------------------------------------------
// Families in log-parameters.
//
// Exponential: θ₀ = ln mean.          Weibull: θ = (ln shape, ln scale).
// LogNormal:   θ = (μ, ln σ).         Gamma:   θ = (ln shape, ln scale).

pub(crate) fn ln_pdf(family: Family, theta: [Dual2; 2], t: f64) -> Dual2 {
    match family {
        Family::Exponential => -theta[0] - (-theta[0]).exp() * t,
        Family::Weibull => {
            let shape = theta[0].exp();
            let k_log_ratio = shape * (t.ln() - theta[1]);
            theta[0] - t.ln() + k_log_ratio - k_log_ratio.exp()
        }
        Family::LogNormal => {
            let w = (t.ln() - theta[0]) / theta[1].exp();
            -theta[1] - (t.ln() + LN_SQRT_2PI) - 0.5 * w.square()
        }
        Family::Gamma => {
            let shape = theta[0].exp();
            -ln_gamma_dual(shape) - shape * theta[1] + (shape - 1.0) * t.ln()
                - (-theta[1]).exp() * t
        }
    }
}

pub(crate) fn ln_sf(family: Family, theta: [Dual2; 2], t: f64) -> Dual2 {
    if t <= 0.0 {
        return Dual2::constant(0.0);
    }
    match family {
        Family::Exponential => -((-theta[0]).exp() * t),
        Family::Weibull => -(theta[0].exp() * (t.ln() - theta[1])).exp(),
        Family::LogNormal => ln_normal_sf_dual((t.ln() - theta[0]) / theta[1].exp()),
        Family::Gamma => ln_regularized_gamma(theta[0].exp(), (-theta[1]).exp() * t).1,
    }
}

pub(crate) fn ln_cdf(family: Family, theta: [Dual2; 2], t: f64) -> Dual2 {
    if t <= 0.0 {
        return Dual2::constant(f64::NEG_INFINITY);
    }
    match family {
        Family::Exponential => (-((-theta[0]).exp() * t)).ln_one_minus_exp(),
        Family::Weibull => (-(theta[0].exp() * (t.ln() - theta[1])).exp()).ln_one_minus_exp(),
        Family::LogNormal => ln_normal_sf_dual((theta[0] - t.ln()) / theta[1].exp()),
        Family::Gamma => ln_regularized_gamma(theta[0].exp(), (-theta[1]).exp() * t).0,
    }
}

/// Gauss–Legendre nodes (positive half) and weights on [−1, 1], 8 points.
const GAUSS_LEGENDRE_8: [(f64, f64); 4] = [
    (0.183_434_642_495_649_8, 0.362_683_783_378_362),
    (0.525_532_409_916_329, 0.313_706_645_877_887_3),
    (0.796_666_477_413_626_7, 0.222_381_034_453_374_5),
    (0.960_289_856_497_536_3, 0.101_228_536_290_376_3),
];

/// Below this share of its tail an interval's mass is integrated from the density instead.
const NARROW_INTERVAL: f64 = 1e-2;

/// ln(F(upper) − F(lower)).
///
/// Computed from whichever tail is smaller, as tail × (1 − ratio of tails), so that an interval
/// far in either tail keeps its digits. When the interval holds under 1% of that tail (a one-
/// second interval at 10⁷ s, say), the ratio of tails is 1 − ε and ε would come out of a
/// cancellation; then the density, which varies by under ~1% across such an interval, is
/// integrated by 8-point Gauss–Legendre instead (exact to rounding for so smooth an integrand).
pub(crate) fn ln_mass(family: Family, theta: [Dual2; 2], lower: f64, upper: f64) -> Dual2 {
    if lower <= 0.0 {
        return ln_cdf(family, theta, upper);
    }
    let cdf_upper = ln_cdf(family, theta, upper);
    let sf_lower = ln_sf(family, theta, lower);
    let (big, small) = if cdf_upper.value < sf_lower.value {
        (cdf_upper, ln_cdf(family, theta, lower))
    } else {
        (sf_lower, ln_sf(family, theta, upper))
    };
    let log_ratio = small - big;
    if log_ratio.value < -NARROW_INTERVAL {
        big + log_ratio.ln_one_minus_exp()
    } else {
        ln_integrated_density(family, theta, lower, upper)
    }
}

/// ln ∫ f over [lower, upper] by Gauss–Legendre quadrature, summed in log space.
fn ln_integrated_density(family: Family, theta: [Dual2; 2], lower: f64, upper: f64) -> Dual2 {
    let (middle, half_width) = (0.5 * (lower + upper), 0.5 * (upper - lower));
    let mut terms = [Dual2::constant(0.0); 8];
    for (k, &(node, weight)) in GAUSS_LEGENDRE_8.iter().enumerate() {
        for (slot, t) in [
            (2 * k, middle - half_width * node),
            (2 * k + 1, middle + half_width * node),
        ] {
            terms[slot] = ln_pdf(family, theta, t) + weight.ln();
        }
    }
    let largest = terms
        .iter()
        .map(|t| t.value)
        .fold(f64::NEG_INFINITY, f64::max);
    if !largest.is_finite() {
        return Dual2::constant(f64::NEG_INFINITY);
    }
    let mut sum = Dual2::constant(0.0);
    for term in terms {
        sum += (term - largest).exp();
    }
    sum.ln() + largest + half_width.ln()
}

/// ln mean and ln standard deviation of the distribution, as functions of θ.
fn ln_mean_and_sd(family: Family, theta: [Dual2; 2]) -> (Dual2, Dual2) {
    match family {
        Family::Exponential => (theta[0], theta[0]),
        Family::Weibull => {
            let inv_shape = (-theta[0]).exp();
            let ln_g1 = ln_gamma_dual(1.0 + inv_shape);
            let ln_g2 = ln_gamma_dual(1.0 + 2.0 * inv_shape);
            // Var/scale² = Γ(1 + 2/k) − Γ(1 + 1/k)² = Γ(1 + 2/k)·(1 − e^(2 lnΓ₁ − lnΓ₂)).
            let ln_var_ratio = ln_g2 + (2.0 * ln_g1 - ln_g2).ln_one_minus_exp();
            (theta[1] + ln_g1, theta[1] + 0.5 * ln_var_ratio)
        }
        Family::LogNormal => {
            let sigma2 = (2.0 * theta[1]).exp();
            let ln_mean = theta[0] + 0.5 * sigma2;
            // ln(e^σ² − 1), written as σ² + ln(1 − e^(−σ²)) where e^σ² would overflow.
            let ln_exp_m1 = if sigma2.value > 1.0 {
                sigma2 + (-sigma2).ln_one_minus_exp()
            } else {
                sigma2.exp_m1().ln()
            };
            (ln_mean, ln_mean + 0.5 * ln_exp_m1)
        }
        Family::Gamma => (theta[0] + theta[1], 0.5 * theta[0] + theta[1]),
    }
}

pub(crate) fn distribution_from_theta(family: Family, theta: [f64; 2]) -> Distribution {
    match family {
        Family::Exponential => Distribution::Exponential {
            mean_s: theta[0].exp(),
        },
        Family::Weibull => Distribution::Weibull {
            shape: theta[0].exp(),
            scale_s: theta[1].exp(),
        },
        Family::LogNormal => Distribution::LogNormal {
            mu: theta[0],
            sigma: theta[1].exp(),
        },
        Family::Gamma => Distribution::Gamma {
            shape: theta[0].exp(),
            scale_s: theta[1].exp(),
        },
    }
}

pub(crate) fn theta_from_distribution(distribution: &Distribution) -> [f64; 2] {
    match *distribution {
        Distribution::Exponential { mean_s } => [mean_s.ln(), 0.0],
        Distribution::Weibull { shape, scale_s } | Distribution::Gamma { shape, scale_s } => {
            [shape.ln(), scale_s.ln()]
        }
        Distribution::LogNormal { mu, sigma } => [mu, sigma.ln()],
    }
}

/// Whether θ[i] is the logarithm of the natural parameter (else it is the parameter itself).
fn is_log_parameter(family: Family, index: usize) -> bool {
    !(family == Family::LogNormal && index == 0)
}

/// The region of θ in which a fit is accepted, as (low, high) for each θ component. Outside it
/// the data cannot tell the parameter from its limit (a Weibull shape of 10³ is a spike; a
/// scale of e⁶⁰ s means nobody ever abandons), and an iterate heading there means the
/// likelihood has no interior maximum.
fn plausible_region(family: Family) -> [(f64, f64); 2] {
    const LN_SCALE: (f64, f64) = (-60.0, 60.0);
    let ln = f64::ln;
    match family {
        Family::Exponential => [LN_SCALE, (0.0, 0.0)],
        Family::Weibull => [(ln(1e-3), ln(1e3)), LN_SCALE],
        Family::LogNormal => [LN_SCALE, (ln(1e-4), ln(1e2))],
        Family::Gamma => [(ln(1e-3), ln(1e4)), LN_SCALE],
    }
}

fn plausible(family: Family, theta: [f64; 2]) -> bool {
    let region = plausible_region(family);
    (0..dimension(family))
        .all(|i| theta[i].is_finite() && (region[i].0..=region[i].1).contains(&theta[i]))
}

fn clamp_into_plausible(family: Family, theta: [f64; 2]) -> [f64; 2] {
    let region = plausible_region(family);
    let mut clamped = [0.0; 2];
    for i in 0..dimension(family) {
        clamped[i] = theta[i].clamp(region[i].0 + 1e-6, region[i].1 - 1e-6);
    }
    clamped
}

// ---------------------------------------------------------------------------------------------
// Starting values.

/// Mean and standard deviation of ln t over the events (sd is None below two distinct values).
fn log_moments(times: &[f64]) -> (f64, Option<f64>) {
    let n = times.len() as f64;
    let mean = times.iter().map(|t| t.ln()).sum::<f64>() / n;
    let var = times.iter().map(|t| (t.ln() - mean).powi(2)).sum::<f64>() / n;
    (mean, (var > 0.0).then(|| var.sqrt()))
}

/// Candidate starting points, the best-informed first. The exponential MLE Σt/d (which accounts
/// for censoring exactly) anchors every family's scale, so heavy censoring does not start the
/// search at the (too short) mean of the uncensored values alone.
fn starting_points(sample: &Sample, family: Family) -> Vec<[f64; 2]> {
    let exponential_mean = (sample.total_time / sample.n_events as f64).max(1e-3);
    let (log_mean, log_sd) = log_moments(&sample.event_times);
    let ln_exp_mean = exponential_mean.ln();
    let mut starts = Vec::new();
    match family {
        Family::Exponential => starts.push([ln_exp_mean, 0.0]),
        Family::Weibull => {
            if let Some(sd) = log_sd {
                // ln T is Gumbel-distributed with sd π/(k√6); given k the profile MLE of the scale
                // is (Σ tᵏ / d)^(1/k) over all observations, computed in logs.
                let shape = (std::f64::consts::PI / (sd * 6f64.sqrt())).clamp(0.05, 50.0);
                starts.push([shape.ln(), weibull_profile_ln_scale(sample, shape)]);
            }
            starts.push([0.0, ln_exp_mean]);
        }
        Family::LogNormal => {
            if let Some(sd) = log_sd {
                starts.push([log_mean, sd.clamp(0.05, 10.0).ln()]);
            }
            starts.push([ln_exp_mean - 0.5, 0.0]);
        }
        Family::Gamma => {
            let mean = sample.event_times.iter().sum::<f64>() / sample.event_times.len() as f64;
            let s = mean.ln() - log_mean;
            if s > 1e-12 {
                let shape = minka_initial_shape(s).clamp(0.05, 1e3);
                starts.push([shape.ln(), (exponential_mean / shape).ln()]);
            }
            starts.push([0.0, ln_exp_mean]);
        }
    }
    starts
        .into_iter()
        .map(|theta| clamp_into_plausible(family, theta))
        .collect()
}

fn weibull_profile_ln_scale(sample: &Sample, shape: f64) -> f64 {
    let logs: Vec<f64> = sample
        .terms
        .iter()
        .filter_map(|&(term, count)| {
            let t = match term {
                Term::Density(t) | Term::Survival(t) => t,
                Term::Mass { lower, upper } => 0.5 * (lower + upper),
            };
            (t > 0.0).then(|| shape * t.ln() + count.ln())
        })
        .collect();
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ln_sum = max + logs.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
    (ln_sum - (sample.n_events as f64).ln()) / shape
}

/// Minka's closed-form approximation to the gamma shape solving ln a − ψ(a) = s.
pub(crate) fn minka_initial_shape(s: f64) -> f64 {
    (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s)
}

// ---------------------------------------------------------------------------------------------
// Optimisation.

const MAX_NEWTON_ITERATIONS: usize = 200;
const MAX_NELDER_MEAD_ITERATIONS: usize = 2_000;
/// The largest move of any log-parameter in one step: a factor e³ ≈ 20.
const MAX_STEP: f64 = 3.0;
/// Above this standard error of a log-parameter the fit is reported as undetermined.
const MAX_LOG_PARAMETER_STD_ERROR: f64 = 10.0;

/// A converged maximum.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Optimum {
    pub(crate) theta: [f64; 2],
    pub(crate) log_likelihood: Dual2,
    pub(crate) iterations: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Failure {
    /// The likelihood could not be evaluated at the start.
    BadStart,
    /// The iterate left the plausible region while the likelihood still increased.
    Boundary,
    /// No step along the ascent direction increased the likelihood.
    Stalled,
    IterationCap,
}

fn dimension(family: Family) -> usize {
    family.parameter_names().len()
}

/// The ascent direction (I + μ·1)⁻¹ g, with μ = 0 (a pure Newton step) when the observed
/// information I is positive definite, else the smallest shift that makes it so.
fn ascent_direction(gradient: [f64; 2], information: [[f64; 2]; 2], p: usize) -> ([f64; 2], bool) {
    if p == 1 {
        let a = information[0][0];
        let pure = a > 0.0;
        let a = if pure { a } else { a.abs().max(1.0) + 1.0 };
        return ([gradient[0] / a, 0.0], pure);
    }
    let (a, b, d) = (information[0][0], information[0][1], information[1][1]);
    let mean = 0.5 * (a + d);
    let radius = (0.25 * (a - d).powi(2) + b * b).sqrt();
    let (low, high) = (mean - radius, mean + radius);
    let pure = low > 1e-12 * high.abs() && high > 0.0;
    let shift = if pure {
        0.0
    } else {
        -low + 1e-3 * high.abs().max(1.0)
    };
    let (a, d) = (a + shift, d + shift);
    let det = a * d - b * b;
    (
        [
            (d * gradient[0] - b * gradient[1]) / det,
            (a * gradient[1] - b * gradient[0]) / det,
        ],
        pure,
    )
}

fn information_of(ll: Dual2) -> [[f64; 2]; 2] {
    [
        [-ll.hessian[0][0], -ll.hessian[0][1]],
        [-ll.hessian[1][0], -ll.hessian[1][1]],
    ]
}

fn newton(sample: &Sample, family: Family, start: [f64; 2]) -> Result<Optimum, Failure> {
    let p = dimension(family);
    let mut theta = start;
    let mut current = sample.log_likelihood(family, theta);
    if !current.is_finite() {
        return Err(Failure::BadStart);
    }
    for iteration in 0..MAX_NEWTON_ITERATIONS {
        let (mut direction, pure) = ascent_direction(current.gradient, information_of(current), p);
        let predicted: f64 = (0..p).map(|i| current.gradient[i] * direction[i]).sum();
        // Newton's predicted gain ½gᵀI⁻¹g, in log-likelihood units: below this the estimate has
        // converged to far better than its standard error.
        let tolerance = 1e-13 * (1.0 + current.value.abs());
        if pure && 0.5 * predicted <= tolerance {
            return Ok(Optimum {
                theta,
                log_likelihood: current,
                iterations: iteration,
            });
        }
        let largest = direction[..p].iter().fold(0.0_f64, |m, d| m.max(d.abs()));
        if largest > MAX_STEP {
            for d in &mut direction[..p] {
                *d *= MAX_STEP / largest;
            }
        }
        let slope: f64 = (0..p).map(|i| current.gradient[i] * direction[i]).sum();
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let mut trial = theta;
            for i in 0..p {
                trial[i] += step * direction[i];
            }
            if trial == theta {
                // The step no longer moves θ at all: the line search has failed.
                break;
            }
            let value = sample.log_likelihood(family, trial);
            if value.is_finite() && value.value >= current.value + 1e-4 * step * slope {
                accepted = Some((trial, value));
                break;
            }
            step *= 0.5;
        }
        match accepted {
            Some((trial, value)) => {
                theta = trial;
                current = value;
                if !plausible(family, theta) {
                    return Err(Failure::Boundary);
                }
            }
            // At the optimum, rounding in the summed log-likelihood can hide the last, tiny
            // gain from the line search: that is convergence too.
            None if pure && 0.5 * predicted <= 1e-10 * (1.0 + current.value.abs()) => {
                return Ok(Optimum {
                    theta,
                    log_likelihood: current,
                    iterations: iteration,
                });
            }
            None => return Err(Failure::Stalled),
        }
    }
    Err(Failure::IterationCap)
}

/// Derivative-free fallback (Nelder–Mead on −ln L); returns the best vertex found.
fn nelder_mead(sample: &Sample, family: Family, start: [f64; 2]) -> Option<[f64; 2]> {
    let p = dimension(family);
    let value = |theta: [f64; 2]| {
        let v = sample.log_likelihood(family, theta).value;
        if v.is_finite() && plausible(family, theta) {
            -v
        } else {
            f64::INFINITY
        }
    };
    let mut simplex: Vec<([f64; 2], f64)> = Vec::with_capacity(p + 1);
    simplex.push((start, value(start)));
    for i in 0..p {
        let mut vertex = start;
        vertex[i] += 0.5;
        simplex.push((vertex, value(vertex)));
    }
    let combine =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    for _ in 0..MAX_NELDER_MEAD_ITERATIONS {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[p].1);
        let best_vertex = simplex[0].0;
        let size = simplex[1..]
            .iter()
            .flat_map(|(v, _)| (0..p).map(move |i| (v[i] - best_vertex[i]).abs()))
            .fold(0.0_f64, f64::max);
        if best.is_finite() && (worst - best).abs() <= 1e-12 * (1.0 + best.abs()) && size < 1e-8 {
            break;
        }
        let mut centroid = [0.0; 2];
        for (v, _) in &simplex[..p] {
            for i in 0..p {
                centroid[i] += v[i] / p as f64;
            }
        }
        let worst_vertex = simplex[p].0;
        let reflected = combine(centroid, worst_vertex, -1.0);
        let f_reflected = value(reflected);
        if f_reflected < simplex[0].1 {
            let expanded = combine(centroid, worst_vertex, -2.0);
            let f_expanded = value(expanded);
            simplex[p] = if f_expanded < f_reflected {
                (expanded, f_expanded)
            } else {
                (reflected, f_reflected)
            };
        } else if f_reflected < simplex[p - 1].1 {
            simplex[p] = (reflected, f_reflected);
        } else {
            let contracted = combine(centroid, worst_vertex, 0.5);
            let f_contracted = value(contracted);
            if f_contracted < simplex[p].1 {
                simplex[p] = (contracted, f_contracted);
            } else {
                let best_vertex = simplex[0].0;
                for vertex in simplex.iter_mut().skip(1) {
                    let shrunk = combine(best_vertex, vertex.0, 0.5);
                    *vertex = (shrunk, value(shrunk));
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0].1.is_finite().then_some(simplex[0].0)
}

/// Maximises the likelihood from every candidate start (Newton, then Nelder–Mead followed by
/// Newton where Newton alone fails) and keeps the highest maximum.
pub(crate) fn maximise(
    sample: &Sample,
    family: Family,
    extra_start: Option<[f64; 2]>,
) -> Result<Optimum, FitError> {
    if dimension(family) == 2 && sample.n_events < 2 {
        return Err(FitError::TooFewObservations {
            what: "events to fit a two-parameter family",
            needed: 2,
            got: sample.n_events,
        });
    }
    if dimension(family) == 2
        && let Some(value) = sample.no_spread()
    {
        return Err(FitError::NoSpread {
            family,
            value,
            count: sample.n_events,
        });
    }
    // A closed-form estimate is the answer when Newton confirms it; the generic starts are for
    // when there is none or it fails.
    if let Some(start) = extra_start
        && let Ok(optimum) = newton(sample, family, clamp_into_plausible(family, start))
    {
        return Ok(optimum);
    }
    let starts = starting_points(sample, family);
    let mut best: Option<Optimum> = None;
    let mut hit_boundary = false;
    let mut iterations = 0;
    for start in starts {
        let outcome = match newton(sample, family, start) {
            Ok(optimum) => Ok(optimum),
            Err(Failure::Boundary) => Err(Failure::Boundary),
            Err(_) => match nelder_mead(sample, family, start) {
                Some(polished_start) => newton(sample, family, polished_start),
                None => Err(Failure::BadStart),
            },
        };
        match outcome {
            Ok(optimum) => {
                iterations += optimum.iterations;
                if best.is_none_or(|b| optimum.log_likelihood.value > b.log_likelihood.value) {
                    best = Some(optimum);
                }
            }
            Err(Failure::Boundary) => hit_boundary = true,
            Err(_) => iterations += MAX_NEWTON_ITERATIONS,
        }
    }
    match best {
        Some(optimum) => Ok(Optimum {
            iterations,
            ..optimum
        }),
        None if hit_boundary => Err(FitError::Degenerate {
            family,
            reason: "the likelihood keeps increasing towards a limit of the parameters \
                     (no spread, or no decline in survival)",
        }),
        None => Err(FitError::DidNotConverge { family, iterations }),
    }
}

// ---------------------------------------------------------------------------------------------
// From the optimum to a reported fit.

fn invert(information: [[f64; 2]; 2], p: usize) -> Option<[[f64; 2]; 2]> {
    if p == 1 {
        let a = information[0][0];
        return (a > 0.0 && a.is_finite()).then(|| [[1.0 / a, 0.0], [0.0, 0.0]]);
    }
    let (a, b, d) = (information[0][0], information[0][1], information[1][1]);
    let det = a * d - b * b;
    (a > 0.0 && det > 0.0 && det.is_finite()).then(|| [[d / det, -b / det], [-b / det, a / det]])
}

fn quadratic_form(gradient: [f64; 2], covariance: [[f64; 2]; 2]) -> f64 {
    let mut total = 0.0;
    for i in 0..2 {
        for j in 0..2 {
            total += gradient[i] * covariance[i][j] * gradient[j];
        }
    }
    total
}

/// An estimate of a positive quantity q from ln q (value and gradient in θ): the standard error
/// is the delta method's q·se(ln q); the interval is the Wald interval for ln q, exponentiated.
fn positive_estimate(ln_q: Dual2, covariance: [[f64; 2]; 2]) -> Estimate {
    let se_log = quadratic_form(ln_q.gradient, covariance).max(0.0).sqrt();
    let value = ln_q.value.exp();
    Estimate {
        value,
        std_error: value * se_log,
        lower_95: (ln_q.value - Z_95 * se_log).exp(),
        upper_95: (ln_q.value + Z_95 * se_log).exp(),
    }
}

fn real_estimate(q: Dual2, covariance: [[f64; 2]; 2]) -> Estimate {
    let se = quadratic_form(q.gradient, covariance).max(0.0).sqrt();
    Estimate {
        value: q.value,
        std_error: se,
        lower_95: q.value - Z_95 * se,
        upper_95: q.value + Z_95 * se,
    }
}

/// Turns a converged optimum into the reported fit (estimates, intervals, AIC).
pub(crate) fn report(
    sample: &Sample,
    family: Family,
    optimum: Optimum,
) -> Result<ParametricFit, FitError> {
    let p = dimension(family);
    let undetermined = FitError::Degenerate {
        family,
        reason: "the observed information is (nearly) singular: the data do not pin the \
                 parameters down",
    };
    let covariance =
        invert(information_of(optimum.log_likelihood), p).ok_or(undetermined.clone())?;
    // A standard error above 10 on a log-parameter is a 95% interval spanning a factor e^39:
    // a flat likelihood (values all inside one rounding interval, say), not an estimate.
    let too_uncertain =
        |variance: f64| variance.is_nan() || variance.sqrt() > MAX_LOG_PARAMETER_STD_ERROR;
    if (0..p).any(|i| too_uncertain(covariance[i][i])) {
        return Err(undetermined);
    }
    let theta = [
        Dual2::variable(optimum.theta[0], 0),
        Dual2::variable(optimum.theta[1], 1),
    ];
    let names = family.parameter_names();
    let parameters: Vec<ParameterEstimate> = (0..p)
        .map(|i| ParameterEstimate {
            name: names[i],
            estimate: if is_log_parameter(family, i) {
                positive_estimate(theta[i], covariance)
            } else {
                real_estimate(theta[i], covariance)
            },
        })
        .collect();
    // Covariance of the natural parameters: J Σ_θ J with J = diag(∂parameter/∂θ).
    let jacobian: Vec<f64> = (0..p)
        .map(|i| {
            if is_log_parameter(family, i) {
                optimum.theta[i].exp()
            } else {
                1.0
            }
        })
        .collect();
    let natural_covariance = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| jacobian[i] * covariance[i][j] * jacobian[j])
                .collect()
        })
        .collect();
    let (ln_mean, ln_sd) = ln_mean_and_sd(family, theta);
    let log_likelihood = optimum.log_likelihood.value;
    let mean_s = positive_estimate(ln_mean, covariance);
    let sd_s = positive_estimate(ln_sd, covariance);
    let all_finite = parameters
        .iter()
        .map(|p| p.estimate)
        .chain([mean_s, sd_s])
        .all(|e| {
            [e.value, e.std_error, e.lower_95, e.upper_95]
                .iter()
                .all(|v| v.is_finite())
        });
    if !all_finite {
        return Err(FitError::Degenerate {
            family,
            reason: "the fitted mean or spread overflows: the data do not determine the tail \
                     (typically almost everyone censored)",
        });
    }
    Ok(ParametricFit {
        distribution: distribution_from_theta(family, optimum.theta),
        parameters,
        covariance: natural_covariance,
        mean_s,
        sd_s,
        log_likelihood,
        aic: 2.0 * p as f64 - 2.0 * log_likelihood,
        n_observations: sample.n_observations,
        n_events: sample.n_events,
        rounding: sample.rounding,
        iterations: optimum.iterations,
    })
}

/// Fits `family` to a prepared sample, optionally trying a known good start first (a closed-form
/// estimate, which Newton then confirms in zero or one step).
pub(crate) fn fit(
    sample: &Sample,
    family: Family,
    closed_form: Option<[f64; 2]>,
) -> Result<ParametricFit, FitError> {
    let optimum = maximise(sample, family, closed_form)?;
    report(sample, family, optimum)
}

/// ln F(t) and ln S(t) of a point distribution (for [`Distribution`]'s methods).
pub(crate) fn point_ln_cdf_sf(distribution: &Distribution, t: f64) -> (f64, f64) {
    let theta = theta_from_distribution(distribution);
    let theta = [Dual2::constant(theta[0]), Dual2::constant(theta[1])];
    let family = distribution.family();
    (
        ln_cdf(family, theta, t).value,
        ln_sf(family, theta, t).value,
    )
}

pub(crate) fn point_ln_pdf(distribution: &Distribution, t: f64) -> f64 {
    if t <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let theta = theta_from_distribution(distribution);
    let theta = [Dual2::constant(theta[0]), Dual2::constant(theta[1])];
    ln_pdf(distribution.family(), theta, t).value
}

pub(crate) fn point_mean_and_sd(distribution: &Distribution) -> (f64, f64) {
    let theta = theta_from_distribution(distribution);
    let theta = [Dual2::constant(theta[0]), Dual2::constant(theta[1])];
    let (m, s) = ln_mean_and_sd(distribution.family(), theta);
    (m.value.exp(), s.value.exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact derivatives agree with central differences of the value, for every family and
    /// every kind of term.
    #[test]
    fn gradients_match_finite_differences() {
        let terms = [
            Term::Density(3.7),
            Term::Survival(12.0),
            Term::Mass {
                lower: 2.5,
                upper: 3.5,
            },
            Term::Mass {
                lower: 0.0,
                upper: 0.5,
            },
            Term::Mass {
                lower: 79.5,
                upper: 80.5,
            },
        ];
        let points = [
            (Family::Exponential, [2.0, 0.0]),
            (Family::Weibull, [0.3, 2.1]),
            (Family::LogNormal, [1.9, -0.4]),
            (Family::Gamma, [0.6, 1.2]),
        ];
        for (family, theta0) in points {
            // The truncated likelihood's normaliser, ln F(3), is checked with each term.
            for (term, truncated_at) in terms.iter().flat_map(|&t| [(t, None), (t, Some(3.0))]) {
                let sample = Sample {
                    terms: vec![(term, 1.0)],
                    n_observations: 1,
                    n_events: 1,
                    rounding: Rounding::Exact,
                    event_times: vec![1.0],
                    recorded_event_times: vec![1.0],
                    total_time: 1.0,
                    max_censored_time: 0.0,
                    truncated_at,
                };
                let at = |theta: [f64; 2]| sample.log_likelihood(family, theta);
                let exact = at(theta0);
                for i in 0..dimension(family) {
                    let h = 1e-5;
                    let mut up = theta0;
                    let mut down = theta0;
                    up[i] += h;
                    down[i] -= h;
                    let numeric = (at(up).value - at(down).value) / (2.0 * h);
                    assert!(
                        (exact.gradient[i] - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
                        "{family:?} {term:?} d{i}: {} vs {numeric}",
                        exact.gradient[i]
                    );
                    for j in 0..dimension(family) {
                        let numeric = (at(up).gradient[j] - at(down).gradient[j]) / (2.0 * h);
                        assert!(
                            (exact.hessian[i][j] - numeric).abs() < 1e-5 * (1.0 + numeric.abs()),
                            "{family:?} {term:?} d{i}d{j}: {} vs {numeric}",
                            exact.hessian[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn narrow_intervals_integrate_the_density() {
        // Exponential with mean 10: the mass of [100, 100.05] is e^(−10)(1 − e^(−0.005)); it
        // holds 0.5% of the tail beyond 100, so quadrature is used.
        let theta = [Dual2::constant(10f64.ln()), Dual2::constant(0.0)];
        let got = ln_mass(Family::Exponential, theta, 100.0, 100.05).value;
        let expected = -10.0 + (-(-0.005f64).exp_m1()).ln();
        assert!((got - expected).abs() < 1e-13, "{got} vs {expected}");
        // A one-second interval at 10⁷ s under a scale of 10⁶ s (the case that made the CDF
        // difference noisy): the log-mass is −10 (tail) + ln(1 − e^(−10⁻⁶)).
        let theta = [Dual2::constant(1e6f64.ln()), Dual2::constant(0.0)];
        let got = ln_mass(Family::Exponential, theta, 1e7 - 0.5, 1e7 + 0.5).value;
        let expected = -(1e7 - 0.5) / 1e6 + (-(-1e-6f64).exp_m1()).ln();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }

    #[test]
    fn mass_in_the_far_tail_keeps_its_digits() {
        // Weibull(shape 1, scale 10) is the exponential with mean 10: the mass of [995, 1005]
        // is e^(−99.5) − e^(−100.5), whose log is −99.5 + ln(1 − e^(−1)).
        let theta = [Dual2::constant(0.0), Dual2::constant(10f64.ln())];
        let got = ln_mass(Family::Weibull, theta, 995.0, 1005.0).value;
        let expected = -99.5 + (1.0 - (-1.0f64).exp()).ln();
        assert!((got - expected).abs() < 1e-10, "{got} vs {expected}");
    }
}
