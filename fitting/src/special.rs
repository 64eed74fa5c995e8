//! Special functions the likelihoods need, in forms that stay accurate in the far tails.
//!
//! Likelihoods of censored and rounded data need ln S(t) and ln(F(b) − F(a)) when S or F are far
//! below machine precision (an outlier at 1e7 s under a fitted scale of 60 s); computing them as
//! `ln(1 − F)` would return −∞ and stall the optimiser. So the normal tail is computed in log
//! form, and the regularised incomplete gamma function is evaluated generically over [`Dual2`]
//! so that its derivatives with respect to the shape come out exactly as well.

use crate::dual::Dual2;
use libm::erfc;
use statrs::function::gamma::{digamma, ln_gamma};

/// The standard normal quantile at 0.975: a two-sided 95% interval is ±`Z_95` standard errors.
pub(crate) const Z_95: f64 = 1.959_963_984_540_054;

/// ln √(2π).
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// ln Φc(w) = ln P(Z > w) for a standard normal Z, accurate for all w.
pub(crate) fn ln_normal_sf(w: f64) -> f64 {
    if w.is_nan() {
        f64::NAN
    } else if w < 0.0 {
        // Φc(w) = 1 − Φ(w) with Φ(w) < ½: ln_1p keeps the digits of the small Φ(w).
        (-0.5 * erfc(-w * std::f64::consts::FRAC_1_SQRT_2)).ln_1p()
    } else if w <= 37.0 {
        (0.5 * erfc(w * std::f64::consts::FRAC_1_SQRT_2)).ln()
    } else {
        // erfc underflows past here; the asymptotic series Φc(w) = φ(w)/w · (1 − 1/w² + 3/w⁴ − …)
        // has its first omitted term below 2e-15 at w = 37.
        let r2 = 1.0 / (w * w);
        let series = 1.0
            - r2 * (1.0 - r2 * (3.0 - r2 * (15.0 - r2 * (105.0 - r2 * (945.0 - r2 * 10395.0)))));
        -0.5 * w * w - LN_SQRT_2PI - w.ln() + series.ln()
    }
}

/// The standard normal hazard φ(w)/Φc(w) (the inverse Mills ratio).
fn normal_hazard(w: f64) -> f64 {
    (-0.5 * w * w - LN_SQRT_2PI - ln_normal_sf(w)).exp()
}

/// ln Φc(w) with derivatives: d/dw = −h(w), d²/dw² = −h(w)(h(w) − w) where h is the hazard.
pub(crate) fn ln_normal_sf_dual(w: Dual2) -> Dual2 {
    if w.value == f64::NEG_INFINITY {
        return Dual2::constant(0.0);
    }
    let h = normal_hazard(w.value);
    w.chain(ln_normal_sf(w.value), -h, -h * (h - w.value))
}

