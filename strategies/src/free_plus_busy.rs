//! `FreePlusBusy` — "overdial": dial for every free agent plus `r` per busy agent, with `r` tuned
//! online against the abandon target. Commercial dialers (Sinch's hybrid mode) expose it as
//! "free + r% busy": the bet is that a fraction of busy agents will finish while the extra calls
//! ring.
//!
//! "Dial for an agent" means placing as many calls as it takes to bring one caller to the queue:
//! 1 / h calls, where h is the hit rate. A literal one call per free agent would leave agents
//! idle most of the time, since only a fraction of dials reach a person who presses 1.
//!
//! **The hit rate, warm-started.** h = (hits + K·h₀) ÷ (dials resolved + K): hits are the
//! finished calls that reached the queue plus the calls in the queue or with an agent now, dials
//! resolved are the finished calls plus those same calls in progress (a call that reached the
//! queue finishes only after its talk, minutes after the failures and no-answers dialed with it:
//! counting finished calls alone would read the day's first minutes as a hit rate of a few
//! percent and dial for ten times too many callers). h₀ is the prior: `expected_hit_rate` when the
//! scenario or campaign file gives it, else 1 — one call per free agent, progressive dialing —
//! weighted as K = 1,000 dials, so the pacer starts where its prior says and moves to the
//! measured rate as dials resolve (the 100-agent day resolves 1,000 dials in about six minutes).
//! Measured on the 100-agent day (`dialsim run`, 8 days, regulatory rates): without a prior the
//! worst hour is 4.2% and the worst 15 minutes 9.7% (counting finished calls alone and starting
//! from `r` at once: 8.5% and 19.2%); a prior of 0.09, the day's true rate, starts at full pace
//! and its worst hour is 7.2%: a prior is for a campaign whose hit rate is known and whose first
//! minutes matter less than its first calls.
//!
//! Every `poll_s` it launches `round((available + r × busy) / h) − calls ringing, in the IVR or
//! queued`, where busy = staffed − available. Every minute, once 20 live answers have finished, it scales
//! `r` by `exp(0.1 × (target − measured) / target)`, keeping `r` in [0.01, 1.5] (below, the free
//! agents' share gives way). *Measured* is the regulator's rate as [`crate::drops`] estimates it
//! (drops over live answers plus the declared detector's hang-ups on people), over the last 5
//! minutes when they hold 30 live answers, else since the start.
//!
//! Settings: `r` (calls per busy agent, default 0.3, the starting value), `target_abandon`
//! (default 0.03), `poll_s` (default 1 s), `expected_hit_rate` (the prior h₀, a share of dials
//! that reach the queue; default none: start progressive). Observes: agents available and
//! staffed, `in_flight`, finished calls.

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
/// The weight of the prior hit rate, in dials.
const PRIOR_DIALS: f64 = 1000.0;

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
    /// The prior hit rate h₀ (1: progressive).
    prior: f64,
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
            prior: 1.0,
        }
    }

    /// The same pacer starting from `expected_hit_rate` (queued callers per dial) instead of
    /// progressive dialing.
    pub fn with_prior(mut self, expected_hit_rate: Option<f64>) -> Self {
        self.prior = expected_hit_rate.unwrap_or(1.0);
        self
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

    /// Callers who reach the queue per dial, from the prior and the dials resolved (see the
    /// module documentation); `reached_now` the calls in the queue or with an agent.
    fn hit_rate(&self, reached_now: u32) -> f64 {
        let reached_now = f64::from(reached_now);
        (self.queued as f64 + reached_now + PRIOR_DIALS * self.prior)
            / (self.finished as f64 + reached_now + PRIOR_DIALS)
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
        let reached_now = seen.in_flight.queued + seen.in_flight.with_agent;
        let wanted =
            ((self.g * available + self.r * busy) / self.hit_rate(reached_now)).round() as i64;
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

    /// `dials` finished calls, every fourth of which reached the queue.
    fn quarter_reach_the_queue(p: &mut FreePlusBusy, dials: u32) {
        for i in 0..dials {
            let mut c = answered(false);
            if i % 4 != 0 {
                c.queued_at = None;
                c.connected_at = None;
            }
            p.on_outcome(&c);
        }
    }

    #[test]
    fn free_plus_r_times_busy_over_the_hit_rate() {
        let mut p = FreePlusBusy::new(0.25, 0.03, 1.0, Counting::default());
        // Before any dial resolved, the prior hit rate 1: 4 free + 0.25 × 16 busy = 8.
        assert_eq!(p.decide(&seen(1)).launch, 8);
        // 200 of 800 dials reached the queue: h = (200 + 1000) / (800 + 1000) = 2/3 with the
        // prior's 1,000 dials at 1, so 8 agents' worth is 12 calls.
        quarter_reach_the_queue(&mut p, 800);
        assert_eq!(p.decide(&seen(2)).launch, 12);
        // The same dials with a prior of 0.25: h = (200 + 250) / 1800 = 0.25, 32 calls.
        let mut q = FreePlusBusy::new(0.25, 0.03, 1.0, Counting::default()).with_prior(Some(0.25));
        assert_eq!(
            q.decide(&seen(1)).launch,
            32,
            "the prior holds from the start"
        );
        quarter_reach_the_queue(&mut q, 800);
        assert_eq!(q.decide(&seen(2)).launch, 32);
    }

    /// A call that reached the queue finishes only after its talk: the calls in the queue or
    /// with an agent count as hits already, so the first minutes' quick failures do not read as
    /// a hit rate near zero.
    #[test]
    fn calls_in_progress_count_as_hits() {
        let mut p = FreePlusBusy::new(0.25, 0.03, 1.0, Counting::default()).with_prior(Some(0.25));
        for _ in 0..300 {
            let mut c = answered(false);
            c.queued_at = None;
            c.connected_at = None;
            p.on_outcome(&c); // 300 quick failures
        }
        let mut now = seen(3);
        now.in_flight.with_agent = 100; // and 100 callers talking
        // h = (0 + 100 + 250) / (300 + 100 + 1000) = 0.25: 8 agents' worth is 32 calls, less the
        // 0 calls before an agent.
        assert_eq!(p.decide(&now).launch, 32);
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
