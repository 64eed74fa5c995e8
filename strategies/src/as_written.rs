//! `AsWritten` — the sample's dialer as its code actually behaves.
//!
//! The sample runs `items.forEach(async item => { while (available == 0) await sleep(5 s); dial })`:
//! `forEach` does not wait for an async callback, so every customer's loop runs at once. They all
//! poll together, and on the first poll that shows any available agent, **every** waiting loop dials
//! — the whole remaining list in one burst. A dial that Connect refuses (throttling, concurrent-call
//! quota) throws inside the callback and nothing catches it, so that customer is never dialed again
//! and stays at result code -1.
//!
//! Settings: `poll_s` (default 5 s), the loops' sleep. Observes: `agents.available`, `callable_now`.

use crate::{AfterRejection, Decision, Millis, Observation, Pacer, Rejection};

#[derive(Debug, Clone)]
pub struct AsWritten {
    poll: Millis,
}

impl AsWritten {
    pub fn new(poll_s: f64) -> Self {
        AsWritten {
            poll: Millis::from_secs_f64(poll_s),
        }
    }
}

impl Pacer for AsWritten {
    fn decide(&mut self, seen: &Observation) -> Decision {
        let launch = if seen.agents.available > 0 {
            u32::try_from(seen.callable_now).unwrap_or(u32::MAX)
        } else {
            0
        };
        Decision {
            launch,
            recheck_after: self.poll,
        }
    }

    fn on_rejected(&mut self, _rejection: &Rejection) -> AfterRejection {
        AfterRejection::GiveUp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, RejectReason};

    #[test]
    fn one_available_agent_releases_every_waiting_customer() {
        let mut p = AsWritten::new(5.0);
        let seen = Observation {
            agents: AgentCounts {
                staffed: 10,
                available: 1,
                ..Default::default()
            },
            callable_now: 1_995,
            ..Default::default()
        };
        assert_eq!(p.decide(&seen).launch, 1_995);
    }

    #[test]
    fn a_refused_dial_is_never_retried() {
        let mut p = AsWritten::new(5.0);
        let r = Rejection {
            customer: 3,
            at: Millis(0),
            reason: RejectReason::Throttled,
        };
        assert_eq!(p.on_rejected(&r), AfterRejection::GiveUp);
    }
}
