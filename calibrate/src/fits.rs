//! The distributions a scenario is written with, fitted to the measured samples, each with its
//! sample size and how well it fits.
//!
//! The criteria, stated once:
//! - **Answer, busy and failure times** are written as the empirical distribution (200
//!   quantiles): they are only seen up to the ring timeout in force, so a parametric tail past
//!   it would be invented. The answer time is the sub-distribution of calls answered within the
//!   timeout; a scenario whose timeout is longer than the records' extrapolates (the comment and
//!   the report say so).
//! - **Patience** is fitted to queue waits with served callers right-censored: exponential,
//!   Weibull and lognormal by maximum likelihood, the lowest AIC chosen. Beyond the last wait at
//!   which enough callers were still waiting, the data say nothing: the comment gives that wait.
//! - **Talk, after-call work and key presses**: lognormal and gamma by maximum likelihood (on
//!   whole-second data, each value taken as the interval it was rounded from), the lowest AIC
//!   chosen, unless its Kolmogorov–Smirnov distance to the data exceeds [`MAX_KS_DISTANCE`]:
//!   then the empirical distribution. After-call work with zeros (agents who skip it) is
//!   written empirically when zeros are more than [`MAX_ZERO_SHARE`] of it, since no family
//!   has a mass at 0.

use crate::Options;
use crate::measure::{Measured, quantiles, ring_timeout};
use crate::mix::wilson;
use fitting::durations::{self, DurationFit};
use fitting::survival::{self, Observation};
use fitting::{Distribution, Family, ParametricFit, Rounding};
use rules::Choice;

/// A parametric fit is kept while its largest gap to the observed distribution function is at
/// most this (3 percentage points); otherwise the empirical distribution is written.
pub const MAX_KS_DISTANCE: f64 = 0.03;

/// After-call work with a larger share of zeros is written empirically.
pub const MAX_ZERO_SHARE: f64 = 0.01;

/// Fewer observations than this are not fitted (the template's value stays).
pub const MIN_SAMPLE: usize = 30;

/// Quantiles an empirical distribution is written with.
pub const QUANTILES: usize = 200;

/// A scenario value and the comment lines that go above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    /// The value as RON (`LogNormal(mean_s: 240.0, sd_s: 180.0)`).
    pub ron: String,
    pub comment: Vec<String>,
    pub n: usize,
    /// What was tried, for the report: family, AIC, KS distance, parameters as text.
    pub candidates: Vec<Candidate>,
    /// The chosen parametric fit (`None`: written empirically).
    pub fit: Option<ParametricFit>,
    /// The durations were seen only up to this time (key presses the no-input timeout ends):
    /// the fit is the distribution before truncation.
    pub truncated_at: Option<f64>,
}

impl Fitted {
    /// The share of the fitted distribution at or before its truncation point: how many of
    /// the presses a person makes come before the timeout (1 without truncation or a fit).
    pub fn seen_share(&self) -> f64 {
        match (&self.fit, self.truncated_at) {
            (Some(fit), Some(at)) => fit.distribution.cdf(at),
            _ => 1.0,
        }
    }
}

/// One family tried for a field.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub family: String,
    pub aic: f64,
    pub ks_distance: Option<f64>,
    pub parameters: String,
    pub chosen: bool,
    /// The fitted distribution, for drawing against the data.
    pub distribution: Distribution,
    /// The data were truncated here: draw the distribution's CDF truncated there too.
    pub truncated_at: Option<f64>,
}

/// The inferred ring timeout.
#[derive(Clone, Debug, PartialEq)]
pub struct RingTimeout {
    pub value: f64,
    /// Share of no-answer calls within a second of it.
    pub share_near: f64,
    pub comment: String,
}

/// Patience: the chosen fit and what the report draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Patience {
    pub ron: String,
    pub fit: ParametricFit,
    pub comment: Vec<String>,
    pub candidates: Vec<Candidate>,
    pub kaplan_meier: survival::KaplanMeier,
    /// The Nelson–Aalen cumulative hazard of the same waits: the report draws the survival it
    /// implies, exp(−H), beside Kaplan–Meier's.
    pub nelson_aalen: survival::NelsonAalen,
    pub waits: usize,
    pub abandons: usize,
    /// Beyond this wait the data say nothing.
    pub informative_to_s: f64,
}

