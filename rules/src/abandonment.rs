//! The abandon rates' one definition, for the simulator, live and the reports.
//!
//! The regulator counts a live answer not bridged to an agent within the compliance threshold
//! (2 seconds in the US and UK rules): a caller who hung up in the queue, a caller an agent took
//! later than the threshold, and a person answering-machine detection hung up on. Its rate is
//! those over every live answer. The queue's rate is the callers who hung up in the queue over
//! those who entered it. `docs/results.md` states the same in words.
//!
//! A simulator counts all of it ([`AbandonTally`]). A dialer cannot: Connect reports a person
//! answering-machine detection hung up on as a machine, and without detection a machine that
//! answered as a caller who pressed no key. What a dialer sees of its finished calls is a
//! [`SeenTally`]; [`Counting`] turns it into the regulator's rate using what the operator
//! declares of the detector ([`DeclaredAmd`]). Pacers steer by that estimate, and live's status
//! and kill-switch show it, so that a target means the regulator's count everywhere.

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

/// Answering-machine detection's error rates as the operator declares them (a scenario's `amd`
/// block; a campaign file's `compliance.amd`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeclaredAmd {
    /// Share of people the detector takes for machines: each is hung up on, a regulatory abandon.
    pub false_positive: f64,
    /// Share of machines the detector takes for people: they reach the IVR and press nothing.
    pub false_negative: f64,
}

impl DeclaredAmd {
    /// Why the declaration cannot be used, if it cannot: the rates are shares, and a detector
    /// wrong about people and machines together as often as a coin tells nothing apart.
    pub fn problem(&self) -> Option<String> {
        let (fp, fn_) = (self.false_positive, self.false_negative);
        if !(0.0..=1.0).contains(&fp) || !(0.0..=1.0).contains(&fn_) {
            return Some(format!(
                "false_positive {fp} and false_negative {fn_} must be shares from 0 to 1"
            ));
        }
        (fp + fn_ >= 1.0).then(|| {
            format!(
                "false_positive {fp} + false_negative {fn_} = {} is not below 1: such a detector \
                 tells no machine from a person; declare the rates measured on your calls",
                fp + fn_
            )
        })
    }
}

/// What a dialer counts of its own finished calls (Connect's outcomes and queue timestamps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeenTally {
    /// Answered calls whose caller pressed a key (or chose an agent and gave up waiting).
    pub keyed: u64,
    /// Answered calls sent to the IVR that pressed nothing: silent people and machines that
    /// detection missed (or every machine, without detection).
    pub silent: u64,
    /// Calls detection took for machines and hung up on (some were people).
    pub machines: u64,
    /// Callers who chose an agent and hung up in the queue or were taken after the threshold.
    pub dropped: u64,
    /// Callers who chose an agent (entered the queue).
    pub queued: u64,
}

impl SeenTally {
    /// One finished call: its outcome, and whether an agent took it after the threshold.
    pub fn of_call(outcome: crate::Outcome, connected_late: bool) -> SeenTally {
        use crate::Outcome;
        SeenTally {
            keyed: u64::from(outcome.live_answer()),
            silent: u64::from(outcome == Outcome::NoInput),
            machines: u64::from(outcome == Outcome::Machine),
            dropped: u64::from(outcome == Outcome::Abandoned || connected_late),
            queued: u64::from(outcome.queued()),
        }
    }

    pub fn add(&mut self, other: &SeenTally) {
        self.keyed += other.keyed;
        self.silent += other.silent;
        self.machines += other.machines;
        self.dropped += other.dropped;
        self.queued += other.queued;
    }

    /// Removes a tally [`SeenTally::add`]ed before (a call leaving a sliding window).
    pub fn remove(&mut self, other: &SeenTally) {
        self.keyed -= other.keyed;
        self.silent -= other.silent;
        self.machines -= other.machines;
        self.dropped -= other.dropped;
        self.queued -= other.queued;
    }

    /// Calls answered and sent to the IVR.
    pub fn sent_to_ivr(&self) -> u64 {
        self.keyed + self.silent
    }
}

/// How a dialer counts the regulator's rate from what it sees: the compliance threshold and,
/// when detection is on, its declared error rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Counting {
    pub threshold_ms: u64,
    pub amd: Option<DeclaredAmd>,
    /// Share of the people who answer that press no key in the IVR, as the operator declares
    /// it (a scenario's `ivr.no_input`); 0 when undeclared. Without detection it tells how many
    /// of the silent calls were people.
    pub silent_people: f64,
}

impl Default for Counting {
    fn default() -> Self {
        Counting {
            threshold_ms: (DEFAULT_COMPLIANCE_THRESHOLD_S * 1_000.0) as u64,
            amd: None,
            silent_people: 0.0,
        }
    }
}

impl Counting {
    /// Whether a caller who chose an agent is a regulatory abandon: hung up in the queue, or
    /// taken after `waited_ms` longer than the threshold.
    pub fn dropped(&self, abandoned: bool, waited_ms: u64) -> bool {
        abandoned || connected_late(waited_ms, self.threshold_ms)
    }

    /// The share of live answers detection hangs up on: the part of the regulator's rate no
    /// pacing can avoid (the declared false-positive rate; 0 without detection).
    pub fn allowance(&self) -> f64 {
        self.amd.map_or(0.0, |a| a.false_positive)
    }

