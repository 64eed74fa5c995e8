//! Fully observed durations: talk time, after-call work, answer time, time to key press.
//!
//! These are seen whole (every call that was answered has a talk time), so they need no
//! censoring, but a scenario still needs a distribution it can draw from, and a way to say which
//! family describes the data best and how far off it is. This module fits each family by
//! maximum likelihood, measures the Kolmogorov–Smirnov distance of the data from the fit, ranks
//! the candidates by AIC ([`choose`]), and summarises a sample into quantiles for a scenario's
//! `Empirical { samples_s }` when no family fits well ([`empirical_quantiles`]). Durations seen
//! only up to a point (a key press the IVR's no-input timeout ends) are fitted to the truncated
//! likelihood by [`choose_truncated`], which gives the distribution before the cut.
//!
//! With [`Rounding::Exact`] the closed-form estimators are used where they exist (log-normal;
//! gamma's shape by Minka's Newton iteration on ln a − ψ(a) = ln x̄ − mean(ln x), its scale
//! x̄ / a; exponential's mean), which are what scipy's `lognorm.fit`/`gamma.fit` with `floc=0`
//! compute. With [`Rounding::WholeSeconds`] each value is the interval [v − ½, v + ½] and every
//! family is fitted numerically.

use crate::likelihood::{self, Sample, minka_initial_shape};
use crate::special::{kolmogorov_sf, trigamma};
use crate::{Distribution, Family, FitError, ParametricFit, Ranking, Rounding};
use statrs::function::gamma::digamma;

/// A fit with its goodness of fit.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationFit {
    /// The maximum-likelihood fit.
    pub fit: ParametricFit,
    /// The Kolmogorov–Smirnov distance of the data from the fitted distribution.
    pub ks: KolmogorovSmirnov,
}

/// The one-sample Kolmogorov–Smirnov statistic and its asymptotic p-value.
///
/// The p-value P(K > √n·D) from the Kolmogorov distribution assumes the distribution was fixed
/// in advance. When its parameters were estimated from the same data (as in [`fit`] and
/// [`choose`]) the fit has been pulled towards the data, D is smaller than under that
/// assumption, and the p-value is *optimistic* (too large): a small p-value still rejects the
/// family, but a large one does not confirm it (Lilliefors' correction, or a parametric
/// bootstrap, would be needed for a calibrated test). For comparing candidates on the same data,
/// D itself is the useful number. For whole-second data the test is also conservative, as for
/// any discrete distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KolmogorovSmirnov {
    /// D = supₜ |F̂ₙ(t) − F(t)|.
    pub statistic: f64,
    /// P(K > √n·D) under the Kolmogorov limit law (scipy's `kstest(..., method="asymp")`).
    pub p_value_asymptotic: f64,
    /// Sample size n.
    pub n: usize,
}

fn validated(xs: &[f64]) -> Result<(), FitError> {
    crate::validate(xs.iter().copied()).map(|_| ())
}

fn complete_sample(xs: &[f64], rounding: Rounding) -> Result<Sample, FitError> {
    validated(xs)?;
    Sample::new(xs.iter().enumerate().map(|(i, &x)| (i, x, true)), rounding)
}

/// The Kolmogorov–Smirnov distance between `xs` and `distribution`.
///
/// With [`Rounding::Exact`] this is the classic statistic against the continuous CDF. With
/// [`Rounding::WholeSeconds`] the data are compared with the distribution *rounded to whole
/// seconds*, whose CDF at a recorded value v is F(v + ½) (and just below v, F(v − ½)); comparing
/// rounded data with the continuous F would count the rounding itself as misfit.
///
/// # Errors
/// [`FitError::NoObservations`] or [`FitError::InvalidValue`].
pub fn kolmogorov_smirnov(
    xs: &[f64],
    distribution: &Distribution,
    rounding: Rounding,
) -> Result<KolmogorovSmirnov, FitError> {
    ks_against(xs, |t| distribution.cdf(t), rounding)
}

/// The Kolmogorov–Smirnov distance between `xs`, all at most `truncated_at`, and
/// `distribution` truncated there: the CDF F(t) / F(truncated_at).
///
/// # Errors
/// As [`kolmogorov_smirnov`].
pub fn kolmogorov_smirnov_truncated(
    xs: &[f64],
    distribution: &Distribution,
    rounding: Rounding,
    truncated_at: f64,
) -> Result<KolmogorovSmirnov, FitError> {
    let whole = distribution.cdf(truncated_at);
    ks_against(
        xs,
        |t| (distribution.cdf(t.min(truncated_at)) / whole).min(1.0),
        rounding,
    )
}

