//! The abandon rates' one definition, for the simulator, live and the reports.
//!
//! The regulator counts a live answer not bridged to an agent within the compliance threshold
//! (2 seconds in the US and UK rules): a caller who hung up in the queue, a caller an agent took
//! later than the threshold, and a person answering-machine detection hung up on. Its rate is
//! those over every live answer. The queue's rate is the callers who hung up in the queue over
//! those who entered it. `docs/results.md` states the same in words.

/// The compliance threshold when a file gives none, in seconds.
pub const DEFAULT_COMPLIANCE_THRESHOLD_S: f64 = 2.0;

/// The regulator's cap on a day's regulatory abandon rate when a file gives none: 3% (Ofcom
/// judges every 24 hours; the FCC each 30-day period of a campaign, at the same 3%).
pub const DEFAULT_ABANDON_CAP: f64 = 0.03;

/// Whether a connection after `waited_ms` in the queue is late: strictly longer than the
/// threshold.
pub fn connected_late(waited_ms: u64, threshold_ms: u64) -> bool {
    waited_ms > threshold_ms
}

/// The counts both rates are made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AbandonTally {
    /// Calls a person answered.
    pub live_answers: u64,
    /// Callers who chose to talk to an agent and entered the queue.
    pub queued: u64,
    /// Queued callers who hung up before an agent took them.
    pub abandoned: u64,
    /// Callers an agent took later than the compliance threshold.
    pub connected_late: u64,
    /// People answering-machine detection hung up on (a simulator knows them; a live campaign
    /// cannot tell them from machines).
    pub amd_hung_up_on_people: u64,
}

impl AbandonTally {
    /// Live answers not bridged to an agent within the compliance threshold.
    pub fn regulatory_abandons(&self) -> u64 {
        self.abandoned + self.connected_late + self.amd_hung_up_on_people
    }

    /// Regulatory abandons ÷ live answers; `None` with no live answer.
    pub fn regulatory_rate(&self) -> Option<f64> {
        (self.live_answers > 0)
            .then(|| self.regulatory_abandons() as f64 / self.live_answers as f64)
    }

    /// Queue abandons ÷ callers who entered the queue; `None` with none.
    pub fn queue_rate(&self) -> Option<f64> {
        (self.queued > 0).then(|| self.abandoned as f64 / self.queued as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_is_strictly_longer_than_the_threshold() {
        assert!(!connected_late(2_000, 2_000));
        assert!(connected_late(2_001, 2_000));
    }

    #[test]
    fn the_rates() {
        let t = AbandonTally {
            live_answers: 100,
            queued: 40,
            abandoned: 2,
            connected_late: 3,
            amd_hung_up_on_people: 1,
        };
        assert_eq!(t.regulatory_abandons(), 6);
        assert_eq!(t.regulatory_rate(), Some(0.06));
        assert_eq!(t.queue_rate(), Some(0.05));
        assert_eq!(AbandonTally::default().regulatory_rate(), None);
    }
}
