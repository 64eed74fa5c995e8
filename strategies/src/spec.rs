//! Strategies as they are written in scenario and campaign files.

use crate::param::Positive;
use crate::{Pacer, agents_available, as_written, fixed_ratio, open_loop};
use serde::{Deserialize, Serialize};

/// A pacing strategy and its settings, in RON: `AgentsAvailable(poll_s: 5.0)`,
/// `AsWritten()`, `FixedRatio(ratio: 2.0)`, `OpenLoop(rate_per_hour: 540.0)`.
/// Omitted settings take the defaults documented on each strategy's module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum StrategySpec {
    /// The sample's intent: dial one customer while the metrics API shows an available agent.
    /// See [`agents_available`].
    AgentsAvailable {
        #[serde(default = "agents_available::default_poll")]
        poll_s: Positive,
        #[serde(default = "agents_available::default_step")]
        step_s: Positive,
    },
    /// The sample as its code actually runs: every waiting customer dials on the same poll.
    /// See [`as_written`].
    AsWritten {
        #[serde(default = "agents_available::default_poll")]
        poll_s: Positive,
    },
    /// Power dialing: keep `ratio × available` calls ringing or in the IVR. See [`fixed_ratio`].
    FixedRatio {
        ratio: Positive,
        #[serde(default = "fixed_ratio::default_poll")]
        poll_s: Positive,
    },
    /// Poisson launches regardless of state; the validation baseline. See [`open_loop`].
    OpenLoop { rate_per_hour: Positive },
}

impl StrategySpec {
    /// Builds a fresh pacer. `seed` feeds the strategies that draw random numbers, so that a run
    /// is reproducible; strategies that draw none ignore it.
    pub fn build(&self, seed: u64) -> Box<dyn Pacer> {
        match *self {
            StrategySpec::AgentsAvailable { poll_s, step_s } => Box::new(
                agents_available::AgentsAvailable::new(poll_s.get(), step_s.get()),
            ),
            StrategySpec::AsWritten { poll_s } => {
                Box::new(as_written::AsWritten::new(poll_s.get()))
            }
            StrategySpec::FixedRatio { ratio, poll_s } => {
                Box::new(fixed_ratio::FixedRatio::new(ratio.get(), poll_s.get()))
            }
            StrategySpec::OpenLoop { rate_per_hour } => {
                Box::new(open_loop::OpenLoop::new(rate_per_hour.get(), seed))
            }
        }
    }

    /// A short label for tables and result files, with the settings that tell two entries apart.
    pub fn label(&self) -> String {
        match self {
            StrategySpec::AgentsAvailable { poll_s, step_s } => {
                format!("AgentsAvailable(poll {poll_s}s, step {step_s}s)")
            }
            StrategySpec::AsWritten { poll_s } => format!("AsWritten(poll {poll_s}s)"),
            StrategySpec::FixedRatio { ratio, poll_s } => {
                format!("FixedRatio({ratio}, poll {poll_s}s)")
            }
            StrategySpec::OpenLoop { rate_per_hour } => format!("OpenLoop({rate_per_hour}/h)"),
        }
    }
}