/// Every fit of a calibration; `None` where the records had too little to fit.
#[derive(Clone, Debug, Default)]
pub struct Fits {
    pub ring_timeout: Option<RingTimeout>,
    pub answer_after: Option<Fitted>,
    pub busy_after: Option<Fitted>,
    pub failed_after: Option<Fitted>,
    /// Key presses after the prompt, per choice.
    pub key_press: Vec<(Choice, Fitted)>,
    pub patience: Option<Patience>,
    pub talk: Option<Fitted>,
    pub after_call_work: Option<Fitted>,
}

fn seconds(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 {
        format!("{r:.1}")
    } else {
        format!("{r}")
    }
}

/// `sorted` holds whole seconds as recorded; `offset` is taken off each quantile after the
/// values are spread over their seconds (a key press is a recorded span less the prompt).
fn empirical_ron(sorted: &[f64], cap: f64, offset: f64) -> String {
    let q: Vec<f64> = quantiles(sorted, QUANTILES, f64::MAX)
        .into_iter()
        .map(|x| ((x - offset).clamp(0.0, cap) * 1000.0).round() / 1000.0)
        .collect();
    let lines: Vec<String> = q
        .chunks(10)
        .map(|chunk| {
            chunk
                .iter()
                .map(|x| seconds(*x))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    format!("Empirical(samples_s: [\n    {},\n])", lines.join(",\n    "))
}

fn summary(sorted: &[f64], offset: f64) -> String {
    let at = |p: f64| {
        (sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)] - offset).max(0.0)
    };
    format!("median {:.1} s, 90th percentile {:.1} s", at(0.5), at(0.9))
}

/// An empirical field: the sample's quantiles, spread over the seconds they were rounded to.
fn empirical(sorted: &[f64], what: &str, cap: f64, offset: f64) -> Option<Fitted> {
    if sorted.len() < MIN_SAMPLE {
        return None;
    }
    Some(Fitted {
        ron: empirical_ron(sorted, cap, offset),
        comment: vec![format!(
            "empirical ({QUANTILES} quantiles) from {} {what}: {}",
            sorted.len(),
            summary(sorted, offset)
        )],
        n: sorted.len(),
        candidates: Vec::new(),
        fit: None,
        truncated_at: None,
    })
}

/// The scenario's distribution for a fit.
fn ron_of(fit: &ParametricFit) -> String {
    match fit.distribution {
        Distribution::Exponential { mean_s } => format!("Exponential(mean_s: {})", seconds(mean_s)),
        Distribution::Weibull { shape, scale_s } => format!(
            "Weibull(shape: {}, scale_s: {})",
            seconds(shape),
            seconds(scale_s)
        ),
        Distribution::LogNormal { .. } => format!(
            "LogNormal(mean_s: {}, sd_s: {})",
            seconds(fit.mean_s.value),
            seconds(fit.sd_s.value)
        ),
        Distribution::Gamma { shape, scale_s } => format!(
            "Gamma(shape: {}, scale_s: {})",
            seconds(shape),
            seconds(scale_s)
        ),
    }
}

/// A fit's parameters with their 95% intervals, and its mean and standard deviation.
fn describe(fit: &ParametricFit) -> String {
    let interval = |e: &fitting::Estimate| {
        format!(
            "{} [{}, {}]",
            seconds(e.value),
            seconds(e.lower_95),
            seconds(e.upper_95)
        )
    };
    let mut parts: Vec<String> = fit
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, interval(&p.estimate)))
        .collect();
    if fit.family() != Family::Exponential {
        parts.push(format!("mean {} s", interval(&fit.mean_s)));
        parts.push(format!("sd {} s", interval(&fit.sd_s)));
    }
    parts.join(", ")
}

