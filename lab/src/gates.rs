//! Judging gates: promises a scenario makes about its results, checked by `dialsim check` in CI.
//!
//! A gate passes only when the promise holds for the whole 95% confidence interval — a rate's
//! **upper** bound under its maximum, occupancy's **lower** bound over its minimum — so that a
//! gate cannot pass on a lucky mean. Compliance counters must be zero in every replication.
//! The gates' syntax is the engine's ([`sim::gate`]); this is what needs the statistics.

use crate::catalogue::Metric;
use crate::stats::{Estimate, share_ci};
use crate::summary::StrategyResult;
use rules::words::AbandonDefinition as Definition;
use serde::{Deserialize, Serialize};
use sim::RepMetrics;
use sim::gate::{Counter, Gate, Window};

/// How a gate fared on one strategy's replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The gate as written, e.g. `AbandonRate(max 0.03, Regulatory, Worst24h)`.
    pub gate: String,
    /// The metric it reads.
    pub metric: Metric,
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

/// The metric that counts a compliance counter's breaches.
fn counted_by(counter: Counter) -> Metric {
    match counter {
        Counter::CallsOutsideWindow => Metric::CallsOutsideWindow,
        Counter::ShortRings => Metric::ShortRings,
        Counter::RedialsAfterAbandon => Metric::RedialsAfterAbandon,
        Counter::CallsToDoNotCall => Metric::CallsToDoNotCall,
    }
}

/// What judging a gate needs: the metric it reads, how that is shown, and the verdict.
pub trait Judge {
    /// How the measured value is shown: the factor from the file's unit and the unit after the
    /// number; `None` for a counter, shown as a total.
    fn display_unit(&self) -> Option<(f64, &'static str)>;
    /// The metric the gate reads.
    fn metric(&self) -> Metric;
    fn judge(&self, result: &StrategyResult, reps: &[RepMetrics]) -> Verdict;
}

impl Judge for Gate {
    fn display_unit(&self) -> Option<(f64, &'static str)> {
        let metric = self.metric();
        metric.value_unit().map(|unit| (metric.scale(), unit))
    }

    fn metric(&self) -> Metric {
        match self {
            Gate::AbandonRate {
                definition, window, ..
            } => match (definition, window) {
                (Definition::Regulatory, Window::Campaign) => Metric::AbandonRateRegulatory,
                (Definition::Regulatory, Window::Worst24h) => Metric::AbandonRateRegulatoryWorst24h,
                (Definition::Regulatory, Window::Worst30d) => Metric::AbandonRateRegulatoryWorst30d,
                (Definition::Queue, Window::Campaign) => Metric::AbandonRate,
                (Definition::Queue, Window::Worst24h) => Metric::AbandonRateWorst24h,
                (Definition::Queue, Window::Worst30d) => Metric::AbandonRateWorst30d,
                (Definition::Regulatory, Window::Days { .. }) => Metric::DaysOverCapRegulatory,
                (Definition::Queue, Window::Days { .. }) => Metric::DaysOverCap,
            },
            Gate::Occupancy { .. } => Metric::Occupancy,
            Gate::WaitP90 { .. } => Metric::WaitP90,
            Gate::ListExhausted { .. } => Metric::ListExhaustedAfter,
            Gate::Zero { counter } => counted_by(*counter),
        }
    }

    fn judge(&self, result: &StrategyResult, reps: &[RepMetrics]) -> Verdict {
        let metric = self.metric();
        let key = metric.key();
        let measured = match self {
            // The days over the gate's own maximum, which may differ from the scenario's cap.
            Gate::AbandonRate {
                max,
                definition,
                window: Window::Days { .. },
            } => {
                let rate = Metric::abandon_rate(*definition);
                let days: Vec<f64> = reps
                    .iter()
                    .filter_map(|r| rate.per_replication(r))
                    .collect();
                let over = days.iter().filter(|v| **v > max.get()).count();
                share_ci(over as u64, days.len() as u64)
            }
            _ => result
                .metrics
                .get(metric)
                .copied()
                .unwrap_or(Estimate::UNDEFINED),
        };
        let shown = self
            .display_unit()
            .map(|(scale, unit)| fmt_estimate(&measured, scale, unit, 3))
            .unwrap_or_default();
        let upper = measured.ci95.map(|[_, hi]| hi);
        let lower = measured.ci95.map(|[lo, _]| lo);
        let (limit, passed, reason) = match self {
            Gate::AbandonRate {
                max,
                window: Window::Days { risk },
                ..
            } => {
                let passed = upper.is_some_and(|u| u < risk.get());
                (
                    risk.get(),
                    passed,
                    format!(
                        "days over {}%: {shown}: upper bound must be below {}%",
                        number(max.get() * 100.0),
                        number(risk.get() * 100.0)
                    ),
                )
            }
            Gate::AbandonRate { max, .. } => {
                let passed = upper.is_some_and(|u| u < max.get());
                (
                    max.get(),
                    passed,
                    format!(
                        "{key} {shown}: upper bound must be below {}%",
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
                        "{key} {shown}: lower bound must be at least {}%",
                        number(min.get() * 100.0)
                    ),
                )
            }
            Gate::WaitP90 { max_s } => {
                let passed = upper.is_some_and(|u| u <= max_s.get());
                (
                    max_s.get(),
                    passed,
                    format!("{key} {shown}: upper bound must be at most {max_s} s"),
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
                    format!("{key}: {total} over {} replications, must be 0", reps.len()),
                )
            }
        };
        Verdict {
            gate: self.describe(),
            metric,
            measured,
            limit,
            passed,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_is_counted_by_the_metric_of_its_name() {
        for counter in [
            Counter::CallsOutsideWindow,
            Counter::ShortRings,
            Counter::RedialsAfterAbandon,
            Counter::CallsToDoNotCall,
        ] {
            let camel: String = counted_by(counter)
                .key()
                .split('_')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect();
            assert_eq!(camel, format!("{counter:?}"));
        }
    }
}
