//! `Progressive` — what the sample meant to do, done right: never more calls than free agents
//! can take.
//!
//! Every `poll_s` it launches `available − (calls ringing + in the IVR + queued)`. An agent stays
//! "available" in Connect's metrics while the dialer's own calls ring, so those calls are
//! subtracted; a caller can then wait only when an available agent is taken by another queue or
//! the metrics are stale. The textbook progressive dialer (Genesys, NICE: "guarantees no
//! abandons"), and the reference every predictive strategy's gain is measured against.
//!
//! Settings: `poll_s` (default 1 s). Observes: `agents.available`, `in_flight`.

use crate::{Decision, Millis, Observation, Pacer};

#[derive(Debug, Clone)]
pub struct Progressive {
    poll: Millis,
}

impl Progressive {
    pub fn new(poll_s: f64) -> Self {
        Progressive {
            poll: Millis::from_secs_f64(poll_s),
        }
    }
}

/// Free agents not yet spoken for by calls in flight.
pub(crate) fn uncovered_agents(seen: &Observation) -> u32 {
    seen.agents
        .available
        .saturating_sub(seen.in_flight.before_agent())
}

impl Pacer for Progressive {
    fn decide(&mut self, seen: &Observation) -> Decision {
        Decision {
            launch: uncovered_agents(seen),
            recheck_after: self.poll,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, InFlight};

    #[test]
    fn counts_calls_in_flight_against_free_agents() {
        let mut p = Progressive::new(1.0);
        let seen = Observation {
            agents: AgentCounts {
                staffed: 10,
                available: 6,
                ..Default::default()
            },
            in_flight: InFlight {
                dialing: 2,
                in_ivr: 1,
                queued: 0,
                with_agent: 4,
            },
            callable_now: 100,
            ..Default::default()
        };
        assert_eq!(p.decide(&seen).launch, 3);
        let busy = Observation {
            in_flight: InFlight {
                dialing: 9,
                ..Default::default()
            },
            ..seen
        };
        assert_eq!(p.decide(&busy).launch, 0);
    }
}
