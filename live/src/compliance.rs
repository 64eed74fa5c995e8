//! The abandonment kill-switch and the abandon rates live measures. Whether a customer may be
//! dialed now is the rules' crate's ([`rules::rulebook::may_dial`]), shared with the simulator.
//! Pure functions: the time is an argument.

use crate::config::{AbandonDefinition, KillAction, KillSwitch};
use crate::outcome::Outcome;
use crate::time::{MINUTE_MS, UnixMillis};
use rules::abandonment::{Counting, SeenTally};

/// One finished call, for the abandon rates and the kill-switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinishedCall {
    pub ended_at: UnixMillis,
    pub outcome: Outcome,
    /// When the caller entered the agents' queue.
    pub queued_at: Option<UnixMillis>,
    /// When an agent took the call.
    pub connected_at: Option<UnixMillis>,
}

/// What live counts of its finished calls: what Connect shows of them ([`SeenTally`], the
/// regulator's rate is estimated from it by [`Counting`], as the pacers estimate it) and the two
/// kinds of drop it can tell apart, for the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveCounts {
    pub seen: SeenTally,
    /// Callers who hung up in the queue.
    pub abandoned: u64,
    /// Callers an agent took later than the compliance threshold.
    pub connected_late: u64,
}

impl LiveCounts {
    /// The regulator's rate as [`Counting::regulatory_rate`] estimates it: drops over the
    /// estimated live answers, plus the declared detector's hang-ups on people. `None` before
    /// the first live answer.
    pub fn regulatory_rate(&self, counting: &Counting) -> Option<f64> {
        counting.regulatory_rate(&self.seen, 1.0)
    }

    /// The live answers behind the calls, estimated ([`Counting::live_answers`]).
    pub fn live_answers(&self, counting: &Counting) -> f64 {
        counting.live_answers(&self.seen)
    }

    /// Queue abandons ÷ callers who entered the queue; `None` with none.
    pub fn queue_rate(&self) -> Option<f64> {
        (self.seen.queued > 0).then(|| self.abandoned as f64 / self.seen.queued as f64)
    }
}

/// Counts `calls` the way the regulator's rate needs them, with the compliance threshold of
/// `counting`.
pub fn tally<'a>(
    calls: impl IntoIterator<Item = &'a FinishedCall>,
    counting: &Counting,
) -> LiveCounts {
    let mut t = LiveCounts::default();
    for c in calls {
        let late = c.outcome == Outcome::Agent
            && matches!((c.queued_at, c.connected_at), (Some(q), Some(a))
                if counting.dropped(false, (a.0 - q.0).max(0) as u64));
        t.abandoned += u64::from(c.outcome == Outcome::Abandoned);
        t.connected_late += u64::from(late);
        t.seen.add(&SeenTally::of_call(c.outcome, late));
    }
    t
}

/// The rate and its denominator under `definition`: for the regulator's, the estimated live
/// answers (whole calls, rounded down).
pub fn rate(
    t: &LiveCounts,
    definition: AbandonDefinition,
    counting: &Counting,
) -> (Option<f64>, u64) {
    match definition {
        AbandonDefinition::Regulatory => (
            t.regulatory_rate(counting),
            t.live_answers(counting).floor() as u64,
        ),
        AbandonDefinition::Queue => (t.queue_rate(), t.seen.queued),
    }
}

/// The kill-switch's state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KillSwitchState {
    /// Pacing as configured. `rate` is the rolling rate (`None` when its denominator is zero).
    Clear { rate: Option<f64>, denominator: u64 },
    /// The rolling rate is over the target: act, and log why.
    Tripped {
        rate: f64,
        denominator: u64,
        action: KillAction,
    },
}

