//! `AgentsAvailable` — the sample's intent, run sequentially as its author meant it.
//!
//! The sample's dialer asks `GetCurrentMetricData` for AGENTS_AVAILABLE before each customer and
//! dials only while the count is above zero; otherwise it sleeps `poll_s` (5 s in the sample) and
//! asks again. Done one customer at a time, that is a progressive dialer — but a naive one: an agent
//! stays "available" while the dialer's own calls ring and run the IVR, so the loop keeps dialing
//! every `step_s` (one metrics request plus one dial) until answered calls reach the queue. It never
//! subtracts its own calls in flight; that is the point of simulating it.
//!
//! Settings: `poll_s` (default 5 s) — wait after a poll that saw no available agent;
//! `step_s` (default 0.5 s) — time one loop turn takes when it dials (API round trips).
//! Observes: `agents.available` only.

use crate::param::PollSeconds;
use crate::{Decision, Millis, Observation, Pacer};

pub(crate) fn default_poll() -> PollSeconds {
    PollSeconds::new(5.0).expect("5 is positive")
}

pub(crate) fn default_step() -> PollSeconds {
    PollSeconds::new(0.5).expect("0.5 is positive")
}

#[derive(Debug, Clone)]
pub struct AgentsAvailable {
    poll: Millis,
    step: Millis,
}

impl AgentsAvailable {
    pub fn new(poll_s: f64, step_s: f64) -> Self {
        AgentsAvailable {
            poll: Millis::from_secs_f64(poll_s),
            step: Millis::from_secs_f64(step_s),
        }
    }
}

impl Pacer for AgentsAvailable {
    fn decide(&mut self, seen: &Observation) -> Decision {
        if seen.agents.available > 0 && seen.callable_now > 0 {
            Decision {
                launch: 1,
                recheck_after: self.step,
            }
        } else {
            Decision {
                launch: 0,
                recheck_after: self.poll,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AgentCounts;

    fn seen(available: u32, dialing: u32) -> Observation<'static> {
        Observation {
            agents: AgentCounts {
                staffed: 10,
                available,
                ..Default::default()
            },
            in_flight: crate::InFlight {
                dialing,
                ..Default::default()
            },
            callable_now: 50,
            remaining: 50,
            ..Default::default()
        }
    }

    #[test]
    fn dials_one_per_step_while_an_agent_shows_available() {
        let mut p = AgentsAvailable::new(5.0, 0.5);
        let d = p.decide(&seen(1, 0));
        assert_eq!((d.launch, d.recheck_after), (1, Millis(500)));
    }

    #[test]
    fn ignores_its_own_ringing_calls_like_the_sample() {
        let mut p = AgentsAvailable::new(5.0, 0.5);
        assert_eq!(p.decide(&seen(1, 40)).launch, 1);
    }

    #[test]
    fn sleeps_the_poll_interval_when_nobody_is_available() {
        let mut p = AgentsAvailable::new(5.0, 0.5);
        let d = p.decide(&seen(0, 0));
        assert_eq!((d.launch, d.recheck_after), (0, Millis(5_000)));
    }
}
