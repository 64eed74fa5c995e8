//! `PiController` — the hit-rate formula of UNICOM's Predict1PI with a PI loop on the abandon
//! rate (re-implemented publicly in dan-win/d9's `dctr.py`).
//!
//! Calls wanted in dial = W + W × (PA / 100) × failed / answered, where W is the number of waiting
//! (available) agents and failed / answered is the ratio of unanswered to answered dials over the
//! last 15 minutes; it launches that minus the calls already ringing, in the IVR or queued. PA,
//! the "predict adjust" percentage, starts at 150 and every 10 s is set by a PI loop on the error
//! e = target − measured rate (the regulator's, as [`crate::drops`] estimates it), in percentage
//! points: PA = 150 + kp·e + ki·Σe, kept in
//! [0, 400] (the sum stops growing while PA is pinned at a bound). It dials progressively until it
//! has run 5 minutes and seen 10 live answers, and falls back to progressive while the measured
//! rate is above 1.2 × target (the hard maximum).
//!
//! Settings: `target_abandon` (default 0.025), `kp` (default 2.0), `ki` (default 0.05).
//! Observes: agents available, `in_flight`, finished calls ([`crate::drops`]).

use crate::drops::DropMeter;
use crate::param::{Gain, Share};
use crate::progressive::uncovered_agents;
use crate::{CallRecord, Decision, Millis, Observation, Pacer};
use rules::abandonment::Counting;

pub(crate) fn default_target() -> Share {
    Share::new(0.025).expect("share")
}
pub(crate) fn default_kp() -> Gain {
    Gain::new(2.0).expect("a valid gain")
}
pub(crate) fn default_ki() -> Gain {
    Gain::new(0.05).expect("a valid gain")
}

const PA_START: f64 = 150.0;
const PA_MAX: f64 = 400.0;
const UPDATE_EVERY: Millis = Millis(10_000);
const WARM_UP: Millis = Millis(5 * 60_000);
const POLL: Millis = Millis(1_000);

#[derive(Debug, Clone)]
pub struct PiController {
    target: f64,
    kp: f64,
    ki: f64,
    pa: f64,
    integral: f64,
    next_update: Millis,
    meter: DropMeter,
}

impl PiController {
    pub fn new(target: f64, kp: f64, ki: f64, counting: Counting) -> Self {
        PiController {
            target,
            kp,
            ki,
            pa: PA_START,
            integral: 0.0,
            next_update: UPDATE_EVERY,
            meter: DropMeter::new(Millis::from_secs(15 * 60), counting),
        }
    }

    /// The predict-adjust percentage now.
    pub fn adjust(&self) -> f64 {
        self.pa
    }

    fn update(&mut self, measured: f64) {
        let error = (self.target - measured) * 100.0;
        let unclamped = PA_START + self.kp * error + self.ki * (self.integral + error);
        if (0.0..=PA_MAX).contains(&unclamped) {
            self.integral += error;
        }
        self.pa = (PA_START + self.kp * error + self.ki * self.integral).clamp(0.0, PA_MAX);
    }
}

impl Pacer for PiController {
    fn decide(&mut self, seen: &Observation) -> Decision {
        let measured = self.meter.rate(10);
        if seen.now >= self.next_update {
            self.next_update = seen.now + UPDATE_EVERY;
            if let Some(rate) = measured {
                self.update(rate);
            }
        }
        let crate::drops::Counts {
            calls, answered, ..
        } = self.meter.recent(seen.now);
        let progressive =
            seen.now < WARM_UP || measured.is_none_or(|r| r > 1.2 * self.target) || answered == 0;
        let launch = if progressive {
            uncovered_agents(seen)
        } else {
            let w = f64::from(seen.agents.available);
            let failed = (calls - answered) as f64;
            let wanted = w + w * (self.pa / 100.0) * failed / answered as f64;
            (wanted.round() as i64 - i64::from(seen.in_flight.before_agent()))
                .clamp(0, i64::from(u32::MAX)) as u32
        };
        Decision {
            launch,
            recheck_after: POLL,
        }
    }

    fn on_outcome(&mut self, call: &CallRecord) {
        self.meter.record(call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, Choice, InFlight, RingOutcome};

    fn call(t: u64, ring: RingOutcome, dropped: bool) -> CallRecord {
        let end = Millis::from_secs(t);
        let answered = ring == RingOutcome::Answered;
        CallRecord {
            customer: 0,
            attempt: 1,
            dialed_at: Millis(0),
            ring_ended_at: Millis(0),
            ring,
            choice: answered.then_some(Choice::Agent),
            queued_at: answered.then(|| end - Millis(10_000)),
            connected_at: (answered && !dropped).then(|| end - Millis(10_000)),
            abandoned: dropped,
            ended_at: end,
        }
    }

    fn seen(t: u64, available: u32, dialing: u32) -> Observation<'static> {
        Observation {
            now: Millis::from_secs(t),
            agents: AgentCounts {
                staffed: 20,
                available,
                ..Default::default()
            },
            in_flight: InFlight {
                dialing,
                ..Default::default()
            },
            callable_now: 1_000,
            ..Default::default()
        }
    }

    #[test]
    fn hit_rate_formula_after_warm_up() {
        let mut p = PiController::new(0.025, 2.0, 0.05, Counting::default());
        // 10 minutes in: 20 answered (none dropped), 60 failed → failed / answered = 3.
        for k in 0..20 {
            p.on_outcome(&call(300 + k, RingOutcome::Answered, false));
        }
        for k in 0..60 {
            p.on_outcome(&call(330 + k, RingOutcome::NoAnswer, false));
        }
        p.pa = 150.0;
        p.next_update = Millis::from_secs(10_000);
        // W = 4: 4 + 4 × 1.5 × 3 = 22 wanted, 5 already ringing → 17.
        assert_eq!(p.decide(&seen(600, 4, 5)).launch, 17);
    }

    #[test]
    fn progressive_during_warm_up_and_over_the_hard_maximum() {
        let mut p = PiController::new(0.025, 2.0, 0.05, Counting::default());
        assert_eq!(p.decide(&seen(60, 4, 1)).launch, 3);
        for k in 0..20 {
            p.on_outcome(&call(300 + k, RingOutcome::Answered, k < 2)); // 10% dropped
        }
        assert_eq!(p.decide(&seen(600, 4, 1)).launch, 3);
    }

    #[test]
    fn pi_loop_moves_the_adjustment_against_the_error() {
        let mut p = PiController::new(0.025, 2.0, 0.05, Counting::default());
        p.update(0.005); // 2 points under target: PA = 150 + 4 + 0.1
        assert!((p.adjust() - 154.1).abs() < 1e-9);
        p.update(0.045); // 2 points over: integral back to 0 → PA = 150 − 4
        assert!((p.adjust() - 146.0).abs() < 1e-9);
    }
}