fn ks_against(
    xs: &[f64],
    cdf: impl Fn(f64) -> f64,
    rounding: Rounding,
) -> Result<KolmogorovSmirnov, FitError> {
    validated(xs)?;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let nf = n as f64;
    let mut statistic: f64 = 0.0;
    match rounding {
        Rounding::Exact => {
            for (i, &x) in sorted.iter().enumerate() {
                let f = cdf(x);
                statistic = statistic
                    .max((i + 1) as f64 / nf - f)
                    .max(f - i as f64 / nf);
            }
        }
        Rounding::WholeSeconds => {
            let mut i = 0;
            while i < n {
                let v = sorted[i];
                let below = i as f64 / nf;
                while i < n && sorted[i] == v {
                    i += 1;
                }
                let at = i as f64 / nf;
                let upper = cdf(v + 0.5);
                let lower = cdf((v - 0.5).max(0.0));
                statistic = statistic.max((at - upper).abs()).max((below - lower).abs());
            }
        }
    }
    Ok(KolmogorovSmirnov {
        statistic,
        p_value_asymptotic: kolmogorov_sf(nf.sqrt() * statistic),
        n,
    })
}

/// ln a − ψ(a) = s solved for the gamma shape a by Minka's generalised Newton iteration
/// ("Estimating a Gamma distribution", 2002), which converges in a few steps from his
/// closed-form start. None when s is so small (values with almost no spread) that ln a − ψ(a)
/// ≈ 1/(2a) would drown in rounding, or if the iteration leaves the positive numbers.
fn gamma_shape_mle(s: f64) -> Option<f64> {
    // s = 1e-9 already means a shape near 5·10⁸, far past any fit the likelihood accepts.
    if !(s > 1e-9 && s.is_finite()) {
        return None;
    }
    let mut shape = minka_initial_shape(s);
    for _ in 0..100 {
        // Minka's update: 1/a ← 1/a + (ln a − ψ(a) − s) / (a²(1/a − ψ′(a))).
        let residual = shape.ln() - digamma(shape) - s;
        let inverse = 1.0 / shape + residual / (shape * shape * (1.0 / shape - trigamma(shape)));
        let next = 1.0 / inverse;
        if !(next > 0.0 && next.is_finite()) {
            return None;
        }
        let converged = (next - shape).abs() <= 1e-15 * shape;
        shape = next;
        if converged {
            break;
        }
    }
    Some(shape)
}

/// The closed-form maximum-likelihood estimate in θ coordinates, where one exists.
fn closed_form(xs: &[f64], family: Family) -> Option<[f64; 2]> {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let mean_log = xs.iter().map(|x| x.ln()).sum::<f64>() / n;
    match family {
        Family::Exponential => Some([mean.ln(), 0.0]),
        Family::LogNormal => {
            let var_log = xs.iter().map(|x| (x.ln() - mean_log).powi(2)).sum::<f64>() / n;
            (var_log > 0.0).then(|| [mean_log, 0.5 * var_log.ln()])
        }
        Family::Gamma => {
            let shape = gamma_shape_mle(mean.ln() - mean_log)?;
            Some([shape.ln(), (mean / shape).ln()])
        }
        Family::Weibull => None,
    }
}

/// Fits `family` to fully observed durations `xs` (seconds) by maximum likelihood and measures
/// the Kolmogorov–Smirnov distance of the data from the fit.
///
/// With [`Rounding::Exact`] every value must be positive; use [`Rounding::WholeSeconds`] for
/// whole-second data (zeros allowed).
///
/// # Errors
/// [`FitError::NoObservations`], [`FitError::InvalidValue`], [`FitError::ZeroDuration`],
/// [`FitError::NoSpread`] (all values equal, for a two-parameter family),
/// [`FitError::Degenerate`] or [`FitError::DidNotConverge`].
pub fn fit(xs: &[f64], family: Family, rounding: Rounding) -> Result<DurationFit, FitError> {
    let sample = complete_sample(xs, rounding)?;
    fit_sample(xs, &sample, family, rounding)
}

fn fit_sample(
    xs: &[f64],
    sample: &Sample,
    family: Family,
    rounding: Rounding,
) -> Result<DurationFit, FitError> {
    let start = match rounding {
        Rounding::Exact => closed_form(xs, family),
        Rounding::WholeSeconds => None,
    };
    let fit = likelihood::fit(sample, family, start)?;
    let ks = kolmogorov_smirnov(xs, &fit.distribution, rounding)?;
    Ok(DurationFit { fit, ks })
}

/// Fits every family in `candidates` and ranks the fits by AIC, lowest (best) first; each
/// carries its Kolmogorov–Smirnov distance for a second look (a family can win on AIC and still
/// fit badly, when all candidates do).
///
/// # Errors
/// An error of the data themselves, or, when no candidate could be fitted, the first
/// candidate's error.
pub fn choose(
    xs: &[f64],
    candidates: &[Family],
    rounding: Rounding,
) -> Result<Ranking<DurationFit>, FitError> {
    choose_within(xs, candidates, rounding, None)
}