/// Lognormal or gamma by AIC, or the empirical distribution when the best is too far off.
/// With `truncated_at`, the durations are seen only up to it (a key press after the IVR's
/// no-input timeout is no input): values are taken as at most it, and each family is fitted
/// to the truncated likelihood, so that the scenario's distribution is the one before the
/// timeout cuts it (the simulator cuts it again).
fn positive(
    raw: &[f64],
    what: &str,
    cap: f64,
    offset: f64,
    truncated_at: Option<f64>,
) -> Option<Fitted> {
    if raw.len() < MIN_SAMPLE {
        return None;
    }
    let limit = truncated_at.unwrap_or(f64::MAX);
    let shifted: Vec<f64> = raw
        .iter()
        .map(|x| (x - offset).max(0.0).min(limit))
        .collect();
    let sorted = &shifted[..];
    // Whole-second data carry zeros a positive family cannot have: every value is taken as
    // the interval it was rounded from.
    let families = [Family::LogNormal, Family::Gamma];
    let ranking = match truncated_at {
        None => durations::choose(sorted, &families, Rounding::WholeSeconds),
        Some(at) => durations::choose_truncated(sorted, &families, Rounding::WholeSeconds, at),
    }
    .ok()?;
    let fits: &[DurationFit] = &ranking.ranked;
    let best = &fits[0];
    let mut candidates: Vec<Candidate> = fits
        .iter()
        .map(|f| Candidate {
            family: f.fit.family().to_string(),
            aic: f.fit.aic,
            ks_distance: Some(f.ks.statistic),
            parameters: describe(&f.fit),
            chosen: false,
            distribution: f.fit.distribution,
            truncated_at,
        })
        .collect();
    if best.ks.statistic > MAX_KS_DISTANCE {
        let mut e = empirical(raw, what, cap, offset)?;
        e.comment.push(format!(
            "{} (lowest AIC) is {:.3} from the data in the Kolmogorov-Smirnov distance, over {MAX_KS_DISTANCE}: empirical instead",
            best.fit.family(),
            best.ks.statistic
        ));
        e.candidates = candidates;
        return Some(e);
    }
    candidates[0].chosen = true;
    let others: Vec<String> = fits[1..]
        .iter()
        .map(|f| format!("{} {:.1}", f.fit.family(), f.fit.aic))
        .collect();
    Some(Fitted {
        ron: ron_of(&best.fit),
        comment: vec![
            format!(
                "{} from {} {what} by maximum likelihood (whole seconds as intervals), lowest AIC {:.1} (against {}), Kolmogorov-Smirnov distance {:.3}",
                best.fit.family(),
                sorted.len(),
                best.fit.aic,
                if others.is_empty() {
                    "none".to_string()
                } else {
                    others.join(", ")
                },
                best.ks.statistic
            ),
            format!("95% intervals: {}", describe(&best.fit)),
        ],
        n: sorted.len(),
        candidates,
        fit: Some(best.fit.clone()),
        truncated_at,
    })
    .map(|mut f| {
        if let Some(at) = truncated_at {
            f.comment.insert(
                1,
                format!(
                    "fitted as seen up to the IVR's {} s no-input timeout (a later press is no input): {:.1}% of presses come before it",
                    seconds(at),
                    f.seen_share() * 100.0
                ),
            );
        }
        f
    })
}

