//! Means and 95% confidence intervals over replications.
//!
//! Two estimators, each used where it is honest:
//! - [`mean_ci`]: one value per replication; mean ± t(0.975, n−1) · s/√n.
//! - [`ratio_ci`]: a rate whose numerator and denominator are counted per replication (abandoned
//!   ÷ queued). The point estimate pools all replications (Σ num ÷ Σ den), so a replication with
//!   few calls weighs little; the interval comes from the delta method on the per-replication
//!   residuals num − R·den. Replications with a zero denominator need no special case.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

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
    if n < 2 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(0.975))
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
    let n = pairs.len();
    let (num, den): (f64, f64) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    if n == 0 || den <= 0.0 {
        return Estimate::UNDEFINED;
    }
    let r = num / den;
    let half = t975(n).map(|t| {
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
