//! Abandonment as a dialer can measure it from its own finished calls — the only abandon rate a
//! pacer may steer by (the simulator's regulatory rate also counts people that answering-machine
//! detection hung up on, which no dialer can see).
//!
//! A call is *dropped* when its caller chose to talk to an agent and either hung up in the queue
//! or waited longer than the compliance threshold. The rate is dropped ÷ answered, where
//! *answered* means answered and sent to the IVR (the dialer cannot tell an undetected machine
//! from a person) — the "drops ÷ human answers" rule of established dialers.

use crate::{CallRecord, Millis, RingOutcome};
use std::collections::VecDeque;

/// Default compliance threshold: the US rule's 2 seconds.
pub const THRESHOLD: Millis = Millis(2_000);

/// One finished call, reduced to what rates need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Finished {
    at: Millis,
    answered: bool,
    dropped: bool,
}

/// Running totals of answered and dropped calls, overall and over a sliding window.
#[derive(Clone, Debug)]
pub struct DropMeter {
    threshold: Millis,
    window: Millis,
    answered: u64,
    dropped: u64,
    calls: u64,
    recent: VecDeque<Finished>,
    /// Answered and dropped calls in `recent`, kept as running sums.
    recent_answered: u64,
    recent_dropped: u64,
}

impl DropMeter {
    /// `window`: the span of the sliding rates.
    pub fn new(window: Millis) -> DropMeter {
        DropMeter {
            threshold: THRESHOLD,
            window,
            answered: 0,
            dropped: 0,
            calls: 0,
            recent: VecDeque::new(),
            recent_answered: 0,
            recent_dropped: 0,
        }
    }

    /// Whether the call counts as dropped.
    pub fn is_dropped(&self, call: &CallRecord) -> bool {
        call.abandoned || call.queue_wait().is_some_and(|w| w > self.threshold)
    }

    pub fn record(&mut self, call: &CallRecord) {
        let answered = call.ring == RingOutcome::Answered;
        let dropped = self.is_dropped(call);
        self.calls += 1;
        self.answered += u64::from(answered);
        self.dropped += u64::from(dropped);
        self.recent_answered += u64::from(answered);
        self.recent_dropped += u64::from(dropped);
        self.recent.push_back(Finished {
            at: call.ended_at,
            answered,
            dropped,
        });
    }

    fn prune(&mut self, now: Millis) {
        let since = now - self.window;
        while let Some(f) = self.recent.front().copied().filter(|f| f.at < since) {
            self.recent.pop_front();
            self.recent_answered -= u64::from(f.answered);
            self.recent_dropped -= u64::from(f.dropped);
        }
    }

    /// Dropped ÷ answered since the start, once at least `min_answered` calls were answered.
    pub fn rate(&self, min_answered: u64) -> Option<f64> {
        (self.answered >= min_answered.max(1)).then(|| self.dropped as f64 / self.answered as f64)
    }

    pub fn totals(&self) -> (u64, u64, u64) {
        (self.calls, self.answered, self.dropped)
    }

    /// (finished calls, answered, dropped) in the window ending `now`.
    pub fn recent(&mut self, now: Millis) -> (u64, u64, u64) {
        self.prune(now);
        (
            self.recent.len() as u64,
            self.recent_answered,
            self.recent_dropped,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Choice;

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
    fn drops_are_abandons_and_late_connections_over_answers() {
        let mut m = DropMeter::new(Millis::from_secs(60));
        m.record(&call(10, RingOutcome::Answered, Some(1.0), false)); // on time
        m.record(&call(20, RingOutcome::Answered, Some(3.0), false)); // late
        m.record(&call(30, RingOutcome::Answered, Some(5.0), true)); // abandoned
        m.record(&call(40, RingOutcome::NoAnswer, None, false));
        assert_eq!(m.totals(), (4, 3, 2));
        assert_eq!(m.rate(3), Some(2.0 / 3.0));
        assert_eq!(m.rate(4), None);
        assert_eq!(m.recent(Millis::from_secs(85)), (2, 1, 1));
    }
}
