//! `OpenLoop` — launches as a Poisson process at `rate_per_hour`, whatever the campaign looks like.
//!
//! No dialer should pace like this. It exists to validate the simulator: with every dial answered
//! by a person who presses 1, the queue then receives Poisson arrivals and must match the
//! closed-form Erlang C / Erlang A results.
//!
//! Settings: `rate_per_hour` (required). Observes nothing. Draws its gaps from its own seeded stream.

use crate::{Decision, Millis, Observation, Pacer};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;

#[derive(Debug, Clone)]
pub struct OpenLoop {
    gap_s: Exp<f64>,
    rng: Pcg64Mcg,
    started: bool,
}

impl OpenLoop {
    /// `rate_per_hour` must be positive (the spec type guarantees it).
    pub fn new(rate_per_hour: f64, seed: u64) -> Self {
        OpenLoop {
            gap_s: Exp::new(rate_per_hour / 3_600.0).expect("rate is positive"),
            rng: Pcg64Mcg::seed_from_u64(seed),
            started: false,
        }
    }
}

impl Pacer for OpenLoop {
    fn decide(&mut self, _seen: &Observation) -> Decision {
        // The first call waits one gap too, so launches form a Poisson process from time zero.
        let launch = u32::from(std::mem::replace(&mut self.started, true));
        let gap = self.gap_s.sample(&mut self.rng);
        Decision {
            launch,
            recheck_after: Millis::from_secs_f64(gap).max(Millis(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_gap_matches_the_rate() {
        let mut p = OpenLoop::new(3_600.0, 1);
        let n = 20_000;
        let total: u64 = (0..n)
            .map(|_| p.decide(&Observation::default()).recheck_after.0)
            .sum();
        let mean_s = total as f64 / n as f64 / 1_000.0;
        // Exp(1/s) has sd 1 s; 20 000 gaps give a standard error of 0.007 s.
        assert!((mean_s - 1.0).abs() < 0.03, "mean gap {mean_s}");
    }

    #[test]
    fn same_seed_same_gaps() {
        let mut a = OpenLoop::new(100.0, 9);
        let mut b = OpenLoop::new(100.0, 9);
        for _ in 0..100 {
            assert_eq!(
                a.decide(&Observation::default()),
                b.decide(&Observation::default())
            );
        }
    }
}
