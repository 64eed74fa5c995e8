//! Shares of a whole, counted, with 95% intervals: the dial-outcome mix, the IVR choice mix, the
//! share of after-call work that is zero.
//!
//! The interval is Wilson's score interval, which stays inside [0, 1] and keeps its coverage
//! for small counts and shares near 0 (a busy share of 2% from 300 calls), where the normal
//! approximation's does not.

/// One category's count and share.
#[derive(Clone, Debug, PartialEq)]
pub struct Share<K> {
    pub key: K,
    pub count: u64,
    pub share: f64,
    /// Wilson 95% interval of the share.
    pub ci95: (f64, f64),
}

/// Counts of every category of `keys`, in that order, out of their total.
#[derive(Clone, Debug, PartialEq)]
pub struct Mix<K> {
    pub total: u64,
    pub shares: Vec<Share<K>>,
}

const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's 95% score interval for `k` successes of `n`.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

impl<K: Copy + PartialEq> Mix<K> {
    /// The mix of `items` over the categories `keys` (an item of another key is not counted).
    pub fn of(keys: &[K], items: impl IntoIterator<Item = K>) -> Mix<K> {
        let mut counts = vec![0u64; keys.len()];
        for item in items {
            if let Some(i) = keys.iter().position(|k| *k == item) {
                counts[i] += 1;
            }
        }
        let total: u64 = counts.iter().sum();
        Mix {
            total,
            shares: keys
                .iter()
                .zip(counts)
                .map(|(&key, count)| Share {
                    key,
                    count,
                    share: if total == 0 {
                        0.0
                    } else {
                        count as f64 / total as f64
                    },
                    ci95: wilson(count, total),
                })
                .collect(),
        }
    }

    /// The share of `key`.
    pub fn share(&self, key: K) -> f64 {
        self.shares
            .iter()
            .find(|s| s.key == key)
            .map_or(0.0, |s| s.share)
    }
}

/// Shares rounded to `decimals` places that still sum to exactly 1 at that precision (largest
/// remainders get the spare units), so that a written scenario passes its sum check.
pub fn rounded_summing_to_one(shares: &[f64], decimals: u32) -> Vec<f64> {
    let unit = 10f64.powi(decimals as i32);
    let total: f64 = shares.iter().sum();
    if total <= 0.0 {
        return shares.to_vec();
    }
    let scaled: Vec<f64> = shares.iter().map(|s| s / total * unit).collect();
    let mut units: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let spare = unit as i64 - units.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (scaled[b] - scaled[b].floor())
            .total_cmp(&(scaled[a] - scaled[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(spare.max(0) as usize) {
        units[i] += 1;
    }
    units.iter().map(|&u| u as f64 / unit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_its_closed_form_on_known_values() {
        // 0 of 10: the upper end is z²/(n + z²).
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - Z95 * Z95 / (10.0 + Z95 * Z95)).abs() < 1e-12);
        // Symmetric around one half for k = n/2.
        let (lo, hi) = wilson(50, 100);
        assert!((lo + hi - 1.0).abs() < 1e-12);
        assert!((hi - 0.596_177).abs() < 1e-5, "{hi}");
    }

    #[test]
    fn wilson_covers_about_95_percent() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let (p, n, trials) = (0.05, 200u64, 4000);
        let covered = (0..trials)
            .filter(|_| {
                let k = (0..n).filter(|_| rng.random::<f64>() < p).count() as u64;
                let (lo, hi) = wilson(k, n);
                lo <= p && p <= hi
            })
            .count();
        let rate = covered as f64 / trials as f64;
        assert!((0.92..0.975).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn rounded_shares_sum_to_one() {
        let r = rounded_summing_to_one(&[0.333_333, 0.333_333, 0.333_334], 4);
        assert_eq!(
            r.iter().map(|x| (x * 1e4).round() as i64).sum::<i64>(),
            10_000
        );
        let r = rounded_summing_to_one(&[0.32, 0.25, 0.05, 0.33, 0.05], 4);
        assert_eq!(r, [0.32, 0.25, 0.05, 0.33, 0.05]);
    }
}