/// Evaluates the kill-switch at `now` over the calls that ended in the last `window_min` minutes
/// (`now - window < ended_at <= now`). It trips when the rate under the configured definition is
/// above the target and its denominator holds at least `min_calls` calls. The regulator's rate
/// is counted as `counting` says (the pacers' estimate from what Connect shows).
pub fn kill_switch(
    calls: &[FinishedCall],
    rules: &KillSwitch,
    counting: &Counting,
    now: UnixMillis,
) -> KillSwitchState {
    let window = (rules.window_min.get() * MINUTE_MS as f64).round() as i64;
    let start = now.plus_ms(-window);
    let counts = tally(
        calls
            .iter()
            .filter(|c| c.ended_at > start && c.ended_at <= now),
        counting,
    );
    let (rate, denominator) = rate(&counts, rules.definition, counting);
    match rate {
        Some(r) if denominator >= u64::from(rules.min_calls) && r > rules.target_abandon.get() => {
            KillSwitchState::Tripped {
                rate: r,
                denominator,
                action: rules.action,
            }
        }
        _ => KillSwitchState::Clear { rate, denominator },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR_MS;
    use strategies::param::Share;

    // 2026-03-02T00:00:00Z, a Monday.
    const MIDNIGHT: i64 = 1_772_409_600_000;

    fn at(h: i64, m: i64) -> UnixMillis {
        UnixMillis(MIDNIGHT + h * HOUR_MS + m * MINUTE_MS)
    }

    fn calls(spec: &[(i64, Outcome)]) -> Vec<FinishedCall> {
        spec.iter()
            .map(|&(min, outcome)| FinishedCall {
                ended_at: at(0, min),
                outcome,
                queued_at: None,
                connected_at: None,
            })
            .collect()
    }

    #[test]
    fn kill_switch_trips_over_target_in_window() {
        let counting = Counting::default();
        let mut ks = KillSwitch {
            min_calls: 4,
            ..KillSwitch::default()
        };
        // 1 abandon in 5 live answers = 20% > 3%.
        let c = calls(&[
            (10, Outcome::Agent),
            (11, Outcome::CallBack),
            (12, Outcome::Abandoned),
            (13, Outcome::NotInterested),
            (14, Outcome::Email),
            (15, Outcome::NoAnswer),
        ]);
        assert_eq!(
            kill_switch(&c, &ks, &counting, at(0, 20)),
            KillSwitchState::Tripped {
                rate: 0.2,
                denominator: 5,
                action: KillAction::FallBackToProgressive
            }
        );
        // Queue definition: 1 abandon ÷ 2 queued, but only 2 in the denominator < 4: holds.
        ks.definition = AbandonDefinition::Queue;
        assert_eq!(
            kill_switch(&c, &ks, &counting, at(0, 20)),
            KillSwitchState::Clear {
                rate: Some(0.5),
                denominator: 2
            }
        );
        // The abandon leaves the 60-minute window: clear.
        ks.definition = AbandonDefinition::Regulatory;
        ks.action = KillAction::Pause;
        assert_eq!(
            kill_switch(&c, &ks, &counting, at(1, 12)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 2
            }
        );
        // Under the target: clear.
        ks.target_abandon = Share::new(0.25).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, &counting, at(0, 20)),
            KillSwitchState::Clear { .. }
        ));
        ks.target_abandon = Share::new(0.1).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, &counting, at(0, 20)),
            KillSwitchState::Tripped {
                action: KillAction::Pause,
                ..
            }
        ));
        // Calls after `now` are not counted.
        assert_eq!(
            kill_switch(&c, &ks, &counting, at(0, 10)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 1
            }
        );
    }

    /// With detection declared, the kill-switch judges the regulator's count: the people the
    /// detector hung up on count (its declared false-positive rate) and the live answers are
    /// estimated from what reached the IVR, not only the callers who pressed a key.
    #[test]
    fn kill_switch_counts_the_declared_detectors_hang_ups() {
        // 100 people and 50 machines answered. Detection (2% false positives, 10% false
        // negatives) hung up on 2 people and 45 machines; 5 machines and 8 people pressed
        // nothing, 90 people pressed a key, and one of those hung up in the queue.
        let mut spec = vec![(10, Outcome::Abandoned)];
        spec.extend((0..89).map(|_| (11, Outcome::CallBack)));
        spec.extend((0..13).map(|_| (12, Outcome::NoInput)));
        spec.extend((0..47).map(|_| (13, Outcome::Machine)));
        let c = calls(&spec);
        let counting = Counting {
            amd: Some(rules::abandonment::DeclaredAmd {
                false_positive: 0.02,
                false_negative: 0.1,
            }),
            ..Counting::default()
        };
        let ks = KillSwitch {
            min_calls: 50,
            target_abandon: Share::new(0.025).unwrap(),
            ..KillSwitch::default()
        };
        // (90 + 13)·0.9 − 47·0.1 = 88 reached the IVR as people, ÷ 0.88 = 100 live answers:
        // 1 drop ÷ 100 + 2% = 3% > 2.5%.
        let KillSwitchState::Tripped {
            rate, denominator, ..
        } = kill_switch(&c, &ks, &counting, at(0, 20))
        else {
            panic!("the regulator's 3% is over the 2.5% target")
        };
        assert!((rate - 0.03).abs() < 1e-12, "{rate}");
        assert_eq!(denominator, 100);
        // Counting only the callers who pressed a key, as before detection was declared: 1/90.
        assert_eq!(
            kill_switch(&c, &ks, &Counting::default(), at(0, 20)),
            KillSwitchState::Clear {
                rate: Some(1.0 / 90.0),
                denominator: 90
            }
        );
    }
}
