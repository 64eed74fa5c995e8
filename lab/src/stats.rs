//! Means and 95% confidence intervals over replications.
//!
//! Two estimators, each used where it is honest:
//! - [`mean_ci`]: one value per replication; mean ± t(0.975, n−1) · s/√n.
//! - [`ratio_ci`]: a rate whose numerator and denominator are counted per replication (abandoned
//!   ÷ queued). The point estimate pools all replications (Σ num ÷ Σ den), so a replication with
//!   few calls weighs little; the interval comes from the delta method on the per-replication
//!   residuals num − R·den. Replications with a zero denominator need no special case.
//!
//! And for days judged one by one (each replication is a day): [`share_ci`], the share of days
//! over a cap with its exact (Clopper–Pearson) binomial interval, which stays honest at 0 of 40
//! days, and [`quantile`] for the 95th-percentile day.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, StudentsT};

/// A mean and its 95% confidence interval. `mean` is `None` when the quantity is undefined (no
/// denominator in any replication); `ci95` is `None` with fewer than two replications.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

impl Estimate {
    pub const UNDEFINED: Estimate = Estimate {
        mean: None,
        ci95: None,
    };

    fn around(mean: f64, half_width: Option<f64>) -> Estimate {
        Estimate {
            mean: Some(mean),
            ci95: half_width
                .filter(|h| h.is_finite())
                .map(|h| [mean - h, mean + h]),
        }
    }
}

/// The two-sided 95% quantile of Student's t with `n − 1` degrees of freedom.
pub fn t975(n: usize) -> Option<f64> {
    t_quantile(n, 0.975)
}

/// The `p` quantile of Student's t with `n − 1` degrees of freedom (`None` below 2).
pub fn t_quantile(n: usize, p: f64) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(p))
}

/// Mean of per-replication values with a t interval.
pub fn mean_ci(values: &[f64]) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate::UNDEFINED;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let half = t975(n).map(|t| {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t * (var / n as f64).sqrt()
    });
    Estimate::around(mean, half)
}

/// Pooled ratio Σ num ÷ Σ den with a delta-method t interval.
pub fn ratio_ci(pairs: &[(f64, f64)]) -> Estimate {
    ratio_interval(pairs, 0.975)
}

/// [`ratio_ci`] with the interval's ends at the `p` and `1 − p` quantiles of t (0.975: the 95%
/// interval; 0.995: 99%).
pub fn ratio_interval(pairs: &[(f64, f64)], p: f64) -> Estimate {
    let n = pairs.len();
    let (num, den): (f64, f64) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    if n == 0 || den <= 0.0 {
        return Estimate::UNDEFINED;
    }
    let r = num / den;
    let half = t_quantile(n, p).map(|t| {
        let mean_den = den / n as f64;
        let var = pairs.iter().map(|(x, y)| (x - r * y).powi(2)).sum::<f64>() / (n - 1) as f64;
        t * (var / n as f64).sqrt() / mean_den
    });
    Estimate::around(r, half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(2).unwrap() - 12.706).abs() < 1e-3);
        assert!((t975(11).unwrap() - 2.228).abs() < 1e-3);
        assert!((t975(1_000_001).unwrap() - 1.960).abs() < 1e-3);
        assert_eq!(t975(1), None);
    }

    #[test]
    fn mean_interval_by_hand() {
        // mean 2, s = 1, n = 3: half width t(2) · 1/√3 = 4.303 / 1.732 = 2.484
        let e = mean_ci(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, Some(2.0));
        let [lo, hi] = e.ci95.unwrap();
        assert!((hi - 2.0 - 2.484).abs() < 1e-3 && (2.0 - lo - 2.484).abs() < 1e-3);
    }

    #[test]
    fn ratio_pools_and_tolerates_empty_replications() {
        let e = ratio_ci(&[(1.0, 10.0), (0.0, 0.0), (3.0, 10.0)]);
        assert_eq!(e.mean, Some(0.2));
        assert_eq!(ratio_ci(&[(0.0, 0.0)]), Estimate::UNDEFINED);
    }
}

/// The share `k / n` of `n` trials with its exact 95% binomial interval (Clopper–Pearson: the
/// beta quantiles, conservative at any `n`; 0 of `n` still has an upper end above 0).
/// Undefined without trials.
pub fn share_ci(k: u64, n: u64) -> Estimate {
    if n == 0 {
        return Estimate::UNDEFINED;
    }
    let k = k.min(n);
    let (kf, nf) = (k as f64, n as f64);
    let lower = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0)
            .expect("positive shapes")
            .inverse_cdf(0.025)
    };
    let upper = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf)
            .expect("positive shapes")
            .inverse_cdf(0.975)
    };
    Estimate {
        mean: Some(kf / nf),
        ci95: Some([lower, upper]),
    }
}

/// The `p` quantile of `values` by linear interpolation between order statistics (the
/// "type 7" rule, NumPy's and R's default); `None` without values.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

#[cfg(test)]
mod day_tests {
    use super::*;

    /// Reference values: the ends solved from their defining binomial tails, P(X ≥ k; p) =
    /// 0.025 and P(X ≤ k; p) = 0.025, by bisection on the exact sums (independent of the beta
    /// quantiles the code uses).
    #[test]
    fn share_ci_matches_the_exact_binomial_interval() {
        for (k, n, lo, hi) in [
            (7, 40, 0.073382729, 0.327790133),
            (0, 40, 0.0, 0.088097303),
            (40, 40, 0.911902697, 1.0),
            (1, 20, 0.001265089, 0.248732763),
            (4, 40, 0.027925415, 0.236637400),
        ] {
            let e = share_ci(k, n);
            let [l, h] = e.ci95.unwrap();
            assert!(
                (l - lo).abs() < 1e-6 && (h - hi).abs() < 1e-6,
                "{k}/{n}: [{l}, {h}]"
            );
            assert_eq!(e.mean, Some(k as f64 / n as f64));
        }
        assert_eq!(share_ci(0, 0), Estimate::UNDEFINED);
    }

    /// Reference values: NumPy's `np.quantile(x, p)` (linear).
    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let x = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6];
        assert_eq!(quantile(&x, 0.0), Some(1.0));
        assert_eq!(quantile(&x, 1.0), Some(9.0));
        assert!((quantile(&x, 0.5).unwrap() - 2.8).abs() < 1e-12);
        assert!((quantile(&x, 0.95).unwrap() - 7.75).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
    }
}
