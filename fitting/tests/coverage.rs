//! Do the 95% intervals cover the truth about 95% of the time?
//!
//! For each scenario, 1000 seeded samples are drawn from a known distribution (with censoring
//! and whole-second rounding where the scenario says so), fitted, and the number of seeds whose
//! interval contains the true value is counted for each parameter and for the mean and standard
//! deviation. A correct 95% interval covers in 95% of seeds give or take binomial noise
//! (±0.7% for 1000 seeds); the check accepts 90% to 99%, the range within which an interval is
//! fit to report as "95%". The seeds are fixed, so the counts are reproducible;
//! `cargo test -- --nocapture` prints them.
//!
//! Whole-second data are made two ways: the duration rounded to the nearest second (what
//! [`Rounding::WholeSeconds`] models exactly), and the difference of two whole-second
//! timestamps, as Connect records them (start at a uniformly random fraction of a second,
//! both ends truncated), whose error spreads over (−1, 1) s.

use fitting::durations;
use fitting::survival::{self, Observation};
use fitting::{Distribution, Family, ParametricFit, Rounding};

const SEEDS: u64 = 1000;

/// SplitMix64: a small, fixed generator, so these tests do not depend on a random-number
/// crate's version.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// Marsaglia and Tsang's method (shape ≥ 1).
    fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v * scale;
            }
        }
    }

    fn draw(&mut self, distribution: &Distribution) -> f64 {
        match *distribution {
            Distribution::Exponential { mean_s } => self.exponential(mean_s),
            Distribution::Weibull { shape, scale_s } => {
                scale_s * (-self.uniform().ln()).powf(1.0 / shape)
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * self.normal()).exp(),
            Distribution::Gamma { shape, scale_s } => self.gamma(shape, scale_s),
        }
    }
}

/// The true values of the parameters, mean and sd, named as in a fit.
fn truth(distribution: &Distribution) -> Vec<(&'static str, f64)> {
    let mut values: Vec<(&'static str, f64)> = match *distribution {
        Distribution::Exponential { mean_s } => vec![("mean_s", mean_s)],
        Distribution::Weibull { shape, scale_s } | Distribution::Gamma { shape, scale_s } => {
            vec![("shape", shape), ("scale_s", scale_s)]
        }
        Distribution::LogNormal { mu, sigma } => vec![("mu", mu), ("sigma", sigma)],
    };
    values.push(("mean", distribution.mean_s()));
    if distribution.family() != Family::Exponential {
        values.push(("sd", distribution.sd_s()));
    }
    values
}

fn covers(fit: &ParametricFit, name: &str, value: f64) -> bool {
    match name {
        "mean" => fit.mean_s.contains(value),
        "sd" => fit.sd_s.contains(value),
        _ => fit.parameter(name).expect("a parameter").contains(value),
    }
}

enum Data {
    /// Patience censored by an independent service time.
    Patience { served_at: Distribution },
    /// Fully observed durations.
    Durations,
    /// Durations seen only up to `at` (a key press the no-input timeout ends): longer ones
    /// are never recorded.
    Truncated { at: f64 },
}

/// How recorded values are made from true durations.
#[derive(Clone, Copy)]
enum Recording {
    Exact,
    /// Rounded to the nearest whole second.
    NearestSecond,
    /// The difference of two timestamps truncated to whole seconds.
    TimestampDifference,
}

struct Scenario {
    name: &'static str,
    truth: Distribution,
    data: Data,
    n: usize,
    recording: Recording,
}

impl Scenario {
    fn rounding(&self) -> Rounding {
        match self.recording {
            Recording::Exact => Rounding::Exact,
            Recording::NearestSecond | Recording::TimestampDifference => Rounding::WholeSeconds,
        }
    }
}