    /// The live answers behind `seen`, estimated.
    ///
    /// With detection declared (false positives p, false negatives q), of h people and m
    /// machines answering, h(1 − p) + mq reach the IVR and hp + m(1 − q) are hung up on; so
    /// h = ((keyed + silent)(1 − q) − machines·q) ÷ (1 − p − q), kept between the callers who
    /// pressed a key and every answer. Without detection a silent caller may be a machine or a
    /// person and no call tells which: the people are the callers who pressed a key over the
    /// share of people who do (1 − `silent_people`), at most every answer. Undeclared, only the
    /// callers who pressed a key count, which can only overstate the rate.
    pub fn live_answers(&self, seen: &SeenTally) -> f64 {
        let keyed = seen.keyed as f64;
        match self.amd {
            None => (keyed / (1.0 - self.silent_people.clamp(0.0, 0.99)))
                .min(seen.sent_to_ivr() as f64)
                .max(keyed),
            Some(a) => {
                let (p, q) = (a.false_positive, a.false_negative);
                let ivr = seen.sent_to_ivr() as f64;
                let h = (ivr * (1.0 - q) - seen.machines as f64 * q) / (1.0 - p - q);
                h.clamp(keyed, ivr + seen.machines as f64)
            }
        }
    }

    /// The regulator's rate estimated from `seen`: drops ÷ live answers plus the detector's
    /// declared hang-ups on people. `None` before `min_answers` live answers.
    pub fn regulatory_rate(&self, seen: &SeenTally, min_answers: f64) -> Option<f64> {
        let h = self.live_answers(seen);
        (h >= min_answers.max(1.0)).then(|| seen.dropped as f64 / h + self.allowance())
    }

    /// Why no pacing can hold `target`, if none can: the detector's hang-ups on people alone
    /// reach it.
    pub fn unreachable(&self, target: f64) -> Option<String> {
        let allowance = self.allowance();
        (allowance >= target).then(|| {
            format!(
                "the target abandon rate {:.2}% cannot be held: answering-machine detection \
                 alone hangs up on {:.2}% of the people who answer (its declared \
                 false_positive), and each is a regulatory abandon, so even a dialer that never \
                 lets a caller wait would count {:.2}% ≥ {:.2}%; raise the target above {:.2}% \
                 or declare (and use) a detector with fewer false positives",
                target * 100.0,
                allowance * 100.0,
                allowance * 100.0,
                target * 100.0,
                allowance * 100.0
            )
        })
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

    fn amd(p: f64, q: f64) -> Counting {
        Counting {
            amd: Some(DeclaredAmd {
                false_positive: p,
                false_negative: q,
            }),
            ..Counting::default()
        }
    }

    #[test]
    fn live_answers_are_recovered_from_what_detection_lets_through() {
        // 1,000 people and 800 machines; 1% of people hung up on, 10% of machines missed.
        // IVR: 990 people + 80 machines; of the people, 100 press nothing.
        let seen = SeenTally {
            keyed: 890,
            silent: 100 + 80,
            machines: 10 + 720,
            dropped: 20,
            queued: 300,
        };
        let c = amd(0.01, 0.10);
        assert!((c.live_answers(&seen) - 1_000.0).abs() < 1e-9);
        // 20 drops over 1,000 people, plus the 1% detection hung up on.
        assert!((c.regulatory_rate(&seen, 1.0).unwrap() - 0.03).abs() < 1e-12);
        // Without detection only callers who pressed a key count: the rate can only be higher.
        let plain = Counting::default().regulatory_rate(&seen, 1.0).unwrap();
        assert!((plain - 20.0 / 890.0).abs() < 1e-12);
        // Declaring that a tenth of people press nothing recovers them.
        let declared = Counting {
            silent_people: 0.11,
            ..Counting::default()
        };
        assert!((declared.live_answers(&seen) - 1_000.0).abs() < 1e-9);
    }

    #[test]
    fn the_estimate_stays_between_keyed_callers_and_all_answers() {
        let c = amd(0.02, 0.30);
        let few = SeenTally {
            keyed: 3,
            silent: 0,
            machines: 50,
            ..SeenTally::default()
        };
        assert_eq!(c.live_answers(&few), 3.0);
        assert_eq!(c.regulatory_rate(&few, 5.0), None);
    }

    #[test]
    fn a_tally_leaves_a_window_as_it_came() {
        let mut t = SeenTally::default();
        let late = SeenTally::of_call(crate::Outcome::Agent, true);
        let machine = SeenTally::of_call(crate::Outcome::Machine, false);
        t.add(&late);
        t.add(&machine);
        assert_eq!((t.keyed, t.machines, t.dropped, t.queued), (1, 1, 1, 1));
        t.remove(&late);
        assert_eq!(t, machine);
    }

    #[test]
    fn a_target_the_detector_alone_breaks_is_refused_with_the_arithmetic() {
        let c = amd(0.03, 0.1);
        let why = c.unreachable(0.03).expect("refused");
        assert!(
            why.contains("3.00%") && why.contains("false_positive"),
            "{why}"
        );
        assert_eq!(c.unreachable(0.031), None);
        assert_eq!(Counting::default().unreachable(0.001), None);
        assert!(
            DeclaredAmd {
                false_positive: 0.6,
                false_negative: 0.4
            }
            .problem()
            .is_some()
        );
    }
}
