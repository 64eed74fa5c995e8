//! Strategies as they are written in scenario and campaign files.

use crate::Millis;
use crate::adaptive::{self, AdaptiveMode};
use crate::param::{
    CallsPerBusyAgent, CallsPerHour, CampaignHours, DialRatio, Gain, LinesPerAgent, PollSeconds,
    Share,
};
use crate::{
    Pacer, agents_available, as_written, fixed_ratio, free_plus_busy, open_loop, pi_controller,
    predictive, progressive,
};
use rules::abandonment::Counting;
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
        poll_s: PollSeconds,
        #[serde(default = "agents_available::default_step")]
        step_s: PollSeconds,
    },
    /// The sample as its code actually runs: every waiting customer dials on the same poll.
    /// See [`as_written`].
    AsWritten {
        #[serde(default = "agents_available::default_poll")]
        poll_s: PollSeconds,
    },
    /// Power dialing: keep `ratio × available` calls ringing or in the IVR. See [`fixed_ratio`].
    FixedRatio {
        ratio: DialRatio,
        #[serde(default = "fixed_ratio::default_poll")]
        poll_s: PollSeconds,
    },
    /// Poisson launches regardless of state; the validation baseline. See [`open_loop`].
    OpenLoop { rate_per_hour: CallsPerHour },
    /// Never more calls than free agents can take, counting calls already in flight.
    /// See [`progressive`].
    Progressive {
        #[serde(default = "fixed_ratio::default_poll")]
        poll_s: PollSeconds,
    },
    /// A call per free agent plus `r` per busy agent, `r` tuned online against the target.
    /// See [`free_plus_busy`].
    FreePlusBusy {
        #[serde(default = "free_plus_busy::default_r")]
        r: CallsPerBusyAgent,
        #[serde(default = "default_target")]
        target_abandon: Share,
        #[serde(default = "fixed_ratio::default_poll")]
        poll_s: PollSeconds,
        /// The prior hit rate (callers who reach the queue per dial) it starts from; none:
        /// progressive until dials resolve.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_hit_rate: Option<Share>,
    },
    /// VICIdial's adaptive dial level (`AST_VDadapt.pl`). See [`adaptive`].
    Adaptive {
        #[serde(default = "default_target")]
        target_abandon: Share,
        #[serde(default = "adaptive::default_max_level")]
        max_level: LinesPerAgent,
        /// -40 (slower up, faster down) to +40 (faster up, slower down).
        #[serde(default, deserialize_with = "intensity")]
        intensity: i8,
        /// The differential aimed at, in agents, -40 to 40: -1 keeps one agent waiting on
        /// average, +1 one call (VICIdial's `adaptive_dl_diff_target`).
        #[serde(default, deserialize_with = "diff_target")]
        diff_target: i8,
        #[serde(default)]
        mode: AdaptiveMode,
        /// Hours from the campaign's start to its end (used by the Tapered mode).
        #[serde(default = "adaptive::default_end")]
        campaign_end_h: CampaignHours,
    },
    /// The hit-rate formula with a PI loop on the abandon rate (UNICOM's Predict1PI).
    /// See [`pi_controller`].
    PiController {
        #[serde(default = "pi_controller::default_target")]
        target_abandon: Share,
        #[serde(default = "pi_controller::default_kp")]
        kp: Gain,
        #[serde(default = "pi_controller::default_ki")]
        ki: Gain,
    },
    /// Model-based: forecast answers and free agents, launch the most calls whose expected
    /// abandons stay under the target. See [`predictive`].
    Predictive {
        #[serde(default = "default_target")]
        target_abandon: Share,
        #[serde(default = "adaptive::default_max_level")]
        max_lines_per_agent: LinesPerAgent,
        /// How talking agents' releases are forecast: `Conditioned` on their calls' elapsed
        /// times (the default), or `Memoryless`, to measure what the condition buys.
        #[serde(default, skip_serializing_if = "predictive::Releases::is_default")]
        releases: predictive::Releases,
    },
}