/// Runs one scenario over all seeds and returns (quantity, seeds covered) pairs.
fn coverage(scenario: &Scenario) -> Vec<(&'static str, u64)> {
    let truths = truth(&scenario.truth);
    let mut covered = vec![0u64; truths.len()];
    let mut censored_share = 0.0;
    let record = |x: f64, rng: &mut Rng| match scenario.recording {
        Recording::Exact => x,
        Recording::NearestSecond => x.round(),
        Recording::TimestampDifference => {
            let start = rng.uniform();
            (start + x).floor() - start.floor()
        }
    };
    for seed in 0..SEEDS {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ scenario.n as u64);
        let fit = match &scenario.data {
            Data::Patience { served_at } => {
                let obs: Vec<Observation> = (0..scenario.n)
                    .map(|_| {
                        let patience = rng.draw(&scenario.truth);
                        let service = rng.draw(served_at);
                        Observation {
                            time_s: record(patience.min(service), &mut rng),
                            event: patience <= service,
                        }
                    })
                    .collect();
                censored_share += obs.iter().filter(|o| !o.event).count() as f64 / obs.len() as f64;
                survival::fit_censored(&obs, scenario.truth.family(), scenario.rounding())
            }
            Data::Durations => {
                let xs: Vec<f64> = (0..scenario.n)
                    .map(|_| {
                        let x = rng.draw(&scenario.truth);
                        record(x, &mut rng)
                    })
                    .collect();
                durations::fit(&xs, scenario.truth.family(), scenario.rounding()).map(|f| f.fit)
            }
            Data::Truncated { at } => {
                let xs: Vec<f64> = (0..scenario.n)
                    .map(|_| {
                        loop {
                            let x = rng.draw(&scenario.truth);
                            if x <= *at {
                                break record(x, &mut rng).min(*at);
                            }
                        }
                    })
                    .collect();
                durations::choose_truncated(
                    &xs,
                    &[scenario.truth.family()],
                    scenario.rounding(),
                    *at,
                )
                .map(|r| r.ranked[0].fit.clone())
            }
        }
        .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", scenario.name));
        for (count, &(name, value)) in covered.iter_mut().zip(&truths) {
            *count += u64::from(covers(&fit, name, value));
        }
    }
    if matches!(scenario.data, Data::Patience { .. }) {
        println!(
            "{}: {:.0}% censored on average",
            scenario.name,
            100.0 * censored_share / SEEDS as f64
        );
    }
    truths.iter().map(|t| t.0).zip(covered).collect()
}

