//! Gates: promises a scenario makes about its results, checked by `dialsim check` in CI.
//!
//! A gate passes only when the promise holds for the whole 95% confidence interval — a rate's
//! **upper** bound under its maximum, occupancy's **lower** bound over its minimum — so that a
//! gate cannot pass on a lucky mean. Compliance counters must be zero in every replication.

use crate::metrics::RepMetrics;
use crate::stats::Estimate;
use crate::summary::StrategyResult;
use serde::{Deserialize, Serialize};
use strategies::param::{Positive, Probability, Share};

/// Which abandon rate a gate caps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Definition {
    /// Live answers not bridged to an agent within the compliance threshold ÷ live answers.
    #[default]
    Regulatory,
    /// Callers who hung up in the queue ÷ callers who entered it.
    Queue,
}

/// Over which span the rate is measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Window {
    /// The whole campaign.
    #[default]
    Campaign,
    /// The worst 24 hours (the UK rule).
    Worst24h,
    /// The worst 30 days (the US rule).
    Worst30d,
}

/// A compliance counter that must stay at zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Counter {
    /// Calls outside the customer's local calling window.
    CallsOutsideWindow,
    /// Unanswered calls given up after ringing less than 15 s.
    ShortRings,
    /// Calls within 72 h of an abandoned call to the same customer.
    RedialsAfterAbandon,
    /// Calls to customers on the do-not-call list.
    CallsToDoNotCall,
}

impl Counter {
    pub fn key(self) -> &'static str {
        match self {
            Counter::CallsOutsideWindow => "calls_outside_window",
            Counter::ShortRings => "short_rings",
            Counter::RedialsAfterAbandon => "redials_after_abandon",
            Counter::CallsToDoNotCall => "calls_to_do_not_call",
        }
    }
}

/// One promise, in a scenario's `gates: [...]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Gate {
    /// `AbandonRate(max: 0.03, definition: Regulatory, window: Campaign)`.
    AbandonRate {
        max: Share,
        #[serde(default)]
        definition: Definition,
        #[serde(default)]
        window: Window,
    },
    /// `Occupancy(min: 0.6)`: agents busy at least this share of their logged-in time.
    Occupancy { min: Probability },
    /// `WaitP90(max_s: 10.0)`: 90% of connected callers wait at most this long.
    WaitP90 { max_s: Positive },
    /// `ListExhausted(within_h: 8.0)`: every replication finishes the list within this time.
    ListExhausted { within_h: Positive },
    /// `Zero(counter: ShortRings)`: a compliance counter that must be zero in every replication.
    Zero { counter: Counter },
}

/// How a gate fared on one strategy's replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The gate as written, e.g. `AbandonRate(max 0.03, Regulatory, Worst24h)`.
    pub gate: String,
    /// The results-file metric it reads.
    pub metric: String,
    pub measured: Estimate,
    pub limit: f64,
    pub passed: bool,
    /// One line: what was measured against what.
    pub reason: String,
}