fn patience(m: &Measured) -> Option<Patience> {
    let obs: Vec<Observation> = m
        .queue
        .iter()
        .map(|w| Observation {
            time_s: w.wait_s,
            event: !w.served,
        })
        .collect();
    let abandons = obs.iter().filter(|o| o.event).count();
    if obs.len() < MIN_SAMPLE || abandons < 5 {
        return None;
    }
    let km = survival::kaplan_meier(&obs).ok()?;
    let na = survival::nelson_aalen(&obs).ok()?;
    let ranking = survival::best_by_aic(
        &obs,
        &[Family::Exponential, Family::Weibull, Family::LogNormal],
        Rounding::WholeSeconds,
    )
    .ok()?;
    let fits = &ranking.ranked;
    let best = &fits[0];
    let informative_to_s = km
        .last_informative_time(survival::DEFAULT_MIN_AT_RISK)
        .unwrap_or(0.0);
    let candidates = fits
        .iter()
        .enumerate()
        .map(|(i, f)| Candidate {
            family: f.family().to_string(),
            aic: f.aic,
            ks_distance: None,
            parameters: describe(f),
            chosen: i == 0,
            distribution: f.distribution,
            truncated_at: None,
        })
        .collect();
    let others: Vec<String> = fits[1..]
        .iter()
        .map(|f| format!("{} {:.1}", f.family(), f.aic))
        .collect();
    Some(Patience {
        ron: ron_of(best),
        fit: best.clone(),
        comment: vec![
            format!(
                "{} by censored maximum likelihood from {} waits in the queue ({} hung up; {} reached an agent, censored), lowest AIC {:.1} (against {})",
                best.family(),
                obs.len(),
                abandons,
                obs.len() - abandons,
                best.aic,
                others.join(", "),
            ),
            format!("95% intervals: {}", describe(best)),
            format!(
                "the records say nothing of patience beyond {} s (fewer than {} callers still waiting): the tail past it is the fit's",
                seconds(informative_to_s),
                survival::DEFAULT_MIN_AT_RISK
            ),
        ],
        candidates,
        kaplan_meier: km,
        nelson_aalen: na,
        waits: obs.len(),
        abandons,
        informative_to_s,
    })
}

/// Every fit of `m`.
pub fn fit(m: &Measured, options: &Options) -> Fits {
    let ring = ring_timeout(&m.rang_s).map(|(value, share_near)| RingTimeout {
        value,
        share_near,
        comment: format!(
            "the ring timeout the {} no-answer calls show: {:.0}% of them rang within a second of it",
            m.rang_s.len(),
            share_near * 100.0
        ),
    });
    let cap = ring.as_ref().map_or(f64::MAX, |r| r.value);
    let answer_after = empirical(
        &m.answer_after_s,
        "answered calls (launch to answer, up to the ring timeout)",
        cap,
        0.0,
    )
    .map(|mut f| {
        if let Some(r) = &ring {
            f.comment.push(format!(
                "the records hold no answer after their {} s ring timeout: with a longer ring_timeout_s the scenario extrapolates (it draws no answer between {} s and the new timeout)",
                r.value, r.value
            ));
        }
        f
    });
    let key_press = {
        let before = options.prompt_s + options.detect_s;
        let mut out = Vec::new();
        if let Some(f) = positive(
            &m.answer_to_queue_s,
            "key presses of 1 (answer to queue, less the prompt and any detection)",
            f64::MAX,
            before,
            options.no_input_timeout_s,
        ) {
            out.push((Choice::Agent, f));
        }
        for (choice, ends) in &m.answer_to_end_s {
            if let Some(f) = positive(
                ends,
                "key presses (answer to hang-up, less the prompt, any detection and the goodbye)",
                f64::MAX,
                before + options.goodbye_s,
                options.no_input_timeout_s,
            ) {
                out.push((*choice, f));
            }
        }
        out
    };
    let acw = {
        let zeros = m.acw_s.iter().filter(|x| **x == 0.0).count();
        let n = m.acw_s.len();
        if n < MIN_SAMPLE {
            None
        } else if zeros as f64 / n as f64 > MAX_ZERO_SHARE {
            let (lo, hi) = wilson(zeros as u64, n as u64);
            empirical(&m.acw_s, "after-call work spans", f64::MAX, 0.0).map(|mut f| {
                f.comment.push(format!(
                    "{:.1}% of them are 0 s [{:.1}, {:.1}] (no family has a mass at 0): empirical",
                    zeros as f64 / n as f64 * 100.0,
                    lo * 100.0,
                    hi * 100.0
                ));
                f
            })
        } else {
            positive(&m.acw_s, "after-call work spans", f64::MAX, 0.0, None)
        }
    };
    Fits {
        answer_after,
        busy_after: empirical(
            &m.busy_after_s,
            "busy lines (launch to the busy signal)",
            f64::MAX,
            0.0,
        ),
        failed_after: empirical(
            &m.failed_after_s,
            "failed calls (launch to the failure)",
            f64::MAX,
            0.0,
        ),
        ring_timeout: ring,
        key_press,
        patience: patience(m),
        talk: positive(&m.talk_s, "calls talked with an agent", f64::MAX, 0.0, None),
        after_call_work: acw,
    }
}