fn check(scenarios: &[Scenario]) {
    let mut failures = Vec::new();
    for scenario in scenarios {
        for (quantity, count) in coverage(scenario) {
            let share = count as f64 / SEEDS as f64;
            println!(
                "  {:<58} {quantity:<8} {:5.1}%",
                scenario.name,
                100.0 * share
            );
            if !(0.90..=0.99).contains(&share) {
                failures.push(format!(
                    "{} {quantity}: {:.1}%",
                    scenario.name,
                    100.0 * share
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "coverage outside [90%, 99%]: {failures:?}"
    );
}

#[test]
fn censored_patience_intervals_cover_the_truth() {
    check(&[
        Scenario {
            name: "Weibull(1.3, 60 s) patience, exact times",
            truth: Distribution::Weibull {
                shape: 1.3,
                scale_s: 60.0,
            },
            data: Data::Patience {
                served_at: Distribution::Exponential { mean_s: 150.0 },
            },
            n: 300,
            recording: Recording::Exact,
        },
        Scenario {
            name: "LogNormal(3.5, 0.8) patience, exact times",
            truth: Distribution::LogNormal {
                mu: 3.5,
                sigma: 0.8,
            },
            data: Data::Patience {
                served_at: Distribution::Weibull {
                    shape: 3.0,
                    scale_s: 50.0,
                },
            },
            n: 300,
            recording: Recording::Exact,
        },
        Scenario {
            name: "Weibull(1.5, 8 s) patience, whole seconds",
            truth: Distribution::Weibull {
                shape: 1.5,
                scale_s: 8.0,
            },
            data: Data::Patience {
                served_at: Distribution::Exponential { mean_s: 15.0 },
            },
            n: 300,
            recording: Recording::NearestSecond,
        },
        Scenario {
            name: "LogNormal(2.0, 0.6) patience, whole seconds",
            truth: Distribution::LogNormal {
                mu: 2.0,
                sigma: 0.6,
            },
            data: Data::Patience {
                served_at: Distribution::Exponential { mean_s: 12.0 },
            },
            n: 300,
            recording: Recording::NearestSecond,
        },
        Scenario {
            name: "Weibull(1.5, 8 s) patience, timestamp differences",
            truth: Distribution::Weibull {
                shape: 1.5,
                scale_s: 8.0,
            },
            data: Data::Patience {
                served_at: Distribution::Exponential { mean_s: 15.0 },
            },
            n: 300,
            recording: Recording::TimestampDifference,
        },
        Scenario {
            name: "Exponential(5 s) patience, whole seconds",
            truth: Distribution::Exponential { mean_s: 5.0 },
            data: Data::Patience {
                served_at: Distribution::Exponential { mean_s: 10.0 },
            },
            n: 200,
            recording: Recording::NearestSecond,
        },
    ]);
}

#[test]
fn duration_intervals_cover_the_truth() {
    check(&[
        Scenario {
            name: "LogNormal(5, 0.6) talk time, exact",
            truth: Distribution::LogNormal {
                mu: 5.0,
                sigma: 0.6,
            },
            data: Data::Durations,
            n: 200,
            recording: Recording::Exact,
        },
        Scenario {
            name: "Gamma(2.2, 14 s) after-call work, exact",
            truth: Distribution::Gamma {
                shape: 2.2,
                scale_s: 14.0,
            },
            data: Data::Durations,
            n: 200,
            recording: Recording::Exact,
        },
        Scenario {
            name: "Gamma(2, 4 s) answer time, whole seconds",
            truth: Distribution::Gamma {
                shape: 2.0,
                scale_s: 4.0,
            },
            data: Data::Durations,
            n: 300,
            recording: Recording::NearestSecond,
        },
        Scenario {
            name: "Gamma(2, 4 s) answer time, timestamp differences",
            truth: Distribution::Gamma {
                shape: 2.0,
                scale_s: 4.0,
            },
            data: Data::Durations,
            n: 300,
            recording: Recording::TimestampDifference,
        },
        Scenario {
            name: "Weibull(2, 6 s) key press, whole seconds",
            truth: Distribution::Weibull {
                shape: 2.0,
                scale_s: 6.0,
            },
            data: Data::Durations,
            n: 300,
            recording: Recording::NearestSecond,
        },
        Scenario {
            name: "LogNormal(1.5, 0.5) answer time, whole seconds",
            truth: Distribution::LogNormal {
                mu: 1.5,
                sigma: 0.5,
            },
            data: Data::Durations,
            n: 300,
            recording: Recording::NearestSecond,
        },
    ]);
}

/// Times to key press seen only up to the IVR's no-input timeout: the truncated likelihood's
/// intervals cover the distribution before truncation (its parameters, mean and sd).
#[test]
fn truncated_key_press_intervals_cover_the_truth() {
    check(&[
        Scenario {
            name: "LogNormal(mean 2.5 s, sd 1.5 s) key press, 13% beyond a 4 s timeout",
            truth: Distribution::LogNormal {
                mu: 0.7626,
                sigma: 0.5545,
            },
            data: Data::Truncated { at: 4.0 },
            n: 400,
            recording: Recording::Exact,
        },
        Scenario {
            name: "Gamma(2, 1.5 s) key press, 15% beyond 5 s, whole seconds",
            truth: Distribution::Gamma {
                shape: 2.0,
                scale_s: 1.5,
            },
            data: Data::Truncated { at: 5.0 },
            n: 400,
            recording: Recording::NearestSecond,
        },
    ]);
}

/// The same data fitted as if nothing were cut off miss the truth: the mean of the fit is
/// the mean of the presses that were seen, well below the distribution's.
#[test]
fn ignoring_the_truncation_misses_the_mean() {
    let truth = Distribution::LogNormal {
        mu: 0.7626,
        sigma: 0.5545,
    };
    let mut rng = Rng(7);
    let xs: Vec<f64> = (0..5000)
        .map(|_| {
            loop {
                let x = rng.draw(&truth);
                if x <= 4.0 {
                    break x;
                }
            }
        })
        .collect();
    let plain = durations::fit(&xs, Family::LogNormal, Rounding::Exact).unwrap();
    let truncated =
        durations::choose_truncated(&xs, &[Family::LogNormal], Rounding::Exact, 4.0).unwrap();
    let truncated = &truncated.ranked[0];
    assert!(
        !plain.fit.mean_s.contains(truth.mean_s()),
        "{:?}",
        plain.fit.mean_s
    );
    assert!(
        truncated.fit.mean_s.contains(truth.mean_s()),
        "{:?}",
        truncated.fit.mean_s
    );
    // Measured against the truncated CDF the fit is close; the plain fit's distance is larger.
    assert!(truncated.ks.statistic < 0.02, "{:?}", truncated.ks);
    let against_parent =
        durations::kolmogorov_smirnov(&xs, &truncated.fit.distribution, Rounding::Exact).unwrap();
    assert!(against_parent.statistic > truncated.ks.statistic);
}
