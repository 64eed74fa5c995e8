//! Duration distributions as analysts write them (in seconds), and their compiled samplers.
//!
//! Every distribution is written with the quantities an analyst measures: `LogNormal` takes the
//! **mean and standard deviation of the duration itself** (not of its logarithm); the conversion
//! σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2 happens here, once.

use rand::Rng;
use rand_distr::{Distribution as _, Exp, Gamma, LogNormal, Weibull};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use strategies::Millis;
use strategies::param::{NonNegative, Positive};

/// A duration distribution in a scenario file. All times are in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "Shape")]
pub struct Distribution(Shape);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Distribution")]
enum Shape {
    /// Always the same duration; zero is allowed.
    Fixed {
        s: NonNegative,
    },
    Exponential {
        mean_s: Positive,
    },
    /// Mean and standard deviation of the duration (not of its logarithm).
    LogNormal {
        mean_s: Positive,
        sd_s: Positive,
    },
    /// Shape k and scale θ: mean kθ.
    Gamma {
        shape: Positive,
        scale_s: Positive,
    },
    /// Shape k and scale λ: mean λΓ(1 + 1/k).
    Weibull {
        shape: Positive,
        scale_s: Positive,
    },
    Uniform {
        min_s: NonNegative,
        max_s: NonNegative,
    },
    /// Draws uniformly from the listed durations.
    Empirical {
        samples_s: Vec<NonNegative>,
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
            _ => Ok(Distribution(shape)),
        }
    }
}

impl Distribution {
    pub fn fixed(s: f64) -> Distribution {
        Distribution(Shape::Fixed {
            s: NonNegative::new(s).expect("fixed duration must be >= 0"),
        })
    }

    pub fn exponential(mean_s: f64) -> Distribution {
        Distribution(Shape::Exponential {
            mean_s: Positive::new(mean_s).expect("mean must be > 0"),
        })
    }

    pub fn lognormal(mean_s: f64, sd_s: f64) -> Distribution {
        Distribution(Shape::LogNormal {
            mean_s: Positive::new(mean_s).expect("mean must be > 0"),
            sd_s: Positive::new(sd_s).expect("sd must be > 0"),
        })
    }

    /// Compiles the distribution; `base` is the folder CSV paths are relative to.
    pub fn sampler(&self, base: &Path) -> Result<Sampler, String> {
        Ok(match &self.0 {
            Shape::Fixed { s } => Sampler::Fixed(Millis::from_secs_f64(s.get())),
            Shape::Exponential { mean_s } => {
                Sampler::Exp(Exp::new(1.0 / mean_s.get()).map_err(|e| e.to_string())?)
            }
            Shape::LogNormal { mean_s, sd_s } => {
                let (m, sd) = (mean_s.get(), sd_s.get());
                let var = (1.0 + (sd * sd) / (m * m)).ln();
                let mu = m.ln() - var / 2.0;
                Sampler::LogNormal(LogNormal::new(mu, var.sqrt()).map_err(|e| e.to_string())?)
            }
            Shape::Gamma { shape, scale_s } => {
                Sampler::Gamma(Gamma::new(shape.get(), scale_s.get()).map_err(|e| e.to_string())?)
            }
            Shape::Weibull { shape, scale_s } => Sampler::Weibull(
                Weibull::new(scale_s.get(), shape.get()).map_err(|e| e.to_string())?,
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
            Shape::EmpiricalCsv { path, column } => {
                Sampler::Empirical(read_csv_column(&base.join(path), column)?)
            }
        })
    }
}

fn read_csv_column(path: &Path, column: &str) -> Result<Vec<Millis>, String> {
    let shown = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{shown}: cannot read the header line: {e}"))?
        .clone();
    let index = headers
        .iter()
        .position(|h| h.trim() == column)
        .ok_or_else(|| {
            format!(
                "{shown}: no column named {column:?} (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?;
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| format!("{shown}:{line}: {e}"))?;
        let cell = record.get(index).unwrap_or("").trim();
        let secs: f64 = cell.parse().map_err(|_| {
            format!("{shown}:{line}: {column} is {cell:?}, expected a number of seconds")
        })?;
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(format!(
                "{shown}:{line}: {column} is {secs}, durations cannot be negative"
            ));
        }
        out.push(Millis::from_secs_f64(secs));
    }
    if out.is_empty() {
        return Err(format!("{shown}: column {column:?} has no rows"));
    }
    Ok(out)
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
            Sampler::Exp(d) => Millis::from_secs_f64(d.sample(rng)),
            Sampler::LogNormal(d) => Millis::from_secs_f64(d.sample(rng)),
            Sampler::Gamma(d) => Millis::from_secs_f64(d.sample(rng)),
            Sampler::Weibull(d) => Millis::from_secs_f64(d.sample(rng)),
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