fn default_target() -> Share {
    Share::new(0.03).expect("0.03 is a share")
}

/// `Adaptive`'s intensity: a whole number from -40 to 40.
fn intensity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i8, D::Error> {
    Ok(crate::param::whole(d, -40, 40, "intensity steps")? as i8)
}

/// `Adaptive`'s target differential: a whole number of agents from -40 to 40.
fn diff_target<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i8, D::Error> {
    Ok(crate::param::whole(d, -40, 40, "agents")? as i8)
}

/// A strategy's main aggressiveness setting: raising it dials harder. `frontier` searches it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knob {
    pub name: &'static str,
    pub value: f64,
    /// The range searched.
    pub low: f64,
    pub high: f64,
}

impl StrategySpec {
    /// Builds a fresh pacer. `seed` feeds the strategies that draw random numbers, so that a run
    /// is reproducible; strategies that draw none ignore it. `counting` is how the regulator
    /// counts abandons on this campaign (threshold, declared detector): a `target_abandon` is a
    /// target for that count.
    pub fn build(&self, seed: u64, counting: Counting) -> Box<dyn Pacer> {
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
            StrategySpec::Progressive { poll_s } => {
                Box::new(progressive::Progressive::new(poll_s.get()))
            }
            StrategySpec::FreePlusBusy {
                r,
                target_abandon,
                poll_s,
                expected_hit_rate,
            } => Box::new(
                free_plus_busy::FreePlusBusy::new(
                    r.get(),
                    target_abandon.get(),
                    poll_s.get(),
                    counting,
                )
                .with_prior(expected_hit_rate.map(|h| h.get())),
            ),
            StrategySpec::Adaptive {
                target_abandon,
                max_level,
                intensity,
                diff_target,
                mode,
                campaign_end_h,
            } => Box::new(adaptive::Adaptive::new(adaptive::Settings {
                target_abandon: target_abandon.get(),
                max_level: max_level.get(),
                intensity: f64::from(intensity) / 100.0,
                diff_target: f64::from(diff_target),
                mode,
                campaign_end: Millis::from_secs_f64(campaign_end_h.get() * 3_600.0),
                counting,
            })),
            StrategySpec::PiController {
                target_abandon,
                kp,
                ki,
            } => Box::new(pi_controller::PiController::new(
                target_abandon.get(),
                kp.get(),
                ki.get(),
                counting,
            )),
            StrategySpec::Predictive {
                target_abandon,
                max_lines_per_agent,
                releases,
            } => Box::new(
                predictive::Predictive::new(
                    target_abandon.get(),
                    max_lines_per_agent.get(),
                    counting,
                )
                .with_releases(releases),
            ),
        }
    }

    /// Whether the strategy forecasts from each agent's state and its start (a dialer reads
    /// them with GetCurrentUserData for it).
    pub fn uses_agent_states(&self) -> bool {
        matches!(
            self,
            StrategySpec::Predictive {
                releases: predictive::Releases::Conditioned,
                ..
            }
        )
    }

    /// The abandon rate the strategy is told to hold, if it has one.
    pub fn target_abandon(&self) -> Option<f64> {
        match self {
            StrategySpec::FreePlusBusy { target_abandon, .. }
            | StrategySpec::Adaptive { target_abandon, .. }
            | StrategySpec::PiController { target_abandon, .. }
            | StrategySpec::Predictive { target_abandon, .. } => Some(target_abandon.get()),
            StrategySpec::AgentsAvailable { .. }
            | StrategySpec::AsWritten { .. }
            | StrategySpec::FixedRatio { .. }
            | StrategySpec::OpenLoop { .. }
            | StrategySpec::Progressive { .. } => None,
        }
    }

    /// Why this strategy cannot hold its target under `counting`, if it cannot (the declared
    /// detector alone reaches it): said before a run, with the arithmetic.
    pub fn unreachable_target(&self, counting: &Counting) -> Option<String> {
        counting.unreachable(self.target_abandon()?)
    }

    /// The setting `frontier` searches, if the strategy has one.
    pub fn knob(&self) -> Option<Knob> {
        let target = |t: &Share| Knob {
            name: "target_abandon",
            value: t.get(),
            low: 0.001,
            high: 0.25,
        };
        match self {
            StrategySpec::FixedRatio { ratio, .. } => Some(Knob {
                name: "ratio",
                value: ratio.get(),
                low: 1.0,
                high: 10.0,
            }),
            // The dial-level cap bounds how hard the controller can push; at 1.0 it is progressive.
            StrategySpec::Adaptive { max_level, .. } => Some(Knob {
                name: "max_level",
                value: max_level.get(),
                low: 1.0,
                high: 5.0,
            }),
            StrategySpec::FreePlusBusy { target_abandon, .. }
            | StrategySpec::PiController { target_abandon, .. }
            | StrategySpec::Predictive { target_abandon, .. } => Some(target(target_abandon)),
            StrategySpec::AgentsAvailable { .. }
            | StrategySpec::AsWritten { .. }
            | StrategySpec::OpenLoop { .. }
            | StrategySpec::Progressive { .. } => None,
        }
    }

    /// The same strategy with its knob set to `value` (clamped into the knob's range).
    ///
    /// ```
    /// use strategies::StrategySpec;
    /// let spec: StrategySpec = ron::from_str("FixedRatio(ratio: 2.0)").unwrap();
    /// let knob = spec.knob().unwrap();
    /// assert_eq!((knob.name, knob.value), ("ratio", 2.0));
    /// assert_eq!(spec.with_knob(12.0).knob().unwrap().value, 10.0);
    /// ```
    pub fn with_knob(&self, value: f64) -> StrategySpec {
        let mut spec = self.clone();
        let Some(knob) = self.knob() else {
            return spec;
        };
        let v = value.clamp(knob.low, knob.high);
        match &mut spec {
            StrategySpec::FixedRatio { ratio, .. } => {
                *ratio = DialRatio::new(v).expect("knob range is a valid ratio");
            }
            StrategySpec::Adaptive { max_level, .. } => {
                *max_level = LinesPerAgent::new(v).expect("knob range is a valid level");
            }
            StrategySpec::FreePlusBusy { target_abandon, .. }
            | StrategySpec::PiController { target_abandon, .. }
            | StrategySpec::Predictive { target_abandon, .. } => {
                *target_abandon = Share::new(v).expect("knob range is a share");
            }
            _ => {}
        }
        spec
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
            StrategySpec::Progressive { poll_s } => format!("Progressive(poll {poll_s}s)"),
            StrategySpec::FreePlusBusy {
                r,
                target_abandon,
                poll_s,
                expected_hit_rate,
            } => match expected_hit_rate {
                Some(h) => format!(
                    "FreePlusBusy(r {r}, target {target_abandon}, poll {poll_s}s, prior hit rate {h})"
                ),
                None => format!("FreePlusBusy(r {r}, target {target_abandon}, poll {poll_s}s)"),
            },
            StrategySpec::Adaptive {
                target_abandon,
                max_level,
                intensity,
                diff_target,
                mode,
                campaign_end_h,
            } => format!(
                "Adaptive({mode:?}, target {target_abandon}, max {max_level}, intensity {intensity}, diff {diff_target}, end {campaign_end_h}h)"
            ),
            StrategySpec::PiController {
                target_abandon,
                kp,
                ki,
            } => format!("PiController(target {target_abandon}, kp {kp}, ki {ki})"),
            StrategySpec::Predictive {
                target_abandon,
                max_lines_per_agent,
                releases,
            } => format!(
                "Predictive(target {target_abandon}, max {max_lines_per_agent}/agent{})",
                match releases {
                    predictive::Releases::Conditioned => "",
                    predictive::Releases::Memoryless => ", memoryless",
                }
            ),
        }
    }
}