/// A limit for display: at most 6 decimals, trailing zeros dropped (`3`, not `3.0000000000000004`).
pub fn number(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// A measured value for display: `mean{unit} [lo, hi]` times `scale` with `decimals` decimals,
/// e.g. `21.753% [21.220, 22.285]`; "(no interval)" after a mean without one; "undefined".
pub fn fmt_estimate(e: &Estimate, scale: f64, unit: &str, decimals: usize) -> String {
    let d = decimals;
    match (e.mean, e.ci95) {
        (Some(m), Some([lo, hi])) => format!(
            "{:.d$}{unit} [{:.d$}, {:.d$}]",
            m * scale,
            lo * scale,
            hi * scale
        ),
        (Some(m), None) => format!("{:.d$}{unit} (no interval)", m * scale),
        _ => "undefined".into(),
    }
}

impl Gate {
    pub fn describe(&self) -> String {
        match self {
            Gate::AbandonRate {
                max,
                definition,
                window,
            } => format!("AbandonRate(max {max}, {definition:?}, {window:?})"),
            Gate::Occupancy { min } => format!("Occupancy(min {})", min.get()),
            Gate::WaitP90 { max_s } => format!("WaitP90(max {max_s} s)"),
            Gate::ListExhausted { within_h } => format!("ListExhausted(within {within_h} h)"),
            Gate::Zero { counter } => format!("Zero({counter:?})"),
        }
    }

    /// How the measured value is shown: the factor from the file's unit and the unit after the
    /// number; `None` for a counter, shown as a total.
    pub fn display_unit(&self) -> Option<(f64, &'static str)> {
        match self {
            Gate::AbandonRate { .. } | Gate::Occupancy { .. } => Some((100.0, "%")),
            Gate::WaitP90 { .. } => Some((1.0, " s")),
            Gate::ListExhausted { .. } => Some((1.0 / 3_600.0, " h")),
            Gate::Zero { .. } => None,
        }
    }

    /// The results-file metric the gate reads.
    pub fn metric(&self) -> &'static str {
        match self {
            Gate::AbandonRate {
                definition, window, ..
            } => match (definition, window) {
                (Definition::Regulatory, Window::Campaign) => "abandon_rate_regulatory",
                (Definition::Regulatory, Window::Worst24h) => "abandon_rate_regulatory_worst_24h",
                (Definition::Regulatory, Window::Worst30d) => "abandon_rate_regulatory_worst_30d",
                (Definition::Queue, Window::Campaign) => "abandon_rate",
                (Definition::Queue, Window::Worst24h) => "abandon_rate_worst_24h",
                (Definition::Queue, Window::Worst30d) => "abandon_rate_worst_30d",
            },
            Gate::Occupancy { .. } => "occupancy",
            Gate::WaitP90 { .. } => "wait_p90_s",
            Gate::ListExhausted { .. } => "list_exhausted_after_s",
            Gate::Zero { counter } => counter.key(),
        }
    }

    /// Judges the gate on one strategy's summary and its replications.
    pub fn judge(&self, result: &StrategyResult, reps: &[RepMetrics]) -> Verdict {
        let metric = self.metric();
        let measured = result
            .metrics
            .get(metric)
            .copied()
            .unwrap_or(Estimate::UNDEFINED);
        let shown = self
            .display_unit()
            .map(|(scale, unit)| fmt_estimate(&measured, scale, unit, 3))
            .unwrap_or_default();
        let upper = measured.ci95.map(|[_, hi]| hi);
        let lower = measured.ci95.map(|[lo, _]| lo);
        let (limit, passed, reason) = match self {
            Gate::AbandonRate { max, .. } => {
                let passed = upper.is_some_and(|u| u < max.get());
                (
                    max.get(),
                    passed,
                    format!(
                        "{metric} {shown}: upper bound must be below {}%",
                        number(max.get() * 100.0)
                    ),
                )
            }
            Gate::Occupancy { min } => {
                let passed = lower.is_some_and(|l| l >= min.get());
                (
                    min.get(),
                    passed,
                    format!(
                        "{metric} {shown}: lower bound must be at least {}%",
                        number(min.get() * 100.0)
                    ),
                )
            }
            Gate::WaitP90 { max_s } => {
                let passed = upper.is_some_and(|u| u <= max_s.get());
                (
                    max_s.get(),
                    passed,
                    format!("{metric} {shown}: upper bound must be at most {max_s} s"),
                )
            }
            Gate::ListExhausted { within_h } => {
                let limit = within_h.get() * 3_600.0;
                let unfinished = reps
                    .iter()
                    .filter(|r| r.list_exhausted_at.is_none())
                    .count();
                let passed = unfinished == 0 && upper.is_some_and(|u| u <= limit);
                let reason = if unfinished > 0 {
                    format!(
                        "{unfinished} of {} replications did not finish the list (it must be done within {within_h} h)",
                        reps.len()
                    )
                } else {
                    format!(
                        "list exhausted after {shown}: upper bound must be at most {within_h} h"
                    )
                };
                (limit, passed, reason)
            }
            Gate::Zero { counter } => {
                let total: u64 = reps
                    .iter()
                    .map(|r| {
                        let c = &r.counters;
                        match counter {
                            Counter::CallsOutsideWindow => c.calls_outside_window,
                            Counter::ShortRings => c.short_rings,
                            Counter::RedialsAfterAbandon => c.redials_after_abandon,
                            Counter::CallsToDoNotCall => c.calls_to_do_not_call,
                        }
                    })
                    .sum();
                (
                    0.0,
                    total == 0,
                    format!(
                        "{metric}: {total} over {} replications, must be 0",
                        reps.len()
                    ),
                )
            }
        };
        Verdict {
            gate: self.describe(),
            metric: metric.to_string(),
            measured,
            limit,
            passed,
            reason,
        }
    }
}
