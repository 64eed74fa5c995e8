//! `FreePlusBusy` — "overdial": dial for every free agent plus `r` per busy agent, with `r` tuned
//! online against the abandon target. Commercial dialers (Sinch's hybrid mode) expose it as
//! "free + r% busy": the bet is that a fraction of busy agents will finish while the extra calls
//! ring.
//!
//! "Dial for an agent" means placing as many calls as it takes to bring one caller to the queue:
//! 1 / h calls, where h is the hit rate (queued callers ÷ finished dials, learned from its calls;
//! 1 until 5 callers have queued). A literal one call per free agent would leave agents idle most
//! of the time, since only a fraction of dials reach a person who presses 1.
//!
//! Every `poll_s` it launches `round((available + r × busy) / h) − calls ringing, in the IVR or
//! queued`, where busy = staffed − available. Every minute, once 20 live answers have finished, it scales
//! `r` by `exp(0.1 × (target − measured) / target)`, keeping `r` in [0.01, 1.5] (below, the free
//! agents' share gives way). *Measured* is the regulator's rate as [`crate::drops`] estimates it
//! (drops over live answers plus the declared detector's hang-ups on people), over the last 5
//! minutes when they hold 30 live answers, else since the start.
//!
//! Settings: `r` (calls per busy agent, default 0.3, the starting value), `target_abandon`
//! (default 0.03), `poll_s` (default 1 s). Observes: agents available and staffed, `in_flight`,
//! finished calls.

use crate::drops::DropMeter;
use crate::param::CallsPerBusyAgent;
use crate::{CallRecord, Decision, Millis, Observation, Pacer};
use rules::abandonment::Counting;

pub(crate) fn default_r() -> CallsPerBusyAgent {
    CallsPerBusyAgent::new(0.3).expect("in range")
}

const R_MAX: f64 = 1.5;
const R_MIN: f64 = 0.01;
const G_MIN: f64 = 0.1;
const STEP: f64 = 0.1;
const ADJUST_EVERY: Millis = Millis::from_secs(60);

#[derive(Debug, Clone)]
pub struct FreePlusBusy {
    r: f64,
    target: f64,
    poll: Millis,
    meter: DropMeter,
    next_adjust: Millis,
    /// Share of a free agent's calls placed (1 unless `r` alone cannot meet the target).
    g: f64,
    finished: u64,
    queued: u64,
}

impl FreePlusBusy {
    pub fn new(r: f64, target: f64, poll_s: f64, counting: Counting) -> Self {
        FreePlusBusy {
            r: r.min(R_MAX),
            target,
            poll: Millis::from_secs_f64(poll_s),
            meter: DropMeter::new(Millis::from_secs(5 * 60), counting),
            next_adjust: ADJUST_EVERY,
            g: 1.0,
            finished: 0,
            queued: 0,
        }
    }

    /// The current calls per busy agent.
    pub fn r(&self) -> f64 {
        self.r
    }

    /// Scales `r` by `factor`; below `R_MIN` the free agents' share `g` gives way instead, and
    /// comes back first when the rate allows more.
    fn adjust(&mut self, factor: f64) {
        if factor < 1.0 && self.r * factor < R_MIN {
            self.r = R_MIN;
            self.g = (self.g * factor).max(G_MIN);
        } else if factor > 1.0 && self.g < 1.0 {
            self.g = (self.g * factor).min(1.0);
        } else {
            self.r = (self.r * factor).clamp(R_MIN, R_MAX);
        }
    }

    /// Queued callers per finished dial, once five callers have queued.
    fn hit_rate(&self) -> f64 {
        if self.queued < 5 {
            1.0
        } else {
            self.queued as f64 / self.finished as f64
        }
    }

    fn measured(&mut self, now: Millis) -> Option<f64> {
        self.meter
            .recent_rate(now, 30)
            .or_else(|| self.meter.rate(20))
    }
}

