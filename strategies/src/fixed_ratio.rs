//! `FixedRatio` — power dialing: keep `ratio` calls going for every available agent.
//!
//! Every `poll_s` it launches `round(ratio × available) − calls ringing, in the IVR or queued`
//! (never negative). With `ratio = 1` it is a progressive dialer that counts its own calls in flight;
//! above 1 it bets that most dials will not reach a person who presses 1. Commercial dialers call
//! this "power" or "ratio" dialing; the right ratio depends on the answer and opt-in rates, which is
//! what the simulator is for.
//!
//! Settings: `ratio` (lines per available agent, required), `poll_s` (default 1 s).
//! Observes: `agents.available`, `in_flight`.

use crate::param::PollSeconds;
use crate::{Decision, Millis, Observation, Pacer};

pub(crate) fn default_poll() -> PollSeconds {
    PollSeconds::new(1.0).expect("1 is positive")
}

#[derive(Debug, Clone)]
pub struct FixedRatio {
    ratio: f64,
    poll: Millis,
}

impl FixedRatio {
    pub fn new(ratio: f64, poll_s: f64) -> Self {
        FixedRatio {
            ratio,
            poll: Millis::from_secs_f64(poll_s),
        }
    }
}

impl Pacer for FixedRatio {
    fn decide(&mut self, seen: &Observation) -> Decision {
        let wanted = (self.ratio * f64::from(seen.agents.available)).round() as i64;
        let going = i64::from(seen.in_flight.before_agent());
        Decision {
            launch: (wanted - going).clamp(0, i64::from(u32::MAX)) as u32,
            recheck_after: self.poll,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, InFlight};

    fn seen(available: u32, before_agent: u32) -> Observation<'static> {
        Observation {
            agents: AgentCounts {
                staffed: 20,
                available,
                ..Default::default()
            },
            in_flight: InFlight {
                dialing: before_agent,
                ..Default::default()
            },
            callable_now: 1_000,
            ..Default::default()
        }
    }

    #[test]
    fn tops_up_to_ratio_times_available() {
        let mut p = FixedRatio::new(2.5, 1.0);
        assert_eq!(p.decide(&seen(4, 3)).launch, 7);
    }

    #[test]
    fn never_negative_when_over_target() {
        let mut p = FixedRatio::new(1.5, 1.0);
        assert_eq!(p.decide(&seen(2, 9)).launch, 0);
    }
}
