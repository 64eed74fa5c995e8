//! Abandonment as a dialer can measure it from its own finished calls: the regulator's rate,
//! estimated by the one definition ([`rules::abandonment::Counting`]) from what Connect shows —
//! drops over live answers, plus the declared detector's hang-ups on people. Pacers with a
//! `target_abandon` steer by it, so that the target is the regulator's count.
//!
//! A call is *dropped* when its caller chose to talk to an agent and either hung up in the queue
//! or waited longer than the compliance threshold.

use crate::{CallRecord, Millis};
use rules::Outcome;
use rules::abandonment::{Counting, SeenTally};
use std::collections::VecDeque;

/// One finished call, reduced to what rates need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Finished {
    at: Millis,
    seen: SeenTally,
}

/// Finished calls in a span: how many, how many were answered and sent to the IVR, how many
/// dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub calls: u64,
    pub answered: u64,
    pub dropped: u64,
}

/// Running tallies of finished calls, overall and over a sliding window.
#[derive(Clone, Debug)]
pub struct DropMeter {
    counting: Counting,
    window: Millis,
    calls: u64,
    total: SeenTally,
    recent: VecDeque<Finished>,
    /// The tally of `recent`, kept as a running sum.
    recent_sum: SeenTally,
}

impl DropMeter {
    /// `window`: the span of the sliding rates; `counting`: how the regulator counts.
    pub fn new(window: Millis, counting: Counting) -> DropMeter {
        DropMeter {
            counting,
            window,
            calls: 0,
            total: SeenTally::default(),
            recent: VecDeque::new(),
            recent_sum: SeenTally::default(),
        }
    }

    /// How the regulator counts, as this meter was told.
    pub fn counting(&self) -> &Counting {
        &self.counting
    }

    /// Whether the call counts as dropped.
    pub fn is_dropped(&self, call: &CallRecord) -> bool {
        call.queue_wait()
            .is_some_and(|w| self.counting.dropped(call.abandoned, w.0))
    }

    fn seen(&self, call: &CallRecord) -> SeenTally {
        let outcome = Outcome::of_call(call.ring, call.choice, call.abandoned);
        let late = !call.abandoned && call.connected_at.is_some() && self.is_dropped(call);
        SeenTally::of_call(outcome, late)
    }

    pub fn record(&mut self, call: &CallRecord) {
        let seen = self.seen(call);
        self.calls += 1;
        self.total.add(&seen);
        self.recent_sum.add(&seen);
        self.recent.push_back(Finished {
            at: call.ended_at,
            seen,
        });
    }

    fn prune(&mut self, now: Millis) {
        let since = now - self.window;
        while let Some(f) = self.recent.front().copied().filter(|f| f.at < since) {
            self.recent.pop_front();
            self.recent_sum.remove(&f.seen);
        }
    }

    /// The regulator's rate since the start, once at least `min_answers` live answers are
    /// estimated.
    pub fn rate(&self, min_answers: u64) -> Option<f64> {
        self.counting
            .regulatory_rate(&self.total, min_answers as f64)
    }

    /// The regulator's rate over the window ending `now`, once it holds `min_answers` live
    /// answers.
    pub fn recent_rate(&mut self, now: Millis, min_answers: u64) -> Option<f64> {
        self.prune(now);
        self.counting
            .regulatory_rate(&self.recent_sum, min_answers as f64)
    }

    /// Live answers per call answered and sent to the IVR so far (1 before any answer): what
    /// turns "per answer" into "per live answer".
    pub fn live_per_answer(&self) -> f64 {
        let answered = self.total.sent_to_ivr();
        if answered == 0 {
            return 1.0;
        }
        self.counting.live_answers(&self.total) / answered as f64
    }

    /// Every finished call so far.
    pub fn totals(&self) -> Counts {
        Counts {
            calls: self.calls,
            answered: self.total.sent_to_ivr(),
            dropped: self.total.dropped,
        }
    }

    /// The finished calls in the window ending `now`.
    pub fn recent(&mut self, now: Millis) -> Counts {
        self.prune(now);
        Counts {
            calls: self.recent.len() as u64,
            answered: self.recent_sum.sent_to_ivr(),
            dropped: self.recent_sum.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Choice, RingOutcome};
    use rules::abandonment::DeclaredAmd;

    pub(crate) fn call(
        ended_s: u64,
        ring: RingOutcome,
        wait_s: Option<f64>,
        abandoned: bool,
    ) -> CallRecord {
        let end = Millis::from_secs(ended_s);
        let queued = wait_s.map(|w| end - Millis::from_secs_f64(w));
        CallRecord {
            customer: 0,
            attempt: 1,
            dialed_at: Millis::ZERO,
            ring_ended_at: Millis::ZERO,
            ring,
            choice: wait_s.map(|_| Choice::Agent),
            queued_at: queued,
            connected_at: if abandoned { None } else { queued.map(|_| end) },
            abandoned,
            ended_at: end,
        }
    }

    #[test]
    fn drops_are_abandons_and_late_connections_over_live_answers() {
        let mut m = DropMeter::new(Millis::from_secs(60), Counting::default());
        m.record(&call(10, RingOutcome::Answered, Some(1.0), false)); // on time
        m.record(&call(20, RingOutcome::Answered, Some(3.0), false)); // late
        m.record(&call(30, RingOutcome::Answered, Some(5.0), true)); // abandoned
        m.record(&call(40, RingOutcome::NoAnswer, None, false));
        m.record(&call(45, RingOutcome::Answered, None, false)); // silent: a machine, perhaps
        let totals = m.totals();
        assert_eq!((totals.calls, totals.answered, totals.dropped), (5, 4, 2));
        // Without detection only the three callers who pressed a key are live answers.
        assert_eq!(m.rate(3), Some(2.0 / 3.0));
        assert_eq!(m.rate(4), None);
        let recent = m.recent(Millis::from_secs(85));
        assert_eq!((recent.calls, recent.answered, recent.dropped), (3, 2, 1));
        assert_eq!(m.recent_rate(Millis::from_secs(85), 1), Some(1.0));
    }

    #[test]
    fn the_declared_detector_adds_its_hang_ups_and_corrects_the_answers() {
        let counting = Counting {
            amd: Some(DeclaredAmd {
                false_positive: 0.01,
                false_negative: 0.0,
            }),
            ..Counting::default()
        };
        let mut m = DropMeter::new(Millis::from_secs(60), counting);
        for i in 0..99 {
            let abandoned = i < 2;
            m.record(&call(i, RingOutcome::Answered, Some(1.0), abandoned));
        }
        m.record(&call(100, RingOutcome::MachineDetected, None, false));
        // 99 people reached the IVR: 99 / 0.99 = 100 answered; 2 drops + 1% hung up on.
        let rate = m.rate(10).unwrap();
        assert!((rate - 0.03).abs() < 1e-12, "{rate}");
        assert!((m.live_per_answer() - 100.0 / 99.0).abs() < 1e-12);
    }

    #[test]
    fn the_compliance_threshold_is_the_declared_one() {
        let strict = Counting {
            threshold_ms: 1_000,
            ..Counting::default()
        };
        let m = DropMeter::new(Millis::from_secs(60), strict);
        assert!(m.is_dropped(&call(10, RingOutcome::Answered, Some(1.5), false)));
        let us = DropMeter::new(Millis::from_secs(60), Counting::default());
        assert!(!us.is_dropped(&call(10, RingOutcome::Answered, Some(1.5), false)));
    }
}