impl Pacer for FreePlusBusy {
    fn decide(&mut self, seen: &Observation) -> Decision {
        if seen.now >= self.next_adjust {
            self.next_adjust = seen.now + ADJUST_EVERY;
            if let Some(rate) = self.measured(seen.now) {
                self.adjust((STEP * (self.target - rate) / self.target).exp());
            }
        }
        let available = f64::from(seen.agents.available);
        let busy = f64::from(seen.agents.staffed.saturating_sub(seen.agents.available));
        let wanted = ((self.g * available + self.r * busy) / self.hit_rate()).round() as i64;
        let going = i64::from(seen.in_flight.before_agent());
        Decision {
            launch: (wanted - going).clamp(0, i64::from(u32::MAX)) as u32,
            recheck_after: self.poll,
        }
    }

    fn on_outcome(&mut self, call: &CallRecord) {
        self.meter.record(call);
        self.finished += 1;
        self.queued += u64::from(call.queued_at.is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, Choice, RingOutcome};

    fn seen(now_s: u64) -> Observation<'static> {
        Observation {
            now: Millis::from_secs(now_s),
            agents: AgentCounts {
                staffed: 20,
                available: 4,
                ..Default::default()
            },
            callable_now: 1_000,
            ..Default::default()
        }
    }

    fn answered(dropped: bool) -> CallRecord {
        CallRecord {
            customer: 0,
            attempt: 1,
            dialed_at: Millis(0),
            ring_ended_at: Millis(0),
            ring: RingOutcome::Answered,
            choice: Some(Choice::Agent),
            queued_at: Some(Millis(0)),
            connected_at: (!dropped).then_some(Millis(0)),
            abandoned: dropped,
            ended_at: Millis(30_000),
        }
    }

    #[test]
    fn free_plus_r_times_busy_over_the_hit_rate() {
        let mut p = FreePlusBusy::new(0.25, 0.03, 1.0, Counting::default());
        // Before any caller queued, the hit rate is taken as 1: 4 free + 0.25 × 16 busy = 8.
        assert_eq!(p.decide(&seen(1)).launch, 8);
        // 10 of 40 dials reached the queue: h = 0.25, so 8 agents' worth is 32 calls.
        for i in 0..40 {
            let mut c = answered(false);
            if i % 4 != 0 {
                c.queued_at = None;
                c.connected_at = None;
            }
            p.on_outcome(&c);
        }
        assert_eq!(p.decide(&seen(2)).launch, 32);
    }

    #[test]
    fn below_the_floor_of_r_the_free_share_gives_way_and_recovers_first() {
        let mut p = FreePlusBusy::new(0.011, 0.03, 1.0, Counting::default());
        p.adjust(0.5);
        assert_eq!((p.r, p.g), (R_MIN, 0.5));
        p.adjust(1.5);
        assert_eq!((p.r, p.g), (R_MIN, 0.75));
        p.adjust(2.0);
        assert_eq!((p.r, p.g), (R_MIN, 1.0));
        p.adjust(2.0);
        assert_eq!((p.r, p.g), (2.0 * R_MIN, 1.0));
    }

    #[test]
    fn r_falls_when_drops_exceed_the_target_and_rises_under_it() {
        let mut p = FreePlusBusy::new(1.0, 0.03, 1.0, Counting::default());
        for i in 0..40 {
            p.on_outcome(&answered(i % 4 == 0)); // 25% dropped
        }
        p.decide(&seen(60));
        // factor exp(0.1 × (0.03 − 0.25) / 0.03) = exp(−0.7333) = 0.4803
        assert!((p.r() - 0.4803).abs() < 1e-3, "r = {}", p.r());
        let mut q = FreePlusBusy::new(1.0, 0.03, 1.0, Counting::default());
        for _ in 0..40 {
            q.on_outcome(&answered(false));
        }
        q.decide(&seen(60));
        assert!((q.r() - 0.1f64.exp()).abs() < 1e-9);
    }
}