/// The trigamma function ψ′(x) for x > 0 (NaN outside that domain).
pub(crate) fn trigamma(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut x = x;
    let mut sum = 0.0;
    // ψ′(x) = ψ′(x + 1) + 1/x² moves x to where the asymptotic series is accurate to ~1e-16.
    while x < 10.0 {
        sum += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    let tail = r2
        * r
        * (1.0 / 6.0
            - r2 * (1.0 / 30.0
                - r2 * (1.0 / 42.0
                    - r2 * (1.0 / 30.0
                        - r2 * (5.0 / 66.0 - r2 * (691.0 / 2730.0 - r2 * 7.0 / 6.0))))));
    sum + r + 0.5 * r2 + tail
}

/// ln Γ(a) with its first two derivatives (digamma, trigamma).
pub(crate) fn ln_gamma_dual(a: Dual2) -> Dual2 {
    a.chain(ln_gamma(a.value), digamma(a.value), trigamma(a.value))
}

const SERIES_TOLERANCE: f64 = 1e-16;
const MAX_SERIES_TERMS: usize = 20_000;

/// Whether the `term` just added changes no entry of `sum` beyond rounding.
fn negligible(term: Dual2, sum: Dual2) -> bool {
    let scale = sum.value.abs();
    let small = |t: f64, s: f64| t.abs() <= SERIES_TOLERANCE * (s.abs() + scale);
    small(term.value, sum.value)
        && (0..2).all(|i| {
            small(term.gradient[i], sum.gradient[i])
                && (0..2).all(|j| small(term.hessian[i][j], sum.hessian[i][j]))
        })
}

/// (ln P(a, x), ln Q(a, x)): the log regularised lower and upper incomplete gamma functions,
/// for a > 0 and x ≥ 0, with derivatives through both arguments.
///
/// The series for P converges fast below x = a + 1 and the continued fraction for Q above it
/// (Numerical Recipes §6.2); the other function is ln(1 − e^(ln of the one computed)).
pub(crate) fn ln_regularized_gamma(a: Dual2, x: Dual2) -> (Dual2, Dual2) {
    if x.value <= 0.0 {
        return (Dual2::constant(f64::NEG_INFINITY), Dual2::constant(0.0));
    }
    if x.value.is_infinite() {
        return (Dual2::constant(0.0), Dual2::constant(f64::NEG_INFINITY));
    }
    let complement = |ln: Dual2| {
        if ln.value < 0.0 {
            ln.ln_one_minus_exp()
        } else {
            Dual2::constant(f64::NEG_INFINITY)
        }
    };
    if x.value < a.value + 1.0 {
        let ln_p = ln_lower_by_series(a, x);
        (ln_p, complement(ln_p))
    } else {
        let ln_q = ln_upper_by_continued_fraction(a, x);
        (complement(ln_q), ln_q)
    }
}

/// ln P(a, x) from P(a, x) = xᵃ e⁻ˣ / Γ(a + 1) · Σₙ xⁿ / ((a + 1)⋯(a + n)).
fn ln_lower_by_series(a: Dual2, x: Dual2) -> Dual2 {
    let mut term = Dual2::constant(1.0);
    let mut sum = term;
    for n in 1..MAX_SERIES_TERMS {
        term = term * x / (a + n as f64);
        sum += term;
        if negligible(term, sum) {
            break;
        }
    }
    a * x.ln() - x - ln_gamma_dual(a + 1.0) + sum.ln()
}

/// ln Q(a, x) from the continued fraction Q = xᵃ e⁻ˣ / Γ(a) · 1/(x + 1 − a − 1(1 − a)/(x + 3 − a − …)),
/// evaluated by the modified Lentz method.
fn ln_upper_by_continued_fraction(a: Dual2, x: Dual2) -> Dual2 {
    const TINY: f64 = 1e-300;
    let floor = |mut v: Dual2| {
        if v.value.abs() < TINY {
            v.value = TINY;
        }
        v
    };
    let mut b = x + 1.0 - a;
    let mut c = Dual2::constant(1.0 / TINY);
    let mut d = floor(b).recip();
    let mut h = d;
    for i in 1..MAX_SERIES_TERMS {
        let i = i as f64;
        let an = (a - i) * i;
        b = b + 2.0;
        d = floor(an * d + b).recip();
        c = floor(b + an / c);
        let delta = d * c;
        h = h * delta;
        if negligible(delta - 1.0, Dual2::constant(1.0)) {
            break;
        }
    }
    a * x.ln() - x - ln_gamma_dual(a) + h.ln()
}

/// P(K > x) for the Kolmogorov distribution K, the limit law of √n·D for the one-sample
/// Kolmogorov–Smirnov statistic D under a fully specified continuous null.
pub(crate) fn kolmogorov_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        // P(K ≤ x) = √(2π)/x Σₖ exp(−(2k − 1)²π²/(8x²)), fast for small x.
        let c = std::f64::consts::PI * std::f64::consts::PI / (8.0 * x * x);
        let mut cdf = 0.0;
        for k in 1..100 {
            let odd = (2 * k - 1) as f64;
            let term = (-odd * odd * c).exp();
            cdf += term;
            if term < 1e-20 * cdf {
                break;
            }
        }
        1.0 - (2.0 * std::f64::consts::PI).sqrt() / x * cdf
    } else {
        // P(K > x) = 2 Σₖ (−1)^(k−1) exp(−2k²x²), fast for large x.
        let mut sf = 0.0;
        for k in 1..100 {
            let k = k as f64;
            let term = (-2.0 * k * k * x * x).exp();
            sf += if k as u32 % 2 == 1 { term } else { -term };
            if term < 1e-20 {
                break;
            }
        }
        (2.0 * sf).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_matches_known_values() {
        // ψ′(1) = π²/6, ψ′(½) = π²/2, and the recurrence ψ′(x) − ψ′(x + 1) = 1/x².
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-14);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-13);
        for x in [1e-3, 0.37, 4.2, 55.0, 1e4] {
            let lhs = trigamma(x) - trigamma(x + 1.0);
            assert!(
                (lhs - 1.0 / (x * x)).abs() <= 1e-12 * (1.0 / (x * x)),
                "{x}"
            );
        }
    }

    #[test]
    fn incomplete_gamma_complements_add_to_one_and_match_exponential() {
        // For a = 1, P(1, x) = 1 − e⁻ˣ.
        for x in [1e-4, 0.5, 1.9, 2.1, 30.0] {
            let (ln_p, ln_q) = ln_regularized_gamma(Dual2::constant(1.0), Dual2::constant(x));
            assert!((ln_q.value + x).abs() < 1e-13 * x.max(1.0), "{x}");
            assert!((ln_p.value.exp() - (-(-x).exp_m1())).abs() < 1e-14);
        }
    }

    #[test]
    fn incomplete_gamma_derivative_in_shape_matches_finite_differences() {
        for (a0, x0) in [
            (0.3, 0.2),
            (2.5, 1.0),
            (2.5, 6.0),
            (40.0, 35.0),
            (40.0, 50.0),
        ] {
            let (ln_p, ln_q) = ln_regularized_gamma(Dual2::variable(a0, 0), Dual2::constant(x0));
            let h = 1e-6 * a0;
            let at = |a: f64| ln_regularized_gamma(Dual2::variable(a, 0), Dual2::constant(x0));
            let (p_up, q_up) = at(a0 + h);
            let (p_dn, q_dn) = at(a0 - h);
            let dp = (p_up.value - p_dn.value) / (2.0 * h);
            let dq = (q_up.value - q_dn.value) / (2.0 * h);
            assert!(
                (ln_p.gradient[0] - dp).abs() < 1e-6 * (1.0 + dp.abs()),
                "{a0} {x0}: {} vs {dp}",
                ln_p.gradient[0]
            );
            assert!(
                (ln_q.gradient[0] - dq).abs() < 1e-6 * (1.0 + dq.abs()),
                "{a0} {x0}: {} vs {dq}",
                ln_q.gradient[0]
            );
            let d2p = (p_up.gradient[0] - p_dn.gradient[0]) / (2.0 * h);
            assert!(
                (ln_p.hessian[0][0] - d2p).abs() < 1e-5 * (1.0 + d2p.abs()),
                "{a0} {x0}: {} vs {d2p}",
                ln_p.hessian[0][0]
            );
        }
    }

    #[test]
    fn normal_tail_is_continuous_where_the_method_changes() {
        for w in [0.0, 37.0] {
            let below = ln_normal_sf(w - 1e-9);
            let above = ln_normal_sf(w + 1e-9);
            assert!((below - above).abs() < 1e-7 * (1.0 + w), "{w}");
        }
    }

    #[test]
    fn kolmogorov_series_agree_where_they_meet() {
        // Both series are valid everywhere; compare the small-x one just past the switch.
        let x: f64 = 1.0;
        let c = std::f64::consts::PI.powi(2) / (8.0 * x * x);
        let cdf: f64 = (1..50)
            .map(|k| (-(((2 * k - 1) as f64).powi(2)) * c).exp())
            .sum::<f64>()
            * (2.0 * std::f64::consts::PI).sqrt()
            / x;
        assert!((kolmogorov_sf(x) - (1.0 - cdf)).abs() < 1e-14);
    }

    /// scipy's values (written by tests/reference/make_golden.py into special.json).
    fn scipy_reference() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/special.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("special.json")).unwrap()
    }

    fn rows(value: &serde_json::Value) -> Vec<Vec<f64>> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn log_normal_tail_matches_scipy_log_ndtr() {
        for row in rows(&scipy_reference()["log_ndtr"]) {
            // log_ndtr(w) = ln Φ(w) = ln Φc(−w).
            let (w, want) = (row[0], row[1]);
            let got = ln_normal_sf(-w);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1e-300),
                "w = {w}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn incomplete_gamma_matches_scipy() {
        for row in rows(&scipy_reference()["log_gammainc"]) {
            let (a, x, ln_p, ln_q) = (row[0], row[1], row[2], row[3]);
            let (got_p, got_q) = ln_regularized_gamma(Dual2::constant(a), Dual2::constant(x));
            for (got, want) in [(got_p.value, ln_p), (got_q.value, ln_q)] {
                let error = (got - want).abs() / want.abs().max(1e-300);
                assert!(
                    error <= 1e-11 || (got - want).abs() < 1e-15,
                    "a = {a}, x = {x}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn kolmogorov_tail_matches_scipy() {
        for row in rows(&scipy_reference()["kolmogorov_sf"]) {
            let (x, want) = (row[0], row[1]);
            assert!(
                (kolmogorov_sf(x) - want).abs() <= 1e-14 + 1e-12 * want,
                "x = {x}"
            );
        }
    }
}