/// As [`choose`], for durations seen only up to `truncated_at` (right truncation: a time to
/// key press that the IVR's no-input timeout ends, whose longer presses are never recorded).
/// Each family is fitted to the truncated likelihood, Π f(xᵢ) / F(truncated_at)ⁿ, so that the
/// fit is the distribution *before* truncation, and measured against its truncated CDF.
///
/// # Errors
/// As [`choose`]; [`FitError::InvalidArgument`] for a value beyond `truncated_at` or a
/// truncation point that is not positive.
pub fn choose_truncated(
    xs: &[f64],
    candidates: &[Family],
    rounding: Rounding,
    truncated_at: f64,
) -> Result<Ranking<DurationFit>, FitError> {
    if !(truncated_at > 0.0 && truncated_at.is_finite()) {
        return Err(FitError::InvalidArgument(
            "a truncation point must be positive",
        ));
    }
    if xs.iter().any(|&x| x > truncated_at) {
        return Err(FitError::InvalidArgument(
            "a value lies beyond the truncation point",
        ));
    }
    choose_within(xs, candidates, rounding, Some(truncated_at))
}

fn choose_within(
    xs: &[f64],
    candidates: &[Family],
    rounding: Rounding,
    truncated_at: Option<f64>,
) -> Result<Ranking<DurationFit>, FitError> {
    if candidates.is_empty() {
        return Err(FitError::InvalidArgument("no candidate family"));
    }
    let mut sample = complete_sample(xs, rounding)?;
    if let Some(at) = truncated_at {
        sample = sample.truncated(at);
    }
    let mut ranked = Vec::new();
    let mut failed = Vec::new();
    for &family in candidates {
        let fitted = match truncated_at {
            None => fit_sample(xs, &sample, family, rounding),
            Some(at) => likelihood::fit(&sample, family, None).and_then(|fit| {
                let ks = kolmogorov_smirnov_truncated(xs, &fit.distribution, rounding, at)?;
                Ok(DurationFit { fit, ks })
            }),
        };
        match fitted {
            Ok(fit) => ranked.push(fit),
            Err(error) => failed.push((family, error)),
        }
    }
    if ranked.is_empty() {
        return Err(failed.swap_remove(0).1);
    }
    ranked.sort_by(|a: &DurationFit, b| a.fit.aic.total_cmp(&b.fit.aic));
    Ok(Ranking { ranked, failed })
}

/// At most `max_points` sorted values that stand for the sample in an `Empirical { samples_s }`
/// distribution, which draws uniformly from its list.
///
/// A sample of at most `max_points` values is returned whole, sorted. A larger one is reduced to
/// its quantiles at the probabilities (i + ½)/m, i = 0 … m − 1 (m = `max_points`), by linear
/// interpolation between order statistics: each point then stands for an equal share 1/m of the
/// data, so drawing uniformly from the points reproduces the sample's distribution (its mean
/// and spread up to the resolution 1/m; the extreme 1/(2m) of each tail is cut).
///
/// # Errors
/// [`FitError::InvalidArgument`] for `max_points` = 0, [`FitError::NoObservations`],
/// [`FitError::InvalidValue`].
pub fn empirical_quantiles(xs: &[f64], max_points: usize) -> Result<Vec<f64>, FitError> {
    if max_points == 0 {
        return Err(FitError::InvalidArgument("max_points must be at least 1"));
    }
    validated(xs)?;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.len() <= max_points {
        return Ok(sorted);
    }
    let last = (sorted.len() - 1) as f64;
    Ok((0..max_points)
        .map(|i| {
            let position = (i as f64 + 0.5) / max_points as f64 * last;
            let below = position.floor() as usize;
            let above = (below + 1).min(sorted.len() - 1);
            let weight = position - below as f64;
            let (low, high) = (sorted[below], sorted[above]);
            (low + weight * (high - low)).clamp(low, high)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_shape_solves_the_digamma_equation() {
        assert_eq!(gamma_shape_mle(0.0), None);
        assert_eq!(gamma_shape_mle(1e-15), None);
        for s in [1e-8, 1e-4, 0.01, 0.2, 1.0, 5.0] {
            let a = gamma_shape_mle(s).unwrap();
            let residual = a.ln() - digamma(a) - s;
            assert!(
                residual.abs() < 1e-12 * (1.0 + s),
                "s = {s}: a = {a}, residual {residual}"
            );
        }
    }

    #[test]
    fn quantiles_of_a_large_sample_are_equal_mass_points() {
        let xs: Vec<f64> = (0..1000).map(f64::from).collect();
        let q = empirical_quantiles(&xs, 10).unwrap();
        assert_eq!(q.len(), 10);
        // Positions (i + ½)/10 · 999.
        assert!((q[0] - 49.95).abs() < 1e-9 && (q[9] - 949.05).abs() < 1e-9);
        let mean: f64 = q.iter().sum::<f64>() / 10.0;
        assert!((mean - 499.5).abs() < 1e-9);
    }
}
