//! Duration distributions as analysts write them (in seconds), and their compiled samplers.
//!
//! Every distribution is written with the quantities an analyst measures: `LogNormal` takes the
//! **mean and standard deviation of the duration itself** (not of its logarithm); the conversion
//! σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2 happens here, once.

use crate::inputs::Inputs;
use rand::Rng;
use rand_distr::{
    Distribution as _, Exp, ExpError, Gamma, GammaError, LogNormal, NormalError, Weibull,
    WeibullError,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use strategies::Millis;
use strategies::param::{MAX_DURATION_S, PositiveSeconds, Seconds, ShapeParameter};

/// The longest draw: a longer one is cut here (see [`MAX_DURATION_S`]).
pub const MAX_DRAW: Millis = Millis(MAX_DURATION_S as u64 * 1_000);

/// A duration distribution in a scenario file. All times are in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "Shape")]
pub struct Distribution(Shape);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Distribution")]
enum Shape {
    /// Always the same duration; zero is allowed.
    Fixed {
        s: Seconds,
    },
    Exponential {
        mean_s: PositiveSeconds,
    },
    /// Mean and standard deviation of the duration (not of its logarithm).
    LogNormal {
        mean_s: PositiveSeconds,
        sd_s: PositiveSeconds,
    },
    /// Shape k and scale θ: mean kθ.
    Gamma {
        shape: ShapeParameter,
        scale_s: PositiveSeconds,
    },
    /// Shape k and scale λ: mean λΓ(1 + 1/k).
    Weibull {
        shape: ShapeParameter,
        scale_s: PositiveSeconds,
    },
    Uniform {
        min_s: Seconds,
        max_s: Seconds,
    },
    /// Draws uniformly from the listed durations.
    Empirical {
        samples_s: Vec<Seconds>,
    },
    /// Draws uniformly from one column of a CSV file (path relative to the scenario file).
    EmpiricalCsv {
        path: PathBuf,
        column: String,
    },
}

impl TryFrom<Shape> for Distribution {
    type Error = String;
    fn try_from(shape: Shape) -> Result<Self, String> {
        match &shape {
            Shape::Uniform { min_s, max_s } if max_s.get() < min_s.get() => Err(format!(
                "Uniform has max_s {} below min_s {}: swap them",
                max_s.get(),
                min_s.get()
            )),
            Shape::Empirical { samples_s } if samples_s.is_empty() => {
                Err("Empirical needs at least one sample in samples_s".into())
            }
            Shape::EmpiricalCsv { column, .. } if column.is_empty() => {
                Err("EmpiricalCsv needs the name of the column that holds the seconds".into())
            }
            Shape::LogNormal { mean_s, sd_s }
                if !(1.0 + (sd_s.get() / mean_s.get()).powi(2)).ln().is_finite() =>
            {
                Err(format!(
                    "LogNormal with sd_s {} {} times its mean_s {} has no representable shape: give a standard deviation within 1e150 times the mean",
                    sd_s.get(),
                    sd_s.get() / mean_s.get(),
                    mean_s.get()
                ))
            }
            Shape::Gamma { shape: k, scale_s } if k.get() * scale_s.get() > MAX_DURATION_S => {
                Err(format!(
                    "Gamma's mean (shape × scale_s = {} s) is above 744 h ({MAX_DURATION_S} s), the longest campaign: use a smaller scale_s",
                    k.get() * scale_s.get()
                ))
            }
            _ => Ok(Distribution(shape)),
        }
    }
}

/// Why a distribution could not be compiled: its sampler refused the parameters (which the
/// scenario's checks keep within range), or the [`Inputs`] could not hand over the samples of an
/// `EmpiricalCsv` (`E` is their error).
#[derive(Debug, thiserror::Error)]
pub enum DistributionError<E> {
    #[error(transparent)]
    Exponential(ExpError),
    #[error(transparent)]
    LogNormal(NormalError),
    #[error(transparent)]
    Gamma(GammaError),
    #[error(transparent)]
    Weibull(WeibullError),
    #[error(transparent)]
    Input(E),
}

impl Distribution {
    pub fn fixed(s: f64) -> Distribution {
        Distribution(Shape::Fixed {
            s: Seconds::new(s).expect("fixed duration in range"),
        })
    }

    pub fn exponential(mean_s: f64) -> Distribution {
        Distribution(Shape::Exponential {
            mean_s: PositiveSeconds::new(mean_s).expect("mean in range"),
        })
    }

    pub fn lognormal(mean_s: f64, sd_s: f64) -> Distribution {
        Distribution(Shape::LogNormal {
            mean_s: PositiveSeconds::new(mean_s).expect("mean in range"),
            sd_s: PositiveSeconds::new(sd_s).expect("sd in range"),
        })
    }

    /// The duration's mean in seconds, as written (`None` for a CSV column, which is read
    /// only when the scenario runs).
    pub fn mean_s(&self) -> Option<f64> {
        match &self.0 {
            Shape::Fixed { s } => Some(s.get()),
            Shape::Exponential { mean_s } | Shape::LogNormal { mean_s, .. } => Some(mean_s.get()),
            Shape::Gamma { shape, scale_s } => Some(shape.get() * scale_s.get()),
            Shape::Weibull { shape, scale_s } => {
                Some(scale_s.get() * statrs::function::gamma::gamma(1.0 + 1.0 / shape.get()))
            }
            Shape::Uniform { min_s, max_s } => Some((min_s.get() + max_s.get()) / 2.0),
            Shape::Empirical { samples_s } => {
                Some(samples_s.iter().map(|x| x.get()).sum::<f64>() / samples_s.len() as f64)
            }
            Shape::EmpiricalCsv { .. } => None,
        }
    }

    /// The CSV file this distribution reads, if any (relative to the scenario's folder).
    pub fn csv_path(&self) -> Option<&Path> {
        match &self.0 {
            Shape::EmpiricalCsv { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Compiles the distribution; `inputs` hands over the CSV file it names, if any.
    pub fn sampler<I: Inputs + ?Sized>(
        &self,
        inputs: &I,
    ) -> Result<Sampler, DistributionError<I::Error>> {
        Ok(match &self.0 {
            Shape::Fixed { s } => Sampler::Fixed(Millis::from_secs_f64(s.get())),
            Shape::Exponential { mean_s } => {
                Sampler::Exp(Exp::new(1.0 / mean_s.get()).map_err(DistributionError::Exponential)?)
            }
            Shape::LogNormal { mean_s, sd_s } => {
                let (m, sd) = (mean_s.get(), sd_s.get());
                let var = (1.0 + (sd * sd) / (m * m)).ln();
                let mu = m.ln() - var / 2.0;
                Sampler::LogNormal(
                    LogNormal::new(mu, var.sqrt()).map_err(DistributionError::LogNormal)?,
                )
            }
            Shape::Gamma { shape, scale_s } => Sampler::Gamma(
                Gamma::new(shape.get(), scale_s.get()).map_err(DistributionError::Gamma)?,
            ),
            Shape::Weibull { shape, scale_s } => Sampler::Weibull(
                Weibull::new(scale_s.get(), shape.get()).map_err(DistributionError::Weibull)?,
            ),
            Shape::Uniform { min_s, max_s } => Sampler::Uniform {
                min: Millis::from_secs_f64(min_s.get()),
                span: Millis::from_secs_f64(max_s.get()) - Millis::from_secs_f64(min_s.get()),
            },
            Shape::Empirical { samples_s } => Sampler::Empirical(
                samples_s
                    .iter()
                    .map(|s| Millis::from_secs_f64(s.get()))
                    .collect(),
            ),
            Shape::EmpiricalCsv { path, column } => Sampler::Empirical(
                inputs
                    .durations(path, column)
                    .map_err(DistributionError::Input)?,
            ),
        })
    }
}

/// A compiled distribution that draws whole milliseconds.
#[derive(Clone, Debug)]
pub enum Sampler {
    Fixed(Millis),
    Exp(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    Uniform { min: Millis, span: Millis },
    Empirical(Vec<Millis>),
}

impl Sampler {
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Millis {
        match self {
            Sampler::Fixed(d) => *d,
            // A heavy tail can draw past the longest campaign; such a draw is cut there, so that
            // no event lies beyond what the model keeps series for.
            Sampler::Exp(d) => Millis::from_secs_f64(d.sample(rng)).min(MAX_DRAW),
            Sampler::LogNormal(d) => Millis::from_secs_f64(d.sample(rng)).min(MAX_DRAW),
            Sampler::Gamma(d) => Millis::from_secs_f64(d.sample(rng)).min(MAX_DRAW),
            Sampler::Weibull(d) => Millis::from_secs_f64(d.sample(rng)).min(MAX_DRAW),
            Sampler::Uniform { min, span } => *min + Millis(below(rng, span.0 + 1)),
            Sampler::Empirical(values) => values[below(rng, values.len() as u64) as usize],
        }
    }
}

/// A uniform integer in [0, n) by multiply-shift: fixed by the stream's output alone, so it stays
/// the same across crate versions (unlike `random_range`). Its bias is below n / 2^64.
fn below<R: Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::NoFiles;
    use crate::stream;

    fn parse(text: &str) -> Distribution {
        ron::from_str(text).expect("valid distribution")
    }

    /// Mean and standard deviation in seconds of `n` draws.
    fn moments(d: &Distribution, n: u32) -> (f64, f64) {
        let s = d.sampler(&NoFiles).expect("compiles");
        let mut rng = stream::attempt(1, 0, 0, 1);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng).as_secs_f64()).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n - 1);
        (mean, var.sqrt())
    }

    #[test]
    fn lognormal_takes_the_mean_and_sd_of_the_duration() {
        let (mean, sd) = moments(&parse("LogNormal(mean_s: 180.0, sd_s: 120.0)"), 200_000);
        // Standard error of the mean: 120 / √200 000 ≈ 0.27 s.
        assert!((mean - 180.0).abs() < 1.5, "mean {mean}");
        assert!((sd - 120.0).abs() < 3.0, "sd {sd}");
    }

    #[test]
    fn gamma_weibull_exponential_means() {
        let (g, _) = moments(&parse("Gamma(shape: 2.0, scale_s: 15.0)"), 100_000);
        assert!((g - 30.0).abs() < 0.5, "gamma mean {g}");
        // Weibull mean: scale · Γ(1 + 1/shape) = 25 · Γ(2.25) = 25 · 1.1330 = 28.33
        let (w, _) = moments(&parse("Weibull(shape: 0.8, scale_s: 25.0)"), 200_000);
        assert!((w - 28.33).abs() < 0.6, "weibull mean {w}");
        let (e, sd) = moments(&parse("Exponential(mean_s: 60.0)"), 100_000);
        assert!(
            (e - 60.0).abs() < 1.0 && (sd - 60.0).abs() < 1.5,
            "exp {e} {sd}"
        );
    }

    #[test]
    fn uniform_and_empirical_stay_in_their_support() {
        let u = parse("Uniform(min_s: 2.0, max_s: 6.0)")
            .sampler(&NoFiles)
            .unwrap();
        let e = parse("Empirical(samples_s: [1.0, 2.5, 9.0])")
            .sampler(&NoFiles)
            .unwrap();
        let mut rng = stream::attempt(3, 0, 0, 1);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..10_000 {
            let x = u.sample(&mut rng);
            assert!(Millis(2_000) <= x && x <= Millis(6_000), "{x}");
            seen.insert(e.sample(&mut rng).0);
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            vec![1_000, 2_500, 9_000]
        );
    }

    #[test]
    fn uniform_bounds_must_be_ordered() {
        let err = ron::from_str::<Distribution>("Uniform(min_s: 6.0, max_s: 2.0)").unwrap_err();
        assert!(err.to_string().contains("swap them"), "{err}");
    }
}
